//! An in-memory Microsoft Graph for one user: events, a calendar view with `$top`/`$skip` paging
//! through `@odata.nextLink`, To Do lists and tasks. Answers are Microsoft's examples from
//! `tests/graph_fixtures/` with the stored values put in, and honour `$select`.
//!
//! Like real Graph it is strict about what it understands: an unknown path, a calendar view
//! without its range or a `$filter` it cannot read answers 400 `invalidRequest`. It does not
//! deduplicate by `transactionId`, so a test of the proxy's own duplicate guard proves the
//! guard, not the server's.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};

use super::answers::{
    MEETING_PROPERTIES, StoredEvent, StoredTask, TASK_PROPERTIES, collection, event_json,
    extended_property_filter, fixture, graph_error, properties_of, selected, task_json, time_of,
};
use super::{Fault, GraphUpstream, Operation, Seen};
use crate::common::ALICE_TOKEN;

const BASE_PATH: &str = "/v1.0";
pub const DEFAULT_LIST: &str = "AAMkADIyAAAAABrJAAA=";
/// The signed-in user's address, as Graph names the organizer of what they create.
pub const ALICE_ADDRESS: &str = "alice@example.com";

#[derive(Default)]
pub(super) struct Mailbox {
    pub events: Vec<StoredEvent>,
    pub tasks: Vec<StoredTask>,
    next_id: u64,
    clock: Option<DateTime<Utc>>,
    /// Free/busy by address (lower case): (start, end, status). Others are unknown.
    pub busy: Vec<(String, DateTime<Utc>, DateTime<Utc>, String)>,
    pub known: Vec<String>,
}

impl Mailbox {
    pub fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:06}AAA=", self.next_id)
    }

    /// Creation times strictly increase, as Exchange's do for one mailbox.
    fn now(&mut self) -> DateTime<Utc> {
        let now = Utc::now().max(
            self.clock
                .map_or(Utc::now(), |c| c + Duration::milliseconds(1)),
        );
        self.clock = Some(now);
        now
    }
}

pub struct FakeGraph {
    pub(super) base: String,
    /// Largest page Graph answers whatever `$top` asks (Graph's own caps, made small).
    pub(super) page_cap: usize,
    pub(super) mailbox: Mutex<Mailbox>,
    script: Mutex<VecDeque<(Operation, Fault)>>,
    seen: Mutex<Vec<Seen>>,
}

impl FakeGraph {
    /// Binds on a free loopback port; answers at most `page_cap` items per page.
    pub async fn spawn(page_cap: usize) -> Arc<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let fake = Arc::new(FakeGraph {
            base: format!("http://{addr}{BASE_PATH}"),
            page_cap,
            mailbox: Mutex::default(),
            script: Mutex::default(),
            seen: Mutex::default(),
        });
        let router = Router::new().fallback(handle).with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        fake
    }
}

impl GraphUpstream for FakeGraph {
    fn endpoint(&self) -> String {
        self.base.clone()
    }

    fn push(&self, operation: Operation, fault: Fault) {
        self.script.lock().unwrap().push_back((operation, fault));
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn events(&self) -> usize {
        self.mailbox.lock().unwrap().events.len()
    }

    fn tasks(&self) -> usize {
        self.mailbox.lock().unwrap().tasks.len()
    }
}

fn classify(method: &Method, segments: &[String], query: &[(String, String)]) -> Operation {
    let has = |name: &str| query.iter().any(|(n, _)| n == name);
    let path: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (method.as_str(), path.as_slice()) {
        ("POST", ["me", "events"]) => Operation::CreateEvent,
        ("GET", ["me", "events"]) => Operation::FindEvent,
        ("GET", ["me", "calendarView"]) => Operation::CalendarView,
        ("GET", ["me", "todo", "lists"]) => Operation::ListLists,
        ("POST", ["me", "todo", "lists", _, "tasks"]) => Operation::CreateTask,
        ("GET", ["me", "todo", "lists", _, "tasks"]) if has("$skip") => Operation::ListTasks,
        ("GET", ["me", "todo", "lists", _, "tasks"]) => Operation::FindTask,
        ("GET", ["me", "events", _]) => Operation::GetEvent,
        ("PATCH", ["me", "events", _]) => Operation::UpdateEvent,
        ("DELETE", ["me", "events", _]) => Operation::DeleteEvent,
        ("POST", ["me", "events", _, _]) => Operation::EventAction,
        ("GET", ["me", "todo", "lists", _, "tasks", _]) => Operation::GetTask,
        ("PATCH", ["me", "todo", "lists", _, "tasks", _]) => Operation::UpdateTask,
        ("DELETE", ["me", "todo", "lists", _, "tasks", _]) => Operation::DeleteTask,
        ("GET", ["me", "people"]) => Operation::People,
        ("GET", ["places", "microsoft.graph.roomlist"]) => Operation::RoomLists,
        ("GET", ["places", _, "microsoft.graph.roomlist", "rooms"]) => Operation::Rooms,
        ("POST", ["me", "calendar", "getSchedule"]) => Operation::GetSchedule,
        _ => Operation::Other,
    }
}

async fn handle(
    State(fake): State<Arc<FakeGraph>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(path) = uri.path().strip_prefix(BASE_PATH) else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "invalidRequest",
            "Invalid version.",
        );
    };
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let operation = classify(&method, &segments, &query);
    let body: Option<Value> = serde_json::from_slice(&body).ok();
    let seen = Seen {
        operation,
        path: path.to_owned(),
        query: query.clone(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        body: body.clone(),
    };
    fake.seen.lock().unwrap().push(seen);

    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(ALICE_TOKEN) {
        return graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token validation failure.",
        );
    }
    let fault = {
        let mut script = fake.script.lock().unwrap();
        match script.front() {
            Some((op, _)) if *op == operation => script.pop_front().map(|(_, f)| f),
            _ => None,
        }
    };
    if let Some(Fault::Status {
        status,
        retry_after,
        body,
    }) = &fault
    {
        let mut response = (
            StatusCode::from_u16(*status).unwrap(),
            [(header::CONTENT_TYPE, "application/json")],
            body.clone().unwrap_or_default(),
        )
            .into_response();
        if let Some(wait) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, wait.parse().unwrap());
        }
        return response;
    }
    let if_match = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let response = match fake.run_item(operation, &segments, &query, body.as_ref(), if_match) {
        Some(response) => response,
        None => fake.run(operation, &segments, &query, body.as_ref()),
    };
    match fault {
        Some(Fault::RunThenStall(wait)) => {
            tokio::time::sleep(wait).await;
            response
        }
        Some(Fault::RunThenGatewayError(status)) => (
            StatusCode::from_u16(status).unwrap(),
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>Bad Gateway</h1></body></html>",
        )
            .into_response(),
        _ => response,
    }
}

impl FakeGraph {
    fn run(
        &self,
        operation: Operation,
        segments: &[String],
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Response {
        let path = format!("/{}", segments.join("/"));
        let invalid =
            |message: &str| graph_error(StatusCode::BAD_REQUEST, "invalidRequest", message);
        let mut mailbox = self.mailbox.lock().unwrap();
        match operation {
            Operation::CreateEvent => {
                let Some(body) = body else {
                    return invalid("Empty Payload, JSON content expected.");
                };
                let time = |name: &str| time_of(body, name);
                let (Some(subject), Some(start), Some(end)) =
                    (body["subject"].as_str(), time("start"), time("end"))
                else {
                    return invalid("subject, start and end are required.");
                };
                let properties = body["singleValueExtendedProperties"]
                    .as_array()
                    .map(|list| {
                        list.iter()
                            .filter_map(|p| {
                                Some((
                                    p["id"].as_str()?.to_owned(),
                                    p["value"].as_str()?.to_owned(),
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let event = StoredEvent {
                    id: mailbox.new_id("AAMkAGI1AAAt"),
                    subject: subject.to_owned(),
                    body: body["body"]["content"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    start,
                    end,
                    location: body["location"]["displayName"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    properties,
                    transaction_id: body["transactionId"].as_str().map(str::to_owned),
                    meeting: properties_of(body, MEETING_PROPERTIES),
                    version: 1,
                    response: "organizer".into(),
                    organizer: ALICE_ADDRESS.into(),
                    cancelled: false,
                };
                mailbox.events.push(event.clone());
                (StatusCode::CREATED, axum::Json(event_json(&event))).into_response()
            }
            Operation::FindEvent => {
                let filter = query.iter().find(|(n, _)| n == "$filter").map(|(_, v)| v);
                let Some((id, value)) = filter.and_then(|f| extended_property_filter(f)) else {
                    return invalid("Invalid filter clause.");
                };
                // The id's Name part is compared exactly, the value ignoring case (as documented).
                let found = mailbox
                    .events
                    .iter()
                    .filter(|e| {
                        e.properties
                            .iter()
                            .any(|(i, v)| *i == id && v.eq_ignore_ascii_case(&value))
                    })
                    .map(|e| selected(event_json(e), query))
                    .collect();
                collection(&self.base, &path, query, found, self.page_cap)
            }
            Operation::CalendarView => {
                let bound = |name: &str| {
                    query
                        .iter()
                        .find(|(n, _)| n == name)
                        .and_then(|(_, v)| DateTime::parse_from_rfc3339(v).ok())
                        .map(|t| t.with_timezone(&Utc))
                };
                let (Some(start), Some(end)) = (bound("startDateTime"), bound("endDateTime"))
                else {
                    return invalid(
                        "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
                    );
                };
                let mut events: Vec<&StoredEvent> = mailbox
                    .events
                    .iter()
                    .filter(|e| e.start < end && (e.end > start || e.start >= start))
                    .collect();
                events.sort_by_key(|e| e.start);
                let all = events
                    .into_iter()
                    .map(|e| selected(event_json(e), query))
                    .collect();
                collection(&self.base, &path, query, all, self.page_cap)
            }
            Operation::ListLists => {
                let lists = fixture("todo-list-lists.response.json")["value"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                collection(&self.base, &path, query, lists, self.page_cap)
            }
            Operation::CreateTask | Operation::ListTasks | Operation::FindTask
                if segments[3] != DEFAULT_LIST =>
            {
                graph_error(
                    StatusCode::NOT_FOUND,
                    "ErrorItemNotFound",
                    "The specified object was not found in the store.",
                )
            }
            Operation::CreateTask => {
                let Some(title) = body.and_then(|b| b["title"].as_str()) else {
                    return invalid("title is required.");
                };
                let body = body.cloned().unwrap_or_default();
                let linked = body["linkedResources"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                    .map(|(n, mut resource)| {
                        resource["id"] = json!(format!("linked-{n}"));
                        resource
                    })
                    .collect();
                let task = StoredTask {
                    id: mailbox.new_id("AlMKXwbQAAAJws"),
                    title: title.to_owned(),
                    body: body["body"]["content"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    status: body["status"].as_str().unwrap_or("notStarted").to_owned(),
                    due: body.get("dueDateTime").cloned(),
                    created: mailbox.now(),
                    linked,
                    fields: properties_of(&body, TASK_PROPERTIES),
                    version: 1,
                };
                mailbox.tasks.push(task.clone());
                (StatusCode::CREATED, axum::Json(task_json(&task))).into_response()
            }
            Operation::ListTasks | Operation::FindTask => {
                let param = |name: &str| query.iter().find(|(n, _)| n == name).map(|(_, v)| v);
                let mut tasks = mailbox.tasks.clone();
                match param("$orderby").map(String::as_str) {
                    Some("createdDateTime desc") => tasks.reverse(),
                    // Tasks without a due date first: where Graph puts them is not documented.
                    Some("dueDateTime/dateTime") => tasks.sort_by_key(|t| {
                        t.due
                            .as_ref()
                            .and_then(|d| d["dateTime"].as_str().map(str::to_owned))
                    }),
                    None => {}
                    Some(other) => return invalid(&format!("Invalid $orderby '{other}'.")),
                }
                match param("$filter").map(String::as_str) {
                    Some("status ne 'completed'") => tasks.retain(|t| t.status != "completed"),
                    Some("status eq 'completed'") => tasks.retain(|t| t.status == "completed"),
                    None => {}
                    Some(other) => return invalid(&format!("Invalid filter clause '{other}'.")),
                }
                let all = tasks.iter().map(task_json).collect();
                collection(&self.base, &path, query, all, self.page_cap)
            }
            _ => invalid("Resource not found for the segment."),
        }
    }
}
