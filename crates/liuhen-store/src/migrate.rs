//! Schema migrations, embedded in the binary and applied in order; existing migrations are
//! never edited, only new ones added.

use sqlx::{Connection, SqliteConnection};

const SQLITE: &[(i64, &str)] =
    &[(1, include_str!("../migrations/sqlite/0001_log.sql")), (2, include_str!("../migrations/sqlite/0002_users.sql"))];

pub(crate) async fn migrate_sqlite(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    for (version, sql) in SQLITE {
        let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(version)
            .fetch_optional(&mut *conn)
            .await?;
        if done.is_some() {
            continue;
        }
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(*sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(version)
            .bind(crate::sqlite::now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}
