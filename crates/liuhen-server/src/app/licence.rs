//! 行政许可 (licence) as a case kind: its events in JSON, and its commands.

use super::App;
use super::cases::{ActInput, CaseKind, act_from_json, act_json, deadlines_json};
use crate::app::AppError;
use liuhen_core::calendar::WorkCalendar;
use liuhen_core::licence::{self, Application, Event, Licence, Ruling};
use liuhen_core::time::Timestamp;
use liuhen_store::{CaseRecord, LogStore, UserRecord};
use serde_json::{Value, json};

/// A command on a licence case, as parsed at the edge.
#[derive(Debug, Clone)]
pub enum LicenceCommand {
    RequestCorrection { at: Timestamp, items: Vec<String> },
    Corrected { at: Timestamp },
    Accept { at: Timestamp, voucher_sealed: bool },
    Refuse { at: Timestamp, voucher_sealed: bool, reason: String },
    Verify(ActInput),
    Extend { at: Timestamp, approved_by: String, reasons_notified: bool },
    ExcludePeriod(liuhen_core::licence::ExcludedPeriod),
    Decide { at: Timestamp, ruling: Ruling },
    IssueCertificate { service: liuhen_core::service::Service, certificate_no: String },
    ServeDenial { service: liuhen_core::service::Service },
    RecordEvidence(liuhen_core::evidence::Item),
    TellHearingRight { at: Timestamp },
    RequestHearing { at: Timestamp },
    ScheduleHearing { notified_at: Timestamp, hearing_on: liuhen_core::time::Date, host: String },
    HoldHearing(liuhen_core::penalty::Hearing),
    HearInterestedParty { at: Timestamp, party: String, statement: String },
    Close { at: Timestamp },
    CorrectDate { anchor: liuhen_core::licence::Anchor, to: Timestamp, reason: String, approved_by: String },
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?.iter().map(|s| s.as_str().map(str::to_string)).collect()
}

impl CaseKind for Licence {
    type Event = Event;
    const CODE: &'static str = "licence";

    fn from_first(e: &Event) -> Option<Licence> {
        match e {
            Event::Applied(a) => Some(Licence::new(a.clone())),
            _ => None,
        }
    }
    fn apply(&mut self, e: &Event, flags: &[liuhen_core::rules::Violation]) {
        Licence::apply(self, e, flags)
    }
    crate::case_kind_basics!(application);
    fn party(&self) -> Option<&liuhen_core::party::Party> {
        self.application.applicant.as_ref()
    }

    fn to_json(&self, cal: &WorkCalendar) -> Value {
        // Lists are made as values and moved in: `json!` would copy each through a serializer.
        let mut v = json!({
            "id": self.application.id,
            "case_no": self.application.case_no,
            "entrusted": super::cases::entrusted_json(self.application.entrusted.as_ref()),
            "hearing_told_at": self.hearing_told_at.map(|t| t.0),
            "hearing_requested_at": self.hearing_requested_at.map(|t| t.0),
            "hearing_on": self.hearing_on.map(|d| d.to_string()),
            "hearing_held_at": self.hearing_held_at.map(|t| t.0),
            "applicant": super::cases::party_view(self.application.applicant.as_ref()),
            "case_type": Self::CODE,
            "type_label": "行政许可",
            "matter": self.application.matter,
            "received_at": self.application.received_at.0,
            "materials": self.application.materials,
            "state": self.state.code(),
            "state_label": self.state.label(),
            "closed_at": self.closed_at.map(|t| t.0),
            "version": self.version,
            "corrections": self.corrections,
            "accepted_at": self.accepted_at.map(|t| t.0),
            "extended": self.extended,
            "excluded_working_days": self.excluded_days,
            "granted": self.granted,
            "decided_at": self.decided_at.map(|t| t.0),
            "certificate_at": self.certificate_at.map(|t| t.0),
        });
        v["evidence"] = Value::Array(self.evidence.iter().map(super::evidence::item_json).collect());
        v["acts"] = Value::Array(self.acts.iter().map(act_json).collect());
        v["defects"] =
            Value::Array(self.defects.iter().map(|v| json!({"rule": v.rule.id, "message": v.to_string()})).collect());
        v["notes"] =
            Value::Array(self.notes.iter().map(|v| json!({"rule": v.rule.id, "message": v.to_string()})).collect());
        v["deadlines"] = deadlines_json(self.deadlines(cal), self.deadlines(&cal.estimating()));
        v
    }

    fn event_name(e: &Event) -> &'static str {
        match e {
            Event::Applied(_) => "applied",
            Event::CorrectionRequested { .. } => "correction_requested",
            Event::Corrected { .. } => "corrected",
            Event::Accepted { .. } => "accepted",
            Event::NotAccepted { .. } => "not_accepted",
            Event::Verified(_) => "verified",
            Event::Extended { .. } => "extended",
            Event::PeriodExcluded(_) => "period_excluded",
            Event::Decided { .. } => "decided",
            Event::CertificateIssued { .. } => "certificate_issued",
            Event::DenialServed { .. } => "denial_served",
            Event::EvidenceRecorded(_) => "evidence_recorded",
            Event::HearingRightTold { .. } => "hearing_right_told",
            Event::HearingRequested { .. } => "hearing_requested",
            Event::HearingScheduled { .. } => "hearing_scheduled",
            Event::HearingHeld { .. } => "hearing_held",
            Event::InterestedPartyHeard { .. } => "interested_party_heard",
            Event::Closed { .. } => "closed",
            Event::DateCorrected(_) => "date_corrected",
        }
    }

    fn event_json(e: &Event) -> Value {
        match e {
            Event::Applied(a) => super::cases::with_party(
                super::cases::with_entrusted(
                    json!({
                        "id": a.id, "case_no": a.case_no, "matter": a.matter, "received_at": a.received_at.0,
                        "materials": a.materials, "receipt_issued": a.receipt_issued,
                        "renewal": a.renewal.as_ref().map(|r| json!({"certificate_no": r.certificate_no,
                            "expires_on": r.expires_on.to_string()})),
                    }),
                    a.entrusted.as_ref(),
                ),
                "applicant",
                a.applicant.as_ref(),
            ),
            Event::CorrectionRequested { at, items } => json!({"at": at.0, "items": items}),
            Event::Corrected { at } | Event::Closed { at } => json!({"at": at.0}),
            Event::DateCorrected(c) => super::cases::correction_json(
                c,
                liuhen_core::licence::Anchor::code,
                liuhen_core::licence::Anchor::label,
            ),
            Event::Accepted { at, voucher_sealed } => json!({"at": at.0, "voucher_sealed": voucher_sealed}),
            Event::NotAccepted { at, voucher_sealed, reason } => {
                json!({"at": at.0, "voucher_sealed": voucher_sealed, "reason": reason})
            }
            Event::Verified(a) => json!({"act": act_json(a)}),
            Event::PeriodExcluded(p) => json!({
                "at": p.at.0, "kind": p.kind, "working_days": p.working_days,
                "notice": super::service::service_json(&p.notice),
            }),
            Event::Extended { at, approved_by, reasons_notified } => {
                json!({"at": at.0, "approved_by": approved_by, "reasons_notified": reasons_notified})
            }
            Event::Decided { at, granted, sealed, reasons, relief_told, late_explanation } => json!({
                "at": at.0, "granted": granted, "sealed": sealed, "reasons": reasons, "relief_told": relief_told,
                "late_explanation": late_explanation,
            }),
            Event::CertificateIssued { at, certificate_no, service } => {
                json!({"at": at.0, "certificate_no": certificate_no, "service": super::service::service_json(service)})
            }
            Event::DenialServed { at, service } => {
                json!({"at": at.0, "service": super::service::service_json(service)})
            }
            Event::EvidenceRecorded(i) => json!({"item": super::evidence::item_json(i)}),
            Event::HearingRightTold { at } | Event::HearingRequested { at } => json!({"at": at.0}),
            Event::HearingScheduled { notified_at, hearing_on, host } => {
                json!({"notified_at": notified_at.0, "hearing_on": hearing_on.to_string(), "host": host})
            }
            Event::HearingHeld(h) => super::ordinary::hearing_json(h),
            Event::InterestedPartyHeard { at, party, statement } => {
                json!({"at": at.0, "party": party, "statement": statement})
            }
        }
    }

    fn parse_event(v: &Value) -> Option<Event> {
        let at = || v["at"].as_i64().map(Timestamp);
        let s = |k: &str| v[k].as_str().map(str::to_string);
        let b = |k: &str| v[k].as_bool();
        Some(match v["event"].as_str()? {
            "applied" => Event::Applied(Application {
                id: s("id")?,
                case_no: s("case_no")?,
                matter: s("matter")?,
                received_at: Timestamp(v["received_at"].as_i64()?),
                materials: strings(&v["materials"])?,
                receipt_issued: b("receipt_issued")?,
                entrusted: super::cases::parse_entrusted(&v["entrusted"])?,
                applicant: super::cases::parse_party(&v["applicant"])?,
                // Applications logged before renewals were kept are new ones.
                renewal: match &v["renewal"] {
                    Value::Null => None,
                    r => Some(liuhen_core::licence::Renewal {
                        certificate_no: r["certificate_no"].as_str()?.to_string(),
                        expires_on: liuhen_core::time::Date::parse(r["expires_on"].as_str()?).ok()?,
                    }),
                },
            }),
            "correction_requested" => Event::CorrectionRequested { at: at()?, items: strings(&v["items"])? },
            "corrected" => Event::Corrected { at: at()? },
            "accepted" => Event::Accepted { at: at()?, voucher_sealed: b("voucher_sealed")? },
            "not_accepted" => {
                Event::NotAccepted { at: at()?, voucher_sealed: b("voucher_sealed")?, reason: s("reason")? }
            }
            "verified" => Event::Verified(act_from_json(&v["act"])?),
            "period_excluded" => Event::PeriodExcluded(liuhen_core::licence::ExcludedPeriod {
                at: at()?,
                kind: s("kind")?,
                working_days: u32::try_from(v["working_days"].as_u64()?).ok()?,
                notice: super::service::parse_service(&v["notice"])?,
            }),
            "extended" => {
                Event::Extended { at: at()?, approved_by: s("approved_by")?, reasons_notified: b("reasons_notified")? }
            }
            "decided" => Event::Decided {
                at: at()?,
                granted: b("granted")?,
                sealed: b("sealed")?,
                reasons: s("reasons")?,
                relief_told: b("relief_told")?,
                late_explanation: s("late_explanation")?,
            },
            "certificate_issued" => Event::CertificateIssued {
                at: at()?,
                certificate_no: s("certificate_no")?,
                service: super::service::parse_service(&v["service"])?,
            },
            "evidence_recorded" => Event::EvidenceRecorded(super::evidence::parse_item(&v["item"])?),
            "hearing_right_told" => Event::HearingRightTold { at: at()? },
            "hearing_requested" => Event::HearingRequested { at: at()? },
            "hearing_scheduled" => Event::HearingScheduled {
                notified_at: Timestamp(v["notified_at"].as_i64()?),
                hearing_on: liuhen_core::time::Date::parse(v["hearing_on"].as_str()?).ok()?,
                host: s("host")?,
            },
            "hearing_held" => Event::HearingHeld(super::ordinary::parse_hearing(v)?),
            "interested_party_heard" => {
                Event::InterestedPartyHeard { at: at()?, party: s("party")?, statement: s("statement")? }
            }
            "denial_served" => {
                Event::DenialServed { at: at()?, service: super::service::parse_service(&v["service"])? }
            }
            "closed" => Event::Closed { at: at()? },
            "date_corrected" => {
                Event::DateCorrected(super::cases::parse_correction(v, liuhen_core::licence::Anchor::parse)?)
            }
            _ => return None,
        })
    }
}

impl<S: LogStore> App<S> {
    /// Logs an application (依申请启动, 办法第七条第（二）项).
    pub async fn apply_for_licence(
        &self,
        actor: &UserRecord,
        mut application: Application,
    ) -> Result<CaseRecord, AppError> {
        self.allow(actor, super::policy::Action::CreateCase, None)?;
        self.not_in_future(&json!({"received_at": application.received_at.0}))?;
        let m = self.listed_matter(liuhen_core::matter::MatterKind::Licence, &application.matter).await?;
        application.matter = m.name.clone();
        let (application, basis) = (&application, &m.legal_basis);
        self.with_case_no("licence", &application.case_no, |case_no| {
            let application = Application { case_no, ..application.clone() };
            async move { self.open_case::<Licence>(actor, licence::apply_for(application, &self.calendar), basis).await }
        })
        .await
    }

    pub async fn licence_command(
        &self,
        actor: &UserRecord,
        id: &str,
        expected_version: u64,
        cmd: LicenceCommand,
        sign: Option<&super::signer::StepSign>,
    ) -> Result<CaseRecord, AppError> {
        // 行政许可法第四十八条第（三）项: the host is a staff member, named by ID, not a reviewer.
        if let LicenceCommand::ScheduleHearing { host, .. } = &cmd {
            self.officer(host).await?;
        }
        if let LicenceCommand::RecordEvidence(item) = &cmd {
            for id in item.officers() {
                self.officer(id).await?;
            }
        }
        let act = match &cmd {
            LicenceCommand::Verify(a) => Some(self.act(a.clone()).await?),
            _ => None,
        };
        let cal = self.calendar.clone();
        self.command::<Licence>(actor, id, expected_version, sign, move |c| match cmd {
            LicenceCommand::RequestCorrection { at, items } => c.request_correction(at, &items, &cal),
            LicenceCommand::Corrected { at } => c.corrected(at),
            LicenceCommand::Accept { at, voucher_sealed } => c.accept(at, voucher_sealed),
            LicenceCommand::Refuse { at, voucher_sealed, reason } => c.refuse(at, voucher_sealed, &reason),
            LicenceCommand::Verify(_) => match act {
                Some(act) => c.verify(act),
                None => {
                    Err(liuhen_core::rules::CommandError::WrongState { state: c.state.label(), action: "现场核查" })
                }
            },
            LicenceCommand::ExcludePeriod(p) => c.exclude_period(p),
            LicenceCommand::Extend { at, approved_by, reasons_notified } => {
                c.extend(at, &approved_by, reasons_notified, &cal)
            }
            LicenceCommand::Decide { at, ruling } => c.decide(at, &ruling, &cal),
            LicenceCommand::IssueCertificate { service, certificate_no } => {
                c.issue_certificate(service, &certificate_no, &cal)
            }
            LicenceCommand::ServeDenial { service } => c.serve_denial(service),
            LicenceCommand::RecordEvidence(i) => c.record_evidence(i),
            LicenceCommand::TellHearingRight { at } => c.tell_hearing_right(at),
            LicenceCommand::RequestHearing { at } => c.request_hearing(at, &cal),
            LicenceCommand::ScheduleHearing { notified_at, hearing_on, host } => {
                c.schedule_hearing(notified_at, hearing_on, &host, &cal)
            }
            LicenceCommand::HoldHearing(h) => c.hold_hearing(h),
            LicenceCommand::HearInterestedParty { at, party, statement } => {
                c.hear_interested_party(at, &party, &statement)
            }
            LicenceCommand::Close { at } => c.close(at),
            LicenceCommand::CorrectDate { anchor, to, reason, approved_by } => {
                c.correct_date(anchor, to, &reason, &approved_by)
            }
        })
        .await
    }
}
