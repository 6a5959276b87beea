//! Log entries, version 1: canonical JSON, one object per entry (see `docs/log-format.md`).
//!
//! Personal and confidential content never appears in an entry: the entry carries a salted
//! [`commitment`] to it instead, and the content lives in the store under access control.

use crate::hash::Hash;
use crate::tile::MAX_ENTRY_LEN;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The entry format version written by this code.
pub const ENTRY_VERSION: u64 = 1;
const MAX_NAME_LEN: usize = 128;
#[cfg(test)]
pub(crate) const LONGEST_SUFFIX_LEN: usize = LONGEST_SUFFIX.len();
/// The longest `index`/`time`/`v` tail an entry can have.
const LONGEST_SUFFIX: &str = "\"index\":18446744073709551615,\"time\":-9223372036854775808,\"v\":1}";

/// Everything about an entry except its place in the log.
#[derive(Debug, Clone)]
pub struct EntryDraft {
    actor: String,
    action: String,
    case: Option<String>,
    body: Map<String, Value>,
    blobs: Vec<BlobRef>,
    commits: Vec<Hash>,
    /// The canonical bytes up to `"index":` — every key before it sorts first — so the
    /// sequencer only appends `index`, `time` and `v`.
    prefix: Vec<u8>,
    /// SHA-256 over `0x00 || prefix`: the leaf hash, all but its last bytes.
    leaf_state: Sha256,
}

/// A draft reduced to what the sequencer needs: see [`EntryDraft::into_prepared`].
#[derive(Debug, Clone)]
pub struct PreparedEntry {
    prefix: Vec<u8>,
    leaf_state: Sha256,
    case: Option<String>,
}

impl PreparedEntry {
    /// The case the entry belongs to, if any.
    pub fn case(&self) -> Option<&str> {
        self.case.as_deref()
    }

    /// The entry's canonical bytes at `index` and `time_ms`, and its leaf hash.
    pub fn encode_and_hash_at(&self, index: u64, time_ms: i64) -> (Vec<u8>, Hash) {
        encode_and_hash(&self.prefix, &self.leaf_state, index, time_ms)
    }

    /// As [`Self::encode_and_hash_at`], but consumes the prefix: the tail is written in place
    /// (the prefix was allocated with room for it), so the sequencer copies nothing. The
    /// entry keeps its case; its bytes are taken.
    pub fn take_encoded_at(&mut self, index: u64, time_ms: i64) -> (Vec<u8>, Hash) {
        let mut out = std::mem::take(&mut self.prefix);
        let start = out.len();
        write_suffix(&mut out, index, time_ms);
        let mut h = self.leaf_state.clone();
        h.update(&out[start..]);
        (out, Hash(h.finalize().into()))
    }
}

/// Writes `"index":…,"time":…,"v":1}` (the integers in plain decimal, as `{}` would).
fn write_suffix(out: &mut Vec<u8>, index: u64, time_ms: i64) {
    out.extend_from_slice(b"\"index\":");
    write_u64(out, index);
    out.extend_from_slice(b",\"time\":");
    if time_ms < 0 {
        out.push(b'-');
    }
    write_u64(out, time_ms.unsigned_abs());
    out.extend_from_slice(b",\"v\":");
    write_u64(out, ENTRY_VERSION);
    out.push(b'}');
}

fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

fn suffix(index: u64, time_ms: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(LONGEST_SUFFIX.len());
    write_suffix(&mut out, index, time_ms);
    out
}

fn encode_and_hash(prefix: &[u8], leaf_state: &Sha256, index: u64, time_ms: i64) -> (Vec<u8>, Hash) {
    // One allocation: the prefix, then the tail written in place and hashed from there.
    let mut out = Vec::with_capacity(prefix.len() + LONGEST_SUFFIX.len());
    out.extend_from_slice(prefix);
    write_suffix(&mut out, index, time_ms);
    let mut h = leaf_state.clone();
    h.update(&out[prefix.len()..]);
    (out, Hash(h.finalize().into()))
}

impl PartialEq for EntryDraft {
    fn eq(&self, other: &Self) -> bool {
        // Every field is in the prefix, and the hash state follows from it.
        self.prefix == other.prefix
    }
}

/// A blob (file) the entry commits to by its SHA-256 and size; the bytes live in the blob store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobRef {
    pub sha256: Hash,
    pub size: u64,
}

/// A sequenced entry: a draft with its index and the server time (Unix milliseconds, UTC).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub index: u64,
    pub time_ms: i64,
    draft: EntryDraft,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EntryError {
    #[error("entry is not valid JSON: {0}")]
    NotJson(String),
    #[error("entry is not in canonical form")]
    NotCanonical,
    #[error("entry field {0:?} is missing or has the wrong type")]
    BadField(&'static str),
    #[error("entry has unknown field {0:?}")]
    UnknownField(String),
    #[error("entry version {0} is not supported")]
    UnsupportedVersion(u64),
    #[error("action {0:?} must be dotted lowercase words")]
    BadAction(String),
    #[error("{0} must be 1 to 128 characters without control characters")]
    BadName(&'static str),
    #[error("entry body contains a non-integer number")]
    FloatInBody,
    #[error("entry would be {0} bytes, more than 65535")]
    TooLarge(usize),
}

/// `SHA-256("liuhen-commit/v1" || 0x00 || salt || content)`: a hiding, binding commitment to
/// confidential content (a party's identity, a statement, A/V metadata that identifies people).
pub fn commitment(salt: &[u8; 32], content: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(b"liuhen-commit/v1\0");
    h.update(salt);
    h.update(content);
    Hash(h.finalize().into())
}

impl EntryDraft {
    /// Validates a draft; sealing it into an [`Entry`] cannot fail afterwards.
    pub fn new(
        actor: &str,
        action: &str,
        case: Option<&str>,
        body: Map<String, Value>,
        blobs: Vec<BlobRef>,
        commits: Vec<Hash>,
    ) -> Result<EntryDraft, EntryError> {
        check_name(actor, "actor")?;
        check_action(action)?;
        if let Some(c) = case {
            check_name(c, "case")?;
        }
        body.values().try_for_each(check_integers)?;
        let mut draft = EntryDraft {
            actor: actor.to_string(),
            action: action.to_string(),
            case: case.map(str::to_string),
            body,
            blobs,
            commits,
            prefix: Vec::new(),
            leaf_state: Sha256::new(),
        };
        draft.prefix = draft.canonical_prefix();
        draft.leaf_state.update([0x00]);
        draft.leaf_state.update(&draft.prefix);
        // The largest index and time are the longest numbers an entry can carry.
        let longest = draft.prefix.len() + LONGEST_SUFFIX.len();
        if longest > MAX_ENTRY_LEN {
            return Err(EntryError::TooLarge(longest));
        }
        Ok(draft)
    }

    pub fn seal(self, index: u64, time_ms: i64) -> Entry {
        Entry { index, time_ms, draft: self }
    }

    /// The canonical bytes of this draft sealed at `index` and `time_ms`, without building
    /// the entry: the sequencer's hot path.
    pub fn encode_at(&self, index: u64, time_ms: i64) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.prefix.len() + LONGEST_SUFFIX.len());
        out.extend_from_slice(&self.prefix);
        out.extend_from_slice(&self.suffix(index, time_ms));
        out
    }

    /// The entry's bytes and its leaf hash, finishing a hash state that already holds the
    /// prefix: the sequencer hashes only the few bytes it adds.
    pub fn encode_and_hash_at(&self, index: u64, time_ms: i64) -> (Vec<u8>, Hash) {
        encode_and_hash(&self.prefix, &self.leaf_state, index, time_ms)
    }

    /// Keeps only what sequencing needs (the canonical prefix and its hash state), so that the
    /// structured fields are freed by the caller, not by the sequencer.
    /// The prefix gets room for the tail here, on the caller's thread.
    pub fn into_prepared(mut self) -> PreparedEntry {
        self.prefix.reserve_exact(LONGEST_SUFFIX.len());
        PreparedEntry { prefix: self.prefix, leaf_state: self.leaf_state, case: self.case }
    }

    fn suffix(&self, index: u64, time_ms: i64) -> Vec<u8> {
        suffix(index, time_ms)
    }

    /// `{"action":…,"actor":…,"blobs":[…],"body":{…},"case":…,"commits":[…],` — the keys in
    /// canonical (byte) order, all before `index`, `time` and `v`.
    fn canonical_prefix(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"{\"action\":");
        write_string(&self.action, &mut out);
        out.extend_from_slice(b",\"actor\":");
        write_string(&self.actor, &mut out);
        out.extend_from_slice(b",\"blobs\":[");
        for (i, b) in self.blobs.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(format!("{{\"sha256\":\"{}\",\"size\":{}}}", b.sha256.to_hex(), b.size).as_bytes());
        }
        out.extend_from_slice(b"],\"body\":");
        write_canonical_map(&self.body, &mut out);
        out.extend_from_slice(b",\"case\":");
        match &self.case {
            Some(c) => write_string(c, &mut out),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"commits\":[");
        for (i, c) in self.commits.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(format!("\"{}\"", c.to_hex()).as_bytes());
        }
        out.extend_from_slice(b"],");
        out
    }

    pub fn action(&self) -> &str {
        &self.action
    }
}

impl Entry {
    pub fn actor(&self) -> &str {
        &self.draft.actor
    }
    pub fn action(&self) -> &str {
        &self.draft.action
    }
    pub fn case(&self) -> Option<&str> {
        self.draft.case.as_deref()
    }
    pub fn body(&self) -> &Map<String, Value> {
        &self.draft.body
    }
    pub fn blobs(&self) -> &[BlobRef] {
        &self.draft.blobs
    }
    pub fn commits(&self) -> &[Hash] {
        &self.draft.commits
    }

    /// The canonical bytes of the entry, which the log hashes as its leaf.
    pub fn encode(&self) -> Vec<u8> {
        self.draft.encode_at(self.index, self.time_ms)
    }

    /// The entry as a JSON value (field names as in `docs/log-format.md`).
    pub fn to_value(&self) -> Value {
        let d = &self.draft;
        let mut m = Map::new();
        m.insert("v".into(), Value::from(ENTRY_VERSION));
        m.insert("index".into(), Value::from(self.index));
        m.insert("time".into(), Value::from(self.time_ms));
        m.insert("actor".into(), Value::from(d.actor.clone()));
        m.insert("action".into(), Value::from(d.action.clone()));
        m.insert("case".into(), d.case.clone().map_or(Value::Null, Value::from));
        m.insert("body".into(), Value::Object(d.body.clone()));
        let blobs = d
            .blobs
            .iter()
            .map(|b| {
                let mut o = Map::new();
                o.insert("sha256".into(), Value::from(b.sha256.to_hex()));
                o.insert("size".into(), Value::from(b.size));
                Value::Object(o)
            })
            .collect();
        m.insert("blobs".into(), Value::Array(blobs));
        m.insert("commits".into(), Value::Array(d.commits.iter().map(|c| Value::from(c.to_hex())).collect()));
        Value::Object(m)
    }

    /// Parses entry bytes and checks that they are exactly the canonical encoding.
    pub fn decode(bytes: &[u8]) -> Result<Entry, EntryError> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| EntryError::NotJson(e.to_string()))?;
        let Value::Object(mut m) = v else {
            return Err(EntryError::BadField("entry"));
        };
        let version = m.remove("v").and_then(|v| v.as_u64()).ok_or(EntryError::BadField("v"))?;
        if version != ENTRY_VERSION {
            return Err(EntryError::UnsupportedVersion(version));
        }
        let index = m.remove("index").and_then(|v| v.as_u64()).ok_or(EntryError::BadField("index"))?;
        let time_ms = m.remove("time").and_then(|v| v.as_i64()).ok_or(EntryError::BadField("time"))?;
        let actor = take_string(&mut m, "actor")?;
        let action = take_string(&mut m, "action")?;
        let case = match m.remove("case") {
            Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            _ => return Err(EntryError::BadField("case")),
        };
        let Some(Value::Object(body)) = m.remove("body") else {
            return Err(EntryError::BadField("body"));
        };
        let Some(Value::Array(blob_values)) = m.remove("blobs") else {
            return Err(EntryError::BadField("blobs"));
        };
        let mut blobs = Vec::with_capacity(blob_values.len());
        for b in blob_values {
            let sha256 = b
                .get("sha256")
                .and_then(Value::as_str)
                .and_then(Hash::from_hex)
                .ok_or(EntryError::BadField("blobs"))?;
            let size = b.get("size").and_then(Value::as_u64).ok_or(EntryError::BadField("blobs"))?;
            blobs.push(BlobRef { sha256, size });
        }
        let Some(Value::Array(commit_values)) = m.remove("commits") else {
            return Err(EntryError::BadField("commits"));
        };
        let commits = commit_values
            .iter()
            .map(|c| c.as_str().and_then(Hash::from_hex).ok_or(EntryError::BadField("commits")))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(k) = m.keys().next() {
            return Err(EntryError::UnknownField(k.clone()));
        }
        let draft = EntryDraft::new(&actor, &action, case.as_deref(), body, blobs, commits)?;
        let entry = draft.seal(index, time_ms);
        if entry.encode() != bytes {
            return Err(EntryError::NotCanonical);
        }
        Ok(entry)
    }
}

fn take_string(m: &mut Map<String, Value>, key: &'static str) -> Result<String, EntryError> {
    match m.remove(key) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(EntryError::BadField(key)),
    }
}

fn check_name(s: &str, what: &'static str) -> Result<(), EntryError> {
    if s.is_empty() || s.chars().count() > MAX_NAME_LEN || s.chars().any(char::is_control) {
        return Err(EntryError::BadName(what));
    }
    Ok(())
}

fn check_action(a: &str) -> Result<(), EntryError> {
    let ok = !a.is_empty()
        && a.len() <= 64
        && a.split('.').all(|w| {
            w.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
                && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
    if ok { Ok(()) } else { Err(EntryError::BadAction(a.to_string())) }
}

fn check_integers(v: &Value) -> Result<(), EntryError> {
    match v {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => Err(EntryError::FloatInBody),
        Value::Array(a) => a.iter().try_for_each(check_integers),
        Value::Object(o) => o.values().try_for_each(check_integers),
        _ => Ok(()),
    }
}

/// Writes `v` canonically: no whitespace, object keys sorted by their UTF-8 bytes, integers
/// only, strings with the minimal escapes (`\"`, `\\`, `\b \f \n \r \t`, other controls as
/// `\u00xx`), everything else literal UTF-8.
pub fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_string(s, out),
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(x, out);
            }
            out.push(b']');
        }
        Value::Object(o) => write_canonical_map(o, out),
    }
}

fn write_canonical_map(o: &Map<String, Value>, out: &mut Vec<u8>) {
    let mut keys: Vec<&String> = o.keys().collect();
    keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    out.push(b'{');
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_string(k, out);
        out.push(b':');
        write_canonical(&o[k.as_str()], out);
    }
    out.push(b'}');
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // Only ASCII bytes are escaped, so a byte-wise scan never splits a UTF-8 sequence.
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            b if b < 0x20 => {
                out.extend_from_slice(&bytes[run..i]);
                out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
                run = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(esc);
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
}
