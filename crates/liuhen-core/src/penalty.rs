//! 行政处罚普通程序 (ordinary penalty procedure), domain.md §b.2: a lead recorded with its source;
//! filing on an approval chain; investigation by two or more officers; the closing report; the
//! legal review where required; the prior notice with the rights to state, defend and (above
//! the threshold) request a hearing; statements re-examined or the period run out; the hearing
//! if requested in time; the decision approved by the head; service; payment; closure.

use crate::calendar::{Period, WorkCalendar};
use crate::inspection::{Initiation, OnSiteAct, check_on_site};
use crate::officer::Officer;
use crate::rules::{
    self, CommandError, R_004, R_004B, R_005, R_006, R_007, R_010, R_011, R_011B, R_012, R_016, R_028, R_031, R_033,
    R_040, R_041, R_042, R_043, R_044, R_045, R_046, R_047, R_048, R_049, R_051, R_060, R_061, R_062, R_063, R_064,
    R_064B, R_065, R_066, R_069, R_070, R_081, R_082, R_090, R_091, R_094, R_131, Violation,
};
use crate::service::Service;
use crate::summary::{PartyKind, Penalty};
use crate::time::{Date, Timestamp};

/// The fewest heads a collective discussion needs ([C]: the office's own rule may ask more).
pub const MIN_DISCUSSION_MEMBERS: usize = 3;

/// One step of an internal approval form (办法第十五条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opinion {
    /// Who signed (name).
    pub by: String,
    /// The account that signed (`user:<id>`), recorded by the server; empty in entries written
    /// before approvals were performed by their own accounts.
    pub person: String,
    pub opinion: String,
    pub date: Date,
    /// The signer's own SM2 signature of the step (电子签名法第十三条; domain.md R-160), made by
    /// the server with the key only their password opens, and the key's id: empty in entries
    /// written before steps were signed.
    pub key_id: String,
    pub signature: String,
}

/// An internal approval form: handler, reviewer (审核人), approver (批准人).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub handler: Opinion,
    pub reviewer: Opinion,
    pub approver: Opinion,
}

/// The fines from which the hearing right must be told (较大数额, a local value [C]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HearingThresholds {
    pub citizen_fen: u64,
    pub organisation_fen: u64,
}

impl Default for HearingThresholds {
    /// A common provincial practice; configure the matter's own values.
    fn default() -> HearingThresholds {
        HearingThresholds { citizen_fen: 2_000 * 100, organisation_fen: 50_000 * 100 }
    }
}

/// every step has an opinion that is more than a name, in date order.
pub fn check_approval(a: &Approval, field: &'static str) -> Vec<Violation> {
    let mut found = Vec::new();
    for (role, o) in [("承办人", &a.handler), ("审核人", &a.reviewer), ("批准人", &a.approver)] {
        let text = o.opinion.trim();
        if o.by.trim().is_empty() || text.is_empty() || text == o.by.trim() {
            found.push(R_131.violated(field, format!("{role}未填写意见（不得只签姓名）")));
        }
    }
    if !(a.handler.date <= a.reviewer.date && a.reviewer.date <= a.approver.date) {
        found.push(R_064.violated(field, "审批日期顺序颠倒"));
    }
    found
}

/// R-064 (a FLAG, as domain.md has it: a typical 案卷评查 defect): what rests on an approval is
/// not dated before the 负责人 approved it (立案、决定、结案 on the day of the approval or after).
pub fn after_approval(approved: Date, at: Timestamp, what: &str) -> Option<Violation> {
    (at.shanghai_date() < approved)
        .then(|| R_064.violated("at", format!("{what}日期（{}）早于负责人批准日期（{approved}）", at.shanghai_date())))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Lead,
    Filed,
    NotFiled,
    Investigating,
    Concluded,
    NoticeServed,
    HearingRequested,
    HearingScheduled,
    HearingHeld,
    /// The party stayed away or walked out: the hearing right is treated as waived.
    HearingTerminated,
    Decided,
    Served,
    /// 催告书 served (行政强制执行).
    Demanded,
    CourtApplied,
    CourtRuled,
    /// 强制执行决定 by an office with its own power.
    EnforcementDecided,
    Enforced,
    /// 代履行决定 served (行政强制法第五十条、第五十一条).
    SubstituteDecided,
    /// Performed by the office or a third party in the party's place.
    Substituted,
    Paid,
    /// Every obligation of a decision with an order (责令限期拆除…) performed.
    Performed,
    /// The decision revoked on review or by the court: nothing is left to perform.
    Revoked,
    Closed,
}

impl State {
    /// Every state, in the order of the procedure (a query naming another is refused).
    pub const ALL: &[State] = &[
        State::Lead,
        State::Filed,
        State::NotFiled,
        State::Investigating,
        State::Concluded,
        State::NoticeServed,
        State::HearingRequested,
        State::HearingScheduled,
        State::HearingHeld,
        State::HearingTerminated,
        State::Decided,
        State::Served,
        State::Demanded,
        State::CourtApplied,
        State::CourtRuled,
        State::EnforcementDecided,
        State::Enforced,
        State::SubstituteDecided,
        State::Substituted,
        State::Paid,
        State::Performed,
        State::Revoked,
        State::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::Lead => "lead",
            State::Filed => "filed",
            State::NotFiled => "not_filed",
            State::Investigating => "investigating",
            State::Concluded => "concluded",
            State::NoticeServed => "notice_served",
            State::HearingRequested => "hearing_requested",
            State::HearingScheduled => "hearing_scheduled",
            State::HearingHeld => "hearing_held",
            State::HearingTerminated => "hearing_terminated",
            State::Decided => "decided",
            State::Served => "served",
            State::Demanded => "demanded",
            State::CourtApplied => "court_applied",
            State::CourtRuled => "court_ruled",
            State::EnforcementDecided => "enforcement_decided",
            State::Enforced => "enforced",
            State::SubstituteDecided => "substitute_decided",
            State::Substituted => "substituted",
            State::Paid => "paid",
            State::Performed => "performed",
            State::Revoked => "revoked",
            State::Closed => "closed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            State::Lead => "线索登记",
            State::Filed => "已立案",
            State::NotFiled => "不予立案",
            State::Investigating => "调查取证中",
            State::Concluded => "调查终结",
            State::NoticeServed => "已事先告知",
            State::HearingRequested => "已申请听证",
            State::HearingScheduled => "已通知听证",
            State::HearingHeld => "已举行听证",
            State::HearingTerminated => "听证已终止",
            State::Decided => "已作出处罚决定",
            State::Served => "已送达",
            State::Demanded => "已催告",
            State::CourtApplied => "已申请法院强制执行",
            State::CourtRuled => "法院已裁定",
            State::EnforcementDecided => "已作出强制执行决定",
            State::Enforced => "已强制执行",
            State::SubstituteDecided => "已作出代履行决定",
            State::Substituted => "已代履行",
            State::Paid => "已缴纳罚款",
            State::Performed => "已履行",
            State::Revoked => "原决定已被撤销",
            State::Closed => "已结案",
        }
    }
}

crate::anchors! {
    /// A date a deadline counts from, which a correction may change (domain.md §d: deadlines
    /// are recomputed when their anchor changes), in procedural order.
    Anchor {
        /// 立案 (T-03).
        FiledAt => "filed_at", "立案日期";
        /// The decision (T-08).
        DecidedAt => "decided_at", "决定日期";
        /// The decision's date of service (T-11, T-15, T-17, T-18, the surcharge).
        ServedAt => "served_at", "决定书送达日期";
        /// The 催告书's date of service (T-16).
        DemandServedAt => "demand_served_at", "催告书送达日期";
    }
}

/// The record of dealing with confiscated property (行政处罚法第七十四条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyDisposal {
    pub at: Timestamp,
    /// 公开拍卖, 销毁, 移交有关部门…
    pub method: String,
    pub approved_by: String,
    /// For a destruction: the witnesses and the A/V record.
    pub witnesses: Vec<String>,
    pub av_ref: String,
    /// Proceeds paid to the treasury (a receipt number), when there were any.
    pub treasury_receipt: String,
}

crate::anchors! {
    /// Why no penalty is imposed (行政处罚法第三十三条、第五十七条第一款第（二）至（四）项).
    NoPenaltyGround {
        /// 违法行为轻微并及时改正，没有造成危害后果.
        MinorCorrected => "minor_corrected", "违法行为轻微并及时改正，没有造成危害后果";
        /// 初次违法且危害后果轻微并及时改正.
        FirstMinor => "first_minor", "初次违法且危害后果轻微并及时改正";
        /// 当事人有证据足以证明没有主观过错.
        NoFault => "no_fault", "当事人有证据足以证明没有主观过错";
        /// 违法事实不能成立.
        NotEstablished => "not_established", "违法事实不能成立";
        /// 违法行为涉嫌犯罪，移送司法机关.
        TransferToJudicial => "transfer_to_judicial", "违法行为涉嫌犯罪，移送司法机关";
    }
}

/// Registering a lead (线索登记, 办法第七条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lead {
    pub id: String,
    pub case_no: String,
    pub matter: String,
    pub party_kind: PartyKind,
    pub initiation: Initiation,
    /// The matter is on the 重大执法决定法制审核目录 (legal review required).
    pub major: bool,
    pub thresholds: HearingThresholds,
    /// The 委托书 when an entrusted organisation handles the case (办法第三十一条).
    pub entrusted: Option<crate::entrustment::Entrustment>,
    /// The party, when known at the lead; otherwise identified during the investigation
    /// (`identify_party`), and required by the decision.
    pub party: Option<crate::party::Party>,
}

/// The 调查终结报告.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub facts: String,
    pub evidence: Vec<String>,
    pub legal_basis: String,
    pub discretion: String,
    pub proposal: Penalty,
}

/// The 事先告知书.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The date of service in law; it must be the one `service` gives.
    pub served_at: Timestamp,
    /// How it was served (办法第十七条).
    pub service: Service,
    pub penalty: Penalty,
    pub facts: String,
    pub reasons: String,
    pub legal_basis: String,
    pub hearing_right_told: bool,
    /// Working days for statements and defence ([C], commonly 3 or 5).
    pub statement_days: u32,
}

/// A hearing as its 听证笔录 records it (行政处罚法第六十四条；行政许可法第四十八条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hearing {
    pub at: Timestamp,
    /// The transcript's number, which the decision cites.
    pub transcript_no: String,
    /// Read back and signed by the participants.
    pub transcript_signed: bool,
    /// Held in public, unless it concerns 国家秘密, 商业秘密 or 个人隐私.
    pub public: bool,
    pub non_public_reason: String,
    /// The party's agents (R-046: one or two).
    pub agents: Vec<String>,
}

/// The grounds on which a hearing may be closed to the public (行政处罚法第六十四条第（三）项).
pub const NON_PUBLIC_REASONS: [&str; 3] = ["国家秘密", "商业秘密", "个人隐私"];

/// R-045 (public unless one of the three grounds), the transcript numbered and signed
/// (`transcript`: R-048 for a penalty, R-050 for a licence), and R-046 (at most two agents) when
/// `agents_limited`, as in a penalty hearing.
pub fn check_hearing(h: &Hearing, agents_limited: bool, transcript: rules::Rule) -> Vec<Violation> {
    let mut found = Vec::new();
    if !h.public && !NON_PUBLIC_REASONS.contains(&h.non_public_reason.trim()) {
        found.push(R_045.violated("non_public_reason", "不公开举行听证的理由须为国家秘密、商业秘密或者个人隐私"));
    }
    if agents_limited && h.agents.iter().filter(|a| !a.trim().is_empty()).count() > 2 {
        found.push(R_046.violated("agents", format!("委托了 {} 名代理人", h.agents.len())));
    }
    if !h.transcript_signed {
        found.push(transcript.violated("transcript_signed", "听证笔录未经参加人审核签字"));
    }
    if h.transcript_no.trim().is_empty() {
        found.push(transcript.violated("transcript_no", "未记录听证笔录编号"));
    }
    found
}

/// How the party gave up statements and defence: a signed written statement, or the
/// A/V segment in which they said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub at: Timestamp,
    pub signed_statement: bool,
    pub av_ref: String,
}

/// 涉嫌犯罪案件移送书 and what went with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub doc_no: String,
    /// The receiving organ (公安机关, 监察机关…).
    pub organ: String,
    /// The written notice to the party of the property transferred with the case (its number),
    /// required when the case holds property under 先行登记保存.
    pub property_notice: String,
}

/// The 行政处罚决定书 (行政处罚法第五十九条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionDoc {
    pub doc_no: String,
    pub penalty: Penalty,
    pub facts: String,
    pub legal_basis: String,
    /// Days to pay (15 by law).
    pub performance_days: u32,
    pub relief_route_stated: bool,
    pub sealed: bool,
    /// The 听证笔录 the decision rests on, after a hearing; empty otherwise.
    pub hearing_transcript: String,
    /// What the party is ordered to do besides (责令限期拆除、恢复原状…), with its deadline.
    pub order: Option<Order>,
}

/// An obligation to act that a decision imposes (责令限期改正、限期拆除、恢复原状、排除妨碍),
/// executed, when not performed, by 代履行 or 强制拆除 (行政强制法第四十四条、第五十条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub content: String,
    pub deadline: Date,
    /// A building, structure or installation to be demolished (行政强制法第四十四条).
    pub demolition: bool,
}

// Events are built once per command and replayed one at a time: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Registered(Lead),
    Filed {
        approval: Approval,
        filed_at: Timestamp,
        violation_ended: Date,
        grave: bool,
    },
    NotFiled {
        approval: Approval,
        reasons: String,
    },
    Investigated(OnSiteAct),
    /// The party identified (or identified anew) during the investigation.
    PartyIdentified(crate::party::Party),
    /// A 调查取证 item: an inquiry, evidence taken in, a sample (办法第八条).
    EvidenceRecorded(crate::evidence::Item),
    /// The party asks that `officer` step aside (申请回避).
    RecusalRequested {
        at: Timestamp,
        officer: String,
        reason: String,
    },
    /// The 负责人's decision on that request.
    RecusalDecided {
        at: Timestamp,
        officer: String,
        by: String,
        granted: bool,
        opinion: String,
    },
    /// The 处理决定 on evidence under 先行登记保存 (return, test, seize, confiscate…).
    PreservationHandled {
        label: String,
        at: Timestamp,
        measure: String,
    },
    Concluded(Report),
    /// 承办机构拟作出决定 (办法第九条第（二）项): the handling unit's draft decision on the
    /// 案件处理审批表, with its head's opinion and date.
    Proposed {
        at: Timestamp,
        unit: Opinion,
        proposal: Penalty,
    },
    LegalReviewed {
        at: Timestamp,
        reviewer: String,
        passed: bool,
        opinion: String,
        /// The reviewer's account (`user:<id>`) and their SM2 signature of the review (see
        /// [`Opinion::signature`]); empty in entries written before reviews were signed.
        person: String,
        key_id: String,
        signature: String,
    },
    /// 负责人集体讨论: who took part and what they concluded, the 集体讨论记录 the members
    /// confirmed (`document-id@content-sm3`), and the 负责人 who recorded it with their own key.
    Discussed {
        at: Timestamp,
        members: Vec<String>,
        conclusion: Penalty,
        record: String,
        person: String,
        key_id: String,
        signature: String,
        /// When the 负责人 signed it, by the server's clock (`at` is the meeting's time, as the
        /// record gives it); `None` in entries written before.
        signed_at: Option<Timestamp>,
    },
    NoticeServed(Notice),
    StatementHeard {
        at: Timestamp,
        statement: String,
        reexamination: String,
    },
    Waived(Waiver),
    HearingRequested {
        at: Timestamp,
    },
    HearingScheduled {
        notified_at: Timestamp,
        hearing_on: Date,
        host: String,
    },
    HearingHeld(Hearing),
    /// 终止听证: why (the party's absence or walking out), recorded.
    HearingTerminated {
        at: Timestamp,
        reason: String,
    },
    Decided {
        at: Timestamp,
        approver: Opinion,
        doc: DecisionDoc,
        late_explanation: String,
    },
    /// The party applied for 行政复议 or sued.
    ReliefSought(crate::execution::Relief),
    ReliefConcluded {
        at: Timestamp,
        outcome: crate::execution::ReliefOutcome,
        changed_fine_fen: Option<u64>,
    },
    /// 暂缓或者分期缴纳罚款 approved (R-090b).
    PaymentDeferred(crate::execution::Deferral),
    /// One instalment paid; the last one settles the fine.
    InstalmentPaid {
        at: Timestamp,
        receipt_no: String,
        amount_fen: u64,
    },
    /// The party performed the order; two officers verified it (复查).
    OrderPerformed {
        at: Timestamp,
        verified_by: Vec<String>,
        record: String,
    },
    /// The 强制拆除 public notice with its deadline for demolishing oneself (R-095e).
    DemolitionAnnounced {
        at: Timestamp,
        notice_no: String,
        place: String,
        deadline: Date,
    },
    SubstituteDecided(crate::execution::SubstituteDecision),
    /// The 催告 three working days before the substitute performance (T-22).
    SubstituteReminded {
        at: Timestamp,
        service: Service,
    },
    SubstitutePerformed(crate::execution::SubstitutePerformance),
    /// 没收财物处理: how the confiscated property was dealt with.
    PropertyDisposed(PropertyDisposal),
    /// 不予行政处罚 (or 移送司法机关) decided.
    NotPenalised {
        at: Timestamp,
        approver: Opinion,
        ground: NoPenaltyGround,
        reasons: String,
        /// For a transfer to the judicial organs.
        transfer: Option<Transfer>,
    },
    /// The decision served; `at` is the date of service in law, the receipt says how.
    Served {
        at: Timestamp,
        service: Service,
    },
    /// The 催告书 served; `at` is the date of service in law.
    DemandServed {
        at: Timestamp,
        demand: crate::execution::Demand,
    },
    DemandStatementHeard {
        at: Timestamp,
        statement: String,
        reexamination: String,
    },
    CourtApplied(crate::execution::CourtApplication),
    EnforcementDecided(crate::execution::EnforcementDecision),
    Enforced {
        at: Timestamp,
        urgent: bool,
        av_ref: String,
        result: String,
    },
    CourtRuled {
        at: Timestamp,
        ruling_no: String,
        enforce: bool,
    },
    Paid {
        at: Timestamp,
        receipt_no: String,
    },
    Closed {
        approval: Approval,
        at: Timestamp,
    },
    /// A recorded date corrected: the original stays in the log, this entry names it.
    DateCorrected(crate::correction::DateCorrection<Anchor>),
}

pub type Decision = Result<(Event, Vec<Violation>), CommandError>;

/// An ordinary-procedure penalty case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ordinary {
    /// When it was closed (结案): the 30 days to file it run from here (办法第二十五条).
    pub closed_at: Option<Timestamp>,
    pub lead: Lead,
    pub state: State,
    pub version: u64,
    pub filed_at: Option<Timestamp>,
    pub investigators: Vec<String>,
    pub party: Option<crate::party::Party>,
    pub acts: Vec<OnSiteAct>,
    pub evidence: Vec<crate::evidence::Item>,
    /// 先行登记保存 items handled: (label, when).
    pub preservations_handled: Vec<(String, Timestamp)>,
    /// Recusal requests: (officer, decided with `granted`).
    pub recusals: Vec<(String, Option<bool>)>,
    pub report: Option<Report>,
    /// The handling unit's draft decision.
    pub proposed: Option<Penalty>,
    pub review_passed_at: Option<Timestamp>,
    pub discussion: Option<Penalty>,
    /// The 集体讨论记录s discussions rested on (`document-id@content-sm3`).
    pub discussion_records: Vec<String>,
    /// The latest step a decision rests on (proposal, review, discussion, notice, statement,
    /// waiver, hearing) and when: a decision is not dated before it (R-064b).
    pub rests_on: Option<(Timestamp, &'static str)>,
    /// When each recusal was asked for (officer, time): decided no earlier (R-064b).
    pub recusals_asked: Vec<(String, Timestamp)>,
    pub notice: Option<Notice>,
    pub statements: u32,
    pub waived: bool,
    pub hearing_requested: bool,
    pub hearing_on: Option<Date>,
    pub hearing_held_at: Option<Timestamp>,
    /// The 听证笔录's number.
    pub hearing_transcript: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub penalty: Option<Penalty>,
    /// When confiscated property was dealt with.
    pub property_disposed_at: Option<Timestamp>,
    /// Reviews and lawsuits the party brought against the decision.
    pub reliefs: Vec<crate::execution::Relief>,
    /// An approved deferral or instalment plan, and what has been paid under it.
    pub deferral: Option<crate::execution::Deferral>,
    pub instalments_paid_fen: u64,
    /// The decision's order, and when the party performed it.
    pub order: Option<Order>,
    pub order_performed_at: Option<Timestamp>,
    /// The 强制拆除 notice: when, and the deadline it set (R-095e).
    pub demolition_notice: Option<(Timestamp, Date)>,
    /// The 代履行 reminder's date of service (T-22).
    pub substitute_reminded_at: Option<Timestamp>,
    /// Set when the decision was not to penalise (or to transfer the case).
    pub no_penalty: Option<NoPenaltyGround>,
    pub served_at: Option<Timestamp>,
    pub paid_at: Option<Timestamp>,
    pub demand_served_at: Option<Timestamp>,
    /// The 履行期限 the demand set.
    pub demand_deadline: Option<crate::time::Date>,
    pub court_applied_at: Option<Timestamp>,
    /// The court's ruling: `true` 裁定执行, `false` 裁定不予执行.
    pub court_enforce: Option<bool>,
    pub defects: Vec<Violation>,
}

pub(crate) fn wrong(state: State, action: &'static str) -> CommandError {
    CommandError::WrongState { state: state.label(), action }
}

/// a lead records its source, reason and when it was received.
pub fn register(lead: Lead) -> Decision {
    let mut found = Vec::new();
    if lead.initiation.reason.trim().is_empty() {
        found.push(R_010.violated("reason", "未填写启动原因"));
    }
    if let Some(p) = &lead.party {
        found.extend(crate::party::check(p, Some(lead.party_kind)));
    }
    found.extend(crate::entrustment::check(
        lead.entrusted.as_ref(),
        crate::matter::MatterKind::Penalty,
        &lead.matter,
        lead.initiation.received_at.shanghai_date(),
    ));
    let flags = rules::decide(found)?;
    Ok((Event::Registered(lead), flags))
}

impl Event {
    /// The step signed by `person` with key `key_id` (`signature`, hex DER): the unit's proposal
    /// or the legal review, whose signer the server knows and whose signature it made before
    /// the step was decided. Other events are returned as they are.
    /// `at`: when it was signed, by the server's clock (kept for the discussion, whose own time
    /// is the meeting's).
    pub fn signed_by(mut self, person: &str, key_id: &str, signature: &str, at: Timestamp) -> Event {
        if let Event::Discussed { signed_at, .. } = &mut self {
            *signed_at = Some(at);
        }
        match &mut self {
            Event::Proposed { unit: o, .. } => {
                (o.key_id, o.signature) = (key_id.to_string(), signature.to_string());
            }
            Event::LegalReviewed { person: p, key_id: k, signature: s, .. }
            | Event::Discussed { person: p, key_id: k, signature: s, .. } => {
                (*p, *k, *s) = (person.to_string(), key_id.to_string(), signature.to_string());
            }
            _ => {}
        }
        self
    }
}

impl Ordinary {
    pub fn new(lead: Lead) -> Ordinary {
        let party = lead.party.clone();
        Ordinary {
            lead,
            state: State::Lead,
            version: 1,
            closed_at: None,
            filed_at: None,
            investigators: Vec::new(),
            party,
            acts: Vec::new(),
            evidence: Vec::new(),
            preservations_handled: Vec::new(),
            recusals: Vec::new(),
            report: None,
            proposed: None,
            review_passed_at: None,
            discussion: None,
            discussion_records: Vec::new(),
            rests_on: None,
            recusals_asked: Vec::new(),
            notice: None,
            statements: 0,
            waived: false,
            hearing_requested: false,
            hearing_on: None,
            hearing_held_at: None,
            hearing_transcript: None,
            decided_at: None,
            penalty: None,
            no_penalty: None,
            property_disposed_at: None,
            reliefs: Vec::new(),
            deferral: None,
            instalments_paid_fen: 0,
            order: None,
            order_performed_at: None,
            demolition_notice: None,
            substitute_reminded_at: None,
            served_at: None,
            paid_at: None,
            demand_served_at: None,
            demand_deadline: None,
            court_applied_at: None,
            court_enforce: None,
            defects: Vec::new(),
        }
    }

    /// filing on an approval chain, within the limitation period.
    pub fn file(&self, approval: Approval, filed_at: Timestamp, violation_ended: Date, grave: bool) -> Decision {
        if self.state != State::Lead {
            return Err(wrong(self.state, "立案"));
        }
        let mut found = check_approval(&approval, "approval");
        found.extend(after_approval(approval.approver.date, filed_at, "立案"));
        // A violation is known to have ended by the day it is filed at the latest (R-064b).
        if violation_ended > filed_at.shanghai_date() {
            found.push(R_064B.violated("violation_ended", "违法行为终了日期晚于立案日期"));
        }
        let years = if grave { 5 } else { 2 };
        let discovered = self.lead.initiation.received_at.shanghai_date();
        if discovered.days() - violation_ended.days() > 365 * years + years / 4 + 1 {
            found.push(R_012.violated("violation_ended", format!("违法行为终了至发现已超过{years}年")));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Filed { approval, filed_at, violation_ended, grave }, flags))
    }

    /// R-011b: not filing needs the approval chain and its reasons.
    pub fn not_file(&self, approval: Approval, reasons: &str) -> Decision {
        if self.state != State::Lead {
            return Err(wrong(self.state, "不予立案"));
        }
        let mut found = check_approval(&approval, "approval");
        if reasons.trim().is_empty() {
            found.push(R_011B.violated("reasons", "未载明不予立案的理由"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::NotFiled { approval, reasons: reasons.to_string() }, flags))
    }

    /// R-011 (filed first) and R-001..R-003, R-142.
    pub fn investigate(&self, act: OnSiteAct) -> Decision {
        if self.state == State::Lead {
            return Err(rules::Refusal { violations: vec![R_011.violated("state", "尚未立案")] }.into());
        }
        if !matches!(self.state, State::Filed | State::Investigating) {
            return Err(wrong(self.state, "调查取证"));
        }
        let mut found = check_on_site(&act, crate::matter::MatterKind::Penalty);
        found.extend(self.check_not_recused(act.officers.iter().map(|p| &p.officer.id)));
        let flags = rules::decide(found)?;
        Ok((Event::Investigated(act), flags))
    }

    /// an inquiry, evidence taken in or a sample, by the case's investigators.
    /// who the case is against, identified before the decision names them.
    pub fn identify_party(&self, party: crate::party::Party) -> Decision {
        if !matches!(self.state, State::Lead | State::Filed | State::Investigating | State::Concluded) {
            return Err(wrong(self.state, "查明当事人"));
        }
        let flags = rules::decide(crate::party::check(&party, Some(self.lead.party_kind)))?;
        Ok((Event::PartyIdentified(party), flags))
    }

    pub fn record_evidence(&self, item: crate::evidence::Item) -> Decision {
        if self.state == State::Lead {
            return Err(rules::Refusal { violations: vec![R_011.violated("state", "尚未立案")] }.into());
        }
        if !matches!(self.state, State::Filed | State::Investigating) {
            return Err(wrong(self.state, "调查取证"));
        }
        let mut found = crate::evidence::check(&item, &self.investigators);
        found.extend(self.check_not_recused(item.officers().iter()));
        if self.evidence.iter().any(|e| e.label == item.label) {
            found.push(R_033.violated("label", format!("证据名称“{}”已使用，报告中无法唯一引用", item.label)));
        }
        let flags = rules::decide(found)?;
        Ok((Event::EvidenceRecorded(item), flags))
    }

    /// evidence under 先行登记保存 gets its handling decision (due within seven working days).
    pub fn handle_preservation(&self, label: &str, at: Timestamp, measure: &str) -> Decision {
        if matches!(self.state, State::Lead | State::NotFiled | State::Closed) {
            return Err(wrong(self.state, "先行登记保存处理"));
        }
        let mut found = Vec::new();
        let preserved = self.evidence.iter().find(|e| e.label == label);
        match preserved.map(|e| (&e.body, e.at)) {
            Some((crate::evidence::Body::Preservation(_), registered)) => {
                if at < registered {
                    found.push(R_028.violated("at", "处理决定早于登记保存"));
                }
            }
            _ => found.push(R_028.violated("label", format!("“{label}”不是先行登记保存的证据"))),
        }
        if self.preservations_handled.iter().any(|(l, _)| l == label) {
            found.push(R_028.violated("label", format!("“{label}”已作出处理决定")));
        }
        if measure.trim().is_empty() {
            found.push(R_028.violated("measure", "未载明处理措施"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::PreservationHandled { label: label.to_string(), at, measure: measure.to_string() }, flags))
    }

    /// 申请回避 (办法第八条第（九）项) against the officer `officer` (an officer id), recorded at any
    /// time before the decision.
    pub fn request_recusal(&self, at: Timestamp, officer: &str, reason: &str) -> Decision {
        if matches!(
            self.state,
            State::Lead | State::NotFiled | State::Decided | State::Served | State::Paid | State::Closed
        ) {
            return Err(wrong(self.state, "申请回避"));
        }
        let mut found = Vec::new();
        if officer.trim().is_empty() {
            found.push(R_004.violated("officer", "未记录申请回避的执法人员"));
        }
        if self.recusals.iter().any(|(o, d)| o == officer && d.is_none()) {
            return Err(wrong(self.state, "申请回避（同一人员的申请尚未决定）"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::RecusalRequested { at, officer: officer.to_string(), reason: reason.to_string() }, flags))
    }

    /// The 负责人 decides a pending recusal request.
    pub fn decide_recusal(&self, at: Timestamp, officer: &str, by: &str, granted: bool, opinion: &str) -> Decision {
        if !self.recusals.iter().any(|(o, d)| o == officer && d.is_none()) {
            return Err(wrong(self.state, "回避决定（无待决的回避申请）"));
        }
        let mut found = Vec::new();
        if by.trim().is_empty() || opinion.trim().is_empty() {
            found.push(R_004.violated("by", "回避决定须由负责人签署意见"));
        }
        if self.recusals_asked.iter().any(|(o, asked)| o == officer && at < *asked) {
            found.push(R_064B.violated("at", "回避决定时间早于回避申请时间"));
        }
        let flags = rules::decide(found)?;
        Ok((
            Event::RecusalDecided {
                at,
                officer: officer.to_string(),
                by: by.to_string(),
                granted,
                opinion: opinion.to_string(),
            },
            flags,
        ))
    }

    /// R-004b: officers whose recusal was granted take no further part.
    fn check_not_recused<'a>(&self, officers: impl Iterator<Item = &'a String>) -> Vec<Violation> {
        let mut recused: Vec<&String> =
            officers.filter(|id| self.recusals.iter().any(|(o, d)| o == *id && *d == Some(true))).collect();
        recused.sort_unstable();
        recused.dedup();
        recused.into_iter().map(|id| R_004B.violated("officers", format!("执法人员 {id} 已决定回避"))).collect()
    }

    /// 先行登记保存 items still waiting for their handling decision.
    pub fn unhandled_preservations(&self) -> impl Iterator<Item = &crate::evidence::Item> {
        self.evidence.iter().filter(|e| {
            matches!(e.body, crate::evidence::Body::Preservation(_))
                && !self.preservations_handled.iter().any(|(l, _)| *l == e.label)
        })
    }

    /// the closing report is complete. R-031: it rests on no unlawfully obtained evidence.
    pub fn conclude(&self, report: Report) -> Decision {
        if self.state != State::Investigating {
            return Err(wrong(self.state, "调查终结"));
        }
        let mut found = Vec::new();
        for (field, value, what) in [
            ("facts", &report.facts, "违法事实"),
            ("legal_basis", &report.legal_basis, "法律依据"),
            ("discretion", &report.discretion, "自由裁量理由"),
        ] {
            if value.trim().is_empty() {
                found.push(R_033.violated(field, format!("未载明{what}")));
            }
        }
        if report.evidence.iter().all(|e| e.trim().is_empty()) {
            found.push(R_033.violated("evidence", "未列明证据"));
        }
        for label in &report.evidence {
            match self.evidence.iter().find(|e| &e.label == label) {
                Some(e) if !e.usable() => {
                    found.push(R_031.violated("evidence", format!("“{label}”系以非法手段取得")));
                }
                Some(_) => {}
                None if label.trim().is_empty() => {}
                None => found.push(R_069.violated("evidence", format!("“{label}”未在本案登记为证据"))),
            }
        }
        let flags = rules::decide(found)?;
        Ok((Event::Concluded(report), flags))
    }

    /// the handling unit's draft decision (办法第九条第（二）项), its head's opinion and
    /// date, once the report is in and before the party is told of it.
    pub fn propose(&self, at: Timestamp, unit: Opinion, proposal: Penalty) -> Decision {
        if self.state != State::Concluded || self.proposed.is_some() {
            return Err(wrong(self.state, "承办机构拟作出决定"));
        }
        let mut found = Vec::new();
        let name = unit.by.trim();
        if name.is_empty() || unit.opinion.trim().is_empty() || unit.opinion.trim() == name {
            found.push(R_060.violated("unit", "承办机构负责人未签署意见（不得只签姓名）"));
        }
        if unit.date > at.shanghai_date() {
            found.push(R_060.violated("unit", "签署日期晚于拟作出决定的日期"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Proposed { at, unit, proposal }, flags))
    }

    /// 法制审核 (办法第九条第（三）项), after the report or after a hearing.
    /// a reviewer with the legal qualification; R-131: an opinion.
    pub fn legal_review(&self, at: Timestamp, reviewer: &Officer, passed: bool, opinion: &str) -> Decision {
        if !matches!(self.state, State::Concluded | State::HearingHeld | State::HearingTerminated | State::NoticeServed)
        {
            return Err(wrong(self.state, "法制审核"));
        }
        let mut found = Vec::new();
        // The review is of the handling unit's proposal (domain.md P7 → P8): none before it.
        if self.state == State::Concluded && self.proposed.is_none() {
            found.push(R_060.violated("proposal", "法制审核须在承办机构提出拟作出的决定之后"));
        }
        // One passing review stands until a hearing asks for another: a second would
        // let a later opinion silently replace the one the decision rested on.
        if let Some(passed) = self.review_passed_at
            && self.hearing_held_at.is_none_or(|h| passed >= h)
        {
            found.push(R_061.violated("legal_review", "本案已经法制审核通过；听证后方须重新审核"));
        }
        if !reviewer.legal_qualification {
            found.push(R_005.violated("reviewer", format!("{}未取得法律职业资格", reviewer.name)));
        }
        if self.investigators.contains(&reviewer.id) {
            found.push(R_007.violated("reviewer", format!("{}参与了本案调查，不得审核本案", reviewer.name)));
        }
        if opinion.trim().is_empty() || opinion.trim() == reviewer.name.trim() {
            found.push(R_131.violated("opinion", "法制审核须有审核意见（不得只签姓名）"));
        }
        let flags = rules::decide(found)?;
        Ok((
            Event::LegalReviewed {
                at,
                reviewer: reviewer.name.clone(),
                passed,
                opinion: opinion.to_string(),
                person: String::new(),
                key_id: String::new(),
                signature: String::new(),
            },
            flags,
        ))
    }

    /// 集体讨论: at least three of the office's heads, with a conclusion, resting on a
    /// 集体讨论记录 (`record`) no earlier discussion rested on, held after the notice was served.
    pub fn discuss(&self, at: Timestamp, members: &[String], conclusion: Penalty, record: &str) -> Decision {
        if !matches!(
            self.state,
            State::NoticeServed
                | State::HearingHeld
                | State::HearingRequested
                | State::HearingScheduled
                | State::HearingTerminated
        ) {
            return Err(wrong(self.state, "集体讨论"));
        }
        let mut found = Vec::new();
        let mut distinct: Vec<&String> = members.iter().filter(|m| !m.trim().is_empty()).collect();
        distinct.sort();
        distinct.dedup();
        if distinct.len() < MIN_DISCUSSION_MEMBERS {
            found.push(R_062.violated("members", format!("集体讨论仅有 {} 名负责人参加", distinct.len())));
        }
        if record.trim().is_empty() {
            found.push(R_062.violated("record", "集体讨论须有参加人员确认的集体讨论记录"));
        } else if self.discussion_records.iter().any(|r| r == record) {
            found.push(R_062.violated("record", "该集体讨论记录已记录为一次集体讨论；再次讨论须另行形成记录"));
        }
        if let Some(n) = &self.notice
            && at < n.served_at
        {
            found.push(R_064B.violated("at", "集体讨论时间早于事先告知书送达时间"));
        }
        let flags = rules::decide(found)?;
        let event = Event::Discussed {
            at,
            members: members.to_vec(),
            conclusion,
            record: record.to_string(),
            person: String::new(),
            key_id: String::new(),
            signature: String::new(),
            signed_at: None,
        };
        Ok((event, flags))
    }

    /// The surcharge due on an unpaid fine at `now` (行政处罚法第七十二条): 3% of the fine a day
    /// after the fifteen days (or the end of an approved deferral, R-090b), never more than
    /// the fine.
    pub fn surcharge_fen(&self, now: Timestamp, cal: &WorkCalendar) -> Result<u64, crate::calendar::CalendarError> {
        let (Some(Penalty::Fine(fine)), Some(due), None) = (self.penalty, self.fine_due(cal), self.paid_at) else {
            return Ok(0);
        };
        let due = due?;
        if now <= due {
            return Ok(0);
        }
        let days = (now.shanghai_date().days() - due.shanghai_date().days()).max(0)
            - self.relief_days(due.shanghai_date(), now.shanghai_date());
        let days = days.max(0) as u64;
        Ok((fine.saturating_mul(3).saturating_mul(days) / 100).min(fine))
    }

    /// R-040 (contents) and R-042 (the hearing right above the threshold).
    pub fn serve_notice(&self, notice: Notice) -> Decision {
        if self.state != State::Concluded {
            return Err(wrong(self.state, "送达事先告知书"));
        }
        let mut found = crate::service::check(&notice.service);
        if self.proposed.is_none() {
            found.push(R_060.violated("proposal", "告知前须有承办机构拟作出的决定"));
        }
        if let Some(at) = notice.service.served_at()
            && at != notice.served_at
        {
            found.push(R_081.violated("served_at", "送达日期与送达回证不符"));
        }
        if notice.facts.trim().is_empty() || notice.reasons.trim().is_empty() || notice.legal_basis.trim().is_empty() {
            found.push(R_040.violated("notice", "告知书须载明事实、理由和依据"));
        }
        if notice.statement_days == 0 {
            found.push(R_040.violated("statement_days", "须给予陈述申辩期限"));
        }
        let threshold = match self.lead.party_kind {
            PartyKind::Citizen => self.lead.thresholds.citizen_fen,
            PartyKind::Organisation => self.lead.thresholds.organisation_fen,
        };
        if notice.penalty.needs_hearing_right(threshold) && !notice.hearing_right_told {
            found.push(
                R_042.violated("hearing_right_told", format!("拟作出{}，未告知听证权利", notice.penalty.label())),
            );
        }
        let flags = rules::decide(found)?;
        Ok((Event::NoticeServed(notice), flags))
    }

    /// each statement is re-examined.
    pub fn hear_statement(&self, at: Timestamp, statement: &str, reexamination: &str) -> Decision {
        if self.state != State::NoticeServed {
            return Err(wrong(self.state, "听取陈述申辩"));
        }
        let mut found = Vec::new();
        if reexamination.trim().is_empty() {
            found.push(R_041.violated("reexamination", "未对陈述申辩进行复核"));
        }
        let flags = rules::decide(found)?;
        Ok((
            Event::StatementHeard { at, statement: statement.to_string(), reexamination: reexamination.to_string() },
            flags,
        ))
    }

    /// an explicit waiver, in writing signed by the party or on A/V.
    pub fn waive(&self, waiver: Waiver) -> Decision {
        if self.state != State::NoticeServed {
            return Err(wrong(self.state, "放弃陈述申辩"));
        }
        let mut found = Vec::new();
        if !waiver.signed_statement && waiver.av_ref.trim().is_empty() {
            found.push(R_051.violated("signed_statement", "无当事人签名的书面放弃声明或音像记录"));
        }
        if let Some(n) = &self.notice
            && waiver.at < n.served_at
        {
            found.push(R_051.violated("at", "放弃陈述申辩早于告知书送达"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Waived(waiver), flags))
    }

    /// within five working days of the notice, and only if the right was told.
    pub fn request_hearing(&self, at: Timestamp, cal: &WorkCalendar) -> Decision {
        let Some(notice) = self.notice.as_ref().filter(|_| self.state == State::NoticeServed) else {
            return Err(wrong(self.state, "申请听证"));
        };
        let mut found = Vec::new();
        let due = cal.due(notice.served_at, Period::WorkingDays(5))?;
        if at > due || !notice.hearing_right_told {
            found.push(R_043.violated("at", "听证申请超过告知后五个工作日，或本案未告知听证权利"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::HearingRequested { at }, flags))
    }

    /// R-044 (seven working days' notice) and R-006 (a host who did not investigate).
    pub fn schedule_hearing(
        &self,
        notified_at: Timestamp,
        hearing_on: Date,
        host: &str,
        cal: &WorkCalendar,
    ) -> Decision {
        if self.state != State::HearingRequested {
            return Err(wrong(self.state, "通知听证"));
        }
        let mut found = Vec::new();
        if cal.working_days_between(notified_at.shanghai_date(), hearing_on)? < 7 {
            found.push(R_044.violated("hearing_on", "听证通知与听证日期之间不足七个工作日"));
        }
        if host.trim().is_empty() || self.investigators.iter().any(|i| i == host) {
            found.push(R_006.violated("host", "听证主持人须为本案调查人员以外的人员"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::HearingScheduled { notified_at, hearing_on, host: host.to_string() }, flags))
    }

    /// R-045 (public), R-046 (agents), R-048 (the transcript signed by the participants).
    pub fn hold_hearing(&self, hearing: Hearing) -> Decision {
        if self.state != State::HearingScheduled {
            return Err(wrong(self.state, "举行听证"));
        }
        let flags = rules::decide(check_hearing(&hearing, true, R_048))?;
        Ok((Event::HearingHeld(hearing), flags))
    }

    /// the party stayed away without good reason, or left without leave — the hearing
    /// ends, the reason is recorded, and the hearing right counts as waived (INFO: advice, not a
    /// defect). R-048 still wants the reason on record.
    pub fn terminate_hearing(&self, at: Timestamp, reason: &str) -> Decision {
        if self.state != State::HearingScheduled {
            return Err(wrong(self.state, "终止听证"));
        }
        if reason.trim().is_empty() {
            return Err(rules::Refusal {
                violations: vec![R_048.violated("reason", "终止听证须在笔录中记明理由")]
            }
            .into());
        }
        let advice = vec![R_047.violated("reason", "视为放弃听证权利，可依法作出决定")];
        Ok((Event::HearingTerminated { at, reason: reason.to_string() }, rules::decide(advice)?))
    }

    /// R-004 (no recusal pending) and R-063 (the head's opinion, not a bare name) for any
    /// decision on the case.
    fn head_sign_off(&self, approver: &Opinion) -> Vec<Violation> {
        let mut found = Vec::new();
        if self.recusals.iter().any(|(_, d)| d.is_none()) {
            found.push(R_004.violated("recusal", "回避申请尚未决定"));
        }
        let name = approver.by.trim();
        if name.is_empty() || approver.opinion.trim().is_empty() || approver.opinion.trim() == name {
            found.push(R_063.violated("approver", "负责人未签署审批意见"));
        }
        found
    }

    /// 不予行政处罚 or 移送司法机关 (domain.md P15'; 行政处罚法第三十三条、第五十七条): on the head's
    /// approval with the ground and its reasons; major cases after the legal review
    /// . No prior notice is needed, since nothing is imposed; the decision is then served.
    pub fn decide_no_penalty(
        &self,
        at: Timestamp,
        approver: Opinion,
        ground: NoPenaltyGround,
        reasons: &str,
        transfer: Option<Transfer>,
    ) -> Decision {
        if !matches!(
            self.state,
            State::Concluded
                | State::NoticeServed
                | State::HearingRequested
                | State::HearingScheduled
                | State::HearingHeld
                | State::HearingTerminated
        ) {
            return Err(wrong(self.state, "作出不予处罚决定"));
        }
        let mut found = self.head_sign_off(&approver);
        found.extend(self.before_its_basis(at));
        found.extend(after_approval(approver.date, at, "决定"));
        if self.proposed.is_none() {
            found.push(R_060.violated("proposal", "未记录承办机构拟作出的决定"));
        }
        if reasons.trim().is_empty() {
            found.push(R_063.violated("reasons", format!("未载明{}的事实和理由", ground.label())));
        }
        if self.lead.major && self.review_passed_at.is_none() {
            found.push(R_061.violated("legal_review", "重大案件须经法制审核通过"));
        }
        match (&transfer, ground) {
            (None, NoPenaltyGround::TransferToJudicial) => {
                found.push(R_070.violated("transfer", "未制作涉嫌犯罪案件移送书"));
            }
            (Some(t), NoPenaltyGround::TransferToJudicial) => {
                if t.doc_no.trim().is_empty() || t.organ.trim().is_empty() {
                    found.push(R_070.violated("transfer", "移送书须载明文号和接收的司法机关"));
                }
                if self.evidence.iter().any(|e| matches!(e.body, crate::evidence::Body::Preservation(_)))
                    && t.property_notice.trim().is_empty()
                {
                    found.push(R_070.violated("property_notice", "登记保存的财物随案移交，须书面告知当事人"));
                }
            }
            (Some(_), _) => found.push(R_070.violated("transfer", "仅移送司法机关时制作移送书")),
            (None, _) => {}
        }
        let flags = rules::decide(found)?;
        Ok((Event::NotPenalised { at, approver, ground, reasons: reasons.to_string(), transfer }, flags))
    }

    /// The gates of the decision: G-P-1, G-P-2, G-P-3,
    /// G-P-5, R-063 and R-065.
    pub fn decide(
        &self,
        at: Timestamp,
        approver: Opinion,
        doc: DecisionDoc,
        late_explanation: &str,
        cal: &WorkCalendar,
    ) -> Decision {
        if !matches!(
            self.state,
            State::NoticeServed
                | State::HearingRequested
                | State::HearingScheduled
                | State::HearingHeld
                | State::HearingTerminated
        ) {
            if self.state == State::Concluded {
                return Err(rules::Refusal {
                    violations: vec![R_040.violated("state", "尚未送达事先告知书")]
                }
                .into());
            }
            return Err(wrong(self.state, "作出处罚决定"));
        }
        let mut found = Vec::new();
        let notice = self.notice.as_ref().ok_or_else(|| wrong(self.state, "作出处罚决定"))?;
        if at < notice.served_at {
            found.push(R_064B.violated("at", "决定时间早于事先告知书送达时间"));
        } else {
            found.extend(self.before_its_basis(at));
        }
        let period_end = cal.due(notice.served_at, Period::WorkingDays(notice.statement_days))?;
        if self.statements == 0 && !self.waived && at <= period_end && self.hearing_held_at.is_none() {
            found.push(R_041.violated("at", "陈述申辩期限未届满，当事人亦未陈述申辩或放弃"));
        }
        if doc.penalty.heavier_than(notice.penalty) {
            found.push(R_041.violated("penalty", "决定的处罚重于告知的处罚，须重新告知"));
        }
        if self.hearing_requested && self.hearing_held_at.is_none() && self.state != State::HearingTerminated {
            found.push(R_043.violated("state", "当事人已按时申请听证，尚未举行"));
        }
        // Major by the matter or the lead, or by the penalty itself (吊销、停产停业…).
        let major = self.lead.major || doc.penalty.is_grave();
        match (self.review_passed_at, self.hearing_held_at) {
            (None, None) if major => {
                let why = if self.lead.major {
                    "重大案件"
                } else {
                    "吊销许可证件、责令停产停业等重大处罚"
                };
                found.push(R_061.violated("legal_review", format!("{why}须经法制审核通过")));
            }
            (r, Some(h)) if r.is_none_or(|r| r < h) => {
                found.push(R_049.violated("legal_review", "经过听证的，须在听证后经法制审核"));
            }
            _ => {}
        }
        if let Some(no) = &self.hearing_transcript
            && doc.hearing_transcript.trim() != no.trim()
        {
            found.push(R_049.violated("hearing_transcript", format!("决定书未依据听证笔录（{no}）作出")));
        }
        if major {
            match self.discussion {
                None => found.push(R_062.violated("discussion", "重大案件须经负责人集体讨论")),
                Some(c) if c != doc.penalty => found.push(R_062.violated("penalty", "决定与集体讨论结论不一致")),
                Some(_) => {}
            }
        }
        // The decision is the one approved: the unit's proposal the 负责人 signed off, or what
        // a collective discussion concluded instead (办法第九条; 行政处罚法第五十七条).
        let approved = self.discussion.or(self.proposed);
        if !major && approved.is_some_and(|p| p != doc.penalty) {
            found.push(R_063.violated(
                "penalty",
                format!(
                    "决定的处罚（{}）与经审批的处理意见不一致；变更的须重新提出并审批，或经集体讨论",
                    doc.penalty.label()
                ),
            ));
        }
        found.extend(self.head_sign_off(&approver));
        found.extend(after_approval(approver.date, at, "决定"));
        if doc.doc_no.trim().is_empty()
            || doc.facts.trim().is_empty()
            || doc.legal_basis.trim().is_empty()
            || doc.performance_days == 0
            || !doc.relief_route_stated
            || !doc.sealed
        {
            found.push(R_065.violated("doc", "决定书缺少文号、事实、依据、履行期限、救济途径或印章"));
        }
        if let Some(o) = &doc.order
            && (o.content.trim().is_empty() || o.deadline.end() <= at)
        {
            found.push(R_065.violated("order", "责令履行的内容或期限未载明（期限须在决定之后）"));
        }
        if self.party.is_none() {
            found.push(R_016.violated("party", "决定书须载明当事人，本案尚未查明当事人"));
        }
        // Within 90 plain days needs no calendar; past them, the rest-day extension decides.
        if let Some(filed) = self.filed_at.filter(|f| at > f.shanghai_date().plus_days(90).end()) {
            let due = cal.due(filed, Period::CalendarDays(90))?;
            if at > due {
                if late_explanation.trim().is_empty() {
                    return Err(rules::Refusal {
                        violations: vec![R_066.violated("late_explanation", "已超过立案后九十日，须书面说明理由")],
                    }
                    .into());
                }
                found.push(R_066.violated("late_explanation", "超过立案后九十日作出决定"));
            }
        }
        let flags = rules::decide(found)?;
        Ok((Event::Decided { at, approver, doc, late_explanation: late_explanation.to_string() }, flags))
    }

    /// within seven working days of the decision (a late service is a FLAG).
    /// ..R-088: the receipt fits its method (办法第十七条). R-082: served within seven
    /// working days, counted to the date the law takes as the date of service.
    pub fn serve(&self, service: Service, cal: &WorkCalendar) -> Decision {
        let Some(decided) = self.decided_at.filter(|_| self.state == State::Decided) else {
            return Err(wrong(self.state, "送达决定书"));
        };
        let mut found = crate::service::check(&service);
        let at = service.served_at();
        if let Some(at) = at
            && at < decided
        {
            found.push(R_064B.violated("at", "送达时间早于作出决定的时间"));
        }
        if let Some(at) = at
            && at > cal.due(decided, Period::WorkingDays(7))?
        {
            found.push(R_082.violated("at", format!("{}超过七个工作日送达", service.method.label())));
        }
        let flags = rules::decide(found)?;
        let Some(at) = at else {
            // check() refused every service without a date of service.
            return Err(wrong(self.state, "送达决定书"));
        };
        Ok((Event::Served { at, service }, flags))
    }

    pub fn pay(&self, at: Timestamp, receipt_no: &str) -> Decision {
        if !self.payable() {
            return Err(wrong(self.state, "缴纳罚款"));
        }
        let mut found = Vec::new();
        if receipt_no.trim().is_empty() {
            found.push(R_090.violated("receipt_no", "未记录缴款凭证"));
        }
        if self.served_at.is_some_and(|s| at < s) {
            found.push(R_064B.violated("at", "缴款时间早于决定书送达时间"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Paid { at, receipt_no: receipt_no.to_string() }, flags))
    }

    /// R-131 (the closing approval) and R-090 (a fine paid).
    pub fn close(&self, approval: Approval, at: Timestamp) -> Decision {
        let mut found = check_approval(&approval, "approval");
        found.extend(after_approval(approval.approver.date, at, "结案"));
        if self.relief_pending() {
            found.push(R_091.violated("relief", "行政复议或者行政诉讼尚未审结，未记录其结果"));
        }
        match self.state {
            State::Paid
            | State::Performed
            | State::Revoked
            | State::NotFiled
            | State::CourtRuled
            | State::Enforced
            | State::Substituted => found.extend(self.unperformed()),
            State::Served
            | State::Demanded
            | State::CourtApplied
            | State::EnforcementDecided
            | State::SubstituteDecided => found.extend(self.unperformed()),
            State::Closed => return Err(wrong(self.state, "结案")),
            _ => return Err(wrong(self.state, "结案")),
        }
        for e in self.unhandled_preservations() {
            found.push(R_028.violated("evidence", format!("“{}”尚未作出处理决定", e.label)));
        }
        if matches!(self.penalty, Some(Penalty::Confiscation(_))) && self.property_disposed_at.is_none() {
            found.push(R_094.violated("state", "没收的财物尚未处理"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Closed { approval, at }, flags))
    }

    /// confiscated property auctioned or otherwise dealt with under state rules on
    /// approval; a destruction before two witnesses and on A/V; proceeds to the treasury.
    pub fn dispose_property(&self, d: PropertyDisposal) -> Decision {
        if !matches!(self.penalty, Some(Penalty::Confiscation(_)))
            || self.property_disposed_at.is_some()
            || !matches!(self.state, State::Served | State::Paid | State::CourtRuled | State::Enforced)
        {
            return Err(wrong(self.state, "处理没收的财物"));
        }
        let mut found = Vec::new();
        if d.method.trim().is_empty() || d.approved_by.trim().is_empty() {
            found.push(R_094.violated("method", "未载明处理方式或未经批准"));
        }
        if d.method.contains("销毁")
            && (d.witnesses.iter().filter(|w| !w.trim().is_empty()).count() < 2 || d.av_ref.trim().is_empty())
        {
            found.push(R_094.violated("witnesses", "销毁须有两名以上见证人并全程音像记录"));
        }
        if d.method.contains("拍卖") && d.treasury_receipt.trim().is_empty() {
            found.push(R_094.violated("treasury_receipt", "拍卖所得款项未记录上缴国库凭证"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::PropertyDisposed(d), flags))
    }

    /// a recorded date is corrected by a new entry with the original value, a reason and
    /// the approver, never before the case closes; the corrected dates stay in order
    /// (filed ≤ decided ≤ served ≤ demanded), and a decision's service moved late is flagged
    /// . Deadlines follow, since they are computed from these dates.
    pub fn correct_date(
        &self,
        anchor: Anchor,
        to: Timestamp,
        reason: &str,
        approved_by: &str,
        cal: &WorkCalendar,
    ) -> Decision {
        let current = match anchor {
            Anchor::FiledAt => self.filed_at,
            Anchor::DecidedAt => self.decided_at,
            Anchor::ServedAt => self.served_at,
            Anchor::DemandServedAt => self.demand_served_at,
        };
        let (Some(from), false) = (current, self.state == State::Closed) else {
            return Err(wrong(self.state, "更正日期"));
        };
        // In the order of `Anchor`, which is the order of the procedure.
        let mut dates = [self.filed_at, self.decided_at, self.served_at, self.demand_served_at];
        dates[anchor as usize] = Some(to);
        let mut found = crate::correction::check(from, to, reason, approved_by, &dates, anchor.label());
        // Nor is the decision made or served after the fine was paid.
        if matches!(anchor, Anchor::DecidedAt | Anchor::ServedAt) && self.paid_at.is_some_and(|p| to > p) {
            found.push(crate::rules::R_133.violated("to", format!("更正后的{}晚于缴纳罚款的时间", anchor.label())));
        }
        // A demand only once the time to pay has run out (R-095a), as when it was served.
        if anchor == Anchor::DemandServedAt && self.fine_due(cal).transpose()?.is_some_and(|due| to <= due) {
            found.push(crate::rules::R_095A.violated("to", "更正后的催告日期在缴纳期限届满之前"));
        }
        // Filed before every step of the investigation and the decision's preparation; decided
        // not before a step the decision rests on.
        let after_filing = self
            .acts
            .iter()
            .map(|a| a.at)
            .chain(self.review_passed_at)
            .chain(self.notice.as_ref().map(|n| n.served_at))
            .chain(self.hearing_held_at)
            .chain(self.rests_on.map(|(t, _)| t))
            .min();
        if let (Anchor::FiledAt, Some(first)) = (anchor, after_filing)
            && to > first
        {
            found.push(crate::rules::R_133.violated("to", "更正后的立案日期晚于立案后的调查、审核或告知"));
        }
        if let (Anchor::DecidedAt, Some((rests, step))) = (anchor, self.rests_on)
            && to < rests
        {
            found.push(crate::rules::R_133.violated("to", format!("更正后的决定日期早于其所依据的{step}")));
        }
        if let (Some(decided), Some(served)) = (dates[1], dates[2])
            && matches!(anchor, Anchor::DecidedAt | Anchor::ServedAt)
            && served > cal.due(decided, Period::WorkingDays(7))?
        {
            found.push(R_082.violated("to", "更正后，决定书超过七个工作日送达"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::DateCorrected(crate::correction::DateCorrection::new(anchor, from, to, reason, approved_by)), flags))
    }

    /// The case's deadlines (domain.md §d): T-03 decision within 90 days of filing, T-04
    /// 先行登记保存 handling, T-05
    /// hearing request, T-08 service, T-11 payment.
    pub fn deadlines(&self, cal: &WorkCalendar) -> Vec<crate::calendar::Deadline> {
        use crate::calendar::Deadline;
        let mut out = Vec::new();
        if let Some(filed) = self.filed_at {
            out.push(Deadline {
                code: "T-03",
                label: "立案后九十日内作出处罚决定",
                source: "行政处罚法第六十条",
                due: cal.reminder_due(filed, Period::CalendarDays(90)),
                done_at: self.decided_at,
            });
        }
        for e in self.evidence.iter().filter(|e| matches!(e.body, crate::evidence::Body::Preservation(_))) {
            out.push(Deadline {
                code: "T-04",
                label: "先行登记保存后七个工作日内作出处理决定",
                source: "行政处罚法第五十六条、第八十五条",
                due: cal.due(e.at, Period::WorkingDays(7)),
                done_at: self.preservations_handled.iter().find(|(l, _)| *l == e.label).map(|(_, t)| *t),
            });
        }
        if let Some(d) = self.decided_at {
            out.push(Deadline {
                code: "T-08",
                label: "七个工作日内送达处罚决定书",
                source: "行政处罚法第六十一条、第八十五条",
                due: cal.due(d, Period::WorkingDays(7)),
                done_at: self.served_at,
            });
        }
        if let (Some(pay_due), Some(Penalty::Fine(_))) = (self.fine_due(cal), self.penalty) {
            let (label, source) = match self.deferral {
                None => ("罚款缴纳期限（十五日）", "行政处罚法第六十七条"),
                Some(_) => ("经批准暂缓或者分期缴纳罚款的期限", "行政处罚法第六十六条第二款"),
            };
            out.push(Deadline { code: "T-11", label, source, due: pay_due.clone(), done_at: self.paid_at });
            // Execution deadlines only for a fine not paid in time.
            let late = match (&pay_due, self.paid_at) {
                (_, None) => true,
                (Ok(due), Some(paid)) => paid > *due,
                (Err(_), Some(_)) => false,
            };
            if late {
                // T-18: thirty days of surcharge without a demand call for escalation.
                out.push(Deadline {
                    code: "T-18",
                    label: "加处罚款超过三十日仍未履行的，催告并申请强制执行",
                    source: "行政强制法第四十六条、第五十四条",
                    due: pay_due.and_then(|d| cal.reminder_due(d, Period::CalendarDays(30))),
                    done_at: self.paid_at.or(self.demand_served_at),
                });
            }
            // T-17: once a late fine is demanded, the court application within three months of
            // the end of the relief periods.
            if let (true, Some(expiry), Some(_)) = (late, self.court_window_opens(cal, true), self.demand_served_at) {
                out.push(Deadline {
                    code: "T-17",
                    label: "复议、诉讼期限届满之日起三个月内申请人民法院强制执行",
                    source: "行政强制法第五十三条；行政处罚法第七十二条",
                    due: expiry.and_then(|e| cal.reminder_due(e, Period::Months(3))),
                    done_at: self.paid_at.or(self.court_applied_at),
                });
            }
        }
        out
    }

    /// The time and name of a step a decision rests on, for `rests_on`.
    fn step_of(event: &Event) -> Option<(Timestamp, &'static str)> {
        Some(match event {
            Event::Proposed { at, .. } => (*at, "承办机构提出处理意见"),
            Event::LegalReviewed { at, .. } => (*at, "法制审核"),
            Event::Discussed { at, .. } => (*at, "集体讨论"),
            Event::NoticeServed(n) => (n.served_at, "事先告知书送达"),
            Event::StatementHeard { at, .. } => (*at, "听取陈述申辩"),
            Event::Waived(w) => (w.at, "放弃陈述申辩"),
            Event::HearingHeld(h) => (h.at, "听证"),
            Event::HearingTerminated { at, .. } => (*at, "终止听证"),
            _ => return None,
        })
    }

    /// R-064b: a decision dated before a step it rests on.
    fn before_its_basis(&self, at: Timestamp) -> Option<Violation> {
        let (step_at, step) = self.rests_on?;
        (at < step_at).then(|| R_064B.violated("at", format!("决定时间早于其所依据的{step}时间")))
    }

    pub fn apply(&mut self, event: &Event, flags: &[Violation]) {
        if let Some((at, step)) = Self::step_of(event)
            && self.rests_on.is_none_or(|(t, _)| at >= t)
        {
            self.rests_on = Some((at, step));
        }
        match event {
            Event::Registered(lead) => *self = Ordinary::new(lead.clone()),
            Event::Filed { filed_at, .. } => {
                self.filed_at = Some(*filed_at);
                self.state = State::Filed;
            }
            Event::NotFiled { .. } => self.state = State::NotFiled,
            Event::Investigated(act) => {
                for p in &act.officers {
                    if !self.investigators.contains(&p.officer.id) {
                        self.investigators.push(p.officer.id.clone());
                    }
                }
                self.acts.push(act.clone());
                self.state = State::Investigating;
            }
            Event::PartyIdentified(p) => self.party = Some(p.clone()),
            Event::RecusalRequested { officer, at, .. } => {
                self.recusals.push((officer.clone(), None));
                self.recusals_asked.push((officer.clone(), *at));
            }
            Event::RecusalDecided { officer, granted, .. } => {
                if let Some(r) = self.recusals.iter_mut().find(|(o, d)| o == officer && d.is_none()) {
                    r.1 = Some(*granted);
                }
            }
            Event::PreservationHandled { label, at, .. } => self.preservations_handled.push((label.clone(), *at)),
            Event::EvidenceRecorded(item) => {
                self.evidence.push(item.clone());
                self.state = State::Investigating;
            }
            Event::Concluded(r) => {
                self.report = Some(r.clone());
                self.state = State::Concluded;
            }
            Event::Proposed { proposal, .. } => self.proposed = Some(*proposal),
            Event::LegalReviewed { at, passed, .. } => {
                self.review_passed_at = if *passed { Some(*at) } else { None };
            }
            Event::Discussed { conclusion, record, .. } => {
                self.discussion = Some(*conclusion);
                self.discussion_records.push(record.clone());
            }
            Event::NoticeServed(n) => {
                self.notice = Some(n.clone());
                self.state = State::NoticeServed;
            }
            Event::StatementHeard { .. } => self.statements += 1,
            Event::Waived(_) => self.waived = true,
            Event::HearingRequested { .. } => {
                self.hearing_requested = true;
                self.state = State::HearingRequested;
            }
            Event::HearingScheduled { hearing_on, .. } => {
                self.hearing_on = Some(*hearing_on);
                self.state = State::HearingScheduled;
            }
            Event::HearingTerminated { .. } => {
                self.waived = true;
                self.state = State::HearingTerminated;
            }
            Event::HearingHeld(h) => {
                self.hearing_held_at = Some(h.at);
                self.hearing_transcript = Some(h.transcript_no.clone());
                self.state = State::HearingHeld;
            }
            Event::PropertyDisposed(d) => self.property_disposed_at = Some(d.at),
            Event::NotPenalised { at, ground, .. } => {
                self.decided_at = Some(*at);
                self.penalty = None;
                self.no_penalty = Some(*ground);
                self.state = State::Decided;
            }
            Event::Decided { at, doc, .. } => {
                self.decided_at = Some(*at);
                self.penalty = Some(doc.penalty);
                self.order = doc.order.clone();
                self.state = State::Decided;
            }
            Event::Served { at, .. } => {
                self.served_at = Some(*at);
                self.state = State::Served;
            }
            Event::DemandServed { at, demand } => {
                self.demand_served_at = Some(*at);
                self.demand_deadline = Some(demand.deadline);
                self.state = State::Demanded;
            }
            Event::DemandStatementHeard { .. } => {}
            Event::CourtApplied(app) => {
                self.court_applied_at = Some(app.at);
                self.state = State::CourtApplied;
            }
            Event::EnforcementDecided(_) => self.state = State::EnforcementDecided,
            Event::Enforced { .. } => self.state = State::Enforced,
            Event::CourtRuled { enforce, .. } => {
                self.court_enforce = Some(*enforce);
                self.state = State::CourtRuled;
            }
            Event::Paid { at, .. } => {
                self.paid_at = Some(*at);
                if !self.order_outstanding() {
                    self.state = if self.order.is_some() { State::Performed } else { State::Paid };
                }
            }
            Event::ReliefSought(r) => self.reliefs.push(r.clone()),
            Event::ReliefConcluded { at, outcome, changed_fine_fen } => {
                if let Some(r) = self.reliefs.iter_mut().find(|r| r.concluded.is_none()) {
                    r.concluded = Some((*at, *outcome, *changed_fine_fen));
                }
                match (outcome, changed_fine_fen) {
                    (crate::execution::ReliefOutcome::Revoked, _) => {
                        self.penalty = None;
                        self.order = None;
                        self.state = State::Revoked;
                    }
                    (crate::execution::ReliefOutcome::Changed, Some(fine)) => self.penalty = Some(Penalty::Fine(*fine)),
                    _ => {}
                }
            }
            Event::PaymentDeferred(d) => self.deferral = Some(d.clone()),
            Event::InstalmentPaid { at, amount_fen, .. } => {
                self.instalments_paid_fen = self.instalments_paid_fen.saturating_add(*amount_fen);
                if matches!(self.penalty, Some(Penalty::Fine(f)) if self.instalments_paid_fen >= f) {
                    self.paid_at = Some(*at);
                    if !self.order_outstanding() {
                        self.state = if self.order.is_some() { State::Performed } else { State::Paid };
                    }
                }
            }
            Event::OrderPerformed { at, .. } => {
                self.order_performed_at = Some(*at);
                if !self.fine_outstanding() {
                    self.state = State::Performed;
                }
            }
            Event::DemolitionAnnounced { at, deadline, .. } => self.demolition_notice = Some((*at, *deadline)),
            Event::SubstituteDecided(_) => self.state = State::SubstituteDecided,
            Event::SubstituteReminded { at, .. } => self.substitute_reminded_at = Some(*at),
            Event::SubstitutePerformed(_) => self.state = State::Substituted,
            Event::Closed { at, .. } => {
                self.state = State::Closed;
                self.closed_at = Some(*at);
            }
            Event::DateCorrected(crate::correction::DateCorrection { anchor, to, .. }) => {
                let slot = match anchor {
                    Anchor::FiledAt => &mut self.filed_at,
                    Anchor::DecidedAt => &mut self.decided_at,
                    Anchor::ServedAt => &mut self.served_at,
                    Anchor::DemandServedAt => &mut self.demand_served_at,
                };
                *slot = Some(*to);
            }
        }
        if !matches!(event, Event::Registered(_)) {
            self.version += 1;
        }
        self.defects.extend(rules::defects(flags));
    }
}
