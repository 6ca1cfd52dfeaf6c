//! `/me`, `/me/people`, `/places` and `/me/calendar/getSchedule` over the seeded directory and
//! the stored calendars (the same sources as EWS ResolveNames, GetRooms and
//! GetUserAvailability). Other people's calendars show free/busy only: status and times, with
//! subject and location for the caller's own calendar and for rooms.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Duration;
use ews::types::{EwsDateTime, LegacyFreeBusy, Sensitivity};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{GraphError, GraphResult};
use super::query::Query;
use super::time::{self, DateTimeTimeZone};
use super::{Caller, GraphPath, State as Mailbox, collection, json_body};
use crate::mailbox::availability::{busy_type, merged_string};
use crate::mailbox::directory::{self, PEOPLE, Person, ROOM_LISTS, Room};
use crate::mailbox::items;

pub async fn me(Caller(caller): Caller) -> Json<Value> {
    let person = PEOPLE
        .iter()
        .find(|p| p.email.eq_ignore_ascii_case(&caller));
    let display_name = person.map_or_else(
        || caller.split('@').next().unwrap_or(&caller).to_owned(),
        Person::display_name,
    );
    Json(json!({
        "id": caller,
        "displayName": display_name,
        "givenName": person.map(|p| p.given_name),
        "surname": person.map(|p| p.surname),
        "jobTitle": person.map(|p| p.job_title),
        "officeLocation": person.map(|p| p.office),
        "mail": caller,
        "userPrincipalName": caller,
    }))
}

fn person_json(person: &Person) -> Value {
    json!({
        "id": person.email,
        "displayName": person.display_name(),
        "givenName": person.given_name,
        "surname": person.surname,
        "jobTitle": person.job_title,
        "department": person.department,
        "officeLocation": person.office,
        "userPrincipalName": person.email,
        "scoredEmailAddresses": [{"address": person.email, "relevanceScore": 1.0}],
        "personType": {"class": "Person", "subclass": "OrganizationUser"},
    })
}

/// `GET /me/people?$search=…`: people whose name or address contains the words searched.
pub async fn people(Caller(_caller): Caller, RawQuery(raw): RawQuery) -> GraphResult<Json<Value>> {
    let query = Query::parse(raw.as_deref())?;
    let search = query
        .search
        .as_deref()
        .unwrap_or("")
        .trim()
        .trim_matches('"')
        .to_lowercase();
    let top = query.top.unwrap_or(10) as usize;
    let found = PEOPLE
        .iter()
        .filter(|p| {
            let haystack = format!("{} {}", p.display_name(), p.email).to_lowercase();
            search
                .split_whitespace()
                .all(|word| haystack.contains(word))
        })
        .skip(query.skip as usize)
        .take(top)
        .map(person_json)
        .collect();
    Ok(Json(collection(found, None)))
}

fn room_json(room: &Room) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.room",
        "id": room.email,
        "displayName": room.name,
        "emailAddress": room.email,
        "capacity": room.capacity,
        "bookingType": "standard",
    })
}

pub async fn room_lists(Caller(_caller): Caller) -> Json<Value> {
    let lists = ROOM_LISTS
        .iter()
        .map(|list| {
            json!({
                "@odata.type": "#microsoft.graph.roomList",
                "id": list.email,
                "displayName": list.name,
                "emailAddress": list.email,
            })
        })
        .collect();
    Json(collection(lists, None))
}

pub async fn all_rooms(Caller(_caller): Caller) -> Json<Value> {
    Json(collection(
        directory::rooms().map(room_json).collect(),
        None,
    ))
}

/// `GET /places/{roomListEmail}/microsoft.graph.roomlist/rooms`.
pub async fn rooms(
    Caller(_caller): Caller,
    GraphPath(list): GraphPath<String>,
) -> GraphResult<Json<Value>> {
    let list = ROOM_LISTS
        .iter()
        .find(|l| l.email.eq_ignore_ascii_case(&list) || l.name == list)
        .ok_or_else(GraphError::not_found)?;
    Ok(Json(collection(
        list.rooms.iter().map(room_json).collect(),
        None,
    )))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleRequest {
    schedules: Vec<String>,
    start_time: DateTimeTimeZone,
    end_time: DateTimeTimeZone,
    #[serde(default)]
    availability_view_interval: Option<i64>,
}

fn status_name(status: LegacyFreeBusy) -> &'static str {
    match status {
        LegacyFreeBusy::Free => "free",
        LegacyFreeBusy::Tentative => "tentative",
        LegacyFreeBusy::Busy => "busy",
        LegacyFreeBusy::Oof => "oof",
        LegacyFreeBusy::WorkingElsewhere => "workingElsewhere",
        LegacyFreeBusy::NoData => "unknown",
    }
}

/// `POST /me/calendar/getSchedule`.
pub async fn get_schedule(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> GraphResult<Json<Value>> {
    let request: ScheduleRequest = json_body(body)?;
    let (start, _) = request.start_time.resolve("startTime")?;
    let (end, _) = request.end_time.resolve("endTime")?;
    let interval = request.availability_view_interval.unwrap_or(30);
    let invalid =
        |message: &str| GraphError::new(StatusCode::BAD_REQUEST, "ErrorInvalidParameter", message);
    if !(5..=1440).contains(&interval) {
        return Err(invalid(
            "availabilityViewInterval must be between 5 and 1440.",
        ));
    }
    if end <= start || end - start > Duration::days(62) {
        return Err(invalid(
            "endTime must be after startTime, at most 62 days later.",
        ));
    }
    if request.schedules.is_empty() || request.schedules.len() > 100 {
        return Err(invalid("schedules must name 1 to 100 addresses."));
    }
    let zone = time::preferred_zone(&headers);
    let store = &mailbox.store;
    let mut answers = Vec::new();
    for schedule in &request.schedules {
        let address = schedule.trim().to_lowercase();
        if !directory::is_known(&address) && !store.mailbox_exists(&address).await? {
            answers.push(json!({
                "scheduleId": schedule,
                "error": {
                    "message": format!("No mailbox with the address {} exists.", time::truncated(schedule)),
                    "responseCode": "ErrorMailRecipientNotFound",
                },
            }));
            continue;
        }
        let detailed = address == caller || directory::is_room(&address);
        let window =
            items::calendar_window(store, &address, start, end, items::MAX_WINDOW_ITEMS).await?;
        let mut spans = Vec::new();
        let mut schedule_items = Vec::new();
        for item in &window.items {
            let (Some(s), Some(e)) = (
                item.start.as_ref().and_then(EwsDateTime::to_utc),
                item.end.as_ref().and_then(EwsDateTime::to_utc),
            ) else {
                continue;
            };
            let status = busy_type(item);
            spans.push((s, e, status));
            if status == LegacyFreeBusy::Free {
                continue;
            }
            let private = item.item.sensitivity == Some(Sensitivity::Private);
            let mut entry = json!({
                "isPrivate": private,
                "status": status_name(status),
                "start": time::to_graph(s, &zone),
                "end": time::to_graph(e, &zone),
            });
            if detailed && !private {
                entry["subject"] = json!(item.item.subject.clone().unwrap_or_default());
                entry["location"] = json!(item.location.clone().unwrap_or_default());
            }
            schedule_items.push(entry);
        }
        answers.push(json!({
            "scheduleId": schedule,
            "availabilityView": merged_string(start, end, Duration::minutes(interval), &spans),
            "scheduleItems": schedule_items,
            "workingHours": {
                "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                "startTime": "08:00:00.0000000",
                "endTime": "17:00:00.0000000",
                "timeZone": {"name": "UTC"},
            },
        }));
    }
    Ok(Json(collection(answers, None)))
}
