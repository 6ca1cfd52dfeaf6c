//! Resolving the `[auth]` section into runtime settings: the layers applied in order, OIDC
//! discovery, endpoint checks, and the token key.

use std::time::Duration;

use secrecy::ExposeSecret;
use url::Url;

use super::discovery::discover;
use super::key_file::{decode_key, load_or_create_key_file};
use super::{
    AuthConfig, AuthConfigError, AuthContext, AuthSettings, DEV_AUTH_MOUNT, DevServerSettings,
    MICROSOFT_EWS_SCOPES, MICROSOFT_GRAPH_SCOPES, Preset, SANDBOX_CLIENT_ID, SANDBOX_SCOPES,
    Scopes, invalid,
};
use crate::auth::crypto::TokenKey;
use crate::auth::id_token::{ExpectedIssuer, microsoft_keys_url};
use crate::origins::origin_of;

/// The shortest refresh margin accepted: a token is renewed at least a minute before it
/// expires, so that a request on its way to Exchange does not carry an expired one.
const MIN_REFRESH_MARGIN_SECS: u64 = 60;

impl AuthConfig {
    /// Parses the `[auth]` table of the configuration file.
    pub fn from_table(table: &toml::Table) -> Result<Self, AuthConfigError> {
        // Numbers from environment variables arrive as text: figment reads them leniently.
        figment::Figment::from(figment::providers::Serialized::defaults(table))
            .extract_lossy()
            .map_err(|e: figment::Error| {
                invalid(format!("[auth] {}: {}", e.path.join("."), e.kind))
            })
    }

    /// Nothing names an authorization server or client.
    pub fn is_unconfigured(&self) -> bool {
        self.preset.is_none()
            && self.issuer.is_none()
            && self.authorize_url.is_none()
            && self.token_url.is_none()
            && self.client_id.is_none()
    }

    /// True when the built-in development authorization server is the authorization server:
    /// sandbox mode with no issuer, preset or explicit endpoints configured.
    pub fn uses_dev_server(&self, sandbox: bool) -> bool {
        sandbox
            && self.preset.is_none()
            && self.issuer.is_none()
            && self.authorize_url.is_none()
            && self.token_url.is_none()
    }

    /// Resolves endpoints (running OIDC discovery when `issuer` is set), defaults and the
    /// origin list. `http` must not follow redirects (discovery answers are taken as they come).
    pub async fn resolve(
        &self,
        ctx: &AuthContext,
        http: &reqwest::Client,
    ) -> Result<AuthSettings, AuthConfigError> {
        let base = ensure_trailing_slash(ctx.public_base_url.clone());
        let public_origin = origin_of(&base)
            .ok_or_else(|| invalid(format!("public base URL {base} has no origin")))?;
        let dev = self.uses_dev_server(ctx.sandbox);

        let mut authorize_url = None;
        let mut token_url = None;
        let mut userinfo_url = None;
        let mut revocation_url = None;
        let mut id_token_issuer = None;
        let mut jwks_url = None;
        let mut scopes = None;
        let mut client_id = None;
        let mut dev_server = None;

        if dev {
            let issuer = join(&base, &format!("{DEV_AUTH_MOUNT}/"))?;
            authorize_url = Some(join(&issuer, "authorize")?);
            token_url = Some(join(&issuer, "token")?);
            userinfo_url = Some(join(&issuer, "userinfo")?);
            revocation_url = Some(join(&issuer, "revoke")?);
            jwks_url = Some(join(&issuer, "jwks")?);
            scopes = Some(Scopes::parse(SANDBOX_SCOPES).0);
            client_id = Some(SANDBOX_CLIENT_ID.to_owned());
            let issuer = trim_trailing_slash(issuer);
            id_token_issuer = Some(ExpectedIssuer::Exact(issuer.as_str().to_owned()));
            dev_server = Some(DevServerSettings {
                issuer,
                access_token_ttl: Duration::from_secs(self.dev_server.access_token_ttl_secs.max(1)),
            });
        }

        if let Some(preset) = self.preset {
            let tenant = self
                .tenant
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| invalid("the Microsoft presets need `tenant` (a tenant id, domain, or `organizations`)"))?;
            if !tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            {
                return Err(invalid(format!(
                    "tenant '{tenant}' is not a tenant id or domain"
                )));
            }
            let root = format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/");
            authorize_url = Some(parse_url(
                "preset authorize URL",
                &format!("{root}authorize"),
            )?);
            token_url = Some(parse_url("preset token URL", &format!("{root}token"))?);
            id_token_issuer = Some(ExpectedIssuer::microsoft(tenant));
            jwks_url = Some(parse_url("preset keys URL", &microsoft_keys_url(tenant))?);
            scopes = Some(
                Scopes::parse(match preset {
                    Preset::MicrosoftEws => MICROSOFT_EWS_SCOPES,
                    Preset::MicrosoftGraph => MICROSOFT_GRAPH_SCOPES,
                })
                .0,
            );
        }

        if let Some(issuer) = self.issuer.as_deref().map(str::trim) {
            // Refused before discovery: the document itself must not travel in plain text.
            ctx.insecure_http
                .check(&parse_url("issuer", issuer)?)
                .map_err(|p| invalid(format!("auth.issuer (XF_AUTH_ISSUER): {p}")))?;
            let needs_discovery =
                self.authorize_url.is_none() || self.token_url.is_none() || self.jwks_url.is_none();
            if needs_discovery {
                let doc = discover(issuer, http).await?;
                authorize_url = Some(doc.authorization_endpoint);
                token_url = Some(doc.token_endpoint);
                userinfo_url = doc.userinfo_endpoint.or(userinfo_url);
                revocation_url = doc.revocation_endpoint.or(revocation_url);
                jwks_url = doc.jwks_uri.or(jwks_url);
                id_token_issuer = Some(ExpectedIssuer::from_published(&doc.issuer));
            } else {
                id_token_issuer = Some(ExpectedIssuer::Exact(issuer.to_owned()));
            }
        }

        let explicit =
            |name: &str, v: &Option<String>| v.as_deref().map(|s| parse_url(name, s)).transpose();
        if let Some(u) = explicit("authorize_url", &self.authorize_url)? {
            authorize_url = Some(u);
        }
        if let Some(u) = explicit("token_url", &self.token_url)? {
            token_url = Some(u);
        }
        if let Some(u) = explicit("userinfo_url", &self.userinfo_url)? {
            userinfo_url = Some(u);
        }
        if let Some(u) = explicit("revocation_url", &self.revocation_url)? {
            revocation_url = Some(u);
        }
        if let Some(u) = explicit("jwks_url", &self.jwks_url)? {
            jwks_url = Some(u);
        }
        if let Some(s) = &self.scopes {
            scopes = Some(s.0.clone());
        }
        if let Some(id) = &self.client_id {
            client_id = Some(id.clone());
        }

        let authorize_url = authorize_url.ok_or_else(|| {
            invalid("no authorization server: set `issuer`, a `preset`, or `authorize_url` + `token_url` (or run in sandbox mode)")
        })?;
        let token_url = token_url.ok_or_else(|| invalid("no `token_url` (and none discovered)"))?;
        for (name, u) in [("authorize_url", &authorize_url), ("token_url", &token_url)] {
            check_endpoint_scheme(name, u)?;
        }
        let endpoints = [
            ("authorize_url", Some(&authorize_url)),
            ("token_url", Some(&token_url)),
            ("userinfo_url", userinfo_url.as_ref()),
            ("revocation_url", revocation_url.as_ref()),
            ("jwks_url", jwks_url.as_ref()),
        ];
        for (name, u) in endpoints {
            if let Some(u) = u {
                ctx.insecure_http
                    .check(u)
                    .map_err(|p| invalid(format!("auth.{name}: {p}")))?;
            }
        }
        let client_id = client_id
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| invalid("`client_id` is required"))?;
        let scopes = scopes.unwrap_or_default();
        if scopes.is_empty() {
            return Err(invalid("`scopes` is empty"));
        }
        let redirect_uri = match &self.redirect_uri {
            Some(u) => parse_url("redirect_uri", u)?,
            None => join(&base, "auth/callback")?,
        };

        for key in self.authorize_params.keys() {
            const OURS: [&str; 8] = [
                "nonce",
                "response_type",
                "client_id",
                "redirect_uri",
                "scope",
                "state",
                "code_challenge",
                "code_challenge_method",
            ];
            if OURS.contains(&key.as_str()) {
                return Err(invalid(format!(
                    "authorize_params: `{key}` is set by the proxy itself"
                )));
            }
        }

        let flow_ttl = Duration::from_secs(self.flow_ttl_secs.unwrap_or(600).max(1));
        let refresh_margin = Duration::from_secs(
            self.refresh_margin_secs
                .unwrap_or(60)
                .max(MIN_REFRESH_MARGIN_SECS),
        );

        Ok(AuthSettings {
            authorize_url,
            token_url,
            userinfo_url,
            revocation_url,
            id_token_issuer,
            jwks_url,
            client_id,
            client_secret: self.client_secret.clone(),
            scopes,
            redirect_uri,
            authorize_params: self
                .authorize_params
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            allowed_origins: ctx.allowed_origins.clone(),
            public_origin,
            public_base_url: base.clone(),
            flow_ttl,
            flow_limits: self.flow_limits.clone(),
            refresh_margin,
            session_max_age: Duration::from_secs(
                self.session_max_age_days
                    .unwrap_or(90)
                    .max(1)
                    .saturating_mul(24 * 3600),
            ),
            dev_server,
        })
    }

    /// The token encryption key: `token_key` / `XF_TOKEN_KEY`; in sandbox mode without one, a
    /// key generated once into `<data_dir>/token.key` (mode 0600) so restarts keep working.
    pub fn token_key(&self, ctx: &AuthContext) -> Result<TokenKey, AuthConfigError> {
        if let Some(k) = &self.token_key {
            return decode_key(k.0.expose_secret())
                .map_err(|m| invalid(format!("token_key / XF_TOKEN_KEY: {m}")));
        }
        if !ctx.sandbox {
            return Err(invalid(
                "no token encryption key: set XF_TOKEN_KEY to base64 of 32 random bytes (e.g. `openssl rand -base64 32`)",
            ));
        }
        load_or_create_key_file(&ctx.data_dir.join("token.key"))
    }
}

fn parse_url(name: &str, s: &str) -> Result<Url, AuthConfigError> {
    let u =
        Url::parse(s.trim()).map_err(|e| invalid(format!("{name}: '{s}' is not a URL ({e})")))?;
    check_endpoint_scheme(name, &u)?;
    Ok(u)
}

pub(super) fn check_endpoint_scheme(name: &str, u: &Url) -> Result<(), AuthConfigError> {
    match u.scheme() {
        "https" | "http" => Ok(()),
        other => Err(invalid(format!("{name}: scheme '{other}' is not http(s)"))),
    }
}

fn ensure_trailing_slash(mut u: Url) -> Url {
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    u
}

fn trim_trailing_slash(mut u: Url) -> Url {
    let p = u.path().trim_end_matches('/').to_owned();
    u.set_path(&p);
    u
}

fn join(base: &Url, rel: &str) -> Result<Url, AuthConfigError> {
    base.join(rel)
        .map_err(|e| invalid(format!("cannot build URL {base} + {rel}: {e}")))
}
