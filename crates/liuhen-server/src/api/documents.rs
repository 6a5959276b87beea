//! `/api/cases/{id}/documents` and `/api/documents/{id}`: 执法文书 (办法第十一条–第十七条) — create
//! (or correct), fill, approve, sign or note a refusal, finalise, issue under the seal; the PDF
//! and the seal (DER) of each, every view ledgered; `/api/seal-keys`, the seal's public keys.

use super::cases::PurposeQuery;
use crate::AppState;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use liuhen_store::LogStore;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The longest text a document field holds.
const FIELD_MAX: usize = liuhen_core::document::MAX_FIELD;
/// A file sent inline (base64) is bounded by the body limit.
const UPLOAD_MAX: usize = crate::DOCUMENT_BODY_LIMIT as usize;

/// A new document (or a corrected version of an issued one) on a case. Parsed at the edge so
/// that the description and what is accepted cannot drift; the application reads the JSON.
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "NewDocument")]
#[allow(dead_code)]
pub struct NewDocumentForm {
    /// 文书编号（GET /api/document-catalogue），如 D02 立案审批表。
    pub code: crate::app::requests::text::Text<16>,
    /// 栏目：栏目键 → 内容（文本）；空值视为未填。
    #[serde(default)]
    pub fields: BTreeMap<String, Option<crate::app::requests::text::Text<FIELD_MAX>>>,
    /// 更正已定稿或已签发的文书时，原文书的 ID；原文书保留，标明被更正。
    #[serde(default)]
    pub supersedes: Option<crate::app::requests::text::Text<64>>,
    /// 更正理由（有 supersedes 时必填）。
    #[serde(default)]
    pub reason: Option<crate::app::requests::text::Text<1000>>,
}

/// One step on a document (办法第十一条–第十七条), tagged by `type`. Approvals and signatures
/// are by the signed-in account at the server's time, with the account's own SM2 key (its
/// `password` unlocks it); `content_hash` is that of the content the signer saw.
#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "DocumentCommand")]
#[allow(dead_code)]
pub enum DocumentCommandForm {
    /// 修改草稿（起草的执法人员或法制审核人员）：给出的栏目替换原内容；content_hash 为修改者所见内容的，
    /// 其后已被他人修改的 409。
    Revise {
        content_hash: crate::app::requests::text::Text<64>,
        #[serde(default)]
        fields: BTreeMap<String, Option<crate::app::requests::text::Text<FIELD_MAX>>>,
    },
    /// 审批（handler 承办人、reviewer 审核、legal 法制审核、approver 批准……，按文书的审批链）。
    Approve {
        content_hash: crate::app::requests::text::Text<64>,
        /// 审批环节。
        step: crate::app::requests::text::Text<16>,
        #[serde(default)]
        opinion: Option<crate::app::requests::text::Text<2000>>,
        #[serde(default)]
        reason: Option<crate::app::requests::text::Text<2000>>,
        /// 本人登录密码：解锁本人的 SM2 签名私钥。
        #[serde(default)]
        password: Option<crate::app::requests::text::Text<1024>>,
    },
    /// 签名：执法人员以本人账号签名（officer、server、host、reviewer），集体讨论成员（member）本人确认，
    /// 当事人等（party、witness……）在签名板或纸上签名。
    Sign {
        content_hash: crate::app::requests::text::Text<64>,
        role: crate::app::requests::text::Text<32>,
        /// pad 签名板（默认）或 paper 纸质签名扫描件。
        #[serde(default)]
        method: Option<SignMethod>,
        /// 非本系统账号的签名人姓名（当事人、见证人）。
        #[serde(default)]
        name: Option<crate::app::requests::text::Text<100>>,
        /// 签名图像：PNG 或 JPEG，base64 或 data: URL。
        image: crate::app::requests::text::Text<UPLOAD_MAX>,
        #[serde(default)]
        password: Option<crate::app::requests::text::Text<1024>>,
    },
    /// 拒绝签名的注明（办法第十四条）：执法人员（须含本人）注明拒签情况，可有见证人。
    Refuse {
        content_hash: crate::app::requests::text::Text<64>,
        #[serde(default)]
        role: Option<crate::app::requests::text::Text<32>>,
        #[serde(default)]
        who: Option<crate::app::requests::text::Text<100>>,
        #[serde(default)]
        reason: Option<crate::app::requests::text::Text<1000>>,
        /// 注明拒签的执法人员 ID。
        #[serde(default)]
        officers: Vec<crate::app::requests::text::Text<64>>,
        #[serde(default)]
        witness: Option<crate::app::requests::text::Text<100>>,
    },
    /// 退回（审批人不同意，写明理由）：承办人修改后重新提交。
    Return {
        content_hash: crate::app::requests::text::Text<64>,
        #[serde(default)]
        reasons: Option<crate::app::requests::text::Text<2000>>,
    },
    /// 附件：PNG、JPEG 或 PDF（base64）。
    Attach { key: crate::app::requests::text::Text<32>, file: crate::app::requests::text::Text<UPLOAD_MAX> },
    /// 定稿：审批和签名齐备后生成 PDF。
    Finalise {},
    /// 签发：加盖电子印章，编文号。
    Issue {
        /// 文号，如 栗街罚决〔2026〕12号；省略或留空则按办事处编号规则（编号规则清单，未设则默认）取本年下一个号，不跳号、不重号；他文书已用的文号 409 DUPLICATE（更正版本可沿用原文书的文号）。
        #[serde(default)]
        #[schemars(extend("allOf" = [{"pattern": r"^(\D*|(.*\D)?(\d{1,9}|0\d*)\D*)$"}]))]
        doc_no: Option<crate::app::requests::text::Text<64>>,
        /// 成文日期 YYYY-MM-DD；省略为当日；须在文书起草之日至今日之间（R-064b）。
        #[serde(default)]
        #[schemars(extend("format" = "date"))]
        date: Option<String>,
    },
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignMethod {
    Pad,
    Paper,
}

/// Parses `body` as `T` to refuse what the description refuses (400 with the field).
fn described<T: for<'de> Deserialize<'de> + schemars::JsonSchema>(body: &Value) -> Result<(), AppError> {
    super::described::value_as::<T>(&T::schema_name(), body.clone()).map(|_: T| ())
}

/// `GET /api/document-catalogue`: the forms, their fields and signers.
pub async fn catalogue<S: LogStore>(
    State(_state): State<AppState<S>>,
    super::CurrentUser(_user): super::CurrentUser,
) -> Result<Json<Value>, ApiError> {
    let forms: Vec<Value> = liuhen_core::document::CATALOGUE
        .iter()
        .map(|s| {
            json!({"code": s.code, "name": s.name, "kinds": s.kinds, "approval": s.approval, "sealed": s.sealed,
                "source": s.source,
                "fields": s.fields.iter().map(|f| json!({"key": f.key, "label": f.label, "long": f.long,
                    "choices": f.choices, "required": f.need == liuhen_core::document::Need::Always})).collect::<Vec<_>>(),
                "signers": s.signers.iter().map(|x| json!({"role": x.role, "name": x.name, "min": x.min,
                    "refusable": x.refusable, "each_of": x.each_of})).collect::<Vec<_>>()})
        })
        .collect();
    Ok(Json(json!(forms)))
}

/// `GET /api/cases/{id}/documents?limit&cursor`: a page of the case's documents.
pub async fn list<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    q: Result<axum::extract::Query<super::cases::PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    state.app.case_allowing(&user, &id, crate::app::policy::Action::ViewCase).await?;
    let axum::extract::Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let (documents, next) = state.app.case_documents(&user, &id, q.cursor.as_deref(), q.size()?).await?;
    Ok(Json(json!({"documents": documents, "next_cursor": next})))
}

/// `POST /api/cases/{id}/documents`: `{"code", "fields", "supersedes"?, "reason"?}`.
pub async fn create<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // A hidden case is 404 whatever was sent: asked before the body is read.
    state.app.allow(&user, crate::app::policy::Action::CommandCase, Some(&state.app.store.case(&id).await?))?;
    let Json(req) = body?;
    described::<NewDocumentForm>(&req)?;
    Ok((StatusCode::CREATED, Json(state.app.create_document(&user, &id, &req).await?)))
}

/// `GET /api/documents/{id}?purpose=…`: one document (ledgered).
pub async fn get<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<PurposeQuery>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(state.app.document(&user, &id, &q.purpose).await?))
}

/// `POST /api/documents/{id}/commands`: `{"type": "revise"|"approve"|"sign"|"refuse"|"finalise"|"issue", …}`.
pub async fn command<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    state.app.document_for(&user, &id, crate::app::policy::Action::CommandCase).await?;
    let Json(cmd) = body?;
    described::<DocumentCommandForm>(&cmd)?;
    Ok(Json(state.app.document_command(&user, &id, &cmd).await?))
}

/// `GET /api/documents/{id}/pdf`: the PDF (a draft's preview, else the one in the log).
pub async fn pdf<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<PurposeQuery>,
) -> Result<Response, ApiError> {
    let bytes = state.app.document_pdf(&user, &id, &q.purpose).await?;
    Ok(crate::web::pdf_response(&id, bytes))
}

/// `GET /api/documents/{id}/seal`: the seal of an issued document (DER, GB/T 38540-shaped).
pub async fn seal<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    _headers: HeaderMap,
) -> Result<Response, ApiError> {
    let bytes = state.app.document_seal(&user, &id).await?;
    Ok(crate::web::seal_response(&id, bytes))
}

/// `GET /api/seal-keys`: the office's seal public keys (PEM), for anyone to check a seal.
pub async fn seal_keys<S: LogStore>(State(state): State<AppState<S>>) -> Result<Json<Value>, ApiError> {
    let keys = state.app.documents.seal.clone().ok_or(AppError::NotFound)?;
    Ok(Json(json!({
        "sm2": liuhen_log::seal::pem("PUBLIC KEY", &keys.sm2_public_der()),
        "ed25519": liuhen_log::seal::pem("PUBLIC KEY", &keys.ed25519_public_der()),
        "sm2_distid": liuhen_log::note::SM2_DISTID,
    })))
}
