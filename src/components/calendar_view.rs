//! The agenda: 7 days of appointments at a time (today's by default), read back through the
//! proxy's calendar view (FindItem CalendarView) one page at a time.

use std::rc::Rc;

use model::Appointment;
use yew::prelude::*;

use crate::browser::agenda_week;
use crate::components::item_actions::{ItemActions, ItemCommand, Offer};
use crate::components::list::{ListProps, list_frame, pager, rows};
use crate::config::WidgetConfig;
use crate::hooks::use_page;
use crate::services::appointments;
use crate::view_state::{ViewAction, ViewState};

/// Everything a page of the agenda depends on: a change fetches it again.
#[derive(PartialEq)]
struct AgendaPage {
    week: i32,
    cursor: Option<Rc<str>>,
    refresh: u32,
    reloads: u32,
}

#[component]
pub fn CalendarView(props: &ListProps) -> Html {
    let view = use_reducer(ViewState::default);
    let key = AgendaPage {
        week: view.week,
        cursor: view.cursor(),
        refresh: props.refresh,
        reloads: view.reloads,
    };
    let load = {
        let config = props.config.clone();
        use_page(key, move |key: &AgendaPage| {
            let config = config.clone();
            let (start, end) = agenda_week(key.week);
            let cursor = key.cursor.clone();
            async move { appointments::list(&config.api, &start, &end, None, cursor.as_deref()).await }
        })
    };
    let config = &props.config;
    let t = config.locale.t();
    let (start, end) = agenda_week(view.week);
    let shift = |action: fn() -> ViewAction| {
        let view = view.dispatcher();
        Callback::from(move |_: MouseEvent| view.dispatch(action()))
    };
    let rows = rows(&load, config, t.no_appointments, |a| {
        appointment_row(config, a, &props.on_item)
    });
    let children = html! {
        <>
            <nav class="xf-list-header xf-weeks" aria-label={config.landmark_name(t.weeks)}>
                <button type="button" class="xf-link" onclick={shift(|| ViewAction::ShiftWeeks(-1))}>
                    { t.previous_week }
                </button>
                <span class="xf-muted" aria-live="polite">{ config.locale.format_days(&start, &end) }</span>
                if view.week != 0 {
                    <button type="button" class="xf-link" onclick={shift(|| ViewAction::ThisWeek)}>{ t.this_week }</button>
                }
                <button type="button" class="xf-link" onclick={shift(|| ViewAction::ShiftWeeks(1))}>
                    { t.next_week }
                </button>
            </nav>
            { rows }
            { pager(config, &view, &load) }
        </>
    };
    list_frame(
        config,
        "calendar",
        t.calendar_heading,
        load.loading,
        &view,
        children,
    )
}

/// One appointment, keyed by its id (a function: no component of its own in the wasm).
fn appointment_row(
    config: &Rc<WidgetConfig>,
    a: &Appointment,
    on_item: &Callback<ItemCommand>,
) -> Html {
    let (start, end) = (a.start.to_rfc3339(), a.end.to_rfc3339());
    // An all-day item's days, on the calendar it was typed on (the form's zone); a timed item's
    // times on the viewer's clock.
    let when = if a.all_day {
        let days = config
            .locale
            .format_days_in(&start, &end, config.time_zone());
        format!("{days} · {}", config.locale.t().all_day)
    } else {
        config.locale.format_range(&start, &end)
    };
    let offer = Offer::of_appointment(a);
    let invited_by = match (offer, &a.organizer) {
        (Offer::Invitation(_), Some(organizer)) => {
            format!(" · {} {organizer}", config.locale.t().invitation_from)
        }
        _ => String::new(),
    };
    html! {
        <li key={a.id.as_str()} class="xf-item">
            <span class="xf-item-title">{ a.subject.clone() }</span>
            <span class="xf-item-meta">
                <time datetime={start.clone()}>{ when }</time>
                if !a.location.trim().is_empty() { { format!(" · {}", a.location) } }
                { invited_by }
            </span>
            <ItemActions config={config.clone()} id={a.id.clone()} version={a.change_key.clone()}
                subject={a.subject.clone()} {offer} on_item={on_item.clone()} />
        </li>
    }
}
