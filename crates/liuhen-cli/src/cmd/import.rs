//! `liuhen import DIR`: the 音像记录 files of a camera's storage or a 采集工作站 folder sent to a
//! server over the same resumable upload (tus) a browser uses. Idempotent: a file whose SHA-256
//! the server already holds is skipped — asked first by its fingerprint (size, first and last
//! 64 KiB), and hashed whole only when some recording has that fingerprint, so a new file is
//! read once, straight from the file into the request. At the end the server's fingerprint of
//! what it stored must be the file's (and its SHA-256 the file's, when that was computed); with
//! `--crc32` every request also carries its CRC-32, which the server compares before it keeps
//! anything (for plain HTTP over a network you do not trust: TLS already guards what it carries).
//! Resumable: the uploads under way are kept in
//! `DIR/.liuhen-import.json`, and a rerun continues each from the offset the server reports.
//! What a file says of itself (its creation time and duration: an MP4's `mvhd`, or ffprobe's
//! reading of any other container when ffprobe is installed) and a sidecar `<file>.json`
//! (device, officers, case, place…) become its metadata.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use liuhen_server::app::recordings::{METADATA_KEYS, fingerprint, is_iso_bmff, looks_like_media, mp4_times};
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
    /// Send each request's CRC-32 (tus checksum), for the server to compare before it keeps
    /// the bytes: for plain HTTP over networks you do not trust.
    #[arg(long)]
    crc32: bool,
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

/// The SHA-256 of `f`'s `size` bytes, read through `buf`; whether `buf` now holds them all.
fn sha256_of(f: &mut std::fs::File, size: u64, buf: &mut Vec<u8>, chunk: usize) -> anyhow::Result<(String, bool)> {
    let mut h = sha2::Sha256::new();
    f.seek(SeekFrom::Start(0))?;
    if size <= chunk as u64 {
        buf.resize(usize::try_from(size)?, 0);
        f.read_exact(buf)?;
        h.update(&buf[..]);
        return Ok((hex_lower(&h.finalize()), true));
    }
    buf.resize(chunk, 0);
    loop {
        let n = f.read(buf)?;
        if n == 0 {
            return Ok((hex_lower(&h.finalize()), false));
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
    /// The SHA-256s of the recordings whose file has this fingerprint.
    fn stored_with(&self, fingerprint: &str) -> anyhow::Result<Vec<String>> {
        let mut r = self
            .agent
            .get(format!("{}/api/recordings?fingerprint={fingerprint}", self.server))
            .header("authorization", &self.bearer)
            .call()?;
        anyhow::ensure!(r.status() == 200, "asking for {fingerprint}: {}", r.status());
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
        Ok(v["recordings"]
            .as_array()
            .map(|a| a.iter().filter_map(|r| r["sha256"].as_str().map(str::to_string)).collect())
            .unwrap_or_default())
    }

    /// The SHA-256 and the fingerprint of what the server stored as recording `id`.
    fn stored(&self, id: &str) -> anyhow::Result<(String, String)> {
        let mut r = self
            .agent
            .get(format!("{}/api/recordings/{id}", self.server))
            .header("authorization", &self.bearer)
            .call()?;
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        Ok((text("sha256"), text("fingerprint")))
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

    /// Sends `len` bytes of `body` at `offset` (with their CRC-32 when given); the new offset,
    /// and the recording once done.
    fn patch(
        &self,
        location: &str,
        offset: u64,
        len: u64,
        crc: Option<u32>,
        body: ureq::SendBody,
    ) -> anyhow::Result<(u64, Option<String>)> {
        let mut req = self
            .agent
            .patch(format!("{}{location}", self.server))
            .header("authorization", &self.bearer)
            .header("tus-resumable", "1.0.0")
            .header("content-type", "application/offset+octet-stream")
            .header("content-length", len.to_string())
            .header("upload-offset", offset.to_string());
        if let Some(c) = crc {
            req = req.header("upload-checksum", format!("crc32 {}", STANDARD.encode(c.to_be_bytes())));
        }
        let mut r = req.send(body)?;
        anyhow::ensure!(
            r.status() == 204,
            "sending at {offset}: {}",
            r.body_mut().read_to_string().unwrap_or_default()
        );
        let next = r.headers().get("upload-offset").and_then(|v| v.to_str().ok()).context("no offset")?.parse()?;
        Ok((next, r.headers().get("liuhen-recording").and_then(|v| v.to_str().ok()).map(str::to_string)))
    }
}

/// Fills `buf` from `f`, with the CRC-32 of what was read, computed a MiB at a time while it is
/// still in the processor's cache.
fn read_with_crc(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<u32> {
    let mut crc = crc32fast::Hasher::new();
    for part in buf.chunks_mut(1 << 20) {
        f.read_exact(part)?;
        crc.update(part);
    }
    Ok(crc.finalize())
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
    /// Files hashed whole before sending (their fingerprint matched a recording's).
    hashed: usize,
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

/// One file through the server, read through `buf` (a worker's, reused from file to file);
/// each outcome is counted, and said on its own line.
fn import_one(
    args: &Args,
    client: &Client,
    dir: &Path,
    state_path: &Path,
    shared: &Shared,
    path: &Path,
    buf: &mut Vec<u8>,
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
    let chunk_size = usize::try_from(args.chunk_mib.max(1) << 20)?;
    // Hashed whole only when the server holds a file of the same fingerprint.
    let print = fingerprint(&mut f, size)?;
    let candidates = client.stored_with(&print)?;
    let mut sha256 = None;
    // What `buf` holds: the file's first `held` bytes.
    let mut held = 0u64;
    if !candidates.is_empty() {
        let (sha, whole) = sha256_of(&mut f, size, buf, chunk_size)?;
        shared.count(|t| t.hashed += 1);
        if candidates.contains(&sha) {
            eprintln!("\r{rel}：已存储（{}…），跳过", &sha[..12]);
            shared.save(state_path, |s| {
                s.remove(&rel);
            })?;
            shared.count(|t| t.already += 1);
            return Ok(());
        }
        held = if whole { size } else { 0 };
        sha256 = Some(sha);
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
    let mut recording = None;
    let mut retries = 0;
    let outcome = (|| -> anyhow::Result<()> {
        while offset < size {
            let want = usize::try_from((size - offset).min(chunk_size as u64))?;
            let end = offset + want as u64;
            let len = want as u64;
            let sent = if end <= held {
                // Already read (to be hashed): sent from memory.
                let bytes = &buf[usize::try_from(offset)?..usize::try_from(end)?];
                let crc = args.crc32.then(|| crc32fast::hash(bytes));
                client.patch(&location, offset, len, crc, ureq::SendBody::from_reader(&mut &bytes[..]))
            } else if args.crc32 {
                buf.resize(want.max(buf.len()), 0);
                f.seek(SeekFrom::Start(offset))?;
                let crc = read_with_crc(&mut f, &mut buf[..want])?;
                held = 0;
                client.patch(&location, offset, len, Some(crc), ureq::SendBody::from_reader(&mut &buf[..want]))
            } else {
                // Straight from the file into the request's buffer: no copy of our own.
                f.seek(SeekFrom::Start(offset))?;
                let mut part = (&mut f).take(len);
                client.patch(&location, offset, len, None, ureq::SendBody::from_reader(&mut part))
            };
            let (next, done) = match sent {
                Ok(r) => r,
                // A dropped connection, a busy upload or a request damaged on its way: ask the
                // server where it is, go on from there (what it acknowledged is on its disk), a
                // few times at most.
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
        (Ok(()), Some(id)) => {
            let (stored, stored_print) = client.stored(&id)?;
            if stored_print != print || sha256.as_ref().is_some_and(|s| *s != stored) {
                eprintln!("\r{rel}：服务器存储的文件与本地文件不符：{id}");
                shared.count(|t| t.failed += 1);
            } else {
                eprintln!("\r{rel}：已存储为音像记录 {id}（SHA-256 {}…）", stored.get(..12).unwrap_or_default());
                shared.save(state_path, |s| {
                    s.remove(&rel);
                })?;
                shared.count(|t| t.stored += 1);
            }
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
                let mut buf = Vec::new();
                loop {
                    let next = shared.todo.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                    let Some(path) = next else { return };
                    let outcome = import_one(&args, &client, &dir, &state_path, &shared, &path, &mut buf);
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
            "resumed": t.resumed, "failed": t.failed, "hashed": t.hashed, "bytes_sent": t.bytes, "seconds": (secs * 1000.0).round() / 1000.0,
        })
    );
    Ok(t.failed == 0)
}
