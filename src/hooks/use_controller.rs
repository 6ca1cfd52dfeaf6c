//! Wires the [`Controller`] to the component: one per mounted widget, with its window
//! listeners (`message`, `storage`, same-page session changes, `pageshow`) removed on unmount.

use std::cell::Cell;
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageEvent, StorageEvent};
use yew::prelude::*;

use crate::browser;
use crate::config::WidgetConfig;
use crate::controller::Controller;
use crate::services::session;
use crate::state::FormState;

#[hook]
pub fn use_controller(config: Rc<WidgetConfig>, state: &UseReducerHandle<FormState>) -> Controller {
    let flow = use_mut_ref(|| None);
    let alive: Rc<Cell<bool>> = use_memo((), |_| Cell::new(true));
    let tab_id = use_memo((), |_| Rc::<str>::from(browser::uuid_v4()));
    let controller = Controller::new(
        config.clone(),
        state.dispatcher(),
        flow,
        alive,
        (*tab_id).clone(),
    );

    {
        let controller = controller.clone();
        use_effect_with((), move |_| {
            controller.refresh_status();
            controller.resume_after_redirect();
            let listeners = window_listeners(&controller);
            move || {
                drop(listeners);
                controller.shutdown();
            }
        });
    }
    controller
}

/// The window's listeners, each removed when dropped (gloo's `EventListener`).
fn window_listeners(controller: &Controller) -> Vec<EventListener> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let c = controller.clone();
    let message = EventListener::new(&window, "message", move |event| {
        if let Some(event) = event.dyn_ref::<MessageEvent>() {
            c.on_message(event);
        }
    });
    let c = controller.clone();
    let key = session::key(&controller.config.api);
    let storage = EventListener::new(&window, "storage", move |event| {
        // Another tab stored or dropped the handle (`key` is null when storage is cleared).
        let changed = event.dyn_ref::<StorageEvent>().map(StorageEvent::key);
        if changed.is_some_and(|key_changed| key_changed.is_none_or(|k| k == key)) {
            c.refresh_status();
        }
    });
    let c = controller.clone();
    let session = EventListener::new(&window, session::SESSION_CHANGED_EVENT, move |_| {
        c.refresh_status()
    });
    let c = controller.clone();
    let pageshow = EventListener::new(&window, "pageshow", move |event| {
        // `persisted`: back from the back/forward cache, not loaded again.
        let persisted = js_sys::Reflect::get(event, &JsValue::from_str("persisted"))
            .is_ok_and(|v| v.is_truthy());
        if persisted {
            c.shown_again();
        }
    });
    vec![message, storage, session, pageshow]
}
