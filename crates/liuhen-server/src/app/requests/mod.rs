//! The application's requests as described: the forms the API and the UI submit (`*Form`),
//! held to their schema before they are read (`described`), what each becomes for the
//! application (`cases::execute_command`, the `*_from` functions), and the schemas themselves,
//! generated with schemars from these very types. The API publishes the schemas in its OpenAPI
//! document beside its own; the UI builds the same JSON from its pages and calls the same
//! functions — one path, whichever edge a request came in by.

pub mod cases;
pub mod described;
pub mod evidence;
pub mod party_access;
pub mod service;
pub mod text;

use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

/// The case types and the command each takes, by the name of its schema.
pub const COMMANDS: [(&str, &str); 5] = [
    ("inspection", "InspectionCommand"),
    ("summary_penalty", "SummaryCommand"),
    ("ordinary_penalty", "OrdinaryCommand"),
    ("licence", "LicenceCommand"),
    ("coercive_measure", "CoercionCommand"),
];

/// The generator every schema of a request is made with (2020-12, definitions under
/// `#/components/schemas/`, as deserialized).
pub fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas/".into())
        .for_deserialize()
        .into_generator()
}

/// Adds the schema of every request form of this module (and what they use) to `g`.
pub fn add_forms(g: &mut SchemaGenerator) {
    macro_rules! each {
        ($($t:ty),* $(,)?) => { $( g.subschema_for::<$t>(); )* };
    }
    each!(
        cases::CommandForm,
        cases::SummaryCommandForm,
        cases::OrdinaryCommandForm,
        cases::LicenceCommandForm,
        cases::CoercionCommandForm,
        cases::OpenInspectionForm,
        cases::SummaryStartForm,
        cases::LeadForm,
        cases::ApplicationForm,
        cases::MeasureForm,
        cases::MatterForm,
        cases::AgencyForm,
        cases::OfficerForm,
        evidence::EvidenceForm,
        service::ServiceForm,
        party_access::RequestForm,
        party_access::StepForm,
    );
}

/// Marks the choices told apart by `type` (OpenAPI's discriminator); each command names its
/// case type.
pub fn discriminate(defs: &mut Map<String, Value>) {
    for (case_type, name) in COMMANDS {
        if let Some(Value::Object(o)) = defs.get_mut(name) {
            o.insert("discriminator".into(), json!({"propertyName": "type"}));
            o.insert("x-case-type".into(), json!(case_type));
        }
    }
    for name in ["ServiceMethod", "PartyAccessStep"] {
        if let Some(Value::Object(o)) = defs.get_mut(name) {
            o.insert("discriminator".into(), json!({"propertyName": "type"}));
        }
    }
}

/// The schemas of the requests, by name.
pub fn schemas() -> Map<String, Value> {
    let mut g = generator();
    add_forms(&mut g);
    let mut defs = g.take_definitions(true);
    discriminate(&mut defs);
    defs
}
