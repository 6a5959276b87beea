//! The OpenAPI document covers every route of the router, and every documented operation is
//! served.

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use liuhen_server::LogAccess;
use serde_json::json;
use std::collections::BTreeSet;

/// `(method, path)` of every API and log route in `src/lib.rs`, read from the route table
/// itself (the HTML pages are not API: `ui.rs` tests them).
fn routes_in_source() -> BTreeSet<(String, String)> {
    crate::helpers::route_table()
        .into_iter()
        .map(|(m, p)| (m, p.replace("{*rest}", "{path}")))
        .filter(|(_, p)| p.starts_with("/api/") || p.starts_with("/log/"))
        .collect()
}

fn documented() -> BTreeSet<(String, String)> {
    let doc = liuhen_server::api::openapi::document();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.clone(), path.clone()));
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_nothing_else() {
    let routes = routes_in_source();
    assert!(routes.len() >= 14, "{routes:?}");
    assert_eq!(routes, documented());
}

#[tokio::test]
async fn every_documented_operation_is_served_and_the_reference_page_needs_no_cdn() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    for (method, path) in documented() {
        let concrete = path.replace("{id}", "no-such-case").replace("{path}", "0/000.p/1");
        let req = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(&concrete)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let r = app.request(req).await;
        assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        // The router's own 404 has no body; ours always says why.
        assert!(!(r.status == StatusCode::NOT_FOUND && r.body.is_empty()), "{method} {path} is not routed");
    }
    let doc = app.get("/api/openapi.json", None).await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let page = String::from_utf8(app.get("/api/docs", None).await.body).unwrap();
    assert!(page.contains("留痕 liuhen 接口参考"));
    assert!(!page.contains("http://") && !page.contains("https://"), "the page loads nothing from outside");
}

/// Every request body is described by a schema generated from the type the server parses it
/// into (or, for the few it reads as JSON, written out field by field), and every field of
/// every generated schema says what it is.
#[test]
fn every_request_body_has_a_schema_and_every_field_a_description() {
    let doc = liuhen_server::api::openapi::document();
    let generic = serde_json::json!({"type": "object"});
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            if !schema.is_null() {
                assert_ne!(schema, &generic, "{method} {path}: a body described as any object");
            }
        }
    }
    let generated = liuhen_server::api::openapi::generated();
    let schemas = &doc["components"]["schemas"];
    let mut undescribed = Vec::new();
    fn walk(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => {
                if let Some(props) = o.get("properties").and_then(|p| p.as_object()) {
                    for (k, p) in props {
                        if k != "type" && p.get("description").is_none() {
                            out.push(format!("{at}.{k}"));
                        }
                    }
                }
                for (k, x) in o {
                    walk(x, &format!("{at}/{k}"), out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, at, out)),
            _ => {}
        }
    }
    for name in generated.keys() {
        walk(&schemas[name], name, &mut undescribed);
    }
    assert!(undescribed.is_empty(), "fields without a description: {undescribed:?}");
    // A description that names values names only values the field takes (a glossary word shared
    // by fields of different enums once described one field's values on the other).
    let mut contradicted = Vec::new();
    fn names(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => {
                let values: Vec<&str> =
                    o.get("enum").and_then(|e| e.as_array()).into_iter().flatten().filter_map(|x| x.as_str()).collect();
                if let (false, Some(d)) = (values.is_empty(), o.get("description").and_then(|d| d.as_str())) {
                    let words = d.split(|c: char| !(c.is_ascii_lowercase() || c == '_')).filter(|w| w.len() >= 3);
                    for w in words.filter(|w| !values.contains(w)) {
                        out.push(format!("{at}: {w}"));
                    }
                }
                for (k, x) in o {
                    names(x, &format!("{at}/{k}"), out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| names(x, at, out)),
            _ => {}
        }
    }
    for name in generated.keys() {
        names(&schemas[name], name, &mut contradicted);
    }
    assert!(contradicted.is_empty(), "descriptions naming values their enum lacks: {contradicted:?}");
    // Each case type names the schema of its commands, each command told apart by `type`.
    for (case_type, name) in liuhen_server::api::openapi::COMMANDS {
        assert_eq!(schemas["Command"]["x-case-types"][case_type], format!("#/components/schemas/{name}"));
        let variants = schemas[name]["oneOf"].as_array().unwrap();
        assert!(variants.iter().all(|v| v["properties"]["type"]["const"].is_string()), "{name}");
        assert_eq!(schemas[name]["discriminator"]["propertyName"], "type");
    }
    // Rust's names never reach the description.
    let text = doc.to_string();
    for rust in ["Form\"", "Option<", "Vec<", "String\""] {
        assert!(!text.contains(rust), "{rust} in the description");
    }
}

/// The limit the description states for a text is the limit the server holds to: a body with
/// the text at its `maxLength` is not refused as malformed, one character more is (400, naming
/// the limit). Before, 中断原因 was described as 2000 characters and refused beyond 200, and a
/// clip's purpose as 1000 and refused beyond 500. (The app holds every request of this test to
/// the description both ways as well.)
#[tokio::test]
async fn a_texts_described_limit_is_the_servers() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let doc = app.get("/api/openapi.json", None).await.json();
    let limit = |schema: &str, pointer: &str| -> usize {
        doc["components"]["schemas"][schema]
            .pointer(pointer)
            .and_then(|p| p["maxLength"].as_u64())
            .unwrap_or_else(|| panic!("{schema}{pointer} states no maxLength")) as usize
    };
    let case = app.open_inspection(&token, "栗街检〔2026〕90号").await;
    let on_site = |place: String| {
        json!({"expected_version": 1, "command": {"type": "record_on_site", "act": {"at": 1_782_000_000_000_i64,
            "place": place, "recording_announced": true, "problems_found": false, "summary": "未发现问题",
            "officers": [{"officer_id": "no-such-officer", "id_shown_at": 1_782_000_000_000_i64}]}}})
    };
    // A recording of the user's own (a route names what exists before its body is read).
    let (rec, _) = crate::av::mp4_recording(&app, &token).await;
    let t0 = 1_795_138_200_000_i64;
    type MakeBody = Box<dyn Fn(String) -> serde_json::Value>;
    let cases: Vec<(&str, String, MakeBody, usize)> = vec![
        (
            "中断原因",
            format!("/api/recordings/{rec}/interruptions"),
            Box::new(move |s| json!({"from": t0 + 1000, "to": t0 + 2000, "cause": s})),
            limit("Interruption", "/properties/cause"),
        ),
        (
            "剪辑用途",
            format!("/api/recordings/{rec}/clips"),
            Box::new(|s| json!({"from_ms": 0, "to_ms": 1000, "reason": s})),
            limit("Clip", "/properties/reason"),
        ),
        ("检查地点", format!("/api/cases/{case}/commands"), Box::new(on_site), limit("Act", "/properties/place")),
    ];
    for (what, path, body, max) in cases {
        let at = app.post_as(&path, &token, &body("栗".repeat(max))).await;
        assert_ne!(
            at.status,
            StatusCode::BAD_REQUEST,
            "{what} at its limit {max}: {}",
            String::from_utf8_lossy(&at.body)
        );
        let over = app.post_as(&path, &token, &body("栗".repeat(max + 1))).await;
        assert_eq!(over.status, StatusCode::BAD_REQUEST, "{what} over its limit {max}");
        let said = over.json()["error"]["message"].as_str().unwrap_or_default().to_string();
        assert!(said.contains(&format!("不得超过 {max} 个字符")), "{what}: {said}");
    }
}
