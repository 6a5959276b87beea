//! `liuhen verify`: the checks of `liuhen-verify`, over a data directory or a server.

use anyhow::{Context, bail};
use liuhen_log::tile::{TILE_WIDTH, encode_bundle};
use liuhen_log::{Hash, TileId};
use liuhen_server::datadir::DataDir;
use liuhen_store::{Log, ProjectionReads, SqliteStore, StoreError, blob_path};
use liuhen_verify::{FetchError, Fetcher, HttpFetcher, Trust, parse_keys, print_report, verify};
use std::io::Read;
use std::path::PathBuf;
use tokio::runtime::Handle;

#[derive(clap::Args)]
pub struct Args {
    /// A data directory to verify (read-only; a running server may keep using it).
    #[arg(long, required_unless_present_any = ["url", "bag"], conflicts_with_all = ["url", "bag"])]
    data: Option<PathBuf>,
    /// An archive package (a bag from `liuhen export case`, a folder copied from a disc, or a disc
    /// image or drive read directly):
    /// its 四性检测 with no server (keys: those it carries, unless --keys).
    #[arg(long, conflicts_with = "url")]
    bag: Option<PathBuf>,
    /// A server's base URL to verify over its tiles API.
    #[arg(long)]
    url: Option<String>,
    /// Verifier keys to pin (default: DIR/log.pub, or the server's /log/key with a warning).
    #[arg(long)]
    keys: Option<PathBuf>,
    /// The last trusted checkpoint: checked for consistency, updated after a clean run.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Receipts the server gave when it acknowledged appends (one per line: the JSON of a
    /// sign-in's `receipt`, or a `Liuhen-Receipt` header's base64): each must verify and its
    /// entry be in the log as acknowledged. With `--data`.
    #[arg(long, requires = "data")]
    receipts: Option<PathBuf>,
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
            // Missing: a problem, unless a logged disposal took its bytes.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(FetchError::NotFound),
            Err(e) => Err(FetchError::Other(format!("{}: {e}", path.display()))),
        }
    }
}

pub async fn run(args: Args) -> anyhow::Result<bool> {
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
    let trusted = match &args.state {
        Some(p) if p.exists() => Some(std::fs::read_to_string(p).context("reading the state file")?),
        _ => None,
    };
    let mut schema_ok = true;
    let (fetcher, keys_text): (Box<dyn Fetcher + Send>, String) = match (&args.data, &args.url) {
        (Some(d), _) => {
            let dir = DataDir::new(d);
            if !dir.is_initialised() {
                bail!("{} is not a liuhen data directory", d.display());
            }
            let keys_path = args.keys.clone().unwrap_or_else(|| dir.public_keys_path());
            let keys =
                std::fs::read_to_string(&keys_path).with_context(|| format!("reading {}", keys_path.display()))?;
            let store = match SqliteStore::open_read_only(&dir.db_path()).await {
                Ok(s) => s,
                // A damaged file is a finding, not a failure to verify.
                Err(StoreError::Integrity(m)) => {
                    eprintln!("PROBLEM {m}");
                    println!("FAILED: {} cannot be read as a liuhen database", dir.db_path().display());
                    return Ok(false);
                }
                Err(e) => return Err(e).context("opening the database read-only"),
            };
            // The tables that hold the log, the record of migrations, meta: a table of the
            // log's own dropped or changed is said, and nothing read from it.
            let (problems, log_gone) = store.schema_problems()?;
            for p in &problems {
                eprintln!("PROBLEM {p}");
            }
            let verdict = if problems.is_empty() { "OK" } else { "FAILED" };
            println!("{verdict}: the log's tables, the record of migrations and meta are as liuhen makes them");
            if log_gone {
                return Ok(false);
            }
            schema_ok = problems.is_empty();
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
    // For a data directory, everything else the store holds must also be what the log says.
    let mut store_ok = true;
    if let Some(d) = &args.data {
        // What was acknowledged must be there, whatever else is wrong.
        store_ok = verify_acknowledged(&DataDir::new(d), args.receipts.as_deref()).await?;
        if report.ok() {
            store_ok &= verify_store(&DataDir::new(d)).await?;
        }
    }
    if report.ok()
        && let Some(p) = &args.state
    {
        std::fs::write(p, &report.checkpoint).context("writing the state file")?;
    }
    Ok(report.ok() && store_ok && schema_ok)
}

/// Every acknowledged entry is in the log: the high-water mark kept beside the database, and
/// each receipt given (its signature, its path, and the entry at its index).
async fn verify_acknowledged(dir: &DataDir, receipts: Option<&std::path::Path>) -> anyhow::Result<bool> {
    let store = SqliteStore::open_read_only(&dir.db_path()).await.context("opening the database read-only")?;
    let mut problems: Vec<String> = store.mark_problem()?.into_iter().collect();
    let mut checked = 0u64;
    if let Some(path) = receipts {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let keys = parse_keys(&std::fs::read_to_string(dir.public_keys_path())?).context("parsing log.pub")?;
        let origin = store.origin().to_string();
        let size = store.tree_size();
        let mut lost: Vec<u64> = Vec::new();
        for (n, line) in text.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
            let json = if line.starts_with('{') {
                line.to_string()
            } else {
                use base64::Engine;
                let raw = base64::engine::general_purpose::STANDARD.decode(line).unwrap_or_default();
                String::from_utf8_lossy(&raw).into_owned()
            };
            let r = match liuhen_log::receipt::Receipt::from_json(&json) {
                Ok(r) => r,
                Err(e) => {
                    problems.push(format!("receipt on line {}: {e}", n + 1));
                    continue;
                }
            };
            if let Err(e) = r.verify(&origin, &keys) {
                problems.push(format!("receipt on line {} (entry {}): {e}", n + 1, r.index));
                continue;
            }
            checked += 1;
            if r.index >= size {
                lost.push(r.index);
                continue;
            }
            let stored = store.entries(r.index, r.index + 1).await?;
            if stored.first().map(|e| liuhen_log::leaf_hash(e)) != Some(r.leaf) {
                problems.push(format!("entry {} is not the entry its receipt acknowledged (leaf {})", r.index, r.leaf));
            }
        }
        if !lost.is_empty() {
            lost.sort_unstable();
            problems.push(format!(
                "{} acknowledged entries are not in the log, which holds {size}: entries {} (receipts signed by the log) \
                 were lost",
                lost.len(),
                lost.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for p in &problems {
        eprintln!("PROBLEM {p}");
    }
    let verdict = if problems.is_empty() { "OK" } else { "FAILED" };
    println!("{verdict}: every acknowledged entry is in the log ({checked} receipts checked, and the high-water mark)");
    Ok(problems.is_empty())
}

/// The checks of a data directory beyond the log: the database file and its structure, every
/// opening against its commitment, every projection column, every live session. Prints each
/// problem and a line per check; true when all pass.
async fn verify_store(dir: &DataDir) -> anyhow::Result<bool> {
    let store = SqliteStore::open_read_only(&dir.db_path()).await.context("opening the database read-only")?;
    let mut app = liuhen_server::app::App::new(store.clone(), liuhen_store::Blobs::local(&dir.blobs_dir())?);
    app.calendar = std::sync::Arc::new(dir.calendar()?);
    app.progress = super::terminal_progress();
    let progress = app.progress.clone();
    let report = |what: &str, problems: &[String]| {
        super::end_progress(&progress);
        for p in problems {
            eprintln!("PROBLEM {p}");
        }
        let verdict = if problems.is_empty() { "OK" } else { "FAILED" };
        println!("{verdict}: {what}");
        problems.is_empty()
    };
    // The keys: the private ones against what was published, and against what the log recorded.
    app.documents = std::sync::Arc::new(liuhen_server::app::documents::DocConfig {
        font_dirs: Vec::new(),
        seal: dir.has_seal_keys().then(|| dir.seal_keys()).transpose()?.map(std::sync::Arc::new),
    });
    let mut keys = dir.key_problems()?;
    let config = dir.log_config(std::time::Duration::from_secs(1))?;
    if store.origin() != config.origin {
        keys.push(format!(
            "the database says it is the log {:?}, not {:?} (meta.origin changed)",
            store.origin(),
            config.origin
        ));
    }
    let verifiers: Vec<String> = config.signers.iter().map(|s| s.verifier().to_string()).collect();
    keys.extend(app.key_problems(&verifiers).await.map_err(|e| anyhow::anyhow!("{e}"))?);
    let mut ok = report("every key matches what was published and what the log recorded", &keys);
    let structure = store.structure_problems(100).await?;
    ok &= report("the database file, and every entry against its leaf and tile", &structure);
    let checkpoints = store
        .checkpoint_problems(&config.signers.iter().map(|s| s.verifier().clone()).collect::<Vec<_>>(), 100)
        .await?;
    ok &= report("every stored checkpoint: signed, of the tree's root at its size, in order", &checkpoints);
    let openings = app.opening_problems().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    ok &= report("every opening matches its entry's commitment", &openings);
    if openings.is_empty() {
        let scratch = liuhen_store::ProjectionScratch::new()?;
        match app.projections_into(&scratch).await {
            Ok(n) => {
                let diffs = store.projection_differences(&scratch).await?;
                let what = format!(
                    "projections match the log, column by column — {} accounts, {} officers, {} cases",
                    n.users, n.officers, n.cases
                );
                ok &= report(&what, &diffs);
            }
            Err(e) => ok &= report("projections computed from the log", &[e.to_string()]),
        }
    } else {
        println!("SKIPPED: projections are not computed from openings that do not check out");
    }
    let now = liuhen_server::app::now_ms();
    // Read from the database: a table dropped with a shell is said, not a failure of verify.
    let sessions = (app.session_problems(now).await).unwrap_or_else(|e| {
        let cause = liuhen_server::error::error_chain(&e);
        vec![format!("the sessions cannot be read: {}", cause.trim_start_matches("internal error: "))]
    });
    ok &= report("every live session and API token was created by a logged sign-in", &sessions);
    Ok(ok)
}

async fn fetch_keys(url: &str) -> anyhow::Result<String> {
    let url = format!("{}/log/key", url.trim_end_matches('/'));
    tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        let mut resp = ureq::get(&url).call().with_context(|| format!("fetching {url}"))?;
        Ok(resp.body_mut().read_to_string()?)
    })
    .await?
}
