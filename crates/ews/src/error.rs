//! Errors of the EWS codec.

use serde::{Deserialize, Serialize};

use crate::response::ResponseError;

/// Everything that can go wrong while building or parsing EWS XML.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EwsError {
    /// The document is not well-formed XML, or does not have the shape EWS promises.
    /// `path` is the element path (as written in the document, e.g.
    /// `s:Envelope/s:Body/m:FindItemResponse/.../t:Start`).
    #[error("{path}: {message}")]
    Malformed { path: String, message: String },

    /// The document carries a DOCTYPE / DTD; we never process DTDs (entity expansion attacks).
    #[error("{path}: DOCTYPE/DTD refused (EWS never sends one; entity expansion is not allowed)")]
    DtdRefused { path: String },

    /// The document is larger than the configured limit.
    #[error("document too large: {size} bytes, limit {limit} bytes")]
    TooLarge { size: usize, limit: usize },

    /// A SOAP fault (HTTP 500 from Exchange), e.g. ErrorSchemaValidation or ErrorServerBusy.
    #[error("SOAP fault {faultcode}: {faultstring}{}", fault_suffix(.response_code, .back_off_milliseconds))]
    Fault {
        faultcode: String,
        faultstring: String,
        /// `detail/e:ResponseCode` (or derived from a `a:ErrorXxx` faultcode).
        response_code: Option<String>,
        /// `detail/e:Message`.
        message: Option<String>,
        /// `detail/t:MessageXml/t:Value[@Name="BackOffMilliseconds"]`.
        back_off_milliseconds: Option<u64>,
        /// `detail/e:Line` / `e:LineNumber` (schema validation faults).
        line: Option<u32>,
        /// `detail/e:Position` / `e:LinePosition`.
        position: Option<u32>,
    },

    /// A `ResponseClass="Error"` response message (HTTP 200), when a caller asked for a
    /// single result (e.g. [`crate::operations::create_item::CreateItemResponse::into_single`]).
    #[error("{0}")]
    Response(ResponseError),

    /// User text that XML 1.0 cannot carry (control characters other than tab, LF, CR).
    #[error("{field}: character U+{code:04X} at offset {offset} cannot be sent in XML 1.0")]
    InvalidText {
        field: String,
        code: u32,
        offset: usize,
    },

    /// A request cannot be built from these values (e.g. an empty ItemIds list).
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// The body element is not an operation this crate knows.
    #[error("unsupported EWS operation {0:?}")]
    UnsupportedOperation(String),

    /// JSON given to the CLI encoder does not match our model.
    #[error("invalid JSON for {operation}: {message}")]
    Json { operation: String, message: String },
}

fn fault_suffix(code: &Option<String>, back_off: &Option<u64>) -> String {
    let mut s = String::new();
    if let Some(c) = code {
        s.push_str(" (");
        s.push_str(c);
        s.push(')');
    }
    if let Some(ms) = back_off {
        s.push_str(&format!(", back off {ms} ms"));
    }
    s
}

impl EwsError {
    /// The EWS response code, for faults and per-item errors (`ErrorServerBusy`, ...).
    pub fn response_code(&self) -> Option<&str> {
        match self {
            EwsError::Fault { response_code, .. } => response_code.as_deref(),
            EwsError::Response(e) => Some(&e.response_code),
            _ => None,
        }
    }

    /// BackOffMilliseconds carried by an ErrorServerBusy fault or response message.
    pub fn back_off_milliseconds(&self) -> Option<u64> {
        match self {
            EwsError::Fault {
                back_off_milliseconds,
                ..
            } => *back_off_milliseconds,
            EwsError::Response(e) => e.back_off_milliseconds,
            _ => None,
        }
    }

    /// True for `ErrorServerBusy` (fault or response message).
    pub fn is_server_busy(&self) -> bool {
        self.response_code() == Some("ErrorServerBusy")
    }
}

/// Limits applied when parsing untrusted XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParseLimits {
    /// Maximum document size in bytes (default 32 MiB).
    pub max_bytes: usize,
    /// Maximum element nesting depth (default 128).
    pub max_depth: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_bytes: 32 * 1024 * 1024,
            max_depth: 128,
        }
    }
}
