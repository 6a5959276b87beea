//! Accounts: `GET /api/users` and `POST /api/users` (系统管理员 only, decided by the policy).

use crate::AppState;
use crate::api::require_user;
use crate::app::auth::NewUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode};
use liuhen_store::{LogStore, UserRecord};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct UserForm {
    pub username: String,
    /// Comma-separated role codes: officer, unit_head, legal_reviewer, approver,
    /// discussion_member, archivist, device_admin, supervisor, sysadmin.
    pub roles: String,
    /// At least 12 characters; the user changes it at first sign-in.
    pub password: String,
    #[serde(default)]
    pub officer_id: String,
    #[serde(default)]
    pub unit: String,
}

#[derive(Serialize)]
pub struct AccountDto {
    pub id: String,
    pub username: String,
    pub roles: Vec<&'static str>,
    pub role_labels: Vec<&'static str>,
    pub officer_id: String,
    pub unit: String,
    pub must_change_password: bool,
}

impl From<&UserRecord> for AccountDto {
    fn from(u: &UserRecord) -> AccountDto {
        let roles = crate::app::policy::roles(u);
        AccountDto {
            id: u.id.clone(),
            username: u.username.clone(),
            roles: roles.iter().map(|r| r.code()).collect(),
            role_labels: roles.iter().map(|r| r.label()).collect(),
            officer_id: u.officer_id.clone(),
            unit: u.unit.clone(),
            must_change_password: u.must_change_password,
        }
    }
}

pub async fn list_users<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Json<Vec<AccountDto>>, ApiError> {
    let user = require_user(&state, &headers).await?;
    let users = state.app.accounts(&user).await?;
    Ok(Json(users.iter().map(AccountDto::from).collect()))
}

pub async fn add_user<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Json<UserForm>, JsonRejection>,
) -> Result<(StatusCode, Json<AccountDto>), ApiError> {
    let user = require_user(&state, &headers).await?;
    let Json(f) = form?;
    let new = NewUser {
        username: f.username.trim().to_string(),
        roles: f.roles,
        password: f.password,
        must_change_password: true,
        officer_id: f.officer_id.trim().to_string(),
        unit: f.unit.trim().to_string(),
    };
    let created = state.app.add_user(Some(&user), new).await?;
    Ok((StatusCode::CREATED, Json(AccountDto::from(&created))))
}

/// `GET /api/inbox`: what waits for the signed-in user (审批待办).
pub async fn inbox<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    let user = require_user(&state, &headers).await?;
    let items = state.app.inbox(&user).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|p| serde_json::json!({"case_id": p.case_id, "case_no": p.case_no, "task": p.task, "command": p.command}))
            .collect(),
    ))
}
