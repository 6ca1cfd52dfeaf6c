//! `Authorization: Negotiate` with a SPNEGO token: NTLM inside it (the same NTLM check as a
//! bare NTLM sign-in) or, with a keytab, a Kerberos AP-REQ.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::super::spnego::{self, ClientToken};
use super::{NtlmStep, ServiceAccount, ServiceAccounts, State, Verdict, refuse};
use std::sync::atomic::Ordering;

impl ServiceAccounts {
    /// A SPNEGO token: Kerberos when the client's first choice is Kerberos and a keytab is
    /// configured, NTLM otherwise.
    pub(super) fn spnego(&self, bytes: &[u8], connection: u64) -> Verdict {
        let (mechanism, token) = match spnego::read(bytes) {
            Some(ClientToken::Init { mechanisms, token }) => {
                let kerberos = self.kerberos.is_some();
                let usable = |m: &&String| {
                    m.as_str() == spnego::NTLM
                        || kerberos && [spnego::KERBEROS, spnego::MS_KERBEROS].contains(&m.as_str())
                };
                let Some(chosen) = mechanisms.iter().find(usable) else {
                    return refuse();
                };
                // The optimistic token is for the client's first choice only.
                let token = token.filter(|_| mechanisms.first() == Some(chosen));
                let Some(token) = token else {
                    return negotiate_challenge(spnego::answer(false, Some(chosen), None));
                };
                (Some(chosen.clone()), token)
            }
            Some(ClientToken::Response { token: Some(token) }) => (None, token),
            _ => return refuse(),
        };
        match mechanism.as_deref() {
            Some(spnego::NTLM) | None => match self.ntlm(&token, connection) {
                NtlmStep::Challenge(message) => {
                    negotiate_challenge(spnego::answer(false, mechanism.as_deref(), Some(message)))
                }
                NtlmStep::SignedIn(account) => Verdict::Account(account),
                NtlmStep::Refused => refuse(),
            },
            Some(_) => self.kerberos(&token, connection),
        }
    }

    fn kerberos(&self, token: &[u8], connection: u64) -> Verdict {
        let Some(acceptor) = &self.kerberos else {
            return refuse();
        };
        let client = match acceptor.accept(token) {
            Ok((client, _mutual)) => client,
            Err(error) => {
                tracing::info!(%error, "sandbox refused a Kerberos ticket");
                return refuse();
            }
        };
        // The principal `user@realm` is the account written so, or `REALM\user`.
        let down_level = client
            .rsplit_once('@')
            .map(|(user, realm)| format!("{realm}\\{user}"));
        let named =
            |a: &&ServiceAccount| a.username == client || Some(&a.username) == down_level.as_ref();
        let Some(account) = self.accounts.iter().find(named) else {
            tracing::info!(%client, "a Kerberos ticket for an account the sandbox does not know");
            return refuse();
        };
        self.kerberos_sign_ins.fetch_add(1, Ordering::SeqCst);
        let name = account.username.clone();
        self.remember(connection, State::SignedIn(name.clone()));
        Verdict::Account(name)
    }
}

/// `Negotiate <base64 SPNEGO answer>` (a failed encoding refuses the sign-in).
fn negotiate_challenge(answer: Option<Vec<u8>>) -> Verdict {
    match answer {
        Some(answer) => Verdict::Challenge(vec![format!("Negotiate {}", B64.encode(answer))]),
        None => refuse(),
    }
}
