//! The client side: the token endpoint (code and refresh grants), userinfo and revocation.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest as _, Sha256};
use sqlx::Row as _;

use super::memory::Redemption;
use super::{Dev, DevAuthServer, OAuthErr, is_unreserved, server_error, user_for};
use crate::support::sha256;
/// RFC 6749 form parameters. Parsed by hand so that a malformed request still gets an OAuth
/// JSON error (axum's `Form` would answer plain text); a repeated parameter is refused.
pub(super) fn oauth_form(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<HashMap<String, String>, OAuthErr> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_type {
        return Err(OAuthErr::new(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut form = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if form
            .insert(k.clone().into_owned(), v.into_owned())
            .is_some()
        {
            return Err(OAuthErr::new(
                "invalid_request",
                format!("parameter {k} is repeated"),
            ));
        }
    }
    Ok(form)
}

pub(super) async fn token(State(dev): Dev, headers: HeaderMap, body: Bytes) -> Response {
    let form = match oauth_form(&headers, &body) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    match token_inner(&dev, &headers, &form).await {
        Ok(body) => {
            let mut r = axum::Json(body).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => e.into_response(),
    }
}

async fn token_inner(
    dev: &DevAuthServer,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<serde_json::Value, OAuthErr> {
    dev.authenticate_client(headers, form)?;
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    match get("grant_type") {
        Some("authorization_code") => {
            let code =
                get("code").ok_or_else(|| OAuthErr::new("invalid_request", "code is required"))?;
            let hash = sha256(code);
            let now = dev.now();
            let redemption = dev.lock_memory().redeem_code(hash, now);
            let grant = match redemption {
                Redemption::Fresh(g) => g,
                Redemption::Replayed(replayed_grant) => {
                    // RFC 6749 4.1.2: a code used twice revokes what it produced.
                    tracing::warn!("authorization code replayed; revoking its tokens");
                    dev.revoke_grant(&replayed_grant)
                        .await
                        .map_err(server_error)?;
                    return Err(OAuthErr::new(
                        "invalid_grant",
                        "the authorization code was already used",
                    ));
                }
                Redemption::Unknown => {
                    return Err(OAuthErr::new("invalid_grant", "unknown authorization code"));
                }
            };
            if grant.expires_at <= now {
                return Err(OAuthErr::new(
                    "invalid_grant",
                    "the authorization code expired",
                ));
            }
            if get("redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return Err(OAuthErr::new(
                    "invalid_grant",
                    "redirect_uri does not match the authorization request",
                ));
            }
            let verifier = get("code_verifier").ok_or_else(|| {
                OAuthErr::new("invalid_request", "code_verifier is required (PKCE)")
            })?;
            if !(43..=128).contains(&verifier.len()) || !verifier.bytes().all(is_unreserved) {
                return Err(OAuthErr::new("invalid_grant", "code_verifier is malformed"));
            }
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if computed != grant.code_challenge {
                return Err(OAuthErr::new("invalid_grant", "PKCE verification failed"));
            }
            let scopes: Vec<&str> = grant.scope.split_whitespace().collect();
            let mut body = dev
                .issue(
                    &grant.sub,
                    &grant.scope,
                    &grant.grant_id,
                    scopes.contains(&"offline_access"),
                )
                .await
                .map_err(server_error)?;
            if scopes.contains(&"openid") {
                body["id_token"] = json!(dev.id_token(&grant).map_err(server_error)?);
            }
            Ok(body)
        }
        Some("refresh_token") => {
            let presented = get("refresh_token")
                .ok_or_else(|| OAuthErr::new("invalid_request", "refresh_token is required"))?;
            let row = sqlx::query("SELECT sub, scope, grant_id, revoked FROM dev_tokens WHERE token_hash = ? AND kind = 'refresh'")
                .bind(sha256(presented))
                .fetch_optional(&dev.pool)
                .await
                .map_err(server_error)?;
            let Some(row) = row else {
                return Err(OAuthErr::new("invalid_grant", "unknown refresh token"));
            };
            let (sub, scope, grant_id, revoked): (String, String, String, i64) = (
                row.try_get("sub").map_err(server_error)?,
                row.try_get("scope").map_err(server_error)?,
                row.try_get("grant_id").map_err(server_error)?,
                row.try_get("revoked").map_err(server_error)?,
            );
            if revoked != 0 {
                // A rotated-away refresh token came back: someone holds a copy. Kill the grant.
                dev.revoke_grant(&grant_id).await.map_err(server_error)?;
                return Err(OAuthErr::new(
                    "invalid_grant",
                    "the refresh token was revoked or already used",
                ));
            }
            // Rotation: the presented token dies as the new pair is issued (the conditional
            // update makes two concurrent uses of one token produce one winner).
            let used = sqlx::query(
                "UPDATE dev_tokens SET revoked = 1 WHERE token_hash = ? AND revoked = 0",
            )
            .bind(sha256(presented))
            .execute(&dev.pool)
            .await
            .map_err(server_error)?;
            if used.rows_affected() != 1 {
                dev.revoke_grant(&grant_id).await.map_err(server_error)?;
                return Err(OAuthErr::new(
                    "invalid_grant",
                    "the refresh token was already used",
                ));
            }
            *dev.lock_refreshes().entry(sub.clone()).or_insert(0) += 1;
            dev.issue(&sub, &scope, &grant_id, true)
                .await
                .map_err(server_error)
        }
        Some(_) => Err(OAuthErr::new(
            "unsupported_grant_type",
            "authorization_code and refresh_token only",
        )),
        None => Err(OAuthErr::new("invalid_request", "grant_type is required")),
    }
}

pub(super) async fn userinfo(State(dev): Dev, headers: HeaderMap) -> Response {
    let unauthorized = || {
        let mut r = (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_token"})),
        )
            .into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        r
    };
    let Some(token) = crate::support::bearer_token(&headers) else {
        return unauthorized();
    };
    let row = sqlx::query(
        "SELECT sub FROM dev_tokens WHERE token_hash = ? AND kind = 'access' AND revoked = 0 AND expires_at > ?",
    )
    .bind(sha256(&token))
    .bind(dev.now())
    .fetch_optional(&dev.pool)
    .await;
    match row {
        Ok(Some(row)) => {
            let sub: String = row.try_get("sub").unwrap_or_default();
            match user_for(&sub) {
                Some(u) => axum::Json(
                    json!({"sub": u.sub, "email": u.email, "name": u.name, "email_verified": true}),
                )
                .into_response(),
                None => unauthorized(),
            }
        }
        Ok(None) => unauthorized(),
        Err(e) => server_error(e).into_response(),
    }
}

pub(super) async fn revoke(State(dev): Dev, headers: HeaderMap, body: Bytes) -> Response {
    let form = match oauth_form(&headers, &body) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = dev.authenticate_client(&headers, &form) {
        return e.into_response();
    }
    let Some(token) = form.get("token").filter(|t| !t.is_empty()) else {
        return OAuthErr::new("invalid_request", "token is required").into_response();
    };
    let row = sqlx::query("SELECT kind, grant_id FROM dev_tokens WHERE token_hash = ?")
        .bind(sha256(token))
        .fetch_optional(&dev.pool)
        .await;
    let result = match row {
        // Revoking a refresh token ends the whole grant (its access tokens too).
        Ok(Some(row))
            if row
                .try_get::<String, _>("kind")
                .is_ok_and(|k| k == "refresh") =>
        {
            match row.try_get::<String, _>("grant_id") {
                Ok(grant) => dev.revoke_grant(&grant).await,
                Err(e) => Err(e),
            }
        }
        Ok(Some(_)) => sqlx::query("UPDATE dev_tokens SET revoked = 1 WHERE token_hash = ?")
            .bind(sha256(token))
            .execute(&dev.pool)
            .await
            .map(|_| ()),
        // RFC 7009: unknown tokens are not an error.
        Ok(None) => Ok(()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => server_error(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_forms_need_the_form_type_and_no_repeats() {
        let mut h = HeaderMap::new();
        assert!(oauth_form(&h, b"a=1").is_err());
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let form = oauth_form(&h, b"grant_type=refresh_token&refresh_token=a%2Bb").unwrap();
        assert_eq!(form["refresh_token"], "a+b");
        assert!(oauth_form(&h, b"code=1&code=2").is_err());
    }
}
