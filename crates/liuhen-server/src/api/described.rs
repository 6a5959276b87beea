//! Request bodies held to the published description before they are read: each body is
//! validated against its schema in the OpenAPI document (`GET /api/openapi.json`) — the very
//! schema a client builds its requests from — and only then deserialized
//! (`crate::app::requests::described`).

use crate::app::requests::described::Described;
use crate::error::AppError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::OnceLock;

/// The API's whole description.
fn api() -> &'static Described {
    static API: OnceLock<Described> = OnceLock::new();
    API.get_or_init(|| {
        let doc = super::openapi::document();
        Described::new(doc["components"]["schemas"].as_object().cloned().unwrap_or_default())
    })
}

/// What the description says is wrong with `value` under schema `name`, in Chinese; `None`
/// when it conforms.
pub fn complaint(name: &str, value: &Value) -> Result<Option<String>, AppError> {
    api().complaint(name, value)
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
    api().value_as_but(name, value, left)
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
        assert_eq!(
            crate::app::requests::described::integral(json!({"days": 3.0, "x": [1.5]})),
            json!({"days": 3, "x": [1.5]})
        );
        assert_eq!(super::complaint("AnnualStatistics", &json!({"year": 2025})).unwrap(), None);
        let c = super::complaint("NewAccount", &json!({"username": "ab", "roles": "officer,foo", "password": "x"}));
        assert!(c.unwrap().unwrap().contains("roles"));
        for (_, name) in crate::api::openapi::COMMANDS {
            if let Err(e) = super::complaint(name, &json!({})) {
                panic!("{name}: {e:?}");
            }
            // The requests' own description says of a command what the API's says.
            let c = json!({"type": "hear", "at": "x"});
            assert_eq!(
                super::complaint(name, &c).unwrap(),
                crate::app::requests::described::requests().complaint(name, &c).unwrap()
            );
        }
    }
}
