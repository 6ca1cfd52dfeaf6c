//! Memory the proxy holds per idle session and per waiting long-poll: its resident set size
//! (VmRSS of /proc/PID/status) before and after N real sign-ins, N open flows and N polls
//! waiting on them.

use std::time::Duration;

use futures::StreamExt as _;
use p256::ecdsa::SigningKey;

use crate::dpop;
use crate::signin::{Flow, Proxy, browser};

/// Resident set size of `pid` in bytes.
pub fn rss(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read the status of process {pid}: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| format!("no VmRSS for process {pid}"))
}

/// Lets the proxy settle (background tasks, allocator) before a reading.
async fn settled_rss(pid: u32) -> Result<u64, String> {
    tokio::time::sleep(Duration::from_secs(1)).await;
    rss(pid)
}

fn report(what: &str, n: usize, before: u64, after: u64) {
    let per = after.saturating_sub(before) as f64 / n.max(1) as f64;
    println!(
        "{what}: n={n} rss_before={:.1}MiB rss_after={:.1}MiB per_item={:.0}B ({:.1} KiB)",
        before as f64 / 1048576.0,
        after as f64 / 1048576.0,
        per,
        per / 1024.0
    );
}

pub async fn measure(proxy: &Proxy, pid: u32, sessions: usize, polls: usize) -> Result<(), String> {
    let key = dpop::new_key();
    let before = settled_rss(pid).await?;
    sign_in_many(proxy, &key, sessions).await?;
    let after = settled_rss(pid).await?;
    report("idle sessions", sessions, before, after);

    let client = browser()?;
    let before = settled_rss(pid).await?;
    let flows = start_flows(proxy, &client, &key, polls).await?;
    let with_flows = settled_rss(pid).await?;
    report("open sign-in flows (not polled)", polls, before, with_flows);

    // Each poll on a connection of its own, as N browsers would.
    let mut waiting = tokio::task::JoinSet::new();
    for flow in flows {
        let proxy = proxy.clone();
        waiting.spawn(async move {
            let client = browser()?;
            proxy.poll(&client, &flow, 25).await.map(|r| r.status())
        });
    }
    // Give every poll time to arrive and park; they wait up to 25 s.
    tokio::time::sleep(Duration::from_secs(3 + polls as u64 / 500)).await;
    let during = rss(pid)?;
    report("waiting long-polls (wait=25)", polls, with_flows, during);
    let early = waiting.len();
    waiting.abort_all();
    while waiting.join_next().await.is_some() {}
    println!("long-polls still waiting when measured: {early} of {polls}");
    Ok(())
}

async fn sign_in_many(proxy: &Proxy, key: &SigningKey, n: usize) -> Result<(), String> {
    let users: Vec<String> = (0..n).map(|i| format!("idle{i:05}@sandbox.test")).collect();
    let results: Vec<_> = futures::stream::iter(users)
        .map(|user| async move { proxy.sign_in(key, &user).await })
        .buffer_unordered(16)
        .collect()
        .await;
    let failed: Vec<_> = results.into_iter().filter_map(Result::err).collect();
    if let Some(first) = failed.first() {
        return Err(format!(
            "{} of {n} sign-ins failed, first: {first}",
            failed.len()
        ));
    }
    Ok(())
}

async fn start_flows(
    proxy: &Proxy,
    client: &reqwest::Client,
    key: &SigningKey,
    n: usize,
) -> Result<Vec<Flow>, String> {
    let results: Vec<_> = futures::stream::iter(0..n)
        .map(|_| proxy.start_flow(client, key))
        .buffer_unordered(16)
        .collect()
        .await;
    results.into_iter().collect()
}
