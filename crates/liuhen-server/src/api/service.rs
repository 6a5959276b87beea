//! The 送达回证 form of `serve` commands (办法第十七条).

use super::cases::text;
use crate::error::ApiError;
use liuhen_core::service::{Method, Service};
use liuhen_core::time::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Service")]
pub struct ServiceForm {
    /// The document's name and 文号.
    pub document: String,
    pub recipient: String,
    pub at: i64,
    pub place: String,
    /// 送达人: the IDs of the registered officers who served it (办法第十七条).
    #[schemars(length(max = 50), inner(length(max = 500)))]
    pub servers: Vec<String>,
    pub recipient_signed: bool,
    pub method: MethodForm,
}

#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "ServiceMethod")]
pub enum MethodForm {
    Direct {
        receiver: String,
        #[serde(default)]
        relation: String,
    },
    Lien {
        refusal_reason: String,
        #[serde(default)]
        #[schemars(length(max = 50), inner(length(max = 500)))]
        witnesses: Vec<String>,
        #[serde(default)]
        av_ref: String,
        left_at_residence: bool,
    },
    Entrusted {
        agency: String,
        reason: String,
    },
    Postal {
        tracking_no: String,
        return_receipt_at: Option<i64>,
        #[serde(default)]
        returned_undelivered: bool,
    },
    Electronic {
        consent_ref: String,
        channel: String,
        #[schemars(length(max = 50), inner(length(max = 500)))]
        proof: Vec<String>,
    },
    PublicNotice {
        reason: String,
        #[schemars(length(max = 50), inner(length(max = 500)))]
        prior_attempts: Vec<String>,
        medium: String,
        published_at: i64,
    },
}

fn list(v: &[String], field: &str) -> Result<Vec<String>, ApiError> {
    if v.len() > 50 {
        return Err(ApiError::BadRequest(format!("{field}不得超过 50 项")));
    }
    v.iter().map(|s| text(s, field, 500)).collect()
}

/// Checks lengths; the rules are core's.
pub fn service_of(f: ServiceForm) -> Result<Service, ApiError> {
    let method = match f.method {
        MethodForm::Direct { receiver, relation } => Method::Direct {
            receiver: text(&receiver, "签收人", 64)?,
            relation: text(&relation, "与受送达人的关系", 100)?,
        },
        MethodForm::Lien { refusal_reason, witnesses, av_ref, left_at_residence } => Method::Lien {
            refusal_reason: text(&refusal_reason, "拒收理由", 1000)?,
            witnesses: list(&witnesses, "见证人")?,
            av_ref: text(&av_ref, "音像记录", 200)?,
            left_at_residence,
        },
        MethodForm::Entrusted { agency, reason } => Method::Entrusted {
            agency: text(&agency, "受委托机关", 200)?,
            reason: text(&reason, "委托原因", 1000)?,
        },
        MethodForm::Postal { tracking_no, return_receipt_at, returned_undelivered } => Method::Postal {
            tracking_no: text(&tracking_no, "邮件单号", 64)?,
            return_receipt_at: return_receipt_at.map(Timestamp),
            returned_undelivered,
        },
        MethodForm::Electronic { consent_ref, channel, proof } => Method::Electronic {
            consent_ref: text(&consent_ref, "送达地址确认书", 200)?,
            channel: text(&channel, "送达渠道", 200)?,
            proof: list(&proof, "到达证明")?,
        },
        MethodForm::PublicNotice { reason, prior_attempts, medium, published_at } => Method::PublicNotice {
            reason: text(&reason, "公告送达原因", 1000)?,
            prior_attempts: list(&prior_attempts, "此前的送达尝试")?,
            medium: text(&medium, "公告载体", 200)?,
            published_at: Timestamp(published_at),
        },
    };
    Ok(Service {
        document: text(&f.document, "送达文书", 200)?,
        recipient: text(&f.recipient, "受送达人", 200)?,
        at: Timestamp(f.at),
        place: text(&f.place, "送达地点", 200)?,
        method,
        servers: list(&f.servers, "送达人")?,
        recipient_signed: f.recipient_signed,
    })
}
