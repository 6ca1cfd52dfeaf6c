//! What the form shows while it edits an existing item: "Cancel editing", and, when a save met
//! a newer version, the choice between reloading that version and overwriting it.

use wasm_bindgen::JsCast;
use web_sys::HtmlFormElement;
use yew::prelude::*;

use crate::config::WidgetConfig;
use crate::state::FormState;

/// The user's choice about the edited item.
#[derive(Clone, Debug, PartialEq)]
pub enum EditorAction {
    /// A fresh form, editing nothing.
    Close,
    /// Take the newer version into the form (the user's edit is dropped).
    Reload,
    /// Save the form's version over the newer one: the `<form>`, to read what it shows.
    Overwrite(Option<HtmlFormElement>),
}

/// "Cancel editing", beside Save while an item is edited.
pub fn editor_bar(
    config: &WidgetConfig,
    state: &FormState,
    on_editor: &Callback<EditorAction>,
) -> Html {
    if state.editing.is_none() {
        return html! {};
    }
    html! {
        <button type="button" class="xf-button xf-button--secondary" disabled={state.busy()}
            onclick={on_editor.reform(|_| EditorAction::Close)}>{ config.locale.t().cancel_editing }</button>
    }
}

/// After a save met a newer version: reload it or overwrite it. It takes the focus when it
/// appears (from the controller): nothing else can be done first.
pub fn conflict_prompt(
    config: &WidgetConfig,
    state: &FormState,
    on_editor: &Callback<EditorAction>,
) -> Html {
    if state.conflict.is_none() {
        return html! {};
    }
    let t = config.locale.t();
    let overwrite = on_editor.reform(|e: MouseEvent| {
        let form = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("form").ok().flatten())
            .and_then(|f| f.dyn_into::<HtmlFormElement>().ok());
        EditorAction::Overwrite(form)
    });
    html! {
        <div id={config.id("conflict")} class="xf-notice xf-notice--error" role="alert" tabindex="-1">
            <p>{ t.conflict }</p>
            <button type="button" class="xf-button xf-button--secondary"
                onclick={on_editor.reform(|_| EditorAction::Reload)}>{ t.reload }</button>
            <button type="button" class="xf-button" onclick={overwrite}>{ t.overwrite }</button>
        </div>
    }
}
