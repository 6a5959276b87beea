//! The subcommands.

pub mod bench;
pub mod bench_export;
pub mod export;
pub mod import;
pub mod rebuild;
pub mod scale;
pub mod serve;
pub mod user;
pub mod verify;

use anyhow::Context;
use liuhen_server::AppState;
use liuhen_server::app::App;
use liuhen_server::datadir::{DataDir, fill_random};
use liuhen_store::{Blobs, SqliteStore};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// An open data directory: its store and application, bootstrapped.
pub struct Opened {
    /// The data directory's lock, held while this process writes to it.
    pub _lock: std::fs::File,
    pub dir: DataDir,
    pub store: SqliteStore,
    pub state: AppState<SqliteStore>,
    /// The administrator's one-time password, on the first run only.
    pub admin_password: Option<String>,
}

/// Takes the data directory's lock (`DATA/liuhen.lock`, exclusive, released when the process
/// ends — kill -9 included): one process writes a data directory at a time, so a console
/// command never appends behind a running server's back (nor the other way round).
pub fn lock_data_dir(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))?;
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path.join("liuhen.lock"))
        .context("opening the data directory's lock")?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "数据目录 {} 正被另一个留痕进程使用（服务是否正在运行？请先停止服务） / the data directory is in use by \
             another liuhen process (is the server running? stop it first)",
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(e).context("locking the data directory"),
    }
}

/// Opens (creating on first use) a data directory for writing.
pub async fn open_data_dir(
    path: &Path,
    origin: Option<&str>,
    log_access: liuhen_server::LogAccess,
) -> anyhow::Result<Opened> {
    let lock = lock_data_dir(path)?;
    let dir = DataDir::new(path);
    // Keys made by an earlier start: that start made the database too.
    let had_keys = dir.is_initialised();
    if !had_keys {
        let origin = match origin {
            Some(o) => o.to_string(),
            None => {
                let mut id = [0u8; 4];
                fill_random(&mut id);
                format!("liuhen.local/{}", hex_lower(&id))
            }
        };
        dir.init(&origin).with_context(|| format!("creating the data directory {}", path.display()))?;
    }
    refuse_on(dir.key_problems()?)?;
    // A database made new beside files a log once vouched for (its blobs): the database was
    // removed, and a new log under the same keys would vouch for whatever is put in it.
    if !dir.db_path().exists() && (had_keys || holds_a_file(&dir.blobs_dir())) {
        anyhow::bail!(
            "{} is missing beside the office's keys or blobs: the database was removed; restore it from a backup \
             (liuhen makes a new log only in a new directory; for one whose very first start was interrupted, remove \
             keys/ and log.pub first)",
            dir.db_path().display()
        );
    }
    let config = dir.log_config(Duration::from_secs(1))?;
    let store = SqliteStore::open(&dir.db_path(), config).await.context("opening the database")?;
    // An emptied database beside blobs a log once vouched for: the same, done in place.
    if liuhen_store::Log::tree_size(&store) == 0 && holds_a_file(&dir.blobs_dir()) {
        anyhow::bail!(
            "the log in {} is empty but the blob store beside it holds files: the database was emptied; restore it \
             from a backup",
            dir.db_path().display()
        );
    }
    let blobs = Blobs::local(&dir.blobs_dir()).context("opening the blob store")?;
    let mut app = App::new(store.clone(), blobs);
    app.calendar = Arc::new(dir.calendar()?);
    app.uploads = Arc::new(liuhen_server::app::recordings::Uploads::new(dir.uploads_dir()));
    app.documents = Arc::new(liuhen_server::app::documents::DocConfig {
        font_dirs: liuhen_pdf::default_dirs(&[]),
        seal: Some(Arc::new(dir.seal_keys().context("the electronic seal's keys")?)),
    });
    for what in store.mended() {
        eprintln!(
            "警告：数据库结构在留痕之外被改动，已按迁移重建 / warning: changed outside liuhen, made again: {what}"
        );
    }
    // A database from before the newer projections (row versions, the case list's search
    // fields, deadlines), or one whose projection table was dropped or changed with a SQLite
    // shell, has them computed from its log, as `liuhen rebuild` would — before anything reads
    // them (the bootstrap below asks whether there are users).
    if store.projections_need_rebuild()? {
        eprintln!("正在由日志重建投影 / rebuilding the projections from the log");
        app.rebuild().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let keys = store.verifier_keys();
    let admin_password = app.bootstrap(store.origin(), &keys).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    app.record_seal_keys().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    refuse_on(app.key_problems(&keys).await.map_err(|e| anyhow::anyhow!("{e}"))?)?;
    let state = AppState { app, log_access, verifier_keys: Arc::new(keys), secure_cookies: false };
    Ok(Opened { _lock: lock, dir, store, state, admin_password })
}

/// Whether `dir` or a directory under it holds a file.
fn holds_a_file(dir: &Path) -> bool {
    std::fs::read_dir(dir).into_iter().flatten().flatten().any(|e| match e.file_type() {
        Ok(t) if t.is_dir() => holds_a_file(&e.path()),
        Ok(_) => true,
        Err(_) => false,
    })
}

/// On a terminal, how far a pass over the log has come, on one line of standard error
/// rewritten in place (at most a few times a second); nothing when standard error is a file or
/// a pipe, so scripts and logs see only the results.
pub fn terminal_progress() -> Option<liuhen_server::app::Progress> {
    use std::io::{IsTerminal, Write};
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let last = std::sync::Mutex::new(None::<std::time::Instant>);
    Some(std::sync::Arc::new(move |what: &str, done: u64, total: u64| {
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_some_and(|t| t.elapsed() < std::time::Duration::from_millis(200)) && done != 0 {
            return;
        }
        *last = Some(std::time::Instant::now());
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K{what}：{done} / {total} 条日志（{pct}%）");
        let _ = err.flush();
    }))
}

/// Ends a line [`terminal_progress`] was rewriting.
pub fn end_progress(progress: &Option<liuhen_server::app::Progress>) {
    if progress.is_some() {
        eprint!("\r\x1b[K");
    }
}

/// Refuses to go on with keys that do not match what was published or logged, naming each.
pub fn refuse_on(problems: Vec<String>) -> anyhow::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    anyhow::bail!("refusing to start: {}", problems.join("; "))
}

fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
