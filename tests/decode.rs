//! The widget reads the proxy's answers and its own saved state without serde
//! (`exchange_forms::decode`): every type read that way must come out as serde wrote it (the
//! proxy writes with serde), and an answer missing what serde requires must be refused. What
//! the widget writes (`exchange_forms::json_writer`) must be the text serde_json writes.

use chrono::{NaiveDate, TimeZone, Utc};
use exchange_forms::decode::{FromJs, from_js};
use exchange_forms::json_writer;
use exchange_forms::services::auth::{FlowState, FlowStatus};
use exchange_forms::state::{Change, Draft, Pending, Target};
use model::{
    Appointment, AppointmentDraft, Attendee, AuthStatus, Ends, Importance, Page, Pattern,
    Recurrence, RecurrenceDraft, RecurrenceEnd, Repeat, ReplyKind, ResponseStatus, ShowAs, Task,
    TaskDraft, TaskStatus, WeekOfMonth, Weekday,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn parsed(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON")
}

/// serde writes `value` as JSON, the browser parses it, the widget reads it back; the widget
/// writes the same text as serde.
fn round_trip<T: Serialize + FromJs + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(json_writer::to_string(value).as_deref(), Ok(json.as_str()));
    let read: T = from_js(&parsed(&json)).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(&read, value, "{json}");
}

/// The widget reads `json` as serde does (defaults of absent fields included).
fn reads_as_serde<T: DeserializeOwned + FromJs + PartialEq + std::fmt::Debug>(json: &str) {
    let expected: T = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
    let read: T = from_js(&parsed(json)).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(read, expected, "{json}");
}

fn error<T: FromJs + std::fmt::Debug>(json: &str) -> String {
    match from_js::<T>(&parsed(json)) {
        Ok(value) => panic!("{json} was read as {value:?}"),
        Err(e) => e.to_string(),
    }
}

fn attendee(email: &str, name: &str, response: ResponseStatus) -> Attendee {
    Attendee {
        email: email.into(),
        name: name.into(),
        response,
    }
}

fn every_pattern() -> Vec<Pattern> {
    vec![
        Pattern::Daily { interval: 2 },
        Pattern::Weekly {
            interval: 1,
            days: Weekday::ALL.to_vec(),
        },
        Pattern::MonthlyOnDay {
            interval: 3,
            day: 31,
        },
        Pattern::MonthlyOnWeekday {
            interval: 1,
            week: WeekOfMonth::Last,
            weekday: Weekday::Friday,
        },
        Pattern::Yearly { month: 12, day: 1 },
    ]
}

fn every_end() -> Vec<RecurrenceEnd> {
    vec![
        RecurrenceEnd::Never,
        RecurrenceEnd::Until {
            date: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
        },
        RecurrenceEnd::Count { count: 10 },
    ]
}

fn full_appointment(recurrence: Option<Recurrence>, my_response: ResponseStatus) -> Appointment {
    Appointment {
        id: "AAMk=".into(),
        change_key: "CQAA".into(),
        subject: "Design review".into(),
        start: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
        end: Utc.with_ymd_and_hms(2026, 12, 1, 10, 30, 0).unwrap(),
        location: "Room 4".into(),
        body: "Agenda".into(),
        all_day: true,
        reminder_minutes: Some(15),
        show_as: ShowAs::WorkingElsewhere,
        importance: Importance::High,
        private: true,
        categories: vec!["Red".into(), "Blue".into()],
        required_attendees: vec![attendee("a@example.com", "A", ResponseStatus::Accepted)],
        optional_attendees: vec![attendee("b@example.com", "", ResponseStatus::Tentative)],
        rooms: vec![attendee(
            "room@example.com",
            "Room",
            ResponseStatus::Declined,
        )],
        recurrence,
        occurrence: true,
        organizer: Some("o@example.com".into()),
        my_response,
        cancelled: true,
    }
}

#[wasm_bindgen_test]
fn appointments_read_back_as_serde_wrote_them() {
    let start_date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    for (pattern, end) in every_pattern()
        .into_iter()
        .zip(every_end().into_iter().cycle())
    {
        let recurrence = Recurrence {
            pattern,
            start_date,
            end,
        };
        for response in ResponseStatus::ALL {
            round_trip(&full_appointment(Some(recurrence.clone()), response));
        }
    }
    round_trip(&Page::followed_by(
        vec![full_appointment(None, ResponseStatus::Organizer)],
        "next".into(),
    ));
    round_trip(&Page::<Appointment>::last(vec![]));
}

#[wasm_bindgen_test]
fn absent_fields_take_serde_defaults() {
    reads_as_serde::<Appointment>(
        r#"{"id":"1","subject":"S","start":"2026-12-01T09:00:00Z","end":"2026-12-01T10:00:00+01:00"}"#,
    );
    reads_as_serde::<Appointment>(
        r#"{"id":"1","subject":"S","start":"2026-12-01T09:00:00Z","end":"2026-12-01T10:00:00Z",
            "reminderMinutes":null,"organizer":null,"recurrence":null,
            "requiredAttendees":[{"email":"a@example.com"}]}"#,
    );
    reads_as_serde::<Task>(r#"{"id":"1","subject":"S","status":"NotStarted"}"#);
    reads_as_serde::<Task>(
        r#"{"id":"1","subject":"S","status":"Deferred","dueDate":null,"reminder":null}"#,
    );
    reads_as_serde::<AppointmentDraft>(r#"{"subject":"S","start":"","end":""}"#);
    reads_as_serde::<TaskDraft>(r#"{"subject":"S"}"#);
    reads_as_serde::<RecurrenceDraft>(r#"{"repeat":"weekly"}"#);
    reads_as_serde::<AuthStatus>(r#"{"authorized":false}"#);
    reads_as_serde::<Page<Task>>(r#"{"items":[],"more":false}"#);
}

#[wasm_bindgen_test]
fn tasks_read_back_as_serde_wrote_them() {
    for (status, pattern) in TaskStatus::ALL.into_iter().zip(every_pattern()) {
        let task = Task {
            id: "T1".into(),
            change_key: "CK".into(),
            subject: "Report".into(),
            due_date: NaiveDate::from_ymd_opt(2026, 12, 24),
            status,
            body: "Body".into(),
            start_date: NaiveDate::from_ymd_opt(2026, 12, 20),
            percent_complete: 40,
            importance: Importance::Low,
            categories: vec!["Green".into()],
            reminder: Some(Utc.with_ymd_and_hms(2026, 12, 23, 8, 0, 0).unwrap()),
            recurrence: Some(Recurrence {
                pattern,
                start_date: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
                end: RecurrenceEnd::Count { count: 3 },
            }),
        };
        round_trip(&Page::last(vec![task]));
    }
    round_trip(&AuthStatus {
        authorized: true,
        user: Some("Ada".into()),
    });
}

fn full_appointment_draft(repeat: Repeat, ends: Ends) -> AppointmentDraft {
    AppointmentDraft {
        subject: "S".into(),
        start: "2026-12-01T09:00".into(),
        end: "2026-12-01T10:00".into(),
        location: "L".into(),
        body: "B".into(),
        time_zone: Some("Europe/Paris".into()),
        all_day: true,
        reminder: "15".into(),
        show_as: ShowAs::Oof,
        importance: Importance::Low,
        private: true,
        categories: vec!["C".into()],
        required_attendees: vec!["a@example.com".into()],
        optional_attendees: vec!["b@example.com".into()],
        rooms: vec!["room@example.com".into()],
        recurrence: Some(RecurrenceDraft {
            repeat,
            interval: "2".into(),
            days: vec![Weekday::Monday, Weekday::Sunday],
            ends,
            until: "2027-01-01".into(),
            count: "4".into(),
        }),
    }
}

/// The draft kept across a full-page sign-in, with every change it can carry.
#[wasm_bindgen_test]
fn saved_actions_read_back_as_serde_wrote_them() {
    let mut changes = vec![Change::Save, Change::Complete, Change::Delete];
    changes.push(Change::Cancel("Sorry".into()));
    for reply in ReplyKind::ALL {
        changes.push(Change::Reply(reply, "See you".into()));
    }
    let drafts = Repeat::ALL
        .into_iter()
        .zip(Ends::ALL.into_iter().cycle())
        .map(|(repeat, ends)| Draft::Appointment(full_appointment_draft(repeat, ends)));
    let task = TaskDraft {
        subject: "T".into(),
        due_date: "2026-12-24".into(),
        status: "InProgress".into(),
        body: "B".into(),
        start_date: "2026-12-20".into(),
        percent_complete: "50".into(),
        importance: Importance::High,
        categories: vec!["C".into()],
        reminder_at: "2026-12-23T08:00".into(),
        recurrence: None,
    };
    for (draft, change) in drafts
        .chain([Draft::Task(task)])
        .zip(changes.into_iter().cycle())
    {
        round_trip(&Pending {
            draft: draft.clone(),
            idempotency_key: "key".into(),
            target: Some(Target {
                id: "id".into(),
                version: "v1".into(),
                subject: "S".into(),
                change,
            }),
        });
        round_trip(&Pending {
            draft,
            idempotency_key: "key".into(),
            target: None,
        });
    }
}

/// What users type reaches the proxy as typed: quotes, backslashes, line breaks, control
/// characters and any script, escaped as serde_json escapes them.
#[wasm_bindgen_test]
fn typed_text_is_written_as_serde_writes_it() {
    for text in [
        "",
        "plain",
        "say \"hi\"",
        "C:\\temp\\",
        "two\nlines\r\n\ttabbed",
        "bell \u{7} and \u{1f} and \u{0}",
        "backspace \u{8} and form feed \u{c}",
        "Réunion ✓ 😀 \u{2028}",
        "</script><b>&amp;",
    ] {
        let task = TaskDraft {
            subject: text.into(),
            due_date: "2026-12-24".into(),
            status: "NotStarted".into(),
            body: text.into(),
            start_date: String::new(),
            percent_complete: "0".into(),
            importance: Importance::Normal,
            categories: vec![text.into(), "x".into()],
            reminder_at: String::new(),
            recurrence: None,
        };
        assert_eq!(
            json_writer::to_string(&task),
            Ok(serde_json::to_string(&task).unwrap()),
            "{text:?}"
        );
        round_trip(&task);
    }
}

/// Floats have no JSON text here (none is ever sent): refused with a message, not printed.
#[wasm_bindgen_test]
fn floats_are_refused() {
    let error = json_writer::to_string(&[1.5f64]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "a floating-point number has no JSON form here"
    );
    let map: std::collections::BTreeMap<u8, u8> = [(1, 2)].into();
    let error = json_writer::to_string(&map).unwrap_err();
    assert_eq!(error.to_string(), "a map key must be a string");
}

#[wasm_bindgen_test]
fn sign_in_answers_are_read() {
    let status: FlowStatus = from_js(&parsed(
        r#"{"status":"done","sessionHandle":"h","user":"Ada","extra":1}"#,
    ))
    .unwrap();
    assert_eq!(status.status, FlowState::Done);
    assert_eq!(status.session_handle.as_deref(), Some("h"));
    for state in FlowState::ALL {
        let json = format!(r#"{{"status":{}}}"#, serde_json::to_string(&state).unwrap());
        let read: FlowStatus = from_js(&parsed(&json)).unwrap();
        assert_eq!(read.status, state);
    }
    assert!(error::<FlowStatus>(r#"{"status":"lost"}"#).contains("unknown variant `lost`"));
}

#[wasm_bindgen_test]
fn answers_missing_what_serde_requires_are_refused() {
    let message = error::<Appointment>(r#"{"id":"1","start":"2026-12-01T09:00:00Z"}"#);
    assert!(message.contains("missing field `subject`"), "{message}");
    let message = error::<Appointment>(
        r#"{"id":"1","subject":"S","start":"yesterday","end":"2026-12-01T10:00:00Z"}"#,
    );
    assert!(
        message.contains("start: 'yesterday' is not an RFC 3339"),
        "{message}"
    );
    let message =
        error::<Page<Task>>(r#"{"items":[{"id":"1","subject":"S","status":"Lost"}],"more":false}"#);
    assert!(
        message.contains("items: 0: status: unknown variant `Lost`"),
        "{message}"
    );
    let message =
        error::<Task>(r#"{"id":"1","subject":"S","status":"Completed","percentComplete":101.5}"#);
    assert!(
        message.contains("invalid type: floating point `101.5`, expected u8"),
        "{message}"
    );
    let message = error::<Recurrence>(
        r#"{"pattern":{"daily":{"interval":1},"weekly":{}},"startDate":"2026-12-01","end":"never"}"#,
    );
    assert!(message.contains("pattern: invalid type: map"), "{message}");
    let message = error::<Page<Task>>(r#"[1,2]"#);
    assert!(
        message.contains("invalid type: sequence, expected a map"),
        "{message}"
    );
}

#[wasm_bindgen_test]
fn directory_and_free_busy_answers_read_back_as_serde_wrote_them() {
    let at = |hour| Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0).unwrap();
    round_trip(&model::Person {
        email: "room-4.12@example.com".into(),
        name: "Room 4.12".into(),
        is_room: true,
    });
    round_trip(&model::Availability {
        schedules: vec![
            model::Schedule {
                email: "bob@example.com".into(),
                busy: vec![model::BusySlot {
                    start: at(9),
                    end: at(10),
                    status: ShowAs::Tentative,
                }],
                error: None,
            },
            model::Schedule {
                email: "nobody@elsewhere.example".into(),
                busy: Vec::new(),
                error: Some("unknown address".into()),
            },
        ],
        suggestions: vec![model::Slot {
            start: at(11),
            end: at(12),
        }],
    });
    reads_as_serde::<model::Person>(r#"{"email":"ada@example.com"}"#);
    reads_as_serde::<model::Availability>(r#"{"schedules":[]}"#);
    let message = error::<model::Schedule>(r#"{"email":"bob@example.com"}"#);
    assert!(message.contains("missing field `busy`"), "{message}");
}
