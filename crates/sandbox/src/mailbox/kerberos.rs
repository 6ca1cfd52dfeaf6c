//! Kerberos sign-ins to the sandbox, as IIS accepts them for Exchange: the client's AP-REQ
//! (inside SPNEGO) is checked with the `HTTP/<host>` key from a keytab that a KDC exported
//! (`kadmin ktadd`), by `sspi`'s Kerberos acceptor (ticket decrypted with the service key,
//! authenticator checked against the ticket's session key, clock skew) and a replay cache of
//! the AP-REQs accepted in the last minutes, as Windows keeps. The account signed in is the
//! ticket's client, `user@realm` lower-cased.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

use sspi::kerberos::ServerProperties;
use sspi::{
    BufferType, CredentialsBuffers, DataRepresentation, KdcResolution, Kerberos, KerberosConfig,
    SecurityBuffer, SecurityStatus, ServerRequestFlags, Sspi as _, SspiImpl as _,
};

/// Kerberos allows five minutes between the client's clock and ours.
const MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// Accepted AP-REQs remembered at most (older ones are forgotten first).
const MAX_REMEMBERED: usize = 100_000;

/// The key a keytab holds for one `HTTP/<host>` service principal.
pub struct KerberosAcceptor {
    /// Name components without the realm, e.g. `["HTTP", "localhost"]`.
    service: Vec<String>,
    key: Vec<u8>,
    /// SHA-256 of each AP-REQ accepted within the clock skew, and when: the same one again is
    /// a replay (RFC 4120 3.2.3).
    accepted: Mutex<HashMap<[u8; 32], Instant>>,
}

impl std::fmt::Debug for KerberosAcceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KerberosAcceptor")
            .field("service", &self.service.join("/"))
            .finish_non_exhaustive()
    }
}

/// aes256-cts-hmac-sha1-96 and aes128-cts-hmac-sha1-96, the strongest first: what a KDC of
/// today encrypts service tickets with.
const ENCRYPTION_TYPES: [u16; 2] = [18, 17];

impl KerberosAcceptor {
    /// The newest AES key of the first `HTTP/…` principal in the MIT keytab at `path`.
    pub fn from_keytab(path: &Path) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let entries = keytab_entries(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let best = entries
            .into_iter()
            .filter(|e| e.components.first().is_some_and(|c| c == "HTTP"))
            .filter_map(|e| {
                let rank = ENCRYPTION_TYPES.iter().position(|t| *t == e.key_type)?;
                Some((e.version, std::cmp::Reverse(rank), e))
            })
            .max_by_key(|(version, rank, _)| (*version, *rank))
            .map(|(_, _, e)| e)
            .ok_or_else(|| {
                format!(
                    "{}: no AES key of an HTTP/<host> service principal",
                    path.display()
                )
            })?;
        Ok(Self {
            service: best.components,
            key: best.key,
            accepted: Mutex::default(),
        })
    }

    /// The service principal, e.g. `HTTP/localhost`.
    pub fn service(&self) -> String {
        self.service.join("/")
    }

    /// Checks the GSS-API Kerberos token `token` (an AP-REQ); answers the client principal
    /// (`user@realm`, lower-cased) and the AP-REP token for mutual authentication.
    pub fn accept(&self, token: &[u8]) -> Result<(String, Vec<u8>), sspi::Error> {
        // The ASN.1 decoding underneath unwraps on some malformed input: a client's bad token
        // must be a refusal, never a panic.
        let accepted =
            std::panic::catch_unwind(|| self.accept_unguarded(token)).unwrap_or_else(|_| {
                Err(sspi::Error::new(
                    sspi::ErrorKind::InvalidToken,
                    "the Kerberos token could not be decoded",
                ))
            })?;
        let digest: [u8; 32] = Sha256::digest(token).into();
        let mut seen = self.accepted.lock().unwrap_or_else(|p| p.into_inner());
        // An authenticator older than the clock skew is refused anyway: forget those.
        if seen.len() >= MAX_REMEMBERED {
            seen.retain(|_, at| at.elapsed() < MAX_CLOCK_SKEW * 2);
            if seen.len() >= MAX_REMEMBERED {
                seen.clear();
            }
        }
        if seen.insert(digest, Instant::now()).is_some() {
            return Err(sspi::Error::new(
                sspi::ErrorKind::InvalidToken,
                "this AP-REQ was accepted before: a replay",
            ));
        }
        Ok(accepted)
    }

    fn accept_unguarded(&self, token: &[u8]) -> Result<(String, Vec<u8>), sspi::Error> {
        let config = KerberosConfig {
            kdc_resolution: KdcResolution::KdcUrl(None),
            client_computer_name: "EXCHANGE".to_owned(),
        };
        let service: Vec<&str> = self.service.iter().map(String::as_str).collect();
        let properties = ServerProperties::new(
            &service,
            None,
            MAX_CLOCK_SKEW,
            Some(self.key.clone().into()),
        )?;
        let mut server = Kerberos::new_server_from_config(config, properties)?;
        let mut credentials: Option<CredentialsBuffers> = None;
        let mut input = [SecurityBuffer::new(token.to_vec(), BufferType::Token)];
        let mut output = [SecurityBuffer::new(Vec::new(), BufferType::Token)];
        let builder = server
            .accept_security_context()
            .with_credentials_handle(&mut credentials)
            .with_context_requirements(ServerRequestFlags::MUTUAL_AUTH)
            .with_target_data_representation(DataRepresentation::Native)
            .with_input(&mut input)
            .with_output(&mut output);
        let result = server
            .accept_security_context_impl(builder)?
            .resolve_to_result()?;
        if !matches!(
            result.status,
            SecurityStatus::Ok | SecurityStatus::CompleteNeeded
        ) {
            return Err(sspi::Error::new(
                sspi::ErrorKind::InvalidToken,
                format!(
                    "the AP-REQ did not complete the sign-in: {:?}",
                    result.status
                ),
            ));
        }
        let client = server.query_context_names()?.username.inner().to_owned();
        let [reply] = output;
        Ok((client.to_lowercase(), reply.buffer))
    }
}

struct KeytabEntry {
    components: Vec<String>,
    version: u32,
    key_type: u16,
    key: Vec<u8>,
}

/// The entries of an MIT keytab (format 0x502: big-endian, each entry prefixed by its size;
/// a negative size is a deleted entry's hole).
fn keytab_entries(bytes: &[u8]) -> Result<Vec<KeytabEntry>, String> {
    let mut reader = Reader(bytes);
    if reader.take(2)? != [5, 2] {
        return Err("not an MIT keytab (version 0x502)".into());
    }
    let mut entries = Vec::new();
    while !reader.0.is_empty() {
        let size = i32::from_be_bytes(reader.array()?);
        let length = size.unsigned_abs() as usize;
        let mut entry = Reader(reader.take(length)?);
        if size < 0 {
            continue;
        }
        let count = u16::from_be_bytes(entry.array()?);
        let _realm = entry.counted()?;
        let components = (0..count)
            .map(|_| {
                entry
                    .counted()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
            })
            .collect::<Result<Vec<_>, _>>()?;
        let _name_type = entry.take(4)?;
        let _timestamp = entry.take(4)?;
        let short_version = entry.take(1)?[0];
        let key_type = u16::from_be_bytes(entry.array()?);
        let key = entry.counted()?.to_vec();
        // A 32-bit version follows when the 8-bit one overflowed.
        let version = match entry.0.len() {
            4.. => u32::from_be_bytes(entry.array()?),
            _ => u32::from(short_version),
        };
        entries.push(KeytabEntry {
            components,
            version,
            key_type,
            key,
        });
    }
    Ok(entries)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("the keytab is cut short".into());
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut array = [0u8; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    /// A 16-bit length, then that many bytes.
    fn counted(&mut self) -> Result<&'a [u8], String> {
        let length = u16::from_be_bytes(self.array()?);
        self.take(usize::from(length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One keytab entry as `kadmin ktadd` writes it.
    fn entry(components: &[&str], version: u8, key_type: u16, key: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&(components.len() as u16).to_be_bytes());
        for part in std::iter::once("SANDBOX.TEST").chain(components.iter().copied()) {
            body.extend_from_slice(&(part.len() as u16).to_be_bytes());
            body.extend_from_slice(part.as_bytes());
        }
        body.extend_from_slice(&1u32.to_be_bytes());
        body.extend_from_slice(&0u32.to_be_bytes());
        body.push(version);
        body.extend_from_slice(&key_type.to_be_bytes());
        body.extend_from_slice(&(key.len() as u16).to_be_bytes());
        body.extend_from_slice(key);
        body.extend_from_slice(&u32::from(version).to_be_bytes());
        let mut out = (body.len() as i32).to_be_bytes().to_vec();
        out.extend(body);
        out
    }

    #[test]
    fn the_newest_strongest_http_key_is_chosen() {
        let mut keytab = vec![5, 2];
        keytab.extend(entry(&["svc-forms"], 3, 18, &[1; 32]));
        keytab.extend(entry(&["HTTP", "localhost"], 1, 18, &[2; 32]));
        keytab.extend(entry(&["HTTP", "localhost"], 2, 17, &[3; 16]));
        keytab.extend(entry(&["HTTP", "localhost"], 2, 18, &[4; 32]));
        // A hole left by a deleted entry.
        keytab.extend((-6i32).to_be_bytes());
        keytab.extend([0u8; 6]);
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("http.keytab");
        std::fs::write(&path, &keytab).unwrap();
        let acceptor = KerberosAcceptor::from_keytab(&path).unwrap();
        assert_eq!(acceptor.service(), "HTTP/localhost");
        assert_eq!(acceptor.key, vec![4; 32]);
        assert!(!format!("{acceptor:?}").contains("4, 4"));
    }

    #[test]
    fn a_damaged_keytab_is_an_error_not_a_panic() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("bad.keytab");
        let mut keytab = vec![5, 2];
        keytab.extend(entry(&["HTTP", "localhost"], 2, 18, &[4; 32]));
        for cut in 0..keytab.len() {
            std::fs::write(&path, &keytab[..cut]).unwrap();
            assert!(KerberosAcceptor::from_keytab(&path).is_err(), "{cut}");
        }
        std::fs::write(&path, b"\x05\x01").unwrap();
        assert!(KerberosAcceptor::from_keytab(&path).is_err());
    }

    #[test]
    fn a_token_that_is_not_an_ap_req_is_refused() {
        let acceptor = KerberosAcceptor {
            service: vec!["HTTP".into(), "localhost".into()],
            key: vec![7; 32],
            accepted: Mutex::default(),
        };
        assert!(acceptor.accept(b"\x60\x03\x06\x01\x00").is_err());
        assert!(acceptor.accept(&[]).is_err());
        use rand::RngCore as _;
        let mut rng = rand::thread_rng();
        for n in 0..500usize {
            let mut bytes = vec![0u8; 1 + n % 300];
            rng.fill_bytes(&mut bytes);
            bytes[0] = 0x60;
            assert!(acceptor.accept(&bytes).is_err());
        }
    }
}
