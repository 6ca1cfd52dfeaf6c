//! SQLite storage of the sandbox mailboxes, shared by every protocol front end.
//!
//! The API is protocol-neutral: an item is a row of searchable columns (folder, subject, UTC
//! start and end, client request id, meeting UID) plus its document, the item's full content
//! as JSON in the mailbox's item model (`items`); no SOAP passes through here. Every query is
//! scoped by mailbox: one user can never see or touch another user's items, exactly as with
//! separate Exchange mailboxes.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::{FromRow, SqlitePool};

/// Migrations are compiled into the binary so the sandbox needs no files next to it.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/mailbox");

/// One stored item: the searchable columns plus the item's document (JSON).
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct ItemRecord {
    pub id: String,
    pub change_key: String,
    pub mailbox: String,
    pub folder: String,
    pub item_class: String,
    pub subject: String,
    pub start_utc: Option<String>,
    pub end_utc: Option<String>,
    pub client_request_id: Option<String>,
    pub data: String,
    pub created_at: String,
    pub updated_at: String,
    /// iCalendar UID shared by a meeting's copies in several mailboxes.
    pub uid: Option<String>,
    /// A recurring master (its Start/End are the first occurrence's).
    pub recurring: bool,
}

/// Result of a conditional write.
#[derive(Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    Done,
    NotFound,
    /// The stored ChangeKey differs from the one the client sent.
    ChangeKeyMismatch,
}

/// A page of a listing plus how many items match in total.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<ItemRecord>,
    pub total: u32,
}

#[derive(Clone)]
pub struct ItemStore {
    pool: SqlitePool,
}

/// Fixed-width UTC so that SQLite's text comparison orders instants correctly.
pub fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl ItemStore {
    /// The store on `pool`, its schema brought up to date.
    pub async fn new(pool: SqlitePool) -> Result<Self, sqlx::Error> {
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    pub async fn insert(&self, item: &ItemRecord) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO items (id, change_key, mailbox, folder, item_class, subject, start_utc, end_utc,
                                client_request_id, data, created_at, updated_at, uid, recurring)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&item.id)
        .bind(&item.change_key)
        .bind(&item.mailbox)
        .bind(&item.folder)
        .bind(&item.item_class)
        .bind(&item.subject)
        .bind(&item.start_utc)
        .bind(&item.end_utc)
        .bind(&item.client_request_id)
        .bind(&item.data)
        .bind(&item.created_at)
        .bind(&item.updated_at)
        .bind(&item.uid)
        .bind(item.recurring)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn get(&self, mailbox: &str, id: &str) -> Result<Option<ItemRecord>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM items WHERE mailbox = ? AND id = ?")
            .bind(mailbox)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Calendar items overlapping `[start, end)`, by start time; at most `limit`.
    pub async fn calendar_view(
        &self,
        mailbox: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        limit: u32,
    ) -> Result<Page, sqlx::Error> {
        let (start, end) = (instant(start), instant(end));
        let filter = "FROM items WHERE mailbox = ? AND folder = 'calendar' AND recurring = 0 AND start_utc < ? AND end_utc > ?";
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {filter}"))
            .bind(mailbox)
            .bind(&end)
            .bind(&start)
            .fetch_one(&self.pool)
            .await?;
        let items = sqlx::query_as(&format!(
            "SELECT * {filter} ORDER BY start_utc, end_utc, created_at, rowid LIMIT ?"
        ))
        .bind(mailbox)
        .bind(&end)
        .bind(&start)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            items,
            total: u32::try_from(total).unwrap_or(u32::MAX),
        })
    }

    /// Items of a folder in creation order (`newest_first`: the reverse), `limit` from
    /// `offset` (IndexedPageItemView).
    pub async fn list(
        &self,
        mailbox: &str,
        folder: &str,
        offset: u32,
        limit: u32,
        newest_first: bool,
    ) -> Result<Page, sqlx::Error> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE mailbox = ? AND folder = ?")
                .bind(mailbox)
                .bind(folder)
                .fetch_one(&self.pool)
                .await?;
        let order = if newest_first {
            "created_at DESC, rowid DESC"
        } else {
            "created_at, rowid"
        };
        let items = sqlx::query_as(&format!(
            "SELECT * FROM items WHERE mailbox = ? AND folder = ? ORDER BY {order} LIMIT ? OFFSET ?"
        ))
        .bind(mailbox)
        .bind(folder)
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            items,
            total: u32::try_from(total).unwrap_or(u32::MAX),
        })
    }

    /// Recurring masters of a calendar whose series starts before `before`.
    pub async fn recurring_masters(
        &self,
        mailbox: &str,
        before: DateTime<Utc>,
    ) -> Result<Vec<ItemRecord>, sqlx::Error> {
        sqlx::query_as(
            "SELECT * FROM items WHERE mailbox = ? AND folder = 'calendar' AND recurring = 1 AND start_utc < ?
             ORDER BY start_utc, rowid",
        )
        .bind(mailbox)
        .bind(instant(before))
        .fetch_all(&self.pool)
        .await
    }

    /// Every item of a folder (for restrictions evaluated in Rust).
    pub async fn all_in_folder(
        &self,
        mailbox: &str,
        folder: &str,
    ) -> Result<Vec<ItemRecord>, sqlx::Error> {
        sqlx::query_as(
            "SELECT * FROM items WHERE mailbox = ? AND folder = ? ORDER BY created_at, rowid",
        )
        .bind(mailbox)
        .bind(folder)
        .fetch_all(&self.pool)
        .await
    }

    /// Replaces an item if its ChangeKey is still `expected` (None = no check, "AutoResolve").
    pub async fn replace(
        &self,
        item: &ItemRecord,
        expected: Option<&str>,
    ) -> Result<WriteOutcome, sqlx::Error> {
        let result = sqlx::query(
            "UPDATE items SET change_key = ?, subject = ?, start_utc = ?, end_utc = ?, data = ?, updated_at = ?, recurring = ?
             WHERE mailbox = ? AND id = ? AND (? IS NULL OR change_key = ?)",
        )
        .bind(&item.change_key)
        .bind(&item.subject)
        .bind(&item.start_utc)
        .bind(&item.end_utc)
        .bind(&item.data)
        .bind(&item.updated_at)
        .bind(item.recurring)
        .bind(&item.mailbox)
        .bind(&item.id)
        .bind(expected)
        .bind(expected)
        .execute(&self.pool)
        .await?;
        if result.rows_affected() == 1 {
            return Ok(WriteOutcome::Done);
        }
        self.why_not_written(&item.mailbox, &item.id).await
    }

    /// Deletes an item if its ChangeKey is still `expected` (None = no check).
    pub async fn delete(
        &self,
        mailbox: &str,
        id: &str,
        expected: Option<&str>,
    ) -> Result<WriteOutcome, sqlx::Error> {
        let result = sqlx::query(
            "DELETE FROM items WHERE mailbox = ? AND id = ? AND (? IS NULL OR change_key = ?)",
        )
        .bind(mailbox)
        .bind(id)
        .bind(expected)
        .bind(expected)
        .execute(&self.pool)
        .await?;
        if result.rows_affected() == 1 {
            return Ok(WriteOutcome::Done);
        }
        self.why_not_written(mailbox, id).await
    }

    async fn why_not_written(&self, mailbox: &str, id: &str) -> Result<WriteOutcome, sqlx::Error> {
        Ok(match self.get(mailbox, id).await? {
            None => WriteOutcome::NotFound,
            Some(_) => WriteOutcome::ChangeKeyMismatch,
        })
    }

    /// Items of `mailbox` stamped with this client request id (duplicate detection).
    pub async fn by_client_request_id(
        &self,
        mailbox: &str,
        value: &str,
    ) -> Result<Vec<ItemRecord>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM items WHERE mailbox = ? AND client_request_id = ? ORDER BY created_at, rowid")
            .bind(mailbox)
            .bind(value)
            .fetch_all(&self.pool)
            .await
    }

    /// Every copy of a meeting, in all mailboxes.
    pub async fn by_uid(&self, uid: &str) -> Result<Vec<ItemRecord>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM items WHERE uid = ? ORDER BY created_at, rowid")
            .bind(uid)
            .fetch_all(&self.pool)
            .await
    }

    /// Whether a mailbox holds anything at all (GetUserAvailability on unknown addresses).
    pub async fn mailbox_exists(&self, mailbox: &str) -> Result<bool, sqlx::Error> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM items WHERE mailbox = ? LIMIT 1")
                .bind(mailbox)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// How many items a mailbox holds in a folder (tests and diagnostics).
    pub async fn count(&self, mailbox: &str, folder: &str) -> Result<u32, sqlx::Error> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE mailbox = ? AND folder = ?")
                .bind(mailbox)
                .bind(folder)
                .fetch_one(&self.pool)
                .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}
