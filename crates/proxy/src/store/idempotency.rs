//! [`IdempotencyRecords`] on the SQL store. The statements are written once
//! ([`idempotency_statements!`]) and compiled for each database's connection type.
//!
//! On SQLite every claim, completion and release goes through [`GroupCommit`]: the writes of
//! concurrent requests share one transaction, so a create costs a share of a commit instead
//! of two whole commits. On PostgreSQL each write is its own statement (other processes write
//! the same rows: a transaction held across several requests' rows would make them wait on
//! each other's locks).

use super::group_commit::{IdempotencyWrite, WriteOutcome};
use super::sql::{Pools, SqlStore, on_writes};
use super::{IdempotencyRecord, IdempotencyRecords, KeyClaim, NewIdempotencyKey};
use crate::auth::store::{StoreError, StoreResult};

/// An idempotency record with the end of its lease.
#[derive(sqlx::FromRow)]
struct LeasedRecord {
    #[sqlx(flatten)]
    record: IdempotencyRecord,
    lease_until: i64,
}

/// Defines `run` (any queued write), `claim`, `release` and `complete` on one connection of a database, in module
/// `$module`: the same statements for SQLite and PostgreSQL.
macro_rules! idempotency_statements {
    ($module:ident, $connection:ty) => {
        pub(super) mod $module {
            use super::*;

            /// Runs one queued write.
            pub(crate) async fn run(
                c: &mut $connection,
                write: &IdempotencyWrite,
            ) -> StoreResult<WriteOutcome> {
                Ok(match write {
                    IdempotencyWrite::Claim(new) => {
                        WriteOutcome::Claim(claim(c, new).await?)
                    }
                    IdempotencyWrite::Release {
                        user_id,
                        key,
                        lease_until_ms,
                    } => {
                        release(c, user_id, key, *lease_until_ms).await?;
                        WriteOutcome::Done
                    }
                    IdempotencyWrite::Complete {
                        user_id,
                        key,
                        response,
                    } => {
                        complete(c, user_id, key, response).await?;
                        WriteOutcome::Done
                    }
                })
            }

            /// Records `new` unless the key is known; answers the existing record if it is.
            async fn claim(
                c: &mut $connection,
                new: &NewIdempotencyKey,
            ) -> StoreResult<KeyClaim> {
                loop {
                    let inserted = sqlx::query(
                        "INSERT INTO idempotency_keys (user_id, key, kind, fingerprint, client_request_id, created_at, lease_until)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)
                         ON CONFLICT (user_id, key) DO NOTHING",
                    )
                    .bind(&new.user_id)
                    .bind(&new.key)
                    .bind(&new.kind)
                    .bind(&new.fingerprint)
                    .bind(&new.client_request_id)
                    .bind(&new.created_at)
                    .bind(new.lease_until_ms)
                    .execute(&mut *c)
                    .await?
                    .rows_affected();
                    if inserted == 1 {
                        return Ok(KeyClaim::Claimed);
                    }
                    let existing: Option<LeasedRecord> = sqlx::query_as(
                        "SELECT fingerprint, client_request_id, response, lease_until FROM idempotency_keys
                         WHERE user_id = $1 AND key = $2",
                    )
                    .bind(&new.user_id)
                    .bind(&new.key)
                    .fetch_optional(&mut *c)
                    .await?;
                    // Gone in between (forgotten by the sweep): the key is free again.
                    let Some(LeasedRecord { record, lease_until }) = existing else {
                        continue;
                    };
                    let abandoned = record.response.is_none()
                        && record.fingerprint == new.fingerprint
                        && lease_until <= new.now_ms;
                    if !abandoned {
                        return Ok(KeyClaim::Known {
                            record,
                            took_over: false,
                        });
                    }
                    // Of several requests that find the lease over, the one whose update
                    // matches takes it.
                    let took_over = sqlx::query(
                        "UPDATE idempotency_keys SET lease_until = $1
                         WHERE user_id = $2 AND key = $3 AND response IS NULL AND lease_until = $4",
                    )
                    .bind(new.lease_until_ms)
                    .bind(&new.user_id)
                    .bind(&new.key)
                    .bind(lease_until)
                    .execute(&mut *c)
                    .await?
                    .rows_affected()
                        == 1;
                    return Ok(KeyClaim::Known { record, took_over });
                }
            }

            /// Ends the lease `lease_until_ms` if the key still has it and never completed.
            async fn release(
                c: &mut $connection,
                user_id: &str,
                key: &str,
                lease_until_ms: i64,
            ) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE idempotency_keys SET lease_until = 0
                     WHERE user_id = $1 AND key = $2 AND response IS NULL AND lease_until = $3",
                )
                .bind(user_id)
                .bind(key)
                .bind(lease_until_ms)
                .execute(&mut *c)
                .await?;
                Ok(())
            }

            /// Stores the created item of a claimed key and ends its lease.
            async fn complete(
                c: &mut $connection,
                user_id: &str,
                key: &str,
                response: &str,
            ) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE idempotency_keys SET response = $1, lease_until = 0 WHERE user_id = $2 AND key = $3",
                )
                .bind(response)
                .bind(user_id)
                .bind(key)
                .execute(&mut *c)
                .await?;
                Ok(())
            }
        }
    };
}

idempotency_statements!(on_sqlite, sqlx::SqliteConnection);
idempotency_statements!(on_postgres, sqlx::PgConnection);

impl SqlStore {
    /// Runs `write`: queued for the next group commit on SQLite, alone on PostgreSQL.
    async fn idempotency_write(&self, write: IdempotencyWrite) -> StoreResult<WriteOutcome> {
        match &self.pools {
            Pools::Sqlite { group_commit, .. } => group_commit.submit(write).await,
            Pools::Postgres(pg) => {
                let mut connection = pg.pool.acquire().await?;
                on_postgres::run(&mut connection, &write).await
            }
        }
    }
}

#[async_trait::async_trait]
impl IdempotencyRecords for SqlStore {
    async fn claim_idempotency_key(&self, new: NewIdempotencyKey) -> StoreResult<KeyClaim> {
        match self.idempotency_write(IdempotencyWrite::Claim(new)).await? {
            WriteOutcome::Claim(claim) => Ok(claim),
            WriteOutcome::Done => Err(StoreError::new("a claim answered without its outcome")),
        }
    }

    async fn release_idempotency_key(
        &self,
        user_id: &str,
        key: &str,
        lease_until_ms: i64,
    ) -> StoreResult<()> {
        self.idempotency_write(IdempotencyWrite::Release {
            user_id: user_id.to_owned(),
            key: key.to_owned(),
            lease_until_ms,
        })
        .await
        .map(drop)
    }

    async fn complete_idempotency_key(
        &self,
        user_id: &str,
        key: &str,
        response: &str,
    ) -> StoreResult<()> {
        self.idempotency_write(IdempotencyWrite::Complete {
            user_id: user_id.to_owned(),
            key: key.to_owned(),
            response: response.to_owned(),
        })
        .await
        .map(drop)
    }

    async fn forget_idempotency_keys(&self, cutoff: &str) -> StoreResult<u64> {
        Ok(on_writes!(self, |pool| {
            sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                .bind(cutoff)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
