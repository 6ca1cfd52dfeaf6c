//! The form's wall-clock times (`YYYY-MM-DDTHH:MM` in an IANA zone) as instants and back,
//! through the browser's `Intl` (no time zone data in the wasm).

use js_sys::{Date, Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// `Date.prototype.toLocaleString`, which throws a RangeError for an unknown zone.
    #[wasm_bindgen(catch, js_namespace = ["Date", "prototype", "toLocaleString"], js_name = call)]
    fn locale_text(date: &Date, locale: &str, options: &Object) -> Result<String, JsValue>;
}

/// `YYYY-MM-DDTHH:MM` in `zone` (the browser's own when `None`) at `ms` since the epoch.
pub fn local_text(ms: f64, zone: Option<&str>) -> Option<String> {
    let options = Object::new();
    if let Some(zone) = zone {
        Reflect::set(&options, &"timeZone".into(), &zone.into()).ok()?;
    }
    // Swedish dates read as ISO 8601: `2026-12-03 14:00:00`.
    let text = locale_text(&Date::new(&JsValue::from_f64(ms)), "sv-SE", &options).ok()?;
    let text = text.get(..16)?.replacen(' ', "T", 1);
    (text.len() == 16).then_some(text)
}

/// `zone` when the browser knows it (`Intl` throws on others), else `None`: the browser's own.
pub fn known_zone(zone: Option<&str>) -> Option<&str> {
    zone.filter(|zone| local_text(0.0, Some(zone)).is_some())
}

/// `local` (`YYYY-MM-DDTHH:MM`) read as if it were UTC, in ms since the epoch.
fn as_if_utc(local: &str) -> Option<f64> {
    let ms = Date::parse(&format!("{}:00Z", local.get(..16)?));
    (!ms.is_nan()).then_some(ms)
}

/// The instant, in ms since the epoch, that reads `local` on a clock in `zone`.
pub fn instant_ms(local: &str, zone: Option<&str>) -> Option<f64> {
    let wanted = as_if_utc(local.trim())?;
    // The zone's offset at the guess, then at the corrected guess (an offset change between
    // the two, as on a daylight-saving day, is found by the second look).
    let mut guess = wanted;
    for _ in 0..2 {
        let shown = as_if_utc(&local_text(guess, zone)?)?;
        guess -= shown - wanted;
    }
    Some(guess)
}

/// An instant as RFC 3339 UTC text (`2026-12-03T13:00:00.000Z`).
pub fn rfc3339(ms: f64) -> String {
    String::from(Date::new(&JsValue::from_f64(ms)).to_iso_string())
}

/// The form's time zone: the one typed, else the browser's own (`None`).
pub fn zone(draft: &model::AppointmentDraft) -> Option<&str> {
    draft
        .time_zone
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty())
}

/// The chosen start and end as instants (ms), when both read as times and the end is later;
/// all-day appointments have no slot to check.
pub fn slot(draft: &model::AppointmentDraft) -> Option<(f64, f64)> {
    if draft.all_day {
        return None;
    }
    let start = instant_ms(&draft.start, zone(draft))?;
    let end = instant_ms(&draft.end, zone(draft))?;
    (end > start).then_some((start, end))
}
