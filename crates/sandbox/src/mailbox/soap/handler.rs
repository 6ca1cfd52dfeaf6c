//! `POST /sandbox/ews/Exchange.asmx`: authenticate, parse, dispatch, answer like Exchange.

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ews::EwsError;
use ews::server::{FaultSpec, Request};

use std::sync::Arc;

use super::operations;
use crate::mailbox::identity::IdentityError;
use crate::mailbox::service_account::{self, Verdict};
use crate::mailbox::{ConnectionId, SandboxError, SandboxMailbox};

const SOAP_CONTENT_TYPE: &str = "text/xml; charset=utf-8";

pub async fn ews(
    State(sandbox): State<Arc<SandboxMailbox>>,
    connection: Option<Extension<ConnectionId>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mailbox = match caller(&sandbox, connection, &headers).await {
        Ok(mailbox) => mailbox,
        Err(refused) => return refused,
    };
    let parsed = match ews::server::parse_request(&body) {
        Ok(parsed) => parsed,
        Err(error) => return fault(&schema_fault(&error)),
    };
    let mailbox = match impersonated(&sandbox.impersonators, mailbox, &parsed.headers) {
        Ok(mailbox) => mailbox,
        Err(spec) => return fault(&spec),
    };
    let operation = parsed.request.operation();
    tracing::debug!(operation, %mailbox, "sandbox EWS request");
    let store = &sandbox.store;
    let answer: Result<String, SandboxError> = match parsed.request {
        Request::CreateItem(request) => {
            envelope(operations::create_item(store, &mailbox, &parsed.headers, request).await)
        }
        Request::GetItem(request) => envelope(operations::get_item(store, &mailbox, request).await),
        Request::GetFolder(request) => {
            envelope(operations::get_folder(store, &mailbox, request).await)
        }
        Request::FindItem(request) => {
            envelope(operations::find_item(store, &mailbox, request).await)
        }
        Request::UpdateItem(request) => {
            envelope(operations::update_item(store, &mailbox, &parsed.headers, request).await)
        }
        Request::DeleteItem(request) => {
            envelope(operations::delete_item(store, &mailbox, request).await)
        }
        Request::MeetingResponse(request) => {
            envelope(operations::meeting_response(store, &mailbox, request).await)
        }
        Request::CancelCalendarItem(request) => {
            envelope(operations::cancel_calendar_item(store, &mailbox, request).await)
        }
        Request::GetRoomLists(_) => envelope(Ok(operations::get_room_lists())),
        Request::GetRooms(request) => envelope(Ok(operations::get_rooms(&request))),
        Request::ResolveNames(request) => envelope(Ok(operations::resolve_names(&request))),
        Request::GetUserAvailability(request) => {
            envelope(operations::get_user_availability(store, &mailbox, &request).await)
        }
    };
    match answer {
        Ok(xml) => soap(StatusCode::OK, xml),
        Err(error) => {
            tracing::error!(operation, %error, "sandbox operation failed");
            fault(&FaultSpec {
                response_code: "ErrorInternalServerError".into(),
                message: "An internal server error occurred. The operation failed.".into(),
                back_off_milliseconds: None,
                line: None,
                position: None,
            })
        }
    }
}

/// Who is calling (a service account's name or the bearer token's mailbox), or the answer
/// refusing them. Exchange checks the caller before looking at the body: an anonymous caller
/// learns nothing. A service account (NTLM on this connection, or Basic) first, then a bearer
/// token.
pub(crate) async fn caller(
    sandbox: &SandboxMailbox,
    connection: Option<Extension<ConnectionId>>,
    headers: &HeaderMap,
) -> Result<String, Response> {
    let connection = connection.map(|Extension(ConnectionId(id))| id);
    let account = sandbox.service_accounts.verify(headers, connection);
    let mailbox = match account {
        Verdict::Account(account) => Ok(account),
        Verdict::Challenge(values) => return Err(challenge(&values)),
        Verdict::NotServiceAccount => sandbox.identity.mailbox(headers).await,
    };
    match mailbox {
        Ok(mailbox) => Ok(mailbox),
        Err(IdentityError::Unauthorized(reason)) => Err(unauthorized(sandbox, &reason)),
        Err(IdentityError::Unavailable(reason)) => {
            tracing::warn!(%reason, "sandbox cannot verify the access token");
            Err(fault(&FaultSpec {
                response_code: "ErrorInternalServerError".into(),
                message: "An internal server error occurred. The operation failed.".into(),
                back_off_milliseconds: None,
                line: None,
                position: None,
            }))
        }
    }
}

/// The mailbox a request acts on: the caller's own, or with ExchangeImpersonation the named
/// one, if the caller may impersonate (Exchange's ApplicationImpersonation role).
fn impersonated(
    impersonators: &[String],
    caller: String,
    headers: &ews::RequestHeaders,
) -> Result<String, FaultSpec> {
    use ews::soap::ConnectingSid;
    let Some(sid) = &headers.impersonation else {
        return Ok(caller);
    };
    let fault = |code: &str, message: &str| FaultSpec {
        response_code: code.into(),
        message: message.into(),
        back_off_milliseconds: None,
        line: None,
        position: None,
    };
    if !impersonators.contains(&caller) {
        return Err(fault(
            "ErrorImpersonateUserDenied",
            "The account does not have permission to impersonate the requested user.",
        ));
    }
    let address = match sid {
        ConnectingSid::PrimarySmtpAddress(a)
        | ConnectingSid::SmtpAddress(a)
        | ConnectingSid::PrincipalName(a) => a.trim().to_lowercase(),
        ConnectingSid::Sid(_) => {
            return Err(fault(
                "ErrorImpersonateUserDenied",
                "The sandbox mailbox identifies impersonated users by SMTP address only.",
            ));
        }
    };
    // The sandbox hosts the development sign-in's users (name@sandbox.test).
    if crate::dev_auth::user_for(&address).is_none() {
        return Err(fault(
            "ErrorNonExistentMailbox",
            "The SMTP address has no mailbox associated with it.",
        ));
    }
    Ok(address)
}

/// Any response type of the codec, written as a SOAP envelope announcing the sandbox's version.
trait ToEnvelope {
    fn envelope(self) -> Result<String, SandboxError>;
}

macro_rules! to_envelope_impl {
    ($($t:ty),*) => {$(
        impl ToEnvelope for $t {
            fn envelope(mut self) -> Result<String, SandboxError> {
                self.server_version_info = Some(super::server_version());
                self.to_envelope().map_err(|e| SandboxError::Codec(e.to_string()))
            }
        }
    )*};
}
to_envelope_impl!(
    ews::operations::create_item::CreateItemResponse,
    ews::operations::get_item::GetItemResponse,
    ews::operations::find_item::FindItemResponse,
    ews::operations::get_folder::GetFolderResponse,
    ews::operations::update_item::UpdateItemResponse,
    ews::operations::delete_item::DeleteItemResponse,
    ews::operations::get_room_lists::GetRoomListsResponse,
    ews::operations::get_rooms::GetRoomsResponse,
    ews::operations::resolve_names::ResolveNamesResponse,
    ews::operations::get_user_availability::GetUserAvailabilityResponse
);

fn envelope<T: ToEnvelope>(response: Result<T, SandboxError>) -> Result<String, SandboxError> {
    response?.envelope()
}

/// Exchange answers any request it cannot parse or validate with ErrorSchemaValidation.
fn schema_fault(error: &EwsError) -> FaultSpec {
    let message = match error {
        EwsError::UnsupportedOperation(name) => {
            format!("The operation '{name}' is not supported by the sandbox mailbox.")
        }
        other => other.to_string(),
    };
    ews::server::schema_validation_fault(message)
}

fn fault(spec: &FaultSpec) -> Response {
    match ews::server::fault_envelope(spec) {
        Ok(xml) => soap(StatusCode::INTERNAL_SERVER_ERROR, xml),
        Err(error) => {
            tracing::error!(%error, "cannot write a SOAP fault");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn soap(status: StatusCode, xml: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(SOAP_CONTENT_TYPE),
        )],
        xml,
    )
        .into_response()
}

/// Like Exchange Online: 401 with a Bearer challenge and an empty body (and, like an
/// on-premises server, NTLM and Basic on offer when service accounts are configured).
fn unauthorized(sandbox: &SandboxMailbox, reason: &str) -> Response {
    let bearer = format!(
        "Bearer error=\"invalid_token\", error_description=\"{}\"",
        reason.replace('"', "'")
    );
    let mut values = vec![bearer];
    if sandbox.service_accounts.any() {
        values.extend(service_account::offered().map(str::to_owned));
    }
    challenge(&values)
}

/// 401 with these `WWW-Authenticate` values, an empty body.
fn challenge(values: &[String]) -> Response {
    let mut response = StatusCode::UNAUTHORIZED.into_response();
    for value in values {
        if let Ok(value) = HeaderValue::from_str(value) {
            response
                .headers_mut()
                .append(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}
