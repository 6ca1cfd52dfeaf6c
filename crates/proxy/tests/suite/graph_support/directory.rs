//! The fake Graph's directory and free/busy: people found by `$search="…"` among Microsoft's
//! example people and one room, Microsoft's example room lists and rooms, and getSchedule over
//! the busy times a test sets (an address it never set is unknown to this tenant).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Operation;
use super::answers::{collection, fixture, graph_error, time_of};
use super::fake::FakeGraph;

/// A room as the People API lists it (Microsoft's person example, made a room).
fn room_person() -> Value {
    let mut room = fixture("user-list-people.response.json")["value"][1].clone();
    room["id"] = json!("f3c1b9d2-0000-4000-8000-000000000412");
    room["displayName"] = json!("Conf Room 412");
    room["givenName"] = Value::Null;
    room["surname"] = Value::Null;
    room["userPrincipalName"] = json!("room-412@contoso.com");
    room["scoredEmailAddresses"] =
        json!([{"address": "room-412@contoso.com", "relevanceScore": 5.0}]);
    room["personType"] = json!({"class": "Other", "subclass": "Room"});
    room
}

fn utc_time(instant: DateTime<Utc>) -> Value {
    json!({"dateTime": format!("{}.0000000", instant.format("%Y-%m-%dT%H:%M:%S")), "timeZone": "UTC"})
}

impl FakeGraph {
    /// `address` is busy (`status`) over [start, end); it becomes a known address.
    pub fn set_busy(&self, address: &str, start: &str, end: &str, status: &str) {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        let mut mailbox = self.mailbox.lock().unwrap();
        mailbox.busy.push((
            address.to_lowercase(),
            at(start),
            at(end),
            status.to_owned(),
        ));
        mailbox.known.push(address.to_lowercase());
    }

    pub(super) fn directory_operation(
        &self,
        operation: Operation,
        segments: &[String],
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Response {
        let path = format!("/{}", segments.join("/"));
        let invalid =
            |message: &str| graph_error(StatusCode::BAD_REQUEST, "invalidRequest", message);
        match operation {
            Operation::People => {
                let search = query.iter().find(|(n, _)| n == "$search").map(|(_, v)| v);
                // The documented form is a quoted phrase: `$search="word"`.
                let Some(phrase) = search
                    .and_then(|s| s.strip_prefix('"'))
                    .and_then(|s| s.strip_suffix('"'))
                else {
                    return invalid("Invalid $search: expected a quoted phrase.");
                };
                let phrase = phrase.to_lowercase();
                let mut people = fixture("user-list-people.response.json")["value"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                people.push(room_person());
                people.retain(|p| {
                    p["displayName"]
                        .as_str()
                        .unwrap_or("")
                        .to_lowercase()
                        .contains(&phrase)
                        || p["scoredEmailAddresses"][0]["address"]
                            .as_str()
                            .unwrap_or("")
                            .to_lowercase()
                            .starts_with(&phrase)
                });
                collection(&self.base, &path, query, people, self.page_cap)
            }
            Operation::RoomLists => {
                let lists = fixture("place-list-roomlists.response.json")["value"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                collection(&self.base, &path, query, lists, self.page_cap)
            }
            Operation::Rooms => {
                let rooms = if segments[1] == "bldg2@contoso.com" {
                    fixture("place-list-rooms.response.json")["value"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                collection(&self.base, &path, query, rooms, self.page_cap)
            }
            _ => {
                let Some(body) = body else {
                    return invalid("Empty Payload, JSON content expected.");
                };
                let time = |name: &str| time_of(body, name);
                let (Some(start), Some(end), Some(schedules)) = (
                    time("startTime"),
                    time("endTime"),
                    body["schedules"].as_array(),
                ) else {
                    return invalid("schedules, startTime and endTime are required.");
                };
                let mailbox = self.mailbox.lock().unwrap();
                // Graph answers per schedule; this fake answers them in reverse order, so
                // that only matching by scheduleId puts them right.
                let answers: Vec<Value> = schedules
                    .iter()
                    .rev()
                    .filter_map(Value::as_str)
                    .map(|address| {
                        let key = address.to_lowercase();
                        if !mailbox.known.contains(&key) {
                            return json!({"scheduleId": address, "availabilityView": "",
                                "error": {"message": "The user or resource could not be found.",
                                          "responseCode": "ErrorMailRecipientNotFound"}});
                        }
                        let items: Vec<Value> = mailbox
                            .busy
                            .iter()
                            .filter(|(a, s, e, _)| *a == key && *s < end && *e > start)
                            .map(|(_, s, e, status)| {
                                json!({"status": status, "start": utc_time(*s), "end": utc_time(*e)})
                            })
                            .collect();
                        json!({"scheduleId": address, "availabilityView": "", "scheduleItems": items})
                    })
                    .collect();
                axum::Json(json!({"value": answers})).into_response()
            }
        }
    }
}
