//! Sign-in: every attempt is logged; bad input gets a clear error with a stable code.

use crate::helpers::*;
use axum::http::StatusCode;
use liuhen_server::LogAccess;
use liuhen_store::{Log as _, ProjectionReads as _};

#[tokio::test]
async fn sign_in_is_logged_and_gives_a_session() {
    let app = spawn_app(LogAccess::Public).await;
    let before = app.store.tree_size();
    let token = app.login_as("admin", &app.admin_password.clone()).await;
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
async fn the_initial_password_must_be_changed_before_anything_else() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login_as("admin", &app.admin_password.clone()).await;
    let r = app.get("/api/users", Some(&token)).await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("PASSWORD_CHANGE_REQUIRED"))
    );
    // Wrong current password, too short, the same: refused with a reason.
    // (Too short is what the description says; the others only the server can tell.)
    for (current, new, why, status) in [
        ("wrong-password-123", "a-new-password-1", "当前密码不正确", StatusCode::UNPROCESSABLE_ENTITY),
        (app.admin_password.as_str(), "short", "至少 12", StatusCode::BAD_REQUEST),
        (app.admin_password.as_str(), app.admin_password.as_str(), "不得与当前密码", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = app.post_as("/api/me/password", &token, &serde_json::json!({"current": current, "new": new})).await;
        assert_eq!(r.status, status, "{why}");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains(why), "{}", r.json());
    }
    let before = app.store.tree_size();
    app.change_password(&token, &app.admin_password.clone(), ADMIN_PASSWORD).await;
    // Logged without the password or its hash; the same session now works.
    let raw = app.store.entries(before, before + 1).await.unwrap();
    let text = String::from_utf8(raw[0].clone()).unwrap();
    assert!(text.contains("user.password") && !text.contains("argon2"), "{text}");
    let all = app.get("/api/users", Some(&token)).await;
    assert_eq!(all.status, StatusCode::OK);
    // Accounts by username, a page at a time: the pages together are the whole list.
    let names = |page: &serde_json::Value| -> Vec<String> {
        page["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_string()).collect()
    };
    let all = names(&all.json());
    assert!(all.len() >= 2 && all.is_sorted(), "{all:?}");
    let (mut paged, mut path) = (Vec::new(), "/api/users?limit=1".to_string());
    loop {
        let page = app.get(&path, Some(&token)).await.json();
        assert_eq!(names(&page).len(), 1, "{page}");
        paged.extend(names(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/users?limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(paged, all);
    // The old password no longer signs in; the new one does.
    let body = serde_json::json!({"username": "admin", "password": app.admin_password}).to_string();
    assert_eq!(app.post_json("/api/session", &body).await.status, StatusCode::UNAUTHORIZED);
    app.login_as("admin", ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn five_failed_sign_ins_lock_the_account_for_a_while() {
    let app = spawn_app(LogAccess::Public).await;
    let wrong = serde_json::json!({"username": HEAD, "password": "guess-guess-guess"}).to_string();
    for _ in 0..5 {
        assert_eq!(app.post_json("/api/session", &wrong).await.status, StatusCode::UNAUTHORIZED);
    }
    // Locked: even the right password is refused now. The refused attempts are counted, not
    // logged one by one: a summary entry sums them once the window has passed.
    let before = app.store.tree_size();
    let right = serde_json::json!({"username": HEAD, "password": HEAD_PASSWORD}).to_string();
    for _ in 0..50 {
        let r = app.post_json("/api/session", &right).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.json()["error"]["code"], "ACCOUNT_LOCKED");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("分钟后再试"));
    }
    assert_eq!(app.store.tree_size(), before);
    // A restarted server keeps the lock.
    let restarted = app.restarted();
    let req = axum::http::Request::post("/api/session")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(right.clone()))
        .unwrap();
    let resp = tower::ServiceExt::oneshot(restarted, req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let summary = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let now = liuhen_server::app::now_ms();
    assert_eq!(summary.summarise_refused(now).await.unwrap(), 0, "not before the window has passed");
    assert_eq!(summary.summarise_refused(i64::MAX).await.unwrap(), 1);
    let raw = app.store.entries(before, before + 1).await.unwrap();
    let e = liuhen_log::Entry::decode(&raw[0]).unwrap();
    assert_eq!(
        (e.action(), e.body()["kind"].as_str(), e.body()["count"].as_u64()),
        ("auth.refused", Some("account"), Some(51))
    );
    assert_eq!(summary.summarise_refused(i64::MAX).await.unwrap(), 0, "summed once");
    // Other accounts are not affected.
    app.login_as("admin", &app.admin_password.clone()).await;
}

/// A JSON sign-in from the client address `peer`.
async fn sign_in_from(app: &TestApp, peer: &str, username: &str, password: &str) -> Resp {
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    let mut req = axum::http::Request::post("/api/session")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body))
        .unwrap();
    let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    app.request(req).await
}

#[tokio::test]
async fn twenty_failures_from_one_address_block_it_whatever_names_it_tried() {
    let app = spawn_app(LogAccess::Public).await;
    // Password spraying: one wrong guess at each of twenty names (no account reaches five).
    for i in 0..20 {
        let r = sign_in_from(&app, "203.0.113.7", &format!("user{i}"), "Spring2026!").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password from that address is refused; a thousand more attempts
    // from it add nothing to the log until their one summary.
    let before = app.store.tree_size();
    for i in 0..1000 {
        let r = sign_in_from(&app, "203.0.113.7", &format!("user{i}"), HEAD_PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.json()["error"]["code"], "TOO_MANY_ATTEMPTS");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("分钟后再试"));
    }
    assert_eq!(app.store.tree_size(), before);
    // Another address, and the same person there, sign in.
    assert_eq!(sign_in_from(&app, "198.51.100.2", HEAD, HEAD_PASSWORD).await.status, StatusCode::OK);
    // The block survives a restart.
    let restarted = app.restarted();
    let body = serde_json::json!({"username": HEAD, "password": HEAD_PASSWORD}).to_string();
    let mut req = axum::http::Request::post("/api/session")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body))
        .unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo("203.0.113.7:40000".parse::<std::net::SocketAddr>().unwrap()));
    assert_eq!(tower::ServiceExt::oneshot(restarted, req).await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn unauthenticated_clients_grow_the_log_by_at_most_the_cap_a_minute() {
    // Failed sign-ins from many addresses at once (none blocked yet): one entry each up to the
    // cap, the rest summed into one summary entry.
    let app = spawn_app(LogAccess::Public).await;
    let mut direct = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    direct.unauthenticated_per_minute = 5;
    let before = app.store.tree_size();
    for i in 0..12u8 {
        let ip: std::net::IpAddr = format!("198.51.100.{i}").parse().unwrap();
        let r = direct.login_from(Some(ip), &format!("guess{i}"), "Spring2026!", "").await;
        assert!(matches!(r, Err(liuhen_server::app::AppError::BadCredentials)));
    }
    let logged = app.store.tree_size() - before;
    // Within one minute five at most; the minute may have turned once during the loop.
    assert!((5..=10).contains(&logged), "{logged} entries for 12 failures");
    assert_eq!(direct.summarise_refused(i64::MAX).await.unwrap(), 1);
    let raw = app.store.entries(before + logged, before + logged + 1).await.unwrap();
    let e = liuhen_log::Entry::decode(&raw[0]).unwrap();
    assert_eq!(e.action(), "auth.failures_unlogged");
    assert_eq!(e.body()["count"].as_u64(), Some(12 - logged));
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

#[tokio::test]
async fn an_api_token_works_like_a_session_until_revoked_and_its_secret_is_never_kept() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let r = app.post_as("/api/tokens", &token, &serde_json::json!({"name": "执法记录仪工作站 1", "days": 400})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "at most 366 days");
    let before = app.store.tree_size();
    let r = app.post_as("/api/tokens", &token, &serde_json::json!({"name": "执法记录仪工作站 1", "days": 90})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let secret = r.json()["token"].as_str().unwrap().to_string();
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert!(secret.starts_with("lht_"));
    // The log names the token by its hash, never its secret.
    let raw = app.store.entries(before, before + 1).await.unwrap();
    let text = String::from_utf8_lossy(&raw[0]).to_string();
    assert!(text.contains("auth.token_create") && text.contains(&id) && !text.contains(&secret[4..]), "{text}");
    // It authenticates like a session; the list shows it without the secret.
    let me = app.get("/api/me", Some(&secret)).await;
    assert_eq!((me.status, me.json()["username"].as_str()), (StatusCode::OK, Some(HEAD)));
    let list = app.get("/api/tokens", Some(&token)).await.json();
    assert_eq!(list[0]["name"], "执法记录仪工作站 1");
    assert!(!list.to_string().contains(&secret));
    // Revoked: refused at once; revoking it again is 404.
    let del = |id: &str| {
        axum::http::Request::delete(format!("/api/tokens/{id}"))
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    assert_eq!(app.request(del(&id)).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/me", Some(&secret)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.request(del(&id)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/tokens", Some(&token)).await.json()[0]["active"], false);
}

#[tokio::test]
async fn an_account_with_totp_signs_in_only_with_the_apps_code() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    // Binding an authenticator turns any old one off: the session alone may not.
    let r = app.post_as("/api/me/totp", &token, &serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.post_as("/api/me/totp", &token, &serde_json::json!({"password": "not the password"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post_as("/api/me/totp", &token, &serde_json::json!({"password": HEAD_PASSWORD})).await;
    assert_eq!(r.status, StatusCode::OK);
    let secret = r.json()["secret"].as_str().unwrap().to_string();
    assert!(r.json()["uri"].as_str().unwrap().starts_with("otpauth://totp/liuhen:zhang?secret="));
    let raw = liuhen_server::app::totp::base32_decode(&secret).unwrap();
    let now = || u64::try_from(liuhen_server::app::now_ms() / 1000).unwrap();
    // Not on until a code proves the secret was copied; a wrong code does not turn it on.
    let sign_in =
        |code: &str| serde_json::json!({"username": HEAD, "password": HEAD_PASSWORD, "code": code}).to_string();
    assert_eq!(app.post_json("/api/session", &sign_in("")).await.status, StatusCode::OK);
    let r = app.post_as("/api/me/totp/confirm", &token, &serde_json::json!({"code": "000000"})).await;
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY || liuhen_server::app::totp::code(&raw, now(), 6) == 0);
    let code = format!("{:06}", liuhen_server::app::totp::code(&raw, now(), 6));
    assert_eq!(
        app.post_as("/api/me/totp/confirm", &token, &serde_json::json!({"code": code})).await.status,
        StatusCode::OK
    );
    // Now the password alone is not enough.
    let r = app.post_json("/api/session", &sign_in("")).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("TOTP_REQUIRED")));
    let code = format!("{:06}", liuhen_server::app::totp::code(&raw, now(), 6));
    assert_eq!(app.post_json("/api/session", &sign_in(&code)).await.status, StatusCode::OK);
    // With TOTP on, neither switching it off (binding anew) nor changing the password goes
    // through on the password alone, let alone on the session.
    let r = app.post_as("/api/me/totp", &token, &serde_json::json!({"password": HEAD_PASSWORD})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&r.body));
    let change =
        |code: &str| serde_json::json!({"current": HEAD_PASSWORD, "new": "a-new-password-for-zhang", "code": code});
    assert_eq!(app.post_as("/api/me/password", &token, &change("")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = format!("{:06}", (liuhen_server::app::totp::code(&raw, now(), 6) + 500_000) % 1_000_000);
    assert_eq!(app.post_as("/api/me/password", &token, &change(&wrong)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.post_json("/api/session", &sign_in(&format!("{:06}", liuhen_server::app::totp::code(&raw, now(), 6))))
            .await
            .status
            == StatusCode::OK
    );
    // The secret is never in the log; the projections are rebuilt with it.
    let size = app.store.tree_size();
    let all = app.store.entries(0, size).await.unwrap();
    assert!(all.iter().all(|e| !String::from_utf8_lossy(e).contains(&secret)));
    let app2 = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = app2.projections_from_log().await.unwrap();
    assert_eq!(
        app2.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_ends_the_accounts_other_sessions() {
    let app = spawn_app(LogAccess::Public).await;
    let (here, elsewhere) = (app.login().await, app.login().await);
    let wrong = serde_json::json!({"current": "not-the-password", "new": "zhang-new-password-1"});
    assert_eq!(app.post_as("/api/me/password", &here, &wrong).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get("/api/me", Some(&elsewhere)).await.status, StatusCode::OK);
    let right = serde_json::json!({"current": HEAD_PASSWORD, "new": "zhang-new-password-1"});
    assert_eq!(app.post_as("/api/me/password", &here, &right).await.status, StatusCode::OK);
    // A session is no way to guess the password: wrong ones count toward the account's lock
    // (the wrong current password above was the first of five).
    let guess = serde_json::json!({"password": "a-wrong-guess"});
    for _ in 0..4 {
        assert_eq!(app.post_as("/api/me/totp", &here, &guess).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let right_now = serde_json::json!({"password": "zhang-new-password-1"});
    assert_eq!(app.post_as("/api/me/totp", &here, &right_now).await.status, StatusCode::TOO_MANY_REQUESTS);
    // The session it was changed from goes on; the other one ended, and the log says so.
    assert_eq!(app.get("/api/me", Some(&here)).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/me", Some(&elsewhere)).await.status, StatusCode::UNAUTHORIZED);
    let check = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    assert_eq!(check.session_problems(liuhen_server::app::now_ms()).await.unwrap(), Vec::<String>::new());
}

/// 三员分立: the 系统管理员 makes accounts, but a role that sees case content holds only once a
/// 负责人 — not the administrator, not the account itself — approves it; logged both ways.
#[tokio::test]
async fn a_role_that_sees_case_content_holds_only_once_another_head_approves_it() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let case = app.open_inspection(&head, "栗街检〔2026〕77号").await;
    let admin = app.login_admin().await;
    let body =
        serde_json::json!({"username": "newhead", "roles": "approver,device_admin", "password": "initial-pass-1"});
    let r = app.post_as("/api/users", &admin, &body).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let account = r.json();
    assert_eq!(account["roles"], serde_json::json!(["device_admin"]), "{account}");
    assert_eq!(account["pending_roles"], serde_json::json!(["approver"]), "{account}");
    let id = account["id"].as_str().unwrap().to_string();
    let token = app.login_as("newhead", "initial-pass-1").await;
    app.change_password(&token, "initial-pass-1", "changed-pass-2").await;
    // Not yet a 负责人: sees no case, approves nothing — least of all its own grant.
    assert_eq!(app.get(&format!("/api/cases/{case}"), Some(&token)).await.status, StatusCode::NOT_FOUND);
    let approve = serde_json::json!({"approve": true});
    for t in [&token, &admin] {
        let r = app.post_as(&format!("/api/users/{id}/grant"), t, &approve).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.get("/api/grants", Some(&admin)).await.status, StatusCode::FORBIDDEN);
    // The 负责人 approves: in force at once, for the same session.
    let waiting = app.get("/api/grants", Some(&head)).await.json();
    assert_eq!(waiting["grants"].as_array().unwrap().len(), 1, "{waiting}");
    assert!(waiting["next_cursor"].is_null(), "{waiting}");
    // Paged as every list is: two more waiting, two a page.
    for name in ["wait1", "wait2"] {
        let body = serde_json::json!({"username": name, "roles": "supervisor", "password": "initial-pass-1"});
        assert_eq!(app.post_as("/api/users", &admin, &body).await.status, StatusCode::CREATED);
    }
    let first = app.get("/api/grants?limit=2", Some(&head)).await.json();
    let cursor = first["next_cursor"].as_str().expect("a second page").to_string();
    let second = app.get(&format!("/api/grants?limit=2&cursor={cursor}"), Some(&head)).await.json();
    let mut names: Vec<&str> = first["grants"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["grants"].as_array().unwrap())
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names.len(), 3, "{first} {second}");
    assert!(second["next_cursor"].is_null(), "{second}");
    for name in ["wait1", "wait2"] {
        let id = first["grants"]
            .as_array()
            .unwrap()
            .iter()
            .chain(second["grants"].as_array().unwrap())
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let r = app.post_as(&format!("/api/users/{id}/grant"), &head, &serde_json::json!({"approve": false})).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = app.post_as(&format!("/api/users/{id}/grant"), &head, &approve).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/cases/{case}"), Some(&token)).await.status, StatusCode::OK);
    assert_eq!(app.post_as(&format!("/api/users/{id}/grant"), &head, &approve).await.status, StatusCode::CONFLICT);
    // A refusal leaves the account as it was.
    let body = serde_json::json!({"username": "snoop", "roles": "supervisor", "password": "initial-pass-1"});
    let snoop = app.post_as("/api/users", &admin, &body).await.json()["id"].as_str().unwrap().to_string();
    let r = app.post_as(&format!("/api/users/{snoop}/grant"), &head, &serde_json::json!({"approve": false})).await;
    assert_eq!((r.status, r.json()["roles"].clone()), (StatusCode::OK, serde_json::json!([])));
    // Every decision is in the log, and rebuilding gives the same accounts.
    let size = app.store.tree_size();
    let decided = app
        .store
        .entries(0, size)
        .await
        .unwrap()
        .iter()
        .filter(|e| String::from_utf8_lossy(e).contains("user.grant_decided"))
        .count();
    assert_eq!(decided, 4, "the approval, the refusal, and the two paged ones refused");
    let again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// `DELETE /api/session` signs out: the token used ends (logged) and authenticates no more;
/// another session of the same account goes on.
#[tokio::test]
async fn delete_session_signs_out_the_token_it_is_sent_with() {
    let app = spawn_app(LogAccess::Public).await;
    let (one, other) = (app.login().await, app.login().await);
    let before = liuhen_store::Log::tree_size(&app.store);
    let sign_out = |token: String| {
        let req = axum::http::Request::delete("/api/session")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap();
        app.request(req)
    };
    let r = sign_out(one.clone()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", String::from_utf8_lossy(&r.body));
    assert!(liuhen_store::Log::tree_size(&app.store) > before, "the sign-out is logged");
    assert_eq!(app.get("/api/me", Some(&one)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/me", Some(&other)).await.status, StatusCode::OK);
    let again = sign_out(one.clone()).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}
