//! [`FromJs`] for the meeting pickers' answers: people and rooms from the directory, and
//! free/busy with suggested times. Field names and defaults follow `crates/model/src/directory.rs`.

use model::{Availability, BusySlot, Person, Schedule, Slot};
use wasm_bindgen::JsValue;

use super::{Decoded, Fields, FromJs};

impl FromJs for Person {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Person {
            email: f.get("email")?,
            name: f.or_default("name")?,
            is_room: f.or_default("isRoom")?,
        })
    }
}

impl FromJs for BusySlot {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(BusySlot {
            start: f.get("start")?,
            end: f.get("end")?,
            status: f.get("status")?,
        })
    }
}

impl FromJs for Schedule {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Schedule {
            email: f.get("email")?,
            busy: f.get("busy")?,
            error: f.opt("error")?,
        })
    }
}

impl FromJs for Slot {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Slot {
            start: f.get("start")?,
            end: f.get("end")?,
        })
    }
}

impl FromJs for Availability {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Availability {
            schedules: f.get("schedules")?,
            suggestions: f.or_default("suggestions")?,
        })
    }
}
