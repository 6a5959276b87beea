//! The browser-facing hardening: security headers on every response, the CSRF token on every
//! cookie-authenticated change of the API, and 413 naming the limit.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use liuhen_server::LogAccess;
use liuhen_store::Log as _;
use tower::ServiceExt;

async fn headers_of(app: &TestApp, path: &str) -> axum::http::HeaderMap {
    let resp = app.router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    resp.headers().clone()
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_no_page_runs_inline_script() {
    let app = spawn_app(LogAccess::Public).await;
    for path in
        ["/", "/login", "/api/openapi.json", "/api/docs", "/log/checkpoint", "/api/no-such-thing", "/static/app.css"]
    {
        let h = headers_of(&app, path).await;
        let csp = h.get("content-security-policy").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let script = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap_or_default();
        assert_eq!(script, "script-src 'self'", "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{path}: {csp}");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer", "{path}");
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY", "{path}");
    }
    // The reference page loads its script from the server.
    let page = String::from_utf8(app.get("/api/docs", None).await.body).unwrap();
    assert!(page.contains("<script src=\"/api/docs.js\"></script>") && !page.contains("<script>"), "{page}");
    assert!(String::from_utf8(app.get("/api/docs.js", None).await.body).unwrap().contains("openapi.json"));
    // Cookies are not marked Secure on plain HTTP…
    let sign_in = serde_json::json!({"username": HEAD, "password": HEAD_PASSWORD}).to_string();
    let req =
        Request::post("/api/session").header("content-type", "application/json").body(Body::from(sign_in.clone()));
    let resp = app.router.clone().oneshot(req.unwrap()).await.unwrap();
    assert!(!resp.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Secure"));
    assert!(resp.headers().get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    // …and are behind TLS (`serve --tls-cert`, or `--behind-tls-proxy`).
    let secure = app.router_with(|s| s.secure_cookies = true);
    let req = Request::post("/api/session").header("content-type", "application/json").body(Body::from(sign_in));
    let resp = secure.oneshot(req.unwrap()).await.unwrap();
    let cookie = resp.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.ends_with("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    assert_eq!(resp.headers().get("strict-transport-security").unwrap(), "max-age=31536000");
}

#[tokio::test]
async fn a_cookie_authenticated_change_of_the_api_needs_the_sessions_csrf_token() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let officer = |n: u32| {
        serde_json::json!({"name": "王明", "cert_no": format!("1302000{n}"), "cert_valid_from": "2024-01-01",
                           "cert_valid_to": "2028-12-31"})
        .to_string()
    };
    let with_cookie = |body: String, csrf: Option<&str>| {
        let mut b = Request::post("/api/officers")
            .header("content-type", "application/json")
            .header("cookie", format!("liuhen_session={token}"));
        if let Some(c) = csrf {
            b = b.header("x-csrf-token", c);
        }
        b.body(Body::from(body)).unwrap()
    };
    let before = app.store.tree_size();
    for csrf in [None, Some("0123456789abcdef0123456789abcdef"), Some("")] {
        let r = app.request(with_cookie(officer(1), csrf)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{csrf:?}");
        assert_eq!(r.json()["error"]["code"], "CSRF");
    }
    // Another kind of Authorization header is no bearer token: still the cookie, still refused.
    let mut req = with_cookie(officer(4), None);
    req.headers_mut().insert("authorization", "Basic Zm9vOmJhcg==".parse().unwrap());
    assert_eq!(app.request(req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.tree_size(), before, "nothing recorded");
    let right = liuhen_server::web::csrf_for(&token);
    assert_eq!(app.request(with_cookie(officer(2), Some(&right))).await.status, StatusCode::CREATED);
    // Reading needs no token; a bearer token is not sent by a browser on its own, so it is exempt.
    let read = Request::get("/api/officers").header("cookie", format!("liuhen_session={token}"));
    assert_eq!(app.request(read.body(Body::empty()).unwrap()).await.status, StatusCode::OK);
    let r = app.post_as("/api/officers", &token, &serde_json::from_str(&officer(3)).unwrap()).await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_naming_the_limit_and_nothing_is_recorded() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let before = app.store.tree_size();
    for (path, size, limit) in [
        ("/api/officers", 100_000usize, "64 KiB"),
        ("/api/cases/x/documents", 5 << 20, "4 MiB"),
        ("/login", 20_000, "16 KiB"),
    ] {
        // Declared up front, and streamed without a length: both refused, both naming the limit.
        for declared in [true, false] {
            let body = "x".repeat(size);
            let mut b = Request::post(path)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"));
            let body = if declared {
                b = b.header("content-length", size);
                Body::from(body)
            } else {
                Body::from_stream(futures::stream::iter(
                    body.into_bytes()
                        .chunks(8192)
                        .map(|c| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(c)))
                        .collect::<Vec<_>>(),
                ))
            };
            let r = app.request(b.body(body).unwrap()).await;
            assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{path} declared={declared}");
            assert_eq!(r.json()["error"]["code"], "PAYLOAD_TOO_LARGE");
            assert!(r.json()["error"]["message"].as_str().unwrap().contains(limit), "{path}: {}", r.json());
        }
    }
    assert_eq!(app.store.tree_size(), before);
}
