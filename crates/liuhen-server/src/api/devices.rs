//! `/api/devices`: the registry of 音像记录设备 (办法第二十四条、第二十八条) — register, list, and
//! each step of a device's life (pre-use check, 领用, 归还, 交接, upkeep, move, 报废).

use crate::AppState;
use crate::app::devices::DeviceFilter;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use liuhen_store::LogStore;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Device")]
pub struct DeviceForm {
    /// 设备编号：1–40 位字母、数字、- 或 _.
    #[schemars(pattern(r"^[A-Za-z0-9_-]{1,40}$"))]
    pub number: crate::app::requests::text::Text<40>,
    pub model: crate::app::requests::text::Text<100>,
    #[schemars(schema_with = "device_kind")]
    pub kind: String,
    #[serde(default)]
    #[schemars(schema_with = "device_capabilities")]
    pub capabilities: Vec<String>,
    pub storage_place: crate::app::requests::text::Text<200>,
}

fn device_kind(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "string", "enum": liuhen_core::device::KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>()})
}

fn device_capabilities(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "array", "items": {"type": "string", "enum": liuhen_core::device::CAPABILITIES.iter().map(|(k, _)| *k).collect::<Vec<_>>()}})
}

/// The registry list's query: a page and its filters (a parameter it does not name: 400).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceListQuery {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub status: Option<String>,
    pub holder: Option<String>,
}

/// `GET /api/devices`: a page of the registry, each device with its state and the length of
/// its ledger; `status` and `holder` narrow it.
pub async fn list<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<Query<DeviceListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let filter = DeviceFilter { status: q.status, holder: q.holder };
    let page = super::cases::PageQuery { limit: q.limit, cursor: q.cursor };
    let (devices, next) = state.app.devices(&user, &filter, page.cursor.as_deref(), page.size()?).await?;
    Ok(Json(serde_json::json!({"devices": devices, "next_cursor": next})))
}

/// `POST /api/devices`: registers a device (the 设备管理员).
pub async fn register<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    state.app.allow(&user, crate::app::policy::Action::ManageDevices, None)?;
    let f: DeviceForm = super::described::body(form)?;
    let v = state.app.register_device(&user, &f.number, &f.model, &f.kind, &f.capabilities, &f.storage_place).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// `GET /api/devices/{number}`: one device and a page of its ledger, newest line first.
pub async fn get<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(number): Path<String>,
    q: Result<Query<super::cases::PageQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    Ok(Json(state.app.device(&user, &number, q.cursor.as_deref(), q.size()?).await?))
}

/// `POST /api/devices/{number}/commands`: one step, `{"type": "check"|"assign"|…, …}`.
pub async fn command<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(number): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    state.app.device_command_first(&user, &number).await?;
    let Json(cmd) = body?;
    Ok(Json(state.app.device_command(&user, &number, &cmd).await?))
}
