//! 归档 pages (办法第二十五条): the archivist's lists (待归档, 已归档) and a case's file — where
//! it stands, what it lacks by rule, its 卷内目录 and 备考表 — with the 承办人's handover and the
//! 档案管理员's filing.

use super::record::{field, posted};
use super::{UiError, UserView, render, signed_in};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use liuhen_store::LogStore;
use serde_json::Value;

fn day(v: &Value) -> String {
    v.as_i64().map(|t| liuhen_core::time::Timestamp(t).shanghai_date().to_string()).unwrap_or_default()
}

/// A file's line on the archivist's list.
struct FileRow {
    case: String,
    case_no: String,
    archive_no: String,
    retention: String,
    handed_over: String,
    filed: String,
}

/// The archive's tabs, `current` marked: (href, label, current).
fn tabs(current: &str) -> Vec<(&'static str, &'static str, bool)> {
    [
        ("/archive", "待归档", "handed_over"),
        ("/archive?state=filed", "已归档", "filed"),
        ("/archive/retention", "保管期限", "retention"),
        ("/archive/disposals", "销毁审批", "disposals"),
        ("/archive/fixity", "完整性巡检", "fixity"),
    ]
    .into_iter()
    .map(|(href, label, key)| (href, label, key == current))
    .collect()
}

#[derive(Template)]
#[template(path = "archive.html")]
struct FilesPage {
    user: Option<UserView>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    filed: bool,
    rows: Vec<FileRow>,
    next: Option<String>,
}

/// The query of an archive list: which state, how many days ahead, which page.
#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
    days: Option<String>,
    cursor: Option<String>,
}

impl ListQuery {
    /// The query as asked; a mangled cursor shows the first page (an address people paste
    /// and share), as a mangled query shows the default list.
    fn of(q: Result<Query<ListQuery>, QueryRejection>) -> ListQuery {
        let mut q = q.map(|Query(q)| q).unwrap_or_default();
        q.cursor = q.cursor.filter(|c| crate::app::policy::parse_cursor(c).is_ok());
        q
    }
}

fn retention_label(code: &Value) -> String {
    code.as_str().and_then(liuhen_core::archive::Retention::parse).map_or(String::new(), |r| r.label().to_string())
}

/// `GET /archive?state=handed_over|filed`: the files handed over and waiting (the default), or filed.
pub async fn files<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let q = ListQuery::of(q);
    let filed = q.state.as_deref() == Some("filed");
    let which = if filed { "filed" } else { "handed_over" };
    let (list, next) = state.app.case_files(&user, which, q.cursor.as_deref(), 50).await?;
    let rows = list
        .iter()
        .map(|f| FileRow {
            case: f["case"].as_str().unwrap_or_default().to_string(),
            case_no: f["case_no"].as_str().unwrap_or_default().to_string(),
            archive_no: f["archive_no"].as_str().unwrap_or_default().to_string(),
            retention: retention_label(&f["retention"]),
            handed_over: day(&f["handed_over_at"]),
            filed: day(&f["filed_at"]),
        })
        .collect();
    Ok(render(&FilesPage { user: Some(view), tabs: tabs(which), filed, rows, next }))
}

/// One line of the 卷内目录.
struct TocLine {
    n: String,
    doc_no: String,
    responsible: String,
    title: String,
    date: String,
    pages: String,
    part: String,
}

#[derive(Template)]
#[template(path = "case_file.html")]
struct CaseFilePage {
    user: Option<UserView>,
    id: String,
    case_no: String,
    state_label: String,
    closed: String,
    due: String,
    problems: Vec<String>,
    toc: Vec<TocLine>,
    pages: String,
    /// (档号, 保管期限, 归档日期, 立卷人, 检查人, notes)
    filed: Option<(String, String, String, String, String, Vec<String>)>,
    handed_over: String,
    may_hand_over: bool,
    may_file: bool,
    /// (code, label, the office's) of the retentions the archivist may choose, the least first;
    /// the office's table's selected.
    retentions: Vec<(&'static str, &'static str, bool)>,
    /// The latest 四性检测: (when, at which link, passed) and its items (code, property, name,
    /// result label, detail).
    checked: Option<(String, String, bool)>,
    /// A legal hold standing: (reason, who, when).
    hold: Option<(String, String, String)>,
    /// The 负责人 may place or lift a hold on a filed file.
    may_hold: bool,
    check_items: Vec<(String, String, String, String, String)>,
}

/// `GET /cases/{id}/archive`.
pub async fn case_file<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    use crate::app::policy::{Action, is_case_officer};
    let (user, view) = signed_in(&state, &headers).await?;
    let v = state.app.case_file_view(&user, &id).await?;
    let case = state.app.store.case(&id).await.map_err(crate::app::AppError::from)?;
    let file_state = v["state"].as_str().unwrap_or("open");
    let lines = if file_state == "filed" { &v["file"]["filed"]["toc"] } else { &v["toc"] };
    let toc = lines["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| TocLine {
            n: l["n"].to_string(),
            doc_no: l["doc_no"].as_str().unwrap_or_default().to_string(),
            responsible: l["responsible"].as_str().unwrap_or_default().to_string(),
            title: l["title"].as_str().unwrap_or_default().to_string(),
            date: l["date"].as_str().unwrap_or_default().to_string(),
            pages: format!("{}–{}", l["page_from"], l["page_to"]),
            part: l["part"].as_str().unwrap_or_default().to_string(),
        })
        .collect();
    let filed = (file_state == "filed").then(|| {
        let f = &v["file"]["filed"];
        let later = v["file"]["later_notes"].as_array().cloned().unwrap_or_default();
        let notes = f["remarks"]["notes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| n["message"].as_str().unwrap_or_default().to_string())
            .chain(later.iter().map(|n| {
                format!(
                    "归档后备考（{}，{}）：{}",
                    n["name"].as_str().unwrap_or_default(),
                    day(&n["at"]),
                    n["note"].as_str().unwrap_or_default()
                )
            }))
            .collect();
        (
            f["archive_no"].as_str().unwrap_or_default().to_string(),
            retention_label(&f["retention"]),
            day(&f["at"]),
            f["remarks"]["filer"].as_str().unwrap_or_default().to_string(),
            f["remarks"]["checker"].as_str().unwrap_or_default().to_string(),
            notes,
        )
    });
    let least = liuhen_core::archive::least_retention(&case.case_type);
    let office = state.app.agency().await?.retention_for(&case.case_type);
    let check = &v["file"]["checked"];
    let checked = check["at"].as_i64().map(|at| {
        let link = match check["link"].as_str() {
            Some("export") => "导出归档信息包时",
            Some("filing") => "归档时",
            Some("transfer") => "移交进馆时",
            _ => "长期保存中",
        };
        (super::when(at), link.to_string(), check["passed"] == true)
    });
    let text = |x: &Value| x.as_str().unwrap_or_default().to_string();
    let check_items = check["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let result = match i["result"].as_str() {
                Some("pass") => "通过",
                Some("fail") => "不通过",
                _ => "未检测",
            };
            (text(&i["code"]), text(&i["property"]), text(&i["name"]), result.to_string(), text(&i["detail"]))
        })
        .collect();
    let held = &v["file"]["hold"];
    let hold = (!held.is_null()).then(|| (text(&held["reason"]), text(&held["name"]), day(&held["at"])));
    let may_hold =
        file_state == "filed" && crate::app::policy::roles(&user).contains(&crate::app::policy::Role::Approver);
    let page = CaseFilePage {
        hold,
        may_hold,
        checked,
        check_items,
        user: Some(view),
        case_no: case.case_no.clone(),
        state_label: match file_state {
            "filed" => "已归档",
            "handed_over" => "已移交，待档案管理员归档",
            _ if case.state == "closed" => "已结案，待承办人员移交",
            _ => "案件尚未结案",
        }
        .to_string(),
        closed: day(&v["closed_at"]),
        due: if file_state == "filed" { String::new() } else { day(&v["due"]) },
        toc,
        problems: v["problems"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| format!("{} {}", p["rule"].as_str().unwrap_or_default(), p["detail"].as_str().unwrap_or_default()))
            .collect(),
        pages: lines["pages"].to_string(),
        filed,
        handed_over: v["file"]["handed_over"]["name"]
            .as_str()
            .map_or(String::new(), |n| format!("{n}（{}）", day(&v["file"]["handed_over"]["at"]))),
        may_hand_over: file_state == "open"
            && case.state == "closed"
            && state.app.allow(&user, Action::CommandCase, Some(&case)).is_ok()
            && is_case_officer(&user, &case),
        may_file: file_state == "handed_over" && state.app.allow(&user, Action::FileCase, Some(&case)).is_ok(),
        retentions: liuhen_core::archive::Retention::ALL
            .into_iter()
            .filter(|r| *r >= least)
            .rev()
            .map(|r| (r.code(), r.label(), r == office))
            .collect(),
        id,
    };
    Ok(render(&page))
}

/// `POST /cases/{id}/archive`: `action` `hand_over` (with `note`) or `file` (with `retention`).
pub async fn step<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<super::forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, posted) = posted(&state, &headers, form).await?;
    match field(&posted, "action") {
        a @ ("hold" | "release") => state.app.hold_file(&user, &id, a == "hold", field(&posted, "reason")).await?,
        "file" => {
            let r = field(&posted, "retention");
            state.app.file_case(&user, &id, (!r.is_empty()).then_some(r)).await?
        }
        _ => state.app.hand_over(&user, &id, field(&posted, "note")).await?,
    };
    Ok(Redirect::to(&format!("/cases/{id}/archive")).into_response())
}

/// A file whose retention runs out (保管期限 page).
struct ExpiringRow {
    case: String,
    case_no: String,
    archive_no: String,
    retention: String,
    keep_until: String,
    expired: bool,
}

#[derive(Template)]
#[template(path = "archive_retention.html")]
struct RetentionPage {
    user: Option<UserView>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    /// The office's table: (kind, least retention).
    table: Vec<(&'static str, &'static str)>,
    days: u32,
    rows: Vec<ExpiringRow>,
    next: Option<String>,
}

/// `GET /archive/retention?days`: the retention table and the files running out.
pub async fn retention<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let q = ListQuery::of(q);
    let days = q.days.as_deref().and_then(|d| d.trim().parse::<u32>().ok()).unwrap_or(365).min(36_600);
    let (list, next) = state.app.expiring_files(&user, days, q.cursor.as_deref(), 50).await?;
    let text = |x: &Value| x.as_str().unwrap_or_default().to_string();
    let rows = list
        .iter()
        .map(|f| ExpiringRow {
            case: text(&f["case"]),
            case_no: text(&f["case_no"]),
            archive_no: text(&f["archive_no"]),
            retention: retention_label(&f["retention"]),
            keep_until: text(&f["keep_until"]),
            expired: f["expired"] == true,
        })
        .collect();
    let table = [
        ("行政处罚（普通程序）", "ordinary_penalty"),
        ("行政强制", "coercive_measure"),
        ("行政处罚（简易程序）", "summary_penalty"),
        ("行政许可", "licence"),
        ("行政检查", "inspection"),
    ]
    .into_iter()
    .map(|(label, kind)| (label, liuhen_core::archive::least_retention(kind).label()))
    .collect();
    Ok(render(&RetentionPage { user: Some(view), tabs: tabs("retention"), table, days, rows, next }))
}

/// A recording in disposal (销毁审批 page).
struct DisposalRow {
    recording: String,
    filename: String,
    requested_by: String,
    requested_at: String,
    reason: String,
    approvals: String,
    held: String,
    disposed_at: String,
}

#[derive(Template)]
#[template(path = "archive_disposals.html")]
struct DisposalsPage {
    user: Option<UserView>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    disposed: bool,
    may_request: bool,
    may_approve: bool,
    rows: Vec<DisposalRow>,
    next: Option<String>,
}

/// `GET /archive/disposals?state=requested|disposed`.
pub async fn disposals<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    use crate::app::policy::{Role, roles};
    let (user, view) = signed_in(&state, &headers).await?;
    let q = ListQuery::of(q);
    let disposed = q.state.as_deref() == Some("disposed");
    let which = if disposed { "disposed" } else { "requested" };
    let (list, next) = state.app.disposals(&user, which, q.cursor.as_deref(), 50).await?;
    let text = |x: &Value| x.as_str().unwrap_or_default().to_string();
    let when = |x: &Value| x.as_i64().map(super::when).unwrap_or_default();
    let rows = list
        .iter()
        .map(|d| {
            let approvals = d["disposal"]["approvals"].as_array().cloned().unwrap_or_default();
            DisposalRow {
                recording: text(&d["recording"]),
                filename: text(&d["filename"]),
                requested_by: text(&d["disposal"]["requested"]["name"]),
                requested_at: when(&d["disposal"]["requested"]["at"]),
                reason: text(&d["disposal"]["requested"]["reason"]),
                approvals: approvals.iter().map(|a| text(&a["name"])).collect::<Vec<_>>().join("、"),
                held: text(&d["held"]),
                disposed_at: when(&d["disposal"]["disposed"]["at"]),
            }
        })
        .collect();
    let rs = roles(&user);
    let page = DisposalsPage {
        user: Some(view),
        tabs: tabs("disposals"),
        disposed,
        may_request: !disposed && rs.contains(&Role::Archivist),
        may_approve: !disposed && rs.contains(&Role::Approver),
        rows,
        next,
    };
    Ok(render(&page))
}

/// `POST /archive/disposals`: `step` `request` (with `recording`, `reason`) or `approve`.
pub async fn disposal_step<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Form<super::forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, posted) = posted(&state, &headers, form).await?;
    let step = if field(&posted, "step") == "approve" { "approve" } else { "request" };
    state.app.disposal_step(&user, field(&posted, "recording").trim(), step, field(&posted, "reason")).await?;
    Ok(Redirect::to("/archive/disposals").into_response())
}

#[derive(Template)]
#[template(path = "archive_fixity.html")]
struct FixityPage {
    user: Option<UserView>,
    tabs: Vec<(&'static str, &'static str, bool)>,
    /// (when, files, bytes, all well, entry)
    summary: Option<(String, u64, u64, bool, u64)>,
    /// (sha256, class label, detail)
    failures: Vec<(String, String, String)>,
    more: u64,
    may_run: bool,
}

/// `GET /archive/fixity`: the latest fixity pass.
pub async fn fixity<S: LogStore>(State(state): State<AppState<S>>, headers: HeaderMap) -> Result<Response, UiError> {
    use crate::app::policy::{Role, roles};
    let (user, view) = signed_in(&state, &headers).await?;
    let report = state.app.fixity_report(&user)?;
    let text = |x: &Value| x.as_str().unwrap_or_default().to_string();
    let page = FixityPage {
        user: Some(view),
        tabs: tabs("fixity"),
        summary: report.as_ref().map(|r| (super::when(r.checked_at_ms), r.checked, r.bytes, r.ok(), r.entry)),
        failures: report
            .as_ref()
            .map(|r| {
                r.failures
                    .iter()
                    .map(|f| {
                        let class = crate::app::fixity::class_label(f["class"].as_str().unwrap_or_default());
                        (text(&f["sha256"]), class.to_string(), text(&f["detail"]))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        more: report.as_ref().map_or(0, |r| r.failures_not_listed),
        may_run: roles(&user).contains(&Role::Archivist),
    };
    Ok(render(&page))
}

/// `POST /archive/fixity`: a pass now (the 档案管理员).
pub async fn run_fixity<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Form<super::forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, _) = posted(&state, &headers, form).await?;
    state.app.check_fixity_now(&user).await?;
    Ok(Redirect::to("/archive/fixity").into_response())
}
