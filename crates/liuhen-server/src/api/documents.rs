//! `/api/cases/{id}/documents` and `/api/documents/{id}`: 执法文书 (办法第十一条–第十七条) — create
//! (or correct), fill, approve, sign or note a refusal, finalise, issue under the seal; the PDF
//! and the seal (DER) of each, every view ledgered; `/api/seal-keys`, the seal's public keys.

use super::cases::PurposeQuery;
use super::require_user;
use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use liuhen_store::LogStore;
use serde_json::{Value, json};

/// `GET /api/document-catalogue`: the forms, their fields and signers.
pub async fn catalogue<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    require_user(&state, &headers).await?;
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

/// `GET /api/cases/{id}/documents`: the case's documents.
pub async fn list<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Vec<Value>>, ApiError> {
    let user = require_user(&state, &headers).await?;
    Ok(Json(state.app.case_documents(&user, &id).await?))
}

/// `POST /api/cases/{id}/documents`: `{"code", "fields", "supersedes"?, "reason"?}`.
pub async fn create<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user = require_user(&state, &headers).await?;
    let Json(req) = body?;
    Ok((StatusCode::CREATED, Json(state.app.create_document(&user, &id, &req).await?)))
}

/// `GET /api/documents/{id}?purpose=…`: one document (ledgered).
pub async fn get<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    Query(q): Query<PurposeQuery>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let user = require_user(&state, &headers).await?;
    Ok(Json(state.app.document(&user, &id, &q.purpose).await?))
}

/// `POST /api/documents/{id}/commands`: `{"type": "revise"|"approve"|"sign"|"refuse"|"finalise"|"issue", …}`.
pub async fn command<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = require_user(&state, &headers).await?;
    let Json(cmd) = body?;
    Ok(Json(state.app.document_command(&user, &id, &cmd).await?))
}

/// `GET /api/documents/{id}/pdf`: the PDF (a draft's preview, else the one in the log).
pub async fn pdf<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    Query(q): Query<PurposeQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = require_user(&state, &headers).await?;
    let bytes = state.app.document_pdf(&user, &id, &q.purpose).await?;
    Ok(pdf_response(&id, bytes))
}

/// `GET /api/documents/{id}/seal`: the seal of an issued document (DER, GB/T 38540-shaped).
pub async fn seal<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = require_user(&state, &headers).await?;
    let bytes = state.app.document_seal(&user, &id).await?;
    Ok(seal_response(&id, bytes))
}

/// The answer carrying a document's PDF (inline, never cached); the pages use it too.
pub(crate) fn pdf_response(id: &str, bytes: Vec<u8>) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_string()),
        (header::CONTENT_DISPOSITION, format!("inline; filename=\"{id}.pdf\"")),
        (header::CACHE_CONTROL, "no-store".to_string()),
    ];
    (headers, bytes).into_response()
}

/// The answer carrying a document's seal (DER) as a download.
pub(crate) fn seal_response(id: &str, bytes: Vec<u8>) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "application/octet-stream".to_string()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{id}.ses.der\"")),
    ];
    (headers, bytes).into_response()
}

/// `GET /api/seal-keys`: the office's seal public keys (PEM), for anyone to check a seal.
pub async fn seal_keys<S: LogStore>(State(state): State<AppState<S>>) -> Result<Json<Value>, ApiError> {
    let keys = state.app.documents.seal.clone().ok_or(ApiError::NotFound)?;
    Ok(Json(json!({
        "sm2": liuhen_log::seal::pem("PUBLIC KEY", &keys.sm2_public_der()),
        "ed25519": liuhen_log::seal::pem("PUBLIC KEY", &keys.ed25519_public_der()),
        "sm2_distid": liuhen_log::note::SM2_DISTID,
    })))
}
