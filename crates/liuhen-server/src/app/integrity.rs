//! What the log alone cannot show about the rest of the store, checked against the log: every
//! opening against its commitment (and none without an entry), every live session and API
//! token against the entry that created it, the keys against what was published and logged.
//! `liuhen verify --data` runs these after the log itself verifies; the projections are
//! compared by `rebuild::log_differences`. A running server re-checks the whole log on a
//! schedule ([`App::check_integrity`]) and raises an alarm on what it finds.

use super::App;
use crate::app::AppError;
use liuhen_log::Entry;
use liuhen_store::{LogStore, Op, StoreError};
use std::collections::{BTreeMap, BTreeSet};

/// Problems beyond this many are not listed.
const MAX_LISTED: usize = 100;

/// An entry as a problem names it: its index, action and case.
fn named(index: u64, e: &Entry) -> String {
    match e.case() {
        Some(c) => format!("entry {index} ({}, case {c})", e.action()),
        None => format!("entry {index} ({})", e.action()),
    }
}

/// How a logged session or token stands: who it belongs to, until when, and when it ended.
struct Logged {
    user: String,
    expires: i64,
    ended: Option<i64>,
    /// When the entry that created it was recorded.
    created: i64,
    /// An API token's name ("" for a sign-in session).
    name: String,
}

/// How far a session's stored creation time may stand from its entry's (those made before
/// the store stamped sessions with their entry's time carry the application's clock).
const CREATED_SLACK_MS: i64 = 60_000;

impl<S: LogStore> App<S> {
    /// Every commitment of every entry must have its opening, and each opening must recompute
    /// to its commitment; an opening no entry commits to was added behind the log's back.
    pub async fn opening_problems(&self) -> Result<Vec<String>, AppError> {
        let mut out = Vec::new();
        let size = self.store.tree_size();
        let mut start = 0;
        while start < size {
            self.report_progress("核对承诺原文", start, size);
            let end = (start + 4096).min(size);
            for (i, raw) in self.store.entries(start, end).await?.into_iter().enumerate() {
                let index = start + i as u64;
                // An entry that does not decode is the log verifier's to name.
                let Ok(e) = Entry::decode(&raw) else { continue };
                for c in e.commits() {
                    let problem = match self.store.opening(c).await {
                        Ok(_) => continue,
                        Err(StoreError::NotFound) => format!("{}: commitment {c} has no opening", named(index, &e)),
                        Err(StoreError::Integrity(m)) => format!("{}: {m}", named(index, &e)),
                        Err(other) => return Err(other.into()),
                    };
                    if out.len() < MAX_LISTED {
                        out.push(problem);
                    }
                }
            }
            start = end;
        }
        let unreferenced = self.store.unreferenced_openings().await?;
        if unreferenced > 0 {
            out.push(format!("{unreferenced} openings belong to no entry of the log (added behind its back)"));
        }
        Ok(out)
    }

    /// Every session and API token still live at `now_ms` must be one the log created — by a
    /// sign-in or a token's creation, for an account the log holds — and must not outlive what
    /// the log records (its expiry, its sign-out or revocation).
    pub async fn session_problems(&self, now_ms: i64) -> Result<Vec<String>, AppError> {
        let unvouched = self.unvouched_sessions(now_ms).await?;
        Ok(unvouched.into_iter().take(MAX_LISTED).map(|(problem, _)| problem).collect())
    }

    /// Every session or API token live at `now_ms` the log does not vouch for (see
    /// [`Self::session_problems`]): what is wrong with it, and its token's SHA-256.
    async fn unvouched_sessions(&self, now_ms: i64) -> Result<Vec<(String, liuhen_log::Hash)>, AppError> {
        let mut accounts: BTreeSet<String> = BTreeSet::new();
        let mut logged: BTreeMap<String, Logged> = BTreeMap::new();
        let size = self.store.tree_size();
        let mut start = 0;
        while start < size {
            let end = (start + 4096).min(size);
            for raw in self.store.entries(start, end).await? {
                let Ok(e) = Entry::decode(&raw) else { continue };
                let body = e.body();
                let field = |k: &str| body.get(k).and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
                match e.action() {
                    "user.create" => {
                        accounts.insert(field("user"));
                    }
                    "auth.login" | "auth.token_create" => {
                        let user = e.actor().strip_prefix("user:").unwrap_or_default().to_string();
                        let expires = body.get("expires").and_then(serde_json::Value::as_i64).unwrap_or(0);
                        // A token's name, behind its commitment (in the body before that).
                        let name = match (body.get("name"), e.commits().first()) {
                            (Some(serde_json::Value::String(n)), _) => n.clone(),
                            (Some(_), Some(c)) => match self.store.opening(c).await {
                                Ok((_, content)) => serde_json::from_slice::<serde_json::Value>(&content)
                                    .ok()
                                    .and_then(|v| v["name"].as_str().map(str::to_string))
                                    .unwrap_or_default(),
                                Err(_) => String::new(),
                            },
                            _ => String::new(),
                        };
                        let l = Logged { user, expires, ended: None, created: e.time_ms, name };
                        logged.insert(field("token"), l);
                    }
                    "auth.logout" | "auth.token_revoke" | "user.password" => {
                        // A password change ends the account's other sign-in sessions, each named.
                        let ended = body.get("ended").and_then(serde_json::Value::as_array);
                        let tokens: Vec<String> = match ended {
                            Some(list) => list.iter().filter_map(|t| t.as_str().map(str::to_string)).collect(),
                            None => vec![field("token")],
                        };
                        for t in tokens {
                            if let Some(l) = logged.get_mut(&t) {
                                l.ended = Some(l.ended.map_or(e.time_ms, |x| x.min(e.time_ms)));
                            }
                        }
                    }
                    _ => {}
                }
            }
            start = end;
        }
        let mut out = Vec::new();
        for s in self.store.sessions(None).await? {
            if s.expires_at_ms <= now_ms {
                continue;
            }
            let kind = if s.name.is_empty() { "session" } else { "API token" };
            let hex = s.token_sha256.to_hex();
            let short = &hex[..12];
            let problem = match logged.get(&hex) {
                _ if !accounts.contains(&s.user_id) => {
                    format!("{kind} {short}… belongs to account {}, which the log never created", s.user_id)
                }
                None => format!("{kind} {short}… of account {}: no entry of the log created it", s.user_id),
                Some(l) if l.user != s.user_id => {
                    format!("{kind} {short}… is stored for account {} but the log created it for {}", s.user_id, l.user)
                }
                Some(l) if s.expires_at_ms > l.ended.unwrap_or(i64::MAX).min(l.expires) => {
                    format!("{kind} {short}… of account {}: it lasts longer than the log records", s.user_id)
                }
                Some(l) if s.name != l.name => {
                    format!("{kind} {short}… of account {}: its name is not the one the log records", s.user_id)
                }
                Some(l) if (s.created_at_ms - l.created).abs() > CREATED_SLACK_MS => {
                    format!(
                        "{kind} {short}… of account {}: it was made at another time than the log records",
                        s.user_id
                    )
                }
                Some(_) => continue,
            };
            out.push((problem, s.token_sha256));
        }
        Ok(out)
    }
}

/// The setting that holds the seal's public keys as the log recorded them.
pub const SEAL_KEYS: &str = "seal/keys";

/// The seal's public keys as the `seal.keys` entry records them (hex DER).
pub(crate) fn seal_keys_json(seal: &liuhen_log::seal::SealKeys) -> serde_json::Value {
    serde_json::json!({"sm2": hex::encode(seal.sm2_public_der()), "ed25519": hex::encode(seal.ed25519_public_der())})
}

impl<S: LogStore> App<S> {
    /// Records the seal's public keys in the log the first time it runs with them (办法第五条:
    /// a seal key swapped later is then named by [`App::key_problems`]).
    pub async fn record_seal_keys(&self) -> Result<(), AppError> {
        let Some(seal) = self.documents.seal.clone() else { return Ok(()) };
        match self.store.setting(SEAL_KEYS).await {
            Ok(_) => return Ok(()),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        let keys = seal_keys_json(&seal);
        let d = liuhen_log::EntryDraft::new("system", "seal.keys", None, super::body(keys.clone()), vec![], vec![])
            .map_err(|e| AppError::Internal(Box::new(e)))?;
        let setting = liuhen_store::SettingRecord::new(SEAL_KEYS, keys.to_string(), 0);
        // Recorded once: a second server starting with them at the same moment finds them.
        match self.append(d, vec![super::put_setting(setting, 0)]).await {
            Ok(_) | Err(AppError::Stale(_)) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// The keys this server runs with, against what the log recorded of them: the verifier
    /// keys of entry 0 (`log.init`), the latest signed checkpoint, the seal keys of `seal.keys`.
    pub async fn key_problems(&self, verifier_keys: &[String]) -> Result<Vec<String>, AppError> {
        let mut out = Vec::new();
        if self.store.tree_size() > 0 {
            let raw = self.store.entries(0, 1).await?.pop().unwrap_or_default();
            match Entry::decode(&raw) {
                Ok(e) if e.action() == "log.init" => {
                    let mut logged: Vec<String> = (e.body().get("keys").and_then(serde_json::Value::as_array))
                        .into_iter()
                        .flatten()
                        .filter_map(|k| k.as_str().map(str::to_string))
                        .collect();
                    let mut running = verifier_keys.to_vec();
                    logged.sort();
                    running.sort();
                    if logged != running {
                        out.push(
                            "keys/ed25519 or keys/sm2 is not the signing key entry 0 (log.init) recorded: the log's key \
                             was replaced"
                                .to_string(),
                        );
                    }
                }
                _ => out.push("entry 0 is not the log's log.init entry".to_string()),
            }
        }
        match self.store.latest_checkpoint().await {
            Ok(note) => {
                let parsed: Result<Vec<liuhen_log::NoteVerifier>, _> =
                    verifier_keys.iter().map(|k| liuhen_log::NoteVerifier::parse(k)).collect();
                let origin = parsed.as_ref().ok().and_then(|v| v.first()).map(|v| v.name().to_string());
                match (parsed, origin) {
                    (Ok(keys), Some(origin)) => {
                        if let Err(e) = liuhen_log::Checkpoint::open(note.as_bytes(), &origin, &keys) {
                            out.push(format!("the latest signed checkpoint does not verify with the log's keys: {e}"));
                        }
                    }
                    _ => out.push("the log's verifier keys cannot be read".to_string()),
                }
            }
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        if let Some(seal) = &self.documents.seal {
            match self.store.setting(SEAL_KEYS).await {
                Ok(r) => {
                    let logged: serde_json::Value = serde_json::from_str(&r.data).unwrap_or_default();
                    let running = seal_keys_json(seal);
                    for (k, file) in [("sm2", "keys/seal-sm2"), ("ed25519", "keys/seal-ed25519")] {
                        if logged[k] != running[k] {
                            out.push(format!(
                                "{file} is not the seal key the log recorded (seal.keys): the seal's key was replaced"
                            ));
                        }
                    }
                }
                Err(StoreError::NotFound) => {}
                // The settings' table dropped or changed with a shell: said, as verify says the rest.
                Err(e) => out.push(format!(
                    "the seal keys the log recorded (seal.keys) cannot be read: {}",
                    super::error::error_chain(&e)
                )),
            }
        }
        Ok(out)
    }
}

/// The outcome of the last scheduled check of the whole log, kept for the alarm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegrityReport {
    /// When the check finished (Unix ms).
    pub checked_at_ms: i64,
    /// How many entries it covered.
    pub entries: u64,
    pub problems: Vec<String>,
    /// The log entry that recorded the check.
    pub entry: u64,
}

impl IntegrityReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl<S: LogStore> App<S> {
    /// Re-checks the whole log as stored — the database file, every entry against its leaf and
    /// every leaf and tile against the tiles above it, every opening against its commitment,
    /// every projection column and every live session against the log —
    /// logs that it did (`integrity.checked`, the number of problems only) and keeps the report
    /// for the alarm on the 负责人's home page and `GET /api/integrity`. So a change inside an old
    /// tile, which the checks at start do not read again, is found within one cycle.
    pub async fn check_integrity(&self) -> Result<IntegrityReport, AppError> {
        let entries = self.store.tree_size();
        let mut problems = self.store.structure_problems(MAX_LISTED).await?;
        // Every stored checkpoint, against the keys the log signs with.
        problems.extend(self.store.checkpoint_problems(&[], MAX_LISTED).await?);
        let openings = self.opening_problems().await?;
        // The sessions before the projections are mended (which ends them all). One the log
        // does not vouch for is ended with this check's entry, not honoured until a mend.
        let now = super::now_ms();
        let unvouched = self.unvouched_sessions(now).await?;
        let sessions: Vec<String> = unvouched.iter().take(MAX_LISTED).map(|(p, _)| p.clone()).collect();
        // The projections the server reads (who sees what) and the sessions it trusts, as
        // `liuhen verify --data` checks them: only from openings that check out. Projections
        // unlike a log that itself checks out are mended from it at once — a record's class
        // deleted with a shell must not open it to those it was withheld from until someone
        // runs a rebuild — and the alarm still says what was found.
        // The projections found as the log has them, or mended from it: what releases the 文号
        // register held since the start.
        let mut projections_sound = false;
        if openings.is_empty() {
            let log_sound = problems.is_empty();
            match self.compared_projections().await {
                Ok((differences, scratch, n)) => {
                    // (The schema's own objects are made again by the next start, not by this.)
                    let differ = differences.iter().any(|d| !d.starts_with("schema: "));
                    projections_sound = !differ;
                    if log_sound && differ {
                        let mended = match self.install(scratch, &n).await {
                            Err(AppError::Stale(_)) => self.rebuild().await.map(drop),
                            other => other,
                        };
                        projections_sound = mended.is_ok();
                        problems.push(match mended {
                            Ok(()) => format!(
                                "the projections below differed from the log: rebuilt from it ({} cases; sign-in \
                                 sessions ended)",
                                n.cases
                            ),
                            Err(e) => {
                                format!("the projections below differ from the log and could not be rebuilt: {e}")
                            }
                        });
                    }
                    problems.extend(differences);
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        problems.extend(openings);
        problems.extend(sessions);
        let mut body = serde_json::json!({"ok": problems.is_empty(), "problems": problems.len(), "entries": entries});
        if !unvouched.is_empty() {
            body["sessions_ended"] = unvouched.iter().map(|(_, h)| h.to_hex()).collect();
        }
        let d = liuhen_log::EntryDraft::new("system", "integrity.checked", None, super::body(body), vec![], vec![])
            .map_err(|e| AppError::Internal(Box::new(e)))?;
        let ends = unvouched.iter().map(|(_, h)| Op::EndSession { token_sha256: *h, at_ms: now }).collect();
        let receipt = self.append(d, ends).await?;
        // The sessions found at the start are vouched for now (those the log did not create
        // were just ended).
        *self.inherited_sessions.lock().unwrap_or_else(|e| e.into_inner()) = None;
        if !problems.is_empty() {
            tracing::error!(problems = problems.len(), first = %problems[0], "the scheduled integrity check found problems");
        }
        if projections_sound {
            self.numbering_held.store(false, std::sync::atomic::Ordering::SeqCst);
        }
        let report = IntegrityReport { checked_at_ms: receipt.time_ms, entries, problems, entry: receipt.index };
        *self.integrity.lock().unwrap_or_else(|e| e.into_inner()) = Some(report.clone());
        Ok(report)
    }

    /// The last scheduled check, for those who answer for the log (负责人, 系统管理员, 监督人员).
    pub fn integrity_report(&self, actor: &liuhen_store::UserRecord) -> Result<Option<IntegrityReport>, AppError> {
        self.allow(actor, super::policy::Action::ViewIntegrity, None)?;
        Ok(self.integrity.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
}
