//! Accounts and sign-in: Argon2id passwords, sessions whose tokens are stored only as hashes,
//! and a log entry for every sign-in and every failed attempt.

use super::App;
use crate::app::AppError;
use crate::datadir::fill_random;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use liuhen_log::{EntryDraft, Hash, commitment};
use liuhen_store::{LogStore, Op, StoreError, TokenRecord, UserRecord};
use serde_json::json;

/// Sessions last twelve hours.
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;

/// Failed sign-ins within this window count toward a lockout…
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// …of this many…
pub const MAX_FAILURES: u32 = 5;
/// …which lasts this long.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;

/// Failed sign-ins from one client address within the window block that address for
/// [`LOCKOUT_MS`], whatever usernames they tried (password spraying across accounts).
pub const MAX_SOURCE_FAILURES: u32 = 20;

/// At most this many failed sign-ins a minute are logged one by one, from all clients
/// together; beyond it they are counted and logged as one summary a window (the log any
/// unauthenticated client can grow is bounded).
pub const UNAUTHENTICATED_ENTRIES_PER_MINUTE: u32 = 30;

/// The key a client address counts under: an IPv4 address, or an IPv6 /64 network (one
/// subscriber usually holds a whole /64).
pub fn source_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The throttle key of a username typed at sign-in: its SHA-256 (the name may be a password
/// typed in the wrong box, so it is not kept in clear).
fn account_key(username: &str) -> String {
    format!("account:{}", Hash::digest(username.as_bytes()).to_hex())
}

fn source_throttle_key(source: &str) -> String {
    format!("source:{source}")
}

/// Failed sign-ins logged one by one in the current minute, and those counted beyond the cap.
#[derive(Debug, Default)]
pub struct FailureCap {
    minute: i64,
    logged: u32,
    unlogged: u64,
    first_ms: i64,
    last_ms: i64,
}

/// Shared across the server's handlers.
pub type FailureCapState = std::sync::Arc<std::sync::Mutex<FailureCap>>;

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct Login {
    pub token: String,
    pub user: UserRecord,
    pub expires_at_ms: i64,
    pub entry: u64,
    /// The log's signed receipt for the sign-in's entry.
    pub receipt: Option<liuhen_log::receipt::Receipt>,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A random password of 16 characters from an alphabet without look-alikes.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut raw = [0u8; 16];
    fill_random(&mut raw);
    raw.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

/// How many Argon2id computations run at once. Each takes 19 MiB and tens of milliseconds: a
/// burst of sign-ins (or of signatures, whose keys a password opens) waits for a slot instead
/// of taking a gigabyte of memory.
pub const ARGON2_AT_ONCE: usize = 4;

static ARGON2_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(ARGON2_AT_ONCE);

/// Runs `f` (an Argon2id computation) off the async threads, in one of the
/// [`ARGON2_AT_ONCE`] slots.
pub(crate) async fn argon2<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _slot = ARGON2_SLOTS.acquire().await.map_err(|e| AppError::Internal(Box::new(e)))?;
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(Box::new(e)))
}

async fn hash_password(password: String) -> Result<String, AppError> {
    argon2(move || Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()))
        .await?
        .map_err(|e| AppError::Internal(e.to_string().into()))
}

pub(crate) async fn verify_password(password: String, phc: String) -> Result<bool, AppError> {
    argon2(move || {
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await
}

fn draft(actor: &str, action: &str, body: serde_json::Value, commits: Vec<Hash>) -> Result<EntryDraft, AppError> {
    EntryDraft::new(actor, action, None, super::body(body), vec![], commits)
        .map_err(|e| AppError::BadRequest(e.to_string()))
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    /// Comma-separated role codes (`policy::Role`).
    pub roles: String,
    pub password: String,
    /// Forced to change the password at first sign-in.
    pub must_change_password: bool,
    /// The officer (执法人员) the account belongs to, if any.
    pub officer_id: String,
    /// The 承办机构 the account works in.
    pub unit: String,
    /// The name its steps are recorded under when it belongs to no officer (a 负责人's or a
    /// 集体讨论成员's, e.g. 张主任); empty: the username.
    pub name: String,
}

impl<S: LogStore> App<S> {
    /// Creates an account: by a 系统管理员 (`actor`), or at the server's console (`None`, the
    /// `liuhen user add` command). Usernames are 2–32 of `a-z 0-9 . _ -`; passwords at least
    /// 12 characters; roles known; an officer link names a registered officer.
    pub async fn add_user(&self, actor: Option<&UserRecord>, new: NewUser) -> Result<UserRecord, AppError> {
        if let Some(a) = actor {
            self.allow(a, super::policy::Action::ManageUsers, None)?;
        }
        let ok_name = (2..=32).contains(&new.username.len())
            && new.username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if !ok_name {
            return Err(AppError::BadRequest("用户名须为 2 至 32 位小写字母、数字或 . _ -".to_string()));
        }
        if new.password.chars().count() < 12 || new.password.chars().count() > 1024 {
            return Err(AppError::BadRequest("密码至少 12 位".to_string()));
        }
        let roles = super::policy::parse_roles(&new.roles).map_err(AppError::BadRequest)?;
        // 三员分立: the 系统管理员 who makes accounts holds no role that sees case content, or
        // they could grant and approve their own (the grant waits for a 负责人 who is not them).
        if roles.contains(&super::policy::Role::SysAdmin) && roles.iter().any(|r| super::policy::sees_case_content(*r))
        {
            return Err(AppError::Unprocessable("系统管理员不得兼任可查看案件内容的角色（三员分立）".to_string()));
        }
        // Two accounts under one name would make the record ambiguous about who acted.
        let name = new.name.trim();
        if !name.is_empty()
            && let Some(other) = self.store.users().await?.into_iter().find(|u| u.display_name == name)
        {
            return Err(AppError::Duplicate(format!("姓名“{name}”已由账号 {} 使用", other.username)));
        }
        if !new.officer_id.is_empty() {
            self.officer(&new.officer_id).await?;
            // One officer, one account (办法第十五条): a step recorded under the officer names
            // one account, and one person cannot take two steps of a chain as two accounts.
            if let Some(other) = self.store.users().await?.into_iter().find(|u| u.officer_id == new.officer_id) {
                return Err(AppError::Duplicate(format!("该执法人员已有账号 {}", other.username)));
            }
        }
        if new.unit.chars().count() > 64 {
            return Err(AppError::BadRequest("承办机构名称过长".to_string()));
        }
        let by = actor.map_or_else(|| "console".to_string(), |a| format!("user:{}", a.id));
        // 三员分立: a 系统管理员 may grant roles that see case content only subject to a 负责人's
        // approval; at the server's console (physical access: the first 负责人) they hold at once.
        let (now_roles, pending): (Vec<_>, Vec<_>) = match actor {
            Some(_) => roles.iter().partition(|r| !super::policy::sees_case_content(**r)),
            None => (roles.iter().collect(), Vec::new()),
        };
        let codes = |rs: &[&super::policy::Role]| rs.iter().map(|r| r.code()).collect::<Vec<_>>().join(",");
        let new = NewUser { roles: codes(&now_roles), ..new };
        self.create_user_pending(&new, &codes(&pending), &by).await
    }

    /// Roles waiting for a 负责人's approval, for a 负责人.
    pub async fn pending_grants(
        &self,
        actor: &UserRecord,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<UserRecord>, Option<String>), AppError> {
        self.allow(actor, super::policy::Action::ApproveGrant, None)?;
        let after = cursor.map(|c| super::policy::parse_cursor(c).map(|(_, name)| name)).transpose()?;
        let mut rows = self.store.pending_user_page(after.as_deref(), limit as u32 + 1).await?;
        let next = match rows.len() > limit {
            true => rows.get(limit - 1).map(|u| super::policy::cursor_of(0, &u.username)),
            false => None,
        };
        rows.truncate(limit);
        Ok((rows, next))
    }

    /// What a grant decision is asked before it is read: 403 unless `actor` approves grants,
    /// 404 if there is no account `user_id` (which it returns).
    pub async fn grant_first(&self, actor: &UserRecord, user_id: &str) -> Result<UserRecord, AppError> {
        self.allow(actor, super::policy::Action::ApproveGrant, None)?;
        match self.store.user(user_id).await {
            Err(liuhen_store::StoreError::NotFound) => Err(AppError::NotFound),
            other => Ok(other?),
        }
    }

    /// A 负责人 approves (or refuses) the roles that wait on account `user_id`; never their own.
    /// Logged either way; approved, the roles are in force at once.
    pub async fn decide_grant(&self, actor: &UserRecord, user_id: &str, approve: bool) -> Result<UserRecord, AppError> {
        let user = self.grant_first(actor, user_id).await?;
        if user.id == actor.id {
            return Err(AppError::Forbidden);
        }
        if user.pending_roles.is_empty() {
            return Err(AppError::InvalidState("该账号没有待批准的角色".to_string()));
        }
        let mut roles: Vec<&str> = user.role.split(',').filter(|r| !r.is_empty()).collect();
        if approve {
            roles.extend(user.pending_roles.split(','));
        }
        let role = roles.join(",");
        let d = draft(
            &format!("user:{}", actor.id),
            "user.grant_decided",
            json!({"user": user.id, "approved": approve, "roles": user.pending_roles, "role": role}),
            vec![],
        )?;
        self.append(d, vec![Op::DecideGrant { user_id: user.id.clone(), role: role.clone() }]).await?;
        Ok(UserRecord { role, pending_roles: String::new(), ..user })
    }

    /// A page of the accounts by username, after `cursor`, for a 系统管理员.
    pub async fn accounts(
        &self,
        actor: &UserRecord,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<UserRecord>, Option<String>), AppError> {
        self.allow(actor, super::policy::Action::ManageUsers, None)?;
        let after = cursor.map(|c| super::policy::parse_cursor(c).map(|(_, name)| name)).transpose()?;
        let mut rows = self.store.user_page(after.as_deref(), limit as u32 + 1).await?;
        let next = super::policy::page_end(&mut rows, limit, |u| super::policy::cursor_of(0, &u.username));
        Ok((rows, next))
    }

    pub(crate) async fn create_user(&self, new: &NewUser, actor: &str) -> Result<UserRecord, AppError> {
        self.create_user_pending(new, "", actor).await
    }

    async fn create_user_pending(&self, new: &NewUser, pending: &str, actor: &str) -> Result<UserRecord, AppError> {
        let (username, role, must_change_password) =
            (new.username.as_str(), new.roles.as_str(), new.must_change_password);
        let user = UserRecord {
            id: uuid::Uuid::now_v7().to_string(),
            username: username.to_string(),
            role: role.to_string(),
            password_hash: hash_password(new.password.clone()).await?,
            must_change_password,
            created_at_ms: now_ms(),
            officer_id: new.officer_id.clone(),
            unit: new.unit.clone(),
            totp_secret: String::new(),
            totp_enabled: false,
            pending_roles: pending.to_string(),
            display_name: new.name.trim().to_string(),
        };
        // The password hash is a secret: the log commits to it, the store keeps it. The
        // username and unit are words the administrator typed: behind a commitment too.
        let (c, opening) = secret_of(&user.password_hash, must_change_password);
        let mut account = json!({"username": username, "unit": user.unit});
        if !user.display_name.is_empty() {
            account["name"] = serde_json::Value::from(user.display_name.as_str());
        }
        let (a, account) = committed(&account);
        let d = draft(
            actor,
            "user.create",
            json!({"user": user.id, "role": role, "pending": pending, "officer_id": user.officer_id,
                   "account": {"commit": a.to_hex()}, "secret": {"commit": c.to_hex()}}),
            vec![c, a],
        )?;
        self.append(d, vec![opening, account, Op::CreateUser(user.clone())]).await?;
        Ok(user)
    }

    /// Signs a user in. Every attempt is a log entry; a failed one records the username typed
    /// only as a commitment (people sometimes type a password there).
    ///
    /// Five failures within fifteen minutes lock the username for fifteen minutes: attempts
    /// during the lock are refused without checking the password, and logged.
    pub async fn login(&self, username: &str, password: &str) -> Result<Login, AppError> {
        self.login_with(username, password, "").await
    }

    /// As [`App::login`], with the TOTP code an account that enabled it must give (RFC 6238);
    /// a wrong or missing code counts as a failed attempt.
    pub async fn login_with(&self, username: &str, password: &str, code: &str) -> Result<Login, AppError> {
        self.login_from(None, username, password, code).await
    }

    /// As [`App::login_with`], from the client address `source`: twenty failures from one
    /// address within fifteen minutes block it for fifteen minutes, whichever usernames it
    /// tried; attempts while blocked are refused before any password is checked, and summed
    /// into one logged summary a window. Locks and blocks are kept in the store: a restart
    /// lifts none.
    pub async fn login_from(
        &self,
        source: Option<std::net::IpAddr>,
        username: &str,
        password: &str,
        code: &str,
    ) -> Result<Login, AppError> {
        let source = source.map(|ip| source_throttle_key(&source_key(ip)));
        let now = now_ms();
        if let Some(key) = &source {
            let until = self.locked_until(key).await?;
            if until > now {
                self.store.apply_operational(vec![Op::NoteRefused { key: key.clone(), at: now }]).await?;
                return Err(AppError::TooManyAttempts((until - now).div_euclid(60_000) + 1));
            }
        }
        self.login_checked(username, password, code, now, source.as_deref()).await
    }

    async fn locked_until(&self, key: &str) -> Result<i64, AppError> {
        Ok(self.store.throttle(key).await?.map_or(0, |t| t.locked_until_ms))
    }

    async fn login_checked(
        &self,
        username: &str,
        password: &str,
        code: &str,
        now: i64,
        source: Option<&str>,
    ) -> Result<Login, AppError> {
        if username.is_empty() || username.chars().count() > 64 || password.chars().count() > 1024 {
            return Err(AppError::BadCredentials);
        }
        let account = account_key(username);
        let until = self.locked_until(&account).await?;
        if until > now {
            self.store.apply_operational(vec![Op::NoteRefused { key: account, at: now }]).await?;
            return Err(AppError::Locked((until - now).div_euclid(60_000) + 1));
        }
        let user = match self.store.user_by_username(username).await {
            Ok(u) => Some(u),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        // Verify against a real hash even for unknown users, so timing does not tell them apart.
        let phc = match &user {
            Some(u) => u.password_hash.clone(),
            None => dummy_hash().to_string(),
        };
        let ok = verify_password(password.to_string(), phc).await?;
        let Some(user) = user.filter(|_| ok) else {
            self.log_failed(username, "bad_credentials", &account, source, now).await?;
            return Err(AppError::BadCredentials);
        };
        if user.totp_enabled {
            let secret = super::totp::base32_decode(&user.totp_secret).unwrap_or_default();
            let now_s = u64::try_from(now / 1000).unwrap_or(0);
            if !super::totp::accepts(&secret, now_s, code) {
                self.log_failed(username, "second_factor", &account, source, now).await?;
                return Err(AppError::SecondFactor);
            }
        }
        let mut secret = [0u8; 32];
        fill_random(&mut secret);
        // Prefixed like API tokens (`lht_`): base64url may begin with `-`, which a command line
        // would take for an option (`liuhen import --token -N…`).
        let token = format!("lhs_{}", URL_SAFE_NO_PAD.encode(secret));
        let created = now_ms();
        let expires = created + SESSION_TTL_MS;
        let token_sha256 = Hash::digest(token.as_bytes());
        // The token's SHA-256 (never the token): `liuhen verify` checks every live session in
        // the store against the sign-in that created it.
        let d = draft(
            &format!("user:{}", user.id),
            "auth.login",
            json!({"expires": expires, "token": token_sha256.to_hex()}),
            vec![],
        )?;
        let receipt = self
            .append(
                d,
                vec![
                    Op::CreateSession {
                        token_sha256,
                        user_id: user.id.clone(),
                        created_at_ms: created,
                        expires_at_ms: expires,
                        name: String::new(),
                    },
                    Op::ClearFailures { key: account },
                ],
            )
            .await?;
        Ok(Login { token, user, expires_at_ms: expires, entry: receipt.index, receipt: receipt.signed })
    }

    /// A failed attempt: counted against the account and the client address, and logged with
    /// the typed name only behind a commitment — one by one up to the cap a minute, beyond it
    /// summed for one summary entry.
    async fn log_failed(
        &self,
        username: &str,
        why: &str,
        account: &str,
        source: Option<&str>,
        now: i64,
    ) -> Result<(), AppError> {
        let count = |key: &str, max: u32| Op::CountFailure {
            key: key.to_string(),
            at: now,
            window_ms: FAILURE_WINDOW_MS,
            max,
            lock_ms: LOCKOUT_MS,
        };
        let mut ops = vec![count(account, MAX_FAILURES)];
        if let Some(s) = source {
            ops.push(count(s, MAX_SOURCE_FAILURES));
        }
        let logged_one_by_one = {
            let mut cap = self.failure_cap.lock().unwrap_or_else(|e| e.into_inner());
            let minute = now.div_euclid(60_000);
            if cap.minute != minute {
                (cap.minute, cap.logged) = (minute, 0);
            }
            if cap.logged < self.unauthenticated_per_minute {
                cap.logged += 1;
                true
            } else {
                if cap.unlogged == 0 {
                    cap.first_ms = now;
                }
                cap.unlogged += 1;
                cap.last_ms = now;
                false
            }
        };
        if !logged_one_by_one {
            self.store.apply_operational(ops).await?;
            return Ok(());
        }
        let mut salt = [0u8; 32];
        fill_random(&mut salt);
        let c = commitment(&salt, username.as_bytes());
        let d = draft(
            "anonymous",
            "auth.login_failed",
            json!({"username": {"commit": c.to_hex()}, "reason": why}),
            vec![c],
        )?;
        ops.push(Op::PutOpening { commitment: c, salt, content: username.as_bytes().to_vec() });
        self.append(d, ops).await?;
        Ok(())
    }

    /// Logs one summary entry for each account or address whose attempts were refused while it
    /// was locked, once its window has passed (or all of them, `now` = `i64::MAX`, at shutdown),
    /// and one for the failures counted beyond the cap: at most one entry a key a window.
    /// Returns how many summaries it logged.
    pub async fn summarise_refused(&self, now: i64) -> Result<u64, AppError> {
        let mut n = 0;
        for t in self.store.throttles_to_summarise().await? {
            if now != i64::MAX && t.refused_first_ms > now - FAILURE_WINDOW_MS && t.locked_until_ms > now {
                continue;
            }
            let (kind, who) = t.key.split_once(':').unwrap_or(("", &t.key));
            let (c, opening) = committed(&json!(who));
            let d = draft(
                "anonymous",
                "auth.refused",
                json!({"kind": kind, "who": {"commit": c.to_hex()}, "count": t.refused,
                       "first": t.refused_first_ms, "last": t.refused_last_ms}),
                vec![c],
            )?;
            self.append(d, vec![opening, Op::SummarisedRefused { key: t.key.clone(), count: t.refused }]).await?;
            n += 1;
        }
        let unlogged = {
            let mut cap = self.failure_cap.lock().unwrap_or_else(|e| e.into_inner());
            if cap.unlogged > 0 && (now == i64::MAX || cap.first_ms <= now - FAILURE_WINDOW_MS) {
                let out = (cap.unlogged, cap.first_ms, cap.last_ms);
                cap.unlogged = 0;
                Some(out)
            } else {
                None
            }
        };
        if let Some((count, first, last)) = unlogged {
            let d = draft(
                "anonymous",
                "auth.failures_unlogged",
                json!({"count": count, "first": first, "last": last, "per_minute": self.unauthenticated_per_minute}),
                vec![],
            )?;
            self.append(d, vec![]).await?;
            n += 1;
        }
        Ok(n)
    }

    /// Changes `user`'s password: the current one must match (and, with TOTP on, the current
    /// code); the new one is at least 12 characters and differs from it and from the username.
    /// Logged, the hash behind a commitment; the forced change of a first sign-in is then done.
    /// Every other sign-in session of the account ends with it (`keep` is the session the
    /// change is made from; API tokens are the owner's to revoke).
    pub async fn change_password(
        &self,
        user: &UserRecord,
        current: &str,
        new: &str,
        code: &str,
        keep: Option<&str>,
    ) -> Result<(), AppError> {
        self.check_current_credentials(user, current, code).await?;
        if new.chars().count() < 12 || new.chars().count() > 1024 {
            return Err(AppError::BadRequest("新密码至少 12 位".to_string()));
        }
        if new == current || new == user.username {
            return Err(AppError::Unprocessable("新密码不得与当前密码或用户名相同".to_string()));
        }
        let password_hash = hash_password(new.to_string()).await?;
        let (c, opening) = secret_of(&password_hash, false);
        let now = now_ms();
        let keep = keep.map(|t| Hash::digest(t.as_bytes()));
        let ended: Vec<Hash> = (self.store.sessions(Some(&user.id)).await?.into_iter())
            .filter(|s| s.name.is_empty() && s.expires_at_ms > now && Some(s.token_sha256) != keep)
            .map(|s| s.token_sha256)
            .collect();
        let d = draft(
            &format!("user:{}", user.id),
            "user.password",
            json!({"user": user.id, "secret": {"commit": c.to_hex()},
                   "ended": ended.iter().map(|h| h.to_hex()).collect::<Vec<_>>()}),
            vec![c],
        )?;
        let mut ops =
            vec![opening, Op::SetPassword { user_id: user.id.clone(), password_hash, must_change_password: false }];
        ops.extend(ended.into_iter().map(|token_sha256| Op::EndSession { token_sha256, at_ms: now }));
        self.append(d, ops).await?;
        // The personal signing key follows the password (it stays the same key).
        self.rewrap_key(user, current, new).await?;
        Ok(())
    }

    /// The account's current password, and its current TOTP code when it has turned TOTP on:
    /// what changing a credential asks for, so a session alone never changes one.
    /// A wrong one counts as a failed sign-in of the account (and locks it like one): a
    /// session is no way to guess its password.
    /// The account's own password for a signature: a wrong one counts toward the account's lock
    /// as a failed sign-in does (a session is no way to guess it), a locked account signs not.
    pub(crate) async fn check_signing_password(&self, user: &UserRecord, password: &str) -> Result<bool, AppError> {
        let now = now_ms();
        let account = account_key(&user.username);
        let until = self.locked_until(&account).await?;
        if until > now {
            return Err(AppError::Locked((until - now).div_euclid(60_000) + 1));
        }
        if !password.is_empty()
            && password.len() <= 1024
            && verify_password(password.to_string(), user.password_hash.clone()).await?
        {
            return Ok(true);
        }
        let count = Op::CountFailure {
            key: account,
            at: now,
            window_ms: FAILURE_WINDOW_MS,
            max: MAX_FAILURES,
            lock_ms: LOCKOUT_MS,
        };
        self.store.apply_operational(vec![count]).await?;
        Ok(false)
    }

    async fn check_current_credentials(&self, user: &UserRecord, password: &str, code: &str) -> Result<(), AppError> {
        let now = now_ms();
        let account = account_key(&user.username);
        let until = self.locked_until(&account).await?;
        if until > now {
            return Err(AppError::Locked((until - now).div_euclid(60_000) + 1));
        }
        let count = || Op::CountFailure {
            key: account.clone(),
            at: now,
            window_ms: FAILURE_WINDOW_MS,
            max: MAX_FAILURES,
            lock_ms: LOCKOUT_MS,
        };
        if password.len() > 1024 || !verify_password(password.to_string(), user.password_hash.clone()).await? {
            self.store.apply_operational(vec![count()]).await?;
            return Err(AppError::Unprocessable("当前密码不正确".to_string()));
        }
        if user.totp_enabled {
            let secret = super::totp::base32_decode(&user.totp_secret).unwrap_or_default();
            let now_s = u64::try_from(now_ms() / 1000).unwrap_or(0);
            if !super::totp::accepts(&secret, now_s, code) {
                self.store.apply_operational(vec![count()]).await?;
                return Err(AppError::Unprocessable(
                    "请输入正确的动态验证码（身份验证器应用中的六位数字）".to_string(),
                ));
            }
        }
        Ok(())
    }

    /// Starts TOTP enrolment: a new secret (20 random bytes) for `user`, kept unconfirmed until
    /// a code from the app proves it was copied; returns it in base32 and as an `otpauth://` URI.
    /// Logged, the secret behind a commitment.
    /// Binding a new authenticator turns the old one off until it is confirmed: it needs the
    /// current password, and the current code when TOTP is on.
    pub async fn begin_totp(
        &self,
        user: &UserRecord,
        password: &str,
        code: &str,
    ) -> Result<(String, String), AppError> {
        self.check_current_credentials(user, password, code).await?;
        let mut raw = [0u8; 20];
        fill_random(&mut raw);
        let secret = super::totp::base32(&raw);
        self.set_totp(user, &secret, false).await?;
        let uri = format!("otpauth://totp/liuhen:{}?secret={secret}&issuer=liuhen&digits=6&period=30", user.username);
        Ok((secret, uri))
    }

    /// Confirms enrolment with a code from the app: from now on sign-in asks for one.
    pub async fn confirm_totp(&self, user: &UserRecord, code: &str) -> Result<(), AppError> {
        let secret = super::totp::base32_decode(&user.totp_secret)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AppError::InvalidState("请先开始绑定身份验证器".to_string()))?;
        let now_s = u64::try_from(now_ms() / 1000).unwrap_or(0);
        if !super::totp::accepts(&secret, now_s, code) {
            return Err(AppError::Unprocessable("动态验证码不正确".to_string()));
        }
        self.set_totp(user, &user.totp_secret, true).await
    }

    async fn set_totp(&self, user: &UserRecord, secret: &str, enabled: bool) -> Result<(), AppError> {
        let (c, opening) = committed(&json!({"secret": secret, "enabled": enabled}));
        let d = draft(
            &format!("user:{}", user.id),
            "user.totp",
            json!({"user": user.id, "enabled": enabled, "secret": {"commit": c.to_hex()}}),
            vec![c],
        )?;
        let op = Op::SetTotp { user_id: user.id.clone(), secret: secret.to_string(), enabled };
        self.append(d, vec![opening, op]).await?;
        Ok(())
    }

    /// A named API token for the CLI or a device, valid `days` days (1–366); the secret is
    /// returned once and only its SHA-256 is kept. Logged (name and life, never the secret).
    pub async fn create_token(
        &self,
        user: &UserRecord,
        name: &str,
        days: u32,
    ) -> Result<(String, TokenRecord), AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(AppError::BadRequest("令牌名称须为 1–64 个字符".to_string()));
        }
        if !(1..=366).contains(&days) {
            return Err(AppError::BadRequest("有效期须为 1 至 366 日".to_string()));
        }
        let mut secret = [0u8; 32];
        fill_random(&mut secret);
        let token = format!("lht_{}", URL_SAFE_NO_PAD.encode(secret));
        let created = now_ms();
        let record = TokenRecord {
            token_sha256: Hash::digest(token.as_bytes()),
            name: name.to_string(),
            created_at_ms: created,
            expires_at_ms: created + i64::from(days) * 86_400_000,
        };
        // The name is the user's words: behind a commitment.
        let (c, opening) = committed(&json!({"name": name}));
        let d = draft(
            &format!("user:{}", user.id),
            "auth.token_create",
            json!({"token": record.token_sha256.to_hex(), "name": {"commit": c.to_hex()}, "expires": record.expires_at_ms}),
            vec![c],
        )?;
        let op = Op::CreateSession {
            token_sha256: record.token_sha256,
            user_id: user.id.clone(),
            created_at_ms: created,
            expires_at_ms: record.expires_at_ms,
            name: name.to_string(),
        };
        self.append(d, vec![opening, op]).await?;
        Ok((token, record))
    }

    /// The user's API tokens.
    pub async fn tokens(&self, user: &UserRecord) -> Result<Vec<TokenRecord>, AppError> {
        Ok(self.store.tokens(&user.id).await?)
    }

    /// Revokes one of the user's live tokens (by its SHA-256 in hex), logged.
    pub async fn revoke_token(&self, user: &UserRecord, token_hex: &str) -> Result<(), AppError> {
        let now = now_ms();
        let found = (self.store.tokens(&user.id).await?.into_iter())
            .find(|t| t.token_sha256.to_hex() == token_hex && t.expires_at_ms > now);
        let Some(t) = found else { return Err(AppError::NotFound) };
        let d = draft(&format!("user:{}", user.id), "auth.token_revoke", json!({"token": token_hex}), vec![])?;
        self.append(d, vec![Op::EndSession { token_sha256: t.token_sha256, at_ms: now_ms() }]).await?;
        Ok(())
    }

    /// Ends the session of `token` (sign-out), logged; the token no longer authenticates.
    pub async fn logout(&self, user: &UserRecord, token: &str) -> Result<(), AppError> {
        let token_sha256 = Hash::digest(token.as_bytes());
        let d = draft(&format!("user:{}", user.id), "auth.logout", json!({"token": token_sha256.to_hex()}), vec![])?;
        self.append(d, vec![Op::EndSession { token_sha256, at_ms: now_ms() }]).await?;
        Ok(())
    }

    /// The user behind a session token.
    pub async fn authenticate(&self, token: &str) -> Result<UserRecord, AppError> {
        if token.is_empty() || token.len() > 128 {
            return Err(AppError::Unauthorized);
        }
        let hash = Hash::digest(token.as_bytes());
        // Found at the start and not yet vouched for by the check then (see `hold_until_checked`).
        if self.inherited_sessions.lock().unwrap_or_else(|e| e.into_inner()).as_ref().is_some_and(|s| s.contains(&hash))
        {
            return Err(AppError::Unavailable(super::error::SESSIONS_HELD.into()));
        }
        match self.store.session_user(&hash, now_ms()).await {
            Ok(u) => Ok(u),
            Err(StoreError::NotFound) => Err(AppError::Unauthorized),
            Err(e) => Err(e.into()),
        }
    }
}

/// An account's secret (its password hash and whether it must change): the commitment the log
/// shows, and the opening the store keeps.
fn secret_of(password_hash: &str, must_change_password: bool) -> (Hash, Op) {
    committed(&json!({"password_hash": password_hash, "must_change_password": must_change_password}))
}

/// Content kept out of the log: its salted commitment, and the opening for the store.
pub(crate) fn committed(content: &serde_json::Value) -> (Hash, Op) {
    let mut bytes = Vec::new();
    liuhen_log::entry::write_canonical(content, &mut bytes);
    let mut salt = [0u8; 32];
    fill_random(&mut salt);
    let c = commitment(&salt, &bytes);
    (c, Op::PutOpening { commitment: c, salt, content: bytes })
}

fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default().hash_password(b"liuhen-no-such-user").map(|h| h.to_string()).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Sixty-four sign-ins at once run their Argon2id four at a time (19 MiB each), never all
    /// together: a burst of requests cannot take the server's memory.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn argon2_runs_in_a_bounded_number_of_slots() {
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let (now, most) = (now.clone(), most.clone());
                tokio::spawn(super::argon2(move || {
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    now.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most <= super::ARGON2_AT_ONCE && most > 1, "{most} at once");
    }
}
