//! `FindItem`: calendar view (expanded occurrences in a window), indexed paging (tasks),
//! restrictions (e.g. client request id lookup).
//!
//! - [FindItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/finditem-operation)
//! - [CalendarView](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/calendarview)
//! - [IndexedPageItemView](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/indexedpageitemview)

use serde::{Deserialize, Serialize};

use super::operation;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_response_messages;
use crate::response::{MessageResult, first_message, read_response_messages};
use crate::soap::ServerVersionInfo;
use crate::types::{
    EwsDateTime, ExtendedFieldUri, FieldOrder, FolderId, IndexBasePoint, Item, ItemShape,
    ItemTraversal, PropertyPath, Restriction, SortDirection,
};
#[cfg(feature = "server")]
use crate::xml::Elem;
use crate::xml::{Ns, XmlReader, XmlWriter};

/// `m:CalendarView`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarView {
    pub start_date: EwsDateTime,
    pub end_date: EwsDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_entries_returned: Option<i32>,
}

/// `m:IndexedPageItemView`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexedPageView {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_entries_returned: Option<i32>,
    pub offset: i32,
    pub base_point: IndexBasePoint,
}

/// The paging view of a FindItem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum FindView {
    Calendar(CalendarView),
    IndexedPage(IndexedPageView),
}

/// `m:FindItem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindItem {
    pub traversal: ItemTraversal,
    pub item_shape: ItemShape,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<FindView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction: Option<Restriction>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sort_order: Vec<FieldOrder>,
    pub parent_folder_ids: Vec<FolderId>,
}

impl FindItem {
    /// Calendar items (occurrences expanded) overlapping [start, end) in the calendar folder.
    pub fn calendar_view(
        start: EwsDateTime,
        end: EwsDateTime,
        max_entries: Option<i32>,
        shape: ItemShape,
    ) -> Self {
        FindItem {
            traversal: ItemTraversal::Shallow,
            item_shape: shape,
            view: Some(FindView::Calendar(CalendarView {
                start_date: start,
                end_date: end,
                max_entries_returned: max_entries,
            })),
            restriction: None,
            sort_order: Vec::new(),
            parent_folder_ids: vec![FolderId::calendar()],
        }
    }

    /// A page of the tasks folder: `max_entries` items from `offset` (in the folder's order
    /// unless [`FindItem::sorted_by`] says otherwise).
    pub fn tasks(offset: i32, max_entries: i32, shape: ItemShape) -> Self {
        FindItem {
            traversal: ItemTraversal::Shallow,
            item_shape: shape,
            view: Some(FindView::IndexedPage(IndexedPageView {
                max_entries_returned: Some(max_entries),
                offset,
                base_point: IndexBasePoint::Beginning,
            })),
            restriction: None,
            sort_order: Vec::new(),
            parent_folder_ids: vec![FolderId::tasks()],
        }
    }

    /// Items in `folder` stamped with this client request id (retry after an unknown outcome).
    pub fn by_client_request_id(folder: FolderId, client_request_id: impl Into<String>) -> Self {
        let path = PropertyPath::Extended(ExtendedFieldUri::client_request_id());
        FindItem {
            traversal: ItemTraversal::Shallow,
            item_shape: ItemShape::id_only().with(path.clone()),
            view: Some(FindView::IndexedPage(IndexedPageView {
                max_entries_returned: Some(10),
                offset: 0,
                base_point: IndexBasePoint::Beginning,
            })),
            restriction: Some(Restriction::is_equal_to(path, client_request_id)),
            sort_order: Vec::new(),
            parent_folder_ids: vec![folder],
        }
    }

    /// Adds a sort key (`m:SortOrder/t:FieldOrder`); the first added sorts first. Exchange
    /// ignores a SortOrder with a CalendarView, which is always in start order.
    pub fn sorted_by(mut self, path: PropertyPath, order: SortDirection) -> Self {
        self.sort_order.push(FieldOrder { path, order });
        self
    }

    /// Exchange refuses a page of no items (ErrorInvalidPagingMaxRows) and a negative offset
    /// (ErrorInvalidIndexedPagingParameters); the schema types both as any `xs:int`, so the
    /// codec checks them before anything is sent.
    fn check_paging(&self) -> Result<(), EwsError> {
        let (max, offset) = match &self.view {
            Some(FindView::Calendar(v)) => (v.max_entries_returned, 0),
            Some(FindView::IndexedPage(v)) => (v.max_entries_returned, v.offset),
            None => (None, 0),
        };
        if let Some(max) = max.filter(|m| *m < 1) {
            return Err(EwsError::InvalidRequest(format!(
                "MaxEntriesReturned must be at least 1, not {max}"
            )));
        }
        if offset < 0 {
            return Err(EwsError::InvalidRequest(format!(
                "IndexedPageItemView Offset must not be negative, not {offset}"
            )));
        }
        Ok(())
    }

    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        if self.parent_folder_ids.is_empty() {
            return Err(EwsError::InvalidRequest(
                "FindItem needs at least one parent folder".into(),
            ));
        }
        self.check_paging()?;
        w.start("m:FindItem", &[("Traversal", self.traversal.as_str())])?;
        self.item_shape.write(w, "m:ItemShape")?;
        match &self.view {
            Some(FindView::Calendar(v)) => {
                let max = v.max_entries_returned.map(|m| m.to_string());
                let (s, e) = (v.start_date.to_string(), v.end_date.to_string());
                let mut a = Vec::new();
                if let Some(m) = &max {
                    a.push(("MaxEntriesReturned", m.as_str()));
                }
                a.push(("StartDate", &s));
                a.push(("EndDate", &e));
                w.empty("m:CalendarView", &a)?;
            }
            Some(FindView::IndexedPage(v)) => {
                let max = v.max_entries_returned.map(|m| m.to_string());
                let off = v.offset.to_string();
                let mut a = Vec::new();
                if let Some(m) = &max {
                    a.push(("MaxEntriesReturned", m.as_str()));
                }
                a.push(("Offset", &off));
                a.push(("BasePoint", v.base_point.as_str()));
                w.empty("m:IndexedPageItemView", &a)?;
            }
            None => {}
        }
        if let Some(rs) = &self.restriction {
            rs.write(w)?;
        }
        FieldOrder::write_list(&self.sort_order, w)?;
        w.start("m:ParentFolderIds", &[])?;
        for f in &self.parent_folder_ids {
            f.write(w)?;
        }
        w.end("m:ParentFolderIds")?;
        w.end("m:FindItem")
    }

    #[cfg(feature = "server")]
    pub(crate) fn read_body(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Self, EwsError> {
        let traversal = r.required_attr(e, "Traversal")?;
        let mut shape = None;
        let mut view = None;
        let mut restriction = None;
        let mut sort_order = Vec::new();
        let mut parents = None;
        while let Some(c) = r.next_child()? {
            match (c.ns, c.local()) {
                (Ns::Messages, b"ItemShape") => shape = Some(ItemShape::read(r)?),
                (Ns::Messages, b"CalendarView") => {
                    view = Some(FindView::Calendar(CalendarView {
                        start_date: r.required_attr(&c, "StartDate")?,
                        end_date: r.required_attr(&c, "EndDate")?,
                        max_entries_returned: r.attr_value(&c, "MaxEntriesReturned")?,
                    }));
                    r.skip()?;
                }
                (Ns::Messages, b"IndexedPageItemView") => {
                    view = Some(FindView::IndexedPage(IndexedPageView {
                        max_entries_returned: r.attr_value(&c, "MaxEntriesReturned")?,
                        offset: r.required_attr(&c, "Offset")?,
                        base_point: r.required_attr(&c, "BasePoint")?,
                    }));
                    r.skip()?;
                }
                (Ns::Messages, b"Restriction") => restriction = Some(Restriction::read(r)?),
                (Ns::Messages, b"SortOrder") => sort_order = FieldOrder::read_list(r)?,
                (Ns::Messages, b"ParentFolderIds") => parents = Some(FolderId::read_list(r)?),
                _ => r.skip()?,
            }
        }
        Ok(FindItem {
            traversal,
            item_shape: shape.ok_or_else(|| r.err("FindItem without m:ItemShape"))?,
            view,
            restriction,
            sort_order,
            parent_folder_ids: parents
                .ok_or_else(|| r.err("FindItem without m:ParentFolderIds"))?,
        })
    }
}

/// One folder's result (`m:RootFolder`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FindItemResult {
    pub items: Vec<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_items_in_view: Option<i32>,
    /// `false`: more items exist beyond this page / MaxEntriesReturned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub includes_last_item_in_range: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_paging_offset: Option<i32>,
}

impl FindItemResult {
    /// Whether the view holds items this answer did not return: `IncludesLastItemInRange` is
    /// false (after an IndexedPageItemView page, or when a CalendarView hit MaxEntriesReturned).
    pub fn more_in_range(&self) -> bool {
        self.includes_last_item_in_range == Some(false)
    }

    /// The Offset of the next indexed page: Exchange's `IndexedPagingOffset`, or, when an
    /// answer leaves it out, the requested offset plus what this page returned.
    pub fn next_offset(&self, requested_offset: i32) -> i32 {
        self.indexed_paging_offset.unwrap_or_else(|| {
            requested_offset.saturating_add(i32::try_from(self.items.len()).unwrap_or(i32::MAX))
        })
    }
}

/// Response of `FindItem`: one result per parent folder.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FindItemResponse {
    pub responses: Vec<MessageResult<FindItemResult>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version_info: Option<ServerVersionInfo>,
}

impl FindItemResponse {
    #[cfg(feature = "server")]
    pub fn new(responses: Vec<MessageResult<FindItemResult>>) -> Self {
        FindItemResponse {
            responses,
            server_version_info: None,
        }
    }

    /// The single folder's result, or its error.
    pub fn into_single(self) -> Result<FindItemResult, EwsError> {
        first_message(self.responses, "FindItem")
    }

    pub(crate) fn read_body(
        r: &mut XmlReader<'_>,
        _e: &crate::xml::Elem<'_>,
    ) -> Result<Self, EwsError> {
        let responses = read_response_messages(r, |r, c, res: &mut FindItemResult| {
            if c.ns == Ns::Messages && c.local() == b"RootFolder" {
                res.total_items_in_view = r.attr_value(c, "TotalItemsInView")?;
                res.includes_last_item_in_range = r.attr_value(c, "IncludesLastItemInRange")?;
                res.indexed_paging_offset = r.attr_value(c, "IndexedPagingOffset")?;
                while let Some(i) = r.next_child()? {
                    if i.ns == Ns::Types && i.local() == b"Items" {
                        // Usually the only Items: keep its vector (thousands of items) uncopied.
                        let items = Item::read_list(r)?;
                        if res.items.is_empty() {
                            res.items = items;
                        } else {
                            res.items.extend(items);
                        }
                    } else {
                        r.skip()?;
                    }
                }
                Ok(true)
            } else {
                Ok(false)
            }
        })?;
        Ok(FindItemResponse {
            responses,
            server_version_info: None,
        })
    }

    #[cfg(feature = "server")]
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        write_response_messages(
            w,
            "FindItemResponse",
            "FindItemResponseMessage",
            &self.responses,
            |w, res| {
                let Some(res) = res else { return Ok(()) };
                let total = res.total_items_in_view.map(|n| n.to_string());
                let off = res.indexed_paging_offset.map(|n| n.to_string());
                let mut a: Vec<(&str, &str)> = Vec::new();
                if let Some(o) = &off {
                    a.push(("IndexedPagingOffset", o));
                }
                if let Some(t) = &total {
                    a.push(("TotalItemsInView", t));
                }
                if let Some(b) = res.includes_last_item_in_range {
                    a.push(("IncludesLastItemInRange", if b { "true" } else { "false" }));
                }
                w.start("m:RootFolder", &a)?;
                if res.items.is_empty() {
                    w.empty("t:Items", &[])?;
                } else {
                    w.start("t:Items", &[])?;
                    for i in &res.items {
                        i.write(w)?;
                    }
                    w.end("t:Items")?;
                }
                w.end("m:RootFolder")
            },
        )
    }
}

operation!(FindItem, FindItemResponse, "FindItem");
