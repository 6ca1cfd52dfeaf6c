//! The live region saying what the last change to an existing item did ("Deleted “…”."): always
//! on the page, so that screen readers announce each new text; it takes the focus after a change
//! (the row acted on may be gone).

use std::rc::Rc;

use yew::prelude::*;

use crate::config::WidgetConfig;
use crate::state::Target;

#[derive(Properties, PartialEq)]
pub struct OutcomeProps {
    pub config: Rc<WidgetConfig>,
    pub done: Option<Target>,
}

#[component]
pub fn Outcome(props: &OutcomeProps) -> Html {
    let locale = &props.config.locale;
    html! {
        <p id={props.config.id("outcome")} class="xf-status" role="status" tabindex="-1">
            if let Some(done) = &props.done {
                <span aria-hidden="true">{ "✓ " }</span>{ locale.outcome(&done.change, &done.subject) }
            }
        </p>
    }
}
