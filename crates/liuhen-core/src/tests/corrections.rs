//! Corrections of recorded dates: a new event names the original, and the deadlines
//! counted from the date move with it.

use super::execution::served;
use super::ordinary::cal;
use super::{at, d, out};
use crate::penalty::Anchor;

#[test]
fn a_corrected_anchor_moves_its_deadlines() {
    let cal = cal();
    let mut c = served();
    let due = |c: &crate::penalty::Ordinary, code: &str| {
        c.deadlines(&cal).into_iter().find(|x| x.code == code).map(|x| x.due)
    };
    assert_eq!(due(&c, "T-03"), Some(Ok(d("2026-11-05").end())), "90 days from 2026-08-07");
    assert_eq!(due(&c, "T-11"), Some(Ok(d("2026-09-02").end())));
    // 立案 was in fact recorded a day late; the decision was served a day later than written.
    step!(c, c.correct_date(Anchor::FiledAt, at("2026-08-06"), "立案审批表日期笔误，以审批表原件为准", "张主任", &cal));
    step!(c, c.correct_date(Anchor::ServedAt, at("2026-08-19"), "送达回证记载为 8 月 19 日", "张主任", &cal));
    assert_eq!(due(&c, "T-03"), Some(Ok(d("2026-11-04").end())));
    assert_eq!(due(&c, "T-11"), Some(Ok(d("2026-09-03").end())));
    assert_eq!(c.surcharge_fen(at("2026-09-04"), &cal), Ok(crate::summary::yuan(5000) * 3 / 100));
    assert!(c.defects.is_empty());
    // Moving the service past seven working days is accepted and flagged.
    assert_eq!(out(c.correct_date(Anchor::ServedAt, at("2026-08-27"), "据邮寄回执更正", "张主任", &cal)), ["R-082"]);
    // A date the case does not have yet cannot be corrected.
    assert!(c.correct_date(Anchor::DemandServedAt, at("2026-09-10"), "x", "张主任", &cal).is_err());
    // Nor is the service moved past the payment (R-133: the procedure's order).
    step!(c, c.pay(at("2026-08-25"), "BANK-20260825-1"));
    assert_eq!(out(c.correct_date(Anchor::ServedAt, at("2026-08-26"), "据邮寄回执更正", "张主任", &cal)), ["R-133"]);
    assert!(out(c.correct_date(Anchor::ServedAt, at("2026-08-24"), "据邮寄回执更正", "张主任", &cal)).is_empty());
}

/// (rule, findings that violate it, findings that satisfy it)
pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let cal = cal();
    let c = served();
    vec![
        (
            "R-133",
            out(c.correct_date(Anchor::FiledAt, at("2026-08-06"), " ", "张主任", &cal)),
            out(c.correct_date(Anchor::FiledAt, at("2026-08-06"), "立案审批表日期笔误", "张主任", &cal)),
        ),
        (
            "R-133",
            out(c.correct_date(Anchor::DecidedAt, at("2026-08-19"), "决定日期笔误", "张主任", &cal)),
            out(c.correct_date(Anchor::DecidedAt, at("2026-08-16"), "决定日期笔误", "张主任", &cal)),
        ),
    ]
}

#[test]
fn licence_and_coercion_dates_are_corrected_the_same_way() {
    use crate::licence::Anchor as L;
    let cal = crate::calendar::WorkCalendar::china();
    // A licence accepted on 2026-11-03: the twenty working days run to 2026-12-01; accepted in
    // fact on 2026-11-04, they run to 2026-12-02.
    let mut l = super::licensing::accepted();
    let t24 = |l: &crate::licence::Licence| l.deadlines(&cal).into_iter().find(|x| x.code == "T-24").map(|x| x.due);
    assert_eq!(t24(&l), Some(Ok(d("2026-12-01").end())));
    assert_eq!(out(l.correct_date(L::AcceptedAt, at("2026-11-04"), "", "张主任")), ["R-133"]);
    assert!(l.correct_date(L::DecidedAt, at("2026-11-04"), "x", "张主任").is_err(), "no decision yet");
    step!(l, l.correct_date(L::AcceptedAt, at("2026-11-04"), "受理凭证记载为 11 月 4 日", "张主任"));
    assert_eq!(t24(&l), Some(Ok(d("2026-12-02").end())));
    // A seizure executed 2026-11-02 with a twenty-day term ends Sunday 11-22, so Monday 11-23;
    // executed in fact on 11-05, it ends 11-25.
    let mut k = super::coercive::active(20);
    let t20 = |k: &crate::coercion::Coercion| k.deadlines(&cal).into_iter().find(|x| x.code == "T-20").map(|x| x.due);
    assert_eq!(t20(&k), Some(Ok(d("2026-11-23").end())));
    step!(k, k.correct_execution_time(at("2026-11-05"), "现场笔录记载为 11 月 5 日", "张主任"));
    assert_eq!(t20(&k), Some(Ok(d("2026-11-25").end())));
    // Not before the day the 负责人 approved it (2026-11-02).
    assert_eq!(out(k.correct_execution_time(at("2026-11-01"), "笔误", "张主任")), ["R-133"]);
}

/// A corrected date keeps the procedure's order with every step around it: filing before the
/// investigation and the notice, the decision not before what it rests on.
#[test]
fn a_correction_keeps_the_order_of_the_steps_around_it() {
    let cal = cal();
    let c = served();
    // Filed 2026-08-07; the notice served and the statement waived (2026-08-14) after it.
    assert_eq!(out(c.correct_date(Anchor::FiledAt, at("2026-08-15"), "笔误", "张主任", &cal)), ["R-133"]);
    assert!(out(c.correct_date(Anchor::FiledAt, at("2026-08-06"), "笔误", "张主任", &cal)).is_empty());
    // A demand is not moved into the fifteen days to pay (R-095a): they end 2026-09-02.
    let mut d = super::execution::served();
    step!(d, d.serve_demand(super::execution::demand("2026-09-10"), &cal));
    assert_eq!(out(d.correct_date(Anchor::DemandServedAt, at("2026-09-01"), "笔误", "张主任", &cal)), ["R-095a"]);
    assert!(out(d.correct_date(Anchor::DemandServedAt, at("2026-09-09"), "笔误", "张主任", &cal)).is_empty());
    // Decided 2026-08-17 after the waiver of 2026-08-14: not moved before it.
    assert_eq!(out(c.correct_date(Anchor::DecidedAt, at("2026-08-13"), "笔误", "张主任", &cal)), ["R-133"]);
}
