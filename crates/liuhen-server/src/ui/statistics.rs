//! 年度行政执法数据: the 负责人 and the 监督人员 read a year's figures as they stand; the
//! 负责人 publishes them (by 31 January of the next year) to the public page.

use super::record::{field, posted};
use super::{UiError, UserView, render, signed_in};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use liuhen_store::LogStore;

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    user: Option<UserView>,
    year: i32,
    years: Vec<i32>,
    lines: Vec<(String, String)>,
    /// Where publication stands, in words.
    said: String,
    may_publish: bool,
}

/// `GET /statistics?year=`: the year's figures (default: the year just ended).
pub async fn page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    q: Result<Query<crate::app::statistics::YearQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let this = state.app.clock.now().shanghai_date().year();
    let year = q.ok().and_then(|Query(q)| q.year).filter(|y| (1990..=this).contains(y)).unwrap_or(this - 1);
    let figures = state.app.annual_statistics(&user, year).await?;
    let when = |ms: i64| liuhen_core::time::Timestamp(ms).shanghai_date().to_string();
    let due = when(crate::app::statistics::due(year).0);
    let published = state.app.published_statistics(year).await?;
    let said = match &published {
        Some(p) => format!(
            "已于 {} 公开{}",
            when(p["published_at"].as_i64().unwrap_or_default()),
            match p["on_time"] {
                serde_json::Value::Bool(false) => "（逾期）",
                _ => "",
            }
        ),
        None if year >= this => "本年度尚未结束".to_string(),
        None => format!("尚未公开（期限 {due}）"),
    };
    let head = crate::app::policy::roles(&user).contains(&crate::app::policy::Role::Approver);
    let page = StatisticsPage {
        user: Some(view),
        year,
        years: (this - 5..=this).rev().collect(),
        lines: crate::app::statistics::figure_lines(&figures),
        said,
        may_publish: head && published.is_none() && year < this,
    };
    Ok(render(&page))
}

/// `POST /statistics`: the 负责人 publishes the year's figures.
pub async fn publish<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    form: Result<Form<super::forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, posted) = posted(&state, &headers, form).await?;
    let year: i32 =
        field(&posted, "year").trim().parse().map_err(|_| crate::app::AppError::BadRequest("年份须为整数".into()))?;
    state.app.publish_statistics(&user, year).await?;
    Ok(Redirect::to(&format!("/statistics?year={year}")).into_response())
}
