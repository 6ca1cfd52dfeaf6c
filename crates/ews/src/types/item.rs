//! Any item in `t:Items` (ArrayOfRealItemsType), and the meeting response objects.
//!
//! - [Items](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/items)
//! - [AcceptItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/acceptitem)
//! - [TentativelyAcceptItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/tentativelyacceptitem)
//! - [DeclineItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/declineitem)
//! - [CancelCalendarItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/cancelcalendaritem)

use serde::{Deserialize, Serialize};

use super::item_fields::{ItemFields, ItemKind};
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

/// An item of a kind this crate does not model beyond the shared fields (Message, Contact...).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherItem {
    /// Element name, e.g. `Message`.
    pub element: String,
    #[serde(flatten)]
    pub item: ItemFields,
}

impl ItemKind for OtherItem {
    /// The element written: the known item kinds by name, anything else as `t:Item`.
    fn element(&self) -> &str {
        match self.element.as_str() {
            "Message" => "t:Message",
            "Contact" => "t:Contact",
            "PostItem" => "t:PostItem",
            "MeetingRequest" => "t:MeetingRequest",
            "MeetingResponse" => "t:MeetingResponse",
            "MeetingCancellation" => "t:MeetingCancellation",
            "MeetingMessage" => "t:MeetingMessage",
            _ => "t:Item",
        }
    }
    fn item(&self) -> &ItemFields {
        &self.item
    }
    fn item_mut(&mut self) -> &mut ItemFields {
        &mut self.item
    }
    fn write_own(&self, _: &mut XmlWriter) -> Result<(), EwsError> {
        Ok(())
    }
    fn read_own(&mut self, r: &mut XmlReader<'_>, _: &Elem<'_>) -> Result<(), EwsError> {
        r.skip()
    }
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
    /// The shared item fields (none on a response object).
    pub fn fields(&self) -> Option<&ItemFields> {
        match self {
            Item::CalendarItem(c) => Some(&c.item),
            Item::Task(t) => Some(&t.item),
            Item::ResponseObject(_) => None,
            Item::Other(o) => Some(&o.item),
        }
    }
    pub fn item_id(&self) -> Option<&ItemId> {
        self.fields().and_then(|f| f.item_id.as_ref())
    }
    pub fn subject(&self) -> Option<&str> {
        self.fields().and_then(|f| f.subject.as_deref())
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
            Item::Other(o) => o.write(w),
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
            _ => Item::Other(
                OtherItem {
                    element: e.local_str(),
                    ..Default::default()
                }
                .read_children(r)?,
            ),
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
