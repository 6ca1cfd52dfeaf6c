//! The `t:ItemType` fields are one model for every item kind: a calendar item and a task
//! carrying the same shared values write the same bytes for them (schema-valid, ahead of the
//! kind's own elements), read them back the same, and update them with the same `item:` paths.

mod common;
use common::schema::SchemaBatch;

use ews::RequestHeaders;
use ews::operations::create_item::CreateItem;
use ews::operations::update_item::{CalendarField, ItemChange, ItemField, TaskField, UpdateItem};
use ews::server::{Request, parse_request};
use ews::types::*;

fn dt(s: &str) -> EwsDateTime {
    s.parse().unwrap()
}

/// Every shared field the codec models that a client may send.
fn shared() -> ItemFields {
    ItemFields {
        subject: Some("Quarterly review & <plan>".into()),
        sensitivity: Some(Sensitivity::Confidential),
        body: Some(Body::html("<p>Agenda</p>")),
        categories: Some(vec!["Red".into(), "Finance".into()]),
        importance: Some(Importance::High),
        reminder_due_by: Some(dt("2025-03-10T08:45:00Z")),
        reminder_is_set: Some(true),
        reminder_minutes_before_start: Some(15),
        extended_properties: vec![ExtendedProperty::client_request_id("req-7")],
        culture: Some("fr-FR".into()),
        ..Default::default()
    }
}

fn calendar_item(item: ItemFields) -> CalendarItem {
    CalendarItem {
        item,
        start: Some(dt("2025-03-10T09:00:00Z")),
        end: Some(dt("2025-03-10T10:00:00Z")),
        location: Some("Room 4.12".into()),
        ..Default::default()
    }
}

fn task(item: ItemFields) -> Task {
    Task {
        item,
        due_date: Some(dt("2025-03-31T17:00:00Z")),
        status: Some(TaskStatus::InProgress),
        ..Default::default()
    }
}

/// What `xml` holds between the opening tag `<{element}>` and `until`.
fn between<'a>(xml: &'a str, element: &str, until: &str) -> &'a str {
    let open = format!("<{element}>");
    let start = xml
        .find(&open)
        .unwrap_or_else(|| panic!("no {open} in {xml}"))
        + open.len();
    let end = start
        + xml[start..]
            .find(until)
            .unwrap_or_else(|| panic!("no {until} after {open} in {xml}"));
    &xml[start..end]
}

#[test]
fn calendar_items_and_tasks_write_the_shared_fields_identically_and_first() {
    let headers = RequestHeaders::default();
    let calendar =
        CreateItem::calendar_item(calendar_item(shared()), SendMeetingInvitations::SendToNone)
            .to_envelope(&headers)
            .unwrap();
    let task_xml = CreateItem::task(task(shared()))
        .to_envelope(&headers)
        .unwrap();

    // Everything before the kind's first own element is the shared part.
    let calendar_shared = between(&calendar, "t:CalendarItem", "<t:Start>");
    let task_shared = between(&task_xml, "t:Task", "<t:DueDate>");
    assert_eq!(calendar_shared, task_shared);
    for element in [
        "<t:Subject>Quarterly review &amp; &lt;plan&gt;</t:Subject>",
        "<t:Sensitivity>Confidential</t:Sensitivity>",
        "<t:Body BodyType=\"HTML\">",
        "<t:Categories><t:String>Red</t:String><t:String>Finance</t:String></t:Categories>",
        "<t:Importance>High</t:Importance>",
        "<t:ReminderDueBy>2025-03-10T08:45:00Z</t:ReminderDueBy>",
        "<t:ReminderIsSet>true</t:ReminderIsSet>",
        "<t:ReminderMinutesBeforeStart>15</t:ReminderMinutesBeforeStart>",
        "<t:ExtendedProperty>",
        "<t:Culture>fr-FR</t:Culture>",
    ] {
        assert!(
            calendar_shared.contains(element),
            "{element} in {calendar_shared}"
        );
    }

    // Both documents follow types.xsd (ItemType's sequence, then the kind's) ...
    let mut schema = SchemaBatch::new();
    schema.add("calendar item", calendar.clone());
    schema.add("task", task_xml.clone());
    schema.assert_all_valid();

    // ... and read back into the same shared fields.
    let read_back = |xml: &str| match parse_request(xml.as_bytes()).unwrap().request {
        Request::CreateItem(c) => c.items[0].fields().cloned().unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(read_back(&calendar), shared());
    assert_eq!(read_back(&task_xml), shared());
}

#[test]
fn the_json_form_keeps_the_shared_fields_beside_the_kinds_own() {
    // Items stored as JSON before the shared fields had their own struct still read.
    let stored = r#"{"itemType":"Task","itemId":{"id":"AAMk"},"subject":"File taxes",
        "reminderIsSet":true,"dueDate":"2025-03-31T17:00:00Z"}"#;
    let Item::Task(read) = serde_json::from_str(stored).unwrap() else {
        panic!("not a task")
    };
    assert_eq!(read.item.subject.as_deref(), Some("File taxes"));
    assert_eq!(read.item.item_id, Some(ItemId::new("AAMk")));
    assert_eq!(read.item.reminder_is_set, Some(true));
    assert_eq!(read.due_date, Some(dt("2025-03-31T17:00:00Z")));

    let json = serde_json::to_value(Item::CalendarItem(calendar_item(shared()))).unwrap();
    assert_eq!(json["subject"], "Quarterly review & <plan>");
    assert_eq!(json["location"], "Room 4.12");
    assert!(json.get("item").is_none(), "{json}");
}

#[test]
fn a_shared_field_is_updated_by_the_same_field_uri_on_either_kind() {
    let headers = RequestHeaders::default();
    let id = ItemId::with_change_key("AAMk", "DwAA");
    let calendar = UpdateItem::calendar(
        ItemChange::calendar(
            id.clone(),
            &calendar_item(shared()),
            &ItemField::all()
                .into_iter()
                .map(CalendarField::Item)
                .collect::<Vec<_>>(),
        ),
        SendMeetingInvitationsOrCancellations::SendToNone,
    )
    .to_envelope(&headers)
    .unwrap();
    let task_xml = UpdateItem::task(ItemChange::task(
        id,
        &task(shared()),
        &ItemField::all()
            .into_iter()
            .map(TaskField::Item)
            .collect::<Vec<_>>(),
    ))
    .to_envelope(&headers)
    .unwrap();

    // One `t:SetItemField` per shared field, the same on both kinds but for the item element.
    let updates = |xml: &str, kind: &str| {
        between(xml, "t:Updates", "</t:Updates>")
            .replace(&format!("<t:{kind}>"), "<ITEM>")
            .replace(&format!("</t:{kind}>"), "</ITEM>")
    };
    let calendar_updates = updates(&calendar, "CalendarItem");
    assert_eq!(calendar_updates, updates(&task_xml, "Task"));
    for field in ItemField::all() {
        let uri = format!("<t:FieldURI FieldURI=\"{}\"/>", field.field_uri());
        assert!(
            calendar_updates.contains(&uri),
            "{uri} in {calendar_updates}"
        );
        assert_eq!(
            CalendarField::from_field_uri(field.field_uri()),
            Some(CalendarField::Item(field))
        );
        assert_eq!(
            TaskField::from_field_uri(field.field_uri()),
            Some(TaskField::Item(field))
        );
    }
    assert_eq!(
        calendar_updates.matches("<t:SetItemField>").count(),
        ItemField::all().len()
    );

    let mut schema = SchemaBatch::new();
    schema.add("calendar item update", calendar);
    schema.add("task update", task_xml);
    schema.assert_all_valid();
}
