//! Encryption at rest (XChaCha20-Poly1305), random secrets, and hashes of secrets.
//!
//! Every ciphertext is bound by its associated data to what it is and whose it is
//! (`xf/v1/<purpose>/<owner id>`): a row copied onto another user, or an access token swapped
//! into the refresh slot, fails to decrypt instead of being used.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

/// Ciphertext format version (first byte), so the scheme can change without guessing.
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

/// The 32-byte token encryption key. Never stored in the database; no Debug output.
#[derive(Clone)]
pub struct TokenKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey([redacted])")
    }
}

impl TokenKey {
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(TokenKey(Zeroizing::new(arr)))
    }

    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(k.as_mut());
        TokenKey(k)
    }

    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// What a ciphertext holds; part of the associated data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    AccessToken,
    RefreshToken,
    PkceVerifier,
    FlowSessionHandle,
    /// A constant sealed once, to tell at start-up whether the configured key is the one the
    /// stored tokens were sealed with.
    KeyCheck,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::AccessToken => "access",
            Purpose::RefreshToken => "refresh",
            Purpose::PkceVerifier => "pkce",
            Purpose::FlowSessionHandle => "flow-handle",
            Purpose::KeyCheck => "key-check",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("encryption failed")]
    Encrypt,
    /// Wrong key, tampered row, or a row moved to another owner.
    #[error("stored secret cannot be decrypted (wrong key or tampered data)")]
    Decrypt,
}

/// Seals and opens secrets with the token key.
#[derive(Clone)]
pub struct Cipher {
    aead: XChaCha20Poly1305,
}

impl fmt::Debug for Cipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cipher")
    }
}

fn associated_data(purpose: Purpose, owner: &str) -> Vec<u8> {
    format!("xf/v{VERSION}/{}/{owner}", purpose.label()).into_bytes()
}

impl Cipher {
    pub fn new(key: &TokenKey) -> Self {
        Cipher {
            aead: XChaCha20Poly1305::new(Key::from_slice(key.expose_bytes())),
        }
    }

    /// `version || nonce (24 random bytes) || ciphertext+tag`.
    pub fn seal(
        &self,
        purpose: Purpose,
        owner: &str,
        secret: &SecretString,
    ) -> Result<Vec<u8>, CryptoError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = associated_data(purpose, owner);
        let ct = self
            .aead
            .encrypt(
                &nonce,
                Payload {
                    msg: secret.expose_secret().as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Encrypt)?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    pub fn open(
        &self,
        purpose: Purpose,
        owner: &str,
        sealed: &[u8],
    ) -> Result<SecretString, CryptoError> {
        let (&version, rest) = sealed.split_first().ok_or(CryptoError::Decrypt)?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, ct) = rest.split_at(NONCE_LEN);
        let aad = associated_data(purpose, owner);
        let plain = Zeroizing::new(
            self.aead
                .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
                .map_err(|_| CryptoError::Decrypt)?,
        );
        let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::Decrypt)?;
        Ok(SecretString::from(text))
    }
}

/// `n` random bytes from the OS, base64url without padding.
pub fn random_token(n: usize) -> String {
    let mut bytes = Zeroizing::new(vec![0u8; n]);
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(&*bytes)
}

/// SHA-256 of a secret: what the database keeps of session handles and states. The inputs
/// have 256 bits of entropy, so a plain hash is enough (no salt or slow hash needed).
pub fn sha256(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_binding() {
        let c = Cipher::new(&TokenKey::generate());
        let s = SecretString::from("access-token-value");
        let sealed = c.seal(Purpose::AccessToken, "alice", &s).unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"access"));
        assert_eq!(
            c.open(Purpose::AccessToken, "alice", &sealed)
                .unwrap()
                .expose_secret(),
            "access-token-value"
        );
        // Another owner, another purpose, another key, or a flipped bit: refused.
        assert!(c.open(Purpose::AccessToken, "bob", &sealed).is_err());
        assert!(c.open(Purpose::RefreshToken, "alice", &sealed).is_err());
        assert!(
            Cipher::new(&TokenKey::generate())
                .open(Purpose::AccessToken, "alice", &sealed)
                .is_err()
        );
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(c.open(Purpose::AccessToken, "alice", &tampered).is_err());
        assert!(c.open(Purpose::AccessToken, "alice", &[]).is_err());
        // Fresh nonce each time.
        assert_ne!(sealed, c.seal(Purpose::AccessToken, "alice", &s).unwrap());
    }

    #[test]
    fn random_tokens_are_long_and_distinct() {
        let a = random_token(32);
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32));
    }
}
