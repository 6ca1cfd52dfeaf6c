//! The fault run's clients: each action is one appointment created with its own
//! `Idempotency-Key`, retried with the same key after a retryable error (network error, 429,
//! 5xx: what the widget's "Try again" does), waiting `Retry-After` when told. Afterwards the
//! stand-in's mailbox is compared with what the clients were told.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt as _;
use p256::ecdsa::SigningKey;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, ORIGIN, RETRY_AFTER};
use serde_json::Value;

use crate::dpop;
use crate::signin::Proxy;

pub struct Run {
    pub actions: usize,
    pub concurrency: usize,
    /// Sends per action, the first included.
    pub attempts: usize,
    pub standin: String,
}

/// How one action ended, as its client saw it.
enum Outcome {
    /// 201 with this item id, after `attempts` sends.
    Created { item_id: String, attempts: usize },
    /// A final answer in the API's error shape (or retries exhausted on one).
    ClearError { status: u16, code: String },
    /// Retries exhausted on something that is not the API's error shape (network error, …).
    UnclearError(String),
}

pub async fn run(proxy: &Proxy, key: &SigningKey, handle: &str, run: &Run) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let outcomes: Vec<(String, Outcome)> = futures::stream::iter(0..run.actions)
        .map(|i| {
            let subject = format!("fault-run {i} {}", uuid::Uuid::new_v4().simple());
            let client = &client;
            async move {
                let outcome = act(proxy, client, key, handle, &subject, run.attempts).await;
                (subject, outcome)
            }
        })
        .buffer_unordered(run.concurrency.max(1))
        .collect()
        .await;
    let elapsed = started.elapsed();

    let report: Value = client
        .get(format!(
            "{}/bench/created",
            run.standin.trim_end_matches('/')
        ))
        .send()
        .await
        .map_err(|e| format!("stand-in report: {e}"))?
        .json()
        .await
        .map_err(|e| format!("stand-in report: {e}"))?;
    let mut stored_by_subject: HashMap<String, Vec<String>> = HashMap::new();
    let mut stored_by_request_id: HashMap<String, usize> = HashMap::new();
    for item in report["items"].as_array().into_iter().flatten() {
        let text = |name: &str| item[name].as_str().unwrap_or_default().to_owned();
        stored_by_subject
            .entry(text("subject"))
            .or_default()
            .push(text("itemId"));
        *stored_by_request_id
            .entry(text("clientRequestId"))
            .or_default() += 1;
    }

    let mut tally = Tally::default();
    for (subject, outcome) in &outcomes {
        let stored = stored_by_subject
            .get(subject)
            .map_or(&[][..], Vec::as_slice);
        tally.duplicates += stored.len().saturating_sub(1);
        match outcome {
            Outcome::Created { item_id, attempts } => {
                tally.retries += attempts - 1;
                if stored.contains(item_id) && stored.len() == 1 {
                    tally.created_once += 1;
                } else if stored.is_empty() || !stored.contains(item_id) {
                    // Told "created", but that item is not in the mailbox.
                    tally.lost += 1;
                }
            }
            Outcome::ClearError { status, code } => {
                tally.clear_errors += 1;
                *tally
                    .error_codes
                    .entry(format!("{status} {code}"))
                    .or_default() += 1;
                if !stored.is_empty() {
                    tally.error_but_created += 1;
                }
            }
            Outcome::UnclearError(reason) => {
                tally.unclear_errors += 1;
                *tally.error_codes.entry(reason.clone()).or_default() += 1;
                if stored.is_empty() {
                    // Neither created nor a clear word to the user: the input is gone.
                    tally.lost += 1;
                }
            }
        }
    }
    let same_request_id_twice = stored_by_request_id.values().filter(|n| **n > 1).count();

    println!(
        "fault run: actions={} concurrency={} attempts_max={} time={:.1}s",
        run.actions,
        run.concurrency,
        run.attempts,
        elapsed.as_secs_f64()
    );
    println!(
        "stand-in: ews_requests={} faults={}",
        report["requests"], report["faults"]
    );
    println!("succeeded exactly once:          {}", tally.created_once);
    println!("ended with a clear error:        {}", tally.clear_errors);
    println!(
        "  of which the item exists:      {}",
        tally.error_but_created
    );
    println!("ended with an unclear error:     {}", tally.unclear_errors);
    println!("client retries (same key):       {}", tally.retries);
    println!(
        "duplicates in the mailbox:       {} (client request ids stored twice: {same_request_id_twice})",
        tally.duplicates
    );
    println!("lost inputs:                     {}", tally.lost);
    let mut codes: Vec<_> = tally.error_codes.into_iter().collect();
    codes.sort();
    for (code, n) in codes {
        println!("  final error {code}: {n}");
    }
    Ok(())
}

#[derive(Default)]
struct Tally {
    created_once: usize,
    clear_errors: usize,
    error_but_created: usize,
    unclear_errors: usize,
    retries: usize,
    duplicates: usize,
    lost: usize,
    error_codes: HashMap<String, usize>,
}

async fn act(
    proxy: &Proxy,
    client: &reqwest::Client,
    key: &SigningKey,
    handle: &str,
    subject: &str,
    attempts: usize,
) -> Outcome {
    let idempotency_key = uuid::Uuid::new_v4().to_string();
    let path = "/api/appointments";
    let body = serde_json::json!({
        "subject": subject,
        "start": "2026-12-01T09:00",
        "end": "2026-12-01T10:00",
        "location": "Room 1",
        "body": "fault run",
        "timeZone": "Europe/Paris",
    });
    let mut last = Outcome::UnclearError("no attempt".into());
    for attempt in 1..=attempts.max(1) {
        let proof = dpop::proof(
            key,
            "POST",
            &proxy.url(path),
            chrono::Utc::now().timestamp(),
            Some(handle),
        );
        let sent = client
            .post(proxy.url(path))
            .header(ORIGIN, &proxy.origin)
            .header(AUTHORIZATION, format!("DPoP {handle}"))
            .header("DPoP", proof)
            .header("Idempotency-Key", &idempotency_key)
            .json(&body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => {
                last = Outcome::UnclearError(format!("network error: {e}"));
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if status == StatusCode::CREATED {
            return match answer["id"].as_str() {
                Some(id) => Outcome::Created {
                    item_id: id.to_owned(),
                    attempts: attempt,
                },
                None => Outcome::UnclearError(format!("201 without an id: {answer}")),
            };
        }
        last = match (answer["error"].as_str(), answer["message"].as_str()) {
            (Some(code), Some(message)) if !message.trim().is_empty() => Outcome::ClearError {
                status: status.as_u16(),
                code: code.to_owned(),
            },
            _ => Outcome::UnclearError(format!("HTTP {status} without the error shape")),
        };
        let retryable = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
        if !retryable {
            return last;
        }
        tokio::time::sleep(Duration::from_secs(retry_after.unwrap_or(1).min(5))).await;
    }
    last
}
