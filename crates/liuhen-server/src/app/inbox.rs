//! The approval inbox (审批待办): what waits for a 负责人, the unit's head, the 法制审核人员 or
//! an officer — rows of the projection `case_tasks`, each written with the entry that opens or
//! closes it (a case command, a party's request or its decision, a document's step) and
//! rebuilt from the log like every projection; the list is those rows for the user's roles in
//! the cases they see.

use super::App;
use super::policy::{Action, Role, roles};
use crate::app::AppError;
use liuhen_store::{CaseRecord, LogStore, Op, TaskQuery, TaskRecord, UserRecord};
use serde_json::Value;

/// One thing waiting for the user.
#[derive(Debug, Clone)]
pub struct Pending {
    pub case_id: String,
    pub case_no: String,
    pub case_type: String,
    /// What is to be done, in Chinese.
    pub task: String,
    /// The command's form, when the UI has one (`/cases/{id}/do/{command}`).
    pub command: String,
    /// The document whose approval waits (`/documents/{id}`), else empty.
    pub document: String,
}

/// The tasks a case of `case_type` in `data` holds, each with the role that takes it.
fn tasks(case_type: &str, data: &Value) -> Vec<(Role, &'static str, &'static str)> {
    let state = data["state"].as_str().unwrap_or_default();
    let mut out = Vec::new();
    match (case_type, state) {
        ("coercive_measure", "proposed") => {
            out.push((Role::Approver, "批准行政强制措施（行政强制法第十八条）", "approve"))
        }
        ("coercive_measure", "active_unratified") => {
            out.push((Role::Approver, "紧急实施后二十四小时内补办批准手续（行政强制法第十九条）", "ratify"))
        }
        ("ordinary_penalty", "concluded") => {
            if data["proposed"].is_null() {
                out.push((Role::UnitHead, "承办机构拟作出决定（办法第九条第（二）项）", "propose"));
            }
            if data["major"] == true && data["legal_review_passed_at"].is_null() {
                out.push((Role::LegalReviewer, "法制审核（行政处罚法第五十八条）", "legal_review"));
            }
        }
        ("ordinary_penalty", "hearing_held") => {
            let reviewed_after = match (data["legal_review_passed_at"].as_i64(), data["hearing_held_at"].as_i64()) {
                (Some(r), Some(h)) => r >= h,
                _ => false,
            };
            if !reviewed_after {
                out.push((Role::LegalReviewer, "听证后法制审核（行政处罚法第五十八条）", "legal_review"));
            }
        }
        ("licence", "accepted" | "under_review") => {
            out.push((Role::Approver, "作出行政许可决定（行政许可法第三十八条）", "decide"))
        }
        _ => {}
    }
    out
}

/// Where each kind of task comes from in its case.
pub(crate) const CASE_SOURCE: &str = "case";
pub(crate) const PARTY_SOURCE: &str = "party_access";
pub(crate) const DOCUMENT_SOURCE: &str = "document/";

fn task(
    case_id: &str,
    source: &str,
    n: usize,
    roles: &[Role],
    task: String,
    command: &str,
    document: &str,
) -> TaskRecord {
    TaskRecord {
        case_id: case_id.to_string(),
        source: source.to_string(),
        n: n as u32,
        roles: roles.iter().map(|r| format!(",{},", r.code())).collect(),
        task,
        command: command.to_string(),
        document: document.to_string(),
    }
}

/// What `case`'s procedure holds for a role now.
/// `data`: the case's JSON (its `data`, parsed — or as just made).
pub(crate) fn case_task_rows(case: &CaseRecord, data: &Value) -> Vec<TaskRecord> {
    tasks(&case.case_type, data)
        .into_iter()
        .enumerate()
        .map(|(n, (role, what, command))| task(&case.id, CASE_SOURCE, n, &[role], what.to_string(), command, ""))
        .collect()
}

/// The parties' requests to read or copy that wait in case `case_id` (办法第二十四条): the
/// 负责人's or the unit's head's to decide.
pub(crate) fn party_task_rows(case_id: &str, waiting: usize) -> Vec<TaskRecord> {
    (0..waiting)
        .map(|n| {
            let what = "审批当事人查阅、复制申请（办法第二十四条）".to_string();
            task(case_id, PARTY_SOURCE, n, &[Role::Approver, Role::UnitHead], what, "", "")
        })
        .collect()
}

/// The step of 内部审批文书 `id` (its setting's value `v`) that waits (handler → reviewer →
/// approver, 办法第十五条), for the role that takes it.
pub(crate) fn document_task_rows(id: &str, case_id: &str, v: &Value) -> Vec<TaskRecord> {
    let events = v["events"].as_array().map(Vec::as_slice).unwrap_or_default();
    let Some(d) = super::documents::document_json(id, case_id, events, &v["extra"]) else { return Vec::new() };
    if d["approval"] != true || d["state"] != "draft" {
        return Vec::new();
    }
    let done = super::documents::steps_done(&d);
    let Some((step, label)) = liuhen_core::document::STEPS.iter().find(|(k, _)| !done.contains(k)) else {
        return Vec::new();
    };
    let roles: Vec<Role> = [Role::Officer, Role::UnitHead, Role::Approver]
        .into_iter()
        .filter(|r| super::documents::takes_step(&[*r], step))
        .collect();
    let what = format!("{}：{}（办法第十五条）", d["name"].as_str().unwrap_or_default(), label);
    vec![task(case_id, &format!("{DOCUMENT_SOURCE}{id}"), 0, &roles, what, "", id)]
}

impl<S: LogStore> App<S> {
    /// A page of what waits for `user` in the cases they may see — their role's steps, the
    /// parties' requests, the documents to approve — in the cases `cases` narrows to, with the
    /// cursor of the next page.
    pub async fn inbox_page(
        &self,
        user: &UserRecord,
        cases: &liuhen_store::CaseFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Pending>, Option<String>), AppError> {
        let after = cursor
            .map(|c| -> Result<(String, String, u32), AppError> {
                let (n, key) = super::policy::parse_cursor(c)?;
                let (case, source) = key
                    .split_once('|')
                    .ok_or_else(|| AppError::BadRequest("cursor 无效（须为上一页返回的 next_cursor）".into()))?;
                Ok((case.to_string(), source.to_string(), n as u32))
            })
            .transpose()?;
        let q = TaskQuery {
            seen_by: super::policy::seen_by(user),
            roles: roles(user).iter().map(|r| r.code().to_string()).collect(),
            cases: cases.clone(),
            after,
            limit: limit as u32 + 1,
        };
        let rows = self.store.task_page(&q).await?;
        let more = rows.len() > limit;
        let next = match more {
            true => rows
                .get(limit - 1)
                .map(|(t, ..)| super::policy::cursor_of(i64::from(t.n), &format!("{}|{}", t.case_id, t.source))),
            false => None,
        };
        let mut out = Vec::new();
        let mut allowed: std::collections::HashMap<(String, &'static str), bool> = std::collections::HashMap::new();
        for (t, case_no, case_type) in rows.into_iter().take(limit) {
            // The policy on each row: approving a document or deciding a request is acting on the case.
            let (action, kind) = match t.source.as_str() {
                PARTY_SOURCE => (Action::DecidePartyAccess, "party"),
                s if s.starts_with(DOCUMENT_SOURCE) => (Action::CommandCase, "document"),
                _ => (Action::ViewCase, "case"),
            };
            let key = (t.case_id.clone(), kind);
            let ok = match allowed.get(&key) {
                Some(ok) => *ok,
                None => {
                    let ok = self.allow(user, action, Some(&self.store.case(&t.case_id).await?)).is_ok();
                    allowed.insert(key, ok);
                    ok
                }
            };
            if !ok {
                continue;
            }
            out.push(Pending {
                case_id: t.case_id,
                case_no,
                case_type,
                task: t.task,
                command: t.command,
                document: t.document,
            });
        }
        Ok((out, next))
    }

    /// Case `case_id`'s parties' requests waiting for a decision once `step` of request
    /// `request` is recorded, as rows of the 审批待办.
    pub(crate) async fn party_tasks_op(
        &self,
        case_id: &str,
        request: &str,
        step: &liuhen_core::party_access::Step,
    ) -> Result<Op, AppError> {
        use liuhen_core::party_access::{Access, State, Step};
        let mut accesses = self.replay_accesses(case_id).await?;
        match (step, accesses.iter_mut().find(|a| a.request.id == request)) {
            (Step::Requested(r), _) => accesses.push(Access::new(r.clone())),
            (_, Some(a)) => a.apply(step),
            (_, None) => {}
        }
        let waiting = accesses.iter().filter(|a| a.state == State::Requested).count();
        Ok(Op::SetTasks {
            case_id: case_id.to_string(),
            source: PARTY_SOURCE.to_string(),
            rows: party_task_rows(case_id, waiting),
        })
    }
}
