//! Unit tests of the log format: golden RFC 6962 vectors, proofs, tiles, notes and entries.

use crate::checkpoint::{Checkpoint, TreeHead};
use crate::entry::{BlobRef, Entry, EntryDraft, EntryError, commitment};
use crate::hash::{Hash, leaf_hash, mth};
use crate::note::{Note, NoteError, NoteSigner, NoteVerifier};
use crate::tile::{self, TileId, TileSet, Tiler};
use crate::tree::{self, LeafList, ProofError, SubtreeRecorder};
use serde_json::{Map, Value, json};

/// A published inclusion proof: leaf index, tree size, and each hash as (prefix, suffix).
type PublishedProof = (u64, u64, Vec<(String, String)>);

struct Golden {
    leaves: Vec<Vec<u8>>,
    roots: Vec<(u64, Hash)>,
    inclusions: Vec<PublishedProof>,
}

fn golden() -> Golden {
    let text = include_str!("../test_data/rfc6962_roots.txt");
    let mut g = Golden { leaves: vec![], roots: vec![], inclusions: vec![] };
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let parts: Vec<&str> = line.split(' ').collect();
        match parts[0] {
            "leaf" => g.leaves.push(hex::decode(parts.get(1).unwrap_or(&"")).unwrap()),
            "root" => g.roots.push((parts[1].parse().unwrap(), Hash::from_hex(parts[2]).unwrap())),
            "inclusion" => {
                let pairs = parts[3..].chunks(2).map(|c| (c[0].to_string(), c[1].to_string())).collect();
                g.inclusions.push((parts[1].parse().unwrap(), parts[2].parse().unwrap(), pairs));
            }
            _ => {}
        }
    }
    g
}

#[test]
fn golden_roots_match_rfc6962_reference() {
    let g = golden();
    let leaves: Vec<Hash> = g.leaves.iter().map(|l| leaf_hash(l)).collect();
    assert_eq!(g.roots.len(), 9);
    for (size, want) in &g.roots {
        let n = *size as usize;
        assert_eq!(mth(&leaves[..n]), *want, "mth size {size}");
        assert_eq!(tree::root(*size, &LeafList(&leaves[..n])).unwrap(), *want, "tree::root size {size}");
        let mut t = Tiler::default();
        leaves[..n].iter().for_each(|l| {
            t.push(*l);
        });
        assert_eq!(t.root(), *want, "tiler size {size}");
    }
}

#[test]
fn golden_inclusion_proofs_match_published_values() {
    let g = golden();
    let leaves: Vec<Hash> = g.leaves.iter().map(|l| leaf_hash(l)).collect();
    for (index, size, expected) in &g.inclusions {
        let proof = tree::inclusion_proof(*index, *size, &LeafList(&leaves)).unwrap();
        assert_eq!(proof.len(), expected.len());
        for (p, (pre, suf)) in proof.iter().zip(expected) {
            let h = p.to_hex();
            assert!(h.starts_with(pre) && h.ends_with(suf), "{h} vs {pre}…{suf}");
        }
        let root = mth(&leaves[..*size as usize]);
        tree::verify_inclusion(*index, *size, &leaves[*index as usize], &proof, &root).unwrap();
    }
}

fn synthetic_leaves(n: usize) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())).collect()
}

#[test]
fn every_inclusion_and_consistency_proof_up_to_70_verifies_and_tampering_fails() {
    let leaves = synthetic_leaves(70);
    let src = LeafList(&leaves);
    for n in 1..=70u64 {
        let root = mth(&leaves[..n as usize]);
        for i in 0..n {
            let proof = tree::inclusion_proof(i, n, &src).unwrap();
            tree::verify_inclusion(i, n, &leaves[i as usize], &proof, &root).unwrap();
            assert_eq!(tree::verify_inclusion(i, n, &leaf_hash(b"other"), &proof, &root), Err(ProofError::Invalid));
            if let Some(first) = proof.first() {
                let mut bad = proof.clone();
                bad[0] = crate::hash::node_hash(first, first);
                assert!(tree::verify_inclusion(i, n, &leaves[i as usize], &bad, &root).is_err());
            }
        }
        for m in 0..=n {
            let old = mth(&leaves[..m as usize]);
            let proof = tree::consistency_proof(m, n, &src).unwrap();
            tree::verify_consistency(m, n, &old, &root, &proof).unwrap();
            if m > 0 && m < n {
                let fake_old = leaf_hash(b"rewritten history");
                assert!(tree::verify_consistency(m, n, &fake_old, &root, &proof).is_err(), "{m}->{n}");
                let mut bad = proof.clone();
                bad.pop();
                assert!(tree::verify_consistency(m, n, &old, &root, &bad).is_err(), "{m}->{n} short");
            }
        }
    }
}

#[test]
fn tile_paths_follow_c2sp() {
    assert_eq!(tile::encode_index(1234067), "x001/x234/067");
    assert_eq!(tile::encode_index(0), "000");
    assert_eq!(tile::encode_index(1000), "x001/000");
    let cases = [
        ("tile/0/x001/x234/067", Some((Some(0), 1234067, 256))),
        ("tile/2/000.p/1", Some((Some(2), 0, 1))),
        ("tile/entries/x001/000.p/255", Some((None, 1000, 255))),
        ("tile/63/999", Some((Some(63), 999, 256))),
        ("tile/64/000", None),
        ("tile/01/000", None),
        ("tile/0/000.p/0", None),
        ("tile/0/000.p/256", None),
        ("tile/0/000.p/01", None),
        ("tile/0/x000/001", None),
        ("tile/0/1", None),
        ("tile/0/x01/000", None),
        ("tile/0/001/002", None),
        ("tile/0/../000", None),
        ("tile/0/", None),
        ("tile//000", None),
        ("tile/entries/x999/x999/x999/x999/x999/x999/999", None),
        ("checkpoint", None),
    ];
    for (path, want) in cases {
        let got = TileId::parse_path(path).ok().map(|t| (t.level, t.index, t.width));
        assert_eq!(got, want, "{path}");
        if let Ok(t) = TileId::parse_path(path) {
            assert_eq!(t.path(), path);
        }
    }
}

#[test]
fn tree_of_70000_has_the_tiles_c2sp_names() {
    // 273 full level-0 tiles, a partial of width 112, one full level-1 tile, a partial level-1
    // tile of width 17 and a partial level-2 tile of width 1.
    let size = 70_000;
    assert_eq!(TileId::for_tree(0, 272, size).map(|t| t.width), Some(256));
    assert_eq!(TileId::for_tree(0, 273, size).map(|t| t.width), Some(112));
    assert_eq!(TileId::for_tree(0, 274, size), None);
    assert_eq!(TileId::for_tree(1, 0, size).map(|t| t.width), Some(256));
    assert_eq!(TileId::for_tree(1, 1, size).map(|t| t.width), Some(17));
    assert_eq!(TileId::for_tree(2, 0, size).map(|t| t.width), Some(1));
    assert_eq!(TileId::for_tree(3, 0, size), None);
}

#[test]
fn tiler_tiles_serve_every_proof_and_resume() {
    let leaves = synthetic_leaves(70_000);
    let mut tiler = Tiler::default();
    let mut set = TileSet::default();
    let mut n_full = [0usize; 3];
    for l in &leaves {
        for (level, index, hashes) in tiler.push(*l) {
            assert_eq!(hashes.len(), 256);
            n_full[level as usize] += 1;
            set.insert(level, index, hashes);
        }
    }
    assert_eq!(n_full, [273, 1, 0]);
    for level in 0..tiler.levels() {
        let (index, hashes) = tiler.partial(level);
        set.insert(level, index, hashes.to_vec());
    }
    assert_eq!(tiler.partial(0).1.len(), 112);
    assert_eq!(tiler.partial(1).1.len(), 17);
    assert_eq!(tiler.partial(2).1.len(), 1);
    let root = mth(&leaves);
    assert_eq!(tiler.root(), root);
    assert_eq!(tree::root(70_000, &set).unwrap(), root);
    for i in [0u64, 1, 255, 256, 65535, 65536, 69_999] {
        let proof = tree::inclusion_proof(i, 70_000, &set).unwrap();
        tree::verify_inclusion(i, 70_000, &leaves[i as usize], &proof, &root).unwrap();
    }
    for m in [1u64, 256, 300, 65536, 69_000] {
        let proof = tree::consistency_proof(m, 70_000, &set).unwrap();
        tree::verify_consistency(m, 70_000, &mth(&leaves[..m as usize]), &root, &proof).unwrap();
    }
    // The recorder names exactly the tiles a proof needs.
    let rec = SubtreeRecorder::default();
    tree::inclusion_proof(12345, 70_000, &rec).unwrap();
    let ids = TileSet::tiles_for(&rec.into_subtrees(), 70_000);
    assert!(ids.len() <= 6, "{ids:?}");
    // Resuming from the rightmost tiles gives the same state.
    let rightmost: Vec<Vec<Hash>> = (0..tiler.levels()).map(|l| tiler.partial(l).1.to_vec()).collect();
    let mut resumed = Tiler::resume(70_000, rightmost).unwrap();
    assert_eq!(resumed.root(), root);
    let extra = leaf_hash(b"one more");
    resumed.push(extra);
    tiler.push(extra);
    assert_eq!(resumed.root(), tiler.root());
    assert!(Tiler::resume(70_000, vec![vec![]]).is_err());
}

#[test]
fn bundles_round_trip_and_reject_hostile_bytes() {
    let entries: Vec<Vec<u8>> = vec![b"a".to_vec(), vec![], vec![7u8; 300]];
    let data = tile::encode_bundle(entries.iter().map(|e| e.as_slice())).unwrap();
    let back = tile::decode_bundle(&data, 3).unwrap();
    assert_eq!(back, entries.iter().map(|e| e.as_slice()).collect::<Vec<_>>());
    assert!(tile::decode_bundle(&data, 2).is_err());
    assert!(tile::decode_bundle(&data[..data.len() - 1], 3).is_err());
    assert!(tile::decode_bundle(&[0xff], 1).is_err());
    assert!(tile::decode_bundle(&[0xff, 0xff, 1], 1).is_err());
    let big = vec![0u8; 65_536];
    assert!(tile::encode_bundle([big.as_slice()]).is_err());
    assert!(tile::decode_tile(&[0u8; 33], 1).is_err());
}

fn signers() -> (NoteSigner, NoteSigner) {
    let ed = NoteSigner::ed25519("liuhen.test/log", &[7u8; 32]).unwrap();
    let sm = NoteSigner::sm2("liuhen.test/log", &[9u8; 32]).unwrap();
    (ed, sm)
}

#[test]
fn checkpoints_sign_and_verify_with_ed25519_and_sm2() {
    let (ed, sm) = signers();
    let cp = Checkpoint { origin: "liuhen.test/log".into(), head: TreeHead { size: 8, root: Hash([1u8; 32]) } };
    let note = cp.sign(&[ed.clone(), sm.clone()]);
    assert!(
        note.starts_with(
            "liuhen.test/log\n8\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n\n\u{2014} liuhen.test/log "
        )
    );
    let known = [ed.verifier().clone(), sm.verifier().clone()];
    assert_eq!(Checkpoint::open(note.as_bytes(), "liuhen.test/log", &known).unwrap(), cp);
    // Verifier keys round-trip through their text form.
    for v in &known {
        assert_eq!(&NoteVerifier::parse(&v.to_string()).unwrap(), v);
    }
    // A changed size, a wrong origin, a missing SM2 line and a bad signature are all refused.
    let forged = note.replacen("\n8\n", "\n9\n", 1);
    assert!(Checkpoint::open(forged.as_bytes(), "liuhen.test/log", &known).is_err());
    assert!(Checkpoint::open(note.as_bytes(), "other/log", &known).is_err());
    let ed_only = cp.sign(std::slice::from_ref(&ed));
    assert!(Checkpoint::open(ed_only.as_bytes(), "liuhen.test/log", &known).is_err());
    let other_sm = NoteSigner::sm2("liuhen.test/log", &[10u8; 32]).unwrap();
    let wrong = cp.sign(&[ed.clone(), other_sm]);
    assert!(Checkpoint::open(wrong.as_bytes(), "liuhen.test/log", &known).is_err());
    // Hostile notes never panic.
    for bad in ["", "\n\n", "a\n\n\u{2014} x\n", "a\n\n\u{2014} x AAAA\n", "a\u{1}\n\n", "a\n\n\u{2014} k+y AAAAAAAA\n"]
    {
        assert!(Note::parse(bad.as_bytes()).is_err(), "{bad:?}");
    }
    assert_eq!(Note::parse(&[0xff, 0xfe]), Err(NoteError::NotUtf8));
}

#[test]
fn key_ids_follow_c2sp_signed_note() {
    // key ID = SHA-256(name || 0x0A || 0x01 || pubkey)[:4]
    let (ed, _) = signers();
    let v = ed.verifier();
    let mut data = b"liuhen.test/log\n\x01".to_vec();
    data.extend_from_slice(v.public_key());
    let d = Hash::digest(&data);
    assert_eq!(v.key_id(), u32::from_be_bytes([d.0[0], d.0[1], d.0[2], d.0[3]]));
}

#[test]
fn sm2_verifier_accepts_the_gbt32918_known_answer() {
    // GB/T 32918.5-2017 Annex A (recommended curve), ID 1234567812345678, M = "message digest".
    let px = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020";
    let py = "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
    let r = hex::decode("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3").unwrap();
    let s = hex::decode("B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA").unwrap();
    let point = hex::decode(format!("04{px}{py}")).unwrap();
    let v = NoteVerifier::new_sm2("kat", &point).unwrap();
    let r: [u8; 32] = r.try_into().unwrap();
    let s: [u8; 32] = s.try_into().unwrap();
    let sig = sm2::dsa::Signature::from_scalars(r, s).unwrap();
    let der = sig.to_der();
    assert!(v.verify(b"message digest", der.as_bytes()));
    assert!(!v.verify(b"message digest!", der.as_bytes()));
    // The same key signs deterministically and verifies through the secret scalar.
    let d: [u8; 32] =
        hex::decode("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8").unwrap().try_into().unwrap();
    let signer = NoteSigner::sm2("kat", &d).unwrap();
    assert_eq!(signer.verifier(), &v);
}

#[test]
fn sm3_matches_gbt32905_vectors() {
    use sm3::Digest;
    assert_eq!(
        hex::encode(sm3::Sm3::digest(b"abc")),
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
}

fn body(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn sample_draft(salt: &[u8; 32]) -> (EntryDraft, Hash) {
    let c = commitment(salt, "张三 身份证 130227199001011234".as_bytes());
    let draft = EntryDraft::new(
        "user:0001",
        "case.open",
        Some("栗乡执罚〔2026〕1号"),
        body(json!({"z": 1, "a": "引号\"与\\反斜杠\n\u{1}", "m": [true, null, -5], "party": {"commit": c.to_hex()}})),
        vec![BlobRef { sha256: Hash::digest(b"video"), size: 5 }],
        vec![c],
    )
    .unwrap();
    (draft, c)
}

#[test]
fn entries_are_canonical_and_round_trip() {
    let (draft, _) = sample_draft(&[3u8; 32]);
    let entry = draft.clone().seal(42, 1_764_190_000_123);
    let bytes = entry.encode();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with(r#"{"action":"case.open","actor":"user:0001","blobs":[{"sha256":""#), "{text}");
    assert!(
        text.contains(r#""body":{"a":"引号\"与\\反斜杠\n\u0001","m":[true,null,-5],"party":{"commit":""#),
        "{text}"
    );
    assert!(text.ends_with(r#""index":42,"time":1764190000123,"v":1}"#), "{text}");
    assert!(!text.contains("130227"));
    assert_eq!(Entry::decode(&bytes).unwrap(), entry);
    // The sequencer's fast encoder and hash agree with the generic canonical writer.
    let (fast, leaf) = draft.encode_and_hash_at(42, 1_764_190_000_123);
    assert_eq!((fast.as_slice(), leaf), (bytes.as_slice(), leaf_hash(&bytes)));
    // So does the in-place one, at the extremes of both integers.
    for (index, time) in [(42, 1_764_190_000_123), (0, 0), (u64::MAX, i64::MIN), (10, -1), (9, i64::MAX)] {
        let mut prepared = draft.clone().into_prepared();
        let (in_place, leaf) = prepared.take_encoded_at(index, time);
        // The generic writer formats numbers through serde_json, not through our tail writer.
        let mut sealed = Vec::new();
        crate::entry::write_canonical(&draft.clone().seal(index, time).to_value(), &mut sealed);
        assert_eq!((in_place.as_slice(), leaf), (sealed.as_slice(), leaf_hash(&sealed)), "{index} {time}");
    }
    let mut generic = Vec::new();
    crate::entry::write_canonical(&entry.to_value(), &mut generic);
    assert_eq!(generic, bytes);
    // Whitespace, reordered keys, duplicates, unknown fields and floats are refused.
    let spaced = text.replacen(",", ", ", 1);
    assert_eq!(Entry::decode(spaced.as_bytes()), Err(EntryError::NotCanonical));
    let dup = text.replacen("{\"action\":\"case.open\",", "{\"action\":\"case.open\",\"action\":\"case.open\",", 1);
    assert_eq!(Entry::decode(dup.as_bytes()), Err(EntryError::NotCanonical));
    let unknown = text.replacen("\"v\":1}", "\"v\":1,\"x\":0}", 1);
    assert!(matches!(Entry::decode(unknown.as_bytes()), Err(EntryError::UnknownField(_))));
    let float = text.replacen("-5", "-5.0", 1);
    assert_eq!(Entry::decode(float.as_bytes()), Err(EntryError::FloatInBody));
    let escaped_slash = text.replacen("user:0001", "user:00\\u00301", 1);
    assert_eq!(Entry::decode(escaped_slash.as_bytes()), Err(EntryError::NotCanonical));
    assert!(Entry::decode(b"\xff").is_err());
    assert!(Entry::decode(b"[]").is_err());
}

#[test]
fn drafts_refuse_bad_names_and_oversized_bodies() {
    // The size bound is exact: the longest tail really is the longest.
    let d = EntryDraft::new("system", "log.init", None, Map::new(), vec![], vec![]).unwrap();
    let longest = d.clone().seal(u64::MAX, i64::MIN).encode().len();
    assert_eq!(
        longest,
        d.encode_at(0, 0).len() - r#""index":0,"time":0,"v":1}"#.len() + crate::entry::LONGEST_SUFFIX_LEN
    );
    let ok = |a: &str, act: &str| EntryDraft::new(a, act, None, Map::new(), vec![], vec![]);
    assert!(ok("system", "log.init").is_ok());
    assert!(matches!(ok("", "log.init"), Err(EntryError::BadName("actor"))));
    assert!(matches!(ok("a\nb", "log.init"), Err(EntryError::BadName("actor"))));
    for bad in ["", "Case.open", "case..open", "case.", "1case", "case-open", "案件.open"] {
        assert!(matches!(ok("system", bad), Err(EntryError::BadAction(_))), "{bad}");
    }
    let huge = body(json!({"text": "x".repeat(70_000)}));
    assert!(matches!(EntryDraft::new("system", "log.init", None, huge, vec![], vec![]), Err(EntryError::TooLarge(_))));
    let float = body(json!({"n": 1.5}));
    assert_eq!(EntryDraft::new("system", "log.init", None, float, vec![], vec![]), Err(EntryError::FloatInBody));
}

#[test]
fn commitments_hide_and_bind() {
    let a = commitment(&[1u8; 32], b"content");
    assert_ne!(a, commitment(&[2u8; 32], b"content"));
    assert_ne!(a, commitment(&[1u8; 32], b"content!"));
    assert_ne!(a, Hash::digest(b"content"));
}
