//! The SQLite backend (WAL, `synchronous=FULL`): a single writer task that sequences appends
//! and commits them in groups, a read-only pool for everything else, and a checkpointer that
//! signs the tree head at least once a second while the log grows.

use crate::migrate::migrate_sqlite;
use crate::{AppendRequest, LogStore, Op, Receipt, StoreError, UserRecord};
use liuhen_log::checkpoint::{Checkpoint, TreeHead};
use liuhen_log::tile::{TILE_WIDTH, TileSet, decode_tile, encode_tile};
use liuhen_log::tree::{self, SubtreeRecorder};
use liuhen_log::{Hash, NoteSigner, Tiler, leaf_hash};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Row, SqliteConnection, SqlitePool};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot, watch};

/// The most appends committed in one transaction.
const MAX_BATCH: usize = 1024;
/// Row counts of the prepared multi-row entry inserts (greedy, largest first).
const INSERT_CHUNKS: [usize; 5] = [256, 64, 16, 4, 1];

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
    read: SqlitePool,
    /// `None` for a read-only store.
    writer: Option<mpsc::Sender<WriteMsg>>,
    size: watch::Receiver<u64>,
    config: LogConfig,
    sign_lock: Mutex<()>,
}

enum WriteMsg {
    Append(Appending),
    Checkpoint { size: u64, root: Hash, note: String, reply: oneshot::Sender<Result<(), StoreError>> },
}

struct Appending {
    req: AppendRequest,
    reply: oneshot::Sender<Result<Receipt, StoreError>>,
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
}

impl SqliteStore {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub async fn open(path: &Path, config: LogConfig) -> Result<SqliteStore, StoreError> {
        let mut conn = SqliteConnection::connect_with(&options(path).create_if_missing(true)).await?;
        migrate_sqlite(&mut conn).await?;
        check_origin(&mut conn, &config.origin).await?;
        let (tiler, last_time) = load_state(&mut conn).await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(options(path).read_only(true)).await?;
        let (size_tx, size_rx) = watch::channel(tiler.size());
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer_loop(conn, rx, Writer { tiler, last_time, size: size_tx }));
        let inner = Arc::new(Inner { read, writer: Some(tx), size: size_rx, config, sign_lock: Mutex::new(()) });
        tokio::spawn(checkpointer(Arc::downgrade(&inner)));
        Ok(SqliteStore { inner })
    }

    /// Opens an existing database for reading only (verification, export): no writer, no
    /// checkpointer, no migration; the size is the one committed when opened.
    pub async fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        if !path.exists() {
            return Err(StoreError::NotFound);
        }
        let read = SqlitePoolOptions::new().max_connections(2).connect_with(options(path).read_only(true)).await?;
        let size: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries").fetch_one(&read).await?;
        let origin: String = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'origin'").fetch_one(&read).await?;
        let (_tx, size_rx) = watch::channel(size as u64);
        let config = LogConfig { origin, signers: Vec::new(), checkpoint_interval: Duration::from_secs(3600) };
        let inner = Arc::new(Inner { read, writer: None, size: size_rx, config, sign_lock: Mutex::new(()) });
        Ok(SqliteStore { inner })
    }

    fn writer(&self) -> Result<&mpsc::Sender<WriteMsg>, StoreError> {
        self.inner.writer.as_ref().ok_or_else(|| StoreError::Unavailable("the store is open read-only".to_string()))
    }

    pub fn origin(&self) -> &str {
        &self.inner.config.origin
    }

    /// The verifier keys of the log, one `name+id+key` line each.
    pub fn verifier_keys(&self) -> Vec<String> {
        self.inner.config.signers.iter().map(|s| s.verifier().to_string()).collect()
    }

    /// The durable size as a watch, for tests and the HTTP layer.
    pub fn watch_size(&self) -> watch::Receiver<u64> {
        self.inner.size.clone()
    }

    async fn read_tiles(&self, ids: &[liuhen_log::TileId]) -> Result<TileSet, StoreError> {
        let mut set = TileSet::default();
        for id in ids {
            let level = id.level.unwrap_or(0);
            let data = self.tile(level, id.index).await?;
            let width = (data.len() / 32).min(usize::from(id.width));
            if width < usize::from(id.width) {
                return Err(StoreError::Integrity(format!("tile {} is shorter than the tree needs", id.path())));
            }
            let hashes = decode_tile(&data[..width * 32], width as u16)
                .map_err(|e| StoreError::Integrity(format!("tile {}: {e}", id.path())))?;
            set.insert(level, id.index, hashes);
        }
        Ok(set)
    }

    /// Runs a root or proof computation over the tiles it needs, read from the database.
    async fn with_tiles<T>(
        &self,
        size: u64,
        f: impl Fn(&dyn Fn(u8, u64) -> Result<Hash, liuhen_log::ProofError>) -> Result<T, liuhen_log::ProofError>,
    ) -> Result<T, StoreError> {
        let rec = SubtreeRecorder::default();
        f(&|h, i| liuhen_log::HashSource::subtree_hash(&rec, h, i)).map_err(proof_err)?;
        let set = self.read_tiles(&TileSet::tiles_for(&rec.into_subtrees(), size)).await?;
        f(&|h, i| liuhen_log::HashSource::subtree_hash(&set, h, i)).map_err(proof_err)
    }

    /// The root of the tree of `size` entries, computed from stored tiles.
    pub async fn root_at(&self, size: u64) -> Result<Hash, StoreError> {
        self.check_size(size)?;
        self.with_tiles(size, |src| tree::root(size, &FnSource(src))).await
    }

    fn check_size(&self, size: u64) -> Result<(), StoreError> {
        if size > self.tree_size() {
            return Err(StoreError::Invalid(format!("tree size {size} is larger than the log")));
        }
        Ok(())
    }

    /// Appends nothing; waits until the writer has stopped (all senders dropped elsewhere).
    pub async fn close(self) {
        self.inner.read.close().await;
    }
}

struct FnSource<'a>(&'a dyn Fn(u8, u64) -> Result<Hash, liuhen_log::ProofError>);

impl liuhen_log::HashSource for FnSource<'_> {
    fn subtree_hash(&self, height: u8, index: u64) -> Result<Hash, liuhen_log::ProofError> {
        (self.0)(height, index)
    }
}

fn proof_err(e: liuhen_log::ProofError) -> StoreError {
    match e {
        liuhen_log::ProofError::IndexOutOfRange { .. } | liuhen_log::ProofError::SizesOutOfOrder { .. } => {
            StoreError::Invalid(e.to_string())
        }
        _ => StoreError::Integrity(e.to_string()),
    }
}

async fn check_origin(conn: &mut SqliteConnection, origin: &str) -> Result<(), StoreError> {
    let stored: Option<String> =
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'origin'").fetch_optional(&mut *conn).await?;
    match stored {
        Some(s) if s == origin => Ok(()),
        Some(s) => Err(StoreError::Invalid(format!("this database belongs to the log {s:?}, not {origin:?}"))),
        None => {
            sqlx::query("INSERT INTO meta (key, value) VALUES ('origin', $1)").bind(origin).execute(&mut *conn).await?;
            Ok(())
        }
    }
}

async fn load_state(conn: &mut SqliteConnection) -> Result<(Tiler, i64), StoreError> {
    let size: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries").fetch_one(&mut *conn).await?;
    let size = size as u64;
    let mut rightmost = Vec::new();
    let mut level = 0u32;
    while level < 8 && (size >> (8 * level)) > 0 {
        let index = (size >> (8 * level)) / TILE_WIDTH;
        let width = ((size >> (8 * level)) % TILE_WIDTH) as u16;
        let hashes = if width == 0 {
            Vec::new()
        } else {
            let data: Option<Vec<u8>> =
                sqlx::query_scalar("SELECT hashes FROM log_tiles WHERE level = $1 AND idx = $2")
                    .bind(level as i64)
                    .bind(index as i64)
                    .fetch_optional(&mut *conn)
                    .await?;
            let data = data.ok_or_else(|| StoreError::Integrity(format!("tile {level}/{index} is missing")))?;
            decode_tile(&data, width).map_err(|e| StoreError::Integrity(format!("tile {level}/{index}: {e}")))?
        };
        rightmost.push(hashes);
        level += 1;
    }
    let tiler = Tiler::resume(size, rightmost).map_err(|e| StoreError::Integrity(e.to_string()))?;
    let last_time: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT data FROM log_entries ORDER BY idx DESC LIMIT 1").fetch_optional(&mut *conn).await?;
    let last_time = match last_time {
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
    size: watch::Sender<u64>,
}

async fn writer_loop(mut conn: SqliteConnection, mut rx: mpsc::Receiver<WriteMsg>, mut w: Writer) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        // Let writers that are about to send join this group; one yield is enough for the
        // tasks woken by the previous commit to enqueue.
        tokio::task::yield_now().await;
        let mut checkpoint = None;
        while let Some(msg) = next.take() {
            match msg {
                WriteMsg::Append(a) => batch.push(a),
                cp @ WriteMsg::Checkpoint { .. } => {
                    checkpoint = Some(cp);
                    break;
                }
            }
            if batch.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            commit_batch(&mut conn, &mut w, &mut batch).await;
        }
        if let Some(WriteMsg::Checkpoint { size, root, note, reply }) = checkpoint {
            let res = sqlx::query("INSERT INTO log_checkpoints (size, root, note, signed_at) VALUES ($1, $2, $3, $4)")
                .bind(size as i64)
                .bind(root.0.as_slice())
                .bind(note)
                .bind(now_ms())
                .execute(&mut conn)
                .await;
            let _ = reply.send(res.map(|_| ()).map_err(StoreError::from));
        }
    }
    let _ = conn.close().await;
}

async fn commit_batch(conn: &mut SqliteConnection, w: &mut Writer, batch: &mut Vec<Appending>) {
    let before = (w.tiler.clone(), w.last_time);
    let mut outcomes: Vec<Result<Receipt, StoreError>> = Vec::with_capacity(batch.len());
    let res = write_batch(conn, w, batch, &mut outcomes).await;
    match res {
        Ok(()) => {
            let _ = w.size.send(w.tiler.size());
            for (msg, outcome) in batch.drain(..).zip(outcomes) {
                let _ = msg.reply.send(outcome);
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

async fn write_batch(
    conn: &mut SqliteConnection,
    w: &mut Writer,
    batch: &[Appending],
    outcomes: &mut Vec<Result<Receipt, StoreError>>,
) -> Result<(), StoreError> {
    let mut tx = conn.begin().await?;
    let mut rows: Vec<(i64, Vec<u8>)> = Vec::with_capacity(batch.len());
    let mut full_tiles: Vec<(u8, u64, Vec<Hash>)> = Vec::new();
    let mut levels_touched = 1u8;
    for msg in batch {
        if !msg.req.ops.is_empty() {
            let mut sp = Connection::begin(&mut *tx).await?;
            match apply_ops(&mut sp, &msg.req.ops).await {
                Ok(()) => sp.commit().await?,
                Err(e) => {
                    sp.rollback().await?;
                    outcomes.push(Err(e));
                    continue;
                }
            }
        }
        let index = w.tiler.size();
        let time_ms = now_ms().max(w.last_time);
        w.last_time = time_ms;
        let bytes = msg.req.draft.encode_at(index, time_ms);
        let leaf = leaf_hash(&bytes);
        for (level, tindex, hashes) in w.tiler.push(leaf) {
            levels_touched = levels_touched.max(level + 2);
            full_tiles.push((level, tindex, hashes));
        }
        rows.push((index as i64, bytes));
        outcomes.push(Ok(Receipt { index, time_ms, leaf }));
    }
    insert_entries(&mut tx, &rows).await?;
    let mut tiles: BTreeMap<(u8, u64), Vec<u8>> = BTreeMap::new();
    for (level, index, hashes) in full_tiles {
        tiles.insert((level, index), encode_tile(&hashes));
    }
    for level in 0..levels_touched.min(w.tiler.levels()) {
        let (index, hashes) = w.tiler.partial(level);
        if !hashes.is_empty() {
            tiles.insert((level, index), encode_tile(hashes));
        }
    }
    for ((level, index), data) in tiles {
        sqlx::query(
            "INSERT INTO log_tiles (level, idx, hashes) VALUES ($1, $2, $3) \
             ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes",
        )
        .bind(i64::from(level))
        .bind(index as i64)
        .bind(data)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn insert_entries(conn: &mut SqliteConnection, rows: &[(i64, Vec<u8>)]) -> Result<(), StoreError> {
    insert_rows(conn, "INSERT INTO log_entries (idx, data) VALUES ", rows).await
}

/// Inserts `(integer, blob)` rows with prepared multi-row statements of fixed sizes.
async fn insert_rows(
    conn: &mut SqliteConnection,
    prefix: &'static str,
    rows: &[(i64, Vec<u8>)],
) -> Result<(), StoreError> {
    let mut rest = rows;
    while !rest.is_empty() {
        let n = INSERT_CHUNKS.iter().copied().find(|&c| c <= rest.len()).unwrap_or(1);
        let (chunk, tail) = rest.split_at(n);
        // Built only from the fixed chunk sizes: no input reaches the SQL text.
        let placeholders: Vec<String> = (0..n).map(|i| format!("(${},${})", 2 * i + 1, 2 * i + 2)).collect();
        let sql = format!("{prefix}{}", placeholders.join(","));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (idx, data) in chunk {
            q = q.bind(*idx).bind(data.as_slice());
        }
        q.execute(&mut *conn).await?;
        rest = tail;
    }
    Ok(())
}

async fn apply_ops(conn: &mut SqliteConnection, ops: &[Op]) -> Result<(), StoreError> {
    for op in ops {
        match op {
            Op::PutOpening { commitment, salt, content } => {
                sqlx::query(
                    "INSERT INTO openings (commitment, salt, content) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(commitment.0.as_slice())
                .bind(salt.as_slice())
                .bind(content.as_slice())
                .execute(&mut *conn)
                .await?;
            }
            Op::RecordBlob(b) => {
                sqlx::query("INSERT INTO blobs (sha256, size) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(b.sha256.0.as_slice())
                    .bind(b.size as i64)
                    .execute(&mut *conn)
                    .await?;
            }
            Op::CreateSession { token_sha256, user_id, created_at_ms, expires_at_ms } => {
                sqlx::query(
                    "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(token_sha256.0.as_slice())
                .bind(user_id)
                .bind(created_at_ms)
                .bind(expires_at_ms)
                .execute(&mut *conn)
                .await?;
            }
            Op::CreateUser(u) => {
                let res = sqlx::query(
                    "INSERT INTO users (id, username, role, password_hash, must_change_password, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&u.id)
                .bind(&u.username)
                .bind(&u.role)
                .bind(&u.password_hash)
                .bind(i64::from(u.must_change_password))
                .bind(u.created_at_ms)
                .execute(&mut *conn)
                .await;
                match res {
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        return Err(StoreError::Conflict(format!("username {:?} is taken", u.username)));
                    }
                    r => {
                        r?;
                    }
                }
            }
        }
    }
    Ok(())
}

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

impl LogStore for SqliteStore {
    async fn append(&self, req: AppendRequest) -> Result<Receipt, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.writer()?
            .send(WriteMsg::Append(Appending { req, reply }))
            .await
            .map_err(|_| StoreError::Unavailable("log writer stopped".to_string()))?;
        rx.await.map_err(|_| StoreError::Unavailable("log writer stopped".to_string()))?
    }

    fn tree_size(&self) -> u64 {
        *self.inner.size.borrow()
    }

    async fn entries(&self, start: u64, end: u64) -> Result<Vec<Vec<u8>>, StoreError> {
        if start > end || end - start > 4096 {
            return Err(StoreError::Invalid("entry range must be at most 4096 entries".to_string()));
        }
        let rows: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT data FROM log_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx")
                .bind(start as i64)
                .bind(end as i64)
                .fetch_all(&self.inner.read)
                .await?;
        if rows.len() as u64 != end - start {
            return Err(StoreError::NotFound);
        }
        Ok(rows)
    }

    async fn tile(&self, level: u8, index: u64) -> Result<Vec<u8>, StoreError> {
        let data: Option<Vec<u8>> = sqlx::query_scalar("SELECT hashes FROM log_tiles WHERE level = $1 AND idx = $2")
            .bind(i64::from(level))
            .bind(index as i64)
            .fetch_optional(&self.inner.read)
            .await?;
        data.ok_or(StoreError::NotFound)
    }

    async fn latest_checkpoint(&self) -> Result<String, StoreError> {
        let note: Option<String> = sqlx::query_scalar("SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&self.inner.read)
            .await?;
        note.ok_or(StoreError::NotFound)
    }

    async fn sign_checkpoint(&self) -> Result<String, StoreError> {
        self.writer()?;
        let _guard = self.inner.sign_lock.lock().await;
        let size = self.tree_size();
        let last = sqlx::query("SELECT size, root, note FROM log_checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&self.inner.read)
            .await?;
        let last = match last {
            Some(row) => {
                let s: i64 = row.try_get("size")?;
                let root: Vec<u8> = row.try_get("root")?;
                let note: String = row.try_get("note")?;
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
            let proof = self.consistency_proof(*old, size).await?;
            tree::verify_consistency(*old, size, old_root, &root, &proof).map_err(|_| {
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
        self.with_tiles(size, |src| tree::inclusion_proof(index, size, &FnSource(src))).await
    }

    async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, StoreError> {
        self.check_size(new)?;
        self.with_tiles(new, |src| tree::consistency_proof(old, new, &FnSource(src))).await
    }

    async fn user_by_username(&self, username: &str) -> Result<UserRecord, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, role, password_hash, must_change_password, created_at FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.inner.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        user_from_row(&row)
    }

    async fn session_user(&self, token_sha256: &Hash, now_ms: i64) -> Result<UserRecord, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, u.password_hash, u.must_change_password, u.created_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = $1 AND s.expires_at > $2",
        )
        .bind(token_sha256.0.as_slice())
        .bind(now_ms)
        .fetch_optional(&self.inner.read)
        .await?
        .ok_or(StoreError::NotFound)?;
        user_from_row(&row)
    }

    async fn count_users(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.inner.read).await?;
        Ok(n as u64)
    }

    async fn opening(&self, commitment: &Hash) -> Result<([u8; 32], Vec<u8>), StoreError> {
        let row = sqlx::query("SELECT salt, content FROM openings WHERE commitment = $1")
            .bind(commitment.0.as_slice())
            .fetch_optional(&self.inner.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        let salt: Vec<u8> = row.try_get("salt")?;
        let content: Vec<u8> = row.try_get("content")?;
        let salt: [u8; 32] = salt.try_into().map_err(|_| StoreError::Integrity("stored salt".to_string()))?;
        Ok((salt, content))
    }
}

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: row.try_get("role")?,
        password_hash: row.try_get("password_hash")?,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        created_at_ms: row.try_get("created_at")?,
    })
}

/// What plain SQLite commits on this disk: one 200-byte row per entry, `rows_per_tx` rows per
/// transaction, WAL with `synchronous=FULL`, through the same driver and the same prepared
/// multi-row inserts as the log. Returns rows per second over about `duration`. The scratch
/// database at `path` is removed afterwards.
pub async fn measure_bound(path: &Path, rows_per_tx: usize, duration: Duration) -> Result<f64, StoreError> {
    let remove = |p: &Path| {
        for suffix in ["", "-wal", "-shm"] {
            let mut s = p.as_os_str().to_owned();
            s.push(suffix);
            let _ = std::fs::remove_file(std::path::PathBuf::from(s));
        }
    };
    remove(path);
    let mut conn = SqliteConnection::connect_with(&options(path).create_if_missing(true)).await?;
    sqlx::query("CREATE TABLE bound (id INTEGER PRIMARY KEY, data BLOB NOT NULL)").execute(&mut conn).await?;
    let row = vec![0x5au8; 200];
    let start = std::time::Instant::now();
    let mut next_id = 0i64;
    while start.elapsed() < duration {
        let rows: Vec<(i64, Vec<u8>)> = (0..rows_per_tx as i64).map(|i| (next_id + i, row.clone())).collect();
        next_id += rows_per_tx as i64;
        let mut tx = conn.begin().await?;
        insert_rows(&mut tx, "INSERT INTO bound (id, data) VALUES ", &rows).await?;
        tx.commit().await?;
    }
    let secs = start.elapsed().as_secs_f64();
    conn.close().await?;
    remove(path);
    Ok(next_id as f64 / secs)
}
