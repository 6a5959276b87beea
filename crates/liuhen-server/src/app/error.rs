//! What the application refuses, and why: a kind, a stable code and a Chinese message. Which
//! HTTP status answers each kind is the HTTP layer's to say (`crate::error::ApiError`), tus's
//! own statuses included; the UI renders the same kinds as pages.

use liuhen_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or token.
    #[error("authentication required")]
    Unauthorized,
    /// Wrong username or password.
    #[error("bad credentials")]
    BadCredentials,
    /// Nothing here (or not for you to know about).
    #[error("not found")]
    NotFound,
    /// The request is malformed; the message says how.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A concurrent change got there first.
    #[error("conflict: {0}")]
    Conflict(String),
    /// What a read-modify-write read moved on before it was written (another request's
    /// Change committed first), retried from the log until the retries ran out.
    #[error("stale: {0}")]
    Stale(String),
    /// What the request would create already exists (a case number, a username…).
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// A period in working days runs into a year the office's working-day calendar lacks:
    /// The office adds the year (the State Council's notice) and the command goes through.
    #[error("calendar missing: {0}")]
    CalendarMissing(String),
    /// The request is well formed but names a record that does not exist (an officer's
    /// ID…): what no description of the request's shape can tell beforehand.
    #[error("unknown reference: {0}")]
    UnknownReference(String),
    /// The request has the described shape, but what it says cannot be taken: a range
    /// That ends before it starts, an image that does not decode, a current password that is
    /// Not the account's — what no schema of its shape can tell.
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// The law's rules refuse the command; each failed rule is listed.
    #[error("refused by rules")]
    Refused(Vec<liuhen_core::rules::Violation>),
    /// The command does not apply in the case's current state.
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// Signed in, but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// The step belongs to another role (办法第十五条: each approval by its own account);
    /// The message names the role the step needs.
    #[error("not your step: {0}")]
    NotYourStep(String),
    /// The account must change its initial password first.
    #[error("password change required")]
    PasswordChangeRequired,
    /// The password was right; the account's second factor (TOTP) is missing or wrong.
    #[error("second factor required")]
    SecondFactor,
    /// Too many failed sign-ins; the account is locked for a while.
    #[error("locked")]
    Locked(i64),
    /// Too many failed sign-ins from this client address; blocked for a while.
    #[error("too many attempts")]
    TooManyAttempts(i64),
    /// An upload refused (tus, a file for a document, a clip): what was wrong, and the Chinese
    /// Message.
    #[error("upload: {1}")]
    Upload(Upload, String),
    /// A cookie-authenticated API call that changes state came without the session's
    /// CSRF token (`X-CSRF-Token`).
    #[error("csrf token missing or wrong")]
    Csrf,
    /// The body is larger than this endpoint takes (the limit in bytes, when known).
    #[error("body too large")]
    TooLarge(Option<u64>),
    /// The store is unavailable (shutting down, or its writer failed), or the 文号 register
    /// awaits the check at start ([`NUMBERING_HELD`]).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A record does not check out against the log (an opening that no longer matches
    /// Its commitment, an entry that cannot be read): named, so `liuhen verify` can find it.
    #[error("integrity: {0}")]
    Integrity(String),
    /// Anything else; the cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What was wrong with an upload (its status in tus is the HTTP layer's to choose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upload {
    /// The client speaks another version of tus.
    TusVersion,
    /// A `PATCH` whose body is not `application/offset+octet-stream`.
    ContentType,
    /// Bytes sent from another offset than the server holds.
    OffsetMismatch,
    /// More than the upload declared, or than the server takes.
    TooLarge,
    /// A file (a seal image, a signature) larger than its purpose takes.
    FileTooLarge,
    /// Another request is uploading the same file now.
    Busy,
    /// The bytes do not match the checksum the client sent.
    ChecksumMismatch,
    /// Not an audio, video or image format the server recognises.
    NotMedia,
    /// The server's storage is full; nothing was kept.
    StorageFull,
    /// Clipping needs ffmpeg, which the server lacks.
    ClipUnavailable,
}

impl Upload {
    /// Every kind, for the description's list of codes.
    pub const ALL: [Upload; 10] = [
        Upload::TusVersion,
        Upload::ContentType,
        Upload::OffsetMismatch,
        Upload::TooLarge,
        Upload::FileTooLarge,
        Upload::Busy,
        Upload::ChecksumMismatch,
        Upload::NotMedia,
        Upload::StorageFull,
        Upload::ClipUnavailable,
    ];

    /// Its stable code.
    pub fn code(self) -> &'static str {
        match self {
            Upload::TusVersion => "TUS_VERSION",
            Upload::ContentType => "UPLOAD_CONTENT_TYPE",
            Upload::OffsetMismatch => "UPLOAD_OFFSET_MISMATCH",
            Upload::TooLarge => "UPLOAD_TOO_LARGE",
            Upload::FileTooLarge => "FILE_TOO_LARGE",
            Upload::Busy => "UPLOAD_BUSY",
            Upload::ChecksumMismatch => "CHECKSUM_MISMATCH",
            Upload::NotMedia => "NOT_MEDIA",
            Upload::StorageFull => "STORAGE_FULL",
            Upload::ClipUnavailable => "CLIP_UNAVAILABLE",
        }
    }
}

impl AppError {
    /// The Chinese message a user sees.
    pub fn message(&self) -> String {
        self.said().1
    }

    /// The stable code an API client matches on.
    pub fn code(&self) -> &'static str {
        self.said().0
    }

    fn said(&self) -> (&'static str, String) {
        match self {
            AppError::Unauthorized => ("AUTH_REQUIRED", "请先登录".to_string()),
            AppError::BadCredentials => ("BAD_CREDENTIALS", "用户名或密码错误".to_string()),
            AppError::NotFound => ("NOT_FOUND", "未找到所请求的资源".to_string()),
            AppError::BadRequest(m) => ("BAD_REQUEST", format!("请求有误：{m}")),
            AppError::Conflict(m) => ("CONFLICT", format!("数据已被他人修改，请刷新后重试：{m}")),
            AppError::Stale(m) => ("CONFLICT", format!("数据已被他人修改，请刷新后重试：{m}")),
            AppError::Duplicate(m) => ("DUPLICATE", m.clone()),
            AppError::UnknownReference(m) => ("UNKNOWN_REFERENCE", m.clone()),
            AppError::Unprocessable(m) => ("UNPROCESSABLE", m.clone()),
            AppError::CalendarMissing(m) => {
                ("CALENDAR_MISSING", format!("{m}；请系统管理员在数据目录的工作日历中补充该年度的节假日安排后重试"))
            }
            AppError::Refused(vs) => {
                ("RULE_VIOLATION", vs.iter().map(ToString::to_string).collect::<Vec<_>>().join("；"))
            }
            AppError::InvalidState(m) => ("INVALID_STATE", m.clone()),
            AppError::Forbidden => ("FORBIDDEN", "无权进行此操作".to_string()),
            AppError::NotYourStep(m) => ("NOT_YOUR_STEP", m.clone()),
            AppError::PasswordChangeRequired => {
                ("PASSWORD_CHANGE_REQUIRED", "请先修改初始密码（POST /api/me/password）".to_string())
            }
            AppError::SecondFactor => ("TOTP_REQUIRED", "请输入动态验证码（身份验证器应用中的六位数字）".to_string()),
            AppError::Locked(minutes) => {
                ("ACCOUNT_LOCKED", format!("登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试"))
            }
            AppError::TooManyAttempts(minutes) => {
                ("TOO_MANY_ATTEMPTS", format!("此网络地址登录失败次数过多，请 {minutes} 分钟后再试"))
            }
            AppError::Csrf => ("CSRF", "请求缺少有效的防跨站令牌（X-CSRF-Token），请刷新页面后重试".to_string()),
            AppError::TooLarge(limit) => (
                "PAYLOAD_TOO_LARGE",
                match limit {
                    Some(n) if *n >= 1 << 20 => format!("请求内容过大，超过上限 {} MiB", n >> 20),
                    Some(n) => format!("请求内容过大，超过上限 {} KiB", n >> 10),
                    None => "请求内容过大，超过此接口的上限".to_string(),
                },
            ),
            AppError::Upload(kind, m) => (kind.code(), m.clone()),
            AppError::Unavailable(m) if m == NUMBERING_HELD => (
                "UNAVAILABLE",
                "服务启动后的完整性核验完成前，文号登记簿暂不编号，请稍后重试；未保存任何内容".to_string(),
            ),
            AppError::Unavailable(m) if m == SESSIONS_HELD => {
                ("UNAVAILABLE", "服务启动后的完整性核验完成前，启动前的登录暂不可用，请稍后重试或重新登录".to_string())
            }
            AppError::Unavailable(_) => ("UNAVAILABLE", "服务暂不可用，请稍后重试；未保存任何内容".to_string()),
            AppError::Integrity(_) => {
                ("INTEGRITY", "记录与日志不符，已拒绝使用；请管理员运行 liuhen verify 查明".to_string())
            }
            AppError::Internal(_) => ("INTERNAL", "服务器内部错误".to_string()),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Stale(m) => AppError::Stale(m),
            StoreError::Duplicate(m) => AppError::Duplicate(m),
            StoreError::Invalid(m) => AppError::BadRequest(m),
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            StoreError::Integrity(m) => AppError::Integrity(m),
            other => AppError::Internal(Box::new(other)),
        }
    }
}

impl From<liuhen_core::inspection::CommandError> for AppError {
    fn from(e: liuhen_core::inspection::CommandError) -> AppError {
        match e {
            liuhen_core::inspection::CommandError::Refused(r) => AppError::Refused(r.violations),
            e @ liuhen_core::inspection::CommandError::WrongState { .. } => AppError::InvalidState(e.to_string()),
            liuhen_core::inspection::CommandError::Calendar(e) => AppError::CalendarMissing(e.to_string()),
        }
    }
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

/// An error and each of its causes, joined by ": " (for an operator, never a client).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Why a 文号 or 案号 is not given yet: the numbering awaits the integrity check a server runs
/// as it starts (a row deleted while it was stopped would let a number be given twice).
pub const NUMBERING_HELD: &str = "numbering awaits the integrity check at start";

/// Why a session found at the server's start is not honoured yet (see [`NUMBERING_HELD`]).
pub const SESSIONS_HELD: &str = "the sessions found at start await the integrity check";

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
