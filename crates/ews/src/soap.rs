//! SOAP envelope and EWS SOAP headers, both directions, plus SOAP faults.

use serde::{Deserialize, Serialize};

use crate::error::{EwsError, ParseLimits};
use crate::types::enums::ExchangeVersion;
#[cfg(feature = "server")]
use crate::xml::NS_ERRORS;
use crate::xml::{Elem, NS_MESSAGES, NS_SOAP11, NS_TYPES, Ns, XmlReader, XmlWriter};

/// `t:ConnectingSID` of `t:ExchangeImpersonation`: exactly one way to name the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
pub enum ConnectingSid {
    PrincipalName(String),
    Sid(String),
    PrimarySmtpAddress(String),
    SmtpAddress(String),
}

impl ConnectingSid {
    fn element(&self) -> (&'static str, &str) {
        match self {
            ConnectingSid::PrincipalName(v) => ("t:PrincipalName", v),
            ConnectingSid::Sid(v) => ("t:SID", v),
            ConnectingSid::PrimarySmtpAddress(v) => ("t:PrimarySmtpAddress", v),
            ConnectingSid::SmtpAddress(v) => ("t:SmtpAddress", v),
        }
    }
}

/// SOAP headers of a request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestHeaders {
    /// `t:RequestServerVersion/@Version` (default Exchange2016).
    pub server_version: ExchangeVersion,
    /// `t:ExchangeImpersonation` (service-account mode). Also send the HTTP header
    /// `X-AnchorMailbox` = [`RequestHeaders::anchor_mailbox`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impersonation: Option<ConnectingSid>,
    /// `t:TimeZoneContext/t:TimeZoneDefinition/@Id` (Windows time zone id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// `t:MailboxCulture`, e.g. `en-US`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailbox_culture: Option<String>,
}

impl RequestHeaders {
    pub fn new(server_version: ExchangeVersion) -> Self {
        RequestHeaders {
            server_version,
            ..Default::default()
        }
    }
    /// Impersonate the mailbox with this primary SMTP address.
    pub fn impersonate(mut self, smtp: impl Into<String>) -> Self {
        self.impersonation = Some(ConnectingSid::PrimarySmtpAddress(smtp.into()));
        self
    }
    pub fn with_time_zone(mut self, windows_id: impl Into<String>) -> Self {
        self.time_zone = Some(windows_id.into());
        self
    }
    pub fn with_mailbox_culture(mut self, culture: impl Into<String>) -> Self {
        self.mailbox_culture = Some(culture.into());
        self
    }
    /// Value for the `X-AnchorMailbox` HTTP header when impersonating by SMTP address.
    pub fn anchor_mailbox(&self) -> Option<&str> {
        match &self.impersonation {
            Some(ConnectingSid::PrimarySmtpAddress(s)) | Some(ConnectingSid::SmtpAddress(s)) => {
                Some(s)
            }
            _ => None,
        }
    }

    fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.empty(
            "t:RequestServerVersion",
            &[("Version", self.server_version.as_str())],
        )?;
        if let Some(c) = &self.mailbox_culture {
            w.elem("t:MailboxCulture", c)?;
        }
        if let Some(sid) = &self.impersonation {
            w.start("t:ExchangeImpersonation", &[])?;
            w.start("t:ConnectingSID", &[])?;
            let (n, v) = sid.element();
            w.elem(n, v)?;
            w.end("t:ConnectingSID")?;
            w.end("t:ExchangeImpersonation")?;
        }
        if let Some(tz) = &self.time_zone {
            w.start("t:TimeZoneContext", &[])?;
            w.empty("t:TimeZoneDefinition", &[("Id", tz)])?;
            w.end("t:TimeZoneContext")?;
        }
        Ok(())
    }
}

/// `t:ServerVersionInfo` response header.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServerVersionInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub major_version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minor_version: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub major_build_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minor_build_number: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// Headers found in a parsed envelope.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct HeaderInfo {
    pub server_version_info: Option<ServerVersionInfo>,
    pub request: RequestHeaders,
    pub saw_request_version: bool,
}

fn write_open(w: &mut XmlWriter) -> Result<(), EwsError> {
    w.start(
        "soap:Envelope",
        &[
            ("xmlns:soap", NS_SOAP11),
            ("xmlns:t", NS_TYPES),
            ("xmlns:m", NS_MESSAGES),
        ],
    )
}

/// Builds a request envelope: headers + the body written by `body`.
pub(crate) fn request_envelope(
    headers: &RequestHeaders,
    body: impl FnOnce(&mut XmlWriter) -> Result<(), EwsError>,
) -> Result<String, EwsError> {
    let mut w = XmlWriter::new();
    write_open(&mut w)?;
    w.start("soap:Header", &[])?;
    headers.write(&mut w)?;
    w.end("soap:Header")?;
    w.start("soap:Body", &[])?;
    body(&mut w)?;
    w.end("soap:Body")?;
    w.end("soap:Envelope")?;
    w.into_string()
}

/// Builds a response envelope (server side).
#[cfg(feature = "server")]
pub(crate) fn response_envelope(
    info: Option<&ServerVersionInfo>,
    body: impl FnOnce(&mut XmlWriter) -> Result<(), EwsError>,
) -> Result<String, EwsError> {
    let mut w = XmlWriter::new();
    write_open(&mut w)?;
    if let Some(v) = info {
        w.start("soap:Header", &[])?;
        let nums = [
            v.major_version,
            v.minor_version,
            v.major_build_number,
            v.minor_build_number,
        ]
        .map(|n| n.map(|n| n.to_string()));
        let mut a: Vec<(&str, &str)> = Vec::new();
        for (name, n) in [
            "MajorVersion",
            "MinorVersion",
            "MajorBuildNumber",
            "MinorBuildNumber",
        ]
        .iter()
        .zip(nums.iter())
        {
            if let Some(n) = n {
                a.push((name, n));
            }
        }
        if let Some(s) = &v.version {
            a.push(("Version", s));
        }
        w.empty("t:ServerVersionInfo", &a)?;
        w.end("soap:Header")?;
    }
    w.start("soap:Body", &[])?;
    body(&mut w)?;
    w.end("soap:Body")?;
    w.end("soap:Envelope")?;
    w.into_string()
}

/// A SOAP fault to send (server side), shaped like Exchange's.
#[cfg(feature = "server")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultSpec {
    /// e.g. `ErrorSchemaValidation`, `ErrorServerBusy`, `ErrorAccessDenied`.
    pub response_code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_off_milliseconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

/// Writes a SOAP 1.1 fault envelope like Exchange's (HTTP 500).
#[cfg(feature = "server")]
pub fn fault_envelope(f: &FaultSpec) -> Result<String, EwsError> {
    let mut w = XmlWriter::new();
    w.start("s:Envelope", &[("xmlns:s", NS_SOAP11)])?;
    w.start("s:Body", &[])?;
    w.start("s:Fault", &[])?;
    let client = matches!(
        f.response_code.as_str(),
        "ErrorSchemaValidation" | "ErrorInvalidRequest"
    );
    if client || !f.response_code.starts_with("Error") {
        w.elem("faultcode", if client { "s:Client" } else { "s:Server" })?;
    } else {
        w.elem_with(
            "faultcode",
            &[("xmlns:a", NS_TYPES)],
            &format!("a:{}", f.response_code),
        )?;
    }
    w.elem_with("faultstring", &[("xml:lang", "en-US")], &f.message)?;
    w.start("detail", &[])?;
    w.elem_with(
        "e:ResponseCode",
        &[("xmlns:e", NS_ERRORS)],
        &f.response_code,
    )?;
    w.elem_with("e:Message", &[("xmlns:e", NS_ERRORS)], &f.message)?;
    if let Some(l) = f.line {
        w.elem_with("e:Line", &[("xmlns:e", NS_ERRORS)], &l.to_string())?;
    }
    if let Some(p) = f.position {
        w.elem_with("e:Position", &[("xmlns:e", NS_ERRORS)], &p.to_string())?;
    }
    if let Some(ms) = f.back_off_milliseconds {
        w.start("t:MessageXml", &[("xmlns:t", NS_TYPES)])?;
        w.elem_with(
            "t:Value",
            &[("Name", "BackOffMilliseconds")],
            &ms.to_string(),
        )?;
        w.end("t:MessageXml")?;
    }
    w.end("detail")?;
    w.end("s:Fault")?;
    w.end("s:Body")?;
    w.end("s:Envelope")?;
    w.into_string()
}

fn read_fault(r: &mut XmlReader<'_>) -> Result<EwsError, EwsError> {
    let mut faultcode = String::new();
    let mut faultstring = String::new();
    let mut response_code = None;
    let mut message = None;
    let mut back_off = None;
    let mut line = None;
    let mut position = None;
    while let Some(c) = r.next_child()? {
        match c.local() {
            b"faultcode" => faultcode = r.text()?.trim().to_owned(),
            b"faultstring" => faultstring = r.text()?,
            // SOAP 1.2
            b"Code" => {
                while let Some(v) = r.next_child()? {
                    if v.local() == b"Value" && faultcode.is_empty() {
                        faultcode = r.text()?.trim().to_owned();
                    } else {
                        r.skip()?;
                    }
                }
            }
            b"Reason" => {
                while let Some(v) = r.next_child()? {
                    if v.local() == b"Text" && faultstring.is_empty() {
                        faultstring = r.text()?;
                    } else {
                        r.skip()?;
                    }
                }
            }
            b"detail" | b"Detail" => {
                while let Some(d) = r.next_child()? {
                    match d.local() {
                        b"ResponseCode" => response_code = Some(r.text()?.trim().to_owned()),
                        b"Message" => message = Some(r.text()?),
                        b"Line" | b"LineNumber" => line = r.value::<u32>().ok(),
                        b"Position" | b"LinePosition" => position = r.value::<u32>().ok(),
                        b"MessageXml" => {
                            let (_, bo) = crate::response::read_message_xml(r)?;
                            if bo.is_some() {
                                back_off = bo;
                            }
                        }
                        _ => r.skip()?,
                    }
                }
            }
            _ => r.skip()?,
        }
    }
    if response_code.is_none() {
        let local = faultcode.rsplit(':').next().unwrap_or("");
        if local.starts_with("Error") {
            response_code = Some(local.to_owned());
        }
    }
    Ok(EwsError::Fault {
        faultcode,
        faultstring,
        response_code,
        message,
        back_off_milliseconds: back_off,
        line,
        position,
    })
}

fn read_header(r: &mut XmlReader<'_>, info: &mut HeaderInfo) -> Result<(), EwsError> {
    while let Some(h) = r.next_child()? {
        if h.ns != Ns::Types {
            r.skip()?;
            continue;
        }
        match h.local() {
            b"ServerVersionInfo" => {
                info.server_version_info = Some(ServerVersionInfo {
                    major_version: r.attr_value(&h, "MajorVersion")?,
                    minor_version: r.attr_value(&h, "MinorVersion")?,
                    major_build_number: r.attr_value(&h, "MajorBuildNumber")?,
                    minor_build_number: r.attr_value(&h, "MinorBuildNumber")?,
                    version: r.attr(&h, "Version")?,
                });
                r.skip()?;
            }
            b"RequestServerVersion" => {
                info.request.server_version = r.required_attr(&h, "Version")?;
                info.saw_request_version = true;
                r.skip()?;
            }
            b"MailboxCulture" => info.request.mailbox_culture = Some(r.text()?.trim().to_owned()),
            b"ExchangeImpersonation" => {
                while let Some(c) = r.next_child()? {
                    if c.local() != b"ConnectingSID" {
                        r.skip()?;
                        continue;
                    }
                    while let Some(s) = r.next_child()? {
                        let v = match s.local() {
                            b"PrincipalName" => ConnectingSid::PrincipalName(r.text()?),
                            b"SID" => ConnectingSid::Sid(r.text()?),
                            b"PrimarySmtpAddress" => ConnectingSid::PrimarySmtpAddress(r.text()?),
                            b"SmtpAddress" => ConnectingSid::SmtpAddress(r.text()?),
                            _ => {
                                r.skip()?;
                                continue;
                            }
                        };
                        info.request.impersonation = Some(v);
                    }
                }
            }
            b"TimeZoneContext" => {
                while let Some(c) = r.next_child()? {
                    if c.local() == b"TimeZoneDefinition" {
                        info.request.time_zone = r.attr(&c, "Id")?;
                    }
                    r.skip()?;
                }
            }
            _ => r.skip()?,
        }
    }
    Ok(())
}

/// Parses a SOAP envelope: headers, then hands the soap:Body child to `body` (which must
/// consume it), then checks the rest of the document. A soap:Fault becomes `EwsError::Fault`.
pub(crate) fn read_envelope<'a, T>(
    bytes: &'a [u8],
    limits: &ParseLimits,
    body: impl FnOnce(&mut XmlReader<'a>, &Elem<'a>, &HeaderInfo) -> Result<T, EwsError>,
) -> Result<(T, HeaderInfo), EwsError> {
    let mut r = XmlReader::new(bytes, limits)?;
    let root = r.root()?;
    if !root.is(Ns::Soap, "Envelope") {
        let what = if root.local() == b"Envelope" {
            "wrong namespace for Envelope"
        } else {
            "not a SOAP envelope"
        };
        return Err(r.err(format!(
            "{what} (expected {{{NS_SOAP11}}}Envelope, found element '{}')",
            root.local_str()
        )));
    }
    let mut info = HeaderInfo::default();
    let mut out = None;
    let mut body = Some(body);
    while let Some(c) = r.next_child()? {
        if c.ns == Ns::Soap && c.local() == b"Header" {
            read_header(&mut r, &mut info)?;
        } else if c.ns == Ns::Soap && c.local() == b"Body" {
            let mut seen = false;
            while let Some(b) = r.next_child()? {
                if seen {
                    r.skip()?;
                    continue;
                }
                seen = true;
                if b.ns == Ns::Soap && b.local() == b"Fault" {
                    return Err(read_fault(&mut r)?);
                }
                match body.take() {
                    Some(f) => out = Some(f(&mut r, &b, &info)?),
                    None => r.skip()?,
                }
            }
            if !seen {
                return Err(r.err("empty soap:Body"));
            }
        } else {
            r.skip()?;
        }
    }
    r.finish()?;
    match out {
        Some(v) => Ok((v, info)),
        None => Err(EwsError::Malformed {
            path: "Envelope".into(),
            message: "no soap:Body".into(),
        }),
    }
}
