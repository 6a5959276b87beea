//! Request bodies held to the published description before they are read: each body is
//! validated against its schema in the OpenAPI document (`GET /api/openapi.json`) — the very
//! schema a client builds its requests from — and only then deserialized. So a body the
//! description forbids is a 400 whatever serde would have made of it (a JSON array read as an
//! object, a year below the minimum), and one it allows is never refused for its shape.

use crate::error::AppError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The compiled validators, by schema name (compiled once, at first use).
fn validator(name: &str) -> Result<Arc<jsonschema::Validator>, AppError> {
    static DOC: OnceLock<Value> = OnceLock::new();
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return Ok(v.clone());
    }
    let doc = DOC.get_or_init(super::openapi::document);
    if doc["components"]["schemas"][name].is_null() {
        return Err(AppError::Internal(format!("no schema {name} in the description").into()));
    }
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"],
    });
    let compiled = jsonschema::options()
        .build(&root)
        .map_err(|e| AppError::Internal(format!("the schema {name} does not compile: {e}").into()))?;
    let compiled = Arc::new(compiled);
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_string(), compiled.clone());
    Ok(compiled)
}

/// A JSON pointer (`/command/officers/0`) as a field path (`command.officers[0]`).
fn field_path(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').filter(|s| !s.is_empty()) {
        if seg.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

/// One validation error, in Chinese. Of a `oneOf`/`anyOf` (a command told by its `type`, an
/// optional value), the branch that got furthest is the one the author meant: its own error.
fn describe(e: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind as K;
    if let K::OneOfNotValid { context } | K::AnyOf { context } = e.kind() {
        let here = e.instance_path().to_string();
        let tag = format!("{here}/type");
        // A branch refused for its `type` tag is one the author did not mean.
        let tagged = |b: &Vec<jsonschema::ValidationError<'static>>| {
            b.iter().any(|x| matches!(x.kind(), K::Constant { .. }) && x.instance_path().to_string() == tag)
        };
        // Nor is the `null` of an optional value, refused only for its type.
        let null = |b: &Vec<jsonschema::ValidationError<'static>>| {
            b.len() == 1 && matches!(b[0].kind(), K::Type { .. }) && b[0].instance_path().to_string() == here
        };
        // A branch that is itself a choice at the same place (a command of one kind of case
        // among the kinds) offers its own branches.
        fn flatten<'a>(
            here: &str,
            context: &'a [Vec<jsonschema::ValidationError<'static>>],
            out: &mut Vec<&'a Vec<jsonschema::ValidationError<'static>>>,
        ) {
            for b in context {
                match b.as_slice() {
                    [one] if one.instance_path().to_string() == here => match one.kind() {
                        K::OneOfNotValid { context } | K::AnyOf { context } => flatten(here, context, out),
                        _ => out.push(b),
                    },
                    _ => out.push(b),
                }
            }
        }
        let mut branches = Vec::new();
        flatten(&here, context, &mut branches);
        let meant: Vec<_> = branches.iter().copied().filter(|b| !b.is_empty() && !tagged(b) && !null(b)).collect();
        if meant.is_empty() && branches.iter().any(|b| tagged(b)) {
            let at = field_path(&here);
            let at = if at.is_empty() { String::new() } else { format!("{at}.") };
            return format!("{at}type: 取值不在接口说明所列的类型之中");
        }
        let deepest = |b: &&Vec<jsonschema::ValidationError<'static>>| {
            b.first().map_or(0, |x| x.instance_path().to_string().len())
        };
        // Else (every branch refused it as a whole: an array for an object) the first one says why.
        let first = meant.into_iter().max_by_key(deepest).or_else(|| branches.iter().copied().find(|b| !b.is_empty()));
        if let Some(first) = first.and_then(|b| b.first()) {
            return describe(first);
        }
    }
    let at = field_path(&e.instance_path().to_string());
    let what = match e.kind() {
        K::Type { kind } => format!("类型不符合接口说明（应为 {}）", type_name(kind)),
        K::Required { property } => format!("缺少字段 {}", property.as_str().unwrap_or_default()),
        K::AdditionalProperties { unexpected } => format!("未知字段 {}", unexpected.join("、")),
        K::Enum { options } => format!("取值须为以下之一：{}", list(options)),
        K::Constant { expected_value } => format!("取值须为 {expected_value}"),
        K::MaxLength { limit } => format!("不得超过 {limit} 个字符"),
        K::MinLength { limit } => format!("至少 {limit} 个字符"),
        K::Maximum { limit } | K::ExclusiveMaximum { limit } => format!("不得大于 {limit}"),
        K::Minimum { limit } | K::ExclusiveMinimum { limit } => format!("不得小于 {limit}"),
        K::MaxItems { limit } => format!("至多 {limit} 项"),
        K::MinItems { limit } => format!("至少 {limit} 项"),
        K::Pattern { .. } => "格式不符合接口说明（为空，或含控制字符、不可见字符等不允许的字符）".to_string(),
        _ => "不符合接口说明".to_string(),
    };
    if at.is_empty() { format!("请求{what}") } else { format!("{at}: {what}") }
}

fn type_name(kind: &jsonschema::error::TypeKind) -> String {
    let one = |t: &str| match t {
        "object" => "对象",
        "array" => "数组",
        "string" => "字符串",
        "integer" => "整数",
        "number" => "数字",
        "boolean" => "布尔值",
        "null" => "空值",
        _ => "其他",
    };
    let text = format!("{kind:?}").to_lowercase();
    let names: Vec<&str> = ["object", "array", "string", "integer", "number", "boolean", "null"]
        .into_iter()
        .filter(|t| text.contains(t))
        .map(one)
        .collect();
    if names.is_empty() { "其他".to_string() } else { names.join("或") }
}

fn list(options: &Value) -> String {
    options.as_array().map_or(String::new(), |a| {
        a.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect::<Vec<_>>().join("、")
    })
}

/// `value` with every number that is a whole number written with a fraction (`3.0`) as that
/// integer: JSON Schema counts it an integer, and so does the server.
pub fn integral(value: Value) -> Value {
    match value {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(integral).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, integral(v))).collect()),
        other => other,
    }
}

/// What the description says is wrong with `value` under schema `name`, in Chinese; `None`
/// when it conforms.
pub fn complaint(name: &str, value: &Value) -> Result<Option<String>, AppError> {
    let v = validator(name)?;
    Ok(v.iter_errors(value).next().map(|e| describe(&e)))
}

/// The body as the type `T` its schema `T::schema_name()` describes: refused (400) when the
/// description forbids it, then deserialized.
pub fn body<T: DeserializeOwned + schemars::JsonSchema>(j: Result<Json<Value>, JsonRejection>) -> Result<T, AppError> {
    let Json(value) = j?;
    value_as::<T>(&T::schema_name(), value)
}

/// `value` as `T` under the schema named `name`.
pub fn value_as<T: DeserializeOwned>(name: &str, value: Value) -> Result<T, AppError> {
    value_as_but(name, value, None)
}

/// As [`value_as`], leaving the member at `left` (a pointer, `/command`) to be held to its own
/// schema later (a case command, whose schema is its case type's).
pub fn value_as_but<T: DeserializeOwned>(name: &str, value: Value, left: Option<&str>) -> Result<T, AppError> {
    let value = integral(value);
    let v = validator(name)?;
    let mut errors = v.iter_errors(&value);
    let found = errors.find(|e| left.is_none_or(|l| !e.instance_path().to_string().starts_with(l)));
    if let Some(e) = found {
        return Err(AppError::BadRequest(describe(&e)));
    }
    drop(errors);
    serde_json::from_value(value).map_err(|e| {
        AppError::BadRequest(format!("请求内容不符合要求：{}", crate::app::error::serde_in_chinese(&e.to_string())))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// What serde would read (an array for an object) the description forbids, and says so.
    #[test]
    fn an_array_is_no_object_and_a_year_has_its_minimum() {
        let c = super::complaint("AnnualStatistics", &json!([2025])).unwrap().unwrap();
        assert_eq!(c, "请求类型不符合接口说明（应为 对象）");
        let c = super::complaint("AnnualStatistics", &json!({"year": 1989})).unwrap().unwrap();
        assert_eq!(c, "year: 不得小于 1990");
        // A command's own field, not "none of the forms".
        let c = super::complaint("SummaryCommand", &json!({"type": "hear", "at": "x", "rights_told": true}));
        assert_eq!(c.unwrap().unwrap(), "at: 类型不符合接口说明（应为 整数）");
        let c = super::complaint("SummaryCommand", &json!({"type": "pigeon"}));
        assert_eq!(c.unwrap().unwrap(), "type: 取值不在接口说明所列的类型之中");
        let c = super::complaint("SummaryCommand", &json!(["hear"]));
        assert!(c.unwrap().unwrap().contains("对象"));
        // A number the server's type cannot hold is one the description forbids, named.
        let c = super::complaint("CoercionCommand", &json!({"type": "extend", "days": 4_294_967_296_u64}));
        assert_eq!(c.unwrap().unwrap(), "days: 不得大于 4294967295");
        assert_eq!(super::integral(json!({"days": 3.0, "x": [1.5]})), json!({"days": 3, "x": [1.5]}));
        assert_eq!(super::complaint("AnnualStatistics", &json!({"year": 2025})).unwrap(), None);
        let c = super::complaint("NewAccount", &json!({"username": "ab", "roles": "officer,foo", "password": "x"}));
        assert!(c.unwrap().unwrap().contains("roles"));
        for (_, name) in crate::api::openapi::COMMANDS {
            if let Err(e) = super::validator(name) {
                panic!("{name}: {e:?}");
            }
        }
    }
}
