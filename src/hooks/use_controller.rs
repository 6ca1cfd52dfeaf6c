//! Wires the [`Controller`] to the component: one per mounted widget, with its window
//! listeners (`message`, `storage`, same-page session changes) removed on unmount.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, MessageEvent, StorageEvent};
use yew::prelude::*;

use crate::browser;
use crate::config::WidgetConfig;
use crate::hooks::Controller;
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
            let listeners = Listeners::install(&controller);
            move || {
                drop(listeners);
                controller.shutdown();
            }
        });
    }
    controller
}

/// Window listeners, removed when dropped.
struct Listeners {
    message: Closure<dyn FnMut(MessageEvent)>,
    storage: Closure<dyn FnMut(StorageEvent)>,
    session: Closure<dyn FnMut(Event)>,
}

impl Listeners {
    fn install(controller: &Controller) -> Option<Self> {
        let window = web_sys::window()?;
        let c = controller.clone();
        let message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            c.on_message(&event);
        });
        let c = controller.clone();
        let key = session::key(&controller.config.api);
        let storage = Closure::<dyn FnMut(StorageEvent)>::new(move |event: StorageEvent| {
            // Another tab stored or dropped the handle (`key` is null when storage is cleared).
            if event.key().is_none_or(|k| k == key) {
                c.refresh_status();
            }
        });
        let c = controller.clone();
        let session = Closure::<dyn FnMut(Event)>::new(move |_: Event| c.refresh_status());
        let _ =
            window.add_event_listener_with_callback("message", message.as_ref().unchecked_ref());
        let _ =
            window.add_event_listener_with_callback("storage", storage.as_ref().unchecked_ref());
        let _ = window.add_event_listener_with_callback(
            session::SESSION_CHANGED_EVENT,
            session.as_ref().unchecked_ref(),
        );
        Some(Self {
            message,
            storage,
            session,
        })
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback(
                "message",
                self.message.as_ref().unchecked_ref(),
            );
            let _ = window.remove_event_listener_with_callback(
                "storage",
                self.storage.as_ref().unchecked_ref(),
            );
            let _ = window.remove_event_listener_with_callback(
                session::SESSION_CHANGED_EVENT,
                self.session.as_ref().unchecked_ref(),
            );
        }
    }
}
