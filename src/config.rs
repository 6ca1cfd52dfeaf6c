//! The options of `mount()`, validated once.

use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

use crate::i18n::Locale;
use crate::services::Api;
use crate::state::{AuthMode, Kind};

/// What `mount(element, options)` accepts: a plain JS object, every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOptions {
    proxy: Option<String>,
    kind: Option<String>,
    locale: Option<String>,
    auth_mode: Option<String>,
}

/// The validated configuration of one mounted widget.
#[derive(Clone, Debug, PartialEq)]
pub struct WidgetConfig {
    pub api: Api,
    pub kind: Kind,
    pub locale: Locale,
    pub auth_mode: AuthMode,
    /// The element the widget is mounted in; `exchange-form:created` is dispatched on it.
    pub host: Element,
    /// Unique per mount: prefixes element ids so that two widgets can share a page.
    pub instance: u32,
}

impl WidgetConfig {
    /// Reads and checks `options`; the `Err` is a sentence naming the bad option.
    pub fn from_js(host: Element, options: JsValue, instance: u32) -> Result<Self, String> {
        let raw: RawOptions = if options.is_undefined() || options.is_null() {
            RawOptions::default()
        } else if !options.is_object() {
            return Err(
                "options must be an object such as { proxy, kind, locale, authMode }".into(),
            );
        } else {
            // serde-wasm-bindgen only reads the known keys: check for misspelt ones here.
            let known = ["proxy", "kind", "locale", "authMode"];
            let keys = js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>());
            if let Some(unknown) = keys
                .iter()
                .filter_map(|k| k.as_string())
                .find(|k| !known.contains(&k.as_str()))
            {
                return Err(format!(
                    "unknown field `{unknown}`, expected one of `proxy`, `kind`, `locale`, `authMode`"
                ));
            }
            serde_wasm_bindgen::from_value(options).map_err(|e| e.to_string())?
        };
        let api = Api::new(&parse_proxy(raw.proxy.as_deref())?);
        let kind = match raw.kind.as_deref() {
            None => Kind::Appointment,
            Some(kind) => Kind::parse(kind)?,
        };
        let locale = match raw.locale.as_deref() {
            None => Locale::from_browser(),
            Some(tag) => Locale::parse(tag)?,
        };
        let auth_mode = match raw.auth_mode.as_deref() {
            None => AuthMode::Popup,
            Some(mode) => AuthMode::parse(mode)?,
        };
        Ok(Self {
            api,
            kind,
            locale,
            auth_mode,
            host,
            instance,
        })
    }

    /// A document-unique id for one of this widget's elements.
    pub fn id(&self, name: &str) -> String {
        format!("xf{}-{}", self.instance, name)
    }
}

/// The proxy's base URL: absolute http(s), or relative to the page; default = page origin.
fn parse_proxy(raw: Option<&str>) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let page = window
        .location()
        .href()
        .map_err(|_| "cannot read the page URL")?;
    let raw = match raw {
        None => {
            return window
                .location()
                .origin()
                .map_err(|_| "cannot read the page origin".into());
        }
        Some(raw) => raw.trim(),
    };
    let bad = || {
        format!(
            "proxy must be the proxy's base URL such as \"http://127.0.0.1:8080\", not \"{raw}\""
        )
    };
    if raw.is_empty() {
        return Err(bad());
    }
    let url = web_sys::Url::new_with_base(raw, &page).map_err(|_| bad())?;
    if url.protocol() != "http:" && url.protocol() != "https:" {
        return Err(bad());
    }
    if !url.search().is_empty() || !url.hash().is_empty() || !url.username().is_empty() {
        return Err(bad());
    }
    Ok(url.href().trim_end_matches('/').to_owned())
}
