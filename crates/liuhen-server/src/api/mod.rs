//! HTTP handlers and their DTOs, one module per resource.

pub mod archive;
pub mod av;
pub mod cases;
pub mod described;
pub mod devices;
pub mod documents;
pub mod glossary;
pub mod log;
pub mod openapi;
pub mod party_access;
pub mod publication;
pub mod session;
pub mod uploads;
pub mod users;

use crate::AppState;
use crate::error::{ApiError, AppError};
use axum::http::HeaderMap;
use liuhen_store::{LogStore, UserRecord};

/// The signed-in user, or 401; an account still on its initial password may do nothing but
/// change it (403 PASSWORD_CHANGE_REQUIRED).
pub async fn require_user<S: LogStore>(state: &AppState<S>, headers: &HeaderMap) -> Result<UserRecord, AppError> {
    let user = require_session(state, headers).await?;
    if user.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(user)
}

/// The signed-in user of a request (401 without one; 403 PASSWORD_CHANGE_REQUIRED for an
/// account still on its initial password), extracted before anything else of the request —
/// the path's case, the body — is looked at.
pub struct CurrentUser(pub UserRecord);

impl<S: LogStore> axum::extract::FromRequestParts<AppState<S>> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        Ok(CurrentUser(require_user(state, &parts.headers).await?))
    }
}

/// The signed-in user, or 401, even one who must still change their initial password.
pub async fn require_session<S: LogStore>(state: &AppState<S>, headers: &HeaderMap) -> Result<UserRecord, AppError> {
    let token = crate::web::request_token(headers).ok_or(AppError::Unauthorized)?;
    state.app.authenticate(&token).await
}

/// The case `id` may be acted on by `user` as `action` (404 if hidden, 403 if only seen): asked
/// before the body is read, so a malformed request tells those who may not act nothing more.
pub(crate) async fn allowed_first<S: LogStore>(
    state: &AppState<S>,
    user: &liuhen_store::UserRecord,
    id: &str,
    action: crate::app::policy::Action,
) -> Result<(), crate::error::AppError> {
    state.app.allow(user, action, Some(&state.app.store.case(id).await?))
}

/// A case `user` may not see is 404 whatever the body says: asked before the body is read.
pub(crate) async fn hidden_first<S: LogStore>(
    state: &AppState<S>,
    user: &liuhen_store::UserRecord,
    id: &str,
) -> Result<(), crate::error::AppError> {
    state.app.allow(user, crate::app::policy::Action::ViewCase, Some(&state.app.store.case(id).await?))
}

/// The query of a read that takes no parameter: one given is refused (400), not ignored.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// `q` as read: 400 when it names a parameter.
pub fn no_params(
    q: Result<axum::extract::Query<NoParams>, axum::extract::rejection::QueryRejection>,
) -> Result<(), AppError> {
    q.map(drop).map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))
}
