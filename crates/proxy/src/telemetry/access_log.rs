//! One info line per request (method, route template, status, latency, request id), the
//! request metrics, and the request id on the response.
//!
//! Only the route *template* is logged, never the path or query: paths carry flow ids and
//! queries carry OAuth codes and states (`/auth/callback?code=…&state=…`).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use super::{Metrics, RequestContext, request_id};

/// The route a request matched, with any wildcard tail shown as `*`; `unmatched` otherwise.
pub fn route_template(request: &Request) -> String {
    match request.extensions().get::<MatchedPath>() {
        Some(matched) => matched
            .as_str()
            .split('/')
            .map(|segment| {
                if segment.starts_with("{*") {
                    "*"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/"),
        None => "unmatched".to_owned(),
    }
}

pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = route_template(&request);
    let id: Arc<str> = request_id::choose(request.headers()).into();
    let context = RequestContext {
        request_id: id.clone(),
        metrics: metrics.clone(),
    };
    let mut response = super::scope(context, next.run(request)).await;
    let elapsed = started.elapsed();
    // `choose` only keeps header-safe characters, so this always succeeds.
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(request_id::HEADER), value);
    }
    let status = response.status();
    metrics.request(method.as_str(), &route, status, elapsed);
    tracing::info!(
        target: "access",
        request_id = %id,
        method = %method,
        route = %route,
        status = status.as_u16(),
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    response
}
