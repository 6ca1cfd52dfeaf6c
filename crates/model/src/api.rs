//! Shapes of the proxy's JSON API that the widget reads as well.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::fields::{Field, FieldErrors, Problem};

/// Every error the proxy returns: `{ "error": code, "message": text, "fields": {…} }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    /// Stable machine-readable code, see [`ErrorCode`].
    #[cfg_attr(feature = "openapi", schema(value_type = ErrorCode))]
    pub error: String,
    /// A sentence a user can read.
    pub message: String,
    /// Per-field messages for validation errors (JSON field names as keys).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Anything else a client needs to react (e.g. `retryAfterSeconds`, `authorizeUrl`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, serde_json::Value>,
}

/// The stable error codes of the JSON API (serialized as [`ErrorCode::as_str`] names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 422: the input was understood but a field is invalid.
    ValidationFailed,
    /// 400: the body is not JSON, or not the expected shape.
    MalformedRequest,
    /// 401: no usable session; the widget starts the authorization flow.
    AuthorizationRequired,
    /// 403: e.g. a session handle presented from another origin.
    Forbidden,
    /// 404
    NotFound,
    /// 405: the path exists, the method does not (the `Allow` header lists those that do).
    MethodNotAllowed,
    /// 408: the request body did not arrive in time.
    RequestTimeout,
    /// 409: e.g. the item changed on the server (ChangeKey mismatch).
    Conflict,
    /// 428: a change to an item must say which version it changes (`If-Match`).
    PreconditionRequired,
    /// 413: the request body is larger than the proxy accepts (`details.limitBytes`).
    PayloadTooLarge,
    /// 503: Exchange throttled us; `details.retryAfterSeconds` says when to retry.
    ExchangeBusy,
    /// 429: this client (or its origin) sent too many requests of a kind; `details.retryAfterSeconds`.
    TooManyRequests,
    /// 501: the proxy's mailbox backend (EWS or Graph) cannot do this.
    NotSupported,
    /// 502: Exchange answered with an error or could not be reached.
    ExchangeError,
    /// 500: a bug on our side.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::MalformedRequest => "malformed_request",
            ErrorCode::AuthorizationRequired => "authorization_required",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PreconditionRequired => "precondition_required",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::ExchangeBusy => "exchange_busy",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::NotSupported => "not_supported",
            ErrorCode::ExchangeError => "exchange_error",
            ErrorCode::Internal => "internal",
        }
    }

    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::ValidationFailed => 422,
            ErrorCode::MalformedRequest => 400,
            ErrorCode::AuthorizationRequired => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::RequestTimeout => 408,
            ErrorCode::Conflict => 409,
            ErrorCode::PreconditionRequired => 428,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::ExchangeBusy => 503,
            ErrorCode::TooManyRequests => 429,
            ErrorCode::NotSupported => 501,
            ErrorCode::ExchangeError => 502,
            ErrorCode::Internal => 500,
        }
    }
}

impl ApiErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: code.as_str().to_owned(),
            message: message.into(),
            ..Self::default()
        }
    }

    pub fn validation(fields: FieldErrors) -> Self {
        Self {
            error: ErrorCode::ValidationFailed.as_str().to_owned(),
            message: "Some fields need attention.".to_owned(),
            fields: fields
                .iter()
                .map(|(field, problem)| (field.name().to_owned(), problem.english(*field)))
                .collect(),
            details: BTreeMap::new(),
        }
    }
}

/// `GET /api/auth/status`: whether this browser's session can act right now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthStatus {
    pub authorized: bool,
    /// Display name or e-mail of the signed-in user, when authorized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// The window of `GET /api/appointments?start=…&end=…` (RFC 3339 instants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl CalendarWindow {
    /// Exchange refuses calendar views longer than two years; we refuse them first.
    pub const MAX_DAYS: i64 = 731;

    pub fn parse(start: &str, end: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let parse = |raw: &str, field: Field, errors: &mut FieldErrors| {
            crate::time_text::rfc3339_instant(raw.trim()).or_else(|| {
                errors.add(
                    field,
                    format!("'{raw}' is not an RFC 3339 instant such as 2026-12-01T00:00:00Z."),
                );
                None
            })
        };
        let start = parse(start, Field::Start, &mut errors);
        let end = parse(end, Field::End, &mut errors);
        if let (Some(start), Some(end)) = (start, end) {
            if end <= start {
                errors.add(Field::End, Problem::BeforeStart);
            } else if end - start > Duration::days(Self::MAX_DAYS) {
                errors.add(Field::End, "A calendar view can span at most two years.");
            }
            return errors.into_result(Self { start, end });
        }
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_serializes_in_the_documented_shape() {
        let mut fields = FieldErrors::new();
        fields.add(Field::End, Problem::BeforeStart);
        let json = serde_json::to_value(ApiErrorBody::validation(fields)).unwrap();
        assert_eq!(json["error"], "validation_failed");
        assert_eq!(json["fields"]["end"], "The end must be after the start.");
    }

    #[test]
    fn calendar_window_checks_order_and_span() {
        assert!(CalendarWindow::parse("2026-12-01T00:00:00Z", "2026-12-08T00:00:00+01:00").is_ok());
        assert!(CalendarWindow::parse("2026-12-08T00:00:00Z", "2026-12-01T00:00:00Z").is_err());
        assert!(CalendarWindow::parse("2026-01-01T00:00:00Z", "2029-01-01T00:00:00Z").is_err());
        let errors = CalendarWindow::parse("yesterday", "2026-12-01T00:00:00Z").unwrap_err();
        assert!(errors.get(Field::Start).is_some());
    }
}
