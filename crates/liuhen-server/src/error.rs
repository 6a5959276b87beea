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
    /// 409: what a read-modify-write read moved on before it was written (another request's
    /// change committed first), retried from the log until the retries ran out.
    #[error("stale: {0}")]
    Stale(String),
    /// 409: what the request would create already exists (a case number, a username…).
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// 422: a period in working days runs into a year the office's working-day calendar lacks:
    /// the office adds the year (the State Council's notice) and the command goes through.
    #[error("calendar missing: {0}")]
    CalendarMissing(String),
    /// 422: the request is well formed but names a record that does not exist (an officer's
    /// ID…): what no description of the request's shape can tell beforehand.
    #[error("unknown reference: {0}")]
    UnknownReference(String),
    /// 422: the request has the described shape, but what it says cannot be taken: a range
    /// that ends before it starts, an image that does not decode, a current password that is
    /// not the account's — what no schema of its shape can tell.
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// 422: the law's rules refuse the command; each failed rule is listed.
    #[error("refused by rules")]
    Refused(Vec<liuhen_core::rules::Violation>),
    /// 409: the command does not apply in the case's current state.
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// 403: signed in, but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// 403: the step belongs to another role (办法第十五条: each approval by its own account);
    /// the message names the role the step needs.
    #[error("not your step: {0}")]
    NotYourStep(String),
    /// 403: the account must change its initial password first.
    #[error("password change required")]
    PasswordChangeRequired,
    /// 401: the password was right; the account's second factor (TOTP) is missing or wrong.
    #[error("second factor required")]
    SecondFactor,
    /// 429: too many failed sign-ins; the account is locked for a while.
    #[error("locked")]
    Locked(i64),
    /// 429: too many failed sign-ins from this client address; blocked for a while.
    #[error("too many attempts")]
    TooManyAttempts(i64),
    /// An upload refused (tus): its status (409 wrong offset, 413 too large, 423 busy, 460
    /// checksum mismatch, 415 not media), a stable code and the Chinese message.
    #[error("upload: {1}")]
    Upload(u16, &'static str, String),
    /// 403: a cookie-authenticated API call that changes state came without the session's
    /// CSRF token (`X-CSRF-Token`).
    #[error("csrf token missing or wrong")]
    Csrf,
    /// 413: the body is larger than this endpoint takes (the limit in bytes, when known).
    #[error("body too large")]
    TooLarge(Option<u64>),
    /// 503: the store is unavailable (shutting down, or its writer failed).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a record does not check out against the log (an opening that no longer matches
    /// its commitment, an entry that cannot be read): named, so `liuhen verify` can find it.
    #[error("integrity: {0}")]
    Integrity(String),
    /// 500: anything else; the cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

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
        self.parts().2
    }

    /// The HTTP status it answers with.
    pub fn status(&self) -> StatusCode {
        self.parts().0
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "AUTH_REQUIRED", "请先登录".to_string()),
            ApiError::BadCredentials => (StatusCode::UNAUTHORIZED, "BAD_CREDENTIALS", "用户名或密码错误".to_string()),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "NOT_FOUND", "未找到所请求的资源".to_string()),
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, "BAD_REQUEST", format!("请求有误：{m}")),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, "CONFLICT", format!("数据已被他人修改，请刷新后重试：{m}")),
            ApiError::Stale(m) => (StatusCode::CONFLICT, "CONFLICT", format!("数据已被他人修改，请刷新后重试：{m}")),
            ApiError::Duplicate(m) => (StatusCode::CONFLICT, "DUPLICATE", m.clone()),
            ApiError::UnknownReference(m) => (StatusCode::UNPROCESSABLE_ENTITY, "UNKNOWN_REFERENCE", m.clone()),
            ApiError::Unprocessable(m) => (StatusCode::UNPROCESSABLE_ENTITY, "UNPROCESSABLE", m.clone()),
            ApiError::CalendarMissing(m) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "CALENDAR_MISSING",
                format!("{m}；请系统管理员在数据目录的工作日历中补充该年度的节假日安排后重试"),
            ),
            ApiError::Refused(vs) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "RULE_VIOLATION",
                vs.iter().map(ToString::to_string).collect::<Vec<_>>().join("；"),
            ),
            ApiError::InvalidState(m) => (StatusCode::CONFLICT, "INVALID_STATE", m.clone()),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "FORBIDDEN", "无权进行此操作".to_string()),
            ApiError::NotYourStep(m) => (StatusCode::FORBIDDEN, "NOT_YOUR_STEP", m.clone()),
            ApiError::PasswordChangeRequired => (
                StatusCode::FORBIDDEN,
                "PASSWORD_CHANGE_REQUIRED",
                "请先修改初始密码（POST /api/me/password）".to_string(),
            ),
            ApiError::SecondFactor => (
                StatusCode::UNAUTHORIZED,
                "TOTP_REQUIRED",
                "请输入动态验证码（身份验证器应用中的六位数字）".to_string(),
            ),
            ApiError::Locked(minutes) => (
                StatusCode::TOO_MANY_REQUESTS,
                "ACCOUNT_LOCKED",
                format!("登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试"),
            ),
            ApiError::TooManyAttempts(minutes) => (
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_ATTEMPTS",
                format!("此网络地址登录失败次数过多，请 {minutes} 分钟后再试"),
            ),
            ApiError::Csrf => (
                StatusCode::FORBIDDEN,
                "CSRF",
                "请求缺少有效的防跨站令牌（X-CSRF-Token），请刷新页面后重试".to_string(),
            ),
            ApiError::TooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                match limit {
                    Some(n) if *n >= 1 << 20 => format!("请求内容过大，超过上限 {} MiB", n >> 20),
                    Some(n) => format!("请求内容过大，超过上限 {} KiB", n >> 10),
                    None => "请求内容过大，超过此接口的上限".to_string(),
                },
            ),
            ApiError::Upload(status, code, m) => {
                debug_assert!(UPLOAD_CODES.contains(code), "{code} is not in UPLOAD_CODES");
                (StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST), code, m.clone())
            }
            ApiError::Unavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE", "服务暂不可用，请稍后重试；未保存任何内容".to_string())
            }
            ApiError::Integrity(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTEGRITY",
                "记录与日志不符，已拒绝使用；请管理员运行 liuhen verify 查明".to_string(),
            ),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "服务器内部错误".to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if matches!(self, ApiError::Internal(_) | ApiError::Unavailable(_) | ApiError::Integrity(_)) {
            tracing::error!(error = %error_chain(&self), "request failed");
        }
        let (status, code, message) = self.parts();
        let violations = match &self {
            ApiError::Refused(vs) => vs.iter().map(ViolationDto::from).collect(),
            _ => Vec::new(),
        };
        (status, Json(ErrorBody { error: ErrorDetail { code, message, violations } })).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::Stale(m) => ApiError::Stale(m),
            StoreError::Duplicate(m) => ApiError::Duplicate(m),
            StoreError::Invalid(m) => ApiError::BadRequest(m),
            StoreError::Unavailable(m) => ApiError::Unavailable(m),
            StoreError::Integrity(m) => ApiError::Integrity(m),
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

impl From<liuhen_core::inspection::CommandError> for ApiError {
    fn from(e: liuhen_core::inspection::CommandError) -> ApiError {
        match e {
            liuhen_core::inspection::CommandError::Refused(r) => ApiError::Refused(r.violations),
            e @ liuhen_core::inspection::CommandError::WrongState { .. } => ApiError::InvalidState(e.to_string()),
            liuhen_core::inspection::CommandError::Calendar(e) => ApiError::CalendarMissing(e.to_string()),
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    /// A body that is not the JSON the endpoint takes, said in Chinese with the field concerned.
    fn from(e: axum::extract::rejection::JsonRejection) -> ApiError {
        use axum::extract::rejection::JsonRejection as J;
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::TooLarge(None);
        }
        ApiError::BadRequest(match &e {
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
                format!("请求内容不符合要求：{}", serde_in_chinese(detail))
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

/// serde's messages, with their words in Chinese and their `names` kept.
pub(crate) fn serde_in_chinese(detail: &str) -> String {
    // Rust's own names never reach a client: `struct LeadForm with 12 elements`, `enum X`,
    // `u64` become what a JSON author knows.
    let words: Vec<&str> = detail.split(' ').collect();
    let mut plain = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let tail = |x: &str| x.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_').to_string();
        match w {
            "struct" | "enum" | "tuple" if i + 1 < words.len() => {
                let rest = tail(words[i + 1]);
                i += 2;
                // `with N elements`
                if words.get(i) == Some(&"with") && i + 2 < words.len() + 1 {
                    i = (i + 3).min(words.len());
                }
                plain.push(format!("{}{rest}", if w == "enum" { "a value" } else { "a map" }));
                continue;
            }
            "internally" | "tagged" | "variant" if words.get(i + 1).is_some_and(|n| *n == "tagged" || *n == "enum") => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let bare = w.trim_end_matches([',', ':', ';']);
        let end = &w[bare.len()..];
        let unsigned = matches!(bare, "u8" | "u16" | "u32" | "u64" | "usize");
        let number = matches!(bare, "i8" | "i16" | "i32" | "i64" | "isize");
        plain.push(if unsigned {
            format!("a non-negative integer{end}")
        } else if number {
            format!("an integer{end}")
        } else if matches!(bare, "f32" | "f64") {
            format!("a number{end}")
        } else {
            w.to_string()
        });
        i += 1;
    }
    let detail = plain.join(" ");
    [
        ("unknown variant", "未知的取值"),
        ("unknown field", "未知字段"),
        ("missing field", "缺少字段"),
        ("duplicate field", "字段重复"),
        ("invalid type", "类型错误"),
        ("invalid value", "取值错误"),
        ("invalid length", "长度错误"),
        ("variant identifier", "a type name"),
        ("field identifier", "a field name"),
        ("a type name", "类型名称（字符串）"),
        ("a field name", "字段名（字符串）"),
        ("expected one of", "应为以下之一"),
        ("expected", "应为"),
        ("a non-negative integer", "非负整数"),
        ("floating point", "小数"),
        ("a string", "字符串"),
        ("a boolean", "布尔值"),
        ("an integer", "整数"),
        ("a number", "数字"),
        ("a sequence", "数组"),
        ("a map", "对象"),
        ("a value", "取值"),
        ("string", "字符串"),
        ("integer", "整数"),
        ("boolean", "布尔值"),
        ("sequence", "数组"),
        ("map", "对象"),
        ("null", "空值"),
    ]
    .iter()
    .fold(detail, |s, (en, zh)| {
        // Only whole words outside `backticks` (where serde quotes names and values), so a
        // field named `expected_version` keeps its name.
        s.split('`')
            .enumerate()
            .map(|(i, part)| if i % 2 == 0 { replace_words(part, en, zh) } else { part.to_string() })
            .collect::<Vec<_>>()
            .join("`")
    })
}

/// `text` with each whole-word occurrence of `en` (not inside a longer identifier) as `zh`.
fn replace_words(text: &str, en: &str, zh: &str) -> String {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(en) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + en.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(ident) || after.is_some_and(ident) {
            out.push_str(en);
        } else {
            out.push_str(zh);
        }
        rest = &rest[at + en.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::serde_in_chinese;

    #[test]
    fn serde_messages_read_in_chinese() {
        assert_eq!(
            serde_in_chinese("command.service.method: unknown variant `pigeon`, expected one of `direct`, `lien`"),
            "command.service.method: 未知的取值 `pigeon`, 应为以下之一 `direct`, `lien`"
        );
        assert_eq!(serde_in_chinese("command: missing field `at`"), "command: 缺少字段 `at`");
        // Names in backticks stay as they are.
        assert_eq!(serde_in_chinese("missing field `expected_version`"), "缺少字段 `expected_version`");
        assert_eq!(
            serde_in_chinese("command.item.place: invalid type: integer `42`, expected a string"),
            "command.item.place: 类型错误: 整数 `42`, 应为 字符串"
        );
        // No Rust type name reaches a client, and a field name is never mangled.
        let array =
            serde_in_chinese("invalid type: sequence, expected struct LeadForm with 12 elements at line 1 column 2");
        assert_eq!(array, "类型错误: 数组, 应为 对象 at line 1 column 2");
        let version =
            serde_in_chinese("expected_version: invalid type: string \"abc\", expected u64 at line 1 column 26");
        assert_eq!(version, "expected_version: 类型错误: 字符串 \"abc\", 应为 非负整数 at line 1 column 26");
        assert_eq!(
            serde_in_chinese("expected_version: invalid value: integer `-1`, expected u64"),
            "expected_version: 取值错误: 整数 `-1`, 应为 非负整数"
        );
        assert_eq!(
            serde_in_chinese("expected_version: invalid type: floating point `1.5`, expected u64"),
            "expected_version: 类型错误: 小数 `1.5`, 应为 非负整数"
        );
        assert_eq!(serde_in_chinese("invalid type: map, expected enum PenaltyForm"), "类型错误: 对象, 应为 取值");
        assert_eq!(
            serde_in_chinese("type: invalid type: sequence, expected variant identifier"),
            "type: 类型错误: 数组, 应为 类型名称（字符串）"
        );
    }
}

#[cfg(test)]
mod codes {
    use super::*;

    /// Each variant's code is one `Error.code` lists (the match makes a new variant show up here).
    #[test]
    fn every_code_is_listed() {
        let all = [
            ApiError::Unauthorized,
            ApiError::BadCredentials,
            ApiError::NotFound,
            ApiError::BadRequest(String::new()),
            ApiError::Conflict(String::new()),
            ApiError::Stale(String::new()),
            ApiError::Duplicate(String::new()),
            ApiError::CalendarMissing(String::new()),
            ApiError::UnknownReference(String::new()),
            ApiError::Unprocessable(String::new()),
            ApiError::Refused(Vec::new()),
            ApiError::InvalidState(String::new()),
            ApiError::Forbidden,
            ApiError::NotYourStep(String::new()),
            ApiError::PasswordChangeRequired,
            ApiError::SecondFactor,
            ApiError::Locked(1),
            ApiError::TooManyAttempts(1),
            ApiError::Csrf,
            ApiError::TooLarge(None),
            ApiError::Unavailable(String::new()),
            ApiError::Integrity(String::new()),
            ApiError::Internal("x".into()),
        ];
        let mut given = std::collections::BTreeSet::new();
        for e in &all {
            let code = match e {
                ApiError::Upload(..) => continue,
                e => e.parts().1,
            };
            assert!(CODES.contains(&code), "{code} is not in CODES");
            given.insert(code);
        }
        // A stale read-modify-write answers as any other conflict does (CONFLICT).
        assert_eq!(given.len(), CODES.len(), "a code without its variant");
    }

    /// Every upload code the source gives is described (a client validating responses against
    /// the `Error` schema meets no code it does not know).
    #[test]
    fn every_upload_code_is_listed() {
        let sources =
            [include_str!("app/recordings.rs"), include_str!("app/documents.rs"), include_str!("app/clips.rs")];
        for src in sources {
            for part in src.split("Upload(").chain(src.split("upload_error(")).skip(1) {
                let head: String = part.chars().take(120).collect();
                if let Some(code) = head
                    .split('"')
                    .nth(1)
                    .filter(|c| c.chars().all(|c| c.is_ascii_uppercase() || c == '_') && c.len() > 3)
                {
                    assert!(UPLOAD_CODES.contains(&code), "{code} is not in UPLOAD_CODES");
                }
            }
        }
    }
}
