//! 调查取证 items in an event's JSON, both ways.

use liuhen_core::evidence::{
    Argumentation, AvProvenance, Body, Collected, CrossPages, Inquiry, Item, Kind, Monitoring, Preservation,
    RefusalNote, Sampling, SiteRecord, TestKind, Testimony, Testing,
};
use liuhen_core::time::Timestamp;
use serde_json::{Value, json};

pub fn item_json(item: &Item) -> Value {
    let mut v = match &item.body {
        Body::Inquiry(q) => json!({
            "type": "inquiry", "ended_at": q.ended_at.0, "place": q.place, "inquirers": q.inquirers,
            "recorder": q.recorder, "interviewee": q.interviewee, "relation": q.relation, "rights_told": q.rights_told,
            "questions_and_answers": q.questions_and_answers, "confirmed": q.confirmed,
            "signed_every_page": q.signed_every_page, "refusal": q.refusal.as_ref().map(refusal_json),
            "pages": q.pages.pages, "cross_page_sealed": q.pages.cross_page_sealed,
        }),
        Body::Collected(c) => json!({
            "type": "collected", "kind": c.kind.code(), "kind_label": c.kind.label(), "source": c.source,
            "original": c.original, "copy_verified": c.copy_verified, "lawfully_obtained": c.lawfully_obtained,
            "av": c.av.as_ref().map(|a| json!({"production_method": a.production_method,
                "produced_at": a.produced_at.map(|t| t.0), "producer": a.producer, "proves": a.proves,
                "sound": a.sound, "transcript": a.transcript})),
            "monitoring": c.monitoring.as_ref().map(|m| json!({"device": m.device,
                "device_reviewed": m.device_reviewed, "site_published": m.site_published,
                "content_reviewed": m.content_reviewed, "party_notified_at": m.party_notified_at.map(|t| t.0)})),
        }),
        Body::Sampling(s) => json!({
            "type": "sampling", "sample": s.sample, "batch": s.batch, "quantity": s.quantity, "method": s.method,
            "sealed": s.sealed, "party_signed": s.party_signed, "officers": s.officers, "copy_to_party": s.copy_to_party,
            "refusal": s.refusal.as_ref().map(refusal_json),
        }),
        Body::SiteRecord(r) => json!({
            "type": "site_record", "place": r.place, "findings": r.findings, "officers": r.officers,
            "party_signed": r.party_signed, "no_signature_reason": r.no_signature_reason, "witnesses": r.witnesses,
            "pages": r.pages.pages, "cross_page_sealed": r.pages.cross_page_sealed,
        }),
        Body::Testing(t) => json!({
            "type": "testing", "kind": t.kind.code(), "kind_label": t.kind.label(), "institution": t.institution,
            "matter": t.matter, "result": t.result, "result_notified": t.result_notified,
            "appraiser_qualified": t.appraiser_qualified, "signed_and_sealed": t.signed_and_sealed,
        }),
        Body::Testimony(t) => json!({
            "type": "testimony", "witness": t.witness, "age": t.age, "sex": t.sex, "occupation": t.occupation,
            "address": t.address, "statement": t.statement, "signed": t.signed, "id_copy_attached": t.id_copy_attached,
        }),
        Body::Argumentation(a) => json!({
            "type": "argumentation", "matter": a.matter, "place": a.place, "participants": a.participants,
            "opinions": a.opinions, "conclusion": a.conclusion, "signed_by_all": a.signed_by_all,
        }),
        Body::Preservation(p) => json!({
            "type": "preservation", "approved_by": p.approved_by, "approved_at": p.approved_at.0, "items": p.items,
            "notice_served": p.notice_served,
        }),
    };
    v["label"] = json!(item.label);
    v["at"] = json!(item.at.0);
    v
}

fn refusal_json(n: &RefusalNote) -> Value {
    json!({"reason": n.reason, "noted_by": n.noted_by})
}

/// `Some(None)` for JSON null, `None` if malformed.
fn parse_refusal(v: &Value) -> Option<Option<RefusalNote>> {
    match v {
        Value::Null => Some(None),
        v => Some(Some(RefusalNote { reason: v["reason"].as_str()?.to_string(), noted_by: strings(&v["noted_by"])? })),
    }
}

/// A record's pages; entries written before R-023 was kept say nothing: one page.
fn parse_pages(v: &Value) -> Option<CrossPages> {
    Some(CrossPages {
        pages: match &v["pages"] {
            Value::Null => 1,
            n => u32::try_from(n.as_u64()?).ok()?,
        },
        cross_page_sealed: v["cross_page_sealed"].as_bool().unwrap_or(false),
    })
}

/// `Some(None)` for none (or an entry written before R-026 was kept), `None` if malformed.
fn parse_av(v: &Value) -> Option<Option<AvProvenance>> {
    if v.is_null() {
        return Some(None);
    }
    Some(Some(AvProvenance {
        production_method: v["production_method"].as_str()?.to_string(),
        produced_at: v["produced_at"].as_i64().map(Timestamp),
        producer: v["producer"].as_str()?.to_string(),
        proves: v["proves"].as_str()?.to_string(),
        sound: v["sound"].as_bool()?,
        transcript: v["transcript"].as_str()?.to_string(),
    }))
}

/// `Some(None)` for none (or an entry written before R-015 was kept), `None` if malformed.
fn parse_monitoring(v: &Value) -> Option<Option<Monitoring>> {
    if v.is_null() {
        return Some(None);
    }
    Some(Some(Monitoring {
        device: v["device"].as_str()?.to_string(),
        device_reviewed: v["device_reviewed"].as_bool()?,
        site_published: v["site_published"].as_bool()?,
        content_reviewed: v["content_reviewed"].as_bool()?,
        party_notified_at: v["party_notified_at"].as_i64().map(Timestamp),
    }))
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?.iter().map(|s| s.as_str().map(str::to_string)).collect()
}

pub fn parse_item(v: &Value) -> Option<Item> {
    let s = |k: &str| v[k].as_str().map(str::to_string);
    let b = |k: &str| v[k].as_bool();
    let body = match v["type"].as_str()? {
        "inquiry" => Body::Inquiry(Inquiry {
            ended_at: Timestamp(v["ended_at"].as_i64()?),
            place: s("place")?,
            inquirers: strings(&v["inquirers"])?,
            recorder: s("recorder")?,
            interviewee: s("interviewee")?,
            relation: s("relation")?,
            rights_told: b("rights_told")?,
            questions_and_answers: s("questions_and_answers")?,
            confirmed: b("confirmed")?,
            signed_every_page: b("signed_every_page")?,
            refusal: parse_refusal(&v["refusal"])?,
            pages: parse_pages(v)?,
        }),
        "collected" => Body::Collected(Collected {
            kind: Kind::parse(v["kind"].as_str()?)?,
            source: s("source")?,
            original: b("original")?,
            copy_verified: b("copy_verified")?,
            lawfully_obtained: b("lawfully_obtained")?,
            av: parse_av(&v["av"])?,
            monitoring: parse_monitoring(&v["monitoring"])?,
        }),
        "sampling" => Body::Sampling(Sampling {
            sample: s("sample")?,
            batch: s("batch")?,
            quantity: s("quantity")?,
            method: s("method")?,
            sealed: b("sealed")?,
            party_signed: b("party_signed")?,
            officers: strings(&v["officers"])?,
            copy_to_party: b("copy_to_party")?,
            refusal: parse_refusal(&v["refusal"])?,
        }),
        "site_record" => Body::SiteRecord(SiteRecord {
            place: s("place")?,
            findings: s("findings")?,
            officers: strings(&v["officers"])?,
            party_signed: b("party_signed")?,
            no_signature_reason: s("no_signature_reason")?,
            witnesses: strings(&v["witnesses"])?,
            pages: parse_pages(v)?,
        }),
        "testing" => Body::Testing(Testing {
            kind: TestKind::parse(v["kind"].as_str()?)?,
            institution: s("institution")?,
            matter: s("matter")?,
            result: s("result")?,
            result_notified: b("result_notified")?,
            appraiser_qualified: b("appraiser_qualified")?,
            signed_and_sealed: b("signed_and_sealed")?,
        }),
        "testimony" => Body::Testimony(Testimony {
            witness: s("witness")?,
            age: match &v["age"] {
                Value::Null => None,
                a => Some(u32::try_from(a.as_u64()?).ok()?),
            },
            sex: s("sex")?,
            occupation: s("occupation")?,
            address: s("address")?,
            statement: s("statement")?,
            signed: b("signed")?,
            id_copy_attached: b("id_copy_attached")?,
        }),
        "argumentation" => Body::Argumentation(Argumentation {
            matter: s("matter")?,
            place: s("place")?,
            participants: strings(&v["participants"])?,
            opinions: s("opinions")?,
            conclusion: s("conclusion")?,
            signed_by_all: b("signed_by_all")?,
        }),
        "preservation" => Body::Preservation(Preservation {
            approved_by: s("approved_by")?,
            approved_at: Timestamp(v["approved_at"].as_i64()?),
            items: strings(&v["items"])?,
            notice_served: b("notice_served")?,
        }),
        _ => return None,
    };
    Some(Item { label: s("label")?, at: Timestamp(v["at"].as_i64()?), body })
}
