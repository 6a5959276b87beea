//! 音像记录 pages: the list with search by unit, device, officer, cause and party (办法第二十四条)
//! and the upload form (tus from `static/upload.js`, with progress; the only script of the UI),
//! the overdue list (办法第二十三条); a recording's page with its digests, what the upload said,
//! its findings, links and interruptions, playback in the browser (ledgered first, then HTTP
//! Range from `<video>`), and the forms to link it to a case's records and record interruptions.

use super::{FormTarget, UiError, UserView, form_page, forms, placed, render, signed_in, submitted_form, when};
use crate::AppState;
use crate::app::AppError;
use crate::app::av::{InterruptionInput, Link, Search};
use crate::app::policy::Action;
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use liuhen_store::{LogStore, RecordingRecord, UserRecord};
use serde_json::Value;

pub struct RecordingRow {
    pub id: String,
    pub filename: String,
    pub size: String,
    pub stored: String,
    pub device: String,
    pub officers: String,
    pub case_no: String,
    pub case_href: String,
    pub flags: String,
}

pub struct OverdueRow {
    pub case_href: String,
    pub case_no: String,
    pub label: String,
    pub at: String,
    pub due: String,
}

#[derive(Template)]
#[template(path = "recordings.html")]
struct RecordingsPage {
    user: Option<UserView>,
    q: Search,
    rows: Vec<RecordingRow>,
    may_upload: bool,
    /// Cases the user may act on, for the upload's case.
    cases: Vec<(String, String)>,
    overdue: Vec<OverdueRow>,
    /// The overdue list's next page and first.
    overdue_next: Option<String>,
    overdue_first: Option<String>,
    /// The next page and the first, with the same search.
    next: Option<String>,
    first: Option<String>,
}

/// The recordings list's search and its place (`cursor`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct RecordingsQuery {
    #[serde(flatten)]
    search: Search,
    #[serde(default)]
    cursor: String,
    /// Where the overdue list starts (its `next_cursor`; empty: its first page).
    #[serde(default)]
    overdue: String,
}

pub struct InterruptionRow {
    pub n: usize,
    pub span: String,
    pub cause: String,
    pub explanation: String,
    pub explained: bool,
    pub superseded: bool,
}

#[derive(Template)]
#[template(path = "recording.html")]
struct RecordingPage {
    user: Option<UserView>,
    id: String,
    filename: String,
    size: String,
    sha256: String,
    sm3: String,
    stored: String,
    metadata: Vec<(&'static str, String)>,
    flags: Vec<String>,
    case_href: String,
    case_no: String,
    records: String,
    av_item: String,
    interruptions: Vec<InterruptionRow>,
    may_act: bool,
    link_cases: Vec<(String, String)>,
    csrf: String,
    /// Set once playback was granted: the `<video>` source.
    player: String,
    /// The original a clip was cut from: (link, stretch and purpose).
    clip_of: Option<(String, String)>,
}

fn size(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KiB", n as f64 / 1024.0)
    }
}

/// What the upload said, in Chinese, in this order.
const METADATA: [(&str, &str); 10] = [
    ("device", "设备编号"),
    ("officers", "执法人员"),
    ("started_at", "开始"),
    ("ended_at", "结束"),
    ("place", "地点"),
    ("activity", "执法活动"),
    ("away_reason", "连续、异地或偏远地区执法"),
    ("returned_at", "返回时间"),
    ("late_explanation", "逾期存储的说明"),
    ("device_clock", "上传时设备时钟"),
];

fn moment(k: &str, v: &str) -> String {
    match k {
        "started_at" | "ended_at" | "returned_at" | "device_clock" => {
            crate::app::recordings::parse_moment(v).map(when).unwrap_or_else(|| v.to_string())
        }
        _ => v.to_string(),
    }
}

async fn case_no<S: LogStore>(state: &AppState<S>, id: &str) -> String {
    if id.is_empty() {
        return String::new();
    }
    state.app.store.case(id).await.map(|c| c.case_no).unwrap_or_default()
}

async fn row<S: LogStore>(state: &AppState<S>, r: &RecordingRecord) -> RecordingRow {
    let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
    let meta = |k: &str| data["metadata"][k].as_str().unwrap_or_default().to_string();
    RecordingRow {
        id: r.id.clone(),
        filename: data["filename"].as_str().unwrap_or(&r.id).to_string(),
        size: size(r.size),
        stored: when(r.created_at_ms),
        device: meta("device"),
        officers: meta("officers"),
        case_no: case_no(state, &r.case_id).await,
        case_href: if r.case_id.is_empty() { String::new() } else { format!("/cases/{}", r.case_id) },
        flags: data["flags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["rule"].as_str())
            .collect::<Vec<_>>()
            .join("、"),
    }
}

/// The cases `user` may act on (newest first), as (id, 案号).
async fn actable<S: LogStore>(state: &AppState<S>, user: &UserRecord) -> Result<Vec<(String, String)>, AppError> {
    Ok(state
        .app
        .visible_cases(user, 500)
        .await?
        .into_iter()
        .filter(|c| state.app.allow(user, Action::CommandCase, Some(c)).is_ok())
        .map(|c| (c.id, c.case_no))
        .collect())
}

pub async fn recordings_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<Query<RecordingsQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let RecordingsQuery { search: q, cursor, overdue: overdue_at } = q.map(|Query(q)| q).unwrap_or_default();
    let cursor = Some(cursor.as_str()).filter(|c| !c.is_empty());
    let page = crate::app::policy::PAGE as usize;
    let (found, next) = match state.app.recordings_page(&user, None, &q, cursor, page).await {
        // A cursor mangled in the address bar: the first page.
        Err(crate::app::AppError::BadRequest(_)) => state.app.recordings_page(&user, None, &q, None, page).await?,
        other => other?,
    };
    // The list's address with the same search, at `cursor`.
    let link = |cursor: &str| {
        let pairs = [
            ("unit", q.unit.as_str()),
            ("device", &q.device),
            ("officer", &q.officer),
            ("cause", &q.cause),
            ("party", &q.party),
            ("cursor", cursor),
        ];
        let query: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", super::query_escape(v)))
            .collect();
        format!("/recordings?{}", query.join("&"))
    };
    let (next, first) = (next.map(|c| link(&c)), cursor.map(|_| link("")));
    let mut rows = Vec::new();
    for r in &found {
        rows.push(row(&state, r).await);
    }
    let overdue_at = Some(overdue_at.as_str()).filter(|c| !c.is_empty());
    let (overdue, overdue_next) = match state.app.overdue_av(&user, overdue_at, page).await {
        Err(crate::app::AppError::BadRequest(_)) => state.app.overdue_av(&user, None, page).await?,
        other => other?,
    };
    let (overdue_first, overdue_next) = super::pager("/recordings?", "overdue", "#overdue", overdue_at, overdue_next);
    let overdue = overdue
        .iter()
        .map(|o| OverdueRow {
            case_href: format!("/cases/{}", o["case"].as_str().unwrap_or_default()),
            case_no: o["case_no"].as_str().unwrap_or_default().to_string(),
            label: format!("{}：{}", o["kind"].as_str().unwrap_or_default(), o["label"].as_str().unwrap_or_default()),
            at: o["at"].as_i64().map(when).unwrap_or_default(),
            due: o["due"].as_i64().map(when).unwrap_or_default(),
        })
        .collect();
    let may_upload = state.app.allow(&user, Action::UploadRecording, None).is_ok();
    let cases = if may_upload { actable(&state, &user).await? } else { Vec::new() };
    Ok(render(&RecordingsPage {
        user: Some(view),
        q,
        rows,
        may_upload,
        cases,
        overdue,
        overdue_next,
        overdue_first,
        next,
        first,
    }))
}

async fn recording_view<S: LogStore>(
    state: &AppState<S>,
    user: &UserRecord,
    view: UserView,
    id: &str,
    player: String,
) -> Result<Response, UiError> {
    let r = state.app.recording(user, id).await?;
    let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
    let officers: std::collections::HashMap<String, String> =
        state.app.store.officers().await.map_err(AppError::from)?.into_iter().map(|o| (o.id, o.name)).collect();
    let case = if r.case_id.is_empty() { None } else { state.app.store.case(&r.case_id).await.ok() };
    let may_act = state.app.may_change_recording(user, &r).await.is_ok();
    let interruptions = data["interruptions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(n, i)| {
            let t = |k: &str| i[k].as_i64().map(when).unwrap_or_default();
            let signers: Vec<String> = i["signed_by"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|o| officers.get(o).cloned().unwrap_or_else(|| o.to_string()))
                .collect();
            let explanation = match (i["spoken_at"].as_i64(), i["written"].as_str().unwrap_or_default()) {
                (Some(s), _) => format!("{} 语音说明", when(s)),
                (None, w) if !w.is_empty() => format!("书面说明：{w}（签名：{}）", signers.join("、")),
                _ => "未说明".to_string(),
            };
            InterruptionRow {
                n,
                span: format!("{} 至 {}", t("from"), t("to")),
                cause: i["cause"].as_str().unwrap_or_default().to_string(),
                explanation,
                explained: i["explained"] == true,
                superseded: !i["superseded_by"].is_null(),
            }
        })
        .collect();
    let page = RecordingPage {
        id: r.id.clone(),
        filename: data["filename"].as_str().unwrap_or(&r.id).to_string(),
        size: format!("{}（{} 字节）", size(r.size), r.size),
        sha256: r.sha256.clone(),
        sm3: data["sm3"].as_str().unwrap_or("计算中").to_string(),
        stored: when(r.created_at_ms),
        metadata: METADATA
            .iter()
            .filter_map(|(k, label)| {
                data["metadata"][*k].as_str().filter(|v| !v.is_empty()).map(|v| (*label, moment(k, v)))
            })
            .collect(),
        flags: data["flags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["message"].as_str().map(str::to_string))
            .collect(),
        case_href: case.as_ref().map(|c| format!("/cases/{}", c.id)).unwrap_or_default(),
        case_no: case.as_ref().map(|c| c.case_no.clone()).unwrap_or_default(),
        records: data["links"]["records"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("、"),
        av_item: data["links"]["av_item"].as_str().unwrap_or_default().to_string(),
        interruptions,
        may_act,
        link_cases: if may_act || case.is_none() { actable(state, user).await? } else { Vec::new() },
        csrf: view.csrf.clone(),
        player,
        clip_of: data["clip_of"]["recording"].as_str().map(|o| {
            let c = &data["clip_of"];
            let secs = |k: &str| c[k].as_i64().unwrap_or(0) as f64 / 1000.0;
            (
                format!("/recordings/{o}"),
                format!(
                    "第 {} 至 {} 秒，用途：{}",
                    secs("from_ms"),
                    secs("to_ms"),
                    c["reason"].as_str().unwrap_or_default()
                ),
            )
        }),
        user: Some(view),
    };
    Ok(render(&page))
}

pub async fn recording_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    recording_view(&state, &user, view, &id, String::new()).await
}

/// Playback: the view goes into the ledger with its purpose, then the page carries a player
/// whose source is the granted content URL (HTTP Range).
pub async fn play<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    let purpose = submitted.iter().find(|(k, _)| k == "purpose").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    if purpose.chars().count() > 200 {
        return Err(AppError::BadRequest("查阅目的不得超过 200 个字符".into()).into());
    }
    let grant = state.app.grant_playback(&user, &id, &purpose).await?;
    recording_view(&state, &user, view, &id, format!("/api/recordings/{id}/content?grant={grant}")).await
}

#[derive(serde::Deserialize, Default)]
pub struct CaseQuery {
    #[serde(default)]
    pub case: String,
}

async fn link_target<S: LogStore>(
    state: &AppState<S>,
    user: &UserRecord,
    id: &str,
    case: &str,
) -> Result<(FormTarget<'static>, String), UiError> {
    let spec = forms::spec("recording", "link").ok_or(AppError::NotFound)?;
    let record = state.app.store.case(case).await.map_err(AppError::from)?;
    state.app.allow(user, Action::CommandCase, Some(&record))?;
    let data: Value = serde_json::from_str(&record.data).unwrap_or(Value::Null);
    let records = crate::app::records::records_in(&data)
        .into_iter()
        .map(|(rid, kind, label, _)| (rid.clone(), format!("{rid} {kind}：{label}")))
        .collect();
    let target = FormTarget {
        spec,
        case_no: "",
        action: format!("/recordings/{id}/link?case={case}"),
        back: format!("/recordings/{id}"),
        version: 0,
        records,
    };
    Ok((target, record.case_no))
}

pub async fn link_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<CaseQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    state.app.recording(&user, &id).await?;
    let case = q.map(|Query(q)| q.case).unwrap_or_default();
    let (target, _) = link_target(&state, &user, &id, &case).await?;
    form_page(&state, view, target, &Vec::new(), Default::default(), StatusCode::OK).await
}

pub async fn link<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<CaseQuery>, QueryRejection>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    let case = q.map(|Query(q)| q.case).unwrap_or_default();
    let (target, _) = link_target(&state, &user, &id, &case).await?;
    let spec = target.spec;
    let outcome = match forms::to_json(spec, &submitted) {
        Err(errors) => Err((errors, Vec::new())),
        Ok(json) => {
            let link = Link {
                case: case.clone(),
                records: json["records"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect(),
                av_item: json["av_item"].as_str().unwrap_or_default().to_string(),
                activity_ended_at: json["activity_ended_at"].as_i64(),
                reason: json["reason"].as_str().unwrap_or_default().to_string(),
            };
            state.app.link_recording(&user, &id, link).await.map_err(|e| placed(spec, &submitted, e))
        }
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/recordings/{id}")).into_response()),
        Err(errors) => form_page(&state, view, target, &submitted, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// The forms of a recording's own steps: `interruption` and `clip`.
fn step_target(id: &str, command: &str) -> Result<FormTarget<'static>, AppError> {
    let spec = match command {
        "interruption" | "clip" => forms::spec("recording", command).ok_or(AppError::NotFound)?,
        _ => return Err(AppError::NotFound),
    };
    Ok(FormTarget {
        spec,
        case_no: "",
        action: format!("/recordings/{id}/do/{command}"),
        back: format!("/recordings/{id}"),
        version: 0,
        records: Vec::new(),
    })
}

pub async fn step_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((id, command)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    state.app.recording(&user, &id).await?;
    form_page(&state, view, step_target(&id, &command)?, &Vec::new(), Default::default(), StatusCode::OK).await
}

/// Runs a step's form through the application layer; the recording to show next.
async fn apply<S: LogStore>(
    state: &AppState<S>,
    user: &UserRecord,
    id: &str,
    command: &str,
    json: &Value,
) -> Result<RecordingRecord, AppError> {
    let s = |k: &str| json[k].as_str().unwrap_or_default().to_string();
    match command {
        "interruption" => {
            let input = InterruptionInput {
                from: json["from"].as_i64().unwrap_or_default(),
                to: json["to"].as_i64().unwrap_or_default(),
                cause: s("cause"),
                spoken_at: json["spoken_at"].as_i64(),
                written: s("written"),
                signed_by: json["signed_by"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|o| o.as_str().map(str::to_string))
                    .collect(),
                replaces: json["replaces"].as_u64().map(|n| n as usize),
            };
            state.app.record_interruption(user, id, input).await
        }
        "clip" => {
            let ms = |k: &str| json[k].as_i64().unwrap_or(-1).saturating_mul(1000);
            state.app.clip_recording(user, id, ms("from"), ms("to"), &s("reason")).await
        }
        _ => Err(AppError::NotFound),
    }
}

pub async fn step<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((id, command)): Path<(String, String)>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    let target = step_target(&id, &command)?;
    let spec = target.spec;
    let outcome = match forms::to_json(spec, &submitted) {
        Err(errors) => Err((errors, Vec::new())),
        Ok(json) => apply(&state, &user, &id, &command, &json).await.map_err(|e| placed(spec, &submitted, e)),
    };
    match outcome {
        Ok(r) => Ok(Redirect::to(&format!("/recordings/{}", r.id)).into_response()),
        Err(errors) => form_page(&state, view, target, &submitted, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// The upload script: a tus 1.0.0 client over `fetch`/`XMLHttpRequest` with progress.
pub async fn upload_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/upload.js"),
    )
}
