//! Dates and times in the form's language and the viewer's zone, through the browser's
//! `Intl.DateTimeFormat` (no time zone data in the wasm), and the zones the browser knows.

use js_sys::{Array, Date, Function, Intl, Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use yew::AttrValue;

use super::Locale;

#[wasm_bindgen]
extern "C" {
    /// `Intl.supportedValuesOf`, missing from older browsers.
    #[wasm_bindgen(catch, js_namespace = Intl, js_name = supportedValuesOf)]
    fn supported_values_of(key: &str) -> Result<Array, JsValue>;
}

impl Locale {
    /// `Tue 1 Dec, 09:00–10:00` (in the viewer's zone and language) for two RFC 3339 instants.
    pub fn format_range(&self, start: &str, end: &str) -> String {
        let start_date = Date::new(&JsValue::from_str(start));
        let end_date = Date::new(&JsValue::from_str(end));
        if start_date.get_time().is_nan() || end_date.get_time().is_nan() {
            return format!("{start} – {end}");
        }
        self.range_with(&self.date_time_format(true, None), &start_date, &end_date)
    }

    /// `Tue 1 – Mon 7 Dec` (in the viewer's zone and language): the days of `[start, end)`
    /// for two RFC 3339 instants, `end` excluded (a local midnight ends the day before it).
    pub fn format_days(&self, start: &str, end: &str) -> String {
        self.format_days_in(start, end, None)
    }

    /// [`Self::format_days`] on the calendar of `zone`, a zone the browser knows (the
    /// browser's own when `None`).
    pub fn format_days_in(&self, start: &str, end: &str, zone: Option<&str>) -> String {
        let first = Date::new(&JsValue::from_str(start));
        let last = Date::new(&JsValue::from_f64(Date::parse(end) - 1.0));
        if first.get_time().is_nan() || last.get_time().is_nan() {
            return format!("{start} – {end}");
        }
        self.range_with(&self.date_time_format(false, zone), &first, &last)
    }

    /// `Intl.DateTimeFormat.formatRange`, or two formatted ends where it is missing.
    fn range_with(&self, format: &Intl::DateTimeFormat, start: &Date, end: &Date) -> String {
        Reflect::get(format, &JsValue::from_str("formatRange"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|f| f.call2(format, start, end).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| {
                format!(
                    "{} – {}",
                    self.format_with(format, start),
                    self.format_with(format, end)
                )
            })
    }

    /// `Tue 1 Dec 2026` for a `YYYY-MM-DD` date (formatted at noon UTC: no day shift).
    pub fn format_date(&self, date: &str) -> String {
        let instant = Date::new(&JsValue::from_str(&format!("{date}T12:00:00Z")));
        if instant.get_time().is_nan() {
            return date.to_owned();
        }
        let options = Object::new();
        set(&options, "weekday", "short");
        set(&options, "day", "numeric");
        set(&options, "month", "short");
        set(&options, "year", "numeric");
        set(&options, "timeZone", "UTC");
        let format = Intl::DateTimeFormat::new(&self.locales(), &options);
        self.format_with(&format, &instant)
    }

    fn date_time_format(&self, with_time: bool, zone: Option<&str>) -> Intl::DateTimeFormat {
        let options = Object::new();
        if let Some(zone) = zone {
            set(&options, "timeZone", zone);
        }
        set(&options, "weekday", "short");
        set(&options, "day", "numeric");
        set(&options, "month", "short");
        if with_time {
            set(&options, "hour", "2-digit");
            set(&options, "minute", "2-digit");
        }
        Intl::DateTimeFormat::new(&self.locales(), &options)
    }

    fn format_with(&self, format: &Intl::DateTimeFormat, date: &Date) -> String {
        format
            .format()
            .call1(format, date)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| String::from(date.to_iso_string()))
    }

    fn locales(&self) -> Array {
        Array::of1(&JsValue::from_str(&self.tag))
    }
}

fn set(object: &Object, key: &str, value: &str) {
    let _ = Reflect::set(object, &JsValue::from_str(key), &JsValue::from_str(value));
}

/// The browser's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
pub fn browser_time_zone() -> Option<String> {
    let format = Intl::DateTimeFormat::new(&Array::new(), &Object::new());
    let options = format.resolved_options();
    Reflect::get(&options, &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
        .filter(|zone| !zone.is_empty())
}

/// The IANA time zones the browser knows (`Intl.supportedValuesOf('timeZone')`); empty where
/// the browser cannot list them (the field then takes a typed name).
pub fn time_zones() -> Vec<AttrValue> {
    supported_values_of("timeZone")
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_string())
                .map(AttrValue::from)
                .collect()
        })
        .unwrap_or_default()
}
