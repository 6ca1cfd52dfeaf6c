//! The fake Graph's answers about one item: read, edit (`PATCH`, with `If-Match` compared to
//! the item's `@odata.etag` as Graph does: 412 when it changed), delete (204) and the event
//! actions (`cancel`, `accept`, `tentativelyAccept`, `decline`: 202 without a body).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::Operation;
use super::answers::{
    MEETING_PROPERTIES, StoredEvent, TASK_PROPERTIES, event_json, graph_error, properties_of,
    selected, task_json, time_of,
};
use super::fake::{DEFAULT_LIST, FakeGraph};

fn not_found() -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

fn precondition_failed() -> Response {
    graph_error(
        StatusCode::PRECONDITION_FAILED,
        "ErrorIrresolvableConflict",
        "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
    )
}

/// Whether `If-Match` (absent: any version) names the item's current ETag.
fn matches(if_match: Option<&str>, etag: &Value) -> bool {
    if_match.is_none_or(|tag| tag == "*" || Some(tag) == etag.as_str())
}

impl FakeGraph {
    /// The answer for an item operation, `None` for the others.
    pub(super) fn run_item(
        &self,
        operation: Operation,
        segments: &[String],
        query: &[(String, String)],
        body: Option<&Value>,
        if_match: Option<String>,
    ) -> Option<Response> {
        let if_match = if_match.as_deref();
        Some(match operation {
            Operation::GetEvent
            | Operation::UpdateEvent
            | Operation::DeleteEvent
            | Operation::EventAction => {
                self.event_operation(operation, segments, query, body, if_match)
            }
            Operation::GetTask | Operation::UpdateTask | Operation::DeleteTask => {
                self.task_operation(operation, segments, body, if_match)
            }
            Operation::People
            | Operation::RoomLists
            | Operation::Rooms
            | Operation::GetSchedule => self.directory_operation(operation, segments, query, body),
            _ => return None,
        })
    }

    fn event_operation(
        &self,
        operation: Operation,
        segments: &[String],
        query: &[(String, String)],
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Response {
        let mut mailbox = self.mailbox.lock().unwrap();
        let Some(index) = mailbox.events.iter().position(|e| e.id == segments[2]) else {
            return not_found();
        };
        let current = event_json(&mailbox.events[index]);
        match operation {
            Operation::GetEvent => axum::Json(selected(current, query)).into_response(),
            Operation::UpdateEvent => {
                if !matches(if_match, &current["@odata.etag"]) {
                    return precondition_failed();
                }
                let Some(body) = body else {
                    return graph_error(
                        StatusCode::BAD_REQUEST,
                        "invalidRequest",
                        "Empty Payload.",
                    );
                };
                let event = &mut mailbox.events[index];
                apply_event_changes(event, body);
                axum::Json(event_json(event)).into_response()
            }
            Operation::DeleteEvent => {
                if !matches(if_match, &current["@odata.etag"]) {
                    return precondition_failed();
                }
                mailbox.events.remove(index);
                StatusCode::NO_CONTENT.into_response()
            }
            _ => {
                let event = &mut mailbox.events[index];
                let organizer = event.response == "organizer";
                match (segments[3].as_str(), organizer) {
                    ("cancel", true) => event.cancelled = true,
                    ("accept", false) => event.response = "accepted".into(),
                    ("tentativelyAccept", false) => event.response = "tentativelyAccepted".into(),
                    ("decline", false) => event.response = "declined".into(),
                    ("cancel", false) => {
                        return graph_error(
                            StatusCode::BAD_REQUEST,
                            "ErrorAccessDenied",
                            "Your request can't be completed. You need to be an organizer to cancel a meeting.",
                        );
                    }
                    ("accept" | "tentativelyAccept" | "decline", true) => {
                        return graph_error(
                            StatusCode::BAD_REQUEST,
                            "ErrorInvalidRequest",
                            "Your request can't be completed. You can't respond to a meeting you organized.",
                        );
                    }
                    _ => {
                        return graph_error(
                            StatusCode::BAD_REQUEST,
                            "invalidRequest",
                            "Resource not found for the segment.",
                        );
                    }
                }
                event.version += 1;
                StatusCode::ACCEPTED.into_response()
            }
        }
    }

    fn task_operation(
        &self,
        operation: Operation,
        segments: &[String],
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Response {
        if segments[3] != DEFAULT_LIST {
            return not_found();
        }
        let mut mailbox = self.mailbox.lock().unwrap();
        let Some(index) = mailbox.tasks.iter().position(|t| t.id == segments[5]) else {
            return not_found();
        };
        let current = task_json(&mailbox.tasks[index]);
        if operation != Operation::GetTask && !matches(if_match, &current["@odata.etag"]) {
            return precondition_failed();
        }
        match operation {
            Operation::GetTask => axum::Json(current).into_response(),
            Operation::DeleteTask => {
                mailbox.tasks.remove(index);
                StatusCode::NO_CONTENT.into_response()
            }
            _ => {
                let body = body.cloned().unwrap_or_default();
                let task = &mut mailbox.tasks[index];
                if let Some(title) = body["title"].as_str() {
                    task.title = title.to_owned();
                }
                if let Some(content) = body["body"]["content"].as_str() {
                    task.body = content.to_owned();
                }
                if let Some(status) = body["status"].as_str() {
                    task.status = status.to_owned();
                }
                if let Some(due) = body.get("dueDateTime") {
                    task.due = (!due.is_null()).then(|| due.clone());
                }
                task.fields.extend(properties_of(&body, TASK_PROPERTIES));
                task.version += 1;
                axum::Json(task_json(task)).into_response()
            }
        }
    }
}

fn apply_event_changes(event: &mut StoredEvent, body: &Value) {
    if let Some(subject) = body["subject"].as_str() {
        event.subject = subject.to_owned();
    }
    if let Some(content) = body["body"]["content"].as_str() {
        event.body = content.to_owned();
    }
    if let Some(name) = body["location"]["displayName"].as_str() {
        event.location = name.to_owned();
    }
    if let Some(start) = time_of(body, "start") {
        event.start = start;
    }
    if let Some(end) = time_of(body, "end") {
        event.end = end;
    }
    event
        .meeting
        .extend(properties_of(body, MEETING_PROPERTIES));
    event.version += 1;
}

impl FakeGraph {
    /// An invitation from `organizer` in the user's calendar (the user has not answered).
    pub fn invite(&self, subject: &str, start: &str, end: &str, organizer: &str) -> String {
        let at = |text: &str| text.parse().unwrap();
        let mut mailbox = self.mailbox.lock().unwrap();
        let id = mailbox.new_id("AAMkAGI1AAAt");
        mailbox.events.push(StoredEvent {
            id: id.clone(),
            subject: subject.to_owned(),
            body: String::new(),
            start: at(start),
            end: at(end),
            location: String::new(),
            properties: Vec::new(),
            transaction_id: None,
            meeting: Default::default(),
            version: 1,
            response: "notResponded".into(),
            organizer: organizer.to_owned(),
            cancelled: false,
        });
        id
    }
}
