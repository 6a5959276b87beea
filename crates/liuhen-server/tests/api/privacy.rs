//! No free text and no personal value in the public log: the demo office, then every kind of
//! words a user types — purposes, reasons, names of things, a username typed wrong — with
//! canary strings, and every tile the server serves scanned for them. (Every other API test
//! ends with the same scan of its own log, in `TestApp`'s drop.)

use crate::helpers::*;
use axum::http::StatusCode;
use liuhen_server::LogAccess;
use liuhen_store::Log as _;
use liuhen_store::ProjectionReads as _;

/// Strings that must never be served: words a user typed, and personal values.
const CANARIES: [&str; 7] = [
    "金丝雀孙某某",
    "130227199201170059",
    "13812345678",
    "金丝雀定级理由",
    "金丝雀令牌名",
    "金丝雀用户名",
    "金丝雀单位",
];

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn no_canary_and_no_personal_value_is_served_in_any_tile() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    assert!(app.seed_demo().await);
    let cases = app.get("/api/cases", Some(&token)).await.json()["cases"].clone();
    let id = cases[0]["id"].as_str().unwrap().to_string();

    // A purpose that names a party and her number, on a view and on an unmasking.
    let purpose = urlencode("核对金丝雀孙某某身份证 130227199201170059 电话 13812345678");
    assert_eq!(app.get(&format!("/api/cases/{id}?purpose={purpose}"), Some(&token)).await.status, StatusCode::OK);
    let r = app.get(&format!("/api/cases/{id}/party?purpose={purpose}"), Some(&token)).await;
    assert!(r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND, "{}", r.status);
    // A classification's reason, an API token's name, a username typed wrong.
    let r = app
        .post_as(
            &format!("/api/cases/{id}/classification"),
            &token,
            &serde_json::json!({"class": "personal_privacy", "reason": "金丝雀定级理由：涉及金丝雀孙某某"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let r = app.post_as("/api/tokens", &token, &serde_json::json!({"name": "金丝雀令牌名", "days": 1})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let admin = app.login_admin().await;
    let account = serde_json::json!({"username": "canary", "roles": "device_admin",
                                     "password": "a-long-enough-password", "unit": "金丝雀单位"});
    assert_eq!(app.post_as("/api/users", &admin, &account).await.status, StatusCode::CREATED);
    let wrong = serde_json::json!({"username": "金丝雀用户名", "password": "x"}).to_string();
    assert_eq!(app.post_json("/api/session", &wrong).await.status, StatusCode::UNAUTHORIZED);
    // The ledger still shows the purpose to those who may read it.
    let ledger = app.get(&format!("/api/cases/{id}/ledger"), Some(&token)).await.json()["ledger"].clone();
    assert!(ledger.to_string().contains("金丝雀孙某某"), "{ledger}");

    // Every tile the server serves, as anyone fetches it.
    liuhen_store::Log::sign_checkpoint(&app.store).await.unwrap();
    let checkpoint = String::from_utf8(app.get("/log/checkpoint", None).await.body).unwrap();
    let size: u64 = checkpoint.lines().nth(1).unwrap().parse().unwrap();
    assert!(size > 100, "the demo and the steps above are in the log ({size} entries)");
    let mut served = Vec::new();
    for b in 0..size.div_ceil(256) {
        let id = liuhen_log::TileId::bundle_for_tree(b, size).unwrap();
        let r = app.get(&format!("/log/{}", id.path()), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", id.path());
        served.extend(r.body);
    }
    let served = String::from_utf8_lossy(&served);
    for c in CANARIES {
        assert!(!served.contains(c), "{c:?} is served in a tile");
    }
    assert!(served.contains("access.view") && served.contains("classification.set"), "the steps are in the tiles");
}

#[tokio::test]
async fn the_scan_finds_words_that_stand_both_behind_a_commitment_and_in_the_clear() {
    // The scan every API test ends with must be able to fail: a log with a leak.
    let dir = tempfile::tempdir().unwrap();
    let data = liuhen_server::datadir::DataDir::new(dir.path());
    data.init(ORIGIN).unwrap();
    let store = liuhen_store::SqliteStore::open(
        &data.db_path(),
        data.log_config(std::time::Duration::from_secs(3600)).unwrap(),
    )
    .await
    .unwrap();
    let content = serde_json::json!({"party": {"name": "金丝雀孙某某"}}).to_string().into_bytes();
    let salt = [9u8; 32];
    let c = liuhen_log::commitment(&salt, &content);
    let body = |v: serde_json::Value| v.as_object().unwrap().clone();
    let kept = liuhen_log::EntryDraft::new(
        "system",
        "test.kept",
        None,
        body(serde_json::json!({"detail": {"commit": c.to_hex()}})),
        vec![],
        vec![c],
    )
    .unwrap();
    store
        .append(liuhen_store::AppendRequest {
            draft: kept,
            ops: vec![liuhen_store::Op::PutOpening { commitment: c, salt, content }],
        })
        .await
        .unwrap();
    assert_eq!(private_text_in_public_log(&data.db_path()), Vec::<String>::new());
    let leaked = liuhen_log::EntryDraft::new(
        "system",
        "test.leak",
        None,
        body(serde_json::json!({"note": "见金丝雀孙某某"})),
        vec![],
        vec![],
    )
    .unwrap();
    store.append(liuhen_store::AppendRequest::entry(leaked)).await.unwrap();
    let leaks = private_text_in_public_log(&data.db_path());
    assert_eq!(leaks, ["entry 1 (test.leak) holds \"金丝雀孙某某\""]);
}

/// 办法第二十四条、第二十五条: an account's ledger, read by a 监督人员, does not name what the
/// reader may not see — a record classed beyond the reader, or a whole case so classed, after the
/// view was ledgered: the line stays (when, what kind of access) without the case, the record
/// or the purpose the viewer typed.
#[tokio::test]
async fn an_accounts_ledger_withholds_the_cases_and_records_its_reader_may_not_see() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    assert!(app.seed_demo().await);
    let admin = app.login_admin().await;
    let supervisor = app.account(&admin, "jiancha2", "supervisor").await;
    let me = app.get("/api/me", Some(&head)).await.json();
    let ledger_path = format!("/api/users/{}/ledger", me["id"].as_str().unwrap());
    // Two cases of the demo with an on-site record; the head views the record of one, the other whole.
    let mut ids = Vec::new();
    for c in app.store.cases(1_000).await.unwrap() {
        let v = app.get(&format!("/api/cases/{}/av", c.id), Some(&head)).await.json();
        if v["records"].as_array().unwrap().iter().any(|r| r["record"] == "act/0")
            && app.store.record_marks(&c.id, "class").await.unwrap().is_empty()
            && c.confidentiality != "personal_privacy"
        {
            ids.push((c.id.clone(), c.case_no.clone()));
        }
    }
    assert!(ids.len() >= 2, "{ids:?}");
    let ((one, one_no), (two, two_no)) = (ids[0].clone(), ids[1].clone());
    let purpose = urlencode("核对金丝雀孙某某的陈述");
    let r = app.get(&format!("/api/cases/{one}/records/act/0?purpose={purpose}"), Some(&head)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(app.get(&format!("/api/cases/{two}?purpose={purpose}"), Some(&head)).await.status, StatusCode::OK);
    // Before any class: the supervisor reads both, with the purpose.
    let read = |token: String| {
        let (app, path) = (&app, ledger_path.clone());
        async move { app.get(&path, Some(&token)).await.json()["ledger"].to_string() }
    };
    let before = read(supervisor.clone()).await;
    assert!(before.contains(&one) && before.contains(&two) && before.contains("金丝雀孙某某"), "{before}");
    // The record classed 个人隐私, the other case too.
    let class = serde_json::json!({"class": "personal_privacy", "reason": "涉及个人隐私"});
    let r = app.post_as(&format!("/api/cases/{one}/records/act/0/classification"), &head, &class).await;
    assert!(r.status.is_success(), "{}", String::from_utf8_lossy(&r.body));
    let r = app.post_as(&format!("/api/cases/{two}/classification"), &head, &class).await;
    assert!(r.status.is_success(), "{}", String::from_utf8_lossy(&r.body));
    let after = read(supervisor.clone()).await;
    assert!(!after.contains(&two) && !after.contains(&two_no), "{after}");
    assert!(!after.contains("act/0") && !after.contains("金丝雀孙某某"), "{after}");
    assert!(after.contains(&format!("案件 {one_no} 中不可查看的记录")), "{after}");
    assert!(after.contains("不可查看的案件（已隐去）"), "{after}");
    // The head, who sees both, still reads all of it.
    let own = read(head.clone()).await;
    assert!(own.contains(&two) && own.contains("act/0") && own.contains("金丝雀孙某某"), "{own}");
}

/// The case list is a list, not a read of every case's records: its rows carry what the list
/// shows (number, kind, state, matter, party's name, class, times, what comes next), never the
/// case's records — so a record classed beyond the reader (办法第二十四条), or a party's
/// identity number, is not read past the view that withholds it and ledgers the reading.
#[tokio::test]
async fn the_case_list_carries_no_record_a_case_view_would_withhold_or_ledger() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    assert!(app.seed_demo().await);
    let admin = app.login_admin().await;
    let supervisor = app.account(&admin, "jiancha3", "supervisor").await;
    let mut marked = None;
    for c in app.store.cases(1_000).await.unwrap() {
        if !app.store.record_marks(&c.id, "class").await.unwrap().is_empty() {
            marked = Some(c);
        }
    }
    let marked = marked.expect("the demo classes a record");
    let data: serde_json::Value = serde_json::from_str(&marked.data).unwrap();
    let place = data["acts"][0]["place"].as_str().expect("the classed act has a place").to_string();
    let size = liuhen_store::Log::tree_size(&app.store);
    for token in [&supervisor, &head] {
        let list = app.get("/api/cases?limit=500", Some(token)).await;
        assert_eq!(list.status, StatusCode::OK);
        let text = String::from_utf8_lossy(&list.body).to_string();
        let v = list.json();
        let row =
            v["cases"].as_array().unwrap().iter().find(|c| c["id"] == marked.id.as_str()).expect("listed").clone();
        assert!(row.get("data").is_none(), "{row}");
        assert_eq!(row["party"], marked.party.as_str(), "{row}");
        assert!(row["next_commands"].is_array(), "{row}");
        assert!(!text.contains(&place), "the classed act's place is in the list");
    }
    assert_eq!(liuhen_store::Log::tree_size(&app.store), size, "a list is no reading of a case");
    // The view withholds it from the supervisor, and shows it to the head, ledgered.
    let path = format!("/api/cases/{}?purpose=x", marked.id);
    assert!(!String::from_utf8_lossy(&app.get(&path, Some(&supervisor)).await.body).contains(&place));
    assert!(String::from_utf8_lossy(&app.get(&path, Some(&head)).await.body).contains(&place));
}

/// 办法第二十四条: a record classed beyond a reader is withheld everywhere the reader looks —
/// not only in the case's view: its deadline and its place on the overdue A/V list (owed, but
/// not named), and the case's ledger (the line stays, without the record or the purpose typed).
#[tokio::test]
async fn a_withheld_record_is_not_named_by_its_deadline_the_overdue_list_or_the_case_ledger() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let admin = app.login_admin().await;
    let supervisor = app.account(&admin, "jiancha4", "supervisor").await;
    let officers = crate::av::two_officers(&app, &head).await;
    let matter = serde_json::json!({"code": "I-012", "name": "出租房屋安全检查", "kind": "inspection",
        "legal_basis": "《河北省流动人口服务管理规定》", "av_mandatory": false});
    assert_eq!(app.post_as("/api/matters", &head, &matter).await.status, StatusCode::CREATED);
    let t0 = liuhen_server::app::now_ms() - 30 * 3_600_000;
    let body = serde_json::json!({"case_no": "栗街检〔2026〕77号", "matter": "出租房屋安全检查", "kind": "special",
        "basis": "专项检查方案", "source": "inspection", "reason": "专项检查", "received_at": t0 - 3_600_000});
    let case = app.post_as("/api/cases/inspections", &head, &body).await.json()["id"].as_str().unwrap().to_string();
    let place = "秘密路99号甲座";
    let act = serde_json::json!({"type": "record_on_site", "act": {"at": t0, "place": place, "recording_announced": true,
        "problems_found": false, "summary": "未发现问题", "touches": ["personal_liberty"],
        "officers": officers.iter().map(|o| serde_json::json!({"officer_id": o, "id_shown_at": t0})).collect::<Vec<_>>()}});
    let r = app
        .post_as(
            &format!("/api/cases/{case}/commands"),
            &head,
            &serde_json::json!({"expected_version": 1, "command": act}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let purpose = "核对金丝雀隐私用途";
    let r = app.get(&format!("/api/cases/{case}/records/act/0?purpose={}", urlencode(purpose)), Some(&head)).await;
    assert_eq!(r.status, StatusCode::OK);
    let reads = |token: String| {
        let (app, case) = (&app, case.clone());
        async move {
            let mut all = String::new();
            for path in [
                "/api/deadlines?limit=500".to_string(),
                "/api/av/overdue?limit=500".to_string(),
                format!("/api/cases/{case}/ledger"),
            ] {
                let r = app.get(&path, Some(&token)).await;
                assert_eq!(r.status, StatusCode::OK, "{path}");
                all.push_str(&String::from_utf8_lossy(&r.body));
            }
            all
        }
    };
    // Before the class: the supervisor reads them as the head does.
    let before = reads(supervisor.clone()).await;
    assert!(before.contains(place) && before.contains(purpose), "{before}");
    let class = serde_json::json!({"class": "personal_privacy", "reason": "涉及个人隐私"});
    let r = app.post_as(&format!("/api/cases/{case}/records/act/0/classification"), &head, &class).await;
    assert!(r.status.is_success(), "{}", String::from_utf8_lossy(&r.body));
    let after = reads(supervisor.clone()).await;
    assert!(!after.contains(place) && !after.contains(purpose), "{after}");
    assert!(after.contains("不可查看的记录（已隐去）"), "owed, not named: {after}");
    let overdue = app.get("/api/av/overdue", Some(&supervisor)).await.json();
    assert!(
        overdue["overdue"].as_array().unwrap().iter().any(|o| o["case"] == case.as_str() && o["record"].is_null()),
        "{overdue}"
    );
    let own = reads(head.clone()).await;
    assert!(own.contains(place) && own.contains(purpose), "{own}");
}

/// 办法第二十四条: a record withheld from a reader is withheld whole — its label too, which is
/// the free text its maker typed — and its own ledger (`?record=`) is 403 as its page is: the
/// ledger would say whether, and when, it was read. A record the case does not hold is 400.
#[tokio::test]
async fn a_withheld_records_label_and_its_own_ledger_are_withheld_too() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    assert!(app.seed_demo().await);
    let admin = app.login_admin().await;
    let supervisor = app.account(&admin, "jiancha5", "supervisor").await;
    let label = "询问笔录（当事人）";
    let case = app
        .store
        .cases(1_000)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.data.contains(label))
        .expect("the demo's case with an inquiry");
    let data: serde_json::Value = serde_json::from_str(&case.data).unwrap();
    let n = data["evidence"].as_array().unwrap().iter().position(|e| e["label"] == label).unwrap();
    let record = format!("evidence/{n}");
    let view = format!("/api/cases/{}?purpose=x", case.id);
    let ledger = format!("/api/cases/{}/ledger?record={record}", case.id);
    assert!(String::from_utf8_lossy(&app.get(&view, Some(&supervisor)).await.body).contains(label));
    assert_eq!(app.get(&ledger, Some(&supervisor)).await.status, StatusCode::OK);
    let class = serde_json::json!({"class": "personal_privacy", "reason": "载有被询问人的陈述"});
    let r = app.post_as(&format!("/api/cases/{}/records/{record}/classification", case.id), &head, &class).await;
    assert!(r.status.is_success(), "{}", String::from_utf8_lossy(&r.body));
    let seen = app.get(&view, Some(&supervisor)).await;
    assert_eq!(seen.status, StatusCode::OK);
    let text = String::from_utf8_lossy(&seen.body).to_string();
    assert!(!text.contains(label), "the withheld record's label: {text}");
    assert!(text.contains("调查取证记录"), "{text}");
    assert_eq!(app.get(&ledger, Some(&supervisor)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&ledger, Some(&head)).await.status, StatusCode::OK);
    for wrong in ["evidence/99", "act/x", "document/doc-none", "nothing"] {
        let path = format!("/api/cases/{}/ledger?record={wrong}", case.id);
        assert_eq!(app.get(&path, Some(&head)).await.status, StatusCode::BAD_REQUEST, "{wrong}");
    }
}
