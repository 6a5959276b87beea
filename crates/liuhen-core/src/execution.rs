//! 行政强制执行 of a penalty decision the party did not perform (domain.md b.4 "Execution"):
//! the written 催告, the party's statements on it, and the application to the people's court.
//! A 街道办事处 has no 强制执行权 of its own (行政强制法第十三条), so execution is by the court
//! (行政强制法第五十三条); the court's ruling ends the office's part.

use crate::agency::Agency;
use crate::calendar::{Period, WorkCalendar};
use crate::penalty::{Decision, Event, Ordinary, State};
use crate::rules::{self, R_089, R_090, R_093, R_095A, R_095B, R_095C, R_095D};
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

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl Ordinary {
    /// The end of the party's review and litigation periods (T-15): six months after service
    /// (行政诉讼法第四十六条), which is always later than sixty days (行政复议法).
    pub fn relief_expiry(&self, cal: &WorkCalendar) -> Option<Result<Timestamp, crate::calendar::CalendarError>> {
        self.served_at.map(|s| cal.due(s, Period::Months(6)))
    }

    /// R-095a (contents, and only once the fifteen days to pay have run out), R-089 (served
    /// directly unless refused or impossible), R-081..R-088 (the receipt).
    pub fn serve_demand(&self, demand: Demand, cal: &WorkCalendar) -> Decision {
        let (State::Served, Some(Penalty::Fine(_)), Some(served)) = (self.state, self.penalty, self.served_at) else {
            return Err(super::penalty::wrong(self.state, "催告"));
        };
        let mut found = crate::service::check(&demand.service);
        let Some(at) = demand.service.served_at() else {
            rules::decide(found)?;
            return Err(super::penalty::wrong(self.state, "催告"));
        };
        if at <= cal.due(served, Period::CalendarDays(15))? {
            found.push(R_095A.violated("service", "罚款缴纳期限尚未届满，不得催告"));
        }
        if demand.deadline.end() <= at {
            found.push(R_095A.violated("deadline", "催告书未载明送达后的履行期限"));
        }
        if blank(&demand.method) {
            found.push(R_095A.violated("method", "催告书未载明履行方式和给付方式"));
        }
        if demand.amount_fen == 0 {
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
        if agency.has_enforcement_power {
            found.push(R_093.violated("agency", "本机关依法享有行政强制执行权，应当依照行政强制法第四章自行强制执行"));
        }
        if app.at <= cal.due(demanded, Period::WorkingDays(10))? {
            found.push(R_093.violated("at", "催告书送达未满十个工作日"));
        }
        if let Some(expiry) = self.relief_expiry(cal) {
            let expiry = expiry?;
            if app.at <= expiry {
                found.push(R_093.violated("at", "当事人申请行政复议、提起行政诉讼的期限尚未届满"));
            } else if app.at > cal.due(expiry, Period::Months(3))? {
                found.push(R_093.violated("at", "已超过复议、诉讼期限届满之日起三个月"));
            }
        }
        for (missing, field, what) in [
            (blank(&app.court), "court", "未载明受理申请的人民法院"),
            (blank(&app.signed_by), "signed_by", "申请书未经负责人签名"),
            (!app.sealed, "sealed", "申请书未加盖印章"),
            (!app.with_decision, "with_decision", "未附行政决定书及作出决定的事实、理由和依据"),
            (!app.with_party_opinions, "with_party_opinions", "未附当事人的意见"),
            (!app.with_demand_record, "with_demand_record", "未附催告情况"),
            (blank(&app.object), "object", "未载明申请强制执行标的"),
        ] {
            if missing {
                found.push(R_093.violated(field, what));
            }
        }
        let flags = rules::decide(found)?;
        Ok((Event::CourtApplied(app), flags))
    }

    /// R-095c: an office with its own 行政强制执行权 decides enforcement once the demand's
    /// deadline has passed, on a complete, sealed decision served on the party.
    pub fn decide_enforcement(&self, d: EnforcementDecision, agency: &Agency) -> Decision {
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
        for (missing, field, what) in [
            (blank(&d.doc_no), "doc_no", "未编文号"),
            (blank(&d.method_and_time), "method_and_time", "未载明强制执行的方式和时间"),
            (blank(&d.reasons_and_basis), "reasons_and_basis", "未载明强制执行的理由和依据"),
            (!d.relief_told, "relief_told", "未载明申请行政复议或者提起行政诉讼的途径和期限"),
            (!d.sealed, "sealed", "未加盖印章"),
        ] {
            if missing {
                found.push(R_095C.violated(field, what));
            }
        }
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
        let mut found = Vec::new();
        let hour = (at.0 - at.shanghai_date().start().0) / 3_600_000;
        let night = !(6..22).contains(&hour);
        if (night || !cal.is_working_day(at.shanghai_date())?) && !urgent {
            found.push(R_095D.violated("at", "不得在夜间或者法定节假日实施行政强制执行"));
        }
        if blank(av_ref) {
            found.push(R_095D.violated("av_ref", "强制执行未全程音像记录"));
        }
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
        matches!(self.penalty, Some(Penalty::Fine(_)))
            && match self.state {
                State::Served | State::Demanded | State::CourtApplied | State::EnforcementDecided => true,
                State::CourtRuled => self.court_enforce == Some(true),
                _ => false,
            }
    }

    /// R-090 at closing: a fine is paid, or the court has ruled on the application.
    pub(crate) fn unperformed(&self) -> Option<rules::Violation> {
        match self.state {
            State::Served | State::Demanded | State::CourtApplied | State::EnforcementDecided
                if matches!(self.penalty, Some(Penalty::Fine(_))) =>
            {
                Some(R_090.violated("state", "罚款尚未缴纳，亦无法院裁定"))
            }
            _ => None,
        }
    }
}
