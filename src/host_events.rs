//! The events the host element gets about sign-in and failures (an item's outcome is
//! announced by the controller as it finishes). Every event is `exchange-form:<name>`,
//! bubbles, crosses shadow roots and carries a plain-object `detail`.

use wasm_bindgen::JsValue;

use crate::browser;
use crate::config::WidgetConfig;
use crate::error::ApiError;
use crate::state::AuthMode;

/// `detail` with each `(key, value)` set.
fn detail(entries: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// `exchange-form:error` `{ error, message, fields? }`: the error's code, what the form says
/// and, for refused fields, each one's message (the API's error shape).
pub fn error(config: &WidgetConfig, error: &ApiError) {
    if *error == ApiError::Aborted {
        return;
    }
    let locale = &config.locale;
    let mut entries = vec![
        ("error", error.code().into()),
        ("message", locale.api_error(error).into()),
    ];
    if let ApiError::Validation(fields) = error {
        let problems = js_sys::Object::new();
        for (field, problem) in fields.iter() {
            let text = JsValue::from(locale.problem(*field, problem));
            let _ = js_sys::Reflect::set(&problems, &JsValue::from_str(field.name()), &text);
        }
        entries.push(("fields", problems.into()));
    }
    let detail = detail(&entries);
    browser::dispatch(&config.host, "error", &detail);
}

/// `exchange-form:authorization-required` `{ mode }`: a sign-in (`"popup"` or `"redirect"`)
/// is about to start.
pub fn authorization_required(config: &WidgetConfig) {
    let mode = match config.auth_mode {
        AuthMode::Popup => "popup",
        AuthMode::Redirect => "redirect",
    };
    let detail = detail(&[("mode", mode.into())]);
    browser::dispatch(&config.host, "authorization-required", &detail);
}

/// `exchange-form:authorized` `{ user }`: a sign-in finished (`user` when the proxy named
/// them, else `null`).
pub fn authorized(config: &WidgetConfig, user: Option<&str>) {
    let user = user.map_or(JsValue::NULL, JsValue::from_str);
    browser::dispatch(&config.host, "authorized", &detail(&[("user", user)]));
}
