//! The success message naming the created item (role=status).

use std::rc::Rc;

use yew::prelude::*;

use crate::config::WidgetConfig;
use crate::state::Created;

#[derive(Properties, PartialEq)]
pub struct ConfirmationProps {
    pub config: Rc<WidgetConfig>,
    pub created: Created,
}

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

#[component]
pub fn Confirmation(props: &ConfirmationProps) -> Html {
    html! {
        <p class="xf-confirmation">
            <span aria-hidden="true">{ "✓ " }</span>{ describe(&props.config, &props.created) }
        </p>
    }
}
