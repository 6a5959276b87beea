//! 当事人查阅、复制 (办法第二十四条): requests recorded on the case, decided by an approver,
//! delivered as a time-limited watermarked view or a copy package, signed for. Each step is a
//! log entry on the case (`party_access.*`), its details behind a commitment (they name the
//! requester); the 台帐 is replayed from them.

use super::App;
use super::policy::Action;
use crate::app::AppError;
use liuhen_core::party_access::{Access, Mode, Refused, Request, Step};
use liuhen_core::time::Timestamp;
use liuhen_log::{Entry, EntryDraft};
use liuhen_store::{LogStore, UserRecord};
use serde_json::{Value, json};

/// A step after the request, as the API gives it.
#[derive(Debug, Clone)]
pub enum StepInput {
    Decide {
        at: Timestamp,
        approved: bool,
        reasons: String,
    },
    /// `watermark` empty: one is made naming the requester, the case and the date.
    Deliver {
        at: Timestamp,
        until: Option<Timestamp>,
        pages: u32,
        watermark: String,
        records: Vec<String>,
    },
    Receipt {
        at: Timestamp,
        signed_by: String,
        refusal: String,
    },
}

fn step_json(s: &Step) -> (&'static str, Value) {
    match s {
        Step::Requested(r) => (
            "requested",
            json!({"id": r.id, "at": r.at.0, "requester": r.requester, "relation": r.relation, "id_checked": r.id_checked,
                   "records": r.records, "purpose": r.purpose, "mode": r.mode.code(), "authorisation": r.authorisation}),
        ),
        Step::Decided { at, by, approved, reasons } => {
            ("decided", json!({"at": at.0, "by": by, "approved": approved, "reasons": reasons}))
        }
        Step::Delivered { at, until, pages, watermark, records } => (
            "delivered",
            json!({"at": at.0, "until": until.map(|u| u.0), "pages": pages, "watermark": watermark, "records": records}),
        ),
        Step::Receipted { at, signed_by, refusal } => {
            ("receipted", json!({"at": at.0, "signed_by": signed_by, "refusal": refusal}))
        }
    }
}

fn parse_step(kind: &str, v: &Value) -> Option<Step> {
    let s = |k: &str| v[k].as_str().map(str::to_string);
    let at = Timestamp(v["at"].as_i64()?);
    Some(match kind {
        "requested" => Step::Requested(Request {
            id: s("id")?,
            at,
            requester: s("requester")?,
            relation: s("relation")?,
            id_checked: s("id_checked")?,
            records: s("records")?,
            purpose: s("purpose")?,
            mode: Mode::parse(v["mode"].as_str()?)?,
            authorisation: s("authorisation")?,
        }),
        "decided" => Step::Decided { at, by: s("by")?, approved: v["approved"].as_bool()?, reasons: s("reasons")? },
        "delivered" => Step::Delivered {
            at,
            until: v["until"].as_i64().map(Timestamp),
            pages: u32::try_from(v["pages"].as_u64()?).ok()?,
            watermark: s("watermark")?,
            records: v["records"]
                .as_array()
                .map(|a| a.iter().filter_map(|r| r.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
        },
        "receipted" => Step::Receipted { at, signed_by: s("signed_by")?, refusal: s("refusal")? },
        _ => return None,
    })
}

/// A blank field the description already forbids is 400; the agent's missing 授权委托书, what
/// only the relation tells, is 422.
fn refused(r: Refused) -> AppError {
    let message = format!("{}（{}）", r.1, r.0);
    match r.0 {
        "authorisation" | "until" => AppError::Unprocessable(message),
        "state" => AppError::InvalidState(r.1),
        _ => AppError::BadRequest(message),
    }
}

/// Who may not record a party's request (R-007: never the 法制审核人员).
pub const NOT_THE_RECEIVER: &str = "查阅、复制申请由本案执法人员或其所在机构负责人登记（办法第十五条）";
impl<S: LogStore> App<S> {
    /// Records a request on case `case_id` (staff who act on the case take it down).
    pub async fn request_party_access(
        &self,
        actor: &UserRecord,
        case_id: &str,
        request: Request,
    ) -> Result<Access, AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, Action::CommandCase, Some(&case))?;
        // Received by those who handle the case, never by its 法制审核人员.
        if !super::policy::performs(actor, &case, "party_access") {
            return Err(AppError::NotYourStep(NOT_THE_RECEIVER.into()));
        }
        let step = liuhen_core::party_access::request(request.clone()).map_err(refused)?;
        self.record_step(actor, case_id, &request.id, &step).await?;
        Ok(Access::new(request))
    }

    /// What a step of request `request_id` is asked before it is read: 404 if the case is hidden
    /// or has no such request, 403 if `actor` may take no step of it.
    pub async fn party_access_first(
        &self,
        actor: &UserRecord,
        case_id: &str,
        request_id: &str,
    ) -> Result<(), AppError> {
        let record = self.store.case(case_id).await?;
        if self.allow(actor, Action::DecidePartyAccess, Some(&record)).is_err() {
            self.allow(actor, Action::CommandCase, Some(&record))?;
        }
        match self.replay_accesses(case_id).await?.into_iter().any(|a| a.request.id == request_id) {
            true => Ok(()),
            false => Err(AppError::NotFound),
        }
    }

    /// Decides, delivers or takes the receipt of request `request_id`: deciding is for a
    /// 负责人 or the unit's head; the rest for those who act on the case.
    pub async fn party_access_step(
        &self,
        actor: &UserRecord,
        case_id: &str,
        request_id: &str,
        input: StepInput,
    ) -> Result<Access, AppError> {
        let record = self.store.case(case_id).await?;
        let action = match input {
            StepInput::Decide { .. } => Action::DecidePartyAccess,
            _ => Action::CommandCase,
        };
        self.allow(actor, action, Some(&record))?;
        let mut access = self
            .replay_accesses(case_id)
            .await?
            .into_iter()
            .find(|a| a.request.id == request_id)
            .ok_or(AppError::NotFound)?;
        let step = match input {
            StepInput::Decide { at, approved, reasons } => access.decide(at, &actor.username, approved, &reasons),
            StepInput::Deliver { at, until, pages, watermark, records } => {
                let data: Value = serde_json::from_str(&record.data).map_err(|e| AppError::Internal(Box::new(e)))?;
                let known = super::records::records_in(&data);
                if let Some(r) = records.iter().find(|r| !known.iter().any(|(id, ..)| id == *r)) {
                    return Err(AppError::UnknownReference(format!(
                        "案件中没有记录 {}",
                        r.chars().take(40).collect::<String>()
                    )));
                }
                let watermark = if watermark.trim().is_empty() {
                    format!(
                        "仅供{}{}·{}·{}",
                        access.request.requester,
                        access.request.mode.label(),
                        record.case_no,
                        at.shanghai_date()
                    )
                } else {
                    watermark
                };
                access.deliver(at, until, pages, &watermark, &records)
            }
            StepInput::Receipt { at, signed_by, refusal } => access.receipt(at, &signed_by, &refusal),
        }
        .map_err(refused)?;
        self.record_step(actor, case_id, request_id, &step).await?;
        access.apply(&step);
        Ok(access)
    }

    /// The records delivered under request `request_id`, as the party reads (`print` false) or
    /// has them copied (`print` true): only while delivered — a view until its end, a copy
    /// before the receipt — and each record's access ledgered first. Returns the request, the
    /// watermark and the records (id, kind, label, JSON).
    pub async fn party_material(
        &self,
        actor: &UserRecord,
        case_id: &str,
        request_id: &str,
        print: bool,
        now: Timestamp,
    ) -> Result<(Access, String, Vec<(String, &'static str, String, Value)>), AppError> {
        let record = self.store.case(case_id).await?;
        self.allow(actor, Action::CommandCase, Some(&record))?;
        let access = self
            .replay_accesses(case_id)
            .await?
            .into_iter()
            .find(|a| a.request.id == request_id)
            .ok_or(AppError::NotFound)?;
        let Some(Step::Delivered { until, watermark, records, .. }) =
            access.steps.iter().rev().find(|s| matches!(s, Step::Delivered { .. })).cloned()
        else {
            return Err(AppError::BadRequest(format!("申请“{}”，尚未提供材料", access.state.label())));
        };
        match (access.request.mode, print) {
            (Mode::View, true) => return Err(AppError::BadRequest("查阅申请不提供复制件".to_string())),
            (Mode::View, false) if until.is_none_or(|u| now > u) => {
                return Err(AppError::BadRequest("查阅期限已过".to_string()));
            }
            (Mode::Copy, _) if access.state != liuhen_core::party_access::State::Delivered => {
                return Err(AppError::BadRequest("复制件已签收，不再提供".to_string()));
            }
            _ => {}
        }
        let data: Value = serde_json::from_str(&record.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        let all = super::records::records_in(&data);
        let delivered: Vec<_> = all.into_iter().filter(|(id, ..)| records.contains(id)).collect();
        let how = if print { super::ledger::Access::Print } else { super::ledger::Access::View };
        let purpose = format!("当事人{}（申请 {}）", access.request.mode.label(), access.request.id);
        for (id, kind, label, _) in &delivered {
            // The requester is named only behind the request's commitment, not here.
            let what = format!("案件 {} 的{kind}“{label}”，提供给申请人", record.case_no);
            self.record_access_of(actor, case_id, Some(id), how, &what, &purpose).await?;
        }
        Ok((access, watermark, delivered))
    }

    /// The case's 查阅、复制台帐: every request with its steps.
    /// A page of the case's requests to read or copy, in the order made, after the request
    /// `cursor` names, and the cursor of the page after (`None` on the last).
    pub async fn party_accesses(
        &self,
        actor: &UserRecord,
        case_id: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Access>, Option<String>), AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, Action::ViewCase, Some(&case))?;
        let after = cursor.map(|c| super::policy::parse_cursor(c).map(|(_, id)| id)).transpose()?;
        let all = self.replay_accesses(case_id).await?;
        let start = match &after {
            Some(id) => all
                .iter()
                .position(|a| &a.request.id == id)
                .map(|i| i + 1)
                .ok_or_else(|| AppError::BadRequest("cursor 无效（须为上一页返回的 next_cursor）".into()))?,
            None => 0,
        };
        let mut page: Vec<Access> = all.into_iter().skip(start).take(limit + 1).collect();
        let next = match page.len() > limit {
            true => page.get(limit - 1).map(|a| super::policy::cursor_of(0, &a.request.id)),
            false => None,
        };
        page.truncate(limit);
        // 办法第二十四条 保密: the identity document checked, and the numbers typed in the request
        // and its steps, are for those who handle the case.
        if !super::policy::handles(actor, &case) {
            let mask = |s: &mut String| *s = super::publication::mask_personal_numbers(s);
            for a in &mut page {
                let r = &mut a.request;
                for field in [&mut r.id_checked, &mut r.requester, &mut r.records, &mut r.purpose, &mut r.authorisation]
                {
                    mask(field);
                }
                for step in &mut a.steps {
                    match step {
                        Step::Decided { reasons, .. } => mask(reasons),
                        Step::Delivered { watermark, .. } => mask(watermark),
                        Step::Receipted { signed_by, refusal, .. } => {
                            mask(signed_by);
                            mask(refusal);
                        }
                        Step::Requested(_) => {}
                    }
                }
            }
        }
        Ok((page, next))
    }

    pub(crate) async fn replay_accesses(&self, case_id: &str) -> Result<Vec<Access>, AppError> {
        let mut out: Vec<Access> = Vec::new();
        for (index, raw) in self.store.case_entries(case_id).await? {
            let e = Entry::decode(&raw).map_err(|err| AppError::Integrity(format!("entry {index}: {err}")))?;
            let Some(kind) = e.action().strip_prefix("party_access.") else { continue };
            let Some(c) = e.commits().first() else { continue };
            let detail = super::opened_detail(&self.store, index, c).await?;
            let step = parse_step(kind, &detail)
                .ok_or_else(|| AppError::Integrity(format!("entry {index}: unreadable step")))?;
            let rid = e.body().get("request").and_then(Value::as_str).unwrap_or_default();
            match (&step, out.iter_mut().find(|a| a.request.id == rid)) {
                (Step::Requested(r), _) => out.push(Access::new(r.clone())),
                (_, Some(a)) => a.apply(&step),
                (_, None) => {
                    return Err(AppError::Integrity(format!("entry {index}: a step without its request")));
                }
            }
        }
        Ok(out)
    }

    async fn record_step(
        &self,
        actor: &UserRecord,
        case_id: &str,
        request_id: &str,
        step: &Step,
    ) -> Result<u64, AppError> {
        let (kind, detail) = step_json(step);
        let (c, opening) = super::auth::committed(&detail);
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            &format!("party_access.{kind}"),
            Some(case_id),
            super::body(json!({"request": request_id, "detail": {"commit": c.to_hex()}})),
            vec![],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let waiting = self.party_tasks_op(case_id, request_id, step).await?;
        Ok(self.append(d, vec![opening, waiting]).await?.index)
    }
}
