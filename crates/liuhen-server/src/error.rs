//! The one API error type: a stable code, a Chinese message, and the HTTP status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use liuhen_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: no valid session or token.
    #[error("authentication required")]
    Unauthorized,
    /// 401: wrong username or password.
    #[error("bad credentials")]
    BadCredentials,
    /// 404: nothing here (or not for you to know about).
    #[error("not found")]
    NotFound,
    /// 400: the request is malformed; the message says how.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 409: a concurrent change got there first.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 503: the store is unavailable (shutting down, or its writer failed).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: anything else; the cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

#[derive(Serialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize)]
struct ErrorDetail {
    code: &'static str,
    message: String,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "AUTH_REQUIRED", "请先登录".to_string()),
            ApiError::BadCredentials => (StatusCode::UNAUTHORIZED, "BAD_CREDENTIALS", "用户名或密码错误".to_string()),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "NOT_FOUND", "未找到所请求的资源".to_string()),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "BAD_REQUEST", format!("请求有误：{m}")),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, "CONFLICT", format!("数据已被他人修改，请刷新后重试：{m}")),
            ApiError::Unavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", "服务暂不可用，请稍后重试；未保存任何内容".to_string())
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "服务器内部错误".to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if matches!(self, ApiError::Internal(_) | ApiError::Unavailable(_)) {
            tracing::error!(error = %error_chain(&self), "request failed");
        }
        let (status, code, message) = self.parts();
        (status, Json(ErrorBody { error: ErrorDetail { code, message } })).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::Invalid(m) => ApiError::BadRequest(m),
            StoreError::Unavailable(m) => ApiError::Unavailable(m),
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
