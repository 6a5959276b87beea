//! 当事人查阅、复制 in the browser: the request taken down, the approver's decision, the
//! delivery of chosen records, the party's receipt — each a form running the API's own code.

use super::{FormTarget, UiError, form_page, forms, signed_in, submitted_form};
use crate::AppState;
use crate::app::AppError;
use crate::app::requests::party_access::{RequestForm, StepForm, request_from, step_from};
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use liuhen_store::{CaseRecord, LogStore};
use serde_json::Value;

/// The form of `step` (request, decide, deliver, receipt) for case `case`.
fn target(case: &CaseRecord, step: &str, request: Option<&str>) -> Result<FormTarget<'static>, AppError> {
    let spec = forms::spec("party", step).ok_or(AppError::NotFound)?;
    let action = match request {
        None => format!("/cases/{}/party-access/new", case.id),
        Some(r) => format!("/cases/{}/party-access/{r}/{step}", case.id),
    };
    let data: Value = serde_json::from_str(&case.data).unwrap_or(Value::Null);
    let records = crate::app::records::records_in(&data)
        .into_iter()
        .map(|(id, kind, label, _)| (id, format!("{kind}：{label}")))
        .collect();
    Ok(FormTarget { spec, case_no: "", action, back: format!("/cases/{}", case.id), version: case.version, records })
}

/// What a form stands for, applied through the API's code.
async fn apply<S: LogStore>(
    state: &AppState<S>,
    user: &liuhen_store::UserRecord,
    case_id: &str,
    request: Option<&str>,
    json: Value,
) -> Result<(), AppError> {
    let bad = |e: serde_json::Error| AppError::BadRequest(format!("表单内容有误：{e}"));
    match request {
        None => {
            let f: RequestForm = serde_json::from_value(json).map_err(bad)?;
            request_from(&state.app, user, case_id, f).await?;
        }
        Some(r) => {
            let f: StepForm = serde_json::from_value(json).map_err(bad)?;
            step_from(&state.app, user, case_id, r, f).await?;
        }
    }
    Ok(())
}

async fn show<S: LogStore>(
    state: AppState<S>,
    headers: HeaderMap,
    id: String,
    step: &str,
    request: Option<String>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let case = state.app.store.case(&id).await.map_err(AppError::from)?;
    let action = if step == "decide" {
        crate::app::policy::Action::DecidePartyAccess
    } else {
        crate::app::policy::Action::CommandCase
    };
    state.app.allow(&user, action, Some(&case))?;
    let t = target(&case, step, request.as_deref())?;
    form_page(&state, view, t, &Vec::new(), Default::default(), StatusCode::OK).await
}

async fn submit<S: LogStore>(
    state: AppState<S>,
    headers: HeaderMap,
    id: String,
    step: &str,
    request: Option<String>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    let case = state.app.store.case(&id).await.map_err(AppError::from)?;
    let t = target(&case, step, request.as_deref())?;
    let outcome = match forms::to_json(t.spec, &submitted) {
        Err(errors) => Err(Ok((errors, Vec::new()))),
        Ok(json) => apply(&state, &user, &id, request.as_deref(), json).await.map_err(|e| match e {
            AppError::Forbidden | AppError::NotFound => Err(e),
            other => Ok((Vec::new(), vec![other.message()])),
        }),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(Err(e)) => Err(e.into()),
        Err(Ok(errors)) => form_page(&state, view, t, &submitted, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

pub async fn new_request_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    show(state, headers, id, "request", None).await
}

pub async fn create_request<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    submit(state, headers, id, "request", None, form).await
}

/// The steps after the request, by name.
fn step_name(step: &str) -> Result<&'static str, AppError> {
    ["decide", "deliver", "receipt"].into_iter().find(|s| *s == step).ok_or(AppError::NotFound)
}

pub async fn step_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((id, request, step)): Path<(String, String, String)>,
) -> Result<Response, UiError> {
    show(state, headers, id, step_name(&step)?, Some(request)).await
}

pub async fn take_step<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((id, request, step)): Path<(String, String, String)>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    submit(state, headers, id, step_name(&step)?, Some(request), form).await
}
