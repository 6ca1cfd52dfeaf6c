//! Errors as Microsoft Graph sends them:
//! `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`
//! (<https://learn.microsoft.com/en-us/graph/errors>), with the HTTP status Graph uses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::mailbox::SandboxError;
use crate::mailbox::identity::IdentityError;

#[derive(Debug)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// A request Graph refuses for its content (a property named in the message).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub fn invalid_property(property: &str, problem: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidProperty",
            format!("The value of property '{property}' is invalid: {problem}"),
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )
    }

    /// An `If-Match` ETag that is no longer the item's.
    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "ErrorIrresolvableConflict",
            "The change key passed in the request does not match the current change key for the item.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "The HTTP method is not supported for this resource.",
        )
    }
}

impl From<SandboxError> for GraphError {
    fn from(error: SandboxError) -> Self {
        tracing::error!(%error, "sandbox Graph request failed");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceNotAvailable",
            "The mailbox could not complete the request. Try again later.",
        )
    }
}

impl From<sqlx::Error> for GraphError {
    fn from(error: sqlx::Error) -> Self {
        SandboxError::Database(error).into()
    }
}

impl From<IdentityError> for GraphError {
    fn from(error: IdentityError) -> Self {
        match error {
            IdentityError::Unauthorized(reason) => Self::new(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                format!("Access token is empty or invalid: {reason}."),
            ),
            IdentityError::Unavailable(reason) => {
                tracing::warn!(%reason, "sandbox cannot verify the access token");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceNotAvailable",
                    "The access token could not be verified. Try again later.",
                )
            }
        }
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "request-id": uuid::Uuid::new_v4().to_string(),
                    "client-request-id": client_request_id(),
                }
            }
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"\", error=\"invalid_token\""),
            );
        }
        response
    }
}

pub type GraphResult<T> = Result<T, GraphError>;

tokio::task_local! {
    /// The caller's `client-request-id` header, echoed in error bodies as Graph does.
    pub static CLIENT_REQUEST_ID: String;
}

fn client_request_id() -> String {
    CLIENT_REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| uuid::Uuid::new_v4().to_string())
}
