//! Response messages common to all operations: ResponseClass, ResponseCode, MessageText,
//! MessageXml (BackOffMilliseconds), and per-message results.

use serde::{Deserialize, Serialize};

use crate::error::EwsError;
use crate::types::enums::ResponseClass;
#[cfg(feature = "server")]
use crate::xml::XmlWriter;
use crate::xml::{Elem, Ns, XmlReader};

/// One `t:Value Name="..."` of `m:MessageXml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageXmlValue {
    pub name: String,
    pub value: String,
}

/// A response message whose ResponseClass is `Error` (or `Warning`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseError {
    pub response_class: ResponseClass,
    /// e.g. `ErrorItemNotFound`, `ErrorServerBusy`, `ErrorIrresolvableConflict`.
    pub response_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descriptive_link_key: Option<i32>,
    /// `m:MessageXml/t:Value[@Name="BackOffMilliseconds"]` (ErrorServerBusy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_off_milliseconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub message_xml: Vec<MessageXmlValue>,
}

impl ResponseError {
    pub fn new(code: impl Into<String>, text: impl Into<String>) -> Self {
        ResponseError {
            response_class: ResponseClass::Error,
            response_code: code.into(),
            message_text: Some(text.into()),
            descriptive_link_key: Some(0),
            back_off_milliseconds: None,
            message_xml: Vec::new(),
        }
    }
    /// ErrorServerBusy with BackOffMilliseconds.
    pub fn server_busy(back_off_ms: u64) -> Self {
        let mut e = ResponseError::new(
            "ErrorServerBusy",
            format!(
                "The server cannot service this request right now. Try again later. Suggested backoff time {back_off_ms} ms."
            ),
        );
        e.back_off_milliseconds = Some(back_off_ms);
        e.message_xml.push(MessageXmlValue {
            name: "BackOffMilliseconds".into(),
            value: back_off_ms.to_string(),
        });
        e
    }
}

impl std::fmt::Display for ResponseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.response_code)?;
        if let Some(t) = &self.message_text {
            write!(f, ": {t}")?;
        }
        if let Some(ms) = self.back_off_milliseconds {
            write!(f, " (back off {ms} ms)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ResponseError {}

/// Result of one response message.
pub type MessageResult<T> = Result<T, ResponseError>;

/// The first response message of an operation (requests for one item get one): its value, or
/// its error as [`EwsError::Response`]. A response with no message at all is malformed.
pub(crate) fn first_message<T>(
    responses: Vec<MessageResult<T>>,
    operation: &str,
) -> Result<T, EwsError> {
    match responses.into_iter().next() {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) => Err(EwsError::Response(e)),
        None => Err(EwsError::InvalidRequest(format!(
            "{operation} response without a response message"
        ))),
    }
}

/// The first item of a one-item response message.
pub(crate) fn first_item<T>(items: Vec<T>, operation: &str) -> Result<T, EwsError> {
    items
        .into_iter()
        .next()
        .ok_or_else(|| EwsError::InvalidRequest(format!("{operation} response without an item")))
}

/// Reads the children of `m:MessageXml`: the Values, and BackOffMilliseconds.
pub(crate) fn read_message_xml(
    r: &mut XmlReader<'_>,
) -> Result<(Vec<MessageXmlValue>, Option<u64>), EwsError> {
    let mut vals = Vec::new();
    let mut back_off = None;
    while let Some(c) = r.next_child()? {
        if c.local() == b"Value" {
            let name = r.attr(&c, "Name")?.unwrap_or_default();
            let value = r.text()?;
            if name == "BackOffMilliseconds" {
                back_off = value.trim().parse::<u64>().ok();
            }
            vals.push(MessageXmlValue { name, value });
        } else {
            r.skip()?;
        }
    }
    Ok((vals, back_off))
}

/// Reads one response message element `m` (already opened; consumed): ResponseClass,
/// the status children, and the operation-specific children via `content`.
/// Returns the class, the value, and the status as a ResponseError (code `NoError` on success).
pub(crate) fn read_one_message<'a, T: Default>(
    r: &mut XmlReader<'a>,
    m: &Elem<'a>,
    content: &mut impl FnMut(&mut XmlReader<'a>, &Elem<'a>, &mut T) -> Result<bool, EwsError>,
) -> Result<(T, ResponseError), EwsError> {
    let class: ResponseClass = match r.attr_value(m, "ResponseClass")? {
        Some(c) => c,
        None => return Err(r.err("response message without ResponseClass")),
    };
    let mut value = T::default();
    let mut status = ResponseError {
        response_class: class,
        response_code: String::new(),
        message_text: None,
        descriptive_link_key: None,
        back_off_milliseconds: None,
        message_xml: Vec::new(),
    };
    while let Some(f) = r.next_child()? {
        match (f.ns, f.local()) {
            (Ns::Messages, b"ResponseCode") => status.response_code = r.trimmed_text()?,
            (Ns::Messages, b"MessageText") => status.message_text = Some(r.text()?),
            (Ns::Messages, b"DescriptiveLinkKey") => {
                status.descriptive_link_key = Some(r.value::<i32>()?)
            }
            (Ns::Messages, b"MessageXml") => {
                let (v, b) = read_message_xml(r)?;
                status.message_xml = v;
                status.back_off_milliseconds = b;
            }
            _ => {
                if !content(r, &f, &mut value)? {
                    r.skip()?;
                }
            }
        }
    }
    if status.response_code.is_empty() {
        status.response_code = if class == ResponseClass::Success {
            "NoError".into()
        } else {
            "ErrorInternalServerError".into()
        };
    }
    Ok((value, status))
}

/// Success -> Ok(value); Warning/Error -> Err(status).
pub(crate) fn to_result<T>((value, status): (T, ResponseError)) -> MessageResult<T> {
    if status.response_class == ResponseClass::Success {
        Ok(value)
    } else {
        Err(status)
    }
}

/// Reads `<m:XxxResponse><m:ResponseMessages>...` (the body element already opened),
/// returning each message's value and status.
pub(crate) fn read_response_messages_raw<'a, T: Default>(
    r: &mut XmlReader<'a>,
    mut content: impl FnMut(&mut XmlReader<'a>, &Elem<'a>, &mut T) -> Result<bool, EwsError>,
) -> Result<Vec<(T, ResponseError)>, EwsError> {
    let mut out = Vec::new();
    let mut saw_messages = false;
    while let Some(c) = r.next_child()? {
        if c.local() != b"ResponseMessages" {
            r.skip()?;
            continue;
        }
        saw_messages = true;
        while let Some(m) = r.next_child()? {
            out.push(read_one_message(r, &m, &mut content)?);
        }
    }
    if !saw_messages {
        return Err(r.err("missing m:ResponseMessages"));
    }
    Ok(out)
}

/// Like [`read_response_messages_raw`], with Success -> Ok and Warning/Error -> Err.
pub(crate) fn read_response_messages<'a, T: Default>(
    r: &mut XmlReader<'a>,
    content: impl FnMut(&mut XmlReader<'a>, &Elem<'a>, &mut T) -> Result<bool, EwsError>,
) -> Result<Vec<MessageResult<T>>, EwsError> {
    Ok(read_response_messages_raw(r, content)?
        .into_iter()
        .map(to_result)
        .collect())
}

#[cfg(feature = "server")]
/// Writes ResponseCode (success) or MessageText/ResponseCode/DescriptiveLinkKey/MessageXml.
pub(crate) fn write_status(w: &mut XmlWriter, e: Option<&ResponseError>) -> Result<(), EwsError> {
    let Some(e) = e else {
        return w.elem("m:ResponseCode", "NoError");
    };
    w.opt("m:MessageText", &e.message_text)?;
    w.elem("m:ResponseCode", &e.response_code)?;
    w.value("m:DescriptiveLinkKey", &e.descriptive_link_key.unwrap_or(0))?;
    let mut vals = e.message_xml.clone();
    if let Some(ms) = e.back_off_milliseconds
        && !vals.iter().any(|v| v.name == "BackOffMilliseconds")
    {
        vals.push(MessageXmlValue {
            name: "BackOffMilliseconds".into(),
            value: ms.to_string(),
        });
    }
    if !vals.is_empty() {
        w.start("m:MessageXml", &[])?;
        for v in &vals {
            w.elem_with("t:Value", &[("Name", &v.name)], &v.value)?;
        }
        w.end("m:MessageXml")?;
    }
    Ok(())
}

#[cfg(feature = "server")]
/// Writes `<m:{op}><m:ResponseMessages>` with one `<m:{msg}>` per result.
/// `content` writes the operation-specific children (`None` for an error message, where
/// required containers must still be written empty).
pub(crate) fn write_response_messages<T>(
    w: &mut XmlWriter,
    op: &str,
    msg: &str,
    results: &[MessageResult<T>],
    mut content: impl FnMut(&mut XmlWriter, Option<&T>) -> Result<(), EwsError>,
) -> Result<(), EwsError> {
    let root = format!("m:{op}");
    let msg = format!("m:{msg}");
    w.start(&root, &[])?;
    w.start("m:ResponseMessages", &[])?;
    for res in results {
        match res {
            Ok(v) => {
                w.start(&msg, &[("ResponseClass", "Success")])?;
                write_status(w, None)?;
                content(w, Some(v))?;
            }
            Err(e) => {
                w.start(&msg, &[("ResponseClass", e.response_class.as_str())])?;
                write_status(w, Some(e))?;
                content(w, None)?;
            }
        }
        w.end(&msg)?;
    }
    w.end("m:ResponseMessages")?;
    w.end(&root)
}

/// Checks the body element name.
pub(crate) fn expect_body(r: &XmlReader<'_>, e: &Elem<'_>, name: &str) -> Result<(), EwsError> {
    if e.ns == Ns::Messages && e.local() == name.as_bytes() {
        Ok(())
    } else if e.local() == name.as_bytes() {
        Err(r.err(format!(
            "{name} in the wrong namespace (expected messages namespace)"
        )))
    } else {
        Err(r.err(format!("expected m:{name}, found '{}'", e.local_str())))
    }
}

/// Any `m:XxxResponse` with `m:ResponseMessages` (also operations this crate does not
/// model, e.g. SyncFolderItems): only the status of each message is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenericResponse {
    /// The body element's local name, e.g. `SyncFolderItemsResponse`.
    pub body_element: String,
    pub responses: Vec<MessageResult<()>>,
}

/// Parses the status of every response message of any EWS response; SOAP faults become
/// [`EwsError::Fault`]. Useful to find ErrorServerBusy/BackOffMilliseconds generically.
pub fn parse_generic_response(bytes: &[u8]) -> Result<GenericResponse, EwsError> {
    let (v, _) = crate::soap::read_envelope(bytes, &crate::ParseLimits::default(), |r, e, _| {
        if e.ns != Ns::Messages {
            return Err(r.err(format!(
                "body element '{}' is not in the EWS messages namespace",
                e.local_str()
            )));
        }
        let body_element = e.local_str();
        let responses = if e.start.attributes().any(|a| {
            a.map(|a| a.key.local_name().as_ref() == "ResponseClass")
                .unwrap_or(false)
        }) {
            vec![to_result(read_one_message(
                r,
                e,
                &mut |_, _, _: &mut ()| Ok(false),
            )?)]
        } else {
            read_response_messages(r, |_, _, _: &mut ()| Ok(false))?
        };
        Ok(GenericResponse {
            body_element,
            responses,
        })
    })?;
    Ok(v)
}
