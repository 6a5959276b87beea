//! Spawning the real binary and talking to it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_liuhen")
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `liuhen serve` on a port chosen by the OS.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub admin_password: Option<String>,
    /// The demo accounts' shared password, when `--demo` seeded them.
    pub demo_password: Option<String>,
}

impl Server {
    pub fn start(data: &Path) -> Server {
        Server::start_with(data, &[])
    }

    pub fn start_with(data: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--data"])
            .arg(data)
            .args(extra)
            .args(["--listen", "127.0.0.1:0"])
            .env("LIUHEN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn liuhen serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut url = None;
        let mut admin_password = None;
        let mut demo_password = None;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(rest) = line.split("http://").nth(1) {
                url = Some(format!("http://{}", rest.trim_end_matches('/')));
            }
            if let Some(pw) = line.split("one-time password: ").nth(1) {
                admin_password = Some(pw.trim().to_string());
            }
            if let Some(pw) = line.split("shared password: ").nth(1) {
                demo_password = Some(pw.trim().trim_end_matches("):").to_string());
            }
            // Served once the check at start is done: before it, numbering and the sessions
            // found at start wait (503).
            if line.contains("start check done") {
                break;
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let url = url.expect("server printed its URL");
        Server { child, url, admin_password, demo_password }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// Signs in; returns the response status and JSON body.
pub fn login(
    agent: &ureq::Agent,
    url: &str,
    username: &str,
    password: &str,
) -> Result<(u16, serde_json::Value), String> {
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    let mut resp = agent
        .post(&format!("{url}/api/session"))
        .header("content-type", "application/json")
        .send(body.as_bytes())
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().map_err(|e| e.to_string())?;
    Ok((status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)))
}

pub fn get(agent: &ureq::Agent, url: &str) -> (u16, Vec<u8>) {
    let mut resp = agent.get(url).call().expect("GET");
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_vec().unwrap_or_default())
}

/// The tree size of the server's latest checkpoint.
pub fn checkpoint_size(agent: &ureq::Agent, url: &str) -> u64 {
    let (_, body) = get(agent, &format!("{url}/log/checkpoint"));
    String::from_utf8_lossy(&body).lines().nth(1).and_then(|l| l.parse().ok()).unwrap_or(0)
}

/// Waits until a checkpoint covers at least `size` entries.
pub fn wait_for_checkpoint(agent: &ureq::Agent, url: &str, size: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while checkpoint_size(agent, url) < size {
        assert!(Instant::now() < deadline, "no checkpoint of size {size} within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn run(args: &[&str]) -> Output {
    Command::new(bin()).args(args).env("LIUHEN_LOG", "warn").output().expect("run liuhen")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Signs in and, as the first sign-in demands, changes the password to `new`; returns the token.
pub fn sign_in_changing_password(agent: &ureq::Agent, url: &str, username: &str, password: &str, new: &str) -> String {
    let (status, s) = login(agent, url, username, password).unwrap();
    assert_eq!(status, 200, "{username}: {s}");
    let token = s["token"].as_str().unwrap().to_string();
    let body = serde_json::json!({"current": password, "new": new}).to_string();
    let mut resp = agent
        .post(&format!("{url}/api/me/password"))
        .header("content-type", "application/json")
        .header("authorization", &format!("Bearer {token}"))
        .send(body.as_bytes())
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{}", resp.body_mut().read_to_string().unwrap_or_default());
    token
}

/// `liuhen user add` at the console (the server stopped), the password on standard input.
pub fn console_add(data: &str, username: &str, role: &str, password: &str) -> Output {
    run_with_input(
        &["user", "add", "--data", data, "--username", username, "--role", role, "--unit", "综合执法办"],
        &format!("{password}\n"),
    )
}

/// The binary run with `args`, `input` on its standard input.
pub fn run_with_input<S: AsRef<std::ffi::OsStr>>(args: &[S], input: &str) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}
