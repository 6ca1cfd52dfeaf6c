//! An issuer's published signing keys (JWK set): fetched on first use (bounded in time and
//! size, redirects not followed by the shared client), kept for an hour, fetched again when a
//! token names a key id not held (key rotation) but at most once per
//! [`REFETCH_COOLDOWN_SECS`], so tokens naming made-up key ids cannot make us hammer the
//! issuer. A key is only ever handed out for an algorithm it fits.

use std::time::Duration;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use url::Url;

/// The key set is fetched again after this long.
pub const KEYS_MAX_AGE_SECS: i64 = 3600;
/// An unknown key id triggers a new fetch only if the keys held are at least this old.
pub const REFETCH_COOLDOWN_SECS: i64 = 10;
/// Largest key set accepted (Microsoft's is about 10 KiB).
pub const MAX_JWKS_BYTES: usize = 256 * 1024;
/// Time allowed for fetching the key set.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Why no key could be had.
#[derive(Debug)]
pub enum KeyError {
    /// The set could not be fetched and none is held.
    Fetch { url: String, message: String },
    /// No published key has this id (or, without an id, no single key fits the algorithm).
    NotPublished,
    /// The key exists but cannot be used (malformed parameters).
    Unusable(String),
}

struct Held {
    keys: Vec<Jwk>,
    fetched_at: i64,
}

/// The keys at one JWKS URL.
pub struct IssuerKeys {
    url: Url,
    http: reqwest::Client,
    /// Held across a fetch, so concurrent sign-ins share one.
    held: tokio::sync::Mutex<Option<Held>>,
}

impl IssuerKeys {
    pub fn new(url: Url, http: reqwest::Client) -> Self {
        IssuerKeys {
            url,
            http,
            held: tokio::sync::Mutex::new(None),
        }
    }

    /// The key `kid` names (or the only fitting one when the token names none) for `alg`;
    /// `now` is Unix seconds (the proxy's clock).
    pub async fn key_for(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        now: i64,
    ) -> Result<DecodingKey, KeyError> {
        let mut held = self.held.lock().await;
        let fresh = held
            .as_ref()
            .is_some_and(|h| now - h.fetched_at < KEYS_MAX_AGE_SECS && h.fetched_at <= now);
        if !fresh {
            self.refresh(&mut held, now).await?;
        }
        if let Some(key) = held.as_ref().and_then(|h| pick(&h.keys, alg, kid)) {
            return key;
        }
        let may_refetch = held
            .as_ref()
            .is_none_or(|h| now - h.fetched_at >= REFETCH_COOLDOWN_SECS);
        if fresh && may_refetch {
            self.refresh(&mut held, now).await?;
            if let Some(key) = held.as_ref().and_then(|h| pick(&h.keys, alg, kid)) {
                return key;
            }
        }
        Err(KeyError::NotPublished)
    }

    /// Fetches the set into `held`; on failure a stale copy is kept and used.
    async fn refresh(&self, held: &mut Option<Held>, now: i64) -> Result<(), KeyError> {
        match fetch_keys(&self.http, &self.url).await {
            Ok(keys) => {
                *held = Some(Held {
                    keys,
                    fetched_at: now,
                });
                Ok(())
            }
            Err(message) if held.is_some() => {
                tracing::warn!(url = %self.url, error = %message, "refreshing the issuer's signing keys failed; using the ones held");
                Ok(())
            }
            Err(message) => Err(KeyError::Fetch {
                url: self.url.to_string(),
                message,
            }),
        }
    }
}

/// The verification key for `alg`: the one with id `kid` if it fits, else (no `kid`) the only
/// fitting one. A key's own `alg`, `use` and curve must agree with the token's algorithm.
fn pick(keys: &[Jwk], alg: Algorithm, kid: Option<&str>) -> Option<Result<DecodingKey, KeyError>> {
    let mut fitting = keys.iter().filter(|k| fits(k, alg));
    let key = match kid {
        Some(kid) => fitting.find(|k| k.common.key_id.as_deref() == Some(kid))?,
        None => match (fitting.next(), fitting.next()) {
            (Some(only), None) => only,
            _ => return None,
        },
    };
    Some(DecodingKey::from_jwk(key).map_err(|e| KeyError::Unusable(e.to_string())))
}

fn fits(key: &Jwk, alg: Algorithm) -> bool {
    let usable = match &key.common.public_key_use {
        None | Some(PublicKeyUse::Signature) => true,
        Some(_) => false,
    };
    let same_alg = key
        .common
        .key_algorithm
        .is_none_or(|ka| ka.to_string() == format!("{alg:?}"));
    let right_type = match &key.algorithm {
        AlgorithmParameters::RSA(_) => matches!(
            alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        ),
        AlgorithmParameters::EllipticCurve(ec) => matches!(
            (&ec.curve, alg),
            (EllipticCurve::P256, Algorithm::ES256) | (EllipticCurve::P384, Algorithm::ES384)
        ),
        AlgorithmParameters::OctetKeyPair(okp) => {
            okp.curve == EllipticCurve::Ed25519 && alg == Algorithm::EdDSA
        }
        // A symmetric key never verifies an ID token.
        AlgorithmParameters::OctetKey(_) => false,
    };
    usable && same_alg && right_type
}

/// GET the JWKS. Keys that do not parse are skipped, so one key of an unknown type does not
/// take the others down.
async fn fetch_keys(http: &reqwest::Client, url: &Url) -> Result<Vec<Jwk>, String> {
    let mut response = http
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(FETCH_TIMEOUT)
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    let too_large = || format!("larger than {MAX_JWKS_BYTES} bytes");
    if response
        .content_length()
        .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading the body: {e}"))?
    {
        if body.len() + chunk.len() > MAX_JWKS_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    #[derive(Deserialize)]
    struct RawSet {
        keys: Vec<serde_json::Value>,
    }
    let set: RawSet = serde_json::from_slice(&body).map_err(|e| format!("not a JWK set: {e}"))?;
    Ok(set
        .keys
        .into_iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn keys_are_picked_by_id_type_curve_and_use() {
        let jwk = |v: serde_json::Value| serde_json::from_value::<Jwk>(v).unwrap();
        let x = URL_SAFE_NO_PAD.encode([1u8; 32]);
        let ec = |kid: &str, crv: &str, usage: &str| {
            jwk(
                serde_json::json!({"kty": "EC", "crv": crv, "x": x, "y": x, "kid": kid, "use": usage}),
            )
        };
        let keys = vec![
            ec("a", "P-256", "sig"),
            ec("b", "P-384", "sig"),
            ec("c", "P-256", "enc"),
            jwk(serde_json::json!({"kty": "oct", "k": x, "kid": "h"})),
        ];
        let cases = [
            (Algorithm::ES256, Some("a"), true, "fitting key"),
            (Algorithm::ES256, Some("b"), false, "wrong curve"),
            (Algorithm::ES256, Some("c"), false, "encryption key"),
            (Algorithm::RS256, Some("a"), false, "wrong type"),
            (Algorithm::ES256, Some("h"), false, "symmetric"),
            (Algorithm::ES256, None, true, "one fitting key"),
        ];
        for (alg, kid, found, why) in cases {
            assert_eq!(pick(&keys, alg, kid).is_some(), found, "{why}");
        }
        let two = vec![ec("a", "P-256", "sig"), ec("d", "P-256", "sig")];
        assert!(pick(&two, Algorithm::ES256, None).is_none(), "ambiguous");
    }
}
