//! The server-rendered UI over HTTP: sign-in with CSRF and fresh sessions, pages that need a
//! session, markup shown as text, and every case view in the access ledger.

use super::helpers::{HEAD, HEAD_PASSWORD, TestApp, spawn_app};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use liuhen_server::LogAccess;
use liuhen_store::{Log as _, ProjectionReads as _};
use tower::ServiceExt;

struct Page {
    status: StatusCode,
    location: String,
    cookies: Vec<String>,
    body: String,
}

async fn send(app: &TestApp, req: Request<Body>) -> Page {
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let location = resp.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let cookies =
        resp.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok().map(str::to_string)).collect();
    let body = axum::body::to_bytes(resp.into_body(), 4 << 20).await.unwrap();
    Page { status, location, cookies, body: String::from_utf8_lossy(&body).to_string() }
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()
}

fn form(path: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// The value of cookie `name` among `Set-Cookie` headers.
fn set_cookie(p: &Page, name: &str) -> String {
    p.cookies
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_default()
        .to_string()
}

fn hidden_csrf(body: &str) -> String {
    body.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default().to_string()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// 王明 and 李华, registered; their ids.
async fn two_officers(app: &TestApp, token: &str) -> Vec<String> {
    let mut officers = Vec::new();
    for (name, cert) in [("王明", "13020001"), ("李华", "13020002")] {
        let body = serde_json::json!({"name": name, "cert_no": cert, "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"});
        officers.push(app.post_as("/api/officers", token, &body).await.json()["id"].as_str().unwrap().to_string());
    }
    officers
}

/// An on-site record (`act/0`) on inspection `id` by 王明 and 李华, registered now.
async fn record_on_site(app: &TestApp, token: &str, id: &str, at: i64) {
    let officers = two_officers(app, token).await;
    let act = serde_json::json!({"expected_version": 1, "command": {"type": "record_on_site", "act": {"at": at,
        "place": "幸福路 8 号", "recording_announced": true, "problems_found": false, "summary": "消防通道畅通，灭火器在有效期内",
        "officers": officers.iter().map(|o| serde_json::json!({"officer_id": o, "id_shown_at": at})).collect::<Vec<_>>()}}});
    let r = app.post_as(&format!("/api/cases/{id}/commands"), token, &act).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
}

/// Signs in through the form; returns the session cookie header value.
async fn sign_in(app: &TestApp) -> String {
    sign_in_as(app, HEAD, HEAD_PASSWORD).await
}

async fn sign_in_as(app: &TestApp, username: &str, password: &str) -> String {
    let page = send(app, get("/login", "")).await;
    let csrf = set_cookie(&page, "liuhen_login_csrf");
    let body = format!("username={username}&password={}&csrf={}", urlencode(password), hidden_csrf(&page.body));
    let p = send(app, form("/login", &format!("liuhen_login_csrf={csrf}"), &body)).await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/"), "{}", p.body);
    format!("liuhen_session={}", set_cookie(&p, "liuhen_session"))
}

#[tokio::test]
async fn sign_in_needs_the_forms_csrf_token_and_issues_a_fresh_session() {
    let app = spawn_app(LogAccess::Public).await;
    // Pages need a session.
    for path in ["/", "/cases", "/cases/x"] {
        let p = send(&app, get(path, "")).await;
        assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/login"), "{path}");
    }
    let page = send(&app, get("/login", "")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("登录"));
    let csrf = set_cookie(&page, "liuhen_login_csrf");
    assert_eq!(csrf, hidden_csrf(&page.body));
    assert!(page.cookies.iter().any(|c| c.contains("HttpOnly") && c.contains("SameSite=Strict")));
    // A cross-site post (no cookie, or a token that does not match) is refused, and not even
    // counted as an attempt.
    let size = app.store.tree_size();
    let body = format!("username=admin&password={}&csrf={csrf}", urlencode(&app.admin_password));
    let p = send(&app, form("/login", "", &body)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = send(&app, form("/login", "liuhen_login_csrf=forged", &body)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.tree_size(), size);
    // A wrong password: refused in Chinese, the attempt logged.
    let wrong = format!("username=admin&password=nope&csrf={csrf}");
    let p = send(&app, form("/login", &format!("liuhen_login_csrf={csrf}"), &wrong)).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.body.contains("用户名或密码错误"));
    assert_eq!(app.store.tree_size(), size + 1);
    // Session fixation: a session cookie planted before sign-in is never the one issued.
    let planted = format!("liuhen_login_csrf={csrf}; liuhen_session=planted-by-attacker");
    let p = send(&app, form("/login", &planted, &body)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let issued = set_cookie(&p, "liuhen_session");
    assert!(issued.len() >= 40 && issued != "planted-by-attacker");
    // The one-time password must be changed before anything else.
    let cookie = format!("liuhen_session={issued}");
    let p = send(&app, get("/", &cookie)).await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/password"));
    let page = send(&app, get("/password", &cookie)).await;
    assert!(page.body.contains("首次登录须先修改初始密码"));
    let csrf = hidden_csrf(&page.body);
    let change = |current: &str, new: &str, confirm: &str, csrf: &str| {
        format!("csrf={csrf}&current={}&new={}&confirm={}", urlencode(current), urlencode(new), urlencode(confirm))
    };
    let p = send(
        &app,
        form("/password", &cookie, &change(&app.admin_password, "new-admin-pass-1", "different-one", &csrf)),
    )
    .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("两次输入的新密码不一致"));
    let p = send(
        &app,
        form("/password", &cookie, &change(&app.admin_password, "new-admin-pass-1", "new-admin-pass-1", "forged")),
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let ok = change(&app.admin_password, "new-admin-pass-1", "new-admin-pass-1", &csrf);
    let p = send(&app, form("/password", &cookie, &ok)).await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/"));
    let home = send(&app, get("/", &cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("工作台") && !home.body.contains("初始密码"));
    // Signing out needs the session's CSRF token too.
    let p = send(&app, form("/logout", &cookie, "csrf=forged")).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = send(&app, form("/logout", &cookie, &format!("csrf={}", hidden_csrf(&home.body)))).await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/login"));
    assert!(set_cookie(&p, "liuhen_session").is_empty());
    // The old session is dead on the server too, not just forgotten by the browser.
    let p = send(&app, get("/", &cookie)).await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/login"));
    assert_eq!(send(&app, get("/api/me", &cookie)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_case_page_is_ledgered_before_it_is_shown_and_markup_stays_text() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let body = serde_json::json!({"case_no": "栗街检〔2026〕1号<b>", "matter": "<script>alert(1)</script>",
        "kind": "triggered", "basis": "12345 热线转办", "source": "complaint", "reason": "群众举报",
        "received_at": 1_785_000_000_000_i64});
    app.list_matter(&token, "<script>alert(1)</script>", "inspection").await;
    let r = app.post_as("/api/cases/inspections", &token, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_string();
    let cookie = sign_in(&app).await;
    // The list and the search show markup as text.
    let p = send(&app, get(&format!("/cases?q={}", urlencode("<script>")), &cookie)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.body.contains("<script>alert(1)</script>"), "{}", p.body);
    assert!(p.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "{}", p.body);
    assert!(p.body.contains("本页 1 件") && !p.body.contains("下一页"), "the search finds it by its matter");
    // A cursor mangled in the address bar shows the first page.
    let p = send(&app, get("/cases?cursor=%3Cb%3E&from=2026-99-99", &cookie)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("本页 1 件"), "{}", p.body);
    // Each view of the case page is one ledger entry, written before the page is returned.
    let size = app.store.tree_size();
    let p = send(&app, get(&format!("/cases/{id}"), &cookie)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(app.store.tree_size(), size + 1);
    assert!(p.body.contains("查阅台账") && p.body.contains("案件办理（页面查阅）"));
    assert!(p.body.contains("栗街检〔2026〕1号&#60;b&#62;"));
    let ledger = app.get(&format!("/api/cases/{id}/ledger"), Some(&token)).await.json()["ledger"].clone();
    assert_eq!(ledger.as_array().unwrap().len(), 1, "{ledger}");
    // The API's views are ledgered too, with their purpose.
    let r = app.get(&format!("/api/cases/{id}?purpose={}", urlencode("法制审核")), Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK);
    let ledger = app.get(&format!("/api/cases/{id}/ledger"), Some(&token)).await.json()["ledger"].clone();
    assert_eq!(ledger[1]["purpose"], "法制审核");
    // The case's ledger a page at a time, oldest first: one line, then the next, then none.
    let case_ledger = format!("/api/cases/{id}/ledger");
    let one = app.get(&format!("{case_ledger}?limit=1"), Some(&token)).await.json();
    assert_eq!(one["ledger"].as_array().unwrap().len(), 1, "{one}");
    assert_eq!(one["ledger"][0], ledger[0]);
    let cursor = one["next_cursor"].as_str().expect("a next page").to_string();
    let two = app.get(&format!("{case_ledger}?limit=1&cursor={cursor}"), Some(&token)).await.json();
    assert_eq!(two["ledger"][0], ledger[1], "{two}");
    for bad in ["?limit=0", "?limit=501", "?cursor=%21"] {
        assert_eq!(app.get(&format!("{case_ledger}{bad}"), Some(&token)).await.status, StatusCode::BAD_REQUEST);
    }
    // The same views, per user: newest first, with the case they concern.
    let me = app.get("/api/me", Some(&token)).await.json();
    let mine = app.get(&format!("/api/users/{}/ledger", me["id"].as_str().unwrap()), Some(&token)).await.json();
    assert!(mine["next_cursor"].is_null(), "{mine}");
    let mine = mine["ledger"].clone();
    // A page at a time: one line, then the next from its cursor, then none.
    let path = format!("/api/users/{}/ledger", me["id"].as_str().unwrap());
    let one = app.get(&format!("{path}?limit=1"), Some(&token)).await.json();
    assert_eq!(one["ledger"].as_array().unwrap().len(), 1, "{one}");
    assert_eq!(one["ledger"][0], mine[0]);
    let cursor = one["next_cursor"].as_str().expect("a next page").to_string();
    let two = app.get(&format!("{path}?limit=1&cursor={cursor}"), Some(&token)).await.json();
    assert_eq!((two["ledger"][0].clone(), two["next_cursor"].is_null()), (mine[1].clone(), true), "{two}");
    for bad in ["?limit=0", "?limit=501", "?cursor=%21"] {
        assert_eq!(app.get(&format!("{path}{bad}"), Some(&token)).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
    assert_eq!(mine[0]["purpose"], "法制审核");
    assert!(mine[1]["what"].as_str().unwrap().contains(&id), "{mine}");
    // And on its page.
    let p = send(&app, get("/ledger", &cookie)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("法制审核") && p.body.contains("案件办理（页面查阅）"), "{}", p.body);
    // The timeline holds the procedure only; an unknown case is a 404 page, not ledgered.
    assert_eq!(r.json()["timeline"].as_array().unwrap().len(), 1);
    let size = app.store.tree_size();
    let p = send(&app, get("/cases/no-such-case", &cookie)).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains("案件不存在"));
    assert_eq!(app.store.tree_size(), size);
    // A malformed moment is a clear error.
    let p = send(&app, get(&format!("/cases/{id}?at=yesterday"), &cookie)).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.body.contains("历史时刻格式"));
    // Past a page of views, the page shows the ledger's first page with a link to the next,
    // whose page shows the rest and a link back.
    for _ in 0..50 {
        assert_eq!(
            app.get(&format!("/api/cases/{id}?purpose=%E5%A4%8D%E6%A0%B8"), Some(&token)).await.status,
            StatusCode::OK
        );
    }
    let p = send(&app, get(&format!("/cases/{id}"), &cookie)).await;
    let ledger = &p.body[p.body.find("id=\"ledger\"").expect("a ledger section")..];
    assert_eq!(ledger.matches("<tr><td>").count(), 50, "{ledger}");
    let next = ledger.split("class=\"next\" href=\"").nth(1).expect("a next page").split('"').next().unwrap();
    assert!(next.starts_with(&format!("/cases/{id}?ledger=")) && next.ends_with("#ledger"), "{next}");
    let p = send(&app, get(&next.replace("&#38;", "&"), &cookie)).await;
    let ledger = &p.body[p.body.find("id=\"ledger\"").unwrap()..];
    // 2 views before, 50 more, the first page's and this page's own: 54, 50 of them before.
    assert_eq!(ledger.matches("<tr><td>").count(), 4, "{ledger}");
    assert!(ledger.contains("第一页") && !ledger.contains("下一页"), "{ledger}");
}

#[tokio::test]
async fn a_case_is_opened_and_walked_through_forms_with_refusals_beside_their_fields() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let officers = two_officers(&app, &token).await;
    let cookie = sign_in(&app).await;
    let page = send(&app, get("/cases/new/inspection", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("行政检查立项") && page.body.contains("检查类型"));
    let csrf = hidden_csrf(&page.body);
    let open = |csrf: &str| {
        format!(
            "csrf={csrf}&expected_version=0&case_no={}&matter={}&kind=routine&basis={}&source=inspection&reason={}&received_at=2026-11-19T09%3A00",
            urlencode("栗街检〔2026〕31号"),
            urlencode("消防安全检查"),
            urlencode("第四季度检查计划"),
            urlencode("例行检查")
        )
    };
    // Without the session's token nothing is created.
    let size = app.store.tree_size();
    let p = send(&app, form("/cases/new/inspection", &cookie, &open("forged"))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.tree_size(), size);
    let p = send(&app, form("/cases/new/inspection", &cookie, &open(&csrf))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let id = p.location.trim_start_matches("/cases/").to_string();
    let case = send(&app, get(&p.location, &cookie)).await;
    assert!(case.body.contains("栗街检〔2026〕31号") && case.body.contains(&format!("/cases/{id}/do/record_on_site")));
    // One officer on site: refused, the finding beside the officers, nothing recorded.
    let act = |chosen: &[&String]| {
        let mut b = format!(
            "csrf={csrf}&expected_version=1&act.at=2026-11-20T09%3A00&act.place={}&act.recording_announced=on&act.summary={}",
            urlencode("某某小区"),
            urlencode("未发现问题")
        );
        for o in chosen {
            b.push_str(&format!("&act.officers={o}"));
        }
        b
    };
    let size = app.store.tree_size();
    let p = send(&app, form(&format!("/cases/{id}/do/record_on_site"), &cookie, &act(&[&officers[0]]))).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let beside = p
        .body
        .split("data-field=\"act.officers\"")
        .nth(1)
        .unwrap_or_default()
        .split("</div>")
        .next()
        .unwrap_or_default();
    assert!(beside.contains("R-001") && beside.contains("执法人员不得少于两人"), "{}", p.body);
    assert!(beside.contains("checked"), "the choice is kept");
    assert_eq!(app.store.tree_size(), size);
    // A date that is not one is bad input, beside its field.
    let bad = act(&[&officers[0], &officers[1]]).replace("act.at=2026-11-20T09%3A00", "act.at=tomorrow");
    let p = send(&app, form(&format!("/cases/{id}/do/record_on_site"), &cookie, &bad)).await;
    assert!(p.body.split("data-field=\"act.at\"").nth(1).unwrap_or_default().contains("请填写日期和时间"));
    // Two officers: recorded, back on the case page with the step in its timeline.
    let p =
        send(&app, form(&format!("/cases/{id}/do/record_on_site"), &cookie, &act(&[&officers[0], &officers[1]]))).await;
    assert_eq!((p.status, p.location.clone()), (StatusCode::SEE_OTHER, format!("/cases/{id}")), "{}", p.body);
    let case = app.get(&format!("/api/cases/{id}"), Some(&token)).await.json();
    assert_eq!(case["state"], "on_site");
    // Made without a recording: the page asks why in writing (R-141), and keeps the answer.
    let page = send(&app, get(&format!("/cases/{id}"), &cookie)).await;
    assert!(page.body.contains("R-141") && page.body.contains(&format!("/cases/{id}/av/unrecorded")), "{}", page.body);
    let why = "文字记录已能全面有效记录";
    let body = format!("csrf={csrf}&record={}&reason={}", urlencode("act/0"), urlencode(why));
    let p = send(&app, form(&format!("/cases/{id}/av/unrecorded"), &cookie, &body)).await;
    assert_eq!((p.status, p.location.clone()), (StatusCode::SEE_OTHER, format!("/cases/{id}#av")), "{}", p.body);
    let page = send(&app, get(&format!("/cases/{id}"), &cookie)).await;
    assert!(page.body.contains(&format!("未音像记录的理由：{why}")) && !page.body.contains("R-141"), "{}", page.body);
    // Submitting the same form again (a replay at the old version) is refused, not applied twice.
    let p =
        send(&app, form(&format!("/cases/{id}/do/record_on_site"), &cookie, &act(&[&officers[0], &officers[1]]))).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("请刷新后重试"), "{}", p.body);
}

/// Markup, script, SQL metacharacters and path traversal in every free-text field of a case:
/// stored as given, shown as text on every page, and harmless to the database.
#[tokio::test]
async fn hostile_text_in_every_field_is_stored_as_given_and_shown_inert() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let hostile = |tag: &str| {
        format!(
            "<script>alert('{tag}')</script>\"'><img src=x onerror=alert(1)>'; DROP TABLE cases; -- ../../../etc/passwd {tag}"
        )
    };
    let officers = two_officers(&app, &token).await;
    let t0 = 1_795_568_400_000_i64;
    // Case numbers are short (64 characters): the short form of the same.
    let short_no = "<script>alert('no')</script>'; --".to_string();
    let body = serde_json::json!({"case_no": short_no, "matter": hostile("matter"), "kind": "triggered",
        "basis": hostile("basis"), "source": "complaint", "reason": hostile("reason"), "received_at": t0 - 3_600_000});
    app.list_matter(&token, &hostile("matter"), "inspection").await;
    let r = app.post_as("/api/cases/inspections", &token, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_string();
    let act = serde_json::json!({"type": "record_on_site", "act": {"at": t0, "place": hostile("place"), "recording_announced": true,
        "problems_found": true, "summary": hostile("summary"),
        "officers": officers.iter().map(|o| serde_json::json!({"officer_id": o, "id_shown_at": t0})).collect::<Vec<_>>()}});
    let r = app
        .post_as(
            &format!("/api/cases/{id}/commands"),
            &token,
            &serde_json::json!({"expected_version": 1, "command": act}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    // Stored exactly as given (the database took the quotes and semicolons as text).
    let case =
        app.get(&format!("/api/cases/{id}?purpose={}", urlencode(&hostile("purpose"))), Some(&token)).await.json();
    // The 案号 in the office's one form of a number (brackets 〔〕, no spaces), else as given.
    assert_eq!(case["case_no"], "<script>alert〔'no'〕</script>';--");
    assert_eq!(case["data"]["acts"][0]["summary"], hostile("summary"));
    assert_eq!(
        app.get("/api/cases", Some(&token)).await.json()["cases"].as_array().unwrap().len(),
        1,
        "no table was dropped"
    );
    // Reference data and a party's request carry it too.
    let matter = serde_json::json!({"code": "P-066", "name": hostile("mname"), "kind": "penalty",
        "legal_basis": hostile("basis")});
    assert_eq!(app.post_as("/api/matters", &token, &matter).await.status, StatusCode::CREATED);
    let row = serde_json::json!([{"kind": hostile("k"), "activity": hostile("a"), "stage": "调查取证", "mode": "全程",
        "content": hostile("c"), "retention": hostile("r")}]);
    let r = app.put_as("/api/catalogues/av-items", &token, &row).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let who = "<script>alert('p')</script>";
    let ask = serde_json::json!({"at": t0 + 60_000, "requester": who, "relation": "当事人本人", "id_checked": "居民身份证",
        "records": hostile("records"), "purpose": hostile("purpose"), "mode": "view"});
    let r = app.post_as(&format!("/api/cases/{id}/party-access"), &token, &ask).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let rid = r.json()["id"].as_str().unwrap().to_string();
    for step in [
        serde_json::json!({"type": "decide", "at": t0 + 120_000, "approved": true}),
        serde_json::json!({"type": "deliver", "at": t0 + 180_000, "until": liuhen_server::app::now_ms() + 3_600_000,
            "records": ["act/0"], "watermark": format!("{who}<svg onload=alert(2)>")}),
    ] {
        let r = app.post_as(&format!("/api/cases/{id}/party-access/{rid}"), &token, &step).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    }
    // Every page shows it as text.
    let cookie = sign_in(&app).await;
    for path in [
        format!("/cases/{id}"),
        "/cases".to_string(),
        format!("/cases?q={}", urlencode("<script>")),
        "/".to_string(),
        "/ledger".to_string(),
        format!("/cases/{id}/do/reinspect"),
        format!("/cases/{id}/records/act/0"),
        format!("/cases/{id}/party-access/{rid}/material"),
        "/admin/reference".to_string(),
    ] {
        let p = send(&app, get(&path, &cookie)).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        for raw in ["<script>alert", "<img src=x", "onerror=alert(1)>", "<svg onload"] {
            assert!(!p.body.contains(raw), "{path} shows raw {raw}");
        }
    }
    let page = send(&app, get(&format!("/cases/{id}"), &cookie)).await;
    assert!(page.body.contains("&#60;script&#62;alert〔&#39;no&#39;〕"), "the case number is shown escaped");
    // A path-like id is just an unknown case, never a file.
    for path in ["/cases/..%2F..%2Fetc%2Fpasswd", "/cases/%2e%2e", "/api/cases/..%2Fliuhen.db"] {
        let p = send(&app, get(path, &cookie)).await;
        assert!(p.status == StatusCode::NOT_FOUND || p.status == StatusCode::BAD_REQUEST, "{path}: {}", p.status);
        assert!(!p.body.contains("root:"), "{path}");
    }
}

#[tokio::test]
async fn the_administrator_manages_accounts_and_nobody_else_may() {
    let app = spawn_app(LogAccess::Public).await;
    // Others may not even see the page.
    let cookie = sign_in(&app).await;
    let p = send(&app, get("/admin/users", &cookie)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(!send(&app, get("/", &cookie)).await.body.contains("账号管理"));
    // The administrator (after the forced change of the one-time password).
    let token = app.login_admin().await;
    let admin = format!("liuhen_session={token}");
    let p = send(&app, get("/admin/users", &admin)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(HEAD) && p.body.contains("负责人、集体讨论成员"), "{}", p.body);
    let page = send(&app, get("/admin/users/new", &admin)).await;
    let csrf = hidden_csrf(&page.body);
    let add = |roles: &[&str], password: &str| {
        let mut b = format!(
            "csrf={csrf}&username=wangming&unit={}&officer_id=&password={}",
            urlencode("综合执法办"),
            urlencode(password)
        );
        for r in roles {
            b.push_str(&format!("&roles={r}"));
        }
        b
    };
    // No role, a short password: refused with the reason, the password not shown back.
    let p = send(&app, form("/admin/users/new", &admin, &add(&[], "a-long-enough-password"))).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("至少须有一个角色"), "{}", p.body);
    assert!(!p.body.contains("a-long-enough-password"));
    let p = send(&app, form("/admin/users/new", &admin, &add(&["officer", "unit_head"], "short"))).await;
    assert!(p.body.contains("密码至少 12 位"));
    let p =
        send(&app, form("/admin/users/new", &admin, &add(&["officer", "unit_head"], "a-long-enough-password"))).await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/admin/users"), "{}", p.body);
    // 三员分立: roles that see case content wait for a 负责人.
    let list = send(&app, get("/admin/users", &admin)).await;
    assert!(
        list.body.contains("wangming")
            && list.body.contains("无角色（待负责人批准：执法人员、承办机构负责人）")
            && list.body.contains("待首次登录改密"),
        "{}",
        list.body
    );
    // The 负责人 finds it waiting on the home page, and approves it on the grants page; the
    // administrator may not.
    assert_eq!(send(&app, get("/admin/grants", &admin)).await.status, StatusCode::FORBIDDEN);
    let home = send(&app, get("/", &cookie)).await;
    assert!(
        home.body.contains("账号 wangming") && home.body.contains("批准角色授权：执法人员、承办机构负责人"),
        "{}",
        home.body
    );
    let page = send(&app, get("/admin/grants", &cookie)).await;
    assert!(page.body.contains("wangming") && page.body.contains("三员分立"), "{}", page.body);
    let id = page.body.split("/admin/grants/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let csrf = hidden_csrf(&page.body);
    let p = send(&app, form(&format!("/admin/grants/{id}"), &cookie, &format!("csrf={csrf}&decision=approve"))).await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/admin/grants"), "{}", p.body);
    assert!(send(&app, get("/admin/grants", &cookie)).await.body.contains("没有待批准的授权"));
    let list = send(&app, get("/admin/users", &admin)).await;
    assert!(list.body.contains("执法人员、承办机构负责人") && !list.body.contains("待负责人批准"), "{}", list.body);
    app.login_as("wangming", "a-long-enough-password").await;
}

/// 当事人查阅、复制 (办法第二十四条): requested, approved by the 负责人, delivered as a
/// watermarked view for a while, signed for; each step in the case's ledger, its details behind
/// a commitment in the log.
#[tokio::test]
async fn a_partys_request_to_read_is_decided_delivered_signed_for_and_ledgered() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let t0 = 1_795_568_400_000_i64;
    let r = app
        .post_as(
            "/api/cases/inspections",
            &token,
            &serde_json::json!({"case_no": "栗街检〔2026〕41号", "matter": "消防安全检查", "kind": "routine", "basis": "检查计划",
                                "source": "inspection", "reason": "例行检查", "received_at": t0}),
        )
        .await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    // The inspection's on-site record (act/0) is what the party asks to read.
    record_on_site(&app, &token, &id, t0 + 1_800_000).await;
    let ask = |relation: &str, authorisation: &str| {
        serde_json::json!({"at": t0 + 3_600_000, "requester": "张某某", "relation": relation, "id_checked": "居民身份证",
            "records": "现场检查笔录", "purpose": "准备陈述申辩", "mode": "view", "authorisation": authorisation})
    };
    let r = app.post_as(&format!("/api/cases/{id}/party-access"), &token, &ask("委托代理人", "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an agent without the 授权委托书");
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("授权委托书"));
    let size = app.store.tree_size();
    let r = app.post_as(&format!("/api/cases/{id}/party-access"), &token, &ask("当事人本人", "")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let rid = r.json()["id"].as_str().unwrap().to_string();
    // The requester's name is personal data: not in the log entry itself.
    let raw = app.store.entries(size, size + 1).await.unwrap();
    assert!(!String::from_utf8_lossy(&raw[0]).contains("张某某"));
    let step = |body: serde_json::Value| {
        let path = format!("/api/cases/{id}/party-access/{rid}");
        let token = token.clone();
        let app = &app;
        async move { app.post_as(&path, &token, &body).await }
    };
    // Not delivered before the decision; a view has an end within 30 days and a watermark.
    let deliver = |until: i64, mark: &str| serde_json::json!({"type": "deliver", "at": t0 + 7_200_000, "until": until, "watermark": mark, "records": ["act/0"]});
    assert_eq!(step(deliver(t0 + 86_400_000, "仅供张某某查阅")).await.status, StatusCode::CONFLICT);
    let r = step(serde_json::json!({"type": "decide", "at": t0 + 5_400_000, "approved": true})).await;
    assert_eq!(r.json()["state"], "approved", "{}", String::from_utf8_lossy(&r.body));
    let r = step(deliver(t0 + 40 * 86_400_000, "仅供张某某查阅")).await;
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("30 日内"));
    // Only records the case has; the watermark, left blank, names the requester.
    let mut wrong = deliver(t0 + 86_400_000, "");
    wrong["records"] = serde_json::json!(["evidence/9"]);
    assert_eq!(step(wrong).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let until = liuhen_server::app::now_ms() + 86_400_000;
    let r = step(deliver(until, "")).await;
    assert_eq!(r.json()["state"], "delivered", "{}", String::from_utf8_lossy(&r.body));
    let mark = r.json()["steps"][2]["watermark"].as_str().unwrap().to_string();
    assert!(mark.contains("张某某") && mark.contains("栗街检〔2026〕41号"), "{mark}");
    // The party reads it on a watermarked page; each record's view is ledgered first.
    let cookie = format!("liuhen_session={token}");
    let page = send(&app, get(&format!("/cases/{id}/party-access/{rid}/material"), &cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("消防通道畅通") && page.body.contains("data:image/svg+xml,"), "{}", page.body);
    assert!(page.body.contains(&format!("水印：{mark}")), "{}", page.body);
    let lines = app.get(&format!("/api/cases/{id}/ledger?record=act/0"), Some(&token)).await.json()["ledger"].clone();
    assert_eq!(lines.as_array().unwrap().len(), 1, "{lines}");
    assert!(lines[0]["purpose"].as_str().unwrap().contains(&rid));
    assert!(!lines.to_string().contains("张某某"), "the requester stays behind the commitment: {lines}");
    // A view is no copy, and ends when it was set to.
    let p = send(&app, get(&format!("/cases/{id}/party-access/{rid}/material?print=1"), &cookie)).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let direct = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let head = direct.store.user_by_username(HEAD).await.unwrap();
    let later = liuhen_core::time::Timestamp(until + 1);
    let e = direct.party_material(&head, &id, &rid, false, later).await.unwrap_err();
    assert!(e.message().contains("查阅期限已过"), "{e:?}");
    let r = step(serde_json::json!({"type": "receipt", "at": t0 + 9_000_000, "signed_by": "张某某"})).await;
    assert_eq!(r.json()["state"], "receipted");
    // The 台帐 and the case's ledger show every step.
    let list = app.get(&format!("/api/cases/{id}/party-access"), Some(&token)).await.json()["requests"].clone();
    assert_eq!(list[0]["steps"].as_array().unwrap().len(), 4, "{list}");
    // The 台帐 pages as every list does: one request a page here, then the next.
    let first = app.get(&format!("/api/cases/{id}/party-access?limit=1"), Some(&token)).await.json();
    assert_eq!(first["requests"].as_array().unwrap().len(), 1, "{first}");
    if list.as_array().unwrap().len() > 1 {
        let cursor = first["next_cursor"].as_str().expect("a next page").to_string();
        let second = app.get(&format!("/api/cases/{id}/party-access?limit=1&cursor={cursor}"), Some(&token)).await;
        assert_eq!(second.json()["requests"][0]["id"], list[1]["id"]);
    } else {
        assert!(first["next_cursor"].is_null(), "{first}");
    }
    let bad = app.get(&format!("/api/cases/{id}/party-access?cursor=nonsense"), Some(&token)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let ledger = app.get(&format!("/api/cases/{id}/ledger"), Some(&token)).await.json()["ledger"].clone();
    let kinds: Vec<&str> = ledger.as_array().unwrap().iter().map(|l| l["access"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["party_requested", "party_decided", "party_delivered", "view", "party_receipted"]);
    // And the log reproduces the projections (party access has none of its own to drift).
    let app2 = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = app2.projections_from_log().await.unwrap();
    assert_eq!(
        app2.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// 简易程序 in the browser's forms: started with the party, heard, a fine over the limit refused
/// beside the penalty, the right one decided and delivered.
#[tokio::test]
async fn an_on_the_spot_fine_is_decided_through_forms() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let officers = two_officers(&app, &token).await;
    let cookie = sign_in(&app).await;
    let csrf = hidden_csrf(&send(&app, get("/cases/new/summary", &cookie)).await.body);
    let mut start = format!(
        "csrf={csrf}&case_no=No.0009&matter={}&party_kind=citizen&facts={}&act.at=2026-11-20T09%3A00&act.place={}&act.recording_announced=on&act.problems_found=on&act.summary={}&party.kind=natural_person&party.name={}&party.id_type={}&party.id_number=130227198005120033&party.uscc=&party.legal_rep=&party.address={}&party.phone=",
        urlencode("占道经营"),
        urlencode("在迁安路人行道摆摊经营"),
        urlencode("迁安路"),
        urlencode("当事人在场"),
        urlencode("张某某"),
        urlencode("居民身份证"),
        urlencode("迁西县栗乡街道幸福路 8 号")
    );
    for o in &officers {
        start.push_str(&format!("&act.officers={o}"));
    }
    let p = send(&app, form("/cases/new/summary", &cookie, &start)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let case = p.location.clone();
    let run = |command: &str, body: String| {
        let path = format!("{case}/do/{command}");
        let cookie = cookie.clone();
        let app = &app;
        async move { send(app, form(&path, &cookie, &body)).await }
    };
    let p = run(
        "hear",
        format!(
            "csrf={csrf}&expected_version=1&at=2026-11-20T09%3A10&rights_told=on&statement={}",
            urlencode("无异议")
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The decision is issued by an officer on the spot, signed in as themselves; the other
    // officer's signature is named on the form (行政处罚法第五十二条).
    app.account_for("wang", "officer", &officers[0]).await;
    let cookie = sign_in_as(&app, "wang", "changed-pass-2").await;
    let csrf = hidden_csrf(&send(&app, get(&format!("{case}/do/issue_decision"), &cookie)).await.body);
    let run = |command: &str, body: String| {
        let path = format!("{case}/do/{command}");
        let cookie = cookie.clone();
        let app = &app;
        async move { send(app, form(&path, &cookie, &body)).await }
    };
    let decide = |amount: &str| {
        format!(
            "csrf={csrf}&expected_version=2&at=2026-11-20T09%3A20&doc.form_no=No.0009&doc.penalty.kind=fine&doc.penalty.amount_fen={amount}&doc.legal_basis={}&doc.signed_by={}",
            urlencode("《河北省城乡市容和环境卫生条例》第五十条"),
            officers[1]
        )
    };
    // 300 yuan is over a citizen's 200: refused beside the penalty.
    let p = run("issue_decision", decide("300")).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let beside = p
        .body
        .split("data-field=\"doc.penalty.kind\"")
        .nth(1)
        .unwrap_or_default()
        .split("</div>")
        .next()
        .unwrap_or_default();
    assert!(beside.contains("R-067a") && beside.contains("超出简易程序限额"), "{}", p.body);
    // An amount that is not one is bad input beside its own field.
    let p = run("issue_decision", decide("1百")).await;
    assert!(p.body.split("data-field=\"doc.penalty.amount_fen\"").nth(1).unwrap_or_default().contains("金额须为元"));
    let p = run("issue_decision", decide("150.50")).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let data = app.get(&format!("/api{case}"), Some(&token)).await.json();
    assert_eq!(data["data"]["penalty"]["amount_fen"], 15_050, "{data}");
    // The case page shows the form's number and the officers who signed it, by name.
    let page = send(&app, get(&case, &cookie)).await.body;
    assert!(page.contains("当场处罚决定书：No.0009，签名的执法人员："), "{page}");
}

/// 审批待办: a proposed seizure and a party's request wait for the 负责人; they leave the inbox
/// once decided.
#[tokio::test]
async fn the_approvers_inbox_lists_what_waits_for_them() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let measure = serde_json::json!({"case_no": "栗街强〔2026〕5号", "matter": "扣押占道经营物品", "kind": "seize", "items": ["三轮车一辆"],
        "reason": "经责令仍占道经营", "legal_basis": "《河北省城乡市容和环境卫生条例》",
        "property": {"related_to_case": true, "necessities_excluded": true, "not_sealed_elsewhere": true}});
    let r = app.post_as("/api/cases/coercive-measures", &token, &measure).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let measure_id = r.json()["id"].as_str().unwrap().to_string();
    let t0 = 1_795_568_400_000_i64;
    let r = app
        .post_as(
            &format!("/api/cases/{measure_id}/party-access"),
            &token,
            &serde_json::json!({"at": t0, "requester": "吴某某", "relation": "当事人本人", "id_checked": "居民身份证",
                                "records": "扣押决定书及清单", "mode": "copy"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let inbox = app.get("/api/inbox", Some(&token)).await.json()["inbox"].clone();
    let tasks: Vec<&str> = inbox.as_array().unwrap().iter().map(|p| p["task"].as_str().unwrap()).collect();
    assert!(tasks.iter().any(|t| t.starts_with("批准行政强制措施")), "{inbox}");
    assert!(tasks.iter().any(|t| t.starts_with("审批当事人查阅、复制申请")), "{inbox}");
    let cookie = sign_in(&app).await;
    let home = send(&app, get("/", &cookie)).await;
    assert!(home.body.contains("审批待办") && home.body.contains("批准行政强制措施"), "{}", home.body);
    // The 工作台's lists page as the API's do, from the same cursors; a mangled one is the first page.
    let page = app.get("/api/inbox?limit=1", Some(&token)).await.json();
    let (first, next) = (page["inbox"][0]["task"].as_str().unwrap().to_string(), page["next_cursor"].clone());
    let second = send(&app, get(&format!("/?inbox={}", next.as_str().unwrap()), &cookie)).await;
    assert_eq!(second.status, StatusCode::OK);
    let listed = second.body.split("id=\"inbox\"").nth(1).unwrap().split("</section>").next().unwrap().to_string();
    assert!(!listed.contains(&first) && listed.contains("第一页"), "{listed}");
    assert!(listed.contains("审批当事人查阅、复制申请") || listed.contains("批准行政强制措施"), "{listed}");
    let deadlines = app.get("/api/deadlines?limit=1", Some(&token)).await.json();
    if let Some(next) = deadlines["next_cursor"].as_str() {
        let later = send(&app, get(&format!("/?deadlines={next}"), &cookie)).await;
        let listed =
            later.body.split("id=\"deadlines\"").nth(1).unwrap().split("</section>").next().unwrap().to_string();
        assert!(listed.contains("第一页"), "{listed}");
    }
    assert_eq!(send(&app, get("/?inbox=garbage&deadlines=x", &cookie)).await.status, StatusCode::OK);
    // The 负责人 approves: the measure leaves the inbox.
    let approve = serde_json::json!({"expected_version": 1, "command": {"type": "approve", "opinion": "同意扣押", "password": HEAD_PASSWORD}});
    let r = app.post_as(&format!("/api/cases/{measure_id}/commands"), &token, &approve).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let inbox = app.get("/api/inbox", Some(&token)).await.json()["inbox"].clone();
    assert!(!inbox.to_string().contains("批准行政强制措施"), "{inbox}");
}

/// Identity numbers and phones are masked in every view; a task that needs them gets them with
/// its purpose, ledgered first — and a supervisor, whose task never does, gets 403.
#[tokio::test]
async fn a_partys_identity_is_unmasked_only_for_a_stated_task_and_ledgered() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let officers = two_officers(&app, &token).await;
    let t0 = 1_795_568_400_000_i64;
    let act = serde_json::json!({"at": t0, "place": "迁安路", "recording_announced": true, "problems_found": true, "summary": "摆摊",
        "officers": officers.iter().map(|o| serde_json::json!({"officer_id": o, "id_shown_at": t0})).collect::<Vec<_>>()});
    let body = serde_json::json!({"case_no": "No.0010", "matter": "占道经营", "party_kind": "citizen", "facts": "在人行道摆摊", "act": act,
        "party": {"kind": "natural_person", "name": "张某某", "id_type": "居民身份证", "id_number": "130227198005120033",
                  "address": "迁西县栗乡街道幸福路 8 号", "phone": "13800000000"}});
    let r = app.post_as("/api/cases/summary-penalties", &token, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_string();
    let view = app.get(&format!("/api/cases/{id}"), Some(&token)).await.json();
    assert_ne!(view["data"]["party"]["id_number"], "130227198005120033");
    assert_ne!(view["data"]["party"]["phone"], "13800000000");
    let r = app.get(&format!("/api/cases/{id}/party"), Some(&token)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a purpose is required");
    let r = app.get(&format!("/api/cases/{id}/party?purpose={}", urlencode("邮寄送达决定书")), Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        (r.json()["id_number"].as_str(), r.json()["phone"].as_str()),
        (Some("130227198005120033"), Some("13800000000"))
    );
    let ledger = app.get(&format!("/api/cases/{id}/ledger"), Some(&token)).await.json()["ledger"].clone();
    let last = ledger.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["purpose"], "邮寄送达决定书");
    assert!(last["what"].as_str().unwrap().contains("身份证件号码"), "{last}");
    // A supervisor reads the case, never the unmasked identity.
    let admin = app.login_admin().await;
    let sup = app.account(&admin, "jiandu", "supervisor").await;
    assert_eq!(app.get(&format!("/api/cases/{id}"), Some(&sup)).await.status, StatusCode::OK);
    let r = app.get(&format!("/api/cases/{id}/party?purpose={}", urlencode("监督检查")), Some(&sup)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// 办法第二十条: the office sets its 音像记录事项清单 and 执法行为用语指引 (checked, logged); the
/// form of an on-site inspection shows the officer the lines and A/V items of that activity.
#[tokio::test]
async fn the_av_list_and_phrase_guide_are_shown_in_the_activity_they_fit() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let put = |which: &str, body: serde_json::Value| {
        let req = axum::http::Request::put(format!("/api/catalogues/{which}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        app.request(req)
    };
    let row = |mode: &str| {
        serde_json::json!([{"kind": "inspection", "activity": "现场检查", "stage": "调查取证", "place": "执法现场", "mode": mode,
            "recorder": "执法人员", "start": "表明身份时", "end": "离开现场时", "content": "出示证件、检查过程", "mandatory": false,
            "retention": "同案卷保管期限"}])
    };
    let r = put("av-items", row("随意")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(put("av-items", row("根据实际情况")).await.status, StatusCode::OK);
    let lines = serde_json::json!([{"scenario": "现场检查", "lines": ["您好，我们是栗乡街道办事处执法人员，这是我们的执法证件。", "现在开始录音录像。"]}]);
    assert_eq!(put("phrases", lines).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/catalogues/phrases", Some(&token)).await.json()[0]["scenario"], "现场检查");
    let id = app.open_inspection(&token, "栗街检〔2026〕51号").await;
    let cookie = sign_in(&app).await;
    let page = send(&app, get(&format!("/cases/{id}/do/record_on_site"), &cookie)).await;
    assert!(page.body.contains("现在开始录音录像") && page.body.contains("出示证件、检查过程"), "{}", page.body);
    let page = send(&app, get(&format!("/cases/{id}/do/close"), &cookie)).await;
    assert!(!page.body.contains("执法用语"), "closing needs no script");
    // The catalogues are settings the log reproduces.
    let app2 = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = app2.projections_from_log().await.unwrap();
    assert_eq!(
        app2.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// A case marked 个人隐私 is seen by those who handle it and the 负责人, no longer by the
/// supervisor or the archivist; 国家秘密 cannot be a class, such material is never stored.
#[tokio::test]
async fn a_private_case_narrows_who_may_see_it() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let admin = app.login_admin().await;
    let others = [app.account(&admin, "jiandu", "supervisor").await, app.account(&admin, "dangan", "archivist").await];
    let id = app.open_inspection(&token, "栗街检〔2026〕61号").await;
    for t in &others {
        assert_eq!(app.get(&format!("/api/cases/{id}"), Some(t)).await.status, StatusCode::OK);
    }
    let classify = |class: &str, reason: &str| serde_json::json!({"class": class, "reason": reason});
    let path = format!("/api/cases/{id}/classification");
    // 国家秘密 is not a class here (such material is never stored): not among the values.
    let r = app.post_as(&path, &token, &classify("state_secret", "涉密")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("class: 取值须为以下之一") && !message.contains("state_secret、"), "{message}");
    assert_eq!(app.post_as(&path, &others[0], &classify("public", "公开")).await.status, StatusCode::FORBIDDEN);
    let r = app.post_as(&path, &token, &classify("personal_privacy", "涉及当事人病史")).await;
    assert_eq!(r.json()["confidentiality"], "personal_privacy", "{}", String::from_utf8_lossy(&r.body));
    for t in &others {
        assert_eq!(app.get(&format!("/api/cases/{id}"), Some(t)).await.status, StatusCode::NOT_FOUND);
        assert!(!app.get("/api/cases", Some(t)).await.body.windows(id.len()).any(|w| w == id.as_bytes()));
    }
    assert_eq!(app.get(&format!("/api/cases/{id}"), Some(&token)).await.status, StatusCode::OK);
    let app2 = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = app2.projections_from_log().await.unwrap();
    assert_eq!(
        app2.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// 查封、扣押 through forms: proposed with its property checks, approved from the inbox's link,
/// executed with the statutory checklist — a missing full A/V refused beside its field.
#[tokio::test]
async fn a_seizure_is_proposed_approved_and_executed_through_forms() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let officers = two_officers(&app, &token).await;
    let cookie = sign_in(&app).await;
    let csrf = hidden_csrf(&send(&app, get("/cases/new/coercion", &cookie)).await.body);
    let propose = format!(
        "csrf={csrf}&case_no={}&matter={}&kind=seize&items={}&reason={}&legal_basis={}&party.kind=natural_person&party.name={}&party.id_type={}&party.id_number=130227198005120033&party.uscc=&party.legal_rep=&party.address={}&party.phone=&property.related_to_case=on&property.necessities_excluded=on&property.not_sealed_elsewhere=on",
        urlencode("栗街强〔2026〕7号"),
        urlencode("扣押占道经营物品"),
        urlencode("三轮车一辆、货架两个"),
        urlencode("经责令仍占道经营"),
        urlencode("《河北省城乡市容和环境卫生条例》"),
        urlencode("吴某某"),
        urlencode("居民身份证"),
        urlencode("迁西县栗乡街道迁安路 6 号")
    );
    let p = send(&app, form("/cases/new/coercion", &cookie, &propose)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let case = p.location.clone();
    // The 负责人's inbox links to the approval form.
    let home = send(&app, get("/", &cookie)).await;
    assert!(home.body.contains(&format!("{case}/do/approve")), "{}", home.body);
    // The approver is the signed-in 负责人: only the opinion is typed.
    let approve = format!(
        "csrf={csrf}&expected_version=1&opinion={}&password={}",
        urlencode("同意扣押"),
        urlencode(HEAD_PASSWORD)
    );
    // Approved the day before it is carried out, by the server's clock.
    app.clock.set(liuhen_core::time::Date::parse("2026-11-19").unwrap().start().plus_hours(9).0);
    let p = send(&app, form(&format!("{case}/do/approve"), &cookie, &approve)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    app.clock.set(super::helpers::CLOCK_MS);
    // The case page says who approved, with their own signature.
    let page = send(&app, get(&case, &cookie)).await;
    let line = page.body.split("办理人：").nth(1).unwrap_or_default().split('<').next().unwrap_or_default();
    assert!(line.starts_with(super::helpers::HEAD_NAME) && line.contains("SM2 电子签名"), "{line}");
    let page = send(&app, get(&format!("{case}/do/execute"), &cookie)).await;
    assert!(page.body.contains("查封扣押") || page.body.contains("清单份数"));
    let execute = |av: bool| {
        let mut b = format!(
            "csrf={csrf}&expected_version=2&act.at=2026-11-20T10%3A00&act.place={}&act.recording_announced=on&act.summary={}&checklist.party_notified=on&checklist.reasons_and_rights_told=on&checklist.statements_heard=on&checklist.record_signed=on&doc.term_days=30&doc.sealed=on&doc.relief_told=on&doc.inventory_copies=2&doc.handed_over=on",
            urlencode("迁安路"),
            urlencode("当事人在场，清点物品")
        );
        for o in &officers {
            b.push_str(&format!("&act.officers={o}"));
        }
        if av {
            b.push_str("&av_full=on");
        }
        b
    };
    let p = send(&app, form(&format!("{case}/do/execute"), &cookie, &execute(false))).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.split("data-field=\"av_full\"").nth(1).unwrap_or_default().contains("R-106"), "{}", p.body);
    let p = send(&app, form(&format!("{case}/do/execute"), &cookie, &execute(true))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let data = app.get(&format!("/api{case}"), Some(&token)).await.json();
    assert_eq!(data["state"], "active", "{data}");
}

/// 行政许可 through forms: the application with its applicant, accepted, an unsealed decision
/// refused beside its field, then granted.
#[tokio::test]
async fn a_licence_is_applied_for_accepted_and_decided_through_forms() {
    let app = spawn_app(LogAccess::Public).await;
    let cookie = sign_in(&app).await;
    let csrf = hidden_csrf(&send(&app, get("/cases/new/licence", &cookie)).await.body);
    let apply = format!(
        "csrf={csrf}&case_no={}&matter={}&received_at=2026-11-02T09%3A00&materials={}&receipt_issued=on&applicant.kind=natural_person&applicant.name={}&applicant.id_type={}&applicant.id_number=130227198005120033&applicant.uscc=&applicant.legal_rep=&applicant.address={}&applicant.phone=",
        urlencode("栗街许〔2026〕9号"),
        urlencode("临时占用道路审批"),
        urlencode("申请书、平面图"),
        urlencode("张某某"),
        urlencode("居民身份证"),
        urlencode("迁西县栗乡街道幸福路 8 号")
    );
    let p = send(&app, form("/cases/new/licence", &cookie, &apply)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let case = p.location.clone();
    let accept = format!("csrf={csrf}&expected_version=1&at=2026-11-03T09%3A00&voucher_sealed=on");
    let p = send(&app, form(&format!("{case}/do/accept"), &cookie, &accept)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // The 负责人 decides on 2026-11-20, by the server's clock (the form asks no time).
    app.clock.set(liuhen_core::time::Date::parse("2026-11-20").unwrap().start().plus_hours(9).0);
    let decide = |sealed: bool| {
        format!(
            "csrf={csrf}&expected_version=2&granted=on{}&reasons=&relief_told=on&late_explanation=&password={}",
            if sealed { "&sealed=on" } else { "" },
            urlencode(HEAD_PASSWORD)
        )
    };
    let p = send(&app, form(&format!("{case}/do/decide"), &cookie, &decide(false))).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("R-115"), "{}", p.body);
    let p = send(&app, form(&format!("{case}/do/decide"), &cookie, &decide(true))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let token = app.login().await;
    assert_eq!(app.get(&format!("/api{case}"), Some(&token)).await.json()["state"], "granted");
}

/// 行政处罚普通程序 from lead to closure entirely through the forms: the API's rules refuse as
/// they would there (a report citing unrecorded evidence, R-069), and the log reproduces it.
#[tokio::test]
async fn an_ordinary_penalty_walks_from_lead_to_closure_through_forms() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let officers = two_officers(&app, &token).await;
    let staff = app.staff(&officers[0], "").await;
    let cookie = sign_in(&app).await;
    let csrf = hidden_csrf(&send(&app, get("/cases/new/penalty", &cookie)).await.body);
    // The 承办人 registers the lead through the form, signed in as themselves.
    let handler = sign_in_as(&app, "chengban", "changed-pass-2").await;
    let handler_csrf = hidden_csrf(&send(&app, get("/cases/new/penalty", &handler)).await.body);
    let enc = |pairs: &[(&str, &str)]| {
        let mut b = format!("csrf={handler_csrf}");
        for (k, v) in pairs {
            b.push_str(&format!("&{k}={}", urlencode(v)));
        }
        b
    };
    let lead = enc(&[
        ("case_no", "栗街罚〔2026〕71号"),
        ("matter", "违法建设"),
        ("matter_code", ""),
        ("party_kind", "citizen"),
        ("source", "complaint"),
        ("reason", "群众举报院内违法搭建"),
        ("received_at", "2026-08-06T09:00"),
        ("party.kind", "natural_person"),
        ("party.name", "张某某"),
        ("party.id_type", "居民身份证"),
        ("party.id_number", "130227198005120033"),
        ("party.address", "迁西县栗乡街道幸福路 8 号"),
        ("party.phone", ""),
    ]);
    let p = send(&app, form("/cases/new/penalty", &handler, &lead)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let case = p.location.clone();
    let case_id = case.trim_start_matches("/cases/").to_string();
    let step_as = |who: (&str, &str), command: &str, version: u64, pairs: Vec<(String, String)>, extra: String| {
        let (cookie, csrf) = (who.0.to_string(), who.1.to_string());
        let mut body = format!("csrf={csrf}&expected_version={version}");
        for (k, v) in pairs {
            body.push_str(&format!("&{k}={}", urlencode(&v)));
        }
        body.push_str(&extra);
        let path = format!("{case}/do/{command}");
        let app = &app;
        async move { send(app, form(&path, &cookie, &body)).await }
    };
    let step = |command: &str, version: u64, pairs: Vec<(String, String)>, extra: String| {
        let mut body = format!("csrf={csrf}&expected_version={version}");
        for (k, v) in pairs {
            body.push_str(&format!("&{k}={}", urlencode(&v)));
        }
        body.push_str(&extra);
        let path = format!("{case}/do/{command}");
        let cookie = cookie.clone();
        let app = &app;
        async move { send(app, form(&path, &cookie, &body)).await }
    };
    let ok = |p: &Page| assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let owned = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    let both = officers.iter().map(|o| format!("&act.officers={o}")).collect::<String>();
    // 立案 rests on the 立案审批表: refused until its three steps are approved, each by its account.
    let file = owned(&[("filed_at", "2026-08-07T09:00"), ("violation_ended", "2026-07-30")]);
    let p = step("file", 1, file.clone(), String::new()).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("立案审批表"), "{}", p.body);
    app.approved_form(&staff, &case_id, "D02").await;
    ok(&step("file", 1, file, String::new()).await);
    let act = owned(&[
        ("act.at", "2026-08-10T09:00"),
        ("act.place", "幸福路 8 号院内"),
        ("act.recording_announced", "on"),
        ("act.problems_found", "on"),
        ("act.summary", "院内东侧彩钢房一间"),
    ]);
    ok(&step("investigate", 2, act, both.clone()).await);
    let record = owned(&[
        ("item.label", "现场检查笔录"),
        ("item.at", "2026-08-10T09:30"),
        ("item.place", "幸福路 8 号院内"),
        ("item.findings", "彩钢房约 20 平方米"),
        ("item.party_signed", "on"),
    ]);
    ok(&step("record_site_record", 3, record, officers.iter().map(|o| format!("&item.officers={o}")).collect()).await);
    // An inquiry whose interviewee refused to sign: the refusal's fields are sent only when ticked.
    let inquiry = owned(&[
        ("item.label", "询问笔录（张某某）"),
        ("item.at", "2026-08-10T10:00"),
        ("item.ended_at", "2026-08-10T10:40"),
        ("item.place", "幸福路 8 号院内"),
        ("item.interviewee", "张某某"),
        ("item.relation", "当事人"),
        ("item.rights_told", "on"),
        ("item.questions_and_answers", "问：彩钢房是谁搭建的？答：我。"),
        ("item.confirmed", "on"),
        ("item.refusal.refused", "on"),
        ("item.refusal.reason", "被询问人核对后拒绝签名"),
    ]);
    let mut inquirers: String =
        officers.iter().map(|o| format!("&item.inquirers={o}&item.refusal.noted_by={o}")).collect();
    inquirers.push_str(&format!("&item.recorder={}", officers[1]));
    ok(&step("record_inquiry", 4, inquiry, inquirers).await);
    let conclude = |evidence: &str| {
        owned(&[
            ("facts", "未经批准搭建彩钢房"),
            ("evidence", evidence),
            ("legal_basis", "《城乡规划法》第六十五条"),
            ("discretion", "首次违法"),
            ("proposal.kind", "fine"),
            ("proposal.amount_fen", "5000"),
        ])
    };
    let p = step("conclude", 5, conclude("现场检查笔录、现场照片"), String::new()).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.split("data-field=\"evidence\"").nth(1).unwrap_or_default().contains("R-069"), "{}", p.body);
    ok(&step("conclude", 5, conclude("现场检查笔录"), String::new()).await);
    // The 承办机构负责人 proposes, signed in as themselves: the form asks only the opinion.
    let unit_head = sign_in_as(&app, "keshi", "changed-pass-2").await;
    let unit_csrf = hidden_csrf(&send(&app, get(&format!("{case}/do/propose"), &unit_head)).await.body);
    let propose = owned(&[
        ("opinion", "拟罚款五千元"),
        ("proposal.kind", "fine"),
        ("proposal.amount_fen", "5000"),
        ("password", "changed-pass-2"),
    ]);
    let p = step("propose", 6, propose.clone(), String::new()).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("须由承办机构负责人以本人账号办理"), "the 负责人 may not take the unit's step: {}", p.body);
    // Proposed on the day of this story (the server's clock dates it; the decision typed later
    // is not dated before it, R-064b).
    app.clock.set(liuhen_core::time::Date::parse("2026-08-12").unwrap().start().plus_hours(9).0);
    ok(&step_as((&unit_head, &unit_csrf), "propose", 6, propose, String::new()).await);
    app.clock.set(super::helpers::CLOCK_MS);
    let notice = owned(&[
        ("doc.penalty.kind", "fine"),
        ("doc.penalty.amount_fen", "5000"),
        ("doc.facts", "未经批准搭建彩钢房"),
        ("doc.reasons", "违反规划管理规定"),
        ("doc.legal_basis", "《城乡规划法》第六十五条"),
        ("doc.hearing_right_told", "on"),
        ("doc.statement_days", "5"),
        ("service.document", "行政处罚事先告知书"),
        ("service.recipient", "张某某"),
        ("service.at", "2026-08-14T09:00"),
        ("service.place", "幸福路 8 号"),
        ("service.method.type", "direct"),
        ("service.method.receiver", "张某某"),
        ("service.recipient_signed", "on"),
    ]);
    let servers: String = officers.iter().map(|o| format!("&service.servers={o}")).collect();
    ok(&step("serve_notice", 7, notice, servers.clone()).await);
    ok(&step(
        "waive",
        8,
        owned(&[("at", "2026-08-14T10:00"), ("signed_statement", "on"), ("av_ref", "")]),
        String::new(),
    )
    .await);
    app.approved_form(&staff, &case_id, "D30").await;
    let decide = owned(&[
        ("at", "2026-08-17T09:00"),
        ("doc.doc_no", "栗街罚决〔2026〕71号"),
        ("doc.penalty.kind", "fine"),
        ("doc.penalty.amount_fen", "5000"),
        ("doc.facts", "未经批准搭建彩钢房"),
        ("doc.legal_basis", "《城乡规划法》第六十五条"),
        ("doc.performance_days", "15"),
        ("doc.relief_route_stated", "on"),
        ("doc.sealed", "on"),
        ("late_explanation", ""),
    ]);
    ok(&step("decide", 9, decide, String::new()).await);
    let serve = owned(&[
        ("service.document", "行政处罚决定书（栗街罚决〔2026〕71号）"),
        ("service.recipient", "张某某"),
        ("service.at", "2026-08-18T09:00"),
        ("service.place", "幸福路 8 号"),
        ("service.method.type", "postal"),
        ("service.method.receiver", "（邮寄送达时不发送）"),
        ("service.method.tracking_no", "EMS2026081801"),
        ("service.method.return_receipt_at", "2026-08-19T15:00"),
        ("service.recipient_signed", "on"),
    ]);
    let page = send(&app, get(&format!("{case}/do/serve"), &cookie)).await;
    assert!(page.body.contains("邮寄送达时：") && page.body.contains("公告送达时："), "{}", page.body);
    ok(&step("serve", 10, serve, servers).await);
    ok(&step("pay", 11, owned(&[("at", "2026-08-25T09:00"), ("receipt_no", "BANK-20260825-71")]), String::new()).await);
    app.approved_form(&staff, &case_id, "D50").await;
    ok(&step("close", 12, owned(&[("at", "2026-08-26T09:00")]), String::new()).await);
    let data = app.get(&format!("/api{case}"), Some(&token)).await.json();
    assert_eq!(data["state"], "closed", "{data}");
    // The case page shows what each step recorded: the approval chain with its accounts, the
    // unit's opinion, the 文号.
    let page = send(&app, get(&case, &cookie)).await.body;
    for shown in ["批准人意见：", "审核人意见：keshi", "承办机构意见：keshi", "文号：栗街罚决〔2026〕71号"]
    {
        assert!(page.contains(shown), "{shown} not on the case page");
    }
    let text = data.to_string();
    assert!(text.contains("被询问人核对后拒绝签名"), "{data}");
    // Served by post: the date of service is the return receipt's (2026-08-19 15:00).
    assert_eq!(data["data"]["served_at"], 1_787_122_800_000_i64, "{data}");
    // The inquiry is classed 个人隐私 on its own page: the 负责人 still reads it there, a
    // 监督人员 sees the case but not that record, and each view of it is in its own ledger.
    let record = format!("{case}/records/evidence/1");
    let page = send(&app, get(&record, &cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("问：彩钢房是谁搭建的？") && page.body.contains("设定本记录的密级"), "{}", page.body);
    let p = send(
        &app,
        form(
            &format!("{record}/classification"),
            &cookie,
            &format!("csrf={csrf}&class=personal_privacy&reason={}", urlencode("涉及被询问人家庭情况")),
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = send(&app, get(&record, &cookie)).await.body;
    assert!(page.contains("本记录另定密级：个人隐私"), "{page}");
    let admin = app.login_admin().await;
    let supervisor = app.account(&admin, "jiandu", "supervisor").await;
    let sc = format!("liuhen_session={supervisor}");
    let case_page = send(&app, get(&case, &sc)).await;
    assert_eq!(case_page.status, StatusCode::OK);
    assert!(
        case_page.body.contains("已隐去（个人隐私）") && !case_page.body.contains("彩钢房是谁搭建的"),
        "{}",
        case_page.body
    );
    let as_api = app.get(&format!("/api{case}"), Some(&supervisor)).await.json();
    assert_eq!(as_api["data"]["evidence"][1]["withheld"], "个人隐私", "{as_api}");
    assert!(!as_api.to_string().contains("彩钢房是谁搭建的"));
    assert_eq!(send(&app, get(&record, &sc)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get(&format!("/api{case}/records/evidence/1"), Some(&supervisor)).await.status,
        StatusCode::FORBIDDEN
    );
    // The site record (not classed) the supervisor reads, ledgered with its id.
    let r = app
        .get(&format!("/api{case}/records/evidence/0?purpose=%E7%9B%91%E7%9D%A3%E6%A3%80%E6%9F%A5"), Some(&supervisor))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["record"]["findings"], "彩钢房约 20 平方米");
    let lines = app.get(&format!("/api{case}/ledger?record=evidence/1"), Some(&token)).await.json()["ledger"].clone();
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|l| l["record"] == "evidence/1" && l["access"] == "view"));
    let lines = app.get(&format!("/api{case}/ledger?record=evidence/0"), Some(&token)).await.json()["ledger"].clone();
    assert_eq!(lines.as_array().unwrap().len(), 1);
    assert_eq!(lines[0]["purpose"], "监督检查");
    let app2 = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = app2.projections_from_log().await.unwrap();
    assert_eq!(
        app2.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn the_reference_data_is_kept_through_the_administration_pages() {
    let app = spawn_app(LogAccess::Public).await;
    let cookie = sign_in(&app).await;
    let page = send(&app, get("/admin/reference", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("音像记录事项清单") && page.body.contains("liuhen.test/api"), "{}", page.body);
    let csrf = hidden_csrf(&send(&app, get("/admin/reference/agency", &cookie)).await.body);
    let post = |which: &str, pairs: &[(&str, &str)]| {
        let mut body = format!("csrf={csrf}");
        for (k, v) in pairs {
            body.push_str(&format!("&{k}={}", urlencode(v)));
        }
        form(&format!("/admin/reference/{which}"), &cookie, &body)
    };
    let agency = [
        ("name", "迁西县栗乡街道办事处"),
        ("uscc", "11130227MB0000000J"),
        ("seals", "公章 2024-01-01 2028-12-31\n行政执法专用章 2024-01-01 2028-12-31"),
    ];
    let p = send(&app, post("agency", &agency)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // A malformed seal line is refused beside its field, and nothing changes.
    let p = send(&app, post("agency", &[("name", "某"), ("uscc", ""), ("seals", "公章 2024-13-01 2028-12-31")])).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.split("data-field=\"seals\"").nth(1).unwrap_or_default().contains("日期有误"), "{}", p.body);
    let p = send(
        &app,
        post(
            "officer",
            &[
                ("name", "赵刚"),
                ("cert_no", "13020009"),
                ("cert_valid_from", "2025-01-01"),
                ("cert_valid_to", "2029-12-31"),
                ("cert_scope", "penalty"),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let matter = [
        ("code", "P-099"),
        ("name", "占道经营"),
        ("kind", "penalty"),
        ("legal_basis", "《城市市容和环境卫生管理条例》第三十六条"),
        ("summary_allowed", "on"),
    ];
    assert_eq!(send(&app, post("matter", &matter)).await.status, StatusCode::SEE_OTHER);
    let av = [
        ("kind", "行政处罚"),
        ("activity", "现场检查"),
        ("stage", "调查取证"),
        ("place", "执法现场"),
        ("mode", "全程"),
        ("recorder", "执法人员"),
        ("start", "到达现场时"),
        ("end", "离开现场时"),
        ("content", "表明身份、检查过程、当事人陈述"),
        ("mandatory", "on"),
        ("retention", "同案卷保管期限"),
    ];
    assert_eq!(send(&app, post("av_item", &av)).await.status, StatusCode::SEE_OTHER);
    for lines in ["您好，我们是栗乡街道执法人员。\n这是我们的执法证件。", "您好，我们是执法人员，请出示证件。"]
    {
        let p = send(&app, post("phrase", &[("scenario", "现场检查"), ("lines", lines)])).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    }
    // Sixteen phrases added at once, each a read-modify-write of the one catalogue: none lost.
    let added = futures::future::join_all((0..16).map(|k| {
        let scenario = format!("并发场景{k}");
        let req = post("phrase", &[("scenario", scenario.as_str()), ("lines", "您好。")]);
        let app = &app;
        async move { send(app, req).await.status }
    }))
    .await;
    assert!(added.iter().all(|s| *s == StatusCode::SEE_OTHER), "{added:?}");
    let page = send(&app, get("/admin/reference", &cookie)).await.body;
    for k in 0..16 {
        assert!(page.contains(&format!("并发场景{k}")), "phrase {k} lost");
    }
    for shown in ["行政执法专用章", "赵刚", "13020009", "P-099", "占道经营", "表明身份、检查过程", "请出示证件"]
    {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    // The same scenario was replaced, not added twice.
    assert!(!page.contains("这是我们的执法证件"), "{page}");
    // The on-the-spot penalty's form shows the phrases of its scenario, as replaced.
    let guide = send(&app, get("/cases/new/summary", &cookie)).await.body;
    assert!(guide.contains("请出示证件") && !guide.contains("这是我们的执法证件"), "{guide}");
    let api = app.login().await;
    assert_eq!(app.get("/api/agency", Some(&api)).await.json()["seals"][1]["kind"], "行政执法专用章");
    // Retiring the row is a new version; the log keeps both.
    let before = app.store.tree_size();
    let p = send(&app, form("/admin/reference/av-items/0/retire", &cookie, &format!("csrf={csrf}"))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(app.get("/api/catalogues/av-items", Some(&api)).await.json(), serde_json::json!([]));
    assert_eq!(app.store.tree_size(), before + 1);
    // Without the form's token nothing changes.
    let p = send(&app, form("/admin/reference/av-items/0/retire", &cookie, "csrf=forged")).await;
    assert_ne!(p.status, StatusCode::SEE_OTHER);
    // An officer sees the reference data but may not change it.
    let admin = app.login_admin().await;
    let officer = app.account(&admin, "zhaogang", "officer").await;
    let oc = format!("liuhen_session={officer}");
    let page = send(&app, get("/admin/reference", &oc)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("赵刚") && !page.body.contains("/admin/reference/agency"), "{}", page.body);
    assert_eq!(send(&app, get("/admin/reference/agency", &oc)).await.status, StatusCode::FORBIDDEN);
    let ocsrf = hidden_csrf(&page.body);
    let p = send(
        &app,
        form("/admin/reference/matter", &oc, &format!("csrf={ocsrf}&code=P-100&name=x&kind=penalty&legal_basis=x")),
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "{}", p.body);
}

/// A copy request walked through the case page's forms: taken down, approved, the record
/// chosen and printed with its watermark (a print in the ledger), signed for.
#[tokio::test]
async fn a_partys_copy_is_requested_approved_printed_and_signed_for_through_forms() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let id = app.open_inspection(&token, "栗街检〔2026〕42号").await;
    record_on_site(&app, &token, &id, 1_795_572_000_000).await;
    let cookie = sign_in(&app).await;
    let page = send(&app, get(&format!("/cases/{id}"), &cookie)).await.body;
    assert!(page.contains(&format!("/cases/{id}/party-access/new")), "{page}");
    let csrf = hidden_csrf(&send(&app, get(&format!("/cases/{id}/party-access/new"), &cookie)).await.body);
    let post = |path: String, pairs: Vec<(&str, &str)>| {
        let mut body = format!("csrf={csrf}");
        for (k, v) in pairs {
            body.push_str(&format!("&{k}={}", urlencode(v)));
        }
        form(&path, &cookie, &body)
    };
    let ask = vec![
        ("at", "2026-11-26T09:00"),
        ("requester", "李某某"),
        ("relation", "委托代理人"),
        ("id_checked", "律师执业证"),
        ("authorisation", ""),
        ("records", "现场检查记录"),
        ("purpose", "提起行政复议"),
        ("mode", "copy"),
    ];
    // An agent without the 授权委托书 is refused on the form, nothing recorded.
    let p = send(&app, post(format!("/cases/{id}/party-access/new"), ask.clone())).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("授权委托书"), "{}", p.body);
    let mut ask = ask;
    ask[4] = ("authorisation", "授权委托书（2026-11-25）");
    let p = send(&app, post(format!("/cases/{id}/party-access/new"), ask)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let list = app.get(&format!("/api/cases/{id}/party-access"), Some(&token)).await.json()["requests"].clone();
    let rid = list[0]["id"].as_str().unwrap().to_string();
    let base = format!("/cases/{id}/party-access/{rid}");
    let page = send(&app, get(&format!("/cases/{id}"), &cookie)).await.body;
    assert!(page.contains(&format!("{base}/decide")), "{page}");
    let p = send(&app, post(format!("{base}/decide"), vec![("at", "2026-11-26T10:00"), ("approved", "on")])).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let form_page = send(&app, get(&format!("{base}/deliver"), &cookie)).await.body;
    assert!(form_page.contains("value=\"act/0\""), "the case's records are offered: {form_page}");
    // A copy needs its pages.
    let deliver = |pages: &'static str| vec![("at", "2026-11-26T10:30"), ("records", "act/0"), ("pages", pages)];
    let p = send(&app, post(format!("{base}/deliver"), deliver(""))).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("页数"), "{}", p.body);
    assert_eq!(send(&app, post(format!("{base}/deliver"), deliver("2"))).await.status, StatusCode::SEE_OTHER);
    let printed = send(&app, get(&format!("{base}/material?print=1"), &cookie)).await;
    assert_eq!(printed.status, StatusCode::OK, "{}", printed.body);
    assert!(
        printed.body.contains("复制件 · 第 1 页，共 1 页") && printed.body.contains("仅供李某某复制"),
        "{}",
        printed.body
    );
    let lines = app.get(&format!("/api/cases/{id}/ledger?record=act/0"), Some(&token)).await.json()["ledger"].clone();
    assert_eq!(lines[0]["access"], "print", "{lines}");
    let p =
        send(&app, post(format!("{base}/receipt"), vec![("at", "2026-11-26T11:00"), ("signed_by", "李某某")])).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    // Once signed for, no more copies.
    assert_eq!(send(&app, get(&format!("{base}/material?print=1"), &cookie)).await.status, StatusCode::BAD_REQUEST);
    let list = app.get(&format!("/api/cases/{id}/party-access"), Some(&token)).await.json()["requests"].clone();
    assert_eq!(list[0]["state"], "receipted", "{list}");
    assert_eq!(list[0]["steps"][2]["records"], serde_json::json!(["act/0"]));
}

#[tokio::test]
async fn a_device_is_registered_checked_and_handed_out_through_the_device_pages() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let admin = app.login_admin().await;
    let officers = two_officers(&app, &head).await;
    app.account(&admin, "keeper", "device_admin").await;
    let cookie = sign_in_as(&app, "keeper", "changed-pass-2").await;
    let page = send(&app, get("/devices", &cookie)).await;
    assert!(page.body.contains("没有符合条件的设备") && page.body.contains("/devices/new"), "{}", page.body);
    let csrf = hidden_csrf(&send(&app, get("/devices/new", &cookie)).await.body);
    let post = |path: &str, pairs: &[(&str, &str)]| {
        let mut body = format!("csrf={csrf}");
        for (k, v) in pairs {
            body.push_str(&format!("&{k}={}", urlencode(v)));
        }
        form(path, &cookie, &body)
    };
    let hostile = "<script>alert(1)</script>";
    let p = send(
        &app,
        post(
            "/devices/new",
            &[
                ("number", "DSJ-007"),
                ("model", hostile),
                ("kind", "body_camera"),
                ("capabilities", "night_vision"),
                ("storage_place", "执法装备室"),
            ],
        ),
    )
    .await;
    assert_eq!((p.status, p.location.as_str()), (StatusCode::SEE_OTHER, "/devices/DSJ-007"), "{}", p.body);
    // Handed out before any check: refused beside nothing in particular, with its rule.
    let p = send(&app, post("/devices/DSJ-007/do/assign", &[("officer", &officers[0])])).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("R-149c"), "{}", p.body);
    let clock = liuhen_server::app::auth::now_ms().to_string();
    let p = send(
        &app,
        post(
            "/devices/DSJ-007/do/check",
            &[("battery_pct", "88"), ("free_storage_mb", "64000"), ("device_clock", &clock)],
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let p = send(&app, post("/devices/DSJ-007/do/assign", &[("officer", &officers[0])])).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = send(&app, get("/devices/DSJ-007", &cookie)).await;
    assert!(
        page.body.contains("领用中") && page.body.contains("王明") && page.body.contains("使用前检查"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(hostile) && page.body.contains("&#60;script&#62;"), "{}", page.body);
    // The registry narrowed to a state; the ledger newest first.
    let out = send(&app, get("/devices?status=assigned", &cookie)).await;
    assert!(out.body.contains("/devices/DSJ-007") && out.body.contains("selected>领用中"), "{}", out.body);
    let retired = send(&app, get("/devices?status=retired", &cookie)).await;
    assert!(!retired.body.contains("/devices/DSJ-007") && retired.body.contains("没有符合条件的设备"));
    assert!(
        page.body.contains("共 3 条")
            && page.body.find("<td>领用</td>").unwrap() < page.body.find("<td>登记</td>").unwrap()
    );
    let list = send(&app, get("/devices", &cookie)).await;
    assert!(list.body.contains("DSJ-007") && list.body.contains("合格"), "{}", list.body);
    // The 负责人 reads the registry but has no device forms.
    let head_cookie = sign_in(&app).await;
    let page = send(&app, get("/devices/DSJ-007", &head_cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/do/assign"), "{}", page.body);
}

#[tokio::test]
async fn a_recording_is_found_played_through_the_ledger_linked_and_its_gap_explained_through_pages() {
    use crate::uploads::{b64, content, create, header as tus_header, patch, send as tus_send, sm3_of};
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let officers = two_officers(&app, &head).await;
    let cookie = sign_in(&app).await;
    let t0 = 1_795_568_400_000_i64;
    let id = app.open_inspection(&head, "栗街检〔2026〕41号").await;
    let act = serde_json::json!({"expected_version": 1, "command": {"type": "record_on_site", "act": {"at": t0,
        "place": "幸福路 8 号", "recording_announced": true, "problems_found": false, "summary": "消防通道畅通",
        "officers": officers.iter().map(|o| serde_json::json!({"officer_id": o, "id_shown_at": t0})).collect::<Vec<_>>()}}});
    assert_eq!(app.post_as(&format!("/api/cases/{id}/commands"), &head, &act).await.status, StatusCode::OK);
    // A file uploaded over tus, its name hostile markup.
    let hostile = "<img src=x onerror=alert(1)>.mp4";
    let data = content(200 << 10);
    let meta = format!(
        "filename {},device {},officers {},started_at {},ended_at {}",
        b64(hostile),
        b64("DSJ-042"),
        b64("王明、李华"),
        b64(&t0.to_string()),
        b64(&(t0 + 600_000).to_string())
    );
    let a = create(&app.router, &head, data.len() as u64, &meta).await;
    let a = tus_send(&app.router, patch(&tus_header(&a, "location"), &head, 0, Body::from(data.clone()), None)).await;
    let rec = tus_header(&a, "liuhen-recording");
    assert!(!rec.is_empty(), "{}", a.body);
    // Its SM3 entry follows on its own; wait for it, so that the log's size below counts ours.
    sm3_of(&app, &head, &rec).await;

    // Listed, found by its device and not by another; the name shown as text.
    let list = send(&app, get("/recordings", &cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&format!("/recordings/{rec}")) && list.body.contains("upload.js"), "{}", list.body);
    assert!(!list.body.contains("<img src=x"), "{}", list.body);
    assert!(send(&app, get("/recordings?device=DSJ-042", &cookie)).await.body.contains(&format!("/recordings/{rec}")));
    assert!(!send(&app, get("/recordings?device=DSJ-999", &cookie)).await.body.contains(&format!("/recordings/{rec}")));
    let script = send(&app, get("/static/upload.js", "")).await;
    assert!(script.status == StatusCode::OK && script.body.contains("Tus-Resumable"));

    // Played: the page carries a player once the view is in the ledger; the bytes come by Range.
    let page = send(&app, get(&format!("/recordings/{rec}"), &cookie)).await;
    assert!(page.body.contains("DSJ-042") && !page.body.contains("<video"), "{}", page.body);
    let csrf = hidden_csrf(&page.body);
    let before = app.store.tree_size();
    let p = send(
        &app,
        form(
            &format!("/recordings/{rec}/play"),
            &cookie,
            &format!("csrf={csrf}&purpose={}", urlencode("核对现场检查")),
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert!(app.store.tree_size() > before, "the view is logged before the player is shown");
    let src = p
        .body
        .split("<video controls preload=\"metadata\" src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&#61;", "=")
        .replace("&amp;", "&");
    let req = Request::get(&src)
        .header(header::COOKIE, &cookie)
        .header(header::RANGE, "bytes=100-199")
        .body(Body::empty())
        .unwrap();
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT, "{src}");
    // A play without the form's token: refused, nothing logged.
    let before = app.store.tree_size();
    let p = send(&app, form(&format!("/recordings/{rec}/play"), &cookie, "csrf=wrong&purpose=x")).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.tree_size(), before);

    // Linked to the on-site record through the form; the case page shows it under that record.
    let f = send(&app, get(&format!("/recordings/{rec}/link?case={id}"), &cookie)).await;
    assert_eq!(f.status, StatusCode::OK, "{}", f.body);
    assert!(f.body.contains("value=\"act/0\""), "{}", f.body);
    let body = format!("csrf={csrf}&records=act%2F0&activity_ended_at=2026-11-24T16%3A30");
    let p = send(&app, form(&format!("/recordings/{rec}/link?case={id}"), &cookie, &body)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let case = send(&app, get(&format!("/cases/{id}"), &cookie)).await;
    assert!(case.body.contains("id=\"av\"") && case.body.contains(&format!("/recordings/{rec}")), "{}", case.body);
    // An interruption through its form, signed by one officer: shown as not explained.
    let one = &officers[0];
    let body = format!(
        "csrf={csrf}&from=2026-11-24T16%3A05&to=2026-11-24T16%3A06&cause={}&written={}&signed_by={one}",
        urlencode("人为阻挠"),
        urlencode("当事人遮挡镜头")
    );
    let p = send(&app, form(&format!("/recordings/{rec}/do/interruption"), &cookie, &body)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = send(&app, get(&format!("/recordings/{rec}"), &cookie)).await;
    assert!(page.body.contains("人为阻挠") && page.body.contains("未说明（R-143）"), "{}", page.body);
    // A bad one (ends before it starts) is refused on its form, nothing recorded.
    let before = app.store.tree_size();
    let body = format!("csrf={csrf}&from=2026-11-24T16%3A06&to=2026-11-24T16%3A05&cause=x");
    let p = send(&app, form(&format!("/recordings/{rec}/do/interruption"), &cookie, &body)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.store.tree_size(), before);
    // This file is no real video: its clip is refused on the form with ffmpeg's reason.
    assert!(page.body.contains(&format!("/recordings/{rec}/do/clip")));
    let p = send(
        &app,
        form(
            &format!("/recordings/{rec}/do/clip"),
            &cookie,
            &format!("csrf={csrf}&from=1&to=2&reason={}", urlencode("举证")),
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("无法剪辑"), "{}", p.body);
    assert_eq!(app.store.tree_size(), before);
}

#[tokio::test]
async fn every_page_sends_an_unsigned_visitor_to_sign_in() {
    let app = spawn_app(LogAccess::Public).await;
    let pages: Vec<(String, String)> = crate::helpers::route_table()
        .into_iter()
        // The 行政执法公示 pages are for everyone (`publication.rs` tests them without a session).
        .filter(|(_, p)| {
            !p.starts_with("/api/")
                && !p.starts_with("/log/")
                && !p.starts_with("/static/")
                && !p.starts_with("/public/")
                && p != "/login"
        })
        .collect();
    assert!(pages.len() >= 20, "{pages:?}");
    for (method, path) in pages {
        // Parameters that name a kind of page get one that exists; ids get one that does not.
        let value = |s: &str| {
            match s {
                "{step}" => "decide",
                "{command}" => "check",
                "{kind}" => "act",
                "{n}" | "{index}" => "0",
                "{which}" => "officer",
                s if s.starts_with('{') => "x",
                s => s,
            }
            .to_string()
        };
        let concrete = path.split('/').map(value).collect::<Vec<_>>().join("/");
        let req = match method.as_str() {
            "get" => get(&concrete, ""),
            _ => form(&concrete, "", "csrf=x"),
        };
        let p = send(&app, req).await;
        assert!(
            p.status == StatusCode::SEE_OTHER && p.location == "/login",
            "{method} {path}: {} {}",
            p.status,
            p.location
        );
    }
}

#[tokio::test]
async fn a_document_is_filled_signed_on_the_pad_finalised_and_issued_through_pages() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let admin = app.login_admin().await;
    let at = liuhen_server::app::auth::now_ms() - 3_600_000;
    let id = app.open_inspection(&head, "栗街检〔2026〕77号").await;
    record_on_site(&app, &head, &id, at).await;
    let officers: Vec<String> = app
        .get("/api/officers", Some(&head))
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    for (user, officer) in [("wang", &officers[0]), ("li", &officers[1])] {
        let body = serde_json::json!({"username": user, "roles": "officer", "password": "initial-pass-1", "officer_id": officer});
        assert_eq!(app.post_as("/api/users", &admin, &body).await.status, StatusCode::CREATED);
        app.approve_all_grants().await;
        let t = app.login_as(user, "initial-pass-1").await;
        app.change_password(&t, "initial-pass-1", "changed-pass-2").await;
    }
    let profile = serde_json::json!({"name": "迁西县栗乡街道办事处", "uscc": "11130227MB0000000J", "has_enforcement_power": false,
        "seals": [{"kind": "行政执法专用章", "valid_from": "2026-01-01", "valid_to": "2030-12-31"}]});
    assert_eq!(app.put_as("/api/agency", &head, &profile).await.status, StatusCode::OK);
    // The officer drafts, finalises and serves; the 负责人 issues (办法第十五条).
    let cookie = sign_in_as(&app, "wang", "changed-pass-2").await;
    let page = send(&app, get(&format!("/cases/{id}"), &cookie)).await;
    assert!(page.body.contains(&format!("/cases/{id}/documents/new")), "{}", page.body);
    let page = send(&app, get(&format!("/cases/{id}/documents/new"), &cookie)).await;
    assert!(page.body.contains("现场检查（勘验）笔录") && page.body.contains("行政检查结果告知书"), "{}", page.body);
    assert!(!page.body.contains("行政处罚决定书"), "a form of another kind of case is not offered");
    let page = send(&app, get(&format!("/cases/{id}/documents/new?code=D12"), &cookie)).await;
    let csrf = hidden_csrf(&page.body);
    let post = |cookie: &str, path: &str, pairs: &[(&str, &str)]| {
        let mut body = format!("csrf={csrf}");
        for (k, v) in pairs {
            body.push_str(&format!("&{k}={}", urlencode(v)));
        }
        form(path, cookie, &body)
    };
    let hostile = "<script>alert(1)</script>";
    let fields = [
        ("code", "D12"),
        ("f.at", "2026-11-27 09:00"),
        ("f.place", "幸福路 8 号"),
        ("f.officers", "王明 13020001、李华 13020002"),
        ("f.party", "张某某"),
        ("f.notice", "已出示执法证件"),
        ("f.findings", hostile),
    ];
    let p = send(&app, post(&cookie, &format!("/cases/{id}/documents/new"), &fields)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let doc_path = p.location.clone();
    let page = send(&app, get(&doc_path, &cookie)).await;
    assert!(page.body.contains("定稿前尚缺") && page.body.contains("&#60;script&#62;"), "{}", page.body);
    assert!(!page.body.contains(hostile));
    let hash = page.body.split("id=\"content-hash\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    // Not yet: signatures are missing.
    let p = send(&app, post(&cookie, &format!("{doc_path}/do/finalise"), &[])).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("R-021") && p.body.contains("当事人签名"), "{}", p.body);
    // The party signs on the pad; a witness too; each officer through their own session.
    let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    for (role, name) in [("party", "张某某"), ("witness", "赵某")] {
        let p = send(
            &app,
            post(
                &cookie,
                &format!("{doc_path}/do/sign"),
                &[("role", role), ("name", name), ("method", "pad"), ("image", png), ("content_hash", &hash)],
            ),
        )
        .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    }
    for user in ["wang", "li"] {
        let c = sign_in_as(&app, user, "changed-pass-2").await;
        let page = send(&app, get(&doc_path, &c)).await;
        let mine = hidden_csrf(&page.body);
        // An officer signs with their own account and password (their SM2 key signs too).
        let body = format!("csrf={mine}&role=officer&method=pad&image={}&content_hash={hash}", urlencode(png));
        let p = send(&app, form(&format!("{doc_path}/do/sign"), &c, &body)).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{user} without a password: {}", p.body);
        assert!(p.body.contains("签名须输入本人的登录密码"), "{}", p.body);
        let body = format!("{body}&password=changed-pass-2");
        let p = send(&app, form(&format!("{doc_path}/do/sign"), &c, &body)).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{user}: {}", p.body);
    }
    let p = send(&app, post(&cookie, &format!("{doc_path}/do/finalise"), &[])).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = send(&app, get(&doc_path, &cookie)).await;
    assert!(
        page.body.contains("已定稿") && page.body.contains("PDF SHA-256") && page.body.contains("制作更正版本"),
        "{}",
        page.body
    );
    let pdf = app.router.clone().oneshot(get(&format!("{doc_path}/pdf"), &cookie)).await.unwrap();
    assert_eq!(pdf.headers()[header::CONTENT_TYPE], "application/pdf");
    let bytes = axum::body::to_bytes(pdf.into_body(), 8 << 20).await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // A notice to the party: finalised, then issued under the seal with its 文号.
    let p = send(
        &app,
        post(
            &cookie,
            &format!("/cases/{id}/documents/new"),
            &[
                ("code", "D52"),
                ("f.party", "张某某"),
                ("f.findings", "消防通道畅通"),
                ("f.measures", "无需整改"),
                ("f.rights", "如有异议可申请复查"),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let notice = p.location.clone();
    assert_eq!(send(&app, post(&cookie, &format!("{notice}/do/finalise"), &[])).await.status, StatusCode::SEE_OTHER);
    let p = send(&app, post(&cookie, &format!("{notice}/do/issue"), &[("doc_no", "栗街检告〔2026〕1号")])).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "an officer does not issue under the seal: {}", p.body);
    assert!(p.body.contains("须由负责人签发"), "{}", p.body);
    let head_cookie = sign_in(&app).await;
    let head_csrf = hidden_csrf(&send(&app, get(&notice, &head_cookie)).await.body);
    let body = format!("csrf={head_csrf}&doc_no={}", urlencode("栗街检告〔2026〕1号"));
    let p = send(&app, form(&format!("{notice}/do/issue"), &head_cookie, &body)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = send(&app, get(&notice, &cookie)).await;
    assert!(
        page.body.contains("已签发") && page.body.contains("栗街检告〔2026〕1号") && page.body.contains("下载电子签章"),
        "{}",
        page.body
    );
    let seal = send(&app, get(&format!("{notice}/seal"), &cookie)).await;
    assert_eq!(seal.status, StatusCode::OK);
    // Served next: the 送达回证 starts from the issued document, its 文号 and its party.
    let serve =
        page.body.split("id=\"serve\" href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let form_page = send(&app, get(&serve, &cookie)).await;
    assert!(
        form_page.body.contains("行政检查结果告知书（栗街检告〔2026〕1号）")
            && form_page.body.contains("value=\"张某某\""),
        "{}",
        form_page.body
    );
    // A 送达回证 by post keeps the scanned return receipt (办法第十七条), attached through its form.
    let p = send(
        &app,
        post(
            &cookie,
            &format!("/cases/{id}/documents/new"),
            &[
                ("code", "D41"),
                ("f.document", "行政检查结果告知书"),
                ("f.recipient", "张某某"),
                ("f.served_at", "2026-11-27 10:00"),
                ("f.place", "邮寄"),
                ("f.method", "邮寄送达"),
                ("f.postal_receipt", "EMS 1234567890"),
            ],
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let receipt = p.location.clone();
    let page = send(&app, get(&receipt, &cookie)).await;
    assert!(page.body.contains("须附邮寄回执单") && page.body.contains("data-into=\"attach-file\""), "{}", page.body);
    let p = send(
        &app,
        post(
            &cookie,
            &format!("{receipt}/do/attach"),
            &[("key", "postal_receipt"), ("file", "data:application/pdf;base64,JVBERi0xLjQgcmVjZWlwdA==")],
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = send(&app, get(&receipt, &cookie)).await;
    assert!(page.body.contains("id=\"attachments\"") && !page.body.contains("须附邮寄回执单"), "{}", page.body);
}

/// 行政执法公示 from the case page (R-170): the 负责人 sees where it stands and publishes the
/// decision, then withdraws it with a reason; an officer sees the state but no button.
#[tokio::test]
async fn the_head_publishes_and_withdraws_a_decision_from_the_case_page() {
    let mut cal = liuhen_core::calendar::WorkCalendar::china();
    cal.merge(liuhen_core::calendar::WorkCalendar::parse("year 2027\noff 2027-01-01 元旦").unwrap());
    let app = super::helpers::spawn_app_with_calendar(LogAccess::Public, cal).await;
    let head = app.login().await;
    let body = serde_json::json!({"name": "王明", "cert_no": "13020001", "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"});
    let a = app.post_as("/api/officers", &head, &body).await.json()["id"].as_str().unwrap().to_string();
    let staff = app.staff(&a, "").await;
    let now = super::helpers::CLOCK_MS;
    let applicant = serde_json::json!({"kind": "natural_person", "name": "张三丰", "id_type": "居民身份证",
        "id_number": "130227198005120033", "address": "迁西县栗乡街道幸福路 8 号", "phone": "13800000000"});
    let licence = serde_json::json!({"case_no": "栗街许〔2027〕3号", "matter": "临时占用道路审批",
        "received_at": now - 48 * 3_600_000, "materials": ["申请书"], "receipt_issued": true, "applicant": applicant});
    let id =
        app.post_as("/api/cases/licences", &staff.handler, &licence).await.json()["id"].as_str().unwrap().to_string();
    let cmd = |v: u64, c: serde_json::Value| serde_json::json!({"expected_version": v, "command": c});
    let accept = cmd(1, serde_json::json!({"type": "accept", "at": now - 24 * 3_600_000, "voucher_sealed": true}));
    assert_eq!(app.post_as(&format!("/api/cases/{id}/commands"), &staff.handler, &accept).await.status, StatusCode::OK);
    let decide = cmd(
        2,
        serde_json::json!({"type": "decide", "granted": true, "sealed": true, "relief_told": true,
                           "password": HEAD_PASSWORD}),
    );
    assert_eq!(app.post_as(&format!("/api/cases/{id}/commands"), &head, &decide).await.status, StatusCode::OK);
    // The officer sees that it waits, with no button.
    let officer = sign_in_as(&app, "chengban", "changed-pass-2").await;
    let page = send(&app, get(&format!("/cases/{id}"), &officer)).await;
    assert!(page.body.contains("未公示（作出决定之日起7个工作日内公示"), "{}", page.body);
    assert!(!page.body.contains("id=\"publish\""));
    let cookie = sign_in(&app).await;
    let page = send(&app, get(&format!("/cases/{id}"), &cookie)).await;
    assert!(page.body.contains("id=\"publish\""), "{}", page.body);
    // The 负责人 checks word for word what the public page will show: the person by surname.
    let preview = page.body.split("id=\"publication-preview\"").nth(1).unwrap_or_default();
    let preview = preview.split("</dl>").next().unwrap_or_default();
    assert!(preview.contains("张某某") && preview.contains("准予行政许可"), "{preview}");
    assert!(!preview.contains("张三丰") && !preview.contains("13800000000"), "{preview}");
    let csrf = hidden_csrf(&page.body);
    let p =
        send(&app, form(&format!("/cases/{id}/publication"), &cookie, &format!("csrf={csrf}&action=publish"))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = send(&app, get(&format!("/cases/{id}"), &cookie)).await;
    assert!(page.body.contains("已公示（") && page.body.contains("id=\"withdraw\""), "{}", page.body);
    let public = send(&app, get("/public/decisions", "")).await;
    assert!(public.body.contains("栗街许〔2027〕3号") && !public.body.contains("张三丰"), "{}", public.body);
    // A withdrawal without its reason is refused and shown; with it, the page says so.
    let p =
        send(&app, form(&format!("/cases/{id}/publication"), &cookie, &format!("csrf={csrf}&action=withdraw&reason=")))
            .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert!(p.body.contains("撤回公示须说明理由"), "{}", p.body);
    let reason = urlencode("该许可决定已依法撤销");
    let p = send(
        &app,
        form(&format!("/cases/{id}/publication"), &cookie, &format!("csrf={csrf}&action=withdraw&reason={reason}")),
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = send(&app, get(&format!("/cases/{id}"), &cookie)).await;
    assert!(page.body.contains("已撤回（") && page.body.contains("该许可决定已依法撤销"), "{}", page.body);
}

/// R-171: the 负责人 reads the year's figures and publishes them from the 统计数据 page; the
/// 工作台 shows the deadline until then, linking to it.
#[tokio::test]
async fn the_head_publishes_the_years_figures_from_the_statistics_page() {
    let app = spawn_app(LogAccess::Public).await;
    let cookie = sign_in(&app).await;
    let home = send(&app, get("/", &cookie)).await;
    assert!(home.body.contains("T-STAT") && home.body.contains("href=\"/statistics\""), "{}", home.body);
    let page = send(&app, get("/statistics?year=2026", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("2026 年度：尚未公开（期限 2027-01-31）"), "{}", page.body);
    assert!(page.body.contains("罚没金额（元）") && page.body.contains("id=\"publish-statistics\""), "{}", page.body);
    let csrf = hidden_csrf(&page.body);
    let p = send(&app, form("/statistics", &cookie, &format!("csrf={csrf}&year=2026"))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let page = send(&app, get("/statistics?year=2026", &cookie)).await;
    assert!(page.body.contains("2026 年度：已于") && !page.body.contains("id=\"publish-statistics\""), "{}", page.body);
    let home = send(&app, get("/", &cookie)).await;
    assert!(!home.body.contains("T-STAT"), "published: no longer due");
}

/// 归档 through the pages: the archivist's list of files handed over, a file's page with what it
/// holds, filing it under its 档号; the list is not an officer's.
#[tokio::test]
async fn the_archivist_files_a_handed_over_case_through_the_pages() {
    let app = spawn_app(LogAccess::Public).await;
    assert!(app.seed_demo_sealed().await);
    let admin = app.login_admin().await;
    app.account(&admin, "dangan2", "archivist").await;
    app.account(&admin, "zhifa2", "officer").await;
    let cookie = sign_in_as(&app, "dangan2", "changed-pass-2").await;
    let page = send(&app, get("/archive", &cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("/archive\">案卷归档</a>") || page.body.contains("案卷归档"), "{}", page.body);
    // The demo's second closed inspection waits, handed over by 李华.
    let href = page.body.split("href=\"/cases/").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    let file = format!("/cases/{href}");
    assert!(file.ends_with("/archive"), "{file}");
    let shown = send(&app, get(&file, &cookie)).await;
    assert!(
        shown.body.contains("已移交，待档案管理员归档") && shown.body.contains("行政检查结果告知书"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("id=\"file-case\"") && shown.body.contains("定期10年"), "{}", shown.body);
    let body = format!("csrf={}&action=file&retention=D30", hidden_csrf(&shown.body));
    let done = send(&app, form(&file, &cookie, &body)).await;
    assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, file.as_str()), "{}", done.body);
    let shown = send(&app, get(&file, &cookie)).await;
    assert!(shown.body.contains("id=\"archive-no\"") && shown.body.contains("-D30-0001"), "{}", shown.body);
    assert!(shown.body.contains("定期30年") && shown.body.contains("备考表"), "{}", shown.body);
    let filed = send(&app, get("/archive?state=filed", &cookie)).await;
    assert_eq!(filed.body.matches("/archive\">栗街检").count(), 2, "{}", filed.body);
    // 四性检测: the latest report of the file's package is shown item by item, a failure marked.
    let case_id = href.trim_end_matches("/archive").to_string();
    let user = liuhen_store::ProjectionReads::user_by_username(&app.store, "dangan2").await.unwrap();
    let items = serde_json::json!([
        {"code": "ZS-1", "property": "真实性", "name": "固化信息", "result": "pass", "detail": ""},
        {"code": "AQ-2", "property": "安全性", "name": "病毒检测（ClamAV）", "result": "not-run", "detail": "未安装 ClamAV"}]);
    app.console().record_file_check(&user, &case_id, "export", items).await.unwrap();
    let shown = send(&app, get(&file, &cookie)).await;
    assert!(
        shown.body.contains("id=\"four-properties\"") && shown.body.contains("导出归档信息包时：通过"),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains("<td>AQ-2</td><td>安全性</td><td>病毒检测（ClamAV）</td><td>未检测</td>"),
        "{}",
        shown.body
    );
    // 保管期限: the office's table, and the files running out within the days asked — the two
    // demo files, kept ten and thirty years from the new year after their year.
    let page = send(&app, get("/archive/retention", &cookie)).await;
    assert!(
        page.body.contains("<td>行政处罚（普通程序）</td><td>永久</td>") && page.body.contains("retention-empty"),
        "{}",
        page.body
    );
    let page = send(&app, get("/archive/retention?days=20000", &cookie)).await;
    assert_eq!(page.body.matches("/archive\">栗街检").count(), 2, "{}", page.body);
    assert!(page.body.contains("-12-31</td>") && page.body.contains("未届满"), "{}", page.body);
    // 完整性巡检: none yet since the start; the archivist runs one; all agree.
    let page = send(&app, get("/archive/fixity", &cookie)).await;
    assert!(page.body.contains("fixity-none") && page.body.contains("id=\"run-fixity\""), "{}", page.body);
    let body = format!("csrf={}", hidden_csrf(&page.body));
    let ran = send(&app, form("/archive/fixity", &cookie, &body)).await;
    assert_eq!((ran.status, ran.location.as_str()), (StatusCode::SEE_OTHER, "/archive/fixity"), "{}", ran.body);
    let page = send(&app, get("/archive/fixity", &cookie)).await;
    assert!(page.body.contains("<dd id=\"fixity-result\">全部一致</dd>"), "{}", page.body);
    // 销毁审批: a recording of no case, six months on, asked for on the page with a reason; a
    // 负责人 sees it waiting, nothing holding it, and approves it there.
    let head = app.login().await;
    let loose = crate::av::upload(&app, &head, "loose.mp4", crate::cases::T0, crate::cases::T0 + 60_000, "", "").await;
    let stored = liuhen_store::ProjectionReads::recording(&app.store, &loose).await.unwrap();
    app.clock.set(stored.created_at_ms + 184 * 24 * 3_600_000);
    let page = send(&app, get("/archive/disposals", &cookie)).await;
    assert!(page.body.contains("disposals-empty") && page.body.contains("id=\"request-disposal\""), "{}", page.body);
    let body = format!(
        "csrf={}&step=request&recording={loose}&reason=%E6%9C%AA%E5%85%B3%E8%81%94%E6%A1%88%E4%BB%B6%E4%B8%94%E5%B7%B2%E6%BB%A1%E5%85%AD%E4%B8%AA%E6%9C%88",
        hidden_csrf(&page.body)
    );
    let asked = send(&app, form("/archive/disposals", &cookie, &body)).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let approver = sign_in_as(&app, HEAD, HEAD_PASSWORD).await;
    let page = send(&app, get("/archive/disposals", &approver)).await;
    assert!(
        page.body.contains("未关联案件且已满六个月") && page.body.contains("class=\"approve-disposal\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("id=\"request-disposal\""), "the 负责人 does not ask: {}", page.body);
    let body = format!("csrf={}&step=approve&recording={loose}", hidden_csrf(&page.body));
    assert_eq!(send(&app, form("/archive/disposals", &approver, &body)).await.status, StatusCode::SEE_OTHER);
    let page = send(&app, get("/archive/disposals", &approver)).await;
    assert!(page.body.contains(crate::helpers::HEAD_NAME), "one approval of two: {}", page.body);
    // A legal hold on the filed file, placed by the 负责人 on its page (the archivist has no
    // such form), shown with its reason.
    assert!(!send(&app, get(&file, &cookie)).await.body.contains("id=\"hold-form\""));
    let page = send(&app, get(&file, &approver)).await;
    assert!(page.body.contains("id=\"hold-form\""), "{}", page.body);
    let reason = "%E5%BD%93%E4%BA%8B%E4%BA%BA%E6%8F%90%E8%B5%B7%E8%A1%8C%E6%94%BF%E8%AF%89%E8%AE%BC"; // 当事人提起行政诉讼
    let body = format!("csrf={}&action=hold&reason={reason}", hidden_csrf(&page.body));
    assert_eq!(send(&app, form(&file, &approver, &body)).await.status, StatusCode::SEE_OTHER);
    let page = send(&app, get(&file, &cookie)).await;
    assert!(page.body.contains("已依法保全</strong>：当事人提起行政诉讼"), "{}", page.body);
    // An officer has no archive list; the page says so, in Chinese.
    let officer = sign_in_as(&app, "zhifa2", "changed-pass-2").await;
    for path in ["/archive", "/archive/retention", "/archive/disposals", "/archive/fixity"] {
        let page = send(&app, get(path, &officer)).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}: {}", page.body);
    }
}
