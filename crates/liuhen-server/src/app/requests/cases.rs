//! The forms that register officers and matters, set the office's profile, open cases and
//! command them, and what each becomes for the application: the API's and the UI's one path.

use crate::app::AppError;
use crate::app::cases::{ActInput, OfficerInput};
use crate::app::inspection::InspectionCommand;
use liuhen_core::inspection::{Initiation, Kind, Open, Source};
use liuhen_core::time::{Date, Timestamp};
use liuhen_store::{CaseRecord, LogStore, OfficerRecord};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// A text field that may not be empty.
pub fn required(s: &str, field: &str, max: usize) -> Result<String, AppError> {
    let t = text(s, field, max)?;
    if t.is_empty() {
        return Err(AppError::BadRequest(format!("{field}不能为空")));
    }
    Ok(t)
}

pub fn date(s: &str, field: &str) -> Result<Date, AppError> {
    Date::parse(s).map_err(|e| AppError::BadRequest(format!("{field}：{e}")))
}

pub fn text(s: &str, field: &str, max: usize) -> Result<String, AppError> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(AppError::BadRequest(format!("{field}不得超过 {max} 个字符")));
    }
    if t.chars().any(crate::app::unprintable) {
        return Err(AppError::BadRequest(format!("{field}含有控制字符或不可见字符")));
    }
    Ok(t.to_string())
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "NewOfficer")]
pub struct OfficerForm {
    #[schemars(pattern(r"\S"))]
    pub name: super::text::Text<32>,
    /// 行政执法证号: 1–32 letters, digits or hyphens (full-width ones are read as ASCII).
    #[schemars(pattern(r"^\s*[A-Za-z0-9Ａ-Ｚａ-ｚ０-９\-－]{1,32}\s*$"))]
    pub cert_no: super::text::Text<64>,
    #[schemars(extend("format" = "date"))]
    pub cert_valid_from: String,
    #[schemars(extend("format" = "date"))]
    pub cert_valid_to: String,
    /// Kinds of enforcement covered; all four when omitted.
    #[schemars(extend("items" = {"type": "string", "enum": ["penalty", "licence", "coercion", "inspection"]}))]
    pub cert_scope: Option<Vec<String>>,
    /// 法律职业资格.
    #[serde(default)]
    pub legal_qualification: bool,
}

/// Registers an officer from the API's form (the UI's form makes the same).
pub async fn register_officer_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    f: OfficerForm,
) -> Result<OfficerRecord, AppError> {
    use liuhen_core::matter::MatterKind;
    let cert_scope = match f.cert_scope {
        None => vec![MatterKind::Penalty, MatterKind::Licence, MatterKind::Coercion, MatterKind::Inspection],
        Some(list) => list
            .iter()
            .map(|k| MatterKind::parse(k).ok_or_else(|| AppError::BadRequest(format!("未知的执法类别：{k}"))))
            .collect::<Result<_, _>>()?,
    };
    let input = OfficerInput {
        name: f.name.required("姓名")?,
        cert_no: f.cert_no.required("执法证号")?,
        cert_valid_from: date(&f.cert_valid_from, "执法证有效期起")?,
        cert_valid_to: date(&f.cert_valid_to, "执法证有效期止")?,
        cert_scope,
        legal_qualification: f.legal_qualification,
    };
    app.register_officer(user, input).await
}

/// A party (当事人): a natural person by identity document, an organisation by 统一社会信用代码.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Party")]
pub struct PartyForm {
    /// natural_person | legal_person | other_org
    #[schemars(extend("enum" = ["natural_person", "legal_person", "other_org"]))]
    pub kind: super::text::Text<32>,
    pub name: super::text::Text<100>,
    #[serde(default)]
    pub id_type: super::text::Text<32>,
    #[serde(default)]
    pub id_number: super::text::Text<32>,
    #[serde(default)]
    pub uscc: super::text::Text<32>,
    #[serde(default)]
    pub legal_rep: super::text::Text<32>,
    pub address: super::text::Text<200>,
    #[serde(default)]
    pub phone: super::text::Text<32>,
    pub service_address: Option<ServiceAddressForm>,
}

/// The 送达地址确认书.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ServiceAddress")]
pub struct ServiceAddressForm {
    pub address: super::text::Text<200>,
    pub e_service_consent: bool,
    #[serde(default)]
    pub channel: super::text::Text<200>,
}

pub fn party_of(f: PartyForm) -> Result<liuhen_core::party::Party, AppError> {
    Ok(liuhen_core::party::Party {
        kind: liuhen_core::party::PartyType::parse(&f.kind).ok_or_else(|| {
            AppError::BadRequest(format!(
                "当事人类别须为 natural_person、legal_person 或 other_org：{}",
                f.kind.chars().take(40).collect::<String>()
            ))
        })?,
        name: f.name.text("当事人姓名或名称")?,
        id_type: f.id_type.text("身份证件种类")?,
        id_number: f.id_number.text("身份证件号码")?,
        uscc: f.uscc.text("统一社会信用代码")?,
        legal_rep: f.legal_rep.text("法定代表人或负责人")?,
        address: f.address.text("住所或地址")?,
        phone: f.phone.text("联系电话")?,
        service_address: match f.service_address {
            None => None,
            Some(a) => Some(liuhen_core::party::ServiceAddress {
                address: a.address.text("送达地址")?,
                e_service_consent: a.e_service_consent,
                channel: a.channel.text("电子送达渠道")?,
            }),
        },
    })
}

fn optional_party(f: Option<PartyForm>) -> Result<Option<liuhen_core::party::Party>, AppError> {
    f.map(party_of).transpose()
}

/// A 委托书, when an entrusted organisation acts in the office's name (办法第三十一条).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Entrustment")]
pub struct EntrustmentForm {
    pub letter_no: super::text::Text<64>,
    pub entrusting_agency: super::text::Text<100>,
    pub entrusted_org: super::text::Text<100>,
    /// penalty | licence | coercion | inspection
    #[schemars(extend("items" = {"type": "string", "enum": ["penalty", "licence", "coercion", "inspection"]}))]
    pub kinds: Vec<String>,
    pub matters: Vec<super::text::Text<500>>,
    #[schemars(extend("format" = "date"))]
    pub valid_from: String,
    #[schemars(extend("format" = "date"))]
    pub valid_to: String,
    pub published: bool,
}

pub fn entrustment_of(f: Option<EntrustmentForm>) -> Result<Option<liuhen_core::entrustment::Entrustment>, AppError> {
    let Some(f) = f else { return Ok(None) };
    if f.kinds.len() > 4 {
        return Err(AppError::BadRequest("委托的执法类别不得超过 4 项".to_string()));
    }
    Ok(Some(liuhen_core::entrustment::Entrustment {
        letter_no: f.letter_no.text("委托书文号")?,
        entrusting_agency: f.entrusting_agency.text("委托机关")?,
        entrusted_org: f.entrusted_org.text("受委托组织")?,
        kinds: f
            .kinds
            .iter()
            .map(|k| {
                liuhen_core::matter::MatterKind::parse(k).ok_or_else(|| {
                    AppError::BadRequest(format!("未知的执法类别：{}", k.chars().take(40).collect::<String>()))
                })
            })
            .collect::<Result<_, _>>()?,
        matters: short_list(&f.matters, "委托事项")?,
        valid_from: date(&f.valid_from, "委托起始日期")?,
        valid_to: date(&f.valid_to, "委托截止日期")?,
        published: f.published,
    }))
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "OpenInspection")]
pub struct OpenInspectionForm {
    pub case_no: super::text::Text<64>,
    pub matter: super::text::Text<200>,
    #[schemars(extend("enum" = ["routine", "random", "triggered", "special"]))]
    pub kind: super::text::Text<32>,
    pub basis: super::text::Text<2000>,
    #[schemars(extend("enum" = ["inspection", "complaint", "assigned", "transferred", "monitoring", "other"]))]
    pub source: String,
    pub reason: super::text::Text<2000>,
    /// Unix milliseconds.
    pub received_at: i64,
    /// The 委托书 when an entrusted organisation acts (办法第三十一条).
    #[serde(default)]
    pub entrustment: Option<EntrustmentForm>,
    /// The party (当事人), when known (R-016 checks it).
    #[serde(default)]
    pub party: Option<PartyForm>,
    /// 监督检查 of a licensee: the id of the licence case it supervises (行政许可法第六十一条; R-118).
    #[serde(default)]
    pub supervises: Option<super::text::Text<64>>,
}

/// Opens an inspection from its form: the API's and the UI's one path.
pub async fn open_inspection_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    f: OpenInspectionForm,
) -> Result<CaseRecord, AppError> {
    // Empty: the next number of the office's scheme (app::numbering).
    let case_no = f.case_no.text("案号")?;
    let open = Open {
        id: uuid::Uuid::now_v7().to_string(),
        case_no,
        matter: f.matter.text("执法事项")?,
        kind: Kind::parse(&f.kind).ok_or_else(|| AppError::BadRequest(format!("未知的检查类型：{}", f.kind)))?,
        basis: f.basis.text("检查依据")?,
        initiation: Initiation {
            source: Source::parse(&f.source)
                .ok_or_else(|| AppError::BadRequest(format!("未知的案件来源：{}", f.source)))?,
            reason: f.reason.text("启动原因")?,
            received_at: Timestamp(f.received_at),
        },
        entrusted: entrustment_of(f.entrustment)?,
        party: optional_party(f.party)?,
        supervises: f.supervises.map(|s| s.text("被监督的许可案件")).transpose()?.filter(|s| !s.is_empty()),
    };
    app.open_inspection(user, open).await
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Act")]
pub struct ActForm {
    pub at: i64,
    pub place: super::text::Text<200>,
    pub officers: Vec<PresenceForm>,
    pub recording_announced: bool,
    pub problems_found: bool,
    #[serde(default)]
    pub summary: super::text::Text<5000>,
    /// 办法第十九条: personal_liberty, life_health, major_property.
    #[serde(default)]
    #[schemars(extend("items" = {"type": "string", "enum": ["personal_liberty", "life_health", "major_property"]}))]
    pub touches: Vec<String>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Presence")]
pub struct PresenceForm {
    pub officer_id: super::text::Text<64>,
    pub id_shown_at: Option<i64>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "InspectionCommand")]
pub enum CommandForm {
    RecordOnSite {
        act: ActForm,
    },
    NotifyResult {
        at: i64,
    },
    /// The 责令改正通知书 with its 送达回证 (R-080 refuses it without one).
    OrderRectification {
        at: i64,
        #[schemars(extend("format" = "date"))]
        due: String,
        service: Option<super::service::ServiceForm>,
    },
    Reinspect {
        act: ActForm,
        rectified: bool,
    },
    /// Opens an ordinary penalty case on what the inspection found: `matter` is the penalty
    /// matter of the 权责清单 (name or code) the violation falls under (R-010a).
    ConvertToCase {
        at: i64,
        case_no: super::text::Text<64>,
        #[schemars(extend("enum" = ["citizen", "organisation"]))]
        party_kind: String,
        #[serde(default)]
        matter: super::text::Text<200>,
    },
    Close {
        at: i64,
    },
}

#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "SummaryCommand")]
pub enum SummaryCommandForm {
    /// The party identified on the spot (R-016), before the decision names them.
    IdentifyParty {
        party: PartyForm,
    },
    Hear {
        at: i64,
        rights_told: bool,
        #[serde(default)]
        statement: super::text::Text<5000>,
        #[serde(default)]
        waived: bool,
    },
    /// 当场行政处罚决定书, handed to the party on the spot (行政处罚法第五十二条).
    IssueDecision {
        at: i64,
        doc: SummaryDocForm,
    },
    Deliver {
        at: i64,
        party_signed: bool,
        #[serde(default)]
        refusal_signed_by: Vec<super::text::Text<100>>,
    },
    Record {
        at: i64,
    },
    Pay {
        at: i64,
        #[schemars(extend("enum" = ["bank", "on_site"]))]
        method: String,
        receipt_no: super::text::Text<64>,
        #[serde(default)]
        hard_to_enforce: bool,
    },
    Close {
        at: i64,
    },
}

/// 当场行政处罚决定书 (预定格式、编有号码), signed by the officers who imposed it.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SummaryDecisionDocument")]
pub struct SummaryDocForm {
    pub form_no: super::text::Text<64>,
    pub penalty: PenaltyForm,
    pub legal_basis: super::text::Text<2000>,
    /// The other officers on the spot who signed the form, by ID. The officer of the account
    /// that sends it is always its first signer (办法第十五条: the record names the account).
    #[serde(default)]
    pub signed_by: Vec<super::text::Text<100>>,
}

/// A penalty: `kind` as in the OpenAPI `Penalty` schema, `amount_fen` for a fine or confiscation.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Penalty")]
pub struct PenaltyForm {
    #[schemars(extend("enum" = ["warning", "fine", "confiscation", "suspend_licence", "lower_qualification", "revoke_licence", "restrict_business", "suspend_business", "order_closure", "restrict_practice"]))]
    pub kind: super::text::Text<32>,
    pub amount_fen: Option<u64>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "StartSummaryPenalty")]
pub struct SummaryStartForm {
    /// A matter of the 权责清单, which must allow the summary procedure.
    pub matter_code: Option<super::text::Text<64>>,
    pub case_no: super::text::Text<64>,
    pub matter: super::text::Text<200>,
    /// citizen | organisation
    #[schemars(extend("enum" = ["citizen", "organisation"]))]
    pub party_kind: String,
    pub facts: super::text::Text<5000>,
    pub act: ActForm,
    /// The 委托书 when an entrusted organisation acts (办法第三十一条).
    #[serde(default)]
    pub entrustment: Option<EntrustmentForm>,
    /// The party (当事人), when known (R-016 checks it).
    #[serde(default)]
    pub party: Option<PartyForm>,
}

/// Starts an on-the-spot penalty from its form: the API's and the UI's one path.
pub async fn start_summary_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    f: SummaryStartForm,
) -> Result<CaseRecord, AppError> {
    use liuhen_core::summary::PartyKind;
    // Empty: the next number of the office's scheme (app::numbering).
    let case_no = f.case_no.text("决定书编号")?;
    let input = crate::app::summary::StartInput {
        case_no,
        matter: f.matter.text("执法事项")?,
        party_kind: PartyKind::parse(&f.party_kind)
            .ok_or_else(|| AppError::BadRequest(format!("当事人类型须为 citizen 或 organisation：{}", f.party_kind)))?,
        facts: f.facts.text("违法事实")?,
        act: act_input(f.act)?,
        entrusted: entrustment_of(f.entrustment)?,
        party: optional_party(f.party)?,
    };
    // The 权责清单 decides (R-010a, R-067a): by its code when one is given, else by the name.
    let mut input = input;
    if let Some(code) = f.matter_code.as_deref().filter(|c| !c.trim().is_empty()) {
        input.matter = code.trim().to_string();
    }
    app.start_summary(user, input).await
}

fn summary_command(
    form: SummaryCommandForm,
    me: &crate::app::signer::Signer,
) -> Result<crate::app::summary::SummaryCommand, AppError> {
    use crate::app::summary::SummaryCommand as C;
    use liuhen_core::summary::PaymentMethod;
    Ok(match form {
        SummaryCommandForm::Hear { at, rights_told, statement, waived } => {
            C::Hear { at: Timestamp(at), rights_told, statement: statement.text("陈述申辩")?, waived }
        }
        SummaryCommandForm::IdentifyParty { party } => C::IdentifyParty(party_of(party)?),
        SummaryCommandForm::IssueDecision { at, doc } => C::IssueDecision {
            at: Timestamp(at),
            form_no: doc.form_no.text("决定书编号")?,
            penalty: penalty_of(doc.penalty)?,
            legal_basis: doc.legal_basis.text("处罚依据")?,
            signed_by: {
                // The account sending it signs it first (its officer; the app refuses one without).
                let mut signers = vec![me.officer_id.clone()];
                for o in names(&doc.signed_by, "签名的执法人员")? {
                    if !signers.contains(&o) {
                        signers.push(o);
                    }
                }
                signers
            },
        },
        SummaryCommandForm::Deliver { at, party_signed, refusal_signed_by } => {
            C::Deliver {
                at: Timestamp(at), party_signed, refusal_signed_by: names(&refusal_signed_by, "拒签见证人")?
            }
        }
        SummaryCommandForm::Record { at } => C::Record { at: Timestamp(at) },
        SummaryCommandForm::Pay { at, method, receipt_no, hard_to_enforce } => C::Pay {
            at: Timestamp(at),
            method: PaymentMethod::parse(&method)
                .ok_or_else(|| AppError::BadRequest(format!("缴款方式须为 bank 或 on_site：{method}")))?,
            receipt_no: receipt_no.text("票据号码")?,
            hard_to_enforce,
        },
        SummaryCommandForm::Close { at } => C::Close { at: Timestamp(at) },
    })
}

fn act_input(a: ActForm) -> Result<ActInput, AppError> {
    if a.officers.len() > 20 {
        return Err(AppError::BadRequest("执法人员不得超过 20 名".to_string()));
    }
    Ok(ActInput {
        at: Timestamp(a.at),
        place: a.place.text("地点")?,
        officers: a.officers.into_iter().map(|p| (p.officer_id.into_inner(), p.id_shown_at.map(Timestamp))).collect(),
        recording_announced: a.recording_announced,
        problems_found: a.problems_found,
        summary: a.summary.text("检查情况")?,
        touches: {
            let mut t = a
                .touches
                .iter()
                .map(|c| {
                    liuhen_core::av::Touches::parse(c).ok_or_else(|| {
                        AppError::BadRequest(format!(
                            "未知的涉及事项 {c}（可选 personal_liberty、life_health、major_property）"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            t.sort_unstable();
            t.dedup();
            t
        },
    })
}

/// Runs a command given as JSON (tagged by `type`; the kinds depend on the case's type) on
/// case `id` at `expected_version`: the API's and the UI's one path. A command the case's state
/// does not admit is a 409 that names the state and what the case may take next.
pub async fn execute_command<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    id: &str,
    expected_version: u64,
    command: Value,
) -> Result<CaseRecord, AppError> {
    let kind = command["type"].as_str().unwrap_or_default().to_string();
    // A 文号 the command gives (or takes as the next of its series) that another request took
    // in between: decided again from a fresh read (refused, or numbered anew).
    let command = &command;
    match crate::app::retrying(|| run_command(app, user, id, expected_version, command.clone())).await {
        Err(AppError::InvalidState(m)) => {
            let r = app.store.case(id).await?;
            // A command the state admits but the case's own facts do not (nothing to demand, no
            // pending recusal): said as such, not with a list that names it.
            let next = if crate::app::next::commands(&r.case_type, &r.state).contains(&kind.as_str()) {
                "本案当前情形不适用该事项".to_string()
            } else {
                crate::app::next::said(&r.case_type, &r.state)
            };
            Err(AppError::InvalidState(format!("{m}；{next}")))
        }
        other => other,
    }
}

async fn run_command<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    id: &str,
    expected_version: u64,
    command: Value,
) -> Result<CaseRecord, AppError> {
    let bad = |e: serde_json::Error| {
        AppError::BadRequest(format!("命令格式有误：{}", crate::app::error::serde_in_chinese(&e.to_string())))
    };
    // Asked before the body is read: a hidden case is 404 whatever was sent.
    let record = app.store.case(id).await?;
    app.allow(user, crate::app::policy::Action::CommandCase, Some(&record))?;
    // 办法第十五条: a role's own step by an account holding it; the rest by the case's officers.
    let step = command["type"].as_str().unwrap_or_default();
    if !crate::app::policy::performs(user, &record, step) {
        return Err(AppError::NotYourStep(match crate::app::policy::role_step(&record.case_type, step) {
            Some(role) => format!("该步骤须由{}以本人账号办理（办法第十五条）", role.label()),
            None => "该步骤须由本案承办人员或其所在机构负责人以本人账号办理（办法第十五条）".to_string(),
        }));
    }
    let case_type = record.case_type.clone();
    let command = super::described::integral(command);
    // The command as the description gives it for the case's type, before anything it says is
    // weighed: what the description forbids is a 400, whatever else is wrong with it.
    if let Some((_, schema)) = super::COMMANDS.iter().find(|(t, _)| *t == case_type)
        && let Some(c) = super::described::requests().complaint(schema, &command)?
    {
        return Err(AppError::BadRequest(format!("命令格式有误：{c}")));
    }
    // R-064b: nothing is recorded as having happened later than now.
    app.not_in_future(&command)?;
    // The staff named as having acted (送达人, 复查人员, 监督人员) are registered officers, by ID.
    app.staff_known(&command).await?;
    // What it records as sealed, the office had a seal for (R-130).
    app.seals_held(&command).await?;
    // A corrected time is not later than the step was recorded (R-064b).
    app.correction_recorded_by(&record, &command).await?;
    // 文号 in the one form the office writes them, so a look-alike is the same number.
    let mut command = command;
    crate::app::numbering::canonical_numbers(&mut command);
    // A 处罚决定书 sent without a 文号 takes the next of the office's numbering (D36).
    let numbers_decision = case_type == <liuhen_core::penalty::Ordinary as crate::app::cases::CaseKind>::CODE
        && command["type"] == "decide"
        && command["doc"].is_object()
        && command["doc"]["doc_no"].as_str().is_none_or(|n| n.trim().is_empty());
    // The decision recorded after its 决定书 was issued carries that 决定书's 文号 (办法第十三条).
    let issued = match case_type == <liuhen_core::penalty::Ordinary as crate::app::cases::CaseKind>::CODE
        && command["type"] == "decide"
    {
        true => app.issued_decision(id, "").await?.map(|(_, no)| no),
        false => None,
    };
    if let Some(no) = &issued {
        let typed = command["doc"]["doc_no"].as_str().unwrap_or_default().trim();
        if !numbers_decision && typed != no {
            return Err(AppError::Refused(vec![
                liuhen_core::rules::R_065
                    .violated("doc_no", format!("处罚决定的文号须为本案已签发的行政处罚决定书文号“{no}”")),
            ]));
        }
    }
    if numbers_decision {
        command["doc"]["doc_no"] = Value::from(match issued {
            Some(no) => no,
            None => app.next_doc_no("D36").await?,
        });
    }
    app.doc_numbers_free(id, &command).await?;
    // The approval forms a command rests on (办法第十五条), read before it is decided.
    let forms: &[&'static str] = {
        use crate::app::signer::{CLOSING_FORM, DECISION_FORM, DISCUSSION_RECORD, FILING_FORM, PRESERVATION_FORM};
        match command["type"].as_str().unwrap_or_default() {
            "file" | "not_file" => &[FILING_FORM],
            "decide" | "decide_no_penalty" => &[DECISION_FORM],
            "discuss" => &[DISCUSSION_RECORD],
            "close" => &[CLOSING_FORM],
            "record_evidence" if command["item"]["type"] == "preservation" => &[PRESERVATION_FORM],
            _ => &[],
        }
    };
    let me = app.signer(user, id, forms).await?;
    // A role's own step is signed with the performer's own key (电子签名法第十三条).
    let sign = crate::app::signer::StepSign::of(&case_type, &command);
    if case_type == <liuhen_core::summary::Summary as crate::app::cases::CaseKind>::CODE {
        let cmd = summary_command(serde_json::from_value(command).map_err(bad)?, &me)?;
        return app.summary_command(user, id, expected_version, cmd).await;
    }
    if case_type == <liuhen_core::penalty::Ordinary as crate::app::cases::CaseKind>::CODE {
        let cmd = ordinary_command(serde_json::from_value(command).map_err(bad)?, &me)?;
        return app.ordinary_command(user, id, expected_version, cmd, sign.as_ref()).await;
    }
    if case_type == <liuhen_core::licence::Licence as crate::app::cases::CaseKind>::CODE {
        let cmd = licence_command(serde_json::from_value(command).map_err(bad)?, &me)?;
        return app.licence_command(user, id, expected_version, cmd, sign.as_ref()).await;
    }
    if case_type == <liuhen_core::coercion::Coercion as crate::app::cases::CaseKind>::CODE {
        let cmd = coercion_command(serde_json::from_value(command).map_err(bad)?, &me)?;
        return app.coercion_command(user, id, expected_version, cmd, sign.as_ref()).await;
    }
    let form: CommandForm = serde_json::from_value(command).map_err(bad)?;
    let cmd = match form {
        CommandForm::RecordOnSite { act } => InspectionCommand::RecordOnSite(act_input(act)?),
        CommandForm::NotifyResult { at } => InspectionCommand::NotifyResult { at: Timestamp(at) },
        CommandForm::OrderRectification { at, due, service } => InspectionCommand::OrderRectification {
            at: Timestamp(at),
            due: date(&due, "整改期限")?,
            service: service.map(super::service::service_of).transpose()?,
        },
        CommandForm::Reinspect { act, rectified } => InspectionCommand::Reinspect { act: act_input(act)?, rectified },
        CommandForm::Close { at } => InspectionCommand::Close { at: Timestamp(at) },
        CommandForm::ConvertToCase { at, case_no, party_kind, matter } => InspectionCommand::ConvertToCase {
            at: Timestamp(at),
            matter: matter.text("违法行为所属的行政处罚事项")?,
            case_no: case_no.text("案号")?,
            party_kind: liuhen_core::summary::PartyKind::parse(&party_kind)
                .ok_or_else(|| AppError::BadRequest(format!("当事人类型须为 citizen 或 organisation：{party_kind}")))?,
        },
    };
    app.inspection_command(user, id, expected_version, cmd).await
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "RegisterLead")]
pub struct LeadForm {
    pub case_no: super::text::Text<64>,
    pub matter: super::text::Text<200>,
    #[schemars(extend("enum" = ["citizen", "organisation"]))]
    pub party_kind: String,
    #[schemars(extend("enum" = ["inspection", "complaint", "assigned", "transferred", "monitoring", "other"]))]
    pub source: String,
    pub reason: super::text::Text<2000>,
    pub received_at: i64,
    /// Major (legal review and collective discussion required) beyond what the matter says: a
    /// client may mark a case major, never unmark one the 权责清单 makes major.
    #[serde(default)]
    pub major: bool,
    /// The matter of the 权责清单 by its code (else `matter` names it): its hearing thresholds
    /// and review flag apply (R-010a).
    pub matter_code: Option<super::text::Text<64>>,
    /// The 委托书 when an entrusted organisation acts (办法第三十一条).
    #[serde(default)]
    pub entrustment: Option<EntrustmentForm>,
    /// The party (当事人), when known (R-016 checks it).
    #[serde(default)]
    pub party: Option<PartyForm>,
}

/// A hearing as its 听证笔录 records it (R-045, R-046, R-048/R-050).
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Hearing")]
pub struct HearingForm {
    pub at: i64,
    /// The transcript's number, which the decision cites (R-049).
    #[serde(default)]
    pub transcript_no: super::text::Text<64>,
    pub transcript_signed: bool,
    /// Held in public (the default), unless 国家秘密, 商业秘密 or 个人隐私 is given.
    #[serde(default = "yes")]
    pub public: bool,
    #[serde(default)]
    pub non_public_reason: super::text::Text<200>,
    /// The party's agents (at most two in a penalty hearing).
    #[serde(default)]
    pub agents: Vec<super::text::Text<64>>,
}

fn yes() -> bool {
    true
}

fn hearing_of(h: HearingForm) -> Result<liuhen_core::penalty::Hearing, AppError> {
    if h.agents.len() > 20 {
        return Err(AppError::BadRequest("代理人不得超过 20 人".to_string()));
    }
    Ok(liuhen_core::penalty::Hearing {
        at: Timestamp(h.at),
        transcript_no: h.transcript_no.text("听证笔录编号")?,
        transcript_signed: h.transcript_signed,
        public: h.public,
        non_public_reason: h.non_public_reason.text("不公开理由")?,
        agents: h.agents.iter().map(|a| a.text("代理人")).collect::<Result<_, _>>()?,
    })
}

/// 涉嫌犯罪案件移送书 (R-070).
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Transfer")]
pub struct TransferForm {
    #[schemars(extend("allOf" = [{"pattern": r"^(\D*|(.*\D)?(\d{1,9}|0\d*)\D*)$"}]))]
    pub doc_no: super::text::Text<64>,
    pub organ: super::text::Text<200>,
    /// The written notice to the party of property transferred with the case.
    #[serde(default)]
    pub property_notice: super::text::Text<200>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "DecisionDocument")]
pub struct DocForm {
    /// 文号: empty or left out, the next of the office's numbering (编号规则, D36) is given.
    #[serde(default)]
    #[schemars(extend("allOf" = [{"pattern": r"^(\D*|(.*\D)?(\d{1,9}|0\d*)\D*)$"}]))]
    pub doc_no: super::text::Text<64>,
    pub penalty: PenaltyForm,
    pub facts: super::text::Text<5000>,
    pub legal_basis: super::text::Text<2000>,
    pub performance_days: u32,
    pub relief_route_stated: bool,
    pub sealed: bool,
    /// The 听证笔录 number, after a hearing (R-049).
    #[serde(default)]
    pub hearing_transcript: super::text::Text<64>,
    /// An order to act besides (责令限期拆除、恢复原状…).
    #[serde(default)]
    pub order: Option<OrderForm>,
}

/// 行政处罚事先告知书 (行政处罚法第四十四条、第六十三条).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "NoticeDocument")]
pub struct NoticeDocForm {
    pub penalty: PenaltyForm,
    pub facts: super::text::Text<5000>,
    pub reasons: super::text::Text<2000>,
    pub legal_basis: super::text::Text<2000>,
    pub hearing_right_told: bool,
    pub statement_days: u32,
}

/// 催告书 (行政强制法第三十五条).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DemandDocument")]
pub struct DemandDocForm {
    /// The 履行期限 it sets (YYYY-MM-DD).
    #[schemars(extend("format" = "date"))]
    pub deadline: String,
    /// 履行方式 and 给付方式.
    pub method: super::text::Text<500>,
    pub amount_fen: u64,
    pub statement_right_told: bool,
}

/// 强制执行申请书 and what goes with it (行政强制法第五十五条); signed by the 负责人 who applies.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "CourtApplicationDocument")]
pub struct CourtApplicationDocForm {
    pub court: super::text::Text<64>,
    pub sealed: bool,
    pub with_decision: bool,
    pub with_party_opinions: bool,
    pub with_demand_record: bool,
    pub object: super::text::Text<500>,
}

/// 强制执行决定书 (行政强制法第三十七条).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "EnforcementDocument")]
pub struct EnforcementDocForm {
    #[schemars(extend("allOf" = [{"pattern": r"^(\D*|(.*\D)?(\d{1,9}|0\d*)\D*)$"}]))]
    pub doc_no: super::text::Text<64>,
    pub method_and_time: super::text::Text<2000>,
    pub reasons_and_basis: super::text::Text<5000>,
    pub relief_told: bool,
    pub sealed: bool,
}

/// 代履行决定书 (行政强制法第五十一条).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SubstituteDocument")]
pub struct SubstituteDocForm {
    #[schemars(extend("allOf" = [{"pattern": r"^(\D*|(.*\D)?(\d{1,9}|0\d*)\D*)$"}]))]
    pub doc_no: super::text::Text<64>,
    pub harm: super::text::Text<2000>,
    pub reasons_and_basis: super::text::Text<2000>,
    pub method_and_time: super::text::Text<2000>,
    pub object: super::text::Text<2000>,
    pub cost_budget_fen: u64,
    pub performer: super::text::Text<200>,
    pub sealed: bool,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Instalment")]
pub struct InstalmentForm {
    /// YYYY-MM-DD.
    #[schemars(extend("format" = "date"))]
    pub due: String,
    pub amount_fen: u64,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Order")]
pub struct OrderForm {
    pub content: super::text::Text<2000>,
    /// YYYY-MM-DD.
    #[schemars(extend("format" = "date"))]
    pub deadline: String,
    /// A building, structure or installation to demolish (行政强制法第四十四条).
    #[serde(default)]
    pub demolition: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "OrdinaryCommand")]
pub enum OrdinaryCommandForm {
    /// 立案, on the case's approved 立案审批表 (D02): its chain is the approval.
    File {
        filed_at: i64,
        #[schemars(extend("format" = "date"))]
        violation_ended: String,
        #[serde(default)]
        grave: bool,
    },
    /// 不予立案, with its reasons (R-011b).
    NotFile {
        #[serde(default)]
        reasons: super::text::Text<2000>,
    },
    Investigate {
        act: ActForm,
    },
    /// The party identified during the investigation (R-016; the decision needs one).
    IdentifyParty {
        party: PartyForm,
    },
    /// An inquiry, evidence taken in, or a sample (办法第八条).
    RecordEvidence {
        item: super::evidence::EvidenceForm,
    },
    /// 申请回避: the party asks that an officer step aside (R-004).
    RequestRecusal {
        at: i64,
        /// The officer's ID.
        officer: super::text::Text<64>,
        reason: super::text::Text<2000>,
    },
    /// The 负责人's decision on a recusal request, by the 负责人's own account.
    /// At the server's time: the 负责人's decision is when they take it.
    DecideRecusal {
        officer: super::text::Text<64>,
        granted: bool,
        opinion: super::text::Text<2000>,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// The handling decision on evidence under 先行登记保存 (R-028).
    HandlePreservation {
        label: super::text::Text<200>,
        at: i64,
        measure: super::text::Text<1000>,
    },
    Conclude {
        facts: super::text::Text<5000>,
        evidence: Vec<super::text::Text<200>>,
        legal_basis: super::text::Text<2000>,
        discretion: super::text::Text<2000>,
        proposal: PenaltyForm,
    },
    /// 承办机构拟作出决定: the handling unit's draft decision, its head's opinion (R-060), by the
    /// 承办机构负责人's own account, at the server's time.
    /// By the 承办机构负责人's own account, signed with their own SM2 key (电子签名法第十三条).
    Propose {
        opinion: super::text::Text<2000>,
        proposal: PenaltyForm,
        /// The account's own sign-in password: it opens their signing key.
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// 法制审核 by the 法制审核人员's own account (its officer must hold the 法律职业资格), at the
    /// server's time, signed with their own SM2 key (电子签名法第十三条).
    LegalReview {
        passed: bool,
        opinion: super::text::Text<2000>,
        /// The account's own sign-in password: it opens their signing key.
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// 集体讨论: the members are those who confirmed the finalised 集体讨论记录 (D35) with their
    /// own accounts.
    /// Recorded by the 负责人 with their own key, over the conclusion, the members and the record.
    Discuss {
        at: i64,
        conclusion: PenaltyForm,
        /// The account's own sign-in password: it opens their signing key.
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// The 事先告知书, with its 送达回证; the date of service is the receipt's.
    ServeNotice {
        service: super::service::ServiceForm,
        doc: NoticeDocForm,
    },
    HearStatement {
        at: i64,
        statement: super::text::Text<5000>,
        reexamination: super::text::Text<5000>,
    },
    /// The party gives up statements and defence: in writing signed by them, or on A/V (R-051).
    Waive {
        at: i64,
        #[serde(default)]
        signed_statement: bool,
        #[serde(default)]
        av_ref: super::text::Text<200>,
    },
    RequestHearing {
        at: i64,
    },
    ScheduleHearing {
        notified_at: i64,
        #[schemars(extend("format" = "date"))]
        hearing_on: String,
        /// 听证主持人：执法人员 ID（非本案调查、审查人员）。
        host: super::text::Text<64>,
    },
    HoldHearing {
        hearing: HearingForm,
    },
    /// 终止听证: the party stayed away or walked out (R-047); the reason is recorded.
    TerminateHearing {
        at: i64,
        reason: super::text::Text<2000>,
    },
    /// 作出处罚决定 on the case's approved 案件处理审批表 (D30): its 批准人 is the approver.
    Decide {
        at: i64,
        doc: DocForm,
        #[serde(default)]
        late_explanation: super::text::Text<2000>,
    },
    /// 不予行政处罚 or 移送司法机关: minor_corrected | first_minor | no_fault | not_established |
    /// transfer_to_judicial, with the reasons (行政处罚法第三十三条、第五十七条).
    DecideNoPenalty {
        at: i64,
        #[schemars(extend("enum" = ["minor_corrected", "first_minor", "no_fault", "not_established", "transfer_to_judicial"]))]
        ground: String,
        reasons: super::text::Text<5000>,
        /// For transfer_to_judicial: the 移送书 (R-070).
        #[serde(default)]
        transfer: Option<TransferForm>,
    },
    /// The decision served, as its 送达回证 records it (办法第十七条).
    Serve {
        service: super::service::ServiceForm,
    },
    /// The 催告书 for an unpaid fine, with its 送达回证 (行政强制法第三十五条、第三十八条).
    ServeDemand {
        service: super::service::ServiceForm,
        doc: DemandDocForm,
        /// Why it was not served directly (any method but direct or lien).
        #[serde(default)]
        why_not_direct: super::text::Text<2000>,
    },
    /// The party's statements on the demand and their re-examination (行政强制法第三十六条).
    HearDemandStatement {
        at: i64,
        statement: super::text::Text<5000>,
        reexamination: super::text::Text<5000>,
    },
    /// The application to the people's court (行政强制法第五十三条至第五十五条).
    /// By the 负责人's own account: the application bears their signature (行政强制法第五十五条).
    ApplyCourt {
        at: i64,
        doc: CourtApplicationDocForm,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// 没收财物处理 (R-094): auction, destruction before two witnesses on A/V, transfer….
    /// By the 负责人's own account (the approver is the account).
    DisposeProperty {
        at: i64,
        method: super::text::Text<200>,
        #[serde(default)]
        witnesses: Vec<super::text::Text<100>>,
        #[serde(default)]
        av_ref: super::text::Text<200>,
        #[serde(default)]
        treasury_receipt: super::text::Text<200>,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// 强制执行决定 by an office with its own 行政强制执行权 (R-095c), served on the party.
    DecideEnforcement {
        at: i64,
        doc: EnforcementDocForm,
        service: super::service::ServiceForm,
    },
    /// The enforcement carried out: by day and on a working day unless urgent, on A/V (R-095d).
    RecordEnforcement {
        at: i64,
        #[serde(default)]
        urgent: bool,
        av_ref: super::text::Text<200>,
        result: super::text::Text<5000>,
    },
    /// The court's ruling: `enforce` true for 裁定执行, false for 裁定不予执行.
    RecordCourtRuling {
        at: i64,
        ruling_no: super::text::Text<64>,
        enforce: bool,
    },
    Pay {
        at: i64,
        receipt_no: super::text::Text<64>,
    },
    /// The party applied for 行政复议 (review) or sued (litigation) (R-091).
    SeekRelief {
        #[schemars(extend("enum" = ["review", "litigation"]))]
        kind: super::text::Text<32>,
        at: i64,
        organ: super::text::Text<200>,
        reference: super::text::Text<64>,
    },
    /// How it ended: upheld | revoked | changed (with the lower fine) | withdrawn.
    ConcludeRelief {
        at: i64,
        /// 复议、诉讼的结果：upheld 维持、revoked 撤销、changed 变更、withdrawn 撤回。
        #[schemars(extend("enum" = ["upheld", "revoked", "changed", "withdrawn"]))]
        outcome: String,
        #[serde(default)]
        changed_fine_fen: Option<u64>,
    },
    /// 暂缓或者分期缴纳罚款 on the party's application and the head's approval (R-090b).
    /// Approved at the server's time.
    DeferPayment {
        reasons: super::text::Text<2000>,
        /// The 负责人's opinion, by the 负责人's own account.
        opinion: super::text::Text<2000>,
        plan: Vec<InstalmentForm>,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// One instalment paid under the approved plan.
    PayInstalment {
        at: i64,
        receipt_no: super::text::Text<64>,
        amount_fen: u64,
    },
    /// The party performed the decision's order; two officers verified it (复查).
    RecordPerformance {
        at: i64,
        /// The IDs of the (two or more) officers who verified it.
        verified_by: Vec<super::text::Text<500>>,
        record: super::text::Text<5000>,
    },
    /// The 强制拆除 public notice with its deadline to demolish oneself (R-095e).
    AnnounceDemolition {
        at: i64,
        notice_no: super::text::Text<64>,
        place: super::text::Text<500>,
        /// YYYY-MM-DD.
        #[schemars(extend("format" = "date"))]
        deadline: String,
    },
    /// 代履行决定书, served (R-097; R-095e for a demolition).
    DecideSubstitute {
        at: i64,
        doc: SubstituteDocForm,
        service: super::service::ServiceForm,
    },
    /// The 催告 three working days before the substitute performance (T-22).
    RemindSubstitute {
        service: super::service::ServiceForm,
    },
    /// The substitute performance, supervised and signed (R-097), by day and on A/V (R-095d).
    PerformSubstitute {
        at: i64,
        /// The IDs of the officers the office sent to supervise (行政强制法第五十一条).
        supervisors: Vec<super::text::Text<500>>,
        performer_signed: bool,
        party_or_witness: super::text::Text<200>,
        cost_fen: u64,
        #[serde(default)]
        urgent: bool,
        av_ref: super::text::Text<200>,
        result: super::text::Text<5000>,
    },
    /// 结案, on the case's approved 结案审批表 (D50).
    Close {
        at: i64,
    },
    /// Corrects a recorded date (R-133): the original stays; deadlines counted from it move. By
    /// the 负责人's own account.
    CorrectDate {
        /// 被更正的日期：filed_at 立案、decided_at 决定、served_at 决定书送达、demand_served_at 催告书送达。
        #[schemars(extend("enum" = ["filed_at", "decided_at", "served_at", "demand_served_at"]))]
        anchor: String,
        to: i64,
        reason: super::text::Text<2000>,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
}

/// A correction's anchor (by its code), reason and approver, checked at the edge (R-133 is core's).
fn correction_of<A>(
    anchor: &str,
    parse: impl Fn(&str) -> Option<A>,
    reason: &str,
    me: &crate::app::signer::Signer,
) -> Result<(A, String, String), AppError> {
    let anchor = parse(anchor).ok_or_else(|| {
        AppError::BadRequest(format!("不能更正的日期：{}", anchor.chars().take(40).collect::<String>()))
    })?;
    let approved_by = me.name_as(crate::app::policy::Role::Approver, "更正日期")?;
    Ok((anchor, text(reason, "更正理由", 2000)?, approved_by))
}

fn penalty_of(p: PenaltyForm) -> Result<liuhen_core::summary::Penalty, AppError> {
    liuhen_core::summary::Penalty::parse(&p.kind, p.amount_fen).ok_or_else(|| {
        AppError::BadRequest(format!(
            "处罚种类有误（罚款、没收须填 amount_fen）：{}",
            p.kind.chars().take(40).collect::<String>()
        ))
    })
}

fn ordinary_command(
    form: OrdinaryCommandForm,
    me: &crate::app::signer::Signer,
) -> Result<crate::app::ordinary::OrdinaryCommand, AppError> {
    use crate::app::ordinary::OrdinaryCommand as C;
    use crate::app::policy::Role;
    use crate::app::signer::{CLOSING_FORM, DECISION_FORM, FILING_FORM};
    use liuhen_core::penalty::{DecisionDoc, Notice, Report};
    Ok(match form {
        OrdinaryCommandForm::File { filed_at, violation_ended, grave } => C::File {
            approval: me.form(FILING_FORM)?,
            filed_at: Timestamp(filed_at),
            violation_ended: date(&violation_ended, "违法行为终了日期")?,
            grave,
        },
        OrdinaryCommandForm::NotFile { reasons } => {
            C::NotFile { approval: me.form(FILING_FORM)?, reasons: reasons.text("不予立案理由")? }
        }
        OrdinaryCommandForm::Investigate { act } => C::Investigate(act_input(act)?),
        OrdinaryCommandForm::IdentifyParty { party } => C::IdentifyParty(party_of(party)?),
        OrdinaryCommandForm::RecordEvidence { item } => C::RecordEvidence(super::evidence::item_of(item, me)?),
        OrdinaryCommandForm::RequestRecusal { at, officer, reason } => C::RequestRecusal {
            at: Timestamp(at),
            officer: officer.text("申请回避的人员")?,
            reason: reason.text("回避理由")?,
        },
        OrdinaryCommandForm::DecideRecusal { officer, granted, opinion, .. } => C::DecideRecusal {
            at: me.now,
            officer: officer.text("申请回避的人员")?,
            by: me.name_as(Role::Approver, "回避决定")?,
            granted,
            opinion: opinion.text("回避决定意见")?,
        },
        OrdinaryCommandForm::HandlePreservation { label, at, measure } => C::HandlePreservation {
            label: label.text("证据名称")?,
            at: Timestamp(at),
            measure: measure.text("处理措施")?,
        },
        OrdinaryCommandForm::Conclude { facts, evidence, legal_basis, discretion, proposal } => {
            if evidence.len() > 500 {
                return Err(AppError::BadRequest("证据不得超过 500 项".to_string()));
            }
            C::Conclude(Report {
                facts: facts.text("违法事实")?,
                evidence: evidence.iter().map(|e| e.text("证据")).collect::<Result<_, _>>()?,
                legal_basis: legal_basis.text("法律依据")?,
                discretion: discretion.text("自由裁量理由")?,
                proposal: penalty_of(proposal)?,
            })
        }
        OrdinaryCommandForm::Propose { opinion, proposal, password } => C::Propose {
            at: me.now,
            unit: me.opinion(Role::UnitHead, "承办机构意见", &opinion.text("承办机构负责人意见")?)?,
            proposal: penalty_of(proposal)?,
            password: password.into_inner(),
        },
        OrdinaryCommandForm::LegalReview { passed, opinion, password } => {
            me.must(Role::LegalReviewer, "法制审核")?;
            if me.officer_id.is_empty() {
                return Err(AppError::Unprocessable("法制审核人员的账号须关联其执法人员登记（法律职业资格）".into()));
            }
            C::LegalReview {
                at: me.now,
                reviewer_id: me.officer_id.clone(),
                passed,
                opinion: opinion.text("审核意见")?,
                password: password.into_inner(),
            }
        }
        OrdinaryCommandForm::Discuss { at, conclusion, password } => {
            me.must(Role::Approver, "记录集体讨论结论")?;
            let conclusion = penalty_of(conclusion)?;
            // R-062: the conclusion recorded is the one the members confirmed in the record.
            if !me.discussion_record.is_empty() && !conclusion.stated_in(&me.discussion_conclusion) {
                return Err(AppError::Refused(vec![liuhen_core::rules::R_062.violated(
                    "conclusion",
                    format!(
                        "集体讨论结论（{}）与参加人员确认的集体讨论记录不一致（记录的结论：{}）",
                        conclusion.label(),
                        me.discussion_conclusion.chars().take(100).collect::<String>()
                    ),
                )]));
            }
            C::Discuss {
                at: Timestamp(at),
                members: me.members.clone(),
                conclusion,
                record: me.discussion_record.clone(),
                password: password.into_inner(),
            }
        }
        OrdinaryCommandForm::ServeNotice { service, doc } => {
            let NoticeDocForm { penalty, facts, reasons, legal_basis, hearing_right_told, statement_days } = doc;
            if statement_days > 60 {
                return Err(AppError::BadRequest("陈述申辩期限不得超过 60 个工作日".to_string()));
            }
            let service = super::service::service_of(service)?;
            C::ServeNotice(Notice {
                // A service with no date yet (a letter not signed for) is refused by core (R-084).
                served_at: service.served_at().unwrap_or(service.at),
                service,
                penalty: penalty_of(penalty)?,
                facts: facts.text("事实")?,
                reasons: reasons.text("理由")?,
                legal_basis: legal_basis.text("依据")?,
                hearing_right_told,
                statement_days,
            })
        }
        OrdinaryCommandForm::HearStatement { at, statement, reexamination } => C::HearStatement {
            at: Timestamp(at),
            statement: statement.text("陈述申辩")?,
            reexamination: reexamination.text("复核意见")?,
        },
        OrdinaryCommandForm::Waive { at, signed_statement, av_ref } => C::Waive(liuhen_core::penalty::Waiver {
            at: Timestamp(at),
            signed_statement,
            av_ref: av_ref.text("音像记录")?,
        }),
        OrdinaryCommandForm::RequestHearing { at } => C::RequestHearing { at: Timestamp(at) },
        OrdinaryCommandForm::ScheduleHearing { notified_at, hearing_on, host } => C::ScheduleHearing {
            notified_at: Timestamp(notified_at),
            hearing_on: date(&hearing_on, "听证日期")?,
            host: host.text("听证主持人")?,
        },
        OrdinaryCommandForm::HoldHearing { hearing } => C::HoldHearing(hearing_of(hearing)?),
        OrdinaryCommandForm::TerminateHearing { at, reason } => {
            C::TerminateHearing { at: Timestamp(at), reason: reason.text("终止听证理由")? }
        }
        OrdinaryCommandForm::Decide { at, doc, late_explanation } => C::Decide {
            at: Timestamp(at),
            approver: me.form(DECISION_FORM)?.approver,
            doc: DecisionDoc {
                doc_no: doc.doc_no.text("决定书文号")?,
                penalty: penalty_of(doc.penalty)?,
                facts: doc.facts.text("违法事实")?,
                legal_basis: doc.legal_basis.text("处罚依据")?,
                performance_days: doc.performance_days,
                relief_route_stated: doc.relief_route_stated,
                sealed: doc.sealed,
                hearing_transcript: doc.hearing_transcript.text("听证笔录编号")?,
                order: match doc.order {
                    Some(o) => Some(liuhen_core::penalty::Order {
                        content: o.content.text("责令履行的内容")?,
                        deadline: date(&o.deadline, "责令履行期限")?,
                        demolition: o.demolition,
                    }),
                    None => None,
                },
            },
            late_explanation: late_explanation.text("逾期说明")?,
        },
        OrdinaryCommandForm::DecideNoPenalty { at, ground, reasons, transfer } => C::DecideNoPenalty {
            at: Timestamp(at),
            approver: me.form(DECISION_FORM)?.approver,
            ground: liuhen_core::penalty::NoPenaltyGround::parse(&ground).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "不予处罚的情形须为 minor_corrected、first_minor、no_fault、not_established 或 transfer_to_judicial：{}",
                    ground.chars().take(40).collect::<String>()
                ))
            })?,
            reasons: reasons.text("不予处罚的理由")?,
            transfer: match transfer {
                Some(t) => Some(liuhen_core::penalty::Transfer {
                    doc_no: t.doc_no.text("移送书文号")?,
                    organ: t.organ.text("接收机关")?,
                    property_notice: t.property_notice.text("财物移交告知书")?,
                }),
                None => None,
            },
        },
        OrdinaryCommandForm::Serve { service } => C::Serve(super::service::service_of(service)?),
        OrdinaryCommandForm::ServeDemand { service, doc, why_not_direct } => C::ServeDemand(liuhen_core::execution::Demand {
            service: super::service::service_of(service)?,
            deadline: date(&doc.deadline, "履行期限")?,
            method: doc.method.text("履行方式")?,
            amount_fen: doc.amount_fen,
            statement_right_told: doc.statement_right_told,
            why_not_direct: why_not_direct.text("无法直接送达的原因")?,
        }),
        OrdinaryCommandForm::HearDemandStatement { at, statement, reexamination } => C::HearDemandStatement {
            at: Timestamp(at),
            statement: statement.text("陈述申辩")?,
            reexamination: reexamination.text("复核意见")?,
        },
        OrdinaryCommandForm::ApplyCourt { at, doc, .. } => C::ApplyCourt(liuhen_core::execution::CourtApplication {
            at: Timestamp(at),
            court: doc.court.text("人民法院")?,
            signed_by: me.name_as(Role::Approver, "申请人民法院强制执行")?,
            sealed: doc.sealed,
            with_decision: doc.with_decision,
            with_party_opinions: doc.with_party_opinions,
            with_demand_record: doc.with_demand_record,
            object: doc.object.text("申请执行标的")?,
        }),
        OrdinaryCommandForm::DisposeProperty { at, method, witnesses, av_ref, treasury_receipt, .. } => {
            if witnesses.len() > 20 {
                return Err(AppError::BadRequest("见证人不得超过 20 名".to_string()));
            }
            C::DisposeProperty(liuhen_core::penalty::PropertyDisposal {
                at: Timestamp(at),
                method: method.text("处理方式")?,
                approved_by: me.name_as(Role::Approver, "没收财物处理")?,
                witnesses: witnesses.iter().map(|w| w.text("见证人")).collect::<Result<_, _>>()?,
                av_ref: av_ref.text("音像记录编号")?,
                treasury_receipt: treasury_receipt.text("上缴国库凭证")?,
            })
        }
        OrdinaryCommandForm::DecideEnforcement { at, doc, service } => {
            C::DecideEnforcement(liuhen_core::execution::EnforcementDecision {
                at: Timestamp(at),
                doc_no: doc.doc_no.text("文号")?,
                method_and_time: doc.method_and_time.text("强制执行的方式和时间")?,
                reasons_and_basis: doc.reasons_and_basis.text("强制执行的理由和依据")?,
                relief_told: doc.relief_told,
                sealed: doc.sealed,
                service: super::service::service_of(service)?,
            })
        }
        OrdinaryCommandForm::RecordEnforcement { at, urgent, av_ref, result } => C::RecordEnforcement {
            at: Timestamp(at),
            urgent,
            av_ref: av_ref.text("音像记录编号")?,
            result: result.text("执行结果")?,
        },
        OrdinaryCommandForm::RecordCourtRuling { at, ruling_no, enforce } => {
            C::RecordCourtRuling { at: Timestamp(at), ruling_no: ruling_no.text("裁定书文号")?, enforce }
        }
        OrdinaryCommandForm::Pay { at, receipt_no } => {
            C::Pay { at: Timestamp(at), receipt_no: receipt_no.text("缴款凭证")? }
        }
        OrdinaryCommandForm::SeekRelief { kind, at, organ, reference } => C::SeekRelief {
            kind: liuhen_core::execution::ReliefKind::parse(&kind).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "救济途径须为 review（行政复议）或 litigation（行政诉讼）：{}",
                    kind.chars().take(40).collect::<String>()
                ))
            })?,
            at: Timestamp(at),
            organ: organ.text("复议机关或人民法院")?,
            reference: reference.text("案号")?,
        },
        OrdinaryCommandForm::ConcludeRelief { at, outcome, changed_fine_fen } => C::ConcludeRelief {
            at: Timestamp(at),
            outcome: liuhen_core::execution::ReliefOutcome::parse(&outcome).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "结果须为 upheld、revoked、changed 或 withdrawn：{}",
                    outcome.chars().take(40).collect::<String>()
                ))
            })?,
            changed_fine_fen,
        },
        OrdinaryCommandForm::DeferPayment { reasons, opinion, plan, .. } => {
            if plan.len() > 60 {
                return Err(AppError::BadRequest("分期不得超过 60 期".to_string()));
            }
            C::DeferPayment(liuhen_core::execution::Deferral {
                at: me.now,
                reasons: reasons.text("申请理由")?,
                approver: me.opinion(Role::Approver, "暂缓或分期缴纳罚款", &opinion.text("负责人意见")?)?,
                plan: plan
                    .iter()
                    .map(|i| {
                        Ok(liuhen_core::execution::Instalment {
                            due: date(&i.due, "缴纳期限")?,
                            amount_fen: i.amount_fen,
                        })
                    })
                    .collect::<Result<_, AppError>>()?,
            })
        }
        OrdinaryCommandForm::PayInstalment { at, receipt_no, amount_fen } => {
            C::PayInstalment { at: Timestamp(at), receipt_no: receipt_no.text("缴款凭证")?, amount_fen }
        }
        OrdinaryCommandForm::RecordPerformance { at, verified_by, record } => C::RecordPerformance {
            at: Timestamp(at),
            verified_by: short_list(&verified_by, "复查人员")?,
            record: record.text("复查记录")?,
        },
        OrdinaryCommandForm::AnnounceDemolition { at, notice_no, place, deadline } => C::AnnounceDemolition {
            at: Timestamp(at),
            notice_no: notice_no.text("公告编号")?,
            place: place.text("公告地点")?,
            deadline: date(&deadline, "自行拆除期限")?,
        },
        OrdinaryCommandForm::DecideSubstitute { at, doc, service } => {
            C::DecideSubstitute(liuhen_core::execution::SubstituteDecision {
                at: Timestamp(at),
                doc_no: doc.doc_no.text("代履行决定书文号")?,
                harm: doc.harm.text("危害后果")?,
                reasons_and_basis: doc.reasons_and_basis.text("理由和依据")?,
                method_and_time: doc.method_and_time.text("方式和时间")?,
                object: doc.object.text("标的")?,
                cost_budget_fen: doc.cost_budget_fen,
                performer: doc.performer.text("代履行人")?,
                sealed: doc.sealed,
                service: super::service::service_of(service)?,
            })
        }
        OrdinaryCommandForm::RemindSubstitute { service } => C::RemindSubstitute(super::service::service_of(service)?),
        OrdinaryCommandForm::PerformSubstitute {
            at,
            supervisors,
            performer_signed,
            party_or_witness,
            cost_fen,
            urgent,
            av_ref,
            result,
        } => C::PerformSubstitute(liuhen_core::execution::SubstitutePerformance {
            at: Timestamp(at),
            supervisors: short_list(&supervisors, "监督人员")?,
            performer_signed,
            party_or_witness: party_or_witness.text("当事人或见证人")?,
            cost_fen,
            urgent,
            av_ref: av_ref.text("音像记录")?,
            result: result.text("代履行结果")?,
        }),
        OrdinaryCommandForm::Close { at } => C::Close { approval: me.form(CLOSING_FORM)?, at: Timestamp(at) },
        OrdinaryCommandForm::CorrectDate { anchor, to, reason, .. } => {
            let (anchor, reason, approved_by) =
                correction_of(&anchor, liuhen_core::penalty::Anchor::parse, &reason, me)?;
            C::CorrectDate { anchor, to: Timestamp(to), reason, approved_by }
        }
    })
}

/// Registers a lead from its form: the API's and the UI's one path.
pub async fn register_lead_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    f: LeadForm,
) -> Result<CaseRecord, AppError> {
    use liuhen_core::penalty::{HearingThresholds, Lead};
    use liuhen_core::summary::PartyKind;
    // Empty: the next number of the office's scheme (app::numbering).
    let case_no = f.case_no.text("案号")?;
    let defaults = HearingThresholds::default();
    let lead = Lead {
        id: uuid::Uuid::now_v7().to_string(),
        case_no,
        matter: f.matter.text("执法事项")?,
        party_kind: PartyKind::parse(&f.party_kind)
            .ok_or_else(|| AppError::BadRequest(format!("当事人类型须为 citizen 或 organisation：{}", f.party_kind)))?,
        initiation: Initiation {
            source: Source::parse(&f.source)
                .ok_or_else(|| AppError::BadRequest(format!("未知的案件来源：{}", f.source)))?,
            reason: f.reason.text("启动原因")?,
            received_at: Timestamp(f.received_at),
        },
        major: f.major,
        thresholds: HearingThresholds {
            citizen_fen: defaults.citizen_fen,
            organisation_fen: defaults.organisation_fen,
        },
        entrusted: entrustment_of(f.entrustment)?,
        party: optional_party(f.party)?,
    };
    // The 权责清单 decides the matter's thresholds and review (R-010a, R-061): by its code when
    // one is given, else by the name.
    let mut lead = lead;
    if let Some(code) = f.matter_code.as_deref().filter(|c| !c.trim().is_empty()) {
        lead.matter = code.trim().to_string();
    }
    app.register_lead(user, lead).await
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Application")]
pub struct ApplicationForm {
    pub case_no: super::text::Text<64>,
    pub matter: super::text::Text<200>,
    pub received_at: i64,
    pub materials: Vec<super::text::Text<500>>,
    pub receipt_issued: bool,
    /// The 委托书 when an entrusted organisation acts (办法第三十一条).
    #[serde(default)]
    pub entrustment: Option<EntrustmentForm>,
    /// The applicant (当事人), when known (R-016 checks it).
    #[serde(default)]
    pub applicant: Option<PartyForm>,
    /// 延续申请：所延续的许可（行政许可法第五十条，R-117、T-29）。
    #[serde(default)]
    pub renewal: Option<RenewalForm>,
}

/// The licence a renewal application extends.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Renewal")]
pub struct RenewalForm {
    /// 原许可证件编号。
    pub certificate_no: super::text::Text<64>,
    /// 原许可有效期届满日期（YYYY-MM-DD）。
    #[schemars(extend("format" = "date"))]
    pub expires_on: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "LicenceCommand")]
pub enum LicenceCommandForm {
    RequestCorrection {
        at: i64,
        items: Vec<super::text::Text<500>>,
    },
    Corrected {
        at: i64,
    },
    Accept {
        at: i64,
        voucher_sealed: bool,
    },
    Refuse {
        at: i64,
        voucher_sealed: bool,
        reason: super::text::Text<2000>,
    },
    Verify {
        act: ActForm,
    },
    /// 延长许可期限, by the 负责人's own account (行政许可法第四十二条).
    /// Approved at the server's time (before the twenty working days end, R-114).
    Extend {
        reasons_notified: bool,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// 听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审 whose time is left out of the decision
    /// period, told to the applicant in writing (R-113).
    ExcludePeriod {
        at: i64,
        kind: super::text::Text<32>,
        working_days: u32,
        notice: super::service::ServiceForm,
    },
    /// 告知利害关系人并听取其陈述和申辩 (行政许可法第三十六条, R-112).
    HearInterestedParty {
        at: i64,
        /// 利害关系人（姓名或名称）。
        party: super::text::Text<200>,
        /// 其陈述和申辩。
        statement: super::text::Text<5000>,
    },
    /// At the server's time: the decision is when the 负责人 takes it.
    Decide {
        granted: bool,
        sealed: bool,
        #[serde(default)]
        reasons: super::text::Text<2000>,
        #[serde(default)]
        relief_told: bool,
        #[serde(default)]
        late_explanation: super::text::Text<2000>,
        /// 许可事项直接关系他人重大利益（须先告知利害关系人并听取意见，R-112）。
        #[serde(default)]
        affects_others: bool,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// The certificate delivered, with its 送达回证 (办法第十七条).
    IssueCertificate {
        service: super::service::ServiceForm,
        certificate_no: super::text::Text<64>,
    },
    /// 许可法第四十七条: the applicant and interested parties told of their right to a hearing.
    TellHearingRight {
        at: i64,
    },
    /// Within five working days of being told (R-050).
    RequestHearing {
        at: i64,
    },
    /// Notified seven working days before, held within twenty (R-050); a host who did not
    /// review the application (R-006).
    ScheduleHearing {
        notified_at: i64,
        #[schemars(extend("format" = "date"))]
        hearing_on: String,
        /// 听证主持人：执法人员 ID（非本案调查、审查人员）。
        host: super::text::Text<64>,
    },
    HoldHearing {
        hearing: HearingForm,
    },
    /// A 核查 record: 现场核查笔录, inquiry, test, material taken in (办法第八条).
    RecordEvidence {
        item: super::evidence::EvidenceForm,
    },
    /// The 不予行政许可决定书 served, with its 送达回证 (R-080: before closing).
    ServeDenial {
        service: super::service::ServiceForm,
    },
    /// Corrects a recorded date (R-133): received_at | accepted_at | decided_at | certificate_at.
    /// By the 负责人's own account.
    CorrectDate {
        /// 被更正的日期：received_at 收到申请、accepted_at 受理、decided_at 许可决定、certificate_at 证件送达。
        #[schemars(extend("enum" = ["received_at", "accepted_at", "decided_at", "certificate_at"]))]
        anchor: String,
        to: i64,
        reason: super::text::Text<2000>,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    Close {
        at: i64,
    },
}

/// Names or IDs, each checked as text.
fn names(items: &[super::text::Text<100>], what: &str) -> Result<Vec<String>, AppError> {
    if items.len() > 50 {
        return Err(AppError::BadRequest(format!("{what}不得超过 50 项")));
    }
    items.iter().map(|i| i.text(what)).collect()
}

fn short_list(items: &[super::text::Text<500>], what: &str) -> Result<Vec<String>, AppError> {
    if items.len() > 200 {
        return Err(AppError::BadRequest(format!("{what}不得超过 200 项")));
    }
    items.iter().map(|i| i.text(what)).collect()
}

fn licence_command(
    form: LicenceCommandForm,
    me: &crate::app::signer::Signer,
) -> Result<crate::app::licence::LicenceCommand, AppError> {
    use crate::app::licence::LicenceCommand as C;
    use crate::app::policy::Role;
    Ok(match form {
        LicenceCommandForm::RequestCorrection { at, items } => {
            C::RequestCorrection { at: Timestamp(at), items: short_list(&items, "补正内容")? }
        }
        LicenceCommandForm::Corrected { at } => C::Corrected { at: Timestamp(at) },
        LicenceCommandForm::Accept { at, voucher_sealed } => C::Accept { at: Timestamp(at), voucher_sealed },
        LicenceCommandForm::Refuse { at, voucher_sealed, reason } => {
            C::Refuse { at: Timestamp(at), voucher_sealed, reason: reason.text("不予受理理由")? }
        }
        LicenceCommandForm::Verify { act } => C::Verify(act_input(act)?),
        LicenceCommandForm::ExcludePeriod { at, kind, working_days, notice } => {
            C::ExcludePeriod(liuhen_core::licence::ExcludedPeriod {
                at: Timestamp(at),
                kind: kind.text("事项")?,
                working_days,
                notice: super::service::service_of(notice)?,
            })
        }
        LicenceCommandForm::Extend { reasons_notified, .. } => {
            C::Extend { at: me.now, approved_by: me.name_as(Role::Approver, "延长许可期限")?, reasons_notified }
        }
        LicenceCommandForm::HearInterestedParty { at, party, statement } => C::HearInterestedParty {
            at: Timestamp(at),
            party: party.text("利害关系人")?,
            statement: statement.text("陈述和申辩")?,
        },
        LicenceCommandForm::Decide {
            granted, sealed, reasons, relief_told, late_explanation, affects_others, ..
        } => {
            C::Decide {
                // 行政许可法第三十八条: the decision is the office's, taken by its 负责人.
                at: {
                    me.must(Role::Approver, "作出行政许可决定")?;
                    me.now
                },
                ruling: liuhen_core::licence::Ruling {
                    granted,
                    sealed,
                    reasons: reasons.text("理由")?,
                    relief_told,
                    late_explanation: late_explanation.text("逾期说明")?,
                    affects_others,
                },
            }
        }
        LicenceCommandForm::IssueCertificate { service, certificate_no } => C::IssueCertificate {
            service: super::service::service_of(service)?,
            certificate_no: certificate_no.text("证件编号")?,
        },
        LicenceCommandForm::TellHearingRight { at } => C::TellHearingRight { at: Timestamp(at) },
        LicenceCommandForm::RequestHearing { at } => C::RequestHearing { at: Timestamp(at) },
        LicenceCommandForm::ScheduleHearing { notified_at, hearing_on, host } => C::ScheduleHearing {
            notified_at: Timestamp(notified_at),
            hearing_on: date(&hearing_on, "听证日期")?,
            host: host.text("听证主持人")?,
        },
        LicenceCommandForm::HoldHearing { hearing } => C::HoldHearing(hearing_of(hearing)?),
        LicenceCommandForm::RecordEvidence { item } => C::RecordEvidence(super::evidence::item_of(item, me)?),
        LicenceCommandForm::ServeDenial { service } => C::ServeDenial { service: super::service::service_of(service)? },
        LicenceCommandForm::Close { at } => C::Close { at: Timestamp(at) },
        LicenceCommandForm::CorrectDate { anchor, to, reason, .. } => {
            let (anchor, reason, approved_by) =
                correction_of(&anchor, liuhen_core::licence::Anchor::parse, &reason, me)?;
            C::CorrectDate { anchor, to: Timestamp(to), reason, approved_by }
        }
    })
}

/// Records a licence application from its form: the API's and the UI's one path.
pub async fn apply_for_licence_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    f: ApplicationForm,
) -> Result<CaseRecord, AppError> {
    // Empty: the next number of the office's scheme (app::numbering).
    let case_no = f.case_no.text("受理编号")?;
    let application = liuhen_core::licence::Application {
        id: uuid::Uuid::now_v7().to_string(),
        case_no,
        matter: f.matter.text("许可事项")?,
        received_at: Timestamp(f.received_at),
        materials: short_list(&f.materials, "申请材料")?,
        receipt_issued: f.receipt_issued,
        entrusted: entrustment_of(f.entrustment)?,
        applicant: optional_party(f.applicant)?,
        renewal: f
            .renewal
            .map(|r| {
                Ok::<_, AppError>(liuhen_core::licence::Renewal {
                    certificate_no: r.certificate_no.required("原许可证件编号")?,
                    expires_on: date(&r.expires_on, "原许可有效期届满日期")?,
                })
            })
            .transpose()?,
    };
    app.apply_for_licence(user, application).await
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Measure")]
pub struct MeasureForm {
    pub case_no: super::text::Text<64>,
    pub matter: super::text::Text<200>,
    /// seal | seize
    #[schemars(extend("enum" = ["seal", "seize"]))]
    pub kind: super::text::Text<32>,
    pub items: Vec<super::text::Text<500>>,
    pub reason: super::text::Text<2000>,
    pub legal_basis: super::text::Text<2000>,
    /// The 委托书 when an entrusted organisation acts (办法第三十一条).
    #[serde(default)]
    pub entrustment: Option<EntrustmentForm>,
    /// The party (当事人), when known (R-016 checks it).
    #[serde(default)]
    pub party: Option<PartyForm>,
    /// What the officers confirm of the items (R-105, 行政强制法第二十三条).
    pub property: PropertyCheckForm,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "PropertyCheck")]
pub struct PropertyCheckForm {
    pub related_to_case: bool,
    pub necessities_excluded: bool,
    pub not_sealed_elsewhere: bool,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Checklist")]
pub struct ChecklistForm {
    pub party_notified: bool,
    pub reasons_and_rights_told: bool,
    pub statements_heard: bool,
    pub record_signed: bool,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "MeasureDocument")]
pub struct MeasureDocForm {
    pub term_days: u32,
    pub sealed: bool,
    pub relief_told: bool,
    pub inventory_copies: u32,
    pub handed_over: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "CoercionCommand")]
pub enum CoercionCommandForm {
    /// 批准 by the 负责人's own account (行政强制法第十八条第一项).
    Approve {
        opinion: super::text::Text<2000>,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    Execute {
        act: ActForm,
        #[serde(default)]
        emergency: bool,
        checklist: ChecklistForm,
        doc: MeasureDocForm,
        av_full: bool,
    },
    /// 补办批准 by the 负责人's own account (行政强制法第十九条).
    Ratify {
        approved: bool,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// The extension, with the 送达回证 of its written notice (R-080 refuses it without one).
    /// Approved at the server's time (before the term ends, R-103).
    Extend {
        days: u32,
        notice: Option<super::service::ServiceForm>,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    /// The 处理决定 with its 送达回证 (R-080 refuses it without one).
    Dispose {
        at: i64,
        /// 处理结果：confiscated 没收、destroyed 销毁、released 解除、transferred 移送。
        #[schemars(extend("enum" = ["confiscated", "destroyed", "released", "transferred"]))]
        outcome: String,
        service: Option<super::service::ServiceForm>,
    },
    /// Corrects the recorded time of execution (R-133).
    CorrectExecutionTime {
        to: i64,
        reason: super::text::Text<2000>,
        /// The 负责人's own sign-in password: it opens their signing key (电子签名法第十三条).
        #[serde(default)]
        password: super::text::Text<1024>,
    },
    Close {
        at: i64,
    },
}

fn coercion_command(
    form: CoercionCommandForm,
    me: &crate::app::signer::Signer,
) -> Result<crate::app::coercion::CoercionCommand, AppError> {
    use crate::app::coercion::CoercionCommand as C;
    use crate::app::policy::Role;
    use liuhen_core::coercion::{Checklist, MeasureDoc, Outcome};
    Ok(match form {
        CoercionCommandForm::Approve { opinion, .. } => C::Approve {
            approver: me.opinion(Role::Approver, "批准行政强制措施", &opinion.text("负责人意见")?)?,
        },
        CoercionCommandForm::Execute { act, emergency, checklist, doc, av_full } => C::Execute {
            act: act_input(act)?,
            emergency,
            checklist: Checklist {
                party_notified: checklist.party_notified,
                reasons_and_rights_told: checklist.reasons_and_rights_told,
                statements_heard: checklist.statements_heard,
                record_signed: checklist.record_signed,
            },
            doc: MeasureDoc {
                term_days: doc.term_days,
                sealed: doc.sealed,
                relief_told: doc.relief_told,
                inventory_copies: doc.inventory_copies,
                handed_over: doc.handed_over,
            },
            av_full,
        },
        CoercionCommandForm::Ratify { approved, .. } => {
            C::Ratify { at: me.now, approved, approver: me.name_as(Role::Approver, "补办批准")? }
        }
        CoercionCommandForm::Extend { days, notice, .. } => C::Extend {
            at: me.now,
            days,
            approver: me.name_as(Role::Approver, "延长查封扣押期限")?,
            notice: notice.map(super::service::service_of).transpose()?,
        },
        CoercionCommandForm::Dispose { at, outcome, service } => C::Dispose {
            service: service.map(super::service::service_of).transpose()?,
            at: Timestamp(at),
            outcome: Outcome::parse(&outcome).ok_or_else(|| {
                AppError::BadRequest(format!("处理结果须为 confiscated、destroyed、released 或 transferred：{outcome}"))
            })?,
        },
        CoercionCommandForm::Close { at } => C::Close { at: Timestamp(at) },
        CoercionCommandForm::CorrectExecutionTime { to, reason, .. } => C::CorrectExecutionTime {
            to: Timestamp(to),
            reason: reason.text("更正理由")?,
            approved_by: me.name_as(Role::Approver, "更正执行时间")?,
        },
    })
}

/// Proposes a coercive measure from its form: the API's and the UI's one path.
pub async fn propose_measure_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    f: MeasureForm,
) -> Result<CaseRecord, AppError> {
    // Empty: the next number of the office's scheme (app::numbering).
    let case_no = f.case_no.text("文号")?;
    let measure = liuhen_core::coercion::Measure {
        id: uuid::Uuid::now_v7().to_string(),
        case_no,
        matter: f.matter.text("执法事项")?,
        kind: liuhen_core::coercion::Kind::parse(&f.kind)
            .ok_or_else(|| AppError::BadRequest(format!("强制措施须为 seal（查封）或 seize（扣押）：{}", f.kind)))?,
        items: short_list(&f.items, "物品")?,
        reason: f.reason.text("理由")?,
        legal_basis: f.legal_basis.text("依据")?,
        entrusted: entrustment_of(f.entrustment)?,
        party: optional_party(f.party)?,
        property: liuhen_core::coercion::PropertyCheck {
            related_to_case: f.property.related_to_case,
            necessities_excluded: f.property.necessities_excluded,
            not_sealed_elsewhere: f.property.not_sealed_elsewhere,
        },
    };
    app.propose_measure(user, measure).await
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Matter")]
pub struct MatterForm {
    #[schemars(pattern(r"^[A-Za-z0-9.\-]{1,32}$"))]
    pub code: super::text::Text<32>,
    pub name: super::text::Text<200>,
    #[schemars(extend("enum" = ["penalty", "licence", "coercion", "inspection"]))]
    pub kind: super::text::Text<32>,
    pub legal_basis: super::text::Text<2000>,
    #[serde(default)]
    pub av_mandatory: bool,
    #[serde(default)]
    pub major_decision_review: bool,
    pub hearing_threshold_citizen_fen: Option<u64>,
    pub hearing_threshold_organisation_fen: Option<u64>,
    #[serde(default)]
    pub summary_allowed: bool,
    /// For an inspection matter: at most this many inspections of one party a year (国办发〔2024〕54号; R-121);
    /// ignored for other kinds.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub inspection_cap: Option<u32>,
}

/// Sets a matter of the 权责清单 from the API's form (the UI's form makes the same).
pub async fn put_matter_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    f: MatterForm,
) -> Result<liuhen_store::MatterRecord, AppError> {
    use liuhen_core::matter::{Matter, MatterKind};
    let defaults = liuhen_core::penalty::HearingThresholds::default();
    let kind = MatterKind::parse(&f.kind).ok_or_else(|| {
        AppError::BadRequest(format!("事项类别须为 penalty、licence、coercion 或 inspection：{}", f.kind))
    })?;
    let m = Matter {
        code: f.code.trim().to_string(),
        name: f.name.required("事项名称")?,
        kind,
        legal_basis: f.legal_basis.required("法律依据")?,
        av_mandatory: f.av_mandatory,
        major_decision_review: f.major_decision_review,
        hearing_thresholds: liuhen_core::penalty::HearingThresholds {
            citizen_fen: f.hearing_threshold_citizen_fen.unwrap_or(defaults.citizen_fen),
            organisation_fen: f.hearing_threshold_organisation_fen.unwrap_or(defaults.organisation_fen),
        },
        summary_allowed: f.summary_allowed,
        // A cap counts inspections: on any other kind of matter it has nothing to count.
        inspection_cap: match f.inspection_cap {
            Some(0) => return Err(AppError::BadRequest("检查频次上限须为正整数".into())),
            cap => cap.filter(|_| kind == MatterKind::Inspection),
        },
    };
    app.put_matter(user, m).await
}

/// The office profile (执法主体).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Agency")]
pub struct AgencyForm {
    pub name: super::text::Text<100>,
    pub uscc: super::text::Text<32>,
    #[serde(default)]
    pub has_enforcement_power: bool,
    #[serde(default)]
    pub seals: Vec<SealForm>,
    /// 行政复议机关（事前公示的救济渠道，R-173）。
    #[serde(default)]
    pub review_organ: super::text::Text<100>,
    /// 管辖的人民法院（事前公示的救济渠道，R-173）。
    #[serde(default)]
    pub court: super::text::Text<100>,
    /// 全宗号（档号的第一段，1 至 16 位字母或数字；不填为 0001）。
    #[serde(default)]
    pub fonds: super::text::Text<16>,
    /// 保管期限表：各类案卷的保管期限，不得短于该类的最短期限（R-153）；未列或为空的按最短期限。
    #[serde(default)]
    pub retention: RetentionTable,
    /// 未关联案件的音像记录保存月数（至少 6，缺省 6）。
    #[serde(default)]
    #[schemars(range(min = 6, max = 1200))]
    pub unlinked_months: Option<u32>,
    /// 案卷中页号的位置：top_right 右上角（缺省）、bottom_right 右下角、bottom_center 底部居中。
    #[serde(default)]
    #[schemars(extend("enum" = ["top_right", "bottom_right", "bottom_center", ""]))]
    pub page_number_position: super::text::Text<16>,
}

/// The office's retention table (办法第二十四条), a kind a field.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RetentionTable {
    /// 行政处罚（普通程序）。
    pub ordinary_penalty: Option<RetentionCode>,
    /// 行政强制。
    pub coercive_measure: Option<RetentionCode>,
    /// 行政处罚（简易程序）。
    pub summary_penalty: Option<RetentionCode>,
    /// 行政许可。
    pub licence: Option<RetentionCode>,
    /// 行政检查。
    pub inspection: Option<RetentionCode>,
}

/// Y 永久、D30 定期30年、D10 定期10年；空为按该类最短期限。
#[derive(Deserialize, JsonSchema, Clone, Copy)]
pub enum RetentionCode {
    #[serde(rename = "")]
    Least,
    Y,
    D30,
    D10,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Seal")]
pub struct SealForm {
    pub kind: super::text::Text<32>,
    #[schemars(extend("format" = "date"))]
    pub valid_from: String,
    #[schemars(extend("format" = "date"))]
    pub valid_to: String,
}

/// Sets the office profile from the API's form (the UI's form makes the same).
pub async fn put_agency_from<S: LogStore>(
    app: &crate::app::App<S>,
    user: &liuhen_store::UserRecord,
    f: AgencyForm,
    read: Option<u64>,
) -> Result<liuhen_core::agency::Agency, AppError> {
    if f.seals.len() > 20 {
        return Err(AppError::BadRequest("印章不得超过 20 枚".to_string()));
    }
    let agency = liuhen_core::agency::Agency {
        name: f.name.required("执法主体名称")?,
        uscc: f.uscc.text("统一社会信用代码")?,
        has_enforcement_power: f.has_enforcement_power,
        review_organ: f.review_organ.text("行政复议机关")?,
        court: f.court.text("管辖的人民法院")?,
        fonds: f.fonds.text("全宗号")?,
        retention: {
            use liuhen_core::archive::Retention;
            let t = &f.retention;
            [
                ("ordinary_penalty", t.ordinary_penalty),
                ("coercive_measure", t.coercive_measure),
                ("summary_penalty", t.summary_penalty),
                ("licence", t.licence),
                ("inspection", t.inspection),
            ]
            .into_iter()
            .filter_map(|(kind, code)| {
                let r = match code? {
                    RetentionCode::Least => return None,
                    RetentionCode::Y => Retention::Permanent,
                    RetentionCode::D30 => Retention::Years30,
                    RetentionCode::D10 => Retention::Years10,
                };
                Some((kind.to_string(), r))
            })
            .collect()
        },
        unlinked_months: f.unlinked_months.unwrap_or(liuhen_core::agency::MIN_UNLINKED_MONTHS),
        page_number_position: match f.page_number_position.text("页号位置")? {
            p if p.is_empty() => liuhen_core::agency::PAGE_NUMBER_POSITIONS[0].to_string(),
            p => p,
        },
        seals: f
            .seals
            .iter()
            .map(|s| {
                Ok(liuhen_core::agency::Seal {
                    kind: s.kind.text("印章种类")?,
                    valid_from: date(&s.valid_from, "印章启用日期")?,
                    valid_to: date(&s.valid_to, "印章停用日期")?,
                })
            })
            .collect::<Result<_, AppError>>()?,
    };
    app.put_agency_if(user, agency, read).await
}
