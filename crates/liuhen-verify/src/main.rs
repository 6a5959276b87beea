//! `liuhen-verify`: verifies a liuhen log over HTTP or from a directory, with pinned keys.

use anyhow::{Context, bail};
use clap::Parser;
use liuhen_verify::{DirFetcher, Fetcher, HttpFetcher, Trust, parse_keys, verify};
use std::path::PathBuf;
use std::process::ExitCode;

/// Verify a liuhen log: re-hash every entry, recompute every tile and the root, check the
/// checkpoint signatures and consistency with the last trusted checkpoint.
#[derive(Parser)]
#[command(name = "liuhen-verify", version)]
struct Args {
    /// Base URL of a liuhen server (the log is under <URL>/log/).
    #[arg(long, conflicts_with_all = ["dir", "bag"], required_unless_present_any = ["dir", "bag"])]
    url: Option<String>,
    /// An archive package — a BagIt bag, a folder copied from a disc, or a disc image or drive
    /// read directly (ISO 9660 + Joliet): its 四性检测, no server.
    #[arg(long, conflicts_with = "dir")]
    bag: Option<PathBuf>,
    /// A directory laid out as tlog-tiles (checkpoint, tile/…, blobs/…).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// File of verifier keys (name+id+key per line) to pin (for a bag: default, the keys it carries).
    #[arg(long, required_unless_present = "bag")]
    keys: Option<PathBuf>,
    /// State file: the last trusted checkpoint, read before and updated after a clean run.
    #[arg(long)]
    state: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("liuhen-verify: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<bool> {
    let args = Args::parse();
    if let Some(bag) = &args.bag {
        let pinned = match &args.keys {
            Some(k) => Some(parse_keys(&std::fs::read_to_string(k).context("reading the keys file")?)?),
            None => {
                println!("{}", liuhen_verify::bag::UNPINNED);
                None
            }
        };
        return Ok(liuhen_verify::bag::print_items(&liuhen_verify::bag::four_properties(bag, pinned.as_deref())));
    }
    let Some(keys_path) = &args.keys else { bail!("give --keys") };
    let keys_text = std::fs::read_to_string(keys_path).context("reading the keys file")?;
    let keys = parse_keys(&keys_text).context("parsing the keys file")?;
    if keys.is_empty() {
        bail!("the keys file holds no key");
    }
    let trusted = match &args.state {
        Some(p) if p.exists() => Some(std::fs::read_to_string(p).context("reading the state file")?),
        _ => None,
    };
    let fetcher: Box<dyn Fetcher> = match (&args.url, &args.dir) {
        (Some(u), _) => Box::new(HttpFetcher::new(u)),
        (None, Some(d)) => Box::new(DirFetcher::new(d)),
        (None, None) => bail!("give --url or --dir"),
    };
    let report = verify(fetcher.as_ref(), &Trust { keys, origin: None, trusted, check_blobs: true });
    liuhen_verify::print_report(&report);
    if report.ok()
        && let Some(p) = &args.state
    {
        std::fs::write(p, &report.checkpoint).context("writing the state file")?;
    }
    Ok(report.ok())
}
