//! SPNEGO (RFC 4178) as an acceptor sees it: the client's first token (NegTokenInit, inside a
//! GSS-API InitialContextToken) and later ones (NegTokenResp), and the NegTokenResp answers.
//! The ASN.1 types are `picky-krb`'s; the mechanisms' own tokens (NTLM, Kerberos) are
//! handled by the caller.

use picky_asn1::wrapper::{
    ExplicitContextTag0, ExplicitContextTag1, ExplicitContextTag2, ObjectIdentifierAsn1,
    OctetStringAsn1, Optional,
};
use picky_asn1_der::Asn1RawDer;
use picky_krb::constants::gss_api::{ACCEPT_COMPLETE, ACCEPT_INCOMPLETE};
use picky_krb::gss_api::{GssApiNegInit, NegTokenTarg, NegTokenTarg1};

pub const NTLM: &str = "1.3.6.1.4.1.311.2.2.10";
pub const KERBEROS: &str = "1.2.840.113554.1.2.2";
/// The Kerberos OID as older Windows clients wrote it (a truncated copy of the one above).
pub const MS_KERBEROS: &str = "1.2.840.48018.1.2.2";

/// A token a client sends in `Authorization: Negotiate`.
#[derive(Debug, PartialEq, Eq)]
pub enum ClientToken {
    /// The first: the mechanisms the client offers, best first, and the optimistic token of
    /// the first one.
    Init {
        mechanisms: Vec<String>,
        token: Option<Vec<u8>>,
    },
    /// A later one: the chosen mechanism's next token.
    Response { token: Option<Vec<u8>> },
}

/// Reads a SPNEGO token; `None` when `bytes` is neither form.
pub fn read(bytes: &[u8]) -> Option<ClientToken> {
    match bytes.first()? {
        0x60 => {
            // [APPLICATION 0] IMPLICIT SEQUENCE: read as the SEQUENCE it is. (picky-krb's own
            // `ApplicationTag0` does the same but panics on malformed input.)
            let mut sequence = bytes.to_vec();
            sequence[0] = 0x30;
            let init: GssApiNegInit = picky_asn1_der::from_bytes(&sequence).ok()?;
            let spnego: String = (&init.oid.0).into();
            if spnego != "1.3.6.1.5.5.2" {
                return None;
            }
            let init = init.neg_token_init.0;
            let mechanisms = init
                .mech_types
                .0
                .map(|list| list.0.0.iter().map(|m| (&m.0).into()).collect())
                .unwrap_or_default();
            Some(ClientToken::Init {
                mechanisms,
                token: init.mech_token.0.map(|t| t.0.0),
            })
        }
        0xa1 => {
            let response: NegTokenTarg1 = picky_asn1_der::from_bytes(bytes).ok()?;
            Some(ClientToken::Response {
                token: response.0.response_token.0.map(|t| t.0.0),
            })
        }
        _ => None,
    }
}

/// A NegTokenResp: `complete` (accept-completed) or accept-incomplete, naming `mechanism` (in
/// the first answer only) and carrying the mechanism's `token`.
pub fn answer(complete: bool, mechanism: Option<&str>, token: Option<Vec<u8>>) -> Option<Vec<u8>> {
    let state = if complete {
        ACCEPT_COMPLETE
    } else {
        ACCEPT_INCOMPLETE
    };
    let mechanism = match mechanism {
        Some(dotted) => Some(ExplicitContextTag1::from(ObjectIdentifierAsn1::from(
            oid::ObjectIdentifier::try_from(dotted).ok()?,
        ))),
        None => None,
    };
    let answer = NegTokenTarg1::from(NegTokenTarg {
        neg_result: Optional::from(Some(ExplicitContextTag0::from(Asn1RawDer(state.to_vec())))),
        supported_mech: Optional::from(mechanism),
        response_token: Optional::from(
            token.map(|t| ExplicitContextTag2::from(OctetStringAsn1(t))),
        ),
        mech_list_mic: Optional::from(None),
    });
    picky_asn1_der::to_vec(&answer).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_reads_back_as_a_response() {
        let bytes = answer(false, Some(NTLM), Some(b"NTLMSSP\0challenge".to_vec())).unwrap();
        assert_eq!(bytes[0], 0xa1);
        assert_eq!(
            read(&bytes),
            Some(ClientToken::Response {
                token: Some(b"NTLMSSP\0challenge".to_vec())
            })
        );
    }

    #[test]
    fn garbage_is_not_a_token() {
        for bytes in [&b""[..], b"NTLMSSP\0", b"\x60\x02\x01\x00", b"\xa1\x80"] {
            assert_eq!(read(bytes), None);
        }
    }

    #[test]
    fn random_and_cut_tokens_never_panic() {
        use rand::RngCore as _;
        let whole = answer(false, Some(NTLM), Some(vec![7; 40])).unwrap();
        let mut init = whole.clone();
        init[0] = 0x60;
        for cut in 0..whole.len() {
            let _ = read(&whole[..cut]);
            let _ = read(&init[..cut]);
        }
        let mut rng = rand::thread_rng();
        for n in 0..2000usize {
            let mut bytes = vec![0u8; 1 + n % 120];
            rng.fill_bytes(&mut bytes);
            bytes[0] = if n % 2 == 0 { 0x60 } else { 0xa1 };
            let _ = read(&bytes);
        }
    }
}
