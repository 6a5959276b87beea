//! Sign-in: every attempt is logged; bad input gets a clear error with a stable code.

use crate::helpers::*;
use axum::http::StatusCode;
use liuhen_server::LogAccess;
use liuhen_store::LogStore;

#[tokio::test]
async fn sign_in_is_logged_and_gives_a_session() {
    let app = spawn_app(LogAccess::Public).await;
    let before = app.store.tree_size();
    let token = app.login_admin().await;
    assert_eq!(app.store.tree_size(), before + 1);
    let me = app.get("/api/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "admin");
    assert_eq!(me.json()["must_change_password"], true);
    let entry = app.store.entries(before, before + 1).await.unwrap();
    let e = liuhen_log::Entry::decode(&entry[0]).unwrap();
    assert_eq!(e.action(), "auth.login");
}

#[tokio::test]
async fn failed_sign_in_is_logged_without_the_typed_name() {
    let app = spawn_app(LogAccess::Public).await;
    let before = app.store.tree_size();
    let r = app.post_json("/api/session", r#"{"username":"张三130227199001011234","password":"x"}"#).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "BAD_CREDENTIALS");
    assert_eq!(r.json()["error"]["message"], "用户名或密码错误");
    let raw = app.store.entries(before, before + 1).await.unwrap();
    let text = String::from_utf8(raw[0].clone()).unwrap();
    assert!(text.contains("auth.login_failed"));
    assert!(!text.contains("130227"), "{text}");
    // The typed name is kept behind the commitment, for those entitled to open it.
    let e = liuhen_log::Entry::decode(&raw[0]).unwrap();
    let (salt, content) = app.store.opening(&e.commits()[0]).await.unwrap();
    assert_eq!(liuhen_log::commitment(&salt, &content), e.commits()[0]);
    assert_eq!(content, "张三130227199001011234".as_bytes());
}

#[tokio::test]
async fn malformed_oversized_and_unauthenticated_requests_get_clear_errors() {
    let app = spawn_app(LogAccess::Public).await;
    let r = app.post_json("/api/session", "{not json").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "BAD_REQUEST");
    let r = app.post_json("/api/session", r#"{"username":"admin"}"#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let huge = format!(r#"{{"username":"admin","password":"{}"}}"#, "x".repeat(100_000));
    let r = app.post_json("/api/session", &huge).await;
    assert!(r.status == StatusCode::PAYLOAD_TOO_LARGE || r.status == StatusCode::BAD_REQUEST, "{}", r.status);
    let r = app.get("/api/me", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "AUTH_REQUIRED");
    let r = app.get("/api/me", Some("forged-token")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
