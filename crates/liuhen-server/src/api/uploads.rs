//! `/api/uploads`: the tus 1.0.0 resumable upload protocol — core (`HEAD`, `PATCH`), creation
//! (`POST`), termination (`DELETE`) and checksum (`sha256`, `crc32`) — for 音像记录 files; and
//! `GET /api/recordings/{id}`, a stored recording's description.

use super::require_user;
use crate::AppState;
use crate::app::recordings::{Checksum, MAX_UPLOAD};
use crate::error::{ApiError, AppError, Upload};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use liuhen_store::LogStore;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const TUS_VERSION: &str = "1.0.0";

/// A response with the `Tus-Resumable` header every tus response carries.
fn tus(status: StatusCode, headers: &[(&'static str, String)]) -> Response {
    let mut r = status.into_response();
    r.headers_mut().insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    for (k, v) in headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            r.headers_mut().insert(*k, v);
        }
    }
    r
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// Requests other than `OPTIONS` must speak tus 1.0.0 (412 otherwise).
fn check_version(headers: &HeaderMap) -> Result<(), AppError> {
    match header_str(headers, "tus-resumable") {
        Some(TUS_VERSION) => Ok(()),
        _ => Err(AppError::Upload(Upload::TusVersion, "须使用 tus 1.0.0 协议（Tus-Resumable: 1.0.0）".to_string())),
    }
}

/// The signed-in user of a tus request (401 first, then 412 for another protocol version).
async fn tus_user<S: LogStore>(state: &AppState<S>, headers: &HeaderMap) -> Result<liuhen_store::UserRecord, AppError> {
    let user = require_user(state, headers).await?;
    check_version(headers)?;
    Ok(user)
}

fn number(headers: &HeaderMap, name: &str) -> Result<u64, AppError> {
    header_str(headers, name)
        .filter(|v| !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::BadRequest(format!("缺少或无效的 {name}")))
}

/// `Upload-Metadata`: comma-separated `key base64(value)` pairs.
pub fn parse_metadata(raw: &str) -> Result<BTreeMap<String, String>, AppError> {
    let mut out = BTreeMap::new();
    if raw.len() > 8192 {
        return Err(AppError::BadRequest("Upload-Metadata 过长".to_string()));
    }
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once(' ').unwrap_or((pair, ""));
        let bytes = STANDARD.decode(value.trim()).map_err(|_| {
            AppError::BadRequest(format!("元数据 {} 不是 base64", key.chars().take(32).collect::<String>()))
        })?;
        let text = String::from_utf8(bytes).map_err(|_| AppError::BadRequest("元数据须为 UTF-8 文本".to_string()))?;
        if out.insert(key.to_string(), text).is_some() {
            return Err(AppError::BadRequest("元数据重复".to_string()));
        }
    }
    Ok(out)
}

/// `OPTIONS /api/uploads`: what this server speaks.
pub async fn options() -> Response {
    tus(
        StatusCode::NO_CONTENT,
        &[
            ("tus-version", TUS_VERSION.to_string()),
            ("tus-extension", "creation,termination,checksum".to_string()),
            ("tus-checksum-algorithm", "sha256,crc32".to_string()),
            ("tus-max-size", MAX_UPLOAD.to_string()),
        ],
    )
}

/// `POST /api/uploads`: a new upload of `Upload-Length` bytes.
pub async fn create<S: LogStore>(State(state): State<AppState<S>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let user = tus_user(&state, &headers).await?;
    let length = number(&headers, "upload-length")?;
    let metadata = parse_metadata(header_str(&headers, "upload-metadata").unwrap_or(""))?;
    let upload = state.app.create_upload(&user, length, metadata).await?;
    Ok(tus(StatusCode::CREATED, &[("location", format!("/api/uploads/{}", upload.id))]))
}

/// `HEAD /api/uploads/{id}`: how much has arrived.
pub async fn head<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = tus_user(&state, &headers).await?;
    let (upload, offset) = state.app.upload(&user, &id).await?;
    Ok(tus(
        StatusCode::OK,
        &[
            ("upload-offset", offset.to_string()),
            ("upload-length", upload.length.to_string()),
            ("cache-control", "no-store".to_string()),
        ],
    ))
}

/// An `Upload-Checksum` header: `sha256 <base64 of 32 bytes>` or `crc32 <base64 of 4 bytes,
/// big-endian>`; another algorithm is a 400, as the tus checksum extension asks.
fn parse_checksum(v: &str) -> Result<Checksum, AppError> {
    let (algo, digest) = v.split_once(' ').unwrap_or((v, ""));
    let bytes = STANDARD.decode(digest.trim()).map_err(|_| AppError::BadRequest("校验值有误".to_string()))?;
    let wrong = || AppError::BadRequest("校验值有误".to_string());
    match algo {
        "sha256" => Ok(Checksum::Sha256(<[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| wrong())?)),
        "crc32" => Ok(Checksum::Crc32(u32::from_be_bytes(<[u8; 4]>::try_from(bytes.as_slice()).map_err(|_| wrong())?))),
        _ => Err(AppError::BadRequest("校验算法须为 sha256 或 crc32".to_string())),
    }
}

/// `PATCH /api/uploads/{id}`: bytes at `Upload-Offset`, optionally with `Upload-Checksum`
/// (sha256 or crc32, see [`parse_checksum`]); the last ones store the recording (its id in `Liuhen-Recording`).
pub async fn patch<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let user = tus_user(&state, &headers).await?;
    if header_str(&headers, "content-type") != Some("application/offset+octet-stream") {
        return Err(
            AppError::Upload(Upload::ContentType, "内容类型须为 application/offset+octet-stream".to_string()).into()
        );
    }
    let offset = number(&headers, "upload-offset")?;
    let checksum = match header_str(&headers, "upload-checksum") {
        None => None,
        Some(v) => Some(parse_checksum(v)?),
    };
    let appended = state.app.append_upload(&user, &id, offset, checksum, body.into_data_stream()).await?;
    let mut h = vec![("upload-offset", appended.offset.to_string())];
    if let Some(r) = &appended.recording {
        h.push(("liuhen-recording", r.id.clone()));
    }
    Ok(tus(StatusCode::NO_CONTENT, &h))
}

/// `DELETE /api/uploads/{id}`: abandon an upload.
pub async fn terminate<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = tus_user(&state, &headers).await?;
    state.app.terminate_upload(&user, &id).await?;
    Ok(tus(StatusCode::NO_CONTENT, &[]))
}

/// A parameter it does not name is refused (400), not ignored.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindQuery {
    #[serde(default)]
    pub sha256: String,
    /// [`crate::app::recordings::fingerprint`], hex.
    #[serde(default)]
    pub fingerprint: String,
    #[serde(default)]
    pub case: String,
    /// The page's size (default 50, at most 500) and where it starts (a `next_cursor`).
    pub limit: Option<u32>,
    #[serde(default)]
    pub cursor: String,
    /// 办法第二十四条 分类存储: by unit, device, officer, case cause, party (each its own
    /// parameter: a flattened struct would take any parameter at all).
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub device: String,
    #[serde(default)]
    pub officer: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub party: String,
}

pub(crate) fn recording_json(r: &liuhen_store::RecordingRecord) -> Value {
    let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
    json!({
        "id": r.id, "case_id": r.case_id, "uploaded_by": r.uploaded_by, "created_at": r.created_at_ms,
        "sha256": r.sha256, "size": r.size, "sm3": data["sm3"], "filename": data["filename"], "metadata": data["metadata"],
        "stored_at": data["stored_at"], "flags": data["flags"], "links": data["links"],
        "interruptions": data["interruptions"], "clip_of": data["clip_of"], "fingerprint": data["fingerprint"],
    })
}

/// `GET /api/recordings?sha256=…|fingerprint=…|case=…&unit=…&limit=…&cursor=…`: the recordings
/// the caller may see — of one file, of one fingerprint (an importer asks before sending a file
/// again), or a page of one case's or all, newest first, narrowed by the search (办法第二十四条).
pub async fn find<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<axum::extract::Query<FindQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let q = q.map(|q| q.0).map_err(|_| AppError::BadRequest("查询参数有误".to_string()))?;
    let hex64 = |v: &str| v.is_empty() || (v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()));
    if !hex64(&q.sha256) || !hex64(&q.fingerprint) {
        return Err(AppError::BadRequest("sha256 与 fingerprint 须为 64 位十六进制".to_string()).into());
    }
    let sha = Some(q.sha256.as_str()).filter(|s| !s.is_empty());
    let case = Some(q.case.as_str()).filter(|s| !s.is_empty());
    let (found, next) = if !q.fingerprint.is_empty() {
        (state.app.recordings_by_fingerprint(&user, &q.fingerprint).await?, None)
    } else if let Some(sha) = sha {
        (state.app.recordings_of_blob(&user, sha).await?, None)
    } else {
        let size = super::cases::PageQuery { limit: q.limit, cursor: None }.size()?;
        let cursor = Some(q.cursor.as_str()).filter(|c| !c.is_empty());
        let search = crate::app::av::Search {
            unit: q.unit.clone(),
            device: q.device.clone(),
            officer: q.officer.clone(),
            cause: q.cause.clone(),
            party: q.party.clone(),
        };
        state.app.recordings_page(&user, case, &search, cursor, size).await?
    };
    let recordings: Vec<Value> = found.iter().map(recording_json).collect();
    Ok(Json(json!({"recordings": recordings, "next_cursor": next})))
}

/// `GET /api/recordings/{id}`: a stored recording (its blob's digests, what the upload said).
pub async fn recording<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let r = state.app.recording(&user, &id).await?;
    Ok(Json(recording_json(&r)))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[schemars(rename = "Playback")]
#[serde(deny_unknown_fields)]
pub struct PlaybackForm {
    /// 播放用途（记入查阅台账）。
    #[serde(default)]
    pub purpose: crate::app::requests::text::Text<200>,
}

/// `POST /api/recordings/{id}/playback`: the view goes into the ledger; the answer is a grant
/// for the range requests of this playback.
pub async fn playback<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    // A recording the caller may not see is 404 whatever the body: asked before the body is read.
    state.app.recording(&user, &id).await?;
    // No body is no purpose; a body is the form, held to its description (400 otherwise).
    let purpose = match form {
        Err(axum::extract::rejection::JsonRejection::MissingJsonContentType(_)) => String::new(),
        form => {
            let f: PlaybackForm = super::described::body(form)?;
            crate::app::requests::cases::text(&f.purpose, "查阅目的", 200)?
        }
    };
    let grant = state.app.grant_playback(&user, &id, &purpose).await?;
    Ok(Json(json!({
        "grant": grant, "content": format!("/api/recordings/{id}/content?grant={grant}"),
        "valid_for_s": crate::app::recordings::GRANT_MS / 1000,
    })))
}

#[derive(serde::Deserialize)]
pub struct GrantQuery {
    #[serde(default)]
    pub grant: String,
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` within `size`: the range, or `None` when it cannot be
/// satisfied (one range only).
pub fn parse_range(value: &str, size: u64) -> Option<std::ops::Range<u64>> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || size == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = match (a.is_empty(), b.is_empty()) {
        (true, false) => {
            let n: u64 = b.parse().ok()?;
            size.saturating_sub(n)..size
        }
        (false, true) => a.parse().ok()?..size,
        (false, false) => {
            let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
            a..b.min(size - 1).checked_add(1)?
        }
        (true, true) => return None,
    };
    (range.start < range.end && range.start < size).then_some(range)
}

/// `GET /api/recordings/{id}/content?grant=…`: the recording's bytes, whole or the one range
/// asked for (HTTP Range, 206), streamed from the blob store; only under a playback grant.
pub async fn content<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    q: Result<axum::extract::Query<GrantQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let grant = q.map(|q| q.0.grant).unwrap_or_default();
    let r = state.app.granted(&user, &id, &grant).await?;
    let sha =
        liuhen_log::Hash::from_hex(&r.sha256).ok_or_else(|| AppError::Internal("a stored digest is not hex".into()))?;
    let (status, range) = match header_str(&headers, "range") {
        None => (StatusCode::OK, 0..r.size),
        Some(v) => match parse_range(v, r.size) {
            Some(range) => (StatusCode::PARTIAL_CONTENT, range),
            None => {
                let mut resp = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", r.size)) {
                    resp.headers_mut().insert("content-range", v);
                }
                return Ok(resp);
            }
        },
    };
    let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
    let filetype = data["metadata"]["filetype"].as_str().unwrap_or_default();
    let content_type = if !filetype.is_empty()
        && filetype.len() < 64
        && filetype.bytes().all(|b| b.is_ascii_alphanumeric() || b"/.+-".contains(&b))
    {
        filetype.to_string()
    } else if data["filename"].as_str().is_some_and(|f| f.to_ascii_lowercase().ends_with(".mp4")) {
        "video/mp4".to_string()
    } else {
        "application/octet-stream".to_string()
    };
    let blobs = state.app.blobs.clone();
    const PART: u64 = 1 << 20;
    let parts = futures::stream::unfold(range.start, move |at| {
        let (blobs, end) = (blobs.clone(), range.end);
        async move {
            if at >= end {
                return None;
            }
            let next = (at + PART).min(end);
            let bytes = blobs.get_range(&sha, at..next).await.map_err(std::io::Error::other);
            Some((bytes, next))
        }
    });
    let mut resp = Response::new(Body::from_stream(parts));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    for (k, v) in [
        ("content-type", content_type),
        ("content-length", (range.end - range.start).to_string()),
        ("accept-ranges", "bytes".to_string()),
        ("cache-control", "private, no-store".to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {}-{}/{}", range.start, range.end - 1, r.size))
    {
        h.insert("content-range", v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some(0..100));
        assert_eq!(parse_range("bytes=900-", 1000), Some(900..1000));
        assert_eq!(parse_range("bytes=-100", 1000), Some(900..1000));
        assert_eq!(parse_range("bytes=990-2000", 1000), Some(990..1000));
        for bad in ["bytes=1000-", "bytes=5-1", "bytes=0-1,5-9", "items=0-1", "bytes=-", "bytes=a-b", "bytes=-0"] {
            assert_eq!(parse_range(bad, 1000), None, "{bad}");
        }
    }
}
