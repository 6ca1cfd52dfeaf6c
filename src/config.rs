//! The options of `mount()`, validated once.

use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::decode::{DecodeError, Decoded, Fields, FromJs};
use crate::i18n::Locale;
use crate::services::Api;
use crate::state::{AuthMode, Kind};

/// What `mount(element, options)` accepts: a plain JS object, every key optional.
#[derive(Debug, Default)]
struct RawOptions {
    proxy: Option<String>,
    kind: Option<String>,
    locale: Option<String>,
    auth_mode: Option<String>,
}

const KNOWN_OPTIONS: [&str; 4] = ["proxy", "kind", "locale", "authMode"];

/// A misspelt option is an error rather than silently ignored.
impl FromJs for RawOptions {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        if let Some(unknown) = f
            .names()
            .into_iter()
            .find(|k| !KNOWN_OPTIONS.contains(&k.as_str()))
        {
            return Err(DecodeError::new(format!(
                "unknown field `{unknown}`, expected one of `proxy`, `kind`, `locale`, `authMode`"
            )));
        }
        Ok(Self {
            proxy: f.opt("proxy")?,
            kind: f.opt("kind")?,
            locale: f.opt("locale")?,
            auth_mode: f.opt("authMode")?,
        })
    }
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
            RawOptions::from_js(&options).map_err(|e| e.to_string())?
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
