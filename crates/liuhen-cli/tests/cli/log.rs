//! The tamper-evident log end to end: OpenSSL verifies a running server, `liuhen verify` names
//! each kind of tampering, and `kill -9` loses no acknowledged entry.

use crate::helpers::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn openssl_and_the_shell_alone_verify_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let agent = agent();
    let pw = server.admin_password.clone().expect("first run prints the admin password");
    for _ in 0..3 {
        let (status, _) = login(&agent, &server.url, "admin", &pw).unwrap();
        assert_eq!(status, 200);
    }
    let (status, body) = login(&agent, &server.url, "admin", "wrong").unwrap();
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "BAD_CREDENTIALS");
    // log.init + user.create + 3 sign-ins + 1 failure
    wait_for_checkpoint(&agent, &server.url, 6);
    let script = repo_root().join("scripts/tests/verify-with-openssl.sh");
    let keys = dir.path().join("log.pub");
    let out = Command::new("bash").arg(&script).arg(&server.url).arg(&keys).output().unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("Ed25519 signature") && stdout.contains("SM2/SM3 signature"), "{stdout}");
    assert!(stdout.contains("VERIFIED"), "{stdout}");

    // The same script refuses the checkpoint against another log's keys.
    let other = tempfile::tempdir().unwrap();
    let _other_server = Server::start(other.path());
    let out = Command::new("bash").arg(&script).arg(&server.url).arg(other.path().join("log.pub")).output().unwrap();
    assert!(!out.status.success());

    // And `liuhen verify --url` agrees, keeping a state file for next time.
    let state = dir.path().join("verify.state");
    let out =
        run(&["verify", "--url", &server.url, "--keys", keys.to_str().unwrap(), "--state", state.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("OK:"));
    assert!(state.exists());
}

#[test]
fn malformed_tile_paths_get_400_or_404_never_500() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let agent = agent();
    wait_for_checkpoint(&agent, &server.url, 2);
    let long = "x999/".repeat(40);
    for path in [
        "tile/0/000.p/9",
        "tile/0/001",
        "tile/0/000",
        "tile/entries/000.p/200",
        "tile/64/000",
        "tile/0/x000/001",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/0",
        "tile/-1/000",
        "tile/0/%2e%2e/000",
        "tile/0/../../etc/passwd",
        "tile/entries/x999/x999/x999/x999/x999/x999/999",
        "tile/entries/x018/x446/x744/x073/x709/x551/615",
        "tile/0/000.p/1/extra",
        "tile/",
        &format!("tile/0/{long}000"),
    ] {
        let (status, _) = get(&agent, &format!("{}/log/{path}", server.url));
        assert!(status == 400 || status == 404, "{path}: {status}");
    }
    let (status, body) = get(&agent, &format!("{}/log/tile/0/000.p/2", server.url));
    assert_eq!((status, body.len()), (200, 64));
}

/// Copies a data directory (the test tampers with the copy).
fn copy_dir(from: &Path, to: &Path) {
    let st = Command::new("cp").arg("-a").arg(from).arg(to).status().unwrap();
    assert!(st.success());
}

/// Plays a privileged attacker: drops the append-only triggers and edits the database.
fn tamper(dir: &Path, sql: &[&str]) {
    let conn = rusqlite::Connection::open(dir.join("liuhen.db")).unwrap();
    for s in sql {
        conn.execute(s, []).unwrap();
    }
}

fn verify_fails_naming(dir: &Path, needles: &[&str]) {
    let out = run(&["verify", "--data", dir.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "verify must fail: {stderr}{}", text(&out.stdout));
    for n in needles {
        assert!(stderr.contains(n), "expected {n:?} in:\n{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_names_every_kind_of_tampering() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good");
    // Populate through the real append path, then add an entry that commits to a blob.
    let out = run(&["bench", "log", "--data", good.to_str().unwrap(), "--seconds", "1", "--writers", "8"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    {
        let dir = liuhen_server::datadir::DataDir::new(&good);
        let store = liuhen_store::SqliteStore::open(&dir.db_path(), dir.log_config(Duration::from_secs(3600)).unwrap())
            .await
            .unwrap();
        let blobs = liuhen_store::Blobs::local(&dir.blobs_dir()).unwrap();
        let blob = blobs.put(bytes::Bytes::from_static(b"body camera video bytes")).await.unwrap();
        let draft =
            liuhen_log::EntryDraft::new("system", "test.blob", None, Default::default(), vec![blob], vec![]).unwrap();
        use liuhen_store::Log;
        store
            .append(liuhen_store::AppendRequest { draft, ops: vec![liuhen_store::Op::RecordBlob(blob)] })
            .await
            .unwrap();
        store.sign_checkpoint().await.unwrap();
    }
    let out = run(&["verify", "--data", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 blobs re-hashed"), "{}", text(&out.stdout));

    // 1. One byte of a stored entry changed.
    let d = tmp.path().join("flip");
    copy_dir(&good, &d);
    tamper(
        &d,
        &[
            "DROP TRIGGER log_entries_no_update",
            "UPDATE log_entries SET data = CAST(replace(CAST(data AS TEXT), '\"seq\":', '\"seQ\":') AS BLOB) WHERE idx = 5",
        ],
    );
    verify_fails_naming(&d, &["entry 5", "tile/0/000", "does not match the checkpoint"]);

    // 2. An entry deleted.
    let d = tmp.path().join("delete");
    copy_dir(&good, &d);
    tamper(&d, &["DROP TRIGGER log_entries_no_delete", "DELETE FROM log_entries WHERE idx = 7"]);
    verify_fails_naming(&d, &["tile/entries/000", "an entry was deleted"]);

    // 3. Two entries swapped.
    let d = tmp.path().join("reorder");
    copy_dir(&good, &d);
    tamper(
        &d,
        &[
            "DROP TRIGGER log_entries_no_update",
            "UPDATE log_entries SET idx = -1 WHERE idx = 3",
            "UPDATE log_entries SET idx = 3 WHERE idx = 4",
            "UPDATE log_entries SET idx = 4 WHERE idx = -1",
        ],
    );
    verify_fails_naming(&d, &["entry 3: it says it is entry 4", "entry 4: it says it is entry 3"]);

    // 4. The checkpoint replaced (its size and root rewritten, signatures kept).
    let d = tmp.path().join("checkpoint");
    copy_dir(&good, &d);
    tamper(
        &d,
        &[
            "DROP TRIGGER log_checkpoints_no_update",
            "UPDATE log_checkpoints SET note = replace(note, char(10) || size || char(10), char(10) || (size - 1) || char(10)) WHERE size = (SELECT MAX(size) FROM log_checkpoints)",
        ],
    );
    verify_fails_naming(&d, &["checkpoint:", "does not verify"]);

    // 5. A blob's bytes swapped.
    let d = tmp.path().join("blob");
    copy_dir(&good, &d);
    let blob_file = walk_files(&d.join("blobs")).pop().expect("one blob");
    std::fs::write(&blob_file, b"edited video bytes!!!!!").unwrap();
    verify_fails_naming(&d, &["blob ", "stored bytes hash to"]);

    // 6. A tile replaced (entries intact).
    let d = tmp.path().join("tile");
    copy_dir(&good, &d);
    tamper(
        &d,
        &[
            "DROP TRIGGER log_tiles_no_update",
            "UPDATE log_tiles SET hashes = zeroblob(length(hashes)) WHERE level = 0 AND idx = 1",
        ],
    );
    verify_fails_naming(&d, &["tile/0/001"]);

    // 7. History rewritten behind a trusted checkpoint: a verifier with state notices the log
    // shrank, even though the new checkpoint is validly signed.
    let d = tmp.path().join("rollback");
    copy_dir(&good, &d);
    let state = tmp.path().join("state");
    let out = run(&["verify", "--data", d.to_str().unwrap(), "--state", state.to_str().unwrap()]);
    assert!(out.status.success());
    tamper(
        &d,
        &[
            "DROP TRIGGER log_checkpoints_no_delete",
            "DELETE FROM log_checkpoints WHERE size = (SELECT MAX(size) FROM log_checkpoints)",
        ],
    );
    let out = run(&["verify", "--data", d.to_str().unwrap(), "--state", state.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("fewer than"), "{}", text(&out.stderr));
}

fn walk_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn kill_9_while_32_clients_append_loses_no_acknowledged_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let pw = server.admin_password.clone().unwrap();
    let url = server.url.clone();
    let stop_at = Instant::now() + Duration::from_secs(3);
    let mut clients = Vec::new();
    for _ in 0..32 {
        let (url, pw) = (url.clone(), pw.clone());
        clients.push(std::thread::spawn(move || {
            let agent = agent();
            let mut acked = Vec::new();
            while let Ok((200, body)) = login(&agent, &url, "admin", &pw) {
                acked.push((body["entry"].as_u64().unwrap(), body["expires_at"].as_i64().unwrap()));
                if Instant::now() > stop_at + Duration::from_secs(30) {
                    break;
                }
            }
            acked
        }));
    }
    while Instant::now() < stop_at {
        std::thread::sleep(Duration::from_millis(50));
    }
    server.kill(); // SIGKILL
    let acked: Vec<(u64, i64)> = clients.into_iter().flat_map(|c| c.join().unwrap()).collect();
    assert!(acked.len() >= 32, "only {} sign-ins were acknowledged", acked.len());

    // Restart: every acknowledged entry is there, as acknowledged, and the log verifies.
    let server = Server::start(dir.path());
    let agent = agent();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(liuhen_store::SqliteStore::open_read_only(&dir.path().join("liuhen.db"))).unwrap();
    use liuhen_store::Log;
    for (index, expires) in &acked {
        let raw = rt.block_on(store.entries(*index, index + 1)).expect("acknowledged entry is stored");
        let e = liuhen_log::Entry::decode(&raw[0]).unwrap();
        assert_eq!(e.action(), "auth.login");
        assert_eq!(e.body()["expires"].as_i64(), Some(*expires));
    }
    let max = acked.iter().map(|a| a.0).max().unwrap();
    wait_for_checkpoint(&agent, &server.url, max + 1);
    let out = run(&["verify", "--data", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
}

/// `liuhen bench upload` on a small file: a `liuhen serve` child takes it through the tus path,
/// and the digests it logs are those `openssl dgst` computes (the bench refuses otherwise).
#[test]
fn the_upload_bench_runs_end_to_end_and_its_digests_match_openssl() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("bench");
    let out = run(&["bench", "upload", "--data", data.to_str().unwrap(), "--size-mib", "8", "--chunk-mib", "3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(text(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(report["bytes"], 8 << 20);
    assert_eq!(report["digests_match_openssl"], true);
    assert!(report["server_peak_rss_mib"].as_f64().unwrap() > 0.0, "{report}");
    // The data directory holds the recording: it verifies, blob included.
    let out = run(&["verify", "--data", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 blobs re-hashed"), "{}", text(&out.stdout));
}

/// `liuhen bench import` on a few small files: every file stored through `liuhen import`.
#[test]
fn the_import_bench_runs_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("bench");
    let out = run(&["bench", "import", "--data", data.to_str().unwrap(), "--files", "3", "--size-mib", "1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(text(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!((report["files"].as_u64(), report["bytes"].as_u64()), (Some(3), Some(3 << 20)), "{report}");
}

/// `liuhen bench scale` on a small office: grown through the application's commands, every
/// daily route answers 200 for both accounts, and the grown directory verifies whole.
#[test]
fn the_scale_bench_grows_an_office_and_times_every_daily_route() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("bench");
    let out = run(&[
        "bench",
        "scale",
        "--data",
        data.to_str().unwrap(),
        "--cases",
        "30",
        "--samples",
        "1",
        "--clients",
        "4",
        "--seconds",
        "1",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["grown"], 30, "{}", lines[0]);
    assert_eq!(lines[0]["steps_left_undone"], serde_json::json!({}), "{}", lines[0]);
    let routes: Vec<&serde_json::Value> = lines.iter().filter(|l| l["route"].is_string()).collect();
    assert_eq!(routes.len(), 29, "{lines:?}");
    assert!(routes.iter().all(|l| l["status"] == 200 && l["p95_ms"].as_f64().is_some()), "{routes:?}");
    // The office has its recordings (linked to the acts on the spot) and its leads' 立案审批表
    // waiting for approval.
    let rows =
        |route: &str| routes.iter().find(|l| l["route"] == route && l["as"] == "负责人").map(|l| l["rows"].clone());
    assert!(rows("音像记录").and_then(|r| r.as_u64()) > Some(10), "{routes:?}");
    assert!(rows("审批待办").and_then(|r| r.as_u64()) > Some(5), "{routes:?}");
    // Case commands from concurrent HTTP clients: appended, none refused.
    let commands = lines.iter().find(|l| l["commands_http"].is_u64()).expect("a line of HTTP commands");
    assert!(commands["commands_http"].as_u64() > Some(0), "{commands}");
    assert_eq!(commands["refused"], 0, "{commands}");
    // Again: a directory that holds an office is not grown twice.
    assert!(!run(&["bench", "scale", "--data", data.to_str().unwrap(), "--cases", "1"]).status.success());
    let out = run(&["verify", "--data", data.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
}

/// The unsigned tail: a `kill -9` under load, then the WAL truncated (what an attacker with
/// the data directory, or a careless copy, does), then the database put back to a copy taken a
/// second earlier. The clients kept the receipts the server signed when it acknowledged their
/// sign-ins: `liuhen verify --receipts` names every acknowledged entry the log lost, the
/// high-water mark beside the database names the loss, and `liuhen serve` refuses to reuse
/// their indexes.
#[test]
fn acknowledged_entries_lost_with_the_wal_are_named_by_their_receipts_and_serve_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let pw = server.admin_password.clone().unwrap();
    let url = server.url.clone();
    let stop_at = Instant::now() + Duration::from_secs(2);
    let clients: Vec<_> = (0..16)
        .map(|_| {
            let (url, pw) = (url.clone(), pw.clone());
            std::thread::spawn(move || {
                let agent = agent();
                let mut receipts = Vec::new();
                while let Ok((200, body)) = login(&agent, &url, "admin", &pw) {
                    let r = &body["receipt"];
                    assert_eq!(r["index"], body["entry"], "{body}");
                    receipts.push(r.to_string());
                    if Instant::now() > stop_at + Duration::from_secs(30) {
                        break;
                    }
                }
                receipts
            })
        })
        .collect();
    // A consistent copy of the database a second into the load (SQLite's own VACUUM INTO).
    std::thread::sleep(Duration::from_secs(1));
    let earlier = dir.path().join("earlier.db");
    let reader =
        rusqlite::Connection::open_with_flags(dir.path().join("liuhen.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    reader.execute("VACUUM INTO ?1", [earlier.to_str().unwrap()]).unwrap();
    drop(reader);
    while Instant::now() < stop_at {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill(); // SIGKILL, under load
    let receipts: Vec<String> = clients.into_iter().flat_map(|c| c.join().unwrap()).collect();
    assert!(receipts.len() >= 16, "only {} sign-ins were acknowledged", receipts.len());
    let file = dir.path().join("receipts.jsonl");
    std::fs::write(&file, receipts.join("\n")).unwrap();
    let data = dir.path().to_str().unwrap();
    let verify = || {
        let out = run(&["verify", "--data", data, "--receipts", file.to_str().unwrap()]);
        (out.status.code(), format!("{}{}", text(&out.stdout), text(&out.stderr)))
    };
    // The WAL truncated: whatever it still held is gone. Named if anything acknowledged was.
    let wal = dir.path().join("liuhen.db-wal");
    let _ = std::fs::remove_file(dir.path().join("liuhen.db-shm"));
    if wal.exists() {
        std::fs::OpenOptions::new().write(true).open(&wal).unwrap().set_len(0).unwrap();
    }
    // Killed in the middle of a checkpoint, the database file holds some of the WAL's pages and
    // not others: without the WAL it is damaged, and that is named as such.
    let (code, all) = verify();
    let named = all.contains("were lost") || all.contains("the database file is damaged");
    assert!(code == Some(0) || (code == Some(1) && named), "{all}");
    assert!(!all.contains("internal error"), "{all}");
    // The database put back to the copy a second old: a second of acknowledged sign-ins lost.
    std::fs::copy(&earlier, dir.path().join("liuhen.db")).unwrap();
    let _ = std::fs::remove_file(&wal);
    let conn = rusqlite::Connection::open(dir.path().join("liuhen.db")).unwrap();
    let size: i64 = conn.query_row("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries", [], |r| r.get(0)).unwrap();
    drop(conn);
    let lost: Vec<i64> = receipts
        .iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(r).unwrap()["index"].as_i64().unwrap())
        .filter(|i| *i >= size)
        .collect();
    assert!(!lost.is_empty(), "sign-ins were acknowledged after the copy");
    let (code, all) = verify();
    assert_eq!(code, Some(1), "{all}");
    assert!(!all.contains("internal error"), "{all}");
    // Named by the mark beside the database, and by each receipt whose answer reached its client.
    assert!(all.contains("were acknowledged") && all.contains("were lost"), "{all}");
    assert!(all.contains(&format!("{} acknowledged entries are not in the log", lost.len())), "{all}");
    let out = Command::new(bin()).args(["serve", "--data", data, "--listen", "127.0.0.1:0"]).output().unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success() && all.contains("were acknowledged"), "serve must refuse: {all}");
}
