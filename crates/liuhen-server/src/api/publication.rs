//! 行政执法公示 over HTTP: the 负责人 publishes or withdraws a case's decision; anyone reads
//! what is published, without signing in (`/public/decisions`, and as JSON).

use crate::AppState;
use crate::error::{ApiError, AppError};
use askama::Template;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use liuhen_store::LogStore;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "Publication")]
pub struct PublicationForm {
    /// `publish` or `withdraw`.
    #[schemars(extend("enum" = ["publish", "withdraw"]))]
    pub action: String,
    /// Why it is withdrawn (the decision changed, revoked or found unlawful).
    #[serde(default)]
    pub reason: crate::app::requests::text::Text<2000>,
    /// On publishing: names or words of others the preview shows (a witness, a neighbour)
    /// to be masked as the party's name is (`李四` → `李某某`).
    #[serde(default)]
    #[schemars(length(max = 20))]
    pub mask: Vec<crate::app::requests::text::Text<100>>,
}

/// `GET /api/cases/{id}/publication`: what publishing the decision would post, word for word
/// (`preview`, null when there is nothing to publish), and where its 公示 stands.
pub async fn preview<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let preview = state.app.publication_preview(&user, &id, &[]).await?;
    let status = state.app.publication_status(&state.app.store.case(&id).await?).await?;
    Ok(Json(serde_json::json!({"preview": preview, "status": status.map(|(said, _, _)| said)})))
}

/// `POST /api/cases/{id}/publication`.
pub async fn command<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    Path(id): Path<String>,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    // Asked before the body is read: a hidden case is 404 whatever was sent.
    state.app.allow(&user, crate::app::policy::Action::CommandCase, Some(&state.app.store.case(&id).await?))?;
    let f: PublicationForm = super::described::body(form)?;
    let v = match f.action.as_str() {
        "publish" => {
            if f.mask.len() > 20 {
                return Err(AppError::BadRequest("需隐去的词语至多 20 个".into()).into());
            }
            let also: Vec<String> = f.mask.into_iter().map(|t| t.into_inner()).collect();
            state.app.publish(&user, &id, &also).await?
        }
        "withdraw" => state.app.withdraw_publication(&user, &id, &f.reason.text("撤回理由")?).await?,
        _ => return Err(AppError::BadRequest("action 须为 publish（公示）或 withdraw（撤回）".into()).into()),
    };
    Ok(Json(v))
}

/// `GET /public/decisions.json?limit&cursor`: a page of what is published, the latest
/// published first.
pub async fn feed<S: LogStore>(
    State(state): State<AppState<S>>,
    q: Result<axum::extract::Query<super::cases::PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let axum::extract::Query(q) = q.map_err(|e| AppError::BadRequest(format!("查询参数有误：{e}")))?;
    let (decisions, next) = state.app.public_decisions(q.cursor.as_deref(), q.size()?).await?;
    Ok(Json(serde_json::json!({"decisions": decisions, "next_cursor": next})))
}

#[derive(Template)]
#[template(path = "public.html")]
struct PublicPage {
    organ: String,
    /// 事前公示: who enforces, on what, how, and where to turn.
    posted: Vec<(String, String)>,
    matters: Vec<(String, &'static str, String)>,
    procedures: &'static [(&'static str, &'static str)],
    relief: String,
    items: Vec<PublicItem>,
    /// The decisions' first and next pages.
    first: Option<String>,
    next: Option<String>,
    /// 年度行政执法数据: (year, [(item, figure)]), the latest first.
    statistics: Vec<(i64, Vec<(String, String)>)>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "AnnualStatistics")]
pub struct StatisticsForm {
    /// The year whose figures are published (it must have ended).
    #[schemars(range(min = 1990, max = 9999))]
    pub year: i32,
}

/// `GET /api/statistics/annual?year=`: a year's figures as they stand (default: the last
/// year), whether and when they were published, and their deadline.
pub async fn annual<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    q: Result<axum::extract::Query<crate::app::statistics::YearQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let axum::extract::Query(q) = q.map_err(|_| AppError::BadRequest("year 须为年份（整数）".into()))?;
    let year = q.year.unwrap_or_else(|| state.app.clock.now().shanghai_date().year() - 1);
    let figures = state.app.annual_statistics(&user, year).await?;
    let published = state.app.published_statistics(year).await?;
    let due = crate::app::statistics::due(year).0;
    Ok(Json(serde_json::json!({"year": year, "figures": figures, "published": published, "due": due})))
}

/// `POST /api/statistics/annual`: the 负责人 publishes a year's figures.
pub async fn publish_annual<S: LogStore>(
    State(state): State<AppState<S>>,
    super::CurrentUser(user): super::CurrentUser,
    form: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    // Asked before the body is read.
    if !crate::app::policy::roles(&user).contains(&crate::app::policy::Role::Approver) {
        return Err(AppError::NotYourStep("公开年度行政执法统计数据须由负责人以本人账号办理".into()).into());
    }
    let f: StatisticsForm = super::described::body(form)?;
    Ok(Json(state.app.publish_statistics(&user, f.year).await?))
}

/// `GET /public/statistics.json`: every year's published figures, the latest first.
pub async fn statistics_feed<S: LogStore>(State(state): State<AppState<S>>) -> Result<Json<Vec<Value>>, ApiError> {
    Ok(Json(state.app.all_published_statistics().await?))
}

/// 实施程序 of each kind of enforcement, as this system walks it.
const PROCEDURES: &[(&str, &str)] = &[
    (
        "行政检查",
        "依检查计划、审批或法定事由启动；两名以上执法人员出示执法证件进行检查并制作现场检查笔录；告知检查结果；发现问题的责令改正或者立案查处（办法第六条至第十条）。",
    ),
    (
        "行政处罚",
        "立案；调查取证；告知拟作出的处罚及事实、理由、依据和陈述、申辩、听证的权利；重大执法决定经法制审核；作出决定并送达；执行（行政处罚法第五章）。",
    ),
    (
        "行政许可",
        "申请；五日内受理或一次告知补正；审查（核查、听证）；二十个工作日内作出决定，经负责人批准可延长十个工作日；准予许可的十个工作日内颁发证件（行政许可法第四章）。",
    ),
    (
        "行政强制",
        "经负责人批准，情况紧急的二十四小时内补办批准；两名以上执法人员实施，通知当事人到场，制作现场笔录；当场交付查封、扣押决定书和清单；期限内作出处理决定（行政强制法第三章）。",
    ),
];

struct PublicItem {
    title: String,
    lines: Vec<(String, String)>,
    withdrawn: String,
}

fn when(ms: i64) -> String {
    liuhen_core::time::Timestamp(ms).shanghai_date().to_string()
}

/// `GET /public/decisions`: the office's 行政执法公示 page, for anyone.
pub async fn page<S: LogStore>(
    State(state): State<AppState<S>>,
    q: Result<axum::extract::Query<crate::ui::CursorQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let cursor = q.ok().map(|axum::extract::Query(q)| q.cursor).filter(|c| !c.is_empty());
    let size = crate::app::policy::PAGE as usize;
    let (found, next) = match state.app.public_decisions(cursor.as_deref(), size).await {
        // A cursor mangled in the address bar: the first page.
        Err(AppError::BadRequest(_)) => state.app.public_decisions(None, size).await?,
        other => other?,
    };
    let (first, next) = crate::ui::pager("/public/decisions?", "cursor", "", cursor.as_deref(), next);
    let agency = state.app.agency().await?;
    let organ = agency.name.clone();
    let missing = |s: &str| if s.trim().is_empty() { "（尚未公示）".to_string() } else { s.to_string() };
    let posted =
        vec![("实施机关".to_string(), missing(&agency.name)), ("统一社会信用代码".to_string(), missing(&agency.uscc))];
    let matters =
        state.app.listed_matters().await?.into_iter().map(|m| (m.name, m.kind.label(), m.legal_basis)).collect();
    let relief = format!(
        "对本机关作出的行政行为不服的，可以自知道该行为之日起六十日内向{}申请行政复议，或者自知道之日起六个月内向{}提起行政诉讼（行政复议法第二十条，行政诉讼法第四十六条）。",
        missing(&agency.review_organ),
        missing(&agency.court)
    );
    let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    let items = found
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
    let statistics = state
        .app
        .all_published_statistics()
        .await?
        .iter()
        .map(|v| (v["year"].as_i64().unwrap_or_default(), crate::app::statistics::figure_lines(&v["figures"])))
        .collect();
    let html = PublicPage { organ, posted, matters, procedures: PROCEDURES, relief, items, first, next, statistics }
        .render()
        .map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(Html(html).into_response())
}
