//! POX ("plain old XML") Autodiscover: the request that asks for a user's settings and the
//! answer, which holds the user's EWS URL, a redirection (another address or another
//! Autodiscover URL to ask), or an error.
//!
//! Microsoft's reference: <https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/pox-autodiscover-web-service-reference-for-exchange>
//! (request: `pox-autodiscover-request-for-exchange`, response and error response:
//! `pox-autodiscover-response-for-exchange`; error codes: [MS-OXDSCLI] 2.2.4.1.1.3.2).
//!
//! POX Autodiscover has no explicit schema and Microsoft's own examples write its namespaces
//! with `http://` and `https://` alike, so answers are read by local element names; unknown
//! elements are skipped.

use serde::{Deserialize, Serialize};

use crate::error::{EwsError, ParseLimits};
use crate::xml::{XmlReader, XmlWriter};

/// Namespace of the request document.
pub const REQUEST_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
/// The response schema a client asks for (Outlook's, which carries the EWS URL).
pub const RESPONSE_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
/// Namespace of the outer `Autodiscover` element of every answer (and of error responses).
pub const OUTER_RESPONSE_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";

/// ErrorCode 500: "The email address cannot be found" ([MS-OXDSCLI] 2.2.4.1.1.3.2).
pub const ERROR_ADDRESS_NOT_FOUND: &str = "500";
/// ErrorCode 600: "Invalid Request" (the XML request was improperly formatted).
pub const ERROR_INVALID_REQUEST: &str = "600";

/// The request body asking Autodiscover for `email_address`'s settings.
pub fn request(email_address: &str) -> Result<String, EwsError> {
    let mut w = XmlWriter::new();
    w.start("Autodiscover", &[("xmlns", REQUEST_SCHEMA)])?;
    w.start("Request", &[])?;
    w.elem("EMailAddress", email_address)?;
    w.elem("AcceptableResponseSchema", RESPONSE_SCHEMA)?;
    w.end("Request")?;
    w.end("Autodiscover")?;
    w.into_string()
}

/// What Autodiscover answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "action")]
pub enum PoxResponse {
    /// `Action` = `settings`: the user's settings.
    Settings(Settings),
    /// `Action` = `redirectAddr`: ask again for this address (e.g. a mailbox moved to
    /// another organisation).
    RedirectAddr { address: String },
    /// `Action` = `redirectUrl`: ask this Autodiscover URL instead.
    RedirectUrl { url: String },
    /// An error response (`Response/Error`).
    Error { code: String, message: String },
}

/// The user's settings, reduced to what reaching EWS needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub display_name: Option<String>,
    pub protocols: Vec<Protocol>,
}

/// One `Account/Protocol`: `EXCH` (inside the organisation), `EXPR` (Outlook Anywhere, from
/// outside), `WEB`, …
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Protocol {
    pub kind: String,
    pub ews_url: Option<String>,
    /// The Availability service's URL, which is the EWS endpoint; Microsoft's example answer
    /// names EWS only here ("To bind to Exchange Web Services, use the URL identified by the
    /// ASUrl element").
    pub as_url: Option<String>,
}

impl Settings {
    /// The EWS URL: `EXPR`'s, then `EXCH`'s (the order of the EWS Managed API), each its
    /// `EwsUrl`, else its `ASUrl`.
    pub fn ews_url(&self) -> Option<&str> {
        ["EXPR", "EXCH"].iter().find_map(|kind| {
            self.protocols
                .iter()
                .filter(|p| p.kind.eq_ignore_ascii_case(kind))
                .find_map(|p| p.ews_url.as_deref().or(p.as_url.as_deref()))
                .filter(|url| !url.is_empty())
        })
    }
}

impl PoxResponse {
    /// Reads an Autodiscover answer.
    #[allow(clippy::result_large_err)]
    pub fn parse(bytes: &[u8]) -> Result<Self, EwsError> {
        let mut r = XmlReader::new(bytes, &ParseLimits::default())?;
        let root = r.root()?;
        if root.local() != b"Autodiscover" {
            return Err(r.err(format!(
                "expected an Autodiscover document, found <{}>",
                root.local_str()
            )));
        }
        let mut answer = None;
        while let Some(child) = r.next_child()? {
            if child.local() == b"Response" && answer.is_none() {
                answer = Some(read_response(&mut r)?);
            } else {
                r.skip()?;
            }
        }
        r.finish()?;
        answer.ok_or_else(|| EwsError::Malformed {
            path: "Autodiscover".into(),
            message: "no Response element".into(),
        })
    }
}

#[allow(clippy::result_large_err)]
fn read_response(r: &mut XmlReader<'_>) -> Result<PoxResponse, EwsError> {
    let mut settings = Settings::default();
    let mut account = None;
    let mut error = None;
    while let Some(child) = r.next_child()? {
        match child.local() {
            b"User" => {
                while let Some(field) = r.next_child()? {
                    if field.local() == b"DisplayName" {
                        settings.display_name = Some(r.trimmed_text()?);
                    } else {
                        r.skip()?;
                    }
                }
            }
            b"Account" => account = Some(read_account(r, &mut settings)?),
            b"Error" => error = Some(read_error(r)?),
            _ => r.skip()?,
        }
    }
    if let Some(error) = error {
        return Ok(error);
    }
    let Some((action, redirect_addr, redirect_url)) = account else {
        return Err(r.err("the Response has neither an Account nor an Error"));
    };
    match action.as_str() {
        "settings" => Ok(PoxResponse::Settings(settings)),
        "redirectAddr" => redirect_addr
            .map(|address| PoxResponse::RedirectAddr { address })
            .ok_or_else(|| r.err("Action redirectAddr without a RedirectAddr")),
        "redirectUrl" => redirect_url
            .map(|url| PoxResponse::RedirectUrl { url })
            .ok_or_else(|| r.err("Action redirectUrl without a RedirectUrl")),
        other => Err(r.err(format!("unknown Action '{other}'"))),
    }
}

/// `(Action, RedirectAddr, RedirectUrl)`; protocols go into `settings`.
#[allow(clippy::result_large_err)]
fn read_account(
    r: &mut XmlReader<'_>,
    settings: &mut Settings,
) -> Result<(String, Option<String>, Option<String>), EwsError> {
    let (mut action, mut redirect_addr, mut redirect_url) = (String::new(), None, None);
    while let Some(child) = r.next_child()? {
        match child.local() {
            b"Action" => action = r.trimmed_text()?,
            b"RedirectAddr" => redirect_addr = Some(r.trimmed_text()?),
            b"RedirectUrl" => redirect_url = Some(r.trimmed_text()?),
            b"Protocol" => {
                let mut protocol = Protocol::default();
                while let Some(field) = r.next_child()? {
                    match field.local() {
                        b"Type" => protocol.kind = r.trimmed_text()?,
                        b"EwsUrl" => protocol.ews_url = Some(r.trimmed_text()?),
                        b"ASUrl" => protocol.as_url = Some(r.trimmed_text()?),
                        // Internal/External hold protocols of their own (OWA): not EWS.
                        _ => r.skip()?,
                    }
                }
                settings.protocols.push(protocol);
            }
            _ => r.skip()?,
        }
    }
    Ok((action, redirect_addr, redirect_url))
}

#[allow(clippy::result_large_err)]
fn read_error(r: &mut XmlReader<'_>) -> Result<PoxResponse, EwsError> {
    let (mut code, mut message) = (String::new(), String::new());
    while let Some(field) = r.next_child()? {
        match field.local() {
            b"ErrorCode" => code = r.trimmed_text()?,
            b"Message" => message = r.trimmed_text()?,
            _ => r.skip()?,
        }
    }
    Ok(PoxResponse::Error { code, message })
}

/// The server side, for a stand-in Autodiscover service (the sandbox).
#[cfg(feature = "server")]
pub mod server {
    use super::*;

    /// The address a request asks about (`Request/EMailAddress`).
    #[allow(clippy::result_large_err)]
    pub fn parse_request(bytes: &[u8]) -> Result<String, EwsError> {
        let mut r = XmlReader::new(bytes, &ParseLimits::default())?;
        let root = r.root()?;
        if root.local() != b"Autodiscover" {
            return Err(r.err("expected an Autodiscover request"));
        }
        let mut address = None;
        while let Some(child) = r.next_child()? {
            if child.local() != b"Request" {
                r.skip()?;
                continue;
            }
            while let Some(field) = r.next_child()? {
                if field.local() == b"EMailAddress" {
                    address = Some(r.trimmed_text()?);
                } else {
                    r.skip()?;
                }
            }
        }
        r.finish()?;
        address
            .filter(|a| !a.is_empty())
            .ok_or_else(|| EwsError::InvalidRequest("no Request/EMailAddress".into()))
    }

    /// A settings answer naming `ews_url` for `EXCH` and `EXPR` alike.
    pub fn settings(display_name: &str, ews_url: &str) -> Result<String, EwsError> {
        account(Some(display_name), |w| {
            w.elem("Action", "settings")?;
            for kind in ["EXCH", "EXPR"] {
                w.start("Protocol", &[])?;
                w.elem("Type", kind)?;
                w.elem("ASUrl", ews_url)?;
                w.elem("EwsUrl", ews_url)?;
                w.end("Protocol")?;
            }
            Ok(())
        })
    }

    /// A `redirectAddr` answer.
    pub fn redirect_addr(address: &str) -> Result<String, EwsError> {
        account(None, |w| {
            w.elem("Action", "redirectAddr")?;
            w.elem("RedirectAddr", address)
        })
    }

    /// A `redirectUrl` answer.
    pub fn redirect_url(url: &str) -> Result<String, EwsError> {
        account(None, |w| {
            w.elem("Action", "redirectUrl")?;
            w.elem("RedirectUrl", url)
        })
    }

    fn account(
        display_name: Option<&str>,
        body: impl FnOnce(&mut XmlWriter) -> Result<(), EwsError>,
    ) -> Result<String, EwsError> {
        let mut w = XmlWriter::new();
        w.start("Autodiscover", &[("xmlns", OUTER_RESPONSE_SCHEMA)])?;
        w.start("Response", &[("xmlns", RESPONSE_SCHEMA)])?;
        if let Some(name) = display_name {
            w.start("User", &[])?;
            w.elem("DisplayName", name)?;
            w.end("User")?;
        }
        w.start("Account", &[])?;
        w.elem("AccountType", "email")?;
        body(&mut w)?;
        w.end("Account")?;
        w.end("Response")?;
        w.end("Autodiscover")?;
        w.into_string()
    }

    /// An error response, shaped as Microsoft's example (`Error` with `Time` and `Id`).
    pub fn error(code: &str, message: &str) -> Result<String, EwsError> {
        let mut w = XmlWriter::new();
        w.start("Autodiscover", &[("xmlns", OUTER_RESPONSE_SCHEMA)])?;
        w.start("Response", &[("xmlns", OUTER_RESPONSE_SCHEMA)])?;
        // Time of day (UTC) as Exchange writes it, e.g. 21:25:04.8897083.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let (seconds, tenths_of_micros) = (now.as_secs() % 86_400, now.subsec_nanos() / 100);
        let time = format!(
            "{:02}:{:02}:{:02}.{tenths_of_micros:07}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
        w.start("Error", &[("Time", &time), ("Id", "0")])?;
        w.elem("ErrorCode", code)?;
        w.elem("Message", message)?;
        w.empty("DebugData", &[])?;
        w.end("Error")?;
        w.end("Response")?;
        w.end("Autodiscover")?;
        w.into_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Microsoft's example answer, copied from the page named in the fixture's comment.
    const EXAMPLE: &[u8] = include_bytes!("../tests/fixtures/autodiscover/pox-response.xml");
    const EXAMPLE_ERROR: &[u8] =
        include_bytes!("../tests/fixtures/autodiscover/pox-error-response.xml");

    #[test]
    fn microsofts_example_answer_names_the_ews_url() {
        let PoxResponse::Settings(settings) = PoxResponse::parse(EXAMPLE).unwrap() else {
            panic!("not a settings answer");
        };
        assert_eq!(settings.display_name.as_deref(), Some("First Last"));
        let kinds: Vec<_> = settings.protocols.iter().map(|p| p.kind.as_str()).collect();
        assert_eq!(kinds, ["EXCH", "EXPR", "WEB"]);
        assert_eq!(
            settings.ews_url(),
            Some("https://mail.contoso.com/ews/exchange.asmx")
        );
    }

    #[test]
    fn microsofts_example_error_is_read() {
        assert_eq!(
            PoxResponse::parse(EXAMPLE_ERROR).unwrap(),
            PoxResponse::Error {
                code: "600".into(),
                message: "Invalid Request".into()
            }
        );
    }

    #[test]
    fn ews_url_prefers_expr_and_its_ews_url_element() {
        let settings = Settings {
            display_name: None,
            protocols: vec![
                Protocol {
                    kind: "EXCH".into(),
                    ews_url: Some("https://internal/EWS/Exchange.asmx".into()),
                    as_url: None,
                },
                Protocol {
                    kind: "EXPR".into(),
                    ews_url: Some("https://external/EWS/Exchange.asmx".into()),
                    as_url: Some("https://external/other".into()),
                },
            ],
        };
        assert_eq!(
            settings.ews_url(),
            Some("https://external/EWS/Exchange.asmx")
        );
        assert_eq!(Settings::default().ews_url(), None);
    }

    #[test]
    fn the_request_carries_the_address_escaped() {
        let xml = request("o'neil&co@contoso.com").unwrap();
        assert!(xml.contains(REQUEST_SCHEMA), "{xml}");
        assert!(
            xml.contains("<EMailAddress>o&apos;neil&amp;co@contoso.com</EMailAddress>"),
            "{xml}"
        );
        assert!(xml.contains(RESPONSE_SCHEMA), "{xml}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            &b""[..],
            b"<html><body>Not Autodiscover</body></html>",
            b"<Autodiscover><Response><Account><Action>settings",
            b"<Autodiscover><Response><Account><Action>redirectUrl</Action></Account></Response></Autodiscover>",
        ] {
            assert!(PoxResponse::parse(bad).is_err());
        }
    }
}
