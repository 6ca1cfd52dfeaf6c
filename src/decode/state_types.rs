//! [`FromJs`] for the widget's own state kept across a full-page sign-in (`sessionStorage`):
//! what serde's attributes in `crate::state` write, read back.

use model::ReplyKind;
use wasm_bindgen::JsValue;

use super::{DecodeError, Decoded, Fields, FromJs, tagged, unknown_variant, variant};
use crate::state::{Change, Draft, Kind, Pending, Target};

impl FromJs for Kind {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        variant(value, &[Kind::Appointment, Kind::Task])
    }
}

/// `{ kind, draft }` (serde's adjacent tagging).
impl FromJs for Draft {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(match f.get("kind")? {
            Kind::Appointment => Draft::Appointment(f.get("draft")?),
            Kind::Task => Draft::Task(f.get("draft")?),
        })
    }
}

impl FromJs for Pending {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Pending {
            draft: f.get("draft")?,
            idempotency_key: f.get("idempotencyKey")?,
            target: f.opt("target")?,
        })
    }
}

impl FromJs for Target {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Target {
            id: f.get("id")?,
            version: f.get("version")?,
            subject: f.get("subject")?,
            change: f.get("change")?,
        })
    }
}

/// `"save"`, `"complete"`, `"delete"`, `{"cancel": message}`, `{"reply": [kind, message]}`.
impl FromJs for Change {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let (name, data) = tagged(value)?;
        let change = match name.as_str() {
            "save" => Change::Save,
            "complete" => Change::Complete,
            "delete" => Change::Delete,
            "cancel" => Change::Cancel(String::from_js(&data).map_err(|e| e.within("cancel"))?),
            "reply" => {
                let parts = Vec::<JsValue>::from_js(&data).map_err(|e| e.within("reply"))?;
                let [reply, message] = parts.as_slice() else {
                    return Err(DecodeError::new(
                        "reply: expected a sequence of 2 elements: the answer and the message",
                    ));
                };
                Change::Reply(ReplyKind::from_js(reply)?, String::from_js(message)?)
            }
            other => return Err(unknown_variant(other)),
        };
        Ok(change)
    }
}
