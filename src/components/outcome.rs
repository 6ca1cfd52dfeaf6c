//! The live region saying what the last change to an existing item did ("Deleted “…”."): always
//! on the page, so that screen readers announce each new text; it takes the focus after a change
//! (the row acted on may be gone).

use yew::prelude::*;

use crate::config::WidgetConfig;
use crate::state::Target;

pub fn outcome(config: &WidgetConfig, done: Option<&Target>) -> Html {
    html! {
        <p id={config.id("outcome")} role="status" tabindex="-1"
            class={classes!("xf-status", done.is_some().then_some("xf-confirmation"))}>
            if let Some(done) = done {
                <span aria-hidden="true">{ "✓ " }</span>{ config.locale.outcome(&done.change, &done.subject) }
            }
        </p>
    }
}
