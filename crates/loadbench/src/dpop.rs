//! DPoP proofs (RFC 9449) as the widget signs them: ES256 over a P-256 key, with `htm`, `htu`,
//! `iat`, a unique `jti` and, with a session, `ath`. wrk cannot sign, so proofs are made ahead
//! of a run and written one per line.

use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer as _;
use sha2::Digest as _;

pub fn new_key() -> SigningKey {
    SigningKey::random(&mut rand::rngs::OsRng)
}

/// Saves the key's scalar (hex) so that later steps sign with the key the session is bound to.
pub fn save_key(key: &SigningKey, path: &Path) -> Result<(), String> {
    std::fs::write(path, hex::encode(key.to_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub fn load_key(path: &Path) -> Result<SigningKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let bytes = hex::decode(text.trim()).map_err(|e| format!("{}: {e}", path.display()))?;
    SigningKey::from_slice(&bytes).map_err(|e| format!("{}: not a P-256 key: {e}", path.display()))
}

/// The JWT header, the same for every proof of one key.
fn header(key: &SigningKey) -> String {
    let point = key.verifying_key().to_encoded_point(false);
    let coordinate = |c: Option<&p256::FieldBytes>| c.map(|c| B64.encode(c)).unwrap_or_default();
    let header = serde_json::json!({
        "typ": "dpop+jwt",
        "alg": "ES256",
        "jwk": {"kty": "EC", "crv": "P-256", "x": coordinate(point.x()), "y": coordinate(point.y())},
    });
    B64.encode(header.to_string())
}

/// One proof for `method` on `url` (no query), dated `iat`, for the session `handle` if any.
pub fn proof(key: &SigningKey, method: &str, url: &str, iat: i64, handle: Option<&str>) -> String {
    proof_with_header(key, &header(key), method, url, iat, handle)
}

fn proof_with_header(
    key: &SigningKey,
    header: &str,
    method: &str,
    url: &str,
    iat: i64,
    handle: Option<&str>,
) -> String {
    let mut claims = serde_json::json!({
        "htm": method,
        "htu": url,
        "iat": iat,
        "jti": uuid::Uuid::new_v4().simple().to_string(),
    });
    if let Some(handle) = handle {
        claims["ath"] = serde_json::json!(B64.encode(sha2::Sha256::digest(handle.as_bytes())));
    }
    let input = format!("{header}.{}", B64.encode(claims.to_string()));
    let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
    format!("{input}.{}", B64.encode(signature.to_bytes()))
}

/// Writes `count` distinct proofs, one per line (each followed by a tab and a fresh
/// `Idempotency-Key`, which POST requests send), signed on every core.
pub fn write_proofs(
    key: &SigningKey,
    method: &str,
    url: &str,
    iat: i64,
    handle: &str,
    count: usize,
    out: &Path,
) -> Result<(), String> {
    let header = header(key);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_worker = count.div_ceil(workers);
    let lines: Vec<String> = std::thread::scope(|scope| {
        let jobs: Vec<_> = (0..workers)
            .map(|w| {
                let n = per_worker.min(count.saturating_sub(w * per_worker));
                let header = &header;
                scope.spawn(move || {
                    (0..n)
                        .map(|_| {
                            let proof =
                                proof_with_header(key, header, method, url, iat, Some(handle));
                            format!("{proof}\t{}\n", uuid::Uuid::new_v4())
                        })
                        .collect::<String>()
                })
            })
            .collect();
        jobs.into_iter()
            .map(|job| job.join().unwrap_or_default())
            .collect()
    });
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?,
    );
    for chunk in lines {
        file.write_all(chunk.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    file.flush()
        .map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// A flow secret and the base64url SHA-256 the widget sends of it.
pub fn flow_secret() -> (String, String) {
    let secret = B64.encode(rand::random::<[u8; 32]>());
    let hash = B64.encode(sha2::Sha256::digest(secret.as_bytes()));
    (secret, hash)
}
