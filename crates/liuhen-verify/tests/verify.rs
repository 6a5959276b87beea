//! The verifier against logs laid out as tlog-tiles directories: a good log verifies, each kind
//! of tampering gives a typed problem naming what is wrong, and hostile bytes never panic.

use liuhen_log::checkpoint::{Checkpoint, TreeHead};
use liuhen_log::tile::{TILE_WIDTH, encode_bundle, encode_tile};
use liuhen_log::{BlobRef, EntryDraft, Hash, NoteSigner, NoteVerifier, TileId, Tiler, leaf_hash};
use liuhen_verify::{DirFetcher, Problem, Trust, verify};
use std::path::Path;

const ORIGIN: &str = "liuhen.test/verify";

fn signers() -> Vec<NoteSigner> {
    vec![NoteSigner::ed25519(ORIGIN, &[11u8; 32]).unwrap(), NoteSigner::sm2(ORIGIN, &[12u8; 32]).unwrap()]
}

fn keys() -> Vec<NoteVerifier> {
    signers().iter().map(|s| s.verifier().clone()).collect()
}

fn write(dir: &Path, rel: &str, data: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

/// Writes a log of `n` entries (entry 3 commits to a blob) as a tlog-tiles directory.
fn write_log(dir: &Path, n: u64) -> Vec<Vec<u8>> {
    write_log_disposing(dir, n, None)
}

/// As [`write_log`], entry `disposal` (if any) recording the blob's disposal.
fn write_log_disposing(dir: &Path, n: u64, disposal: Option<u64>) -> Vec<Vec<u8>> {
    let blob = b"evidence bytes".to_vec();
    let blob_ref = BlobRef { sha256: Hash::digest(&blob), size: blob.len() as u64 };
    let h = blob_ref.sha256.to_hex();
    write(dir, &format!("blobs/sha256/{}/{}/{h}", &h[0..2], &h[2..4]), &blob);
    let mut entries = Vec::new();
    let mut tiler = Tiler::default();
    for i in 0..n {
        let blobs = if i == 3 { vec![blob_ref] } else { vec![] };
        let d = if disposal == Some(i) {
            let body = serde_json::json!({"recording": "r1", "step": "disposed", "blob": h});
            let serde_json::Value::Object(body) = body else { unreachable!() };
            EntryDraft::new("system", liuhen_verify::DISPOSAL, None, body, vec![], vec![]).unwrap()
        } else {
            EntryDraft::new("system", "test.entry", None, Default::default(), blobs, vec![]).unwrap()
        };
        let bytes = d.encode_at(i, 1_700_000_000_000 + i as i64);
        for (level, index, hashes) in tiler.push(leaf_hash(&bytes)) {
            write(dir, &TileId { level: Some(level), index, width: 256 }.path(), &encode_tile(&hashes));
        }
        entries.push(bytes);
    }
    for level in 0..tiler.levels() {
        let (index, hashes) = tiler.partial(level);
        if !hashes.is_empty() {
            write(dir, &TileId::for_tree(level, index, n).unwrap().path(), &encode_tile(hashes));
        }
    }
    for b in 0..n.div_ceil(TILE_WIDTH) {
        let id = TileId::bundle_for_tree(b, n).unwrap();
        let start = (b * TILE_WIDTH) as usize;
        let chunk = &entries[start..start + usize::from(id.width)];
        write(dir, &id.path(), &encode_bundle(chunk.iter().map(Vec::as_slice)).unwrap());
    }
    let cp = Checkpoint { origin: ORIGIN.to_string(), head: TreeHead { size: n, root: tiler.root() } };
    write(dir, "checkpoint", cp.sign(&signers()).as_bytes());
    entries
}

fn trust() -> Trust {
    Trust { keys: keys(), origin: None, trusted: None, check_blobs: true }
}

fn run(dir: &Path) -> Vec<Problem> {
    verify(&DirFetcher::new(dir), &trust()).problems
}

#[test]
fn a_good_log_verifies_and_counts_what_it_checked() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 600);
    let r = verify(&DirFetcher::new(dir.path()), &trust());
    assert!(r.ok(), "{:?}", r.problems);
    assert_eq!((r.size, r.entries, r.blobs_checked), (600, 600, 1));
    assert!(r.tiles >= 4);
}

#[test]
fn a_changed_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let entries = write_log(dir.path(), 300);
    let mut bundle = std::fs::read(dir.path().join("tile/entries/000")).unwrap();
    // Change one byte inside entry 7 ("test.entry" -> "test.entrz").
    let offset: usize = entries[..7].iter().map(|e| e.len() + 2).sum::<usize>() + 2;
    let pos = offset + entries[7].windows(10).position(|w| w == b"test.entry").unwrap() + 9;
    bundle[pos] = b'z';
    write(dir.path(), "tile/entries/000", &bundle);
    let problems = run(dir.path());
    assert!(problems.contains(&Problem::Leaf { index: 7, path: "tile/0/000".to_string() }), "{problems:?}");
    assert!(problems.iter().any(|p| matches!(p, Problem::Root { .. })));
}

#[test]
fn reordered_entries_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut entries = write_log(dir.path(), 20);
    entries.swap(4, 5);
    write(dir.path(), "tile/entries/000.p/20", &encode_bundle(entries.iter().map(Vec::as_slice)).unwrap());
    let problems = run(dir.path());
    assert!(problems.contains(&Problem::EntryIndex { index: 4, claimed: 5 }), "{problems:?}");
    assert!(problems.contains(&Problem::EntryIndex { index: 5, claimed: 4 }), "{problems:?}");
}

#[test]
fn a_forged_checkpoint_or_wrong_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 10);
    let note = std::fs::read_to_string(dir.path().join("checkpoint")).unwrap();
    write(dir.path(), "checkpoint", note.replacen("\n10\n", "\n9\n", 1).as_bytes());
    assert!(matches!(run(dir.path()).as_slice(), [Problem::Checkpoint(_)]));
    write(dir.path(), "checkpoint", note.as_bytes());
    let other = Trust { keys: vec![NoteSigner::ed25519(ORIGIN, &[99u8; 32]).unwrap().verifier().clone()], ..trust() };
    assert!(matches!(verify(&DirFetcher::new(dir.path()), &other).problems.as_slice(), [Problem::Checkpoint(_)]));
}

#[test]
fn a_swapped_blob_and_a_replaced_tile_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 300);
    let h = Hash::digest(b"evidence bytes").to_hex();
    write(dir.path(), &format!("blobs/sha256/{}/{}/{h}", &h[0..2], &h[2..4]), b"other bytes");
    write(dir.path(), "tile/0/001.p/44", &[0u8; 44 * 32]);
    let problems = run(dir.path());
    assert!(problems.iter().any(|p| matches!(p, Problem::Blob { index: 3, .. })), "{problems:?}");
    assert!(problems.contains(&Problem::Tile { path: "tile/0/001.p/44".to_string() }), "{problems:?}");
}

#[test]
fn a_rewritten_history_is_caught_by_the_trusted_state() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 50);
    let first = verify(&DirFetcher::new(dir.path()), &trust());
    assert!(first.ok());
    // A different log of the same size, validly signed: not an extension of what was trusted.
    let other = tempfile::tempdir().unwrap();
    write_log(other.path(), 60);
    let bundle = std::fs::read(other.path().join("tile/entries/000.p/60")).unwrap();
    let mut b = bundle.clone();
    let pos = b.windows(10).position(|w| w == b"test.entry").unwrap() + 9;
    b[pos] = b'z'; // entry 0 differs from the trusted log's entry 0
    write(other.path(), "tile/entries/000.p/60", &b);
    // Re-sign honestly over the changed history, as a log that rewrote it would.
    let entries = liuhen_log::tile::decode_bundle(&b, 60).unwrap();
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
    write(other.path(), "tile/0/000.p/60", &encode_tile(&leaves));
    let cp = Checkpoint { origin: ORIGIN.to_string(), head: TreeHead { size: 60, root: liuhen_log::mth(&leaves) } };
    write(other.path(), "checkpoint", cp.sign(&signers()).as_bytes());
    let t = Trust { trusted: Some(first.checkpoint.clone()), ..trust() };
    let problems = verify(&DirFetcher::new(other.path()), &t).problems;
    assert!(problems.contains(&Problem::Inconsistent { trusted_size: 50 }), "{problems:?}");
    // Without the state, that log alone looks fine: the state file is what catches it.
    assert!(
        verify(&DirFetcher::new(other.path()), &trust()).problems.iter().all(|p| matches!(p, Problem::Entry { .. }))
    );
}

#[test]
fn hostile_bytes_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 5);
    let mut x: u32 = 12345;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x
    };
    for round in 0..200 {
        let len = (rnd() % 600) as usize;
        let garbage: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
        let target = ["checkpoint", "tile/entries/000.p/5", "tile/0/000.p/5"][round % 3];
        let saved = std::fs::read(dir.path().join(target)).unwrap();
        write(dir.path(), target, &garbage);
        let r = verify(&DirFetcher::new(dir.path()), &trust());
        assert!(!r.ok());
        write(dir.path(), target, &saved);
    }
    assert!(verify(&DirFetcher::new(dir.path()), &trust()).ok());
}

#[test]
fn the_binary_verifies_pins_keys_and_keeps_state() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 40);
    let keys_file = dir.path().join("keys.pub");
    std::fs::write(&keys_file, keys().iter().map(|k| format!("{k}\n")).collect::<String>()).unwrap();
    let state = dir.path().join("state");
    let bin = env!("CARGO_BIN_EXE_liuhen-verify");
    let run = || {
        std::process::Command::new(bin)
            .arg("--dir")
            .arg(dir.path())
            .arg("--keys")
            .arg(&keys_file)
            .arg("--state")
            .arg(&state)
            .output()
            .unwrap()
    };
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("OK:"));
    assert!(std::fs::read_to_string(&state).unwrap().contains("\n40\n"));
    // A log that lost entries since the state was kept fails, exit code 1.
    write_log(dir.path(), 30);
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fewer than the 40"));
}

/// A fetcher that says a blob missing from the directory is missing (as a data directory's does).
struct Strict(DirFetcher, std::path::PathBuf);

impl liuhen_verify::Fetcher for Strict {
    fn checkpoint(&self) -> Result<Vec<u8>, liuhen_verify::FetchError> {
        self.0.checkpoint()
    }
    fn tile(&self, id: &TileId) -> Result<Vec<u8>, liuhen_verify::FetchError> {
        self.0.tile(id)
    }
    fn blob(&self, sha256: &Hash) -> Result<Option<Box<dyn std::io::Read + '_>>, liuhen_verify::FetchError> {
        let h = sha256.to_hex();
        let path = self.1.join(format!("blobs/sha256/{}/{}/{h}", &h[0..2], &h[2..4]));
        match std::fs::File::open(path) {
            Ok(f) => Ok(Some(Box::new(f))),
            Err(_) => Err(liuhen_verify::FetchError::NotFound),
        }
    }
}

/// A blob gone is a problem, unless a disposal entry (办法第二十六条) later in the log names it.
#[test]
fn a_missing_blob_is_named_unless_a_logged_disposal_took_it() {
    for disposal in [None, Some(7)] {
        let dir = tempfile::tempdir().unwrap();
        write_log_disposing(dir.path(), 20, disposal);
        let h = Hash::digest(b"evidence bytes").to_hex();
        std::fs::remove_file(dir.path().join(format!("blobs/sha256/{}/{}/{h}", &h[0..2], &h[2..4]))).unwrap();
        let r = verify(&Strict(DirFetcher::new(dir.path()), dir.path().to_path_buf()), &trust());
        match disposal {
            None => assert!(
                matches!(&r.problems[..], [Problem::Blob { index: 3, error, .. }] if error.contains("missing")),
                "{:?}",
                r.problems
            ),
            Some(_) => assert!(r.ok() && r.blobs_disposed == 1, "{:?}", r.problems),
        }
    }
}
