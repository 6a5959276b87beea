//! The HTTP edge of liuhen and its application layer.
//!
//! [`router`] builds the axum router over an [`AppState`]; [`app`] holds the use cases, which
//! turn requests into log entries plus projection changes committed in one transaction.

#![forbid(unsafe_code)]
// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "512"]

pub mod api;
pub mod app;
pub mod datadir;
pub mod error;
pub mod ui;
pub mod web;

use app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, head, options, post};
use liuhen_store::LogStore;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;

pub use api::log::LogAccess;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState<S> {
    pub app: App<S>,
    pub log_access: LogAccess,
    pub verifier_keys: Arc<Vec<String>>,
    /// Served over TLS (`serve --tls-cert`, or behind a TLS-terminating proxy): cookies are
    /// marked `Secure`.
    pub secure_cookies: bool,
}

/// The largest body of an API call (JSON).
pub const API_BODY_LIMIT: u64 = 64 * 1024;
/// The largest body of a document's command or form: a signature image (≤ 2 MiB) in base64.
pub const DOCUMENT_BODY_LIMIT: u64 = 4 << 20;
/// The largest form a page posts.
pub const UI_BODY_LIMIT: u64 = 16 * 1024;

/// The whole HTTP interface.
pub fn router<S: LogStore>(state: AppState<S>) -> Router {
    let log = Router::new()
        .route("/log/checkpoint", get(api::log::checkpoint::<S>))
        .route("/log/key", get(api::log::key::<S>))
        .route("/log/tile/{*rest}", get(api::log::tile::<S>))
        .layer(CompressionLayer::new());
    let api = Router::new()
        .route("/api/session", post(api::session::login::<S>).delete(api::session::logout::<S>))
        .route("/api/me", get(api::session::me::<S>))
        .route("/api/me/password", post(api::session::change_password::<S>))
        .route("/api/me/totp", post(api::session::begin_totp::<S>))
        .route("/api/me/signing-key", post(api::session::renew_signing_key::<S>))
        .route("/api/signing-keys/{id}", get(api::session::signing_key::<S>))
        .route("/api/me/totp/confirm", post(api::session::confirm_totp::<S>))
        .route("/api/users", get(api::users::list_users::<S>).post(api::users::add_user::<S>))
        .route("/api/users/{id}/ledger", get(api::cases::user_ledger::<S>))
        .route("/api/users/{id}/grant", post(api::users::decide_grant::<S>))
        .route("/api/grants", get(api::users::pending_grants::<S>))
        .route("/api/integrity", get(api::users::integrity::<S>))
        .route("/api/fixity", get(api::users::fixity::<S>))
        .route("/api/officers", get(api::cases::list_officers::<S>).post(api::cases::register_officer::<S>))
        .route("/api/matters", get(api::cases::list_matters::<S>).post(api::cases::put_matter::<S>))
        .route("/api/agency", get(api::cases::get_agency::<S>).put(api::cases::put_agency::<S>))
        .route("/api/catalogues/{which}", get(api::cases::get_catalogue::<S>).put(api::cases::put_catalogue::<S>))
        .route("/api/cases", get(api::cases::list_cases::<S>))
        .route("/api/deadlines", get(api::cases::list_deadlines::<S>))
        .route("/api/inbox", get(api::users::inbox::<S>))
        .route("/api/tokens", get(api::users::tokens::<S>).post(api::users::create_token::<S>))
        .route("/api/tokens/{id}", delete(api::users::revoke_token::<S>))
        .route("/api/cases/inspections", post(api::cases::open_inspection::<S>))
        .route("/api/cases/summary-penalties", post(api::cases::start_summary::<S>))
        .route("/api/cases/penalties", post(api::cases::register_lead::<S>))
        .route("/api/cases/licences", post(api::cases::apply_for_licence::<S>))
        .route("/api/cases/coercive-measures", post(api::cases::propose_measure::<S>))
        .route("/api/cases/{id}", get(api::cases::get_case::<S>))
        .route("/api/cases/{id}/commands", post(api::cases::case_command::<S>))
        .route("/api/cases/{id}/ledger", get(api::cases::case_ledger::<S>))
        .route("/api/cases/{id}/party", get(api::cases::reveal_party::<S>))
        .route("/api/cases/{id}/classification", post(api::cases::classify_case::<S>))
        .route("/api/cases/{id}/records/{kind}/{n}", get(api::cases::get_record::<S>))
        .route("/api/cases/{id}/records/{kind}/{n}/classification", post(api::cases::classify_record::<S>))
        .route("/api/cases/{id}/party-access", get(api::party_access::list::<S>).post(api::party_access::request::<S>))
        .route("/api/cases/{id}/party-access/{request}", post(api::party_access::step::<S>))
        .route("/api/openapi.json", get(api::openapi::openapi))
        .route("/api/docs", get(api::openapi::docs))
        .route("/api/docs.js", get(api::openapi::docs_script))
        .route("/api/devices", get(api::devices::list::<S>).post(api::devices::register::<S>))
        .route("/api/devices/{number}", get(api::devices::get::<S>))
        .route("/api/devices/{number}/commands", post(api::devices::command::<S>))
        .route("/api/recordings", get(api::uploads::find::<S>))
        .route("/api/recordings/{id}", get(api::uploads::recording::<S>))
        .route("/api/recordings/{id}/playback", post(api::uploads::playback::<S>))
        .route("/api/recordings/{id}/link", post(api::av::link::<S>))
        .route("/api/recordings/{id}/disposal", post(api::av::disposal::<S>))
        .route("/api/recordings/{id}/clips", post(api::av::clip::<S>))
        .route("/api/recordings/{id}/interruptions", post(api::av::interruption::<S>))
        .route("/api/cases/{id}/av", get(api::av::case_av::<S>))
        .route("/api/cases/{id}/av/unrecorded", post(api::av::unrecorded::<S>))
        .route("/api/av/overdue", get(api::av::overdue::<S>))
        .route("/api/recordings/{id}/content", get(api::uploads::content::<S>))
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT as usize))
        .layer(axum::middleware::from_fn(|req, next| web::body_limit(API_BODY_LIMIT, req, next)));
    // Documents: a signature image (≤ 2 MiB, base64) may come with a command.
    let documents = Router::new()
        .route("/api/document-catalogue", get(api::documents::catalogue::<S>))
        .route("/api/seal-keys", get(api::documents::seal_keys::<S>))
        .route("/api/cases/{id}/documents", get(api::documents::list::<S>).post(api::documents::create::<S>))
        .route("/api/documents/{id}", get(api::documents::get::<S>))
        .route("/api/documents/{id}/commands", post(api::documents::command::<S>))
        .route("/api/documents/{id}/pdf", get(api::documents::pdf::<S>))
        .route("/api/documents/{id}/seal", get(api::documents::seal::<S>))
        // The pages of documents: a signature drawn on the pad or a scan comes with the form.
        .route("/cases/{id}/documents/new", get(ui::documents::new_form::<S>).post(ui::documents::create::<S>))
        .route("/documents/{id}", get(ui::documents::document_page::<S>))
        .route("/documents/{id}/do/{command}", post(ui::documents::step::<S>))
        .route("/documents/{id}/pdf", get(ui::documents::pdf::<S>))
        .route("/documents/{id}/seal", get(ui::documents::seal::<S>))
        .route("/static/sign.js", get(ui::documents::sign_script))
        .layer(DefaultBodyLimit::max(DOCUMENT_BODY_LIMIT as usize))
        .layer(axum::middleware::from_fn(|req, next| web::body_limit(DOCUMENT_BODY_LIMIT, req, next)));
    // Uploads stream bodies of many GiB to disk, never into memory: no body limit.
    let uploads = Router::new()
        .route("/api/uploads", options(api::uploads::options).post(api::uploads::create::<S>))
        .route(
            "/api/uploads/{id}",
            head(api::uploads::head::<S>).patch(api::uploads::patch::<S>).delete(api::uploads::terminate::<S>),
        )
        .layer(DefaultBodyLimit::disable());
    let ui = Router::new()
        .route("/api/cases/{id}/publication", get(api::publication::preview::<S>).post(api::publication::command::<S>))
        .route("/api/cases/{id}/archive", get(api::archive::view::<S>).post(api::archive::step::<S>))
        .route("/api/archive/files", get(api::archive::files::<S>))
        .route("/api/archive/retention", get(api::archive::retention::<S>))
        .route("/api/archive/disposals", get(api::archive::disposals::<S>))
        .route("/public/decisions", get(api::publication::page::<S>))
        .route("/public/decisions.json", get(api::publication::feed::<S>))
        .route("/public/statistics.json", get(api::publication::statistics_feed::<S>))
        .route("/api/statistics/annual", get(api::publication::annual::<S>).post(api::publication::publish_annual::<S>))
        .route("/", get(ui::home::<S>))
        .route("/login", get(ui::login_form::<S>).post(ui::login::<S>))
        .route("/logout", post(ui::logout::<S>))
        .route("/password", get(ui::password_form::<S>).post(ui::change_password::<S>))
        .route("/cases", get(ui::cases::<S>))
        .route("/ledger", get(ui::ledger_page::<S>))
        .route("/statistics", get(ui::statistics::page::<S>).post(ui::statistics::publish::<S>))
        .route("/archive", get(ui::archive::files::<S>))
        .route("/archive/retention", get(ui::archive::retention::<S>))
        .route("/archive/disposals", get(ui::archive::disposals::<S>).post(ui::archive::disposal_step::<S>))
        .route("/archive/fixity", get(ui::archive::fixity::<S>).post(ui::archive::run_fixity::<S>))
        .route("/cases/{id}/archive", get(ui::archive::case_file::<S>).post(ui::archive::step::<S>))
        .route("/admin/users", get(ui::accounts_page::<S>))
        .route("/recordings", get(ui::recordings::recordings_page::<S>))
        .route("/recordings/{id}", get(ui::recordings::recording_page::<S>))
        .route("/recordings/{id}/play", post(ui::recordings::play::<S>))
        .route("/recordings/{id}/link", get(ui::recordings::link_form::<S>).post(ui::recordings::link::<S>))
        .route("/recordings/{id}/do/{command}", get(ui::recordings::step_form::<S>).post(ui::recordings::step::<S>))
        .route("/static/upload.js", get(ui::recordings::upload_script))
        .route("/devices", get(ui::devices::devices_page::<S>))
        .route("/devices/new", get(ui::devices::new_device_form::<S>).post(ui::devices::register_device::<S>))
        .route("/devices/{number}", get(ui::devices::device_page::<S>))
        .route(
            "/devices/{number}/do/{command}",
            get(ui::devices::device_form::<S>).post(ui::devices::device_command::<S>),
        )
        .route("/admin/reference", get(ui::admin::reference_page::<S>))
        .route("/admin/reference/{which}", get(ui::admin::reference_form::<S>).post(ui::admin::submit_reference::<S>))
        .route("/admin/reference/av-items/{index}/retire", post(ui::admin::retire_av_item::<S>))
        .route("/admin/users/new", get(ui::new_account_form::<S>).post(ui::create_account::<S>))
        .route("/admin/grants", get(ui::grants_page::<S>))
        .route("/admin/grants/{id}", post(ui::decide_grant::<S>))
        .route("/cases/{id}", get(ui::case_page::<S>))
        .route("/cases/new/{kind}", get(ui::new_case_form::<S>).post(ui::create_case::<S>))
        .route("/cases/{id}/do/{command}", get(ui::command_form::<S>).post(ui::run_command::<S>))
        .route("/cases/{id}/records/{kind}/{n}", get(ui::record::record_page::<S>))
        .route("/cases/{id}/party-access/{request}/material", get(ui::record::party_material::<S>))
        .route(
            "/cases/{id}/party-access/new",
            get(ui::party::new_request_form::<S>).post(ui::party::create_request::<S>),
        )
        .route(
            "/cases/{id}/party-access/{request}/{step}",
            get(ui::party::step_form::<S>).post(ui::party::take_step::<S>),
        )
        .route("/cases/{id}/records/{kind}/{n}/classification", post(ui::record::classify_record::<S>))
        .route("/cases/{id}/av/unrecorded", post(ui::record::explain_unrecorded::<S>))
        .route("/cases/{id}/publication", post(ui::record::publication::<S>))
        .route("/static/app.css", get(ui::stylesheet))
        .layer(DefaultBodyLimit::max(UI_BODY_LIMIT as usize))
        .layer(axum::middleware::from_fn(|req, next| web::body_limit(UI_BODY_LIMIT, req, next)))
        .layer(CompressionLayer::new());
    let secure = state.secure_cookies;
    let all = Router::new()
        .merge(log)
        .merge(api)
        .merge(documents)
        .merge(uploads)
        .merge(ui)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(axum::middleware::from_fn(web::csrf_guard))
        .layer(axum::middleware::from_fn(web::receipts));
    let all = if secure { all.layer(axum::middleware::map_response(web::secure_cookies)) } else { all };
    all.layer(axum::middleware::map_response(web::security_headers))
}

/// An address nothing answers: for the API, its error body with a stable code; for a page, a
/// page that says so in Chinese.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        return error::ApiError::from(app::AppError::NotFound).into_response();
    }
    let page = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>页面不存在</title>\
                <p>页面不存在。<a href=\"/\">返回工作台</a></p></html>";
    (axum::http::StatusCode::NOT_FOUND, axum::response::Html(page)).into_response()
}

/// A method an address does not take: said with a stable code.
async fn method_not_allowed() -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = serde_json::json!({"error": {"code": "METHOD_NOT_ALLOWED", "message": "该地址不接受此请求方法"}});
    (axum::http::StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}

#[cfg(test)]
mod layering {
    /// Every line of code (not comment) of the Rust files under `src/{dir}` (or the file
    /// `src/{dir}.rs`), with where it is.
    fn code_of(dir: &str) -> Vec<(String, String)> {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut paths = vec![src.join(dir), src.join(format!("{dir}.rs"))];
        let mut out = Vec::new();
        while let Some(path) = paths.pop() {
            if path.is_dir() {
                paths.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if !path.is_file() || path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                if !line.trim_start().starts_with("//") {
                    out.push((format!("{}:{}", path.display(), n + 1), line.to_string()));
                }
            }
        }
        out
    }

    fn assert_uses_none(dir: &str, layers: &[&str]) {
        let code = code_of(dir);
        assert!(code.len() > 1000, "only {} lines under {dir}", code.len());
        for (at, line) in code {
            for layer in layers {
                assert!(!line.contains(layer), "{at}: {dir} uses {layer}: {line}");
            }
        }
    }

    /// The application layer knows nothing of HTTP or of its callers: it names what it refuses
    /// (`AppError`), and the API (`error::ApiError`) and the pages choose how to answer.
    /// (The names are spelt in halves, so that this test does not find itself.)
    #[test]
    fn the_application_imports_neither_http_nor_its_callers() {
        let layers = [
            concat!("crate::", "api"),
            concat!("crate::", "ui"),
            concat!("crate::", "error"),
            concat!("crate::", "web"),
            concat!("ax", "um"),
            concat!("Status", "Code"),
            concat!("Api", "Error"),
        ];
        assert_uses_none("app", &layers);
    }

    /// The pages call the application (its requests included), never the API's handlers; the
    /// browser-facing plumbing both share is `web`.
    #[test]
    fn the_pages_and_the_web_plumbing_do_not_call_the_api() {
        assert_uses_none("ui", &[concat!("crate::", "api"), concat!("Api", "Error")]);
        let web = code_of("web");
        assert!(
            web.iter().all(|(_, l)| !l.contains(concat!("crate::", "api")) && !l.contains(concat!("crate::", "ui")))
        );
    }
}
