//! The independent verifier of a liuhen log.
//!
//! It depends on `liuhen-log` alone (checked by a test of the dependency graph) and trusts
//! nothing it is given except bytes it can check: it fetches the signed checkpoint, every
//! entry bundle and every tile through a [`Fetcher`], re-hashes every entry, recomputes every
//! tile and the root, checks the checkpoint's Ed25519 and SM2 signatures against keys the
//! caller pins, and checks that the tree extends the last checkpoint it trusted. Every problem
//! names the entry, tile or blob that is wrong. Hostile bytes give problems, never panics.

#![forbid(unsafe_code)]

pub mod bag;
pub mod carrier;
mod fetch;

pub use fetch::{DirFetcher, FetchError, Fetcher, HttpFetcher};

use liuhen_log::checkpoint::Checkpoint;
use liuhen_log::note::Note;
use liuhen_log::tile::{TILE_WIDTH, decode_bundle, encode_tile};
use liuhen_log::{Entry, Hash, NoteVerifier, TileId, Tiler, leaf_hash};
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Read;

/// Problems beyond this many are counted, not listed.
const MAX_PROBLEMS: usize = 100;

/// What the caller trusts.
#[derive(Debug, Clone)]
pub struct Trust {
    /// The verifier keys the checkpoint must carry signatures from (all of them).
    pub keys: Vec<NoteVerifier>,
    /// The checkpoint origin; the first key's name when `None`.
    pub origin: Option<String>,
    /// The last checkpoint this verifier trusted (signed note), if any.
    pub trusted: Option<String>,
    /// Re-hash every blob the entries refer to (where the fetcher can provide it).
    pub check_blobs: bool,
}

/// One thing that is wrong, named precisely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Checkpoint(String),
    Trusted(String),
    Fetch {
        what: String,
        error: String,
    },
    Entry {
        index: u64,
        error: String,
    },
    EntryIndex {
        index: u64,
        claimed: u64,
    },
    TimeBackwards {
        index: u64,
        time_ms: i64,
        previous_ms: i64,
    },
    Tile {
        path: String,
    },
    /// An entry whose hash differs from the one the log's tile holds for it: the entry (or
    /// the tile) was changed after it was recorded.
    Leaf {
        index: u64,
        path: String,
    },
    Root {
        size: u64,
        expected: Hash,
        computed: Hash,
    },
    Inconsistent {
        trusted_size: u64,
    },
    Blob {
        index: u64,
        sha256: Hash,
        error: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Checkpoint(e) => write!(f, "checkpoint: {e}"),
            Problem::Trusted(e) => write!(f, "trusted state: {e}"),
            Problem::Fetch { what, error } => write!(f, "{what}: could not fetch: {error}"),
            Problem::Entry { index, error } => write!(f, "entry {index}: {error}"),
            Problem::EntryIndex { index, claimed } => {
                write!(f, "entry {index}: it says it is entry {claimed} (entries moved or reordered)")
            }
            Problem::TimeBackwards { index, time_ms, previous_ms } => {
                write!(f, "entry {index}: time {time_ms} is before the previous entry's {previous_ms} (reordered?)")
            }
            Problem::Tile { path } => write!(f, "{path}: the served tile does not match the entries"),
            Problem::Leaf { index, path } => {
                write!(f, "entry {index}: its hash differs from the one in {path} (changed after it was recorded)")
            }
            Problem::Root { size, expected, computed } => {
                write!(f, "tree of {size} entries: root {computed} does not match the checkpoint's {expected}")
            }
            Problem::Inconsistent { trusted_size } => {
                write!(
                    f,
                    "the log is not an extension of the trusted checkpoint of size {trusted_size}: history was rewritten"
                )
            }
            Problem::Blob { index, sha256, error } => write!(f, "entry {index}: blob {sha256}: {error}"),
        }
    }
}

/// The outcome of a verification.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// The verified checkpoint note, to be kept as the next trusted state.
    pub checkpoint: String,
    pub entries: u64,
    pub tiles: u64,
    pub blobs_checked: u64,
    pub blobs_unavailable: u64,
    /// Blobs gone because a logged disposal took their bytes (办法第二十六条: after their
    /// retention, approved): their entries, hashes and the disposal stay.
    pub blobs_disposed: u64,
    /// Blobs found missing, pending the end of the log: a disposal later in it accounts for one.
    missing: Vec<(u64, Hash)>,
    /// Blobs a `recording.disposal` entry (step `disposed`) names.
    disposed: std::collections::BTreeSet<Hash>,
    pub problems: Vec<Problem>,
    pub problems_not_listed: u64,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.problems_not_listed == 0
    }

    fn problem(&mut self, p: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        } else {
            self.problems_not_listed += 1;
        }
    }
}

/// Verifies the whole log behind `fetcher`.
pub fn verify(fetcher: &dyn Fetcher, trust: &Trust) -> Report {
    let mut report = Report::default();
    let Some(first_key) = trust.keys.first() else {
        report.problem(Problem::Checkpoint("no verifier key was given".to_string()));
        return report;
    };
    let origin = trust.origin.clone().unwrap_or_else(|| first_key.name().to_string());
    report.origin = origin.clone();
    let note = match fetcher.checkpoint() {
        Ok(n) => n,
        Err(e) => {
            report.problem(Problem::Fetch { what: "checkpoint".to_string(), error: e.to_string() });
            return report;
        }
    };
    let cp = match Checkpoint::open(&note, &origin, &trust.keys) {
        Ok(cp) => cp,
        Err(e) => {
            report.problem(Problem::Checkpoint(e.to_string()));
            return report;
        }
    };
    report.checkpoint = String::from_utf8_lossy(&note).into_owned();
    let trusted = match &trust.trusted {
        Some(t) => match Checkpoint::open(t.as_bytes(), &origin, &trust.keys) {
            Ok(t) if t.head.size > cp.head.size => {
                report.problem(Problem::Trusted(format!(
                    "the log now has {} entries, fewer than the {} it had when last trusted",
                    cp.head.size, t.head.size
                )));
                return report;
            }
            Ok(t) => Some(t),
            Err(e) => {
                report.problem(Problem::Trusted(format!("the trusted checkpoint does not verify: {e}")));
                return report;
            }
        },
        None => None,
    };
    report.size = cp.head.size;
    report.root = cp.head.root;
    let mut tiler = Tiler::default();
    let mut previous_ms = i64::MIN;
    let size = cp.head.size;
    let bundles = size.div_ceil(TILE_WIDTH);
    for b in 0..bundles {
        let Some(id) = TileId::bundle_for_tree(b, size) else { break };
        let data = match fetcher.tile(&id) {
            Ok(d) => d,
            Err(e) => {
                report.problem(Problem::Fetch { what: id.path(), error: e.to_string() });
                return report;
            }
        };
        let entries = match decode_bundle(&data, id.width) {
            Ok(e) => e,
            Err(e) => {
                report.problem(Problem::Fetch { what: id.path(), error: e.to_string() });
                return report;
            }
        };
        for raw in entries {
            let index = tiler.size();
            check_entry(fetcher, trust, index, raw, &mut previous_ms, &mut report);
            for (level, tindex, hashes) in tiler.push(leaf_hash(raw)) {
                let tid = TileId { level: Some(level), index: tindex, width: TILE_WIDTH as u16 };
                compare_tile(fetcher, &tid, &hashes, &mut report);
            }
            report.entries += 1;
            if let Some(t) = &trusted
                && tiler.size() == t.head.size
                && tiler.root() != t.head.root
            {
                report.problem(Problem::Inconsistent { trusted_size: t.head.size });
            }
        }
    }
    for level in 0..tiler.levels() {
        let (index, hashes) = tiler.partial(level);
        if let Some(tid) = TileId::for_tree(level, index, size).filter(|_| !hashes.is_empty()) {
            compare_tile(fetcher, &tid, hashes, &mut report);
        }
    }
    for (index, sha256) in std::mem::take(&mut report.missing) {
        if report.disposed.contains(&sha256) {
            report.blobs_disposed += 1;
        } else {
            report.problem(Problem::Blob { index, sha256, error: "missing from the blob store".into() });
        }
    }
    let computed = tiler.root();
    if computed != cp.head.root {
        report.problem(Problem::Root { size, expected: cp.head.root, computed });
    }
    if let Some(t) = &trusted
        && t.head.size == 0
        && t.head.root != Hash::EMPTY
    {
        report.problem(Problem::Inconsistent { trusted_size: 0 });
    }
    report
}

fn compare_tile(fetcher: &dyn Fetcher, id: &TileId, hashes: &[Hash], report: &mut Report) {
    report.tiles += 1;
    match fetcher.tile(id) {
        Ok(served) if served == encode_tile(hashes) => {}
        Ok(served) => {
            report.problem(Problem::Tile { path: id.path() });
            // At level 0 each hash is one entry's: name the entries that differ.
            if id.level == Some(0) {
                for (i, h) in hashes.iter().enumerate() {
                    if served.get(i * 32..i * 32 + 32) != Some(&h.0[..]) {
                        report.problem(Problem::Leaf { index: id.index * TILE_WIDTH + i as u64, path: id.path() });
                    }
                }
            }
        }
        Err(e) => report.problem(Problem::Fetch { what: id.path(), error: e.to_string() }),
    }
}

fn check_entry(
    fetcher: &dyn Fetcher,
    trust: &Trust,
    index: u64,
    raw: &[u8],
    previous_ms: &mut i64,
    report: &mut Report,
) {
    let entry = match Entry::decode(raw) {
        Ok(e) => e,
        Err(e) => {
            report.problem(Problem::Entry { index, error: e.to_string() });
            return;
        }
    };
    if entry.index != index {
        report.problem(Problem::EntryIndex { index, claimed: entry.index });
    }
    if entry.time_ms < *previous_ms {
        report.problem(Problem::TimeBackwards { index, time_ms: entry.time_ms, previous_ms: *previous_ms });
    }
    *previous_ms = entry.time_ms;
    // A disposal took this blob's bytes: its absence is accounted for (and only then).
    if entry.action() == DISPOSAL
        && entry.body().get("step").and_then(|v| v.as_str()) == Some("disposed")
        && let Some(h) = entry.body().get("blob").and_then(|v| v.as_str()).and_then(Hash::from_hex)
    {
        report.disposed.insert(h);
    }
    if !trust.check_blobs {
        return;
    }
    for blob in entry.blobs() {
        match fetcher.blob(&blob.sha256) {
            Ok(None) => report.blobs_unavailable += 1,
            Ok(Some(reader)) => {
                report.blobs_checked += 1;
                match hash_reader(reader) {
                    Ok((h, n)) if h == blob.sha256 && n == blob.size => {}
                    Ok((h, n)) => report.problem(Problem::Blob {
                        index,
                        sha256: blob.sha256,
                        error: format!("stored bytes hash to {h} ({n} bytes), expected {} bytes", blob.size),
                    }),
                    Err(e) => report.problem(Problem::Blob { index, sha256: blob.sha256, error: e.to_string() }),
                }
            }
            Err(FetchError::NotFound) => report.missing.push((index, blob.sha256)),
            Err(e) => report.problem(Problem::Blob { index, sha256: blob.sha256, error: e.to_string() }),
        }
    }
}

/// The action of an entry recording a step of a blob's disposal.
pub const DISPOSAL: &str = "recording.disposal";

fn hash_reader(mut r: Box<dyn Read + '_>) -> std::io::Result<(Hash, u64)> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = r.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((Hash(h.finalize().into()), n))
}

/// Parses verifier keys, one `name+id+key` per line (blank lines and `#` comments skipped).
pub fn parse_keys(text: &str) -> Result<Vec<NoteVerifier>, liuhen_log::note::NoteError> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(NoteVerifier::parse).collect()
}

/// The origin a note claims, unverified (to pick keys by name).
pub fn claimed_origin(note: &[u8]) -> Option<String> {
    let n = Note::parse(note).ok()?;
    n.text_unverified().lines().next().map(str::to_string)
}

/// Prints a report: problems to stderr, a one-line summary to stdout.
pub fn print_report(r: &Report) {
    for p in &r.problems {
        eprintln!("PROBLEM {p}");
    }
    if r.problems_not_listed > 0 {
        eprintln!("PROBLEM … and {} more", r.problems_not_listed);
    }
    let verdict = if r.ok() { "OK" } else { "FAILED" };
    println!(
        "{verdict}: log {} size {} root {} — {} entries, {} tiles, {} blobs re-hashed ({} not reachable), {} problems",
        r.origin,
        r.size,
        r.root,
        r.entries,
        r.tiles,
        r.blobs_checked,
        r.blobs_unavailable,
        r.problems.len() as u64 + r.problems_not_listed
    );
}
