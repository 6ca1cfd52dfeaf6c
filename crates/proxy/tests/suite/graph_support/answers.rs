//! How the fake Graph words its answers: Microsoft's examples from `tests/graph_fixtures/`
//! with the stored values put in, Graph's error shape, collections with next links, `$select`.

use std::path::PathBuf;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/graph_fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub id: String,
    pub subject: String,
    pub body: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub location: String,
    pub properties: Vec<(String, String)>,
    pub transaction_id: Option<String>,
    /// The meeting properties as last sent ([`MEETING_PROPERTIES`]).
    pub meeting: serde_json::Map<String, Value>,
    /// Bumped by every change: the change key and ETag follow it.
    pub version: u32,
    /// The user's own answer (`organizer` for what they created).
    pub response: String,
    pub organizer: String,
    pub cancelled: bool,
}

/// The event properties the fake stores as sent (besides subject, body, times, location).
pub const MEETING_PROPERTIES: &[&str] = &[
    "isAllDay",
    "isReminderOn",
    "reminderMinutesBeforeStart",
    "showAs",
    "importance",
    "sensitivity",
    "categories",
    "attendees",
    "recurrence",
];

/// The todoTask properties the fake stores as sent (besides title, body, status, due date).
pub const TASK_PROPERTIES: &[&str] = &[
    "startDateTime",
    "importance",
    "categories",
    "isReminderOn",
    "reminderDateTime",
    "recurrence",
];

/// The instant of a `dateTimeTimeZone` property of `body`.
pub fn time_of(body: &Value, name: &str) -> Option<DateTime<Utc>> {
    serde_json::from_value::<proxy::mailbox::graph::wire::DateTimeTimeZone>(body[name].clone())
        .ok()
        .and_then(|t| t.to_utc())
}

/// The properties of `names` that `body` holds.
pub fn properties_of(body: &Value, names: &[&str]) -> serde_json::Map<String, Value> {
    names
        .iter()
        .filter_map(|name| Some(((*name).to_owned(), body.get(*name)?.clone())))
        .collect()
}

#[derive(Clone, Debug)]
pub struct StoredTask {
    pub id: String,
    pub title: String,
    pub body: String,
    pub status: String,
    pub due: Option<Value>,
    pub created: DateTime<Utc>,
    pub linked: Vec<Value>,
    pub fields: serde_json::Map<String, Value>,
    pub version: u32,
}

pub fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"code": code, "message": message,
            "innerError": {"request-id": "fake", "date": "2026-11-30T00:00:00"}}})),
    )
        .into_response()
}

/// `$select`: only the named properties (and the id and ETag, which Graph always adds).
pub fn selected(mut item: Value, query: &[(String, String)]) -> Value {
    let Some((_, select)) = query.iter().find(|(n, _)| n == "$select") else {
        return item;
    };
    let keep: Vec<&str> = select.split(',').map(str::trim).collect();
    if let Value::Object(map) = &mut item {
        map.retain(|k, _| k == "id" || k == "@odata.etag" || keep.contains(&k.as_str()));
    }
    item
}

fn graph_time(instant: DateTime<Utc>) -> Value {
    json!({"dateTime": format!("{}.0000000", instant.format("%Y-%m-%dT%H:%M:%S")), "timeZone": "UTC"})
}

pub fn event_json(event: &StoredEvent) -> Value {
    let mut item = fixture("user-post-events.response.json");
    let change_key = format!("ck-{}-{}", event.id, event.version);
    item["@odata.etag"] = json!(format!("W/\"{change_key}\""));
    item["id"] = json!(event.id);
    item["changeKey"] = json!(change_key);
    item["subject"] = json!(event.subject);
    item["bodyPreview"] = json!(event.body);
    item["body"] = json!({"contentType": "text", "content": event.body});
    item["start"] = graph_time(event.start);
    item["end"] = graph_time(event.end);
    item["originalStartTimeZone"] = json!("UTC");
    item["originalEndTimeZone"] = json!("UTC");
    item["location"]["displayName"] = json!(event.location);
    item["location"]["uniqueId"] = json!(event.location);
    item["locations"][0]["displayName"] = json!(event.location);
    if let Some(id) = &event.transaction_id {
        item["transactionId"] = json!(id);
    }
    item["attendees"] = json!([]);
    for (name, value) in &event.meeting {
        item[name] = value.clone();
    }
    // Graph adds each attendee's answer.
    if let Some(attendees) = item["attendees"].as_array_mut() {
        for attendee in attendees {
            attendee["status"] = json!({"response": "none", "time": "0001-01-01T00:00:00Z"});
        }
    }
    item["organizer"] = json!({"emailAddress": {"name": "", "address": event.organizer}});
    item["responseStatus"] = json!({"response": event.response, "time": "0001-01-01T00:00:00Z"});
    item["isCancelled"] = json!(event.cancelled);
    item["type"] = json!(if event
        .meeting
        .get("recurrence")
        .is_some_and(|r| !r.is_null())
    {
        "seriesMaster"
    } else {
        "singleInstance"
    });
    item
}

pub fn task_json(task: &StoredTask) -> Value {
    let mut item = fixture("todotasklist-post-tasks.response.json");
    item["@odata.etag"] = json!(format!("W/\"etag-{}-{}\"", task.id, task.version));
    item["id"] = json!(task.id);
    item["title"] = json!(task.title);
    item["status"] = json!(task.status);
    item["createdDateTime"] = json!(
        task.created
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    );
    item["lastModifiedDateTime"] = item["createdDateTime"].clone();
    item["body"] = json!({"content": task.body, "contentType": "text"});
    item["linkedResources"] = json!(task.linked);
    if let Some(due) = &task.due {
        item["dueDateTime"] = due.clone();
    }
    for (name, value) in &task.fields {
        item[name] = value.clone();
    }
    item
}

/// `value` and, when more follow, a next link that repeats the query with a later `$skip`.
pub fn collection(
    base: &str,
    path: &str,
    query: &[(String, String)],
    all: Vec<Value>,
    page_cap: usize,
) -> Response {
    let param = |name: &str| {
        query
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    let skip = param("$skip").unwrap_or(0);
    let top = param("$top").unwrap_or(10).min(page_cap);
    let page: Vec<Value> = all.iter().skip(skip).take(top).cloned().collect();
    let mut answer = json!({ "value": page });
    if skip + top < all.len() {
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in query.iter().filter(|(n, _)| n != "$skip") {
            next.append_pair(name, value);
        }
        next.append_pair("$skip", &(skip + top).to_string());
        answer["@odata.nextLink"] = json!(format!("{base}{path}?{}", next.finish()));
    }
    axum::Json(answer).into_response()
}

/// `singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')`, the documented
/// form; `None` for anything else.
pub fn extended_property_filter(filter: &str) -> Option<(String, String)> {
    let inner = filter
        .strip_prefix("singleValueExtendedProperties/Any(ep: ep/id eq '")?
        .strip_suffix("')")?;
    let (id, value) = inner.split_once("' and ep/value eq '")?;
    Some((id.replace("''", "'"), value.replace("''", "'")))
}
