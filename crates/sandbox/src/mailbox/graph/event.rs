//! Graph's [event](https://learn.microsoft.com/en-us/graph/api/resources/event) resource and
//! the mailbox's calendar items: the JSON an event is answered as, and what a POST or PATCH
//! body changes on an item.

use chrono::{DateTime, NaiveTime, Utc};
use ews::types::{
    Attendee, CalendarItem, CalendarItemType, EwsDateTime, ExtendedFieldUri, ExtendedProperty,
    LegacyFreeBusy, Mailbox, ResponseType, Sensitivity, TimeZoneRef,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{GraphError, GraphResult};
use super::etag;
use super::fields::{
    GraphImportance, ItemBody, body_json, categories, importance_name, nullable, short_text,
};
use super::query::{self, SingleValueProperty};
use super::recurrence::{self, PatternedRecurrence};
use super::time::{self, DateTimeTimeZone, Zone};
use crate::mailbox::{directory, recurrence as series};

const MAX_ATTENDEES: usize = 500;

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GraphSensitivity {
    Normal,
    Personal,
    Private,
    Confidential,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ShowAs {
    Free,
    Tentative,
    Busy,
    Oof,
    WorkingElsewhere,
    Unknown,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttendeeType {
    Required,
    Optional,
    Resource,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailAddress {
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendeeInput {
    pub email_address: EmailAddress,
    #[serde(default, rename = "type")]
    pub kind: Option<AttendeeType>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    #[serde(default)]
    pub display_name: Option<String>,
}

/// The writable properties of an event, as POST and PATCH bodies carry them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventInput {
    pub subject: Option<String>,
    pub body: Option<ItemBody>,
    pub start: Option<DateTimeTimeZone>,
    pub end: Option<DateTimeTimeZone>,
    pub is_all_day: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub location: Option<Option<Location>>,
    pub attendees: Option<Vec<AttendeeInput>>,
    #[serde(default, deserialize_with = "nullable")]
    pub recurrence: Option<Option<PatternedRecurrence>>,
    pub reminder_minutes_before_start: Option<i32>,
    pub is_reminder_on: Option<bool>,
    pub show_as: Option<ShowAs>,
    pub importance: Option<GraphImportance>,
    pub sensitivity: Option<GraphSensitivity>,
    pub categories: Option<Vec<String>>,
    pub transaction_id: Option<String>,
    pub single_value_extended_properties: Option<Vec<SingleValueProperty>>,
}

fn attendee(input: &AttendeeInput, index: usize) -> GraphResult<Attendee> {
    let property = format!("attendees[{index}].emailAddress.address");
    let address = input
        .email_address
        .address
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| GraphError::invalid_property(&property, "is required"))?;
    if address.len() > 320 || !address.contains('@') || address.chars().any(char::is_whitespace) {
        return Err(GraphError::invalid_property(
            &property,
            format!("'{}' is not an e-mail address", time::truncated(address)),
        ));
    }
    let name = input
        .email_address
        .name
        .as_deref()
        .map(|n| short_text("attendees.emailAddress.name", n))
        .transpose()?;
    Ok(match name {
        Some(name) if !name.is_empty() => Attendee::named(name, address),
        _ => Attendee::new(address),
    })
}

/// The start (`is_start`) or end of an item, stored as a UTC instant plus the zone it was
/// planned in.
fn set_time(item: &mut CalendarItem, value: &DateTimeTimeZone, is_start: bool) -> GraphResult<()> {
    let (instant, zone) = value.resolve(if is_start { "start" } else { "end" })?;
    let zone_ref = TimeZoneRef::id(zone.windows.unwrap_or(zone.name));
    if is_start {
        item.start = Some(EwsDateTime::utc(instant));
        item.start_time_zone = Some(zone_ref);
    } else {
        item.end = Some(EwsDateTime::utc(instant));
        item.end_time_zone = Some(zone_ref);
    }
    Ok(())
}

/// Applies a POST or PATCH body to `item`.
pub fn apply(input: EventInput, item: &mut CalendarItem) -> GraphResult<()> {
    if let Some(subject) = &input.subject {
        item.item.subject = Some(short_text("subject", subject)?);
    }
    if let Some(body) = &input.body {
        item.item.body = Some(body.to_ews()?);
    }
    if let Some(start) = &input.start {
        set_time(item, start, true)?;
    }
    if let Some(end) = &input.end {
        set_time(item, end, false)?;
    }
    if let Some(all_day) = input.is_all_day {
        item.is_all_day_event = Some(all_day);
    }
    if let Some(location) = &input.location {
        item.location = location
            .as_ref()
            .and_then(|l| l.display_name.as_deref())
            .map(|name| short_text("location.displayName", name))
            .transpose()?;
    }
    if let Some(attendees) = &input.attendees {
        if attendees.len() > MAX_ATTENDEES {
            return Err(GraphError::invalid_property(
                "attendees",
                "has more than 500 entries",
            ));
        }
        item.required_attendees.clear();
        item.optional_attendees.clear();
        item.resources.clear();
        for (index, input) in attendees.iter().enumerate() {
            let attendee = attendee(input, index)?;
            let is_room = attendee
                .mailbox
                .email_address
                .as_deref()
                .is_some_and(directory::is_room);
            match input.kind {
                Some(AttendeeType::Resource) => item.resources.push(attendee),
                None if is_room => item.resources.push(attendee),
                Some(AttendeeType::Optional) => item.optional_attendees.push(attendee),
                _ => item.required_attendees.push(attendee),
            }
        }
    }
    if let Some(recurrence) = &input.recurrence {
        item.recurrence = recurrence
            .as_ref()
            .map(PatternedRecurrence::to_ews)
            .transpose()?;
    }
    if let Some(minutes) = input.reminder_minutes_before_start {
        if !(0..=40_320).contains(&minutes) {
            return Err(GraphError::invalid_property(
                "reminderMinutesBeforeStart",
                "must be 0 to 40320 (four weeks)",
            ));
        }
        item.item.reminder_minutes_before_start = Some(minutes);
    }
    if let Some(on) = input.is_reminder_on {
        item.item.reminder_is_set = Some(on);
    }
    if let Some(show_as) = input.show_as {
        item.legacy_free_busy_status = Some(match show_as {
            ShowAs::Free => LegacyFreeBusy::Free,
            ShowAs::Tentative => LegacyFreeBusy::Tentative,
            ShowAs::Busy => LegacyFreeBusy::Busy,
            ShowAs::Oof => LegacyFreeBusy::Oof,
            ShowAs::WorkingElsewhere => LegacyFreeBusy::WorkingElsewhere,
            ShowAs::Unknown => LegacyFreeBusy::NoData,
        });
    }
    if let Some(importance) = input.importance {
        item.item.importance = Some(importance.to_ews());
    }
    if let Some(sensitivity) = input.sensitivity {
        item.item.sensitivity = Some(match sensitivity {
            GraphSensitivity::Normal => Sensitivity::Normal,
            GraphSensitivity::Personal => Sensitivity::Personal,
            GraphSensitivity::Private => Sensitivity::Private,
            GraphSensitivity::Confidential => Sensitivity::Confidential,
        });
    }
    if let Some(values) = &input.categories {
        item.item.categories = Some(categories(values)?);
    }
    if let Some(properties) = &input.single_value_extended_properties {
        query::merge_properties(
            &mut item.item.extended_properties,
            query::extended_properties(properties)?,
        );
    }
    if let Some(transaction) = &input.transaction_id {
        let transaction = short_text("transactionId", transaction)?;
        query::merge_properties(
            &mut item.item.extended_properties,
            vec![ExtendedProperty::client_request_id(transaction)],
        );
    }
    Ok(())
}

/// What Graph checks once a body is applied: an end after the start, and all-day events on
/// midnights of their zone.
pub fn validate(item: &CalendarItem) -> GraphResult<()> {
    let (Some(start), Some(end)) = (
        item.start.as_ref().and_then(EwsDateTime::to_utc),
        item.end.as_ref().and_then(EwsDateTime::to_utc),
    ) else {
        return Err(GraphError::invalid_property(
            "start",
            "an event needs a start and an end",
        ));
    };
    if end < start {
        return Err(GraphError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            "The end of the event is before its start.",
        ));
    }
    if item.is_all_day_event == Some(true) {
        let zone = Zone::stored(item.start_time_zone.as_ref().and_then(|z| z.id.as_deref()));
        let midnight = |t: DateTime<Utc>| {
            ews::time_zone::utc_to_local(t, &zone.iana).is_ok_and(|l| l.time() == NaiveTime::MIN)
        };
        if !midnight(start) || !midnight(end) || end == start {
            return Err(GraphError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "ErrorPropertyValidationFailure",
                "An all-day event's start and end must be midnights, at least a day apart.",
            ));
        }
    }
    Ok(())
}

/// The client request id stamped on the item (Graph's `transactionId`).
pub fn transaction_id(item: &CalendarItem) -> Option<&str> {
    let wanted = ExtendedFieldUri::client_request_id();
    item.item
        .extended_properties
        .iter()
        .find(|p| p.field.same_property(&wanted))
        .and_then(|p| p.value.as_deref())
}

fn response_name(response: Option<ResponseType>) -> &'static str {
    match response {
        Some(ResponseType::Organizer) => "organizer",
        Some(ResponseType::Accept) => "accepted",
        Some(ResponseType::Tentative) => "tentativelyAccepted",
        Some(ResponseType::Decline) => "declined",
        Some(ResponseType::NoResponseReceived) => "notResponded",
        _ => "none",
    }
}

fn show_as_name(status: Option<LegacyFreeBusy>) -> &'static str {
    match status {
        Some(LegacyFreeBusy::Free) => "free",
        Some(LegacyFreeBusy::Tentative) => "tentative",
        Some(LegacyFreeBusy::Oof) => "oof",
        Some(LegacyFreeBusy::WorkingElsewhere) => "workingElsewhere",
        Some(LegacyFreeBusy::NoData) => "unknown",
        _ => "busy",
    }
}

fn sensitivity_name(sensitivity: Option<Sensitivity>) -> &'static str {
    match sensitivity {
        Some(Sensitivity::Personal) => "personal",
        Some(Sensitivity::Private) => "private",
        Some(Sensitivity::Confidential) => "confidential",
        _ => "normal",
    }
}

/// The display name of an address: as stored, else the directory's, else the address.
pub fn email_address(mailbox: &Mailbox) -> Value {
    let address = mailbox.email_address.clone().unwrap_or_default();
    let name = mailbox.name.clone().unwrap_or_else(|| {
        directory::PEOPLE
            .iter()
            .find(|p| p.email.eq_ignore_ascii_case(&address))
            .map_or_else(|| address.clone(), directory::Person::display_name)
    });
    json!({"name": name, "address": address})
}

fn attendees_json(item: &CalendarItem) -> Vec<Value> {
    let kinds = [
        ("required", &item.required_attendees),
        ("optional", &item.optional_attendees),
        ("resource", &item.resources),
    ];
    kinds
        .iter()
        .flat_map(|(kind, list)| {
            list.iter().map(move |a| {
                json!({
                    "type": kind,
                    "status": {
                        "response": response_name(a.response_type.or(Some(ResponseType::NoResponseReceived))),
                        "time": a.last_response_time.as_ref().and_then(EwsDateTime::to_utc)
                            .map_or_else(|| "0001-01-01T00:00:00Z".to_owned(), time::timestamp),
                    },
                    "emailAddress": email_address(&a.mailbox),
                })
            })
        })
        .collect()
}

fn instant_of(value: Option<&EwsDateTime>) -> DateTime<Utc> {
    value
        .and_then(EwsDateTime::to_utc)
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// The event JSON of a calendar item, its times written in `zone`.
pub fn to_json(item: &CalendarItem, zone: &Zone, with_properties: bool) -> Value {
    let (id, change_key) = item
        .item
        .item_id
        .as_ref()
        .map(|i| (i.id.clone(), i.change_key.clone().unwrap_or_default()))
        .unwrap_or_default();
    let kind = match item.calendar_item_type {
        Some(CalendarItemType::Occurrence) => "occurrence",
        Some(CalendarItemType::Exception) => "exception",
        Some(CalendarItemType::RecurringMaster) => "seriesMaster",
        _ => "singleInstance",
    };
    let series_master = series::parse_occurrence_id(&id).map(|(master, _)| master.to_owned());
    let start_zone = item.start_time_zone.as_ref().and_then(|z| z.id.clone());
    let end_zone = item
        .end_time_zone
        .as_ref()
        .and_then(|z| z.id.clone())
        .or_else(|| start_zone.clone());
    let recurrence_json = match (&item.recurrence, kind) {
        (Some(r), "seriesMaster") => {
            recurrence::to_graph(r, start_zone.as_deref().unwrap_or("UTC"))
        }
        _ => Value::Null,
    };
    let location = item.location.clone().unwrap_or_default();
    let body_text = item
        .item
        .body
        .as_ref()
        .map(|b| b.content.as_str())
        .unwrap_or("");
    let mut event = json!({
        "@odata.etag": etag(&change_key),
        "id": id,
        "createdDateTime": time::timestamp(instant_of(item.item.date_time_created.as_ref())),
        "lastModifiedDateTime": time::timestamp(instant_of(item.item.last_modified_time.as_ref())),
        "changeKey": change_key,
        "categories": item.item.categories.clone().unwrap_or_default(),
        "transactionId": transaction_id(item),
        "originalStartTimeZone": start_zone.as_deref().unwrap_or("UTC"),
        "originalEndTimeZone": end_zone.as_deref().unwrap_or("UTC"),
        "iCalUId": item.uid,
        "reminderMinutesBeforeStart": item.item.reminder_minutes_before_start.unwrap_or(15),
        "isReminderOn": item.item.reminder_is_set.unwrap_or(false),
        "hasAttachments": false,
        "subject": item.item.subject.clone().unwrap_or_default(),
        "bodyPreview": body_text.chars().take(255).collect::<String>(),
        "importance": importance_name(item.item.importance),
        "sensitivity": sensitivity_name(item.item.sensitivity),
        "isAllDay": item.is_all_day_event.unwrap_or(false),
        "isCancelled": item.is_cancelled.unwrap_or(false),
        "isOrganizer": item.my_response_type == Some(ResponseType::Organizer),
        "responseRequested": true,
        "seriesMasterId": series_master,
        "showAs": show_as_name(item.legacy_free_busy_status),
        "type": kind,
        "isOnlineMeeting": false,
        "onlineMeeting": null,
        "responseStatus": {
            "response": response_name(item.my_response_type),
            "time": "0001-01-01T00:00:00Z",
        },
        "body": body_json(item.item.body.as_ref()),
        "start": time::to_graph(instant_of(item.start.as_ref()), zone),
        "end": time::to_graph(instant_of(item.end.as_ref()), zone),
        "location": {"displayName": location, "locationType": "default"},
        "locations": if location.is_empty() { json!([]) } else { json!([{"displayName": location, "locationType": "default"}]) },
        "recurrence": recurrence_json,
        "attendees": attendees_json(item),
        "organizer": {"emailAddress": item.organizer.as_ref().map_or(Value::Null, email_address)},
    });
    if with_properties {
        event["singleValueExtendedProperties"] =
            query::properties_json(&item.item.extended_properties);
    }
    event
}
