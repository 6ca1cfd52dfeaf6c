//! The JSON API with `backend = "graph"`, against a server that answers like Microsoft Graph:
//! creates read back, calendar and task paging across Graph's next links and our cursors,
//! Graph's errors turned into the API's, and the start refused with a sign-in Graph cannot
//! use. The Graph side is reached only through `GraphUpstream`, so the same tests can run
//! against another Graph-speaking server. Throttling and lost answers: `graph_resilience.rs`.

use crate::common;
use crate::graph_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use graph_support::{
    Fault, GraphUpstream, Operation, create_task, error_of, setup, spawn_graph_app,
};
use model::{Appointment, Page, Task};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_appointment_is_created_in_the_forms_zone_and_read_back() {
    let (_harness, graph, app) = setup(50).await;
    let response = app.create_appointment("Budget review").await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let created: Appointment = response.json().await.unwrap();
    assert_eq!(
        created.start,
        "2026-12-01T08:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    assert_eq!(graph.events(), 1);

    let post = &graph.seen()[0];
    assert_eq!(post.operation, Operation::CreateEvent);
    let body = post.body.as_ref().unwrap();
    assert_eq!(
        body["start"],
        json!({"dateTime": "2026-12-01T09:00:00", "timeZone": "Romance Standard Time"})
    );
    assert_eq!(body["location"]["displayName"], "Room 4.12");
    assert_eq!(body["body"]["content"], "Agenda: <b>budget</b> & \"risks\"");
    assert_eq!(
        body["transactionId"],
        body["singleValueExtendedProperties"][0]["value"]
    );
    // One id finds the call on both sides; the token travels to Graph only.
    assert_eq!(post.header("client-request-id"), [request_id.as_str()]);
    assert_eq!(
        post.header("authorization"),
        [format!("Bearer {ALICE_TOKEN}").as_str()]
    );

    let listed: Page<Appointment> = app.get_json(&format!("/api/appointments?{DECEMBER}")).await;
    assert_eq!(listed.items, [created]);
    assert!(!listed.more);
    let view = graph
        .seen()
        .into_iter()
        .find(|s| s.operation == Operation::CalendarView)
        .unwrap();
    assert_eq!(view.param("startDateTime"), Some("2026-12-01T00:00:00Z"));
    assert_eq!(view.param("$orderby"), Some("start/dateTime"));
    assert!(
        view.header("prefer").contains(&"outlook.timezone=\"UTC\""),
        "{:?}",
        view.headers
    );
    // Operators see the Graph calls in the upstream counter.
    let metrics = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for operation in ["graph.createEvent", "graph.calendarView"] {
        let series = format!("{{operation=\"{operation}\",outcome=\"ok\"}} 1");
        assert!(metrics.contains(&series), "{series} not in {metrics}");
    }
}

#[tokio::test]
async fn calendar_pages_follow_graphs_next_links_and_our_cursor() {
    // Graph answers 4 events per page; the API pages by 5: every API page needs next links.
    let (_harness, graph, app) = setup(4).await;
    let mut expected = Vec::new();
    for n in 0..12u32 {
        // Three appointments share 09:00 (ties across a page boundary), the rest an hour each.
        let start = if n < 3 { 9 } else { 7 + n };
        let draft = json!({
            "subject": format!("Meeting {n:02}"),
            "start": format!("2026-12-01T{start:02}:00"),
            "end": format!("2026-12-01T{start:02}:30"),
            "location": "", "body": "", "timeZone": "UTC"
        });
        let response = app
            .post("/api/appointments")
            .json(&draft)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        expected.push(response.json::<Appointment>().await.unwrap().id);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut url = format!("/api/appointments?{DECEMBER}&limit=5");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Page<Appointment> = app.get_json(&url).await;
        pages += 1;
        assert!(
            page.items.windows(2).all(|w| w[0].start <= w[1].start),
            "start order"
        );
        seen.extend(page.items.iter().map(|a| a.id.clone()));
        assert_eq!(page.more, page.next_cursor.is_some());
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected, "every appointment once, in start order");
    let followed = graph
        .seen()
        .iter()
        .filter(|s| s.operation == Operation::CalendarView && s.param("$skip").is_some())
        .count();
    assert!(followed >= 2, "next links were followed ({followed})");
}

#[tokio::test]
async fn tasks_go_to_the_default_list_and_list_newest_first() {
    let (_harness, graph, app) = setup(2).await;
    for (subject, status, due) in [
        ("First", "NotStarted", ""),
        ("Second", "WaitingOnOthers", "2026-12-04"),
        ("Third", "Completed", ""),
    ] {
        let response = create_task(
            &app,
            json!({"subject": subject, "dueDate": due, "status": status, "body": "b"}),
        )
        .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let task: Task = response.json().await.unwrap();
        assert_eq!(task.subject, subject);
    }
    assert_eq!(graph.tasks(), 3);
    let first: Page<Task> = app.get_json("/api/tasks?limit=2").await;
    let subjects: Vec<&str> = first.items.iter().map(|t| t.subject.as_str()).collect();
    assert_eq!(subjects, ["Third", "Second"]);
    assert_eq!(first.items[1].status, model::TaskStatus::WaitingOnOthers);
    assert_eq!(
        first.items[1].due_date,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
    );
    let cursor = first.next_cursor.unwrap();
    let rest: Page<Task> = app
        .get_json(&format!("/api/tasks?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(
        rest.items
            .iter()
            .map(|t| t.subject.as_str())
            .collect::<Vec<_>>(),
        ["First"]
    );
    assert!(!rest.more);
    // The default list was read once and remembered.
    assert_eq!(graph.count(Operation::ListLists), 1);
}

#[tokio::test]
async fn graph_errors_become_the_apis_errors() {
    let (_harness, graph, app) = setup(50).await;
    let cases = [
        (
            Fault::graph_error(412, "ErrorIrresolvableConflict", "The change key is stale."),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            Fault::graph_error(403, "ErrorAccessDenied", "Access is denied."),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Fault::graph_error(
                404,
                "ErrorItemNotFound",
                "The specified object was not found in the store.",
            ),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Fault::graph_error(400, "invalidRequest", "Invalid property 'subject'."),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
        (
            Fault::graph_error(
                400,
                "ErrorInvalidRecipients",
                "At least one recipient is not valid.",
            ),
            StatusCode::BAD_GATEWAY,
            "exchange_error",
        ),
        (
            Fault::graph_error(
                500,
                "generalException",
                "An unspecified error has occurred.",
            ),
            StatusCode::BAD_GATEWAY,
            "exchange_error",
        ),
    ];
    for (fault, status, code) in cases {
        graph.push(Operation::CreateEvent, fault.clone());
        let before = graph.count(Operation::CreateEvent);
        let (got, body) = error_of(app.create_appointment("Refused").await).await;
        assert_eq!(
            (got, body.error.as_str()),
            (status, code),
            "{fault:?}: {}",
            body.message
        );
        assert_eq!(
            graph.count(Operation::CreateEvent),
            before + 1,
            "{fault:?} is not retried"
        );
    }
    assert_eq!(graph.events(), 0);
    // Graph's own words reach the user when they say what went wrong.
    graph.push(
        Operation::CreateEvent,
        Fault::graph_error(
            400,
            "ErrorInvalidRecipients",
            "At least one recipient is not valid.",
        ),
    );
    let (_, body) = error_of(app.create_appointment("Refused").await).await;
    assert!(
        body.message
            .contains("At least one recipient is not valid."),
        "{}",
        body.message
    );

    // A token Graph refuses: the user must sign in again, and the session hears about it.
    app.authorizer.set_token("expired-token");
    let (status, body) = error_of(app.create_appointment("Expired").await).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::UNAUTHORIZED, "authorization_required")
    );
    assert_eq!(app.authorizer.rejected.load(Ordering::SeqCst), 1);
}

/// A server standing in for someone else's: counts every request that reaches it.
async fn spawn_counting_server() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let router = axum::Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { axum::Json(json!({"value": []})) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), hits)
}

#[tokio::test]
async fn a_next_link_to_another_server_never_gets_the_token() {
    // A Graph answer (or something posing as one) points the next page elsewhere.
    let (elsewhere, hits) = spawn_counting_server().await;
    let evil = axum::Router::new().fallback(move || {
        let next = format!("{elsewhere}/v1.0/me/calendarView?$skip=1");
        async move { axum::Json(json!({"value": [], "@odata.nextLink": next})) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, evil).await.unwrap() });
    struct Endpoint(String);
    impl GraphUpstream for Endpoint {
        fn endpoint(&self) -> String {
            self.0.clone()
        }
        fn push(&self, _: Operation, _: Fault) {}
        fn seen(&self) -> Vec<graph_support::Seen> {
            Vec::new()
        }
        fn events(&self) -> usize {
            0
        }
        fn tasks(&self) -> usize {
            0
        }
    }
    let harness = Harness::new().await;
    let app = spawn_graph_app(&harness, &Endpoint(format!("http://{addr}/v1.0")), |_| {}).await;
    let response = app
        .get(&format!("/api/appointments?{DECEMBER}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the other server was never called"
    );
    let (status, body) = error_of(response).await;
    assert_eq!(
        (status, body.error.as_str()),
        (StatusCode::BAD_GATEWAY, "exchange_error")
    );
}

#[tokio::test]
async fn readiness_asks_graph() {
    let (_harness, _graph, app) = setup(50).await;
    let ready = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(app.state.mailbox.name(), "graph");
}

#[tokio::test]
async fn a_sign_in_for_ews_is_refused_with_the_graph_backend_at_start_up() {
    let harness = Harness::new().await;
    let options = harness.options();
    let layers = [
        config_layer(&options),
        proxy::config::ConfigLayer::from_toml(
            "backend = \"graph\"\n[graph]\nendpoint = \"http://127.0.0.1:9/v1.0\"\n[auth]\npreset = \"microsoft_ews\"\ntenant = \"contoso.onmicrosoft.com\"\nclient_id = \"c\"\n",
            std::path::Path::new("proxy.toml"),
        )
        .unwrap(),
    ];
    let config = proxy::config::Config::resolve(layers).unwrap();
    let Err(error) = proxy::Application::build(config).await else {
        panic!("the proxy started with a sign-in Graph refuses");
    };
    let message = error.to_string();
    assert!(
        message.contains("preset = \"microsoft_graph\"") && message.contains("backend = \"ews\""),
        "{message}"
    );
}

#[test]
fn the_binary_refuses_the_graph_backend_flag_with_the_ews_preset() {
    let dir = tempfile::TempDir::new().unwrap();
    let stderr = serve_refused(dir.path(), &["--backend", "graph"], MICROSOFT_EWS_SIGN_IN);
    assert!(
        stderr.contains("preset = \"microsoft_graph\"") && stderr.contains("XF_BACKEND=ews"),
        "{stderr}"
    );
}
