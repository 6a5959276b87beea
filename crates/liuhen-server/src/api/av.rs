//! 音像记录 in their cases: `POST /api/recordings/{id}/link` (case, records, catalogue item),
//! `POST /api/recordings/{id}/interruptions` (办法第二十二条), `GET /api/cases/{id}/av` (coverage,
//! R-140) and `GET /api/av/overdue` (the 24-hour rule, 办法第二十三条).

use crate::AppState;
use crate::app::AppError;
use crate::app::av::{InterruptionInput, Link};
use crate::error::ApiError;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use liuhen_store::LogStore;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "RecordingLink")]
pub struct LinkForm {
    pub case: crate::app::requests::text::Text<64>,
    #[serde(default)]
    pub records: Vec<crate::app::requests::text::Text<64>>,
    #[serde(default)]
    pub av_item: crate::app::requests::text::Text<64>,
    #[serde(default)]
    pub activity_ended_at: Option<i64>,
    #[serde(default)]
    pub reason: crate::app::requests::text::Text<500>,
}

/// `POST /api/recordings/{id}/link`.
pub async fn link<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    state.app.recording(&user, &id).await?;
    let f: LinkForm = super::described::body(form)?;
    let reason = f.reason.text("更正理由")?;
    let link = Link {
        case: f.case.into_inner(),
        records: f.records.into_iter().map(|r| r.into_inner()).collect(),
        av_item: f.av_item.into_inner(),
        activity_ended_at: f.activity_ended_at,
        reason,
    };
    let r = state.app.link_recording(&user, &id, link).await?;
    Ok(Json(super::uploads::recording_json(&r)))
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Interruption")]
pub struct InterruptionForm {
    pub from: i64,
    pub to: i64,
    /// 设备故障、天气恶劣、人为阻挠等.
    #[schemars(pattern(r"\S"))]
    pub cause: crate::app::requests::text::Text<200>,
    #[serde(default)]
    pub spoken_at: Option<i64>,
    #[serde(default)]
    pub written: crate::app::requests::text::Text<2000>,
    #[serde(default)]
    pub signed_by: Vec<crate::app::requests::text::Text<100>>,
    #[serde(default)]
    pub replaces: Option<usize>,
}

/// `POST /api/recordings/{id}/interruptions`.
pub async fn interruption<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    state.app.may_change_recording(&user, &state.app.recording(&user, &id).await?).await?;
    let f: InterruptionForm = super::described::body(form)?;
    let input = InterruptionInput {
        from: f.from,
        to: f.to,
        cause: f.cause.text("中断原因")?,
        spoken_at: f.spoken_at,
        written: f.written.text("书面说明")?,
        signed_by: f.signed_by.iter().map(|s| s.text("签名人")).collect::<Result<_, _>>()?,
        replaces: f.replaces,
    };
    let r = state.app.record_interruption(&user, &id, input).await?;
    Ok(Json(super::uploads::recording_json(&r)))
}

/// `GET /api/cases/{id}/av`.
pub async fn case_av<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.app.case_av(&user, &id).await?))
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Unrecorded")]
pub struct UnrecordedForm {
    pub record: crate::app::requests::text::Text<64>,
    #[schemars(pattern(r"\S"))]
    pub reason: crate::app::requests::text::Text<1000>,
}

/// `POST /api/cases/{id}/av/unrecorded`: why a record was made without a recording (R-141).
pub async fn unrecorded<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    state.app.case_for_command(&user, &id).await?;
    let f: UnrecordedForm = super::described::body(form)?;
    state.app.explain_unrecorded(&user, &id, &f.record, &f.reason).await?;
    Ok(Json(state.app.case_av(&user, &id).await?))
}

/// `GET /api/av/overdue?limit=&cursor=`: a page of the overdue list and the cursor of the next.
pub async fn overdue<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<Query<super::cases::PageQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let (overdue, next_cursor) = state.app.overdue_av(&user, q.cursor.as_deref(), q.size()?).await?;
    Ok(Json(serde_json::json!({"overdue": overdue, "next_cursor": next_cursor})))
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Clip")]
pub struct ClipForm {
    pub from_ms: i64,
    pub to_ms: i64,
    /// What the clip is for (required).
    #[serde(default)]
    #[schemars(pattern(r"\S"))]
    pub reason: crate::app::requests::text::Text<500>,
}

/// `POST /api/recordings/{id}/clips`: a stretch cut into a new recording naming its original.
pub async fn clip<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(axum::http::StatusCode, Json<Value>), ApiError> {
    state.app.may_change_recording(&user, &state.app.recording(&user, &id).await?).await?;
    let f: ClipForm = super::described::body(form)?;
    let reason = f.reason.text("剪辑用途")?;
    let r = state.app.clip_recording(&user, &id, f.from_ms, f.to_ms, &reason).await?;
    Ok((axum::http::StatusCode::CREATED, Json(super::uploads::recording_json(&r))))
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "DisposalStep")]
#[serde(deny_unknown_fields)]
pub struct DisposalForm {
    /// `request` 档案管理员提出销毁申请，或 `approve` 负责人批准（须两名申请人以外的负责人）。
    #[schemars(extend("enum" = ["request", "approve"]))]
    pub step: String,
    /// 销毁理由（申请时必填：保管期限届满、经鉴定无保存价值等）。
    #[serde(default)]
    pub reason: crate::app::requests::text::Text<500>,
}

/// `POST /api/recordings/{id}/disposal`: a step of a recording's disposal.
pub async fn disposal<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    use crate::app::policy::{Role, roles};
    if !roles(&user).iter().any(|r| matches!(r, Role::Archivist | Role::Approver)) {
        return Err(AppError::Forbidden.into());
    }
    match state.app.store.recording(&id).await {
        Ok(_) => {}
        Err(liuhen_store::StoreError::NotFound) => return Err(AppError::NotFound.into()),
        Err(e) => return Err(AppError::from(e).into()),
    }
    let f: DisposalForm = super::described::body(form)?;
    Ok(Json(state.app.disposal_step(&user, &id, &f.step, &f.reason.text("销毁理由")?).await?))
}
