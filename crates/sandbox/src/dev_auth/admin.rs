//! Operator endpoints of the development authorization server (`/sandbox/oauth/admin/*`).
//!
//! They act on every user, so only the operator of this process may call them: at start a
//! random operator token is written to `sandbox-admin.token` next to the server's database (the
//! data directory), readable by the owner only, and each call must present it as
//! `Authorization: Bearer <token>`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sqlx::SqlitePool;
use subtle::ConstantTimeEq as _;

use super::token::oauth_form;
use super::{Dev, server_error, user_for};
use crate::support::{random_token, sha256};

/// The operator token's file name in the data directory.
pub const TOKEN_FILE: &str = "sandbox-admin.token";

/// Issues the operator token into the directory of the server's database file (the data
/// directory) and returns its SHA-256; `None` when the database is not a file.
pub fn operator_token(pool: &SqlitePool) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let options = pool.connect_options();
    let database = options.get_filename();
    let dir = match database.parent() {
        Some(dir) if database.is_file() => dir,
        _ => {
            tracing::warn!(
                "the dev authorization server's database is not a file: operator endpoints are closed"
            );
            return Ok(None);
        }
    };
    match issue_operator_token(dir) {
        Ok((path, hash)) => {
            tracing::info!(path = %path.display(), "sandbox operator token written");
            Ok(Some(hash))
        }
        Err(e) => Err(sqlx::Error::Configuration(
            format!("cannot write {}: {e}", dir.join(TOKEN_FILE).display()).into(),
        )),
    }
}

/// Writes a fresh operator token to `<dir>/sandbox-admin.token` (mode 0600) and returns its
/// SHA-256. The file is replaced whole (written aside, then renamed), so a reader never sees a
/// half-written token and an older file's permissions do not carry over.
pub fn issue_operator_token(dir: &Path) -> std::io::Result<(PathBuf, Vec<u8>)> {
    let token = random_token(32);
    let path = dir.join(TOKEN_FILE);
    let aside = dir.join(format!(".{TOKEN_FILE}.{}", random_token(8)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let written = options.open(&aside).and_then(|mut file| {
        file.write_all(token.as_bytes())?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&aside, &path));
    if let Err(e) = renamed {
        let _ = std::fs::remove_file(&aside);
        return Err(e);
    }
    Ok((path, sha256(&token)))
}

/// Whether the request carries the operator token (compared in constant time, by digest).
fn is_operator(expected: Option<&[u8]>, headers: &HeaderMap) -> bool {
    match (expected, crate::support::bearer_token(headers)) {
        (Some(expected), Some(token)) => bool::from(sha256(&token).as_slice().ct_eq(expected)),
        _ => false,
    }
}

fn operator_required() -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({
            "error": "invalid_token",
            "error_description": format!(
                "operator endpoint: send Authorization: Bearer <the token in the data directory's {TOKEN_FILE}>"
            ),
        })),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"sandbox-admin\", error=\"invalid_token\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `POST admin/revoke-user` (form `user=<address>`): revokes everything a user granted, as an
/// administrator removing the app's access would, so "refresh token revoked → authorize again"
/// can be exercised end to end.
pub async fn revoke_user(State(dev): Dev, headers: HeaderMap, body: Bytes) -> Response {
    // The token first: without it, nothing about the request is looked at.
    if !is_operator(dev.operator_token_hash.as_deref(), &headers) {
        return operator_required();
    }
    let form = match oauth_form(&headers, &body) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    let Some(user) = form.get("user").and_then(|u| user_for(u)) else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "unknown user"})),
        )
            .into_response();
    };
    match dev.revoke_user(&user.sub).await {
        Ok(n) => axum::Json(json!({"revoked": n})).into_response(),
        Err(e) => server_error(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operator_token_file_is_private_and_replaced_at_each_start() {
        let dir = tempfile::TempDir::new().unwrap();
        let (path, first) = issue_operator_token(dir.path()).unwrap();
        let token = std::fs::read_to_string(&path).unwrap();
        assert_eq!(sha256(&token), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let (path, second) = issue_operator_token(dir.path()).unwrap();
        assert_ne!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "a loosened file is not reused");
        }
        let entries = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(entries, 1, "nothing left aside");

        let mut headers = HeaderMap::new();
        assert!(!is_operator(Some(&second), &headers));
        let token = std::fs::read_to_string(&path).unwrap();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        assert!(is_operator(Some(&second), &headers));
        assert!(!is_operator(Some(&first), &headers));
        assert!(!is_operator(None, &headers));
    }
}
