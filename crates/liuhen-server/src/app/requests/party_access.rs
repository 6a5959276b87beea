//! The forms of 当事人查阅、复制: a request, and its steps (decide, deliver, receipt).

use crate::app::AppError;
use crate::app::party_access::StepInput;
use liuhen_core::party_access::{Access, Mode, Request};
use liuhen_core::time::Timestamp;
use liuhen_store::LogStore;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "PartyAccessRequest")]
pub struct RequestForm {
    pub at: i64,
    #[schemars(pattern(r"\S"))]
    pub requester: super::text::Text<64>,
    /// 当事人本人 / 委托代理人 / 法定代理人.
    #[schemars(pattern(r"\S"))]
    pub relation: super::text::Text<32>,
    /// The identity document checked (its kind; the number is not kept here).
    #[schemars(pattern(r"\S"))]
    pub id_checked: super::text::Text<64>,
    #[schemars(pattern(r"\S"))]
    pub records: super::text::Text<2000>,
    #[serde(default)]
    pub purpose: super::text::Text<500>,
    /// view | copy
    #[schemars(extend("enum" = ["view", "copy"]))]
    pub mode: String,
    /// The 授权委托书, required when an agent asks (422 without it).
    #[serde(default)]
    pub authorisation: super::text::Text<200>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "PartyAccessStep")]
pub enum StepForm {
    Decide {
        at: i64,
        approved: bool,
        #[serde(default)]
        reasons: super::text::Text<2000>,
    },
    Deliver {
        at: i64,
        #[serde(default)]
        until: Option<i64>,
        /// A copy's pages.
        #[serde(default)]
        pages: Option<u32>,
        /// Empty: one is made naming the requester, the case and the date.
        #[serde(default)]
        watermark: super::text::Text<200>,
        /// The ids of the records delivered (`act/0`, `evidence/1`).
        #[serde(default)]
        records: Vec<super::text::Text<2000>>,
    },
    Receipt {
        at: i64,
        #[serde(default)]
        signed_by: super::text::Text<64>,
        #[serde(default)]
        refusal: super::text::Text<500>,
    },
}

/// Records a request from the API's form (the UI's form makes the same).
pub async fn request_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    id: &str,
    f: RequestForm,
) -> Result<Access, AppError> {
    let r = Request {
        id: uuid::Uuid::now_v7().to_string(),
        at: Timestamp(f.at),
        requester: f.requester.text("申请人")?,
        relation: f.relation.text("与当事人的关系")?,
        id_checked: f.id_checked.text("核验的身份证件")?,
        records: f.records.text("查阅、复制的材料")?,
        purpose: f.purpose.text("用途")?,
        mode: Mode::parse(&f.mode)
            .ok_or_else(|| AppError::BadRequest("方式须为 view（查阅）或 copy（复制）".to_string()))?,
        authorisation: f.authorisation.text("授权委托书")?,
    };
    app.request_party_access(user, id, r).await
}

/// Takes a step from the API's form (the UI's form makes the same).
pub async fn step_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    id: &str,
    request_id: &str,
    f: StepForm,
) -> Result<Access, AppError> {
    let input = match f {
        StepForm::Decide { at, approved, reasons } => {
            StepInput::Decide { at: Timestamp(at), approved, reasons: reasons.text("理由")? }
        }
        StepForm::Deliver { at, until, pages, watermark, records } => StepInput::Deliver {
            at: Timestamp(at),
            until: until.map(Timestamp),
            pages: pages.unwrap_or(0),
            watermark: watermark.text("水印")?,
            records: {
                if records.len() > 200 {
                    return Err(AppError::BadRequest("记录不得超过 200 项".to_string()));
                }
                records.iter().map(|r| r.text("记录编号")).collect::<Result<_, _>>()?
            },
        },
        StepForm::Receipt { at, signed_by, refusal } => StepInput::Receipt {
            at: Timestamp(at),
            signed_by: signed_by.text("签收人")?,
            refusal: refusal.text("拒绝签收的情况")?,
        },
    };
    app.party_access_step(user, id, request_id, input).await
}
