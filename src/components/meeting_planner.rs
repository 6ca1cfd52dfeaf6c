//! Planning a meeting against everyone's calendars: the room picker with each room's
//! free/busy at the chosen time, the user's own appointments that overlap it, and "Find a time".

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use model::directory::{AvailabilityQuery, BusySlot, blocks, suggest};
use model::{AvailabilityDraft, Field, Person, Schedule, Slot};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::appointment_form::FieldsProps;
use crate::components::picker::{Shared, chips, chosen, each, error_line, spawn};
use crate::error::ApiError;
use crate::services::{appointments, directory};
use crate::state::AuthState;
use crate::wall_clock::{local_text, rfc3339, slot, zone};

/// How long the times must stay put before calendars are asked again.
const SETTLE: Duration = Duration::from_millis(300);
/// How far ahead "Find a time" looks.
const SEARCH_DAYS: f64 = 7.0;
const DAY_MS: f64 = 86_400_000.0;
/// How many times "Find a time" proposes (as many as the proxy's own suggestions).
const SUGGESTIONS: usize = 5;
/// How many pages of the user's own appointments "Find a time" reads (of the largest size the
/// proxy gives: 1,000 appointments in the week searched).
const OWN_PAGES: usize = 5;

/// A room's state at the chosen time: `Some(true)` busy, `Some(false)` free, `None` unknown.
type Busy = Option<bool>;

/// The chosen start and end in whole milliseconds, when both read as times.
type SlotKey = Option<(i64, i64)>;

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

/// Whether `busy` is the edited meeting's own booking: the same start and end as the meeting
/// had when it was opened (free/busy names no item, so its times identify it).
fn is_own(busy: &BusySlot, own: SlotKey) -> bool {
    own == Some((busy.start.timestamp_millis(), busy.end.timestamp_millis()))
}

/// The edited meeting's time as it was opened, kept in `seen` (`(item id, time)`) across
/// renders: the draft's times move as the user edits, the booking stays where it was.
fn own_booking(seen: &mut (Option<String>, SlotKey), props: &FieldsProps) -> SlotKey {
    let editing = props.state.editing.as_ref().map(|e| e.id.clone());
    if seen.0 != editing {
        *seen = (editing.clone(), editing.and(slot_key(props)));
    }
    seen.1
}

fn signed_in(props: &FieldsProps) -> bool {
    matches!(props.state.auth, AuthState::Authorized { .. })
}

/// The slot as whole milliseconds, to tell whether it changed since calendars were asked.
fn slot_key(props: &FieldsProps) -> SlotKey {
    slot(&props.state.appointment).map(|(s, e)| (s as i64, e as i64))
}

/// An instant of an answer as the form's RFC 3339 text.
fn text_of(ms: i64) -> String {
    rfc3339(ms as f64)
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

/// The first times of `minutes` in the next days, from `from` (ms), when the user's own
/// calendar and every address are free (the model's rule, as the proxy applies it).
async fn free_times(
    api: &crate::services::Api,
    addresses: Vec<String>,
    from: f64,
    minutes: u32,
    editing: (Option<String>, SlotKey),
) -> Result<Vec<Slot>, ApiError> {
    let (edited, booking) = editing;
    let start = rfc3339(from);
    let mut end = rfc3339(from + SEARCH_DAYS * DAY_MS);
    let mine = appointments::list_window(api, &start, &end, OWN_PAGES).await?;
    // Past the pages read of the user's appointments nothing is known: look no further.
    if mine.more
        && let Some(last) = mine.items.last()
    {
        end = text_of(last.start.timestamp_millis());
    }
    let mut own = Schedule {
        email: String::new(),
        busy: Vec::new(),
        error: None,
    };
    for a in mine.items {
        if !a.cancelled && edited.as_deref() != Some(a.id.as_str()) {
            own.busy.push(BusySlot {
                start: a.start,
                end: a.end,
                status: a.show_as,
            });
        }
    }
    let mut schedules = vec![own];
    if !addresses.is_empty() {
        let draft = AvailabilityDraft {
            addresses,
            start: start.clone(),
            end: end.clone(),
            duration_minutes: None,
        };
        let mut others = directory::availability(api, &draft).await?.schedules;
        for schedule in &mut others {
            schedule.busy.retain(|b| !is_own(b, booking));
        }
        schedules.extend(others);
    }
    Ok(AvailabilityQuery::window(&start, &end, minutes)
        .map(|query| suggest(&schedules, &query, minutes, SUGGESTIONS))
        .unwrap_or_default())
}

/// What the meeting's times show: kept by the form's fields, which render them.
#[derive(Default)]
pub struct Times {
    /// What the conflicts were asked for: the slot, the list version, the edited item.
    conflicts_for: Option<(SlotKey, u32, Option<String>)>,
    /// The user's appointments at the chosen time: subject and when.
    conflicts: Vec<(String, String)>,
    suggestions: Option<Result<Vec<Slot>, ApiError>>,
    /// The edited meeting and its time as opened.
    own: (Option<String>, SlotKey),
    generation: Rc<Cell<u32>>,
}

/// The user's own appointments overlapping the chosen time, and "Find a time".
pub fn meeting_times(props: &FieldsProps, times: Shared<Times>) -> Html {
    let config = &props.config;
    let locale = &config.locale;
    let t = locale.t();
    let signed_in = signed_in(props);
    let draft = &props.state.appointment;
    let editing = props.state.editing.as_ref().map(|e| e.id.clone());

    let wanted =
        Some((slot_key(props), props.state.list_version, editing.clone())).filter(|_| signed_in);
    let changed = times.cell.borrow().conflicts_for != wanted;
    if changed {
        let generation = {
            let mut state = times.cell.borrow_mut();
            state.conflicts_for = wanted.clone();
            state.conflicts.clear();
            state.generation.clone()
        };
        if let Some((Some((start, end)), _, editing)) = wanted {
            let (times, api, locale) = (times.clone(), config.api.clone(), locale.clone());
            spawn(Box::pin(async move {
                let Some(current) = times.settled(generation, SETTLE).await else {
                    return;
                };
                let (from, to) = (rfc3339(start as f64), rfc3339(end as f64));
                let Ok(page) = appointments::list(&api, &from, &to, None, None).await else {
                    return;
                };
                if current() {
                    times.change(|state| {
                        state.conflicts.clear();
                        for a in &page.items {
                            let (from, to) = (a.start.timestamp_millis(), a.end.timestamp_millis());
                            // Not one that only touches the slot.
                            if a.cancelled
                                || !blocks(a.show_as)
                                || from >= end
                                || start >= to
                                || editing.as_deref() == Some(a.id.as_str())
                            {
                                continue;
                            }
                            let when = locale.format_range(&text_of(from), &text_of(to));
                            state.conflicts.push((a.subject.clone(), when));
                        }
                    });
                }
            }));
        }
    }

    // The user's own calendar is read directly: the signed-in name may not be an address.
    let mut addresses = Vec::new();
    for field in [
        Field::RequiredAttendees,
        Field::OptionalAttendees,
        Field::Rooms,
    ] {
        addresses.extend_from_slice(&chosen(props, field));
    }
    let own = {
        let mut state = times.cell.borrow_mut();
        own_booking(&mut state.own, props);
        state.own.clone()
    };
    let find = {
        let (api, times) = (config.api.clone(), times.clone());
        let slot = slot(draft);
        Callback::from(move |_: MouseEvent| {
            let (api, times, addresses) = (api.clone(), times.clone(), addresses.clone());
            let own = own.clone();
            let now = js_sys::Date::now();
            let (from, minutes) = match slot {
                Some((start, end)) => (start.max(now), ((end - start) / 60_000.0) as u32),
                None => (now, 30),
            };
            spawn(Box::pin(async move {
                let found = free_times(&api, addresses, from, minutes.clamp(5, 24 * 60), own).await;
                times.change(|state| state.suggestions = Some(found));
            }));
        })
    };
    let choose = |slot: &Slot| {
        let zone = zone(draft).map(str::to_owned);
        let (start, end) = (
            slot.start.timestamp_millis() as f64,
            slot.end.timestamp_millis() as f64,
        );
        let (edit, times) = (props.on_edit.clone(), times.clone());
        Callback::from(move |_: MouseEvent| {
            let zone = zone.as_deref();
            if let (Some(start), Some(end)) = (local_text(start, zone), local_text(end, zone)) {
                edit.emit((Field::Start, start));
                edit.emit((Field::End, end));
            }
            times.change(|state| state.suggestions = None);
        })
    };
    let state = times.cell.borrow();
    html! {
        <div class="xf-times">
            <div role="status" class="xf-conflicts">
                if !state.conflicts.is_empty() {
                    <p class="xf-muted">{ t.you_are_busy }</p>
                    <ul>{ each(state.conflicts.len(), &|i| {
                        let (subject, when) = &state.conflicts[i];
                        html! { <li>{ format!("{subject} ({when})") }</li> }
                    }) }</ul>
                }
            </div>
            if signed_in && !props.state.appointment.all_day {
                <button type="button" class="xf-button xf-button--secondary" onclick={find}
                    disabled={props.state.busy()}>{ t.find_a_time }</button>
                if let Some(Err(error)) = &state.suggestions {
                    <p role="status">{ locale.api_error(error) }</p>
                }
                if let Some(Ok(found)) = &state.suggestions {
                    if found.is_empty() {
                        <p role="status">{ t.no_free_time }</p>
                    } else {
                        <ul class="xf-suggestions" aria-label={t.free_for_everyone}>
                            { each(found.len(), &|i| {
                                let slot = &found[i];
                                html! {
                                    <li><button type="button" class="xf-link" onclick={choose(slot)}>
                                        { locale.format_range(&text_of(slot.start.timestamp_millis()), &text_of(slot.end.timestamp_millis())) }
                                    </button></li>
                                }
                            }) }
                        </ul>
                    }
                }
            }
        </div>
    }
}
