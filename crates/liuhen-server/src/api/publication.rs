//! 行政执法公示 over HTTP: the 负责人 publishes or withdraws a case's decision; anyone reads
//! what is published, without signing in (`/public/decisions`, and as JSON).

use super::require_user;
use crate::AppState;
use crate::error::ApiError;
use askama::Template;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use liuhen_store::LogStore;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Publication")]
pub struct PublicationForm {
    /// `publish` or `withdraw`.
    pub action: String,
    /// Why it is withdrawn (the decision changed, revoked or found unlawful).
    #[serde(default)]
    pub reason: String,
}

/// `POST /api/cases/{id}/publication`.
pub async fn command<S: LogStore>(
    State(state): State<AppState<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Json<PublicationForm>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let user = require_user(&state, &headers).await?;
    // Asked before the body is read: a hidden case is 404 whatever was sent.
    state.app.allow(&user, crate::app::policy::Action::CommandCase, Some(&state.app.store.case(&id).await?))?;
    let Json(f) = form?;
    let v = match f.action.as_str() {
        "publish" => state.app.publish(&user, &id).await?,
        "withdraw" => state.app.withdraw_publication(&user, &id, &f.reason).await?,
        _ => return Err(ApiError::BadRequest("action 须为 publish（公示）或 withdraw（撤回）".into())),
    };
    Ok(Json(v))
}

/// `GET /public/decisions.json`: what is published, newest first.
pub async fn feed<S: LogStore>(State(state): State<AppState<S>>) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(state.app.public_decisions().await?))
}

#[derive(Template)]
#[template(path = "public.html")]
struct PublicPage {
    organ: String,
    items: Vec<PublicItem>,
}

struct PublicItem {
    title: String,
    lines: Vec<(String, String)>,
    withdrawn: String,
}

fn when(ms: i64) -> String {
    liuhen_core::time::Timestamp(ms).shanghai_date().to_string()
}

/// `GET /public/decisions`: the office's 行政执法公示 page, for anyone.
pub async fn page<S: LogStore>(State(state): State<AppState<S>>) -> Result<Response, ApiError> {
    let organ = state.app.agency().await.map(|a| a.name).unwrap_or_default();
    let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    let items = state
        .app
        .public_decisions()
        .await?
        .iter()
        .map(|v| {
            let mut lines = Vec::new();
            for (k, label) in [
                ("doc_no", "文号"),
                ("case_no", "案号"),
                ("matter", "事项"),
                ("facts", "违法事实"),
                ("legal_basis", "依据"),
                ("penalty", "处罚内容"),
                ("decision", "决定"),
                ("organ", "作出决定机关"),
                ("decided_on", "决定日期"),
            ] {
                if !s(v, k).is_empty() {
                    lines.push((label.to_string(), s(v, k)));
                }
            }
            if let Some(name) = v["party"]["name"].as_str() {
                let uscc = v["party"]["uscc"]
                    .as_str()
                    .filter(|u| !u.is_empty())
                    .map(|u| format!("（{u}）"))
                    .unwrap_or_default();
                lines.insert(0, ("当事人".to_string(), format!("{name}{uscc}")));
            }
            if let Some(at) = v["published_at"].as_i64() {
                lines.push(("公示日期".to_string(), when(at)));
            }
            let withdrawn = match v["withdrawn_at"].as_i64() {
                Some(at) => format!("已于 {} 撤回：{}", when(at), s(v, "withdrawn_reason")),
                None => String::new(),
            };
            PublicItem { title: s(v, "title"), lines, withdrawn }
        })
        .collect();
    let html = PublicPage { organ, items }.render().map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(Html(html).into_response())
}
