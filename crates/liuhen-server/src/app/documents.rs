//! 执法文书 on the log (办法第十一条–第十七条): each step of a document is a `document.<event>`
//! entry on its case — drafted, revised, approved, signed, refused, finalised, issued — whose
//! details (the fields, names, opinions) are behind a commitment, and whose public body carries
//! the content hash, the PDF's SHA-256 and the seal's. The document as its entries left it is the
//! setting `document/<id>` (with the events, replayed into `liuhen-core::document` to decide the
//! next step), recomputed by `liuhen rebuild`.
//!
//! The PDF is rendered by `liuhen-pdf` from the document's data: at finalisation (with the
//! signatures and approvals) and again at issue (with the seal drawn, the issue date and the
//! 文号); each rendering is a blob named in its entry. Issuing seals the issued PDF's bytes with
//! the office's SM2 and Ed25519 seal keys (`liuhen_log::seal`, GB/T 38540-shaped).

use super::ledger::Access;
use super::policy::{Action, Role, roles};
use super::{App, auth::now_ms, body};
use crate::app::AppError;
use crate::datadir::fill_random;
use base64::Engine as _;
use liuhen_core::document::{self, Approval, Document, Event, RefusalNote, Signature};
use liuhen_core::time::{Date, Timestamp};
use liuhen_log::EntryDraft;
use liuhen_log::entry::{BlobRef, commitment};
use liuhen_log::signer::{approval_statement, approval_statement_with_reason};
use liuhen_store::{CaseRecord, DocumentQuery, DocumentRecord, LogStore, Op, StoreError, UserRecord};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// How the access ledger names a document (`document/<id>`).
pub const PREFIX: &str = "document/";
/// The largest signature image or scan accepted (PNG or JPEG).
pub const MAX_IMAGE: usize = 2 << 20;

/// What rendering and sealing need: the font directories and the office's seal keys.
#[derive(Clone, Default)]
pub struct DocConfig {
    pub font_dirs: Vec<PathBuf>,
    pub seal: Option<Arc<liuhen_log::seal::SealKeys>>,
}

/// An event as its opening carries it.
pub fn event_json(e: &Event) -> Value {
    match e {
        Event::Drafted { code, fields, supersedes } => json!({"type": "drafted", "code": code, "fields": fields,
            "supersedes": supersedes.as_ref().map(|(id, _)| id), "reason": supersedes.as_ref().map(|(_, r)| r)}),
        Event::Revised { fields } => json!({"type": "revised", "fields": fields}),
        Event::Approved(a) => json!({"type": "approved", "step": a.step, "person": a.person, "name": a.name,
            "opinion": a.opinion, "reason": a.reason, "at": a.at.0, "content_hash": a.content_hash,
            "key_id": a.key_id, "signature": a.signature}),
        Event::Returned(r) => json!({"type": "returned", "step": r.step, "person": r.person, "name": r.name,
            "reasons": r.reasons, "at": r.at.0, "content_hash": r.content_hash}),
        Event::Signed(s) => json!({"type": "signed", "role": s.role, "name": s.name, "person": s.person,
            "method": s.method, "image_sha256": s.image_sha256, "content_hash": s.content_hash, "at": s.at.0,
            "key_id": s.key_id, "signature": s.signature}),
        Event::Refused(r) => json!({"type": "refused", "role": r.role, "who": r.who, "reason": r.reason,
            "officers": r.officers, "witness": r.witness, "content_hash": r.content_hash, "at": r.at.0}),
        Event::Attached { key, sha256, media_type, at } => {
            json!({"type": "attached", "key": key, "sha256": sha256, "media_type": media_type, "at": at.0})
        }
        Event::Finalised { content_hash, pdf_sha256, pages, at } => json!({"type": "finalised",
            "content_hash": content_hash, "pdf_sha256": pdf_sha256, "pages": pages, "at": at.0}),
        Event::Issued { doc_no, date, seal_kind, pdf_sha256, at } => json!({"type": "issued", "doc_no": doc_no,
            "date": date.to_string(), "seal_kind": seal_kind, "pdf_sha256": pdf_sha256, "at": at.0}),
    }
}

/// The event an opening carries back.
pub fn event_of(v: &Value) -> Option<Event> {
    let s = |k: &str| v[k].as_str().map(str::to_string);
    let at = || v["at"].as_i64().map(Timestamp);
    let fields = || -> Option<BTreeMap<String, String>> {
        v["fields"].as_object()?.iter().map(|(k, x)| Some((k.clone(), x.as_str()?.to_string()))).collect()
    };
    Some(match v["type"].as_str()? {
        "drafted" => Event::Drafted {
            code: s("code")?,
            fields: fields()?,
            supersedes: match (s("supersedes"), s("reason")) {
                (Some(id), Some(r)) => Some((id, r)),
                _ => None,
            },
        },
        "revised" => Event::Revised { fields: fields()? },
        "approved" => Event::Approved(Approval {
            step: s("step")?,
            person: s("person")?,
            name: s("name")?,
            opinion: s("opinion")?,
            reason: s("reason")?,
            at: at()?,
            content_hash: s("content_hash")?,
            key_id: s("key_id").unwrap_or_default(),
            signature: s("signature").unwrap_or_default(),
        }),
        "returned" => Event::Returned(document::Return {
            step: s("step")?,
            person: s("person")?,
            name: s("name")?,
            reasons: s("reasons")?,
            at: at()?,
            content_hash: s("content_hash")?,
        }),
        "signed" => Event::Signed(Signature {
            role: s("role")?,
            name: s("name")?,
            person: s("person")?,
            method: s("method")?,
            image_sha256: s("image_sha256")?,
            content_hash: s("content_hash")?,
            at: at()?,
            key_id: s("key_id").unwrap_or_default(),
            signature: s("signature").unwrap_or_default(),
        }),
        "refused" => Event::Refused(RefusalNote {
            role: s("role")?,
            who: s("who")?,
            reason: s("reason")?,
            officers: v["officers"].as_array()?.iter().filter_map(|o| o.as_str().map(str::to_string)).collect(),
            witness: s("witness")?,
            content_hash: s("content_hash")?,
            at: at()?,
        }),
        "attached" => Event::Attached { key: s("key")?, sha256: s("sha256")?, media_type: s("media_type")?, at: at()? },
        "finalised" => Event::Finalised {
            content_hash: s("content_hash")?,
            pdf_sha256: s("pdf_sha256")?,
            pages: u32::try_from(v["pages"].as_u64()?).ok()?,
            at: at()?,
        },
        "issued" => Event::Issued {
            doc_no: s("doc_no")?,
            date: Date::parse(v["date"].as_str()?).ok()?,
            seal_kind: s("seal_kind")?,
            pdf_sha256: s("pdf_sha256")?,
            at: at()?,
        },
        _ => return None,
    })
}

fn event_code(e: &Event) -> &'static str {
    match e {
        Event::Drafted { .. } => "drafted",
        Event::Revised { .. } => "revised",
        Event::Approved(_) => "approved",
        Event::Returned(_) => "returned",
        Event::Signed(_) => "signed",
        Event::Refused(_) => "refused",
        Event::Attached { .. } => "attached",
        Event::Finalised { .. } => "finalised",
        Event::Issued { .. } => "issued",
    }
}

/// SM3 (hex) of the document's content: its form, version chain and fields, canonical JSON.
pub fn content_hash(code: &str, fields: &BTreeMap<String, String>, supersedes: Option<&str>) -> String {
    use sm3::Digest as _;
    let mut buf = Vec::new();
    liuhen_log::entry::write_canonical(&json!({"code": code, "fields": fields, "supersedes": supersedes}), &mut buf);
    hex::encode(sm3::Sm3::digest(&buf))
}

/// The document its events make.
pub fn replay(events: &[Value]) -> Option<Document> {
    let mut it = events.iter().map(|e| event_of(&e["event"]));
    let mut d = Document::new(&it.next()??)?;
    for e in it {
        d.apply(&e?);
    }
    Some(d)
}

/// The statement an SM2 signature was made over (base64), for anyone to check it with OpenSSL;
/// null where nothing was signed.
fn statement_b64(
    id: &str,
    step: &str,
    content: &str,
    person: &str,
    at: i64,
    said: (&str, &str),
    signature: &str,
) -> Value {
    use base64::Engine as _;
    if signature.is_empty() {
        return Value::Null;
    }
    let bytes = approval_statement_with_reason(id, step, content, person, at, said.0, said.1);
    Value::from(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// A document's JSON: its form, state, fields and steps, and what it still lacks.
/// Whether field `key` of a document of `spec` holds a person's identity number.
fn identity_field(spec: &document::DocSpec, key: &str) -> bool {
    spec.fields.iter().any(|f| f.key == key && f.identity)
}

/// A field's value as views show it: an identity number masked (办法第二十四条 保密; the
/// document itself, its PDF, carries it whole).
fn shown(spec: &document::DocSpec, key: &str, value: &str) -> String {
    if identity_field(spec, key) { liuhen_core::party::mask_id(value) } else { value.to_string() }
}

/// A field's value as one who does not handle the case reads it: an identity field masked as
/// [`shown`] does, and the phones and identity numbers typed in any text starred.
fn shown_to_others(spec: &document::DocSpec, key: &str, value: &str) -> String {
    if identity_field(spec, key) { shown(spec, key, value) } else { super::publication::mask_personal_numbers(value) }
}

/// Whether `actor` signs documents of `spec` in a role no handler holds: a 集体讨论成员 the
/// discussion's record, a 法制审核人员 the review's opinion. They read what they sign whole.
fn may_sign(actor: &UserRecord, spec: &document::DocSpec) -> bool {
    let held = roles(actor);
    spec.signers.iter().any(|s| match s.role {
        "member" => held.contains(&Role::DiscussionMember),
        "reviewer" => held.contains(&Role::LegalReviewer),
        _ => false,
    })
}

/// A document's JSON (as [`document_json`] makes it) as one who does not handle the case reads
/// it: its fields and changes through [`shown_to_others`].
fn masked_for_others(spec: &document::DocSpec, d: &mut Value) {
    if let Some(fields) = d["fields"].as_object_mut() {
        for (k, v) in fields.iter_mut() {
            if let Some(text) = v.as_str() {
                *v = Value::from(shown_to_others(spec, k, text));
            }
        }
    }
    for c in d["changes"].as_array_mut().into_iter().flatten() {
        let key = c["field"].as_str().unwrap_or_default().to_string();
        for side in ["before", "after"] {
            if let Some(text) = c[side].as_str() {
                c[side] = Value::from(shown_to_others(spec, &key, text));
            }
        }
    }
    // The opinions, reasons and notes of its steps. An approval's signed statement holds its
    // opinion as typed: where that had a number starred, the statement and the signature are
    // withheld from this reader (the signature still stands; those who handle the case read it).
    for (list, keys) in [
        ("approvals", &["opinion", "reason"][..]),
        ("returns", &["reasons"]),
        ("refusals", &["who", "reason", "witness"]),
    ] {
        for step in d[list].as_array_mut().into_iter().flatten() {
            let mut starred = false;
            for key in keys {
                if let Some(text) = step[*key].as_str() {
                    let masked = super::publication::mask_personal_numbers(text);
                    starred |= masked != text;
                    step[*key] = Value::from(masked);
                }
            }
            // The signature too: over a short number, it is a way to find the number.
            if starred {
                super::publication::withhold_signatures(step);
                if !step["signature_withheld"].is_null() {
                    step["statement_withheld"] = Value::from(true);
                }
            }
        }
    }
}

/// A document's fields as views show them ([`shown`]).
fn shown_fields(spec: &document::DocSpec, fields: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    fields.iter().map(|(k, v)| (k.clone(), shown(spec, k, v))).collect()
}

/// Fields posted back from a view (a revision, a correction): an identity number still as the
/// view masked it is the one it masked, not a new value.
fn unmasked(
    spec: &document::DocSpec,
    mut fields: BTreeMap<String, String>,
    before: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    for (k, v) in fields.iter_mut() {
        if let Some(old) = before.get(k).filter(|old| identity_field(spec, k) && *v == shown(spec, k, old)) {
            v.clone_from(old);
        }
    }
    fields
}

pub fn document_json(id: &str, case: &str, events: &[Value], extra: &Value) -> Option<Value> {
    let d = replay(events)?;
    let hash = content_hash(d.spec.code, &d.fields, d.supersedes.as_ref().map(|(s, _)| s.as_str()));
    let spec = d.spec;
    let approvals: Vec<Value> = d
        .approvals
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({"step": a.step, "person": a.person, "name": a.name, "opinion": a.opinion, "reason": a.reason,
                   "at": a.at.0, "current": i >= d.voided && a.content_hash == hash,
                   "key_id": a.key_id, "signature": a.signature,
                   "statement": statement_b64(id, &a.step, &a.content_hash, &a.person, a.at.0,
                                              (&a.opinion, &a.reason), &a.signature)})
        })
        .collect();
    let returns: Vec<Value> = d
        .returns
        .iter()
        .map(|r| json!({"step": r.step, "person": r.person, "name": r.name, "reasons": r.reasons, "at": r.at.0}))
        .collect();
    let next_step = d.next_step(&hash).map(|(k, label)| json!({"step": k, "label": label}));
    let signatures: Vec<Value> = d
        .signatures
        .iter()
        .map(|s| {
            let step = format!("sign:{}", s.role);
            json!({"role": s.role, "name": s.name, "method": s.method, "image_sha256": s.image_sha256,
                   "at": s.at.0, "current": s.content_hash == hash, "key_id": s.key_id, "signature": s.signature,
                   "statement": statement_b64(id, &step, &s.content_hash, &s.person, s.at.0, (&s.image_sha256, ""), &s.signature)})
        })
        .collect();
    let refusals: Vec<Value> = d
        .refusals
        .iter()
        .map(|r| {
            json!({"role": r.role, "who": r.who, "reason": r.reason, "officers": r.officers,
                         "witness": r.witness, "at": r.at.0, "current": r.content_hash == hash})
        })
        .collect();
    let missing: Vec<Value> = if d.state == document::State::Draft {
        d.missing(&hash).iter().map(|v| json!({"rule": v.rule.id, "field": v.field, "detail": v.detail})).collect()
    } else {
        Vec::new()
    };
    Some(json!({
        "id": id, "case": case, "code": spec.code, "name": spec.name, "state": d.state.code(),
        "state_name": d.state.name(), "fields": shown_fields(spec, &d.fields), "content_hash": hash,
        "approval": spec.approval, "sealed": spec.sealed, "source": spec.source,
        "form": spec.fields.iter().map(|f| json!({"key": f.key, "label": f.label, "long": f.long,
            "choices": f.choices, "required": f.need == document::Need::Always})).collect::<Vec<_>>(),
        "signers": spec.signers.iter().map(|s| json!({"role": s.role, "name": s.name, "min": s.min,
            "refusable": s.refusable, "each_of": s.each_of})).collect::<Vec<_>>(),
        "approvals": approvals, "returns": returns, "next_step": next_step,
        "issuer": spec.issuer.label(), "requires": spec.requires,
        "signatures": signatures, "refusals": refusals, "missing": missing,
        "deemed_served_on": d.deemed_served_on().map(|x| x.to_string()),
        "changes": d.changes.iter().map(|(k, b, a)| json!({"field": k, "before": shown(spec, k, b), "after": shown(spec, k, a),
            "label": spec.fields.iter().find(|f| f.key == k).map_or("", |f| f.label)})).collect::<Vec<_>>(),
        "attachment_slots": spec.attachments.iter().map(|(k, l, _)| json!({"key": k, "label": l})).collect::<Vec<_>>(),
        "attachments": d.attachments.iter().map(|(k, sha, media)| json!({"key": k, "sha256": sha, "media_type": media,
            "label": spec.attachments.iter().find(|(x, _, _)| x == k).map_or("", |(_, l, _)| *l)})).collect::<Vec<_>>(),
        "pdf_sha256": d.pdf_sha256, "pages": d.pages,
        "issued": d.issued.as_ref().map(|(no, date, kind)| json!({"doc_no": no, "date": date.to_string(),
            "seal_kind": kind, "seal_sha256": extra["seal_sha256"], "ed25519": extra["ed25519"]})),
        "supersedes": d.supersedes.as_ref().map(|(s, r)| json!({"id": s, "reason": r})),
        "superseded_by": extra["superseded_by"],
        "history": events.iter().map(|e| json!({"event": e["event"]["type"], "actor": e["actor"], "at": e["at"]}))
            .collect::<Vec<_>>(),
    }))
}

/// Whether someone with `roles` takes approval `step` (办法第十五条): officers the 承办人 step,
/// the 承办机构负责人 the 审核 step, the 负责人 the 批准 step. An unknown step is left to
/// `liuhen-core` to refuse.
pub fn takes_step(roles: &[Role], step: &str) -> bool {
    match step {
        "handler" => roles.contains(&Role::Officer),
        "reviewer" => roles.contains(&Role::UnitHead),
        "approver" => roles.contains(&Role::Approver),
        _ => true,
    }
}

/// Why an account may not take `step`: the role it needs.
fn step_refusal(step: &str) -> String {
    let who = match step {
        "handler" => "承办的执法人员",
        "reviewer" => "承办机构负责人",
        "approver" => "负责人",
        _ => "相应角色的人员",
    };
    format!("该审批环节须由{who}以本人账号办理（办法第十五条）")
}

/// The approval steps a document's JSON shows as done on its current content.
pub fn steps_done(d: &Value) -> Vec<&str> {
    d["approvals"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["current"] == true)
        .filter_map(|a| a["step"].as_str())
        .collect()
}

/// Folds one event into the document's setting.
pub fn fold(prev: Option<&Value>, id: &str, case: &str, event: &Value, actor: &str, at: i64, extra: &Value) -> Value {
    let mut events = prev.and_then(|p| p["events"].as_array().cloned()).unwrap_or_default();
    events.push(json!({"event": event, "actor": actor, "at": at}));
    let mut ext = prev.map(|p| p["extra"].clone()).filter(Value::is_object).unwrap_or_else(|| json!({}));
    if let (Some(e), Some(add)) = (ext.as_object_mut(), extra.as_object()) {
        for (k, v) in add {
            e.insert(k.clone(), v.clone());
        }
    }
    json!({"id": id, "case": case, "events": events, "extra": ext})
}

/// A document's row from its folded JSON ([`fold`]): what it is and where it is, as columns
/// (its time and version are the store's to give). `None` if its events do not replay.
pub(crate) fn document_record(id: &str, v: &Value) -> Option<DocumentRecord> {
    let d = replay(v["events"].as_array().map(Vec::as_slice).unwrap_or_default())?;
    Some(DocumentRecord {
        id: id.to_string(),
        case_id: v["case"].as_str().unwrap_or_default().to_string(),
        code: d.spec.code.to_string(),
        state: d.state.code().to_string(),
        superseded_by: v["extra"]["superseded_by"].as_str().unwrap_or_default().to_string(),
        data: v.to_string(),
        updated_at_ms: 0,
        version: 0,
    })
}

/// The write of a document's row from the version it was read at (0: a new one).
fn put_document(id: &str, v: &Value, read: u64) -> Result<Op, AppError> {
    let record =
        document_record(id, v).ok_or_else(|| AppError::Internal("a document's events do not replay".into()))?;
    Ok(Op::PutDocument { record, expected_version: Some(read) })
}

fn refused(e: liuhen_core::rules::CommandError) -> AppError {
    AppError::from(e)
}

/// Refuses unless `actor` drafts document `code` of `case` (办法第十五条; `policy::drafts`).
fn drafter(actor: &UserRecord, case: &CaseRecord, code: &str) -> Result<(), AppError> {
    if super::policy::drafts(actor, case, code) {
        return Ok(());
    }
    Err(AppError::NotYourStep(
        "文书由承办本案的执法人员起草、修改和定稿（法制审核意见书由法制审核人员起草）；审批人只能同意或退回（办法第十五条）".into(),
    ))
}

fn text(v: &Value, k: &str, max: usize) -> Result<String, AppError> {
    let t = v[k].as_str().unwrap_or_default().trim().to_string();
    if t.chars().count() > max || t.chars().any(super::unprintable) {
        return Err(AppError::BadRequest(format!("{k} 过长或含有控制字符、不可见字符")));
    }
    Ok(t)
}

fn fields_of(v: &Value) -> Result<BTreeMap<String, String>, AppError> {
    match &v["fields"] {
        Value::Null => Ok(BTreeMap::new()),
        Value::Object(m) => m
            .iter()
            .map(|(k, x)| match x {
                // As the description says: no control character but the line break.
                Value::String(s) if s.chars().any(super::unprintable) => {
                    Err(AppError::BadRequest(format!("fields.{k} 含有控制字符或不可见字符")))
                }
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Null => Ok((k.clone(), String::new())),
                _ => Err(AppError::BadRequest(format!("fields.{k} 须为文本"))),
            })
            .filter(|r| !matches!(r, Ok((_, s)) if s.is_empty()))
            .collect(),
        _ => Err(AppError::BadRequest("fields 须为对象".into())),
    }
}

/// A file sent with a command (field `key`: base64 or a `data:` URL), at most [`MAX_IMAGE`]
/// bytes, of one of the `allowed` media types (PNG, JPEG, PDF) named by its first bytes.
fn upload_of(v: &Value, key: &str, what: &str, allowed: &[&'static str]) -> Result<(Vec<u8>, &'static str), AppError> {
    let kinds = allowed.iter().map(|m| m.rsplit('/').next().unwrap_or(m).to_uppercase()).collect::<Vec<_>>().join("、");
    let raw = v[key].as_str().unwrap_or_default();
    let b64 = raw.split_once("base64,").map_or(raw, |(_, b)| b);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| AppError::Unprocessable(format!("{what}须为 {kinds}（base64）")))?;
    if bytes.len() > MAX_IMAGE {
        return Err(AppError::Upload(
            crate::app::error::Upload::FileTooLarge,
            format!("{what}不得超过 {} MiB", MAX_IMAGE >> 20),
        ));
    }
    let media = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else {
        ""
    };
    if !allowed.contains(&media) {
        return Err(AppError::Unprocessable(format!("{what}须为 {kinds}")));
    }
    Ok((bytes, media))
}

/// A signature image: PNG or JPEG.
fn image_of(v: &Value) -> Result<Vec<u8>, AppError> {
    Ok(upload_of(v, "image", "签名图像", &["image/png", "image/jpeg"])?.0)
}

/// A file kept with a document: PNG, JPEG or PDF.
fn file_of(v: &Value) -> Result<(Vec<u8>, &'static str), AppError> {
    upload_of(v, "file", "附件", &["image/png", "image/jpeg", "application/pdf"])
}

/// A date as the documents print it: 2026年11月27日.
fn chinese_date(d: Date) -> String {
    let s = d.to_string();
    let p: Vec<&str> = s.split('-').collect();
    match p.as_slice() {
        [y, m, d] => format!("{y}年{}月{}日", m.trim_start_matches('0'), d.trim_start_matches('0')),
        _ => s,
    }
}

fn moment(ms: i64) -> String {
    let t = Timestamp(ms);
    let d = t.shanghai_date();
    let secs = (ms.div_euclid(1000) + 8 * 3600).rem_euclid(86_400);
    format!("{} {:02}:{:02}", d, secs / 3600, secs % 3600 / 60)
}

impl<S: LogStore> App<S> {
    async fn document_setting(&self, id: &str) -> Result<Value, AppError> {
        Ok(self.versioned_document(id).await?.0)
    }

    /// A document's events and the version they were read at (a step names it when written).
    async fn versioned_document(&self, id: &str) -> Result<(Value, u64), AppError> {
        let row = match self.store.document(id).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(e.into()),
        };
        let v = serde_json::from_str(&row.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        Ok((v, row.version))
    }

    /// A document and its case, if `actor` may `action` on that case (404 when it is hidden).
    pub(crate) async fn document_for(
        &self,
        actor: &UserRecord,
        id: &str,
        action: Action,
    ) -> Result<(Value, CaseRecord), AppError> {
        let v = self.document_setting(id).await?;
        let case = self.store.case(v["case"].as_str().unwrap_or_default()).await?;
        self.allow(actor, action, Some(&case))?;
        // 办法第二十四条: a document is a record of its case, and may be classed beyond a reader.
        self.record_visible(actor, &case, &format!("{PREFIX}{id}")).await?;
        Ok((v, case))
    }

    /// A page of the documents of case `case_id`, oldest first, after `cursor` (views of the
    /// list are not content: the documents' own pages and PDFs are ledgered).
    pub async fn case_documents(
        &self,
        actor: &UserRecord,
        case_id: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Value>, Option<String>), AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, Action::ViewCase, Some(&case))?;
        let after = cursor.map(|c| super::policy::parse_cursor(c).map(|(_, id)| id)).transpose()?;
        let q = DocumentQuery { case_id: case_id.to_string(), after, limit: limit as u32 + 1, ..Default::default() };
        let rows = self.store.document_page(&q).await?;
        let more = rows.len() > limit;
        let classes = self.record_classes(case_id).await?;
        let mut out = Vec::new();
        for s in rows.iter().take(limit) {
            let class = classes.get(&format!("{PREFIX}{}", s.id)).and_then(Value::as_str);
            if !self.sees_record(actor, &case, class) {
                let name = document::spec(&s.code).map_or("", |x| x.name);
                out.push(json!({"id": s.id, "code": s.code, "name": name,
                    "withheld": super::records::class_label(class.unwrap_or_default())}));
                continue;
            }
            let v: Value = serde_json::from_str(&s.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            let events = v["events"].as_array().map(Vec::as_slice).unwrap_or_default();
            if let Some(d) = document_json(&s.id, case_id, events, &v["extra"]) {
                out.push(json!({"id": s.id, "code": d["code"], "name": d["name"], "state": d["state"],
                    "state_name": d["state_name"], "pdf_sha256": d["pdf_sha256"], "issued": d["issued"],
                    "superseded_by": d["superseded_by"], "missing": d["missing"].as_array().map_or(0, Vec::len)}));
            }
        }
        let next = match (more, rows.get(limit.saturating_sub(1))) {
            (true, Some(last)) => Some(super::policy::cursor_of(0, &last.id)),
            _ => None,
        };
        Ok((out, next))
    }

    /// The standing (not superseded) documents of `code` on case `case_id`: (id, document, the
    /// hash of its current content) — a range of the documents' index by case and code.
    async fn forms_of(&self, case_id: &str, code: &str) -> Result<Vec<(String, Document, String)>, AppError> {
        let mut out = Vec::new();
        let q = DocumentQuery {
            case_id: case_id.to_string(),
            code: Some(code.to_string()),
            standing: true,
            after: None,
            limit: u32::MAX,
        };
        // Ids are UUIDv7, in order: the latest last.
        for s in self.store.document_page(&q).await? {
            let v: Value = serde_json::from_str(&s.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            let Some(d) = replay(v["events"].as_array().map(Vec::as_slice).unwrap_or_default()) else { continue };
            let hash = content_hash(d.spec.code, &d.fields, d.supersedes.as_ref().map(|(s, _)| s.as_str()));
            out.push((s.id.clone(), d, hash));
        }
        Ok(out)
    }

    /// Whether case `case_id` has a document of `code` finalised (its signatures complete) or
    /// issued (not superseded).
    pub(crate) async fn final_document(&self, case_id: &str, code: &str) -> Result<bool, AppError> {
        let done = |s: document::State| matches!(s, document::State::Final | document::State::Issued);
        Ok(self.forms_of(case_id, code).await?.iter().any(|(_, d, _)| done(d.state)))
    }

    /// Whether case `case_id` has a document of `code` issued under seal (not superseded).
    pub(crate) async fn issued_document(&self, case_id: &str, code: &str) -> Result<bool, AppError> {
        Ok(self.forms_of(case_id, code).await?.iter().any(|(_, d, _)| d.state == document::State::Issued))
    }

    /// The latest fully approved, not superseded 内部审批文书 of `code` on case `case_id`, with
    /// its approvals on its current content (办法第十五条): what a case command's approval rests
    /// on. An approved draft counts too: any revision voids its approvals (rendering the PDF is
    /// not a condition of the approval).
    pub(crate) async fn approved_form(
        &self,
        case_id: &str,
        code: &str,
    ) -> Result<Option<(String, liuhen_core::penalty::Approval, Timestamp)>, AppError> {
        let mut best = None;
        for (id, d, hash) in self.forms_of(case_id, code).await? {
            let current = d.current_approvals(&hash);
            let step = |k: &str| {
                current.iter().find(|a| a.step == k).map(|a| liuhen_core::penalty::Opinion {
                    by: a.name.clone(),
                    person: a.person.clone(),
                    opinion: a.opinion.clone(),
                    date: a.at.shanghai_date(),
                    // Its signature is over the form's own statement, shown with the form; a
                    // signature in a case event is over that event's step statement only.
                    key_id: String::new(),
                    signature: String::new(),
                })
            };
            // When the 批准人 approved: what rests on the form was approved from then on.
            let approved_at = current.iter().find(|a| a.step == "approver").map(|a| a.at);
            if let (Some(handler), Some(reviewer), Some(approver), Some(at)) =
                (step("handler"), step("reviewer"), step("approver"), approved_at)
            {
                best = Some((id, liuhen_core::penalty::Approval { handler, reviewer, approver }, at));
            }
        }
        Ok(best)
    }

    /// The 文号 of the case's one 行政处罚决定 (办法第十三条; 行政处罚法第五十九条): the one its
    /// recorded decision carries, else that of a 行政处罚决定书 issued on it (not superseded).
    pub(crate) async fn decision_doc_no(&self, case_id: &str) -> Result<Option<String>, AppError> {
        if let Some(d) = self.last_detail(case_id, "case.decided").await?
            && let Some(no) = d["doc"]["doc_no"].as_str().filter(|n| !n.trim().is_empty())
        {
            return Ok(Some(no.to_string()));
        }
        Ok(self.issued_decision(case_id, "").await?.map(|(_, no)| no))
    }

    /// A 行政处罚决定书 issued on the case other than document `except`, with its 文号.
    pub(crate) async fn issued_decision(
        &self,
        case_id: &str,
        except: &str,
    ) -> Result<Option<(String, String)>, AppError> {
        Ok(self
            .forms_of(case_id, "D36")
            .await?
            .into_iter()
            .filter(|(id, _, _)| id != except)
            .find_map(|(id, d, _)| d.issued.map(|(no, _, _)| (id, no))))
    }

    /// The case's latest finalised 集体讨论记录 (`document-id@content-sm3`), the members who
    /// confirmed it on its current content, each with their own account (行政处罚法第五十七条第二款),
    /// and the conclusion it records: empty when there is none.
    pub(crate) async fn discussion_members(&self, case_id: &str) -> Result<(String, Vec<String>, String), AppError> {
        let forms = self.forms_of(case_id, super::signer::DISCUSSION_RECORD).await?;
        // Only a record its members confirmed and its drafter finalised is one (办法第十五条).
        let finalised = |d: &Document| matches!(d.state, document::State::Final | document::State::Issued);
        let Some((id, d, hash)) = forms.iter().rev().find(|(_, d, _)| finalised(d)) else {
            return Ok((String::new(), Vec::new(), String::new()));
        };
        let mut names: Vec<String> = d
            .signatures
            .iter()
            .filter(|s| s.role == "member" && s.person.starts_with("user:") && s.content_hash == *hash)
            .map(|s| s.name.clone())
            .collect();
        names.dedup();
        let conclusion = d.fields.get("conclusion").cloned().unwrap_or_default();
        Ok((format!("{id}@{hash}"), names, conclusion))
    }

    /// One document, its view ledgered on its case first.
    pub async fn document(&self, actor: &UserRecord, id: &str, purpose: &str) -> Result<Value, AppError> {
        let (v, case) = self.document_for(actor, id, Action::ViewCase).await?;
        let events = v["events"].as_array().map(Vec::as_slice).unwrap_or_default();
        let mut d = document_json(id, &case.id, events, &v["extra"])
            .ok_or_else(|| AppError::Internal("a document's events do not replay".into()))?;
        let class = self.record_classes(&case.id).await?.get(&format!("{PREFIX}{id}")).cloned();
        d["class"] = class.unwrap_or(Value::Null);
        // 办法第二十四条 保密: phones and identity numbers typed in its text are for those who
        // handle the case (who made it, and serve it) and those who sign it — starred for the
        // others. Where one was, its content hash is withheld from them too: with the rest of
        // the text, the hash would let them find the number by trying each (helper 19).
        if let Some(spec) = document::spec(d["code"].as_str().unwrap_or_default())
            && !super::policy::handles(actor, &case)
            && !may_sign(actor, spec)
        {
            let before = d.clone();
            masked_for_others(spec, &mut d);
            if d != before {
                d["content_hash"] = Value::Null;
                d["content_hash_withheld"] = Value::from(true);
            }
        }
        let what = format!("执法文书：{}", d["name"].as_str().unwrap_or_default());
        self.record_access_of(actor, &case.id, Some(&format!("{PREFIX}{id}")), Access::View, &what, purpose).await?;
        Ok(d)
    }

    /// Starts a document on a case: a new one, or a correction of a finalised one.
    pub async fn create_document(&self, actor: &UserRecord, case_id: &str, req: &Value) -> Result<Value, AppError> {
        super::retrying(|| self.create_document_once(actor, case_id, req)).await
    }

    /// [`create_document`](Self::create_document) from one read of what it corrects.
    async fn create_document_once(&self, actor: &UserRecord, case_id: &str, req: &Value) -> Result<Value, AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, Action::CommandCase, Some(&case))?;
        let code = text(req, "code", 16)?;
        drafter(actor, &case, &code)?;
        let mut fields = fields_of(req)?;
        let mut corrected = None;
        let supersedes = match req["supersedes"].as_str() {
            None => None,
            Some(old) => {
                self.document_for(actor, old, Action::CommandCase).await?;
                let (prev, read) = self.versioned_document(old).await?;
                let d = replay(prev["events"].as_array().map(Vec::as_slice).unwrap_or_default())
                    .ok_or_else(|| AppError::Internal("a document's events do not replay".into()))?;
                if prev["case"] != case_id || d.spec.code != code {
                    return Err(AppError::BadRequest("更正版本须与原文书同案件、同文书种类".into()));
                }
                if d.state == document::State::Draft {
                    return Err(AppError::BadRequest("草稿可直接修改，无需更正版本".into()));
                }
                if !prev["extra"]["superseded_by"].is_null() {
                    return Err(AppError::Conflict("该文书已有更正版本".into()));
                }
                fields = unmasked(d.spec, fields, &d.fields);
                corrected = Some((prev, read));
                Some((old.to_string(), text(req, "reason", 1000)?))
            }
        };
        let kind = kind_code(&case);
        let e = document::draft(&code, kind, fields, supersedes.clone()).map_err(refused)?;
        let id = format!("doc-{}", uuid::Uuid::now_v7().simple());
        let mut extra_ops = Vec::new();
        // 办法第二十四条: a correction is classed as what it corrects (it holds the same content).
        let mut extra = json!({});
        if let Some((old, _)) = &supersedes
            && let Some(class) = self.record_classes(case_id).await?.get(&format!("{PREFIX}{old}"))
        {
            extra["class"] = class.clone();
        }
        if let (Some((old, _)), Some((prev, read))) = (&supersedes, corrected) {
            // One correction each: a second at the same moment finds this one.
            let next = fold_extra(&prev, json!({"superseded_by": id}));
            extra_ops.push(put_document(old, &next, read)?);
        }
        self.record_document(actor, &id, case_id, None, e, extra, vec![], extra_ops).await
    }

    /// One step on a document, from the API's JSON: `revise`, `approve`, `sign`, `refuse`,
    /// `finalise` or `issue`.
    pub async fn document_command(&self, actor: &UserRecord, id: &str, cmd: &Value) -> Result<Value, AppError> {
        super::retrying(|| self.document_command_once(actor, id, cmd)).await
    }

    /// [`document_command`](Self::document_command) from one read of the document.
    async fn document_command_once(&self, actor: &UserRecord, id: &str, cmd: &Value) -> Result<Value, AppError> {
        let (_, case) = self.document_for(actor, id, Action::CommandCase).await?;
        let (prev, read) = self.versioned_document(id).await?;
        let events = prev["events"].as_array().cloned().unwrap_or_default();
        let d = replay(&events).ok_or_else(|| AppError::Internal("a document's events do not replay".into()))?;
        let hash = content_hash(d.spec.code, &d.fields, d.supersedes.as_ref().map(|(s, _)| s.as_str()));
        // The law's steps are dated by the server's clock for them (approvals, signatures).
        let now = self.clock.now();
        let me = format!("user:{}", actor.id);
        let my_name = self.actor_name(actor).await?;
        // Signatures and approvals bind the content their signer saw.
        let seen = |cmd: &Value| -> Result<(), AppError> {
            match cmd["content_hash"].as_str() {
                Some(h) if h == hash => Ok(()),
                Some(_) => Err(AppError::Conflict("文书内容已变更，请重新预览后再修改、签名或审批".into())),
                None => Err(AppError::BadRequest("须提交所见文书内容的 content_hash".into())),
            }
        };
        let mut blobs = Vec::new();
        let mut extra = json!({});
        let mut ops = Vec::new();
        let e = match cmd["type"].as_str().unwrap_or_default() {
            "revise" => {
                // 办法第十五条: the handler drafts (an officer, or the 法制审核人员 their own
                // opinion); an approver agrees or returns, never edits.
                drafter(actor, &case, d.spec.code)?;
                // One who approved it (beyond the drafter's own 承办人 step) does not then edit
                // what they approved, even when they are also an officer of the case.
                if d.approvals.iter().any(|a| a.person == me && a.step != "handler") {
                    return Err(AppError::NotYourStep(
                        "您已审批过本文书：审批人只能同意或退回，不得修改（办法第十五条）".into(),
                    ));
                }
                // An edit replaces the content its editor saw, never another's edit made since.
                seen(cmd)?;
                let fields = unmasked(d.spec, fields_of(cmd)?, &d.fields);
                d.revise(fields).map_err(refused)?
            }
            "approve" => {
                seen(cmd)?;
                let step = text(cmd, "step", 16)?;
                if !takes_step(&roles(actor), &step) {
                    return Err(AppError::NotYourStep(step_refusal(&step)));
                }
                // Each step by its own person: one account does not approve its own submission.
                if d.current_approvals(&hash).iter().any(|a| a.person == me) {
                    return Err(AppError::NotYourStep("同一审批表的各环节须由不同人员审批（办法第十五条）".into()));
                }
                let mut a = Approval {
                    step,
                    person: me.clone(),
                    name: my_name.clone(),
                    opinion: text(cmd, "opinion", 2000)?,
                    reason: text(cmd, "reason", 2000)?,
                    at: now,
                    content_hash: hash.clone(),
                    key_id: String::new(),
                    signature: String::new(),
                };
                // Decided first, then signed with the approver's own key (电子签名法第十三条).
                d.approve(a.clone()).map_err(refused)?;
                let statement = approval_statement_with_reason(id, &a.step, &hash, &me, now.0, &a.opinion, &a.reason);
                let signed =
                    self.sign_as(actor, cmd["password"].as_str().unwrap_or_default(), now.0, &statement).await?;
                (a.key_id, a.signature) = (signed.key_id, signed.signature);
                d.approve(a).map_err(refused)?
            }
            "sign" => {
                seen(cmd)?;
                let role = text(cmd, "role", 32)?;
                let method = match cmd["method"].as_str().unwrap_or("pad") {
                    m @ ("pad" | "paper") => m.to_string(),
                    _ => {
                        return Err(AppError::BadRequest("method 须为 pad（签名板）或 paper（纸质签名扫描件）".into()));
                    }
                };
                // Officers sign as themselves, through their own accounts.
                let (name, person) = if matches!(role.as_str(), "officer" | "server" | "host" | "reviewer") {
                    if actor.officer_id.is_empty() {
                        return Err(AppError::BadRequest("执法人员须以本人账号签名".into()));
                    }
                    // 法制审核意见书: signed by a 法制审核人员 (行政处罚法第五十八条; 办法第十五条).
                    if role == "reviewer" && !roles(actor).contains(&Role::LegalReviewer) {
                        return Err(AppError::NotYourStep("法制审核意见须由法制审核人员以本人账号签名".into()));
                    }
                    // One signature a person in a role on the same content.
                    let signed =
                        |s: &Signature| s.role == role && s.person == actor.officer_id && s.content_hash == hash;
                    if d.signatures.iter().any(signed) {
                        return Err(AppError::Duplicate("您已以该身份在本文书上签名".into()));
                    }
                    (my_name.clone(), actor.officer_id.clone())
                } else if role == "member" {
                    // 集体讨论: each member confirms the record with their own account.
                    if !roles(actor).contains(&Role::DiscussionMember) {
                        return Err(AppError::NotYourStep("集体讨论记录须由参加讨论的负责人本人签名确认".into()));
                    }
                    if d.signatures.iter().any(|s| s.role == "member" && s.person == me && s.content_hash == hash) {
                        return Err(AppError::Duplicate("您已在本记录上签名".into()));
                    }
                    (my_name.clone(), me.clone())
                } else {
                    (text(cmd, "name", 100)?, String::new())
                };
                let image = image_of(cmd)?;
                self.check_image(&image).await?;
                let own = !person.is_empty();
                let image_sha256 = liuhen_log::Hash::digest(&image).to_hex();
                let mut s = Signature {
                    role,
                    name,
                    person,
                    method,
                    image_sha256,
                    content_hash: hash.clone(),
                    at: now,
                    key_id: String::new(),
                    signature: String::new(),
                };
                d.sign(s.clone()).map_err(refused)?;
                if own {
                    // An officer's or member's handwriting is backed by their own SM2 signature.
                    let statement =
                        approval_statement(id, &format!("sign:{}", s.role), &hash, &s.person, now.0, &s.image_sha256);
                    let signed =
                        self.sign_as(actor, cmd["password"].as_str().unwrap_or_default(), now.0, &statement).await?;
                    (s.key_id, s.signature) = (signed.key_id, signed.signature);
                }
                let blob = self.blobs.put(bytes::Bytes::from(image)).await?;
                blobs.push(blob);
                d.sign(s).map_err(refused)?
            }
            "refuse" => {
                seen(cmd)?;
                let officers: Vec<String> = cmd["officers"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|o| o.as_str().map(|s| s.trim().to_string())).collect())
                    .unwrap_or_default();
                if !actor.officer_id.is_empty() && !officers.contains(&actor.officer_id) {
                    return Err(AppError::BadRequest("注明拒签的执法人员须包括本人".into()));
                }
                let mut names = Vec::new();
                for o in &officers {
                    match self.store.officer(o).await {
                        Ok(r) => names.push(r.name),
                        Err(StoreError::NotFound) => {
                            return Err(AppError::UnknownReference(format!("执法人员 {o} 未登记")));
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                d.refuse(RefusalNote {
                    role: text(cmd, "role", 32)?,
                    who: text(cmd, "who", 100)?,
                    reason: text(cmd, "reason", 1000)?,
                    officers: names,
                    witness: text(cmd, "witness", 100)?,
                    content_hash: hash.clone(),
                    at: now,
                })
                .map_err(refused)?
            }
            "return" => {
                seen(cmd)?;
                let step = d.next_step(&hash).map(|(k, _)| k.to_string()).unwrap_or_default();
                if step.is_empty() || step == "handler" {
                    return Err(AppError::InvalidState("该文书没有待审批的环节，不能退回".into()));
                }
                if !takes_step(&roles(actor), &step) {
                    return Err(AppError::NotYourStep(step_refusal(&step)));
                }
                d.return_step(document::Return {
                    step,
                    person: me.clone(),
                    name: my_name.clone(),
                    reasons: text(cmd, "reasons", 2000)?,
                    at: now,
                    content_hash: hash.clone(),
                })
                .map_err(refused)?
            }
            "attach" => {
                let key = text(cmd, "key", 32)?;
                let (bytes, media) = file_of(cmd)?;
                let blob = self.blobs.put(bytes::Bytes::from(bytes)).await?;
                blobs.push(blob);
                d.attach(&key, &blob.sha256.to_hex(), media, now).map_err(refused)?
            }
            "finalise" => {
                // The drafter closes what they drafted, once its approvals and signatures are in.
                drafter(actor, &case, d.spec.code)?;
                let missing = d.missing(&hash);
                if !missing.is_empty() {
                    return Err(refused(liuhen_core::rules::Refusal { violations: missing }.into()));
                }
                let pdf = self.render_pdf(&case, id, &d, None, false).await?;
                let blob = self.blobs.put(bytes::Bytes::from(pdf.bytes)).await?;
                blobs.push(blob);
                d.finalise(&hash, &blob.sha256.to_hex(), pdf.pages as u32, now).map_err(refused)?
            }
            "issue" => {
                // 签发: by the 负责人, or by the officers for what they issue on site.
                let rs = roles(actor);
                let may = match d.spec.issuer {
                    document::Issuer::Head => rs.contains(&Role::Approver),
                    document::Issuer::Officer => rs.contains(&Role::Officer) || rs.contains(&Role::Approver),
                };
                if !may {
                    return Err(AppError::NotYourStep(format!(
                        "{}须由{}签发（办法第十三条、第十五条）",
                        d.spec.name,
                        d.spec.issuer.label()
                    )));
                }
                if let Some(form) = d.spec.requires
                    && self.approved_form(&case.id, form).await?.is_none()
                {
                    let name = document::spec(form).map_or(form, |s| s.name);
                    return Err(refused(
                        liuhen_core::rules::Refusal {
                            violations: vec![
                                liuhen_core::rules::R_131
                                    .violated("requires", format!("本案尚无审批完成的{name}，不能签发{}", d.spec.name)),
                            ],
                        }
                        .into(),
                    ));
                }
                let keys = self.documents.seal.clone().ok_or_else(|| {
                    AppError::InvalidState("未配置电子印章密钥（数据目录 keys/seal-sm2），不能签发".into())
                })?;
                let agency = self.agency().await?;
                let date = match cmd["date"].as_str() {
                    Some(s) => Date::parse(s).map_err(|_| AppError::BadRequest("date 须为 YYYY-MM-DD".into()))?,
                    None => now.shanghai_date(),
                };
                // R-064b: the 成文日期 is neither ahead of today nor before the document was drafted.
                let drafted = events.first().and_then(|e| e["at"].as_i64()).map(|t| Timestamp(t).shanghai_date());
                if date > now.shanghai_date() || drafted.is_some_and(|d| date < d) {
                    return Err(AppError::Refused(vec![liuhen_core::rules::R_064B.violated(
                        "date",
                        format!(
                            "成文日期 {date} 须在文书起草之日（{}）至今日（{}）之间",
                            drafted.map_or_else(String::new, |d| d.to_string()),
                            now.shanghai_date()
                        ),
                    )]));
                }
                // 文号: as typed, else the next of the office's numbering scheme (app::numbering).
                let supersedes = d.supersedes.as_ref().map(|(s, _)| s.as_str());
                let mut typed = text(cmd, "doc_no", 64)?;
                if d.spec.code == "D36" {
                    // One decision, one 决定书, one 文号 (办法第十三条): a second is refused; the
                    // number is the recorded decision's.
                    if let Some((other, no)) = self.issued_decision(&case.id, id).await?
                        && Some(other.as_str()) != supersedes
                    {
                        return Err(AppError::Duplicate(format!("本案已签发行政处罚决定书（{no}）；更正请作更正版本")));
                    }
                    // 行政处罚法第五十九条: the 决定书 states the decision the case recorded — after
                    // its notice, review, discussion and approval — and issues under its 文号; it
                    // is not sealed before that decision, nor with another penalty.
                    let decided = self.last_detail(&case.id, "case.decided").await?.ok_or_else(|| {
                        AppError::Refused(vec![liuhen_core::rules::R_065.violated(
                            "decision",
                            "本案尚未作出处罚决定（告知、审核、批准后记录决定），不能签发行政处罚决定书",
                        )])
                    })?;
                    if let Some(penalty) = super::summary::parse_penalty(&decided["doc"]["penalty"])
                        && !penalty.stated_in(d.fields.get("basis").map_or("", String::as_str))
                    {
                        return Err(AppError::Refused(vec![liuhen_core::rules::R_065.violated(
                            "basis",
                            format!(
                                "决定书载明的处罚须为本案决定的处罚（{}）",
                                decided["doc"]["penalty"]["label"].as_str().unwrap_or_default()
                            ),
                        )]));
                    }
                    if let Some(no) = self.decision_doc_no(&case.id).await? {
                        if typed.trim().is_empty() {
                            typed = no;
                        } else if super::numbering::canonical_no(&typed) != super::numbering::canonical_no(&no) {
                            return Err(AppError::Refused(vec![
                                liuhen_core::rules::R_065
                                    .violated("doc_no", format!("决定书文号须为本案处罚决定记录的文号“{no}”")),
                            ]));
                        }
                    }
                }
                let (numbered, registry) = self.doc_no_or_next((id, &case.id, d.spec.code), &typed, supersedes).await?;
                ops.extend(registry);
                let doc_no = numbered.no;
                // Decide first on the rendering to come, then render and seal.
                d.issue(&agency, &doc_no, date, "", now).map_err(refused)?;
                let seal_kind = agency
                    .seals
                    .iter()
                    .find(|s| s.kind == d.spec.seal_kind && s.valid_from <= date && date <= s.valid_to)
                    .map_or("公章".to_string(), |s| s.kind.clone());
                let seal = agency
                    .seals
                    .iter()
                    .find(|s| s.kind == seal_kind && s.valid_from <= date && date <= s.valid_to)
                    .cloned()
                    .ok_or_else(|| AppError::Internal("a seal valid a moment ago is gone".into()))?;
                let issued = (doc_no.clone(), date, seal_kind.clone(), agency.name.clone());
                let pdf = self.render_pdf(&case, id, &d, Some(&issued), false).await?;
                let info = liuhen_log::seal::SealInfo {
                    // esID (ASCII): the office's code and the seal's place in its profile.
                    id: format!(
                        "{}-ES{}",
                        agency.uscc,
                        agency.seals.iter().position(|s| *s == seal).map_or(0, |i| i + 1)
                    ),
                    name: format!("{}{}", agency.name, seal_kind),
                    kind: 1,
                    created_ms: seal.valid_from.start().0,
                    valid_from_ms: seal.valid_from.start().0,
                    valid_to_ms: seal.valid_to.end().0,
                    picture_svg: seal_svg(&agency.name, &seal_kind).into_bytes(),
                    width_mm: 42,
                    height_mm: 42,
                };
                let sealed = liuhen_log::seal::seal(&keys, &info, &pdf.bytes, now.0, &format!("liuhen {id}"));
                let pdf_blob = self.blobs.put(bytes::Bytes::from(pdf.bytes)).await?;
                let seal_blob = self.blobs.put(bytes::Bytes::from(sealed.der)).await?;
                extra = json!({"seal_sha256": seal_blob.sha256.to_hex(),
                               "ed25519": base64::engine::general_purpose::STANDARD.encode(&sealed.ed25519),
                               "numbered": numbered.numbered});
                blobs.push(pdf_blob);
                blobs.push(seal_blob);
                d.issue(&agency, &doc_no, date, &pdf_blob.sha256.to_hex(), now).map_err(refused)?
            }
            _ => {
                return Err(AppError::BadRequest(
                    "type 须为 revise、approve、return、sign、refuse、attach、finalise 或 issue".into(),
                ));
            }
        };
        self.record_document(actor, id, &case.id, Some((&prev, read)), e, extra, blobs, ops).await
    }

    /// A signature image the PDF can show, else 400 before anything is kept.
    async fn check_image(&self, image: &[u8]) -> Result<(), AppError> {
        let dirs = self.documents.font_dirs.clone();
        let image = image.to_vec();
        let checked = tokio::task::spawn_blocking(move || {
            let fonts = liuhen_pdf::shared(&dirs)?;
            liuhen_pdf::check_image(&fonts, &image)
        })
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))?;
        match checked {
            Ok(()) => Ok(()),
            Err(e @ liuhen_pdf::PdfError::NoChineseFont(_)) => Err(AppError::Unavailable(e.to_string())),
            Err(_) => Err(AppError::Unprocessable("签名图像无法读取（文件已损坏或不是图像）".into())),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_document(
        &self,
        actor: &UserRecord,
        id: &str,
        case_id: &str,
        prev: Option<(&Value, u64)>,
        e: Event,
        extra: Value,
        blobs: Vec<BlobRef>,
        mut ops: Vec<Op>,
    ) -> Result<Value, AppError> {
        let (prev, read) = (prev.map(|p| p.0), prev.map_or(0, |p| p.1));
        let actor_name = format!("user:{}", actor.id);
        let at = now_ms();
        let mut ev = event_json(&e);
        // The 文号's place in its series is part of the issue, behind the commitment with the 文号.
        let mut extra = extra;
        if let Some(numbered) = extra.as_object_mut().and_then(|m| m.remove("numbered")) {
            ev["numbered"] = numbered;
        }
        // The class a correction takes from what it corrects: in the clear (a class's code), so
        // a rebuild gives the new version its class as the live write did.
        let class = extra.as_object_mut().and_then(|m| m.remove("class"));
        let mut content = Vec::new();
        liuhen_log::entry::write_canonical(&ev, &mut content);
        let mut salt = [0u8; 32];
        fill_random(&mut salt);
        let c = commitment(&salt, &content);
        let next = fold(prev, id, case_id, &ev, &actor_name, at, &extra);
        let events = next["events"].as_array().map(Vec::as_slice).unwrap_or_default();
        let d = replay(events).ok_or_else(|| AppError::Internal("a document's events do not replay".into()))?;
        let mut pub_body = json!({"document": id, "event": event_code(&e), "code": d.spec.code,
            "state": d.state.code(), "detail": {"commit": c.to_hex()}, "recorded_at": at,
            "content_hash": content_hash(d.spec.code, &d.fields, d.supersedes.as_ref().map(|(s, _)| s.as_str()))});
        if let Event::Finalised { pdf_sha256, .. } | Event::Issued { pdf_sha256, .. } = &e {
            pub_body["pdf_sha256"] = json!(pdf_sha256);
        }
        if let Event::Drafted { supersedes: Some((old, _)), .. } = &e {
            pub_body["supersedes"] = json!(old);
        }
        if let Some(class) = class {
            ops.push(Op::PutRecordMark {
                record: super::record_mark(case_id, super::records::CLASS, &format!("{PREFIX}{id}"), &class),
                expected_version: Some(0),
            });
            pub_body["class"] = class;
        }
        for (k, v) in extra.as_object().into_iter().flatten() {
            pub_body[k] = v.clone();
        }
        ops.extend(blobs.iter().map(|b| Op::RecordBlob(*b)));
        let draft = EntryDraft::new(
            &actor_name,
            &format!("document.{}", event_code(&e)),
            Some(case_id),
            body(pub_body),
            blobs,
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        ops.insert(0, Op::PutOpening { commitment: c, salt, content });
        ops.push(put_document(id, &next, read)?);
        // Its approval step waiting, if one does, in the 审批待办.
        ops.push(Op::SetTasks {
            case_id: case_id.to_string(),
            source: format!("{}{id}", super::inbox::DOCUMENT_SOURCE),
            rows: super::inbox::document_task_rows(id, case_id, &next),
        });
        self.append(draft, ops).await?;
        document_json(id, case_id, events, &next["extra"])
            .ok_or_else(|| AppError::Internal("unreadable document".into()))
    }

    /// Renders a document: a draft's preview, the finalised record, or (with `issued`: 文号,
    /// date, seal kind, office) the issued document with its seal.
    async fn render_pdf(
        &self,
        case: &CaseRecord,
        id: &str,
        d: &Document,
        issued: Option<&(String, Date, String, String)>,
        masked: bool,
    ) -> Result<liuhen_pdf::Pdf, AppError> {
        // A masked copy shows what one who does not handle the case reads ([`shown_to_others`]).
        let text = |key: &str, v: &str| if masked { shown_to_others(d.spec, key, v) } else { v.to_string() };
        let agency = self.agency().await?;
        let mut images = Vec::new();
        let hash = content_hash(d.spec.code, &d.fields, d.supersedes.as_ref().map(|(s, _)| s.as_str()));
        let mut signatures = Vec::new();
        let mut cross_page = None;
        for (i, s) in d.signatures.iter().filter(|s| s.content_hash == hash).enumerate() {
            let sha = liuhen_log::Hash::from_hex(&s.image_sha256)
                .ok_or_else(|| AppError::Internal("a signature's image hash is unreadable".into()))?;
            let bytes = self.blobs.get(&sha).await?;
            let ext = if bytes.starts_with(b"\x89PNG") { "png" } else { "jpg" };
            let path = format!("/img/sig-{i}.{ext}");
            images.push((path.clone(), bytes.to_vec()));
            let spec = d.spec.signers.iter().find(|x| x.role == s.role);
            // 办法第十四条: a multi-page record carries the party's 骑缝 — their signature runs
            // across every page's edge.
            if cross_page.is_none() && spec.is_some_and(|x| x.refusable) {
                cross_page = Some(path.clone());
            }
            let role = spec.map_or(s.role.as_str(), |x| x.name);
            signatures.push(json!({"role": role, "name": s.name, "at": moment(s.at.0), "image": path}));
        }
        for r in d.refusals.iter().filter(|r| r.content_hash == hash) {
            let role = d.spec.signers.iter().find(|x| x.role == r.role).map_or(r.role.as_str(), |x| x.name);
            let mut note = format!("{}拒绝签字：{}。注明人：{}", r.who, r.reason, r.officers.join("、"));
            if !r.witness.is_empty() {
                note.push_str(&format!("；见证人：{}", r.witness));
            }
            // The masked copy stars the numbers typed in notes and opinions too (helper 19).
            let note = if masked { super::publication::mask_personal_numbers(&note) } else { note };
            signatures.push(json!({"role": role, "name": "（拒绝签字）", "at": moment(r.at.0), "note": note}));
        }
        let approvals: Vec<Value> = document::STEPS
            .iter()
            .filter_map(|(step, label)| {
                let a = d.approvals.iter().rev().find(|a| a.step == *step && a.content_hash == hash)?;
                let said = |t: &str| if masked { super::publication::mask_personal_numbers(t) } else { t.to_string() };
                Some(json!({"step": label, "opinion": said(&a.opinion),
                            "reason": (!a.reason.is_empty()).then(|| said(&a.reason)),
                            "name": a.name, "date": chinese_date(a.at.shanghai_date())}))
            })
            .collect();
        let blocks: Vec<Value> = d
            .spec
            .fields
            .iter()
            .filter_map(|f| {
                d.fields
                    .get(f.key)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| json!({"label": f.label, "text": text(f.key, v)}))
            })
            .collect();
        let mut blocks = blocks;
        if let Some(day) = d.deemed_served_on() {
            blocks.push(
                json!({"label": "视为送达日期", "text": format!("{}（公告发布之日起经过三十日）", chinese_date(day))}),
            );
        }
        if !d.changes.is_empty() {
            // 办法第十四条: each change after the party signed, confirmed by their fresh signature.
            let list: Vec<String> = d
                .changes
                .iter()
                .map(|(k, before, after)| {
                    let label = d.spec.fields.iter().find(|f| f.key == k).map_or(k.as_str(), |f| f.label);
                    format!("“{label}”由“{}”改为“{}”", text(k, before), text(k, after))
                })
                .collect();
            // Said as it stands: confirmed only once a party's signature binds the changed text.
            let party = |role: &str| d.spec.signers.iter().any(|x| x.role == role && x.refusable);
            let confirmed = d.signatures.iter().any(|s| s.content_hash == hash && party(&s.role));
            let label = if confirmed {
                "更改处（当事人已在更改后重新签名确认）"
            } else {
                "更改处（待当事人重新签名确认）"
            };
            blocks.push(json!({"label": label, "text": list.join("\n")}));
        }
        if !d.attachments.is_empty() {
            let list: Vec<String> = d
                .attachments
                .iter()
                .map(|(k, sha, _)| {
                    let label = d.spec.attachments.iter().find(|(x, _, _)| x == k).map_or(k.as_str(), |(_, l, _)| *l);
                    format!("{label}（SHA-256 {}…）", &sha[..16.min(sha.len())])
                })
                .collect();
            blocks.push(json!({"label": "附件（已存档）", "text": list.join("\n")}));
        }
        let state = if masked {
            "遮蔽件（身份证件号码、电话已遮蔽，非原件）"
        } else if issued.is_some() {
            "签发"
        } else if d.state == document::State::Draft {
            "草稿（预览）"
        } else {
            "定稿"
        };
        let mut data = json!({
            "agency": agency.name, "title": d.spec.name, "case_no": case.case_no, "blocks": blocks,
            "approvals": approvals, "signatures": signatures,
            "footer": format!("{state} · 文书 {id} · 内容SM3 {}", &hash[..16]),
        });
        if let Some((no, date, kind, office)) = issued {
            data["doc_no"] = json!(no);
            data["seal"] = json!({"agency": office, "kind": kind, "date": chinese_date(*date)});
        }
        // The file's date (a PDF/A must have one): the day of issue, else the day it is made.
        let made = issued.map_or_else(|| self.clock.now().shanghai_date(), |(_, date, _, _)| *date);
        data["pdf_date"] = json!(made.to_string());
        if let Some(p) = cross_page {
            data["cross_page"] = json!(p);
        }
        if let Some((old, reason)) = &d.supersedes {
            data["lead"] = json!(format!("本文书为文书 {old} 的更正版本。更正理由：{reason}"));
        }
        let dirs = self.documents.font_dirs.clone();
        tokio::task::spawn_blocking(move || {
            let fonts = liuhen_pdf::shared(&dirs)?;
            liuhen_pdf::render(&fonts, &data, &images)
        })
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))?
        .map_err(|e| match e {
            liuhen_pdf::PdfError::NoChineseFont(_) => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(Box::new(other)),
        })
    }

    /// The PDF of a document, its view ledgered first: a draft's preview (rendered now, not
    /// kept), else the finalised or issued rendering named in the log.
    pub async fn document_pdf(&self, actor: &UserRecord, id: &str, purpose: &str) -> Result<Vec<u8>, AppError> {
        let (v, case) = self.document_for(actor, id, Action::ViewCase).await?;
        let events = v["events"].as_array().cloned().unwrap_or_default();
        let d = replay(&events).ok_or_else(|| AppError::Internal("a document's events do not replay".into()))?;
        // 办法第二十四条 保密: the document itself carries identity numbers whole; one who does
        // not act on the case (a 监督人员, an archivist) reads a copy with them masked, rendered now.
        let starred = |t: &str| super::publication::mask_personal_numbers(t) != t;
        let personal = d.fields.iter().any(|(k, v)| shown_to_others(d.spec, k, v) != *v)
            || d.approvals.iter().any(|a| starred(&a.opinion) || starred(&a.reason))
            || d.refusals.iter().any(|r| starred(&r.who) || starred(&r.reason) || starred(&r.witness));
        let masked = personal && !super::policy::handles(actor, &case) && !may_sign(actor, d.spec);
        let what = format!("执法文书 PDF：{}{}", d.spec.name, if masked { "（遮蔽件）" } else { "" });
        self.record_access_of(actor, &case.id, Some(&format!("{PREFIX}{id}")), Access::Download, &what, purpose)
            .await?;
        match &d.pdf_sha256 {
            _ if masked => Ok(self.render_pdf(&case, id, &d, None, true).await?.bytes),
            Some(sha) => {
                let h =
                    liuhen_log::Hash::from_hex(sha).ok_or_else(|| AppError::Internal("unreadable PDF hash".into()))?;
                Ok(self.blobs.get(&h).await?.to_vec())
            }
            None => Ok(self.render_pdf(&case, id, &d, None, false).await?.bytes),
        }
    }

    /// The seal (DER SES_Signature) of an issued document, its access ledgered.
    pub async fn document_seal(&self, actor: &UserRecord, id: &str) -> Result<Vec<u8>, AppError> {
        let (v, case) = self.document_for(actor, id, Action::ViewCase).await?;
        let sha = v["extra"]["seal_sha256"].as_str().ok_or(AppError::NotFound)?;
        let name = replay(v["events"].as_array().map(Vec::as_slice).unwrap_or_default()).map_or("", |d| d.spec.name);
        let what = format!("电子签章：{name}");
        self.record_access_of(actor, &case.id, Some(&format!("{PREFIX}{id}")), Access::Download, &what, "").await?;
        let h = liuhen_log::Hash::from_hex(sha).ok_or_else(|| AppError::Internal("unreadable seal hash".into()))?;
        Ok(self.blobs.get(&h).await?.to_vec())
    }
}

fn fold_extra(prev: &Value, add: Value) -> Value {
    let mut v = prev.clone();
    if !v["extra"].is_object() {
        v["extra"] = json!({});
    }
    for (k, x) in add.as_object().into_iter().flatten() {
        v["extra"][k] = x.clone();
    }
    v
}

/// The kind of case, as the catalogue names it.
pub fn kind_code(case: &CaseRecord) -> &'static str {
    match case.case_type.as_str() {
        "inspection" => "inspection",
        "summary_penalty" => "summary",
        "licence" => "licence",
        "coercive_measure" => "coercion",
        _ => "penalty",
    }
}

/// The seal's picture for the SES structure (the PDF draws its own): a red ring, a star and
/// the office's name.
pub fn seal_svg(agency: &str, kind: &str) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"42mm\" height=\"42mm\" viewBox=\"0 0 42 42\">\
<circle cx=\"21\" cy=\"21\" r=\"19.5\" fill=\"none\" stroke=\"#d40000\" stroke-width=\"1.1\"/>\
<path id=\"arc\" d=\"M 7 24 A 14 14 0 1 1 35 24\" fill=\"none\"/>\
<text fill=\"#d40000\" font-size=\"4\"><textPath href=\"#arc\" startOffset=\"50%\" text-anchor=\"middle\">{}</textPath></text>\
<text x=\"21\" y=\"24\" fill=\"#d40000\" font-size=\"9\" text-anchor=\"middle\">★</text>\
<text x=\"21\" y=\"33\" fill=\"#d40000\" font-size=\"3\" text-anchor=\"middle\">{}</text></svg>",
        esc(agency),
        esc(kind)
    )
}

/// Rebuild: folds a `document.*` entry (its opening `detail`), the `index`-th of the log, into
/// the documents (and the 文号 it gives into the register, `numbers`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn rebuild_fold(
    numbers: &mut std::collections::BTreeMap<String, liuhen_store::DocNumberRecord>,
    documents: &mut std::collections::BTreeMap<String, DocumentRecord>,
    body: &serde_json::Map<String, Value>,
    detail: &Value,
    actor: &str,
    case: &str,
    entry_time: i64,
    index: u64,
) -> Option<()> {
    let id = body.get("document")?.as_str()?;
    // The events keep the time the application recorded; the row, its entry's.
    let at = body.get("recorded_at").and_then(Value::as_i64).unwrap_or(entry_time);
    let prev = documents.get(id).and_then(|r| serde_json::from_str::<Value>(&r.data).ok());
    let mut extra = json!({});
    for k in ["seal_sha256", "ed25519"] {
        if let Some(v) = body.get(k) {
            extra[k] = v.clone();
        }
    }
    // The 文号 it was issued with: which document holds it, its place in its series.
    if let Some(numbered) = detail.get("numbered") {
        let row = super::numbering::doc_number_of(numbered);
        numbers.insert(
            row.doc_no.clone(),
            liuhen_store::DocNumberRecord { updated_at_ms: entry_time, version: index + 1, ..row },
        );
    }
    let stamped = |r: DocumentRecord| DocumentRecord { updated_at_ms: entry_time, version: index + 1, ..r };
    let next = fold(prev.as_ref(), id, case, detail, actor, at, &extra);
    documents.insert(id.to_string(), stamped(document_record(id, &next)?));
    if let Some(old) = body.get("supersedes").and_then(Value::as_str) {
        let prev = serde_json::from_str::<Value>(&documents.get(old)?.data).ok()?;
        let next = fold_extra(&prev, json!({"superseded_by": id}));
        documents.insert(old.to_string(), stamped(document_record(old, &next)?));
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_reads_back_as_itself() {
        let at = Timestamp(1_795_000_000_000);
        let fields: BTreeMap<String, String> = [("party".to_string(), "某某".to_string())].into();
        let events = [
            Event::Drafted {
                code: "D36".into(),
                fields: fields.clone(),
                supersedes: Some(("doc-1".into(), "笔误".into())),
            },
            Event::Revised { fields },
            Event::Approved(Approval {
                step: "handler".into(),
                person: "user:u".into(),
                name: "王明".into(),
                opinion: "建议".into(),
                reason: "理由".into(),
                at,
                content_hash: "h".into(),
                key_id: "0123456789abcdef".into(),
                signature: "3045".into(),
            }),
            Event::Returned(document::Return {
                step: "reviewer".into(),
                person: "user:v".into(),
                name: "李华".into(),
                reasons: "证据不足".into(),
                at,
                content_hash: "h".into(),
            }),
            Event::Signed(Signature {
                role: "party".into(),
                name: "某某".into(),
                person: String::new(),
                method: "pad".into(),
                image_sha256: "a".repeat(64),
                content_hash: "h".into(),
                at,
                key_id: String::new(),
                signature: String::new(),
            }),
            Event::Refused(RefusalNote {
                role: "party".into(),
                who: "某某".into(),
                reason: "拒签".into(),
                officers: vec!["王明".into(), "李强".into()],
                witness: String::new(),
                content_hash: "h".into(),
                at,
            }),
            Event::Finalised { content_hash: "h".into(), pdf_sha256: "p".into(), pages: 2, at },
            Event::Issued {
                doc_no: "栗街罚决〔2026〕3号".into(),
                date: Date::parse("2026-11-27").unwrap(),
                seal_kind: "行政执法专用章".into(),
                pdf_sha256: "q".into(),
                at,
            },
        ];
        for e in &events {
            assert_eq!(event_of(&event_json(e)).as_ref(), Some(e));
        }
    }

    #[test]
    fn the_content_hash_follows_the_fields_and_the_version_chain() {
        let a: BTreeMap<String, String> = [("party".to_string(), "某某".to_string())].into();
        let b: BTreeMap<String, String> = [("party".to_string(), "某某某".to_string())].into();
        assert_ne!(content_hash("D36", &a, None), content_hash("D36", &b, None));
        assert_ne!(content_hash("D36", &a, None), content_hash("D36", &a, Some("doc-1")));
        assert_eq!(content_hash("D36", &a, None).len(), 64);
    }
}
