//! `liuhen bench log`: durable append throughput and latency through the real append path,
//! reported beside the limits of the same disk measured in the same run.

use anyhow::Context;
use liuhen_log::EntryDraft;
use liuhen_store::{AppendRequest, LogStore};
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Subcommand)]
pub enum What {
    /// Append synthetic entries with 1, 8, 64 and 256 concurrent writers.
    Log(LogArgs),
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
    let store = opened.store.clone();
    let seconds = Duration::from_secs(args.seconds.max(1));
    for &writers in &args.writers {
        let fsync_ms = fsync_p50_ms(&args.data).context("measuring fsync")?;
        let bound = liuhen_store::sqlite::measure_bound(
            &args.data.join("bench-bound.db"),
            writers,
            seconds.min(Duration::from_secs(3)),
        )
        .await
        .context("measuring the SQLite bound")?;
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
            "ratio_to_bound": ((per_s / bound) * 1000.0).round() / 1000.0,
        });
        println!("{line}");
    }
    store.sign_checkpoint().await.context("signing the final checkpoint")?;
    Ok(())
}
