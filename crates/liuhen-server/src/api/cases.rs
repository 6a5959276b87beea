//! Officers and cases over JSON: `POST/GET /api/officers`, `POST /api/cases/inspections`,
//! `POST /api/cases/{id}/commands`, `GET /api/cases`, `GET /api/cases/{id}`.

use crate::AppState;
use crate::api::require_user;
use crate::app::ROLE_SYSADMIN;
use crate::app::cases::{ActInput, OfficerInput};
use crate::app::inspection::InspectionCommand;
use crate::error::ApiError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use liuhen_core::inspection::{Initiation, Kind, Open, Source};
use liuhen_core::time::{Date, Timestamp};
use liuhen_store::{CaseRecord, LogStore, OfficerRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;

fn json_body<T>(j: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    j.map(|Json(t)| t).map_err(|e| ApiError::BadRequest(e.body_text()))
}

fn date(s: &str, field: &str) -> Result<Date, ApiError> {
    Date::parse(s).map_err(|e| ApiError::BadRequest(format!("{field}：{e}")))
}

fn text(s: &str, field: &str, max: usize) -> Result<String, ApiError> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(ApiError::BadRequest(format!("{field}不得超过 {max} 个字符")));
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::BadRequest(format!("{field}含有控制字符")));
    }
    Ok(t.to_string())
}

#[derive(Deserialize)]
pub struct OfficerForm {
    pub name: String,
    pub cert_no: String,
    pub cert_valid_from: String,
    pub cert_valid_to: String,
}

#[derive(Serialize)]
pub struct OfficerDto {
    pub id: String,
    pub name: String,
    pub cert_no: String,
    pub cert_valid_from: String,
    pub cert_valid_to: String,
    pub cert_status: String,
}

impl From<OfficerRecord> for OfficerDto {
    fn from(r: OfficerRecord) -> OfficerDto {
        OfficerDto {
            id: r.id,
            name: r.name,
            cert_no: r.cert_no,
            cert_valid_from: r.cert_valid_from,
            cert_valid_to: r.cert_valid_to,
            cert_status: r.cert_status,
        }
    }
}

pub async fn register_officer<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Json<OfficerForm>, JsonRejection>,
) -> Result<(StatusCode, Json<OfficerDto>), ApiError> {
    let user = require_user(&state, &headers).await?;
    if user.role != ROLE_SYSADMIN {
        return Err(ApiError::Forbidden);
    }
    let f = json_body(form)?;
    let input = OfficerInput {
        name: f.name,
        cert_no: f.cert_no,
        cert_valid_from: date(&f.cert_valid_from, "执法证有效期起")?,
        cert_valid_to: date(&f.cert_valid_to, "执法证有效期止")?,
    };
    let r = state.app.register_officer(&user, input).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

pub async fn list_officers<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Json<Vec<OfficerDto>>, ApiError> {
    require_user(&state, &headers).await?;
    Ok(Json(state.app.store.officers().await?.into_iter().map(OfficerDto::from).collect()))
}

#[derive(Deserialize)]
pub struct OpenInspectionForm {
    pub case_no: String,
    pub matter: String,
    /// routine | random | triggered | special
    pub kind: String,
    pub basis: String,
    /// inspection | complaint | assigned | transferred | monitoring | other
    pub source: String,
    pub reason: String,
    /// Unix milliseconds.
    pub received_at: i64,
}

#[derive(Serialize)]
pub struct CaseDto {
    pub id: String,
    pub case_no: String,
    pub case_type: String,
    pub state: String,
    pub version: u64,
    pub matter: String,
    pub opened_at: i64,
    pub updated_at: i64,
    pub data: Value,
}

impl From<CaseRecord> for CaseDto {
    fn from(r: CaseRecord) -> CaseDto {
        CaseDto {
            data: serde_json::from_str(&r.data).unwrap_or(Value::Null),
            id: r.id,
            case_no: r.case_no,
            case_type: r.case_type,
            state: r.state,
            version: r.version,
            matter: r.matter,
            opened_at: r.opened_at_ms,
            updated_at: r.updated_at_ms,
        }
    }
}

pub async fn open_inspection<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Json<OpenInspectionForm>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    let user = require_user(&state, &headers).await?;
    let f = json_body(form)?;
    let case_no = text(&f.case_no, "案号", 64)?;
    if case_no.is_empty() {
        return Err(ApiError::BadRequest("案号不能为空".to_string()));
    }
    let open = Open {
        id: uuid::Uuid::now_v7().to_string(),
        case_no,
        matter: text(&f.matter, "执法事项", 200)?,
        kind: Kind::parse(&f.kind).ok_or_else(|| ApiError::BadRequest(format!("未知的检查类型：{}", f.kind)))?,
        basis: text(&f.basis, "检查依据", 2000)?,
        initiation: Initiation {
            source: Source::parse(&f.source)
                .ok_or_else(|| ApiError::BadRequest(format!("未知的案件来源：{}", f.source)))?,
            reason: text(&f.reason, "启动原因", 2000)?,
            received_at: Timestamp(f.received_at),
        },
    };
    let r = state.app.open_inspection(&user, open).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[derive(Deserialize)]
pub struct ActForm {
    pub at: i64,
    pub place: String,
    pub officers: Vec<PresenceForm>,
    pub recording_announced: bool,
    pub problems_found: bool,
    #[serde(default)]
    pub summary: String,
}

#[derive(Deserialize)]
pub struct PresenceForm {
    pub officer_id: String,
    pub id_shown_at: Option<i64>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandForm {
    RecordOnSite(ActForm),
    NotifyResult { at: i64 },
    OrderRectification { at: i64, due: String },
    Reinspect { act: ActForm, rectified: bool },
    Close { at: i64 },
}

#[derive(Deserialize)]
pub struct CommandRequest {
    pub expected_version: u64,
    /// Tagged by `type`; the kinds of command depend on the case's type.
    pub command: Value,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SummaryCommandForm {
    Hear {
        at: i64,
        rights_told: bool,
        #[serde(default)]
        statement: String,
        #[serde(default)]
        waived: bool,
    },
    IssueDecision {
        at: i64,
        form_no: String,
        penalty: PenaltyForm,
        legal_basis: String,
        signed_by: Vec<String>,
    },
    Deliver {
        at: i64,
        party_signed: bool,
        #[serde(default)]
        refusal_signed_by: Vec<String>,
    },
    Record {
        at: i64,
    },
    Pay {
        at: i64,
        method: String,
        receipt_no: String,
        #[serde(default)]
        hard_to_enforce: bool,
    },
    Close {
        at: i64,
    },
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PenaltyForm {
    Warning,
    /// Amount in fen (分).
    Fine {
        amount_fen: u64,
    },
}

#[derive(Deserialize)]
pub struct SummaryStartForm {
    pub case_no: String,
    pub matter: String,
    /// citizen | organisation
    pub party_kind: String,
    pub facts: String,
    pub act: ActForm,
}

pub async fn start_summary<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Json<SummaryStartForm>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    use liuhen_core::summary::PartyKind;
    let user = require_user(&state, &headers).await?;
    let f = json_body(form)?;
    let case_no = text(&f.case_no, "决定书编号", 64)?;
    if case_no.is_empty() {
        return Err(ApiError::BadRequest("决定书编号不能为空".to_string()));
    }
    let input = crate::app::summary::StartInput {
        case_no,
        matter: text(&f.matter, "执法事项", 200)?,
        party_kind: PartyKind::parse(&f.party_kind)
            .ok_or_else(|| ApiError::BadRequest(format!("当事人类型须为 citizen 或 organisation：{}", f.party_kind)))?,
        facts: text(&f.facts, "违法事实", 5000)?,
        act: act_input(f.act)?,
    };
    let r = state.app.start_summary(&user, input).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

fn summary_command(form: SummaryCommandForm) -> Result<crate::app::summary::SummaryCommand, ApiError> {
    use crate::app::summary::SummaryCommand as C;
    use liuhen_core::summary::{PaymentMethod, Penalty};
    Ok(match form {
        SummaryCommandForm::Hear { at, rights_told, statement, waived } => {
            C::Hear { at: Timestamp(at), rights_told, statement: text(&statement, "陈述申辩", 5000)?, waived }
        }
        SummaryCommandForm::IssueDecision { at, form_no, penalty, legal_basis, signed_by } => C::IssueDecision {
            at: Timestamp(at),
            form_no: text(&form_no, "决定书编号", 64)?,
            penalty: match penalty {
                PenaltyForm::Warning => Penalty::Warning,
                PenaltyForm::Fine { amount_fen } => Penalty::Fine(amount_fen),
            },
            legal_basis: text(&legal_basis, "处罚依据", 2000)?,
            signed_by,
        },
        SummaryCommandForm::Deliver { at, party_signed, refusal_signed_by } => {
            C::Deliver { at: Timestamp(at), party_signed, refusal_signed_by }
        }
        SummaryCommandForm::Record { at } => C::Record { at: Timestamp(at) },
        SummaryCommandForm::Pay { at, method, receipt_no, hard_to_enforce } => C::Pay {
            at: Timestamp(at),
            method: PaymentMethod::parse(&method)
                .ok_or_else(|| ApiError::BadRequest(format!("缴款方式须为 bank 或 on_site：{method}")))?,
            receipt_no: text(&receipt_no, "票据号码", 64)?,
            hard_to_enforce,
        },
        SummaryCommandForm::Close { at } => C::Close { at: Timestamp(at) },
    })
}

fn act_input(a: ActForm) -> Result<ActInput, ApiError> {
    if a.officers.len() > 20 {
        return Err(ApiError::BadRequest("执法人员不得超过 20 名".to_string()));
    }
    Ok(ActInput {
        at: Timestamp(a.at),
        place: text(&a.place, "地点", 200)?,
        officers: a.officers.into_iter().map(|p| (p.officer_id, p.id_shown_at.map(Timestamp))).collect(),
        recording_announced: a.recording_announced,
        problems_found: a.problems_found,
        summary: text(&a.summary, "检查情况", 5000)?,
    })
}

pub async fn case_command<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Json<CommandRequest>, JsonRejection>,
) -> Result<Json<CaseDto>, ApiError> {
    let user = require_user(&state, &headers).await?;
    let req = json_body(form)?;
    let bad = |e: serde_json::Error| ApiError::BadRequest(format!("命令格式有误：{e}"));
    let case_type = state.app.case_type(&id).await?;
    if case_type == <liuhen_core::summary::Summary as crate::app::cases::CaseKind>::CODE {
        let cmd = summary_command(serde_json::from_value(req.command).map_err(bad)?)?;
        let r = state.app.summary_command(&user, &id, req.expected_version, cmd).await?;
        return Ok(Json(r.into()));
    }
    let form: CommandForm = serde_json::from_value(req.command).map_err(bad)?;
    let cmd = match form {
        CommandForm::RecordOnSite(a) => InspectionCommand::RecordOnSite(act_input(a)?),
        CommandForm::NotifyResult { at } => InspectionCommand::NotifyResult { at: Timestamp(at) },
        CommandForm::OrderRectification { at, due } => {
            InspectionCommand::OrderRectification { at: Timestamp(at), due: date(&due, "整改期限")? }
        }
        CommandForm::Reinspect { act, rectified } => InspectionCommand::Reinspect { act: act_input(act)?, rectified },
        CommandForm::Close { at } => InspectionCommand::Close { at: Timestamp(at) },
    };
    let r = state.app.inspection_command(&user, &id, req.expected_version, cmd).await?;
    Ok(Json(r.into()))
}

pub async fn list_cases<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Json<Vec<CaseDto>>, ApiError> {
    require_user(&state, &headers).await?;
    Ok(Json(state.app.store.cases(500).await?.into_iter().map(CaseDto::from).collect()))
}

#[derive(Serialize)]
pub struct CaseWithTimeline {
    #[serde(flatten)]
    pub case: CaseDto,
    pub timeline: Vec<Value>,
}

#[derive(Deserialize)]
pub struct AsOf {
    /// Unix ms: the case as it stood then, replayed from the log.
    pub as_of: Option<i64>,
}

pub async fn get_case<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    q: Result<Query<AsOf>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Result<Json<CaseWithTimeline>, ApiError> {
    require_user(&state, &headers).await?;
    let Query(q) = q.map_err(|_| ApiError::BadRequest("as_of 须为毫秒时间戳".to_string()))?;
    let view = match q.as_of {
        Some(t) => state.app.case_as_of(&id, t).await?,
        None => state.app.case_view(&id).await?,
    };
    let timeline = view
        .timeline
        .into_iter()
        .map(|(index, e)| {
            serde_json::json!({
                "index": index, "time": e.time_ms, "actor": e.actor(), "action": e.action(), "body": Value::Object(e.body().clone()),
            })
        })
        .collect();
    Ok(Json(CaseWithTimeline { case: view.record.into(), timeline }))
}

#[derive(Serialize)]
pub struct DeadlineDto {
    pub case_id: String,
    pub case_no: String,
    pub code: String,
    pub label: String,
    pub source: String,
    pub due: i64,
    /// overdue | due_soon | pending
    pub status: &'static str,
    pub status_label: &'static str,
}

pub async fn list_deadlines<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Json<Vec<DeadlineDto>>, ApiError> {
    use liuhen_core::calendar::DeadlineStatus;
    require_user(&state, &headers).await?;
    let now = Timestamp(crate::app::now_ms());
    let items = state.app.open_deadlines(now).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|d| {
                let (status, status_label) = match d.status {
                    DeadlineStatus::Overdue => ("overdue", "已逾期"),
                    DeadlineStatus::DueSoon => ("due_soon", "即将到期"),
                    _ => ("pending", "未到期"),
                };
                DeadlineDto {
                    case_id: d.case_id,
                    case_no: d.case_no,
                    code: d.code,
                    label: d.label,
                    source: d.source,
                    due: d.due,
                    status,
                    status_label,
                }
            })
            .collect(),
    ))
}
