//! The application layer: load, decide, and append the log entry together with the projection
//! changes in one transaction. The only place where domain decisions meet the store.

pub mod agency;
pub mod archive;
pub mod auth;
pub mod av;
pub mod cases;
pub mod catalogues;
pub mod clips;
pub mod coercion;
pub mod deadlines;
pub mod demo;
pub mod devices;
pub mod disposal;
pub mod documents;
pub mod error;
pub mod evidence;
pub mod export;
pub mod filing_check;
pub mod fixity;
pub mod inbox;
pub mod inspection;
pub mod integrity;
pub mod iso;
pub mod keys;
pub mod ledger;
pub mod licence;
pub mod matters;
pub mod media;
pub mod next;
pub mod numbering;
pub mod ordinary;
pub mod party_access;
pub mod policy;
pub mod publication;
pub mod rebuild;
pub mod recordings;
pub mod records;
pub mod requests;
pub mod scale;
pub mod service;
pub mod signer;
pub mod statistics;
pub mod summary;
pub mod totp;

pub use auth::{Login, SESSION_TTL_MS, now_ms};
pub use error::AppError;

use liuhen_log::EntryDraft;
use liuhen_store::{AppendRequest, Blobs, LogStore, Op, Receipt};
use serde_json::{Map, Value, json};

/// The application services over a store.
#[derive(Clone)]
pub struct App<S> {
    pub store: S,
    pub blobs: Blobs,
    /// The working-day calendar deadlines are computed on.
    pub calendar: std::sync::Arc<liuhen_core::calendar::WorkCalendar>,
    /// Failed sign-ins logged one by one this minute, and those counted beyond the cap.
    pub(crate) failure_cap: auth::FailureCapState,
    /// The cap: failed sign-ins logged one by one a minute, from all clients together.
    pub unauthenticated_per_minute: u32,
    /// A reverse proxy whose `X-Forwarded-For` names the client (`serve --trusted-proxy`).
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// Uploads in progress, staged on disk (`DATA/uploads`, beside the blobs).
    pub uploads: std::sync::Arc<recordings::Uploads>,
    /// Playback grants: each one a ledgered view of a recording (per server process).
    pub(crate) grants: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, recordings::Grant>>>,
    /// Fonts for the documents' PDFs and the office's seal keys.
    pub documents: std::sync::Arc<documents::DocConfig>,
    /// The last scheduled check of the whole log (the alarm).
    pub(crate) integrity: std::sync::Arc<std::sync::Mutex<Option<integrity::IntegrityReport>>>,
    /// The last fixity pass over the blobs (the alarm).
    pub(crate) fixity: std::sync::Arc<std::sync::Mutex<Option<fixity::FixityReport>>>,
    /// No 文号 is given until an integrity check finds the projections as the log has them
    /// ([`App::hold_until_checked`]).
    pub(crate) numbering_held: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The sessions found at the server's start, not honoured until an integrity check has
    /// ended those the log does not vouch for ([`App::hold_until_checked`]).
    pub(crate) inherited_sessions:
        std::sync::Arc<std::sync::Mutex<Option<std::collections::HashSet<liuhen_log::Hash>>>>,
    /// The time the law's steps are dated by (approvals) and typed times are checked against.
    pub clock: Clock,
    /// Cases as their last command left them, by id with their version: a command on a case
    /// whose stored version is the one here starts from it instead of replaying the case's
    /// log (see [`cases::Aggregates`]).
    pub(crate) aggregates: std::sync::Arc<cases::Aggregates>,
    /// Told how far a pass over the whole log has come: (what, entries done, entries in all)
    /// — `liuhen rebuild` and `liuhen verify` print it on a terminal.
    pub progress: Option<Progress>,
    /// How many entries a pass over the whole log reads, and holds what they write, at once
    /// ([`rebuild::ENTRIES_AT_ONCE`]; a test makes it 1, so that every row a later entry
    /// changes is read back from where the pass put it).
    pub log_part: u64,
}

/// See [`App::progress`].
pub type Progress = std::sync::Arc<dyn Fn(&str, u64, u64) + Send + Sync>;

/// The server's clock for what the law dates: real time, or real time moved to start at
/// another moment (for tests that walk a case through dates of their own).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Shared by the clones of one app (its router's handlers see a move at once).
    offset_ms: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// A clock that reads `ms` (Unix milliseconds) now and runs on from there.
    pub fn starting_at(ms: i64) -> Clock {
        Clock { offset_ms: std::sync::Arc::new(std::sync::atomic::AtomicI64::new(ms - now_ms())) }
    }
    pub fn now(&self) -> liuhen_core::time::Timestamp {
        liuhen_core::time::Timestamp(now_ms() + self.offset_ms.load(std::sync::atomic::Ordering::Relaxed))
    }
    /// Moves this clock, and every clone of it, to read `ms` now: for tests that take an
    /// approval on the day their story has it. A server's clock is never moved.
    pub fn set(&self, ms: i64) {
        self.offset_ms.store(ms - now_ms(), std::sync::atomic::Ordering::Relaxed);
    }
}

/// How far ahead of the server's clock a typed time may be (a device's clock a little fast).
pub const CLOCK_TOLERANCE_MS: i64 = 5 * 60_000;

/// The earliest time a step may be dated: 1990-01-01 00:00 Asia/Shanghai, before any law this
/// system records under (行政处罚法 1996, 行政许可法 2003, 行政强制法 2011). Earlier is a typing
/// error or a forged date, not a record.
pub const EARLIEST_MS: i64 = 631_123_200_000;

/// R-064b: every time in `v` (a field `at` or `…_at`, in Unix ms, at any depth) that is later
/// than `now` beyond the tolerance, or earlier than [`EARLIEST_MS`], named by its path.
pub(crate) fn future_times(v: &Value, now: liuhen_core::time::Timestamp) -> Vec<liuhen_core::rules::Violation> {
    fn walk(v: &Value, path: &str, limit: i64, out: &mut Vec<liuhen_core::rules::Violation>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let here = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    match x.as_i64() {
                        // A time a step happened at, or a recorded time corrected `to`.
                        Some(t) if (k == "at" || k.ends_with("_at") || k == "to") && t > limit => {
                            let shown = liuhen_core::time::Timestamp(t).shanghai_date();
                            out.push(
                                liuhen_core::rules::R_064B.violated(
                                    "at",
                                    format!("{here}（{shown}）晚于服务器当前时间，不得记录尚未发生的事"),
                                ),
                            );
                        }
                        Some(t) if (k == "at" || k.ends_with("_at") || k == "to") && t < EARLIEST_MS => {
                            out.push(
                                liuhen_core::rules::R_064B
                                    .violated("at", format!("{here}早于 1990 年 1 月 1 日，不是可以记录的执法时间")),
                            );
                        }
                        _ => walk(x, &here, limit, out),
                    }
                }
            }
            Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| walk(x, &format!("{path}[{i}]"), limit, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, "", now.0 + CLOCK_TOLERANCE_MS, &mut out);
    out
}

tokio::task_local! {
    /// The signed receipts of the entries appended while answering the current request.
    pub static RECEIPTS: std::sync::Arc<std::sync::Mutex<Vec<String>>>;
    /// The indexes of the entries appended while answering the current request.
    pub static ENTRIES: std::sync::Arc<std::sync::Mutex<Vec<u64>>>;
}

/// The administrator's role code (`policy::Role::SysAdmin`).
pub const ROLE_SYSADMIN: &str = "sysadmin";

/// An entry's body on a case with its `detail` behind a commitment (the detail's canonical JSON,
/// salted): the body with the case, the time and the commitment, and the opening stored with it.
pub(crate) struct Committed {
    pub body: Map<String, Value>,
    pub at: i64,
    commit: liuhen_log::Hash,
    opening: liuhen_store::Op,
}

impl Committed {
    /// `body` of an entry on case `case` at `at`, `detail` committed to.
    pub(crate) fn new(case: &str, body: Value, detail: &Value, at: i64) -> Result<Committed, AppError> {
        let mut content = Vec::new();
        liuhen_log::entry::write_canonical(detail, &mut content);
        let mut salt = [0u8; 32];
        getrandom::fill(&mut salt).map_err(|e| AppError::Internal(e.to_string().into()))?;
        let commit = liuhen_log::entry::commitment(&salt, &content);
        let mut b = self::body(body);
        b.insert("case".into(), Value::from(case));
        b.insert("recorded_at".into(), Value::from(at));
        b.insert("detail".into(), serde_json::json!({"commit": commit.to_hex()}));
        Ok(Committed {
            body: b,
            at,
            commit,
            opening: liuhen_store::Op::PutOpening { commitment: commit, salt, content },
        })
    }

    /// The entry of `actor` named `action` on case `case`, and the opening to store with it.
    pub(crate) fn draft(
        self,
        actor: &str,
        action: &str,
        case: &str,
    ) -> Result<(liuhen_log::EntryDraft, liuhen_store::Op), AppError> {
        let d = liuhen_log::EntryDraft::new(actor, action, Some(case), self.body, vec![], vec![self.commit])
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        Ok((d, self.opening))
    }
}

pub(crate) fn body(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A row's JSON and the version it was read at, from its read (`(data, version)`); `None` when
/// there is no row.
pub(crate) fn versioned_json(
    row: Result<(String, u64), liuhen_store::StoreError>,
) -> Result<Option<(Value, u64)>, AppError> {
    match row {
        Ok((data, version)) => {
            serde_json::from_str(&data).map(|v| Some((v, version))).map_err(|e| AppError::Internal(Box::new(e)))
        }
        Err(liuhen_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What is said (`kind`) of record `record` of case `case_id`, to write (its time and version
/// are the store's to give).
pub(crate) fn record_mark(case_id: &str, kind: &str, record: &str, data: &Value) -> liuhen_store::RecordMarkRecord {
    liuhen_store::RecordMarkRecord {
        case_id: case_id.to_string(),
        kind: kind.to_string(),
        record: record.to_string(),
        data: data.to_string(),
        updated_at_ms: 0,
        version: 0,
    }
}

/// A read-modify-write of a setting: replaces `record`'s key only while it is still at
/// `read` (the version it was read at; 0: it was not there), else the append is `Stale`.
pub(crate) fn put_setting(record: liuhen_store::SettingRecord, read: u64) -> Op {
    Op::PutSetting { record, expected_version: Some(read) }
}

/// The version of setting `key` (0 when there is none).
pub(crate) async fn setting_version<S: LogStore>(store: &S, key: &str) -> Result<u64, AppError> {
    match store.setting(key).await {
        Ok(r) => Ok(r.version),
        Err(liuhen_store::StoreError::NotFound) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// A singleton set whole (the office profile, a catalogue): whatever was there is replaced.
pub(crate) fn set_setting(record: liuhen_store::SettingRecord) -> Op {
    Op::PutSetting { record, expected_version: None }
}

/// How many times a read-modify-write is read and decided again after another request's
/// change to the same row committed first (each round, one of the contenders commits).
pub(crate) const RETRIES: u32 = 64;

/// Runs `attempt` — read, decide, append naming the versions read — again from a fresh read
/// while its append is `Stale`, after a short random pause; after [`RETRIES`] the conflict is
/// answered (409). No lock is held: the store's transaction is the only arbiter.
pub(crate) async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let mut round = 0;
    loop {
        match attempt().await {
            Err(AppError::Stale(_)) if round < RETRIES => {
                round += 1;
                let mut r = [0u8; 2];
                let _ = getrandom::fill(&mut r);
                let pause = u64::from(u16::from_le_bytes(r)) % (1 + u64::from(round.min(8)) * 2);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            other => return other,
        }
    }
}

/// The JSON behind commitment `c` of entry `index`, checked against the commitment: a missing,
/// changed or unreadable opening is an integrity error naming the entry, never used.
pub(crate) async fn opened_detail<S: LogStore>(store: &S, index: u64, c: &liuhen_log::Hash) -> Result<Value, AppError> {
    let named = |why: String| AppError::Integrity(format!("entry {index} (commitment {c}): {why}"));
    let (_, content) = match store.opening(c).await {
        Ok(o) => o,
        Err(liuhen_store::StoreError::NotFound) => return Err(named("its opening is missing".to_string())),
        Err(e) => return Err(named(e.to_string())),
    };
    serde_json::from_slice(&content).map_err(|e| named(format!("its opening is not JSON ({e})")))
}

impl<S: LogStore> App<S> {
    /// What is said (`kind`) of each record of case `case_id`: record id → its JSON.
    pub(crate) async fn record_marks(&self, case_id: &str, kind: &str) -> Result<Map<String, Value>, AppError> {
        let mut out = Map::new();
        for m in self.store.record_marks(case_id, kind).await? {
            let v = serde_json::from_str(&m.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            out.insert(m.record, v);
        }
        Ok(out)
    }

    /// Writes `mark` (what is said of one record of a case) with entry `d`, from one read of
    /// its row, of which `check` is asked first (the mark's data then, if any): refused as stale
    /// (and tried again by [`retrying`]) if another write of the same record came in between;
    /// other records of the case do not conflict with it.
    pub(crate) async fn put_record_mark(
        &self,
        d: EntryDraft,
        opening: Op,
        mark: liuhen_store::RecordMarkRecord,
        check: impl FnOnce(Option<&Value>) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        let (read, now) = match self.store.record_mark(&mark.case_id, &mark.kind, &mark.record).await {
            Ok(m) => (m.version, Some(serde_json::from_str(&m.data).unwrap_or(Value::Null))),
            Err(liuhen_store::StoreError::NotFound) => (0, None),
            Err(e) => return Err(e.into()),
        };
        // What the caller expects of the mark, asked of the very read whose version is written.
        check(now.as_ref())?;
        self.append(d, vec![opening, Op::PutRecordMark { record: mark, expected_version: Some(read) }]).await?;
        Ok(())
    }

    pub fn new(store: S, blobs: Blobs) -> App<S> {
        App {
            store,
            blobs,
            calendar: std::sync::Arc::new(liuhen_core::calendar::WorkCalendar::china()),
            failure_cap: std::sync::Arc::default(),
            integrity: std::sync::Arc::default(),
            fixity: std::sync::Arc::default(),
            numbering_held: std::sync::Arc::default(),
            inherited_sessions: std::sync::Arc::default(),
            unauthenticated_per_minute: auth::UNAUTHENTICATED_ENTRIES_PER_MINUTE,
            trusted_proxy: None,
            grants: std::sync::Arc::default(),
            documents: std::sync::Arc::new(documents::DocConfig {
                font_dirs: liuhen_pdf::default_dirs(&[]),
                seal: None,
            }),
            clock: Clock::default(),
            aggregates: std::sync::Arc::default(),
            progress: None,
            log_part: rebuild::ENTRIES_AT_ONCE,
            uploads: std::sync::Arc::new(recordings::Uploads::new(
                std::env::temp_dir().join(format!("liuhen-uploads-{}", uuid::Uuid::now_v7())),
            )),
        }
    }

    /// Tells [`App::progress`] (if set) that `done` of `total` entries of pass `what` are done.
    pub(crate) fn report_progress(&self, what: &str, done: u64, total: u64) {
        if let Some(p) = &self.progress {
            p(what, done, total);
        }
    }

    /// R-064b: refuses a request whose typed times lie in the future.
    /// a document a command records as sealed (`sealed`, `voucher_sealed`, at any depth)
    /// bears a seal the office holds on the command's day (its `at`, else today) — a client's
    /// word that a paper was sealed stands only where the office has a seal to seal it with.
    pub(crate) async fn seals_held(&self, command: &Value) -> Result<(), AppError> {
        fn claims(v: &Value, path: &str, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        let here = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                        if matches!(k.as_str(), "sealed" | "voucher_sealed") && x == &Value::Bool(true) {
                            out.push(here);
                        } else {
                            claims(x, &here, out);
                        }
                    }
                }
                Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| claims(x, &format!("{path}[{i}]"), out)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        claims(command, "", &mut found);
        if found.is_empty() {
            return Ok(());
        }
        let day = command["at"].as_i64().map_or_else(|| self.clock.now(), liuhen_core::time::Timestamp).shanghai_date();
        if self.agency().await?.holds_seal(None, day) {
            return Ok(());
        }
        Err(AppError::Refused(
            found
                .into_iter()
                .map(|path| {
                    liuhen_core::rules::R_130.violated(
                        "seal",
                        format!("{path}：办事处在 {day} 没有有效的印章（见执法主体的印章登记），文书不能记为已盖章"),
                    )
                })
                .collect(),
        ))
    }

    pub(crate) fn not_in_future(&self, v: &Value) -> Result<(), AppError> {
        let found = future_times(v, self.clock.now());
        if found.is_empty() { Ok(()) } else { Err(AppError::Refused(found)) }
    }

    pub(crate) async fn append(&self, draft: EntryDraft, ops: Vec<Op>) -> Result<Receipt, AppError> {
        let receipt = self.store.append(AppendRequest { draft, ops }).await?;
        // The request's answer names it (`Liuhen-Entry`, see `web::receipts`).
        let _ = ENTRIES.try_with(|r| r.lock().unwrap_or_else(|e| e.into_inner()).push(receipt.index));
        if let Some(signed) = &receipt.signed {
            // The request's answer carries it (`Liuhen-Receipt`, see `web::receipts`).
            let _ = RECEIPTS.try_with(|r| r.lock().unwrap_or_else(|e| e.into_inner()).push(signed.to_json()));
        }
        Ok(receipt)
    }

    /// On an empty log: records the log's identity and keys as entry 0, and creates the
    /// administrator with a one-time password, which is returned (to be printed once).
    pub async fn bootstrap(&self, origin: &str, verifier_keys: &[String]) -> Result<Option<String>, AppError> {
        // An empty log is a new office's: one whose projections hold accounts or cases had its
        // log taken out behind liuhen's back, and a new one under the same keys would vouch
        // for whatever is left.
        if self.store.tree_size() == 0 {
            let (users, cases) = (self.store.count_users().await?, self.store.case_page(&everything(1)).await?.len());
            if users > 0 || cases > 0 {
                return Err(AppError::Integrity(format!(
                    "the log is empty but the database holds {users} account(s) and case(s): the log's entries \
                     were removed outside liuhen; restore the database from a backup"
                )));
            }
        }
        if self.store.tree_size() == 0 {
            let draft = EntryDraft::new(
                "system",
                "log.init",
                None,
                body(json!({"origin": origin, "keys": verifier_keys, "format": "liuhen-entry/v1"})),
                vec![],
                vec![],
            )
            .map_err(|e| AppError::Internal(Box::new(e)))?;
            self.append(draft, vec![]).await?;
        }
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        // The first administrator is made right after the log's first entry, and only then: a
        // log with more and no account is one whose accounts were taken out of the database
        // behind liuhen's back, and a new administrator would hand the office to whoever did it.
        if self.store.tree_size() > 1 {
            return Err(AppError::Integrity(format!(
                "the log holds {} entries but the database no account: the accounts were removed outside liuhen; \
                 run `liuhen rebuild --data` (the accounts are in the log), then `liuhen verify --data`",
                self.store.tree_size()
            )));
        }
        let password = auth::one_time_password();
        let admin = auth::NewUser {
            username: "admin".to_string(),
            roles: ROLE_SYSADMIN.to_string(),
            password: password.clone(),
            must_change_password: true,
            officer_id: String::new(),
            unit: String::new(),
            name: "系统管理员".to_string(),
        };
        self.create_user(&admin, "system").await?;
        Ok(Some(password))
    }
}

/// A query of every case, `limit` of them (no policy: the application's own look).
fn everything(limit: u32) -> liuhen_store::CaseQuery {
    liuhen_store::CaseQuery {
        seen_by: liuhen_store::SeenBy { all: true, ..Default::default() },
        limit,
        ..Default::default()
    }
}

/// A character free text may not hold: a control character other than the line feed, or one
/// that prints as nothing — zero-width spaces and joiners, the word joiner, the byte-order mark,
/// the soft hyphen, bidirectional overrides — with which two numbers that look the same would
/// differ (a 文号 or 案号 taken twice) or a text would read otherwise than it is stored.
pub fn unprintable(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}
