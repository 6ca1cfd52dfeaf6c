//! Graph's error answers in the mailbox seam's terms.
//!
//! Graph answers errors with an HTTP status and `{"error": {"code", "message", "innerError"}}`
//! (<https://learn.microsoft.com/graph/errors>); the inner error may nest further and hold more
//! specific codes, and Outlook resources use Exchange's codes (`ErrorItemNotFound`). The
//! status decides first, the codes refine it.

use serde_json::Value;

use crate::mailbox::MailboxError;

/// The parts of a Graph error body we use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphError {
    pub code: String,
    pub message: String,
    /// The codes of the nested inner errors, outermost first.
    pub inner_codes: Vec<String>,
}

impl GraphError {
    /// `None` when `body` is not a Graph error (e.g. a gateway's HTML page).
    pub fn parse(body: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let error = value.get("error")?;
        let code = error.get("code")?.as_str()?.to_owned();
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut inner_codes = Vec::new();
        let mut inner = inner_of(error);
        // Bounded: a hostile body cannot make us walk forever.
        while let Some(object) = inner.filter(|_| inner_codes.len() < 16) {
            if let Some(code) = object.get("code").and_then(Value::as_str) {
                inner_codes.push(code.to_owned());
            }
            inner = inner_of(object);
        }
        Some(Self {
            code,
            message,
            inner_codes,
        })
    }

    fn has_code(&self, wanted: &[&str]) -> bool {
        std::iter::once(&self.code)
            .chain(&self.inner_codes)
            .any(|code| wanted.iter().any(|w| code.eq_ignore_ascii_case(w)))
    }

    fn describe(&self) -> String {
        if self.message.is_empty() {
            self.code.clone()
        } else {
            format!("{}: {}", self.code, self.message)
        }
    }
}

/// The docs spell it `innerError` in examples and `innererror` in the schema.
fn inner_of(object: &Value) -> Option<&Value> {
    object
        .get("innerError")
        .or_else(|| object.get("innererror"))
}

const NOT_FOUND: &[&str] = &["ErrorItemNotFound", "itemNotFound", "ResourceNotFound"];
const FORBIDDEN: &[&str] = &[
    "accessDenied",
    "ErrorAccessDenied",
    "Authorization_RequestDenied",
];
const CONFLICT: &[&str] = &[
    "resourceModified",
    "ErrorIrresolvableConflict",
    "entityTagDoesNotMatch",
];
/// 400 codes that say our request's values were refused (what the user typed, or what we
/// made of it), as opposed to Graph refusing to do the work.
const INVALID: &[&str] = &[
    "invalidRequest",
    "ErrorInvalidRequest",
    "ErrorInvalidProperty",
    "ErrorPropertyValidationFailure",
    "BadRequest",
];

/// A definitive error answer (401, throttling and unknown outcomes are handled before this).
pub fn from_status(status: u16, error: Option<&GraphError>) -> MailboxError {
    let said = |fallback: &str| {
        error
            .map(GraphError::describe)
            .unwrap_or_else(|| fallback.to_owned())
    };
    let has = |codes: &[&str]| error.is_some_and(|e| e.has_code(codes));
    match status {
        404 => MailboxError::NotFound(said("Microsoft Graph found no such item (HTTP 404).")),
        // 412: the item's entity tag is no longer the one in If-Match.
        412 => MailboxError::changed_meanwhile(),
        409 => MailboxError::Conflict(said(
            "The item changed since it was read (HTTP 409); read it again.",
        )),
        403 => MailboxError::Forbidden(said(
            "Microsoft Graph refused access to this mailbox (HTTP 403).",
        )),
        _ if has(NOT_FOUND) => MailboxError::NotFound(said("not found")),
        _ if has(FORBIDDEN) => MailboxError::Forbidden(said("access denied")),
        _ if has(CONFLICT) => MailboxError::Conflict(said("conflict")),
        400 if has(INVALID) => MailboxError::Invalid(format!(
            "Microsoft Graph refused the request: {}",
            said("HTTP 400")
        )),
        _ => MailboxError::Rejected(format!(
            "Microsoft Graph answered {}",
            said(&format!("HTTP {status}"))
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_inner_codes_are_read_in_both_spellings() {
        let body = br#"{"error":{"code":"accessDenied","message":"Too Many Requests",
            "innerError":{"code":"throttledRequest","innererror":{"code":"deeper"}}}}"#;
        let error = GraphError::parse(body).unwrap();
        assert_eq!(error.code, "accessDenied");
        assert_eq!(error.inner_codes, ["throttledRequest", "deeper"]);
        assert!(GraphError::parse(b"<html>502 Bad Gateway</html>").is_none());
        assert!(GraphError::parse(br#"{"value":[]}"#).is_none());
    }

    #[test]
    fn codes_refine_what_the_status_leaves_open() {
        let error = |code: &str| GraphError {
            code: code.into(),
            message: "m".into(),
            inner_codes: Vec::new(),
        };
        assert!(matches!(
            from_status(400, Some(&error("ErrorItemNotFound"))),
            MailboxError::NotFound(_)
        ));
        assert!(matches!(
            from_status(400, Some(&error("invalidRequest"))),
            MailboxError::Invalid(m) if m.contains("invalidRequest: m")
        ));
        assert!(matches!(
            from_status(400, Some(&error("ErrorCalendarIsDelegatedForAccept"))),
            MailboxError::Rejected(_)
        ));
        assert!(matches!(from_status(412, None), MailboxError::Conflict(_)));
        assert!(matches!(from_status(418, None), MailboxError::Rejected(m) if m.contains("418")));
    }
}
