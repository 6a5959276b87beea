//! A client that knows the API from its OpenAPI document alone (`GET /api/openapi.json`): it
//! finds the operation of each request by its path, builds a case command from the schema its
//! case type names (`x-case-types`), refuses to send a field the description does not declare,
//! validates every body with an independent JSON Schema validator (the `jsonschema` crate, not
//! the server's types), and then holds the server to the description both ways: a body the
//! schema allows is never refused with 400, one it forbids is never accepted.

use serde_json::{Map, Value, json};

pub struct Described {
    doc: Value,
}

/// What the description says of one request body.
pub struct Verdict {
    pub operation: String,
    pub errors: Vec<String>,
}

impl Described {
    pub fn new(doc: Value) -> Described {
        assert_eq!(doc["openapi"], "3.1.0");
        Described { doc }
    }

    /// The schema `#/components/schemas/X` names.
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("not a component: {r}"));
                let s = &self.doc["components"]["schemas"][name];
                assert!(!s.is_null(), "the description names {r} and has no such schema");
                self.resolve(s)
            }
            None => schema,
        }
    }

    /// The template and operation for `method` on the concrete `path` (literal segments win
    /// over parameters: `/api/cases/inspections` before `/api/cases/{id}`).
    fn operation(&self, method: &str, path: &str) -> Option<(String, &Value)> {
        let path = path.split('?').next().unwrap_or_default();
        let segs: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, String, &Value)> = None;
        for (tpl, item) in self.doc["paths"].as_object()? {
            let t: Vec<&str> = tpl.split('/').collect();
            let op = &item[method.to_lowercase()];
            if op.is_null() || t.len() != segs.len() {
                continue;
            }
            let param = |s: &str| s.starts_with('{') && s.ends_with('}');
            if !t.iter().zip(&segs).all(|(a, b)| a == b || param(a)) {
                continue;
            }
            let literal = t.iter().filter(|s| !param(s)).count();
            if best.as_ref().is_none_or(|(n, _, _)| literal > *n) {
                best = Some((literal, tpl.clone(), op));
            }
        }
        best.map(|(_, t, op)| (format!("{method} {t}"), op))
    }

    /// Checks `body` for `method path` against the description: an undocumented request with a
    /// body is a failure of the description, as is a field it does not declare.
    pub fn judge(&self, method: &str, path: &str, body: &Value) -> Verdict {
        let (operation, op) =
            self.operation(method, path).unwrap_or_else(|| panic!("{method} {path} is not in the description"));
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        assert!(!schema.is_null(), "{operation} takes a JSON body and the description gives it no schema");
        let mut errors = self.errors(schema, body);
        let mut undeclared = Vec::new();
        self.undeclared(schema, body, "", &mut undeclared);
        errors.extend(undeclared.into_iter().map(|p| format!("{p}: not a field the description declares")));
        Verdict { operation, errors }
    }

    /// What the description says of the `command` of a case-command body for a case of
    /// `case_type`: it must be one of the commands that case type takes (`x-case-types`).
    pub fn judge_command(&self, case_type: &str, body: &Value) -> Vec<String> {
        let by_type = &self.doc["components"]["schemas"]["Command"]["x-case-types"];
        let Some(name) = by_type[case_type].as_str() else {
            return vec![format!("the description has no commands for {case_type}")];
        };
        let schema = json!({"$ref": name});
        let mut errors = self.errors(&schema, &body["command"]);
        let mut undeclared = Vec::new();
        self.undeclared(&schema, &body["command"], "/command", &mut undeclared);
        errors.extend(undeclared.into_iter().map(|p| format!("{p}: not a field the description declares")));
        errors
    }

    /// The validator's complaints about `value` under `schema` (with the document's components).
    pub fn errors(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut root = match schema {
            Value::Object(o) => o.clone(),
            _ => Map::new(),
        };
        root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        root.insert("components".into(), self.doc["components"].clone());
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&Value::Object(root))
            .unwrap_or_else(|e| panic!("the description's schema does not compile: {e}"));
        validator.iter_errors(value).map(|e| format!("{}: {e}", e.instance_path())).collect()
    }

    /// The paths of fields in `value` that `schema` does not declare (a client of the
    /// description sends no field it cannot know).
    fn undeclared(&self, schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
        let schema = self.resolve(schema);
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = schema[key].as_array() {
                // The branch this value takes: by its `type` tag, else the first it satisfies.
                let tagged = branches.iter().find(|b| {
                    let b = self.resolve(b);
                    !b["properties"]["type"]["const"].is_null() && b["properties"]["type"]["const"] == value["type"]
                });
                let chosen = tagged.or_else(|| branches.iter().find(|b| self.errors(b, value).is_empty()));
                if let Some(b) = chosen {
                    self.undeclared(b, value, path, out);
                }
                return;
            }
        }
        match value {
            Value::Object(fields) => {
                let Some(props) = schema["properties"].as_object() else { return };
                for (k, v) in fields {
                    let here = format!("{path}/{k}");
                    match props.get(k) {
                        Some(s) => self.undeclared(s, v, &here, out),
                        None => out.push(here),
                    }
                }
            }
            Value::Array(items) if !schema["items"].is_null() => {
                for (i, v) in items.iter().enumerate() {
                    self.undeclared(&schema["items"], v, &format!("{path}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    /// A command of `kind` for a case of `case_type`, built from the schema the description
    /// names for that case type: every field must be one the variant declares, every field it
    /// requires present, and the whole valid; else why not.
    pub fn command(&self, case_type: &str, kind: &str, fields: &Value) -> Result<Value, String> {
        let by_type = &self.doc["components"]["schemas"]["Command"]["x-case-types"];
        let name =
            by_type[case_type].as_str().ok_or_else(|| format!("the description has no commands for {case_type}"))?;
        let reference = json!({"$ref": name});
        let commands = self.resolve(&reference);
        let variant = commands["oneOf"]
            .as_array()
            .ok_or_else(|| format!("{name} is not a oneOf"))?
            .iter()
            .find(|v| v["properties"]["type"]["const"] == kind)
            .ok_or_else(|| format!("{name} has no command {kind}"))?;
        let declared = variant["properties"].as_object().ok_or("a variant without properties")?;
        let mut cmd = Map::new();
        cmd.insert("type".into(), json!(kind));
        for (k, v) in fields.as_object().ok_or_else(|| format!("{kind}: fields must be an object"))? {
            if k == "type" {
                continue;
            }
            if !declared.contains_key(k) {
                return Err(format!("{name}/{kind} declares no field {k}"));
            }
            cmd.insert(k.clone(), v.clone());
        }
        for r in variant["required"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap_or_default();
            if !cmd.contains_key(r) {
                return Err(format!("{name}/{kind} requires {r}"));
            }
        }
        let cmd = Value::Object(cmd);
        let errors = self.errors(variant, &cmd);
        if !errors.is_empty() {
            return Err(format!("{name}/{kind}: {errors:?}"));
        }
        Ok(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::Described;
    use serde_json::json;

    fn described() -> Described {
        Described::new(liuhen_server::api::openapi::document())
    }

    /// The client is not a rubber stamp: what the description forbids, it says so.
    #[test]
    fn the_client_finds_what_the_description_forbids() {
        let d = described();
        let open = json!({"case_no": "栗街检〔2026〕1号", "matter": "消防安全检查", "kind": "routine", "basis": "计划",
            "source": "inspection", "reason": "例行", "received_at": 1_795_568_400_000_i64});
        assert!(d.judge("POST", "/api/cases/inspections", &open).errors.is_empty());
        let mut missing = open.clone();
        missing.as_object_mut().unwrap().remove("matter");
        assert!(!d.judge("POST", "/api/cases/inspections", &missing).errors.is_empty());
        let mut unknown = open.clone();
        unknown["mood"] = json!("angry");
        assert!(!d.judge("POST", "/api/cases/inspections", &unknown).errors.is_empty());
        let mut bell = open.clone();
        bell["reason"] = json!("例行\u{0007}");
        assert!(!d.judge("POST", "/api/cases/inspections", &bell).errors.is_empty());
        // A command of another case type is not one this case takes.
        let cmd = json!({"expected_version": 1, "command": {"type": "notify_result", "at": 1}});
        assert!(d.judge_command("inspection", &cmd).is_empty());
        assert!(!d.judge_command("summary_penalty", &cmd).is_empty());
        // Built from the schema: a field it does not declare, or one it requires missing, is not sent.
        assert!(d.command("inspection", "close", &json!({"at": 1})).is_ok());
        assert!(d.command("inspection", "close", &json!({})).is_err());
        assert!(d.command("inspection", "close", &json!({"at": 1, "approver": "张主任"})).is_err());
        assert!(
            d.command("inspection", "record_on_site", &json!({"at": 1, "place": "x"})).is_err(),
            "an act nests under act"
        );
    }
}
