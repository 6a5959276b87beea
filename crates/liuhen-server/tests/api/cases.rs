//! Inspection cases through the API: walked to closure both ways, refused by rule with the
//! article named, guarded against lost updates, and recorded in the log without personal data.

use crate::helpers::*;
use axum::http::StatusCode;
use liuhen_server::LogAccess;
use liuhen_store::{Log as _, ProjectionReads as _};
use serde_json::{Value, json};

/// 2026-11-25 09:00 Asia/Shanghai.
pub(crate) const T0: i64 = 1_795_568_400_000;
pub(crate) const HOUR: i64 = 3_600_000;

/// Posts `body` to `path`, expects 201 and returns the new id.
async fn create(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let r = app.post_as(path, token, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", String::from_utf8_lossy(&r.body));
    r.json()["id"].as_str().unwrap().to_string()
}

async fn officer(app: &TestApp, token: &str, name: &str, cert: &str, to: &str) -> String {
    let body = json!({"name": name, "cert_no": cert, "cert_valid_from": "2024-01-01", "cert_valid_to": to});
    create(app, token, "/api/officers", body).await
}

pub(crate) async fn open(app: &TestApp, token: &str, case_no: &str, reason: &str) -> super::helpers::Resp {
    app.post_as(
        "/api/cases/inspections",
        token,
        &json!({
            "case_no": case_no, "matter": "食品经营监督检查", "kind": "triggered",
            "basis": "12345 热线转办：某超市销售过期食品", "source": "complaint", "reason": reason,
            "received_at": T0 - 24 * HOUR,
        }),
    )
    .await
}

pub(crate) fn act(officers: &[&str], announced: bool, problems: bool) -> Value {
    json!({
        "at": T0, "place": "栗乡街道幸福路 8 号某某超市", "recording_announced": announced, "problems_found": problems,
        "summary": "当事人张某某在场，货架上有过期酸奶三盒",
        "officers": officers.iter().map(|id| json!({"officer_id": id, "id_shown_at": T0})).collect::<Vec<_>>(),
    })
}

/// Runs `cmd` on case `id` at `version`. Under `describe_strictly`, the command is first built
/// from the schema the OpenAPI document names for the case's type (one it cannot build is sent
/// as it is, and must then be refused with 400).
pub(crate) async fn command(app: &TestApp, token: &str, id: &str, version: u64, cmd: Value) -> super::helpers::Resp {
    // Read from the store: a view through the API would itself be a ledgered entry.
    let before = app.store.case(id).await.ok();
    let cmd = app.signed_step(token, cmd).await;
    let cmd = match (app.described.get(), &before) {
        (Some(d), Some(r)) => d.command(&r.case_type, cmd["type"].as_str().unwrap_or_default(), &cmd).unwrap_or(cmd),
        _ => cmd,
    };
    let kind = cmd["type"].as_str().unwrap_or_default().to_string();
    let r = app
        .post_as(&format!("/api/cases/{id}/commands"), token, &json!({"expected_version": version, "command": cmd}))
        .await;
    // What succeeds from a state is among what that state admits (app::next), and an order
    // refusal says what the case may take next.
    if let Some(b) = before.filter(|b| b.version == version) {
        let admitted = liuhen_server::app::next::commands(&b.case_type, &b.state);
        if r.status == StatusCode::OK {
            assert!(
                admitted.contains(&kind.as_str()),
                "{kind} succeeded from {} {} which does not list it",
                b.case_type,
                b.state
            );
        }
        if r.json()["error"]["code"] == "INVALID_STATE" {
            let message = r.json()["error"]["message"].as_str().unwrap_or_default().to_string();
            let said =
                message.contains("当前可办理") || message.contains("已无可办理") || message.contains("当前情形不适用");
            assert!(said, "{message}");
        }
    }
    r
}

pub(crate) struct Ctx {
    pub(crate) app: TestApp,
    pub(crate) token: String,
    pub(crate) a: String,
    pub(crate) b: String,
    pub(crate) expired: String,
    /// An officer who took no part in the investigations: the hearings' host.
    host: String,
    /// The accounts that take approval steps, each its own (办法第十五条).
    pub(crate) staff: Staff,
}

pub(crate) async fn ctx() -> Ctx {
    ctx_with(liuhen_core::calendar::WorkCalendar::china()).await
}

async fn ctx_with(calendar: liuhen_core::calendar::WorkCalendar) -> Ctx {
    // Every request these tests send is held to the published description (as every API test's).
    let app = spawn_app_with_calendar(LogAccess::Public, calendar).await;
    let token = app.login().await;
    let a = officer(&app, &token, "王明", "13020001", "2028-12-31").await;
    let b = officer(&app, &token, "李华", "13020002", "2028-12-31").await;
    let expired = officer(&app, &token, "赵强", "13020003", "2026-06-30").await;
    let host = officer(&app, &token, "孙某", "13020005", "2028-12-31").await;
    let lawyer = create(
        &app,
        &token,
        "/api/officers",
        json!({"name": "刘法制", "cert_no": "13020009", "cert_valid_from": "2024-01-01",
                    "cert_valid_to": "2028-12-31", "legal_qualification": true}),
    )
    .await;
    // The 法制审核人员's officer holds the 法律职业资格 (R-005).
    let staff = app.staff(&a, &lawyer).await;
    Ctx { app, token, a, b, expired, host, staff }
}

#[tokio::test]
async fn an_inspection_without_findings_walks_to_closure() {
    let c = ctx().await;
    let r = open(&c.app, &c.token, "栗街检〔2026〕1号", "群众投诉").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_string();
    let steps = [
        json!(on_site(act(&[&c.a, &c.b], true, false))),
        json!({"type": "notify_result", "at": T0 + HOUR}),
        json!({"type": "close", "at": T0 + 2 * HOUR}),
    ];
    for (i, s) in steps.into_iter().enumerate() {
        let r = command(&c.app, &c.token, &id, i as u64 + 1, s).await;
        assert_eq!(r.status, StatusCode::OK, "step {i}: {}", String::from_utf8_lossy(&r.body));
    }
    let r = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await;
    let v = r.json();
    assert_eq!(v["state"], "closed");
    assert_eq!(v["data"]["state_label"], "已结案");
    let actions: Vec<&str> = v["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["case.opened", "case.on_site_recorded", "case.result_notified", "case.closed"]);
    // The log carries no place, no finding and no name of the inspected: only commitments.
    for e in c.app.store.case_entries(&id).await.unwrap() {
        let text = String::from_utf8(e.1).unwrap();
        for secret in ["幸福路", "张某某", "过期酸奶", "12345 热线转办"] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
}

/// `record_on_site` of `act`: the act nests under its name, as in every command.
pub(crate) fn on_site(act: Value) -> Value {
    json!({"type": "record_on_site", "act": act})
}

#[tokio::test]
async fn an_inspection_with_findings_needs_rectification_and_reinspection() {
    let c = ctx().await;
    let id = open(&c.app, &c.token, "栗街检〔2026〕2号", "群众投诉").await.json()["id"].as_str().unwrap().to_string();
    let r = command(&c.app, &c.token, &id, 1, on_site(act(&[&c.a, &c.b], true, true))).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = command(&c.app, &c.token, &id, 2, json!({"type": "notify_result", "at": T0 + HOUR})).await;
    assert_eq!(r.status, StatusCode::OK);
    // Closing now is refused: a problem was found (R-120e).
    let r = command(&c.app, &c.token, &id, 3, json!({"type": "close", "at": T0 + 2 * HOUR})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-120e");
    // The 责令改正通知书 must be served (R-080); here it is handed over and signed for.
    let order = json!({"type": "order_rectification", "at": T0 + HOUR, "due": "2026-12-04"});
    let r = command(&c.app, &c.token, &id, 3, order.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-080", "{}", String::from_utf8_lossy(&r.body));
    let mut served = order;
    served["service"] = json!({"document": "责令改正通知书（栗街责改〔2026〕1号）", "recipient": "张某某", "at": T0 + HOUR,
                               "place": "栗乡街道幸福路 8 号某某超市", "servers": [&c.a, &c.b], "recipient_signed": true,
                               "method": {"type": "direct", "receiver": "张某某"}});
    let steps = [
        served,
        json!({"type": "reinspect", "act": act(&[&c.a, &c.b], true, false), "rectified": true}),
        json!({"type": "close", "at": T0 + 400 * HOUR}),
    ];
    for (i, s) in steps.into_iter().enumerate() {
        let r = command(&c.app, &c.token, &id, i as u64 + 3, s).await;
        assert_eq!(r.status, StatusCode::OK, "step {i}: {}", String::from_utf8_lossy(&r.body));
    }
    assert_eq!(c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json()["state"], "closed");
}

#[tokio::test]
async fn rules_refuse_with_rule_and_article_and_record_nothing() {
    let c = ctx().await;
    // R-010: no reason for starting.
    let before = c.app.store.tree_size();
    let r = open(&c.app, &c.token, "栗街检〔2026〕3号", "  ").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = r.json();
    assert_eq!(v["error"]["code"], "RULE_VIOLATION");
    assert_eq!(v["error"]["violations"][0]["rule"], "R-010");
    assert_eq!(v["error"]["violations"][0]["field"], "reason");
    assert!(v["error"]["message"].as_str().unwrap().starts_with("R-010 办法第七条第（一）项"));
    assert_eq!(c.app.store.tree_size(), before, "a refused command records nothing");

    let id = open(&c.app, &c.token, "栗街检〔2026〕4号", "群众投诉").await.json()["id"].as_str().unwrap().to_string();
    // R-001: one officer. R-002: a certificate expired at the time. R-003: no credentials shown.
    let r = command(&c.app, &c.token, &id, 1, on_site(act(&[&c.a], true, false))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["message"].as_str().unwrap().split('（').next().unwrap(),
        "R-001 办法第六条：行政检查的执法人员不得少于两人"
    );
    let r = command(&c.app, &c.token, &id, 1, on_site(act(&[&c.a, &c.expired], true, false))).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-002");
    // R-002: a certificate that does not cover 行政检查.
    let licensing_only = create(
        &c.app,
        &c.token,
        "/api/officers",
        json!({"name": "孙许可", "cert_no": "13020010", "cert_valid_from": "2024-01-01",
                    "cert_valid_to": "2028-12-31", "cert_scope": ["licence"]}),
    )
    .await;
    let r = command(&c.app, &c.token, &id, 1, on_site(act(&[&c.a, &licensing_only], true, false))).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-002", "{}", String::from_utf8_lossy(&r.body));
    let mut no_id = act(&[&c.a, &c.b], true, false);
    no_id["officers"][1]["id_shown_at"] = Value::Null;
    let r = command(&c.app, &c.token, &id, 1, on_site(no_id)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-003");
    // R-120d: closing before the result was told.
    let r = command(&c.app, &c.token, &id, 1, json!({"type": "close", "at": T0})).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-120d");
    // A FLAG (R-142, recording not announced) is accepted and kept as a defect.
    let r = command(&c.app, &c.token, &id, 1, on_site(act(&[&c.a, &c.b], false, false))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["data"]["defects"][0]["rule"], "R-142");
}

#[tokio::test]
async fn stale_replayed_and_out_of_order_commands_are_refused() {
    let c = ctx().await;
    let id = open(&c.app, &c.token, "栗街检〔2026〕5号", "群众投诉").await.json()["id"].as_str().unwrap().to_string();
    let cmd = on_site(act(&[&c.a, &c.b], true, false));
    // Two writers on version 1: one wins, the other gets 409 and nothing is applied twice.
    let (r1, r2) =
        tokio::join!(command(&c.app, &c.token, &id, 1, cmd.clone()), command(&c.app, &c.token, &id, 1, cmd.clone()));
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let v = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(v["version"], 2);
    assert_eq!(v["data"]["acts"].as_array().unwrap().len(), 1);
    // A replay of the same command is stale.
    assert_eq!(command(&c.app, &c.token, &id, 1, cmd).await.status, StatusCode::CONFLICT);
    // Out of order: rectification before the result was told.
    let r =
        command(&c.app, &c.token, &id, 2, json!({"type": "order_rectification", "at": T0, "due": "2026-12-01"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"]["code"], "INVALID_STATE");
    // Said with the state and what the case may take next, which the case view lists too.
    assert_eq!(
        r.json()["error"]["message"],
        "当前状态“已现场检查”下不能责令改正；当前可办理：record_on_site、notify_result、close"
    );
    assert_eq!(v["next_commands"], json!(["record_on_site", "notify_result", "close"]));
    // A duplicate case number is a conflict; bad input is a 400 with a Chinese message.
    assert_eq!(open(&c.app, &c.token, "栗街检〔2026〕5号", "x").await.status, StatusCode::CONFLICT);
    let r = c.app.post_as("/api/cases/inspections", &c.token, &json!({"case_no": "x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r =
        command(&c.app, &c.token, &id, 2, json!({"type": "order_rectification", "at": T0, "due": "2026-13-01"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("整改期限"));
    // Unknown cases are 404, and everything needs a session.
    assert_eq!(c.app.get("/api/cases/nope", Some(&c.token)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.app.get(&format!("/api/cases/{id}"), None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_demo_office_has_cases_at_every_stage_and_overdue_deadlines_first() {
    let app = spawn_app(LogAccess::Public).await;
    // The demo is seeded around today, and its deadlines stand as of today.
    app.clock.set(liuhen_server::app::now_ms());
    let token = app.login().await;
    assert!(app.seed_demo().await);
    assert!(!app.seed_demo().await, "seeding twice does nothing");
    // Every filed penalty rests on a 立案审批表, every decision on a 案件处理审批表, each step
    // approved by its own demo account, as is the 先行登记保存证据审批表 the preserved materials rest
    // on; the unpaid fine's 决定书 is issued; one 立案审批表 waits for the 承办机构负责人.
    let mut docs: Vec<Value> = Vec::new();
    for c in app.store.cases(1_000).await.unwrap() {
        let q = liuhen_store::DocumentQuery { case_id: c.id.clone(), limit: 100, ..Default::default() };
        for d in liuhen_store::ProjectionReads::document_page(&app.store, &q).await.unwrap() {
            docs.push(serde_json::from_str(&d.data).unwrap());
        }
    }
    // … and each major decision on a 集体讨论记录 its three members signed.
    assert_eq!(docs.len(), 10);
    let users = app.store.users().await.unwrap();
    let person = |name: &str| format!("user:{}", users.iter().find(|u| u.username == name).unwrap().id);
    let mut waiting = 0;
    for d in &docs {
        let approvals: Vec<&Value> = d["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"]["type"] == "approved")
            .map(|e| &e["event"])
            .collect();
        let by: Vec<(&str, String)> = approvals
            .iter()
            .map(|a| (a["step"].as_str().unwrap(), a["person"].as_str().unwrap().to_string()))
            .collect();
        match by.len() {
            0 => {}
            1 => waiting += 1,
            _ => assert_eq!(
                by,
                [("handler", person("wangming")), ("reviewer", person("lihua")), ("approver", person("zhangzhuren"))]
            ),
        }
    }
    assert_eq!(waiting, 1);
    // The unpaid fine's and the demolition's decisions are published (行政执法公示), their
    // parties by surname only.
    let public = app.get("/public/decisions.json", None).await.json()["decisions"].clone();
    let mut parties: Vec<&str> =
        public.as_array().unwrap().iter().map(|d| d["party"]["name"].as_str().unwrap()).collect();
    parties.sort_unstable();
    assert_eq!(parties, ["刘某某", "周某某"], "{public}");
    let times: Vec<i64> = public.as_array().unwrap().iter().map(|d| d["published_at"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "the latest published first: {times:?}");
    let first = app.get("/public/decisions.json?limit=1", None).await.json();
    assert_eq!(first["decisions"][0], public[0]);
    let cursor = first["next_cursor"].as_str().expect("a second page").to_string();
    let second = app.get(&format!("/public/decisions.json?limit=1&cursor={cursor}"), None).await.json();
    assert_eq!(second["decisions"][0], public[1]);
    assert!(second["next_cursor"].is_null(), "{second}");
    let cases = app.get("/api/cases", Some(&token)).await.json()["cases"].clone();
    // The public cursor names no case: a time and a count, nothing an outsider could look up.
    use base64::Engine as _;
    let said = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&cursor).unwrap()).unwrap();
    for c in cases.as_array().unwrap() {
        assert!(!said.contains(c["id"].as_str().unwrap()), "the public cursor {said} names a case");
    }
    let mut states: Vec<&str> = cases.as_array().unwrap().iter().map(|c| c["state"].as_str().unwrap()).collect();
    states.sort();
    assert_eq!(
        states,
        [
            "accepted",
            "active",
            "closed",
            "closed",
            "closed",
            "demanded",
            "investigating",
            "lead",
            "on_site",
            "planned",
            "recorded",
            "rectification_ordered",
            "rectification_ordered",
            "substitute_decided"
        ]
    );
    // The list's rows are summaries; the cases' own data, as the projection holds it.
    let data: Vec<Value> =
        app.store.cases(1_000).await.unwrap().iter().map(|c| serde_json::from_str(&c.data).unwrap()).collect();
    assert!(data.iter().any(|c| c["defects"][0]["rule"] == "R-142"));
    assert!(cases.as_array().unwrap().iter().any(|c| c["defects"].as_u64().unwrap() > 0));
    // Its dates are in their legal order: no filing, decision or closing before its approval,
    // no approval steps out of order (R-064).
    for c in &data {
        let defects = c["defects"].as_array().unwrap();
        assert!(!defects.iter().any(|d| d["rule"] == "R-064"), "{}: {defects:?}", c["case_no"]);
    }
    // The office profile and its 权责清单 come with it.
    assert_eq!(app.get("/api/agency", Some(&token)).await.json()["name"], "迁西县栗乡街道办事处");
    let matters = app.get("/api/matters", Some(&token)).await.json();
    assert!(matters.as_array().unwrap().iter().any(|m| m["name"] == "违法建设" && m["major_decision_review"] == true));
    let dl = app.get("/api/deadlines?limit=500", Some(&token)).await.json()["deadlines"].clone();
    let statuses: Vec<&str> = dl.as_array().unwrap().iter().map(|d| d["status"].as_str().unwrap()).collect();
    // Overdue first, then due soon, then pending (which items are due soon depends on the hour).
    let rank = |s: &str| ["overdue", "unknown", "due_soon", "pending"].iter().position(|x| *x == s).unwrap();
    assert!(statuses.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{statuses:?}");
    let overdue: Vec<&str> = dl
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "overdue")
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for code in ["I-rectify", "T-11", "T-24"] {
        assert!(overdue.contains(&code), "{code} should be overdue: {overdue:?}");
    }
    assert!(statuses.contains(&"due_soon"), "{statuses:?}");
    // The unpaid fine in 强制执行 has its court window ahead.
    assert!(dl.as_array().unwrap().iter().any(|d| d["code"] == "T-17" && d["status"] != "met"));
    assert!(dl.as_array().unwrap().iter().any(|d| d["code"] == "T-11" && d["source"] == "行政处罚法第六十七条"));
    assert_eq!(dl[0]["status_label"], "已逾期");
    // The demo's history reaches back into last year: its figures are due by 31 January (R-171),
    // though the log itself began this year.
    let last_year = liuhen_core::time::Timestamp(liuhen_server::app::now_ms()).shanghai_date().year() - 1;
    let figures = app.get(&format!("/api/statistics/annual?year={last_year}"), Some(&token)).await.json();
    if figures["figures"]["penalties"]["total"].as_u64().unwrap_or(0) > 0 {
        assert!(dl.as_array().unwrap().iter().any(|d| d["code"] == "T-STAT"), "{figures}");
    }
}

fn summary_start(c: &Ctx, case_no: &str, party_kind: &str) -> Value {
    json!({"case_no": case_no, "matter": "占道经营", "party_kind": party_kind, "facts": "在迁安路人行道摆摊经营",
           "act": act(&[&c.a, &c.b], true, true),
           "party": if party_kind == "citizen" { citizen() } else { company() }})
}

/// 张某某 (a fictional 居民身份证 number with a valid check digit).
fn citizen() -> Value {
    json!({"kind": "natural_person", "name": "张某某", "id_type": "居民身份证", "id_number": "130227198005120033",
           "address": "迁西县栗乡街道幸福路 8 号", "phone": "13800000000"})
}

/// A company (a fictional 统一社会信用代码 with a valid check character).
fn company() -> Value {
    json!({"kind": "legal_person", "name": "迁西县某某商贸有限公司", "uscc": "91130227MA0A1B2C3A", "legal_rep": "王某",
           "address": "迁西县栗乡街道迁安路 12 号"})
}

#[tokio::test]
async fn an_on_the_spot_penalty_walks_to_closure_and_its_rules_refuse() {
    let c = ctx().await;
    let r = c
        .app
        .post_as("/api/cases/summary-penalties", &c.token, &summary_start(&c, "栗街简罚〔2026〕1号", "citizen"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_string();
    let officers = json!([c.a, c.b]);
    let ok = |r: &super::helpers::Resp| assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    ok(&command(
        &c.app,
        &c.token,
        &id,
        1,
        json!({"type": "hear", "at": T0, "rights_told": true, "statement": "当事人无异议"}),
    )
    .await);
    // 250 yuan is over the citizen's summary limit (R-067a, 行政处罚法第五十一条).
    let fine = |fen: u64| {
        json!({"type": "issue_decision", "at": T0, "doc": {"form_no": "No.0001234", "legal_basis": "《某条例》第十条",
        "penalty": {"kind": "fine", "amount_fen": fen}, "signed_by": officers}})
    };
    let r = command(&c.app, &c.staff.handler, &id, 2, fine(25_000)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-067a");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("行政处罚法第五十一条"));
    // Issued by the account of an officer on the spot, who is recorded as its first signer; the
    // 负责人's account, no officer on the spot, does not issue it (行政处罚法第五十二条).
    let r = command(&c.app, &c.token, &id, 2, fine(15_000)).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    let mut only_b = fine(15_000);
    only_b["doc"]["signed_by"] = json!([c.b]);
    ok(&command(&c.app, &c.staff.handler, &id, 2, only_b).await);
    let recorded = details(&c.app, &id).await;
    let issued = recorded.iter().find(|d| d["event"] == "decision_issued").unwrap();
    assert_eq!(issued["signed_by"], json!([c.a, c.b]), "the sender's officer first: {issued}");
    // The case view shows the form's number and who signed it, by name.
    let view = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    let shown = view["timeline"].to_string();
    for s in ["No.0001234", "王明", "李华"] {
        assert!(shown.contains(s), "{s} not in the case view: {shown}");
    }
    // A 当场处罚决定 is a penalty decision: published within seven working days (R-170), the
    // party by surname, with the form's number and basis.
    let t_pub = |l: &Value| l.as_array().unwrap().iter().any(|d| d["code"] == "T-PUB" && d["case_id"] == id.as_str());
    assert!(
        t_pub(&c.app.get("/api/deadlines?limit=500", Some(&c.token)).await.json()["deadlines"].clone()),
        "a deadline until published"
    );
    let preview = c.app.get(&format!("/api/cases/{id}/publication"), Some(&c.token)).await.json();
    assert_eq!(preview["preview"]["doc_no"], "No.0001234", "{preview}");
    assert_eq!(preview["preview"]["legal_basis"], "《某条例》第十条", "{preview}");
    let r = c.app.post_as(&format!("/api/cases/{id}/publication"), &c.token, &json!({"action": "publish"})).await;
    ok(&r);
    assert!(
        !t_pub(&c.app.get("/api/deadlines?limit=500", Some(&c.token)).await.json()["deadlines"].clone()),
        "published"
    );
    // A refusal to sign noted by one officer only (R-021, 办法第十四条).
    let r = command(
        &c.app,
        &c.token,
        &id,
        3,
        json!({"type": "deliver", "at": T0, "party_signed": false, "refusal_signed_by": [c.a]}),
    )
    .await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-021");
    // A name that is no officer's ID is named as such, not as a rule.
    let r = command(
        &c.app,
        &c.token,
        &id,
        3,
        json!({"type": "deliver", "at": T0, "party_signed": false, "refusal_signed_by": [c.a, "李华"]}),
    )
    .await;
    assert_eq!(r.json()["error"]["code"], "UNKNOWN_REFERENCE", "{}", String::from_utf8_lossy(&r.body));
    ok(&command(
        &c.app,
        &c.token,
        &id,
        3,
        json!({"type": "deliver", "at": T0, "party_signed": false, "refusal_signed_by": [c.a, c.b]}),
    )
    .await);
    // Closing before 备案 (R-067c) and before payment (R-090) is refused.
    let r = command(&c.app, &c.token, &id, 4, json!({"type": "close", "at": T0})).await;
    let v = r.json();
    let rules: Vec<&str> =
        v["error"]["violations"].as_array().unwrap().iter().map(|v| v["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["R-067c", "R-090"]);
    ok(&command(&c.app, &c.token, &id, 4, json!({"type": "record", "at": T0 + HOUR})).await);
    // 150 yuan may not be collected on the spot (R-092).
    let r = command(
        &c.app,
        &c.token,
        &id,
        5,
        json!({"type": "pay", "at": T0 + HOUR, "method": "on_site", "receipt_no": "R-1"}),
    )
    .await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-092");
    let r = command(
        &c.app,
        &c.token,
        &id,
        5,
        json!({"type": "pay", "at": T0 + 2 * HOUR, "method": "bank", "receipt_no": "BANK-20261120-01"}),
    )
    .await;
    ok(&r);
    let v = r.json();
    assert_eq!(v["state"], "performed");
    assert_eq!(v["data"]["deadlines"][0]["code"], "T-11");
    ok(&command(&c.app, &c.token, &id, 6, json!({"type": "close", "at": T0 + 3 * HOUR})).await);
    let v = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(v["data"]["state_label"], "已结案");
    assert_eq!(v["timeline"].as_array().unwrap().len(), 7);
    // An inspection's commands do not apply to it.
    let r = command(&c.app, &c.token, &id, 7, json!({"type": "notify_result", "at": T0})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // The log computes the same projections as stored, for both kinds of case.
    let app = liuhen_server::app::App::new(c.app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = app.projections_from_log().await.unwrap();
    assert_eq!(
        app.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(from_log.cases.len(), 1);
}

#[tokio::test]
async fn organisations_have_a_higher_summary_limit() {
    let c = ctx().await;
    let id = c
        .app
        .post_as("/api/cases/summary-penalties", &c.token, &summary_start(&c, "栗街简罚〔2026〕2号", "organisation"))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r =
        command(&c.app, &c.token, &id, 1, json!({"type": "hear", "at": T0, "rights_told": true, "waived": true})).await;
    assert_eq!(r.status, StatusCode::OK);
    let decision = |fen: u64| {
        json!({"type": "issue_decision", "at": T0, "doc": {"form_no": "No.1", "legal_basis": "依据",
        "penalty": {"kind": "fine", "amount_fen": fen}, "signed_by": [c.a]}})
    };
    let handler = &c.staff.handler;
    assert_eq!(command(&c.app, handler, &id, 2, decision(300_001)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(command(&c.app, handler, &id, 2, decision(300_000)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_case_can_be_seen_as_it_stood_at_any_past_moment() {
    let c = ctx().await;
    let id = open(&c.app, &c.token, "栗街检〔2026〕9号", "群众投诉").await.json()["id"].as_str().unwrap().to_string();
    let steps = [
        on_site(act(&[&c.a, &c.b], true, false)),
        json!({"type": "notify_result", "at": T0 + HOUR}),
        json!({"type": "close", "at": T0 + 2 * HOUR}),
    ];
    for (i, s) in steps.into_iter().enumerate() {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        assert_eq!(command(&c.app, &c.token, &id, i as u64 + 1, s).await.status, StatusCode::OK);
    }
    let now = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    let times: Vec<i64> = now["timeline"].as_array().unwrap().iter().map(|e| e["time"].as_i64().unwrap()).collect();
    assert_eq!(times.len(), 4);
    let then = c.app.get(&format!("/api/cases/{id}?as_of={}", times[1]), Some(&c.token)).await.json();
    assert_eq!(then["state"], "on_site");
    assert_eq!(then["version"], 2);
    assert_eq!(then["data"]["state_label"], "已现场检查");
    assert_eq!(then["timeline"].as_array().unwrap().len(), 2);
    // Before it was opened, the case did not exist.
    let r = c.app.get(&format!("/api/cases/{id}?as_of={}", times[0] - 1), Some(&c.token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c.app.get(&format!("/api/cases/{id}?as_of=yesterday"), Some(&c.token)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "BAD_REQUEST");
}

/// 08:00 Asia/Shanghai on a date, in ms.
/// `liuhen rebuild` in miniature: the projections computed from the log alone (with `calendar`,
/// the one the server ran with) equal the stored ones.
async fn log_reproduces(
    c: &Ctx,
    calendar: liuhen_core::calendar::WorkCalendar,
) -> liuhen_server::app::rebuild::Projections {
    let mut app = liuhen_server::app::App::new(c.app.store.clone(), liuhen_store::Blobs::in_memory());
    app.calendar = std::sync::Arc::new(calendar);
    let from_log = app.projections_from_log().await.unwrap();
    assert_eq!(
        app.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
    from_log
}

/// Runs `steps` on the case, each expected to succeed, counting its version on.
pub(crate) async fn run(c: &Ctx, id: &str, v: &mut u64, steps: impl IntoIterator<Item = Value>) {
    for s in steps {
        let r = command(&c.app, &c.token, id, *v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        *v += 1;
    }
}

/// From the notice: the statement waived in writing, a fine of 5,000 yuan decided on
/// 2026-08-17 and served in person on 2026-08-18.
pub(crate) fn decided_and_served(c: &Ctx) -> [Value; 3] {
    [
        json!({"type": "waive", "at": day("2026-08-14"), "signed_statement": true}),
        decide("2026-08-17"),
        serve(c, "2026-08-18", json!({"type": "direct", "receiver": "张某某"})),
    ]
}

pub(crate) fn day(s: &str) -> i64 {
    liuhen_core::time::Date::parse(s).unwrap().start().plus_hours(8).0
}

/// The approval forms a penalty case's commands rest on, each approved by its own accounts:
/// the 立案审批表, 案件处理审批表 and 结案审批表, and the 集体讨论记录 its members signed.
async fn approve_forms(c: &Ctx, id: &str) {
    // Approved on the day of filing, before the decision and the closing that rest on them
    // (R-064); the server's clock then runs on from where the tests stand.
    c.app.clock.set(day("2026-08-07"));
    for code in ["D02", "D30", "D50"] {
        c.app.approved_form(&c.staff, id, code).await;
    }
    c.app.discussion_record(&c.staff, id).await;
    c.app.clock.set(CLOCK_MS);
}

fn fine(yuan: u64) -> Value {
    json!({"kind": "fine", "amount_fen": yuan * 100})
}

/// Registers and takes an ordinary case to its prior notice; returns (id, version).
pub(crate) async fn ordinary_to_notice(c: &Ctx, case_no: &str, major: bool) -> (String, u64) {
    ordinary_to_notice_of(c, case_no, major, fine(5000)).await
}

/// As `ordinary_to_notice`, with the penalty the notice tells of.
async fn ordinary_to_notice_of(c: &Ctx, case_no: &str, major: bool, penalty: Value) -> (String, u64) {
    let body = json!({"case_no": case_no, "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
                      "reason": "群众举报院内违法搭建", "received_at": day("2026-08-06"), "major": major});
    // The 承办人 registers the lead; the approval forms follow, each step by its own account.
    let id = create(&c.app, &c.staff.handler, "/api/cases/penalties", body).await;
    approve_forms(c, &id).await;
    let mut v = 1;
    // Investigating before filing is refused (R-011).
    let mut act_aug = act(&[&c.a, &c.b], true, true);
    act_aug["at"] = json!(day("2026-08-10"));
    act_aug["officers"][0]["id_shown_at"] = json!(day("2026-08-10"));
    act_aug["officers"][1]["id_shown_at"] = json!(day("2026-08-10"));
    let r = command(&c.app, &c.token, &id, v, json!({"type": "investigate", "act": act_aug})).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-011");
    let inquiry = |inquirers: &[&str]| {
        json!({"type": "record_evidence", "item": {
            "type": "inquiry", "label": "询问笔录（张某某）", "at": day("2026-08-10"), "ended_at": day("2026-08-10") + HOUR,
            "place": "栗乡街道办事处询问室", "inquirers": inquirers, "recorder": &c.b, "interviewee": "张某某",
            "relation": "当事人", "rights_told": true,
            "questions_and_answers": "问：联系电话？答：13912345678。问：彩钢房是谁搭建的？答：是我。",
            "confirmed": true, "signed_every_page": true}})
    };
    let copy = |lawful: bool| {
        json!({"type": "record_evidence", "item": {
            "type": "collected", "label": if lawful { "不动产登记查询结果" } else { "偷拍的院内照片" },
            "at": day("2026-08-11"), "kind": "documentary", "source": "县不动产登记中心", "original": false,
            "copy_verified": true, "lawfully_obtained": lawful}})
    };
    // The party is identified during the investigation; a 居民身份证 number with a wrong check
    // digit is refused (R-016).
    let party = |id_number: &str| {
        json!({"type": "identify_party", "party": {"kind": "natural_person", "name": "张某某", "id_type": "居民身份证",
               "id_number": id_number, "address": "迁西县栗乡街道幸福路 8 号", "phone": "13800000000"}})
    };
    let r = command(&c.app, &c.token, &id, v, party("130227198005120034")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-016", "{}", String::from_utf8_lossy(&r.body));
    let steps = [
        json!({"type": "file", "filed_at": day("2026-08-07"), "violation_ended": "2026-07-30"}),
        json!({"type": "investigate", "act": act_aug}),
        party("130227198005120033"),
        inquiry(&[&c.a, &c.b]),
        copy(true),
        copy(false),
        json!({"type": "record_evidence", "item": {
            "type": "site_record", "label": "现场检查笔录", "at": day("2026-08-10"), "place": "幸福路 8 号院内",
            "findings": "东侧彩钢房一间约 20 平方米", "officers": [&c.a, &c.b], "party_signed": false,
            "no_signature_reason": "当事人拒绝签名"}}),
        json!({"type": "record_evidence", "item": {
            "type": "testing", "label": "房屋安全鉴定意见", "at": day("2026-08-11"), "kind": "appraisal",
            "institution": "县房屋安全鉴定站", "matter": "彩钢房结构安全", "result": "C 级", "result_notified": true,
            "appraiser_qualified": true, "signed_and_sealed": true}}),
        // The party would not sign the sampling voucher: the refusal is noted by both officers (R-021).
        json!({"type": "record_evidence", "item": {
            "type": "sampling", "label": "抽样取证凭证（彩钢板）", "at": day("2026-08-10"), "sample": "彩钢夹芯板",
            "batch": "0.5mm", "quantity": "1 块", "method": "随机抽取", "sealed": true, "party_signed": false,
            "officers": [&c.a, &c.b], "copy_to_party": true,
            "refusal": {"reason": "当事人拒绝在凭证上签名", "noted_by": [&c.a, &c.b]}}}),
        json!({"type": "record_evidence", "item": {
            "type": "testimony", "label": "证人证言（赵某）", "at": day("2026-08-11"), "witness": "赵某", "age": 52,
            "sex": "男", "occupation": "退休职工", "address": "幸福路 10 号", "statement": "七月中旬看到搭建",
            "signed": true, "id_copy_attached": true}}),
        json!({"type": "record_evidence", "item": {
            "type": "argumentation", "label": "专家论证意见（结构安全）", "at": day("2026-08-11"),
            "matter": "彩钢房是否危及相邻房屋结构安全", "place": "栗乡街道办事处会议室",
            "participants": ["王工，县住建局高级工程师", "李工，结构工程师"], "opinions": "一致认为存在安全隐患",
            "conclusion": "应予拆除", "signed_by_all": true}}),
    ];
    for s in steps {
        let r = command(&c.app, &c.token, &id, v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    // 先行登记保存 rests on the 负责人's approval beforehand (行政处罚法第五十六条; R-028): on the
    // case's 先行登记保存证据审批表, approved by the 负责人's own account — never a name typed here.
    let preserve = |at: i64| {
        json!({"type": "record_evidence", "item": {"type": "preservation", "label": "先行登记保存（彩钢板）",
            "at": at, "items": ["彩钢夹芯板 20 块"], "notice_served": true}})
    };
    let r = command(&c.app, &c.token, &id, v, preserve(day("2026-08-11"))).await;
    let refused = r.json();
    assert_eq!(
        (&refused["error"]["violations"][0]["rule"], &refused["error"]["violations"][0]["field"]),
        (&json!("R-028"), &json!("approved_by")),
        "{refused}"
    );
    let mut typed = preserve(day("2026-08-11"));
    typed["item"]["approved_by"] = json!("张主任");
    assert_eq!(command(&c.app, &c.token, &id, v, typed).await.status, StatusCode::BAD_REQUEST);
    let form = c.app.approved_form(&c.staff, &id, "D18a").await;
    let doc = c.app.get(&format!("/api/documents/{form}"), Some(&c.token)).await.json();
    let approver = doc["approvals"].as_array().unwrap().iter().find(|a| a["step"] == "approver").unwrap().clone();
    let approved_at = approver["at"].as_i64().unwrap();
    // Carried out before the approval: refused.
    let r = command(&c.app, &c.token, &id, v, preserve(approved_at - HOUR)).await;
    assert_eq!(r.json()["error"]["violations"][0]["field"], "approved_at", "{}", String::from_utf8_lossy(&r.body));
    let r = command(&c.app, &c.token, &id, v, preserve(approved_at + 1000)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let item = r.json()["data"]["evidence"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(
        (&item["approved_by"], &item["approved_at"]),
        (&approver["name"], &json!(approved_at)),
        "the approver is the 负责人's account, at the time they approved: {item}"
    );
    v += 1;
    let handle = json!({"type": "handle_preservation", "label": "先行登记保存（彩钢板）", "at": approved_at + 2000,
        "measure": "解除保存，退还当事人"});
    assert_eq!(command(&c.app, &c.token, &id, v, handle).await.status, StatusCode::OK);
    v += 1;
    // An inquiry by one investigator and an officer who never took part is refused (R-020).
    let mut one = inquiry(&[&c.a, &c.expired]);
    one["item"]["label"] = json!("询问笔录（李某）");
    let r = command(&c.app, &c.token, &id, v, one).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-020", "{}", String::from_utf8_lossy(&r.body));
    // One who is no officer at all is named as such.
    let mut nobody = inquiry(&[&c.a, "01a2455f-0000-7000-8000-000000000000"]);
    nobody["item"]["label"] = json!("询问笔录（李某）");
    let r = command(&c.app, &c.token, &id, v, nobody).await;
    assert_eq!(r.json()["error"]["code"], "UNKNOWN_REFERENCE", "{}", String::from_utf8_lossy(&r.body));
    // Only evidence under 先行登记保存 gets a handling decision (R-028).
    let r = command(
        &c.app,
        &c.token,
        &id,
        v,
        json!({"type": "handle_preservation", "label": "询问笔录（张某某）", "at": day("2026-08-12"), "measure": "退还"}),
    )
    .await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-028", "{}", String::from_utf8_lossy(&r.body));
    // An unknown kind of evidence is bad input, not a rule.
    let mut odd = copy(true);
    odd["item"]["kind"] = json!("rumour");
    let r = command(&c.app, &c.token, &id, v, odd).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("item.kind: 取值须为以下之一"), "{message}");
    // The report may not rest on unlawfully obtained evidence (R-031).
    let conclude = |evidence: &[&str]| {
        json!({"type": "conclude", "facts": "未经批准搭建彩钢房", "evidence": evidence,
               "legal_basis": "《城乡规划法》第六十五条", "discretion": "首次违法，从轻（当事人电话13912345678）",
               "proposal": fine(5000)})
    };
    let r = command(&c.app, &c.token, &id, v, conclude(&["询问笔录（张某某）", "偷拍的院内照片"])).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-031", "{}", String::from_utf8_lossy(&r.body));
    // Nor on evidence the case never recorded (R-069).
    let r = command(&c.app, &c.token, &id, v, conclude(&["现场检查笔录", "现场照片"])).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-069", "{}", String::from_utf8_lossy(&r.body));
    let r = command(&c.app, &c.token, &id, v, conclude(&["现场检查笔录", "询问笔录（张某某）", "不动产登记查询结果"]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    v += 1;
    // The handling unit's draft decision comes before the party is told of it (R-060).
    let early = json!({"type": "serve_notice", "service": receipt(c, "行政处罚事先告知书", "2026-08-14", json!({"type": "direct", "receiver": "张某某"})),
        "doc": {"penalty": penalty, "facts": "未经批准搭建彩钢房", "reasons": "违反规划管理规定", "legal_basis": "《城乡规划法》第六十五条",
        "hearing_right_told": true, "statement_days": 5}});
    let r = command(&c.app, &c.token, &id, v, early).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-060", "{}", String::from_utf8_lossy(&r.body));
    // The proposal and the review are dated by the server's clock: set to the days they are
    // taken in this story (a decision is never dated before them, R-064b).
    c.app.clock.set(day("2026-08-12"));
    // The 承办机构负责人's step is taken by that account: the 负责人 may not take it for them.
    let propose = json!({"type": "propose", "proposal": penalty, "opinion": "拟同意承办人意见，已电话13912345678告知"});
    let r = command(&c.app, &c.token, &id, v, propose.clone()).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    let r = command(&c.app, &c.staff.unit_head, &id, v, propose).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    v += 1;
    if major {
        let review = json!({"type": "legal_review", "passed": true, "opinion": "同意"});
        // Neither the investigating officer nor the 负责人 may record the 法制审核 (办法第十五条).
        for token in [&c.staff.handler, &c.token] {
            let r = command(&c.app, token, &id, v, review.clone()).await;
            assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
        }
        // A reviewer without 法律职业资格 is refused (R-005, 行政处罚法第五十八条).
        let unqualified = c.app.account_for("fazhi-b", "legal_reviewer", &c.b).await;
        let r = command(&c.app, &unqualified, &id, v, review.clone()).await;
        assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-005", "{}", String::from_utf8_lossy(&r.body));
        c.app.clock.set(day("2026-08-13"));
        let r = command(&c.app, &c.staff.legal, &id, v, review).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    c.app.clock.set(CLOCK_MS);
    // 5,000 yuan is over the hearing threshold: the notice must tell the hearing right (R-042).
    let notice = |told: bool| {
        json!({"type": "serve_notice", "service": receipt(c, "行政处罚事先告知书", "2026-08-14", json!({"type": "direct", "receiver": "张某某"})), "doc": {"penalty": penalty,
        "facts": "未经批准搭建彩钢房", "reasons": "违反规划管理规定", "legal_basis": "《城乡规划法》第六十五条",
        "hearing_right_told": told, "statement_days": 5}})
    };
    let r = command(&c.app, &c.token, &id, v, notice(false)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-042");
    assert_eq!(command(&c.app, &c.token, &id, v, notice(true)).await.status, StatusCode::OK);
    (id, v + 1)
}

/// A `serve` command: the decision served by `method` on `at`, the recipient signing.
fn serve(c: &Ctx, at: &str, method: Value) -> Value {
    json!({"type": "serve", "service": receipt(c, "行政处罚决定书（栗街罚决〔2026〕12号）", at, method)})
}

/// A 送达回证 of `document`, served on `at` by `method` by the two officers, the recipient signing.
fn receipt(c: &Ctx, document: &str, at: &str, method: Value) -> Value {
    json!({"document": document, "recipient": "张某某", "at": day(at), "place": "栗乡街道幸福路 8 号",
           "servers": [&c.a, &c.b], "recipient_signed": true, "method": method})
}

fn decide(at: &str) -> Value {
    json!({"type": "decide", "at": day(at),
           "doc": {"doc_no": "栗街罚决〔2026〕12号", "penalty": fine(5000), "facts": "未经批准搭建彩钢房",
                   "legal_basis": "《城乡规划法》第六十五条", "performance_days": 15, "relief_route_stated": true, "sealed": true}})
}

#[tokio::test]
async fn an_ordinary_penalty_without_a_hearing_walks_to_closure() {
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕12号", true).await;
    // Deciding inside the statement period, with no statement or waiver, is refused (R-041).
    let r = command(&c.app, &c.token, &id, v, decide("2026-08-17")).await;
    let rules: Vec<String> = r.json()["error"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap().to_string())
        .collect();
    // And a major case needs its heads' collective discussion first (R-062).
    assert_eq!(rules, ["R-041", "R-062"]);
    // The party asks that 王明 step aside; deciding on the case before the 负责人 rules on it is a
    // defect (R-004), so the head decides first.
    let r = command(
        &c.app,
        &c.token,
        &id,
        v,
        json!({"type": "request_recusal", "at": day("2026-08-15"), "officer": c.a, "reason": "与当事人有邻里纠纷"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    v += 1;
    let r = command(
        &c.app,
        &c.token,
        &id,
        v,
        json!({"type": "decide_recusal", "officer": "李四", "granted": false, "opinion": "x"}),
    )
    .await;
    assert_eq!(r.json()["error"]["code"], "INVALID_STATE", "no pending request for 李四");
    let unknown = json!({"type": "request_recusal", "at": day("2026-08-15"), "officer": "李四", "reason": "x"});
    let r = command(&c.app, &c.token, &id, v, unknown).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("UNKNOWN_REFERENCE")),
        "not an officer"
    );
    // The 负责人 decides on 2026-08-16, by the server's clock.
    c.app.clock.set(day("2026-08-16"));
    let r = command(
        &c.app,
        &c.token,
        &id,
        v,
        json!({"type": "decide_recusal", "officer": c.a, "granted": false, "opinion": "纠纷与本案无关，不予回避"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    v += 1;
    c.app.clock.set(CLOCK_MS);
    for s in [
        json!({"type": "hear_statement", "at": day("2026-08-15"), "statement": "面积很小，请从轻", "reexamination": "已按裁量基准从轻，维持"}),
        json!({"type": "discuss", "at": day("2026-08-17"), "conclusion": fine(5000)}),
        decide("2026-08-17"),
    ] {
        let r = command(&c.app, &c.token, &id, v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    // The 回避决定 is the 负责人's, signed with their own key.
    super::helpers::openssl_verifies_step(&c.app, &c.token, &id, "recusal_decided").await;
    // The party refuses: a lien service with neither witnesses nor A/V is refused (R-083).
    let lien = |witnesses: &[&str]| json!({"type": "lien", "refusal_reason": "当事人拒绝签收", "witnesses": witnesses, "left_at_residence": true});
    let mut refused = serve(&c, "2026-08-18", lien(&[]));
    refused["service"]["recipient_signed"] = json!(false);
    let r = command(&c.app, &c.token, &id, v, refused.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-083", "{}", String::from_utf8_lossy(&r.body));
    // A method the API does not know is bad input.
    let r = command(&c.app, &c.token, &id, v, serve(&c, "2026-08-18", json!({"type": "pigeon"}))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    refused["service"]["method"] = lien(&["幸福路社区居委会 赵某"]);
    for s in [
        refused,
        json!({"type": "pay", "at": day("2026-08-25"), "receipt_no": "BANK-20260825-7"}),
        json!({"type": "close", "at": day("2026-08-26")}),
    ] {
        let r = command(&c.app, &c.token, &id, v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "closed");
    assert_eq!(case["data"]["type_label"], "行政处罚（普通程序）");
    assert_eq!(case["data"]["recusals"][0]["granted"], false);
    // The party is shown with the identity number and phone masked.
    assert_eq!(case["data"]["party"]["id_number"], "130227********0033");
    assert_eq!(case["data"]["party"]["phone"], "138****0000");
    // The log holds the party only inside commitments.
    for (_, e) in c.app.store.case_entries(&id).await.unwrap() {
        let text = String::from_utf8(e).unwrap();
        assert!(!text.contains("130227198005120033") && !text.contains("张某某"), "{text}");
    }
    assert_eq!(case["data"]["defects"], json!([]), "the recusal was decided before the case");
    let codes: Vec<&str> =
        case["data"]["deadlines"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["T-03", "T-04", "T-08", "T-11"]);
}

#[tokio::test]
async fn an_ordinary_penalty_with_a_hearing_walks_to_closure() {
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕13号", false).await;
    let ok = |r: &super::helpers::Resp| assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    ok(&command(&c.app, &c.token, &id, v, json!({"type": "request_hearing", "at": day("2026-08-18")})).await);
    v += 1;
    // Six working days' notice is too short (R-044); the investigator may not host it (R-006).
    let sched = |on: &str, host: &str| json!({"type": "schedule_hearing", "notified_at": day("2026-08-19"), "hearing_on": on, "host": host});
    let r = command(&c.app, &c.token, &id, v, sched("2026-08-28", &c.host)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-044");
    let r = command(&c.app, &c.token, &id, v, sched("2026-08-31", &c.a)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-006");
    // The host is an officer named by ID: a typed name is no one the rules can check.
    let r = command(&c.app, &c.token, &id, v, sched("2026-08-31", "王明")).await;
    assert_eq!(r.json()["error"]["code"], "UNKNOWN_REFERENCE", "{}", String::from_utf8_lossy(&r.body));
    ok(&command(&c.app, &c.token, &id, v, sched("2026-08-31", &c.host)).await);
    v += 1;
    // Deciding before the hearing is refused (R-043).
    let r = command(&c.app, &c.token, &id, v, decide("2026-08-28")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-043");
    // Held in public unless a secret or privacy is at stake (R-045); one or two agents (R-046).
    let hold = |public: bool, reason: &str, agents: &[&str]| {
        json!({"type": "hold_hearing", "hearing": {"at": day("2026-08-31"), "transcript_no": "栗街听笔〔2026〕3号",
               "transcript_signed": true, "public": public, "non_public_reason": reason, "agents": agents}})
    };
    let r = command(&c.app, &c.token, &id, v, hold(false, "当事人不愿公开", &[])).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-045");
    let r = command(&c.app, &c.token, &id, v, hold(true, "", &["律师刘某", "律师陈某", "张某某之子"])).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-046");
    ok(&command(&c.app, &c.token, &id, v, hold(true, "", &["律师刘某"])).await);
    v += 1;
    // After a hearing the legal review is mandatory, and the decision rests on the transcript (R-049).
    let r = command(&c.app, &c.token, &id, v, decide("2026-09-02")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-049");
    c.app.clock.set(day("2026-09-01"));
    ok(&command(
        &c.app,
        &c.staff.legal,
        &id,
        v,
        json!({"type": "legal_review", "passed": true, "opinion": "听证后审核，同意"}),
    )
    .await);
    c.app.clock.set(CLOCK_MS);
    v += 1;
    let r = command(&c.app, &c.token, &id, v, decide("2026-09-02")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-049", "the transcript is not cited");
    let mut cited = decide("2026-09-02");
    cited["doc"]["hearing_transcript"] = json!("栗街听笔〔2026〕3号");
    for s in [
        cited,
        // By post: the return receipt's date is the date of service.
        serve(
            &c,
            "2026-09-03",
            json!({"type": "postal", "tracking_no": "EMS1234567890", "return_receipt_at": day("2026-09-05")}),
        ),
        json!({"type": "pay", "at": day("2026-09-08"), "receipt_no": "BANK-20260908-2"}),
        json!({"type": "close", "at": day("2026-09-09")}),
    ] {
        ok(&command(&c.app, &c.token, &id, v, s).await);
        v += 1;
    }
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "closed");
    assert_eq!(case["timeline"].as_array().unwrap().len(), 25, "15 steps, 9 调查取证 items and a handling decision");
    assert_eq!(case["data"]["served_at"], day("2026-09-05"), "the return receipt's date");
    // What was recorded behind the commitments is shown in the view: the hearing's host,
    // transcript and agents, the legal review, the approvals, the 文号 and the receipt.
    let recorded: Vec<Value> = case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["recorded"].as_object().cloned().map(Value::Object))
        .collect();
    let all = Value::Array(recorded).to_string();
    for shown in [
        "孙某",
        "栗街听笔〔2026〕3号",
        "律师刘某",
        "听证后审核，同意",
        "栗街罚决〔2026〕12号",
        "BANK-20260908-2",
        "拟同意承办人意见",
    ] {
        assert!(all.contains(shown), "{shown} not shown: {all}");
    }
    assert!(!all.contains("130227198005120033"), "no identity number in the procedure's record");
    // The log reproduces every projection, this kind included.
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

/// The shipped calendar and a 2027 of weekends and 元旦 (as an office would add it in
/// `DATA/workdays.txt`): the court window of a decision served in August 2026 is in 2027.
fn calendar_with_2027() -> liuhen_core::calendar::WorkCalendar {
    let mut cal = liuhen_core::calendar::WorkCalendar::china();
    cal.merge(liuhen_core::calendar::WorkCalendar::parse("year 2027\noff 2027-01-01 元旦").unwrap());
    cal
}

/// The party sues; the court revokes the decision; nothing is left to pay and the case closes.
#[tokio::test]
async fn a_decision_revoked_in_litigation_closes_without_payment() {
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕19号", false).await;
    run(&c, &id, &mut v, decided_and_served(&c)).await;
    let sue = |kind: &str, court: &str| json!({"type": "seek_relief", "kind": kind, "at": day("2026-09-01"), "organ": court, "reference": "（2026）冀0227行初12号"});
    let r = command(&c.app, &c.token, &id, v, sue("appeal", "迁西县人民法院")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an unknown kind of relief");
    let r = command(&c.app, &c.token, &id, v, sue("litigation", "")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-091", "{}", String::from_utf8_lossy(&r.body));
    run(&c, &id, &mut v, [sue("litigation", "迁西县人民法院")]).await;
    // Not closed while the lawsuit is pending (R-091).
    let close = json!({"type": "close", "at": day("2026-12-11")});
    let r = command(&c.app, &c.token, &id, v, close.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-091", "{}", String::from_utf8_lossy(&r.body));
    // Published before the court revoked it: then to be withdrawn within three working days of
    // the revocation, a deadline until it is (R-170).
    let publication = format!("/api/cases/{id}/publication");
    let r = c.app.post_as(&publication, &c.token, &json!({"action": "publish"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    run(&c, &id, &mut v, [json!({"type": "conclude_relief", "at": day("2026-12-10"), "outcome": "revoked"}), close])
        .await;
    let t_pub = |list: Value| {
        list.as_array().unwrap().iter().find(|d| d["code"] == "T-PUB" && d["case_id"] == id.as_str()).cloned()
    };
    let all = c.app.get("/api/deadlines?limit=500", Some(&c.token)).await.json()["deadlines"].clone();
    let due = t_pub(all.clone()).unwrap_or_else(|| panic!("the withdrawal is due: {all}"));
    assert!(due["label"].as_str().unwrap().contains("撤回公示"), "{due}");
    // 2026-12-10 is a Thursday: three working days on is Tuesday 12-15.
    assert_eq!(liuhen_core::time::Timestamp(due["due"].as_i64().unwrap()).shanghai_date().to_string(), "2026-12-15");
    let withdraw = json!({"action": "withdraw", "reason": "该处罚决定已被人民法院判决撤销"});
    let r = c.app.post_as(&publication, &c.token, &withdraw).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        t_pub(c.app.get("/api/deadlines?limit=500", Some(&c.token)).await.json()["deadlines"].clone()).is_none(),
        "withdrawn"
    );
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "closed");
    assert_eq!(case["data"]["reliefs"][0]["concluded"]["outcome"], "revoked");
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

/// 暂缓或者分期缴纳罚款 (行政处罚法第六十六条): approved on application, paid in two instalments.
#[tokio::test]
async fn a_fine_is_paid_in_approved_instalments() {
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕18号", false).await;
    let ok = |r: &super::helpers::Resp| assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    run(&c, &id, &mut v, decided_and_served(&c)).await;
    let defer = |second: u64| {
        json!({"type": "defer_payment", "reasons": "因病住院，家庭经济困难",
               "opinion": "同意分两期缴纳",
               "plan": [{"due": "2026-09-30", "amount_fen": 250_000}, {"due": "2026-10-31", "amount_fen": second}]})
    };
    // The plan adds up to the fine (R-090b); approved on 2026-08-25 by the server's clock.
    c.app.clock.set(day("2026-08-25"));
    let r = command(&c.app, &c.token, &id, v, defer(200_000)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-090b", "{}", String::from_utf8_lossy(&r.body));
    ok(&command(&c.app, &c.token, &id, v, defer(250_000)).await);
    c.app.clock.set(CLOCK_MS);
    v += 1;
    // The 负责人's approval of the plan is signed with their own key over all it records.
    let signed = super::helpers::openssl_verifies_step(&c.app, &c.token, &id, "payment_deferred").await;
    assert_eq!(signed["step"], "defer_payment");
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    let t11 = case["data"]["deadlines"].as_array().unwrap().iter().find(|d| d["code"] == "T-11").unwrap().clone();
    assert_eq!(t11["due"], json!(day("2026-11-01") - 8 * HOUR - 1), "the plan's last date: {t11}");
    for (on, receipt) in [("2026-09-28", "BANK-20260928-1"), ("2026-10-30", "BANK-20261030-1")] {
        ok(&command(
            &c.app,
            &c.token,
            &id,
            v,
            json!({"type": "pay_instalment", "at": day(on), "receipt_no": receipt, "amount_fen": 250_000}),
        )
        .await);
        v += 1;
    }
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "paid");
    assert_eq!(case["data"]["instalments_paid_fen"], 500_000);
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

/// 责令限期拆除 not obeyed: demanded, announced, and demolished in the party's place (代履行,
/// 行政强制法第四十四条、第五十条、第五十一条), then closed; the log reproduces it all.
#[tokio::test]
async fn a_demolition_order_is_performed_in_the_partys_place() {
    let c = ctx_with(calendar_with_2027()).await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕17号", false).await;
    let ok = |r: &super::helpers::Resp| assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let mut with_order = decide("2026-08-17");
    with_order["doc"]["order"] = json!({"content": "限期拆除院内彩钢房", "deadline": "2026-09-30", "demolition": true});
    let direct = json!({"type": "direct", "receiver": "张某某"});
    for s in [
        json!({"type": "waive", "at": day("2026-08-14"), "signed_statement": true}),
        with_order,
        serve(&c, "2026-08-18", direct.clone()),
        json!({"type": "pay", "at": day("2026-08-25"), "receipt_no": "BANK-20260825-1"}),
    ] {
        ok(&command(&c.app, &c.token, &id, v, s).await);
        v += 1;
    }
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "served", "the fine is paid, the order is not performed");
    let demand = |on: &str| {
        json!({"type": "serve_demand", "service": receipt(&c, "催告书（栗街催〔2026〕5号）", on, direct.clone()), "doc": {"deadline": "2026-10-19",
               "method": "自行拆除院内彩钢房", "amount_fen": 0, "statement_right_told": true}})
    };
    // Not before the order's deadline (R-095a).
    let r = command(&c.app, &c.token, &id, v, demand("2026-09-29")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-095a", "{}", String::from_utf8_lossy(&r.body));
    ok(&command(&c.app, &c.token, &id, v, demand("2026-10-09")).await);
    v += 1;
    let substitute = |on: &str| {
        json!({"type": "decide_substitute", "at": day(on), "doc": {"doc_no": "栗街代履〔2027〕1号", "harm": "占压消防通道，危及通行安全",
               "reasons_and_basis": "经催告逾期仍不拆除；《行政强制法》第四十四条、第五十条", "method_and_time": "2027 年 3 月 1 日起拆除",
               "object": "院内东侧彩钢房", "cost_budget_fen": 300_000, "performer": "迁西县某拆除工程有限公司", "sealed": true},
               "service": receipt(&c, "代履行决定书（栗街代履〔2027〕1号）", on, direct.clone())})
    };
    // No demolition without the public notice (R-095e).
    let r = command(&c.app, &c.token, &id, v, substitute("2027-02-22")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-095e", "{}", String::from_utf8_lossy(&r.body));
    ok(&command(
        &c.app,
        &c.token,
        &id,
        v,
        json!({"type": "announce_demolition", "at": day("2026-10-20"), "notice_no": "栗街拆告〔2026〕1号",
               "place": "幸福路 8 号院门及街道公告栏", "deadline": "2026-10-30"}),
    )
    .await);
    v += 1;
    // Nor while the party may still seek review or sue (six months after service, R-095e).
    let r = command(&c.app, &c.token, &id, v, substitute("2026-11-02")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-095e");
    ok(&command(&c.app, &c.token, &id, v, substitute("2027-02-22")).await);
    v += 1;
    ok(&command(
        &c.app,
        &c.token,
        &id,
        v,
        json!({"type": "remind_substitute", "service": receipt(&c, "代履行催告书", "2027-02-23", direct.clone())}),
    )
    .await);
    v += 1;
    let perform = |on: &str| {
        json!({"type": "perform_substitute", "at": day(on), "supervisors": [&c.a, &c.b], "performer_signed": true,
               "party_or_witness": "见证人赵某", "cost_fen": 280_000, "av_ref": "AV-20270301-0001", "result": "已拆除并清运"})
    };
    // Three working days after the reminder (T-22, R-097).
    let r = command(&c.app, &c.token, &id, v, perform("2027-02-26")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-097");
    for s in [perform("2027-03-01"), json!({"type": "close", "at": day("2027-03-02")})] {
        ok(&command(&c.app, &c.token, &id, v, s).await);
        v += 1;
    }
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "closed");
    assert_eq!(case["data"]["order"]["demolition"], true);
    log_reproduces(&c, calendar_with_2027()).await;
}

#[tokio::test]
async fn an_unpaid_fine_is_demanded_and_taken_to_court() {
    let c = ctx_with(calendar_with_2027()).await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕14号", false).await;
    let ok = |r: &super::helpers::Resp| assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    // Silence is no waiver: it is signed by the party or on A/V (R-051).
    let r = command(&c.app, &c.token, &id, v, json!({"type": "waive", "at": day("2026-08-14")})).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-051");
    run(&c, &id, &mut v, decided_and_served(&c)).await;
    // The decision was in fact served a day later: corrected by a new entry, T-11 moves with it,
    // and the case as it stood before still shows the old date (R-133).
    let t11 = |case: &Value| {
        case["data"]["deadlines"].as_array().unwrap().iter().find(|d| d["code"] == "T-11").unwrap()["due"].clone()
    };
    let before = liuhen_server::app::now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let correct = |reason: &str| json!({"type": "correct_date", "anchor": "served_at", "to": day("2026-08-19"), "reason": reason});
    let r = command(&c.app, &c.token, &id, v, correct("")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-133");
    // Not to a date that has not come (R-064b).
    let mut later = correct("送达回证记载为 8 月 19 日");
    later["to"] = json!(CLOCK_MS + 30 * 24 * HOUR);
    let r = command(&c.app, &c.token, &id, v, later).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-064b", "{}", String::from_utf8_lossy(&r.body));
    ok(&command(&c.app, &c.token, &id, v, correct("送达回证记载为 8 月 19 日")).await);
    v += 1;
    let now = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(t11(&now), json!(day("2026-09-03") + 16 * HOUR - 1));
    let then = c.app.get(&format!("/api/cases/{id}?as_of={before}"), Some(&c.token)).await.json();
    assert_eq!(t11(&then), json!(day("2026-09-02") + 16 * HOUR - 1));
    let demand = |on: &str, method: Value, why: &str| {
        json!({"type": "serve_demand", "service": receipt(&c, "催告书（栗街催〔2026〕3号）", on, method), "doc": {"deadline": "2026-09-20",
               "method": "到指定银行缴纳或电子支付", "amount_fen": 620_000, "statement_right_told": true}, "why_not_direct": why})
    };
    let direct = json!({"type": "direct", "receiver": "张某某"});
    // Not before the fifteen days to pay have run out (R-095a); by post only when it cannot be
    // handed over (R-089).
    let r = command(&c.app, &c.token, &id, v, demand("2026-08-31", direct.clone(), "")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-095a", "{}", String::from_utf8_lossy(&r.body));
    let post = json!({"type": "postal", "tracking_no": "EMS2026091001", "return_receipt_at": day("2026-09-12")});
    let r = command(&c.app, &c.token, &id, v, demand("2026-09-10", post, "")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-089", "{}", String::from_utf8_lossy(&r.body));
    ok(&command(&c.app, &c.token, &id, v, demand("2026-09-10", direct, "")).await);
    v += 1;
    ok(&command(
        &c.app,
        &c.token,
        &id,
        v,
        json!({"type": "hear_demand_statement", "at": day("2026-09-12"), "statement": "经济困难", "reexamination": "未申请延期或分期，维持"}),
    )
    .await);
    v += 1;
    let apply = |on: &str| {
        json!({"type": "apply_court", "at": day(on), "doc": {"court": "迁西县人民法院", "sealed": true,
               "with_decision": true, "with_party_opinions": true, "with_demand_record": true, "object": "罚款五千元及加处罚款"}})
    };
    // The application bears the 负责人's signature (行政强制法第五十五条): their account applies,
    // never a name typed in; an officer may not.
    let r = command(&c.app, &c.staff.handler, &id, v, apply("2026-10-12")).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    let mut typed = apply("2026-10-12");
    typed["doc"]["signed_by"] = json!("张主任");
    assert_eq!(command(&c.app, &c.token, &id, v, typed).await.status, StatusCode::BAD_REQUEST);
    // Not while the party may still seek review or sue (R-093).
    let r = command(&c.app, &c.token, &id, v, apply("2026-10-12")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-093", "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json()["data"]["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "T-17")
            .unwrap()["due"],
        day("2027-05-19") + 16 * HOUR - 1,
        "three months after the relief periods' end (from the corrected service), to the last millisecond of the day"
    );
    // An office with its own 行政强制执行权 enforces itself and does not apply (R-093); the
    // profile is an administrator's, and each version is logged.
    let profile = |power: bool| {
        json!({"name": "迁西县栗乡街道办事处", "uscc": "11130227MB0000000J", "has_enforcement_power": power,
               "seals": [{"kind": "公章", "valid_from": "2020-01-01", "valid_to": "2030-12-31"}]})
    };
    let put = |body: Value| {
        let app = &c.app;
        let token = c.token.clone();
        async move {
            app.request(
                axum::http::Request::builder()
                    .method("PUT")
                    .uri("/api/agency")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.to_string()))
                    .unwrap(),
            )
            .await
        }
    };
    let mut bad = profile(false);
    bad["uscc"] = json!("11130227MB0000000K");
    assert_eq!(put(bad).await.status, StatusCode::BAD_REQUEST, "a code with a wrong check character");
    assert_eq!(put(profile(true)).await.status, StatusCode::OK);
    let r = command(&c.app, &c.token, &id, v, apply("2027-03-01")).await;
    assert_eq!(r.json()["error"]["violations"][0]["field"], "agency", "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(put(profile(false)).await.status, StatusCode::OK);
    assert_eq!(c.app.get("/api/agency", Some(&c.token)).await.json()["has_enforcement_power"], false);
    for s in [
        apply("2027-03-01"),
        json!({"type": "record_court_ruling", "at": day("2027-03-20"), "ruling_no": "（2027）冀0227行审12号", "enforce": true}),
        json!({"type": "close", "at": day("2027-03-22")}),
    ] {
        ok(&command(&c.app, &c.token, &id, v, s).await);
        v += 1;
    }
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "closed");
    assert_eq!(case["data"]["court_enforce"], true);
    // The log reproduces the projection, with the same calendar.
    log_reproduces(&c, calendar_with_2027()).await;
}

#[tokio::test]
async fn a_licence_is_corrected_accepted_verified_granted_and_issued() {
    let c = ctx().await;
    let id = create(
        &c.app,
        &c.token,
        "/api/cases/licences",
        json!({"case_no": "栗街许〔2026〕3号", "matter": "临时占用道路审批", "received_at": day("2026-11-02"),
                    "materials": ["申请书", "营业执照复印件"], "receipt_issued": true, "applicant": company()}),
    )
    .await;
    let ok = |r: &super::helpers::Resp| assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    // A correction notice after five working days is refused: the application counts as accepted (R-013b).
    let r = command(
        &c.app,
        &c.token,
        &id,
        1,
        json!({"type": "request_correction", "at": day("2026-11-10"), "items": ["占道平面图"]}),
    )
    .await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-013b");
    let mut verify = act(&[&c.a, &c.b], true, false);
    verify["at"] = json!(day("2026-11-10"));
    for (v, s) in [
        json!({"type": "request_correction", "at": day("2026-11-04"), "items": ["占道平面图"]}),
        json!({"type": "corrected", "at": day("2026-11-05")}),
        json!({"type": "accept", "at": day("2026-11-05"), "voucher_sealed": true}),
        // The acceptance was stamped an hour later than recorded (R-133: by its own entry).
        json!({"type": "correct_date", "anchor": "accepted_at", "to": day("2026-11-05") + HOUR,
               "reason": "受理凭证记载时间为 9 时"}),
        json!({"type": "verify", "act": verify}),
        // The 现场核查笔录 of the verification, made by the two who verified (办法第八条).
        json!({"type": "record_evidence", "item": {"type": "site_record", "label": "现场核查笔录", "at": day("2026-11-10"),
               "place": "迁安路 12 号门前", "findings": "拟占道区域 3 米 × 6 米，不影响消防通道", "officers": [c.a, c.b],
               "party_signed": true}}),
        json!({"type": "decide", "granted": true, "sealed": true}),
        json!({"type": "issue_certificate", "certificate_no": "栗街占道〔2026〕0042",
               "service": receipt(&c, "许可证件", "2026-11-25", json!({"type": "direct", "receiver": "张某某"}))}),
        json!({"type": "close", "at": day("2026-11-26")}),
    ]
    .into_iter()
    .enumerate()
    {
        // The 负责人 decides on 2026-11-20, by the server's clock.
        if s["type"] == "decide" {
            c.app.clock.set(day("2026-11-20"));
        }
        ok(&command(&c.app, &c.token, &id, v as u64 + 1, s).await);
        c.app.clock.set(CLOCK_MS);
    }
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["data"]["state_label"], "已结案");
    assert_eq!(case["data"]["type_label"], "行政许可");
    assert_eq!(case["data"]["evidence"][0]["label"], "现场核查笔录");
    // A denial without reasons is refused (R-115).
    let id2 = c
        .app
        .post_as(
            "/api/cases/licences",
            &c.token,
            &json!({"case_no": "栗街许〔2026〕4号", "matter": "临时占用道路审批", "received_at": day("2026-11-02"),
                    "materials": ["申请书"], "receipt_issued": true, "applicant": citizen()}),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&command(&c.app, &c.token, &id2, 1, json!({"type": "accept", "at": day("2026-11-03"), "voucher_sealed": true}))
        .await);
    c.app.clock.set(day("2026-11-20"));
    let r = command(&c.app, &c.token, &id2, 2, json!({"type": "decide", "granted": false, "sealed": true})).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-115");
    ok(&command(
        &c.app,
        &c.token,
        &id2,
        2,
        json!({"type": "decide", "granted": false, "sealed": true,
        "reasons": "占道位置影响消防通道", "relief_told": true}),
    )
    .await);
    c.app.clock.set(CLOCK_MS);
    // The denial is closed only once it reached the applicant (R-080), here by post.
    let r = command(&c.app, &c.token, &id2, 3, json!({"type": "close", "at": day("2026-11-30")})).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-080", "{}", String::from_utf8_lossy(&r.body));
    let by_post = json!({"type": "postal", "tracking_no": "EMS2026112001", "return_receipt_at": day("2026-11-23")});
    ok(&command(
        &c.app,
        &c.token,
        &id2,
        3,
        json!({"type": "serve_denial", "service": receipt(&c, "不予行政许可决定书（栗街许不〔2026〕1号）", "2026-11-20", by_post)}),
    )
    .await);
    ok(&command(&c.app, &c.token, &id2, 4, json!({"type": "close", "at": day("2026-11-30")})).await);
    // Rebuilt from the log, both licences are what is stored.
    let from_log = log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
    assert_eq!(from_log.cases.len(), 2);
}

#[tokio::test]
async fn a_seizure_needs_approval_and_full_av_and_is_disposed_within_its_term() {
    let c = ctx().await;
    let measure = |necessities_excluded: bool| {
        json!({"case_no": "栗街强〔2026〕2号", "matter": "扣押占道经营物品", "kind": "seize",
               "items": ["三轮车一辆", "货架两个"], "reason": "经责令仍占道经营", "legal_basis": "《河北省城乡市容和环境卫生条例》",
               "party": citizen(), "property": {"related_to_case": true, "necessities_excluded": necessities_excluded,
               "not_sealed_elsewhere": true}})
    };
    // Never the necessities of life (R-105, 行政强制法第二十三条).
    let r = c.app.post_as("/api/cases/coercive-measures", &c.token, &measure(false)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-105", "{}", String::from_utf8_lossy(&r.body));
    // A proposal that does not say is bad input.
    let mut unsaid = measure(true);
    unsaid.as_object_mut().unwrap().remove("property");
    assert_eq!(c.app.post_as("/api/cases/coercive-measures", &c.token, &unsaid).await.status, StatusCode::BAD_REQUEST);
    let id = create(&c.app, &c.token, "/api/cases/coercive-measures", measure(true)).await;
    let mut exec_act = act(&[&c.a, &c.b], true, true);
    exec_act["at"] = json!(day("2026-11-02"));
    let execute = |av: bool| {
        json!({"type": "execute", "act": exec_act, "av_full": av,
        "checklist": {"party_notified": true, "reasons_and_rights_told": true, "statements_heard": true, "record_signed": true},
        "doc": {"term_days": 20, "sealed": true, "relief_told": true, "inventory_copies": 2, "handed_over": true}})
    };
    // Without approval and not an emergency: refused (R-100a).
    let r = command(&c.app, &c.token, &id, 1, execute(true)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-100a");
    let ok = |r: &super::helpers::Resp| assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    // Approved the day before it is executed, by the server's clock.
    c.app.clock.set(day("2026-11-01"));
    ok(&command(&c.app, &c.token, &id, 1, json!({"type": "approve", "opinion": "同意扣押"})).await);
    c.app.clock.set(CLOCK_MS);
    // Without full A/V: refused (R-106, 办法第十九条).
    let r = command(&c.app, &c.token, &id, 2, execute(false)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-106");
    ok(&command(&c.app, &c.token, &id, 2, execute(true)).await);
    // A corrected execution time is not later than the execution was recorded (R-064b), even
    // where the server's clock would allow it.
    let later = json!({"type": "correct_execution_time", "to": liuhen_server::app::now_ms() + 24 * HOUR,
                       "reason": "现场笔录记载时间有误"});
    let r = command(&c.app, &c.token, &id, 3, later).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-064b", "{}", String::from_utf8_lossy(&r.body));
    // An enforcement decision other than a penalty or licence is published within twenty
    // working days (R-170): a deadline until the 负责人 publishes it, the person masked.
    let t_pub = |list: &Value| {
        list.as_array().unwrap().iter().find(|d| d["code"] == "T-PUB" && d["case_id"] == id.as_str()).cloned()
    };
    let pending = t_pub(&c.app.get("/api/deadlines?limit=500", Some(&c.token)).await.json()["deadlines"].clone())
        .expect("T-PUB for the seizure");
    assert!(pending["label"].as_str().unwrap().contains("20个工作日"), "{pending}");
    let r = c.app.post_as(&format!("/api/cases/{id}/publication"), &c.token, &json!({"action": "publish"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        t_pub(&c.app.get("/api/deadlines?limit=500", Some(&c.token)).await.json()["deadlines"].clone()).is_none(),
        "published"
    );
    let feed = String::from_utf8(c.app.get("/public/decisions.json", None).await.body).unwrap();
    assert!(feed.contains("行政强制措施决定公示") && feed.contains("扣押") && feed.contains("张某某"), "{feed}");
    for private in ["130227198005120033", "13800000000", "幸福路"] {
        assert!(!feed.contains(private), "{private}: {feed}");
    }
    // A seizure of late December: its periods reach into 2027, which the shipped calendar
    // lacks. Its 公示 deadline is shown by plain days and says so; an extension well inside its
    // thirty days needs no calendar of 2027 (the plain last day settles it).
    let mut late = measure(true);
    late["case_no"] = json!("栗街强〔2026〕12号");
    let late = create(&c.app, &c.token, "/api/cases/coercive-measures", late).await;
    c.app.clock.set(day("2026-12-20"));
    ok(&command(&c.app, &c.token, &late, 1, json!({"type": "approve", "opinion": "同意扣押"})).await);
    c.app.clock.set(CLOCK_MS);
    let mut december = execute(true);
    december["act"]["at"] = json!(day("2026-12-21"));
    december["doc"]["term_days"] = json!(30);
    ok(&command(&c.app, &c.token, &late, 2, december).await);
    let list = c.app.get("/api/deadlines?limit=500", Some(&c.token)).await.json()["deadlines"].clone();
    let pending = list.as_array().unwrap().iter().find(|d| d["code"] == "T-PUB" && d["case_id"] == late.as_str());
    assert!(pending.unwrap()["label"].as_str().unwrap().contains("暂按自然日"), "{pending:?}");
    let mut extend = json!({"type": "extend", "days": 10});
    extend["notice"] =
        receipt(&c, "延长查封、扣押期限决定书", "2026-12-28", json!({"type": "direct", "receiver": "张某某"}));
    c.app.clock.set(day("2026-12-28"));
    ok(&command(&c.app, &c.token, &late, 3, extend).await);
    c.app.clock.set(CLOCK_MS);
    // Past the term only release is possible (R-104): 20 days from 2026-11-02 end 2026-11-23.
    let r = command(
        &c.app,
        &c.token,
        &id,
        3,
        json!({"type": "dispose", "at": day("2026-11-24"), "outcome": "confiscated"}),
    )
    .await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-104");
    // Extended once by ten days, the written notice served (R-080 refuses it without one).
    let extend = json!({"type": "extend", "days": 10});
    c.app.clock.set(day("2026-11-19"));
    let r = command(&c.app, &c.token, &id, 3, extend.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-080", "{}", String::from_utf8_lossy(&r.body));
    let mut noticed = extend;
    noticed["notice"] =
        receipt(&c, "延长查封、扣押期限决定书", "2026-11-19", json!({"type": "direct", "receiver": "张某某"}));
    ok(&command(&c.app, &c.token, &id, 3, noticed).await);
    c.app.clock.set(CLOCK_MS);
    // The decision must reach the party (R-080): without a receipt it is refused.
    let dispose = json!({"type": "dispose", "at": day("2026-11-20"), "outcome": "confiscated"});
    let r = command(&c.app, &c.token, &id, 4, dispose.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-080", "{}", String::from_utf8_lossy(&r.body));
    let mut served = dispose;
    served["service"] = receipt(
        &c,
        "查封、扣押处理决定书（栗街强处〔2026〕2号）",
        "2026-11-20",
        json!({"type": "direct", "receiver": "张某某"}),
    );
    ok(&command(&c.app, &c.token, &id, 4, served).await);
    // The execution was in fact on 11-05: corrected by its own entry (R-133), and T-20 follows.
    let correct = |reason: &str| json!({"type": "correct_execution_time", "to": day("2026-11-05"), "reason": reason});
    let r = command(&c.app, &c.token, &id, 5, correct(" ")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-133");
    ok(&command(&c.app, &c.token, &id, 5, correct("现场笔录记载为 11 月 5 日")).await);
    let t20 = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json()["data"]["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "T-20")
        .unwrap()["due"]
        .clone();
    assert_eq!(t20, json!(day("2026-12-07") + 16 * HOUR - 1), "30 days from 11-05 end Saturday 12-05, so Monday 12-07");
    ok(&command(&c.app, &c.token, &id, 6, json!({"type": "close", "at": day("2026-11-21")})).await);
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["data"]["state_label"], "已结案");
    assert_eq!(case["data"]["outcome"], "confiscated");
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

#[tokio::test]
async fn an_inspection_that_finds_a_violation_becomes_a_penalty_case() {
    let c = ctx().await;
    let id = open(&c.app, &c.token, "栗街检〔2026〕40号", "群众投诉").await.json()["id"].as_str().unwrap().to_string();
    let ok = |r: &super::helpers::Resp| assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    ok(&command(&c.app, &c.token, &id, 1, on_site(act(&[&c.a, &c.b], true, true))).await);
    ok(&command(&c.app, &c.token, &id, 2, json!({"type": "notify_result", "at": T0 + HOUR})).await);
    let convert = |matter: Option<&str>| {
        let mut cmd = json!({"type": "convert_to_case", "at": T0 + 2 * HOUR, "case_no": "栗街罚〔2026〕40号",
                             "party_kind": "organisation"});
        if let Some(m) = matter {
            cmd["matter"] = json!(m);
        }
        command(&c.app, &c.token, &id, 3, cmd)
    };
    // The penalty case needs a penalty matter of the 权责清单, not the inspection's (R-010a).
    for matter in [None, Some("食品经营监督检查")] {
        let r = convert(matter).await;
        assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-010a", "{}", String::from_utf8_lossy(&r.body));
    }
    let r = convert(Some("违法建设")).await;
    ok(&r);
    let penalty_id = r.json()["data"]["converted_to"].as_str().unwrap().to_string();
    let p = c.app.get(&format!("/api/cases/{penalty_id}"), Some(&c.token)).await.json();
    assert_eq!(p["case_type"], "ordinary_penalty");
    assert_eq!(p["data"]["source"], "inspection");
    assert!(p["data"]["reason"].as_str().unwrap().contains("栗街检〔2026〕40号"));
    // Converted, the inspection may close (R-120e); converting twice is refused.
    ok(&command(&c.app, &c.token, &id, 4, json!({"type": "close", "at": T0 + 3 * HOUR})).await);
    let r = command(
        &c.app,
        &c.token,
        &id,
        5,
        json!({"type": "convert_to_case", "at": T0, "case_no": "x", "party_kind": "citizen"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn hostile_input_gets_clear_errors_and_records_nothing() {
    let c = ctx().await;
    let before = c.app.store.tree_size();
    let base = json!({"case_no": "栗街检〔2026〕77号", "matter": "检查", "kind": "routine", "basis": "计划",
                      "source": "inspection", "reason": "例行", "received_at": T0});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, needle) in [
        (with("matter", json!("x".repeat(201))), "matter: 不得超过 200 个字符"),
        (with("reason", json!("正常\u{0007}响铃")), "reason: 格式不符合接口说明（为空，或含控制字符"),
        // An empty number is the office's next (numbering); an overlong one is refused.
        (with("case_no", json!("号".repeat(65))), "case_no: 不得超过 64 个字符"),
        (with("kind", json!("'; DROP TABLE cases; --")), "kind: 取值须为以下之一"),
        (with("source", json!("../../etc/passwd")), "source: 取值须为以下之一"),
        (with("received_at", json!("yesterday")), "请求有误"),
    ] {
        let r = c.app.post_as("/api/cases/inspections", &c.token, &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(msg.contains(needle), "{msg} should mention {needle}");
    }
    assert_eq!(c.app.store.tree_size(), before, "nothing was recorded");
    // What serde alone would have read — an array for an object, anywhere — the description
    // forbids, and so does the server (each body is held to its schema before it is read).
    let property = json!({"case_no": "栗街强〔2026〕88号", "matter": "扣押占道经营物品", "kind": "seize",
        "items": ["三轮车一辆"], "reason": "经责令仍占道经营", "legal_basis": "《条例》", "property": [true, true, true]});
    for (path, body) in [
        ("/api/session", json!([HEAD, HEAD_PASSWORD])),
        ("/api/statistics/annual", json!([2025])),
        ("/api/statistics/annual", json!({"year": 1989})),
        ("/api/cases/coercive-measures", property),
    ] {
        let r = c.app.post_as(path, &c.token, &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path} {body}: {}", String::from_utf8_lossy(&r.body));
    }
    assert_eq!(c.app.store.tree_size(), before, "nothing was recorded");
    // Markup and SQL metacharacters are data: kept exactly, never interpreted (the matter is
    // first put on the 权责清单 under that name).
    let tricky = "<script>alert('x')</script> O'Brien; DELETE FROM cases";
    let r =
        put_matter(&c, json!({"code": "T-X1", "name": tricky, "kind": "inspection", "legal_basis": "《依据》"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let r = c.app.post_as("/api/cases/inspections", &c.token, &with("matter", json!(tricky))).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json()["matter"], tricky);
    assert_eq!(c.app.get("/api/cases", Some(&c.token)).await.json()["cases"].as_array().unwrap().len(), 1);
    // A truncated body and a wrong content type are 400s in the same format.
    let r = c
        .app
        .request(
            axum::http::Request::post("/api/cases/inspections")
                .header("authorization", format!("Bearer {}", c.token))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(r#"{"case_no": "x", "matt"#))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "BAD_REQUEST");
}

async fn put_matter(c: &Ctx, body: Value) -> super::helpers::Resp {
    c.app.post_as("/api/matters", &c.token, &body).await
}

#[tokio::test]
async fn the_matters_catalogue_sets_the_local_values_the_rules_read() {
    let c = ctx().await;
    let r = put_matter(&c, json!({"code": "P-001", "name": "占道经营", "kind": "penalty", "legal_basis": "《河北省城乡市容和环境卫生条例》",
                        "summary_allowed": false, "hearing_threshold_citizen_fen": 100_000, "major_decision_review": true}))
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        put_matter(&c, json!({"code": "坏 code", "name": "x", "kind": "penalty", "legal_basis": "y"})).await.status,
        StatusCode::BAD_REQUEST
    );
    // Not open to the summary procedure: refused with R-067a.
    let mut start = summary_start(&c, "栗街简罚〔2026〕9号", "citizen");
    start["matter_code"] = json!("P-001");
    let r = c.app.post_as("/api/cases/summary-penalties", &c.token, &start).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-067a");
    // An ordinary case on the matter takes its threshold (1,000 yuan) and its review flag.
    let r = c
        .app
        .post_as(
            "/api/cases/penalties",
            &c.token,
            &json!({"case_no": "栗街罚〔2026〕50号", "matter": "（由事项带出）", "matter_code": "P-001", "party_kind": "citizen",
                    "source": "inspection", "reason": "巡查发现", "received_at": day("2026-08-06")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["data"]["major"], true);
    assert_eq!(r.json()["matter"], "占道经营");
    // Revising the matter is a new version in the log; the catalogue shows the latest.
    put_matter(&c, json!({"code": "P-001", "name": "占道经营", "kind": "penalty", "legal_basis": "《条例》", "summary_allowed": true})).await;
    let list = c.app.get("/api/matters", Some(&c.token)).await.json();
    assert_eq!(list[0]["summary_allowed"], true);
    // The list is law (R-010a): an unknown matter opens nothing, a licence matter no penalty,
    // and a matter closed to the summary procedure no summary case, named or coded.
    let lead = |matter: &str| {
        json!({"case_no": "栗街罚〔2026〕51号", "matter": matter, "party_kind": "citizen", "source": "inspection",
               "reason": "巡查发现", "received_at": day("2026-08-06")})
    };
    for matter in ["乱扔垃圾", "临时占用道路审批"] {
        let r = c.app.post_as("/api/cases/penalties", &c.token, &lead(matter)).await;
        assert_eq!(
            r.json()["error"]["violations"][0]["rule"],
            "R-010a",
            "{matter}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let mut start = summary_start(&c, "栗街简罚〔2026〕10号", "citizen");
    start["matter"] = json!("违法建设");
    let r = c.app.post_as("/api/cases/summary-penalties", &c.token, &start).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-067a", "{}", String::from_utf8_lossy(&r.body));
    // A listed matter of the right kind opens its case.
    assert_eq!(c.app.post_as("/api/cases/penalties", &c.token, &lead("违法建设")).await.status, StatusCode::CREATED);
    let from_log = log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
    assert_eq!(from_log.matters.len(), TEST_MATTERS.len() + 1);
}

/// A number that looks like one already given but hides a zero-width or direction character
/// is refused as bad input, not taken as a new number (nor is any text holding one); one
/// written with other digits or brackets is the same number.
#[tokio::test]
async fn look_alike_numbers_are_refused_or_taken_as_the_same_number() {
    let c = ctx().await;
    let lead = |no: &str| {
        json!({"case_no": no, "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
               "reason": "群众举报", "received_at": day("2026-08-06")})
    };
    let id = create(&c.app, &c.staff.handler, "/api/cases/penalties", lead("栗街罚〔2026〕43号")).await;
    for hidden in ["\u{200B}", "\u{200D}", "\u{2060}", "\u{FEFF}", "\u{202E}", "\u{00AD}"] {
        let r = c
            .app
            .post_as("/api/cases/penalties", &c.staff.handler, &lead(&format!("栗街罚〔2026〕4{hidden}3号")))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{hidden:?}: {}", String::from_utf8_lossy(&r.body));
        let d = json!({"code": "D02", "fields": {"cause": format!("违法{hidden}建设")}});
        let r = c.app.post_as(&format!("/api/cases/{id}/documents"), &c.staff.handler, &d).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{hidden:?}: {}", String::from_utf8_lossy(&r.body));
    }
    // Nor is a look-alike — full-width digits, other brackets, spaces — a new number: it is the
    // same number written otherwise (GB/T 9704), and taken.
    for look_alike in [
        "栗街罚［２０２６］43号",
        "栗街罚(2026)４３ 号",
        "栗街罚【2026】43号",
        "栗街罚﹝2026﹞43號",
        "栗街罚〔2026〕043号",
        "栗街罚〔2026〕四十三号",
        "栗街罚〔2026〕𝟒𝟑号",
    ] {
        let r = c.app.post_as("/api/cases/penalties", &c.staff.handler, &lead(look_alike)).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{look_alike}: {}", String::from_utf8_lossy(&r.body));
    }
    let r = c.app.post_as("/api/cases/penalties", &c.staff.handler, &lead("栗街罚［2026］44号")).await;
    assert_eq!(r.json()["case_no"], "栗街罚〔2026〕44号", "kept in the office's form");
    let cases = c.app.get("/api/cases", Some(&c.token)).await.json()["cases"].clone();
    assert_eq!(cases.as_array().unwrap().len(), 2, "{cases}");
}

#[tokio::test]
async fn hostile_evidence_and_service_forms_are_refused_whole() {
    let c = ctx().await;
    let body = json!({"case_no": "栗街罚〔2026〕40号", "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
                      "reason": "群众举报", "received_at": day("2026-08-06")});
    let id = create(&c.app, &c.staff.handler, "/api/cases/penalties", body).await;
    c.app.approved_form(&c.staff, &id, "D02").await;
    let mut act_aug = act(&[&c.a, &c.b], true, true);
    act_aug["at"] = json!(day("2026-08-10"));
    for (v, s) in [
        json!({"type": "file", "filed_at": day("2026-08-07"), "violation_ended": "2026-07-30"}),
        json!({"type": "investigate", "act": act_aug}),
    ]
    .into_iter()
    .enumerate()
    {
        let r = command(&c.app, &c.token, &id, v as u64 + 1, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    }
    let before = c.app.store.tree_size();
    let inquiry = json!({"type": "record_evidence", "item": {
        "type": "inquiry", "label": "询问笔录", "at": day("2026-08-10"), "ended_at": day("2026-08-10") + HOUR,
        "place": "询问室", "inquirers": [&c.a, &c.b], "recorder": &c.b, "interviewee": "张某某", "relation": "当事人",
        "rights_told": true, "questions_and_answers": "问答", "confirmed": true, "signed_every_page": true}});
    let bad = |path: &[&str], value: Value| {
        let mut v = inquiry.clone();
        let mut at = &mut v;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = value;
        v
    };
    for (what, cmd) in [
        ("an unknown field", bad(&["item", "mood"], json!("angry"))),
        ("a missing flag", {
            let mut v = inquiry.clone();
            v["item"].as_object_mut().unwrap().remove("confirmed");
            v
        }),
        (
            "a record of more than 50,000 characters",
            bad(&["item", "questions_and_answers"], json!("问".repeat(50_001))),
        ),
        ("21 inquirers", bad(&["item", "inquirers"], json!(vec![c.a.clone(); 21]))),
        ("a control character", bad(&["item", "interviewee"], json!("张某某\u{0007}"))),
        ("a number where text belongs", bad(&["item", "place"], json!(42))),
    ] {
        let r = command(&c.app, &c.token, &id, 3, cmd).await;
        let message = r.json()["error"]["message"].as_str().unwrap_or_default().to_string();
        if what.starts_with("a record of more") {
            // Over the API's body limit: 413, naming it.
            assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{what}: {}", String::from_utf8_lossy(&r.body));
            assert!(message.contains("超过上限 64 KiB"), "{message}");
            continue;
        }
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", String::from_utf8_lossy(&r.body));
        assert!(
            message.starts_with("请求有误") || message.contains("不得超过") || message.contains("控制字符"),
            "{what}: {message}"
        );
    }
    // Said in Chinese, naming the field.
    let r = command(&c.app, &c.token, &id, 3, bad(&["item", "mood"], json!("angry"))).await;
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.starts_with("请求有误：命令格式有误：") && message.contains("item: 未知字段 mood"), "{message}");
    // A truncated body is a 400 too, and none of it was recorded.
    let r = c
        .app
        .request(
            axum::http::Request::post(format!("/api/cases/{id}/commands"))
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {}", c.token))
                .body(axum::body::Body::from(
                    // Cut mid-way, possibly inside a character.
                    format!("{{\"expected_version\":3,\"command\":{inquiry}}}").as_bytes()[..300].to_vec(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("不是完整有效的 JSON"));
    // Valid JSON that is not the object asked for is said so, not called broken.
    let r = c.app.post_as(&format!("/api/cases/{id}/commands"), &c.token, &json!([1, 2, 3])).await;
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("应为 对象") && !message.contains("不是完整有效"), "{message}");
    assert_eq!(c.app.store.tree_size(), before, "a refused form records nothing");
    // Service forms are checked before anything else: an unknown method, 51 servers.
    let mut too_many = serve(&c, "2026-08-18", json!({"type": "direct", "receiver": "张某某"}));
    too_many["service"]["servers"] = json!(vec!["王明"; 51]);
    for cmd in [serve(&c, "2026-08-18", json!({"type": "carrier_pigeon"})), too_many] {
        let r = command(&c.app, &c.token, &id, 3, cmd).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&r.body));
    }
    assert_eq!(c.app.store.tree_size(), before, "a refused form records nothing");
    // The 送达人 are registered officers by ID, never names typed in (办法第十七条).
    let mut named = serve(&c, "2026-08-18", json!({"type": "direct", "receiver": "张某某"}));
    named["service"]["servers"] = json!(["王明", "李华"]);
    let r = command(&c.app, &c.token, &id, 3, named).await;
    assert_eq!(r.json()["error"]["code"], "UNKNOWN_REFERENCE", "{}", String::from_utf8_lossy(&r.body));
    // Times at the ends of i64 are refused or stood against the rules, never a crash.
    for extreme in [i64::MAX, i64::MIN] {
        let mut odd = serve(&c, "2026-08-18", json!({"type": "direct", "receiver": "张某某"}));
        odd["service"]["at"] = json!(extreme);
        let r = command(&c.app, &c.token, &id, 3, odd).await;
        assert!(r.status.is_client_error(), "{extreme}: {}", String::from_utf8_lossy(&r.body));
    }
    // So are those who verified a performance.
    let verified = json!({"type": "record_performance", "at": day("2026-08-18"), "verified_by": ["王明", "李华"],
        "record": "已自行拆除"});
    let r = command(&c.app, &c.token, &id, 3, verified).await;
    assert_eq!(r.json()["error"]["code"], "UNKNOWN_REFERENCE", "{}", String::from_utf8_lossy(&r.body));
    // And the 记录人 of an inquiry.
    let inquiry = json!({"type": "record_evidence", "item": {"type": "inquiry", "label": "询问笔录（赵某）",
        "at": day("2026-08-10"), "ended_at": day("2026-08-10") + HOUR, "place": "询问室", "inquirers": [&c.a, &c.b],
        "recorder": "李华", "interviewee": "赵某", "relation": "证人", "rights_told": true,
        "questions_and_answers": "问：答：", "confirmed": true, "signed_every_page": true}});
    let r = command(&c.app, &c.token, &id, 3, inquiry).await;
    assert_eq!(r.json()["error"]["code"], "UNKNOWN_REFERENCE", "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(c.app.store.tree_size(), before, "a refused form records nothing");
    // Three pages without the party's 骑缝 mark (R-023, 办法第十四条); a video without how, when
    // and by whom it was made (R-026): refused by rule, nothing recorded.
    let r = command(&c.app, &c.token, &id, 3, bad(&["item", "pages"], json!(3))).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-023", "{}", String::from_utf8_lossy(&r.body));
    let video = json!({"type": "record_evidence", "item": {"type": "collected", "label": "执法记录仪视频", "at": day("2026-08-10"),
        "kind": "audio_visual", "source": "执法记录仪 DSJ-001", "original": true, "lawfully_obtained": true}});
    let r = command(&c.app, &c.token, &id, 3, video.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-026", "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(c.app.store.tree_size(), before, "a refused form records nothing");
    // The well-formed one goes through at the same version: three pages with the mark.
    let mut sealed = bad(&["item", "pages"], json!(3));
    sealed["item"]["cross_page_sealed"] = json!(true);
    assert_eq!(command(&c.app, &c.token, &id, 3, sealed).await.status, StatusCode::OK);
    let mut described = video;
    described["item"]["av"] = json!({"production_method": "执法记录仪现场拍摄", "produced_at": day("2026-08-10"),
        "producer": "王明", "proves": "当事人在院内搭建彩钢房", "sound": true, "transcript": "执法人员：这是您搭建的吗？当事人：是。"});
    assert_eq!(command(&c.app, &c.token, &id, 4, described).await.status, StatusCode::OK);
    // A monitoring camera's photograph is evidence only once its record was reviewed (R-015,
    // 行政处罚法第四十一条).
    let mut camera = json!({"type": "record_evidence", "item": {"type": "collected", "label": "监控抓拍", "at": day("2026-08-10"),
        "kind": "electronic", "source": "幸福路口监控", "original": true, "lawfully_obtained": true,
        "monitoring": {"device": "JK-03", "device_reviewed": true, "site_published": true, "content_reviewed": false,
                       "party_notified_at": day("2026-08-11")}}});
    let r = command(&c.app, &c.token, &id, 5, camera.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-015", "{}", String::from_utf8_lossy(&r.body));
    camera["item"]["monitoring"]["content_reviewed"] = json!(true);
    assert_eq!(command(&c.app, &c.token, &id, 5, camera).await.status, StatusCode::OK);
}

/// The county bureau's 委托书 for food inspections in 2026.
fn food_letter() -> Value {
    json!({"letter_no": "迁市监委〔2026〕2号", "entrusting_agency": "迁西县市场监督管理局",
           "entrusted_org": "迁西县栗乡街道办事处", "kinds": ["inspection"], "matters": ["食品经营监督检查"],
           "valid_from": "2026-01-01", "valid_to": "2026-12-31", "published": true})
}

#[tokio::test]
async fn entrusted_enforcement_runs_on_the_same_rules_inside_its_letter() {
    let c = ctx().await;
    let opening = |letter: Value| {
        json!({"case_no": "栗街检〔2026〕31号", "matter": "食品经营监督检查", "kind": "triggered",
               "basis": "12345 热线转办", "source": "complaint", "reason": "群众投诉", "received_at": T0 - 24 * HOUR,
               "entrustment": letter})
    };
    // A letter that does not cover the matter, or has run out, is refused (R-008) and records nothing.
    let size = c.app.store.tree_size();
    let mut other = food_letter();
    other["matters"] = json!(["占道经营"]);
    let r = c.app.post_as("/api/cases/inspections", &c.token, &opening(other)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-008", "{}", String::from_utf8_lossy(&r.body));
    let mut expired = food_letter();
    expired["valid_to"] = json!("2026-10-31");
    let r = c.app.post_as("/api/cases/inspections", &c.token, &opening(expired)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-008");
    let mut unknown_kind = food_letter();
    unknown_kind["kinds"] = json!(["everything"]);
    let r = c.app.post_as("/api/cases/inspections", &c.token, &opening(unknown_kind)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(c.app.store.tree_size(), size, "nothing recorded");
    // A coercive measure is never entrusted (R-009).
    let r = c
        .app
        .post_as(
            "/api/cases/coercive-measures",
            &c.token,
            &json!({"case_no": "栗街强〔2026〕9号", "matter": "扣押过期食品", "kind": "seize", "items": ["过期酸奶三盒"],
                    "reason": "销售过期食品", "legal_basis": "《食品安全法》第一百一十条", "entrustment": food_letter(),
                    "property": {"related_to_case": true, "necessities_excluded": true, "not_sealed_elsewhere": true}}),
        )
        .await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-009", "{}", String::from_utf8_lossy(&r.body));
    // Inside the letter the inspection runs on the office's own rules: one officer is refused.
    let id = create(&c.app, &c.token, "/api/cases/inspections", opening(food_letter())).await;
    let r = command(&c.app, &c.token, &id, 1, on_site(act(&[&c.a], true, false))).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-001");
    for (v, s) in [
        on_site(act(&[&c.a, &c.b], true, false)),
        json!({"type": "notify_result", "at": T0 + HOUR}),
        json!({"type": "close", "at": T0 + 2 * HOUR}),
    ]
    .into_iter()
    .enumerate()
    {
        let r = command(&c.app, &c.token, &id, v as u64 + 1, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    }
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "closed");
    assert_eq!(case["data"]["entrusted"]["entrusting_agency"], "迁西县市场监督管理局");
    // Rebuilt from the log, it still names its letter.
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

#[tokio::test]
async fn a_hearing_the_party_stays_away_from_is_terminated_and_the_case_decided() {
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕15号", false).await;
    for s in [
        json!({"type": "request_hearing", "at": day("2026-08-18")}),
        json!({"type": "schedule_hearing", "notified_at": day("2026-08-19"), "hearing_on": "2026-08-31", "host": c.host}),
        json!({"type": "terminate_hearing", "at": day("2026-08-31"), "reason": "当事人经书面通知无正当理由未到场"}),
        decide("2026-09-02"),
    ] {
        let r = command(&c.app, &c.token, &id, v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "decided");
    // R-047 is advice: recorded with its event, not a defect of the file.
    assert_eq!(case["data"]["defects"], json!([]));
    let timeline = case["timeline"].to_string();
    assert!(timeline.contains("R-047"), "{timeline}");
}

#[tokio::test]
async fn a_violation_corrected_at_once_is_not_penalised_and_the_case_closes() {
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕16号", false).await;
    let no_penalty = |ground: &str, reasons: &str| json!({"type": "decide_no_penalty", "at": day("2026-08-17"), "ground": ground, "reasons": reasons});
    let r = command(&c.app, &c.token, &id, v, no_penalty("mercy", "x")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an unknown ground");
    let r = command(&c.app, &c.token, &id, v, no_penalty("minor_corrected", "")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-063");
    // A transfer to the judicial organs needs its 移送书 (R-070).
    let r = command(&c.app, &c.token, &id, v, no_penalty("transfer_to_judicial", "涉嫌犯罪")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-070");
    for s in [
        no_penalty("minor_corrected", "当事人已于 8 月 12 日自行拆除，未造成危害后果"),
        serve(&c, "2026-08-18", json!({"type": "direct", "receiver": "张某某"})),
        json!({"type": "close", "at": day("2026-08-19")}),
    ] {
        let r = command(&c.app, &c.token, &id, v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "closed");
    assert_eq!(case["data"]["no_penalty"]["ground"], "minor_corrected");
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

/// An application for 临时占用道路审批 received on 2026-11-02 from a company.
async fn road_licence(c: &Ctx, case_no: &str) -> String {
    let body = json!({"case_no": case_no, "matter": "临时占用道路审批", "received_at": day("2026-11-02"),
                      "materials": ["申请书"], "receipt_issued": true, "applicant": company()});
    create(&c.app, &c.token, "/api/cases/licences", body).await
}

/// 行政许可法第五十条: a renewal applied for too close to the licence's expiry is noted (R-117),
/// and its decision falls due when the licence expires (T-29), or it is deemed renewed.
#[tokio::test]
async fn a_renewal_is_noted_when_late_and_falls_due_when_the_licence_expires() {
    let c = ctx().await;
    let renewal = |no: &str, expires: &str| {
        json!({"case_no": no, "matter": "临时占用道路审批", "received_at": day("2026-11-02"),
        "materials": ["延续申请书"], "receipt_issued": true, "applicant": company(),
        "renewal": {"certificate_no": "栗街占字〔2026〕1号", "expires_on": expires}})
    };
    let late = create(&c.app, &c.token, "/api/cases/licences", renewal("栗街许〔2026〕21号", "2026-12-01")).await;
    let in_time = create(&c.app, &c.token, "/api/cases/licences", renewal("栗街许〔2026〕22号", "2027-03-31")).await;
    let rules = |id: &str| {
        let id = id.to_string();
        let app = &c.app;
        let token = c.token.clone();
        async move {
            let case = app.get(&format!("/api/cases/{id}"), Some(&token)).await.json();
            // Advice, not a defect of the office's: the applicant was late.
            assert!(case["data"]["defects"].as_array().unwrap().is_empty(), "{case}");
            case["data"]["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["rule"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(rules(&late).await, ["R-117"]);
    assert!(rules(&in_time).await.is_empty());
    let deadlines = c.app.get("/api/deadlines?limit=500", Some(&c.token)).await.json()["deadlines"].clone();
    let t29: Vec<&Value> = deadlines.as_array().unwrap().iter().filter(|d| d["code"] == "T-29").collect();
    assert_eq!(t29.len(), 2, "{deadlines}");
    let bad = renewal("栗街许〔2026〕23号", "2026-13-01");
    assert_eq!(c.app.post_as("/api/cases/licences", &c.token, &bad).await.status, StatusCode::BAD_REQUEST);
}

/// A period that runs into a year the working-day calendar lacks is no bad request: it is said
/// as such (422 CALENDAR_MISSING), and the office adds the year.
#[tokio::test]
async fn a_period_beyond_the_calendar_asks_for_the_year_not_for_other_input() {
    let c = ctx().await;
    let id = road_licence(&c, "栗街许〔2026〕31号").await;
    let r =
        command(&c.app, &c.token, &id, 1, json!({"type": "accept", "at": day("2026-12-21"), "voucher_sealed": true}))
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let grant = json!({"type": "decide", "granted": true, "sealed": true});
    // Past any count of twenty working days that treats every day of 2027 as one, only the
    // year's calendar can tell whether the decision is late.
    c.app.clock.set(day("2027-01-25"));
    let r = command(&c.app, &c.token, &id, 2, grant.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["error"]["code"], "CALENDAR_MISSING");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("2027"));
    // The day after acceptance it is in time whatever 2027's holidays are.
    c.app.clock.set(day("2026-12-22"));
    let r = command(&c.app, &c.token, &id, 2, grant).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    c.app.clock.set(CLOCK_MS);
}

/// An appraisal's time is left out of the twenty working days, once told in writing (R-113).
#[tokio::test]
async fn an_appraisal_extends_a_licences_decision_period() {
    let c = ctx().await;
    let id = road_licence(&c, "栗街许〔2026〕7号").await;
    let mut v = 1;
    run(&c, &id, &mut v, [json!({"type": "accept", "at": day("2026-11-03"), "voucher_sealed": true})]).await;
    let exclude = |kind: &str| {
        json!({"type": "exclude_period", "at": day("2026-11-05"), "kind": kind, "working_days": 10,
               "notice": receipt(&c, "鉴定时间告知书", "2026-11-05", json!({"type": "direct", "receiver": "张某某"}))})
    };
    let r = command(&c.app, &c.token, &id, v, exclude("补充材料")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-113", "{}", String::from_utf8_lossy(&r.body));
    run(&c, &id, &mut v, [exclude("鉴定")]).await;
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    let t24 = case["data"]["deadlines"].as_array().unwrap().iter().find(|d| d["code"] == "T-24").unwrap().clone();
    assert_eq!(t24["due"], json!(day("2026-12-16") - 8 * HOUR - 1), "2026-12-15 instead of 12-01: {t24}");
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

#[tokio::test]
async fn an_interested_party_is_heard_before_a_licence_is_decided() {
    let c = ctx().await;
    let id = road_licence(&c, "栗街许〔2026〕6号").await;
    let ok = |r: &super::helpers::Resp| assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let mut v = 1;
    for s in [
        json!({"type": "accept", "at": day("2026-11-03"), "voucher_sealed": true}),
        json!({"type": "tell_hearing_right", "at": day("2026-11-04")}),
        json!({"type": "request_hearing", "at": day("2026-11-09")}),
    ] {
        ok(&command(&c.app, &c.token, &id, v, s).await);
        v += 1;
    }
    let grant = json!({"type": "decide", "granted": true, "sealed": true});
    c.app.clock.set(day("2026-11-20"));
    let r = command(&c.app, &c.token, &id, v, grant.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-050", "decided before the hearing");
    c.app.clock.set(CLOCK_MS);
    let sched = |on: &str| json!({"type": "schedule_hearing", "notified_at": day("2026-11-10"), "hearing_on": on, "host": c.host});
    let r = command(&c.app, &c.token, &id, v, sched("2026-11-19")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-050", "six working days' notice");
    for s in [
        sched("2026-11-20"),
        json!({"type": "hold_hearing", "hearing": {"at": day("2026-11-20"), "transcript_no": "栗街许听〔2026〕1号", "transcript_signed": true}}),
    ] {
        ok(&command(&c.app, &c.token, &id, v, s).await);
        v += 1;
    }
    // The road outside a neighbour's shop: the licence directly concerns their major interests, so
    // they are told and heard before the decision (R-112, 行政许可法第三十六条).
    let mut grant = grant;
    grant["affects_others"] = json!(true);
    c.app.clock.set(day("2026-11-24"));
    let r = command(&c.app, &c.token, &id, v, grant.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-112", "{}", String::from_utf8_lossy(&r.body));
    let heard = json!({"type": "hear_interested_party", "at": day("2026-11-23"), "party": "相邻商户李某某",
        "statement": "担心占道影响店面出入，请求缩小占用范围"});
    let mut blank = heard.clone();
    blank["statement"] = json!(" ");
    let r = command(&c.app, &c.token, &id, v, blank).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-112", "their statement is recorded");
    for s in [heard, grant] {
        ok(&command(&c.app, &c.token, &id, v, s).await);
        v += 1;
    }
    c.app.clock.set(CLOCK_MS);
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["state"], "granted");
    assert_eq!(case["data"]["hearing_on"], "2026-11-20");
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

/// R-130: a decision recorded as sealed was sealed with a seal the office held that day; the
/// client's word alone does not make it so.
#[tokio::test]
async fn a_decision_is_recorded_as_sealed_only_with_a_seal_the_office_held_that_day() {
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕63号", false).await;
    let r =
        command(&c.app, &c.token, &id, v, json!({"type": "waive", "at": day("2026-08-14"), "signed_statement": true}))
            .await;
    assert_eq!(r.status, StatusCode::OK);
    v += 1;
    let profile = |from: &str| {
        json!({"name": "迁西县栗乡街道办事处", "uscc": "11130227MB0000000J", "review_organ": "迁西县人民政府",
               "court": "迁西县人民法院", "seals": [{"kind": "行政执法专用章", "valid_from": from, "valid_to": "2030-12-31"}]})
    };
    for (from, ok) in [("2026-09-01", false), ("2026-08-01", true)] {
        assert_eq!(c.app.put_as("/api/agency", &c.token, &profile(from)).await.status, StatusCode::OK);
        let r = command(&c.app, &c.token, &id, v, decide("2026-08-17")).await;
        if ok {
            assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        } else {
            assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-130", "{}", String::from_utf8_lossy(&r.body));
        }
    }
}

#[tokio::test]
async fn an_office_with_its_own_power_enforces_an_unpaid_fine_itself() {
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕17号", false).await;
    let profile = json!({"name": "迁西县某某局", "uscc": "11130227MB0000000J", "has_enforcement_power": true,
                         "seals": [{"kind": "公章", "valid_from": "2020-01-01", "valid_to": "2030-12-31"}]});
    let r = c
        .app
        .request(
            axum::http::Request::builder()
                .method("PUT")
                .uri("/api/agency")
                .header("authorization", format!("Bearer {}", c.token))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(profile.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let direct = json!({"type": "direct", "receiver": "张某某"});
    let decision = |on: &str| {
        json!({"type": "decide_enforcement", "at": day(on), "doc": {"doc_no": "栗街强执〔2026〕1号",
               "method_and_time": "2026 年 9 月 22 日起划拨存款", "reasons_and_basis": "经催告仍不缴纳罚款；《行政强制法》第三十七条",
               "relief_told": true, "sealed": true},
               "service": receipt(&c, "强制执行决定书（栗街强执〔2026〕1号）", on, json!({"type": "direct", "receiver": "张某某"}))})
    };
    for s in [
        json!({"type": "waive", "at": day("2026-08-14"), "signed_statement": true}),
        decide("2026-08-17"),
        serve(&c, "2026-08-18", direct.clone()),
        json!({"type": "serve_demand", "service": receipt(&c, "催告书（栗街催〔2026〕4号）", "2026-09-10", direct), "doc": {"deadline": "2026-09-20",
               "method": "到指定银行缴纳", "amount_fen": 620_000, "statement_right_told": true}}),
    ] {
        let r = command(&c.app, &c.token, &id, v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    // Not before the demand's deadline has passed (R-095c).
    let r = command(&c.app, &c.token, &id, v, decision("2026-09-18")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-095c", "{}", String::from_utf8_lossy(&r.body));
    for s in [
        decision("2026-09-21"),
        json!({"type": "record_enforcement", "at": day("2026-09-22"), "av_ref": "AV-0922-1", "result": "已划拨罚款及加处罚款"}),
        json!({"type": "close", "at": day("2026-09-23")}),
    ] {
        let r = command(&c.app, &c.token, &id, v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    assert_eq!(c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json()["state"], "closed");
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

/// The 集体讨论 rests on the latest 集体讨论记录 its members signed *and* its drafter finalised
/// (办法第十五条): a signed draft stating another conclusion is not yet the record; finalised, it is.
#[tokio::test]
async fn a_discussion_rests_on_the_latest_finalised_record_only() {
    let c = ctx().await;
    let (id, v) = ordinary_to_notice_of(&c, "栗街罚〔2026〕36号", true, fine(3000)).await;
    let mut fields = super::helpers::form_fields("D35");
    fields["conclusion"] = json!("罚款三千元");
    let draft = c.app.discussion_record_with(&c.staff, &id, fields, false).await;
    let discuss = json!({"type": "discuss", "at": day("2026-08-17"), "conclusion": fine(3000)});
    let r = command(&c.app, &c.token, &id, v, discuss.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-062", "{}", String::from_utf8_lossy(&r.body));
    let r = c.app.document_command(&c.staff.handler, &draft, &json!({"type": "finalise"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let r = command(&c.app, &c.token, &id, v, discuss).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let discussed = details(&c.app, &id).await.into_iter().find(|d| d["event"] == "discussed").unwrap();
    assert!(discussed["record"].as_str().unwrap().starts_with(&format!("{draft}@")), "{discussed}");
}

/// The unit's proposal and the 法制审核 are signed with their own accounts' SM2 keys (电子签名法
/// 第十三条): anyone rebuilds the statement from the step as recorded in the log and verifies it
/// with OpenSSL alone and the published key; a changed opinion does not verify; without the
/// account's own password nothing is recorded.
#[tokio::test]
async fn the_proposal_the_review_and_the_discussion_are_signed_and_openssl_alone_verifies_them() {
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice_of(&c, "栗街罚〔2026〕34号", true, fine(5000)).await;
    // The 集体讨论 is the 负责人's to record, not the 承办人's; once per confirmed record (R-062).
    let discuss = json!({"type": "discuss", "at": day("2026-08-17"), "conclusion": fine(5000)});
    let r = command(&c.app, &c.staff.handler, &id, v, discuss.clone()).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    // Not a conclusion the record its members confirmed does not state (罚款五千元).
    let mut other = discuss.clone();
    other["conclusion"] = fine(3000);
    let r = command(&c.app, &c.token, &id, v, other).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-062", "{}", String::from_utf8_lossy(&r.body));
    let r = command(&c.app, &c.token, &id, v, discuss.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    v += 1;
    let r = command(&c.app, &c.token, &id, v, discuss).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-062", "{}", String::from_utf8_lossy(&r.body));
    let dir = tempfile::tempdir().unwrap();
    let openssl =
        |args: &[&str]| std::process::Command::new("openssl").args(args).current_dir(dir.path()).output().unwrap();
    let users = c.app.store.users().await.unwrap();
    let user = |name: &str| format!("user:{}", users.iter().find(|u| u.username == name).unwrap().id);
    // Everything the check needs is in the case view (ledgered), not only in the log's openings.
    let view = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    let offered: Vec<&str> = view["next_commands"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(
        offered.contains(&"decide") && !offered.contains(&"legal_review"),
        "taken steps are not offered: {offered:?}"
    );
    let recorded: Vec<Value> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["recorded"].is_null())
        .map(|e| {
            let mut r = e["recorded"].clone();
            r["event"] = json!(e["action"].as_str().unwrap().trim_start_matches("case."));
            r
        })
        .collect();
    for (event, step, signer, content, who) in [
        ("proposed", "propose", "unit", &["proposal"][..], "keshi"),
        ("legal_reviewed", "legal_review", "", &["passed"], "fazhi"),
        // The discussion over its conclusion, its members and the record they confirmed.
        ("discussed", "discuss", "", &["conclusion", "members", "record"], HEAD),
    ] {
        let e = recorded.iter().find(|d| d["event"] == event).unwrap_or_else(|| panic!("no {event}"));
        let s = if signer.is_empty() { e.clone() } else { e[signer].clone() };
        assert_eq!(s["person"], user(who), "{event} names the account that took it: {e}");
        // What was decided, as plain sorted JSON, hashed with SM3 by OpenSSL.
        let decided: serde_json::Map<String, Value> = content.iter().map(|k| (k.to_string(), e[*k].clone())).collect();
        std::fs::write(dir.path().join("content"), serde_json::to_string(&decided).unwrap()).unwrap();
        let dgst = openssl(&["dgst", "-sm3", "-r", "content"]);
        let sm3 = String::from_utf8(dgst.stdout).unwrap().split_whitespace().next().unwrap().to_string();
        let statement = format!(
            "liuhen-approval/v1\ndocument {id}\nstep {step}\ncontent-sm3 {sm3}\nperson {}\ntime {}\nopinion {}\n",
            s["person"].as_str().unwrap(),
            // The server's time of signing: the step's own, or for the discussion (whose `at`
            // is the meeting's) `signed_at`.
            if e["signed_at"].is_null() { e["at"].clone() } else { e["signed_at"].clone() },
            s["opinion"].as_str().unwrap_or_default()
        );
        let key =
            c.app.get(&format!("/api/signing-keys/{}", s["key_id"].as_str().unwrap()), Some(&c.token)).await.json();
        assert_eq!(key["user"], user(who), "the key is the signer's own: {key}");
        std::fs::write(dir.path().join("key.pem"), key["public_key_pem"].as_str().unwrap()).unwrap();
        std::fs::write(dir.path().join("sig.der"), hex::decode(s["signature"].as_str().unwrap()).unwrap()).unwrap();
        let distid = format!("distid:{}", key["distid"].as_str().unwrap());
        let verify = |file: &str| {
            openssl(&[
                "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-digest", "sm3", "-pkeyopt", &distid,
                "-in", file, "-sigfile", "sig.der",
            ])
            .status
            .success()
        };
        std::fs::write(dir.path().join("statement"), &statement).unwrap();
        assert!(verify("statement"), "OpenSSL verifies the {step}: {statement}");
        std::fs::write(dir.path().join("forged"), statement.replace("opinion ", "opinion 不")).unwrap();
        assert!(!verify("forged"), "a changed opinion does not verify");
        if event == "discussed" {
            assert!(e["signed_at"].as_i64().unwrap() > e["at"].as_i64().unwrap(), "signed after the meeting: {e}");
            let members = e["members"].as_array().unwrap();
            assert_eq!(members.len(), 3, "the members who confirmed the record: {e}");
            assert!(e["record"].as_str().unwrap().contains('@'), "the record and its content hash: {e}");
        }
    }
    // Without the account's own password, a review is not taken and nothing is recorded.
    let (id, v) = {
        let body = json!({"case_no": "栗街罚〔2026〕35号", "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
                          "reason": "群众举报院内违法搭建", "received_at": day("2026-08-06")});
        (create(&c.app, &c.staff.handler, "/api/cases/penalties", body).await, 1)
    };
    let before = c.app.store.tree_size();
    let r = command(
        &c.app,
        &c.staff.legal,
        &id,
        v,
        json!({"type": "legal_review", "passed": true, "opinion": "同意", "password": "not-mine-at-all"}),
    )
    .await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(c.app.store.tree_size(), before, "a refused signature records nothing");
}

/// 公示 of a penalty (国办发〔2018〕118号): the decision's facts are published with the person's
/// name masked, their address withheld and any number typed into them — identity, mobile,
/// landline, full-width — starred; the fine with its amount.
#[tokio::test]
async fn a_published_penalty_carries_no_number_or_address_typed_into_its_facts() {
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice_of(&c, "栗街罚〔2026〕36号", false, fine(5000)).await;
    let mut decision = decide("2026-08-17");
    decision["doc"]["facts"] = json!(
        "当事人张某某（身份证号 130227198005120033，电话13800000000、0315-５６１２３４５）\
        于迁西县栗乡街道幸福路 8 号院内未经批准搭建彩钢房 18 平方米，邻居李 四证实"
    );
    for s in [json!({"type": "waive", "at": day("2026-08-14"), "signed_statement": true}), decision] {
        let r = command(&c.app, &c.token, &id, v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    // The 负责人 sees first, word for word, what would be posted: the party masked, the
    // witness's name (which the record does not know as personal) still there.
    let url = format!("/api/cases/{id}/publication");
    let preview = c.app.get(&url, Some(&c.token)).await.json();
    let facts = preview["preview"]["facts"].as_str().unwrap_or_else(|| panic!("{preview}"));
    assert!(facts.contains("张某某") && facts.contains("李 四") && !facts.contains("13800000000"), "{facts}");
    assert_eq!(preview["preview"]["party"]["name"], "张某某");
    // Publishing, they name it to be masked as well.
    let r = c.app.post_as(&url, &c.token, &json!({"action": "publish", "mask": ["李四"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert!(c.app.get(&url, Some(&c.token)).await.json()["status"].as_str().unwrap().starts_with("已公示"));
    let feed = String::from_utf8(c.app.get("/public/decisions.json", None).await.body).unwrap();
    let page = String::from_utf8(c.app.get("/public/decisions", None).await.body).unwrap();
    for text in [&feed, &page] {
        for private in ["130227198005120033", "13800000000", "５６１２３４５", "幸福路", "李 四", "李四"]
        {
            assert!(!text.contains(private), "{private} published: {text}");
        }
        assert!(text.contains("搭建彩钢房 18 平方米") && text.contains("罚款 5000.00 元"), "{text}");
        assert!(text.contains("邻居李某某证实"), "{text}");
    }
}

/// A 处罚决定书 decided without a 文号 takes the office's next 罚决 number (its numbering
/// scheme, D36), one more than the highest given — by a case's decision typed by hand too — so
/// none is given twice; the log reproduces the series.
#[tokio::test]
async fn a_decision_without_a_number_takes_the_offices_next() {
    let c = ctx().await;
    let year = &clock_date()[..4];
    let mut decided = Vec::new();
    for (case_no, typed) in
        [("栗街罚〔2026〕31号", ""), ("栗街罚〔2026〕32号", "罚决〔Y〕7号"), ("栗街罚〔2026〕33号", "")]
    {
        let (id, mut v) = ordinary_to_notice_of(&c, case_no, false, fine(5000)).await;
        let mut decision = decide("2026-08-17");
        decision["doc"]["doc_no"] = json!(typed.replace('Y', year));
        for s in [json!({"type": "waive", "at": day("2026-08-14"), "signed_statement": true}), decision] {
            let r = command(&c.app, &c.token, &id, v, s).await;
            assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
            v += 1;
        }
        let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
        let recorded = case["timeline"].to_string();
        decided.push((id, recorded));
    }
    for ((_, recorded), no) in decided.iter().zip(["罚决〔Y〕1号", "罚决〔Y〕7号", "罚决〔Y〕8号"]) {
        let no = no.replace('Y', year);
        assert!(recorded.contains(&format!("\"doc_no\":\"{no}\"")), "{no} not recorded: {recorded}");
    }
    // One decision, one 文号 (办法第十三条): its 决定书 is issued under the decision's number.
    let profile = json!({"name": "迁西县栗乡街道办事处", "uscc": "11130227MB0000000J", "review_organ": "迁西县人民政府",
        "court": "迁西县人民法院", "seals": [{"kind": "行政执法专用章", "valid_from": "2026-01-01", "valid_to": "2030-12-31"}]});
    let r = c.app.put_as("/api/agency", &c.token, &profile).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let issue = |case: String, no: &'static str| {
        let c = &c;
        async move {
            let d = c.app.draft_form(&c.staff, &case, "D36").await;
            let doc = d["id"].as_str().unwrap().to_string();
            let r = c.app.document_command(&c.staff.handler, &doc, &json!({"type": "finalise"})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
            let no = no.replace('Y', &clock_date()[..4]);
            c.app.document_command(&c.token, &doc, &json!({"type": "issue", "doc_no": no})).await
        }
    };
    let r = issue(decided[0].0.clone(), "罚决〔Y〕9号").await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-065", "{}", String::from_utf8_lossy(&r.body));
    let r = issue(decided[0].0.clone(), "").await;
    assert_eq!(r.json()["issued"]["doc_no"], format!("罚决〔{year}〕1号"), "{}", String::from_utf8_lossy(&r.body));
    // One decision, one 决定书: a second is not issued, whatever its number.
    for no in ["", "罚决〔Y〕10号"] {
        let r = issue(decided[0].0.clone(), no).await;
        assert_eq!(r.json()["error"]["code"], "DUPLICATE", "{}", String::from_utf8_lossy(&r.body));
    }
    // Nor is a 决定书 sealed before its case has decided — and then only stating that penalty.
    let (id, mut v) = ordinary_to_notice_of(&c, "栗街罚〔2026〕37号", false, fine(3000)).await;
    let r = issue(id.clone(), "").await;
    assert_eq!(r.json()["error"]["violations"][0]["field"], "decision", "{}", String::from_utf8_lossy(&r.body));
    let waive = json!({"type": "waive", "at": day("2026-08-14"), "signed_statement": true});
    assert_eq!(command(&c.app, &c.token, &id, v, waive).await.status, StatusCode::OK);
    v += 1;
    let mut decision = decide("2026-08-17");
    decision["doc"]["doc_no"] = json!("");
    decision["doc"]["penalty"] = fine(3000);
    let r = command(&c.app, &c.token, &id, v, decision).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let r = issue(id.clone(), "").await;
    assert_eq!(
        r.json()["error"]["violations"][0]["field"],
        "basis",
        "it says 五千元: {}",
        String::from_utf8_lossy(&r.body)
    );
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

#[tokio::test]
async fn confiscated_goods_are_destroyed_on_record_before_the_case_closes() {
    let c = ctx().await;
    let confiscation = json!({"kind": "confiscation", "amount_fen": 2_000_000});
    let (id, mut v) = ordinary_to_notice_of(&c, "栗街罚〔2026〕18号", false, confiscation.clone()).await;
    let mut decision = decide("2026-08-17");
    decision["doc"]["penalty"] = confiscation;
    for s in [
        json!({"type": "waive", "at": day("2026-08-14"), "signed_statement": true}),
        decision,
        serve(&c, "2026-08-18", json!({"type": "direct", "receiver": "张某某"})),
    ] {
        let r = command(&c.app, &c.token, &id, v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    let close = json!({"type": "close", "at": day("2026-09-02")});
    let r = command(&c.app, &c.token, &id, v, close.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-094", "the goods are not dealt with yet");
    let destroy = |witnesses: Value| {
        json!({"type": "dispose_property", "at": day("2026-09-01"), "method": "销毁",
               "witnesses": witnesses, "av_ref": "AV-0901-1"})
    };
    let r = command(&c.app, &c.token, &id, v, destroy(json!(["社区居委会 赵某"]))).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-094", "one witness");
    for s in [destroy(json!(["社区居委会 赵某", "市场监管所 钱某"])), close] {
        let r = command(&c.app, &c.token, &id, v, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        v += 1;
    }
    log_reproduces(&c, liuhen_core::calendar::WorkCalendar::china()).await;
}

/// Something that already exists is said so (409 DUPLICATE, naming it), never as a concurrent
/// change: a case number, a username, a certificate number.
#[tokio::test]
async fn a_duplicate_case_number_username_or_certificate_is_named_as_such() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    app.open_inspection(&token, "栗街检〔2026〕5号").await;
    let body = json!({"case_no": "栗街检〔2026〕5号", "matter": "消防安全检查", "kind": "routine", "basis": "检查计划",
        "source": "inspection", "reason": "例行检查", "received_at": 1_795_568_400_000_i64});
    let before = app.store.tree_size();
    let r = app.post_as("/api/cases/inspections", &token, &body).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("DUPLICATE")));
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("案号 栗街检〔2026〕5号 已存在") && !message.contains("他人修改"), "{message}");
    let admin = app.login_admin().await;
    let r = app
        .post_as(
            "/api/users",
            &admin,
            &json!({"username": HEAD, "roles": "officer", "password": "a-long-enough-password"}),
        )
        .await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("DUPLICATE")));
    assert!(r.json()["error"]["message"].as_str().unwrap().contains(&format!("用户名 {HEAD} 已被使用")));
    let cert =
        json!({"name": "王明", "cert_no": "13020001", "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"});
    assert_eq!(app.post_as("/api/officers", &token, &cert).await.status, StatusCode::CREATED);
    let r = app.post_as("/api/officers", &token, &cert).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("DUPLICATE")));
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("执法证号 13020001 已登记"));
    // Typed with a Chinese keyboard, the same 执法证号 is the same number.
    let mut wide = cert.clone();
    wide["cert_no"] = json!(" １３０２０００１ ");
    let r = app.post_as("/api/officers", &token, &wide).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("DUPLICATE")));
    // What the description forbids is a 400; an unknown role is one of them.
    for (path, who, body) in [
        (
            "/api/officers",
            &token,
            json!({"name": "王明", "cert_no": "1302/0001", "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"}),
        ),
        (
            "/api/officers",
            &token,
            json!({"name": " ", "cert_no": "13020002", "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"}),
        ),
        (
            "/api/users",
            &admin,
            json!({"username": "wang2", "roles": "officer,foo", "password": "a-long-enough-password"}),
        ),
    ] {
        assert_eq!(app.post_as(path, who, &body).await.status, StatusCode::BAD_REQUEST, "{body}");
    }
    // Nothing of the refused ones was recorded (the officer is).
    assert_eq!(app.store.tree_size(), before + 3, "the administrator signs in and changes the password; the officer");
}

/// A period in calendar days is counted without the working-day calendar; one in working days
/// crossing a year the calendar lacks (the shipped one ends with 2026) is shown by calendar days,
/// marked 暂按自然日 — never left blank — and counted exactly once the office adds the year.
#[tokio::test]
async fn a_deadline_in_a_year_the_calendar_lacks_is_shown_by_calendar_days() {
    let c = ctx().await;
    let body = json!({"case_no": "栗街罚〔2026〕60号", "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
                      "reason": "群众举报", "received_at": day("2026-10-09")});
    let id = create(&c.app, &c.staff.handler, "/api/cases/penalties", body).await;
    c.app.approved_form(&c.staff, &id, "D02").await;
    let r = command(
        &c.app,
        &c.token,
        &id,
        1,
        json!({"type": "file", "filed_at": day("2026-10-10"), "violation_ended": "2026-10-01"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    let t03 = case["data"]["deadlines"].as_array().unwrap().iter().find(|d| d["code"] == "T-03").unwrap().clone();
    // Ninety plain days from 2026-10-10: 2027-01-08, the end of that day in Asia/Shanghai — a
    // period in calendar days does not wait for the working-day calendar (a Friday: exact).
    assert_eq!(t03["due"], json!(liuhen_core::time::Date::parse("2027-01-08").unwrap().end().0), "{t03}");
    assert_eq!(t03["provisional"], false, "{t03}");
    // A period in working days into 2027 is shown by calendar days, marked 暂按自然日.
    let licence = json!({"case_no": "栗街许〔2026〕60号", "matter": "临时占用道路审批", "received_at": day("2026-12-24"),
        "materials": ["申请书"], "receipt_issued": true, "applicant": citizen()});
    let lid = create(&c.app, &c.staff.handler, "/api/cases/licences", licence).await;
    let r =
        command(&c.app, &c.token, &lid, 1, json!({"type": "accept", "at": day("2026-12-28"), "voucher_sealed": true}))
            .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let list = c.app.get("/api/deadlines?limit=500", Some(&c.token)).await.json()["deadlines"].clone();
    let item = list.as_array().unwrap().iter().find(|d| d["case_id"] == lid.as_str()).unwrap().clone();
    assert!(item["label"].as_str().unwrap().contains("暂按自然日"), "{item}");
    assert_ne!(item["status"], "unknown", "{item}");
    // With 2027 in the calendar the same deadline is exact: not provisional.
    let with_2027 = ctx_with(calendar_with_2027()).await;
    let id = create(&with_2027.app, &with_2027.staff.handler, "/api/cases/penalties", json!({"case_no": "栗街罚〔2026〕61号",
        "matter": "违法建设", "party_kind": "citizen", "source": "complaint", "reason": "群众举报", "received_at": day("2026-10-09")}))
    .await;
    with_2027.app.approved_form(&with_2027.staff, &id, "D02").await;
    let r = command(
        &with_2027.app,
        &with_2027.token,
        &id,
        1,
        json!({"type": "file", "filed_at": day("2026-10-10"), "violation_ended": "2026-10-01"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let case = with_2027.app.get(&format!("/api/cases/{id}"), Some(&with_2027.token)).await.json();
    let t03 = case["data"]["deadlines"].as_array().unwrap().iter().find(|d| d["code"] == "T-03").unwrap().clone();
    assert_eq!(t03["provisional"], false, "{t03}");
    assert_eq!(t03["due"], json!(liuhen_core::time::Date::parse("2027-01-08").unwrap().end().0), "a Friday: {t03}");
}

/// R-064b: nothing is recorded as having happened after now (five minutes' grace for a fast
/// clock), and dates keep their legal order — a payment never before the decision was served.
#[tokio::test]
async fn times_ahead_of_the_server_or_out_of_legal_order_are_refused() {
    let c = ctx().await;
    let minute = 60_000;
    // A case received 400 days ahead.
    let body = |received_at: i64| {
        json!({"case_no": "栗街检〔2027〕1号", "matter": "食品经营监督检查", "kind": "triggered", "basis": "投诉",
               "source": "complaint", "reason": "群众投诉", "received_at": received_at})
    };
    let r = c.app.post_as("/api/cases/inspections", &c.token, &body(CLOCK_MS + 400 * 24 * HOUR)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-064b", "{}", String::from_utf8_lossy(&r.body));
    // Nor long before any law it records under: the epoch, or a time before year 0.
    for early in [0, -62_200_000_000_000, day("1989-12-31")] {
        let r = c.app.post_as("/api/cases/inspections", &c.token, &body(early)).await;
        assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-064b", "{}", String::from_utf8_lossy(&r.body));
    }
    let id = create(&c.app, &c.token, "/api/cases/inspections", body(CLOCK_MS - HOUR)).await;
    // An on-site act dated 40 days ahead, and one whose credentials were shown tomorrow.
    let mut ahead = act(&[&c.a, &c.b], true, false);
    ahead["at"] = json!(CLOCK_MS + 40 * 24 * HOUR);
    let r = command(&c.app, &c.token, &id, 1, on_site(ahead)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-064b", "{}", String::from_utf8_lossy(&r.body));
    let mut shown = act(&[&c.a, &c.b], true, false);
    shown["at"] = json!(CLOCK_MS - HOUR);
    shown["officers"][1]["id_shown_at"] = json!(CLOCK_MS + 24 * HOUR);
    let r = command(&c.app, &c.token, &id, 1, on_site(shown)).await;
    let v = r.json();
    assert_eq!(v["error"]["violations"][0]["rule"], "R-064b", "{v}");
    assert!(v["error"]["violations"][0]["detail"].as_str().unwrap().contains("officers[1].id_shown_at"), "{v}");
    // Four minutes ahead is a clock running fast, not a lie.
    let mut fast = act(&[&c.a, &c.b], true, false);
    fast["at"] = json!(CLOCK_MS + 4 * minute);
    fast["officers"][0]["id_shown_at"] = json!(CLOCK_MS + 4 * minute);
    fast["officers"][1]["id_shown_at"] = json!(CLOCK_MS + 4 * minute);
    let r = command(&c.app, &c.token, &id, 1, on_site(fast)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    // A payment dated before the decision was served.
    let (pid, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕62号", false).await;
    run(&c, &pid, &mut v, decided_and_served(&c)).await;
    let r = command(&c.app, &c.token, &pid, v, json!({"type": "pay", "at": day("2026-08-17"), "receipt_no": "BANK-1"}))
        .await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-064b", "{}", String::from_utf8_lossy(&r.body));
    let r = command(&c.app, &c.token, &pid, v, json!({"type": "pay", "at": day("2026-08-20"), "receipt_no": "BANK-1"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
}

/// 案号 by the office's scheme: a case opened without a number gets the next of its kind and
/// year (no gap, no reuse); a number typed by hand is kept, and the next follows it.
#[tokio::test]
async fn a_case_opened_without_a_number_gets_the_next_of_its_kind_and_year() {
    let c = ctx().await;
    let lead = |case_no: &str| {
        json!({"case_no": case_no, "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
               "reason": "群众举报", "received_at": day("2026-08-06")})
    };
    let no = |r: super::helpers::Resp| {
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        r.json()["case_no"].as_str().unwrap().to_string()
    };
    // Before the office sets its scheme: the default one, in the server's year.
    assert_eq!(no(c.app.post_as("/api/cases/penalties", &c.token, &lead("")).await), "罚〔2027〕1号");
    let scheme = json!([{"kind": "ordinary_penalty", "pattern": "栗街罚〔{year}〕{n}号"},
                        {"kind": "inspection", "pattern": "栗街检〔{year}〕{n}号"}]);
    let bad = json!([{"kind": "ordinary_penalty", "pattern": "栗街罚{n}号"}]);
    assert_eq!(c.app.put_as("/api/catalogues/numbering", &c.token, &bad).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(c.app.put_as("/api/catalogues/numbering", &c.token, &scheme).await.status, StatusCode::OK);
    assert_eq!(no(c.app.post_as("/api/cases/penalties", &c.token, &lead("")).await), "栗街罚〔2027〕1号");
    assert_eq!(no(c.app.post_as("/api/cases/penalties", &c.token, &lead("")).await), "栗街罚〔2027〕2号");
    // Typed by hand: kept; the next follows the highest.
    assert_eq!(
        no(c.app.post_as("/api/cases/penalties", &c.token, &lead("栗街罚〔2027〕9号")).await),
        "栗街罚〔2027〕9号"
    );
    assert_eq!(no(c.app.post_as("/api/cases/penalties", &c.token, &lead("")).await), "栗街罚〔2027〕10号");
    // Another year's and another kind's numbers are their own sequences.
    assert_eq!(
        no(c.app.post_as("/api/cases/penalties", &c.token, &lead("栗街罚〔2026〕30号")).await),
        "栗街罚〔2026〕30号"
    );
    assert_eq!(no(c.app.post_as("/api/cases/penalties", &c.token, &lead("")).await), "栗街罚〔2027〕11号");
    let r = open(&c.app, &c.token, "", "群众投诉").await;
    assert_eq!(no(r), "栗街检〔2027〕1号");
    // A number already given is never given again.
    let r = c.app.post_as("/api/cases/penalties", &c.token, &lead("栗街罚〔2027〕2号")).await;
    assert_eq!(r.json()["error"]["code"], "DUPLICATE", "{}", String::from_utf8_lossy(&r.body));
    // Six opened at once each get their own next number, none refused.
    let body = lead("");
    let at_once =
        futures::future::join_all((0..6).map(|_| c.app.post_as("/api/cases/penalties", &c.token, &body))).await;
    let mut given: Vec<String> = at_once.into_iter().map(no).collect();
    given.sort();
    let want: Vec<String> = (12..18).map(|n| format!("栗街罚〔2027〕{n}号")).collect();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(given, want_sorted);
}

/// 国办发〔2024〕54号 (R-121): the 权责清单 publishes a yearly cap on inspections of one party
/// under a matter; one over it stands but is flagged. The count is by the party's identity
/// (统一社会信用代码), per matter and year of 程序启动, read from one row, and rebuilt the same from the log.
#[tokio::test]
async fn an_inspection_over_the_published_yearly_cap_is_flagged() {
    let c = ctx().await;
    let matter = json!({"code": "I-020", "name": "燃气安全检查", "kind": "inspection",
        "legal_basis": "《城镇燃气管理条例》第四十一条", "inspection_cap": 2});
    assert_eq!(c.app.post_as("/api/matters", &c.token, &matter).await.status, StatusCode::CREATED);
    let mut zero = matter.clone();
    zero["inspection_cap"] = json!(0);
    assert_eq!(c.app.post_as("/api/matters", &c.token, &zero).await.status, StatusCode::BAD_REQUEST);
    let other = json!({"kind": "legal_person", "name": "迁西县另一商贸有限公司", "uscc": "91130227MA0A1B2C4D",
        "legal_rep": "李某", "address": "迁西县栗乡街道迁安路 14 号"});
    let open = |n: u32, party: Option<Value>, received: &str| {
        let mut body = json!({"case_no": format!("栗街检〔2026〕{n}号"), "matter": "燃气安全检查", "kind": "routine",
            "basis": "2026 年度燃气安全检查计划", "source": "inspection", "reason": "年度计划检查",
            "received_at": day(received)});
        if let Some(p) = party {
            body["party"] = p;
        }
        body
    };
    let mut flagged = Vec::new();
    for (n, party, received) in [
        (61, Some(company()), "2026-03-02"),
        (62, Some(company()), "2026-06-01"),
        // Its third this year: over the cap of two.
        (63, Some(company()), "2026-09-01"),
        // Another party, a party not identified, and the next year start their own counts.
        (64, Some(other.clone()), "2026-09-01"),
        (65, None, "2026-09-02"),
        (66, Some(company()), "2027-01-05"),
    ] {
        let r = c.app.post_as("/api/cases/inspections", &c.token, &open(n, party, received)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        let id = r.json()["id"].as_str().unwrap().to_string();
        let view = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
        if view.to_string().contains("R-121") {
            flagged.push(n);
        }
    }
    assert_eq!(flagged, [63]);
    log_reproduces(&c, calendar_with_2027()).await;
}

/// 行政处罚法第五十二条 (R-016): an on-the-spot penalty started before the party showed their
/// papers cannot be decided until the party is identified; identified on the spot (a bad ID
/// number refused), it is decided and delivered. Not after the decision.
#[tokio::test]
async fn an_on_the_spot_penalty_started_without_a_party_identifies_them_before_deciding() {
    let c = ctx().await;
    let mut start = summary_start(&c, "栗街简罚〔2026〕8号", "citizen");
    start.as_object_mut().unwrap().remove("party");
    let id = create(&c.app, &c.token, "/api/cases/summary-penalties", start).await;
    let decision = json!({"type": "issue_decision", "at": T0, "doc": {"form_no": "No.0000008",
        "legal_basis": "《某条例》第十条", "penalty": {"kind": "warning"}, "signed_by": [&c.a, &c.b]}});
    let identify = |id_number: &str| {
        let mut p = citizen();
        p["id_number"] = json!(id_number);
        json!({"type": "identify_party", "party": p})
    };
    let r =
        command(&c.app, &c.token, &id, 1, json!({"type": "hear", "at": T0, "rights_told": true, "waived": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let r = command(&c.app, &c.staff.handler, &id, 2, decision.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-016", "{}", String::from_utf8_lossy(&r.body));
    let r = command(&c.app, &c.token, &id, 2, identify("130227198005120034")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-016", "a wrong check digit");
    let r = command(&c.app, &c.token, &id, 2, identify("130227198005120033")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let r = command(&c.app, &c.staff.handler, &id, 3, decision).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let r = command(&c.app, &c.token, &id, 4, identify("130227198005120033")).await;
    assert_eq!(r.json()["error"]["code"], "INVALID_STATE", "{}", String::from_utf8_lossy(&r.body));
    let case = c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await.json();
    assert_eq!(case["data"]["party"]["name"], "张某某", "{case}");
    log_reproduces(&c, calendar_with_2027()).await;
}

/// 文号 are never given twice across the office: a pre-numbered 当场处罚决定书 used on one case
/// is refused on another (409 DUPLICATE, nothing recorded), and the rebuild from the log holds the
/// same registry.
#[tokio::test]
async fn a_decisions_number_is_never_given_to_another_case() {
    let c = ctx().await;
    let mut ids = Vec::new();
    for no in ["栗街简罚〔2026〕21号", "栗街简罚〔2026〕22号"] {
        let id = create(&c.app, &c.token, "/api/cases/summary-penalties", summary_start(&c, no, "citizen")).await;
        let r =
            command(&c.app, &c.token, &id, 1, json!({"type": "hear", "at": T0, "rights_told": true, "waived": true}))
                .await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        ids.push(id);
    }
    let decision = json!({"type": "issue_decision", "at": T0, "doc": {"form_no": "No.0000021",
        "legal_basis": "《某条例》第十条", "penalty": {"kind": "warning"}, "signed_by": [&c.a, &c.b]}});
    let r = command(&c.app, &c.staff.handler, &ids[0], 2, decision.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let before = c.app.store.tree_size();
    let r = command(&c.app, &c.staff.handler, &ids[1], 2, decision).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("DUPLICATE")),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(c.app.store.tree_size(), before, "nothing recorded");
    log_reproduces(&c, calendar_with_2027()).await;
}

/// Issue 16: the case list is a page of the store's index, not a pass over every case — an
/// opaque cursor walks it whole without a case twice, and its filters (kind, opening date, a
/// text found in the case number, the party's name or the matter) are the store's.
#[tokio::test]
async fn the_case_list_pages_with_an_opaque_cursor_and_filters() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    assert!(app.seed_demo().await);
    let page = |q: String| {
        let (app, head) = (&app, &head);
        async move {
            let r = app.get(&format!("/api/cases{q}"), Some(head)).await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {}", String::from_utf8_lossy(&r.body));
            r.json()
        }
    };
    let whole = page("?limit=500".into()).await;
    assert!(whole["next_cursor"].is_null(), "{whole}");
    let all: Vec<Value> = whole["cases"].as_array().unwrap().clone();
    assert!(all.len() > 5, "{}", all.len());
    let ids: Vec<&str> = all.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(all.windows(2).all(|w| w[0]["updated_at"].as_i64() >= w[1]["updated_at"].as_i64()), "newest change first");
    // Pages of two, cursor to cursor: every case once, in the same order.
    let (mut walked, mut cursor) = (Vec::new(), String::new());
    loop {
        let p = page(format!("?limit=2{cursor}")).await;
        assert!(p["cases"].as_array().unwrap().len() <= 2);
        walked.extend(p["cases"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()));
        match p["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(walked, ids);
    // A kind.
    let licences = page("?kind=licence".into()).await;
    let expected = all.iter().filter(|c| c["case_type"] == "licence").count();
    assert!(expected > 0);
    assert_eq!(licences["cases"].as_array().unwrap().len(), expected, "{licences}");
    assert!(licences["cases"].as_array().unwrap().iter().all(|c| c["case_type"] == "licence"));
    // A text: part of a case number; a party's name (never in the log, searched in the store).
    let no = all[0]["case_no"].as_str().unwrap().to_string();
    let part: String = no.chars().skip(1).take(no.chars().count() - 2).collect();
    let found = page(format!("?q={}", percent(&part))).await;
    assert!(found["cases"].as_array().unwrap().iter().any(|c| c["case_no"] == no.as_str()), "{part}: {found}");
    let named =
        all.iter().find_map(|c| c["party"].as_str().filter(|p| !p.is_empty()).map(str::to_string)).expect("a party");
    let found = page(format!("?q={}", percent(&named))).await;
    let found = found["cases"].as_array().unwrap();
    assert!(!found.is_empty());
    assert!(found.iter().all(|c| c["party"].as_str().is_some_and(|n| n.contains(&named))
        || c["case_no"].as_str().unwrap().contains(&named)
        || c["matter"].as_str().unwrap().contains(&named)));
    assert!(
        page("?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%E4%BA%BA".into()).await["cases"].as_array().unwrap().is_empty()
    );
    // Opened on a day: that day's cases.
    let day = liuhen_core::time::Timestamp(all[0]["opened_at"].as_i64().unwrap()).shanghai_date().to_string();
    let on = page(format!("?from={day}&to={day}")).await;
    assert!(on["cases"].as_array().unwrap().iter().any(|c| c["id"] == all[0]["id"]), "{on}");
    assert!(page(format!("?to={}", "2000-01-01")).await["cases"].as_array().unwrap().is_empty());
    // The deadlines, a page of two at a time across their ranges (overdue, not computable, the
    // rest): the whole list, in its order, each once.
    let whole = app.get("/api/deadlines?limit=500", Some(&head)).await.json();
    let key = |d: &Value| format!("{}/{}/{}", d["case_id"], d["code"], d["label"]);
    let all_deadlines: Vec<String> = whole["deadlines"].as_array().unwrap().iter().map(key).collect();
    assert!(all_deadlines.len() > 4, "{whole}");
    let (mut walked, mut cursor) = (Vec::new(), String::new());
    for _ in 0..100 {
        let p = app.get(&format!("/api/deadlines?limit=2{cursor}"), Some(&head)).await.json();
        walked.extend(p["deadlines"].as_array().unwrap().iter().map(key));
        match p["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(walked, all_deadlines);
    let ranks: Vec<u8> = whole["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| match d["status"].as_str().unwrap() {
            "overdue" => 0,
            "unknown" => 1,
            _ => 2,
        })
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "overdue first: {ranks:?}");
    // The 审批待办 the same way, a row at a time (two seizures proposed wait for the 负责人 too).
    for n in [6, 7] {
        let measure = json!({"case_no": format!("栗街强〔2026〕{n}号"), "matter": "扣押占道经营物品", "kind": "seize",
            "items": ["三轮车一辆"], "reason": "经责令仍占道经营", "legal_basis": "《河北省城乡市容和环境卫生条例》",
            "property": {"related_to_case": true, "necessities_excluded": true, "not_sealed_elsewhere": true}});
        let r = app.post_as("/api/cases/coercive-measures", &head, &measure).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    }
    let whole = app.get("/api/inbox?limit=500", Some(&head)).await.json();
    let tasks: Vec<Value> = whole["inbox"].as_array().unwrap().clone();
    assert!(tasks.len() >= 2, "{whole}");
    let (mut walked, mut cursor) = (Vec::new(), String::new());
    for _ in 0..100 {
        let p = app.get(&format!("/api/inbox?limit=1{cursor}"), Some(&head)).await.json();
        walked.extend(p["inbox"].as_array().unwrap().iter().cloned());
        match p["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(walked, tasks);
    // What no page is: 400.
    assert_eq!(app.get("/api/inbox?cursor=zz", Some(&head)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/api/deadlines?cursor=zz", Some(&head)).await.status, StatusCode::BAD_REQUEST);
    for bad in ["?cursor=zz!!", "?limit=0", "?limit=501", "?from=2026-13-01", "?limit=x"] {
        let r = app.get(&format!("/api/cases{bad}"), Some(&head)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", String::from_utf8_lossy(&r.body));
    }
}

/// `s` percent-encoded for a query string.
fn percent(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The deadline list and the 审批待办 filter as the case list does — by the case's kind, unit,
/// officer and matter, and the deadlines by kind, standing and due dates — each answer exactly
/// the rows of the whole list that match; a parameter no list names is 400, not ignored.
#[tokio::test]
async fn the_deadlines_and_the_inbox_filter_by_case_kind_standing_and_due_date() {
    let app = spawn_app(LogAccess::Public).await;
    app.clock.set(liuhen_server::app::now_ms());
    let token = app.login().await;
    assert!(app.seed_demo().await);
    let cases: std::collections::HashMap<String, liuhen_store::CaseRecord> =
        app.store.cases(1_000).await.unwrap().into_iter().map(|c| (c.id.clone(), c)).collect();
    let all = app.get("/api/deadlines?limit=500", Some(&token)).await.json()["deadlines"].as_array().unwrap().clone();
    let of_cases: Vec<&Value> = all.iter().filter(|d| d["case_id"] != "").collect();
    assert!(of_cases.len() >= 5, "{all:?}");
    let rows = |path: &str, key: &str| {
        let (app, path, token, key) = (&app, path.to_string(), token.clone(), key.to_string());
        async move {
            let r = app.get(&path, Some(&token)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&r.body));
            r.json()[key.as_str()].as_array().unwrap().clone()
        }
    };
    let key = |d: &Value| format!("{}/{}/{}", d["case_id"], d["code"], d["due"]);
    let keys = |v: Vec<&Value>| v.into_iter().map(key).collect::<Vec<_>>();
    // By the case.
    let some = &cases[of_cases[0]["case_id"].as_str().unwrap()];
    for (param, value, holds) in [
        (
            "kind",
            some.case_type.clone(),
            Box::new(|c: &liuhen_store::CaseRecord| c.case_type == some.case_type) as Box<dyn Fn(&_) -> bool>,
        ),
        ("unit", some.unit.clone(), Box::new(|c: &liuhen_store::CaseRecord| c.unit == some.unit)),
        ("matter", some.matter.clone(), Box::new(|c: &liuhen_store::CaseRecord| c.matter == some.matter)),
    ] {
        let want = keys(of_cases.iter().copied().filter(|d| holds(&cases[d["case_id"].as_str().unwrap()])).collect());
        let path = format!("/api/deadlines?limit=500&{param}={}", urlencoding(&value));
        let got = rows(&path, "deadlines").await;
        assert_eq!(got.iter().map(key).collect::<Vec<_>>(), want, "{param}={value}");
        assert!(!want.is_empty(), "{param}");
    }
    assert!(rows("/api/deadlines?limit=500&unit=无此机构", "deadlines").await.is_empty());
    let officer = some.officers.split(',').find(|o| !o.is_empty()).unwrap().to_string();
    let want = keys(
        of_cases
            .iter()
            .copied()
            .filter(|d| cases[d["case_id"].as_str().unwrap()].officers.contains(&format!(",{officer},")))
            .collect(),
    );
    let got = rows(&format!("/api/deadlines?limit=500&officer={officer}"), "deadlines").await;
    assert_eq!(got.iter().map(key).collect::<Vec<_>>(), want);
    assert!(want.len() < of_cases.len(), "an officer's deadlines are some of them");
    // Every deadline the demo's cases hold is of a code the list may be narrowed to, and every
    // case is in a state the case list may be narrowed to (a code left out of either list would
    // be refused as unknown).
    let codes = liuhen_server::app::deadlines::codes();
    assert!(all.iter().all(|d| codes.contains(&d["code"].as_str().unwrap())), "{all:?}");
    for c in cases.values() {
        assert!(liuhen_server::app::cases::state_codes(Some(&c.case_type)).contains(&c.state.as_str()), "{}", c.state);
        let r = app.get(&format!("/api/cases?limit=500&kind={}&state={}", c.case_type, c.state), Some(&token)).await;
        assert!(r.json()["cases"].as_array().unwrap().iter().any(|x| x["id"] == c.id.as_str()), "{}", c.state);
    }
    // By kind of deadline, by standing, by due dates.
    let code = of_cases[0]["code"].as_str().unwrap().to_string();
    let got = rows(&format!("/api/deadlines?limit=500&code={code}"), "deadlines").await;
    assert!(got.len() < of_cases.len());
    assert_eq!(
        got.iter().map(key).collect::<Vec<_>>(),
        keys(of_cases.iter().copied().filter(|d| d["code"] == code.as_str()).collect())
    );
    let overdue = rows("/api/deadlines?limit=500&status=overdue", "deadlines").await;
    assert!(!overdue.is_empty() && overdue.iter().all(|d| d["status"] == "overdue"), "{overdue:?}");
    let upcoming = rows("/api/deadlines?limit=500&status=upcoming", "deadlines").await;
    assert!(upcoming.iter().all(|d| d["status"] == "due_soon" || d["status"] == "pending"), "{upcoming:?}");
    let unknown = rows("/api/deadlines?limit=500&status=unknown", "deadlines").await;
    assert_eq!(overdue.len() + upcoming.len() + unknown.len(), of_cases.len());
    // The filter speaks the rows' own words: `due_soon` and `pending` split `upcoming`.
    let soon = rows("/api/deadlines?limit=500&status=due_soon", "deadlines").await;
    let later = rows("/api/deadlines?limit=500&status=pending", "deadlines").await;
    assert!(soon.iter().all(|d| d["status"] == "due_soon"), "{soon:?}");
    assert!(later.iter().all(|d| d["status"] == "pending"), "{later:?}");
    assert_eq!(
        keys(soon.iter().chain(&later).collect()),
        keys(upcoming.iter().collect()),
        "due_soon and pending are upcoming, split"
    );
    let day = |ms: i64| liuhen_core::time::Timestamp(ms).shanghai_date().to_string();
    let due = of_cases.iter().filter_map(|d| d["due"].as_i64().filter(|t| *t > 0)).min().unwrap();
    let on_that_day = rows(&format!("/api/deadlines?limit=500&from={}&to={}", day(due), day(due)), "deadlines").await;
    assert!(!on_that_day.is_empty());
    assert!(on_that_day.iter().all(|d| day(d["due"].as_i64().unwrap()) == day(due)), "{on_that_day:?}");
    // The 审批待办 by the case.
    let inbox = rows("/api/inbox?limit=500", "inbox").await;
    assert!(!inbox.is_empty());
    let first = &cases[inbox[0]["case_id"].as_str().unwrap()];
    let narrowed = rows(&format!("/api/inbox?limit=500&kind={}", first.case_type), "inbox").await;
    let want: Vec<&Value> =
        inbox.iter().filter(|p| cases[p["case_id"].as_str().unwrap()].case_type == first.case_type).collect();
    assert_eq!(narrowed.iter().collect::<Vec<_>>(), want);
    let other = if first.case_type == "licence" { "inspection" } else { "licence" };
    assert!(rows(&format!("/api/inbox?limit=500&kind={other}"), "inbox").await.is_empty());
    assert!(rows("/api/inbox?limit=500&unit=无此机构", "inbox").await.is_empty());
    // A parameter no list names, or a bad value: 400.
    for path in [
        "/api/deadlines?bogus=1",
        "/api/deadlines?status=late",
        "/api/deadlines?from=2026-13-01",
        "/api/inbox?sort=due",
        "/api/cases?limt=5",
        "/api/av/overdue?page=2",
        "/api/devices?x=1",
        "/api/recordings?sha=00",
        "/api/officers?x=1",
        "/api/matters?x=1",
        "/api/grants?x=1",
        "/api/tokens?x=1",
        "/api/cases?kind=nonsense",
        "/api/deadlines?kind=nonsense",
        "/api/cases?state=nonsense",
        "/api/cases?kind=licence&state=decided",
        "/api/deadlines?code=T-99",
    ] {
        assert_eq!(app.get(path, Some(&token)).await.status, StatusCode::BAD_REQUEST, "{path}");
    }
    for path in [format!("/api/cases/{}?bogus=1", some.id), format!("/api/cases/{}/party-access?x=1", some.id)] {
        assert_eq!(app.get(&path, Some(&token)).await.status, StatusCode::BAD_REQUEST, "{path}");
    }
    // An address or a method nothing answers: a body with a stable code, as every error has.
    let r = app.get("/api/nope", Some(&token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"]["code"], "NOT_FOUND");
    let r = app
        .request(
            axum::http::Request::delete("/api/cases")
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["error"]["code"], "METHOD_NOT_ALLOWED");
}

fn urlencoding(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The office profile and the catalogues are saved whole by whoever edits them: a save names
/// the version its editor read (`If-Match`, the `ETag` of the read), and one saved since is a
/// conflict (409) with nothing appended — two editors do not lose each other's change unseen.
#[tokio::test]
async fn a_reference_save_names_the_version_its_editor_read() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    assert!(app.seed_demo().await);
    let send = |method: &'static str, path: &'static str, if_match: Option<String>, body: Option<Value>| {
        let (app, token) = (&app, token.clone());
        async move {
            let mut b = axum::http::Request::builder()
                .method(method)
                .uri(path)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json");
            if let Some(m) = if_match {
                b = b.header("if-match", m);
            }
            let body = body.map_or(axum::body::Body::empty(), |v| axum::body::Body::from(v.to_string()));
            app.request(b.body(body).unwrap()).await
        }
    };
    for path in ["/api/agency", "/api/catalogues/phrases"] {
        let read = send("GET", path, None, None).await;
        assert_eq!(read.status, StatusCode::OK);
        let tag = read.headers.get("etag").expect("an ETag").to_str().unwrap().to_string();
        let body = read.json();
        // Saved over what was read: a new version.
        let saved = send("PUT", path, Some(tag.clone()), Some(body.clone())).await;
        assert_eq!(saved.status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&saved.body));
        let new_tag = saved.headers.get("etag").unwrap().to_str().unwrap().to_string();
        assert_ne!(new_tag, tag);
        // Saved again over the old read: refused, nothing appended.
        let size = liuhen_store::Log::tree_size(&app.store);
        let stale = send("PUT", path, Some(tag.clone()), Some(body.clone())).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{path}");
        assert_eq!(liuhen_store::Log::tree_size(&app.store), size);
        assert_eq!(send("PUT", path, Some("\"x\"".into()), Some(body.clone())).await.status, StatusCode::BAD_REQUEST);
        // Without If-Match: replaced whatever it is.
        assert_eq!(send("PUT", path, None, Some(body)).await.status, StatusCode::OK);
    }
}

/// 办法第二十四条 保密: the phones and identity numbers typed in a case's own text — the report's
/// discretion, the unit's opinion — are starred for a reader who does not handle the case (the
/// 监督人员), and the signature over the opinion is withheld from that reader: over a short
/// number it is a way to find it (helper 18). Those who handle the case read them whole.
#[tokio::test]
async fn numbers_in_a_cases_own_text_are_starred_for_those_who_do_not_handle_it() {
    let c = ctx().await;
    let (id, _) = ordinary_to_notice(&c, "栗街罚〔2026〕77号", false).await;
    let phone = "13912345678";
    let admin = c.app.login_admin().await;
    let supervisor = c.app.account(&admin, "jiancha7", "supervisor").await;
    let r = c.app.get(&format!("/api/cases/{id}?purpose=%E8%AF%84%E6%9F%A5"), Some(&supervisor)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert!(!r.body.windows(phone.len()).any(|w| w == phone.as_bytes()), "the phone whole to the supervisor");
    let seen = r.json();
    let text = seen.to_string();
    assert!(text.contains("首次违法，从轻（当事人电话***********）"), "{text}");
    let proposed = seen["timeline"].as_array().unwrap().iter().find(|t| t["action"] == "case.proposed").unwrap();
    let unit = &proposed["recorded"]["unit"];
    assert_eq!(unit["opinion"], "拟同意承办人意见，已电话***********告知", "{proposed}");
    assert!(proposed.to_string().contains("\"signature_withheld\":true"), "{proposed}");
    // So is a record read on its own, as JSON and as its page (helper 19).
    for path in [
        format!("/api/cases/{id}/records/evidence/0?purpose=%E8%AF%84%E6%9F%A5"),
        format!("/cases/{id}/records/evidence/0"),
    ] {
        let r = c.app.get(&path, Some(&supervisor)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&r.body));
        let body = String::from_utf8_lossy(&r.body);
        assert!(body.contains("答：***********") && !body.contains(phone), "{path}: {body}");
    }
    // The handler reads it whole, with the signature to check.
    let r = c.app.get(&format!("/api/cases/{id}?purpose=%E5%8A%9E%E7%90%86"), Some(&c.staff.handler)).await;
    let mine = r.json();
    let proposed = mine["timeline"].as_array().unwrap().iter().find(|t| t["action"] == "case.proposed").unwrap();
    assert!(proposed.to_string().contains(phone) && !proposed.to_string().contains("signature_withheld"), "{proposed}");
}

/// A party's request to read the file: the numbers typed in it and in its steps (a refusal's
/// reasons) are starred for a reader who does not handle the case (helper 18).
#[tokio::test]
async fn numbers_in_a_party_access_request_are_starred_for_those_who_do_not_handle_the_case() {
    let c = ctx().await;
    let (id, _) = ordinary_to_notice(&c, "栗街罚〔2026〕78号", false).await;
    let (phone, number) = ("13712345678", "11010519491231002X");
    let t = day("2026-08-15");
    let ask = json!({"at": t, "requester": format!("张某某（电话{phone}）"), "relation": "当事人本人",
        "id_checked": format!("居民身份证{number}"), "records": "现场检查笔录", "purpose": format!("准备陈述申辩，回电{phone}"),
        "mode": "view"});
    let r = c.app.post_as(&format!("/api/cases/{id}/party-access"), &c.staff.handler, &ask).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let rid = r.json()["id"].as_str().unwrap().to_string();
    let no = json!({"type": "decide", "at": t + HOUR, "approved": false, "reasons": format!("不予提供，请致电{phone}，身份证{number}")});
    let r = c.app.post_as(&format!("/api/cases/{id}/party-access/{rid}"), &c.token, &no).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let admin = c.app.login_admin().await;
    let supervisor = c.app.account(&admin, "jiancha6", "supervisor").await;
    let r = c.app.get(&format!("/api/cases/{id}/party-access"), Some(&supervisor)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    for secret in [phone, number] {
        assert!(!r.body.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} whole: {}", r.json());
    }
    let mine = c.app.get(&format!("/api/cases/{id}/party-access"), Some(&c.staff.handler)).await;
    assert!(mine.body.windows(phone.len()).any(|w| w == phone.as_bytes()), "the handler reads it whole");
}
