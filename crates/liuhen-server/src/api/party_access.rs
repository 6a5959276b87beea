//! 当事人查阅、复制 over HTTP: `GET|POST /api/cases/{id}/party-access`,
//! `POST /api/cases/{id}/party-access/{request}` (decide, deliver, receipt).

use crate::AppState;
use crate::app::party_access::StepInput;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use liuhen_core::party_access::{Access, Mode, Request, Step};
use liuhen_core::time::Timestamp;
use liuhen_store::LogStore;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "PartyAccessRequest")]
pub struct RequestForm {
    pub at: i64,
    #[schemars(pattern(r"\S"))]
    pub requester: super::text::Text<64>,
    /// 当事人本人 / 委托代理人 / 法定代理人.
    #[schemars(pattern(r"\S"))]
    pub relation: super::text::Text<32>,
    /// The identity document checked (its kind; the number is not kept here).
    #[schemars(pattern(r"\S"))]
    pub id_checked: super::text::Text<64>,
    #[schemars(pattern(r"\S"))]
    pub records: super::text::Text<2000>,
    #[serde(default)]
    pub purpose: super::text::Text<500>,
    /// view | copy
    #[schemars(extend("enum" = ["view", "copy"]))]
    pub mode: String,
    /// The 授权委托书, required when an agent asks (422 without it).
    #[serde(default)]
    pub authorisation: super::text::Text<200>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "PartyAccessStep")]
pub enum StepForm {
    Decide {
        at: i64,
        approved: bool,
        #[serde(default)]
        reasons: super::text::Text<2000>,
    },
    Deliver {
        at: i64,
        #[serde(default)]
        until: Option<i64>,
        /// A copy's pages.
        #[serde(default)]
        pages: Option<u32>,
        /// Empty: one is made naming the requester, the case and the date.
        #[serde(default)]
        watermark: super::text::Text<200>,
        /// The ids of the records delivered (`act/0`, `evidence/1`).
        #[serde(default)]
        records: Vec<super::text::Text<2000>>,
    },
    Receipt {
        at: i64,
        #[serde(default)]
        signed_by: super::text::Text<64>,
        #[serde(default)]
        refusal: super::text::Text<500>,
    },
}

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
) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(state.app.party_accesses(&user, &id).await?.iter().map(access_json).collect()))
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

/// Records a request from the API's form (the UI's form makes the same).
pub async fn request_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    id: &str,
    f: RequestForm,
) -> Result<Access, AppError> {
    let r = Request {
        id: uuid::Uuid::now_v7().to_string(),
        at: Timestamp(f.at),
        requester: f.requester.text("申请人")?,
        relation: f.relation.text("与当事人的关系")?,
        id_checked: f.id_checked.text("核验的身份证件")?,
        records: f.records.text("查阅、复制的材料")?,
        purpose: f.purpose.text("用途")?,
        mode: Mode::parse(&f.mode)
            .ok_or_else(|| AppError::BadRequest("方式须为 view（查阅）或 copy（复制）".to_string()))?,
        authorisation: f.authorisation.text("授权委托书")?,
    };
    app.request_party_access(user, id, r).await
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

/// Takes a step from the API's form (the UI's form makes the same).
pub async fn step_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    id: &str,
    request_id: &str,
    f: StepForm,
) -> Result<Access, AppError> {
    let input = match f {
        StepForm::Decide { at, approved, reasons } => {
            StepInput::Decide { at: Timestamp(at), approved, reasons: reasons.text("理由")? }
        }
        StepForm::Deliver { at, until, pages, watermark, records } => StepInput::Deliver {
            at: Timestamp(at),
            until: until.map(Timestamp),
            pages: pages.unwrap_or(0),
            watermark: watermark.text("水印")?,
            records: {
                if records.len() > 200 {
                    return Err(AppError::BadRequest("记录不得超过 200 项".to_string()));
                }
                records.iter().map(|r| r.text("记录编号")).collect::<Result<_, _>>()?
            },
        },
        StepForm::Receipt { at, signed_by, refusal } => StepInput::Receipt {
            at: Timestamp(at),
            signed_by: signed_by.text("签收人")?,
            refusal: refusal.text("拒绝签收的情况")?,
        },
    };
    app.party_access_step(user, id, request_id, input).await
}
