//! SQLite connection pools (one file per concern under the data directory).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// Opens (creating if needed) the database file at `path`.
///
/// WAL lets readers proceed while a write commits; the busy timeout makes concurrent
/// writers wait for each other instead of failing with SQLITE_BUSY.
pub async fn open(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
}

/// Migrations of the proxy's own database (`proxy.sqlite`: users, sessions, flows, encrypted
/// tokens, idempotency records).
static PROXY_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/proxy");

/// Brings `proxy.sqlite` (or an in-memory test database) up to date; a no-op once applied, so
/// every store that shares the pool may call it.
pub async fn migrate_proxy(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    PROXY_MIGRATOR
        .run(pool)
        .await
        .map_err(|e| sqlx::Error::Migrate(Box::new(e)))
}
