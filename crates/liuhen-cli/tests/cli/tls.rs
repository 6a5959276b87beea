//! `liuhen serve --tls-cert/--tls-key`: HTTPS with rustls, cookies marked `Secure`, and the
//! same security headers; plain HTTP to the TLS port gets nothing.

use crate::helpers::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn serve_over_tls_marks_cookies_secure_and_plain_http_gets_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (cert, key) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    let st = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let mut child = Command::new(bin())
        .args(["serve", "--data"])
        .arg(tmp.path().join("data"))
        .args(["--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .env("LIUHEN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut url, mut password) = (None, None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("https://").nth(1) {
            url = Some(format!("https://{}", rest.trim_end_matches('/')));
        }
        if let Some(pw) = line.split("one-time password: ").nth(1) {
            password = Some(pw.trim().to_string());
        }
        if line.contains("ready") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let (url, password) = (url.expect("an https:// address"), password.unwrap());
    let body = serde_json::json!({"username": "admin", "password": password}).to_string();
    let out = Command::new("curl")
        .args(["-sS", "-i", "--cacert", cert.to_str().unwrap(), "-H", "content-type: application/json", "-d", &body])
        .arg(format!("{url}/api/session"))
        .output()
        .unwrap();
    let resp = text(&out.stdout).to_lowercase();
    assert!(out.status.success() && resp.starts_with("http/1.1 200"), "{resp}{}", text(&out.stderr));
    let cookie = resp.lines().find(|l| l.starts_with("set-cookie: liuhen_session=")).expect("a session cookie");
    assert!(cookie.contains("; secure") && cookie.contains("httponly"), "{cookie}");
    assert!(resp.contains("content-security-policy: default-src 'self'; script-src 'self'"), "{resp}");
    assert!(resp.contains("liuhen-receipt: "), "the sign-in's receipt: {resp}");
    assert!(resp.contains("strict-transport-security: max-age=31536000"), "{resp}");
    // Plain HTTP to the same port: no answer a browser would take.
    let plain = url.replace("https://", "http://");
    let out = Command::new("curl").args(["-sS", "-m", "5", &format!("{plain}/api/me")]).output().unwrap();
    assert!(!out.status.success() || !text(&out.stdout).contains("AUTH_REQUIRED"), "{}", text(&out.stdout));
    let _ = child.kill();
    let _ = child.wait();
}
