//! The 调查取证 item form of the `record_evidence` command (办法第八条).

use crate::app::AppError;
use crate::app::signer::{PRESERVATION_FORM, Signer};
use liuhen_core::evidence::{
    Argumentation, AvProvenance, Body, Collected, CrossPages, Inquiry, Item, Kind, Monitoring, Preservation,
    RefusalNote, Sampling, SiteRecord, TestKind, Testimony, Testing,
};
use liuhen_core::time::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;

/// A refusal to sign, noted by officers (办法第十四条).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Refusal")]
pub struct RefusalForm {
    pub reason: super::text::Text<1000>,
    pub noted_by: Vec<super::text::Text<64>>,
}

fn refusal_of(f: Option<RefusalForm>) -> Result<Option<RefusalNote>, AppError> {
    f.map(|f| Ok(RefusalNote { reason: f.reason.text("拒签情况")?, noted_by: ids(f.noted_by, "注明人")? })).transpose()
}

/// An inquiry, evidence taken in, a sample or a 先行登记保存, tagged by `type`.
#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "EvidenceItem")]
pub enum EvidenceForm {
    Inquiry {
        label: super::text::Text<200>,
        at: i64,
        ended_at: i64,
        place: super::text::Text<200>,
        #[schemars(length(max = 20))]
        inquirers: Vec<super::text::Text<64>>,
        /// The ID of the officer who wrote the record.
        recorder: super::text::Text<64>,
        interviewee: super::text::Text<500>,
        relation: super::text::Text<100>,
        rights_told: bool,
        questions_and_answers: super::text::Text<50000>,
        confirmed: bool,
        signed_every_page: bool,
        #[serde(default)]
        refusal: Option<RefusalForm>,
        /// 笔录页数（省略为 1）；多页的须当事人捺骑缝手印或加盖骑缝章（R-023，办法第十四条）。
        #[serde(default)]
        #[schemars(range(min = 1, max = 10000))]
        pages: Option<u32>,
        /// 当事人已捺骑缝手印或加盖骑缝章。
        #[serde(default)]
        cross_page_sealed: bool,
    },
    Collected {
        label: super::text::Text<200>,
        at: i64,
        #[schemars(extend("enum" = ["documentary", "physical", "audio_visual", "electronic", "witness", "party_statement", "expert_opinion", "inspection", "on_site"]))]
        kind: String,
        source: super::text::Text<500>,
        original: bool,
        #[serde(default)]
        copy_verified: bool,
        lawfully_obtained: bool,
        /// 视听资料（kind=audio_visual）的制作情况（R-026）。
        #[serde(default)]
        av: Option<AvProvenanceForm>,
        /// 由电子技术监控设备收集的（R-015，行政处罚法第四十一条）。
        #[serde(default)]
        monitoring: Option<MonitoringForm>,
    },
    Sampling {
        label: super::text::Text<200>,
        at: i64,
        sample: super::text::Text<200>,
        batch: super::text::Text<200>,
        quantity: super::text::Text<100>,
        method: super::text::Text<500>,
        sealed: bool,
        party_signed: bool,
        officers: Vec<super::text::Text<64>>,
        copy_to_party: bool,
        #[serde(default)]
        refusal: Option<RefusalForm>,
    },
    SiteRecord {
        label: super::text::Text<200>,
        at: i64,
        place: super::text::Text<200>,
        findings: super::text::Text<50000>,
        officers: Vec<super::text::Text<64>>,
        party_signed: bool,
        #[serde(default)]
        no_signature_reason: super::text::Text<500>,
        #[serde(default)]
        witnesses: Vec<super::text::Text<64>>,
        #[serde(default)]
        #[schemars(range(min = 1, max = 10000))]
        pages: Option<u32>,
        #[serde(default)]
        cross_page_sealed: bool,
    },
    Testing {
        label: super::text::Text<200>,
        at: i64,
        #[schemars(extend("enum" = ["inspection", "testing", "quarantine", "appraisal", "review"]))]
        kind: String,
        institution: super::text::Text<200>,
        matter: super::text::Text<1000>,
        result: super::text::Text<5000>,
        result_notified: bool,
        #[serde(default)]
        appraiser_qualified: bool,
        #[serde(default)]
        signed_and_sealed: bool,
    },
    Testimony {
        label: super::text::Text<200>,
        at: i64,
        witness: super::text::Text<64>,
        age: Option<u32>,
        sex: super::text::Text<8>,
        occupation: super::text::Text<200>,
        address: super::text::Text<500>,
        statement: super::text::Text<50000>,
        signed: bool,
        id_copy_attached: bool,
    },
    /// 论证 (办法第八条第（十）项).
    Argumentation {
        label: super::text::Text<200>,
        at: i64,
        matter: super::text::Text<500>,
        place: super::text::Text<200>,
        participants: Vec<super::text::Text<100>>,
        opinions: super::text::Text<10000>,
        conclusion: super::text::Text<2000>,
        signed_by_all: bool,
    },
    /// 先行登记保存: approved beforehand on the case's 先行登记保存证据审批表 (D18a) by the
    /// 负责人 with their own account; the approver and the time are that form's.
    Preservation { label: super::text::Text<200>, at: i64, items: Vec<super::text::Text<200>>, notice_served: bool },
}

fn ids(v: Vec<super::text::Text<64>>, field: &str) -> Result<Vec<String>, AppError> {
    if v.len() > 20 {
        return Err(AppError::BadRequest(format!("{field}不得超过 20 人")));
    }
    v.iter().map(|s| s.text(field)).collect()
}

/// How a 视听资料 was made (最高人民法院关于行政诉讼证据若干问题的规定第十二条).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AvProvenance")]
pub struct AvProvenanceForm {
    /// 制作方法，如“执法记录仪现场拍摄”“调取监控录像”。
    #[serde(default)]
    pub production_method: super::text::Text<200>,
    /// 制作时间（Unix 毫秒）。
    #[serde(default)]
    pub produced_at: Option<i64>,
    /// 制作人。
    #[serde(default)]
    pub producer: super::text::Text<100>,
    /// 证明对象。
    #[serde(default)]
    pub proves: super::text::Text<1000>,
    /// 含有声音：须附声音内容的文字记录。
    #[serde(default)]
    pub sound: bool,
    /// 声音内容的文字记录。
    #[serde(default)]
    pub transcript: super::text::Text<50000>,
}

/// The pages of a record (one when not said) and its 骑缝 mark.
fn pages_of(pages: Option<u32>, cross_page_sealed: bool) -> Result<CrossPages, AppError> {
    let pages = pages.unwrap_or(1);
    if pages == 0 || pages > 10_000 {
        return Err(AppError::BadRequest("页数须为 1 至 10000".into()));
    }
    Ok(CrossPages { pages, cross_page_sealed })
}

/// Evidence an 电子技术监控设备 collected.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Monitoring")]
pub struct MonitoringForm {
    /// 设备编号或设置地点。
    pub device: super::text::Text<100>,
    /// 设备已经法制和技术审核。
    #[serde(default)]
    pub device_reviewed: bool,
    /// 设置地点已向社会公布。
    #[serde(default)]
    pub site_published: bool,
    /// 记录内容已经审核符合要求。
    #[serde(default)]
    pub content_reviewed: bool,
    /// 告知当事人违法事实的时间（Unix 毫秒）。
    #[serde(default)]
    pub party_notified_at: Option<i64>,
}

fn monitoring_of(f: Option<MonitoringForm>) -> Result<Option<Monitoring>, AppError> {
    f.map(|m| {
        Ok(Monitoring {
            device: m.device.text("电子技术监控设备")?,
            device_reviewed: m.device_reviewed,
            site_published: m.site_published,
            content_reviewed: m.content_reviewed,
            party_notified_at: m.party_notified_at.map(Timestamp),
        })
    })
    .transpose()
}

fn av_of(f: Option<AvProvenanceForm>) -> Result<Option<AvProvenance>, AppError> {
    f.map(|a| {
        Ok(AvProvenance {
            production_method: a.production_method.text("制作方法")?,
            produced_at: a.produced_at.map(Timestamp),
            producer: a.producer.text("制作人")?,
            proves: a.proves.text("证明对象")?,
            sound: a.sound,
            transcript: a.transcript.text("声音内容的文字记录")?,
        })
    })
    .transpose()
}

/// Checks lengths and vocabularies; the rules are core's.
/// The evidence record a form describes; `me` is who records it, with the case's approved
/// forms it rests on.
pub fn item_of(form: EvidenceForm, me: &Signer) -> Result<Item, AppError> {
    let (label, at, body) = match form {
        EvidenceForm::Inquiry {
            label,
            at,
            ended_at,
            place,
            inquirers,
            recorder,
            interviewee,
            relation,
            rights_told,
            questions_and_answers,
            confirmed,
            signed_every_page,
            refusal,
            pages,
            cross_page_sealed,
        } => (
            label,
            at,
            Body::Inquiry(Inquiry {
                ended_at: Timestamp(ended_at),
                place: place.text("询问地点")?,
                inquirers: ids(inquirers, "询问人")?,
                recorder: recorder.text("记录人")?,
                interviewee: interviewee.text("被询问人")?,
                relation: relation.text("与案件的关系")?,
                rights_told,
                questions_and_answers: questions_and_answers.text("问答内容")?,
                confirmed,
                signed_every_page,
                refusal: refusal_of(refusal)?,
                pages: pages_of(pages, cross_page_sealed)?,
            }),
        ),
        EvidenceForm::Collected {
            label,
            at,
            kind,
            source,
            original,
            copy_verified,
            lawfully_obtained,
            av,
            monitoring,
        } => (
            label,
            at,
            Body::Collected(Collected {
                kind: Kind::parse(&kind).ok_or_else(|| AppError::BadRequest(format!("未知的证据种类：{kind}")))?,
                source: source.text("证据出处")?,
                original,
                copy_verified,
                lawfully_obtained,
                av: av_of(av)?,
                monitoring: monitoring_of(monitoring)?,
            }),
        ),
        EvidenceForm::Sampling {
            label,
            at,
            sample,
            batch,
            quantity,
            method,
            sealed,
            party_signed,
            officers,
            copy_to_party,
            refusal,
        } => (
            label,
            at,
            Body::Sampling(Sampling {
                sample: sample.text("样品名称")?,
                batch: batch.text("规格批号")?,
                quantity: quantity.text("数量")?,
                method: method.text("抽样方法")?,
                sealed,
                party_signed,
                officers: ids(officers, "签名执法人员")?,
                copy_to_party,
                refusal: refusal_of(refusal)?,
            }),
        ),
        EvidenceForm::SiteRecord {
            label,
            at,
            place,
            findings,
            officers,
            party_signed,
            no_signature_reason,
            witnesses,
            pages,
            cross_page_sealed,
        } => (
            label,
            at,
            Body::SiteRecord(SiteRecord {
                place: place.text("检查（勘验）地点")?,
                findings: findings.text("检查（勘验）情况")?,
                officers: ids(officers, "签名执法人员")?,
                party_signed,
                no_signature_reason: no_signature_reason.text("未签名原因")?,
                witnesses: ids(witnesses, "见证人")?,
                pages: pages_of(pages, cross_page_sealed)?,
            }),
        ),
        EvidenceForm::Testing {
            label,
            at,
            kind,
            institution,
            matter,
            result,
            result_notified,
            appraiser_qualified,
            signed_and_sealed,
        } => (
            label,
            at,
            Body::Testing(Testing {
                kind: TestKind::parse(&kind)
                    .ok_or_else(|| AppError::BadRequest(format!("未知的检验鉴定类别：{kind}")))?,
                institution: institution.text("受委托机构")?,
                matter: matter.text("委托事项")?,
                result: result.text("结果")?,
                result_notified,
                appraiser_qualified,
                signed_and_sealed,
            }),
        ),
        EvidenceForm::Testimony {
            label,
            at,
            witness,
            age,
            sex,
            occupation,
            address,
            statement,
            signed,
            id_copy_attached,
        } => (
            label,
            at,
            Body::Testimony(Testimony {
                witness: witness.text("证人姓名")?,
                age,
                sex: sex.text("性别")?,
                occupation: occupation.text("职业")?,
                address: address.text("住址")?,
                statement: statement.text("证言内容")?,
                signed,
                id_copy_attached,
            }),
        ),
        EvidenceForm::Argumentation { label, at, matter, place, participants, opinions, conclusion, signed_by_all } => {
            if participants.len() > 50 {
                return Err(AppError::BadRequest("论证参加人员不得超过 50 名".to_string()));
            }
            (
                label,
                at,
                Body::Argumentation(Argumentation {
                    matter: matter.text("论证事项")?,
                    place: place.text("论证地点")?,
                    participants: participants.iter().map(|p| p.text("参加人员")).collect::<Result<_, _>>()?,
                    opinions: opinions.text("论证意见")?,
                    conclusion: conclusion.text("论证结论")?,
                    signed_by_all,
                }),
            )
        }
        EvidenceForm::Preservation { label, at, items, notice_served } => {
            if items.len() > 500 {
                return Err(AppError::BadRequest("物品清单不得超过 500 项".to_string()));
            }
            // No approved form: no approver, and R-028 refuses it.
            let (approved_by, approved_at) = match me.forms.get(PRESERVATION_FORM) {
                Some((_, approval, at)) => (approval.approver.by.clone(), *at),
                None => (String::new(), Timestamp(at)),
            };
            (
                label,
                at,
                Body::Preservation(Preservation {
                    approved_by,
                    approved_at,
                    items: items.iter().map(|i| i.text("物品")).collect::<Result<_, _>>()?,
                    notice_served,
                }),
            )
        }
    };
    Ok(Item { label: label.text("证据名称")?, at: Timestamp(at), body })
}
