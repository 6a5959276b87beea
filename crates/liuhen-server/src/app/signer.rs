//! Who performs a step (办法第十五条; 电子签名法第十三条): the signed-in account, its roles and
//! name as the server knows them, and the approval forms a case command rests on. An approval,
//! review or decision step is never a name or a date a client typed: the person is the account,
//! the date the server's.

use super::App;
use super::policy::{Role, roles};
use crate::app::AppError;
use liuhen_core::penalty::{Approval, Opinion};
use liuhen_core::time::{Date, Timestamp};
use liuhen_store::{LogStore, UserRecord};
use std::collections::BTreeMap;

/// The 内部审批文书 a command rests on: 立案审批表 (file, not_file), 案件处理审批表 (decide,
/// decide_no_penalty, a coercive measure), 结案审批表 (close), 先行登记保存证据审批表 (a
/// preservation).
pub const FILING_FORM: &str = "D02";
pub const DECISION_FORM: &str = "D30";
pub const DISCUSSION_RECORD: &str = "D35";
pub const CLOSING_FORM: &str = "D50";
/// 先行登记保存证据审批表 (行政处罚法第五十六条: 经行政机关负责人批准).
pub const PRESERVATION_FORM: &str = "D18a";

/// The account performing a command, and what it rests on.
#[derive(Debug, Clone)]
pub struct Signer {
    /// `user:<id>`.
    pub person: String,
    /// The officer's name, else the account's username.
    pub name: String,
    pub roles: Vec<Role>,
    pub officer_id: String,
    /// The server's time when the step is performed, and its date (Asia/Shanghai).
    pub now: Timestamp,
    pub today: Date,
    /// The case's approved forms, by code, with their approval chains.
    pub forms: BTreeMap<&'static str, (String, Approval, Timestamp)>,
    /// The members who confirmed the case's 集体讨论记录 with their own accounts.
    pub members: Vec<String>,
    /// That record, as `document-id@content-sm3` (empty when there is none).
    pub discussion_record: String,
    /// The conclusion that record states.
    pub discussion_conclusion: String,
}

fn label(role: Role) -> &'static str {
    role.label()
}

impl Signer {
    /// Refuses unless the account holds `role`, naming the step.
    pub fn must(&self, role: Role, step: &str) -> Result<(), AppError> {
        if self.roles.contains(&role) {
            Ok(())
        } else {
            Err(AppError::NotYourStep(format!("{step}须由{}以本人账号办理（办法第十五条）", label(role))))
        }
    }

    /// The account's own opinion as `role` for `step`, dated today by the server.
    pub fn opinion(&self, role: Role, step: &str, opinion: &str) -> Result<Opinion, AppError> {
        self.must(role, step)?;
        Ok(Opinion {
            by: self.name.clone(),
            person: self.person.clone(),
            opinion: opinion.to_string(),
            date: self.today,
            key_id: String::new(),
            signature: String::new(),
        })
    }

    /// The account's name, when it holds `role` for `step`.
    pub fn name_as(&self, role: Role, step: &str) -> Result<String, AppError> {
        self.must(role, step)?;
        Ok(self.name.clone())
    }

    /// The approval chain of the case's approved form `code`, or the rule's refusal naming it.
    pub fn form(&self, code: &str) -> Result<Approval, AppError> {
        match self.forms.get(code) {
            Some((_, a, _)) => Ok(a.clone()),
            None => {
                let name = liuhen_core::document::spec(code).map_or(code, |s| s.name);
                Err(AppError::Refused(vec![liuhen_core::rules::R_131.violated(
                    "approval",
                    format!("本案尚无审批完成的{name}：须由承办人、审核人、批准人各以本人账号审批（办法第十五条）"),
                )]))
            }
        }
    }
}

impl<S: LogStore> App<S> {
    /// The name a step records for `actor`: their officer's name, else the account's name,
    /// else the username.
    pub(crate) async fn actor_name(&self, actor: &UserRecord) -> Result<String, AppError> {
        let own = || if actor.display_name.is_empty() { actor.username.clone() } else { actor.display_name.clone() };
        if actor.officer_id.is_empty() {
            return Ok(own());
        }
        match self.store.officer(&actor.officer_id).await {
            Ok(o) => Ok(o.name),
            Err(liuhen_store::StoreError::NotFound) => Ok(own()),
            Err(e) => Err(e.into()),
        }
    }

    /// `actor` as the performer of a command on case `case_id`, with the approved forms `codes`
    /// of that case (and the discussion's members when `D35` is asked for).
    pub async fn signer(&self, actor: &UserRecord, case_id: &str, codes: &[&'static str]) -> Result<Signer, AppError> {
        let mut forms = BTreeMap::new();
        let (mut members, mut discussion_record, mut discussion_conclusion) =
            (Vec::new(), String::new(), String::new());
        for code in codes {
            if *code == DISCUSSION_RECORD {
                (discussion_record, members, discussion_conclusion) = self.discussion_members(case_id).await?;
            } else if let Some(found) = self.approved_form(case_id, code).await? {
                forms.insert(*code, found);
            }
        }
        let now = self.clock.now();
        Ok(Signer {
            now,
            person: format!("user:{}", actor.id),
            name: self.actor_name(actor).await?,
            roles: roles(actor),
            officer_id: actor.officer_id.clone(),
            today: now.shanghai_date(),
            forms,
            members,
            discussion_record,
            discussion_conclusion,
        })
    }
}

/// A role's own step (`policy::role_step`) signed by its performer (电子签名法第十三条): the
/// command's type and the password that opens the account's own key.
#[derive(Debug, Clone)]
pub struct StepSign {
    pub step: String,
    pub password: String,
}

impl StepSign {
    /// The signature a command of `case_type` needs: a role's own step other than those whose
    /// statements are their own (`propose`, `legal_review`, `discuss`).
    pub fn of(case_type: &str, command: &serde_json::Value) -> Option<StepSign> {
        let step = command["type"].as_str()?;
        if matches!(step, "propose" | "legal_review" | "discuss") {
            return None;
        }
        super::policy::role_step(case_type, step)?;
        Some(StepSign {
            step: step.to_string(),
            password: command["password"].as_str().unwrap_or_default().to_string(),
        })
    }
}

impl<S: LogStore> App<S> {
    /// The `signed` member of a role step's details: `{"step", "person", "name", "at",
    /// "key_id", "signature"}`, the signature over [`super::ordinary::step_statement`] with `content` all
    /// the step records (its details without `signed`), at the server's time. A reader strips
    /// `signed`, rebuilds the statement and checks it with OpenSSL and the signer's published key.
    pub(crate) async fn sign_step(
        &self,
        actor: &UserRecord,
        case: &str,
        sign: &StepSign,
        detail: &serde_json::Value,
    ) -> Result<serde_json::Value, AppError> {
        let person = format!("user:{}", actor.id);
        let at = self.clock.now().0;
        let statement = super::ordinary::step_statement(case, &sign.step, detail, &person, at, "");
        let s = self.sign_as(actor, &sign.password, at, &statement).await?;
        let name = self.actor_name(actor).await?;
        Ok(serde_json::json!({
            "step": sign.step, "person": person, "name": name, "at": at, "key_id": s.key_id, "signature": s.signature,
        }))
    }
}
