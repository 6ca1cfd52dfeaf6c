//! `/me/events` and `/me/calendarView`: create (with meeting invitations and transactionId
//! de-duplication), read, list, update and delete events (ETag checks), answer and cancel
//! meetings; over the same store and item rules as the EWS front end.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use ews::types::{CalendarItem, CalendarItemType, EwsDateTime, Item, ItemId, ResponseType};
use serde::Deserialize;

use super::error::{GraphError, GraphResult};
use super::event::{self, EventInput};
use super::query::{self, Filter, Query};
use super::time::{self, Zone};
use super::{
    Caller, GraphPath, State as Mailbox, collection, created, if_match, json_body, next_page,
};
use crate::mailbox::items::{self, CALENDAR};
use crate::mailbox::meetings::{self, CancelOutcome, RespondOutcome};
use crate::mailbox::recurrence;
use crate::mailbox::store::{ItemRecord, ItemStore, WriteOutcome};

/// Graph's default page size for events and calendar views.
const DEFAULT_TOP: u32 = 10;
/// The longest calendar view the sandbox expands (series are expanded in memory).
const MAX_VIEW_DAYS: i64 = 3660;

/// The answer with the zone it is written in, as Graph's `Preference-Applied` says.
fn with_zone(mut response: Response, zone: &Zone) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!("outlook.timezone=\"{}\"", zone.name)) {
        response.headers_mut().insert("preference-applied", value);
    }
    response
}

fn calendar_item(record: &ItemRecord) -> GraphResult<Option<CalendarItem>> {
    Ok(match items::from_record(record)? {
        Item::CalendarItem(item) if record.folder == CALENDAR => Some(item),
        _ => None,
    })
}

/// A stored calendar item or an occurrence of a series, by its id.
async fn find(store: &ItemStore, mailbox: &str, id: &str) -> GraphResult<CalendarItem> {
    if let Some(record) = store.get(mailbox, id).await? {
        return calendar_item(&record)?.ok_or_else(GraphError::not_found);
    }
    let (master_id, index) =
        recurrence::parse_occurrence_id(id).ok_or_else(GraphError::not_found)?;
    let record = store
        .get(mailbox, master_id)
        .await?
        .ok_or_else(GraphError::not_found)?;
    let master = calendar_item(&record)?.ok_or_else(GraphError::not_found)?;
    recurrence::nth_occurrence(&master, index).ok_or_else(GraphError::not_found)
}

pub async fn get_one(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    GraphPath(id): GraphPath<String>,
    RawQuery(raw): RawQuery,
) -> GraphResult<Response> {
    let query = Query::parse(raw.as_deref())?;
    let zone = time::preferred_zone(&headers);
    let item = find(&mailbox.store, &caller, &id).await?;
    let body = event::to_json(&item, &zone, query.expands_extended_properties());
    Ok(with_zone(Json(body).into_response(), &zone))
}

/// Items of the calendar folder that match a filter on a stamped property.
async fn filtered(
    store: &ItemStore,
    mailbox: &str,
    filter: &Filter,
) -> GraphResult<Vec<CalendarItem>> {
    if matches!(filter, Filter::Status { .. }) {
        return Err(GraphError::bad_request(
            "Events have no status to filter on; that filter is for To Do tasks.",
        ));
    }
    let mut found = Vec::new();
    for record in store.all_in_folder(mailbox, CALENDAR).await? {
        if let Some(item) = calendar_item(&record)? {
            let matches = match filter {
                Filter::TransactionId(id) => event::transaction_id(&item) == Some(id.as_str()),
                Filter::ExtendedProperty { field, value } => {
                    query::has_property(&item.item.extended_properties, field, value)
                }
                Filter::Status { .. } => false,
            };
            if matches {
                found.push(item);
            }
        }
    }
    Ok(found)
}

/// `GET /me/events`: series masters and single events in creation order, `$filter` by
/// transactionId or an extended property, paged with `$top`/`$skip`.
pub async fn list(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> GraphResult<Response> {
    let query = Query::parse(raw.as_deref())?;
    let zone = time::preferred_zone(&headers);
    let top = query.top.unwrap_or(DEFAULT_TOP);
    let (page, total): (Vec<CalendarItem>, u32) = match query.filter()? {
        Some(filter) => {
            let all = filtered(&mailbox.store, &caller, &filter).await?;
            query.window(all, top)
        }
        None => {
            let page = mailbox
                .store
                .list(&caller, CALENDAR, query.skip, top, false)
                .await?;
            let mut items = Vec::new();
            for record in &page.items {
                items.extend(calendar_item(record)?);
            }
            (items, page.total)
        }
    };
    let with_properties = query.expands_extended_properties();
    let values = page
        .iter()
        .map(|i| event::to_json(i, &zone, with_properties))
        .collect();
    let next = next_page(&uri, &headers, query.skip, top, total);
    Ok(with_zone(
        Json(collection(values, next)).into_response(),
        &zone,
    ))
}

/// `GET /me/calendarView?startDateTime&endDateTime`: events and occurrences of series in the
/// window, by start; `$top`, `$skip` and `@odata.nextLink` page through it.
pub async fn calendar_view(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> GraphResult<Response> {
    let query = Query::parse(raw.as_deref())?;
    let window_error = || {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
        )
    };
    let start = query
        .param("startDateTime")
        .and_then(time::parse_query_instant)
        .ok_or_else(window_error)?;
    let end = query
        .param("endDateTime")
        .and_then(time::parse_query_instant)
        .ok_or_else(window_error)?;
    if end <= start || end - start > Duration::days(MAX_VIEW_DAYS) {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidParameter",
            "endDateTime must be after startDateTime, at most ten years later.",
        ));
    }
    if let Some(order) = query.orderby.as_deref() {
        let order = order.trim().to_ascii_lowercase();
        if !matches!(order.as_str(), "start/datetime" | "start/datetime asc") {
            return Err(GraphError::bad_request(format!(
                "$orderby '{}' is not supported by the sandbox; use start/dateTime.",
                time::truncated(&order)
            )));
        }
    }
    let zone = time::preferred_zone(&headers);
    let top = query.top.unwrap_or(DEFAULT_TOP);
    let wanted = query.skip.saturating_add(top).min(items::MAX_WINDOW_ITEMS);
    let window = items::calendar_window(&mailbox.store, &caller, start, end, wanted).await?;
    let values = window
        .items
        .iter()
        .skip(query.skip as usize)
        .map(|i| event::to_json(i, &zone, false))
        .collect();
    let reachable = window.total.min(items::MAX_WINDOW_ITEMS);
    let next = next_page(&uri, &headers, query.skip, top, reachable);
    Ok(with_zone(
        Json(collection(values, next)).into_response(),
        &zone,
    ))
}

/// `POST /me/events`. A transactionId already used in this calendar answers the event it made.
pub async fn create(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> GraphResult<Response> {
    let input: EventInput = json_body(body)?;
    let zone = time::preferred_zone(&headers);
    let store = &mailbox.store;
    if let Some(transaction) = input.transaction_id.as_deref()
        && let Some(existing) = filtered(
            store,
            &caller,
            &Filter::TransactionId(transaction.to_owned()),
        )
        .await?
        .into_iter()
        .next()
    {
        return Ok(with_zone(
            created(event::to_json(&existing, &zone, false)),
            &zone,
        ));
    }
    let mut item = CalendarItem::default();
    event::apply(input, &mut item)?;
    event::validate(&item)?;
    let now = Utc::now();
    let mut item = items::new_calendar_item(item, &caller, None, now).map_err(|e| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            e.message_text.unwrap_or(e.response_code),
        )
    })?;
    // Graph sends invitations whenever an event has attendees.
    if item.is_meeting == Some(true) {
        meetings::sync_copies(store, &caller, &mut item, now).await?;
    }
    store
        .insert(&items::to_record(
            &Item::CalendarItem(item.clone()),
            &caller,
            now,
        )?)
        .await?;
    Ok(with_zone(
        created(event::to_json(&item, &zone, false)),
        &zone,
    ))
}

fn refuse_occurrence(id: &str) -> GraphResult<()> {
    if recurrence::parse_occurrence_id(id).is_some() {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            "The sandbox mailbox changes whole series only, not single occurrences.",
        ));
    }
    Ok(())
}

/// `PATCH /me/events/{id}` with an optional `If-Match` ETag; an organizer's change reaches the
/// attendees' copies.
pub async fn update(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    GraphPath(id): GraphPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> GraphResult<Response> {
    let input: EventInput = json_body(body)?;
    refuse_occurrence(&id)?;
    let store = &mailbox.store;
    let expected = if_match(&headers)?;
    let record = store
        .get(&caller, &id)
        .await?
        .ok_or_else(GraphError::not_found)?;
    let mut item = calendar_item(&record)?.ok_or_else(GraphError::not_found)?;
    if expected
        .as_deref()
        .is_some_and(|key| key != record.change_key)
    {
        return Err(GraphError::precondition_failed());
    }
    let had_attendees = item.is_meeting == Some(true);
    event::apply(input, &mut item)?;
    event::validate(&item)?;
    let now = Utc::now();
    item.is_meeting = Some(
        !(item.required_attendees.is_empty()
            && item.optional_attendees.is_empty()
            && item.resources.is_empty()),
    );
    item.is_recurring = Some(item.recurrence.is_some());
    item.calendar_item_type = Some(if item.recurrence.is_some() {
        CalendarItemType::RecurringMaster
    } else {
        CalendarItemType::Single
    });
    item.item.last_modified_time = Some(EwsDateTime::utc(now));
    let organizer = item.my_response_type == Some(ResponseType::Organizer);
    if organizer && (had_attendees || item.is_meeting == Some(true)) {
        meetings::sync_copies(store, &caller, &mut item, now).await?;
    }
    item.item.item_id = Some(ItemId::with_change_key(&record.id, items::new_change_key()));
    let updated = items::to_record(&Item::CalendarItem(item.clone()), &caller, now)?;
    match store.replace(&updated, Some(&record.change_key)).await? {
        WriteOutcome::Done => {}
        WriteOutcome::NotFound => return Err(GraphError::not_found()),
        WriteOutcome::ChangeKeyMismatch => return Err(GraphError::precondition_failed()),
    }
    let zone = time::preferred_zone(&headers);
    Ok(with_zone(
        Json(event::to_json(&item, &zone, false)).into_response(),
        &zone,
    ))
}

/// `DELETE /me/events/{id}`: an organizer deleting a meeting cancels it for the attendees.
pub async fn delete(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    GraphPath(id): GraphPath<String>,
) -> GraphResult<StatusCode> {
    refuse_occurrence(&id)?;
    let store = &mailbox.store;
    let expected = if_match(&headers)?;
    let record = store
        .get(&caller, &id)
        .await?
        .ok_or_else(GraphError::not_found)?;
    let item = calendar_item(&record)?.ok_or_else(GraphError::not_found)?;
    if expected
        .as_deref()
        .is_some_and(|key| key != record.change_key)
    {
        return Err(GraphError::precondition_failed());
    }
    if item.my_response_type == Some(ResponseType::Organizer)
        && let Some(uid) = item.uid.as_deref()
    {
        meetings::cancel_copies(store, &caller, uid, Utc::now()).await?;
    }
    match store.delete(&caller, &id, Some(&record.change_key)).await? {
        WriteOutcome::Done => Ok(StatusCode::NO_CONTENT),
        WriteOutcome::NotFound => Err(GraphError::not_found()),
        WriteOutcome::ChangeKeyMismatch => Err(GraphError::precondition_failed()),
    }
}

/// The body of accept, tentativelyAccept, decline and cancel. Its fields are type-checked;
/// the sandbox sends no mail, so the comment goes nowhere, and the answer is always recorded
/// on the organizer's copy (as `sendResponse: true`).
#[allow(dead_code)]
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionBody {
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    send_response: Option<bool>,
}

/// `POST /me/events/{id}/accept|tentativelyAccept|decline|cancel`: 202 Accepted, as Graph.
pub async fn act(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    GraphPath((id, action)): GraphPath<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> GraphResult<StatusCode> {
    let answer = match action.as_str() {
        "accept" => Some(ResponseType::Accept),
        "tentativelyAccept" => Some(ResponseType::Tentative),
        "decline" => Some(ResponseType::Decline),
        "cancel" => None,
        other => {
            return Err(GraphError::bad_request(format!(
                "Resource not found for the segment '{}'.",
                time::truncated(other)
            )));
        }
    };
    // The body is optional for responses; when sent it must be well-formed.
    let input: ActionBody = match &body {
        Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => ActionBody::default(),
        _ => json_body(body)?,
    };
    if input.comment.as_ref().is_some_and(|c| c.len() > 1 << 16) {
        return Err(GraphError::invalid_property(
            "comment",
            "is longer than 64 KiB",
        ));
    }
    let store = &mailbox.store;
    let now = Utc::now();
    let refused = |message: &str| {
        Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            message,
        ))
    };
    match answer {
        Some(answer) => match meetings::respond(store, &caller, &id, answer, now).await? {
            RespondOutcome::Done => Ok(StatusCode::ACCEPTED),
            RespondOutcome::NotFound | RespondOutcome::NotAMeeting => Err(GraphError::not_found()),
            RespondOutcome::IsOrganizer => refused(
                "Your request can't be completed. You can't respond to a meeting you organized.",
            ),
            RespondOutcome::Cancelled => refused("The meeting has been cancelled."),
        },
        None => {
            let expected = if_match(&headers)?;
            match meetings::cancel(store, &caller, &id, expected.as_deref(), now).await? {
                CancelOutcome::Done => Ok(StatusCode::ACCEPTED),
                CancelOutcome::NotFound => Err(GraphError::not_found()),
                CancelOutcome::NotOrganizer => refused(
                    "Your request can't be completed. Only the organizer can cancel a meeting.",
                ),
                CancelOutcome::Stale => Err(GraphError::precondition_failed()),
            }
        }
    }
}
