//! Response messages common to all operations: ResponseClass, ResponseCode, MessageText,
//! MessageXml (BackOffMilliseconds), and per-message results.

use serde::{Deserialize, Serialize};

use crate::error::EwsError;
use crate::types::enums::ResponseClass;
use crate::xml::{Elem, Ns, XmlReader, XmlWriter};

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
            format!("The server cannot service this request right now. Try again later. Suggested backoff time {back_off_ms} ms."),
        );
        e.back_off_milliseconds = Some(back_off_ms);
        e.message_xml.push(MessageXmlValue { name: "BackOffMilliseconds".into(), value: back_off_ms.to_string() });
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

/// Reads the children of `m:MessageXml`: the Values, and BackOffMilliseconds.
pub(crate) fn read_message_xml(r: &mut XmlReader<'_>) -> Result<(Vec<MessageXmlValue>, Option<u64>), EwsError> {
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

/// Reads `<m:XxxResponse><m:ResponseMessages>...` (the body element `body` already
/// opened). `content` handles the operation-specific children of each response message
/// (it must consume the child it is given; return Ok(false) to let it be skipped).
pub(crate) fn read_response_messages<'a, T: Default>(
    r: &mut XmlReader<'a>,
    mut content: impl FnMut(&mut XmlReader<'a>, &Elem<'a>, &mut T) -> Result<bool, EwsError>,
) -> Result<Vec<MessageResult<T>>, EwsError> {
    let mut out = Vec::new();
    let mut saw_messages = false;
    while let Some(c) = r.next_child()? {
        if c.local() != b"ResponseMessages" {
            r.skip()?;
            continue;
        }
        saw_messages = true;
        while let Some(m) = r.next_child()? {
            let class: ResponseClass = match r.attr_value(&m, "ResponseClass")? {
                Some(c) => c,
                None => return Err(r.err("response message without ResponseClass")),
            };
            let mut value = T::default();
            let mut code = None;
            let mut text = None;
            let mut link = None;
            let mut xml = Vec::new();
            let mut back_off = None;
            while let Some(f) = r.next_child()? {
                match (f.ns, f.local()) {
                    (Ns::Messages, b"ResponseCode") => code = Some(r.text()?.trim().to_owned()),
                    (Ns::Messages, b"MessageText") => text = Some(r.text()?),
                    (Ns::Messages, b"DescriptiveLinkKey") => link = Some(r.value::<i32>()?),
                    (Ns::Messages, b"MessageXml") => {
                        let (v, b) = read_message_xml(r)?;
                        xml = v;
                        back_off = b;
                    }
                    _ => {
                        if !content(r, &f, &mut value)? {
                            r.skip()?;
                        }
                    }
                }
            }
            match class {
                ResponseClass::Success => out.push(Ok(value)),
                _ => out.push(Err(ResponseError {
                    response_class: class,
                    response_code: code.unwrap_or_else(|| "ErrorInternalServerError".into()),
                    message_text: text,
                    descriptive_link_key: link,
                    back_off_milliseconds: back_off,
                    message_xml: xml,
                })),
            }
        }
    }
    if !saw_messages {
        return Err(r.err("missing m:ResponseMessages"));
    }
    Ok(out)
}

/// Writes `<m:{op}Response><m:ResponseMessages>` with one `<m:{msg}>` per result.
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
                w.elem("m:ResponseCode", "NoError")?;
                content(w, Some(v))?;
            }
            Err(e) => {
                w.start(&msg, &[("ResponseClass", e.response_class.as_str())])?;
                w.opt("m:MessageText", &e.message_text)?;
                w.elem("m:ResponseCode", &e.response_code)?;
                w.value("m:DescriptiveLinkKey", &e.descriptive_link_key.unwrap_or(0))?;
                let mut vals = e.message_xml.clone();
                if let Some(ms) = e.back_off_milliseconds {
                    if !vals.iter().any(|v| v.name == "BackOffMilliseconds") {
                        vals.push(MessageXmlValue { name: "BackOffMilliseconds".into(), value: ms.to_string() });
                    }
                }
                if !vals.is_empty() {
                    w.start("m:MessageXml", &[])?;
                    for v in &vals {
                        w.elem_with("t:Value", &[("Name", &v.name)], &v.value)?;
                    }
                    w.end("m:MessageXml")?;
                }
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
        Err(r.err(format!("{name} in the wrong namespace (expected messages namespace)")))
    } else {
        Err(r.err(format!("expected m:{name}, found '{}'", e.local_str())))
    }
}
