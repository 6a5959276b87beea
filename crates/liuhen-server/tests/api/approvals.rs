//! Who did it is who is recorded (办法第十五条; 电子签名法第十三条): every approval, review and
//! decision step is taken by the signed-in account that holds its role, and the record names
//! that account and the server's date — never a name or a date the client typed. Each step is
//! tried with the wrong accounts first, and with forged names in the body.

use crate::helpers::*;
use axum::http::StatusCode;
use liuhen_server::LogAccess;
use liuhen_store::{Log as _, ProjectionReads as _};
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;

async fn officer(app: &TestApp, token: &str, name: &str, cert: &str, lawyer: bool) -> String {
    let body = json!({"name": name, "cert_no": cert, "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31",
                      "legal_qualification": lawyer});
    let r = app.post_as("/api/officers", token, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    r.json()["id"].as_str().unwrap().to_string()
}

async fn command(app: &TestApp, token: &str, id: &str, version: u64, cmd: Value) -> Resp {
    let cmd = app.signed_step(token, cmd).await;
    app.post_as(&format!("/api/cases/{id}/commands"), token, &json!({"expected_version": version, "command": cmd}))
        .await
}

fn refused_as_not_yours(r: &Resp, who: &str) {
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{who}");
}

fn person(users: &[liuhen_store::UserRecord], username: &str) -> String {
    format!("user:{}", users.iter().find(|u| u.username == username).unwrap().id)
}

fn today() -> String {
    clock_date()
}

/// Officers, a 法制审核人员 with 法律职业资格, and the accounts of each approval role.
async fn office() -> (TestApp, Staff, [String; 2]) {
    // Periods counted in working days may reach into 2027, which the shipped calendar lacks.
    let mut cal = liuhen_core::calendar::WorkCalendar::china();
    cal.merge(liuhen_core::calendar::WorkCalendar::parse("year 2027\noff 2027-01-01 元旦").unwrap());
    let app = spawn_app_with_calendar(LogAccess::Public, cal).await;
    let head = app.login().await;
    let a = officer(&app, &head, "王明", "13020001", false).await;
    let b = officer(&app, &head, "李华", "13020002", false).await;
    let lawyer = officer(&app, &head, "刘法制", "13020009", true).await;
    let staff = app.staff(&a, &lawyer).await;
    (app, staff, [a, b])
}

#[tokio::test]
async fn a_seizure_is_approved_only_by_the_head_and_the_record_names_the_heads_account() {
    let (app, staff, _) = office().await;
    let measure = json!({"case_no": "栗街强〔2026〕2号", "matter": "扣押占道经营物品", "kind": "seize",
        "items": ["三轮车一辆"], "reason": "经责令仍占道经营", "legal_basis": "《河北省城乡市容和环境卫生条例》",
        "party": {"kind": "natural_person", "name": "张某某", "id_type": "居民身份证", "id_number": "130227198005120033",
                  "address": "迁西县栗乡街道幸福路 8 号", "phone": "13800000000"},
        "property": {"related_to_case": true, "necessities_excluded": true, "not_sealed_elsewhere": true}});
    let r = app.post_as("/api/cases/coercive-measures", &staff.handler, &measure).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_string();
    // The old shape, naming the 负责人: a field the description does not have, refused whoever
    // sends it, even the 负责人.
    let forged = json!({"type": "approve", "opinion": "同意扣押",
                        "approver": {"by": "张主任", "opinion": "同意扣押", "date": "2026-11-02"}});
    assert_eq!(command(&app, &staff.head, &id, 1, forged).await.status, StatusCode::BAD_REQUEST);
    let approve = json!({"type": "approve", "opinion": "同意扣押"});
    for (who, token) in
        [("承办人", &staff.handler), ("承办机构负责人", &staff.unit_head), ("法制审核人员", &staff.legal)]
    {
        refused_as_not_yours(&command(&app, token, &id, 1, approve.clone()).await, who);
    }
    // The 负责人's own key signs it: without their password (or with another's) nothing is recorded.
    let before = app.store.tree_size();
    for wrong in ["", "changed-pass-2"] {
        let mut body = approve.clone();
        body["password"] = json!(wrong);
        refused_as_not_yours(&command(&app, &staff.head, &id, 1, body).await, "a wrong password");
    }
    assert_eq!(app.store.tree_size(), before, "a refused signature writes nothing");
    let r = command(&app, &staff.head, &id, 1, approve).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let users = app.store.users().await.unwrap();
    let approved = details(&app, &id).await.into_iter().find(|d| d["event"] == "approved").unwrap();
    assert_eq!(approved["approver"]["person"], person(&users, HEAD), "{approved}");
    assert_eq!(approved["approver"]["by"], HEAD_NAME, "the account's name");
    assert_eq!(approved["approver"]["date"], today(), "the server's date");
    // The signature covers all the step records, and OpenSSL checks it from the API alone.
    let signed = openssl_verifies_step(&app, &staff.head, &id, "approved").await;
    assert_eq!(
        (signed["person"].as_str(), signed["name"].as_str()),
        (Some(person(&users, HEAD).as_str()), Some(HEAD_NAME))
    );
    assert_eq!(signed["step"], "approve");
}

/// An account that belongs to no officer (a 负责人 without a 执法证) is recorded under the name
/// the administrator gave it, not its username; the name stays behind the account's commitment
/// (never in the public log) and the rebuild from the log gives it back.
#[tokio::test]
async fn an_account_without_an_officer_is_recorded_under_its_own_name() {
    let (app, staff, _) = office().await;
    let admin = app.login_admin().await;
    let body = json!({"username": "zhaozhuren", "roles": "approver", "password": "initial-pass-1", "name": "赵主任"});
    let r = app.post_as("/api/users", &admin, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["name"], "赵主任");
    // One name, one account: a second 赵主任 would make the record ambiguous.
    let twin = json!({"username": "zhao2", "roles": "approver", "password": "initial-pass-1", "name": "赵主任"});
    let r = app.post_as("/api/users", &admin, &twin).await;
    assert_eq!(r.json()["error"]["code"], "DUPLICATE", "{}", String::from_utf8_lossy(&r.body));
    // 三员分立: the 系统管理员 holds no role that sees case content, so never grants its own.
    let both = json!({"username": "sa2", "roles": "sysadmin,approver", "password": "initial-pass-1"});
    let r = app.post_as("/api/users", &admin, &both).await;
    assert_eq!(r.json()["error"]["code"], "UNPROCESSABLE", "{}", String::from_utf8_lossy(&r.body));
    app.approve_all_grants().await;
    let zhao = app.login_as("zhaozhuren", "initial-pass-1").await;
    app.change_password(&zhao, "initial-pass-1", "changed-pass-2").await;
    let measure = json!({"case_no": "栗街强〔2026〕9号", "matter": "扣押占道经营物品", "kind": "seize",
        "items": ["三轮车一辆"], "reason": "经责令仍占道经营", "legal_basis": "《河北省城乡市容和环境卫生条例》",
        "property": {"related_to_case": true, "necessities_excluded": true, "not_sealed_elsewhere": true}});
    let r = app.post_as("/api/cases/coercive-measures", &staff.handler, &measure).await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    let r = command(&app, &zhao, &id, 1, json!({"type": "approve", "opinion": "同意扣押"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let approved = details(&app, &id).await.into_iter().find(|d| d["event"] == "approved").unwrap();
    assert_eq!(approved["approver"]["by"], "赵主任", "{approved}");
    let public = private_text_in_public_log(&app.data.db_path());
    assert!(!public.iter().any(|s| s.contains("赵主任")), "{public:?}");
    let again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// The 法制审核 stays apart from the handling (R-007): a 法制审核人员 takes no step of a case's
/// handling, and an account that took one — here, by opening the case — does not review it,
/// whatever officer it is linked to.
#[tokio::test]
async fn a_legal_reviewer_does_not_handle_a_case_and_an_account_that_handled_it_does_not_review_it() {
    let (app, staff, _) = office().await;
    let lead = |no: &str| {
        json!({"case_no": no, "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
               "reason": "群众举报", "received_at": liuhen_server::app::now_ms() - 3 * DAY})
    };
    let r = app.post_as("/api/cases/penalties", &staff.handler, &lead("栗街罚〔2026〕41号")).await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    let conclude = json!({"type": "conclude", "facts": "搭建彩钢房", "evidence": ["现场勘验笔录"],
        "legal_basis": "《城乡规划法》第六十五条", "discretion": "按基准", "proposal": {"kind": "warning"}});
    refused_as_not_yours(&command(&app, &staff.legal, &id, 1, conclude).await, "legal reviewer concluding");
    // The reviewer's step reaches the case's state, not R-007: this account handled nothing.
    let review = json!({"type": "legal_review", "passed": true, "opinion": "同意"});
    let r = command(&app, &staff.legal, &id, 1, review.clone()).await;
    assert_eq!(r.json()["error"]["code"], "INVALID_STATE", "{}", String::from_utf8_lossy(&r.body));
    // An officer's second account is refused (one officer, one account).
    let lawyer = app.store.users().await.unwrap().into_iter().find(|u| u.username == "fazhi").unwrap().officer_id;
    let admin = app.login_admin().await;
    let body = json!({"username": "fazhi-2", "roles": "officer", "password": "initial-pass-1", "officer_id": lawyer});
    let r = app.post_as("/api/users", &admin, &body).await;
    assert_eq!(r.json()["error"]["code"], "DUPLICATE", "{}", String::from_utf8_lossy(&r.body));
    // An account that is both an officer and a reviewer opens a case, then tries to review it.
    let second = officer(&app, &staff.head, "刘二", "13020019", true).await;
    let both = app.account_for("fazhi2", "officer,legal_reviewer", &second).await;
    let r = app.post_as("/api/cases/penalties", &both, &lead("栗街罚〔2026〕42号")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let own = r.json()["id"].as_str().unwrap().to_string();
    let before = app.store.tree_size();
    let r = command(&app, &both, &own, 1, review).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-007", "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(app.store.tree_size(), before, "nothing recorded");
}

#[tokio::test]
async fn filing_rests_on_the_filing_form_and_names_each_account_that_approved_it() {
    let (app, staff, _) = office().await;
    let lead = json!({"case_no": "栗街罚〔2026〕3号", "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
                      "reason": "群众举报", "received_at": liuhen_server::app::now_ms() - 3 * DAY});
    let r = app.post_as("/api/cases/penalties", &staff.handler, &lead).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_string();
    // A chain typed into the command, however complete, files nothing.
    let forged = json!({"type": "file", "filed_at": liuhen_server::app::now_ms() - DAY, "violation_ended": "2026-07-30",
        "approval": {"handler": {"by": "王明", "opinion": "建议立案", "date": "2026-08-07"},
                     "reviewer": {"by": "李华", "opinion": "同意", "date": "2026-08-07"},
                     "approver": {"by": "张主任", "opinion": "同意", "date": "2026-08-07"}}});
    let r = command(&app, &staff.head, &id, 1, forged.clone()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&r.body));
    let mut bare = forged.clone();
    bare.as_object_mut().unwrap().remove("approval");
    let r = command(&app, &staff.head, &id, 1, bare.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-131", "{}", String::from_utf8_lossy(&r.body));
    // Nor does a form with two of its three steps.
    let d = app.draft_form(&staff, &id, "D02").await;
    let form = d["id"].as_str().unwrap().to_string();
    let step = |step: &str| json!({"type": "approve", "step": step, "opinion": "同意立案", "reason": "有违法事实", "content_hash": d["content_hash"]});
    let approve = |token: String, body: Value| {
        let app = &app;
        let form = form.clone();
        async move { app.document_command(&token, &form, &body).await }
    };
    // Each step only by its role: the 承办人's by an officer, the 审核 by the unit's head, the
    // 批准 by the 负责人; one account never takes two steps.
    refused_as_not_yours(&approve(staff.unit_head.clone(), step("handler")).await, "unit head as handler");
    assert_eq!(approve(staff.handler.clone(), step("handler")).await.status, StatusCode::OK);
    refused_as_not_yours(&approve(staff.handler.clone(), step("reviewer")).await, "handler as reviewer");
    refused_as_not_yours(&approve(staff.head.clone(), step("reviewer")).await, "head as reviewer");
    assert_eq!(approve(staff.unit_head.clone(), step("reviewer")).await.status, StatusCode::OK);
    let r = command(&app, &staff.head, &id, 1, bare.clone()).await;
    assert_eq!(
        r.json()["error"]["violations"][0]["rule"],
        "R-131",
        "two steps of three: {}",
        String::from_utf8_lossy(&r.body)
    );
    refused_as_not_yours(&approve(staff.legal.clone(), step("approver")).await, "legal reviewer as approver");
    assert_eq!(approve(staff.head.clone(), step("approver")).await.status, StatusCode::OK);
    let r = command(&app, &staff.head, &id, 1, bare).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let users = app.store.users().await.unwrap();
    let filed = details(&app, &id).await.into_iter().find(|d| d["event"] == "filed").unwrap();
    let chain: Vec<(&str, &str)> = ["handler", "reviewer", "approver"]
        .iter()
        .map(|s| (filed["approval"][*s]["person"].as_str().unwrap(), filed["approval"][*s]["by"].as_str().unwrap()))
        .collect();
    assert_eq!(
        chain,
        [
            (person(&users, "chengban").as_str(), "王明"),
            (person(&users, "keshi").as_str(), "keshi"),
            (person(&users, HEAD).as_str(), HEAD_NAME)
        ],
        "{filed}"
    );
    assert!(["handler", "reviewer", "approver"].iter().all(|s| filed["approval"][*s]["date"] == today()));
    // The case view shows the chain to those who may see the case (the view is ledgered).
    let case = app.get(&format!("/api/cases/{id}"), Some(&staff.head)).await.json();
    let step = case["timeline"].as_array().unwrap().iter().find(|e| e["action"] == "case.filed").unwrap().clone();
    assert_eq!(step["recorded"]["approval"]["approver"]["person"], person(&users, HEAD), "{step}");
    assert_eq!(step["recorded"]["approval"]["handler"]["opinion"], "同意立案", "{step}");
}

#[tokio::test]
async fn a_licence_is_decided_and_extended_only_by_the_head() {
    let (app, staff, _) = office().await;
    let now = liuhen_server::app::now_ms();
    let body = json!({"case_no": "栗街许〔2026〕3号", "matter": "临时占用道路审批", "received_at": now - 2 * DAY,
        "materials": ["申请书"], "receipt_issued": true, "applicant": {"kind": "legal_person", "name": "迁西县某某商贸有限公司", "uscc": "91130227MA0A1B2C3A", "legal_rep": "王某", "address": "迁西县栗乡街道迁安路 12 号"}});
    let r = app.post_as("/api/cases/licences", &staff.handler, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_string();
    let r =
        command(&app, &staff.handler, &id, 1, json!({"type": "accept", "at": now - DAY, "voucher_sealed": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    // The 负责人's steps are taken now, by the server's clock: neither the approver nor the time
    // is typed.
    app.clock.set(now);
    for typed in [
        json!({"type": "extend", "reasons_notified": true, "approved_by": "张主任"}),
        json!({"type": "extend", "at": now - 30 * DAY, "reasons_notified": true}),
    ] {
        assert_eq!(command(&app, &staff.head, &id, 2, typed).await.status, StatusCode::BAD_REQUEST, "typed");
    }
    let extend = json!({"type": "extend", "reasons_notified": true});
    refused_as_not_yours(&command(&app, &staff.handler, &id, 2, extend.clone()).await, "officer extends");
    let decide = json!({"type": "decide", "granted": true, "sealed": true, "reasons": "", "relief_told": true});
    refused_as_not_yours(&command(&app, &staff.handler, &id, 2, decide.clone()).await, "officer decides");
    refused_as_not_yours(&command(&app, &staff.unit_head, &id, 2, decide.clone()).await, "unit head decides");
    let r = command(&app, &staff.head, &id, 2, extend).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let extended = details(&app, &id).await.into_iter().find(|d| d["event"] == "extended").unwrap();
    assert_eq!(extended["approved_by"], HEAD_NAME, "the account's name: {extended}");
    openssl_verifies_step(&app, &staff.head, &id, "extended").await;
    // The decision is the 负责人's, signed with their own key: the view says who took it.
    let r = command(&app, &staff.head, &id, 3, decide).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let signed = openssl_verifies_step(&app, &staff.head, &id, "decided").await;
    assert_eq!((signed["step"].as_str(), signed["name"].as_str()), (Some("decide"), Some(HEAD_NAME)));
}

/// 电子签名法第十三条 (R-160): an approval is the approver's own SM2 signature over what they
/// approved, made only with their password, and OpenSSL alone verifies it from their published
/// key. A key replaced later leaves the earlier signatures standing.
#[tokio::test]
async fn an_approval_is_signed_with_the_approvers_own_key_and_openssl_alone_verifies_it() {
    use base64::Engine as _;
    let (app, staff, _) = office().await;
    let lead = json!({"case_no": "栗街罚〔2026〕5号", "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
                      "reason": "群众举报", "received_at": liuhen_server::app::now_ms() - 3 * DAY});
    let r = app.post_as("/api/cases/penalties", &staff.handler, &lead).await;
    let case = r.json()["id"].as_str().unwrap().to_string();
    let d = app.draft_form(&staff, &case, "D02").await;
    let doc = d["id"].as_str().unwrap().to_string();
    let approve = json!({"type": "approve", "step": "handler", "opinion": "建议立案调查", "reason": "有违法事实",
                         "content_hash": d["content_hash"]});
    // Without the approver's own password nothing is approved.
    let before = app.store.tree_size();
    for password in ["", "not-my-password-1"] {
        let mut body = approve.clone();
        body["password"] = json!(password);
        refused_as_not_yours(&app.document_command(&staff.handler, &doc, &body).await, "a wrong password");
    }
    assert_eq!(app.store.tree_size(), before, "a refused signature records nothing");
    let r = app.document_command(&staff.handler, &doc, &approve).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let a = r.json()["approvals"][0].clone();
    let key = app.get(&format!("/api/signing-keys/{}", a["key_id"].as_str().unwrap()), Some(&staff.head)).await.json();
    assert_eq!(key["user"], a["person"], "the key is the approver's own: {key}");
    // OpenSSL alone: the published key, the statement and the signature.
    let dir = tempfile::tempdir().unwrap();
    let statement = base64::engine::general_purpose::STANDARD.decode(a["statement"].as_str().unwrap()).unwrap();
    let text = String::from_utf8(statement.clone()).unwrap();
    for line in [
        format!("document {doc}"),
        "step handler".into(),
        format!("content-sm3 {}", d["content_hash"].as_str().unwrap()),
        format!("person {}", a["person"].as_str().unwrap()),
        format!("time {}", a["at"]),
        // The reason signed with the opinion, on its own line.
        "opinion 建议立案调查".into(),
        "reason 有违法事实".into(),
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in the statement:\n{text}");
    }
    std::fs::write(dir.path().join("key.pem"), key["public_key_pem"].as_str().unwrap()).unwrap();
    std::fs::write(dir.path().join("statement"), &statement).unwrap();
    std::fs::write(dir.path().join("sig.der"), hex::decode(a["signature"].as_str().unwrap()).unwrap()).unwrap();
    let openssl = |statement: &str| {
        std::process::Command::new("openssl")
            .args(["pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-digest", "sm3", "-pkeyopt"])
            .arg(format!("distid:{}", key["distid"].as_str().unwrap()))
            .args(["-in", statement, "-sigfile", "sig.der"])
            .current_dir(dir.path())
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(openssl("statement"), "OpenSSL verifies the approval");
    // And the content it covers is the document as shown: content-sm3 is the SM3 of the
    // canonical JSON (sorted keys, no spaces) of its code, fields and what it corrects.
    let shown = app.get(&format!("/api/documents/{doc}"), Some(&staff.head)).await.json();
    let content = json!({"code": shown["code"], "fields": shown["fields"], "supersedes": shown["supersedes"]});
    std::fs::write(dir.path().join("content.json"), serde_json::to_string(&content).unwrap()).unwrap();
    let dgst = std::process::Command::new("openssl")
        .args(["dgst", "-sm3", "-r", "content.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let sm3 = String::from_utf8(dgst.stdout).unwrap().split_whitespace().next().unwrap().to_string();
    assert_eq!(sm3, d["content_hash"].as_str().unwrap(), "{content}");
    let forged = text.replace("建议立案调查", "建议不予立案");
    std::fs::write(dir.path().join("forged"), forged).unwrap();
    assert!(!openssl("forged"), "a changed opinion does not verify");
    std::fs::write(dir.path().join("forged"), text.replace("有违法事实", "无违法事实")).unwrap();
    assert!(!openssl("forged"), "a changed reason does not verify");
    // Nor a reason moved into the opinion.
    let moved = text.replace("opinion 建议立案调查\nreason 有违法事实\n", "opinion 建议立案调查\\nreason 有违法事实\n");
    assert_ne!(moved, text);
    std::fs::write(dir.path().join("forged"), moved).unwrap();
    assert!(!openssl("forged"), "a reason moved into the opinion does not verify");
    // A password change keeps the key (re-wrapped under the new password); a renewal revokes it
    // from now on, and the signature made before stands.
    app.change_password(&staff.handler, "changed-pass-2", "changed-pass-3").await;
    let renewed =
        app.post_as("/api/me/signing-key", &staff.handler, &json!({"password": "changed-pass-3"})).await.json();
    let keys = renewed["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{renewed}");
    assert_eq!(keys[0]["key_id"], a["key_id"]);
    assert!(keys[0]["revoked_at"].as_i64().unwrap() > a["at"].as_i64().unwrap(), "revoked after it signed: {renewed}");
    assert!(keys[1]["revoked_at"].is_null());
    assert!(openssl("statement"), "the earlier signature still verifies with the old key");
    // The log reproduces the keys.
    let again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
    // The current key's row taken out with a SQLite shell: the next key is made without
    // revoking it, so the log holds two keys never revoked. The projections still come from the
    // log (the newer key current), and the row taken out is named — not an internal error.
    let current = keys[1]["key_id"].as_str().unwrap().to_string();
    let shell = rusqlite::Connection::open(app.data.db_path()).unwrap();
    assert_eq!(shell.execute("DELETE FROM signing_keys WHERE key_id = ?1", [&current]).unwrap(), 1);
    drop(shell);
    let r = app.post_as("/api/me/signing-key", &staff.handler, &json!({"password": "changed-pass-3"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let from_log = again.projections_from_log().await.expect("a log with two unrevoked keys still folds");
    let found =
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap();
    assert!(found.iter().any(|d| d.contains("signing_keys") && d.contains(&current)), "{found:?}");
    let mine: Vec<_> = from_log.signing_keys.iter().filter(|k| k.current).map(|k| k.user_id.clone()).collect();
    let mut unique = mine.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(mine.len(), unique.len(), "one current key a signer: {mine:?}");
}

/// A session is no way to guess a password: five wrong signing passwords lock the account like
/// five failed sign-ins, and a locked account neither signs nor signs in.
#[tokio::test]
async fn wrong_signing_passwords_lock_the_account() {
    let (app, staff, _) = office().await;
    let lead = json!({"case_no": "栗街罚〔2026〕6号", "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
                      "reason": "群众举报", "received_at": liuhen_server::app::now_ms() - 3 * DAY});
    let case =
        app.post_as("/api/cases/penalties", &staff.handler, &lead).await.json()["id"].as_str().unwrap().to_string();
    let d = app.draft_form(&staff, &case, "D02").await;
    let doc = d["id"].as_str().unwrap().to_string();
    let approve = |password: &str| {
        json!({"type": "approve", "step": "handler", "opinion": "建议立案调查", "reason": "有违法事实",
               "content_hash": d["content_hash"], "password": password})
    };
    for n in 0..5 {
        refused_as_not_yours(
            &app.document_command(&staff.handler, &doc, &approve(&format!("guess-{n}"))).await,
            "a guess",
        );
    }
    let r = app.document_command(&staff.handler, &doc, &approve("changed-pass-2")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", String::from_utf8_lossy(&r.body));
    let body = json!({"username": "chengban", "password": "changed-pass-2"}).to_string();
    assert_eq!(app.post_json("/api/session", &body).await.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Policy before parsing: an account that sees a case but may not act on it learns nothing
/// from a malformed body — the same 403 as for a well-formed one; a 法制审核人员 records no A/V
/// step and no party's request on it (R-007).
#[tokio::test]
async fn who_may_not_act_is_refused_before_the_body_is_read() {
    let (app, staff, _) = office().await;
    let admin = app.login_admin().await;
    let supervisor = app.account(&admin, "jiandu", "supervisor").await;
    app.approve_all_grants().await;
    let id = app.open_inspection(&staff.head, "栗街检〔2026〕90号").await;
    assert_eq!(app.get(&format!("/api/cases/{id}"), Some(&supervisor)).await.status, StatusCode::OK, "sees it");
    for (path, body) in [
        (format!("/api/cases/{id}/commands"), json!([1])),
        (format!("/api/cases/{id}/commands"), json!({"expected_version": "x"})),
        (format!("/api/cases/{id}/classification"), json!({"class": "zz"})),
        (format!("/api/cases/{id}/av/unrecorded"), json!([])),
        (format!("/api/cases/{id}/records/act/0/classification"), json!({"class": 1})),
    ] {
        let r = app.post_as(&path, &supervisor, &body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} {body}: {}", String::from_utf8_lossy(&r.body));
    }
    let r = app
        .post_as(
            &format!("/api/cases/{id}/av/unrecorded"),
            &staff.legal,
            &json!({"record": "act/0", "reason": "设备故障"}),
        )
        .await;
    assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", String::from_utf8_lossy(&r.body));
}

/// Every role's own step (`policy::role_step`), on a case of each kind, refused to each account
/// that does not hold the role — before anything in the body is read — and let through to the
/// one that does (办法第十五条).
#[tokio::test]
async fn every_role_step_is_refused_to_every_account_without_the_role() {
    let (app, staff, _) = office().await;
    let now = liuhen_server::app::now_ms();
    let lead = json!({"case_no": "栗街罚〔2026〕91号", "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
                      "reason": "群众举报", "received_at": now - 3 * DAY});
    let licence = json!({"case_no": "栗街许〔2026〕91号", "matter": "临时占用道路审批", "received_at": now - 2 * DAY,
        "materials": ["申请书"], "receipt_issued": true, "applicant": {"kind": "legal_person",
        "name": "迁西县某某商贸有限公司", "uscc": "91130227MA0A1B2C3A", "legal_rep": "王某", "address": "迁西县栗乡街道迁安路 12 号"}});
    let measure = json!({"case_no": "栗街强〔2026〕91号", "matter": "扣押占道经营物品", "kind": "seize",
        "items": ["三轮车一辆"], "reason": "经责令仍占道经营", "legal_basis": "《河北省城乡市容和环境卫生条例》",
        "property": {"related_to_case": true, "necessities_excluded": true, "not_sealed_elsewhere": true}});
    let mut cases = Vec::new();
    for (path, body, case_type) in [
        ("/api/cases/penalties", lead, "ordinary_penalty"),
        ("/api/cases/licences", licence, "licence"),
        ("/api/cases/coercive-measures", measure, "coercive_measure"),
    ] {
        let r = app.post_as(path, &staff.handler, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        cases.push((r.json()["id"].as_str().unwrap().to_string(), case_type));
    }
    let steps: [(&str, &[&str]); 3] = [
        (
            "ordinary_penalty",
            &[
                "propose",
                "legal_review",
                "discuss",
                "decide_recusal",
                "correct_date",
                "apply_court",
                "dispose_property",
                "defer_payment",
            ],
        ),
        ("licence", &["decide", "extend", "correct_date"]),
        ("coercive_measure", &["approve", "ratify", "extend", "correct_execution_time"]),
    ];
    let accounts = [
        ("承办人", &staff.handler, "officer"),
        ("承办机构负责人", &staff.unit_head, "unit_head"),
        ("法制审核人员", &staff.legal, "legal_reviewer"),
        ("负责人", &staff.head, "approver"),
    ];
    let mut checked = 0;
    for (id, case_type) in &cases {
        let list = steps.iter().find(|(t, _)| t == case_type).unwrap().1;
        for step in list {
            let role = liuhen_server::app::policy::role_step(case_type, step).expect("a role's step");
            for (who, token, code) in &accounts {
                // The step alone, no password: judged by who sends it before anything else.
                let body = json!({"expected_version": 1, "command": {"type": step}});
                let r = app.post_as(&format!("/api/cases/{id}/commands"), token, &body).await;
                let holds = role.code() == *code;
                let refused = matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND);
                assert_eq!(!refused, holds, "{case_type} {step} by {who}: {}", String::from_utf8_lossy(&r.body));
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 15 * 4);
}
