//! SQLite files under the data directory (the proxy's own store, the sandbox mailbox, the
//! development sign-in server): how they are created and opened.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// Creates the data directory (and missing parents) owner-only, mode 0700. An existing
/// directory is left as its owner set it up.
pub fn create_data_dir(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Opens (creating if needed) the database file at `path`.
///
/// WAL lets readers proceed while a write commits; the busy timeout makes concurrent
/// writers wait for each other instead of failing with SQLITE_BUSY.
pub async fn open(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options(path)?)
        .await
}

/// How every database file is opened (owner-only, created if missing, WAL, busy timeout).
pub fn options(path: &Path) -> Result<SqliteConnectOptions, sqlx::Error> {
    restrict_to_owner(path)?;
    Ok(SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10)))
}

/// The databases hold sessions, encrypted tokens and mailbox items: only the proxy's own user
/// may read them, like the token key file. The file is created with mode 0600 before SQLite
/// opens it (SQLite would use 0644 less the umask, and gives its `-wal` and `-shm` files the
/// database's mode); files left readable by an earlier version are tightened.
#[cfg(unix)]
fn restrict_to_owner(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict_to_owner(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
