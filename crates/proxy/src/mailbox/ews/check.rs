//! `check-config`'s EWS part: sign in as the configured service account and read one day of a
//! given mailbox's calendar through ExchangeImpersonation, as the forms will. The codec has no
//! GetFolder; a one-item CalendarView proves the same things (the account signs in, may
//! impersonate that user, the mailbox exists and its calendar can be read).

use secrecy::SecretString;
use url::Url;

use super::EwsMailbox;
use crate::config::Config;
use crate::mailbox::Access;

/// A line to print when the check passes, or what is wrong.
pub async fn check_service_account(
    config: &Config,
    endpoint: &Url,
    mailbox: &str,
) -> Result<String, String> {
    let Some(account) = config.ews.auth.service_account() else {
        return Err(
            "ews.auth is \"oauth\": each user's own token reaches Exchange, there is no service \
             account to check (set ews.auth = \"ntlm\", \"negotiate\", \"kerberos\" or \"basic\")"
                .into(),
        );
    };
    let ews = EwsMailbox::new(endpoint.clone(), &config.ews)?;
    let access = Access {
        // Exchange never sees a user token in service-account mode.
        token: SecretString::from(String::new()),
        mailbox: Some(mailbox.trim().to_owned()),
    };
    crate::mailbox::read_probe(&ews, &access)
        .await
        .map_err(|e| e.to_string())?;
    // Which mechanism Exchange accepted: `negotiate` may have fallen back to NTLM.
    let scheme = match (config.ews.auth.name(), ews.signed_in_with()) {
        (configured, Some(used)) if !used.eq_ignore_ascii_case(configured) => {
            format!("{configured}: {used}")
        }
        (configured, _) => configured.to_owned(),
    };
    Ok(format!(
        "signed in to {endpoint} as {} ({scheme}) and read the calendar of {}",
        account.username,
        mailbox.trim()
    ))
}
