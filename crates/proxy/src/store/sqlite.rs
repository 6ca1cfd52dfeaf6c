//! The embedded default: `<data_dir>/proxy.sqlite`, one writer connection and several readers.

use std::path::Path;

use sqlx::sqlite::{SqlitePoolOptions, SqliteSynchronous};

use super::group_commit::GroupCommit;
use super::sql::{Pools, SqlStore};
use crate::auth::store::StoreResult;

/// Connections that only read; WAL lets them run while the writer commits.
const READERS: u32 = 8;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

pub(super) async fn open(path: &Path) -> StoreResult<SqlStore> {
    let options = crate::db::options(path)?;
    // FULL: a commit returns once the WAL is on disk, so a key claimed (and then an item
    // created in Exchange) survives a power loss too; NORMAL would survive a crash of the
    // process only. Group commit shares each sync among the writes of concurrent requests.
    let writes = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone().synchronous(SqliteSynchronous::Full))
        .await?;
    MIGRATOR.run(&writes).await?;
    let reads = SqlitePoolOptions::new()
        .max_connections(READERS)
        .connect_with(options)
        .await?;
    Ok(SqlStore {
        pools: Pools::Sqlite {
            reads,
            group_commit: GroupCommit::start(writes.clone()),
            writes,
        },
    })
}
