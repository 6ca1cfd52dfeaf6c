//! Extractors that reject with our own error shape instead of axum's plain-text rejections,
//! and the one reader of `Authorization: Bearer`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use headers::HeaderMapExt as _;
use headers::authorization::{Authorization, Bearer};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::mailbox::ItemVersion;

/// `axum::Json` that answers 400 `malformed_request` naming the problem (e.g. "unknown field
/// `colour`") when the body is not the expected JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    let message = match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "The request body must be JSON (Content-Type: application/json).".to_owned()
        }
        // axum's text carries serde's, which names the field and position, e.g. "unknown
        // field `colour`, expected one of … at line 1 column 58".
        other => other.body_text(),
    };
    AppError::MalformedRequest(message)
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query` with our 400 on a bad query string.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(AppError::MalformedRequest(rejection.body_text())),
        }
    }
}

/// `If-Match` of a change to an item: the version (change key / ETag) the user saw, or `*`
/// to overwrite whatever is there now. A change without it is refused with 428, so that no
/// client overwrites someone else's edit by leaving the header out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfMatch(pub ItemVersion);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(axum::http::header::IF_MATCH) else {
            return Err(AppError::PreconditionRequired(
                "Send the item's changeKey in If-Match (\"…\"), or If-Match: * to overwrite the current version.".into(),
            ));
        };
        let text = value.to_str().unwrap_or("").trim();
        if text == "*" {
            return Ok(IfMatch(ItemVersion::Any));
        }
        // One strong entity tag: a quoted opaque string (RFC 9110 section 8.8.3).
        match text
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b == 0x21 || (0x23..=0x7e).contains(&b)))
        {
            Some(tag) => Ok(IfMatch(ItemVersion::Exactly(tag.to_owned()))),
            None => Err(AppError::MalformedRequest(
                "If-Match must be one quoted changeKey (\"…\") or *.".into(),
            )),
        }
    }
}

/// The credential of an `Authorization: Bearer <token>` header (RFC 6750 section 2.1): the
/// session handle on the JSON API, an access token at the sandbox mailbox and the development
/// sign-in's userinfo. `None` when the header is missing, uses another scheme or has no token.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let authorization: Authorization<Bearer> = headers.typed_get()?;
    let token = authorization.token();
    (!token.is_empty()).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_authorization(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", value.parse().unwrap());
        headers
    }

    #[test]
    fn bearer_tokens_are_read_from_the_bearer_scheme_only() {
        for (value, token) in [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("BEARER  abc", Some("abc")),
            ("Bearer ", None),
            ("Bearer", None),
            ("Bearerabc", None),
            ("Basic YWxpY2U6cw==", None),
            ("abc", None),
        ] {
            assert_eq!(
                bearer_token(&with_authorization(value)).as_deref(),
                token,
                "{value:?}"
            );
        }
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }
}
