//! 当事人查阅、复制 (办法第二十四条: 建立当事人查阅、复制台帐，并详实记录): a party or their
//! agent asks to read or copy records of their case; an approver decides; the office delivers a
//! time-limited watermarked view or a copy package; the party signs for it. Every step is an
//! entry of the case's 台帐.

use crate::time::Timestamp;
use std::fmt;

/// How the party wants the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 查阅: a view, limited in time, watermarked with who and when.
    View,
    /// 复制: a copy package, each page marked.
    Copy,
}

impl Mode {
    pub fn code(self) -> &'static str {
        match self {
            Mode::View => "view",
            Mode::Copy => "copy",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Mode::View => "查阅",
            Mode::Copy => "复制",
        }
    }
    pub fn parse(s: &str) -> Option<Mode> {
        [Mode::View, Mode::Copy].into_iter().find(|m| m.code() == s)
    }
}

/// The request (查阅、复制申请).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: String,
    pub at: Timestamp,
    /// Who asks: the party, or their agent.
    pub requester: String,
    /// 当事人本人 / 委托代理人 / 法定代理人.
    pub relation: String,
    /// The identity document checked (its number is personal data: kept behind a commitment).
    pub id_checked: String,
    /// Which records (e.g. 询问笔录、现场检查笔录、处罚决定书).
    pub records: String,
    pub purpose: String,
    pub mode: Mode,
    /// An agent's 授权委托书, when an agent asks.
    pub authorisation: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Requested(Request),
    Decided {
        at: Timestamp,
        by: String,
        approved: bool,
        reasons: String,
    },
    /// A view until `until`, or a copy of `pages` pages, of `records` (their ids in the case);
    /// `watermark` is what each page bears.
    Delivered {
        at: Timestamp,
        until: Option<Timestamp>,
        pages: u32,
        watermark: String,
        records: Vec<String>,
    },
    /// The party's receipt: who signed, or why nobody did.
    Receipted {
        at: Timestamp,
        signed_by: String,
        refusal: String,
    },
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Requested,
    Approved,
    Denied,
    Delivered,
    Receipted,
}

impl State {
    pub fn label(self) -> &'static str {
        match self {
            State::Requested => "待审批",
            State::Approved => "已批准，待提供",
            State::Denied => "不予提供",
            State::Delivered => "已提供，待签收",
            State::Receipted => "已签收",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            State::Requested => "requested",
            State::Approved => "approved",
            State::Denied => "denied",
            State::Delivered => "delivered",
            State::Receipted => "receipted",
        }
    }
}

/// Why a step was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub &'static str, pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.1)
    }
}

/// The longest a view may stay open.
pub const MAX_VIEW_DAYS: i64 = 30;

/// One request replayed from its steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub request: Request,
    pub state: State,
    pub steps: Vec<Step>,
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// A new request: who, with which document checked, which records, why, how.
pub fn request(r: Request) -> Result<Step, Refused> {
    for (empty, field, what) in [
        (blank(&r.requester), "requester", "未记录申请人"),
        (blank(&r.relation), "relation", "未记录申请人与当事人的关系"),
        (blank(&r.id_checked), "id_checked", "未记录核验的身份证件"),
        (blank(&r.records), "records", "未载明查阅、复制的材料"),
    ] {
        if empty {
            return Err(Refused(field, what.to_string()));
        }
    }
    if r.relation.contains("代理") && blank(&r.authorisation) {
        return Err(Refused("authorisation", "代理人申请的，须有授权委托书".to_string()));
    }
    Ok(Step::Requested(r))
}

impl Access {
    pub fn new(request: Request) -> Access {
        Access { steps: vec![Step::Requested(request.clone())], request, state: State::Requested }
    }

    /// An approver's decision; a denial states its reasons.
    pub fn decide(&self, at: Timestamp, by: &str, approved: bool, reasons: &str) -> Result<Step, Refused> {
        if self.state != State::Requested {
            return Err(Refused("state", format!("当前状态“{}”下不能审批", self.state.label())));
        }
        if !approved && blank(reasons) {
            return Err(Refused("reasons", "不予提供的，须说明理由".to_string()));
        }
        if at < self.request.at {
            return Err(Refused("at", "审批早于申请".to_string()));
        }
        Ok(Step::Decided { at, by: by.to_string(), approved, reasons: reasons.to_string() })
    }

    /// Delivery once approved: which records (at least one, named by their ids); a view ends
    /// within [`MAX_VIEW_DAYS`]; a copy has its pages; both bear a watermark naming the
    /// requester.
    pub fn deliver(
        &self,
        at: Timestamp,
        until: Option<Timestamp>,
        pages: u32,
        watermark: &str,
        records: &[String],
    ) -> Result<Step, Refused> {
        if self.state != State::Approved {
            return Err(Refused("state", format!("当前状态“{}”下不能提供材料", self.state.label())));
        }
        if records.iter().all(|r| blank(r)) {
            return Err(Refused("records", "须载明提供查阅、复制的记录".to_string()));
        }
        match (self.request.mode, until) {
            (Mode::View, None) => return Err(Refused("until", "查阅须设定截止时间".to_string())),
            (Mode::View, Some(u)) if u <= at || u.0 - at.0 > MAX_VIEW_DAYS * 86_400_000 => {
                return Err(Refused("until", format!("查阅截止时间须在提供之后 {MAX_VIEW_DAYS} 日内")));
            }
            (Mode::Copy, _) if pages == 0 => return Err(Refused("pages", "复制须记录页数".to_string())),
            _ => {}
        }
        if !watermark.contains(self.request.requester.trim()) {
            return Err(Refused("watermark", "水印须载明申请人".to_string()));
        }
        Ok(Step::Delivered { at, until, pages, watermark: watermark.to_string(), records: records.to_vec() })
    }

    /// The party signs for what they received, or the refusal to sign is noted.
    pub fn receipt(&self, at: Timestamp, signed_by: &str, refusal: &str) -> Result<Step, Refused> {
        if self.state != State::Delivered {
            return Err(Refused("state", format!("当前状态“{}”下不能签收", self.state.label())));
        }
        if blank(signed_by) && blank(refusal) {
            return Err(Refused("signed_by", "须由申请人签收，拒绝签收的须注明".to_string()));
        }
        Ok(Step::Receipted { at, signed_by: signed_by.to_string(), refusal: refusal.to_string() })
    }

    pub fn apply(&mut self, step: &Step) {
        self.state = match step {
            Step::Requested(_) => State::Requested,
            Step::Decided { approved: true, .. } => State::Approved,
            Step::Decided { approved: false, .. } => State::Denied,
            Step::Delivered { .. } => State::Delivered,
            Step::Receipted { .. } => State::Receipted,
        };
        if !matches!(step, Step::Requested(_)) {
            self.steps.push(step.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64) -> Timestamp {
        Timestamp(1_795_000_000_000 + h * 3_600_000)
    }

    fn req(mode: Mode, relation: &str, authorisation: &str) -> Request {
        Request {
            id: "r1".into(),
            at: t(0),
            requester: "张某某".into(),
            relation: relation.into(),
            id_checked: "居民身份证".into(),
            records: "现场检查笔录、处罚决定书".into(),
            purpose: "准备行政复议".into(),
            mode,
            authorisation: authorisation.into(),
        }
    }

    fn rec() -> Vec<String> {
        vec!["act/0".to_string()]
    }

    #[test]
    fn a_view_is_approved_delivered_for_a_while_and_signed_for() {
        let mut a = Access::new(req(Mode::View, "当事人本人", ""));
        assert!(a.deliver(t(1), Some(t(49)), 0, "仅供张某某查阅", &rec()).is_err(), "not before approval");
        let s = a.decide(t(1), "张主任", true, "").unwrap();
        a.apply(&s);
        assert_eq!(a.deliver(t(2), None, 0, "仅供张某某查阅", &rec()).unwrap_err().0, "until");
        assert_eq!(a.deliver(t(2), Some(t(2 + 24 * 31)), 0, "仅供张某某查阅", &rec()).unwrap_err().0, "until");
        assert_eq!(a.deliver(t(2), Some(t(50)), 0, "仅供查阅", &rec()).unwrap_err().0, "watermark");
        assert_eq!(a.deliver(t(2), Some(t(50)), 0, "仅供张某某查阅", &[]).unwrap_err().0, "records");
        let s = a.deliver(t(2), Some(t(50)), 0, "仅供张某某查阅 2026-11-27", &rec()).unwrap();
        a.apply(&s);
        assert_eq!(a.receipt(t(3), " ", "").unwrap_err().0, "signed_by");
        let s = a.receipt(t(3), "张某某", "").unwrap();
        a.apply(&s);
        assert_eq!((a.state, a.steps.len()), (State::Receipted, 4));
    }

    #[test]
    fn an_agent_needs_an_authorisation_and_a_denial_its_reasons() {
        assert_eq!(request(req(Mode::Copy, "委托代理人", "")).unwrap_err().0, "authorisation");
        assert!(request(req(Mode::Copy, "委托代理人", "授权委托书（2026-11-20）")).is_ok());
        let a = Access::new(req(Mode::Copy, "当事人本人", ""));
        assert_eq!(a.decide(t(1), "张主任", false, " ").unwrap_err().0, "reasons");
        let mut a2 = a.clone();
        a2.apply(&a.decide(t(1), "张主任", true, "").unwrap());
        assert_eq!(a2.deliver(t(2), None, 0, "张某某复制", &rec()).unwrap_err().0, "pages");
        assert!(a2.deliver(t(2), None, 12, "张某某复制 2026-11-27", &rec()).is_ok());
    }
}
