//! The client's two NTLM messages (NTLMv2, [MS-NLMP]), built and read by `ntlmclient`:
//! Negotiate first; then, from the server's Challenge, the Authenticate message that proves
//! the password without sending it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ntlmclient::{Flags, Message, NegotiateMessage};
use secrecy::ExposeSecret as _;

use crate::config::ServiceAccount;

/// What the proxy calls itself in the messages (the server logs it as the workstation).
const WORKSTATION: &str = "EXCHANGE-FORMS";

fn negotiate_flags() -> Flags {
    Flags::NEGOTIATE_UNICODE
        | Flags::REQUEST_TARGET
        | Flags::NEGOTIATE_NTLM
        | Flags::NEGOTIATE_ALWAYS_SIGN
        | Flags::NEGOTIATE_NTLM2_KEY
        | Flags::NEGOTIATE_TARGET_INFO
        | Flags::NEGOTIATE_WORKSTATION_SUPPLIED
}

/// `NTLM <base64 Negotiate message>`.
pub fn negotiate_header() -> Result<String, String> {
    let message = Message::Negotiate(NegotiateMessage {
        flags: negotiate_flags(),
        supplied_domain: String::new(),
        supplied_workstation: WORKSTATION.to_owned(),
        os_version: Default::default(),
    });
    let bytes = message
        .to_bytes()
        .map_err(|e| format!("cannot write the NTLM Negotiate message: {e:?}"))?;
    Ok(format!("NTLM {}", B64.encode(bytes)))
}

/// The server's Challenge from its `WWW-Authenticate` values, if one of them is `NTLM <…>`.
pub fn challenge_from<'a>(
    challenges: impl Iterator<Item = &'a str>,
) -> Option<ntlmclient::ChallengeMessage> {
    challenges
        .filter_map(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("ntlm").then_some(token.trim())
        })
        .filter_map(|token| B64.decode(token).ok())
        .find_map(|bytes| match Message::try_from(bytes.as_slice()) {
            Ok(Message::Challenge(challenge)) => Some(challenge),
            _ => None,
        })
}

/// `NTLM <base64 Authenticate message>`: the NTLMv2 response to `challenge` for `account`.
pub fn authenticate_header(
    account: &ServiceAccount,
    challenge: &ntlmclient::ChallengeMessage,
) -> Result<String, String> {
    let (user, domain) = account.ntlm_user_and_domain();
    // ntlmclient takes the password as a String; it lives for this computation only.
    let credentials = ntlmclient::Credentials {
        username: user.to_owned(),
        password: account.password.expose_secret().to_owned(),
        domain: domain.to_owned(),
    };
    let target_info: Vec<u8> = challenge
        .target_information
        .iter()
        .flat_map(|entry| entry.to_bytes())
        .collect();
    let response = ntlmclient::respond_challenge_ntlm_v2(
        challenge.challenge,
        &target_info,
        ntlmclient::get_ntlm_time(),
        &credentials,
    );
    let flags = Flags::NEGOTIATE_UNICODE | Flags::NEGOTIATE_NTLM | Flags::NEGOTIATE_NTLM2_KEY;
    let message = response.to_message(&credentials, WORKSTATION, flags);
    drop(credentials);
    let bytes = message
        .to_bytes()
        .map_err(|e| format!("cannot write the NTLM Authenticate message: {e:?}"))?;
    Ok(format!("NTLM {}", B64.encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_negotiate_message_is_ntlmssp_type_1() {
        let header = negotiate_header().unwrap();
        let bytes = B64.decode(header.strip_prefix("NTLM ").unwrap()).unwrap();
        assert_eq!(&bytes[..8], b"NTLMSSP\0");
        assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 1);
    }

    #[test]
    fn only_an_ntlm_challenge_is_read() {
        assert!(challenge_from(["Negotiate", "Basic realm=\"x\""].into_iter()).is_none());
        assert!(challenge_from(["NTLM not-base64!"].into_iter()).is_none());
        // A Negotiate message is not a challenge.
        let negotiate = negotiate_header().unwrap();
        assert!(challenge_from([negotiate.as_str()].into_iter()).is_none());
    }
}
