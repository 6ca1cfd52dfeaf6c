//! Service accounts signing in to the sandbox EWS endpoint as they would to an on-premises
//! Exchange: NTLM (Negotiate → Challenge → Authenticate on one connection, which then stays
//! signed in, as IIS does), Negotiate (RFC 4559: SPNEGO around NTLM, or around Kerberos when a
//! keytab is configured; a bare NTLM message in a Negotiate header too, as IIS takes it), or
//! Basic. Self-contained: the caller hands in the request headers and a key for the TCP
//! connection the request came on.
//!
//! An NTLMv2 response is checked by computing it again from the configured password
//! ([MS-NLMP] 3.3.2: NTProofStr = HMAC-MD5(NTOWFv2, server challenge ‖ client blob)).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use md5::Md5;
use ntlmclient::{ChallengeMessage, Flags, Message, TargetInfoEntry, TargetInfoType};
use rand::RngCore as _;
use secrecy::ExposeSecret as _;
use subtle::ConstantTimeEq as _;

use super::kerberos::KerberosAcceptor;

mod negotiate;

/// The NetBIOS domain the sandbox calls itself in its challenges.
const DOMAIN: &str = "SANDBOX";
/// A connection's sign-in is forgotten after this long without a request (connections that
/// closed leave entries behind; this bounds them).
const IDLE_FORGET: Duration = Duration::from_secs(300);
const MAX_CONNECTIONS: usize = 4096;
/// What the 401 of an unauthenticated request offers, besides Bearer.
const OFFERED: [&str; 3] = ["Negotiate", "NTLM", "Basic realm=\"sandbox\""];

/// Who a request comes from, as far as service accounts are concerned.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A configured account (its lower-cased name).
    Account(String),
    /// Answer 401 with these `WWW-Authenticate` values (an NTLM challenge, or the schemes on
    /// offer after a failed sign-in).
    Challenge(Vec<String>),
    /// No service-account credentials (e.g. a bearer token): another check applies.
    NotServiceAccount,
}

enum State {
    Challenged([u8; 8]),
    SignedIn(String),
}

/// An account that signs in with NTLM or Basic (what `sandbox.service_accounts` configures).
#[derive(Clone)]
pub struct ServiceAccount {
    /// `DOMAIN\user` or a UPN.
    pub username: String,
    pub password: secrecy::SecretString,
}

impl ServiceAccount {
    /// `DOMAIN\user` split as NTLM carries it (user, domain); a UPN has no domain part.
    pub fn ntlm_user_and_domain(&self) -> (&str, &str) {
        match self.username.split_once('\\') {
            Some((domain, user)) => (user, domain),
            None => (self.username.as_str(), ""),
        }
    }
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

pub struct ServiceAccounts {
    accounts: Vec<ServiceAccount>,
    /// Set: Kerberos tickets for its service principal are accepted inside Negotiate.
    kerberos: Option<KerberosAcceptor>,
    connections: Mutex<HashMap<u64, (State, Instant)>>,
    ntlm_sign_ins: AtomicU64,
    kerberos_sign_ins: AtomicU64,
}

/// What one NTLM message leads to.
enum NtlmStep {
    /// Answer with this Challenge message.
    Challenge(Vec<u8>),
    /// The connection is signed in as this account.
    SignedIn(String),
    Refused,
}

impl ServiceAccounts {
    pub fn new(accounts: Vec<ServiceAccount>, kerberos: Option<KerberosAcceptor>) -> Self {
        Self {
            accounts,
            kerberos,
            connections: Mutex::default(),
            ntlm_sign_ins: AtomicU64::new(0),
            kerberos_sign_ins: AtomicU64::new(0),
        }
    }

    /// Whether any account is configured (only then are NTLM and Basic offered).
    pub fn any(&self) -> bool {
        !self.accounts.is_empty()
    }

    /// Forgets every connection's sign-in, as an IIS application pool recycle does: the next
    /// request on such a connection is answered 401.
    pub fn sign_out_all(&self) {
        self.connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Completed NTLM handshakes since start (bare or inside Negotiate).
    pub fn ntlm_sign_ins(&self) -> u64 {
        self.ntlm_sign_ins.load(Ordering::SeqCst)
    }

    /// Kerberos tickets accepted since start.
    pub fn kerberos_sign_ins(&self) -> u64 {
        self.kerberos_sign_ins.load(Ordering::SeqCst)
    }

    /// `connection`: a key of the TCP connection the request came on (`None`: unknown, so
    /// NTLM cannot work and only Basic is accepted).
    pub fn verify(&self, headers: &HeaderMap, connection: Option<u64>) -> Verdict {
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        let Some(authorization) = authorization else {
            return match connection.and_then(|c| self.signed_in(c)) {
                Some(account) => Verdict::Account(account),
                None => Verdict::NotServiceAccount,
            };
        };
        let (scheme, credentials) = authorization.split_once(' ').unwrap_or((authorization, ""));
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            return self.basic(credentials);
        }
        let ntlm = scheme.eq_ignore_ascii_case("ntlm");
        if !ntlm && !scheme.eq_ignore_ascii_case("negotiate") {
            return Verdict::NotServiceAccount;
        }
        // NTLM and Negotiate sign in a connection: without one, they cannot work.
        let (Some(connection), Ok(bytes)) = (connection, B64.decode(credentials)) else {
            return refuse();
        };
        if ntlm || bytes.starts_with(b"NTLMSSP\0") {
            // IIS answers a bare NTLM message under the scheme it came with.
            let scheme = if ntlm { "NTLM" } else { "Negotiate" };
            return match self.ntlm(&bytes, connection) {
                NtlmStep::Challenge(message) => {
                    Verdict::Challenge(vec![format!("{scheme} {}", B64.encode(message))])
                }
                NtlmStep::SignedIn(account) => Verdict::Account(account),
                NtlmStep::Refused => refuse(),
            };
        }
        self.spnego(&bytes, connection)
    }

    fn basic(&self, credentials: &str) -> Verdict {
        let decoded = B64
            .decode(credentials)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok());
        let Some((username, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
            return refuse();
        };
        let username = username.to_lowercase();
        let matches = self.accounts.iter().find(|a| {
            a.username == username
                && bool::from(
                    a.password
                        .expose_secret()
                        .as_bytes()
                        .ct_eq(password.as_bytes()),
                )
        });
        match matches {
            Some(account) => Verdict::Account(account.username.clone()),
            None => refuse(),
        }
    }

    fn ntlm(&self, bytes: &[u8], connection: u64) -> NtlmStep {
        // A Negotiate message is recognised by its header alone: its optional fields (and
        // ntlmclient's minimum length for them) do not matter to the challenge.
        let is_negotiate = bytes.len() >= 12
            && bytes.starts_with(b"NTLMSSP\0")
            && bytes[8..12] == 1u32.to_le_bytes();
        let message = if is_negotiate {
            None
        } else {
            Message::try_from(bytes).ok()
        };
        match message {
            None if is_negotiate => {
                let mut challenge = [0u8; 8];
                rand::thread_rng().fill_bytes(&mut challenge);
                match challenge_message(challenge) {
                    Some(message) => {
                        self.remember(connection, State::Challenged(challenge));
                        NtlmStep::Challenge(message)
                    }
                    None => NtlmStep::Refused,
                }
            }
            Some(Message::Authenticate(answer)) => {
                let challenge = match self.take(connection) {
                    Some(State::Challenged(challenge)) => challenge,
                    _ => return NtlmStep::Refused,
                };
                let account = self.accounts.iter().find(|a| {
                    let (user, domain) = a.ntlm_user_and_domain();
                    user.eq_ignore_ascii_case(&answer.user_name)
                        && domain.eq_ignore_ascii_case(&answer.domain_name)
                });
                match account {
                    Some(account) if proves_password(account, &answer, &challenge) => {
                        self.ntlm_sign_ins.fetch_add(1, Ordering::SeqCst);
                        let name = account.username.clone();
                        self.remember(connection, State::SignedIn(name.clone()));
                        NtlmStep::SignedIn(name)
                    }
                    _ => NtlmStep::Refused,
                }
            }
            _ => NtlmStep::Refused,
        }
    }

    fn signed_in(&self, connection: u64) -> Option<String> {
        let mut connections = self.connections.lock().unwrap_or_else(|p| p.into_inner());
        match connections.get_mut(&connection) {
            Some((State::SignedIn(account), seen)) if seen.elapsed() < IDLE_FORGET => {
                *seen = Instant::now();
                Some(account.clone())
            }
            _ => None,
        }
    }

    fn take(&self, connection: u64) -> Option<State> {
        let mut connections = self.connections.lock().unwrap_or_else(|p| p.into_inner());
        connections
            .remove(&connection)
            .filter(|(_, seen)| seen.elapsed() < IDLE_FORGET)
            .map(|(state, _)| state)
    }

    fn remember(&self, connection: u64, state: State) {
        let mut connections = self.connections.lock().unwrap_or_else(|p| p.into_inner());
        if connections.len() >= MAX_CONNECTIONS {
            connections.retain(|_, (_, seen)| seen.elapsed() < IDLE_FORGET);
            if connections.len() >= MAX_CONNECTIONS {
                connections.clear();
            }
        }
        connections.insert(connection, (state, Instant::now()));
    }
}

/// A failed or malformed sign-in: 401 offering the schemes again (as IIS does).
fn refuse() -> Verdict {
    Verdict::Challenge(OFFERED.iter().map(|s| (*s).to_owned()).collect())
}

/// The `WWW-Authenticate` values of a 401 to an unauthenticated request.
pub fn offered() -> impl Iterator<Item = &'static str> {
    OFFERED.into_iter()
}

/// An NTLM Challenge message.
fn challenge_message(challenge: [u8; 8]) -> Option<Vec<u8>> {
    let message = Message::Challenge(ChallengeMessage {
        target_name: DOMAIN.to_owned(),
        flags: Flags::NEGOTIATE_UNICODE
            | Flags::REQUEST_TARGET
            | Flags::NEGOTIATE_NTLM
            | Flags::NEGOTIATE_ALWAYS_SIGN
            | Flags::TARGET_TYPE_DOMAIN
            | Flags::NEGOTIATE_NTLM2_KEY
            | Flags::NEGOTIATE_TARGET_INFO,
        challenge,
        context: (0, 0),
        target_information: vec![
            TargetInfoEntry::from_string(TargetInfoType::NtDomain, DOMAIN),
            TargetInfoEntry::from_string(TargetInfoType::NtServer, "EXCHANGE"),
            TargetInfoEntry {
                entry_type: TargetInfoType::Terminator,
                data: Vec::new(),
            },
        ],
        os_version: Default::default(),
    });
    message.to_bytes().ok()
}

/// Whether the NTLMv2 response in `answer` was made with `account`'s password for `challenge`.
fn proves_password(
    account: &ServiceAccount,
    answer: &ntlmclient::AuthenticateMessage,
    challenge: &[u8; 8],
) -> bool {
    // NTProofStr (16 bytes), then the client's blob (at least 28 bytes before its AV pairs).
    if answer.ntlm_response.len() < 16 + 28 {
        return false;
    }
    let (proof, blob) = answer.ntlm_response.split_at(16);
    // NTOWFv2 over the names exactly as the client sent them (the user upper-cased by it).
    let key = ntlmclient::ntlm_v2_password_func(&ntlmclient::Credentials {
        username: answer.user_name.clone(),
        password: account.password.expose_secret().to_owned(),
        domain: answer.domain_name.clone(),
    });
    let Ok(mut mac) = <Hmac<Md5> as Mac>::new_from_slice(&key) else {
        return false;
    };
    mac.update(challenge);
    mac.update(blob);
    mac.verify_slice(proof).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use secrecy::SecretString;

    fn accounts() -> ServiceAccounts {
        ServiceAccounts::new(
            vec![
                ServiceAccount {
                    username: "sandbox\\svc-forms".into(),
                    password: SecretString::from("correct horse".to_owned()),
                },
                ServiceAccount {
                    username: "svc@sandbox.test".into(),
                    password: SecretString::from("battery staple".to_owned()),
                },
            ],
            None,
        )
    }

    fn with(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(authorization).unwrap(),
        );
        headers
    }

    /// The client's side of the handshake, made by the proxy's own NTLM code path (ntlmclient).
    fn authenticate(challenge: &str, user: &str, domain: &str, password: &str) -> String {
        let bytes = B64
            .decode(challenge.strip_prefix("NTLM ").unwrap())
            .unwrap();
        let Ok(Message::Challenge(challenge)) = Message::try_from(bytes.as_slice()) else {
            panic!("not a challenge");
        };
        let credentials = ntlmclient::Credentials {
            username: user.into(),
            password: password.into(),
            domain: domain.into(),
        };
        let info: Vec<u8> = challenge
            .target_information
            .iter()
            .flat_map(|e| e.to_bytes())
            .collect();
        let response = ntlmclient::respond_challenge_ntlm_v2(
            challenge.challenge,
            &info,
            ntlmclient::get_ntlm_time(),
            &credentials,
        );
        let message = response.to_message(&credentials, "TEST", Flags::NEGOTIATE_UNICODE);
        format!("NTLM {}", B64.encode(message.to_bytes().unwrap()))
    }

    /// `<scheme> <base64 NTLM Negotiate message>`.
    fn negotiate_header(scheme: &str) -> String {
        let negotiate = Message::Negotiate(ntlmclient::NegotiateMessage {
            flags: Flags::NEGOTIATE_UNICODE | Flags::NEGOTIATE_NTLM,
            supplied_domain: String::new(),
            supplied_workstation: String::new(),
            os_version: Default::default(),
        });
        format!("{scheme} {}", B64.encode(negotiate.to_bytes().unwrap()))
    }

    fn negotiate(accounts: &ServiceAccounts, connection: u64) -> String {
        match accounts.verify(&with(&negotiate_header("NTLM")), Some(connection)) {
            Verdict::Challenge(values) => values[0].clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ntlm_signs_the_connection_in_and_only_that_connection() {
        let accounts = accounts();
        let challenge = negotiate(&accounts, 7);
        let answer = authenticate(&challenge, "svc-forms", "SANDBOX", "correct horse");
        assert_eq!(
            accounts.verify(&with(&answer), Some(7)),
            Verdict::Account("sandbox\\svc-forms".into())
        );
        // Later requests on that connection need no credentials; another connection does.
        assert_eq!(
            accounts.verify(&HeaderMap::new(), Some(7)),
            Verdict::Account("sandbox\\svc-forms".into())
        );
        assert_eq!(
            accounts.verify(&HeaderMap::new(), Some(8)),
            Verdict::NotServiceAccount
        );
        assert_eq!(accounts.ntlm_sign_ins(), 1);
    }

    #[test]
    fn wrong_password_replay_or_other_connection_is_refused() {
        let accounts = accounts();
        let challenge = negotiate(&accounts, 1);
        let wrong = authenticate(&challenge, "svc-forms", "SANDBOX", "wrong horse");
        assert!(matches!(
            accounts.verify(&with(&wrong), Some(1)),
            Verdict::Challenge(_)
        ));
        // The challenge is used up: the right answer to it no longer works either.
        let right = authenticate(&challenge, "svc-forms", "SANDBOX", "correct horse");
        assert!(matches!(
            accounts.verify(&with(&right), Some(1)),
            Verdict::Challenge(_)
        ));
        // An answer to connection 2's challenge sent on connection 3.
        let challenge = negotiate(&accounts, 2);
        let right = authenticate(&challenge, "svc-forms", "SANDBOX", "correct horse");
        assert!(matches!(
            accounts.verify(&with(&right), Some(3)),
            Verdict::Challenge(_)
        ));
        assert_eq!(
            accounts.verify(&HeaderMap::new(), Some(1)),
            Verdict::NotServiceAccount
        );
        assert_eq!(accounts.ntlm_sign_ins(), 0);
    }

    #[test]
    fn basic_checks_name_and_password() {
        let accounts = accounts();
        let basic = |pair: &str| format!("Basic {}", B64.encode(pair));
        assert_eq!(
            accounts.verify(&with(&basic("SVC@sandbox.test:battery staple")), None),
            Verdict::Account("svc@sandbox.test".into())
        );
        assert!(matches!(
            accounts.verify(&with(&basic("svc@sandbox.test:battery")), None),
            Verdict::Challenge(_)
        ));
        assert_eq!(
            accounts.verify(&with("Bearer abc"), None),
            Verdict::NotServiceAccount
        );
    }

    #[test]
    fn garbage_never_panics() {
        let accounts = accounts();
        let mut rng = rand::thread_rng();
        for n in 0..2000u64 {
            let mut bytes = b"NTLMSSP\0".to_vec();
            bytes.extend_from_slice(&[(n % 4) as u8, 0, 0, 0]);
            let mut tail = vec![0u8; (n % 200) as usize];
            rng.fill_bytes(&mut tail);
            bytes.extend_from_slice(&tail);
            let header = format!("NTLM {}", B64.encode(&bytes));
            assert!(!matches!(
                accounts.verify(&with(&header), Some(n)),
                Verdict::Account(_)
            ));
            // The same under Negotiate, bare and as SPNEGO-looking tokens.
            let mut spnego = tail.clone();
            spnego.insert(0, if n % 2 == 0 { 0x60 } else { 0xa1 });
            for token in [&bytes, &spnego] {
                let header = format!("Negotiate {}", B64.encode(token));
                assert!(!matches!(
                    accounts.verify(&with(&header), Some(n)),
                    Verdict::Account(_)
                ));
            }
        }
    }

    #[test]
    fn a_bare_ntlm_message_under_negotiate_is_answered_under_negotiate() {
        let accounts = accounts();
        let negotiate = negotiate_header("Negotiate");
        let Verdict::Challenge(values) = accounts.verify(&with(&negotiate), Some(9)) else {
            panic!("no challenge");
        };
        // As IIS does: the challenge comes back under the scheme the client used.
        let challenge = values[0].strip_prefix("Negotiate ").unwrap();
        let answer = authenticate(
            &format!("NTLM {challenge}"),
            "svc-forms",
            "SANDBOX",
            "correct horse",
        )
        .replacen("NTLM ", "Negotiate ", 1);
        assert_eq!(
            accounts.verify(&with(&answer), Some(9)),
            Verdict::Account("sandbox\\svc-forms".into())
        );
    }
}
