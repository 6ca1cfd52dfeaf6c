//! What a host page holds after `mount()`: read and fill the form (`getValues`, `setValues`)
//! and unmount it (`destroy`). Values are plain objects keyed by the `model::Field` names the
//! API uses (`subject`, `start`, `dueDate`, …), read and written in the drafts' own serde
//! shape, so an unknown or mistyped field is refused with serde's message naming it.

use std::cell::RefCell;
use std::rc::Rc;

use model::{AppointmentDraft, Field, TaskDraft};
use wasm_bindgen::prelude::*;
use yew::{AppHandle, UseReducerDispatcher};

use crate::app::App;
use crate::browser;
use crate::decode::{from_js, refuse_unknown};
use crate::item_draft::local_date_time;
use crate::state::{Action, Draft, FormState};

/// Shared by a mounted [`App`] and its [`WidgetHandle`]: the draft on screen and the way to
/// change it. The app writes both on every render; `setValues` writes the draft it asked for
/// at once, so that a `getValues()` right after it reads the new values before the render.
#[derive(Default)]
pub struct Bridge {
    draft: RefCell<Option<Draft>>,
    dispatch: RefCell<Option<UseReducerDispatcher<FormState>>>,
}

impl PartialEq for Bridge {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Bridge {
    /// Called by the app on every render with what the form shows.
    pub fn show(&self, draft: Draft, dispatch: UseReducerDispatcher<FormState>) {
        self.draft.replace(Some(draft));
        self.dispatch.replace(Some(dispatch));
    }
}

/// A mounted widget.
#[wasm_bindgen]
pub struct WidgetHandle {
    app: Option<AppHandle<App>>,
    bridge: Rc<Bridge>,
}

impl WidgetHandle {
    pub fn new(app: AppHandle<App>, bridge: Rc<Bridge>) -> Self {
        Self {
            app: Some(app),
            bridge,
        }
    }

    fn draft(&self) -> Result<Draft, JsValue> {
        self.app
            .as_ref()
            .and_then(|_| self.bridge.draft.borrow().clone())
            .ok_or_else(|| error("the form is destroyed"))
    }
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Unmounts the widget (idempotent).
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.bridge.draft.replace(None);
        self.bridge.dispatch.replace(None);
    }

    /// Whether `destroy()` has been called.
    #[wasm_bindgen(getter)]
    pub fn destroyed(&self) -> bool {
        self.app.is_none()
    }

    /// The current form's values, e.g. `{ subject, start, end, location, body, timeZone }`
    /// (fields at their default, such as an unchecked `allDay`, are left out).
    #[wasm_bindgen(js_name = getValues)]
    pub fn get_values(&self) -> Result<JsValue, JsValue> {
        Ok(draft_values(&self.draft()?))
    }

    /// Fills the named fields (the others keep their values). Throws, changing nothing, on
    /// a field the current form does not have or a value of the wrong type.
    #[wasm_bindgen(js_name = setValues)]
    pub fn set_values(&self, values: JsValue) -> Result<(), JsValue> {
        let next = with_values(&self.draft()?, &values).map_err(|m| error(&m))?;
        if let Some(dispatch) = self.bridge.dispatch.borrow().as_ref() {
            dispatch.dispatch(Action::Restore(next.clone()));
        }
        self.bridge.draft.replace(Some(next));
        Ok(())
    }
}

fn error(message: &str) -> JsValue {
    js_sys::Error::new(&format!("exchange-forms: {message}")).into()
}

/// The fields `values` may name: the drafts' own, plus an appointment's length.
const APPOINTMENT_FIELDS: &[Field] = &[
    Field::Subject,
    Field::Start,
    Field::End,
    Field::DurationMinutes,
    Field::Location,
    Field::Body,
    Field::TimeZone,
    Field::AllDay,
    Field::Reminder,
    Field::ShowAs,
    Field::Importance,
    Field::Private,
    Field::Categories,
    Field::RequiredAttendees,
    Field::OptionalAttendees,
    Field::Rooms,
    Field::Recurrence,
];
const TASK_FIELDS: &[Field] = &[
    Field::Subject,
    Field::DueDate,
    Field::Status,
    Field::Body,
    Field::StartDate,
    Field::PercentComplete,
    Field::Importance,
    Field::Categories,
    Field::ReminderAt,
    Field::Recurrence,
];

/// The draft's fields as a plain object.
pub fn draft_values(draft: &Draft) -> JsValue {
    match draft {
        Draft::Appointment(a) => browser::detail(a),
        Draft::Task(t) => browser::detail(t),
    }
}

const NOT_AN_OBJECT: &str = "values must be an object such as { subject: \"…\" }";

/// `draft` with the fields named in `values` replaced. `durationMinutes` (an appointment's)
/// sets the end that long after the start (tasks have no such field).
pub fn with_values(draft: &Draft, values: &JsValue) -> Result<Draft, String> {
    if !values.is_object() {
        return Err(NOT_AN_OBJECT.into());
    }
    // The decoder reads only the keys it knows: a misspelt one is caught here.
    let fields = match draft {
        Draft::Appointment(_) => APPOINTMENT_FIELDS,
        Draft::Task(_) => TASK_FIELDS,
    };
    let keys = js_sys::Object::keys(values.unchecked_ref::<js_sys::Object>());
    let known: Vec<&str> = fields.iter().map(|f| f.name()).collect();
    refuse_unknown(keys.iter().filter_map(|k| k.as_string()).collect(), &known)
        .map_err(|e| e.to_string())?;
    refuse_null(values, fields)?;
    let merged = js_sys::Object::assign_many(
        &js_sys::Object::new(),
        &[
            draft_values(draft).unchecked_into(),
            values.clone().unchecked_into(),
        ],
    )
    .map_err(|_| NOT_AN_OBJECT.to_owned())?;
    let duration_key = JsValue::from_str(Field::DurationMinutes.name());
    let duration = js_sys::Reflect::get(&merged, &duration_key).unwrap_or_default();
    let _ = js_sys::Reflect::delete_property(&merged, &duration_key);
    let merged = JsValue::from(merged);
    match draft {
        Draft::Appointment(_) => {
            let mut next: AppointmentDraft = from_js(&merged).map_err(|e| e.to_string())?;
            if !duration.is_undefined() {
                next.end = end_after(&next.start, &duration)?;
            }
            Ok(Draft::Appointment(next))
        }
        Draft::Task(_) => from_js::<TaskDraft>(&merged)
            .map(Draft::Task)
            .map_err(|e| e.to_string()),
    }
}

/// `null` only for the fields that may be left empty (`timeZone`, `recurrence`): the decoder
/// reads `null` as "not given", which would set any other field back to its default.
fn refuse_null(values: &JsValue, fields: &[Field]) -> Result<(), String> {
    for field in fields {
        let expected = match field {
            Field::TimeZone | Field::Recurrence | Field::DurationMinutes => continue,
            Field::AllDay | Field::Private => "a boolean",
            Field::Categories
            | Field::RequiredAttendees
            | Field::OptionalAttendees
            | Field::Rooms => "a sequence",
            _ => "a string",
        };
        let value = js_sys::Reflect::get(values, &JsValue::from_str(field.name()));
        if value.is_ok_and(|value| value.is_null()) {
            return Err(format!(
                "{field}: invalid type: unit value, expected {expected}"
            ));
        }
    }
    Ok(())
}

/// `start` (`YYYY-MM-DDTHH:MM`, local) plus `minutes`, in the same form.
fn end_after(start: &str, minutes: &JsValue) -> Result<String, String> {
    let bad = || {
        format!(
            "{} must be a whole number of minutes with a start such as \"2030-01-31T09:00\"",
            Field::DurationMinutes
        )
    };
    let minutes = minutes
        .as_f64()
        // Parsed as an integer: a float parser would add its tables to the download.
        .or_else(|| {
            minutes
                .as_string()?
                .trim()
                .parse::<u32>()
                .ok()
                .map(f64::from)
        })
        .filter(|m| m.fract() == 0.0 && (1.0..=1e6).contains(m))
        .ok_or_else(bad)?;
    model::fields::parse_local_date_time(start).map_err(|_| bad())?;
    // A local date-time without an offset reads as the browser's local time.
    let start = js_sys::Date::parse(start);
    Ok(local_date_time(start + minutes * 60_000.0))
}
