//! The log is the source of truth: the projections (accounts, officers, cases) can be computed
//! from it alone — its entries and the openings of their commitments — to rebuild them, or to
//! check that the stored ones still match it. Sessions are not records and are not rebuilt.

use super::App;
use super::cases::{CaseKind, parse_detail, record_of};
use crate::error::ApiError;
use liuhen_core::coercion::Coercion;
use liuhen_core::inspection::Inspection;
use liuhen_core::licence::Licence;
use liuhen_core::penalty::Ordinary;
use liuhen_core::summary::Summary;
use liuhen_log::{Entry, EntryDraft};
use liuhen_store::{CaseRecord, LogStore, MatterRecord, OfficerRecord, Op, RecordingRecord, SettingRecord, UserRecord};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Cases of one kind being replayed: the aggregate, when opened and when last changed.
type Replay<K> = BTreeMap<String, (K, i64, i64)>;

/// Applies one logged event to the case it belongs to.
fn feed<K: CaseKind>(cases: &mut Replay<K>, id: String, detail: &Value, time: i64, index: u64) -> Result<(), ApiError> {
    let (event, flags) = parse_detail::<K>(detail).ok_or_else(|| internal(index, "unreadable event"))?;
    match cases.get_mut(&id) {
        Some((c, _, updated)) => {
            c.apply(&event, &flags);
            *updated = time;
        }
        None => {
            let mut c =
                K::from_first(&event).ok_or_else(|| internal(index, "a case event before the case was opened"))?;
            c.apply(&event, &flags);
            cases.insert(id, (c, time, time));
        }
    }
    Ok(())
}

/// Every projection, sorted by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Projections {
    pub users: Vec<UserRecord>,
    pub officers: Vec<OfficerRecord>,
    pub cases: Vec<CaseRecord>,
    pub matters: Vec<MatterRecord>,
    pub settings: Vec<SettingRecord>,
    pub recordings: Vec<RecordingRecord>,
}

fn internal(index: u64, why: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("log entry {index}: {why}").into())
}

impl<S: LogStore> App<S> {
    async fn opened_json(&self, index: u64, e: &Entry) -> Result<Value, ApiError> {
        let c = e.commits().first().ok_or_else(|| internal(index, "no commitment"))?;
        let (_, content) = self.store.opening(c).await.map_err(|err| internal(index, format!("opening: {err}")))?;
        serde_json::from_slice(&content).map_err(|err| internal(index, err))
    }

    /// Computes every projection from the log.
    pub async fn projections_from_log(&self) -> Result<Projections, ApiError> {
        let size = self.store.tree_size();
        let mut users: BTreeMap<String, UserRecord> = BTreeMap::new();
        let mut officers: BTreeMap<String, OfficerRecord> = BTreeMap::new();
        let mut matters: BTreeMap<String, MatterRecord> = BTreeMap::new();
        let mut settings: BTreeMap<String, SettingRecord> = BTreeMap::new();
        let mut inspections: Replay<Inspection> = BTreeMap::new();
        let mut summaries: Replay<Summary> = BTreeMap::new();
        let mut ordinaries: Replay<Ordinary> = BTreeMap::new();
        let mut licences: Replay<Licence> = BTreeMap::new();
        let mut measures: Replay<Coercion> = BTreeMap::new();
        let mut origins: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut classes: BTreeMap<String, String> = BTreeMap::new();
        let mut recordings: BTreeMap<String, RecordingRecord> = BTreeMap::new();
        let mut start = 0;
        while start < size {
            let end = (start + 4096).min(size);
            for (i, raw) in self.store.entries(start, end).await?.into_iter().enumerate() {
                let index = start + i as u64;
                let e = Entry::decode(&raw).map_err(|err| internal(index, err))?;
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
                        users.insert(
                            s("user")?,
                            UserRecord {
                                id: s("user")?,
                                username: s("username")?,
                                role: s("role")?,
                                password_hash: secret["password_hash"].as_str().unwrap_or_default().to_string(),
                                must_change_password: secret["must_change_password"].as_bool().unwrap_or(true),
                                created_at_ms: e.time_ms,
                                officer_id: b.get("officer_id").and_then(Value::as_str).unwrap_or_default().to_string(),
                                unit: b.get("unit").and_then(Value::as_str).unwrap_or_default().to_string(),
                                totp_secret: String::new(),
                                totp_enabled: false,
                            },
                        );
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
                        let key = super::records::classes_key(id);
                        let mut classes = super::map_in(&settings, &key);
                        classes.insert(s("record")?, Value::from(s("class")?));
                        settings.insert(key, super::records::classes_record(id, &classes, e.time_ms));
                    }
                    "av.unrecorded" => {
                        let id = e.case().ok_or_else(|| internal(index, "a reason without a case"))?;
                        let detail = self.opened_json(index, &e).await?;
                        let key = super::av::unrecorded_key(id);
                        let mut reasons = super::map_in(&settings, &key);
                        super::av::apply_unrecorded(&mut reasons, &detail);
                        settings.insert(key, super::av::unrecorded_setting(id, &reasons, e.time_ms));
                    }
                    "recording.stored" | "recording.clipped" => {
                        let detail = self.opened_json(index, &e).await?;
                        let blob = *e.blobs().first().ok_or_else(|| internal(index, "a recording without its blob"))?;
                        let id = s("recording")?;
                        recordings.insert(
                            id.clone(),
                            RecordingRecord {
                                id,
                                sha256: blob.sha256.to_hex(),
                                size: blob.size,
                                case_id: e.case().unwrap_or_default().to_string(),
                                uploaded_by: e.actor().to_string(),
                                created_at_ms: e.time_ms,
                                data: super::recordings::recording_data(&detail, &blob, None).to_string(),
                            },
                        );
                    }
                    "recording.sm3" => {
                        let r = recordings
                            .get_mut(&s("recording")?)
                            .ok_or_else(|| internal(index, "SM3 of no recording"))?;
                        let mut data: Value = serde_json::from_str(&r.data).map_err(|err| internal(index, err))?;
                        data["sm3"] = Value::from(s("sm3")?);
                        r.data = data.to_string();
                    }
                    a if a.starts_with("device.") => {
                        let number = s("device")?;
                        let event = b
                            .get("event")
                            .and_then(super::devices::event_of)
                            .ok_or_else(|| internal(index, "unreadable device event"))?;
                        let at = b.get("recorded_at").and_then(Value::as_i64).unwrap_or(e.time_ms);
                        let key = format!("{}{number}", super::devices::PREFIX);
                        let prev = settings.get(&key).and_then(|r| serde_json::from_str::<Value>(&r.data).ok());
                        let next = super::devices::fold(prev.as_ref(), &event, e.actor(), at)
                            .ok_or_else(|| internal(index, "a device event before its registration"))?;
                        settings.insert(key, super::devices::setting(&number, &next, at));
                    }
                    "recording.linked" | "recording.interruption" => {
                        let detail = self.opened_json(index, &e).await?;
                        let r = recordings
                            .get_mut(&s("recording")?)
                            .ok_or_else(|| internal(index, "a link or interruption of no recording"))?;
                        if e.action() == "recording.linked" {
                            super::av::apply_link(r, &detail);
                        } else {
                            super::av::apply_interruption(r, &detail);
                        }
                    }
                    a if a.starts_with("document.") => {
                        let detail = self.opened_json(index, &e).await?;
                        let case = e.case().ok_or_else(|| internal(index, "document entry without a case"))?;
                        super::documents::rebuild_fold(&mut settings, b, &detail, e.actor(), case, e.time_ms)
                            .ok_or_else(|| internal(index, "unreadable document entry"))?;
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
                        match b.get("case_type").and_then(Value::as_str) {
                            Some(Inspection::CODE) => feed(&mut inspections, id, &detail, e.time_ms, index)?,
                            Some(Summary::CODE) => feed(&mut summaries, id, &detail, e.time_ms, index)?,
                            Some(Ordinary::CODE) => feed(&mut ordinaries, id, &detail, e.time_ms, index)?,
                            Some(Licence::CODE) => feed(&mut licences, id, &detail, e.time_ms, index)?,
                            Some(Coercion::CODE) => feed(&mut measures, id, &detail, e.time_ms, index)?,
                            _ => return Err(internal(index, "unknown case type")),
                        }
                    }
                    _ => {}
                }
            }
            start = end;
        }
        Ok(Projections {
            users: users.into_values().collect(),
            officers: officers.into_values().collect(),
            matters: matters.into_values().collect(),
            settings: settings.into_values().collect(),
            recordings: recordings.into_values().collect(),
            cases: {
                let cal = &self.calendar;
                let mut cases: Vec<CaseRecord> = inspections
                    .into_values()
                    .map(|(c, opened, updated)| record_of(&c, cal, opened, updated))
                    .chain(summaries.into_values().map(|(c, opened, updated)| record_of(&c, cal, opened, updated)))
                    .chain(ordinaries.into_values().map(|(c, opened, updated)| record_of(&c, cal, opened, updated)))
                    .chain(licences.into_values().map(|(c, opened, updated)| record_of(&c, cal, opened, updated)))
                    .chain(measures.into_values().map(|(c, opened, updated)| record_of(&c, cal, opened, updated)))
                    .collect();
                for c in &mut cases {
                    if let Some((by, unit)) = origins.get(&c.id) {
                        (c.opened_by, c.unit) = (by.clone(), unit.clone());
                    }
                    if let Some(class) = classes.get(&c.id) {
                        c.confidentiality = class.clone();
                    }
                }
                cases.sort_by(|a, b| a.id.cmp(&b.id));
                cases
            },
        })
    }

    /// The projections as stored, sorted by id.
    pub async fn stored_projections(&self) -> Result<Projections, ApiError> {
        let mut officers = self.store.officers().await?;
        officers.sort_by(|a, b| a.id.cmp(&b.id));
        let mut cases = self.store.cases(u32::MAX).await?;
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Projections {
            users: self.store.users().await?,
            officers,
            cases,
            matters: self.store.matters().await?,
            settings: self.store.settings().await?,
            recordings: {
                let mut r = self.store.recordings(None, u32::MAX).await?;
                r.sort_by(|a, b| a.id.cmp(&b.id));
                r
            },
        })
    }

    /// Replaces the projections with what the log says, and records that it did.
    pub async fn rebuild(&self) -> Result<Projections, ApiError> {
        let p = self.projections_from_log().await?;
        let d = EntryDraft::new(
            "system",
            "system.projections_rebuilt",
            None,
            super::body(json!({"users": p.users.len(), "officers": p.officers.len(), "cases": p.cases.len()})),
            vec![],
            vec![],
        )
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
        let op = Op::ReplaceProjections {
            users: p.users.clone(),
            officers: p.officers.clone(),
            cases: p.cases.clone(),
            matters: p.matters.clone(),
            settings: p.settings.clone(),
            recordings: p.recordings.clone(),
        };
        self.append(d, vec![op]).await?;
        Ok(p)
    }
}

/// What differs between stored projections and those computed from the log (times aside: a
/// projection's timestamps are when the application wrote it, not part of the record).
pub fn differences(stored: &Projections, from_log: &Projections) -> Vec<String> {
    let mut out = Vec::new();
    let key = |u: &UserRecord| {
        (u.id.clone(), u.username.clone(), u.role.clone(), u.password_hash.clone(), u.must_change_password)
    };
    diff(&mut out, "account", &stored.users, &from_log.users, |u| u.id.clone(), key);
    let key = |o: &OfficerRecord| {
        (
            o.id.clone(),
            o.name.clone(),
            o.cert_no.clone(),
            o.cert_valid_from.clone(),
            o.cert_valid_to.clone(),
            o.cert_status.clone(),
            o.cert_scope.clone(),
            o.legal_qualification,
        )
    };
    diff(&mut out, "officer", &stored.officers, &from_log.officers, |o| o.id.clone(), key);
    let key = |c: &CaseRecord| {
        let data: Value = serde_json::from_str(&c.data).unwrap_or(Value::Null);
        (
            c.id.clone(),
            c.case_no.clone(),
            c.case_type.clone(),
            c.state.clone(),
            c.version,
            c.matter.clone(),
            data.to_string(),
        )
    };
    diff(&mut out, "case", &stored.cases, &from_log.cases, |c| c.id.clone(), key);
    let key = |m: &MatterRecord| {
        let data: Value = serde_json::from_str(&m.data).unwrap_or(Value::Null);
        (m.code.clone(), m.name.clone(), data.to_string())
    };
    diff(&mut out, "matter", &stored.matters, &from_log.matters, |m| m.code.clone(), key);
    let key = |s: &SettingRecord| {
        let data: Value = serde_json::from_str(&s.data).unwrap_or(Value::Null);
        (s.key.clone(), data.to_string())
    };
    diff(&mut out, "setting", &stored.settings, &from_log.settings, |s| s.key.clone(), key);
    let key = |r: &RecordingRecord| {
        let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
        (r.id.clone(), r.sha256.clone(), r.size, r.case_id.clone(), r.uploaded_by.clone(), data.to_string())
    };
    diff(&mut out, "recording", &stored.recordings, &from_log.recordings, |r| r.id.clone(), key);
    out
}

fn diff<T, K: PartialEq>(
    out: &mut Vec<String>,
    what: &str,
    stored: &[T],
    log: &[T],
    id: impl Fn(&T) -> String,
    key: impl Fn(&T) -> K,
) {
    let s: BTreeMap<String, &T> = stored.iter().map(|t| (id(t), t)).collect();
    let l: BTreeMap<String, &T> = log.iter().map(|t| (id(t), t)).collect();
    for (k, t) in &s {
        match l.get(k) {
            None => out.push(format!("{what} {k} is stored but not in the log")),
            Some(u) if key(t) != key(u) => out.push(format!("{what} {k} differs from what the log records")),
            Some(_) => {}
        }
    }
    for k in l.keys() {
        if !s.contains_key(k) {
            out.push(format!("{what} {k} is in the log but not stored"));
        }
    }
}
