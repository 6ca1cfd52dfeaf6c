//! Prometheus metrics of one proxy process, served as text at `GET /metrics`.
//!
//! Requests are labelled by route *template* (`/api/auth/flows/{flow_id}`), never by the
//! concrete path: ids would make the series unbounded and flow ids must not leave the proxy.
//! Sign-in flows and sessions are counted in the database at scrape time (two indexed
//! COUNT queries), so every proxy behind a balancer reports the shared totals.

use std::sync::Mutex;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::state::AppState;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    upstream: IntCounterVec,
    retries: IntCounter,
    token_refreshes: IntCounter,
    open_flows: IntGauge,
    live_sessions: IntGauge,
    /// Serialises scrapes: the refresh counter is brought up to date by a difference.
    scrape: Mutex<()>,
}

/// EWS operations we name in labels; anything else is `other` (labels stay bounded).
const EWS_OPERATIONS: [&str; 8] = [
    "CreateItem",
    "FindItem",
    "GetItem",
    "UpdateItem",
    "DeleteItem",
    "GetUserAvailability",
    "ResolveNames",
    "GetFolder",
];

/// The EWS operation of a SOAP envelope: the first element inside its Body.
pub fn ews_operation(envelope: &str) -> &'static str {
    let body = envelope
        .find(":Body>")
        .map_or(envelope, |at| &envelope[at + ":Body>".len()..]);
    let element = body
        .trim_start()
        .strip_prefix('<')
        .and_then(|rest| rest.split([' ', '>', '/']).next())
        .map(|name| name.rsplit(':').next().unwrap_or(name))
        .unwrap_or_default();
    EWS_OPERATIONS
        .into_iter()
        .find(|op| *op == element)
        .unwrap_or("other")
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("exchange_forms".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["method", "route", "status_class"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request to response headers",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            &["method", "route", "status_class"],
        )?;
        let upstream = IntCounterVec::new(
            Opts::new(
                "ews_requests_total",
                "HTTP requests sent to Exchange (EWS), by operation and outcome",
            ),
            &["operation", "outcome"],
        )?;
        let retries = IntCounter::new("ews_retries_total", "EWS requests sent again")?;
        let token_refreshes = IntCounter::new(
            "auth_token_refreshes_total",
            "Refresh-token requests sent to the authorization server by this process",
        )?;
        let open_flows = IntGauge::new("auth_open_flows", "Sign-in flows not yet ended")?;
        let live_sessions = IntGauge::new("auth_live_sessions", "Sessions not signed out")?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(upstream.clone()))?;
        registry.register(Box::new(retries.clone()))?;
        registry.register(Box::new(token_refreshes.clone()))?;
        registry.register(Box::new(open_flows.clone()))?;
        registry.register(Box::new(live_sessions.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            upstream,
            retries,
            token_refreshes,
            open_flows,
            live_sessions,
            scrape: Mutex::new(()),
        })
    }

    pub fn request(&self, method: &str, route: &str, status: StatusCode, elapsed: Duration) {
        let class = status_class(status);
        let labels = [method, route, class];
        self.requests.with_label_values(&labels).inc();
        self.latency
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }

    pub fn upstream_call(&self, operation: &str, outcome: &str) {
        self.upstream.with_label_values(&[operation, outcome]).inc();
    }

    pub fn retry(&self) {
        self.retries.inc();
    }

    /// Brings the sampled values up to date and renders everything.
    async fn render(&self, state: &AppState) -> Result<String, AppError> {
        let (flows, sessions) = match &state.auth {
            Some(auth) => auth
                .service
                .counts()
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?,
            None => (0, 0),
        };
        let refreshes = state
            .auth
            .as_ref()
            .map_or(0, |auth| auth.service.refresh_count());
        let _scrape = self.scrape.lock().unwrap_or_else(|e| e.into_inner());
        self.open_flows.set(flows);
        self.live_sessions.set(sessions);
        let counted = self.token_refreshes.get();
        if refreshes > counted {
            self.token_refreshes.inc_by(refreshes - counted);
        }
        let mut text = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut text)
            .map_err(|e| AppError::Internal(format!("cannot render metrics: {e}")))?;
        String::from_utf8(text).map_err(|e| AppError::Internal(e.to_string()))
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// `GET /metrics`: 404 when disabled, 403 without the configured token.
pub async fn serve(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let config = &state.config.metrics;
    if !config.enabled {
        return AppError::NotFound("There is nothing at /metrics.".into()).into_response();
    }
    if let Some(token) = &config.token {
        let presented = crate::extract::bearer_token(&headers).unwrap_or_default();
        let matches: bool = presented
            .as_bytes()
            .ct_eq(token.expose_secret().as_bytes())
            .into();
        if !matches {
            return AppError::Forbidden("A valid metrics token is required.".into())
                .into_response();
        }
    }
    match state.metrics.render(&state).await {
        Ok(text) => ([(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)], text).into_response(),
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_is_the_first_element_of_the_body() {
        let envelope = r#"<soap:Envelope><soap:Header><t:RequestServerVersion Version="Exchange2016"/></soap:Header><soap:Body><m:FindItem Traversal="Shallow"><m:ItemShape/></m:FindItem></soap:Body></soap:Envelope>"#;
        assert_eq!(ews_operation(envelope), "FindItem");
        assert_eq!(
            ews_operation("<s:Envelope><s:Body>\n <m:CreateItem>"),
            "CreateItem"
        );
        assert_eq!(ews_operation("<s:Body><m:Unheard/>"), "other");
        assert_eq!(ews_operation("garbage"), "other");
    }
}
