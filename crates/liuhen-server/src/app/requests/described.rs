//! Requests held to their description before they are read: each is validated against its
//! schema (generated from the very type it is read into, `super::schemas`) and only then
//! deserialized, so what the description forbids is refused whatever serde would make of it (a
//! JSON array read as an object, a year below the minimum), and what it allows is never
//! refused for its shape. The API's own bodies are held to its whole document the same way
//! (`crate::api::described`).

use crate::app::AppError;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Schemas by name, each compiled once, at first use.
pub struct Described {
    components: Value,
    compiled: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Described {
    /// Over `schemas` (`components.schemas` of a description), with what the server checks of
    /// every text and number stated in them ([`constrain`]).
    pub fn new(mut schemas: Map<String, Value>) -> Described {
        schemas.values_mut().for_each(constrain);
        Described { components: json!({"schemas": schemas}), compiled: Mutex::default() }
    }

    fn validator(&self, name: &str) -> Result<Arc<jsonschema::Validator>, AppError> {
        if let Some(v) = self.compiled.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
            return Ok(v.clone());
        }
        if self.components["schemas"][name].is_null() {
            return Err(AppError::Internal(format!("no schema {name} in the description").into()));
        }
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": format!("#/components/schemas/{name}"),
            "components": self.components,
        });
        let compiled = jsonschema::options()
            .build(&root)
            .map_err(|e| AppError::Internal(format!("the schema {name} does not compile: {e}").into()))?;
        let compiled = Arc::new(compiled);
        self.compiled.lock().unwrap_or_else(|e| e.into_inner()).insert(name.to_string(), compiled.clone());
        Ok(compiled)
    }

    /// What the description says is wrong with `value` under schema `name`, in Chinese;
    /// `None` when it conforms.
    pub fn complaint(&self, name: &str, value: &Value) -> Result<Option<String>, AppError> {
        let v = self.validator(name)?;
        Ok(v.iter_errors(value).next().map(|e| describe(&e)))
    }

    /// `value` as `T` under the schema named `name`, leaving the member at `left` (a pointer,
    /// `/command`) to be held to its own schema later (a case command, whose schema is its case
    /// type's).
    pub fn value_as_but<T: DeserializeOwned>(
        &self,
        name: &str,
        value: Value,
        left: Option<&str>,
    ) -> Result<T, AppError> {
        let value = integral(value);
        let v = self.validator(name)?;
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
}

/// The requests' own description ([`super::schemas`]).
pub fn requests() -> &'static Described {
    static REQUESTS: OnceLock<Described> = OnceLock::new();
    REQUESTS.get_or_init(|| Described::new(super::schemas()))
}

/// States in a schema what the server checks of every value: the range of each integer, and
/// that free text holds no control characters.
pub fn constrain(schema: &mut Value) {
    no_control_characters(schema);
    integer_ranges(schema);
}

/// States the range of every integer its Rust type holds (`format: uint32` and the like), so a
/// number the server cannot hold is one the description forbids.
fn integer_ranges(v: &mut Value) {
    match v {
        Value::Object(o) => {
            let range: Option<(Value, Value)> = match o.get("format").and_then(Value::as_str) {
                Some("uint8") => Some((json!(0), json!(u8::MAX))),
                Some("uint16") => Some((json!(0), json!(u16::MAX))),
                Some("uint32") => Some((json!(0), json!(u32::MAX))),
                Some("uint64" | "uint") => Some((json!(0), json!(u64::MAX))),
                Some("int32") => Some((json!(i32::MIN), json!(i32::MAX))),
                Some("int64" | "int") => Some((json!(i64::MIN), json!(i64::MAX))),
                _ => None,
            };
            if let Some((min, max)) = range {
                o.entry("minimum").or_insert(min);
                o.entry("maximum").or_insert(max);
            }
            o.values_mut().for_each(integer_ranges);
        }
        Value::Array(a) => a.iter_mut().for_each(integer_ranges),
        _ => {}
    }
}

/// What the server refuses in any text it takes: control characters other than a line feed.
pub const PLAIN_TEXT: &str = "^[^\\x00-\\x09\\x0B-\\x1F\\x7F-\\x9F]*$";

/// Whether a schema admits a string.
pub fn is_string(o: &Map<String, Value>) -> bool {
    match o.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// States on every free-text string that control characters (but a line feed) are refused, as
/// the server's text checks do.
fn no_control_characters(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if is_string(o) && !["pattern", "enum", "const", "format"].iter().any(|k| o.contains_key(*k)) {
                o.insert("pattern".into(), json!(PLAIN_TEXT));
            }
            o.values_mut().for_each(no_control_characters);
        }
        Value::Array(a) => a.iter_mut().for_each(no_control_characters),
        _ => {}
    }
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
        a.iter()
            .map(|v| match v.as_str() {
                Some("") => "空字符串（不填）".to_string(),
                Some(s) => s.to_string(),
                None => v.to_string(),
            })
            .collect::<Vec<_>>()
            .join("、")
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
