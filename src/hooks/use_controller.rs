//! Wires the [`Controller`] to the component: one per mounted widget, with its window
//! listeners (`message`, `storage`, same-page session changes, `pageshow`) removed on unmount.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, MessageEvent, StorageEvent};
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
    pageshow: Closure<dyn FnMut(Event)>,
}

/// The listeners' events, in the order of [`Listeners`]' closures.
const EVENTS: [&str; 4] = [
    "message",
    "storage",
    session::SESSION_CHANGED_EVENT,
    "pageshow",
];

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
        let c = controller.clone();
        let pageshow = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            // `persisted`: back from the back/forward cache, not loaded again.
            let persisted = js_sys::Reflect::get(&event, &JsValue::from_str("persisted"))
                .is_ok_and(|v| v.is_truthy());
            if persisted {
                c.shown_again();
            }
        });
        let listeners = Self {
            message,
            storage,
            session,
            pageshow,
        };
        for (event, callback) in EVENTS.iter().zip(listeners.callbacks()) {
            let _ = window.add_event_listener_with_callback(event, callback);
        }
        Some(listeners)
    }

    fn callbacks(&self) -> [&js_sys::Function; 4] {
        [
            self.message.as_ref().unchecked_ref(),
            self.storage.as_ref().unchecked_ref(),
            self.session.as_ref().unchecked_ref(),
            self.pageshow.as_ref().unchecked_ref(),
        ]
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            for (event, callback) in EVENTS.iter().zip(self.callbacks()) {
                let _ = window.remove_event_listener_with_callback(event, callback);
            }
        }
    }
}
