//! What the form shows while it edits an existing item: "Cancel editing", and, when a save met
//! a newer version, the choice between reloading that version and overwriting it.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlFormElement};
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

#[derive(Properties, PartialEq)]
pub struct EditorBarProps {
    pub config: Rc<WidgetConfig>,
    pub state: Rc<FormState>,
    pub on_editor: Callback<EditorAction>,
}

#[component]
pub fn EditorBar(props: &EditorBarProps) -> Html {
    let t = props.config.locale.t();
    let state = &props.state;
    let prompt = use_node_ref();
    let conflict = state.conflict.is_some();
    {
        // The choice takes the focus when it appears: nothing else can be done first.
        let prompt = prompt.clone();
        use_effect_with(conflict, move |conflict| {
            if let (true, Some(prompt)) = (*conflict, prompt.cast::<HtmlElement>()) {
                let _ = prompt.focus();
            }
        });
    }
    if state.editing.is_none() {
        return html! {};
    }
    let on = |action: fn(MouseEvent) -> EditorAction| props.on_editor.reform(action);
    let overwrite = on(|e: MouseEvent| {
        let form = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("form").ok().flatten())
            .and_then(|f| f.dyn_into::<HtmlFormElement>().ok());
        EditorAction::Overwrite(form)
    });
    html! {
        <>
            <button type="button" class="xf-button xf-button--secondary" disabled={state.busy()}
                onclick={on(|_| EditorAction::Close)}>{ t.cancel_editing }</button>
            if conflict {
                <div class="xf-notice xf-notice--error xf-conflict" role="alert" tabindex="-1" ref={prompt}>
                    <p>{ t.conflict }</p>
                    <button type="button" class="xf-button xf-button--secondary"
                        onclick={on(|_| EditorAction::Reload)}>{ t.reload }</button>
                    <button type="button" class="xf-button" onclick={overwrite}>{ t.overwrite }</button>
                </div>
            }
        </>
    }
}
