//! The Graph backend's meeting, task, directory and free/busy requests held against
//! Microsoft's documentation (`tests/graph_fixtures/`): only documented properties and values
//! (a recurrence pattern with exactly the properties its type requires), and Microsoft's
//! example answers read into the model values they describe.

use crate::graph_docs;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use graph_docs::*;
use model::{
    Importance, MeetingDetails, NewTask, Pattern, Recurrence, RecurrenceEnd, ResponseStatus,
    ShowAs, Subject, TaskStatus, WeekOfMonth, Weekday,
};
use proxy::mailbox::PreparedAppointment;
use proxy::mailbox::graph::directory::{
    GraphPerson, GraphPlace, ScheduleInformation, ScheduleRequest,
};
use proxy::mailbox::graph::wire::{
    Collection, Event, EventFields, NewEvent, NewTodoTask, TodoFields, TodoTask,
};
use serde_json::Value;

/// A weekly meeting with every kind of invitee and every meeting field set.
fn meeting() -> PreparedAppointment {
    PreparedAppointment {
        details: MeetingDetails {
            all_day: false,
            reminder_minutes: Some(15),
            show_as: ShowAs::Tentative,
            importance: Importance::High,
            private: true,
            categories: vec!["Red category".into()],
            required_attendees: vec!["bob@example.com".into()],
            optional_attendees: vec!["carol@example.com".into()],
            rooms: vec!["room-412@example.com".into()],
            recurrence: Some(Recurrence {
                pattern: Pattern::Weekly {
                    interval: 2,
                    days: vec![Weekday::Tuesday, Weekday::Thursday],
                },
                start_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                end: RecurrenceEnd::Count { count: 10 },
            }),
        },
        ..appointment()
    }
}

/// The properties `type` requires of a recurrence pattern, from the documented table.
fn required_pattern_properties(kind: &str) -> BTreeSet<String> {
    let text = fixture("properties/recurrencePattern.md");
    let row = text
        .lines()
        .find(|line| line.starts_with(&format!("| `{kind}` |")))
        .unwrap_or_else(|| panic!("no pattern type {kind}"));
    row.split("**")
        .skip(1)
        .step_by(2)
        .map(str::to_ascii_lowercase)
        .collect()
}

fn assert_recurrence_documented(recurrence: &Value) {
    assert_documented(recurrence, "patternedRecurrence");
    let pattern = &recurrence["pattern"];
    assert_documented(pattern, "recurrencePattern");
    let kind = pattern["type"].as_str().unwrap();
    assert!(possible_values("recurrencePattern", "type").contains(kind));
    // "Include only the properties that you need": exactly the required ones (`index` is
    // optional and used by relativeMonthly).
    let sent: BTreeSet<String> = pattern
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.to_ascii_lowercase())
        .filter(|k| k != "index")
        .collect();
    assert_eq!(sent, required_pattern_properties(kind), "{pattern}");
    let range = &recurrence["range"];
    assert_documented(range, "recurrenceRange");
    let kinds: BTreeSet<String> = possible_values("recurrenceRange", "type")
        .iter()
        .map(|v| v.to_ascii_lowercase())
        .collect();
    assert!(kinds.contains(&range["type"].as_str().unwrap().to_ascii_lowercase()));
}

#[test]
fn meeting_bodies_carry_only_documented_properties_and_values() {
    let created = serde_json::to_value(NewEvent::new(&meeting(), "req-4")).unwrap();
    let changed = serde_json::to_value(EventFields::changes(&meeting())).unwrap();
    assert_documented(&created, "event");
    // An edit sends only what the update page lists (no transactionId, no extended property).
    assert_documented(&changed, "event-update");
    for body in [&created, &changed] {
        for (property, page) in [
            ("showAs", "event-update"),
            ("importance", "event-update"),
            ("sensitivity", "event-update"),
        ] {
            let value = body[property].as_str().unwrap();
            assert!(
                possible_values(page, property).contains(value),
                "{property}: {value}"
            );
        }
        let attendees = body["attendees"].as_array().unwrap();
        let kinds: Vec<&str> = attendees
            .iter()
            .map(|a| {
                assert_documented(a, "attendee");
                assert_documented(&a["emailAddress"], "emailAddress");
                let kind = a["type"].as_str().unwrap();
                assert!(possible_values("attendee", "type").contains(kind));
                kind
            })
            .collect();
        assert_eq!(kinds, ["required", "optional", "resource"]);
        assert_eq!(
            attendees[2]["emailAddress"]["address"],
            "room-412@example.com"
        );
        assert_recurrence_documented(&body["recurrence"]);
        assert_eq!(body["recurrence"]["pattern"]["type"], "weekly");
        assert_eq!(
            body["recurrence"]["pattern"]["daysOfWeek"],
            serde_json::json!(["tuesday", "thursday"])
        );
        assert_eq!(body["recurrence"]["range"]["numberOfOccurrences"], 10);
        assert_eq!(body["recurrence"]["range"]["startDate"], "2026-12-01");
        assert_eq!(
            (&body["isReminderOn"], &body["reminderMinutesBeforeStart"]),
            (&serde_json::json!(true), &serde_json::json!(15))
        );
        assert_eq!(body["sensitivity"], "private");
    }
    // Each pattern the form offers is sent with exactly the properties its type requires.
    let start = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
    for pattern in [
        Pattern::Daily { interval: 1 },
        Pattern::MonthlyOnDay {
            interval: 1,
            day: 8,
        },
        Pattern::MonthlyOnWeekday {
            interval: 1,
            week: WeekOfMonth::Second,
            weekday: Weekday::Tuesday,
        },
        Pattern::Yearly { month: 12, day: 8 },
    ] {
        for end in [
            RecurrenceEnd::Never,
            RecurrenceEnd::Until {
                date: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
            },
        ] {
            let mut series = meeting();
            series.details.recurrence = Some(Recurrence {
                pattern: pattern.clone(),
                start_date: start,
                end,
            });
            let body = serde_json::to_value(EventFields::changes(&series)).unwrap();
            assert_recurrence_documented(&body["recurrence"]);
        }
    }
    // An edit clears what the form emptied; a plain appointment invites nobody.
    let plain = serde_json::to_value(EventFields::changes(&PreparedAppointment {
        location: None,
        body: None,
        ..appointment()
    }))
    .unwrap();
    assert_eq!(plain["location"]["displayName"], "");
    assert_eq!(plain["body"]["content"], "");
    assert_eq!(plain["attendees"], serde_json::json!([]));
    assert_eq!(plain["isReminderOn"], false);
    assert!(plain.get("recurrence").is_none() && plain.get("reminderMinutesBeforeStart").is_none());
}

#[test]
fn microsofts_meeting_examples_read_into_meeting_fields() {
    let created: Event = serde_json::from_str(&fixture("user-post-events.response.json")).unwrap();
    let appointment = created.to_appointment().unwrap();
    assert_eq!(appointment.required_attendees.len(), 1);
    let samantha = &appointment.required_attendees[0];
    assert_eq!(
        (
            samantha.email.as_str(),
            samantha.name.as_str(),
            samantha.response
        ),
        (
            "samanthab@contoso.onmicrosoft.com",
            "Samantha Booth",
            ResponseStatus::None
        )
    );
    assert_eq!(
        appointment.organizer.as_deref(),
        Some("danas@contoso.onmicrosoft.com")
    );
    assert_eq!(appointment.my_response, ResponseStatus::Organizer);
    assert_eq!(appointment.reminder_minutes, Some(15));
    assert_eq!(
        (
            appointment.show_as,
            appointment.importance,
            appointment.private
        ),
        (ShowAs::Busy, Importance::Normal, false)
    );
    assert!(!appointment.occurrence && !appointment.cancelled && appointment.recurrence.is_none());

    // What we send comes back as the same meeting.
    let mut sent = serde_json::to_value(NewEvent::new(&meeting(), "req-5")).unwrap();
    sent["id"] = "AAMk=".into();
    sent["type"] = "seriesMaster".into();
    sent["organizer"] = serde_json::json!({"emailAddress": {"address": "alice@example.com"}});
    let read = serde_json::from_value::<Event>(sent)
        .unwrap()
        .to_appointment()
        .unwrap();
    let expected = meeting().created("AAMk=".into(), String::new());
    assert_eq!(read.recurrence, expected.recurrence);
    assert_eq!(read.required_attendees, expected.required_attendees);
    assert_eq!(read.optional_attendees, expected.optional_attendees);
    assert_eq!(read.rooms, expected.rooms);
    assert_eq!(
        (read.show_as, read.importance, read.private, read.categories),
        (
            ShowAs::Tentative,
            Importance::High,
            true,
            vec!["Red category".to_owned()]
        )
    );
}

#[test]
fn task_fields_carry_only_documented_properties() {
    let task = NewTask {
        subject: Subject::parse("Plan the offsite").unwrap(),
        due_date: NaiveDate::from_ymd_opt(2026, 12, 18),
        status: TaskStatus::InProgress,
        body: None,
        start_date: NaiveDate::from_ymd_opt(2026, 12, 7),
        percent_complete: 40,
        importance: Importance::High,
        categories: vec!["Offsite".into()],
        reminder: Some(utc("2026-12-17T08:00:00Z")),
        recurrence: Some(Recurrence {
            pattern: Pattern::Weekly {
                interval: 1,
                days: vec![Weekday::Friday],
            },
            start_date: NaiveDate::from_ymd_opt(2026, 12, 18).unwrap(),
            end: RecurrenceEnd::Never,
        }),
    };
    for body in [
        serde_json::to_value(NewTodoTask::new(&task, "req-6")).unwrap(),
        serde_json::to_value(TodoFields::changes(&task)).unwrap(),
    ] {
        assert_documented(&body, "todoTask");
        for time in ["dueDateTime", "startDateTime", "reminderDateTime"] {
            assert_documented(&body[time], "dateTimeTimeZone");
        }
        assert_recurrence_documented(&body["recurrence"]);
        assert!(
            possible_values("todoTask", "importance")
                .contains(body["importance"].as_str().unwrap())
        );
        assert_eq!(body["startDateTime"]["dateTime"], "2026-12-07T00:00:00");
        assert_eq!(body["reminderDateTime"]["dateTime"], "2026-12-17T08:00:00");
        assert_eq!(body["isReminderOn"], true);
    }
    // Read back: To Do keeps no percentage, progress is the status.
    let mut stored = serde_json::to_value(TodoFields::new(&task)).unwrap();
    stored["id"] = "t1".into();
    let read = serde_json::from_value::<TodoTask>(stored)
        .unwrap()
        .to_task();
    assert_eq!(
        (read.start_date, read.due_date, read.reminder),
        (task.start_date, task.due_date, task.reminder)
    );
    assert_eq!(
        (read.importance, read.recurrence),
        (task.importance, task.recurrence.clone())
    );
    assert_eq!(read.percent_complete, 0);
    // An edit that empties a day sends null, which clears it.
    let cleared = serde_json::to_value(TodoFields::changes(&NewTask {
        due_date: None,
        reminder: None,
        ..task
    }))
    .unwrap();
    assert!(cleared["dueDateTime"].is_null() && cleared["reminderDateTime"].is_null());
    assert_eq!(cleared["isReminderOn"], false);
}

#[test]
fn directory_and_free_busy_follow_microsofts_examples() {
    let people: Collection<GraphPerson> =
        serde_json::from_str(&fixture("user-list-people.response.json")).unwrap();
    let found: Vec<_> = people
        .value
        .iter()
        .filter_map(GraphPerson::to_person)
        .collect();
    assert_eq!(found.len(), 2);
    assert_eq!(
        (
            found[1].email.as_str(),
            found[1].name.as_str(),
            found[1].is_room
        ),
        ("IsaiahL@contoso.com", "Isaiah Langer", false)
    );
    let mut room = serde_json::from_str::<Value>(&fixture("user-list-people.response.json"))
        .unwrap()["value"][1]
        .clone();
    room["personType"] = serde_json::json!({"class": "Other", "subclass": "Room"});
    let room: GraphPerson = serde_json::from_value(room).unwrap();
    assert!(room.to_person().unwrap().is_room);

    let lists: Collection<GraphPlace> =
        serde_json::from_str(&fixture("place-list-roomlists.response.json")).unwrap();
    assert_eq!(
        lists.value[1].email_address.as_deref(),
        Some("bldg2@contoso.com")
    );
    let rooms: Collection<GraphPlace> =
        serde_json::from_str(&fixture("place-list-rooms.response.json")).unwrap();
    assert_eq!(
        rooms.value[0].display_name.as_deref(),
        Some("Conf Room 200")
    );

    let request = serde_json::to_value(ScheduleRequest::new(
        &["adelev@contoso.onmicrosoft.com".to_owned()],
        utc("2019-03-15T16:00:00Z"),
        utc("2019-03-16T01:00:00Z"),
    ))
    .unwrap();
    assert_documented(&request, "getSchedule");
    assert_documented(&request["startTime"], "dateTimeTimeZone");
    assert_eq!(
        request["startTime"],
        serde_json::json!({"dateTime": "2019-03-15T16:00:00", "timeZone": "UTC"})
    );
    assert_eq!(request["availabilityViewInterval"], 30);

    let answer: Collection<ScheduleInformation> =
        serde_json::from_str(&fixture("calendar-getschedule.response.json")).unwrap();
    let megan = answer.value[1]
        .to_schedule("meganb@contoso.onmicrosoft.com")
        .unwrap();
    assert_eq!(megan.error, None);
    // 08:30 Pacific Daylight Time (UTC-7 on 15 March 2019).
    assert_eq!(megan.busy[0].start, utc("2019-03-15T15:30:00Z"));
    assert_eq!(megan.busy[1].status, ShowAs::Tentative);
    let unknown: ScheduleInformation = serde_json::from_value(serde_json::json!({
        "scheduleId": "nobody@contoso.com",
        "error": {"message": "The user or resource could not be found.", "responseCode": "ErrorMailRecipientNotFound"}
    }))
    .unwrap();
    let schedule = unknown.to_schedule("nobody@contoso.com").unwrap();
    assert!(schedule.busy.is_empty());
    assert!(schedule.error.unwrap().contains("could not be found"));
}
