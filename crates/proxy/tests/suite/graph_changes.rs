//! Changing what exists through the JSON API with `backend = "graph"`: reading one item,
//! editing it with its version (a stale one is a 409 the user resolves), deleting, cancelling
//! a meeting, answering an invitation, and the meeting and task fields going through Graph
//! and back. What Graph receives is checked against Microsoft's documented requests.

use crate::common;
use crate::graph_support;

use common::*;
use graph_support::fake::ALICE_ADDRESS;
use graph_support::{Fault, GraphUpstream, Operation, Seen, error_of, setup};
use model::{Appointment, Page, ResponseStatus, Task};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// `/api/{kind}/{id}` with the id percent-encoded, as the widget sends it.
fn item_path(kind: &str, id: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("/api/{kind}/{}", encoded.replace('+', "%20"))
}

fn with_version(request: reqwest::RequestBuilder, version: &str) -> reqwest::RequestBuilder {
    request.header("if-match", version)
}

async fn delete_versioned(app: &TestApp, path: &str, version: &str) -> reqwest::Response {
    with_version(delete(app, path), version)
        .send()
        .await
        .unwrap()
}

/// `request` with `If-Match: version` and a JSON body, sent.
async fn send_versioned(
    request: reqwest::RequestBuilder,
    version: &str,
    body: &Value,
) -> reqwest::Response {
    with_version(request, version)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn put(app: &TestApp, path: &str) -> reqwest::RequestBuilder {
    app.client
        .put(format!("{}{path}", app.address))
        .bearer_auth("session-handle")
}

fn delete(app: &TestApp, path: &str) -> reqwest::RequestBuilder {
    app.client
        .delete(format!("{}{path}", app.address))
        .bearer_auth("session-handle")
}

fn last(graph: &dyn GraphUpstream, operation: Operation) -> Seen {
    graph
        .seen()
        .into_iter()
        .rev()
        .find(|s| s.operation == operation)
        .unwrap_or_else(|| panic!("Graph saw no {operation:?}"))
}

/// An invitation from dana@example.com, 1 December 13:00–14:00 UTC, not yet answered.
fn invitation_from_dana(graph: &graph_support::fake::FakeGraph, subject: &str) -> String {
    graph.invite(
        subject,
        "2026-12-01T13:00:00Z",
        "2026-12-01T14:00:00Z",
        "dana@example.com",
    )
}

/// The item and the `ETag` the API gave it.
async fn read<T: serde::de::DeserializeOwned>(app: &TestApp, path: &str) -> (T, String) {
    let response = app.get(path).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (response.json().await.unwrap(), etag)
}

#[tokio::test]
async fn an_edit_needs_the_current_etag_and_a_stale_one_is_a_conflict() {
    let (_harness, graph, app) = setup(50).await;
    let created: Appointment = app
        .create_appointment("Design review")
        .await
        .json()
        .await
        .unwrap();
    let path = item_path("appointments", &created.id);
    let (read_back, etag) = read::<Appointment>(&app, &path).await;
    assert_eq!(read_back.subject, "Design review");
    assert_eq!(etag, format!("\"{}\"", created.change_key));

    let mut edit = appointment_json("Design review (moved)");
    edit["start"] = json!("2026-12-01T10:00");
    edit["end"] = json!("2026-12-01T11:30");
    edit["location"] = json!("");
    let response = send_versioned(put(&app, &path), &etag, &edit).await;
    assert_eq!(response.status(), StatusCode::OK);
    let new_etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let edited: Appointment = response.json().await.unwrap();
    assert_eq!(edited.subject, "Design review (moved)");
    assert_eq!(edited.start.to_rfc3339(), "2026-12-01T09:00:00+00:00");
    assert_eq!(edited.location, "");
    assert_ne!(new_etag, etag);
    let patch = last(graph.as_ref(), Operation::UpdateEvent);
    assert_eq!(
        patch.header("if-match"),
        [format!("W/{etag}").as_str()],
        "Graph's ETag of the version the user saw"
    );
    let body = patch.body.unwrap();
    assert!(body.get("transactionId").is_none(), "{body}");
    assert_eq!(body["location"]["displayName"], "");

    // Someone else's change came first: the old version is refused, nothing is written.
    let response = send_versioned(put(&app, &path), &etag, &appointment_json("Overwritten?")).await;
    let (status, error) = error_of(response).await;
    assert_eq!(
        (status, error.error.as_str()),
        (StatusCode::CONFLICT, "conflict")
    );
    assert!(
        error.message.contains("changed since you opened it"),
        "{}",
        error.message
    );
    let (current, _) = read::<Appointment>(&app, &path).await;
    assert_eq!(current.subject, "Design review (moved)");

    // The user chose to overwrite: no If-Match reaches Graph.
    let response = send_versioned(put(&app, &path), "*", &appointment_json("Overwritten")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        last(graph.as_ref(), Operation::UpdateEvent)
            .header("if-match")
            .is_empty()
    );

    // Deleting: a stale version is refused, the current one deletes.
    let (_, etag) = read::<Appointment>(&app, &path).await;
    let stale = delete_versioned(&app, &path, &new_etag).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(graph.events(), 1);
    let gone = delete_versioned(&app, &path, &etag).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_eq!(graph.events(), 0);
    let (status, error) = error_of(app.get(&path).send().await.unwrap()).await;
    assert_eq!(
        (status, error.error.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

#[tokio::test]
async fn a_weekly_meeting_with_attendees_and_a_room_goes_to_graph_and_back() {
    let (_harness, graph, app) = setup(50).await;
    let mut draft = appointment_json("Team sync");
    draft["requiredAttendees"] = json!(["bob@example.com"]);
    draft["optionalAttendees"] = json!(["carol@example.com"]);
    draft["rooms"] = json!(["room-412@example.com"]);
    draft["reminder"] = json!("10");
    draft["showAs"] = json!("tentative");
    draft["importance"] = json!("high");
    draft["private"] = json!(true);
    draft["categories"] = json!(["Team"]);
    draft["recurrence"] = json!({
        "repeat": "weekly", "days": ["tuesday", "thursday"], "ends": "after", "count": "10"
    });
    let response = app
        .post("/api/appointments")
        .json(&draft)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Appointment = response.json().await.unwrap();

    // One POST carries the attendees: Graph sends the invitations itself.
    let post = last(graph.as_ref(), Operation::CreateEvent);
    let body = post.body.unwrap();
    assert_eq!(
        body["attendees"],
        json!([
            {"emailAddress": {"address": "bob@example.com"}, "type": "required"},
            {"emailAddress": {"address": "carol@example.com"}, "type": "optional"},
            {"emailAddress": {"address": "room-412@example.com"}, "type": "resource"}
        ])
    );
    assert_eq!(
        body["recurrence"],
        json!({
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday", "thursday"],
                        "firstDayOfWeek": "monday"},
            "range": {"type": "numbered", "startDate": "2026-12-01", "numberOfOccurrences": 10}
        })
    );
    assert_eq!(
        (
            &body["sensitivity"],
            &body["showAs"],
            &body["reminderMinutesBeforeStart"]
        ),
        (&json!("private"), &json!("tentative"), &json!(10))
    );

    let (read_back, _) = read::<Appointment>(&app, &item_path("appointments", &created.id)).await;
    assert_eq!(read_back.recurrence, created.recurrence);
    assert!(read_back.recurrence.is_some());
    let emails =
        |list: &[model::Attendee]| list.iter().map(|a| a.email.clone()).collect::<Vec<_>>();
    assert_eq!(emails(&read_back.required_attendees), ["bob@example.com"]);
    assert_eq!(emails(&read_back.optional_attendees), ["carol@example.com"]);
    assert_eq!(emails(&read_back.rooms), ["room-412@example.com"]);
    assert_eq!(read_back.organizer.as_deref(), Some(ALICE_ADDRESS));
    assert_eq!(read_back.my_response, ResponseStatus::Organizer);
    assert_eq!(
        (
            read_back.reminder_minutes,
            read_back.private,
            read_back.categories.clone()
        ),
        (Some(10), true, vec!["Team".to_owned()])
    );
    assert_eq!(
        (read_back.show_as, read_back.importance),
        (model::ShowAs::Tentative, model::Importance::High)
    );

    // The organiser calls it off with a note: Graph's cancel action, body as documented.
    let path = format!("{}/cancel", item_path("appointments", &created.id));
    let response = send_versioned(
        app.post(&path),
        &format!("\"{}\"", read_back.change_key),
        &json!({"message": "Moved to next week."}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cancel = last(graph.as_ref(), Operation::EventAction);
    assert_eq!(cancel.path, format!("/me/events/{}/cancel", created.id));
    assert_eq!(cancel.body, Some(json!({"comment": "Moved to next week."})));
    let (cancelled, _) = read::<Appointment>(&app, &item_path("appointments", &created.id)).await;
    assert!(cancelled.cancelled);
}

#[tokio::test]
async fn a_decline_with_a_message_reaches_graph_as_documented() {
    let (_harness, graph, app) = setup(50).await;
    let id = invitation_from_dana(graph.as_ref(), "Quarterly planning");
    let path = item_path("appointments", &id);
    let (invitation, etag) = read::<Appointment>(&app, &path).await;
    assert_eq!(invitation.organizer.as_deref(), Some("dana@example.com"));
    assert_eq!(invitation.my_response, ResponseStatus::None);

    // A version the user never saw: refused before anything is sent.
    let stale = send_versioned(
        app.post(&format!("{path}/reply")),
        "\"ck-old\"",
        &json!({"reply": "decline", "message": "Sorry"}),
    )
    .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(graph.count(Operation::EventAction), 0);

    let response = send_versioned(
        app.post(&format!("{path}/reply")),
        &etag,
        &json!({"reply": "decline", "message": "I'm away that week."}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let decline = last(graph.as_ref(), Operation::EventAction);
    assert_eq!(decline.path, format!("/me/events/{id}/decline"));
    assert_eq!(
        decline.body,
        Some(json!({"comment": "I'm away that week.", "sendResponse": true}))
    );
    let (answered, etag) = read::<Appointment>(&app, &path).await;
    assert_eq!(answered.my_response, ResponseStatus::Declined);

    // Changing one's mind: accepted, without a note.
    let response = send_versioned(
        app.post(&format!("{path}/reply")),
        &etag,
        &json!({"reply": "tentative"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let tentative = last(graph.as_ref(), Operation::EventAction);
    assert_eq!(tentative.path, format!("/me/events/{id}/tentativelyAccept"));
    assert_eq!(tentative.body, Some(json!({"sendResponse": true})));
}

#[tokio::test]
async fn people_rooms_and_free_busy_come_from_graph() {
    let (_harness, graph, app) = setup(50).await;
    let people: Vec<model::Person> = app.get_json("/api/people?q=isaiah").await;
    assert_eq!(people.len(), 1);
    assert_eq!(
        (
            people[0].email.as_str(),
            people[0].name.as_str(),
            people[0].is_room
        ),
        ("IsaiahL@contoso.com", "Isaiah Langer", false)
    );
    assert_eq!(
        last(graph.as_ref(), Operation::People).param("$search"),
        Some("\"isaiah\"")
    );
    let rooms: Vec<model::Person> = app.get_json("/api/people?q=conf").await;
    assert_eq!(rooms.len(), 1);
    assert!(rooms[0].is_room, "{rooms:?}");

    let lists: Vec<model::Place> = app.get_json("/api/room-lists").await;
    let names: Vec<&str> = lists.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Building 1", "Building 2"]);
    let rooms: Vec<model::Place> = app
        .get_json(&format!("/api/room-lists/{}/rooms", lists[1].email))
        .await;
    assert_eq!(
        rooms,
        [model::Place {
            email: "cf200@contoso.com".into(),
            name: "Conf Room 200".into()
        }]
    );
    assert_eq!(
        last(graph.as_ref(), Operation::Rooms).path,
        "/places/bldg2@contoso.com/microsoft.graph.roomlist/rooms"
    );

    graph.set_busy(
        "bob@example.com",
        "2026-12-01T09:00:00Z",
        "2026-12-01T10:00:00Z",
        "busy",
    );
    graph.set_busy(
        "bob@example.com",
        "2026-12-01T12:00:00Z",
        "2026-12-01T12:30:00Z",
        "oof",
    );
    let response = app
        .post("/api/availability")
        .json(&json!({
            "addresses": ["bob@example.com", "nobody@example.com"],
            "start": "2026-12-01T08:00:00Z",
            "end": "2026-12-01T18:00:00Z",
            "durationMinutes": 60
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let availability: model::Availability = response.json().await.unwrap();
    let schedules = &availability.schedules;
    assert_eq!(schedules[0].email, "bob@example.com");
    assert_eq!(schedules[0].error, None);
    let busy: Vec<(String, model::ShowAs)> = schedules[0]
        .busy
        .iter()
        .map(|b| (b.start.to_rfc3339(), b.status))
        .collect();
    assert_eq!(
        busy,
        [
            ("2026-12-01T09:00:00+00:00".to_owned(), model::ShowAs::Busy),
            ("2026-12-01T12:00:00+00:00".to_owned(), model::ShowAs::Oof)
        ]
    );
    assert_eq!(schedules[1].email, "nobody@example.com");
    assert!(
        schedules[1]
            .error
            .as_deref()
            .unwrap()
            .contains("could not be found")
    );
    let request = last(graph.as_ref(), Operation::GetSchedule).body.unwrap();
    assert_eq!(
        request,
        json!({
            "schedules": ["bob@example.com", "nobody@example.com"],
            "startTime": {"dateTime": "2026-12-01T08:00:00", "timeZone": "UTC"},
            "endTime": {"dateTime": "2026-12-01T18:00:00", "timeZone": "UTC"},
            "availabilityViewInterval": 30
        })
    );
}

async fn new_task(app: &TestApp, body: Value) -> Task {
    let response = graph_support::create_task(app, body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

#[tokio::test]
async fn tasks_filter_sort_edit_and_delete_through_to_do() {
    let (_harness, graph, app) = setup(50).await;
    let later = new_task(
        &app,
        json!({"subject": "Later", "dueDate": "2026-12-20", "status": "NotStarted"}),
    )
    .await;
    new_task(&app, json!({"subject": "Someday", "status": "NotStarted"})).await;
    new_task(
        &app,
        json!({"subject": "Soon", "dueDate": "2026-12-03", "status": "InProgress"}),
    )
    .await;
    new_task(
        &app,
        json!({"subject": "Done", "dueDate": "2026-12-01", "status": "Completed"}),
    )
    .await;

    let open: Page<Task> = app.get_json("/api/tasks?show=open&sort=due").await;
    let subjects: Vec<&str> = open.items.iter().map(|t| t.subject.as_str()).collect();
    assert_eq!(
        subjects,
        ["Soon", "Later", "Someday"],
        "soonest due first, no due date last"
    );
    let listed = last(graph.as_ref(), Operation::ListTasks);
    assert_eq!(listed.param("$filter"), Some("status ne 'completed'"));
    assert_eq!(listed.param("$orderby"), Some("dueDateTime/dateTime"));
    let done: Page<Task> = app.get_json("/api/tasks?show=completed").await;
    assert_eq!(done.items.len(), 1);
    assert_eq!(done.items[0].percent_complete, 100);
    let listed = last(graph.as_ref(), Operation::ListTasks);
    assert_eq!(listed.param("$filter"), Some("status eq 'completed'"));
    assert_eq!(listed.param("$orderby"), Some("createdDateTime desc"));

    let path = item_path("tasks", &later.id);
    let (task, etag) = read::<Task>(&app, &path).await;
    assert_eq!(task.subject, "Later");
    let edit = json!({
        "subject": "Later (planned)", "dueDate": "2026-12-21", "status": "InProgress",
        "startDate": "2026-12-14", "importance": "high", "categories": ["Planning"],
        "reminderAt": "2026-12-20T08:00:00Z"
    });
    let response = send_versioned(put(&app, &path), &etag, &edit).await;
    assert_eq!(response.status(), StatusCode::OK);
    let edited: Task = response.json().await.unwrap();
    assert_eq!(
        (
            edited.subject.as_str(),
            edited.start_date.map(|d| d.to_string())
        ),
        ("Later (planned)", Some("2026-12-14".to_owned()))
    );
    assert_eq!(edited.importance, model::Importance::High);
    assert_eq!(
        edited.reminder.map(|r| r.to_rfc3339()),
        Some("2026-12-20T08:00:00+00:00".into())
    );
    let patch = last(graph.as_ref(), Operation::UpdateTask);
    assert_eq!(patch.header("if-match"), [format!("W/{etag}").as_str()]);
    assert_eq!(patch.body.unwrap()["isReminderOn"], true);

    let stale = send_versioned(put(&app, &path), &etag, &edit).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let stale = delete_versioned(&app, &path, &etag).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(graph.tasks(), 4);
    let current = format!("\"{}\"", edited.change_key);
    let gone = delete_versioned(&app, &path, &current).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_eq!(graph.tasks(), 3);
}

/// To Do keeps no percentage between 0 and 100: a task asking for one is refused on that
/// field (the EWS backend stores it), and nothing reaches Graph.
#[tokio::test]
async fn a_percentage_to_do_cannot_keep_is_refused_on_its_field_not_dropped() {
    let (_harness, graph, app) = setup(50).await;
    let body = json!({"subject": "Halfway", "status": "InProgress", "percentComplete": "40"});
    let response = graph_support::create_task(&app, body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"], "validation_failed");
    assert!(
        error["fields"]["percentComplete"]
            .as_str()
            .is_some_and(|m| m.contains("To Do keeps no percentage")),
        "{error}"
    );
    assert_eq!(graph.tasks(), 0);

    let task = new_task(&app, json!({"subject": "Started", "status": "InProgress"})).await;
    let path = item_path("tasks", &task.id);
    let (_, etag) = read::<Task>(&app, &path).await;
    let edit = json!({"subject": "Started", "status": "InProgress", "percentComplete": "75"});
    let response = send_versioned(put(&app, &path), &etag, &edit).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        graph
            .seen()
            .iter()
            .all(|seen| seen.operation != Operation::UpdateTask),
        "the refused edit reached Graph"
    );
}

#[tokio::test]
async fn a_change_graph_may_have_made_is_not_sent_twice_but_a_throttled_one_is() {
    let (_harness, graph, app) = setup(50).await;
    let id = invitation_from_dana(graph.as_ref(), "All hands");
    let path = format!("{}/reply", item_path("appointments", &id));
    // Graph ran the accept, but the answer was lost behind a gateway: sending it again
    // would mail the organiser twice.
    graph.push(Operation::EventAction, Fault::RunThenGatewayError(502));
    let response = send_versioned(
        app.post(&path),
        "*",
        &json!({"reply": "accept", "message": "See you there."}),
    )
    .await;
    let (status, error) = error_of(response).await;
    assert_eq!(
        (status, error.error.as_str()),
        (StatusCode::BAD_GATEWAY, "exchange_error")
    );
    assert_eq!(graph.count(Operation::EventAction), 1);

    // Throttled: Graph did not run it, so it is sent again once Graph allows.
    graph.push(
        Operation::EventAction,
        Fault::Status {
            status: 429,
            retry_after: Some("0".into()),
            body: None,
        },
    );
    let response = send_versioned(app.post(&path), "*", &json!({"reply": "decline"})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(graph.count(Operation::EventAction), 3);
}
