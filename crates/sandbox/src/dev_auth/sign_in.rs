//! The browser side of a sign-in: `/authorize`, the user picker and the consent decision.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use url::Url;

use super::memory::{CodeGrant, Full, PendingRequest};
use super::{
    CODE_TTL_SECS, Dev, MAX_NONCE_LEN, REQUEST_TTL_SECS, is_unreserved, listed_users, pages,
    user_for,
};
use crate::support::{random_token, sha256};
/// Redirects back to the client with `params` (only once the redirect URI is known to be
/// registered: never to an unchecked URI).
pub(super) fn redirect_back(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return pages::error_page(StatusCode::BAD_REQUEST, "The redirect URI is not valid.");
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    match HeaderValue::from_str(url.as_str()) {
        Ok(location) => {
            let mut r = StatusCode::SEE_OTHER.into_response();
            r.headers_mut().insert(header::LOCATION, location);
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r.headers_mut().insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            r
        }
        Err(_) => pages::error_page(StatusCode::BAD_REQUEST, "The redirect URI is not valid."),
    }
}

pub(super) async fn authorize(
    State(dev): Dev,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    // Client and redirect URI first: until both check out, errors are shown, never redirected.
    if get("client_id") != Some(dev.settings.client_id.as_str()) {
        return pages::error_page(StatusCode::BAD_REQUEST, "Unknown client_id.");
    }
    let Some(redirect_uri) =
        get("redirect_uri").filter(|r| dev.settings.redirect_uris.iter().any(|x| x == r))
    else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "The redirect_uri is missing or not registered for this client.",
        );
    };
    let state = get("state");
    let back = |error: &str, description: &str| {
        let mut params = vec![("error", error), ("error_description", description)];
        if let Some(s) = state {
            params.push(("state", s));
        }
        redirect_back(redirect_uri, &params)
    };
    if get("response_type") != Some("code") {
        return back(
            "unsupported_response_type",
            "only response_type=code is supported",
        );
    }
    let Some(challenge) = get("code_challenge") else {
        return back(
            "invalid_request",
            "PKCE is required: send code_challenge with code_challenge_method=S256",
        );
    };
    if get("code_challenge_method") != Some("S256") {
        return back(
            "invalid_request",
            "only code_challenge_method=S256 is supported",
        );
    }
    if challenge.len() != 43 || !challenge.bytes().all(is_unreserved) {
        return back(
            "invalid_request",
            "code_challenge is not a base64url SHA-256",
        );
    }
    let nonce = get("nonce");
    if nonce.is_some_and(|n| n.len() > MAX_NONCE_LEN) {
        return back("invalid_request", "nonce is too long");
    }
    let scope = get("scope").unwrap_or("openid").to_owned();
    let id = random_token(32);
    let now = dev.now();
    let added = dev.lock_memory().add_request(
        id.clone(),
        PendingRequest {
            redirect_uri: redirect_uri.to_owned(),
            state: state.map(str::to_owned),
            scope,
            code_challenge: challenge.to_owned(),
            nonce: nonce.map(str::to_owned),
            user: None,
            expires_at: now + REQUEST_TTL_SECS,
        },
        now,
    );
    if added.is_err() {
        tracing::warn!("too many pending authorization requests; refusing a new one");
        return back(TEMPORARILY_UNAVAILABLE, BUSY);
    }
    pages::sign_in_page(&id, &listed_users())
}

/// RFC 6749 4.1.2.1: the authorization endpoint's overload answer (a redirect cannot carry 503).
const TEMPORARILY_UNAVAILABLE: &str = "temporarily_unavailable";
const BUSY: &str = "too many sign-ins are in progress; try again in a few minutes";

#[derive(Deserialize)]
pub(super) struct SignInForm {
    request: String,
    user: Option<String>,
}

pub(super) async fn sign_in(State(dev): Dev, Form(form): Form<SignInForm>) -> Response {
    let chosen = form.user.as_deref().and_then(user_for);
    let mut memory = dev.lock_memory();
    let now = dev.now();
    let Some(request) = memory.request_mut(&form.request, now) else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request has expired. Start again.",
        );
    };
    let Some(user) = chosen else {
        drop(memory);
        return pages::sign_in_page(&form.request, &listed_users());
    };
    request.user = Some(user.clone());
    let scope = request.scope.clone();
    drop(memory);
    pages::consent_page(&form.request, &user, &scope)
}

#[derive(Deserialize)]
pub(super) struct ConsentForm {
    request: String,
    decision: Option<String>,
}

pub(super) async fn consent(State(dev): Dev, Form(form): Form<ConsentForm>) -> Response {
    let now = dev.now();
    // Taken out: one decision per request.
    let request = dev.lock_memory().take_request(&form.request, now);
    let Some(request) = request else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "This sign-in request has expired. Start again.",
        );
    };
    let Some(user) = request.user else {
        return pages::error_page(StatusCode::BAD_REQUEST, "Pick a user first.");
    };
    let state = request.state.as_deref();
    let with_state = |mut params: Vec<(&'static str, String)>| {
        if let Some(s) = state {
            params.push(("state", s.to_owned()));
        }
        params
    };
    let params = if form.decision.as_deref() == Some("allow") {
        let code = random_token(32);
        let added = dev.lock_memory().add_code(
            sha256(&code),
            CodeGrant {
                redirect_uri: request.redirect_uri.clone(),
                scope: request.scope.clone(),
                code_challenge: request.code_challenge.clone(),
                nonce: request.nonce.clone(),
                sub: user.sub.clone(),
                expires_at: now + CODE_TTL_SECS,
                grant_id: random_token(16),
            },
            now,
        );
        match added {
            Ok(()) => with_state(vec![("code", code)]),
            Err(Full) => {
                tracing::warn!("too many unused authorization codes; refusing a new one");
                with_state(vec![
                    ("error", TEMPORARILY_UNAVAILABLE.to_owned()),
                    ("error_description", BUSY.to_owned()),
                ])
            }
        }
    } else {
        with_state(vec![
            ("error", "access_denied".to_owned()),
            (
                "error_description",
                "The user denied the request.".to_owned(),
            ),
        ])
    };
    let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    redirect_back(&request.redirect_uri, &refs)
}
