//! Every request body must arrive within a deadline, on every route.
//!
//! tower-http's `TimeoutBody` times out the gap between two chunks, so a client dribbling one
//! byte at a time keeps a request open forever; this deadline counts from the moment a handler
//! starts reading the body. When it passes, the handler's extractor fails and this layer
//! answers 408 in the API's error shape instead, closing the connection (the rest of the body
//! is never read).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Frame, SizeHint};
use tokio::time::Sleep;

use crate::error::AppError;

/// Settings of [`guard`].
#[derive(Clone, Copy, Debug)]
pub struct BodyRules {
    /// Longest time from the first read of a body to its end.
    pub timeout: Duration,
}

/// Middleware (`axum::middleware::from_fn_with_state`) applying [`BodyRules`].
pub async fn guard(State(rules): State<BodyRules>, request: Request, next: Next) -> Response {
    let expired = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(DeadlineBody {
            inner: body,
            timeout: rules.timeout,
            deadline: None,
            expired: expired.clone(),
        })
    });
    let response = next.run(request).await;
    if expired.load(Ordering::SeqCst) {
        return closing(AppError::RequestTimeout.into_response());
    }
    response
}

/// The client is misbehaving and part of its body may still be on the wire: do not read the
/// next request from this connection.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The request body, failing once `timeout` has passed since it was first polled.
struct DeadlineBody {
    inner: Body,
    timeout: Duration,
    deadline: Option<Pin<Box<Sleep>>>,
    /// Tells [`guard`] why the handler's extractor failed.
    expired: Arc<AtomicBool>,
}

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTooSlow;

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let timeout = this.timeout;
        let deadline = this
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if deadline.as_mut().poll(cx).is_ready() {
            this.expired.store(true, Ordering::SeqCst);
            return Poll::Ready(Some(Err(axum::Error::new(BodyTooSlow))));
        }
        Pin::new(&mut this.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
