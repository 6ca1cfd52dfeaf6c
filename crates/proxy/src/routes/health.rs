//! `GET /healthz`: the process is up and can serve requests (liveness; used by xtask and e2e
//! tests). `GET /readyz`: it can do useful work — the database answers a query and Exchange
//! answers HTTP at all — so a load balancer may send it traffic.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use model::ApiErrorBody;
use serde_json::json;

use crate::state::AppState;

/// How long readiness waits for Exchange; a balancer probes often and must not pile up.
pub const UPSTREAM_PROBE_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    let (database, upstream) = tokio::join!(database_ready(&state), upstream_ready(&state));
    if database && upstream {
        return (StatusCode::OK, Json(json!({ "status": "ready" }))).into_response();
    }
    // Names what is not ready, never where it lives: the addresses behind the proxy are
    // logged (by the checks), not shown to whoever can reach this endpoint.
    let mut details = BTreeMap::new();
    details.insert(
        "database".to_owned(),
        json!(if database { "ok" } else { "unavailable" }),
    );
    details.insert(
        "upstream".to_owned(),
        json!(if upstream { "ok" } else { "unreachable" }),
    );
    let body = ApiErrorBody {
        error: "not_ready".into(),
        message: "The proxy cannot serve requests right now.".into(),
        fields: BTreeMap::new(),
        details,
    };
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

async fn database_ready(state: &AppState) -> bool {
    match state.store.ping().await {
        Ok(_) => true,
        Err(error) => {
            tracing::warn!(%error, "readiness: the database does not answer");
            false
        }
    }
}

/// Any HTTP answer counts (Exchange answers an unauthenticated GET with 401): the point is
/// that the network path and the server are up. The in-process sandbox always is.
async fn upstream_ready(state: &AppState) -> bool {
    if state.config.ews.endpoint.is_none() {
        return true;
    }
    match state.mailbox.answers(UPSTREAM_PROBE_TIMEOUT).await {
        Ok(()) => true,
        Err(error) => {
            let backend = state.mailbox.name();
            tracing::warn!(backend, %error, "readiness: the mailbox server does not answer");
            false
        }
    }
}
