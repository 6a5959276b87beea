//! Tests of the domain: the calendar against the State Council's notices, every rule with an
//! example that violates it and one that satisfies it, and the inspection walked end to end.

use crate::calendar::{CalendarError, DeadlineStatus, Period, WorkCalendar, status};
use crate::inspection::{
    self, CommandError, Event, Initiation, Inspection, Kind, OnSiteAct, Open, Presence, Source, State,
};
use crate::matter::MatterKind;
use crate::officer::{CertStatus, Officer};
use crate::rules::{self, Violation};
use crate::time::{Date, Timestamp, Weekday};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// 08:00 Asia/Shanghai on the given date.
fn at(s: &str) -> Timestamp {
    d(s).start().plus_hours(8)
}

#[test]
fn dates_round_trip_and_know_their_weekday() {
    assert_eq!(d("2026-11-26").weekday(), Weekday::Thu);
    assert_eq!(d("2024-02-29").plus_days(365).to_string(), "2025-02-28");
    assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
    for s in ["2025-13-01", "2025-02-29", "2025-1-01", "20250101", "２０２５-01-01", ""] {
        assert!(Date::parse(s).is_err(), "{s}");
    }
    // 2026-01-01 00:30 in Shanghai is still 2025-12-31 in UTC.
    let t = d("2026-01-01").start();
    assert_eq!(Timestamp(t.0 + 30 * 60_000).shanghai_date(), d("2026-01-01"));
    assert_eq!(Timestamp(t.0 - 1).shanghai_date(), d("2025-12-31"));
    assert_eq!(Timestamp(t.0 + 30 * 60_000).to_minute(), "2026-01-01 00:30");
    assert_eq!(Timestamp(t.0 - 1).to_minute(), "2025-12-31 23:59");
    // A typed time at the ends of i64 reads as the ends of the calendar, never overflowing.
    assert_eq!(Timestamp(i64::MAX).shanghai_date(), d("9999-12-31"));
    assert_eq!(Timestamp(i64::MIN).shanghai_date(), d("0001-01-01"));
    assert_eq!(Timestamp(i64::MAX).plus_hours(1), Timestamp(i64::MAX));
}

#[test]
fn the_calendar_follows_the_state_council_notices() {
    let cal = WorkCalendar::china();
    // 2025: 1月26日（周日）上班；1月28日起春节放假。2026: 2月14日（周六）上班；2月16日放假。
    for (date, working) in [
        ("2025-01-26", true),
        ("2025-01-28", false),
        ("2025-02-05", true),
        ("2025-10-11", true),
        ("2025-10-08", false),
        ("2026-01-04", true),
        ("2026-02-14", true),
        ("2026-02-16", false),
        ("2026-02-23", false),
        ("2026-05-09", true),
        ("2026-10-07", false),
        ("2026-11-26", true),
        ("2026-11-28", false),
    ] {
        assert_eq!(cal.is_working_day(d(date)), Ok(working), "{date}");
    }
    assert_eq!(cal.is_working_day(d("2027-01-04")), Err(CalendarError::YearNotLoaded(2027)));
}

#[test]
fn working_days_skip_holidays_and_count_working_weekends() {
    let cal = WorkCalendar::china();
    // 行政处罚法第八十五条: five working days from 2025-09-30 run over the National Day holiday:
    // 10/9, 10/10, 10/11 (调休上班的周六), 10/13, 10/14.
    assert_eq!(cal.add_working_days(d("2025-09-30"), 5), Ok(d("2025-10-14")));
    // Seven working days before a hearing, counted strictly between.
    assert_eq!(cal.working_days_between(d("2026-02-12"), d("2026-02-26")), Ok(4));
    // A period running into a year without a calendar is refused, not guessed.
    assert_eq!(cal.add_working_days(d("2026-12-25"), 10), Err(CalendarError::YearNotLoaded(2027)));
}

#[test]
fn calendar_days_end_on_the_next_working_day_and_hours_do_not() {
    let cal = WorkCalendar::china();
    // 15 days to pay from 2026-09-20: 2026-10-05 is a holiday, so the period ends 2026-10-08.
    assert_eq!(cal.add_calendar_days(d("2026-09-20"), 15), Ok(d("2026-10-08")));
    assert_eq!(cal.add_calendar_days(d("2026-11-01"), 10), Ok(d("2026-11-11")));
    // 24 hours (办法第二十三条) from Friday 18:00 end Saturday 18:00, holiday or not.
    let fri = d("2026-10-02").start().plus_hours(18);
    assert_eq!(cal.due(fri, Period::Hours(24)), Ok(fri.plus_hours(24)));
    assert_eq!(cal.due(fri, Period::WorkingDays(1)), Ok(d("2026-10-08").end()));
    let due = cal.due(at("2026-11-02"), Period::WorkingDays(5)).unwrap();
    assert_eq!(status(due, None, at("2026-11-05"), 86_400_000), DeadlineStatus::Pending);
    assert_eq!(status(due, None, at("2026-11-09"), 86_400_000), DeadlineStatus::DueSoon);
    assert_eq!(status(due, None, at("2026-11-10"), 86_400_000), DeadlineStatus::Overdue);
    assert_eq!(status(due, Some(at("2026-11-09")), at("2026-11-20"), 0), DeadlineStatus::Met);
}

/// A gate on a period in calendar days (a seizure's thirty days, R-103/R-104) needs the year's
/// calendar only past the plain last day: before it, the time is within whatever the holidays.
#[test]
fn a_time_before_the_plain_last_day_is_within_a_period_in_a_year_not_loaded() {
    let cal = WorkCalendar::china();
    let executed = at("2026-12-10");
    assert!(cal.due(executed, Period::CalendarDays(30)).is_err(), "2027 is not in the shipped calendar");
    assert_eq!(cal.within(executed, Period::CalendarDays(30), at("2026-12-20")), Ok(true));
    assert_eq!(cal.within(executed, Period::CalendarDays(30), d("2027-01-09").end()), Ok(true));
    assert!(cal.within(executed, Period::CalendarDays(30), at("2027-01-10")).is_err(), "then it takes the calendar");
    // Working days: every unknown day counted as one ends no later than the truth (2026-12-30
    // is within twenty working days of 12-10 whatever 2027's holidays); past that count, unknown.
    assert_eq!(cal.within(executed, Period::WorkingDays(20), at("2026-12-30")), Ok(true));
    assert!(cal.within(executed, Period::WorkingDays(20), at("2027-01-20")).is_err());
    assert_eq!(cal.within(at("2026-11-02"), Period::CalendarDays(30), at("2026-12-03")), Ok(false));
}

#[test]
fn an_office_can_add_a_year_to_the_calendar() {
    let mut cal = WorkCalendar::china();
    assert!(cal.is_working_day(d("2027-01-04")).is_err());
    cal.merge(WorkCalendar::parse("year 2027\noff 2027-01-01 元旦").unwrap());
    assert_eq!(cal.is_working_day(d("2027-01-01")), Ok(false));
    assert_eq!(cal.is_working_day(d("2027-01-04")), Ok(true));
    assert_eq!(cal.is_working_day(d("2026-10-01")), Ok(false), "the shipped years stay");
    assert_eq!(cal.years().collect::<Vec<_>>(), [2025, 2026, 2027]);
}

#[test]
fn calendar_data_errors_are_refused() {
    assert!(matches!(WorkCalendar::parse("year 2026\non 2026-11-26"), Err(CalendarError::BadData { line: 2, .. })));
    assert!(matches!(WorkCalendar::parse("off 2026-11-26"), Err(CalendarError::BadData { .. })));
    assert!(matches!(WorkCalendar::parse("year 2026\nholiday 2026-11-26"), Err(CalendarError::BadData { .. })));
    assert!(WorkCalendar::parse(include_str!("../data/cn-workdays.txt")).is_ok());
}

fn officer(name: &str, cert: &str) -> Officer {
    Officer {
        id: name.to_string(),
        name: name.to_string(),
        cert_no: cert.to_string(),
        cert_valid_from: d("2024-01-01"),
        cert_valid_to: d("2028-12-31"),
        cert_status: CertStatus::Active,
        cert_scope: vec![MatterKind::Penalty, MatterKind::Licence, MatterKind::Coercion, MatterKind::Inspection],
        legal_qualification: false,
    }
}

/// 张某某, a citizen of 迁西县 (a fictional 居民身份证 number with a valid check digit).
pub fn citizen() -> crate::party::Party {
    crate::party::Party {
        kind: crate::party::PartyType::NaturalPerson,
        name: "张某某".to_string(),
        id_type: crate::party::RESIDENT_ID_CARD.to_string(),
        id_number: "130227198005120033".to_string(),
        uscc: String::new(),
        legal_rep: String::new(),
        address: "迁西县栗乡街道幸福路 8 号".to_string(),
        phone: "13800000000".to_string(),
        service_address: None,
    }
}

/// The 责令改正通知书 handed to the inspected party on 2026-11-21.
fn rectification_notice() -> crate::service::Service {
    handed_over("责令改正通知书（栗街责改〔2026〕3号）", at("2026-11-21"))
}

/// A legal reviewer with 法律职业资格.
pub fn reviewer() -> Officer {
    Officer { legal_qualification: true, ..officer("刘法制", "13020009") }
}

/// `document` handed to the party in person on `at`, signed for.
pub fn handed_over(document: &str, at: Timestamp) -> crate::service::Service {
    crate::service::Service {
        document: document.to_string(),
        recipient: "张某某".to_string(),
        at,
        place: "栗乡街道办事处".to_string(),
        method: crate::service::Method::Direct { receiver: "张某某".to_string(), relation: String::new() },
        servers: vec!["王明".to_string(), "李华".to_string()],
        recipient_signed: true,
    }
}

fn present(o: Officer, shown: Timestamp) -> Presence {
    Presence { officer: o, id_shown_at: Some(shown) }
}

fn good_act(problems: bool) -> OnSiteAct {
    let t = at("2026-11-20");
    OnSiteAct {
        at: t,
        place: "栗乡街道某某超市".to_string(),
        officers: vec![present(officer("王明", "13020001"), t), present(officer("李华", "13020002"), t)],
        recording_announced: true,
        problems_found: problems,
        summary: "检查食品经营许可及进货查验记录".to_string(),
        touches: Vec::new(),
    }
}

fn good_open() -> Open {
    Open {
        id: "c1".to_string(),
        case_no: "栗街检〔2026〕1号".to_string(),
        matter: "食品经营监督检查".to_string(),
        kind: Kind::Triggered,
        basis: "群众投诉：超市销售过期食品".to_string(),
        initiation: Initiation {
            source: Source::Complaint,
            reason: "12345热线转办投诉".to_string(),
            received_at: at("2026-11-19"),
        },
        entrusted: None,
        party: None,
        supervises: None,
    }
}

/// Applies an accepted command's event to `$c`, or fails the test with the refusal.
macro_rules! step {
    ($c:ident, $e:expr) => {{
        let (ev, f) = $e.unwrap_or_else(|e| panic!("{e}"));
        $c.apply(&ev, &f);
    }};
}

fn ids(v: &[Violation]) -> Vec<&'static str> {
    v.iter().map(|x| x.rule.id).collect()
}

fn refused_ids(e: CommandError) -> Vec<&'static str> {
    match e {
        CommandError::Refused(r) => ids(&r.violations),
        CommandError::WrongState { .. } | CommandError::Calendar(_) => vec![],
    }
}

/// For every rule: (rule, findings of a case that violates it, findings of one that satisfies it).
fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let findings = |act: OnSiteAct| ids(&inspection::check_on_site(&act, MatterKind::Inspection));
    let open_findings = |o: Open| match inspection::open(o) {
        Ok((_, flags)) => ids(&flags),
        Err(e) => refused_ids(e),
    };
    let opened = |problems: bool| {
        let mut c = Inspection::new(good_open());
        let (e, f) = c.record_on_site(good_act(problems), true).unwrap();
        c.apply(&e, &f);
        c
    };
    let close_findings = |c: &Inspection| match c.close(at("2026-11-25")) {
        Ok((_, flags)) => ids(&flags),
        Err(e) => refused_ids(e),
    };
    let notified = |problems: bool| {
        let mut c = opened(problems);
        let (e, f) = c.notify_result(at("2026-11-21")).unwrap();
        c.apply(&e, &f);
        c
    };
    let matter = |kind: MatterKind| crate::matter::Matter {
        code: "P-001".into(),
        name: "违法建设".into(),
        kind,
        legal_basis: "《城乡规划法》第六十四条".into(),
        av_mandatory: false,
        major_decision_review: false,
        hearing_thresholds: crate::penalty::HearingThresholds::default(),
        summary_allowed: false,
        inspection_cap: None,
    };
    let on_list = |m: Option<crate::matter::Matter>| {
        ids(&crate::matter::check_for_case(m.as_ref(), MatterKind::Penalty, "违法建设"))
    };
    vec![
        (
            "R-001",
            findings(OnSiteAct { officers: good_act(false).officers[..1].to_vec(), ..good_act(false) }),
            findings(good_act(false)),
        ),
        ("R-010a", on_list(None), on_list(Some(matter(MatterKind::Penalty)))),
        // 行政处罚法第三十九条: who the office is, the basis and the remedies are posted beforehand.
        (
            "R-173",
            ids(&crate::agency::prior_posting(&crate::agency::Agency::default(), "《城乡规划法》第六十四条")),
            {
                let posted = crate::agency::Agency {
                    name: "迁西县栗乡街道办事处".to_string(),
                    review_organ: "迁西县人民政府".to_string(),
                    court: "迁西县人民法院".to_string(),
                    ..crate::agency::Agency::default()
                };
                ids(&crate::agency::prior_posting(&posted, "《城乡规划法》第六十四条"))
            },
        ),
        ("R-010a", on_list(Some(matter(MatterKind::Licence))), on_list(Some(matter(MatterKind::Penalty)))),
        (
            "R-002",
            findings({
                let mut a = good_act(false);
                a.officers[1].officer.cert_status = CertStatus::Suspended;
                a
            }),
            findings(good_act(false)),
        ),
        (
            "R-002",
            findings({
                let mut a = good_act(false);
                a.officers[0].officer.cert_valid_to = d("2026-11-19");
                a
            }),
            findings(good_act(false)),
        ),
        (
            "R-002",
            findings({
                let mut a = good_act(false);
                a.officers[1].officer.cert_scope = vec![MatterKind::Licence];
                a
            }),
            findings(good_act(false)),
        ),
        (
            "R-003",
            findings({
                let mut a = good_act(false);
                a.officers[0].id_shown_at = None;
                a
            }),
            findings(good_act(false)),
        ),
        ("R-142", findings(OnSiteAct { recording_announced: false, ..good_act(false) }), findings(good_act(false))),
        (
            "R-010",
            open_findings(Open {
                initiation: Initiation { reason: " ".to_string(), ..good_open().initiation },
                ..good_open()
            }),
            open_findings(good_open()),
        ),
        ("R-120a", open_findings(Open { basis: String::new(), ..good_open() }), open_findings(good_open())),
        (
            "R-120b",
            ids(&Inspection::new(good_open()).record_on_site(good_act(false), false).unwrap().1),
            ids(&Inspection::new(good_open()).record_on_site(good_act(false), true).unwrap().1),
        ),
        ("R-120d", close_findings(&opened(false)), close_findings(&notified(false))),
        // 行政许可法第六十一条: a licensee's supervision is recorded and signed by its inspectors.
        (
            "R-118",
            ids(&inspection::supervision(&Open { supervises: Some("lic-1".into()), ..good_open() }, false)),
            ids(&inspection::supervision(&Open { supervises: Some("lic-1".into()), ..good_open() }, true)),
        ),
        (
            "R-118",
            ids(&inspection::supervision(&Open { supervises: Some("lic-1".into()), ..good_open() }, false)),
            ids(&inspection::supervision(&good_open(), false)),
        ),
        // 国办发〔2024〕54号: a third inspection of one party in a year under a cap of two.
        ("R-121", ids(&inspection::frequency(Some(2), 2)), ids(&inspection::frequency(Some(2), 1))),
        ("R-121", ids(&inspection::frequency(Some(2), 2)), ids(&inspection::frequency(None, 9))),
        ("R-120e", close_findings(&notified(true)), close_findings(&notified(false))),
        (
            "R-120e",
            close_findings(&notified(true)),
            close_findings(&{
                let mut c = notified(true);
                let (e, f) = c.convert_to_case(at("2026-11-22"), "p9", "栗街罚〔2026〕30号").unwrap();
                c.apply(&e, &f);
                c
            }),
        ),
        // The 责令改正通知书 must reach the party (R-080).
        (
            "R-080",
            out(notified(true).order_rectification(at("2026-11-21"), d("2026-12-05"), None)),
            out(notified(true).order_rectification(at("2026-11-21"), d("2026-12-05"), Some(rectification_notice()))),
        ),
    ]
    .into_iter()
    .chain(summary_examples())
    .chain(ordinary::examples())
    .chain(execution::examples())
    .chain(execution::own_power_examples())
    .chain(execution::disposal_examples())
    .chain(orders::examples())
    .chain(execution::deferral_examples())
    .chain(execution::relief_examples())
    .chain(entrustment::examples())
    .chain(party::examples())
    .chain(corrections::examples())
    .chain(licensing::examples())
    .chain(coercive::examples())
    .chain(crate::av::examples())
    .chain(crate::device::examples())
    .chain(crate::document::examples())
    .chain(filing::examples())
    .collect()
}

use crate::summary::{self, PartyKind, PaymentMethod, Penalty, Summary, yuan};

/// The rules a command met: its FLAGs when accepted, every failed rule when refused.
fn out<E>(r: Result<(E, Vec<Violation>), CommandError>) -> Vec<&'static str> {
    match r {
        Ok((_, flags)) => ids(&flags),
        Err(e) => refused_ids(e),
    }
}

fn summary_start(kind: PartyKind) -> summary::Start {
    summary::Start {
        id: "s1".to_string(),
        case_no: "栗街简罚〔2026〕7号".to_string(),
        matter: "占道经营".to_string(),
        party_kind: kind,
        facts: "在迁安路人行道摆摊经营".to_string(),
        act: good_act(true),
        entrusted: None,
        party: Some(citizen()),
    }
}

/// A summary case taken through the given number of steps (fine of `fen`).
fn summary_at(steps: usize, fen: u64) -> Summary {
    let mut c = Summary::new(summary_start(PartyKind::Citizen));
    let officers: Vec<String> = c.start.act.officers.iter().map(|p| p.officer.id.clone()).collect();
    type Step = Box<dyn Fn(&Summary) -> summary::Decision>;
    let all: Vec<Step> = vec![
        Box::new(|c| c.hear(at("2026-11-20"), true, "当事人表示马上收摊", false)),
        Box::new(move |c| {
            c.issue_decision(at("2026-11-20"), "No.0001234", Penalty::Fine(fen), "《某某条例》第十条", &officers)
        }),
        Box::new(|c| c.deliver(at("2026-11-20"), true, &[])),
        Box::new(|c| c.record_with_agency(at("2026-11-21"))),
        Box::new(|c| c.pay(at("2026-11-22"), PaymentMethod::Bank, "BANK-889", false)),
    ];
    for step in all.into_iter().take(steps) {
        let (e, f) = step(&c).unwrap();
        c.apply(&e, &f);
    }
    c
}

fn matter(summary_allowed: bool) -> crate::matter::Matter {
    crate::matter::Matter {
        code: "P-001".to_string(),
        name: "占道经营".to_string(),
        kind: crate::matter::MatterKind::Penalty,
        legal_basis: "《河北省城乡市容和环境卫生条例》".to_string(),
        av_mandatory: false,
        major_decision_review: false,
        hearing_thresholds: crate::penalty::HearingThresholds::default(),
        summary_allowed,
        inspection_cap: None,
    }
}

fn summary_examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let heard = summary_at(1, yuan(50));
    let officers: Vec<String> = heard.start.act.officers.iter().map(|p| p.officer.id.clone()).collect();
    let org = {
        let mut c = Summary::new(summary_start(PartyKind::Organisation));
        let (e, f) = c.hear(at("2026-11-20"), true, "", true).unwrap();
        c.apply(&e, &f);
        c
    };
    let issued = summary_at(2, yuan(150));
    let delivered = summary_at(3, yuan(150));
    let recorded = summary_at(4, yuan(150));
    let t = at("2026-11-20");
    vec![
        // Each step after the one it follows (R-064b): the decision not before the hearing of
        // the party, the payment not before the form was handed over.
        (
            "R-064b",
            out(heard.issue_decision(
                at("2026-08-01"),
                "No.0001235",
                Penalty::Fine(yuan(50)),
                "《某某条例》第十条",
                &officers,
            )),
            out(heard.issue_decision(t, "No.0001235", Penalty::Fine(yuan(50)), "《某某条例》第十条", &officers)),
        ),
        (
            "R-064b",
            out(delivered.pay(at("2026-11-19"), PaymentMethod::Bank, "BANK-1", false)),
            out(delivered.pay(at("2026-11-21"), PaymentMethod::Bank, "BANK-1", false)),
        ),
        (
            "R-034",
            out(Summary::new(summary_start(PartyKind::Citizen)).hear(t, false, "无", false)),
            out(Summary::new(summary_start(PartyKind::Citizen)).hear(t, true, "", true)),
        ),
        (
            "R-034",
            out(Summary::new(summary_start(PartyKind::Citizen)).hear(t, true, " ", false)),
            out(Summary::new(summary_start(PartyKind::Citizen)).hear(t, true, "无异议", false)),
        ),
        // The decision form names the party (行政处罚法第五十二条、第五十九条).
        (
            "R-016",
            out({
                let mut c = Summary::new(summary::Start { party: None, ..summary_start(PartyKind::Citizen) });
                let (e, f) = c.hear(t, true, "", true).unwrap();
                c.apply(&e, &f);
                c.issue_decision(t, "No.1", Penalty::Fine(yuan(50)), "依据", &officers)
            }),
            out(heard.issue_decision(t, "No.1", Penalty::Fine(yuan(50)), "依据", &officers)),
        ),
        // On the spot only a warning or a small fine (行政处罚法第五十一条).
        (
            "R-067a",
            out(heard.issue_decision(t, "No.1", Penalty::SuspendBusiness, "依据", &officers)),
            out(heard.issue_decision(t, "No.1", Penalty::Warning, "依据", &officers)),
        ),
        // 201 yuan for a citizen is over the limit; 3,000 yuan for an organisation is not.
        (
            "R-067a",
            out(heard.issue_decision(t, "No.1", Penalty::Fine(yuan(201)), "依据", &officers)),
            out(org.issue_decision(t, "No.1", Penalty::Fine(yuan(3000)), "依据", &officers)),
        ),
        (
            "R-067a",
            out(org.issue_decision(t, "No.1", Penalty::Fine(yuan(3000) + 1), "依据", &officers)),
            out(heard.issue_decision(t, "No.1", Penalty::Warning, "依据", &officers)),
        ),
        (
            "R-067b",
            out(heard.issue_decision(t, " ", Penalty::Fine(yuan(100)), "依据", &officers)),
            out(heard.issue_decision(t, "No.1", Penalty::Fine(yuan(100)), "依据", &officers)),
        ),
        (
            "R-067b",
            out(heard.issue_decision(t, "No.1", Penalty::Fine(yuan(100)), "依据", &["stranger".to_string()])),
            out(heard.issue_decision(t, "No.1", Penalty::Fine(yuan(100)), "依据", &officers[..1])),
        ),
        ("R-067a", ids(&summary::check_matter(&matter(false))), ids(&summary::check_matter(&matter(true)))),
        // A refusal to sign needs two officers present at the act to sign the note.
        ("R-021", out(issued.deliver(t, false, &officers[..1])), out(issued.deliver(t, false, &officers))),
        (
            "R-021",
            out(issued.deliver(t, false, &[officers[0].clone(), officers[0].clone()])),
            out(issued.deliver(t, true, &[])),
        ),
        ("R-067c", out(delivered.close(t)), out(summary_at(5, yuan(150)).close(t))),
        ("R-090", out(recorded.close(t)), out(summary_at(5, yuan(150)).close(t))),
        (
            "R-090",
            out(recorded.pay(t, PaymentMethod::Bank, "", false)),
            out(recorded.pay(t, PaymentMethod::Bank, "B-1", false)),
        ),
        // 150 yuan may not be collected on the spot, unless enforcing later would be hard.
        (
            "R-092",
            out(recorded.pay(t, PaymentMethod::OnSite, "R-1", false)),
            out(recorded.pay(t, PaymentMethod::OnSite, "R-1", true)),
        ),
        (
            "R-092",
            out(recorded.pay(t, PaymentMethod::OnSite, "R-1", false)),
            out(summary_at(4, yuan(100)).pay(t, PaymentMethod::OnSite, "R-1", false)),
        ),
    ]
}

#[test]
fn an_on_the_spot_penalty_walks_to_closure_and_its_fine_is_due_in_15_days() {
    let mut c = summary_at(5, yuan(150));
    // One fine, one payment: a second receipt is refused by the state.
    assert!(matches!(
        c.pay(at("2026-11-22"), PaymentMethod::Bank, "BANK-889", false),
        Err(crate::rules::CommandError::WrongState { .. })
    ));
    let (e, f) = c.close(at("2026-11-23")).unwrap();
    c.apply(&e, &f);
    assert_eq!(c.state, summary::State::Closed);
    assert_eq!(c.version, 7);
    let dl = c.deadlines(&WorkCalendar::china());
    // Delivered 2026-11-20: fifteen days end 2026-12-05, a Saturday, so 2026-12-07.
    assert_eq!(dl[0].due, Ok(d("2026-12-07").end()));
    assert_eq!(status(dl[0].due.clone().unwrap(), dl[0].done_at, at("2026-12-20"), 0), DeadlineStatus::Met);
    // A warning needs no payment to close.
    let mut w = Summary::new(summary_start(PartyKind::Citizen));
    let officers: Vec<String> = w.start.act.officers.iter().map(|p| p.officer.id.clone()).collect();
    for step in 0..4 {
        let r = match step {
            0 => w.hear(at("2026-11-20"), true, "", true),
            1 => w.issue_decision(at("2026-11-20"), "No.9", Penalty::Warning, "依据", &officers),
            2 => w.deliver(at("2026-11-20"), false, &officers),
            _ => w.record_with_agency(at("2026-11-20")),
        };
        let (e, f) = r.unwrap();
        w.apply(&e, &f);
    }
    assert!(w.close(at("2026-11-21")).is_ok());
    assert!(matches!(w.pay(at("2026-11-21"), PaymentMethod::Bank, "B", false), Err(CommandError::WrongState { .. })));
}

#[test]
fn every_rule_has_an_example_that_violates_it_and_one_that_satisfies_it() {
    let ex = examples();
    for rule in rules::ALL {
        let mine: Vec<_> = ex.iter().filter(|(id, _, _)| *id == rule.id).collect();
        assert!(!mine.is_empty(), "{} has no example", rule.id);
        for (id, violating, satisfying) in mine {
            assert!(violating.contains(id), "{id}: the violating example does not violate it: {violating:?}");
            assert!(!satisfying.contains(id), "{id}: the satisfying example violates it: {satisfying:?}");
        }
        assert!(!rule.source.is_empty() && !rule.requirement.is_empty());
    }
}

#[test]
fn refusals_name_rule_and_article_in_chinese() {
    let mut a = good_act(false);
    a.officers.truncate(1);
    let c = Inspection::new(good_open());
    let err = c.record_on_site(a, true).unwrap_err();
    assert!(err.to_string().starts_with("R-001 办法第六条：行政检查的执法人员不得少于两人"), "{err}");
    // Each kind of act cites its own law for the two officers, never 行政处罚法 for a licence.
    for (kind, source) in [
        (MatterKind::Penalty, "办法第六条；行政处罚法第四十二条"),
        (MatterKind::Licence, "办法第六条；行政许可法第三十四条第三款"),
        (MatterKind::Coercion, "办法第六条；行政强制法第十八条第二项"),
    ] {
        let mut one = good_act(false);
        one.officers.truncate(1);
        let found = inspection::check_on_site(&one, kind);
        // A licence's 核查 is R-111 (行政许可法第三十四条, which R-001 points to).
        let id = if kind == MatterKind::Licence { "R-111" } else { "R-001" };
        assert_eq!((found[0].rule.id, found[0].rule.source), (id, source), "{kind:?}");
    }
}

#[test]
fn an_inspection_walks_to_closure_both_ways() {
    // No problem found: on-site → result told → closed.
    let (e, f) = inspection::open(good_open()).unwrap();
    let mut c = Inspection::new(good_open());
    assert_eq!(e, Event::Opened(good_open()));
    assert!(f.is_empty());
    let mut act = good_act(false);
    act.recording_announced = false; // a FLAG: recorded as a defect, not refused
    let (e, f) = c.record_on_site(act, true).unwrap();
    assert_eq!(ids(&f), ["R-142"]);
    c.apply(&e, &f);
    for step in ["notify", "close"] {
        let (e, f) = match step {
            "notify" => c.notify_result(at("2026-11-21")),
            _ => c.close(at("2026-11-22")),
        }
        .unwrap();
        c.apply(&e, &f);
    }
    assert_eq!((c.state, c.version, ids(&c.defects)), (State::Closed, 4, vec!["R-142"]));
    assert!(matches!(c.close(at("2026-11-23")), Err(CommandError::WrongState { state: "已结案", .. })));

    // A problem found: rectification ordered, re-inspected, then closed.
    let mut c = Inspection::new(good_open());
    type Step = Box<dyn Fn(&Inspection) -> inspection::Decision>;
    let steps: Vec<Step> = vec![
        Box::new(|c| c.record_on_site(good_act(true), true)),
        Box::new(|c| c.notify_result(at("2026-11-21"))),
        Box::new(|c| c.order_rectification(at("2026-11-21"), d("2026-12-05"), Some(rectification_notice()))),
        Box::new(|c| c.reinspect(good_act(false), true)),
        Box::new(|c| c.close(at("2026-12-08"))),
    ];
    for s in steps {
        let (e, f) = s(&c).unwrap();
        c.apply(&e, &f);
    }
    assert_eq!(c.state, State::Closed);
    assert_eq!(c.acts.len(), 2);
    let dl = c.deadlines();
    assert_eq!(dl.len(), 1);
    assert_eq!(dl[0].due, Ok(d("2026-12-05").end()));
    assert_eq!(status(dl[0].due.clone().unwrap(), dl[0].done_at, at("2026-12-20"), 0), DeadlineStatus::Met);
    // Out-of-order commands are refused by state.
    let fresh = Inspection::new(good_open());
    assert!(matches!(fresh.notify_result(at("2026-11-21")), Err(CommandError::WrongState { .. })));
    assert!(matches!(
        fresh.order_rectification(at("2026-11-21"), d("2026-12-01"), Some(rectification_notice())),
        Err(CommandError::WrongState { .. })
    ));
}

mod corrections;
mod entrustment;
mod execution;
mod orders;
mod party;

pub(crate) mod ordinary {
    //! The ordinary penalty procedure walked with and without a hearing, and every rule of it.

    use super::{at, d, good_act, good_open, ids, out, status};
    use crate::calendar::{DeadlineStatus, WorkCalendar};
    use crate::evidence;
    use crate::officer::Officer;
    use crate::penalty::{
        Approval, DecisionDoc, Event, HearingThresholds, Lead, Notice, Opinion, Ordinary, Report, State,
    };
    use crate::rules::{self, CommandError};
    use crate::service::{Method, Service};
    use crate::summary::{PartyKind, Penalty, yuan};
    use crate::time::Date;
    use crate::time::Timestamp;

    pub fn cal() -> WorkCalendar {
        WorkCalendar::china()
    }

    pub fn approval(day: &str) -> Approval {
        let o = |by: &str, op: &str| Opinion {
            person: String::new(),
            by: by.to_string(),
            opinion: op.to_string(),
            date: d(day),
            key_id: String::new(),
            signature: String::new(),
        };
        Approval {
            handler: o("王明", "建议立案调查"), reviewer: o("李华", "同意"), approver: o("张主任", "同意立案")
        }
    }

    pub fn lead(major: bool) -> Lead {
        let mut init = good_open().initiation;
        init.received_at = at("2026-08-06");
        Lead {
            id: "p1".to_string(),
            case_no: "栗街罚〔2026〕12号".to_string(),
            matter: "违法建设".to_string(),
            party_kind: PartyKind::Citizen,
            initiation: init,
            major,
            thresholds: HearingThresholds::default(),
            entrusted: None,
            party: Some(super::citizen()),
        }
    }

    pub fn report(fine: u64) -> Report {
        Report {
            facts: "当事人未经批准在院内搭建彩钢房".to_string(),
            evidence: vec!["现场检查笔录（2026-08-10）".to_string(), "询问笔录（张某某）".to_string()],
            legal_basis: "《城乡规划法》第六十五条".to_string(),
            discretion: "面积较小，首次违法，按裁量基准从轻".to_string(),
            proposal: Penalty::Fine(fine),
        }
    }

    pub fn notice(fine: u64, hearing_told: bool) -> Notice {
        Notice {
            served_at: at("2026-08-14"),
            service: Service {
                document: "行政处罚事先告知书（栗街罚告〔2026〕12号）".to_string(),
                ..direct(at("2026-08-14"))
            },
            penalty: Penalty::Fine(fine),
            facts: "未经批准搭建彩钢房".to_string(),
            reasons: "违反规划管理规定".to_string(),
            legal_basis: "《城乡规划法》第六十五条".to_string(),
            hearing_right_told: hearing_told,
            statement_days: 5,
        }
    }

    pub fn doc(fine: u64) -> DecisionDoc {
        DecisionDoc {
            doc_no: "栗街罚决〔2026〕12号".to_string(),
            penalty: Penalty::Fine(fine),
            facts: "未经批准搭建彩钢房".to_string(),
            legal_basis: "《城乡规划法》第六十五条".to_string(),
            performance_days: 15,
            relief_route_stated: true,
            sealed: true,
            hearing_transcript: String::new(),
            order: None,
        }
    }

    /// The evidence the report cites (R-069): the site record and the inquiry, by the
    /// investigators of `good_act`.
    pub fn gather(c: &mut Ordinary) {
        let ids: Vec<String> = good_act(true).officers.iter().map(|p| p.officer.id.clone()).collect();
        step!(c, c.record_evidence(site_record(&ids, true, "")));
        step!(c, c.record_evidence(inquiry(&ids)));
    }

    /// A 移送书 to the county police, with the party's notice of property transferred.
    pub fn to_police(property_notice: &str) -> Option<crate::penalty::Transfer> {
        Some(crate::penalty::Transfer {
            doc_no: "栗街移〔2026〕1号".to_string(),
            organ: "迁西县公安局".to_string(),
            property_notice: property_notice.to_string(),
        })
    }

    /// 承办机构拟作出决定 on 2026-08-11 (R-060).
    pub fn propose(c: &mut Ordinary, proposal: Penalty) {
        let unit = Opinion {
            person: String::new(),
            by: "李华".to_string(),
            opinion: "拟同意承办人意见".to_string(),
            date: d("2026-08-11"),
            key_id: String::new(),
            signature: String::new(),
        };
        step!(c, c.propose(at("2026-08-11"), unit, proposal));
    }

    /// A waiver in writing, signed by the party (R-051).
    pub fn waiver(at: Timestamp) -> crate::penalty::Waiver {
        crate::penalty::Waiver { at, signed_statement: true, av_ref: String::new() }
    }

    /// A public hearing with one agent, its transcript numbered and (if `signed`) signed.
    pub fn hearing(at: Timestamp, signed: bool) -> crate::penalty::Hearing {
        crate::penalty::Hearing {
            at,
            transcript_no: "栗街听笔〔2026〕3号".to_string(),
            transcript_signed: signed,
            public: true,
            non_public_reason: String::new(),
            agents: vec!["律师刘某".to_string()],
        }
    }

    pub fn approver() -> Opinion {
        Opinion {
            person: String::new(),
            by: "张主任".to_string(),
            opinion: "同意给予罚款五千元的处罚".to_string(),
            // The day the 案件处理审批表 was approved: no decision is dated before it (R-064b).
            date: d("2026-08-14"),
            key_id: String::new(),
            signature: String::new(),
        }
    }

    /// Decides on the case, then applies the event (the decision borrows it first).
    /// A case taken to the notice (fine of 5,000 yuan, hearing right told).
    pub fn noticed(major: bool) -> Ordinary {
        let mut c = Ordinary::new(lead(major));
        step!(c, c.file(approval("2026-08-07"), at("2026-08-07"), d("2026-07-30"), false));
        step!(c, c.investigate(good_act(true)));
        gather(&mut c);
        step!(c, c.conclude(report(yuan(5000))));
        propose(&mut c, Penalty::Fine(yuan(5000)));
        if major {
            step!(c, c.legal_review(at("2026-08-13"), &super::reviewer(), true, "事实清楚，程序合法，同意"));
        }
        step!(c, c.serve_notice(notice(yuan(5000), true)));
        c
    }

    /// 吊销许可证件 on a case no matter marked major: the penalty itself needs the legal review
    /// and the collective discussion (行政处罚法第五十七条、第五十八条; R-061, R-062).
    #[test]
    fn a_grave_penalty_needs_the_review_and_the_discussion_whatever_the_matter_says() {
        let told = |major_review: bool| {
            let mut c = Ordinary::new(lead(false));
            step!(c, c.file(approval("2026-08-07"), at("2026-08-07"), d("2026-07-30"), false));
            step!(c, c.investigate(good_act(true)));
            gather(&mut c);
            step!(c, c.conclude(report(yuan(5000))));
            propose(&mut c, Penalty::RevokeLicence);
            if major_review {
                step!(c, c.legal_review(at("2026-08-13"), &super::reviewer(), true, "事实清楚，程序合法，同意"));
            }
            step!(c, c.serve_notice(Notice { penalty: Penalty::RevokeLicence, ..notice(0, true) }));
            step!(c, c.waive(waiver(at("2026-08-14"))));
            c
        };
        let revoke = DecisionDoc { penalty: Penalty::RevokeLicence, ..doc(0) };
        let refused = out(told(false).decide(at("2026-08-17"), approver(), revoke.clone(), "", &cal()));
        assert_eq!(refused, ["R-061", "R-062"]);
        let mut c = told(true);
        step!(c, c.discuss(at("2026-08-17"), &heads(3), Penalty::RevokeLicence, "D35-1@hash"));
        let ok = out(c.decide(at("2026-08-17"), approver(), revoke, "", &cal()));
        assert!(!ok.contains(&"R-061") && !ok.contains(&"R-062"), "{ok:?}");
    }

    /// A case decided on 2026-08-17 after the party waived their statement.
    fn decided_case() -> Ordinary {
        let mut c = noticed(false);
        step!(c, c.waive(crate::tests::ordinary::waiver(at("2026-08-14"))));
        step!(c, c.decide(at("2026-08-17"), approver(), doc(yuan(5000)), "", &cal()));
        c
    }

    #[test]
    fn a_minor_violation_promptly_corrected_is_not_penalised() {
        use crate::penalty::NoPenaltyGround;
        let mut c = Ordinary::new(lead(false));
        step!(c, c.file(approval("2026-08-07"), at("2026-08-07"), d("2026-07-30"), false));
        step!(c, c.investigate(good_act(true)));
        gather(&mut c);
        step!(c, c.conclude(report(yuan(0))));
        propose(&mut c, Penalty::Fine(yuan(0)));
        let head = || Opinion { opinion: "同意不予处罚".to_string(), ..approver() };
        // The ground needs its reasons (R-063).
        assert_eq!(
            out(c.decide_no_penalty(at("2026-08-20"), head(), NoPenaltyGround::MinorCorrected, " ", None)),
            ["R-063"]
        );
        step!(
            c,
            c.decide_no_penalty(
                at("2026-08-20"),
                head(),
                NoPenaltyGround::MinorCorrected,
                "已于 8 月 12 日自行拆除，未造成危害后果",
                None
            )
        );
        assert_eq!((c.state, c.penalty), (State::Decided, None));
        step!(c, c.serve(direct(at("2026-08-21")), &cal()));
        // Nothing to pay: the case closes once the decision is served.
        step!(c, c.close(approval("2026-08-24"), at("2026-08-24")));
        assert_eq!(c.state, State::Closed);
    }

    #[test]
    fn a_hearing_the_party_stays_away_from_ends_and_the_case_is_decided() {
        let mut c = noticed(false);
        step!(c, c.request_hearing(at("2026-08-18"), &cal()));
        step!(c, c.schedule_hearing(at("2026-08-19"), d("2026-08-31"), "听证主持人孙某", &cal()));
        // Ending it needs the reason on record (R-048).
        assert_eq!(out(c.terminate_hearing(at("2026-08-31"), " ")), ["R-048"]);
        step!(c, c.terminate_hearing(at("2026-08-31"), "当事人经书面通知无正当理由未到场"));
        assert_eq!(c.state, State::HearingTerminated);
        // The advice is not a defect of the file.
        assert!(c.defects.is_empty(), "{:?}", c.defects);
        step!(c, c.decide(at("2026-09-02"), approver(), doc(yuan(5000)), "", &cal()));
        assert_eq!(c.state, State::Decided);
    }

    /// A case through its hearing.
    pub fn heard() -> Ordinary {
        let mut c = noticed(false);
        step!(c, c.request_hearing(at("2026-08-18"), &cal()));
        step!(c, c.schedule_hearing(at("2026-08-19"), d("2026-08-31"), "听证主持人孙某", &cal()));
        step!(c, c.hold_hearing(crate::tests::ordinary::hearing(at("2026-08-31"), true)));
        c
    }

    /// The decision handed to the party in person.
    fn direct(at: Timestamp) -> Service {
        super::handed_over("行政处罚决定书（栗街罚决〔2026〕12号）", at)
    }

    /// The decision served on 2026-08-18 by `method`.
    fn by(method: Method) -> Service {
        Service { method, ..direct(at("2026-08-18")) }
    }

    fn postal(receipt: Option<Timestamp>, returned: bool) -> Method {
        Method::Postal {
            tracking_no: "EMS1234567890".into(),
            return_receipt_at: receipt,
            returned_undelivered: returned,
        }
    }

    fn lien(witnesses: Vec<String>, av_ref: &str) -> Method {
        Method::Lien {
            refusal_reason: "当事人称不服决定，拒绝签收".into(),
            witnesses,
            av_ref: av_ref.into(),
            left_at_residence: true,
        }
    }

    fn electronic(consent: &str) -> Method {
        Method::Electronic {
            consent_ref: consent.into(),
            channel: "电子邮件".into(),
            proof: vec!["投递日志截图".into()],
        }
    }

    fn notice_board(prior: Vec<String>) -> Method {
        Method::PublicNotice {
            reason: "受送达人下落不明".into(),
            prior_attempts: prior,
            medium: "栗乡街道办事处公告栏及政府网站".into(),
            published_at: at("2026-08-18"),
        }
    }

    #[test]
    fn the_date_of_service_follows_the_method() {
        assert_eq!(direct(at("2026-08-18")).served_at(), Some(at("2026-08-18")));
        assert_eq!(by(postal(Some(at("2026-08-21")), false)).served_at(), Some(at("2026-08-21")));
        assert_eq!(by(postal(Some(at("2026-08-21")), true)).served_at(), None);
        // 公告送达: thirty days after publication (民事诉讼法第九十五条).
        assert_eq!(by(notice_board(vec![])).served_at(), Some(at("2026-09-17")));
        // Which is late for a penalty decision: accepted, and flagged (R-082).
        let mut c = decided_case();
        let (event, flags) = c.serve(by(notice_board(vec!["直接送达未果".into()])), &cal()).unwrap();
        assert_eq!(ids(&flags), ["R-082"]);
        c.apply(&event, &flags);
        assert_eq!(c.served_at, Some(at("2026-09-17")));
    }

    #[test]
    fn without_a_hearing_from_lead_to_closure() {
        let cal = cal();
        let mut c = noticed(false);
        step!(c, c.waive(crate::tests::ordinary::waiver(at("2026-08-14"))));
        step!(c, c.decide(at("2026-08-17"), approver(), doc(yuan(5000)), "", &cal));
        step!(c, c.serve(direct(at("2026-08-18")), &cal));
        step!(c, c.pay(at("2026-08-28"), "BANK-1"));
        step!(c, c.close(approval("2026-08-31"), at("2026-08-31")));
        assert_eq!(c.state, State::Closed);
        assert!(c.defects.is_empty(), "{:?}", c.defects);
        let dl = c.deadlines(&cal);
        assert_eq!(dl.iter().map(|x| x.code).collect::<Vec<_>>(), ["T-03", "T-08", "T-11"]);
        assert!(
            dl.iter().all(|x| status(x.due.clone().unwrap(), x.done_at, at("2026-12-31"), 0) == DeadlineStatus::Met)
        );
    }

    #[test]
    fn with_a_hearing_from_lead_to_closure() {
        let cal = cal();
        let mut c = heard();
        // A hearing makes legal review mandatory, after the hearing (行政处罚法第五十八条), and
        // the decision rests on the transcript (第六十五条).
        let cited = DecisionDoc { hearing_transcript: "栗街听笔〔2026〕3号".to_string(), ..doc(yuan(5000)) };
        assert_eq!(out(c.decide(at("2026-09-02"), approver(), cited.clone(), "", &cal)), ["R-049"]);
        step!(c, c.legal_review(at("2026-09-01"), &super::reviewer(), true, "听证后复核，同意"));
        assert_eq!(out(c.decide(at("2026-09-02"), approver(), doc(yuan(5000)), "", &cal)), ["R-049"]);
        step!(c, c.decide(at("2026-09-02"), approver(), cited, "", &cal));
        step!(c, c.serve(direct(at("2026-09-03")), &cal));
        step!(c, c.pay(at("2026-09-08"), "BANK-2"));
        step!(c, c.close(approval("2026-09-09"), at("2026-09-09")));
        assert_eq!((c.state, c.version), (State::Closed, 16));
    }

    fn item(label: &str, body: evidence::Body) -> evidence::Item {
        evidence::Item { label: label.to_string(), at: at("2026-08-10"), body }
    }

    pub fn inquiry(inquirers: &[String]) -> evidence::Item {
        item(
            "询问笔录（张某某）",
            evidence::Body::Inquiry(evidence::Inquiry {
                ended_at: at("2026-08-10").plus_hours(1),
                place: "栗乡街道办事处询问室".to_string(),
                inquirers: inquirers.to_vec(),
                recorder: "李华".to_string(),
                interviewee: "张某某，身份证号码见附件".to_string(),
                relation: "当事人".to_string(),
                rights_told: true,
                questions_and_answers: "问：院内彩钢房是谁搭建的？答：是我。".to_string(),
                confirmed: true,
                signed_every_page: true,
                refusal: None,
                pages: evidence::CrossPages::default(),
            }),
        )
    }

    fn collected(lawful: bool, copy_verified: bool) -> evidence::Item {
        item(
            "房屋产权证复印件",
            evidence::Body::Collected(evidence::Collected {
                kind: evidence::Kind::Documentary,
                source: "当事人张某某提供".to_string(),
                original: false,
                copy_verified,
                lawfully_obtained: lawful,
                av: None,
                monitoring: None,
            }),
        )
    }

    /// `item` (an inquiry or a site record) of `pages` pages, with or without the 骑缝 mark.
    pub fn paged(mut item: evidence::Item, pages: u32, cross_page_sealed: bool) -> evidence::Item {
        let p = evidence::CrossPages { pages, cross_page_sealed };
        match &mut item.body {
            evidence::Body::Inquiry(q) => q.pages = p,
            evidence::Body::SiteRecord(r) => r.pages = p,
            _ => panic!("no pages on this kind of record"),
        }
        item
    }

    fn provenance(sound: bool, transcript: &str) -> evidence::AvProvenance {
        evidence::AvProvenance {
            production_method: "执法记录仪现场拍摄".to_string(),
            produced_at: Some(at("2026-08-10")),
            producer: "王明".to_string(),
            proves: "当事人在院内搭建彩钢房".to_string(),
            sound,
            transcript: transcript.to_string(),
        }
    }

    /// A photograph of a 电子技术监控设备, its record reviewed or not.
    fn monitored(reviewed: bool) -> evidence::Item {
        item(
            "违法建设监控抓拍",
            evidence::Body::Collected(evidence::Collected {
                kind: evidence::Kind::Electronic,
                source: "幸福路口监控 JK-03".to_string(),
                original: true,
                copy_verified: false,
                lawfully_obtained: true,
                av: None,
                monitoring: Some(evidence::Monitoring {
                    device: "JK-03".to_string(),
                    device_reviewed: true,
                    site_published: true,
                    content_reviewed: reviewed,
                    party_notified_at: Some(at("2026-08-11")),
                }),
            }),
        )
    }

    /// A 视听资料 taken in as evidence, its original carrier kept.
    fn video(av: Option<evidence::AvProvenance>) -> evidence::Item {
        item(
            "现场执法记录仪视频",
            evidence::Body::Collected(evidence::Collected {
                kind: evidence::Kind::AudioVisual,
                source: "执法记录仪 DSJ-001".to_string(),
                original: true,
                copy_verified: false,
                lawfully_obtained: true,
                av,
                monitoring: None,
            }),
        )
    }

    fn sampling(officers: &[String]) -> evidence::Item {
        item(
            "抽样取证凭证（彩钢板）",
            evidence::Body::Sampling(evidence::Sampling {
                sample: "彩钢夹芯板".to_string(),
                batch: "0.5mm".to_string(),
                quantity: "1块".to_string(),
                method: "随机抽取".to_string(),
                sealed: true,
                party_signed: true,
                officers: officers.to_vec(),
                copy_to_party: true,
                refusal: None,
            }),
        )
    }

    pub fn site_record(officers: &[String], party_signed: bool, reason: &str) -> evidence::Item {
        item(
            "现场检查笔录（2026-08-10）",
            evidence::Body::SiteRecord(evidence::SiteRecord {
                place: "栗乡街道幸福路 8 号院内".to_string(),
                findings: "院内东侧搭建彩钢房一间，约 20 平方米".to_string(),
                officers: officers.to_vec(),
                party_signed,
                no_signature_reason: reason.to_string(),
                witnesses: vec![],
                pages: evidence::CrossPages::default(),
            }),
        )
    }

    fn testing(kind: evidence::TestKind, notified: bool, sealed: bool) -> evidence::Item {
        item(
            "检测报告",
            evidence::Body::Testing(evidence::Testing {
                kind,
                institution: "某某检测有限公司".to_string(),
                matter: "彩钢房结构安全".to_string(),
                result: "存在安全隐患".to_string(),
                result_notified: notified,
                appraiser_qualified: true,
                signed_and_sealed: sealed,
            }),
        )
    }

    fn argumentation(participants: &[&str]) -> evidence::Item {
        item(
            "专家论证意见（房屋结构安全）",
            evidence::Body::Argumentation(evidence::Argumentation {
                matter: "彩钢房是否危及相邻房屋结构安全".to_string(),
                place: "栗乡街道办事处会议室".to_string(),
                participants: participants.iter().map(|p| p.to_string()).collect(),
                opinions: "一致认为存在安全隐患".to_string(),
                conclusion: "应予拆除".to_string(),
                signed_by_all: true,
            }),
        )
    }

    fn testimony(id_copy: bool) -> evidence::Item {
        item(
            "证人证言（邻居赵某）",
            evidence::Body::Testimony(evidence::Testimony {
                witness: "赵某".to_string(),
                age: Some(52),
                sex: "男".to_string(),
                occupation: "退休职工".to_string(),
                address: "栗乡街道幸福路 10 号".to_string(),
                statement: "七月中旬看到张某某在院内搭建彩钢房".to_string(),
                signed: true,
                id_copy_attached: id_copy,
            }),
        )
    }

    pub fn preservation(approved_on: &str) -> evidence::Item {
        evidence::Item {
            label: "先行登记保存（彩钢板）".to_string(),
            at: at("2026-09-30"),
            body: evidence::Body::Preservation(evidence::Preservation {
                approved_by: "张主任".to_string(),
                approved_at: at(approved_on),
                items: vec!["彩钢夹芯板 20 块".to_string()],
                notice_served: true,
            }),
        }
    }

    #[test]
    fn preserved_evidence_is_handled_within_seven_working_days() {
        let cal = cal();
        let mut c = Ordinary::new(lead(false));
        step!(c, c.file(approval("2026-08-07"), at("2026-08-07"), d("2026-07-30"), false));
        step!(c, c.investigate(good_act(true)));
        step!(c, c.record_evidence(preservation("2026-09-30")));
        // Registered on 30 September: 国庆节 is off and 10 October (a Saturday) is worked.
        let t04 = c.deadlines(&cal).into_iter().find(|x| x.code == "T-04").unwrap();
        assert_eq!(t04.due.clone().map(|t| t.shanghai_date()), Ok(d("2026-10-15")));
        assert_eq!(status(t04.due.clone().unwrap(), t04.done_at, at("2026-10-16"), 0), DeadlineStatus::Overdue);
        assert_eq!(out(c.handle_preservation("询问笔录", at("2026-10-09"), "退还")), ["R-028"]);
        assert_eq!(out(c.handle_preservation("先行登记保存（彩钢板）", at("2026-10-09"), " ")), ["R-028"]);
        step!(c, c.handle_preservation("先行登记保存（彩钢板）", at("2026-10-09"), "解除先行登记保存，退还当事人"));
        assert_eq!(out(c.handle_preservation("先行登记保存（彩钢板）", at("2026-10-10"), "退还")), ["R-028"]);
        let t04 = c.deadlines(&cal).into_iter().find(|x| x.code == "T-04").unwrap();
        assert_eq!(status(t04.due.clone().unwrap(), t04.done_at, at("2026-12-31"), 0), DeadlineStatus::Met);
        // A case is not closed while preserved evidence awaits its handling decision.
        let mut paid = noticed(false);
        step!(paid, paid.waive(crate::tests::ordinary::waiver(at("2026-08-14"))));
        step!(paid, paid.decide(at("2026-08-17"), approver(), doc(yuan(5000)), "", &cal));
        step!(paid, paid.serve(direct(at("2026-08-18")), &cal));
        step!(paid, paid.pay(at("2026-08-28"), "BANK-1"));
        let mut pending = paid.clone();
        pending.evidence.push(preservation("2026-08-10"));
        assert_eq!(out(pending.close(approval("2026-08-31"), at("2026-08-31"))), ["R-028"]);
        step!(paid, paid.close(approval("2026-08-31"), at("2026-08-31")));
    }

    #[test]
    fn a_deadline_the_calendar_cannot_compute_hides_no_other() {
        let cal = cal();
        let mut c = Ordinary::new(lead(false));
        step!(c, c.file(approval("2026-11-16"), at("2026-11-16"), d("2026-07-30"), false));
        step!(c, c.investigate(good_act(true)));
        step!(c, c.record_evidence(evidence::Item { at: at("2026-11-20"), ..preservation("2026-11-20") }));
        let dl = c.deadlines(&cal);
        // Ninety days from 16 November end in 2027, a year the calendar does not have yet: a
        // period in calendar days does not wait for it (Sunday 14 February moves to Monday).
        assert_eq!(dl[0].code, "T-03");
        assert_eq!(dl[0].due, Ok(d("2027-02-15").end()));
        // A gate counted in working days into that year still asks for its calendar.
        assert_eq!(
            cal.due(at("2026-12-28"), crate::calendar::Period::WorkingDays(7)),
            Err(crate::calendar::CalendarError::YearNotLoaded(2027))
        );
        assert_eq!(dl[1].code, "T-04");
        assert_eq!(dl[1].due, Ok(d("2026-12-01").end()));
    }

    #[test]
    fn a_report_cannot_rest_on_unlawfully_obtained_evidence() {
        let mut c = Ordinary::new(lead(false));
        step!(c, c.file(approval("2026-08-07"), at("2026-08-07"), d("2026-07-30"), false));
        step!(c, c.investigate(good_act(true)));
        let ids: Vec<String> = good_act(true).officers.iter().map(|p| p.officer.id.clone()).collect();
        step!(c, c.record_evidence(inquiry(&ids)));
        step!(c, c.record_evidence(collected(false, true)));
        // The same name twice could not be told apart in the report (R-033).
        assert_eq!(out(c.record_evidence(inquiry(&ids))), ["R-033"]);
        let mut r = report(yuan(5000));
        r.evidence = vec!["询问笔录（张某某）".to_string(), "房屋产权证复印件".to_string()];
        assert_eq!(out(c.conclude(r.clone())), ["R-031"]);
        r.evidence.pop();
        step!(c, c.conclude(r));
        assert_eq!(c.evidence.len(), 2);
    }

    /// (rule, findings that violate it, findings that satisfy it)
    pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
        let cal = cal();
        let fresh = Ordinary::new(lead(false));
        let mut bare = approval("2026-08-07");
        bare.approver.opinion = "张主任".to_string();
        let mut reversed = approval("2026-08-07");
        reversed.handler.date = d("2026-10-10");
        let filed = {
            let mut c = fresh.clone();
            step!(c, c.file(approval("2026-08-07"), at("2026-08-07"), d("2026-07-30"), false));
            c
        };
        let investigating = {
            let mut c = filed.clone();
            step!(c, c.investigate(good_act(true)));
            c
        };
        let gathered = {
            let mut c = investigating.clone();
            gather(&mut c);
            c
        };
        let unproposed = {
            let mut c = gathered.clone();
            step!(c, c.conclude(report(yuan(5000))));
            c
        };
        let concluded = {
            let mut c = gathered.clone();
            step!(c, c.conclude(report(yuan(5000))));
            propose(&mut c, Penalty::Fine(yuan(5000)));
            c
        };
        let noticed = noticed(false);
        let waived = {
            let mut c = noticed.clone();
            step!(c, c.waive(crate::tests::ordinary::waiver(at("2026-08-14"))));
            c
        };
        let requested = {
            let mut c = noticed.clone();
            step!(c, c.request_hearing(at("2026-08-18"), &cal));
            c
        };
        let decided = {
            let mut c = waived.clone();
            step!(c, c.decide(at("2026-08-17"), approver(), doc(yuan(5000)), "", &cal));
            c
        };
        let served = {
            let mut c = decided.clone();
            step!(c, c.serve(direct(at("2026-08-18")), &cal));
            c
        };
        let investigator = good_act(true).officers[0].officer.id.clone();
        let both: Vec<String> = good_act(true).officers.iter().map(|p| p.officer.id.clone()).collect();
        let one_and_stranger = vec![investigator.clone(), "13029999".to_string()];
        let mut unconfirmed = inquiry(&both);
        if let evidence::Body::Inquiry(q) = &mut unconfirmed.body {
            q.confirmed = false;
        }
        // The interviewee would not sign: the note is signed by one investigator only, then by both.
        let refused_by = |noted_by: &[String]| {
            let mut i = inquiry(&both);
            if let evidence::Body::Inquiry(q) = &mut i.body {
                q.signed_every_page = false;
                q.refusal = Some(evidence::RefusalNote {
                    reason: "被询问人拒绝签名".to_string(),
                    noted_by: noted_by.to_vec(),
                });
            }
            i
        };
        let tainted = {
            let mut c = gathered.clone();
            step!(c, c.record_evidence(collected(false, true)));
            c
        };
        let preserved = {
            let mut c = investigating.clone();
            step!(c, c.record_evidence(preservation("2026-09-30")));
            c
        };
        // A case holding property under 先行登记保存, transferred to the police with `property_notice`.
        let transfer_holding_property = |property_notice: &str| {
            let mut c = preserved.clone();
            step!(c, c.handle_preservation("先行登记保存（彩钢板）", at("2026-10-01"), "随案移送公安机关"));
            gather(&mut c);
            step!(c, c.conclude(report(yuan(5000))));
            propose(&mut c, Penalty::Fine(yuan(5000)));
            out(c.decide_no_penalty(
                at("2026-10-02"),
                approver(),
                crate::penalty::NoPenaltyGround::TransferToJudicial,
                "涉嫌犯罪",
                to_police(property_notice),
            ))
        };
        let recusal_ruled = |granted: bool| {
            let mut c = investigating.clone();
            step!(c, c.request_recusal(at("2026-08-11"), "王明", "执法人员系当事人近亲属"));
            step!(c, c.decide_recusal(at("2026-08-12"), "王明", "张主任", granted, "经核实"));
            c
        };
        let recusal_pending = {
            let mut c = waived.clone();
            step!(c, c.request_recusal(at("2026-08-14"), "王明", "执法人员与当事人有纠纷"));
            c
        };
        let recusal_decided = {
            let mut c = recusal_pending.clone();
            step!(c, c.decide_recusal(at("2026-08-15"), "王明", "张主任", false, "申请理由不成立，不予回避"));
            c
        };
        let mut relied_on = report(yuan(5000));
        relied_on.evidence.push("房屋产权证复印件".to_string());
        let no_report_facts = Report { facts: String::new(), ..report(yuan(5000)) };
        let no_evidence = Report { evidence: vec![], ..report(yuan(5000)) };
        let mut unsealed = doc(yuan(5000));
        unsealed.sealed = false;
        let mut bare_head = approver();
        bare_head.opinion = "张主任".to_string();
        let t = |s: &str| at(s);
        use crate::penalty::Hearing;
        let scheduled = {
            let mut c = requested.clone();
            step!(c, c.schedule_hearing(t("2026-08-19"), d("2026-08-31"), "孙某", &cal));
            c
        };
        vec![
            (
                "R-131",
                out(fresh.file(bare.clone(), t("2026-08-07"), d("2026-07-30"), false)),
                out(fresh.file(approval("2026-08-07"), t("2026-08-07"), d("2026-07-30"), false)),
            ),
            (
                "R-064",
                out(fresh.file(reversed, t("2026-08-07"), d("2026-07-30"), false)),
                out(fresh.file(approval("2026-08-07"), t("2026-08-07"), d("2026-07-30"), false)),
            ),
            // Discovered 2026-10-08: a violation that ended in 2024-09 is out of time, unless grave.
            (
                "R-012",
                out(fresh.file(approval("2026-08-07"), t("2026-08-07"), d("2024-07-30"), false)),
                out(fresh.file(approval("2026-08-07"), t("2026-08-07"), d("2024-07-30"), true)),
            ),
            ("R-011", out(fresh.investigate(good_act(true))), out(filed.investigate(good_act(true)))),
            ("R-033", out(investigating.conclude(no_report_facts)), out(gathered.conclude(report(yuan(5000))))),
            ("R-033", out(investigating.conclude(no_evidence)), out(gathered.conclude(report(yuan(100))))),
            (
                "R-020",
                out(investigating.record_evidence(inquiry(&one_and_stranger))),
                out(investigating.record_evidence(inquiry(&both))),
            ),
            (
                "R-020",
                out(investigating.record_evidence(unconfirmed)),
                out(investigating.record_evidence(inquiry(&both))),
            ),
            (
                "R-021",
                out(investigating.record_evidence(refused_by(&one_and_stranger))),
                out(investigating.record_evidence(refused_by(&both))),
            ),
            // With the refusal noted, the unsigned record is no R-020 defect either.
            (
                "R-020",
                out(investigating.record_evidence({
                    let mut i = refused_by(&both);
                    if let evidence::Body::Inquiry(q) = &mut i.body {
                        q.refusal = None;
                    }
                    i
                })),
                out(investigating.record_evidence(refused_by(&both))),
            ),
            (
                "R-025",
                out(investigating.record_evidence(collected(true, false))),
                out(investigating.record_evidence(collected(true, true))),
            ),
            // 办法第十四条: a record of several pages carries the party's 骑缝 mark.
            (
                "R-023",
                out(investigating.record_evidence(paged(inquiry(&both), 3, false))),
                out(investigating.record_evidence(paged(inquiry(&both), 3, true))),
            ),
            (
                "R-023",
                out(investigating.record_evidence(paged(site_record(&both, true, ""), 2, false))),
                out(investigating.record_evidence(paged(site_record(&both, true, ""), 1, false))),
            ),
            // 行政处罚法第四十一条: a monitoring device's record, reviewed, from a published site.
            (
                "R-015",
                out(investigating.record_evidence(monitored(false))),
                out(investigating.record_evidence(monitored(true))),
            ),
            // A 视听资料 says how, when, by whom it was made and what it proves; sound has its transcript.
            (
                "R-026",
                out(investigating.record_evidence(video(None))),
                out(investigating.record_evidence(video(Some(provenance(false, ""))))),
            ),
            (
                "R-026",
                out(investigating.record_evidence(video(Some(provenance(true, ""))))),
                out(investigating
                    .record_evidence(video(Some(provenance(true, "执法人员：请出示营业执照。当事人：没有。"))))),
            ),
            (
                "R-027",
                out(investigating.record_evidence(sampling(&one_and_stranger))),
                out(investigating.record_evidence(sampling(&both))),
            ),
            ("R-031", out(tainted.conclude(relied_on.clone())), out(tainted.conclude(report(yuan(5000))))),
            (
                "R-024",
                out(investigating.record_evidence(site_record(&both, false, " "))),
                out(investigating.record_evidence(site_record(&both, false, "当事人拒绝签名"))),
            ),
            (
                "R-024",
                out(investigating.record_evidence(site_record(&one_and_stranger, true, ""))),
                out(investigating.record_evidence(site_record(&both, true, ""))),
            ),
            (
                "R-029",
                out(investigating.record_evidence(testing(evidence::TestKind::Testing, false, true))),
                out(investigating.record_evidence(testing(evidence::TestKind::Testing, true, true))),
            ),
            (
                "R-030",
                out(investigating.record_evidence(testing(evidence::TestKind::Appraisal, true, false))),
                out(investigating.record_evidence(testing(evidence::TestKind::Appraisal, true, true))),
            ),
            (
                "R-032",
                out(investigating.record_evidence(testimony(false))),
                out(investigating.record_evidence(testimony(true))),
            ),
            (
                "R-035",
                out(investigating.record_evidence(argumentation(&["王工，县住建局高级工程师"]))),
                out(investigating.record_evidence(argumentation(&["王工，县住建局高级工程师", "李工，结构工程师"]))),
            ),
            // Approved the day after it was carried out.
            (
                "R-028",
                out(investigating.record_evidence(preservation("2026-10-01"))),
                out(investigating.record_evidence(preservation("2026-09-29"))),
            ),
            (
                "R-028",
                out(preserved.handle_preservation("先行登记保存（彩钢板）", t("2026-09-29"), "退还")),
                out(preserved.handle_preservation("先行登记保存（彩钢板）", t("2026-10-09"), "退还")),
            ),
            (
                "R-040",
                out(concluded.serve_notice(Notice { reasons: " ".to_string(), ..notice(yuan(5000), true) })),
                out(concluded.serve_notice(notice(yuan(5000), true))),
            ),
            // A notice must carry its own receipt, and its date of service is the receipt's.
            (
                "R-081",
                out(concluded.serve_notice(Notice { served_at: t("2026-08-13"), ..notice(yuan(5000), true) })),
                out(concluded.serve_notice(notice(yuan(5000), true))),
            ),
            (
                "R-084",
                out(concluded.serve_notice(Notice { service: by(postal(None, false)), ..notice(yuan(5000), true) })),
                out(concluded.serve_notice(notice(yuan(5000), true))),
            ),
            (
                "R-040",
                out(concluded.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
                out(waived.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
            ),
            // 5,000 yuan for a citizen is over the hearing threshold; 1,000 yuan is not.
            (
                "R-042",
                out(concluded.serve_notice(notice(yuan(5000), false))),
                out(concluded.serve_notice(notice(yuan(1000), false))),
            ),
            // Deciding inside the statement period without statement or waiver; or heavier than told.
            (
                "R-041",
                out(noticed.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
                out(noticed.decide(t("2026-08-24"), approver(), doc(yuan(5000)), "", &cal)),
            ),
            (
                "R-041",
                out(waived.decide(t("2026-08-17"), approver(), doc(yuan(6000)), "", &cal)),
                out(waived.decide(t("2026-08-17"), approver(), doc(yuan(4000)), "", &cal)),
            ),
            (
                "R-041",
                out(noticed.hear_statement(t("2026-08-15"), "面积很小", " ")),
                out(noticed.hear_statement(t("2026-08-15"), "面积很小", "已考虑，维持")),
            ),
            // Five working days from Friday 2026-10-16 end Friday 2026-10-23.
            (
                "R-043",
                out(noticed.request_hearing(t("2026-08-24"), &cal)),
                out(noticed.request_hearing(t("2026-08-21"), &cal)),
            ),
            (
                "R-043",
                out(requested.decide(t("2026-08-28"), approver(), doc(yuan(5000)), "", &cal)),
                out(waived.decide(t("2026-08-28"), approver(), doc(yuan(5000)), "", &cal)),
            ),
            // From 2026-10-21: 2026-10-30 leaves six working days between, 2026-11-02 seven.
            (
                "R-044",
                out(requested.schedule_hearing(t("2026-08-19"), d("2026-08-28"), "孙某", &cal)),
                out(requested.schedule_hearing(t("2026-08-19"), d("2026-08-31"), "孙某", &cal)),
            ),
            (
                "R-006",
                out(requested.schedule_hearing(t("2026-08-19"), d("2026-08-31"), &investigator, &cal)),
                out(requested.schedule_hearing(t("2026-08-19"), d("2026-08-31"), "孙某", &cal)),
            ),
            // Step (二) of 办法第九条: the unit's draft decision, signed with an opinion.
            (
                "R-060",
                out(unproposed.serve_notice(notice(yuan(5000), true))),
                out(concluded.serve_notice(notice(yuan(5000), true))),
            ),
            (
                "R-060",
                out(unproposed.propose(
                    t("2026-08-11"),
                    Opinion {
                        person: String::new(),
                        by: "李华".to_string(),
                        opinion: "李华".to_string(),
                        date: d("2026-08-11"),
                        key_id: String::new(),
                        signature: String::new(),
                    },
                    Penalty::Fine(yuan(5000)),
                )),
                out(unproposed.propose(
                    t("2026-08-11"),
                    Opinion {
                        person: String::new(),
                        by: "李华".to_string(),
                        opinion: "拟罚款五千元".to_string(),
                        date: d("2026-08-11"),
                        key_id: String::new(),
                        signature: String::new(),
                    },
                    Penalty::Fine(yuan(5000)),
                )),
            ),
            (
                "R-011b",
                out(fresh.not_file(approval("2026-08-07"), " ")),
                out(fresh.not_file(approval("2026-08-07"), "经核查，举报的搭建行为系经批准的临时建筑")),
            ),
            (
                "R-069",
                out(gathered.conclude(Report {
                    evidence: vec!["现场检查笔录（2026-08-10）".to_string(), "现场照片".to_string()],
                    ..report(yuan(5000))
                })),
                out(gathered.conclude(report(yuan(5000)))),
            ),
            // Silence is no waiver; a waiver is signed or on A/V.
            (
                "R-051",
                out(noticed.waive(crate::penalty::Waiver { signed_statement: false, ..waiver(t("2026-08-14")) })),
                out(noticed.waive(crate::penalty::Waiver {
                    signed_statement: false,
                    av_ref: "AV-20260814-0001 00:02:10-00:03:05".to_string(),
                    ..waiver(t("2026-08-14"))
                })),
            ),
            (
                "R-045",
                out(scheduled.hold_hearing(Hearing {
                    public: false,
                    non_public_reason: "当事人不愿公开".to_string(),
                    ..hearing(t("2026-08-31"), true)
                })),
                out(scheduled.hold_hearing(Hearing {
                    public: false,
                    non_public_reason: "个人隐私".to_string(),
                    ..hearing(t("2026-08-31"), true)
                })),
            ),
            (
                "R-046",
                out(scheduled.hold_hearing(Hearing {
                    agents: ["律师刘某", "律师陈某", "张某某之子"].map(String::from).to_vec(),
                    ..hearing(t("2026-08-31"), true)
                })),
                out(scheduled.hold_hearing(Hearing {
                    agents: ["律师刘某", "律师陈某"].map(String::from).to_vec(),
                    ..hearing(t("2026-08-31"), true)
                })),
            ),
            (
                "R-049",
                out({
                    let mut c = heard();
                    step!(c, c.legal_review(t("2026-09-01"), &super::reviewer(), true, "听证后复核，同意"));
                    c.decide(t("2026-09-02"), approver(), doc(yuan(5000)), "", &cal)
                }),
                out({
                    let mut c = heard();
                    step!(c, c.legal_review(t("2026-09-01"), &super::reviewer(), true, "听证后复核，同意"));
                    let cited =
                        DecisionDoc { hearing_transcript: "栗街听笔〔2026〕3号".to_string(), ..doc(yuan(5000)) };
                    c.decide(t("2026-09-02"), approver(), cited, "", &cal)
                }),
            ),
            (
                "R-070",
                out(concluded.decide_no_penalty(
                    t("2026-08-20"),
                    approver(),
                    crate::penalty::NoPenaltyGround::TransferToJudicial,
                    "涉嫌非法占用农用地罪",
                    None,
                )),
                out(concluded.decide_no_penalty(
                    t("2026-08-20"),
                    approver(),
                    crate::penalty::NoPenaltyGround::TransferToJudicial,
                    "涉嫌非法占用农用地罪",
                    to_police(""),
                )),
            ),
            (
                "R-070",
                transfer_holding_property(""),
                transfer_holding_property("栗街财移告〔2026〕1号，已于 2026-10-02 送达"),
            ),
            (
                "R-048",
                out({
                    let mut c = requested.clone();
                    step!(c, c.schedule_hearing(t("2026-08-19"), d("2026-08-31"), "孙某", &cal));
                    c.hold_hearing(crate::tests::ordinary::hearing(t("2026-08-31"), false))
                }),
                out({
                    let mut c = requested.clone();
                    step!(c, c.schedule_hearing(t("2026-08-19"), d("2026-08-31"), "孙某", &cal));
                    c.hold_hearing(crate::tests::ordinary::hearing(t("2026-08-31"), true))
                }),
            ),
            // The party stayed away: the hearing ends and the right counts as waived (advice).
            (
                "R-047",
                out({
                    let mut c = requested.clone();
                    step!(c, c.schedule_hearing(t("2026-08-19"), d("2026-08-31"), "孙某", &cal));
                    c.terminate_hearing(t("2026-08-31"), "当事人经书面通知无正当理由未到场")
                }),
                out({
                    let mut c = requested.clone();
                    step!(c, c.schedule_hearing(t("2026-08-19"), d("2026-08-31"), "孙某", &cal));
                    c.hold_hearing(crate::tests::ordinary::hearing(t("2026-08-31"), true))
                }),
            ),
            (
                "R-061",
                out({
                    let mut c = super::ordinary::noticed_major_unreviewed();
                    step!(c, c.waive(crate::tests::ordinary::waiver(t("2026-08-14"))));
                    c.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)
                }),
                out({
                    let mut c = super::ordinary::noticed(true);
                    step!(c, c.waive(crate::tests::ordinary::waiver(t("2026-08-14"))));
                    c.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)
                }),
            ),
            (
                "R-062",
                out(major_waived().decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
                out({
                    let mut c = major_waived();
                    step!(c, c.discuss(t("2026-08-17"), &heads(3), Penalty::Fine(yuan(5000)), "D35-1@hash"));
                    c.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)
                }),
            ),
            (
                "R-062",
                out(major_waived().discuss(t("2026-08-17"), &heads(2), Penalty::Fine(yuan(5000)), "D35-1@hash")),
                out(major_waived().discuss(t("2026-08-17"), &heads(3), Penalty::Fine(yuan(5000)), "D35-1@hash")),
            ),
            // A discussion rests on a 集体讨论记录 the members confirmed, and one record is one
            // discussion: the same record sent again is no second discussion.
            (
                "R-062",
                out(major_waived().discuss(t("2026-08-17"), &heads(3), Penalty::Fine(yuan(5000)), " ")),
                out(major_waived().discuss(t("2026-08-17"), &heads(3), Penalty::Fine(yuan(5000)), "D35-1@hash")),
            ),
            (
                "R-062",
                out({
                    let mut c = major_waived();
                    step!(c, c.discuss(t("2026-08-17"), &heads(3), Penalty::Fine(yuan(5000)), "D35-1@hash"));
                    c.discuss(t("2026-08-18"), &heads(3), Penalty::Fine(yuan(3000)), "D35-1@hash")
                }),
                out({
                    let mut c = major_waived();
                    step!(c, c.discuss(t("2026-08-17"), &heads(3), Penalty::Fine(yuan(5000)), "D35-1@hash"));
                    c.discuss(t("2026-08-18"), &heads(3), Penalty::Fine(yuan(3000)), "D35-2@other")
                }),
            ),
            // Not before the notice it follows was served.
            (
                "R-064b",
                out(major_waived().discuss(t("1970-01-02"), &heads(3), Penalty::Fine(yuan(5000)), "D35-1@hash")),
                out(major_waived().discuss(t("2026-08-17"), &heads(3), Penalty::Fine(yuan(5000)), "D35-1@hash")),
            ),
            (
                "R-062",
                out({
                    let mut c = major_waived();
                    step!(c, c.discuss(t("2026-08-17"), &heads(3), Penalty::Fine(yuan(4000)), "D35-1@hash"));
                    c.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)
                }),
                out({
                    let mut c = major_waived();
                    step!(c, c.discuss(t("2026-08-17"), &heads(3), Penalty::Fine(yuan(5000)), "D35-1@hash"));
                    c.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)
                }),
            ),
            (
                "R-005",
                out(concluded.legal_review(t("2026-08-13"), &super::officer("王明", "13020001"), true, "同意")),
                out(concluded.legal_review(t("2026-08-13"), &super::reviewer(), true, "同意")),
            ),
            // An investigator of the case, even a qualified one, should not review it.
            (
                "R-007",
                out(concluded.legal_review(
                    t("2026-08-13"),
                    &Officer { legal_qualification: true, ..super::officer("王明", "13020001") },
                    true,
                    "同意",
                )),
                out(concluded.legal_review(t("2026-08-13"), &super::reviewer(), true, "同意")),
            ),
            // Once 王明 has been recused, he takes no further part (行政处罚法第四十三条).
            (
                "R-004b",
                out(recusal_ruled(true).investigate(good_act(true))),
                out(recusal_ruled(false).investigate(good_act(true))),
            ),
            (
                "R-004b",
                out(recusal_ruled(true).record_evidence(inquiry(&both))),
                out(recusal_ruled(false).record_evidence(inquiry(&both))),
            ),
            (
                "R-004",
                out(recusal_pending.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
                out(recusal_decided.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
            ),
            (
                "R-004",
                out(recusal_pending.decide_recusal(t("2026-08-15"), "王明", " ", false, "")),
                out(recusal_pending.decide_recusal(
                    t("2026-08-15"),
                    "王明",
                    "张主任",
                    false,
                    "申请理由不成立，不予回避",
                )),
            ),
            (
                "R-063",
                out(waived.decide(t("2026-08-17"), bare_head, doc(yuan(5000)), "", &cal)),
                out(waived.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
            ),
            // The decision is the proposal the 负责人 approved: a different fine is not decided
            // on that approval (办法第九条).
            (
                "R-063",
                out(waived.decide(t("2026-08-17"), approver(), doc(yuan(3000)), "", &cal)),
                out(waived.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
            ),
            // The review is of the unit's proposal: not before it (domain.md P7 → P8).
            (
                "R-060",
                out(unproposed.legal_review(t("2026-08-13"), &super::reviewer(), true, "同意")),
                out(concluded.legal_review(t("2026-08-13"), &super::reviewer(), true, "同意")),
            ),
            // A passing review is not reviewed again, unless a hearing came after it (R-049).
            (
                "R-061",
                out({
                    let mut c = concluded.clone();
                    step!(c, c.legal_review(t("2026-08-13"), &super::reviewer(), true, "同意"));
                    c.legal_review(t("2026-08-14"), &super::reviewer(), true, "再次审核，同意")
                }),
                out({
                    let mut c = concluded.clone();
                    step!(c, c.legal_review(t("2026-08-13"), &super::reviewer(), false, "证据不足，退回补充调查"));
                    c.legal_review(t("2026-08-14"), &super::reviewer(), true, "补充后同意")
                }),
            ),
            (
                "R-065",
                out(waived.decide(t("2026-08-17"), approver(), unsealed, "", &cal)),
                out(waived.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
            ),
            // Filed 2026-10-09: ninety days end 2027-01-07, outside the calendar; use an earlier filing.
            (
                "R-066",
                out(late_case().decide(t("2026-09-10"), approver(), doc(yuan(5000)), "情况复杂，经批准延长", &cal)),
                out(waived.decide(t("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
            ),
            (
                "R-082",
                out(decided.serve(direct(t("2026-08-27")), &cal)),
                out(decided.serve(direct(t("2026-08-26")), &cal)),
            ),
            // By post, the date on the return receipt counts, not the posting.
            (
                "R-082",
                out(decided.serve(by(postal(Some(t("2026-08-27")), false)), &cal)),
                out(decided.serve(by(postal(Some(t("2026-08-26")), false)), &cal)),
            ),
            (
                "R-081",
                out(decided.serve(Service { recipient_signed: false, ..direct(t("2026-08-18")) }, &cal)),
                out(decided.serve(direct(t("2026-08-18")), &cal)),
            ),
            (
                "R-088",
                out(decided.serve(by(Method::Direct { receiver: "李某".into(), relation: " ".into() }), &cal)),
                out(decided.serve(
                    by(Method::Direct { receiver: "李某".into(), relation: "同住成年家属（配偶）".into() }),
                    &cal,
                )),
            ),
            (
                "R-083",
                out(decided.serve(by(lien(vec![], "")), &cal)),
                out(decided.serve(by(lien(vec![], "AV-0818-1")), &cal)),
            ),
            (
                "R-084",
                out(decided.serve(by(postal(None, false)), &cal)),
                out(decided.serve(by(postal(Some(t("2026-08-20")), false)), &cal)),
            ),
            (
                "R-084",
                out(decided.serve(by(postal(Some(t("2026-08-20")), true)), &cal)),
                out(decided.serve(by(postal(Some(t("2026-08-20")), false)), &cal)),
            ),
            (
                "R-085",
                out(decided.serve(by(Method::Entrusted { agency: "某县司法局".into(), reason: String::new() }), &cal)),
                out(decided.serve(
                    by(Method::Entrusted { agency: "某县司法局".into(), reason: "当事人现居外县".into() }),
                    &cal,
                )),
            ),
            // Dates in their legal order (R-064b): a decision not before the notice was served,
            // its service not before it, a payment not before the service.
            (
                "R-064b",
                out(waived.decide(at("2026-08-13"), approver(), doc(yuan(5000)), "", &cal)),
                out(waived.decide(at("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)),
            ),
            (
                "R-064b",
                out(decided.serve(direct(at("2026-08-16")), &cal)),
                out(decided.serve(direct(at("2026-08-18")), &cal)),
            ),
            ("R-064b", out(served.pay(at("2026-08-17"), "B")), out(served.pay(at("2026-08-19"), "B"))),
            // Nor a decision before any step it rests on: a statement heard after the waiver.
            (
                "R-064b",
                out({
                    let mut c = waived.clone();
                    step!(c, c.hear_statement(at("2026-08-16"), "请从轻处罚", "维持"));
                    c.decide(at("2026-08-15"), approver(), doc(yuan(5000)), "", &cal)
                }),
                out({
                    let mut c = waived.clone();
                    step!(c, c.hear_statement(at("2026-08-16"), "请从轻处罚", "维持"));
                    c.decide(at("2026-08-17"), approver(), doc(yuan(5000)), "", &cal)
                }),
            ),
            // A recusal decided no earlier than it was asked for.
            (
                "R-064b",
                out({
                    let mut c = super::ordinary::noticed(false);
                    step!(c, c.request_recusal(at("2026-08-15"), "13020001", "与当事人有邻里纠纷"));
                    c.decide_recusal(at("2026-08-14"), "13020001", "张主任", false, "纠纷与本案无关")
                }),
                out({
                    let mut c = super::ordinary::noticed(false);
                    step!(c, c.request_recusal(at("2026-08-15"), "13020001", "与当事人有邻里纠纷"));
                    c.decide_recusal(at("2026-08-16"), "13020001", "张主任", false, "纠纷与本案无关")
                }),
            ),
            // Nothing that rests on an approval is dated before the 负责人 approved it.
            (
                "R-064",
                out(waived.decide(
                    at("2026-08-17"),
                    Opinion { date: d("2026-08-18"), ..approver() },
                    doc(yuan(5000)),
                    "",
                    &cal,
                )),
                out(waived.decide(
                    at("2026-08-17"),
                    Opinion { date: d("2026-08-17"), ..approver() },
                    doc(yuan(5000)),
                    "",
                    &cal,
                )),
            ),
            (
                "R-064",
                out(Ordinary::new(lead(false)).file(approval("2026-08-08"), at("2026-08-07"), d("2026-07-30"), false)),
                out(Ordinary::new(lead(false)).file(approval("2026-08-07"), at("2026-08-07"), d("2026-07-30"), false)),
            ),
            // A violation is not filed as ending after the day it is filed.
            (
                "R-064b",
                out(Ordinary::new(lead(false)).file(approval("2026-08-07"), at("2026-08-07"), d("2026-08-08"), false)),
                out(Ordinary::new(lead(false)).file(approval("2026-08-07"), at("2026-08-07"), d("2026-08-07"), false)),
            ),
            (
                "R-086",
                out(decided.serve(by(electronic("")), &cal)),
                out(decided.serve(by(electronic("送达地址确认书（2026-08-07）")), &cal)),
            ),
            (
                "R-087",
                out(decided.serve(by(notice_board(vec![])), &cal)),
                out(decided.serve(by(notice_board(vec!["2026-08-18 直接送达，住所无人".into()])), &cal)),
            ),
            (
                "R-090",
                out(served.close(approval("2026-08-31"), t("2026-08-31"))),
                out({
                    let mut c = served.clone();
                    step!(c, c.pay(t("2026-08-28"), "B"));
                    c.close(approval("2026-08-31"), t("2026-08-31"))
                }),
            ),
        ]
    }

    pub fn heads(n: usize) -> Vec<String> {
        ["张主任", "王副主任", "刘副主任", "赵书记"][..n].iter().map(|s| s.to_string()).collect()
    }

    /// A major case (legal review passed), told, the statement waived.
    pub fn major_waived() -> Ordinary {
        let mut c = noticed(true);
        step!(c, c.waive(crate::tests::ordinary::waiver(at("2026-08-14"))));
        c
    }

    #[test]
    fn the_surcharge_is_three_percent_a_day_up_to_the_fine() {
        let cal = cal();
        let mut c = major_waived();
        step!(c, c.discuss(at("2026-08-17"), &heads(3), Penalty::Fine(yuan(5000)), "D35-1@hash"));
        step!(c, c.decide(at("2026-08-17"), approver(), doc(yuan(5000)), "", &cal));
        step!(c, c.serve(direct(at("2026-08-18")), &cal));
        // Served 2026-08-18: fifteen days end 2026-09-02.
        assert_eq!(c.surcharge_fen(at("2026-09-02"), &cal), Ok(0));
        assert_eq!(c.surcharge_fen(at("2026-09-12"), &cal), Ok(yuan(1500)));
        assert_eq!(c.surcharge_fen(at("2026-11-30"), &cal), Ok(yuan(5000)));
        step!(c, c.pay(at("2026-09-12"), "B"));
        assert_eq!(c.surcharge_fen(at("2026-11-30"), &cal), Ok(0));
    }

    pub fn noticed_major_unreviewed() -> Ordinary {
        let mut c = Ordinary::new(lead(true));
        step!(c, c.file(approval("2026-08-07"), at("2026-08-07"), d("2026-07-30"), false));
        step!(c, c.investigate(good_act(true)));
        gather(&mut c);
        step!(c, c.conclude(report(yuan(5000))));
        propose(&mut c, Penalty::Fine(yuan(5000)));
        step!(c, c.serve_notice(notice(yuan(5000), true)));
        c
    }

    /// Filed 2026-08-03, told and waived in time, deciding after the ninety days.
    fn late_case() -> Ordinary {
        let mut c = Ordinary::new(Lead {
            initiation: {
                let mut i = lead(false).initiation;
                i.received_at = at("2026-05-29");
                i
            },
            ..lead(false)
        });
        step!(c, c.file(approval("2026-06-01"), at("2026-06-01"), d("2026-05-20"), false));
        step!(c, c.investigate(good_act(true)));
        gather(&mut c);
        step!(c, c.conclude(report(yuan(5000))));
        propose(&mut c, Penalty::Fine(yuan(5000)));
        step!(c, c.serve_notice(notice(yuan(5000), true)));
        step!(c, c.waive(crate::tests::ordinary::waiver(at("2026-08-14"))));
        c
    }

    #[test]
    fn a_late_decision_needs_a_written_reason() {
        let cal = cal();
        let r = late_case().decide(at("2026-09-10"), approver(), doc(yuan(5000)), " ", &cal);
        assert!(matches!(r, Err(CommandError::Refused(ref x)) if x.violations[0].rule.id == "R-066"));
        let (_, flags) =
            late_case().decide(at("2026-09-10"), approver(), doc(yuan(5000)), "经负责人批准延长", &cal).unwrap();
        assert_eq!(flags[0].rule.severity, rules::Severity::Flag);
        let _ = Event::Waived(waiver(at("2026-08-14")));
        let _ = Date::parse("2026-01-01");
    }
}

mod licensing {
    //! The licence walked to a grant and to a denial, and every rule of it.

    use super::{at, good_act, handed_over, out};
    use crate::calendar::WorkCalendar;
    use crate::licence::{self, Application, Licence, State};
    use crate::rules::Severity;

    fn app() -> Application {
        Application {
            id: "l1".to_string(),
            case_no: "栗街许〔2026〕3号".to_string(),
            matter: "临时占用道路审批".to_string(),
            received_at: at("2026-11-02"),
            materials: vec!["申请书".to_string(), "营业执照复印件".to_string(), "占道平面图".to_string()],
            receipt_issued: true,
            entrusted: None,
            applicant: Some(super::citizen()),
            renewal: None,
        }
    }

    /// A ruling with the relief route told and no lateness to explain.
    fn ruling(granted: bool, sealed: bool, reasons: &str) -> licence::Ruling {
        licence::Ruling {
            granted,
            sealed,
            reasons: reasons.to_string(),
            relief_told: true,
            late_explanation: String::new(),
            affects_others: false,
        }
    }

    pub fn accepted() -> Licence {
        let mut c = Licence::new(app());
        step!(c, c.accept(at("2026-11-03"), true));
        c
    }

    fn granted() -> Licence {
        let cal = WorkCalendar::china();
        let mut c = accepted();
        step!(c, c.verify(good_act(false)));
        step!(
            c,
            c.decide(
                at("2026-11-20"),
                &licence::Ruling {
                    granted: true,
                    sealed: true,
                    reasons: "".to_string(),
                    relief_told: true,
                    late_explanation: "".to_string(),
                    affects_others: false,
                },
                &cal
            )
        );
        c
    }

    #[test]
    fn a_licence_is_granted_issued_and_closed_and_another_denied() {
        let cal = WorkCalendar::china();
        let mut c = granted();
        step!(c, c.issue_certificate(handed_over("许可证件", at("2026-11-25")), "栗街占道〔2026〕0042", &cal));
        step!(c, c.close(at("2026-11-26")));
        assert_eq!((c.state, c.version), (State::Closed, 6));
        let dl = c.deadlines(&cal);
        assert_eq!(dl.iter().map(|d| d.code).collect::<Vec<_>>(), ["T-24", "T-27"]);
        assert_eq!(dl[0].due, Ok(super::d("2026-12-01").end()));

        let mut d = denied();
        // The denial must reach the applicant before the case closes (R-080).
        assert_eq!(out(d.close(at("2026-11-21"))), ["R-080"]);
        step!(d, d.serve_denial(super::handed_over("不予行政许可决定书（栗街许不〔2026〕1号）", at("2026-11-20"))));
        step!(d, d.close(at("2026-11-21")));
        assert_eq!(d.state, State::Closed);
    }

    #[test]
    fn a_licence_review_keeps_its_verification_records() {
        let mut c = accepted();
        let verifiers: Vec<String> = good_act(false).officers.iter().map(|p| p.officer.id.clone()).collect();
        step!(c, c.verify(good_act(false)));
        step!(c, c.record_evidence(super::ordinary::site_record(&verifiers, true, "")));
        // An inquiry by someone who did not verify is refused (R-020), as in a penalty case.
        let stranger = vec![verifiers[0].clone(), "13029999".to_string()];
        assert_eq!(out(c.record_evidence(super::ordinary::inquiry(&stranger))), ["R-020"]);
        step!(c, c.record_evidence(super::ordinary::inquiry(&verifiers)));
        assert_eq!(c.evidence.len(), 2);
        // 先行登记保存 belongs to penalties.
        assert!(c.record_evidence(super::ordinary::preservation("2026-11-10")).is_err());
    }

    /// R-064b: a licence is not decided before it was accepted.
    #[test]
    fn a_licence_is_not_decided_before_it_was_accepted() {
        let cal = WorkCalendar::china();
        let mut c = accepted();
        step!(c, c.verify(good_act(false)));
        assert!(out(c.decide(at("2026-11-02"), &ruling(true, true, ""), &cal)).contains(&"R-064b"));
        assert!(!out(c.decide(at("2026-11-20"), &ruling(true, true, ""), &cal)).contains(&"R-064b"));
    }

    /// Accepted 2026-11-03, verified, the hearing right told on 2026-11-04.
    fn told() -> Licence {
        let mut c = accepted();
        step!(c, c.verify(good_act(false)));
        step!(c, c.tell_hearing_right(at("2026-11-04")));
        c
    }

    #[test]
    fn an_interested_party_is_heard_before_the_licence_is_decided() {
        let cal = WorkCalendar::china();
        let mut c = told();
        step!(c, c.request_hearing(at("2026-11-09"), &cal));
        // Deciding before the hearing is refused (R-050).
        let grant = licence::Ruling {
            granted: true,
            sealed: true,
            reasons: String::new(),
            relief_told: true,
            late_explanation: String::new(),
            affects_others: false,
        };
        assert_eq!(out(c.decide(at("2026-11-20"), &grant, &cal)), ["R-050"]);
        // Twenty working days from 2026-11-09 end 2026-12-07.
        assert_eq!(out(c.schedule_hearing(at("2026-11-10"), super::d("2026-12-08"), "孙某", &cal)), ["R-050"]);
        step!(c, c.schedule_hearing(at("2026-11-10"), super::d("2026-11-20"), "听证主持人孙某", &cal));
        step!(c, c.hold_hearing(crate::tests::ordinary::hearing(at("2026-11-20"), true)));
        step!(c, c.decide(at("2026-11-27"), &grant, &cal));
        let t28 = c.deadlines(&cal).into_iter().find(|x| x.code == "T-28").unwrap();
        assert_eq!((t28.due, t28.done_at), (Ok(super::d("2026-12-07").end()), Some(at("2026-11-20"))));
    }

    /// Corrected, accepted and denied on 2026-11-20; not yet served.
    fn denied() -> Licence {
        let cal = WorkCalendar::china();
        let mut d = Licence::new(app());
        step!(d, d.request_correction(at("2026-11-04"), &["缺少占道平面图".to_string()], &cal));
        step!(d, d.corrected(at("2026-11-06")));
        step!(d, d.accept(at("2026-11-06"), true));
        let ruling = licence::Ruling {
            granted: false,
            sealed: true,
            reasons: "占道位置影响消防通道".to_string(),
            relief_told: true,
            late_explanation: "".to_string(),
            affects_others: false,
        };
        step!(d, d.decide(at("2026-11-20"), &ruling, &cal));
        d
    }

    /// A 鉴定 of ten working days, told to the applicant on 2026-11-05.
    fn appraisal(kind: &str, days: u32) -> licence::ExcludedPeriod {
        licence::ExcludedPeriod {
            at: at("2026-11-05"),
            kind: kind.to_string(),
            working_days: days,
            notice: handed_over("鉴定时间告知书", at("2026-11-05")),
        }
    }

    /// T-29: a renewal is decided before the licence expires (行政许可法第五十条).
    #[test]
    fn a_renewal_is_due_before_the_licence_expires() {
        let cal = WorkCalendar::china();
        let renewal = licence::Renewal {
            certificate_no: "栗街占字〔2026〕1号".to_string(),
            expires_on: super::d("2027-03-31"),
        };
        let c = Licence::new(Application { renewal: Some(renewal), ..app() });
        let t29 = c.deadlines(&cal).into_iter().find(|x| x.code == "T-29").unwrap();
        assert_eq!((t29.due, t29.done_at), (Ok(super::d("2027-03-31").end()), None));
        assert!(Licence::new(app()).deadlines(&cal).iter().all(|x| x.code != "T-29"), "only for a renewal");
    }

    #[test]
    fn an_appraisals_time_is_left_out_of_the_decision_period() {
        let cal = WorkCalendar::china();
        let mut c = accepted();
        let t24 = |c: &Licence| c.deadlines(&cal).into_iter().find(|x| x.code == "T-24").unwrap().due;
        // Accepted 2026-11-03: twenty working days end 2026-12-01; ten more end 2026-12-15.
        assert_eq!(t24(&c), Ok(super::d("2026-12-01").end()));
        step!(c, c.exclude_period(appraisal("鉴定", 10)));
        assert_eq!(t24(&c), Ok(super::d("2026-12-15").end()));
    }

    pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
        let cal = WorkCalendar::china();
        let fresh = Licence::new(app());
        let accepted = accepted();
        let granted = granted();
        let corrected_once = {
            let mut c = Licence::new(app());
            step!(c, c.request_correction(at("2026-11-04"), &["缺少平面图".to_string()], &cal));
            step!(c, c.corrected(at("2026-11-05")));
            c
        };
        let items = vec!["缺少平面图".to_string()];
        let served = {
            let mut d = denied();
            step!(d, d.serve_denial(handed_over("不予行政许可决定书（栗街许不〔2026〕1号）", at("2026-11-20"))));
            d
        };
        let unsigned = crate::service::Service {
            recipient_signed: false,
            ..handed_over("不予行政许可决定书（栗街许不〔2026〕1号）", at("2026-11-20"))
        };
        let affecting = licence::Ruling { affects_others: true, ..ruling(true, true, "") };
        let heard = {
            let mut c = accepted.clone();
            step!(
                c,
                c.hear_interested_party(at("2026-11-10"), "相邻商户李某某", "担心占道影响其店面出入，请求缩小占用范围")
            );
            c
        };
        let mut alone = good_act(false);
        alone.officers.truncate(1);
        let r111_112 = vec![
            // 行政许可法第三十四条第三款: 核查 by two or more staff.
            ("R-111", out(accepted.verify(alone)), out(accepted.verify(good_act(false)))),
            // 行政许可法第三十六条: the interested party told and heard before the decision.
            (
                "R-112",
                out(accepted.decide(at("2026-11-20"), &affecting, &cal)),
                out(heard.decide(at("2026-11-20"), &affecting, &cal)),
            ),
            (
                "R-112",
                out(accepted.hear_interested_party(at("2026-11-10"), "相邻商户李某某", " ")),
                out(accepted.hear_interested_party(at("2026-11-10"), "相邻商户李某某", "无异议")),
            ),
        ];
        // 行政许可法第五十条: a renewal thirty days ahead, decided before the licence expires.
        let renewing = |expires: &str| Application {
            renewal: Some(licence::Renewal {
                certificate_no: "栗街占字〔2026〕1号".to_string(),
                expires_on: super::d(expires),
            }),
            ..app()
        };
        let r117 = vec![
            (
                "R-117",
                out(licence::apply_for(renewing("2026-12-01"), &cal)),
                out(licence::apply_for(renewing("2027-03-31"), &cal)),
            ),
            (
                "R-117",
                out({
                    let mut c = Licence::new(renewing("2026-11-15"));
                    step!(c, c.accept(at("2026-11-03"), true));
                    c.decide(at("2026-11-20"), &ruling(true, true, ""), &cal)
                }),
                out({
                    let mut c = Licence::new(renewing("2027-03-31"));
                    step!(c, c.accept(at("2026-11-03"), true));
                    c.decide(at("2026-11-20"), &ruling(true, true, ""), &cal)
                }),
            ),
        ];
        let r113 = vec![
            (
                "R-113",
                out(accepted.exclude_period(appraisal("补充材料", 10))),
                out(accepted.exclude_period(appraisal("鉴定", 10))),
            ),
            (
                "R-113",
                out(accepted.exclude_period(appraisal("鉴定", 0))),
                out(accepted.exclude_period(appraisal("专家评审", 5))),
            ),
        ];
        vec![
            (
                "R-050",
                out(told().request_hearing(at("2026-11-12"), &cal)),
                out(told().request_hearing(at("2026-11-11"), &cal)),
            ),
            (
                "R-050",
                out({
                    let mut c = told();
                    step!(c, c.request_hearing(at("2026-11-09"), &cal));
                    c.schedule_hearing(at("2026-11-10"), super::d("2026-11-19"), "孙某", &cal)
                }),
                out({
                    let mut c = told();
                    step!(c, c.request_hearing(at("2026-11-09"), &cal));
                    c.schedule_hearing(at("2026-11-10"), super::d("2026-11-20"), "孙某", &cal)
                }),
            ),
            (
                "R-006",
                out({
                    let mut c = told();
                    step!(c, c.request_hearing(at("2026-11-09"), &cal));
                    c.schedule_hearing(
                        at("2026-11-10"),
                        super::d("2026-11-20"),
                        &good_act(false).officers[0].officer.id,
                        &cal,
                    )
                }),
                out({
                    let mut c = told();
                    step!(c, c.request_hearing(at("2026-11-09"), &cal));
                    c.schedule_hearing(at("2026-11-10"), super::d("2026-11-20"), "孙某", &cal)
                }),
            ),
            ("R-080", out(denied().close(at("2026-11-21"))), out(served.close(at("2026-11-21")))),
            (
                "R-081",
                out(denied().serve_denial(unsigned)),
                out(denied().serve_denial(handed_over("不予行政许可决定书", at("2026-11-20")))),
            ),
            (
                "R-013",
                out(licence::apply_for(Application { materials: vec![], ..app() }, &cal)),
                out(licence::apply_for(app(), &cal)),
            ),
            (
                "R-013",
                out(licence::apply_for(Application { receipt_issued: false, ..app() }, &cal)),
                out(licence::apply_for(app(), &cal)),
            ),
            // Received Monday 2026-11-02: five working days end Monday 2026-11-09.
            (
                "R-013b",
                out(fresh.request_correction(at("2026-11-10"), &items, &cal)),
                out(fresh.request_correction(at("2026-11-09"), &items, &cal)),
            ),
            (
                "R-013b",
                out(corrected_once.request_correction(at("2026-11-06"), &items, &cal)),
                out(fresh.request_correction(at("2026-11-06"), &items, &cal)),
            ),
            ("R-014", out(fresh.accept(at("2026-11-03"), false)), out(fresh.accept(at("2026-11-03"), true))),
            (
                "R-014",
                out(fresh.refuse(at("2026-11-03"), true, " ")),
                out(fresh.refuse(at("2026-11-03"), true, "不属于本机关职权范围")),
            ),
            // Accepted 2026-11-03: twenty working days end 2026-12-01.
            (
                "R-114",
                out(accepted.decide(at("2026-12-02"), &ruling(true, true, ""), &cal)),
                out(accepted.decide(at("2026-12-01"), &ruling(true, true, ""), &cal)),
            ),
            (
                "R-114",
                out(accepted.extend(at("2026-12-02"), "张主任", true, &cal)),
                out(accepted.extend(at("2026-11-30"), "张主任", true, &cal)),
            ),
            (
                "R-016",
                out({
                    let mut c = Licence::new(Application { applicant: None, ..app() });
                    step!(c, c.accept(at("2026-11-03"), true));
                    c.decide(at("2026-11-20"), &ruling(false, true, "不符合条件"), &cal)
                }),
                out(accepted.decide(at("2026-11-20"), &ruling(false, true, "不符合条件"), &cal)),
            ),
            // 行政许可法第二十九条: no application without its applicant.
            (
                "R-016",
                out(licence::apply_for(Application { applicant: None, ..app() }, &cal)),
                out(licence::apply_for(app(), &cal)),
            ),
            (
                "R-115",
                out(accepted.decide(at("2026-11-20"), &ruling(false, true, ""), &cal)),
                out(accepted.decide(at("2026-11-20"), &ruling(false, true, "不符合条件"), &cal)),
            ),
            (
                "R-115",
                out(accepted.decide(at("2026-11-20"), &ruling(true, false, ""), &cal)),
                out(accepted.decide(at("2026-11-20"), &ruling(true, true, ""), &cal)),
            ),
            // Granted 2026-11-20: ten working days end 2026-12-04.
            (
                "R-116",
                out(granted.issue_certificate(handed_over("许可证件", at("2026-12-07")), "No.1", &cal)),
                out(granted.issue_certificate(handed_over("许可证件", at("2026-12-04")), "No.1", &cal)),
            ),
            // Delivered through another agency without the reason for entrusting it (办法第十七条第二款).
            (
                "R-085",
                out(granted.issue_certificate(
                    crate::service::Service {
                        method: crate::service::Method::Entrusted {
                            agency: "某镇人民政府".into(), reason: "".into()
                        },
                        ..handed_over("许可证件", at("2026-12-01"))
                    },
                    "No.1",
                    &cal,
                )),
                out(granted.issue_certificate(
                    crate::service::Service {
                        method: crate::service::Method::Entrusted {
                            agency: "某镇人民政府".into(),
                            reason: "申请人在外镇经营".into(),
                        },
                        ..handed_over("许可证件", at("2026-12-01"))
                    },
                    "No.1",
                    &cal,
                )),
            ),
        ]
        .into_iter()
        .chain(r113)
        .chain(r111_112)
        .chain(r117)
        .collect()
    }

    #[test]
    fn a_late_decision_is_a_defect_once_explained() {
        let cal = WorkCalendar::china();
        let (_, flags) = accepted()
            .decide(
                at("2026-12-02"),
                &licence::Ruling {
                    granted: true,
                    sealed: true,
                    reasons: "".to_string(),
                    relief_told: true,
                    late_explanation: "现场核查遇暴雪延误".to_string(),
                    affects_others: false,
                },
                &cal,
            )
            .unwrap();
        assert_eq!((flags[0].rule.id, flags[0].rule.severity), ("R-114", Severity::Flag));
    }
}

mod coercive {
    //! Coercive measures: approved and executed, extended, disposed of; an emergency ratified or
    //! not; and every rule of them.

    use super::{at, good_act, handed_over, out};
    use crate::calendar::WorkCalendar;
    use crate::coercion::{self, Checklist, Coercion, Kind, Measure, MeasureDoc, Outcome, State};
    use crate::penalty::Opinion;

    fn extension_notice(on: &str) -> crate::service::Service {
        handed_over("延长查封、扣押期限决定书（栗街强延〔2026〕2号）", at(on))
    }

    fn disposal_notice(on: &str) -> crate::service::Service {
        handed_over("查封、扣押处理决定书（栗街强处〔2026〕2号）", at(on))
    }

    pub fn measure() -> Measure {
        Measure {
            id: "k1".to_string(),
            case_no: "栗街强〔2026〕2号".to_string(),
            matter: "扣押占道经营物品".to_string(),
            kind: Kind::Seize,
            items: vec!["三轮车一辆".to_string(), "货架两个".to_string()],
            reason: "经责令仍占道经营".to_string(),
            legal_basis: "《河北省城乡市容和环境卫生条例》".to_string(),
            entrusted: None,
            party: Some(super::citizen()),
            property: coercion::PropertyCheck {
                related_to_case: true,
                necessities_excluded: true,
                not_sealed_elsewhere: true,
            },
        }
    }

    fn head() -> Opinion {
        Opinion {
            person: String::new(),
            by: "张主任".to_string(),
            opinion: "同意扣押".to_string(),
            date: super::d("2026-11-02"),
            key_id: String::new(),
            signature: String::new(),
        }
    }

    const CHECKS: Checklist =
        Checklist { party_notified: true, reasons_and_rights_told: true, statements_heard: true, record_signed: true };

    fn doc(term: u32) -> MeasureDoc {
        MeasureDoc { term_days: term, sealed: true, relief_told: true, inventory_copies: 2, handed_over: true }
    }

    fn act() -> crate::inspection::OnSiteAct {
        let mut a = good_act(true);
        a.at = at("2026-11-02");
        a
    }

    fn approved() -> Coercion {
        let mut c = Coercion::new(measure());
        step!(c, c.approve(head()));
        c
    }

    pub fn active(term: u32) -> Coercion {
        let mut c = approved();
        step!(c, c.execute(act(), false, CHECKS, doc(term), true));
        c
    }

    fn emergency_fresh() -> Coercion {
        Coercion::new(measure())
    }

    fn emergency() -> Coercion {
        let mut c = Coercion::new(measure());
        step!(c, c.execute(act(), true, CHECKS, doc(30), true));
        c
    }

    #[test]
    fn a_seizure_is_executed_extended_disposed_and_closed() {
        let cal = WorkCalendar::china();
        let mut c = active(20);
        step!(c, c.extend(at("2026-11-20"), 10, "张主任", Some(extension_notice("2026-11-20")), &cal));
        step!(c, c.dispose(at("2026-11-25"), Outcome::Confiscated, Some(disposal_notice("2026-11-25")), &cal));
        step!(c, c.close(at("2026-11-26")));
        assert_eq!((c.state, c.term_days), (State::Closed, 30));
        // Not reported within 24 hours: not ratified any more, only released — and the case
        // keeps the late report as a defect.
        let mut late = emergency();
        assert_eq!(out(late.ratify(at("2026-11-03").plus_hours(5), true, "张主任")), ["R-100b"]);
        // Ratified in time, its execution is not then moved so early that it was not.
        let mut timely = emergency();
        step!(timely, timely.ratify(at("2026-11-02").plus_hours(5), true, "张主任"));
        assert_eq!(out(timely.correct_execution_time(at("2026-10-31"), "笔误", "张主任")), ["R-100b"]);
        // Nor is its execution moved later to bring the ratification inside the 24 hours.
        assert_eq!(out(late.correct_execution_time(at("2026-11-03"), "现场笔录记载时间有误", "张主任")), ["R-100b"]);
        step!(late, late.ratify(at("2026-11-03").plus_hours(5), false, "张主任"));
        assert_eq!((late.state, late.outcome), (State::Disposed, Some(Outcome::Released)));
        assert_eq!(late.defects.iter().map(|d| d.rule.id).collect::<Vec<_>>(), ["R-100c"]);
        // An emergency disapproved is released at once.
        let mut e = emergency();
        assert_eq!(e.state, State::ActiveUnratified);
        step!(e, e.ratify(at("2026-11-02").plus_hours(5), false, "张主任"));
        assert_eq!((e.state, e.outcome), (State::Disposed, Some(Outcome::Released)));
        let dl = e.deadlines(&cal);
        assert_eq!(dl[0].code, "T-19");
    }

    pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
        let cal = WorkCalendar::china();
        let fresh = Coercion::new(measure());
        let mut bare = head();
        bare.opinion = "张主任".to_string();
        let t0 = at("2026-11-02");
        vec![
            ("R-100a", out(fresh.approve(bare)), out(fresh.approve(head()))),
            (
                "R-100a",
                out(fresh.execute(act(), false, CHECKS, doc(30), true)),
                out(approved().execute(act(), false, CHECKS, doc(30), true)),
            ),
            // An approved measure is no emergency: carried out before the approval, refused.
            (
                "R-100a",
                out({
                    let mut c = Coercion::new(measure());
                    step!(c, c.approve(Opinion { date: super::d("2026-11-05"), ..head() }));
                    c.execute(act(), true, CHECKS, doc(30), true)
                }),
                out(emergency_fresh().execute(act(), true, CHECKS, doc(30), true)),
            ),
            // Approved on 2026-11-05, carried out on 2026-11-02: not approved first.
            (
                "R-100a",
                out({
                    let mut c = Coercion::new(measure());
                    step!(c, c.approve(Opinion { date: super::d("2026-11-05"), ..head() }));
                    c.execute(act(), false, CHECKS, doc(30), true)
                }),
                out({
                    let mut c = Coercion::new(measure());
                    step!(c, c.approve(Opinion { date: super::d("2026-11-02"), ..head() }));
                    c.execute(act(), false, CHECKS, doc(30), true)
                }),
            ),
            (
                "R-100b",
                out(emergency().ratify(t0.plus_hours(25), true, "张主任")),
                out(emergency().ratify(t0.plus_hours(23), true, "张主任")),
            ),
            // Past the 24 hours the measure is released, the late report kept as a defect.
            (
                "R-100c",
                out(emergency().ratify(t0.plus_hours(25), false, "张主任")),
                out(emergency().ratify(t0.plus_hours(23), false, "张主任")),
            ),
            (
                "R-101",
                out(approved().execute(act(), false, Checklist { statements_heard: false, ..CHECKS }, doc(30), true)),
                out(approved().execute(act(), false, CHECKS, doc(30), true)),
            ),
            (
                "R-016",
                out({
                    let mut c = Coercion::new(Measure { party: None, ..measure() });
                    step!(c, c.approve(head()));
                    c.execute(act(), false, CHECKS, doc(30), true)
                }),
                out(approved().execute(act(), false, CHECKS, doc(30), true)),
            ),
            (
                "R-102",
                out(approved().execute(act(), false, CHECKS, MeasureDoc { inventory_copies: 1, ..doc(30) }, true)),
                out(approved().execute(act(), false, CHECKS, doc(30), true)),
            ),
            (
                "R-102",
                out(coercion::propose(Measure { items: vec![], ..measure() })),
                out(coercion::propose(measure())),
            ),
            (
                "R-105",
                out(coercion::propose(Measure {
                    property: coercion::PropertyCheck { necessities_excluded: false, ..measure().property },
                    ..measure()
                })),
                out(coercion::propose(measure())),
            ),
            (
                "R-103",
                out(approved().execute(act(), false, CHECKS, doc(31), true)),
                out(approved().execute(act(), false, CHECKS, doc(30), true)),
            ),
            // Term of 20 days from 2026-11-02 ends 2026-11-23 (11-22 is a Sunday).
            (
                "R-103",
                out(active(20).extend(at("2026-11-24"), 10, "张主任", Some(extension_notice("2026-11-24")), &cal)),
                out(active(20).extend(at("2026-11-23"), 10, "张主任", Some(extension_notice("2026-11-23")), &cal)),
            ),
            (
                "R-103",
                out(active(20).extend(at("2026-11-20"), 31, "张主任", Some(extension_notice("2026-11-20")), &cal)),
                out(active(20).extend(at("2026-11-20"), 30, "张主任", Some(extension_notice("2026-11-20")), &cal)),
            ),
            (
                "R-104",
                out(active(20).dispose(
                    at("2026-11-24"),
                    Outcome::Confiscated,
                    Some(disposal_notice("2026-11-24")),
                    &cal,
                )),
                out(active(20).dispose(at("2026-11-24"), Outcome::Released, Some(disposal_notice("2026-11-24")), &cal)),
            ),
            (
                "R-080",
                out(active(20).extend(at("2026-11-20"), 10, "张主任", None, &cal)),
                out(active(20).extend(at("2026-11-20"), 10, "张主任", Some(extension_notice("2026-11-20")), &cal)),
            ),
            (
                "R-080",
                out(active(20).dispose(at("2026-11-20"), Outcome::Released, None, &cal)),
                out(active(20).dispose(at("2026-11-20"), Outcome::Released, Some(disposal_notice("2026-11-20")), &cal)),
            ),
            (
                "R-106",
                out(approved().execute(act(), false, CHECKS, doc(30), false)),
                out(approved().execute(act(), false, CHECKS, doc(30), true)),
            ),
        ]
    }
}

#[test]
fn every_rule_constant_is_listed_once() {
    let src = include_str!("rules.rs");
    let declared: Vec<&str> =
        src.lines().filter_map(|l| l.strip_prefix("pub const R_")).filter_map(|l| l.split(':').next()).collect();
    let mut listed: Vec<&str> = rules::ALL.iter().map(|r| r.id).collect();
    listed.sort_unstable();
    listed.dedup();
    assert_eq!(listed.len(), rules::ALL.len(), "a rule is listed twice");
    assert_eq!(declared.len(), rules::ALL.len(), "a declared rule is missing from rules::ALL: {declared:?}");
}

/// A record states a penalty by its kind and, for money, its amount however written.
#[test]
fn a_text_states_a_penalty_by_kind_and_amount() {
    let fine = Penalty::Fine(yuan(5000));
    for says in ["罚款五千元", "罚款伍仟元整", "处罚款人民币 5,000.00 元", "决定罚款5000元", "罚款 5000 元"]
    {
        assert!(fine.stated_in(says), "{says}");
    }
    for not in ["罚款三千元", "不予行政处罚", "警告", "罚款", "罚款五千零五十元", "罚款 500 元"]
    {
        assert!(!fine.stated_in(not), "{not}");
    }
    assert!(Penalty::Fine(yuan(15000)).stated_in("罚款一万五千元"));
    assert!(Penalty::Fine(yuan(3500)).stated_in("罚款叁仟伍佰元"));
    assert!(Penalty::Warning.stated_in("给予警告"));
    assert!(!Penalty::Warning.stated_in("罚款五千元"));
    assert!(Penalty::RevokeLicence.stated_in("吊销其许可证"));
}

/// 归档 (办法第二十五条): the thirty days, the file's contents by the path taken, retention.
mod filing {
    use super::*;
    use crate::archive::{self, FiledDocument, Retention};
    use crate::document::State;

    /// DA/T 22-2015: counted from the first of January after the file's year; 永久 never ends.
    #[test]
    fn a_retention_runs_from_the_new_year_after_the_files_year() {
        assert_eq!(archive::keep_until(Retention::Years10, 2026).unwrap().to_string(), "2036-12-31");
        assert_eq!(archive::keep_until(Retention::Years30, 2026).unwrap().to_string(), "2056-12-31");
        assert_eq!(archive::keep_until(Retention::Permanent, 2026), None);
    }

    fn doc(code: &str, state: State) -> FiledDocument {
        FiledDocument { code: code.to_string(), state }
    }

    pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
        let cal = crate::calendar::WorkCalendar::china();
        let closed = at("2026-09-01");
        let steps = ["filed", "decided", "closed"];
        let full =
            [doc("D02", State::Final), doc("D30", State::Final), doc("D36", State::Issued), doc("D50", State::Final)];
        let retention = |r| archive::check_retention("ordinary_penalty", r).err().into_iter().collect::<Vec<_>>();
        vec![
            (
                "R-150",
                ids(&archive::timeliness(&cal, closed, at("2026-10-12"))),
                ids(&archive::timeliness(&cal, closed, at("2026-10-01"))),
            ),
            (
                "R-152",
                ids(&archive::completeness("ordinary_penalty", &steps, &full[..3])),
                ids(&archive::completeness("ordinary_penalty", &steps, &full)),
            ),
            ("R-153", ids(&retention(Retention::Years30)), ids(&retention(Retention::Permanent))),
            (
                "R-154",
                ids(&archive::four_properties_verdict(&[
                    ("ZS-1", "固化信息", true, "文书摘要不符"),
                    ("AQ-2", "病毒检测", false, ""),
                ])),
                ids(&archive::four_properties_verdict(&[
                    ("ZS-1", "固化信息", false, ""),
                    ("AQ-2", "病毒检测", false, ""),
                ])),
            ),
        ]
    }

    #[test]
    fn the_thirty_days_run_in_calendar_days_and_end_on_a_working_day() {
        let cal = crate::calendar::WorkCalendar::china();
        // Closed 2026-09-01: thirty calendar days fall on 10-01, in the National Day holiday, so
        // the file is due on the first working day after it.
        let due = archive::due(&cal, at("2026-09-01")).unwrap();
        assert!(cal.is_working_day(due.shanghai_date()).unwrap());
        assert!(due.shanghai_date() > d("2026-10-01"), "{}", due.shanghai_date());
        // Filed on the due day is on time; the day after is late (R-150, a defect).
        assert!(archive::timeliness(&cal, at("2026-09-01"), due).is_empty());
        let late = archive::timeliness(&cal, at("2026-09-01"), Timestamp(due.0 + 1));
        assert_eq!(ids(&late), ["R-150"]);
        assert_eq!(late[0].rule.severity, rules::Severity::Flag);
        // Closed 2026-11-02: 12-02 is a Wednesday, due that day.
        assert_eq!(archive::due(&cal, at("2026-11-02")).unwrap().shanghai_date(), d("2026-12-02"));
        // Into a year the calendar lacks (2027): estimated from weekends, and said to be.
        let closed = at("2026-12-03");
        let due = archive::due(&cal, closed).unwrap();
        assert_eq!(due.shanghai_date(), d("2027-01-04"), "2027-01-02 is a Saturday");
        assert!(archive::timeliness(&cal, closed, at("2026-12-20")).is_empty());
        let late = archive::timeliness(&cal, closed, at("2027-06-01"));
        assert!(late[0].detail.contains("按周末估算"), "{late:?}");
    }

    #[test]
    fn a_file_lacks_what_its_path_required_and_what_is_unfinished() {
        // The path decides: a penalty that held a hearing needs its transcript; one that did not, not.
        let with_hearing = ["filed", "notice_served", "hearing_scheduled", "hearing_held", "decided", "closed"];
        let codes: Vec<&str> =
            archive::required_documents("ordinary_penalty", &with_hearing).into_iter().map(|(c, _)| c).collect();
        assert_eq!(codes, ["D02", "D32", "D34b", "D34c", "D30", "D36", "D50"]);
        let plain: Vec<&str> = archive::required_documents("ordinary_penalty", &["filed", "decided", "closed"])
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(plain, ["D02", "D30", "D36", "D50"]);
        // Every document a path can require is one the catalogue can draft.
        for kind in ["ordinary_penalty", "summary_penalty", "licence", "coercive_measure", "inspection"] {
            let all = [
                "filed",
                "legal_reviewed",
                "notice_served",
                "hearing_scheduled",
                "hearing_held",
                "discussed",
                "decided",
                "not_penalised",
                "closed",
                "decision_issued",
                "accepted",
                "correction_requested",
                "executed",
                "result_notified",
            ];
            for (code, _) in archive::required_documents(kind, &all) {
                assert!(crate::document::spec(code).is_some(), "{kind}: {code} is not in the catalogue");
            }
        }
        // Missing, a draft, a sealed document finalised but not issued: each named.
        let found = archive::completeness(
            "ordinary_penalty",
            &["filed", "decided", "closed"],
            &[doc("D02", State::Draft), doc("D36", State::Final), doc("D50", State::Final)],
        );
        let said: Vec<String> = found.iter().map(|v| v.detail.clone()).collect();
        assert_eq!(
            said,
            ["缺少《案件处理审批表》（D30）", "《立案审批表》尚未定稿", "《行政处罚决定书》已定稿但未盖章签发"]
        );
        assert!(found.iter().all(|v| v.rule.id == "R-152" && v.rule.severity == rules::Severity::Block));
        // An inspection that notified no result owes no document.
        assert!(archive::completeness("inspection", &["opened", "on_site_recorded", "closed"], &[]).is_empty());
    }

    #[test]
    fn archive_numbers_read_back_and_documents_file_in_order() {
        let no = archive::archive_no("Q001", 2026, Retention::Permanent, 7);
        assert_eq!(no, "Q001-2026-Y-0007");
        assert_eq!(archive::parse_archive_no(&no), Some(("Q001".to_string(), 2026, Retention::Permanent, 7)));
        assert_eq!(archive::parse_archive_no("Q001-2026-D30-12345").map(|p| p.3), Some(12345));
        for bad in [
            "Q001-2026-Y-7",
            "Q001-26-Y-0007",
            "Q001-2026-X-0007",
            "-2026-Y-0007",
            "Q-01-2026-Y-0007",
            "栗乡-2026-Y-0001",
        ] {
            assert_eq!(archive::parse_archive_no(bad), None, "{bad}");
        }
        assert_eq!(archive::archive_series("Q001", 2026, Retention::Years10), "Q001-2026-D10-{n}");
        // Legal documents, then evidence, then execution and closing (domain.md §e.3).
        let mut codes = ["D50", "D12", "D36", "D02", "D41", "D34c", "D30"];
        codes.sort_by_key(|c| archive::filing_rank(c));
        assert_eq!(codes, ["D02", "D30", "D36", "D12", "D34c", "D41", "D50"]);
        // Shorter than the kind allows is refused; longer is the office's choice.
        assert!(archive::check_retention("inspection", Retention::Permanent).is_ok());
        assert_eq!(archive::check_retention("licence", Retention::Years10).unwrap_err().rule.id, "R-153");
    }
}
