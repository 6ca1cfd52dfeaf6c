//! One item, appointment or task: `POST /api/{appointments,tasks}` creates it; `GET`, `PUT` and
//! `DELETE /api/{appointments,tasks}/{id}`, and a meeting's `POST …/cancel` and `POST …/reply`
//! read and change it. Every change names the version it was made to (`If-Match`); a stale one
//! is [`ApiError::Conflict`]. Answers that are only handed on (to the host page) stay JS values.

use model::{CancelDraft, ReplyDraft, ReplyKind};
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::decode::FromJs;
use crate::error::ApiError;
use crate::services::requests::{decode, request_json};
use crate::services::{Api, Method, RequestOptions, json};
use crate::state::Kind;

/// One call about item `id` (`action`: empty, `/cancel` or `/reply`), at `version` if given.
async fn call(
    api: &Api,
    method: Method,
    kind: Kind,
    id: &str,
    action: &str,
    body: Option<String>,
    version: Option<&str>,
) -> Result<JsValue, ApiError> {
    let folder = match kind {
        Kind::Appointment => "appointments",
        Kind::Task => "tasks",
    };
    let path = format!("/api/{folder}/{}{action}", js_sys::encode_uri_component(id));
    let options = RequestOptions {
        if_match: version,
        ..RequestOptions::default()
    };
    request_json(api, method, &path, body, options).await
}

fn folder(kind: Kind) -> &'static str {
    match kind {
        Kind::Appointment => "/api/appointments",
        Kind::Task => "/api/tasks",
    }
}

/// Creates the item once per `idempotency_key`: the created item, and the answer as the
/// browser parsed it (handed on as is to the host page).
pub async fn create<T: FromJs>(
    api: &Api,
    kind: Kind,
    draft: &impl Serialize,
    idempotency_key: &str,
) -> Result<(T, JsValue), ApiError> {
    let options = RequestOptions {
        idempotency_key: Some(idempotency_key),
        ..RequestOptions::default()
    };
    let body = text(draft)?;
    let answer = request_json(api, Method::Post, folder(kind), body, options).await?;
    Ok((decode(&answer)?, answer))
}

fn text(body: &impl Serialize) -> Result<Option<String>, ApiError> {
    json::to_string(body).map(Some).map_err(ApiError::Decode)
}

/// The item as it is now; its `changeKey` is the version later changes name.
pub async fn get<T: FromJs>(api: &Api, kind: Kind, id: &str) -> Result<T, ApiError> {
    decode(&call(api, Method::Get, kind, id, "", None, None).await?)
}

/// Replaces the item's fields with `draft`'s, if the item is still at `version`; the answer is
/// the item as saved.
pub async fn put(
    api: &Api,
    kind: Kind,
    id: &str,
    version: &str,
    draft: &impl Serialize,
) -> Result<JsValue, ApiError> {
    let body = text(draft)?;
    call(api, Method::Put, kind, id, "", body, Some(version)).await
}

pub async fn delete(api: &Api, kind: Kind, id: &str, version: &str) -> Result<(), ApiError> {
    call(api, Method::Delete, kind, id, "", None, Some(version)).await?;
    Ok(())
}

/// The organiser calls the meeting off for everyone, with `message` to the attendees.
pub async fn cancel(api: &Api, id: &str, version: &str, message: &str) -> Result<(), ApiError> {
    let body = text(&CancelDraft {
        message: message.to_owned(),
    })?;
    let kind = Kind::Appointment;
    call(api, Method::Post, kind, id, "/cancel", body, Some(version)).await?;
    Ok(())
}

/// The invitee's answer, with `message` to the organiser.
pub async fn reply(
    api: &Api,
    id: &str,
    version: &str,
    reply: ReplyKind,
    message: &str,
) -> Result<(), ApiError> {
    let body = text(&ReplyDraft {
        reply: reply_name(reply).to_owned(),
        message: message.to_owned(),
    })?;
    let kind = Kind::Appointment;
    call(api, Method::Post, kind, id, "/reply", body, Some(version)).await?;
    Ok(())
}

pub fn reply_name(reply: ReplyKind) -> &'static str {
    match reply {
        ReplyKind::Accept => "accept",
        ReplyKind::Tentative => "tentative",
        ReplyKind::Decline => "decline",
    }
}
