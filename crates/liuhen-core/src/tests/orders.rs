//! A decision that orders the party to act (责令限期拆除): performed by the party and verified,
//! or — after the demand, the public notice and the relief periods — performed in the party's
//! place (代履行, 行政强制法第四十四条、第五十条、第五十一条).

use super::execution::{cal_2027, demand};
use super::ordinary::{approval, approver, doc, noticed, waiver};
use super::{at, d, handed_over, out};
use crate::execution::{SubstituteDecision, SubstitutePerformance};
use crate::penalty::{DecisionDoc, Order, Ordinary, State};
use crate::summary::yuan;

/// A fine of 5,000 yuan and an order to demolish the shed by 2026-09-30, decided on 2026-08-17
/// and served on 2026-08-18.
fn ordered() -> Ordinary {
    let cal = cal_2027();
    let mut c = noticed(false);
    step!(c, c.waive(waiver(at("2026-08-14"))));
    let order =
        Order { content: "限期拆除院内彩钢房".to_string(), deadline: d("2026-09-30"), demolition: true };
    let with_order = DecisionDoc { order: Some(order), ..doc(yuan(5000)) };
    step!(c, c.decide(at("2026-08-17"), approver(), with_order, "", &cal));
    step!(c, c.serve(handed_over("行政处罚决定书（栗街罚决〔2026〕12号）", at("2026-08-18")), &cal));
    c
}

/// The fine paid in time; the shed still stands after its deadline; the demand served on
/// 2026-10-09 with a deadline of 2026-10-19.
fn demanded() -> Ordinary {
    let cal = cal_2027();
    let mut c = ordered();
    step!(c, c.pay(at("2026-08-25"), "BANK-20260825-1"));
    // Paying settles the fine, not the order: the case stays open for it.
    assert_eq!(c.state, State::Served);
    let no_amount = crate::execution::Demand { amount_fen: 0, ..demand("2026-10-09") };
    step!(c, c.serve_demand(no_amount, &cal));
    c
}

fn announced() -> Ordinary {
    let mut c = demanded();
    step!(
        c,
        c.announce_demolition(at("2026-10-20"), "栗街拆告〔2026〕1号", "幸福路 8 号院门及街道公告栏", d("2026-10-30"))
    );
    c
}

fn substitute(on: &str) -> SubstituteDecision {
    SubstituteDecision {
        at: at(on),
        doc_no: "栗街代履〔2027〕1号".to_string(),
        harm: "彩钢房占压消防通道，危及通行安全".to_string(),
        reasons_and_basis: "经催告逾期仍不拆除；《行政强制法》第四十四条、第五十条".to_string(),
        method_and_time: "2027 年 3 月 1 日起由第三方拆除".to_string(),
        object: "院内东侧彩钢房一间，约 20 平方米".to_string(),
        cost_budget_fen: yuan(3000),
        performer: "迁西县某拆除工程有限公司".to_string(),
        sealed: true,
        service: handed_over("代履行决定书（栗街代履〔2027〕1号）", at(on)),
    }
}

fn decided_substitute() -> Ordinary {
    let mut c = announced();
    step!(c, c.decide_substitute(substitute("2027-02-22"), &cal_2027()));
    c
}

fn reminded() -> Ordinary {
    let mut c = decided_substitute();
    step!(c, c.remind_substitute(handed_over("代履行催告书", at("2027-02-23"))));
    c
}

fn performance(on: &str) -> SubstitutePerformance {
    SubstitutePerformance {
        at: at(on),
        supervisors: vec!["王明".to_string(), "李华".to_string()],
        performer_signed: true,
        party_or_witness: "见证人赵某（社区工作人员）".to_string(),
        cost_fen: yuan(2800),
        urgent: false,
        av_ref: "AV-20270301-0001".to_string(),
        result: "彩钢房已拆除，建筑垃圾已清运".to_string(),
    }
}

#[test]
fn a_shed_not_demolished_is_demolished_in_the_partys_place_and_the_case_closes() {
    let cal = cal_2027();
    let mut c = decided_substitute();
    // The order is outstanding: the case does not close.
    assert_eq!(out(c.close(approval("2027-02-22"), at("2027-02-22"))), ["R-097"]);
    // Three working days after the reminder (T-22): 2027-02-23 → not before 2027-03-01.
    step!(c, c.remind_substitute(handed_over("代履行催告书", at("2027-02-23"))));
    assert_eq!(out(c.perform_substitute(performance("2027-02-26"), &cal)), ["R-097"]);
    step!(c, c.perform_substitute(performance("2027-03-01"), &cal));
    assert_eq!(c.state, State::Substituted);
    step!(c, c.close(approval("2027-03-02"), at("2027-03-02")));
    assert_eq!(c.state, State::Closed);
}

#[test]
fn a_shed_the_party_demolishes_is_verified_and_the_case_closes() {
    let mut c = demanded();
    let two = ["王明", "李华"].map(String::from);
    assert_eq!(out(c.record_performance(at("2026-10-15"), &two[..1], "已自行拆除")), ["R-001"]);
    step!(c, c.record_performance(at("2026-10-15"), &two, "复查：彩钢房已自行拆除，现场已清理"));
    assert_eq!(c.state, State::Performed);
    // Nothing is left to execute.
    assert!(c.announce_demolition(at("2026-10-20"), "栗街拆告〔2026〕1号", "院门", d("2026-10-30")).is_err());
    step!(c, c.close(approval("2026-10-16"), at("2026-10-16")));
    assert_eq!(c.state, State::Closed);
}

#[test]
fn paying_the_fine_after_the_order_is_performed_settles_the_case() {
    let cal = cal_2027();
    let mut c = ordered();
    step!(c, c.record_performance(at("2026-09-20"), &["王明", "李华"].map(String::from), "复查：已自行拆除"));
    assert_eq!(c.state, State::Served, "the fine is still unpaid");
    assert_eq!(out(c.close(approval("2026-09-21"), at("2026-09-21"))), ["R-090"]);
    step!(c, c.pay(at("2026-09-01"), "BANK-20260901-1"));
    assert_eq!(c.state, State::Performed);
    // No demand for what was performed.
    assert!(c.serve_demand(demand("2026-10-09"), &cal).is_err());
}

/// (rule, findings that violate it, findings that satisfy it): orders and 代履行.
pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let cal = cal_2027();
    let ordered = ordered();
    let demanded = demanded();
    let announced = announced();
    let decided = decided_substitute();
    let reminded = reminded();
    vec![
        // An order needs its content and a deadline after the decision.
        (
            "R-065",
            out({
                let mut c = noticed(false);
                step!(c, c.waive(waiver(at("2026-08-14"))));
                let order = Order { content: "限期拆除".to_string(), deadline: d("2026-08-16"), demolition: true };
                c.decide(at("2026-08-17"), approver(), DecisionDoc { order: Some(order), ..doc(yuan(5000)) }, "", &cal)
            }),
            out({
                let mut c = noticed(false);
                step!(c, c.waive(waiver(at("2026-08-14"))));
                let order = Order { content: "限期拆除".to_string(), deadline: d("2026-09-30"), demolition: true };
                c.decide(at("2026-08-17"), approver(), DecisionDoc { order: Some(order), ..doc(yuan(5000)) }, "", &cal)
            }),
        ),
        // Not demanded before the order's deadline (R-095a).
        (
            "R-095a",
            out({
                let mut c = ordered.clone();
                step!(c, c.pay(at("2026-08-25"), "BANK-1"));
                c.serve_demand(crate::execution::Demand { amount_fen: 0, ..demand("2026-09-29") }, &cal)
            }),
            out({
                let mut c = ordered.clone();
                step!(c, c.pay(at("2026-08-25"), "BANK-1"));
                c.serve_demand(crate::execution::Demand { amount_fen: 0, ..demand("2026-10-09") }, &cal)
            }),
        ),
        (
            "R-095e",
            out(demanded.announce_demolition(at("2026-10-20"), "栗街拆告〔2026〕1号", "院门", d("2026-10-20"))),
            out(demanded.announce_demolition(at("2026-10-20"), "栗街拆告〔2026〕1号", "院门", d("2026-10-30"))),
        ),
        // No notice, or the review and litigation periods still open (until 2027-02-18).
        (
            "R-095e",
            out(demanded.decide_substitute(substitute("2027-02-22"), &cal)),
            out(announced.decide_substitute(substitute("2027-02-22"), &cal)),
        ),
        (
            "R-095e",
            out(announced.decide_substitute(substitute("2026-11-02"), &cal)),
            out(announced.decide_substitute(substitute("2027-02-22"), &cal)),
        ),
        (
            "R-097",
            out(announced
                .decide_substitute(SubstituteDecision { harm: " ".to_string(), ..substitute("2027-02-22") }, &cal)),
            out(announced.decide_substitute(substitute("2027-02-22"), &cal)),
        ),
        (
            "R-097",
            out(decided.perform_substitute(performance("2027-03-01"), &cal)),
            out(reminded.perform_substitute(performance("2027-03-01"), &cal)),
        ),
        (
            "R-097",
            out(reminded.perform_substitute(
                SubstitutePerformance { party_or_witness: String::new(), ..performance("2027-03-01") },
                &cal,
            )),
            out(reminded.perform_substitute(performance("2027-03-01"), &cal)),
        ),
        // 代履行 is 行政强制执行: by day, on record (R-095d).
        (
            "R-095d",
            out(reminded.perform_substitute(
                SubstitutePerformance { av_ref: String::new(), ..performance("2027-03-01") },
                &cal,
            )),
            out(reminded.perform_substitute(performance("2027-03-01"), &cal)),
        ),
    ]
}
