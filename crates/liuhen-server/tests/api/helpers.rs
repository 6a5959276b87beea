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
    /// Set by `describe_strictly`: the OpenAPI document every JSON request is held to.
    pub described: std::sync::OnceLock<crate::described::Described>,
    /// The server's clock for what the law dates (shared with the router's app).
    pub clock: liuhen_server::app::Clock,
    _dir: tempfile::TempDir,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
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
    // The tests walk cases through dates of their own, up to the spring of 2027: the server's
    // clock for what the law dates stands after them (R-064b refuses times ahead of it).
    app.clock = liuhen_server::app::Clock::starting_at(CLOCK_MS);
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
        name: HEAD_NAME.to_string(),
    };
    let head = app.add_user(None, head).await.unwrap();
    // The office's 权责清单: no case opens on a matter it does not list (R-010a).
    for (code, name, kind, summary) in TEST_MATTERS {
        let m = liuhen_core::matter::Matter {
            code: code.to_string(),
            name: name.to_string(),
            kind,
            legal_basis: "《测试依据》第一条".to_string(),
            av_mandatory: false,
            major_decision_review: false,
            hearing_thresholds: liuhen_core::penalty::HearingThresholds::default(),
            summary_allowed: summary,
            inspection_cap: None,
        };
        app.put_matter(&head, m).await.unwrap();
    }
    // The office has posted who it is and where to turn before it enforces (R-173); a test that
    // is about the profile sets its own.
    let profile = liuhen_core::agency::Agency {
        name: "迁西县栗乡街道办事处".to_string(),
        uscc: "11130227MB0000000J".to_string(),
        review_organ: "迁西县人民政府".to_string(),
        court: "迁西县人民法院".to_string(),
        // The seals its documents are sealed with (R-130).
        seals: vec![liuhen_core::agency::Seal {
            kind: "行政执法专用章".to_string(),
            valid_from: liuhen_core::time::Date::parse("2020-01-01").unwrap(),
            valid_to: liuhen_core::time::Date::parse("2030-12-31").unwrap(),
        }],
        ..liuhen_core::agency::Agency::default()
    };
    app.put_agency(&head, profile).await.unwrap();
    liuhen_store::Log::sign_checkpoint(&store).await.unwrap();
    let clock = app.clock.clone();
    let state = AppState { app, log_access, verifier_keys: Arc::new(keys), secure_cookies: false };
    let t = TestApp {
        clock,
        router: router(state),
        admin_password,
        admin_changed: std::sync::Mutex::new(false),
        store,
        data,
        log_access,
        described: std::sync::OnceLock::new(),
        _dir: dir,
    };
    // Every JSON request of every API test is held to the OpenAPI document (described.rs).
    t.describe_strictly().await;
    t
}

/// 2027-06-30 09:00 Asia/Shanghai: where the test server's clock for what the law dates starts
/// (it runs on from there).
pub const CLOCK_MS: i64 = 1_814_317_200_000;

/// The date of `CLOCK_MS` in Asia/Shanghai: what an approval taken in a test is dated.
pub fn clock_date() -> String {
    liuhen_core::time::Timestamp(CLOCK_MS).shanghai_date().to_string()
}

/// The test office's 权责清单: (code, name, kind, summary procedure allowed).
pub const TEST_MATTERS: [(&str, &str, liuhen_core::matter::MatterKind, bool); 10] = {
    use liuhen_core::matter::MatterKind::{Coercion, Inspection, Licence, Penalty};
    [
        ("T-P01", "违法建设", Penalty, false),
        ("T-P02", "占道经营", Penalty, true),
        ("T-I01", "消防安全检查", Inspection, false),
        ("T-I02", "食品经营监督检查", Inspection, false),
        ("T-I03", "危险化学品现场检查", Inspection, false),
        ("T-I04", "门前三包检查", Inspection, false),
        ("T-I05", "检查", Inspection, false),
        ("T-L01", "临时占用道路审批", Licence, false),
        ("T-C01", "扣押占道经营物品", Coercion, false),
        ("T-C02", "扣押过期食品", Coercion, false),
    ]
};

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
    /// The application over the same store, blobs and seal, on the test clock: what a console
    /// command (`liuhen export`) runs with the server stopped.
    pub fn console(&self) -> App<SqliteStore> {
        let mut app = app_over(&self.store, &self.data);
        app.clock = self.clock.clone();
        app
    }

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

impl Drop for TestApp {
    /// Every API test ends with the public log scanned for what it must not hold.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let leaks = private_text_in_public_log(&self.data.db_path());
            assert!(leaks.is_empty(), "private text in the public log:\n{}", leaks.join("\n"));
        }
    }
}

/// The entries that carry, in the clear, text that the log keeps behind a commitment
/// elsewhere: a party's name, identity number or phone, a statement, a purpose, a reason — any
/// string of an opening with two or more Chinese characters or seven or more digits, found in
/// an entry other than the office's published reference (its profile, 权责清单, catalogues
/// and officers — names and certificate numbers of officers are published by law, 行政执法公示). What the tiles serve
/// are these entries' bytes.
pub fn private_text_in_public_log(db: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut private: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    fn strings(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::String(s) => {
                let cjk = s.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
                let digits = s.chars().filter(char::is_ascii_digit).count();
                // A number that identifies someone (an identity number, a phone): digits, perhaps
                // an X, a space or a plus; not a hash, a date or a time.
                let number = digits >= 7 && s.chars().all(|c| c.is_ascii_digit() || "Xx +".contains(c));
                if (cjk >= 2 || number) && s.chars().count() >= 3 {
                    out.insert(s.clone());
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            // A signing key's id is public by design (its public key is published under it);
            // sixteen hex digits are now and then all decimal digits.
            serde_json::Value::Object(m) => m.iter().filter(|(k, _)| *k != "key_id").for_each(|(_, x)| strings(x, out)),
            _ => {}
        }
    }
    let mut stmt = conn.prepare("SELECT content FROM openings").unwrap();
    for content in stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).unwrap() {
        let content = content.unwrap();
        match serde_json::from_slice::<serde_json::Value>(&content) {
            Ok(v) => strings(&v, &mut private),
            // A username typed at a failed sign-in is kept as it was typed.
            Err(_) => strings(&serde_json::Value::String(String::from_utf8_lossy(&content).into_owned()), &mut private),
        }
    }
    let mut reference = String::new();
    let mut others = Vec::new();
    let mut stmt = conn.prepare("SELECT idx, data FROM log_entries ORDER BY idx").unwrap();
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))).unwrap() {
        let (idx, data) = row.unwrap();
        let e = liuhen_log::Entry::decode(&data).unwrap();
        let text = String::from_utf8(data).unwrap();
        let published = ["agency.put", "matter.put", "catalogue.put", "officer.register", "log.init"];
        if published.contains(&e.action()) {
            reference.push_str(&text);
        } else {
            others.push((idx, e.action().to_string(), text));
        }
    }
    let mut leaks = Vec::new();
    for (idx, action, text) in &others {
        for p in private.iter().filter(|p| !reference.contains(p.as_str())) {
            // JSON escapes aside, the value as it would stand in the entry.
            let mut quoted = Vec::new();
            liuhen_log::entry::write_canonical(&serde_json::Value::String(p.clone()), &mut quoted);
            let inner = String::from_utf8(quoted).unwrap();
            if text.contains(inner.trim_matches('"')) {
                leaks.push(format!("entry {idx} ({action}) holds {p:?}"));
            }
        }
    }
    leaks
}

pub const ORIGIN: &str = "liuhen.test/api";
/// The 负责人 the tests sign in as.
pub const HEAD: &str = "zhang";
/// The name the 负责人's steps are recorded under (the account has no officer).
pub const HEAD_NAME: &str = "周主任";
pub const HEAD_PASSWORD: &str = "zhang-test-password";
/// The administrator's password once changed.
pub const ADMIN_PASSWORD: &str = "admin-test-password";

impl TestApp {
    pub async fn request(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        let body = axum::body::to_bytes(resp.into_body(), 16 << 20).await.unwrap().to_vec();
        Resp { status, headers, body }
    }

    /// `GET path` with `token` on another router over the same data (see `router_with`).
    pub async fn get_from(&self, router: &Router, path: &str, token: &str) -> Resp {
        let req = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        let body = axum::body::to_bytes(resp.into_body(), 16 << 20).await.unwrap().to_vec();
        Resp { status, headers, body }
    }

    /// `POST path` of JSON `body` with `token` on another router over the same data.
    pub async fn post_from(&self, router: &Router, path: &str, token: &str, body: &serde_json::Value) -> Resp {
        let req = Request::post(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        let body = axum::body::to_bytes(resp.into_body(), 16 << 20).await.unwrap().to_vec();
        Resp { status, headers, body }
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

    /// From now on, holds every JSON request of this app to the OpenAPI document (see
    /// `described.rs`): a body it allows is never refused with 400, one it forbids never accepted.
    pub async fn describe_strictly(&self) {
        let doc = self.get("/api/openapi.json", None).await.json();
        let _ = self.described.set(crate::described::Described::new(doc));
    }

    async fn json_as(&self, method: &str, path: &str, token: &str, body: &serde_json::Value) -> Resp {
        let mut verdict = self.described.get().map(|d| d.judge(method, path, body));
        if let (Some(d), Some(v)) = (self.described.get(), verdict.as_mut())
            && v.operation == "POST /api/cases/{id}/commands"
        {
            // Read from the store: a view through the API would itself be a ledgered entry.
            let id = path.trim_end_matches("/commands").rsplit('/').next().unwrap_or_default();
            if let Ok(case) = liuhen_store::ProjectionReads::case(&self.store, id).await {
                v.errors.extend(d.judge_command(&case.case_type, body));
            }
        }
        let r = self.send_json(method, path, token, body).await;
        if let Some(v) = verdict {
            let said = String::from_utf8_lossy(&r.body);
            if v.errors.is_empty() {
                assert_ne!(
                    r.status,
                    StatusCode::BAD_REQUEST,
                    "{}: the description allows {body} and the server refused it: {said}",
                    v.operation
                );
            } else if !matches!(
                r.status,
                StatusCode::PAYLOAD_TOO_LARGE
                    | StatusCode::UNAUTHORIZED
                    | StatusCode::FORBIDDEN
                    | StatusCode::NOT_FOUND
            ) {
                // (A body over the size limit is refused before it is read: 413; so is one from
                // whoever may not make the request at all: 401, 403, 404 — the policy first.)
                assert_eq!(
                    r.status,
                    StatusCode::BAD_REQUEST,
                    "{}: the description forbids {body} ({:?}) and the server answered {said}",
                    v.operation,
                    v.errors
                );
            }
        }
        r
    }

    async fn send_json(&self, method: &str, path: &str, token: &str, body: &serde_json::Value) -> Resp {
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
        self.approve_all_grants().await;
        let token = self.login_as(username, "initial-pass-1").await;
        self.change_password(&token, "initial-pass-1", "changed-pass-2").await;
        token
    }

    /// Seeds the demo office as `liuhen serve --demo` does, as of now; whether it seeded (a
    /// second time does nothing).
    pub async fn seed_demo(&self) -> bool {
        let admin = liuhen_store::ProjectionReads::user_by_username(&self.store, "admin").await.unwrap();
        let now = liuhen_core::time::Timestamp(liuhen_server::app::now_ms());
        let seeded = App::new(self.store.clone(), Blobs::in_memory());
        seeded.seed_demo(&admin, now).await.unwrap().is_some()
    }

    /// As [`TestApp::seed_demo`], with the office's seal and blobs as `liuhen serve --demo` has
    /// them: its documents issued, its closed inspections handed over and one filed.
    pub async fn seed_demo_sealed(&self) -> bool {
        let admin = liuhen_store::ProjectionReads::user_by_username(&self.store, "admin").await.unwrap();
        let now = liuhen_core::time::Timestamp(liuhen_server::app::now_ms());
        app_over(&self.store, &self.data).seed_demo(&admin, now).await.unwrap().is_some()
    }

    /// The 负责人 (`HEAD`) approves every role the 系统管理员 granted that waits (三员分立).
    pub async fn approve_all_grants(&self) {
        let head = self.login().await;
        for u in self.get("/api/grants?limit=500", Some(&head)).await.json()["grants"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let id = u["id"].as_str().unwrap();
            let r = self.post_as(&format!("/api/users/{id}/grant"), &head, &serde_json::json!({"approve": true})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        }
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

/// The unit of the test 负责人 and of the staff below.
pub const UNIT: &str = "栗乡街道综合行政执法办公室";

/// Tokens of the accounts that take the steps of an approval, each its own (办法第十五条): the
/// 承办人 (an officer), the 承办机构负责人, the 负责人 (`HEAD`), a 法制审核人员 and two more
/// 集体讨论成员.
pub struct Staff {
    pub handler: String,
    pub unit_head: String,
    pub head: String,
    pub legal: String,
    pub members: [String; 2],
}

/// Fields for a test 内部审批文书, 集体讨论记录 or 处罚决定书 of `code`, every one the form has filled.
pub fn form_fields(code: &str) -> serde_json::Value {
    use serde_json::json;
    match code {
        "D02" => json!({"cause": "违法建设", "party": "张某某", "source": "群众举报", "facts": "院内搭建彩钢房",
                        "provisions": "《城乡规划法》第四十条"}),
        "D30" => json!({"cause": "违法建设", "party": "张某某", "facts": "院内搭建彩钢房约 20 平方米",
                        "evidence": "现场检查笔录、询问笔录", "basis": "《城乡规划法》第六十四条", "proposal": "罚款五千元"}),
        "D50" => json!({"cause": "违法建设", "party": "张某某", "outcome": "已作出处理", "performance": "已履行完毕"}),
        "D18a" => json!({"cause": "违法建设", "party": "张某某", "reason": "彩钢板已部分拆下，可能被转移",
                         "items": "彩钢夹芯板 20 块"}),
        "D35" => json!({"cause": "违法建设", "time": "2026-08-17 09:00", "place": "第一会议室", "host": "周主任",
                        "members": "周主任、王副主任、刘副主任", "recorder": "李华", "summary": "承办人介绍案情",
                        "opinions": "一致同意", "conclusion": "罚款五千元"}),
        "D36" => json!({"party": "张某某", "party_address": "迁西县栗乡街道幸福路 8 号", "facts": "未经批准搭建彩钢房",
                        "basis": "罚款五千元；《城乡规划法》第六十五条", "performance": "十五日内到指定银行缴纳",
                        "relief": "六十日内申请行政复议或六个月内提起行政诉讼"}),
        other => panic!("no test fields for {other}"),
    }
}

impl TestApp {
    /// A new account made by the administrator in `UNIT`, for officer `officer_id` (may be
    /// empty), its grants approved and first password changed; its token.
    pub async fn account_for(&self, username: &str, roles: &str, officer_id: &str) -> String {
        self.account_named(username, roles, officer_id, "").await
    }

    /// As [`TestApp::account_for`], the account recorded under `name` when it has no officer.
    pub async fn account_named(&self, username: &str, roles: &str, officer_id: &str, name: &str) -> String {
        let admin = self.login_admin().await;
        let body = serde_json::json!({"username": username, "roles": roles, "password": "initial-pass-1",
            "officer_id": officer_id, "unit": UNIT, "name": name});
        let r = self.post_as("/api/users", &admin, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        self.approve_all_grants().await;
        let token = self.login_as(username, "initial-pass-1").await;
        self.change_password(&token, "initial-pass-1", "changed-pass-2").await;
        token
    }

    /// A document command as `token`'s account, with that account's own password for its SM2
    /// signature (the test accounts' passwords: `HEAD_PASSWORD`, else `changed-pass-2`) unless
    /// the body gives one.
    pub async fn document_command(&self, token: &str, doc: &str, body: &serde_json::Value) -> Resp {
        let mut body = body.clone();
        // An approval or a signature is made with the account's own key, its password unlocking it.
        let signs = matches!(body["type"].as_str(), Some("approve" | "sign"));
        if signs && body.get("password").is_none() {
            body["password"] = serde_json::json!(self.signing_password(token).await);
        }
        self.post_as(&format!("/api/documents/{doc}/commands"), token, &body).await
    }

    /// The password of `token`'s test account, which opens its signing key: `HEAD_PASSWORD`
    /// for the 负责人, else `changed-pass-2`.
    pub async fn signing_password(&self, token: &str) -> &'static str {
        let me = self.get("/api/me", Some(token)).await.json();
        if me["username"] == HEAD { HEAD_PASSWORD } else { "changed-pass-2" }
    }

    /// A case command as sent by `token`'s account: a role's own step, signed with the account's
    /// own key, carries its password unless the body gives one.
    pub async fn signed_step(&self, token: &str, cmd: serde_json::Value) -> serde_json::Value {
        let mut cmd = cmd;
        // Every role's own step (the licence's decision is the one `decide` with `granted`).
        let signs = matches!(
            cmd["type"].as_str(),
            Some(
                "propose"
                    | "legal_review"
                    | "discuss"
                    | "approve"
                    | "ratify"
                    | "extend"
                    | "correct_execution_time"
                    | "correct_date"
                    | "decide_recusal"
                    | "apply_court"
                    | "dispose_property"
                    | "defer_payment"
            )
        ) || (cmd["type"] == "decide" && cmd.get("granted").is_some());
        if signs && cmd.get("password").is_none() {
            cmd["password"] = serde_json::json!(self.signing_password(token).await);
        }
        cmd
    }

    /// Puts a matter named `name` of `kind` on the 权责清单 (as the 负责人 `token`), so a case
    /// may be opened on it.
    pub async fn list_matter(&self, token: &str, name: &str, kind: &str) {
        let code = format!("X-{}", uuid::Uuid::now_v7().simple());
        let body = serde_json::json!({"code": &code[..20], "name": name, "kind": kind, "legal_basis": "《测试依据》"});
        let r = self.post_as("/api/matters", token, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    }

    /// The staff of an approval: the 承办人 is officer `officer`, the 法制审核人员 officer
    /// `lawyer` (empty for none).
    pub async fn staff(&self, officer: &str, lawyer: &str) -> Staff {
        Staff {
            handler: self.account_for("chengban", "officer", officer).await,
            unit_head: self.account_for("keshi", "unit_head", "").await,
            head: self.login().await,
            legal: self.account_for("fazhi", "legal_reviewer", lawyer).await,
            members: [
                self.account_named("weiyuan2", "discussion_member", "", "王副主任").await,
                self.account_named("weiyuan3", "discussion_member", "", "刘副主任").await,
            ],
        }
    }

    /// A document of `code` on `case` drafted by the 承办人; its JSON.
    pub async fn draft_form(&self, staff: &Staff, case: &str, code: &str) -> serde_json::Value {
        let body = serde_json::json!({"code": code, "fields": form_fields(code)});
        let r = self.post_as(&format!("/api/cases/{case}/documents"), &staff.handler, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        r.json()
    }

    /// A 内部审批文书 of `code` on `case`, approved in turn by the 承办人, the 承办机构负责人 and
    /// the 负责人, each with their own token; its id.
    pub async fn approved_form(&self, staff: &Staff, case: &str, code: &str) -> String {
        let d = self.draft_form(staff, case, code).await;
        let id = d["id"].as_str().unwrap().to_string();
        for (token, step) in [(&staff.handler, "handler"), (&staff.unit_head, "reviewer"), (&staff.head, "approver")] {
            let body = serde_json::json!({"type": "approve", "step": step, "opinion": "同意承办意见",
                "reason": "事实清楚，证据确凿", "content_hash": d["content_hash"]});
            let r = self.document_command(token, &id, &body).await;
            assert_eq!(r.status, StatusCode::OK, "{step}: {}", String::from_utf8_lossy(&r.body));
        }
        id
    }

    /// A 集体讨论记录 on `case` confirmed by the 负责人 and both other members, each signing
    /// with their own account, and finalised; its id.
    pub async fn discussion_record(&self, staff: &Staff, case: &str) -> String {
        self.discussion_record_with(staff, case, form_fields("D35"), true).await
    }

    /// A 集体讨论记录 with `fields`, signed by its three members, finalised if `finalise`.
    pub async fn discussion_record_with(
        &self,
        staff: &Staff,
        case: &str,
        fields: serde_json::Value,
        finalise: bool,
    ) -> String {
        let body = serde_json::json!({"code": "D35", "fields": fields});
        let r = self.post_as(&format!("/api/cases/{case}/documents"), &staff.handler, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        let d = r.json();
        let id = d["id"].as_str().unwrap().to_string();
        const PNG: &str =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        for token in [&staff.head, &staff.members[0], &staff.members[1]] {
            let body = serde_json::json!({"type": "sign", "role": "member", "method": "pad", "image": PNG,
                "content_hash": d["content_hash"]});
            let r = self.document_command(token, &id, &body).await;
            assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        }
        // Finalised by its drafter: only then is it the record a discussion rests on.
        if finalise {
            let r = self.document_command(&staff.handler, &id, &serde_json::json!({"type": "finalise"})).await;
            assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        }
        id
    }
}

/// The details of the case's events, from their openings in the log (what a court is shown).
pub async fn details(app: &TestApp, case: &str) -> Vec<serde_json::Value> {
    use liuhen_store::Log as _;
    let mut out = Vec::new();
    for (_, raw) in app.store.case_entries(case).await.unwrap() {
        let entry = liuhen_log::entry::Entry::decode(&raw).unwrap();
        if !entry.action().starts_with("case.") {
            continue;
        }
        let (_, content) = app.store.opening(&entry.commits()[0]).await.unwrap();
        out.push(serde_json::from_slice(&content).unwrap());
    }
    out
}

/// Checks, with OpenSSL alone and what the API shows (the case view and the signer's published
/// key), the signature of the case `id`'s role step recorded as `event` (`case.<event>`): the
/// statement is rebuilt from the view's `signed` and `content` (the content as sorted JSON,
/// hashed with `openssl dgst -sm3`). Returns the `signed` member; panics if it does not verify,
/// or if a changed content verifies.
pub async fn openssl_verifies_step(app: &TestApp, token: &str, id: &str, event: &str) -> serde_json::Value {
    let view = app.get(&format!("/api/cases/{id}"), Some(token)).await.json();
    let action = format!("case.{event}");
    let entry = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["action"] == action.as_str())
        .unwrap_or_else(|| panic!("no {action} in {view}"));
    let (signed, content) = (&entry["recorded"]["signed"], &entry["recorded"]["content"]);
    assert!(signed.is_object() && content.is_object(), "{action} is signed: {entry}");
    let dir = tempfile::tempdir().unwrap();
    let openssl =
        |args: &[&str]| std::process::Command::new("openssl").args(args).current_dir(dir.path()).output().unwrap();
    let statement = |content: &serde_json::Value| {
        std::fs::write(dir.path().join("content"), serde_json::to_string(content).unwrap()).unwrap();
        let dgst = openssl(&["dgst", "-sm3", "-r", "content"]);
        let sm3 = String::from_utf8(dgst.stdout).unwrap().split_whitespace().next().unwrap().to_string();
        format!(
            "liuhen-approval/v1\ndocument {id}\nstep {}\ncontent-sm3 {sm3}\nperson {}\ntime {}\nopinion \n",
            signed["step"].as_str().unwrap(),
            signed["person"].as_str().unwrap(),
            signed["at"],
        )
    };
    let key = app.get(&format!("/api/signing-keys/{}", signed["key_id"].as_str().unwrap()), Some(token)).await.json();
    assert_eq!(key["user"], signed["person"], "the key is the signer's own: {key}");
    std::fs::write(dir.path().join("key.pem"), key["public_key_pem"].as_str().unwrap()).unwrap();
    std::fs::write(dir.path().join("sig.der"), hex::decode(signed["signature"].as_str().unwrap()).unwrap()).unwrap();
    let distid = format!("distid:{}", key["distid"].as_str().unwrap());
    let verify = |text: String| {
        std::fs::write(dir.path().join("statement"), text).unwrap();
        openssl(&[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "key.pem",
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            &distid,
            "-in",
            "statement",
            "-sigfile",
            "sig.der",
        ])
        .status
        .success()
    };
    assert!(verify(statement(content)), "OpenSSL verifies {action}: {entry}");
    let mut changed = content.clone();
    changed["flags"] = serde_json::json!(["R-000"]);
    assert!(!verify(statement(&changed)), "a changed record does not verify");
    signed.clone()
}
