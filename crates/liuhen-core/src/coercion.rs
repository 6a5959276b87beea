//! 行政强制措施 (coercive measures: 查封、扣押), domain.md §b.4: proposed, approved by the head
//! before execution (or, in an emergency, ratified within 24 hours); executed with the statutory
//! checklist, a decision document and inventory handed over on the spot, and full A/V; a term of
//! at most thirty days, extended once with approval and notice before it expires; disposed of
//! within the term, or released.

use crate::calendar::{Deadline, Period, WorkCalendar};
use crate::inspection::{OnSiteAct, check_on_site};
use crate::penalty::Opinion;
use crate::rules::{
    self, CommandError, R_080, R_100A, R_100B, R_100C, R_101, R_102, R_103, R_104, R_105, R_106, Violation,
};
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 查封.
    Seal,
    /// 扣押.
    Seize,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Seal => "seal",
            Kind::Seize => "seize",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "seal" => Some(Kind::Seal),
            "seize" => Some(Kind::Seize),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Confiscated,
    Destroyed,
    Released,
    Transferred,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Confiscated => "confiscated",
            Outcome::Destroyed => "destroyed",
            Outcome::Released => "released",
            Outcome::Transferred => "transferred",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Confiscated, Outcome::Destroyed, Outcome::Released, Outcome::Transferred]
            .into_iter()
            .find(|o| o.code() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Proposed,
    Approved,
    ActiveUnratified,
    Active,
    Disposed,
    Closed,
}

impl State {
    /// Every state, in the order of the procedure (a query naming another is refused).
    pub const ALL: &[State] =
        &[State::Proposed, State::Approved, State::ActiveUnratified, State::Active, State::Disposed, State::Closed];

    pub fn code(self) -> &'static str {
        match self {
            State::Proposed => "proposed",
            State::Approved => "approved",
            State::ActiveUnratified => "active_unratified",
            State::Active => "active",
            State::Disposed => "disposed",
            State::Closed => "closed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            State::Proposed => "已提出",
            State::Approved => "已批准",
            State::ActiveUnratified => "紧急实施待补批",
            State::Active => "实施中",
            State::Disposed => "已处理",
            State::Closed => "已结案",
        }
    }
}

/// The proposed measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    pub id: String,
    pub case_no: String,
    pub matter: String,
    pub kind: Kind,
    pub items: Vec<String>,
    pub reason: String,
    pub legal_basis: String,
    /// A coercive measure under an entrustment is refused (R-009, 行政强制法第十七条).
    pub entrusted: Option<crate::entrustment::Entrustment>,
    /// The party whose property is sealed or seized (R-016 checks what is given).
    pub party: Option<crate::party::Party>,
    /// What the officers confirm of the items.
    pub property: PropertyCheck,
}

/// 行政强制法第二十三条: what may be sealed or seized, as the proposal confirms it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertyCheck {
    /// Only property involved in the case (与违法行为无关的场所、设施或者财物除外).
    pub related_to_case: bool,
    /// Not the necessities of life of the party and the family they support.
    pub necessities_excluded: bool,
    /// Not already sealed by another state organ (不得重复查封).
    pub not_sealed_elsewhere: bool,
}

/// What 行政强制法第十八条 requires at the execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checklist {
    pub party_notified: bool,
    pub reasons_and_rights_told: bool,
    pub statements_heard: bool,
    /// 现场笔录 signed by the party, or the refusal/absence noted with a witness's signature.
    pub record_signed: bool,
}

/// The 查封（扣押）决定书 and 清单.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeasureDoc {
    pub term_days: u32,
    pub sealed: bool,
    pub relief_told: bool,
    pub inventory_copies: u32,
    pub handed_over: bool,
}

// Events are built once per command and replayed one at a time: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Proposed(Measure),
    Approved {
        approver: Opinion,
    },
    Executed {
        act: OnSiteAct,
        emergency: bool,
        checklist: Checklist,
        doc: MeasureDoc,
        av_full: bool,
    },
    Ratified {
        at: Timestamp,
        approved: bool,
        approver: String,
    },
    /// The extension and the written notice of it; `notice` is `None` only in entries written
    /// when the notice was a yes/no (then `notice_served`).
    Extended {
        at: Timestamp,
        days: u32,
        approver: String,
        notice_served: bool,
        notice: Option<crate::service::Service>,
    },
    /// The 处理决定 (没收、销毁、解除…) and its service; `service` is `None` only in entries
    /// written before the receipt was recorded with the decision.
    Disposed {
        at: Timestamp,
        outcome: Outcome,
        service: Option<crate::service::Service>,
    },
    Closed {
        at: Timestamp,
    },
    /// The execution time corrected; the original stays in the log.
    ExecutionTimeCorrected {
        from: Timestamp,
        to: Timestamp,
        reason: String,
        approved_by: String,
    },
}

pub type Decision = Result<(Event, Vec<Violation>), CommandError>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coercion {
    /// When it was closed (结案): the 30 days to file it run from here (办法第二十五条).
    pub closed_at: Option<Timestamp>,
    pub measure: Measure,
    pub state: State,
    pub version: u64,
    pub approved: bool,
    /// The day the 负责人 approved it (their opinion's date).
    pub approved_on: Option<crate::time::Date>,
    pub executed_at: Option<Timestamp>,
    pub emergency: bool,
    pub ratified_at: Option<Timestamp>,
    pub term_days: u32,
    pub extended: bool,
    pub disposed_at: Option<Timestamp>,
    pub outcome: Option<Outcome>,
    pub acts: Vec<OnSiteAct>,
    pub defects: Vec<Violation>,
}

fn wrong(state: State, action: &'static str) -> CommandError {
    CommandError::WrongState { state: state.label(), action }
}

pub fn propose(m: Measure) -> Decision {
    let mut found = Vec::new();
    if m.items.iter().all(|i| i.trim().is_empty()) || m.reason.trim().is_empty() || m.legal_basis.trim().is_empty() {
        found.push(R_102.violated("items", "须列明查封、扣押物品及理由、依据"));
    }
    for (ok, field, what) in [
        (m.property.related_to_case, "related_to_case", "只能查封、扣押涉案的场所、设施或者财物"),
        (m.property.necessities_excluded, "necessities_excluded", "不得查封、扣押公民个人及其所扶养家属的生活必需品"),
        (m.property.not_sealed_elsewhere, "not_sealed_elsewhere", "已被其他国家机关依法查封的，不得重复查封"),
    ] {
        if !ok {
            found.push(R_105.violated(field, what));
        }
    }
    found.extend(crate::entrustment::for_coercion(m.entrusted.as_ref()));
    if let Some(p) = &m.party {
        found.extend(crate::party::check(p, None));
    }
    let flags = rules::decide(found)?;
    Ok((Event::Proposed(m), flags))
}

impl Coercion {
    pub fn new(measure: Measure) -> Coercion {
        Coercion {
            measure,
            state: State::Proposed,
            version: 1,
            closed_at: None,
            approved: false,
            approved_on: None,
            executed_at: None,
            emergency: false,
            ratified_at: None,
            term_days: 0,
            extended: false,
            disposed_at: None,
            outcome: None,
            acts: Vec::new(),
            defects: Vec::new(),
        }
    }

    /// R-100a: the head's approval, with an opinion.
    pub fn approve(&self, approver: Opinion) -> Decision {
        if self.state != State::Proposed {
            return Err(wrong(self.state, "批准"));
        }
        let mut found = Vec::new();
        if approver.by.trim().is_empty()
            || approver.opinion.trim().is_empty()
            || approver.opinion.trim() == approver.by.trim()
        {
            found.push(R_100A.violated("approver", "负责人须签署批准意见"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Approved { approver }, flags))
    }

    /// R-100a (approved first, unless an emergency), R-101, R-102, R-103 (term), R-106, and
    /// R-001..R-003 for the act.
    pub fn execute(
        &self,
        act: OnSiteAct,
        emergency: bool,
        checklist: Checklist,
        doc: MeasureDoc,
        av_full: bool,
    ) -> Decision {
        if !matches!(self.state, State::Proposed | State::Approved) {
            return Err(wrong(self.state, "实施"));
        }
        let mut found = check_on_site(&act, crate::matter::MatterKind::Coercion);
        if !self.approved && !emergency {
            found.push(R_100A.violated("approval", "未经负责人批准"));
        }
        // Approved first (行政强制法第十八条第一项): not carried out before the day of approval —
        // an approved measure is no emergency, whatever the request says.
        if let Some(on) = self.approved_on
            && act.at.shanghai_date() < on
        {
            found.push(R_100A.violated("act.at", format!("实施时间早于负责人批准之日（{on}）")));
        }
        let Checklist { party_notified, reasons_and_rights_told, statements_heard, record_signed } = checklist;
        if !(party_notified && reasons_and_rights_told && statements_heard && record_signed) {
            found.push(
                R_101.violated("checklist", "未通知当事人到场、告知理由依据和权利、听取陈述申辩或现场笔录未签名"),
            );
        }
        if self.measure.party.is_none() {
            found.push(crate::rules::R_016.violated("party", "查封、扣押决定书须载明当事人，尚未记录当事人身份"));
        }
        if !(doc.sealed && doc.relief_told && doc.handed_over && doc.inventory_copies >= 2) {
            found.push(R_102.violated("doc", "决定书须加盖印章、载明救济途径并当场交付，清单一式二份"));
        }
        if doc.term_days == 0 || doc.term_days > 30 {
            found.push(R_103.violated("term_days", format!("期限 {} 日不在一至三十日之内", doc.term_days)));
        }
        if !av_full {
            found.push(R_106.violated("av_full", "查封、扣押须全程音像记录"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Executed { act, emergency, checklist, doc, av_full }, flags))
    }

    /// R-100b: ratified within 24 hours of an emergency execution. Past them it is not ratified
    /// any more: the 负责人 releases it (`approved: false`), the late report a defect (R-100c).
    pub fn ratify(&self, at: Timestamp, approved: bool, approver: &str) -> Decision {
        let Some(executed) = self.executed_at.filter(|_| self.state == State::ActiveUnratified) else {
            return Err(wrong(self.state, "补办批准"));
        };
        let mut found = Vec::new();
        let late = at > executed.plus_hours(24);
        if approver.trim().is_empty() || (late && approved) {
            found.push(R_100B.violated("at", "须在实施后二十四小时内向负责人报告并补办批准；已超过的，应当立即解除"));
        } else if late {
            found.push(R_100C.violated("at", "实施后超过二十四小时才报告负责人，已立即解除"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Ratified { at, approved, approver: approver.to_string() }, flags))
    }

    /// Whether `at` is within the measure's term (`None` before it is executed); decided
    /// without the year's calendar while the plain last day settles it.
    fn in_term(&self, at: Timestamp, cal: &WorkCalendar) -> Result<Option<bool>, CommandError> {
        let Some(executed) = self.executed_at else { return Ok(None) };
        Ok(Some(cal.within(executed, Period::CalendarDays(self.term_days), at)?))
    }

    /// once, at most thirty days, approved and told before the term ends.
    /// ..R-088: the written notice of the extension (延长查封、扣押决定书, with its
    /// reasons) reaches the party by a method of 办法第十七条.
    pub fn extend(
        &self,
        at: Timestamp,
        days: u32,
        approver: &str,
        notice: Option<crate::service::Service>,
        cal: &WorkCalendar,
    ) -> Decision {
        if self.state != State::Active {
            return Err(wrong(self.state, "延长期限"));
        }
        let mut found = Vec::new();
        let in_term = self.in_term(at, cal)?.ok_or_else(|| wrong(self.state, "延长期限"))?;
        if self.extended || days == 0 || days > 30 || !in_term || approver.trim().is_empty() {
            found.push(R_103.violated("days", "延长只能一次、不超过三十日，须在期限届满前经负责人批准并书面告知"));
        }
        match &notice {
            None => found.push(R_080.violated("notice", "延长查封、扣押的决定未书面告知当事人")),
            Some(s) => found.extend(crate::service::check(s)),
        }
        let flags = rules::decide(found)?;
        Ok((Event::Extended { at, days, approver: approver.to_string(), notice_served: true, notice }, flags))
    }

    /// disposed of within the term; past it, only release. R-080: the decision reaches
    /// the party by a method of 办法第十七条 (R-081..R-088).
    pub fn dispose(
        &self,
        at: Timestamp,
        outcome: Outcome,
        service: Option<crate::service::Service>,
        cal: &WorkCalendar,
    ) -> Decision {
        if self.state != State::Active {
            return Err(wrong(self.state, "作出处理决定"));
        }
        let mut found = Vec::new();
        // A release is due at any time; only the other outcomes need the term.
        let in_term =
            outcome == Outcome::Released || self.in_term(at, cal)?.ok_or_else(|| wrong(self.state, "作出处理决定"))?;
        if !in_term {
            found.push(R_104.violated("outcome", "期限已届满，只能解除查封、扣押"));
        }
        match &service {
            None => found.push(R_080.violated("service", "处理决定未送达当事人")),
            Some(s) => found.extend(crate::service::check(s)),
        }
        let flags = rules::decide(found)?;
        Ok((Event::Disposed { at, outcome, service }, flags))
    }

    /// the time of execution corrected by a new entry; T-19 and T-20 follow it.
    pub fn correct_execution_time(&self, to: Timestamp, reason: &str, approved_by: &str) -> Decision {
        let (Some(from), false) = (self.executed_at, self.state == State::Closed) else {
            return Err(wrong(self.state, "更正日期"));
        };
        let dates = [Some(to), self.ratified_at, self.disposed_at];
        let mut found = crate::correction::check(from, to, reason, approved_by, &dates, "实施时间");
        // Not moved before the day the 负责人 approved it (行政强制法第十八条第一项).
        if let (false, Some(on)) = (self.emergency, self.approved_on)
            && to.shanghai_date() < on
        {
            found.push(crate::rules::R_133.violated("to", format!("更正后的实施时间早于负责人批准之日（{on}）")));
        }
        // An emergency measure's 24 hours run from when it was carried out: a correction that
        // would bring a late ratification inside them is no correction (R-100b).
        if self.emergency && self.ratified_at.is_none() && to > from {
            found.push(R_100B.violated("to", "紧急实施尚未补办批准的，不得将实施时间改晚"));
        }
        // Nor, once ratified, moved so early that the ratification falls outside them.
        if let (true, Some(r)) = (self.emergency, self.ratified_at)
            && r > to.plus_hours(24)
        {
            found.push(R_100B.violated("to", "更正后补办批准晚于实施后二十四小时"));
        }
        let flags = rules::decide(found)?;
        let event = Event::ExecutionTimeCorrected {
            from,
            to,
            reason: reason.to_string(),
            approved_by: approved_by.to_string(),
        };
        Ok((event, flags))
    }

    pub fn close(&self, at: Timestamp) -> Decision {
        if self.state != State::Disposed {
            return Err(wrong(self.state, "结案"));
        }
        Ok((Event::Closed { at }, Vec::new()))
    }

    /// T-19 (ratification within 24 h) and T-20 (the term).
    pub fn deadlines(&self, cal: &WorkCalendar) -> Vec<Deadline> {
        let mut out = Vec::new();
        if let (Some(executed), true) = (self.executed_at, self.emergency) {
            out.push(Deadline {
                code: "T-19",
                label: "紧急实施后二十四小时内补办批准",
                source: "行政强制法第十九条",
                due: Ok(executed.plus_hours(24)),
                done_at: self.ratified_at,
            });
        }
        if let Some(executed) = self.executed_at {
            out.push(Deadline {
                code: "T-20",
                label: "查封、扣押期限内作出处理决定",
                source: "行政强制法第二十五条、第二十七条",
                due: cal.reminder_due(executed, Period::CalendarDays(self.term_days)),
                done_at: self.disposed_at,
            });
        }
        out
    }

    pub fn apply(&mut self, event: &Event, flags: &[Violation]) {
        match event {
            Event::Proposed(m) => *self = Coercion::new(m.clone()),
            Event::Approved { approver } => {
                self.approved_on = Some(approver.date);
                self.approved = true;
                self.state = State::Approved;
            }
            Event::Executed { act, emergency, doc, .. } => {
                self.executed_at = Some(act.at);
                self.emergency = *emergency && !self.approved;
                self.term_days = doc.term_days;
                self.acts.push(act.clone());
                self.state = if self.emergency { State::ActiveUnratified } else { State::Active };
            }
            Event::Ratified { at, approved, .. } => {
                self.ratified_at = Some(*at);
                if *approved {
                    self.state = State::Active;
                } else {
                    self.disposed_at = Some(*at);
                    self.outcome = Some(Outcome::Released);
                    self.state = State::Disposed;
                }
            }
            Event::Extended { days, .. } => {
                self.extended = true;
                self.term_days += days;
            }
            Event::Disposed { at, outcome, .. } => {
                self.disposed_at = Some(*at);
                self.outcome = Some(*outcome);
                self.state = State::Disposed;
            }
            Event::Closed { at, .. } => {
                self.state = State::Closed;
                self.closed_at = Some(*at);
            }
            Event::ExecutionTimeCorrected { to, .. } => self.executed_at = Some(*to),
        }
        if !matches!(event, Event::Proposed(_)) {
            self.version += 1;
        }
        self.defects.extend(rules::defects(flags));
    }
}
