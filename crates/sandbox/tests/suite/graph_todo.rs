//! Microsoft To Do over Graph: the default list, tasks created, read, listed (order, paging),
//! updated and deleted with ETags, and found by an extended property.

use crate::common;

use common::graph::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn harness() -> (Harness, TestApp) {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    (harness, app)
}

async fn default_list(app: &TestApp, token: &str) -> String {
    let lists = get(app, token, "/me/todo/lists").await;
    assert_eq!(lists.status, StatusCode::OK);
    let values = lists.body["value"].as_array().unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0]["wellknownListName"], "defaultList");
    values[0]["id"].as_str().unwrap().to_owned()
}

async fn create_task(app: &TestApp, token: &str, list: &str, body: Value) -> Value {
    let answer = post(app, token, &format!("/me/todo/lists/{list}/tasks"), body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body
}

#[tokio::test]
async fn tasks_are_created_read_updated_and_deleted() {
    let (_h, app) = harness().await;
    let list = default_list(&app, ALICE_TOKEN).await;
    let task = create_task(
        &app,
        ALICE_TOKEN,
        &list,
        json!({
            "title": "File the report",
            "body": {"content": "Q4 numbers", "contentType": "text"},
            "dueDateTime": {"dateTime": "2026-12-04T00:00:00", "timeZone": "Europe/Paris"},
            "importance": "high",
            "status": "inProgress",
            "isReminderOn": true,
            "reminderDateTime": {"dateTime": "2026-12-03T09:00:00", "timeZone": "UTC"},
            "categories": ["Work"],
        }),
    )
    .await;
    let path = format!(
        "/me/todo/lists/{list}/tasks/{}",
        task["id"].as_str().unwrap()
    );
    let read = get(&app, ALICE_TOKEN, &path).await.body;
    assert_eq!(read["title"], "File the report");
    assert_eq!(read["body"]["content"], "Q4 numbers");
    assert_eq!(
        read["dueDateTime"]["dateTime"],
        "2026-12-03T23:00:00.0000000"
    );
    assert_eq!(read["importance"], "high");
    assert_eq!(read["status"], "inProgress");
    assert_eq!(read["isReminderOn"], true);
    assert_eq!(
        read["reminderDateTime"]["dateTime"],
        "2026-12-03T09:00:00.0000000"
    );
    assert_eq!(read["categories"], json!(["Work"]));
    assert!(read["createdDateTime"].as_str().unwrap().ends_with('Z'));
    let etag = read["@odata.etag"].as_str().unwrap().to_owned();

    let done = patch(
        &app,
        ALICE_TOKEN,
        &path,
        json!({"status": "completed"}),
        Some(&etag),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["status"], "completed");
    assert!(done.body["completedDateTime"].is_object());
    let stale = patch(
        &app,
        ALICE_TOKEN,
        &path,
        json!({"title": "Lost"}),
        Some(&etag),
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(error_code(&stale), "ErrorIrresolvableConflict");
    let stale_delete = delete(&app, ALICE_TOKEN, &path, Some(&etag)).await;
    assert_eq!(stale_delete.status, StatusCode::PRECONDITION_FAILED);
    let cleared = patch(&app, ALICE_TOKEN, &path, json!({"dueDateTime": null}), None).await;
    assert!(
        cleared.body.get("dueDateTime").is_none(),
        "{}",
        cleared.body
    );
    assert_eq!(
        delete(
            &app,
            ALICE_TOKEN,
            &path,
            cleared.body["@odata.etag"].as_str()
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        get(&app, ALICE_TOKEN, &path).await.status,
        StatusCode::NOT_FOUND
    );
    // Titles are required; unknown lists are not found.
    let untitled = post(
        &app,
        ALICE_TOKEN,
        &format!("/me/todo/lists/{list}/tasks"),
        json!({"title": " "}),
    )
    .await;
    assert_eq!(untitled.status, StatusCode::BAD_REQUEST);
    assert!(
        untitled.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("title")
    );
    let other_list = get(&app, ALICE_TOKEN, "/me/todo/lists/nope/tasks").await;
    assert_eq!(other_list.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn task_lists_order_and_page() {
    let (_h, app) = harness().await;
    let list = default_list(&app, ALICE_TOKEN).await;
    for n in 0..5 {
        create_task(&app, ALICE_TOKEN, &list, json!({"title": format!("T{n}")})).await;
    }
    let first = format!("/me/todo/lists/{list}/tasks?$orderby=createdDateTime%20desc&$top=2");
    let (tasks, pages) = all_pages(&app, ALICE_TOKEN, &first).await;
    assert_eq!(pages, 3);
    let titles: Vec<&str> = tasks.iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["T4", "T3", "T2", "T1", "T0"]);
    let skipped = get(
        &app,
        ALICE_TOKEN,
        &format!("/me/todo/lists/{list}/tasks?$skip=3"),
    )
    .await;
    let titles: Vec<&str> = skipped.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["T3", "T4"]);
    // Bob's list is his own.
    assert_eq!(
        get(&app, BOB_TOKEN, &format!("/me/todo/lists/{list}/tasks"))
            .await
            .body["value"],
        json!([])
    );
    let id = tasks[0]["id"].as_str().unwrap();
    assert_eq!(
        get(
            &app,
            BOB_TOKEN,
            &format!("/me/todo/lists/{list}/tasks/{id}")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn tasks_are_found_by_a_client_chosen_id() {
    let (_h, app) = harness().await;
    let list = default_list(&app, ALICE_TOKEN).await;
    let property =
        "String {c11ff724-aa03-4555-9952-8fa248a11c3e} Name ExchangeFormsClientRequestId";
    let task = create_task(
        &app,
        ALICE_TOKEN,
        &list,
        json!({
            "title": "Tagged",
            "singleValueExtendedProperties": [{"id": property, "value": "req-42"}],
        }),
    )
    .await;
    create_task(&app, ALICE_TOKEN, &list, json!({"title": "Untagged"})).await;
    let filter = format!(
        "singleValueExtendedProperties/any(ep: ep/id eq '{property}' and ep/value eq 'req-42')"
    );
    let encoded: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
    let found = get(
        &app,
        ALICE_TOKEN,
        &format!("/me/todo/lists/{list}/tasks?$filter={encoded}"),
    )
    .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let values = found.body["value"].as_array().unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0]["id"], task["id"]);
}

#[tokio::test]
async fn a_task_repeats_until_it_is_told_to_stop() {
    let (_h, app) = harness().await;
    let list = default_list(&app, ALICE_TOKEN).await;
    let task = create_task(
        &app,
        ALICE_TOKEN,
        &list,
        json!({
            "title": "Weekly report",
            "dueDateTime": {"dateTime": "2026-12-04T00:00:00", "timeZone": "UTC"},
            "recurrence": {
                "pattern": {"type": "weekly", "interval": 2, "daysOfWeek": ["friday"], "firstDayOfWeek": "sunday"},
                "range": {"type": "numbered", "startDate": "2026-12-04", "numberOfOccurrences": 4},
            },
        }),
    )
    .await;
    let path = format!(
        "/me/todo/lists/{list}/tasks/{}",
        task["id"].as_str().unwrap()
    );
    let read = get(&app, ALICE_TOKEN, &path).await.body;
    assert_eq!(read["recurrence"]["pattern"]["type"], "weekly");
    assert_eq!(read["recurrence"]["pattern"]["interval"], 2);
    assert_eq!(
        read["recurrence"]["pattern"]["daysOfWeek"],
        json!(["friday"])
    );
    assert_eq!(read["recurrence"]["range"]["type"], "numbered");
    assert_eq!(read["recurrence"]["range"]["numberOfOccurrences"], 4);

    // A pattern Graph would refuse is refused on its property, and the task stays as it was.
    let etag = read["@odata.etag"].as_str().unwrap().to_owned();
    let bad = patch(
        &app,
        ALICE_TOKEN,
        &path,
        json!({"recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": []},
            "range": {"type": "noEnd", "startDate": "2026-12-04"}}}),
        Some(&etag),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.to_string().contains("recurrence"), "{}", bad.body);

    let stopped = patch(&app, ALICE_TOKEN, &path, json!({"recurrence": null}), None).await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.body);
    let read = get(&app, ALICE_TOKEN, &path).await.body;
    assert!(read.get("recurrence").is_none_or(Value::is_null), "{read}");
    assert_eq!(read["title"], "Weekly report");
}
