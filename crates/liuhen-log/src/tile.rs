//! C2SP tlog-tiles: tile and entry-bundle coordinates, paths and encodings, the incremental
//! [`Tiler`] that grows tiles as leaves arrive, and a [`HashSource`] over fetched tiles.

use crate::hash::{Hash, perfect_root};
use crate::tree::{HashSource, ProofError};
use std::collections::HashMap;
use thiserror::Error;

/// Hashes in a full tile, and entries in a full bundle.
pub const TILE_WIDTH: u64 = 256;
/// Tile height in tree levels (`log2(TILE_WIDTH)`).
pub const TILE_HEIGHT: u8 = 8;
/// The largest entry an entry bundle can carry (big-endian uint16 length prefix).
pub const MAX_ENTRY_LEN: usize = u16::MAX as usize;

/// A tile (`level` 0..=63) or, with `level == None`, an entry bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// `None` for an entry bundle (`tile/entries/...`).
    pub level: Option<u8>,
    pub index: u64,
    /// 1..=256; 256 is a full tile.
    pub width: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TileError {
    #[error("malformed tile path: {0}")]
    BadPath(String),
    #[error("tile data is {got} bytes, expected {expected}")]
    BadLength { expected: usize, got: usize },
    #[error("entry bundle is truncated at byte {0}")]
    TruncatedBundle(usize),
    #[error("entry bundle holds {got} entries, expected {expected}")]
    BundleCount { expected: usize, got: usize },
    #[error("entry of {0} bytes does not fit a bundle (max 65535)")]
    EntryTooLarge(usize),
}

impl TileId {
    /// The tile at `level` holding position `index` (as served for a tree of `tree_size`).
    /// Returns `None` if the tree is too small for the tile to exist.
    pub fn for_tree(level: u8, index: u64, tree_size: u64) -> Option<TileId> {
        let shift = 8 * u32::from(level);
        if shift >= 64 {
            return None;
        }
        let hashes_at_level = tree_size >> shift;
        let start = index.checked_mul(TILE_WIDTH)?;
        if hashes_at_level <= start {
            return None;
        }
        let width = (hashes_at_level - start).min(TILE_WIDTH) as u16;
        Some(TileId { level: Some(level), index, width })
    }

    /// The entry bundle `index` as served for a tree of `tree_size`.
    pub fn bundle_for_tree(index: u64, tree_size: u64) -> Option<TileId> {
        TileId::for_tree(0, index, tree_size).map(|t| TileId { level: None, ..t })
    }

    pub fn is_full(&self) -> bool {
        u64::from(self.width) == TILE_WIDTH
    }

    /// The path below the log prefix, e.g. `tile/0/x001/x234/067.p/8`.
    pub fn path(&self) -> String {
        let level = match self.level {
            Some(l) => l.to_string(),
            None => "entries".to_string(),
        };
        let mut s = format!("tile/{level}/{}", encode_index(self.index));
        if !self.is_full() {
            s.push_str(&format!(".p/{}", self.width));
        }
        s
    }

    /// Parses a path below the prefix (`tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`).
    pub fn parse_path(path: &str) -> Result<TileId, TileError> {
        let bad = || TileError::BadPath(path.chars().take(200).collect());
        let rest = path.strip_prefix("tile/").ok_or_else(bad)?;
        let (level_str, rest) = rest.split_once('/').ok_or_else(bad)?;
        let level =
            if level_str == "entries" { None } else { Some(parse_decimal(level_str, 63).ok_or_else(bad)? as u8) };
        let (index_part, width) = match rest.split_once(".p/") {
            Some((idx, w)) => {
                let w = parse_decimal(w, 255).ok_or_else(bad)?;
                if w == 0 {
                    return Err(bad());
                }
                (idx, w as u16)
            }
            None => (rest, TILE_WIDTH as u16),
        };
        let index = decode_index(index_part).ok_or_else(bad)?;
        Ok(TileId { level, index, width })
    }
}

fn parse_decimal(s: &str, max: u64) -> Option<u64> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    let v: u64 = s.parse().ok()?;
    (v <= max).then_some(v)
}

/// Encodes a tile index as 3-digit path elements, all but the last prefixed with `x`.
pub fn encode_index(mut n: u64) -> String {
    let mut parts = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        parts.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    parts.reverse();
    parts.join("/")
}

fn decode_index(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split('/').collect();
    if parts.len() > 7 {
        return None;
    }
    let mut n: u64 = 0;
    for (i, p) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        let digits = if last { *p } else { p.strip_prefix('x')? };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // A non-leading element may not be all zeros at the front ("x000/...") since that would
        // give two paths for one index.
        if i == 0 && !last && digits == "000" {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(digits.parse::<u64>().ok()?)?;
    }
    Some(n)
}

/// Concatenates hashes into tile bytes.
pub fn encode_tile(hashes: &[Hash]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hashes.len() * 32);
    for h in hashes {
        out.extend_from_slice(&h.0);
    }
    out
}

/// Splits tile bytes into `width` hashes.
pub fn decode_tile(data: &[u8], width: u16) -> Result<Vec<Hash>, TileError> {
    let expected = usize::from(width) * 32;
    if data.len() != expected {
        return Err(TileError::BadLength { expected, got: data.len() });
    }
    Ok(data.chunks_exact(32).map(|c| Hash::from_slice(c).unwrap_or_default()).collect())
}

/// Encodes entries as an entry bundle (big-endian uint16 length prefixes).
pub fn encode_bundle<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::new();
    for e in entries {
        let len = u16::try_from(e.len()).map_err(|_| TileError::EntryTooLarge(e.len()))?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Splits an entry bundle into `width` entries.
pub fn decode_bundle(data: &[u8], width: u16) -> Result<Vec<&[u8]>, TileError> {
    let mut out = Vec::with_capacity(usize::from(width));
    let mut pos = 0;
    while pos < data.len() {
        let Some(len_bytes) = data.get(pos..pos + 2) else {
            return Err(TileError::TruncatedBundle(pos));
        };
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        let Some(entry) = data.get(pos + 2..pos + 2 + len) else {
            return Err(TileError::TruncatedBundle(pos));
        };
        out.push(entry);
        pos += 2 + len;
    }
    if out.len() != usize::from(width) {
        return Err(TileError::BundleCount { expected: usize::from(width), got: out.len() });
    }
    Ok(out)
}

/// Grows the tiles of a log as leaf hashes are appended.
///
/// It holds only the rightmost (partial) tile of each level, at most 8 KiB a level; that is
/// enough to compute the root and to emit every tile whose content changed.
#[derive(Debug, Clone, Default)]
pub struct Tiler {
    size: u64,
    /// `partial[l]` is the rightmost tile of level `l`, 0..=255 hashes.
    partial: Vec<Vec<Hash>>,
}

impl Tiler {
    /// Rebuilds the state of a tree of `size` leaves from its rightmost tile at each level
    /// (as `decode_tile` returns them, empty where the tree has none).
    pub fn resume(size: u64, rightmost: Vec<Vec<Hash>>) -> Result<Tiler, ProofError> {
        let mut partial = rightmost;
        for (l, tile) in partial.iter().enumerate() {
            let want = ((size >> (8 * l as u32)) % TILE_WIDTH) as usize;
            if tile.len() != want {
                return Err(ProofError::Missing { height: (8 * l) as u8, index: size >> (8 * l as u32) });
            }
        }
        while partial.last().is_some_and(|t| t.is_empty()) {
            partial.pop();
        }
        let levels_needed = levels_for(size);
        if partial.len() > levels_needed {
            return Err(ProofError::Invalid);
        }
        partial.resize(levels_needed, Vec::new());
        Ok(Tiler { size, partial })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one leaf hash. Returns the tiles completed by it (`(level, index, hashes)`),
    /// lowest level first.
    pub fn push(&mut self, leaf: Hash) -> Vec<(u8, u64, Vec<Hash>)> {
        let mut completed = Vec::new();
        let mut carry = leaf;
        let mut level = 0usize;
        loop {
            if self.partial.len() <= level {
                self.partial.push(Vec::new());
            }
            self.partial[level].push(carry);
            if self.partial[level].len() as u64 == TILE_WIDTH {
                let full = std::mem::take(&mut self.partial[level]);
                let index = (self.size >> (8 * level as u32)) / TILE_WIDTH;
                carry = perfect_root(&full).unwrap_or_default();
                completed.push((level as u8, index, full));
                level += 1;
            } else {
                break;
            }
        }
        self.size += 1;
        completed
    }

    /// The rightmost tile of `level` (`(index, hashes)`), possibly empty.
    pub fn partial(&self, level: u8) -> (u64, &[Hash]) {
        let index = (self.size >> (8 * u32::from(level))) / TILE_WIDTH;
        (index, self.partial.get(usize::from(level)).map_or(&[][..], |v| v.as_slice()))
    }

    pub fn levels(&self) -> u8 {
        self.partial.len() as u8
    }

    /// The Merkle Tree Hash of all leaves pushed so far.
    pub fn root(&self) -> Hash {
        // Every subtree of the root's decomposition lies in a rightmost tile.
        crate::tree::root(self.size, self).unwrap_or_default()
    }
}

fn levels_for(size: u64) -> usize {
    let mut l = 0;
    while l < 8 && (size >> (8 * l as u32)) > 0 {
        l += 1;
    }
    l
}

impl HashSource for Tiler {
    fn subtree_hash(&self, height: u8, index: u64) -> Result<Hash, ProofError> {
        let level = height / TILE_HEIGHT;
        let r = height % TILE_HEIGHT;
        let first = index << r;
        let (tile_index, hashes) = self.partial(level);
        if first / TILE_WIDTH != tile_index {
            return Err(ProofError::Missing { height, index });
        }
        let pos = (first % TILE_WIDTH) as usize;
        hashes.get(pos..pos + (1usize << r)).and_then(perfect_root).ok_or(ProofError::Missing { height, index })
    }
}

/// Tiles fetched from a store or a server, as a [`HashSource`].
#[derive(Debug, Clone, Default)]
pub struct TileSet {
    tiles: HashMap<(u8, u64), Vec<Hash>>,
}

impl TileSet {
    pub fn insert(&mut self, level: u8, index: u64, hashes: Vec<Hash>) {
        self.tiles.insert((level, index), hashes);
    }

    /// The tiles (at their widths for a tree of `tree_size`) that hold the given subtrees.
    pub fn tiles_for(subtrees: &[(u8, u64)], tree_size: u64) -> Vec<TileId> {
        let mut ids: Vec<TileId> = subtrees
            .iter()
            .filter_map(|&(height, index)| {
                let level = height / TILE_HEIGHT;
                let first = index << (height % TILE_HEIGHT);
                TileId::for_tree(level, first / TILE_WIDTH, tree_size)
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

impl HashSource for TileSet {
    fn subtree_hash(&self, height: u8, index: u64) -> Result<Hash, ProofError> {
        let level = height / TILE_HEIGHT;
        let r = height % TILE_HEIGHT;
        let first = index << r;
        let hashes = self.tiles.get(&(level, first / TILE_WIDTH)).ok_or(ProofError::Missing { height, index })?;
        let pos = (first % TILE_WIDTH) as usize;
        hashes.get(pos..pos + (1usize << r)).and_then(perfect_root).ok_or(ProofError::Missing { height, index })
    }
}
