//! DPoP proofs (RFC 9449) binding a session handle to a key the browser cannot export.
//!
//! The widget signs a short JWT (a *proof*) for every request with a non-extractable P-256
//! key; the session stores the key's RFC 7638 thumbprint (`jkt`). A copied session handle is
//! then useless without the key: [`verify`] checks that a proof was signed by the session's key
//! for this very request (method and URL), recently (`iat`), and for the handle presented
//! (`ath`); [`ReplayGuard`] refuses a proof seen before.
//!
//! Only `ES256` is accepted: it is what WebCrypto offers for non-extractable keys everywhere,
//! and a single algorithm leaves nothing to negotiate (no `none`, no HMAC confusion).

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use axum::http::Method;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::EncodedPoint;
use p256::ecdsa::VerifyingKey;
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use url::Url;

/// Longest proof considered. A P-256 proof is about 600 characters; anything much longer is
/// not one and is refused before decoding.
pub const MAX_PROOF_LEN: usize = 2048;
/// Longest `jti`. The widget sends 22 characters (16 random bytes); longer ones are refused
/// before any hashing.
pub const MAX_JTI_LEN: usize = 64;
/// JWK members that only a private key has (RFC 7518 §6.2.2 for EC; the others for RSA and
/// symmetric keys): a proof carrying one leaks the key and is refused.
const PRIVATE_JWK_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// How far a proof's `iat` may lie from the server's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IatWindow {
    /// A proof older than this many seconds is stale.
    pub max_age_secs: i64,
    /// A proof dated more than this many seconds ahead is refused (the widget corrects its
    /// clock from the proxy's `Date` header, so only small drift is expected).
    pub max_ahead_secs: i64,
}

impl Default for IatWindow {
    fn default() -> Self {
        Self {
            max_age_secs: 60,
            max_ahead_secs: 10,
        }
    }
}

/// What the proof must match besides the request itself. No `Debug`: it holds the session
/// handle.
#[derive(Clone, Copy, Default)]
pub struct Expect<'a> {
    /// Thumbprint the session was bound to; `None` when a session is being created (the
    /// proof's key then becomes the session's).
    pub jkt: Option<&'a str>,
    /// The session handle presented with the proof: the proof's `ath` must be its hash.
    pub access_token: Option<&'a str>,
    pub window: IatWindow,
}

/// A verified proof: who signed it and what the replay guard must remember.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// RFC 7638 thumbprint of the signing key (what a session stores).
    pub jkt: String,
    pub jti: String,
    pub iat: i64,
    /// Last second (epoch) at which [`verify`] accepts this proof; the replay guard forgets it
    /// after that.
    pub usable_until: i64,
}

/// Why a proof is refused. The messages are fit for a 401 answer: they name the problem,
/// never key material or the session handle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DpopError {
    #[error("The DPoP proof is not a well-formed signed JWT.")]
    Malformed,
    #[error("The DPoP proof's header must have typ dpop+jwt.")]
    WrongType,
    #[error("The DPoP proof must be signed with ES256.")]
    UnsupportedAlgorithm,
    #[error("The DPoP proof uses header extensions (crit) this server does not support.")]
    UnsupportedCritical,
    #[error("The DPoP proof's header does not carry a public P-256 key (jwk).")]
    BadKey,
    #[error("The DPoP proof's key contains private key material.")]
    PrivateKey,
    #[error("The DPoP proof lacks a valid htm, htu, iat or jti claim.")]
    BadClaims,
    #[error("The DPoP proof was made for another HTTP method.")]
    MethodMismatch,
    #[error("The DPoP proof was made for another URL.")]
    UrlMismatch,
    #[error("The DPoP proof is too old; sign a new one.")]
    Stale,
    #[error("The DPoP proof is dated in the future; check the device's clock.")]
    FromTheFuture,
    #[error("The DPoP proof is signed with a key other than the session's.")]
    KeyMismatch,
    #[error("The DPoP proof was not made for the session handle presented (ath).")]
    AccessTokenMismatch,
    #[error("The DPoP proof's signature does not verify.")]
    BadSignature,
    #[error("The DPoP proof has already been used.")]
    Replayed,
    #[error("Too many requests right now; try again in a minute.")]
    TooManyProofs,
}

#[derive(Deserialize)]
struct Header {
    typ: Option<String>,
    alg: Option<String>,
    jwk: Option<Map<String, Value>>,
    crit: Option<Value>,
}

#[derive(Deserialize)]
struct Claims {
    htm: String,
    htu: String,
    iat: i64,
    jti: String,
    ath: Option<String>,
}

/// Verifies `proof` (the `DPoP` header's value) for a request of `method` to `url` (the URL the
/// client addressed: the proxy's public base URL plus the request path, not a Host header
/// taken on trust) at `now` (epoch seconds). Call [`ReplayGuard::check`] with the result
/// before acting on the request.
pub fn verify(
    proof: &str,
    method: &Method,
    url: &Url,
    now: i64,
    expected: Expect<'_>,
) -> Result<Proof, DpopError> {
    if proof.len() > MAX_PROOF_LEN {
        return Err(DpopError::Malformed);
    }
    let mut parts = proof.split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(DpopError::Malformed);
    };
    let header: Header = decode_json(header_b64)?;
    if header.typ.as_deref() != Some("dpop+jwt") {
        return Err(DpopError::WrongType);
    }
    if header.alg.as_deref() != Some("ES256") {
        return Err(DpopError::UnsupportedAlgorithm);
    }
    if header.crit.is_some() {
        return Err(DpopError::UnsupportedCritical);
    }
    let key = public_key(header.jwk.as_ref().ok_or(DpopError::BadKey)?)?;
    let jkt = thumbprint(&key);

    let claims: Claims = decode_json(claims_b64).map_err(|_| DpopError::BadClaims)?;
    if claims.jti.is_empty() || claims.jti.len() > MAX_JTI_LEN {
        return Err(DpopError::BadClaims);
    }
    if claims.htm != method.as_str() {
        return Err(DpopError::MethodMismatch);
    }
    let htu = Url::parse(&claims.htu).map_err(|_| DpopError::UrlMismatch)?;
    if normalized(&htu) != normalized(url) {
        return Err(DpopError::UrlMismatch);
    }
    let window = expected.window;
    if now.saturating_sub(claims.iat) > window.max_age_secs {
        return Err(DpopError::Stale);
    }
    if claims.iat.saturating_sub(now) > window.max_ahead_secs {
        return Err(DpopError::FromTheFuture);
    }
    if expected.jkt.is_some_and(|bound| bound != jkt) {
        return Err(DpopError::KeyMismatch);
    }
    if let Some(token) = expected.access_token
        && claims.ath.as_deref() != Some(access_token_hash(token).as_str())
    {
        return Err(DpopError::AccessTokenMismatch);
    }

    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| DpopError::BadSignature)?;
    let signing_input = &proof[..header_b64.len() + 1 + claims_b64.len()];
    // r || s, 32 bytes each (JWS ES256, RFC 7518 §3.4); ring refuses any other length, and
    // zero or out-of-range scalars, like p256 did.
    UnparsedPublicKey::new(
        &ECDSA_P256_SHA256_FIXED,
        key.to_encoded_point(false).as_bytes(),
    )
    .verify(signing_input.as_bytes(), &signature)
    .map_err(|_| DpopError::BadSignature)?;

    Ok(Proof {
        jkt,
        jti: claims.jti,
        iat: claims.iat,
        usable_until: claims.iat.saturating_add(window.max_age_secs),
    })
}

/// RFC 7638 thumbprint (SHA-256, base64url) of a P-256 public key: the hash of
/// `{"crv":"P-256","kty":"EC","x":…,"y":…}` with the members in that order and no spaces.
pub fn thumbprint(key: &VerifyingKey) -> String {
    let point = key.to_encoded_point(false);
    // An uncompressed point always has both coordinates; the fallback is never taken.
    let coordinate = |c: Option<&p256::FieldBytes>| c.map(|c| URL_SAFE_NO_PAD.encode(c));
    let (x, y) = (
        coordinate(point.x()).unwrap_or_default(),
        coordinate(point.y()).unwrap_or_default(),
    );
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// The `ath` claim for a session handle: base64url SHA-256 of its ASCII bytes.
pub fn access_token_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()))
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, DpopError> {
    let raw = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| DpopError::Malformed)?;
    serde_json::from_slice(&raw).map_err(|_| DpopError::Malformed)
}

fn public_key(jwk: &Map<String, Value>) -> Result<VerifyingKey, DpopError> {
    if PRIVATE_JWK_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
        return Err(DpopError::PrivateKey);
    }
    let member = |name: &str| jwk.get(name).and_then(Value::as_str);
    if member("kty") != Some("EC") || member("crv") != Some("P-256") {
        return Err(DpopError::BadKey);
    }
    // base64url decoding refuses non-canonical encodings, so one key has one thumbprint.
    let coordinate = |name: &str| -> Result<p256::FieldBytes, DpopError> {
        let raw = URL_SAFE_NO_PAD
            .decode(member(name).ok_or(DpopError::BadKey)?)
            .map_err(|_| DpopError::BadKey)?;
        let bytes: [u8; 32] = raw.try_into().map_err(|_| DpopError::BadKey)?;
        Ok(bytes.into())
    };
    let point = EncodedPoint::from_affine_coordinates(&coordinate("x")?, &coordinate("y")?, false);
    // Refuses points not on the curve.
    VerifyingKey::from_encoded_point(&point).map_err(|_| DpopError::BadKey)
}

/// The URL as RFC 9449 §4.3 compares it: scheme, host, port and path, after the RFC 3986
/// syntax- and scheme-based normalisation (`Url` already lower-cases scheme and host, drops a
/// default port and resolves dot segments; percent-encodings are normalised here).
fn normalized(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    let path = normalize_percent_encoding(url.path());
    url.set_path(&path);
    url.into()
}

/// Upper-cases the hex digits of percent-encodings and decodes those of unreserved characters
/// (RFC 3986 §6.2.2.1 and §6.2.2.2), so `%7e`, `%7E` and `~` compare equal.
fn normalize_percent_encoding(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape = (bytes[i] == b'%')
            .then(|| path.get(i + 1..i + 3))
            .flatten()
            .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escape {
            Some(b) if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => {
                out.push(char::from(b));
                i += 3;
            }
            Some(b) => {
                out.push_str(&format!("%{b:02X}"));
                i += 3;
            }
            None => {
                // Not an escape: copy one whole character.
                let ch = path[i..].chars().next().unwrap_or_default();
                out.push(ch);
                i += ch.len_utf8().max(1);
            }
        }
    }
    out
}

/// Remembers the proofs accepted recently and refuses a second use of one (same key, same
/// `jti`) for as long as [`verify`] would accept it.
///
/// Each proof is remembered as 16 bytes (the start of a SHA-256 of its key's thumbprint and its
/// `jti`: no two proofs share one short of a 2^64-work collision, and a collision could only
/// refuse the colliding proof, never accept a replay), filed by the second it goes stale so that
/// forgetting costs nothing per request. Memory is bounded: beyond `max_entries` remembered
/// proofs new ones are refused ([`DpopError::TooManyProofs`]) rather than remembered without
/// bound; the default allows [`ReplayGuard::DEFAULT_MEMORY`], enough for well over ten thousand
/// requests a second with the one-minute window. The guard lives in one process; when several
/// proxy processes share a database, the store remembers proofs for all of them too
/// ([`super::store::TokenStore::remember_proof`]).
pub struct ReplayGuard {
    max_entries: usize,
    seen: Mutex<Seen>,
}

/// A remembered proof: the first 16 bytes of SHA-256(`"<jkt> <jti>"`) (a thumbprint has no
/// space).
type ProofId = [u8; 16];

#[derive(Default)]
struct Seen {
    ids: HashSet<ProofId>,
    /// The same ids by the last second they must be remembered, soonest first; one entry per
    /// second (a proof's last second lies at most the `iat` window ahead, so there are few).
    by_second: VecDeque<(i64, Vec<ProofId>)>,
}

impl ReplayGuard {
    /// Memory the default guard may use at most: 64 MiB.
    pub const DEFAULT_MEMORY: usize = 64 << 20;
    /// What one remembered proof costs at most: its id in the set (16 bytes, plus the set's
    /// control byte and spare room, doubled while the set grows) and in its second's list.
    pub const ENTRY_BYTES: usize = 64;

    /// A guard remembering at most `max_entries` proofs at once.
    pub fn new(max_entries: usize) -> Self {
        Self {
            max_entries,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// A guard using at most about `bytes` of memory.
    pub fn with_memory(bytes: usize) -> Self {
        Self::new(bytes / Self::ENTRY_BYTES)
    }

    /// Accepts `proof` (already verified) once; a second use until it is stale is refused.
    pub fn check(&self, proof: &Proof, now: i64) -> Result<(), DpopError> {
        if proof.usable_until < now {
            return Err(DpopError::Stale);
        }
        let id = proof_id(proof);
        // A panic elsewhere while holding the lock leaves consistent data: keep using it.
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.forget_before(now);
        if seen.ids.contains(&id) {
            return Err(DpopError::Replayed);
        }
        if seen.ids.len() >= self.max_entries {
            return Err(DpopError::TooManyProofs);
        }
        seen.ids.insert(id);
        seen.file(proof.usable_until, id);
        Ok(())
    }

    /// How many proofs are remembered now.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .ids
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for ReplayGuard {
    fn default() -> Self {
        Self::with_memory(Self::DEFAULT_MEMORY)
    }
}

fn proof_id(proof: &Proof) -> ProofId {
    let digest = Sha256::new()
        .chain_update(proof.jkt.as_bytes())
        .chain_update(b" ")
        .chain_update(proof.jti.as_bytes())
        .finalize();
    let mut id = ProofId::default();
    let len = id.len();
    id.copy_from_slice(&digest[..len]);
    id
}

impl Seen {
    fn forget_before(&mut self, now: i64) {
        while self
            .by_second
            .front()
            .is_some_and(|(second, _)| *second < now)
        {
            if let Some((_, ids)) = self.by_second.pop_front() {
                for id in &ids {
                    self.ids.remove(id);
                }
            }
        }
        // Give memory back once a burst has been forgotten.
        if self.ids.capacity() > 4 * self.ids.len().max(1024) {
            self.ids.shrink_to_fit();
        }
    }

    /// Files `id` under `last_second`, keeping the seconds in order.
    fn file(&mut self, last_second: i64, id: ProofId) {
        let at = self
            .by_second
            .partition_point(|(second, _)| *second < last_second);
        match self.by_second.get_mut(at) {
            Some((second, ids)) if *second == last_second => ids.push(id),
            _ => self.by_second.insert(at, (last_second, vec![id])),
        }
    }
}
