//! 音像记录 in their cases (办法第十八条至第二十三条): a stored recording is linked to its case,
//! the records it corresponds to (第十八条 与文字记录相衔接) and the 音像记录事项清单 item it
//! fulfils (`recording.linked`); interruptions are recorded on it with their explanation
//! (`recording.interruption`, 第二十二条). From these a case's A/V view shows, record by record,
//! whether what had to be recorded whole was (R-140, 第十九条), and the office's overdue list
//! shows activities whose recordings are not stored within 24 hours (第二十三条). Recordings are
//! found by unit, device, officer, case cause and party (第二十四条 分类存储).

use super::policy::Action;
use super::{App, auth::now_ms, body};
use crate::app::AppError;
use liuhen_core::av::{self, Interruption, Span};
use liuhen_core::time::Timestamp;
use liuhen_log::EntryDraft;
use liuhen_store::{CaseRecord, LogStore, Op, RecordingRecord, StoreError, UserRecord};
use serde_json::{Value, json};

/// What a link says: the case's records, the catalogue item, the activity's end.
#[derive(Debug, Clone, Default)]
pub struct Link {
    pub case: String,
    pub records: Vec<String>,
    pub av_item: String,
    pub activity_ended_at: Option<i64>,
    /// Why a recording already in one case moves to another (a correction).
    pub reason: String,
}

/// An interruption as the API takes it: officers by id.
#[derive(Debug, Clone, Default)]
pub struct InterruptionInput {
    pub from: i64,
    pub to: i64,
    pub cause: String,
    pub spoken_at: Option<i64>,
    pub written: String,
    pub signed_by: Vec<String>,
    /// The earlier interruption (by its number on this recording) this one corrects: a
    /// better explanation is a new entry; the first stays in the log, marked superseded.
    pub replaces: Option<usize>,
}

fn interruption_of(v: &Value) -> Option<Interruption> {
    if !v["superseded_by"].is_null() {
        return None;
    }
    Some(Interruption {
        from: Timestamp(v["from"].as_i64()?),
        to: Timestamp(v["to"].as_i64()?),
        cause: v["cause"].as_str()?.to_string(),
        spoken_at: v["spoken_at"].as_i64().map(Timestamp),
        written: v["written"].as_str().unwrap_or_default().to_string(),
        signed_by: v["signed_by"].as_array()?.iter().filter_map(|s| s.as_str().map(str::to_string)).collect(),
    })
}

/// The recording's data with a link applied (the projection's and the rebuild's one path).
pub fn apply_link(r: &mut RecordingRecord, detail: &Value) {
    let mut data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
    data["links"] = json!({"records": detail["records"], "av_item": detail["av_item"],
        "activity_ended_at": detail["activity_ended_at"]});
    r.case_id = detail["case"].as_str().unwrap_or_default().to_string();
    r.data = data.to_string();
}

/// The recording's data with an interruption added.
pub fn apply_interruption(r: &mut RecordingRecord, detail: &Value) {
    let mut data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
    let mut list = data["interruptions"].as_array().cloned().unwrap_or_default();
    let next = list.len();
    if let Some(old) = detail["replaces"].as_u64().and_then(|n| list.get_mut(n as usize)) {
        old["superseded_by"] = Value::from(next);
    }
    list.push(detail.clone());
    data["interruptions"] = Value::Array(list);
    r.data = data.to_string();
}

/// A recording's span as its metadata gives it (start and end), if both are known.
pub fn span_of(r: &RecordingRecord) -> Option<Span> {
    let data: Value = serde_json::from_str(&r.data).ok()?;
    let m = |k: &str| data["metadata"][k].as_str().and_then(super::recordings::parse_moment);
    Some(Span { from: Timestamp(m("started_at")?), to: Timestamp(m("ended_at")?) })
}

/// The text a moment is shown as in findings.
fn shown(t: Timestamp) -> String {
    t.to_minute()
}

impl<S: LogStore> App<S> {
    /// Whether `actor` may add to recording `r` (interruptions, clips): those who act on its
    /// case, or — while it has none — its uploader.
    pub async fn may_change_recording(&self, actor: &UserRecord, r: &RecordingRecord) -> Result<(), AppError> {
        if r.case_id.is_empty() {
            return if r.uploaded_by == format!("user:{}", actor.id) { Ok(()) } else { Err(AppError::Forbidden) };
        }
        self.case_for_command(actor, &r.case_id).await.map(drop)
    }

    /// Case `id`, if `actor` acts on it (404 if hidden, 403 if not their step).
    pub(crate) async fn case_for_command(&self, actor: &UserRecord, id: &str) -> Result<CaseRecord, AppError> {
        let case = self.store.case(id).await?;
        self.allow(actor, Action::CommandCase, Some(&case))?;
        // A step of the handling: the case's officers', never a 法制审核人员's.
        if !super::policy::performs(actor, &case, "record_av") {
            return Err(AppError::NotYourStep("音像记录由本案执法人员或其所在机构负责人办理（办法第十五条）".into()));
        }
        Ok(case)
    }

    /// Links recording `id` to a case, the case's records and a catalogue item (those who act
    /// on the case, and who see the recording). A recording in another case moves only with a
    /// reason; its old case must be the actor's to act on too.
    pub async fn link_recording(&self, actor: &UserRecord, id: &str, link: Link) -> Result<RecordingRecord, AppError> {
        let link = &link;
        super::retrying(|| self.link_recording_once(actor, id, link)).await
    }

    /// [`link_recording`](Self::link_recording) from one read of the recording.
    async fn link_recording_once(
        &self,
        actor: &UserRecord,
        id: &str,
        link: &Link,
    ) -> Result<RecordingRecord, AppError> {
        let mut r = self.recording(actor, id).await?;
        let read = r.version;
        let case = self.case_for_command(actor, &link.case).await?;
        // 办法第二十五条: a filed case file is closed; what it holds changes by a 备考 entry, not a link.
        for c in std::iter::once(link.case.as_str()).chain((!r.case_id.is_empty()).then_some(r.case_id.as_str())) {
            if self.case_file_of(c).await?.0.is_some_and(|f| !f["filed"].is_null()) {
                return Err(AppError::InvalidState("案卷已归档，不能再向其关联或从中移出音像记录".into()));
            }
        }
        if !r.case_id.is_empty() && r.case_id != link.case {
            self.case_for_command(actor, &r.case_id).await?;
            if link.reason.trim().is_empty() {
                return Err(AppError::Unprocessable("音像记录已关联其他案件，改为关联本案须写明更正理由".into()));
            }
        }
        let data: Value = serde_json::from_str(&case.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        let known: Vec<String> = super::records::records_in(&data).into_iter().map(|(rid, ..)| rid).collect();
        let mut records = link.records.clone();
        records.sort();
        records.dedup();
        if let Some(bad) = records.iter().find(|x| !known.contains(x)) {
            return Err(AppError::UnknownReference(format!("本案没有记录 {bad}")));
        }
        let item = link.av_item.trim();
        if !item.is_empty() {
            let items = self.catalogue(super::catalogues::AV_ITEMS).await?;
            if !items.as_array().into_iter().flatten().any(|x| x["activity"].as_str() == Some(item)) {
                return Err(AppError::UnknownReference(format!("音像记录事项清单中没有“{item}”")));
            }
        }
        let detail = json!({"recording": id, "case": link.case, "previous_case": r.case_id, "records": records,
            "av_item": item, "activity_ended_at": link.activity_ended_at, "reason": link.reason.trim()});
        let (c, opening) = super::auth::committed(&detail);
        // The link names the recording's bytes in the clear: a case's own entries prove the
        // hash of every recording used in it (what an archive package carries).
        let sha = liuhen_log::Hash::from_hex(&r.sha256)
            .ok_or_else(|| AppError::Internal("unreadable recording hash".into()))?;
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            "recording.linked",
            Some(&link.case),
            body(json!({"recording": id, "detail": {"commit": c.to_hex()}})),
            vec![liuhen_log::BlobRef { sha256: sha, size: r.size }],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        apply_link(&mut r, &detail);
        // What the case owes (and the case it leaves, if it moved) in 24-hour deadlines.
        let mut ops = vec![opening, Op::PutRecording { record: r.clone(), expected_version: Some(read) }];
        ops.push(self.deadlines_op(&case, &super::cases::case_data(&case), Some(&r)).await?);
        if let Some(old) = detail["previous_case"].as_str().filter(|o| !o.is_empty() && *o != case.id) {
            let old = self.store.case(old).await?;
            ops.push(self.deadlines_op(&old, &super::cases::case_data(&old), Some(&r)).await?);
        }
        self.append(d, ops).await?;
        Ok(r)
    }

    /// The written reasons a case's records were made without a recording: record id →
    /// {reason, by, at}.
    pub async fn unrecorded_reasons(&self, case_id: &str) -> Result<serde_json::Map<String, Value>, AppError> {
        self.record_marks(case_id, UNRECORDED).await
    }

    /// Says in writing why record `record_id` of case `case_id` (an on-site act or an evidence
    /// collection) was made without a recording: the text record was enough. Those who
    /// act on the case; a later reason supersedes an earlier one, which stays in the log.
    pub async fn explain_unrecorded(
        &self,
        actor: &UserRecord,
        case_id: &str,
        record_id: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        let case = self.case_for_command(actor, case_id).await?;
        let data: Value = serde_json::from_str(&case.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        if !super::records::records_in(&data).iter().any(|(rid, ..)| rid == record_id) {
            return Err(AppError::UnknownReference(format!("本案没有记录 {record_id}")));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(AppError::BadRequest("须写明未进行音像记录的理由（至多 1000 字）".into()));
        }
        super::retrying(|| async move {
            let detail =
                json!({"record": record_id, "reason": reason, "by": format!("user:{}", actor.id), "at": now_ms()});
            let (c, opening) = super::auth::committed(&detail);
            let d = EntryDraft::new(
                &format!("user:{}", actor.id),
                "av.unrecorded",
                Some(case_id),
                body(json!({"record": record_id, "detail": {"commit": c.to_hex()}})),
                vec![],
                vec![c],
            )
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
            let mark = super::record_mark(case_id, UNRECORDED, record_id, &unrecorded_mark(&detail));
            self.put_record_mark(d, opening, mark, |_| Ok(())).await
        })
        .await
    }

    /// Records an interruption in recording `id` (办法第二十二条) with its explanation: spoken
    /// on resuming (the moment), or written and signed by officers (registered ones, by id).
    pub async fn record_interruption(
        &self,
        actor: &UserRecord,
        id: &str,
        i: InterruptionInput,
    ) -> Result<RecordingRecord, AppError> {
        let i = &i;
        super::retrying(|| self.record_interruption_once(actor, id, i)).await
    }

    /// [`record_interruption`](Self::record_interruption) from one read of the recording.
    async fn record_interruption_once(
        &self,
        actor: &UserRecord,
        id: &str,
        i: &InterruptionInput,
    ) -> Result<RecordingRecord, AppError> {
        let mut r = self.recording(actor, id).await?;
        let read = r.version;
        self.may_change_recording(actor, &r).await?;
        if i.to <= i.from {
            return Err(AppError::Unprocessable("中断的结束时间须晚于开始时间".into()));
        }
        if let Some(n) = i.replaces {
            let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
            match data["interruptions"].get(n) {
                Some(old) if old["superseded_by"].is_null() => {}
                Some(_) => return Err(AppError::Unprocessable(format!("第 {n} 项中断已被更正过"))),
                None => return Err(AppError::UnknownReference(format!("没有第 {n} 项中断"))),
            }
        }
        if i.cause.trim().is_empty() {
            return Err(AppError::BadRequest("须写明中断原因（设备故障、天气恶劣、人为阻挠等）".into()));
        }
        let mut names = Vec::new();
        for o in &i.signed_by {
            match self.store.officer(o).await {
                Ok(rec) => names.push(rec.name),
                Err(StoreError::NotFound) => return Err(AppError::UnknownReference(format!("执法人员 {o} 未登记"))),
                Err(e) => return Err(e.into()),
            }
        }
        let core = Interruption {
            from: Timestamp(i.from),
            to: Timestamp(i.to),
            cause: i.cause.trim().to_string(),
            spoken_at: i.spoken_at.map(Timestamp),
            written: i.written.trim().to_string(),
            signed_by: i.signed_by.clone(),
        };
        let detail = json!({"from": i.from, "to": i.to, "cause": core.cause, "spoken_at": i.spoken_at,
            "written": core.written, "signed_by": i.signed_by, "signed_names": names,
            "explained": av::explained(&core), "replaces": i.replaces, "recorded_at": now_ms()});
        let (c, opening) = super::auth::committed(&detail);
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            "recording.interruption",
            Some(&r.case_id).filter(|c| !c.is_empty()).map(String::as_str),
            body(json!({"recording": id, "detail": {"commit": c.to_hex()}})),
            vec![],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        apply_interruption(&mut r, &detail);
        self.append(d, vec![opening, Op::PutRecording { record: r.clone(), expected_version: Some(read) }]).await?;
        Ok(r)
    }

    /// What says a record must be recorded whole (办法第十九条): a 查封、扣押 case, a matter the
    /// 权责清单 marks so, or (per record) a catalogue item marked mandatory or 全程.
    /// Whether `case` must be recorded whole for what it is (查封、扣押) or for its matter (the
    /// 权责清单 marks it 全程): [`WholeRecording::case`] for one case, reading its matter only.
    pub(crate) async fn owes_whole_recording(&self, case: &CaseRecord) -> Result<bool, AppError> {
        if case.case_type == "coercive_measure" {
            return Ok(true);
        }
        let matters = self.store.matters_named(&case.matter).await?;
        Ok(matters.iter().any(|m| serde_json::from_str::<Value>(&m.data).is_ok_and(|d| d["av_mandatory"] == true)))
    }

    pub(crate) async fn whole_recording(&self) -> Result<WholeRecording, AppError> {
        let matters = self
            .store
            .matters()
            .await?
            .into_iter()
            .filter(|m| serde_json::from_str::<Value>(&m.data).is_ok_and(|d| d["av_mandatory"] == true))
            .flat_map(|m| [m.name, m.code])
            .collect();
        let items = self
            .catalogue(super::catalogues::AV_ITEMS)
            .await?
            .as_array()
            .into_iter()
            .flatten()
            .filter(|x| x["mandatory"] == true || x["mode"] == "全程")
            .filter_map(|x| x["activity"].as_str().map(str::to_string))
            .collect();
        Ok(WholeRecording { matters, items })
    }

    /// A case's recordings record by record, with the coverage of those that had to be
    /// recorded whole and unexplained interruptions. Viewing it is ledgered.
    pub async fn case_av(&self, actor: &UserRecord, case_id: &str) -> Result<Value, AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, Action::ViewCase, Some(&case))?;
        self.record_access_on(actor, Some(case_id), None, super::ledger::Access::View, "案件音像记录", "").await?;
        self.av_of(actor, &case).await
    }

    /// [`App::case_av`] for a case whose view is already in the ledger (the case page), as
    /// `actor` may see it: a record with its own 密级 beyond the actor keeps only its id and
    /// kind — its label, times, written reason, recordings and what was found of them
    /// are withheld (办法第二十五条).
    pub async fn av_of(&self, actor: &UserRecord, case: &CaseRecord) -> Result<Value, AppError> {
        let mut out = self.av_whole(case).await?;
        let classes = self.record_classes(&case.id).await?;
        let records = out["records"].as_array_mut().map(std::mem::take).unwrap_or_default();
        let beyond = |r: &Value| {
            let class = r["record"].as_str().and_then(|id| classes.get(id)).and_then(Value::as_str);
            !self.sees_record(actor, case, class)
        };
        // A recording of a withheld record is withheld wherever it is linked: a record sharing
        // one is withheld with it (its coverage would tell the recording's times).
        let hidden: std::collections::HashSet<Value> = records
            .iter()
            .filter(|r| beyond(r))
            .flat_map(|r| r["recordings"].as_array().cloned().unwrap_or_default())
            .collect();
        out["records"] = Value::Array(records);
        for r in out["records"].as_array_mut().into_iter().flatten() {
            let shares = r["recordings"].as_array().is_some_and(|a| a.iter().any(|x| hidden.contains(x)));
            if beyond(r) || shares {
                for k in ["at", "ended_at", "unrecorded_reason"] {
                    r[k] = Value::Null;
                }
                r["label"] = Value::from("已隐去");
                r["recordings"] = json!([]);
                r["findings"] = json!([]);
                r["withheld"] = Value::from(true);
            }
        }
        Ok(out)
    }

    /// Every record's recordings and findings, nothing withheld (for [`App::av_of`]).
    async fn av_whole(&self, case: &CaseRecord) -> Result<Value, AppError> {
        let case_id = case.id.as_str();
        let recordings = self.store.recordings(Some(case_id), 10_000).await?;
        let data: Value = serde_json::from_str(&case.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        let whole = self.whole_recording().await?;
        let (case_mandatory, mandatory_items) = (whole.case(case), whole.items);
        let reasons = self.unrecorded_reasons(case_id).await?;
        let links = |r: &RecordingRecord| -> Value {
            serde_json::from_str::<Value>(&r.data).map(|d| d["links"].clone()).unwrap_or(Value::Null)
        };
        let mut out = Vec::new();
        let mut linked = std::collections::BTreeSet::new();
        for (rid, kind, label, record) in super::records::records_in(&data) {
            let mine: Vec<&RecordingRecord> = recordings
                .iter()
                .filter(|r| links(r)["records"].as_array().is_some_and(|a| a.iter().any(|x| x == rid.as_str())))
                .collect();
            linked.extend(mine.iter().map(|r| r.id.clone()));
            let items: Vec<String> =
                mine.iter().filter_map(|r| links(r)["av_item"].as_str().map(str::to_string)).collect();
            let mandatory = case_mandatory
                || touches(&record)
                || items.iter().any(|i| !i.is_empty() && mandatory_items.contains(i));
            let spans: Vec<Span> = mine.iter().filter_map(|r| span_of(r)).collect();
            let interruptions: Vec<Interruption> = mine
                .iter()
                .flat_map(|r| {
                    let d: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
                    d["interruptions"].as_array().cloned().unwrap_or_default()
                })
                .filter_map(|v| interruption_of(&v))
                .collect();
            let start = record["at"].as_i64();
            let stated_end = mine.iter().filter_map(|r| links(r)["activity_ended_at"].as_i64()).max();
            let end = record["ended_at"].as_i64().or(stated_end);
            let mut findings = Vec::new();
            if mandatory {
                match (start, end) {
                    (Some(from), Some(to)) if to > from => {
                        let activity = Span { from: Timestamp(from), to: Timestamp(to) };
                        findings = av::coverage(activity, &spans, &interruptions, shown);
                    }
                    (Some(from), _) => {
                        // Without the activity's end, coverage runs to the last recording's end.
                        let to = spans.iter().map(|s| s.to).max().unwrap_or(Timestamp(from));
                        let activity = Span { from: Timestamp(from), to: to.max(Timestamp(from + 1)) };
                        findings = av::coverage(activity, &spans, &interruptions, shown);
                        if !spans.is_empty() {
                            findings.push(
                                liuhen_core::rules::R_140.violated("activity_ended_at", "未载明执法活动的结束时间"),
                            );
                        }
                    }
                    _ => {}
                }
                if mine.len() > spans.len() {
                    findings.push(liuhen_core::rules::R_140.violated("recordings", "有音像记录未载明起止时间"));
                }
            } else {
                findings.extend(interruptions.iter().filter(|i| !av::explained(i)).map(|i| {
                    liuhen_core::rules::R_143
                        .violated("interruptions", format!("{} 的中断（{}）未说明", shown(i.from), i.cause))
                }));
                let reason = reasons.get(&rid).and_then(|r| r["reason"].as_str()).unwrap_or_default();
                findings.extend(av::unrecorded(mine.len(), reason));
            }
            out.push(json!({
                "record": rid, "kind": kind, "label": label, "at": start, "ended_at": end, "mandatory": mandatory,
                "unrecorded_reason": reasons.get(&rid).cloned().unwrap_or(Value::Null),
                "recordings": mine.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
                "findings": findings.iter().map(|v| json!({"rule": v.rule.id, "source": v.rule.source,
                    "message": v.to_string()})).collect::<Vec<_>>(),
            }));
        }
        let unlinked: Vec<&String> = recordings.iter().map(|r| &r.id).filter(|id| !linked.contains(*id)).collect();
        Ok(json!({"case": case_id, "records": out, "not_linked_to_a_record": unlinked}))
    }

    /// A page of the on-site acts whose recording is overdue (办法第二十三条: stored within 24
    /// hours of the act's end) in the cases `actor` may see, earliest due first, after `cursor`:
    /// one read of the deadlines' index by due time (`limit` rows; the policy then asked of each
    /// row's case), so a page may hold fewer than `limit` and still have a `next_cursor`.
    pub async fn overdue_av(
        &self,
        actor: &UserRecord,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Value>, Option<String>), AppError> {
        let now = now_ms();
        let after = match cursor {
            None => None,
            Some(c) => {
                let bad = || AppError::BadRequest("cursor 无效（须为上一页返回的 next_cursor）".into());
                let (n, key) = super::policy::parse_cursor(c)?;
                let (due, case) = key.split_once(':').ok_or_else(bad)?;
                Some((due.parse().map_err(|_| bad())?, case.to_string(), u32::try_from(n).map_err(|_| bad())?))
            }
        };
        let q = liuhen_store::DeadlineQuery {
            seen_by: super::policy::seen_by(actor),
            code: Some(super::deadlines::AV_CODE.to_string()),
            range: liuhen_store::DueRange::Before(now),
            due_from: None,
            due_before: None,
            cases: Default::default(),
            after,
            limit: limit as u32,
        };
        let rows = self.store.deadline_page(&q).await?;
        let next = (rows.len() == limit).then(|| rows.last()).flatten().map(|(d, _)| {
            super::policy::cursor_of(i64::from(d.n), &format!("{}:{}", d.due_at_ms.unwrap_or(0), d.case_id))
        });
        let mut out = Vec::new();
        // Each case once: its projection, if the policy lets the actor see it.
        let mut cases: std::collections::HashMap<String, Option<Value>> = std::collections::HashMap::new();
        let mut seen = super::records::SeenRecords::default();
        for (d, case_no) in rows {
            if !cases.contains_key(&d.case_id) {
                let c = self.store.case(&d.case_id).await?;
                let seen = self.allow(actor, Action::ViewCase, Some(&c)).is_ok();
                cases.insert(d.case_id.clone(), seen.then(|| serde_json::from_str(&c.data).unwrap_or(Value::Null)));
            }
            let Some(data) = &cases[&d.case_id] else { continue };
            let Some((rid, kind, label, record)) =
                super::records::records_in(data).into_iter().find(|(rid, ..)| *rid == d.record)
            else {
                continue;
            };
            let at = record["ended_at"].as_i64().or(record["at"].as_i64()).unwrap_or_default();
            let due = d.due_at_ms.unwrap_or_default();
            // 办法第二十四条: a record classed beyond the reader is owed, but not named or timed.
            if self.record_withheld(actor, &d.case_id, &rid, &mut seen).await? {
                out.push(json!({"case": d.case_id, "case_no": case_no, "record": null, "kind": kind,
                    "label": super::records::WITHHELD_LABEL, "at": null, "due": due,
                    "overdue_hours": (now - due) / 3_600_000}));
                continue;
            }
            out.push(json!({"case": d.case_id, "case_no": case_no, "record": rid, "kind": kind,
                "label": label, "at": at, "due": due, "overdue_hours": (now - due) / 3_600_000}));
        }
        Ok((out, next))
    }

    /// A page of the recordings `actor` may see, newest first: one case's or all, narrowed by
    /// `q` (办法第二十四条 分类存储: unit, device, officer, case cause, party), after `cursor`.
    /// A request reads at most [`RECORDING_SCAN`] rows of the index: a page may hold fewer than
    /// `limit` rows and still have a `next_cursor` to go on from.
    pub async fn recordings_page(
        &self,
        actor: &UserRecord,
        case: Option<&str>,
        q: &Search,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<RecordingRecord>, Option<String>), AppError> {
        let mut after = cursor.map(super::policy::parse_cursor).transpose()?;
        let searching = !(q.unit.is_empty() && q.cause.is_empty() && q.party.is_empty());
        let units: std::collections::HashMap<String, String> = if searching {
            self.store.users().await?.into_iter().map(|u| (format!("user:{}", u.id), u.unit)).collect()
        } else {
            Default::default()
        };
        let has = |hay: &str, needle: &str| needle.is_empty() || hay.contains(needle);
        // Each case read once, and the classes of its records.
        let mut cases: std::collections::HashMap<String, CaseRecord> = std::collections::HashMap::new();
        let mut classes: std::collections::HashMap<String, serde_json::Map<String, Value>> =
            std::collections::HashMap::new();
        let (mut out, mut scanned) = (Vec::new(), 0usize);
        loop {
            // The party and the cause are searched by the store, in the cases' own fields.
            let page = liuhen_store::RecordingQuery {
                case_id: case.map(str::to_string),
                after: after.clone(),
                limit: 500,
                party: Some(q.party.clone()).filter(|p| !p.is_empty()),
                cause: Some(q.cause.clone()).filter(|c| !c.is_empty()),
            };
            let rows = self.store.recording_page(&page).await?;
            let last_page = rows.len() < 500;
            for r in rows {
                scanned += 1;
                after = Some((r.created_at_ms, r.id.clone()));
                if !(q.device.is_empty() && q.officer.is_empty()) {
                    let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
                    let meta = |k: &str| data["metadata"][k].as_str().unwrap_or_default().to_string();
                    if !has(&meta("device"), &q.device) || !has(&meta("officers"), &q.officer) {
                        continue;
                    }
                }
                if !r.case_id.is_empty() && !cases.contains_key(&r.case_id) {
                    cases.insert(r.case_id.clone(), self.store.case(&r.case_id).await?);
                }
                let c = cases.get(&r.case_id);
                if !self.recording_seen(actor, &r, c) {
                    continue;
                }
                if let Some(c) = c {
                    if !classes.contains_key(&c.id) {
                        classes.insert(c.id.clone(), self.record_classes(&c.id).await?);
                    }
                    if !self.sees_linked_records(actor, &r, c, &classes[&c.id]) {
                        continue;
                    }
                }
                if searching {
                    let unit = c.map(|c| c.unit.clone()).or_else(|| units.get(&r.uploaded_by).cloned());
                    if !has(&unit.unwrap_or_default(), &q.unit) {
                        continue;
                    }
                }
                out.push(r);
                if out.len() == limit {
                    return Ok((out, after.map(|(at, id)| super::policy::cursor_of(at, &id))));
                }
            }
            if last_page {
                return Ok((out, None));
            }
            if scanned >= RECORDING_SCAN {
                return Ok((out, after.map(|(at, id)| super::policy::cursor_of(at, &id))));
            }
        }
    }
}

/// The kind of record mark that is a written reason a record was made without a recording
///
pub const UNRECORDED: &str = "unrecorded";

/// A reason's mark, from its detail (an `av.unrecorded` entry's): what it says, who said it, when.
pub fn unrecorded_mark(detail: &Value) -> Value {
    json!({"reason": detail["reason"], "by": detail["by"], "at": detail["at"]})
}

/// The most rows of the recordings index one request reads (see
/// [`App::recordings_page`]).
pub const RECORDING_SCAN: usize = 5_000;

/// Whether an act says it directly touches personal liberty, life and health or major property
/// (办法第十九条), which makes its own recording mandatory whatever its case.
pub(crate) fn touches(act: &Value) -> bool {
    act["touches"].as_array().is_some_and(|t| !t.is_empty())
}

/// The 权责清单 matters (names and codes) and catalogue activities that must be recorded whole.
pub(crate) struct WholeRecording {
    matters: std::collections::HashSet<String>,
    items: Vec<String>,
}

impl WholeRecording {
    /// A whole case must be: 查封、扣押, or a matter marked so.
    pub(crate) fn case(&self, case: &CaseRecord) -> bool {
        case.case_type == "coercive_measure" || self.matters.contains(&case.matter)
    }
}

/// What recordings are searched by (办法第二十四条): each empty or a substring.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Search {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub device: String,
    #[serde(default)]
    pub officer: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub party: String,
}

impl Search {
    pub fn is_empty(&self) -> bool {
        [&self.unit, &self.device, &self.officer, &self.cause, &self.party].iter().all(|s| s.trim().is_empty())
    }
}
