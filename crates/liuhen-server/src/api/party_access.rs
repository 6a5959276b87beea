//! 当事人查阅、复制 over HTTP: `GET|POST /api/cases/{id}/party-access`,
//! `POST /api/cases/{id}/party-access/{request}` (decide, deliver, receipt).

use crate::AppState;
use crate::app::requests::party_access::{RequestForm, StepForm, request_from, step_from};
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use liuhen_core::party_access::{Access, Step};
use liuhen_store::LogStore;
use serde_json::{Value, json};

fn access_json(a: &Access) -> Value {
    let steps: Vec<Value> = a
        .steps
        .iter()
        .map(|s| match s {
            Step::Requested(r) => json!({"step": "requested", "at": r.at.0}),
            Step::Decided { at, by, approved, reasons } => {
                json!({"step": "decided", "at": at.0, "by": by, "approved": approved, "reasons": reasons})
            }
            Step::Delivered { at, until, pages, watermark, records } => json!({"step": "delivered", "at": at.0,
                "until": until.map(|u| u.0), "pages": pages, "watermark": watermark, "records": records}),
            Step::Receipted { at, signed_by, refusal } => {
                json!({"step": "receipted", "at": at.0, "signed_by": signed_by, "refusal": refusal})
            }
        })
        .collect();
    let r = &a.request;
    json!({
        "id": r.id, "state": a.state.code(), "state_label": a.state.label(), "mode": r.mode.code(), "mode_label": r.mode.label(),
        "requester": r.requester, "relation": r.relation, "id_checked": r.id_checked, "records": r.records,
        "purpose": r.purpose, "authorisation": r.authorisation, "steps": steps,
    })
}

pub async fn list<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    q: Result<axum::extract::Query<super::cases::PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let axum::extract::Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let (page, next) = state.app.party_accesses(&user, &id, q.cursor.as_deref(), q.size()?).await?;
    let requests: Vec<Value> = page.iter().map(access_json).collect();
    Ok(Json(serde_json::json!({"requests": requests, "next_cursor": next})))
}

pub async fn request<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    super::hidden_first(&state, &user, &id).await?;
    // Asked before the body is read: who may not record a request learns nothing from its shape.
    let case = state.app.store.case(&id).await?;
    state.app.allow(&user, crate::app::policy::Action::CommandCase, Some(&case))?;
    if !crate::app::policy::performs(&user, &case, "party_access") {
        return Err(AppError::NotYourStep(crate::app::party_access::NOT_THE_RECEIVER.into()).into());
    }
    let f: RequestForm = super::described::body(form)?;
    let a = request_from(&state.app, &user, &id, f).await?;
    Ok((StatusCode::CREATED, Json(access_json(&a))))
}

pub async fn step<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path((id, request_id)): Path<(String, String)>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    // A hidden case is 404, and so is a request it does not have, whatever the body says.
    state.app.party_access_first(&user, &id, &request_id).await?;
    let f: StepForm = super::described::body(form)?;
    let a = step_from(&state.app, &user, &id, &request_id, f).await?;
    Ok(Json(access_json(&a)))
}
