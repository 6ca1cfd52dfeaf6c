//! The OpenAPI 3.1 document of the JSON API, served at `GET /api/openapi.json`.
//!
//! Nothing here repeats a route: each handler carries its `#[utoipa::path]` (method, path,
//! parameters, bodies, answers), the router registers handlers through utoipa-axum's
//! `routes!` (which reads method and path from that annotation), and the bodies' schemas are
//! derived from the model types (`model`'s `openapi` feature). This module holds what the
//! operations share: the document's head, the session's security schemes, and the error
//! answers (always [`ApiErrorBody`], its `error` one of [`ErrorCode`]).

use std::sync::Arc;

use axum::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use model::{ApiErrorBody, ErrorCode};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi};

/// Where the document is served.
pub const PATH: &str = "/api/openapi.json";

/// Security scheme names (the annotations spell them as literals): the session handle
/// (`Authorization: Bearer …`) and the DPoP proof (`DPoP: …`, RFC 9449) signed with the key the
/// session is bound to; the API wants both.
const SESSION_SCHEME: &str = "session";
const DPOP_SCHEME: &str = "dpop";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "exchange-forms proxy",
        description = "The JSON API the exchange-forms widget calls: appointments, tasks, \
            the directory and the sign-in flows. Every error answers an ApiErrorBody."
    ),
    components(schemas(ApiErrorBody, ErrorCode)),
    security(("session" = [], "dpop" = [])),
    modifiers(&SessionSchemes)
)]
pub struct ApiDoc;

struct SessionSchemes;

impl Modify for SessionSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SESSION_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The opaque session handle of a finished sign-in flow (never a token).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            DPOP_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "DPoP",
                "A DPoP proof (RFC 9449) for this request, signed with the key the session is bound to.",
            ))),
        );
    }
}

/// `GET /api/openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI document of this API", content_type = "application/json"))
)]
pub async fn document(Extension(document): Extension<Arc<String>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.as_str().to_owned(),
    )
        .into_response()
}

/// The document as served (the routes given are those the router holds).
pub fn render(openapi: &utoipa::openapi::OpenApi) -> Arc<String> {
    // Serializing plain data into a string cannot fail; an empty object would still parse.
    Arc::new(openapi.to_json().unwrap_or_else(|_| "{}".to_owned()))
}

/// `{id}` of an item: its id as the list or the creation answered it (opaque, URL-encoded).
#[derive(IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
pub struct ItemId(#[allow(dead_code)] String);

/// `If-Match` of a change: the item's version as its `ETag` gave it (`"…"`), or `*` to
/// overwrite whatever version is there now. Required: a change without it is 428.
#[derive(IntoParams)]
#[into_params(names("If-Match"), parameter_in = Header)]
pub struct IfMatchHeader(
    #[param(required = true)]
    #[allow(dead_code)]
    String,
);

/// `Idempotency-Key` of a creation: a client-chosen key (up to 255 visible ASCII characters);
/// the same key with the same body answers the first creation again instead of creating twice.
#[derive(IntoParams)]
#[into_params(names("Idempotency-Key"), parameter_in = Header)]
pub struct IdempotencyKeyHeader(#[allow(dead_code)] Option<String>);

/// Errors any call with a session can meet before or while it reaches the mailbox.
#[derive(IntoResponses)]
#[allow(dead_code)] // the variants describe answers; AppError builds the real ones
pub enum SessionErrors {
    /// `malformed_request`: a query, header or body that does not parse.
    #[response(status = 400)]
    Malformed(ApiErrorBody),
    /// `authorization_required`: no usable session (missing, expired or signed out handle, bad
    /// DPoP proof, or the mailbox server refused the token); `details.flowsUrl` starts a sign-in.
    #[response(status = 401)]
    AuthorizationRequired(ApiErrorBody),
    /// `forbidden`: e.g. the session handle is used from another origin.
    #[response(status = 403)]
    Forbidden(ApiErrorBody),
    /// `too_many_requests`: the proxy cannot take this proof right now; retry after
    /// `Retry-After` seconds.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    TooManyRequests(ApiErrorBody),
    /// `not_supported`: the configured mailbox backend (EWS or Graph) cannot do this.
    #[response(status = 501)]
    NotSupported(ApiErrorBody),
    /// `exchange_error`: the mailbox server answered with an error or could not be reached.
    #[response(status = 502)]
    ExchangeError(ApiErrorBody),
    /// `exchange_busy`: the mailbox server throttled the proxy; retry after `Retry-After`
    /// seconds (also `details.retryAfterSeconds`).
    #[response(status = 503, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    ExchangeBusy(ApiErrorBody),
}

/// Errors of a call that sends a JSON body.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    /// `request_timeout`: the body did not arrive in time.
    #[response(status = 408)]
    RequestTimeout(ApiErrorBody),
    /// `payload_too_large`: the body is larger than the proxy accepts (`details.limitBytes`).
    #[response(status = 413)]
    PayloadTooLarge(ApiErrorBody),
    /// `validation_failed`: `fields` holds one message per invalid field, under its JSON name.
    #[response(status = 422)]
    ValidationFailed(ApiErrorBody),
}

/// Errors of a query string that parses but holds invalid values.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum QueryErrors {
    /// `validation_failed`: `fields` holds one message per invalid parameter, under its name.
    #[response(status = 422)]
    ValidationFailed(ApiErrorBody),
}

/// Errors of a call naming an item.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ItemErrors {
    /// `not_found`: no such item in the caller's mailbox.
    #[response(status = 404)]
    NotFound(ApiErrorBody),
}

/// Errors of a change to an item (`If-Match`).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum VersionErrors {
    /// `not_found`: no such item in the caller's mailbox.
    #[response(status = 404)]
    NotFound(ApiErrorBody),
    /// `conflict`: the item changed since the version in `If-Match` (reload, or send
    /// `If-Match: *` to overwrite).
    #[response(status = 409)]
    Conflict(ApiErrorBody),
    /// `precondition_required`: `If-Match` is missing.
    #[response(status = 428)]
    PreconditionRequired(ApiErrorBody),
}

/// Errors of a creation with an `Idempotency-Key`.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum CreateErrors {
    /// `conflict`: the `Idempotency-Key` was used before for a different request, or that
    /// request is still running.
    #[response(status = 409)]
    Conflict(ApiErrorBody),
}

/// Errors of the sign-in flow endpoints.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum FlowErrors {
    /// `malformed_request`: a body or query that does not parse.
    #[response(status = 400)]
    Malformed(ApiErrorBody),
    /// `forbidden`: e.g. the caller's origin is not an embedding origin, or the flow's secret
    /// is wrong.
    #[response(status = 403)]
    Forbidden(ApiErrorBody),
    /// `validation_failed`: e.g. a missing `secretHash` or a `returnTo` outside the embedding
    /// origins.
    #[response(status = 422)]
    ValidationFailed(ApiErrorBody),
    /// `too_many_requests`: too many flows from this client or origin; retry after
    /// `Retry-After` seconds.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    TooManyRequests(ApiErrorBody),
}

/// Errors of the session's own endpoints (status, sign-out): an unusable session is no error
/// there.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum SessionCheckErrors {
    /// `forbidden`: e.g. the session handle is used from another origin.
    #[response(status = 403)]
    Forbidden(ApiErrorBody),
    /// `too_many_requests`: the proxy cannot take this proof right now; retry after
    /// `Retry-After` seconds.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    TooManyRequests(ApiErrorBody),
}
