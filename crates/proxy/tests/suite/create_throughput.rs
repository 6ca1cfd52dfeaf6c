//! Measurement, not a check: how many creates per second the proxy's own work allows. Signed-in
//! users (real sessions, DPoP proofs, `Idempotency-Key`s) send `POST /api/tasks` from 64
//! connections to a proxy whose Exchange answers at once, so every millisecond measured is
//! the proxy's (sessions, tokens, idempotency records). Prints e.g.
//! `creates=4000 concurrency=64 elapsed=2.1s rate=1900/s p50=30ms p99=60ms`.
//!
//! `cargo test -p exchange-forms-proxy --release --test suite create_throughput:: -- --ignored --nocapture`
//! (with `XF_TEST_STORE=postgres` it measures a throwaway PostgreSQL cluster instead of SQLite).

use crate::auth_support;
use crate::pg_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_support::*;
use axum::Router;
use axum::routing::post;
use ews::operations::create_item::CreateItemResponse;
use ews::types::{Item, ItemFields, ItemId, Task};
use proxy::auth::clock::OffsetClock;
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use tempfile::TempDir;
use tokio::task::JoinSet;

const CONNECTIONS: usize = 64;
const CREATES: usize = 4000;
const USERS: usize = 16;

/// An Exchange that answers every CreateItem at once with a new task id.
async fn instant_exchange() -> String {
    let response = CreateItemResponse::new(vec![Ok(vec![Item::Task(Task {
        item: ItemFields {
            item_id: Some(ItemId {
                id: "AAMkInstant".into(),
                change_key: Some("CQAAAB".into()),
            }),
            ..Default::default()
        },
        ..Task::default()
    })])])
    .to_envelope()
    .expect("response envelope");
    let router = Router::new().route(
        "/EWS/Exchange.asmx",
        post(move || {
            let xml = response.clone();
            async move { ([(CONTENT_TYPE, "text/xml; charset=utf-8")], xml) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}/EWS/Exchange.asmx")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: run it on purpose, in release mode"]
async fn creates_per_second_through_the_proxy() {
    let dir = TempDir::new().unwrap();
    let endpoint = instant_exchange().await;
    let database = match std::env::var("XF_TEST_STORE").as_deref() {
        Ok("postgres") => Some(
            pg_support::fresh_database()
                .await
                .expect("PostgreSQL to measure"),
        ),
        _ => None,
    };
    let app = Arc::new(
        spawn_adjusted(
            dir.path(),
            NO_FLOW_LIMITS,
            Arc::new(OffsetClock::new()),
            |config| {
                config.ews.endpoint = Some(endpoint.parse().unwrap());
                config.database_url = database.map(Into::into);
            },
        )
        .await,
    );
    let mut handles = Vec::new();
    for user in 0..USERS {
        handles.push(app.sign_in(ORIGIN_A, &format!("load{user:02}")).await);
    }
    let handles = Arc::new(handles);

    let started = Instant::now();
    let mut workers = JoinSet::new();
    for worker in 0..CONNECTIONS {
        let (app, handles) = (app.clone(), handles.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut i = worker;
            while i < CREATES {
                let handle = &handles[i % handles.len()];
                let sent = Instant::now();
                let response = app
                    .with_session(ORIGIN_A, handle, Method::POST, "/api/tasks")
                    .header(CONTENT_TYPE, "application/json")
                    .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
                    .body(serde_json::json!({"subject": format!("load {i}")}).to_string())
                    .send()
                    .await
                    .expect("create");
                assert_eq!(response.status(), reqwest::StatusCode::CREATED);
                latencies.push(sent.elapsed());
                i += CONNECTIONS;
            }
            latencies
        });
    }
    let mut latencies: Vec<Duration> = Vec::new();
    while let Some(done) = workers.join_next().await {
        latencies.extend(done.expect("worker"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "creates={} concurrency={CONNECTIONS} elapsed={:.2}s rate={:.0}/s p50={}ms p99={}ms max={}ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pick(0.50).as_millis(),
        pick(0.99).as_millis(),
        pick(1.0).as_millis(),
    );
}
