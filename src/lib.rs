//! exchange-forms widget: Exchange appointment and task forms, compiled to WebAssembly.
//!
//! A host page calls [`mount`] (or uses the `<exchange-form>` custom element defined by
//! `www/exchange-form.js`) and gets a [`WidgetHandle`]: `getValues()`, `setValues()`,
//! `destroy()`.
//! All validation uses the shared `model` crate before anything is sent; all calls go
//! through [`services::request`] to the proxy's JSON API (docs/design.md).

pub mod app;
pub mod browser;
pub mod components;
pub mod config;
pub mod controller;
pub mod decode;
pub mod draft_storage;
pub mod error;
pub mod field_values;
pub mod handle;
pub mod hooks;
pub mod host_events;
pub mod i18n;
pub mod item_draft;
pub mod json_writer;
pub mod recurrence_text;
pub mod services;
pub mod state;
pub mod view_state;
pub mod wall_clock;

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::app::{App, AppProps};
use crate::config::WidgetConfig;
use crate::handle::Bridge;

pub use crate::error::ApiError;
pub use crate::handle::WidgetHandle;

// talc instead of Rust's default dlmalloc: about 7 KB smaller in the wasm, and faster. The
// widget is single-threaded (no atomics), which this allocator relies on.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

thread_local! {
    static NEXT_INSTANCE: Cell<u32> = const { Cell::new(1) };
}

/// Mounts the widget into `element`.
///
/// `options` is a plain object `{ proxy, kind, locale, authMode, values, readOnly, hidden,
/// timeZone, heading }` (every key optional: same origin, `"appointment"`,
/// `navigator.language`, `"popup"`, nothing prefilled, read-only or hidden, the browser's
/// zone, the form's own title). Invalid options throw a JS `Error` naming the problem.
#[wasm_bindgen]
pub fn mount(element: Element, options: JsValue) -> Result<WidgetHandle, JsValue> {
    let instance = NEXT_INSTANCE.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    });
    let config = WidgetConfig::from_js(element.clone(), options, instance).map_err(|message| {
        JsValue::from(js_sys::Error::new(&format!(
            "exchange-forms: invalid options: {message}"
        )))
    })?;
    let bridge = Rc::new(Bridge::default());
    let props = AppProps {
        config: Rc::new(config),
        bridge: bridge.clone(),
    };
    let app = yew::Renderer::<App>::with_root_and_props(element, props).render();
    Ok(WidgetHandle::new(app, bridge))
}
