//! The tamper suite: an attacker with the stopped demo's data directory and a SQLite shell (or
//! a text editor on the key files) makes one change per copy; `liuhen verify --data` must name
//! it, and `liuhen serve` must refuse what it cannot vouch for. Every opening kind, every
//! projection column (read from the schema, so a column added later is tried too), the
//! sessions, each key file, the database file itself.

use crate::helpers::*;
use rusqlite::types::Value as Sql;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A demo office's data directory, made once through `serve --demo` and stopped cleanly (its
/// last checkpoint signed); each test tampers with a copy.
fn demo() -> &'static Path {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep().join("demo");
        let server = Server::start_with(&dir, &["--demo"]);
        let (agent, pw) = (agent(), server.demo_password.clone().unwrap());
        // Two recordings from a 采集工作站, so every projection table has rows to tamper with.
        let token = sign_in_changing_password(&agent, &server.url, "shebei", &pw, "shebei-password-2");
        let media = dir.parent().unwrap().join("DCIM");
        std::fs::create_dir_all(&media).unwrap();
        std::fs::write(media.join("a.mp4"), crate::upload::mp4_with_times(1_795_138_200, 600, 64 << 10)).unwrap();
        std::fs::write(media.join("b.mp4"), crate::upload::mp4_with_times(1_795_141_800, 60, 48 << 10)).unwrap();
        let out = Command::new(bin())
            .args(["import", "--server", &server.url, "--token", &token, "--device", "DSJ-001"])
            .arg(&media)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        // Sign-ins enough to fill the first tile (and leave live sessions to check).
        let pw = "wangming-password-2";
        sign_in_changing_password(&agent, &server.url, "wangming", &server.demo_password.clone().unwrap(), pw);
        for _ in 0..160 {
            let (status, _) = login(&agent, &server.url, "wangming", pw).unwrap();
            assert_eq!(status, 200);
        }
        // A wrong password, an API token, a case viewed with its purpose: more kinds of entry.
        assert_eq!(login(&agent, &server.url, "wangming", "not-the-password").unwrap().0, 401);
        let head = sign_in_changing_password(
            &agent,
            &server.url,
            "zhangzhuren",
            &server.demo_password.clone().unwrap(),
            "zhangzhuren-password-2",
        );
        let bearer = format!("Bearer {head}");
        let r = agent
            .post(&format!("{}/api/tokens", server.url))
            .header("authorization", &bearer)
            .header("content-type", "application/json")
            .send(br#"{"name": "tamper", "days": 1}"#.as_slice())
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        let mut r = agent.get(&format!("{}/api/cases", server.url)).header("authorization", &bearer).call().unwrap();
        let cases: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        let id = cases["cases"][0]["id"].as_str().unwrap();
        let r = agent
            .get(&format!("{}/api/cases/{id}?purpose=x", server.url))
            .header("authorization", &bearer)
            .call()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        stop(server);
        let out = run(&["verify", "--data", dir.to_str().unwrap()]);
        assert!(out.status.success(), "the untouched demo verifies: {}{}", text(&out.stdout), text(&out.stderr));
        dir
    })
}

/// SIGTERM, and wait: the server signs its last checkpoint on the way out.
fn stop(mut server: Server) {
    let pid = server.child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    server.child.wait().unwrap();
}

/// A fresh copy of the demo to tamper with.
fn copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join(name);
    let st = Command::new("cp").arg("-a").arg(demo()).arg(&to).status().unwrap();
    assert!(st.success());
    (tmp, to)
}

/// The first column of every row `sql` selects.
fn strings(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql).unwrap().query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

/// The attacker's SQLite shell: the append-only triggers dropped first.
fn shell(dir: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(dir.join("liuhen.db")).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let triggers: Vec<String> = strings(&conn, "SELECT name FROM sqlite_master WHERE type = 'trigger'");
    for t in triggers {
        conn.execute(&format!("DROP TRIGGER {t}"), []).unwrap();
    }
    conn
}

/// `liuhen verify --data` exits 1 and names each of `needles`.
fn verify_names(dir: &Path, needles: &[&str]) -> String {
    let out = run(&["verify", "--data", dir.to_str().unwrap()]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "verify must find the change:\n{all}");
    for n in needles {
        assert!(all.contains(n), "expected {n:?} in:\n{all}");
    }
    assert!(!all.contains("internal error"), "{all}");
    all
}

/// `liuhen serve` refuses to start (within a minute), naming each of `needles`.
fn serve_refuses(dir: &Path, needles: &[&str]) {
    let mut child = Command::new(bin())
        .args(["serve", "--data", dir.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .env("LIUHEN_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve started on a directory it should refuse: {}", dir.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "serve must refuse:\n{all}");
    for n in needles {
        assert!(all.contains(n), "expected {n:?} in:\n{all}");
    }
}

/// The first opening whose content contains `needle`, and the index of the entry committing
/// to it.
fn opening_with(conn: &rusqlite::Connection, needle: &str) -> (Vec<u8>, Vec<u8>, u64) {
    let (commitment, content): (Vec<u8>, Vec<u8>) = conn
        .query_row(
            "SELECT commitment, content FROM openings WHERE instr(CAST(content AS TEXT), ?1) > 0 LIMIT 1",
            [needle],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let hex: String = commitment.iter().map(|b| format!("{b:02x}")).collect();
    let index: i64 = conn
        .query_row("SELECT idx FROM log_entries WHERE instr(CAST(data AS TEXT), ?1) > 0", [&hex], |r| r.get(0))
        .unwrap();
    (commitment, content, index as u64)
}

/// On a fresh copy of the demo, the first opening whose content holds `needle` is changed by
/// `sql` (`?1` its new content from `edit`, `?2` its commitment); returns the copy, the index of
/// the entry that commits to it, and the commitment in hex.
fn change_opening(
    name: &str,
    needle: &str,
    sql: &str,
    edit: impl FnOnce(Vec<u8>) -> Vec<u8>,
) -> (tempfile::TempDir, PathBuf, u64, String) {
    let (t, d) = copy(name);
    let conn = shell(&d);
    let (commitment, content, index) = opening_with(&conn, needle);
    conn.execute(sql, rusqlite::params![edit(content), commitment]).unwrap();
    drop(conn);
    let hex: String = commitment.iter().map(|b| format!("{b:02x}")).collect();
    (t, d, index, hex)
}

const SET_CONTENT: &str = "UPDATE openings SET content = ?1 WHERE commitment = ?2";

#[test]
fn a_rewritten_opening_is_named_by_verify_and_refused_by_rebuild_and_the_case() {
    // The fine of a decision: 2,000 yuan rewritten to 200 behind the log's back.
    let (_t, d, index, hex) = change_opening("fine", "\"amount_fen\":", SET_CONTENT, |c| {
        String::from_utf8(c).unwrap().replacen("\"amount_fen\":", "\"amount_fen\":1", 1).into_bytes()
    });
    verify_names(&d, &[&format!("entry {index} ("), &format!("commitment {hex} does not match it")]);
    let out = run(&["rebuild", "--data", d.to_str().unwrap()]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "rebuild must refuse: {all}");
    assert!(all.contains(&format!("entry {index}")) && all.contains("does not match"), "{all}");
    assert!(!all.contains("internal error"), "{all}");

    // A party's identity number changed by one digit; a flipped bit anywhere; the salt.
    let one_digit = |mut c: Vec<u8>| {
        let at = c.windows(13).position(|w| w == b"\"id_number\":\"").unwrap() + 13;
        c[at] = if c[at] == b'1' { b'2' } else { b'1' };
        c
    };
    let flip = |mut c: Vec<u8>| {
        let mid = c.len() / 2;
        c[mid] ^= 0x04;
        c
    };
    let salt = "UPDATE openings SET salt = zeroblob(32) WHERE commitment = ?2 AND ?1 IS NOT NULL";
    for (name, needle, sql, edit) in [
        ("identity", "\"id_number\":\"1", SET_CONTENT, &one_digit as &dyn Fn(Vec<u8>) -> Vec<u8>),
        ("bit", "\"", SET_CONTENT, &flip),
        ("salt", "\"", salt, &|c| c),
    ] {
        let (_t, d, index, _) = change_opening(name, needle, sql, edit);
        verify_names(&d, &[&format!("entry {index} ("), "does not match it"]);
    }
    // A deleted one, an added one: each named.
    let (_t, d, index, _) =
        change_opening("deleted", "\"", "DELETE FROM openings WHERE commitment = ?2 AND ?1 IS NOT NULL", |c| c);
    verify_names(&d, &[&format!("entry {index} ("), "has no opening"]);
    let (_t, d) = copy("added");
    let conn = shell(&d);
    conn.execute("INSERT INTO openings (commitment, salt, content) VALUES (randomblob(32), randomblob(32), x'78')", [])
        .unwrap();
    drop(conn);
    verify_names(&d, &["1 openings belong to no entry"]);
}

/// A value of the same type that differs from `v`.
fn other(v: &Sql) -> Sql {
    match v {
        Sql::Integer(0) => Sql::Integer(1),
        Sql::Integer(1) => Sql::Integer(0),
        Sql::Integer(i) => Sql::Integer(i + 1),
        // JSON stays JSON (an index reads it), with one more key.
        Sql::Text(t) => match serde_json::from_str::<serde_json::Value>(t) {
            Ok(serde_json::Value::Object(mut m)) => {
                m.insert("tampered".to_string(), serde_json::Value::Bool(true));
                Sql::Text(serde_json::Value::Object(m).to_string())
            }
            _ => Sql::Text(format!("{t}改")),
        },
        Sql::Blob(b) => {
            let mut b = b.clone();
            match b.first_mut() {
                Some(x) => *x ^= 1,
                None => b.push(1),
            }
            Sql::Blob(b)
        }
        Sql::Real(f) => Sql::Real(f + 1.0),
        Sql::Null => Sql::Text("x".to_string()),
    }
}

#[test]
fn every_column_of_every_projection_is_compared_with_the_log() {
    // On a copy: opening the demo's own database would make files other tests' copies race with.
    let (_read, read) = copy("read");
    let conn = rusqlite::Connection::open(read.join("liuhen.db")).unwrap();
    let tables: Vec<String> = strings(
        &conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    let projections: Vec<&String> =
        tables.iter().filter(|t| !liuhen_store::NOT_PROJECTIONS.iter().any(|(n, _)| n == t)).collect();
    for want in ["users", "officers", "cases", "matters", "settings", "recordings", "blobs"] {
        assert!(projections.iter().any(|t| *t == want), "{want} is compared");
    }
    drop(conn);
    let mut tried = 0;
    for table in projections {
        // One copy per table: every column of one row changed, and the key of another.
        let (_t, d) = copy(table);
        let conn = shell(&d);
        let cols: Vec<(String, i64)> = conn
            .prepare(&format!("SELECT name, pk FROM pragma_table_info('{table}') ORDER BY cid"))
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let rowids: Vec<i64> = conn
            .prepare(&format!("SELECT rowid FROM \"{table}\" ORDER BY rowid LIMIT 2"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // The demo office began this year: it has no year's statistics to publish. Those rows
        // are compared by the same code as every table's (`table_query`, by the schema's columns).
        const DEMO_LACKS: [&str; 1] = ["annual_statistics"];
        if DEMO_LACKS.contains(&table.as_str()) {
            assert!(rowids.len() < 2, "the demo has {table} rows now: take it out of DEMO_LACKS");
            continue;
        }
        assert_eq!(rowids.len(), 2, "the demo has two rows of {table} to change");
        let key_of = |rowid: i64| -> String {
            let keys: Vec<String> = cols
                .iter()
                .filter(|(_, pk)| *pk > 0)
                .map(|(c, _)| {
                    let v: Sql = conn
                        .query_row(&format!("SELECT \"{c}\" FROM \"{table}\" WHERE rowid = ?1"), [rowid], |r| r.get(0))
                        .unwrap();
                    match v {
                        Sql::Text(t) => t,
                        Sql::Integer(i) => i.to_string(),
                        Sql::Blob(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
                        other => format!("{other:?}"),
                    }
                })
                .collect();
            keys.join("/")
        };
        let (first, second) = (key_of(rowids[0]), key_of(rowids[1]));
        let mut needles = Vec::new();
        for (c, pk) in &cols {
            let rowid = if *pk > 0 { rowids[1] } else { rowids[0] };
            let v: Sql = conn
                .query_row(&format!("SELECT \"{c}\" FROM \"{table}\" WHERE rowid = ?1"), [rowid], |r| r.get(0))
                .unwrap();
            let set = |x: Sql| {
                conn.execute(
                    &format!("UPDATE \"{table}\" SET \"{c}\" = ?1 WHERE rowid = ?2"),
                    rusqlite::params![x, rowid],
                )
            };
            // A NULL becomes a value of the column's type (a STRICT column takes no other).
            if let Err(e) = set(other(&v)) {
                assert_eq!(v, Sql::Null, "{table}.{c}: {e}");
                set(Sql::Integer(1)).unwrap();
            }
            if *pk == 0 {
                needles.push(format!("{table} {first}: column {c} differs from what the log records"));
            }
            tried += 1;
        }
        needles.push(format!("{table} {second} is in the log but not stored"));
        drop(conn);
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        verify_names(&d, &needles);
    }
    assert!(tried >= 40, "only {tried} columns tried");
}

#[test]
fn a_session_the_log_did_not_create_is_named() {
    let (_t, d) = copy("sessions");
    let conn = shell(&d);
    let head: String = conn.query_row("SELECT id FROM users WHERE username = 'zhangzhuren'", [], |r| r.get(0)).unwrap();
    // A session for the 负责人 made up in the shell, one for an account that never existed, and
    // the demo's real session stretched to next year.
    conn.execute(
        "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at, name) VALUES (randomblob(32), ?1, 0, 9e15, '')",
        [&head],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO sessions (token_sha256, user_id, created_at, expires_at, name) VALUES (randomblob(32), 'ghost', 0, 9e15, '')",
        [],
    )
    .unwrap();
    let one = "(SELECT MIN(rowid) FROM sessions WHERE name = '' AND user_id <> ?1 AND user_id <> 'ghost')";
    let extended = conn
        .execute(&format!("UPDATE sessions SET expires_at = expires_at + 31536000000 WHERE rowid = {one}"), [&head]);
    assert_eq!(extended.unwrap(), 1);
    // An API token renamed, and the 负责人's own session made to look older.
    assert_eq!(conn.execute("UPDATE sessions SET name = '采集工作站' WHERE name = 'tamper'", []).unwrap(), 1);
    let moved =
        "UPDATE sessions SET created_at = created_at - 100000 WHERE name = '' AND user_id = ?1 AND created_at > 0";
    assert!(conn.execute(moved, [&head]).unwrap() >= 1);
    drop(conn);
    verify_names(
        &d,
        &[
            "session",
            &format!("of account {head}: no entry of the log created it"),
            "belongs to account ghost, which the log never created",
            "it lasts longer than the log records",
            "its name is not the one the log records",
            "it was made at another time than the log records",
        ],
    );
    // The database's own idea of which log it is: named too (and serve refuses it).
    let (_t, d) = copy("origin");
    let conn = shell(&d);
    conn.execute("UPDATE meta SET value = 'liuhen.local/other' WHERE key = 'origin'", []).unwrap();
    drop(conn);
    verify_names(&d, &["meta.origin changed"]);
    serve_refuses(&d, &["liuhen.local/other"]);
    // The high-water mark deleted: a log that had one is refused without it.
    let (_t, d) = copy("mark");
    std::fs::remove_file(d.join("liuhen.db-mark")).unwrap();
    verify_names(&d, &["liuhen.db-mark is missing"]);
    serve_refuses(&d, &["liuhen.db-mark is missing"]);
    // `meta`'s note of the mark alone taken out: named (serve puts it back, and says so).
    let (_t, d) = copy("mark-note");
    shell(&d).execute("DELETE FROM meta WHERE key = 'mark'", []).unwrap();
    verify_names(&d, &["note that the log keeps a mark was removed"]);
    // The log cut back to an earlier size with its checkpoints, and the mark and `meta`'s note
    // of it deleted with it: the schema says it had a mark, so the cut is refused.
    let (_t, d) = copy("rolled-back");
    let conn = shell(&d);
    let size: i64 = conn.query_row("SELECT COUNT(*) FROM log_entries", [], |r| r.get(0)).unwrap();
    let cut = size / 2;
    conn.execute_batch(&format!(
        "DROP TRIGGER IF EXISTS log_entries_no_delete; DROP TRIGGER IF EXISTS log_checkpoints_no_delete; \
         DELETE FROM log_entries WHERE idx >= {cut}; DELETE FROM log_checkpoints WHERE size > {cut}; \
         DELETE FROM meta WHERE key = 'mark';"
    ))
    .unwrap();
    drop(conn);
    std::fs::remove_file(d.join("liuhen.db-mark")).unwrap();
    verify_names(&d, &["liuhen.db-mark is missing"]);
    serve_refuses(&d, &["liuhen.db-mark is missing"]);
    let out = run(&["rebuild", "--data", d.to_str().unwrap()]);
    assert!(!out.status.success(), "a rebuild vouches for the cut log");
    serve_refuses(&d, &["liuhen.db-mark is missing"]);
    // Refused before anything was mended: the triggers dropped to cut it are still dropped
    // (looked at without `shell`, which drops them).
    let dropped: i64 = rusqlite::Connection::open(d.join("liuhen.db"))
        .unwrap()
        .query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'log_entries_no_delete'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(dropped, 0, "serve mended what it then refused");
    // An entry taken from the middle, its trigger dropped and the record of migrations cut: serve
    // and rebuild refuse it as they find it, the traces left (helper 16).
    let (_t, d) = copy("middle");
    shell(&d)
        .execute_batch("DELETE FROM log_entries WHERE idx = 100; DELETE FROM schema_migrations WHERE version > 30;")
        .unwrap();
    serve_refuses(&d, &["entries were deleted"]);
    assert!(!run(&["rebuild", "--data", d.to_str().unwrap()]).status.success());
    let conn = rusqlite::Connection::open(d.join("liuhen.db")).unwrap();
    let trigger: i64 = conn
        .query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'log_entries_no_delete'", [], |r| r.get(0))
        .unwrap();
    let last: i64 = conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get(0)).unwrap();
    assert_eq!((trigger, last), (0, 30), "a refused database is left as it was found");
}

/// Another data directory's key file of the same name.
fn foreign_key(file: &str) -> Vec<u8> {
    static OTHER: OnceLock<PathBuf> = OnceLock::new();
    let other = OTHER.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep().join("other");
        let server = Server::start(&dir);
        stop(server);
        dir
    });
    std::fs::read(other.join(file)).unwrap()
}

#[test]
fn a_replaced_key_is_refused_at_start_and_named_by_verify() {
    for file in ["keys/ed25519", "keys/sm2", "keys/seal-sm2", "keys/seal-ed25519"] {
        let (_t, d) = copy(&file.replace('/', "-"));
        let pem_before = std::fs::read(d.join("seal-sm2.pem")).unwrap();
        std::fs::write(d.join(file), foreign_key(file)).unwrap();
        serve_refuses(&d, &[file]);
        verify_names(&d, &[file]);
        // Nothing rewrote the published key.
        assert_eq!(std::fs::read(d.join("seal-sm2.pem")).unwrap(), pem_before, "{file}");
    }
    // The published keys replaced instead: the checkpoints no longer verify, and serve sees the
    // private key does not match them.
    let (_t, d) = copy("log-pub");
    std::fs::write(d.join("log.pub"), foreign_key("log.pub")).unwrap();
    serve_refuses(&d, &["keys/ed25519 does not match the verifier key published in log.pub"]);
    verify_names(&d, &["checkpoint"]);
}

#[test]
fn serve_refuses_a_log_it_cannot_vouch_for() {
    // An entry inside a full tile deleted: the tiles and the root still check out.
    let (_t, d) = copy("deleted-entry");
    let conn = shell(&d);
    let size: i64 = conn.query_row("SELECT COUNT(*) FROM log_entries", [], |r| r.get(0)).unwrap();
    assert!(size > 256, "the demo fills a tile ({size} entries)");
    conn.execute("DELETE FROM log_entries WHERE idx = 100", []).unwrap();
    drop(conn);
    serve_refuses(&d, &["entries were deleted"]);
    verify_names(&d, &["entries 0..256 are not all in the database"]);

    // An entry of a full tile changed, its stored leaf recomputed to match.
    let (_t, d) = copy("releafed");
    let conn = shell(&d);
    let data: Vec<u8> = conn.query_row("SELECT data FROM log_entries WHERE idx = 120", [], |r| r.get(0)).unwrap();
    let mut changed = data.clone();
    let at = changed.windows(7).position(|w| w == b"\"time\":").unwrap() + 8;
    changed[at] = if changed[at] == b'1' { b'2' } else { b'1' };
    let leaf = liuhen_log::leaf_hash(&changed);
    conn.execute(
        "UPDATE log_entries SET data = ?1, leaf = ?2 WHERE idx = 120",
        rusqlite::params![changed, leaf.0.to_vec()],
    )
    .unwrap();
    drop(conn);
    serve_refuses(&d, &["entry 120: its leaf is not the one tile/0/000 holds"]);
    verify_names(&d, &["entry 120"]);

    // A 4 KiB page of random bytes in the middle of the database file.
    let (_t, d) = copy("page");
    let db = d.join("liuhen.db");
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 64 * 1024);
    let mid = bytes.len() / 2 / 4096 * 4096;
    let mut seed = 0x9e37_79b9_u32;
    for b in &mut bytes[mid..mid + 4096] {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        *b = seed as u8;
    }
    std::fs::write(&db, bytes).unwrap();
    serve_refuses(&d, &["the database file is damaged"]);
    verify_names(&d, &["the database file is damaged"]);
}

#[test]
fn receipts_name_every_acknowledged_entry_the_log_lost_or_replaced() {
    // A client keeps the receipts of its sign-ins.
    let (_t, d) = copy("receipts");
    let server = Server::start(&d);
    let agent = agent();
    let mut receipts = Vec::new();
    for _ in 0..5 {
        let (status, body) = login(&agent, &server.url, "wangming", "wangming-password-2").unwrap();
        assert_eq!(status, 200);
        receipts.push(body["receipt"].to_string());
    }
    // Every write answers with its receipts, too (base64 in `Liuhen-Receipt`).
    let token =
        sign_in_changing_password(&agent, &server.url, "wangming", "wangming-password-2", "wangming-password-3");
    let resp = agent
        .post(&format!("{}/api/tokens", server.url))
        .header("authorization", &format!("Bearer {token}"))
        .header("content-type", "application/json")
        .send(br#"{"name": "receipts", "days": 1}"#.as_slice())
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let header = resp.headers().get("liuhen-receipt").expect("a receipt header").to_str().unwrap().to_string();
    // … and names the entry it wrote (`Liuhen-Entry`), the receipt's own index.
    let entry: u64 = resp.headers().get("liuhen-entry").expect("an entry header").to_str().unwrap().parse().unwrap();
    {
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD.decode(&header).unwrap();
        let receipt: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
        assert_eq!(receipt["index"].as_u64(), Some(entry), "{receipt}");
    }
    receipts.push(header);
    stop(server);
    let file = d.join("receipts.txt");
    std::fs::write(&file, receipts.join("\n")).unwrap();
    let out = run(&["verify", "--data", d.to_str().unwrap(), "--receipts", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).contains("6 receipts checked"), "{}", text(&out.stdout));
    // OpenSSL and the shell alone check a receipt, JSON or header, with its entry's bytes.
    let conn = rusqlite::Connection::open(d.join("liuhen.db")).unwrap();
    for (n, r) in [(0, &receipts[0]), (5, &receipts[5])] {
        let json = if r.starts_with('{') {
            r.clone()
        } else {
            use base64::Engine;
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(r).unwrap()).unwrap()
        };
        let index = serde_json::from_str::<serde_json::Value>(&json).unwrap()["index"].as_i64().unwrap();
        let bytes: Vec<u8> =
            conn.query_row("SELECT data FROM log_entries WHERE idx = ?1", [index], |x| x.get(0)).unwrap();
        let (rf, ef) = (d.join(format!("receipt-{n}")), d.join(format!("entry-{n}")));
        let script = |keys: &Path, entry: Option<&Path>| {
            let mut c = Command::new(repo_root().join("scripts/verify-receipt"));
            c.arg(&rf).arg(keys);
            if let Some(e) = entry {
                c.arg(e);
            }
            c.output().unwrap()
        };
        std::fs::write(&rf, r).unwrap();
        std::fs::write(&ef, &bytes).unwrap();
        let out = script(&d.join("log.pub"), Some(&ef));
        assert!(
            out.status.success() && text(&out.stdout).contains("VERIFIED"),
            "{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        // Another entry's bytes, or another log's keys: refused.
        std::fs::write(&ef, b"{}").unwrap();
        let out = script(&d.join("log.pub"), Some(&ef));
        assert!(!out.status.success(), "{}", text(&out.stdout));
        // Its leaf changed: the path no longer leads to the signed root.
        let mut forged: serde_json::Value = serde_json::from_str(&json).unwrap();
        forged["leaf"] = serde_json::Value::from("11".repeat(32));
        std::fs::write(&rf, liuhen_log::receipt::Receipt::from_json(&forged.to_string()).unwrap().to_json()).unwrap();
        let out = script(&d.join("log.pub"), None);
        assert!(text(&out.stderr).contains("does not lead from the leaf"), "{}", text(&out.stderr));
        std::fs::write(&rf, r).unwrap();
        let other = d.join("other.pub");
        std::fs::write(&other, foreign_key("log.pub")).unwrap();
        let out = script(&other, None);
        assert!(!out.status.success(), "{}", text(&out.stdout));
    }
    drop(conn);

    // Entries acknowledged by receipts replaced behind the log's back, and the last ones gone
    // with the mark rewritten to match: the receipts still name each.
    let conn = shell(&d);
    let size: i64 = conn.query_row("SELECT MAX(idx) + 1 FROM log_entries", [], |r| r.get(0)).unwrap();
    let index = |r: &str| -> i64 {
        let json = if r.starts_with('{') {
            r.to_string()
        } else {
            use base64::Engine;
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(r).unwrap()).unwrap()
        };
        serde_json::from_str::<serde_json::Value>(&json).unwrap()["index"].as_i64().unwrap()
    };
    let first = index(&receipts[0]);
    conn.execute("UPDATE log_entries SET data = CAST(replace(CAST(data AS TEXT), 'auth.login', 'auth.logon') AS BLOB) WHERE idx = ?1", [first]).unwrap();
    conn.execute("DELETE FROM log_entries WHERE idx >= ?1", [size - 2]).unwrap();
    drop(conn);
    std::fs::remove_file(d.join("liuhen.db-mark")).unwrap();
    let out = run(&["verify", "--data", d.to_str().unwrap(), "--receipts", file.to_str().unwrap()]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains(&format!("entry {first} is not the entry its receipt acknowledged")), "{all}");
    let gone: Vec<i64> = receipts.iter().map(|r| index(r)).filter(|i| *i >= size - 2).collect();
    assert!(!gone.is_empty());
    assert!(all.contains(&format!("{} acknowledged entries are not in the log", gone.len())), "{all}");

    // A receipt of another log, or one altered, does not verify.
    let mut forged: serde_json::Value = serde_json::from_str(&receipts[1]).unwrap();
    forged["leaf"] = serde_json::Value::from("00".repeat(32));
    std::fs::write(&file, forged.to_string()).unwrap();
    let out = run(&["verify", "--data", d.to_str().unwrap(), "--receipts", file.to_str().unwrap()]);
    assert!(text(&out.stderr).contains("receipt on line 1"), "{}", text(&out.stderr));
}

#[test]
fn a_changed_opening_of_every_kind_of_entry_is_named() {
    // Every kind of entry of the demo that commits to content: one of its openings, one byte
    // changed, on a copy of its own.
    // On a copy: opening the demo's own database would make files other tests' copies race with.
    let (_read, read) = copy("read");
    let conn = rusqlite::Connection::open(read.join("liuhen.db")).unwrap();
    let mut kinds: std::collections::BTreeMap<String, (u64, Vec<u8>)> = std::collections::BTreeMap::new();
    let mut stmt = conn.prepare("SELECT idx, data FROM log_entries ORDER BY idx").unwrap();
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))).unwrap() {
        let (idx, data) = row.unwrap();
        let e = liuhen_log::Entry::decode(&data).unwrap();
        if let Some(c) = e.commits().first() {
            kinds.entry(e.action().to_string()).or_insert((idx as u64, c.0.to_vec()));
        }
    }
    drop(stmt);
    drop(conn);
    for want in
        ["user.", "case.", "document.", "recording.", "device.", "auth.token_create", "auth.login_failed", "access."]
    {
        assert!(kinds.keys().any(|k| k.starts_with(want)), "the demo has {want} entries: {:?}", kinds.keys());
    }
    assert!(kinds.len() >= 12, "{:?}", kinds.keys().collect::<Vec<_>>());
    for (action, (index, commitment)) in &kinds {
        let (_t, d) = copy(&action.replace('.', "-"));
        let conn = shell(&d);
        let mut content: Vec<u8> =
            conn.query_row("SELECT content FROM openings WHERE commitment = ?1", [commitment], |r| r.get(0)).unwrap();
        let last = content.len() - 1;
        content[last / 2] ^= 0x20;
        conn.execute("UPDATE openings SET content = ?1 WHERE commitment = ?2", rusqlite::params![content, commitment])
            .unwrap();
        drop(conn);
        verify_names(&d, &[&format!("entry {index} ({action}"), "does not match it"]);
    }
}

/// `liuhen verify --data` exits 0.
fn verifies(dir: &Path) {
    let out = run(&["verify", "--data", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
}

/// A projection table dropped or a column of one dropped with a SQLite shell, a view added:
/// `verify` names each, and the next `serve` says what it found, makes the tables again and
/// rebuilds them from the log before anything reads them — after which the directory verifies.
/// A table of the log's own dropped is refused; accounts deleted are refused too, not answered
/// with a new administrator for whoever deleted them; the migrations' record changed is put back.
#[test]
fn a_table_dropped_with_a_shell_is_named_and_rebuilt_from_the_log_or_refused() {
    let (_t, d) = copy("dropped");
    let conn = shell(&d);
    let tables: Vec<String> = strings(
        &conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    let projections: Vec<&String> =
        tables.iter().filter(|t| !liuhen_store::NOT_PROJECTIONS.iter().any(|(n, _)| n == t)).collect();
    assert!(projections.len() >= 13, "{projections:?}");
    // Every projection but two dropped; the version of those two taken out; a view put in;
    // the migrations' last record and the sessions dropped.
    let mut needles = Vec::new();
    for t in projections.iter().filter(|t| !["devices", "recordings"].contains(&t.as_str())) {
        conn.execute(&format!("DROP TABLE \"{t}\""), []).unwrap();
        needles.push(format!("schema: table {t} is missing"));
    }
    for t in ["devices", "recordings"] {
        conn.execute(&format!("ALTER TABLE {t} DROP COLUMN version"), []).unwrap();
        needles.push(format!("schema: table {t} lacks its column(s) version"));
    }
    conn.execute_batch("CREATE VIEW everyone AS SELECT * FROM log_entries; DROP TABLE sessions;").unwrap();
    drop(conn);
    let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
    let all = verify_names(&d, &needles);
    assert!(all.contains("view everyone is not one liuhen makes"), "{all}");
    assert!(all.contains("table sessions is missing"), "{all}");
    // Served: made again and rebuilt; the demo's accounts sign in as before.
    let server = Server::start(&d);
    let (status, _) = login(&agent(), &server.url, "wangming", "wangming-password-2").unwrap();
    assert_eq!(status, 200);
    stop(server);
    verifies(&d);

    // The log's own tables are not made up: the database is refused.
    for (table, sql) in [
        ("log_checkpoints", "DROP TABLE log_checkpoints"),
        ("openings", "DROP TABLE openings"),
        ("log_entries", "ALTER TABLE log_entries RENAME TO entries"),
    ] {
        let (_t, d) = copy(table);
        shell(&d).execute(sql, []).unwrap();
        verify_names(&d, &[&format!("table {table} is missing"), "backup"]);
        serve_refuses(&d, &[&format!("table {table} is missing"), "backup"]);
    }
    // The record of migrations and meta: a row taken out of the middle, a migration made up,
    // a key liuhen does not write — each named; a made-up later migration refused at start.
    let (_t, d) = copy("records");
    shell(&d)
        .execute_batch(
            "DELETE FROM schema_migrations WHERE version = 20; INSERT INTO schema_migrations VALUES (99, 0); \
             INSERT INTO meta VALUES ('evil', '1');",
        )
        .unwrap();
    verify_names(
        &d,
        &["lacks migration(s) 20", "migration 99, which this liuhen does not have", "meta holds \"evil\""],
    );
    serve_refuses(&d, &["migration 99"]);
    // The record cut at its end and a log trigger dropped: the schema is not taken for an
    // older one, and the dropped trigger is named with the cut.
    let (_t, d) = copy("cut-and-trigger");
    rusqlite::Connection::open(d.join("liuhen.db"))
        .unwrap()
        .execute_batch(
            "DELETE FROM schema_migrations WHERE version >= (SELECT MAX(version) - 1 FROM schema_migrations); \
             DROP TRIGGER log_entries_no_update;",
        )
        .unwrap();
    verify_names(&d, &["though the schema shows migration", "log_entries_no_update"]);
    // meta's note of the mark changed, not removed; a document's JSON written otherwise (a
    // space added, a key given twice): each named though it reads the same (helper 18).
    let (_t, d) = copy("written-otherwise");
    shell(&d)
        .execute_batch(
            "UPDATE meta SET value = 'x' WHERE key = 'mark'; \
             UPDATE documents SET data = data || ' ' WHERE rowid = (SELECT MIN(rowid) FROM documents); \
             UPDATE documents SET data = '{\"case\":\"elsewhere\",' || substr(data, 2) \
               WHERE rowid = (SELECT MAX(rowid) FROM documents);",
        )
        .unwrap();
    let out = verify_names(&d, &["meta's \"mark\" holds x", "the same JSON written otherwise"]);
    assert_eq!(out.matches("the same JSON written otherwise").count(), 2, "{out}");
    // A projection made again with its columns as they were but a constraint dropped (the
    // 案号's UNIQUE, which alone kept a number from being given twice): named, and made again
    // by the next start (helper 19).
    let (_t, d) = copy("unique-dropped");
    let conn = shell(&d);
    let sql: String = conn.query_row("SELECT sql FROM sqlite_master WHERE name = 'cases'", [], |r| r.get(0)).unwrap();
    let loose = sql.replacen("case_no    TEXT NOT NULL UNIQUE", "case_no    TEXT NOT NULL", 1);
    assert_ne!(loose, sql, "the test's edit applies");
    conn.execute_batch(&format!(
        "{}; INSERT INTO cases_loose SELECT * FROM cases; DROP TABLE cases; ALTER TABLE cases_loose RENAME TO cases;",
        loose.replacen("CREATE TABLE cases", "CREATE TABLE cases_loose", 1)
    ))
    .unwrap();
    drop(conn);
    verify_names(&d, &["table cases is not defined as made"]);
    let server = Server::start(&d);
    stop(server);
    verifies(&d);
    // An older checkpoint changed (its root, its note's text, its time): every stored one is
    // checked, not only the newest (helper 19).
    let (_t, d) = copy("old-checkpoints");
    let conn = shell(&d);
    let sizes: Vec<i64> = conn
        .prepare("SELECT size FROM log_checkpoints ORDER BY size")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(sizes.len() >= 3, "the fixture signed checkpoints as it grew: {sizes:?}");
    conn.execute("UPDATE log_checkpoints SET root = zeroblob(32) WHERE size = ?1", [sizes[0]]).unwrap();
    conn.execute("UPDATE log_checkpoints SET note = replace(note, '—', '-') || ' ' WHERE size = ?1", [sizes[1]])
        .unwrap();
    conn.execute("UPDATE log_checkpoints SET signed_at = 0 WHERE size = ?1", [sizes[2]]).unwrap();
    drop(conn);
    verify_names(
        &d,
        &[
            &format!("the checkpoint of {} entries: its row's size or root is not its signed note's", sizes[0]),
            &format!("the checkpoint of {} entries: its note does not verify", sizes[1]),
            &format!("the checkpoint of {} entries: signed before the checkpoint before it", sizes[2]),
        ],
    );
    let (_t, d) = copy("origin");
    shell(&d).execute("DELETE FROM meta WHERE key = 'origin'", []).unwrap();
    verify_names(&d, &["its origin was removed"]);
    // The record of the migrations that ran, its last row or the whole table taken out: put
    // back from the schema itself, not the migrations run again on what they made.
    for (name, sql) in [
        (
            "last-migration",
            "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)",
        ),
        ("migrations", "DROP TABLE schema_migrations"),
    ] {
        let (_t, d) = copy(name);
        shell(&d).execute(sql, []).unwrap();
        verify_names(&d, &["migration"]);
        let server = Server::start(&d);
        stop(server);
        verifies(&d);
    }
    // The log emptied (and its high-water mark removed), or the database removed with it: no
    // new log under the same keys for whatever is left.
    let (_t, d) = copy("emptied");
    let conn = shell(&d);
    conn.execute_batch(
        "DELETE FROM log_entries; DELETE FROM log_checkpoints; DELETE FROM log_tiles; DELETE FROM openings; \
         DELETE FROM users;",
    )
    .unwrap();
    drop(conn);
    std::fs::remove_file(d.join("liuhen.db-mark")).unwrap();
    serve_refuses(&d, &["is empty but the blob store", "backup"]);
    // … the blobs removed too: the accounts left say it.
    std::fs::remove_dir_all(d.join("blobs")).unwrap();
    serve_refuses(&d, &["the log is empty but the database holds", "backup"]);
    let (_t, d) = copy("removed");
    for f in ["liuhen.db", "liuhen.db-mark", "liuhen.db-wal", "liuhen.db-shm"] {
        let _ = std::fs::remove_file(d.join(f));
    }
    serve_refuses(&d, &["liuhen.db is missing", "backup"]);
    // Every table emptied in place, the blobs kept; or the database and the blobs removed, the
    // keys kept: a new log under the office's keys would fork the one it signed.
    let (_t, d) = copy("emptied-whole");
    let conn = shell(&d);
    let tables: Vec<String> = strings(
        &conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'case_terms%' \
         AND name NOT IN ('meta', 'schema_migrations')",
    );
    for t in tables {
        conn.execute(&format!("DELETE FROM \"{t}\""), []).unwrap();
    }
    drop(conn);
    std::fs::remove_file(d.join("liuhen.db-mark")).unwrap();
    serve_refuses(&d, &["is empty but the blob store", "backup"]);
    let (_t, d) = copy("removed-with-blobs");
    for f in ["liuhen.db", "liuhen.db-mark", "liuhen.db-wal", "liuhen.db-shm"] {
        let _ = std::fs::remove_file(d.join(f));
    }
    std::fs::remove_dir_all(d.join("blobs")).unwrap();
    serve_refuses(&d, &["is missing beside the office's keys", "backup"]);
    // Every account deleted: no new administrator for whoever did it.
    let (_t, d) = copy("accounts");
    shell(&d).execute("DELETE FROM users", []).unwrap();
    serve_refuses(&d, &["no account", "liuhen rebuild"]);
    verify_names(&d, &["users"]);
}
