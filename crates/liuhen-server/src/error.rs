//! The API's error: what the application refused (`AppError`), answered with the HTTP status
//! this layer chooses for it (tus's own statuses included), its stable code and its Chinese
//! message, as `{"error": {code, message, violations}}`.

pub use crate::app::error::{AppError, Upload};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An application error on its way out over HTTP.
#[derive(Debug)]
pub struct ApiError(pub AppError);

/// Every code an error answers with (the upload protocol's own aside): what `Error.code` in the
/// OpenAPI document lists.
pub const CODES: &[&str] = &[
    "AUTH_REQUIRED",
    "BAD_CREDENTIALS",
    "NOT_FOUND",
    "BAD_REQUEST",
    "CONFLICT",
    "DUPLICATE",
    "RULE_VIOLATION",
    "UNKNOWN_REFERENCE",
    "UNPROCESSABLE",
    "CALENDAR_MISSING",
    "INVALID_STATE",
    "FORBIDDEN",
    "NOT_YOUR_STEP",
    "PASSWORD_CHANGE_REQUIRED",
    "TOTP_REQUIRED",
    "ACCOUNT_LOCKED",
    "TOO_MANY_ATTEMPTS",
    "CSRF",
    "PAYLOAD_TOO_LARGE",
    "UNAVAILABLE",
    "INTEGRITY",
    "INTERNAL",
];

/// The codes of `ApiError::Upload` (uploads, their files and clips), which name their status.
pub const UPLOAD_CODES: &[&str] = &[
    "CHECKSUM_MISMATCH",
    "CLIP_UNAVAILABLE",
    "FILE_TOO_LARGE",
    "NOT_MEDIA",
    "STORAGE_FULL",
    "TUS_VERSION",
    "UPLOAD_BUSY",
    "UPLOAD_CONTENT_TYPE",
    "UPLOAD_OFFSET_MISMATCH",
    "UPLOAD_TOO_LARGE",
];

#[derive(Serialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize)]
struct ErrorDetail {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    violations: Vec<ViolationDto>,
}

/// A failed rule, as the API reports it.
#[derive(Serialize, Debug, Clone)]
pub struct ViolationDto {
    pub rule: &'static str,
    pub severity: &'static str,
    pub source: &'static str,
    pub requirement: &'static str,
    pub field: &'static str,
    pub detail: String,
    /// `R-001 办法第六条；行政处罚法第四十二条：执法人员不得少于两人（…）`
    pub message: String,
}

impl From<&liuhen_core::rules::Violation> for ViolationDto {
    fn from(v: &liuhen_core::rules::Violation) -> ViolationDto {
        use liuhen_core::rules::Severity;
        ViolationDto {
            rule: v.rule.id,
            severity: match v.rule.severity {
                Severity::Block => "block",
                Severity::Flag => "flag",
                Severity::Info => "info",
            },
            source: v.rule.source,
            requirement: v.rule.requirement,
            field: v.field,
            detail: v.detail.clone(),
            message: v.to_string(),
        }
    }
}

impl ApiError {
    /// The Chinese message a user sees.
    pub fn message(&self) -> String {
        self.0.message()
    }

    /// The HTTP status it answers with.
    pub fn status(&self) -> StatusCode {
        status_of(&self.0)
    }
}

/// The HTTP status a refusal answers with, in the API and on the UI's pages: the one place a
/// kind of refusal becomes a status.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthorized | AppError::BadCredentials | AppError::SecondFactor => StatusCode::UNAUTHORIZED,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Conflict(_) | AppError::Stale(_) | AppError::Duplicate(_) | AppError::InvalidState(_) => {
            StatusCode::CONFLICT
        }
        AppError::CalendarMissing(_)
        | AppError::UnknownReference(_)
        | AppError::Unprocessable(_)
        | AppError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Forbidden | AppError::NotYourStep(_) | AppError::PasswordChangeRequired | AppError::Csrf => {
            StatusCode::FORBIDDEN
        }
        AppError::Locked(_) | AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Upload(kind, _) => upload_status(*kind),
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Integrity(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The status tus (and the file uploads beside it) answers a refused upload with.
fn upload_status(kind: Upload) -> StatusCode {
    let code = match kind {
        Upload::TusVersion => 412,
        Upload::ContentType | Upload::NotMedia => 415,
        Upload::OffsetMismatch => 409,
        Upload::TooLarge | Upload::FileTooLarge => 413,
        Upload::Busy => 423,
        // tus's checksum extension: 460 Checksum Mismatch.
        Upload::ChecksumMismatch => 460,
        Upload::StorageFull => 507,
        Upload::ClipUnavailable => 501,
    };
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if matches!(self.0, AppError::Internal(_) | AppError::Unavailable(_) | AppError::Integrity(_)) {
            tracing::error!(error = %error_chain(&self.0), "request failed");
        }
        let status = self.status();
        let (code, message) = (self.0.code(), self.0.message());
        let violations = match &self.0 {
            AppError::Refused(vs) => vs.iter().map(ViolationDto::from).collect(),
            _ => Vec::new(),
        };
        (status, Json(ErrorBody { error: ErrorDetail { code, message, violations } })).into_response()
    }
}

pub use crate::app::error::error_chain;

impl From<axum::extract::rejection::JsonRejection> for AppError {
    /// A body that is not the JSON the endpoint takes, said in Chinese with the field concerned.
    fn from(e: axum::extract::rejection::JsonRejection) -> AppError {
        use axum::extract::rejection::JsonRejection as J;
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return AppError::TooLarge(None);
        }
        AppError::BadRequest(match &e {
            J::MissingJsonContentType(_) => "请求须使用 Content-Type: application/json".to_string(),
            // serde_json says "trailing characters" also of an array with more elements than a
            // request takes (`[1,2,3]`): valid JSON, but not the one object asked for.
            J::JsonSyntaxError(_) if e.body_text().contains("trailing characters") => {
                format!("请求须为一个 JSON 对象{}之后有多余的内容", position(&e.body_text()))
            }
            J::JsonSyntaxError(_) => format!("请求不是完整有效的 JSON{}", position(&e.body_text())),
            J::JsonDataError(_) => {
                let text = e.body_text();
                // "Failed to deserialize the JSON body into the target type: <path>: <detail> at line L column C"
                let detail = text.split_once("target type: ").map_or(text.as_str(), |(_, d)| d);
                let (detail, _) = detail.rsplit_once(" at line ").unwrap_or((detail, ""));
                format!("请求内容不符合要求：{}", crate::app::error::serde_in_chinese(detail))
            }
            _ => "无法读取请求内容".to_string(),
        })
    }
}

/// "（第 L 行第 C 列）" from serde_json's "… at line L column C".
fn position(text: &str) -> String {
    text.rsplit_once(" at line ")
        .and_then(|(_, p)| p.split_once(" column "))
        .map_or(String::new(), |(l, c)| format!("（第 {} 行第 {} 列）", l.trim(), c.trim()))
}

#[cfg(test)]
mod codes {
    use super::*;

    /// Each variant's code is one `Error.code` lists (the match makes a new variant show up here).
    #[test]
    fn every_code_is_listed() {
        let all = [
            AppError::Unauthorized,
            AppError::BadCredentials,
            AppError::NotFound,
            AppError::BadRequest(String::new()),
            AppError::Conflict(String::new()),
            AppError::Stale(String::new()),
            AppError::Duplicate(String::new()),
            AppError::CalendarMissing(String::new()),
            AppError::UnknownReference(String::new()),
            AppError::Unprocessable(String::new()),
            AppError::Refused(Vec::new()),
            AppError::InvalidState(String::new()),
            AppError::Forbidden,
            AppError::NotYourStep(String::new()),
            AppError::PasswordChangeRequired,
            AppError::SecondFactor,
            AppError::Locked(1),
            AppError::TooManyAttempts(1),
            AppError::Csrf,
            AppError::TooLarge(None),
            AppError::Unavailable(String::new()),
            AppError::Integrity(String::new()),
            AppError::Internal("x".into()),
        ];
        let mut given = std::collections::BTreeSet::new();
        for e in &all {
            let code = match e {
                AppError::Upload(..) => continue,
                e => e.code(),
            };
            assert!(CODES.contains(&code), "{code} is not in CODES");
            given.insert(code);
        }
        // A stale read-modify-write answers as any other conflict does (CONFLICT).
        assert_eq!(given.len(), CODES.len(), "a code without its variant");
    }

    /// Every upload kind's code is described, and answers with a status of its own kind.
    #[test]
    fn every_upload_code_is_listed() {
        for kind in Upload::ALL {
            assert!(UPLOAD_CODES.contains(&kind.code()), "{} is not in UPLOAD_CODES", kind.code());
            let status = ApiError(AppError::Upload(kind, String::new())).status();
            assert!(status.is_client_error() || status.is_server_error(), "{kind:?}: {status}");
        }
        assert_eq!(UPLOAD_CODES.len(), Upload::ALL.len());
        assert_eq!(ApiError(AppError::Upload(Upload::ChecksumMismatch, String::new())).status().as_u16(), 460);
    }
}
