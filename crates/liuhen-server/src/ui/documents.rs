//! 执法文书 pages (办法第十一条–第十七条): choose a form for a case, fill it, preview the PDF,
//! approve (内部审批), sign on a pad (a canvas, `static/sign.js`) or attach a paper scan, note a
//! refusal, finalise, issue under the seal, and start a correction — each through the
//! application layer's own code, as the API runs them.

use super::{UiError, UserView, render, signed_in, submitted_form, when};
use crate::AppState;
use crate::app::AppError;
use crate::app::policy::{Action, roles};
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use liuhen_core::document::{self, CATALOGUE};
use liuhen_store::{LogStore, UserRecord};
use serde_json::{Value, json};

/// One field of a form as the page shows it.
pub struct FieldView {
    pub key: String,
    pub label: String,
    pub value: String,
    pub long: bool,
    pub required: bool,
    pub choices: Vec<String>,
}

#[derive(Template)]
#[template(path = "document_new.html")]
struct NewPage {
    user: Option<UserView>,
    case_id: String,
    case_no: String,
    /// Forms this case may have: (code, name), when none is chosen yet.
    choices: Vec<(String, String)>,
    code: String,
    name: String,
    fields: Vec<FieldView>,
    supersedes: String,
    reason: String,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocPage {
    user: Option<UserView>,
    id: String,
    /// `document/<id>`: the document as a record of its case, which may be classed.
    record_id: String,
    /// Its own class in Chinese, or empty (its case's applies).
    class: String,
    may_classify: bool,
    classes: Vec<(&'static str, &'static str)>,
    /// The class the page shows it under, sent back with the form (409 when another came first).
    effective_class: String,
    case_id: String,
    case_no: String,
    name: String,
    code: String,
    state: String,
    state_name: String,
    source: String,
    content_hash: String,
    draft: bool,
    fields: Vec<FieldView>,
    missing: Vec<String>,
    errors: Vec<String>,
    may_act: bool,
    /// Approval steps this user may take now: (step, label).
    my_steps: Vec<(String, String)>,
    approvals: Vec<(String, String, String, String)>,
    signers: Vec<(String, String)>,
    refusable: Vec<(String, String)>,
    signatures: Vec<(String, String, String, String)>,
    refusals: Vec<String>,
    officers: Vec<(String, String)>,
    sealed: bool,
    issued: String,
    /// Issued to a party: a 送达回证 can be made for it.
    servable: bool,
    has_seal: bool,
    pdf_sha256: String,
    supersedes: String,
    superseded_by: String,
    history: Vec<(String, String)>,
    /// Files the form keeps: (key, label), and those kept: (label, SHA-256).
    attachment_slots: Vec<(String, String)>,
    attachments: Vec<(String, String)>,
}

fn fields_of(spec: &document::DocSpec, values: &serde_json::Map<String, Value>) -> Vec<FieldView> {
    spec.fields
        .iter()
        .map(|f| FieldView {
            key: f.key.to_string(),
            label: f.label.to_string(),
            value: values.get(f.key).and_then(Value::as_str).unwrap_or_default().to_string(),
            long: f.long,
            required: f.need == document::Need::Always,
            choices: f.choices.iter().map(|c| c.to_string()).collect(),
        })
        .collect()
}

fn errors_of(e: &AppError) -> Vec<String> {
    match e {
        AppError::Refused(vs) => vs.iter().map(ToString::to_string).collect(),
        other => vec![other.message()],
    }
}

/// What a refused command leaves on the page; anything else is the page's own error.
fn shown(e: AppError) -> Result<Vec<String>, UiError> {
    match e {
        AppError::Refused(_)
        | AppError::BadRequest(_)
        | AppError::Conflict(_)
        | AppError::Duplicate(_)
        | AppError::InvalidState(_)
        | AppError::NotYourStep(_)
        | AppError::Upload(..) => Ok(errors_of(&e)),
        other => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub supersedes: String,
    /// A 送达回证 for this issued document: its name, 文号 and party prefilled.
    #[serde(default)]
    pub serve: String,
}

pub async fn new_form<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(case_id): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let case = state.app.store.case(&case_id).await.map_err(AppError::from)?;
    state.app.allow(&user, Action::CommandCase, Some(&case))?;
    let kind = crate::app::documents::kind_code(&case);
    let mut page = NewPage {
        user: Some(view),
        case_id: case.id.clone(),
        case_no: case.case_no.clone(),
        choices: Vec::new(),
        code: String::new(),
        name: String::new(),
        fields: Vec::new(),
        supersedes: String::new(),
        reason: String::new(),
        errors: Vec::new(),
    };
    let Some(spec) = document::spec(&q.code).filter(|s| s.kinds.contains(&kind)) else {
        page.choices = CATALOGUE
            .iter()
            .filter(|s| s.kinds.contains(&kind))
            .map(|s| (s.code.to_string(), s.name.to_string()))
            .collect();
        return Ok(render(&page));
    };
    // Prefilled: a correction starts from the version it replaces; a new one from the case.
    let mut values = serde_json::Map::new();
    if !q.supersedes.is_empty() {
        let old = state.app.document(&user, &q.supersedes, "更正").await?;
        values = old["fields"].as_object().cloned().unwrap_or_default();
        page.supersedes = q.supersedes.clone();
    } else if !q.serve.is_empty() {
        let served = state.app.document(&user, &q.serve, "制作送达回证").await?;
        let issued = &served["issued"];
        let name = served["name"].as_str().unwrap_or_default();
        let doc = match issued["doc_no"].as_str() {
            Some(no) => format!("{name}（{no}）"),
            None => name.to_string(),
        };
        values.insert("document".into(), json!(doc));
        let party = served["fields"]["party"].as_str().or(served["fields"]["applicant"].as_str());
        if let Some(p) = party {
            values.insert("recipient".into(), json!(p));
        }
    } else {
        let data: Value = serde_json::from_str(&case.data).unwrap_or(Value::Null);
        let party = ["party", "applicant"].iter().find_map(|k| data[*k]["name"].as_str());
        for (k, v) in [
            ("cause", Some(case.matter.as_str())),
            ("party", party),
            ("applicant", party),
            ("matter", Some(case.matter.as_str())),
        ] {
            if let Some(v) = v {
                values.insert(k.to_string(), json!(v));
            }
        }
    }
    page.code = spec.code.to_string();
    page.name = spec.name.to_string();
    page.fields = fields_of(spec, &values);
    Ok(render(&page))
}

fn submitted_fields(submitted: &[(String, String)]) -> serde_json::Map<String, Value> {
    submitted
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("f.").map(|k| (k.to_string(), json!(v.replace("\r\n", "\n")))))
        .collect()
}

fn one<'a>(submitted: &'a [(String, String)], k: &str) -> &'a str {
    submitted.iter().find(|(x, _)| x == k).map_or("", |(_, v)| v.as_str())
}

pub async fn create<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(case_id): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    let code = one(&submitted, "code").to_string();
    let mut req = json!({"code": code, "fields": submitted_fields(&submitted)});
    let supersedes = one(&submitted, "supersedes").to_string();
    if !supersedes.is_empty() {
        req["supersedes"] = json!(supersedes);
        req["reason"] = json!(one(&submitted, "reason"));
    }
    match state.app.create_document(&user, &case_id, &req).await {
        Ok(d) => Ok(Redirect::to(&format!("/documents/{}", d["id"].as_str().unwrap_or_default())).into_response()),
        Err(e) => {
            let errors = shown(e)?;
            let case = state.app.store.case(&case_id).await.map_err(AppError::from)?;
            let spec = document::spec(&code).ok_or(AppError::NotFound)?;
            let page = NewPage {
                user: Some(view),
                case_id,
                case_no: case.case_no,
                choices: Vec::new(),
                code,
                name: spec.name.to_string(),
                fields: fields_of(spec, req["fields"].as_object().unwrap_or(&serde_json::Map::new())),
                supersedes,
                reason: one(&submitted, "reason").to_string(),
                errors,
            };
            let mut r = render(&page);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

async fn page<S: LogStore>(
    state: &AppState<S>,
    user: &UserRecord,
    view: UserView,
    id: &str,
    errors: Vec<String>,
    draft_values: Option<serde_json::Map<String, Value>>,
) -> Result<DocPage, UiError> {
    let d = state.app.document(user, id, "").await?;
    let case_id = d["case"].as_str().unwrap_or_default().to_string();
    let case = state.app.store.case(&case_id).await.map_err(AppError::from)?;
    let may_act = state.app.allow(user, Action::CommandCase, Some(&case)).is_ok();
    let spec = document::spec(d["code"].as_str().unwrap_or_default()).ok_or(AppError::NotFound)?;
    let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    let draft = d["state"] == "draft";
    let values = draft_values.unwrap_or_else(|| d["fields"].as_object().cloned().unwrap_or_default());
    let mine = roles(user);
    let done = crate::app::documents::steps_done(&d);
    let my_steps = if spec.approval && draft && may_act {
        document::STEPS
            .iter()
            .filter(|(step, _)| !done.contains(step) && crate::app::documents::takes_step(&mine, step))
            .map(|(k, l)| (k.to_string(), l.to_string()))
            .collect()
    } else {
        Vec::new()
    };
    let step_label =
        |k: &str| document::STEPS.iter().find(|(s, _)| *s == k).map_or(k.to_string(), |(_, l)| l.to_string());
    let role_label = |k: &str| spec.signers.iter().find(|x| x.role == k).map_or(k.to_string(), |x| x.name.to_string());
    let stale = |v: &Value| if v["current"] == true { "" } else { "（内容修改前，已失效）" };
    let officers =
        state.app.store.officers().await.map_err(AppError::from)?.into_iter().map(|o| (o.id, o.name)).collect();
    let issued = &d["issued"];
    let class = d["class"].as_str().map(str::to_string);
    Ok(DocPage {
        user: Some(view),
        id: id.to_string(),
        record_id: format!("{}{id}", crate::app::documents::PREFIX),
        class: class.as_deref().map(crate::app::records::class_label).unwrap_or_default().to_string(),
        may_classify: state.app.allow(user, Action::ClassifyCase, Some(&case)).is_ok(),
        classes: crate::app::policy::CLASSES.to_vec(),
        effective_class: class.unwrap_or_else(|| case.confidentiality.clone()),
        case_id,
        case_no: case.case_no,
        name: s(&d, "name"),
        code: s(&d, "code"),
        state: s(&d, "state"),
        state_name: s(&d, "state_name"),
        source: s(&d, "source"),
        content_hash: s(&d, "content_hash"),
        draft,
        fields: fields_of(spec, &values),
        missing: d["missing"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| format!("{}：{}", s(m, "rule"), s(m, "detail")))
            .collect(),
        errors,
        may_act,
        my_steps,
        approvals: d["approvals"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                let mut opinion = s(a, "opinion");
                if !s(a, "reason").is_empty() {
                    opinion = format!("{opinion}（理由：{}）", s(a, "reason"));
                }
                (
                    step_label(&s(a, "step")),
                    opinion,
                    s(a, "name"),
                    format!("{}{}", when(a["at"].as_i64().unwrap_or(0)), stale(a)),
                )
            })
            .collect(),
        signers: spec
            .signers
            .iter()
            .map(|x| (x.role.to_string(), format!("{}（至少 {} 人）", x.name, x.min)))
            .collect(),
        refusable: spec
            .signers
            .iter()
            .filter(|x| x.refusable)
            .map(|x| (x.role.to_string(), x.name.to_string()))
            .collect(),
        signatures: d["signatures"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| {
                let method = if x["method"] == "paper" { "纸质签名扫描件" } else { "签名板" };
                (
                    role_label(&s(x, "role")),
                    s(x, "name"),
                    method.to_string(),
                    format!("{}{}", when(x["at"].as_i64().unwrap_or(0)), stale(x)),
                )
            })
            .collect(),
        refusals: d["refusals"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let officers: Vec<&str> =
                    r["officers"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                format!(
                    "{}（{}）拒绝签字：{}。注明人：{}{}；{}{}",
                    s(r, "who"),
                    role_label(&s(r, "role")),
                    s(r, "reason"),
                    officers.join("、"),
                    if s(r, "witness").is_empty() {
                        String::new()
                    } else {
                        format!("；见证人：{}", s(r, "witness"))
                    },
                    when(r["at"].as_i64().unwrap_or(0)),
                    stale(r)
                )
            })
            .collect(),
        officers,
        sealed: spec.sealed,
        issued: if issued.is_null() {
            String::new()
        } else {
            format!("{}，{}，{}", s(issued, "doc_no"), s(issued, "date"), s(issued, "seal_kind"))
        },
        has_seal: issued["seal_sha256"].is_string(),
        servable: !issued.is_null() && d["code"] != "D41",
        pdf_sha256: s(&d, "pdf_sha256"),
        supersedes: d["supersedes"]["id"]
            .as_str()
            .map(|i| format!("{i}（理由：{}）", s(&d["supersedes"], "reason")))
            .unwrap_or_default(),
        superseded_by: s(&d, "superseded_by"),
        attachment_slots: spec.attachments.iter().map(|(k, l, _)| (k.to_string(), l.to_string())).collect(),
        attachments: d["attachments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| (s(a, "label"), s(a, "sha256")))
            .collect(),
        history: d["history"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| {
                let what = match h["event"].as_str().unwrap_or_default() {
                    "drafted" => "制作",
                    "revised" => "修改草稿",
                    "approved" => "审批",
                    "signed" => "签名",
                    "refused" => "注明拒签",
                    "attached" => "附加文件",
                    "finalised" => "定稿",
                    "issued" => "签发",
                    _ => "其他",
                };
                (when(h["at"].as_i64().unwrap_or(0)), what.to_string())
            })
            .collect(),
    })
}

pub async fn document_page<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    Ok(render(&page(&state, &user, view, &id, Vec::new(), None).await?))
}

/// One step, from the page's forms.
pub async fn step<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path((id, command)): Path<(String, String)>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, UiError> {
    let (user, view) = signed_in(&state, &headers).await?;
    let submitted = submitted_form(&view, form)?;
    let mut cmd = json!({"type": command});
    let mut kept = None;
    match command.as_str() {
        "revise" => {
            let f = submitted_fields(&submitted);
            cmd["fields"] = Value::Object(f.clone());
            cmd["content_hash"] = json!(one(&submitted, "content_hash").trim());
            kept = Some(f);
        }
        "approve" | "sign" | "refuse" | "issue" | "attach" => {
            for k in [
                "step",
                "opinion",
                "reason",
                "role",
                "name",
                "method",
                "image",
                "who",
                "witness",
                "doc_no",
                "date",
                "content_hash",
                "key",
                "file",
                "password",
            ] {
                let v = one(&submitted, k).trim();
                if !v.is_empty() {
                    cmd[k] = json!(v);
                }
            }
            if command == "refuse" {
                cmd["officers"] = json!(
                    submitted.iter().filter(|(k, _)| k == "officers").map(|(_, v)| v.clone()).collect::<Vec<_>>()
                );
            }
        }
        "finalise" => {}
        _ => return Err(AppError::NotFound.into()),
    }
    match state.app.document_command(&user, &id, &cmd).await {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(e) => {
            let errors = shown(e)?;
            let mut r = render(&page(&state, &user, view, &id, errors, kept).await?);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

/// The PDF (ledgered): a draft's preview, or the finalised or issued one.
pub async fn pdf<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let (user, _) = signed_in(&state, &headers).await?;
    let bytes = state.app.document_pdf(&user, &id, "").await?;
    Ok(crate::web::pdf_response(&id, bytes))
}

/// The seal of an issued document (DER), ledgered.
pub async fn seal<S: LogStore>(
    State(state): State<AppState<S>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let (user, _) = signed_in(&state, &headers).await?;
    let bytes = state.app.document_seal(&user, &id).await?;
    Ok(crate::web::seal_response(&id, bytes))
}

pub async fn sign_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/sign.js"),
    )
}
