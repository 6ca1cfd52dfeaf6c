//! The success message naming the created item (role=status).

use yew::prelude::*;

use crate::config::WidgetConfig;
use crate::state::Created;

pub fn describe(config: &WidgetConfig, created: &Created) -> String {
    let locale = &config.locale;
    match created {
        Created::Appointment(a) => {
            let range = locale.format_range(&a.start.to_rfc3339(), &a.end.to_rfc3339());
            locale.created_appointment(&a.subject, &range)
        }
        Created::Task(t) => {
            let due = t.due_date.map(|d| locale.format_date(&d.to_string()));
            locale.created_task(&t.subject, due.as_deref())
        }
    }
}

/// Rendered with the form (a function: no component of its own in the wasm).
pub fn confirmation(config: &WidgetConfig, created: &Created) -> Html {
    html! {
        <p class="xf-confirmation">
            <span aria-hidden="true">{ "✓ " }</span>{ describe(config, created) }
        </p>
    }
}
