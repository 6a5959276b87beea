//! 基础信息: the office profile (执法主体, seals, the log's keys), the officers, the 权责清单 and
//! the two catalogues of 办法第二十条 — shown to everyone with a role, changed by those the
//! policy lets manage them (`ManageReference`), each change a log entry through the API's code.

use super::{FormTarget, UiError, UserView, form_page, forms, render, signed_in, submitted_form};
use crate::AppState;
use crate::app::AppError;
use crate::app::catalogues::{AV_ITEMS, PHRASES};
use crate::app::policy::Action;
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use liuhen_store::{LogStore, UserRecord};
use serde_json::Value;

pub struct OfficerRow {
    pub name: String,
    pub cert_no: String,
    pub valid: String,
    pub status: String,
    pub scope: String,
    pub legal: bool,
}

pub struct MatterRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub legal_basis: String,
    pub flags: String,
}

pub struct AvRow {
    pub index: usize,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "reference.html")]
struct ReferencePage {
    user: Option<UserView>,
    may_manage: bool,
    agency_name: String,
    agency_uscc: String,
    /// 救济渠道 as posted.
    relief: String,
    enforcement_power: bool,
    seals: Vec<(String, String, String)>,
    origin: String,
    keys: Vec<String>,
    officers: Vec<OfficerRow>,
    matters: Vec<MatterRow>,
    av_items: Vec<AvRow>,
    phrases: Vec<(String, Vec<String>)>,
}

fn label_of(options: &[(&str, &'static str)], code: &str) -> String {
    options.iter().find(|(c, _)| *c == code).map_or(code, |(_, l)| l).to_string()
}

/// The columns of the 音像记录事项清单 as the page shows them.
const AV_COLUMNS: [&str; 9] = ["kind", "activity", "stage", "mode", "start", "end", "content", "recorder", "retention"];

pub async fn reference_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    state.app.allow(&user, Action::ViewReference, None)?;
    let agency = state.app.agency().await?;
    let officers = state.app.store.officers().await.map_err(AppError::from)?;
    let matters = state.app.store.matters().await.map_err(AppError::from)?;
    let av = state.app.catalogue(AV_ITEMS).await?;
    let phrases = state.app.catalogue(PHRASES).await?;
    let yes =
        |v: &Value, k: &str, label: &str| if v[k].as_bool() == Some(true) { Some(label.to_string()) } else { None };
    let page = ReferencePage {
        user: Some(view),
        may_manage: state.app.allow(&user, Action::ManageReference, None).is_ok(),
        agency_name: agency.name.clone(),
        agency_uscc: agency.uscc.clone(),
        relief: match (agency.review_organ.trim(), agency.court.trim()) {
            ("", _) | (_, "") => "尚未填写（事前公示须载明，R-173）".to_string(),
            (organ, court) => format!("向{organ}申请行政复议，或向{court}提起行政诉讼"),
        },
        enforcement_power: agency.has_enforcement_power,
        seals: agency
            .seals
            .iter()
            .map(|s| (s.kind.clone(), s.valid_from.to_string(), s.valid_to.to_string()))
            .collect(),
        // A checkpoint's first line is the log's origin (C2SP tlog-checkpoint).
        origin: state
            .app
            .store
            .latest_checkpoint()
            .await
            .ok()
            .and_then(|c| c.lines().next().map(str::to_string))
            .unwrap_or_default(),
        keys: state.verifier_keys.iter().cloned().collect(),
        officers: officers
            .iter()
            .map(|o| OfficerRow {
                name: o.name.clone(),
                cert_no: o.cert_no.clone(),
                valid: format!("{} 至 {}", o.cert_valid_from, o.cert_valid_to),
                status: match o.cert_status.as_str() {
                    "active" => "有效",
                    "suspended" => "暂扣",
                    "revoked" => "注销",
                    other => other,
                }
                .to_string(),
                scope: o
                    .cert_scope
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|k| label_of(forms::MATTER_KINDS, k))
                    .collect::<Vec<_>>()
                    .join("、"),
                legal: o.legal_qualification,
            })
            .collect(),
        matters: matters
            .iter()
            .map(|m| {
                let v: Value = serde_json::from_str(&m.data).unwrap_or(Value::Null);
                MatterRow {
                    code: m.code.clone(),
                    name: m.name.clone(),
                    kind: label_of(forms::MATTER_KINDS, v["kind"].as_str().unwrap_or_default()),
                    legal_basis: v["legal_basis"].as_str().unwrap_or_default().to_string(),
                    flags: [
                        yes(&v, "av_mandatory", "全程音像记录"),
                        yes(&v, "major_decision_review", "法制审核"),
                        yes(&v, "summary_allowed", "可简易程序"),
                        v["inspection_cap"].as_u64().map(|n| format!("每年检查同一对象不超过 {n} 次")),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("、"),
                }
            })
            .collect(),
        av_items: av
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(index, r)| AvRow {
                index,
                cells: AV_COLUMNS.iter().map(|k| r[*k].as_str().unwrap_or_default().to_string()).collect(),
            })
            .collect(),
        phrases: phrases
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let lines = p["lines"].as_array().into_iter().flatten().filter_map(|l| l.as_str()).map(str::to_string);
                (p["scenario"].as_str().unwrap_or_default().to_string(), lines.collect())
            })
            .collect(),
    };
    Ok(render(&page))
}

/// The administration forms by name: officer, matter, agency, av_item, phrase.
fn admin_spec(which: &str) -> Result<&'static forms::Spec, AppError> {
    match which {
        "officer" | "matter" | "agency" | "av_item" | "phrase" => forms::spec("admin", which).ok_or(AppError::NotFound),
        _ => Err(AppError::NotFound),
    }
}

fn target(spec: &'static forms::Spec, which: &str) -> FormTarget<'static> {
    FormTarget {
        spec,
        case_no: "",
        action: format!("/admin/reference/{which}"),
        back: "/admin/reference".to_string(),
        version: 0,
        records: Vec::new(),
    }
}

pub async fn reference_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(which): Path<String>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    state.app.allow(&user, Action::ManageReference, None)?;
    let spec = admin_spec(&which)?;
    // The office profile is edited as it stands.
    let current = if which == "agency" {
        let a = state.app.agency().await?;
        let seals = a.seals.iter().map(|s| format!("{} {} {}", s.kind, s.valid_from, s.valid_to)).collect::<Vec<_>>();
        let mut v = vec![
            ("name".to_string(), a.name),
            ("uscc".to_string(), a.uscc),
            ("review_organ".to_string(), a.review_organ),
            ("court".to_string(), a.court),
            ("seals".to_string(), seals.join("\n")),
            ("fonds".to_string(), a.fonds),
            ("unlinked_months".to_string(), a.unlinked_months.to_string()),
            ("page_number_position".to_string(), a.page_number_position),
        ];
        for (kind, r) in &a.retention {
            v.push((format!("retention.{kind}"), r.code().to_string()));
        }
        if a.has_enforcement_power {
            v.push(("has_enforcement_power".to_string(), "on".to_string()));
        }
        v
    } else {
        Vec::new()
    };
    form_page(&state, view, target(spec, &which), &current, Default::default(), StatusCode::OK).await
}

/// Applies an administration form through the API's own code.
async fn apply<S: LogStore>(state: &AppState<S>, user: &UserRecord, which: &str, json: Value) -> Result<(), AppError> {
    let bad = |e: serde_json::Error| AppError::BadRequest(format!("表单内容有误：{e}"));
    match which {
        "officer" => {
            crate::app::requests::cases::register_officer_from(
                &state.app,
                user,
                serde_json::from_value(json).map_err(bad)?,
            )
            .await?;
        }
        "matter" => {
            crate::app::requests::cases::put_matter_from(&state.app, user, serde_json::from_value(json).map_err(bad)?)
                .await?;
        }
        "agency" => {
            crate::app::requests::cases::put_agency_from(
                &state.app,
                user,
                serde_json::from_value(json).map_err(bad)?,
                None,
            )
            .await?;
        }
        // Each a change of one read of the catalogue, saved over the version read (another
        // administrator's addition in between is read again, not lost).
        "av_item" => {
            state
                .app
                .change_catalogue(user, AV_ITEMS, |list| {
                    list.push(json.clone());
                    Ok(())
                })
                .await?;
        }
        "phrase" => {
            state
                .app
                .change_catalogue(user, PHRASES, |list| {
                    match list.iter_mut().find(|p| p["scenario"] == json["scenario"]) {
                        Some(p) => *p = json.clone(),
                        None => list.push(json.clone()),
                    }
                    Ok(())
                })
                .await?;
        }
        _ => return Err(AppError::NotFound),
    }
    Ok(())
}

pub async fn submit_reference<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(which): Path<String>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    state.app.allow(&user, Action::ManageReference, None)?;
    let spec = admin_spec(&which)?;
    let outcome = match forms::to_json(spec, &submitted) {
        Err(errors) => Err((errors, Vec::new())),
        Ok(json) => apply(&state, &user, &which, json).await.map_err(|e| (Vec::new(), vec![e.message()])),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to("/admin/reference").into_response()),
        Err(errors) => {
            form_page(&state, view, target(spec, &which), &submitted, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// Takes a row out of the 音像记录事项清单: a new version without it (the log keeps the old).
pub async fn retire_av_item<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(index): Path<usize>,
    form: Result<Form<forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    submitted_form(&view, form)?;
    state.app.allow(&user, Action::ManageReference, None)?;
    // The row the page showed at that place, taken out wherever it stands when saved.
    let shown = state.app.catalogue(AV_ITEMS).await?.get(index).cloned().ok_or(AppError::NotFound)?;
    state
        .app
        .change_catalogue(&user, AV_ITEMS, |list| {
            let at = list.iter().position(|r| *r == shown).ok_or(AppError::NotFound)?;
            list.remove(at);
            Ok(())
        })
        .await?;
    Ok(Redirect::to("/admin/reference").into_response())
}
