//! The tiles API: open by default, restricted to signed-in users by configuration.

use crate::helpers::*;
use axum::http::StatusCode;
use liuhen_log::checkpoint::Checkpoint;
use liuhen_server::LogAccess;

#[tokio::test]
async fn the_log_is_public_by_default_and_its_checkpoint_verifies() {
    let app = spawn_app(LogAccess::Public).await;
    let keys = app.get("/log/key", None).await;
    assert_eq!(keys.status, StatusCode::OK);
    let keys = liuhen_verify_keys(&keys.body);
    let cp = app.get("/log/checkpoint", None).await;
    assert_eq!(cp.status, StatusCode::OK);
    let cp = Checkpoint::open(&cp.body, ORIGIN, &keys).unwrap();
    assert!(cp.head.size >= 2);
    let tile = app.get(&format!("/log/tile/0/000.p/{}", cp.head.size), None).await;
    assert_eq!((tile.status, tile.body.len() as u64), (StatusCode::OK, 32 * cp.head.size));
}

#[tokio::test]
async fn a_restricted_log_needs_a_session() {
    let app = spawn_app(LogAccess::SignedIn).await;
    for path in ["/log/checkpoint", "/log/key", "/log/tile/0/000.p/1", "/log/tile/entries/000.p/1"] {
        let r = app.get(path, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(r.json()["error"]["code"], "AUTH_REQUIRED");
    }
    let token = app.login().await;
    for path in ["/log/checkpoint", "/log/key", "/log/tile/0/000.p/1", "/log/tile/entries/000.p/1"] {
        assert_eq!(app.get(path, Some(&token)).await.status, StatusCode::OK, "{path}");
    }
}

fn liuhen_verify_keys(body: &[u8]) -> Vec<liuhen_log::NoteVerifier> {
    String::from_utf8_lossy(body).lines().map(|l| liuhen_log::NoteVerifier::parse(l).unwrap()).collect()
}
