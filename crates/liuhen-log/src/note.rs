//! C2SP signed notes: note text plus signature lines, with Ed25519 (type `0x01`) and SM2 with
//! SM3 (type `0xff` followed by [`SM2_ALG_ID`]) keys, key IDs and verifier-key strings.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::Signer as _;
use sha2::{Digest, Sha256};
use sm2::dsa::signature::Verifier as _;
use sm2::elliptic_curve::sec1::ToSec1Point;
use thiserror::Error;

/// Signature type byte of Ed25519 note signatures.
pub const TYPE_ED25519: u8 = 0x01;
/// Signature type byte of algorithms without an assigned byte; followed by an identifier.
pub const TYPE_OTHER: u8 = 0xff;
/// The identifier that follows `0xff` for SM2-with-SM3 note signatures (GB/T 32918, GB/T 35276
/// DER signature, distinguishing ID [`SM2_DISTID`]).
pub const SM2_ALG_ID: &[u8] = b"liuhen/sm2-sm3/v1";
/// The SM2 distinguishing ID (GM/T 0009 default), always passed explicitly.
pub const SM2_DISTID: &str = "1234567812345678";
/// Notes larger than this are refused before parsing.
pub const MAX_NOTE_LEN: usize = 64 * 1024;
/// The most signature lines a note may carry (C2SP asks verifiers to accept at least 16).
pub const MAX_SIGNATURES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoteError {
    #[error("note is larger than {MAX_NOTE_LEN} bytes")]
    TooLarge,
    #[error("note is not valid UTF-8")]
    NotUtf8,
    #[error("note contains a control character other than newline")]
    ControlCharacter,
    #[error("note has no blank line before its signatures")]
    NoSignatureBlock,
    #[error("malformed signature line {0}")]
    BadSignatureLine(usize),
    #[error("note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    #[error("signature by {name} (key ID {key_id:08x}) does not verify")]
    BadSignature { name: String, key_id: u32 },
    #[error("note carries no signature by the key {0}")]
    MissingSignature(String),
    #[error("malformed verifier key: {0}")]
    BadVerifierKey(String),
    #[error("invalid key name {0:?}")]
    BadKeyName(String),
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: u32,
    pub signature: Vec<u8>,
}

/// A parsed (not yet verified) signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// Parses a signed note. The text is not trusted until [`Note::verify`] has run.
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        if bytes.len() > MAX_NOTE_LEN {
            return Err(NoteError::TooLarge);
        }
        let s = std::str::from_utf8(bytes).map_err(|_| NoteError::NotUtf8)?;
        if s.chars().any(|c| c < ' ' && c != '\n') {
            return Err(NoteError::ControlCharacter);
        }
        let split = s.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
        let text = &s[..=split];
        let sigs = &s[split + 2..];
        if sigs.is_empty() || !sigs.ends_with('\n') {
            return Err(NoteError::NoSignatureBlock);
        }
        let mut signatures = Vec::new();
        for (i, line) in sigs[..sigs.len() - 1].split('\n').enumerate() {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures);
            }
            let bad = || NoteError::BadSignatureLine(i + 1);
            let rest = line.strip_prefix("\u{2014} ").ok_or_else(bad)?;
            let (name, b64) = rest.split_once(' ').ok_or_else(bad)?;
            check_key_name(name).map_err(|_| bad())?;
            let raw = B64.decode(b64).map_err(|_| bad())?;
            if raw.len() < 5 {
                return Err(bad());
            }
            let key_id = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
            signatures.push(NoteSignature { name: name.to_string(), key_id, signature: raw[4..].to_vec() });
        }
        Ok(Note { text: text.to_string(), signatures })
    }

    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Checks the note against trusted keys and returns its text.
    ///
    /// Signatures by unknown keys are ignored; a signature by a known key that fails rejects the
    /// note; every key in `required` must have signed it.
    pub fn verify<'a>(&'a self, known: &[NoteVerifier], required: &[&NoteVerifier]) -> Result<&'a str, NoteError> {
        let mut verified: Vec<(String, u32)> = Vec::new();
        for sig in &self.signatures {
            let Some(v) = known.iter().find(|v| v.name == sig.name && v.key_id == sig.key_id) else {
                continue;
            };
            if !v.verify(self.text.as_bytes(), &sig.signature) {
                return Err(NoteError::BadSignature { name: sig.name.clone(), key_id: sig.key_id });
            }
            verified.push((sig.name.clone(), sig.key_id));
        }
        for r in required {
            if !verified.iter().any(|(n, id)| *n == r.name && *id == r.key_id) {
                return Err(NoteError::MissingSignature(r.to_string()));
            }
        }
        if verified.is_empty() {
            return Err(NoteError::MissingSignature("any known key".to_string()));
        }
        Ok(&self.text)
    }

    /// The note text, unverified.
    pub fn text_unverified(&self) -> &str {
        &self.text
    }
}

fn check_key_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.contains('+') || name.chars().any(char::is_whitespace) {
        return Err(NoteError::BadKeyName(name.to_string()));
    }
    Ok(())
}

/// `SHA-256(name || 0x0A || type-and-key)[:4]`, big-endian.
pub fn key_id(name: &str, typed_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n']);
    h.update(typed_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

#[derive(Clone)]
enum SignerKey {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Sm2(Box<sm2::dsa::SigningKey>),
}

/// A note signing key: a name plus an Ed25519 or SM2 private key.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key: SignerKey,
    verifier: NoteVerifier,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NoteSigner({})", self.verifier)
    }
}

impl NoteSigner {
    /// An Ed25519 signer from a 32-byte seed.
    pub fn ed25519(name: &str, seed: &[u8; 32]) -> Result<NoteSigner, NoteError> {
        check_key_name(name)?;
        let sk = ed25519_dalek::SigningKey::from_bytes(seed);
        let verifier = NoteVerifier::new_ed25519(name, &sk.verifying_key().to_bytes())?;
        Ok(NoteSigner { name: name.to_string(), key: SignerKey::Ed25519(Box::new(sk)), verifier })
    }

    /// An SM2 signer from a 32-byte secret scalar (big-endian).
    pub fn sm2(name: &str, secret: &[u8; 32]) -> Result<NoteSigner, NoteError> {
        check_key_name(name)?;
        let sk = sm2::dsa::SigningKey::from_slice(SM2_DISTID, secret)
            .map_err(|_| NoteError::BadVerifierKey("invalid SM2 secret key".to_string()))?;
        let point = sk.verifying_key().to_sec1_point(false);
        let verifier = NoteVerifier::new_sm2(name, point.as_bytes())?;
        Ok(NoteSigner { name: name.to_string(), key: SignerKey::Sm2(Box::new(sk)), verifier })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// Signs `text`: Ed25519 (RFC 8032) or SM2 with SM3 (DER `SEQUENCE{r, s}`).
    pub fn sign(&self, text: &[u8]) -> NoteSignature {
        let signature = match &self.key {
            SignerKey::Ed25519(k) => k.sign(text).to_bytes().to_vec(),
            SignerKey::Sm2(k) => {
                let sig: sm2::dsa::Signature = k.sign(text);
                sig.to_der().as_bytes().to_vec()
            }
        };
        NoteSignature { name: self.name.clone(), key_id: self.verifier.key_id, signature }
    }
}

#[derive(Clone)]
enum VerifierKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    Sm2(Box<sm2::dsa::VerifyingKey>),
}

/// A trusted note verifier key (`name+keyid+base64(type || key)`).
#[derive(Clone)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    /// The type byte (and identifier) followed by the public key, as in the key ID.
    typed_key: Vec<u8>,
    key: VerifierKey,
}

impl NoteVerifier {
    pub fn new_ed25519(name: &str, public: &[u8; 32]) -> Result<NoteVerifier, NoteError> {
        check_key_name(name)?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(public)
            .map_err(|_| NoteError::BadVerifierKey("invalid Ed25519 public key".to_string()))?;
        let mut typed_key = vec![TYPE_ED25519];
        typed_key.extend_from_slice(public);
        Ok(NoteVerifier {
            name: name.to_string(),
            key_id: key_id(name, &typed_key),
            typed_key,
            key: VerifierKey::Ed25519(key),
        })
    }

    /// `public` is the 65-byte uncompressed SEC1 point.
    pub fn new_sm2(name: &str, public: &[u8]) -> Result<NoteVerifier, NoteError> {
        check_key_name(name)?;
        if public.len() != 65 || public[0] != 0x04 {
            return Err(NoteError::BadVerifierKey("SM2 key must be an uncompressed point".to_string()));
        }
        let key = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, public)
            .map_err(|_| NoteError::BadVerifierKey("invalid SM2 public key".to_string()))?;
        let mut typed_key = vec![TYPE_OTHER];
        typed_key.extend_from_slice(SM2_ALG_ID);
        typed_key.extend_from_slice(public);
        Ok(NoteVerifier {
            name: name.to_string(),
            key_id: key_id(name, &typed_key),
            typed_key,
            key: VerifierKey::Sm2(Box::new(key)),
        })
    }

    /// Parses `name+keyid+base64(type || key)`.
    pub fn parse(vkey: &str) -> Result<NoteVerifier, NoteError> {
        let bad = |why: &str| NoteError::BadVerifierKey(why.to_string());
        let mut parts = vkey.trim_end().splitn(3, '+');
        let (Some(name), Some(id_hex), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected name+keyid+key"));
        };
        if id_hex.len() != 8 {
            return Err(bad("key ID must be 8 hex digits"));
        }
        let id = u32::from_str_radix(id_hex, 16).map_err(|_| bad("key ID must be 8 hex digits"))?;
        let raw = B64.decode(b64).map_err(|_| bad("key is not base64"))?;
        let v = match raw.split_first() {
            Some((&TYPE_ED25519, k)) => {
                let k: &[u8; 32] = k.try_into().map_err(|_| bad("Ed25519 key must be 32 bytes"))?;
                NoteVerifier::new_ed25519(name, k)?
            }
            Some((&TYPE_OTHER, rest)) if rest.starts_with(SM2_ALG_ID) => {
                NoteVerifier::new_sm2(name, &rest[SM2_ALG_ID.len()..])?
            }
            _ => return Err(bad("unknown signature type")),
        };
        if v.key_id != id {
            return Err(bad("key ID does not match the key"));
        }
        Ok(v)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The raw public key: 32 bytes for Ed25519, the 65-byte SEC1 point for SM2.
    pub fn public_key(&self) -> &[u8] {
        match self.key {
            VerifierKey::Ed25519(_) => &self.typed_key[1..],
            VerifierKey::Sm2(_) => &self.typed_key[1 + SM2_ALG_ID.len()..],
        }
    }

    pub fn is_sm2(&self) -> bool {
        matches!(self.key, VerifierKey::Sm2(_))
    }

    pub fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        match &self.key {
            VerifierKey::Ed25519(k) => {
                let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
                    return false;
                };
                k.verify_strict(text, &sig).is_ok()
            }
            VerifierKey::Sm2(k) => {
                let Ok(sig) = sm2::dsa::Signature::from_der(signature) else {
                    return false;
                };
                k.verify(text, &sig).is_ok()
            }
        }
    }
}

impl PartialEq for NoteVerifier {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.typed_key == other.typed_key
    }
}

impl Eq for NoteVerifier {}

impl std::fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}+{:08x}+{}", self.name, self.key_id, B64.encode(&self.typed_key))
    }
}

impl std::fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NoteVerifier({self})")
    }
}

/// Signs `text` (which must end in a newline) with every signer and returns the note.
pub fn sign_note(text: &str, signers: &[NoteSigner]) -> String {
    let mut out = String::with_capacity(text.len() + 200);
    out.push_str(text);
    out.push('\n');
    for s in signers {
        let sig = s.sign(text.as_bytes());
        let mut raw = sig.key_id.to_be_bytes().to_vec();
        raw.extend_from_slice(&sig.signature);
        out.push_str(&format!("\u{2014} {} {}\n", sig.name, B64.encode(raw)));
    }
    out
}
