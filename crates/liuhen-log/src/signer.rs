//! Personal signatures (电子签名法第十三条; domain.md R-160): each officer's and approver's own
//! SM2 key signs, with SM3 and the GM/T 0009 distinguishing ID, a statement of what they
//! approved or signed — the document's id, the step, the SM3 of its content, the opinion and
//! the server's time. OpenSSL verifies it from the signer's published key alone:
//!
//! ```text
//! openssl pkeyutl -verify -pubin -inkey signer.pem -rawin -digest sm3 \
//!     -pkeyopt distid:1234567812345678 -in statement.txt -sigfile signature.der
//! ```
//!
//! No I/O and no randomness here: the secret scalar is an argument.

use crate::note::SM2_DISTID;
use crate::seal::{pem, sm2_spki};
use sm2::dsa::signature::{Signer as _, Verifier as _};
use sm2::elliptic_curve::sec1::ToSec1Point;

/// The first line of every approval statement (its format's version).
pub const STATEMENT_V1: &str = "liuhen-approval/v1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignerError {
    #[error("not a valid SM2 secret key")]
    BadSecret,
    #[error("not a valid SM2 public key")]
    BadPublic,
}

/// A person's SM2 signing key.
pub struct PersonalKey(sm2::dsa::SigningKey);

impl PersonalKey {
    /// From a 32-byte secret scalar (big-endian); zero and values beyond the order refuse.
    pub fn from_secret(secret: &[u8; 32]) -> Result<PersonalKey, SignerError> {
        sm2::dsa::SigningKey::from_slice(SM2_DISTID, secret).map(PersonalKey).map_err(|_| SignerError::BadSecret)
    }

    /// The public key, SEC1 uncompressed (`04 || x || y`).
    pub fn public_sec1(&self) -> Vec<u8> {
        self.0.verifying_key().to_sec1_point(false).as_bytes().to_vec()
    }

    /// SM2 with SM3 over `message` (the ID `1234567812345678`), DER `SEQUENCE{r, s}`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let sig: sm2::dsa::Signature = self.0.sign(message);
        sig.to_der().as_bytes().to_vec()
    }
}

/// The key's identifier: the first 16 hex digits of the SM3 of its SEC1 public key.
pub fn key_id(public_sec1: &[u8]) -> String {
    use sm3::Digest as _;
    hex::encode(&sm3::Sm3::digest(public_sec1)[..8])
}

/// The public key as OpenSSL reads it (PEM SubjectPublicKeyInfo, SM2 curve).
pub fn public_pem(public_sec1: &[u8]) -> String {
    pem("PUBLIC KEY", &sm2_spki(public_sec1))
}

/// Whether `signature` (DER) is `public_sec1`'s SM2 signature over `message`.
pub fn verify(public_sec1: &[u8], message: &[u8], signature: &[u8]) -> Result<bool, SignerError> {
    let key = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, public_sec1).map_err(|_| SignerError::BadPublic)?;
    let Ok(sig) = sm2::dsa::Signature::from_der(signature) else { return Ok(false) };
    Ok(key.verify(message, &sig).is_ok())
}

/// What a person signs when approving (or signing) a document: one field a line, in order —
/// the format, the document, the step or role, the SM3 (hex) of the content they saw, the
/// signer's account, the server's time (Unix ms) and their opinion (newlines kept as `\n`).
pub fn approval_statement(
    document: &str,
    step: &str,
    content_sm3: &str,
    person: &str,
    at_ms: i64,
    opinion: &str,
) -> Vec<u8> {
    let opinion = one_line(opinion);
    format!("{STATEMENT_V1}\ndocument {document}\nstep {step}\ncontent-sm3 {content_sm3}\nperson {person}\ntime {at_ms}\nopinion {opinion}\n")
        .into_bytes()
}

/// Free text kept on one statement line: backslashes doubled, line breaks as `\n`, `\r`.
fn one_line(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r")
}

/// As [`approval_statement`], with the reason the opinion rests on on a line of its own
/// (`reason …`, newlines kept as `\n`) when one is given: neither the opinion nor the reason
/// can be changed, or moved from one to the other, under the signature.
pub fn approval_statement_with_reason(
    document: &str,
    step: &str,
    content_sm3: &str,
    person: &str,
    at_ms: i64,
    opinion: &str,
    reason: &str,
) -> Vec<u8> {
    let mut out = approval_statement(document, step, content_sm3, person, at_ms, opinion);
    if !reason.is_empty() {
        out.extend_from_slice(format!("reason {}\n", one_line(reason)).as_bytes());
    }
    out
}

/// Whether a signature made at `at_ms` by a key revoked at `revoked_at_ms` (if ever) stands:
/// one made before the revocation stays valid, none after (电子签名法第十三条).
pub fn made_while_valid(at_ms: i64, created_at_ms: i64, revoked_at_ms: Option<i64>) -> bool {
    at_ms >= created_at_ms && revoked_at_ms.is_none_or(|r| at_ms < r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_over_its_statement_and_with_its_key() {
        let key = PersonalKey::from_secret(&[7u8; 32]).unwrap();
        let other = PersonalKey::from_secret(&[9u8; 32]).unwrap();
        let msg = approval_statement("doc-1", "approver", &"ab".repeat(32), "user:u1", 1_800_000_000_000, "同意\n立案");
        let sig = key.sign(&msg);
        assert!(verify(&key.public_sec1(), &msg, &sig).unwrap());
        assert!(!verify(&other.public_sec1(), &msg, &sig).unwrap(), "another's key");
        let changed =
            approval_statement("doc-1", "approver", &"ab".repeat(32), "user:u1", 1_800_000_000_000, "同意 立案");
        assert!(!verify(&key.public_sec1(), &changed, &sig).unwrap(), "another opinion");
        assert!(!verify(&key.public_sec1(), &msg, &sig[..sig.len() - 1]).unwrap(), "a truncated signature");
        assert!(String::from_utf8(msg).unwrap().contains("opinion 同意\\n立案\n"), "one line per field");
        assert_eq!(key_id(&key.public_sec1()).len(), 16);
        assert!(public_pem(&key.public_sec1()).starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(PersonalKey::from_secret(&[0u8; 32]).is_err());
    }

    #[test]
    fn a_signature_before_the_revocation_stands_and_none_after() {
        assert!(made_while_valid(100, 50, None));
        assert!(made_while_valid(100, 50, Some(101)));
        assert!(!made_while_valid(101, 50, Some(101)));
        assert!(!made_while_valid(40, 50, None), "before the key existed");
    }
}
