//! `liuhen bench export`: a filed case with N MiB of recordings exported as a bag, then as a bag
//! and DVD images, by a `liuhen export` child process — its wall time and peak RSS — against a
//! durable copy of the same bytes (`dd conv=fsync`) in the same run.

use anyhow::Context;
use futures::StreamExt as _;
use serde_json::json;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct ExportArgs {
    /// A fresh data directory (created; the bags and images are written inside it).
    #[arg(long)]
    data: PathBuf,
    /// The recordings' total size in MiB (the figure: 4096).
    #[arg(long, default_value_t = 4096)]
    mib: u64,
    /// How many recordings share it.
    #[arg(long, default_value_t = 4)]
    files: u64,
}

/// An MP4's header (`ftyp`, `moov/mvhd`) announcing an `mdat` of `pad` bytes.
fn mp4_head(pad: u64) -> Vec<u8> {
    let mut mvhd = 108u32.to_be_bytes().to_vec();
    mvhd.extend_from_slice(b"mvhd\0\0\0\0");
    for v in [3_880_000_000u32, 3_880_000_000, 1000, 600_000] {
        mvhd.extend_from_slice(&v.to_be_bytes());
    }
    mvhd.resize(108, 0);
    let mut out = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    out.extend_from_slice(&116u32.to_be_bytes());
    out.extend_from_slice(b"moov");
    out.extend_from_slice(&mvhd);
    // A 64-bit mdat size (`size` 1, then the large size).
    out.extend_from_slice(&1u32.to_be_bytes());
    out.extend_from_slice(b"mdat");
    out.extend_from_slice(&(16 + pad).to_be_bytes());
    out
}

/// Runs `liuhen export` as a child with `password` on standard input: (seconds, peak RSS KiB).
fn export_child(args: &[&str], password: &str) -> anyhow::Result<(f64, u64)> {
    let t = Instant::now();
    let mut child = std::process::Command::new(std::env::current_exe()?)
        .args(args)
        .env("LIUHEN_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    child.stdin.take().context("stdin")?.write_all(format!("{password}\n").as_bytes())?;
    let pid = child.id();
    let mut peak = 0;
    loop {
        if let Ok(kib) = super::bench::peak_rss_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait()? {
            let out = child.wait_with_output()?;
            anyhow::ensure!(
                status.success(),
                "export failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            return Ok((t.elapsed().as_secs_f64(), peak));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub async fn export(args: ExportArgs) -> anyhow::Result<()> {
    anyhow::ensure!(!args.data.exists(), "{} exists: give a fresh directory", args.data.display());
    let dir = args.data.join("data");
    let opened = super::open_data_dir(&dir, None, liuhen_server::LogAccess::Public).await?;
    let app = &opened.state.app;
    let err = |e: liuhen_server::app::AppError| anyhow::anyhow!("{}", e.message());
    let user = |name: &str| {
        let store = opened.store.clone();
        let name = name.to_string();
        async move { liuhen_store::ProjectionReads::user_by_username(&store, &name).await.context("a demo account") }
    };
    let admin = user("admin").await?;
    let now = liuhen_core::time::Timestamp(liuhen_server::app::now_ms());
    let password = app.seed_demo(&admin, now).await.map_err(err)?.context("the demo was not seeded")?;
    let (lihua, dangan) = (user("lihua").await?, user("dangan").await?);
    app.change_password(&dangan, &password, "dangan-bench-password", "", None).await.map_err(err)?;
    // The demo's second closed inspection, handed over: N MiB of recordings linked to it, filed.
    let (waiting, _) = app.case_files(&dangan, "handed_over", None, 10).await.map_err(err)?;
    let case = waiting.first().and_then(|f| f["case"].as_str()).context("no file handed over")?.to_string();
    let case_no = waiting[0]["case_no"].as_str().unwrap_or_default().to_string();
    let each = (args.mib << 20) / args.files.max(1);
    for k in 0..args.files.max(1) {
        let head = mp4_head(each);
        let length = head.len() as u64 + each;
        let meta = [("filename", format!("bench-{k}.mp4")), ("case", case.clone())]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b))
            .collect();
        let state = app.create_upload(&lihua, length, meta).await.map_err(err)?;
        // Pseudo-random bytes, 8 MiB a chunk, after the header.
        let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ k;
        let chunks = futures::stream::iter(std::iter::once(head).chain((0..each.div_ceil(8 << 20)).map(move |i| {
            let n = (each - i * (8 << 20)).min(8 << 20) as usize;
            let mut b = vec![0u8; n];
            for w in b.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                w.copy_from_slice(&x.to_le_bytes()[..w.len()]);
            }
            b
        })))
        .map(|b| Ok::<_, std::io::Error>(bytes::Bytes::from(b)));
        let done = app.append_upload(&lihua, &state.id, 0, None, chunks).await.map_err(err)?;
        anyhow::ensure!(done.recording.is_some(), "recording {k} not stored");
    }
    app.file_case(&dangan, &case, None).await.map_err(err)?;
    app.sm3_settled().await;
    drop(opened);
    let recorded: u64 = super::export::tree_size(&dir.join("blobs"));
    // The reference: each blob copied durably with dd.
    let refdir = args.data.join("ref");
    std::fs::create_dir_all(&refdir)?;
    let t = Instant::now();
    let mut blobs = Vec::new();
    let mut stack = vec![dir.join("blobs")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)?.flatten() {
            if e.file_type()?.is_dir() {
                stack.push(e.path());
            } else if e.metadata()?.len() >= each / 2 {
                blobs.push(e.path());
            }
        }
    }
    let mut copied = 0;
    for (i, b) in blobs.iter().enumerate() {
        let st = std::process::Command::new("dd")
            .arg(format!("if={}", b.display()))
            .arg(format!("of={}", refdir.join(i.to_string()).display()))
            .args(["bs=8M", "conv=fsync", "status=none"])
            .status()?;
        anyhow::ensure!(st.success(), "dd failed");
        copied += std::fs::metadata(b)?.len();
    }
    let dd_s = t.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&refdir)?;
    let d = dir.to_str().context("a UTF-8 path")?;
    let bag = args.data.join("bag");
    let common = ["export", "case", &case_no, "--data", d, "--as", "dangan", "--purpose", "bench", "--to", "bench"];
    let mut a: Vec<&str> = common.to_vec();
    let bag_s = bag.to_str().context("path")?.to_string();
    a.extend(["--out", &bag_s]);
    let (bag_time, bag_rss) = export_child(&a, "dangan-bench-password")?;
    let bag_bytes = super::export::tree_size(&bag);
    std::fs::remove_dir_all(&bag)?;
    let discs = args.data.join("discs");
    let discs_s = discs.to_str().context("path")?.to_string();
    let mut a: Vec<&str> = common.to_vec();
    a.extend(["--out", &discs_s, "--iso", "dvd"]);
    let (iso_time, iso_rss) = export_child(&a, "dangan-bench-password")?;
    let iso_bytes = super::export::tree_size(&discs) + super::export::tree_size(&args.data.join("discs-discs"));
    let mb = |b: u64, s: f64| (b as f64 / 1e6 / s * 10.0).round() / 10.0;
    let dd_rate = copied as f64 / 1e6 / dd_s;
    println!(
        "{}",
        json!({
            "bench": "export",
            "recordings_mib": recorded >> 20,
            "dd_fsync_mb_per_s": mb(copied, dd_s),
            "bag": {"s": (bag_time * 100.0).round() / 100.0, "bytes": bag_bytes, "mb_per_s": mb(bag_bytes, bag_time),
                    "ratio_to_dd": ((bag_bytes as f64 / 1e6 / bag_time) / dd_rate * 1000.0).round() / 1000.0,
                    "peak_rss_mib": bag_rss >> 10},
            "bag_and_dvd_images": {"s": (iso_time * 100.0).round() / 100.0, "bytes_written": iso_bytes,
                    "mb_per_s": mb(iso_bytes, iso_time),
                    "ratio_to_dd": ((iso_bytes as f64 / 1e6 / iso_time) / dd_rate * 1000.0).round() / 1000.0,
                    "peak_rss_mib": iso_rss >> 10},
        })
    );
    Ok(())
}
