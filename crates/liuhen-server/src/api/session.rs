//! Sign-in: `POST /api/session` with a username and password; `GET /api/me`.

use crate::AppState;
use crate::api::SESSION_COOKIE;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use liuhen_store::LogStore;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    /// The TOTP code, for an account that enabled it.
    #[serde(default)]
    pub code: String,
}

#[derive(Serialize)]
pub struct SessionDto {
    pub token: String,
    pub user: UserDto,
    pub expires_at: i64,
    /// The log entry that recorded this sign-in.
    pub entry: u64,
}

#[derive(Serialize)]
pub struct UserDto {
    pub id: String,
    pub username: String,
    pub role: String,
    pub must_change_password: bool,
}

impl From<&liuhen_store::UserRecord> for UserDto {
    fn from(u: &liuhen_store::UserRecord) -> UserDto {
        UserDto {
            id: u.id.clone(),
            username: u.username.clone(),
            role: u.role.clone(),
            must_change_password: u.must_change_password,
        }
    }
}

pub async fn login<S: LogStore>(
    State(state): State<AppState<S>>,
    form: Result<Json<LoginForm>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(form) = form?;
    let login = state.app.login_with(form.username.trim(), &form.password, &form.code).await?;
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        login.token,
        crate::app::SESSION_TTL_MS / 1000
    );
    let dto = SessionDto {
        token: login.token.clone(),
        user: UserDto::from(&login.user),
        expires_at: login.expires_at_ms,
        entry: login.entry,
    };
    let mut resp = Json(dto).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

pub async fn me<S: LogStore>(State(state): State<AppState<S>>, headers: HeaderMap) -> Result<Json<UserDto>, ApiError> {
    let user = super::require_session(&state, &headers).await?;
    Ok(Json(UserDto::from(&user)))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    pub current: String,
    pub new: String,
}

/// `POST /api/me/password`: the signed-in user changes their password (the first sign-in's
/// forced change too); the session stays valid.
pub async fn change_password<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Json<PasswordForm>, JsonRejection>,
) -> Result<Json<UserDto>, ApiError> {
    let user = super::require_session(&state, &headers).await?;
    let Json(f) = form?;
    state.app.change_password(&user, &f.current, &f.new).await?;
    let user = state.app.authenticate(&super::request_token(&headers).unwrap_or_default()).await?;
    Ok(Json(UserDto::from(&user)))
}

/// `POST /api/me/totp`: starts binding an authenticator app (the secret, once).
pub async fn begin_totp<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let user = super::require_user(&state, &headers).await?;
    let (secret, uri) = state.app.begin_totp(&user).await?;
    Ok(Json(serde_json::json!({"secret": secret, "uri": uri})))
}

#[derive(Deserialize)]
pub struct CodeForm {
    pub code: String,
}

/// `POST /api/me/totp/confirm`: a code from the app turns the second factor on.
pub async fn confirm_totp<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Json<CodeForm>, JsonRejection>,
) -> Result<Json<UserDto>, ApiError> {
    let user = super::require_user(&state, &headers).await?;
    let Json(f) = form?;
    state.app.confirm_totp(&user, &f.code).await?;
    Ok(Json(UserDto::from(&user)))
}
