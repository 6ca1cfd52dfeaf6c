//! Any item in `t:Items` (ArrayOfRealItemsType).

use serde::{Deserialize, Serialize};

use super::{CalendarItem, ItemId, Task};
use crate::error::EwsError;
use crate::xml::{Elem, Ns, XmlReader, XmlWriter};

/// An item of a kind this crate does not model in detail (Message, Contact, ...).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherItem {
    /// Element name, e.g. `Message`.
    pub element: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<ItemId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// An item: calendar item, task, or other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "itemType")]
pub enum Item {
    CalendarItem(CalendarItem),
    Task(Task),
    Other(OtherItem),
}

impl From<CalendarItem> for Item {
    fn from(c: CalendarItem) -> Self {
        Item::CalendarItem(c)
    }
}

impl From<Task> for Item {
    fn from(t: Task) -> Self {
        Item::Task(t)
    }
}

impl Item {
    pub fn item_id(&self) -> Option<&ItemId> {
        match self {
            Item::CalendarItem(c) => c.item_id.as_ref(),
            Item::Task(t) => t.item_id.as_ref(),
            Item::Other(o) => o.item_id.as_ref(),
        }
    }
    pub fn subject(&self) -> Option<&str> {
        match self {
            Item::CalendarItem(c) => c.subject.as_deref(),
            Item::Task(t) => t.subject.as_deref(),
            Item::Other(o) => o.subject.as_deref(),
        }
    }
    pub fn as_calendar_item(&self) -> Option<&CalendarItem> {
        match self {
            Item::CalendarItem(c) => Some(c),
            _ => None,
        }
    }
    pub fn as_task(&self) -> Option<&Task> {
        match self {
            Item::Task(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        match self {
            Item::CalendarItem(c) => c.write(w),
            Item::Task(t) => t.write(w),
            Item::Other(o) => {
                let name = match o.element.as_str() {
                    "Item" | "Message" | "Contact" | "PostItem" | "MeetingRequest" | "MeetingResponse"
                    | "MeetingCancellation" | "MeetingMessage" => format!("t:{}", o.element),
                    _ => "t:Item".to_string(),
                };
                w.start(&name, &[])?;
                if let Some(id) = &o.item_id {
                    id.write(w, "t:ItemId")?;
                }
                w.opt("t:Subject", &o.subject)?;
                w.end(&name)
            }
        }
    }

    /// Reads one item element (`e` already opened); None if `e` is not in the types namespace.
    pub(crate) fn read(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Option<Self>, EwsError> {
        if e.ns != Ns::Types {
            r.skip()?;
            return Ok(None);
        }
        Ok(Some(match e.local() {
            b"CalendarItem" => Item::CalendarItem(CalendarItem::read(r)?),
            b"Task" => Item::Task(Task::read(r)?),
            _ => {
                let mut o = OtherItem { element: e.local_str(), ..Default::default() };
                while let Some(c) = r.next_child()? {
                    match (c.ns, c.local()) {
                        (Ns::Types, b"ItemId") => o.item_id = Some(ItemId::read(r, &c)?),
                        (Ns::Types, b"Subject") => o.subject = Some(r.text()?),
                        _ => r.skip()?,
                    }
                }
                Item::Other(o)
            }
        }))
    }

    /// Reads the children of a `t:Items` / `m:Items` container.
    pub(crate) fn read_list(r: &mut XmlReader<'_>) -> Result<Vec<Item>, EwsError> {
        let mut v = Vec::new();
        while let Some(c) = r.next_child()? {
            if let Some(i) = Item::read(r, &c)? {
                v.push(i);
            }
        }
        Ok(v)
    }
}
