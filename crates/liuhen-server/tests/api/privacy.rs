//! No free text and no personal value in the public log: the demo office, then every kind of
//! words a user types — purposes, reasons, names of things, a username typed wrong — with
//! canary strings, and every tile the server serves scanned for them. (Every other API test
//! ends with the same scan of its own log, in `TestApp`'s drop.)

use crate::helpers::*;
use axum::http::StatusCode;
use liuhen_server::LogAccess;
use liuhen_store::Log as _;

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
