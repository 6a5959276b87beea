//! The 送达回证 form of `serve` commands (办法第十七条).

use super::cases::text;
use crate::app::AppError;
use liuhen_core::service::{Method, Service};
use liuhen_core::time::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Service")]
pub struct ServiceForm {
    /// The document's name and 文号.
    pub document: super::text::Text<200>,
    pub recipient: super::text::Text<200>,
    pub at: i64,
    pub place: super::text::Text<200>,
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
        receiver: super::text::Text<64>,
        #[serde(default)]
        relation: super::text::Text<100>,
    },
    Lien {
        refusal_reason: super::text::Text<1000>,
        #[serde(default)]
        #[schemars(length(max = 50), inner(length(max = 500)))]
        witnesses: Vec<String>,
        #[serde(default)]
        av_ref: super::text::Text<200>,
        left_at_residence: bool,
    },
    Entrusted {
        agency: super::text::Text<200>,
        reason: super::text::Text<1000>,
    },
    Postal {
        tracking_no: super::text::Text<64>,
        return_receipt_at: Option<i64>,
        #[serde(default)]
        returned_undelivered: bool,
    },
    Electronic {
        consent_ref: super::text::Text<200>,
        channel: super::text::Text<200>,
        #[schemars(length(max = 50), inner(length(max = 500)))]
        proof: Vec<String>,
    },
    PublicNotice {
        reason: super::text::Text<1000>,
        #[schemars(length(max = 50), inner(length(max = 500)))]
        prior_attempts: Vec<String>,
        medium: super::text::Text<200>,
        published_at: i64,
    },
}

fn list(v: &[String], field: &str) -> Result<Vec<String>, AppError> {
    if v.len() > 50 {
        return Err(AppError::BadRequest(format!("{field}不得超过 50 项")));
    }
    v.iter().map(|s| text(s, field, 500)).collect()
}

/// Checks lengths; the rules are core's.
pub fn service_of(f: ServiceForm) -> Result<Service, AppError> {
    let method = match f.method {
        MethodForm::Direct { receiver, relation } => Method::Direct {
            receiver: receiver.text("签收人")?,
            relation: relation.text("与受送达人的关系")?,
        },
        MethodForm::Lien { refusal_reason, witnesses, av_ref, left_at_residence } => Method::Lien {
            refusal_reason: refusal_reason.text("拒收理由")?,
            witnesses: list(&witnesses, "见证人")?,
            av_ref: av_ref.text("音像记录")?,
            left_at_residence,
        },
        MethodForm::Entrusted { agency, reason } => {
            Method::Entrusted { agency: agency.text("受委托机关")?, reason: reason.text("委托原因")? }
        }
        MethodForm::Postal { tracking_no, return_receipt_at, returned_undelivered } => Method::Postal {
            tracking_no: tracking_no.text("邮件单号")?,
            return_receipt_at: return_receipt_at.map(Timestamp),
            returned_undelivered,
        },
        MethodForm::Electronic { consent_ref, channel, proof } => Method::Electronic {
            consent_ref: consent_ref.text("送达地址确认书")?,
            channel: channel.text("送达渠道")?,
            proof: list(&proof, "到达证明")?,
        },
        MethodForm::PublicNotice { reason, prior_attempts, medium, published_at } => Method::PublicNotice {
            reason: reason.text("公告送达原因")?,
            prior_attempts: list(&prior_attempts, "此前的送达尝试")?,
            medium: medium.text("公告载体")?,
            published_at: Timestamp(published_at),
        },
    };
    Ok(Service {
        document: f.document.text("送达文书")?,
        recipient: f.recipient.text("受送达人")?,
        at: Timestamp(f.at),
        place: f.place.text("送达地点")?,
        method,
        servers: list(&f.servers, "送达人")?,
        recipient_signed: f.recipient_signed,
    })
}
