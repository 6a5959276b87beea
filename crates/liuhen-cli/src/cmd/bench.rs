//! `liuhen bench log`: durable append throughput and latency through the real append path,
//! reported beside the limits of the same disk measured in the same run.

use anyhow::Context;
use liuhen_log::EntryDraft;
use liuhen_store::{AppendRequest, LogStore};
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

fn percentile(sorted: &[f64], p: f64) -> f64 {
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
