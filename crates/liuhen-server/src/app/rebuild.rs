//! The log is the source of truth: the projections (accounts, officers, cases) can be computed
//! from it alone — its entries and the openings of their commitments — to rebuild them, or to
//! check that the stored ones still match it. Sessions are not records and are not rebuilt.

use super::App;
use super::cases::{CaseKind, record_of};
use crate::app::AppError;
use futures::StreamExt;
use liuhen_core::coercion::Coercion;
use liuhen_core::inspection::Inspection;
use liuhen_core::licence::Licence;
use liuhen_core::penalty::Ordinary;
use liuhen_core::summary::Summary;
use liuhen_log::{Entry, EntryDraft};
use liuhen_store::{
    CaseRecord, DeviceRecord, LogStore, MatterRecord, OfficerRecord, Op, RecordingRecord, SettingRecord, UserRecord,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub use liuhen_store::{ProjectionScratch, Projections};

/// How many cases the second pass of [`App::projections_into`] holds at once.
pub const CASES_AT_ONCE: usize = 1024;

/// How many entries the first pass reads, and holds what they write, at once ([`App::log_part`]).
pub const ENTRIES_AT_ONCE: u64 = 4096;

/// How many lines of the devices' ledgers the first pass holds at once.
const LINES_AT_ONCE: usize = 4096;

/// How many cases the second pass replays at once, on the runtime's threads.
const REPLAYS_AT_ONCE: usize = 8;

/// What a computation of the projections found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub users: usize,
    pub officers: usize,
    pub cases: usize,
}

/// The settings (the singletons: the office profile, the catalogues, the seal's keys) as the
/// log writes them, entry by entry: a row an entry writes takes the version the store gives it
/// live — the entry's index plus one ([`SettingsFold::at`]). The rows written are held only
/// until [`SettingsFold::spill`] puts them in the scratch.
pub(crate) struct SettingsFold<'s> {
    rows: BTreeMap<String, SettingRecord>,
    version: u64,
    scratch: &'s ProjectionScratch,
}

impl SettingsFold<'_> {
    /// From now on, rows are written by entry `index`.
    fn at(&mut self, index: u64) {
        self.version = index + 1;
    }

    /// Writes a row, at the current entry's version.
    pub(crate) fn insert(&mut self, key: String, row: SettingRecord) {
        self.rows.insert(key, SettingRecord { version: self.version, ..row });
    }

    /// The rows held go to the scratch.
    fn spill(&mut self) -> Result<(), liuhen_store::StoreError> {
        let settings = std::mem::take(&mut self.rows).into_values().collect();
        self.scratch.put(&Projections { settings, ..Default::default() })
    }
}

/// Rows folded entry by entry, by id, held only until [`Spilled::spill`] puts them in the
/// scratch (at the end of each part of the log read): an entry that changes one later reads it
/// back. What grows with the years — recordings, documents — is never held whole.
struct Spilled<'s, V> {
    held: BTreeMap<String, V>,
    scratch: &'s ProjectionScratch,
    read: fn(&ProjectionScratch, &str) -> Result<Option<V>, liuhen_store::StoreError>,
    write: fn(Vec<V>) -> Projections,
}

impl<V> Spilled<'_, V> {
    /// Row `id`, held to be changed (read back if spilled); `None` if no entry made it.
    fn get_mut(&mut self, id: &str) -> Result<Option<&mut V>, liuhen_store::StoreError> {
        if !self.held.contains_key(id)
            && let Some(v) = (self.read)(self.scratch, id)?
        {
            self.held.insert(id.to_string(), v);
        }
        Ok(self.held.get_mut(id))
    }

    /// The rows held go to the scratch.
    fn spill(&mut self) -> Result<(), liuhen_store::StoreError> {
        if !self.held.is_empty() {
            self.scratch.put(&(self.write)(std::mem::take(&mut self.held).into_values().collect()))?;
        }
        Ok(())
    }
}

/// A log entry the projections cannot be computed from: named, never an anonymous internal
/// error.
fn internal(index: u64, why: impl std::fmt::Display) -> AppError {
    AppError::Integrity(format!("log entry {index}: {why}"))
}

impl<S: LogStore> App<S> {
    /// The JSON behind an entry's first commitment, checked against it.
    async fn opened_json(&self, index: u64, e: &Entry) -> Result<Value, AppError> {
        let c = e.commits().first().ok_or_else(|| internal(index, format!("{}: no commitment", e.action())))?;
        super::opened_detail(&self.store, index, c).await.map_err(|err| match err {
            AppError::Integrity(m) => AppError::Integrity(format!("{m} [{}]", e.action())),
            other => other,
        })
    }

    /// Computes every projection from the log, whole (for tests and small stores).
    pub async fn projections_from_log(&self) -> Result<Projections, AppError> {
        let scratch = ProjectionScratch::new()?;
        self.projections_into(&scratch).await?;
        Ok(scratch.projections()?)
    }

    /// Computes every projection from the log into `scratch`, in two passes, so that what grows
    /// with the years — cases, recordings, documents, ledgers, settings — is never held all at
    /// once: the first reads the log in order, a part at a time, for everything but the cases'
    /// aggregates (accounts, officers, matters, settings, recordings, documents, blobs, who
    /// opened each case and its type), putting each part's rows in the scratch before the next
    /// and reading back from it a row a later entry changes; the second replays the cases in
    /// order of id, [`CASES_AT_ONCE`] at a time, each from its own entries (the log's index by
    /// case), and writes each batch's rows — the case, its deadlines, what waits in it — before
    /// the next. Held whole are only what is per account, device or matter, and a case's id,
    /// type, origin and class (some 200 bytes a case).
    pub async fn projections_into(&self, scratch: &ProjectionScratch) -> Result<Counts, AppError> {
        // Where the stored projections are now (not the published head, which may lag them).
        let size = self.store.committed_size().await?;
        scratch.set_through(size);
        let mut users: BTreeMap<String, UserRecord> = BTreeMap::new();
        let mut officers: BTreeMap<String, OfficerRecord> = BTreeMap::new();
        let mut matters: BTreeMap<String, MatterRecord> = BTreeMap::new();
        let mut settings = SettingsFold { rows: BTreeMap::new(), version: 0, scratch };
        // Each case's type, from its first entry.
        let mut case_types: BTreeMap<String, String> = BTreeMap::new();
        let mut origins: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut classes: BTreeMap<String, String> = BTreeMap::new();
        let mut recordings: Spilled<RecordingRecord> = Spilled {
            held: BTreeMap::new(),
            scratch,
            read: ProjectionScratch::recording,
            write: |recordings| Projections { recordings, ..Default::default() },
        };
        // Each party's request (by id): its case and its last step.
        let mut requests: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut blobs: BTreeMap<[u8; 32], liuhen_log::BlobRef> = BTreeMap::new();
        let mut devices: BTreeMap<String, DeviceRecord> = BTreeMap::new();
        let mut documents: Spilled<liuhen_store::DocumentRecord> = Spilled {
            held: BTreeMap::new(),
            scratch,
            read: ProjectionScratch::document,
            write: |documents| Projections { documents, ..Default::default() },
        };
        let mut publications: Spilled<liuhen_store::PublicationRecord> = Spilled {
            held: BTreeMap::new(),
            scratch,
            read: ProjectionScratch::publication,
            write: |publications| Projections { publications, ..Default::default() },
        };
        let mut files: Spilled<liuhen_store::CaseFileRecord> = Spilled {
            held: BTreeMap::new(),
            scratch,
            read: ProjectionScratch::case_file,
            write: |case_files| Projections { case_files, ..Default::default() },
        };
        // The inspections of each party in each year (`<party>/<year>`).
        let mut inspected: Spilled<liuhen_store::PartyInspectionsRecord> = Spilled {
            held: BTreeMap::new(),
            scratch,
            read: ProjectionScratch::party_inspections,
            write: |party_inspections| Projections { party_inspections, ..Default::default() },
        };
        // The years' published statistics (once a year).
        let mut statistics: Vec<liuhen_store::AnnualStatisticsRecord> = Vec::new();
        // The 文号 register: the row each number's last giving wrote.
        let mut numbers: Spilled<liuhen_store::DocNumberRecord> = Spilled {
            held: BTreeMap::new(),
            scratch,
            read: |_, _| Ok(None),
            write: |doc_numbers| Projections { doc_numbers, ..Default::default() },
        };
        let mut keys: Spilled<liuhen_store::SigningKeyRecord> = Spilled {
            held: BTreeMap::new(),
            scratch,
            read: ProjectionScratch::signing_key,
            write: |signing_keys| Projections { signing_keys, ..Default::default() },
        };
        // What is said of each record (its class, why it has no recording): the row as the
        // last entry of it wrote it, that entry's time and index.
        let mut marks: BTreeMap<(String, String, String), (liuhen_store::RecordMarkRecord, i64, u64)> = BTreeMap::new();
        let mut device_lines: Vec<liuhen_store::DeviceEventRecord> = Vec::new();
        let mut start = 0;
        while start < size {
            self.report_progress("由日志计算投影", start, size);
            let end = (start + self.log_part.max(1)).min(size);
            for (i, raw) in self.store.entries(start, end).await?.into_iter().enumerate() {
                let index = start + i as u64;
                settings.at(index);
                let e = Entry::decode(&raw).map_err(|err| internal(index, err))?;
                for blob in e.blobs() {
                    blobs.entry(blob.sha256.0).or_insert(*blob);
                }
                let b = e.body();
                let s = |k: &str| {
                    b.get(k)
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .ok_or_else(|| internal(index, format!("no {k}")))
                };
                match e.action() {
                    "user.create" => {
                        let secret = self.opened_json(index, &e).await?;
                        // The username and unit behind their commitment (in the body before that).
                        let account = match b.get("account").and_then(|a| a.get("commit")).and_then(Value::as_str) {
                            Some(hex) => {
                                let c = liuhen_log::Hash::from_hex(hex)
                                    .ok_or_else(|| internal(index, "a malformed commitment"))?;
                                super::opened_detail(&self.store, index, &c).await?
                            }
                            None => Value::Object(b.clone()),
                        };
                        let from_account =
                            |k: &str| account.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
                        users.insert(
                            s("user")?,
                            UserRecord {
                                id: s("user")?,
                                username: from_account("username"),
                                role: s("role")?,
                                password_hash: secret["password_hash"].as_str().unwrap_or_default().to_string(),
                                must_change_password: secret["must_change_password"].as_bool().unwrap_or(true),
                                created_at_ms: e.time_ms,
                                officer_id: b.get("officer_id").and_then(Value::as_str).unwrap_or_default().to_string(),
                                unit: from_account("unit"),
                                totp_secret: String::new(),
                                totp_enabled: false,
                                pending_roles: b.get("pending").and_then(Value::as_str).unwrap_or_default().to_string(),
                                display_name: from_account("name"),
                            },
                        );
                    }
                    "user.grant_decided" => {
                        if let Some(u) = users.get_mut(&s("user")?) {
                            u.role = s("role")?;
                            u.pending_roles = String::new();
                        }
                    }
                    "user.password" => {
                        let secret = self.opened_json(index, &e).await?;
                        if let Some(u) = users.get_mut(&s("user")?) {
                            u.password_hash = secret["password_hash"].as_str().unwrap_or_default().to_string();
                            u.must_change_password = secret["must_change_password"].as_bool().unwrap_or(true);
                        }
                    }
                    "user.totp" => {
                        let secret = self.opened_json(index, &e).await?;
                        if let Some(u) = users.get_mut(&s("user")?) {
                            u.totp_secret = secret["secret"].as_str().unwrap_or_default().to_string();
                            u.totp_enabled = secret["enabled"].as_bool().unwrap_or(false);
                        }
                    }
                    "officer.register" => {
                        officers.insert(
                            s("officer")?,
                            OfficerRecord {
                                id: s("officer")?,
                                name: s("name")?,
                                cert_no: s("cert_no")?,
                                cert_valid_from: s("cert_valid_from")?,
                                cert_valid_to: s("cert_valid_to")?,
                                cert_status: "active".to_string(),
                                cert_scope: s("cert_scope")?,
                                legal_qualification: b
                                    .get("legal_qualification")
                                    .and_then(Value::as_bool)
                                    .unwrap_or(false),
                                created_at_ms: e.time_ms,
                            },
                        );
                    }
                    "matter.put" => {
                        let m = super::matters::parse_matter(&Value::Object(b.clone()))
                            .ok_or_else(|| internal(index, "unreadable matter"))?;
                        matters.insert(m.code.clone(), super::matters::matter_record(&m, e.time_ms));
                    }
                    "agency.put" => {
                        let a = super::agency::parse_agency(&Value::Object(b.clone()))
                            .ok_or_else(|| internal(index, "unreadable agency profile"))?;
                        settings.insert(super::agency::KEY.to_string(), super::agency::agency_record(&a, e.time_ms));
                    }
                    "classification.set" => {
                        let id = e.case().ok_or_else(|| internal(index, "classification without a case"))?.to_string();
                        classes.insert(id, s("class")?);
                    }
                    "record.classified" => {
                        let id = e.case().ok_or_else(|| internal(index, "record class without a case"))?;
                        let class = Value::from(s("class")?);
                        let mark = super::record_mark(id, super::records::CLASS, &s("record")?, &class);
                        marks
                            .insert((id.to_string(), mark.kind.clone(), mark.record.clone()), (mark, e.time_ms, index));
                    }
                    "av.unrecorded" => {
                        let id = e.case().ok_or_else(|| internal(index, "a reason without a case"))?;
                        let detail = self.opened_json(index, &e).await?;
                        let record =
                            detail["record"].as_str().ok_or_else(|| internal(index, "a reason of no record"))?;
                        let data = super::av::unrecorded_mark(&detail);
                        let mark = super::record_mark(id, super::av::UNRECORDED, record, &data);
                        marks
                            .insert((id.to_string(), mark.kind.clone(), mark.record.clone()), (mark, e.time_ms, index));
                    }
                    "recording.stored" | "recording.clipped" => {
                        let detail = self.opened_json(index, &e).await?;
                        let blob = *e.blobs().first().ok_or_else(|| internal(index, "a recording without its blob"))?;
                        let id = s("recording")?;
                        recordings.held.insert(
                            id.clone(),
                            RecordingRecord {
                                id,
                                sha256: blob.sha256.to_hex(),
                                size: blob.size,
                                case_id: e.case().unwrap_or_default().to_string(),
                                uploaded_by: e.actor().to_string(),
                                created_at_ms: e.time_ms,
                                data: super::recordings::recording_data(&detail, &blob, None).to_string(),
                                version: index + 1,
                            },
                        );
                    }
                    "recording.sm3" => {
                        let r = recordings
                            .get_mut(&s("recording")?)?
                            .ok_or_else(|| internal(index, "SM3 of no recording"))?;
                        let mut data: Value = serde_json::from_str(&r.data).map_err(|err| internal(index, err))?;
                        data["sm3"] = Value::from(s("sm3")?);
                        r.data = data.to_string();
                        r.version = index + 1;
                    }
                    a if a.starts_with("device.") => {
                        let number = s("device")?;
                        // The event behind its commitment (in the body itself before that).
                        let event = match e.commits().first() {
                            Some(_) => Some(self.opened_json(index, &e).await?),
                            None => b.get("event").cloned(),
                        };
                        let event = event
                            .as_ref()
                            .and_then(super::devices::event_of)
                            .ok_or_else(|| internal(index, "unreadable device event"))?;
                        let at = b.get("recorded_at").and_then(Value::as_i64).unwrap_or(e.time_ms);
                        let (row, line) = super::devices::fold(devices.get(&number), &event, e.actor(), at)
                            .ok_or_else(|| internal(index, "a device event before its registration"))?;
                        devices.insert(number, DeviceRecord { updated_at_ms: e.time_ms, version: index + 1, ..row });
                        // A ledger grows with the years: its lines go to the scratch as they come.
                        device_lines.push(line);
                        if device_lines.len() == LINES_AT_ONCE {
                            let part =
                                Projections { device_events: std::mem::take(&mut device_lines), ..Default::default() };
                            scratch.put(&part)?;
                        }
                    }
                    "recording.disposal" => {
                        // A disposal's step; the last (`disposed`) carries no commitment.
                        let step = s("step")?;
                        let detail =
                            if e.commits().is_empty() { Value::Null } else { self.opened_json(index, &e).await? };
                        let r = recordings
                            .get_mut(&s("recording")?)?
                            .ok_or_else(|| internal(index, "a disposal of no recording"))?;
                        let at = b.get("recorded_at").and_then(Value::as_i64).unwrap_or(e.time_ms);
                        super::disposal::apply_disposal(r, &step, &detail, e.actor(), at);
                        r.version = index + 1;
                    }
                    "recording.linked" | "recording.interruption" => {
                        let detail = self.opened_json(index, &e).await?;
                        let r = recordings
                            .get_mut(&s("recording")?)?
                            .ok_or_else(|| internal(index, "a link or interruption of no recording"))?;
                        if e.action() == "recording.linked" {
                            super::av::apply_link(r, &detail);
                        } else {
                            super::av::apply_interruption(r, &detail);
                        }
                        r.version = index + 1;
                    }
                    a if a.starts_with("document.") => {
                        let detail = self.opened_json(index, &e).await?;
                        let case = e.case().ok_or_else(|| internal(index, "document entry without a case"))?;
                        // A correction classed as what it corrects.
                        if let Some(class) = b.get("class") {
                            let record = format!("{}{}", super::documents::PREFIX, s("document")?);
                            let mark = super::record_mark(case, super::records::CLASS, &record, class);
                            marks.insert(
                                (case.to_string(), mark.kind.clone(), mark.record.clone()),
                                (mark, e.time_ms, index),
                            );
                        }
                        // What the fold reads back: the document, and the one it supersedes.
                        for k in ["document", "supersedes"] {
                            if let Some(id) = b.get(k).and_then(Value::as_str) {
                                documents.get_mut(id)?;
                            }
                        }
                        super::documents::rebuild_fold(
                            &mut numbers.held,
                            &mut documents.held,
                            b,
                            &detail,
                            e.actor(),
                            case,
                            e.time_ms,
                            index,
                        )
                        .ok_or_else(|| internal(index, "unreadable document entry"))?;
                    }
                    a if a.starts_with("publication.") => {
                        // A case's 公示 folded from entries whose details are behind a
                        // commitment, at the time the entry carries.
                        let detail = self.opened_json(index, &e).await?;
                        let at = b.get("recorded_at").and_then(Value::as_i64).unwrap_or(e.time_ms);
                        let case = s("case")?;
                        let prev =
                            publications.get_mut(&case)?.and_then(|r| serde_json::from_str::<Value>(&r.data).ok());
                        let next = super::publication::fold(prev.as_ref(), a, b, &detail, at)
                            .ok_or_else(|| internal(index, format!("unreadable {a} entry")))?;
                        let row = super::publication::record(&case, &next, e.time_ms);
                        publications.held.insert(case, liuhen_store::PublicationRecord { version: index + 1, ..row });
                    }
                    a if a.starts_with("archive.") => {
                        // A case's file folded as its steps wrote it, its 档号 in the register.
                        let detail = self.opened_json(index, &e).await?;
                        let at = b.get("recorded_at").and_then(Value::as_i64).unwrap_or(e.time_ms);
                        let case = s("case")?;
                        let prev = files.get_mut(&case)?.and_then(|r| serde_json::from_str::<Value>(&r.data).ok());
                        let next = super::archive::fold(prev.as_ref(), a, b, &detail, e.actor(), at)
                            .ok_or_else(|| internal(index, format!("unreadable {a} entry")))?;
                        if let Some(n) = b.get("numbered") {
                            let (Some(no), Some(series), Some(k)) =
                                (n["no"].as_str(), n["series"].as_str(), n["n"].as_u64())
                            else {
                                return Err(internal(index, "unreadable 档号"));
                            };
                            let row = super::archive::archive_number(no, series, k, &case);
                            numbers.held.insert(
                                no.to_string(),
                                liuhen_store::DocNumberRecord { updated_at_ms: e.time_ms, version: index + 1, ..row },
                            );
                        }
                        let row = super::archive::record(&case, &next, e.time_ms);
                        files.held.insert(case, liuhen_store::CaseFileRecord { version: index + 1, ..row });
                    }
                    a if a.starts_with("signer.") => {
                        // A key's row folded from entries whose details are behind a
                        // commitment, at the time the entry carries.
                        let detail = self.opened_json(index, &e).await?;
                        let at = b.get("recorded_at").and_then(Value::as_i64).unwrap_or(e.time_ms);
                        let key_id = s("key_id")?;
                        let prev = keys.get_mut(&key_id)?.and_then(|r| serde_json::from_str::<Value>(&r.data).ok());
                        let row = super::keys::fold(prev.as_ref(), a, b, &detail, at)
                            .and_then(|next| super::keys::record(&next, e.time_ms))
                            .ok_or_else(|| internal(index, format!("unreadable {a} entry")))?;
                        // A key made while another was still current (its row taken out behind
                        // the server's back, so it was never revoked): the newer is the current
                        // one, as a signer has one — the log is folded, never refused for it.
                        if row.current {
                            if let Some(old) = scratch.current_signing_key(&row.user_id)? {
                                keys.get_mut(&old.key_id)?;
                            }
                            for other in keys.held.values_mut() {
                                if other.user_id == row.user_id && other.key_id != key_id && other.current {
                                    other.current = false;
                                }
                            }
                        }
                        keys.held.insert(key_id, liuhen_store::SigningKeyRecord { version: index + 1, ..row });
                    }
                    a if a.starts_with("party_access.") => {
                        let case = e.case().ok_or_else(|| internal(index, "a party's request without a case"))?;
                        let request = s("request")?;
                        requests.insert(request, (case.to_string(), a["party_access.".len()..].to_string()));
                    }
                    "statistics.published" => {
                        let row = super::statistics::published_record(&Value::Object(b.clone()), e.time_ms);
                        statistics.push(liuhen_store::AnnualStatisticsRecord { version: index + 1, ..row });
                    }
                    "seal.keys" => {
                        let key = super::integrity::SEAL_KEYS.to_string();
                        let data = Value::Object(b.clone()).to_string();
                        settings.insert(key.clone(), SettingRecord::new(key, data, e.time_ms));
                    }
                    "catalogue.put" => {
                        let key = s("key")?;
                        let rows = b.get("rows").cloned().unwrap_or(Value::Null);
                        settings.insert(key.clone(), super::catalogues::record(&key, &rows, e.time_ms));
                    }
                    a if a.starts_with("case.") => {
                        let id = e.case().ok_or_else(|| internal(index, "case entry without a case"))?.to_string();
                        // Who opened it, and their unit then (who may see it).
                        origins.entry(id.clone()).or_insert_with(|| {
                            let by = e.actor().strip_prefix("user:").unwrap_or_default().to_string();
                            let unit = users.get(&by).map(|u| u.unit.clone()).unwrap_or_default();
                            (by, unit)
                        });
                        let detail = self.opened_json(index, &e).await?;
                        // The 文号 the event gave a document of the case.
                        for no in super::numbering::doc_numbers(&detail) {
                            let row = super::numbering::case_doc_number(&no, &id);
                            let row =
                                liuhen_store::DocNumberRecord { updated_at_ms: e.time_ms, version: index + 1, ..row };
                            numbers.held.insert(no, row);
                        }
                        let case_type = b.get("case_type").and_then(Value::as_str).unwrap_or_default();
                        if ![Inspection::CODE, Summary::CODE, Ordinary::CODE, Licence::CODE, Coercion::CODE]
                            .contains(&case_type)
                        {
                            return Err(internal(index, "unknown case type"));
                        }
                        case_types.entry(id.clone()).or_insert_with(|| case_type.to_string());
                        // R-121's count of the party's inspections, as the opening wrote it.
                        if case_type == Inspection::CODE
                            && let Some(liuhen_core::inspection::Event::Opened(open)) =
                                <Inspection as super::cases::CaseKind>::parse_event(&detail)
                            && let Some(key) = super::inspection::inspected_key(&open)
                        {
                            let held_key = format!("{}/{}", key.0, key.1);
                            let mut cases =
                                super::inspection::inspected_cases(inspected.get_mut(&held_key)?.as_deref());
                            cases.push(id.clone());
                            let row = super::inspection::inspected_record(&key, &cases);
                            let row = liuhen_store::PartyInspectionsRecord {
                                updated_at_ms: e.time_ms,
                                version: index + 1,
                                ..row
                            };
                            inspected.held.insert(held_key, row);
                        }
                    }
                    _ => {}
                }
            }
            // What this part of the log wrote goes to the scratch: only the next part's is held.
            settings.spill()?;
            recordings.spill()?;
            documents.spill()?;
            publications.spill()?;
            files.spill()?;
            keys.spill()?;
            numbers.spill()?;
            inspected.spill()?;
            let part = Projections {
                record_marks: std::mem::take(&mut marks)
                    .into_values()
                    .map(|(m, at, index)| liuhen_store::RecordMarkRecord { updated_at_ms: at, version: index + 1, ..m })
                    .collect(),
                blobs: std::mem::take(&mut blobs).into_values().collect(),
                annual_statistics: std::mem::take(&mut statistics),
                ..Default::default()
            };
            scratch.put(&part)?;
            start = end;
        }
        let mut p = Projections {
            users: users.into_values().collect(),
            officers: officers.into_values().collect(),
            matters: matters.into_values().collect(),
            devices: devices.into_values().collect(),
            device_events: device_lines,
            ..Default::default()
        };
        // What waits: the documents' approvals (read back from the scratch a part at a time),
        // and the parties' requests still undecided.
        let mut after = String::new();
        loop {
            let page = scratch.documents_after(&after, CASES_AT_ONCE)?;
            let Some(last) = page.last() else { break };
            after = last.id.clone();
            let mut tasks = Vec::new();
            for d in &page {
                let v: Value = serde_json::from_str(&d.data).unwrap_or(Value::Null);
                tasks.extend(super::inbox::document_task_rows(&d.id, &d.case_id, &v));
            }
            scratch.put(&Projections { tasks, ..Default::default() })?;
        }
        let mut waiting: BTreeMap<String, usize> = BTreeMap::new();
        for (case, kind) in requests.into_values() {
            if kind == "requested" {
                *waiting.entry(case).or_default() += 1;
            }
        }
        for (case, n) in waiting {
            p.tasks.extend(super::inbox::party_task_rows(&case, n));
        }
        scratch.put(&p)?;
        // Each case's open deadlines: its publication, its matter's and its recordings' as the
        // log left them.
        let whole: std::collections::HashSet<String> = p
            .matters
            .iter()
            .filter(|m| serde_json::from_str::<Value>(&m.data).is_ok_and(|d| d["av_mandatory"] == true))
            .flat_map(|m| [m.name.clone(), m.code.clone()])
            .collect();
        let total = case_types.len() as u64;
        let mut batch = Projections::default();
        // Each case replayed on the runtime's threads, a few at a time, taken in order of id.
        let mut replayed = futures::stream::iter(case_types.into_iter().map(|(id, case_type)| {
            let app = self.clone();
            tokio::spawn(async move { app.case_of_type(&id, &case_type).await })
        }))
        .buffered(REPLAYS_AT_ONCE);
        let mut done = 0u64;
        while let Some(c) = replayed.next().await {
            if done.is_multiple_of(CASES_AT_ONCE as u64) {
                self.report_progress("由日志重放案件", done, total);
            }
            done += 1;
            let mut c = c.map_err(|e| AppError::Internal(Box::new(e)))??;
            let id = &c.id;
            if let Some((by, unit)) = origins.get(id) {
                (c.opened_by, c.unit) = (by.clone(), unit.clone());
            }
            if let Some(class) = classes.get(id.as_str()) {
                c.confidentiality = class.clone();
            }
            let av = super::deadlines::AvOwed {
                whole: c.case_type == "coercive_measure" || whole.contains(&c.matter),
                linked: super::deadlines::linked_records(scratch.recordings_of_case(&c.id)?.iter()),
            };
            let publication = scratch.publication(&c.id)?.and_then(|p| serde_json::from_str::<Value>(&p.data).ok());
            let file = scratch.case_file(&c.id)?.and_then(|p| serde_json::from_str::<Value>(&p.data).ok());
            let data = super::cases::case_data(&c);
            let along = super::deadlines::Alongside { publication: publication.as_ref(), file: file.as_ref() };
            batch.deadlines.extend(super::deadlines::deadline_rows(&c, &data, along, &av, &self.calendar)?);
            batch.tasks.extend(super::inbox::case_task_rows(&c, &data));
            batch.cases.push(c);
            if batch.cases.len() == CASES_AT_ONCE {
                scratch.put(&std::mem::take(&mut batch))?;
            }
        }
        scratch.put(&batch)?;
        Ok(Counts { users: p.users.len(), officers: p.officers.len(), cases: total as usize })
    }

    /// Case `id` of type `case_type` as its own entries make it.
    async fn case_of_type(&self, id: &str, case_type: &str) -> Result<CaseRecord, AppError> {
        match case_type {
            Inspection::CODE => self.case_from_log::<Inspection>(id).await,
            Summary::CODE => self.case_from_log::<Summary>(id).await,
            Ordinary::CODE => self.case_from_log::<Ordinary>(id).await,
            Licence::CODE => self.case_from_log::<Licence>(id).await,
            _ => self.case_from_log::<Coercion>(id).await,
        }
    }

    /// Case `id` of kind `K` as its own entries make it.
    async fn case_from_log<K: CaseKind>(&self, id: &str) -> Result<CaseRecord, AppError> {
        let (c, opened, updated) = self
            .replay_from_log::<K>(id, None)
            .await?
            .ok_or_else(|| AppError::Integrity(format!("case {id}: no entry of the case")))?;
        Ok(record_of(&c, &self.calendar, opened, updated))
    }

    /// Every difference between the stored projections and what the log says, column by
    /// column (empty when they agree): `liuhen verify --data`.
    pub async fn log_differences(&self) -> Result<Vec<String>, AppError> {
        Ok(self.compared_projections().await?.0)
    }

    /// The differences of the stored projections from those the log gives, with those (to be
    /// installed, while the log has not grown) and their counts.
    pub(crate) async fn compared_projections(&self) -> Result<(Vec<String>, ProjectionScratch, Counts), AppError> {
        let scratch = ProjectionScratch::new()?;
        let n = self.projections_into(&scratch).await?;
        let differences = self.store.projection_differences(&scratch).await?;
        Ok((differences, scratch, n))
    }

    /// Replaces the projections with what the log says, and records that it did: computed
    /// again from a fresh read while entries appended meanwhile make them stale.
    pub async fn rebuild(&self) -> Result<Counts, AppError> {
        super::retrying(|| async {
            let scratch = ProjectionScratch::new()?;
            let n = self.projections_into(&scratch).await?;
            self.install(scratch, &n).await?;
            Ok(n)
        })
        .await
    }

    /// Installs `scratch` (projections of the log's first `scratch.through()` entries, counted
    /// `n`) in place of the stored ones — refused as stale if the log has grown since.
    pub(crate) async fn install(&self, scratch: ProjectionScratch, n: &Counts) -> Result<(), AppError> {
        let d = EntryDraft::new(
            "system",
            "system.projections_rebuilt",
            None,
            super::body(json!({"users": n.users, "officers": n.officers, "cases": n.cases})),
            vec![],
            vec![],
        )
        .map_err(|e| AppError::Internal(Box::new(e)))?;
        self.append(d, vec![Op::ReplaceProjections(std::sync::Arc::new(scratch))]).await?;
        Ok(())
    }
}
