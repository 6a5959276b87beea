//! 当事人: identity numbers checked against the standards' own examples, what R-016 requires,
//! and the ordinary procedure's decision naming an identified party.

use super::ordinary::{approver, cal, doc, lead, noticed};
use super::{at, citizen, out};
use crate::party::{self, Party, PartyType, resident_id_valid, uscc_valid};
use crate::penalty::Ordinary;
use crate::summary::{PartyKind, yuan};

fn company() -> Party {
    Party {
        kind: PartyType::LegalPerson,
        name: "迁西县某某建材有限公司".to_string(),
        id_type: String::new(),
        id_number: String::new(),
        uscc: "91130227MA0A1B2C3A".to_string(),
        legal_rep: "李某".to_string(),
        address: "迁西县栗乡街道迁安路 12 号".to_string(),
        phone: String::new(),
        service_address: None,
    }
}

#[test]
fn identity_numbers_are_checked_by_their_check_characters() {
    // GB 11643-1999's example, and GB 32100-2015's.
    assert!(resident_id_valid("11010519491231002X"));
    assert!(resident_id_valid("11010519491231002x"));
    assert!(!resident_id_valid("110105194912310021"));
    assert!(!resident_id_valid("1101051949123100"));
    assert!(uscc_valid("91350100M000100Y43"));
    assert!(!uscc_valid("91350100M000100Y44"));
    assert!(!uscc_valid("91350100I000100Y43"), "I is not in the code's alphabet");
    assert!(!uscc_valid("９1350100M000100Y43"));
    assert_eq!(citizen().masked_id(), "130227********0033");
    assert_eq!(company().masked_id(), "911302********2C3A");
}

#[test]
fn the_decision_names_an_identified_party() {
    // A lead whose party is still unknown: identified during the investigation, then decided.
    let mut unknown = Ordinary::new(crate::penalty::Lead { party: None, ..lead(false) });
    step!(
        unknown,
        unknown.file(super::ordinary::approval("2026-08-07"), at("2026-08-07"), super::d("2026-07-30"), false)
    );
    assert_eq!(out(unknown.identify_party(company())), ["R-016"], "a company for a case recorded as a citizen's");
    step!(unknown, unknown.identify_party(citizen()));
    assert_eq!(unknown.party.as_ref().map(|p| p.name.as_str()), Some("张某某"));
}

/// (rule, findings that violate it, findings that satisfy it)
pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let bad_id = Party { id_number: "130227198005120034".to_string(), ..citizen() };
    let no_rep = Party { legal_rep: " ".to_string(), ..company() };
    let nameless = {
        let mut c = noticed(false);
        c.party = None;
        step!(c, c.waive(crate::tests::ordinary::waiver(at("2026-08-14"))));
        c
    };
    let named = {
        let mut c = noticed(false);
        step!(c, c.waive(crate::tests::ordinary::waiver(at("2026-08-14"))));
        c
    };
    // Revoking a licence carries the hearing right whatever the amount (行政处罚法第六十三条).
    let revoke = |told: bool| {
        let mut c = Ordinary::new(lead(false));
        step!(c, c.file(super::ordinary::approval("2026-08-07"), at("2026-08-07"), super::d("2026-07-30"), false));
        step!(c, c.investigate(super::good_act(true)));
        super::ordinary::gather(&mut c);
        let report =
            crate::penalty::Report { proposal: crate::summary::Penalty::RevokeLicence, ..super::ordinary::report(0) };
        step!(c, c.conclude(report));
        super::ordinary::propose(&mut c, crate::summary::Penalty::RevokeLicence);
        let notice = crate::penalty::Notice {
            penalty: crate::summary::Penalty::RevokeLicence,
            ..super::ordinary::notice(0, told)
        };
        out(c.serve_notice(notice))
    };
    vec![
        ("R-042", revoke(false), revoke(true)),
        (
            "R-016",
            party::check(&bad_id, None).iter().map(|v| v.rule.id).collect(),
            party::check(&citizen(), None).iter().map(|v| v.rule.id).collect(),
        ),
        (
            "R-016",
            party::check(&no_rep, Some(PartyKind::Organisation)).iter().map(|v| v.rule.id).collect(),
            party::check(&company(), Some(PartyKind::Organisation)).iter().map(|v| v.rule.id).collect(),
        ),
        (
            "R-016",
            out(nameless.decide(at("2026-08-17"), approver(), doc(yuan(5000)), "", &cal())),
            out(named.decide(at("2026-08-17"), approver(), doc(yuan(5000)), "", &cal())),
        ),
    ]
}

#[test]
fn penalty_kinds_carry_their_hearing_right_and_compare_with_what_was_told() {
    use crate::summary::Penalty as P;
    let threshold = yuan(10_000);
    assert!(!P::Warning.needs_hearing_right(threshold));
    assert!(!P::Fine(yuan(9_999)).needs_hearing_right(threshold));
    assert!(P::Confiscation(yuan(10_000)).needs_hearing_right(threshold));
    for heavy in [P::RevokeLicence, P::SuspendBusiness, P::OrderClosure, P::RestrictPractice, P::LowerQualification] {
        assert!(heavy.needs_hearing_right(threshold), "{}", heavy.label());
    }
    assert!(!P::Fine(yuan(100)).heavier_than(P::Fine(yuan(200))));
    assert!(P::Fine(yuan(300)).heavier_than(P::Fine(yuan(200))));
    assert!(!P::Warning.heavier_than(P::RevokeLicence));
    assert!(P::RevokeLicence.heavier_than(P::Fine(yuan(200))), "another kind than told needs a new notice");
    for p in [P::Warning, P::Fine(5), P::Confiscation(7), P::SuspendLicence, P::RestrictPractice] {
        assert_eq!(
            P::parse(
                p.code(),
                Some(match p {
                    P::Fine(a) | P::Confiscation(a) => a,
                    _ => 0,
                })
            ),
            Some(p)
        );
    }
    assert_eq!(P::parse("fine", None), None);
    assert_eq!(P::parse("exile", Some(1)), None);
}

/// do not turn on how the 居民身份证 is worded (`身份证`, `二代身份证`): its number
/// is checked whatever the wording, and one number typed two ways is one party (helper 17).
#[test]
fn a_resident_id_is_one_whatever_its_type_is_called() {
    for wording in ["身份证", "二代身份证", " 居民身份证 "] {
        assert!(party::names_resident_id(wording), "{wording}");
        let p = Party { id_type: wording.to_string(), ..citizen() };
        assert_eq!(p.identity(), citizen().identity(), "{wording}");
        let wrong = Party { id_number: "130227198005120019".to_string(), ..p.clone() };
        let rules = |p: &Party| party::check(p, None).iter().map(|v| v.rule.id).collect::<Vec<_>>();
        assert_eq!(rules(&wrong), ["R-016"], "{wording}");
        let wide = Party { id_number: "１30227198005120033".to_string(), ..p };
        assert_eq!(rules(&wide), ["R-016"], "{wording}: a full-width digit");
    }
    for other in ["港澳居民来往内地通行证", "护照", "台湾居民居住证"] {
        assert!(!party::names_resident_id(other), "{other}");
    }
}
