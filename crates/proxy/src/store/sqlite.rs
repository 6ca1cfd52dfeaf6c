//! The embedded default: `<data_dir>/proxy.sqlite`, one writer connection and several readers.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use super::sql::{Pools, SqlStore};
use crate::auth::store::StoreResult;

/// Connections that only read; WAL lets them run while the writer commits.
const READERS: u32 = 8;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub(super) async fn open(path: &Path) -> StoreResult<SqlStore> {
    let options = crate::db::options(path)?;
    let writes = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await?;
    MIGRATOR.run(&writes).await?;
    let reads = SqlitePoolOptions::new()
        .max_connections(READERS)
        .connect_with(options)
        .await?;
    Ok(SqlStore {
        pools: Pools::Sqlite { reads, writes },
    })
}

pub(super) async fn in_memory() -> StoreResult<SqlStore> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
    // One connection for both: every connection to ":memory:" is a database of its own.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(SqlStore {
        pools: Pools::Sqlite {
            reads: pool.clone(),
            writes: pool,
        },
    })
}
