//! 行政检查 (administrative inspection), domain.md §b.5: planned on a plan, a random draw or a
//! documented trigger; on-site inspection by two or more officers; the result told to the
//! inspected party; closed, or rectification ordered and re-inspected, before closing.

use crate::officer::Officer;
pub use crate::rules::CommandError;
use crate::rules::{self, R_001, R_002, R_003, R_010, R_120A, R_120D, R_120E, R_142, Violation};
use crate::time::{Date, Timestamp};

/// Where an enforcement matter came from (办法第七条第（一）项: 执法事项来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Inspection,
    Complaint,
    Assigned,
    Transferred,
    Monitoring,
    Other,
}

impl Source {
    pub const ALL: [Source; 6] = [
        Source::Inspection,
        Source::Complaint,
        Source::Assigned,
        Source::Transferred,
        Source::Monitoring,
        Source::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Source::Inspection => "inspection",
            Source::Complaint => "complaint",
            Source::Assigned => "assigned",
            Source::Transferred => "transferred",
            Source::Monitoring => "monitoring",
            Source::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Source::Inspection => "检查发现",
            Source::Complaint => "投诉举报",
            Source::Assigned => "上级交办",
            Source::Transferred => "部门移送",
            Source::Monitoring => "监控发现",
            Source::Other => "其他",
        }
    }

    pub fn parse(code: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// How the inspection came about (domain.md §a.5 procedure).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 日常检查, on an approved plan.
    Routine,
    /// 双随机抽查.
    Random,
    /// 有因检查 (a complaint, a referral…).
    Triggered,
    /// 专项检查.
    Special,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Routine => "routine",
            Kind::Random => "random",
            Kind::Triggered => "triggered",
            Kind::Special => "special",
        }
    }
    pub fn parse(code: &str) -> Option<Kind> {
        [Kind::Routine, Kind::Random, Kind::Triggered, Kind::Special].into_iter().find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Planned,
    OnSite,
    ResultNotified,
    RectificationOrdered,
    Reinspected,
    Closed,
}

impl State {
    /// Every state, in the order of the procedure (a query naming another is refused).
    pub const ALL: &[State] = &[
        State::Planned,
        State::OnSite,
        State::ResultNotified,
        State::RectificationOrdered,
        State::Reinspected,
        State::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::Planned => "planned",
            State::OnSite => "on_site",
            State::ResultNotified => "result_notified",
            State::RectificationOrdered => "rectification_ordered",
            State::Reinspected => "reinspected",
            State::Closed => "closed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            State::Planned => "已立项（待检查）",
            State::OnSite => "已现场检查",
            State::ResultNotified => "已告知检查结果",
            State::RectificationOrdered => "已责令改正",
            State::Reinspected => "已复查",
            State::Closed => "已结案",
        }
    }
}

/// 依职权启动 (办法第七条第（一）项).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initiation {
    pub source: Source,
    pub reason: String,
    pub received_at: Timestamp,
}

/// An officer present at an act, and when they showed their credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub officer: Officer,
    pub id_shown_at: Option<Timestamp>,
}

/// An on-site inspection (现场检查) or re-inspection (复查).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnSiteAct {
    pub at: Timestamp,
    pub place: String,
    pub officers: Vec<Presence>,
    /// The party was told that recording is on (办法第六条第二款).
    pub recording_announced: bool,
    pub problems_found: bool,
    pub summary: String,
    /// What the act directly touches: any makes its whole recording mandatory (办法第十九条).
    pub touches: Vec<crate::av::Touches>,
}

/// What opening an inspection needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open {
    pub id: String,
    pub case_no: String,
    pub matter: String,
    pub kind: Kind,
    /// The plan or approval reference, the random draw, or the trigger (R-120a).
    pub basis: String,
    pub initiation: Initiation,
    /// The 委托书 when an entrusted organisation inspects (办法第三十一条).
    pub entrusted: Option<crate::entrustment::Entrustment>,
    /// The inspected party, when known (R-016 checks what is given).
    pub party: Option<crate::party::Party>,
    /// The licence case whose licensee this inspection supervises (行政许可法第六十一条; R-118).
    pub supervises: Option<String>,
}

/// A change of an inspection; the log records each one.
// Events are built once per command and replayed one at a time: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Opened(Open),
    OnSiteRecorded(OnSiteAct),
    ResultNotified {
        at: Timestamp,
        problems_found: bool,
    },
    /// The 责令改正通知书, served; the period runs to `due`. `service` is `None` only in
    /// entries written before the receipt was recorded with the order.
    RectificationOrdered {
        at: Timestamp,
        due: Date,
        service: Option<crate::service::Service>,
    },
    Reinspected {
        act: OnSiteAct,
        rectified: bool,
    },
    /// The problem found is handled as a penalty case (domain.md §b.5 I5c).
    ConvertedToCase {
        at: Timestamp,
        case_id: String,
        case_no: String,
    },
    Closed {
        at: Timestamp,
    },
}

/// The outcome of a command: the event to record and the FLAG defects found.
pub type Decision = Result<(Event, Vec<Violation>), CommandError>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// When it was closed (结案): the 30 days to file it run from here (办法第二十五条).
    pub closed_at: Option<Timestamp>,
    pub open: Open,
    pub state: State,
    /// Incremented by every event (optimistic concurrency).
    pub version: u64,
    pub acts: Vec<OnSiteAct>,
    pub problems_found: bool,
    pub rectified: bool,
    pub rectification_due: Option<Date>,
    /// The penalty case this inspection became, if any.
    pub converted_to: Option<String>,
    pub reinspected_at: Option<Timestamp>,
    pub defects: Vec<Violation>,
}

/// one more inspection of a party that `earlier` inspections under the same matter
/// already reached this year, against the matter's published yearly cap (none: no cap).
pub fn frequency(cap: Option<u32>, earlier: usize) -> Vec<Violation> {
    match cap {
        Some(cap) if earlier >= cap as usize => vec![crate::rules::R_121.violated(
            "party",
            format!("本年度已对该被检查人实施同类检查 {earlier} 次，公布的频次上限为每年 {cap} 次"),
        )],
        _ => Vec::new(),
    }
}

/// a 监督检查 of a licensee is recorded and signed by the inspectors before it is done
/// with (`site_record_signed`: the case's 现场检查笔录 is finalised with their signatures).
pub fn supervision(open: &Open, site_record_signed: bool) -> Vec<Violation> {
    if open.supervises.is_some() && !site_record_signed {
        vec![crate::rules::R_118.violated("site_record", "对被许可人的监督检查未制作由监督检查人员签字的现场检查笔录")]
    } else {
        Vec::new()
    }
}

/// R-010, R-120a: what opening an inspection must record.
pub fn open(cmd: Open) -> Decision {
    let mut found = Vec::new();
    if cmd.initiation.reason.trim().is_empty() {
        found.push(R_010.violated("reason", "未填写启动原因"));
    }
    if cmd.basis.trim().is_empty() {
        found.push(R_120A.violated("basis", "未填写检查计划、审批或检查原因"));
    }
    if let Some(p) = &cmd.party {
        found.extend(crate::party::check(p, None));
    }
    found.extend(crate::entrustment::check(
        cmd.entrusted.as_ref(),
        crate::matter::MatterKind::Inspection,
        &cmd.matter,
        cmd.initiation.received_at.shanghai_date(),
    ));
    let flags = rules::decide(found)?;
    Ok((Event::Opened(cmd), flags))
}

/// the rules of any on-site act of the given kind of enforcement.
pub fn check_on_site(act: &OnSiteAct, kind: crate::matter::MatterKind) -> Vec<Violation> {
    let mut found = Vec::new();
    if act.officers.len() < 2 {
        // The two-officer rule as each law states it for its kind of act.
        use crate::matter::MatterKind as K;
        let rule = match kind {
            K::Penalty => R_001,
            K::Licence => crate::rules::TWO_FOR_LICENCE,
            K::Coercion => crate::rules::TWO_FOR_COERCION,
            K::Inspection => crate::rules::TWO_FOR_INSPECTION,
        };
        found.push(rule.violated("officers", format!("现场仅有 {} 名执法人员", act.officers.len())));
    }
    for p in &act.officers {
        if !p.officer.cert_valid_at(act.at) {
            found.push(
                R_002.violated(
                    "officers",
                    format!("{}（证号 {}）的执法证在检查时无效", p.officer.name, p.officer.cert_no),
                ),
            );
        } else if !p.officer.covers(kind) {
            found.push(R_002.violated(
                "officers",
                format!("{}（证号 {}）的执法证不含此执法类别", p.officer.name, p.officer.cert_no),
            ));
        }
        if p.officer.cert_no.trim().is_empty() || p.id_shown_at.is_none() {
            found.push(R_003.violated("officers", format!("未记录{}的执法证号或出示证件时间", p.officer.name)));
        }
    }
    if !act.recording_announced {
        found.push(R_142.violated("recording_announced", "未记录告知当事人已开启执法记录"));
    }
    found
}

impl Inspection {
    /// Starts from the `Opened` event.
    pub fn new(open: Open) -> Inspection {
        Inspection {
            open,
            state: State::Planned,
            version: 1,
            closed_at: None,
            acts: Vec::new(),
            problems_found: false,
            rectified: false,
            rectification_due: None,
            converted_to: None,
            reinspected_at: None,
            defects: Vec::new(),
        }
    }

    fn wrong(&self, action: &'static str) -> CommandError {
        CommandError::WrongState { state: self.state.label(), action }
    }

    /// `notice_issued`: the case's 行政检查通知书 was issued to the inspected party (R-120b).
    pub fn record_on_site(&self, act: OnSiteAct, notice_issued: bool) -> Decision {
        if !matches!(self.state, State::Planned | State::OnSite) {
            return Err(self.wrong("记录现场检查"));
        }
        let mut found = check_on_site(&act, crate::matter::MatterKind::Inspection);
        if self.state == State::Planned && !notice_issued {
            found.push(crate::rules::R_120B.violated("notice", "未向被检查人出具行政检查通知书"));
        }
        let flags = rules::decide(found)?;
        Ok((Event::OnSiteRecorded(act), flags))
    }

    pub fn notify_result(&self, at: Timestamp) -> Decision {
        if self.state != State::OnSite {
            return Err(self.wrong("告知检查结果"));
        }
        Ok((Event::ResultNotified { at, problems_found: self.problems_found }, Vec::new()))
    }

    /// the 责令改正通知书 reaches the party, by a method of 办法第十七条 (R-081..R-088).
    pub fn order_rectification(&self, at: Timestamp, due: Date, service: Option<crate::service::Service>) -> Decision {
        if self.state != State::ResultNotified || !self.problems_found {
            return Err(self.wrong("责令改正"));
        }
        let Some(service) = service else {
            return Err(rules::Refusal {
                violations: vec![crate::rules::R_080.violated("service", "责令改正通知书未送达当事人")],
            }
            .into());
        };
        let flags = rules::decide(crate::service::check(&service))?;
        Ok((Event::RectificationOrdered { at, due, service: Some(service) }, flags))
    }

    pub fn reinspect(&self, act: OnSiteAct, rectified: bool) -> Decision {
        if self.state != State::RectificationOrdered {
            return Err(self.wrong("复查"));
        }
        let flags = rules::decide(check_on_site(&act, crate::matter::MatterKind::Inspection))?;
        Ok((Event::Reinspected { act, rectified }, flags))
    }

    /// A problem found becomes a penalty case (R-120e's other way out), linked both ways.
    pub fn convert_to_case(&self, at: Timestamp, case_id: &str, case_no: &str) -> Decision {
        if !matches!(self.state, State::ResultNotified | State::Reinspected)
            || !self.problems_found
            || self.converted_to.is_some()
        {
            return Err(self.wrong("转为案件办理"));
        }
        Ok((Event::ConvertedToCase { at, case_id: case_id.to_string(), case_no: case_no.to_string() }, Vec::new()))
    }

    /// R-120d and R-120e: the result was told, and any problem was put right.
    pub fn close(&self, at: Timestamp) -> Decision {
        let mut found = Vec::new();
        match self.state {
            State::Closed => return Err(self.wrong("结案")),
            State::Planned | State::OnSite => found.push(R_120D.violated("state", "尚未告知检查结果")),
            State::ResultNotified if self.problems_found && self.converted_to.is_none() => {
                found.push(R_120E.violated("state", "发现问题但未责令改正或转为案件"))
            }
            State::RectificationOrdered => found.push(R_120E.violated("state", "尚未复查")),
            State::Reinspected if !self.rectified => found.push(R_120E.violated("state", "复查未整改到位")),
            State::ResultNotified | State::Reinspected => {}
        }
        let flags = rules::decide(found)?;
        Ok((Event::Closed { at }, flags))
    }

    /// The case's deadlines: the rectification period, met by the re-inspection.
    pub fn deadlines(&self) -> Vec<crate::calendar::Deadline> {
        let mut out = Vec::new();
        if let Some(due) = self.rectification_due {
            out.push(crate::calendar::Deadline {
                code: "I-rectify",
                label: "责令改正期限届满前复查",
                source: "行政处罚法第二十八条；办法第十条",
                due: Ok(due.end()),
                done_at: self.reinspected_at,
            });
        }
        out
    }

    /// Applies a recorded event (also used to rebuild from the log).
    pub fn apply(&mut self, event: &Event, flags: &[Violation]) {
        match event {
            Event::Opened(open) => *self = Inspection::new(open.clone()),
            Event::OnSiteRecorded(act) => {
                self.problems_found |= act.problems_found;
                self.acts.push(act.clone());
                self.state = State::OnSite;
            }
            Event::ResultNotified { .. } => self.state = State::ResultNotified,
            Event::RectificationOrdered { due, .. } => {
                self.rectification_due = Some(*due);
                self.state = State::RectificationOrdered;
            }
            Event::Reinspected { act, rectified } => {
                self.reinspected_at = Some(act.at);
                self.acts.push(act.clone());
                self.rectified = *rectified;
                self.state = State::Reinspected;
            }
            Event::ConvertedToCase { case_id, .. } => self.converted_to = Some(case_id.clone()),
            Event::Closed { at, .. } => {
                self.state = State::Closed;
                self.closed_at = Some(*at);
            }
        }
        if !matches!(event, Event::Opened(_)) {
            self.version += 1;
        }
        self.defects.extend(rules::defects(flags));
    }
}
