//! 行政强制执行 of a penalty decision the party did not perform (domain.md b.4 "Execution"):
//! the written 催告, the party's statements on it, and then the application to the people's
//! court (行政强制法第五十三条; a 街道办事处 usually has no 强制执行权 of its own, 第十三条), the
//! office's own enforcement where a law gives it the power, or — for an order to act (责令限期
//! 拆除、恢复原状) — 代履行 (第五十条、第五十一条) and 强制拆除 after a public notice (第四十四条).

use crate::agency::Agency;
use crate::calendar::{Period, WorkCalendar};
use crate::penalty::{Decision, Event, Ordinary, State};
use crate::rules::{
    self, R_001, R_089, R_090, R_090B, R_091, R_093, R_095A, R_095B, R_095C, R_095D, R_095E, R_097, Violation,
};
use crate::service::{Method, Service};
use crate::summary::Penalty;
use crate::time::{Date, Timestamp};

/// The 催告书 (行政强制法第三十五条) and how it was served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demand {
    pub service: Service,
    /// The 履行期限 the demand sets.
    pub deadline: Date,
    /// The 履行方式 and 给付方式 (e.g. 到指定银行缴纳或电子支付).
    pub method: String,
    /// The amount demanded: the fine and the surcharge so far, in fen.
    pub amount_fen: u64,
    pub statement_right_told: bool,
    /// Why the demand was not served directly (required for any method but direct or lien).
    pub why_not_direct: String,
}

/// The application to the people's court (行政强制法第五十五条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourtApplication {
    pub at: Timestamp,
    pub court: String,
    /// The 负责人 who signed the application.
    pub signed_by: String,
    pub sealed: bool,
    /// The decision with its facts, reasons and basis.
    pub with_decision: bool,
    /// The party's opinions (陈述、申辩) and the record of the demand.
    pub with_party_opinions: bool,
    pub with_demand_record: bool,
    /// 申请执行标的: what the court is to enforce.
    pub object: String,
}

/// The 强制执行决定书 of an office with its own power (行政强制法第三十七条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnforcementDecision {
    pub at: Timestamp,
    pub doc_no: String,
    /// 强制执行的方式和时间.
    pub method_and_time: String,
    /// 强制执行的理由和依据.
    pub reasons_and_basis: String,
    pub relief_told: bool,
    pub sealed: bool,
    pub service: Service,
}

/// The 代履行决定书 (行政强制法第五十一条第一款第（一）项), served before the performance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubstituteDecision {
    pub at: Timestamp,
    pub doc_no: String,
    /// Why the office performs in the party's place: the consequence that has harmed or will
    /// harm traffic safety, pollute the environment or damage natural resources (第五十条).
    pub harm: String,
    pub reasons_and_basis: String,
    pub method_and_time: String,
    /// 标的: what is to be done.
    pub object: String,
    /// 费用预算, borne by the party.
    pub cost_budget_fen: u64,
    /// 代履行人: the office itself or a third party without an interest in the matter.
    pub performer: String,
    pub sealed: bool,
    pub service: Service,
}

/// The substitute performance as its record has it (第五十一条第一款第（三）（四）项).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubstitutePerformance {
    pub at: Timestamp,
    /// The office's staff who supervised on site, who sign the record.
    pub supervisors: Vec<String>,
    pub performer_signed: bool,
    /// The party, or a witness when the party would not sign or was absent, who signed.
    pub party_or_witness: String,
    /// The cost, at reasonable cost price, charged to the party.
    pub cost_fen: u64,
    pub urgent: bool,
    pub av_ref: String,
    pub result: String,
}

/// 暂缓或者分期缴纳罚款 (行政处罚法第六十六条第二款): on the party's application for economic
/// hardship and the office's approval; the plan replaces the fifteen days to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferral {
    pub at: Timestamp,
    /// The party's application: the hardship it rests on.
    pub reasons: String,
    /// The 负责人's approval with an opinion.
    pub approver: crate::penalty::Opinion,
    /// One instalment for a deferral, several for payment by instalments: due dates ascending,
    /// amounts adding up to the fine.
    pub plan: Vec<Instalment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instalment {
    pub due: Date,
    pub amount_fen: u64,
}

crate::anchors! {
    /// How the party challenged the decision.
    ReliefKind {
        /// 行政复议.
        Review => "review", "行政复议";
        /// 行政诉讼.
        Litigation => "litigation", "行政诉讼";
    }
}

crate::anchors! {
    /// How a review or lawsuit ended.
    ReliefOutcome {
        /// 维持 / 驳回诉讼请求.
        Upheld => "upheld", "维持原决定";
        /// 撤销 / 确认违法或无效.
        Revoked => "revoked", "撤销原决定";
        /// 变更 (a lower fine).
        Changed => "changed", "变更原决定";
        /// 撤回申请或起诉.
        Withdrawn => "withdrawn", "申请人撤回";
    }
}

/// A 行政复议 or 行政诉讼 against the decision: while pending, no surcharge accrues
/// (行政处罚法第七十三条第三款) and no court enforcement is applied for (行政强制法第五十三条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relief {
    pub kind: ReliefKind,
    pub sought_at: Timestamp,
    /// The 复议机关 or the court, and its case number.
    pub organ: String,
    pub reference: String,
    /// When and how it ended, and for a change the fine as changed.
    pub concluded: Option<(Timestamp, ReliefOutcome, Option<u64>)>,
}

/// One finding of `rule` for each check that failed: (failed, field, what is missing).
fn missing<const N: usize>(rule: rules::Rule, checks: [(bool, &'static str, &str); N]) -> Vec<Violation> {
    checks.into_iter().filter(|(failed, _, _)| *failed).map(|(_, field, what)| rule.violated(field, what)).collect()
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl Ordinary {
    /// The end of the party's review and litigation periods (T-15): six months after service
    /// (行政诉讼法第四十六条), which is always later than sixty days (行政复议法).
    pub fn relief_expiry(&self, cal: &WorkCalendar) -> Option<Result<Timestamp, crate::calendar::CalendarError>> {
        self.served_at.map(|s| cal.due(s, Period::Months(6)))
    }

    /// [`Ordinary::relief_expiry`] for a deadline shown (`WorkCalendar::reminder_due`): a
    /// period in months does not wait for the year's working-day calendar.
    fn relief_expiry_shown(&self, cal: &WorkCalendar) -> Option<Result<Timestamp, crate::calendar::CalendarError>> {
        self.served_at.map(|s| cal.reminder_due(s, Period::Months(6)))
    }

    /// When the fine falls due: fifteen days after service (T-11, 行政处罚法第六十七条), or the
    /// last date of an approved deferral or instalment plan (R-090b).
    pub fn fine_due(&self, cal: &WorkCalendar) -> Option<Result<Timestamp, crate::calendar::CalendarError>> {
        if let Some(last) = self.deferral.as_ref().and_then(|d| d.plan.last()) {
            return Some(Ok(last.due.end()));
        }
        self.served_at.map(|s| cal.due(s, Period::CalendarDays(15)))
    }

    /// From when the court may be asked to enforce a fine: the end of the relief periods, or
    /// of a deferral ending later (T-17; 行政处罚法第七十二条第二款), or of a review or lawsuit
    /// the party brought.
    /// `shown`: for a deadline's display (the relief periods by [`Ordinary::relief_expiry_shown`]),
    /// else for the rule that gates the application.
    pub(crate) fn court_window_opens(
        &self,
        cal: &WorkCalendar,
        shown: bool,
    ) -> Option<Result<Timestamp, crate::calendar::CalendarError>> {
        let expiry = if shown { self.relief_expiry_shown(cal)? } else { self.relief_expiry(cal)? };
        let later = self
            .deferral
            .as_ref()
            .and_then(|d| d.plan.last())
            .map(|last| last.due.end())
            .into_iter()
            .chain(self.reliefs.iter().filter_map(|r| r.concluded.map(|(at, _, _)| at)))
            .max();
        Some(match (expiry, later) {
            (Ok(e), Some(l)) => Ok(e.max(l)),
            (other, _) => other,
        })
    }

    /// A review or lawsuit not yet concluded.
    pub fn relief_pending(&self) -> bool {
        self.reliefs.iter().any(|r| r.concluded.is_none())
    }

    /// Days (from `from` to `to`, Shanghai dates) during which a review or lawsuit was pending:
    /// they are left out of the surcharge (R-091, 行政处罚法第七十三条第三款).
    pub(crate) fn relief_days(&self, from: Date, to: Date) -> i64 {
        self.reliefs
            .iter()
            .map(|r| {
                let start = r.sought_at.shanghai_date().max(from);
                let end = r.concluded.map_or(to, |(at, _, _)| at.shanghai_date()).min(to);
                (end.days() - start.days()).max(0)
            })
            .sum()
    }

    /// the party's 行政复议 or 行政诉讼 recorded, after the decision was served and
    /// while none is pending.
    pub fn seek_relief(&self, kind: ReliefKind, at: Timestamp, organ: &str, reference: &str) -> Decision {
        let open = matches!(
            self.state,
            State::Served | State::Paid | State::Performed | State::Demanded | State::EnforcementDecided
        );
        let Some(served) = self.served_at.filter(|_| open && !self.relief_pending()) else {
            return Err(super::penalty::wrong(self.state, "记录复议或者诉讼"));
        };
        let found = missing(
            R_091,
            [
                (blank(organ), "organ", "未记录复议机关或者人民法院"),
                (blank(reference), "reference", "未记录案号"),
                (at < served, "at", "申请复议或者起诉早于决定送达"),
            ],
        );
        let flags = rules::decide(found)?;
        let relief =
            Relief { kind, sought_at: at, organ: organ.to_string(), reference: reference.to_string(), concluded: None };
        Ok((Event::ReliefSought(relief), flags))
    }

    /// How the pending review or lawsuit ended; a fine changed to `changed_fine_fen` (a change
    /// may only lower an unpaid fine); a revoked decision leaves nothing to perform.
    pub fn conclude_relief(&self, at: Timestamp, outcome: ReliefOutcome, changed_fine_fen: Option<u64>) -> Decision {
        let Some(pending) = self.reliefs.iter().find(|r| r.concluded.is_none()) else {
            return Err(super::penalty::wrong(self.state, "记录复议或者诉讼结果"));
        };
        let mut found = Vec::new();
        if at < pending.sought_at {
            found.push(R_091.violated("at", "结果早于申请复议或者起诉"));
        }
        match (outcome, changed_fine_fen, self.penalty) {
            (ReliefOutcome::Changed, Some(new), Some(Penalty::Fine(old))) if new <= old && self.paid_at.is_none() => {}
            (ReliefOutcome::Changed, _, _) => {
                found.push(R_091.violated("changed_fine_fen", "变更须载明变更后的罚款数额（不得加重，且尚未缴纳）"))
            }
            (_, Some(_), _) => found.push(R_091.violated("changed_fine_fen", "仅变更原决定时载明罚款数额")),
            _ => {}
        }
        let flags = rules::decide(found)?;
        Ok((Event::ReliefConcluded { at, outcome, changed_fine_fen }, flags))
    }

    /// R-090b: a deferral or instalments on the party's application and the head's approval,
    /// while the fine is unpaid and before any demand; the plan adds up to the fine.
    pub fn defer_payment(&self, d: Deferral) -> Decision {
        let (State::Served, Some(Penalty::Fine(fine)), None) = (self.state, self.penalty, &self.deferral) else {
            return Err(super::penalty::wrong(self.state, "批准暂缓或者分期缴纳罚款"));
        };
        if !self.fine_outstanding() {
            return Err(super::penalty::wrong(self.state, "批准暂缓或者分期缴纳罚款"));
        }
        let name = d.approver.by.trim();
        let total: u64 = d.plan.iter().map(|i| i.amount_fen).fold(0, u64::saturating_add);
        let ascending = d.plan.windows(2).all(|w| w[0].due < w[1].due);
        let found = missing(
            R_090B,
            [
                (blank(&d.reasons), "reasons", "未载明当事人申请暂缓或者分期缴纳的理由"),
                (
                    name.is_empty() || blank(&d.approver.opinion) || d.approver.opinion.trim() == name,
                    "approver",
                    "未经负责人批准并签署意见",
                ),
                (d.plan.is_empty(), "plan", "未载明缴纳期限"),
                (!ascending, "plan", "分期的缴纳期限须依次在后"),
                (d.plan.first().is_some_and(|i| i.due <= d.at.shanghai_date()), "plan", "缴纳期限须在批准之后"),
                (d.plan.iter().any(|i| i.amount_fen == 0), "plan", "每期金额须大于零"),
                (total != fine, "plan", "各期金额之和须等于罚款数额"),
            ],
        );
        let flags = rules::decide(found)?;
        Ok((Event::PaymentDeferred(d), flags))
    }

    /// One instalment paid with its receipt; the last one settles the fine.
    pub fn pay_instalment(&self, at: Timestamp, receipt_no: &str, amount_fen: u64) -> Decision {
        let (true, Some(Penalty::Fine(fine)), Some(_)) = (self.payable(), self.penalty, &self.deferral) else {
            return Err(super::penalty::wrong(self.state, "分期缴纳罚款"));
        };
        let found = missing(
            R_090,
            [
                (blank(receipt_no), "receipt_no", "未记录缴款凭证"),
                (amount_fen == 0, "amount_fen", "缴纳金额须大于零"),
                (self.instalments_paid_fen.saturating_add(amount_fen) > fine, "amount_fen", "缴纳金额超过未缴罚款"),
            ],
        );
        let flags = rules::decide(found)?;
        Ok((Event::InstalmentPaid { at, receipt_no: receipt_no.to_string(), amount_fen }, flags))
    }

    /// R-095a (contents, and only once the fifteen days to pay have run out), R-089 (served
    /// directly unless refused or impossible), R-081..R-088 (the receipt).
    ///
    /// A demand concerns what is outstanding: an unpaid fine once its fifteen days ran out, an
    /// order not performed by its deadline, or both.
    pub fn serve_demand(&self, demand: Demand, cal: &WorkCalendar) -> Decision {
        let (State::Served | State::Paid, Some(_)) = (self.state, self.served_at) else {
            return Err(super::penalty::wrong(self.state, "催告"));
        };
        if !self.fine_outstanding() && !self.order_outstanding() {
            return Err(super::penalty::wrong(self.state, "催告"));
        }
        let mut found = crate::service::check(&demand.service);
        let Some(at) = demand.service.served_at() else {
            rules::decide(found)?;
            return Err(super::penalty::wrong(self.state, "催告"));
        };
        let fine_overdue = match self.fine_due(cal) {
            Some(due) => self.fine_outstanding() && at > due?,
            None => false,
        };
        let order_overdue = self.order.as_ref().is_some_and(|o| self.order_outstanding() && at > o.deadline.end());
        if !fine_overdue && !order_overdue {
            found.push(R_095A.violated("service", "罚款缴纳期限或责令履行期限尚未届满，不得催告"));
        }
        if demand.deadline.end() <= at {
            found.push(R_095A.violated("deadline", "催告书未载明送达后的履行期限"));
        }
        if blank(&demand.method) {
            found.push(R_095A.violated("method", "催告书未载明履行方式和给付方式"));
        }
        if fine_overdue && demand.amount_fen == 0 {
            found.push(R_095A.violated("amount_fen", "催告书未载明金额"));
        }
        if !demand.statement_right_told {
            found.push(R_095A.violated("statement_right_told", "催告书未告知陈述权和申辩权"));
        }
        if !matches!(demand.service.method, Method::Direct { .. } | Method::Lien { .. })
            && blank(&demand.why_not_direct)
        {
            found.push(R_089.violated("why_not_direct", "催告书应当直接送达；未说明无法直接送达的原因"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::DemandServed { at, demand }, flags))
    }

    /// R-095b: the party's statements on the demand are recorded and re-examined.
    pub fn hear_demand_statement(&self, at: Timestamp, statement: &str, reexamination: &str) -> Decision {
        if self.state != State::Demanded {
            return Err(super::penalty::wrong(self.state, "记录催告后的陈述申辩"));
        }
        let mut found = Vec::new();
        if blank(statement) {
            found.push(R_095B.violated("statement", "未记录当事人的陈述申辩"));
        }
        if blank(reexamination) {
            found.push(R_095B.violated("reexamination", "未对陈述申辩进行复核"));
        }
        let flags = rules::decide(found)?;
        Ok((
            Event::DemandStatementHeard {
                at,
                statement: statement.to_string(),
                reexamination: reexamination.to_string(),
            },
            flags,
        ))
    }

    /// only an agency without 行政强制执行权 applies to the court; ten working days after
    /// the demand was served, after the relief periods ran out and within three months of that
    /// (T-16, T-15, T-17), on a complete, signed and sealed application.
    pub fn apply_court(&self, app: CourtApplication, agency: &Agency, cal: &WorkCalendar) -> Decision {
        let (State::Demanded, Some(demanded)) = (self.state, self.demand_served_at) else {
            return Err(super::penalty::wrong(self.state, "申请人民法院强制执行"));
        };
        let mut found = Vec::new();
        if self.relief_pending() {
            found.push(R_093.violated("relief", "当事人已申请行政复议或者提起行政诉讼，尚未审结"));
        }
        if agency.has_enforcement_power {
            found.push(R_093.violated("agency", "本机关依法享有行政强制执行权，应当依照行政强制法第四章自行强制执行"));
        }
        if app.at <= cal.due(demanded, Period::WorkingDays(10))? {
            found.push(R_093.violated("at", "催告书送达未满十个工作日"));
        }
        if let Some(expiry) = self.court_window_opens(cal, false) {
            let expiry = expiry?;
            if app.at <= expiry {
                found.push(R_093.violated("at", "当事人申请行政复议、提起行政诉讼的期限尚未届满"));
            } else if app.at > cal.due(expiry, Period::Months(3))? {
                found.push(R_093.violated("at", "已超过复议、诉讼期限届满之日起三个月"));
            }
        }
        found.extend(missing(
            R_093,
            [
                (blank(&app.court), "court", "未载明受理申请的人民法院"),
                (blank(&app.signed_by), "signed_by", "申请书未经负责人签名"),
                (!app.sealed, "sealed", "申请书未加盖印章"),
                (!app.with_decision, "with_decision", "未附行政决定书及作出决定的事实、理由和依据"),
                (!app.with_party_opinions, "with_party_opinions", "未附当事人的意见"),
                (!app.with_demand_record, "with_demand_record", "未附催告情况"),
                (blank(&app.object), "object", "未载明申请强制执行标的"),
            ],
        ));
        let flags = rules::decide(found)?;
        Ok((Event::CourtApplied(app), flags))
    }

    /// R-095c: an office with its own 行政强制执行权 decides enforcement once the demand's
    /// deadline has passed, on a complete, sealed decision served on the party.
    /// R-095e: a demolition also needs its public notice, the notice's deadline and the relief
    /// periods to have run out.
    pub fn decide_enforcement(&self, d: EnforcementDecision, agency: &Agency, cal: &WorkCalendar) -> Decision {
        let (State::Demanded, Some(demand_deadline)) = (self.state, self.demand_deadline) else {
            return Err(super::penalty::wrong(self.state, "作出强制执行决定"));
        };
        let mut found = crate::service::check(&d.service);
        if !agency.has_enforcement_power {
            found.push(R_095C.violated("agency", "本机关无行政强制执行权，应当申请人民法院强制执行"));
        }
        if d.at <= demand_deadline.end() {
            found.push(R_095C.violated("at", "催告书确定的履行期限尚未届满"));
        }
        found.extend(self.check_demolition(d.at, cal)?);
        found.extend(missing(
            R_095C,
            [
                (blank(&d.doc_no), "doc_no", "未编文号"),
                (blank(&d.method_and_time), "method_and_time", "未载明强制执行的方式和时间"),
                (blank(&d.reasons_and_basis), "reasons_and_basis", "未载明强制执行的理由和依据"),
                (!d.relief_told, "relief_told", "未载明申请行政复议或者提起行政诉讼的途径和期限"),
                (!d.sealed, "sealed", "未加盖印章"),
            ],
        ));
        let flags = rules::decide(found)?;
        Ok((Event::EnforcementDecided(d), flags))
    }

    /// R-095d: not at night (22:00–06:00) or on a day off unless urgent; the whole act on A/V.
    pub fn record_enforcement(
        &self,
        at: Timestamp,
        urgent: bool,
        av_ref: &str,
        result: &str,
        cal: &WorkCalendar,
    ) -> Decision {
        if self.state != State::EnforcementDecided {
            return Err(super::penalty::wrong(self.state, "实施强制执行"));
        }
        let mut found = check_execution_time(at, urgent, av_ref, cal)?;
        if blank(result) {
            found.push(R_095C.violated("result", "未记录强制执行结果"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Enforced { at, urgent, av_ref: av_ref.to_string(), result: result.to_string() }, flags))
    }

    /// The court's ruling (裁定执行 or 裁定不予执行), recorded with its number.
    pub fn record_court_ruling(&self, at: Timestamp, ruling_no: &str, enforce: bool) -> Decision {
        let (State::CourtApplied, Some(applied)) = (self.state, self.court_applied_at) else {
            return Err(super::penalty::wrong(self.state, "记录法院裁定"));
        };
        let mut found = Vec::new();
        if blank(ruling_no) {
            found.push(R_093.violated("ruling_no", "未记录法院裁定书文号"));
        }
        if at < applied {
            found.push(R_093.violated("at", "裁定日期早于申请日期"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::CourtRuled { at, ruling_no: ruling_no.to_string(), enforce }, flags))
    }

    /// Whether the fine may still be paid in this state (late payment ends execution).
    pub(crate) fn payable(&self) -> bool {
        self.fine_outstanding()
            && match self.state {
                State::Served
                | State::Demanded
                | State::CourtApplied
                | State::EnforcementDecided
                | State::SubstituteDecided
                | State::Substituted => true,
                State::CourtRuled => self.court_enforce == Some(true),
                _ => false,
            }
    }

    /// A fine decided and not paid.
    pub fn fine_outstanding(&self) -> bool {
        matches!(self.penalty, Some(Penalty::Fine(_))) && self.paid_at.is_none()
    }

    /// An order decided and not performed by the party.
    pub fn order_outstanding(&self) -> bool {
        self.order.is_some() && self.order_performed_at.is_none()
    }

    /// At closing: R-090, a fine is paid or the court has ruled or it was enforced; R-097, an
    /// order is performed, or performed in the party's place, enforced or ruled on.
    pub(crate) fn unperformed(&self) -> Vec<Violation> {
        let mut found = Vec::new();
        if self.fine_outstanding() && !matches!(self.state, State::CourtRuled | State::Enforced) {
            found.push(R_090.violated("state", "罚款尚未缴纳，亦无法院裁定"));
        }
        if self.order_outstanding() && !matches!(self.state, State::CourtRuled | State::Enforced | State::Substituted) {
            found.push(R_097.violated("order", "责令履行的义务尚未履行，亦未依法强制执行"));
        }
        found
    }

    /// The party performed the order (自行拆除、恢复原状), verified on site by two officers.
    /// During a 代履行, the party's performance stops it (第五十一条第一款第（二）项).
    pub fn record_performance(&self, at: Timestamp, verified_by: &[String], record: &str) -> Decision {
        let open = matches!(
            self.state,
            State::Served
                | State::Paid
                | State::Demanded
                | State::CourtApplied
                | State::EnforcementDecided
                | State::SubstituteDecided
        );
        if !open || !self.order_outstanding() {
            return Err(super::penalty::wrong(self.state, "记录履行情况"));
        }
        let mut found = Vec::new();
        let mut who: Vec<&String> = verified_by.iter().filter(|v| !blank(v)).collect();
        who.sort();
        who.dedup();
        if who.len() < 2 {
            found.push(R_001.violated("verified_by", "复查须由两名以上执法人员进行"));
        }
        if blank(record) {
            found.push(R_097.violated("record", "未记录复查情况"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::OrderPerformed { at, verified_by: verified_by.to_vec(), record: record.to_string() }, flags))
    }

    /// R-095e: the 强制拆除 public notice, setting a deadline to demolish oneself.
    pub fn announce_demolition(&self, at: Timestamp, notice_no: &str, place: &str, deadline: Date) -> Decision {
        let open = matches!(self.state, State::Served | State::Paid | State::Demanded);
        if !open || !self.order_outstanding() || !self.order.as_ref().is_some_and(|o| o.demolition) {
            return Err(super::penalty::wrong(self.state, "发布强制拆除公告"));
        }
        let mut found = Vec::new();
        if blank(notice_no) || blank(place) {
            found.push(R_095E.violated("notice_no", "公告须编号并载明张贴地点"));
        }
        if deadline <= at.shanghai_date() {
            found.push(R_095E.violated("deadline", "公告须限期当事人自行拆除（期限须在公告之后）"));
        }
        let flags = rules::decide(found)?;
        Ok((
            Event::DemolitionAnnounced { at, notice_no: notice_no.to_string(), place: place.to_string(), deadline },
            flags,
        ))
    }

    /// R-095e for an act at `at`: for a demolition, the notice published and its deadline run
    /// out, and the party's review and litigation periods over (行政强制法第四十四条).
    fn check_demolition(
        &self,
        at: Timestamp,
        cal: &WorkCalendar,
    ) -> Result<Vec<Violation>, crate::calendar::CalendarError> {
        let mut found = Vec::new();
        if !self.order.as_ref().is_some_and(|o| o.demolition) {
            return Ok(found);
        }
        match self.demolition_notice {
            None => found.push(R_095E.violated("notice", "强制拆除前须公告，限期当事人自行拆除")),
            Some((_, deadline)) if at <= deadline.end() => {
                found.push(R_095E.violated("notice", "公告的自行拆除期限尚未届满"))
            }
            Some(_) => {}
        }
        if let Some(expiry) = self.relief_expiry(cal)
            && at <= expiry?
        {
            found.push(R_095E.violated("at", "当事人申请行政复议或者提起行政诉讼的期限尚未届满"));
        }
        Ok(found)
    }

    /// 代履行 of an order the party did not perform after the demand: the consequence
    /// that justifies it stated (第五十条), a complete, sealed decision served beforehand
    /// (第五十一条第一款第（一）项); R-095e for a demolition.
    pub fn decide_substitute(&self, d: SubstituteDecision, cal: &WorkCalendar) -> Decision {
        let (State::Demanded, Some(demand_deadline)) = (self.state, self.demand_deadline) else {
            return Err(super::penalty::wrong(self.state, "作出代履行决定"));
        };
        if !self.order_outstanding() {
            return Err(super::penalty::wrong(self.state, "作出代履行决定"));
        }
        let mut found = crate::service::check(&d.service);
        if d.at <= demand_deadline.end() {
            found.push(R_097.violated("at", "催告书确定的履行期限尚未届满"));
        }
        found.extend(self.check_demolition(d.at, cal)?);
        found.extend(missing(
            R_097,
            [
                (blank(&d.doc_no), "doc_no", "未编文号"),
                (blank(&d.harm), "harm", "未载明危害交通安全、造成环境污染或者破坏自然资源的后果"),
                (blank(&d.reasons_and_basis), "reasons_and_basis", "未载明代履行的理由和依据"),
                (blank(&d.method_and_time), "method_and_time", "未载明代履行的方式和时间"),
                (blank(&d.object), "object", "未载明代履行的标的"),
                (d.cost_budget_fen == 0, "cost_budget_fen", "未载明费用预算"),
                (blank(&d.performer), "performer", "未载明代履行人"),
                (!d.sealed, "sealed", "未加盖印章"),
                (self.party.is_none(), "party", "未载明当事人的姓名或者名称、地址"),
            ],
        ));
        let flags = rules::decide(found)?;
        Ok((Event::SubstituteDecided(d), flags))
    }

    /// T-22: the party reminded (催告) before the substitute performance, with its receipt.
    pub fn remind_substitute(&self, service: Service) -> Decision {
        if self.state != State::SubstituteDecided || self.substitute_reminded_at.is_some() {
            return Err(super::penalty::wrong(self.state, "代履行前催告"));
        }
        let found = crate::service::check(&service);
        let at = service.served_at();
        let flags = rules::decide(found)?;
        let Some(at) = at else {
            return Err(super::penalty::wrong(self.state, "代履行前催告"));
        };
        Ok((Event::SubstituteReminded { at, service }, flags))
    }

    /// R-097 and T-22: three working days after the reminder; supervised on site by the
    /// office's staff; the record signed by them, the performer and the party or a witness;
    /// the cost charged. R-095d: by day on a working day unless urgent, on A/V.
    pub fn perform_substitute(&self, p: SubstitutePerformance, cal: &WorkCalendar) -> Decision {
        if self.state != State::SubstituteDecided {
            return Err(super::penalty::wrong(self.state, "实施代履行"));
        }
        let mut found = Vec::new();
        match self.substitute_reminded_at {
            None => found.push(R_097.violated("reminder", "代履行三日前未催告当事人履行")),
            Some(r) if cal.working_days_between(r.shanghai_date(), p.at.shanghai_date())? < 3 => {
                found.push(R_097.violated("at", "距催告不足三个工作日"))
            }
            Some(_) => {}
        }
        found.extend(missing(
            R_097,
            [
                (p.supervisors.iter().all(|s| blank(s)), "supervisors", "本机关未派员到场监督"),
                (!p.performer_signed, "performer_signed", "代履行人未在执行文书上签名"),
                (blank(&p.party_or_witness), "party_or_witness", "当事人或者见证人未在执行文书上签名"),
                (p.cost_fen == 0, "cost_fen", "未记录代履行费用"),
                (blank(&p.result), "result", "未记录代履行结果"),
            ],
        ));
        found.extend(check_execution_time(p.at, p.urgent, &p.av_ref, cal)?);
        let flags = rules::decide(found)?;
        Ok((Event::SubstitutePerformed(p), flags))
    }
}

/// R-095d: not at night (22:00–06:00) or on a day off unless urgent; the whole act on A/V.
fn check_execution_time(
    at: Timestamp,
    urgent: bool,
    av_ref: &str,
    cal: &WorkCalendar,
) -> Result<Vec<Violation>, crate::calendar::CalendarError> {
    let mut found = Vec::new();
    let hour = (at.0 - at.shanghai_date().start().0) / 3_600_000;
    let night = !(6..22).contains(&hour);
    if (night || !cal.is_working_day(at.shanghai_date())?) && !urgent {
        found.push(R_095D.violated("at", "不得在夜间或者法定节假日实施行政强制执行"));
    }
    if blank(av_ref) {
        found.push(R_095D.violated("av_ref", "强制执行未全程音像记录"));
    }
    Ok(found)
}
