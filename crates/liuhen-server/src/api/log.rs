//! The log over HTTP, exactly as C2SP tlog-tiles: `GET /log/checkpoint`, `GET /log/tile/…`,
//! `GET /log/tile/entries/…`, plus `GET /log/key` (the verifier keys, one per line).

use crate::AppState;
use crate::error::{ApiError, AppError};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use liuhen_log::TileId;
use liuhen_log::tile::{TILE_WIDTH, encode_bundle};
use liuhen_store::{LogStore, StoreError};

/// Who may read the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogAccess {
    /// Anyone (the default: the log holds no personal data, only commitments).
    #[default]
    Public,
    /// Signed-in users only.
    SignedIn,
}

async fn check_access<S: LogStore>(state: &AppState<S>, headers: &HeaderMap) -> Result<(), AppError> {
    match state.log_access {
        LogAccess::Public => Ok(()),
        LogAccess::SignedIn => super::require_session(state, headers).await.map(|_| ()),
    }
}

fn with_type(mut resp: Response, content_type: &'static str, cache: &'static str) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    resp
}

pub async fn checkpoint<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_access(&state, &headers).await?;
    let note = match state.app.store.latest_checkpoint().await {
        Ok(n) => n,
        Err(StoreError::NotFound) => state.app.store.sign_checkpoint().await?,
        Err(e) => return Err(e.into()),
    };
    Ok(with_type(note.into_response(), "text/plain; charset=utf-8", "no-cache"))
}

pub async fn key<S: LogStore>(State(state): State<AppState<S>>, headers: HeaderMap) -> Result<Response, ApiError> {
    check_access(&state, &headers).await?;
    let text: String = state.verifier_keys.iter().map(|k| format!("{k}\n")).collect();
    Ok(with_type(text.into_response(), "text/plain; charset=utf-8", "public, max-age=300"))
}

pub async fn tile<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(rest): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_access(&state, &headers).await?;
    let id = TileId::parse_path(&format!("tile/{rest}")).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let width = usize::from(id.width);
    let data = match id.level {
        Some(level) => {
            let stored = state.app.store.tile(level, id.index).await?;
            if stored.len() < width * 32 {
                return Err(AppError::NotFound.into());
            }
            stored[..width * 32].to_vec()
        }
        None => {
            let start = id.index.checked_mul(TILE_WIDTH).ok_or(AppError::NotFound)?;
            if start.saturating_add(width as u64) > state.app.store.tree_size() {
                return Err(AppError::NotFound.into());
            }
            let entries = state.app.store.entries(start, start + width as u64).await?;
            encode_bundle(entries.iter().map(Vec::as_slice)).map_err(|e| AppError::Internal(Box::new(e)))?
        }
    };
    Ok(with_type(data.into_response(), "application/octet-stream", "public, max-age=31536000, immutable"))
}
