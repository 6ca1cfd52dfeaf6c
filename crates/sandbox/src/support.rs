//! Small helpers shared by the mailbox and the sign-in server.

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use headers::HeaderMapExt as _;
use headers::authorization::{Authorization, Bearer};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// `n` random bytes from the OS, base64url without padding (codes, tokens, key ids).
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(&bytes)
}

/// SHA-256 of a token: what the sign-in server's database keeps instead of the token.
pub fn sha256(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The credential of an `Authorization: Bearer <token>` header; `None` when the header is
/// missing, uses another scheme or has no token.
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let authorization: Authorization<Bearer> = headers.typed_get()?;
    let token = authorization.token();
    (!token.is_empty()).then(|| token.to_owned())
}

/// Text made safe for HTML element content and quoted attribute values.
pub fn html_escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_user_strings_is_escaped() {
        assert_eq!(
            html_escape(r#"<img src=x onerror="a('b')">&"#),
            "&lt;img src=x onerror=&quot;a(&apos;b&apos;)&quot;&gt;&amp;"
        );
    }
}
