//! 归档 over HTTP (办法第二十五条): a case's file as it stands and what keeps it from being
//! filed; the 承办人's handover and the 档案管理员's filing; the archivist's lists.

use crate::AppState;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use liuhen_store::LogStore;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "CaseFileStep")]
#[serde(deny_unknown_fields)]
pub struct CaseFileForm {
    /// `hand_over` 移交归档（结案后由本案承办人员办理）、`file` 归档（档案管理员办理），
    /// 或 `hold` 保全、`release` 解除保全（负责人办理，须写明理由），或 `note` 归档后的备考
    /// （档案管理员办理，写在移交说明字段）。
    #[schemars(extend("enum" = ["hand_over", "file", "hold", "release", "note"]))]
    pub action: String,
    /// 保全或解除保全的理由（复议、诉讼、调查或法院的要求等）。
    #[serde(default)]
    pub reason: crate::app::requests::text::Text<2000>,
    /// 移交时承办人员的说明；`note` 时为备考的内容。
    #[serde(default)]
    pub note: crate::app::requests::text::Text<2000>,
    /// 归档时的保管期限：Y 永久、D30 定期30年、D10 定期10年；缺省为该类案卷的最短期限。
    #[serde(default)]
    #[schemars(extend("enum" = ["Y", "D30", "D10", null]))]
    pub retention: Option<String>,
}

/// `GET /api/cases/{id}/archive`.
pub async fn view<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.app.case_file_view(&user, &id).await?))
}

/// `POST /api/cases/{id}/archive`.
pub async fn step<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    // Asked before the body is read: a case the caller may neither act on nor file is hidden or
    // forbidden whatever was sent.
    let case = state.app.store.case(&id).await?;
    if state.app.allow(&user, crate::app::policy::Action::FileCase, Some(&case)).is_err() {
        state.app.allow(&user, crate::app::policy::Action::CommandCase, Some(&case))?;
    }
    let f: CaseFileForm = super::described::body(form)?;
    let v = match f.action.as_str() {
        "hand_over" => state.app.hand_over(&user, &id, &f.note.text("移交说明")?).await?,
        "file" => state.app.file_case(&user, &id, f.retention.as_deref()).await?,
        "hold" | "release" => state.app.hold_file(&user, &id, f.action == "hold", &f.reason.text("理由")?).await?,
        "note" => state.app.note_file(&user, &id, &f.note.text("备考")?).await?,
        _ => return Err(AppError::BadRequest("action 须为 hand_over、file、hold、release 或 note".into()).into()),
    };
    Ok(Json(v))
}

/// The archivist's lists: the files in a state, a page at a time.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct FilesQuery {
    /// `handed_over` (待归档, the default) or `filed`.
    pub state: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// `GET /api/archive/files?state&limit&cursor`.
pub async fn files<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<Query<FilesQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let size = super::cases::page_size(q.limit)?;
    let which = q.state.as_deref().unwrap_or("handed_over");
    let (files, next) = state.app.case_files(&user, which, q.cursor.as_deref(), size).await?;
    Ok(Json(json!({"files": files, "next_cursor": next})))
}

/// 保管期限: the filed files whose retention runs out within `days` (default 365).
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RetentionQuery {
    /// Days ahead of today (at most 36,600); files already run out are listed first.
    pub days: Option<u32>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// `GET /api/archive/retention?days&limit&cursor`.
pub async fn retention<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<Query<RetentionQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let size = super::cases::page_size(q.limit)?;
    let days = q.days.unwrap_or(365);
    let (files, next) = state.app.expiring_files(&user, days, q.cursor.as_deref(), size).await?;
    Ok(Json(json!({"files": files, "next_cursor": next})))
}

/// 销毁审批: the recordings in a state of disposal.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DisposalsQuery {
    /// `requested` (waiting for approval, the default) or `disposed`.
    pub state: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// `GET /api/archive/disposals?state&limit&cursor`.
pub async fn disposals<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<Query<DisposalsQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let size = super::cases::page_size(q.limit)?;
    let which = q.state.as_deref().unwrap_or("requested");
    let (list, next) = state.app.disposals(&user, which, q.cursor.as_deref(), size).await?;
    Ok(Json(json!({"disposals": list, "next_cursor": next})))
}
