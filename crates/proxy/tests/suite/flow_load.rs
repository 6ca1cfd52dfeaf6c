//! Flow-creation load: how long one `POST /api/auth/flows` takes as the flow table fills, and
//! how large the database grows. A benchmark that prints figures, not a timed test:
//!
//!     cargo test --release -p exchange-forms-proxy --test suite flow_load:: -- --ignored --nocapture

use crate::auth_support;

use std::time::Instant;

use auth_support::{ORIGIN_A, spawn_in};
use proxy::auth::clock::OffsetClock;

const FLOWS: usize = 10_000;
/// The load comes from one address and origin: lift the rate limits, keep the table bound above it.
const FLOW_LOAD_AUTH_CONFIG: &str =
    "[auth.flow_limits]\nper_address_per_minute = 0\nper_origin_per_minute = 0\nmax_open = 20000\n";
const REPORT_EVERY: usize = 2_000;

fn database_bytes(dir: &std::path::Path) -> u64 {
    ["proxy.sqlite", "proxy.sqlite-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --ignored --nocapture"]
async fn flow_creation_time_and_database_size_at_ten_thousand_flows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = spawn_in(
        dir.path(),
        FLOW_LOAD_AUTH_CONFIG,
        std::sync::Arc::new(OffsetClock::new()),
    )
    .await;
    let mut batch_start = Instant::now();
    for n in 1..=FLOWS {
        let (_, body) = app.new_flow_body(None);
        let response = app.start_flow_raw(ORIGIN_A, &body).await;
        assert_eq!(response.status(), 201, "flow {n} was created");
        if n % REPORT_EVERY == 0 {
            let per = batch_start.elapsed().as_secs_f64() * 1e6 / REPORT_EVERY as f64;
            println!(
                "flows={n:>6} time_per_creation_us={per:>8.0} database_bytes={}",
                database_bytes(&app.data_dir)
            );
            batch_start = Instant::now();
        }
    }
}
