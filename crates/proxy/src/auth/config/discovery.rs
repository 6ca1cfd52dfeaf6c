//! OIDC discovery: the authorization server's own document, checked before its endpoints are used.

use serde::Deserialize;
use url::Url;

use super::AuthConfigError;
use super::resolve::check_endpoint_scheme;
use crate::auth::id_token::TENANT_PLACEHOLDER;

#[derive(Deserialize)]
pub(super) struct DiscoveryDocument {
    pub(super) issuer: String,
    pub(super) authorization_endpoint: Url,
    pub(super) token_endpoint: Url,
    #[serde(default)]
    pub(super) userinfo_endpoint: Option<Url>,
    #[serde(default)]
    pub(super) revocation_endpoint: Option<Url>,
    #[serde(default)]
    pub(super) jwks_uri: Option<Url>,
}

pub(super) async fn discover(
    issuer: &str,
    http: &reqwest::Client,
) -> Result<DiscoveryDocument, AuthConfigError> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let fail = |message: String| AuthConfigError::Discovery {
        url: url.clone(),
        message,
    };
    let response = http
        .get(&url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| fail(format!("request failed: {e}")))?;
    if !response.status().is_success() {
        return Err(fail(format!("HTTP {}", response.status())));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| fail(format!("reading the body: {e}")))?;
    let doc: DiscoveryDocument = serde_json::from_slice(&body)
        .map_err(|e| fail(format!("not a discovery document: {e}")))?;
    check_endpoint_scheme("authorization_endpoint", &doc.authorization_endpoint)?;
    check_endpoint_scheme("token_endpoint", &doc.token_endpoint)?;
    if let Some(jwks) = &doc.jwks_uri {
        check_endpoint_scheme("jwks_uri", jwks)?;
    }
    // OIDC Discovery §4.3: the document must be the issuer's own (Microsoft's multi-tenant
    // documents publish a `{tenantid}` template instead).
    let published = doc.issuer.trim_end_matches('/');
    if published != issuer.trim_end_matches('/') && !published.contains(TENANT_PLACEHOLDER) {
        return Err(fail(format!(
            "the document names the issuer '{}', not '{issuer}': set `issuer` to the former",
            doc.issuer
        )));
    }
    Ok(doc)
}
