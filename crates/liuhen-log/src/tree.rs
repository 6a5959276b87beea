//! RFC 6962 / RFC 9162 Merkle tree: roots, inclusion and consistency proofs over any source of
//! complete-subtree hashes, and their verification.
//!
//! A *subtree* `(height, index)` is the perfect subtree over leaves
//! `[index << height, (index + 1) << height)`. Every hash a root or a proof needs is built from
//! such subtrees, so a store only has to answer for them (tiles do, see [`crate::tile`]).

use crate::hash::{Hash, largest_power_of_two_below, node_hash};
use std::cell::RefCell;
use thiserror::Error;

/// Something that knows the hash of complete subtrees.
pub trait HashSource {
    fn subtree_hash(&self, height: u8, index: u64) -> Result<Hash, ProofError>;
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProofError {
    #[error("index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {old} is larger than tree size {new}")]
    SizesOutOfOrder { old: u64, new: u64 },
    #[error("the hash of subtree (height {height}, index {index}) is not available")]
    Missing { height: u8, index: u64 },
    #[error("the proof does not verify")]
    Invalid,
}

/// The Merkle Tree Hash of the first `size` leaves.
pub fn root(size: u64, src: &(impl HashSource + ?Sized)) -> Result<Hash, ProofError> {
    if size == 0 {
        return Ok(Hash::EMPTY);
    }
    range_hash(0, size, src)
}

/// `MTH(D[start:end])` where `start` is aligned as in RFC 6962's recursion.
fn range_hash(start: u64, end: u64, src: &(impl HashSource + ?Sized)) -> Result<Hash, ProofError> {
    let n = end - start;
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return src.subtree_hash(n.trailing_zeros() as u8, start >> n.trailing_zeros());
    }
    let k = largest_power_of_two_below(n);
    let left = range_hash(start, start + k, src)?;
    let right = range_hash(start + k, end, src)?;
    Ok(node_hash(&left, &right))
}

/// The inclusion proof (audit path) of leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof(index: u64, size: u64, src: &(impl HashSource + ?Sized)) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut proof = Vec::new();
    path(index, 0, size, src, &mut proof)?;
    Ok(proof)
}

fn path(m: u64, start: u64, end: u64, src: &(impl HashSource + ?Sized), out: &mut Vec<Hash>) -> Result<(), ProofError> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = largest_power_of_two_below(n);
    if m < k {
        path(m, start, start + k, src, out)?;
        out.push(range_hash(start + k, end, src)?);
    } else {
        path(m - k, start + k, end, src, out)?;
        out.push(range_hash(start, start + k, src)?);
    }
    Ok(())
}

/// The consistency proof between the tree of `old` leaves and the tree of `new` leaves.
pub fn consistency_proof(old: u64, new: u64, src: &(impl HashSource + ?Sized)) -> Result<Vec<Hash>, ProofError> {
    if old > new {
        return Err(ProofError::SizesOutOfOrder { old, new });
    }
    let mut proof = Vec::new();
    if old == 0 || old == new {
        return Ok(proof);
    }
    subproof(old, 0, new, true, src, &mut proof)?;
    Ok(proof)
}

fn subproof(
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    src: &(impl HashSource + ?Sized),
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(range_hash(start, end, src)?);
        }
        return Ok(());
    }
    let k = largest_power_of_two_below(n);
    if m <= k {
        subproof(m, start, start + k, whole, src, out)?;
        out.push(range_hash(start + k, end, src)?);
    } else {
        subproof(m - k, start + k, end, false, src, out)?;
        out.push(range_hash(start, start + k, src)?);
    }
    Ok(())
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::Invalid);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode == 0 && r == *root { Ok(()) } else { Err(ProofError::Invalid) }
}

/// Verifies a consistency proof (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesOutOfOrder { old, new });
    }
    if old == new {
        return if proof.is_empty() && old_root == new_root { Ok(()) } else { Err(ProofError::Invalid) };
    }
    if old == 0 {
        return if proof.is_empty() && *old_root == Hash::EMPTY { Ok(()) } else { Err(ProofError::Invalid) };
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return Err(ProofError::Invalid);
    };
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return Err(ProofError::Invalid);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if fr == *old_root && sr == *new_root && snode == 0 { Ok(()) } else { Err(ProofError::Invalid) }
}

/// Lists the subtrees a computation asks for, without knowing any hash.
///
/// The shape of a root or proof computation depends only on sizes and indexes, never on hash
/// values, so running it once against this source tells a store exactly what to fetch.
#[derive(Default)]
pub struct SubtreeRecorder {
    asked: RefCell<Vec<(u8, u64)>>,
}

impl SubtreeRecorder {
    pub fn into_subtrees(self) -> Vec<(u8, u64)> {
        let mut v = self.asked.into_inner();
        v.sort_unstable();
        v.dedup();
        v
    }
}

impl HashSource for SubtreeRecorder {
    fn subtree_hash(&self, height: u8, index: u64) -> Result<Hash, ProofError> {
        self.asked.borrow_mut().push((height, index));
        Ok(Hash::default())
    }
}

/// A source over a complete list of leaf hashes held in memory (tests, small trees).
pub struct LeafList<'a>(pub &'a [Hash]);

impl HashSource for LeafList<'_> {
    fn subtree_hash(&self, height: u8, index: u64) -> Result<Hash, ProofError> {
        let start = usize::try_from(index << height).map_err(|_| ProofError::Missing { height, index })?;
        let end = start + (1usize << height);
        match self.0.get(start..end) {
            Some(leaves) => crate::hash::perfect_root(leaves).ok_or(ProofError::Missing { height, index }),
            None => Err(ProofError::Missing { height, index }),
        }
    }
}
