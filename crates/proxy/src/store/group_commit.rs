//! Group commit of the idempotency writes on SQLite.
//!
//! Every create writes twice (its key's claim, then its completion), and SQLite commits one
//! transaction at a time on the one writer connection. Instead of one transaction per write,
//! callers queue their write and await its outcome; one task takes whatever is queued (up to
//! [`MOST_PER_COMMIT`]), runs the writes in order in one `BEGIN IMMEDIATE` transaction and
//! answers each caller once the transaction has committed. Nothing is acknowledged before its
//! commit: a caller told `Claimed` holds a key that is in the database.
//!
//! The writes run one after another on one connection, in the order they were queued, exactly
//! as they would have one transaction each: a key is claimed at most once. If one write fails,
//! the whole transaction is rolled back and each write of the group runs again in a
//! transaction of its own, so that one bad write fails alone.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::idempotency::on_sqlite;
use super::{KeyClaim, NewIdempotencyKey};
use crate::auth::store::{StoreError, StoreResult};

/// The most writes one transaction takes: enough to empty the queue under any load the
/// proxy's connection limit allows, few enough that one commit never holds a caller long.
const MOST_PER_COMMIT: usize = 256;

/// One write to the idempotency records.
#[derive(Debug)]
pub(super) enum IdempotencyWrite {
    Claim(NewIdempotencyKey),
    Release {
        user_id: String,
        key: String,
        lease_until_ms: i64,
    },
    Complete {
        user_id: String,
        key: String,
        response: String,
    },
}

/// What a write found.
#[derive(Debug)]
pub(super) enum WriteOutcome {
    Claim(KeyClaim),
    Done,
}

impl IdempotencyWrite {
    /// The release that gives back what this write's outcome holds, when its caller is gone
    /// and so will never settle it (a claimed key would stay leased until its lease ends).
    fn undo_for_gone_caller(&self, outcome: &WriteOutcome) -> Option<IdempotencyWrite> {
        let (Self::Claim(new), WriteOutcome::Claim(claim)) = (self, outcome) else {
            return None;
        };
        let holds_lease = matches!(
            claim,
            KeyClaim::Claimed
                | KeyClaim::Known {
                    took_over: true,
                    ..
                }
        );
        holds_lease.then(|| Self::Release {
            user_id: new.user_id.clone(),
            key: new.key.clone(),
            lease_until_ms: new.lease_until_ms,
        })
    }
}

struct Pending {
    write: IdempotencyWrite,
    reply: oneshot::Sender<StoreResult<WriteOutcome>>,
}

/// The queue of writes waiting for the next commit. The committing task ends when the store
/// (the last sender) goes.
pub(super) struct GroupCommit {
    queue: mpsc::UnboundedSender<Pending>,
}

impl GroupCommit {
    /// Starts the committing task on `writes` (the writer connection's pool).
    pub(super) fn start(writes: SqlitePool) -> Self {
        let (queue, waiting) = mpsc::unbounded_channel();
        tokio::spawn(commit_as_queued(writes, waiting));
        Self { queue }
    }

    /// Queues `write` and answers its outcome once it is committed (or why it failed).
    pub(super) async fn submit(&self, write: IdempotencyWrite) -> StoreResult<WriteOutcome> {
        let (reply, outcome) = oneshot::channel();
        self.queue
            .send(Pending { write, reply })
            .map_err(|_| StoreError::new("the database writer has stopped"))?;
        outcome
            .await
            .map_err(|_| StoreError::new("the database writer stopped before committing"))?
    }
}

async fn commit_as_queued(writes: SqlitePool, mut waiting: mpsc::UnboundedReceiver<Pending>) {
    let mut group = Vec::with_capacity(MOST_PER_COMMIT);
    while waiting.recv_many(&mut group, MOST_PER_COMMIT).await > 0 {
        let outcomes = match commit_together(&writes, &group).await {
            Ok(outcomes) => outcomes,
            Err(error) => {
                if group.len() > 1 {
                    tracing::warn!(%error, writes = group.len(), "a group commit failed; committing its writes one by one");
                }
                commit_one_by_one(&writes, &group).await
            }
        };
        let mut undo = Vec::new();
        for (Pending { write, reply }, outcome) in group.drain(..).zip(outcomes) {
            if let Err(Ok(outcome)) = reply.send(outcome)
                && let Some(release) = write.undo_for_gone_caller(&outcome)
            {
                undo.push(release);
            }
        }
        for release in undo {
            if let Err(error) = commit_one(&writes, &release).await {
                tracing::warn!(%error, "releasing the key of a request that went away failed");
            }
        }
    }
}

/// Every write of `group` in one transaction; the outcomes once it committed.
async fn commit_together(
    writes: &SqlitePool,
    group: &[Pending],
) -> StoreResult<Vec<StoreResult<WriteOutcome>>> {
    let mut tx = writes.begin_with("BEGIN IMMEDIATE").await?;
    let mut outcomes = Vec::with_capacity(group.len());
    for pending in group {
        outcomes.push(Ok(on_sqlite::run(&mut tx, &pending.write).await?));
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn commit_one_by_one(
    writes: &SqlitePool,
    group: &[Pending],
) -> Vec<StoreResult<WriteOutcome>> {
    let mut outcomes = Vec::with_capacity(group.len());
    for pending in group {
        outcomes.push(commit_one(writes, &pending.write).await);
    }
    outcomes
}

async fn commit_one(writes: &SqlitePool, write: &IdempotencyWrite) -> StoreResult<WriteOutcome> {
    let mut tx = writes.begin_with("BEGIN IMMEDIATE").await?;
    let outcome = on_sqlite::run(&mut tx, write).await?;
    tx.commit().await?;
    Ok(outcome)
}
