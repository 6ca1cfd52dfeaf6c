//! What an EWS request sees of stored items: ItemShape (which properties come back), FindItem
//! restrictions and sort orders.

use ews::types::{
    BaseShape, CalendarItem, EwsDateTime, FieldOrder, Item, ItemFields, ItemShape, PropertyPath,
    SearchExpression, SortDirection, Task,
};

use crate::mailbox::SandboxError;
use crate::mailbox::items::extended_properties;
use crate::mailbox::store::{ItemRecord, ItemStore, instant};

/// What an ItemShape returns of a stored item. Extended properties only come back when asked
/// for by path (as in Exchange); FindItem never returns bodies (Exchange refuses them there).
pub fn shaped(item: &Item, shape: &ItemShape, in_find: bool) -> Item {
    let mut out = match shape.base_shape {
        BaseShape::IdOnly => id_only(item),
        _ => {
            let mut full = item.clone();
            match &mut full {
                Item::CalendarItem(c) => c.item.extended_properties.clear(),
                Item::Task(t) => t.item.extended_properties.clear(),
                _ => {}
            }
            full
        }
    };
    for path in &shape.additional_properties {
        copy_property(item, &mut out, path);
    }
    if in_find {
        match &mut out {
            Item::CalendarItem(c) => c.item.body = None,
            Item::Task(t) => t.item.body = None,
            _ => {}
        }
    }
    out
}

fn id_only(item: &Item) -> Item {
    match item {
        Item::CalendarItem(c) => Item::CalendarItem(CalendarItem {
            item: ItemFields {
                item_id: c.item.item_id.clone(),
                ..Default::default()
            },
            ..CalendarItem::default()
        }),
        Item::Task(t) => Item::Task(Task {
            item: ItemFields {
                item_id: t.item.item_id.clone(),
                ..Default::default()
            },
            ..Task::default()
        }),
        other => other.clone(),
    }
}

/// Copies one requested property from the stored item into the shaped one.
fn copy_property(from: &Item, to: &mut Item, path: &PropertyPath) {
    match (from, to, path) {
        (Item::CalendarItem(f), Item::CalendarItem(t), PropertyPath::Extended(uri)) => {
            copy_extended(
                &f.item.extended_properties,
                &mut t.item.extended_properties,
                uri,
            )
        }
        (Item::Task(f), Item::Task(t), PropertyPath::Extended(uri)) => copy_extended(
            &f.item.extended_properties,
            &mut t.item.extended_properties,
            uri,
        ),
        (Item::CalendarItem(f), Item::CalendarItem(t), PropertyPath::Field { field_uri }) => {
            match field_uri.as_str() {
                "item:Subject" => t.item.subject = f.item.subject.clone(),
                "item:Body" => t.item.body = f.item.body.clone(),
                "item:ItemClass" => t.item.item_class = f.item.item_class.clone(),
                "calendar:Start" => t.start = f.start,
                "calendar:End" => t.end = f.end,
                "calendar:Location" => t.location = f.location.clone(),
                "calendar:Organizer" => t.organizer = f.organizer.clone(),
                "calendar:IsAllDayEvent" => t.is_all_day_event = f.is_all_day_event,
                "calendar:LegacyFreeBusyStatus" => {
                    t.legacy_free_busy_status = f.legacy_free_busy_status
                }
                _ => {}
            }
        }
        (Item::Task(f), Item::Task(t), PropertyPath::Field { field_uri }) => {
            match field_uri.as_str() {
                "item:Subject" => t.item.subject = f.item.subject.clone(),
                "item:Body" => t.item.body = f.item.body.clone(),
                "item:ItemClass" => t.item.item_class = f.item.item_class.clone(),
                "task:DueDate" => t.due_date = f.due_date,
                "task:Status" => t.status = f.status,
                "task:StartDate" => t.start_date = f.start_date,
                "task:PercentComplete" => t.percent_complete = f.percent_complete,
                _ => {}
            }
        }
        _ => {}
    }
}

fn copy_extended(
    from: &[ews::types::ExtendedProperty],
    to: &mut Vec<ews::types::ExtendedProperty>,
    uri: &ews::types::ExtendedFieldUri,
) {
    for property in from.iter().filter(|p| p.field.same_property(uri)) {
        if !to.iter().any(|p| p.field.same_property(uri)) {
            to.push(property.clone());
        }
    }
}

/// The value of a property path on an item, as text (None = the item does not have it).
fn property_value(item: &Item, path: &PropertyPath) -> Option<String> {
    let date = |v: &Option<EwsDateTime>| v.as_ref().and_then(EwsDateTime::to_utc).map(instant);
    match path {
        PropertyPath::Extended(uri) => extended_properties(item)
            .iter()
            .find(|p| p.field.same_property(uri))
            .and_then(|p| p.value.clone()),
        PropertyPath::Field { field_uri } => match (item, field_uri.as_str()) {
            (_, "item:Subject") => item.subject().map(str::to_owned),
            (Item::CalendarItem(c), "item:ItemClass") => c.item.item_class.clone(),
            (Item::CalendarItem(c), "item:DateTimeCreated") => date(&c.item.date_time_created),
            (Item::Task(t), "item:DateTimeCreated") => date(&t.item.date_time_created),
            (Item::CalendarItem(c), "item:LastModifiedTime") => date(&c.item.last_modified_time),
            (Item::Task(t), "item:LastModifiedTime") => date(&t.item.last_modified_time),
            (Item::Task(t), "item:ItemClass") => t.item.item_class.clone(),
            (Item::CalendarItem(c), "calendar:Start") => date(&c.start),
            (Item::CalendarItem(c), "calendar:End") => date(&c.end),
            (Item::CalendarItem(c), "calendar:Location") => c.location.clone(),
            (Item::Task(t), "task:DueDate") => date(&t.due_date),
            (Item::Task(t), "task:Status") => t.status.map(|s| s.as_str().to_owned()),
            _ => None,
        },
        PropertyPath::IndexedField { .. } => None,
    }
}

/// Orders items by a FindItem SortOrder (first key first); items without a key's property
/// sort before those with it in ascending order. Stable: equal items keep the folder's order.
pub fn sort_by(items: &mut [(ItemRecord, Item)], order: &[FieldOrder]) {
    // The store's creation time has microseconds; the item's DateTimeCreated only seconds.
    let value = |record: &ItemRecord, item: &Item, path: &PropertyPath| match path {
        PropertyPath::Field { field_uri } if field_uri == "item:DateTimeCreated" => {
            Some(record.created_at.clone())
        }
        _ => property_value(item, path),
    };
    items.sort_by(|(ra, a), (rb, b)| {
        order
            .iter()
            .map(|key| {
                let by_value = match (value(ra, a, &key.path), value(rb, b, &key.path)) {
                    (Some(x), Some(y)) => compare(&x, &y),
                    (x, y) => x.is_some().cmp(&y.is_some()),
                };
                match key.order {
                    SortDirection::Ascending => by_value,
                    SortDirection::Descending => by_value.reverse(),
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

/// Compares as instants when both sides are dateTimes, else as text.
fn compare(actual: &str, constant: &str) -> std::cmp::Ordering {
    let as_instant = |s: &str| {
        EwsDateTime::parse(s)
            .ok()
            .map(|d| d.to_utc().unwrap_or_else(|| d.local.and_utc()))
    };
    match (as_instant(actual), as_instant(constant)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => actual.cmp(constant),
    }
}

/// Whether a stored item satisfies a FindItem restriction.
pub fn matches(item: &Item, expression: &SearchExpression) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let test = |path: &PropertyPath, value: &str, ok: &dyn Fn(std::cmp::Ordering) -> bool| {
        property_value(item, path).is_some_and(|actual| ok(compare(&actual, value)))
    };
    match expression {
        SearchExpression::IsEqualTo { path, value } => test(path, value, &|o| o == Equal),
        SearchExpression::IsNotEqualTo { path, value } => !test(path, value, &|o| o == Equal),
        SearchExpression::IsGreaterThan { path, value } => test(path, value, &|o| o == Greater),
        SearchExpression::IsGreaterThanOrEqualTo { path, value } => {
            test(path, value, &|o| o != Less)
        }
        SearchExpression::IsLessThan { path, value } => test(path, value, &|o| o == Less),
        SearchExpression::IsLessThanOrEqualTo { path, value } => {
            test(path, value, &|o| o != Greater)
        }
        SearchExpression::Exists { path } => property_value(item, path).is_some(),
        SearchExpression::And { items } => items.iter().all(|e| matches(item, e)),
        SearchExpression::Or { items } => items.iter().any(|e| matches(item, e)),
        SearchExpression::Not { item: inner } => !matches(item, inner),
    }
}

/// Fast path for the client's duplicate check: an IsEqualTo on the client request id uses
/// the indexed column instead of reading every item.
pub async fn candidates(
    store: &ItemStore,
    mailbox: &str,
    folder: &str,
    expression: Option<&SearchExpression>,
) -> Result<Vec<ItemRecord>, SandboxError> {
    if let Some(SearchExpression::IsEqualTo {
        path: PropertyPath::Extended(uri),
        value,
    }) = expression
        && uri.same_property(&ews::types::ExtendedFieldUri::client_request_id())
    {
        let mut rows = store.by_client_request_id(mailbox, value).await?;
        rows.retain(|r| r.folder == folder);
        return Ok(rows);
    }
    Ok(store.all_in_folder(mailbox, folder).await?)
}
