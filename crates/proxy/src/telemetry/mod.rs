//! What operators see: one access-log line and a request id per request, Prometheus metrics,
//! and the log output format.
//!
//! The request being served is known to deeper code (the EWS client) through a task-local
//! [`RequestContext`], so the request id and the metrics reach it without threading them
//! through every signature.

pub mod access_log;
pub mod logging;
pub mod metrics;
pub mod request_id;

use std::sync::Arc;

pub use metrics::Metrics;

/// The request being served: its id (sent to Exchange as `client-request-id`) and the
/// metrics of the application serving it.
#[derive(Clone)]
pub struct RequestContext {
    pub request_id: Arc<str>,
    pub metrics: Arc<Metrics>,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

/// Runs `future` as part of the request described by `context`.
pub async fn scope<F: std::future::Future>(context: RequestContext, future: F) -> F::Output {
    CURRENT.scope(context, future).await
}

/// The id of the request being served (none outside a request, e.g. in background tasks).
pub fn request_id() -> Option<Arc<str>> {
    CURRENT.try_with(|c| c.request_id.clone()).ok()
}

/// Counts one HTTP exchange with EWS (`outcome`: ok, error, throttled, unreachable, unknown).
pub fn record_upstream(envelope: &str, outcome: &'static str) {
    record_upstream_operation(metrics::ews_operation(envelope), outcome);
}

/// Counts one HTTP exchange with the mailbox server under a fixed operation name (the Graph
/// backend's are `graph.<operation>`), in the same counter as EWS's.
pub fn record_upstream_operation(operation: &'static str, outcome: &'static str) {
    let _ = CURRENT.try_with(|c| c.metrics.upstream_call(operation, outcome));
}

/// Counts one retry of an EWS request.
pub fn record_retry() {
    let _ = CURRENT.try_with(|c| c.metrics.retry());
}
