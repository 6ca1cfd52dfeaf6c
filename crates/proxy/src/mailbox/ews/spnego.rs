//! The client's `Authorization: Negotiate` tokens (RFC 4559): SPNEGO (RFC 4178) around Kerberos
//! or NTLM, made by `sspi` (pure Rust). For Kerberos, `sspi` asks the KDC for a ticket to
//! `HTTP/<EWS host>` itself, with the service account's password: the proxy needs neither a
//! credential cache (`kinit`) nor the system's Kerberos library. The KDC is `ews.kdc`, else the
//! realm's `kdc` in krb5.conf (`KRB5_CONFIG`, else /etc/krb5.conf).

use std::io::{Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs as _};
use std::time::Duration;

use secrecy::ExposeSecret as _;
use sspi::generator::{GeneratorState, NetworkRequest};
use sspi::network_client::NetworkProtocol;
use sspi::{
    AuthIdentity, BufferType, ClientRequestFlags, CredentialUse, Credentials, CredentialsBuffers,
    DataRepresentation, ErrorKind, KdcResolution, KerberosConfig, Negotiate, NegotiateConfig,
    SecurityBuffer, Sspi as _, SspiImpl as _, Username, ntlm::NtlmConfig,
};

use crate::config::Kdc;
use crate::config::ServiceAccount;

/// What the proxy calls itself in NTLM messages and Kerberos requests.
const WORKSTATION: &str = "EXCHANGE-FORMS";
/// Largest KDC answer read (tickets with a big PAC stay far below this).
const MAX_KDC_REPLY: usize = 1024 * 1024;

/// Which mechanism a SPNEGO context runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    Kerberos,
    Ntlm,
}

impl Mechanism {
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Kerberos => "Kerberos",
            Mechanism::Ntlm => "NTLM",
        }
    }
}

/// One SPNEGO security context (one per connection signed in).
pub struct SpnegoClient {
    context: Negotiate,
    credentials: Option<CredentialsBuffers>,
    /// `HTTP/<host>`: the service principal Kerberos asks a ticket for.
    target: String,
    kdc_timeout: Duration,
}

impl SpnegoClient {
    /// A context offering only `mechanism`, for `account` towards `HTTP/<host>`.
    pub fn new(
        mechanism: Mechanism,
        account: &ServiceAccount,
        host: &str,
        kdc: Option<&Kdc>,
        kdc_timeout: Duration,
    ) -> Result<Self, sspi::Error> {
        let (protocol, packages): (Box<dyn sspi::negotiate::ProtocolConfig>, &str) = match mechanism
        {
            Mechanism::Kerberos => {
                let kdc_url = kdc
                    .map(|k| url::Url::parse(&format!("tcp://{}:{}", k.host, k.port)))
                    .transpose()
                    .map_err(|e| sspi::Error::new(ErrorKind::InvalidParameter, e.to_string()))?;
                let config = KerberosConfig {
                    kdc_resolution: KdcResolution::KdcUrl(kdc_url),
                    client_computer_name: WORKSTATION.to_owned(),
                };
                (Box::new(config), "kerberos,!ntlm,!pku2u")
            }
            Mechanism::Ntlm => (
                Box::new(NtlmConfig::new(WORKSTATION.to_owned())),
                "ntlm,!kerberos,!pku2u",
            ),
        };
        let mut context = Negotiate::new_client(NegotiateConfig::new(
            protocol,
            Some(packages.to_owned()),
            WORKSTATION.to_owned(),
        ))?;
        let username = Username::parse(&account.username)
            .map_err(|e| sspi::Error::new(ErrorKind::InvalidParameter, e.to_string()))?;
        let identity = Credentials::AuthIdentity(AuthIdentity {
            username,
            password: account.password.expose_secret().to_owned().into(),
        });
        let acquired = context
            .acquire_credentials_handle()
            .with_credential_use(CredentialUse::Outbound)
            .with_auth_data(&identity)
            .execute(&mut context)?;
        Ok(Self {
            context,
            credentials: acquired.credentials_handle,
            target: format!("HTTP/{}", host.trim_matches(['[', ']'])),
            kdc_timeout,
        })
    }

    /// The service principal this context asks a ticket for.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The next token to send, from the server's last one (`input`, empty at first). Blocks
    /// while Kerberos talks to the KDC: run it off the async workers.
    pub fn step(&mut self, input: &[u8]) -> Result<Vec<u8>, sspi::Error> {
        let mut input = [SecurityBuffer::new(input.to_vec(), BufferType::Token)];
        let mut output = [SecurityBuffer::new(Vec::new(), BufferType::Token)];
        let mut builder = self
            .context
            .initialize_security_context()
            .with_credentials_handle(&mut self.credentials)
            .with_context_requirements(ClientRequestFlags::MUTUAL_AUTH)
            .with_target_data_representation(DataRepresentation::Native)
            .with_target_name(&self.target)
            .with_input(&mut input)
            .with_output(&mut output);
        let timeout = self.kdc_timeout;
        let mut generator = self
            .context
            .initialize_security_context_impl(&mut builder)?;
        let mut state = generator.start();
        loop {
            match state {
                GeneratorState::Suspended(request) => {
                    state = generator.resume(ask_kdc(&request, timeout));
                }
                GeneratorState::Completed(result) => {
                    result?;
                    break;
                }
            }
        }
        drop(generator);
        let [token] = output;
        Ok(token.buffer)
    }
}

/// One request to the KDC over TCP (RFC 4120 7.2.2: the message already carries its 4-byte
/// length; the answer is returned with its own).
fn ask_kdc(request: &NetworkRequest, timeout: Duration) -> Result<Vec<u8>, sspi::Error> {
    let unreachable = |what: String| sspi::Error::new(ErrorKind::NoAuthenticatingAuthority, what);
    if request.protocol != NetworkProtocol::Tcp {
        return Err(unreachable(format!(
            "the KDC {} is not a tcp:// address",
            request.url
        )));
    }
    let host = request.url.host_str().unwrap_or_default();
    let port = request.url.port().unwrap_or(88);
    let addresses = (host, port)
        .to_socket_addrs()
        .map_err(|e| unreachable(format!("{host}:{port}: {e}")))?;
    let mut last = unreachable(format!("{host}:{port} has no address"));
    for address in addresses {
        let exchange = || -> std::io::Result<Vec<u8>> {
            let mut stream = TcpStream::connect_timeout(&address, timeout)?;
            stream.set_read_timeout(Some(timeout))?;
            stream.set_write_timeout(Some(timeout))?;
            stream.write_all(&request.data)?;
            let mut length = [0u8; 4];
            stream.read_exact(&mut length)?;
            let size = u32::from_be_bytes(length) as usize;
            if size > MAX_KDC_REPLY {
                return Err(std::io::Error::other("answer too large"));
            }
            let mut reply = vec![0u8; 4 + size];
            reply[..4].copy_from_slice(&length);
            stream.read_exact(&mut reply[4..])?;
            Ok(reply)
        };
        match exchange() {
            Ok(reply) => return Ok(reply),
            Err(e) => last = unreachable(format!("{host}:{port} ({address}): {e}")),
        }
    }
    Err(last)
}

/// An administrator's sentence for a Kerberos failure before anything reached Exchange.
pub fn kerberos_problem(error: &sspi::Error, account: &str, target: &str) -> String {
    let detail = &error.description;
    let lowered = detail.to_ascii_lowercase();
    let what = match error.error_type {
        ErrorKind::NoAuthenticatingAuthority if lowered.contains("no kdc") => format!(
            "no KDC is known for the account's realm: set ews.kdc (host[:port]) or the realm's \
             kdc in krb5.conf (KRB5_CONFIG), and write the account as user@domain or \
             REALM\\user ({detail})"
        ),
        ErrorKind::NoAuthenticatingAuthority => format!(
            "the KDC could not be reached ({detail}): check ews.kdc (or the realm's kdc in \
             krb5.conf) and that TCP port 88 is open from the proxy's host"
        ),
        ErrorKind::TimeSkew => format!(
            "the clocks of the proxy's host and the KDC differ by more than Kerberos allows \
             (5 minutes): synchronise the proxy's host with the domain's time (NTP) ({detail})"
        ),
        _ if lowered.contains("server not found") => format!(
            "the KDC knows no service principal {target}: register it on the Exchange server's \
             computer account (setspn -S {target} <server>), or on the alternate service account \
             behind a load balancer, and make ews.endpoint name that host ({detail})"
        ),
        _ if lowered.contains("client not found") => format!(
            "the KDC does not know the account '{account}': check ews.service_account.username \
             (user@domain or REALM\\user) ({detail})"
        ),
        _ if lowered.contains("pre-authentication") || lowered.contains("preauthentication") => {
            format!(
                "the KDC refused the account '{account}': check its password \
                 (XF_EWS_SERVICE_ACCOUNT_PASSWORD) and that it is enabled and not locked out \
                 ({detail})"
            )
        }
        _ => format!("the KDC refused the request ({detail})"),
    };
    format!("No Kerberos ticket for {target}: {what}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn account() -> ServiceAccount {
        ServiceAccount {
            username: "CONTOSO\\svc-forms".into(),
            password: SecretString::from("pw".to_owned()),
        }
    }

    #[test]
    fn ntlm_inside_spnego_starts_with_a_neg_token_init_offering_ntlm() {
        let mut client = SpnegoClient::new(
            Mechanism::Ntlm,
            &account(),
            "mail.contoso.com",
            None,
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(client.target(), "HTTP/mail.contoso.com");
        let token = client.step(&[]).unwrap();
        // GSS-API InitialContextToken ([APPLICATION 0]) with the SPNEGO OID 1.3.6.1.5.5.2.
        assert_eq!(token[0], 0x60);
        let spnego_oid = [0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
        assert!(token.windows(8).any(|w| w == spnego_oid));
        assert!(token.windows(8).any(|w| w == b"NTLMSSP\0"));
    }

    #[test]
    fn each_kdc_refusal_has_its_own_advice() {
        let advice = |kind, detail: &str| {
            kerberos_problem(
                &sspi::Error::new(kind, detail.to_owned()),
                "svc@contoso.com",
                "HTTP/mail.contoso.com",
            )
        };
        // The descriptions are sspi's for the KDC's error codes.
        let skew = advice(ErrorKind::TimeSkew, "clock skew too great");
        assert!(skew.contains("NTP"), "{skew}");
        let spn = advice(
            ErrorKind::UnknownCredentials,
            "server not found in Kerberos database",
        );
        assert!(spn.contains("setspn -S HTTP/mail.contoso.com"), "{spn}");
        let user = advice(
            ErrorKind::UnknownCredentials,
            "client not found in Kerberos database",
        );
        assert!(user.contains("does not know the account 'svc@contoso.com'"));
        let password = advice(
            ErrorKind::KdcInvalidRequest,
            "pre-authentication information was invalid",
        );
        assert!(password.contains("XF_EWS_SERVICE_ACCOUNT_PASSWORD"));
        let none = advice(ErrorKind::NoAuthenticatingAuthority, "No KDC server found");
        assert!(none.contains("set ews.kdc"), "{none}");
    }

    #[test]
    fn an_unreachable_kdc_is_said_in_plain_words() {
        // A port nothing listens on: connecting is refused at once.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let account = ServiceAccount {
            username: "svc-forms@contoso.com".into(),
            password: SecretString::from("pw".to_owned()),
        };
        let kdc = Kdc {
            host: "127.0.0.1".into(),
            port,
        };
        let mut client = SpnegoClient::new(
            Mechanism::Kerberos,
            &account,
            "mail.contoso.com",
            Some(&kdc),
            Duration::from_secs(1),
        )
        .unwrap();
        let error = client.step(&[]).unwrap_err();
        let message = kerberos_problem(&error, &account.username, client.target());
        assert!(message.starts_with("No Kerberos ticket for HTTP/mail.contoso.com"));
        assert!(message.contains("could not be reached"), "{message}");
    }
}
