//! EWS's errors in the mailbox seam's terms.
//!
//! Response codes: <https://learn.microsoft.com/en-us/dotnet/api/microsoft.exchange.webservices.data.serviceerror>

use ews::EwsError;

use crate::mailbox::MailboxError;

/// A ResponseClass="Error" or SOAP fault, by its response code; everything the codec could
/// not read is an unreadable answer.
pub fn from_ews(error: EwsError) -> MailboxError {
    let (code, message) = match error {
        EwsError::Response(e) => {
            let message = e
                .message_text
                .clone()
                .unwrap_or_else(|| e.response_code.clone());
            (e.response_code.clone(), message)
        }
        EwsError::Fault {
            faultstring,
            response_code,
            message,
            ..
        } => (
            response_code.unwrap_or_else(|| "SoapFault".into()),
            message.unwrap_or(faultstring),
        ),
        EwsError::InvalidText { .. } | EwsError::InvalidRequest(_) => {
            return MailboxError::Invalid(format!("cannot build the EWS request: {error}"));
        }
        other => return MailboxError::Unreadable(other.to_string()),
    };
    match code.as_str() {
        "ErrorItemNotFound" => MailboxError::NotFound(message),
        "ErrorIrresolvableConflict" | "ErrorChangeKeyRequiredForWriteOperations" => {
            MailboxError::changed_meanwhile()
        }
        "ErrorAccessDenied" => MailboxError::Forbidden(message),
        "ErrorCalendarIsOrganizerForAccept"
        | "ErrorCalendarIsOrganizerForDecline"
        | "ErrorCalendarIsOrganizerForTentative" => {
            MailboxError::Forbidden("You organise this meeting: only invitees answer it.".into())
        }
        "ErrorCalendarIsNotOrganizer" => {
            MailboxError::Forbidden("Only the organiser can cancel this meeting.".into())
        }
        // Service-account mode: the account may not act for this user. Nothing the user can
        // fix; the text tells the administrator what to grant.
        "ErrorImpersonateUserDenied" | "ErrorImpersonationDenied" => {
            MailboxError::Misconfigured(format!(
                "Exchange did not let the service account act for this mailbox ({code}): give \
                 the account in ews.service_account.username the ApplicationImpersonation role \
                 (New-ManagementRoleAssignment -Role ApplicationImpersonation -User <account>) \
                 with a scope that includes this user."
            ))
        }
        "ErrorNonExistentMailbox" => MailboxError::Misconfigured(
            "Exchange has no mailbox for the signed-in user's address (ErrorNonExistentMailbox): \
             check that the sign-in server's email (or upn) claim is the user's primary SMTP \
             address, and that the user has a mailbox on this Exchange."
                .into(),
        ),
        _ => MailboxError::Rejected(format!("Exchange answered {code}: {message}")),
    }
}

/// An HTTP status without an EWS answer (401 and throttling are handled before this).
pub fn http_status(status: u16) -> MailboxError {
    match status {
        // Exchange Online answers 403 to mailboxes whose licence or policy excludes EWS.
        403 => MailboxError::Forbidden(
            "Exchange refused access to this mailbox (HTTP 403); EWS may be disabled for it."
                .into(),
        ),
        _ => MailboxError::Rejected(format!("Exchange answered HTTP {status}.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(code: &str) -> EwsError {
        EwsError::Fault {
            faultcode: "soap:Client".into(),
            faultstring: code.into(),
            response_code: Some(code.into()),
            message: Some("raw message".into()),
            back_off_milliseconds: None,
            line: None,
            position: None,
        }
    }

    #[test]
    fn impersonation_problems_tell_the_administrator_what_to_check() {
        let MailboxError::Misconfigured(denied) = from_ews(fault("ErrorImpersonateUserDenied"))
        else {
            panic!("not an administrator's problem");
        };
        assert!(denied.contains("ApplicationImpersonation"), "{denied}");
        let MailboxError::Misconfigured(missing) = from_ews(fault("ErrorNonExistentMailbox"))
        else {
            panic!("not an administrator's problem");
        };
        assert!(missing.contains("primary SMTP address"), "{missing}");
    }
}
