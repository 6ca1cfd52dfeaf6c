//! Appointments read back through the proxy's calendar view (FindItem CalendarView).

use std::rc::Rc;

use model::Appointment;
use yew::prelude::*;

use crate::browser::default_calendar_window;
use crate::config::WidgetConfig;
use crate::error::ApiError;
use crate::hooks::{Loaded, use_list};
use crate::services::appointments;

#[derive(Properties, PartialEq)]
pub struct ListProps {
    pub config: Rc<WidgetConfig>,
    /// Changes whenever the list must be fetched again.
    pub version: u32,
    pub on_refresh: Callback<()>,
}

#[component]
pub fn CalendarView(props: &ListProps) -> Html {
    let items = {
        let config = props.config.clone();
        use_list(props.version, move || {
            let config = config.clone();
            async move {
                let (start, end) = default_calendar_window();
                appointments::list(&config.api, &start, &end).await
            }
        })
    };
    let locale = &props.config.locale;
    let t = locale.t();
    let heading_id = props.config.id("calendar-heading");
    let on_refresh = props.on_refresh.reform(|_: MouseEvent| ());
    html! {
        <section class="xf-list" aria-labelledby={heading_id.clone()}>
            <div class="xf-list-header">
                <h3 id={heading_id}>{ t.calendar_heading }</h3>
                <button type="button" class="xf-link" onclick={on_refresh}>{ t.refresh }</button>
            </div>
            { list_body(&items, locale, t.no_appointments, |a: &Appointment| html! {
                <li class="xf-item" key={a.id.clone()}>
                    <span class="xf-item-title">{ a.subject.clone() }</span>
                    <span class="xf-item-meta">
                        <time datetime={a.start.to_rfc3339()}>
                            { locale.format_range(&a.start.to_rfc3339(), &a.end.to_rfc3339()) }
                        </time>
                        if !a.location.trim().is_empty() { { format!(" · {}", a.location) } }
                    </span>
                </li>
            }) }
        </section>
    }
}

pub fn list_body<T>(
    items: &Loaded<T>,
    locale: &crate::i18n::Locale,
    empty: &'static str,
    row: impl Fn(&T) -> Html,
) -> Html {
    let t = locale.t();
    match items {
        Loaded::Loading => html! { <p class="xf-muted">{ t.loading }</p> },
        Loaded::Failed(ApiError::AuthorizationRequired) => {
            html! { <p class="xf-muted">{ t.list_needs_sign_in }</p> }
        }
        Loaded::Failed(error) => {
            html! { <p class="xf-notice xf-notice--error">{ locale.api_error(error) }</p> }
        }
        Loaded::Ready(list) if list.is_empty() => html! { <p class="xf-muted">{ empty }</p> },
        Loaded::Ready(list) => html! { <ul class="xf-items">{ for list.iter().map(row) }</ul> },
    }
}
