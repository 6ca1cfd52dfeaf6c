//! The options of `mount()`, validated once.

use model::{AppointmentDraft, Field, TaskDraft};
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::decode::{Decoded, Fields, FromJs, refuse_unknown};
use crate::handle::with_values;
use crate::i18n::{Locale, browser_time_zone};
use crate::services::Api;
use crate::state::{AuthMode, Draft, Kind};
use crate::wall_clock::known_zone;

/// What `mount(element, options)` accepts: a plain JS object, every key optional.
#[derive(Debug, Default)]
struct RawOptions {
    proxy: Option<String>,
    kind: Option<String>,
    locale: Option<String>,
    auth_mode: Option<String>,
    /// The appointment's zone (IANA name), instead of the browser's.
    time_zone: Option<String>,
    /// The new-item form's title, instead of "New appointment" / "New task".
    heading: Option<String>,
    // `values`, `readOnly` and `hidden` are read as the JS values they are (see `option`).
}

const OPTIONS: [&str; 9] = [
    "proxy", "kind", "locale", "authMode", "values", "readOnly", "hidden", "timeZone", "heading",
];

/// The longest `heading` taken: a title, not a paragraph.
const MAX_HEADING_CHARS: usize = 120;

/// A misspelt option is an error rather than silently ignored.
impl FromJs for RawOptions {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        refuse_unknown(f.names(), &OPTIONS)?;
        Ok(Self {
            proxy: f.opt("proxy")?,
            kind: f.opt("kind")?,
            locale: f.opt("locale")?,
            auth_mode: f.opt("authMode")?,
            time_zone: f.opt("timeZone")?,
            heading: f.opt("heading")?,
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
    /// What the form holds when it opens (prefilled values over the empty draft).
    pub initial: Draft,
    /// Fields shown but not editable by the user (`setValues()` still fills them).
    pub read_only: Vec<Field>,
    /// Fields not shown; their (prefilled) values are still sent.
    pub hidden: Vec<Field>,
    /// The new-item form's title, which also names the form for assistive technology: a page
    /// with two forms of one kind tells them apart by it.
    pub heading: Option<String>,
    /// The zone new appointments are typed in, when the browser knows it: see [`Self::time_zone`].
    time_zone: Option<String>,
}

impl WidgetConfig {
    /// Reads and checks `options`; the `Err` is a sentence naming the bad option.
    pub fn from_js(host: Element, options: JsValue, instance: u32) -> Result<Self, String> {
        let raw: RawOptions = if options.is_undefined() || options.is_null() {
            RawOptions::default()
        } else if !options.is_object() {
            return Err("options must be an object such as { proxy, kind, locale }".into());
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
        let empty = match kind {
            Kind::Appointment => Draft::Appointment(AppointmentDraft {
                time_zone: raw.time_zone.or_else(browser_time_zone),
                ..AppointmentDraft::default()
            }),
            Kind::Task => Draft::Task(TaskDraft::default()),
        };
        let values = option(&options, "values");
        let initial = if values.is_undefined() {
            empty
        } else {
            with_values(&empty, &values).map_err(|e| format!("values: {e}"))?
        };
        // Checked once here: `Intl` throws on a zone it does not know.
        let time_zone = match &initial {
            Draft::Appointment(a) => known_zone(a.time_zone.as_deref()).map(str::to_owned),
            Draft::Task(_) => None,
        };
        Ok(Self {
            api,
            kind,
            locale,
            auth_mode,
            host,
            instance,
            initial,
            read_only: field_list("readOnly", &option(&options, "readOnly"))?,
            hidden: field_list("hidden", &option(&options, "hidden"))?,
            heading: raw.heading.map(parse_heading).transpose()?,
            time_zone,
        })
    }

    /// The zone a new appointment is typed in: the page's `timeZone` (or a prefilled one), else
    /// the browser's; `None` where the browser knows no such zone (its own clock then).
    pub fn time_zone(&self) -> Option<&str> {
        self.time_zone.as_deref()
    }

    /// A document-unique id for one of this widget's elements.
    pub fn id(&self, name: &str) -> String {
        format!("xf{}-{}", self.instance, name)
    }

    /// The accessible name of one of the widget's landmarks (its list, the list's navigation):
    /// with a page-given heading, the heading joins it, so that two forms of one kind on a page
    /// do not offer two landmarks of one name.
    pub fn landmark_name(&self, name: &str) -> String {
        match &self.heading {
            Some(heading) => format!("{name} ({heading})"),
            None => name.to_owned(),
        }
    }
}

fn parse_heading(text: String) -> Result<String, String> {
    let heading = text.trim();
    if heading.is_empty() {
        return Err("heading must not be empty: leave it out for the form's own title".into());
    }
    if heading.chars().count() > MAX_HEADING_CHARS {
        return Err(format!(
            "heading must be at most {MAX_HEADING_CHARS} characters"
        ));
    }
    Ok(heading.to_owned())
}

/// The option `name` as given (`undefined` when absent or when there are no options).
fn option(options: &JsValue, name: &str) -> JsValue {
    if options.is_object() {
        js_sys::Reflect::get(options, &JsValue::from_str(name)).unwrap_or_default()
    } else {
        JsValue::UNDEFINED
    }
}

/// A list of field names such as `["location", "body"]` (absent: none).
fn field_list(option: &str, raw: &JsValue) -> Result<Vec<Field>, String> {
    if raw.is_undefined() {
        return Ok(Vec::new());
    }
    if !js_sys::Array::is_array(raw) {
        return Err(format!(
            "{option} must be a list of field names such as [\"location\"]"
        ));
    }
    js_sys::Array::from(raw)
        .iter()
        .map(|name| {
            let name = name.as_string().unwrap_or_default();
            Field::from_name(&name).ok_or_else(|| format!("{option}: unknown field name `{name}`"))
        })
        .collect()
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
