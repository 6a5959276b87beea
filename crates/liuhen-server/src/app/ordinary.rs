//! 行政处罚普通程序 (ordinary penalty procedure) as a case kind: its events in JSON, and its
//! commands.

use super::App;
use super::cases::{ActInput, CaseKind, act_from_json, act_json, deadlines_json};
use super::summary::{parse_penalty, penalty_json};
use crate::app::AppError;
use liuhen_core::calendar::WorkCalendar;
use liuhen_core::execution::{CourtApplication, Demand};
use liuhen_core::inspection::{Initiation, Source};
use liuhen_core::penalty::{
    self, Approval, DecisionDoc, Event, HearingThresholds, Lead, Notice, Opinion, Ordinary, Report,
};
use liuhen_core::summary::PartyKind;
use liuhen_core::time::{Date, Timestamp};
use liuhen_store::{CaseRecord, LogStore, UserRecord};
use serde_json::{Value, json};

/// A command on an ordinary penalty case, as parsed at the edge.
#[derive(Debug, Clone)]
pub enum OrdinaryCommand {
    File {
        approval: Approval,
        filed_at: Timestamp,
        violation_ended: Date,
        grave: bool,
    },
    NotFile {
        approval: Approval,
        reasons: String,
    },
    Investigate(ActInput),
    IdentifyParty(liuhen_core::party::Party),
    RecordEvidence(liuhen_core::evidence::Item),
    RequestRecusal {
        at: Timestamp,
        officer: String,
        reason: String,
    },
    DecideRecusal {
        at: Timestamp,
        officer: String,
        by: String,
        granted: bool,
        opinion: String,
    },
    HandlePreservation {
        label: String,
        at: Timestamp,
        measure: String,
    },
    Conclude(Report),
    /// 承办机构拟作出决定.
    /// Signed with the unit head's own key, which `password` opens.
    Propose {
        at: Timestamp,
        unit: Opinion,
        proposal: liuhen_core::summary::Penalty,
        password: String,
    },
    /// By the officer `reviewer_id` (who must hold the legal qualification, R-005), signed with
    /// the account's own key, which `password` opens.
    LegalReview {
        at: Timestamp,
        reviewer_id: String,
        passed: bool,
        opinion: String,
        password: String,
    },
    /// Recorded by the 负责人, signed with their own key over the conclusion, the members and
    /// the 集体讨论记录 (`document-id@content-sm3`) the members confirmed.
    Discuss {
        at: Timestamp,
        members: Vec<String>,
        conclusion: liuhen_core::summary::Penalty,
        record: String,
        password: String,
    },
    ServeNotice(Notice),
    HearStatement {
        at: Timestamp,
        statement: String,
        reexamination: String,
    },
    Waive(penalty::Waiver),
    RequestHearing {
        at: Timestamp,
    },
    ScheduleHearing {
        notified_at: Timestamp,
        hearing_on: Date,
        host: String,
    },
    HoldHearing(penalty::Hearing),
    TerminateHearing {
        at: Timestamp,
        reason: String,
    },
    Decide {
        at: Timestamp,
        approver: Opinion,
        doc: DecisionDoc,
        late_explanation: String,
    },
    DecideNoPenalty {
        at: Timestamp,
        approver: Opinion,
        ground: penalty::NoPenaltyGround,
        reasons: String,
        transfer: Option<penalty::Transfer>,
    },
    Serve(liuhen_core::service::Service),
    ServeDemand(Demand),
    HearDemandStatement {
        at: Timestamp,
        statement: String,
        reexamination: String,
    },
    ApplyCourt(CourtApplication),
    DecideEnforcement(liuhen_core::execution::EnforcementDecision),
    DisposeProperty(penalty::PropertyDisposal),
    RecordEnforcement {
        at: Timestamp,
        urgent: bool,
        av_ref: String,
        result: String,
    },
    RecordCourtRuling {
        at: Timestamp,
        ruling_no: String,
        enforce: bool,
    },
    Pay {
        at: Timestamp,
        receipt_no: String,
    },
    SeekRelief {
        kind: liuhen_core::execution::ReliefKind,
        at: Timestamp,
        organ: String,
        reference: String,
    },
    ConcludeRelief {
        at: Timestamp,
        outcome: liuhen_core::execution::ReliefOutcome,
        changed_fine_fen: Option<u64>,
    },
    DeferPayment(liuhen_core::execution::Deferral),
    PayInstalment {
        at: Timestamp,
        receipt_no: String,
        amount_fen: u64,
    },
    RecordPerformance {
        at: Timestamp,
        verified_by: Vec<String>,
        record: String,
    },
    AnnounceDemolition {
        at: Timestamp,
        notice_no: String,
        place: String,
        deadline: Date,
    },
    DecideSubstitute(liuhen_core::execution::SubstituteDecision),
    RemindSubstitute(liuhen_core::service::Service),
    PerformSubstitute(liuhen_core::execution::SubstitutePerformance),
    Close {
        approval: Approval,
        at: Timestamp,
    },
    CorrectDate {
        anchor: penalty::Anchor,
        to: Timestamp,
        reason: String,
        approved_by: String,
    },
}

pub(crate) fn opinion_json(o: &Opinion) -> Value {
    let mut v = json!({"by": o.by, "opinion": o.opinion, "date": o.date.to_string()});
    if !o.person.is_empty() {
        v["person"] = Value::from(o.person.as_str());
    }
    signature_json(&mut v, &o.key_id, &o.signature);
    v
}

/// A step's SM2 signature and key, when it was signed.
fn signature_json(v: &mut Value, key_id: &str, signature: &str) {
    if !signature.is_empty() {
        v["key_id"] = Value::from(key_id);
        v["signature"] = Value::from(signature);
    }
}

fn text_or_empty(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

pub(crate) fn parse_opinion(v: &Value) -> Option<Opinion> {
    Some(Opinion {
        by: v["by"].as_str()?.to_string(),
        person: text_or_empty(&v["person"]),
        opinion: v["opinion"].as_str()?.to_string(),
        date: Date::parse(v["date"].as_str()?).ok()?,
        key_id: text_or_empty(&v["key_id"]),
        signature: text_or_empty(&v["signature"]),
    })
}

/// What a case step's signer signs (电子签名法第十三条): the statement of
/// [`liuhen_log::signer::approval_statement`] with `document` the case's id, `step` the
/// command, `content-sm3` the SM3 of the canonical JSON of what the step decides (`{"proposal":
/// …}`, `{"passed": …}` or [`discussion_content`]), the account, the server's time in ms, and the opinion. Anyone
/// rebuilds it from the recorded step and checks it with OpenSSL and the signer's published key.
pub fn step_statement(case: &str, step: &str, content: &Value, person: &str, at_ms: i64, opinion: &str) -> Vec<u8> {
    use sm3::Digest as _;
    let mut buf = Vec::new();
    liuhen_log::entry::write_canonical(content, &mut buf);
    let sm3 = hex::encode(sm3::Sm3::digest(&buf));
    liuhen_log::signer::approval_statement(case, step, &sm3, person, at_ms, opinion)
}

/// What the 负责人 signs for a 集体讨论: `{"conclusion": …, "members": […], "record": "id@sm3"}`.
pub fn discussion_content(conclusion: &liuhen_core::summary::Penalty, members: &[String], record: &str) -> Value {
    json!({"conclusion": penalty_json(conclusion), "members": members, "record": record})
}

pub(crate) fn approval_json(a: &Approval) -> Value {
    json!({"handler": opinion_json(&a.handler), "reviewer": opinion_json(&a.reviewer), "approver": opinion_json(&a.approver)})
}

pub(crate) fn parse_approval(v: &Value) -> Option<Approval> {
    Some(Approval {
        handler: parse_opinion(&v["handler"])?,
        reviewer: parse_opinion(&v["reviewer"])?,
        approver: parse_opinion(&v["approver"])?,
    })
}

fn report_json(r: &Report) -> Value {
    json!({"facts": r.facts, "evidence": r.evidence, "legal_basis": r.legal_basis, "discretion": r.discretion, "proposal": penalty_json(&r.proposal)})
}

fn parse_report(v: &Value) -> Option<Report> {
    Some(Report {
        facts: v["facts"].as_str()?.to_string(),
        evidence: v["evidence"].as_array()?.iter().map(|e| e.as_str().map(str::to_string)).collect::<Option<_>>()?,
        legal_basis: v["legal_basis"].as_str()?.to_string(),
        discretion: v["discretion"].as_str()?.to_string(),
        proposal: parse_penalty(&v["proposal"])?,
    })
}

fn notice_json(n: &Notice) -> Value {
    json!({
        "served_at": n.served_at.0, "service": super::service::service_json(&n.service), "penalty": penalty_json(&n.penalty), "facts": n.facts, "reasons": n.reasons,
        "legal_basis": n.legal_basis, "hearing_right_told": n.hearing_right_told, "statement_days": n.statement_days,
    })
}

fn parse_notice(v: &Value) -> Option<Notice> {
    Some(Notice {
        served_at: Timestamp(v["served_at"].as_i64()?),
        service: super::service::parse_service(&v["service"])?,
        penalty: parse_penalty(&v["penalty"])?,
        facts: v["facts"].as_str()?.to_string(),
        reasons: v["reasons"].as_str()?.to_string(),
        legal_basis: v["legal_basis"].as_str()?.to_string(),
        hearing_right_told: v["hearing_right_told"].as_bool()?,
        statement_days: u32::try_from(v["statement_days"].as_u64()?).ok()?,
    })
}

fn doc_json(d: &DecisionDoc) -> Value {
    json!({
        "doc_no": d.doc_no, "penalty": penalty_json(&d.penalty), "facts": d.facts, "legal_basis": d.legal_basis,
        "performance_days": d.performance_days, "relief_route_stated": d.relief_route_stated, "sealed": d.sealed,
        "hearing_transcript": d.hearing_transcript,
        "order": d.order.as_ref().map(order_json),
    })
}

fn order_json(o: &penalty::Order) -> Value {
    json!({"content": o.content, "deadline": o.deadline.to_string(), "demolition": o.demolition})
}

fn parse_order(v: &Value) -> Option<Option<penalty::Order>> {
    if v.is_null() {
        return Some(None);
    }
    Some(Some(penalty::Order {
        content: v["content"].as_str()?.to_string(),
        deadline: Date::parse(v["deadline"].as_str()?).ok()?,
        demolition: v["demolition"].as_bool()?,
    }))
}

fn relief_json(r: &liuhen_core::execution::Relief) -> Value {
    json!({
        "kind": r.kind.code(), "kind_label": r.kind.label(), "sought_at": r.sought_at.0, "organ": r.organ,
        "reference": r.reference,
        "concluded": r.concluded.map(|(at, o, fine)| json!({"at": at.0, "outcome": o.code(), "outcome_label": o.label(), "changed_fine_fen": fine})),
    })
}

fn deferral_json(d: &liuhen_core::execution::Deferral) -> Value {
    json!({
        "at": d.at.0, "reasons": d.reasons, "approver": opinion_json(&d.approver),
        "plan": d.plan.iter().map(|i| json!({"due": i.due.to_string(), "amount_fen": i.amount_fen})).collect::<Vec<_>>(),
    })
}

fn parse_deferral(v: &Value) -> Option<liuhen_core::execution::Deferral> {
    Some(liuhen_core::execution::Deferral {
        at: Timestamp(v["at"].as_i64()?),
        reasons: v["reasons"].as_str()?.to_string(),
        approver: parse_opinion(&v["approver"])?,
        plan: v["plan"]
            .as_array()?
            .iter()
            .map(|i| {
                Some(liuhen_core::execution::Instalment {
                    due: Date::parse(i["due"].as_str()?).ok()?,
                    amount_fen: i["amount_fen"].as_u64()?,
                })
            })
            .collect::<Option<_>>()?,
    })
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?.iter().map(|x| x.as_str().map(str::to_string)).collect()
}

/// A hearing's record (penalty and licence hearings alike).
pub(crate) fn hearing_json(h: &penalty::Hearing) -> Value {
    json!({
        "at": h.at.0, "transcript_no": h.transcript_no, "transcript_signed": h.transcript_signed, "public": h.public,
        "non_public_reason": h.non_public_reason, "agents": h.agents,
    })
}

/// Reads a hearing; entries written before the record had a number, publicity and agents read
/// as a public hearing without them.
pub(crate) fn parse_hearing(v: &Value) -> Option<penalty::Hearing> {
    Some(penalty::Hearing {
        at: Timestamp(v["at"].as_i64()?),
        transcript_no: v["transcript_no"].as_str().unwrap_or_default().to_string(),
        transcript_signed: v["transcript_signed"].as_bool()?,
        public: v["public"].as_bool().unwrap_or(true),
        non_public_reason: v["non_public_reason"].as_str().unwrap_or_default().to_string(),
        agents: match v.get("agents") {
            Some(a) => a.as_array()?.iter().map(|x| x.as_str().map(str::to_string)).collect::<Option<_>>()?,
            None => Vec::new(),
        },
    })
}

fn transfer_json(t: &penalty::Transfer) -> Value {
    json!({"doc_no": t.doc_no, "organ": t.organ, "property_notice": t.property_notice})
}

fn parse_transfer(v: &Value) -> Option<Option<penalty::Transfer>> {
    if v.is_null() {
        return Some(None);
    }
    Some(Some(penalty::Transfer {
        doc_no: v["doc_no"].as_str()?.to_string(),
        organ: v["organ"].as_str()?.to_string(),
        property_notice: v["property_notice"].as_str()?.to_string(),
    }))
}

fn parse_doc(v: &Value) -> Option<DecisionDoc> {
    Some(DecisionDoc {
        doc_no: v["doc_no"].as_str()?.to_string(),
        penalty: parse_penalty(&v["penalty"])?,
        facts: v["facts"].as_str()?.to_string(),
        legal_basis: v["legal_basis"].as_str()?.to_string(),
        performance_days: u32::try_from(v["performance_days"].as_u64()?).ok()?,
        relief_route_stated: v["relief_route_stated"].as_bool()?,
        sealed: v["sealed"].as_bool()?,
        hearing_transcript: v["hearing_transcript"].as_str().unwrap_or_default().to_string(),
        order: parse_order(&v["order"])?,
    })
}

fn demand_json(d: &Demand) -> Value {
    json!({
        "service": super::service::service_json(&d.service), "deadline": d.deadline.to_string(), "method": d.method,
        "amount_fen": d.amount_fen, "statement_right_told": d.statement_right_told, "why_not_direct": d.why_not_direct,
    })
}

fn parse_demand(v: &Value) -> Option<Demand> {
    Some(Demand {
        service: super::service::parse_service(&v["service"])?,
        deadline: Date::parse(v["deadline"].as_str()?).ok()?,
        method: v["method"].as_str()?.to_string(),
        amount_fen: v["amount_fen"].as_u64()?,
        statement_right_told: v["statement_right_told"].as_bool()?,
        why_not_direct: v["why_not_direct"].as_str()?.to_string(),
    })
}

fn application_json(a: &CourtApplication) -> Value {
    json!({
        "at": a.at.0, "court": a.court, "signed_by": a.signed_by, "sealed": a.sealed, "with_decision": a.with_decision,
        "with_party_opinions": a.with_party_opinions, "with_demand_record": a.with_demand_record, "object": a.object,
    })
}

fn parse_application(v: &Value) -> Option<CourtApplication> {
    Some(CourtApplication {
        at: Timestamp(v["at"].as_i64()?),
        court: v["court"].as_str()?.to_string(),
        signed_by: v["signed_by"].as_str()?.to_string(),
        sealed: v["sealed"].as_bool()?,
        with_decision: v["with_decision"].as_bool()?,
        with_party_opinions: v["with_party_opinions"].as_bool()?,
        with_demand_record: v["with_demand_record"].as_bool()?,
        object: v["object"].as_str()?.to_string(),
    })
}

impl CaseKind for Ordinary {
    type Event = Event;
    const CODE: &'static str = "ordinary_penalty";

    fn from_first(e: &Event) -> Option<Ordinary> {
        match e {
            Event::Registered(l) => Some(Ordinary::new(l.clone())),
            _ => None,
        }
    }
    fn apply(&mut self, e: &Event, flags: &[liuhen_core::rules::Violation]) {
        Ordinary::apply(self, e, flags)
    }
    crate::case_kind_basics!(lead);
    fn party(&self) -> Option<&liuhen_core::party::Party> {
        self.party.as_ref()
    }

    fn to_json(&self, cal: &WorkCalendar) -> Value {
        // Lists are made as values and moved in: `json!` would copy each through a serializer.
        let mut v = json!({
            "id": self.lead.id,
            "case_no": self.lead.case_no,
            "entrusted": super::cases::entrusted_json(self.lead.entrusted.as_ref()),
            "party": super::cases::party_view(self.party.as_ref()),
            "case_type": Self::CODE,
            "type_label": "行政处罚（普通程序）",
            "matter": self.lead.matter,
            "party_kind": self.lead.party_kind.code(),
            "source": self.lead.initiation.source.code(),
            "source_label": self.lead.initiation.source.label(),
            "reason": self.lead.initiation.reason,
            "major": self.lead.major,
            "state": self.state.code(),
            "state_label": self.state.label(),
            "closed_at": self.closed_at.map(|t| t.0),
            "version": self.version,
            "filed_at": self.filed_at.map(|t| t.0),
            "recusals": self.recusals.iter().map(|(o, d)| json!({"officer": o, "granted": d})).collect::<Vec<_>>(),
            "preservations_handled": self.preservations_handled.iter().map(|(l, t)| json!({"label": l, "at": t.0})).collect::<Vec<_>>(),
            "report": self.report.as_ref().map(report_json),
            "proposed": self.proposed.as_ref().map(penalty_json),
            "notice": self.notice.as_ref().map(notice_json),
            "statements": self.statements,
            "waived": self.waived,
            "hearing_requested": self.hearing_requested,
            "hearing_on": self.hearing_on.map(|d| d.to_string()),
            "hearing_held_at": self.hearing_held_at.map(|t| t.0),
            "legal_review_passed_at": self.review_passed_at.map(|t| t.0),
            "discussion_conclusion": self.discussion.as_ref().map(penalty_json),
            "penalty": self.penalty.as_ref().map(penalty_json),
            "no_penalty": self.no_penalty.map(|g| json!({"ground": g.code(), "label": g.label()})),
            "decided_at": self.decided_at.map(|t| t.0),
            "served_at": self.served_at.map(|t| t.0),
            "paid_at": self.paid_at.map(|t| t.0),
            "deferral": self.deferral.as_ref().map(deferral_json),
            "instalments_paid_fen": self.instalments_paid_fen,
            "order": self.order.as_ref().map(order_json),
            "order_performed_at": self.order_performed_at.map(|t| t.0),
            "demolition_notice": self.demolition_notice.map(|(at, deadline)| json!({"at": at.0, "deadline": deadline.to_string()})),
            "demand_served_at": self.demand_served_at.map(|t| t.0),
            "court_applied_at": self.court_applied_at.map(|t| t.0),
            "court_enforce": self.court_enforce,
        });
        v["acts"] = Value::Array(self.acts.iter().map(act_json).collect());
        v["evidence"] = Value::Array(self.evidence.iter().map(super::evidence::item_json).collect());
        v["reliefs"] = Value::Array(self.reliefs.iter().map(relief_json).collect());
        v["defects"] =
            Value::Array(self.defects.iter().map(|v| json!({"rule": v.rule.id, "message": v.to_string()})).collect());
        v["deadlines"] = deadlines_json(self.deadlines(cal), self.deadlines(&cal.estimating()));
        v
    }

    fn event_name(e: &Event) -> &'static str {
        match e {
            Event::Registered(_) => "registered",
            Event::Filed { .. } => "filed",
            Event::NotFiled { .. } => "not_filed",
            Event::Investigated(_) => "investigated",
            Event::PartyIdentified(_) => "party_identified",
            Event::EvidenceRecorded(_) => "evidence_recorded",
            Event::RecusalRequested { .. } => "recusal_requested",
            Event::RecusalDecided { .. } => "recusal_decided",
            Event::PreservationHandled { .. } => "preservation_handled",
            Event::Concluded(_) => "concluded",
            Event::Proposed { .. } => "proposed",
            Event::LegalReviewed { .. } => "legal_reviewed",
            Event::Discussed { .. } => "discussed",
            Event::NoticeServed(_) => "notice_served",
            Event::StatementHeard { .. } => "statement_heard",
            Event::Waived { .. } => "waived",
            Event::HearingRequested { .. } => "hearing_requested",
            Event::HearingScheduled { .. } => "hearing_scheduled",
            Event::HearingHeld { .. } => "hearing_held",
            Event::HearingTerminated { .. } => "hearing_terminated",
            Event::Decided { .. } => "decided",
            Event::NotPenalised { .. } => "not_penalised",
            Event::PropertyDisposed(_) => "property_disposed",
            Event::Served { .. } => "served",
            Event::DemandServed { .. } => "demand_served",
            Event::DemandStatementHeard { .. } => "demand_statement_heard",
            Event::CourtApplied(_) => "court_applied",
            Event::EnforcementDecided(_) => "enforcement_decided",
            Event::Enforced { .. } => "enforced",
            Event::CourtRuled { .. } => "court_ruled",
            Event::Paid { .. } => "paid",
            Event::ReliefSought(_) => "relief_sought",
            Event::ReliefConcluded { .. } => "relief_concluded",
            Event::PaymentDeferred(_) => "payment_deferred",
            Event::InstalmentPaid { .. } => "instalment_paid",
            Event::OrderPerformed { .. } => "order_performed",
            Event::DemolitionAnnounced { .. } => "demolition_announced",
            Event::SubstituteDecided(_) => "substitute_decided",
            Event::SubstituteReminded { .. } => "substitute_reminded",
            Event::SubstitutePerformed(_) => "substitute_performed",
            Event::Closed { .. } => "closed",
            Event::DateCorrected(_) => "date_corrected",
        }
    }

    fn event_json(e: &Event) -> Value {
        match e {
            Event::Registered(l) => super::cases::with_party(
                super::cases::with_entrusted(
                    json!({
                        "id": l.id, "case_no": l.case_no, "matter": l.matter, "party_kind": l.party_kind.code(),
                        "source": l.initiation.source.code(), "reason": l.initiation.reason, "received_at": l.initiation.received_at.0,
                        "major": l.major, "thresholds": {"citizen_fen": l.thresholds.citizen_fen, "organisation_fen": l.thresholds.organisation_fen},
                    }),
                    l.entrusted.as_ref(),
                ),
                "party",
                l.party.as_ref(),
            ),
            Event::Filed { approval, filed_at, violation_ended, grave } => json!({
                "approval": approval_json(approval), "filed_at": filed_at.0, "violation_ended": violation_ended.to_string(), "grave": grave,
            }),
            Event::NotFiled { approval, reasons } => json!({"approval": approval_json(approval), "reasons": reasons}),
            Event::Investigated(a) => json!({"act": act_json(a)}),
            Event::PartyIdentified(p) => json!({"party": super::cases::party_json(Some(p))}),
            Event::EvidenceRecorded(i) => json!({"item": super::evidence::item_json(i)}),
            Event::RecusalRequested { at, officer, reason } => {
                json!({"at": at.0, "officer": officer, "reason": reason})
            }
            Event::RecusalDecided { at, officer, by, granted, opinion } => {
                json!({"at": at.0, "officer": officer, "by": by, "granted": granted, "opinion": opinion})
            }
            Event::PreservationHandled { label, at, measure } => {
                json!({"label": label, "at": at.0, "measure": measure})
            }
            Event::Concluded(r) => json!({"report": report_json(r)}),
            Event::Proposed { at, unit, proposal } => {
                json!({"at": at.0, "unit": opinion_json(unit), "proposal": penalty_json(proposal)})
            }
            Event::LegalReviewed { at, reviewer, passed, opinion, person, key_id, signature } => {
                let mut v = json!({"at": at.0, "reviewer": reviewer, "passed": passed, "opinion": opinion});
                if !person.is_empty() {
                    v["person"] = Value::from(person.as_str());
                }
                signature_json(&mut v, key_id, signature);
                v
            }
            Event::Discussed { at, members, conclusion, record, person, key_id, signature, signed_at } => {
                let mut v = json!({"at": at.0, "members": members, "conclusion": penalty_json(conclusion)});
                if let Some(t) = signed_at {
                    v["signed_at"] = Value::from(t.0);
                }
                for (k, x) in [("record", record), ("person", person)] {
                    if !x.is_empty() {
                        v[k] = Value::from(x.as_str());
                    }
                }
                signature_json(&mut v, key_id, signature);
                v
            }
            Event::NoticeServed(n) => json!({"notice": notice_json(n)}),
            Event::StatementHeard { at, statement, reexamination } => {
                json!({"at": at.0, "statement": statement, "reexamination": reexamination})
            }
            Event::Waived(w) => json!({"at": w.at.0, "signed_statement": w.signed_statement, "av_ref": w.av_ref}),
            Event::HearingRequested { at } => json!({"at": at.0}),
            Event::Served { at, service } => json!({"at": at.0, "service": super::service::service_json(service)}),
            Event::HearingScheduled { notified_at, hearing_on, host } => {
                json!({"notified_at": notified_at.0, "hearing_on": hearing_on.to_string(), "host": host})
            }
            Event::HearingHeld(h) => hearing_json(h),
            Event::HearingTerminated { at, reason } => json!({"at": at.0, "reason": reason}),
            Event::Decided { at, approver, doc, late_explanation } => json!({
                "at": at.0, "approver": opinion_json(approver), "doc": doc_json(doc), "late_explanation": late_explanation,
            }),
            Event::DemandServed { at, demand } => json!({"at": at.0, "demand": demand_json(demand)}),
            Event::DemandStatementHeard { at, statement, reexamination } => {
                json!({"at": at.0, "statement": statement, "reexamination": reexamination})
            }
            Event::CourtApplied(a) => json!({"application": application_json(a)}),
            Event::EnforcementDecided(d) => json!({
                "at": d.at.0, "doc_no": d.doc_no, "method_and_time": d.method_and_time,
                "reasons_and_basis": d.reasons_and_basis, "relief_told": d.relief_told, "sealed": d.sealed,
                "service": super::service::service_json(&d.service),
            }),
            Event::Enforced { at, urgent, av_ref, result } => {
                json!({"at": at.0, "urgent": urgent, "av_ref": av_ref, "result": result})
            }
            Event::CourtRuled { at, ruling_no, enforce } => {
                json!({"at": at.0, "ruling_no": ruling_no, "enforce": enforce})
            }
            Event::PropertyDisposed(d) => json!({
                "at": d.at.0, "method": d.method, "approved_by": d.approved_by, "witnesses": d.witnesses,
                "av_ref": d.av_ref, "treasury_receipt": d.treasury_receipt,
            }),
            Event::NotPenalised { at, approver, ground, reasons, transfer } => json!({
                "at": at.0, "approver": opinion_json(approver), "ground": ground.code(), "ground_label": ground.label(),
                "reasons": reasons, "transfer": transfer.as_ref().map(transfer_json),
            }),
            Event::Paid { at, receipt_no } => json!({"at": at.0, "receipt_no": receipt_no}),
            Event::ReliefSought(r) => json!({
                "kind": r.kind.code(), "at": r.sought_at.0, "organ": r.organ, "reference": r.reference,
            }),
            Event::ReliefConcluded { at, outcome, changed_fine_fen } => {
                json!({"at": at.0, "outcome": outcome.code(), "changed_fine_fen": changed_fine_fen})
            }
            Event::PaymentDeferred(d) => deferral_json(d),
            Event::InstalmentPaid { at, receipt_no, amount_fen } => {
                json!({"at": at.0, "receipt_no": receipt_no, "amount_fen": amount_fen})
            }
            Event::OrderPerformed { at, verified_by, record } => {
                json!({"at": at.0, "verified_by": verified_by, "record": record})
            }
            Event::DemolitionAnnounced { at, notice_no, place, deadline } => {
                json!({"at": at.0, "notice_no": notice_no, "place": place, "deadline": deadline.to_string()})
            }
            Event::SubstituteDecided(d) => json!({
                "at": d.at.0, "doc_no": d.doc_no, "harm": d.harm, "reasons_and_basis": d.reasons_and_basis,
                "method_and_time": d.method_and_time, "object": d.object, "cost_budget_fen": d.cost_budget_fen,
                "performer": d.performer, "sealed": d.sealed, "service": super::service::service_json(&d.service),
            }),
            Event::SubstituteReminded { at, service } => {
                json!({"at": at.0, "service": super::service::service_json(service)})
            }
            Event::SubstitutePerformed(p) => json!({
                "at": p.at.0, "supervisors": p.supervisors, "performer_signed": p.performer_signed,
                "party_or_witness": p.party_or_witness, "cost_fen": p.cost_fen, "urgent": p.urgent, "av_ref": p.av_ref,
                "result": p.result,
            }),
            Event::Closed { approval, at } => json!({"approval": approval_json(approval), "at": at.0}),
            Event::DateCorrected(c) => super::cases::correction_json(c, penalty::Anchor::code, penalty::Anchor::label),
        }
    }

    fn parse_event(v: &Value) -> Option<Event> {
        let at = || v["at"].as_i64().map(Timestamp);
        Some(match v["event"].as_str()? {
            "registered" => Event::Registered(Lead {
                id: v["id"].as_str()?.to_string(),
                case_no: v["case_no"].as_str()?.to_string(),
                matter: v["matter"].as_str()?.to_string(),
                party_kind: PartyKind::parse(v["party_kind"].as_str()?)?,
                initiation: Initiation {
                    source: Source::parse(v["source"].as_str()?)?,
                    reason: v["reason"].as_str()?.to_string(),
                    received_at: Timestamp(v["received_at"].as_i64()?),
                },
                major: v["major"].as_bool()?,
                thresholds: HearingThresholds {
                    citizen_fen: v["thresholds"]["citizen_fen"].as_u64()?,
                    organisation_fen: v["thresholds"]["organisation_fen"].as_u64()?,
                },
                entrusted: super::cases::parse_entrusted(&v["entrusted"])?,
                party: super::cases::parse_party(&v["party"])?,
            }),
            "filed" => Event::Filed {
                approval: parse_approval(&v["approval"])?,
                filed_at: Timestamp(v["filed_at"].as_i64()?),
                violation_ended: Date::parse(v["violation_ended"].as_str()?).ok()?,
                grave: v["grave"].as_bool()?,
            },
            "not_filed" => Event::NotFiled {
                approval: parse_approval(&v["approval"])?,
                reasons: v["reasons"].as_str().unwrap_or_default().to_string(),
            },
            "investigated" => Event::Investigated(act_from_json(&v["act"])?),
            "party_identified" => Event::PartyIdentified(super::cases::parse_party(&v["party"])??),
            "evidence_recorded" => Event::EvidenceRecorded(super::evidence::parse_item(&v["item"])?),
            "recusal_requested" => Event::RecusalRequested {
                at: at()?,
                officer: v["officer"].as_str()?.to_string(),
                reason: v["reason"].as_str()?.to_string(),
            },
            "recusal_decided" => Event::RecusalDecided {
                at: at()?,
                officer: v["officer"].as_str()?.to_string(),
                by: v["by"].as_str()?.to_string(),
                granted: v["granted"].as_bool()?,
                opinion: v["opinion"].as_str()?.to_string(),
            },
            "preservation_handled" => Event::PreservationHandled {
                label: v["label"].as_str()?.to_string(),
                at: at()?,
                measure: v["measure"].as_str()?.to_string(),
            },
            "concluded" => Event::Concluded(parse_report(&v["report"])?),
            "proposed" => Event::Proposed {
                at: at()?,
                unit: parse_opinion(&v["unit"])?,
                proposal: parse_penalty(&v["proposal"])?,
            },
            "legal_reviewed" => Event::LegalReviewed {
                at: at()?,
                reviewer: v["reviewer"].as_str()?.to_string(),
                passed: v["passed"].as_bool()?,
                opinion: v["opinion"].as_str()?.to_string(),
                person: text_or_empty(&v["person"]),
                key_id: text_or_empty(&v["key_id"]),
                signature: text_or_empty(&v["signature"]),
            },
            "discussed" => Event::Discussed {
                at: at()?,
                members: v["members"]
                    .as_array()?
                    .iter()
                    .map(|m| m.as_str().map(str::to_string))
                    .collect::<Option<_>>()?,
                conclusion: parse_penalty(&v["conclusion"])?,
                record: text_or_empty(&v["record"]),
                person: text_or_empty(&v["person"]),
                key_id: text_or_empty(&v["key_id"]),
                signature: text_or_empty(&v["signature"]),
                signed_at: v["signed_at"].as_i64().map(Timestamp),
            },
            "notice_served" => Event::NoticeServed(parse_notice(&v["notice"])?),
            "statement_heard" => Event::StatementHeard {
                at: at()?,
                statement: v["statement"].as_str()?.to_string(),
                reexamination: v["reexamination"].as_str()?.to_string(),
            },
            "waived" => Event::Waived(penalty::Waiver {
                at: at()?,
                signed_statement: v["signed_statement"].as_bool().unwrap_or_default(),
                av_ref: v["av_ref"].as_str().unwrap_or_default().to_string(),
            }),
            "hearing_requested" => Event::HearingRequested { at: at()? },
            "hearing_scheduled" => Event::HearingScheduled {
                notified_at: Timestamp(v["notified_at"].as_i64()?),
                hearing_on: Date::parse(v["hearing_on"].as_str()?).ok()?,
                host: v["host"].as_str()?.to_string(),
            },
            "hearing_held" => Event::HearingHeld(parse_hearing(v)?),
            "hearing_terminated" => Event::HearingTerminated { at: at()?, reason: v["reason"].as_str()?.to_string() },
            "decided" => Event::Decided {
                at: at()?,
                approver: parse_opinion(&v["approver"])?,
                doc: parse_doc(&v["doc"])?,
                late_explanation: v["late_explanation"].as_str()?.to_string(),
            },
            "served" => Event::Served { at: at()?, service: super::service::parse_service(&v["service"])? },
            "demand_served" => Event::DemandServed { at: at()?, demand: parse_demand(&v["demand"])? },
            "demand_statement_heard" => Event::DemandStatementHeard {
                at: at()?,
                statement: v["statement"].as_str()?.to_string(),
                reexamination: v["reexamination"].as_str()?.to_string(),
            },
            "court_applied" => Event::CourtApplied(parse_application(&v["application"])?),
            "enforcement_decided" => Event::EnforcementDecided(liuhen_core::execution::EnforcementDecision {
                at: at()?,
                doc_no: v["doc_no"].as_str()?.to_string(),
                method_and_time: v["method_and_time"].as_str()?.to_string(),
                reasons_and_basis: v["reasons_and_basis"].as_str()?.to_string(),
                relief_told: v["relief_told"].as_bool()?,
                sealed: v["sealed"].as_bool()?,
                service: super::service::parse_service(&v["service"])?,
            }),
            "enforced" => Event::Enforced {
                at: at()?,
                urgent: v["urgent"].as_bool()?,
                av_ref: v["av_ref"].as_str()?.to_string(),
                result: v["result"].as_str()?.to_string(),
            },
            "court_ruled" => Event::CourtRuled {
                at: at()?,
                ruling_no: v["ruling_no"].as_str()?.to_string(),
                enforce: v["enforce"].as_bool()?,
            },
            "property_disposed" => Event::PropertyDisposed(penalty::PropertyDisposal {
                at: at()?,
                method: v["method"].as_str()?.to_string(),
                approved_by: v["approved_by"].as_str()?.to_string(),
                witnesses: v["witnesses"]
                    .as_array()?
                    .iter()
                    .map(|w| w.as_str().map(str::to_string))
                    .collect::<Option<_>>()?,
                av_ref: v["av_ref"].as_str()?.to_string(),
                treasury_receipt: v["treasury_receipt"].as_str()?.to_string(),
            }),
            "not_penalised" => Event::NotPenalised {
                at: at()?,
                approver: parse_opinion(&v["approver"])?,
                ground: penalty::NoPenaltyGround::parse(v["ground"].as_str()?)?,
                reasons: v["reasons"].as_str()?.to_string(),
                transfer: parse_transfer(&v["transfer"])?,
            },
            "paid" => Event::Paid { at: at()?, receipt_no: v["receipt_no"].as_str()?.to_string() },
            "relief_sought" => Event::ReliefSought(liuhen_core::execution::Relief {
                kind: liuhen_core::execution::ReliefKind::parse(v["kind"].as_str()?)?,
                sought_at: at()?,
                organ: v["organ"].as_str()?.to_string(),
                reference: v["reference"].as_str()?.to_string(),
                concluded: None,
            }),
            "relief_concluded" => Event::ReliefConcluded {
                at: at()?,
                outcome: liuhen_core::execution::ReliefOutcome::parse(v["outcome"].as_str()?)?,
                changed_fine_fen: match &v["changed_fine_fen"] {
                    Value::Null => None,
                    n => Some(n.as_u64()?),
                },
            },
            "payment_deferred" => Event::PaymentDeferred(parse_deferral(v)?),
            "instalment_paid" => Event::InstalmentPaid {
                at: at()?,
                receipt_no: v["receipt_no"].as_str()?.to_string(),
                amount_fen: v["amount_fen"].as_u64()?,
            },
            "order_performed" => Event::OrderPerformed {
                at: at()?,
                verified_by: strings(&v["verified_by"])?,
                record: v["record"].as_str()?.to_string(),
            },
            "demolition_announced" => Event::DemolitionAnnounced {
                at: at()?,
                notice_no: v["notice_no"].as_str()?.to_string(),
                place: v["place"].as_str()?.to_string(),
                deadline: Date::parse(v["deadline"].as_str()?).ok()?,
            },
            "substitute_decided" => Event::SubstituteDecided(liuhen_core::execution::SubstituteDecision {
                at: at()?,
                doc_no: v["doc_no"].as_str()?.to_string(),
                harm: v["harm"].as_str()?.to_string(),
                reasons_and_basis: v["reasons_and_basis"].as_str()?.to_string(),
                method_and_time: v["method_and_time"].as_str()?.to_string(),
                object: v["object"].as_str()?.to_string(),
                cost_budget_fen: v["cost_budget_fen"].as_u64()?,
                performer: v["performer"].as_str()?.to_string(),
                sealed: v["sealed"].as_bool()?,
                service: super::service::parse_service(&v["service"])?,
            }),
            "substitute_reminded" => {
                Event::SubstituteReminded { at: at()?, service: super::service::parse_service(&v["service"])? }
            }
            "substitute_performed" => Event::SubstitutePerformed(liuhen_core::execution::SubstitutePerformance {
                at: at()?,
                supervisors: strings(&v["supervisors"])?,
                performer_signed: v["performer_signed"].as_bool()?,
                party_or_witness: v["party_or_witness"].as_str()?.to_string(),
                cost_fen: v["cost_fen"].as_u64()?,
                urgent: v["urgent"].as_bool()?,
                av_ref: v["av_ref"].as_str()?.to_string(),
                result: v["result"].as_str()?.to_string(),
            }),
            "date_corrected" => Event::DateCorrected(super::cases::parse_correction(v, penalty::Anchor::parse)?),
            "closed" => Event::Closed { approval: parse_approval(&v["approval"])?, at: at()? },
            _ => return None,
        })
    }
}

impl<S: LogStore> App<S> {
    /// Registers a lead (线索登记): the first step of the ordinary procedure.
    pub async fn register_lead(&self, actor: &UserRecord, mut lead: Lead) -> Result<CaseRecord, AppError> {
        self.allow(actor, super::policy::Action::CreateCase, None)?;
        self.not_in_future(&json!({"received_at": lead.initiation.received_at.0}))?;
        // The 权责清单 decides: the matter must be listed (R-010a); its hearing thresholds apply,
        // and its place on the 重大执法决定法制审核目录 makes the case major whatever the client
        // says (a client may mark a case major, never unmark one).
        let m = self.listed_matter(liuhen_core::matter::MatterKind::Penalty, &lead.matter).await?;
        lead.thresholds = m.hearing_thresholds;
        lead.matter = m.name.clone();
        lead.major = lead.major || m.major_decision_review;
        let (lead, basis) = (&lead, &m.legal_basis);
        self.with_case_no("ordinary_penalty", &lead.case_no, |case_no| {
            let lead = Lead { case_no, ..lead.clone() };
            async move { self.open_case::<Ordinary>(actor, penalty::register(lead), basis).await }
        })
        .await
    }

    pub async fn ordinary_command(
        &self,
        actor: &UserRecord,
        id: &str,
        expected_version: u64,
        cmd: OrdinaryCommand,
        step_sign: Option<&super::signer::StepSign>,
    ) -> Result<CaseRecord, AppError> {
        // 行政处罚法第六十四条第（四）项: the host is an officer, named by ID, not an investigator.
        if let OrdinaryCommand::ScheduleHearing { host, .. } = &cmd {
            self.officer(host).await?;
        }
        // The officers an evidence record names are registered ones (else 422 UNKNOWN_REFERENCE,
        // before the rules ask whether they investigated).
        if let OrdinaryCommand::RecordEvidence(item) = &cmd {
            for id in item.officers() {
                self.officer(id).await?;
            }
        }
        let act = match &cmd {
            OrdinaryCommand::Investigate(a) => Some(self.act(a.clone()).await?),
            _ => None,
        };
        if let OrdinaryCommand::RequestRecusal { officer, .. } = &cmd {
            // The request names a registered officer (400 otherwise), so R-004b can match it.
            self.officer(officer).await?;
        }
        let reviewer = match &cmd {
            OrdinaryCommand::LegalReview { reviewer_id, .. } => Some(self.officer(reviewer_id).await?),
            _ => None,
        };
        // nor did the reviewer's own account record any step of the case's handling (an
        // account that concluded or served cannot then review it, whatever officer it names).
        if reviewer.is_some() {
            let me = format!("user:{}", actor.id);
            for (index, raw) in self.store.case_entries(id).await? {
                let entry =
                    liuhen_log::Entry::decode(&raw).map_err(|e| AppError::Integrity(format!("entry {index}: {e}")))?;
                let handled = entry.action().starts_with("case.") && entry.action() != "case.legal_reviewed";
                if handled && entry.actor() == me {
                    return Err(AppError::Refused(vec![
                        liuhen_core::rules::R_007
                            .violated("reviewer", format!("审核账号办理过本案（{}），不得审核本案", entry.action())),
                    ]));
                }
            }
        }
        // The unit's proposal and the legal review are signed by their own accounts' keys
        // (电子签名法第十三条) over the step's statement, before the step is decided.
        let person = format!("user:{}", actor.id);
        // The time a signature is made is the server's (a discussion's own `at` is the meeting's).
        let signing_time = self.clock.now();
        let signed = match &cmd {
            OrdinaryCommand::Propose { at, unit, proposal, password } => {
                let content = json!({"proposal": super::summary::penalty_json(proposal)});
                let statement = step_statement(id, "propose", &content, &person, at.0, &unit.opinion);
                Some(self.sign_as(actor, password, signing_time.0, &statement).await?)
            }
            OrdinaryCommand::LegalReview { at, passed, opinion, password, .. } => {
                let statement = step_statement(id, "legal_review", &json!({"passed": passed}), &person, at.0, opinion);
                Some(self.sign_as(actor, password, signing_time.0, &statement).await?)
            }
            OrdinaryCommand::Discuss { members, conclusion, record, password, .. } => {
                let content = discussion_content(conclusion, members, record);
                let statement = step_statement(id, "discuss", &content, &person, signing_time.0, "");
                Some(self.sign_as(actor, password, signing_time.0, &statement).await?)
            }
            _ => None,
        };
        let sign = move |d: liuhen_core::penalty::Decision| match &signed {
            Some(s) => d.map(|(e, f)| (e.signed_by(&person, &s.key_id, &s.signature, signing_time), f)),
            None => d,
        };
        let cal = self.calendar.clone();
        let agency = match &cmd {
            OrdinaryCommand::ApplyCourt(_) | OrdinaryCommand::DecideEnforcement(_) => self.agency().await?,
            _ => liuhen_core::agency::Agency::default(),
        };
        self.command::<Ordinary>(actor, id, expected_version, step_sign, move |c| match cmd {
            OrdinaryCommand::File { approval, filed_at, violation_ended, grave } => {
                c.file(approval, filed_at, violation_ended, grave)
            }
            OrdinaryCommand::NotFile { approval, reasons } => c.not_file(approval, &reasons),
            OrdinaryCommand::Investigate(_) => match act {
                Some(act) => c.investigate(act),
                None => {
                    Err(liuhen_core::rules::CommandError::WrongState { state: c.state.label(), action: "调查取证" })
                }
            },
            OrdinaryCommand::IdentifyParty(p) => c.identify_party(p),
            OrdinaryCommand::RecordEvidence(i) => c.record_evidence(i),
            OrdinaryCommand::RequestRecusal { at, officer, reason } => c.request_recusal(at, &officer, &reason),
            OrdinaryCommand::DecideRecusal { at, officer, by, granted, opinion } => {
                c.decide_recusal(at, &officer, &by, granted, &opinion)
            }
            OrdinaryCommand::HandlePreservation { label, at, measure } => c.handle_preservation(&label, at, &measure),
            OrdinaryCommand::Conclude(r) => c.conclude(r),
            OrdinaryCommand::Propose { at, unit, proposal, .. } => sign(c.propose(at, unit, proposal)),
            OrdinaryCommand::LegalReview { at, passed, opinion, .. } => match &reviewer {
                Some(r) => sign(c.legal_review(at, r, passed, &opinion)),
                None => {
                    Err(liuhen_core::rules::CommandError::WrongState { state: c.state.label(), action: "法制审核" })
                }
            },
            OrdinaryCommand::Discuss { at, members, conclusion, record, .. } => {
                sign(c.discuss(at, &members, conclusion, &record))
            }
            OrdinaryCommand::ServeNotice(n) => c.serve_notice(n),
            OrdinaryCommand::HearStatement { at, statement, reexamination } => {
                c.hear_statement(at, &statement, &reexamination)
            }
            OrdinaryCommand::Waive(w) => c.waive(w),
            OrdinaryCommand::RequestHearing { at } => c.request_hearing(at, &cal),
            OrdinaryCommand::ScheduleHearing { notified_at, hearing_on, host } => {
                c.schedule_hearing(notified_at, hearing_on, &host, &cal)
            }
            OrdinaryCommand::HoldHearing(h) => c.hold_hearing(h),
            OrdinaryCommand::TerminateHearing { at, reason } => c.terminate_hearing(at, &reason),
            OrdinaryCommand::Decide { at, approver, doc, late_explanation } => {
                c.decide(at, approver, doc, &late_explanation, &cal)
            }
            OrdinaryCommand::DecideNoPenalty { at, approver, ground, reasons, transfer } => {
                c.decide_no_penalty(at, approver, ground, &reasons, transfer)
            }
            OrdinaryCommand::Serve(s) => c.serve(s, &cal),
            OrdinaryCommand::ServeDemand(d) => c.serve_demand(d, &cal),
            OrdinaryCommand::HearDemandStatement { at, statement, reexamination } => {
                c.hear_demand_statement(at, &statement, &reexamination)
            }
            OrdinaryCommand::ApplyCourt(a) => c.apply_court(a, &agency, &cal),
            OrdinaryCommand::DecideEnforcement(d) => c.decide_enforcement(d, &agency, &cal),
            OrdinaryCommand::DisposeProperty(d) => c.dispose_property(d),
            OrdinaryCommand::RecordEnforcement { at, urgent, av_ref, result } => {
                c.record_enforcement(at, urgent, &av_ref, &result, &cal)
            }
            OrdinaryCommand::RecordCourtRuling { at, ruling_no, enforce } => {
                c.record_court_ruling(at, &ruling_no, enforce)
            }
            OrdinaryCommand::Pay { at, receipt_no } => c.pay(at, &receipt_no),
            OrdinaryCommand::SeekRelief { kind, at, organ, reference } => c.seek_relief(kind, at, &organ, &reference),
            OrdinaryCommand::ConcludeRelief { at, outcome, changed_fine_fen } => {
                c.conclude_relief(at, outcome, changed_fine_fen)
            }
            OrdinaryCommand::DeferPayment(d) => c.defer_payment(d),
            OrdinaryCommand::PayInstalment { at, receipt_no, amount_fen } => {
                c.pay_instalment(at, &receipt_no, amount_fen)
            }
            OrdinaryCommand::RecordPerformance { at, verified_by, record } => {
                c.record_performance(at, &verified_by, &record)
            }
            OrdinaryCommand::AnnounceDemolition { at, notice_no, place, deadline } => {
                c.announce_demolition(at, &notice_no, &place, deadline)
            }
            OrdinaryCommand::DecideSubstitute(d) => c.decide_substitute(d, &cal),
            OrdinaryCommand::RemindSubstitute(s) => c.remind_substitute(s),
            OrdinaryCommand::PerformSubstitute(p) => c.perform_substitute(p, &cal),
            OrdinaryCommand::Close { approval, at } => c.close(approval, at),
            OrdinaryCommand::CorrectDate { anchor, to, reason, approved_by } => {
                c.correct_date(anchor, to, &reason, &approved_by, &cal)
            }
        })
        .await
    }
}
