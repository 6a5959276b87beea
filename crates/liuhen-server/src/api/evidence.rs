//! The 调查取证 item form of the `record_evidence` command (办法第八条).

use super::cases::text;
use crate::app::signer::{PRESERVATION_FORM, Signer};
use crate::error::ApiError;
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
    pub reason: String,
    pub noted_by: Vec<String>,
}

fn refusal_of(f: Option<RefusalForm>) -> Result<Option<RefusalNote>, ApiError> {
    f.map(|f| {
        Ok(RefusalNote { reason: text(&f.reason, "拒签情况", 1000)?, noted_by: ids(f.noted_by, "注明人")? })
    })
    .transpose()
}

/// An inquiry, evidence taken in, a sample or a 先行登记保存, tagged by `type`.
#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "EvidenceItem")]
pub enum EvidenceForm {
    Inquiry {
        label: String,
        at: i64,
        ended_at: i64,
        place: String,
        #[schemars(length(max = 20))]
        inquirers: Vec<String>,
        /// The ID of the officer who wrote the record.
        recorder: String,
        interviewee: String,
        relation: String,
        rights_told: bool,
        questions_and_answers: String,
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
        label: String,
        at: i64,
        #[schemars(extend("enum" = ["documentary", "physical", "audio_visual", "electronic", "witness", "party_statement", "expert_opinion", "inspection", "on_site"]))]
        kind: String,
        source: String,
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
        label: String,
        at: i64,
        sample: String,
        batch: String,
        quantity: String,
        method: String,
        sealed: bool,
        party_signed: bool,
        officers: Vec<String>,
        copy_to_party: bool,
        #[serde(default)]
        refusal: Option<RefusalForm>,
    },
    SiteRecord {
        label: String,
        at: i64,
        place: String,
        findings: String,
        officers: Vec<String>,
        party_signed: bool,
        #[serde(default)]
        no_signature_reason: String,
        #[serde(default)]
        witnesses: Vec<String>,
        #[serde(default)]
        #[schemars(range(min = 1, max = 10000))]
        pages: Option<u32>,
        #[serde(default)]
        cross_page_sealed: bool,
    },
    Testing {
        label: String,
        at: i64,
        #[schemars(extend("enum" = ["inspection", "testing", "quarantine", "appraisal", "review"]))]
        kind: String,
        institution: String,
        matter: String,
        result: String,
        result_notified: bool,
        #[serde(default)]
        appraiser_qualified: bool,
        #[serde(default)]
        signed_and_sealed: bool,
    },
    Testimony {
        label: String,
        at: i64,
        witness: String,
        age: Option<u32>,
        sex: String,
        occupation: String,
        address: String,
        statement: String,
        signed: bool,
        id_copy_attached: bool,
    },
    /// 论证 (办法第八条第（十）项).
    Argumentation {
        label: String,
        at: i64,
        matter: String,
        place: String,
        participants: Vec<String>,
        opinions: String,
        conclusion: String,
        signed_by_all: bool,
    },
    /// 先行登记保存: approved beforehand on the case's 先行登记保存证据审批表 (D18a) by the
    /// 负责人 with their own account; the approver and the time are that form's.
    Preservation { label: String, at: i64, items: Vec<String>, notice_served: bool },
}

fn ids(v: Vec<String>, field: &str) -> Result<Vec<String>, ApiError> {
    if v.len() > 20 {
        return Err(ApiError::BadRequest(format!("{field}不得超过 20 人")));
    }
    v.iter().map(|s| text(s, field, 64)).collect()
}

/// How a 视听资料 was made (最高人民法院关于行政诉讼证据若干问题的规定第十二条).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AvProvenance")]
pub struct AvProvenanceForm {
    /// 制作方法，如“执法记录仪现场拍摄”“调取监控录像”。
    #[serde(default)]
    pub production_method: String,
    /// 制作时间（Unix 毫秒）。
    #[serde(default)]
    pub produced_at: Option<i64>,
    /// 制作人。
    #[serde(default)]
    pub producer: String,
    /// 证明对象。
    #[serde(default)]
    pub proves: String,
    /// 含有声音：须附声音内容的文字记录。
    #[serde(default)]
    pub sound: bool,
    /// 声音内容的文字记录。
    #[serde(default)]
    pub transcript: String,
}

/// The pages of a record (one when not said) and its 骑缝 mark.
fn pages_of(pages: Option<u32>, cross_page_sealed: bool) -> Result<CrossPages, ApiError> {
    let pages = pages.unwrap_or(1);
    if pages == 0 || pages > 10_000 {
        return Err(ApiError::BadRequest("页数须为 1 至 10000".into()));
    }
    Ok(CrossPages { pages, cross_page_sealed })
}

/// Evidence an 电子技术监控设备 collected.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Monitoring")]
pub struct MonitoringForm {
    /// 设备编号或设置地点。
    pub device: String,
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

fn monitoring_of(f: Option<MonitoringForm>) -> Result<Option<Monitoring>, ApiError> {
    f.map(|m| {
        Ok(Monitoring {
            device: text(&m.device, "电子技术监控设备", 100)?,
            device_reviewed: m.device_reviewed,
            site_published: m.site_published,
            content_reviewed: m.content_reviewed,
            party_notified_at: m.party_notified_at.map(Timestamp),
        })
    })
    .transpose()
}

fn av_of(f: Option<AvProvenanceForm>) -> Result<Option<AvProvenance>, ApiError> {
    f.map(|a| {
        Ok(AvProvenance {
            production_method: text(&a.production_method, "制作方法", 200)?,
            produced_at: a.produced_at.map(Timestamp),
            producer: text(&a.producer, "制作人", 100)?,
            proves: text(&a.proves, "证明对象", 1000)?,
            sound: a.sound,
            transcript: text(&a.transcript, "声音内容的文字记录", 50_000)?,
        })
    })
    .transpose()
}

/// Checks lengths and vocabularies; the rules are core's.
/// The evidence record a form describes; `me` is who records it, with the case's approved
/// forms it rests on.
pub fn item_of(form: EvidenceForm, me: &Signer) -> Result<Item, ApiError> {
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
                place: text(&place, "询问地点", 200)?,
                inquirers: ids(inquirers, "询问人")?,
                recorder: text(&recorder, "记录人", 64)?,
                interviewee: text(&interviewee, "被询问人", 500)?,
                relation: text(&relation, "与案件的关系", 100)?,
                rights_told,
                questions_and_answers: text(&questions_and_answers, "问答内容", 50_000)?,
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
                kind: Kind::parse(&kind).ok_or_else(|| ApiError::BadRequest(format!("未知的证据种类：{kind}")))?,
                source: text(&source, "证据出处", 500)?,
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
                sample: text(&sample, "样品名称", 200)?,
                batch: text(&batch, "规格批号", 200)?,
                quantity: text(&quantity, "数量", 100)?,
                method: text(&method, "抽样方法", 500)?,
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
                place: text(&place, "检查（勘验）地点", 200)?,
                findings: text(&findings, "检查（勘验）情况", 50_000)?,
                officers: ids(officers, "签名执法人员")?,
                party_signed,
                no_signature_reason: text(&no_signature_reason, "未签名原因", 500)?,
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
                    .ok_or_else(|| ApiError::BadRequest(format!("未知的检验鉴定类别：{kind}")))?,
                institution: text(&institution, "受委托机构", 200)?,
                matter: text(&matter, "委托事项", 1000)?,
                result: text(&result, "结果", 5000)?,
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
                witness: text(&witness, "证人姓名", 64)?,
                age,
                sex: text(&sex, "性别", 8)?,
                occupation: text(&occupation, "职业", 200)?,
                address: text(&address, "住址", 500)?,
                statement: text(&statement, "证言内容", 50_000)?,
                signed,
                id_copy_attached,
            }),
        ),
        EvidenceForm::Argumentation { label, at, matter, place, participants, opinions, conclusion, signed_by_all } => {
            if participants.len() > 50 {
                return Err(ApiError::BadRequest("论证参加人员不得超过 50 名".to_string()));
            }
            (
                label,
                at,
                Body::Argumentation(Argumentation {
                    matter: text(&matter, "论证事项", 500)?,
                    place: text(&place, "论证地点", 200)?,
                    participants: participants.iter().map(|p| text(p, "参加人员", 100)).collect::<Result<_, _>>()?,
                    opinions: text(&opinions, "论证意见", 10_000)?,
                    conclusion: text(&conclusion, "论证结论", 2000)?,
                    signed_by_all,
                }),
            )
        }
        EvidenceForm::Preservation { label, at, items, notice_served } => {
            if items.len() > 500 {
                return Err(ApiError::BadRequest("物品清单不得超过 500 项".to_string()));
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
                    items: items.iter().map(|i| text(i, "物品", 200)).collect::<Result<_, _>>()?,
                    notice_served,
                }),
            )
        }
    };
    Ok(Item { label: text(&label, "证据名称", 200)?, at: Timestamp(at), body })
}
