//! The user's own appointments that overlap the chosen time, and "Find a time": the next
//! slots when the user, every attendee and the room are free.

use std::cell::Cell;
use std::rc::Rc;

use model::directory::{AvailabilityQuery, BusySlot, blocks, suggest};
use model::{AvailabilityDraft, Field, Schedule, Slot};
use yew::prelude::*;

use super::{SETTLE, SlotKey, is_own, own_booking, signed_in, slot_key};
use crate::components::appointment_form::FieldsProps;
use crate::components::picker::{Shared, chosen, each, spawn};
use crate::error::ApiError;
use crate::services::{appointments, directory};
use crate::wall_clock::{local_text, rfc3339, slot, zone};

/// How far ahead "Find a time" looks.
const SEARCH_DAYS: f64 = 7.0;
const DAY_MS: f64 = 86_400_000.0;
/// How many times "Find a time" proposes (as many as the proxy's own suggestions).
const SUGGESTIONS: usize = 5;
/// How many pages of the user's own appointments "Find a time" reads (of the largest size the
/// proxy gives: 1,000 appointments in the week searched).
const OWN_PAGES: usize = 5;

/// An instant of an answer as the form's RFC 3339 text.
fn text_of(ms: i64) -> String {
    rfc3339(ms as f64)
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
