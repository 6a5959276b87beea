//! 行政强制措施 (seal/seizure) as a case kind: its events in JSON, and its commands.

use super::App;
use super::cases::{ActInput, CaseKind, act_from_json, act_json, deadlines_json};
use super::ordinary::{opinion_json, parse_opinion};
use crate::app::AppError;
use liuhen_core::calendar::WorkCalendar;
use liuhen_core::coercion::{self, Checklist, Coercion, Event, Kind, Measure, MeasureDoc, Outcome};
use liuhen_core::penalty::Opinion;
use liuhen_core::time::Timestamp;
use liuhen_store::{CaseRecord, LogStore, UserRecord};
use serde_json::{Value, json};

/// A command on a coercive measure, as parsed at the edge.
#[derive(Debug, Clone)]
pub enum CoercionCommand {
    Approve { approver: Opinion },
    Execute { act: ActInput, emergency: bool, checklist: Checklist, doc: MeasureDoc, av_full: bool },
    Ratify { at: Timestamp, approved: bool, approver: String },
    Extend { at: Timestamp, days: u32, approver: String, notice: Option<liuhen_core::service::Service> },
    Dispose { at: Timestamp, outcome: Outcome, service: Option<liuhen_core::service::Service> },
    Close { at: Timestamp },
    CorrectExecutionTime { to: Timestamp, reason: String, approved_by: String },
}

fn checklist_json(c: &Checklist) -> Value {
    json!({"party_notified": c.party_notified, "reasons_and_rights_told": c.reasons_and_rights_told,
           "statements_heard": c.statements_heard, "record_signed": c.record_signed})
}

fn parse_checklist(v: &Value) -> Option<Checklist> {
    Some(Checklist {
        party_notified: v["party_notified"].as_bool()?,
        reasons_and_rights_told: v["reasons_and_rights_told"].as_bool()?,
        statements_heard: v["statements_heard"].as_bool()?,
        record_signed: v["record_signed"].as_bool()?,
    })
}

fn doc_json(d: &MeasureDoc) -> Value {
    json!({"term_days": d.term_days, "sealed": d.sealed, "relief_told": d.relief_told,
           "inventory_copies": d.inventory_copies, "handed_over": d.handed_over})
}

fn parse_doc(v: &Value) -> Option<MeasureDoc> {
    Some(MeasureDoc {
        term_days: u32::try_from(v["term_days"].as_u64()?).ok()?,
        sealed: v["sealed"].as_bool()?,
        relief_told: v["relief_told"].as_bool()?,
        inventory_copies: u32::try_from(v["inventory_copies"].as_u64()?).ok()?,
        handed_over: v["handed_over"].as_bool()?,
    })
}

impl CaseKind for Coercion {
    type Event = Event;
    const CODE: &'static str = "coercive_measure";

    fn from_first(e: &Event) -> Option<Coercion> {
        match e {
            Event::Proposed(m) => Some(Coercion::new(m.clone())),
            _ => None,
        }
    }
    fn apply(&mut self, e: &Event, flags: &[liuhen_core::rules::Violation]) {
        Coercion::apply(self, e, flags)
    }
    crate::case_kind_basics!(measure);
    fn party(&self) -> Option<&liuhen_core::party::Party> {
        self.measure.party.as_ref()
    }

    fn to_json(&self, cal: &WorkCalendar) -> Value {
        // Lists are made as values and moved in: `json!` would copy each through a serializer.
        let mut v = json!({
            "id": self.measure.id,
            "case_no": self.measure.case_no,
            "entrusted": super::cases::entrusted_json(self.measure.entrusted.as_ref()),
            "party": super::cases::party_view(self.measure.party.as_ref()),
            "case_type": Self::CODE,
            "type_label": "行政强制措施",
            "matter": self.measure.matter,
            "kind": self.measure.kind.code(),
            "items": self.measure.items,
            "reason": self.measure.reason,
            "legal_basis": self.measure.legal_basis,
            "state": self.state.code(),
            "state_label": self.state.label(),
            "closed_at": self.closed_at.map(|t| t.0),
            "version": self.version,
            "approved": self.approved,
            "emergency": self.emergency,
            "executed_at": self.executed_at.map(|t| t.0),
            "term_days": self.term_days,
            "extended": self.extended,
            "outcome": self.outcome.map(Outcome::code),
        });
        v["acts"] = Value::Array(self.acts.iter().map(act_json).collect());
        v["defects"] =
            Value::Array(self.defects.iter().map(|v| json!({"rule": v.rule.id, "message": v.to_string()})).collect());
        v["deadlines"] = deadlines_json(self.deadlines(cal), self.deadlines(&cal.estimating()));
        v
    }

    fn event_name(e: &Event) -> &'static str {
        match e {
            Event::Proposed(_) => "proposed",
            Event::Approved { .. } => "approved",
            Event::Executed { .. } => "executed",
            Event::Ratified { .. } => "ratified",
            Event::Extended { .. } => "extended",
            Event::Disposed { .. } => "disposed",
            Event::Closed { .. } => "closed",
            Event::ExecutionTimeCorrected { .. } => "execution_time_corrected",
        }
    }

    fn event_json(e: &Event) -> Value {
        match e {
            Event::Proposed(m) => super::cases::with_party(
                super::cases::with_entrusted(
                    json!({
                        "id": m.id, "case_no": m.case_no, "matter": m.matter, "kind": m.kind.code(), "items": m.items,
                        "reason": m.reason, "legal_basis": m.legal_basis, "property": property_json(&m.property),
                    }),
                    m.entrusted.as_ref(),
                ),
                "party",
                m.party.as_ref(),
            ),
            Event::Approved { approver } => json!({"approver": opinion_json(approver)}),
            Event::Executed { act, emergency, checklist, doc, av_full } => json!({
                "act": act_json(act), "emergency": emergency, "checklist": checklist_json(checklist), "doc": doc_json(doc), "av_full": av_full,
            }),
            Event::Ratified { at, approved, approver } => {
                json!({"at": at.0, "approved": approved, "approver": approver})
            }
            Event::Extended { at, days, approver, notice_served, notice } => json!({
                "at": at.0, "days": days, "approver": approver, "notice_served": notice_served,
                "notice": notice.as_ref().map(super::service::service_json),
            }),
            Event::Disposed { at, outcome, service } => json!({
                "at": at.0, "outcome": outcome.code(), "service": service.as_ref().map(super::service::service_json),
            }),
            Event::Closed { at } => json!({"at": at.0}),
            Event::ExecutionTimeCorrected { from, to, reason, approved_by } => {
                json!({"from": from.0, "to": to.0, "reason": reason, "approved_by": approved_by})
            }
        }
    }

    fn parse_event(v: &Value) -> Option<Event> {
        // Entries written before R-105 read as unconfirmed.
        let at = || v["at"].as_i64().map(Timestamp);
        let s = |k: &str| v[k].as_str().map(str::to_string);
        Some(match v["event"].as_str()? {
            "proposed" => Event::Proposed(Measure {
                id: s("id")?,
                case_no: s("case_no")?,
                matter: s("matter")?,
                kind: Kind::parse(v["kind"].as_str()?)?,
                items: v["items"].as_array()?.iter().map(|i| i.as_str().map(str::to_string)).collect::<Option<_>>()?,
                reason: s("reason")?,
                legal_basis: s("legal_basis")?,
                entrusted: super::cases::parse_entrusted(&v["entrusted"])?,
                party: super::cases::parse_party(&v["party"])?,
                property: liuhen_core::coercion::PropertyCheck {
                    related_to_case: v["property"]["related_to_case"].as_bool().unwrap_or_default(),
                    necessities_excluded: v["property"]["necessities_excluded"].as_bool().unwrap_or_default(),
                    not_sealed_elsewhere: v["property"]["not_sealed_elsewhere"].as_bool().unwrap_or_default(),
                },
            }),
            "approved" => Event::Approved { approver: parse_opinion(&v["approver"])? },
            "executed" => Event::Executed {
                act: act_from_json(&v["act"])?,
                emergency: v["emergency"].as_bool()?,
                checklist: parse_checklist(&v["checklist"])?,
                doc: parse_doc(&v["doc"])?,
                av_full: v["av_full"].as_bool()?,
            },
            "ratified" => Event::Ratified { at: at()?, approved: v["approved"].as_bool()?, approver: s("approver")? },
            "extended" => Event::Extended {
                at: at()?,
                days: u32::try_from(v["days"].as_u64()?).ok()?,
                approver: s("approver")?,
                notice_served: v["notice_served"].as_bool()?,
                notice: match &v["notice"] {
                    Value::Null => None,
                    s => Some(super::service::parse_service(s)?),
                },
            },
            "disposed" => Event::Disposed {
                at: at()?,
                outcome: Outcome::parse(v["outcome"].as_str()?)?,
                service: match &v["service"] {
                    Value::Null => None,
                    s => Some(super::service::parse_service(s)?),
                },
            },
            "closed" => Event::Closed { at: at()? },
            "execution_time_corrected" => Event::ExecutionTimeCorrected {
                from: Timestamp(v["from"].as_i64()?),
                to: Timestamp(v["to"].as_i64()?),
                reason: s("reason")?,
                approved_by: s("approved_by")?,
            },
            _ => return None,
        })
    }
}

impl<S: LogStore> App<S> {
    /// Proposes a coercive measure.
    pub async fn propose_measure(&self, actor: &UserRecord, mut measure: Measure) -> Result<CaseRecord, AppError> {
        self.allow(actor, super::policy::Action::CreateCase, None)?;
        let m = self.listed_matter(liuhen_core::matter::MatterKind::Coercion, &measure.matter).await?;
        measure.matter = m.name.clone();
        let (measure, basis) = (&measure, &m.legal_basis);
        self.with_case_no("coercive_measure", &measure.case_no, |case_no| {
            let measure = Measure { case_no, ..measure.clone() };
            async move { self.open_case::<Coercion>(actor, coercion::propose(measure), basis).await }
        })
        .await
    }

    pub async fn coercion_command(
        &self,
        actor: &UserRecord,
        id: &str,
        expected_version: u64,
        cmd: CoercionCommand,
        sign: Option<&super::signer::StepSign>,
    ) -> Result<CaseRecord, AppError> {
        let act = match &cmd {
            CoercionCommand::Execute { act, .. } => Some(self.act(act.clone()).await?),
            _ => None,
        };
        let cal = self.calendar.clone();
        self.command::<Coercion>(actor, id, expected_version, sign, move |c| match cmd {
            CoercionCommand::Approve { approver } => c.approve(approver),
            CoercionCommand::Execute { emergency, checklist, doc, av_full, .. } => match act {
                Some(act) => c.execute(act, emergency, checklist, doc, av_full),
                None => Err(liuhen_core::rules::CommandError::WrongState { state: c.state.label(), action: "实施" }),
            },
            CoercionCommand::Ratify { at, approved, approver } => c.ratify(at, approved, &approver),
            CoercionCommand::Extend { at, days, approver, notice } => c.extend(at, days, &approver, notice, &cal),
            CoercionCommand::Dispose { at, outcome, service } => c.dispose(at, outcome, service, &cal),
            CoercionCommand::Close { at } => c.close(at),
            CoercionCommand::CorrectExecutionTime { to, reason, approved_by } => {
                c.correct_execution_time(to, &reason, &approved_by)
            }
        })
        .await
    }
}

fn property_json(p: &liuhen_core::coercion::PropertyCheck) -> Value {
    json!({
        "related_to_case": p.related_to_case, "necessities_excluded": p.necessities_excluded,
        "not_sealed_elsewhere": p.not_sealed_elsewhere,
    })
}
