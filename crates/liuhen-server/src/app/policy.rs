//! Who may do what: the one place permissions are decided (办法第二十四条 专人使用、专人负责;
//! 第二十三条、第三十条 no leaks). Handlers never decide; the application layer asks
//! [`decide`] before it reads or writes.
//!
//! A case a user may not see is answered as if it did not exist (404): even its existence must
//! not leak. A case they may see but not act on is 403.

use liuhen_store::{CaseRecord, UserRecord};
use serde_json::Value;

/// The roles of a street office (issue 4). A user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// 执法人员: their own cases.
    Officer,
    /// 承办机构负责人: their unit's cases.
    UnitHead,
    /// 法制审核人员.
    LegalReviewer,
    /// 负责人 (approver).
    Approver,
    /// 集体讨论成员.
    DiscussionMember,
    /// 档案管理员.
    Archivist,
    /// 设备管理员.
    DeviceAdmin,
    /// 监督人员: read-only, from the supervising department.
    Supervisor,
    /// 系统管理员: accounts and configuration, never case content.
    SysAdmin,
}

pub const ALL_ROLES: [Role; 9] = [
    Role::Officer,
    Role::UnitHead,
    Role::LegalReviewer,
    Role::Approver,
    Role::DiscussionMember,
    Role::Archivist,
    Role::DeviceAdmin,
    Role::Supervisor,
    Role::SysAdmin,
];

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::UnitHead => "unit_head",
            Role::LegalReviewer => "legal_reviewer",
            Role::Approver => "approver",
            Role::DiscussionMember => "discussion_member",
            Role::Archivist => "archivist",
            Role::DeviceAdmin => "device_admin",
            Role::Supervisor => "supervisor",
            Role::SysAdmin => "sysadmin",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Officer => "执法人员",
            Role::UnitHead => "承办机构负责人",
            Role::LegalReviewer => "法制审核人员",
            Role::Approver => "负责人",
            Role::DiscussionMember => "集体讨论成员",
            Role::Archivist => "档案管理员",
            Role::DeviceAdmin => "设备管理员",
            Role::Supervisor => "监督人员",
            Role::SysAdmin => "系统管理员",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        ALL_ROLES.into_iter().find(|r| r.code() == s.trim())
    }
}

/// The archive's lists (案卷, 保管期限, 销毁审批) are the 档案管理员's, the 负责人's and the
/// 监督人员's to see.
pub fn sees_archive_lists(actor: &UserRecord) -> Result<(), crate::app::AppError> {
    if roles(actor).iter().any(|r| matches!(r, Role::Archivist | Role::Approver | Role::Supervisor)) {
        Ok(())
    } else {
        Err(crate::app::AppError::Forbidden)
    }
}

/// The page an archive list asks for: the actor may see it, `state` is one of `states`, and
/// the cursor (if any) parses; the position after which the page starts.
pub fn archive_list_page(
    actor: &UserRecord,
    state: &str,
    states: &[&str],
    cursor: Option<&str>,
) -> Result<Option<(i64, String)>, crate::app::AppError> {
    sees_archive_lists(actor)?;
    if !states.contains(&state) {
        return Err(crate::app::AppError::BadRequest(format!("state 须为 {}", states.join(" 或 "))));
    }
    cursor.map(parse_cursor).transpose()
}

/// A user's roles, from the stored comma-separated codes (unknown codes grant nothing).
pub fn roles(user: &UserRecord) -> Vec<Role> {
    let mut out: Vec<Role> = user.role.split(',').filter_map(Role::parse).collect();
    out.sort();
    out.dedup();
    out
}

/// Parses a comma-separated list of role codes, refusing unknown ones and an empty list.
pub fn parse_roles(s: &str) -> Result<Vec<Role>, String> {
    let mut out = Vec::new();
    for code in s.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        out.push(
            Role::parse(code).ok_or_else(|| format!("未知的角色：{}", code.chars().take(32).collect::<String>()))?,
        );
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err("至少须有一个角色".to_string());
    }
    Ok(out)
}

/// The roles as stored.
pub fn role_codes(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

/// What a request wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Open a case of any kind.
    CreateCase,
    /// Upload or import 音像记录 (officers from their cameras, the 设备管理员 from a workstation).
    UploadRecording,
    /// See a case, its timeline and deadlines (ledgered).
    ViewCase,
    /// Run a command on a case.
    CommandCase,
    /// See a case's access ledger.
    ViewLedger,
    /// See the officers, the 权责清单 and the office profile.
    ViewReference,
    /// Register officers, put matters, change the office profile.
    ManageReference,
    /// Create accounts.
    ManageUsers,
    /// See what another user accessed (their access ledger); one's own is always allowed.
    ViewUserLedger,
    /// Approve or refuse a party's request to read or copy the case's records.
    DecidePartyAccess,
    /// Set a case's confidentiality class.
    ClassifyCase,
    /// See the registry of recording devices and their 领用/交接 ledger.
    ViewDevices,
    /// Register devices, hand them out, keep their upkeep, retire them (办法第二十四条 专门人员).
    ManageDevices,
    /// Check a device before use, give it back or hand it over (its holder).
    UseDevice,
    /// Approve or refuse roles the 系统管理员 granted that see case content (三员分立).
    ApproveGrant,
    /// See the outcome of the scheduled integrity check of the log (the alarm).
    ViewIntegrity,
    /// File a handed-over case under its 档号 (办法第二十五条): the 档案管理员's, whatever the
    /// case's class — the file names its documents, not their content.
    FileCase,
}

/// Whether a role sees case content: granted by a 系统管理员, it waits for a 负责人's approval.
pub fn sees_case_content(role: Role) -> bool {
    !matches!(role, Role::SysAdmin | Role::DeviceAdmin)
}

/// Confidentiality classes (办法第二十四条): what a case's records may hold. 国家秘密 material
/// is never stored; only its existence and where it is kept are recorded.
pub const CLASSES: [(&str, &str); 4] =
    [("public", "公开"), ("internal", "内部"), ("commercial_secret", "商业秘密"), ("personal_privacy", "个人隐私")];

/// A class restricts who sees the case beyond those who handle it.
pub(crate) fn restricted(class: &str) -> bool {
    matches!(class, "commercial_secret" | "personal_privacy")
}

/// The answer: go ahead, 403, or 404 (the case must not be known to exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Forbidden,
    Hidden,
}

/// Who a case belongs to, as the policy sees it.
pub struct CaseScope<'a> {
    pub opened_by: &'a str,
    pub unit: &'a str,
    pub confidentiality: &'a str,
    /// Officer ids that took part (in its acts, records and decisions).
    pub officers: Vec<String>,
}

impl<'a> CaseScope<'a> {
    pub fn of(record: &'a CaseRecord) -> CaseScope<'a> {
        // The officers are kept in the case's row (`,a,,b,`, written with its data by
        // `record_of`); a row without them is read from its data.
        let officers = match record.officers.is_empty() {
            false => record.officers.split(',').filter(|o| !o.is_empty()).map(str::to_string).collect(),
            true => officers_in(&serde_json::from_str(&record.data).unwrap_or(Value::Null)),
        };
        CaseScope {
            opened_by: &record.opened_by,
            unit: &record.unit,
            confidentiality: &record.confidentiality,
            officers,
        }
    }
}

/// The officers (ids) who handle a case, as its projection's JSON names them, each once.
pub(crate) fn officers_in(data: &Value) -> Vec<String> {
    let mut officers = Vec::new();
    collect_officers(data, &mut officers);
    officers.sort();
    officers.dedup();
    officers
}

/// The most rows a page of a list holds (the default is [`PAGE`]).
pub const MAX_PAGE: u32 = 500;
/// Rows in a page when the request names no `limit`.
pub const PAGE: u32 = 50;

/// The opaque cursor after the row changed at `at` with id `id`.
pub fn cursor_of(at: i64, id: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{at}.{id}"))
}

/// A page read one row past `limit`: cut to `limit`, and the cursor (`cursor` of its last row)
/// of the page after when there was a row past it.
pub fn page_end<T>(rows: &mut Vec<T>, limit: usize, cursor: impl Fn(&T) -> String) -> Option<String> {
    if rows.len() <= limit {
        return None;
    }
    rows.truncate(limit);
    rows.last().map(cursor)
}

/// What [`cursor_of`] made (400 for anything else).
pub fn parse_cursor(c: &str) -> Result<(i64, String), crate::app::AppError> {
    use base64::Engine as _;
    let bad = || crate::app::AppError::BadRequest("cursor 无效（须为上一页返回的 next_cursor）".into());
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (at, id) = text.split_once('.').ok_or_else(bad)?;
    Ok((at.parse().map_err(|_| bad())?, id.to_string()))
}

/// Which cases `user` sees, as a filter for the store ([`sees`] said for every case at once:
/// the list asks the store for these and no others).
pub fn seen_by(user: &UserRecord) -> liuhen_store::SeenBy {
    let mut s = liuhen_store::SeenBy::default();
    let own = |s: &mut liuhen_store::SeenBy| {
        s.opener = Some(user.id.clone());
        s.officer = Some(user.officer_id.clone()).filter(|o| !o.is_empty());
    };
    for r in roles(user) {
        match r {
            Role::Officer => own(&mut s),
            Role::UnitHead => {
                own(&mut s);
                s.unit = Some(user.unit.clone()).filter(|u| !u.is_empty());
            }
            Role::LegalReviewer | Role::Approver => s.all = true,
            Role::DiscussionMember | Role::Supervisor | Role::Archivist => s.unrestricted = true,
            Role::DeviceAdmin | Role::SysAdmin => {}
        }
    }
    s
}

/// Officer ids anywhere under an `officers` key (objects with an `id`, or plain ids).
fn collect_officers(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "officers" || k == "investigators" || k == "inquirers" {
                    for o in x.as_array().into_iter().flatten() {
                        if let Some(id) = o.get("id").and_then(Value::as_str).or(o.as_str()) {
                            out.push(id.to_string());
                        }
                    }
                }
                collect_officers(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_officers(x, out)),
        _ => {}
    }
}

/// Whether `user` opened the case or is one of its officers.
fn own(user: &UserRecord, case: &CaseScope<'_>) -> bool {
    case.opened_by == user.id || (!user.officer_id.is_empty() && case.officers.contains(&user.officer_id))
}

/// Whether `user` is one of the case's own officers (承办人): an officer account whose officer
/// handles it, or who opened it — not the unit's head or the 负责人 as such.
pub fn is_case_officer(user: &UserRecord, case: &CaseRecord) -> bool {
    roles(user).contains(&Role::Officer) && own(user, &CaseScope::of(case))
}

/// Whether `user` may see the case. A case holding 商业秘密 or 个人隐私 is seen only by those who
/// handle it, the unit's head, the legal reviewer and the 负责人 — not by every supervisor,
/// archivist or member of the collective discussion.
fn sees(user: &UserRecord, rs: &[Role], case: &CaseScope<'_>) -> bool {
    let own = own(user, case);
    let open = !restricted(case.confidentiality);
    rs.iter().any(|r| match r {
        Role::Officer => own,
        Role::UnitHead => own || (!user.unit.is_empty() && case.unit == user.unit),
        Role::LegalReviewer | Role::Approver => true,
        Role::DiscussionMember | Role::Supervisor | Role::Archivist => open,
        Role::DeviceAdmin | Role::SysAdmin => false,
    })
}

/// Whether `user` may act on a case they see.
fn acts(user: &UserRecord, rs: &[Role], case: &CaseScope<'_>) -> bool {
    let own = own(user, case);
    rs.iter().any(|r| match r {
        Role::Officer => own,
        Role::UnitHead => own || (!user.unit.is_empty() && case.unit == user.unit),
        Role::LegalReviewer | Role::Approver | Role::DiscussionMember => true,
        Role::Supervisor | Role::Archivist | Role::DeviceAdmin | Role::SysAdmin => false,
    })
}

/// Whether `user` handles `case` (办法第二十四条 保密: who needs a party's identity whole — to
/// serve, to enforce): its officers, their unit's head, the 负责人. Not the 法制审核人员 or the
/// 集体讨论成员, who act on a case's review and discussion, not its service.
pub fn handles(user: &UserRecord, case: &CaseRecord) -> bool {
    let scope = CaseScope::of(case);
    let own = own(user, &scope);
    roles(user).iter().any(|r| match r {
        Role::Officer => own,
        Role::UnitHead => own || (!user.unit.is_empty() && case.unit == user.unit),
        Role::Approver => true,
        _ => false,
    })
}

/// Whether `user` drafts and revises the document `code` of `case` (办法第十五条): an officer
/// who handles the case, all but the 法制审核意见书 (D31), which is the 法制审核人员's alone.
pub fn drafts(user: &UserRecord, case: &CaseRecord, code: &str) -> bool {
    let scope = CaseScope::of(case);
    let own = own(user, &scope);
    roles(user).iter().any(|r| match r {
        Role::Officer => own && code != "D31",
        Role::LegalReviewer => code == "D31",
        _ => false,
    })
}

/// The role whose own step a case command is (办法第十五条): the 承办机构负责人's proposal, the
/// 法制审核, and what the 负责人 decides or approves in person. `None`: the work of the case's
/// officers (承办人), their unit's head or the 负责人 who directs every case — recording a
/// decision the 负责人 approved on its form included.
pub fn role_step(case_type: &str, command: &str) -> Option<Role> {
    match (case_type, command) {
        (_, "propose") => Some(Role::UnitHead),
        (_, "legal_review") => Some(Role::LegalReviewer),
        (
            _,
            "discuss"
            | "decide_recusal"
            | "correct_date"
            | "apply_court"
            | "dispose_property"
            | "defer_payment"
            | "extend"
            | "approve"
            | "ratify"
            | "correct_execution_time",
        ) => Some(Role::Approver),
        ("licence", "decide") => Some(Role::Approver),
        _ => None,
    }
}

/// Whether `user`, who may act on `case`, performs its command `command`: the role's own step by
/// an account holding the role; any other by an officer of the case, its unit's head or the
/// 负责人 — never by a 法制审核人员 (whose review must stay apart from the handling, R-007) or a
/// discussion member who merely sees it.
pub fn performs(user: &UserRecord, case: &CaseRecord, command: &str) -> bool {
    let rs = roles(user);
    if let Some(role) = role_step(&case.case_type, command) {
        return rs.contains(&role);
    }
    let scope = CaseScope::of(case);
    let own = own(user, &scope);
    rs.iter().any(|r| match r {
        Role::Officer => own,
        Role::UnitHead => own || (!user.unit.is_empty() && case.unit == user.unit),
        Role::Approver => true,
        _ => false,
    })
}

/// The one decision. `case` is given for the case actions.
pub fn decide(user: &UserRecord, action: Action, case: Option<&CaseScope<'_>>) -> Decision {
    let rs = roles(user);
    let any = |allowed: &[Role]| rs.iter().any(|r| allowed.contains(r));
    let allow = |ok: bool| if ok { Decision::Allow } else { Decision::Forbidden };
    match (action, case) {
        (Action::CreateCase, _) => allow(any(&[Role::Officer, Role::UnitHead, Role::Approver])),
        (Action::UploadRecording, _) => allow(any(&[Role::Officer, Role::UnitHead, Role::Approver, Role::DeviceAdmin])),
        (Action::ViewReference, _) => allow(!rs.is_empty()),
        (Action::ViewDevices, _) => allow(!rs.is_empty()),
        (Action::ManageDevices, _) => allow(any(&[Role::DeviceAdmin])),
        (Action::UseDevice, _) => allow(any(&[Role::DeviceAdmin, Role::Officer, Role::UnitHead])),
        (Action::ManageReference, _) => allow(any(&[Role::SysAdmin, Role::Approver])),
        (Action::ManageUsers, _) => allow(any(&[Role::SysAdmin])),
        (Action::ApproveGrant, _) => allow(any(&[Role::Approver])),
        (Action::ViewIntegrity, _) => allow(any(&[Role::Approver, Role::SysAdmin, Role::Supervisor])),
        (Action::ViewUserLedger, _) => allow(any(&[Role::Supervisor, Role::Approver])),
        (Action::FileCase, _) => allow(any(&[Role::Archivist])),
        (Action::ViewCase | Action::ViewLedger | Action::CommandCase | Action::DecidePartyAccess, None) => {
            Decision::Hidden
        }
        (Action::ClassifyCase, None) => Decision::Hidden,
        (Action::ClassifyCase, Some(c)) => {
            if !sees(user, &rs, c) {
                Decision::Hidden
            } else {
                allow(any(&[Role::Approver, Role::UnitHead]))
            }
        }
        (Action::DecidePartyAccess, Some(c)) => {
            if !sees(user, &rs, c) {
                Decision::Hidden
            } else {
                allow(any(&[Role::Approver, Role::UnitHead]))
            }
        }
        (Action::ViewCase, Some(c)) => {
            if sees(user, &rs, c) {
                Decision::Allow
            } else {
                Decision::Hidden
            }
        }
        (Action::ViewLedger, Some(c)) => {
            if !sees(user, &rs, c) {
                Decision::Hidden
            } else {
                allow(any(&[Role::UnitHead, Role::Approver, Role::Supervisor, Role::LegalReviewer, Role::Archivist]))
            }
        }
        (Action::CommandCase, Some(c)) => {
            if !sees(user, &rs, c) {
                Decision::Hidden
            } else {
                allow(acts(user, &rs, c))
            }
        }
    }
}

impl<S: liuhen_store::LogStore> super::App<S> {
    /// Asks [`decide`]: `Forbidden` is 403, `Hidden` is 404.
    pub fn allow(
        &self,
        user: &UserRecord,
        action: Action,
        case: Option<&CaseRecord>,
    ) -> Result<(), crate::app::AppError> {
        let scope = case.map(CaseScope::of);
        match decide(user, action, scope.as_ref()) {
            Decision::Allow => Ok(()),
            Decision::Forbidden => Err(crate::app::AppError::Forbidden),
            Decision::Hidden => Err(crate::app::AppError::NotFound),
        }
    }

    /// Case `id` if `user` may do `action` on it (404 for one they do not see, 403 for one they
    /// see but may not act on): what a request naming the case asks before its query or body is
    /// read.
    pub async fn case_allowing(
        &self,
        user: &UserRecord,
        id: &str,
        action: Action,
    ) -> Result<CaseRecord, crate::app::AppError> {
        let case = self.store.case(id).await?;
        self.allow(user, action, Some(&case))?;
        Ok(case)
    }

    /// A page of the cases `user` sees that match `filter` (its `seen_by` and `after` are set
    /// here: from the policy and `cursor`), with the cursor of the next page when there is one.
    /// The store is asked for the user's cases only; each row is still put to the policy.
    pub async fn case_page(
        &self,
        user: &UserRecord,
        mut filter: liuhen_store::CaseQuery,
        cursor: Option<&str>,
    ) -> Result<(Vec<CaseRecord>, Option<String>), crate::app::AppError> {
        filter.seen_by = seen_by(user);
        filter.after = cursor.map(parse_cursor).transpose()?;
        filter.limit = filter.limit.clamp(1, MAX_PAGE);
        let limit = filter.limit as usize;
        filter.limit += 1;
        let mut rows = self.store.case_page(&filter).await?;
        let next = page_end(&mut rows, limit, |c| cursor_of(c.updated_at_ms, &c.id));
        rows.retain(|c| self.allow(user, Action::ViewCase, Some(c)).is_ok());
        Ok((rows, next))
    }

    pub async fn visible_cases(
        &self,
        user: &UserRecord,
        limit: usize,
    ) -> Result<Vec<CaseRecord>, crate::app::AppError> {
        // Page by page from the store, which is asked for the user's cases only.
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        while out.len() < limit {
            let size = (limit - out.len()).min(MAX_PAGE as usize) as u32;
            let filter = liuhen_store::CaseQuery { limit: size, ..Default::default() };
            let (rows, next) = self.case_page(user, filter, cursor.as_deref()).await?;
            out.extend(rows);
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(out)
    }
}

impl<S: liuhen_store::LogStore> super::App<S> {
    /// Sets case `id`'s confidentiality class (a 负责人 or the unit's head), with the reason;
    /// logged. 国家秘密 is not a class here: such material is never stored.
    pub async fn classify_case(
        &self,
        actor: &UserRecord,
        id: &str,
        class: &str,
        reason: &str,
        expected: Option<&str>,
    ) -> Result<CaseRecord, crate::app::AppError> {
        use crate::app::AppError;
        self.allow(actor, Action::ClassifyCase, Some(&self.store.case(id).await?))?;
        if !CLASSES.iter().any(|(code, _)| *code == class) {
            return Err(AppError::BadRequest(
                "密级须为 public、internal、commercial_secret 或 personal_privacy（涉及国家秘密的材料不得存入本系统）"
                    .to_string(),
            ));
        }
        if reason.trim().is_empty() {
            return Err(AppError::BadRequest("须说明定级理由".to_string()));
        }
        // The reason is the user's words: behind a commitment.
        let (c, opening) = super::auth::committed(&serde_json::json!({"reason": reason}));
        let d = liuhen_log::EntryDraft::new(
            &format!("user:{}", actor.id),
            "classification.set",
            Some(id),
            super::body(serde_json::json!({"class": class, "reason": {"commit": c.to_hex()}})),
            vec![],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let op = liuhen_store::Op::ClassifyCase {
            case_id: id.to_string(),
            class: class.to_string(),
            expected: expected.map(str::to_string),
        };
        self.append(d, vec![opening, op]).await?;
        Ok(self.store.case(id).await?)
    }
}
