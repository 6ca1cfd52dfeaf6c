//! Any item in `t:Items` (ArrayOfRealItemsType).

use serde::{Deserialize, Serialize};

use super::{Body, CalendarItem, EwsDateTime, ItemId, Task};
use crate::error::EwsError;
use crate::xml::{Elem, Ns, XmlReader, XmlWriter, str_enum};

str_enum!(
    /// Meeting response objects sent with CreateItem.
    ResponseObjectKind {
        AcceptItem = "AcceptItem",
        TentativelyAcceptItem = "TentativelyAcceptItem",
        DeclineItem = "DeclineItem",
        CancelCalendarItem = "CancelCalendarItem",
    }
);

/// `t:AcceptItem`, `t:TentativelyAcceptItem`, `t:DeclineItem`, `t:CancelCalendarItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseObject {
    pub kind: ResponseObjectKind,
    /// The meeting (request or calendar item) this responds to / cancels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_item_id: Option<ItemId>,
    /// The message text (`t:Body`; `t:NewBodyContent` for CancelCalendarItem).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// Counter-proposal (TentativelyAccept/Decline, Exchange 2016+ servers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_start: Option<EwsDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_end: Option<EwsDateTime>,
}

impl ResponseObject {
    fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        let name = format!("t:{}", self.kind.as_str());
        w.start(&name, &[])?;
        let cancel = self.kind == ResponseObjectKind::CancelCalendarItem;
        if !cancel && let Some(b) = &self.body {
            b.write(w, "t:Body")?;
        }
        if let Some(id) = &self.reference_item_id {
            id.write(w, "t:ReferenceItemId")?;
        }
        if cancel {
            if let Some(b) = &self.body {
                b.write(w, "t:NewBodyContent")?;
            }
        } else {
            w.opt("t:ProposedStart", &self.proposed_start)?;
            w.opt("t:ProposedEnd", &self.proposed_end)?;
        }
        w.end(&name)
    }

    fn read(r: &mut XmlReader<'_>, kind: ResponseObjectKind) -> Result<Self, EwsError> {
        let mut o = ResponseObject {
            kind,
            reference_item_id: None,
            body: None,
            proposed_start: None,
            proposed_end: None,
        };
        while let Some(c) = r.next_child()? {
            match (c.ns, c.local()) {
                (Ns::Types, b"ReferenceItemId") => o.reference_item_id = Some(ItemId::read(r, &c)?),
                (Ns::Types, b"Body") | (Ns::Types, b"NewBodyContent") => {
                    o.body = Some(Body::read(r, &c)?)
                }
                (Ns::Types, b"ProposedStart") => o.proposed_start = Some(r.value()?),
                (Ns::Types, b"ProposedEnd") => o.proposed_end = Some(r.value()?),
                _ => r.skip()?,
            }
        }
        Ok(o)
    }
}

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
#[allow(clippy::large_enum_variant)] // items are moved rarely; boxing would complicate matching
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "itemType")]
pub enum Item {
    CalendarItem(CalendarItem),
    Task(Task),
    /// A meeting response / cancellation object (CreateItem requests only).
    ResponseObject(ResponseObject),
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
            Item::ResponseObject(_) => None,
            Item::Other(o) => o.item_id.as_ref(),
        }
    }
    pub fn subject(&self) -> Option<&str> {
        match self {
            Item::CalendarItem(c) => c.subject.as_deref(),
            Item::Task(t) => t.subject.as_deref(),
            Item::ResponseObject(_) => None,
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
            Item::ResponseObject(o) => o.write(w),
            Item::Other(o) => {
                let name = match o.element.as_str() {
                    "Item"
                    | "Message"
                    | "Contact"
                    | "PostItem"
                    | "MeetingRequest"
                    | "MeetingResponse"
                    | "MeetingCancellation"
                    | "MeetingMessage" => format!("t:{}", o.element),
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
            b"AcceptItem" => {
                Item::ResponseObject(ResponseObject::read(r, ResponseObjectKind::AcceptItem)?)
            }
            b"TentativelyAcceptItem" => Item::ResponseObject(ResponseObject::read(
                r,
                ResponseObjectKind::TentativelyAcceptItem,
            )?),
            b"DeclineItem" => {
                Item::ResponseObject(ResponseObject::read(r, ResponseObjectKind::DeclineItem)?)
            }
            b"CancelCalendarItem" => Item::ResponseObject(ResponseObject::read(
                r,
                ResponseObjectKind::CancelCalendarItem,
            )?),
            _ => {
                let mut o = OtherItem {
                    element: e.local_str(),
                    ..Default::default()
                };
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
