//! 行政处罚简易程序 (on-the-spot penalty) as a case kind: its events in JSON, and its commands.

use super::App;
use super::cases::{ActInput, CaseKind, act_from_json, act_json, deadlines_json};
use crate::app::AppError;
use liuhen_core::calendar::WorkCalendar;
use liuhen_core::summary::{self, Event, PartyKind, PaymentMethod, Penalty, Start, Summary};
use liuhen_core::time::Timestamp;
use liuhen_store::{CaseRecord, LogStore, UserRecord};
use serde_json::{Value, json};

/// Starting an on-the-spot penalty, as parsed at the edge.
#[derive(Debug, Clone)]
pub struct StartInput {
    pub case_no: String,
    pub matter: String,
    pub party_kind: PartyKind,
    pub facts: String,
    pub act: ActInput,
    pub entrusted: Option<liuhen_core::entrustment::Entrustment>,
    pub party: Option<liuhen_core::party::Party>,
}

/// A command on an on-the-spot penalty.
#[derive(Debug, Clone)]
pub enum SummaryCommand {
    IdentifyParty(liuhen_core::party::Party),
    Hear { at: Timestamp, rights_told: bool, statement: String, waived: bool },
    IssueDecision { at: Timestamp, form_no: String, penalty: Penalty, legal_basis: String, signed_by: Vec<String> },
    Deliver { at: Timestamp, party_signed: bool, refusal_signed_by: Vec<String> },
    Record { at: Timestamp },
    Pay { at: Timestamp, method: PaymentMethod, receipt_no: String, hard_to_enforce: bool },
    Close { at: Timestamp },
}

pub(crate) fn penalty_json(p: &Penalty) -> Value {
    let mut v = json!({"kind": p.code(), "label": p.label()});
    if let Penalty::Fine(fen) | Penalty::Confiscation(fen) = p {
        v["amount_fen"] = json!(fen);
    }
    v
}

pub(crate) fn parse_penalty(v: &Value) -> Option<Penalty> {
    Penalty::parse(v["kind"].as_str()?, v["amount_fen"].as_u64())
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?.iter().map(|s| s.as_str().map(str::to_string)).collect()
}

impl CaseKind for Summary {
    type Event = Event;
    const CODE: &'static str = "summary_penalty";

    fn from_first(e: &Event) -> Option<Summary> {
        match e {
            Event::Started(s) => Some(Summary::new(s.clone())),
            _ => None,
        }
    }
    fn apply(&mut self, e: &Event, flags: &[liuhen_core::rules::Violation]) {
        Summary::apply(self, e, flags)
    }
    crate::case_kind_basics!(start);
    fn party(&self) -> Option<&liuhen_core::party::Party> {
        self.start.party.as_ref()
    }

    fn to_json(&self, cal: &WorkCalendar) -> Value {
        // Lists are made as values and moved in: `json!` would copy each through a serializer.
        let mut v = json!({
            "id": self.start.id,
            "case_no": self.start.case_no,
            "entrusted": super::cases::entrusted_json(self.start.entrusted.as_ref()),
            "party": super::cases::party_view(self.start.party.as_ref()),
            "case_type": Self::CODE,
            "type_label": "行政处罚（简易程序）",
            "matter": self.start.matter,
            "party_kind": self.start.party_kind.code(),
            "facts": self.start.facts,
            "state": self.state.code(),
            "state_label": self.state.label(),
            "closed_at": self.closed_at.map(|t| t.0),
            "version": self.version,
            "penalty": self.penalty.as_ref().map(penalty_json),
            "decided_at": self.decided_at.map(|t| t.0),
            "delivered_at": self.delivered_at.map(|t| t.0),
            "paid_at": self.paid_at.map(|t| t.0),
        });
        v["acts"] = Value::Array(vec![act_json(&self.start.act)]);
        v["defects"] =
            Value::Array(self.defects.iter().map(|v| json!({"rule": v.rule.id, "message": v.to_string()})).collect());
        v["deadlines"] = deadlines_json(self.deadlines(cal), self.deadlines(&cal.estimating()));
        v
    }

    fn event_name(e: &Event) -> &'static str {
        match e {
            Event::Started(_) => "started",
            Event::Heard { .. } => "heard",
            Event::DecisionIssued { .. } => "decision_issued",
            Event::Delivered { .. } => "delivered",
            Event::Recorded { .. } => "recorded_with_agency",
            Event::Paid { .. } => "paid",
            Event::Closed { .. } => "closed",
            Event::PartyIdentified(_) => "party_identified",
        }
    }

    fn event_json(e: &Event) -> Value {
        match e {
            Event::Started(s) => super::cases::with_party(
                super::cases::with_entrusted(
                    json!({
                        "id": s.id, "case_no": s.case_no, "matter": s.matter, "party_kind": s.party_kind.code(),
                        "facts": s.facts, "act": act_json(&s.act),
                    }),
                    s.entrusted.as_ref(),
                ),
                "party",
                s.party.as_ref(),
            ),
            Event::Heard { at, rights_told, statement, waived } => {
                json!({"at": at.0, "rights_told": rights_told, "statement": statement, "waived": waived})
            }
            Event::DecisionIssued { at, form_no, penalty, legal_basis, signed_by } => json!({
                "at": at.0, "form_no": form_no, "penalty": penalty_json(penalty), "legal_basis": legal_basis, "signed_by": signed_by,
            }),
            Event::Delivered { at, party_signed, refusal_signed_by } => {
                json!({"at": at.0, "party_signed": party_signed, "refusal_signed_by": refusal_signed_by})
            }
            Event::Recorded { at } => json!({"at": at.0}),
            Event::Paid { at, method, receipt_no, hard_to_enforce } => {
                json!({"at": at.0, "method": method.code(), "receipt_no": receipt_no, "hard_to_enforce": hard_to_enforce})
            }
            Event::Closed { at } => json!({"at": at.0}),
            Event::PartyIdentified(p) => super::cases::with_party(json!({}), "party", Some(p)),
        }
    }

    fn parse_event(v: &Value) -> Option<Event> {
        let at = || v["at"].as_i64().map(Timestamp);
        Some(match v["event"].as_str()? {
            "started" => Event::Started(Start {
                id: v["id"].as_str()?.to_string(),
                case_no: v["case_no"].as_str()?.to_string(),
                matter: v["matter"].as_str()?.to_string(),
                party_kind: PartyKind::parse(v["party_kind"].as_str()?)?,
                facts: v["facts"].as_str()?.to_string(),
                act: act_from_json(&v["act"])?,
                entrusted: super::cases::parse_entrusted(&v["entrusted"])?,
                party: super::cases::parse_party(&v["party"])?,
            }),
            "heard" => Event::Heard {
                at: at()?,
                rights_told: v["rights_told"].as_bool()?,
                statement: v["statement"].as_str()?.to_string(),
                waived: v["waived"].as_bool()?,
            },
            "decision_issued" => Event::DecisionIssued {
                at: at()?,
                form_no: v["form_no"].as_str()?.to_string(),
                penalty: parse_penalty(&v["penalty"])?,
                legal_basis: v["legal_basis"].as_str()?.to_string(),
                signed_by: strings(&v["signed_by"])?,
            },
            "delivered" => Event::Delivered {
                at: at()?,
                party_signed: v["party_signed"].as_bool()?,
                refusal_signed_by: strings(&v["refusal_signed_by"])?,
            },
            "recorded_with_agency" => Event::Recorded { at: at()? },
            "paid" => Event::Paid {
                at: at()?,
                method: PaymentMethod::parse(v["method"].as_str()?)?,
                receipt_no: v["receipt_no"].as_str()?.to_string(),
                hard_to_enforce: v["hard_to_enforce"].as_bool()?,
            },
            "closed" => Event::Closed { at: at()? },
            "party_identified" => Event::PartyIdentified(super::cases::parse_party(&v["party"])??),
            _ => return None,
        })
    }
}

impl<S: LogStore> App<S> {
    /// Starts an on-the-spot penalty case with its on-site act.
    pub async fn start_summary(&self, actor: &UserRecord, input: StartInput) -> Result<CaseRecord, AppError> {
        self.allow(actor, super::policy::Action::CreateCase, None)?;
        let shown: Vec<i64> = input.act.officers.iter().filter_map(|(_, t)| t.map(|t| t.0)).collect();
        self.not_in_future(&serde_json::json!({"act": {"at": input.act.at.0,
            "officers": shown.iter().map(|t| serde_json::json!({"id_shown_at": t})).collect::<Vec<_>>()}}))?;
        // R-010a, then R-067a: only a matter of the 权责清单 open to the summary procedure.
        let m = self.listed_matter(liuhen_core::matter::MatterKind::Penalty, &input.matter).await?;
        let found = summary::check_matter(&m);
        if !found.is_empty() {
            return Err(AppError::Refused(found));
        }
        let start = Start {
            id: String::new(),
            case_no: input.case_no,
            matter: m.name,
            party_kind: input.party_kind,
            facts: input.facts,
            act: self.act(input.act).await?,
            entrusted: input.entrusted,
            party: input.party,
        };
        let (start, basis) = (&start, &m.legal_basis);
        self.with_case_no("summary_penalty", &start.case_no, |case_no| {
            let start = Start { id: uuid::Uuid::now_v7().to_string(), case_no, ..start.clone() };
            async move { self.open_case::<Summary>(actor, summary::start(start), basis).await }
        })
        .await
    }

    pub async fn summary_command(
        &self,
        actor: &UserRecord,
        id: &str,
        expected_version: u64,
        cmd: SummaryCommand,
    ) -> Result<CaseRecord, AppError> {
        // The officers a decision or a refusal note names are registered ones (else 422
        // UNKNOWN_REFERENCE, before the rules ask whether they were on the spot).
        let named = match &cmd {
            SummaryCommand::IssueDecision { signed_by, .. } => signed_by.as_slice(),
            SummaryCommand::Deliver { refusal_signed_by, .. } => refusal_signed_by.as_slice(),
            _ => &[],
        };
        // 行政处罚法第五十二条: the officers on the spot sign the form; the account issuing it
        // is one of them, so the record names who did it (办法第十五条).
        if let SummaryCommand::IssueDecision { signed_by, .. } = &cmd
            && (actor.officer_id.is_empty() || !signed_by.contains(&actor.officer_id))
        {
            return Err(AppError::NotYourStep("当场处罚决定书须由在场执法人员以本人账号作出并签名".into()));
        }
        for officer in named {
            self.officer(officer).await?;
        }
        self.command::<Summary>(actor, id, expected_version, None, move |c| match cmd {
            SummaryCommand::IdentifyParty(p) => c.identify_party(p),
            SummaryCommand::Hear { at, rights_told, statement, waived } => c.hear(at, rights_told, &statement, waived),
            SummaryCommand::IssueDecision { at, form_no, penalty, legal_basis, signed_by } => {
                c.issue_decision(at, &form_no, penalty, &legal_basis, &signed_by)
            }
            SummaryCommand::Deliver { at, party_signed, refusal_signed_by } => {
                c.deliver(at, party_signed, &refusal_signed_by)
            }
            SummaryCommand::Record { at } => c.record_with_agency(at),
            SummaryCommand::Pay { at, method, receipt_no, hard_to_enforce } => {
                c.pay(at, method, &receipt_no, hard_to_enforce)
            }
            SummaryCommand::Close { at } => c.close(at),
        })
        .await
    }
}
