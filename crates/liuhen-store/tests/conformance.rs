//! The storage conformance story, run against every backend (SQLite always).

use liuhen_log::checkpoint::Checkpoint;
use liuhen_log::{Entry, EntryDraft, Hash, NoteSigner, commitment, leaf_hash, tree};
use liuhen_store::{
    AppendRequest, DeadlineQuery, DeadlineRecord, DeviceEventRecord, DeviceQuery, DeviceRecord, DueRange, Log,
    LogConfig, LogStore, MatterRecord, Op, ProjectionReads, ProjectionScratch, Projections, RecordingRecord,
    SettingRecord, SqliteStore, StoreError, UserRecord,
};
use serde_json::Map;
use std::time::Duration;

fn config() -> LogConfig {
    LogConfig {
        origin: "liuhen.test/store".to_string(),
        signers: vec![
            NoteSigner::ed25519("liuhen.test/store", &[1u8; 32]).unwrap(),
            NoteSigner::sm2("liuhen.test/store", &[2u8; 32]).unwrap(),
        ],
        checkpoint_interval: Duration::from_secs(3600),
    }
}

fn draft(i: usize) -> EntryDraft {
    let mut body = Map::new();
    body.insert("n".into(), serde_json::Value::from(i as u64));
    EntryDraft::new("system", "test.append", None, body, vec![], vec![]).unwrap()
}

async fn story<S: LogStore>(store: &S) {
    // Concurrent appends get distinct, contiguous indexes.
    let start = store.tree_size();
    let mut handles = Vec::new();
    for i in 0..600 {
        let s = store.clone();
        handles.push(tokio::spawn(async move { s.append(AppendRequest::entry(draft(i))).await }));
    }
    let mut receipts = Vec::new();
    for h in handles {
        receipts.push(h.await.unwrap().unwrap());
    }
    let mut indexes: Vec<u64> = receipts.iter().map(|r| r.index).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (start..start + 600).collect::<Vec<_>>());
    let size = store.tree_size();
    assert_eq!(size, start + 600);
    // Nothing in flight: what the storage holds is what was published.
    assert_eq!(store.committed_size().await.unwrap(), size);

    // The stored entries hash to the stored tiles; proofs verify against the root.
    let mut leaves = Vec::new();
    for chunk_start in (0..size).step_by(256) {
        let end = (chunk_start + 256).min(size);
        for e in store.entries(chunk_start, end).await.unwrap() {
            leaves.push(leaf_hash(&e));
        }
    }
    let root = liuhen_log::mth(&leaves);
    // Each acknowledged entry is stored at the index its receipt names (groups are written
    // with multi-row inserts).
    let keys = [config().signers[0].verifier().clone()];
    for (i, r) in receipts.iter().enumerate() {
        assert_eq!(leaves[r.index as usize], r.leaf, "append {i}");
        // And the log's signed receipt says so: the leaf at the index, signed once per group.
        let signed = r.signed.as_ref().expect("a signed receipt");
        assert_eq!((signed.index, signed.leaf), (r.index, r.leaf));
        signed.verify("liuhen.test/store", &keys).unwrap();
        let stored = store.entries(r.index, r.index + 1).await.unwrap().remove(0);
        assert_eq!(Entry::decode(&stored).unwrap().body()["n"], i as u64, "append {i}");
    }
    for i in [0, 1, 255, 256, 511, size - 1] {
        let proof = store.inclusion_proof(i, size).await.unwrap();
        tree::verify_inclusion(i, size, &leaves[i as usize], &proof, &root).unwrap();
    }
    let proof = store.consistency_proof(300, size).await.unwrap();
    tree::verify_consistency(300, size, &liuhen_log::mth(&leaves[..300]), &root, &proof).unwrap();
    assert!(matches!(store.entries(size, size + 1).await, Err(StoreError::NotFound)));
    assert!(matches!(store.inclusion_proof(size, size).await, Err(StoreError::Invalid(_))));

    // A signed checkpoint commits to the root, with both signatures.
    let note = store.sign_checkpoint().await.unwrap();
    let keys: Vec<_> = config().signers.iter().map(|s| s.verifier().clone()).collect();
    let cp = Checkpoint::open(note.as_bytes(), "liuhen.test/store", &keys).unwrap();
    assert_eq!(cp.head.size, size);
    assert_eq!(cp.head.root, root);
    assert_eq!(store.latest_checkpoint().await.unwrap(), note);

    // An opening is committed with its entry.
    let salt = [5u8; 32];
    let c = commitment(&salt, "当事人：李四".as_bytes());
    let d = EntryDraft::new("system", "test.secret", None, Map::new(), vec![], vec![c]).unwrap();
    store
        .append(AppendRequest {
            draft: d,
            ops: vec![Op::PutOpening { commitment: c, salt, content: "当事人：李四".as_bytes().to_vec() }],
        })
        .await
        .unwrap();
    let (s2, content) = store.opening(&c).await.unwrap();
    assert_eq!((s2, content.as_slice()), (salt, "当事人：李四".as_bytes()));
    // The first checkpoint of a tree of at least a size: the one that first covered an entry.
    let later = store.sign_checkpoint().await.unwrap();
    assert_ne!(later, note);
    assert_eq!(store.checkpoint_at_least(size).await.unwrap(), note);
    assert_eq!(store.checkpoint_at_least(size + 1).await.unwrap(), later);
    assert!(matches!(store.checkpoint_at_least(size + 2).await, Err(StoreError::NotFound)));
    assert!(matches!(store.opening(&Hash([0u8; 32])).await, Err(StoreError::NotFound)));
    // Every opening is one an entry commits to — until one comes with an entry that does not
    // name it, which the count finds.
    let before = store.unreferenced_openings().await.unwrap();
    let mut salt = [6u8; 32];
    salt[..8].copy_from_slice(&store.tree_size().to_be_bytes());
    let stray = commitment(&salt, b"behind its back");
    let opening = Op::PutOpening { commitment: stray, salt, content: b"behind its back".to_vec() };
    store.append(AppendRequest { draft: draft(1), ops: vec![opening] }).await.unwrap();
    assert_eq!(store.unreferenced_openings().await.unwrap(), before + 1);
}

/// An entry writing `ops`, as the application writes a projection change.
async fn write<S: LogStore>(store: &S, ops: Vec<Op>) -> Result<liuhen_store::Receipt, StoreError> {
    store.append(AppendRequest { draft: draft(0), ops }).await
}

/// An officer's account, `id`, signing in as `name`.
fn user(id: &str, name: &str) -> UserRecord {
    UserRecord {
        id: id.into(),
        username: name.into(),
        role: "officer".into(),
        password_hash: String::new(),
        must_change_password: false,
        created_at_ms: 0,
        officer_id: String::new(),
        unit: String::new(),
        totp_secret: String::new(),
        totp_enabled: false,
        pending_roles: String::new(),
        display_name: String::new(),
    }
}

fn put(key: &str, data: &str, expected: Option<u64>) -> Op {
    Op::PutSetting { record: SettingRecord::new(key, data, 0), expected_version: expected }
}

/// Versioned rows: a write names the version it read and is refused (`Stale`) — with nothing
/// of its entry written — when the row moved on; a row's version is its last writer's index
/// plus one; 32 writers reading and writing one row at once, each retrying from a fresh read
/// while stale, lose nothing.
async fn read_modify_write_story<S: LogStore>(store: &S) {
    // A create: once.
    let made = write(store, vec![put("rmw/a", "[1]", Some(0))]).await.unwrap();
    let row = store.setting("rmw/a").await.unwrap();
    assert_eq!((row.data.as_str(), row.version), ("[1]", made.index + 1));
    let size = store.tree_size();
    assert!(matches!(write(store, vec![put("rmw/a", "[2]", Some(0))]).await, Err(StoreError::Stale(_))));
    // A replacement of what was read; one of a version that is gone is refused.
    let next = write(store, vec![put("rmw/a", "[1,2]", Some(row.version))]).await.unwrap();
    assert!(matches!(write(store, vec![put("rmw/a", "[1,3]", Some(row.version))]).await, Err(StoreError::Stale(_))));
    assert!(matches!(write(store, vec![put("rmw/b", "[]", Some(7))]).await, Err(StoreError::Stale(_))));
    // A stale write takes its entry and every other change of it with it.
    let opening = Op::PutOpening { commitment: commitment(&[9u8; 32], b"x"), salt: [9u8; 32], content: b"x".to_vec() };
    let stale = vec![put("rmw/c", "{}", Some(0)), opening, put("rmw/a", "[9]", Some(row.version))];
    assert!(matches!(write(store, stale).await, Err(StoreError::Stale(_))));
    assert!(matches!(store.setting("rmw/c").await, Err(StoreError::NotFound)));
    assert!(matches!(store.opening(&commitment(&[9u8; 32], b"x")).await, Err(StoreError::NotFound)));
    assert_eq!(store.tree_size(), size + 1, "only the replacement was logged");
    let row = store.setting("rmw/a").await.unwrap();
    assert_eq!((row.data.as_str(), row.version), ("[1,2]", next.index + 1));
    // A singleton set whole replaces whatever is there.
    let whole = write(store, vec![put("rmw/a", "[0]", None)]).await.unwrap();
    assert_eq!(store.setting("rmw/a").await.unwrap().version, whole.index + 1);

    // Recordings the same way.
    let rec = RecordingRecord {
        id: "rmw-rec".into(),
        version: 0,
        sha256: "00".repeat(32),
        size: 1,
        case_id: String::new(),
        uploaded_by: "user:u".into(),
        created_at_ms: 0,
        data: "{}".into(),
    };
    let made = write(store, vec![Op::PutRecording { record: rec.clone(), expected_version: Some(0) }]).await.unwrap();
    assert_eq!(store.recording("rmw-rec").await.unwrap().version, made.index + 1);
    let again = Op::PutRecording { record: rec.clone(), expected_version: Some(0) };
    assert!(matches!(write(store, vec![again]).await, Err(StoreError::Stale(_))));
    let linked = RecordingRecord { case_id: "c1".into(), ..rec.clone() };
    write(store, vec![Op::PutRecording { record: linked.clone(), expected_version: Some(made.index + 1) }])
        .await
        .unwrap();
    let stale = Op::PutRecording { record: linked, expected_version: Some(made.index + 1) };
    assert!(matches!(write(store, vec![stale]).await, Err(StoreError::Stale(_))));
    assert_eq!(store.recording("rmw-rec").await.unwrap().case_id, "c1");

    // A record's mark the same way, a row per record: another record of the case is its own row.
    let mark = |record: &str, data: &str| liuhen_store::RecordMarkRecord {
        case_id: "c1".into(),
        kind: "class".into(),
        record: record.into(),
        data: data.into(),
        updated_at_ms: 0,
        version: 0,
    };
    let put_mark =
        |m: liuhen_store::RecordMarkRecord, v: u64| Op::PutRecordMark { record: m, expected_version: Some(v) };
    let made = write(store, vec![put_mark(mark("act/0", "\"internal\""), 0)]).await.unwrap();
    write(store, vec![put_mark(mark("act/1", "\"personal_privacy\""), 0)]).await.unwrap();
    assert!(matches!(write(store, vec![put_mark(mark("act/0", "\"x\""), 0)]).await, Err(StoreError::Stale(_))));
    let next = write(store, vec![put_mark(mark("act/0", "\"commercial_secret\""), made.index + 1)]).await.unwrap();
    assert!(matches!(
        write(store, vec![put_mark(mark("act/0", "\"x\""), made.index + 1)]).await,
        Err(StoreError::Stale(_))
    ));
    let row = store.record_mark("c1", "class", "act/0").await.unwrap();
    assert_eq!(
        (row.data.as_str(), row.version, row.updated_at_ms),
        ("\"commercial_secret\"", next.index + 1, next.time_ms)
    );
    let rows = store.record_marks("c1", "class").await.unwrap();
    assert_eq!(rows.iter().map(|m| m.record.as_str()).collect::<Vec<_>>(), ["act/0", "act/1"]);
    assert!(store.record_marks("c1", "unrecorded").await.unwrap().is_empty());
    assert!(matches!(store.record_mark("c2", "class", "act/0").await, Err(StoreError::NotFound)));

    // 32 writers at once, each adding its number to one row: none lost.
    let mut handles = Vec::new();
    for n in 0..32u64 {
        let s = store.clone();
        handles.push(tokio::spawn(async move {
            loop {
                let (mut list, read) = match s.setting("rmw/list").await {
                    Ok(r) => (serde_json::from_str::<Vec<u64>>(&r.data).unwrap(), r.version),
                    Err(StoreError::NotFound) => (Vec::new(), 0),
                    Err(e) => panic!("{e}"),
                };
                list.push(n);
                let data = serde_json::to_string(&list).unwrap();
                match write(&s, vec![put("rmw/list", &data, Some(read))]).await {
                    Ok(_) => return,
                    Err(StoreError::Stale(_)) => continue,
                    Err(e) => panic!("{e}"),
                }
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let mut list: Vec<u64> = serde_json::from_str(&store.setting("rmw/list").await.unwrap().data).unwrap();
    list.sort_unstable();
    assert_eq!(list, (0..32).collect::<Vec<_>>());
}

fn case(id: &str, unit: &str) -> liuhen_store::CaseRecord {
    liuhen_store::CaseRecord {
        id: id.into(),
        case_no: format!("no-{id}"),
        case_type: "inspection".into(),
        state: "open".into(),
        version: 0,
        matter: "m".into(),
        opened_at_ms: 0,
        updated_at_ms: 0,
        data: "{}".into(),
        opened_by: "user:u".into(),
        unit: unit.into(),
        confidentiality: "public".into(),
        party: String::new(),
        officers: String::new(),
        counted_at_ms: None,
    }
}

/// The case list's text search: the cases whose number, party's name or matter holds the
/// text — exactly, quotes and spaces as they are, but Latin letters in either case ("abc" finds
/// "QX-ABC-3") — for a term of any length; kept as cases change; paged by most recent change.
async fn case_search_story<S: LogStore>(store: &S) {
    let mk = |id: &str, no: &str, party: &str, matter: &str| liuhen_store::CaseRecord {
        case_no: no.into(),
        party: party.into(),
        matter: matter.into(),
        ..case(id, "unit-1")
    };
    let cases = [
        mk("s1", "迁栗检〔2026〕1号", "王建国", "占道经营检查"),
        mk("s2", "迁栗检〔2026〕2号", "李秀英", "消防安全检查"),
        mk("s3", "QX-ABC-3", "张\"老三\" 商店", "违法建设"),
        mk("s4", "迁栗罚〔2026〕4号", "王建国强", "占道经营"),
    ];
    for c in &cases {
        write(store, vec![Op::CreateCase(c.clone())]).await.unwrap();
    }
    let search = |text: &str, after: Option<(i64, String)>, limit: u32| {
        let q = liuhen_store::CaseQuery {
            seen_by: liuhen_store::SeenBy { all: true, ..Default::default() },
            text: Some(text.to_string()),
            after,
            limit,
            ..Default::default()
        };
        async move { store.case_page(&q).await.unwrap() }
    };
    let ids = |rows: Vec<liuhen_store::CaseRecord>| {
        let mut v: Vec<String> = rows.into_iter().map(|c| c.id).collect();
        v.sort();
        v
    };
    let expected = |cases: &[liuhen_store::CaseRecord], t: &str| {
        let mut v: Vec<String> = cases
            .iter()
            .filter(|c| {
                let t = t.to_ascii_lowercase();
                [&c.case_no, &c.party, &c.matter].iter().any(|f| f.to_ascii_lowercase().contains(&t))
            })
            .map(|c| c.id.clone())
            .collect();
        v.sort();
        v
    };
    let terms = [
        "王建国",
        "建国",
        "王",
        "占道经营",
        "〔2026〕",
        "检查",
        "ABC",
        "abc",
        "\"老三\"",
        "\" 商",
        "违法建设",
        "无此人",
        "QX-",
        "qx",
        "x-a",
        "Abc-3",
    ];
    assert_eq!(ids(search("abc", None, 50).await), ["s3"], "Latin letters in either case");
    assert_eq!(ids(search("q", None, 50).await), ["s3"], "Latin letters in either case");
    for t in terms {
        assert_eq!(ids(search(t, None, 50).await), expected(&cases, t), "{t}");
    }
    // Paged: the most recently changed first, continued after the last of the page before.
    let first = search("王建国", None, 1).await;
    assert_eq!(first.len(), 1);
    let rest = search("王建国", Some((first[0].updated_at_ms, first[0].id.clone())), 10).await;
    assert_eq!(ids([first, rest].concat()), ["s1", "s4"]);
    // A party renamed: found by the new name, no longer by the old.
    let s1 = store.case("s1").await.unwrap();
    let renamed = liuhen_store::CaseRecord { party: "赵志强".into(), version: s1.version + 1, ..s1.clone() };
    write(store, vec![Op::UpdateCase { record: renamed.clone(), expected_version: s1.version }]).await.unwrap();
    let now = [renamed, cases[1].clone(), cases[2].clone(), cases[3].clone()];
    for t in ["王建国", "赵志强", "志强", "占道经营"] {
        assert_eq!(ids(search(t, None, 50).await), expected(&now, t), "{t} after the renaming");
    }
    // The recordings of the cases whose party or cause holds a term of three characters or more.
    let rec = |id: &str, case: &str| RecordingRecord {
        id: id.into(),
        version: 0,
        sha256: "22".repeat(32),
        size: 1,
        case_id: case.into(),
        uploaded_by: "user:u".into(),
        created_at_ms: 0,
        data: "{}".into(),
    };
    for (id, case) in [("sr-1", "s1"), ("sr-2", "s2"), ("sr-3", "s4"), ("sr-4", "s3")] {
        write(store, vec![Op::PutRecording { record: rec(id, case), expected_version: Some(0) }]).await.unwrap();
    }
    let recordings = |party: &str, cause: &str| {
        let q = liuhen_store::RecordingQuery {
            limit: 10,
            party: Some(party.to_string()),
            cause: Some(cause.to_string()),
            ..Default::default()
        };
        async move {
            let mut v: Vec<String> = store.recording_page(&q).await.unwrap().into_iter().map(|r| r.id).collect();
            v.sort();
            v
        }
    };
    assert_eq!(recordings("王建国", "").await, ["sr-3"]);
    assert_eq!(recordings("赵志强", "占道经营").await, ["sr-1"]);
    assert_eq!(recordings("", "占道经营").await, ["sr-1", "sr-3"]);
    assert_eq!(recordings("王建国", "检查").await, Vec::<String>::new());
    assert_eq!(recordings("\"老三\"", "违法").await, ["sr-4"]);
    assert_eq!(recordings("秀英", "消防安全").await, ["sr-2"]);
}

fn deadline(case_id: &str, n: u32, code: &str, due: Option<i64>) -> DeadlineRecord {
    DeadlineRecord {
        case_id: case_id.into(),
        n,
        code: code.into(),
        label: format!("{code} of {case_id}"),
        source: "办法第二十三条".into(),
        due_at_ms: due,
        record: if code == "T-AV" { format!("act/{n}") } else { String::new() },
    }
}

/// The deadline index: a case's rows are replaced whole; pages are ranges of due time in
/// order (due, case, n), narrowed by code and by who may see the case, and continue after
/// the last row of the page before.
async fn deadline_story<S: LogStore>(store: &S) {
    write(store, vec![Op::CreateCase(case("dl-a", "unit-1")), Op::CreateCase(case("dl-b", "unit-2"))]).await.unwrap();
    let set = |id: &str, rows| Op::SetDeadlines { case_id: id.into(), rows };
    write(
        store,
        vec![set("dl-a", vec![deadline("dl-a", 0, "T-PUB", Some(50)), deadline("dl-a", 1, "T-AV", Some(10))])],
    )
    .await
    .unwrap();
    let b = vec![
        deadline("dl-b", 0, "T-AV", Some(10)),
        deadline("dl-b", 1, "T-AV", Some(300)),
        deadline("dl-b", 2, "T-X", None),
    ];
    write(store, vec![set("dl-b", b)]).await.unwrap();
    let all = liuhen_store::SeenBy { all: true, ..Default::default() };
    let page = |seen_by: &liuhen_store::SeenBy, code: Option<&str>, range, after, limit| {
        let q = DeadlineQuery {
            seen_by: seen_by.clone(),
            code: code.map(str::to_string),
            range,
            due_from: None,
            due_before: None,
            cases: Default::default(),
            after,
            limit,
        };
        async move {
            store
                .deadline_page(&q)
                .await
                .unwrap()
                .into_iter()
                .map(|(d, no)| (d.case_id, d.n, d.record, no))
                .collect::<Vec<_>>()
        }
    };
    let key = |id: &str, n: u32, rec: &str| (id.to_string(), n, rec.to_string(), format!("no-{id}"));
    assert_eq!(
        page(&all, None, DueRange::Before(100), None, 10).await,
        [key("dl-a", 1, "act/1"), key("dl-b", 0, "act/0"), key("dl-a", 0, "")]
    );
    assert_eq!(page(&all, None, DueRange::From(100), None, 10).await, [key("dl-b", 1, "act/1")]);
    assert_eq!(page(&all, None, DueRange::Unknown, None, 10).await, [key("dl-b", 2, "")]);
    // By code; continued after a row; as one unit sees them.
    assert_eq!(
        page(&all, Some("T-AV"), DueRange::Before(400), None, 2).await,
        [key("dl-a", 1, "act/1"), key("dl-b", 0, "act/0")]
    );
    assert_eq!(
        page(&all, Some("T-AV"), DueRange::Before(400), Some((10, "dl-b".into(), 0)), 2).await,
        [key("dl-b", 1, "act/1")]
    );
    let unit2 = liuhen_store::SeenBy { unit: Some("unit-2".into()), ..Default::default() };
    assert_eq!(page(&unit2, Some("T-AV"), DueRange::Before(100), None, 10).await, [key("dl-b", 0, "act/0")]);
    assert!(page(&liuhen_store::SeenBy::default(), None, DueRange::Before(i64::MAX), None, 10).await.is_empty());
    // Narrowed by the case (its unit, kind, matter, an officer) and by a range of due times.
    let narrowed = |cases: liuhen_store::CaseFilter, due_from: Option<i64>, due_before: Option<i64>| {
        let q = DeadlineQuery {
            seen_by: all.clone(),
            code: None,
            range: DueRange::Before(1_000),
            due_from,
            due_before,
            cases,
            after: None,
            limit: 10,
        };
        async move { store.deadline_page(&q).await.unwrap().into_iter().map(|(d, _)| (d.case_id, d.n)).collect::<Vec<_>>() }
    };
    let unit = |u: &str| liuhen_store::CaseFilter { unit: Some(u.into()), ..Default::default() };
    let k = |c: &str, n: u32| (c.to_string(), n);
    assert_eq!(narrowed(unit("unit-2"), None, None).await, [k("dl-b", 0), k("dl-b", 1)]);
    assert_eq!(narrowed(unit("unit-1"), None, None).await, [k("dl-a", 1), k("dl-a", 0)]);
    assert!(narrowed(unit("unit-3"), None, None).await.is_empty());
    let kind = |k: &str| liuhen_store::CaseFilter { kind: Some(k.into()), ..Default::default() };
    assert_eq!(narrowed(kind("inspection"), None, None).await.len(), 4);
    assert!(narrowed(kind("licence"), None, None).await.is_empty());
    let officer = |o: &str| liuhen_store::CaseFilter { officer: Some(o.into()), ..Default::default() };
    assert!(narrowed(officer("nobody"), None, None).await.is_empty());
    assert_eq!(narrowed(Default::default(), Some(10), Some(51)).await, [k("dl-a", 1), k("dl-b", 0), k("dl-a", 0)]);
    assert_eq!(narrowed(Default::default(), Some(11), None).await, [k("dl-a", 0), k("dl-b", 1)]);
    // Replaced whole: a case with nothing open has no rows.
    write(store, vec![set("dl-b", vec![])]).await.unwrap();
    assert_eq!(page(&all, Some("T-AV"), DueRange::Before(400), None, 10).await, [key("dl-a", 1, "act/1")]);
}

/// The recordings index: newest first, ties by id, one case's or all, continued after the
/// last row of the page before.
async fn recording_page_story<S: LogStore>(store: &S) {
    let rec = |id: &str, case: &str, at: i64| RecordingRecord {
        id: id.into(),
        version: 0,
        sha256: "11".repeat(32),
        size: 1,
        case_id: case.into(),
        uploaded_by: "user:u".into(),
        created_at_ms: at,
        data: "{}".into(),
    };
    for r in [rec("p-a", "c1", 10), rec("p-b", "", 20), rec("p-c", "c1", 20), rec("p-d", "c2", 5)] {
        write(store, vec![Op::PutRecording { record: r, expected_version: Some(0) }]).await.unwrap();
    }
    let page = |case: Option<&str>, after: Option<(i64, &str)>, limit| {
        let q = liuhen_store::RecordingQuery {
            case_id: case.map(str::to_string),
            after: after.map(|(t, id)| (t, id.to_string())),
            limit,
            ..Default::default()
        };
        async move { store.recording_page(&q).await.unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>() }
    };
    // The store stamps each row with its entry's time: the order is by that, ties by id.
    let mut all = Vec::new();
    for id in ["p-a", "p-b", "p-c", "p-d"] {
        let r = store.recording(id).await.unwrap();
        all.push((std::cmp::Reverse(r.created_at_ms), r.id, r.case_id));
    }
    all.sort();
    let ids = |case: Option<&str>| -> Vec<String> {
        all.iter().filter(|(_, _, c)| case.is_none_or(|x| x == c)).map(|(_, id, _)| id.clone()).collect()
    };
    let key = |i: usize| (all[i].0.0, all[i].1.as_str());
    assert_eq!(page(None, None, 10).await, ids(None));
    assert_eq!(page(None, None, 2).await, ids(None)[..2]);
    assert_eq!(page(None, Some(key(1)), 2).await, ids(None)[2..]);
    assert_eq!(page(None, Some(key(2)), 2).await, ids(None)[3..]);
    assert_eq!(page(Some("c1"), None, 10).await, ids(Some("c1")));
    let first_c1 = all.iter().position(|(_, _, c)| c == "c1").unwrap();
    assert_eq!(page(Some("c1"), Some(key(first_c1)), 10).await, ids(Some("c1"))[1..]);
    assert!(page(Some("c9"), None, 10).await.is_empty());
    // By the case's party or cause (its search fields): that case's recordings only, newest
    // first, paged the same way.
    let c1 =
        liuhen_store::CaseRecord { party: "张三丰".into(), matter: "占道经营".into(), ..case("c1", "unit-1") };
    let c2 = liuhen_store::CaseRecord { party: "李四".into(), matter: "违法建设".into(), ..case("c2", "unit-1") };
    write(store, vec![Op::CreateCase(c1), Op::CreateCase(c2)]).await.unwrap();
    let search = |party: &str, cause: &str, after: Option<(i64, &str)>, limit| {
        let q = liuhen_store::RecordingQuery {
            after: after.map(|(t, id)| (t, id.to_string())),
            limit,
            party: Some(party.to_string()),
            cause: Some(cause.to_string()),
            ..Default::default()
        };
        async move { store.recording_page(&q).await.unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>() }
    };
    assert_eq!(search("三丰", "", None, 10).await, ids(Some("c1")));
    assert_eq!(search("三丰", "", None, 1).await, ids(Some("c1"))[..1]);
    assert_eq!(search("三丰", "", Some(key(first_c1)), 10).await, ids(Some("c1"))[1..]);
    assert_eq!(search("", "违法", None, 10).await, ids(Some("c2")));
    assert_eq!(search("李四", "占道", None, 10).await, Vec::<String>::new());
    assert_eq!(search("  ", "", None, 10).await, ids(None));
}

#[tokio::test]
async fn sqlite_recordings_page_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("liuhen.db"), config()).await.unwrap();
    recording_page_story(&store).await;
    // A search by party or cause scans the small index of the cases' search fields, not their rows.
    for col in ["party", "matter"] {
        let sql =
            format!("SELECT id FROM recordings WHERE case_id IN (SELECT id FROM cases WHERE instr({col}, 'x') > 0)");
        uses_index(&dir.path().join("liuhen.db"), &sql, "cases_search");
    }
}

/// Asserts that SQLite plans `sql` on the database at `path` with index `index`.
fn uses_index(path: &std::path::Path, sql: &str, index: &str) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let plan: Vec<String> = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(plan.iter().any(|p| p.contains(index)), "{index} not in {plan:?}");
}

/// A case's documents: its own and no other case's, oldest first, paged; those of one code;
/// those no correction replaced; each a versioned row a step replaces only from the version
/// it read.
async fn document_story<S: LogStore>(store: &S) {
    let doc = |id: &str, case: &str, code: &str, superseded_by: &str| liuhen_store::DocumentRecord {
        id: id.into(),
        case_id: case.into(),
        code: code.into(),
        state: "draft".into(),
        superseded_by: superseded_by.into(),
        data: format!("{{\"id\":\"{id}\"}}"),
        updated_at_ms: 0,
        version: 0,
    };
    let put = |d: liuhen_store::DocumentRecord, v: u64| Op::PutDocument { record: d, expected_version: Some(v) };
    let rows = [
        doc("doc-1", "c1", "D02", ""),
        doc("doc-2", "c2", "D02", ""),
        doc("doc-3", "c1", "D36", ""),
        doc("doc-4", "c1", "D02", "doc-5"),
        doc("doc-5", "c1", "D02", ""),
    ];
    write(store, rows.iter().map(|d| put(d.clone(), 0)).collect()).await.unwrap();
    let page = |case: &'static str, code: Option<&'static str>, standing: bool, after: Option<&'static str>, limit| {
        let q = liuhen_store::DocumentQuery {
            case_id: case.into(),
            code: code.map(str::to_string),
            standing,
            after: after.map(str::to_string),
            limit,
        };
        async move { store.document_page(&q).await.unwrap().into_iter().map(|d| d.id).collect::<Vec<_>>() }
    };
    assert_eq!(page("c1", None, false, None, 10).await, ["doc-1", "doc-3", "doc-4", "doc-5"]);
    assert_eq!(page("c2", None, false, None, 10).await, ["doc-2"]);
    assert!(page("c9", None, false, None, 10).await.is_empty());
    assert_eq!(page("c1", None, false, None, 2).await, ["doc-1", "doc-3"]);
    assert_eq!(page("c1", None, false, Some("doc-3"), 2).await, ["doc-4", "doc-5"]);
    assert_eq!(page("c1", Some("D02"), false, None, 10).await, ["doc-1", "doc-4", "doc-5"]);
    assert_eq!(page("c1", Some("D02"), true, None, 10).await, ["doc-1", "doc-5"]);
    assert_eq!(page("c1", Some("D02"), true, Some("doc-1"), 10).await, ["doc-5"]);
    // A step replaces the row read; one on a version that is gone is stale.
    let read = store.document("doc-1").await.unwrap();
    let approving = liuhen_store::DocumentRecord { state: "approving".into(), ..read.clone() };
    let done = write(store, vec![put(approving.clone(), read.version)]).await.unwrap();
    assert!(matches!(write(store, vec![put(approving, read.version)]).await, Err(StoreError::Stale(_))));
    assert!(matches!(write(store, vec![put(doc("doc-1", "c1", "D02", ""), 0)]).await, Err(StoreError::Stale(_))));
    let row = store.document("doc-1").await.unwrap();
    assert_eq!((row.state.as_str(), row.version, row.updated_at_ms), ("approving", done.index + 1, done.time_ms));
    assert!(matches!(store.document("doc-9").await, Err(StoreError::NotFound)));
}

/// Cases' 公示, a row each, versioned as every row is; the published ones paged the latest
/// published first (a tie broken by case, latest first), the unpublished never listed.
async fn publication_story<S: LogStore>(store: &S) {
    let row = |case: &str, at: Option<i64>| liuhen_store::PublicationRecord {
        case_id: case.into(),
        published_at_ms: at,
        data: format!("{{\"case\":\"{case}\"}}"),
        updated_at_ms: 0,
        version: 0,
    };
    let put = |p: liuhen_store::PublicationRecord, v: u64| Op::PutPublication { record: p, expected_version: Some(v) };
    let rows =
        [row("p1", Some(100)), row("p2", Some(300)), row("p3", Some(200)), row("p4", Some(300)), row("p5", None)];
    write(store, rows.iter().map(|p| put(p.clone(), 0)).collect()).await.unwrap();
    let page = |after: Option<(i64, &'static str)>, limit| {
        let q = liuhen_store::PublicationQuery { after: after.map(|(t, c)| (t, c.to_string())), limit };
        async move { store.publication_page(&q).await.unwrap().into_iter().map(|p| p.case_id).collect::<Vec<_>>() }
    };
    assert_eq!(page(None, 10).await, ["p4", "p2", "p3", "p1"]);
    assert_eq!(page(None, 2).await, ["p4", "p2"]);
    assert_eq!(page(Some((300, "p2")), 2).await, ["p3", "p1"]);
    assert_eq!(page(Some((300, "p4")), 1).await, ["p2"]);
    assert!(page(Some((100, "p1")), 5).await.is_empty());
    // Published later: it moves to the head of the list; a write on a version gone is stale.
    let read = store.publication("p5").await.unwrap();
    assert_eq!(read.published_at_ms, None);
    let done = write(store, vec![put(row("p5", Some(400)), read.version)]).await.unwrap();
    assert!(matches!(write(store, vec![put(row("p5", Some(500)), read.version)]).await, Err(StoreError::Stale(_))));
    assert!(matches!(write(store, vec![put(row("p1", Some(1)), 0)]).await, Err(StoreError::Stale(_))));
    let now = store.publication("p5").await.unwrap();
    assert_eq!((now.published_at_ms, now.version, now.updated_at_ms), (Some(400), done.index + 1, done.time_ms));
    assert_eq!(page(None, 1).await, ["p5"]);
    assert!(matches!(store.publication("p9").await, Err(StoreError::NotFound)));
}

/// Case files (案卷), a row a case: found by case; the archivist's list a range by state and
/// time of the last step, oldest first; the 档号 unique — a second file under one is refused.
async fn case_file_story<S: LogStore>(store: &S) {
    let row = |case: &str, state: &str, no: Option<&str>| liuhen_store::CaseFileRecord {
        case_id: case.into(),
        state: state.into(),
        archive_no: no.map(str::to_string),
        data: format!("{{\"case\":\"{case}\"}}"),
        updated_at_ms: 0,
        version: 0,
    };
    let put = |f: liuhen_store::CaseFileRecord, v: u64| Op::PutCaseFile { record: f, expected_version: Some(v) };
    for r in
        [row("f1", "handed_over", None), row("f2", "handed_over", None), row("f3", "filed", Some("Q1-2026-Y-0001"))]
    {
        write(store, vec![put(r, 0)]).await.unwrap();
    }
    let page = |state: &'static str, after: Option<(i64, String)>, limit| {
        let q = liuhen_store::CaseFileQuery { state: state.to_string(), after, limit };
        async move { store.case_file_page(&q).await.unwrap().into_iter().map(|f| f.case_id).collect::<Vec<_>>() }
    };
    assert_eq!(page("handed_over", None, 10).await, ["f1", "f2"]);
    let first = store.case_file("f1").await.unwrap();
    assert_eq!(page("handed_over", Some((first.updated_at_ms, "f1".into())), 10).await, ["f2"]);
    assert_eq!(page("filed", None, 10).await, ["f3"]);
    // Filed: it leaves the list of those handed over; a write on a version gone is stale.
    let done = write(store, vec![put(row("f1", "filed", Some("Q1-2026-Y-0002")), first.version)]).await.unwrap();
    assert!(matches!(
        write(store, vec![put(row("f1", "filed", Some("Q1-2026-Y-0003")), first.version)]).await,
        Err(StoreError::Stale(_))
    ));
    let now = store.case_file("f1").await.unwrap();
    assert_eq!((now.state.as_str(), now.version, now.updated_at_ms), ("filed", done.index + 1, done.time_ms));
    assert_eq!(page("handed_over", None, 10).await, ["f2"]);
    // Oldest last step first; two filed in the same millisecond by case.
    let f3 = store.case_file("f3").await.unwrap();
    let expected = if (f3.updated_at_ms, "f3") < (now.updated_at_ms, "f1") { ["f3", "f1"] } else { ["f1", "f3"] };
    assert_eq!(page("filed", None, 10).await, expected);
    // One 档号, one file.
    let f2 = store.case_file("f2").await.unwrap();
    assert!(write(store, vec![put(row("f2", "filed", Some("Q1-2026-Y-0001")), f2.version)]).await.is_err());
    assert_eq!(store.case_file("f2").await.unwrap().state, "handed_over");
    assert!(matches!(store.case_file("f9").await, Err(StoreError::NotFound)));
}

/// 保管期限 and 销毁: the filed files whose retention runs out by a day, soonest first and paged
/// (none kept 永久, none not filed); the recordings in a state of disposal, oldest request first.
async fn retention_story<S: LogStore>(store: &S) {
    let file = |case: &str, state: &str, keep: Option<&str>| liuhen_store::CaseFileRecord {
        case_id: case.into(),
        state: state.into(),
        archive_no: (state == "filed").then(|| format!("Q1-2026-D10-{case}")),
        data: match keep {
            Some(day) => format!("{{\"filed\":{{\"keep_until\":\"{day}\"}}}}"),
            None => "{\"filed\":{}}".to_string(),
        },
        updated_at_ms: 0,
        version: 0,
    };
    for f in [
        file("k1", "filed", Some("2036-05-01")),
        file("k2", "filed", Some("2036-01-10")),
        file("k3", "filed", None),
        file("k4", "handed_over", Some("2030-01-01")),
        file("k5", "filed", Some("2056-01-01")),
    ] {
        write(store, vec![Op::PutCaseFile { record: f, expected_version: Some(0) }]).await.unwrap();
    }
    let expiring = |until: &'static str, after: Option<(String, String)>, limit| async move {
        store.case_files_expiring(until, after, limit).await.unwrap().into_iter().map(|f| f.case_id).collect::<Vec<_>>()
    };
    assert_eq!(expiring("2040-12-31", None, 10).await, ["k2", "k1"]);
    assert_eq!(expiring("2040-12-31", None, 1).await, ["k2"]);
    assert_eq!(expiring("2040-12-31", Some(("2036-01-10".into(), "k2".into())), 10).await, ["k1"]);
    assert_eq!(expiring("2036-01-10", None, 10).await, ["k2"], "the day itself is in");
    let rec = |id: &str, disposal: &str| RecordingRecord {
        id: id.into(),
        version: 0,
        sha256: "11".repeat(32),
        size: 1,
        case_id: String::new(),
        uploaded_by: "user:u".into(),
        created_at_ms: 0,
        data: disposal.into(),
    };
    for r in [
        rec("d1", r#"{"disposal":{"state":"requested","requested":{"at":300}}}"#),
        rec("d2", r#"{"disposal":{"state":"requested","requested":{"at":100}}}"#),
        rec("d3", r#"{"disposal":{"state":"disposed","requested":{"at":50}}}"#),
        rec("d4", "{}"),
    ] {
        write(store, vec![Op::PutRecording { record: r, expected_version: Some(0) }]).await.unwrap();
    }
    let in_disposal = |state: &'static str, after: Option<(i64, String)>| async move {
        store.recordings_in_disposal(state, after, 10).await.unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>()
    };
    assert_eq!(in_disposal("requested", None).await, ["d2", "d1"]);
    assert_eq!(in_disposal("requested", Some((100, "d2".into()))).await, ["d1"]);
    assert_eq!(in_disposal("disposed", None).await, ["d3"]);
}

/// Signers' keys, a row a key: found by id, a signer's by a range of the index by user; one
/// current key a signer at most — a second made at the same moment is stale, not a second.
async fn signing_key_story<S: LogStore>(store: &S) {
    let key = |id: &str, user: &str, current: bool| liuhen_store::SigningKeyRecord {
        key_id: id.into(),
        user_id: user.into(),
        current,
        data: format!("{{\"key_id\":\"{id}\"}}"),
        updated_at_ms: 0,
        version: 0,
    };
    let put = |k: liuhen_store::SigningKeyRecord, v: u64| Op::PutSigningKey { record: k, expected_version: Some(v) };
    let made = write(store, vec![put(key("k2", "u1", true), 0)]).await.unwrap();
    write(store, vec![put(key("k9", "u2", true), 0)]).await.unwrap();
    assert!(matches!(write(store, vec![put(key("k1", "u1", true), 0)]).await, Err(StoreError::Stale(_))));
    assert!(matches!(write(store, vec![put(key("k2", "u3", false), 0)]).await, Err(StoreError::Stale(_))));
    // Revoked, then another made current.
    write(store, vec![put(key("k2", "u1", false), made.index + 1)]).await.unwrap();
    write(store, vec![put(key("k1", "u1", true), 0)]).await.unwrap();
    let mine: Vec<(String, bool)> =
        store.signing_keys_of("u1").await.unwrap().into_iter().map(|k| (k.key_id, k.current)).collect();
    assert_eq!(mine, [("k1".to_string(), true), ("k2".to_string(), false)]);
    assert_eq!(store.signing_key("k9").await.unwrap().user_id, "u2");
    assert!(matches!(store.signing_key("k0").await, Err(StoreError::NotFound)));
    assert!(store.signing_keys_of("u0").await.unwrap().is_empty());
}

/// The 文号 register: a number is given once (a second giving of it at the same moment is stale),
/// handed on only from the version read; a series' last number is the highest its rows hold,
/// whatever order they came in, and numbers of no series or another series do not count.
async fn doc_number_story<S: LogStore>(store: &S) {
    let row = |no: &str, series: Option<&str>, n: Option<u64>, document: &str| liuhen_store::DocNumberRecord {
        doc_no: no.into(),
        case_id: "c1".into(),
        document: document.into(),
        series: series.map(str::to_string),
        n,
        updated_at_ms: 0,
        version: 0,
    };
    let put = |d: liuhen_store::DocNumberRecord, v: u64| Op::PutDocNumber { record: d, expected_version: Some(v) };
    let s = "栗街罚决〔2026〕{n}号";
    assert_eq!(store.series_last(s).await.unwrap(), 0);
    write(store, vec![put(row("栗街罚决〔2026〕2号", Some(s), Some(2), "d1"), 0)]).await.unwrap();
    write(store, vec![put(row("栗街罚决〔2026〕10号", Some(s), Some(10), "d2"), 0)]).await.unwrap();
    write(store, vec![put(row("栗街罚决〔2026〕3号", Some(s), Some(3), ""), 0)]).await.unwrap();
    write(store, vec![put(row("栗街罚决〔2025〕40号", Some("栗街罚决〔2025〕{n}号"), Some(40), ""), 0)]).await.unwrap();
    write(store, vec![put(row("手写第99号", None, None, "d3"), 0)]).await.unwrap();
    assert_eq!(store.series_last(s).await.unwrap(), 10);
    let again = put(row("栗街罚决〔2026〕10号", Some(s), Some(10), "d9"), 0);
    assert!(matches!(write(store, vec![again]).await, Err(StoreError::Stale(_))));
    // Handed to the correction that keeps it, from the version read.
    let held = store.doc_number("栗街罚决〔2026〕10号").await.unwrap();
    assert_eq!(held.document, "d2");
    let moved =
        write(store, vec![put(row("栗街罚决〔2026〕10号", Some(s), Some(10), "d2b"), held.version)]).await.unwrap();
    let stale = put(row("栗街罚决〔2026〕10号", Some(s), Some(10), "d2c"), held.version);
    assert!(matches!(write(store, vec![stale]).await, Err(StoreError::Stale(_))));
    let now = store.doc_number("栗街罚决〔2026〕10号").await.unwrap();
    assert_eq!((now.document.as_str(), now.version), ("d2b", moved.index + 1));
    assert!(matches!(store.doc_number("无此文号").await, Err(StoreError::NotFound)));
}

/// A year's statistics are published once (a second at the same moment is stale), and read
/// back by year and the latest first; a party's inspections in a year are one row, replaced only
/// from the version counted.
async fn yearly_rows_story<S: LogStore>(store: &S) {
    let year = |y: i64| liuhen_store::AnnualStatisticsRecord {
        year: y,
        data: format!("{{\"year\":{y}}}"),
        updated_at_ms: 0,
        version: 0,
    };
    let publish = |y: i64| Op::PutAnnualStatistics { record: year(y), expected_version: Some(0) };
    for y in [2024, 2026, 2025] {
        write(store, vec![publish(y)]).await.unwrap();
    }
    assert!(matches!(write(store, vec![publish(2025)]).await, Err(StoreError::Stale(_))));
    let years: Vec<i64> = store.annual_statistics(2).await.unwrap().into_iter().map(|r| r.year).collect();
    assert_eq!(years, [2026, 2025]);
    assert_eq!(store.year_statistics(2024).await.unwrap().data, "{\"year\":2024}");
    assert!(matches!(store.year_statistics(2023).await, Err(StoreError::NotFound)));
    let row = |cases: &str| liuhen_store::PartyInspectionsRecord {
        party: "ab12".into(),
        year: 2026,
        cases: cases.into(),
        updated_at_ms: 0,
        version: 0,
    };
    let put = |r, v| Op::PutPartyInspections { record: r, expected_version: Some(v) };
    let made = write(store, vec![put(row("[\"c1\"]"), 0)]).await.unwrap();
    assert!(matches!(write(store, vec![put(row("[\"c2\"]"), 0)]).await, Err(StoreError::Stale(_))));
    write(store, vec![put(row("[\"c1\",\"c3\"]"), made.index + 1)]).await.unwrap();
    assert!(matches!(write(store, vec![put(row("[\"c1\",\"c4\"]"), made.index + 1)]).await, Err(StoreError::Stale(_))));
    assert_eq!(store.party_inspections("ab12", 2026).await.unwrap().cases, "[\"c1\",\"c3\"]");
    assert!(matches!(store.party_inspections("ab12", 2025).await, Err(StoreError::NotFound)));
}

/// A prefix's settings by key, paged either way; the keys of a neighbouring prefix (one that
/// starts the same, one just after it) never appear.
async fn settings_range_story<S: LogStore>(store: &S) {
    let rows = ["device/a", "device/b", "device/c", "device0", "devices/x", "devic", "document/1"];
    write(store, rows.iter().map(|k| put(k, "{}", Some(0))).collect()).await.unwrap();
    let range = |after: Option<&'static str>, descending, limit| async move {
        store
            .settings_range("device/", after, descending, limit)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.key)
            .collect::<Vec<_>>()
    };
    assert_eq!(range(None, false, 10).await, ["device/a", "device/b", "device/c"]);
    assert_eq!(range(None, false, 2).await, ["device/a", "device/b"]);
    assert_eq!(range(Some("device/b"), false, 2).await, ["device/c"]);
    assert_eq!(range(None, true, 2).await, ["device/c", "device/b"]);
    assert_eq!(range(Some("device/b"), true, 2).await, ["device/a"]);
    assert!(range(Some("device/a"), true, 2).await.is_empty());
    assert!(matches!(store.settings_range("", None, false, 1).await, Err(StoreError::Invalid(_))));
}

#[tokio::test]
async fn sqlite_a_prefixs_settings_are_a_range_of_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    settings_range_story(&store).await;
    uses_index(
        &path,
        "SELECT key FROM settings WHERE key >= 'device/' AND key < 'device0' ORDER BY key",
        "sqlite_autoindex_settings",
    );
}

/// Accounts by id, and paged by username.
async fn user_story<S: LogStore>(store: &S) {
    let made = [user("u3", "chen"), user("u1", "zhao"), user("u2", "li")];
    write(store, made.iter().cloned().map(Op::CreateUser).collect()).await.unwrap();
    // The account as made, stamped with its entry's time.
    let found = store.user("u1").await.unwrap();
    assert_eq!(found, UserRecord { created_at_ms: found.created_at_ms, ..made[1].clone() });
    assert!(matches!(store.user("u9").await, Err(StoreError::NotFound)));
    let page = |after: Option<&'static str>, limit| async move {
        store.user_page(after, limit).await.unwrap().into_iter().map(|u| u.username).collect::<Vec<_>>()
    };
    assert_eq!(page(None, 2).await, ["chen", "li"]);
    assert_eq!(page(Some("li"), 2).await, ["zhao"]);
    assert!(page(Some("zhao"), 2).await.is_empty());
    // Those whose roles wait for approval, paged the same way.
    let waiting = |id: &str, name: &str| UserRecord { pending_roles: "supervisor".into(), ..user(id, name) };
    write(store, vec![Op::CreateUser(waiting("u4", "wu")), Op::CreateUser(waiting("u5", "an"))]).await.unwrap();
    let pending = |after: Option<&'static str>, limit| async move {
        store.pending_user_page(after, limit).await.unwrap().into_iter().map(|u| u.username).collect::<Vec<_>>()
    };
    assert_eq!(pending(None, 1).await, ["an"]);
    assert_eq!(pending(Some("an"), 5).await, ["wu"]);
}

#[tokio::test]
async fn sqlite_accounts_page_by_username() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("liuhen.db"), config()).await.unwrap();
    user_story(&store).await;
}

/// A case's ledger: the case's entries of the families asked, oldest first, after an index, at
/// most a limit; another case's entries and a family that is not one never appear.
async fn case_family_entries_story<S: LogStore>(store: &S) {
    let made = [
        ("c1", "access.case"),
        ("c1", "case.command"),
        ("c2", "access.case"),
        ("c1", "party_access.request"),
        ("c1", "accessory.thing"),
        ("c1", "access.record"),
    ];
    let mut at = Vec::new();
    for (case, action) in made {
        let d = EntryDraft::new("user:a", action, Some(case), Map::new(), vec![], vec![]).unwrap();
        at.push(store.append(AppendRequest::entry(d)).await.unwrap().index);
    }
    let found = |families: &'static [&'static str], after: Option<u64>, limit: u32| async move {
        store
            .case_family_entries("c1", families, after, limit)
            .await
            .map(|v| v.into_iter().map(|(i, _)| i).collect::<Vec<_>>())
    };
    let ledger = &["access.", "party_access."][..];
    assert_eq!(found(ledger, None, 10).await.unwrap(), [at[0], at[3], at[5]]);
    assert_eq!(found(ledger, None, 2).await.unwrap(), [at[0], at[3]]);
    assert_eq!(found(ledger, Some(at[3]), 2).await.unwrap(), [at[5]]);
    assert_eq!(found(&["case."], None, 10).await.unwrap(), [at[1]]);
    assert!(found(&[], None, 10).await.unwrap().is_empty());
    assert!(matches!(store.case_family_entries("c1", &["access"], None, 10).await, Err(StoreError::Invalid(_))));
}

#[tokio::test]
async fn sqlite_a_cases_ledger_is_ranges_of_an_index_by_family() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    case_family_entries_story(&store).await;
    uses_index(
        &path,
        "SELECT idx FROM log_entries WHERE case_id = 'c1' AND substr(json_extract(CAST(data AS TEXT), '$.action'), 1, \
         instr(json_extract(CAST(data AS TEXT), '$.action'), '.')) = 'access.' AND idx > 0 ORDER BY idx",
        "log_entries_by_case_family",
    );
}

#[tokio::test]
async fn sqlite_a_cases_documents_are_a_range_of_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    document_story(&store).await;
    publication_story(&store).await;
    case_file_story(&store).await;
    retention_story(&store).await;
    signing_key_story(&store).await;
    doc_number_story(&store).await;
    yearly_rows_story(&store).await;
    uses_index(
        &path,
        "SELECT id FROM documents WHERE case_id = 'c1' AND id > '' ORDER BY id LIMIT 5",
        "documents_by_case",
    );
    uses_index(
        &path,
        "SELECT case_id FROM case_files WHERE state = 'filed' AND (updated_at, case_id) > (0, '') \
         ORDER BY updated_at, case_id LIMIT 5",
        "case_files_by_state",
    );
    uses_index(
        &path,
        "SELECT id FROM documents WHERE case_id = 'c1' AND id > '' AND code = 'D02' ORDER BY id LIMIT 5",
        "documents_by_case_code",
    );
}

/// A matter by the name or code a case gives: the code's, and every one of that name.
async fn matters_named_story<S: LogStore>(store: &S) {
    let m = |code: &str, name: &str| {
        Op::PutMatter(MatterRecord { code: code.into(), name: name.into(), data: "{}".into(), created_at_ms: 0 })
    };
    write(store, vec![m("M1", "违法建设"), m("M2", " 违法建设 "), m("M3", "占道经营"), m("违法建设x", "其他")])
        .await
        .unwrap();
    let codes = |v: Vec<MatterRecord>| v.into_iter().map(|m| m.code).collect::<Vec<_>>();
    assert_eq!(codes(store.matters_named("违法建设").await.unwrap()), ["M1", "M2"]);
    assert_eq!(codes(store.matters_named(" M3 ").await.unwrap()), ["M3"]);
    assert_eq!(codes(store.matters_named("占道经营").await.unwrap()), ["M3"]);
    assert!(store.matters_named("违法").await.unwrap().is_empty());
}

#[tokio::test]
async fn sqlite_a_matter_by_name_is_a_range_of_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    matters_named_story(&store).await;
    uses_index(&path, "SELECT code FROM matters WHERE trim(name) = '违法建设'", "matters_by_name");
}

/// A user's ledger: the entries an actor made of the families asked, newest first, before an
/// index, at most a limit; a family that is not one is refused.
async fn actor_entries_story<S: LogStore>(store: &S) {
    let made = [
        ("user:a", "access.case"),
        ("user:a", "case.command"),
        ("user:b", "access.case"),
        ("user:a", "party_access.request"),
        ("user:a", "accessory.thing"),
        ("user:a", "access.record"),
    ];
    let mut at = Vec::new();
    for (actor, action) in made {
        let d = EntryDraft::new(actor, action, None, Map::new(), vec![], vec![]).unwrap();
        at.push(store.append(AppendRequest::entry(d)).await.unwrap().index);
    }
    let found = |families: &'static [&'static str], before: u64, limit: u32| async move {
        store
            .actor_entries("user:a", families, before, limit)
            .await
            .map(|v| v.into_iter().map(|(i, _)| i).collect::<Vec<_>>())
    };
    assert_eq!(found(&["access.", "party_access."], u64::MAX, 10).await.unwrap(), [at[5], at[3], at[0]]);
    assert_eq!(found(&["access.", "party_access."], u64::MAX, 2).await.unwrap(), [at[5], at[3]]);
    assert_eq!(found(&["access.", "party_access."], at[3], 2).await.unwrap(), [at[0]]);
    assert_eq!(found(&["case."], u64::MAX, 10).await.unwrap(), [at[1]]);
    assert_eq!(found(&[], u64::MAX, 10).await.unwrap(), [at[5], at[4], at[3], at[1], at[0]]);
    for bad in [&["access"][..], &["access.case"][..], &["a.b."][..]] {
        assert!(
            matches!(store.actor_entries("user:a", bad, u64::MAX, 10).await, Err(StoreError::Invalid(_))),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn sqlite_an_actors_entries_are_ranges_of_an_index_by_family() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("liuhen.db"), config()).await.unwrap();
    actor_entries_story(&store).await;
}

/// The 审批待办: what waits for any of the roles asked, in the cases one sees, in case order,
/// each task once, continued after a row; a role code that is not one is refused.
async fn task_story<S: LogStore>(store: &S) {
    write(store, vec![Op::CreateCase(case("tk-a", "unit-1")), Op::CreateCase(case("tk-b", "unit-2"))]).await.unwrap();
    let task = |case_id: &str, n: u32, roles: &str| liuhen_store::TaskRecord {
        case_id: case_id.into(),
        source: "procedure".into(),
        n,
        roles: roles.into(),
        task: format!("task {n}"),
        command: String::new(),
        document: String::new(),
    };
    let set = |case_id: &str, rows| Op::SetTasks { case_id: case_id.into(), source: "procedure".into(), rows };
    write(store, vec![set("tk-a", vec![task("tk-a", 0, ",approver,"), task("tk-a", 1, ",approver,,unit_head,")])])
        .await
        .unwrap();
    write(store, vec![set("tk-b", vec![task("tk-b", 0, ",unit_head,")])]).await.unwrap();
    let all = liuhen_store::SeenBy { all: true, ..Default::default() };
    let page = |seen_by: liuhen_store::SeenBy, roles: &[&str], after: Option<(&str, u32)>, limit| {
        let q = liuhen_store::TaskQuery {
            seen_by,
            roles: roles.iter().map(|r| r.to_string()).collect(),
            cases: Default::default(),
            after: after.map(|(c, n)| (c.to_string(), "procedure".to_string(), n)),
            limit,
        };
        async move { store.task_page(&q).await.map(|v| v.into_iter().map(|(t, ..)| (t.case_id, t.n)).collect::<Vec<_>>()) }
    };
    let key = |c: &str, n: u32| (c.to_string(), n);
    assert_eq!(page(all.clone(), &["approver"], None, 10).await.unwrap(), [key("tk-a", 0), key("tk-a", 1)]);
    // A task of two of one's roles is listed once.
    assert_eq!(
        page(all.clone(), &["approver", "unit_head"], None, 10).await.unwrap(),
        [key("tk-a", 0), key("tk-a", 1), key("tk-b", 0)]
    );
    assert_eq!(page(all.clone(), &["approver", "unit_head"], Some(("tk-a", 0)), 1).await.unwrap(), [key("tk-a", 1)]);
    assert!(page(all.clone(), &["officer"], None, 10).await.unwrap().is_empty());
    assert!(page(all.clone(), &[], None, 10).await.unwrap().is_empty());
    let unit2 = liuhen_store::SeenBy { unit: Some("unit-2".into()), ..Default::default() };
    assert_eq!(page(unit2, &["approver", "unit_head"], None, 10).await.unwrap(), [key("tk-b", 0)]);
    // Narrowed by the case: its unit.
    let q = liuhen_store::TaskQuery {
        seen_by: all.clone(),
        roles: vec!["approver".into(), "unit_head".into()],
        cases: liuhen_store::CaseFilter { unit: Some("unit-2".into()), ..Default::default() },
        after: None,
        limit: 10,
    };
    let narrowed: Vec<_> = store.task_page(&q).await.unwrap().into_iter().map(|(t, ..)| (t.case_id, t.n)).collect();
    assert_eq!(narrowed, [key("tk-b", 0)]);
    assert!(matches!(page(all, &["x') OR 1 --"], None, 10).await, Err(StoreError::Invalid(_))));
}

#[tokio::test]
async fn sqlite_a_roles_tasks_are_a_range_of_its_own_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    task_story(&store).await;
    uses_index(
        &path,
        "SELECT case_id FROM case_tasks t \
         WHERE instr(t.roles, ',officer,') > 0 ORDER BY t.case_id, t.source, t.n LIMIT 5",
        "case_tasks_officer",
    );
}

#[tokio::test]
async fn sqlite_deadlines_are_ranges_of_their_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("liuhen.db"), config()).await.unwrap();
    deadline_story(&store).await;
}

#[tokio::test]
async fn sqlite_read_modify_writes_name_the_version_they_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("liuhen.db"), config()).await.unwrap();
    read_modify_write_story(&store).await;
}

fn device(number: &str, status: &str, holder: &str, events: u64) -> DeviceRecord {
    DeviceRecord {
        number: number.into(),
        status: status.into(),
        holder: holder.into(),
        data: format!("{{\"status\":\"{status}\"}}"),
        events,
        updated_at_ms: 0,
        version: 0,
    }
}

fn line(number: &str, n: u64, kind: &str, at_ms: i64) -> DeviceEventRecord {
    DeviceEventRecord {
        device: number.into(),
        n,
        kind: kind.into(),
        at_ms,
        actor: "user:keeper".into(),
        data: format!("{{\"type\":\"{kind}\"}}"),
    }
}

/// The device registry and its ledgers: a registration once; each line with the device as it
/// leaves it, refused (with nothing of its entry written) when the device moved on or the line
/// is taken; the registry paged by number and filtered by state or holder; a ledger paged
/// newest first; who held a device at a time asked of its last custody line then, in ledger
/// order; 32 writers of one device at once, each retrying from a fresh read while stale, lose
/// no line.
async fn device_story<S: LogStore>(store: &S) {
    let record = |d: DeviceRecord, e: DeviceEventRecord, v: u64| async move {
        write(store, vec![Op::RecordDeviceEvent { device: d, event: e, expected_version: v }]).await
    };
    let made = record(device("D-1", "in_store", "", 1), line("D-1", 0, "registered", 100), 0).await.unwrap();
    let row = store.device("D-1").await.unwrap();
    assert_eq!((row.version, row.events, row.updated_at_ms), (made.index + 1, 1, made.time_ms));
    assert!(matches!(
        record(device("D-1", "in_store", "", 1), line("D-1", 0, "registered", 100), 0).await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(store.device("D-9").await, Err(StoreError::NotFound)));
    // Assigned to o1 at 200, handed to o2 at 300, returned at 400.
    let mut v = row.version;
    for (n, kind, holder, at) in [(1, "assigned", "o1", 200), (2, "handed_over", "o2", 300), (3, "returned", "", 400)] {
        let status = if holder.is_empty() { "in_store" } else { "assigned" };
        v = record(device("D-1", status, holder, n + 1), line("D-1", n, kind, at), v).await.unwrap().index + 1;
    }
    // A write of a version that is gone, or of a line the ledger has, takes its entry with it.
    let size = store.tree_size();
    assert!(matches!(
        record(device("D-1", "in_store", "", 5), line("D-1", 4, "checked", 500), row.version).await,
        Err(StoreError::Stale(_))
    ));
    assert!(matches!(
        record(device("D-1", "in_store", "", 5), line("D-1", 3, "checked", 500), v).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.tree_size(), size);
    assert_eq!(store.device("D-1").await.unwrap().events, 4);
    record(device("D-1", "in_store", "", 5), line("D-1", 4, "checked", 500), v).await.unwrap();
    let ns = |rows: Vec<DeviceEventRecord>| rows.into_iter().map(|e| e.n).collect::<Vec<_>>();
    assert_eq!(ns(store.device_events("D-1", None, 10).await.unwrap()), [4, 3, 2, 1, 0]);
    assert_eq!(ns(store.device_events("D-1", None, 2).await.unwrap()), [4, 3]);
    assert_eq!(ns(store.device_events("D-1", Some(3), 2).await.unwrap()), [2, 1]);
    assert!(store.device_events("D-9", None, 10).await.unwrap().is_empty());
    let custody = ["assigned", "handed_over", "returned", "retired"];
    let held = |at: i64| async move { store.last_device_event("D-1", &custody, at).await.unwrap().map(|e| e.n) };
    assert_eq!(held(150).await, None);
    assert_eq!(held(200).await, Some(1));
    assert_eq!(held(350).await, Some(2));
    assert_eq!(held(10_000).await, Some(3));
    assert_eq!(store.last_device_event("D-1", &["checked"], 10_000).await.unwrap().map(|e| e.n), Some(4));
    // A line recorded later of an earlier time still counts in ledger order.
    let v = store.device("D-1").await.unwrap().version;
    record(device("D-1", "assigned", "o3", 6), line("D-1", 5, "assigned", 250), v).await.unwrap();
    assert_eq!(held(300).await, Some(5), "the last custody line at or before 300, in ledger order");

    // The registry: by number, paged, filtered.
    for (number, status, holder) in [("D-2", "assigned", "o1"), ("D-3", "retired", ""), ("D-4", "assigned", "o3")] {
        record(device(number, status, holder, 1), line(number, 0, "registered", 1), 0).await.unwrap();
    }
    let page = |status: Option<&str>, holder: Option<&str>, after: Option<&str>, limit| {
        let q = DeviceQuery {
            status: status.map(str::to_string),
            holder: holder.map(str::to_string),
            after: after.map(str::to_string),
            limit,
        };
        async move { store.device_page(&q).await.unwrap().into_iter().map(|d| d.number).collect::<Vec<_>>() }
    };
    assert_eq!(page(None, None, None, 10).await, ["D-1", "D-2", "D-3", "D-4"]);
    assert_eq!(page(None, None, None, 2).await, ["D-1", "D-2"]);
    assert_eq!(page(None, None, Some("D-2"), 2).await, ["D-3", "D-4"]);
    assert_eq!(page(Some("assigned"), None, None, 10).await, ["D-1", "D-2", "D-4"]);
    assert_eq!(page(Some("assigned"), None, Some("D-1"), 1).await, ["D-2"]);
    assert_eq!(page(None, Some("o3"), None, 10).await, ["D-1", "D-4"]);
    assert_eq!(page(Some("retired"), Some("o3"), None, 10).await, Vec::<String>::new());

    // 32 lines at once on one device: none lost, none twice.
    let mut handles = Vec::new();
    for k in 0..32i64 {
        let s = store.clone();
        handles.push(tokio::spawn(async move {
            loop {
                let d = s.device("D-2").await.unwrap();
                let next = DeviceRecord { events: d.events + 1, ..d.clone() };
                let op = Op::RecordDeviceEvent {
                    device: next,
                    event: line("D-2", d.events, "checked", 1_000 + k),
                    expected_version: d.version,
                };
                match write(&s, vec![op]).await {
                    Ok(_) => return,
                    Err(StoreError::Stale(_)) => continue,
                    Err(e) => panic!("{e}"),
                }
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let lines = store.device_events("D-2", None, 100).await.unwrap();
    assert_eq!(store.device("D-2").await.unwrap().events, 33);
    assert_eq!(ns(lines.clone()), (0..33).rev().collect::<Vec<_>>());
    let mut ats: Vec<i64> = lines.iter().filter(|e| e.kind == "checked").map(|e| e.at_ms).collect();
    ats.sort_unstable();
    assert_eq!(ats, (1_000..1_032).collect::<Vec<_>>());
}

#[tokio::test]
async fn sqlite_devices_and_their_ledgers_are_ranges_of_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    device_story(&store).await;
    uses_index(
        &path,
        "SELECT number FROM devices WHERE number > '' AND status = 'x' ORDER BY number",
        "devices_status",
    );
    uses_index(
        &path,
        "SELECT number FROM devices WHERE number > '' AND holder = 'x' ORDER BY number",
        "devices_holder",
    );
    uses_index(
        &path,
        "SELECT n FROM device_events WHERE device = 'D' AND at <= 5 AND kind IN ('assigned') ORDER BY n DESC LIMIT 1",
        "sqlite_autoindex_device_events_1 (device=?)",
    );
    // Read backwards in the key's order: no sort of the ledger.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT n FROM device_events WHERE device = 'D' AND at <= 5 ORDER BY n DESC LIMIT 1",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}

#[tokio::test]
async fn sqlite_a_search_of_three_characters_is_a_lookup_in_the_trigram_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    case_search_story(&store).await;
    uses_index(
        &path,
        "SELECT id FROM cases WHERE rowid IN (SELECT rowid FROM case_terms WHERE case_terms MATCH '\"王建国\"') \
         ORDER BY updated_at DESC LIMIT 5",
        "case_terms VIRTUAL TABLE",
    );
    // The index is what the cases say (FTS5's own check against them).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("INSERT INTO case_terms (case_terms, rank) VALUES ('integrity-check', 1)", []).unwrap();
}

/// A database whose projections predate a table the migrations add is marked, with the
/// migration, until a rebuild installs them: a process stopped in between (kill -9) leaves the
/// next open still asked to rebuild, and a verification meanwhile says so instead of listing
/// the missing rows.
#[tokio::test]
async fn sqlite_a_migrations_rebuild_is_asked_until_done_across_a_stop() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    assert!(!store.projections_need_rebuild().unwrap(), "a new database has nothing to rebuild");
    write(&store, vec![put("s/1", "[1]", Some(0))]).await.unwrap();
    drop(store);
    // As a database from before the typed tables of migrations 36 to 41 and the indexes of 42.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DELETE FROM schema_migrations WHERE version >= 36; DROP TABLE publications; DROP TABLE signing_keys; \
         DROP TABLE doc_numbers; DROP TABLE annual_statistics; DROP TABLE party_inspections; DROP TABLE case_files; \
         DROP INDEX recordings_by_disposal;",
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path, config()).await.unwrap();
    assert!(store.projections_need_rebuild().unwrap());
    drop(store);
    // Stopped before rebuilding: asked again; a verification says what waits.
    let read_only = SqliteStore::open_read_only(&path).await.unwrap();
    let found = read_only.projection_differences(&ProjectionScratch::new().unwrap()).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("rebuild"), "{found:?}");
    drop(read_only);
    let store = SqliteStore::open(&path, config()).await.unwrap();
    assert!(store.projections_need_rebuild().unwrap());
    write(&store, vec![Op::ReplaceProjections(std::sync::Arc::new(ProjectionScratch::new().unwrap()))]).await.unwrap();
    assert!(!store.projections_need_rebuild().unwrap());
    drop(store);
    assert!(!SqliteStore::open(&path, config()).await.unwrap().projections_need_rebuild().unwrap());
}

/// A database of an older schema, opened read-only (so not migrated), is told to be migrated
/// before its projections are compared — not a list of differences of tables it lacks.
#[tokio::test]
async fn sqlite_an_older_schema_is_named_not_compared() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    drop(store);
    // Older: the last migration's row taken out and the newest table it made dropped (a record
    // cut alone is not an older schema: the schema shows what ran, as below).
    let conn = rusqlite::Connection::open(&path).unwrap();
    let newest: String = conn
        .query_row("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    conn.execute_batch(&format!(
        "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations); DROP TABLE {newest}"
    ))
    .unwrap();
    drop(conn);
    let store = SqliteStore::open_read_only(&path).await.unwrap();
    let found = store.projection_differences(&ProjectionScratch::new().unwrap()).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("schema") && found[0].contains("liuhen serve"), "{found:?}");
    drop(store);
    // The record cut alone: the schema itself shows that migration ran, the row taken out is
    // named as what it is, and the projections are compared at the schema shown (helper 17).
    let path = dir.path().join("cut.db");
    drop(SqliteStore::open(&path, config()).await.unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)")
        .unwrap();
    drop(conn);
    let store = SqliteStore::open_read_only(&path).await.unwrap();
    let found = store.projection_differences(&ProjectionScratch::new().unwrap()).await.unwrap();
    assert!(found.iter().all(|f| !f.contains("liuhen serve")), "compared, not called older: {found:?}");
    let (problems, _) = store.schema_problems().unwrap();
    let latest = problems
        .iter()
        .any(|p| p.contains("schema_migrations lacks migration(s)") && p.contains("rows were taken out"));
    assert!(latest, "{problems:?}");
}

#[tokio::test]
async fn sqlite_story_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    story(&store).await;
    let size = store.tree_size();
    let root = store.root_at(size).await.unwrap();
    drop(store);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let store = SqliteStore::open(&path, config()).await.unwrap();
    assert_eq!(store.tree_size(), size);
    assert_eq!(store.root_at(size).await.unwrap(), root);
    story(&store).await;
    // A second checkpoint is consistent with the first.
    let note = store.sign_checkpoint().await.unwrap();
    assert!(note.contains(&format!("\n{}\n", store.tree_size())));
}

#[tokio::test]
async fn sqlite_refuses_a_database_of_another_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    drop(SqliteStore::open(&path, config()).await.unwrap());
    let mut other = config();
    other.origin = "liuhen.test/other".to_string();
    assert!(matches!(SqliteStore::open(&path, other).await, Err(StoreError::Invalid(_))));
}

/// A SQLite log of 300 entries with a signed checkpoint, in a fresh directory.
async fn signed_log_of_300() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("liuhen.db"), config()).await.unwrap();
    for i in 0..300 {
        store.append(AppendRequest::entry(draft(i))).await.unwrap();
    }
    store.sign_checkpoint().await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn sqlite_triggers_refuse_edits_of_the_log() {
    let (dir, _store) = signed_log_of_300().await;
    let path = dir.path().join("liuhen.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for sql in [
        "UPDATE log_entries SET data = x'00' WHERE idx = 0",
        "DELETE FROM log_entries WHERE idx = 2",
        "DELETE FROM log_checkpoints",
        "UPDATE log_tiles SET hashes = zeroblob(8192) WHERE level = 0",
        "DELETE FROM log_tiles",
    ] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

#[tokio::test]
async fn sqlite_refuses_to_open_a_log_whose_history_changed() {
    let (dir, store) = signed_log_of_300().await;
    let path = dir.path().join("liuhen.db");
    drop(store);
    tokio::time::sleep(Duration::from_millis(100)).await;
    // History is rewritten while the log is down: a full tile changes.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DROP TRIGGER log_tiles_no_update", []).unwrap();
    conn.execute("UPDATE log_tiles SET hashes = zeroblob(8192) WHERE level = 0 AND idx = 0", []).unwrap();
    drop(conn);
    let err = SqliteStore::open(&path, config()).await.err().expect("open must fail");
    assert!(
        matches!(err, StoreError::Integrity(ref m) if m.contains("its leaf is not the one tile/0/000 holds")),
        "{err}"
    );
    // Verification still works read-only, to find what changed.
    assert!(SqliteStore::open_read_only(&path).await.is_ok());
}

#[tokio::test]
async fn sqlite_refuses_to_sign_a_checkpoint_inconsistent_with_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    for i in 0..100 {
        store.append(AppendRequest::entry(draft(i))).await.unwrap();
    }
    store.sign_checkpoint().await.unwrap();
    for i in 100..300 {
        store.append(AppendRequest::entry(draft(i))).await.unwrap();
    }
    // The tile that now holds entries 0..256 is rewritten under the running log.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DROP TRIGGER log_tiles_no_update", []).unwrap();
    conn.execute("UPDATE log_tiles SET hashes = zeroblob(8192) WHERE level = 0 AND idx = 0", []).unwrap();
    let err = store.sign_checkpoint().await.unwrap_err();
    assert!(matches!(err, StoreError::Integrity(ref m) if m.contains("not consistent")), "{err}");
    // Nothing was signed: the latest checkpoint is still the one of 100 entries.
    assert!(store.latest_checkpoint().await.unwrap().contains("\n100\n"));
}

async fn blob_story(blobs: &liuhen_store::Blobs) {
    let data = bytes::Bytes::from_static("执法记录仪 DSJ-01 录像 2026-11-20".as_bytes());
    let r = blobs.put(data.clone()).await.unwrap();
    assert_eq!(r.sha256, Hash::digest(&data));
    assert_eq!(r.size, data.len() as u64);
    // Content-addressed: the same bytes again are the same blob.
    assert_eq!(blobs.put(data.clone()).await.unwrap(), r);
    assert_eq!(blobs.get(&r.sha256).await.unwrap(), data);
    let missing = Hash::digest(b"never stored");
    assert!(matches!(blobs.get(&missing).await, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn blobs_in_memory_and_on_disk_are_content_addressed() {
    blob_story(&liuhen_store::Blobs::in_memory()).await;
    let dir = tempfile::tempdir().unwrap();
    let blobs = liuhen_store::Blobs::local(dir.path()).unwrap();
    blob_story(&blobs).await;
    // On disk under sha256/ab/cd/<hash>, where put synced it (and where a restore finds it).
    let h = Hash::digest("执法记录仪 DSJ-01 录像 2026-11-20".as_bytes()).to_hex();
    let file = dir.path().join("sha256").join(&h[0..2]).join(&h[2..4]).join(&h);
    assert_eq!(std::fs::read(file).unwrap(), "执法记录仪 DSJ-01 录像 2026-11-20".as_bytes());
}

/// A database of the schema since which liuhen keeps marks never lacked one: its mark and
/// `meta`'s note of it deleted together (as one who took entries away from its end would) is
/// refused, not given a new mark for what is left. (A database of a schema before marks gets
/// one at its first open: `check_mark`'s unit test.)
#[tokio::test]
async fn a_log_whose_mark_and_its_note_were_deleted_is_refused() {
    let (dir, store) = signed_log_of_300().await;
    let path = dir.path().join("liuhen.db");
    drop(store);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mark = liuhen_store::sqlite::mark_path(&path);
    std::fs::remove_file(&mark).unwrap();
    rusqlite::Connection::open(&path).unwrap().execute("DELETE FROM meta WHERE key = 'mark'", []).unwrap();
    let err = SqliteStore::open(&path, config()).await.err().expect("refused");
    assert!(matches!(err, StoreError::Integrity(ref m) if m.contains("liuhen.db-mark is missing")), "{err}");
    let read = SqliteStore::open_read_only(&path).await.unwrap();
    assert!(read.mark_problem().unwrap().is_some_and(|m| m.contains("is missing")));
    assert!(!mark.exists(), "no mark made up for what is left");
    // Refused before anything was mended: the record of migrations cut with the mark is still
    // cut, for whoever looks next.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DELETE FROM schema_migrations WHERE version > 20", []).unwrap();
    drop(conn);
    assert!(SqliteStore::open(&path, config()).await.is_err());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let last: i64 = conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get(0)).unwrap();
    assert_eq!(last, 20, "a refused database is left as it was found");
}

/// `meta`'s origin, or its note that the log keeps a mark, removed from a log that holds
/// entries (the mark file kept) is put back — and said, never silently.
#[tokio::test]
async fn an_origin_or_a_mark_note_removed_is_put_back_and_said() {
    let (dir, store) = signed_log_of_300().await;
    let path = dir.path().join("liuhen.db");
    drop(store);
    tokio::time::sleep(Duration::from_millis(100)).await;
    rusqlite::Connection::open(&path).unwrap().execute("DELETE FROM meta WHERE key IN ('origin', 'mark')", []).unwrap();
    let store = SqliteStore::open(&path, config()).await.unwrap();
    let mended = store.mended().join("\n");
    assert!(mended.contains("origin was removed") && mended.contains("keeps a mark was removed"), "{mended}");
    drop(store);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(SqliteStore::open(&path, config()).await.unwrap().mended().is_empty());
}

#[tokio::test]
async fn sqlite_refuses_a_log_shorter_than_it_acknowledged() {
    let (dir, store) = signed_log_of_300().await;
    let path = dir.path().join("liuhen.db");
    // Appended and acknowledged after the last checkpoint: only the mark remembers them.
    for i in 300..310 {
        store.append(AppendRequest::entry(draft(i))).await.unwrap();
    }
    drop(store);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mark = std::fs::read_to_string(liuhen_store::sqlite::mark_path(&path)).unwrap();
    assert!(mark.starts_with("liuhen-mark/v1 00000000000000000310 "), "{mark}");
    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).unwrap();
    std::fs::copy(liuhen_store::sqlite::mark_path(&path), liuhen_store::sqlite::mark_path(&copy)).unwrap();
    // The last acknowledged entries vanish (as a truncated WAL loses them).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DROP TRIGGER log_entries_no_delete", []).unwrap();
    conn.execute("DELETE FROM log_entries WHERE idx >= 303", []).unwrap();
    drop(conn);
    let err = SqliteStore::open(&path, config()).await.err().expect("a log that lost acknowledged entries is refused");
    let named = |m: &str| m.contains("holds 303 entries but 310 were acknowledged") && m.contains("303..309");
    assert!(matches!(err, StoreError::Integrity(ref m) if named(m)), "{err}");
    // A verifier opens it read-only, to name the loss and go on.
    let read = SqliteStore::open_read_only(&path).await.unwrap();
    assert!(read.mark_problem().unwrap().is_some_and(|m| named(&m)));
    // The same number of entries, but another last one: refused too.
    let conn = rusqlite::Connection::open(&copy).unwrap();
    conn.execute("DROP TRIGGER log_entries_no_update", []).unwrap();
    conn.execute("UPDATE log_entries SET leaf = zeroblob(32) WHERE idx = 309", []).unwrap();
    drop(conn);
    let err = SqliteStore::open(&copy, config()).await.err().expect("refused");
    assert!(
        matches!(err, StoreError::Integrity(ref m) if m.contains("entry 309 is not the entry acknowledged")),
        "{err}"
    );
    // The mark deleted: a log that had one is refused without it.
    std::fs::remove_file(liuhen_store::sqlite::mark_path(&copy)).unwrap();
    let err = SqliteStore::open(&copy, config()).await.err().expect("refused");
    assert!(matches!(err, StoreError::Integrity(ref m) if m.contains("copy.db-mark is missing")), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_structure_check_names_a_changed_tile_above_the_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    // A level-1 tile is full after 65,536 entries.
    let mut handles = Vec::new();
    for w in 0..64usize {
        let s = store.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..1025 {
                s.append(AppendRequest::entry(draft(w * 10_000 + i))).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert!(store.tree_size() >= 65_536);
    assert_eq!(store.structure_problems(10).await.unwrap(), Vec::<String>::new());
    // One hash of the level-1 tile changed (a level-0 tile still holds the true leaves).
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DROP TRIGGER log_tiles_no_update", []).unwrap();
    conn.execute(
        "UPDATE log_tiles SET hashes = CAST(zeroblob(32) || substr(hashes, 33) AS BLOB) WHERE level = 1 AND idx = 0",
        [],
    )
    .unwrap();
    drop(conn);
    let problems = store.structure_problems(10).await.unwrap();
    assert_eq!(problems, ["tile/1/000: hash 0 is not the root of tile/0/000 (changed after it was made)"]);
}

/// The stored projections against what the log says, merged table by table in key order: a row
/// stored with no counterpart, one the log has that is not stored, a column that differs — each
/// named once; equal rows say nothing.
#[tokio::test]
async fn sqlite_projection_differences_name_every_row_that_differs() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("liuhen.db"), config()).await.unwrap();
    let rows = [("k/1", "{\"a\":1}"), ("k/2", "{\"a\":2}"), ("k/4", "{\"a\":4}")];
    write(&store, rows.iter().map(|(k, d)| put(k, d, Some(0))).collect()).await.unwrap();
    let stored = store.settings().await.unwrap();
    let mut logged = vec![stored[0].clone(), stored[1].clone()];
    logged[1].data = "{\"a\":20}".to_string();
    logged.push(SettingRecord { key: "k/3".into(), ..stored[0].clone() });
    let expected = liuhen_store::Projections { settings: logged, ..Default::default() };
    let found = store.projection_differences(&ProjectionScratch::of(&expected).unwrap()).await.unwrap();
    assert_eq!(
        found,
        [
            "settings k/2: column data differs from what the log records",
            "settings k/3 is in the log but not stored",
            "settings k/4 is stored but not in the log",
        ]
    );
    // What is stored, given as what the log says: nothing differs.
    let same = liuhen_store::Projections { settings: stored, ..Default::default() };
    assert!(store.projection_differences(&ProjectionScratch::of(&same).unwrap()).await.unwrap().is_empty());
}

/// A rebuild computes the projections into a scratch a part at a time — a setting put again
/// replaces its row, as a later entry's write does — and installs them whole in the one
/// transaction of its entry: afterwards the stored projections are the scratch's, row for row,
/// and no session survives.
async fn replace_projections_story<S: LogStore>(store: &S) {
    write(store, vec![put("p/1", "[1]", Some(0)), put("p/2", "[2]", Some(0))]).await.unwrap();
    write(
        store,
        vec![
            Op::CreateUser(user("u", "u")),
            Op::CreateSession {
                token_sha256: Hash([7; 32]),
                user_id: "u".into(),
                created_at_ms: 0,
                expires_at_ms: i64::MAX,
                name: String::new(),
            },
        ],
    )
    .await
    .unwrap();
    assert_eq!(store.sessions(None).await.unwrap().len(), 1);
    let scratch = ProjectionScratch::new().unwrap();
    let row =
        |key: &str, data: &str| SettingRecord { key: key.into(), data: data.into(), updated_at_ms: 5, version: 9 };
    scratch.put(&Projections { settings: vec![row("p/1", "[10]")], ..Default::default() }).unwrap();
    scratch.put(&Projections { settings: vec![row("p/3", "[3]")], ..Default::default() }).unwrap();
    scratch.put(&Projections { settings: vec![row("p/1", "[11]")], ..Default::default() }).unwrap();
    let camera = DeviceRecord { version: 3, ..device("P-1", "in_store", "", 1) };
    let registered = line("P-1", 0, "registered", 1);
    scratch
        .put(&Projections {
            devices: vec![camera.clone()],
            device_events: vec![registered.clone()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(scratch.counts().unwrap()["settings"], 2);
    assert_eq!(
        store.projection_differences(&scratch).await.unwrap(),
        [
            "users u is stored but not in the log",
            "settings p/1: column data differs from what the log records",
            "settings p/1: column updated_at differs from what the log records",
            "settings p/1: column version differs from what the log records",
            "settings p/2 is stored but not in the log",
            "settings p/3 is in the log but not stored",
            "devices P-1 is in the log but not stored",
            "device_events P-1/0 is in the log but not stored",
        ]
    );
    let scratch = std::sync::Arc::new(scratch);
    write(store, vec![Op::ReplaceProjections(scratch.clone())]).await.unwrap();
    assert_eq!(store.projection_differences(&scratch).await.unwrap(), Vec::<String>::new());
    let settings = store.settings().await.unwrap();
    assert_eq!(settings, [row("p/1", "[11]"), row("p/3", "[3]")]);
    assert!(store.sessions(None).await.unwrap().is_empty());
    assert_eq!(scratch.projections().unwrap().settings, settings);
    assert_eq!(store.device("P-1").await.unwrap(), camera);
    assert_eq!(store.device_events("P-1", None, 5).await.unwrap(), [registered]);
}

#[tokio::test]
async fn sqlite_a_rebuild_installs_what_it_computed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("liuhen.db"), config()).await.unwrap();
    replace_projections_story(&store).await;
}

/// The search index and the schema's other derived objects (indexes, triggers) are not
/// records, but a change of them behind liuhen's back is not silent: `verify` names it, the
/// next open finds it, says so and makes them again as the migrations make them (the search
/// index rebuilt from the cases); a rebuild of the projections rebuilds the index from the
/// installed cases.
#[tokio::test]
async fn sqlite_a_schema_changed_outside_liuhen_is_named_and_made_again_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liuhen.db");
    let store = SqliteStore::open(&path, config()).await.unwrap();
    case_search_story(&store).await;
    assert!(store.mended().is_empty());
    drop(store);
    let q = |text: &str| liuhen_store::CaseQuery {
        seen_by: liuhen_store::SeenBy { all: true, ..Default::default() },
        text: Some(text.to_string()),
        limit: 10,
        ..Default::default()
    };
    let ids = |rows: Vec<liuhen_store::CaseRecord>| rows.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let tampers = [
        // A party changed without its trigger, the trigger put back.
        "CREATE TEMP TABLE t AS SELECT sql FROM sqlite_master WHERE name = 'case_terms_update'; \
         DROP TRIGGER case_terms_update; UPDATE cases SET party = '钱某某' WHERE id = 's2';",
        // A trigger dropped: the next case opened would be missed.
        "DROP TRIGGER case_terms_insert;",
        // The index redefined (case-insensitive) and filled with a lie.
        "DROP TABLE case_terms; CREATE VIRTUAL TABLE case_terms USING fts5(case_no, party, matter, \
         tokenize = 'trigram case_sensitive 0', columnsize = 0); \
         INSERT INTO case_terms (rowid, case_no, party, matter) SELECT rowid, case_no, 'x' || party, matter FROM cases;",
        // The index dropped, and its storage alone.
        "DROP TABLE case_terms;",
        "DROP TABLE case_terms_data;",
        "DROP TABLE case_terms_idx;",
        "DROP TABLE case_terms_config;",
        // A trigger of someone else's, an index dropped.
        "CREATE TRIGGER evil AFTER INSERT ON cases BEGIN UPDATE cases SET party = '' WHERE rowid = new.rowid; END;",
        "DROP INDEX cases_by_update;",
    ];
    for (i, sql) in tampers.iter().enumerate() {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(sql).unwrap();
        if i == 0 {
            let trigger: String = conn.query_row("SELECT sql FROM temp.t", [], |r| r.get(0)).unwrap();
            conn.execute(&trigger, []).unwrap();
        }
        drop(conn);
        // Named by a verification (read-only: not mended) — but for a changed content.
        match SqliteStore::open_read_only(&path).await {
            Ok(read_only) => {
                let found = read_only.projection_differences(&ProjectionScratch::new().unwrap()).await.unwrap();
                if i > 0 {
                    assert!(found.iter().any(|f| f.starts_with("schema: ")), "{sql}: {found:?}");
                }
            }
            // The index's storage gone: SQLite's own check of the file says so — as the index's
            // damage, which the next open mends, not as a file to restore from a backup.
            Err(e) => {
                let e = e.to_string();
                assert!(e.contains("case_terms") && e.contains("liuhen serve") && !e.contains("backup"), "{sql}: {e}");
            }
        }
        let store = SqliteStore::open(&path, config()).await.unwrap_or_else(|e| panic!("{i} {sql}: {e:?}"));
        assert!(!store.mended().is_empty(), "{sql}");
        // Searched as the cases say, and kept so for a case opened now.
        let party = format!("新开案件{i}号当事人");
        let fresh = liuhen_store::CaseRecord { party: party.clone(), ..case(&format!("n{i}"), "unit-1") };
        write(&store, vec![Op::CreateCase(fresh)]).await.unwrap();
        assert_eq!(ids(store.case_page(&q(&party)).await.unwrap()), [format!("n{i}")], "{sql}");
        assert_eq!(store.case("n{i}".replace("{i}", &i.to_string()).as_str()).await.unwrap().party, party, "{sql}");
        let s2 = store.case("s2").await.unwrap();
        assert_eq!(ids(store.case_page(&q(&s2.party)).await.unwrap()), ["s2"], "{sql}");
        drop(store);
        let store = SqliteStore::open(&path, config()).await.unwrap();
        assert!(store.mended().is_empty(), "{sql}: {:?}", store.mended());
        let found = store.projection_differences(&ProjectionScratch::new().unwrap()).await.unwrap();
        assert!(!found.iter().any(|f| f.starts_with("schema: ")), "{sql}: {found:?}");
    }

    // Projections installed whole: the index is of the installed cases, and still kept after.
    let store = SqliteStore::open(&path, config()).await.unwrap();
    let scratch = ProjectionScratch::new().unwrap();
    let mut s9 = case("s9", "unit-1");
    s9.party = "孙悟空".into();
    scratch.put(&Projections { cases: vec![s9.clone()], ..Default::default() }).unwrap();
    write(&store, vec![Op::ReplaceProjections(std::sync::Arc::new(scratch))]).await.unwrap();
    assert_eq!(store.case_page(&q("孙悟空")).await.unwrap().len(), 1);
    assert!(store.case_page(&q("钱某某")).await.unwrap().is_empty());
    let s9 = store.case("s9").await.unwrap();
    let renamed = liuhen_store::CaseRecord { party: "猪八戒".into(), version: s9.version + 1, ..s9.clone() };
    write(&store, vec![Op::UpdateCase { record: renamed, expected_version: s9.version }]).await.unwrap();
    assert_eq!(store.case_page(&q("猪八戒")).await.unwrap().len(), 1);
    drop(store);
    assert!(SqliteStore::open(&path, config()).await.unwrap().mended().is_empty());
}
