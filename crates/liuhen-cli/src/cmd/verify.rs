//! `liuhen verify`: the checks of `liuhen-verify`, over a data directory or a server.

use anyhow::{Context, bail};
use liuhen_log::tile::{TILE_WIDTH, encode_bundle};
use liuhen_log::{Hash, TileId};
use liuhen_server::datadir::DataDir;
use liuhen_store::{LogStore, SqliteStore, StoreError, blob_path};
use liuhen_verify::{FetchError, Fetcher, HttpFetcher, Trust, parse_keys, print_report, verify};
use std::io::Read;
use std::path::PathBuf;
use tokio::runtime::Handle;

#[derive(clap::Args)]
pub struct Args {
    /// A data directory to verify (read-only; a running server may keep using it).
    #[arg(long, required_unless_present = "url", conflicts_with = "url")]
    data: Option<PathBuf>,
    /// A server's base URL to verify over its tiles API.
    #[arg(long)]
    url: Option<String>,
    /// Verifier keys to pin (default: DIR/log.pub, or the server's /log/key with a warning).
    #[arg(long)]
    keys: Option<PathBuf>,
    /// The last trusted checkpoint: checked for consistency, updated after a clean run.
    #[arg(long)]
    state: Option<PathBuf>,
}

/// Serves log resources from a data directory's database and blob store.
pub struct StoreFetcher {
    store: SqliteStore,
    blobs: PathBuf,
    rt: Handle,
}

impl StoreFetcher {
    /// Must be created inside the runtime and used from a blocking thread.
    pub fn new(store: SqliteStore, blobs: PathBuf) -> StoreFetcher {
        StoreFetcher { store, blobs, rt: Handle::current() }
    }
}

impl Fetcher for StoreFetcher {
    fn checkpoint(&self) -> Result<Vec<u8>, FetchError> {
        match self.rt.block_on(self.store.latest_checkpoint()) {
            Ok(n) => Ok(n.into_bytes()),
            Err(StoreError::NotFound) => Err(FetchError::NotFound),
            Err(e) => Err(FetchError::Other(format!("{e:#}"))),
        }
    }

    fn tile(&self, id: &TileId) -> Result<Vec<u8>, FetchError> {
        let width = u64::from(id.width);
        match id.level {
            None => {
                let start = id.index * TILE_WIDTH;
                match self.rt.block_on(self.store.entries(start, start + width)) {
                    Ok(es) => encode_bundle(es.iter().map(Vec::as_slice)).map_err(|e| FetchError::Other(e.to_string())),
                    Err(StoreError::NotFound) => Err(FetchError::Other(format!(
                        "entries {start}..{} are not all in the database: an entry was deleted",
                        start + width
                    ))),
                    Err(e) => Err(FetchError::Other(format!("{e:#}"))),
                }
            }
            Some(level) => match self.rt.block_on(self.store.tile(level, id.index)) {
                Ok(data) if data.len() as u64 >= width * 32 => Ok(data[..(width * 32) as usize].to_vec()),
                Ok(data) => Err(FetchError::Other(format!("stored tile holds only {} hashes", data.len() / 32))),
                Err(StoreError::NotFound) => Err(FetchError::NotFound),
                Err(e) => Err(FetchError::Other(format!("{e:#}"))),
            },
        }
    }

    fn blob(&self, sha256: &Hash) -> Result<Option<Box<dyn Read + '_>>, FetchError> {
        let path = self.blobs.join(blob_path(sha256).as_ref());
        match std::fs::File::open(&path) {
            Ok(f) => Ok(Some(Box::new(f))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(FetchError::Other("missing from the blob store".into()))
            }
            Err(e) => Err(FetchError::Other(format!("{}: {e}", path.display()))),
        }
    }
}

pub async fn run(args: Args) -> anyhow::Result<bool> {
    let trusted = match &args.state {
        Some(p) if p.exists() => Some(std::fs::read_to_string(p).context("reading the state file")?),
        _ => None,
    };
    let (fetcher, keys_text): (Box<dyn Fetcher + Send>, String) = match (&args.data, &args.url) {
        (Some(d), _) => {
            let dir = DataDir::new(d);
            if !dir.is_initialised() {
                bail!("{} is not a liuhen data directory", d.display());
            }
            let keys_path = args.keys.clone().unwrap_or_else(|| dir.public_keys_path());
            let keys =
                std::fs::read_to_string(&keys_path).with_context(|| format!("reading {}", keys_path.display()))?;
            let store = SqliteStore::open_read_only(&dir.db_path()).await.context("opening the database read-only")?;
            (Box::new(StoreFetcher::new(store, dir.blobs_dir())), keys)
        }
        (None, Some(u)) => {
            let keys = match &args.keys {
                Some(p) => std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
                None => {
                    eprintln!("warning: trusting the keys the server serves; pin them with --keys");
                    fetch_keys(u).await?
                }
            };
            (Box::new(HttpFetcher::new(u)), keys)
        }
        (None, None) => bail!("give --data or --url"),
    };
    let keys = parse_keys(&keys_text).context("parsing the verifier keys")?;
    if keys.is_empty() {
        bail!("no verifier key given");
    }
    let trust = Trust { keys, origin: None, trusted, check_blobs: true };
    let report = tokio::task::spawn_blocking(move || verify(fetcher.as_ref(), &trust)).await?;
    print_report(&report);
    // For a data directory, the projections must also be what the log says.
    let mut projections_ok = true;
    if let (Some(d), true) = (&args.data, report.ok()) {
        let dir = DataDir::new(d);
        let store = SqliteStore::open_read_only(&dir.db_path()).await.context("opening the database read-only")?;
        let mut app = liuhen_server::app::App::new(store, liuhen_store::Blobs::local(&dir.blobs_dir())?);
        app.calendar = std::sync::Arc::new(dir.calendar()?);
        let from_log = app.projections_from_log().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let stored = app.stored_projections().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let diffs = liuhen_server::app::rebuild::differences(&stored, &from_log);
        for d in &diffs {
            eprintln!("PROBLEM projection: {d}");
        }
        projections_ok = diffs.is_empty();
        println!(
            "{}: projections match the log — {} accounts, {} officers, {} cases",
            if projections_ok { "OK" } else { "FAILED" },
            from_log.users.len(),
            from_log.officers.len(),
            from_log.cases.len()
        );
    }
    if report.ok()
        && let Some(p) = &args.state
    {
        std::fs::write(p, &report.checkpoint).context("writing the state file")?;
    }
    Ok(report.ok() && projections_ok)
}

async fn fetch_keys(url: &str) -> anyhow::Result<String> {
    let url = format!("{}/log/key", url.trim_end_matches('/'));
    tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let mut resp = ureq::get(&url).call().with_context(|| format!("fetching {url}"))?;
        Ok(resp.body_mut().read_to_string()?)
    })
    .await?
}
