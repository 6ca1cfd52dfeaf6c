//! Verifying OpenID Connect ID tokens (OpenID Connect Core 1.0 §3.1.3.7): the signature
//! against the issuer's published keys (JWKS), then `iss`, `aud`/`azp`, `exp`, `iat`, `nbf`
//! and this sign-in's `nonce`.
//!
//! Only asymmetric algorithms are accepted: `none` would mean no signature at all, and an HMAC
//! "signature" made with the client secret proves only that someone knows the secret. Keys
//! come from the issuer's JWKS (`jwks`: cached, refetched on key rotation).

use std::str::FromStr as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq as _;
use url::Url;

use super::jwks::{IssuerKeys, KeyError};

/// Tolerated clock difference with the authorization server.
pub const CLOCK_SKEW_SECS: i64 = 300;
/// An ID token answered by the token endpoint was minted moments ago; one issued longer ago
/// than this is stale or replayed.
pub const MAX_TOKEN_AGE_SECS: i64 = 3600;
/// Algorithms an ID token may be signed with: public-key signatures only.
const ACCEPTED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// What the `iss` claim must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedIssuer {
    /// Exactly this string (OIDC: the issuer identifier, compared as is).
    Exact(String),
    /// Microsoft's multi-tenant issuer, e.g. `https://login.microsoftonline.com/{tenantid}/v2.0`:
    /// `{tenantid}` stands for the token's `tid` claim, which must be a tenant GUID.
    TenantTemplate(String),
}

/// Placeholder of Microsoft's multi-tenant issuer template.
pub(super) const TENANT_PLACEHOLDER: &str = "{tenantid}";

impl ExpectedIssuer {
    /// From a discovery document's `issuer` (Microsoft's `common`/`organizations` documents
    /// publish the template).
    pub fn from_published(issuer: &str) -> Self {
        if issuer.contains(TENANT_PLACEHOLDER) {
            ExpectedIssuer::TenantTemplate(issuer.to_owned())
        } else {
            ExpectedIssuer::Exact(issuer.to_owned())
        }
    }

    /// Microsoft identity platform v2 for `tenant`: a tenant GUID pins the issuer; `common`,
    /// `organizations`, `consumers` or a domain name accept the tenant the token names (`tid`).
    pub fn microsoft(tenant: &str) -> Self {
        if is_guid(tenant) {
            ExpectedIssuer::Exact(format!(
                "https://login.microsoftonline.com/{}/v2.0",
                tenant.to_ascii_lowercase()
            ))
        } else {
            ExpectedIssuer::TenantTemplate(format!(
                "https://login.microsoftonline.com/{TENANT_PLACEHOLDER}/v2.0"
            ))
        }
    }

    fn accepts(&self, iss: &str, tid: Option<&str>) -> bool {
        match self {
            ExpectedIssuer::Exact(expected) => iss == expected,
            ExpectedIssuer::TenantTemplate(template) => tid
                .filter(|t| is_guid(t))
                .is_some_and(|t| iss == template.replace(TENANT_PLACEHOLDER, t)),
        }
    }
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The Microsoft identity platform's signing keys for `tenant`.
pub fn microsoft_keys_url(tenant: &str) -> String {
    format!("https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys")
}

/// Why an ID token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum IdTokenError {
    /// The proxy lacks what it needs to verify (names the setting to fix).
    #[error("{0}")]
    Configuration(String),
    /// The issuer's keys could not be fetched (may be temporary).
    #[error("the issuer's signing keys could not be fetched from {url}: {message}")]
    Keys { url: String, message: String },
    /// The token failed a check. `reason` is plain and fixed (shown on the callback page);
    /// `detail` may quote the token's values and goes to the log only.
    #[error("{reason}{}", .detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Rejected {
        reason: &'static str,
        detail: Option<String>,
    },
}

fn rejected(reason: &'static str) -> IdTokenError {
    IdTokenError::Rejected {
        reason,
        detail: None,
    }
}

fn rejected_because(reason: &'static str, detail: String) -> IdTokenError {
    IdTokenError::Rejected {
        reason,
        detail: Some(detail),
    }
}

impl IdTokenError {
    /// What the user may be told (no values from the token, no URLs).
    pub fn public_reason(&self) -> String {
        match self {
            IdTokenError::Configuration(m) => m.clone(),
            IdTokenError::Keys { .. } => {
                "the authorization server's signing keys could not be fetched".to_owned()
            }
            IdTokenError::Rejected { reason, .. } => format!("its ID token {reason}"),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The claims every ID token is checked on, plus the caller's own (`rest`).
#[derive(Deserialize)]
struct Checked<T> {
    iss: String,
    aud: Audience,
    exp: i64,
    iat: i64,
    nbf: Option<i64>,
    nonce: Option<String>,
    azp: Option<String>,
    tid: Option<String>,
    #[serde(flatten)]
    rest: T,
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    kid: Option<String>,
}

/// Verifies the ID tokens of one client registration.
pub struct IdTokenVerifier {
    client_id: String,
    issuer: Option<ExpectedIssuer>,
    keys: Option<IssuerKeys>,
}

impl IdTokenVerifier {
    pub fn new(
        client_id: String,
        issuer: Option<ExpectedIssuer>,
        jwks_url: Option<Url>,
        http: reqwest::Client,
    ) -> Self {
        IdTokenVerifier {
            client_id,
            issuer,
            keys: jwks_url.map(|url| IssuerKeys::new(url, http)),
        }
    }

    /// Checks `token` and returns its claims as `T`. `nonce_hash` is the SHA-256 of the nonce
    /// this sign-in sent; `now` is Unix seconds.
    pub async fn verify<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        nonce_hash: Option<&[u8]>,
        now: i64,
    ) -> Result<T, IdTokenError> {
        let issuer = self.issuer.as_ref().ok_or_else(|| {
            IdTokenError::Configuration(
                "the ID token's issuer is not configured: set [auth] issuer (XF_AUTH_ISSUER)"
                    .to_owned(),
            )
        })?;
        let keys = self.keys.as_ref().ok_or_else(|| {
            IdTokenError::Configuration(
                "no signing keys to verify ID tokens with: set [auth] jwks_url (XF_AUTH_JWKS_URL) or an issuer whose discovery document has a jwks_uri"
                    .to_owned(),
            )
        })?;
        let token = token.expose_secret();
        let (alg, kid) = read_header(token)?;
        let key = keys
            .key_for(alg, kid.as_deref(), now)
            .await
            .map_err(|e| match e {
                KeyError::Fetch { url, message } => IdTokenError::Keys { url, message },
                KeyError::NotPublished => rejected_because(
                    "is signed with a key the issuer does not publish",
                    format!("kid {kid:?}, alg {alg:?}"),
                ),
                KeyError::Unusable(why) => rejected_because(
                    "is signed with a key the issuer publishes in an unusable form",
                    why,
                ),
            })?;
        let mut validation = Validation::new(alg);
        // Time, audience and issuer are checked below against the proxy's clock and rules.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Checked<T>>(token, &key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                    rejected("has a signature that does not verify")
                }
                jsonwebtoken::errors::ErrorKind::Json(_) => rejected_because(
                    "lacks required claims (iss, aud, exp, iat, sub)",
                    e.to_string(),
                ),
                _ => rejected_because("could not be verified", e.to_string()),
            })?
            .claims;
        self.check_claims(issuer, &claims, nonce_hash, now)?;
        Ok(claims.rest)
    }

    fn check_claims<T>(
        &self,
        issuer: &ExpectedIssuer,
        c: &Checked<T>,
        nonce_hash: Option<&[u8]>,
        now: i64,
    ) -> Result<(), IdTokenError> {
        if !issuer.accepts(&c.iss, c.tid.as_deref()) {
            return Err(rejected_because(
                "was issued by another server",
                format!("iss {:?}, expected {issuer:?}", c.iss),
            ));
        }
        let client = self.client_id.as_str();
        let (ours, others) = match &c.aud {
            Audience::One(a) => (a == client, false),
            Audience::Many(v) => (v.iter().any(|a| a == client), v.iter().any(|a| a != client)),
        };
        if !ours {
            return Err(rejected("was issued to another client (aud)"));
        }
        // §3.1.3.7 (3)-(5): other audiences are trusted only when we are the authorized party.
        if c.azp.as_deref().is_some_and(|p| p != client) || (others && c.azp.is_none()) {
            return Err(rejected("was issued for another party (azp)"));
        }
        if c.exp.saturating_add(CLOCK_SKEW_SECS) < now {
            return Err(rejected("has expired"));
        }
        if c.iat > now.saturating_add(CLOCK_SKEW_SECS)
            || c.iat < now.saturating_sub(MAX_TOKEN_AGE_SECS + CLOCK_SKEW_SECS)
            || c.exp < c.iat
        {
            return Err(rejected_because(
                "has an implausible issue time (iat)",
                format!("iat {}, now {now}", c.iat),
            ));
        }
        if c.nbf
            .is_some_and(|nbf| nbf > now.saturating_add(CLOCK_SKEW_SECS))
        {
            return Err(rejected("is not valid yet (nbf)"));
        }
        if let Some(expected) = nonce_hash {
            let matches = c
                .nonce
                .as_deref()
                .is_some_and(|n| bool::from(super::crypto::sha256(n).as_slice().ct_eq(expected)));
            if !matches {
                return Err(rejected("answers another sign-in (nonce)"));
            }
        }
        Ok(())
    }
}

/// `alg` and `kid` of the JOSE header, refusing `none` and symmetric algorithms by name.
fn read_header(token: &str) -> Result<(Algorithm, Option<String>), IdTokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(rejected("is not a signed JWT"));
    };
    let header: RawHeader = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .ok_or_else(|| rejected("has an unreadable header"))?;
    let alg = Algorithm::from_str(&header.alg)
        .ok()
        .filter(|a| ACCEPTED.contains(a))
        .ok_or_else(|| {
            rejected_because(
                "is not signed with an accepted public-key algorithm",
                format!("alg {:?}", header.alg),
            )
        })?;
    Ok((alg, header.kid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_issuers_follow_the_tenant() {
        let guid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        let pinned = ExpectedIssuer::microsoft(guid);
        assert!(pinned.accepts(
            &format!("https://login.microsoftonline.com/{guid}/v2.0"),
            None
        ));
        assert!(!pinned.accepts(
            "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
            Some("00000000-0000-0000-0000-000000000000")
        ));
        for tenant in ["organizations", "common", "contoso.onmicrosoft.com"] {
            let multi = ExpectedIssuer::microsoft(tenant);
            let iss = format!("https://login.microsoftonline.com/{guid}/v2.0");
            assert!(multi.accepts(&iss, Some(guid)), "{tenant}");
            // The tenant in `iss` must be the token's own `tid`, and `tid` must be a GUID.
            assert!(!multi.accepts(&iss, None));
            assert!(!multi.accepts(&iss, Some("9188040d-6c67-4c5b-b112-36a304b66dad")));
            assert!(!multi.accepts("https://evil.example/x/v2.0", Some("x")));
        }
        assert_eq!(
            ExpectedIssuer::from_published("https://login.microsoftonline.com/{tenantid}/v2.0"),
            ExpectedIssuer::microsoft("common")
        );
    }

    fn verifier() -> IdTokenVerifier {
        IdTokenVerifier::new("app".into(), None, None, reqwest::Client::new())
    }

    fn claims() -> Checked<()> {
        Checked {
            iss: "https://issuer.test".into(),
            aud: Audience::One("app".into()),
            exp: 1600,
            iat: 1000,
            nbf: None,
            nonce: Some("n-1".into()),
            azp: None,
            tid: None,
            rest: (),
        }
    }

    #[test]
    fn claims_are_checked_against_issuer_client_time_and_nonce() {
        let v = verifier();
        let issuer = ExpectedIssuer::Exact("https://issuer.test".into());
        let nonce = super::super::crypto::sha256("n-1");
        let check = |c: &Checked<()>, now: i64| v.check_claims(&issuer, c, Some(&nonce), now);
        assert!(check(&claims(), 1000).is_ok());
        assert!(
            check(&claims(), 1600 + CLOCK_SKEW_SECS).is_ok(),
            "skew tolerated"
        );
        assert!(check(&claims(), 1601 + CLOCK_SKEW_SECS).is_err(), "expired");
        assert!(
            check(&claims(), 1000 - CLOCK_SKEW_SECS - 1).is_err(),
            "issued in the future"
        );
        let refused = |change: fn(&mut Checked<()>)| {
            let mut c = claims();
            change(&mut c);
            check(&c, 1000).is_err()
        };
        assert!(refused(|c| c.iss = "https://issuer.test/".into()));
        assert!(refused(|c| c.aud = Audience::One("other".into())));
        assert!(refused(
            |c| c.aud = Audience::Many(vec!["other".into(), "app".into()])
        ));
        assert!(!refused(|c| {
            c.aud = Audience::Many(vec!["other".into(), "app".into()]);
            c.azp = Some("app".into());
        }));
        assert!(refused(|c| c.azp = Some("other".into())));
        assert!(refused(|c| c.nonce = Some("n-2".into())));
        assert!(refused(|c| c.nonce = None));
        assert!(refused(|c| c.nbf = Some(2000)));
        assert!(refused(|c| c.exp = 900));
        assert!(refused(
            |c| c.iat = 1000 - MAX_TOKEN_AGE_SECS - CLOCK_SKEW_SECS - 1
        ));
        // Flows that sent no nonce do not check one.
        let mut c = claims();
        c.nonce = None;
        assert!(v.check_claims(&issuer, &c, None, 1000).is_ok());
    }

    #[tokio::test]
    async fn nothing_is_accepted_without_an_issuer_and_keys() {
        let token = SecretString::from("e30.e30.c2ln");
        let err = verifier()
            .verify::<serde_json::Value>(&token, None, 0)
            .await;
        assert!(
            matches!(&err, Err(IdTokenError::Configuration(m)) if m.contains("XF_AUTH_ISSUER"))
        );
        let v = IdTokenVerifier::new(
            "app".into(),
            Some(ExpectedIssuer::Exact("https://issuer.test".into())),
            None,
            reqwest::Client::new(),
        );
        let err = v.verify::<serde_json::Value>(&token, None, 0).await;
        assert!(matches!(&err, Err(IdTokenError::Configuration(m)) if m.contains("jwks_url")));
    }

    #[test]
    fn headers_without_a_public_key_algorithm_are_refused() {
        let token = |header: &str| format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode(header));
        assert!(read_header(&token(r#"{"alg":"ES256","kid":"k"}"#)).is_ok());
        for header in [
            r#"{"alg":"none"}"#,
            r#"{"alg":"HS256"}"#,
            r#"{"alg":"RS1"}"#,
            "{}",
        ] {
            assert!(read_header(&token(header)).is_err(), "{header}");
        }
        assert!(read_header("a.b").is_err());
        assert!(read_header("a.b.c.d").is_err());
    }
}
