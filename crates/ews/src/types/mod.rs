//! Types shared by the operations.

pub mod body;
pub mod calendar_item;
pub mod datetime;
pub mod enums;
pub mod extended_property;
pub mod item;
pub mod item_fields;
pub mod item_id;
pub mod mailbox;
pub mod recurrence;
pub mod restriction;
pub mod shape;
pub mod task;

pub use body::Body;
pub use calendar_item::{CalendarItem, TimeZoneRef};
pub use datetime::{EwsDate, EwsDateTime};
pub use enums::*;
pub use extended_property::{
    CLIENT_REQUEST_ID_PROPERTY, EXCHANGE_FORMS_PROPERTY_SET, ExtendedFieldUri, ExtendedProperty,
    PropertyPath,
};
pub use item::{Item, OtherItem, ResponseObject, ResponseObjectKind};
pub use item_fields::ItemFields;
pub use item_id::{BaseItemId, FolderId, ItemId};
pub use mailbox::{Attendee, Mailbox};
pub use recurrence::{
    DayOfWeek, DayOfWeekIndex, Month, Recurrence, RecurrencePattern, RecurrenceRange,
    TaskRecurrence,
};
pub use restriction::{FieldOrder, Restriction, SearchExpression};
pub use shape::ItemShape;
pub use task::Task;

use crate::error::EwsError;
use crate::xml::{XmlReader, XmlWriter};

/// `t:ArrayOfStringsType` (`<t:Categories><t:String>..</t:String></t:Categories>`).
pub(crate) fn write_strings(
    w: &mut XmlWriter,
    name: &str,
    v: &Option<Vec<String>>,
) -> Result<(), EwsError> {
    if let Some(v) = v {
        if v.is_empty() {
            return Ok(());
        }
        w.start(name, &[])?;
        for s in v {
            w.elem("t:String", s)?;
        }
        w.end(name)?;
    }
    Ok(())
}

pub(crate) fn read_strings(r: &mut XmlReader<'_>) -> Result<Vec<String>, EwsError> {
    let mut v = Vec::new();
    while let Some(c) = r.next_child()? {
        if c.local() == b"String" {
            v.push(r.text()?);
        } else {
            r.skip()?;
        }
    }
    Ok(v)
}
