//! The tiles API: open by default, restricted to signed-in users by configuration.

use crate::helpers::*;
use axum::http::StatusCode;
use liuhen_log::checkpoint::Checkpoint;
use liuhen_server::LogAccess;
use liuhen_store::Log as _;

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

/// The scheduled check of the whole log: a change inside an old entry, its leaf recomputed,
/// or an opening rewritten while the server runs is found by the next check, logged, and
/// raised on the 负责人's home page and at /api/integrity.
#[tokio::test]
async fn the_scheduled_check_finds_a_change_made_while_serving_and_raises_the_alarm() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    assert!(app.seed_demo().await);
    let checker = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let first = checker.check_integrity().await.unwrap();
    assert!(first.ok(), "{:?}", first.problems);
    // Behind the server's back: an old entry rewritten with its leaf, an opening changed.
    let conn = rusqlite::Connection::open(app.data.db_path()).unwrap();
    conn.execute_batch("DROP TRIGGER log_entries_no_update; DROP TRIGGER openings_no_update").unwrap();
    let data: Vec<u8> = conn.query_row("SELECT data FROM log_entries WHERE idx = 3", [], |r| r.get(0)).unwrap();
    let changed = String::from_utf8(data).unwrap().replacen("\"time\":1", "\"time\":2", 1).into_bytes();
    let leaf = liuhen_log::leaf_hash(&changed);
    conn.execute(
        "UPDATE log_entries SET data = ?1, leaf = ?2 WHERE idx = 3",
        rusqlite::params![changed, leaf.0.to_vec()],
    )
    .unwrap();
    conn.execute(
        "UPDATE openings SET content = CAST('{}' AS BLOB) WHERE rowid = (SELECT MAX(rowid) FROM openings)",
        [],
    )
    .unwrap();
    drop(conn);
    // The server's application runs the check (as `serve` does on its schedule).
    let mut running = None;
    let router = app.router_with(|s| running = Some(s.app.clone()));
    let report = running.unwrap().check_integrity().await.unwrap();
    assert!(!report.ok());
    let before = app.store.tree_size();
    let r = app.get_from(&router, "/api/integrity", &token).await.json();
    assert_eq!(r["ok"], false, "{r}");
    let problems = r["problems"].to_string();
    assert!(problems.contains("entry 3: its leaf is not the one tile/0/000 holds"), "{problems}");
    assert!(problems.contains("does not match it"), "{problems}");
    // Logged (without the problems' words), and raised on the 负责人's home page.
    let last = app.store.entries(before - 1, before).await.unwrap().remove(0);
    let e = liuhen_log::Entry::decode(&last).unwrap();
    assert_eq!((e.action(), e.body()["ok"].as_bool()), ("integrity.checked", Some(false)));
    let home = String::from_utf8(app.get_from(&router, "/", &token).await.body).unwrap();
    assert!(home.contains("日志完整性告警") && home.contains("entry 3"), "{home}");
    // The 系统管理员 is told too.
    let admin = app.login_admin().await;
    assert_eq!(app.get_from(&router, "/api/integrity", &admin).await.json()["ok"], false);
}

/// The scheduled check also compares the projections the server reads (who sees which case)
/// and the sessions it trusts with the log, as `liuhen verify --data` does.
#[tokio::test]
async fn the_scheduled_check_names_a_projection_or_session_changed_while_serving() {
    let app = spawn_app(LogAccess::Public).await;
    assert!(app.seed_demo().await);
    let checker = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    assert_eq!(checker.check_integrity().await.unwrap().problems, Vec::<String>::new());
    let conn = rusqlite::Connection::open(app.data.db_path()).unwrap();
    let case: String = conn.query_row("SELECT id FROM cases ORDER BY id LIMIT 1", [], |r| r.get(0)).unwrap();
    conn.execute("UPDATE cases SET confidentiality = 'public' WHERE id = ?1", [&case]).unwrap();
    let head: String = conn.query_row("SELECT id FROM users WHERE username = ?1", [HEAD], |r| r.get(0)).unwrap();
    conn.execute(
        "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at, name) VALUES (randomblob(32), ?1, 0, 9e15, '')",
        [&head],
    )
    .unwrap();
    drop(conn);
    let problems = checker.check_integrity().await.unwrap().problems.join("\n");
    assert!(problems.contains(&format!("cases {case}: column confidentiality differs")), "{problems}");
    assert!(problems.contains("no entry of the log created it"), "{problems}");
    // A session forged with a shell, for the 负责人, with nothing else changed (so nothing is
    // mended, which would end every session): honoured until the check, ended by it.
    let forged = "lhs_forged-with-a-sqlite-shell-0000000000000000";
    let conn = rusqlite::Connection::open(app.data.db_path()).unwrap();
    conn.execute(
        "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at, name) VALUES (?1, ?2, 0, 9e15, '')",
        rusqlite::params![liuhen_log::Hash::digest(forged.as_bytes()).0.to_vec(), head],
    )
    .unwrap();
    drop(conn);
    let token = app.login().await;
    assert_eq!(app.get("/api/me", Some(forged)).await.status, StatusCode::OK);
    let problems = checker.check_integrity().await.unwrap().problems.join("\n");
    assert!(problems.contains("no entry of the log created it") && !problems.contains("differs"), "{problems}");
    assert_eq!(app.get("/api/me", Some(forged)).await.status, StatusCode::UNAUTHORIZED, "ended by the check");
    assert_eq!(app.get("/api/me", Some(&token)).await.status, StatusCode::OK, "a logged sign-in stands");
    let last = app.store.tree_size();
    let e = liuhen_log::Entry::decode(&app.store.entries(last - 1, last).await.unwrap()[0]).unwrap();
    assert_eq!(e.action(), "integrity.checked");
    let ended = e.body().get("sessions_ended").and_then(|v| v.as_array()).map(Vec::len);
    assert_eq!(ended, Some(1), "named in the log: {:?}", e.body());
    assert_eq!(checker.session_problems(liuhen_server::app::now_ms()).await.unwrap(), Vec::<String>::new());
}

/// A projection changed while serving, on a log that itself checks out, is not served on until
/// someone runs a rebuild: the next check says what differed, rebuilds the projections from the
/// log — a record's class deleted with a shell withholds the record again — and a check after
/// that finds nothing. The rebuild is refused as stale, and done again, if entries came in while
/// it was computed.
#[tokio::test]
async fn the_scheduled_check_mends_projections_changed_while_serving_from_the_log() {
    let app = spawn_app(LogAccess::Public).await;
    assert!(app.seed_demo().await);
    let checker = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    assert_eq!(checker.check_integrity().await.unwrap().problems, Vec::<String>::new());
    let conn = rusqlite::Connection::open(app.data.db_path()).unwrap();
    let (case, record): (String, String) = conn
        .query_row("SELECT case_id, record FROM record_marks WHERE kind = 'class' LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("the demo classes a record");
    conn.execute("DELETE FROM record_marks WHERE kind = 'class'", []).unwrap();
    drop(conn);
    let report = checker.check_integrity().await.unwrap();
    let problems = report.problems.join("\n");
    assert!(!report.ok());
    assert!(problems.contains("rebuilt from it") && problems.contains("record_marks"), "{problems}");
    let class = liuhen_store::ProjectionReads::record_mark(&app.store, &case, "class", &record).await.unwrap();
    assert_eq!(class.data, "\"personal_privacy\"");
    assert_eq!(checker.check_integrity().await.unwrap().problems, Vec::<String>::new());
    // Computed before an entry came in: refused as stale, nothing installed.
    let scratch = liuhen_store::ProjectionScratch::new().unwrap();
    scratch.set_through(app.store.tree_size() - 1);
    let stale = liuhen_store::AppendRequest {
        draft: liuhen_log::EntryDraft::new("system", "test.install", None, Default::default(), vec![], vec![]).unwrap(),
        ops: vec![liuhen_store::Op::ReplaceProjections(std::sync::Arc::new(scratch))],
    };
    assert!(matches!(app.store.append(stale).await, Err(liuhen_store::StoreError::Stale(_))));
    assert!(liuhen_store::ProjectionReads::count_users(&app.store).await.unwrap() > 0, "nothing installed");
}
