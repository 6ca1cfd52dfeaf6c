//! The new item's draft survives a reload, a sign-in and a failed submit: kept in
//! `localStorage` as the user types, put back when the widget mounts, and gone once the item
//! is created (the form is then blank again, and a blank draft is not kept).

use std::rc::Rc;

use yew::prelude::*;

use crate::config::WidgetConfig;
use crate::draft_storage::{load_unsent, store_unsent, unsent_key};
use crate::state::{Action, FormState};

/// Call before [`crate::hooks::use_controller`]: a draft brought back from a full-page sign-in
/// is then restored after this one and wins.
#[hook]
pub fn use_saved_draft(config: &Rc<WidgetConfig>, state: &UseReducerHandle<FormState>) {
    let key = use_memo((), |_| unsent_key(config));
    {
        let key = key.clone();
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            if let Some(draft) = load_unsent(&key) {
                dispatcher.dispatch(Action::Restore(draft));
            }
        });
    }
    // An existing item being edited is not a new draft: it is not kept.
    let unsent = state
        .editing
        .is_none()
        .then(|| (state.draft(None), state.blank.clone()));
    use_effect_with(unsent, move |unsent| {
        if let Some((draft, blank)) = unsent {
            store_unsent(&key, draft, blank);
        }
    });
}
