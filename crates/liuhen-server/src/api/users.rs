//! Accounts: `GET /api/users` and `POST /api/users` (系统管理员 only, decided by the policy).

use crate::AppState;
use crate::app::auth::NewUser;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use liuhen_store::{LogStore, UserRecord};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "NewAccount")]
pub struct UserForm {
    #[schemars(pattern(r"^[a-z0-9._-]{2,32}$"))]
    pub username: crate::app::requests::text::Text<32>,
    /// Comma-separated role codes: officer, unit_head, legal_reviewer, approver,
    /// discussion_member, archivist, device_admin, supervisor, sysadmin.
    #[schemars(pattern(
        r"^(\s*,)*\s*(officer|unit_head|legal_reviewer|approver|discussion_member|archivist|device_admin|supervisor|sysadmin)\s*(,\s*((officer|unit_head|legal_reviewer|approver|discussion_member|archivist|device_admin|supervisor|sysadmin)\s*)?)*$"
    ))]
    pub roles: crate::app::requests::text::Text<500>,
    /// At least 12 characters; the user changes it at first sign-in.
    pub password: crate::app::requests::text::Text<1024>,
    #[serde(default)]
    pub officer_id: crate::app::requests::text::Text<64>,
    #[serde(default)]
    pub unit: crate::app::requests::text::Text<100>,
    /// The name the account's approvals and signatures are recorded under when it belongs to
    /// no officer (e.g. 张主任); empty: the username.
    #[serde(default)]
    pub name: crate::app::requests::text::Text<50>,
}

#[derive(Serialize)]
pub struct AccountDto {
    pub id: String,
    pub username: String,
    pub roles: Vec<&'static str>,
    pub role_labels: Vec<&'static str>,
    pub officer_id: String,
    pub unit: String,
    /// The name its steps are recorded under when it belongs to no officer.
    pub name: String,
    pub must_change_password: bool,
    /// Roles that see case content, granted by the 系统管理员 and waiting for a 负责人's
    /// approval: not in force yet.
    pub pending_roles: Vec<&'static str>,
}

impl From<&UserRecord> for AccountDto {
    fn from(u: &UserRecord) -> AccountDto {
        let roles = crate::app::policy::roles(u);
        let pending: Vec<&'static str> = u
            .pending_roles
            .split(',')
            .filter_map(crate::app::policy::Role::parse)
            .map(crate::app::policy::Role::code)
            .collect();
        AccountDto {
            pending_roles: pending,
            id: u.id.clone(),
            username: u.username.clone(),
            roles: roles.iter().map(|r| r.code()).collect(),
            role_labels: roles.iter().map(|r| r.label()).collect(),
            officer_id: u.officer_id.clone(),
            unit: u.unit.clone(),
            name: u.display_name.clone(),
            must_change_password: u.must_change_password,
        }
    }
}

pub async fn list_users<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<axum::extract::Query<super::cases::PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    state.app.allow(&user, crate::app::policy::Action::ManageUsers, None)?;
    let axum::extract::Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let (users, next) = state.app.accounts(&user, q.cursor.as_deref(), q.size()?).await?;
    let users: Vec<AccountDto> = users.iter().map(AccountDto::from).collect();
    Ok(Json(serde_json::json!({"users": users, "next_cursor": next})))
}

pub async fn add_user<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<AccountDto>), ApiError> {
    state.app.allow(&user, crate::app::policy::Action::ManageUsers, None)?;
    let f: UserForm = super::described::body(form)?;
    let new = NewUser {
        username: f.username.trim().to_string(),
        roles: f.roles.into_inner(),
        password: f.password.into_inner(),
        must_change_password: true,
        officer_id: f.officer_id.trim().to_string(),
        unit: f.unit.trim().to_string(),
        name: f.name.text("姓名")?.trim().to_string(),
    };
    let created = state.app.add_user(Some(&user), new).await?;
    Ok((StatusCode::CREATED, Json(AccountDto::from(&created))))
}

/// `GET /api/grants`: accounts whose roles wait for a 负责人's approval (负责人 only).
pub async fn pending_grants<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<axum::extract::Query<super::cases::PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let axum::extract::Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let (users, next) = state.app.pending_grants(&user, q.cursor.as_deref(), q.size()?).await?;
    let grants: Vec<AccountDto> = users.iter().map(AccountDto::from).collect();
    Ok(Json(serde_json::json!({"grants": grants, "next_cursor": next})))
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "GrantDecision")]
pub struct GrantForm {
    /// true: the waiting roles take effect; false: they are refused.
    pub approve: bool,
}

/// `POST /api/users/{id}/grant`: a 负责人 decides on the roles waiting on another account.
pub async fn decide_grant<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<AccountDto>, ApiError> {
    state.app.grant_first(&user, &id).await?;
    let f: GrantForm = super::described::body(form)?;
    let decided = state.app.decide_grant(&user, &id, f.approve).await?;
    Ok(Json(AccountDto::from(&decided)))
}

/// `GET /api/integrity`: the last scheduled check of the whole log (负责人, 系统管理员, 监督人员):
/// `{"checked": false}` before the first, else when, how many entries, `ok` and the problems.
pub async fn integrity<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(match state.app.integrity_report(&user)? {
        None => serde_json::json!({"checked": false}),
        Some(r) => serde_json::json!({"checked": true, "checked_at": r.checked_at_ms, "entries": r.entries,
            "ok": r.ok(), "problems": r.problems, "entry": r.entry}),
    }))
}

/// `GET /api/fixity`: the last fixity pass over the stored files (档案管理员, 负责人, 监督人员,
/// 系统管理员): `{"checked": false}` before the first.
pub async fn fixity<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(match state.app.fixity_report(&user)? {
        None => serde_json::json!({"checked": false}),
        Some(r) => {
            let mut v = r.json();
            v["checked"] = serde_json::Value::Bool(true);
            v
        }
    }))
}

/// `GET /api/inbox`: what waits for the signed-in user (审批待办).
/// The 审批待办's query: a page and the cases it is narrowed to (a parameter it does not name: 400).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub officer: Option<String>,
    pub matter: Option<String>,
}

pub async fn inbox<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<axum::extract::Query<InboxQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let axum::extract::Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let cases = super::cases::case_filter(&q.kind, &q.unit, &q.officer, &q.matter)?;
    let page = super::cases::PageQuery { limit: q.limit, cursor: q.cursor };
    let (items, next) = state.app.inbox_page(&user, &cases, page.cursor.as_deref(), page.size()?).await?;
    let items: Vec<serde_json::Value> = items
        .into_iter()
        .map(|p| {
            serde_json::json!({"case_id": p.case_id, "case_no": p.case_no, "task": p.task,
                "command": Some(p.command).filter(|c| !c.is_empty()),
                "document": (!p.document.is_empty()).then_some(p.document)})
        })
        .collect();
    Ok(Json(serde_json::json!({"inbox": items, "next_cursor": next})))
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "NewToken")]
pub struct TokenForm {
    #[schemars(length(min = 1, max = 64), pattern(r"\S"))]
    pub name: String,
    /// Days of validity (1–366).
    #[schemars(range(min = 1, max = 366))]
    pub days: u32,
}

fn token_json(t: &liuhen_store::TokenRecord) -> serde_json::Value {
    let now = crate::app::now_ms();
    serde_json::json!({"id": t.token_sha256.to_hex(), "name": t.name, "created_at": t.created_at_ms,
                       "expires_at": t.expires_at_ms, "active": t.expires_at_ms > now})
}

/// `GET /api/tokens`: the signed-in user's API tokens.
pub async fn tokens<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<axum::extract::Query<super::NoParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    super::no_params(q)?;
    Ok(Json(state.app.tokens(&user).await?.iter().map(token_json).collect()))
}

/// `POST /api/tokens`: a new token for the CLI or a device; its secret is in this answer only.
pub async fn create_token<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let f: TokenForm = super::described::body(form)?;
    let (secret, record) = state.app.create_token(&user, &f.name, f.days).await?;
    let mut v = token_json(&record);
    v["token"] = serde_json::Value::from(secret);
    Ok((StatusCode::CREATED, Json(v)))
}

/// `DELETE /api/tokens/{id}`: revokes one of one's tokens.
pub async fn revoke_token<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.revoke_token(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    /// The description's pattern for `roles` admits exactly the lists the server parses.
    #[test]
    fn the_roles_pattern_is_the_parsers() {
        let schema = serde_json::to_value(schemars::schema_for!(super::UserForm)).unwrap();
        let roles = &schema["properties"]["roles"];
        let pattern = roles["pattern"].as_str().or_else(|| roles["allOf"][1]["pattern"].as_str());
        let pattern = pattern.unwrap_or_else(|| panic!("roles has a pattern: {roles}"));
        let validator = jsonschema::validator_for(&serde_json::json!({"type": "string", "pattern": pattern})).unwrap();
        for sample in [
            "officer",
            "officer,approver",
            " officer , approver ",
            "officer,",
            ",officer",
            "officer,,approver",
            "sysadmin",
            "",
            ",",
            " ",
            "foo",
            "officer,foo",
            "officer approver",
            "Officer",
            "officer;approver",
            "unit_head,legal_reviewer,discussion_member,archivist,device_admin,supervisor",
            "approver,\u{3000}",
        ] {
            let parsed = crate::app::policy::parse_roles(sample).is_ok();
            assert_eq!(validator.is_valid(&serde_json::json!(sample)), parsed, "{sample:?}");
        }
    }
}
