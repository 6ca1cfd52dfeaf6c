//! The secret that ties a sign-in flow to this page: 32 random bytes this page keeps, of
//! which the proxy only ever learns the SHA-256 when the flow starts. The page proves it
//! later to the proxy's start page (over `postMessage`, or in the full-page form post) and when
//! polling the flow, so that a flow id alone — copied out of a URL or a log — is worth nothing.
//! Made by the same WebCrypto module as the DPoP proofs (`src/js/dpop.js`).

use crate::error::ApiError;
use crate::services::dpop;

pub struct FlowSecret {
    /// Kept by this page, never stored.
    pub secret: String,
    /// base64url SHA-256 of `secret`, sent when the flow starts.
    pub hash: String,
}

impl FlowSecret {
    pub async fn generate() -> Result<Self, ApiError> {
        let (secret, hash) = dpop::flow_secret()
            .await
            .map_err(|e| ApiError::Server(e.to_string()))?;
        Ok(FlowSecret { secret, hash })
    }
}
