//! 送达 records in an event's JSON, both ways.

use liuhen_core::service::{Method, Service};
use liuhen_core::time::Timestamp;
use serde_json::{Value, json};

pub fn service_json(s: &Service) -> Value {
    let mut method = match &s.method {
        Method::Direct { receiver, relation } => json!({"receiver": receiver, "relation": relation}),
        Method::Lien { refusal_reason, witnesses, av_ref, left_at_residence } => json!({
            "refusal_reason": refusal_reason, "witnesses": witnesses, "av_ref": av_ref, "left_at_residence": left_at_residence,
        }),
        Method::Entrusted { agency, reason } => json!({"agency": agency, "reason": reason}),
        Method::Postal { tracking_no, return_receipt_at, returned_undelivered } => json!({
            "tracking_no": tracking_no, "return_receipt_at": return_receipt_at.map(|t| t.0),
            "returned_undelivered": returned_undelivered,
        }),
        Method::Electronic { consent_ref, channel, proof } => {
            json!({"consent_ref": consent_ref, "channel": channel, "proof": proof})
        }
        Method::PublicNotice { reason, prior_attempts, medium, published_at } => json!({
            "reason": reason, "prior_attempts": prior_attempts, "medium": medium, "published_at": published_at.0,
        }),
    };
    method["type"] = json!(s.method.code());
    method["label"] = json!(s.method.label());
    json!({
        "document": s.document, "recipient": s.recipient, "at": s.at.0, "place": s.place, "method": method,
        "servers": s.servers, "recipient_signed": s.recipient_signed, "served_at": s.served_at().map(|t| t.0),
    })
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?.iter().map(|s| s.as_str().map(str::to_string)).collect()
}

pub fn parse_service(v: &Value) -> Option<Service> {
    let m = &v["method"];
    let s = |k: &str| m[k].as_str().map(str::to_string);
    let method = match m["type"].as_str()? {
        "direct" => Method::Direct { receiver: s("receiver")?, relation: s("relation")? },
        "lien" => Method::Lien {
            refusal_reason: s("refusal_reason")?,
            witnesses: strings(&m["witnesses"])?,
            av_ref: s("av_ref")?,
            left_at_residence: m["left_at_residence"].as_bool()?,
        },
        "entrusted" => Method::Entrusted { agency: s("agency")?, reason: s("reason")? },
        "postal" => Method::Postal {
            tracking_no: s("tracking_no")?,
            return_receipt_at: match &m["return_receipt_at"] {
                Value::Null => None,
                t => Some(Timestamp(t.as_i64()?)),
            },
            returned_undelivered: m["returned_undelivered"].as_bool()?,
        },
        "electronic" => {
            Method::Electronic { consent_ref: s("consent_ref")?, channel: s("channel")?, proof: strings(&m["proof"])? }
        }
        "public_notice" => Method::PublicNotice {
            reason: s("reason")?,
            prior_attempts: strings(&m["prior_attempts"])?,
            medium: s("medium")?,
            published_at: Timestamp(m["published_at"].as_i64()?),
        },
        _ => return None,
    };
    Some(Service {
        document: v["document"].as_str()?.to_string(),
        recipient: v["recipient"].as_str()?.to_string(),
        at: Timestamp(v["at"].as_i64()?),
        place: v["place"].as_str()?.to_string(),
        method,
        servers: strings(&v["servers"])?,
        recipient_signed: v["recipient_signed"].as_bool()?,
    })
}

impl<S: liuhen_store::LogStore> super::App<S> {
    /// The staff a command names as having acted are registered officers, by ID — never names
    /// a client typed: the 送达人 of a 送达回证 (in any of its top-level records: `service`,
    /// `notice`; 办法第十七条), the officers who verified a performance (`verified_by`) and those
    /// who supervised a substitute performance (`supervisors`, 行政强制法第五十一条), the 记录人
    /// of an inquiry (`item.recorder`). 422 UNKNOWN_REFERENCE otherwise. A list the form
    /// refuses anyway (too long) is left to it.
    pub async fn staff_known(&self, command: &Value) -> Result<(), crate::app::AppError> {
        let top = command.as_object().into_iter().flat_map(|m| m.values());
        let recorder = match &command["item"] {
            item if item["type"] == "inquiry" && item["recorder"].is_string() => vec![item["recorder"].clone()],
            _ => Vec::new(),
        };
        let lists = top.map(|v| ("送达人", v["servers"].clone())).chain([
            ("复查人员", command["verified_by"].clone()),
            ("监督人员", command["supervisors"].clone()),
            ("记录人", Value::Array(recorder)),
        ]);
        for (what, list) in lists {
            let Some(list) = list.as_array().filter(|l| l.len() <= 50) else { continue };
            for id in list.iter().filter_map(Value::as_str).map(str::trim).filter(|s| !s.is_empty()) {
                match self.store.officer(id).await {
                    Ok(_) => {}
                    Err(liuhen_store::StoreError::NotFound) => {
                        return Err(crate::app::AppError::UnknownReference(format!(
                            "{what}“{id}”不是已登记的执法人员（填执法人员编号）"
                        )));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(())
    }
}
