//! `UpdateItem`: SetItemField / AppendToItemField / DeleteItemField per editable field.
//!
//! - [UpdateItem](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/updateitem-operation)
//! - [FieldURI](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/fielduri)

use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
use super::create_item::write_items;
use super::operation;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_response_messages;
use crate::response::{MessageResult, first_item, first_message, read_response_messages};
use crate::soap::ServerVersionInfo;
use crate::types::{
    BaseItemId, CalendarItem, ConflictResolution, ExtendedProperty, FolderId, Item, ItemFields,
    MessageDisposition, PropertyPath, SendMeetingInvitationsOrCancellations, Task,
};
#[cfg(feature = "server")]
use crate::xml::Elem;
use crate::xml::{Ns, XmlReader, XmlWriter};

/// A table of editable fields: each variant names its `FieldURI` and the struct field it
/// sets. A kind's table may embed the shared `item:` table as one variant (`Item(ItemField)
/// in item`), which then answers for the kind's `ItemFields`.
macro_rules! fields {
    ($(#[$m:meta])* $name:ident for $item:ident $(, $shared:ident($shared_ty:ident) in $shared_field:ident)? {
        $($var:ident = $uri:literal => $field:ident),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(
                /// A field every item kind shares.
                $shared($shared_ty),
            )?
            $($var),*
        }
        impl $name {
            /// Every field of the table, the shared ones first.
            pub fn all() -> Vec<$name> {
                let mut all = Vec::new();
                $(all.extend($shared_ty::all().into_iter().map($name::$shared));)?
                all.extend([$($name::$var),*]);
                all
            }
            /// The `FieldURI`, e.g. `calendar:Start`.
            pub fn field_uri(&self) -> &'static str {
                match self { $($name::$shared(f) => f.field_uri(),)? $($name::$var => $uri),* }
            }
            pub fn from_field_uri(uri: &str) -> Option<Self> {
                $(if let Some(f) = $shared_ty::from_field_uri(uri) { return Some($name::$shared(f)); })?
                match uri { $($uri => Some($name::$var),)* _ => None }
            }
            pub fn path(&self) -> PropertyPath { PropertyPath::field(self.field_uri()) }
            /// Whether `item` has a value for this field.
            pub fn is_set(&self, item: &$item) -> bool {
                match self { $($name::$shared(f) => f.is_set(&item.$shared_field),)? $($name::$var => item.$field.is_set()),* }
            }
            /// Copies this field from `from` into `to`.
            pub fn copy(&self, from: &$item, to: &mut $item) {
                match self {
                    $($name::$shared(f) => f.copy(&from.$shared_field, &mut to.$shared_field),)?
                    $($name::$var => to.$field = from.$field.clone()),*
                }
            }
            /// Clears this field of `item` (DeleteItemField).
            pub fn clear(&self, item: &mut $item) {
                match self {
                    $($name::$shared(f) => f.clear(&mut item.$shared_field),)?
                    $($name::$var => item.$field = Default::default()),*
                }
            }
        }
        $(impl From<$shared_ty> for $name {
            fn from(f: $shared_ty) -> Self { $name::$shared(f) }
        })?
    };
}

trait IsSet {
    fn is_set(&self) -> bool;
}
impl<T> IsSet for Option<T> {
    fn is_set(&self) -> bool {
        self.is_some()
    }
}
impl<T> IsSet for Vec<T> {
    fn is_set(&self) -> bool {
        !self.is_empty()
    }
}

fields!(
    /// Editable fields every item kind shares (`item:` field URIs).
    ItemField for ItemFields {
        Subject = "item:Subject" => subject,
        Body = "item:Body" => body,
        Categories = "item:Categories" => categories,
        Importance = "item:Importance" => importance,
        Sensitivity = "item:Sensitivity" => sensitivity,
        ReminderIsSet = "item:ReminderIsSet" => reminder_is_set,
        ReminderMinutesBeforeStart = "item:ReminderMinutesBeforeStart" => reminder_minutes_before_start,
        ReminderDueBy = "item:ReminderDueBy" => reminder_due_by,
    }
);

fields!(
    /// Editable fields of a calendar item.
    CalendarField for CalendarItem, Item(ItemField) in item {
        Start = "calendar:Start" => start,
        End = "calendar:End" => end,
        IsAllDayEvent = "calendar:IsAllDayEvent" => is_all_day_event,
        LegacyFreeBusyStatus = "calendar:LegacyFreeBusyStatus" => legacy_free_busy_status,
        Location = "calendar:Location" => location,
        RequiredAttendees = "calendar:RequiredAttendees" => required_attendees,
        OptionalAttendees = "calendar:OptionalAttendees" => optional_attendees,
        Resources = "calendar:Resources" => resources,
        Recurrence = "calendar:Recurrence" => recurrence,
        StartTimeZone = "calendar:StartTimeZone" => start_time_zone,
        EndTimeZone = "calendar:EndTimeZone" => end_time_zone,
    }
);

fields!(
    /// Editable fields of a task.
    TaskField for Task, Item(ItemField) in item {
        CompleteDate = "task:CompleteDate" => complete_date,
        DueDate = "task:DueDate" => due_date,
        Owner = "task:Owner" => owner,
        PercentComplete = "task:PercentComplete" => percent_complete,
        Recurrence = "task:Recurrence" => recurrence,
        StartDate = "task:StartDate" => start_date,
        Status = "task:Status" => status,
    }
);

/// One change description of an `t:ItemChange`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "action")]
pub enum ItemUpdate {
    /// `t:SetItemField`: `item` carries exactly the field named by `path`.
    Set { path: PropertyPath, item: Item },
    /// `t:AppendToItemField` (e.g. add attendees).
    Append { path: PropertyPath, item: Item },
    /// `t:DeleteItemField`.
    Delete { path: PropertyPath },
}

impl ItemUpdate {
    /// Set `field` to its value in `from` (or delete it when `from` has none).
    pub fn calendar(field: CalendarField, from: &CalendarItem) -> Self {
        Self::set_or_delete(field.path(), field.is_set(from), || {
            let mut item = CalendarItem::default();
            field.copy(from, &mut item);
            item.into()
        })
    }
    /// Set `field` to its value in `from` (or delete it when `from` has none).
    pub fn task(field: TaskField, from: &Task) -> Self {
        Self::set_or_delete(field.path(), field.is_set(from), || {
            let mut item = Task::default();
            field.copy(from, &mut item);
            item.into()
        })
    }
    fn set_or_delete(path: PropertyPath, is_set: bool, item: impl FnOnce() -> Item) -> Self {
        if is_set {
            ItemUpdate::Set { path, item: item() }
        } else {
            ItemUpdate::Delete { path }
        }
    }
    /// Set an extended property on a calendar item.
    pub fn calendar_extended(prop: ExtendedProperty) -> Self {
        Self::set_extended(prop, |item| {
            CalendarItem {
                item,
                ..Default::default()
            }
            .into()
        })
    }
    /// Set an extended property on a task.
    pub fn task_extended(prop: ExtendedProperty) -> Self {
        Self::set_extended(prop, |item| {
            Task {
                item,
                ..Default::default()
            }
            .into()
        })
    }
    /// `SetItemField` of `prop` on the item kind `of` builds around the shared fields.
    fn set_extended(prop: ExtendedProperty, of: impl FnOnce(ItemFields) -> Item) -> Self {
        ItemUpdate::Set {
            path: PropertyPath::Extended(prop.field.clone()),
            item: of(ItemFields {
                extended_properties: vec![prop],
                ..Default::default()
            }),
        }
    }

    pub fn path(&self) -> &PropertyPath {
        match self {
            ItemUpdate::Set { path, .. }
            | ItemUpdate::Append { path, .. }
            | ItemUpdate::Delete { path } => path,
        }
    }

    fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        let (name, item) = match self {
            ItemUpdate::Set { item, .. } => ("t:SetItemField", Some(item)),
            ItemUpdate::Append { item, .. } => ("t:AppendToItemField", Some(item)),
            ItemUpdate::Delete { .. } => ("t:DeleteItemField", None),
        };
        w.start(name, &[])?;
        self.path().write(w)?;
        if let Some(i) = item {
            i.write(w)?;
        }
        w.end(name)
    }

    #[cfg(feature = "server")]
    fn read(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Option<Self>, EwsError> {
        let kind = e.local().to_vec();
        if !matches!(
            kind.as_slice(),
            b"SetItemField" | b"AppendToItemField" | b"DeleteItemField"
        ) {
            r.skip()?;
            return Ok(None);
        }
        let mut path = None;
        let mut item = None;
        while let Some(c) = r.next_child()? {
            match c.local() {
                b"FieldURI" | b"IndexedFieldURI" | b"ExtendedFieldURI" => {
                    path = PropertyPath::read(r, &c)?
                }
                _ => {
                    if let Some(i) = Item::read(r, &c)? {
                        item = Some(i);
                    }
                }
            }
        }
        let path = path.ok_or_else(|| r.err("item change description without a property path"))?;
        Ok(Some(match kind.as_slice() {
            b"DeleteItemField" => ItemUpdate::Delete { path },
            b"SetItemField" => ItemUpdate::Set {
                path,
                item: item.ok_or_else(|| r.err("SetItemField without an item"))?,
            },
            _ => ItemUpdate::Append {
                path,
                item: item.ok_or_else(|| r.err("AppendToItemField without an item"))?,
            },
        }))
    }
}

/// `t:ItemChange`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemChange {
    /// Include the ChangeKey to get ErrorIrresolvableConflict on concurrent edits.
    pub item_id: BaseItemId,
    pub updates: Vec<ItemUpdate>,
}

impl ItemChange {
    /// Changes of the given calendar fields to their values in `new` (absent -> delete).
    pub fn calendar(
        item_id: impl Into<BaseItemId>,
        new: &CalendarItem,
        fields: &[CalendarField],
    ) -> Self {
        ItemChange {
            item_id: item_id.into(),
            updates: fields
                .iter()
                .map(|f| ItemUpdate::calendar(*f, new))
                .collect(),
        }
    }
    /// Changes of the given task fields to their values in `new` (absent -> delete).
    pub fn task(item_id: impl Into<BaseItemId>, new: &Task, fields: &[TaskField]) -> Self {
        ItemChange {
            item_id: item_id.into(),
            updates: fields.iter().map(|f| ItemUpdate::task(*f, new)).collect(),
        }
    }
}

/// `m:UpdateItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateItem {
    pub conflict_resolution: ConflictResolution,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_disposition: Option<MessageDisposition>,
    /// Required by Exchange for calendar items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_meeting_invitations_or_cancellations: Option<SendMeetingInvitationsOrCancellations>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_item_folder_id: Option<FolderId>,
    pub item_changes: Vec<ItemChange>,
}

impl UpdateItem {
    /// Calendar update with AutoResolve (ChangeKey conflicts are reported as errors).
    pub fn calendar(change: ItemChange, send: SendMeetingInvitationsOrCancellations) -> Self {
        UpdateItem {
            conflict_resolution: ConflictResolution::AutoResolve,
            message_disposition: None,
            send_meeting_invitations_or_cancellations: Some(send),
            saved_item_folder_id: None,
            item_changes: vec![change],
        }
    }
    /// Task update with AutoResolve.
    pub fn task(change: ItemChange) -> Self {
        UpdateItem {
            conflict_resolution: ConflictResolution::AutoResolve,
            message_disposition: Some(MessageDisposition::SaveOnly),
            send_meeting_invitations_or_cancellations: None,
            saved_item_folder_id: None,
            item_changes: vec![change],
        }
    }

    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        if self.item_changes.is_empty() || self.item_changes.iter().any(|c| c.updates.is_empty()) {
            return Err(EwsError::InvalidRequest(
                "UpdateItem needs at least one change per item".into(),
            ));
        }
        let mut a = vec![("ConflictResolution", self.conflict_resolution.as_str())];
        if let Some(d) = &self.message_disposition {
            a.push(("MessageDisposition", d.as_str()));
        }
        if let Some(s) = &self.send_meeting_invitations_or_cancellations {
            a.push(("SendMeetingInvitationsOrCancellations", s.as_str()));
        }
        w.start("m:UpdateItem", &a)?;
        if let Some(f) = &self.saved_item_folder_id {
            w.start("m:SavedItemFolderId", &[])?;
            f.write(w)?;
            w.end("m:SavedItemFolderId")?;
        }
        w.start("m:ItemChanges", &[])?;
        for c in &self.item_changes {
            w.start("t:ItemChange", &[])?;
            c.item_id.write(w)?;
            w.start("t:Updates", &[])?;
            for u in &c.updates {
                u.write(w)?;
            }
            w.end("t:Updates")?;
            w.end("t:ItemChange")?;
        }
        w.end("m:ItemChanges")?;
        w.end("m:UpdateItem")
    }

    #[cfg(feature = "server")]
    pub(crate) fn read_body(r: &mut XmlReader<'_>, e: &Elem<'_>) -> Result<Self, EwsError> {
        let mut v = UpdateItem {
            conflict_resolution: r.required_attr(e, "ConflictResolution")?,
            message_disposition: r.attr_value(e, "MessageDisposition")?,
            send_meeting_invitations_or_cancellations: r
                .attr_value(e, "SendMeetingInvitationsOrCancellations")?,
            saved_item_folder_id: None,
            item_changes: Vec::new(),
        };
        while let Some(c) = r.next_child()? {
            match (c.ns, c.local()) {
                (Ns::Messages, b"SavedItemFolderId") => {
                    v.saved_item_folder_id = FolderId::read_list(r)?.into_iter().next()
                }
                (Ns::Messages, b"ItemChanges") => {
                    while let Some(ic) = r.next_child()? {
                        if ic.local() != b"ItemChange" {
                            r.skip()?;
                            continue;
                        }
                        let mut id = None;
                        let mut updates = Vec::new();
                        while let Some(f) = r.next_child()? {
                            if f.local() == b"Updates" {
                                while let Some(u) = r.next_child()? {
                                    if let Some(u) = ItemUpdate::read(r, &u)? {
                                        updates.push(u);
                                    }
                                }
                            } else if let Some(i) = BaseItemId::read(r, &f)? {
                                id = Some(i);
                            }
                        }
                        let item_id = id.ok_or_else(|| r.err("ItemChange without an item id"))?;
                        v.item_changes.push(ItemChange { item_id, updates });
                    }
                }
                _ => r.skip()?,
            }
        }
        Ok(v)
    }
}

/// One item's update result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateItemResult {
    /// The updated item (ItemId with the new ChangeKey).
    pub items: Vec<Item>,
    /// `m:ConflictResults/t:Count`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict_count: Option<i32>,
}

/// Response of `UpdateItem`: one result per ItemChange.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UpdateItemResponse {
    pub responses: Vec<MessageResult<UpdateItemResult>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version_info: Option<ServerVersionInfo>,
}

impl UpdateItemResponse {
    #[cfg(feature = "server")]
    pub fn new(responses: Vec<MessageResult<UpdateItemResult>>) -> Self {
        UpdateItemResponse {
            responses,
            server_version_info: None,
        }
    }

    /// The single updated item, or its error (e.g. ErrorIrresolvableConflict).
    pub fn into_single(self) -> Result<Item, EwsError> {
        first_item(
            first_message(self.responses, "UpdateItem")?.items,
            "UpdateItem",
        )
    }

    pub(crate) fn read_body(
        r: &mut XmlReader<'_>,
        _e: &crate::xml::Elem<'_>,
    ) -> Result<Self, EwsError> {
        let responses = read_response_messages(r, |r, c, res: &mut UpdateItemResult| {
            match (c.ns, c.local()) {
                (Ns::Messages, b"Items") => {
                    res.items = Item::read_list(r)?;
                    Ok(true)
                }
                (Ns::Messages, b"ConflictResults") => {
                    while let Some(n) = r.next_child()? {
                        if n.local() == b"Count" {
                            res.conflict_count = Some(r.value()?);
                        } else {
                            r.skip()?;
                        }
                    }
                    Ok(true)
                }
                _ => Ok(false),
            }
        })?;
        Ok(UpdateItemResponse {
            responses,
            server_version_info: None,
        })
    }

    #[cfg(feature = "server")]
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        write_response_messages(
            w,
            "UpdateItemResponse",
            "UpdateItemResponseMessage",
            &self.responses,
            |w, res| {
                write_items(w, res.map(|r| &r.items))?;
                if let Some(n) = res.and_then(|r| r.conflict_count) {
                    w.start("m:ConflictResults", &[])?;
                    w.value("t:Count", &n)?;
                    w.end("m:ConflictResults")?;
                }
                Ok(())
            },
        )
    }
}

operation!(UpdateItem, UpdateItemResponse, "UpdateItem");
