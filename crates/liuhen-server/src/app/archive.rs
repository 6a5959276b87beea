//! 归档 (办法第二十五条): a closed case's file (案卷). Its 承办人 hands it over once it holds what
//! the case's path requires; the 档案管理员 files it under a 档号 with its retention
//! within thirty days of closing (R-150: a deadline until then, a defect after). Each
//! step is a log entry (`archive.handed_over`, `archive.filed`) with what it fixed behind a
//! commitment — the 卷内目录 and 备考表 as they stood — and the case's row of `case_files` its
//! projection. A 档号 is a number of the 文号 register, in its own series, so none is given twice.

use super::App;
use super::policy::Action;
use crate::app::AppError;
use liuhen_core::archive::{self, FiledDocument, Retention};
use liuhen_core::time::Timestamp;
use liuhen_store::{
    CaseFileQuery, CaseFileRecord, CaseRecord, DocNumberRecord, DocumentQuery, LogStore, Op, UserRecord,
};
use serde_json::{Value, json};

/// The deadline code of filing (办法第二十五条).
pub const CODE: &str = "T-ARC";
pub const SOURCE: &str = "办法第二十五条";

/// The filing deadline of a closed case not yet filed (`file`: its case file, if any).
pub(crate) fn deadline(data: &Value, file: Option<&Value>, cal: &liuhen_core::calendar::WorkCalendar) -> Option<i64> {
    let closed = data["closed_at"].as_i64()?;
    if file.is_some_and(|f| !f["filed"].is_null()) {
        return None;
    }
    archive::due(cal, Timestamp(closed)).ok().map(|t| t.0)
}

/// Folds an `archive.*` entry (its body, opened detail and actor) into the case's file.
pub fn fold(
    prev: Option<&Value>,
    action: &str,
    body: &serde_json::Map<String, Value>,
    detail: &Value,
    actor: &str,
    at: i64,
) -> Option<Value> {
    let mut v = prev.cloned().unwrap_or_else(|| json!({}));
    v["case"] = body.get("case")?.clone();
    match action {
        "archive.handed_over" => {
            v["state"] = json!("handed_over");
            v["handed_over"] = json!({"at": at, "by": actor, "name": detail.get("name")?, "note": detail.get("note")?});
        }
        "archive.filed" => {
            v["state"] = json!("filed");
            v["filed"] = json!({"at": at, "by": actor, "name": detail.get("name")?,
                "archive_no": body.get("archive_no")?, "retention": body.get("retention")?,
                "due": body.get("due")?, "on_time": body.get("on_time")?,
                "toc": detail.get("toc")?, "remarks": detail.get("remarks")?});
            // The 四性检测 at filing, when the entry carries it.
            if let Some(items) = detail.get("check") {
                v["checked"] = json!({"at": at, "by": actor, "link": "filing", "passed": true, "items": items});
            }
            // The last day it is kept (none for 永久): from the 档号's year and retention.
            let parsed = body.get("archive_no").and_then(Value::as_str).and_then(archive::parse_archive_no);
            if let Some(day) = parsed.and_then(|(_, year, r, _)| archive::keep_until(r, year)) {
                v["filed"]["keep_until"] = json!(day.to_string());
            }
        }
        // A legal hold (办法第二十六条): while a review, a suit or an inquiry outside the case
        // needs the file, nothing of it is disposed of.
        "archive.held" => {
            v["hold"] = json!({"at": at, "by": actor, "name": detail.get("name")?, "reason": detail.get("reason")?});
        }
        "archive.released" => {
            v["released"] = json!({"at": at, "by": actor, "name": detail.get("name")?, "reason": detail.get("reason")?,
                "hold": v["hold"].clone()});
            v["hold"] = Value::Null;
        }
        // A change after filing is a new 备考 entry, never an edit of the file (办法第二十六条).
        "archive.noted" => {
            let mut notes = v["later_notes"].as_array().cloned().unwrap_or_default();
            notes.push(json!({"at": at, "by": actor, "name": detail.get("name")?, "note": detail.get("note")?}));
            v["later_notes"] = Value::Array(notes);
        }
        "archive.checked" => {
            // The latest 四性检测 of the file (its package), as reported.
            v["checked"] = json!({"at": at, "by": actor, "link": body.get("link")?, "passed": body.get("passed")?,
                "items": detail.get("items")?});
        }
        _ => return None,
    }
    Some(v)
}

/// The row of case `case`'s file as `fold` leaves it (`v`), written at `at`.
pub fn record(case: &str, v: &Value, at: i64) -> CaseFileRecord {
    CaseFileRecord {
        case_id: case.to_string(),
        state: v["state"].as_str().unwrap_or_default().to_string(),
        archive_no: v["filed"]["archive_no"].as_str().map(str::to_string),
        data: v.to_string(),
        updated_at_ms: at,
        version: 0,
    }
}

/// The register's row of 档号 `no` (`n` in `series`) held by case `case`.
pub fn archive_number(no: &str, series: &str, n: u64, case: &str) -> DocNumberRecord {
    DocNumberRecord {
        doc_no: no.to_string(),
        case_id: case.to_string(),
        document: String::new(),
        series: Some(series.to_string()),
        n: Some(n),
        updated_at_ms: 0,
        version: 0,
    }
}

fn violation_json(v: &liuhen_core::rules::Violation) -> Value {
    json!({"rule": v.rule.id, "source": v.rule.source, "field": v.field, "detail": v.detail, "message": v.to_string()})
}

impl<S: LogStore> App<S> {
    /// The case's file and the version it was read at (0: none yet).
    pub(crate) async fn case_file_of(&self, case: &str) -> Result<(Option<Value>, u64), AppError> {
        let row = super::versioned_json(self.store.case_file(case).await.map(|r| (r.data, r.version)))?;
        Ok(row.map_or((None, 0), |(v, read)| (Some(v), read)))
    }

    /// The case's standing documents as the file holds them, in filing order (domain.md §e.3):
    /// (the check's view, the 卷内目录's line without its place).
    async fn filed_documents(&self, case: &CaseRecord) -> Result<Vec<(FiledDocument, Value)>, AppError> {
        let q = DocumentQuery { case_id: case.id.clone(), standing: true, limit: u32::MAX, ..Default::default() };
        let mut out = Vec::new();
        for s in self.store.document_page(&q).await? {
            let v: Value = serde_json::from_str(&s.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            let events = v["events"].as_array().map(Vec::as_slice).unwrap_or_default();
            let Some(d) = super::documents::replay(events) else { continue };
            let date = match &d.issued {
                Some((_, date, _)) => date.to_string(),
                None => Timestamp(s.updated_at_ms).shanghai_date().to_string(),
            };
            let line = json!({"document": s.id, "code": d.spec.code, "title": d.spec.name,
                "doc_no": d.issued.as_ref().map_or("", |(no, _, _)| no.as_str()), "date": date,
                "pages": d.pages, "pdf_sha256": d.pdf_sha256, "state": d.state.code()});
            out.push((FiledDocument { code: d.spec.code.to_string(), state: d.state }, line));
        }
        out.sort_by(|a, b| {
            archive::filing_rank(&a.0.code)
                .cmp(&archive::filing_rank(&b.0.code))
                .then_with(|| a.1["document"].as_str().cmp(&b.1["document"].as_str()))
        });
        Ok(out)
    }

    /// What keeps case `case` from being filed, by rule: not closed; a document its path
    /// requires missing or unfinished; an act that had to be recorded with no recording
    /// linked (办法第二十三条, R-140).
    async fn file_problems(
        &self,
        case: &CaseRecord,
        docs: &[(FiledDocument, Value)],
    ) -> Result<Vec<liuhen_core::rules::Violation>, AppError> {
        let mut found = Vec::new();
        if case.state != "closed" {
            found.push(liuhen_core::rules::R_152.violated("state", "案件尚未结案"));
        }
        let mut steps = Vec::new();
        for (index, raw) in self.store.case_entries(&case.id).await? {
            let e = liuhen_log::entry::Entry::decode(&raw)
                .map_err(|err| AppError::Integrity(format!("entry {index}: {err}")))?;
            if let Some(step) = e.action().strip_prefix("case.") {
                steps.push(step.to_string());
            }
        }
        let steps: Vec<&str> = steps.iter().map(String::as_str).collect();
        let filed: Vec<FiledDocument> = docs.iter().map(|(d, _)| d.clone()).collect();
        found.extend(archive::completeness(&case.case_type, &steps, &filed));
        let data = super::cases::case_data(case);
        if let Op::SetDeadlines { rows, .. } = self.deadlines_op(case, &data, None).await? {
            for r in rows.iter().filter(|r| r.code == super::deadlines::AV_CODE) {
                found.push(liuhen_core::rules::R_140.violated("recordings", format!("{}：未关联音像记录", r.label)));
            }
        }
        Ok(found)
    }

    /// The 卷内目录 of `docs`: each line numbered, its pages continuous from 1, under the
    /// office as 责任者.
    async fn table_of_contents(&self, docs: &[(FiledDocument, Value)]) -> Result<Value, AppError> {
        let organ = self.agency().await.map(|a| a.name).unwrap_or_default();
        let mut page = 1u64;
        let mut lines = Vec::new();
        for (n, (_, line)) in docs.iter().enumerate() {
            let pages = line["pages"].as_u64().unwrap_or(0).max(1);
            let mut l = line.clone();
            l["n"] = json!(n + 1);
            l["responsible"] = json!(organ);
            l["page_from"] = json!(page);
            l["page_to"] = json!(page + pages - 1);
            l["part"] = json!(archive::part_label(archive::filing_rank(line["code"].as_str().unwrap_or_default()).0));
            page += pages;
            lines.push(l);
        }
        Ok(json!({"lines": lines, "pages": page - 1}))
    }

    /// The case's file as it stands (handed over, filed, or neither yet), what keeps it from
    /// being filed, its 卷内目录 as it would be filed now, and its due date.
    pub async fn case_file_view(&self, actor: &UserRecord, case_id: &str) -> Result<Value, AppError> {
        let case = self.store.case(case_id).await?;
        if self.allow(actor, Action::FileCase, Some(&case)).is_err() {
            self.allow(actor, Action::ViewCase, Some(&case))?;
        }
        let (file, _) = self.case_file_of(case_id).await?;
        let docs = self.filed_documents(&case).await?;
        let problems = self.file_problems(&case, &docs).await?;
        let data = super::cases::case_data(&case);
        let due = deadline(&data, file.as_ref(), &self.calendar);
        Ok(json!({"case": case.id, "case_no": case.case_no, "case_type": case.case_type,
            "closed_at": data["closed_at"], "due": due, "state": file.as_ref().map_or(json!("open"), |f| f["state"].clone()),
            "file": file, "problems": problems.iter().map(violation_json).collect::<Vec<_>>(),
            "least_retention": archive::least_retention(&case.case_type).code(),
            "toc": self.table_of_contents(&docs).await?}))
    }

    async fn record_file_step(
        &self,
        actor: &UserRecord,
        case: &CaseRecord,
        (action, body, detail): (&str, Value, Value),
        (prev, read): (Option<Value>, u64),
        mut ops: Vec<Op>,
    ) -> Result<Value, AppError> {
        let c = super::Committed::new(&case.id, body, &detail, self.clock.now().0)?;
        let by = format!("user:{}", actor.id);
        let next = fold(prev.as_ref(), action, &c.body, &detail, &by, c.at)
            .ok_or_else(|| AppError::Internal("case file fold".into()))?;
        let now = c.at;
        let (d, opening) = c.draft(&by, action, &case.id)?;
        let data = super::cases::case_data(case);
        // The filing deadline follows the file.
        let deadlines = self.deadlines_op_filed(case, &data, &next).await?;
        ops.extend([
            opening,
            Op::PutCaseFile { record: record(&case.id, &next, now), expected_version: Some(read) },
            deadlines,
        ]);
        self.append(d, ops).await?;
        Ok(next)
    }

    /// The 承办人 hands the closed case's file over to the archive (办法第二十五条): refused,
    /// listing every problem by rule, while it lacks what its path requires.
    pub async fn hand_over(&self, actor: &UserRecord, case_id: &str, note: &str) -> Result<Value, AppError> {
        super::retrying(|| self.hand_over_once(actor, case_id, note)).await
    }

    async fn hand_over_once(&self, actor: &UserRecord, case_id: &str, note: &str) -> Result<Value, AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, Action::CommandCase, Some(&case))?;
        if !super::policy::is_case_officer(actor, &case) {
            return Err(AppError::NotYourStep("移交归档须由本案承办人员以本人账号办理".into()));
        }
        if note.chars().count() > 2_000 {
            return Err(AppError::BadRequest("移交说明不得超过 2000 字".into()));
        }
        let (prev, read) = self.case_file_of(case_id).await?;
        if let Some(p) = &prev {
            return Err(AppError::Duplicate(match p["state"].as_str() {
                Some("filed") => "该案卷已归档".into(),
                _ => "该案卷已移交，待档案管理员归档".into(),
            }));
        }
        if case.state != "closed" {
            return Err(AppError::InvalidState("案件结案后方可移交归档".into()));
        }
        let docs = self.filed_documents(&case).await?;
        let problems = self.file_problems(&case, &docs).await?;
        if !problems.is_empty() {
            return Err(AppError::Refused(problems));
        }
        let name = self.actor_name(actor).await?;
        self.record_file_step(
            actor,
            &case,
            ("archive.handed_over", json!({}), json!({"name": name, "note": note.trim()})),
            (prev, read),
            Vec::new(),
        )
        .await
    }

    /// The 档案管理员 files a handed-over case (办法第二十五条): checked again, numbered (档号:
    /// 全宗号-年度-保管期限-件号, the next of its series), its retention no shorter than its
    /// kind's, its 卷内目录 and 备考表 fixed in the entry. Late filing is recorded as a
    /// defect, not refused.
    pub async fn file_case(
        &self,
        actor: &UserRecord,
        case_id: &str,
        retention: Option<&str>,
    ) -> Result<Value, AppError> {
        super::retrying(|| self.file_case_once(actor, case_id, retention)).await
    }

    async fn file_case_once(
        &self,
        actor: &UserRecord,
        case_id: &str,
        retention: Option<&str>,
    ) -> Result<Value, AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, Action::FileCase, Some(&case))?;
        // The office's table (办法第二十四条) gives the retention not chosen, and the 全宗号.
        let office = self.agency().await?;
        let chosen = match retention.map(str::trim).filter(|r| !r.is_empty()) {
            None => office.retention_for(&case.case_type),
            Some(code) => Retention::parse(code)
                .ok_or_else(|| AppError::BadRequest(format!("保管期限“{code}”不是 Y、D30 或 D10 之一")))?,
        };
        let (prev, read) = self.case_file_of(case_id).await?;
        match prev.as_ref().and_then(|p| p["state"].as_str()) {
            Some("handed_over") => {}
            Some(_) => return Err(AppError::Duplicate("该案卷已归档".into())),
            None => return Err(AppError::InvalidState("该案卷尚未由承办人员移交".into())),
        }
        if let Err(v) = archive::check_retention(&case.case_type, chosen) {
            return Err(AppError::Refused(vec![v]));
        }
        let docs = self.filed_documents(&case).await?;
        let problems = self.file_problems(&case, &docs).await?;
        if !problems.is_empty() {
            return Err(AppError::Refused(problems));
        }
        let data = super::cases::case_data(&case);
        let closed = Timestamp(
            data["closed_at"].as_i64().ok_or_else(|| AppError::Internal("closed case without its time".into()))?,
        );
        let now = self.clock.now();
        let due = archive::due(&self.calendar, closed).map_err(|e| AppError::CalendarMissing(e.to_string()))?;
        let late = archive::timeliness(&self.calendar, closed, now);
        // The 档号: the next of its series (a number given meanwhile makes the append stale).
        let year = now.shanghai_date().year();
        let series = archive::archive_series(office.fonds(), year, chosen);
        let n = self.series_last(&series).await? + 1;
        let no = archive::archive_no(office.fonds(), year, chosen, n);
        let (held, no_read) = self.doc_number(&no).await?;
        if held.is_some() {
            return Err(AppError::Stale(format!("档号“{no}”刚被使用")));
        }
        let register =
            Op::PutDocNumber { record: archive_number(&no, &series, n, case_id), expected_version: Some(no_read) };
        let toc = self.table_of_contents(&docs).await?;
        // The 四性检测 of the file as it stands: filed only when no item fails.
        let checked = self.check_at_filing(&case, &toc).await?;
        let verdict: Vec<(&str, &str, bool, &str)> = checked
            .iter()
            .map(|i| (i.code, i.name, i.result == super::filing_check::Outcome::Fail, i.detail.as_str()))
            .collect();
        let failed = archive::four_properties_verdict(&verdict);
        if !failed.is_empty() {
            return Err(AppError::Refused(failed));
        }
        let filer = prev.as_ref().map_or(Value::Null, |p| p["handed_over"]["name"].clone());
        let name = self.actor_name(actor).await?;
        // 备考表: what the file records of itself — the case's defects, lateness — who made it
        // up and who checked it.
        let mut notes: Vec<Value> = data["defects"].as_array().cloned().unwrap_or_default();
        notes.extend(late.iter().map(|v| json!({"rule": v.rule.id, "message": v.to_string()})));
        let remarks = json!({"notes": notes, "items": toc["lines"].as_array().map_or(0, Vec::len), "pages": toc["pages"],
            "filer": filer, "checker": name, "filed_on": now.shanghai_date().to_string()});
        self.record_file_step(
            actor,
            &case,
            (
                "archive.filed",
                json!({"archive_no": no, "retention": chosen.code(), "due": due.0, "on_time": late.is_empty(),
                    "numbered": {"no": no, "series": series, "n": n}}),
                json!({"name": name, "toc": toc, "remarks": remarks,
                    "check": super::filing_check::items_json(&checked)}),
            ),
            (prev, read),
            vec![register],
        )
        .await
    }

    /// A 负责人 places a legal hold on case `case_id`'s filed file (`place`), or lifts it, with
    /// the reason (a 行政复议 or suit about it outside the case, an inquiry, a court's order):
    /// while held, none of its recordings is disposed of (办法第二十六条).
    pub async fn hold_file(
        &self,
        actor: &UserRecord,
        case_id: &str,
        place: bool,
        reason: &str,
    ) -> Result<Value, AppError> {
        super::retrying(|| async {
            let case = self.store.case(case_id).await?;
            self.allow(actor, Action::ViewCase, Some(&case))?;
            if !super::policy::roles(actor).contains(&super::policy::Role::Approver) {
                return Err(AppError::NotYourStep("保全和解除保全须由负责人以本人账号决定".into()));
            }
            let reason = reason.trim();
            if reason.chars().count() < 4 || reason.chars().count() > 2_000 {
                return Err(AppError::Unprocessable("保全和解除保全须写明理由（4 至 2000 字）".into()));
            }
            let (prev, read) = self.case_file_of(case_id).await?;
            if prev.as_ref().is_none_or(|p| p["filed"].is_null()) {
                return Err(AppError::InvalidState("案卷尚未归档：未归档的案卷及其音像记录本已随案保管".into()));
            }
            let held = prev.as_ref().is_some_and(|p| !p["hold"].is_null());
            match (place, held) {
                (true, true) => return Err(AppError::Duplicate("该案卷已处于保全状态".into())),
                (false, false) => return Err(AppError::InvalidState("该案卷未处于保全状态".into())),
                _ => {}
            }
            let action = if place { "archive.held" } else { "archive.released" };
            let name = self.actor_name(actor).await?;
            self.record_file_step(
                actor,
                &case,
                (action, json!({"held": place}), json!({"name": name, "reason": reason})),
                (prev, read),
                Vec::new(),
            )
            .await
        })
        .await
    }

    /// The 档案管理员 adds a 备考 note to case `case_id`'s filed file — what changed or came to
    /// light after filing (a correction, a document found later, a court's ruling): a new entry,
    /// the file as filed untouched.
    pub async fn note_file(&self, actor: &UserRecord, case_id: &str, note: &str) -> Result<Value, AppError> {
        super::retrying(|| async {
            let case = self.store.case(case_id).await?;
            self.allow(actor, Action::FileCase, Some(&case))?;
            let note = note.trim();
            if note.chars().count() < 4 || note.chars().count() > 2_000 {
                return Err(AppError::Unprocessable("备考须写明情况（4 至 2000 字）".into()));
            }
            let (prev, read) = self.case_file_of(case_id).await?;
            if prev.as_ref().is_none_or(|p| p["filed"].is_null()) {
                return Err(AppError::InvalidState("案卷尚未归档：归档前的情况随移交说明和备考表记载".into()));
            }
            let name = self.actor_name(actor).await?;
            self.record_file_step(
                actor,
                &case,
                ("archive.noted", json!({}), json!({"name": name, "note": note})),
                (prev, read),
                Vec::new(),
            )
            .await
        })
        .await
    }

    /// Records the 四性检测 of case `case_id`'s filed file at `link` (`export`: its package as
    /// written; `transfer`, `keeping`): the items as checked, passed only when none failed.
    pub async fn record_file_check(
        &self,
        actor: &UserRecord,
        case_id: &str,
        link: &str,
        items: Value,
    ) -> Result<Value, AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, Action::FileCase, Some(&case))?;
        if !matches!(link, "export" | "transfer" | "keeping") {
            return Err(AppError::BadRequest("link 须为 export、transfer 或 keeping".into()));
        }
        let passed = items.as_array().is_some_and(|a| a.iter().all(|i| i["result"] != "fail"));
        super::retrying(|| async {
            let (prev, read) = self.case_file_of(case_id).await?;
            if prev.as_ref().is_none_or(|p| p["filed"].is_null()) {
                return Err(AppError::InvalidState("该案卷尚未归档".into()));
            }
            self.record_file_step(
                actor,
                &case,
                ("archive.checked", json!({"link": link, "passed": passed}), json!({"items": items})),
                (prev, read),
                Vec::new(),
            )
            .await
        })
        .await
    }

    /// A page of the case files in `state` (`handed_over`: 待归档; `filed`), oldest last step
    /// first, after `cursor`: the archivist's, the 负责人's and the 监督人员's list. Each row
    /// names the case and its file, never the case's content.
    /// 保管期限 (办法第二十四条): the filed files whose retention runs out within `days` days of
    /// today (those run out first), soonest first, a page after `cursor`.
    pub async fn expiring_files(
        &self,
        actor: &UserRecord,
        days: u32,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Value>, Option<String>), AppError> {
        super::policy::sees_archive_lists(actor)?;
        let today = self.clock.now().shanghai_date();
        let until = Timestamp(self.clock.now().0 + i64::from(days.min(36_600)) * 86_400_000).shanghai_date();
        // The cursor's number is the day as YYYYMMDD.
        let day_of = |n: i64| format!("{:04}-{:02}-{:02}", n / 10_000, n / 100 % 100, n % 100);
        let after = cursor.map(super::policy::parse_cursor).transpose()?.map(|(n, case)| (day_of(n), case));
        let mut rows = self.store.case_files_expiring(&until.to_string(), after, limit as u32 + 1).await?;
        let next = super::policy::page_end(&mut rows, limit, |last| {
            let v: Value = serde_json::from_str(&last.data).unwrap_or(Value::Null);
            let n: i64 = v["filed"]["keep_until"].as_str().unwrap_or_default().replace('-', "").parse().unwrap_or(0);
            super::policy::cursor_of(n, &last.case_id)
        });
        let mut out = Vec::new();
        for r in &rows {
            let v: Value = serde_json::from_str(&r.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            let case = self.store.case(&r.case_id).await?;
            let keep = v["filed"]["keep_until"].as_str().unwrap_or_default().to_string();
            out.push(json!({"case": r.case_id, "case_no": case.case_no, "case_type": case.case_type,
                "archive_no": r.archive_no, "retention": v["filed"]["retention"], "filed_at": v["filed"]["at"],
                "keep_until": keep, "expired": keep.as_str() < today.to_string().as_str()}));
        }
        Ok((out, next))
    }

    pub async fn case_files(
        &self,
        actor: &UserRecord,
        state: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Value>, Option<String>), AppError> {
        let after = super::policy::archive_list_page(actor, state, &["handed_over", "filed"], cursor)?;
        let q = CaseFileQuery { state: state.to_string(), after, limit: limit + 1 };
        let mut rows = self.store.case_file_page(&q).await?;
        let next = super::policy::page_end(&mut rows, limit, |last| {
            super::policy::cursor_of(last.updated_at_ms, &last.case_id)
        });
        let mut out = Vec::new();
        for r in &rows {
            let v: Value = serde_json::from_str(&r.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            let case = self.store.case(&r.case_id).await?;
            out.push(json!({"case": r.case_id, "case_no": case.case_no, "case_type": case.case_type,
                "state": r.state, "archive_no": r.archive_no, "handed_over_at": v["handed_over"]["at"],
                "filed_at": v["filed"]["at"], "retention": v["filed"]["retention"], "updated_at": r.updated_at_ms}));
        }
        Ok((out, next))
    }
}
