//! The browser-facing hardening every response and request goes through: security headers
//! (a CSP without inline script, no framing, no sniffing, no referrer), the CSRF check of
//! cookie-authenticated API calls, body limits that answer 413 naming the limit, and the
//! `Secure` flag of cookies when served over TLS.

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, Request, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

/// The Content-Security-Policy of every page: scripts only from this server (no inline script),
/// no plugins, no framing by anyone. Inline `style` attributes stay allowed (the party's
/// material carries its watermark as one).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The header an API call authenticated by the session cookie must carry: the session's CSRF
/// token (the same the pages put in their forms).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Adds the security headers a response does not set itself.
pub async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
    ] {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    resp
}

/// Marks every cookie the response sets `Secure`, and tells browsers to come back over HTTPS
/// only (HSTS, a year): the server is reached over TLS, its own or a TLS-terminating proxy's.
pub async fn secure_cookies(mut resp: Response) -> Response {
    resp.headers_mut().entry(header::STRICT_TRANSPORT_SECURITY).or_insert(HeaderValue::from_static("max-age=31536000"));
    let cookies: Vec<HeaderValue> = resp.headers_mut().get_all(header::SET_COOKIE).iter().cloned().collect();
    if cookies.is_empty() {
        return resp;
    }
    resp.headers_mut().remove(header::SET_COOKIE);
    for c in cookies {
        let text = c.to_str().unwrap_or_default();
        let value = if text.contains("; Secure") { text.to_string() } else { format!("{text}; Secure") };
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The CSRF token of a session: bound to it, useless without it.
pub fn csrf_for(session_token: &str) -> String {
    let h = liuhen_log::Hash::digest(format!("liuhen-csrf:{session_token}").as_bytes()).to_hex();
    h[..32].to_string()
}

/// Compares two tokens without stopping at the first difference.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An API call that changes state and is authenticated by the session cookie (not a bearer
/// token) must carry the session's CSRF token in `X-CSRF-Token`: a page of another site can
/// make the browser send the cookie, never the header. Sign-in itself has no session yet.
pub async fn csrf_guard(req: Request<Body>, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let api = req.uri().path().starts_with("/api/") && req.uri().path() != "/api/session";
    // Only a request that authenticates with a bearer token (which a browser never adds on
    // its own) is exempt — not any request that carries some Authorization header.
    let bearer = (req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()))
        .is_some_and(|v| v.starts_with("Bearer "));
    if safe || !api || bearer {
        return next.run(req).await;
    }
    if let Some(session) = cookie(req.headers(), SESSION_COOKIE) {
        let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !same(&csrf_for(&session), sent) {
            return crate::error::ApiError(crate::error::AppError::Csrf).into_response();
        }
    }
    next.run(req).await
}

/// Refuses a body whose declared length is over `limit` bytes with 413, naming the limit,
/// before reading any of it (a body without a declared length meets the extractor's limit,
/// also answered 413).
pub async fn body_limit(limit: u64, req: Request<Body>, next: Next) -> Response {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return crate::error::ApiError(crate::error::AppError::TooLarge(Some(limit))).into_response();
    }
    if declared.is_some() {
        return next.run(req).await;
    }
    // No declared length (chunked): read up to the limit here, so the answer can name it.
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, limit as usize).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(_) => crate::error::ApiError(crate::error::AppError::TooLarge(Some(limit))).into_response(),
    }
}

/// The header that carries the log's signed receipt (base64 of its JSON line) for each entry
/// appended while answering the request: what a client keeps to show later that an
/// acknowledged entry was lost (`liuhen verify --data DIR --receipts FILE`).
pub const RECEIPT_HEADER: &str = "liuhen-receipt";

/// The header naming the index of each log entry a request appended (in order).
pub const ENTRY_HEADER: &str = "liuhen-entry";

/// Collects the indexes and receipts of the entries a request appended into its response's
/// headers.
pub async fn receipts(req: Request<Body>, next: Next) -> Response {
    let collected = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let entries = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let run = crate::app::RECEIPTS.scope(collected.clone(), next.run(req));
    let mut resp = crate::app::ENTRIES.scope(entries.clone(), run).await;
    for index in std::mem::take(&mut *entries.lock().unwrap_or_else(|e| e.into_inner())) {
        resp.headers_mut().append(ENTRY_HEADER, HeaderValue::from(index));
    }
    let lines = std::mem::take(&mut *collected.lock().unwrap_or_else(|e| e.into_inner()));
    for line in lines {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(line);
        if let Ok(v) = HeaderValue::from_str(&encoded) {
            resp.headers_mut().append(RECEIPT_HEADER, v);
        }
    }
    resp
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "liuhen_session";

/// The bearer token or session cookie of a request, if any.
pub fn request_token(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(t) = v.strip_prefix("Bearer ")
    {
        return Some(t.trim().to_string());
    }
    cookie(headers, SESSION_COOKIE)
}

/// The value of the request's cookie `name`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The client's address: the TCP peer's, or — when the peer is the trusted reverse proxy —
/// the last address its `X-Forwarded-For` appended.
pub fn client_ip<S>(app: &crate::app::App<S>, ext: &axum::http::Extensions, headers: &HeaderMap) -> Option<IpAddr> {
    let peer = ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?.0.ip();
    Some(client_of(peer, app.trusted_proxy, headers))
}

/// The client behind `peer`: `peer` itself unless it is the trusted proxy, whose own
/// (last) `X-Forwarded-For` address is taken — earlier ones the client could have forged.
fn client_of(peer: IpAddr, trusted_proxy: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
    if trusted_proxy != Some(peer) {
        return peer;
    }
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).next_back();
    forwarded.and_then(|v| v.rsplit(',').next()).and_then(|a| a.trim().parse().ok()).unwrap_or(peer)
}

/// The answer carrying a document's PDF (inline, never cached), in the API and on the pages.
pub fn pdf_response(id: &str, bytes: Vec<u8>) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_string()),
        (header::CONTENT_DISPOSITION, format!("inline; filename=\"{id}.pdf\"")),
        (header::CACHE_CONTROL, "no-store".to_string()),
    ];
    (headers, bytes).into_response()
}

/// The answer carrying a document's seal (DER) as a download.
pub fn seal_response(id: &str, bytes: Vec<u8>) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "application/octet-stream".to_string()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{id}.ses.der\"")),
    ];
    (headers, bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_the_trusted_proxy() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("10.9.9.9, 203.0.113.7"));
        let (proxy, other): (IpAddr, IpAddr) = ("127.0.0.1".parse().unwrap(), "198.51.100.2".parse().unwrap());
        assert_eq!(client_of(proxy, Some(proxy), &h), "203.0.113.7".parse::<IpAddr>().unwrap());
        // Not from the proxy, or no proxy configured: the header is the client's word, ignored.
        assert_eq!(client_of(other, Some(proxy), &h), other);
        assert_eq!(client_of(proxy, None, &h), proxy);
        h.insert("x-forwarded-for", HeaderValue::from_static("not an address"));
        assert_eq!(client_of(proxy, Some(proxy), &h), proxy);
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64_network() {
        use crate::app::auth::source_key;
        let a = source_key("2001:db8:1:2:aaaa::1".parse().unwrap());
        assert_eq!(a, source_key("2001:db8:1:2:ffff::9".parse().unwrap()));
        assert_ne!(a, source_key("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(source_key("::ffff:203.0.113.7".parse().unwrap()), "203.0.113.7");
    }
}
