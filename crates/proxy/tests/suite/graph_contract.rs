//! The Graph backend held against Microsoft's documentation (`tests/graph_fixtures/`): what we
//! send carries only documented properties and values, and Microsoft's example answers read
//! into the model values they describe.

use crate::graph_docs;

use chrono::NaiveDate;
use graph_docs::*;
use model::{NewTask, Subject, TaskStatus};
use proxy::mailbox::MailboxError;
use proxy::mailbox::PreparedAppointment;
use proxy::mailbox::graph::errors::{GraphError, from_status};
use proxy::mailbox::graph::wire::{
    Collection, Event, NewEvent, NewTodoTask, TodoTask, TodoTaskList, client_request_id_property,
    graph_etag,
};
use serde_json::Value;

#[test]
fn the_checker_accepts_microsofts_own_request_and_refuses_invented_properties() {
    let example: Value = serde_json::from_str(&fixture("user-post-events.request.json")).unwrap();
    assert_documented(&example, "event");
    let invented = serde_json::json!({"subject": "x", "clientRequestId": "y"});
    assert_eq!(undocumented(&invented, "event"), ["clientRequestId"]);
    let task_example: Value =
        serde_json::from_str(&fixture("todotasklist-post-tasks.request.json")).unwrap();
    assert_documented(&task_example, "todoTask");
    for resource in task_example["linkedResources"].as_array().unwrap() {
        assert_documented(resource, "linkedResource");
    }
}

#[test]
fn event_bodies_carry_only_documented_properties() {
    let body = serde_json::to_value(NewEvent::new(&appointment(), "req-1")).unwrap();
    assert_documented(&body, "event");
    assert_documented(&body["body"], "itemBody");
    assert_documented(&body["start"], "dateTimeTimeZone");
    assert_documented(&body["end"], "dateTimeTimeZone");
    assert_documented(&body["location"], "location");
    let properties = body["singleValueExtendedProperties"].as_array().unwrap();
    assert_eq!(properties.len(), 1);
    assert_documented(&properties[0], "singleValueLegacyExtendedProperty");
    assert!(
        possible_values("itemBody", "contentType")
            .contains(body["body"]["contentType"].as_str().unwrap())
    );

    // The values, as a person reading the calendar in Outlook would see them.
    assert_eq!(body["subject"], "Budget review");
    assert_eq!(body["start"]["dateTime"], "2026-12-01T09:00:00");
    assert_eq!(body["start"]["timeZone"], "Romance Standard Time");
    assert_eq!(body["end"]["dateTime"], "2026-12-01T10:30:00");
    assert_eq!(body["location"]["displayName"], "Room 4.12");
    assert_eq!(body["transactionId"], "req-1");
    assert_eq!(properties[0]["value"], "req-1");
    // The id form of a named string property: "String {GUID} Name NAME".
    let id = client_request_id_property();
    let parts: Vec<&str> = id.split(' ').collect();
    assert_eq!(parts.len(), 4, "{id}");
    assert_eq!((parts[0], parts[2]), ("String", "Name"));
    assert!(parts[1].starts_with('{') && parts[1].ends_with('}') && parts[1].len() == 38);

    // Nothing optional is sent empty.
    let bare = PreparedAppointment {
        location: None,
        body: None,
        ..appointment()
    };
    let body = serde_json::to_value(NewEvent::new(&bare, "req-2")).unwrap();
    assert!(
        body.get("location").is_none() && body.get("body").is_none(),
        "{body}"
    );
}

#[test]
fn task_bodies_carry_only_documented_properties_and_statuses() {
    let statuses = possible_values("todoTask", "status");
    assert_eq!(statuses.len(), 5, "{statuses:?}");
    for status in TaskStatus::ALL {
        let task = NewTask {
            subject: Subject::parse("File the report").unwrap(),
            due_date: NaiveDate::from_ymd_opt(2026, 12, 4),
            status,
            body: Some("Quarterly".into()),
            start_date: None,
            percent_complete: 0,
            importance: model::Importance::Normal,
            categories: Vec::new(),
            reminder: None,
            recurrence: None,
        };
        let body = serde_json::to_value(NewTodoTask::new(&task, "req-3")).unwrap();
        assert_documented(&body, "todoTask");
        assert_documented(&body["body"], "itemBody");
        assert_documented(&body["dueDateTime"], "dateTimeTimeZone");
        for resource in body["linkedResources"].as_array().unwrap() {
            assert_documented(resource, "linkedResource");
        }
        let sent = body["status"].as_str().unwrap();
        assert!(
            statuses.contains(sent),
            "{sent} is not a documented taskStatus"
        );
        assert_eq!(body["title"], "File the report");
        assert_eq!(body["dueDateTime"]["dateTime"], "2026-12-04T00:00:00");
        assert_eq!(body["linkedResources"][0]["externalId"], "req-3");
    }
}

#[test]
fn microsofts_event_examples_read_into_appointments() {
    let created: Event = serde_json::from_str(&fixture("user-post-events.response.json")).unwrap();
    let appointment = created.to_appointment().unwrap();
    assert_eq!(appointment.id, "AAMkAGI1AAAt9AHjAAA=");
    assert_eq!(appointment.change_key, "ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==");
    assert_eq!(appointment.subject, "Let's go brunch");
    // 11:00 Pacific Daylight Time (UTC-7 in April).
    assert_eq!(appointment.start, utc("2017-04-15T18:00:00Z"));
    assert_eq!(appointment.end, utc("2017-04-15T19:00:00Z"));
    assert_eq!(appointment.location, "Harry's Bar");

    let got: Event = serde_json::from_str(&fixture("event-get.response.json")).unwrap();
    let appointment = got.to_appointment().unwrap();
    assert_eq!(appointment.subject, "New Product Regulations Touchpoint");
    assert_eq!(appointment.start, utc("2014-11-03T17:00:00Z"));
    assert_eq!(appointment.end, utc("2014-11-03T17:30:00Z"));
    assert_eq!(appointment.location, "Conf Room Rainier");

    // Microsoft's calendar view example is truncated (no id, no times): the collection reads,
    // and its item is refused rather than guessed.
    let view: Collection<Value> =
        serde_json::from_str(&fixture("user-list-calendarview.response.json")).unwrap();
    assert_eq!((view.value.len(), view.next_link), (1, None));
    assert!(serde_json::from_value::<Event>(view.value[0].clone()).is_err());
}

#[test]
fn microsofts_to_do_examples_read_into_tasks() {
    let lists: Collection<TodoTaskList> =
        serde_json::from_str(&fixture("todo-list-lists.response.json")).unwrap();
    let default = lists
        .value
        .iter()
        .find(|l| l.wellknown_list_name.as_deref() == Some("defaultList"))
        .unwrap();
    assert_eq!(
        (default.id.as_str(), default.display_name.as_str()),
        ("AAMkADIyAAAAABrJAAA=", "Tasks")
    );

    let created: TodoTask =
        serde_json::from_str(&fixture("todotasklist-post-tasks.response.json")).unwrap();
    let task = created.to_task();
    assert_eq!(task.id, "AlMKXwbQAAAJws6wcAAAA=");
    // The opaque part of `@odata.etag`: the API's If-Match takes one quoted opaque tag, and
    // the backend sends Graph `W/"<tag>"` again.
    assert_eq!(task.change_key, "xzyPKP0BiUGgld+lMKXwbQAAnBoTIw==");
    assert_eq!(
        graph_etag(&task.change_key),
        created.etag.as_deref().unwrap()
    );
    assert_eq!(task.subject, "A new task");
    assert_eq!(task.status, TaskStatus::NotStarted);
    assert_eq!((task.due_date, task.body.as_str()), (None, ""));

    let listed: Collection<TodoTask> =
        serde_json::from_str(&fixture("todotasklist-list-tasks.response.json")).unwrap();
    let task = &listed.value[0];
    assert_eq!(task.to_task().subject, "Linked entity new task 1");
    assert_eq!(task.linked_resources[0].external_id, "teset1243434");
    // Another application's link is not one of ours, whatever its id.
    assert!(!task.made_by("teset1243434"));
}

#[test]
fn microsofts_error_examples_map_to_mailbox_errors() {
    let error = GraphError::parse(fixture("errors.response.json").as_bytes()).unwrap();
    assert_eq!(error.code, "invalidRange");
    assert_eq!(
        error.message,
        "Uploaded fragment overlaps with existing data."
    );
    assert!(matches!(
        from_status(416, Some(&error)),
        MailboxError::Rejected(m) if m.contains("invalidRange")
    ));
    let throttled = GraphError::parse(fixture("throttling-429.response.json").as_bytes()).unwrap();
    assert_eq!(throttled.code, "TooManyRequests");
    assert_eq!(throttled.inner_codes, ["429"]);
}
