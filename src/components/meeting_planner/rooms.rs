//! The room picker: a room list, then a room, each room's free/busy at the chosen time, and a
//! question before a busy room is booked.

use std::cell::Cell;
use std::rc::Rc;

use model::directory::blocks;
use model::{AvailabilityDraft, Field, Person, Schedule};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::{SETTLE, SlotKey, is_own, own_booking, signed_in, slot_key};
use crate::components::appointment_form::FieldsProps;
use crate::components::picker::{Shared, chips, chosen, each, error_line, spawn};
use crate::services::directory;
use crate::wall_clock::rfc3339;

/// A room's state at the chosen time: `Some(true)` busy, `Some(false)` free, `None` unknown.
type Busy = Option<bool>;

/// Whether `email` is busy between `start` and `end` (ms) in `schedules`, not counting the
/// booking of the meeting being edited (`own`).
fn busy_in(schedules: &[Schedule], email: &str, start: f64, end: f64, own: SlotKey) -> Busy {
    let schedule = schedules
        .iter()
        .find(|s| s.email.eq_ignore_ascii_case(email))?;
    if schedule.error.is_some() {
        return None;
    }
    Some(schedule.busy.iter().any(|b| {
        blocks(b.status)
            && !is_own(b, own)
            && (b.start.timestamp_millis() as f64) < end
            && start < b.end.timestamp_millis() as f64
    }))
}

/// What the room picker shows: kept by the form's fields, which render the picker.
#[derive(Default)]
pub struct Rooms {
    /// `None` until asked for (once signed in).
    lists: Option<Vec<Person>>,
    list: String,
    rooms: Vec<Person>,
    /// The rooms and the time the statuses are for.
    statuses_for: (Vec<String>, SlotKey),
    statuses: Vec<(String, Busy)>,
    /// A busy room waiting for the user's choice: book it anyway or pick another.
    asking: Option<Person>,
    /// The edited meeting and its time as opened.
    own: (Option<String>, SlotKey),
    generation: Rc<Cell<u32>>,
}

/// Asks for each room's free/busy at the chosen time when the rooms or the time changed.
fn refresh_statuses(
    rooms: &Shared<Rooms>,
    api: &crate::services::Api,
    wanted: (Vec<String>, SlotKey),
    own: SlotKey,
) {
    let generation = {
        let mut r = rooms.cell.borrow_mut();
        if r.statuses_for == wanted {
            return;
        }
        r.statuses_for = wanted.clone();
        r.statuses.clear();
        r.generation.clone()
    };
    let (addresses, Some((start, end))) = wanted else {
        return;
    };
    if addresses.is_empty() {
        return;
    }
    let (rooms, api) = (rooms.clone(), api.clone());
    spawn(Box::pin(async move {
        let Some(current) = rooms.settled(generation, SETTLE).await else {
            return;
        };
        let (start, end) = (start as f64, end as f64);
        let draft = AvailabilityDraft {
            addresses,
            start: rfc3339(start),
            end: rfc3339(end),
            duration_minutes: None,
        };
        let schedules = match directory::availability(&api, &draft).await {
            Ok(answer) => answer.schedules,
            Err(_) => Vec::new(),
        };
        if current() {
            rooms.change(|r| {
                r.statuses.clear();
                for a in &draft.addresses {
                    let busy = busy_in(&schedules, a, start, end, own);
                    r.statuses.push((a.clone(), busy));
                }
            });
        }
    }));
}

/// The room picker.
pub fn room_picker(props: &FieldsProps, state: Shared<Rooms>) -> Html {
    let config = &props.config;
    let t = config.locale.t();
    let chosen_rooms = chosen(props, Field::Rooms);
    let signed_in = signed_in(props);
    let api = &config.api;

    if signed_in && state.cell.borrow().lists.is_none() {
        state.cell.borrow_mut().lists = Some(Vec::new());
        let (state, api) = (state.clone(), api.clone());
        spawn(Box::pin(async move {
            let lists = directory::places(&api, None).await.unwrap_or_default();
            state.change(|r| r.lists = Some(lists));
        }));
    }
    let mut wanted = Vec::new();
    for room in &state.cell.borrow().rooms {
        wanted.push(room.email.clone());
    }
    wanted.extend_from_slice(&chosen_rooms);
    let own = own_booking(&mut state.cell.borrow_mut().own, props);
    refresh_statuses(&state, api, (wanted, slot_key(props)), own);

    let r = state.cell.borrow();
    let status_of = |email: &str| -> Busy {
        r.statuses
            .iter()
            .find(|(e, _)| e.eq_ignore_ascii_case(email))
            .and_then(|(_, busy)| *busy)
    };
    let word = |busy: Busy| match busy {
        Some(true) => Some(t.show_as[2]),
        Some(false) => Some(t.show_as[0]),
        None => None,
    };
    let book = {
        let (edit, state, chosen_rooms) =
            (props.on_edit.clone(), state.clone(), chosen_rooms.clone());
        Callback::from(move |room: String| {
            state.change(|r| r.asking = None);
            if !chosen_rooms.iter().any(|r| r.eq_ignore_ascii_case(&room)) {
                let mut next = chosen_rooms.clone();
                next.push(room);
                edit.emit((Field::Rooms, next.join("\n")));
            }
        })
    };
    // The rooms' id: the error summary's link to a room problem focuses the room list.
    let list_id = config.id(Field::Rooms.name());
    let error = crate::components::appointment_form::field_error(props, Field::Rooms);
    let on_list = {
        let (state, api) = (state.clone(), api.clone());
        Callback::from(move |e: Event| {
            let list = e.target_unchecked_into::<HtmlSelectElement>().value();
            state.change(|r| {
                r.asking = None;
                r.rooms.clear();
                r.list = list.clone();
            });
            if !list.is_empty() {
                let (state, api) = (state.clone(), api.clone());
                spawn(Box::pin(async move {
                    let rooms = directory::places(&api, Some(&list))
                        .await
                        .unwrap_or_default();
                    // Only the list still chosen.
                    state.change(|r| {
                        if r.list == list {
                            r.rooms = rooms
                        }
                    });
                }));
            }
        })
    };
    let disabled = props.state.busy();
    let lists = r.lists.as_deref().unwrap_or_default();
    let room_buttons = each(r.rooms.len(), &|i| {
        let room = &r.rooms[i];
        let busy = status_of(&room.email);
        let label = match word(busy) {
            Some(word) => format!("{} ({word})", room.name),
            None => room.name.clone(),
        };
        let onclick = {
            let (room, book, state) = (room.clone(), book.clone(), state.clone());
            Callback::from(move |_: MouseEvent| {
                if busy == Some(true) {
                    state.change(|r| r.asking = Some(room.clone()));
                } else {
                    book.emit(room.email.clone());
                }
            })
        };
        html! { <li><button type="button" class="xf-button xf-button--secondary" {onclick} {disabled}>{ label }</button></li> }
    });
    let warning = r.asking.clone().map(|room| {
        let confirm = book.reform({
            let email = room.email.clone();
            move |_: MouseEvent| email.clone()
        });
        let other = {
            let (state, list_id, host) = (state.clone(), list_id.clone(), config.host.clone());
            Callback::from(move |_: MouseEvent| {
                state.change(|r| r.asking = None);
                crate::browser::focus_soon(&host, list_id.clone());
            })
        };
        html! {
            <div class="xf-notice xf-notice--error" role="alert">
                <p>{ config.locale.room_busy(&room.name) }</p>
                <button type="button" class="xf-button" onclick={confirm}>{ t.book_anyway }</button>
                <button type="button" class="xf-button xf-button--secondary" onclick={other}>{ t.choose_another_room }</button>
            </div>
        }
    });
    html! {
        <fieldset class="xf-rooms">
            <legend>{ config.locale.field_label(Field::Rooms) }</legend>
            { chips(props, Field::Rooms, &chosen_rooms, &|email| word(status_of(email)), Some(list_id.clone().into())) }
            if let Some(error) = error {
                { error_line(None, error.to_string()) }
            }
            if signed_in {
                <div class="xf-field">
                    <label for={list_id.clone()}>{ t.room_list }</label>
                    <select id={list_id} onchange={on_list} {disabled}>
                        <option value="" selected={r.list.is_empty()}>{ t.choose }</option>
                        { each(lists.len(), &|i| {
                            let l = &lists[i];
                            html! { <option value={l.email.clone()} selected={r.list == l.email}>{ l.name.clone() }</option> }
                        }) }
                    </select>
                </div>
                if !r.rooms.is_empty() {
                    <ul class="xf-room-choices" aria-label={t.rooms_of_list}>{ room_buttons }</ul>
                }
                { warning.unwrap_or_default() }
            } else {
                <p class="xf-muted">{ t.pickers_need_sign_in }</p>
            }
        </fieldset>
    }
}
