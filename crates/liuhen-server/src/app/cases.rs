//! Cases, generically: every case type is a `CaseKind` (an aggregate of `liuhen-core` with its
//! events mapped to JSON). Each command loads the case by replaying its events from the log,
//! lets `liuhen-core` decide, and appends the event with the projection change in one
//! transaction.
//!
//! An event's details (places, findings, reasons, who was inspected or penalised) go into the
//! log only as a salted commitment; the entry body carries the case type, the event name, the
//! new state and version and the IDs of any rules flagged. The details are kept as the
//! commitment's opening.

use super::{App, auth::now_ms, body};
use crate::app::AppError;
use crate::datadir::fill_random;
use liuhen_core::calendar::{self, DeadlineStatus, WorkCalendar};
use liuhen_core::inspection::{OnSiteAct, Presence};
use liuhen_core::matter::MatterKind;
use liuhen_core::officer::{CertStatus, Officer};
use liuhen_core::rules::{self, CommandError, Violation};
use liuhen_core::time::{Date, Timestamp};
use liuhen_log::{Entry, EntryDraft, commitment};
use liuhen_store::{CaseRecord, LogStore, OfficerRecord, Op, StoreError, UserRecord};
use serde_json::{Value, json};

/// A case type: a `liuhen-core` aggregate, its events, and their JSON forms.
/// The aggregates of the cases last commanded in this process, each with the version the
/// command gave it. The version is the case's count of events — each one a log entry that also
/// moves the stored row's version — so an aggregate whose version is the row's is the replay of
/// the case's log, and any other is never used. A cache: a process without it (another server,
/// a restart) replays; it holds at most [`Aggregates::MAX`] cases.
#[derive(Default)]
pub struct Aggregates {
    cases: std::sync::Mutex<std::collections::HashMap<String, (u64, Held)>>,
}

/// An aggregate of any kind of case.
type Held = std::sync::Arc<dyn std::any::Any + Send + Sync>;

impl Aggregates {
    /// The most cases held (then it starts again empty).
    pub const MAX: usize = 4096;

    /// Case `id` at `version`, if held.
    fn get<K: CaseKind>(&self, id: &str, version: u64) -> Option<K> {
        let cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        let (v, case) = cases.get(id)?;
        if *v != version {
            return None;
        }
        case.downcast_ref::<K>().cloned()
    }

    /// Holds `case` (at its version) as the last command on it left it.
    fn put<K: CaseKind>(&self, case: K) {
        let mut cases = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        if cases.len() >= Self::MAX && !cases.contains_key(case.id()) {
            cases.clear();
        }
        cases.insert(case.id().to_string(), (case.version(), std::sync::Arc::new(case)));
    }
}

/// The state codes a case of kind `kind` may be in (every kind's when `None`): what a list's
/// `state` filter may name.
pub fn state_codes(kind: Option<&str>) -> Vec<&'static str> {
    use liuhen_core::{coercion, inspection, licence, penalty, summary};
    let kinds: [(&str, Vec<&'static str>); 5] = [
        (inspection::Inspection::CODE, inspection::State::ALL.iter().map(|s| s.code()).collect()),
        (summary::Summary::CODE, summary::State::ALL.iter().map(|s| s.code()).collect()),
        (penalty::Ordinary::CODE, penalty::State::ALL.iter().map(|s| s.code()).collect()),
        (licence::Licence::CODE, licence::State::ALL.iter().map(|s| s.code()).collect()),
        (coercion::Coercion::CODE, coercion::State::ALL.iter().map(|s| s.code()).collect()),
    ];
    let mut out: Vec<&'static str> =
        kinds.into_iter().filter(|(k, _)| kind.is_none_or(|x| x == *k)).flat_map(|(_, codes)| codes).collect();
    out.sort_unstable();
    out.dedup();
    out
}

pub trait CaseKind: Sized + Clone + Send + Sync + 'static {
    type Event: Send + Sync;
    /// The `case_type` code, e.g. `inspection`.
    const CODE: &'static str;
    /// The aggregate a case starts as, from its first event.
    fn from_first(e: &Self::Event) -> Option<Self>;
    fn apply(&mut self, e: &Self::Event, flags: &[Violation]);
    fn id(&self) -> &str;
    fn case_no(&self) -> &str;
    fn matter(&self) -> &str;
    fn version(&self) -> u64;
    fn state_code(&self) -> &'static str;
    /// The party (or applicant) as recorded, unmasked.
    fn party(&self) -> Option<&liuhen_core::party::Party>;
    /// The aggregate as the projection keeps it (deadlines computed on `cal`).
    fn to_json(&self, cal: &WorkCalendar) -> Value;
    fn event_name(e: &Self::Event) -> &'static str;
    fn event_json(e: &Self::Event) -> Value;
    fn parse_event(v: &Value) -> Option<Self::Event>;
}

/// The accessors every case kind shares: its header struct's `id`, `case_no` and `matter`,
/// and the aggregate's `version` and `state`.
#[macro_export]
macro_rules! case_kind_basics {
    ($head:ident) => {
        fn id(&self) -> &str {
            &self.$head.id
        }
        fn case_no(&self) -> &str {
            &self.$head.case_no
        }
        fn matter(&self) -> &str {
            &self.$head.matter
        }
        fn version(&self) -> u64 {
            self.version
        }
        fn state_code(&self) -> &'static str {
            self.state.code()
        }
    };
}

/// An on-site act with officers named by ID and when each showed their credentials.
#[derive(Debug, Clone)]
pub struct ActInput {
    pub at: Timestamp,
    pub place: String,
    pub officers: Vec<(String, Option<Timestamp>)>,
    pub recording_announced: bool,
    pub problems_found: bool,
    pub summary: String,
    /// 办法第十九条: what the act directly touches (any makes its whole recording mandatory).
    pub touches: Vec<liuhen_core::av::Touches>,
}

/// An officer to register.
#[derive(Debug, Clone)]
pub struct OfficerInput {
    pub name: String,
    pub cert_no: String,
    pub cert_valid_from: Date,
    pub cert_valid_to: Date,
    pub cert_scope: Vec<MatterKind>,
    pub legal_qualification: bool,
}

/// Kinds of enforcement as stored: `penalty,licence,…`.
pub(crate) fn scope_code(scope: &[MatterKind]) -> String {
    scope.iter().map(|k| k.code()).collect::<Vec<_>>().join(",")
}

pub(crate) fn parse_scope(s: &str) -> Option<Vec<MatterKind>> {
    s.split(',').filter(|p| !p.is_empty()).map(MatterKind::parse).collect()
}

/// A case as read: its projection and its entries in the log.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub record: CaseRecord,
    pub timeline: Vec<(u64, Entry)>,
    /// What each procedural entry recorded behind its commitment, as far as the procedure goes
    /// (approvals with their opinions, persons and dates, the legal review, the discussion's
    /// members, 文号, the hearing, receipts): by entry index, filled for a ledgered view.
    pub recorded: std::collections::BTreeMap<u64, Value>,
}

/// The keys of an event's details that record the procedure itself — who approved, reviewed,
/// decided or heard, with which opinion and when (and what a signed step decided); the 文号
/// and receipts — never an act's or an
/// evidence item's content (those are records with their own 密级) nor a party's identity.
const PROCEDURE_KEYS: [&str; 28] = [
    // The step's own time (ms), and what a signed step decided: with the person, key and
    // signature, all a reader needs to rebuild the signed statement and check it.
    "at",
    "signed_at",
    "proposal",
    "conclusion",
    "record",
    "approval",
    "person",
    "key_id",
    "signature",
    "form_no",
    "signed_by",
    "refusal_signed_by",
    "approver",
    "unit",
    "reviewer",
    "passed",
    "opinion",
    "members",
    "by",
    "granted",
    "host",
    "hearing_on",
    "transcript_no",
    "transcript_signed",
    "public",
    "agents",
    "receipt_no",
    "ruling_no",
];

/// The procedural part of an event's details (see [`PROCEDURE_KEYS`]), with a decision's 文号.
pub(crate) fn procedure_record(detail: &Value) -> Option<Value> {
    let mut out = serde_json::Map::new();
    for k in PROCEDURE_KEYS {
        if let Some(v) = detail.get(k).filter(|v| !v.is_null()) {
            out.insert(k.to_string(), v.clone());
        }
    }
    if let Some(no) = detail["doc"]["doc_no"].as_str() {
        out.insert("doc_no".to_string(), Value::from(no));
    }
    // A role's own step signed over all it records: the signature, and what it signed.
    if let Some(signed) = detail.get("signed").filter(|v| v.is_object()) {
        out.insert("signed".to_string(), signed.clone());
        let mut content = detail.clone();
        if let Some(o) = content.as_object_mut() {
            o.remove("signed");
        }
        out.insert("content".to_string(), content);
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

fn officer_from_record(r: &OfficerRecord) -> Result<Officer, AppError> {
    let bad = || AppError::Internal(format!("stored officer {} is malformed", r.id).into());
    Ok(Officer {
        id: r.id.clone(),
        name: r.name.clone(),
        cert_no: r.cert_no.clone(),
        cert_valid_from: Date::parse(&r.cert_valid_from).map_err(|_| bad())?,
        cert_valid_to: Date::parse(&r.cert_valid_to).map_err(|_| bad())?,
        cert_status: match r.cert_status.as_str() {
            "active" => CertStatus::Active,
            "suspended" => CertStatus::Suspended,
            "revoked" => CertStatus::Revoked,
            _ => return Err(bad()),
        },
        cert_scope: parse_scope(&r.cert_scope).ok_or_else(bad)?,
        legal_qualification: r.legal_qualification,
    })
}

fn cert_status_code(s: CertStatus) -> &'static str {
    match s {
        CertStatus::Active => "active",
        CertStatus::Suspended => "suspended",
        CertStatus::Revoked => "revoked",
    }
}

pub(crate) fn act_json(a: &OnSiteAct) -> Value {
    // Lists are made as values and moved in: `json!` would copy each through a serializer.
    let officers: Vec<Value> = a
        .officers
        .iter()
        .map(|p| {
            json!({
            "id": p.officer.id,
            "name": p.officer.name,
            "cert_no": p.officer.cert_no,
            "cert_valid_from": p.officer.cert_valid_from.to_string(),
            "cert_valid_to": p.officer.cert_valid_to.to_string(),
            "cert_status": cert_status_code(p.officer.cert_status),
            "cert_scope": scope_code(&p.officer.cert_scope),
            "legal_qualification": p.officer.legal_qualification,
            "id_shown_at": p.id_shown_at.map(|t| t.0),
            })
        })
        .collect();
    let mut v = json!({
        "at": a.at.0,
        "place": a.place,
        "recording_announced": a.recording_announced,
        "problems_found": a.problems_found,
        "summary": a.summary,
        "touches": a.touches.iter().map(|t| t.code()).collect::<Vec<_>>(),
    });
    v["officers"] = Value::Array(officers);
    v
}

fn parse_act(v: &Value) -> Option<OnSiteAct> {
    let officers = v["officers"]
        .as_array()?
        .iter()
        .map(|o| {
            Some(Presence {
                officer: Officer {
                    id: o["id"].as_str()?.to_string(),
                    name: o["name"].as_str()?.to_string(),
                    cert_no: o["cert_no"].as_str()?.to_string(),
                    cert_valid_from: Date::parse(o["cert_valid_from"].as_str()?).ok()?,
                    cert_valid_to: Date::parse(o["cert_valid_to"].as_str()?).ok()?,
                    cert_status: match o["cert_status"].as_str()? {
                        "active" => CertStatus::Active,
                        "suspended" => CertStatus::Suspended,
                        _ => CertStatus::Revoked,
                    },
                    cert_scope: parse_scope(o["cert_scope"].as_str()?)?,
                    legal_qualification: o["legal_qualification"].as_bool()?,
                },
                id_shown_at: o["id_shown_at"].as_i64().map(Timestamp),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(OnSiteAct {
        at: Timestamp(v["at"].as_i64()?),
        place: v["place"].as_str()?.to_string(),
        officers,
        recording_announced: v["recording_announced"].as_bool()?,
        problems_found: v["problems_found"].as_bool()?,
        summary: v["summary"].as_str()?.to_string(),
        // Acts recorded before 办法第十九条's flags were kept touch nothing.
        touches: v["touches"]
            .as_array()
            .map(|a| a.iter().filter_map(|t| t.as_str().and_then(liuhen_core::av::Touches::parse)).collect())
            .unwrap_or_default(),
    })
}

pub(crate) fn flags_json(flags: &[Violation]) -> Value {
    json!(flags.iter().map(|f| json!({"rule": f.rule.id, "field": f.field, "detail": f.detail})).collect::<Vec<_>>())
}

fn parse_flags(v: &Value) -> Option<Vec<Violation>> {
    v.as_array()?
        .iter()
        .map(|f| {
            let rule = rules::ALL.iter().find(|r| Some(r.id) == f["rule"].as_str())?;
            // Field names are static in the domain; map the stored one back to its static form.
            let field = [
                "officers",
                "recording_announced",
                "reason",
                "basis",
                "rights_told",
                "statement",
                "penalty",
                "facts",
                "form_no",
                "legal_basis",
                "signed_by",
                "refusal_signed_by",
                "method",
                "receipt_no",
            ]
            .into_iter()
            .find(|k| Some(*k) == f["field"].as_str())
            .unwrap_or("state");
            Some(rule.violated(field, f["detail"].as_str()?.to_string()))
        })
        .collect()
}

/// The details behind an event's commitment.
pub fn detail_json<K: CaseKind>(e: &K::Event, flags: &[Violation]) -> Value {
    let mut v = K::event_json(e);
    v["event"] = json!(K::event_name(e));
    v["flags"] = flags_json(flags);
    v
}

/// Reads an event and its flags back from its details.
pub fn parse_detail<K: CaseKind>(v: &Value) -> Option<(K::Event, Vec<Violation>)> {
    Some((K::parse_event(v)?, parse_flags(&v["flags"])?))
}

/// The common part of every case's projection, with the kind's own fields (who opened it and
/// its unit are the caller's to fill in).
pub(crate) fn record_of<K: CaseKind>(c: &K, cal: &WorkCalendar, opened_at: i64, updated_at: i64) -> CaseRecord {
    record_and_data_of(c, cal, opened_at, updated_at).0
}

/// A stored case's JSON (`Null` if it is not JSON).
pub(crate) fn case_data(case: &CaseRecord) -> Value {
    serde_json::from_str(&case.data).unwrap_or(Value::Null)
}

/// [`record_of`], with the JSON its `data` is the text of.
pub(crate) fn record_and_data_of<K: CaseKind>(
    c: &K,
    cal: &WorkCalendar,
    opened_at: i64,
    updated_at: i64,
) -> (CaseRecord, Value) {
    let data = c.to_json(cal);
    let officers: String = super::policy::officers_in(&data).iter().map(|o| format!(",{o},")).collect();
    let record = CaseRecord {
        id: c.id().to_string(),
        case_no: c.case_no().to_string(),
        case_type: K::CODE.to_string(),
        state: c.state_code().to_string(),
        version: c.version(),
        matter: c.matter().to_string(),
        opened_at_ms: opened_at,
        updated_at_ms: updated_at,
        data: data.to_string(),
        opened_by: String::new(),
        unit: String::new(),
        confidentiality: "internal".to_string(),
        party: c.party().map(|p| p.name.clone()).unwrap_or_default(),
        officers,
        counted_at_ms: super::statistics::counted_at(K::CODE, &data),
    };
    (record, data)
}

/// A 委托书 snapshot as JSON (null when the office acts itself).
pub(crate) fn entrusted_json(e: Option<&liuhen_core::entrustment::Entrustment>) -> Value {
    match e {
        None => Value::Null,
        Some(e) => serde_json::json!({
            "letter_no": e.letter_no, "entrusting_agency": e.entrusting_agency, "entrusted_org": e.entrusted_org,
            "kinds": e.kinds.iter().map(|k| k.code()).collect::<Vec<_>>(), "matters": e.matters,
            "valid_from": e.valid_from.to_string(), "valid_to": e.valid_to.to_string(), "published": e.published,
        }),
    }
}

/// A date correction as its event records it.
pub(crate) fn correction_json<A: Copy>(
    c: &liuhen_core::correction::DateCorrection<A>,
    code: impl Fn(A) -> &'static str,
    label: impl Fn(A) -> &'static str,
) -> Value {
    serde_json::json!({
        "anchor": code(c.anchor), "anchor_label": label(c.anchor), "from": c.from.0, "to": c.to.0,
        "reason": c.reason, "approved_by": c.approved_by,
    })
}

pub(crate) fn parse_correction<A>(
    v: &Value,
    parse: impl Fn(&str) -> Option<A>,
) -> Option<liuhen_core::correction::DateCorrection<A>> {
    Some(liuhen_core::correction::DateCorrection {
        anchor: parse(v["anchor"].as_str()?)?,
        from: liuhen_core::time::Timestamp(v["from"].as_i64()?),
        to: liuhen_core::time::Timestamp(v["to"].as_i64()?),
        reason: v["reason"].as_str()?.to_string(),
        approved_by: v["approved_by"].as_str()?.to_string(),
    })
}

/// A party as an event records it (behind the event's commitment): everything.
pub(crate) fn party_json(p: Option<&liuhen_core::party::Party>) -> Value {
    match p {
        None => Value::Null,
        Some(p) => serde_json::json!({
            "kind": p.kind.code(), "name": p.name, "id_type": p.id_type, "id_number": p.id_number, "uscc": p.uscc,
            "legal_rep": p.legal_rep, "address": p.address, "phone": p.phone,
            "service_address": p.service_address.as_ref().map(|s| serde_json::json!({
                "address": s.address, "e_service_consent": s.e_service_consent, "channel": s.channel,
            })),
        }),
    }
}

/// A party as a case view shows it: identity number and phone masked (办法第二十四条; the
/// unmasked record stays in the store for the tasks that need it).
pub(crate) fn party_view(p: Option<&liuhen_core::party::Party>) -> Value {
    match p {
        None => Value::Null,
        Some(party) => {
            let mut v = party_json(Some(party));
            let masked = party.masked_id();
            let phone: String = party
                .phone
                .chars()
                .enumerate()
                .map(|(i, c)| if i >= 3 && i + 4 < party.phone.chars().count() { '*' } else { c })
                .collect();
            if party.kind == liuhen_core::party::PartyType::NaturalPerson {
                v["id_number"] = Value::from(masked);
            }
            v["phone"] = Value::from(phone);
            v["kind_label"] = Value::from(party.kind.label());
            v
        }
    }
}

pub(crate) fn parse_party(v: &Value) -> Option<Option<liuhen_core::party::Party>> {
    if v.is_null() {
        return Some(None);
    }
    let s = |k: &str| v[k].as_str().map(str::to_string);
    let service_address = match &v["service_address"] {
        Value::Null => None,
        a => Some(liuhen_core::party::ServiceAddress {
            address: a["address"].as_str()?.to_string(),
            e_service_consent: a["e_service_consent"].as_bool()?,
            channel: a["channel"].as_str()?.to_string(),
        }),
    };
    Some(Some(liuhen_core::party::Party {
        kind: liuhen_core::party::PartyType::parse(v["kind"].as_str()?)?,
        name: s("name")?,
        id_type: s("id_type")?,
        id_number: s("id_number")?,
        uscc: s("uscc")?,
        legal_rep: s("legal_rep")?,
        address: s("address")?,
        phone: s("phone")?,
        service_address,
    }))
}

/// An event's JSON with its 委托书 snapshot, if any (events of the office's own cases keep their
/// shape).
pub(crate) fn with_entrusted(mut v: Value, e: Option<&liuhen_core::entrustment::Entrustment>) -> Value {
    if e.is_some()
        && let Some(m) = v.as_object_mut()
    {
        m.insert("entrusted".to_string(), entrusted_json(e));
    }
    v
}

/// An event's JSON with the party under `key`, if one is given.
pub(crate) fn with_party(mut v: Value, key: &str, p: Option<&liuhen_core::party::Party>) -> Value {
    if p.is_some()
        && let Some(m) = v.as_object_mut()
    {
        m.insert(key.to_string(), party_json(p));
    }
    v
}

/// The snapshot back from an event: `Some(None)` when the event has none (also events written
/// before entrustment was recorded), `None` when it is malformed.
pub(crate) fn parse_entrusted(v: &Value) -> Option<Option<liuhen_core::entrustment::Entrustment>> {
    use liuhen_core::time::Date;
    if v.is_null() {
        return Some(None);
    }
    let strings =
        |x: &Value| -> Option<Vec<String>> { x.as_array()?.iter().map(|s| s.as_str().map(str::to_string)).collect() };
    Some(Some(liuhen_core::entrustment::Entrustment {
        letter_no: v["letter_no"].as_str()?.to_string(),
        entrusting_agency: v["entrusting_agency"].as_str()?.to_string(),
        entrusted_org: v["entrusted_org"].as_str()?.to_string(),
        kinds: strings(&v["kinds"])?
            .iter()
            .map(|k| liuhen_core::matter::MatterKind::parse(k))
            .collect::<Option<_>>()?,
        matters: strings(&v["matters"])?,
        valid_from: Date::parse(v["valid_from"].as_str()?).ok()?,
        valid_to: Date::parse(v["valid_to"].as_str()?).ok()?,
        published: v["published"].as_bool()?,
    }))
}

/// Deadlines as JSON for a projection, each with its due time. Where a period crosses a year
/// the working-day calendar lacks, the due time of `estimated` (the same deadlines counted
/// with [`WorkCalendar::estimating`]) stands in, marked `provisional` (暂按自然日) with the
/// reason — never nothing, and never later than the true date.
pub(crate) fn deadlines_json(list: Vec<calendar::Deadline>, estimated: Vec<calendar::Deadline>) -> Value {
    let mut seen: Vec<&str> = Vec::new();
    Value::Array(
        list.iter()
            .map(|d| {
                // The n-th deadline of a code here is the n-th of that code in the estimate.
                let n = seen.iter().filter(|c| **c == d.code).count();
                seen.push(d.code);
                let estimate = estimated.iter().filter(|e| e.code == d.code).nth(n).and_then(|e| e.due.clone().ok());
                let (due, provisional) = match (&d.due, estimate) {
                    (Ok(t), _) => (Some(t.0), false),
                    (Err(_), Some(e)) => (Some(e.0), true),
                    (Err(_), None) => (None, false),
                };
                json!({
                    "code": d.code, "label": d.label, "source": d.source, "due": due, "provisional": provisional,
                    "not_computable": d.due.as_ref().err().map(ToString::to_string), "done_at": d.done_at.map(|t| t.0),
                })
            })
            .collect(),
    )
}

pub(crate) fn act_from_json(v: &Value) -> Option<OnSiteAct> {
    parse_act(v)
}

impl<S: LogStore> App<S> {
    /// Registers an officer (a log entry plus the registry row).
    pub async fn register_officer(&self, actor: &UserRecord, input: OfficerInput) -> Result<OfficerRecord, AppError> {
        self.allow(actor, super::policy::Action::ManageReference, None)?;
        let name = input.name.trim();
        // 执法证号 as typed with a Chinese keyboard (１３０２０００１) is the same number.
        let full_width = |c: char| match c {
            '\u{FF01}'..='\u{FF5E}' => super::numbering::ascii_width(c),
            _ => c,
        };
        let cert_no: String = input.cert_no.trim().chars().map(full_width).collect();
        let cert_no = cert_no.as_str();
        if name.is_empty() || name.chars().count() > 32 {
            return Err(AppError::BadRequest("姓名须为 1–32 个字符".to_string()));
        }
        if cert_no.is_empty() || cert_no.len() > 32 || !cert_no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(AppError::BadRequest("执法证号须为 1–32 位字母、数字或连字符".to_string()));
        }
        if input.cert_scope.is_empty() {
            return Err(AppError::BadRequest("执法类别不能为空".to_string()));
        }
        if input.cert_valid_to < input.cert_valid_from {
            return Err(AppError::BadRequest("执法证有效期结束日期早于开始日期".to_string()));
        }
        let record = OfficerRecord {
            id: uuid::Uuid::now_v7().to_string(),
            name: name.to_string(),
            cert_no: cert_no.to_string(),
            cert_valid_from: input.cert_valid_from.to_string(),
            cert_valid_to: input.cert_valid_to.to_string(),
            cert_status: "active".to_string(),
            cert_scope: scope_code(&input.cert_scope),
            legal_qualification: input.legal_qualification,
            created_at_ms: now_ms(),
        };
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            "officer.register",
            None,
            body(json!({
                "officer": record.id, "name": record.name, "cert_no": record.cert_no,
                "cert_valid_from": record.cert_valid_from, "cert_valid_to": record.cert_valid_to,
                "cert_scope": record.cert_scope, "legal_qualification": record.legal_qualification,
            })),
            vec![],
            vec![],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        self.append(d, vec![Op::CreateOfficer(record.clone())]).await?;
        Ok(record)
    }

    /// An officer by ID, as the rules see them now.
    pub(crate) async fn officer(&self, id: &str) -> Result<Officer, AppError> {
        match self.store.officer(id).await {
            Ok(r) => officer_from_record(&r),
            Err(StoreError::NotFound) => Err(AppError::UnknownReference(format!("执法人员 {id} 不存在"))),
            Err(e) => Err(e.into()),
        }
    }

    async fn load_officers(&self, ids: &[(String, Option<Timestamp>)]) -> Result<Vec<Presence>, AppError> {
        let mut out = Vec::with_capacity(ids.len());
        for (id, shown) in ids {
            let r = match self.store.officer(id).await {
                Ok(r) => r,
                Err(StoreError::NotFound) => return Err(AppError::UnknownReference(format!("执法人员 {id} 不存在"))),
                Err(e) => return Err(e.into()),
            };
            out.push(Presence { officer: officer_from_record(&r)?, id_shown_at: *shown });
        }
        Ok(out)
    }

    /// Resolves an act's officers to their current certificates.
    pub(crate) async fn act(&self, a: ActInput) -> Result<OnSiteAct, AppError> {
        Ok(OnSiteAct {
            at: a.at,
            place: a.place,
            officers: self.load_officers(&a.officers).await?,
            recording_announced: a.recording_announced,
            problems_found: a.problems_found,
            summary: a.summary,
            touches: a.touches,
        })
    }

    /// Records an event of a case: its details behind a commitment, the projection change in the
    /// same transaction.
    async fn record_event<K: CaseKind>(
        &self,
        actor: &UserRecord,
        case: &K,
        event: &K::Event,
        flags: &[Violation],
        ops: Vec<Op>,
        signed: Option<Value>,
    ) -> Result<u64, AppError> {
        let mut detail = detail_json::<K>(event, flags);
        if let Some(signed) = signed {
            detail["signed"] = signed;
        }
        // The 文号 the event gives a document of the case: held by the case from now on.
        let mut ops = ops;
        let now = now_ms();
        ops.extend(self.case_doc_no_ops(case.id(), &super::numbering::doc_numbers(&detail), now).await?);
        let mut content = Vec::new();
        liuhen_log::entry::write_canonical(&detail, &mut content);
        let mut salt = [0u8; 32];
        fill_random(&mut salt);
        let c = commitment(&salt, &content);
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            &format!("case.{}", K::event_name(event)),
            Some(case.id()),
            body(json!({
                "case_type": K::CODE,
                "state": case.state_code(),
                "version": case.version(),
                "flags": flags.iter().map(|f| f.rule.id).collect::<Vec<_>>(),
                "detail": {"commit": c.to_hex()},
            })),
            vec![],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let mut all = vec![Op::PutOpening { commitment: c, salt, content }];
        all.extend(ops);
        let receipt = self.append(d, all).await?;
        Ok(receipt.index)
    }

    /// Opens a case with the first event `liuhen-core` decided.
    pub(crate) async fn open_case<K: CaseKind>(
        &self,
        actor: &UserRecord,
        decided: Result<(K::Event, Vec<Violation>), CommandError>,
        legal_basis: &str,
    ) -> Result<CaseRecord, AppError> {
        self.open_case_with::<K>(actor, decided, legal_basis, Vec::new()).await
    }

    /// Opens a case, with `extra` projection changes in the same entry.
    pub(crate) async fn open_case_with<K: CaseKind>(
        &self,
        actor: &UserRecord,
        decided: Result<(K::Event, Vec<Violation>), CommandError>,
        legal_basis: &str,
        extra: Vec<Op>,
    ) -> Result<CaseRecord, AppError> {
        self.allow(actor, super::policy::Action::CreateCase, None)?;
        let (event, mut flags) = decided.map_err(AppError::from)?;
        // enforcing before the office posted who it is, the basis and the remedies is a
        // defect of the case (a FLAG: the act stands).
        flags.extend(liuhen_core::agency::prior_posting(&self.agency().await?, legal_basis));
        let mut case = K::from_first(&event).ok_or_else(|| AppError::Internal("not a first event".into()))?;
        case.apply(&event, &flags);
        let now = now_ms();
        let (record, data) = record_and_data_of(&case, &self.calendar, now, now);
        let record = CaseRecord { opened_by: actor.id.clone(), unit: actor.unit.clone(), ..record };
        let deadlines = match self.deadlines_op_with(&record, &data, None, None).await? {
            Op::SetDeadlines { rows, .. } => rows,
            _ => Vec::new(),
        };
        let tasks = super::inbox::case_task_rows(&record, &data);
        let mut ops = vec![
            Op::CreateCase(record.clone()),
            Op::SetDeadlines { case_id: record.id.clone(), rows: deadlines },
            Op::SetTasks { case_id: record.id.clone(), source: super::inbox::CASE_SOURCE.to_string(), rows: tasks },
        ];
        ops.extend(extra);
        self.record_event(actor, &case, &event, &flags, ops, None).await?;
        self.aggregates.put(case);
        Ok(record)
    }

    /// A case as its log has it (the source of truth): the aggregate the last command on it
    /// left when the stored row is still at its version, else replayed from the log.
    pub async fn load_case<K: CaseKind>(&self, id: &str) -> Result<(K, CaseRecord), AppError> {
        self.load_case_of(self.store.case(id).await?).await
    }

    /// [`load_case`](Self::load_case) of the stored row just read.
    async fn load_case_of<K: CaseKind>(&self, record: CaseRecord) -> Result<(K, CaseRecord), AppError> {
        if record.case_type == K::CODE
            && let Some(case) = self.aggregates.get::<K>(&record.id, record.version)
        {
            return Ok((case, record));
        }
        self.replay_case(&record.id).await
    }

    /// Replays a case from the log, whatever this process holds.
    pub async fn replay_case<K: CaseKind>(&self, id: &str) -> Result<(K, CaseRecord), AppError> {
        let (case, record, _) = self.load_case_until::<K>(id, None).await?;
        Ok((case, record))
    }

    /// Replays a case from the log up to (and including) the entries recorded at `until`
    /// (Unix ms), with the time of the last entry applied.
    async fn load_case_until<K: CaseKind>(
        &self,
        id: &str,
        until: Option<i64>,
    ) -> Result<(K, CaseRecord, i64), AppError> {
        let record = self.store.case(id).await?;
        if record.case_type != K::CODE {
            return Err(AppError::NotFound);
        }
        let (case, _, last) = self.replay_from_log::<K>(id, until).await?.ok_or(AppError::NotFound)?;
        Ok((case, record, last))
    }

    /// Case `id` of kind `K` as its own entries make it (the log's index by case), up to and
    /// including those recorded at `until`: the aggregate, when it was opened and the time of
    /// its last entry; `None` when it has no entry by then. What a command decides on when no
    /// aggregate is cached, what a case looked like at a moment, and what a rebuild writes.
    pub(crate) async fn replay_from_log<K: CaseKind>(
        &self,
        id: &str,
        until: Option<i64>,
    ) -> Result<Option<(K, i64, i64)>, AppError> {
        let mut case: Option<(K, i64)> = None;
        let mut last = 0;
        for (index, raw) in self.store.case_entries(id).await? {
            let entry = Entry::decode(&raw).map_err(|e| AppError::Integrity(format!("entry {index}: {e}")))?;
            if until.is_some_and(|t| entry.time_ms > t) {
                break;
            }
            if !entry.action().starts_with("case.") || entry.case() != Some(id) {
                continue;
            }
            last = entry.time_ms;
            let Some(c) = entry.commits().first() else { continue };
            let detail = super::opened_detail(&self.store, index, c).await?;
            let (event, flags) = parse_detail::<K>(&detail)
                .ok_or_else(|| AppError::Integrity(format!("entry {index}: unreadable event")))?;
            match &mut case {
                Some((c, _)) => c.apply(&event, &flags),
                None => {
                    let mut c = K::from_first(&event)
                        .ok_or_else(|| AppError::Integrity(format!("entry {index}: case starts without opening")))?;
                    c.apply(&event, &flags);
                    case = Some((c, entry.time_ms));
                }
            }
        }
        Ok(case.map(|(c, opened)| (c, opened, last)))
    }

    async fn record_as_of<K: CaseKind>(&self, id: &str, as_of: i64) -> Result<CaseRecord, AppError> {
        let (c, r, last) = self.load_case_until::<K>(id, Some(as_of)).await?;
        Ok(CaseRecord {
            opened_by: r.opened_by.clone(),
            unit: r.unit.clone(),
            confidentiality: r.confidentiality.clone(),
            ..record_of(&c, &self.calendar, r.opened_at_ms, last)
        })
    }

    /// The case as it stood at `as_of` (可回溯): replayed from the log up to that moment.
    pub async fn case_as_of(&self, id: &str, as_of: i64) -> Result<CaseView, AppError> {
        use liuhen_core::{
            coercion::Coercion, inspection::Inspection, licence::Licence, penalty::Ordinary, summary::Summary,
        };
        let case_type = self.case_type(id).await?;
        let record = match case_type.as_str() {
            Inspection::CODE => self.record_as_of::<Inspection>(id, as_of).await?,
            Summary::CODE => self.record_as_of::<Summary>(id, as_of).await?,
            Ordinary::CODE => self.record_as_of::<Ordinary>(id, as_of).await?,
            Licence::CODE => self.record_as_of::<Licence>(id, as_of).await?,
            Coercion::CODE => self.record_as_of::<Coercion>(id, as_of).await?,
            _ => return Err(AppError::NotFound),
        };
        let mut view = self.case_view(id).await?;
        view.timeline.retain(|(_, e)| e.time_ms <= as_of);
        view.record = record;
        Ok(view)
    }

    /// Applies a decided command to a case still at `expected_version`; a role's own step
    /// (`sign`) is signed by the performer's own key over all the step records.
    pub(crate) async fn command<K: CaseKind>(
        &self,
        actor: &UserRecord,
        id: &str,
        expected_version: u64,
        sign: Option<&super::signer::StepSign>,
        decide: impl FnOnce(&K) -> Result<(K::Event, Vec<Violation>), CommandError>,
    ) -> Result<CaseRecord, AppError> {
        let record = self.store.case(id).await?;
        self.allow(actor, super::policy::Action::CommandCase, Some(&record))?;
        let (mut case, record) = self.load_case_of::<K>(record).await?;
        if case.version() != expected_version {
            return Err(AppError::Conflict(format!(
                "案件当前版本为 {}，请求基于版本 {expected_version}",
                case.version()
            )));
        }
        let (event, flags) = decide(&case)?;
        case.apply(&event, &flags);
        let (updated, data) = record_and_data_of(&case, &self.calendar, record.opened_at_ms, now_ms());
        let updated = CaseRecord {
            opened_by: record.opened_by.clone(),
            unit: record.unit.clone(),
            confidentiality: record.confidentiality.clone(),
            ..updated
        };
        let op = Op::UpdateCase { record: updated.clone(), expected_version };
        let deadlines = self.deadlines_op(&updated, &data, None).await?;
        let signed = match sign {
            Some(s) => Some(self.sign_step(actor, id, s, &detail_json::<K>(&event, &flags)).await?),
            None => None,
        };
        let tasks = Op::SetTasks {
            case_id: updated.id.clone(),
            source: super::inbox::CASE_SOURCE.to_string(),
            rows: super::inbox::case_task_rows(&updated, &data),
        };
        self.record_event(actor, &case, &event, &flags, vec![op, deadlines, tasks], signed).await?;
        self.aggregates.put(case);
        Ok(updated)
    }

    /// What the procedural entries of `view` recorded (approvals, review, 文号, hearing,
    /// receipts), each opening checked against its commitment.
    pub(crate) async fn procedure_records(&self, view: &mut CaseView) -> Result<(), AppError> {
        for (index, entry) in &view.timeline {
            let Some(c) = entry.commits().first() else { continue };
            let detail = super::opened_detail(&self.store, *index, c).await?;
            if let Some(mut r) = procedure_record(&detail) {
                // The hearing's host is recorded by officer ID; shown with the name.
                if let Some(host) = r["host"].as_str().map(str::to_string)
                    && let Ok(o) = self.store.officer(&host).await
                {
                    r["host_name"] = Value::from(o.name);
                }
                // So are the officers who signed an on-the-spot decision or noted a refusal.
                for key in ["signed_by", "refusal_signed_by"] {
                    let Some(ids) = r[key].as_array().cloned() else { continue };
                    let mut names = Vec::new();
                    for id in ids.iter().filter_map(Value::as_str) {
                        names.push(match self.store.officer(id).await {
                            Ok(o) => o.name,
                            Err(_) => id.to_string(),
                        });
                    }
                    r[format!("{key}_names")] = Value::from(names);
                }
                view.recorded.insert(*index, r);
            }
        }
        Ok(())
    }

    /// R-064b for a correction (`correct_date`, `correct_execution_time`): the time it sets is
    /// not later than the corrected step was recorded in the log — a step cannot have happened
    /// after the system learned of it.
    pub(crate) async fn correction_recorded_by(&self, case: &CaseRecord, command: &Value) -> Result<(), AppError> {
        let anchor = command["anchor"].as_str().unwrap_or_default();
        let action = match (case.case_type.as_str(), command["type"].as_str().unwrap_or_default(), anchor) {
            ("coercive_measure", "correct_execution_time", _) => "executed",
            ("ordinary_penalty", "correct_date", "filed_at") => "filed",
            ("ordinary_penalty", "correct_date", "decided_at") => "decided",
            ("ordinary_penalty", "correct_date", "served_at") => "served",
            ("ordinary_penalty", "correct_date", "demand_served_at") => "demand_served",
            ("licence", "correct_date", "received_at") => "applied",
            ("licence", "correct_date", "accepted_at") => "accepted",
            ("licence", "correct_date", "decided_at") => "decided",
            ("licence", "correct_date", "certificate_at") => "certificate_issued",
            _ => return Ok(()),
        };
        let Some(to) = command["to"].as_i64() else { return Ok(()) };
        let wanted = format!("case.{action}");
        let mut recorded = None;
        for (index, raw) in self.store.case_entries(&case.id).await? {
            let e = Entry::decode(&raw).map_err(|e| AppError::Integrity(format!("entry {index}: {e}")))?;
            if e.action() == wanted {
                recorded = Some(e.time_ms);
            }
        }
        match recorded {
            Some(t) if to > t + super::CLOCK_TOLERANCE_MS => {
                let shown = Timestamp(t).shanghai_date();
                Err(AppError::Refused(vec![
                    liuhen_core::rules::R_064B.violated(
                        "to",
                        format!("更正后的时间晚于该环节记入系统的时间（{shown}），不得记录尚未发生的事"),
                    ),
                ]))
            }
            _ => Ok(()),
        }
    }

    /// The type of a stored case.
    pub async fn case_type(&self, id: &str) -> Result<String, AppError> {
        Ok(self.store.case(id).await?.case_type)
    }

    /// A case with its timeline from the log: its procedural entries (`case.*`); the accesses
    /// to it are its ledger (`ledger.rs`).
    pub async fn case_view(&self, id: &str) -> Result<CaseView, AppError> {
        let record = self.store.case(id).await?;
        let mut timeline = Vec::new();
        for (index, raw) in self.store.case_entries(id).await? {
            let entry = Entry::decode(&raw).map_err(|e| AppError::Integrity(format!("entry {index}: {e}")))?;
            if entry.action().starts_with("case.") {
                timeline.push((index, entry));
            }
        }
        Ok(CaseView { record, timeline, recorded: std::collections::BTreeMap::new() })
    }
}

/// A deadline of some case, with where it stands now.
#[derive(Debug, Clone)]
pub struct DeadlineItem {
    pub case_id: String,
    pub case_no: String,
    pub code: String,
    pub label: String,
    pub source: String,
    pub due: i64,
    pub status: DeadlineStatus,
}

impl DeadlineItem {
    /// Where the deadline stands, as a stable code and in Chinese.
    pub fn status_code_label(&self) -> (&'static str, &'static str) {
        match self.status {
            DeadlineStatus::Overdue => ("overdue", "已逾期"),
            DeadlineStatus::DueSoon => ("due_soon", "即将到期"),
            DeadlineStatus::Unknown => ("unknown", "无法计算（工作日历缺少该年度）"),
            _ => ("pending", "未到期"),
        }
    }
}

/// A deadline's label, marked 暂按自然日 when its date is an estimate (the calendar lacks a
/// year the period crosses).
pub(crate) fn provisional_label(d: &Value) -> String {
    let label = d["label"].as_str().unwrap_or_default();
    if d["provisional"] == true {
        format!("{label}（暂按自然日，工作日历缺少该年度）")
    } else {
        label.to_string()
    }
}

/// How long before a deadline it counts as due soon.
pub const DUE_SOON_MS: i64 = 3 * 24 * 3_600_000;
