//! `TestApp`: a fresh data directory, the real store and router, requests without a socket.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use liuhen_server::app::App;
use liuhen_server::datadir::DataDir;
use liuhen_server::{AppState, LogAccess, router};
use liuhen_store::{Blobs, SqliteStore};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    /// The administrator's one-time password (until `login_admin` changes it).
    pub admin_password: String,
    admin_changed: std::sync::Mutex<bool>,
    pub store: SqliteStore,
    /// The data directory (its blobs and uploads are real files, as in production).
    pub data: DataDir,
    log_access: LogAccess,
    _dir: tempfile::TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

pub async fn spawn_app(log_access: LogAccess) -> TestApp {
    spawn_app_with_calendar(log_access, liuhen_core::calendar::WorkCalendar::china()).await
}

/// An app whose working-day calendar is `calendar` (e.g. with a year an office added).
pub async fn spawn_app_with_calendar(log_access: LogAccess, calendar: liuhen_core::calendar::WorkCalendar) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    data.init(ORIGIN).unwrap();
    let store = SqliteStore::open(&data.db_path(), data.log_config(Duration::from_secs(3600)).unwrap()).await.unwrap();
    let mut app = app_over(&store, &data);
    app.calendar = Arc::new(calendar);
    let keys = store.verifier_keys();
    let admin_password = app.bootstrap(ORIGIN, &keys).await.unwrap().unwrap();
    // The tests act as a 负责人, who may open, see and act on every case.
    let head = liuhen_server::app::auth::NewUser {
        username: HEAD.to_string(),
        roles: "approver,discussion_member".to_string(),
        password: HEAD_PASSWORD.to_string(),
        must_change_password: false,
        officer_id: String::new(),
        unit: "栗乡街道综合行政执法办公室".to_string(),
    };
    app.add_user(None, head).await.unwrap();
    liuhen_store::LogStore::sign_checkpoint(&store).await.unwrap();
    let state = AppState { app, log_access, verifier_keys: Arc::new(keys), secure_cookies: false };
    TestApp {
        router: router(state),
        admin_password,
        admin_changed: std::sync::Mutex::new(false),
        store,
        data,
        log_access,
        _dir: dir,
    }
}

/// An application over `store` and the data directory's blobs and uploads.
fn app_over(store: &SqliteStore, data: &DataDir) -> App<SqliteStore> {
    let mut app = App::new(store.clone(), Blobs::local(&data.blobs_dir()).unwrap());
    app.uploads = Arc::new(liuhen_server::app::recordings::Uploads::new(data.uploads_dir()));
    app.documents = Arc::new(liuhen_server::app::documents::DocConfig {
        font_dirs: liuhen_pdf::default_dirs(&[]),
        seal: Some(Arc::new(data.seal_keys().unwrap())),
    });
    app
}

impl TestApp {
    /// The router of a server started afresh over the same data, configured by `f`.
    pub fn router_with(&self, f: impl FnOnce(&mut AppState<SqliteStore>)) -> Router {
        let keys = self.store.verifier_keys();
        let mut state = AppState {
            app: app_over(&self.store, &self.data),
            log_access: self.log_access,
            verifier_keys: Arc::new(keys),
            secure_cookies: false,
        };
        f(&mut state);
        router(state)
    }

    /// The router of a server started afresh over the same data (nothing kept in memory).
    pub fn restarted(&self) -> Router {
        let keys = self.store.verifier_keys();
        router(AppState {
            app: app_over(&self.store, &self.data),
            log_access: self.log_access,
            verifier_keys: Arc::new(keys),
            secure_cookies: false,
        })
    }
}

pub const ORIGIN: &str = "liuhen.test/api";
/// The 负责人 the tests sign in as.
pub const HEAD: &str = "zhang";
pub const HEAD_PASSWORD: &str = "zhang-test-password";
/// The administrator's password once changed.
pub const ADMIN_PASSWORD: &str = "admin-test-password";

impl TestApp {
    pub async fn request(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let body = axum::body::to_bytes(resp.into_body(), 16 << 20).await.unwrap().to_vec();
        Resp { status, body }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        let mut b = Request::get(path);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        self.request(b.body(Body::empty()).unwrap()).await
    }

    pub async fn post_json(&self, path: &str, body: &str) -> Resp {
        self.request(
            Request::post(path).header("content-type", "application/json").body(Body::from(body.to_string())).unwrap(),
        )
        .await
    }

    pub async fn post_as(&self, path: &str, token: &str, body: &serde_json::Value) -> Resp {
        self.json_as("POST", path, token, body).await
    }

    pub async fn put_as(&self, path: &str, token: &str, body: &serde_json::Value) -> Resp {
        self.json_as("PUT", path, token, body).await
    }

    async fn json_as(&self, method: &str, path: &str, token: &str, body: &serde_json::Value) -> Resp {
        self.request(
            Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// Signs in as the test 负责人.
    pub async fn login(&self) -> String {
        self.login_as(HEAD, HEAD_PASSWORD).await
    }

    /// Signs in as the 系统管理员 (accounts and configuration, no case content), changing the
    /// one-time password to `ADMIN_PASSWORD` the first time, as the system demands.
    pub async fn login_admin(&self) -> String {
        let changed = *self.admin_changed.lock().unwrap();
        if changed {
            return self.login_as("admin", ADMIN_PASSWORD).await;
        }
        let token = self.login_as("admin", &self.admin_password.clone()).await;
        self.change_password(&token, &self.admin_password.clone(), ADMIN_PASSWORD).await;
        *self.admin_changed.lock().unwrap() = true;
        token
    }

    /// A new account with `roles`, made by the administrator (`admin`), its first password
    /// already changed; its token.
    pub async fn account(&self, admin: &str, username: &str, roles: &str) -> String {
        let body = serde_json::json!({"username": username, "roles": roles, "password": "initial-pass-1"});
        let r = self.post_as("/api/users", admin, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        let token = self.login_as(username, "initial-pass-1").await;
        self.change_password(&token, "initial-pass-1", "changed-pass-2").await;
        token
    }

    /// A fire-safety inspection opened by `token`'s user; its id.
    pub async fn open_inspection(&self, token: &str, case_no: &str) -> String {
        let body = serde_json::json!({"case_no": case_no, "matter": "消防安全检查", "kind": "routine", "basis": "检查计划",
            "source": "inspection", "reason": "例行检查", "received_at": 1_795_568_400_000_i64});
        let r = self.post_as("/api/cases/inspections", token, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        r.json()["id"].as_str().unwrap().to_string()
    }

    /// `POST /api/me/password`, expected to succeed.
    pub async fn change_password(&self, token: &str, current: &str, new: &str) {
        let r = self.post_as("/api/me/password", token, &serde_json::json!({"current": current, "new": new})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    }

    pub async fn login_as(&self, username: &str, password: &str) -> String {
        let body = serde_json::json!({"username": username, "password": password}).to_string();
        let r = self.post_json("/api/session", &body).await;
        assert_eq!(r.status, StatusCode::OK, "{username}");
        let token = r.json()["token"].as_str().unwrap().to_string();
        // Never taken for an option on a command line (`liuhen import --token …`).
        assert!(token.starts_with("lhs_"), "{token}");
        token
    }
}

/// `(method, path)` of every route in `src/lib.rs`, read from the route table itself: each
/// `.route(…)` call, however rustfmt wrapped it, with the methods it chains.
pub fn route_table() -> std::collections::BTreeSet<(String, String)> {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let mut out = std::collections::BTreeSet::new();
    let mut rest = src.as_str();
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        // The call runs to its balancing parenthesis.
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map(|(i, _)| i)
            .unwrap();
        let call: String = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
        let path = call.trim_start_matches('"').split('"').next().unwrap().to_string();
        for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
            if call.contains(&format!(" {method}(")) || call.contains(&format!(".{method}(")) {
                out.insert((method.to_string(), path.clone()));
            }
        }
    }
    out
}
