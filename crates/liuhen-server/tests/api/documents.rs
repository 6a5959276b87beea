//! 执法文书 end to end: an ordinary penalty case's whole document set filled, approved, signed
//! (or a refusal noted by two officers), finalised and issued under the seal; each PDF's text
//! read back with pdftotext, its hash found in the log, and each seal checked by
//! `scripts/verify-seal` — the OpenSSL command line, no liuhen code.

use crate::helpers::*;
use axum::http::StatusCode;
use base64::Engine as _;
use liuhen_server::LogAccess;
use liuhen_store::{Log as _, ProjectionReads as _};
use serde_json::{Value, json};
use sha2::Digest as _;

/// A 1×1 PNG: what a signing pad's canvas sends, smallest.
pub(crate) const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

pub(crate) fn day(s: &str) -> i64 {
    liuhen_core::time::Date::parse(s).unwrap().start().plus_hours(8).0
}

fn ok(r: &Resp, what: &str) -> Value {
    assert!(r.status.is_success(), "{what}: {} {}", r.status, String::from_utf8_lossy(&r.body));
    r.json()
}

/// A scratch directory, removed when dropped.
fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("liuhen-docs-").tempdir().unwrap()
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = scratch();
    let f = dir.path().join("d.pdf");
    std::fs::write(&f, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&f).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // The text layer holds what was typed: the layout breaks lines, it adds no character.
    assert!(!text.contains('\u{200B}'), "a zero-width space in the text layer");
    // Without whitespace: typst spaces CJK from Latin and digits, and pdftotext ends lines.
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

pub(crate) struct Office {
    pub(crate) app: TestApp,
    pub(crate) head: String,
    pub(crate) wang: String,
    li: String,
    keshi: String,
    /// Two 集体讨论成员 besides the 负责人.
    members: [String; 2],
    /// A 法制审核人员 (with 法律职业资格).
    legal: String,
    pub(crate) case: String,
    pub(crate) officers: [String; 2],
}

pub(crate) async fn office() -> Office {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let admin = app.login_admin().await;
    let mut officers = Vec::new();
    for (name, cert) in [("王明", "13020001"), ("李华", "13020002")] {
        let body =
            json!({"name": name, "cert_no": cert, "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"});
        officers
            .push(ok(&app.post_as("/api/officers", &head, &body).await, "officer")["id"].as_str().unwrap().to_string());
    }
    let unit = "栗乡街道综合行政执法办公室";
    let mut tokens = Vec::new();
    for (user, roles, officer) in
        [("wang", "officer", &officers[0]), ("li", "officer", &officers[1]), ("keshi", "unit_head", &String::new())]
    {
        let body = json!({"username": user, "roles": roles, "password": "initial-pass-1", "officer_id": officer, "unit": unit});
        ok(&app.post_as("/api/users", &admin, &body).await, "account");
        app.approve_all_grants().await;
        let t = app.login_as(user, "initial-pass-1").await;
        app.change_password(&t, "initial-pass-1", "changed-pass-2").await;
        tokens.push(t);
    }
    let profile = json!({"name": "迁西县栗乡街道办事处", "uscc": "11130227MB0000000J", "has_enforcement_power": false,
        "seals": [{"kind": "行政执法专用章", "valid_from": "2026-01-01", "valid_to": "2030-12-31"},
                  {"kind": "公章", "valid_from": "2020-01-01", "valid_to": "2030-12-31"}]});
    let r = app
        .request(
            axum::http::Request::builder()
                .method("PUT")
                .uri("/api/agency")
                .header("authorization", format!("Bearer {head}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from(profile.to_string()))
                .unwrap(),
        )
        .await;
    ok(&r, "agency");
    let body = json!({"case_no": "栗街罚〔2026〕41号", "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
                      "reason": "群众举报院内违法搭建", "received_at": day("2026-08-06")});
    // 王明 registers the lead; its 立案审批表 is approved by 王明, the unit's head and the 负责人.
    let case =
        ok(&app.post_as("/api/cases/penalties", &tokens[0], &body).await, "case")["id"].as_str().unwrap().to_string();
    let filing = json!({"code": "D02", "fields": {"cause": "违法建设", "party": "张某某", "source": "群众举报",
        "facts": "院内搭建彩钢房", "provisions": "《城乡规划法》第四十条"}});
    let d = ok(&app.post_as(&format!("/api/cases/{case}/documents"), &tokens[0], &filing).await, "立案审批表");
    for (token, step) in [(&tokens[0], "handler"), (&tokens[2], "reviewer"), (&head, "approver")] {
        let body = json!({"type": "approve", "step": step, "opinion": "同意立案", "reason": "有违法事实",
            "content_hash": d["content_hash"]});
        ok(&app.document_command(token, d["id"].as_str().unwrap(), &body).await, step);
    }
    let t = day("2026-08-10");
    let act = json!({"at": t, "place": "幸福路 8 号", "recording_announced": true, "problems_found": true,
        "summary": "院内有新建彩钢房", "officers": officers.iter().map(|o| json!({"officer_id": o, "id_shown_at": t})).collect::<Vec<_>>()});
    for (v, cmd) in [
        (1, json!({"type": "file", "filed_at": day("2026-08-07"), "violation_ended": "2026-07-30"})),
        (2, json!({"type": "investigate", "act": act})),
    ] {
        let r = app
            .post_as(&format!("/api/cases/{case}/commands"), &head, &json!({"expected_version": v, "command": cmd}))
            .await;
        ok(&r, "case command");
    }
    let [wang, li, keshi]: [String; 3] = tokens.try_into().unwrap();
    let members = [
        app.account_named("weiyuan2", "discussion_member", "", "王副主任").await,
        app.account_named("weiyuan3", "discussion_member", "", "刘副主任").await,
    ];
    let body = json!({"name": "刘法制", "cert_no": "13020009", "cert_valid_from": "2024-01-01",
        "cert_valid_to": "2028-12-31", "legal_qualification": true});
    let lawyer = ok(&app.post_as("/api/officers", &head, &body).await, "officer")["id"].as_str().unwrap().to_string();
    let legal = app.account_for("fazhi", "legal_reviewer", &lawyer).await;
    Office { app, head, wang, li, keshi, members, legal, case, officers: [officers[0].clone(), officers[1].clone()] }
}

/// Every field of the form filled with text naming it, so the PDF can be searched for each.
pub(crate) fn filled(form: &Value, code: &str) -> Value {
    let mut fields = serde_json::Map::new();
    for f in form["fields"].as_array().unwrap() {
        let key = f["key"].as_str().unwrap();
        let choices = f["choices"].as_array().unwrap();
        let v = match choices.first() {
            Some(c) => c.as_str().unwrap().to_string(),
            None => format!("{code}之{key}内容"),
        };
        fields.insert(key.to_string(), json!(v));
    }
    Value::Object(fields)
}

/// A step on a document; a revision names the content its editor read (the document's now,
/// unless the body says which).
async fn cmd(o: &Office, token: &str, doc: &str, mut body: Value) -> Resp {
    if body["type"] == "revise" && body.get("content_hash").is_none() {
        let read = o.app.get(&format!("/api/documents/{doc}"), Some(token)).await.json();
        body["content_hash"] = read["content_hash"].clone();
    }
    o.app.document_command(token, doc, &body).await
}

/// A 行政处罚事先告知书 (D32) drafted by 王明 on the office's case and finalised: its id.
async fn finalised_notice(o: &Office) -> String {
    let catalogue = ok(&o.app.get("/api/document-catalogue", Some(&o.wang)).await, "catalogue");
    let form = catalogue.as_array().unwrap().iter().find(|f| f["code"] == "D32").unwrap().clone();
    let body = json!({"code": "D32", "fields": filled(&form, "D32")});
    let d = ok(&o.app.post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &body).await, "D32");
    let id = d["id"].as_str().unwrap().to_string();
    ok(&cmd(o, &o.wang, &id, json!({"type": "finalise"})).await, "finalise");
    id
}

#[tokio::test]
async fn an_ordinary_penalty_case_gets_its_whole_document_set_sealed_and_verifiable_with_openssl() {
    let o = office().await;
    let catalogue = ok(&o.app.get("/api/document-catalogue", Some(&o.wang)).await, "catalogue");
    let set =
        ["D02", "D11", "D12", "D16", "D18a", "D18b", "D30", "D31", "D32", "D34b", "D34c", "D35", "D36", "D41", "D50"];
    let keys = ok(&o.app.get("/api/seal-keys", None).await, "seal keys");
    let dir = scratch();
    std::fs::write(dir.path().join("sm2.pem"), keys["sm2"].as_str().unwrap()).unwrap();
    std::fs::write(dir.path().join("ed25519.pem"), keys["ed25519"].as_str().unwrap()).unwrap();
    let entries_with = |sha: String| {
        let app = &o.app;
        async move {
            let n = liuhen_store::Log::tree_size(&app.store);
            let entries = liuhen_store::Log::entries(&app.store, 0, n).await.unwrap();
            entries.iter().filter(|e| String::from_utf8_lossy(e).contains(&sha)).count()
        }
    };
    for code in set {
        let form = catalogue.as_array().unwrap().iter().find(|f| f["code"] == code).unwrap();
        let mut fields = filled(form, code);
        if code == "D35" {
            // Each member listed confirms it with their own account, under their own name.
            fields["members"] = json!("周主任、王副主任、刘副主任");
        }
        // The 法制审核意见书 is the 法制审核人员's own to draft (办法第十五条); the rest the 承办人's.
        let drafter = if code == "D31" { &o.legal } else { &o.wang };
        let r = o
            .app
            .post_as(&format!("/api/cases/{}/documents", o.case), drafter, &json!({"code": code, "fields": fields}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{code}: {}", String::from_utf8_lossy(&r.body));
        let doc = r.json();
        let id = doc["id"].as_str().unwrap().to_string();
        let hash = doc["content_hash"].as_str().unwrap().to_string();
        // Internal approvals (办法第十五条): handler, reviewer, approver — each by its role.
        if doc["approval"] == true {
            // A bare name is no opinion.
            let r = cmd(&o, &o.wang, &id, json!({"type": "approve", "step": "handler", "opinion": "王明", "reason": "事实清楚", "content_hash": hash})).await;
            assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-131", "{code}");
            for (token, step) in [(&o.wang, "handler"), (&o.keshi, "reviewer"), (&o.head, "approver")] {
                let body = json!({"type": "approve", "step": step, "opinion": format!("{code}{step}意见：同意"),
                                  "reason": "事实清楚，证据确凿", "content_hash": hash});
                ok(&cmd(&o, token, &id, body).await, "approve");
            }
        }
        for signer in doc["signers"].as_array().unwrap() {
            let role = signer["role"].as_str().unwrap();
            if role == "witness" && code == "D41" {
                continue; // only for lien service
            }
            // 法制审核意见: the 法制审核人员's own signature; an officer may not sign it, nor
            // the reviewer twice.
            if role == "reviewer" {
                let body = json!({"type": "sign", "role": role, "method": "pad", "image": PNG, "content_hash": hash});
                let r = cmd(&o, &o.wang, &id, body.clone()).await;
                assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "an investigator signs the legal review");
                ok(&cmd(&o, &o.legal, &id, body.clone()).await, "the reviewer signs");
                // Twice is a duplicate, not "changed by someone else" (409 DUPLICATE).
                let twice = cmd(&o, &o.legal, &id, body).await;
                assert_eq!(twice.status, StatusCode::CONFLICT, "twice");
                assert_eq!(twice.json()["error"]["code"], "DUPLICATE", "{}", twice.json());
                continue;
            }
            if role == "officer" || role == "server" || role == "host" {
                for t in [&o.wang, &o.li].iter().take(signer["min"].as_u64().unwrap() as usize) {
                    let body =
                        json!({"type": "sign", "role": role, "method": "pad", "image": PNG, "content_hash": hash});
                    ok(&cmd(&o, t, &id, body).await, "officer signs");
                }
                continue;
            }
            // 集体讨论: each member confirms the record with their own account, never by a typed name.
            if role == "member" {
                let body = json!({"type": "sign", "role": "member", "name": "张主任", "method": "pad", "image": PNG,
                                  "content_hash": hash});
                let r = cmd(&o, &o.wang, &id, body.clone()).await;
                assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "an officer signs for a member");
                for t in [&o.head, &o.members[0], &o.members[1]] {
                    ok(&cmd(&o, t, &id, body.clone()).await, "member signs");
                }
                let twice = cmd(&o, &o.head, &id, body.clone()).await;
                assert_eq!(twice.json()["error"]["code"], "DUPLICATE", "a member twice: {}", twice.json());
                continue;
            }
            if code == "D12" && role == "party" {
                // 办法第十四条: a refusal noted by one officer is refused; by two, it stands.
                let note = |officers: Value| {
                    json!({"type": "refuse", "role": "party", "who": "张某某", "reason": "当事人拒绝签字",
                    "officers": officers, "witness": "赵某", "content_hash": hash})
                };
                let r = cmd(&o, &o.wang, &id, note(json!([o.officers[0]]))).await;
                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&r.body));
                assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-021");
                ok(&cmd(&o, &o.wang, &id, note(json!([o.officers[0], o.officers[1]]))).await, "refusal");
                continue;
            }
            // Each listed hearing participant signs by name (办法第十六条); others by count.
            let names: Vec<String> = match signer["each_of"].as_str() {
                Some(key) => liuhen_core::document::listed(fields[key].as_str().unwrap()),
                None => (0..signer["min"].as_u64().unwrap()).map(|k| format!("签名人{k}")).collect(),
            };
            for name in names {
                let body = json!({"type": "sign", "role": role, "name": name, "method": "pad",
                                  "image": format!("data:image/png;base64,{PNG}"), "content_hash": hash});
                ok(&cmd(&o, &o.wang, &id, body).await, "party signs");
            }
        }
        let fin = ok(&cmd(&o, drafter, &id, json!({"type": "finalise"})).await, code);
        assert_eq!(fin["state"], "final", "{code}");
        let mut sha = fin["pdf_sha256"].as_str().unwrap().to_string();
        // 行政处罚法第五十九条: a 决定书 is sealed only once the case recorded its decision (the
        // case tests issue one on a decided case); this case is still being investigated.
        let sealed = doc["sealed"] == true && code != "D36";
        if code == "D36" {
            let r = cmd(&o, &o.head, &id, json!({"type": "issue"})).await;
            assert_eq!(r.json()["error"]["violations"][0]["field"], "decision", "{}", String::from_utf8_lossy(&r.body));
        }
        if sealed {
            let issued = ok(
                &cmd(&o, &o.head, &id, json!({"type": "issue", "doc_no": format!("栗街{code}〔2026〕1号")})).await,
                "issue",
            );
            assert_eq!(issued["state"], "issued");
            assert_ne!(issued["pdf_sha256"], fin["pdf_sha256"], "the issued PDF carries the seal and 文号");
            sha = issued["pdf_sha256"].as_str().unwrap().to_string();
            let seal = o.app.get(&format!("/api/documents/{id}/seal"), Some(&o.wang)).await;
            assert_eq!(seal.status, StatusCode::OK);
            std::fs::write(dir.path().join("seal.der"), &seal.body).unwrap();
            let ed = base64::engine::general_purpose::STANDARD
                .decode(issued["issued"]["ed25519"].as_str().unwrap())
                .unwrap();
            std::fs::write(dir.path().join("ed.sig"), ed).unwrap();
        }
        let pdf = o.app.get(&format!("/api/documents/{id}/pdf?purpose=核对"), Some(&o.wang)).await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert_eq!(hex::encode(sha2::Sha256::digest(&pdf.body)), sha, "{code}: the PDF served is the one logged");
        assert!(entries_with(sha.clone()).await >= 1, "{code}: the PDF's hash is in the log");
        let text = pdftotext(&pdf.body);
        for (k, v) in fields.as_object().unwrap() {
            let v: String = v.as_str().unwrap().chars().filter(|c| !c.is_whitespace()).collect();
            assert!(text.contains(&v), "{code}: field {k} ({v}) not in its PDF:\n{text}");
        }
        if sealed {
            std::fs::write(dir.path().join("doc.pdf"), &pdf.body).unwrap();
            let out = std::process::Command::new("sh")
                .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/verify-seal"))
                .args(["doc.pdf", "seal.der", "sm2.pem", "ed25519.pem", "ed.sig"])
                .current_dir(dir.path())
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && said.contains("seal OK"), "{code}: {said}");
            // The same seal over another document fails.
            std::fs::write(dir.path().join("other.pdf"), b"%PDF-1.7 another").unwrap();
            let out = std::process::Command::new("sh")
                .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/verify-seal"))
                .args(["other.pdf", "seal.der", "sm2.pem"])
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(!out.status.success(), "{code}: a seal verified over the wrong document");
        }
    }
    let list = ok(&o.app.get(&format!("/api/cases/{}/documents", o.case), Some(&o.wang)).await, "list");
    assert_eq!(list["documents"].as_array().unwrap().len(), set.len() + 1, "with the office's own 立案审批表");
    assert!(list["next_cursor"].is_null(), "{list}");
    // A page at a time, in the order they were made.
    let mut seen = Vec::new();
    let mut path = format!("/api/cases/{}/documents?limit=2", o.case);
    loop {
        let page = ok(&o.app.get(&path, Some(&o.wang)).await, "page");
        let rows = page["documents"].as_array().unwrap();
        assert!(rows.len() <= 2, "{page}");
        seen.extend(rows.iter().map(|d| d["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/cases/{}/documents?limit=2&cursor={c}", o.case),
            None => break,
        }
    }
    let all: Vec<String> =
        list["documents"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(seen, all);
    let bad = o.app.get(&format!("/api/cases/{}/documents?limit=501", o.case), Some(&o.wang)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// A 案件处理审批表 drafted by 王明 on the office's case.
async fn handling_form(o: &Office) -> Value {
    let fields = json!({"cause": "违法建设", "party": "张某某", "facts": "院内搭建彩钢房", "evidence": "现场检查笔录",
        "basis": "《城乡规划法》第六十四条", "proposal": "罚款五千元"});
    let r = o
        .app
        .post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &json!({"code": "D30", "fields": fields}))
        .await;
    ok(&r, "D30")
}

/// The 案件处理审批表 cannot claim a 法制审核 or a 集体讨论 (办法第九条): those are the
/// 法制审核意见书 signed by the reviewer's own account and the 集体讨论记录 its members confirmed;
/// a drafter typing "法制审核通过" into the form is refused.
#[tokio::test]
async fn the_handling_form_cannot_claim_a_review_or_a_discussion_it_did_not_have() {
    let o = office().await;
    let base = json!({"cause": "违法建设", "party": "张某某", "facts": "院内搭建彩钢房", "evidence": "现场检查笔录",
        "basis": "《城乡规划法》第六十四条", "proposal": "罚款五千元"});
    for (key, claim) in [("legal_review", "法制审核通过"), ("discussion", "集体讨论同意")] {
        let mut fields = base.clone();
        fields[key] = json!(claim);
        let r = o
            .app
            .post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &json!({"code": "D30", "fields": fields}))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{key}: {}", r.json());
        assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-134", "{key}");
    }
    handling_form(&o).await;
}

/// 办法第十五条: a form is drafted by the officers handling the case. A 法制审核人员 drafts only
/// their own opinion (D31), and one who approved a form — even an officer of the case who also
/// heads its unit — does not then edit what they approved.
#[tokio::test]
async fn only_the_cases_officers_revise_and_never_one_who_approved() {
    let o = office().await;
    let doc = handling_form(&o).await;
    let id = doc["id"].as_str().unwrap().to_string();
    let hash = doc["content_hash"].as_str().unwrap().to_string();
    let mut changed = doc["fields"].clone();
    changed["proposal"] = json!("罚款三千元");
    let revise = json!({"type": "revise", "fields": changed});
    // The 法制审核人员 is not the drafter of a 案件处理审批表.
    let r = cmd(&o, &o.legal, &id, revise.clone()).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    // 赵强 handles the case (he took part in an act) and also heads its unit: once he has
    // approved as reviewer he may not revise the form he approved.
    let body =
        json!({"name": "赵强", "cert_no": "13020003", "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"});
    let zhao = ok(&o.app.post_as("/api/officers", &o.head, &body).await, "officer")["id"].as_str().unwrap().to_string();
    let t = day("2026-08-11");
    let act = json!({"at": t, "place": "幸福路 8 号", "recording_announced": true, "problems_found": true,
        "summary": "复核现场", "officers": [{"officer_id": zhao, "id_shown_at": t}, {"officer_id": o.officers[0], "id_shown_at": t}]});
    let r = o
        .app
        .post_as(
            &format!("/api/cases/{}/commands", o.case),
            &o.head,
            &json!({"expected_version": 3, "command": {"type": "investigate", "act": act}}),
        )
        .await;
    ok(&r, "investigate");
    let li_head = o.app.account_for("zhao_keshi", "officer,unit_head", &zhao).await;
    ok(
        &cmd(&o, &o.wang, &id, json!({"type": "approve", "step": "handler", "opinion": "拟罚款五千元", "reason": "事实清楚", "content_hash": hash}))
            .await,
        "handler",
    );
    ok(
        &cmd(&o, &li_head, &id, json!({"type": "approve", "step": "reviewer", "opinion": "同意", "reason": "依据充分", "content_hash": hash}))
            .await,
        "reviewer",
    );
    let r = cmd(&o, &li_head, &id, revise.clone()).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("您已审批过本文书"), "{}", r.json());
    // An officer of the case who approved nothing revises it.
    ok(&cmd(&o, &o.li, &id, revise).await, "revise by an officer of the case");
    // Nor do the 负责人 or the 法制审核人员 draft the case's forms; the 法制审核人员 drafts the
    // 法制审核意见书 alone, and only the drafters finalise.
    let new = |code: &str, fields: Value| json!({"code": code, "fields": fields});
    let catalogue = ok(&o.app.get("/api/document-catalogue", Some(&o.wang)).await, "catalogue");
    let form = |code: &str| filled(catalogue.as_array().unwrap().iter().find(|f| f["code"] == code).unwrap(), code);
    for (token, code) in [(&o.head, "D02"), (&o.legal, "D36"), (&o.head, "D31")] {
        let r = o.app.post_as(&format!("/api/cases/{}/documents", o.case), token, &new(code, form(code))).await;
        assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{code}: {}", String::from_utf8_lossy(&r.body));
    }
    let r = o.app.post_as(&format!("/api/cases/{}/documents", o.case), &o.legal, &new("D31", form("D31"))).await;
    let opinion = ok(&r, "the reviewer's own opinion");
    let r = cmd(&o, &o.wang, opinion["id"].as_str().unwrap(), json!({"type": "finalise"})).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
}

/// 退回 (办法第十五条): an approver agrees or returns with reasons, never edits; a return voids
/// the approvals given, and the form waits for its handler again. One account takes one step.
#[tokio::test]
async fn an_approval_is_returned_with_reasons_and_never_edited_by_its_approver() {
    let o = office().await;
    let doc = handling_form(&o).await;
    let id = doc["id"].as_str().unwrap().to_string();
    let hash = doc["content_hash"].as_str().unwrap().to_string();
    let approve = |step: &str, hash: &str| json!({"type": "approve", "step": step, "opinion": "同意承办意见", "reason": "事实清楚", "content_hash": hash});
    // Nothing to return before the handler submits.
    let r = cmd(&o, &o.keshi, &id, json!({"type": "return", "reasons": "证据不足", "content_hash": hash})).await;
    assert_eq!(r.json()["error"]["code"], "INVALID_STATE", "{}", String::from_utf8_lossy(&r.body));
    ok(&cmd(&o, &o.wang, &id, approve("handler", &hash)).await, "handler");
    // The handler may not review their own submission, nor may the 负责人 take the reviewer's step.
    let r = cmd(&o, &o.head, &id, approve("reviewer", &hash)).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP");
    // The approver may not edit: the unit's head gets 403 on revise.
    let mut changed = doc["fields"].clone();
    changed["proposal"] = json!("罚款三千元");
    let r = cmd(&o, &o.keshi, &id, json!({"type": "revise", "fields": changed})).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    // Returning without reasons is refused; with them, it is recorded and voids the approvals.
    let r = cmd(&o, &o.keshi, &id, json!({"type": "return", "reasons": "", "content_hash": hash})).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-131", "{}", String::from_utf8_lossy(&r.body));
    // Only the step now waiting returns it: not the 负责人 before the reviewer.
    let r = cmd(&o, &o.head, &id, json!({"type": "return", "reasons": "裁量过重", "content_hash": hash})).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    let back = ok(
        &cmd(
            &o,
            &o.keshi,
            &id,
            json!({"type": "return", "reasons": "裁量过重，请按基准重新提出", "content_hash": hash}),
        )
        .await,
        "return",
    );
    assert_eq!(back["returns"][0]["reasons"], "裁量过重，请按基准重新提出");
    assert!(back["returns"][0]["person"].as_str().unwrap().starts_with("user:"));
    assert_eq!(back["next_step"]["step"], "handler", "{back}");
    assert!(back["approvals"].as_array().unwrap().iter().all(|a| a["current"] == false));
    // The reviewer cannot approve what was returned until the handler submits again.
    let r = cmd(&o, &o.keshi, &id, approve("reviewer", &hash)).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-131", "{}", String::from_utf8_lossy(&r.body));
    // The handler revises and submits again; each step by its own account; the chain names them.
    let revised = ok(&cmd(&o, &o.wang, &id, json!({"type": "revise", "fields": changed})).await, "revise");
    let hash = revised["content_hash"].as_str().unwrap().to_string();
    for (token, step) in [(&o.wang, "handler"), (&o.keshi, "reviewer"), (&o.head, "approver")] {
        ok(&cmd(&o, token, &id, approve(step, &hash)).await, step);
    }
    let done = ok(&o.app.get(&format!("/api/documents/{id}"), Some(&o.head)).await, "view");
    let users = o.app.store.users().await.unwrap();
    let person = |name: &str| format!("user:{}", users.iter().find(|u| u.username == name).unwrap().id);
    let current: Vec<(String, String)> = done["approvals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["current"] == true)
        .map(|a| (a["step"].as_str().unwrap().to_string(), a["person"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        current,
        [("handler".into(), person("wang")), ("reviewer".into(), person("keshi")), ("approver".into(), person(HEAD))]
    );
    assert!(done["next_step"].is_null());
    // The log reproduces the document with its return.
    let again = liuhen_server::app::App::new(o.app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// 签发 (办法第十三条、第十五条): a party-facing document goes out under the seal only from the
/// 负责人 (on-site forms from the officers), and a 行政处罚决定书 only on an approved 案件处理审批表.
#[tokio::test]
async fn a_decision_is_issued_by_the_head_and_only_on_its_approved_form() {
    let o = office().await;
    let catalogue = ok(&o.app.get("/api/document-catalogue", Some(&o.wang)).await, "catalogue");
    let form = catalogue.as_array().unwrap().iter().find(|f| f["code"] == "D36").unwrap();
    let fields = filled(form, "D36");
    let d = ok(
        &o.app
            .post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &json!({"code": "D36", "fields": fields}))
            .await,
        "D36",
    );
    let id = d["id"].as_str().unwrap().to_string();
    ok(&cmd(&o, &o.wang, &id, json!({"type": "finalise"})).await, "finalise");
    let issue = json!({"type": "issue", "doc_no": "栗街罚决〔2026〕9号"});
    // An officer may not issue it under the seal.
    let r = cmd(&o, &o.wang, &id, issue.clone()).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    // Nor the 负责人 while no 案件处理审批表 is approved.
    let r = cmd(&o, &o.head, &id, issue.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-131", "{}", String::from_utf8_lossy(&r.body));
    let approval = handling_form(&o).await;
    let aid = approval["id"].as_str().unwrap();
    for (token, step) in [(&o.wang, "handler"), (&o.keshi, "reviewer")] {
        let body = json!({"type": "approve", "step": step, "opinion": "同意承办意见", "reason": "事实清楚",
            "content_hash": approval["content_hash"]});
        ok(&cmd(&o, token, aid, body).await, step);
    }
    let r = cmd(&o, &o.head, &id, issue.clone()).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-131", "half an approval is none");
    let body = json!({"type": "approve", "step": "approver", "opinion": "同意罚款五千元", "reason": "",
        "content_hash": approval["content_hash"]});
    ok(&cmd(&o, &o.head, aid, body).await, "approver");
    // Approved, and still not before the case has recorded the decision it states (行政处罚法
    // 第五十九条; the case tests issue it once decided).
    let r = cmd(&o, &o.head, &id, issue).await;
    assert_eq!(r.json()["error"]["violations"][0]["field"], "decision", "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn a_finalised_document_never_changes_and_a_correction_is_a_new_version() {
    let o = office().await;
    let fields = json!({"cause": "违法建设", "party": "张某某", "source": "群众举报", "facts": "院内搭建彩钢房", "provisions": "《城乡规划法》第四十条"});
    let r = o
        .app
        .post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &json!({"code": "D02", "fields": fields}))
        .await;
    let doc = ok(&r, "draft");
    let id = doc["id"].as_str().unwrap().to_string();
    // Not finalised while approvals are missing, nor with an unknown field.
    let r = cmd(&o, &o.wang, &id, json!({"type": "finalise"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = cmd(&o, &o.wang, &id, json!({"type": "revise", "fields": {"colour": "红"}})).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-134");
    // An edit names the content its editor saw: none is 400, another's since is 409.
    let bare = json!({"type": "revise", "fields": {"colour": "红"}, "content_hash": null});
    let r = o.app.document_command(&o.wang, &id, &bare).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&r.body));
    let stale = json!({"type": "revise", "fields": {"colour": "红"}, "content_hash": "00".repeat(32)});
    assert_eq!(o.app.document_command(&o.wang, &id, &stale).await.status, StatusCode::CONFLICT);
    // An approval of content the approver did not see is refused (409).
    let r = cmd(&o, &o.wang, &id, json!({"type": "approve", "step": "handler", "opinion": "建议立案", "reason": "有证据", "content_hash": "0".repeat(64)})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let hash = doc["content_hash"].as_str().unwrap();
    // Out of order: the approver before the reviewer.
    let r = cmd(
        &o,
        &o.head,
        &id,
        json!({"type": "approve", "step": "approver", "opinion": "同意立案", "content_hash": hash}),
    )
    .await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-131");
    // The reviewer step is the 承办机构负责人's, not an officer's.
    let r =
        cmd(&o, &o.li, &id, json!({"type": "approve", "step": "reviewer", "opinion": "同意", "content_hash": hash}))
            .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Each step waits in the inbox of whoever takes it next, and only theirs.
    let waiting = |token: String| {
        let app = &o.app;
        let id = id.clone();
        async move {
            let inbox = app.get("/api/inbox", Some(&token)).await.json()["inbox"].clone();
            inbox.as_array().unwrap().iter().any(|p| p["document"] == id.as_str())
        }
    };
    for (token, step) in [(&o.wang, "handler"), (&o.keshi, "reviewer"), (&o.head, "approver")] {
        assert!(waiting(token.clone()).await, "{step}: not in the inbox of the one who takes it");
        let others = [&o.wang, &o.keshi, &o.head].into_iter().filter(|t| *t != token);
        for t in others {
            assert!(!waiting(t.clone()).await, "{step}: in the inbox of another");
        }
        let body = json!({"type": "approve", "step": step, "opinion": "同意立案调查", "reason": "有违法事实", "content_hash": hash});
        ok(&cmd(&o, token, &id, body).await, "approve");
    }
    assert!(!waiting(o.head.clone()).await, "approved: no longer waiting");
    ok(&cmd(&o, &o.wang, &id, json!({"type": "finalise"})).await, "finalise");
    // never edited after finalisation.
    let r = cmd(&o, &o.wang, &id, json!({"type": "revise", "fields": fields})).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-133", "{}", String::from_utf8_lossy(&r.body));
    // A correction without a reason is refused; with one, it is a new draft naming the old.
    let mut fixed = fields.clone();
    fixed["party"] = json!("张某");
    let r = o
        .app
        .post_as(
            &format!("/api/cases/{}/documents", o.case),
            &o.wang,
            &json!({"code": "D02", "fields": fixed, "supersedes": id}),
        )
        .await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-133");
    let r = o
        .app
        .post_as(
            &format!("/api/cases/{}/documents", o.case),
            &o.wang,
            &json!({"code": "D02", "fields": fixed, "supersedes": id, "reason": "当事人姓名笔误"}),
        )
        .await;
    let new = ok(&r, "correction");
    assert_eq!(new["supersedes"]["id"], id.as_str());
    let old = ok(&o.app.get(&format!("/api/documents/{id}"), Some(&o.wang)).await, "old");
    assert_eq!(old["superseded_by"], new["id"]);
    assert_eq!(old["fields"]["party"], "张某某", "the original is kept as it was");
    // A second correction of the same version is a conflict.
    let r = o
        .app
        .post_as(
            &format!("/api/cases/{}/documents", o.case),
            &o.wang,
            &json!({"code": "D02", "fields": fixed, "supersedes": id, "reason": "再次更正"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Someone outside the case sees nothing of it (404), and every view was ledgered.
    let stranger = o.app.account(&o.app.login_admin().await, "stranger", "officer").await;
    assert_eq!(o.app.get(&format!("/api/documents/{id}"), Some(&stranger)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(o.app.get(&format!("/api/documents/{id}/pdf"), Some(&stranger)).await.status, StatusCode::NOT_FOUND);
    let ledger = ok(&o.app.get(&format!("/api/cases/{}/ledger", o.case), Some(&o.head)).await, "ledger");
    assert!(ledger.to_string().contains(&format!("document/{id}")), "{ledger}");
    // Everything comes back from the log alone.
    let again = liuhen_server::app::App::new(o.app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(from_log.documents.len(), 3, "with the 立案审批表");
    assert!(from_log.settings.iter().all(|s| !s.key.starts_with("document/")), "a document is no setting");
}

#[tokio::test]
async fn bad_signatures_are_refused_with_nothing_recorded() {
    let o = office().await;
    let r = o
        .app
        .post_as(
            &format!("/api/cases/{}/documents", o.case),
            &o.wang,
            &json!({"code": "D16", "fields": {"party": "张某某"}}),
        )
        .await;
    let doc = ok(&r, "draft");
    let id = doc["id"].as_str().unwrap();
    let hash = doc["content_hash"].as_str().unwrap();
    let sign = |image: String| json!({"type": "sign", "role": "party", "name": "张某某", "image": image, "content_hash": hash});
    let before = liuhen_store::Log::tree_size(&o.app.store);
    // Not an image; too large; a role the form does not have; a form of another kind of case.
    assert_eq!(cmd(&o, &o.wang, id, sign("bm90IGFuIGltYWdl".into())).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A PNG's first bytes and then garbage: read before it is kept, refused.
    let fake = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\n not really a picture");
    let r = cmd(&o, &o.wang, id, sign(fake)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("签名图像无法读取"));
    let big = base64::engine::general_purpose::STANDARD.encode(vec![0x89u8; (5 << 20) / 2]);
    let r = cmd(&o, &o.wang, id, sign(big)).await;
    assert!(r.status == StatusCode::PAYLOAD_TOO_LARGE, "{}", r.status);
    let mut other = sign(PNG.into());
    other["role"] = json!("host");
    assert_eq!(cmd(&o, &o.wang, id, other).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = o
        .app
        .post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &json!({"code": "L10", "fields": {}}))
        .await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-134");
    assert_eq!(liuhen_store::Log::tree_size(&o.app.store), before, "nothing was logged");
    // Issuing a draft: not yet.
    let r = cmd(&o, &o.head, id, json!({"type": "issue", "doc_no": "x"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&r.body));
}

#[tokio::test]
async fn a_service_receipt_asks_for_what_its_method_needs() {
    let o = office().await;
    let receipt = |method: &str| {
        json!({"code": "D41", "fields": {"document": "行政处罚决定书 栗街罚决〔2026〕3号", "recipient": "张某某",
            "served_at": "2026-11-27 10:00", "place": "幸福路 8 号", "method": method}})
    };
    let new = |method: &str| {
        let app = &o.app;
        let body = receipt(method);
        let (case, wang) = (o.case.clone(), o.wang.clone());
        async move { ok(&app.post_as(&format!("/api/cases/{case}/documents"), &wang, &body).await, "receipt") }
    };
    let missing = |d: &Value| {
        d["missing"].as_array().unwrap().iter().map(|m| m["detail"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    // Postal: the return receipt archived, no recipient signature on the 回证 (办法第十七条).
    let postal = new("邮寄送达").await;
    let m = missing(&postal);
    assert!(m.iter().any(|x| x.contains("邮寄回执单")) && m.iter().any(|x| x.contains("邮寄回执单号")), "{m:?}");
    assert!(!m.iter().any(|x| x.contains("受送达人签名")), "{m:?}");
    let id = postal["id"].as_str().unwrap();
    let mut fields = receipt("邮寄送达")["fields"].clone();
    fields["postal_receipt"] = json!("EMS 1234567890");
    let d = ok(&cmd(&o, &o.wang, id, json!({"type": "revise", "fields": fields})).await, "revise");
    let hash = d["content_hash"].as_str().unwrap();
    // Not a PDF or an image: refused; a PDF scan of the receipt: kept.
    let r = cmd(&o, &o.wang, id, json!({"type": "attach", "key": "postal_receipt", "file": "aGVsbG8="})).await;
    assert_eq!(r.json()["error"]["code"], "UNPROCESSABLE", "{}", String::from_utf8_lossy(&r.body));
    let pdf = base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4 EMS return receipt scan");
    ok(&cmd(&o, &o.wang, id, json!({"type": "attach", "key": "postal_receipt", "file": pdf})).await, "attach");
    ok(
        &cmd(
            &o,
            &o.wang,
            id,
            json!({"type": "sign", "role": "server", "method": "pad", "image": PNG, "content_hash": hash}),
        )
        .await,
        "server",
    );
    let fin = ok(&cmd(&o, &o.wang, id, json!({"type": "finalise"})).await, "finalise");
    assert_eq!(fin["attachments"][0]["label"], "邮寄回执单");
    assert_eq!(fin["attachments"][0]["sha256"], hex::encode(sha2::Sha256::digest(b"%PDF-1.4 EMS return receipt scan")));
    // Lien service: the server's explanation and a witness, not the recipient.
    let lien = new("留置送达").await;
    let m = missing(&lien);
    assert!(m.iter().any(|x| x.contains("留置送达情况说明")) && m.iter().any(|x| x.contains("见证人签名")), "{m:?}");
    assert!(!m.iter().any(|x| x.contains("受送达人签名")), "{m:?}");
    // Direct service: the recipient signs.
    let direct = new("直接送达").await;
    assert!(missing(&direct).iter().any(|x| x.contains("受送达人签名")), "{:?}", missing(&direct));
    // A method the law does not have is refused.
    let r = o.app.post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &receipt("托人转交")).await;
    assert_eq!(r.json()["error"]["violations"][0]["rule"], "R-134");
}

#[tokio::test]
async fn a_change_after_the_party_signed_is_shown_and_confirmed_by_a_fresh_signature() {
    let o = office().await;
    let catalogue = ok(&o.app.get("/api/document-catalogue", Some(&o.wang)).await, "catalogue");
    let form = catalogue.as_array().unwrap().iter().find(|f| f["code"] == "D16").unwrap();
    let mut fields = filled(form, "D16");
    fields["quantity"] = json!("2 块");
    let r = o
        .app
        .post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &json!({"code": "D16", "fields": fields}))
        .await;
    let doc = ok(&r, "draft");
    let id = doc["id"].as_str().unwrap().to_string();
    let sign_all = |hash: String| {
        let o = &o;
        let id = id.clone();
        async move {
            let party = json!({"type": "sign", "role": "party", "name": "张某某", "image": PNG, "content_hash": hash});
            ok(&cmd(o, &o.wang, &id, party).await, "party");
            for t in [&o.wang, &o.li] {
                let body = json!({"type": "sign", "role": "officer", "image": PNG, "content_hash": hash});
                ok(&cmd(o, t, &id, body).await, "officer");
            }
        }
    };
    sign_all(doc["content_hash"].as_str().unwrap().to_string()).await;
    // The quantity was wrong: changed after the party signed.
    fields["quantity"] = json!("3 块");
    let revised = ok(&cmd(&o, &o.wang, &id, json!({"type": "revise", "fields": fields})).await, "revise");
    assert_eq!(revised["changes"][0]["before"], "2 块");
    assert_eq!(revised["changes"][0]["after"], "3 块");
    // The old signatures no longer bind it: not finalised until the party confirms the change.
    let r = cmd(&o, &o.wang, &id, json!({"type": "finalise"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"]["violations"].to_string().contains("R-021"), "{}", String::from_utf8_lossy(&r.body));
    // 办法第十四条: the change itself is named, to be confirmed by the party.
    assert!(r.json()["error"]["violations"].to_string().contains("R-022"), "{}", String::from_utf8_lossy(&r.body));
    sign_all(revised["content_hash"].as_str().unwrap().to_string()).await;
    ok(&cmd(&o, &o.wang, &id, json!({"type": "finalise"})).await, "finalise");
    let pdf = o.app.get(&format!("/api/documents/{id}/pdf"), Some(&o.wang)).await;
    let text = pdftotext(&pdf.body);
    assert!(text.contains("更改处") && text.contains("由“2块”改为“3块”"), "{text}");
}

#[tokio::test]
async fn a_paper_signature_is_a_scanned_page_that_the_pdf_shows() {
    let o = office().await;
    let dir = scratch();
    let jpg = dir.path().join("scan.jpg");
    let made = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-f", "lavfi", "-i", "color=c=white:s=64x32", "-frames:v", "1"])
        .arg(&jpg)
        .status()
        .expect("ffmpeg (scripts/test installs it)");
    assert!(made.success());
    let scan = base64::engine::general_purpose::STANDARD.encode(std::fs::read(&jpg).unwrap());
    let body = json!({"code": "D41", "fields": {"document": "行政处罚决定书", "recipient": "张某某", "served_at": "2026-11-27 10:00",
        "place": "幸福路 8 号", "method": "直接送达"}});
    let d = ok(&o.app.post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &body).await, "receipt");
    let (id, hash) = (d["id"].as_str().unwrap(), d["content_hash"].as_str().unwrap());
    let paper = json!({"type": "sign", "role": "recipient", "name": "张某某", "method": "paper",
        "image": format!("data:image/jpeg;base64,{scan}"), "content_hash": hash});
    let signed = ok(&cmd(&o, &o.wang, id, paper).await, "paper");
    assert_eq!(signed["signatures"][0]["method"], "paper");
    ok(
        &cmd(&o, &o.wang, id, json!({"type": "sign", "role": "server", "image": PNG, "content_hash": hash})).await,
        "server",
    );
    let fin = ok(&cmd(&o, &o.wang, id, json!({"type": "finalise"})).await, "finalise");
    assert_eq!(fin["state"], "final");
}

#[tokio::test]
async fn a_public_notice_is_deemed_served_thirty_days_on() {
    let o = office().await;
    let body = json!({"code": "D41", "fields": {"document": "行政处罚决定书", "recipient": "张某某", "served_at": "2026-11-02",
        "place": "栗乡街道公告栏", "method": "公告送达", "notice": "在办事处公告栏和门户网站公告", "notice_published_on": "2026-11-02"}});
    let d = ok(&o.app.post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &body).await, "notice");
    assert_eq!(d["deemed_served_on"], "2026-12-02");
    let m = d["missing"].to_string();
    assert!(m.contains("公告文书及公告情况") && !m.contains("受送达人签名"), "{m}");
}

#[tokio::test]
async fn hostile_and_concurrent_requests_leave_a_consistent_document() {
    let o = office().await;
    // The longest field allowed, one unbroken Latin run plus markup: stored and rendered as text.
    let long = "a".repeat(19_000) + "#let x = 1 $ \\ ] [ <b>";
    let body = json!({"code": "D16", "fields": {"party": long.clone()}});
    let d = ok(&o.app.post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &body).await, "long");
    let id = d["id"].as_str().unwrap().to_string();
    let pdf = o.app.get(&format!("/api/documents/{id}/pdf"), Some(&o.wang)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = pdftotext(&pdf.body);
    assert!(text.contains("#letx=1$\\][<b>"), "{}", &text[text.len().saturating_sub(300)..]);
    // Too long, control characters, a field that is not text: refused, nothing recorded.
    let before = liuhen_store::Log::tree_size(&o.app.store);
    for fields in [json!({"party": "a".repeat(20_001)}), json!({"party": "x\u{0007}y"}), json!({"party": 7})] {
        let r = o
            .app
            .post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &json!({"code": "D16", "fields": fields}))
            .await;
        assert!(r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::UNPROCESSABLE_ENTITY, "{}", r.status);
    }
    let r = o.app.post_json(&format!("/api/cases/{}/documents", o.case), "{\"code\": \"D16\", \"fields\": {").await;
    assert!(r.status.is_client_error());
    assert_eq!(liuhen_store::Log::tree_size(&o.app.store), before, "nothing was logged");
    // Ten signatures at once, and a revision racing them: each signature is recorded against the
    // content it saw, or refused with 409 once the content changed under it.
    let hash = d["content_hash"].as_str().unwrap().to_string();
    let sign = |k: usize| {
        let o = &o;
        let (id, hash) = (id.clone(), hash.clone());
        async move {
            let body = json!({"type": "sign", "role": "party", "name": format!("签名人{k}"), "image": PNG, "content_hash": hash});
            cmd(o, &o.wang, &id, body).await.status
        }
    };
    let revise = async {
        let body = json!({"type": "revise", "fields": {"party": "张某某"}, "content_hash": hash});
        cmd(&o, &o.li, &id, body).await.status
    };
    let (statuses, revised) = tokio::join!(futures::future::join_all((0..10).map(sign)), revise);
    assert_eq!(revised, StatusCode::OK);
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT), "{statuses:?}");
    let ok_count = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let doc = ok(&o.app.get(&format!("/api/documents/{id}"), Some(&o.wang)).await, "doc");
    assert_eq!(doc["signatures"].as_array().unwrap().len(), ok_count);
    assert!(doc["signatures"].as_array().unwrap().iter().all(|s| s["current"] == false), "all bound the old content");
    assert_eq!(doc["history"].as_array().unwrap().len(), 2 + ok_count);
}

/// 文号 by the office's numbering scheme: a document issued without one gets the next of its
/// series (its pattern in this year); one typed by hand is kept and the next follows it; a 文号
/// another document holds is refused whole (409 DUPLICATE), and the rebuild from the log gives
/// the same numbers.
#[tokio::test]
async fn a_document_issued_without_a_number_gets_the_next_of_its_series_and_none_is_given_twice() {
    let o = office().await;
    let scheme = json!([{"kind": "D32", "pattern": "栗街罚告〔{year}〕{n}号"}]);
    assert_eq!(o.app.put_as("/api/catalogues/numbering", &o.head, &scheme).await.status, StatusCode::OK);
    let odd = json!([{"kind": "D30", "pattern": "栗街审〔{year}〕{n}号"}]);
    assert_eq!(
        o.app.put_as("/api/catalogues/numbering", &o.head, &odd).await.status,
        StatusCode::BAD_REQUEST,
        "an internal form gets no 文号"
    );
    let notice = || finalised_notice(&o);
    let year = liuhen_core::time::Timestamp(CLOCK_MS).shanghai_date().year();
    let no = |n: u32| format!("栗街罚告〔{year}〕{n}号");
    let mut given = Vec::new();
    for typed in [None, Some(no(5)), None] {
        let id = notice().await;
        let issue = match &typed {
            Some(t) => json!({"type": "issue", "doc_no": t}),
            None => json!({"type": "issue"}),
        };
        let d = ok(&cmd(&o, &o.head, &id, issue).await, "issue");
        given.push(d["issued"]["doc_no"].as_str().unwrap().to_string());
    }
    assert_eq!(given, [no(1), no(5), no(6)]);
    // A number another document holds: refused, nothing recorded.
    let id = notice().await;
    let before = o.app.store.tree_size();
    // So is a 成文日期 ahead of today or before the document was drafted (R-064b).
    for date in ["2030-01-01", "2020-01-01"] {
        let r = cmd(&o, &o.head, &id, json!({"type": "issue", "date": date})).await;
        assert_eq!(
            r.json()["error"]["violations"][0]["rule"],
            "R-064b",
            "{date}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let r = cmd(&o, &o.head, &id, json!({"type": "issue", "doc_no": no(1)})).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("DUPLICATE")),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(o.app.store.tree_size(), before);
    // A number longer than a series holds would stall it (its next no number of the series):
    // refused (helper 17).
    let r = cmd(&o, &o.head, &id, json!({"type": "issue", "doc_no": format!("栗街罚告〔{year}〕4294967295号")})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(o.app.store.tree_size(), before);
    // An empty 文号 is the next one too.
    let d = ok(&cmd(&o, &o.head, &id, json!({"type": "issue", "doc_no": ""})).await, "issue");
    assert_eq!(d["issued"]["doc_no"], no(7));
    // A form without the office's own pattern follows the default one.
    let catalogue = ok(&o.app.get("/api/document-catalogue", Some(&o.wang)).await, "catalogue");
    let form = catalogue.as_array().unwrap().iter().find(|f| f["code"] == "D34b").unwrap().clone();
    let body = json!({"code": "D34b", "fields": filled(&form, "D34b")});
    let d = ok(&o.app.post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &body).await, "D34b");
    let id = d["id"].as_str().unwrap().to_string();
    ok(&cmd(&o, &o.wang, &id, json!({"type": "finalise"})).await, "finalise");
    let d = ok(&cmd(&o, &o.head, &id, json!({"type": "issue"})).await, "issue");
    assert_eq!(d["issued"]["doc_no"], format!("听通〔{year}〕1号"));
    let again = liuhen_server::app::App::new(o.app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// 检查必通知 (R-120b): an on-site inspection without the 行政检查通知书 issued to the inspected
/// party stands but carries the defect; with the notice issued under seal, it does not.
#[tokio::test]
async fn an_inspection_without_its_notice_issued_is_flagged() {
    let o = office().await;
    let catalogue = ok(&o.app.get("/api/document-catalogue", Some(&o.wang)).await, "catalogue");
    let form = catalogue.as_array().unwrap().iter().find(|f| f["code"] == "D05").unwrap().clone();
    let t = 1_795_568_400_000_i64 + 3_600_000;
    let act = json!({"type": "record_on_site", "act": {"at": t, "place": "幸福路 8 号", "recording_announced": true,
        "problems_found": false, "summary": "消防通道畅通",
        "officers": o.officers.iter().map(|x| json!({"officer_id": x, "id_shown_at": t})).collect::<Vec<_>>()}});
    let mut found = Vec::new();
    for (n, notified) in [(51, false), (52, true)] {
        let case = o.app.open_inspection(&o.wang, &format!("栗街检〔2026〕{n}号")).await;
        if notified {
            let body = json!({"code": "D05", "fields": filled(&form, "D05")});
            let d = ok(&o.app.post_as(&format!("/api/cases/{case}/documents"), &o.wang, &body).await, "D05");
            let id = d["id"].as_str().unwrap().to_string();
            ok(&cmd(&o, &o.wang, &id, json!({"type": "finalise"})).await, "finalise");
            ok(&cmd(&o, &o.wang, &id, json!({"type": "issue"})).await, "issue on site");
        }
        let body = json!({"expected_version": 1, "command": act});
        ok(&o.app.post_as(&format!("/api/cases/{case}/commands"), &o.wang, &body).await, "on site");
        let view = ok(&o.app.get(&format!("/api/cases/{case}"), Some(&o.wang)).await, "case");
        found.push(view.to_string().contains("R-120b"));
    }
    assert_eq!(found, [true, false]);
}

/// 行政许可法第六十一条: a 监督检查 of a licensee names its licence case; done with
/// without a 现场检查笔录 signed by the inspectors, it is flagged; with one, not. It names only a
/// licence case the inspector can see.
#[tokio::test]
async fn a_licensees_supervision_closes_on_a_signed_site_record() {
    let o = office().await;
    let applicant = json!({"kind": "legal_person", "name": "迁西县某某商贸有限公司", "uscc": "91130227MA0A1B2C3A",
        "legal_rep": "王某", "address": "迁西县栗乡街道迁安路 12 号"});
    let licence = json!({"case_no": "栗街许〔2026〕9号", "matter": "临时占用道路审批", "received_at": day("2026-11-02"),
        "materials": ["申请书"], "receipt_issued": true, "applicant": applicant});
    let lic = ok(&o.app.post_as("/api/cases/licences", &o.wang, &licence).await, "licence")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = 1_795_568_400_000_i64 + 3_600_000;
    let open = |n: u32, supervises: &str| {
        json!({"case_no": format!("栗街检〔2026〕{n}号"), "matter": "消防安全检查", "kind": "routine", "basis": "许可后监督检查计划",
            "source": "inspection", "reason": "对被许可人的监督检查", "received_at": 1_795_568_400_000_i64, "supervises": supervises})
    };
    // A penalty case, or one that does not exist, is no licence to supervise.
    for bad in [o.case.as_str(), "01a24597-0000-7000-8000-000000000000"] {
        let r = o.app.post_as("/api/cases/inspections", &o.wang, &open(70, bad)).await;
        assert_eq!(r.json()["error"]["code"], "UNKNOWN_REFERENCE", "{}", String::from_utf8_lossy(&r.body));
    }
    let catalogue = ok(&o.app.get("/api/document-catalogue", Some(&o.wang)).await, "catalogue");
    let form = catalogue.as_array().unwrap().iter().find(|f| f["code"] == "D12").unwrap().clone();
    let mut flagged = Vec::new();
    for (n, recorded) in [(71, false), (72, true)] {
        let case = ok(&o.app.post_as("/api/cases/inspections", &o.wang, &open(n, &lic)).await, "inspection")["id"]
            .as_str()
            .unwrap()
            .to_string();
        let act = json!({"at": t, "place": "迁安路 12 号", "recording_announced": true, "problems_found": false,
            "summary": "按许可范围占用道路", "officers": o.officers.iter().map(|x| json!({"officer_id": x, "id_shown_at": t})).collect::<Vec<_>>()});
        let step = |v: u64, c: Value| {
            let body = json!({"expected_version": v, "command": c});
            let url = format!("/api/cases/{case}/commands");
            let app = &o.app;
            let token = o.wang.clone();
            async move { ok(&app.post_as(&url, &token, &body).await, "step") }
        };
        step(1, json!({"type": "record_on_site", "act": act})).await;
        // The inspectors, named on the act, sign the record made on site.
        if recorded {
            let body = json!({"code": "D12", "fields": filled(&form, "D12")});
            let d = ok(&o.app.post_as(&format!("/api/cases/{case}/documents"), &o.wang, &body).await, "D12");
            let (id, hash) = (d["id"].as_str().unwrap().to_string(), d["content_hash"].clone());
            for t in [&o.wang, &o.li] {
                let sign =
                    json!({"type": "sign", "role": "officer", "method": "pad", "image": PNG, "content_hash": hash});
                ok(&cmd(&o, t, &id, sign).await, "inspector signs");
            }
            let refusal = json!({"type": "refuse", "role": "party", "who": "王某", "reason": "拒绝签字",
                "officers": o.officers, "witness": "赵某", "content_hash": hash});
            ok(&cmd(&o, &o.wang, &id, refusal).await, "refusal noted");
            let witness = json!({"type": "sign", "role": "witness", "name": "赵某", "method": "pad", "image": PNG,
                "content_hash": hash});
            ok(&cmd(&o, &o.wang, &id, witness).await, "witness signs");
            ok(&cmd(&o, &o.wang, &id, json!({"type": "finalise"})).await, "finalise");
        }
        for (v, c) in [
            (2, json!({"type": "notify_result", "at": t + 3_600_000})),
            (3, json!({"type": "close", "at": t + 7_200_000})),
        ] {
            step(v, c).await;
        }
        let view = ok(&o.app.get(&format!("/api/cases/{case}"), Some(&o.wang)).await, "case");
        assert_eq!(view["state"], "closed");
        flagged.push(view.to_string().contains("R-118"));
    }
    assert_eq!(flagged, [true, false]);
    let again = liuhen_server::app::App::new(o.app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// 办法第二十四条 保密: an identity number in a document (the 询问笔录's 被询问人身份证件号码) is
/// masked in every view of it — its JSON, its changes, the PDF one who does not act on the case
/// reads — and whole in the document itself; a form posted back with the masked number keeps
/// the number. A document is a record of its case: classed 个人隐私, it is withheld from the
/// 监督人员 (403 on its own, a row without its content in the case's list) as records are.
#[tokio::test]
async fn a_documents_identity_number_is_masked_in_views_and_a_classed_document_is_withheld() {
    let o = office().await;
    let catalogue = ok(&o.app.get("/api/document-catalogue", Some(&o.wang)).await, "catalogue");
    let form = catalogue.as_array().unwrap().iter().find(|f| f["code"] == "D11").unwrap();
    let number = "130227199001011234";
    let phone = "13912345678";
    let mut fields = filled(form, "D11");
    fields["interviewee_id"] = json!(number);
    // Numbers typed in its text too: for those who handle the case, starred for the others.
    fields["qa"] = json!(format!("问：你的联系电话？答：{phone}，身份证{number}。罚款 3000 元，2026-08-17。"));
    let r = o
        .app
        .post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &json!({"code": "D11", "fields": fields}))
        .await;
    let doc = ok(&r, "D11");
    let id = doc["id"].as_str().unwrap().to_string();
    assert_eq!(doc["fields"]["interviewee_id"], "130227********1234", "{doc}");
    assert!(doc["fields"]["qa"].as_str().unwrap().contains(phone), "the handler reads what they wrote: {doc}");
    // Revised with the masked number as the form showed it: the number is kept, unchanged.
    let mut shown = doc["fields"].clone();
    shown["place"] = json!("询问室二");
    let revised = ok(&cmd(&o, &o.wang, &id, json!({"type": "revise", "fields": shown})).await, "revise");
    let mut whole = fields.clone();
    whole["place"] = json!("询问室二");
    let expected = liuhen_server::app::documents::content_hash("D11", &serde_json::from_value(whole).unwrap(), None);
    assert_eq!(revised["content_hash"], expected.as_str(), "the masked number replaced the number");
    // The officer's PDF is the document, whole; the supervisor's a masked copy, ledgered so.
    let pdf = o.app.get(&format!("/api/documents/{id}/pdf?purpose=核对"), Some(&o.wang)).await;
    assert!(pdftotext(&ok_bytes(&pdf)).contains(number));
    let admin = o.app.login_admin().await;
    let supervisor = o.app.account(&admin, "jiancha9", "supervisor").await;
    let pdf = o.app.get(&format!("/api/documents/{id}/pdf?purpose=评查"), Some(&supervisor)).await;
    let text = pdftotext(&ok_bytes(&pdf));
    assert!(!text.contains(number) && text.contains("130227") && text.contains("遮蔽件"), "{text}");
    assert!(!text.contains(phone) && text.contains("3000") && text.contains("2026-08-17"), "{text}");
    let seen = o.app.get(&format!("/api/documents/{id}"), Some(&supervisor)).await;
    for secret in [number, phone] {
        assert!(!seen.body.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} whole to the supervisor");
    }
    let seen = ok(&seen, "supervisor's view");
    assert_eq!(seen["fields"]["interviewee_id"], "130227********1234");
    // Nor its content hash: with the rest of the text it would give the number back by trying
    // each (helper 19).
    assert_eq!((&seen["content_hash"], &seen["content_hash_withheld"]), (&Value::Null, &json!(true)), "{seen}");
    assert!(seen["fields"]["qa"].as_str().unwrap().contains("3000 元，2026-08-17"), "{seen}");
    // The 法制审核人员 and the 集体讨论成员 act on a case's review and discussion, not its
    // service: the 遮蔽件 too, and no party's identity whole.
    for reader in [&o.legal, &o.members[0]] {
        let pdf = o.app.get(&format!("/api/documents/{id}/pdf?purpose=审核"), Some(reader)).await;
        assert!(!pdftotext(&ok_bytes(&pdf)).contains(number));
        let r = o.app.get(&format!("/api/cases/{}/party?purpose=审核需要", o.case), Some(reader)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // The handler passes the policy (this case has no party identified yet: 404, not 403).
    let r = o.app.get(&format!("/api/cases/{}/party?purpose=送达需要", o.case), Some(&o.wang)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "the handler still may");
    // Classed 个人隐私 by the 负责人 (as a record of the case, `document/<id>`).
    let path = format!("/api/cases/{}/records/document/{id}/classification", o.case);
    let body = json!({"class": "personal_privacy", "reason": "载有被询问人身份信息", "expected_class": "internal"});
    assert_eq!(o.app.post_as(&path, &o.head, &body).await.status, StatusCode::NO_CONTENT);
    for route in [format!("/api/documents/{id}"), format!("/api/documents/{id}/pdf")] {
        assert_eq!(o.app.get(&route, Some(&supervisor)).await.status, StatusCode::FORBIDDEN, "{route}");
    }
    assert_eq!(o.app.get(&format!("/documents/{id}"), Some(&supervisor)).await.status, StatusCode::FORBIDDEN);
    let list = ok(&o.app.get(&format!("/api/cases/{}/documents", o.case), Some(&supervisor)).await, "list");
    let row = list["documents"].as_array().unwrap().iter().find(|d| d["id"] == id.as_str()).unwrap().clone();
    assert_eq!(row["withheld"], "个人隐私", "{row}");
    assert!(row.get("state").is_none() && row.get("pdf_sha256").is_none(), "{row}");
    // Those who handle the case still read it, under its class.
    let mine = ok(&o.app.get(&format!("/api/documents/{id}"), Some(&o.wang)).await, "handler's view");
    assert_eq!(mine["class"], "personal_privacy");
    // A correction holds what it corrects: classed as it is (a 事先告知书, finalised, classed,
    // then corrected).
    let form = catalogue.as_array().unwrap().iter().find(|f| f["code"] == "D32").unwrap();
    let notice = filled(form, "D32");
    let r = o
        .app
        .post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &json!({"code": "D32", "fields": notice}))
        .await;
    let first = ok(&r, "D32")["id"].as_str().unwrap().to_string();
    ok(&cmd(&o, &o.wang, &first, json!({"type": "finalise"})).await, "finalise");
    let path = format!("/api/cases/{}/records/document/{first}/classification", o.case);
    assert_eq!(o.app.post_as(&path, &o.head, &body).await.status, StatusCode::NO_CONTENT);
    let mut fixed = notice.clone();
    fixed["contact"] = json!("王明 0315-5611234");
    let r = o
        .app
        .post_as(
            &format!("/api/cases/{}/documents", o.case),
            &o.wang,
            &json!({"code": "D32", "fields": fixed, "supersedes": first, "reason": "联系电话笔误"}),
        )
        .await;
    let correction = ok(&r, "correction")["id"].as_str().unwrap().to_string();
    assert_eq!(
        o.app.get(&format!("/api/documents/{correction}"), Some(&supervisor)).await.status,
        StatusCode::FORBIDDEN
    );
    let again = liuhen_server::app::App::new(o.app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new(),
        "the correction's class comes back from the log"
    );
    // A record of another case, or none, cannot be classed through this one.
    let path = format!("/api/cases/{}/records/document/doc-nope/classification", o.case);
    assert_eq!(o.app.post_as(&path, &o.head, &body).await.status, StatusCode::NOT_FOUND);
}

fn ok_bytes(r: &Resp) -> Vec<u8> {
    assert!(r.status.is_success(), "{} {}", r.status, String::from_utf8_lossy(&r.body));
    r.body.to_vec()
}

/// 办法第二十四条 保密: a phone or identity number typed in an approval's opinion or reason, a
/// return's reasons or a refusal's note is starred for a reader who does not handle the case —
/// and the approval's signed statement, which holds the opinion as typed, and its signature are
/// withheld from that reader, not shown beside the starred text.
#[tokio::test]
async fn numbers_in_approvals_and_returns_are_starred_for_those_who_do_not_handle_the_case() {
    let o = office().await;
    let doc = handling_form(&o).await;
    let id = doc["id"].as_str().unwrap().to_string();
    let hash = doc["content_hash"].as_str().unwrap().to_string();
    let (phone, number) = ("13912345678", "130227199001011234");
    let body = json!({"type": "approve", "step": "handler", "opinion": "建议罚款五千元",
        "reason": format!("当事人电话{phone}，已核实"), "content_hash": hash});
    ok(&cmd(&o, &o.wang, &id, body).await, "handler");
    // Its PDF for one who does not handle the case is the 遮蔽件, the reason starred (helper 19).
    let admin = o.app.login_admin().await;
    let reader = o.app.account(&admin, "jiancha5", "supervisor").await;
    let pdf = pdftotext(&ok_bytes(&o.app.get(&format!("/api/documents/{id}/pdf?purpose=评查"), Some(&reader)).await));
    assert!(pdf.contains("遮蔽件") && !pdf.contains(phone) && pdf.contains("已核实"), "{pdf}");
    let pdf = pdftotext(&ok_bytes(&o.app.get(&format!("/api/documents/{id}/pdf?purpose=核对"), Some(&o.wang)).await));
    assert!(pdf.contains(phone), "the handler's is the document: {pdf}");
    let back = json!({"type": "return", "reasons": format!("请核对身份证{number}"), "content_hash": hash});
    ok(&cmd(&o, &o.keshi, &id, back).await, "return");
    let admin = o.app.login_admin().await;
    let supervisor = o.app.account(&admin, "jiancha8", "supervisor").await;
    let r = o.app.get(&format!("/api/documents/{id}?purpose=评查"), Some(&supervisor)).await;
    for secret in [phone, number] {
        assert!(!r.body.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} whole to the supervisor");
    }
    let seen = ok(&r, "supervisor's view");
    assert_eq!(seen["approvals"][0]["reason"], "当事人电话***********，已核实", "{seen}");
    assert_eq!(seen["approvals"][0]["statement"], Value::Null, "{seen}");
    assert_eq!(seen["approvals"][0]["statement_withheld"], true, "{seen}");
    // The signature too: over a short number it is a way to find the number (helper 18).
    assert_eq!(seen["approvals"][0]["signature"], Value::Null, "{seen}");
    assert_eq!(seen["approvals"][0]["signature_withheld"], true, "{seen}");
    assert!(seen["returns"][0]["reasons"].as_str().unwrap().ends_with("******************"), "{seen}");
    // The handler reads what was typed, and the statement to check the signature with.
    let mine = ok(&o.app.get(&format!("/api/documents/{id}"), Some(&o.wang)).await, "handler's view");
    assert!(mine["approvals"][0]["reason"].as_str().unwrap().contains(phone));
    assert!(mine["approvals"][0]["statement"].is_string(), "{mine}");
    assert!(mine["returns"][0]["reasons"].as_str().unwrap().contains(number));
}

/// A first signature makes its signer's key, and the key is made no later than the time the
/// signature states: a signature stands only when made while its key was valid (电子签名法第十三条).
#[tokio::test]
async fn a_first_signature_is_never_dated_before_the_key_it_makes() {
    let o = office().await;
    let list = ok(&o.app.get(&format!("/api/cases/{}/documents", o.case), Some(&o.head)).await, "documents");
    let filing = list["documents"].as_array().unwrap().iter().find(|d| d["code"] == "D02").unwrap();
    let d = ok(&o.app.get(&format!("/api/documents/{}", filing["id"].as_str().unwrap()), Some(&o.head)).await, "D02");
    let approvals = d["approvals"].as_array().unwrap();
    assert_eq!(approvals.len(), 3, "{d}");
    for a in approvals {
        let key =
            ok(&o.app.get(&format!("/api/signing-keys/{}", a["key_id"].as_str().unwrap()), Some(&o.head)).await, "key");
        let (made, signed) = (key["created_at"].as_i64().unwrap(), a["at"].as_i64().unwrap());
        assert!(made <= signed, "{} signed at {signed}, its key made at {made}", a["step"]);
        assert_eq!(key["revoked_at"], Value::Null);
    }
}

/// A 文号 register row deleted with a shell while the server was stopped: the server that
/// starts on it gives no number until its check at start has found the register as the log has
/// it (here: mended from the log), so the deleted number is never given again.
#[tokio::test]
async fn no_number_is_given_until_the_check_at_start_has_found_the_register_as_the_log_has_it() {
    let o = office().await;
    let scheme = json!([{"kind": "D32", "pattern": "栗街罚告〔{year}〕{n}号"}]);
    assert_eq!(o.app.put_as("/api/catalogues/numbering", &o.head, &scheme).await.status, StatusCode::OK);
    let notice = || finalised_notice(&o);
    let year = liuhen_core::time::Timestamp(CLOCK_MS).shanghai_date().year();
    let first = notice().await;
    let d = ok(&cmd(&o, &o.head, &first, json!({"type": "issue"})).await, "issue");
    let given = d["issued"]["doc_no"].as_str().unwrap().to_string();
    assert_eq!(given, format!("栗街罚告〔{year}〕1号"));
    let second = notice().await;
    // While stopped, the register's row deleted; then the server starts on it.
    let conn = rusqlite::Connection::open(o.app.data.db_path()).unwrap();
    assert_eq!(conn.execute("DELETE FROM doc_numbers WHERE doc_no = ?1", [&given]).unwrap(), 1);
    drop(conn);
    let mut running = None;
    let router = o.app.router_with(|s| {
        s.app.clock = o.app.clock.clone();
        running = Some(s.app.clone());
    });
    let running = running.unwrap();
    running.hold_until_checked().await.unwrap();
    // The sessions found at the start wait for the check too; one signed in since is honoured.
    let r = o.app.get_from(&router, "/api/me", &o.head).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", String::from_utf8_lossy(&r.body));
    let signed_in =
        o.app.post_from(&router, "/api/session", "", &json!({"username": "wang", "password": "changed-pass-2"})).await;
    let fresh = signed_in.json()["token"].as_str().unwrap().to_string();
    assert_eq!(o.app.get_from(&router, "/api/me", &fresh).await.status, StatusCode::OK);
    let head = o.app.login().await;
    let path = format!("/api/documents/{second}/commands");
    let before = o.app.store.tree_size();
    for issue in [json!({"type": "issue"}), json!({"type": "issue", "doc_no": given})] {
        let r = o.app.post_from(&router, &path, &head, &issue).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", String::from_utf8_lossy(&r.body));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("文号登记簿"), "{}", r.json());
    }
    // Nor is a case opened, its 案号 typed or the next one (helper 18: a case row deleted while
    // stopped gave its number again).
    for no in ["", "栗街罚〔2026〕41号"] {
        let body = json!({"case_no": no, "matter": "违法建设", "party_kind": "citizen", "source": "complaint",
                          "reason": "群众举报", "received_at": day("2026-08-06")});
        let r = o.app.post_from(&router, "/api/cases/penalties", &fresh, &body).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{no}: {}", String::from_utf8_lossy(&r.body));
    }
    assert_eq!(o.app.store.tree_size(), before, "nothing recorded");
    let report = running.check_integrity().await.unwrap();
    assert!(report.problems.iter().any(|p| p.contains("doc_numbers")), "{:?}", report.problems);
    // Released (the mend ended the sessions: signed in again): the deleted number is held
    // again, and the next one is given.
    let head = o.app.login().await;
    let r = o.app.post_from(&router, &path, &head, &json!({"type": "issue", "doc_no": given})).await;
    assert_eq!(r.json()["error"]["code"], "DUPLICATE", "{}", String::from_utf8_lossy(&r.body));
    let r = o.app.post_from(&router, &path, &head, &json!({"type": "issue"})).await;
    assert_eq!(ok(&r, "issue")["issued"]["doc_no"], format!("栗街罚告〔{year}〕2号"));
}
