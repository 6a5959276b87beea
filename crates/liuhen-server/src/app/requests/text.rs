//! Free text a client sends, with its limit in its type: the `maxLength` the description states
//! is the limit the parser checks, so the two cannot drift.

use crate::app::AppError;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::ops::Deref;

/// What [`crate::app::unprintable`] refuses, as the description's `pattern`: no control
/// character but the line feed, nothing that prints as nothing.
pub const PRINTABLE: &str = "^[^\\u0000-\\u0009\\u000B-\\u001F\\u007F-\\u009F\\u00AD\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB]*$";

/// A string of at most `MAX` characters (Unicode scalar values, as JSON Schema counts them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Text<const MAX: usize>(String);

impl<const MAX: usize> Text<MAX> {
    /// The text trimmed, refused if it holds control characters other than a line feed; `field`
    /// names it in the error.
    pub fn text(&self, field: &str) -> Result<String, AppError> {
        super::cases::text(&self.0, field, MAX)
    }

    /// As `text`, and refused when empty.
    pub fn required(&self, field: &str) -> Result<String, AppError> {
        super::cases::required(&self.0, field, MAX)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<const MAX: usize> Deref for Text<MAX> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> std::fmt::Display for Text<MAX> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> From<&str> for Text<MAX> {
    fn from(s: &str) -> Self {
        Text(s.to_string())
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.chars().count() > MAX {
            return Err(D::Error::custom(format!("不得超过 {MAX} 个字符")));
        }
        Ok(Text(s))
    }
}

impl<const MAX: usize> Serialize for Text<MAX> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<const MAX: usize> JsonSchema for Text<MAX> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Text{MAX}").into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "maxLength": MAX, "pattern": PRINTABLE})
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn the_limit_is_the_types() {
        assert!(serde_json::from_str::<Text<3>>("\"栗乡街\"").is_ok());
        let e = serde_json::from_str::<Text<3>>("\"栗乡街道\"").unwrap_err().to_string();
        assert!(e.contains("不得超过 3 个字符"), "{e}");
        let s = schemars::schema_for!(Text<3>);
        assert_eq!(s.get("maxLength"), Some(&serde_json::json!(3)));
        assert_eq!(Text::<3>::from(" 栗 ").text("名称").unwrap(), "栗");
        assert!(Text::<3>::from("  ").required("名称").is_err());
    }

    /// The description's pattern refuses exactly what the parser refuses, over the whole
    /// Basic Multilingual Plane.
    #[test]
    fn the_pattern_is_the_parsers() {
        let schema = serde_json::json!({"type": "string", "pattern": super::PRINTABLE});
        let validator = jsonschema::validator_for(&schema).unwrap();
        for c in (0u32..0x1_0000).filter_map(char::from_u32) {
            let described = validator.is_valid(&serde_json::json!(format!("栗{c}乡")));
            assert_eq!(described, !crate::app::unprintable(c), "U+{:04X}", c as u32);
        }
    }
}
