//! SHA-256 hashes and the RFC 6962 §2.1 leaf and node hashing.

use sha2::{Digest, Sha256};
use std::fmt;

/// A SHA-256 digest: a leaf hash, an interior node hash, a root or a content hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The root of the empty tree, `SHA-256("")` (RFC 6962 §2.1).
    pub const EMPTY: Hash = Hash([
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae,
        0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
    ]);

    pub fn from_slice(bytes: &[u8]) -> Option<Hash> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(Hash(arr))
    }

    pub fn from_hex(s: &str) -> Option<Hash> {
        let bytes = hex::decode(s).ok()?;
        Hash::from_slice(&bytes)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Plain SHA-256 of `data` (no domain prefix): content hashes of blobs.
    pub fn digest(data: &[u8]) -> Hash {
        Hash(Sha256::digest(data).into())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// `MTH({d}) = SHA-256(0x00 || d)`: the hash of one log entry.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(entry);
    Hash(h.finalize().into())
}

/// `SHA-256(0x01 || left || right)`: an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The Merkle Tree Hash of a list of leaf hashes of any length (RFC 6962 §2.1).
pub fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Hash::EMPTY,
        1 => leaves[0],
        n => {
            let k = largest_power_of_two_below(n as u64) as usize;
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// The root of a perfect subtree whose leaves (hashes) number a power of two.
/// Returns `None` if the length is not a power of two.
pub fn perfect_root(leaves: &[Hash]) -> Option<Hash> {
    if leaves.is_empty() || !leaves.len().is_power_of_two() {
        return None;
    }
    let mut level: Vec<Hash> = leaves.to_vec();
    while level.len() > 1 {
        level = level.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
    }
    Some(level[0])
}

/// The largest power of two strictly smaller than `n` (`n >= 2`).
pub(crate) fn largest_power_of_two_below(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}
