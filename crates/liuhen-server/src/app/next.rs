//! What a case may take next: the commands whose state the core accepts, by case type and
//! state (the core's guards, as `当前状态“…”下不能…` refuses the others). A command listed here
//! may still be refused by a rule or by what the case holds (a pending recusal, a deferral); one
//! not listed is refused by the state. An order refusal (409 INVALID_STATE) names them, and the
//! case tests check that no command succeeds from a state that does not list it.

/// The commands a case of `case_type` in state `state` (its code) may take, in procedural order.
pub fn commands(case_type: &str, state: &str) -> Vec<&'static str> {
    if case_type == "ordinary_penalty" {
        return ORDINARY
            .iter()
            .filter(|(_, states)| states.contains(&state) || (*states == ANY && state != "closed"))
            .map(|(command, _)| *command)
            .collect();
    }
    others(case_type, state).to_vec()
}

/// As [`commands`], less the once-only steps the case's facts (its projection `data`) show
/// taken: the unit's proposal once made, the legal review once passed unless a hearing came
/// after it. What a user is offered, not all the state admits (a discussion's repeat,
/// which depends on its record, is left to the rules).
pub fn offered(case_type: &str, state: &str, data: &serde_json::Value) -> Vec<&'static str> {
    let mut out = commands(case_type, state);
    // An inspection that found nothing orders no rectification and becomes no case; one already
    // turned into a case is not turned again.
    if case_type == "inspection" {
        let found = data["problems_found"] == true;
        let converted = !data["converted_to"].is_null();
        out.retain(|c| match *c {
            "order_rectification" => found,
            "convert_to_case" => found && !converted,
            _ => true,
        });
    }
    // A seizure's term and a licence's review period are extended once.
    if matches!(case_type, "coercive_measure" | "licence") && data["extended"] == true {
        out.retain(|c| *c != "extend");
    }
    if case_type == "ordinary_penalty" {
        let reviewed = data["legal_review_passed_at"].as_i64();
        let heard = data["hearing_held_at"].as_i64();
        out.retain(|c| match *c {
            "propose" => data["proposed"].is_null(),
            "legal_review" => reviewed.is_none_or(|r| heard.is_some_and(|h| h > r)),
            _ => true,
        });
    }
    out
}

fn others(case_type: &str, state: &str) -> &'static [&'static str] {
    match (case_type, state) {
        ("inspection", "planned") => &["record_on_site", "close"],
        ("inspection", "on_site") => &["record_on_site", "notify_result", "close"],
        ("inspection", "result_notified") => &["order_rectification", "convert_to_case", "close"],
        ("inspection", "rectification_ordered") => &["reinspect", "close"],
        ("inspection", "reinspected") => &["convert_to_case", "close"],

        ("summary_penalty", "on_site") => &["identify_party", "hear", "close"],
        ("summary_penalty", "heard") => &["identify_party", "issue_decision", "close"],
        ("summary_penalty", "decision_issued") => &["deliver", "close"],
        ("summary_penalty", "delivered") => &["record", "pay", "close"],
        ("summary_penalty", "recorded") => &["pay", "close"],
        ("summary_penalty", "performed") => &["close"],

        ("coercive_measure", "proposed") => &["approve", "execute"],
        ("coercive_measure", "approved") => &["execute", "correct_execution_time"],
        ("coercive_measure", "active_unratified") => &["ratify", "correct_execution_time"],
        ("coercive_measure", "active") => &["extend", "dispose", "correct_execution_time"],
        ("coercive_measure", "disposed") => &["close", "correct_execution_time"],

        ("licence", "applied") => &["request_correction", "accept", "refuse", "correct_date"],
        ("licence", "correction_requested") => &["corrected", "correct_date"],
        ("licence", "accepted" | "under_review") => &[
            "verify",
            "record_evidence",
            "hear_interested_party",
            "tell_hearing_right",
            "request_hearing",
            "schedule_hearing",
            "hold_hearing",
            "exclude_period",
            "extend",
            "decide",
            "correct_date",
        ],
        ("licence", "not_accepted" | "certificate_issued" | "denial_served") => &["close", "correct_date"],
        ("licence", "granted") => &["issue_certificate", "correct_date"],
        ("licence", "denied") => &["serve_denial", "close", "correct_date"],

        _ => &[],
    }
}

/// The ordinary procedure's states (penalty.rs and execution.rs guards). `identify_party`,
/// recusals and the handling of 先行登记保存 run alongside the main line.
/// Any state but `closed` (a guard on the case's facts only: a date to correct, a pending
/// recusal).
const ANY: &[&str] = &["*"];

/// The ordinary procedure: each command with the states its guard admits (penalty.rs and
/// execution.rs), in procedural order. `identify_party`, recusals and the handling of 先行登记保存
/// run alongside the main line.
#[rustfmt::skip]
const ORDINARY: &[(&str, &[&str])] = &[
    ("file", &["lead"]),
    ("not_file", &["lead"]),
    ("identify_party", &["lead", "filed", "investigating", "concluded"]),
    ("correct_date", ANY),
    ("close", &["not_filed", "served", "paid", "demanded", "court_applied", "court_ruled", "enforced", "enforcement_decided", "substitute_decided", "substituted", "performed", "revoked"]),
    ("investigate", &["filed", "investigating"]),
    ("record_evidence", &["filed", "investigating"]),
    ("handle_preservation", &["filed", "investigating", "concluded", "notice_served", "hearing_requested", "hearing_scheduled", "hearing_held", "hearing_terminated", "decided", "served", "paid", "demanded", "court_applied", "court_ruled", "enforced", "enforcement_decided", "substitute_decided", "substituted", "performed", "revoked"]),
    ("request_recusal", &["filed", "investigating", "concluded", "notice_served", "hearing_requested", "hearing_scheduled", "hearing_held", "hearing_terminated", "demanded", "court_applied", "court_ruled", "enforced", "enforcement_decided", "substitute_decided", "substituted", "performed", "revoked"]),
    ("decide_recusal", ANY),
    ("conclude", &["filed", "investigating"]),
    ("propose", &["concluded"]),
    ("legal_review", &["concluded", "notice_served", "hearing_held", "hearing_terminated"]),
    ("serve_notice", &["concluded"]),
    ("decide_no_penalty", &["concluded", "notice_served", "hearing_requested", "hearing_scheduled", "hearing_held", "hearing_terminated"]),
    ("discuss", &["notice_served", "hearing_requested", "hearing_scheduled", "hearing_held", "hearing_terminated"]),
    ("hear_statement", &["notice_served"]),
    ("waive", &["notice_served"]),
    ("request_hearing", &["notice_served"]),
    ("decide", &["notice_served", "hearing_requested", "hearing_scheduled", "hearing_held", "hearing_terminated"]),
    ("schedule_hearing", &["hearing_requested"]),
    ("hold_hearing", &["hearing_scheduled"]),
    ("terminate_hearing", &["hearing_scheduled"]),
    ("serve", &["decided"]),
    ("pay", &["served", "demanded", "court_applied", "court_ruled", "enforced", "enforcement_decided", "substitute_decided", "substituted", "performed", "revoked"]),
    ("defer_payment", &["served"]),
    ("pay_instalment", &["served", "paid", "demanded", "court_applied", "court_ruled", "enforced", "enforcement_decided", "substitute_decided", "substituted", "performed", "revoked"]),
    ("seek_relief", &["served", "paid", "demanded", "enforcement_decided", "substituted", "performed", "revoked"]),
    ("conclude_relief", &["served", "paid", "demanded", "court_applied", "court_ruled", "enforced", "enforcement_decided", "substitute_decided", "substituted", "performed", "revoked"]),
    ("serve_demand", &["served", "paid"]),
    ("record_performance", &["served", "paid", "demanded", "court_applied", "enforcement_decided", "substitute_decided"]),
    ("announce_demolition", &["served", "paid", "demanded"]),
    ("dispose_property", &["served", "paid", "court_ruled", "enforced"]),
    ("hear_demand_statement", &["demanded"]),
    ("apply_court", &["demanded"]),
    ("decide_enforcement", &["demanded"]),
    ("decide_substitute", &["demanded"]),
    ("record_court_ruling", &["court_applied"]),
    ("record_enforcement", &["enforcement_decided"]),
    ("remind_substitute", &["substitute_decided"]),
    ("perform_substitute", &["substitute_decided"]),
];

/// The Chinese words of a 409: what the case may take next, or that it is finished.
pub fn said(case_type: &str, state: &str) -> String {
    match commands(case_type, state).as_slice() {
        [] => "本案已无可办理的事项".to_string(),
        cs => format!("当前可办理：{}", cs.join("、")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// What is offered is what the case takes: an inspection that found nothing is not turned
    /// into a case nor ordered to rectify; one turned into a case is not turned again.
    #[test]
    fn an_inspection_offers_what_its_findings_allow() {
        let clean = super::offered("inspection", "result_notified", &json!({"problems_found": false}));
        assert_eq!(clean, ["close"]);
        let found = super::offered("inspection", "result_notified", &json!({"problems_found": true}));
        assert_eq!(found, ["order_rectification", "convert_to_case", "close"]);
        let converted = json!({"problems_found": true, "converted_to": "c1"});
        assert_eq!(super::offered("inspection", "reinspected", &converted), ["close"]);
        // Extended once: not offered again.
        let once = super::offered("coercive_measure", "active", &json!({"extended": true}));
        assert!(!once.contains(&"extend") && once.contains(&"dispose"), "{once:?}");
    }
}
