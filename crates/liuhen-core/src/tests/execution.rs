//! 行政强制执行 of an unpaid fine: the 催告, statements on it, the court application inside its
//! window, the ruling, and every rule of it.

use super::ordinary::{approval, approver, cal, doc, noticed};
use super::{at, d, handed_over, out};
use crate::calendar::{Period, WorkCalendar};
use crate::execution::{CourtApplication, Demand};
use crate::penalty::{Ordinary, State};
use crate::service::{Method, Service};
use crate::summary::yuan;
use crate::time::Timestamp;

/// The shipped calendar and a 2027 with weekends only (the State Council has not published
/// 2027's holidays here; an office adds them in `DATA/workdays.txt`). The court window of a
/// decision served in August 2026 lies in 2027.
pub fn cal_2027() -> WorkCalendar {
    let mut c = cal();
    c.merge(WorkCalendar::parse("year 2027  test: weekends only\noff 2027-01-01 元旦").unwrap());
    c
}

/// Decided on 2026-08-17, served in person on 2026-08-18, a fine of 5,000 yuan, unpaid.
pub fn served() -> Ordinary {
    let mut c = noticed(false);
    step!(c, c.waive(crate::tests::ordinary::waiver(at("2026-08-14"))));
    step!(c, c.decide(at("2026-08-17"), approver(), doc(yuan(5000)), "", &cal()));
    step!(c, c.serve(handed_over("行政处罚决定书（栗街罚决〔2026〕12号）", at("2026-08-18")), &cal()));
    c
}

pub fn demand(on: &str) -> Demand {
    Demand {
        service: handed_over("催告书（栗街催〔2026〕3号）", at(on)),
        deadline: d(on).plus_days(10),
        method: "到县财政指定银行缴纳或电子支付".to_string(),
        amount_fen: yuan(5000) + yuan(1200),
        statement_right_told: true,
        why_not_direct: String::new(),
    }
}

fn application(on: &str) -> CourtApplication {
    CourtApplication {
        at: at(on),
        court: "迁西县人民法院".to_string(),
        signed_by: "张主任".to_string(),
        sealed: true,
        with_decision: true,
        with_party_opinions: true,
        with_demand_record: true,
        object: "罚款五千元及加处罚款".to_string(),
    }
}

/// A street office: no 行政强制执行权 of its own.
fn office() -> crate::agency::Agency {
    crate::agency::Agency {
        name: "迁西县栗乡街道办事处".to_string(),
        uscc: "11130227MB0000000J".to_string(),
        has_enforcement_power: false,
        seals: vec![],
        review_organ: "迁西县人民政府".to_string(),
        court: "迁西县人民法院".to_string(),
        ..crate::agency::Agency::default()
    }
}

fn demanded() -> Ordinary {
    let mut c = served();
    step!(c, c.serve_demand(demand("2026-09-10"), &cal()));
    c
}

fn applied() -> Ordinary {
    let mut c = demanded();
    step!(c, c.apply_court(application("2027-03-01"), &office(), &cal_2027()));
    c
}

#[test]
fn an_unpaid_fine_is_demanded_taken_to_court_and_closed_on_the_ruling() {
    let cal = cal_2027();
    let mut c = served();
    // The surcharge runs from the day after the fifteen days (2026-09-02).
    assert_eq!(c.surcharge_fen(at("2026-09-10"), &cal), Ok(yuan(5000) * 3 * 8 / 100));
    assert_eq!(c.relief_expiry(&cal), Some(Ok(d("2027-02-18").end())));
    let t18 = c.deadlines(&cal).into_iter().find(|x| x.code == "T-18").expect("T-18 for an unpaid fine");
    // 2026-09-02 + 30 days is 2026-10-02, a holiday: the period ends 2026-10-08.
    assert_eq!(t18.due, Ok(d("2026-10-08").end()));
    step!(c, c.serve_demand(demand("2026-09-10"), &cal));
    assert_eq!(c.state, State::Demanded);
    step!(c, c.hear_demand_statement(at("2026-09-12"), "经济困难，请求分期", "无分期申请及批准，维持催告"));
    // Ten working days after 2026-09-10 end on 2026-09-24; the relief periods end 2027-02-18.
    let t17 = c.deadlines(&cal).into_iter().find(|x| x.code == "T-17").expect("T-17 once demanded");
    assert_eq!(t17.due, Ok(d("2027-05-18").end()));
    assert_eq!(out(c.apply_court(application("2026-09-25"), &office(), &cal)), ["R-093"]);
    step!(c, c.apply_court(application("2027-03-01"), &office(), &cal));
    assert_eq!(out(c.close(approval("2027-03-02"), at("2027-03-02"))), ["R-090"]);
    step!(c, c.record_court_ruling(at("2027-03-20"), "（2027）冀0227行审12号", true));
    step!(c, c.close(approval("2027-03-22"), at("2027-03-22")));
    assert_eq!(c.state, State::Closed);
    assert!(c.defects.is_empty(), "{:?}", c.defects);
}

/// T-17 is counted in months from the end of the relief periods (six months after service):
/// shown without waiting for a working-day calendar of 2027, never later than the true date.
#[test]
fn the_court_application_deadline_needs_no_working_day_calendar() {
    let c = demanded();
    let shipped = cal();
    assert!(!shipped.has_year(2027));
    let t17 = c.deadlines(&shipped).into_iter().find(|x| x.code == "T-17").expect("T-17 once demanded");
    assert_eq!(t17.due, Ok(d("2027-05-18").end()), "as with the full calendar");
    // The gate itself stays strict: an application is judged with the calendar that knows the year.
    assert!(c.relief_expiry(&shipped).unwrap().is_err());
}

#[test]
fn a_late_payment_ends_execution_and_a_refused_ruling_takes_no_payment() {
    let mut c = demanded();
    step!(c, c.pay(at("2026-09-15"), "BANK-20260915-1"));
    assert_eq!(c.state, State::Paid);
    let mut refused = applied();
    step!(refused, refused.record_court_ruling(at("2027-03-20"), "（2027）冀0227行审13号", false));
    assert!(refused.pay(at("2027-03-21"), "B").is_err(), "the court refused to enforce: nothing to collect");
    step!(refused, refused.close(approval("2027-03-22"), at("2027-03-22")));
    // Out of order: no demand before service, no court before a demand, no ruling before applying.
    let cal = cal_2027();
    assert!(Ordinary::new(super::ordinary::lead(false)).serve_demand(demand("2026-09-10"), &cal).is_err());
    assert!(served().apply_court(application("2027-03-01"), &office(), &cal).is_err());
    assert!(demanded().record_court_ruling(at("2027-03-20"), "x", true).is_err());
}

#[test]
fn the_court_window_needs_the_calendar_of_its_year() {
    // Without 2027 in the calendar the relief periods' end cannot be computed: refused, not guessed.
    let c = demanded();
    assert!(matches!(
        c.apply_court(application("2027-03-01"), &office(), &cal()),
        Err(crate::rules::CommandError::Calendar(crate::calendar::CalendarError::YearNotLoaded(2027)))
    ));
    // Months end on the corresponding day, or the month's last day (民法典第二百零二条).
    assert_eq!(d("2026-08-31").plus_months(6), d("2027-02-28"));
    assert_eq!(d("2024-01-31").plus_months(1), d("2024-02-29"));
    assert_eq!(d("2026-11-18").plus_months(14), d("2028-01-18"));
    // …and like days, a period ending on a holiday ends the next working day (第二百零三条):
    // six months from 2026-04-01 end on 2026-10-01, 国庆节, so on 2026-10-08.
    assert_eq!(cal().due(at("2026-04-01"), Period::Months(6)), Ok(d("2026-10-08").end()));
}

/// (rule, findings that violate it, findings that satisfy it)
pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let cal = cal_2027();
    let served = served();
    let demanded = demanded();
    let by_post = |why: &str| Demand {
        service: Service {
            method: Method::Postal {
                tracking_no: "EMS2026091001".into(),
                return_receipt_at: Some(at("2026-09-12")),
                returned_undelivered: false,
            },
            ..demand("2026-09-10").service
        },
        why_not_direct: why.to_string(),
        ..demand("2026-09-10")
    };
    let unsealed = CourtApplication { sealed: false, ..application("2027-03-01") };
    vec![
        (
            "R-095a",
            out(served.serve_demand(demand("2026-08-30"), &cal)),
            out(served.serve_demand(demand("2026-09-10"), &cal)),
        ),
        (
            "R-095a",
            out(served.serve_demand(Demand { statement_right_told: false, ..demand("2026-09-10") }, &cal)),
            out(served.serve_demand(demand("2026-09-10"), &cal)),
        ),
        (
            "R-089",
            out(served.serve_demand(by_post(" "), &cal)),
            out(served.serve_demand(by_post("当事人长期在外地务工，无法直接送达"), &cal)),
        ),
        (
            "R-095b",
            out(demanded.hear_demand_statement(at("2026-09-12"), "经济困难", "")),
            out(demanded.hear_demand_statement(at("2026-09-12"), "经济困难", "经复核，维持")),
        ),
        (
            "R-093",
            out(demanded.apply_court(application("2026-09-24"), &office(), &cal)),
            out(demanded.apply_court(application("2027-03-01"), &office(), &cal)),
        ),
        (
            "R-093",
            out(demanded.apply_court(application("2027-02-18"), &office(), &cal)),
            out(demanded.apply_court(application("2027-05-18"), &office(), &cal)),
        ),
        (
            "R-093",
            out(demanded.apply_court(application("2027-05-19"), &office(), &cal)),
            out(demanded.apply_court(application("2027-05-18"), &office(), &cal)),
        ),
        (
            "R-093",
            out(demanded.apply_court(
                application("2027-03-01"),
                &crate::agency::Agency { has_enforcement_power: true, ..office() },
                &cal,
            )),
            out(demanded.apply_court(application("2027-03-01"), &office(), &cal)),
        ),
        (
            "R-093",
            out(demanded.apply_court(unsealed, &office(), &cal)),
            out(demanded.apply_court(application("2027-03-01"), &office(), &cal)),
        ),
        (
            "R-090",
            out(demanded.close(approval("2026-09-30"), at("2026-09-30"))),
            out({
                let mut c = applied();
                step!(c, c.record_court_ruling(at("2027-03-20"), "（2027）冀0227行审12号", true));
                c.close(approval("2027-03-22"), at("2027-03-22"))
            }),
        ),
    ]
}

#[test]
fn an_office_profile_needs_a_name_and_a_valid_code() {
    assert_eq!(office().validate(), Ok(()));
    assert!(crate::agency::Agency { uscc: "11130227MB0000000K".to_string(), ..office() }.validate().is_err());
    assert!(crate::agency::Agency { name: " ".to_string(), ..office() }.validate().is_err());
    assert!(!crate::agency::Agency::default().has_enforcement_power, "a street office has no power of its own");
}

/// 办法第二十四条: the office sets its archive — 全宗号, a retention table none of whose kinds is
/// kept shorter than its least, months a loose recording is kept (at least six).
#[test]
fn an_offices_archive_settings_keep_to_the_least() {
    use crate::agency::{Agency, ArchiveProblem};
    use crate::archive::Retention;
    let table = |kind: &str, r| [(kind.to_string(), r)].into_iter().collect();
    let set = Agency { fonds: "LX01".into(), retention: table("inspection", Retention::Years30), ..office() };
    assert_eq!(set.check_archive(), Ok(()));
    assert_eq!(
        (set.fonds(), set.retention_for("inspection"), set.retention_for("licence")),
        ("LX01", Retention::Years30, Retention::Years30)
    );
    assert_eq!(office().fonds(), "0001");
    let short = Agency { retention: table("ordinary_penalty", Retention::Years30), ..office() };
    assert!(matches!(short.check_archive(), Err(ArchiveProblem::Retention(v)) if v.rule.id == "R-153"));
    assert!(Agency { retention: table("anything", Retention::Permanent), ..office() }.check_archive().is_err());
    assert!(Agency { fonds: "LX-01".into(), ..office() }.check_archive().is_err());
    assert!(Agency { unlinked_months: 5, ..office() }.check_archive().is_err());
    assert!(Agency { unlinked_months: 5, ..office() }.validate().is_err());
}

fn empowered() -> crate::agency::Agency {
    crate::agency::Agency { has_enforcement_power: true, ..office() }
}

fn enforcement(on: &str) -> crate::execution::EnforcementDecision {
    crate::execution::EnforcementDecision {
        at: at(on),
        doc_no: "栗街强执〔2026〕1号".to_string(),
        method_and_time: "2026 年 9 月 24 日 9 时起划拨存款".to_string(),
        reasons_and_basis: "逾期不缴纳罚款，经催告仍不履行；《行政强制法》第三十七条".to_string(),
        relief_told: true,
        sealed: true,
        service: handed_over("强制执行决定书（栗街强执〔2026〕1号）", at(on)),
    }
}

fn decided_enforcement() -> Ordinary {
    let mut c = demanded();
    step!(c, c.decide_enforcement(enforcement("2026-09-21"), &empowered(), &cal()));
    c
}

#[test]
fn an_office_with_its_own_power_enforces_by_day_on_record_and_closes() {
    let cal = cal();
    let mut c = decided_enforcement();
    assert_eq!(c.state, State::EnforcementDecided);
    // 23:00 is night: refused unless urgent (R-095d).
    let night = Timestamp(at("2026-09-24").0 + 15 * 3_600_000);
    assert_eq!(out(c.record_enforcement(night, false, "AV-0924-1", "已划拨", &cal)), ["R-095d"]);
    step!(c, c.record_enforcement(at("2026-09-24"), false, "AV-0924-1", "已划拨罚款及加处罚款", &cal));
    step!(c, c.close(approval("2026-09-25"), at("2026-09-25")));
    assert_eq!(c.state, State::Closed);
}

/// (rule, findings that violate it, findings that satisfy it): own-power enforcement.
pub fn own_power_examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let cal = cal();
    let demanded = demanded();
    let decided = decided_enforcement();
    vec![
        (
            "R-095c",
            out(demanded.decide_enforcement(enforcement("2026-09-21"), &office(), &cal)),
            out(demanded.decide_enforcement(enforcement("2026-09-21"), &empowered(), &cal)),
        ),
        (
            "R-095c",
            out(demanded.decide_enforcement(enforcement("2026-09-20"), &empowered(), &cal)),
            out(demanded.decide_enforcement(enforcement("2026-09-21"), &empowered(), &cal)),
        ),
        (
            "R-095d",
            out(decided.record_enforcement(at("2026-09-24"), false, " ", "已划拨", &cal)),
            out(decided.record_enforcement(at("2026-09-24"), false, "AV-0924-1", "已划拨", &cal)),
        ),
        // 2026-09-26 is a Saturday: only when urgent.
        (
            "R-095d",
            out(decided.record_enforcement(at("2026-09-26"), false, "AV-0926-1", "已划拨", &cal)),
            out(decided.record_enforcement(at("2026-09-26"), true, "AV-0926-1", "已划拨", &cal)),
        ),
    ]
}

/// Confiscation of 3,000 yuan of goods decided on 2026-08-17, served 2026-08-18.
fn confiscated() -> Ordinary {
    let mut c = super::ordinary::noticed(false);
    let mut notice_penalty = c.notice.clone().unwrap();
    notice_penalty.penalty = crate::summary::Penalty::Confiscation(yuan(3000));
    c.notice = Some(notice_penalty);
    c.proposed = Some(crate::summary::Penalty::Confiscation(yuan(3000)));
    step!(c, c.waive(crate::tests::ordinary::waiver(at("2026-08-14"))));
    let doc = crate::penalty::DecisionDoc { penalty: crate::summary::Penalty::Confiscation(yuan(3000)), ..doc(0) };
    step!(c, c.decide(at("2026-08-17"), approver(), doc, "", &cal()));
    step!(c, c.serve(handed_over("行政处罚决定书（栗街罚决〔2026〕12号）", at("2026-08-18")), &cal()));
    c
}

fn disposal(method: &str, witnesses: &[&str], av: &str) -> crate::penalty::PropertyDisposal {
    crate::penalty::PropertyDisposal {
        at: at("2026-09-01"),
        method: method.to_string(),
        approved_by: "张主任".to_string(),
        witnesses: witnesses.iter().map(|w| w.to_string()).collect(),
        av_ref: av.to_string(),
        treasury_receipt: String::new(),
    }
}

#[test]
fn confiscated_goods_are_dealt_with_before_the_case_closes() {
    let mut c = confiscated();
    // Nothing to pay, but the goods must be dealt with first.
    assert_eq!(out(c.close(approval("2026-08-31"), at("2026-08-31"))), ["R-094"]);
    step!(c, c.dispose_property(disposal("销毁", &["社区居委会 赵某", "市场监管所 钱某"], "AV-0901-1")));
    step!(c, c.close(approval("2026-09-02"), at("2026-09-02")));
    assert_eq!(c.state, State::Closed);
}

/// (rule, findings that violate it, findings that satisfy it): confiscated property.
pub fn disposal_examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let c = confiscated();
    vec![
        (
            "R-094",
            out(c.dispose_property(disposal("销毁", &["社区居委会 赵某"], "AV-0901-1"))),
            out(c.dispose_property(disposal("销毁", &["社区居委会 赵某", "市场监管所 钱某"], "AV-0901-1"))),
        ),
        (
            "R-094",
            out(c.dispose_property(disposal("公开拍卖", &[], ""))),
            out(c.dispose_property(crate::penalty::PropertyDisposal {
                treasury_receipt: "非税收入缴款书 No.0012345".to_string(),
                ..disposal("公开拍卖", &[], "")
            })),
        ),
    ]
}

/// Two instalments of 2,500 yuan due on 2026-09-30 and 2026-10-31, approved on 2026-08-25.
fn plan(first: u64) -> crate::execution::Deferral {
    use crate::execution::{Deferral, Instalment};
    Deferral {
        at: at("2026-08-25"),
        reasons: "当事人因病住院，家庭经济困难，申请分两期缴纳".to_string(),
        approver: crate::penalty::Opinion {
            person: String::new(),
            by: "张主任".to_string(),
            opinion: "同意分两期缴纳".to_string(),
            date: d("2026-08-25"),
            key_id: String::new(),
            signature: String::new(),
        },
        plan: vec![
            Instalment { due: d("2026-09-30"), amount_fen: yuan(first) },
            Instalment { due: d("2026-10-31"), amount_fen: yuan(2500) },
        ],
    }
}

#[test]
fn an_instalment_plan_moves_the_due_date_and_the_surcharge() {
    let cal = cal_2027();
    let mut c = served();
    step!(c, c.defer_payment(plan(2500)));
    // Nothing is late on 2026-10-15: no surcharge, no demand (R-095a).
    assert_eq!(c.surcharge_fen(at("2026-10-15"), &cal), Ok(0));
    assert_eq!(out(c.serve_demand(demand("2026-10-15"), &cal)), ["R-095a"]);
    let t11 = c.deadlines(&cal).into_iter().find(|x| x.code == "T-11").unwrap();
    assert_eq!(t11.due, Ok(d("2026-10-31").end()));
    step!(c, c.pay_instalment(at("2026-09-28"), "BANK-20260928-1", yuan(2500)));
    assert_eq!((c.state, c.paid_at), (State::Served, None));
    assert_eq!(out(c.pay_instalment(at("2026-10-30"), "BANK-20261030-1", yuan(3000))), ["R-090"]);
    step!(c, c.pay_instalment(at("2026-10-30"), "BANK-20261030-1", yuan(2500)));
    assert_eq!((c.state, c.paid_at), (State::Paid, Some(at("2026-10-30"))));
    step!(c, c.close(approval("2026-11-02"), at("2026-11-02")));
    assert_eq!(c.state, State::Closed);
}

/// (rule, findings that violate it, findings that satisfy it): deferral and instalments.
pub fn deferral_examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let served = served();
    let unsigned = crate::execution::Deferral {
        approver: crate::penalty::Opinion { opinion: "张主任".to_string(), ..plan(2500).approver },
        ..plan(2500)
    };
    vec![
        ("R-090b", out(served.defer_payment(plan(2000))), out(served.defer_payment(plan(2500)))),
        ("R-090b", out(served.defer_payment(unsigned)), out(served.defer_payment(plan(2500)))),
    ]
}

#[test]
fn a_review_pauses_the_surcharge_and_the_court_and_a_change_lowers_the_fine() {
    use crate::execution::{ReliefKind, ReliefOutcome};
    let cal = cal_2027();
    let mut c = demanded();
    step!(c, c.seek_relief(ReliefKind::Review, at("2026-09-12"), "迁西县人民政府", "迁政复〔2026〕5号"));
    // Due 2026-09-02; on 2026-09-20, 18 days late of which 8 under review: 10 days × 3 % × 5,000.
    assert_eq!(c.surcharge_fen(at("2026-09-20"), &cal), Ok(yuan(1500)));
    assert_eq!(out(c.apply_court(application("2027-03-01"), &office(), &cal)), ["R-093"]);
    assert_eq!(out(c.close(approval("2026-09-21"), at("2026-09-21"))), ["R-091", "R-090"]);
    step!(c, c.conclude_relief(at("2026-10-12"), ReliefOutcome::Changed, Some(yuan(3000))));
    assert_eq!(c.penalty, Some(crate::summary::Penalty::Fine(yuan(3000))));
    step!(c, c.pay(at("2026-10-15"), "BANK-20261015-1"));
    step!(c, c.close(approval("2026-10-16"), at("2026-10-16")));
    assert_eq!(c.state, State::Closed);
}

#[test]
fn a_decision_revoked_by_the_court_leaves_nothing_to_perform() {
    use crate::execution::{ReliefKind, ReliefOutcome};
    let mut c = served();
    step!(c, c.seek_relief(ReliefKind::Litigation, at("2026-09-01"), "迁西县人民法院", "（2026）冀0227行初12号"));
    step!(c, c.conclude_relief(at("2026-12-10"), ReliefOutcome::Revoked, None));
    assert_eq!((c.state, c.penalty), (State::Revoked, None));
    assert!(c.pay(at("2026-12-11"), "BANK-1").is_err());
    step!(c, c.close(approval("2026-12-11"), at("2026-12-11")));
    assert_eq!(c.state, State::Closed);
}

/// (rule, findings that violate it, findings that satisfy it): reviews and lawsuits.
pub fn relief_examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    use crate::execution::{ReliefKind, ReliefOutcome};
    let served = served();
    let reviewing = {
        let mut c = served.clone();
        step!(c, c.seek_relief(ReliefKind::Review, at("2026-09-12"), "迁西县人民政府", "迁政复〔2026〕5号"));
        c
    };
    vec![
        (
            "R-091",
            out(served.seek_relief(ReliefKind::Review, at("2026-09-12"), " ", "迁政复〔2026〕5号")),
            out(served.seek_relief(ReliefKind::Review, at("2026-09-12"), "迁西县人民政府", "迁政复〔2026〕5号")),
        ),
        // A change may only lower the fine.
        (
            "R-091",
            out(reviewing.conclude_relief(at("2026-10-12"), ReliefOutcome::Changed, Some(yuan(6000)))),
            out(reviewing.conclude_relief(at("2026-10-12"), ReliefOutcome::Changed, Some(yuan(3000)))),
        ),
    ]
}
