//! 销毁 (办法第二十四条、第二十六条): a recording's bytes are taken away only after its
//! retention, on a written reason, approved by two 负责人 other than who asked — and never while
//! it is held: its case not closed or not filed, a 行政复议 or suit open, its file's retention
//! not run out; a recording of no case is kept at least six months. Each step is a
//! `recording.disposal` entry (the reason behind a commitment); the last, `disposed`, names the
//! blob in the clear, so `liuhen verify` accounts for its absence. Only the bytes go: the
//! entries, the hash and the disposal record stay for ever.

use super::App;
use super::policy::{Role, roles};
use crate::app::AppError;
use liuhen_core::time::Timestamp;
use liuhen_log::EntryDraft;
use liuhen_store::{LogStore, Op, RecordingRecord, UserRecord};
use serde_json::{Value, json};

/// The action of a disposal step (see `liuhen_verify::DISPOSAL`).
pub const ACTION: &str = "recording.disposal";
/// Approvals a disposal needs, each by a 负责人 other than the requester.
pub const APPROVALS: usize = 2;

/// The recording's data with a disposal step (`step`, by `actor` at `at`) folded in.
pub fn apply_disposal(r: &mut RecordingRecord, step: &str, detail: &Value, actor: &str, at: i64) {
    let mut data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
    match step {
        "requested" => {
            data["disposal"] = json!({"state": "requested", "requested": {"by": actor, "name": detail["name"],
                "at": at, "reason": detail["reason"]}, "approvals": []});
        }
        "approved" => {
            if let Some(list) = data["disposal"]["approvals"].as_array_mut() {
                list.push(json!({"by": actor, "name": detail["name"], "at": at}));
            }
        }
        "disposed" => {
            data["disposal"]["disposed"] = json!({"at": at});
            data["disposal"]["state"] = json!("disposed");
        }
        _ => {}
    }
    r.data = data.to_string();
}

impl<S: LogStore> App<S> {
    /// Why recording `r` may not be disposed of now (办法第二十四条、第二十六条), if it is held.
    pub async fn disposal_hold(&self, r: &RecordingRecord) -> Result<Option<String>, AppError> {
        let now = self.clock.now();
        if r.case_id.is_empty() {
            // Kept the office's months (at least six) from the day it was stored.
            let months = self.agency().await?.unlinked_months.max(liuhen_core::agency::MIN_UNLINKED_MONTHS);
            let until = Timestamp(r.created_at_ms).shanghai_date().plus_months(months);
            return Ok((now.shanghai_date() <= until)
                .then(|| format!("未关联案件的音像记录至少保存六个月（本单位规定 {months} 个月，至 {until}）")));
        }
        let case = self.store.case(&r.case_id).await?;
        let data = super::cases::case_data(&case);
        if case.state != "closed" {
            return Ok(Some(format!("所属案件 {} 尚未结案，音像记录随案保管", case.case_no)));
        }
        let open_relief = data["reliefs"].as_array().into_iter().flatten().any(|x| x["concluded"].is_null());
        if open_relief {
            return Ok(Some(format!("所属案件 {} 的行政复议或行政诉讼尚未终结（依法保全）", case.case_no)));
        }
        let (file, _) = self.case_file_of(&case.id).await?;
        let Some(filed) = file.as_ref().map(|f| &f["filed"]).filter(|f| !f.is_null()) else {
            return Ok(Some(format!("所属案件 {} 的案卷尚未归档，音像记录随案卷保管", case.case_no)));
        };
        let no = filed["archive_no"].as_str().unwrap_or_default();
        if let Some(hold) = file.as_ref().map(|f| &f["hold"]).filter(|h| !h.is_null()) {
            return Ok(Some(format!("所属案卷 {no} 已依法保全（{}）", hold["reason"].as_str().unwrap_or_default())));
        }
        // Kept to the last day of its retention (DA/T 22-2015: from the new year after its year).
        match filed["keep_until"].as_str() {
            None => Ok(Some(format!("所属案卷 {no} 永久保管"))),
            Some(until) => Ok((now.shanghai_date().to_string().as_str() <= until)
                .then(|| format!("所属案卷 {no} 保管期限至 {until} 未满"))),
        }
    }

    /// 销毁审批: the recordings whose disposal is in `state` (`requested`: waiting for its
    /// approvals; `disposed`), oldest request first, a page after `cursor`; each with what holds
    /// it now, if anything.
    pub async fn disposals(
        &self,
        actor: &UserRecord,
        state: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Value>, Option<String>), AppError> {
        let after = super::policy::archive_list_page(actor, state, &["requested", "disposed"], cursor)?;
        let mut rows = self.store.recordings_in_disposal(state, after, limit as u32 + 1).await?;
        let next = super::policy::page_end(&mut rows, limit, |last| {
            let data: Value = serde_json::from_str(&last.data).unwrap_or(Value::Null);
            super::policy::cursor_of(data["disposal"]["requested"]["at"].as_i64().unwrap_or_default(), &last.id)
        });
        let mut out = Vec::new();
        for r in &rows {
            let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
            let hold = if state == "requested" { self.disposal_hold(r).await? } else { None };
            out.push(json!({"recording": r.id, "filename": data["filename"], "case": r.case_id, "size": r.size,
                "sha256": r.sha256, "created_at": r.created_at_ms, "disposal": data["disposal"], "held": hold}));
        }
        Ok((out, next))
    }

    /// A step of the disposal of recording `id`: `request` (the 档案管理员, with `reason`) or
    /// `approve` (a 负责人 other than the requester, who has not approved it yet). The second
    /// approval takes the bytes away. Refused while the recording is held, at every step.
    pub async fn disposal_step(
        &self,
        actor: &UserRecord,
        id: &str,
        step: &str,
        reason: &str,
    ) -> Result<Value, AppError> {
        super::retrying(|| self.disposal_step_once(actor, id, step, reason)).await
    }

    async fn disposal_step_once(
        &self,
        actor: &UserRecord,
        id: &str,
        step: &str,
        reason: &str,
    ) -> Result<Value, AppError> {
        let mut r = match self.store.recording(id).await {
            Ok(r) => r,
            Err(liuhen_store::StoreError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(e.into()),
        };
        let read = r.version;
        let rs = roles(actor);
        let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
        let disposal = &data["disposal"];
        if !disposal["disposed"].is_null() {
            return Err(AppError::Duplicate("该音像记录已销毁".into()));
        }
        let by = format!("user:{}", actor.id);
        let (step, reason) = match step {
            "request" => {
                if !rs.contains(&Role::Archivist) {
                    return Err(AppError::NotYourStep("销毁申请须由档案管理员以本人账号提出".into()));
                }
                if reason.trim().chars().count() < 4 {
                    return Err(AppError::Unprocessable("销毁须写明理由（保管期限届满、经鉴定无保存价值等）".into()));
                }
                if !disposal["requested"].is_null() {
                    return Err(AppError::Duplicate("该音像记录已提出销毁申请，待审批".into()));
                }
                ("requested", reason.trim())
            }
            "approve" => {
                if !rs.contains(&Role::Approver) {
                    return Err(AppError::NotYourStep("销毁须由负责人以本人账号批准".into()));
                }
                if disposal["requested"].is_null() {
                    return Err(AppError::InvalidState("该音像记录没有待批准的销毁申请".into()));
                }
                if disposal["requested"]["by"] == by.as_str() {
                    return Err(AppError::NotYourStep("申请人不能批准自己的销毁申请".into()));
                }
                if disposal["approvals"].as_array().into_iter().flatten().any(|a| a["by"] == by.as_str()) {
                    return Err(AppError::Duplicate("您已批准该销毁申请，须另一名负责人批准".into()));
                }
                ("approved", "")
            }
            _ => return Err(AppError::BadRequest("step 须为 request（申请）或 approve（批准）".into())),
        };
        // Held: refused at every step, the last included.
        if let Some(why) = self.disposal_hold(&r).await? {
            return Err(AppError::InvalidState(format!("不得销毁：{why}")));
        }
        let name = self.actor_name(actor).await?;
        let detail = json!({"recording": id, "name": name, "reason": reason});
        let (c, opening) = super::auth::committed(&detail);
        let now = self.clock.now().0;
        let case = (!r.case_id.is_empty()).then_some(r.case_id.as_str());
        let d = EntryDraft::new(
            &by,
            ACTION,
            case,
            super::body(json!({"recording": id, "step": step, "recorded_at": now, "detail": {"commit": c.to_hex()}})),
            vec![],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        apply_disposal(&mut r, step, &detail, &by, now);
        let approvals = serde_json::from_str::<Value>(&r.data)
            .ok()
            .and_then(|v| v["disposal"]["approvals"].as_array().map(Vec::len))
            .unwrap_or(0);
        let done =
            self.append(d, vec![opening, Op::PutRecording { record: r.clone(), expected_version: Some(read) }]).await?;
        r.version = done.index + 1;
        if step == "approved" && approvals >= APPROVALS {
            return self.dispose(&mut r).await;
        }
        Ok(serde_json::from_str(&r.data).unwrap_or(Value::Null))
    }

    /// Takes the bytes of an approved disposal away: the `disposed` entry (naming the blob) is
    /// durable first, then the bytes go — a crash between leaves bytes a disposal names, which
    /// the next disposal step or fixity check finds, never a missing blob no entry explains.
    async fn dispose(&self, r: &mut RecordingRecord) -> Result<Value, AppError> {
        let read = r.version;
        let sha = liuhen_log::Hash::from_hex(&r.sha256).ok_or_else(|| AppError::Internal("unreadable hash".into()))?;
        let case = (!r.case_id.is_empty()).then_some(r.case_id.clone());
        let now = self.clock.now().0;
        let d = EntryDraft::new(
            "system",
            ACTION,
            case.as_deref(),
            super::body(json!({"recording": r.id, "step": "disposed", "blob": r.sha256, "size": r.size,
                               "recorded_at": now})),
            vec![],
            vec![],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        apply_disposal(r, "disposed", &Value::Null, "system", now);
        self.append(d, vec![Op::PutRecording { record: r.clone(), expected_version: Some(read) }]).await?;
        self.blobs.dispose(&sha).await?;
        Ok(serde_json::from_str(&r.data).unwrap_or(Value::Null))
    }
}
