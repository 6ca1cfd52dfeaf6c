//! The secret that ties a sign-in flow to this page: 32 random bytes this page keeps, of
//! which the proxy only ever learns the SHA-256 when the flow starts. The page proves it
//! later to the proxy's start page (over `postMessage`, or in the full-page form post) and when
//! polling the flow, so that a flow id alone — copied out of a URL or a log — is worth nothing.

use wasm_bindgen_futures::JsFuture;

use crate::error::ApiError;

pub struct FlowSecret {
    /// Kept by this page, never stored.
    pub secret: String,
    /// base64url SHA-256 of `secret`, sent when the flow starts.
    pub hash: String,
}

impl FlowSecret {
    pub async fn generate() -> Result<Self, ApiError> {
        let unavailable = |_| ApiError::Server("this browser cannot make a sign-in secret".into());
        let crypto = web_sys::window()
            .ok_or_else(|| ApiError::Server("no window".into()))?
            .crypto()
            .map_err(unavailable)?;
        let mut bytes = [0u8; 32];
        crypto
            .get_random_values_with_u8_array(&mut bytes)
            .map_err(unavailable)?;
        let secret = base64url(&bytes);
        let text = secret.clone().into_bytes();
        let digest = crypto
            .subtle()
            .digest_with_str_and_u8_array("SHA-256", &text)
            .map_err(unavailable)?;
        let digest = JsFuture::from(digest).await.map_err(unavailable)?;
        let hash = base64url(&js_sys::Uint8Array::new(&digest).to_vec());
        Ok(FlowSecret { secret, hash })
    }
}

/// Unpadded base64url (RFC 4648 §5).
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}
