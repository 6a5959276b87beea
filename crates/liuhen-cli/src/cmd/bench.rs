//! `liuhen bench log`: durable append throughput and latency through the real append path,
//! reported beside the limits of the same disk measured in the same run.

use anyhow::Context;
use liuhen_log::EntryDraft;
use liuhen_store::{AppendRequest, Log};
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

#[derive(clap::Subcommand)]
pub enum What {
    /// Append synthetic entries with 1, 8, 64 and 256 concurrent writers.
    Log(LogArgs),
    /// Inclusion proofs for random entries of the whole log, read from the store.
    Proof(ProofArgs),
    /// Full verification of the data directory, and entry hashing against `openssl dgst`.
    Verify(VerifyArgs),
    /// One file uploaded through the HTTP path (tus) to a `liuhen serve` child process, against
    /// a durable copy (`dd conv=fsync`) and `openssl dgst -sha256|-sm3` of the same file.
    Upload(UploadArgs),
    /// `liuhen import` of a folder of files to a `liuhen serve` child process, against the same
    /// references over the same files.
    Import(ImportArgs),
    /// A demo office grown to N cases through the application's commands, then the daily
    /// pages and lists of a 负责人 and an 执法人员 timed against a `liuhen serve` child process.
    Scale(super::scale::ScaleArgs),
    /// A filed case with N MiB of recordings exported as a bag and as DVD images by a
    /// `liuhen export` child process (time, peak RSS), against `dd conv=fsync` of the same bytes.
    Export(super::bench_export::ExportArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// A fresh data directory (created; the files are written inside it).
    #[arg(long)]
    data: PathBuf,
    /// How many files.
    #[arg(long, default_value_t = 100)]
    files: usize,
    /// Each file's size in MiB.
    #[arg(long, default_value_t = 20)]
    size_mib: u64,
    /// Rounds, each on a fresh data directory between two reference runs; the median ratio is
    /// the figure (this shared machine's disk drifts by tens of percent within a minute).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

#[derive(clap::Args)]
pub struct UploadArgs {
    /// A fresh data directory (created; the file and a copy are written inside it).
    #[arg(long)]
    data: PathBuf,
    /// The file's size in MiB.
    #[arg(long, default_value_t = 2048)]
    size_mib: u64,
    /// Bytes per PATCH request, in MiB.
    #[arg(long, default_value_t = 256)]
    chunk_mib: u64,
}

#[derive(clap::Args)]
pub struct ProofArgs {
    /// An existing data directory (fill it with `bench log` first).
    #[arg(long)]
    data: PathBuf,
    /// How many proofs to time.
    #[arg(long, default_value_t = 2000)]
    samples: usize,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// An existing data directory.
    #[arg(long)]
    data: PathBuf,
}

#[derive(clap::Args)]
pub struct LogArgs {
    /// The data directory (created if needed; it stays valid for serve and verify).
    #[arg(long)]
    data: PathBuf,
    /// Seconds per configuration.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Writer counts to run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,8,64,256")]
    writers: Vec<usize>,
}

pub async fn run(what: What) -> anyhow::Result<()> {
    match what {
        What::Log(a) => log(a).await,
        What::Proof(a) => proof(a).await,
        What::Verify(a) => verify(a).await,
        What::Upload(a) => upload(a).await,
        What::Import(a) => import(a).await,
        What::Scale(a) => super::scale::scale(a).await,
        What::Export(a) => super::bench_export::export(a).await,
    }
}

/// The fsync latency of the directory's disk: p50 of 200 writes of 256 bytes each + fsync.
fn fsync_p50_ms(dir: &Path) -> anyhow::Result<f64> {
    let path = dir.join("bench-fsync.tmp");
    let mut f = std::fs::File::create(&path)?;
    let mut lat = Vec::with_capacity(200);
    for _ in 0..200 {
        let t = Instant::now();
        f.write_all(&[0x5a; 256])?;
        f.sync_data()?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    drop(f);
    std::fs::remove_file(&path)?;
    lat.sort_by(f64::total_cmp);
    Ok(lat[lat.len() / 2])
}

fn synthetic(writer: usize, seq: u64) -> EntryDraft {
    let body: Map<String, Value> = match json!({"writer": writer, "seq": seq, "pad": "x".repeat(96)}) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    // The synthetic shape is valid by construction; a failure here is a bug in the bench.
    EntryDraft::new("bench", "bench.append", None, body, vec![], vec![])
        .unwrap_or_else(|e| panic!("synthetic entry is invalid: {e}"))
}

pub(super) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn log(args: LogArgs) -> anyhow::Result<()> {
    let opened = super::open_data_dir(&args.data, None, liuhen_server::LogAccess::Public).await?;
    if let Some(pw) = &opened.admin_password {
        eprintln!("new data directory: administrator admin, one-time password {pw}");
    }
    let store = opened.store.clone();
    let seconds = Duration::from_secs(args.seconds.max(1));
    for &writers in &args.writers {
        let fsync_ms = fsync_p50_ms(&args.data).context("measuring fsync")?;
        let bound_db = args.data.join("bench-bound.db");
        let bound_for = seconds.min(Duration::from_secs(3));
        // The bound is measured right before and right after the run and averaged: these shared
        // disks drift by tens of per cent within seconds, and a single window on one side would
        // tilt the ratio either way.
        let measure = |db: std::path::PathBuf| async move {
            tokio::task::spawn_blocking(move || liuhen_store::sqlite::measure_bound(&db, writers, bound_for))
                .await?
                .context("measuring the SQLite bound")
        };
        let bound_before = measure(bound_db.clone()).await?;
        let stats = store.writer_stats();
        let (c0, e0) = (stats.commits.load(Relaxed), stats.entries.load(Relaxed));
        let deadline = Instant::now() + seconds;
        let start = Instant::now();
        let mut tasks = Vec::with_capacity(writers);
        for w in 0..writers {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut seq = 0u64;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    s.append(AppendRequest::entry(synthetic(w, seq))).await?;
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    seq += 1;
                }
                Ok::<_, liuhen_store::StoreError>(lat)
            }));
        }
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await??);
        }
        let elapsed = start.elapsed().as_secs_f64();
        let bound_after = measure(bound_db).await?;
        let bound = (bound_before + bound_after) / 2.0;
        let commits = stats.commits.load(Relaxed) - c0;
        let avg_batch = (stats.entries.load(Relaxed) - e0) as f64 / commits.max(1) as f64;
        lat.sort_by(f64::total_cmp);
        let entries = lat.len();
        let per_s = entries as f64 / elapsed;
        let line = json!({
            "bench": "log",
            "writers": writers,
            "entries": entries,
            "seconds": (elapsed * 1000.0).round() / 1000.0,
            "entries_per_s": per_s.round(),
            "p50_ms": (percentile(&lat, 0.50) * 1000.0).round() / 1000.0,
            "p99_ms": (percentile(&lat, 0.99) * 1000.0).round() / 1000.0,
            "fsync_ms": (fsync_ms * 1000.0).round() / 1000.0,
            "bound_per_s": bound.round(),
            "bound_before_per_s": bound_before.round(),
            "bound_after_per_s": bound_after.round(),
            "ratio_to_bound": ((per_s / bound) * 1000.0).round() / 1000.0,
            "commits": commits,
            "avg_batch": (avg_batch * 10.0).round() / 10.0,
        });
        println!("{line}");
    }
    store.sign_checkpoint().await.context("signing the final checkpoint")?;
    Ok(())
}

async fn proof(args: ProofArgs) -> anyhow::Result<()> {
    let dir = liuhen_server::datadir::DataDir::new(&args.data);
    let store = liuhen_store::SqliteStore::open_read_only(&dir.db_path()).await.context("opening the database")?;
    let size = store.tree_size();
    anyhow::ensure!(size > 0, "the log is empty");
    let root = store.root_at(size).await?;
    // A fixed-seed xorshift spreads the indexes over the whole log, reproducibly.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut lat = Vec::with_capacity(args.samples);
    for _ in 0..args.samples {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let index = x % size;
        let t = Instant::now();
        let proof = store.inclusion_proof(index, size).await?;
        lat.push(t.elapsed().as_secs_f64() * 1e6);
        let entry = store.entries(index, index + 1).await?;
        liuhen_log::tree::verify_inclusion(index, size, &liuhen_log::leaf_hash(&entry[0]), &proof, &root)
            .map_err(|e| anyhow::anyhow!("proof for entry {index} does not verify: {e}"))?;
    }
    lat.sort_by(f64::total_cmp);
    // The floor: one read of one level-0 tile through the same store.
    let mut reads = Vec::with_capacity(args.samples);
    for _ in 0..args.samples {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let t = Instant::now();
        store.tile(0, (x % size) / 256).await?;
        reads.push(t.elapsed().as_secs_f64() * 1e6);
    }
    reads.sort_by(f64::total_cmp);
    println!(
        "{}",
        json!({
            "bench": "proof",
            "size": size,
            "samples": args.samples,
            "p50_us": percentile(&lat, 0.50).round(),
            "p99_us": percentile(&lat, 0.99).round(),
            "tile_read_p50_us": percentile(&reads, 0.50).round(),
        })
    );
    Ok(())
}

async fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    let dir = liuhen_server::datadir::DataDir::new(&args.data);
    let store = liuhen_store::SqliteStore::open_read_only(&dir.db_path()).await.context("opening the database")?;
    let size = store.tree_size();
    // 1. The whole verification, as `liuhen verify --data` runs it.
    let keys = liuhen_verify::parse_keys(&std::fs::read_to_string(dir.public_keys_path())?)?;
    let fetcher = super::verify::StoreFetcher::new(store.clone(), dir.blobs_dir());
    let t = Instant::now();
    let trust = liuhen_verify::Trust { keys, origin: None, trusted: None, check_blobs: true };
    let report = tokio::task::spawn_blocking(move || liuhen_verify::verify(&fetcher, &trust)).await?;
    let verify_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(report.ok(), "verification failed: {:?}", report.problems.first());
    // 2. Entry hashing alone against `openssl dgst -sha256` over the same bytes.
    let mut all = Vec::new();
    let mut entries = Vec::with_capacity(size as usize);
    let mut start = 0;
    while start < size {
        let end = (start + 4096).min(size);
        for e in store.entries(start, end).await? {
            all.extend_from_slice(&e);
            entries.push(e);
        }
        start = end;
    }
    let t = Instant::now();
    let mut acc = 0u8;
    for e in &entries {
        acc ^= liuhen_log::leaf_hash(e).0[0];
    }
    let hash_s = t.elapsed().as_secs_f64();
    let file = args.data.join("bench-entries.tmp");
    std::fs::write(&file, &all)?;
    let t = Instant::now();
    let out = std::process::Command::new("openssl")
        .arg("dgst")
        .arg("-sha256")
        .arg(&file)
        .output()
        .context("running openssl")?;
    let openssl_s = t.elapsed().as_secs_f64();
    std::fs::remove_file(&file)?;
    anyhow::ensure!(out.status.success(), "openssl failed");
    let mb = all.len() as f64 / 1e6;
    println!(
        "{}",
        json!({
            "bench": "verify",
            "entries": size,
            "bytes": all.len(),
            "verify_s": (verify_s * 1000.0).round() / 1000.0,
            "verify_entries_per_s": (size as f64 / verify_s).round(),
            "leaf_hash_mb_per_s": (mb / hash_s).round(),
            "openssl_dgst_mb_per_s": (mb / openssl_s).round(),
            "hash_ratio_to_openssl": (((mb / hash_s) / (mb / openssl_s)) * 1000.0).round() / 1000.0,
            "checksum": acc,
        })
    );
    Ok(())
}

/// Seconds `cmd` takes to run and the last word of what it printed, or an error if it fails.
fn timed(cmd: &mut std::process::Command) -> anyhow::Result<(f64, String)> {
    let t = Instant::now();
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    anyhow::ensure!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).split_whitespace().last().unwrap_or_default().to_string();
    Ok((t.elapsed().as_secs_f64(), text))
}

/// A process's peak resident memory (`VmHWM`, KiB) from `/proc`.
pub(super) fn peak_rss_kib(pid: u32) -> anyhow::Result<u64> {
    proc_status_kib(pid, "VmHWM")
}

/// A memory figure of a process's `/proc/PID/status` (`VmHWM`, `RssAnon`, `RssFile`…), KiB.
pub(super) fn proc_status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field}"))
}

async fn upload(args: UploadArgs) -> anyhow::Result<()> {
    use std::io::{Read, Seek};
    let size = args.size_mib << 20;
    std::fs::create_dir_all(&args.data)?;
    let password = bench_account(&args.data).await?;
    // The file: incompressible bytes, on disk.
    let src = args.data.join("bench-upload.src");
    write_media(&src, args.size_mib, 0x9e37_79b9_7f4a_7c15)?;
    // The references, on the same file in the same run.
    let copy = args.data.join("bench-upload.copy");
    let (dd_s, _) = timed(
        std::process::Command::new("dd")
            .arg(format!("if={}", src.display()))
            .arg(format!("of={}", copy.display()))
            .args(["bs=8M", "conv=fsync", "status=none"]),
    )?;
    std::fs::remove_file(&copy)?;
    let (sha_s, sha_openssl) = timed(std::process::Command::new("openssl").args(["dgst", "-sha256"]).arg(&src))?;
    let (sm3_s, sm3_openssl) = timed(std::process::Command::new("openssl").args(["dgst", "-sm3"]).arg(&src))?;
    // The server, a process of its own.
    let (mut server, base) = start_server(&args.data)?;
    let pid = server.id();
    let base_rss = peak_rss_kib(pid)?;
    let file_path = src.clone();
    let result = tokio::task::spawn_blocking(move || -> anyhow::Result<(f64, f64, String, String)> {
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).timeout_global(None).build().into();
        let bearer = format!("Bearer {}", sign_in(&agent, &base, &format!("bench{}", std::process::id()), &password)?);
        let t = Instant::now();
        let r = agent
            .post(format!("{base}/api/uploads"))
            .header("authorization", &bearer)
            .header("tus-resumable", "1.0.0")
            .header("upload-length", size.to_string())
            .header("upload-metadata", "filename YmVuY2gubXA0")
            .send_empty()?;
        anyhow::ensure!(r.status() == 201, "create: {}", r.status());
        let location = r.headers().get("location").and_then(|v| v.to_str().ok()).context("no location")?.to_string();
        let mut file = std::fs::File::open(&file_path)?;
        let mut offset = 0u64;
        let mut recording = String::new();
        while offset < size {
            let n = (args.chunk_mib << 20).min(size - offset);
            file.seek(std::io::SeekFrom::Start(offset))?;
            let mut part = (&mut file).take(n);
            let r = agent
                .patch(format!("{base}{location}"))
                .header("authorization", &bearer)
                .header("tus-resumable", "1.0.0")
                .header("content-type", "application/offset+octet-stream")
                .header("upload-offset", offset.to_string())
                .send(ureq::SendBody::from_reader(&mut part))?;
            anyhow::ensure!(r.status() == 204, "patch at {offset}: {}", r.status());
            offset = r.headers().get("upload-offset").and_then(|v| v.to_str().ok()).context("no offset")?.parse()?;
            if let Some(id) = r.headers().get("liuhen-recording").and_then(|v| v.to_str().ok()) {
                recording = id.to_string();
            }
        }
        let upload_s = t.elapsed().as_secs_f64();
        anyhow::ensure!(!recording.is_empty(), "the upload did not become a recording");
        // SM3 follows on its own thread: until its entry is in.
        let t = Instant::now();
        let (sha256, sm3) = loop {
            let mut r =
                agent.get(format!("{base}/api/recordings/{recording}")).header("authorization", &bearer).call()?;
            let v: Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
            if let Some(s) = v["sm3"].as_str() {
                break (v["sha256"].as_str().unwrap_or_default().to_string(), s.to_string());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Ok((upload_s, t.elapsed().as_secs_f64(), sha256, sm3))
    })
    .await?;
    let peak_rss = peak_rss_kib(pid)?;
    stop(&mut server);
    let (upload_s, sm3_after_s, sha256, sm3) = result?;
    anyhow::ensure!(sha256 == sha_openssl, "SHA-256 {sha256} differs from openssl's {sha_openssl}");
    anyhow::ensure!(sm3 == sm3_openssl, "SM3 {sm3} differs from openssl's {sm3_openssl}");
    let mb = size as f64 / 1e6;
    let (upload, dd, sha, sm3_ref) = (mb / upload_s, mb / dd_s, mb / sha_s, mb / sm3_s);
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    println!(
        "{}",
        json!({
            "bench": "upload",
            "bytes": size,
            "chunk_mib": args.chunk_mib,
            "upload_mb_per_s": upload.round(),
            "dd_fsync_mb_per_s": dd.round(),
            "openssl_sha256_mb_per_s": sha.round(),
            "upload_ratio_to_slower_reference": round(upload / dd.min(sha)),
            "sm3_after_ack_s": round(sm3_after_s),
            "sm3_mb_per_s_after_ack": (mb / sm3_after_s).round(),
            "sm3_ratio_to_openssl": round((mb / sm3_after_s) / sm3_ref),
            "digests_match_openssl": true,
            "openssl_sm3_mb_per_s": sm3_ref.round(),
            "server_peak_rss_mib": round(peak_rss as f64 / 1024.0),
            "server_rss_at_start_mib": round(base_rss as f64 / 1024.0),
            "sha256": sha256,
            "sm3": sm3,
        })
    );
    std::fs::remove_file(&src)?;
    Ok(())
}

/// The account a bench's client signs in with (`bench<pid>`, an officer), made before the
/// server starts; its password.
async fn bench_account(data: &Path) -> anyhow::Result<String> {
    let password = format!("bench-password-{}", std::process::id());
    let opened = super::open_data_dir(data, None, liuhen_server::LogAccess::Public).await?;
    let user = liuhen_server::app::auth::NewUser {
        username: format!("bench{}", std::process::id()),
        roles: "officer".to_string(),
        password: password.clone(),
        must_change_password: false,
        officer_id: String::new(),
        unit: String::new(),
        name: String::new(),
    };
    opened.state.app.add_user(None, user).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(password)
}

/// `mib` MiB of incompressible bytes from `seed` that start like an MP4, on disk.
fn write_media(path: &Path, mib: u64, seed: u64) -> anyhow::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut x = seed | 1;
    let mut block = vec![0u8; 1 << 20];
    for i in 0..mib {
        for b in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes()[..b.len()]);
        }
        if i == 0 {
            // An MP4's first box: the server takes only media.
            block[..24].copy_from_slice(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom");
        }
        f.write_all(&block)?;
    }
    f.into_inner()?.sync_all()?;
    Ok(())
}

/// `liuhen serve` on `data` as a child process, and where it listens.
pub(super) fn start_server(data: &Path) -> anyhow::Result<(std::process::Child, String)> {
    use std::io::BufRead;
    let mut server = std::process::Command::new(std::env::current_exe()?)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("starting liuhen serve")?;
    let mut lines = std::io::BufReader::new(server.stdout.take().context("no stdout")?).lines();
    let mut base = String::new();
    for line in lines.by_ref() {
        let line = line?;
        if let Some(rest) = line.split("http://").nth(1) {
            base = format!("http://{}", rest.trim().trim_end_matches('/'));
        }
        if line.starts_with("就绪") {
            break;
        }
    }
    anyhow::ensure!(!base.is_empty(), "the server did not say where it listens");
    std::thread::spawn(move || for _ in lines {});
    Ok((server, base))
}

/// Stops the server gracefully: it signs a last checkpoint over what the bench stored.
pub(super) fn stop(server: &mut std::process::Child) {
    let _ = std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let _ = server.wait();
}

/// Signs `username` in; its token.
pub(super) fn sign_in(agent: &ureq::Agent, base: &str, username: &str, password: &str) -> anyhow::Result<String> {
    let login = json!({"username": username, "password": password});
    let mut r = agent
        .post(format!("{base}/api/session"))
        .header("content-type", "application/json")
        .send(login.to_string().as_bytes())?;
    let session: Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
    Ok(session["token"].as_str().context("no token")?.to_string())
}

/// `liuhen import` of `files` files through a server child process, against `dd conv=fsync` of
/// each file (before and after the import) and one `openssl dgst -sha256` over them all, in the
/// same round; a round ends when every SM3 follow-up is logged, so the reference after it runs
/// on a quiet machine.
async fn import(args: ImportArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.data)?;
    let folder = args.data.join("bench-import");
    std::fs::create_dir_all(&folder)?;
    let mut paths = Vec::new();
    for i in 0..args.files {
        let p = folder.join(format!("DSJ{i:04}.mp4"));
        write_media(&p, args.size_mib, 0x5851_f42d_4c95_7f2d ^ ((i as u64 + 1) * 0x9e37_79b9))?;
        paths.push(p);
    }
    let total = args.files as u64 * (args.size_mib << 20);
    let mb = total as f64 / 1e6;
    let copy = args.data.join("bench-import.copy");
    let dd_all = || -> anyhow::Result<f64> {
        let mut s = 0.0;
        for p in &paths {
            s += timed(
                std::process::Command::new("dd")
                    .arg(format!("if={}", p.display()))
                    .arg(format!("of={}", copy.display()))
                    .args(["bs=8M", "conv=fsync", "status=none"]),
            )?
            .0;
        }
        std::fs::remove_file(&copy)?;
        Ok(s)
    };
    let mut rounds = Vec::new();
    for round in 0..args.rounds.max(1) {
        let data = args.data.join(format!("round{round}"));
        let password = bench_account(&data).await?;
        let dd_before = dd_all()?;
        let (sha_s, _) = timed(std::process::Command::new("openssl").args(["dgst", "-sha256"]).args(&paths))?;
        let (mut server, base) = start_server(&data)?;
        let pid = server.id();
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let token = sign_in(&agent, &base, &format!("bench{}", std::process::id()), &password)?;
        let t = Instant::now();
        let out = std::process::Command::new(std::env::current_exe()?)
            .args(["import", "--server", &base, "--token", &token, "--chunk-mib", "64"])
            .arg(&folder)
            .output()
            .context("running liuhen import")?;
        let import_s = t.elapsed().as_secs_f64();
        anyhow::ensure!(
            out.status.success(),
            "import failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
                .replace('\r', "\n")
                .lines()
                .filter(|l| !l.starts_with('['))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let summary: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or("{}"))?;
        anyhow::ensure!(summary["stored"] == args.files, "not every file was stored: {summary}");
        let sm3_s = wait_for_sm3(&agent, &base, &token, args.files)?;
        let peak_rss = peak_rss_kib(pid)?;
        stop(&mut server);
        let dd_after = dd_all()?;
        std::fs::remove_dir_all(&data)?;
        let dd_s = (dd_before + dd_after) / 2.0;
        let (rate, dd, sha) = (mb / import_s, mb / dd_s, mb / sha_s);
        rounds.push(json!({
            "import_mb_per_s": rate.round(),
            "dd_fsync_mb_per_s_before_after": [(mb / dd_before).round(), (mb / dd_after).round()],
            "openssl_sha256_mb_per_s": sha.round(),
            "ratio": ((rate / dd.min(sha)) * 1000.0).round() / 1000.0,
            "sm3_all_logged_s_after_import": (sm3_s * 10.0).round() / 10.0,
            "server_peak_rss_mib": ((peak_rss as f64 / 1024.0) * 10.0).round() / 10.0,
        }));
    }
    std::fs::remove_dir_all(&folder)?;
    let mut ratios: Vec<f64> = rounds.iter().filter_map(|r| r["ratio"].as_f64()).collect();
    ratios.sort_by(f64::total_cmp);
    let peak = rounds.iter().filter_map(|r| r["server_peak_rss_mib"].as_f64()).fold(0.0, f64::max);
    println!(
        "{}",
        json!({
            "bench": "import",
            "files": args.files,
            "bytes": total,
            "import_ratio_to_slower_reference": ratios[ratios.len() / 2],
            "server_peak_rss_mib": peak,
            "rounds": rounds,
        })
    );
    Ok(())
}

/// Seconds until `n` recordings carry their SM3 (each logged in its own follow-up entry).
fn wait_for_sm3(agent: &ureq::Agent, base: &str, token: &str, n: usize) -> anyhow::Result<f64> {
    let t = Instant::now();
    loop {
        let mut r = agent
            .get(format!("{base}/api/recordings?limit=500"))
            .header("authorization", &format!("Bearer {token}"))
            .call()?;
        let list: Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
        let done =
            list["recordings"].as_array().map(|a| a.iter().filter(|r| r["sm3"].is_string()).count()).unwrap_or(0);
        if done >= n.min(500) {
            return Ok(t.elapsed().as_secs_f64());
        }
        anyhow::ensure!(t.elapsed() < Duration::from_secs(600), "SM3 of {done}/{n} recordings after 10 minutes");
        std::thread::sleep(Duration::from_millis(200));
    }
}
