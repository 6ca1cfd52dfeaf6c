//! How the proxy signs in to EWS: each user's OAuth token, or one service account (NTLM or
//! Basic) that acts for each signed-in user through ExchangeImpersonation.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use super::layer::{EwsLayer, SandboxAccountLayer};

/// `ews.auth`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum EwsAuth {
    /// Each user's own OAuth access token (Exchange Online, or on-premises with modern auth).
    #[default]
    OAuth,
    /// The service account signs in with NTLM, one handshake per connection; each request
    /// impersonates the signed-in user.
    Ntlm(ServiceAccount),
    /// The service account's name and password on every request (https only); each request
    /// impersonates the signed-in user.
    Basic(ServiceAccount),
}

impl EwsAuth {
    pub fn service_account(&self) -> Option<&ServiceAccount> {
        match self {
            EwsAuth::OAuth => None,
            EwsAuth::Ntlm(account) | EwsAuth::Basic(account) => Some(account),
        }
    }

    /// The scheme's name as configured (`oauth`, `ntlm`, `basic`).
    pub fn name(&self) -> &'static str {
        match self {
            EwsAuth::OAuth => "oauth",
            EwsAuth::Ntlm(_) => "ntlm",
            EwsAuth::Basic(_) => "basic",
        }
    }
}

/// An account name and its password. `Debug` shows the name only.
#[derive(Clone)]
pub struct ServiceAccount {
    /// As configured: `DOMAIN\user` or a UPN (`user@example.com`).
    pub username: String,
    pub password: SecretString,
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl PartialEq for ServiceAccount {
    fn eq(&self, other: &Self) -> bool {
        self.username == other.username
            && self.password.expose_secret() == other.password.expose_secret()
    }
}

impl Eq for ServiceAccount {}

impl ServiceAccount {
    /// The NTLM user and domain: `DOMAIN\user` splits at the backslash; a UPN is the user
    /// with an empty domain (how Windows sends UPN logons).
    pub fn ntlm_user_and_domain(&self) -> (&str, &str) {
        match self.username.split_once('\\') {
            Some((domain, user)) => (user, domain),
            None => (self.username.as_str(), ""),
        }
    }
}

/// A problem with the EWS sign-in settings: (key, message).
pub type Problem = (&'static str, String);

/// `ews.auth` with `ews.service_account.*`; `ews.impersonation` is refused.
pub fn resolve(ews: &EwsLayer) -> Result<EwsAuth, Problem> {
    if ews.impersonation.is_some() {
        return Err((
            "ews.impersonation",
            "a fixed impersonated mailbox is no longer supported: it made every user act as the \
             same mailbox. Remove it; to act for each signed-in user through a service account \
             that holds the ApplicationImpersonation role, set ews.auth = \"ntlm\" (or \"basic\") \
             and ews.service_account.username / password (XF_EWS_SERVICE_ACCOUNT_PASSWORD)"
                .into(),
        ));
    }
    let scheme = ews
        .auth
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase())
        .unwrap_or_else(|| "oauth".into());
    let account = || service_account(ews);
    match scheme.as_str() {
        "oauth" => {
            if ews.service_account.username.is_some() || ews.service_account.password.is_some() {
                return Err((
                    "ews.service_account.username",
                    "a service account is set but ews.auth is \"oauth\" (each user's own token): \
                     set ews.auth = \"ntlm\" or \"basic\" to use the service account, or remove it"
                        .into(),
                ));
            }
            Ok(EwsAuth::OAuth)
        }
        "ntlm" => Ok(EwsAuth::Ntlm(account()?)),
        "basic" => Ok(EwsAuth::Basic(account()?)),
        "negotiate" | "kerberos" => Err((
            "ews.auth",
            "\"negotiate\" (Kerberos) is not available in this build: it needs a Kerberos ticket \
             for the service account, which the proxy cannot obtain. Use \"ntlm\": Exchange's \
             Negotiate endpoints accept NTLM as well"
                .into(),
        )),
        other => Err((
            "ews.auth",
            format!("'{other}' is not an EWS sign-in scheme (oauth, ntlm or basic)"),
        )),
    }
}

fn service_account(ews: &EwsLayer) -> Result<ServiceAccount, Problem> {
    let username = ews
        .service_account
        .username
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            (
                "ews.service_account.username",
                "ews.auth names a service account scheme but no account is set: set \
                 ews.service_account.username (XF_EWS_SERVICE_ACCOUNT_USERNAME) to DOMAIN\\user \
                 or user@example.com"
                    .to_owned(),
            )
        })?;
    check_username(username).map_err(|m| ("ews.service_account.username", m))?;
    let password = ews
        .service_account
        .password
        .clone()
        .filter(|p| !p.expose_secret().is_empty())
        .ok_or_else(|| {
            (
                "ews.service_account.password",
                "the service account has no password: set XF_EWS_SERVICE_ACCOUNT_PASSWORD (or \
                 ews.service_account.password)"
                    .to_owned(),
            )
        })?;
    Ok(ServiceAccount {
        username: username.to_owned(),
        password,
    })
}

/// `DOMAIN\user` or `user@domain`, without spaces or a second separator.
pub fn check_username(username: &str) -> Result<(), String> {
    let plausible = match username.split_once('\\') {
        Some((domain, user)) => !domain.is_empty() && !user.is_empty() && !user.contains('\\'),
        None => username
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.')),
    };
    if plausible && !username.chars().any(char::is_whitespace) && !username.contains(':') {
        Ok(())
    } else {
        Err(format!(
            "'{username}' is not an account name such as DOMAIN\\user or user@example.com"
        ))
    }
}

/// `sandbox.service_accounts`: names checked, lower-cased (as the sandbox compares them).
pub fn resolve_sandbox(accounts: &[SandboxAccountLayer]) -> Result<Vec<ServiceAccount>, String> {
    accounts
        .iter()
        .map(|a| {
            let username = a.username.trim().to_lowercase();
            check_username(&username)?;
            if a.password.expose_secret().is_empty() {
                return Err(format!("the account '{username}' has an empty password"));
            }
            Ok(ServiceAccount {
                username,
                password: a.password.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::layer::ServiceAccountLayer;

    fn layer(auth: Option<&str>, username: Option<&str>, password: Option<&str>) -> EwsLayer {
        EwsLayer {
            auth: auth.map(str::to_owned),
            service_account: ServiceAccountLayer {
                username: username.map(str::to_owned),
                password: password.map(|p| SecretString::from(p.to_owned())),
            },
            ..EwsLayer::default()
        }
    }

    #[test]
    fn schemes_and_their_account() {
        assert_eq!(resolve(&layer(None, None, None)), Ok(EwsAuth::OAuth));
        let ntlm = resolve(&layer(Some("NTLM"), Some("CONTOSO\\svc-forms"), Some("pw"))).unwrap();
        let account = ntlm.service_account().unwrap();
        assert_eq!(ntlm.name(), "ntlm");
        assert_eq!(account.ntlm_user_and_domain(), ("svc-forms", "CONTOSO"));
        let basic = resolve(&layer(Some("basic"), Some("svc@contoso.com"), Some("pw"))).unwrap();
        assert_eq!(
            basic.service_account().unwrap().ntlm_user_and_domain(),
            ("svc@contoso.com", "")
        );
    }

    #[test]
    fn incomplete_or_unsupported_settings_say_what_to_set() {
        let (key, message) = resolve(&layer(Some("ntlm"), None, None)).unwrap_err();
        assert_eq!(key, "ews.service_account.username");
        assert!(message.contains("DOMAIN\\user"), "{message}");
        let (key, message) = resolve(&layer(Some("ntlm"), Some("C\\svc"), None)).unwrap_err();
        assert_eq!(key, "ews.service_account.password");
        assert!(message.contains("XF_EWS_SERVICE_ACCOUNT_PASSWORD"));
        let (key, message) =
            resolve(&layer(Some("negotiate"), Some("C\\s"), Some("p"))).unwrap_err();
        assert_eq!(key, "ews.auth");
        assert!(message.contains("\"ntlm\""), "{message}");
        let (key, _) = resolve(&layer(Some("ntlm"), Some("svc forms"), Some("p"))).unwrap_err();
        assert_eq!(key, "ews.service_account.username");
        let (_, message) = resolve(&layer(None, Some("C\\svc"), Some("p"))).unwrap_err();
        assert!(message.contains("ews.auth"), "{message}");
        let fixed = EwsLayer {
            impersonation: Some("room@example.com".into()),
            ..EwsLayer::default()
        };
        let (key, message) = resolve(&fixed).unwrap_err();
        assert_eq!(key, "ews.impersonation");
        assert!(message.contains("ews.auth = \"ntlm\""), "{message}");
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let auth = resolve(&layer(Some("ntlm"), Some("C\\svc"), Some("hunter2-secret"))).unwrap();
        let printed = format!("{auth:?}");
        assert!(printed.contains("C\\\\svc"), "{printed}");
        assert!(!printed.contains("hunter2"), "{printed}");
        let layer = layer(Some("ntlm"), Some("C\\svc"), Some("hunter2-secret"));
        assert!(!format!("{layer:?}").contains("hunter2"));
    }
}
