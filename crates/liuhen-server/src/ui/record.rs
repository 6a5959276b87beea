//! One record of a case on its own page: its content (after the view is in the ledger), the
//! ledger of that record, and — for those who may classify the case — its own 密级.

use super::{LedgerRow, UiError, UserView, render, signed_in, submitted_form, when};
use crate::AppState;
use crate::app::AppError;
use crate::app::policy::{Action, CLASSES};
use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use liuhen_store::LogStore;
use serde_json::Value;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    user: Option<UserView>,
    case_id: String,
    case_no: String,
    record_id: String,
    kind: &'static str,
    label: String,
    /// The record's own class in Chinese, or empty (its case's applies).
    class: String,
    /// (field, value) lines of the record.
    fields: Vec<(String, String)>,
    show_ledger: bool,
    ledger: Vec<LedgerRow>,
    /// The ledger's first and next pages.
    first: Option<String>,
    next: Option<String>,
    may_classify: bool,
    classes: Vec<(&'static str, &'static str)>,
    /// The class the page shows the record under (its own, else its case's): sent back with
    /// the form, so a class another set since is not overwritten unseen (409).
    effective_class: String,
}

/// Field names of records in Chinese (the rest are shown by their key).
pub(super) fn field_label(key: &str) -> &str {
    match key {
        "label" => "名称",
        "type" => "种类",
        "at" => "时间",
        "ended_at" => "结束时间",
        "place" => "地点",
        "officers" => "执法人员",
        "inquirers" => "询问人",
        "recorder" => "记录人",
        "interviewee" => "被询问人",
        "relation" => "与案件的关系",
        "rights_told" => "已告知权利义务",
        "questions_and_answers" => "询问内容",
        "confirmed" => "已核对无误",
        "signed_every_page" => "已逐页签名",
        "refusal" => "拒签情况",
        "findings" => "检查（勘验）情况",
        "party_signed" => "当事人已签名",
        "no_signature_reason" => "未签名的原因",
        "witnesses" => "见证人",
        "summary" => "情况记录",
        "recording_announced" => "已告知正在记录",
        "problems_found" => "发现问题",
        "touches" => "直接涉及（须全程音像记录）",
        "source" => "出处",
        "kind" => "类别",
        "result" => "结论",
        "statement" => "陈述",
        other => other,
    }
}

/// A JSON value as one line of text: lists joined with 、, objects as key：value pairs.
pub(super) fn show(v: &Value, names: &HashMap<String, String>) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Value::Number(n) => n.as_i64().filter(|ms| *ms > 1_000_000_000_000).map_or_else(|| n.to_string(), super::when),
        Value::String(s) => names.get(s).cloned().unwrap_or_else(|| s.clone()),
        Value::Array(a) => a.iter().map(|x| show(x, names)).collect::<Vec<_>>().join("、"),
        // An officer (as a record lists them): by name.
        Value::Object(m) if m.contains_key("cert_no") && m.contains_key("name") => show(&m["name"], names),
        Value::Object(m) if m.contains_key("officer_id") => show(&m["officer_id"], names),
        Value::Object(m) => {
            m.iter().map(|(k, x)| format!("{}：{}", field_label(k), show(x, names))).collect::<Vec<_>>().join("；")
        }
    }
}

pub async fn record_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((id, kind, n)): Path<(String, String, String)>,
    q: Result<Query<super::CursorQuery>, QueryRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let record_id = format!("{kind}/{n}");
    let cursor = q.ok().map(|Query(q)| q.cursor).filter(|c| !c.is_empty());
    let (case, kind_label, label, record, class) =
        state.app.view_record(&user, &id, &record_id, "案件办理（页面查阅）").await?;
    let mut officers: HashMap<String, String> =
        state.app.store.officers().await.map_err(AppError::from)?.into_iter().map(|o| (o.id, o.name)).collect();
    officers.extend(liuhen_core::av::Touches::ALL.map(|t| (t.code().to_string(), t.label().to_string())));
    let users = super::user_names(&state).await?;
    let fields = record
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (field_label(k).to_string(), show(v, &officers)))
        .collect();
    let after = cursor.as_deref().and_then(|c| crate::app::policy::parse_cursor(c).ok()).map(|(i, _)| i as u64);
    let page = crate::app::policy::PAGE as usize;
    let (show_ledger, lines, next) = match state.app.case_ledger(&user, &id, Some(&record_id), after, page).await {
        Ok((lines, next)) => (true, lines, next.map(|i| crate::app::policy::cursor_of(i as i64, ""))),
        Err(AppError::Forbidden) => (false, Vec::new(), None),
        Err(e) => return Err(e.into()),
    };
    let (first, next) =
        super::pager(&format!("/cases/{id}/records/{record_id}?"), "cursor", "#ledger", cursor.as_deref(), next);
    let ledger = lines
        .into_iter()
        .map(|l| LedgerRow {
            index: l.index,
            when: when(l.time_ms),
            actor: users.get(&l.actor).cloned().unwrap_or(l.actor),
            access: crate::app::ledger::access_label(&l.access),
            what: l.what,
            purpose: l.purpose,
        })
        .collect();
    let page = RecordPage {
        user: Some(view),
        case_id: case.id.clone(),
        case_no: case.case_no.clone(),
        record_id,
        kind: kind_label,
        label,
        class: class.as_deref().map(crate::app::records::class_label).unwrap_or_default().to_string(),
        fields,
        show_ledger,
        ledger,
        first,
        next,
        may_classify: state.app.allow(&user, Action::ClassifyCase, Some(&case)).is_ok(),
        classes: CLASSES.to_vec(),
        effective_class: class.clone().unwrap_or_else(|| case.confidentiality.clone()),
    };
    Ok(render(&page))
}

/// The signed-in user and the form they posted (its CSRF token checked).
pub(super) async fn posted<S: LogStore>(
    state: &AppState<S>,
    headers: &HeaderMap,
    form: Result<Form<super::forms::Submitted>, FormRejection>,
) -> Result<(liuhen_store::UserRecord, super::forms::Submitted), UiError> {
    let (user, view) = signed_in(state, headers).await?;
    let submitted = submitted_form(&view, form)?;
    Ok((user, submitted))
}

/// A posted field's value ("" when absent).
pub(super) fn field<'a>(submitted: &'a super::forms::Submitted, k: &str) -> &'a str {
    submitted.iter().find(|(name, _)| name == k).map_or("", |(_, v)| v.as_str())
}

pub async fn classify_record<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((id, kind, n)): Path<(String, String, String)>,
    form: Result<Form<super::forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, submitted) = posted(&state, &headers, form).await?;
    let get = |k: &str| field(&submitted, k);
    let record_id = format!("{kind}/{n}");
    let expected = Some(get("expected_class")).filter(|e| !e.is_empty());
    state.app.classify_record(&user, &id, &record_id, get("class").trim(), get("reason"), expected).await?;
    let back = match record_id.strip_prefix(crate::app::documents::PREFIX) {
        Some(doc) => format!("/documents/{doc}"),
        None => format!("/cases/{id}/records/{record_id}"),
    };
    Ok(Redirect::to(&back).into_response())
}

/// Says why a record has no recording, from the case page's 音像记录 section.
pub async fn explain_unrecorded<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<super::forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, posted) = posted(&state, &headers, form).await?;
    state.app.explain_unrecorded(&user, &id, field(&posted, "record").trim(), field(&posted, "reason")).await?;
    Ok(Redirect::to(&format!("/cases/{id}#av")).into_response())
}

/// Publishes the case's decision or withdraws it with its reason (行政执法公示, R-170), from
/// the case page's 公示 section; the 负责人's step.
pub async fn publication<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<super::forms::Submitted>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, posted) = posted(&state, &headers, form).await?;
    match field(&posted, "action") {
        "withdraw" => state.app.withdraw_publication(&user, &id, field(&posted, "reason")).await?,
        _ => {
            // Others' names the preview showed, one per line, masked as the party's is.
            let also: Vec<String> =
                field(&posted, "mask").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
            if also.len() > 20 {
                return Err(crate::app::AppError::BadRequest("需隐去的词语至多 20 个".into()).into());
            }
            state.app.publish(&user, &id, &also).await?
        }
    };
    Ok(Redirect::to(&format!("/cases/{id}#publication")).into_response())
}

/// One record as the party's material shows it: (kind, label, [(field, value)]).
type Material = (&'static str, String, Vec<(String, String)>);

#[derive(Template)]
#[template(path = "party_material.html")]
struct MaterialPage {
    user: Option<UserView>,
    case_id: String,
    case_no: String,
    mode: &'static str,
    copy: bool,
    until: String,
    watermark: String,
    /// The watermark as a tiled SVG (a `data:` URI, percent-encoded).
    watermark_uri: String,
    records: Vec<Material>,
}

/// `text` as a tiled, rotated SVG watermark in a `data:` URI.
pub fn watermark_uri(text: &str) -> String {
    let escaped = text
        .chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '\'' => "&apos;".to_string(),
            '"' => "&quot;".to_string(),
            c => c.to_string(),
        })
        .collect::<String>();
    let svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='420' height='220'><text x='20' y='130' \
         transform='rotate(-24 210 110)' fill='rgba(180,0,0,0.16)' font-size='17' \
         font-family='sans-serif'>{escaped}</text></svg>"
    );
    let mut out = String::from("data:image/svg+xml,");
    for b in svg.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(serde::Deserialize)]
pub struct PrintQuery {
    #[serde(default)]
    print: String,
}

/// The material of a party's request (查阅 on screen, or 复制 to print), watermarked on every
/// page; each record's access is in the ledger before the page is shown.
pub async fn party_material<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((id, request)): Path<(String, String)>,
    q: axum::extract::Query<PrintQuery>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let print = !q.print.is_empty();
    let now = liuhen_core::time::Timestamp(crate::app::now_ms());
    let (access, watermark, records) = state.app.party_material(&user, &id, &request, print, now).await?;
    let case = state.app.store.case(&id).await.map_err(AppError::from)?;
    let officers: HashMap<String, String> =
        state.app.store.officers().await.map_err(AppError::from)?.into_iter().map(|o| (o.id, o.name)).collect();
    let until = access.steps.iter().find_map(|s| match s {
        liuhen_core::party_access::Step::Delivered { until: Some(u), .. } => Some(when(u.0)),
        _ => None,
    });
    let page = MaterialPage {
        user: Some(view),
        case_id: id,
        case_no: case.case_no,
        mode: access.request.mode.label(),
        copy: print,
        until: until.unwrap_or_default(),
        watermark_uri: watermark_uri(&watermark),
        watermark,
        records: records
            .into_iter()
            .map(|(_, kind, label, v)| {
                let fields = v
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, x)| (field_label(k).to_string(), show(x, &officers)))
                    .collect();
                (kind, label, fields)
            })
            .collect(),
    };
    Ok(render(&page))
}
