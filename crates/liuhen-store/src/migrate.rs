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
];

/// The first schema whose projections an older database lacks (row versions, the case list's
/// search fields, case deadlines; the records' marks, a row each; the documents' own table): a
/// database migrated from before it is rebuilt from its log.
pub const REBUILD_BEFORE: i64 = 33;

/// The `meta` key that marks projections a migration left to be rebuilt from the log.
pub(crate) const STALE_PROJECTIONS: &str = "projections";

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
