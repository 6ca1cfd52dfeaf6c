//! Load: 200 simulated users, all signed in through the real flow, whose access tokens expire
//! at the same moment; each then fires 5 concurrent `exchange_token` calls (what 5 concurrent
//! API actions do first). Exactly one refresh per user reaches the authorization server, and
//! no call fails. Prints `users=200 actions=1000 refreshes=200 failures=0`.

use crate::auth_support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use auth_support::*;
use proxy::auth::clock::OffsetClock;
use proxy::session::{Authorizer, Caller};
use secrecy::ExposeSecret;
use tempfile::TempDir;
use tokio::task::JoinSet;

const USERS: usize = 200;
const ACTIONS_PER_USER: usize = 5;
/// Sign-ins in flight at once while setting up (the setup is not what is measured).
const SIGN_IN_PARALLELISM: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_users_expiring_together_refresh_once_each() {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = Arc::new(spawn_in(dir.path(), NO_FLOW_LIMITS, clock.clone()).await);

    let started = Instant::now();
    let users: Vec<String> = (1..=USERS).map(|i| format!("load{i:03}")).collect();
    for chunk in users.chunks(SIGN_IN_PARALLELISM) {
        let mut signing_in = JoinSet::new();
        for user in chunk {
            let app = app.clone();
            let email = format!("{user}@sandbox.test");
            signing_in.spawn(async move { app.sign_in(ORIGIN_A, &email).await });
        }
        while let Some(done) = signing_in.join_next().await {
            done.expect("sign-in task");
        }
    }
    let setup = started.elapsed();

    // Every access token (1 h) is now expired at the same moment.
    clock.advance(chrono::Duration::hours(2));
    let auth = app.auth_service();
    let dev = app.dev_server();
    assert_eq!(auth.refresh_count(), 0);

    let started = Instant::now();
    let mut actions = JoinSet::new();
    for user in &users {
        for _ in 0..ACTIONS_PER_USER {
            let auth = auth.clone();
            let caller = Caller {
                user_id: user.clone(),
                display_name: user.clone(),
                mailbox: None,
            };
            actions.spawn(async move {
                let token = auth.exchange_token(&caller).await;
                (caller.user_id, token.map(|t| t.expose_secret().to_owned()))
            });
        }
    }
    let mut failures = 0usize;
    let mut tokens: HashMap<String, Vec<String>> = HashMap::new();
    while let Some(done) = actions.join_next().await {
        match done {
            Ok((user, Ok(token))) => tokens.entry(user).or_default().push(token),
            Ok((user, Err(e))) => {
                failures += 1;
                eprintln!("{user}: {e}");
            }
            Err(e) => {
                failures += 1;
                eprintln!("task failed: {e}");
            }
        }
    }
    let burst = started.elapsed();

    let refreshes = auth.refresh_count();
    let per_user = dev.refresh_counts();
    println!(
        "users={USERS} actions={} refreshes={refreshes} failures={failures}",
        USERS * ACTIONS_PER_USER
    );
    println!("(setup: {USERS} sign-ins in {setup:?}; burst: {:?})", burst);

    assert_eq!(failures, 0);
    assert_eq!(
        refreshes, USERS as u64,
        "one refresh per user, counted by the proxy"
    );
    for user in &users {
        assert_eq!(
            per_user.get(user).copied(),
            Some(1),
            "{user}: refreshes seen by the server"
        );
        let got = &tokens[user];
        assert_eq!(got.len(), ACTIONS_PER_USER);
        assert!(
            got.iter().all(|t| t == &got[0]),
            "{user}: all five actions share the one new token"
        );
    }
    // The new tokens are live (spot check: the server's userinfo accepts one per user).
    let mut checks = JoinSet::new();
    for user in users.iter().step_by(20) {
        let app = app.clone();
        let token = tokens[user][0].clone();
        checks.spawn(async move {
            app.client
                .get(app.url("/sandbox/oauth/userinfo"))
                .bearer_auth(token)
                .send()
                .await
                .map(|r| r.status())
        });
    }
    while let Some(done) = checks.join_next().await {
        assert_eq!(done.unwrap().unwrap(), reqwest::StatusCode::OK);
    }
}
