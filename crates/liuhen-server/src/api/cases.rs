//! Officers and cases over JSON: `POST/GET /api/officers`, `POST /api/cases/inspections`,
//! `POST /api/cases/{id}/commands`, `GET /api/cases`, `GET /api/cases/{id}`.

use crate::AppState;
use crate::app::requests::cases::{
    AgencyForm, ApplicationForm, LeadForm, MatterForm, MeasureForm, OfficerForm, OpenInspectionForm, SummaryStartForm,
    apply_for_licence_from, date, execute_command, open_inspection_from, propose_measure_from, put_agency_from,
    put_matter_from, register_lead_from, register_officer_from, start_summary_from, text,
};
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use liuhen_core::time::Date;
use liuhen_store::{CaseRecord, LogStore, OfficerRecord};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Serialize)]
pub struct OfficerDto {
    pub id: String,
    pub name: String,
    pub cert_no: String,
    pub cert_valid_from: String,
    pub cert_valid_to: String,
    pub cert_status: String,
    pub cert_scope: Vec<String>,
    pub legal_qualification: bool,
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
            cert_scope: r.cert_scope.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            legal_qualification: r.legal_qualification,
        }
    }
}

pub async fn register_officer<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<OfficerDto>), ApiError> {
    state.app.allow(&user, crate::app::policy::Action::ManageReference, None)?;
    let r = register_officer_from(&state.app, &user, super::described::body::<OfficerForm>(form)?).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

pub async fn list_officers<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<Query<super::NoParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<OfficerDto>>, ApiError> {
    super::no_params(q)?;
    state.app.allow(&user, crate::app::policy::Action::ViewReference, None)?;
    Ok(Json(state.app.store.officers().await?.into_iter().map(OfficerDto::from).collect()))
}

/// A case as its view answers it: its list row and its projection (`data`, with what the reader
/// may not see withheld and identity numbers masked).
#[derive(Serialize)]
pub struct CaseDto {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub data: Value,
}

impl From<CaseRecord> for CaseDto {
    fn from(r: CaseRecord) -> CaseDto {
        let data = serde_json::from_str(&r.data).unwrap_or(Value::Null);
        CaseDto { summary: CaseSummary::of(r, &data), data }
    }
}

pub async fn open_inspection<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    // Asked before the body is read: a role that may not open cases gets 403 whatever it sent.
    state.app.allow(&user, crate::app::policy::Action::CreateCase, None)?;
    let f = super::described::body::<OpenInspectionForm>(form)?;
    let r = open_inspection_from(&state.app, &user, f).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[derive(Deserialize, JsonSchema)]
pub struct CommandRequest {
    pub expected_version: u64,
    /// Tagged by `type`; the kinds of command depend on the case's type.
    pub command: Value,
}

pub async fn start_summary<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    // Asked before the body is read: a role that may not open cases gets 403 whatever it sent.
    state.app.allow(&user, crate::app::policy::Action::CreateCase, None)?;
    let f = super::described::body::<SummaryStartForm>(form)?;
    let r = start_summary_from(&state.app, &user, f).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

pub async fn case_command<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<CaseDto>, ApiError> {
    // A hidden case is 404, one the user may not act on 403, whatever the body says: asked
    // before the body is read.
    super::allowed_first(&state, &user, &id, crate::app::policy::Action::CommandCase).await?;
    let req = {
        // Described as `Command` (its `command` by the case type's schema, checked below).
        let axum::Json(v) = form?;
        super::described::value_as_but::<CommandRequest>("Command", v, Some("/command"))?
    };
    let r = execute_command(&state.app, &user, &id, req.expected_version, req.command).await?;
    Ok(Json(r.into()))
}

/// The case list's query: a page (`limit`, `cursor`) and its filters; a parameter it does not
/// name is refused (400), not ignored.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CaseListQuery {
    /// Rows in the page (default 50, at most 500).
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// The kind of case: inspection | summary_penalty | ordinary_penalty | licence | coercive_measure.
    pub kind: Option<String>,
    /// Its state (the code the case carries).
    pub state: Option<String>,
    /// Its matter (案由), as the 权责清单 names it.
    pub matter: Option<String>,
    /// The 承办机构 it belongs to.
    pub unit: Option<String>,
    /// An officer (id) who handles it.
    pub officer: Option<String>,
    /// Opened on or after this day (YYYY-MM-DD, Asia/Shanghai).
    pub from: Option<String>,
    /// Opened on or before this day (YYYY-MM-DD).
    pub to: Option<String>,
    /// Found in its case number, its party's name or its matter.
    pub q: Option<String>,
}

/// A query parameter's text (at most `max` characters; empty: not given).
fn field(v: &Option<String>, name: &str, max: usize) -> Result<Option<String>, AppError> {
    v.as_deref().map(|s| text(s, name, max)).transpose().map(|t| t.filter(|t| !t.is_empty()))
}

/// A query parameter's day (YYYY-MM-DD).
fn day(v: &Option<String>, name: &str) -> Result<Option<Date>, AppError> {
    field(v, name, 10)?.map(|s| date(&s, name)).transpose()
}

/// The page's size (400 outside 1..=500).
pub(crate) fn page_size(limit: Option<u32>) -> Result<usize, AppError> {
    match limit {
        None => Ok(crate::app::policy::PAGE as usize),
        Some(l) if (1..=crate::app::policy::MAX_PAGE).contains(&l) => Ok(l as usize),
        Some(_) => Err(AppError::BadRequest(format!("limit 须为 1 至 {}", crate::app::policy::MAX_PAGE))),
    }
}

/// A `kind` parameter: one of the kinds of case (400 for another).
fn case_kind(v: &Option<String>) -> Result<Option<String>, AppError> {
    const KINDS: [&str; 5] = ["inspection", "summary_penalty", "ordinary_penalty", "licence", "coercive_measure"];
    match field(v, "kind", 32)? {
        Some(k) if !KINDS.contains(&k.as_str()) => {
            Err(AppError::BadRequest(format!("kind 须为 {} 之一", KINDS.join("、"))))
        }
        k => Ok(k),
    }
}

/// The filter of the cases a list's rows are of, from its query's parameters.
pub fn case_filter(
    kind: &Option<String>,
    unit: &Option<String>,
    officer: &Option<String>,
    matter: &Option<String>,
) -> Result<liuhen_store::CaseFilter, AppError> {
    Ok(liuhen_store::CaseFilter {
        kind: case_kind(kind)?,
        unit: field(unit, "unit", 200)?,
        officer: field(officer, "officer", 64)?,
        matter: field(matter, "matter", 200)?,
    })
}

impl CaseListQuery {
    /// The store's filter (who sees what is the application's to add).
    pub fn filter(&self) -> Result<liuhen_store::CaseQuery, AppError> {
        page_size(self.limit)?;
        let kind = case_kind(&self.kind)?;
        let state = field(&self.state, "state", 64)?;
        if let Some(s) = &state
            && !crate::app::cases::state_codes(kind.as_deref()).contains(&s.as_str())
        {
            return Err(AppError::BadRequest(format!(
                "state 须为{}案件的状态之一：{}",
                kind.as_deref().map_or("", |_| "该类"),
                crate::app::cases::state_codes(kind.as_deref()).join("、")
            )));
        }
        Ok(liuhen_store::CaseQuery {
            kind,
            state,
            matter: field(&self.matter, "matter", 200)?,
            unit: field(&self.unit, "unit", 200)?,
            officer: field(&self.officer, "officer", 64)?,
            opened_from_ms: day(&self.from, "from")?.map(|d| d.start().0),
            opened_before_ms: day(&self.to, "to")?.map(|d| d.plus_days(1).start().0),
            text: field(&self.q, "q", 100)?,
            limit: self.limit.unwrap_or(crate::app::policy::PAGE),
            ..Default::default()
        })
    }
}

/// A row of the case list: what the list shows, never the case's records — those are read
/// through the case's view, which withholds what the reader may not see (办法第二十四条) and
/// ledgers the reading.
#[derive(Serialize)]
pub struct CaseSummary {
    pub id: String,
    pub case_no: String,
    pub case_type: String,
    /// 行政检查…
    pub type_label: String,
    pub state: String,
    /// 已现场检查…
    pub state_label: String,
    /// How many 案卷缺陷 the rules find in it.
    pub defects: usize,
    pub version: u64,
    pub matter: String,
    /// The party's name (its identity and contacts are in the case's view).
    pub party: String,
    pub unit: String,
    pub opened_at: i64,
    pub updated_at: i64,
    pub confidentiality: String,
    /// As the case's own `next_commands`.
    pub next_commands: Vec<&'static str>,
}

impl From<CaseRecord> for CaseSummary {
    fn from(r: CaseRecord) -> CaseSummary {
        let data = serde_json::from_str(&r.data).unwrap_or(Value::Null);
        CaseSummary::of(r, &data)
    }
}

impl CaseSummary {
    /// The row of case `r`, whose projection `data` is.
    fn of(r: CaseRecord, data: &Value) -> CaseSummary {
        let label = |k: &str, or: &str| data[k].as_str().unwrap_or(or).to_string();
        CaseSummary {
            next_commands: crate::app::next::offered(&r.case_type, &r.state, data),
            type_label: label("type_label", &r.case_type),
            state_label: label("state_label", &r.state),
            defects: data["defects"].as_array().map_or(0, Vec::len),
            id: r.id,
            case_no: r.case_no,
            case_type: r.case_type,
            state: r.state,
            version: r.version,
            matter: r.matter,
            party: r.party,
            unit: r.unit,
            opened_at: r.opened_at_ms,
            updated_at: r.updated_at_ms,
            confidentiality: r.confidentiality,
        }
    }
}

/// A page of cases and the cursor of the next (`null` on the last page).
#[derive(Serialize)]
pub struct CasePage {
    pub cases: Vec<CaseSummary>,
    pub next_cursor: Option<String>,
}

pub async fn list_cases<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<Query<CaseListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CasePage>, ApiError> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let (rows, next_cursor) = state.app.case_page(&user, q.filter()?, q.cursor.as_deref()).await?;
    Ok(Json(CasePage { cases: rows.into_iter().map(CaseSummary::from).collect(), next_cursor }))
}

#[derive(Serialize)]
pub struct CaseWithTimeline {
    #[serde(flatten)]
    pub case: CaseDto,
    pub timeline: Vec<Value>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AsOf {
    /// Unix ms: the case as it stood then, replayed from the log.
    pub as_of: Option<i64>,
    /// Why the case is viewed, for the access ledger (default 案件办理).
    #[serde(default)]
    pub purpose: crate::app::requests::text::Text<200>,
}

pub async fn get_case<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    q: Result<Query<AsOf>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<CaseWithTimeline>, ApiError> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误（as_of 须为毫秒时间戳）：{e}")))?;
    let view = state.app.view_case(&user, &id, q.as_of, &q.purpose.text("查阅目的")?).await?;
    let recorded = view.recorded;
    let timeline = view
        .timeline
        .into_iter()
        .map(|(index, e)| {
            serde_json::json!({
                "index": index, "time": e.time_ms, "actor": e.actor(), "action": e.action(), "body": Value::Object(e.body().clone()),
                "recorded": recorded.get(&index),
            })
        })
        .collect();
    Ok(Json(CaseWithTimeline { case: view.record.into(), timeline }))
}

#[derive(Serialize)]
pub struct LedgerDto {
    pub index: u64,
    pub time: i64,
    pub actor: String,
    /// view | download | export | print
    pub access: String,
    pub what: String,
    /// The record's id within the case, when one record was accessed.
    pub record: String,
    pub purpose: String,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Classification")]
pub struct ClassForm {
    /// public | internal | commercial_secret | personal_privacy (涉及国家秘密的材料不得存入本系统).
    #[schemars(extend("enum" = ["public", "internal", "commercial_secret", "personal_privacy"]))]
    pub class: String,
    pub reason: crate::app::requests::text::Text<500>,
    /// 表单所显示的密级（记录自身的；记录未另定的，为案件的）：给出而现已是其他密级的，返回 409，不作修改。
    #[serde(default)]
    #[schemars(extend("enum" = ["public", "internal", "commercial_secret", "personal_privacy"]))]
    pub expected_class: Option<String>,
}

/// `POST /api/cases/{id}/classification`: the case's confidentiality class (a 负责人 or the
/// unit's head), with its reason; 商业秘密 and 个人隐私 narrow who sees the case.
pub async fn classify_case<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<CaseDto>, ApiError> {
    super::allowed_first(&state, &user, &id, crate::app::policy::Action::ClassifyCase).await?;
    let f = super::described::body::<ClassForm>(form)?;
    let expected = f.expected_class.as_deref();
    let r = state.app.classify_case(&user, &id, f.class.trim(), &f.reason.text("定级理由")?, expected).await?;
    Ok(Json(r.into()))
}

#[derive(Deserialize, JsonSchema)]
pub struct PurposeQuery {
    #[serde(default)]
    pub purpose: crate::app::requests::text::Text<200>,
}

/// `GET /api/cases/{id}/party?purpose=…`: the party unmasked, for a task that needs it
/// (ledgered with its purpose; only for those who act on the case).
pub async fn reveal_party<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    q: Result<Query<PurposeQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let purpose = q.map(|Query(q)| q.purpose).unwrap_or_default();
    Ok(Json(state.app.reveal_party(&user, &id, &purpose.text("用途")?).await?))
}

/// What one user accessed, newest first (their own; anyone's for 监督人员 and 负责人).
/// A page of a list: `limit` rows (default 50, at most 500) after `cursor` (the last page's
/// `next_cursor`).
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page's size (400 outside 1..=500).
    pub fn size(&self) -> Result<usize, AppError> {
        page_size(self.limit)
    }

    /// The log index in the cursor of a list of log entries: the page starts before it
    /// (newest first) or after it (oldest first).
    pub fn log_index(&self) -> Result<Option<u64>, AppError> {
        self.cursor
            .as_deref()
            .map(|c| {
                crate::app::policy::parse_cursor(c)
                    .and_then(|(i, _)| u64::try_from(i).map_err(|_| AppError::BadRequest("cursor 无效".into())))
            })
            .transpose()
    }
}

/// A page of the access ledger and the cursor of the next (`null` on the last page).
#[derive(Serialize)]
pub struct LedgerPage {
    pub ledger: Vec<LedgerDto>,
    pub next_cursor: Option<String>,
}

pub async fn user_ledger<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<LedgerPage>, ApiError> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let (lines, next) = state.app.user_ledger(&user, &id, q.log_index()?, q.size()?).await?;
    Ok(Json(LedgerPage {
        ledger: lines.into_iter().map(LedgerDto::from).collect(),
        next_cursor: next.map(|i| crate::app::policy::cursor_of(i as i64, "")),
    }))
}

impl From<crate::app::ledger::LedgerLine> for LedgerDto {
    fn from(l: crate::app::ledger::LedgerLine) -> LedgerDto {
        LedgerDto {
            index: l.index,
            time: l.time_ms,
            actor: l.actor,
            access: l.access,
            what: l.what,
            record: l.record,
            purpose: l.purpose,
        }
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// Only the accesses of this record (`evidence/0`).
    #[serde(default)]
    pub record: crate::app::requests::text::Text<5000>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The case's access ledger (办法第二十四条): every view, download, export and print, oldest
/// first, a page at a time.
pub async fn case_ledger<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    q: Result<Query<LedgerQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<LedgerPage>, ApiError> {
    state.app.case_allowing(&user, &id, crate::app::policy::Action::ViewLedger).await?;
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let record = Some(&*q.record).filter(|r| !r.is_empty());
    let (lines, next) = state.app.case_ledger(&user, &id, record, page.log_index()?, page.size()?).await?;
    Ok(Json(LedgerPage {
        ledger: lines.into_iter().map(LedgerDto::from).collect(),
        next_cursor: next.map(|i| crate::app::policy::cursor_of(i as i64, "")),
    }))
}

/// `GET /api/cases/{id}/records/{kind}/{n}?purpose=…`: one record of the case, ledgered first
/// with the record's id; 403 when its own class is beyond the caller.
pub async fn get_record<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path((id, kind, n)): Path<(String, String, String)>,
    q: Result<Query<PurposeQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|_| AppError::BadRequest("查询参数有误".to_string()))?;
    let record_id = format!("{kind}/{n}");
    let (_, kind_label, label, record, class) =
        state.app.view_record(&user, &id, &record_id, &q.purpose.text("查阅目的")?).await?;
    Ok(Json(serde_json::json!({
        "id": record_id, "kind": kind_label, "label": label, "class": class, "record": record,
    })))
}

/// `POST /api/cases/{id}/records/{kind}/{n}/classification`: the record's own class.
pub async fn classify_record<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path((id, kind, n)): Path<(String, String, String)>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    super::allowed_first(&state, &user, &id, crate::app::policy::Action::ClassifyCase).await?;
    let f = super::described::body::<ClassForm>(form)?;
    let record_id = format!("{kind}/{n}");
    let (class, expected) = (f.class.trim(), f.expected_class.as_deref());
    state.app.classify_record(&user, &id, &record_id, class, &f.reason.text("定级理由")?, expected).await?;
    Ok(StatusCode::NO_CONTENT)
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

/// A page of the deadline list and the cursor of the next (`null` on the last page).
#[derive(Serialize)]
pub struct DeadlinePage {
    pub deadlines: Vec<DeadlineDto>,
    pub next_cursor: Option<String>,
}

/// The deadline list's query: a page and its filters (a parameter it does not name: 400).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DeadlineListQuery {
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// The kind of deadline (`T-AV`…).
    pub code: Option<String>,
    /// overdue | unknown | due_soon | pending | upcoming (the last two)
    pub status: Option<String>,
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub officer: Option<String>,
    pub matter: Option<String>,
    /// Due on or after this day, on or before that (YYYY-MM-DD, Asia/Shanghai).
    pub from: Option<String>,
    pub to: Option<String>,
}

pub async fn list_deadlines<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<Query<DeadlineListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<DeadlinePage>, ApiError> {
    let Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let now = state.app.clock.now();
    let filter = crate::app::deadlines::DeadlineFilter {
        cases: case_filter(&q.kind, &q.unit, &q.officer, &q.matter)?,
        code: match field(&q.code, "code", 32)? {
            Some(c) if !crate::app::deadlines::codes().contains(&c.as_str()) => {
                return Err(AppError::BadRequest(format!(
                    "code 须为期限代码之一：{}",
                    crate::app::deadlines::codes().join("、")
                ))
                .into());
            }
            c => c,
        },
        status: field(&q.status, "status", 16)?.map(|s| crate::app::deadlines::DueStatus::parse(&s)).transpose()?,
        due_from: day(&q.from, "from")?.map(|d| d.start().0),
        due_before: day(&q.to, "to")?.map(|d| d.plus_days(1).start().0),
    };
    let (items, next_cursor) =
        state.app.deadline_page(&user, now, &filter, q.cursor.as_deref(), page_size(q.limit)?).await?;
    Ok(Json(DeadlinePage {
        next_cursor,
        deadlines: items
            .into_iter()
            .map(|d| {
                let (status, status_label) = d.status_code_label();
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
    }))
}

pub async fn register_lead<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    // Asked before the body is read: a role that may not open cases gets 403 whatever it sent.
    state.app.allow(&user, crate::app::policy::Action::CreateCase, None)?;
    let f = super::described::body::<LeadForm>(form)?;
    let r = register_lead_from(&state.app, &user, f).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

pub async fn apply_for_licence<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    // Asked before the body is read: a role that may not open cases gets 403 whatever it sent.
    state.app.allow(&user, crate::app::policy::Action::CreateCase, None)?;
    let f = super::described::body::<ApplicationForm>(form)?;
    let r = apply_for_licence_from(&state.app, &user, f).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

pub async fn propose_measure<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseDto>), ApiError> {
    // Asked before the body is read: a role that may not open cases gets 403 whatever it sent.
    state.app.allow(&user, crate::app::policy::Action::CreateCase, None)?;
    let f = super::described::body::<MeasureForm>(form)?;
    let r = propose_measure_from(&state.app, &user, f).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

pub async fn put_matter<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    state.app.allow(&user, crate::app::policy::Action::ManageReference, None)?;
    let r = put_matter_from(&state.app, &user, super::described::body::<MatterForm>(form)?).await?;
    Ok((StatusCode::CREATED, Json(serde_json::from_str(&r.data).unwrap_or(Value::Null))))
}

pub async fn list_matters<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<Query<super::NoParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Value>>, ApiError> {
    super::no_params(q)?;
    state.app.allow(&user, crate::app::policy::Action::ViewReference, None)?;
    let ms = state.app.store.matters().await?;
    Ok(Json(ms.iter().map(|m| serde_json::from_str(&m.data).unwrap_or(Value::Null)).collect()))
}

/// `If-Match: "<version>"` of a request that saves a whole reference document: the version its
/// editor read (the `ETag` of its `GET`); none, or `*`: whatever is there is replaced.
fn if_match(headers: &axum::http::HeaderMap) -> Result<Option<u64>, AppError> {
    let Some(v) = headers.get(axum::http::header::IF_MATCH) else { return Ok(None) };
    let v = v.to_str().unwrap_or_default().trim();
    if v == "*" {
        return Ok(None);
    }
    v.trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map(Some)
        .map_err(|_| AppError::BadRequest("If-Match 须为读取时的 ETag（如 \"3\"）".into()))
}

/// A reference document with its version as its `ETag`.
fn tagged(body: Value, version: u64) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::ETAG, format!("\"{version}\""))], Json(body)).into_response()
}

pub async fn put_agency<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    headers: axum::http::HeaderMap,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<axum::response::Response, ApiError> {
    state.app.allow(&user, crate::app::policy::Action::ManageReference, None)?;
    let read = if_match(&headers)?;
    let a = put_agency_from(&state.app, &user, super::described::body::<AgencyForm>(form)?, read)
        .await
        .map_err(crate::app::agency::stale_is_conflict)?;
    Ok(tagged(crate::app::agency::agency_json(&a), state.app.agency_version().await?))
}

pub async fn get_agency<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
) -> Result<axum::response::Response, ApiError> {
    state.app.allow(&user, crate::app::policy::Action::ViewReference, None)?;
    let version = state.app.agency_version().await?;
    Ok(tagged(crate::app::agency::agency_json(&state.app.agency().await?), version))
}

/// The 音像记录事项清单 (`av-items`) or the 执法行为用语指引 (`phrases`) of 办法第二十条.
fn catalogue_key(path: &str) -> Result<&'static str, AppError> {
    match path {
        "av-items" => Ok(crate::app::catalogues::AV_ITEMS),
        "phrases" => Ok(crate::app::catalogues::PHRASES),
        "numbering" => Ok(crate::app::catalogues::NUMBERING),
        _ => Err(AppError::NotFound),
    }
}

pub async fn get_catalogue<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(which): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    state.app.allow(&user, crate::app::policy::Action::ViewReference, None)?;
    let key = catalogue_key(&which)?;
    let version = state.app.catalogue_version(key).await?;
    Ok(tagged(state.app.catalogue(key).await?, version))
}

pub async fn put_catalogue<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(which): Path<String>,
    headers: axum::http::HeaderMap,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<axum::response::Response, ApiError> {
    state.app.allow(&user, crate::app::policy::Action::ManageReference, None)?;
    let key = catalogue_key(&which)?;
    let read = if_match(&headers)?;
    let Json(rows) = form?;
    state.app.put_catalogue_if(&user, key, rows, read).await.map_err(crate::app::agency::stale_is_conflict)?;
    Ok(tagged(state.app.catalogue(key).await?, state.app.catalogue_version(key).await?))
}
