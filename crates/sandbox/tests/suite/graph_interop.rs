//! One mailbox, two protocols: what EWS creates, Graph reads, and the reverse; a meeting made
//! over EWS is answered over Graph.

use crate::common;

use common::graph::{self, create_event, error_code, event};
use common::mailbox::*;
use common::*;
use ews::operations::create_item::{CreateItem, CreateItemResponse};
use ews::operations::get_item::{GetItem, GetItemResponse};
use ews::types::{
    Attendee, Body, CalendarItem, ExtendedProperty, Item, ItemFields, ItemId, ItemShape,
    SendMeetingInvitations, Task, TaskStatus,
};
use reqwest::StatusCode;
use serde_json::json;

async fn harness() -> (Harness, TestApp) {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    (harness, app)
}

async fn ews_get(app: &TestApp, token: &str, id: &str) -> Item {
    let xml = GetItem::new(ItemShape::all_properties(), [ItemId::new(id)])
        .to_envelope(&headers())
        .unwrap();
    GetItemResponse::parse_response(&soap(app, token, xml).await)
        .unwrap()
        .into_single()
        .unwrap()
}

#[tokio::test]
async fn an_appointment_made_over_ews_reads_over_graph() {
    let (_h, app) = harness().await;
    let mut item = CalendarItem {
        item: ItemFields {
            body: Some(Body::text("Agenda")),
            extended_properties: vec![ExtendedProperty::client_request_id("ews-req-1")],
            ..span("From EWS", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z").item
        },
        ..span("From EWS", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z")
    };
    item.location = Some("Harbour Room".into());
    let id = create(&app, ALICE_TOKEN, item, SendMeetingInvitations::SendToNone).await;
    let read = graph::get(&app, ALICE_TOKEN, &format!("/me/events/{}", id.id)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["subject"], "From EWS");
    assert_eq!(read.body["body"]["content"], "Agenda");
    assert_eq!(read.body["location"]["displayName"], "Harbour Room");
    assert_eq!(
        read.body["start"]["dateTime"],
        "2026-12-01T09:00:00.0000000"
    );
    // The EWS client request id is Graph's transactionId: a Graph retry finds the EWS item.
    assert_eq!(read.body["transactionId"], "ews-req-1");
    assert_eq!(
        read.body["@odata.etag"],
        format!("W/\"{}\"", id.change_key.clone().unwrap())
    );
    let mut retry = event(
        "From EWS",
        "2026-12-01T09:00:00",
        "2026-12-01T10:00:00",
        "UTC",
    );
    retry["transactionId"] = json!("ews-req-1");
    assert_eq!(
        create_event(&app, ALICE_TOKEN, retry).await["id"],
        id.id.as_str()
    );
    assert_eq!(app.stored(ALICE, "calendar").await, 1);
}

#[tokio::test]
async fn an_event_made_over_graph_reads_and_changes_over_ews() {
    let (_h, app) = harness().await;
    let created = create_event(
        &app,
        ALICE_TOKEN,
        event(
            "From Graph",
            "2026-12-01T10:00:00",
            "2026-12-01T11:00:00",
            "Europe/Paris",
        ),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let item = ews_get(&app, ALICE_TOKEN, id).await;
    let item = item.as_calendar_item().unwrap();
    assert_eq!(item.item.subject.as_deref(), Some("From Graph"));
    assert_eq!(
        item.start.as_ref().unwrap().to_utc().unwrap().to_rfc3339(),
        "2026-12-01T09:00:00+00:00"
    );
    assert_eq!(
        item.start_time_zone.as_ref().unwrap().id.as_deref(),
        Some("Romance Standard Time")
    );
    assert_eq!(december_view(&app, ALICE_TOKEN).await.len(), 1);
    // The ETag Graph gave is the ChangeKey EWS sees.
    assert_eq!(
        created["@odata.etag"],
        format!(
            "W/\"{}\"",
            item.item
                .item_id
                .as_ref()
                .unwrap()
                .change_key
                .clone()
                .unwrap()
        )
    );
}

#[tokio::test]
async fn tasks_cross_both_ways() {
    let (_h, app) = harness().await;
    let task = Task {
        item: ItemFields {
            subject: Some("EWS task".into()),
            ..Default::default()
        },
        status: Some(TaskStatus::WaitingOnOthers),
        ..Task::default()
    };
    let xml = CreateItem::task(task).to_envelope(&headers()).unwrap();
    let ews_task = CreateItemResponse::parse_response(&soap(&app, ALICE_TOKEN, xml).await)
        .unwrap()
        .into_single()
        .unwrap();
    let list = graph::get(&app, ALICE_TOKEN, "/me/todo/lists").await.body["value"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tasks = graph::get(&app, ALICE_TOKEN, &format!("/me/todo/lists/{list}/tasks")).await;
    assert_eq!(
        tasks.body["value"][0]["id"],
        ews_task.item_id().unwrap().id.as_str()
    );
    assert_eq!(tasks.body["value"][0]["title"], "EWS task");
    assert_eq!(tasks.body["value"][0]["status"], "waitingOnOthers");

    let created = graph::post(
        &app,
        ALICE_TOKEN,
        &format!("/me/todo/lists/{list}/tasks"),
        json!({"title": "Graph task", "status": "completed"}),
    )
    .await;
    let item = ews_get(&app, ALICE_TOKEN, created.body["id"].as_str().unwrap()).await;
    let Item::Task(task) = item else {
        panic!("not a task")
    };
    assert_eq!(task.item.subject.as_deref(), Some("Graph task"));
    assert_eq!(task.status, Some(TaskStatus::Completed));
    assert_eq!(task.is_complete, Some(true));
}

#[tokio::test]
async fn a_meeting_sent_over_ews_is_answered_over_graph() {
    let (_h, app) = harness().await;
    let meeting = CalendarItem {
        required_attendees: vec![Attendee::new(BOB)],
        ..meeting("Mixed protocols")
    };
    let id = create(
        &app,
        ALICE_TOKEN,
        meeting,
        SendMeetingInvitations::SendToAllAndSaveCopy,
    )
    .await;
    let view = graph::get(
        &app,
        BOB_TOKEN,
        "/me/calendarView?startDateTime=2026-12-01T00:00:00Z&endDateTime=2026-12-02T00:00:00Z",
    )
    .await;
    let bob_id = view.body["value"][0]["id"].as_str().unwrap().to_owned();
    let answer = graph::post(
        &app,
        BOB_TOKEN,
        &format!("/me/events/{bob_id}/accept"),
        json!({}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
    let organizer = get(&app, ALICE_TOKEN, &id).await.unwrap();
    assert_eq!(
        organizer.required_attendees[0].response_type,
        Some(ews::types::ResponseType::Accept)
    );
    // An EWS id of Alice's is nothing to Bob over Graph either.
    let foreign = graph::get(&app, BOB_TOKEN, &format!("/me/events/{}", id.id)).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&foreign), "ErrorItemNotFound");
}
