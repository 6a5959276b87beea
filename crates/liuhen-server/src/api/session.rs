//! Sign-in: `POST /api/session` with a username and password; `GET /api/me`.

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::web::{SESSION_COOKIE, client_ip};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use liuhen_store::LogStore;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Login")]
pub struct LoginForm {
    pub username: crate::app::requests::text::Text<64>,
    pub password: crate::app::requests::text::Text<1024>,
    /// The TOTP code, for an account that enabled it.
    #[serde(default)]
    pub code: crate::app::requests::text::Text<16>,
}

#[derive(Serialize)]
pub struct SessionDto {
    pub token: String,
    pub user: UserDto,
    pub expires_at: i64,
    /// The log entry that recorded this sign-in.
    pub entry: u64,
    /// The log's signed receipt for that entry (`liuhen verify --receipts` checks it).
    pub receipt: serde_json::Value,
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
    ext: axum::http::Extensions,
    headers: HeaderMap,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let form: LoginForm = super::described::body(form)?;
    let source = client_ip(&state.app, &ext, &headers);
    let login = state.app.login_from(source, form.username.trim(), &form.password, &form.code).await?;
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
        receipt: login.receipt.as_ref().and_then(|r| serde_json::from_str(&r.to_json()).ok()).unwrap_or_default(),
    };
    let mut resp = Json(dto).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// `DELETE /api/session`: signs out — the session or token of this request ends (logged) and
/// no longer authenticates; the session cookie is cleared.
pub async fn logout<S: LogStore>(State(state): State<AppState<S>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let user = super::require_session(&state, &headers).await?;
    let token = crate::web::request_token(&headers).ok_or(AppError::Unauthorized)?;
    state.app.logout(&user, &token).await?;
    let mut resp = axum::http::StatusCode::NO_CONTENT.into_response();
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "SigningKeyRenewal")]
pub struct SigningKeyForm {
    /// The account's own password: only it opens (and re-wraps) the signing key.
    pub password: crate::app::requests::text::Text<1024>,
}

/// `POST /api/me/signing-key`: the signed-in user replaces their SM2 signing key; the old one is
/// revoked (signatures made with it before now stay valid). Their public keys.
pub async fn renew_signing_key<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let f: SigningKeyForm = super::described::body(form)?;
    Ok(Json(state.app.renew_key(&user, &f.password).await?))
}

/// `GET /api/signing-keys/{id}`: a published signing key by its id — the PEM OpenSSL verifies
/// with, whose it is, when it was made and revoked.
pub async fn signing_key<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(_user): super::CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(state.app.signing_key(&id).await?))
}

pub async fn me<S: LogStore>(State(state): State<AppState<S>>, headers: HeaderMap) -> Result<Json<UserDto>, ApiError> {
    let user = super::require_session(&state, &headers).await?;
    Ok(Json(UserDto::from(&user)))
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "PasswordChange")]
pub struct PasswordForm {
    pub current: crate::app::requests::text::Text<1024>,
    /// At least 12 characters, neither the current password nor the username (422).
    #[schemars(length(min = 12))]
    pub new: crate::app::requests::text::Text<1024>,
    /// The current TOTP code, for an account that turned TOTP on.
    #[serde(default)]
    pub code: crate::app::requests::text::Text<16>,
}

/// `POST /api/me/password`: the signed-in user changes their password (the first sign-in's
/// forced change too), giving the current one (and the TOTP code if on); this session stays
/// valid, the account's other sign-in sessions end.
pub async fn change_password<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<UserDto>, ApiError> {
    let user = super::require_session(&state, &headers).await?;
    let f: PasswordForm = super::described::body(form)?;
    let token = crate::web::request_token(&headers).unwrap_or_default();
    state.app.change_password(&user, &f.current, &f.new, &f.code, Some(&token)).await?;
    let user = state.app.authenticate(&token).await?;
    Ok(Json(UserDto::from(&user)))
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Credentials")]
pub struct CredentialsForm {
    /// The account's current password.
    pub password: crate::app::requests::text::Text<1024>,
    /// The current TOTP code, when TOTP is on.
    #[serde(default)]
    pub code: crate::app::requests::text::Text<16>,
}

/// `POST /api/me/totp`: starts binding an authenticator app (the secret, once). It turns the
/// old one off, so it needs the current password (and code, when TOTP is on).
pub async fn begin_totp<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let f: CredentialsForm = super::described::body(form)?;
    let (secret, uri) = state.app.begin_totp(&user, &f.password, &f.code).await?;
    Ok(Json(serde_json::json!({"secret": secret, "uri": uri})))
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "TotpCode")]
pub struct CodeForm {
    pub code: crate::app::requests::text::Text<16>,
}

/// `POST /api/me/totp/confirm`: a code from the app turns the second factor on.
pub async fn confirm_totp<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<UserDto>, ApiError> {
    let f: CodeForm = super::described::body(form)?;
    state.app.confirm_totp(&user, &f.code).await?;
    Ok(Json(UserDto::from(&user)))
}
