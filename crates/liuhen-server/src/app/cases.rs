//! Cases: officers, and 行政检查 (inspection) cases walked through their states. Each command
//! loads the case by replaying its events from the log, lets `liuhen-core` decide, and appends
//! the event with the projection change in one transaction.
//!
//! An event's details (places, findings, reasons, who was inspected) go into the log only as a
//! salted commitment; the entry body carries the event name, the new state and version and the
//! IDs of any rules flagged. The details are kept as the commitment's opening.

use super::{App, auth::now_ms, body};
use crate::datadir::fill_random;
use crate::error::ApiError;
use liuhen_core::calendar::{self, DeadlineStatus};
use liuhen_core::inspection::{self, Event, Initiation, Inspection, Kind, OnSiteAct, Open, Presence, Source};
use liuhen_core::officer::{CertStatus, Officer};
use liuhen_core::rules::{self, Violation};
use liuhen_core::time::{Date, Timestamp};
use liuhen_log::{Entry, EntryDraft, commitment};
use liuhen_store::{CaseRecord, LogStore, OfficerRecord, Op, StoreError, UserRecord};
use serde_json::{Value, json};

pub const CASE_TYPE_INSPECTION: &str = "inspection";

/// A command on an inspection, as parsed at the edge (officers by ID).
#[derive(Debug, Clone)]
pub enum InspectionCommand {
    RecordOnSite(ActInput),
    NotifyResult { at: Timestamp },
    OrderRectification { at: Timestamp, due: Date },
    Reinspect { act: ActInput, rectified: bool },
    Close { at: Timestamp },
}

/// An on-site act with officers named by ID and when each showed their credentials.
#[derive(Debug, Clone)]
pub struct ActInput {
    pub at: Timestamp,
    pub place: String,
    pub officers: Vec<(String, Option<Timestamp>)>,
    pub recording_announced: bool,
    pub problems_found: bool,
    pub summary: String,
}

/// An officer to register.
#[derive(Debug, Clone)]
pub struct OfficerInput {
    pub name: String,
    pub cert_no: String,
    pub cert_valid_from: Date,
    pub cert_valid_to: Date,
}

/// A case as read: its aggregate and its entries in the log.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub record: CaseRecord,
    pub timeline: Vec<(u64, Entry)>,
}

fn officer_from_record(r: &OfficerRecord) -> Result<Officer, ApiError> {
    let bad = || ApiError::Internal(format!("stored officer {} is malformed", r.id).into());
    Ok(Officer {
        id: r.id.clone(),
        name: r.name.clone(),
        cert_no: r.cert_no.clone(),
        cert_valid_from: Date::parse(&r.cert_valid_from).map_err(|_| bad())?,
        cert_valid_to: Date::parse(&r.cert_valid_to).map_err(|_| bad())?,
        cert_status: match r.cert_status.as_str() {
            "active" => CertStatus::Active,
            "suspended" => CertStatus::Suspended,
            "revoked" => CertStatus::Revoked,
            _ => return Err(bad()),
        },
    })
}

fn cert_status_code(s: CertStatus) -> &'static str {
    match s {
        CertStatus::Active => "active",
        CertStatus::Suspended => "suspended",
        CertStatus::Revoked => "revoked",
    }
}

fn event_name(e: &Event) -> &'static str {
    match e {
        Event::Opened(_) => "opened",
        Event::OnSiteRecorded(_) => "on_site_recorded",
        Event::ResultNotified { .. } => "result_notified",
        Event::RectificationOrdered { .. } => "rectification_ordered",
        Event::Reinspected { .. } => "reinspected",
        Event::Closed { .. } => "closed",
    }
}

fn act_json(a: &OnSiteAct) -> Value {
    json!({
        "at": a.at.0,
        "place": a.place,
        "officers": a.officers.iter().map(|p| json!({
            "id": p.officer.id,
            "name": p.officer.name,
            "cert_no": p.officer.cert_no,
            "cert_valid_from": p.officer.cert_valid_from.to_string(),
            "cert_valid_to": p.officer.cert_valid_to.to_string(),
            "cert_status": cert_status_code(p.officer.cert_status),
            "id_shown_at": p.id_shown_at.map(|t| t.0),
        })).collect::<Vec<_>>(),
        "recording_announced": a.recording_announced,
        "problems_found": a.problems_found,
        "summary": a.summary,
    })
}

/// The event's full details, as kept behind the entry's commitment.
pub fn event_json(e: &Event, flags: &[Violation]) -> Value {
    let mut v = match e {
        Event::Opened(o) => json!({
            "id": o.id, "case_no": o.case_no, "matter": o.matter, "kind": o.kind.code(), "basis": o.basis,
            "source": o.initiation.source.code(), "reason": o.initiation.reason, "received_at": o.initiation.received_at.0,
        }),
        Event::OnSiteRecorded(a) => json!({ "act": act_json(a) }),
        Event::ResultNotified { at, problems_found } => json!({ "at": at.0, "problems_found": problems_found }),
        Event::RectificationOrdered { at, due } => json!({ "at": at.0, "due": due.to_string() }),
        Event::Reinspected { act, rectified } => json!({ "act": act_json(act), "rectified": rectified }),
        Event::Closed { at } => json!({ "at": at.0 }),
    };
    v["event"] = json!(event_name(e));
    v["flags"] = json!(
        flags.iter().map(|f| json!({"rule": f.rule.id, "field": f.field, "detail": f.detail})).collect::<Vec<_>>()
    );
    v
}

fn parse_act(v: &Value) -> Option<OnSiteAct> {
    let officers = v["officers"]
        .as_array()?
        .iter()
        .map(|o| {
            Some(Presence {
                officer: Officer {
                    id: o["id"].as_str()?.to_string(),
                    name: o["name"].as_str()?.to_string(),
                    cert_no: o["cert_no"].as_str()?.to_string(),
                    cert_valid_from: Date::parse(o["cert_valid_from"].as_str()?).ok()?,
                    cert_valid_to: Date::parse(o["cert_valid_to"].as_str()?).ok()?,
                    cert_status: match o["cert_status"].as_str()? {
                        "active" => CertStatus::Active,
                        "suspended" => CertStatus::Suspended,
                        _ => CertStatus::Revoked,
                    },
                },
                id_shown_at: o["id_shown_at"].as_i64().map(Timestamp),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(OnSiteAct {
        at: Timestamp(v["at"].as_i64()?),
        place: v["place"].as_str()?.to_string(),
        officers,
        recording_announced: v["recording_announced"].as_bool()?,
        problems_found: v["problems_found"].as_bool()?,
        summary: v["summary"].as_str()?.to_string(),
    })
}

/// Reads an event back from its details (for replay and rebuild).
pub fn parse_event(v: &Value) -> Option<(Event, Vec<Violation>)> {
    let event = match v["event"].as_str()? {
        "opened" => Event::Opened(Open {
            id: v["id"].as_str()?.to_string(),
            case_no: v["case_no"].as_str()?.to_string(),
            matter: v["matter"].as_str()?.to_string(),
            kind: Kind::parse(v["kind"].as_str()?)?,
            basis: v["basis"].as_str()?.to_string(),
            initiation: Initiation {
                source: Source::parse(v["source"].as_str()?)?,
                reason: v["reason"].as_str()?.to_string(),
                received_at: Timestamp(v["received_at"].as_i64()?),
            },
        }),
        "on_site_recorded" => Event::OnSiteRecorded(parse_act(&v["act"])?),
        "result_notified" => {
            Event::ResultNotified { at: Timestamp(v["at"].as_i64()?), problems_found: v["problems_found"].as_bool()? }
        }
        "rectification_ordered" => {
            Event::RectificationOrdered { at: Timestamp(v["at"].as_i64()?), due: Date::parse(v["due"].as_str()?).ok()? }
        }
        "reinspected" => Event::Reinspected { act: parse_act(&v["act"])?, rectified: v["rectified"].as_bool()? },
        "closed" => Event::Closed { at: Timestamp(v["at"].as_i64()?) },
        _ => return None,
    };
    let flags = v["flags"]
        .as_array()?
        .iter()
        .map(|f| {
            let rule = rules::ALL.iter().find(|r| Some(r.id) == f["rule"].as_str())?;
            let field = match f["field"].as_str()? {
                "officers" => "officers",
                "recording_announced" => "recording_announced",
                "reason" => "reason",
                "basis" => "basis",
                _ => "state",
            };
            Some(rule.violated(field, f["detail"].as_str()?.to_string()))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((event, flags))
}

/// The aggregate as the projection keeps it (and the API shows it).
pub fn inspection_json(c: &Inspection) -> Value {
    json!({
        "id": c.open.id,
        "case_no": c.open.case_no,
        "case_type": CASE_TYPE_INSPECTION,
        "matter": c.open.matter,
        "kind": c.open.kind.code(),
        "basis": c.open.basis,
        "source": c.open.initiation.source.code(),
        "source_label": c.open.initiation.source.label(),
        "reason": c.open.initiation.reason,
        "received_at": c.open.initiation.received_at.0,
        "state": c.state.code(),
        "state_label": c.state.label(),
        "version": c.version,
        "problems_found": c.problems_found,
        "rectified": c.rectified,
        "acts": c.acts.iter().map(act_json).collect::<Vec<_>>(),
        "defects": c.defects.iter().map(|v| json!({"rule": v.rule.id, "message": v.to_string()})).collect::<Vec<_>>(),
        "deadlines": c.deadlines().iter().map(|d| json!({
            "code": d.code, "label": d.label, "source": d.source, "due": d.due.0, "done_at": d.done_at.map(|t| t.0),
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn record_of(c: &Inspection, opened_at: i64, now: i64) -> CaseRecord {
    CaseRecord {
        id: c.open.id.clone(),
        case_no: c.open.case_no.clone(),
        case_type: CASE_TYPE_INSPECTION.to_string(),
        state: c.state.code().to_string(),
        version: c.version,
        matter: c.open.matter.clone(),
        opened_at_ms: opened_at,
        updated_at_ms: now,
        data: inspection_json(c).to_string(),
    }
}

/// A deadline of some case, with where it stands now.
#[derive(Debug, Clone)]
pub struct DeadlineItem {
    pub case_id: String,
    pub case_no: String,
    pub code: String,
    pub label: String,
    pub source: String,
    pub due: i64,
    pub status: DeadlineStatus,
}

/// How long before a deadline it counts as due soon.
pub const DUE_SOON_MS: i64 = 3 * 24 * 3_600_000;

impl<S: LogStore> App<S> {
    /// Every open deadline of every case, overdue first, then by due time.
    pub async fn open_deadlines(&self, now: Timestamp) -> Result<Vec<DeadlineItem>, ApiError> {
        let mut out = Vec::new();
        for c in self.store.cases(u32::MAX).await? {
            let data: Value = serde_json::from_str(&c.data).unwrap_or(Value::Null);
            for d in data["deadlines"].as_array().into_iter().flatten() {
                let Some(due) = d["due"].as_i64() else { continue };
                let done = d["done_at"].as_i64().map(Timestamp);
                let status = calendar::status(Timestamp(due), done, now, DUE_SOON_MS);
                if status == DeadlineStatus::Met {
                    continue;
                }
                if done.is_some() {
                    // Done late: a defect of the case, no longer an open item.
                    continue;
                }
                out.push(DeadlineItem {
                    case_id: c.id.clone(),
                    case_no: c.case_no.clone(),
                    code: d["code"].as_str().unwrap_or_default().to_string(),
                    label: d["label"].as_str().unwrap_or_default().to_string(),
                    source: d["source"].as_str().unwrap_or_default().to_string(),
                    due,
                    status,
                });
            }
        }
        let rank = |s: DeadlineStatus| match s {
            DeadlineStatus::Overdue => 0,
            DeadlineStatus::DueSoon => 1,
            _ => 2,
        };
        out.sort_by_key(|d| (rank(d.status), d.due));
        Ok(out)
    }

    /// Registers an officer (a log entry plus the registry row).
    pub async fn register_officer(&self, actor: &UserRecord, input: OfficerInput) -> Result<OfficerRecord, ApiError> {
        let name = input.name.trim();
        let cert_no = input.cert_no.trim();
        if name.is_empty() || name.chars().count() > 32 {
            return Err(ApiError::BadRequest("姓名须为 1–32 个字符".to_string()));
        }
        if cert_no.is_empty() || cert_no.len() > 32 || !cert_no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(ApiError::BadRequest("执法证号须为 1–32 位字母、数字或连字符".to_string()));
        }
        if input.cert_valid_to < input.cert_valid_from {
            return Err(ApiError::BadRequest("执法证有效期结束日期早于开始日期".to_string()));
        }
        let record = OfficerRecord {
            id: uuid::Uuid::now_v7().to_string(),
            name: name.to_string(),
            cert_no: cert_no.to_string(),
            cert_valid_from: input.cert_valid_from.to_string(),
            cert_valid_to: input.cert_valid_to.to_string(),
            cert_status: "active".to_string(),
            created_at_ms: now_ms(),
        };
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            "officer.register",
            None,
            body(json!({
                "officer": record.id, "name": record.name, "cert_no": record.cert_no,
                "cert_valid_from": record.cert_valid_from, "cert_valid_to": record.cert_valid_to,
            })),
            vec![],
            vec![],
        )
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        self.append(d, vec![Op::CreateOfficer(record.clone())]).await?;
        Ok(record)
    }

    async fn load_officers(&self, ids: &[(String, Option<Timestamp>)]) -> Result<Vec<Presence>, ApiError> {
        let mut out = Vec::with_capacity(ids.len());
        for (id, shown) in ids {
            let r = match self.store.officer(id).await {
                Ok(r) => r,
                Err(StoreError::NotFound) => return Err(ApiError::BadRequest(format!("执法人员 {id} 不存在"))),
                Err(e) => return Err(e.into()),
            };
            out.push(Presence { officer: officer_from_record(&r)?, id_shown_at: *shown });
        }
        Ok(out)
    }

    async fn act(&self, a: ActInput) -> Result<OnSiteAct, ApiError> {
        Ok(OnSiteAct {
            at: a.at,
            place: a.place,
            officers: self.load_officers(&a.officers).await?,
            recording_announced: a.recording_announced,
            problems_found: a.problems_found,
            summary: a.summary,
        })
    }

    /// Records an event of a case: its details behind a commitment, the projection change in the
    /// same transaction.
    async fn record_event(
        &self,
        actor: &UserRecord,
        case: &Inspection,
        event: &Event,
        flags: &[Violation],
        op: Op,
    ) -> Result<u64, ApiError> {
        let detail = event_json(event, flags);
        let mut content = Vec::new();
        liuhen_log::entry::write_canonical(&detail, &mut content);
        let mut salt = [0u8; 32];
        fill_random(&mut salt);
        let c = commitment(&salt, &content);
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            &format!("case.{}", event_name(event)),
            Some(&case.open.id),
            body(json!({
                "case_type": CASE_TYPE_INSPECTION,
                "state": case.state.code(),
                "version": case.version,
                "flags": flags.iter().map(|f| f.rule.id).collect::<Vec<_>>(),
                "detail": {"commit": c.to_hex()},
            })),
            vec![],
            vec![c],
        )
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let receipt = self.append(d, vec![Op::PutOpening { commitment: c, salt, content }, op]).await?;
        Ok(receipt.index)
    }

    /// Opens an inspection case (程序启动, 办法第七条).
    pub async fn open_inspection(&self, actor: &UserRecord, open: Open) -> Result<CaseRecord, ApiError> {
        let (event, flags) = inspection::open(open.clone())?;
        let mut case = Inspection::new(open);
        case.apply(&event, &flags);
        let now = now_ms();
        let record = record_of(&case, now, now);
        self.record_event(actor, &case, &event, &flags, Op::CreateCase(record.clone())).await?;
        Ok(record)
    }

    /// Replays a case from the log: the source of truth.
    pub async fn load_inspection(&self, id: &str) -> Result<(Inspection, CaseRecord), ApiError> {
        let record = self.store.case(id).await?;
        if record.case_type != CASE_TYPE_INSPECTION {
            return Err(ApiError::NotFound);
        }
        let mut case: Option<Inspection> = None;
        for (index, raw) in self.store.case_entries(id).await? {
            let entry = Entry::decode(&raw).map_err(|e| ApiError::Internal(format!("entry {index}: {e}").into()))?;
            let Some(c) = entry.commits().first() else { continue };
            let (_, content) = self.store.opening(c).await?;
            let detail: Value = serde_json::from_slice(&content).map_err(|e| ApiError::Internal(Box::new(e)))?;
            let (event, flags) = parse_event(&detail)
                .ok_or_else(|| ApiError::Internal(format!("entry {index}: unreadable event").into()))?;
            match (&mut case, &event) {
                (None, Event::Opened(o)) => {
                    let mut c = Inspection::new(o.clone());
                    c.apply(&event, &flags);
                    case = Some(c);
                }
                (Some(c), _) => c.apply(&event, &flags),
                (None, _) => {
                    return Err(ApiError::Internal(format!("entry {index}: case starts without opening").into()));
                }
            }
        }
        let case = case.ok_or(ApiError::NotFound)?;
        Ok((case, record))
    }

    /// Applies a command to an inspection, if the case is still at `expected_version`.
    pub async fn inspection_command(
        &self,
        actor: &UserRecord,
        id: &str,
        expected_version: u64,
        cmd: InspectionCommand,
    ) -> Result<CaseRecord, ApiError> {
        let (mut case, record) = self.load_inspection(id).await?;
        if case.version != expected_version {
            return Err(ApiError::Conflict(format!(
                "案件当前版本为 {}，请求基于版本 {expected_version}",
                case.version
            )));
        }
        let (event, flags) = match cmd {
            InspectionCommand::RecordOnSite(a) => case.record_on_site(self.act(a).await?)?,
            InspectionCommand::NotifyResult { at } => case.notify_result(at)?,
            InspectionCommand::OrderRectification { at, due } => case.order_rectification(at, due)?,
            InspectionCommand::Reinspect { act, rectified } => case.reinspect(self.act(act).await?, rectified)?,
            InspectionCommand::Close { at } => case.close(at)?,
        };
        case.apply(&event, &flags);
        let updated = record_of(&case, record.opened_at_ms, now_ms());
        let op = Op::UpdateCase { record: updated.clone(), expected_version };
        self.record_event(actor, &case, &event, &flags, op).await?;
        Ok(updated)
    }

    /// A case with its timeline from the log.
    pub async fn case_view(&self, id: &str) -> Result<CaseView, ApiError> {
        let record = self.store.case(id).await?;
        let mut timeline = Vec::new();
        for (index, raw) in self.store.case_entries(id).await? {
            let entry = Entry::decode(&raw).map_err(|e| ApiError::Internal(format!("entry {index}: {e}").into()))?;
            timeline.push((index, entry));
        }
        Ok(CaseView { record, timeline })
    }
}
