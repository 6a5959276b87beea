//! 行政处罚简易程序 (on-the-spot penalty), domain.md §b.1 and 行政处罚法第五十一条至第五十二条:
//! on site with two officers and credentials shown; facts, reasons, basis and rights told and
//! the party heard; a pre-numbered decision form issued only within the amount limits; the form
//! handed over and signed (or the refusal noted and signed by two officers); filed with the
//! agency (备案); the fine paid at a bank or, within the law's limits, collected on the spot.

use crate::calendar::{Deadline, WorkCalendar};
use crate::inspection::{OnSiteAct, check_on_site};
use crate::rules::CommandError;
use crate::rules::{self, R_021, R_034, R_064B, R_067A, R_067B, R_067C, R_090, R_092, Violation};
use crate::time::Timestamp;

/// `n` yuan in fen.
pub const fn yuan(n: u64) -> u64 {
    n * 100
}

/// Who is penalised: the amount limits differ (行政处罚法第五十一条).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyKind {
    Citizen,
    Organisation,
}

impl PartyKind {
    pub fn code(self) -> &'static str {
        match self {
            PartyKind::Citizen => "citizen",
            PartyKind::Organisation => "organisation",
        }
    }
    pub fn parse(s: &str) -> Option<PartyKind> {
        match s {
            "citizen" => Some(PartyKind::Citizen),
            "organisation" => Some(PartyKind::Organisation),
            _ => None,
        }
    }
    /// The largest fine (in fen) the summary procedure allows.
    pub fn summary_limit_fen(self) -> u64 {
        match self {
            PartyKind::Citizen => yuan(200),
            PartyKind::Organisation => yuan(3000),
        }
    }
}

/// The penalty imposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Penalty {
    Warning,
    /// A fine in fen (分).
    Fine(u64),
    /// 没收违法所得、没收非法财物, valued in fen.
    Confiscation(u64),
    /// 暂扣许可证件.
    SuspendLicence,
    /// 降低资质等级.
    LowerQualification,
    /// 吊销许可证件.
    RevokeLicence,
    /// 限制开展生产经营活动.
    RestrictBusiness,
    /// 责令停产停业.
    SuspendBusiness,
    /// 责令关闭.
    OrderClosure,
    /// 限制从业.
    RestrictPractice,
}

impl Penalty {
    /// A penalty the 重大执法决定法制审核目录 and 行政处罚法第五十七条、第五十八条 treat as
    /// major whatever the matter says: 吊销许可证件、降低资质等级、责令停产停业、责令关闭、限制从业
    /// (they take away a party's licence or livelihood; 行政处罚法第六十三条 also gives a hearing).
    pub fn is_grave(self) -> bool {
        matches!(
            self,
            Penalty::RevokeLicence
                | Penalty::LowerQualification
                | Penalty::SuspendBusiness
                | Penalty::OrderClosure
                | Penalty::RestrictPractice
        )
    }

    /// The kind's API code.
    pub fn code(self) -> &'static str {
        match self {
            Penalty::Warning => "warning",
            Penalty::Fine(_) => "fine",
            Penalty::Confiscation(_) => "confiscation",
            Penalty::SuspendLicence => "suspend_licence",
            Penalty::LowerQualification => "lower_qualification",
            Penalty::RevokeLicence => "revoke_licence",
            Penalty::RestrictBusiness => "restrict_business",
            Penalty::SuspendBusiness => "suspend_business",
            Penalty::OrderClosure => "order_closure",
            Penalty::RestrictPractice => "restrict_practice",
        }
    }

    /// A kind back from its code; `amount_fen` is read only by the kinds that carry one.
    pub fn parse(code: &str, amount_fen: Option<u64>) -> Option<Penalty> {
        Some(match code {
            "fine" => Penalty::Fine(amount_fen?),
            "confiscation" => Penalty::Confiscation(amount_fen?),
            _ => [
                Penalty::Warning,
                Penalty::SuspendLicence,
                Penalty::LowerQualification,
                Penalty::RevokeLicence,
                Penalty::RestrictBusiness,
                Penalty::SuspendBusiness,
                Penalty::OrderClosure,
                Penalty::RestrictPractice,
            ]
            .into_iter()
            .find(|k| k.code() == code)?,
        })
    }

    /// Whether `text` (a record's conclusion, a decision's basis) states this penalty: its kind
    /// (罚款, 警告, 没收…, 吊销…) and, for a fine or a confiscation, its amount in 元 — written
    /// in figures (`5000`, `5,000.00`) or in Chinese numerals (`五千`, `伍仟`, `一万五千`).
    /// A text that says no penalty (不予处罚) states none.
    pub fn stated_in(self, text: &str) -> bool {
        let kind = match self {
            Penalty::Confiscation(_) => "没收",
            Penalty::SuspendLicence => "暂扣",
            Penalty::LowerQualification => "降低资质",
            Penalty::RevokeLicence => "吊销",
            Penalty::RestrictBusiness => "限制开展生产经营",
            Penalty::SuspendBusiness => "停产停业",
            Penalty::OrderClosure => "责令关闭",
            Penalty::RestrictPractice => "限制从业",
            other => other.label(),
        };
        if !text.contains(kind) || text.contains("不予处罚") || text.contains("不予行政处罚") {
            return false;
        }
        match self {
            Penalty::Fine(fen) | Penalty::Confiscation(fen) => amounts_in(text).contains(&fen),
            _ => true,
        }
    }

    /// The kinds of 行政处罚法第九条 (行政拘留 is not a street office's).
    pub fn label(self) -> &'static str {
        match self {
            Penalty::Warning => "警告",
            Penalty::Fine(_) => "罚款",
            Penalty::Confiscation(_) => "没收违法所得、没收非法财物",
            Penalty::SuspendLicence => "暂扣许可证件",
            Penalty::LowerQualification => "降低资质等级",
            Penalty::RevokeLicence => "吊销许可证件",
            Penalty::RestrictBusiness => "限制开展生产经营活动",
            Penalty::SuspendBusiness => "责令停产停业",
            Penalty::OrderClosure => "责令关闭",
            Penalty::RestrictPractice => "限制从业",
        }
    }

    /// Whether the party must be told of the right to a hearing (行政处罚法第六十三条): a fine or
    /// confiscation of at least `threshold_fen`, and every heavier kind (treated conservatively:
    /// telling the right is never unlawful, omitting it is).
    pub fn needs_hearing_right(self, threshold_fen: u64) -> bool {
        match self {
            Penalty::Warning => false,
            Penalty::Fine(fen) | Penalty::Confiscation(fen) => fen >= threshold_fen,
            _ => true,
        }
    }

    /// Whether deciding `self` after telling `told` imposes more than the party was told of
    /// (行政处罚法第四十四条): a larger amount of the same kind, or another kind than a warning.
    pub fn heavier_than(self, told: Penalty) -> bool {
        match (self, told) {
            (Penalty::Warning, _) => false,
            (Penalty::Fine(a), Penalty::Fine(b)) | (Penalty::Confiscation(a), Penalty::Confiscation(b)) => a > b,
            (a, b) => a != b,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    OnSite,
    Heard,
    DecisionIssued,
    Delivered,
    Recorded,
    Performed,
    Closed,
}

impl State {
    /// Every state, in the order of the procedure (a query naming another is refused).
    pub const ALL: &[State] = &[
        State::OnSite,
        State::Heard,
        State::DecisionIssued,
        State::Delivered,
        State::Recorded,
        State::Performed,
        State::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::OnSite => "on_site",
            State::Heard => "heard",
            State::DecisionIssued => "decision_issued",
            State::Delivered => "delivered",
            State::Recorded => "recorded",
            State::Performed => "performed",
            State::Closed => "closed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            State::OnSite => "现场执法中",
            State::Heard => "已告知并听取陈述申辩",
            State::DecisionIssued => "已当场作出决定",
            State::Delivered => "已交付当事人",
            State::Recorded => "已报机关备案",
            State::Performed => "已履行",
            State::Closed => "已结案",
        }
    }
}

/// Starting an on-the-spot penalty: the case and the on-site act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    pub id: String,
    pub case_no: String,
    pub matter: String,
    pub party_kind: PartyKind,
    /// The violation as found (facts).
    pub facts: String,
    pub act: OnSiteAct,
    /// The 委托书 when an entrusted organisation imposes the penalty (办法第三十一条).
    pub entrusted: Option<crate::entrustment::Entrustment>,
    /// The party, identified on the spot (R-016 checks what is given).
    pub party: Option<crate::party::Party>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    /// 到指定银行或者通过电子支付系统缴纳 (行政处罚法第六十七条).
    Bank,
    /// 当场收缴 (行政处罚法第六十八条、第六十九条).
    OnSite,
}

impl PaymentMethod {
    pub fn code(self) -> &'static str {
        match self {
            PaymentMethod::Bank => "bank",
            PaymentMethod::OnSite => "on_site",
        }
    }
    pub fn parse(s: &str) -> Option<PaymentMethod> {
        match s {
            "bank" => Some(PaymentMethod::Bank),
            "on_site" => Some(PaymentMethod::OnSite),
            _ => None,
        }
    }
}

// Events are built once per command and replayed one at a time: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Started(Start),
    /// Facts, reasons, basis and rights told; the statement heard, or its waiver recorded.
    Heard {
        at: Timestamp,
        rights_told: bool,
        statement: String,
        waived: bool,
    },
    DecisionIssued {
        at: Timestamp,
        form_no: String,
        penalty: Penalty,
        legal_basis: String,
        signed_by: Vec<String>,
    },
    /// The form handed over: signed by the party, or the refusal noted and signed by officers.
    Delivered {
        at: Timestamp,
        party_signed: bool,
        refusal_signed_by: Vec<String>,
    },
    /// 备案.
    Recorded {
        at: Timestamp,
    },
    /// The party identified on the spot after the case was started, before the decision.
    PartyIdentified(crate::party::Party),
    Paid {
        at: Timestamp,
        method: PaymentMethod,
        receipt_no: String,
        hard_to_enforce: bool,
    },
    Closed {
        at: Timestamp,
    },
}

pub type Decision = Result<(Event, Vec<Violation>), CommandError>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// When it was closed (结案): the 30 days to file it run from here (办法第二十五条).
    pub closed_at: Option<Timestamp>,
    pub start: Start,
    pub state: State,
    pub version: u64,
    pub penalty: Option<Penalty>,
    /// When the decision was made on the spot (its 决定书's time).
    pub decided_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub paid_at: Option<Timestamp>,
    /// When the latest step was taken (the act on the spot first): each step after it (R-064b).
    pub last_at: Timestamp,
    pub defects: Vec<Violation>,
}

fn wrong(state: State, action: &'static str) -> CommandError {
    CommandError::WrongState { state: state.label(), action }
}

/// R-067a: the office's 权责清单 must open the summary procedure for the matter.
pub fn check_matter(m: &crate::matter::Matter) -> Vec<Violation> {
    if m.kind != crate::matter::MatterKind::Penalty || !m.summary_allowed {
        return vec![R_067A.violated("matter", format!("事项“{}”不适用简易程序", m.name))];
    }
    Vec::new()
}

/// R-001..R-003, R-142 for the on-site act.
pub fn start(cmd: Start) -> Decision {
    let mut found = check_on_site(&cmd.act, crate::matter::MatterKind::Penalty);
    if let Some(p) = &cmd.party {
        found.extend(crate::party::check(p, Some(cmd.party_kind)));
    }
    found.extend(crate::entrustment::check(
        cmd.entrusted.as_ref(),
        crate::matter::MatterKind::Penalty,
        &cmd.matter,
        cmd.act.at.shanghai_date(),
    ));
    let flags = rules::decide(found)?;
    Ok((Event::Started(cmd), flags))
}

impl Summary {
    pub fn new(start: Start) -> Summary {
        Summary {
            last_at: start.act.at,
            start,
            state: State::OnSite,
            version: 1,
            closed_at: None,
            penalty: None,
            decided_at: None,
            delivered_at: None,
            paid_at: None,
            defects: Vec::new(),
        }
    }

    /// R-064b: a step dated before the one it follows.
    fn in_order(&self, at: Timestamp, step: &str) -> Option<Violation> {
        (at < self.last_at).then(|| R_064B.violated("at", format!("{step}时间早于本案前一环节的时间")))
    }

    /// the party identified on the spot, before the decision names them.
    pub fn identify_party(&self, party: crate::party::Party) -> Decision {
        if !matches!(self.state, State::OnSite | State::Heard) {
            return Err(wrong(self.state, "查明当事人"));
        }
        let flags = rules::decide(crate::party::check(&party, Some(self.start.party_kind)))?;
        Ok((Event::PartyIdentified(party), flags))
    }

    /// rights told, statement heard or waived.
    pub fn hear(&self, at: Timestamp, rights_told: bool, statement: &str, waived: bool) -> Decision {
        if self.state != State::OnSite {
            return Err(wrong(self.state, "告知并听取陈述申辩"));
        }
        let mut found: Vec<Violation> = self.in_order(at, "告知并听取陈述申辩").into_iter().collect();
        if !rights_told {
            found.push(R_034.violated("rights_told", "未告知拟处罚的事实、理由、依据和权利"));
        }
        if statement.trim().is_empty() && !waived {
            found.push(R_034.violated("statement", "未记录当事人的陈述申辩或放弃陈述申辩"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Heard { at, rights_told, statement: statement.to_string(), waived }, flags))
    }

    /// R-067a (amount limits) and R-067b (the numbered form, its basis and signatures).
    pub fn issue_decision(
        &self,
        at: Timestamp,
        form_no: &str,
        penalty: Penalty,
        legal_basis: &str,
        signed_by: &[String],
    ) -> Decision {
        if self.state != State::Heard {
            return Err(wrong(self.state, "当场作出处罚决定"));
        }
        let mut found: Vec<Violation> = self.in_order(at, "当场作出处罚决定").into_iter().collect();
        if let Penalty::Fine(fen) = penalty {
            let limit = self.start.party_kind.summary_limit_fen();
            if fen == 0 || fen > limit {
                found.push(
                    R_067A.violated(
                        "penalty",
                        format!("罚款 {} 元超出简易程序限额 {} 元", fen as f64 / 100.0, limit / 100),
                    ),
                );
            }
        } else if penalty != Penalty::Warning {
            found.push(
                R_067A.violated("penalty", format!("简易程序只能当场给予警告或小额罚款，不能{}", penalty.label())),
            );
        }
        if self.start.facts.trim().is_empty() {
            found.push(R_067A.violated("facts", "违法事实未记录"));
        }
        if self.start.party.is_none() {
            found.push(crate::rules::R_016.violated("party", "当场处罚决定书须载明当事人，尚未记录当事人身份"));
        }
        if form_no.trim().is_empty() {
            found.push(R_067B.violated("form_no", "决定书未编号"));
        }
        if legal_basis.trim().is_empty() {
            found.push(R_067B.violated("legal_basis", "未载明处罚依据"));
        }
        if signed_by.is_empty() || !signed_by.iter().all(|s| self.start.act.officers.iter().any(|p| &p.officer.id == s))
        {
            found.push(R_067B.violated("signed_by", "决定书须由在场执法人员签名"));
        }
        let flags = rules::decide(found)?;
        Ok((
            Event::DecisionIssued {
                at,
                form_no: form_no.to_string(),
                penalty,
                legal_basis: legal_basis.to_string(),
                signed_by: signed_by.to_vec(),
            },
            flags,
        ))
    }

    /// a refusal to sign needs two officers' signatures on the form.
    pub fn deliver(&self, at: Timestamp, party_signed: bool, refusal_signed_by: &[String]) -> Decision {
        if self.state != State::DecisionIssued {
            return Err(wrong(self.state, "交付决定书"));
        }
        let mut found: Vec<Violation> = self.in_order(at, "交付决定书").into_iter().collect();
        if !party_signed {
            let present: Vec<&String> = refusal_signed_by
                .iter()
                .filter(|s| self.start.act.officers.iter().any(|p| &p.officer.id == *s))
                .collect();
            let mut distinct = present.clone();
            distinct.sort();
            distinct.dedup();
            if distinct.len() < 2 {
                found.push(
                    R_021.violated("refusal_signed_by", format!("拒签注明仅有 {} 名在场执法人员签字", distinct.len())),
                );
            }
        }
        let flags = rules::decide(found)?;
        Ok((Event::Delivered { at, party_signed, refusal_signed_by: refusal_signed_by.to_vec() }, flags))
    }

    pub fn record_with_agency(&self, at: Timestamp) -> Decision {
        if self.state != State::Delivered {
            return Err(wrong(self.state, "报机关备案"));
        }
        let flags = rules::decide(self.in_order(at, "报机关备案").into_iter().collect())?;
        Ok((Event::Recorded { at }, flags))
    }

    /// collecting on the spot only for fines of 100 yuan or less, or when enforcing later
    /// would be hard; a receipt in every case.
    pub fn pay(&self, at: Timestamp, method: PaymentMethod, receipt_no: &str, hard_to_enforce: bool) -> Decision {
        let Some(Penalty::Fine(fen)) = self.penalty else {
            return Err(wrong(self.state, "缴纳罚款"));
        };
        // One fine, one payment.
        if !matches!(self.state, State::Delivered | State::Recorded) || self.paid_at.is_some() {
            return Err(wrong(self.state, "缴纳罚款"));
        }
        // Not before the decision was handed over (R-064b).
        let mut found: Vec<Violation> = self.in_order(at, "缴纳罚款").into_iter().collect();
        if method == PaymentMethod::OnSite && fen > yuan(100) && !hard_to_enforce {
            found.push(R_092.violated("method", format!("罚款 {} 元超过一百元，不得当场收缴", fen as f64 / 100.0)));
        }
        if receipt_no.trim().is_empty() {
            found.push(R_090.violated("receipt_no", "未记录缴款凭证或专用票据号码"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Paid { at, method, receipt_no: receipt_no.to_string(), hard_to_enforce }, flags))
    }

    /// R-067c (filed with the agency) and R-090 (a fine paid) before closing.
    pub fn close(&self, at: Timestamp) -> Decision {
        if self.state == State::Closed {
            return Err(wrong(self.state, "结案"));
        }
        let mut found = Vec::new();
        match self.state {
            State::OnSite | State::Heard | State::DecisionIssued => {
                found.push(R_067B.violated("state", "尚未作出并交付当场处罚决定书"))
            }
            State::Delivered => found.push(R_067C.violated("state", "尚未报所属行政机关备案")),
            State::Recorded | State::Performed | State::Closed => {}
        }
        if matches!(self.penalty, Some(Penalty::Fine(_))) && self.paid_at.is_none() {
            found.push(R_090.violated("state", "罚款尚未缴纳"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::Closed { at }, flags))
    }

    /// The fine is due 15 days after delivery (行政处罚法第六十七条), moved past rest days.
    pub fn deadlines(&self, cal: &WorkCalendar) -> Vec<Deadline> {
        let mut out = Vec::new();
        if let (Some(Penalty::Fine(_)), Some(delivered)) = (self.penalty, self.delivered_at) {
            out.push(Deadline {
                code: "T-11",
                label: "罚款缴纳期限（十五日）",
                source: "行政处罚法第六十七条",
                due: cal.reminder_due(delivered, crate::calendar::Period::CalendarDays(15)),
                done_at: self.paid_at,
            });
        }
        out
    }

    pub fn apply(&mut self, event: &Event, flags: &[Violation]) {
        // The main line moves on; the 备案 and the payment, each after the handing over, run
        // side by side.
        if let Event::Heard { at, .. } | Event::DecisionIssued { at, .. } | Event::Delivered { at, .. } = event
            && *at > self.last_at
        {
            self.last_at = *at;
        }
        match event {
            Event::Started(s) => *self = Summary::new(s.clone()),
            Event::Heard { .. } => self.state = State::Heard,
            Event::DecisionIssued { penalty, at, .. } => {
                self.penalty = Some(*penalty);
                self.decided_at = Some(*at);
                self.state = State::DecisionIssued;
            }
            Event::Delivered { at, .. } => {
                self.delivered_at = Some(*at);
                self.state = State::Delivered;
            }
            Event::Recorded { .. } => {
                self.state = if self.paid_at.is_some() { State::Performed } else { State::Recorded };
            }
            Event::Paid { at, .. } => {
                self.paid_at = Some(*at);
                if self.state == State::Recorded {
                    self.state = State::Performed;
                }
            }
            Event::Closed { at, .. } => {
                self.state = State::Closed;
                self.closed_at = Some(*at);
            }
            Event::PartyIdentified(p) => self.start.party = Some(p.clone()),
        }
        if !matches!(event, Event::Started(_)) {
            self.version += 1;
        }
        self.defects.extend(rules::defects(flags));
    }
}

/// Every amount of money `text` states, in 分: figures with optional thousands separators and
/// 角分 decimals, or Chinese numerals (小写 or 大写, with 十百千万), each read up to its end.
pub fn amounts_in(text: &str) -> Vec<u64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut whole: u64 = 0;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == ',') {
                if let Some(d) = chars[i].to_digit(10) {
                    whole = whole.saturating_mul(10).saturating_add(u64::from(d));
                }
                i += 1;
            }
            let mut fen = whole.saturating_mul(100);
            if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
                let jiao = chars[i + 1].to_digit(10).unwrap_or(0);
                let f = chars.get(i + 2).and_then(|c| c.to_digit(10)).unwrap_or(0);
                fen = fen.saturating_add(u64::from(jiao * 10 + f));
                i += 2;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            out.push(fen);
        } else if chinese_digit(chars[i]).is_some() || chinese_unit(chars[i]).is_some() {
            let (mut total, mut section, mut number, mut any) = (0u64, 0u64, 0u64, false);
            while i < chars.len() {
                if let Some(d) = chinese_digit(chars[i]) {
                    number = d;
                } else if let Some(u) = chinese_unit(chars[i]) {
                    if u == 10_000 {
                        total = (total + section + number) * u;
                        section = 0;
                    } else {
                        section += if number == 0 { 1 } else { number } * u;
                    }
                    number = 0;
                } else {
                    break;
                }
                any = true;
                i += 1;
            }
            if any {
                out.push((total + section + number).saturating_mul(100));
            }
        } else {
            i += 1;
        }
    }
    out
}

fn chinese_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn chinese_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1_000,
        '万' | '萬' => 10_000,
        _ => return None,
    })
}
