//! How the proxy signs in to EWS: each user's OAuth token, or one service account (NTLM,
//! Negotiate/Kerberos or Basic) that acts for each signed-in user through ExchangeImpersonation.

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
    /// `Authorization: Negotiate` (SPNEGO): Kerberos when a ticket for `HTTP/<EWS host>` can
    /// be had from the KDC, otherwise NTLM inside SPNEGO, as Windows clients do.
    Negotiate {
        account: ServiceAccount,
        kdc: Option<Kdc>,
    },
    /// As `Negotiate`, Kerberos only: no ticket is an error, never an NTLM sign-in.
    Kerberos {
        account: ServiceAccount,
        kdc: Option<Kdc>,
    },
}

/// `ews.kdc`: the KDC the proxy asks for tickets (TCP), instead of the realm's `kdc` in
/// krb5.conf (`KRB5_CONFIG`, else /etc/krb5.conf).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kdc {
    pub host: String,
    pub port: u16,
}

impl Kdc {
    /// `host` or `host:port` (88 when no port is given).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let url = url::Url::parse(&format!("tcp://{raw}"))
            .map_err(|e| format!("'{raw}' is not a host or host:port ({e})"))?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("'{raw}' names no host"))?;
        if url.path() != "" && url.path() != "/" || url.username() != "" || url.query().is_some() {
            return Err(format!("'{raw}' is not a host or host:port"));
        }
        Ok(Self {
            host: host.to_owned(),
            port: url.port().unwrap_or(88),
        })
    }
}

impl EwsAuth {
    pub fn service_account(&self) -> Option<&ServiceAccount> {
        match self {
            EwsAuth::OAuth => None,
            EwsAuth::Ntlm(account)
            | EwsAuth::Basic(account)
            | EwsAuth::Negotiate { account, .. }
            | EwsAuth::Kerberos { account, .. } => Some(account),
        }
    }

    /// The scheme's name as configured (`oauth`, `ntlm`, `basic`, `negotiate`, `kerberos`).
    pub fn name(&self) -> &'static str {
        match self {
            EwsAuth::OAuth => "oauth",
            EwsAuth::Ntlm(_) => "ntlm",
            EwsAuth::Basic(_) => "basic",
            EwsAuth::Negotiate { .. } => "negotiate",
            EwsAuth::Kerberos { .. } => "kerberos",
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
    let kdc = || {
        ews.kdc
            .as_deref()
            .map(Kdc::parse)
            .transpose()
            .map_err(|m| ("ews.kdc", m))
    };
    if ews.kdc.is_some() && !matches!(scheme.as_str(), "negotiate" | "kerberos") {
        return Err((
            "ews.kdc",
            format!(
                "a KDC is set but ews.auth is \"{scheme}\": only \"negotiate\" and \"kerberos\" \
                 ask a KDC for tickets"
            ),
        ));
    }
    match scheme.as_str() {
        "oauth" => {
            if ews.service_account.username.is_some() || ews.service_account.password.is_some() {
                return Err((
                    "ews.service_account.username",
                    "a service account is set but ews.auth is \"oauth\" (each user's own token): \
                     set ews.auth = \"ntlm\", \"negotiate\", \"kerberos\" or \"basic\" to use the \
                     service account, or remove it"
                        .into(),
                ));
            }
            Ok(EwsAuth::OAuth)
        }
        "ntlm" => Ok(EwsAuth::Ntlm(account()?)),
        "basic" => Ok(EwsAuth::Basic(account()?)),
        "negotiate" => Ok(EwsAuth::Negotiate {
            account: account()?,
            kdc: kdc()?,
        }),
        "kerberos" => Ok(EwsAuth::Kerberos {
            account: account()?,
            kdc: kdc()?,
        }),
        other => Err((
            "ews.auth",
            format!(
                "'{other}' is not an EWS sign-in scheme (oauth, ntlm, negotiate, kerberos or basic)"
            ),
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
    fn negotiate_and_kerberos_take_an_optional_kdc() {
        let negotiate = resolve(&layer(
            Some("Negotiate"),
            Some("svc@contoso.com"),
            Some("pw"),
        ));
        assert!(
            matches!(&negotiate, Ok(EwsAuth::Negotiate { kdc: None, .. })),
            "{negotiate:?}"
        );
        let mut with_kdc = layer(Some("kerberos"), Some("svc@contoso.com"), Some("pw"));
        with_kdc.kdc = Some("dc1.contoso.com".into());
        let Ok(EwsAuth::Kerberos { kdc: Some(kdc), .. }) = resolve(&with_kdc) else {
            panic!("{:?}", resolve(&with_kdc));
        };
        assert_eq!((kdc.host.as_str(), kdc.port), ("dc1.contoso.com", 88));
        assert_eq!(Kdc::parse("127.0.0.1:8888").unwrap().port, 8888);
        for bad in ["", "dc1/x", "user@dc1", "dc1:notaport"] {
            assert!(Kdc::parse(bad).is_err(), "{bad}");
        }
        with_kdc.kdc = Some("dc1:x".into());
        assert_eq!(resolve(&with_kdc).unwrap_err().0, "ews.kdc");
        let mut ntlm_with_kdc = layer(Some("ntlm"), Some("C\\svc"), Some("pw"));
        ntlm_with_kdc.kdc = Some("dc1".into());
        assert_eq!(resolve(&ntlm_with_kdc).unwrap_err().0, "ews.kdc");
    }

    #[test]
    fn incomplete_or_unsupported_settings_say_what_to_set() {
        let (key, message) = resolve(&layer(Some("ntlm"), None, None)).unwrap_err();
        assert_eq!(key, "ews.service_account.username");
        assert!(message.contains("DOMAIN\\user"), "{message}");
        let (key, message) = resolve(&layer(Some("ntlm"), Some("C\\svc"), None)).unwrap_err();
        assert_eq!(key, "ews.service_account.password");
        assert!(message.contains("XF_EWS_SERVICE_ACCOUNT_PASSWORD"));
        let (key, message) = resolve(&layer(Some("spnego"), Some("C\\s"), Some("p"))).unwrap_err();
        assert_eq!(key, "ews.auth");
        assert!(message.contains("negotiate"), "{message}");
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
