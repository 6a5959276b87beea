//! Receipts: the log's signed promise, given when it acknowledges an append, that the entry
//! with this leaf hash is at this index. A checkpoint covers entries only once it is signed
//! (every second); a receipt covers each acknowledged entry at once, so a client holding it
//! can show later that an acknowledged entry was lost or replaced (`liuhen verify --receipts`).
//!
//! One signature per commit group keeps the cost off the hot path: the group's entries
//! `first..first+count` form an RFC 6962 tree of their own, whose root the log signs in a
//! C2SP signed note with its Ed25519 key:
//!
//! ```text
//! liuhen-receipt/v1
//! <origin>
//! <first index>
//! <count>
//! <base64 root of the group's leaves>
//! ```
//!
//! and each entry's receipt is that note, the entry's index and leaf hash, and its inclusion
//! path within the group. The first line keeps a receipt from ever reading as a checkpoint.
//! OpenSSL checks one: `scripts/verify-receipt`.

use crate::hash::{Hash, node_hash};
use crate::note::{Note, NoteSigner, NoteVerifier, sign_note};
use crate::tree::{self, HashSource, ProofError};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use thiserror::Error;

/// The first line of a receipt's note.
pub const RECEIPT_HEADER: &str = "liuhen-receipt/v1";

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReceiptError {
    #[error("malformed receipt: {0}")]
    Malformed(&'static str),
    #[error("the receipt's note does not verify: {0}")]
    Note(#[from] crate::note::NoteError),
    #[error("the receipt is for the log {got:?}, not {expected:?}")]
    WrongOrigin { expected: String, got: String },
    #[error("entry {0} is not in the group the receipt's note signs")]
    OutsideGroup(u64),
    #[error("the receipt's path does not lead from its leaf to the signed root")]
    BadPath,
}

/// What the log signs once per commit group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupStatement {
    pub origin: String,
    pub first: u64,
    pub count: u64,
    pub root: Hash,
}

impl GroupStatement {
    pub fn body(&self) -> String {
        format!("{RECEIPT_HEADER}\n{}\n{}\n{}\n{}\n", self.origin, self.first, self.count, B64.encode(self.root.0))
    }

    fn parse_body(text: &str) -> Result<GroupStatement, ReceiptError> {
        let lines: Vec<&str> = text.split('\n').collect();
        let [header, origin, first, count, root, ""] = lines.as_slice() else {
            return Err(ReceiptError::Malformed("the note is not five lines"));
        };
        if *header != RECEIPT_HEADER {
            return Err(ReceiptError::Malformed("not a liuhen receipt"));
        }
        let number = |s: &str| s.parse::<u64>().ok().filter(|_| !s.starts_with('+') && !s.is_empty());
        let root = B64.decode(root).ok().and_then(|b| Hash::from_slice(&b));
        match (number(first), number(count), root) {
            (Some(first), Some(count), Some(root)) if count > 0 => {
                Ok(GroupStatement { origin: origin.to_string(), first, count, root })
            }
            _ => Err(ReceiptError::Malformed("bad index, count or root")),
        }
    }
}

/// One entry's receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub index: u64,
    pub leaf: Hash,
    /// The inclusion path of the leaf in its group's tree.
    pub path: Vec<Hash>,
    /// The group's signed note.
    pub note: std::sync::Arc<str>,
}

/// The perfect subtrees of one group's leaves, level by level.
struct Levels(Vec<Vec<Hash>>);

impl Levels {
    fn of(leaves: &[Hash]) -> Levels {
        let mut levels = vec![leaves.to_vec()];
        while let Some(below) = levels.last().filter(|l| l.len() >= 2) {
            let up: Vec<Hash> = below.chunks_exact(2).map(|p| node_hash(&p[0], &p[1])).collect();
            levels.push(up);
        }
        Levels(levels)
    }
}

impl HashSource for Levels {
    fn subtree_hash(&self, height: u8, index: u64) -> Result<Hash, ProofError> {
        (self.0.get(usize::from(height)).and_then(|l| l.get(index as usize)))
            .copied()
            .ok_or(ProofError::Missing { height, index })
    }
}

/// Signs the group of entries `first..first + leaves.len()` once and returns each entry's
/// receipt. `signer` should be the log's Ed25519 key (fast; checkable with OpenSSL).
pub fn group_receipts(origin: &str, first: u64, leaves: &[Hash], signer: &NoteSigner) -> Vec<Receipt> {
    if leaves.is_empty() {
        return Vec::new();
    }
    let count = leaves.len() as u64;
    let levels = Levels::of(leaves);
    let root = tree::root(count, &levels).unwrap_or_default();
    let statement = GroupStatement { origin: origin.to_string(), first, count, root };
    let note: std::sync::Arc<str> = sign_note(&statement.body(), std::slice::from_ref(signer)).into();
    leaves
        .iter()
        .enumerate()
        .map(|(i, leaf)| Receipt {
            index: first + i as u64,
            leaf: *leaf,
            path: tree::inclusion_proof(i as u64, count, &levels).unwrap_or_default(),
            note: note.clone(),
        })
        .collect()
}

impl Receipt {
    /// Checks the note's signature by one of `keys` (the log's Ed25519 key), its origin, and the
    /// path from the leaf to the signed root. It says nothing of the log as it is now: compare
    /// the entry at [`Receipt::index`] with [`Receipt::leaf`] for that.
    pub fn verify(&self, origin: &str, keys: &[NoteVerifier]) -> Result<GroupStatement, ReceiptError> {
        let note = Note::parse(self.note.as_bytes())?;
        // Any one of the log's keys suffices: receipts carry the Ed25519 signature only.
        let signed_by = note
            .signatures()
            .iter()
            .find_map(|s| keys.iter().find(|k| k.key_id() == s.key_id && k.name() == s.name))
            .ok_or_else(|| ReceiptError::Note(crate::note::NoteError::MissingSignature(origin.to_string())))?;
        let text = note.verify(keys, &[signed_by])?;
        let st = GroupStatement::parse_body(text)?;
        if st.origin != origin {
            return Err(ReceiptError::WrongOrigin { expected: origin.to_string(), got: st.origin });
        }
        if self.index < st.first || self.index - st.first >= st.count {
            return Err(ReceiptError::OutsideGroup(self.index));
        }
        tree::verify_inclusion(self.index - st.first, st.count, &self.leaf, &self.path, &st.root)
            .map_err(|_| ReceiptError::BadPath)?;
        Ok(st)
    }

    /// One line of JSON: `{"index":…,"leaf":"<hex>","note":"…","path":["<hex>",…]}` (keys in
    /// this order; the note with `\n` escaped).
    pub fn to_json(&self) -> String {
        let path: Vec<String> = self.path.iter().map(|h| format!("\"{}\"", h.to_hex())).collect();
        let mut note = Vec::new();
        crate::entry::write_canonical(&serde_json::Value::String(self.note.to_string()), &mut note);
        format!(
            "{{\"index\":{},\"leaf\":\"{}\",\"note\":{},\"path\":[{}]}}",
            self.index,
            self.leaf.to_hex(),
            String::from_utf8_lossy(&note),
            path.join(",")
        )
    }

    /// Reads [`Receipt::to_json`]'s line (any JSON object with those keys).
    pub fn from_json(text: &str) -> Result<Receipt, ReceiptError> {
        let v: serde_json::Value =
            serde_json::from_str(text.trim()).map_err(|_| ReceiptError::Malformed("not JSON"))?;
        let index = v["index"].as_u64().ok_or(ReceiptError::Malformed("no index"))?;
        let leaf = v["leaf"].as_str().and_then(Hash::from_hex).ok_or(ReceiptError::Malformed("no leaf"))?;
        let note = v["note"].as_str().ok_or(ReceiptError::Malformed("no note"))?;
        let path = (v["path"].as_array().ok_or(ReceiptError::Malformed("no path"))?.iter())
            .map(|h| h.as_str().and_then(Hash::from_hex))
            .collect::<Option<Vec<Hash>>>()
            .ok_or(ReceiptError::Malformed("a path hash is not hex"))?;
        if path.len() > 64 {
            return Err(ReceiptError::Malformed("path too long"));
        }
        Ok(Receipt { index, leaf, path, note: note.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{leaf_hash, mth};

    fn signer() -> NoteSigner {
        NoteSigner::ed25519("liuhen.test/receipts", &[7u8; 32]).unwrap()
    }

    #[test]
    fn every_entry_of_a_group_of_any_size_gets_a_receipt_that_verifies() {
        let s = signer();
        for n in 1..=70u64 {
            let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect();
            let receipts = group_receipts("liuhen.test/receipts", 1000, &leaves, &s);
            assert_eq!(receipts.len() as u64, n);
            for r in &receipts {
                let st = r.verify("liuhen.test/receipts", std::slice::from_ref(s.verifier())).unwrap();
                assert_eq!((st.first, st.count, st.root), (1000, n, mth(&leaves)));
                let back = Receipt::from_json(&r.to_json()).unwrap();
                assert_eq!(&back, r);
            }
        }
    }

    #[test]
    fn a_receipt_changed_in_any_part_or_signed_by_another_key_is_refused() {
        let s = signer();
        let leaves: Vec<Hash> = (0..5u8).map(|i| leaf_hash(&[i])).collect();
        let r = group_receipts("liuhen.test/receipts", 10, &leaves, &s).remove(3);
        let keys = [s.verifier().clone()];
        let check = |r: &Receipt| r.verify("liuhen.test/receipts", &keys);
        assert!(check(&r).is_ok());
        assert_eq!(check(&Receipt { leaf: leaf_hash(b"other"), ..r.clone() }), Err(ReceiptError::BadPath));
        assert_eq!(check(&Receipt { index: 12, ..r.clone() }), Err(ReceiptError::BadPath));
        assert_eq!(check(&Receipt { index: 99, ..r.clone() }), Err(ReceiptError::OutsideGroup(99)));
        let mut path = r.path.clone();
        path[0].0[0] ^= 1;
        assert_eq!(check(&Receipt { path, ..r.clone() }), Err(ReceiptError::BadPath));
        let forged = r.note.replace("\n10\n5\n", "\n10\n6\n");
        assert!(matches!(check(&Receipt { note: forged.into(), ..r.clone() }), Err(ReceiptError::Note(_))));
        let other = NoteSigner::ed25519("liuhen.test/receipts", &[8u8; 32]).unwrap();
        assert!(r.verify("liuhen.test/receipts", &[other.verifier().clone()]).is_err());
        assert!(matches!(r.verify("liuhen.test/other", &keys), Err(ReceiptError::WrongOrigin { .. })));
        // A checkpoint signed by the same key is not a receipt, nor a receipt a checkpoint.
        let cp = crate::checkpoint::Checkpoint {
            origin: "liuhen.test/receipts".into(),
            head: crate::checkpoint::TreeHead { size: 5, root: mth(&leaves) },
        };
        let as_receipt = Receipt { note: cp.sign(std::slice::from_ref(&s)).into(), ..r.clone() };
        assert!(matches!(check(&as_receipt), Err(ReceiptError::Malformed(_))));
        assert!(crate::checkpoint::Checkpoint::open(r.note.as_bytes(), "liuhen.test/receipts", &keys).is_err());
    }
}
