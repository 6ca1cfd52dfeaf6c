//! What the API-level Graph tests need: a Microsoft Graph to point the proxy at, scripted
//! faults in front of it, and the proxy configured with `backend = "graph"`.
//!
//! Tests talk to the Graph side only through [`GraphUpstream`], so that the same tests can run
//! against any server that speaks Graph: today [`fake::FakeGraph`] (in memory, answering in
//! the shapes of Microsoft's examples in `tests/graph_fixtures/`), later the sandbox mailbox's
//! Graph front end behind a fault injector.
#![allow(dead_code)] // each test binary uses a different part of the harness

mod answers;
mod directory;
pub mod fake;
mod items;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use model::ApiErrorBody;
use proxy::config::{Config, ConfigLayer};
use reqwest::StatusCode;

use crate::common::{Harness, Options, TestApp, spawn_configured};
use fake::FakeGraph;

/// The Graph requests the backend makes, as a server tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST /me/events`
    CreateEvent,
    /// `GET /me/events?$filter=…` (looking for an earlier attempt's event)
    FindEvent,
    /// `GET /me/calendarView` (first page or a next link)
    CalendarView,
    /// `GET /me/todo/lists`
    ListLists,
    /// `POST /me/todo/lists/{id}/tasks`
    CreateTask,
    /// `GET /me/todo/lists/{id}/tasks` with `$skip` (a page of the listing)
    ListTasks,
    /// `GET /me/todo/lists/{id}/tasks` without `$skip` (looking for an earlier attempt's task)
    FindTask,
    /// `GET /me/events/{id}`
    GetEvent,
    /// `PATCH /me/events/{id}`
    UpdateEvent,
    /// `DELETE /me/events/{id}`
    DeleteEvent,
    /// `POST /me/events/{id}/{cancel|accept|tentativelyAccept|decline}`
    EventAction,
    /// `GET /me/todo/lists/{id}/tasks/{id}`
    GetTask,
    /// `PATCH /me/todo/lists/{id}/tasks/{id}`
    UpdateTask,
    /// `DELETE /me/todo/lists/{id}/tasks/{id}`
    DeleteTask,
    /// `GET /me/people?$search=`
    People,
    /// `GET /places/microsoft.graph.roomlist`
    RoomLists,
    /// `GET /places/{list}/microsoft.graph.roomlist/rooms`
    Rooms,
    /// `POST /me/calendar/getSchedule`
    GetSchedule,
    /// Anything else (answered 400, as Graph answers what it cannot route).
    Other,
}

/// What to do with the next request of an operation instead of answering it normally.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer `status` (with `Retry-After` and a JSON body when given) without running it.
    Status {
        status: u16,
        retry_after: Option<String>,
        body: Option<String>,
    },
    /// Run the request, then hold the answer this long (past the proxy's timeout).
    RunThenStall(Duration),
    /// Run the request, then answer `status` with a non-Graph body (a gateway's HTML page).
    RunThenGatewayError(u16),
}

impl Fault {
    /// A Graph error answer (`{"error": {"code", "message"}}`), not run.
    pub fn graph_error(status: u16, code: &str, message: &str) -> Self {
        Fault::Status {
            status,
            retry_after: None,
            body: Some(
                serde_json::json!({"error": {"code": code, "message": message}}).to_string(),
            ),
        }
    }
}

/// One request a Graph server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub operation: Operation,
    pub path: String,
    /// Query parameters, decoded.
    pub query: Vec<(String, String)>,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A server that speaks Microsoft Graph for the test user (token `common::ALICE_TOKEN`).
pub trait GraphUpstream: Send + Sync {
    /// The root to configure as `graph.endpoint` (`http://127.0.0.1:PORT/v1.0`).
    fn endpoint(&self) -> String;
    /// The next request of `operation` meets `fault` (faults queue in order).
    fn push(&self, operation: Operation, fault: Fault);
    /// Every request seen so far, in order.
    fn seen(&self) -> Vec<Seen>;
    /// How many events the user's calendar holds.
    fn events(&self) -> usize;
    /// How many tasks the user's default To Do list holds.
    fn tasks(&self) -> usize;

    fn operations(&self) -> Vec<Operation> {
        self.seen().iter().map(|s| s.operation).collect()
    }

    fn count(&self, operation: Operation) -> usize {
        self.operations()
            .iter()
            .filter(|o| **o == operation)
            .count()
    }
}

/// The proxy with `backend = "graph"` pointed at `graph`, after `tweak` of the harness's
/// options (retry budget, timeout, …).
pub async fn spawn_graph_app(
    harness: &Harness,
    graph: &dyn GraphUpstream,
    tweak: impl FnOnce(&mut Options),
) -> TestApp {
    let mut options = harness.options();
    tweak(&mut options);
    let graph_layer = ConfigLayer::from_toml(
        &format!(
            "backend = \"graph\"\n[graph]\nendpoint = \"{}\"\n",
            graph.endpoint()
        ),
        Path::new("graph.toml"),
    )
    .unwrap();
    let config = Config::resolve([crate::common::config_layer(&options), graph_layer]).unwrap();
    spawn_configured(config, options).await
}

/// A fake Graph answering at most `page_cap` items per page, and the proxy in front of it.
pub async fn setup(page_cap: usize) -> (Harness, Arc<FakeGraph>, TestApp) {
    let harness = Harness::new().await;
    let graph = FakeGraph::spawn(page_cap).await;
    let app = spawn_graph_app(&harness, graph.as_ref(), |_| {}).await;
    (harness, graph, app)
}

pub async fn create_task(app: &TestApp, body: serde_json::Value) -> reqwest::Response {
    app.post("/api/tasks").json(&body).send().await.unwrap()
}

/// An error answer: its status and the API's error body.
pub async fn error_of(response: reqwest::Response) -> (StatusCode, ApiErrorBody) {
    let status = response.status();
    (status, response.json().await.unwrap())
}
