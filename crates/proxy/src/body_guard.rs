//! Every request body, on every route, must be small enough and arrive within a deadline;
//! when it is not, the answer is the API's JSON error (413 `payload_too_large`, 408
//! `request_timeout`) whatever the route's extractor would have said.
//!
//! * Size: a declared `Content-Length` over the limit is refused before any handler runs; a
//!   body without one (chunked) fails once it passes the limit. axum's own per-extractor
//!   limit is switched off so that this is the only one (it answered plain text, or 400 through
//!   the JSON extractor).
//! * Time: tower-http's `TimeoutBody` times out the gap between two chunks, so a client
//!   dribbling one byte at a time keeps a request open forever; this deadline counts from the
//!   moment a handler starts reading the body.
//!
//! When a body fails, the handler's extractor fails with it and this layer replaces that
//! answer, closing the connection (the rest of the body is never read).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use tokio::time::Sleep;

use crate::error::AppError;

/// Largest request body accepted anywhere (an appointment's body text is at most 100,000
/// characters; the sandbox's EWS requests carry the same).
pub const MAX_BODY_BYTES: u64 = 2 * 1024 * 1024;

/// Settings of [`guard`].
#[derive(Clone, Copy, Debug)]
pub struct BodyRules {
    /// Longest time from the first read of a body to its end.
    pub timeout: Duration,
    pub max_bytes: u64,
}

// Why a body stopped early (shared between the body and [`guard`]).
const INTACT: u8 = 0;
const TOO_LARGE: u8 = 1;
const TOO_SLOW: u8 = 2;

/// Middleware (`axum::middleware::from_fn_with_state`) applying [`BodyRules`].
pub async fn guard(State(rules): State<BodyRules>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > rules.max_bytes) {
        return too_large(rules);
    }
    let verdict = Arc::new(AtomicU8::new(INTACT));
    let request = request.map(|body| {
        Body::new(GuardedBody {
            inner: body,
            rules,
            read: 0,
            deadline: None,
            verdict: verdict.clone(),
        })
    });
    let response = next.run(request).await;
    match verdict.load(Ordering::SeqCst) {
        TOO_LARGE => too_large(rules),
        TOO_SLOW => closing(AppError::RequestTimeout.into_response()),
        _ => response,
    }
}

fn too_large(rules: BodyRules) -> Response {
    closing(
        AppError::PayloadTooLarge {
            limit_bytes: rules.max_bytes,
        }
        .into_response(),
    )
}

/// The client is misbehaving and part of its body may still be on the wire: do not read the
/// next request from this connection.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The request body, failing past `rules.max_bytes`, or once `rules.timeout` has passed since
/// it was first polled.
struct GuardedBody {
    inner: Body,
    rules: BodyRules,
    read: u64,
    deadline: Option<Pin<Box<Sleep>>>,
    /// Tells [`guard`] why the handler's extractor failed.
    verdict: Arc<AtomicU8>,
}

#[derive(Debug, thiserror::Error)]
enum BodyRefused {
    #[error("the request body is larger than {0} bytes")]
    TooLarge(u64),
    #[error("the request body did not arrive in time")]
    TooSlow,
}

impl GuardedBody {
    fn refuse(
        &self,
        verdict: u8,
        error: BodyRefused,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        self.verdict.store(verdict, Ordering::SeqCst);
        Poll::Ready(Some(Err(axum::Error::new(error))))
    }
}

impl http_body::Body for GuardedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let timeout = this.rules.timeout;
        let deadline = this
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if deadline.as_mut().poll(cx).is_ready() {
            return this.refuse(TOO_SLOW, BodyRefused::TooSlow);
        }
        let frame = ready!(Pin::new(&mut this.inner).poll_frame(cx));
        if let Some(Ok(frame)) = &frame
            && let Some(data) = frame.data_ref()
        {
            this.read += data.len() as u64;
            if this.read > this.rules.max_bytes {
                return this.refuse(TOO_LARGE, BodyRefused::TooLarge(this.rules.max_bytes));
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
