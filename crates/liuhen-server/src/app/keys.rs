//! Each signer's own SM2 key (电子签名法第十三条; domain.md R-160): made the first time they
//! sign, its private half kept only wrapped (AES-256-GCM) under a key derived (Argon2id) from
//! their own password, so it signs only when they give that password; re-wrapped when they
//! change it; replaced (the old one revoked) when they ask. The public key is in the log
//! (`signer.key`), the wrapped private key behind a commitment; each key is a row of the
//! `signing_keys` table (the current one holding the wrapped private half), found by its id.
//!
//! A signature made before its key was revoked stays valid; none after.

use super::App;
use crate::app::AppError;
use liuhen_log::EntryDraft;
use liuhen_log::entry::commitment;
use liuhen_log::signer::{self as sig, PersonalKey};
use liuhen_store::{LogStore, Op, SigningKeyRecord, UserRecord};
use serde_json::{Map, Value, json};

/// Why a signature could not be made.
const WRONG_PASSWORD: &str = "签名须输入本人的登录密码（电子签名制作数据仅由签名人控制，电子签名法第十三条）";

fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random source");
}

/// The key-encryption key: Argon2id of the password with the key's own salt.
async fn kek(password: &str, salt: &[u8]) -> Result<[u8; 32], AppError> {
    let (password, salt) = (password.to_string(), salt.to_vec());
    super::auth::argon2(move || {
        let mut out = [0u8; 32];
        argon2::Argon2::default()
            .hash_password_into(password.as_bytes(), &salt, &mut out)
            .map_err(|e| AppError::Internal(e.to_string().into()))?;
        Ok(out)
    })
    .await?
}

fn aad(user: &str, key_id: &str) -> String {
    format!("liuhen-signer-key/v1 {user} {key_id}")
}

/// `secret` sealed under `password`: {salt, nonce, ct} (hex).
async fn wrap(secret: &[u8; 32], password: &str, user: &str, key_id: &str) -> Result<Value, AppError> {
    use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    fill_random(&mut salt);
    fill_random(&mut nonce);
    let key = LessSafeKey::new(
        UnboundKey::new(&AES_256_GCM, &kek(password, &salt).await?)
            .map_err(|_| AppError::Internal("AES key".into()))?,
    );
    let mut ct = secret.to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad(user, key_id)), &mut ct)
        .map_err(|_| AppError::Internal("AES-GCM seal".into()))?;
    Ok(json!({"salt": hex::encode(salt), "nonce": hex::encode(nonce), "ct": hex::encode(ct)}))
}

/// The secret behind `wrapped`, if `password` opens it.
async fn unwrap(wrapped: &Value, password: &str, user: &str) -> Result<Option<[u8; 32]>, AppError> {
    use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
    let field = |k: &str| hex::decode(wrapped[k].as_str().unwrap_or_default()).ok();
    let (Some(salt), Some(nonce), Some(mut ct)) = (field("salt"), field("nonce"), field("ct")) else {
        return Err(AppError::Integrity(format!("the wrapped key of {user} is malformed")));
    };
    let nonce: [u8; 12] = nonce.try_into().map_err(|_| AppError::Integrity("a nonce of the wrong size".into()))?;
    let key = LessSafeKey::new(
        UnboundKey::new(&AES_256_GCM, &kek(password, &salt).await?)
            .map_err(|_| AppError::Internal("AES key".into()))?,
    );
    let key_id = wrapped["key_id"].as_str().unwrap_or_default();
    match key.open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad(user, key_id)), &mut ct) {
        Ok(plain) => Ok(plain.try_into().ok()),
        Err(_) => Ok(None),
    }
}

/// Folds one `signer.*` entry (its body and opened detail) into the row of the key it is of
/// (`prev`: that row as it was): made (current, with its wrapped private half), re-wrapped
/// under a new password, or revoked (no longer current; its private half dropped).
pub fn fold(prev: Option<&Value>, action: &str, body: &Map<String, Value>, detail: &Value, at: i64) -> Option<Value> {
    let key_id = body.get("key_id")?.as_str()?.to_string();
    let mut v = match (action, prev) {
        ("signer.key", None) => {
            json!({"key_id": key_id, "user": body.get("user")?, "public_key": body.get("public_key")?,
                                      "created_at": at, "revoked_at": null, "reason": null, "wrapped": null})
        }
        ("signer.key", Some(_)) | (_, None) => return None,
        (_, Some(p)) => p.clone(),
    };
    match action {
        "signer.key" | "signer.rewrap" => {
            v["wrapped"] = detail.get("wrapped")?.clone();
            v["wrapped"]["key_id"] = Value::from(key_id);
        }
        "signer.revoke" => {
            v["revoked_at"] = Value::from(at);
            v["reason"] = body.get("reason")?.clone();
            v["wrapped"] = Value::Null;
        }
        _ => return None,
    }
    Some(v)
}

/// The row of a key as [`fold`] leaves it (`v`), written at `at`.
pub fn record(v: &Value, at: i64) -> Option<SigningKeyRecord> {
    Some(SigningKeyRecord {
        key_id: v["key_id"].as_str()?.to_string(),
        user_id: v["user"].as_str()?.to_string(),
        current: !v["wrapped"].is_null(),
        data: v.to_string(),
        updated_at_ms: at,
        version: 0,
    })
}

/// A signature made: the key, the statement signed and the DER signature (hex).
#[derive(Debug, Clone)]
pub struct Signed {
    pub key_id: String,
    pub signature: String,
}

impl<S: LogStore> App<S> {
    /// A user's keys as one JSON: `keys` (each made, revoked when) and `wrapped` (the current
    /// key's private half); `None` if they have none — a range of the keys' index by user.
    async fn keys_of(&self, user: &str) -> Result<Option<Value>, AppError> {
        let rows = self.store.signing_keys_of(user).await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut keys = Vec::new();
        let mut wrapped = Value::Null;
        for row in rows {
            let mut k: Value = serde_json::from_str(&row.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            if row.current {
                wrapped = k["wrapped"].take();
            }
            keys.push(k);
        }
        keys.sort_by_key(|k| k["created_at"].as_i64().unwrap_or(0));
        Ok(Some(json!({"user": user, "keys": keys, "wrapped": wrapped})))
    }

    /// Key `key_id` as its row holds it, and the version it was read at (0: none yet).
    async fn versioned_key(&self, key_id: &str) -> Result<(Option<Value>, u64), AppError> {
        let row = super::versioned_json(self.store.signing_key(key_id).await.map(|r| (r.data, r.version)))?;
        Ok(row.map_or((None, 0), |(v, read)| (Some(v), read)))
    }

    /// Appends a `signer.*` entry with its secret detail behind a commitment, and the setting.
    /// Recorded at the clock's time, or at `at` when that is earlier (a key made for a signature
    /// is made as that signature's act began).
    async fn record_key(
        &self,
        actor: &UserRecord,
        action: &str,
        body: Value,
        detail: Value,
        at: Option<i64>,
    ) -> Result<(), AppError> {
        let mut content = Vec::new();
        liuhen_log::entry::write_canonical(&detail, &mut content);
        let mut salt = [0u8; 32];
        fill_random(&mut salt);
        let c = commitment(&salt, &content);
        // Key times are the law's (a signature's validity is judged against them).
        let now = self.clock.now().0.min(at.unwrap_or(i64::MAX));
        let mut b = super::body(body);
        // The fold's time travels in the entry, so a rebuild folds the same.
        b.insert("recorded_at".to_string(), Value::from(now));
        let key_id = b.get("key_id").and_then(Value::as_str).unwrap_or_default().to_string();
        let (prev, read) = self.versioned_key(&key_id).await?;
        let next = fold(prev.as_ref(), action, &b, &detail, now)
            .ok_or_else(|| AppError::Internal(format!("{action} does not fold").into()))?;
        let row = record(&next, now).ok_or_else(|| AppError::Internal("a key's row".into()))?;
        let d = EntryDraft::new(&format!("user:{}", actor.id), action, None, b, vec![], vec![c])
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let ops = vec![
            Op::PutOpening { commitment: c, salt, content },
            Op::PutSigningKey { record: row, expected_version: Some(read) },
        ];
        self.append(d, ops).await?;
        Ok(())
    }

    /// A new key for `actor`, wrapped under `password`, revoking the current one (`reason`);
    /// made at `at` when that is earlier than the clock (see [`Self::record_key`]).
    async fn new_key(&self, actor: &UserRecord, password: &str, reason: &str, at: Option<i64>) -> Result<(), AppError> {
        if let Some(current) =
            self.keys_of(&actor.id).await?.and_then(|v| v["wrapped"]["key_id"].as_str().map(str::to_string))
        {
            self.record_key(
                actor,
                "signer.revoke",
                json!({"user": actor.id, "key_id": current, "reason": reason}),
                json!({}),
                at,
            )
            .await?;
        }
        let (key, secret) = loop {
            let mut secret = [0u8; 32];
            fill_random(&mut secret);
            if let Ok(k) = PersonalKey::from_secret(&secret) {
                break (k, secret);
            }
        };
        let public = key.public_sec1();
        let key_id = sig::key_id(&public);
        let wrapped = wrap(&secret, password, &actor.id, &key_id).await?;
        let body = json!({"user": actor.id, "key_id": key_id, "public_key": hex::encode(&public)});
        self.record_key(actor, "signer.key", body, json!({"wrapped": wrapped}), at).await
    }

    /// Signs `statement` with `actor`'s own key, which only their password (checked first)
    /// opens; the first signature makes the key. `at_ms` is the time the statement says it was
    /// signed: a key made for it is made then, never after the signature it makes.
    pub(crate) async fn sign_as(
        &self,
        actor: &UserRecord,
        password: &str,
        at_ms: i64,
        statement: &[u8],
    ) -> Result<Signed, AppError> {
        if !self.check_signing_password(actor, password).await? {
            return Err(AppError::NotYourStep(WRONG_PASSWORD.into()));
        }
        let mut keys = self.keys_of(&actor.id).await?;
        if keys.as_ref().is_none_or(|v| v["wrapped"].is_null()) {
            // A first signature at the same moment may have made it: then that key signs.
            match self.new_key(actor, password, "", Some(at_ms)).await {
                Ok(()) | Err(AppError::Stale(_)) => {}
                Err(e) => return Err(e),
            }
            keys = self.keys_of(&actor.id).await?;
        }
        let keys = keys.ok_or_else(|| AppError::Internal("a key just made is gone".into()))?;
        let secret = match unwrap(&keys["wrapped"], password, &actor.id).await? {
            Some(s) => s,
            None => {
                // The password was right but does not open the key (set while the key was
                // wrapped under another): the old key is revoked and a new one made.
                self.new_key(actor, password, "登录密码已由他人重置，原密钥无法使用", Some(at_ms)).await?;
                let keys = self.keys_of(&actor.id).await?.unwrap_or_default();
                unwrap(&keys["wrapped"], password, &actor.id)
                    .await?
                    .ok_or_else(|| AppError::Internal("a new key does not open".into()))?
            }
        };
        let key =
            PersonalKey::from_secret(&secret).map_err(|_| AppError::Integrity("a stored key is not SM2".into()))?;
        let key_id = sig::key_id(&key.public_sec1());
        Ok(Signed { key_id, signature: hex::encode(key.sign(statement)) })
    }

    /// On a password change: the current key re-wrapped under the new password (the key stays).
    pub(crate) async fn rewrap_key(&self, actor: &UserRecord, old: &str, new: &str) -> Result<(), AppError> {
        let Some(keys) = self.keys_of(&actor.id).await? else { return Ok(()) };
        if keys["wrapped"].is_null() {
            return Ok(());
        }
        let key_id = keys["wrapped"]["key_id"].as_str().unwrap_or_default().to_string();
        match unwrap(&keys["wrapped"], old, &actor.id).await? {
            Some(secret) => {
                let wrapped = wrap(&secret, new, &actor.id, &key_id).await?;
                self.record_key(
                    actor,
                    "signer.rewrap",
                    json!({"user": actor.id, "key_id": key_id}),
                    json!({"wrapped": wrapped}),
                    None,
                )
                .await
            }
            None => Ok(()),
        }
    }

    /// `actor` replaces their key (the old one revoked: signatures made with it before now
    /// stay valid).
    pub async fn renew_key(&self, actor: &UserRecord, password: &str) -> Result<Value, AppError> {
        if !self.check_signing_password(actor, password).await? {
            return Err(AppError::NotYourStep(WRONG_PASSWORD.into()));
        }
        self.new_key(actor, password, "本人申请更换", None).await?;
        self.public_keys(&actor.id).await
    }

    /// A user's public keys (PEM), with when each was made and revoked: what anyone verifies a
    /// signature with, OpenSSL alone.
    pub async fn public_keys(&self, user: &str) -> Result<Value, AppError> {
        let keys = self.keys_of(user).await?.unwrap_or_else(|| json!({"keys": []}));
        let list: Vec<Value> = keys["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|k| {
                let public = hex::decode(k["public_key"].as_str().unwrap_or_default()).unwrap_or_default();
                json!({"key_id": k["key_id"], "algorithm": "SM2", "distid": liuhen_log::note::SM2_DISTID,
                       "public_key_pem": sig::public_pem(&public), "created_at": k["created_at"],
                       "revoked_at": k["revoked_at"], "reason": k["reason"]})
            })
            .collect();
        Ok(json!({"user": user, "keys": list}))
    }

    /// The key `key_id` (a published public key: PEM, whose, made and revoked when), or 404.
    pub async fn signing_key(&self, key_id: &str) -> Result<Value, AppError> {
        // Found by its id: the keys' primary key, never a pass over every signer.
        let row = self.store.signing_key(key_id).await?;
        let all = self.public_keys(&row.user_id).await?;
        let k = all["keys"].as_array().into_iter().flatten().find(|k| k["key_id"] == key_id).cloned();
        let mut k = k.ok_or(AppError::NotFound)?;
        k["user"] = Value::from(format!("user:{}", row.user_id));
        Ok(k)
    }
}
