//! The approval inbox (审批待办): what waits for a 负责人, the unit's head or the 法制审核人员,
//! derived from the cases the user may see — never stored, so it cannot drift from them.

use super::App;
use super::policy::{Action, Role, roles};
use crate::error::ApiError;
use liuhen_store::{LogStore, UserRecord};
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
    pub command: &'static str,
    /// The document whose approval waits (`/documents/{id}`), else empty.
    pub document: String,
}

/// The tasks a case of `case_type` in `data` holds for the roles `rs`.
fn tasks(case_type: &str, data: &Value, rs: &[Role]) -> Vec<(&'static str, &'static str)> {
    let has = |r: Role| rs.contains(&r);
    let state = data["state"].as_str().unwrap_or_default();
    let mut out = Vec::new();
    match (case_type, state) {
        ("coercive_measure", "proposed") if has(Role::Approver) => {
            out.push(("批准行政强制措施（行政强制法第十八条）", "approve"))
        }
        ("coercive_measure", "active_unratified") if has(Role::Approver) => {
            out.push(("紧急实施后二十四小时内补办批准手续（行政强制法第十九条）", "ratify"))
        }
        ("ordinary_penalty", "concluded") => {
            if data["proposed"].is_null() && has(Role::UnitHead) {
                out.push(("承办机构拟作出决定（办法第九条第（二）项）", "propose"));
            }
            if data["major"] == true && data["legal_review_passed_at"].is_null() && has(Role::LegalReviewer) {
                out.push(("法制审核（行政处罚法第五十八条）", "legal_review"));
            }
        }
        ("ordinary_penalty", "hearing_held") => {
            let reviewed_after = match (data["legal_review_passed_at"].as_i64(), data["hearing_held_at"].as_i64()) {
                (Some(r), Some(h)) => r >= h,
                _ => false,
            };
            if !reviewed_after && has(Role::LegalReviewer) {
                out.push(("听证后法制审核（行政处罚法第五十八条）", "legal_review"));
            }
        }
        ("licence", "accepted" | "under_review") if has(Role::Approver) => {
            out.push(("作出行政许可决定（行政许可法第三十八条）", "decide"))
        }
        _ => {}
    }
    out
}

impl<S: LogStore> App<S> {
    /// What waits for `user` in the cases they may see, and the parties' requests to read or
    /// copy that wait for a decision.
    pub async fn inbox(&self, user: &UserRecord) -> Result<Vec<Pending>, ApiError> {
        let rs = roles(user);
        let mut out = Vec::new();
        for c in self.visible_cases(user, usize::MAX).await? {
            let data: Value = serde_json::from_str(&c.data).unwrap_or(Value::Null);
            for (task, command) in tasks(&c.case_type, &data, &rs) {
                out.push(Pending {
                    case_id: c.id.clone(),
                    case_no: c.case_no.clone(),
                    case_type: c.case_type.clone(),
                    task: task.to_string(),
                    command,
                    document: String::new(),
                });
            }
            if self.allow(user, Action::DecidePartyAccess, Some(&c)).is_ok() {
                let waiting = self
                    .replay_accesses(&c.id)
                    .await?
                    .iter()
                    .filter(|a| a.state == liuhen_core::party_access::State::Requested)
                    .count();
                for _ in 0..waiting {
                    out.push(Pending {
                        case_id: c.id.clone(),
                        case_no: c.case_no.clone(),
                        case_type: c.case_type.clone(),
                        task: "审批当事人查阅、复制申请（办法第二十四条）".to_string(),
                        command: "",
                        document: String::new(),
                    });
                }
            }
        }
        out.extend(self.document_approvals(user, &rs).await?);
        Ok(out)
    }

    /// 内部审批文书 whose next step (handler → reviewer → approver, 办法第十五条) is the user's,
    /// in cases they act on.
    async fn document_approvals(&self, user: &UserRecord, rs: &[Role]) -> Result<Vec<Pending>, ApiError> {
        use super::documents::{PREFIX, document_json};
        let mut out = Vec::new();
        let mut cases = std::collections::HashMap::new();
        for s in self.store.settings().await? {
            let Some(id) = s.key.strip_prefix(PREFIX) else { continue };
            let v: Value = serde_json::from_str(&s.data).unwrap_or(Value::Null);
            let case_id = v["case"].as_str().unwrap_or_default().to_string();
            let events = v["events"].as_array().map(Vec::as_slice).unwrap_or_default();
            let Some(d) = document_json(id, &case_id, events, &v["extra"]) else { continue };
            if d["approval"] != true || d["state"] != "draft" {
                continue;
            }
            let done = super::documents::steps_done(&d);
            let Some((step, label)) = liuhen_core::document::STEPS.iter().find(|(k, _)| !done.contains(k)) else {
                continue;
            };
            let mine = super::documents::takes_step(rs, step);
            if !mine {
                continue;
            }
            if !cases.contains_key(&case_id) {
                let c = match self.store.case(&case_id).await {
                    Ok(c) if self.allow(user, Action::CommandCase, Some(&c)).is_ok() => Some(c),
                    Ok(_) | Err(liuhen_store::StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                };
                cases.insert(case_id.clone(), c);
            }
            if let Some(Some(c)) = cases.get(&case_id) {
                out.push(Pending {
                    case_id: c.id.clone(),
                    case_no: c.case_no.clone(),
                    case_type: c.case_type.clone(),
                    task: format!("{}：{}（办法第十五条）", d["name"].as_str().unwrap_or_default(), label),
                    command: "",
                    document: id.to_string(),
                });
            }
        }
        Ok(out)
    }
}
