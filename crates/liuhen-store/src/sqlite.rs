//! The SQLite backend (WAL, `synchronous=FULL`), on rusqlite.
//!
//! One writer thread owns the only read-write connection: it sequences appends and commits
//! them in groups (one transaction, one fsync for everything queued while the previous group
//! was committing). Reads run synchronously on the caller's thread over a small pool of
//! read-only connections: a point read costs tens of microseconds, where a hop to a driver
//! thread and back costs more than the read (see ARCHITECTURE.md). A checkpointer task signs
//! the tree head at least once a second while the log grows.

use crate::migrate::migrate_sqlite;
use crate::{
    AnnualStatisticsRecord, AppendRequest, CaseFileQuery, CaseFileRecord, CaseRecord, DeadlineRecord,
    DeviceEventRecord, DeviceQuery, DeviceRecord, DocNumberRecord, DocumentQuery, DocumentRecord, Log, MatterRecord,
    OfficerRecord, Op, PartyInspectionsRecord, ProjectionReads, PublicationQuery, PublicationRecord, Receipt,
    RecordMarkRecord, RecordingRecord, SettingRecord, SigningKeyRecord, StoreError, TaskRecord, TokenRecord,
    UserRecord, VersionedRow,
};
use liuhen_log::checkpoint::{Checkpoint, TreeHead};
use liuhen_log::tile::{TILE_WIDTH, TileSet, decode_tile, encode_tile};
use liuhen_log::tree::{self, SubtreeRecorder};
use liuhen_log::{Hash, HashSource, NoteSigner, PreparedEntry, ProofError, Tiler};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot, watch};

/// Cached subtree hashes beyond this many are dropped (about 4 MB).
const SUBTREE_CACHE_LIMIT: usize = 65_536;
/// The most appends committed in one transaction.
const MAX_BATCH: usize = 1024;
/// The writer completes a WAL checkpoint after the background thread finished one (so only the
/// frames written meanwhile are left to copy), or after this many commits if it has not.
const WRITER_WAL_CHECKPOINT_EVERY: u32 = 1024;
/// Idle read-only connections kept for reuse.
const MAX_IDLE_READERS: usize = 8;

/// What identifies and signs the log.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// The checkpoint origin (and key name), e.g. `liuhen.example/lixiang`.
    pub origin: String,
    /// Checkpoint signers: Ed25519 first, then SM2.
    pub signers: Vec<NoteSigner>,
    /// How often the checkpointer looks for growth.
    pub checkpoint_interval: Duration,
}

/// The SQLite store. Cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    readers: std::sync::Mutex<Vec<Connection>>,
    /// `None` for a read-only store.
    writer: Option<mpsc::Sender<WriteMsg>>,
    head: watch::Receiver<Arc<Head>>,
    config: LogConfig,
    sign_lock: Mutex<()>,
    /// Hashes of complete subtrees, which never change once complete.
    subtrees: std::sync::Mutex<HashMap<(u8, u64), Hash>>,
    stats: Arc<WriterStats>,
    /// Dropping it stops the WAL checkpointer thread.
    _wal_stop: Option<std::sync::mpsc::Sender<()>>,
    /// The schema version the database had before this open migrated it (0: new).
    /// What the open found changed outside liuhen in the derived schema, and made again.
    mended: Vec<String>,
}

/// Counters of the writer, for benchmarks and monitoring.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Transactions committed (each one fsync).
    pub commits: std::sync::atomic::AtomicU64,
    /// Entries committed.
    pub entries: std::sync::atomic::AtomicU64,
}

/// The durable tree as the writer last committed it: its size and the rightmost (partial)
/// tile of each level, which live in memory only (they follow from the stored leaf hashes and
/// full tiles, so nothing is lost with them).
#[derive(Debug, Default)]
struct Head {
    size: u64,
    /// Per level: the tile index and its hashes (possibly none).
    partial: Vec<(u64, Vec<Hash>)>,
}

impl Head {
    fn of(tiler: &Tiler) -> Head {
        let partial = (0..tiler.levels())
            .map(|l| {
                let (index, hashes) = tiler.partial(l);
                (index, hashes.to_vec())
            })
            .collect();
        Head { size: tiler.size(), partial }
    }

    fn partial_tile(&self, level: u8, index: u64) -> Option<&[Hash]> {
        match self.partial.get(usize::from(level)) {
            Some((i, hashes)) if *i == index && !hashes.is_empty() => Some(hashes),
            _ => None,
        }
    }
}

enum WriteMsg {
    Append(Appending),
    /// Operational changes without an entry (sign-in throttling), in a transaction of their own.
    Operational {
        ops: Vec<Op>,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
    Checkpoint {
        size: u64,
        root: Hash,
        note: String,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
}

struct Appending {
    entry: PreparedEntry,
    ops: Vec<Op>,
    reply: oneshot::Sender<Result<Receipt, StoreError>>,
}

/// Replies of one committed group, handed to the runtime in one go.
type Replies = Vec<(oneshot::Sender<Result<Receipt, StoreError>>, Result<Receipt, StoreError>)>;

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// The read-write connection: WAL, `synchronous=FULL` (an acknowledged commit survives power
/// loss), foreign keys on.
fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    plans_stable(&conn)?;
    Ok(conn)
}

/// Plans that do not depend on the values bound to a statement. Otherwise SQLite marks a
/// statement whose plan could use a bound value, and clearing its bindings — which the
/// statement cache does each time a statement goes back to it — expires it: every cached
/// statement was compiled again at its next step (a quarter of the server's CPU under 64
/// clients of case commands). Test: `cached_statements_are_compiled_once`.
fn plans_stable(conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // No memory map: each reader connection mapped up to 256 MiB of the file, and the pages
    // every concurrent reader touched counted again in the server's RSS (318 MiB peak at
    // 100,000 cases under 64 clients; 126 MiB without, with reads no slower).
    conn.pragma_update(None, "mmap_size", 0i64)?;
    plans_stable(&conn)?;
    Ok(conn)
}

/// Runs passive WAL checkpoints every 100 ms on a connection of its own, until the returned
/// sender is dropped. A passive checkpoint never blocks the writer or the readers.
/// Returns the stop handle and the flag the thread raises after each checkpoint.
fn spawn_wal_checkpointer(path: &Path) -> Result<(std::sync::mpsc::Sender<()>, Arc<AtomicBool>), StoreError> {
    let conn = open_writer(path)?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let done = Arc::new(AtomicBool::new(false));
    let raise = done.clone();
    std::thread::Builder::new().name("liuhen-wal-checkpoint".to_string()).spawn(move || {
        while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(Duration::from_millis(50)) {
            match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                Ok(()) => raise.store(true, std::sync::atomic::Ordering::Release),
                Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; will retry"),
            }
        }
        // A last full checkpoint, so a closed database is one file.
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    })?;
    Ok((stop, done))
}

impl SqliteStore {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub async fn open(path: &Path, config: LogConfig) -> Result<SqliteStore, StoreError> {
        let mut conn = open_writer(path).map_err(damaged)?;
        // The cases' full-text index holds no record and is made again below: its damage alone
        // (or a check it makes fail outright, its storage gone) waits for the check after.
        let deferred = integrity_check_but(&conn, true)?;
        // What refuses the database is asked before anything in it is mended: one refused is
        // left as it was found, the traces of what was done to it (a trigger dropped, the
        // record of migrations cut) still there for whoever looks.
        let leaves_checked = preflight(&conn, path, &config.origin)?;
        let mut mended: Vec<String> =
            crate::migrate::restore_record(&conn).map_err(|e| damaged(e.into()))?.into_iter().collect();
        // A migration this liuhen does not have: a newer liuhen's database, or a record made up
        // so that migrations would be skipped.
        let recorded = crate::migrate::recorded(&conn).map_err(|e| damaged(e.into()))?;
        if let Some(v) = recorded.iter().find(|v| **v > crate::migrate::latest()) {
            return Err(StoreError::Integrity(format!(
                "the database records migration {v}, which this liuhen (migrations 1 to {}) does not have: it is a \
                 newer liuhen's, or its record of migrations was changed outside liuhen",
                crate::migrate::latest()
            )));
        }
        let found = migrate_sqlite(&mut conn).map_err(|e| match damaged(e.into()) {
            StoreError::Database(e) => StoreError::Integrity(format!(
                "a schema migration failed ({e}): the database's schema is not the one its record of migrations \
                 (schema_migrations) says, changed outside liuhen; restore it from a backup"
            )),
            other => other,
        })?;
        mended.extend(mend_tables(&conn)?);
        mended.extend(mend_derived_schema(&conn)?);
        if deferred || !mended.is_empty() {
            integrity_check(&conn)?;
        }
        // Checkpoints (copying the WAL into the database file) run on their own thread, so a
        // commit never waits for one.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let (wal_stop, wal_checkpointed) = spawn_wal_checkpointer(path)?;
        mended.extend(check_origin(&conn, &config.origin)?);
        let (tiler, last_time) = load_state(&conn).map_err(damaged)?;
        let mark = mark_path(path);
        check_mark(&conn, &mark, tiler.size(), found >= crate::migrate::MARKED_SINCE)?;
        let noted =
            conn.execute("INSERT INTO meta (key, value) VALUES ('mark', ?1) ON CONFLICT DO NOTHING", [MARK_HEADER])?;
        if noted > 0 && tiler.size() > 0 && read_mark(&mark)?.is_some() {
            mended.push("meta's note that the log keeps a mark was removed: put back".to_string());
        }
        // What is served must be what was recorded: every entry still hashes to its leaf, and
        // every leaf is the one its stored tile holds (the root of the last checkpoint is
        // checked below). A scan of the whole log: about a second per million entries here.
        if !leaves_checked && let Some(p) = leaf_problems(&conn, 0, 1)?.into_iter().next() {
            return Err(StoreError::Integrity(format!("{p}; run `liuhen verify --data` to find every change")));
        }
        let (head_tx, head_rx) = watch::channel(Arc::new(Head::of(&tiler)));
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        let stats = Arc::new(WriterStats::default());
        // The writer hands each group's replies to a task on the runtime: one cross-thread
        // wake-up per group instead of one per request.
        let (replies_tx, mut replies_rx) = mpsc::unbounded_channel::<Replies>();
        tokio::spawn(async move {
            while let Some(group) = replies_rx.recv().await {
                for (reply, outcome) in group {
                    let _ = reply.send(outcome);
                }
            }
        });
        // Receipts are signed with the Ed25519 key (the first signer), off the writer's thread.
        let signer = config.signers.first().cloned();
        let last_leaf: Option<Vec<u8>> =
            conn.query_row("SELECT leaf FROM log_entries ORDER BY idx DESC LIMIT 1", [], |r| r.get(0)).optional()?;
        let last_leaf = last_leaf.and_then(|l| Hash::from_slice(&l));
        let marker = spawn_marker(&mark, config.origin.clone(), signer, replies_tx, tiler.size(), last_leaf)?;
        let writer = Writer {
            tiler,
            last_time,
            head: head_tx,
            stats: stats.clone(),
            marker,
            commits_since_wal_checkpoint: 0,
            wal_checkpointed,
        };
        std::thread::Builder::new()
            .name("liuhen-log-writer".to_string())
            .spawn(move || writer_loop(conn, rx, writer))?;
        let inner = Arc::new(Inner {
            path: path.to_path_buf(),
            readers: std::sync::Mutex::new(Vec::new()),
            writer: Some(tx),
            head: head_rx,
            config,
            sign_lock: Mutex::new(()),
            subtrees: Default::default(),
            stats,
            _wal_stop: Some(wal_stop),
            mended,
        });
        let store = SqliteStore { inner };
        store.check_last_checkpoint()?;
        tokio::spawn(checkpointer(Arc::downgrade(&store.inner)));
        Ok(store)
    }

    /// Fails closed: the stored tree must still have the root the log last signed for its size.
    fn check_last_checkpoint(&self) -> Result<(), StoreError> {
        let last: Option<(i64, Vec<u8>)> = self.read(|c| {
            c.query_row("SELECT size, root FROM log_checkpoints ORDER BY size DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
        })?;
        let Some((size, root)) = last else { return Ok(()) };
        let size = size as u64;
        if size > self.tree_size() {
            return Err(StoreError::Integrity(format!(
                "the log signed a checkpoint of {size} entries but holds only {}: entries were removed",
                self.tree_size()
            )));
        }
        let computed = self.with_stored_tiles(size, |src| tree::root(size, src))?;
        if computed.0.as_slice() != root.as_slice() {
            return Err(StoreError::Integrity(format!(
                "the stored tree of {size} entries no longer has the root the log signed: records were changed; \
                 run `liuhen verify --data` to find them"
            )));
        }
        Ok(())
    }

    /// Opens an existing database for reading only (verification, export): no writer, no
    /// checkpointer, no migration; the size is the one committed when opened.
    pub async fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        if !path.exists() {
            return Err(StoreError::NotFound);
        }
        let conn = open_reader(path).map_err(damaged)?;
        integrity_check(&conn)?;
        // A table of the log's own dropped or changed: said as what it is, not as a failed query.
        let (problems, log_gone) = schema_problems(&conn)?;
        if log_gone {
            return Err(StoreError::Integrity(problems.join("; ")));
        }
        let origin: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'origin'", [], |r| r.get(0))
            .map_err(|e| damaged(e.into()))?;
        let (tiler, _) = load_state(&conn).map_err(damaged)?;
        let (_tx, head_rx) = watch::channel(Arc::new(Head::of(&tiler)));
        let config = LogConfig { origin, signers: Vec::new(), checkpoint_interval: Duration::from_secs(3600) };
        let inner = Arc::new(Inner {
            path: path.to_path_buf(),
            readers: std::sync::Mutex::new(vec![conn]),
            writer: None,
            head: head_rx,
            config,
            sign_lock: Mutex::new(()),
            subtrees: Default::default(),
            stats: Default::default(),
            _wal_stop: None,
            mended: Vec::new(),
        });
        Ok(SqliteStore { inner })
    }

    /// What this open found changed outside liuhen among the schema's objects that hold no
    /// record — an index or trigger dropped, altered or added, the cases' full-text index
    /// (`case_terms`) redefined or unlike the cases — and made again as the migrations make
    /// them, a line each. Not records (the cases themselves are compared with the log by
    /// `liuhen verify --data`, which names these too), but said: the server warns of each.
    pub fn mended(&self) -> &[String] {
        &self.inner.mended
    }

    /// What is wrong, for `liuhen verify --data`, with what holds the log or says what the
    /// database is — its tables, the record of the migrations that ran, `meta` — and whether
    /// a table of the log's own is among it (nothing else can then be read: said, not failed on).
    pub fn schema_problems(&self) -> Result<(Vec<String>, bool), StoreError> {
        self.read(|c| Ok(schema_problems(c)))?
    }

    /// Whether a migration from before [`crate::migrate::REBUILD_BEFORE`] left the projections
    /// to be rebuilt from the log and no rebuild has installed them since (`liuhen serve` does
    /// it) — asked of the database, so a process stopped before its rebuild leaves it asked.
    pub fn projections_need_rebuild(&self) -> Result<bool, StoreError> {
        self.read(stale_projections)
    }

    /// What the high-water mark says the log lost (`None` when it holds every acknowledged
    /// entry): the check `open` fails on, for a verifier that goes on to find the rest.
    pub fn mark_problem(&self) -> Result<Option<String>, StoreError> {
        let size = self.tree_size();
        let path = mark_path(&self.inner.path);
        let era = |c: &Connection| {
            crate::migrate::recorded(c).map(|r| r.last().is_some_and(|v| *v >= crate::migrate::MARKED_SINCE))
        };
        match self.read(|c| Ok(check_mark(c, &path, size, era(c)?)))? {
            // The mark there, `meta`'s note of it taken out: serve puts it back, and says so.
            Ok(()) if size > 0 && read_mark(&path)?.is_some() => {
                let noted: Option<String> = self
                    .read(|c| c.query_row("SELECT value FROM meta WHERE key = 'mark'", [], |r| r.get(0)).optional())?;
                Ok(noted.is_none().then(|| "meta's note that the log keeps a mark was removed".to_string()))
            }
            Ok(()) => Ok(None),
            Err(StoreError::Integrity(m)) => Ok(Some(m)),
            Err(e) => Err(e),
        }
    }

    fn writer(&self) -> Result<&mpsc::Sender<WriteMsg>, StoreError> {
        self.inner.writer.as_ref().ok_or_else(|| StoreError::Unavailable("the store is open read-only".to_string()))
    }

    /// Runs `f` on an idle read-only connection (opening one if none is idle).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let idle = self.inner.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => open_reader(&self.inner.path)?,
        };
        let res = f(&conn);
        let mut readers = self.inner.readers.lock().unwrap_or_else(|e| e.into_inner());
        if readers.len() < MAX_IDLE_READERS {
            readers.push(conn);
        }
        Ok(res?)
    }

    /// The writer's counters.
    pub fn writer_stats(&self) -> &WriterStats {
        &self.inner.stats
    }

    pub fn origin(&self) -> &str {
        &self.inner.config.origin
    }

    /// The verifier keys of the log, one `name+id+key` line each.
    pub fn verifier_keys(&self) -> Vec<String> {
        self.inner.config.signers.iter().map(|s| s.verifier().to_string()).collect()
    }

    /// Tile `(level, index)`: the rightmost one of its level from memory, a full one from the
    /// database.
    fn tile_bytes(&self, level: u8, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let head = self.inner.head.borrow().clone();
        if let Some(hashes) = head.partial_tile(level, index) {
            return Ok(Some(encode_tile(hashes)));
        }
        self.read(|c| {
            c.prepare_cached("SELECT hashes FROM log_tiles WHERE level = ?1 AND idx = ?2")?
                .query_row(params![level, index as i64], |r| r.get(0))
                .optional()
        })
    }

    /// Reads the given tiles in one query.
    fn read_tiles(&self, ids: &[liuhen_log::TileId]) -> Result<TileSet, StoreError> {
        let mut set = TileSet::default();
        if ids.is_empty() {
            return Ok(set);
        }
        let mut found: BTreeMap<(u8, u64), Vec<u8>> = BTreeMap::new();
        for id in ids {
            let level = id.level.unwrap_or(0);
            if let Some(h) = self.tile_bytes(level, id.index)? {
                found.insert((level, id.index), h);
            }
        }
        for id in ids {
            let level = id.level.unwrap_or(0);
            let data = found
                .get(&(level, id.index))
                .ok_or_else(|| StoreError::Integrity(format!("tile {} is missing", id.path())))?;
            let width = usize::from(id.width);
            if data.len() < width * 32 {
                return Err(StoreError::Integrity(format!("tile {} is shorter than the tree needs", id.path())));
            }
            let hashes = decode_tile(&data[..width * 32], id.width)
                .map_err(|e| StoreError::Integrity(format!("tile {}: {e}", id.path())))?;
            set.insert(level, id.index, hashes);
        }
        Ok(set)
    }

    /// Runs a root or proof computation over the tiles it needs. Hashes of complete subtrees
    /// never change, so those computed before come from memory; the rest from the database.
    fn with_tiles<T>(&self, size: u64, f: impl Fn(&dyn HashSource) -> Result<T, ProofError>) -> Result<T, StoreError> {
        let rec = SubtreeRecorder::default();
        f(&rec).map_err(proof_err)?;
        let wanted = rec.into_subtrees();
        let mut known = HashMap::with_capacity(wanted.len());
        let mut missing = Vec::new();
        {
            let cache = self.inner.subtrees.lock().unwrap_or_else(|e| e.into_inner());
            for k in wanted {
                match cache.get(&k) {
                    Some(h) => {
                        known.insert(k, *h);
                    }
                    None => missing.push(k),
                }
            }
        }
        let tiles = self.read_tiles(&TileSet::tiles_for(&missing, size))?;
        for &(h, i) in &missing {
            known.insert((h, i), tiles.subtree_hash(h, i).map_err(proof_err)?);
        }
        let out = f(&KnownSubtrees(&known)).map_err(proof_err)?;
        let mut cache = self.inner.subtrees.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() + missing.len() > SUBTREE_CACHE_LIMIT {
            cache.clear();
        }
        for k in missing {
            if let Some(h) = known.get(&k) {
                cache.insert(k, *h);
            }
        }
        Ok(out)
    }

    /// Like `with_tiles`, but every hash from the database: for signing checkpoints, which must
    /// not trust memory.
    fn with_stored_tiles<T>(
        &self,
        size: u64,
        f: impl Fn(&dyn HashSource) -> Result<T, ProofError>,
    ) -> Result<T, StoreError> {
        let rec = SubtreeRecorder::default();
        f(&rec).map_err(proof_err)?;
        let tiles = self.read_tiles(&TileSet::tiles_for(&rec.into_subtrees(), size))?;
        f(&tiles).map_err(proof_err)
    }

    /// The root of the tree of `size` entries, computed from stored tiles.
    pub async fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        self.check_size(size)?;
        self.with_stored_tiles(size, |src| tree::root(size, src))
    }

    fn check_size(&self, size: u64) -> Result<(), StoreError> {
        if size > self.tree_size() {
            return Err(StoreError::Invalid(format!("tree size {size} is larger than the log")));
        }
        Ok(())
    }
}

/// Subtree hashes gathered for one computation.
struct KnownSubtrees<'a>(&'a HashMap<(u8, u64), Hash>);

impl HashSource for KnownSubtrees<'_> {
    fn subtree_hash(&self, height: u8, index: u64) -> Result<Hash, ProofError> {
        self.0.get(&(height, index)).copied().ok_or(ProofError::Missing { height, index })
    }
}

fn proof_err(e: ProofError) -> StoreError {
    match e {
        ProofError::IndexOutOfRange { .. } | ProofError::SizesOutOfOrder { .. } => StoreError::Invalid(e.to_string()),
        _ => StoreError::Integrity(e.to_string()),
    }
}

/// Fails when the database is another log's; writes the origin of a new one. An origin removed
/// from a database that holds entries is put back, and said (`Some`): never silently.
fn check_origin(conn: &Connection, origin: &str) -> Result<Option<String>, StoreError> {
    let stored: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'origin'", [], |r| r.get(0)).optional()?;
    match stored {
        Some(s) if s == origin => Ok(None),
        Some(s) => Err(StoreError::Invalid(format!("this database belongs to the log {s:?}, not {origin:?}"))),
        None => {
            conn.execute("INSERT INTO meta (key, value) VALUES ('origin', ?1)", [origin])?;
            let held: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM log_entries)", [], |r| r.get(0))?;
            Ok(held.then(|| format!("meta's origin was removed from a log that holds entries: put back as {origin:?}")))
        }
    }
}

/// The refusals [`SqliteStore::open`] can tell before it mends anything: another log's
/// database, a mark that says entries were lost (or is missing), a signed checkpoint larger than
/// the log, an entry deleted or changed (every entry against its leaf and its tile). Asked of
/// the log's tables only where they are readable; the checks after the mends ask again, and the
/// rest. Whether every entry was checked (then not again).
fn preflight(conn: &Connection, path: &Path, origin: &str) -> Result<bool, StoreError> {
    let table = |t: &str| -> Result<bool, StoreError> {
        Ok(conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [t],
            |r| r.get(0),
        )?)
    };
    if !(table("meta")? && table("log_entries")? && table("log_checkpoints")?) {
        return Ok(false);
    }
    let stored: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'origin'", [], |r| r.get(0)).optional().ok().flatten();
    if let Some(s) = stored.filter(|s| s != origin) {
        return Err(StoreError::Invalid(format!("this database belongs to the log {s:?}, not {origin:?}")));
    }
    let Ok(size) = conn.query_row("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries", [], |r| r.get::<_, i64>(0))
    else {
        return Ok(false);
    };
    let marked = table("schema_migrations")?
        && crate::migrate::recorded(conn).is_ok_and(|r| r.last().is_some_and(|v| *v >= crate::migrate::MARKED_SINCE));
    // A log table changed so that the check cannot read it is said by the checks after.
    if let Err(e @ StoreError::Integrity(_)) = check_mark(conn, &mark_path(path), size as u64, marked) {
        return Err(e);
    }
    if let Ok(signed) = conn.query_row("SELECT COALESCE(MAX(size), 0) FROM log_checkpoints", [], |r| r.get::<_, i64>(0))
        && signed > size
    {
        return Err(StoreError::Integrity(format!(
            "the log signed a checkpoint of {signed} entries but holds only {size}: entries were removed"
        )));
    }
    if !table("log_tiles")? {
        return Ok(false);
    }
    match leaf_problems(conn, 0, 1) {
        Ok(found) => match found.into_iter().next() {
            Some(p) => Err(StoreError::Integrity(format!("{p}; run `liuhen verify --data` to find every change"))),
            None => Ok(true),
        },
        // A log table changed so that it cannot be read: said by the checks after.
        Err(_) => Ok(false),
    }
}

/// A database file SQLite reports damaged (a page overwritten, not a database at all) is named
/// as such, not as a bare database error.
fn damaged(e: StoreError) -> StoreError {
    match &e {
        StoreError::Database(rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) =>
        {
            StoreError::Integrity(format!(
                "the database file is damaged ({e:#}: {f}); restore it from a backup, then run `liuhen verify --data`"
            ))
        }
        _ => e,
    }
}

/// The schema's objects that hold no record — indexes, triggers, the cases' full-text index —
/// as the migrations make them: (type, name, SQL), by name.
fn derived_schema(conn: &Connection) -> rusqlite::Result<BTreeMap<String, (String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL \
         AND (type IN ('index', 'trigger') OR (type = 'table' AND name = 'case_terms'))",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(1)?, (r.get(0)?, r.get(2)?))))?;
    rows.collect()
}

/// The derived schema objects of `conn` and those the migrations make: (have, want).
type DerivedSchemas = (BTreeMap<String, (String, String)>, BTreeMap<String, (String, String)>);

fn derived_schemas(conn: &Connection) -> Result<DerivedSchemas, StoreError> {
    let mut fresh = Connection::open_in_memory()?;
    migrate_sqlite(&mut fresh)?;
    Ok((derived_schema(conn)?, derived_schema(&fresh)?))
}

/// What differs between the derived schema objects `have` and those the migrations make
/// (`want`): (name, what is wrong).
fn derived_schema_differences(have: &DerivedSchemas) -> Vec<(String, String)> {
    let (have, want) = have;
    let mut out = Vec::new();
    for (name, (kind, sql)) in want {
        match have.get(name) {
            None => out.push((name.clone(), format!("{kind} {name} is missing"))),
            Some((_, s)) if s != sql => out.push((name.clone(), format!("{kind} {name} is not as made"))),
            Some(_) => {}
        }
    }
    for (name, (kind, _)) in have.iter().filter(|(n, _)| !want.contains_key(*n)) {
        out.push((name.clone(), format!("{kind} {name} is not one liuhen makes")));
    }
    out
}

/// A table's columns as SQLite describes them: (name, declared type, not null, default,
/// position in the primary key), in order.
type Columns = Vec<(String, String, bool, Option<String>, i64)>;

/// The tables and views of `conn`, SQLite's own and the cases' full-text index (compared with
/// the derived objects) left out: name → (type, SQL, columns).
fn schema_tables(conn: &Connection) -> rusqlite::Result<BTreeMap<String, (String, String, Columns)>> {
    let named: Vec<(String, String, String)> = {
        let mut stmt = conn.prepare(
            "SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') AND sql IS NOT NULL \
             AND name NOT LIKE 'sqlite_%' AND name != 'case_terms' AND name NOT LIKE 'case_terms_%'",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut out = BTreeMap::new();
    for (name, kind, sql) in named {
        let mut stmt =
            conn.prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid")?;
        let cols = stmt.query_map([&name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        let cols = cols.collect::<rusqlite::Result<Columns>>()?;
        out.insert(name, (kind, sql, cols));
    }
    Ok(out)
}

/// What is to be done with a table or view found unlike the migrations make it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Remedy {
    /// A projection: made again empty, and the projections rebuilt from the log.
    Rebuild,
    /// Holds nothing the log needs (sign-in sessions, throttling): made again empty.
    Remake,
    /// Holds the log or its identity: the database is refused, to be restored from a backup.
    Refuse,
    /// A view (liuhen makes none): dropped, it holds no rows.
    Drop,
    /// A table liuhen does not make: left as it is (liuhen reads none), and said.
    Leave,
}

/// The tables (and views) of `have` unlike those the migrations make (`want`): (name, what is
/// wrong, what is to be done).
fn table_differences(
    have: &BTreeMap<String, (String, String, Columns)>,
    want: &BTreeMap<String, (String, String, Columns)>,
) -> Vec<(String, String, Remedy)> {
    let remedy = |name: &str| match name {
        _ if PROJECTION_TABLES.contains(&name) => Remedy::Rebuild,
        "sessions" | "throttle" => Remedy::Remake,
        _ => Remedy::Refuse,
    };
    // A definition as text, its spacing aside: a constraint (UNIQUE, CHECK, a key) dropped or
    // changed with the columns left as they were shows here only.
    let defined = |sql: &str| sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    for (name, (_, want_sql, cols)) in want {
        match have.get(name) {
            None => out.push((name.clone(), format!("table {name} is missing"), remedy(name))),
            Some((kind, _, _)) if kind != "table" => {
                out.push((name.clone(), format!("table {name} is a {kind}"), remedy(name)))
            }
            Some((_, _, c)) if c != cols => {
                let names = |c: &Columns| c.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
                let (h, w) = (names(c), names(cols));
                let gone: Vec<&String> = w.iter().filter(|n| !h.contains(n)).collect();
                let added: Vec<&String> = h.iter().filter(|n| !w.contains(n)).collect();
                let what = match (gone.is_empty(), added.is_empty()) {
                    (false, _) => format!("table {name} lacks its column(s) {}", join(&gone)),
                    (true, false) => format!("table {name} has column(s) liuhen does not make: {}", join(&added)),
                    (true, true) => format!("table {name}'s columns are not as made"),
                };
                out.push((name.clone(), what, remedy(name)));
            }
            Some((_, sql, _)) if defined(sql) != defined(want_sql) => out.push((
                name.clone(),
                format!("table {name} is not defined as made (a constraint or key changed)"),
                remedy(name),
            )),
            Some(_) => {}
        }
    }
    for (name, (kind, _, _)) in have.iter().filter(|(n, _)| !want.contains_key(*n)) {
        let remedy = if kind == "view" { Remedy::Drop } else { Remedy::Leave };
        out.push((name.clone(), format!("{kind} {name} is not one liuhen makes"), remedy));
    }
    out
}

fn join(names: &[&String]) -> String {
    names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
}

/// The tables of `conn` made as the migrations make them, before their indexes and triggers are
/// (those of a table made again are then missing, and made by [`mend_derived_schema`]): a
/// projection dropped or changed with a SQLite shell is made again empty and the projections
/// are marked to be rebuilt from the log (`liuhen serve` does it before anything reads them); a
/// view is dropped; a table that holds the log or its identity, changed, refuses the database.
/// What was done, a line each.
fn mend_tables(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut fresh = Connection::open_in_memory()?;
    migrate_sqlite(&mut fresh)?;
    let want = schema_tables(&fresh)?;
    let differences = table_differences(&schema_tables(conn)?, &want);
    if let Some((_, what, _)) = differences.iter().find(|(_, _, r)| *r == Remedy::Refuse) {
        return Err(StoreError::Integrity(format!(
            "{what}: it holds the log, changed outside liuhen; restore the database from a backup, then run \
             `liuhen verify --data`"
        )));
    }
    let mut mended = Vec::new();
    for (name, what, remedy) in differences {
        match remedy {
            Remedy::Rebuild | Remedy::Remake => {
                let kind = conn
                    .query_row("SELECT type FROM sqlite_master WHERE name = ?1", [&name], |r| r.get::<_, String>(0))
                    .optional()?;
                if let Some(kind) = kind {
                    conn.execute(&format!("DROP {} \"{name}\"", kind.to_uppercase()), [])?;
                }
                conn.execute(&want[&name].1, [])?;
                if remedy == Remedy::Rebuild {
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES (?1, 'stale') \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [crate::migrate::STALE_PROJECTIONS],
                    )?;
                    mended.push(format!("{what}: made again, the projections to be rebuilt from the log"));
                } else {
                    mended.push(format!("{what}: made again empty"));
                }
            }
            Remedy::Drop => {
                conn.execute(&format!("DROP VIEW \"{name}\""), [])?;
                mended.push(format!("{what}: dropped"));
            }
            Remedy::Leave => mended.push(format!("{what}: left as it is (liuhen reads it not)")),
            Remedy::Refuse => unreachable!("refused above"),
        }
    }
    Ok(mended)
}

/// See [`SqliteStore::schema_problems`].
fn schema_problems(conn: &Connection) -> Result<(Vec<String>, bool), StoreError> {
    let mut fresh = Connection::open_in_memory()?;
    migrate_sqlite(&mut fresh)?;
    let differences = table_differences(&schema_tables(conn)?, &schema_tables(&fresh)?);
    let mut out: Vec<String> = differences
        .iter()
        .filter(|(_, _, r)| *r == Remedy::Refuse)
        .map(|(_, what, _)| format!("{what}: it holds the log or says what the database is; restore it from a backup"))
        .collect();
    let mut log_gone = !out.is_empty();
    if let Ok(recorded) = crate::migrate::recorded(conn) {
        let said = crate::migrate::record_problems(&recorded);
        // Rows taken from its end (the last one, or several) leave no gap to see: the schema
        // shows the migrations ran that the record no longer names.
        if said.is_empty()
            && let Ok(Some((version, missing))) = crate::migrate::unrecorded(conn, &recorded)
        {
            out.push(format!(
                "schema_migrations lacks migration(s) {} though the schema shows migration {version} ran: its rows \
                 were taken out (`liuhen serve` puts them back)",
                missing.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
            ));
        }
        out.extend(said);
    }
    if let Ok(rows) = conn.prepare("SELECT key, value FROM meta ORDER BY key").and_then(|mut s| {
        s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, rusqlite::types::Value>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()
    }) {
        let keys: Vec<&String> = rows.iter().map(|(k, _)| k).collect();
        for (k, v) in &rows {
            // What liuhen writes under each key it writes (the origin is checked against the
            // log's own).
            let written = match k.as_str() {
                "origin" => continue,
                "mark" => MARK_HEADER,
                k if k == crate::migrate::STALE_PROJECTIONS => "stale",
                _ => {
                    out.push(format!("meta holds {k:?}, which liuhen does not write"));
                    continue;
                }
            };
            if *v != rusqlite::types::Value::Text(written.to_string()) {
                out.push(format!("meta's {k:?} holds {}, not what liuhen writes ({written:?})", value_text(v)));
            }
        }
        if !keys.iter().any(|k| *k == "origin") {
            out.push("meta does not say which log the database is (its origin was removed)".to_string());
            log_gone = true;
        }
    }
    Ok((out, log_gone))
}

/// Makes the derived schema objects of `conn` again as the migrations make them (an index or
/// trigger dropped, changed or added outside liuhen; the cases' full-text index redefined or
/// its storage dropped), then checks the full-text index against the cases (FTS5's own check,
/// which reads both: `PRAGMA integrity_check` does not compare an external-content index with
/// its content) and rebuilds it from them if they differ. What was mended, a line each.
fn mend_derived_schema(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let schemas = derived_schemas(conn)?;
    let differences = derived_schema_differences(&schemas);
    let (have, want) = &schemas;
    let mut mended: Vec<String> = differences.iter().map(|(_, what)| what.clone()).collect();
    let fts = |name: &str| name == "case_terms" || name.starts_with("case_terms_");
    for (name, _) in differences.iter().filter(|(n, _)| !fts(n)) {
        if let Some((kind, _)) = have.get(name) {
            conn.execute(&format!("DROP {} IF EXISTS \"{name}\"", kind.to_uppercase()), [])?;
        }
        if let Some((_, sql)) = want.get(name) {
            conn.execute(sql, [])?;
        }
    }
    // The full-text index: checked against the cases; made again whole, with its triggers,
    // when anything of it differs or its check cannot run (its storage is gone).
    let check = || conn.execute("INSERT INTO case_terms (case_terms, rank) VALUES ('integrity-check', 1)", []);
    let whole = differences.iter().any(|(n, _)| fts(n)) || {
        match check() {
            Ok(_) => false,
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseCorrupt => {
                mended.push("the cases' full-text index did not match the cases: rebuilt from them".to_string());
                // Rebuilt in place; if even that cannot run, made again whole.
                conn.execute("INSERT INTO case_terms (case_terms) VALUES ('rebuild')", []).is_err()
            }
            Err(e) => {
                mended.push(format!("the cases' full-text index could not be read ({e})"));
                true
            }
        }
    };
    if whole {
        for name in want.keys().chain(have.keys()).filter(|n| n.starts_with("case_terms_")) {
            conn.execute(&format!("DROP TRIGGER IF EXISTS \"{name}\""), [])?;
        }
        // The table, and what is left of the storage FTS5 keeps for it. A table whose storage
        // lost a part FTS5 cannot open it without (its configuration, its term index) drops
        // only once that part is back as FTS5 makes it.
        if conn.execute("DROP TABLE IF EXISTS case_terms", []).is_err() {
            restore_search_storage(conn)?;
            conn.execute("DROP TABLE IF EXISTS case_terms", [])?;
        }
        conn.execute_batch(
            "DROP TABLE IF EXISTS case_terms_data; DROP TABLE IF EXISTS case_terms_idx; \
             DROP TABLE IF EXISTS case_terms_config; DROP TABLE IF EXISTS case_terms_docsize; \
             DROP TABLE IF EXISTS case_terms_content;",
        )?;
        let mut fts_sql: Vec<(&String, &String)> =
            want.iter().filter(|(n, _)| fts(n)).map(|(n, (_, sql))| (n, sql)).collect();
        // The table before the triggers made on it.
        fts_sql.sort_by_key(|(n, _)| n.as_str() != "case_terms");
        for (_, sql) in fts_sql {
            conn.execute(sql, [])?;
        }
        conn.execute("INSERT INTO case_terms (case_terms) VALUES ('rebuild')", [])?;
        check()?;
    }
    for m in &mended {
        tracing::warn!(what = %m, "schema mended at open");
    }
    Ok(mended)
}

/// The parts of the cases' full-text index's storage that `conn` lacks, made as FTS5 makes
/// them for a new database (its configuration's rows too), so that the table opens to be dropped.
fn restore_search_storage(conn: &Connection) -> Result<(), StoreError> {
    let mut fresh = Connection::open_in_memory()?;
    migrate_sqlite(&mut fresh)?;
    let storage: Vec<(String, String)> = {
        let mut stmt =
            fresh.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name LIKE 'case_terms_%'")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
    };
    for (name, sql) in storage {
        let there: i64 = conn.query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = ?1", [&name], |r| r.get(0))?;
        if there > 0 {
            continue;
        }
        conn.execute(&sql, [])?;
        if name == "case_terms_config" {
            let mut stmt = fresh.prepare("SELECT k, v FROM case_terms_config")?;
            let rows: Vec<(rusqlite::types::Value, rusqlite::types::Value)> =
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            for (k, v) in rows {
                conn.execute("INSERT INTO case_terms_config (k, v) VALUES (?1, ?2)", params![k, v])?;
            }
        }
    }
    Ok(())
}

/// The SQL of the triggers that keep the cases' search index, by name.
fn search_index_triggers(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases' AND name LIKE 'case_terms_%' \
         ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Whether `meta` marks the projections as left by a migration to be rebuilt.
fn stale_projections(c: &Connection) -> rusqlite::Result<bool> {
    c.query_row("SELECT COUNT(*) FROM meta WHERE key = ?1", [crate::migrate::STALE_PROJECTIONS], |r| r.get::<_, i64>(0))
        .map(|n| n > 0)
}

/// SQLite's own integrity check of the whole file (every page, every index).
fn integrity_check(conn: &Connection) -> Result<(), StoreError> {
    integrity_check_but(conn, false).map(drop)
}

/// [`integrity_check`]; with `but_search`, damage to the cases' full-text index alone (it
/// holds no record, and the open makes it again) passes: whether it did (the check is then to
/// be made again once the index is).
fn integrity_check_but(conn: &Connection, but_search: bool) -> Result<bool, StoreError> {
    let res: rusqlite::Result<Vec<String>> = conn
        .prepare("PRAGMA integrity_check(20)")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get::<_, String>(0))?.collect());
    let damaged = |what: String, search_only: bool| {
        StoreError::Integrity(match search_only {
            // Said as what it is: the open of a server makes the index again from the cases.
            true => format!(
                "the cases' full-text search index is damaged (SQLite integrity check: {what}); it holds no record: \
                 start `liuhen serve` on the directory once (it makes the index again from the cases), then run \
                 `liuhen verify --data`"
            ),
            false => format!(
                "the database file is damaged (SQLite integrity check: {what}); restore it from a backup, then run \
                 `liuhen verify --data`"
            ),
        })
    };
    match res {
        Ok(lines) if lines == ["ok"] => Ok(false),
        Ok(lines) if lines.iter().all(|l| l.contains("case_terms")) => match but_search {
            true => Ok(true),
            false => Err(damaged(lines.join("; "), true)),
        },
        Ok(lines) => Err(damaged(lines.join("; "), false)),
        Err(e) if e.to_string().contains("case_terms") => match but_search {
            true => Ok(true),
            false => Err(damaged(e.to_string(), true)),
        },
        Err(e) => Err(damaged(e.to_string(), false)),
    }
}

/// Entries from `from` on whose bytes no longer hash to their stored leaf, or whose leaf is not
/// the one their full tile holds, or that are missing: at most `max` problems, each naming
/// the entry.
pub(crate) fn leaf_problems(conn: &Connection, from: u64, max: usize) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let (count, end): (i64, i64) =
        conn.query_row("SELECT COUNT(*), COALESCE(MAX(idx) + 1, 0) FROM log_entries", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if count != end {
        out.push(format!(
            "the log holds {count} entries but its last is entry {}: entries were deleted from it",
            end - 1
        ));
    }
    let full_tiles = end as u64 / TILE_WIDTH;
    let mut tile_stmt = conn.prepare_cached("SELECT hashes FROM log_tiles WHERE level = 0 AND idx = ?1")?;
    let mut stmt = conn.prepare("SELECT idx, data, leaf FROM log_entries WHERE idx >= ?1 ORDER BY idx")?;
    let mut rows = stmt.query([from as i64])?;
    let mut expected_index = from;
    let mut tile: Option<(u64, Option<Vec<u8>>)> = None;
    while let Some(r) = rows.next()? {
        if out.len() >= max {
            break;
        }
        let index = r.get::<_, i64>(0)? as u64;
        if index != expected_index {
            out.push(format!("entry {expected_index} is missing from the log (deleted)"));
        }
        expected_index = index + 1;
        let data: Vec<u8> = r.get(1)?;
        let leaf: Vec<u8> = r.get(2)?;
        if liuhen_log::leaf_hash(&data).0.as_slice() != leaf.as_slice() {
            out.push(format!("entry {index}: its bytes no longer hash to the leaf recorded with it (changed)"));
            continue;
        }
        let t = index / TILE_WIDTH;
        if t < full_tiles {
            if tile.as_ref().map(|x| x.0) != Some(t) {
                let hashes: Option<Vec<u8>> = tile_stmt.query_row([t as i64], |r| r.get(0)).optional()?;
                tile = Some((t, hashes));
            }
            let at = (index % TILE_WIDTH) as usize * 32;
            match tile.as_ref().and_then(|x| x.1.as_ref()) {
                Some(h) if h.get(at..at + 32) == Some(leaf.as_slice()) => {}
                Some(_) => out.push(format!(
                    "entry {index}: its leaf is not the one tile/0/{t:03} holds (changed after it was recorded)"
                )),
                None => out.push(format!("tile 0/{t} is missing")),
            }
        }
    }
    out.truncate(max);
    Ok(out)
}

/// Full tiles above level 0 whose hashes are not the roots of the full tiles below them: at
/// most `max` problems, each naming the tile.
fn upper_tile_problems(conn: &Connection, max: usize) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let mut child = conn.prepare("SELECT hashes FROM log_tiles WHERE level = ?1 AND idx = ?2")?;
    let mut stmt = conn.prepare("SELECT level, idx, hashes FROM log_tiles WHERE level >= 1 ORDER BY level, idx")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        if out.len() >= max {
            break;
        }
        let (level, index, data): (u8, u64, Vec<u8>) = (r.get(0)?, r.get::<_, i64>(1)? as u64, r.get(2)?);
        let Ok(hashes) = decode_tile(&data, TILE_WIDTH as u16) else {
            out.push(format!("tile/{level}/{index:03} is malformed"));
            continue;
        };
        for (j, h) in hashes.iter().enumerate() {
            let below = index * TILE_WIDTH + j as u64;
            let data: Option<Vec<u8>> = child.query_row(params![level - 1, below as i64], |r| r.get(0)).optional()?;
            let root = data
                .and_then(|d| decode_tile(&d, TILE_WIDTH as u16).ok())
                .and_then(|t| liuhen_log::hash::perfect_root(&t));
            if root.as_ref() != Some(h) {
                out.push(format!(
                    "tile/{level}/{index:03}: hash {j} is not the root of tile/{}/{below:03} (changed after it was made)",
                    level - 1
                ));
                break;
            }
        }
    }
    Ok(out)
}

/// Rebuilds the writer's state: the size, the rightmost tile of each level (level 0 from the
/// entries' stored leaf hashes, higher levels from the roots of the full tiles below) and the
/// time of the last entry.
fn load_state(conn: &Connection) -> Result<(Tiler, i64), StoreError> {
    let size: i64 = conn.query_row("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries", [], |r| r.get(0))?;
    let size = size as u64;
    let mut rightmost = Vec::new();
    let mut level = 0u32;
    while level < 8 && (size >> (8 * level)) > 0 {
        let index = (size >> (8 * level)) / TILE_WIDTH;
        let width = (size >> (8 * level)) % TILE_WIDTH;
        let first = index * TILE_WIDTH;
        let hashes: Vec<Hash> = if level == 0 {
            let mut stmt = conn.prepare("SELECT leaf FROM log_entries WHERE idx >= ?1 ORDER BY idx")?;
            let leaves = stmt.query_map([first as i64], |r| r.get::<_, Vec<u8>>(0))?;
            let mut out = Vec::new();
            for l in leaves {
                out.push(
                    Hash::from_slice(&l?)
                        .ok_or_else(|| StoreError::Integrity("a stored leaf hash is malformed".into()))?,
                );
            }
            out
        } else {
            let mut stmt = conn.prepare("SELECT hashes FROM log_tiles WHERE level = ?1 AND idx = ?2")?;
            let mut out = Vec::new();
            for below in first..first + width {
                let data: Option<Vec<u8>> =
                    stmt.query_row(params![level - 1, below as i64], |r| r.get(0)).optional()?;
                let data =
                    data.ok_or_else(|| StoreError::Integrity(format!("tile {}/{below} is missing", level - 1)))?;
                let tile = decode_tile(&data, TILE_WIDTH as u16)
                    .map_err(|e| StoreError::Integrity(format!("tile {}/{below}: {e}", level - 1)))?;
                out.push(liuhen_log::hash::perfect_root(&tile).unwrap_or_default());
            }
            out
        };
        if hashes.len() as u64 != width {
            return Err(StoreError::Integrity(format!(
                "the rightmost tile of level {level} has {} hashes, expected {width}",
                hashes.len()
            )));
        }
        rightmost.push(hashes);
        level += 1;
    }
    let tiler = Tiler::resume(size, rightmost).map_err(|e| StoreError::Integrity(e.to_string()))?;
    let last: Option<Vec<u8>> =
        conn.query_row("SELECT data FROM log_entries ORDER BY idx DESC LIMIT 1", [], |r| r.get(0)).optional()?;
    let last_time = match last {
        Some(d) => {
            liuhen_log::Entry::decode(&d).map(|e| e.time_ms).map_err(|e| StoreError::Integrity(e.to_string()))?
        }
        None => 0,
    };
    Ok((tiler, last_time))
}

struct Writer {
    tiler: Tiler,
    last_time: i64,
    head: watch::Sender<Arc<Head>>,
    stats: Arc<WriterStats>,
    /// Committed groups go to the marker thread, which signs their receipts, records the new
    /// high-water mark and only then answers.
    marker: std::sync::mpsc::Sender<Marking>,
    commits_since_wal_checkpoint: u32,
    wal_checkpointed: Arc<AtomicBool>,
}

/// The writer thread: everything queued while the previous group committed forms the next
/// group.
fn writer_loop(mut conn: Connection, mut rx: mpsc::Receiver<WriteMsg>, mut w: Writer) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        let mut checkpoint = None;
        let mut operational = Vec::new();
        let mut next = Some(first);
        // No lingering for stragglers: measured here, waiting for more requests to join a
        // group costs the writer more than the larger group saves (`liuhen bench log`).
        while let Some(msg) = next.take() {
            match msg {
                WriteMsg::Append(a) => batch.push(a),
                WriteMsg::Operational { ops, reply } => operational.push((ops, reply)),
                cp @ WriteMsg::Checkpoint { .. } => {
                    checkpoint = Some(cp);
                    break;
                }
            }
            if batch.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !operational.is_empty() {
            commit_operational(&mut conn, operational);
        }
        if !batch.is_empty() {
            commit_batch(&mut conn, &mut w, &mut batch);
            w.commits_since_wal_checkpoint += 1;
            // The background thread copies most of the WAL; the writer finishes the few frames
            // left between two of its own transactions, so the WAL can restart from the top
            // instead of growing without end.
            if w.wal_checkpointed.swap(false, std::sync::atomic::Ordering::Acquire)
                || w.commits_since_wal_checkpoint >= WRITER_WAL_CHECKPOINT_EVERY
            {
                w.commits_since_wal_checkpoint = 0;
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                }
            }
        }
        if let Some(WriteMsg::Checkpoint { size, root, note, reply }) = checkpoint {
            let res = conn.execute(
                "INSERT INTO log_checkpoints (size, root, note, signed_at) VALUES (?1, ?2, ?3, ?4)",
                params![size as i64, root.0.as_slice(), note, now_ms()],
            );
            let _ = reply.send(res.map(|_| ()).map_err(StoreError::from));
        }
    }
}

/// Operational changes queued together share one transaction (and one fsync); each request
/// applies or fails alone.
/// Operational requests with their replies.
type OperationalGroup = Vec<(Vec<Op>, oneshot::Sender<Result<(), StoreError>>)>;

fn commit_operational(conn: &mut Connection, group: OperationalGroup) {
    let at = now_ms();
    let mut outcomes = Vec::with_capacity(group.len());
    let res = (|| -> Result<(), StoreError> {
        let mut tx = conn.transaction()?;
        for (ops, _) in &group {
            let sp = tx.savepoint()?;
            match apply_ops(&sp, ops, at, 0) {
                Ok(()) => {
                    sp.commit()?;
                    outcomes.push(Ok(()));
                }
                Err(e) => outcomes.push(Err(e)),
            }
        }
        tx.set_drop_behavior(rusqlite::DropBehavior::Rollback);
        tx.commit()?;
        Ok(())
    })();
    match res {
        Ok(()) => {
            for ((_, reply), outcome) in group.into_iter().zip(outcomes) {
                let _ = reply.send(outcome);
            }
        }
        Err(e) => {
            let reason = e.to_string();
            for (_, reply) in group {
                let _ = reply.send(Err(StoreError::Unavailable(reason.clone())));
            }
        }
    }
}

fn commit_batch(conn: &mut Connection, w: &mut Writer, batch: &mut Vec<Appending>) {
    let before = (w.tiler.clone(), w.last_time);
    let mut outcomes: Vec<Result<Receipt, StoreError>> = Vec::with_capacity(batch.len());
    match write_batch(conn, w, batch.as_mut_slice(), &mut outcomes) {
        Ok(()) => {
            let _ = w.head.send(Arc::new(Head::of(&w.tiler)));
            w.stats.commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            w.stats.entries.fetch_add(batch.len() as u64, std::sync::atomic::Ordering::Relaxed);
            let group: Replies = batch.drain(..).zip(outcomes).map(|(msg, outcome)| (msg.reply, outcome)).collect();
            if let Err(std::sync::mpsc::SendError(m)) = w.marker.send(Marking { group }) {
                // The marker is gone (shutdown): answer from here.
                for (reply, outcome) in m.group {
                    let _ = reply.send(outcome);
                }
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "log batch failed to commit; nothing in it was acknowledged");
            (w.tiler, w.last_time) = before;
            let reason = e.to_string();
            for msg in batch.drain(..) {
                let _ = msg.reply.send(Err(StoreError::Unavailable(reason.clone())));
            }
        }
    }
}

/// A committed group on its way to its answer: its replies (the receipts of the entries it
/// committed among them).
struct Marking {
    group: Replies,
}

/// `DATA/liuhen.db-mark`: the highest acknowledged size and the leaf of the last entry then,
/// kept outside the database (and fsync'd before any append is acknowledged): a log found
/// shorter at start — a truncated WAL, a database put back — names the acknowledged entries
/// it lost, and the server refuses to reuse their indexes.
pub fn mark_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-mark");
    PathBuf::from(p)
}

const MARK_HEADER: &str = "liuhen-mark/v1";

/// The mark's one line, always the same length (so it overwrites itself in place).
fn mark_line(size: u64, last_leaf: &Hash) -> String {
    format!("{MARK_HEADER} {size:020} {}\n", last_leaf.to_hex())
}

/// The acknowledged size and last leaf the mark holds (`None` without a mark: a new log, or one
/// made before marks existed).
pub fn read_mark(path: &Path) -> Result<Option<(u64, Hash)>, StoreError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) if t.is_empty() => return Ok(None),
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let parts: Vec<&str> = text.trim_end().split(' ').collect();
    match parts.as_slice() {
        [MARK_HEADER, size, leaf] => match (size.parse::<u64>(), Hash::from_hex(leaf)) {
            (Ok(size), Some(leaf)) => Ok(Some((size, leaf))),
            _ => Err(StoreError::Integrity(format!("{} is malformed", path.display()))),
        },
        _ => Err(StoreError::Integrity(format!("{} is malformed", path.display()))),
    }
}

/// Fails closed when the log holds fewer entries than were acknowledged, or another entry
/// where the last acknowledged one was.
/// `marked`: the database was opened before by a liuhen that keeps marks (its schema is
/// [`crate::migrate::MARKED_SINCE`] or later), so it had one whatever `meta` now says.
fn check_mark(conn: &Connection, path: &Path, size: u64, marked: bool) -> Result<(), StoreError> {
    let Some((acknowledged, leaf)) = read_mark(path)? else {
        // A log that has had a mark (since this version first opened it) must still have one:
        // `meta`'s word for it can be deleted with the mark, the schema's not without the
        // tables the later migrations made.
        let had: Option<String> =
            conn.query_row("SELECT value FROM meta WHERE key = 'mark'", [], |r| r.get(0)).optional()?;
        if (had.is_some() || marked) && size > 0 {
            return Err(StoreError::Integrity(format!(
                "{} is missing: the acknowledged entries can no longer be counted (restore it with the database from \
                 the same backup, or check every receipt with `liuhen verify --receipts`)",
                path.display()
            )));
        }
        return Ok(());
    };
    if acknowledged > size {
        return Err(StoreError::Integrity(format!(
            "the log holds {size} entries but {acknowledged} were acknowledged ({}): acknowledged entries {size}..{} \
             were lost (the database was put back or its WAL truncated); restore the database from a backup, then \
             run `liuhen verify --data`",
            path.display(),
            acknowledged - 1
        )));
    }
    if acknowledged > 0 {
        let stored: Option<Vec<u8>> = conn
            .query_row("SELECT leaf FROM log_entries WHERE idx = ?1", [acknowledged as i64 - 1], |r| r.get(0))
            .optional()?;
        if stored.as_deref() != Some(leaf.0.as_slice()) {
            return Err(StoreError::Integrity(format!(
                "entry {} is not the entry acknowledged there ({}): the log was rewritten from there on",
                acknowledged - 1,
                path.display()
            )));
        }
    }
    Ok(())
}

/// The marker thread: for each committed group, signs its receipts (one signature a group),
/// writes and fsyncs the new mark (once for every group that queued meanwhile), then answers.
/// The writer goes on committing the next group while this one is marked.
fn spawn_marker(
    path: &Path,
    origin: String,
    signer: Option<liuhen_log::NoteSigner>,
    replies: mpsc::UnboundedSender<Replies>,
    size: u64,
    last_leaf: Option<Hash>,
) -> Result<std::sync::mpsc::Sender<Marking>, StoreError> {
    let file = std::fs::OpenOptions::new().create(true).truncate(false).read(true).write(true).open(path)?;
    // A log made before marks existed gets one now, for what it holds at open (checked above).
    if let (0, Some(last)) = (file.metadata()?.len(), last_leaf) {
        use std::os::unix::fs::FileExt;
        file.write_all_at(mark_line(size, &last).as_bytes(), 0)?;
        file.sync_data()?;
    }
    let (tx, rx) = std::sync::mpsc::channel::<Marking>();
    let mut marked = size;
    std::thread::Builder::new().name("liuhen-log-marker".to_string()).spawn(move || {
        use std::os::unix::fs::FileExt;
        while let Ok(first) = rx.recv() {
            let mut all = vec![first];
            all.extend(rx.try_iter());
            let mut last: Option<(u64, Hash)> = None;
            for m in &mut all {
                let leaves: Vec<(usize, u64, Hash)> = (m.group.iter().enumerate())
                    .filter_map(|(i, (_, o))| o.as_ref().ok().map(|r| (i, r.index, r.leaf)))
                    .collect();
                if let (Some(signer), Some(&(_, first_index, _))) = (&signer, leaves.first()) {
                    let hashes: Vec<Hash> = leaves.iter().map(|l| l.2).collect();
                    let signed = liuhen_log::receipt::group_receipts(&origin, first_index, &hashes, signer);
                    for ((i, _, _), r) in leaves.iter().zip(signed) {
                        if let Ok(rec) = &mut m.group[*i].1 {
                            rec.signed = Some(r);
                        }
                    }
                }
                if let Some(&(_, index, leaf)) = leaves.last() {
                    last = Some((index + 1, leaf));
                }
            }
            if let Some((size, leaf)) = last.filter(|(s, _)| *s > marked) {
                let res = file.write_all_at(mark_line(size, &leaf).as_bytes(), 0).and_then(|()| file.sync_data());
                match res {
                    Ok(()) => marked = size,
                    Err(e) => tracing::error!(error = %e, "the high-water mark was not written"),
                }
            }
            for m in all {
                if let Err(mpsc::error::SendError(group)) = replies.send(m.group) {
                    for (reply, outcome) in group {
                        let _ = reply.send(outcome);
                    }
                }
            }
        }
    })?;
    Ok(tx)
}

/// Rows per multi-row `INSERT` of log entries: one statement step per chunk instead of per
/// entry.
const INSERT_CHUNK: usize = 32;

fn write_batch(
    conn: &mut Connection,
    w: &mut Writer,
    batch: &mut [Appending],
    outcomes: &mut Vec<Result<Receipt, StoreError>>,
) -> Result<(), StoreError> {
    let mut tx = conn.transaction()?;
    let mut full_tiles: Vec<(u8, u64, Vec<Hash>)> = Vec::new();
    let mut rows: Vec<(i64, Vec<u8>, Hash, Option<&str>)> = Vec::with_capacity(batch.len());
    // One server time per group: it committed as one.
    let time_ms = now_ms().max(w.last_time);
    for msg in batch.iter_mut() {
        if !msg.ops.is_empty() {
            let sp = tx.savepoint()?;
            // A row the entry writes takes the entry's index (plus one) as its version.
            match apply_ops(&sp, &msg.ops, time_ms, w.tiler.size() + 1) {
                Ok(()) => sp.commit()?,
                Err(e) => {
                    drop(sp); // rolls back this request's changes only
                    outcomes.push(Err(e));
                    continue;
                }
            }
        }
        let index = w.tiler.size();
        let (bytes, leaf) = msg.entry.take_encoded_at(index, time_ms);
        full_tiles.extend(w.tiler.push(leaf));
        outcomes.push(Ok(Receipt { index, time_ms, leaf, signed: None }));
        rows.push((index as i64, bytes, leaf, msg.entry.case()));
    }
    w.last_time = time_ms;
    {
        let mut chunks = rows.chunks_exact(INSERT_CHUNK);
        if chunks.len() > 0 {
            let mut insert = tx.prepare_cached(&multi_row_insert(INSERT_CHUNK))?;
            let mut params: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(4 * INSERT_CHUNK);
            for chunk in chunks.by_ref() {
                params.clear();
                for (index, bytes, leaf, case) in chunk {
                    params.extend([index as &dyn rusqlite::ToSql, bytes, &leaf.0, case]);
                }
                insert.execute(params.as_slice())?;
            }
        }
        let mut insert = tx.prepare_cached(&multi_row_insert(1))?;
        for (index, bytes, leaf, case) in chunks.remainder() {
            insert.execute(params![index, bytes, leaf.0.as_slice(), case])?;
        }
    }
    if !full_tiles.is_empty() {
        let mut stmt = tx.prepare_cached("INSERT INTO log_tiles (level, idx, hashes) VALUES (?1, ?2, ?3)")?;
        for (level, index, hashes) in full_tiles {
            stmt.execute(params![level, index as i64, encode_tile(&hashes)])?;
        }
    }
    tx.set_drop_behavior(rusqlite::DropBehavior::Rollback);
    tx.commit()?;
    Ok(())
}

/// `INSERT INTO log_entries … VALUES (?,?,?,?), …` for `rows` rows.
fn multi_row_insert(rows: usize) -> String {
    let mut sql = String::from("INSERT INTO log_entries (idx, data, leaf, case_id) VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?)");
    }
    sql
}

/// Applies one request's projection changes. A row a change creates or updates carries `at`,
/// the time of the entry that records the change, whatever time the caller put in it: so a
/// projection's times are the log's, and rebuilding gives the same ones. So does `version`, one
/// more than the entry's index (0 for operational changes, which write no versioned row).
fn apply_ops(conn: &Connection, ops: &[Op], at: i64, version: u64) -> Result<(), StoreError> {
    for op in ops {
        match op {
            Op::PutOpening { commitment, salt, content } => {
                conn.prepare_cached(
                    "INSERT INTO openings (commitment, salt, content) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                )?
                .execute(params![commitment.0.as_slice(), salt.as_slice(), content])?;
            }
            Op::RecordBlob(b) => insert_blob(conn, b)?,
            Op::CreateSession { token_sha256, user_id, created_at_ms: _, expires_at_ms, name } => {
                // Made at the time of the entry that records it, like every projection row.
                conn.prepare_cached(
                    "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at, name) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![token_sha256.0.as_slice(), user_id, at, expires_at_ms, name])?;
            }
            Op::SetPassword { user_id, password_hash, must_change_password } => {
                conn.prepare_cached("UPDATE users SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1")?
                    .execute(params![user_id, password_hash, must_change_password])?;
            }
            Op::DecideGrant { user_id, role } => {
                conn.prepare_cached("UPDATE users SET role = ?2, pending_roles = '' WHERE id = ?1")?
                    .execute(params![user_id, role])?;
            }
            Op::SetTotp { user_id, secret, enabled } => {
                conn.prepare_cached("UPDATE users SET totp_secret = ?2, totp_enabled = ?3 WHERE id = ?1")?
                    .execute(params![user_id, secret, enabled])?;
            }
            Op::ClassifyCase { case_id, class, expected } => {
                if let Some(e) = expected {
                    let now: Option<String> = conn
                        .prepare_cached("SELECT confidentiality FROM cases WHERE id = ?1")?
                        .query_row([case_id], |r| r.get(0))
                        .optional()?;
                    if now.as_deref() != Some(e.as_str()) {
                        return Err(StoreError::Conflict(format!("案件 {case_id} 的密级已不是 {e}")));
                    }
                }
                conn.prepare_cached("UPDATE cases SET confidentiality = ?2 WHERE id = ?1")?
                    .execute(params![case_id, class])?;
            }
            Op::EndSession { token_sha256, at_ms } => {
                conn.prepare_cached("UPDATE sessions SET expires_at = MIN(expires_at, ?2) WHERE token_sha256 = ?1")?
                    .execute(params![token_sha256.0.as_slice(), at_ms])?;
            }
            Op::ReplaceProjections(scratch) => {
                // Computed from fewer entries than the log now holds before this one: the
                // entries appended meanwhile would be lost from the projections.
                if let Some(n) = scratch.through()
                    && n + 1 != version
                {
                    return Err(StoreError::Stale(format!(
                        "the projections were computed from {n} entries; the log has {} now",
                        version - 1
                    )));
                }
                install_projections(conn, scratch)?
            }
            Op::PutRecording { record, expected_version } => put_row(conn, record, *expected_version, at, version)?,
            Op::PutSetting { record, expected_version } => put_row(conn, record, *expected_version, at, version)?,
            Op::RecordDeviceEvent { device, event, expected_version } => {
                put_row(conn, device, Some(*expected_version), at, version)?;
                insert_device_event(conn, event)?;
            }
            Op::PutDocument { record, expected_version } => put_row(conn, record, *expected_version, at, version)?,
            Op::PutPublication { record, expected_version } => put_row(conn, record, *expected_version, at, version)?,
            Op::PutSigningKey { record, expected_version } => put_row(conn, record, *expected_version, at, version)?,
            Op::PutDocNumber { record, expected_version } => put_row(conn, record, *expected_version, at, version)?,
            Op::PutAnnualStatistics { record, expected_version } => {
                put_row(conn, record, *expected_version, at, version)?
            }
            Op::PutPartyInspections { record, expected_version } => {
                put_row(conn, record, *expected_version, at, version)?
            }
            Op::PutCaseFile { record, expected_version } => put_row(conn, record, *expected_version, at, version)?,
            Op::PutRecordMark { record, expected_version } => put_row(conn, record, *expected_version, at, version)?,
            Op::PutMatter(m) => put_matter(conn, &MatterRecord { created_at_ms: at, ..m.clone() })?,
            Op::CreateOfficer(o) => insert_officer(conn, &OfficerRecord { created_at_ms: at, ..o.clone() })?,
            Op::CreateCase(c) => insert_case(conn, &CaseRecord { opened_at_ms: at, updated_at_ms: at, ..c.clone() })?,
            Op::UpdateCase { record: c, expected_version } => {
                let n = conn
                    .prepare_cached(
                        "UPDATE cases SET state = ?2, version = ?3, updated_at = ?4, data = ?5, party = ?7, officers = ?8, \
                         counted_at = ?9 WHERE id = ?1 AND version = ?6",
                    )?
                    .execute(params![
                        c.id,
                        c.state,
                        c.version as i64,
                        at,
                        c.data,
                        *expected_version as i64,
                        c.party,
                        c.officers,
                        c.counted_at_ms
                    ])?;
                if n == 0 {
                    return Err(StoreError::Conflict(format!("案件已被修改（期望版本 {expected_version}）")));
                }
            }
            Op::CreateUser(u) => insert_user(conn, &UserRecord { created_at_ms: at, ..u.clone() })?,
            Op::SetTasks { case_id, source, rows } => {
                conn.prepare_cached("DELETE FROM case_tasks WHERE case_id = ?1 AND source = ?2")?
                    .execute([case_id, source])?;
                for t in rows {
                    insert_task(conn, &TaskRecord { case_id: case_id.clone(), source: source.clone(), ..t.clone() })?;
                }
            }
            Op::SetDeadlines { case_id, rows } => {
                conn.prepare_cached("DELETE FROM case_deadlines WHERE case_id = ?1")?.execute([case_id])?;
                for d in rows {
                    insert_deadline(conn, &DeadlineRecord { case_id: case_id.clone(), ..d.clone() })?;
                }
            }
            Op::CountFailure { key, at, window_ms, max, lock_ms } => {
                conn.prepare_cached(
                    "INSERT INTO throttle (key, failures, first_at, locked_until) VALUES (?1, 1, ?2, 0) \
                     ON CONFLICT (key) DO UPDATE SET \
                       failures = CASE WHEN ?2 - first_at > ?3 THEN 1 ELSE failures + 1 END, \
                       first_at = CASE WHEN ?2 - first_at > ?3 THEN ?2 ELSE first_at END",
                )?
                .execute(params![key, at, window_ms])?;
                conn.prepare_cached("UPDATE throttle SET locked_until = ?2 + ?4 WHERE key = ?1 AND failures >= ?3")?
                    .execute(params![key, at, max, lock_ms])?;
            }
            Op::ClearFailures { key } => {
                conn.prepare_cached("UPDATE throttle SET failures = 0, locked_until = 0 WHERE key = ?1")?
                    .execute([key])?;
            }
            Op::NoteRefused { key, at } => {
                conn.prepare_cached(
                    "UPDATE throttle SET refused = refused + 1, \
                     refused_first = CASE WHEN refused = 0 THEN ?2 ELSE refused_first END, refused_last = ?2 \
                     WHERE key = ?1",
                )?
                .execute(params![key, at])?;
            }
            Op::SummarisedRefused { key, count } => {
                // Attempts refused since the summary was read stay for the next one.
                conn.prepare_cached(
                    "UPDATE throttle SET refused = MAX(refused - ?2, 0), \
                     refused_first = CASE WHEN refused - ?2 > 0 THEN refused_last ELSE 0 END, \
                     refused_last = CASE WHEN refused - ?2 > 0 THEN refused_last ELSE 0 END WHERE key = ?1",
                )?
                .execute(params![key, *count as i64])?;
            }
        }
    }
    Ok(())
}

fn insert_task(conn: &Connection, t: &TaskRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO case_tasks (case_id, source, n, roles, task, command, document) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![t.case_id, t.source, t.n, t.roles, t.task, t.command, t.document])?;
    Ok(())
}

/// The family of an entry's action (its text up to and including its first dot), word for word
/// the expression of the indexes by family (so they serve the queries that use it).
const FAMILY: &str = "substr(json_extract(CAST(data AS TEXT), '$.action'), 1, \
                      instr(json_extract(CAST(data AS TEXT), '$.action'), '.'))";

/// `Invalid` unless each of `families` is one: text up to and including its first dot.
fn family_check(families: &[&str]) -> Result<(), StoreError> {
    match families.iter().find(|a| a.find('.') != Some(a.len() - 1)) {
        Some(a) => Err(StoreError::Invalid(format!("{a:?} is not an action family (text up to its first dot)"))),
        None => Ok(()),
    }
}

/// A deadline from its columns in table order (`case_id, n, code, label, source, due_at, record`).
fn deadline_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeadlineRecord> {
    Ok(DeadlineRecord {
        case_id: r.get(0)?,
        n: r.get(1)?,
        code: r.get(2)?,
        label: r.get(3)?,
        source: r.get(4)?,
        due_at_ms: r.get(5)?,
        record: r.get(6)?,
    })
}

/// A task from its columns in table order (`case_id, source, n, roles, task, command, document`).
fn task_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TaskRecord> {
    Ok(TaskRecord {
        case_id: r.get(0)?,
        source: r.get(1)?,
        n: r.get(2)?,
        roles: r.get(3)?,
        task: r.get(4)?,
        command: r.get(5)?,
        document: r.get(6)?,
    })
}

fn insert_deadline(conn: &Connection, d: &DeadlineRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO case_deadlines (case_id, n, code, label, source, due_at, record) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![d.case_id, d.n, d.code, d.label, d.source, d.due_at_ms, d.record])?;
    Ok(())
}

fn insert_blob(conn: &Connection, b: &liuhen_log::BlobRef) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO blobs (sha256, size) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
        .execute(params![b.sha256.0.as_slice(), b.size as i64])?;
    Ok(())
}

/// How a [`VersionedRow`] is read from and bound to SQLite: its fields, in the order of its
/// columns.
trait SqliteRow: VersionedRow {
    /// The fields' names, in the order of the columns (checked against them by a test).
    #[cfg(test)]
    const FIELDS: &'static [&'static str];
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
    fn params(&self) -> Vec<&dyn rusqlite::ToSql>;
}

macro_rules! sqlite_row {
    ($t:ty { $($f:ident),+ }) => {
        impl SqliteRow for $t {
            #[cfg(test)]
            const FIELDS: &'static [&'static str] = &[$(stringify!($f)),+];
            fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                let mut column = 0..;
                Ok(Self { $($f: r.get(column.next().unwrap_or_default())?),+ })
            }
            fn params(&self) -> Vec<&dyn rusqlite::ToSql> {
                vec![$(&self.$f),+]
            }
        }
    };
}

sqlite_row!(RecordingRecord { id, sha256, size, case_id, uploaded_by, created_at_ms, data, version });
sqlite_row!(DocumentRecord { id, case_id, code, state, superseded_by, data, updated_at_ms, version });
sqlite_row!(RecordMarkRecord { case_id, kind, record, data, updated_at_ms, version });
sqlite_row!(PublicationRecord { case_id, published_at_ms, data, updated_at_ms, version });
sqlite_row!(SigningKeyRecord { key_id, user_id, current, data, updated_at_ms, version });
sqlite_row!(DocNumberRecord { doc_no, case_id, document, series, n, updated_at_ms, version });
sqlite_row!(AnnualStatisticsRecord { year, data, updated_at_ms, version });
sqlite_row!(PartyInspectionsRecord { party, year, cases, updated_at_ms, version });
sqlite_row!(CaseFileRecord { case_id, state, archive_no, data, updated_at_ms, version });
sqlite_row!(DeviceRecord { number, status, holder, data, events, updated_at_ms, version });
sqlite_row!(SettingRecord { key, data, updated_at_ms, version });

// The columns of the versioned rows, for the reads that name them.
const RECORDING_COLUMNS: &str = RecordingRecord::COLUMNS;
const DOCUMENT_COLUMNS: &str = DocumentRecord::COLUMNS;
const RECORD_MARK_COLUMNS: &str = RecordMarkRecord::COLUMNS;
const PUBLICATION_COLUMNS: &str = PublicationRecord::COLUMNS;
const SIGNING_KEY_COLUMNS: &str = SigningKeyRecord::COLUMNS;
const DOC_NUMBER_COLUMNS: &str = DocNumberRecord::COLUMNS;
const ANNUAL_STATISTICS_COLUMNS: &str = AnnualStatisticsRecord::COLUMNS;
const PARTY_INSPECTIONS_COLUMNS: &str = PartyInspectionsRecord::COLUMNS;
const DEVICE_COLUMNS: &str = DeviceRecord::COLUMNS;
const CASE_FILE_COLUMNS: &str = CaseFileRecord::COLUMNS;

/// A page of the case files in a state, oldest last step first: a range of `case_files_by_state`.
const EXPIRING_SQL: &str = "SELECT case_id FROM case_files INDEXED BY case_files_by_keep_until WHERE state = 'filed' \
     AND json_extract(data, '$.filed.keep_until') <= ?1 \
     AND (json_extract(data, '$.filed.keep_until'), case_id) > (?2, ?3) \
     ORDER BY json_extract(data, '$.filed.keep_until'), case_id LIMIT ?4";

const IN_DISPOSAL_SQL: &str = "SELECT id FROM recordings INDEXED BY recordings_by_disposal WHERE json_extract(data, '$.disposal.state') = ?1 \
     AND (json_extract(data, '$.disposal.requested.at'), id) > (?2, ?3) \
     ORDER BY json_extract(data, '$.disposal.requested.at'), id LIMIT ?4";

fn case_file_page_sql() -> String {
    format!(
        "SELECT {CASE_FILE_COLUMNS} FROM case_files WHERE state = ?1 AND (updated_at, case_id) > (?2, ?3) \
         ORDER BY updated_at, case_id LIMIT ?4"
    )
}

/// The insert of a row of `R` (bound ?1, ?2… in the order of its columns); with `upsert`, a row
/// already there under its key takes the new values of every column but its key and kept ones.
fn insert_sql<R: VersionedRow>(upsert: bool) -> String {
    let cols: Vec<&str> = R::COLUMNS.split(',').map(str::trim).collect();
    let marks = (1..=cols.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let mut sql = format!("INSERT INTO {} ({}) VALUES ({marks})", R::TABLE, R::COLUMNS);
    if upsert {
        let set = changed::<R>().map(|(_, c)| format!("{c} = excluded.{c}")).collect::<Vec<_>>();
        sql.push_str(&format!(" ON CONFLICT ({}) DO UPDATE SET {}", R::KEY.join(", "), set.join(", ")));
    }
    sql
}

/// The update of a row of `R` while it is at version `?{n + 1}` (its `n` columns bound as for
/// [`insert_sql`]).
fn update_sql<R: VersionedRow>() -> String {
    let cols: Vec<&str> = R::COLUMNS.split(',').map(str::trim).collect();
    let set = changed::<R>().map(|(i, c)| format!("{c} = ?{i}")).collect::<Vec<_>>();
    let key = cols.iter().enumerate().filter(|(_, c)| R::KEY.contains(c)).map(|(i, c)| format!("{c} = ?{}", i + 1));
    let mut wheres = key.collect::<Vec<_>>();
    wheres.push(format!("version = ?{}", cols.len() + 1));
    format!("UPDATE {} SET {} WHERE {}", R::TABLE, set.join(", "), wheres.join(" AND "))
}

/// The columns a later write of `R` changes (all but its key and kept ones), with their
/// parameter's number.
fn changed<R: VersionedRow>() -> impl Iterator<Item = (usize, &'static str)> {
    R::COLUMNS
        .split(',')
        .map(str::trim)
        .enumerate()
        .map(|(i, c)| (i + 1, c))
        .filter(|(_, c)| !R::KEY.contains(c) && !R::KEPT.contains(c))
}

/// `record` written by the entry at `at` whose index is `version - 1`: whatever is there
/// replaced (`expected` `None`), created (`Some(0)`: `Stale` if its key is taken), or replaced
/// while still at the version read (`Some(v)`: `Stale` otherwise, no row changed).
fn put_row<R: SqliteRow>(
    conn: &Connection,
    record: &R,
    expected: Option<u64>,
    at: i64,
    version: u64,
) -> Result<(), StoreError> {
    let mut r = record.clone();
    r.stamp(at, version);
    match expected {
        None => write_row(conn, &r, true).map(drop).map_err(StoreError::from),
        Some(0) => match write_row(conn, &r, false) {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                Err(StoreError::Stale(format!("{} 已存在", r.what())))
            }
            other => other.map(drop).map_err(StoreError::from),
        },
        Some(v) => {
            let mut params = r.params();
            params.push(&v);
            match conn.prepare_cached(&update_sql::<R>())?.execute(&*params)? {
                0 => Err(StoreError::Stale(format!("{} 已被修改（期望版本 {v}）", r.what()))),
                _ => Ok(()),
            }
        }
    }
}

/// Inserts `r` as it is (times and version included); with `upsert`, a row there under its key
/// takes its changed columns.
fn write_row<R: SqliteRow>(conn: &Connection, r: &R, upsert: bool) -> rusqlite::Result<usize> {
    conn.prepare_cached(&insert_sql::<R>(upsert))?.execute(&*r.params())
}

/// The highest number of series `?1`: the last entry of the series' index.
const SERIES_LAST_SQL: &str = "SELECT COALESCE(MAX(n), 0) FROM doc_numbers WHERE series = ?1 AND series IS NOT NULL";

/// A page of the published decisions before (`?1` time, `?2` case), `?3` rows.
fn publication_page_sql() -> String {
    format!(
        "SELECT {PUBLICATION_COLUMNS} FROM publications WHERE published_at IS NOT NULL \
         AND (published_at, case_id) < (?1, ?2) ORDER BY published_at DESC, case_id DESC LIMIT ?3"
    )
}

const DEVICE_EVENT_COLUMNS: &str = "device, n, kind, at, actor, data";

fn device_event_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceEventRecord> {
    Ok(DeviceEventRecord {
        device: r.get(0)?,
        n: r.get::<_, i64>(1)? as u64,
        kind: r.get(2)?,
        at_ms: r.get(3)?,
        actor: r.get(4)?,
        data: r.get(5)?,
    })
}

/// Adds a line to a device's ledger: `Conflict` if it has that line already.
fn insert_device_event(conn: &Connection, e: &DeviceEventRecord) -> Result<(), StoreError> {
    let res = conn
        .prepare_cached(&format!("INSERT INTO device_events ({DEVICE_EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"))?
        .execute(params![e.device, e.n as i64, e.kind, e.at_ms, e.actor, e.data]);
    match res {
        Err(rusqlite::Error::SqliteFailure(err, _)) if err.code == rusqlite::ErrorCode::ConstraintViolation => {
            Err(StoreError::Conflict(format!("设备 {} 的台账已有第 {} 条", e.device, e.n)))
        }
        other => other.map(drop).map_err(StoreError::from),
    }
}

fn put_matter(conn: &Connection, m: &MatterRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO matters (code, name, data, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, data = excluded.data, created_at = excluded.created_at",
    )?
    .execute(params![m.code, m.name, m.data, m.created_at_ms])?;
    Ok(())
}

fn insert_officer(conn: &Connection, o: &OfficerRecord) -> Result<(), StoreError> {
    let res = conn
        .prepare_cached(
            "INSERT INTO officers (id, name, cert_no, cert_valid_from, cert_valid_to, cert_status, cert_scope, \
             legal_qualification, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            o.id,
            o.name,
            o.cert_no,
            o.cert_valid_from,
            o.cert_valid_to,
            o.cert_status,
            o.cert_scope,
            o.legal_qualification,
            o.created_at_ms
        ]);
    unique_conflict(res, || format!("执法证号 {} 已登记", o.cert_no))
}

fn insert_case(conn: &Connection, c: &CaseRecord) -> Result<(), StoreError> {
    let res = conn
        .prepare_cached(
            "INSERT INTO cases (id, case_no, case_type, state, version, matter, opened_at, updated_at, data, \
             opened_by, unit, confidentiality, party, officers, counted_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?
        .execute(params![
            c.id,
            c.case_no,
            c.case_type,
            c.state,
            c.version as i64,
            c.matter,
            c.opened_at_ms,
            c.updated_at_ms,
            c.data,
            c.opened_by,
            c.unit,
            c.confidentiality,
            c.party,
            c.officers,
            c.counted_at_ms
        ]);
    unique_conflict(res, || format!("案号 {} 已存在", c.case_no))
}

fn insert_user(conn: &Connection, u: &UserRecord) -> Result<(), StoreError> {
    let res = conn
        .prepare_cached(
            "INSERT INTO users (id, username, role, password_hash, must_change_password, created_at, \
             officer_id, unit, totp_secret, totp_enabled, pending_roles, display_name) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            u.id,
            u.username,
            u.role,
            u.password_hash,
            u.must_change_password,
            u.created_at_ms,
            u.officer_id,
            u.unit,
            u.totp_secret,
            u.totp_enabled,
            u.pending_roles,
            u.display_name
        ]);
    match res {
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
            Err(StoreError::Duplicate(format!("用户名 {} 已被使用", u.username)))
        }
        r => r.map(|_| ()).map_err(StoreError::from),
    }
}

/// Maps a uniqueness violation to `Duplicate`.
fn unique_conflict(res: rusqlite::Result<usize>, why: impl FnOnce() -> String) -> Result<(), StoreError> {
    match res {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            Err(StoreError::Duplicate(why()))
        }
        r => r.map(|_| ()).map_err(StoreError::from),
    }
}

fn officer_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OfficerRecord> {
    Ok(OfficerRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        cert_no: r.get(2)?,
        cert_valid_from: r.get(3)?,
        cert_valid_to: r.get(4)?,
        cert_status: r.get(5)?,
        cert_scope: r.get(6)?,
        legal_qualification: r.get(7)?,
        created_at_ms: r.get(8)?,
    })
}

fn case_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseRecord> {
    Ok(CaseRecord {
        id: r.get(0)?,
        case_no: r.get(1)?,
        case_type: r.get(2)?,
        state: r.get(3)?,
        version: r.get::<_, i64>(4)? as u64,
        matter: r.get(5)?,
        opened_at_ms: r.get(6)?,
        updated_at_ms: r.get(7)?,
        data: r.get(8)?,
        opened_by: r.get(9)?,
        unit: r.get(10)?,
        confidentiality: r.get(11)?,
        party: r.get(12)?,
        officers: r.get(13)?,
        counted_at_ms: r.get(14)?,
    })
}

/// The condition that a case (its columns prefixed `p`) is one `s` sees, as one disjunction,
/// with `args` and the arguments it adds.
fn seen_by_sql(
    s: &crate::SeenBy,
    mut args: Vec<rusqlite::types::Value>,
    p: &str,
) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as V;
    if s.all {
        return ("1".to_string(), args);
    }
    let mut arg = |v: V| {
        args.push(v);
        format!("?{}", args.len())
    };
    let mut any = Vec::new();
    if s.unrestricted {
        any.push(format!("{p}confidentiality NOT IN ('commercial_secret', 'personal_privacy')"));
    }
    if let Some(u) = &s.unit {
        any.push(format!("{p}unit = {}", arg(V::Text(u.clone()))));
    }
    if let Some(o) = &s.opener {
        any.push(format!("{p}opened_by = {}", arg(V::Text(o.clone()))));
    }
    if let Some(o) = &s.officer {
        any.push(format!("instr({p}officers, {}) > 0", arg(V::Text(format!(",{o},")))));
    }
    let cond = if any.is_empty() { "0".to_string() } else { format!("({})", any.join(" OR ")) };
    (cond, args)
}

/// `term` as a phrase of the trigram index `case_terms` (its quotes doubled), which finds the
/// rows holding it exactly as `instr` would; `None` for a term of fewer than three characters,
/// which a trigram index cannot find.
fn trigram_phrase(term: &str) -> Option<String> {
    (term.chars().count() >= 3).then(|| format!("\"{}\"", term.replace('"', "\"\"")))
}

/// The conditions `f` puts on the cases (columns prefixed by `p`), their values given to `arg`.
fn case_filter_sql(
    f: &crate::CaseFilter,
    arg: &mut impl FnMut(rusqlite::types::Value) -> String,
    p: &str,
) -> Vec<String> {
    use rusqlite::types::Value as V;
    let mut conds = Vec::new();
    for (col, v) in [("case_type", &f.kind), ("unit", &f.unit), ("matter", &f.matter)] {
        if let Some(v) = v {
            conds.push(format!("{p}{col} = {}", arg(V::Text(v.clone()))));
        }
    }
    if let Some(o) = &f.officer {
        conds.push(format!("instr({p}officers, {}) > 0", arg(V::Text(format!(",{o},")))));
    }
    conds
}

/// The SQL of a page of cases and its arguments, in order.
fn case_page_sql(q: &crate::CaseQuery) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value as V;
    // Who sees it: the policy's answer (`SeenBy`).
    let (seen, mut args) = seen_by_sql(&q.seen_by, Vec::new(), "");
    let mut arg = |v: V| {
        args.push(v);
        format!("?{}", args.len())
    };
    let mut conds = vec![seen];
    let filter = crate::CaseFilter {
        kind: q.kind.clone(),
        unit: q.unit.clone(),
        officer: q.officer.clone(),
        matter: q.matter.clone(),
    };
    conds.extend(case_filter_sql(&filter, &mut arg, ""));
    if let Some(v) = &q.state {
        conds.push(format!("state = {}", arg(V::Text(v.clone()))));
    }
    if let Some(t) = q.opened_from_ms {
        conds.push(format!("opened_at >= {}", arg(V::Integer(t))));
    }
    if let Some(t) = q.opened_before_ms {
        conds.push(format!("opened_at < {}", arg(V::Integer(t))));
    }
    if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // Three characters or more: the cases the trigram index names; fewer: a pass.
        match trigram_phrase(t) {
            Some(p) => conds
                .push(format!("rowid IN (SELECT rowid FROM case_terms WHERE case_terms MATCH {})", arg(V::Text(p)))),
            None => {
                // Latin letters in either case, as the trigram index folds them (ASCII's here).
                let n = arg(V::Text(t.to_ascii_lowercase()));
                conds.push(format!(
                    "(instr(lower(case_no), {n}) > 0 OR instr(lower(party), {n}) > 0 OR instr(lower(matter), {n}) > 0)"
                ));
            }
        }
    }
    if let Some((at, id)) = &q.after {
        let (a, i) = (arg(V::Integer(*at)), arg(V::Text(id.clone())));
        conds.push(format!("(updated_at < {a} OR (updated_at = {a} AND id < {i}))"));
    }
    let filter = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
    let limit = arg(V::Integer(i64::from(q.limit)));
    // The page's rows found first by what the filters and the order read (the cases' JSON
    // read for none of them), then read whole: a search's matches are sorted, not their data.
    let order = "ORDER BY updated_at DESC, id DESC";
    (
        format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE rowid IN (SELECT rowid FROM cases{filter} {order} LIMIT {limit}) {order}"
        ),
        args,
    )
}

const OFFICER_COLUMNS: &str =
    "id, name, cert_no, cert_valid_from, cert_valid_to, cert_status, cert_scope, legal_qualification, created_at";
const CASE_COLUMNS: &str = "id, case_no, case_type, state, version, matter, opened_at, updated_at, data, opened_by, \
     unit, confidentiality, party, officers, counted_at";
const USER_COLUMNS: &str = "id, username, role, password_hash, must_change_password, created_at, officer_id, unit, \
     totp_secret, totp_enabled, pending_roles, display_name";

async fn checkpointer(inner: Weak<Inner>) {
    let Some(interval) = inner.upgrade().map(|i| i.config.checkpoint_interval) else {
        return;
    };
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let store = SqliteStore { inner };
        if let Err(e) = store.sign_checkpoint().await {
            tracing::error!(error = %e, "checkpoint not signed");
        }
    }
}

fn user_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        id: row.get(0)?,
        username: row.get(1)?,
        role: row.get(2)?,
        password_hash: row.get(3)?,
        must_change_password: row.get(4)?,
        created_at_ms: row.get(5)?,
        officer_id: row.get(6)?,
        unit: row.get(7)?,
        totp_secret: row.get(8)?,
        totp_enabled: row.get(9)?,
        pending_roles: row.get(10)?,
        display_name: row.get(11)?,
    })
}

impl Log for SqliteStore {
    async fn append(&self, req: AppendRequest) -> Result<Receipt, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.writer()?
            .send(WriteMsg::Append(Appending { entry: req.draft.into_prepared(), ops: req.ops, reply }))
            .await
            .map_err(|_| StoreError::Unavailable("log writer stopped".to_string()))?;
        rx.await.map_err(|_| StoreError::Unavailable("log writer stopped".to_string()))?
    }

    fn tree_size(&self) -> u64 {
        self.inner.head.borrow().size
    }

    async fn committed_size(&self) -> Result<u64, StoreError> {
        let next: i64 =
            self.read(|c| c.query_row("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries", [], |r| r.get(0)))?;
        Ok(next as u64)
    }

    async fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        if start > end || end - start > 4096 {
            return Err(StoreError::Invalid("entry range must be at most 4096 entries".to_string()));
        }
        let rows = self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT data FROM log_entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")?;
            let rows = stmt.query_map(params![start as i64, end as i64], |r| r.get::<_, Vec<u8>>(0))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        if rows.len() as u64 != end - start {
            return Err(StoreError::NotFound);
        }
        Ok(rows)
    }

    async fn tile(&self, level: u8, index: u64) -> Result<Vec<u8>, StoreError> {
        self.tile_bytes(level, index)?.ok_or(StoreError::NotFound)
    }

    async fn latest_checkpoint(&self) -> Result<String, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1")?
                .query_row([], |r| r.get(0))
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn checkpoint_at_least(&self, size: u64) -> Result<String, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT note FROM log_checkpoints WHERE size >= ?1 ORDER BY size LIMIT 1")?
                .query_row([size as i64], |r| r.get(0))
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn sign_bag_statement(&self, text: &str) -> Result<String, StoreError> {
        let ok = text.strip_prefix(crate::BAG_STATEMENT).is_some_and(|r| r.starts_with('\n'))
            && text.ends_with('\n')
            && !text.contains("\n\n");
        if !ok || self.inner.config.signers.is_empty() {
            return Err(StoreError::Integrity("not a package statement, or no key to sign it".into()));
        }
        Ok(liuhen_log::note::sign_note(text, &self.inner.config.signers))
    }

    async fn sign_checkpoint(&self) -> Result<String, StoreError> {
        self.writer()?;
        let _guard = self.inner.sign_lock.lock().await;
        let size = self.tree_size();
        let last: Option<(i64, Vec<u8>, String)> = self.read(|c| {
            c.query_row("SELECT size, root, note FROM log_checkpoints ORDER BY size DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
        })?;
        let last = match last {
            Some((s, root, note)) => {
                let root = Hash::from_slice(&root).ok_or_else(|| StoreError::Integrity("stored root".to_string()))?;
                Some((s as u64, root, note))
            }
            None => None,
        };
        if let Some((s, _, note)) = &last {
            if *s == size {
                return Ok(note.clone());
            }
            if *s > size {
                return Err(StoreError::Integrity(format!("the log shrank from {s} to {size} entries")));
            }
        }
        let root = self.root_at(size).await?;
        if let Some((old, old_root, _)) = &last {
            let old = *old;
            let proof = self.with_stored_tiles(size, |src| tree::consistency_proof(old, size, src))?;
            tree::verify_consistency(old, size, old_root, &root, &proof).map_err(|_| {
                StoreError::Integrity(format!(
                    "refusing to sign tree {size}: it is not consistent with the checkpoint of size {old}"
                ))
            })?;
        }
        let cp = Checkpoint { origin: self.inner.config.origin.clone(), head: TreeHead { size, root } };
        let note = cp.sign(&self.inner.config.signers);
        // The checkpoint is stored by the writer, serialised with the appends.
        let (reply, rx) = oneshot::channel();
        self.writer()?
            .send(WriteMsg::Checkpoint { size, root, note: note.clone(), reply })
            .await
            .map_err(|_| StoreError::Unavailable("log writer stopped".to_string()))?;
        rx.await.map_err(|_| StoreError::Unavailable("log writer stopped".to_string()))??;
        Ok(note)
    }

    async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        self.check_size(size)?;
        self.with_tiles(size, |src| tree::inclusion_proof(index, size, src))
    }

    async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        self.check_size(new)?;
        self.with_tiles(new, |src| tree::consistency_proof(old, new, src))
    }

    async fn actor_entries(
        &self,
        actor: &str,
        actions: &[&str],
        before: u64,
        limit: u32,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let before = before.min(self.tree_size()) as i64;
        family_check(actions)?;
        // The expression is the index's, word for word (so the index serves it).
        const ACTOR: &str = "json_extract(CAST(data AS TEXT), '$.actor')";
        let mut args: Vec<rusqlite::types::Value> =
            vec![actor.to_string().into(), before.into(), i64::from(limit).into()];
        let sql = if actions.is_empty() {
            format!("SELECT idx, data FROM log_entries WHERE {ACTOR} = ?1 AND idx < ?2 ORDER BY idx DESC LIMIT ?3")
        } else {
            // One range of the index per family, newest first, merged.
            let ranges: Vec<String> = actions
                .iter()
                .map(|a| {
                    args.push(a.to_string().into());
                    format!(
                        "SELECT * FROM (SELECT idx, data FROM log_entries WHERE {ACTOR} = ?1 AND {FAMILY} = ?{} \
                         AND idx < ?2 ORDER BY idx DESC LIMIT ?3)",
                        args.len()
                    )
                })
                .collect();
            format!("SELECT idx, data FROM ({}) ORDER BY idx DESC LIMIT ?3", ranges.join(" UNION ALL "))
        };
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(args.iter()), |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?;
            rows.collect()
        })
    }

    async fn case_family_entries(
        &self,
        case_id: &str,
        families: &[&str],
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let size = self.tree_size() as i64;
        family_check(families)?;
        let after = after.map_or(-1, |a| a.min(i64::MAX as u64) as i64);
        let mut args: Vec<rusqlite::types::Value> =
            vec![case_id.to_string().into(), after.into(), size.into(), i64::from(limit).into()];
        // One range of the index per family, oldest first, merged.
        let ranges: Vec<String> = families
            .iter()
            .map(|a| {
                args.push(a.to_string().into());
                format!(
                    "SELECT * FROM (SELECT idx, data FROM log_entries WHERE case_id = ?1 AND {FAMILY} = ?{} \
                     AND idx > ?2 AND idx < ?3 ORDER BY idx LIMIT ?4)",
                    args.len()
                )
            })
            .collect();
        if ranges.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT idx, data FROM ({}) ORDER BY idx LIMIT ?4", ranges.join(" UNION ALL "));
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(args.iter()), |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?;
            rows.collect()
        })
    }

    async fn case_entries(&self, case_id: &str) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let size = self.tree_size() as i64;
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT idx, data FROM log_entries WHERE case_id = ?1 AND idx < ?2 ORDER BY idx")?;
            let rows = stmt.query_map(params![case_id, size], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?;
            rows.collect()
        })
    }

    async fn opening(&self, commitment: &Hash) -> Result<([u8; 32], Vec<u8>), StoreError> {
        let (salt, content): (Vec<u8>, Vec<u8>) = self
            .read(|c| {
                c.query_row(
                    "SELECT salt, content FROM openings WHERE commitment = ?1",
                    [commitment.0.as_slice()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
            })?
            .ok_or(StoreError::NotFound)?;
        let salt: [u8; 32] = salt.try_into().map_err(|_| {
            StoreError::Integrity(format!("the opening of commitment {commitment} has a malformed salt"))
        })?;
        if liuhen_log::commitment(&salt, &content) != *commitment {
            return Err(StoreError::Integrity(format!(
                "the opening of commitment {commitment} does not match it: its salt or content was changed"
            )));
        }
        Ok((salt, content))
    }

    async fn checkpoint_problems(
        &self,
        verifiers: &[liuhen_log::NoteVerifier],
        max: usize,
    ) -> Result<Vec<String>, StoreError> {
        let own: Vec<liuhen_log::NoteVerifier> =
            self.inner.config.signers.iter().map(|s| s.verifier().clone()).collect();
        let verifiers = if verifiers.is_empty() { own.as_slice() } else { verifiers };
        let rows: Vec<(i64, Vec<u8>, String, i64)> = self.read(|c| {
            let mut stmt = c.prepare("SELECT size, root, note, signed_at FROM log_checkpoints ORDER BY size")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect()
        })?;
        let (mut out, mut before) = (Vec::new(), i64::MIN);
        for (size, root, note, signed_at) in rows {
            if out.len() >= max {
                break;
            }
            let n = size as u64;
            if n > self.tree_size() {
                out.push(format!("the checkpoint of {n} entries is beyond the log's {} entries", self.tree_size()));
                continue;
            }
            match Checkpoint::open(note.as_bytes(), self.origin(), verifiers) {
                Err(e) => out.push(format!("the checkpoint of {n} entries: its note does not verify ({e})")),
                Ok(cp) if cp.head.size != n || cp.head.root.0.as_slice() != root.as_slice() => {
                    out.push(format!("the checkpoint of {n} entries: its row's size or root is not its signed note's"))
                }
                Ok(_) => {}
            }
            let computed = self.with_stored_tiles(n, |src| tree::root(n, src))?;
            if computed.0.as_slice() != root.as_slice() {
                out.push(format!("the checkpoint of {n} entries: the stored tree has another root at that size"));
            }
            if signed_at < before {
                out.push(format!("the checkpoint of {n} entries: signed before the checkpoint before it"));
            }
            before = signed_at;
        }
        Ok(out)
    }

    async fn structure_problems(&self, max: usize) -> Result<Vec<String>, StoreError> {
        let idle = self.inner.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => open_reader(&self.inner.path)?,
        };
        let mut out = Vec::new();
        if let Err(e) = integrity_check(&conn) {
            out.push(e.to_string());
            return Ok(out);
        }
        // Only what the durable tree holds: the writer may be appending meanwhile.
        out.extend(leaf_problems(&conn, 0, max)?);
        // The rightmost level-0 tile lives in memory, as the entries were appended: their
        // stored leaves must still be its hashes.
        let head = self.inner.head.borrow().clone();
        if let Some((index, hashes)) = head.partial.first() {
            let first = index * TILE_WIDTH;
            let mut stmt =
                conn.prepare("SELECT idx, leaf FROM log_entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx")?;
            let rows = stmt.query_map(params![first as i64, (first + hashes.len() as u64) as i64], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?))
            })?;
            for row in rows {
                let (i, leaf) = row?;
                if hashes.get((i - first) as usize).map(|h| h.0.as_slice()) != Some(leaf.as_slice()) && out.len() < max
                {
                    out.push(format!(
                        "entry {i}: its leaf is not the one tile/0/{index:03} holds (changed after it was recorded)"
                    ));
                }
            }
        }
        if out.len() < max {
            out.extend(upper_tile_problems(&conn, max - out.len())?);
        }
        Ok(out)
    }

    async fn unreferenced_openings(&self) -> Result<u64, StoreError> {
        // The commitments of every entry (hex in its canonical JSON), gathered by SQLite into a
        // temporary index (on disk beyond its cache), then each opening looked up in it.
        let n: i64 = self.read(|c| {
            c.query_row(
                "SELECT COUNT(*) FROM openings WHERE lower(hex(commitment)) NOT IN \
                 (SELECT j.value FROM log_entries, json_each(CAST(data AS TEXT), '$.commits') AS j)",
                [],
                |r| r.get(0),
            )
        })?;
        Ok(n as u64)
    }
}

impl ProjectionReads for SqliteStore {
    async fn user_by_username(&self, username: &str) -> Result<UserRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"))?
                .query_row([username], user_from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn tokens(&self, user_id: &str) -> Result<Vec<TokenRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT token_sha256, name, created_at, expires_at FROM sessions WHERE user_id = ?1 AND name <> '' \
                 ORDER BY created_at DESC",
            )?;
            let rows = stmt.query_map([user_id], |r| {
                let raw: Vec<u8> = r.get(0)?;
                let mut h = [0u8; 32];
                if raw.len() == 32 {
                    h.copy_from_slice(&raw);
                }
                Ok(TokenRecord {
                    token_sha256: Hash(h),
                    name: r.get(1)?,
                    created_at_ms: r.get(2)?,
                    expires_at_ms: r.get(3)?,
                })
            })?;
            rows.collect()
        })
    }

    async fn session_user(&self, token_sha256: &Hash, now_ms: i64) -> Result<UserRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT u.id, u.username, u.role, u.password_hash, u.must_change_password, u.created_at, u.officer_id, \
                 u.unit, u.totp_secret, u.totp_enabled, u.pending_roles, u.display_name \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_sha256 = ?1 AND s.expires_at > ?2",
            )?
            .query_row(params![token_sha256.0.as_slice(), now_ms], user_from_row)
            .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn officer(&self, id: &str) -> Result<OfficerRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {OFFICER_COLUMNS} FROM officers WHERE id = ?1"))?
                .query_row([id], officer_from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn officers(&self) -> Result<Vec<OfficerRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!("SELECT {OFFICER_COLUMNS} FROM officers ORDER BY name, id"))?;
            let rows = stmt.query_map([], officer_from_row)?;
            rows.collect()
        })
    }

    async fn case(&self, id: &str) -> Result<CaseRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"))?
                .query_row([id], case_from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn cases(&self, limit: u32) -> Result<Vec<CaseRecord>, StoreError> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached(&format!("SELECT {CASE_COLUMNS} FROM cases ORDER BY updated_at DESC, id LIMIT ?1"))?;
            let rows = stmt.query_map([limit], case_from_row)?;
            rows.collect()
        })
    }

    async fn cases_counted(&self, from_ms: i64, before_ms: i64, limit: u32) -> Result<Vec<CaseRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {CASE_COLUMNS} FROM cases WHERE counted_at >= ?1 AND counted_at < ?2 ORDER BY counted_at LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![from_ms, before_ms, limit], case_from_row)?;
            rows.collect()
        })
    }

    async fn case_page(&self, q: &crate::CaseQuery) -> Result<Vec<CaseRecord>, StoreError> {
        let (sql, args) = case_page_sql(q);
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), case_from_row)?;
            rows.collect()
        })
    }

    async fn deadline_page(&self, q: &crate::DeadlineQuery) -> Result<Vec<(DeadlineRecord, String)>, StoreError> {
        use rusqlite::types::Value as V;
        let (seen, mut args) = seen_by_sql(&q.seen_by, Vec::new(), "c.");
        let mut arg = |v: V| {
            args.push(v);
            format!("?{}", args.len())
        };
        let mut conds = vec![seen];
        if let Some(code) = &q.code {
            conds.push(format!("d.code = {}", arg(V::Text(code.clone()))));
        }
        conds.extend(case_filter_sql(&q.cases, &mut arg, "c."));
        if let Some(t) = q.due_from {
            conds.push(format!("d.due_at >= {}", arg(V::Integer(t))));
        }
        if let Some(t) = q.due_before {
            conds.push(format!("d.due_at < {}", arg(V::Integer(t))));
        }
        match q.range {
            crate::DueRange::Before(t) => conds.push(format!("d.due_at < {}", arg(V::Integer(t)))),
            crate::DueRange::Unknown => conds.push("d.due_at IS NULL".to_string()),
            crate::DueRange::From(t) => conds.push(format!("d.due_at >= {}", arg(V::Integer(t)))),
        }
        if let Some((due, case, n)) = &q.after {
            let (d, c, n) = (arg(V::Integer(*due)), arg(V::Text(case.clone())), arg(V::Integer(i64::from(*n))));
            let due = if q.range == crate::DueRange::Unknown { "0".to_string() } else { "d.due_at".to_string() };
            conds.push(format!("({due}, d.case_id, d.n) > ({d}, {c}, {n})"));
        }
        let limit = arg(V::Integer(i64::from(q.limit)));
        let sql = format!(
            "SELECT d.case_id, d.n, d.code, d.label, d.source, d.due_at, d.record, c.case_no FROM case_deadlines d \
             JOIN cases c ON c.id = d.case_id WHERE {} ORDER BY d.due_at, d.case_id, d.n LIMIT {limit}",
            conds.join(" AND ")
        );
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows =
                stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| Ok((deadline_from_row(r)?, r.get(7)?)))?;
            rows.collect()
        })
    }

    async fn task_page(&self, q: &crate::TaskQuery) -> Result<Vec<(TaskRecord, String, String)>, StoreError> {
        use rusqlite::types::Value as V;
        let (seen, mut args) = seen_by_sql(&q.seen_by, Vec::new(), "c.");
        let mut arg = |v: V| {
            args.push(v);
            format!("?{}", args.len())
        };
        if let Some(r) =
            q.roles.iter().find(|r| r.is_empty() || !r.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        {
            return Err(StoreError::Invalid(format!("{r:?} is not a role code")));
        }
        let mut conds = vec![seen];
        conds.extend(case_filter_sql(&q.cases, &mut arg, "c."));
        if let Some((case, source, n)) = &q.after {
            let (c, s, n) = (arg(V::Text(case.clone())), arg(V::Text(source.clone())), arg(V::Integer(i64::from(*n))));
            conds.push(format!("(t.case_id, t.source, t.n) > ({c}, {s}, {n})"));
        }
        let limit = arg(V::Integer(i64::from(q.limit)));
        // One range per role, each of its own partial index (the role is in the SQL as the
        // index's condition says it, word for word), merged in order.
        let ranges: Vec<String> = q
            .roles
            .iter()
            .map(|r| {
                format!(
                    "SELECT * FROM (SELECT t.case_id, t.source, t.n, t.roles, t.task, t.command, t.document, \
                     c.case_no, c.case_type FROM case_tasks t JOIN cases c ON c.id = t.case_id \
                     WHERE instr(t.roles, ',{r},') > 0 AND {} ORDER BY t.case_id, t.source, t.n LIMIT {limit})",
                    conds.join(" AND ")
                )
            })
            .collect();
        if ranges.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT * FROM ({}) ORDER BY 1, 2, 3 LIMIT {limit}", ranges.join(" UNION "));
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
                Ok((task_from_row(r)?, r.get(7)?, r.get(8)?))
            })?;
            rows.collect()
        })
    }

    async fn case_numbers(&self, prefix: &str, limit: u32) -> Result<Vec<String>, StoreError> {
        // A range of the UNIQUE index on case_no: from the prefix to the prefix followed by the
        // highest code point.
        let upper = format!("{prefix}\u{10FFFF}");
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT case_no FROM cases WHERE case_no >= ?1 AND case_no < ?2 ORDER BY case_no LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![prefix, upper, limit], |r| r.get(0))?;
            rows.collect()
        })
    }

    async fn matter(&self, code: &str) -> Result<MatterRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT code, name, data, created_at FROM matters WHERE code = ?1")?
                .query_row([code], matter_from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn matters_named(&self, name: &str) -> Result<Vec<MatterRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT code, name, data, created_at FROM matters WHERE code = ?1 \
                 UNION SELECT code, name, data, created_at FROM matters WHERE trim(name) = ?1 ORDER BY code",
            )?;
            let rows = stmt.query_map([name.trim()], matter_from_row)?;
            rows.collect()
        })
    }

    async fn matters(&self) -> Result<Vec<MatterRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT code, name, data, created_at FROM matters ORDER BY code")?;
            let rows = stmt.query_map([], matter_from_row)?;
            rows.collect()
        })
    }

    async fn setting(&self, key: &str) -> Result<SettingRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT key, data, updated_at, version FROM settings WHERE key = ?1")?
                .query_row([key], |r| {
                    Ok(SettingRecord {
                        key: r.get(0)?,
                        data: r.get(1)?,
                        updated_at_ms: r.get(2)?,
                        version: r.get::<_, i64>(3)? as u64,
                    })
                })
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn settings(&self) -> Result<Vec<SettingRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT key, data, updated_at, version FROM settings ORDER BY key")?;
            let rows = stmt.query_map([], SettingRecord::from_row)?;
            rows.collect()
        })
    }

    async fn document(&self, id: &str) -> Result<DocumentRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ?1"))?
                .query_row([id], DocumentRecord::from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn document_page(&self, q: &DocumentQuery) -> Result<Vec<DocumentRecord>, StoreError> {
        // By case (and code): the leading columns of an index whose last is the id.
        let mut clauses = vec!["case_id = ?1".to_string(), "id > ?2".to_string()];
        let mut args: Vec<String> = vec![q.case_id.clone(), q.after.clone().unwrap_or_default()];
        if let Some(code) = &q.code {
            args.push(code.clone());
            clauses.push(format!("code = ?{}", args.len()));
        }
        if q.standing {
            clauses.push("superseded_by = ''".to_string());
        }
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE {} ORDER BY id LIMIT {}",
            clauses.join(" AND "),
            q.limit
        );
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), DocumentRecord::from_row)?;
            rows.collect()
        })
    }

    async fn settings_range(
        &self,
        prefix: &str,
        after: Option<&str>,
        descending: bool,
        limit: u32,
    ) -> Result<Vec<SettingRecord>, StoreError> {
        // The keys with the prefix are those from the prefix up to (not including) the prefix
        // with its last character advanced: a range of the primary key.
        let Some(last) = prefix.chars().last() else {
            return Err(StoreError::Invalid("a settings range needs a prefix".into()));
        };
        let end = format!(
            "{}{}",
            &prefix[..prefix.len() - last.len_utf8()],
            char::from_u32(last as u32 + 1).ok_or_else(|| StoreError::Invalid(format!("prefix {prefix:?}")))?
        );
        let (low, high) = match (after, descending) {
            (Some(a), false) => (a.to_string(), end),
            (Some(a), true) => (prefix.to_string(), a.to_string()),
            (None, _) => (prefix.to_string(), end),
        };
        // After a key: strictly above it; before one: strictly below; no cursor: the whole range.
        let sql = match (after.is_some(), descending) {
            (true, false) => "WHERE key > ?1 AND key < ?2 ORDER BY key",
            (_, true) => "WHERE key >= ?1 AND key < ?2 ORDER BY key DESC",
            (false, false) => "WHERE key >= ?1 AND key < ?2 ORDER BY key",
        };
        self.read(|c| {
            let mut stmt =
                c.prepare_cached(&format!("SELECT key, data, updated_at, version FROM settings {sql} LIMIT ?3"))?;
            let rows = stmt.query_map(params![low, high, limit], SettingRecord::from_row)?;
            rows.collect()
        })
    }

    async fn publication(&self, case_id: &str) -> Result<PublicationRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {PUBLICATION_COLUMNS} FROM publications WHERE case_id = ?1"))?
                .query_row([case_id], PublicationRecord::from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn publication_page(&self, q: &PublicationQuery) -> Result<Vec<PublicationRecord>, StoreError> {
        // The latest published first: the index read backwards from the page before's last row.
        let (at, case) = q.after.clone().unwrap_or((i64::MAX, String::new()));
        let sql = publication_page_sql();
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![at, case, q.limit as i64], PublicationRecord::from_row)?;
            rows.collect()
        })
    }

    async fn signing_key(&self, key_id: &str) -> Result<SigningKeyRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {SIGNING_KEY_COLUMNS} FROM signing_keys WHERE key_id = ?1"))?
                .query_row([key_id], SigningKeyRecord::from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn signing_keys_of(&self, user_id: &str) -> Result<Vec<SigningKeyRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {SIGNING_KEY_COLUMNS} FROM signing_keys WHERE user_id = ?1 ORDER BY key_id"
            ))?;
            let rows = stmt.query_map([user_id], SigningKeyRecord::from_row)?;
            rows.collect()
        })
    }

    async fn doc_number(&self, doc_no: &str) -> Result<DocNumberRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {DOC_NUMBER_COLUMNS} FROM doc_numbers WHERE doc_no = ?1"))?
                .query_row([doc_no], DocNumberRecord::from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn series_last(&self, series: &str) -> Result<u64, StoreError> {
        self.read(|c| {
            c.prepare_cached(SERIES_LAST_SQL)?.query_row([series], |r| r.get::<_, i64>(0)).map(|n| n.max(0) as u64)
        })
    }

    async fn blob_page(&self, after: Option<Hash>, limit: u32) -> Result<Vec<liuhen_log::BlobRef>, StoreError> {
        let after = after.map(|h| h.0.to_vec()).unwrap_or_default();
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT sha256, size FROM blobs WHERE sha256 > ?1 ORDER BY sha256 LIMIT ?2")?;
            let rows = stmt.query_map(params![after, i64::from(limit)], |r| {
                let h: Vec<u8> = r.get(0)?;
                Ok(liuhen_log::BlobRef {
                    sha256: Hash::from_slice(&h).unwrap_or_default(),
                    size: r.get::<_, i64>(1)? as u64,
                })
            })?;
            rows.collect()
        })
    }

    async fn blob_named(&self, sha256: &Hash) -> Result<bool, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT 1 FROM blobs WHERE sha256 = ?1")?
                .query_row([sha256.0.to_vec()], |_| Ok(()))
                .optional()
                .map(|o| o.is_some())
        })
    }

    async fn case_file(&self, case_id: &str) -> Result<CaseFileRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {CASE_FILE_COLUMNS} FROM case_files WHERE case_id = ?1"))?
                .query_row([case_id], CaseFileRecord::from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn case_file_page(&self, q: &CaseFileQuery) -> Result<Vec<CaseFileRecord>, StoreError> {
        let (at, case) = q.after.clone().unwrap_or((i64::MIN, String::new()));
        self.read(|c| {
            let mut stmt = c.prepare_cached(&case_file_page_sql())?;
            let rows = stmt.query_map(params![q.state, at, case, q.limit as i64], CaseFileRecord::from_row)?;
            rows.collect()
        })
    }

    async fn case_files_expiring(
        &self,
        until: &str,
        after: Option<(String, String)>,
        limit: u32,
    ) -> Result<Vec<CaseFileRecord>, StoreError> {
        let (day, case) = after.unwrap_or_default();
        self.read(|c| {
            // The page's keys from the index, then each row by its primary key.
            let ids: Vec<String> = c
                .prepare_cached(EXPIRING_SQL)?
                .query_map(params![until, day, case, limit as i64], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut stmt =
                c.prepare_cached(&format!("SELECT {CASE_FILE_COLUMNS} FROM case_files WHERE case_id = ?1"))?;
            ids.iter().map(|id| stmt.query_row([id], CaseFileRecord::from_row)).collect()
        })
    }

    async fn recordings_in_disposal(
        &self,
        state: &str,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> Result<Vec<RecordingRecord>, StoreError> {
        let (at, id) = after.unwrap_or((i64::MIN, String::new()));
        self.read(|c| {
            let ids: Vec<String> = c
                .prepare_cached(IN_DISPOSAL_SQL)?
                .query_map(params![state, at, id, limit as i64], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut stmt = c.prepare_cached(&format!("SELECT {RECORDING_COLUMNS} FROM recordings WHERE id = ?1"))?;
            ids.iter().map(|id| stmt.query_row([id], RecordingRecord::from_row)).collect()
        })
    }

    async fn party_inspections(&self, party: &str, year: i64) -> Result<PartyInspectionsRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {PARTY_INSPECTIONS_COLUMNS} FROM party_inspections WHERE party = ?1 AND year = ?2"
            ))?
            .query_row(params![party, year], PartyInspectionsRecord::from_row)
            .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn year_statistics(&self, year: i64) -> Result<AnnualStatisticsRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {ANNUAL_STATISTICS_COLUMNS} FROM annual_statistics WHERE year = ?1"))?
                .query_row([year], AnnualStatisticsRecord::from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn annual_statistics(&self, limit: u32) -> Result<Vec<AnnualStatisticsRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {ANNUAL_STATISTICS_COLUMNS} FROM annual_statistics ORDER BY year DESC LIMIT ?1"
            ))?;
            let rows = stmt.query_map([limit as i64], AnnualStatisticsRecord::from_row)?;
            rows.collect()
        })
    }

    async fn record_mark(&self, case_id: &str, kind: &str, record: &str) -> Result<RecordMarkRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {RECORD_MARK_COLUMNS} FROM record_marks WHERE case_id = ?1 AND kind = ?2 AND record = ?3"
            ))?
            .query_row(params![case_id, kind, record], RecordMarkRecord::from_row)
            .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn record_marks(&self, case_id: &str, kind: &str) -> Result<Vec<RecordMarkRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {RECORD_MARK_COLUMNS} FROM record_marks WHERE case_id = ?1 AND kind = ?2 ORDER BY record"
            ))?;
            let rows = stmt.query_map(params![case_id, kind], RecordMarkRecord::from_row)?;
            rows.collect()
        })
    }

    async fn device(&self, number: &str) -> Result<DeviceRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE number = ?1"))?
                .query_row([number], DeviceRecord::from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn device_page(&self, q: &DeviceQuery) -> Result<Vec<DeviceRecord>, StoreError> {
        // Each filter an index's leading column; the cursor the number, its second.
        let mut clauses = vec!["number > ?1".to_string()];
        let mut args: Vec<String> = vec![q.after.clone().unwrap_or_default()];
        for (col, v) in [("status", &q.status), ("holder", &q.holder)] {
            if let Some(v) = v {
                args.push(v.clone());
                clauses.push(format!("{col} = ?{}", args.len()));
            }
        }
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE {} ORDER BY number LIMIT {}",
            clauses.join(" AND "),
            q.limit
        );
        self.read(|c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), DeviceRecord::from_row)?;
            rows.collect()
        })
    }

    async fn device_events(
        &self,
        number: &str,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<DeviceEventRecord>, StoreError> {
        let before = before.map_or(i64::MAX, |b| b as i64);
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {DEVICE_EVENT_COLUMNS} FROM device_events WHERE device = ?1 AND n < ?2 ORDER BY n DESC LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![number, before, limit], device_event_from_row)?;
            rows.collect()
        })
    }

    async fn last_device_event(
        &self,
        number: &str,
        kinds: &[&str],
        at_most_ms: i64,
    ) -> Result<Option<DeviceEventRecord>, StoreError> {
        let kinds = serde_json::to_string(kinds).map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT {DEVICE_EVENT_COLUMNS} FROM device_events WHERE device = ?1 AND at <= ?2 \
                 AND kind IN (SELECT value FROM json_each(?3)) ORDER BY n DESC LIMIT 1"
            ))?
            .query_row(params![number, at_most_ms, kinds], device_event_from_row)
            .optional()
        })
    }

    async fn recording(&self, id: &str) -> Result<RecordingRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {RECORDING_COLUMNS} FROM recordings WHERE id = ?1"))?
                .query_row([id], RecordingRecord::from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn recordings(&self, case_id: Option<&str>, limit: u32) -> Result<Vec<RecordingRecord>, StoreError> {
        self.read(|c| match case_id {
            Some(case) => {
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {RECORDING_COLUMNS} FROM recordings WHERE case_id = ?1 ORDER BY created_at DESC, id LIMIT ?2"
                ))?;
                let rows = stmt.query_map(params![case, limit], RecordingRecord::from_row)?;
                rows.collect()
            }
            None => {
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {RECORDING_COLUMNS} FROM recordings ORDER BY created_at DESC, id LIMIT ?1"
                ))?;
                let rows = stmt.query_map([limit], RecordingRecord::from_row)?;
                rows.collect()
            }
        })
    }

    async fn recording_page(&self, q: &crate::RecordingQuery) -> Result<Vec<RecordingRecord>, StoreError> {
        use rusqlite::types::Value as V;
        let mut args: Vec<V> = Vec::new();
        let mut conds = Vec::new();
        if let Some(case) = &q.case_id {
            args.push(V::Text(case.clone()));
            conds.push(format!("case_id = ?{}", args.len()));
        }
        if let Some((at, id)) = &q.after {
            args.push(V::Integer(*at));
            let t = args.len();
            args.push(V::Text(id.clone()));
            conds.push(format!("(created_at < ?{t} OR (created_at = ?{t} AND id > ?{}))", args.len()));
        }
        // A search by the case's party or cause: the cases that match, found once — by the
        // trigram index for a term of three characters or more, else in the cases' small
        // covering index of their search fields — then the recordings of those; never a case
        // read per recording.
        let (mut phrases, mut passes) = (Vec::new(), Vec::new());
        for (col, v) in [("party", &q.party), ("matter", &q.cause)] {
            let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) else { continue };
            match trigram_phrase(v) {
                Some(p) => phrases.push(format!("{col} : {p}")),
                None => {
                    args.push(V::Text(v.to_ascii_lowercase()));
                    passes.push(format!("instr(lower({col}), ?{}) > 0", args.len()));
                }
            }
        }
        if !phrases.is_empty() {
            args.push(V::Text(phrases.join(" AND ")));
            passes.insert(0, format!("rowid IN (SELECT rowid FROM case_terms WHERE case_terms MATCH ?{})", args.len()));
        }
        if !passes.is_empty() {
            conds.push(format!("case_id IN (SELECT id FROM cases WHERE {})", passes.join(" AND ")));
        }
        args.push(V::Integer(i64::from(q.limit)));
        // The page's rows found first in the indexes (by case and time), then read whole: the
        // recordings of a searched party's cases are sorted, not their data.
        let sql = format!(
            "SELECT {RECORDING_COLUMNS} FROM recordings WHERE rowid IN (SELECT rowid FROM recordings WHERE {} \
             ORDER BY created_at DESC, id LIMIT ?{}) ORDER BY created_at DESC, id",
            if conds.is_empty() { "1".to_string() } else { conds.join(" AND ") },
            args.len()
        );
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), RecordingRecord::from_row)?;
            rows.collect()
        })
    }

    async fn recordings_by_sha256(&self, sha256: &str) -> Result<Vec<RecordingRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {RECORDING_COLUMNS} FROM recordings WHERE sha256 = ?1 ORDER BY created_at, id"
            ))?;
            let rows = stmt.query_map([sha256], RecordingRecord::from_row)?;
            rows.collect()
        })
    }

    async fn recordings_by_fingerprint(&self, fingerprint: &str) -> Result<Vec<RecordingRecord>, StoreError> {
        self.read(|c| {
            // The expression of the index recordings_fingerprint (migration 0011), verbatim.
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {RECORDING_COLUMNS} FROM recordings WHERE json_extract(data, '$.fingerprint') = ?1 \
                 ORDER BY created_at, id"
            ))?;
            let rows = stmt.query_map([fingerprint], RecordingRecord::from_row)?;
            rows.collect()
        })
    }

    async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))?;
            let rows = stmt.query_map([], user_from_row)?;
            rows.collect()
        })
    }

    async fn user(&self, id: &str) -> Result<UserRecord, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))?
                .query_row([id], user_from_row)
                .optional()
        })?
        .ok_or(StoreError::NotFound)
    }

    async fn user_page(&self, after: Option<&str>, limit: u32) -> Result<Vec<UserRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE username > ?1 ORDER BY username LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![after.unwrap_or(""), limit], user_from_row)?;
            rows.collect()
        })
    }

    async fn pending_user_page(&self, after: Option<&str>, limit: u32) -> Result<Vec<UserRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE pending_roles != '' AND username > ?1 ORDER BY username LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![after.unwrap_or(""), limit], user_from_row)?;
            rows.collect()
        })
    }

    async fn count_users(&self) -> Result<u64, StoreError> {
        let n: i64 = self.read(|c| c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0)))?;
        Ok(n as u64)
    }

    async fn apply_operational(&self, ops: Vec<Op>) -> Result<(), StoreError> {
        if let Some(op) = ops.iter().find(|o| !o.is_operational()) {
            return Err(StoreError::Invalid(format!("a record change needs its log entry: {op:?}")));
        }
        let (reply, rx) = oneshot::channel();
        self.writer()?
            .send(WriteMsg::Operational { ops, reply })
            .await
            .map_err(|_| StoreError::Unavailable("log writer stopped".to_string()))?;
        rx.await.map_err(|_| StoreError::Unavailable("log writer stopped".to_string()))?
    }

    async fn throttle(&self, key: &str) -> Result<Option<crate::ThrottleRecord>, StoreError> {
        self.read(|c| {
            c.prepare_cached(&format!("SELECT {THROTTLE_COLUMNS} FROM throttle WHERE key = ?1"))?
                .query_row([key], throttle_from_row)
                .optional()
        })
    }

    async fn throttles_to_summarise(&self) -> Result<Vec<crate::ThrottleRecord>, StoreError> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached(&format!("SELECT {THROTTLE_COLUMNS} FROM throttle WHERE refused > 0 ORDER BY key"))?;
            let rows = stmt.query_map([], throttle_from_row)?;
            rows.collect()
        })
    }

    async fn sessions(&self, user_id: Option<&str>) -> Result<Vec<crate::SessionRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT token_sha256, user_id, created_at, expires_at, name FROM sessions \
                 WHERE ?1 IS NULL OR user_id = ?1 ORDER BY created_at, user_id",
            )?;
            let rows = stmt.query_map([user_id], |r| {
                let raw: Vec<u8> = r.get(0)?;
                Ok(crate::SessionRecord {
                    token_sha256: Hash::from_slice(&raw).unwrap_or_default(),
                    user_id: r.get(1)?,
                    created_at_ms: r.get(2)?,
                    expires_at_ms: r.get(3)?,
                    name: r.get(4)?,
                })
            })?;
            rows.collect()
        })
    }

    async fn projection_differences(&self, expected: &ProjectionScratch) -> Result<Vec<String>, StoreError> {
        // A database of an older schema (opened read-only, so not migrated) has not the tables
        // the log's projections now fill: said once, not as a difference per table.
        let schema: Option<i64> = self.read(|c| {
            let recorded =
                c.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0)).ok();
            // A record cut at its end (said by `schema_problems`) does not make the schema older:
            // it is at the migration its objects show ran, and checked as that one.
            let shown = crate::migrate::recorded(c)
                .ok()
                .and_then(|r| crate::migrate::unrecorded(c, &r).ok().flatten())
                .map(|(version, _)| version);
            Ok(recorded.map(|r: i64| r.max(shown.unwrap_or(0))))
        })?;
        let Some(schema) = schema else {
            return Ok(vec![
                "the database has no record of the migrations that ran (schema_migrations): start `liuhen serve` on it \
                 once (it puts the record back from the schema), then verify its projections"
                    .to_string(),
            ]);
        };
        if self.read(stale_projections)? {
            return Ok(vec![
                "the projections await the rebuild from the log a schema migration asked for: start `liuhen serve` \
                 on the directory (or run `liuhen rebuild`), then verify them"
                    .to_string(),
            ]);
        }
        if schema < crate::migrate::latest() {
            return Ok(vec![format!(
                "the database's schema is at migration {schema}, this liuhen's at {}: start `liuhen serve` on it once \
                 (it migrates the schema), then verify its projections",
                crate::migrate::latest()
            )]);
        }
        let logged = expected.lock();
        let mut out = Vec::new();
        // The indexes and triggers, and the cases' full-text index, as the migrations make them.
        let schemas = self.read(|c| Ok(derived_schemas(c)))??;
        out.extend(
            derived_schema_differences(&schemas)
                .into_iter()
                .map(|(_, what)| format!("schema: {what} (the next start makes the schema as the migrations make it)")),
        );
        // The tables: one dropped or changed outside liuhen is named, not compared.
        let tables = self.read(|c| Ok(schema_tables(c)))??;
        let unlike = table_differences(&tables, &schema_tables(&logged)?);
        out.extend(unlike.iter().map(|(_, what, remedy)| {
            let then = match remedy {
                Remedy::Rebuild => {
                    "the server makes it again at its next start and rebuilds the projections from the log"
                }
                Remedy::Remake => "the server makes it again, empty, at its next start",
                Remedy::Drop => "the server drops it at its next start",
                Remedy::Leave => "liuhen reads it not; remove it",
                Remedy::Refuse => "it holds the log: restore the database from a backup",
            };
            format!("schema: {what} ({then})")
        }));
        for t in PROJECTION_TABLES.into_iter().filter(|t| !unlike.iter().any(|(n, _, _)| n == t)) {
            // Both sides in primary-key order, a row at a time: no table is held whole.
            self.read(|c| compare_tables(t, c, &logged, &mut out))?;
        }
        self.read(|c| compare_search_index(c, &logged, &mut out))?;
        Ok(out)
    }
}

const THROTTLE_COLUMNS: &str = "key, failures, first_at, locked_until, refused, refused_first, refused_last";

fn throttle_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<crate::ThrottleRecord> {
    Ok(crate::ThrottleRecord {
        key: r.get(0)?,
        failures: r.get(1)?,
        first_at_ms: r.get(2)?,
        locked_until_ms: r.get(3)?,
        refused: r.get::<_, i64>(4)? as u64,
        refused_first_ms: r.get(5)?,
        refused_last_ms: r.get(6)?,
    })
}

/// The schema's tables, by name.
#[cfg(test)]
fn table_names(c: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// The tables the log's entries determine: what a rebuild replaces (sessions are dropped with
/// them) and `liuhen verify --data` compares. The rest are listed in [`crate::NOT_PROJECTIONS`].
const PROJECTION_TABLES: [&str; 19] = [
    "users",
    "officers",
    "cases",
    "matters",
    "settings",
    "recordings",
    "blobs",
    "case_deadlines",
    "case_tasks",
    "devices",
    "device_events",
    "record_marks",
    "documents",
    "publications",
    "signing_keys",
    "doc_numbers",
    "annual_statistics",
    "party_inspections",
    "case_files",
];

/// Projections computed from the log, held in a scratch database of the projections' own
/// schema — a temporary file, removed when dropped — filled a part at a time, so that neither a
/// rebuild nor a verification holds them whole: what [`crate::ProjectionReads::projection_differences`]
/// compares with the stored ones, row by row, and [`crate::Op::ReplaceProjections`] installs.
pub struct ProjectionScratch {
    conn: std::sync::Mutex<Connection>,
    dir: tempfile::TempDir,
    /// The size of the log its projections were computed from (`u64::MAX`: not said): their
    /// install is refused as stale once the log has grown past it.
    through: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for ProjectionScratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectionScratch").field("dir", &self.dir.path()).finish()
    }
}

/// One scratch is one set of projections: two are the same only if they are one.
impl PartialEq for ProjectionScratch {
    fn eq(&self, other: &ProjectionScratch) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for ProjectionScratch {}

impl ProjectionScratch {
    /// An empty scratch in the system's temporary directory (`TMPDIR`), in a directory only
    /// this account may enter: it holds the projections, parties' names and addresses among them,
    /// and outlives a process killed mid-way.
    /// Says the projections are those of the log's first `n` entries (see the field).
    pub fn set_through(&self, n: u64) {
        self.through.store(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// The size of the log the projections were computed from, when said.
    pub fn through(&self) -> Option<u64> {
        Some(self.through.load(std::sync::atomic::Ordering::SeqCst)).filter(|n| *n != u64::MAX)
    }

    pub fn new() -> Result<ProjectionScratch, StoreError> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("liuhen-projections-");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir = builder.tempdir()?;
        let mut conn = Connection::open(dir.path().join("projections.sqlite"))?;
        // A scratch: nothing in it outlives the process, so nothing is made durable.
        conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16384;")?;
        migrate_sqlite(&mut conn)?;
        // What is compared and installed are the projections' rows: a scratch keeps no search
        // index of its cases (the installed cases' is rebuilt from them).
        for (name, _) in search_index_triggers(&conn)? {
            conn.execute(&format!("DROP TRIGGER \"{name}\""), [])?;
        }
        Ok(ProjectionScratch {
            conn: std::sync::Mutex::new(conn),
            dir,
            through: std::sync::atomic::AtomicU64::new(u64::MAX),
        })
    }

    /// A scratch holding `p`.
    pub fn of(p: &crate::Projections) -> Result<ProjectionScratch, StoreError> {
        let s = ProjectionScratch::new()?;
        s.put(p)?;
        Ok(s)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds the rows of `part` (a setting or a recording replaces the row of its key, as a
    /// later entry's write does), in one transaction.
    pub fn put(&self, part: &crate::Projections) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        insert_projections(&tx, part)?;
        tx.commit()?;
        Ok(())
    }

    /// Recording `id` as put so far: what a fold that spilled its rows reads back to change.
    pub fn recording(&self, id: &str) -> Result<Option<RecordingRecord>, StoreError> {
        let conn = self.lock();
        let sql = format!("SELECT {RECORDING_COLUMNS} FROM recordings WHERE id = ?1");
        Ok(conn.prepare_cached(&sql)?.query_row([id], RecordingRecord::from_row).optional()?)
    }

    /// The recordings of case `case` put so far, in order of id.
    pub fn recordings_of_case(&self, case: &str) -> Result<Vec<RecordingRecord>, StoreError> {
        let conn = self.lock();
        let sql = format!("SELECT {RECORDING_COLUMNS} FROM recordings WHERE case_id = ?1 ORDER BY id");
        let rows = conn
            .prepare_cached(&sql)?
            .query_map([case], RecordingRecord::from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Document `id` as put so far.
    pub fn document(&self, id: &str) -> Result<Option<DocumentRecord>, StoreError> {
        let conn = self.lock();
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ?1");
        Ok(conn.prepare_cached(&sql)?.query_row([id], DocumentRecord::from_row).optional()?)
    }

    /// Up to `limit` documents put so far, in order of id, after id `after` (`""`: the first).
    pub fn documents_after(&self, after: &str, limit: usize) -> Result<Vec<DocumentRecord>, StoreError> {
        let conn = self.lock();
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id > ?1 ORDER BY id LIMIT ?2");
        let rows = conn
            .prepare_cached(&sql)?
            .query_map(params![after, limit as i64], DocumentRecord::from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Case `case`'s 公示 as put so far.
    pub fn publication(&self, case: &str) -> Result<Option<PublicationRecord>, StoreError> {
        let conn = self.lock();
        let sql = format!("SELECT {PUBLICATION_COLUMNS} FROM publications WHERE case_id = ?1");
        Ok(conn.prepare_cached(&sql)?.query_row([case], PublicationRecord::from_row).optional()?)
    }

    /// Case `case`'s file as put so far.
    pub fn case_file(&self, case: &str) -> Result<Option<CaseFileRecord>, StoreError> {
        let conn = self.lock();
        let sql = format!("SELECT {CASE_FILE_COLUMNS} FROM case_files WHERE case_id = ?1");
        Ok(conn.prepare_cached(&sql)?.query_row([case], CaseFileRecord::from_row).optional()?)
    }

    /// The inspections of a party in a year as put so far (`key`: `<party>/<year>`).
    pub fn party_inspections(&self, key: &str) -> Result<Option<PartyInspectionsRecord>, StoreError> {
        let Some((party, year)) = key.rsplit_once('/') else { return Ok(None) };
        let Ok(year) = year.parse::<i64>() else { return Ok(None) };
        let conn = self.lock();
        let sql = format!("SELECT {PARTY_INSPECTIONS_COLUMNS} FROM party_inspections WHERE party = ?1 AND year = ?2");
        Ok(conn.prepare_cached(&sql)?.query_row(params![party, year], PartyInspectionsRecord::from_row).optional()?)
    }

    /// The current signing key of `user` as put so far, if one is.
    pub fn current_signing_key(&self, user: &str) -> Result<Option<SigningKeyRecord>, StoreError> {
        let conn = self.lock();
        let sql = format!("SELECT {SIGNING_KEY_COLUMNS} FROM signing_keys WHERE user_id = ?1 AND current = 1");
        Ok(conn.prepare_cached(&sql)?.query_row([user], SigningKeyRecord::from_row).optional()?)
    }

    /// Signing key `key_id` as put so far.
    pub fn signing_key(&self, key_id: &str) -> Result<Option<SigningKeyRecord>, StoreError> {
        let conn = self.lock();
        let sql = format!("SELECT {SIGNING_KEY_COLUMNS} FROM signing_keys WHERE key_id = ?1");
        Ok(conn.prepare_cached(&sql)?.query_row([key_id], SigningKeyRecord::from_row).optional()?)
    }

    /// Setting `key` as put so far.
    pub fn setting(&self, key: &str) -> Result<Option<SettingRecord>, StoreError> {
        let conn = self.lock();
        let sql = "SELECT key, data, updated_at, version FROM settings WHERE key = ?1";
        Ok(conn.prepare_cached(sql)?.query_row([key], SettingRecord::from_row).optional()?)
    }

    /// The number of rows of each projection table, by name.
    pub fn counts(&self) -> Result<BTreeMap<&'static str, u64>, StoreError> {
        let conn = self.lock();
        let mut out = BTreeMap::new();
        for t in PROJECTION_TABLES {
            let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))?;
            out.insert(t, n as u64);
        }
        Ok(out)
    }

    /// Everything in it, read back whole (for tests and small stores: a large one is compared
    /// and installed from the scratch, never read whole).
    pub fn projections(&self) -> Result<crate::Projections, StoreError> {
        let conn = self.lock();
        fn all<T>(
            c: &Connection,
            sql: &str,
            f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
        ) -> Result<Vec<T>, StoreError> {
            let mut stmt = c.prepare(sql)?;
            let rows = stmt.query_map([], f)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        }
        Ok(crate::Projections {
            users: all(&conn, &format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"), user_from_row)?,
            officers: all(&conn, &format!("SELECT {OFFICER_COLUMNS} FROM officers ORDER BY id"), officer_from_row)?,
            cases: all(&conn, &format!("SELECT {CASE_COLUMNS} FROM cases ORDER BY id"), case_from_row)?,
            matters: all(&conn, "SELECT code, name, data, created_at FROM matters ORDER BY code", matter_from_row)?,
            settings: all(
                &conn,
                "SELECT key, data, updated_at, version FROM settings ORDER BY key",
                SettingRecord::from_row,
            )?,
            recordings: all(
                &conn,
                &format!("SELECT {RECORDING_COLUMNS} FROM recordings ORDER BY id"),
                RecordingRecord::from_row,
            )?,
            deadlines: all(
                &conn,
                "SELECT case_id, n, code, label, source, due_at, record FROM case_deadlines ORDER BY case_id, n",
                deadline_from_row,
            )?,
            tasks: all(
                &conn,
                "SELECT case_id, source, n, roles, task, command, document FROM case_tasks ORDER BY case_id, source, n",
                task_from_row,
            )?,
            devices: all(
                &conn,
                &format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY number"),
                DeviceRecord::from_row,
            )?,
            documents: all(
                &conn,
                &format!("SELECT {DOCUMENT_COLUMNS} FROM documents ORDER BY id"),
                DocumentRecord::from_row,
            )?,
            publications: all(
                &conn,
                &format!("SELECT {PUBLICATION_COLUMNS} FROM publications ORDER BY case_id"),
                PublicationRecord::from_row,
            )?,
            signing_keys: all(
                &conn,
                &format!("SELECT {SIGNING_KEY_COLUMNS} FROM signing_keys ORDER BY key_id"),
                SigningKeyRecord::from_row,
            )?,
            doc_numbers: all(
                &conn,
                &format!("SELECT {DOC_NUMBER_COLUMNS} FROM doc_numbers ORDER BY doc_no"),
                DocNumberRecord::from_row,
            )?,
            annual_statistics: all(
                &conn,
                &format!("SELECT {ANNUAL_STATISTICS_COLUMNS} FROM annual_statistics ORDER BY year"),
                AnnualStatisticsRecord::from_row,
            )?,
            party_inspections: all(
                &conn,
                &format!("SELECT {PARTY_INSPECTIONS_COLUMNS} FROM party_inspections ORDER BY party, year"),
                PartyInspectionsRecord::from_row,
            )?,
            case_files: all(
                &conn,
                &format!("SELECT {CASE_FILE_COLUMNS} FROM case_files ORDER BY case_id"),
                CaseFileRecord::from_row,
            )?,
            record_marks: all(
                &conn,
                &format!("SELECT {RECORD_MARK_COLUMNS} FROM record_marks ORDER BY case_id, kind, record"),
                RecordMarkRecord::from_row,
            )?,
            device_events: all(
                &conn,
                &format!("SELECT {DEVICE_EVENT_COLUMNS} FROM device_events ORDER BY device, n"),
                device_event_from_row,
            )?,
            blobs: all(&conn, "SELECT sha256, size FROM blobs ORDER BY sha256", |r| {
                let bytes: Vec<u8> = r.get(0)?;
                let mut sha = [0u8; 32];
                if bytes.len() == 32 {
                    sha.copy_from_slice(&bytes);
                }
                Ok(liuhen_log::BlobRef { sha256: Hash(sha), size: r.get::<_, i64>(1)? as u64 })
            })?,
        })
    }
}

/// The rows of `p` added to the projections of `conn`, each as the log has it, times included.
fn insert_projections(conn: &Connection, p: &crate::Projections) -> Result<(), StoreError> {
    for r in &p.recordings {
        write_row(conn, r, true)?;
    }
    for s in &p.settings {
        write_row(conn, s, true)?;
    }
    for m in &p.matters {
        put_matter(conn, m)?;
    }
    for u in &p.users {
        insert_user(conn, u)?;
    }
    for o in &p.officers {
        insert_officer(conn, o)?;
    }
    for c in &p.cases {
        insert_case(conn, c)?;
    }
    for b in &p.blobs {
        insert_blob(conn, b)?;
    }
    for d in &p.deadlines {
        insert_deadline(conn, d)?;
    }
    for t in &p.tasks {
        insert_task(conn, t)?;
    }
    for d in &p.devices {
        write_row(conn, d, true)?;
    }
    for m in &p.record_marks {
        write_row(conn, m, true)?;
    }
    for d in &p.documents {
        write_row(conn, d, true)?;
    }
    for x in &p.publications {
        write_row(conn, x, true)?;
    }
    // Keys no longer current first: a signer's new current key never meets its old one still
    // current (one at most).
    for k in p.signing_keys.iter().filter(|k| !k.current).chain(p.signing_keys.iter().filter(|k| k.current)) {
        write_row(conn, k, true)?;
    }
    for d in &p.doc_numbers {
        write_row(conn, d, true)?;
    }
    for a in &p.annual_statistics {
        write_row(conn, a, true)?;
    }
    for x in &p.party_inspections {
        write_row(conn, x, true)?;
    }
    for x in &p.case_files {
        write_row(conn, x, true)?;
    }
    for e in &p.device_events {
        insert_device_event(conn, e)?;
    }
    Ok(())
}

/// Every projection replaced by the rows of `scratch`, copied a row at a time (sessions are
/// dropped): inside the append's transaction, so the projections are the old ones or the new
/// ones, never a mix.
fn install_projections(conn: &Connection, scratch: &ProjectionScratch) -> Result<(), StoreError> {
    conn.execute("DELETE FROM sessions", [])?;
    conn.execute("DELETE FROM meta WHERE key = ?1", [crate::migrate::STALE_PROJECTIONS])?;
    // The cases' search index is rebuilt from the installed cases once, not kept row by row
    // while they are deleted and copied; its triggers are back before the transaction ends.
    let triggers = search_index_triggers(conn)?;
    for (name, _) in &triggers {
        conn.execute(&format!("DROP TRIGGER \"{name}\""), [])?;
    }
    let from = scratch.lock();
    for t in PROJECTION_TABLES {
        conn.execute(&format!("DELETE FROM {t}"), [])?;
        let (cols, _, select) = table_query(&from, t)?;
        let names = cols.iter().map(|(n, _)| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
        let marks = (1..=cols.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
        let mut insert = conn.prepare(&format!("INSERT INTO {t} ({names}) VALUES ({marks})"))?;
        let mut read = from.prepare(&select)?;
        let mut rows = read.query([])?;
        while let Some(r) = rows.next()? {
            let values =
                (0..cols.len()).map(|i| r.get::<_, rusqlite::types::Value>(i)).collect::<rusqlite::Result<Vec<_>>>()?;
            insert.execute(rusqlite::params_from_iter(values))?;
        }
    }
    conn.execute("INSERT INTO case_terms (case_terms) VALUES ('rebuild')", [])?;
    for (_, sql) in &triggers {
        conn.execute(sql, [])?;
    }
    Ok(())
}

/// A table's columns (name, position in the primary key; 0 if not in it), the columns of its
/// primary key in order, and the query that reads its rows in that order (every column; tables
/// without one, by rowid).
type TableQuery = (Vec<(String, i64)>, Vec<usize>, String);

/// The [`TableQuery`] of `table`.
fn table_query(c: &Connection, table: &str) -> rusqlite::Result<TableQuery> {
    let cols: Vec<(String, i64)> = {
        let mut stmt = c.prepare(&format!("SELECT name, pk FROM pragma_table_info('{table}') ORDER BY cid"))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut key_cols: Vec<(usize, i64)> =
        cols.iter().enumerate().filter(|(_, (_, pk))| *pk > 0).map(|(i, (_, pk))| (i, *pk)).collect();
    key_cols.sort_by_key(|k| k.1);
    let list = cols.iter().map(|(n, _)| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
    let order = match key_cols.is_empty() {
        true => "rowid".to_string(),
        false => key_cols.iter().map(|(i, _)| format!("\"{}\"", cols[*i].0)).collect::<Vec<_>>().join(", "),
    };
    let keys = key_cols.into_iter().map(|(i, _)| i).collect();
    Ok((cols, keys, format!("SELECT {list} FROM \"{table}\" ORDER BY {order}")))
}

/// SQLite's order of two values of a key (NULL, numbers, text by bytes, blobs).
fn sql_order(a: &rusqlite::types::Value, b: &rusqlite::types::Value) -> std::cmp::Ordering {
    use rusqlite::types::Value as V;
    let class = |v: &V| match v {
        V::Null => 0,
        V::Integer(_) | V::Real(_) => 1,
        V::Text(_) => 2,
        V::Blob(_) => 3,
    };
    match (a, b) {
        (V::Integer(x), V::Integer(y)) => x.cmp(y),
        (V::Integer(x), V::Real(y)) => (*x as f64).total_cmp(y),
        (V::Real(x), V::Integer(y)) => x.total_cmp(&(*y as f64)),
        (V::Real(x), V::Real(y)) => x.total_cmp(y),
        (V::Text(x), V::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (V::Blob(x), V::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

/// The cases' search index as stored against the one made from the cases the log gives (in
/// `logged`, a scratch, made here): every trigram instance — term, case, column, offset —
/// compared, a term at a time (FTS5 lists them term by term, each side's rows read as case ids).
/// `PRAGMA integrity_check` does not look into an index of external content and FTS5's own check
/// writes; this only reads the store. A line per case whose entries differ (at most 20); terms,
/// which are pieces of parties' names, are never printed.
fn compare_search_index(stored: &Connection, logged: &Connection, out: &mut Vec<String>) -> rusqlite::Result<()> {
    logged.execute("INSERT INTO case_terms (case_terms) VALUES ('rebuild')", [])?;
    const VOCAB: &str = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.case_terms_instances \
                         USING fts5vocab(main, case_terms, 'instance')";
    let ids = |c: &Connection| -> rusqlite::Result<HashMap<i64, String>> {
        c.execute(VOCAB, [])?;
        let mut stmt = c.prepare("SELECT rowid, id FROM cases")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    };
    let sql = "SELECT term, doc, col, offset FROM temp.case_terms_instances";
    type Instance = (String, i64, String, i64);
    let next = |rows: &mut rusqlite::Rows<'_>| -> rusqlite::Result<Option<Instance>> {
        rows.next()?.map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).transpose()
    };
    // An index whose table or storage is gone, or not FTS5's, is named as such.
    let unreadable = |out: &mut Vec<String>, e: rusqlite::Error| {
        out.push(format!("search index: it cannot be read ({e}) (the server makes it again at its next start)"));
    };
    let (ids_a, mut a) = match ids(stored).and_then(|ids| Ok((ids, stored.prepare(sql)?))) {
        Ok(side) => side,
        Err(e) => {
            unreadable(out, e);
            return Ok(());
        }
    };
    let mut a = match a.query([]) {
        Ok(rows) => rows,
        Err(e) => {
            unreadable(out, e);
            return Ok(());
        }
    };
    let mut x = match next(&mut a) {
        Ok(first) => first,
        Err(e) => {
            unreadable(out, e);
            return Ok(());
        }
    };
    let (ids_b, mut b) = (ids(logged)?, logged.prepare(sql)?);
    let mut b = b.query([])?;
    let mut y = next(&mut b)?;
    let mut differing: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    loop {
        let term = match (&x, &y) {
            (None, None) => break,
            (Some(p), None) => p.0.clone(),
            (None, Some(q)) => q.0.clone(),
            (Some(p), Some(q)) => p.0.clone().min(q.0.clone()),
        };
        let case =
            |ids: &HashMap<i64, String>, doc: i64| ids.get(&doc).cloned().unwrap_or_else(|| format!("row {doc}"));
        let take = |cur: &mut Option<Instance>,
                    rows: &mut rusqlite::Rows<'_>,
                    ids: &HashMap<i64, String>|
         -> rusqlite::Result<Vec<(String, String, i64)>> {
            let mut got = Vec::new();
            while let Some(i) = cur.take_if(|i| i.0 == term) {
                got.push((case(ids, i.1), i.2, i.3));
                *cur = next(rows)?;
            }
            got.sort();
            Ok(got)
        };
        let (sa, sb) = (take(&mut x, &mut a, &ids_a)?, take(&mut y, &mut b, &ids_b)?);
        if sa != sb {
            let (pa, pb): (std::collections::BTreeSet<_>, std::collections::BTreeSet<_>) =
                (sa.into_iter().collect(), sb.into_iter().collect());
            differing.extend(pa.symmetric_difference(&pb).map(|(id, _, _)| id.clone()));
            if differing.len() >= 20 {
                break;
            }
        }
    }
    for id in differing.into_iter().take(20) {
        out.push(format!(
            "search index: case {id}'s entries differ from what its case number, party and matter give (the \
             server makes the index again at its next start)"
        ));
    }
    Ok(())
}

/// Table `table` as stored against the same table as the log writes it, merged in primary-key
/// order: one line per row or column that differs. Values are never printed: a column may hold
/// a password hash or a party's details. A table without a primary key is compared row by row
/// in rowid order.
fn compare_tables(
    table: &str,
    stored: &Connection,
    logged: &Connection,
    out: &mut Vec<String>,
) -> rusqlite::Result<()> {
    let (cols, keys, sql) = table_query(stored, table)?;
    let mut a = stored.prepare(&sql)?;
    let mut b = logged.prepare(&sql)?;
    let (mut a, mut b) = (a.query([])?, b.query([])?);
    let row = |r: Option<&rusqlite::Row<'_>>| -> rusqlite::Result<Option<Vec<rusqlite::types::Value>>> {
        r.map(|r| (0..cols.len()).map(|i| r.get(i)).collect()).transpose()
    };
    let (mut x, mut y) = (row(a.next()?)?, row(b.next()?)?);
    let mut n = 0u64;
    let key_of = |v: &[rusqlite::types::Value], n: u64| match keys.is_empty() {
        true => format!("#{n}"),
        false => keys.iter().map(|i| value_text(&v[*i])).collect::<Vec<_>>().join("/"),
    };
    loop {
        let order = match (&x, &y) {
            (None, None) => return Ok(()),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(s), Some(l)) => {
                keys.iter().map(|i| sql_order(&s[*i], &l[*i])).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
            }
        };
        n += 1;
        match order {
            std::cmp::Ordering::Less => {
                out.push(format!(
                    "{table} {} is stored but not in the log",
                    key_of(x.as_deref().unwrap_or_default(), n)
                ));
                x = row(a.next()?)?;
            }
            std::cmp::Ordering::Greater => {
                out.push(format!(
                    "{table} {} is in the log but not stored",
                    key_of(y.as_deref().unwrap_or_default(), n)
                ));
                y = row(b.next()?)?;
            }
            std::cmp::Ordering::Equal => {
                let (s, l) = (x.as_deref().unwrap_or_default(), y.as_deref().unwrap_or_default());
                for (i, (name, _)) in cols.iter().enumerate() {
                    if !same_value(&s[i], &l[i]) {
                        let how = match (&s[i], &l[i]) {
                            (rusqlite::types::Value::Text(x), rusqlite::types::Value::Text(y))
                                if serde_json::from_str::<serde_json::Value>(x).ok().is_some_and(|p| {
                                    serde_json::from_str::<serde_json::Value>(y).ok().is_some_and(|q| p == q)
                                }) =>
                            {
                                " (the same JSON written otherwise: changed outside liuhen)"
                            }
                            _ => "",
                        };
                        out.push(format!(
                            "{table} {}: column {name} differs from what the log records{how}",
                            key_of(s, n)
                        ));
                    }
                }
                x = row(a.next()?)?;
                y = row(b.next()?)?;
            }
        }
    }
}

/// A key value as text: blobs (hashes) in hex.
fn value_text(v: &rusqlite::types::Value) -> String {
    use rusqlite::types::Value as V;
    match v {
        V::Null => "null".to_string(),
        V::Integer(i) => i.to_string(),
        V::Real(f) => f.to_string(),
        V::Text(t) => t.clone(),
        V::Blob(b) => hex::encode(b),
    }
}

/// Equal values.
fn same_value(a: &rusqlite::types::Value, b: &rusqlite::types::Value) -> bool {
    // Byte for byte: the server and the rebuild write a row's JSON the same way, so the same
    // JSON written otherwise (a key twice, a space added) is a change made outside liuhen too.
    a == b
}

/// What plain SQLite commits on this disk: one 200-byte row per entry, `rows_per_tx` rows per
/// transaction, WAL with `synchronous=FULL`, through the same driver and prepared insert as
/// the log. Returns rows per second over about `duration`. The scratch database at `path` is
/// removed afterwards.
pub fn measure_bound(path: &Path, rows_per_tx: usize, duration: Duration) -> Result<f64, StoreError> {
    let remove = |p: &Path| {
        for suffix in ["", "-wal", "-shm"] {
            let mut s = p.as_os_str().to_owned();
            s.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(s));
        }
    };
    remove(path);
    let mut conn = open_writer(path)?;
    conn.execute("CREATE TABLE bound (id INTEGER PRIMARY KEY, data BLOB NOT NULL)", [])?;
    let row = vec![0x5au8; 200];
    let start = std::time::Instant::now();
    let mut next_id = 0i64;
    while start.elapsed() < duration {
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached("INSERT INTO bound (id, data) VALUES (?1, ?2)")?;
            for _ in 0..rows_per_tx {
                stmt.execute(params![next_id, row])?;
                next_id += 1;
            }
        }
        tx.commit()?;
    }
    let secs = start.elapsed().as_secs_f64();
    drop(conn);
    remove(path);
    Ok(next_id as f64 / secs)
}

fn matter_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MatterRecord> {
    Ok(MatterRecord { code: r.get(0)?, name: r.get(1)?, data: r.get(2)?, created_at_ms: r.get(3)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A versioned row's fields are bound in the order of its columns, each column is its
    /// table's, and its writes compile against the schema.
    #[test]
    fn versioned_rows_bind_their_fields_to_their_columns() {
        fn check<R: SqliteRow>(conn: &Connection) {
            let columns: Vec<&str> = R::COLUMNS.split(',').map(str::trim).collect();
            assert_eq!(columns.len(), R::FIELDS.len(), "{}", R::TABLE);
            for (c, f) in columns.iter().zip(R::FIELDS) {
                assert!(f == c || *f == format!("{c}_ms"), "{}: field {f} bound to column {c}", R::TABLE);
            }
            let table: Vec<String> = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{}')", R::TABLE))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            for c in columns.iter().chain(R::KEY).chain(R::KEPT) {
                assert!(table.iter().any(|t| t == c), "{} has no column {c}", R::TABLE);
            }
            for sql in [insert_sql::<R>(false), insert_sql::<R>(true), update_sql::<R>()] {
                let stmt = conn.prepare(&sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let binds = columns.len() + usize::from(sql.starts_with("UPDATE"));
                assert_eq!(stmt.parameter_count(), binds, "{sql}");
            }
        }
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn).unwrap();
        check::<RecordingRecord>(&conn);
        check::<DocumentRecord>(&conn);
        check::<RecordMarkRecord>(&conn);
        check::<PublicationRecord>(&conn);
        check::<SigningKeyRecord>(&conn);
        check::<DocNumberRecord>(&conn);
        check::<AnnualStatisticsRecord>(&conn);
        check::<PartyInspectionsRecord>(&conn);
        check::<CaseFileRecord>(&conn);
        check::<DeviceRecord>(&conn);
        check::<SettingRecord>(&conn);
    }

    /// Every table of the schema is a projection a rebuild replaces and `verify` compares, or
    /// one `NOT_PROJECTIONS` says why not: a new table cannot be left out of both.
    #[test]
    fn every_table_is_a_projection_or_says_why_not() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn).unwrap();
        let mut named: Vec<&str> = PROJECTION_TABLES.to_vec();
        named.extend(crate::NOT_PROJECTIONS.iter().map(|(n, _)| *n));
        named.sort_unstable();
        assert_eq!(table_names(&conn).unwrap(), named);
    }

    /// A case list that walks past rows — those an officer may not see, those a search of one or
    /// two characters (which the trigram index cannot answer) does not match — walks the list's
    /// covering index, never the cases' rows with their JSON.
    #[test]
    fn a_list_past_unseen_or_unmatched_cases_reads_the_index_only() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn).unwrap();
        let officer = crate::SeenBy { opener: Some("u1".into()), officer: Some("o1".into()), ..Default::default() };
        let head = crate::SeenBy { unrestricted: true, unit: Some("综合执法队".into()), ..Default::default() };
        for (seen, text) in [(officer.clone(), None), (officer, Some("王")), (head, Some("罚款"))] {
            let q = crate::CaseQuery {
                seen_by: seen,
                text: text.map(str::to_string),
                after: Some((1, "x".into())),
                limit: 51,
                ..Default::default()
            };
            let (sql, args) = case_page_sql(&q);
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            // The page's rows are found by the index alone (the 51 found are then read whole).
            assert!(plan.iter().any(|l| l.contains("cases USING COVERING INDEX cases_by_update")), "{q:?}: {plan:?}");
        }
    }

    /// The public list of decisions is a range of the publications' index read backwards: no
    /// sort, no pass over the table, whatever page it is.
    #[test]
    fn the_published_decisions_page_is_a_range_of_their_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn).unwrap();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", publication_page_sql())).unwrap();
        let plan: Vec<String> = stmt
            .query_map(params![5_i64, "x", 10_i64], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(plan.iter().any(|l| l.contains("USING INDEX publications_by_time")), "{plan:?}");
        assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:?}");
    }

    /// The files whose retention runs out and the recordings in disposal are ranges of their
    /// partial indexes: no pass over the files or the recordings, no sort.
    #[test]
    fn expiring_files_and_disposals_are_ranges_of_their_indexes() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn).unwrap();
        for (sql, index, first) in [
            (EXPIRING_SQL, "case_files_by_keep_until", rusqlite::types::Value::Text("2036-01-01".into())),
            (IN_DISPOSAL_SQL, "recordings_by_disposal", rusqlite::types::Value::Text("requested".into())),
        ] {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let args = [first, rusqlite::types::Value::Text(String::new()), "".to_string().into(), 10_i64.into()];
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(args.iter()), |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(plan.iter().any(|l| l.contains(index)), "{plan:?}");
            assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE") || l.starts_with("SCAN")), "{plan:?}");
        }
    }

    /// A series' last number is the end of a range of the register's index: no pass over the
    /// numbers given.
    #[test]
    fn a_series_last_number_is_read_from_its_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_sqlite(&mut conn).unwrap();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {SERIES_LAST_SQL}")).unwrap();
        let plan: Vec<String> =
            stmt.query_map(["x"], |r| r.get::<_, String>(3)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
        assert!(plan.iter().any(|l| l.contains("doc_numbers_by_series")), "{plan:?}");
        assert!(!plan.iter().any(|l| l.starts_with("SCAN doc_numbers")), "{plan:?}");
    }

    /// A log without a mark or `meta`'s note of one passes only when its schema is from before
    /// marks (the open then writes one); at [`crate::migrate::MARKED_SINCE`] or later, it had
    /// one, and its absence is said.
    #[test]
    fn a_missing_mark_passes_only_a_schema_from_before_marks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("liuhen.db");
        let mut conn = open_writer(&path).unwrap();
        migrate_sqlite(&mut conn).unwrap();
        let mark = mark_path(&path);
        assert!(check_mark(&conn, &mark, 5, false).is_ok());
        assert!(check_mark(&conn, &mark, 0, true).is_ok(), "an empty log has nothing acknowledged");
        let err = check_mark(&conn, &mark, 5, true).unwrap_err();
        assert!(err.to_string().contains("liuhen.db-mark is missing"), "{err}");
        conn.execute("INSERT INTO meta (key, value) VALUES ('mark', 'x')", []).unwrap();
        assert!(check_mark(&conn, &mark, 5, false).is_err(), "meta's note alone says it had one");
    }

    /// A scratch of projections is no one else's to read (its directory is the account's own).
    #[cfg(unix)]
    #[test]
    fn a_projection_scratch_is_only_its_owners_to_read() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = ProjectionScratch::new().unwrap();
        let mode = std::fs::metadata(scratch.dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
    }

    /// A statement taken from the cache again runs as compiled: never compiled anew because the
    /// cache cleared its bindings (see [`plans_stable`]).
    #[test]
    fn cached_statements_are_compiled_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("liuhen.db");
        let mut writer = open_writer(&path).unwrap();
        migrate_sqlite(&mut writer).unwrap();
        for conn in [open_reader(&path).unwrap(), writer] {
            for case in ["a", "b", "c"] {
                let mut stmt = conn
                    .prepare_cached("SELECT idx, data FROM log_entries WHERE case_id = ?1 AND idx < ?2 ORDER BY idx")
                    .unwrap();
                let mut rows = stmt.query(params![case, 10]).unwrap();
                while rows.next().unwrap().is_some() {}
                drop(rows);
                assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
            }
        }
    }
}
