//! Schema migrations, embedded in the binary and applied in order; existing migrations are
//! never edited, only new ones added.

use rusqlite::{Connection, OptionalExtension};

const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_log.sql")),
    (2, include_str!("../migrations/sqlite/0002_users.sql")),
    (3, include_str!("../migrations/sqlite/0003_cases.sql")),
    (4, include_str!("../migrations/sqlite/0004_matters.sql")),
    (5, include_str!("../migrations/sqlite/0005_settings.sql")),
    (6, include_str!("../migrations/sqlite/0006_access.sql")),
    (7, include_str!("../migrations/sqlite/0007_tokens.sql")),
    (8, include_str!("../migrations/sqlite/0008_confidentiality.sql")),
    (9, include_str!("../migrations/sqlite/0009_totp.sql")),
    (10, include_str!("../migrations/sqlite/0010_recordings.sql")),
    (11, include_str!("../migrations/sqlite/0011_recording_fingerprint.sql")),
    (12, include_str!("../migrations/sqlite/0012_sessions_in_the_log.sql")),
    (13, include_str!("../migrations/sqlite/0013_throttle.sql")),
    (14, include_str!("../migrations/sqlite/0014_pending_roles.sql")),
    (15, include_str!("../migrations/sqlite/0015_display_name.sql")),
    (16, include_str!("../migrations/sqlite/0016_row_versions.sql")),
    (17, include_str!("../migrations/sqlite/0017_case_search.sql")),
    (18, include_str!("../migrations/sqlite/0018_entries_by_actor.sql")),
    (19, include_str!("../migrations/sqlite/0019_case_deadlines.sql")),
    (20, include_str!("../migrations/sqlite/0020_case_tasks.sql")),
    (21, include_str!("../migrations/sqlite/0021_case_counted_at.sql")),
    (22, include_str!("../migrations/sqlite/0022_av_deadlines.sql")),
    (23, include_str!("../migrations/sqlite/0023_recordings_by_time.sql")),
    (24, include_str!("../migrations/sqlite/0024_settings_by_case.sql")),
    (25, include_str!("../migrations/sqlite/0025_entries_by_actor_family.sql")),
    (26, include_str!("../migrations/sqlite/0026_case_tasks_by_role.sql")),
    (27, include_str!("../migrations/sqlite/0027_case_entries_by_family.sql")),
    (28, include_str!("../migrations/sqlite/0028_matters_by_name.sql")),
    (29, include_str!("../migrations/sqlite/0029_cases_search.sql")),
    (30, include_str!("../migrations/sqlite/0030_devices.sql")),
    (31, include_str!("../migrations/sqlite/0031_case_terms.sql")),
    (32, include_str!("../migrations/sqlite/0032_record_marks.sql")),
    (33, include_str!("../migrations/sqlite/0033_documents.sql")),
    (34, include_str!("../migrations/sqlite/0034_cases_by_update_covering.sql")),
    (35, include_str!("../migrations/sqlite/0035_case_terms_any_case.sql")),
    (36, include_str!("../migrations/sqlite/0036_publications.sql")),
    (37, include_str!("../migrations/sqlite/0037_signing_keys.sql")),
    (38, include_str!("../migrations/sqlite/0038_doc_numbers.sql")),
    (39, include_str!("../migrations/sqlite/0039_annual_statistics.sql")),
    (40, include_str!("../migrations/sqlite/0040_party_inspections.sql")),
    (41, include_str!("../migrations/sqlite/0041_case_files.sql")),
    (42, include_str!("../migrations/sqlite/0042_retention_and_disposal.sql")),
];

/// The first schema whose projections an older database lacks (row versions, the case list's
/// search fields, case deadlines; the records' marks, a row each; the documents' own table; the
/// publications', the signing keys', the 文号 register's, the published statistics', the
/// parties' inspections' and the case files' own tables; a case's time of closing; a file's end
/// of retention and a recording's state of disposal): a database migrated from before it is
/// rebuilt from its log.
pub const REBUILD_BEFORE: i64 = 42;

/// The `meta` key that marks projections a migration left to be rebuilt from the log.
pub(crate) const STALE_PROJECTIONS: &str = "projections";

/// The first schema whose liuhen kept a high-water mark (`DATA/liuhen.db-mark`) from the first
/// open: a database found at it or later had a mark, and one missing was taken away.
pub(crate) const MARKED_SINCE: i64 = 13;

/// The schema this build writes: its last migration.
pub(crate) fn latest() -> i64 {
    SQLITE.last().map_or(0, |(v, _)| *v)
}

/// Applies the migrations not yet applied; the schema version found before them (0: new).
pub(crate) fn migrate_sqlite(conn: &mut Connection) -> rusqlite::Result<i64> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        [],
    )?;
    let found: i64 = conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
    for (version, sql) in SQLITE {
        let done: Option<i64> = conn
            .query_row("SELECT version FROM schema_migrations WHERE version = ?1", [version], |r| r.get(0))
            .optional()?;
        if done.is_some() {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        // A database that had projections before one they lack: marked, with the migration,
        // until a rebuild installs them — a process stopped before it rebuilds finds the mark.
        if *version == REBUILD_BEFORE && found > 0 {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, 'stale') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [STALE_PROJECTIONS],
            )?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            [*version, crate::sqlite::now_ms()],
        )?;
        tx.commit()?;
    }
    Ok(found)
}

/// The schema's objects of `conn` (type, name, SQL), SQLite's own and the migrations' record
/// left out: what a database migrated to a version holds, whatever its rows.
fn schema_objects(conn: &Connection) -> rusqlite::Result<std::collections::BTreeSet<(String, String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' \
         AND name != 'schema_migrations'",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// The record of which migrations ran (`schema_migrations`), its rows taken out or the table
/// dropped with a SQLite shell, made true again from the schema itself: the migrations run
/// again would fail on what they made (and a database so changed would never open again). The
/// schema's tables are compared with those each version of the migrations makes; of the
/// versions whose tables they are, the last one something the database holds shows ran (an
/// index or trigger that version made, as it made it — a shell may have dropped others, which
/// the open makes again after). The rows of that version and those before it are put back, and
/// what was put back is said. A database whose tables are like no version's is left as it is,
/// for the migrations to say what fails.
pub(crate) fn restore_record(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        [],
    )?;
    let recorded = recorded(conn)?;
    if SQLITE.iter().all(|(v, _)| recorded.contains(v)) {
        return Ok(None);
    }
    let Some((version, missing)) = unrecorded(conn, &recorded)? else { return Ok(None) };
    for v in &missing {
        conn.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            [*v, crate::sqlite::now_ms()],
        )?;
    }
    Ok(Some(format!(
        "the record of the migrations that ran lacked {} of the {version} the schema shows ran (changed outside liuhen): \
         put back",
        missing.len()
    )))
}

/// The last migration the schema of `conn` shows ran (see [`restore_record`]), and those up to
/// it that `recorded` lacks; `None` when it lacks none, or the tables are like no version's.
pub(crate) fn unrecorded(
    conn: &Connection,
    recorded: &std::collections::BTreeSet<i64>,
) -> rusqlite::Result<Option<(i64, Vec<i64>)>> {
    let have = schema_objects(conn)?;
    if have.is_empty() {
        return Ok(None);
    }
    let tables = |s: &std::collections::BTreeSet<(String, String, String)>| -> Vec<(String, String, String)> {
        s.iter().filter(|(kind, _, _)| kind == "table").cloned().collect()
    };
    let have_tables = tables(&have);
    // The schema each version makes, from the first migration on, in one scratch database.
    let fresh = Connection::open_in_memory()?;
    let mut before = std::collections::BTreeSet::new();
    let mut matched = None;
    for (version, sql) in SQLITE {
        fresh.execute_batch(sql)?;
        let after = schema_objects(&fresh)?;
        if tables(&after) == have_tables {
            let shown = after.difference(&before).any(|o| have.contains(o));
            if shown || matched.is_none() {
                matched = Some(*version);
            }
        }
        before = after;
    }
    let Some(version) = matched else { return Ok(None) };
    let missing: Vec<i64> = SQLITE.iter().map(|(v, _)| *v).filter(|v| *v <= version && !recorded.contains(v)).collect();
    Ok((!missing.is_empty()).then_some((version, missing)))
}

/// The versions the record of migrations (`schema_migrations`) holds.
pub(crate) fn recorded(conn: &Connection) -> rusqlite::Result<std::collections::BTreeSet<i64>> {
    let mut stmt = conn.prepare("SELECT version FROM schema_migrations")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// What is wrong with the record of migrations `recorded`, a line each: a migration this liuhen
/// does not have, one missing among those it shows ran (a database of an older schema, whose
/// record stops before the last, lacks none).
pub(crate) fn record_problems(recorded: &std::collections::BTreeSet<i64>) -> Vec<String> {
    let mut out = Vec::new();
    for v in recorded.iter().filter(|v| !SQLITE.iter().any(|(x, _)| x == *v)) {
        out.push(format!("schema_migrations records migration {v}, which this liuhen does not have"));
    }
    let last = recorded.iter().copied().filter(|v| *v <= latest()).max().unwrap_or(0);
    let missing: Vec<String> =
        SQLITE.iter().map(|(v, _)| *v).filter(|v| *v < last && !recorded.contains(v)).map(|v| v.to_string()).collect();
    if !missing.is_empty() {
        out.push(format!(
            "schema_migrations lacks migration(s) {} though later ones ran: its rows were taken out",
            missing.join(", ")
        ));
    }
    out
}
