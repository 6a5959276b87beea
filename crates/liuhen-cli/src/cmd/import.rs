//! `liuhen import DIR`: the 音像记录 files of a camera's storage or a 采集工作站 folder sent to a
//! server over the same resumable upload (tus) a browser uses. Idempotent: a file whose SHA-256
//! the server already holds is skipped. Resumable: the uploads under way are kept in
//! `DIR/.liuhen-import.json`, and a rerun continues each from the offset the server reports.
//! What a file says of itself (its creation time and duration: an MP4's `mvhd`, or ffprobe's
//! reading of any other container when ffprobe is installed) and a sidecar `<file>.json`
//! (device, officers, case, place…) become its metadata.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use liuhen_server::app::recordings::{METADATA_KEYS, looks_like_media, mp4_times};
use serde_json::{Map, Value, json};
use sha2::Digest;
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where a rerun finds the uploads under way.
pub const STATE_FILE: &str = ".liuhen-import.json";

#[derive(clap::Args)]
pub struct Args {
    /// The folder to import (searched recursively).
    dir: PathBuf,
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "LIUHEN_SERVER")]
    server: String,
    /// An API token (`POST /api/tokens`) of an account that may upload.
    #[arg(long, env = "LIUHEN_TOKEN", hide_env_values = true)]
    token: String,
    /// The recording device's number, for files whose sidecar does not say.
    #[arg(long)]
    device: Option<String>,
    /// The case the files belong to.
    #[arg(long)]
    case: Option<String>,
    /// Bytes per request, in MiB.
    #[arg(long, default_value_t = 64)]
    chunk_mib: u64,
}

/// The files under `dir`, sorted, without hidden ones and sidecars.
fn files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.starts_with('.') || name.ends_with(".json") {
                continue;
            }
            if p.is_dir() {
                todo.push(p);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn sha256_of(path: &Path) -> anyhow::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(hex_lower(&h.finalize()));
        }
        h.update(&buf[..n]);
    }
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The metadata sent with a file: its name, the device and case given, its MP4 times, and its
/// sidecar's keys (which win).
fn metadata(args: &Args, rel: &str, path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    m.insert("filename".to_string(), rel.to_string());
    if let Some(d) = &args.device {
        m.insert("device".to_string(), d.clone());
    }
    if let Some(c) = &args.case {
        m.insert("case".to_string(), c.clone());
    }
    // MP4/MOV by the built-in reader; any other container by ffprobe when it is installed.
    let times = mp4_times(&mut std::fs::File::open(path)?).or_else(|| liuhen_server::app::media::ffprobe_times(path));
    if let Some((created, duration)) = times {
        m.insert("started_at".to_string(), created.to_string());
        m.insert("ended_at".to_string(), (created + duration).to_string());
    }
    let sidecar = PathBuf::from(format!("{}.json", path.display()));
    if sidecar.exists() {
        let v: Map<String, Value> = serde_json::from_str(&std::fs::read_to_string(&sidecar)?)
            .with_context(|| format!("reading {}", sidecar.display()))?;
        for (k, v) in v {
            anyhow::ensure!(METADATA_KEYS.contains(&k.as_str()), "{}: unknown key {k}", sidecar.display());
            let text = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            m.insert(k, text);
        }
    }
    Ok(m)
}

struct Client {
    agent: ureq::Agent,
    server: String,
    bearer: String,
}

impl Client {
    fn already_stored(&self, sha256: &str) -> anyhow::Result<bool> {
        let mut r = self
            .agent
            .get(format!("{}/api/recordings?sha256={sha256}", self.server))
            .header("authorization", &self.bearer)
            .call()?;
        anyhow::ensure!(r.status() == 200, "asking for {sha256}: {}", r.status());
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
        Ok(v.as_array().is_some_and(|a| !a.is_empty()))
    }

    /// The SHA-256 the server stored for recording `id`.
    fn stored_sha256(&self, id: &str) -> anyhow::Result<String> {
        let mut r = self
            .agent
            .get(format!("{}/api/recordings/{id}", self.server))
            .header("authorization", &self.bearer)
            .call()?;
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
        Ok(v["sha256"].as_str().unwrap_or_default().to_string())
    }

    fn create(&self, size: u64, meta: &BTreeMap<String, String>) -> anyhow::Result<String> {
        let header: Vec<String> = meta.iter().map(|(k, v)| format!("{k} {}", STANDARD.encode(v.as_bytes()))).collect();
        let mut r = self
            .agent
            .post(format!("{}/api/uploads", self.server))
            .header("authorization", &self.bearer)
            .header("tus-resumable", "1.0.0")
            .header("upload-length", size.to_string())
            .header("upload-metadata", header.join(","))
            .send_empty()?;
        anyhow::ensure!(
            r.status() == 201,
            "creating the upload: {}",
            r.body_mut().read_to_string().unwrap_or_default()
        );
        Ok(r.headers().get("location").and_then(|v| v.to_str().ok()).context("no Location")?.to_string())
    }

    /// The offset of an upload under way, or `None` if the server no longer has it.
    fn offset(&self, location: &str) -> anyhow::Result<Option<u64>> {
        let r = self
            .agent
            .head(format!("{}{location}", self.server))
            .header("authorization", &self.bearer)
            .header("tus-resumable", "1.0.0")
            .call()?;
        if r.status() == 404 {
            return Ok(None);
        }
        anyhow::ensure!(r.status() == 200, "asking for the offset: {}", r.status());
        Ok(Some(r.headers().get("upload-offset").and_then(|v| v.to_str().ok()).context("no offset")?.parse()?))
    }

    /// Sends `chunk` at `offset`; the new offset, and the recording once done. (No per-request
    /// checksum: the whole file's SHA-256, computed first, is compared with the server's.)
    fn patch(&self, location: &str, offset: u64, chunk: &[u8]) -> anyhow::Result<(u64, Option<String>)> {
        let mut r = self
            .agent
            .patch(format!("{}{location}", self.server))
            .header("authorization", &self.bearer)
            .header("tus-resumable", "1.0.0")
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", offset.to_string())
            .send(chunk)?;
        anyhow::ensure!(
            r.status() == 204,
            "sending at {offset}: {}",
            r.body_mut().read_to_string().unwrap_or_default()
        );
        let next = r.headers().get("upload-offset").and_then(|v| v.to_str().ok()).context("no offset")?.parse()?;
        Ok((next, r.headers().get("liuhen-recording").and_then(|v| v.to_str().ok()).map(str::to_string)))
    }
}

/// The uploads under way, by file (relative path → upload location).
fn load_state(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

fn save_state(path: &Path, state: &BTreeMap<String, String>) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(state)?)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// A progress bar on one line of stderr.
fn progress(i: usize, n: usize, name: &str, done: u64, size: u64, started: Instant) {
    let frac = if size == 0 { 1.0 } else { done as f64 / size as f64 };
    let filled = (frac * 30.0).round() as usize;
    let mbs = done as f64 / 1e6 / started.elapsed().as_secs_f64().max(1e-3);
    eprint!(
        "\r[{i}/{n}] {name} [{}{}] {:>3.0}% {mbs:.0} MB/s",
        "#".repeat(filled),
        " ".repeat(30 - filled),
        frac * 100.0
    );
    let _ = std::io::stderr().flush();
}

pub fn run(args: Args) -> anyhow::Result<bool> {
    let dir = args.dir.canonicalize().with_context(|| format!("no such folder {}", args.dir.display()))?;
    let state_path = dir.join(STATE_FILE);
    let mut state = load_state(&state_path);
    let client = Client {
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(3600)))
            .build()
            .into(),
        server: args.server.trim_end_matches('/').to_string(),
        bearer: format!("Bearer {}", args.token),
    };
    let all = files(&dir)?;
    let (mut stored, mut already, mut not_media, mut resumed, mut failed, mut bytes) = (0, 0, 0, 0, 0, 0u64);
    let started = Instant::now();
    let chunk_size = (args.chunk_mib.max(1) << 20) as usize;
    for (i, path) in all.iter().enumerate() {
        let rel = path.strip_prefix(&dir).unwrap_or(path).to_string_lossy().to_string();
        let mut f = std::fs::File::open(path)?;
        let size = f.metadata()?.len();
        let mut head = [0u8; 12];
        let n = f.read(&mut head)?;
        if !looks_like_media(&head[..n]) {
            eprintln!("[{}/{}] {rel}：不是音频、视频或照片，跳过", i + 1, all.len());
            not_media += 1;
            continue;
        }
        let sha256 = sha256_of(path)?;
        if client.already_stored(&sha256)? {
            eprintln!("[{}/{}] {rel}：已存储（{}…），跳过", i + 1, all.len(), &sha256[..12]);
            state.remove(&rel);
            already += 1;
            continue;
        }
        let (location, mut offset) = match state.get(&rel).map(|l| client.offset(l).map(|o| (l.clone(), o))) {
            Some(Ok((l, Some(o)))) => {
                resumed += 1;
                (l, o)
            }
            _ => {
                let l = client.create(size, &metadata(&args, &rel, path)?)?;
                state.insert(rel.clone(), l.clone());
                save_state(&state_path, &state)?;
                (l, 0)
            }
        };
        let t = Instant::now();
        let mut buf = vec![0u8; chunk_size];
        let mut recording = None;
        let outcome = (|| -> anyhow::Result<()> {
            while offset < size {
                f.seek(SeekFrom::Start(offset))?;
                let want = chunk_size.min(usize::try_from(size - offset)?);
                f.read_exact(&mut buf[..want])?;
                let (next, done) = client.patch(&location, offset, &buf[..want])?;
                bytes += next - offset;
                offset = next;
                recording = done.or(recording.take());
                progress(i + 1, all.len(), &rel, offset, size, t);
            }
            Ok(())
        })();
        eprintln!();
        match (outcome, recording) {
            (Ok(()), Some(id)) if client.stored_sha256(&id)? != sha256 => {
                eprintln!("    服务器存储的 SHA-256 与本地文件不符：{id}");
                failed += 1;
            }
            (Ok(()), Some(id)) => {
                eprintln!("    已存储为音像记录 {id}（SHA-256 {}…）", &sha256[..12]);
                state.remove(&rel);
                save_state(&state_path, &state)?;
                stored += 1;
            }
            (Ok(()), None) => {
                eprintln!("    服务器未确认存储，重新运行将续传");
                failed += 1;
            }
            (Err(e), _) => {
                eprintln!("    中断：{e}；重新运行将从已收到的位置续传");
                failed += 1;
            }
        }
    }
    if state.is_empty() {
        let _ = std::fs::remove_file(&state_path);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({
            "files": all.len(), "stored": stored, "already_stored": already, "not_media": not_media,
            "resumed": resumed, "failed": failed, "bytes_sent": bytes, "seconds": (secs * 1000.0).round() / 1000.0,
        })
    );
    Ok(failed == 0)
}
