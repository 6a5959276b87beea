//! A case's records one by one (办法第二十四条): each has an id within its case
//! (`evidence/<n>` for the n-th piece of evidence — 笔录, 证据材料 — as recorded; documents and
//! recordings join with their issues), may carry its own confidentiality class, which only
//! narrows who sees it, and is viewed through the ledger like the case itself.
//!
//! A record's class is a log entry (`record.classified`); each record's class is a row of its
//! own (`record_marks`, kind `class`), rebuilt from those entries.

use super::App;
use super::ledger::Access;
use super::policy::{Action, CLASSES, CaseScope, Decision, decide, restricted};
use crate::app::AppError;
use liuhen_log::EntryDraft;
use liuhen_store::{CaseRecord, LogStore, UserRecord};
use serde_json::{Map, Value, json};

/// The kind of record mark that is a record's own class.
pub const CLASS: &str = "class";

/// The records of a case's projection: (id, kind in Chinese, label, the record's JSON) —
/// the on-site acts (`act/<n>`, 现场执法记录) and the evidence (`evidence/<n>`).
pub fn records_in(data: &Value) -> Vec<(String, &'static str, String, Value)> {
    let list = |key: &str| data[key].as_array().cloned().unwrap_or_default().into_iter().enumerate();
    let acts = list("acts").map(|(i, act)| {
        let label = act["place"].as_str().unwrap_or_default().to_string();
        (format!("act/{i}"), record_kind("act"), label, act)
    });
    let evidence = list("evidence").map(|(i, item)| {
        let label = item["label"].as_str().unwrap_or_default().to_string();
        (format!("evidence/{i}"), record_kind("evidence"), label, item)
    });
    acts.chain(evidence).collect()
}

/// The kind of a case's record in Chinese, by its id's prefix (`act`, `evidence`).
fn record_kind(prefix: &str) -> &'static str {
    if prefix == "act" { "现场执法记录" } else { "调查取证记录" }
}

/// The class a record is seen under: its own when that restricts more, else its case's.
pub fn effective_class<'a>(case_class: &'a str, record_class: Option<&'a str>) -> &'a str {
    match record_class {
        Some(c) if restricted(c) && !restricted(case_class) => c,
        _ => case_class,
    }
}

impl<S: LogStore> App<S> {
    /// The classes given to the records of case `id` (record id → class).
    pub async fn record_classes(&self, id: &str) -> Result<Map<String, Value>, AppError> {
        self.record_marks(id, CLASS).await
    }

    /// Whether `user` may see a record of `case` classed `class` (none: the case's class).
    pub fn sees_record(&self, user: &UserRecord, case: &CaseRecord, class: Option<&str>) -> bool {
        let mut scope = CaseScope::of(case);
        scope.confidentiality = effective_class(&case.confidentiality, class);
        decide(user, Action::ViewCase, Some(&scope)) == Decision::Allow
    }

    /// Replaces in `data` (a case's projection) the records `user` may not see by their label,
    /// type and why they are withheld.
    pub async fn withhold_records(
        &self,
        user: &UserRecord,
        case: &CaseRecord,
        data: &mut Value,
    ) -> Result<(), AppError> {
        let classes = self.record_classes(&case.id).await?;
        if classes.is_empty() {
            return Ok(());
        }
        for (key, prefix) in [("acts", "act"), ("evidence", "evidence")] {
            let Some(items) = data.get_mut(key).and_then(Value::as_array_mut) else { continue };
            for (i, item) in items.iter_mut().enumerate() {
                let class = classes.get(&format!("{prefix}/{i}")).and_then(Value::as_str);
                if !self.sees_record(user, case, class) {
                    let label = class_label(class.unwrap_or_default());
                    // Its label is free text its maker typed: withheld with the rest.
                    *item = json!({"label": record_kind(prefix), "type": item["type"], "at": item["at"], "withheld": label});
                }
            }
        }
        Ok(())
    }

    /// One record of case `id`, for `actor`: ledgered (with the record's id) before it is
    /// returned. Returns the case, the record's kind, label and JSON, and its own class.
    pub async fn view_record(
        &self,
        actor: &UserRecord,
        id: &str,
        record_id: &str,
        purpose: &str,
    ) -> Result<(CaseRecord, &'static str, String, Value, Option<String>), AppError> {
        let case = self.store.case(id).await?;
        self.allow(actor, Action::ViewCase, Some(&case))?;
        let data: Value = serde_json::from_str(&case.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        let (_, kind, mut label, mut record) =
            records_in(&data).into_iter().find(|(rid, ..)| rid == record_id).ok_or(AppError::NotFound)?;
        let class = self.record_visible(actor, &case, record_id).await?;
        // 办法第二十四条 保密: the phones and identity numbers typed in it are starred for those
        // who do not handle the case, as in the case's view (helper 19).
        if !super::policy::handles(actor, &case) {
            super::publication::mask_signed_unit(&mut record);
            label = super::publication::mask_personal_numbers(&label);
        }
        let what = format!("案件 {} 的{kind}“{label}”", case.case_no);
        self.record_access_of(actor, id, Some(record_id), Access::View, &what, purpose).await?;
        Ok((case, kind, label, record, class))
    }

    /// Whether `record_id` names a document of case `id` (`document/<id>`: a document is a
    /// record of its case, classed as the others are).
    pub(crate) async fn document_of(&self, id: &str, record_id: &str) -> Result<bool, AppError> {
        let Some(doc) = record_id.strip_prefix(super::documents::PREFIX) else { return Ok(false) };
        match self.store.document(doc).await {
            Ok(row) => Ok(row.case_id == id),
            Err(liuhen_store::StoreError::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The class record `record_id` of `case` is seen under by `user`: `Err(Forbidden)` when
    /// its own class puts it beyond them (a record on its own answers 403, not 404).
    pub(crate) async fn record_visible(
        &self,
        user: &UserRecord,
        case: &CaseRecord,
        record_id: &str,
    ) -> Result<Option<String>, AppError> {
        let class = self.record_classes(&case.id).await?.get(record_id).and_then(Value::as_str).map(str::to_string);
        if !self.sees_record(user, case, class.as_deref()) {
            return Err(AppError::Forbidden);
        }
        Ok(class)
    }

    /// Gives record `record_id` of case `id` its own class (commercial secret, privacy…): a log
    /// entry with the reason; those who may classify the case may classify its records.
    pub async fn classify_record(
        &self,
        actor: &UserRecord,
        id: &str,
        record_id: &str,
        class: &str,
        reason: &str,
        expected: Option<&str>,
    ) -> Result<(), AppError> {
        let case = self.store.case(id).await?;
        self.allow(actor, Action::ClassifyCase, Some(&case))?;
        let data: Value = serde_json::from_str(&case.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        if !records_in(&data).iter().any(|(rid, ..)| rid == record_id) && !self.document_of(id, record_id).await? {
            return Err(AppError::NotFound);
        }
        if !CLASSES.iter().any(|(code, _)| *code == class) {
            return Err(AppError::BadRequest(
                "密级须为 public、internal、commercial_secret 或 personal_privacy（涉及国家秘密的材料不得存入本系统）"
                    .to_string(),
            ));
        }
        if reason.trim().is_empty() || reason.chars().count() > 500 {
            return Err(AppError::BadRequest("须说明定级理由（至多 500 字）".to_string()));
        }
        // The record's class as read, replaced only if no other classification of it came in
        // between (else read again); other records of the case are rows of their own.
        let case_class = case.confidentiality.as_str();
        super::retrying(|| async move {
            // The reason is the user's words: behind a commitment.
            let (c, opening) = super::auth::committed(&json!({"reason": reason.trim()}));
            let d = EntryDraft::new(
                &format!("user:{}", actor.id),
                "record.classified",
                Some(id),
                super::body(json!({"record": record_id, "class": class, "reason": {"commit": c.to_hex()}})),
                vec![],
                vec![c],
            )
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
            // The class the classifier read (the record's own, else its case's): another now
            // is a conflict, not overwritten unseen.
            let check = |now: Option<&Value>| match expected {
                Some(e) if now.and_then(Value::as_str).unwrap_or(case_class) != e => {
                    Err(AppError::Conflict(format!("记录 {record_id} 的密级已不是 {e}")))
                }
                _ => Ok(()),
            };
            let mark = super::record_mark(id, CLASS, record_id, &Value::from(class));
            self.put_record_mark(d, opening, mark, check).await
        })
        .await
    }
}

/// What a list shows for a record classed beyond its reader.
pub const WITHHELD_LABEL: &str = "不可查看的记录（已隐去）";

/// The cases a list has asked about, each once: the case and the classes of its records
/// (`None`: the reader does not see the case).
pub type SeenRecords = std::collections::HashMap<String, Option<(liuhen_store::CaseRecord, Map<String, Value>)>>;

impl<S: LogStore> App<S> {
    /// Whether record `record` of case `case_id` is withheld from `user` (办法第二十四条: its own
    /// class, or its case's, beyond them; the case itself, `""`), each case read once into `seen`
    /// (`None` there: the case is not theirs to see).
    pub(crate) async fn record_withheld(
        &self,
        user: &UserRecord,
        case_id: &str,
        record: &str,
        seen: &mut SeenRecords,
    ) -> Result<bool, AppError> {
        if !seen.contains_key(case_id) {
            let case = match self.store.case(case_id).await {
                Ok(c) => Some(c),
                Err(liuhen_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            };
            let entry = match case.filter(|c| self.allow(user, Action::ViewCase, Some(c)).is_ok()) {
                Some(c) => Some((c, self.record_classes(case_id).await?)),
                None => None,
            };
            seen.insert(case_id.to_string(), entry);
        }
        Ok(match &seen[case_id] {
            None => true,
            Some((case, classes)) => !self.sees_record(user, case, classes.get(record).and_then(Value::as_str)),
        })
    }
}

/// A class's name in Chinese.
pub fn class_label(code: &str) -> &'static str {
    CLASSES.iter().find(|(c, _)| *c == code).map_or("内部", |(_, l)| l)
}
