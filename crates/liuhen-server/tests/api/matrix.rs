//! Who may do what, route by route: every API route of the route table × every role × inside
//! or outside the case, against an expectation written here by hand (not computed by the
//! policy under test). A route with no expectation fails the test, so a new route needs one.
//!
//! Allowed means the request got past the policy (any answer but 401, 403 or 404); 404 means
//! the case's existence did not leak.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use liuhen_server::LogAccess;
use serde_json::{Value, json};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Forbidden,
    Hidden,
    /// Needs no session at all.
    Public,
}
use Expect::*;

/// A signed-in principal: their roles, and whether the test case is theirs (for the roles that
/// see only their own or their unit's cases).
struct Who {
    name: &'static str,
    roles: &'static str,
    /// Linked to the officer who did the case's on-site act.
    in_case: bool,
    /// In the unit of the case's opener.
    in_unit: bool,
}

const WHO: [Who; 11] = [
    Who { name: "officer_in", roles: "officer", in_case: true, in_unit: false },
    Who { name: "officer_out", roles: "officer", in_case: false, in_unit: true },
    Who { name: "unit_head_in", roles: "unit_head", in_case: false, in_unit: true },
    Who { name: "unit_head_out", roles: "unit_head", in_case: false, in_unit: false },
    Who { name: "legal", roles: "legal_reviewer", in_case: false, in_unit: false },
    Who { name: "approver", roles: "approver", in_case: false, in_unit: false },
    Who { name: "discussion", roles: "discussion_member", in_case: false, in_unit: false },
    Who { name: "archivist", roles: "archivist", in_case: false, in_unit: false },
    Who { name: "devices", roles: "device_admin", in_case: false, in_unit: false },
    Who { name: "supervisor", roles: "supervisor", in_case: false, in_unit: false },
    Who { name: "sysadmin", roles: "sysadmin", in_case: false, in_unit: false },
];

/// Who sees the test case.
fn sees(w: &Who) -> bool {
    match w.roles {
        "officer" => w.in_case,
        "unit_head" => w.in_unit,
        "device_admin" | "sysadmin" => false,
        _ => true,
    }
}

/// The expectation for `route` by `w`.
fn expect(method: &str, path: &str, w: &Who) -> Option<Expect> {
    let case = |ok: bool| {
        if !sees(w) {
            Hidden
        } else if ok {
            Allowed
        } else {
            Forbidden
        }
    };
    let any_of = |roles: &[&str]| if roles.contains(&w.roles) { Allowed } else { Forbidden };
    Some(match (method, path) {
        ("post", "/api/session") | ("get", "/api/openapi.json") | ("get", "/api/docs") | ("get", "/api/docs.js") => {
            Public
        }
        ("get", "/api/me") | ("get", "/api/cases") | ("get", "/api/deadlines") => Allowed,
        // Signing out: anyone signed in (with a token of their own for it, see below).
        ("delete", "/api/session") => Allowed,
        // Anyone signed in replaces their own signing key (the matrix's body is no form: 400
        // past the policy) and reads a published key (`{id}` is no key's id: 404).
        ("post", "/api/me/signing-key") => Allowed,
        ("get", "/api/signing-keys/{id}") => Hidden,
        ("post", "/api/me/password") => Allowed,
        ("post", "/api/me/totp") | ("post", "/api/me/totp/confirm") => Allowed,
        ("get", "/api/inbox") => Allowed,
        ("get", "/api/tokens") | ("post", "/api/tokens") => Allowed,
        // `{id}` is the case's id, no token's: nobody has such a token.
        ("delete", "/api/tokens/{id}") => Hidden,
        ("get", "/api/officers") | ("get", "/api/matters") | ("get", "/api/agency") => Allowed,
        ("get", "/api/users") | ("post", "/api/users") => any_of(&["sysadmin"]),
        ("get", "/api/grants") => any_of(&["approver"]),
        ("get", "/api/integrity") => any_of(&["approver", "sysadmin", "supervisor"]),
        ("get", "/api/fixity") => any_of(&["archivist", "approver", "sysadmin", "supervisor"]),
        // `{id}` is the case's id, no account's: a 负责人 learns there is no such account.
        ("post", "/api/users/{id}/grant") => match any_of(&["approver"]) {
            Allowed => Hidden,
            other => other,
        },
        // `{id}` is the test case's id, not an account: those allowed learn there is no such
        // account (404); the rest may not ask (403).
        ("get", "/api/users/{id}/ledger") => match any_of(&["supervisor", "approver"]) {
            Allowed => Hidden,
            other => other,
        },
        // `{id}` is no catalogue's name: past the policy, 404.
        ("get", "/api/catalogues/{which}") => Hidden,
        ("put", "/api/catalogues/{which}") => match any_of(&["sysadmin", "approver"]) {
            Allowed => Hidden,
            other => other,
        },
        ("post", "/api/officers") | ("post", "/api/matters") | ("put", "/api/agency") => {
            any_of(&["sysadmin", "approver"])
        }
        ("post", p) if p.starts_with("/api/cases/") && !p.contains("{id}") => {
            any_of(&["officer", "unit_head", "approver"])
        }
        ("get", "/api/cases/{id}") => case(true),
        // The matrix's command (notify_result) is the case officers' step: a 法制审核人员 or a
        // discussion member who sees the case does not perform it (办法第十五条; R-007).
        ("post", "/api/cases/{id}/commands") => case(matches!(w.roles, "officer" | "unit_head" | "approver")),
        ("get", "/api/cases/{id}/party-access") => case(true),
        // Asked before the body is read: those who act on the case get past the policy (the
        // matrix's body is no form: 400); publishing itself is the 负责人's (NOT_YOUR_STEP).
        ("post", "/api/cases/{id}/publication") => {
            case(matches!(w.roles, "officer" | "unit_head" | "legal_reviewer" | "approver" | "discussion_member"))
        }
        // 归档: the file's state for whoever sees the case (and the archivist); a step past the
        // policy (the matrix's body is no form: 400) for those who act on the case and the
        // archivist, who files whatever the case's class.
        ("get", "/api/cases/{id}/archive") => case(true),
        ("post", "/api/cases/{id}/archive") => case(matches!(
            w.roles,
            "officer" | "unit_head" | "legal_reviewer" | "approver" | "discussion_member" | "archivist"
        )),
        ("get", "/api/archive/files") => any_of(&["archivist", "approver", "supervisor"]),
        ("get", "/api/archive/retention") => any_of(&["archivist", "approver", "supervisor"]),
        ("get", "/api/archive/disposals") => any_of(&["archivist", "approver", "supervisor"]),
        // 销毁: the archivist's request, the 负责人's approval; `{id}` is no recording: 404 for them.
        ("post", "/api/recordings/{id}/disposal") => match any_of(&["archivist", "approver"]) {
            Allowed => Hidden,
            other => other,
        },
        // The preview of what 公示 would post: whoever sees the case.
        ("get", "/api/cases/{id}/publication") => case(true),
        // 年度行政执法数据 (R-171): read by the 负责人 and the 监督人员; published by the 负责人
        // (asked before the body is read; the matrix's body is no form: 400).
        ("get", "/api/statistics/annual") => any_of(&["approver", "supervisor"]),
        ("post", "/api/statistics/annual") => any_of(&["approver"]),
        ("post", "/api/cases/{id}/classification") => case(matches!(w.roles, "approver" | "unit_head")),
        // Without the purpose: past the policy, a 400 for those who handle the case (its
        // officers, their unit's head, the 负责人 — not who reviews or discusses it).
        ("get", "/api/cases/{id}/party") => case(matches!(w.roles, "officer" | "unit_head" | "approver")),
        ("post", "/api/cases/{id}/party-access") => case(matches!(w.roles, "officer" | "unit_head" | "approver")),
        // A step of a request that does not exist: past the policy — those who decide requests
        // and those who act on the case (who deliver and take receipts) — it is not found.
        ("post", "/api/cases/{id}/party-access/{request}") => {
            match case(matches!(w.roles, "approver" | "unit_head" | "officer" | "legal_reviewer" | "discussion_member"))
            {
                Allowed => Hidden,
                other => other,
            }
        }
        ("get", "/api/cases/{id}/records/{kind}/{n}") => case(true),
        ("post", "/api/cases/{id}/records/{kind}/{n}/classification") => {
            case(matches!(w.roles, "approver" | "unit_head"))
        }
        ("get", "/api/document-catalogue") => Allowed,
        ("get", "/api/seal-keys") => Public,
        ("get", "/api/cases/{id}/documents") => case(true),
        // A step of the handling: not a 法制审核人员's nor a discussion member's (R-007).
        ("post", "/api/cases/{id}/av/unrecorded") => case(matches!(w.roles, "officer" | "unit_head" | "approver")),
        // The case's officers draft (办法第十五条; the matrix's body is no form: 400, past the
        // policy); the 法制审核人员 only their own D31, not the matrix's form.
        ("post", "/api/cases/{id}/documents") => case(w.roles == "officer"),
        // `{id}` is no document: 404 for everyone.
        ("get", "/api/documents/{id}")
        | ("post", "/api/documents/{id}/commands")
        | ("get", "/api/documents/{id}/pdf")
        | ("get", "/api/documents/{id}/seal") => Hidden,
        ("get", "/api/devices") => Allowed,
        ("get", "/api/av/overdue") => Allowed,
        ("get", "/api/cases/{id}/av") => case(true),
        ("post", "/api/devices") => any_of(&["device_admin"]),
        // `{number}` is no device: 404 for everyone who may ask.
        ("get", "/api/devices/{number}") => Hidden,
        ("post", "/api/devices/{number}/commands") => match any_of(&["device_admin", "officer", "unit_head"]) {
            Allowed => Hidden,
            other => other,
        },
        ("options", "/api/uploads") => Public,
        ("get", "/api/recordings") => Allowed,
        // Without the tus headers: past the policy, 412 (those who may not upload learn it
        // only with the headers).
        ("post", "/api/uploads")
        | ("head", "/api/uploads/{id}")
        | ("patch", "/api/uploads/{id}")
        | ("delete", "/api/uploads/{id}") => Allowed,
        // `{id}` is no recording: 404 for everyone.
        ("get", "/api/recordings/{id}")
        | ("post", "/api/recordings/{id}/link")
        | ("post", "/api/recordings/{id}/clips")
        | ("post", "/api/recordings/{id}/interruptions")
        | ("post", "/api/recordings/{id}/playback")
        | ("get", "/api/recordings/{id}/content") => Hidden,
        ("get", "/api/cases/{id}/ledger") => {
            case(matches!(w.roles, "unit_head" | "approver" | "supervisor" | "legal_reviewer" | "archivist"))
        }
        _ => return None,
    })
}

/// A body that gets past parsing to the policy (for the allowed, a valid request).
fn request_body(method: &str, path: &str, n: usize) -> Value {
    let t0 = 1_795_568_400_000_i64;
    match (method, path) {
        ("post", "/api/session") => json!({"username": "nobody", "password": "x"}),
        // A wrong current password: 400 for everyone signed in, nothing changed.
        ("post", "/api/me/password") => json!({"current": "not-the-password", "new": "another-password-1"}),
        ("post", "/api/tokens") => json!({"name": format!("设备 {n}"), "days": 30}),
        ("post", "/api/me/totp/confirm") => json!({"code": "000000"}),
        ("post", "/api/users/{id}/grant") => json!({"approve": true}),
        ("post", "/api/users") => {
            json!({"username": format!("made-{n}"), "roles": "officer", "password": "a-long-enough-password"})
        }
        ("post", "/api/officers") => json!({"name": "孙某", "cert_no": format!("1302{n:04}"),
            "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"}),
        ("post", "/api/matters") => json!({"code": format!("P-9{n:02}"), "name": "测试事项", "kind": "penalty",
            "legal_basis": "《测试法》第一条"}),
        ("put", "/api/agency") => json!({"name": "迁西县栗乡街道办事处", "uscc": "11130227MB0000000J",
            "has_enforcement_power": false, "seals": []}),
        ("post", "/api/cases/inspections") => json!({"case_no": format!("栗街检〔2026〕9{n:02}号"),
            "matter": "消防安全检查", "kind": "routine", "basis": "检查计划", "source": "inspection",
            "reason": "例行检查", "received_at": t0}),
        ("post", "/api/cases/summary-penalties") => json!({"case_no": format!("栗街简罚〔2026〕9{n:02}号"),
            "matter": "占道经营", "party_kind": "citizen", "facts": "在人行道摆摊", "legal_basis": "《条例》",
            "started_at": t0}),
        ("post", "/api/cases/penalties") => json!({"case_no": format!("栗街罚〔2026〕9{n:02}号"),
            "matter": "违法建设", "party_kind": "citizen", "source": "complaint", "reason": "群众举报",
            "received_at": t0}),
        ("post", "/api/cases/licences") => json!({"case_no": format!("栗街许〔2026〕9{n:02}号"),
            "matter": "临时占用道路审批", "received_at": t0, "materials": ["申请书"], "receipt_issued": true, "applicant": {"kind": "legal_person", "name": "迁西县某某商贸有限公司", "uscc": "91130227MA0A1B2C3A", "legal_rep": "王某", "address": "迁西县栗乡街道迁安路 12 号"}}),
        ("post", "/api/cases/coercive-measures") => json!({"case_no": format!("栗街强〔2026〕9{n:02}号"),
            "matter": "扣押占道经营物品", "kind": "seize", "items": ["三轮车"], "reason": "占道经营",
            "legal_basis": "《条例》", "property": {"related_to_case": true, "necessities_excluded": true,
            "not_sealed_elsewhere": true}}),
        // A request without the checked identity document: 400 for the allowed, nothing recorded.
        ("post", "/api/recordings/{id}/link") => json!({"case": "no-such-case", "records": []}),
        ("post", "/api/recordings/{id}/clips") => json!({"from_ms": 0, "to_ms": 1000, "reason": "举证"}),
        ("post", "/api/recordings/{id}/interruptions") => json!({"from": t0, "to": t0 + 60_000, "cause": "设备故障"}),
        // A form the test case's kind has not: refused past the policy (R-134), nothing recorded.
        ("post", "/api/cases/{id}/documents") => json!({"code": "L10", "fields": {}}),
        // A record the case has not: 400 for the allowed, nothing recorded.
        ("post", "/api/cases/{id}/av/unrecorded") => json!({"record": "act/99", "reason": "文字记录已全面记载"}),
        ("post", "/api/documents/{id}/commands") => json!({"type": "finalise"}),
        ("post", "/api/devices") => json!({"number": format!("DSJ-{n}"), "model": "DSJ-V9", "kind": "body_camera",
            "storage_place": "装备室"}),
        ("post", "/api/devices/{number}/commands") => {
            json!({"type": "check", "battery_pct": 90, "free_storage_mb": 9000, "clock_offset_ms": 0})
        }
        ("post", "/api/cases/{id}/party-access") => json!({"at": t0, "requester": "张某某", "relation": "当事人本人",
            "id_checked": "", "records": "现场检查笔录", "mode": "view"}),
        ("post", "/api/cases/{id}/party-access/{request}") => json!({"type": "decide", "at": t0, "approved": true}),
        // Setting the class it already has: allowed, nothing narrows.
        ("post", "/api/cases/{id}/classification") => json!({"class": "internal", "reason": "一般执法案件"}),
        ("post", "/api/cases/{id}/records/{kind}/{n}/classification") => {
            json!({"class": "internal", "reason": "一般执法记录"})
        }
        // A stale version: the allowed get 409, never a change.
        ("post", "/api/cases/{id}/commands") => {
            json!({"expected_version": 999, "command": {"type": "notify_result", "at": t0}})
        }
        _ => json!({}),
    }
}

fn api_routes() -> BTreeSet<(String, String)> {
    route_table().into_iter().filter(|(_, p)| p.starts_with("/api/")).collect()
}

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>, body: &Value) -> StatusCode {
    let mut b = Request::builder().method(method.to_uppercase().as_str()).uri(path);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    let req = if method == "get" {
        b.body(Body::empty()).unwrap()
    } else {
        b.header("content-type", "application/json").body(Body::from(body.to_string())).unwrap()
    };
    app.request(req).await.status
}

#[tokio::test]
async fn every_route_for_every_role_inside_and_outside_the_case() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let admin = app.login_admin().await;
    // Two officers: A does the case's on-site act, B does not.
    let mut officer_ids = Vec::new();
    for (name, cert) in [("王明", "13020001"), ("李华", "13020002")] {
        let body =
            json!({"name": name, "cert_no": cert, "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"});
        let r = app.post_as("/api/officers", &head, &body).await;
        assert_eq!(r.status, StatusCode::CREATED);
        officer_ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    // The case, opened by the 负责人 (unit 栗乡街道综合行政执法办公室), officer A on site.
    let t0 = 1_795_568_400_000_i64;
    let r = app
        .post_as(
            "/api/cases/inspections",
            &head,
            &json!({"case_no": "栗街检〔2026〕1号", "matter": "消防安全检查", "kind": "routine", "basis": "检查计划",
                    "source": "inspection", "reason": "例行检查", "received_at": t0 - 3_600_000}),
        )
        .await;
    let case_id = r.json()["id"].as_str().unwrap().to_string();
    let act = json!({"type": "record_on_site", "act": {"at": t0, "place": "某小区", "recording_announced": true,
        "problems_found": false, "summary": "未发现问题",
        "officers": [{"officer_id": officer_ids[0], "id_shown_at": t0}, {"officer_id": officer_ids[1], "id_shown_at": t0}]}});
    let r = app
        .post_as(&format!("/api/cases/{case_id}/commands"), &head, &json!({"expected_version": 1, "command": act}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    // Officer B took part too; the "outside" officer is a third one, never on the case.
    let body =
        json!({"name": "陈静", "cert_no": "13020004", "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"});
    let r = app.post_as("/api/officers", &head, &body).await;
    let outsider = r.json()["id"].as_str().unwrap().to_string();
    // One account per principal, made by the 系统管理员.
    let mut tokens = Vec::new();
    for w in &WHO {
        let unit =
            if w.in_unit { "栗乡街道综合行政执法办公室" } else { "栗乡街道党政综合办公室" };
        let officer = match (w.roles, w.in_case) {
            ("officer", true) => officer_ids[0].clone(),
            ("officer", false) => outsider.clone(),
            _ => String::new(),
        };
        let username = w.name.replace('_', "-");
        let r = app
            .post_as(
                "/api/users",
                &admin,
                &json!({"username": username, "roles": w.roles, "password": "matrix-password-1",
                        "officer_id": officer, "unit": unit}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        let token = app.login_as(&username, "matrix-password-1").await;
        app.change_password(&token, "matrix-password-1", "matrix-password-2").await;
        tokens.push(token);
    }
    app.approve_all_grants().await;

    let routes = api_routes();
    assert!(routes.len() >= 17, "{routes:?}");
    let mut n = 0;
    let mut failures = Vec::new();
    for (method, path) in &routes {
        let concrete = path
            .replace("{id}", &case_id)
            .replace("{request}", "no-such-request")
            .replace("{which}", "no-such-list")
            .replace("{kind}", "act")
            .replace("{n}", "0")
            .replace("{number}", "no-such-device");
        // Without a session.
        let Some(public) = expect(method, path, &WHO[0]).map(|e| e == Public) else {
            failures.push(format!("{method} {path}: no rule in the matrix"));
            continue;
        };
        n += 1;
        let status = call(&app, method, &concrete, None, &request_body(method, path, n)).await;
        if !public && status != StatusCode::UNAUTHORIZED {
            failures.push(format!("{method} {path} without a session: {status}"));
        }
        for (w, token) in WHO.iter().zip(&tokens) {
            n += 1;
            let want = expect(method, path, w).unwrap();
            // Signing out ends the token it is sent with: each role signs out a session of its own.
            let own;
            let token = if (method.as_str(), path.as_str()) == ("delete", "/api/session") {
                own = app.login_as(&w.name.replace('_', "-"), "matrix-password-2").await;
                &own
            } else {
                token
            };
            let status = call(&app, method, &concrete, Some(token), &request_body(method, path, n)).await;
            let got = match status {
                StatusCode::FORBIDDEN => Forbidden,
                StatusCode::NOT_FOUND => Hidden,
                StatusCode::UNAUTHORIZED => Public,
                _ => Allowed,
            };
            let ok = match want {
                // Public routes answer on their own terms (a bad password is 401), never 403/404.
                Public => !matches!(got, Forbidden | Hidden),
                other => got == other,
            };
            if !ok {
                failures.push(format!("{method} {path} as {}: want {want:?}, got {status}", w.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Policy before parsing: whoever is refused a route (401 without a session, 404 for a case
    // they may not see, 403 for a step not theirs) is refused the same whatever the body — a
    // body of the wrong shape or one that is not JSON at all tells them nothing more.
    let malformed = [r#"{"zz": 1}"#, r#"{"expected_version": "#, "\u{0}\u{1}not json"];
    for (method, path) in routes.iter().filter(|(m, _)| m != "get" && m != "delete") {
        let concrete = path
            .replace("{id}", &case_id)
            .replace("{request}", "no-such-request")
            .replace("{which}", "no-such-list")
            .replace("{kind}", "act")
            .replace("{n}", "0")
            .replace("{number}", "no-such-device");
        let public = expect(method, path, &WHO[0]) == Some(Public);
        let refused = WHO
            .iter()
            .zip(&tokens)
            .filter_map(|(w, t)| match expect(method, path, w) {
                Some(Hidden) => Some((w.name, Some(t.as_str()), StatusCode::NOT_FOUND)),
                Some(Forbidden) => Some((w.name, Some(t.as_str()), StatusCode::FORBIDDEN)),
                _ => None,
            })
            .chain((!public).then_some(("no session", None, StatusCode::UNAUTHORIZED)));
        for (who, token, want) in refused.collect::<Vec<_>>() {
            for body in malformed {
                let mut b = Request::builder().method(method.to_uppercase().as_str()).uri(&concrete);
                if let Some(t) = token {
                    b = b.header("authorization", format!("Bearer {t}"));
                }
                let req = b.header("content-type", "application/json").body(Body::from(body)).unwrap();
                let status = app.request(req).await.status;
                // Which step is one's own depends on what the body asks (the command, the form):
                // one who sees the case and acts on it in some step learns nothing hidden from a
                // 400 for a body that asks nothing.
                let body_decided = matches!(path.as_str(), "/api/cases/{id}/commands" | "/api/cases/{id}/documents");
                let ok = status == want
                    || (body_decided && want == StatusCode::FORBIDDEN && status == StatusCode::BAD_REQUEST);
                if !ok {
                    failures.push(format!("{method} {path} as {who} with body {body:?}: want {want}, got {status}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The case list shows exactly the cases each one may see.
    for (w, token) in WHO.iter().zip(&tokens) {
        let list = app.get("/api/cases", Some(token)).await.json()["cases"].clone();
        let listed = list.as_array().unwrap().iter().any(|c| c["id"] == case_id.as_str());
        assert_eq!(listed, sees(w), "{} in the case list", w.name);
    }
}
