//! Browser tests of the meeting planner's pieces (wasm-bindgen-test, headless Chromium): the
//! form's wall-clock times read in a time zone through the browser's `Intl`, and the attendee
//! and room lists the pickers keep in the draft.

use std::rc::Rc;

use exchange_forms::state::{Action, FormState, Kind};
use exchange_forms::wall_clock::{instant_ms, local_text};
use model::Field;
use wasm_bindgen_test::*;
use yew::Reducible;

wasm_bindgen_test_configure!(run_in_browser);

fn utc_ms(text: &str) -> f64 {
    js_sys::Date::parse(text)
}

#[wasm_bindgen_test]
fn wall_clock_times_become_instants_in_their_zone_and_back() {
    let paris = Some("Europe/Paris");
    // Winter (UTC+1), summer (UTC+2), and the morning the clocks go forward at 02:00.
    for (local, instant) in [
        ("2026-12-03T14:00", "2026-12-03T13:00:00Z"),
        ("2026-07-01T09:30", "2026-07-01T07:30:00Z"),
        ("2026-03-29T03:30", "2026-03-29T01:30:00Z"),
        ("2026-03-29T01:30", "2026-03-29T00:30:00Z"),
    ] {
        assert_eq!(instant_ms(local, paris), Some(utc_ms(instant)), "{local}");
        assert_eq!(local_text(utc_ms(instant), paris).as_deref(), Some(local));
    }
    let sydney = Some("Australia/Sydney");
    assert_eq!(
        instant_ms("2026-12-03T09:00", sydney),
        Some(utc_ms("2026-12-02T22:00:00Z"))
    );
    // A zone the browser does not know gives no instant rather than an exception.
    assert_eq!(instant_ms("2026-12-03T14:00", Some("Mars/Olympus")), None);
    assert_eq!(instant_ms("next Tuesday", paris), None);
}

#[wasm_bindgen_test]
fn the_pickers_keep_one_address_a_line_in_the_draft() {
    let edit = |state: Rc<FormState>, field, value: &str| {
        state.reduce(Action::Edit {
            field,
            value: value.into(),
        })
    };
    let state = Rc::new(FormState::new(Kind::Appointment));
    let state = edit(
        state,
        Field::RequiredAttendees,
        "bob@sandbox.test\ncarol@sandbox.test",
    );
    let state = edit(state, Field::Rooms, "eiffel@sandbox.test");
    assert_eq!(
        state.appointment.required_attendees,
        ["bob@sandbox.test", "carol@sandbox.test"]
    );
    assert_eq!(state.appointment.rooms, ["eiffel@sandbox.test"]);
    assert_eq!(
        state.value(Field::RequiredAttendees),
        "bob@sandbox.test\ncarol@sandbox.test"
    );
    // The last chip removed leaves an empty list, not one empty address.
    let state = edit(state, Field::Rooms, "");
    assert!(state.appointment.rooms.is_empty());
    assert!(state.appointment.optional_attendees.is_empty());
}
