//! 行政许可 (administrative licence), domain.md §b.3: an application logged with its materials
//! and a receipt; one correction notice within five working days, or deemed accepted; a sealed,
//! dated voucher of acceptance or refusal; review with on-site verification by two or more staff;
//! a decision within twenty working days (plus ten with the head's approval, told in time); the
//! certificate within ten working days of a grant. Every period is in working days (行政许可法第八十二条).

use crate::calendar::{Deadline, Period, WorkCalendar};
use crate::inspection::{OnSiteAct, check_on_site};
use crate::rules::{
    self, CommandError, R_006, R_013, R_013B, R_014, R_050, R_080, R_112, R_113, R_114, R_115, R_116, R_117, Violation,
};
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Applied,
    CorrectionRequested,
    Accepted,
    NotAccepted,
    UnderReview,
    Granted,
    Denied,
    DenialServed,
    CertificateIssued,
    Closed,
}

impl State {
    /// Every state, in the order of the procedure (a query naming another is refused).
    pub const ALL: &[State] = &[
        State::Applied,
        State::CorrectionRequested,
        State::Accepted,
        State::NotAccepted,
        State::UnderReview,
        State::Granted,
        State::Denied,
        State::DenialServed,
        State::CertificateIssued,
        State::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::CorrectionRequested => "correction_requested",
            State::Accepted => "accepted",
            State::NotAccepted => "not_accepted",
            State::UnderReview => "under_review",
            State::Granted => "granted",
            State::Denied => "denied",
            State::DenialServed => "denial_served",
            State::CertificateIssued => "certificate_issued",
            State::Closed => "closed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            State::Applied => "已收到申请",
            State::CorrectionRequested => "已告知补正",
            State::Accepted => "已受理",
            State::NotAccepted => "不予受理",
            State::UnderReview => "审查中",
            State::Granted => "准予许可",
            State::Denied => "不予许可",
            State::DenialServed => "已送达不予许可决定",
            State::CertificateIssued => "已颁发证件",
            State::Closed => "已结案",
        }
    }
}

/// 依申请启动 (办法第七条第（二）项).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: String,
    pub case_no: String,
    pub matter: String,
    pub received_at: Timestamp,
    pub materials: Vec<String>,
    /// A 收件凭证 was issued.
    pub receipt_issued: bool,
    /// The 委托书 when another agency accepts and decides in this office's name (行政许可法第二十四条).
    pub entrusted: Option<crate::entrustment::Entrustment>,
    /// The applicant (R-016 checks what is given).
    pub applicant: Option<crate::party::Party>,
    /// For an application to renew a licence: which, and when it expires (行政许可法第五十条).
    pub renewal: Option<Renewal>,
}

/// The licence a renewal application would extend (行政许可法第五十条): applied for thirty days
/// before it expires, decided before it expires or deemed renewed (R-117, T-29).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renewal {
    pub certificate_no: String,
    pub expires_on: crate::time::Date,
}

/// The kinds of work whose time does not count toward the decision period (行政许可法第四十五条).
pub const EXCLUDED_KINDS: [&str; 8] = ["听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审"];

/// A period excluded from the decision period, told to the applicant in writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludedPeriod {
    pub at: Timestamp,
    /// One of `EXCLUDED_KINDS`.
    pub kind: String,
    /// The time it needs, in working days.
    pub working_days: u32,
    /// The written notice to the applicant, with its receipt.
    pub notice: crate::service::Service,
}

// Events are built once per command and replayed one at a time: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Applied(Application),
    CorrectionRequested {
        at: Timestamp,
        items: Vec<String>,
    },
    Corrected {
        at: Timestamp,
    },
    Accepted {
        at: Timestamp,
        voucher_sealed: bool,
    },
    NotAccepted {
        at: Timestamp,
        voucher_sealed: bool,
        reason: String,
    },
    Verified(OnSiteAct),
    /// 听证、检验、鉴定… whose time is excluded from the decision period.
    PeriodExcluded(ExcludedPeriod),
    /// The applicant and interested parties told of their right to a hearing (许可法第四十七条).
    HearingRightTold {
        at: Timestamp,
    },
    HearingRequested {
        at: Timestamp,
    },
    HearingScheduled {
        notified_at: Timestamp,
        hearing_on: crate::time::Date,
        host: String,
    },
    HearingHeld(crate::penalty::Hearing),
    /// An interested party told of the application and heard (行政许可法第三十六条, R-112).
    InterestedPartyHeard {
        at: Timestamp,
        party: String,
        statement: String,
    },
    /// A 核查 record: a 现场核查笔录, an inquiry, a test or appraisal, material taken in
    /// (行政许可法第三十四条、第四十五条; 办法第八条).
    EvidenceRecorded(crate::evidence::Item),
    Extended {
        at: Timestamp,
        approved_by: String,
        reasons_notified: bool,
    },
    Decided {
        at: Timestamp,
        granted: bool,
        sealed: bool,
        reasons: String,
        relief_told: bool,
        late_explanation: String,
    },
    /// `at` is the date of service in law of the certificate; the receipt says how.
    /// The 不予行政许可决定书 served (办法第十七条); `at` is the date of service in law.
    DenialServed {
        at: Timestamp,
        service: crate::service::Service,
    },
    CertificateIssued {
        at: Timestamp,
        certificate_no: String,
        service: crate::service::Service,
    },
    Closed {
        at: Timestamp,
    },
    /// A recorded date corrected; the original stays in the log.
    DateCorrected(crate::correction::DateCorrection<Anchor>),
}

crate::anchors! {
    /// The dates a licence's deadlines count from (T-23, T-24, T-27), in procedural order.
    Anchor {
        ReceivedAt => "received_at", "收到申请日期";
        AcceptedAt => "accepted_at", "受理日期";
        DecidedAt => "decided_at", "许可决定日期";
        CertificateAt => "certificate_at", "证件送达日期";
    }
}

pub type Decision = Result<(Event, Vec<Violation>), CommandError>;

/// The licence decision (准予 / 不予许可决定书) as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruling {
    pub granted: bool,
    pub sealed: bool,
    /// Required for a denial.
    pub reasons: String,
    /// The right to review or litigation was told (required for a denial).
    pub relief_told: bool,
    /// Required when the decision is late.
    pub late_explanation: String,
    /// The licence directly concerns others' major interests (行政许可法第三十六条): they must
    /// have been told and heard first.
    pub affects_others: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licence {
    /// When it was closed (结案): the 30 days to file it run from here (办法第二十五条).
    pub closed_at: Option<Timestamp>,
    pub application: Application,
    pub state: State,
    pub version: u64,
    pub corrections: u32,
    pub accepted_at: Option<Timestamp>,
    pub extended: bool,
    /// Working days excluded from the decision period.
    pub excluded_days: u32,
    pub acts: Vec<OnSiteAct>,
    pub evidence: Vec<crate::evidence::Item>,
    pub hearing_told_at: Option<Timestamp>,
    pub hearing_requested_at: Option<Timestamp>,
    pub hearing_on: Option<crate::time::Date>,
    pub hearing_held_at: Option<Timestamp>,
    /// When each interested party was told and heard.
    pub interested_heard: Vec<Timestamp>,
    pub decided_at: Option<Timestamp>,
    pub granted: Option<bool>,
    pub certificate_at: Option<Timestamp>,
    pub defects: Vec<Violation>,
    /// Advice the rules gave on the way (INFO): a renewal applied for late, deemed renewed.
    pub notes: Vec<Violation>,
}

fn wrong(state: State, action: &'static str) -> CommandError {
    CommandError::WrongState { state: state.label(), action }
}

/// the materials and the receipt.
pub fn apply_for(a: Application, cal: &WorkCalendar) -> Decision {
    let mut found = Vec::new();
    // a renewal applied for less than thirty days before the licence expires.
    if let Some(r) = &a.renewal
        && let Ok(due) = cal.due(a.received_at, Period::WorkingDays(30))
        && due > r.expires_on.end()
    {
        found.push(R_117.violated("received_at", format!("延续申请应在有效期届满（{}）三十日前提出", r.expires_on)));
    }
    if a.materials.iter().all(|m| m.trim().is_empty()) {
        found.push(R_013.violated("materials", "未记录申请材料清单"));
    }
    if !a.receipt_issued {
        found.push(R_013.violated("receipt_issued", "未出具收件凭证"));
    }
    // 行政许可法第二十九条: an application is someone's; who applies is recorded with it.
    match &a.applicant {
        Some(p) => found.extend(crate::party::check(p, None)),
        None => found.push(crate::rules::R_016.violated("applicant", "行政许可申请须载明申请人")),
    }
    found.extend(crate::entrustment::check(
        a.entrusted.as_ref(),
        crate::matter::MatterKind::Licence,
        &a.matter,
        a.received_at.shanghai_date(),
    ));
    let flags = rules::decide(found)?;
    Ok((Event::Applied(a), flags))
}

impl Licence {
    pub fn new(application: Application) -> Licence {
        Licence {
            application,
            state: State::Applied,
            version: 1,
            closed_at: None,
            corrections: 0,
            accepted_at: None,
            extended: false,
            excluded_days: 0,
            acts: Vec::new(),
            evidence: Vec::new(),
            hearing_told_at: None,
            hearing_requested_at: None,
            hearing_on: None,
            hearing_held_at: None,
            interested_heard: Vec::new(),
            decided_at: None,
            granted: None,
            certificate_at: None,
            defects: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// R-013b: one notice listing everything, within five working days.
    pub fn request_correction(&self, at: Timestamp, items: &[String], cal: &WorkCalendar) -> Decision {
        if self.state != State::Applied {
            return Err(wrong(self.state, "告知补正"));
        }
        let mut found = Vec::new();
        if items.iter().all(|i| i.trim().is_empty()) {
            found.push(R_013B.violated("items", "补正告知须列明全部需补正的内容"));
        }
        if at > cal.due(self.application.received_at, Period::WorkingDays(5))? {
            found.push(R_013B.violated("at", "超过五个工作日未告知补正，自收到材料之日起即为受理"));
        }
        if self.corrections > 0 {
            found.push(R_013B.violated("items", "已告知过补正，不得再次要求补正"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::CorrectionRequested { at, items: items.to_vec() }, flags))
    }

    pub fn corrected(&self, at: Timestamp) -> Decision {
        if self.state != State::CorrectionRequested {
            return Err(wrong(self.state, "补正材料"));
        }
        Ok((Event::Corrected { at }, Vec::new()))
    }

    /// a sealed, dated voucher.
    pub fn accept(&self, at: Timestamp, voucher_sealed: bool) -> Decision {
        if self.state != State::Applied {
            return Err(wrong(self.state, "受理"));
        }
        let mut found = Vec::new();
        if !voucher_sealed {
            found.push(R_014.violated("voucher_sealed", "受理凭证未加盖专用印章"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Accepted { at, voucher_sealed }, flags))
    }

    /// a refusal states its reason on a sealed voucher.
    pub fn refuse(&self, at: Timestamp, voucher_sealed: bool, reason: &str) -> Decision {
        if self.state != State::Applied {
            return Err(wrong(self.state, "不予受理"));
        }
        let mut found = Vec::new();
        if !voucher_sealed || reason.trim().is_empty() {
            found.push(R_014.violated("reason", "不予受理须出具加盖印章的凭证并说明理由"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::NotAccepted { at, voucher_sealed, reason: reason.to_string() }, flags))
    }

    /// On-site verification (许可法第三十四条): the rules of any on-site act (R-001..R-003).
    pub fn verify(&self, act: OnSiteAct) -> Decision {
        if !matches!(self.state, State::Accepted | State::UnderReview) {
            return Err(wrong(self.state, "现场核查"));
        }
        let flags = rules::decide(check_on_site(&act, crate::matter::MatterKind::Licence))?;
        Ok((Event::Verified(act), flags))
    }

    /// The 调查取证 rules of 办法第八条 on a licence's 核查 records (R-020, R-024, R-025, R-027,
    /// inquiries made by the staff who verified. 先行登记保存 is a penalty
    /// measure, not a licence's.
    pub fn record_evidence(&self, item: crate::evidence::Item) -> Decision {
        if !matches!(self.state, State::Accepted | State::UnderReview) {
            return Err(wrong(self.state, "记录核查材料"));
        }
        if matches!(item.body, crate::evidence::Body::Preservation(_)) {
            return Err(wrong(self.state, "先行登记保存"));
        }
        let verifiers: Vec<String> =
            self.acts.iter().flat_map(|a| a.officers.iter().map(|p| p.officer.id.clone())).collect();
        let flags = rules::decide(crate::evidence::check(&item, &verifiers))?;
        Ok((Event::EvidenceRecorded(item), flags))
    }

    /// 许可法第四十七条: a licence touching others' major interests — the applicant and the
    /// interested parties are told of their right to a hearing before the decision.
    pub fn tell_hearing_right(&self, at: Timestamp) -> Decision {
        if !matches!(self.state, State::Accepted | State::UnderReview) || self.hearing_told_at.is_some() {
            return Err(wrong(self.state, "告知听证权利"));
        }
        Ok((Event::HearingRightTold { at }, Vec::new()))
    }

    /// requested within five working days of being told.
    pub fn request_hearing(&self, at: Timestamp, cal: &WorkCalendar) -> Decision {
        let (Some(told), None) = (self.hearing_told_at, self.hearing_requested_at) else {
            return Err(wrong(self.state, "申请听证"));
        };
        let mut found = Vec::new();
        if at > cal.due(told, Period::WorkingDays(5))? {
            found.push(R_050.violated("at", "听证申请超过被告知听证权利之日起五个工作日"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::HearingRequested { at }, flags))
    }

    /// held within twenty working days of the request, notified seven working days
    /// before; R-006: hosted by someone who did not review the application.
    pub fn schedule_hearing(
        &self,
        notified_at: Timestamp,
        hearing_on: crate::time::Date,
        host: &str,
        cal: &WorkCalendar,
    ) -> Decision {
        let (Some(requested), None) = (self.hearing_requested_at, self.hearing_held_at) else {
            return Err(wrong(self.state, "通知听证"));
        };
        let mut found = Vec::new();
        if cal.working_days_between(notified_at.shanghai_date(), hearing_on)? < 7 {
            found.push(R_050.violated("hearing_on", "听证通知与听证日期之间不足七个工作日"));
        }
        if hearing_on.end() > cal.due(requested, Period::WorkingDays(20))? {
            found.push(R_050.violated("hearing_on", "未在听证申请之日起二十个工作日内组织听证"));
        }
        let reviewers: Vec<&str> =
            self.acts.iter().flat_map(|a| a.officers.iter().map(|p| p.officer.id.as_str())).collect();
        if host.trim().is_empty() || reviewers.contains(&host.trim()) {
            found.push(R_006.violated("host", "听证主持人须为审查该许可申请的工作人员以外的人员"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::HearingScheduled { notified_at, hearing_on, host: host.to_string() }, flags))
    }

    /// R-045 (held in public unless a secret or privacy is at stake) and R-050 (the transcript
    /// confirmed and signed by the participants).
    /// R-112 (行政许可法第三十六条): an interested party whose major interests the licence directly
    /// concerns is told of it, and their statement and defence heard and recorded.
    pub fn hear_interested_party(&self, at: Timestamp, party: &str, statement: &str) -> Decision {
        if !matches!(self.state, State::Accepted | State::UnderReview) {
            return Err(wrong(self.state, "听取利害关系人意见"));
        }
        let mut found = Vec::new();
        if party.trim().is_empty() {
            found.push(R_112.violated("party", "未记录利害关系人"));
        }
        if statement.trim().is_empty() {
            found.push(R_112.violated("statement", "未记录利害关系人的陈述和申辩"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::InterestedPartyHeard { at, party: party.to_string(), statement: statement.to_string() }, flags))
    }

    pub fn hold_hearing(&self, hearing: crate::penalty::Hearing) -> Decision {
        if self.hearing_on.is_none() || self.hearing_held_at.is_some() {
            return Err(wrong(self.state, "举行听证"));
        }
        let flags = rules::decide(crate::penalty::check_hearing(&hearing, false, R_050))?;
        Ok((Event::HearingHeld(hearing), flags))
    }

    /// Twenty working days, thirty once extended, plus the excluded periods.
    fn review_days(&self) -> u32 {
        (if self.extended { 30 } else { 20 }) + self.excluded_days
    }

    /// Whether `at` is within the review period (`None` before acceptance); decided without
    /// the year's calendar while the plain count settles it.
    fn in_review_period(&self, at: Timestamp, cal: &WorkCalendar) -> Result<Option<bool>, CommandError> {
        let Some(accepted) = self.accepted_at else { return Ok(None) };
        Ok(Some(cal.within(accepted, Period::WorkingDays(self.review_days()), at)?))
    }

    /// a 检验、检测、鉴定、专家评审 (or hearing, tender, auction, quarantine) whose time is
    /// left out of the decision period, the time it needs told to the applicant in writing.
    pub fn exclude_period(&self, p: ExcludedPeriod) -> Decision {
        if !matches!(self.state, State::Accepted | State::UnderReview) {
            return Err(wrong(self.state, "扣除期限"));
        }
        let mut found = crate::service::check(&p.notice);
        if !EXCLUDED_KINDS.contains(&p.kind.trim()) {
            found.push(R_113.violated("kind", format!("“{}”不属于可以不计入审查期限的事项", p.kind.trim())));
        }
        if p.working_days == 0 || p.working_days > 250 {
            found.push(R_113.violated("working_days", "须书面告知所需时间（工作日）"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::PeriodExcluded(p), flags))
    }

    /// approved by the head and told before the original twenty working days end.
    pub fn extend(&self, at: Timestamp, approved_by: &str, reasons_notified: bool, cal: &WorkCalendar) -> Decision {
        if !matches!(self.state, State::Accepted | State::UnderReview) || self.extended {
            return Err(wrong(self.state, "延长审查期限"));
        }
        let mut found = Vec::new();
        let in_time = self.in_review_period(at, cal)?.ok_or_else(|| wrong(self.state, "延长审查期限"))?;
        if !in_time || approved_by.trim().is_empty() || !reasons_notified {
            found.push(R_114.violated("at", "延期须经负责人批准，并在原期限届满前告知申请人理由"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Extended { at, approved_by: approved_by.to_string(), reasons_notified }, flags))
    }

    /// R-115 (a written, sealed decision; a denial with reasons and relief) and R-114 (in time,
    /// or a written explanation, flagged).
    pub fn decide(&self, at: Timestamp, d: &Ruling, cal: &WorkCalendar) -> Decision {
        let Ruling { granted, sealed, ref reasons, relief_told, ref late_explanation, affects_others } = *d;
        if !matches!(self.state, State::Accepted | State::UnderReview) {
            return Err(wrong(self.state, "作出许可决定"));
        }
        let mut found = Vec::new();
        if self.accepted_at.is_some_and(|accepted| at < accepted) {
            found.push(crate::rules::R_064B.violated("at", "许可决定时间早于受理时间"));
        }
        if self.application.applicant.is_none() {
            found.push(crate::rules::R_016.violated("applicant", "许可决定须载明申请人，尚未记录申请人身份"));
        }
        if self.hearing_requested_at.is_some() && self.hearing_held_at.is_none() {
            found.push(R_050.violated("hearing", "已申请听证，须举行听证并根据听证笔录作出决定"));
        }
        // a renewal not decided before the licence expired is deemed granted.
        if let Some(r) = &self.application.renewal
            && at > r.expires_on.end()
        {
            found.push(R_117.violated("at", format!("有效期（{}）届满前未作出决定，视为准予延续", r.expires_on)));
        }
        if affects_others && self.interested_heard.is_empty() {
            found
                .push(R_112.violated("affects_others", "许可事项直接关系他人重大利益，尚未告知利害关系人并听取其意见"));
        }
        if !sealed || (!granted && (reasons.trim().is_empty() || !relief_told)) {
            found.push(R_115.violated("decision", "决定书须加盖印章；不予许可的须说明理由并告知救济权利"));
        }
        if self.in_review_period(at, cal)? == Some(false) {
            if late_explanation.trim().is_empty() {
                return Err(rules::Refusal {
                    violations: vec![R_114.violated("late_explanation", "已超过法定审查期限，须书面说明理由")],
                }
                .into());
            }
            found.push(R_114.violated("late_explanation", "超过法定审查期限作出决定（已书面说明理由）").as_flag());
        }
        let flags = rules::decide(found)?;
        Ok((
            Event::Decided {
                at,
                granted,
                sealed,
                reasons: reasons.to_string(),
                relief_told,
                late_explanation: late_explanation.to_string(),
            },
            flags,
        ))
    }

    /// delivered within ten working days of a grant (late is a FLAG), counted to the date
    /// of service in law; ..R-088: the receipt fits its method (办法第十七条).
    pub fn issue_certificate(
        &self,
        service: crate::service::Service,
        certificate_no: &str,
        cal: &WorkCalendar,
    ) -> Decision {
        let Some(decided) = self.decided_at.filter(|_| self.state == State::Granted) else {
            return Err(wrong(self.state, "颁发许可证件"));
        };
        let mut found = crate::service::check(&service);
        if certificate_no.trim().is_empty() {
            found.push(R_115.violated("certificate_no", "未记录许可证件编号"));
        }
        let at = service.served_at();
        if let Some(at) = at
            && at > cal.due(decided, Period::WorkingDays(10))?
        {
            found.push(R_116.violated("at", "超过十个工作日颁发证件"));
        }
        let flags = rules::decide(found)?;
        let Some(at) = at else {
            // check() refused every service without a date of service.
            return Err(wrong(self.state, "颁发许可证件"));
        };
        Ok((Event::CertificateIssued { at, certificate_no: certificate_no.to_string(), service }, flags))
    }

    /// ..R-088: the 不予行政许可决定书 reaches the applicant by a method of 办法第十七条.
    pub fn serve_denial(&self, service: crate::service::Service) -> Decision {
        if self.state != State::Denied {
            return Err(wrong(self.state, "送达不予许可决定书"));
        }
        let found = crate::service::check(&service);
        let flags = rules::decide(found)?;
        let Some(at) = service.served_at() else {
            // check() refused every service without a date of service.
            return Err(wrong(self.state, "送达不予许可决定书"));
        };
        Ok((Event::DenialServed { at, service }, flags))
    }

    /// a denial is closed only once served.
    pub fn close(&self, at: Timestamp) -> Decision {
        match self.state {
            State::CertificateIssued | State::DenialServed | State::NotAccepted => {
                Ok((Event::Closed { at }, Vec::new()))
            }
            State::Denied => Err(rules::Refusal {
                violations: vec![R_080.violated("state", "不予许可决定书尚未送达申请人")],
            }
            .into()),
            _ => Err(wrong(self.state, "结案")),
        }
    }

    /// a recorded date corrected by a new entry; the deadlines counted from it follow.
    pub fn correct_date(&self, anchor: Anchor, to: Timestamp, reason: &str, approved_by: &str) -> Decision {
        // In the order of `Anchor`, which is the order of the procedure.
        let mut dates = [Some(self.application.received_at), self.accepted_at, self.decided_at, self.certificate_at];
        let (Some(from), false) = (dates[anchor as usize], self.state == State::Closed) else {
            return Err(wrong(self.state, "更正日期"));
        };
        dates[anchor as usize] = Some(to);
        let flags = rules::decide(crate::correction::check(from, to, reason, approved_by, &dates, anchor.label()))?;
        let event = Event::DateCorrected(crate::correction::DateCorrection::new(anchor, from, to, reason, approved_by));
        Ok((event, flags))
    }

    /// T-23 (correction), T-24 (decision), T-27 (certificate).
    pub fn deadlines(&self, cal: &WorkCalendar) -> Vec<Deadline> {
        let mut out = Vec::new();
        if self.state == State::Applied {
            out.push(Deadline {
                code: "T-23",
                label: "五个工作日内告知补正或受理",
                source: "行政许可法第三十二条、第八十二条",
                due: cal.due(self.application.received_at, Period::WorkingDays(5)),
                done_at: None,
            });
        }
        if let Some(accepted) = self.accepted_at {
            out.push(Deadline {
                code: "T-24",
                label: "受理后二十个工作日内作出许可决定（延长后三十，不含听证、检验、鉴定等所需时间）",
                source: "行政许可法第四十二条、第四十五条、第八十二条",
                due: cal.due(accepted, Period::WorkingDays(self.review_days())),
                done_at: self.decided_at,
            });
        }
        if let Some(requested) = self.hearing_requested_at {
            out.push(Deadline {
                code: "T-28",
                label: "听证申请之日起二十个工作日内组织听证",
                source: "行政许可法第四十七条、第八十二条",
                due: cal.due(requested, Period::WorkingDays(20)),
                done_at: self.hearing_held_at,
            });
        }
        if let Some(r) = &self.application.renewal {
            out.push(Deadline {
                code: "T-29",
                label: "有效期届满前作出是否准予延续的决定（逾期视为准予延续）",
                source: "行政许可法第五十条",
                due: Ok(r.expires_on.end()),
                done_at: self.decided_at,
            });
        }
        if let (Some(decided), Some(true)) = (self.decided_at, self.granted) {
            out.push(Deadline {
                code: "T-27",
                label: "十个工作日内颁发、送达许可证件",
                source: "行政许可法第四十四条",
                due: cal.due(decided, Period::WorkingDays(10)),
                done_at: self.certificate_at,
            });
        }
        out
    }

    pub fn apply(&mut self, event: &Event, flags: &[Violation]) {
        match event {
            Event::Applied(a) => *self = Licence::new(a.clone()),
            Event::CorrectionRequested { .. } => {
                self.corrections += 1;
                self.state = State::CorrectionRequested;
            }
            Event::Corrected { .. } => self.state = State::Applied,
            Event::Accepted { at, .. } => {
                self.accepted_at = Some(*at);
                self.state = State::Accepted;
            }
            Event::NotAccepted { .. } => self.state = State::NotAccepted,
            Event::Verified(act) => {
                self.acts.push(act.clone());
                self.state = State::UnderReview;
            }
            Event::EvidenceRecorded(item) => {
                self.evidence.push(item.clone());
                self.state = State::UnderReview;
            }
            Event::Extended { .. } => self.extended = true,
            Event::PeriodExcluded(p) => self.excluded_days += p.working_days,
            Event::HearingRightTold { at } => self.hearing_told_at = Some(*at),
            Event::HearingRequested { at } => self.hearing_requested_at = Some(*at),
            Event::HearingScheduled { hearing_on, .. } => self.hearing_on = Some(*hearing_on),
            Event::HearingHeld(h) => self.hearing_held_at = Some(h.at),
            Event::InterestedPartyHeard { at, .. } => {
                self.interested_heard.push(*at);
                self.state = State::UnderReview;
            }
            Event::Decided { at, granted, .. } => {
                self.decided_at = Some(*at);
                self.granted = Some(*granted);
                self.state = if *granted { State::Granted } else { State::Denied };
            }
            Event::DenialServed { .. } => self.state = State::DenialServed,
            Event::CertificateIssued { at, .. } => {
                self.certificate_at = Some(*at);
                self.state = State::CertificateIssued;
            }
            Event::Closed { at, .. } => {
                self.state = State::Closed;
                self.closed_at = Some(*at);
            }
            Event::DateCorrected(crate::correction::DateCorrection { anchor, to, .. }) => match anchor {
                Anchor::ReceivedAt => self.application.received_at = *to,
                Anchor::AcceptedAt => self.accepted_at = Some(*to),
                Anchor::DecidedAt => self.decided_at = Some(*to),
                Anchor::CertificateAt => self.certificate_at = Some(*to),
            },
        }
        if !matches!(event, Event::Applied(_)) {
            self.version += 1;
        }
        self.defects.extend(rules::defects(flags));
        self.notes.extend(flags.iter().filter(|v| v.rule.severity == rules::Severity::Info).cloned());
    }
}
