//! The development server's ID token signing keys: ES256 (P-256), generated at first start and
//! kept (PKCS#8) in its own database, so tokens still verify after a restart. The newest key
//! signs; it and the one before are published at `jwks` (a rotated-out key keeps verifying
//! the tokens it signed).

use std::sync::RwLock;

use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::pkcs8::EncodePrivateKey as _;
use sqlx::Row as _;
use sqlx::SqlitePool;

use crate::auth::crypto::random_token;

/// Keys published: the signing one and its predecessor.
const PUBLISHED_KEYS: i64 = 2;

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("signing key storage: {0}")]
    Storage(#[from] sqlx::Error),
    #[error("signing key: {0}")]
    Key(String),
}

struct SigningKey {
    kid: String,
    key: EncodingKey,
    public: Jwk,
}

impl SigningKey {
    fn from_pkcs8(kid: String, der: &[u8]) -> Result<Self, SigningError> {
        let key = EncodingKey::from_ec_der(der);
        let mut public = Jwk::from_encoding_key(&key, Algorithm::ES256)
            .map_err(|e| SigningError::Key(e.to_string()))?;
        public.common.key_id = Some(kid.clone());
        public.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(SigningKey { kid, key, public })
    }
}

/// The published keys, newest first.
pub struct SigningKeys {
    pool: SqlitePool,
    keys: RwLock<Vec<SigningKey>>,
}

impl SigningKeys {
    /// Loads the keys, generating the first one if there is none.
    pub async fn open(pool: SqlitePool, now: i64) -> Result<Self, SigningError> {
        super::MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| SigningError::Storage(sqlx::Error::Migrate(Box::new(e))))?;
        let keys = SigningKeys {
            pool,
            keys: RwLock::new(Vec::new()),
        };
        let exists = sqlx::query("SELECT 1 FROM dev_signing_keys LIMIT 1")
            .fetch_optional(&keys.pool)
            .await?
            .is_some();
        if exists {
            keys.reload().await?;
        } else {
            keys.rotate(now).await?;
        }
        Ok(keys)
    }

    /// A new signing key; the previous one stays published, older ones are deleted.
    pub async fn rotate(&self, now: i64) -> Result<String, SigningError> {
        let secret = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
        let der = secret
            .to_pkcs8_der()
            .map_err(|e| SigningError::Key(e.to_string()))?;
        let kid = random_token(12);
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO dev_signing_keys (kid, pkcs8, created_at) VALUES (?, ?, ?)")
            .bind(&kid)
            .bind(der.as_bytes())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM dev_signing_keys WHERE kid NOT IN \
             (SELECT kid FROM dev_signing_keys ORDER BY created_at DESC, rowid DESC LIMIT ?)",
        )
        .bind(PUBLISHED_KEYS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(kid)
    }

    async fn reload(&self) -> Result<(), SigningError> {
        let rows = sqlx::query(
            "SELECT kid, pkcs8 FROM dev_signing_keys ORDER BY created_at DESC, rowid DESC LIMIT ?",
        )
        .bind(PUBLISHED_KEYS)
        .fetch_all(&self.pool)
        .await?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in rows {
            let kid: String = row.try_get("kid")?;
            let der: Vec<u8> = row.try_get("pkcs8")?;
            keys.push(SigningKey::from_pkcs8(kid, &der)?);
        }
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = keys;
        Ok(())
    }

    /// The public keys, as served at `jwks`.
    pub fn jwks(&self) -> JwkSet {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        JwkSet {
            keys: keys.iter().map(|k| k.public.clone()).collect(),
        }
    }

    /// `claims` as a compact JWS signed ES256 by the newest key (its `kid` in the header).
    pub fn sign(&self, claims: &serde_json::Value) -> Result<String, SigningError> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let newest = keys
            .first()
            .ok_or_else(|| SigningError::Key("no signing key".to_owned()))?;
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(newest.kid.clone());
        jsonwebtoken::encode(&header, claims, &newest.key)
            .map_err(|e| SigningError::Key(e.to_string()))
    }
}
