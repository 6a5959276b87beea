//! 音像记录设备 pages (办法第二十四条、第二十八条): the registry with each device's state and
//! holder, one device's 领用/交接/维护 ledger, and the forms for each step — run through the
//! application layer's own code, as the API runs them.

use super::{FormTarget, UiError, UserView, form_page, forms, placed, render, signed_in, submitted_form, when};
use crate::AppState;
use crate::app::AppError;
use crate::app::policy::Action;
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use liuhen_store::LogStore;
use serde_json::Value;
use std::collections::HashMap;

pub struct DeviceRow {
    pub number: String,
    pub model: String,
    pub kind: String,
    pub capabilities: String,
    pub storage_place: String,
    pub status: String,
    pub holder: String,
    pub check: String,
}

pub struct HistoryRow {
    pub at: String,
    pub what: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    user: Option<UserView>,
    may_manage: bool,
    devices: Vec<DeviceRow>,
    /// The state filter's options: (code, label, selected).
    statuses: Vec<(&'static str, &'static str, bool)>,
    first: Option<String>,
    next: Option<String>,
}

/// The registry's query: a page and a state.
#[derive(serde::Deserialize)]
pub struct DevicesQuery {
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    status: String,
}

/// A device's page: where its ledger is.
#[derive(serde::Deserialize)]
pub struct LedgerQuery {
    #[serde(default)]
    cursor: String,
}

#[derive(Template)]
#[template(path = "device.html")]
struct DevicePage {
    user: Option<UserView>,
    device: DeviceRow,
    history: Vec<HistoryRow>,
    /// How many lines the ledger has.
    events: u64,
    /// (command, label) of the forms this user may use now.
    actions: Vec<(&'static str, &'static str)>,
    first: Option<String>,
    next: Option<String>,
}

fn label(options: &[(&str, &'static str)], code: &str) -> String {
    options.iter().find(|(c, _)| *c == code).map_or(code, |(_, l)| l).to_string()
}

fn row(v: &Value, names: &HashMap<String, String>) -> DeviceRow {
    let d = &v["device"];
    let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let check = &d["last_check"];
    DeviceRow {
        number: s("number"),
        model: s("model"),
        kind: label(&liuhen_core::device::KINDS, &s("kind")),
        capabilities: d["capabilities"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|c| label(&liuhen_core::device::CAPABILITIES, c))
            .collect::<Vec<_>>()
            .join("、"),
        storage_place: s("storage_place"),
        status: s("status_name"),
        holder: d["holder"]
            .as_str()
            .map(|h| {
                let since = d["since"].as_i64().map(when).unwrap_or_default();
                format!("{}（{since} 起）", name(h))
            })
            .unwrap_or_default(),
        check: match check["at"].as_i64() {
            None => "无".to_string(),
            Some(at) => {
                let short: Vec<&str> =
                    check["shortcomings"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                let verdict =
                    if short.is_empty() { "合格".to_string() } else { format!("不合格：{}", short.join("；")) };
                format!(
                    "{} 电量 {}%，剩余 {} MB，时钟偏差 {} 秒 — {verdict}",
                    when(at),
                    check["battery_pct"],
                    check["free_storage_mb"],
                    check["clock_offset_ms"].as_i64().unwrap_or(0) / 1000
                )
            }
        },
    }
}

async fn officer_names<S: LogStore>(state: &AppState<S>) -> Result<HashMap<String, String>, AppError> {
    Ok(state.app.store.officers().await?.into_iter().map(|o| (o.id, o.name)).collect())
}

pub async fn devices_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<Query<DevicesQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let names = officer_names(&state).await?;
    let q = q.ok().map(|Query(q)| q);
    let cursor = q.as_ref().map(|q| q.cursor.clone()).filter(|c| !c.is_empty());
    // A state not in the list (typed in the address bar): every state.
    let status = q.map(|q| q.status).filter(|s| crate::app::devices::STATUSES.contains(&s.as_str()));
    let filter = crate::app::devices::DeviceFilter { status: status.clone(), holder: None };
    let page = crate::app::policy::PAGE as usize;
    let (found, next) = match state.app.devices(&user, &filter, cursor.as_deref(), page).await {
        // A cursor mangled in the address bar: the first page.
        Err(AppError::BadRequest(_)) => state.app.devices(&user, &filter, None, page).await?,
        other => other?,
    };
    let devices = found.iter().map(|v| row(v, &names)).collect();
    let may_manage = state.app.allow(&user, Action::ManageDevices, None).is_ok();
    let base = match &status {
        Some(s) => format!("/devices?status={s}&"),
        None => "/devices?".to_string(),
    };
    let (first, next) = super::pager(&base, "cursor", "", cursor.as_deref(), next);
    let statuses = STATUS_LABELS.iter().map(|(c, l)| (*c, *l, status.as_deref() == Some(*c))).collect();
    Ok(render(&DevicesPage { user: Some(view), may_manage, devices, statuses, first, next }))
}

/// The states a device can be in, as the registry's filter offers them.
const STATUS_LABELS: [(&str, &str); 4] =
    [("in_store", "在库"), ("assigned", "领用中"), ("under_repair", "维修中"), ("retired", "已报废")];

pub async fn device_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(number): Path<String>,
    q: Result<Query<LedgerQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let names = officer_names(&state).await?;
    let cursor = q.ok().map(|Query(q)| q.cursor).filter(|c| !c.is_empty());
    let page = crate::app::policy::PAGE as usize;
    let v = match state.app.device(&user, &number, cursor.as_deref(), page).await {
        // A cursor mangled in the address bar: the newest lines.
        Err(AppError::BadRequest(_)) => state.app.device(&user, &number, None, page).await?,
        other => other?,
    };
    let name =
        |id: &Value| id.as_str().map(|i| names.get(i).cloned().unwrap_or_else(|| i.to_string())).unwrap_or_default();
    let history = v["history"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            let e = &h["event"];
            let t = h["at"].as_i64().map(when).unwrap_or_default();
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            let (what, detail) = match e["type"].as_str().unwrap_or_default() {
                "registered" => (
                    "登记",
                    format!(
                        "{} {}，存放于 {}",
                        s("model"),
                        label(&liuhen_core::device::KINDS, &s("kind")),
                        s("storage_place")
                    ),
                ),
                "checked" => (
                    "使用前检查",
                    format!(
                        "电量 {}%，剩余 {} MB，时钟偏差 {} 秒",
                        e["battery_pct"],
                        e["free_storage_mb"],
                        e["clock_offset_ms"].as_i64().unwrap_or(0) / 1000
                    ),
                ),
                "assigned" => ("领用", name(&e["officer"])),
                "returned" => ("归还", format!("{}：{}", name(&e["officer"]), s("condition"))),
                "handed_over" => ("交接", format!("{} → {}", name(&e["from"]), name(&e["to"]))),
                "upkept" => ("维护", format!("{}：{}", label(forms::UPKEEP_KINDS, &s("kind")), s("note"))),
                "moved" => ("变更存放地点", s("storage_place")),
                "retired" => ("报废", s("reason")),
                _ => ("其他", String::new()),
            };
            HistoryRow { at: t, what: what.to_string(), detail }
        })
        .collect();
    let manage = state.app.allow(&user, Action::ManageDevices, None).is_ok();
    let use_ = state.app.allow(&user, Action::UseDevice, None).is_ok();
    let actions = forms::commands("device")
        .filter(|s| s.command != "register")
        .filter(|s| if matches!(s.command, "check" | "return" | "hand_over") { use_ } else { manage })
        .map(|s| (s.command, s.label))
        .collect();
    let next = v["next_cursor"].as_str().map(str::to_string);
    let (first, next) = super::pager(
        &format!("/devices/{}?", super::query_escape(&number)),
        "cursor",
        "#ledger",
        cursor.as_deref(),
        next,
    );
    let events = v["events"].as_u64().unwrap_or_default();
    Ok(render(&DevicePage { user: Some(view), device: row(&v, &names), history, events, actions, first, next }))
}

fn target(spec: &'static forms::Spec, number: Option<&str>) -> FormTarget<'static> {
    let (action, back) = match number {
        None => ("/devices/new".to_string(), "/devices".to_string()),
        Some(n) => (format!("/devices/{n}/do/{}", spec.command), format!("/devices/{n}")),
    };
    FormTarget { spec, case_no: "", action, back, version: 0, records: Vec::new() }
}

fn spec_of(command: &str) -> Result<&'static forms::Spec, AppError> {
    forms::spec("device", command).ok_or(AppError::NotFound)
}

pub async fn new_device_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    state.app.allow(&user, Action::ManageDevices, None)?;
    form_page(&state, view, target(spec_of("register")?, None), &Vec::new(), Default::default(), StatusCode::OK).await
}

pub async fn register_device<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    let spec = spec_of("register")?;
    let outcome = match forms::to_json(spec, &submitted) {
        Err(errors) => Err((errors, Vec::new())),
        Ok(json) => {
            let s = |k: &str| json[k].as_str().unwrap_or_default().to_string();
            let caps: Vec<String> = json["capabilities"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect();
            state
                .app
                .register_device(&user, &s("number"), &s("model"), &s("kind"), &caps, &s("storage_place"))
                .await
                .map_err(|e| placed(spec, &submitted, e))
        }
    };
    match outcome {
        Ok(v) => {
            Ok(Redirect::to(&format!("/devices/{}", v["device"]["number"].as_str().unwrap_or_default()))
                .into_response())
        }
        Err(errors) => {
            form_page(&state, view, target(spec, None), &submitted, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

pub async fn device_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((number, command)): Path<(String, String)>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    state.app.device(&user, &number, None, 1).await?;
    let spec = spec_of(&command)?;
    form_page(&state, view, target(spec, Some(&number)), &Vec::new(), Default::default(), StatusCode::OK).await
}

pub async fn device_command<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((number, command)): Path<(String, String)>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    let spec = spec_of(&command)?;
    if command == "register" {
        return Err(AppError::NotFound.into());
    }
    let outcome = match forms::to_json(spec, &submitted) {
        Err(errors) => Err((errors, Vec::new())),
        Ok(mut json) => {
            json["type"] = Value::from(command.as_str());
            state.app.device_command(&user, &number, &json).await.map_err(|e| placed(spec, &submitted, e))
        }
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/devices/{number}")).into_response()),
        Err(errors) => {
            form_page(&state, view, target(spec, Some(&number)), &submitted, errors, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
    }
}
