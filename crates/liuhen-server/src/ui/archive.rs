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

#[derive(Template)]
#[template(path = "archive.html")]
struct FilesPage {
    user: Option<UserView>,
    filed: bool,
    rows: Vec<FileRow>,
    next: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct FilesQuery {
    state: Option<String>,
    cursor: Option<String>,
}

fn retention_label(code: &Value) -> String {
    code.as_str().and_then(liuhen_core::archive::Retention::parse).map_or(String::new(), |r| r.label().to_string())
}

/// `GET /archive?state=handed_over|filed`: the files handed over and waiting (the default), or filed.
pub async fn files<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<Query<FilesQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let q = q.map(|Query(q)| q).unwrap_or(FilesQuery { state: None, cursor: None });
    let filed = q.state.as_deref() == Some("filed");
    let which = if filed { "filed" } else { "handed_over" };
    // A mangled cursor shows the first page (an address people paste and share).
    let cursor = q.cursor.filter(|c| crate::app::policy::parse_cursor(c).is_ok());
    let (list, next) = state.app.case_files(&user, which, cursor.as_deref(), 50).await?;
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
    Ok(render(&FilesPage { user: Some(view), filed, rows, next }))
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
    /// (code, label) of the retentions the archivist may choose, the least first.
    retentions: Vec<(&'static str, &'static str)>,
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
        let notes = f["remarks"]["notes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| n["message"].as_str().unwrap_or_default().to_string())
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
    let page = CaseFilePage {
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
            .map(|r| (r.code(), r.label()))
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
        "file" => {
            let r = field(&posted, "retention");
            state.app.file_case(&user, &id, (!r.is_empty()).then_some(r)).await?
        }
        _ => state.app.hand_over(&user, &id, field(&posted, "note")).await?,
    };
    Ok(Redirect::to(&format!("/cases/{id}/archive")).into_response())
}
