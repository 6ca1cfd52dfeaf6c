//! The OAuth 2.0 client side: authorization URL (PKCE S256 + state), code exchange, refresh,
//! revocation (the `oauth2` crate over a reqwest client that never follows redirects), and
//! learning who signed in (OIDC userinfo, or the verified ID token from the token endpoint).

use std::fmt;
use std::time::Duration;

use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, ErrorResponse, ExtraTokenFields, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, RevocationUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use super::config::AuthSettings;
use super::crypto::random_token;
use super::id_token::{IdTokenError, IdTokenVerifier};

/// `id_token` next to the standard token response fields (OIDC, Microsoft).
#[derive(Clone, Default, Deserialize, Serialize)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

// The oauth2 crate wants Debug on the extra fields; never print the token.
impl fmt::Debug for IdTokenField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdTokenField { .. }")
    }
}

impl ExtraTokenFields for IdTokenField {}

type TokenAnswer = StandardTokenResponse<IdTokenField, BasicTokenType>;

/// A token endpoint error body, keeping Microsoft's `suberror` (`consent_required`…), which
/// the crate's standard error type drops.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct TokenErrorBody {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suberror: Option<String>,
}

impl fmt::Display for TokenErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error)?;
        if let Some(s) = &self.suberror {
            write!(f, " ({s})")?;
        }
        if let Some(d) = &self.error_description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl ErrorResponse for TokenErrorBody {}

impl TokenErrorBody {
    /// `invalid_grant` (expired, revoked, consent withdrawn…) and the OIDC interaction errors
    /// mean only the user can fix it, by authorizing again.
    pub fn means_authorize_again(&self) -> bool {
        const AGAIN: [&str; 4] = [
            "invalid_grant",
            "consent_required",
            "interaction_required",
            "login_required",
        ];
        AGAIN.contains(&self.error.as_str())
            || self.suberror.as_deref().is_some_and(|s| AGAIN.contains(&s))
    }
}

type Client = oauth2::Client<
    TokenErrorBody,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointSet,
>;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The grant is gone: the user must authorize again.
    #[error("authorization required: {0}")]
    AuthorizationRequired(String),
    /// The authorization server refused for another reason (misconfiguration, `invalid_client`…).
    #[error("the authorization server refused: {0}")]
    Refused(String),
    /// Network, HTTP or parsing trouble; may be temporary.
    #[error("talking to the authorization server failed: {0}")]
    Transport(String),
    /// The ID token did not pass verification, or cannot be verified as configured.
    #[error("ID token refused: {0}")]
    IdToken(#[from] IdTokenError),
}

impl OAuthError {
    /// Why a sign-in failed, in words for the callback page (nothing from the tokens).
    pub fn sign_in_reason(&self) -> String {
        match self {
            OAuthError::IdToken(e) => e.public_reason(),
            _ => "identifying the user failed".to_owned(),
        }
    }
}

/// Tokens from a token endpoint answer.
pub struct TokenSet {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub expires_in: Option<Duration>,
    pub scope: Option<String>,
    pub id_token: Option<SecretString>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

/// Who signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// What a new flow needs to remember and where to send the browser.
pub struct AuthorizationStart {
    pub url: Url,
    pub state: SecretString,
    pub pkce_verifier: SecretString,
    /// OIDC `nonce`: an ID token for this sign-in must carry it back.
    pub nonce: SecretString,
}

pub struct OAuthClient {
    client: Client,
    http: reqwest::Client,
    scopes: Vec<String>,
    authorize_params: Vec<(String, String)>,
    userinfo_url: Option<Url>,
    id_tokens: IdTokenVerifier,
}

/// The HTTP client for talking to authorization servers: no redirects (a token endpoint that
/// redirects is misconfigured or hostile; following would resend credentials), bounded time.
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .user_agent(concat!("exchange-forms-proxy/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

fn transport<E: std::error::Error>(e: E) -> OAuthError {
    // Walk the source chain: reqwest's top-level message alone says little.
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    OAuthError::Transport(msg)
}

fn classify<RE: std::error::Error + 'static>(
    e: RequestTokenError<RE, TokenErrorBody>,
) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(body) if body.means_authorize_again() => {
            OAuthError::AuthorizationRequired(body.to_string())
        }
        RequestTokenError::ServerResponse(body) => OAuthError::Refused(body.to_string()),
        RequestTokenError::Request(e) => transport(e),
        // The body is not echoed: a misbehaving server could put anything (even tokens) in it.
        RequestTokenError::Parse(e, _) => OAuthError::Transport(format!("unexpected answer: {e}")),
        RequestTokenError::Other(m) => OAuthError::Transport(m),
    }
}

impl OAuthClient {
    pub fn new(settings: &AuthSettings, http: reqwest::Client) -> Result<Self, String> {
        let mut client = oauth2::Client::new(ClientId::new(settings.client_id.clone()))
            .set_auth_uri(AuthUrl::from_url(settings.authorize_url.clone()))
            .set_token_uri(TokenUrl::from_url(settings.token_url.clone()))
            .set_redirect_uri(RedirectUrl::from_url(settings.redirect_uri.clone()))
            .set_revocation_url_option(
                settings.revocation_url.clone().map(RevocationUrl::from_url),
            );
        if let Some(secret) = &settings.client_secret {
            client =
                client.set_client_secret(ClientSecret::new(secret.0.expose_secret().to_owned()));
        }
        Ok(OAuthClient {
            client,
            scopes: settings.scopes.clone(),
            authorize_params: settings.authorize_params.clone(),
            userinfo_url: settings.userinfo_url.clone(),
            id_tokens: IdTokenVerifier::new(
                settings.client_id.clone(),
                settings.id_token_issuer.clone(),
                settings.jwks_url.clone(),
                http.clone(),
            ),
            http,
        })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A fresh authorization request: 256-bit state, PKCE S256 with a 256-bit verifier and a
    /// 256-bit OIDC nonce.
    pub fn start(&self) -> AuthorizationStart {
        let state = random_token(32);
        let nonce = random_token(32);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(32);
        let state_for_url = state.clone();
        let mut request = self
            .client
            .authorize_url(move || CsrfToken::new(state_for_url))
            .add_scopes(self.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .add_extra_param("nonce", nonce.clone());
        for (k, v) in &self.authorize_params {
            request = request.add_extra_param(k.clone(), v.clone());
        }
        let (url, _) = request.url();
        AuthorizationStart {
            url,
            state: SecretString::from(state),
            pkce_verifier: SecretString::from(verifier.into_secret()),
            nonce: SecretString::from(nonce),
        }
    }

    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &SecretString,
    ) -> Result<TokenSet, OAuthError> {
        let answer = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose_secret().to_owned()))
            .request_async(&self.http)
            .await
            .map_err(classify)?;
        Ok(token_set(answer))
    }

    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, OAuthError> {
        let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        let answer = self
            .client
            .exchange_refresh_token(&token)
            .request_async(&self.http)
            .await
            .map_err(classify)?;
        Ok(token_set(answer))
    }

    /// Best effort (RFC 7009): `Ok(false)` when the server has no revocation endpoint.
    pub async fn revoke_refresh_token(
        &self,
        refresh_token: &SecretString,
    ) -> Result<bool, OAuthError> {
        let token = StandardRevocableToken::RefreshToken(RefreshToken::new(
            refresh_token.expose_secret().to_owned(),
        ));
        let Ok(request) = self.client.revoke_token(token) else {
            return Ok(false);
        };
        request
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(body) => OAuthError::Refused(body.to_string()),
                RequestTokenError::Request(e) => transport(e),
                RequestTokenError::Parse(e, _) => {
                    OAuthError::Transport(format!("unexpected answer: {e}"))
                }
                RequestTokenError::Other(m) => OAuthError::Transport(m),
            })?;
        Ok(true)
    }

    /// Who the tokens belong to: the userinfo endpoint when there is one, else the ID token
    /// the token endpoint returned. An ID token, whenever there is one, must pass every check
    /// of [`IdTokenVerifier::verify`] (issuer's signature, `iss`, `aud`, time, this sign-in's
    /// nonce: `nonce_hash` = SHA-256 of the nonce sent), and name the same user as userinfo.
    pub async fn identify(
        &self,
        tokens: &TokenSet,
        nonce_hash: Option<&[u8]>,
        now_unix: i64,
    ) -> Result<Identity, OAuthError> {
        let from_id_token = match &tokens.id_token {
            Some(token) => Some(
                self.id_tokens
                    .verify::<Claims>(token, nonce_hash, now_unix)
                    .await?
                    .into_identity()?,
            ),
            None => None,
        };
        if let Some(url) = &self.userinfo_url {
            let who = userinfo(&self.http, url, &tokens.access_token).await?;
            if let Some(id) = &from_id_token
                && id.subject != who.subject
            {
                return Err(OAuthError::Refused(
                    "the ID token and userinfo name different users".to_owned(),
                ));
            }
            return Ok(who);
        }
        from_id_token.ok_or_else(|| {
            OAuthError::Refused(
                "cannot tell who signed in: no userinfo endpoint configured and no ID token returned (add the `openid` scope)"
                    .to_owned(),
            )
        })
    }
}

fn token_set(answer: TokenAnswer) -> TokenSet {
    TokenSet {
        access_token: SecretString::from(answer.access_token().secret().to_owned()),
        refresh_token: answer
            .refresh_token()
            .map(|r| SecretString::from(r.secret().to_owned())),
        expires_in: answer.expires_in(),
        scope: answer
            .scopes()
            .map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" ")),
        id_token: answer
            .extra_fields()
            .id_token
            .clone()
            .map(SecretString::from),
    }
}

#[derive(Deserialize)]
struct Claims {
    sub: Option<String>,
    email: Option<String>,
    name: Option<String>,
    /// On-premises sign-in (AD FS) and Entra ID's optional claim: the account's UPN, which
    /// is usually its mailbox address when no `email` is issued.
    upn: Option<String>,
    preferred_username: Option<String>,
}

impl Claims {
    fn into_identity(self) -> Result<Identity, OAuthError> {
        let subject = self
            .sub
            .filter(|s| !s.is_empty())
            .ok_or_else(|| OAuthError::Refused("the identity has no `sub`".to_owned()))?;
        let email = self
            .email
            .or(self.upn.filter(|u| u.contains('@')))
            .or(self.preferred_username.filter(|u| u.contains('@')));
        Ok(Identity {
            subject,
            email,
            name: self.name,
        })
    }
}

/// OIDC userinfo (`GET`, bearer access token).
pub async fn userinfo(
    http: &reqwest::Client,
    url: &Url,
    access_token: &SecretString,
) -> Result<Identity, OAuthError> {
    let response = http
        .get(url.clone())
        .bearer_auth(access_token.expose_secret())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(transport)?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED {
        return Err(OAuthError::AuthorizationRequired(
            "userinfo refused the access token".to_owned(),
        ));
    }
    if !status.is_success() {
        return Err(OAuthError::Transport(format!(
            "userinfo answered HTTP {status}"
        )));
    }
    let body = response.bytes().await.map_err(transport)?;
    let claims: Claims = serde_json::from_slice(&body)
        .map_err(|e| OAuthError::Transport(format!("userinfo is not JSON claims: {e}")))?;
    claims.into_identity()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_and_interaction_errors_mean_authorize_again() {
        let parse = |s: &str| serde_json::from_str::<TokenErrorBody>(s).unwrap();
        assert!(parse(r#"{"error":"invalid_grant"}"#).means_authorize_again());
        assert!(parse(r#"{"error":"invalid_grant","suberror":"consent_required","error_description":"AADSTS65001"}"#).means_authorize_again());
        assert!(parse(r#"{"error":"interaction_required"}"#).means_authorize_again());
        assert!(!parse(r#"{"error":"invalid_client"}"#).means_authorize_again());
        assert!(!parse(r#"{"error":"temporarily_unavailable"}"#).means_authorize_again());
    }
}
