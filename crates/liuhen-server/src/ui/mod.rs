//! The server-rendered UI in Simplified Chinese (askama templates in `templates/`, one stylesheet,
//! no script and no CDN): sign-in, the 工作台 with deadlines overdue first, the case list with
//! search and filters, and the case page with its timeline and access ledger.
//!
//! Sessions are the API's (HttpOnly, SameSite=Strict cookie). Every form that changes something
//! carries a CSRF token: before sign-in a double-submit cookie, after it a token derived from the
//! session, checked on every POST.

use crate::AppState;
use crate::app::AppError;
use crate::web::{SESSION_COOKIE, cookie, request_token};
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use liuhen_core::time::Timestamp;
use liuhen_store::{CaseRecord, LogStore, UserRecord};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

pub mod admin;
pub mod archive;
pub mod devices;
pub mod documents;
pub mod forms;
pub mod party;
pub mod record;
pub mod recordings;
pub mod statistics;

/// The pre-sign-in CSRF cookie (double submit).
const LOGIN_CSRF_COOKIE: &str = "liuhen_login_csrf";

/// The signed-in user as the page header shows them.
pub struct UserView {
    pub username: String,
    pub role_label: String,
    pub csrf: String,
    pub must_change_password: bool,
    /// Manages accounts (the 系统管理 link).
    pub is_admin: bool,
    /// Sees the archive's lists (the 案卷归档 link).
    pub sees_archive: bool,
}

/// The names of the roles waiting for a 负责人's approval, if any.
pub fn pending_label(user: &UserRecord) -> Option<String> {
    let names: Vec<&str> =
        user.pending_roles.split(',').filter_map(crate::app::policy::Role::parse).map(|r| r.label()).collect();
    (!names.is_empty()).then(|| names.join("、"))
}

/// The user's roles' names in Chinese.
pub fn role_label(user: &UserRecord) -> String {
    let names: Vec<&str> = crate::app::policy::roles(user).iter().map(|r| r.label()).collect();
    if names.is_empty() { "无角色".to_string() } else { names.join("、") }
}

use crate::web::{csrf_for, same};

/// Adds `Set-Cookie` headers.
fn with_cookies(mut resp: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// "YYYY-MM-DD HH:MM" in Asia/Shanghai.
pub fn when(ms: i64) -> String {
    Timestamp(ms).to_minute()
}

/// What a UI handler can fail with: a page, or a redirect to sign in or to change the
/// initial password.
pub enum UiError {
    SignIn,
    ChangePassword,
    Page(StatusCode, &'static str, String),
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> UiError {
        match e {
            AppError::Unauthorized => UiError::SignIn,
            AppError::NotFound => {
                UiError::Page(StatusCode::NOT_FOUND, "未找到", "案件不存在或已无权查看。".to_string())
            }
            AppError::BadRequest(m) => UiError::Page(StatusCode::BAD_REQUEST, "请求有误", m),
            AppError::Forbidden => {
                UiError::Page(StatusCode::FORBIDDEN, "无权限", "您的角色不能进行此操作。".to_string())
            }
            AppError::NotYourStep(m) => UiError::Page(StatusCode::FORBIDDEN, "不是您的环节", m),
            AppError::PasswordChangeRequired => UiError::ChangePassword,
            e @ (AppError::Conflict(_) | AppError::Duplicate(_) | AppError::InvalidState(_) | AppError::Refused(_)) => {
                UiError::Page(StatusCode::CONFLICT, "未执行", e.message())
            }
            // Any other refusal of the request (unprocessable, an unknown reference, a lock, a
            // body too large): said as it is, with its status — never a 系统错误.
            e if crate::error::status_of(&e).is_client_error() => {
                UiError::Page(crate::error::status_of(&e), "未执行", e.message())
            }
            other => {
                tracing::error!(error = %other, "page failed");
                UiError::Page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "系统错误",
                    "请稍后重试；如持续出现请联系系统管理员。".to_string(),
                )
            }
        }
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        match self {
            UiError::SignIn => Redirect::to("/login").into_response(),
            UiError::ChangePassword => Redirect::to("/password").into_response(),
            UiError::Page(status, title, message) => {
                let page = ErrorPage { user: None, title, message };
                (status, render(&page)).into_response()
            }
        }
    }
}

fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

/// The signed-in user and their header view, or a redirect to sign in — or to change the
/// initial password, which comes before anything else.
async fn signed_in<S: LogStore>(state: &AppState<S>, headers: &HeaderMap) -> Result<(UserRecord, UserView), UiError> {
    let (user, view) = session_of(state, headers).await?;
    if user.must_change_password {
        return Err(UiError::ChangePassword);
    }
    Ok((user, view))
}

/// As [`signed_in`], for the password page itself.
async fn session_of<S: LogStore>(state: &AppState<S>, headers: &HeaderMap) -> Result<(UserRecord, UserView), UiError> {
    let token = request_token(headers).ok_or(UiError::SignIn)?;
    let user = state.app.authenticate(&token).await?;
    let view = UserView {
        username: user.username.clone(),
        role_label: role_label(&user),
        csrf: csrf_for(&token),
        must_change_password: user.must_change_password,
        is_admin: state.app.allow(&user, crate::app::policy::Action::ManageUsers, None).is_ok(),
        sees_archive: crate::app::policy::sees_archive_lists(&user).is_ok(),
    };
    Ok((user, view))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    user: Option<UserView>,
    title: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    user: Option<UserView>,
    csrf: String,
    error: String,
    username: String,
}

fn login_page(status: StatusCode, error: &str, username: &str) -> Response {
    let mut raw = [0u8; 16];
    crate::datadir::fill_random(&mut raw);
    let csrf = hex::encode(raw);
    let page = LoginPage { user: None, csrf: csrf.clone(), error: error.to_string(), username: username.to_string() };
    let c = format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600");
    with_cookies((status, render(&page)).into_response(), &[c])
}

pub async fn login_form<S: LogStore>(State(state): State<AppState<S>>, headers: HeaderMap) -> Response {
    if signed_in(&state, &headers).await.is_ok() {
        return Redirect::to("/").into_response();
    }
    login_page(StatusCode::OK, "", "")
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf: String,
}

pub async fn login<S: LogStore>(
    State(state): State<AppState<S>>,
    ext: axum::http::Extensions,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return login_page(StatusCode::BAD_REQUEST, "请填写用户名和密码。", "");
    };
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !same(&expected, &form.csrf) {
        return login_page(StatusCode::FORBIDDEN, "登录页面已过期，请重新登录。", "");
    }
    let username = form.username.trim().chars().take(64).collect::<String>();
    let source = crate::web::client_ip(&state.app, &ext, &headers);
    match state.app.login_from(source, &username, &form.password, &form.code).await {
        Ok(login) => {
            let session = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
                login.token,
                crate::app::SESSION_TTL_MS / 1000
            );
            let clear = format!("{LOGIN_CSRF_COOKIE}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0");
            with_cookies(Redirect::to("/").into_response(), &[session, clear])
        }
        Err(AppError::BadCredentials) => login_page(StatusCode::UNAUTHORIZED, "用户名或密码错误。", &username),
        Err(e @ (AppError::Locked(_) | AppError::TooManyAttempts(_))) => {
            login_page(StatusCode::TOO_MANY_REQUESTS, &e.message(), &username)
        }
        Err(e @ AppError::SecondFactor) => login_page(StatusCode::UNAUTHORIZED, &e.message(), &username),
        Err(e) => UiError::from(e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = session_of(&state, &headers).await?;
    if !form.is_ok_and(|Form(f)| same(&view.csrf, &f.csrf)) {
        return Err(UiError::Page(StatusCode::FORBIDDEN, "请求被拒绝", "页面已过期，请刷新后重试。".to_string()));
    }
    state.app.logout(&user, &request_token(&headers).unwrap_or_default()).await?;
    let c = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    Ok(with_cookies(Redirect::to("/login").into_response(), &[c]))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    user: Option<UserView>,
    csrf: String,
    forced: bool,
    error: String,
}

pub async fn password_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Response, UiError> {
    let (user, view) = session_of(&state, &headers).await?;
    let page = PasswordPage {
        csrf: view.csrf.clone(),
        forced: user.must_change_password,
        error: String::new(),
        user: Some(view),
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
    /// The current TOTP code, for an account that turned TOTP on.
    #[serde(default)]
    code: String,
}

pub async fn change_password<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = session_of(&state, &headers).await?;
    let Ok(Form(f)) = form else {
        return Err(UiError::Page(StatusCode::BAD_REQUEST, "请求有误", "请填写当前密码和新密码。".to_string()));
    };
    if !same(&view.csrf, &f.csrf) {
        return Err(UiError::Page(StatusCode::FORBIDDEN, "请求被拒绝", "页面已过期，请刷新后重试。".to_string()));
    }
    let outcome = if f.new != f.confirm {
        Err("两次输入的新密码不一致。".to_string())
    } else {
        let keep = crate::web::cookie(&headers, crate::web::SESSION_COOKIE);
        state.app.change_password(&user, &f.current, &f.new, &f.code, keep.as_deref()).await.map_err(|e| match e {
            AppError::BadRequest(m) => m,
            other => other.message(),
        })
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/").into_response()),
        Err(error) => {
            let page =
                PasswordPage { csrf: view.csrf.clone(), forced: user.must_change_password, error, user: Some(view) };
            Ok((StatusCode::BAD_REQUEST, render(&page)).into_response())
        }
    }
}

pub struct DeadlineRow {
    pub case_id: String,
    pub case_no: String,
    pub code: String,
    pub label: String,
    pub source: String,
    pub due: String,
    pub status: &'static str,
    pub status_label: &'static str,
}

pub struct CaseRow {
    pub id: String,
    pub case_no: String,
    pub type_label: String,
    pub matter: String,
    pub party: String,
    pub state_label: String,
    pub defects: String,
    pub updated: String,
}

fn party_name(data: &Value) -> String {
    ["party", "applicant"].iter().find_map(|k| data[*k]["name"].as_str()).unwrap_or("—").to_string()
}

fn case_row(r: &CaseRecord) -> CaseRow {
    let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
    let defects = data["defects"].as_array().map_or(0, Vec::len);
    CaseRow {
        id: r.id.clone(),
        case_no: r.case_no.clone(),
        type_label: data["type_label"].as_str().unwrap_or(&r.case_type).to_string(),
        matter: r.matter.clone(),
        party: party_name(&data),
        state_label: data["state_label"].as_str().unwrap_or(&r.state).to_string(),
        defects: if defects == 0 { String::new() } else { format!("{defects} 项") },
        updated: when(r.updated_at_ms),
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    user: Option<UserView>,
    /// The alarm of the scheduled integrity check: what it found, for those who answer for the log.
    alarm: Vec<String>,
    /// The alarm of the last fixity pass over the stored files (档案管理员, 负责人).
    fixity_alarm: Vec<String>,
    /// 审批待办: (link, case number, task).
    inbox: Vec<(String, String, String)>,
    /// The inbox's first and next pages.
    inbox_first: Option<String>,
    inbox_next: Option<String>,
    deadlines: Vec<DeadlineRow>,
    deadlines_first: Option<String>,
    deadlines_next: Option<String>,
    cases: Vec<CaseRow>,
}

/// Where the 工作台's two lists start (each a `next_cursor` of its list; empty: its first page).
#[derive(Deserialize, Default)]
pub struct HomeQuery {
    #[serde(default)]
    inbox: String,
    #[serde(default)]
    deadlines: String,
}

/// Rows of the 工作台's lists a page.
const HOME_PAGE: usize = 30;

pub async fn home<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<Query<HomeQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    use liuhen_core::calendar::DeadlineStatus;
    let (user, view) = signed_in(&state, &headers).await?;
    let HomeQuery { inbox: inbox_at, deadlines: deadlines_at } = q.map(|Query(q)| q).unwrap_or_default();
    let (inbox_at, deadlines_at) =
        (Some(inbox_at.as_str()).filter(|c| !c.is_empty()), Some(deadlines_at.as_str()).filter(|c| !c.is_empty()));
    let now = state.app.clock.now();
    let filter = Default::default();
    // A cursor mangled in the address bar: the first page.
    let (deadlines, deadlines_next) = match state.app.deadline_page(&user, now, &filter, deadlines_at, HOME_PAGE).await
    {
        Err(AppError::BadRequest(_)) => state.app.deadline_page(&user, now, &filter, None, HOME_PAGE).await?,
        other => other?,
    };
    let (deadlines_first, deadlines_next) = pager("/?", "deadlines", "#deadlines", deadlines_at, deadlines_next);
    let deadlines = deadlines
        .into_iter()
        .map(|d| {
            let (status, status_label) = d.status_code_label();
            DeadlineRow {
                case_id: d.case_id,
                case_no: d.case_no,
                code: d.code,
                label: d.label,
                source: d.source,
                due: if d.status == DeadlineStatus::Unknown { "—".to_string() } else { when(d.due) },
                status,
                status_label,
            }
        })
        .collect();
    let cases = state.app.visible_cases(&user, 10).await?.iter().map(case_row).collect();
    let cases_filter = Default::default();
    let (inbox, inbox_next) = match state.app.inbox_page(&user, &cases_filter, inbox_at, HOME_PAGE).await {
        Err(AppError::BadRequest(_)) => state.app.inbox_page(&user, &cases_filter, None, HOME_PAGE).await?,
        other => other?,
    };
    let (inbox_first, inbox_next) = pager("/?", "inbox", "#inbox", inbox_at, inbox_next);
    let inbox = inbox
        .into_iter()
        .map(|p| {
            let link = match forms::spec(&p.case_type, &p.command) {
                _ if !p.document.is_empty() => format!("/documents/{}", p.document),
                Some(_) => format!("/cases/{}/do/{}", p.case_id, p.command),
                None => format!("/cases/{}", p.case_id),
            };
            (link, p.case_no, p.task)
        })
        .collect::<Vec<_>>();
    // Roles the 系统管理员 granted wait for a 负责人 (三员分立).
    let mut inbox = inbox;
    if inbox_at.is_none()
        && crate::app::policy::decide(&user, crate::app::policy::Action::ApproveGrant, None)
            == crate::app::policy::Decision::Allow
    {
        // The first page of them; the rest on 角色授权审批's own pages.
        let (waiting, more) = state.app.pending_grants(&user, None, crate::app::policy::PAGE as usize).await?;
        for u in waiting.iter().filter(|u| u.id != user.id) {
            let roles = pending_label(u).unwrap_or_default();
            inbox.push(("/admin/grants".to_string(), format!("账号 {}", u.username), format!("批准角色授权：{roles}")));
        }
        if more.is_some() {
            inbox.push((
                "/admin/grants".to_string(),
                "更多账号".to_string(),
                "批准角色授权（见角色授权审批）".to_string(),
            ));
        }
    }
    let alarm = match state.app.integrity_report(&user) {
        Ok(Some(r)) if !r.ok() => {
            let mut lines =
                vec![format!("{} 的定期完整性校验发现 {} 处问题：", when(r.checked_at_ms), r.problems.len())];
            lines.extend(r.problems.iter().take(5).cloned());
            lines
        }
        _ => Vec::new(),
    };
    let fixity_alarm = match state.app.fixity_report(&user) {
        Ok(Some(r)) if !r.ok() => {
            let n = r.failures.len() as u64 + r.failures_not_listed;
            let mut lines = vec![format!("{} 的完整性巡检发现 {n} 个文件有问题：", when(r.checked_at_ms))];
            lines.extend(r.failures.iter().take(5).map(|f| {
                format!("{}：{}", f["label"].as_str().unwrap_or_default(), f["sha256"].as_str().unwrap_or_default())
            }));
            lines
        }
        _ => Vec::new(),
    };
    Ok(render(&HomePage {
        user: Some(view),
        alarm,
        fixity_alarm,
        inbox,
        inbox_first,
        inbox_next,
        deadlines,
        deadlines_first,
        deadlines_next,
        cases,
    }))
}

#[derive(Template)]
#[template(path = "admin_grants.html")]
struct GrantsPage {
    user: Option<UserView>,
    csrf: String,
    /// (account id, username, roles in force, roles waiting, unit)
    grants: Vec<(String, String, String, String, String)>,
    /// The first and the next page.
    first: Option<String>,
    next: Option<String>,
}

/// A page of a UI list: `?at=` the `next_cursor` of the page before.
#[derive(Deserialize, Default)]
pub struct AtQuery {
    #[serde(default)]
    at: Option<String>,
}

/// 角色授权审批 (负责人): the roles the 系统管理员 granted that see case content, to approve or
/// refuse — never one's own.
pub async fn grants_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<axum::extract::Query<AtQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let at = q.ok().and_then(|q| q.0.at);
    let page = crate::app::policy::PAGE as usize;
    let (waiting, next) = match state.app.pending_grants(&user, at.as_deref(), page).await {
        // A cursor mangled in the address bar: the first page.
        Err(AppError::BadRequest(_)) => state.app.pending_grants(&user, None, page).await?,
        other => other?,
    };
    let grants = (waiting.iter())
        .filter(|u| u.id != user.id)
        .map(|u| {
            (u.id.clone(), u.username.clone(), role_label(u), pending_label(u).unwrap_or_default(), u.unit.clone())
        })
        .collect();
    let (first, next) = pager("/admin/grants?", "at", "", at.as_deref(), next);
    Ok(render(&GrantsPage { csrf: view.csrf.clone(), user: Some(view), grants, first, next }))
}

#[derive(Deserialize)]
pub struct GrantDecisionForm {
    #[serde(default)]
    csrf: String,
    /// `approve` or `refuse`.
    #[serde(default)]
    decision: String,
}

pub async fn decide_grant<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Form<GrantDecisionForm>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let Ok(Form(f)) = form else {
        return Err(UiError::Page(StatusCode::BAD_REQUEST, "请求有误", "请选择批准或拒绝。".to_string()));
    };
    if !same(&view.csrf, &f.csrf) {
        return Err(UiError::Page(StatusCode::FORBIDDEN, "请求被拒绝", "页面已过期，请刷新后重试。".to_string()));
    }
    let approve = match f.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(UiError::Page(StatusCode::BAD_REQUEST, "请求有误", "请选择批准或拒绝。".to_string())),
    };
    state.app.decide_grant(&user, &id, approve).await?;
    Ok(Redirect::to("/admin/grants").into_response())
}

pub struct TypeOption {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    user: Option<UserView>,
    can_create: bool,
    q: String,
    types: Vec<TypeOption>,
    cases: Vec<CaseRow>,
    /// The 立案 date range asked for (YYYY-MM-DD, or empty).
    from: String,
    to: String,
    /// The address of the next page, if there is one.
    next: Option<String>,
    /// The address of the first page, when this is not it.
    first: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct CaseFilter {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "type")]
    case_type: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    cursor: String,
}

/// A list page's place: where it starts (a `next_cursor` of the list; empty: the first page).
#[derive(Deserialize, Default)]
pub struct CursorQuery {
    #[serde(default)]
    pub cursor: String,
}

/// The links of a paged list at `base` (its address up to and including `?` or `&`) whose
/// place is query parameter `param`, then `anchor` (`#ledger`, or empty): the first page's
/// (when not on it) and the next page's (when there is one).
pub(crate) fn pager(
    base: &str,
    param: &str,
    anchor: &str,
    cursor: Option<&str>,
    next: Option<String>,
) -> (Option<String>, Option<String>) {
    let first = cursor.map(|_| format!("{}{anchor}", base.trim_end_matches(['?', '&'])));
    (first, next.map(|c| format!("{base}{param}={}{anchor}", query_escape(&c))))
}

/// `s` as a query-string value: every byte but the unreserved ones percent-encoded.
pub(crate) fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The kinds of case, as the filter offers them.
pub const CASE_TYPES: [(&str, &str); 5] = [
    ("inspection", "行政检查"),
    ("summary_penalty", "行政处罚（简易程序）"),
    ("ordinary_penalty", "行政处罚（普通程序）"),
    ("licence", "行政许可"),
    ("coercive_measure", "行政强制措施"),
];

pub async fn cases<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    filter: Result<Query<CaseFilter>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let f = filter.map(|Query(f)| f).unwrap_or_default();
    let q: String = f.q.trim().chars().take(100).collect();
    let known = |t: &str| CASE_TYPES.iter().any(|(code, _)| *code == t);
    let case_type = if known(&f.case_type) { f.case_type.clone() } else { String::new() };
    let day = |s: &str| liuhen_core::time::Date::parse(s.trim()).ok();
    let (from, to) = (day(&f.from), day(&f.to));
    // The same page and filters as the API's list (`GET /api/cases`).
    let filter = liuhen_store::CaseQuery {
        kind: Some(case_type.clone()).filter(|t| !t.is_empty()),
        text: Some(q.clone()).filter(|t| !t.is_empty()),
        opened_from_ms: from.map(|d| d.start().0),
        opened_before_ms: to.map(|d| d.plus_days(1).start().0),
        limit: crate::app::policy::PAGE,
        ..Default::default()
    };
    let cursor = Some(f.cursor.as_str()).filter(|c| !c.is_empty());
    let (page, next) = match state.app.case_page(&user, filter.clone(), cursor).await {
        // A cursor mangled in the address bar: the first page.
        Err(crate::app::AppError::BadRequest(_)) => state.app.case_page(&user, filter, None).await?,
        other => other?,
    };
    let rows: Vec<CaseRow> = page.iter().map(case_row).collect();
    let from: String = from.map(|d| d.to_string()).unwrap_or_default();
    let to: String = to.map(|d| d.to_string()).unwrap_or_default();
    // The list's address with the same filters, at `cursor`.
    let link = |cursor: &str| {
        let pairs =
            [("q", q.as_str()), ("type", case_type.as_str()), ("from", &*from), ("to", &*to), ("cursor", cursor)];
        let query: Vec<String> =
            pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", query_escape(v))).collect();
        format!("/cases?{}", query.join("&"))
    };
    let next = next.map(|c| link(&c));
    let first = cursor.map(|_| link(""));
    let types =
        CASE_TYPES.iter().map(|(code, label)| TypeOption { code, label, selected: *code == case_type }).collect();
    let can_create = state.app.allow(&user, crate::app::policy::Action::CreateCase, None).is_ok();
    Ok(render(&CasesPage { user: Some(view), can_create, q, types, cases: rows, from, to, next, first }))
}

pub struct CaseDeadlineRow {
    pub code: String,
    pub label: String,
    pub due: String,
    pub done: String,
    pub source: String,
}

pub struct TimelineRow {
    pub index: u64,
    pub when: String,
    pub event: String,
    pub actor: String,
    pub flags: String,
    /// What the step recorded: approvals with opinions and dates, the review, 文号, hearing,
    /// receipts — one line each.
    pub recorded: Vec<String>,
}

/// A procedural record (`app::cases::procedure_record`) as lines a reader follows.
fn recorded_lines(v: &Value, who: &dyn Fn(&str) -> String) -> Vec<String> {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    // A step signed with its signer's own key says so, with the key (电子签名法第十三条).
    let signed = |o: &Value| {
        o["key_id"].as_str().map(|k| format!("（SM2 电子签名，密钥 {}）", k.chars().take(16).collect::<String>()))
    };
    let opinion = |role: &str, o: &Value| {
        let by = o["by"].as_str().unwrap_or_default();
        let person = o["person"].as_str().map(|p| format!("（账号 {}）", who(p))).unwrap_or_default();
        format!(
            "{role}：{by}{person}，{}：{}{}",
            o["date"].as_str().unwrap_or_default(),
            o["opinion"].as_str().unwrap_or_default(),
            signed(o).unwrap_or_default()
        )
    };
    let mut out = Vec::new();
    if v["approval"].is_object() {
        for (k, role) in [("handler", "承办人意见"), ("reviewer", "审核人意见"), ("approver", "批准人意见")]
        {
            out.push(opinion(role, &v["approval"][k]));
        }
    }
    if v["approver"].is_object() {
        out.push(opinion("负责人意见", &v["approver"]));
    } else if v["approver"].is_string() {
        out.push(format!("负责人：{}", s("approver")));
    }
    if v["unit"].is_object() {
        out.push(opinion("承办机构意见", &v["unit"]));
    }
    if v["reviewer"].is_string() {
        let passed = if v["passed"] == true { "通过" } else { "未通过" };
        let person = v["person"].as_str().map(|p| format!("（账号 {}）", who(p))).unwrap_or_default();
        out.push(format!(
            "法制审核：{}{person}，{passed}，意见：{}{}",
            s("reviewer"),
            s("opinion"),
            signed(v).unwrap_or_default()
        ));
    }
    if v["form_no"].is_string() {
        let names: Vec<&str> =
            v["signed_by_names"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        out.push(format!("当场处罚决定书：{}，签名的执法人员：{}", s("form_no"), names.join("、")));
    }
    if let Some(names) = v["refusal_signed_by_names"].as_array().filter(|a| !a.is_empty()) {
        let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
        out.push(format!("当事人拒签，注明的执法人员：{}", names.join("、")));
    }
    if let Some(m) = v["members"].as_array() {
        let names: Vec<&str> = m.iter().filter_map(Value::as_str).collect();
        out.push(format!("参加集体讨论：{}", names.join("、")));
    }
    if v["by"].is_string() {
        let granted = if v["granted"] == true { "决定回避" } else { "决定不予回避" };
        out.push(format!("回避决定：{}，{granted}，{}", s("by"), s("opinion")));
    }
    if v["host"].is_string() {
        let host = if v["host_name"].is_string() { s("host_name") } else { s("host") };
        out.push(format!("听证主持人：{host}，听证日期：{}", s("hearing_on")));
    }
    if v["transcript_no"].is_string() {
        let agents: Vec<&str> = v["agents"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let public = if v["public"] == false { "不公开举行" } else { "公开举行" };
        let agents = if agents.is_empty() { "无".to_string() } else { agents.join("、") };
        out.push(format!("听证笔录：{}，{public}，代理人：{agents}", s("transcript_no")));
    }
    for (k, label) in [("doc_no", "文号"), ("receipt_no", "缴款凭证"), ("ruling_no", "法院裁定")] {
        if v[k].is_string() {
            out.push(format!("{label}：{}", s(k)));
        }
    }
    // A role's own step, signed over all it records by the account that took it.
    let step = &v["signed"];
    if step.is_object() {
        let person = step["person"].as_str().map(|p| format!("（账号 {}）", who(p))).unwrap_or_default();
        let at = step["at"].as_i64().map(when).unwrap_or_default();
        out.push(format!(
            "办理人：{}{person}，{at}{}",
            step["name"].as_str().unwrap_or_default(),
            signed(step).unwrap_or_default()
        ));
    }
    out
}

pub struct LedgerRow {
    pub index: u64,
    pub when: String,
    pub actor: String,
    pub access: &'static str,
    pub what: String,
    pub purpose: String,
}

/// A row of the case's 当事人查阅、复制台帐, with the next steps this user may take.
pub struct PartyRequestRow {
    pub requester: String,
    pub mode: &'static str,
    pub records: String,
    pub state: &'static str,
    pub links: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    user: Option<UserView>,
    id: String,
    case_no: String,
    type_label: String,
    state_label: String,
    matter: String,
    party: String,
    version: u64,
    /// 密级 in Chinese.
    confidentiality: &'static str,
    as_of: String,
    as_of_input: String,
    deadlines: Vec<CaseDeadlineRow>,
    defects: Vec<String>,
    /// The rules' advice (INFO), e.g. a renewal applied for late.
    notes: Vec<String>,
    timeline: Vec<TimelineRow>,
    /// The commands this user may run here, with their forms: (link, label).
    /// The forms of the case's commands by stage: (stage, [(href, label)]).
    actions: Vec<(&'static str, Vec<(String, &'static str)>)>,
    /// 当事人查阅、复制台帐: (requester, mode, records, state).
    party_requests: Vec<PartyRequestRow>,
    /// May take down a party's request here.
    may_request: bool,
    show_ledger: bool,
    /// The ledger's first and next pages.
    ledger_first: Option<String>,
    ledger_next: Option<String>,
    ledger: Vec<LedgerRow>,
    /// The case's records: (link, kind, label, why withheld — empty when shown).
    records: Vec<(String, &'static str, String, String)>,
    /// 音像记录 by record, with the coverage findings; none in a past view.
    av: Vec<AvRow>,
    /// The case's recordings linked to none of its records: (link, file name).
    av_loose: Vec<(String, String)>,
    /// 执法文书: (link, name, state) — none in a past view.
    documents: Vec<(String, String, String)>,
    /// The documents' first and next pages (when not on it, when there is one).
    documents_first: Option<String>,
    documents_next: Option<String>,
    /// The first and the next page of its parties' requests.
    requests_first: Option<String>,
    requests_next: Option<String>,
    /// May make documents here.
    may_write: bool,
    /// 行政执法公示: where it stands, and whether this user may publish or withdraw it now.
    publication: Option<(String, bool, bool)>,
    /// What publishing would post, word for word, for the 负责人 to check: (label, text).
    publication_preview: Vec<(&'static str, String)>,
}

/// A publication's content as (label, text) lines, in the order the public page shows them.
fn preview_lines(v: &Value) -> Vec<(&'static str, String)> {
    const LABELS: [(&str, &str); 11] = [
        ("title", "标题"),
        ("case_no", "案号"),
        ("doc_no", "文号"),
        ("party", "当事人"),
        ("matter", "事项"),
        ("facts", "违法事实"),
        ("legal_basis", "依据"),
        ("penalty", "处罚"),
        ("decision", "决定"),
        ("organ", "实施机关"),
        ("decided_on", "决定日期"),
    ];
    let mut out = Vec::new();
    for (key, label) in LABELS {
        let text = match &v[key] {
            Value::String(t) => t.clone(),
            Value::Object(p) => {
                let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
                match p.get("uscc").and_then(Value::as_str).filter(|u| !u.is_empty()) {
                    Some(u) => format!("{name}（统一社会信用代码 {u}）"),
                    None => name.to_string(),
                }
            }
            _ => continue,
        };
        out.push((label, text));
    }
    out
}

/// One record's 音像记录 on the case page.
pub struct AvRow {
    /// The record's id (`act/0`), for the form that explains a missing recording.
    pub record: String,
    pub label: String,
    pub mandatory: bool,
    /// Why the record has no recording, as written.
    pub reason: String,
    /// Whether the record still needs a recording or that written reason.
    pub ask_reason: bool,
    pub recordings: Vec<(String, String)>,
    pub findings: Vec<String>,
}

/// The case page's 音像记录 section: by record, and those linked to none.
async fn av_section<S: LogStore>(
    state: &AppState<S>,
    user: &UserRecord,
    case: &CaseRecord,
) -> Result<(Vec<AvRow>, Vec<(String, String)>), AppError> {
    let av = state.app.av_of(user, case).await?;
    let names: HashMap<String, String> = state
        .app
        .store
        .recordings(Some(&case.id), 10_000)
        .await?
        .into_iter()
        .map(|r| {
            let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
            let name = data["filename"].as_str().unwrap_or(&r.id).to_string();
            (r.id, name)
        })
        .collect();
    let link = |id: &Value| {
        let id = id.as_str().unwrap_or_default();
        (format!("/recordings/{id}"), names.get(id).cloned().unwrap_or_else(|| id.to_string()))
    };
    let rows = av["records"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| AvRow {
            record: r["record"].as_str().unwrap_or_default().to_string(),
            reason: r["unrecorded_reason"]["reason"].as_str().unwrap_or_default().to_string(),
            ask_reason: r["findings"].as_array().into_iter().flatten().any(|f| f["rule"] == "R-141"),
            label: format!(
                "{} {}：{}",
                r["record"].as_str().unwrap_or_default(),
                r["kind"].as_str().unwrap_or_default(),
                r["label"].as_str().unwrap_or_default()
            ),
            mandatory: r["mandatory"] == true,
            recordings: r["recordings"].as_array().into_iter().flatten().map(link).collect(),
            findings: r["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["message"].as_str().map(str::to_string))
                .collect(),
        })
        .collect();
    let loose = av["not_linked_to_a_record"].as_array().into_iter().flatten().map(link).collect();
    Ok((rows, loose))
}

#[derive(Deserialize, Default)]
pub struct AtForm {
    /// `YYYY-MM-DDTHH:MM` in Asia/Shanghai (a datetime-local input).
    #[serde(default)]
    at: String,
    /// Where the page's list of documents starts (a `next_cursor`; empty: the first page).
    #[serde(default)]
    documents: String,
    /// Where its access ledger starts.
    #[serde(default)]
    ledger: String,
    /// Where its parties' requests to read or copy start.
    #[serde(default)]
    requests: String,
}

/// Usernames by log actor (`user:<id>`), to show who did what.
async fn user_names<S: LogStore>(state: &AppState<S>) -> Result<HashMap<String, String>, AppError> {
    Ok(state.app.store.users().await?.into_iter().map(|u| (format!("user:{}", u.id), u.username)).collect())
}

/// `YYYY-MM-DDTHH:MM` (Asia/Shanghai) as Unix ms, the end of that minute.
fn parse_local(s: &str) -> Option<i64> {
    forms::parse_local(s).map(|ms| ms + 59_999)
}

pub async fn case_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    at: Result<Query<AtForm>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let AtForm { at, documents: documents_at, ledger: ledger_at, requests: requests_at } =
        at.map(|Query(a)| a).unwrap_or_default();
    let requests_at = Some(requests_at).filter(|c| !c.is_empty());
    let (documents_at, ledger_at) =
        (Some(documents_at).filter(|c| !c.is_empty()), Some(ledger_at).filter(|c| !c.is_empty()));
    let as_of = match at.trim() {
        "" => None,
        s => Some(parse_local(s).ok_or_else(|| {
            UiError::Page(StatusCode::BAD_REQUEST, "请求有误", "历史时刻格式应为 年-月-日T时:分".to_string())
        })?),
    };
    let case = state.app.view_case(&user, &id, as_of, "案件办理（页面查阅）").await?;
    let names = user_names(&state).await?;
    let who = |actor: &str| names.get(actor).cloned().unwrap_or_else(|| actor.to_string());
    let data: Value = serde_json::from_str(&case.record.data).unwrap_or(Value::Null);
    let deadlines = data["deadlines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| CaseDeadlineRow {
            code: d["code"].as_str().unwrap_or_default().to_string(),
            label: crate::app::cases::provisional_label(d),
            due: d["due"].as_i64().map(when).unwrap_or_else(|| "无法计算".to_string()),
            done: d["done_at"].as_i64().map(when).unwrap_or_else(|| "未完成".to_string()),
            source: d["source"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    let records = crate::app::records::records_in(&data)
        .into_iter()
        .map(|(rid, kind, label, v)| {
            let withheld = v["withheld"].as_str().map(|c| format!("已隐去（{c}）")).unwrap_or_default();
            (format!("/cases/{}/records/{rid}", case.record.id), kind, label, withheld)
        })
        .collect();
    let messages = |key: &str| -> Vec<String> {
        data[key].as_array().into_iter().flatten().filter_map(|d| d["message"].as_str().map(str::to_string)).collect()
    };
    let (defects, notes) = (messages("defects"), messages("notes"));
    let timeline = case
        .timeline
        .iter()
        .map(|(index, e)| {
            let name = e.action().strip_prefix("case.").unwrap_or(e.action());
            let flags: Vec<&str> = e
                .body()
                .get("flags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            TimelineRow {
                index: *index,
                when: when(e.time_ms),
                event: event_label(&case.record.case_type, name).map_or_else(|| name.to_string(), str::to_string),
                actor: who(e.actor()),
                flags: if flags.is_empty() { String::new() } else { format!("记录缺陷：{}", flags.join("、")) },
                recorded: case.recorded.get(index).map(|r| recorded_lines(r, &who)).unwrap_or_default(),
            }
        })
        .collect();
    // Only roles that supervise see who looked at the case.
    let page = crate::app::policy::PAGE as usize;
    let ledger_after =
        ledger_at.as_deref().and_then(|c| crate::app::policy::parse_cursor(c).ok()).map(|(i, _)| i as u64);
    let (show_ledger, lines, ledger_next) = match state.app.case_ledger(&user, &id, None, ledger_after, page).await {
        Ok((lines, next)) => (true, lines, next.map(|i| crate::app::policy::cursor_of(i as i64, ""))),
        Err(AppError::Forbidden) => (false, Vec::new(), None),
        Err(e) => return Err(e.into()),
    };
    let (ledger_first, ledger_next) =
        pager(&format!("/cases/{id}?"), "ledger", "#ledger", ledger_at.as_deref(), ledger_next);
    let ledger: Vec<LedgerRow> = lines
        .into_iter()
        .map(|l| LedgerRow {
            index: l.index,
            when: when(l.time_ms),
            actor: who(&l.actor),
            access: crate::app::ledger::access_label(&l.access),
            what: l.what,
            purpose: l.purpose,
        })
        .collect();
    let may_act = state.app.allow(&user, crate::app::policy::Action::CommandCase, Some(&case.record)).is_ok();
    let may_decide = state.app.allow(&user, crate::app::policy::Action::DecidePartyAccess, Some(&case.record)).is_ok();
    let (requests, requests_next) = match state.app.party_accesses(&user, &id, requests_at.as_deref(), page).await {
        // A cursor mangled in the address bar: the first page.
        Err(AppError::BadRequest(_)) => state.app.party_accesses(&user, &id, None, page).await?,
        other => other?,
    };
    let (requests_first, requests_next) =
        pager(&format!("/cases/{id}?"), "requests", "#party-access", requests_at.as_deref(), requests_next);
    let party_requests = requests
        .iter()
        .map(|a| {
            use liuhen_core::party_access::{Mode, State as S};
            let base = format!("/cases/{id}/party-access/{}", a.request.id);
            let links: Vec<(String, &'static str)> = match (a.state, a.request.mode) {
                (S::Requested, _) if may_decide => vec![(format!("{base}/decide"), "审批")],
                (S::Approved, _) if may_act => vec![(format!("{base}/deliver"), "提供材料")],
                (S::Delivered, Mode::View) if may_act => {
                    vec![(format!("{base}/material"), "查阅材料"), (format!("{base}/receipt"), "签收")]
                }
                (S::Delivered, Mode::Copy) if may_act => {
                    vec![(format!("{base}/material?print=1"), "打印复制件"), (format!("{base}/receipt"), "签收")]
                }
                _ => Vec::new(),
            };
            PartyRequestRow {
                requester: a.request.requester.clone(),
                mode: a.request.mode.label(),
                records: a.request.records.clone(),
                state: a.state.label(),
                links: if as_of.is_none() { links } else { Vec::new() },
            }
        })
        .collect();
    let mut actions: Vec<(&'static str, Vec<(String, &'static str)>)> =
        forms::STAGES.iter().map(|stage| (*stage, Vec::new())).collect();
    for s in forms::commands(&case.record.case_type).filter(|_| may_act && as_of.is_none()) {
        let stage = forms::stage_of(s.command);
        if let Some((_, links)) = actions.iter_mut().find(|(name, _)| *name == stage) {
            links.push((format!("/cases/{}/do/{}", case.record.id, s.command), s.label));
        }
    }
    actions.retain(|(_, links)| !links.is_empty());
    let (av, av_loose) =
        if as_of.is_none() { av_section(&state, &user, &case.record).await? } else { (Vec::new(), Vec::new()) };
    let (found, documents_next) = match as_of {
        None => match state.app.case_documents(&user, &case.record.id, documents_at.as_deref(), page).await {
            // A cursor mangled in the address bar: the first page.
            Err(AppError::BadRequest(_)) => state.app.case_documents(&user, &case.record.id, None, page).await?,
            other => other?,
        },
        Some(_) => (Vec::new(), None),
    };
    let (documents_first, documents_next) =
        pager(&format!("/cases/{id}?"), "documents", "#documents", documents_at.as_deref(), documents_next);
    let documents = if as_of.is_none() {
        found
            .iter()
            .map(|d| {
                let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
                let mut st = s("state_name");
                if d["withheld"].is_string() {
                    st = format!("已隐去（{}）", s("withheld"));
                }
                if d["superseded_by"].is_string() {
                    st.push_str("（已更正）");
                }
                (format!("/documents/{}", s("id")), s("name"), st)
            })
            .collect()
    } else {
        Vec::new()
    };
    // 公示 is the 负责人's: the state for all, the buttons for them.
    let publication = match as_of {
        Some(_) => None,
        None => state.app.publication_status(&case.record).await?.map(|(said, publish, withdraw)| {
            let head = crate::app::policy::roles(&user).contains(&crate::app::policy::Role::Approver);
            (said, publish && head, withdraw && head)
        }),
    };
    let publication_preview = match &publication {
        Some((_, true, _)) => state.app.publication_preview(&user, &id, &[]).await?.as_ref().map(preview_lines),
        _ => None,
    }
    .unwrap_or_default();
    let page = CasePage {
        documents,
        documents_first,
        requests_first,
        requests_next,
        documents_next,
        publication,
        publication_preview,
        may_write: may_act && as_of.is_none(),
        av,
        av_loose,
        user: Some(view),
        id: case.record.id.clone(),
        case_no: case.record.case_no.clone(),
        type_label: data["type_label"].as_str().unwrap_or(&case.record.case_type).to_string(),
        state_label: data["state_label"].as_str().unwrap_or(&case.record.state).to_string(),
        matter: case.record.matter.clone(),
        party: party_name(&data),
        version: case.record.version,
        confidentiality: crate::app::policy::CLASSES
            .iter()
            .find(|(code, _)| *code == case.record.confidentiality)
            .map_or("内部", |(_, label)| label),
        as_of: as_of.map(when).unwrap_or_default(),
        as_of_input: at.trim().chars().take(16).collect(),
        deadlines,
        defects,
        notes,
        timeline,
        actions,
        party_requests,
        may_request: may_act && as_of.is_none(),
        show_ledger,
        ledger,
        ledger_first,
        ledger_next,
        records,
    };
    Ok(render(&page))
}

/// The Chinese name of an event of a case of type `case_type`.
fn event_label(case_type: &str, name: &str) -> Option<&'static str> {
    Some(match (case_type, name) {
        ("coercive_measure", "proposed") => "提出强制措施",
        ("coercive_measure", "approved") => "负责人批准",
        ("coercive_measure", "executed") => "实施强制措施",
        ("coercive_measure", "ratified") => "补办批准手续",
        ("coercive_measure", "extended") => "延长期限",
        ("coercive_measure", "disposed") => "作出处理决定",
        ("licence", "decided") => "作出许可决定",
        ("licence", "extended") => "延长审查期限",
        (_, "registered") => "线索登记",
        (_, "opened") => "检查立项",
        (_, "started") => "当场处罚启动",
        (_, "applied") => "收到申请",
        (_, "correction_requested") => "告知补正",
        (_, "corrected") => "申请人补正",
        (_, "accepted") => "受理",
        (_, "not_accepted") => "不予受理",
        (_, "verified") => "现场核查",
        (_, "period_excluded") => "扣除听证、检验、鉴定等所需时间",
        (_, "certificate_issued") => "颁发证件",
        (_, "denial_served") => "送达不予许可决定",
        (_, "hearing_right_told") => "告知听证权利",
        (_, "on_site_recorded") => "现场检查",
        (_, "result_notified") => "告知检查结果",
        (_, "rectification_ordered") => "责令改正",
        (_, "reinspected") => "复查",
        (_, "converted_to_case") => "转为行政处罚案件",
        (_, "heard") => "听取陈述申辩",
        (_, "decision_issued") => "当场作出处罚决定",
        (_, "delivered") => "当场交付决定书",
        (_, "recorded_with_agency") => "报所属机关备案",
        (_, "filed") => "立案",
        (_, "not_filed") => "不予立案",
        (_, "investigated") => "现场执法",
        (_, "party_identified") => "查明当事人",
        (_, "evidence_recorded") => "调查取证",
        (_, "recusal_requested") => "申请回避",
        (_, "recusal_decided") => "回避决定",
        (_, "preservation_handled") => "先行登记保存处理决定",
        (_, "concluded") => "调查终结",
        (_, "proposed") => "承办机构拟作出决定",
        (_, "legal_reviewed") => "法制审核",
        (_, "discussed") => "集体讨论",
        (_, "notice_served") => "送达事先告知书",
        (_, "statement_heard") => "听取陈述申辩",
        (_, "waived") => "放弃陈述申辩",
        (_, "hearing_requested") => "申请听证",
        (_, "hearing_scheduled") => "通知听证",
        (_, "hearing_held") => "举行听证",
        (_, "hearing_terminated") => "终止听证",
        (_, "decided") => "作出处罚决定",
        (_, "not_penalised") => "不予行政处罚",
        (_, "served") => "送达决定书",
        (_, "relief_sought") => "当事人申请复议或提起诉讼",
        (_, "relief_concluded") => "复议、诉讼结果",
        (_, "payment_deferred") => "批准暂缓或分期缴纳",
        (_, "instalment_paid") => "分期缴纳",
        (_, "paid") => "缴纳罚款",
        (_, "order_performed") => "当事人履行（复查确认）",
        (_, "demand_served") => "送达催告书",
        (_, "demand_statement_heard") => "听取催告后的陈述申辩",
        (_, "court_applied") => "申请人民法院强制执行",
        (_, "court_ruled") => "法院裁定",
        (_, "enforcement_decided") => "作出强制执行决定",
        (_, "enforced") => "强制执行",
        (_, "demolition_announced") => "强制拆除公告",
        (_, "substitute_decided") => "作出代履行决定",
        (_, "substitute_reminded") => "代履行前催告",
        (_, "substitute_performed") => "代履行",
        (_, "property_disposed") => "没收财物处理",
        (_, "date_corrected") | (_, "execution_time_corrected") => "更正日期",
        (_, "closed") => "结案",
        _ => return None,
    })
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/app.css"),
    )
}

/// One input of a command form, as the template shows it.
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    /// For a field sent only in one case: which ("直接送达时"); empty otherwise.
    pub when: String,
    /// The HTML input type, or textarea / select / officers / fixed.
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub options: Vec<OptionView>,
    pub error: String,
    /// The longest text the server takes for it (the API description's `maxLength`).
    pub max: u64,
}

pub struct OptionView {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    user: Option<UserView>,
    title: String,
    case_no: String,
    action: String,
    back: String,
    csrf: String,
    version: u64,
    errors: Vec<String>,
    fields: Vec<FieldView>,
    /// 执法行为用语指引 for this activity, and the 音像记录事项清单 rows that apply (办法第二十条).
    phrases: Vec<String>,
    av_rows: Vec<String>,
}

/// The 用语指引 scenario and 音像记录 activity a command belongs to.
fn activity_of(command: &str) -> Option<(&'static str, &'static str)> {
    Some(match command {
        "record_on_site" | "reinspect" | "verify" => ("现场检查", "现场检查"),
        "hear" | "issue_decision" => ("告知陈述申辩", "当场处罚"),
        "deliver" | "order_rectification" | "serve" => ("送达", "留置送达"),
        "execute" => ("查封扣押", "查封扣押"),
        "summary" => ("现场检查", "当场处罚"),
        _ => return None,
    })
}

/// The guidance a form shows: the scenario's lines, and the A/V items of that activity.
async fn guidance<S: LogStore>(state: &AppState<S>, command: &str) -> Result<(Vec<String>, Vec<String>), AppError> {
    let Some((scenario, activity)) = activity_of(command) else { return Ok(Default::default()) };
    let phrases = state.app.catalogue(crate::app::catalogues::PHRASES).await?;
    let lines = phrases
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["scenario"] == scenario)
        .flat_map(|p| p["lines"].as_array().cloned().unwrap_or_default())
        .filter_map(|l| l.as_str().map(str::to_string))
        .collect();
    let items = state.app.catalogue(crate::app::catalogues::AV_ITEMS).await?;
    let rows = items
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["activity"] == activity)
        .map(|r| {
            format!(
                "{}：{}记录（{}至{}）：{}",
                r["activity"].as_str().unwrap_or_default(),
                r["mode"].as_str().unwrap_or_default(),
                r["start"].as_str().unwrap_or_default(),
                r["end"].as_str().unwrap_or_default(),
                r["content"].as_str().unwrap_or_default()
            )
        })
        .collect();
    Ok((lines, rows))
}

/// The fields of `spec` filled with `submitted` (empty for a new form), with their errors.
async fn field_views<S: LogStore>(
    state: &AppState<S>,
    spec: &forms::Spec,
    submitted: &forms::Submitted,
    errors: &[(&'static str, String)],
    records: &[(String, String)],
) -> Result<Vec<FieldView>, UiError> {
    let mut officers = state.app.store.officers().await.map_err(AppError::from)?;
    officers.sort_by(|a, b| a.cert_no.cmp(&b.cert_no));
    let value_of = |name: &str| submitted.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    Ok(spec
        .fields
        .iter()
        .map(|fld| {
            let value = if fld.kind == forms::Kind::Secret { String::new() } else { value_of(fld.name) };
            let (kind, options) = match fld.kind {
                forms::Kind::Secret => ("password", Vec::new()),
                forms::Kind::Yuan => ("text", Vec::new()),
                forms::Kind::Number | forms::Kind::OptNumber => ("number", Vec::new()),
                forms::Kind::OptDateTime => ("datetime-local", Vec::new()),
                forms::Kind::Gate => ("checkbox", Vec::new()),
                forms::Kind::Rows(_) | forms::Kind::Lines => ("textarea", Vec::new()),
                forms::Kind::Text => ("text", Vec::new()),
                forms::Kind::List => ("text", Vec::new()),
                forms::Kind::LongText => ("textarea", Vec::new()),
                forms::Kind::DateTime => ("datetime-local", Vec::new()),
                forms::Kind::Date => ("date", Vec::new()),
                forms::Kind::Bool => ("checkbox", Vec::new()),
                forms::Kind::Fixed(_) => ("fixed", Vec::new()),
                forms::Kind::Select(opts) => ("select", option_views(opts, |code| code == value)),
                forms::Kind::Multi(opts) | forms::Kind::Checks(opts) => {
                    ("multi", option_views(opts, |code| submitted.iter().any(|(k, v)| k == fld.name && v == code)))
                }
                forms::Kind::Officer => (
                    "select",
                    std::iter::once(OptionView {
                        code: String::new(),
                        label: "（无）".to_string(),
                        selected: value.is_empty(),
                    })
                    .chain(officers.iter().map(|o| OptionView {
                        code: o.id.clone(),
                        label: format!("{}（{}）", o.name, o.cert_no),
                        selected: o.id == value,
                    }))
                    .collect(),
                ),
                forms::Kind::Records => (
                    "officers",
                    records
                        .iter()
                        .map(|(id, label)| OptionView {
                            code: id.clone(),
                            label: label.clone(),
                            selected: submitted.iter().any(|(k, v)| k == fld.name && v == id),
                        })
                        .collect(),
                ),
                forms::Kind::Officers | forms::Kind::OfficerList => (
                    "officers",
                    officers
                        .iter()
                        .map(|o| OptionView {
                            code: o.id.clone(),
                            label: format!("{}（{}）", o.name, o.cert_no),
                            selected: submitted.iter().any(|(k, v)| k == fld.name && *v == o.id),
                        })
                        .collect(),
                ),
            };
            // The API's limit for the field; for a list typed in one input, the lists' own.
            let fallback = if kind == "textarea" { 5000 } else { 500 };
            let max = match fld.kind {
                forms::Kind::Text | forms::Kind::LongText => forms::max_length(spec, fld.path).unwrap_or(fallback),
                _ => fallback,
            };
            FieldView {
                max,
                name: fld.name,
                label: fld.label,
                when: when_label(spec, fld),
                kind,
                checked: !value.is_empty(),
                value,
                options,
                error: errors
                    .iter()
                    .filter(|(p, _)| *p == fld.name)
                    .map(|(_, m)| m.as_str())
                    .collect::<Vec<_>>()
                    .join("；"),
            }
        })
        .collect())
}

/// When a conditional field is to be filled: "直接送达时", "勾选上一项时".
fn when_label(spec: &forms::Spec, fld: &forms::Field) -> String {
    let Some((gate, value)) = fld.when else { return String::new() };
    match spec.fields.iter().find(|g| g.name == gate).map(|g| g.kind) {
        Some(forms::Kind::Select(opts)) => {
            opts.iter().find(|(code, _)| *code == value).map(|(_, label)| format!("{label}时")).unwrap_or_default()
        }
        _ => spec.fields.iter().find(|g| g.name == gate).map(|g| format!("{}时", g.label)).unwrap_or_default(),
    }
}

/// Fixed options as the template shows them, `selected` deciding which are chosen.
fn option_views(options: &[(&str, &str)], selected: impl Fn(&str) -> bool) -> Vec<OptionView> {
    options
        .iter()
        .map(|(code, label)| OptionView { code: code.to_string(), label: label.to_string(), selected: selected(code) })
        .collect()
}

/// Splits a failed command into the findings beside their fields and the rest.
fn placed(spec: &forms::Spec, form: &forms::Submitted, e: AppError) -> (Vec<(&'static str, String)>, Vec<String>) {
    match e {
        AppError::Refused(vs) => {
            let mut by_field = Vec::new();
            let mut general = Vec::new();
            for v in vs {
                match forms::field_of(spec, form, v.field) {
                    Some(path) => by_field.push((path, v.to_string())),
                    None => general.push(v.to_string()),
                }
            }
            (by_field, general)
        }
        other => (Vec::new(), vec![other.message()]),
    }
}

/// Reads a submitted form and checks its CSRF token against the session's.
fn submitted_form(
    view: &UserView,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<forms::Submitted, UiError> {
    let Ok(Form(submitted)) = form else {
        return Err(UiError::Page(StatusCode::BAD_REQUEST, "请求有误", "表单内容无法读取。".to_string()));
    };
    if !same(&view.csrf, submitted.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str())) {
        return Err(UiError::Page(StatusCode::FORBIDDEN, "请求被拒绝", "页面已过期，请刷新后重试。".to_string()));
    }
    Ok(submitted)
}

/// What a form page is about: its spec, the case (none for a new one), where it posts.
struct FormTarget<'a> {
    spec: &'static forms::Spec,
    case_no: &'a str,
    action: String,
    back: String,
    version: u64,
    /// The case's records a `Records` field offers: (id, label).
    records: Vec<(String, String)>,
}

/// Renders the form of `target`, filled with `submitted`, with errors beside their fields and
/// the rest above; `status` 200 for a fresh form, 422 for a refused one.
async fn form_page<S: LogStore>(
    state: &AppState<S>,
    view: UserView,
    target: FormTarget<'_>,
    submitted: &forms::Submitted,
    (by_field, general): (Vec<(&'static str, String)>, Vec<String>),
    status: StatusCode,
) -> Result<Response, UiError> {
    let (phrases, av_rows) = guidance(state, target.spec.command).await?;
    let page = FormPage {
        phrases,
        av_rows,
        title: target.spec.label.to_string(),
        case_no: target.case_no.to_string(),
        action: target.action,
        back: target.back,
        csrf: view.csrf.clone(),
        version: target.version,
        errors: general,
        fields: field_views(state, target.spec, submitted, &by_field, &target.records).await?,
        user: Some(view),
    };
    Ok((status, render(&page)).into_response())
}

pub async fn command_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((id, command)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let record = state.app.store.case(&id).await.map_err(AppError::from)?;
    state.app.allow(&user, crate::app::policy::Action::CommandCase, Some(&record))?;
    let spec = forms::spec(&record.case_type, &command).ok_or(AppError::NotFound)?;
    let target = FormTarget {
        spec,
        case_no: &record.case_no,
        action: format!("/cases/{id}/do/{command}"),
        back: format!("/cases/{id}"),
        version: record.version,
        records: Vec::new(),
    };
    form_page(&state, view, target, &Vec::new(), Default::default(), StatusCode::OK).await
}

pub async fn run_command<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((id, command)): Path<(String, String)>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    let record = state.app.store.case(&id).await.map_err(AppError::from)?;
    state.app.allow(&user, crate::app::policy::Action::CommandCase, Some(&record))?;
    let spec = forms::spec(&record.case_type, &command).ok_or(AppError::NotFound)?;
    let version = submitted
        .iter()
        .find(|(k, _)| k == "expected_version")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(record.version);
    let outcome = match forms::to_json(spec, &submitted) {
        Err(errors) => Err((errors, Vec::new())),
        Ok(mut json) => {
            // A form whose command is another's (a kind of record_evidence) fixes its own type.
            if json.get("type").is_none() {
                json["type"] = Value::from(command.as_str());
            }
            crate::app::requests::cases::execute_command(&state.app, &user, &id, version, json)
                .await
                .map_err(|e| placed(spec, &submitted, e))
        }
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(errors) => {
            let target = FormTarget {
                spec,
                case_no: &record.case_no,
                action: format!("/cases/{id}/do/{command}"),
                back: format!("/cases/{id}"),
                version,
                records: Vec::new(),
            };
            form_page(&state, view, target, &submitted, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The form opening a case of `kind`.
fn new_case_target(spec: &'static forms::Spec, kind: &str) -> FormTarget<'static> {
    FormTarget {
        spec,
        case_no: "",
        action: format!("/cases/new/{kind}"),
        back: "/cases".to_string(),
        version: 0,
        records: Vec::new(),
    }
}

pub async fn new_case_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(kind): Path<String>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    state.app.allow(&user, crate::app::policy::Action::CreateCase, None)?;
    let spec = forms::spec("new", &kind).ok_or(AppError::NotFound)?;
    let target = new_case_target(spec, &kind);
    form_page(&state, view, target, &Vec::new(), Default::default(), StatusCode::OK).await
}

pub async fn create_case<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    state.app.allow(&user, crate::app::policy::Action::CreateCase, None)?;
    let spec = forms::spec("new", &kind).ok_or(AppError::NotFound)?;
    let outcome = match forms::to_json(spec, &submitted) {
        Err(errors) => Err((errors, Vec::new())),
        Ok(json) => open_from_form(&state, &user, &kind, json).await.map_err(|e| placed(spec, &submitted, e)),
    };
    match outcome {
        Ok(record) => Ok(Redirect::to(&format!("/cases/{}", record.id)).into_response()),
        Err(errors) => {
            let target = new_case_target(spec, &kind);
            form_page(&state, view, target, &submitted, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    user: Option<UserView>,
    whose: String,
    can_search: bool,
    query: String,
    lines: Vec<LedgerRow>,
}

#[derive(Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    user: String,
}

/// What a user accessed: one's own; anyone's, by username, for 监督人员 and 负责人.
pub async fn ledger_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<Query<LedgerQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let query: String = q.map(|Query(q)| q.user).unwrap_or_default().trim().chars().take(32).collect();
    let can_search = state.app.allow(&user, crate::app::policy::Action::ViewUserLedger, None).is_ok();
    let subject = if query.is_empty() || query == user.username {
        user.clone()
    } else {
        if !can_search {
            return Err(UiError::Page(StatusCode::FORBIDDEN, "无权限", "只能查看本人的查阅记录。".to_string()));
        }
        state.app.store.user_by_username(&query).await.map_err(AppError::from)?
    };
    let lines = state
        .app
        .user_ledger(&user, &subject.id, None, 500)
        .await?
        .0
        .into_iter()
        .map(|l| LedgerRow {
            index: l.index,
            when: when(l.time_ms),
            actor: subject.username.clone(),
            access: crate::app::ledger::access_label(&l.access),
            what: l.what,
            purpose: l.purpose,
        })
        .collect();
    let page = LedgerPage { whose: subject.username.clone(), can_search, query, lines, user: Some(view) };
    Ok(render(&page))
}

pub struct AccountRow {
    pub username: String,
    pub roles: String,
    pub unit: String,
    pub officer: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct AccountsPage {
    user: Option<UserView>,
    accounts: Vec<AccountRow>,
    /// The list's first and next pages.
    first: Option<String>,
    next: Option<String>,
}

/// 账号管理 (系统管理员): the accounts, and a form for a new one.
pub async fn accounts_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<Query<CursorQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let officers = state.app.store.officers().await.map_err(AppError::from)?;
    let cursor = q.ok().map(|Query(q)| q.cursor).filter(|c| !c.is_empty());
    let size = crate::app::policy::PAGE as usize;
    let (found, next) = match state.app.accounts(&user, cursor.as_deref(), size).await {
        // A cursor mangled in the address bar: the first page.
        Err(AppError::BadRequest(_)) => state.app.accounts(&user, None, size).await?,
        other => other?,
    };
    let (first, next) = pager("/admin/users?", "cursor", "", cursor.as_deref(), next);
    let accounts = found
        .iter()
        .map(|u| AccountRow {
            username: u.username.clone(),
            roles: match pending_label(u) {
                Some(p) => format!("{}（待负责人批准：{p}）", role_label(u)),
                None => role_label(u),
            },
            unit: u.unit.clone(),
            officer: officers.iter().find(|o| o.id == u.officer_id).map(|o| o.name.clone()).unwrap_or_default(),
            status: if u.must_change_password { "待首次登录改密" } else { "正常" },
        })
        .collect();
    Ok(render(&AccountsPage { user: Some(view), accounts, first, next }))
}

/// Opens a case of `kind` from a form's JSON, through the API's own path.
async fn open_from_form<S: LogStore>(
    state: &AppState<S>,
    user: &UserRecord,
    kind: &str,
    json: Value,
) -> Result<CaseRecord, AppError> {
    let bad = |e: serde_json::Error| AppError::BadRequest(format!("表单内容有误：{e}"));
    match kind {
        "inspection" => {
            let f = serde_json::from_value(json).map_err(bad)?;
            crate::app::requests::cases::open_inspection_from(&state.app, user, f).await
        }
        "summary" => {
            let f = serde_json::from_value(json).map_err(bad)?;
            crate::app::requests::cases::start_summary_from(&state.app, user, f).await
        }
        "coercion" => {
            let f = serde_json::from_value(json).map_err(bad)?;
            crate::app::requests::cases::propose_measure_from(&state.app, user, f).await
        }
        "licence" => {
            let f = serde_json::from_value(json).map_err(bad)?;
            crate::app::requests::cases::apply_for_licence_from(&state.app, user, f).await
        }
        "penalty" => {
            let mut json = json;
            // A lead may not know its party yet: an empty party block is no party.
            if json["party"]["name"].as_str().is_some_and(|n| n.trim().is_empty()) {
                json["party"] = Value::Null;
            }
            let f = serde_json::from_value(json).map_err(bad)?;
            crate::app::requests::cases::register_lead_from(&state.app, user, f).await
        }
        _ => Err(AppError::NotFound),
    }
}

/// The new-account form's target.
fn account_target(spec: &'static forms::Spec) -> FormTarget<'static> {
    FormTarget {
        spec,
        case_no: "",
        action: "/admin/users/new".to_string(),
        back: "/admin/users".to_string(),
        version: 0,
        records: Vec::new(),
    }
}

pub async fn new_account_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    state.app.allow(&user, crate::app::policy::Action::ManageUsers, None)?;
    let spec = forms::spec("admin", "user").ok_or(AppError::NotFound)?;
    let target = account_target(spec);
    form_page(&state, view, target, &Vec::new(), Default::default(), StatusCode::OK).await
}

pub async fn create_account<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    state.app.allow(&user, crate::app::policy::Action::ManageUsers, None)?;
    let spec = forms::spec("admin", "user").ok_or(AppError::NotFound)?;
    let outcome = match forms::to_json(spec, &submitted) {
        Err(errors) => Err((errors, Vec::new())),
        Ok(json) => {
            let text = |k: &str| json[k].as_str().unwrap_or_default().trim().to_string();
            let new = crate::app::auth::NewUser {
                username: text("username"),
                roles: text("roles"),
                password: json["password"].as_str().unwrap_or_default().to_string(),
                must_change_password: true,
                officer_id: text("officer_id"),
                unit: text("unit"),
                name: text("name"),
            };
            state.app.add_user(Some(&user), new).await.map_err(|e| (Vec::new(), vec![e.message()]))
        }
    };
    match outcome {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(errors) => {
            let target = account_target(spec);
            form_page(&state, view, target, &submitted, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
