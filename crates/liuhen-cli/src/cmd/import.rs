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
use liuhen_server::app::recordings::{METADATA_KEYS, is_iso_bmff, looks_like_media, mp4_times};
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
    /// Files sent at once (one's hashing and sending overlap another's storing; three were
    /// fastest on a two-core machine, see `liuhen bench import`).
    #[arg(long, default_value_t = 3)]
    parallel: usize,
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
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path)?.read(&mut head)?;
    let times = match mp4_times(&mut std::fs::File::open(path)?) {
        Some(t) => Some(t),
        None if !is_iso_bmff(&head[..n]) => liuhen_server::app::media::ffprobe_times(path),
        None => None,
    };
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

/// The import's progress on one line of stderr: files done, bytes sent, the rate.
fn progress(files_done: usize, n: usize, sent: u64, total: u64, started: Instant) {
    let frac = if total == 0 { 1.0 } else { (sent as f64 / total as f64).min(1.0) };
    let filled = (frac * 30.0).round() as usize;
    let mbs = sent as f64 / 1e6 / started.elapsed().as_secs_f64().max(1e-3);
    eprint!(
        "\r[{files_done}/{n}] [{}{}] {:>3.0}% {mbs:.0} MB/s ",
        "#".repeat(filled),
        " ".repeat(30 - filled),
        frac * 100.0
    );
    let _ = std::io::stderr().flush();
}

/// What became of the files.
#[derive(Default)]
struct Tally {
    stored: usize,
    already: usize,
    not_media: usize,
    resumed: usize,
    failed: usize,
    bytes: u64,
    done: usize,
}

/// What the workers share: the files left, the uploads under way (saved to the state file),
/// the tally.
struct Shared {
    todo: std::sync::Mutex<std::collections::VecDeque<PathBuf>>,
    state: std::sync::Mutex<BTreeMap<String, String>>,
    tally: std::sync::Mutex<Tally>,
    sent: std::sync::atomic::AtomicU64,
    /// Files and bytes in all, and when the import began (for the progress line).
    files: usize,
    total: u64,
    started: Instant,
}

impl Shared {
    fn save(&self, path: &Path, change: impl FnOnce(&mut BTreeMap<String, String>)) -> anyhow::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut state);
        save_state(path, &state)
    }

    fn count(&self, f: impl FnOnce(&mut Tally)) {
        f(&mut self.tally.lock().unwrap_or_else(|e| e.into_inner()));
    }

    fn show(&self) {
        let done = self.tally.lock().unwrap_or_else(|e| e.into_inner()).done;
        progress(done, self.files, self.sent.load(std::sync::atomic::Ordering::Relaxed), self.total, self.started);
    }
}

/// One file through the server; each outcome is counted, and said on its own line.
fn import_one(
    args: &Args,
    client: &Client,
    dir: &Path,
    state_path: &Path,
    shared: &Shared,
    path: &Path,
) -> anyhow::Result<()> {
    use std::sync::atomic::Ordering;
    let rel = path.strip_prefix(dir).unwrap_or(path).to_string_lossy().to_string();
    let mut f = std::fs::File::open(path)?;
    let size = f.metadata()?.len();
    let mut head = [0u8; 12];
    let n = f.read(&mut head)?;
    if !looks_like_media(&head[..n]) {
        eprintln!("\r{rel}：不是音频、视频或照片，跳过");
        shared.count(|t| t.not_media += 1);
        return Ok(());
    }
    // A file that fits in one request is read once: hashed and sent from the same buffer.
    let chunk_size = (args.chunk_mib.max(1) << 20) as usize;
    let whole = if size <= chunk_size as u64 { Some(std::fs::read(path)?) } else { None };
    let sha256 = match &whole {
        Some(bytes) => hex_lower(&sha2::Sha256::digest(bytes)),
        None => sha256_of(path)?,
    };
    if client.already_stored(&sha256)? {
        eprintln!("\r{rel}：已存储（{}…），跳过", &sha256[..12]);
        shared.save(state_path, |s| {
            s.remove(&rel);
        })?;
        shared.count(|t| t.already += 1);
        return Ok(());
    }
    let known = shared.state.lock().unwrap_or_else(|e| e.into_inner()).get(&rel).cloned();
    let (location, mut offset) = match known.map(|l| client.offset(&l).map(|o| (l, o))) {
        Some(Ok((l, Some(o)))) => {
            shared.count(|t| t.resumed += 1);
            (l, o)
        }
        _ => {
            let l = client.create(size, &metadata(args, &rel, path)?)?;
            shared.save(state_path, |s| {
                s.insert(rel.clone(), l.clone());
            })?;
            (l, 0)
        }
    };
    let mut buf = if whole.is_some() {
        Vec::new()
    } else {
        vec![0u8; chunk_size.min(usize::try_from(size - offset.min(size)).unwrap_or(chunk_size)).max(1)]
    };
    let mut recording = None;
    let mut retries = 0;
    let outcome = (|| -> anyhow::Result<()> {
        while offset < size {
            let bytes: &[u8] = match &whole {
                Some(w) => w
                    .get(usize::try_from(offset)?..usize::try_from(size)?)
                    .context("the file changed while it was read")?,
                None => {
                    f.seek(SeekFrom::Start(offset))?;
                    let want = buf.len().min(usize::try_from(size - offset)?);
                    f.read_exact(&mut buf[..want])?;
                    &buf[..want]
                }
            };
            let (next, done) = match client.patch(&location, offset, bytes) {
                Ok(r) => r,
                // A dropped connection or a busy upload: ask the server where it is, go on from
                // there (what it acknowledged is on its disk), a few times at most.
                Err(e) if retries < 3 => {
                    retries += 1;
                    std::thread::sleep(Duration::from_millis(200 * retries));
                    match client.offset(&location) {
                        Ok(Some(o)) => {
                            offset = o;
                            continue;
                        }
                        _ => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            };
            shared.sent.fetch_add(next.saturating_sub(offset), Ordering::Relaxed);
            shared.count(|t| t.bytes += next.saturating_sub(offset));
            shared.show();
            offset = next;
            recording = done.or(recording.take());
        }
        Ok(())
    })();
    match (outcome, recording) {
        (Ok(()), Some(id)) if client.stored_sha256(&id)? != sha256 => {
            eprintln!("\r{rel}：服务器存储的 SHA-256 与本地文件不符：{id}");
            shared.count(|t| t.failed += 1);
        }
        (Ok(()), Some(id)) => {
            eprintln!("\r{rel}：已存储为音像记录 {id}（SHA-256 {}…）", &sha256[..12]);
            shared.save(state_path, |s| {
                s.remove(&rel);
            })?;
            shared.count(|t| t.stored += 1);
        }
        (Ok(()), None) => {
            eprintln!("\r{rel}：服务器未确认存储，重新运行将续传");
            shared.count(|t| t.failed += 1);
        }
        (Err(e), _) => {
            eprintln!("\r{rel}：中断：{e}；重新运行将从已收到的位置续传");
            shared.count(|t| t.failed += 1);
        }
    }
    Ok(())
}

pub fn run(args: Args) -> anyhow::Result<bool> {
    let dir = args.dir.canonicalize().with_context(|| format!("no such folder {}", args.dir.display()))?;
    let state_path = dir.join(STATE_FILE);
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
    let total: u64 = all.iter().filter_map(|p| p.metadata().ok()).map(|m| m.len()).sum();
    let shared = Shared {
        todo: std::sync::Mutex::new(all.iter().cloned().collect()),
        state: std::sync::Mutex::new(load_state(&state_path)),
        tally: std::sync::Mutex::new(Tally::default()),
        sent: std::sync::atomic::AtomicU64::new(0),
        files: all.len(),
        total,
        started: Instant::now(),
    };
    let started = shared.started;
    std::thread::scope(|s| {
        for _ in 0..args.parallel.clamp(1, 8) {
            s.spawn(|| {
                loop {
                    let next = shared.todo.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                    let Some(path) = next else { return };
                    let outcome = import_one(&args, &client, &dir, &state_path, &shared, &path);
                    shared.count(|t| t.done += 1);
                    shared.show();
                    if let Err(e) = outcome {
                        // This file failed (said on its line); the others go on.
                        eprintln!("\r{}：{e:#}", path.strip_prefix(&dir).unwrap_or(&path).display());
                        shared.count(|t| t.failed += 1);
                    }
                }
            });
        }
    });
    eprintln!();
    if shared.state.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
        let _ = std::fs::remove_file(&state_path);
    }
    let t = shared.tally.into_inner().unwrap_or_else(|e| e.into_inner());
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({
            "files": all.len(), "stored": t.stored, "already_stored": t.already, "not_media": t.not_media,
            "resumed": t.resumed, "failed": t.failed, "bytes_sent": t.bytes, "seconds": (secs * 1000.0).round() / 1000.0,
        })
    );
    Ok(t.failed == 0)
}
