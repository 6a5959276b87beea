//! The access ledger (办法第二十四条、第三十条): every view, download, export and print of a
//! record is a log entry naming who, what, when and for what purpose — appended before the
//! content is handed out, so the ledger has no gap.

use super::App;
use super::cases::CaseView;
use crate::app::AppError;
use liuhen_log::{Entry, EntryDraft};
use liuhen_store::{LogStore, UserRecord};
use serde_json::json;

/// The families of the log's actions that are the access ledger (办法第二十四条): views,
/// downloads, exports and prints, and the party's requests to read or copy.
pub const LEDGER_FAMILIES: [&str; 2] = ["access.", "party_access."];

/// The most entries one page of a case's ledger filtered by record reads.
pub const LEDGER_SCAN: usize = 5000;

/// How a record was accessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// 查阅: shown on screen or returned by the API.
    View,
    /// 下载.
    Download,
    /// 导出.
    Export,
    /// 打印.
    Print,
}

impl Access {
    pub fn code(self) -> &'static str {
        match self {
            Access::View => "view",
            Access::Download => "download",
            Access::Export => "export",
            Access::Print => "print",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Access::View => "查阅",
            Access::Download => "下载",
            Access::Export => "导出",
            Access::Print => "打印",
        }
    }
    pub fn parse(s: &str) -> Option<Access> {
        [Access::View, Access::Download, Access::Export, Access::Print].into_iter().find(|a| a.code() == s)
    }
}

/// The purpose recorded when the caller gives none.
pub const DEFAULT_PURPOSE: &str = "案件办理";

/// One line of the ledger, read back from the log.
#[derive(Debug, Clone)]
pub struct LedgerLine {
    pub index: u64,
    pub time_ms: i64,
    /// `user:<id>`.
    pub actor: String,
    pub access: String,
    /// What was accessed: the case itself, or one of its records.
    pub what: String,
    /// The record's id within its case (`evidence/0`), when one record was accessed.
    pub record: String,
    pub purpose: String,
}

/// The line `l` with what was accessed and why replaced by `what` (the reader may not see it).
fn withhold(l: &mut LedgerLine, what: &str) {
    l.what = format!("{what}（已隐去）");
    l.record = String::new();
    l.purpose = String::new();
}

/// A ledger line from an access (`access.*`) or a step of a party's request to read or copy
/// (`party_access.*`, shown as `party_<step>`).
/// A ledger line of entry `index`; `detail` is what its commitment opens to (what was
/// accessed and why: the user's words, kept out of the public log).
fn line(index: u64, e: &Entry, detail: Option<&serde_json::Value>) -> Option<LedgerLine> {
    let text = |k: &str| e.body().get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let opened = |k: &str| match detail {
        Some(d) => d[k].as_str().unwrap_or_default().to_string(),
        // Entries recorded before the two went behind a commitment.
        None => text(k),
    };
    let (access, what, purpose) = if let Some(a) = e.action().strip_prefix("access.") {
        (a.to_string(), opened("what"), opened("purpose"))
    } else {
        let step = e.action().strip_prefix("party_access.")?;
        (format!("party_{step}"), format!("当事人查阅、复制申请 {}", text("request")), String::new())
    };
    let record = text("record");
    Some(LedgerLine { index, time_ms: e.time_ms, actor: e.actor().to_string(), access, what, record, purpose })
}

/// A ledger line's kind in Chinese.
pub fn access_label(code: &str) -> &'static str {
    match code {
        "party_requested" => "当事人申请查阅、复制",
        "party_decided" => "审批查阅、复制申请",
        "party_delivered" => "提供查阅、复制材料",
        "party_receipted" => "当事人签收",
        other => Access::parse(other).map_or("其他", Access::label),
    }
}

impl<S: LogStore> App<S> {
    /// Appends one access to the ledger of case `case_id`; returns its log index.
    pub async fn record_access(
        &self,
        actor: &UserRecord,
        case_id: &str,
        access: Access,
        what: &str,
        purpose: &str,
    ) -> Result<u64, AppError> {
        self.record_access_of(actor, case_id, None, access, what, purpose).await
    }

    /// As [`App::record_access`], naming the record of the case that was accessed.
    pub async fn record_access_of(
        &self,
        actor: &UserRecord,
        case_id: &str,
        record: Option<&str>,
        access: Access,
        what: &str,
        purpose: &str,
    ) -> Result<u64, AppError> {
        self.record_access_on(actor, Some(case_id), record, access, what, purpose).await
    }

    /// One access in the ledger: on a case (its ledger), or on none (a recording not yet linked
    /// to one: then only in the user's ledger).
    pub async fn record_access_on(
        &self,
        actor: &UserRecord,
        case_id: Option<&str>,
        record: Option<&str>,
        access: Access,
        what: &str,
        purpose: &str,
    ) -> Result<u64, AppError> {
        let purpose = if purpose.trim().is_empty() { DEFAULT_PURPOSE } else { purpose.trim() };
        // What was accessed and why (the user's own words: a purpose may name a party) go
        // behind a commitment; the public log shows who, which case and record, and when.
        let (c, opening) = super::auth::committed(&json!({"what": what, "purpose": purpose}));
        let mut body = json!({"detail": {"commit": c.to_hex()}, "role": actor.role});
        if let Some(r) = record {
            body["record"] = json!(r);
        }
        let draft = EntryDraft::new(
            &format!("user:{}", actor.id),
            &format!("access.{}", access.code()),
            case_id,
            super::body(body),
            vec![],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        Ok(self.append(draft, vec![opening]).await?.index)
    }

    /// The ledger line of entry `index`, its commitment opened (and checked).
    async fn ledger_line(&self, index: u64, e: &Entry) -> Result<Option<LedgerLine>, AppError> {
        if !LEDGER_FAMILIES.iter().any(|f| e.action().starts_with(f)) {
            return Ok(None);
        }
        let detail = match (e.action().starts_with("access."), e.commits().first()) {
            (true, Some(c)) => Some(super::opened_detail(&self.store, index, c).await?),
            _ => None,
        };
        Ok(line(index, e, detail.as_ref()))
    }

    /// A case as now or as it stood at `as_of`, for `actor`: the view is in the ledger before
    /// it is returned. A case that does not exist is not ledgered (404).
    pub async fn view_case(
        &self,
        actor: &UserRecord,
        id: &str,
        as_of: Option<i64>,
        purpose: &str,
    ) -> Result<CaseView, AppError> {
        self.allow(actor, super::policy::Action::ViewCase, Some(&self.store.case(id).await?))?;
        let mut view = match as_of {
            Some(t) => self.case_as_of(id, t).await?,
            None => self.case_view(id).await?,
        };
        // Records classed beyond what the viewer may see are withheld (办法第二十四条).
        let mut data: serde_json::Value =
            serde_json::from_str(&view.record.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        self.withhold_records(actor, &view.record, &mut data).await?;
        self.procedure_records(&mut view).await?;
        // 办法第二十四条 保密: phones and identity numbers typed in the case's text — a report's
        // facts, an opinion, a reason — are starred for those who do not handle the case, and a
        // signature over such text is withheld from them.
        if !super::policy::handles(actor, &view.record) {
            if let Some(members) = data.as_object_mut() {
                for unit in members.values_mut() {
                    match unit {
                        serde_json::Value::Array(items) => items.iter_mut().for_each(|u| {
                            super::publication::mask_signed_unit(u);
                        }),
                        u => {
                            super::publication::mask_signed_unit(u);
                        }
                    }
                }
            }
            for unit in view.recorded.values_mut() {
                super::publication::mask_signed_unit(unit);
            }
        }
        view.record.data = data.to_string();
        let what = match as_of {
            Some(t) => format!("案件 {}（{t} 时的状态）", view.record.case_no),
            None => format!("案件 {}", view.record.case_no),
        };
        self.record_access(actor, id, Access::View, &what, purpose).await?;
        Ok(view)
    }

    /// What user `user_id` accessed, newest first, at most `limit` lines: anyone's own, and
    /// anyone's for a 监督人员 or 负责人. Read from the log itself, newest entries first.
    pub async fn user_ledger(
        &self,
        actor: &UserRecord,
        user_id: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<LedgerLine>, Option<u64>), AppError> {
        if actor.id != user_id {
            self.allow(actor, super::policy::Action::ViewUserLedger, None)?;
        }
        self.store.user(user_id).await?;
        // A range of the log's index by actor: the ledger's entries only, newest first.
        let who = format!("user:{user_id}");
        let mut out = Vec::new();
        let rows =
            self.store.actor_entries(&who, &LEDGER_FAMILIES, before.unwrap_or(u64::MAX), limit as u32 + 1).await?;
        let more = rows.len() > limit;
        // Each case once: whether the reader sees it now, and the classes of its records.
        let mut seen = super::records::SeenRecords::default();
        for (index, bytes) in rows.into_iter().take(limit) {
            let e = Entry::decode(&bytes).map_err(|err| AppError::Integrity(format!("entry {index}: {err}")))?;
            let Some(mut l) = self.ledger_line(index, &e).await? else { continue };
            let case = e.case().unwrap_or_default().to_string();
            if case.is_empty() {
                out.push(l);
                continue;
            }
            // 办法第二十四条、第二十五条: a case (or a record of it) the reader may no longer see is
            // not named — what was accessed, and the purpose (the user's words, which may name
            // the party), are withheld; the time and the kind of access stay.
            let withheld = self.record_withheld(actor, &case, &l.record, &mut seen).await?;
            match &seen[&case] {
                None => withhold(&mut l, "不可查看的案件"),
                Some((c, _)) if withheld => withhold(&mut l, &format!("案件 {} 中不可查看的记录", c.case_no)),
                Some(_) => l.what = format!("{}（{case}）", l.what),
            }
            out.push(l);
        }
        let next = if more { out.last().map(|l| l.index) } else { None };
        Ok((out, next))
    }

    /// The party's identity number and phone unmasked, for a task that needs them (service,
    /// enforcement): only for those who act on the case, with the purpose given, ledgered first.
    pub async fn reveal_party(
        &self,
        actor: &UserRecord,
        id: &str,
        purpose: &str,
    ) -> Result<serde_json::Value, AppError> {
        use super::cases::CaseKind;
        use liuhen_core::{
            coercion::Coercion, inspection::Inspection, licence::Licence, penalty::Ordinary, summary::Summary,
        };
        let record = self.store.case(id).await?;
        self.allow(actor, super::policy::Action::CommandCase, Some(&record))?;
        if !super::policy::handles(actor, &record) {
            return Err(AppError::Forbidden);
        }
        if purpose.trim().chars().count() < 2 {
            return Err(AppError::BadRequest("须说明查看当事人身份信息的用途".to_string()));
        }
        let party = match record.case_type.as_str() {
            Inspection::CODE => self.load_case::<Inspection>(id).await?.0.party().cloned(),
            Summary::CODE => self.load_case::<Summary>(id).await?.0.party().cloned(),
            Ordinary::CODE => self.load_case::<Ordinary>(id).await?.0.party().cloned(),
            Licence::CODE => self.load_case::<Licence>(id).await?.0.party().cloned(),
            Coercion::CODE => self.load_case::<Coercion>(id).await?.0.party().cloned(),
            _ => None,
        };
        let party = party.ok_or(AppError::NotFound)?;
        let what = format!("案件 {} 当事人的身份证件号码、联系电话", record.case_no);
        self.record_access(actor, id, Access::View, &what, purpose).await?;
        Ok(super::cases::party_json(Some(&party)))
    }

    /// A page of the ledger of case `id`, oldest first, after log index `after`: at most
    /// `limit` lines, only record `record`'s when given (`act/0`), and the index the next page
    /// starts after (`None` on the last). Ranges of the log's index by case and family: a case's
    /// commands are never read to find its views. Filtered by record, one request reads at most
    /// [`LEDGER_SCAN`] entries and may return fewer lines than asked with a cursor.
    pub async fn case_ledger(
        &self,
        actor: &UserRecord,
        id: &str,
        record: Option<&str>,
        mut after: Option<u64>,
        limit: usize,
    ) -> Result<(Vec<LedgerLine>, Option<u64>), AppError> {
        let case = self.store.case(id).await?;
        self.allow(actor, super::policy::Action::ViewLedger, Some(&case))?;
        // 办法第二十四条: a line of a record classed beyond the reader names neither the record
        // nor the purpose typed with it.
        let classes = self.record_classes(id).await?;
        if let Some(r) = record {
            // A record the case does not hold is a mistake said, not an empty ledger; one
            // classed beyond the reader is 403, as its own page is — its ledger would say
            // whether and when it was read.
            let data: serde_json::Value =
                serde_json::from_str(&case.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            if !super::records::records_in(&data).iter().any(|(rid, ..)| rid == r) && !self.document_of(id, r).await? {
                return Err(AppError::BadRequest(format!("案件中没有记录 {r}")));
            }
            self.record_visible(actor, &case, r).await?;
        }
        let limit = limit.max(1);
        let chunk = if record.is_some() { 500 } else { limit + 1 };
        let (mut out, mut scanned) = (Vec::new(), 0);
        loop {
            let batch = self.store.case_family_entries(id, &LEDGER_FAMILIES, after, chunk as u32).await?;
            let full = batch.len() == chunk;
            for (index, raw) in batch {
                if out.len() == limit {
                    // Another entry follows the page's last line.
                    return Ok((out, after));
                }
                scanned += 1;
                after = Some(index);
                let e = Entry::decode(&raw).map_err(|err| AppError::Integrity(format!("entry {index}: {err}")))?;
                if let Some(mut l) = self.ledger_line(index, &e).await?
                    && record.is_none_or(|r| l.record == r)
                {
                    let class = classes.get(&l.record).and_then(serde_json::Value::as_str);
                    if !l.record.is_empty() && !self.sees_record(actor, &case, class) {
                        withhold(&mut l, &format!("案件 {} 中不可查看的记录", case.case_no));
                    }
                    out.push(l);
                }
            }
            if !full {
                return Ok((out, None));
            }
            if scanned >= LEDGER_SCAN {
                return Ok((out, after));
            }
        }
    }
}
