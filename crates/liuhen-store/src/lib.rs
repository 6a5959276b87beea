//! Storage ports in domain words, and their adapters: SQLite (the embedded default) for the
//! log and its projections, and [`Blobs`] over `object_store` for files.
//!
//! The one way to change state is [`LogStore::append`]: a log entry together with the
//! projection changes ([`Op`]) it records, committed in one transaction, durably (fsync'd)
//! before it is acknowledged. Concurrent appends share a transaction and its fsync (group
//! commit).

#![forbid(unsafe_code)]

mod blobs;
mod error;
mod migrate;
pub mod sqlite;

pub use blobs::{Blobs, blob_path, uncache};
pub use error::StoreError;
pub use sqlite::{LogConfig, ProjectionScratch, SqliteStore};

use liuhen_log::{BlobRef, EntryDraft, Hash};
use std::future::Future;

/// A change of state: the entry that records it and the projection changes it makes.
#[derive(Debug, Clone)]
pub struct AppendRequest {
    pub draft: EntryDraft,
    pub ops: Vec<Op>,
}

impl AppendRequest {
    pub fn entry(draft: EntryDraft) -> AppendRequest {
        AppendRequest { draft, ops: Vec::new() }
    }
}

/// A projection change committed in the same transaction as its entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Keep the content behind a commitment the entry carries.
    PutOpening { commitment: Hash, salt: [u8; 32], content: Vec<u8> },
    /// Record a blob the entry refers to (its bytes are already in the blob store).
    RecordBlob(BlobRef),
    /// Create a staff account; `Conflict` if the username is taken.
    CreateUser(UserRecord),
    /// Register an officer; `Conflict` if the certificate number is taken.
    CreateOfficer(OfficerRecord),
    /// Create a case; `Conflict` if its id or number is taken.
    CreateCase(CaseRecord),
    /// Replace a case's projection; `Conflict` unless it is still at `expected_version`.
    UpdateCase { record: CaseRecord, expected_version: u64 },
    /// Replace a case's open deadlines with `rows` (its state or its 公示 changed).
    SetDeadlines { case_id: String, rows: Vec<DeadlineRecord> },
    /// Replace what waits in a case from `source` (its procedure, the parties' requests, a
    /// document) with `rows`.
    SetTasks { case_id: String, source: String, rows: Vec<TaskRecord> },
    /// Replace every projection with what the log says (rebuild), as computed into `scratch` a
    /// part at a time; sessions are dropped.
    ReplaceProjections(std::sync::Arc<ProjectionScratch>),
    /// Add or replace a recording's projection (a later entry adds its SM3 digest, its links…):
    /// `Stale` unless the stored row is still at `expected_version` (see [`Op::PutSetting`]).
    PutRecording { record: RecordingRecord, expected_version: Option<u64> },
    /// Set a setting (the log keeps every version). A read-modify-write names the version it
    /// read: `Some(0)` creates (`Stale` if the key exists), `Some(v)` replaces the row only
    /// while it is at version `v` (`Stale` otherwise), checked inside the append's transaction;
    /// `None` replaces whatever is there (a singleton set whole). The row's new version is the
    /// index of the entry that writes it, plus one, so rebuilding from the log gives the same.
    PutSetting { record: SettingRecord, expected_version: Option<u64> },
    /// A device's next line in its ledger (领用/交接/检查…, 办法第二十四条) and the device as
    /// that line leaves it: `expected_version` 0 registers it (`Stale` if the number is taken),
    /// else the device row is replaced only while still at that version (`Stale` otherwise);
    /// `Conflict` if the ledger already has line `event.n`.
    RecordDeviceEvent { device: DeviceRecord, event: DeviceEventRecord, expected_version: u64 },
    /// Add or replace a document (a step on it, a correction naming it): `Some(0)` creates it
    /// (`Stale` if the id is taken), `Some(v)` replaces it only while at version `v`, as
    /// [`Op::PutSetting`] does.
    PutDocument { record: DocumentRecord, expected_version: Option<u64> },
    /// Set what is said of one record of a case (its class, why it has no recording): `Some(0)`
    /// creates the row (`Stale` if it exists), `Some(v)` replaces it only while at version `v`,
    /// as [`Op::PutSetting`] does.
    PutRecordMark { record: RecordMarkRecord, expected_version: Option<u64> },
    /// Set a case's 公示 (its publication, withdrawal): `Some(0)` creates the row (`Stale` if it
    /// exists), `Some(v)` replaces it only while at version `v`, as [`Op::PutSetting`] does.
    PutPublication { record: PublicationRecord, expected_version: Option<u64> },
    /// Set a signer's key (made, re-wrapped, revoked): `Some(0)` creates the row (`Stale` if
    /// the id is taken), `Some(v)` replaces it only while at version `v`, as [`Op::PutSetting`] does.
    PutSigningKey { record: SigningKeyRecord, expected_version: Option<u64> },
    /// Register a 文号 (or hand it to the correction that keeps it): `Some(0)` gives it (`Stale`
    /// if it is given), `Some(v)` replaces its row only while at version `v`, as
    /// [`Op::PutSetting`] does.
    PutDocNumber { record: DocNumberRecord, expected_version: Option<u64> },
    /// Publish a year's 行政执法数据: `Some(0)` creates its row (`Stale` if the year is
    /// published), as [`Op::PutSetting`] does.
    PutAnnualStatistics { record: AnnualStatisticsRecord, expected_version: Option<u64> },
    /// Set the inspections of a party in a year: `Some(0)` creates the row (`Stale` if it is
    /// there), `Some(v)` replaces it only while at version `v`, as [`Op::PutSetting`] does.
    PutPartyInspections { record: PartyInspectionsRecord, expected_version: Option<u64> },
    /// Set a case's file (案卷): its handover, filing and later 备考 entries.
    PutCaseFile { record: CaseFileRecord, expected_version: Option<u64> },
    /// Add or replace a matter of the 权责清单 (a new version of it; the log keeps every one).
    PutMatter(MatterRecord),
    /// Start a session for a user (the token's SHA-256 only).
    /// A named session is an API token (for the CLI or a device). Like every row an entry
    /// writes, it is stamped with the entry's time; `created_at_ms` (the caller's clock) is what
    /// the caller told its client.
    CreateSession { token_sha256: Hash, user_id: String, created_at_ms: i64, expires_at_ms: i64, name: String },
    /// A decision on a user's pending roles: `role` is what is in force now; nothing waits.
    DecideGrant { user_id: String, role: String },
    /// Set (or clear) a user's TOTP secret and whether sign-in requires it.
    SetTotp { user_id: String, secret: String, enabled: bool },
    /// Set a case's confidentiality class; with `expected` (the class its classifier read),
    /// refused as a conflict — nothing appended — when the case's class is now another.
    ClassifyCase { case_id: String, class: String, expected: Option<String> },
    /// End a session now (sign-out): it no longer authenticates.
    EndSession { token_sha256: Hash, at_ms: i64 },
    /// A user's new password (its Argon2id hash) and whether it must be changed again.
    SetPassword { user_id: String, password_hash: String, must_change_password: bool },
    /// Counts a failed sign-in under `key` at `at`: the count restarts after `window_ms`; the
    /// `max`th failure within it locks the key until `at + lock_ms`. Operational.
    CountFailure { key: String, at: i64, window_ms: i64, max: u32, lock_ms: i64 },
    /// Forgets `key`'s failures (a successful sign-in). Operational.
    ClearFailures { key: String },
    /// Counts an attempt refused while `key` is locked, for its summary. Operational.
    NoteRefused { key: String, at: i64 },
    /// `count` refused attempts of `key` were summarised in the entry this rides with.
    SummarisedRefused { key: String, count: u64 },
}

impl Op {
    /// Operational changes (sign-in throttling) may be written without a log entry; every other
    /// change is a record and goes with the entry that records it.
    pub fn is_operational(&self) -> bool {
        matches!(
            self,
            Op::CountFailure { .. } | Op::ClearFailures { .. } | Op::NoteRefused { .. } | Op::SummarisedRefused { .. }
        )
    }
}

/// The throttle state of a key (see [`Op::CountFailure`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThrottleRecord {
    pub key: String,
    pub failures: u32,
    pub first_at_ms: i64,
    pub locked_until_ms: i64,
    /// Attempts refused while locked since the last summary, and when the first and last were.
    pub refused: u64,
    pub refused_first_ms: i64,
    pub refused_last_ms: i64,
}

/// Every projection: what the log says the tables other than the log hold (rebuild writes
/// them, `liuhen verify` compares them column by column). Times are those of the entries that
/// wrote them: the store stamps a projection row with its entry's time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projections {
    pub users: Vec<UserRecord>,
    pub officers: Vec<OfficerRecord>,
    pub cases: Vec<CaseRecord>,
    pub matters: Vec<MatterRecord>,
    pub settings: Vec<SettingRecord>,
    pub recordings: Vec<RecordingRecord>,
    /// Every open deadline of every case.
    pub deadlines: Vec<DeadlineRecord>,
    /// Everything that waits in every case.
    pub tasks: Vec<TaskRecord>,
    /// Every blob an entry names.
    pub blobs: Vec<BlobRef>,
    /// What is said of each record of each case.
    pub record_marks: Vec<RecordMarkRecord>,
    /// Every case's documents.
    pub documents: Vec<DocumentRecord>,
    /// Every case's 公示.
    pub publications: Vec<PublicationRecord>,
    /// Every signer's keys.
    pub signing_keys: Vec<SigningKeyRecord>,
    /// Every 文号 given.
    pub doc_numbers: Vec<DocNumberRecord>,
    /// Every year's published statistics.
    pub annual_statistics: Vec<AnnualStatisticsRecord>,
    /// The inspections of each party in each year.
    pub party_inspections: Vec<PartyInspectionsRecord>,
    /// Every case's file (案卷).
    pub case_files: Vec<CaseFileRecord>,
    /// The device registry, and every line of every device's ledger.
    pub devices: Vec<DeviceRecord>,
    pub device_events: Vec<DeviceEventRecord>,
}

/// A sign-in session or API token as stored (not in the log: only its creation and end are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_sha256: Hash,
    pub user_id: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    /// Empty for a sign-in session; an API token's name.
    pub name: String,
}

/// An API token as stored: its hash (which names it), its name and life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub token_sha256: Hash,
    pub name: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// An officer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerRecord {
    pub id: String,
    pub name: String,
    pub cert_no: String,
    /// `YYYY-MM-DD`.
    pub cert_valid_from: String,
    pub cert_valid_to: String,
    /// `active`, `suspended` or `revoked`.
    pub cert_status: String,
    /// Comma-separated kinds of enforcement covered (`penalty,licence,coercion,inspection`).
    pub cert_scope: String,
    pub legal_qualification: bool,
    pub created_at_ms: i64,
}

/// A case's projection as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: String,
    pub case_no: String,
    pub case_type: String,
    pub state: String,
    pub version: u64,
    pub matter: String,
    pub opened_at_ms: i64,
    pub updated_at_ms: i64,
    /// The aggregate as JSON, in the application's own format.
    pub data: String,
    /// The user who opened the case, and the 承办机构 it belongs to (who may see it).
    pub opened_by: String,
    pub unit: String,
    /// `public`, `internal`, `commercial_secret` or `personal_privacy`.
    pub confidentiality: String,
    /// The party's (or applicant's) name, for the list's search: never in the log.
    pub party: String,
    /// The officers who handle it, by id, each as `,id,` (`,a,,b,`): who sees it as their own.
    pub officers: String,
    /// When it took the decision the annual figures count (Unix ms), if it did.
    pub counted_at_ms: Option<i64>,
}

/// An open deadline of a case: its place among the case's (`n`), its code, what it asks and
/// under which article, and when it falls due (`None`: the calendar cannot compute it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineRecord {
    pub case_id: String,
    pub n: u32,
    pub code: String,
    pub label: String,
    pub source: String,
    pub due_at_ms: Option<i64>,
    /// The record of the case it concerns (`act/0`…), if one.
    pub record: String,
}

/// Something waiting in a case for one of `roles` (`,code,` each): what (`task`), the command
/// or the document that does it; `n`-th of its `source` (`case`, `party_access`,
/// `document/<id>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    pub case_id: String,
    pub source: String,
    pub n: u32,
    pub roles: String,
    pub task: String,
    pub command: String,
    pub document: String,
}

/// A page of the 审批待办: what waits for any of `roles` in the cases `seen_by` sees, in case
/// order, after `after` (the `(case_id, source, n)` of the last row of the page before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    pub seen_by: SeenBy,
    pub roles: Vec<String>,
    /// Only the tasks of the cases this narrows to.
    pub cases: CaseFilter,
    pub after: Option<(String, String, u32)>,
    pub limit: u32,
}

/// What a list of rows of cases (deadlines, the 审批待办) is narrowed to by the case each row
/// is of: every one given must hold. Nothing given: every case the reader sees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// The kind of case (`inspection`…).
    pub kind: Option<String>,
    /// The 承办机构 it belongs to.
    pub unit: Option<String>,
    /// An officer (id) who handles it.
    pub officer: Option<String>,
    /// Its matter (案由), as the 权责清单 names it.
    pub matter: Option<String>,
}

/// Which deadlines a page of the list ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueRange {
    /// Due before this time (overdue).
    Before(i64),
    /// Not computable.
    Unknown,
    /// Due at or after this time.
    From(i64),
}

/// A page of the recordings list: one case's (`case_id`) or all, after `after`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordingQuery {
    pub case_id: Option<String>,
    pub after: Option<(i64, String)>,
    pub limit: u32,
    /// Only recordings of cases whose party's name holds this text (the cases' search field).
    pub party: Option<String>,
    /// Only recordings of cases whose matter (the cause) holds this text.
    pub cause: Option<String>,
}

/// A page of the deadline list: the open deadlines of the cases `seen_by` sees in `range`, by
/// due time, after `after` (the `(due, case_id, n)` of the last row of the page before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineQuery {
    pub seen_by: SeenBy,
    /// Only deadlines of this code (`T-AV`…).
    pub code: Option<String>,
    pub range: DueRange,
    /// Due at or after, and before, these times (a date range; the range above still holds).
    pub due_from: Option<i64>,
    pub due_before: Option<i64>,
    /// Only the deadlines of the cases this narrows to.
    pub cases: CaseFilter,
    pub after: Option<(i64, String, u32)>,
    pub limit: u32,
}

/// Which cases a reader sees (the policy's answer, as a filter the store can apply): every
/// one, those not restricted (商业秘密、个人隐私), its unit's, those it opened, those its
/// officer handles. Nothing set: none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeenBy {
    pub all: bool,
    pub unrestricted: bool,
    pub unit: Option<String>,
    pub opener: Option<String>,
    pub officer: Option<String>,
}

/// A page of the case list: the cases `seen_by` sees that match every filter given, most
/// recently changed first, after the cursor (the `(updated_at, id)` of the last row of the
/// page before).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseQuery {
    pub seen_by: SeenBy,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub matter: Option<String>,
    pub unit: Option<String>,
    /// An officer (id) among those who handle it.
    pub officer: Option<String>,
    /// Opened at or after / before (Unix ms).
    pub opened_from_ms: Option<i64>,
    pub opened_before_ms: Option<i64>,
    /// Found in its case number, party's name or matter (案由).
    pub text: Option<String>,
    pub after: Option<(i64, String)>,
    pub limit: u32,
}

/// A matter of the 权责清单 as stored: its code, name and the application's JSON of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatterRecord {
    pub code: String,
    pub name: String,
    pub data: String,
    pub created_at_ms: i64,
}

/// A stored 音像记录: its blob, the case it belongs to, and the application's JSON of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingRecord {
    pub id: String,
    /// One more than the index of the entry that last wrote it (0 before it is stored).
    pub version: u64,
    /// The blob's SHA-256, hex.
    pub sha256: String,
    pub size: u64,
    /// Empty until the recording is linked to a case.
    pub case_id: String,
    /// `user:<id>` of who uploaded or imported it.
    pub uploaded_by: String,
    pub created_at_ms: i64,
    pub data: String,
}

/// A document of a case (文书) as its steps left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: String,
    pub case_id: String,
    /// Its catalogue code (`D02`…).
    pub code: String,
    /// Its state's code (`draft`, `approving`, `final`, `issued`…).
    pub state: String,
    /// The correction that replaced it; empty while it stands.
    pub superseded_by: String,
    /// Its events as the application folds them: JSON.
    pub data: String,
    pub updated_at_ms: i64,
    /// One more than the index of the entry that last wrote it (0 before it is stored).
    pub version: u64,
}

/// A page of a case's documents, oldest first (by id), after `after`: all of them, or those
/// of one code; with `standing`, only those no correction replaced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentQuery {
    pub case_id: String,
    pub code: Option<String>,
    pub standing: bool,
    pub after: Option<String>,
    pub limit: u32,
}

/// What is said of one record of a case: its own class (`kind` "class"), the written reason
/// it was made without a recording ("unrecorded").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMarkRecord {
    pub case_id: String,
    pub kind: String,
    /// The record's id in its case (`act/0`, `evidence/2`…).
    pub record: String,
    /// The application's JSON.
    pub data: String,
    pub updated_at_ms: i64,
    /// One more than the index of the entry that last wrote it (0 before it is stored).
    pub version: u64,
}

/// A case's 公示 (行政处罚法第四十八条, 国办发〔2018〕118号): its decision as published, and its
/// withdrawal; a row a case, indexed by the time it was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationRecord {
    pub case_id: String,
    /// When its decision was published (`None` before).
    pub published_at_ms: Option<i64>,
    /// The application's JSON.
    pub data: String,
    pub updated_at_ms: i64,
    /// One more than the index of the entry that last wrote it (0 before it is stored).
    pub version: u64,
}

/// A signer's SM2 key (电子签名法第十三条): its public half, when it was made and revoked, and —
/// the current one — its private half wrapped under its holder's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    pub key_id: String,
    /// Whose it is (the account's id).
    pub user_id: String,
    /// It is its holder's current key (one at most: creating a second is `Stale`).
    pub current: bool,
    /// The application's JSON.
    pub data: String,
    pub updated_at_ms: i64,
    /// One more than the index of the entry that last wrote it (0 before it is stored).
    pub version: u64,
}

/// A 文号 given (发文登记): the case and the document holding it (`""`: a case event gave it),
/// and its place in its series (a pattern in one year, `…〔2026〕{n}号`) when it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocNumberRecord {
    pub doc_no: String,
    pub case_id: String,
    pub document: String,
    pub series: Option<String>,
    pub n: Option<u64>,
    pub updated_at_ms: i64,
    /// One more than the index of the entry that last wrote it (0 before it is stored).
    pub version: u64,
}

/// A case's file (案卷, 办法第二十五条): `handed_over` by its 承办人, then `filed` by the 档案管理员
/// under its 档号 (unique); a row a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFileRecord {
    pub case_id: String,
    /// `handed_over` or `filed`.
    pub state: String,
    /// The 档号 once filed.
    pub archive_no: Option<String>,
    /// The application's JSON.
    pub data: String,
    pub updated_at_ms: i64,
    /// One more than the index of the entry that last wrote it (0 before it is stored).
    pub version: u64,
}

/// What the archivist's list is narrowed to: the files in a state, after the last of the page
/// before (its time of last step and case), oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFileQuery {
    pub state: String,
    pub after: Option<(i64, String)>,
    pub limit: usize,
}

/// A year's 行政执法数据 as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualStatisticsRecord {
    pub year: i64,
    /// The application's JSON.
    pub data: String,
    pub updated_at_ms: i64,
    /// One more than the index of the entry that wrote it (0 before it is stored).
    pub version: u64,
}

/// The inspection cases of one party under one matter in one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyInspectionsRecord {
    /// A digest of the matter and the party's identity (never the identity itself).
    pub party: String,
    pub year: i64,
    /// The cases, as the application's JSON array.
    pub cases: String,
    pub updated_at_ms: i64,
    /// One more than the index of the entry that last wrote it (0 before it is stored).
    pub version: u64,
}

/// A page of the published decisions, the latest published first, after `after` (the
/// publication time and case of the page before's last row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicationQuery {
    pub after: Option<(i64, String)>,
    pub limit: u32,
}

/// A recording device of the registry (办法第二十四条) as its ledger leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub number: String,
    /// Its state's code (`in_store`, `assigned`, `under_repair`, `retired`).
    pub status: String,
    /// The officer (id) who holds it while it is out; empty otherwise.
    pub holder: String,
    /// What it is and its state: the application's JSON.
    pub data: String,
    /// How many lines its ledger has.
    pub events: u64,
    pub updated_at_ms: i64,
    /// One more than the index of the entry that last wrote it (0 before it is stored).
    pub version: u64,
}

/// One line of a device's ledger: what happened to it, when, recorded by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEventRecord {
    pub device: String,
    /// Its place in the device's ledger, from 0 (the registration).
    pub n: u64,
    /// The event's code (`registered`, `checked`, `assigned`, `returned`…).
    pub kind: String,
    /// When it happened: the event's own time, else when it was recorded.
    pub at_ms: i64,
    /// Who recorded it (`user:<id>`).
    pub actor: String,
    /// The event: the application's JSON.
    pub data: String,
}

/// A page of the device registry: by number, after `after`, only those in `status` or held
/// by `holder` if given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceQuery {
    pub status: Option<String>,
    pub holder: Option<String>,
    pub after: Option<String>,
    pub limit: u32,
}

/// An office-wide setting as stored: its key and the application's JSON of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingRecord {
    pub key: String,
    pub data: String,
    pub updated_at_ms: i64,
    /// One more than the index of the entry that last wrote it (0 before it is stored).
    pub version: u64,
}

impl SettingRecord {
    /// A setting to write (its version is the store's to give).
    pub fn new(key: impl Into<String>, data: impl Into<String>, updated_at_ms: i64) -> SettingRecord {
        SettingRecord { key: key.into(), data: data.into(), updated_at_ms, version: 0 }
    }
}

/// A projection row kept at a version — every typed row a later entry replaces: its table, its
/// columns in the order a backend binds them, its key, and the columns a later write leaves as
/// the first wrote them. `Op::Put*` writes one blind (`expected_version: None`), creates it
/// (`Some(0)`: `Stale` if its key is taken) or replaces it while still at the version read
/// (`Some(v)`: `Stale` otherwise), inside the append's transaction. What a backend adds is how
/// a row is read and bound (the SQLite one: `sqlite::SqliteRow`).
pub trait VersionedRow: Clone {
    const TABLE: &'static str;
    const COLUMNS: &'static str;
    const KEY: &'static [&'static str];
    /// Columns an update leaves (a recording's blob, uploader and time).
    const KEPT: &'static [&'static str];
    /// Names the row in a conflict's message (it reaches the UI: Chinese).
    fn what(&self) -> String;
    /// Stamped with the time and version of the entry that writes it.
    fn stamp(&mut self, at_ms: i64, version: u64);
}

macro_rules! versioned_row {
    ($t:ty, $table:literal, key [$($key:literal),+], kept [$($kept:literal),*], $columns:literal,
     $at:ident, |$s:ident| $what:expr) => {
        impl VersionedRow for $t {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static str = $columns;
            const KEY: &'static [&'static str] = &[$($key),+];
            const KEPT: &'static [&'static str] = &[$($kept),*];
            fn what(&self) -> String {
                let $s = self;
                $what
            }
            fn stamp(&mut self, at_ms: i64, version: u64) {
                self.$at = at_ms;
                self.version = version;
            }
        }
    };
}

versioned_row!(RecordingRecord, "recordings", key ["id"], kept ["sha256", "size", "uploaded_by", "created_at"],
    "id, sha256, size, case_id, uploaded_by, created_at, data, version", created_at_ms, |r| format!("音像记录 {}", r.id));
versioned_row!(DocumentRecord, "documents", key ["id"], kept [],
    "id, case_id, code, state, superseded_by, data, updated_at, version", updated_at_ms, |d| format!("文书 {}", d.id));
versioned_row!(RecordMarkRecord, "record_marks", key ["case_id", "kind", "record"], kept [],
    "case_id, kind, record, data, updated_at, version", updated_at_ms,
    |m| format!("案件 {} 的记录 {}", m.case_id, m.record));
versioned_row!(PublicationRecord, "publications", key ["case_id"], kept [],
    "case_id, published_at, data, updated_at, version", updated_at_ms, |p| format!("案件 {} 的公示", p.case_id));
versioned_row!(SigningKeyRecord, "signing_keys", key ["key_id"], kept [],
    "key_id, user_id, current, data, updated_at, version", updated_at_ms, |k| format!("签名密钥 {}", k.key_id));
versioned_row!(DocNumberRecord, "doc_numbers", key ["doc_no"], kept [],
    "doc_no, case_id, document, series, n, updated_at, version", updated_at_ms, |d| format!("文号“{}”", d.doc_no));
versioned_row!(AnnualStatisticsRecord, "annual_statistics", key ["year"], kept [],
    "year, data, updated_at, version", updated_at_ms, |a| format!("{} 年度统计数据", a.year));
versioned_row!(PartyInspectionsRecord, "party_inspections", key ["party", "year"], kept [],
    "party, year, cases, updated_at, version", updated_at_ms, |_p| "当事人的检查记录".to_string());
versioned_row!(CaseFileRecord, "case_files", key ["case_id"], kept [],
    "case_id, state, archive_no, data, updated_at, version", updated_at_ms, |f| format!("案件 {} 的案卷", f.case_id));
versioned_row!(DeviceRecord, "devices", key ["number"], kept [],
    "number, status, holder, data, events, updated_at, version", updated_at_ms, |d| format!("设备 {}", d.number));
versioned_row!(SettingRecord, "settings", key ["key"], kept [], "key, data, updated_at, version", updated_at_ms,
    |s| s.key.clone());

/// The first line of an archive package's signed statement.
pub const BAG_STATEMENT: &str = "liuhen-bag/v1";

/// A staff account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub role: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub must_change_password: bool,
    pub created_at_ms: i64,
    /// The officer (执法人员) this account belongs to, if any.
    pub officer_id: String,
    /// The 承办机构 (handling unit) the account works in.
    pub unit: String,
    /// The TOTP secret (base32), empty without one; required at sign-in once enabled.
    pub totp_secret: String,
    pub totp_enabled: bool,
    /// Roles granted by the 系统管理员 that see case content, not in force until a 负责人
    /// approves them (comma-separated codes; empty when none waits).
    pub pending_roles: String,
    /// The name its steps are recorded under when it belongs to no officer (empty: the
    /// username).
    pub display_name: String,
}

/// What an acknowledged append returns: the entry is durable at `index`, and — when the log
/// has its Ed25519 key — the log's signed receipt for it (one signature per commit group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub index: u64,
    pub time_ms: i64,
    pub leaf: Hash,
    pub signed: Option<liuhen_log::receipt::Receipt>,
}

/// The log: appends (each entry with its projection changes, the only write of a record), its
/// entries, tiles, checkpoints and proofs, the openings of its commitments, and reads of it by
/// index (a case's entries, an actor's).
pub trait Log: Clone + Send + Sync + 'static {
    /// Sequences, commits and fsyncs one entry with its projection changes.
    fn append(&self, req: AppendRequest) -> impl Future<Output = Result<Receipt, StoreError>> + Send;
    /// The number of durable entries.
    fn tree_size(&self) -> u64;
    /// The number of entries committed with their projection changes, read from the storage
    /// now: `tree_size()` lags it for the moment between a group's commit (when readers
    /// already see its projection changes) and its publication. What rebuilds the projections
    /// to compare with the stored ones reads this far.
    fn committed_size(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// The canonical bytes of entries `start..end` (all of them, or `NotFound`).
    fn entries(&self, start: u64, end: u64) -> impl Future<Output = Result<Vec<Vec<u8>>, StoreError>> + Send;
    /// The stored hashes of tile `(level, index)` (possibly wider than a given tree needs).
    fn tile(&self, level: u8, index: u64) -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;
    /// The latest signed checkpoint note, or `NotFound` before the first.
    fn latest_checkpoint(&self) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// The first signed checkpoint of a tree of at least `size` entries (the first to cover
    /// entry `size - 1`), or `NotFound` if none is yet.
    fn checkpoint_at_least(&self, size: u64) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// Signs a checkpoint for the current tree now, after checking that it is consistent with
    /// every checkpoint signed before; returns the latest note.
    fn sign_checkpoint(&self) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// Signs an archive package's statement with the log's keys: a note whose first line is
    /// [`BAG_STATEMENT`] (what ties an exported bag's manifests to the log). Any other text is
    /// refused, so no checkpoint or receipt can be made this way.
    fn sign_bag_statement(&self, text: &str) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// The inclusion proof of entry `index` in the tree of `size` entries.
    fn inclusion_proof(&self, index: u64, size: u64) -> impl Future<Output = Result<Vec<Hash>, StoreError>> + Send;
    /// The consistency proof between the trees of `old` and `new` entries.
    fn consistency_proof(&self, old: u64, new: u64) -> impl Future<Output = Result<Vec<Hash>, StoreError>> + Send;
    /// The entries made by `actor` whose action is of one of the families `actions` (each the
    /// action up to and including its first dot: `access.`), before index `before`, newest
    /// first, at most `limit`: `(index, bytes)` (a range per family of an index of the log by
    /// actor; `Invalid` for a family that is not one).
    fn actor_entries(
        &self,
        actor: &str,
        actions: &[&str],
        before: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(u64, Vec<u8>)>, StoreError>> + Send;
    /// The log entries of a case, in order: `(index, bytes)`.
    fn case_entries(&self, case_id: &str) -> impl Future<Output = Result<Vec<(u64, Vec<u8>)>, StoreError>> + Send;
    /// The entries of case `case_id` whose action is of one of the families `families` (as for
    /// [`Log::actor_entries`]), after index `after`, oldest first, at most `limit` (a
    /// range per family of an index of the log by case; `Invalid` for a family that is not one).
    fn case_family_entries(
        &self,
        case_id: &str,
        families: &[&str],
        after: Option<u64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(u64, Vec<u8>)>, StoreError>> + Send;
    /// The salt and content behind a commitment, checked against it: an opening whose
    /// commitment does not recompute is `Integrity`, never returned.
    fn opening(&self, commitment: &Hash) -> impl Future<Output = Result<([u8; 32], Vec<u8>), StoreError>> + Send;
    /// The storage's own structure, checked whole: the database file (SQLite's integrity
    /// check), no entry missing, every entry hashing to its stored leaf and every leaf the one
    /// its tile holds. At most `max` problems, each naming what is wrong.
    fn structure_problems(&self, max: usize) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// Every stored checkpoint, not only the newest: its note signed for the log's origin by
    /// each of `verifiers` (none given: the keys the store signs with), of its row's size and
    /// root; the root the stored tree has at that size; signed no earlier than the one before
    /// it. At most `max` problems.
    fn checkpoint_problems(
        &self,
        verifiers: &[liuhen_log::NoteVerifier],
        max: usize,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// How many stored openings no entry of the log commits to (added behind its back): counted
    /// by the store over every entry's commitments, never a set of them in the caller's memory.
    fn unreferenced_openings(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// The projections of the log, read (each a typed row or an index range), and the operational
/// state that is not a record (sessions, sign-in throttling). Written only by [`Log::append`]'s
/// ops — and [`ProjectionReads::apply_operational`] for operational state.
pub trait ProjectionReads: Clone + Send + Sync + 'static {
    /// The account with this username.
    fn user_by_username(&self, username: &str) -> impl Future<Output = Result<UserRecord, StoreError>> + Send;
    /// A user's API tokens (named sessions), live or not, newest first.
    fn tokens(&self, user_id: &str) -> impl Future<Output = Result<Vec<TokenRecord>, StoreError>> + Send;
    /// The user of an unexpired session, by the SHA-256 of its token.
    fn session_user(
        &self,
        token_sha256: &Hash,
        now_ms: i64,
    ) -> impl Future<Output = Result<UserRecord, StoreError>> + Send;
    /// An officer by id.
    fn officer(&self, id: &str) -> impl Future<Output = Result<OfficerRecord, StoreError>> + Send;
    /// All officers, by name.
    fn officers(&self) -> impl Future<Output = Result<Vec<OfficerRecord>, StoreError>> + Send;
    /// A case by id.
    fn case(&self, id: &str) -> impl Future<Output = Result<CaseRecord, StoreError>> + Send;
    /// Cases, most recently changed first.
    fn cases(&self, limit: u32) -> impl Future<Output = Result<Vec<CaseRecord>, StoreError>> + Send;
    /// The cases whose counted decision falls in `from_ms..before_ms`, at most `limit` (an
    /// index range: the year's figures).
    fn cases_counted(
        &self,
        from_ms: i64,
        before_ms: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<CaseRecord>, StoreError>> + Send;
    /// A page of cases (see [`CaseQuery`]): an index range, never a pass over every case
    /// when a filter narrows it.
    fn case_page(&self, q: &CaseQuery) -> impl Future<Output = Result<Vec<CaseRecord>, StoreError>> + Send;
    /// A page of open deadlines (see [`DeadlineQuery`]), each with its case's number.
    fn deadline_page(
        &self,
        q: &DeadlineQuery,
    ) -> impl Future<Output = Result<Vec<(DeadlineRecord, String)>, StoreError>> + Send;
    /// A page of what waits (see [`TaskQuery`]), each with its case's number and type.
    fn task_page(
        &self,
        q: &TaskQuery,
    ) -> impl Future<Output = Result<Vec<(TaskRecord, String, String)>, StoreError>> + Send;
    /// The case numbers that begin with `prefix` (an index range, at most `limit`).
    fn case_numbers(&self, prefix: &str, limit: u32) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// A matter by code.
    fn matter(&self, code: &str) -> impl Future<Output = Result<MatterRecord, StoreError>> + Send;
    /// Every matter, by code.
    fn matters(&self) -> impl Future<Output = Result<Vec<MatterRecord>, StoreError>> + Send;
    /// The matters whose code is `name`, or whose name is `name` (both trimmed), by code: an
    /// index range, never the whole list.
    fn matters_named(&self, name: &str) -> impl Future<Output = Result<Vec<MatterRecord>, StoreError>> + Send;
    /// An office-wide setting by key; `NotFound` if never set.
    fn setting(&self, key: &str) -> impl Future<Output = Result<SettingRecord, StoreError>> + Send;
    /// Every setting, by key.
    fn settings(&self) -> impl Future<Output = Result<Vec<SettingRecord>, StoreError>> + Send;
    /// A document by id; `NotFound` if there is none.
    fn document(&self, id: &str) -> impl Future<Output = Result<DocumentRecord, StoreError>> + Send;
    /// A page of a case's documents (see [`DocumentQuery`]): a range of an index by case.
    fn document_page(&self, q: &DocumentQuery) -> impl Future<Output = Result<Vec<DocumentRecord>, StoreError>> + Send;
    /// The settings whose key starts with `prefix` (`device/`), by key — after `after`, or
    /// (`descending`) before it, newest key first — at most `limit`: a range of the primary key.
    fn settings_range(
        &self,
        prefix: &str,
        after: Option<&str>,
        descending: bool,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<SettingRecord>, StoreError>> + Send;
    /// What is said of one record of a case (`kind`); `NotFound` if nothing.
    fn record_mark(
        &self,
        case_id: &str,
        kind: &str,
        record: &str,
    ) -> impl Future<Output = Result<RecordMarkRecord, StoreError>> + Send;
    /// What is said (`kind`) of the records of a case, by record: a range of the key.
    fn record_marks(
        &self,
        case_id: &str,
        kind: &str,
    ) -> impl Future<Output = Result<Vec<RecordMarkRecord>, StoreError>> + Send;
    /// A case's 公示; `NotFound` if it has none.
    fn publication(&self, case_id: &str) -> impl Future<Output = Result<PublicationRecord, StoreError>> + Send;
    /// A page of the published decisions (see [`PublicationQuery`]): a range of an index by
    /// publication time.
    fn publication_page(
        &self,
        q: &PublicationQuery,
    ) -> impl Future<Output = Result<Vec<PublicationRecord>, StoreError>> + Send;
    /// A signer's key by its id; `NotFound` if there is none.
    fn signing_key(&self, key_id: &str) -> impl Future<Output = Result<SigningKeyRecord, StoreError>> + Send;
    /// A signer's keys, by id: a range of an index by user.
    fn signing_keys_of(&self, user_id: &str) -> impl Future<Output = Result<Vec<SigningKeyRecord>, StoreError>> + Send;
    /// Who holds 文号 `doc_no`; `NotFound` if it was never given.
    fn doc_number(&self, doc_no: &str) -> impl Future<Output = Result<DocNumberRecord, StoreError>> + Send;
    /// The highest number series `series` has given (0: none yet): the end of a range of an index.
    fn series_last(&self, series: &str) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// The inspections of `party` in `year`; `NotFound` if none.
    fn party_inspections(
        &self,
        party: &str,
        year: i64,
    ) -> impl Future<Output = Result<PartyInspectionsRecord, StoreError>> + Send;
    /// A page of the blobs the log names, by hash, after `after`: what a fixity pass reads.
    fn blob_page(
        &self,
        after: Option<Hash>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<BlobRef>, StoreError>> + Send;
    /// Whether the log names blob `sha256`.
    fn blob_named(&self, sha256: &Hash) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// A case's file (案卷); `NotFound` if it has none yet.
    fn case_file(&self, case_id: &str) -> impl Future<Output = Result<CaseFileRecord, StoreError>> + Send;
    /// A page of the case files in a state, oldest last step first (see [`CaseFileQuery`]): a
    /// range of an index by state and time.
    fn case_file_page(&self, q: &CaseFileQuery)
    -> impl Future<Output = Result<Vec<CaseFileRecord>, StoreError>> + Send;
    /// The filed case files whose retention runs out on or before day `until` (`YYYY-MM-DD`),
    /// soonest first, after the `(keep_until, case_id)` of the last row of the page before: a
    /// range of an index (files kept 永久 have no such day and are never listed).
    fn case_files_expiring(
        &self,
        until: &str,
        after: Option<(String, String)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<CaseFileRecord>, StoreError>> + Send;
    /// The recordings whose disposal is in `state` (`requested`, `disposed`), oldest request
    /// first, after the `(requested at, id)` of the last row of the page before.
    fn recordings_in_disposal(
        &self,
        state: &str,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<RecordingRecord>, StoreError>> + Send;
    /// A year's published statistics; `NotFound` if not published.
    fn year_statistics(&self, year: i64) -> impl Future<Output = Result<AnnualStatisticsRecord, StoreError>> + Send;
    /// The years whose statistics were published, the latest first, at most `limit`.
    fn annual_statistics(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AnnualStatisticsRecord>, StoreError>> + Send;
    /// A device of the registry by number; `NotFound` if never registered.
    fn device(&self, number: &str) -> impl Future<Output = Result<DeviceRecord, StoreError>> + Send;
    /// A page of the device registry (see [`DeviceQuery`]): a range of an index.
    fn device_page(&self, q: &DeviceQuery) -> impl Future<Output = Result<Vec<DeviceRecord>, StoreError>> + Send;
    /// A page of a device's ledger, newest line first, those before line `before` if given.
    fn device_events(
        &self,
        number: &str,
        before: Option<u64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DeviceEventRecord>, StoreError>> + Send;
    /// The last line of a device's ledger (in ledger order) of one of `kinds` that happened at
    /// or before `at_most_ms`: read backwards from the newest line, never the whole ledger.
    fn last_device_event(
        &self,
        number: &str,
        kinds: &[&str],
        at_most_ms: i64,
    ) -> impl Future<Output = Result<Option<DeviceEventRecord>, StoreError>> + Send;
    /// A recording by id.
    fn recording(&self, id: &str) -> impl Future<Output = Result<RecordingRecord, StoreError>> + Send;
    /// Recordings, newest first: all of them, or those of one case.
    fn recordings(
        &self,
        case_id: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<RecordingRecord>, StoreError>> + Send;
    /// A page of recordings, newest first (`created_at` descending, then `id`): all of them or
    /// one case's, after the `(created_at, id)` of the last row of the page before.
    fn recording_page(
        &self,
        q: &RecordingQuery,
    ) -> impl Future<Output = Result<Vec<RecordingRecord>, StoreError>> + Send;
    /// Recordings of the blob with this SHA-256 (hex), oldest first.
    fn recordings_by_sha256(
        &self,
        sha256: &str,
    ) -> impl Future<Output = Result<Vec<RecordingRecord>, StoreError>> + Send;
    /// Recordings whose `data` has this `fingerprint` (hex; see the server's
    /// `recordings::fingerprint`), oldest first.
    fn recordings_by_fingerprint(
        &self,
        fingerprint: &str,
    ) -> impl Future<Output = Result<Vec<RecordingRecord>, StoreError>> + Send;
    /// Every account, by id.
    fn users(&self) -> impl Future<Output = Result<Vec<UserRecord>, StoreError>> + Send;
    /// An account by id.
    fn user(&self, id: &str) -> impl Future<Output = Result<UserRecord, StoreError>> + Send;
    /// Accounts by username, after `after`, at most `limit`.
    fn user_page(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<UserRecord>, StoreError>> + Send;
    /// Accounts whose roles wait for approval, by username, after `after`, at most `limit`.
    fn pending_user_page(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<UserRecord>, StoreError>> + Send;
    /// How many accounts exist.
    fn count_users(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Writes operational changes only (no entry): `Invalid` for any that is a record.
    fn apply_operational(&self, ops: Vec<Op>) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The throttle state of `key`, if it has any.
    fn throttle(&self, key: &str) -> impl Future<Output = Result<Option<ThrottleRecord>, StoreError>> + Send;
    /// Throttle keys with refused attempts not yet summarised.
    fn throttles_to_summarise(&self) -> impl Future<Output = Result<Vec<ThrottleRecord>, StoreError>> + Send;
    /// Every stored session and API token, live or not: all, or one account's.
    fn sessions(&self, user_id: Option<&str>) -> impl Future<Output = Result<Vec<SessionRecord>, StoreError>> + Send;
    /// Compares every column of every projection table with `expected` (what the log says):
    /// one line per difference, naming the table, the row and the column. Tables that are not
    /// projections are listed in [`NOT_PROJECTIONS`].
    fn projection_differences(
        &self,
        expected: &ProjectionScratch,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
}

/// A store: the log and its projections — what the application is generic over, and what the
/// conformance story (`tests/conformance.rs`) holds every backend to.
pub trait LogStore: Log + ProjectionReads {}

impl<T: Log + ProjectionReads> LogStore for T {}

/// The tables that are not projections of the log, and why each is not compared with it.
/// Every other table of the schema is compared column by column (`projection_differences`).
pub const NOT_PROJECTIONS: &[(&str, &str)] = &[
    ("meta", "the log's identity (its origin), checked against the keys at open"),
    ("schema_migrations", "which migrations ran"),
    ("log_entries", "the log itself: verified entry by entry against its tiles and checkpoints"),
    ("log_tiles", "the log's tiles: recomputed from the entries"),
    ("log_checkpoints", "signed tree heads: their signatures and roots are verified"),
    ("openings", "checked against each entry's commitments"),
    (
        "sessions",
        "sign-in sessions and API tokens are not records; each live one is checked against its logged creation",
    ),
    ("throttle", "sign-in throttling (failure counts, locks): operational; each failure and each summary is logged"),
    (
        "case_terms",
        "a full-text index of the cases' number, party and matter, kept by triggers; checked against the cases at every open, and rebuilt if unlike them",
    ),
    ("case_terms_data", "the full-text index's own storage"),
    ("case_terms_idx", "the full-text index's own storage"),
    ("case_terms_config", "the full-text index's own storage"),
];
