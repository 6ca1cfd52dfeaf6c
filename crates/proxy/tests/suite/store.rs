//! The proxy's store, the same test bodies on SQLite (a file in a temporary directory, as the
//! proxy runs it) and on PostgreSQL (a throwaway cluster, see `pg_support`). The PostgreSQL
//! tests also open two stores on one database, as two proxy processes do.

use crate::pg_support;

use std::sync::Arc;
use std::time::Duration;

use proxy::auth::store::{
    CompletedFlow, FlowBinding, FlowStatus, NewFlow, StoredTokens, TokenStore, UserRecord,
};
use proxy::idempotency::{Claim, IdempotencyKey, IdempotencyStore};
use proxy::store::{IdempotencyRecords, KeyClaim, NewIdempotencyKey, SqlStore, Store};
use tempfile::TempDir;

/// A store on a fresh database, with what must live as long as it.
struct Fixture {
    store: Arc<SqlStore>,
    url: Option<String>,
    _dir: TempDir,
}

impl Fixture {
    /// Another store on the same database: what a second proxy process opens.
    async fn second(&self) -> Arc<SqlStore> {
        proxy::store::open(self.url.as_deref(), self._dir.path())
            .await
            .expect("second store opens")
    }
}

async fn sqlite() -> Option<Fixture> {
    let dir = TempDir::new().unwrap();
    let store = proxy::store::open(None, dir.path()).await.unwrap();
    Some(Fixture {
        store,
        url: None,
        _dir: dir,
    })
}

async fn postgres() -> Option<Fixture> {
    let url = pg_support::fresh_database().await?;
    let dir = TempDir::new().unwrap();
    let store = proxy::store::open(Some(&url), dir.path())
        .await
        .expect("PostgreSQL store opens");
    Some(Fixture {
        store,
        url: Some(url),
        _dir: dir,
    })
}

/// Each body runs once per database: `sqlite::name` and `postgres::name`.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { if let Some(f) = super::sqlite().await { super::$name(f).await } })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { if let Some(f) = super::postgres().await { super::$name(f).await } })*
        }
    };
}

on_both!(
    states_are_single_use_and_handles_delivered_once,
    only_a_bound_flow_can_be_claimed_and_binding_happens_once,
    completing_a_flow_that_ended_rolls_back,
    rotation_checks_the_version,
    sweep_expires_pending_flows_then_forgets_them,
    idempotency_keys_are_claimed_once_and_replayed,
    a_key_in_use_by_another_process_waits_for_its_outcome,
    a_key_given_up_or_whose_lease_ended_is_taken_over_once,
    concurrent_claims_of_one_key_grant_it_once,
    live_sessions_are_counted_and_the_database_answers,
    migrations_run_again_harmlessly,
);

fn new_flow(id: &str) -> NewFlow {
    NewFlow {
        id: id.into(),
        secret_hash: vec![5; 32],
        origin: "https://host.example".into(),
        return_to: None,
        dpop_jkt: Some("jkt".into()),
        created_at: 100,
        expires_at: 700,
    }
}

fn binding(state: &[u8]) -> FlowBinding {
    FlowBinding {
        binding_hash: vec![4; 32],
        state_hash: state.to_vec(),
        verifier_ct: vec![1, 2, 3],
        nonce_hash: vec![3; 32],
    }
}

/// A flow started and bound to a browser, waiting for the callback with `state`.
async fn flow(s: &SqlStore, id: &str, state: &[u8]) {
    s.insert_flow(&new_flow(id)).await.unwrap();
    assert!(s.bind_flow(id, &binding(state), 150).await.unwrap());
}

fn completed(flow_id: &str) -> CompletedFlow {
    CompletedFlow {
        flow_id: flow_id.into(),
        user: UserRecord {
            id: "alice".into(),
            email: Some("alice@x".into()),
            name: None,
        },
        tokens: StoredTokens {
            user_id: "alice".into(),
            access_ct: vec![9],
            refresh_ct: Some(vec![8]),
            expires_at: 4000,
            scope: "openid".into(),
            version: 0,
        },
        session_hash: vec![7; 32],
        session_origin: "https://host.example".into(),
        session_jkt: Some("jkt".into()),
        handle_ct: Some(vec![6]),
        now: 200,
    }
}

async fn states_are_single_use_and_handles_delivered_once(f: Fixture) {
    let s = &f.store;
    flow(s, "f1", b"state-1").await;
    assert!(s.claim_flow(b"unknown").await.unwrap().is_none());
    let claimed = s.claim_flow(b"state-1").await.unwrap().unwrap();
    assert_eq!(claimed.status, FlowStatus::Exchanging);
    assert!(
        s.claim_flow(b"state-1").await.unwrap().is_none(),
        "a state is used once"
    );
    s.complete_flow(&completed("f1")).await.unwrap();
    let done = s.flow("f1").await.unwrap().unwrap();
    assert_eq!(done.status, FlowStatus::Done);
    assert!(
        done.verifier_ct.is_none(),
        "the verifier is wiped once used"
    );
    assert_eq!(s.take_flow_handle("f1").await.unwrap(), Some(vec![6]));
    assert_eq!(s.take_flow_handle("f1").await.unwrap(), None);
    let session = s.session(&[7; 32]).await.unwrap().unwrap();
    assert_eq!(session.user.display_name(), "alice@x");
    assert_eq!(session.dpop_jkt.as_deref(), Some("jkt"));
    assert!(s.revoke_session(&[7; 32], 300).await.unwrap());
    assert!(s.session(&[7; 32]).await.unwrap().is_none());
    assert!(!s.revoke_session(&[7; 32], 300).await.unwrap());
}

async fn only_a_bound_flow_can_be_claimed_and_binding_happens_once(f: Fixture) {
    let s = &f.store;
    s.insert_flow(&new_flow("f1")).await.unwrap();
    s.insert_flow(&new_flow("f2")).await.unwrap();
    assert!(s.flow_by_state(b"st").await.unwrap().is_none());
    assert!(s.claim_flow(b"st").await.unwrap().is_none());
    assert!(s.bind_flow("f1", &binding(b"st"), 150).await.unwrap());
    assert!(
        !s.bind_flow("f1", &binding(b"other"), 150).await.unwrap(),
        "a flow is bound once"
    );
    assert!(
        !s.bind_flow("f2", &binding(b"late"), 700).await.unwrap(),
        "an expired flow cannot be bound"
    );
    assert_eq!(s.count_open_flows().await.unwrap(), 2);
    assert_eq!(s.count_unexpired_flows(650).await.unwrap(), 2);
    assert_eq!(s.count_unexpired_flows(700).await.unwrap(), 0);
    let bound = s.flow_by_state(b"st").await.unwrap().unwrap();
    assert_eq!(bound.id, "f1");
    assert_eq!(bound.binding_hash, Some(vec![4; 32]));
    assert!(s.claim_flow(b"st").await.unwrap().is_some());
}

async fn completing_a_flow_that_ended_rolls_back(f: Fixture) {
    let s = &f.store;
    flow(s, "f1", b"st").await;
    s.claim_flow(b"st").await.unwrap().unwrap();
    assert!(
        s.end_flow("f1", FlowStatus::Expired, None, 800)
            .await
            .unwrap()
    );
    assert!(s.complete_flow(&completed("f1")).await.is_err());
    assert!(s.tokens("alice").await.unwrap().is_none());
    assert!(s.session(&[7; 32]).await.unwrap().is_none());
    assert!(s.user("alice").await.unwrap().is_none());
}

async fn rotation_checks_the_version(f: Fixture) {
    let s = &f.store;
    flow(s, "f1", b"st").await;
    s.claim_flow(b"st").await.unwrap().unwrap();
    s.complete_flow(&completed("f1")).await.unwrap();
    let t = s.tokens("alice").await.unwrap().unwrap();
    let new = StoredTokens {
        access_ct: vec![1],
        refresh_ct: Some(vec![2]),
        ..t.clone()
    };
    assert!(s.rotate_tokens(&new, t.version).await.unwrap());
    assert!(
        !s.rotate_tokens(&new, t.version).await.unwrap(),
        "stale version refused"
    );
    let now = s.tokens("alice").await.unwrap().unwrap();
    assert_eq!(now.refresh_ct, Some(vec![2]));
    assert_eq!(now.version, t.version + 1);
    s.delete_tokens("alice").await.unwrap();
    assert!(s.tokens("alice").await.unwrap().is_none());
}

async fn sweep_expires_pending_flows_then_forgets_them(f: Fixture) {
    let s = &f.store;
    flow(s, "f1", b"st").await;
    s.sweep_flows(701, 0).await.unwrap();
    assert_eq!(
        s.flow("f1").await.unwrap().unwrap().status,
        FlowStatus::Expired
    );
    assert!(s.claim_flow(b"st").await.unwrap().is_none());
    assert_eq!(s.count_open_flows().await.unwrap(), 0);
    s.sweep_flows(10_000, 5_000).await.unwrap();
    assert!(s.flow("f1").await.unwrap().is_none());
}

/// A claim at `now_ms` holding the key for 1 s (until `now_ms + 1000`).
fn key(key: &str, fingerprint: &str, created_at: &str, now_ms: i64) -> NewIdempotencyKey {
    NewIdempotencyKey {
        user_id: "alice".into(),
        key: key.into(),
        kind: "task".into(),
        fingerprint: fingerprint.into(),
        client_request_id: "crid-1".into(),
        created_at: created_at.into(),
        now_ms,
        lease_until_ms: now_ms + 1000,
    }
}

fn known(claim: KeyClaim) -> (proxy::store::IdempotencyRecord, bool) {
    match claim {
        KeyClaim::Known { record, took_over } => (record, took_over),
        KeyClaim::Claimed => panic!("the key was expected to be known"),
    }
}

async fn idempotency_keys_are_claimed_once_and_replayed(f: Fixture) {
    let s = &f.store;
    let first = key("k1", "fp", "2026-01-01T00:00:00+00:00", 10_000);
    assert_eq!(
        s.claim_idempotency_key(first.clone()).await.unwrap(),
        KeyClaim::Claimed
    );
    // A second claim while the first runs finds it, unfinished and held: same client request
    // id, no response, not taken over.
    let again = NewIdempotencyKey {
        client_request_id: "crid-2".into(),
        now_ms: 10_500,
        lease_until_ms: 11_500,
        ..first.clone()
    };
    let (found, took_over) = known(s.claim_idempotency_key(again.clone()).await.unwrap());
    assert_eq!(found.client_request_id, "crid-1");
    assert_eq!(found.response, None);
    assert!(!took_over);
    s.complete_idempotency_key("alice", "k1", "{\"id\":1}")
        .await
        .unwrap();
    let (done, took_over) = known(s.claim_idempotency_key(again).await.unwrap());
    assert_eq!(done.response.as_deref(), Some("{\"id\":1}"));
    assert_eq!(done.fingerprint, "fp");
    assert!(!took_over, "a completed key is answered, not run again");
    // Keys are per user.
    let bob = NewIdempotencyKey {
        user_id: "bob".into(),
        ..first.clone()
    };
    assert_eq!(
        s.claim_idempotency_key(bob).await.unwrap(),
        KeyClaim::Claimed
    );
    // The retention sweep forgets old keys only.
    let newer = key("k2", "fp", "2026-01-03T00:00:00+00:00", 10_000);
    assert_eq!(
        s.claim_idempotency_key(newer.clone()).await.unwrap(),
        KeyClaim::Claimed
    );
    assert_eq!(
        s.forget_idempotency_keys("2026-01-02T00:00:00+00:00")
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        s.claim_idempotency_key(first).await.unwrap(),
        KeyClaim::Claimed
    );
    assert!(matches!(
        s.claim_idempotency_key(newer).await.unwrap(),
        KeyClaim::Known { .. }
    ));
}

async fn a_key_given_up_or_whose_lease_ended_is_taken_over_once(f: Fixture) {
    let s = &f.store;
    let first = key("k", "fp", "2026-01-01T00:00:00+00:00", 10_000);
    assert_eq!(
        s.claim_idempotency_key(first.clone()).await.unwrap(),
        KeyClaim::Claimed
    );
    // The lease ends at 11,000: a claim after that takes the key over, keeping the first
    // attempt's client request id (its item, if any, is found rather than made again).
    let later = NewIdempotencyKey {
        client_request_id: "crid-2".into(),
        now_ms: 11_001,
        lease_until_ms: 12_001,
        ..first.clone()
    };
    let (record, took_over) = known(s.claim_idempotency_key(later.clone()).await.unwrap());
    assert!(took_over);
    assert_eq!(record.client_request_id, "crid-1");
    // ... and holds it now: a third claim at the same instant does not take it too.
    let (_, took_over) = known(s.claim_idempotency_key(later.clone()).await.unwrap());
    assert!(!took_over, "two requests took over one key");
    // A holder that gives up releases it: the next claim goes ahead at once.
    s.release_idempotency_key("alice", "k", 12_001)
        .await
        .unwrap();
    let (_, took_over) = known(s.claim_idempotency_key(later.clone()).await.unwrap());
    assert!(took_over);
    // Releasing with a lease one no longer holds changes nothing.
    s.release_idempotency_key("alice", "k", 12_001 - 1)
        .await
        .unwrap();
    let (_, took_over) = known(s.claim_idempotency_key(later).await.unwrap());
    assert!(!took_over);
    // A different request under the same key never takes it over.
    let other = NewIdempotencyKey {
        fingerprint: "other".into(),
        now_ms: 99_000,
        lease_until_ms: 100_000,
        ..first.clone()
    };
    let (_, took_over) = known(s.claim_idempotency_key(other).await.unwrap());
    assert!(!took_over);
}

/// Two proxy processes on one database receive the same create with the same key at once
/// (a client retrying through a load balancer): the second waits for the first's outcome and
/// answers its item instead of creating another.
async fn a_key_in_use_by_another_process_waits_for_its_outcome(f: Fixture) {
    let lease = Duration::from_secs(60);
    let one = IdempotencyStore::new(f.store.clone(), lease);
    let two = IdempotencyStore::new(f.second().await, lease);
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("idempotency-key", "retry-1".parse().unwrap());
    let key = IdempotencyKey::from_headers(&headers).unwrap().unwrap();
    let request = serde_json::json!({"subject": "Budget review"});

    let Claim::Proceed { guard, resumed, .. } = one
        .claim::<String>("alice", &key, "appointment", &request)
        .await
        .unwrap()
    else {
        panic!("the first request runs");
    };
    assert!(!resumed);
    let second = tokio::spawn({
        let (two, key, request) = (two.clone(), key.clone(), request.clone());
        async move {
            two.claim::<String>("alice", &key, "appointment", &request)
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "the second process went ahead while the first ran"
    );
    guard.complete(&"item-1").await.unwrap();
    match tokio::time::timeout(Duration::from_secs(10), second).await {
        Ok(Ok(Ok(Claim::Replay(item)))) => assert_eq!(item, "item-1"),
        Ok(Ok(Ok(Claim::Proceed { .. }))) => panic!("the second process would create again"),
        other => panic!(
            "the second request failed: {:?}",
            other.map(|r| r.map(|c| c.err()))
        ),
    }

    // A first attempt that fails gives the key up: the other process goes ahead at once,
    // resuming with the same client request id.
    headers.insert("idempotency-key", "retry-2".parse().unwrap());
    let key = IdempotencyKey::from_headers(&headers).unwrap().unwrap();
    let Claim::Proceed {
        guard,
        client_request_id: first_id,
        ..
    } = one
        .claim::<String>("alice", &key, "appointment", &request)
        .await
        .unwrap()
    else {
        panic!("the first request runs");
    };
    guard.release().await;
    let started = std::time::Instant::now();
    let Claim::Proceed {
        client_request_id,
        resumed,
        ..
    } = two
        .claim::<String>("alice", &key, "appointment", &request)
        .await
        .unwrap()
    else {
        panic!("a released key is not replayed");
    };
    assert!(resumed);
    assert_eq!(client_request_id, first_id);
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// Many requests at once (on SQLite their writes share transactions): of 32 claims of one key,
/// exactly one goes ahead and the others find it held; 32 other keys are each claimed; every
/// completion is there for the next claim to replay, also from a second store on the database.
async fn concurrent_claims_of_one_key_grant_it_once(f: Fixture) {
    let claims = (0..64).map(|i| {
        let store = f.store.clone();
        tokio::spawn(async move {
            let key = if i % 2 == 0 {
                "shared".to_owned()
            } else {
                format!("own-{i}")
            };
            let new = NewIdempotencyKey {
                key: key.clone(),
                client_request_id: format!("crid-{i}"),
                ..self::key("unused", "fp", "2026-01-01T00:00:00+00:00", 10_000)
            };
            (key.clone(), store.claim_idempotency_key(new).await.unwrap())
        })
    });
    let mut shared_claimed = 0;
    let mut own_claimed = Vec::new();
    for claim in claims {
        match claim.await.unwrap() {
            (key, KeyClaim::Claimed) if key == "shared" => shared_claimed += 1,
            (key, KeyClaim::Claimed) => own_claimed.push(key),
            (key, KeyClaim::Known { took_over, .. }) => {
                assert_eq!(key, "shared", "a key nobody else used was found known");
                assert!(!took_over, "a held key was taken over");
            }
        }
    }
    assert_eq!(shared_claimed, 1, "one key was claimed by several requests");
    assert_eq!(own_claimed.len(), 32);
    let completions = own_claimed.iter().map(|key| {
        let (store, key) = (f.store.clone(), key.clone());
        tokio::spawn(async move {
            store
                .complete_idempotency_key("alice", &key, &format!("{{\"item\":\"{key}\"}}"))
                .await
                .unwrap()
        })
    });
    for completion in completions {
        completion.await.unwrap();
    }
    let second = f.second().await;
    for key in &own_claimed {
        let again = NewIdempotencyKey {
            key: key.clone(),
            ..self::key("unused", "fp", "2026-01-01T00:00:00+00:00", 10_500)
        };
        let (record, _) = known(second.claim_idempotency_key(again).await.unwrap());
        assert_eq!(record.response, Some(format!("{{\"item\":\"{key}\"}}")));
    }
}

async fn live_sessions_are_counted_and_the_database_answers(f: Fixture) {
    let s = &f.store;
    s.ping().await.unwrap();
    assert_eq!(s.count_all_live_sessions().await.unwrap(), 0);
    flow(s, "f1", b"st").await;
    s.claim_flow(b"st").await.unwrap().unwrap();
    s.complete_flow(&completed("f1")).await.unwrap();
    assert_eq!(s.count_all_live_sessions().await.unwrap(), 1);
    assert_eq!(s.count_live_sessions("alice").await.unwrap(), 1);
    s.revoke_session(&[7; 32], 300).await.unwrap();
    assert_eq!(s.count_live_sessions("alice").await.unwrap(), 0);
    assert!(s.key_check().await.unwrap().is_none());
    s.reset_key_check(b"check", true).await.unwrap();
    assert_eq!(s.key_check().await.unwrap(), Some(b"check".to_vec()));
    s.close().await;
    assert!(s.ping().await.is_err(), "a closed store does not answer");
}

async fn migrations_run_again_harmlessly(f: Fixture) {
    flow(&f.store, "f1", b"st").await;
    // A second proxy (or a restart) opens the same database: migrations are already applied.
    let again = f.second().await;
    assert_eq!(
        again.flow("f1").await.unwrap().unwrap().status,
        FlowStatus::Pending
    );
}

/// Two processes on one database: while one holds a user's lock, the other waits for it.
#[tokio::test]
async fn postgres_user_locks_hold_across_processes() {
    let Some(f) = postgres().await else { return };
    let other = f.second().await;
    let held = f.store.lock_user("alice").await.unwrap();
    let waiting = tokio::spawn(async move { other.lock_user("alice").await.map(|_| ()) });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "the second process waits for the lock"
    );
    // Another user's lock is not affected.
    let _bob = f.store.lock_user("bob").await.unwrap();
    drop(held);
    tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the lock passes to the waiting process once released")
        .unwrap()
        .unwrap();
}

/// A flow that ends in one process is announced to the others on the same database.
#[tokio::test]
async fn postgres_flow_endings_reach_the_other_processes() {
    let Some(f) = postgres().await else { return };
    let other = f.second().await;
    let mut endings = other
        .flow_endings()
        .await
        .unwrap()
        .expect("PostgreSQL announces");
    flow(&f.store, "f1", b"st").await;
    flow(&f.store, "f2", b"st2").await;
    assert!(
        f.store
            .end_flow("f1", FlowStatus::Denied, None, 300)
            .await
            .unwrap()
    );
    f.store.claim_flow(b"st2").await.unwrap().unwrap();
    f.store.complete_flow(&completed("f2")).await.unwrap();
    for expected in ["f1", "f2"] {
        let id = tokio::time::timeout(Duration::from_secs(5), endings.recv())
            .await
            .expect("announced within seconds")
            .expect("the channel stays open");
        assert_eq!(id, expected);
    }
}

#[tokio::test]
async fn sqlite_has_no_other_process_to_tell() {
    let f = sqlite().await.unwrap();
    assert!(f.store.flow_endings().await.unwrap().is_none());
}

/// On SQLite a claim waits in a queue for the next group commit. A request that goes away
/// while its claim waits (the client hung up) never settles the key; the claim is given back
/// once committed, so a retry with the key goes ahead at once instead of waiting for the
/// lease to end (in real time: the longest a create may take).
#[tokio::test]
async fn sqlite_a_claim_whose_request_went_away_is_given_back() {
    let f = sqlite().await.unwrap();
    let s = &f.store;
    let first = key("hung-up", "fp", "2026-01-01T00:00:00+00:00", 10_000);
    // Polled once (the claim is queued), then dropped, as a request the client hung up on.
    let mut claim = s.claim_idempotency_key(first.clone());
    let polled = std::future::poll_fn(|cx| std::task::Poll::Ready(claim.as_mut().poll(cx))).await;
    assert!(polled.is_pending(), "the claim did not wait for its commit");
    drop(claim);
    // The retry comes while the first claim's lease would still run (until 11,000).
    let retry = NewIdempotencyKey {
        client_request_id: "crid-2".into(),
        now_ms: 10_500,
        lease_until_ms: 11_500,
        ..first.clone()
    };
    for _ in 0..50 {
        let (record, took_over) = known(s.claim_idempotency_key(retry.clone()).await.unwrap());
        if took_over {
            assert_eq!(record.client_request_id, "crid-1");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the key of a request that went away stayed held");
}

/// A DPoP proof recorded by one process is a replay for every other, until it is stale.
#[tokio::test]
async fn postgres_proofs_are_remembered_across_processes() {
    let Some(f) = postgres().await else { return };
    let other = f.second().await;
    assert!(f.store.remember_proof(b"proof-1", 1_000).await.unwrap());
    assert!(!other.remember_proof(b"proof-1", 1_000).await.unwrap());
    assert!(other.remember_proof(b"proof-2", 1_000).await.unwrap());
    other.forget_proofs(1_001).await.unwrap();
    assert!(
        f.store.remember_proof(b"proof-1", 2_000).await.unwrap(),
        "forgotten once stale"
    );
}
