//! 受委托执法 (办法第三十一条): a case under a 委托书 is started only inside the letter's kinds,
//! matters and period, never for a coercive measure, and then runs on the same rules.

use super::{at, d, good_act, good_open, out};
use crate::entrustment::Entrustment;
use crate::inspection::{self, Inspection};
use crate::matter::MatterKind;

pub fn letter() -> Entrustment {
    Entrustment {
        letter_no: "迁城管委〔2026〕4号".to_string(),
        entrusting_agency: "迁西县城市管理综合行政执法局".to_string(),
        entrusted_org: "迁西县栗乡街道综合行政执法队".to_string(),
        kinds: vec![MatterKind::Inspection, MatterKind::Penalty],
        matters: vec!["食品经营监督检查".to_string(), "占道经营".to_string()],
        valid_from: d("2026-01-01"),
        valid_to: d("2026-12-31"),
        published: true,
    }
}

fn opened_under(e: Entrustment) -> Vec<&'static str> {
    out(inspection::open(inspection::Open { entrusted: Some(e), ..good_open() }))
}

#[test]
fn an_entrusted_inspection_runs_on_the_same_rules() {
    let open = inspection::Open { entrusted: Some(letter()), ..good_open() };
    let (e, f) = inspection::open(open).unwrap();
    let mut c = Inspection::new(good_open());
    c.apply(&e, &f);
    assert_eq!(c.open.entrusted.as_ref().map(|l| l.letter_no.as_str()), Some("迁城管委〔2026〕4号"));
    // One officer on site is refused for the entrusted organisation as for the office.
    let mut alone = good_act(false);
    alone.officers.truncate(1);
    assert_eq!(out(c.record_on_site(alone, true)), ["R-001"]);
}

/// (rule, findings that violate it, findings that satisfy it)
pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let outside = Entrustment { matters: vec!["占道经营".to_string()], ..letter() };
    let expired = Entrustment { valid_to: d("2026-10-31"), ..letter() };
    let unpublished = Entrustment { published: false, ..letter() };
    let measure = super::coercive::measure();
    vec![
        ("R-008", opened_under(outside), opened_under(letter())),
        ("R-008", opened_under(expired), opened_under(letter())),
        ("R-008", opened_under(unpublished), opened_under(letter())),
        (
            "R-009",
            out(crate::coercion::propose(crate::coercion::Measure { entrusted: Some(letter()), ..measure.clone() })),
            out(crate::coercion::propose(measure)),
        ),
        // A penalty under the same letter: in scope on the day of the act.
        (
            "R-008",
            out(crate::summary::start(summary_on("2027-01-04"))),
            out(crate::summary::start(summary_on("2026-11-20"))),
        ),
    ]
}

fn summary_on(day: &str) -> crate::summary::Start {
    let mut act = good_act(true);
    act.at = at(day);
    for p in &mut act.officers {
        p.id_shown_at = Some(at(day));
    }
    crate::summary::Start { act, entrusted: Some(letter()), ..super::summary_start(crate::summary::PartyKind::Citizen) }
}
