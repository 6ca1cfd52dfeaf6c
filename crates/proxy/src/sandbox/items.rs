//! Stored items <-> EWS items: what Exchange adds when it saves an item, what an ItemShape
//! returns, and how a FindItem restriction matches.

use chrono::{DateTime, Utc};
use ews::response::ResponseError;
use ews::types::{
    BaseShape, CalendarItem, CalendarItemType, EwsDateTime, FieldOrder, Item, ItemId, ItemShape,
    LegacyFreeBusy, Mailbox, PropertyPath, ResponseType, SearchExpression, SortDirection, Task,
};

use super::handler::SandboxError;
use super::store::{ItemRecord, instant};
use crate::sandbox::store::ItemStore;

pub const CALENDAR: &str = "calendar";
pub const TASKS: &str = "tasks";

/// Opaque ids like Exchange's (which are base64 of store entry ids); only their uniqueness
/// matters to clients.
pub fn new_item_id() -> String {
    format!("AAMkSBX{}", uuid::Uuid::new_v4().simple())
}

/// A new ChangeKey for every saved version; clients send it back to prove which version
/// they are changing.
pub fn new_change_key() -> String {
    format!("CQAAAB{}", &uuid::Uuid::new_v4().simple().to_string()[..16])
}

/// The instant of a request's dateTime: with a zone designator as given; without one, in the
/// item's own time zone (Windows id), else the request's TimeZoneContext, else UTC.
pub fn resolve_instant(
    value: &EwsDateTime,
    item_zone: Option<&str>,
    context_zone: Option<&str>,
) -> Result<DateTime<Utc>, ResponseError> {
    if let Some(utc) = value.to_utc() {
        return Ok(utc);
    }
    let Some(windows) = item_zone.or(context_zone) else {
        return Ok(value.local.and_utc());
    };
    let iana = ews::time_zone::windows_to_iana(windows, None).ok_or_else(|| {
        ResponseError::new(
            "ErrorTimeZone",
            format!("The time zone '{windows}' is not a known Windows time zone."),
        )
    })?;
    ews::time_zone::local_to_utc(value.local, iana)
        .map_err(|e| ResponseError::new("ErrorInvalidPropertyRequest", e.to_string()))
}

/// Turns a CreateItem calendar item into what the mailbox stores (Exchange's computed fields
/// included). Validation errors are the ResponseCodes Exchange uses.
pub fn new_calendar_item(
    mut item: CalendarItem,
    mailbox: &str,
    context_zone: Option<&str>,
    now: DateTime<Utc>,
) -> Result<CalendarItem, ResponseError> {
    let zone = item.start_time_zone.as_ref().and_then(|z| z.id.clone());
    let end_zone = item
        .end_time_zone
        .as_ref()
        .and_then(|z| z.id.clone())
        .or_else(|| zone.clone());
    let (Some(start), Some(end)) = (&item.start, &item.end) else {
        return Err(ResponseError::new(
            "ErrorMissingInformation",
            "A calendar item needs a Start and an End in the sandbox mailbox.",
        ));
    };
    let start = resolve_instant(start, zone.as_deref(), context_zone)?;
    let end = resolve_instant(end, end_zone.as_deref(), context_zone)?;
    if end < start {
        return Err(ResponseError::new(
            "ErrorCalendarEndDateIsEarlierThanStartDate",
            "EndDate is earlier than StartDate",
        ));
    }
    item.item_id = Some(ItemId::with_change_key(new_item_id(), new_change_key()));
    item.start = Some(EwsDateTime::utc(start));
    item.end = Some(EwsDateTime::utc(end));
    item.item_class
        .get_or_insert_with(|| "IPM.Appointment".into());
    item.subject.get_or_insert_with(String::new);
    item.date_time_created = Some(EwsDateTime::utc(now));
    item.last_modified_time = Some(EwsDateTime::utc(now));
    item.organizer = Some(Mailbox::new(mailbox));
    item.my_response_type = Some(ResponseType::Organizer);
    item.is_meeting = Some(
        !(item.required_attendees.is_empty()
            && item.optional_attendees.is_empty()
            && item.resources.is_empty()),
    );
    item.is_recurring = Some(item.recurrence.is_some());
    item.is_cancelled = Some(false);
    item.calendar_item_type = Some(if item.recurrence.is_some() {
        CalendarItemType::RecurringMaster
    } else {
        CalendarItemType::Single
    });
    item.legacy_free_busy_status
        .get_or_insert(LegacyFreeBusy::Busy);
    item.is_all_day_event.get_or_insert(false);
    item.uid
        .get_or_insert_with(|| uuid::Uuid::new_v4().to_string());
    Ok(item)
}

pub fn new_task(mut task: Task, mailbox: &str, now: DateTime<Utc>) -> Result<Task, ResponseError> {
    task.item_id = Some(ItemId::with_change_key(new_item_id(), new_change_key()));
    task.item_class.get_or_insert_with(|| "IPM.Task".into());
    task.subject.get_or_insert_with(String::new);
    task.date_time_created = Some(EwsDateTime::utc(now));
    task.last_modified_time = Some(EwsDateTime::utc(now));
    task.status
        .get_or_insert(ews::types::TaskStatus::NotStarted);
    task.owner.get_or_insert_with(|| mailbox.to_owned());
    task.is_complete = Some(task.status == Some(ews::types::TaskStatus::Completed));
    task.percent_complete.get_or_insert(
        if task.status == Some(ews::types::TaskStatus::Completed) {
            100.0
        } else {
            0.0
        },
    );
    Ok(task)
}

/// The row for an item (its id and ChangeKey already assigned).
pub fn to_record(
    item: &Item,
    mailbox: &str,
    now: DateTime<Utc>,
) -> Result<ItemRecord, SandboxError> {
    let id = item
        .item_id()
        .ok_or_else(|| SandboxError::Corrupt("item without id".into()))?;
    let (folder, item_class, start, end) = match item {
        Item::CalendarItem(c) => (
            CALENDAR,
            c.item_class
                .clone()
                .unwrap_or_else(|| "IPM.Appointment".into()),
            c.start.as_ref().and_then(EwsDateTime::to_utc).map(instant),
            c.end.as_ref().and_then(EwsDateTime::to_utc).map(instant),
        ),
        Item::Task(t) => (
            TASKS,
            t.item_class.clone().unwrap_or_else(|| "IPM.Task".into()),
            None,
            None,
        ),
        _ => {
            return Err(SandboxError::Corrupt(
                "only calendar items and tasks are stored".into(),
            ));
        }
    };
    let data = serde_json::to_string(item).map_err(|e| SandboxError::Corrupt(e.to_string()))?;
    Ok(ItemRecord {
        id: id.id.clone(),
        change_key: id.change_key.clone().unwrap_or_default(),
        mailbox: mailbox.to_owned(),
        folder: folder.to_owned(),
        item_class,
        subject: item.subject().unwrap_or_default().to_owned(),
        start_utc: start,
        end_utc: end,
        client_request_id: client_request_id(item),
        uid: match item {
            Item::CalendarItem(c) => c.uid.clone(),
            _ => None,
        },
        recurring: matches!(item, Item::CalendarItem(c) if c.recurrence.is_some()),
        data,
        // Microseconds: creation order is the listing order of a folder.
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        updated_at: now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    })
}

pub fn from_record(record: &ItemRecord) -> Result<Item, SandboxError> {
    serde_json::from_str(&record.data)
        .map_err(|e| SandboxError::Corrupt(format!("item {}: {e}", record.id)))
}

fn extended_properties(item: &Item) -> &[ews::types::ExtendedProperty] {
    match item {
        Item::CalendarItem(c) => &c.extended_properties,
        Item::Task(t) => &t.extended_properties,
        _ => &[],
    }
}

fn client_request_id(item: &Item) -> Option<String> {
    let wanted = ews::types::ExtendedFieldUri::client_request_id();
    extended_properties(item)
        .iter()
        .find(|p| p.field.same_property(&wanted))
        .and_then(|p| p.value.clone())
}

/// What an ItemShape returns of a stored item. Extended properties only come back when asked
/// for by path (as in Exchange); FindItem never returns bodies (Exchange refuses them there).
pub fn shaped(item: &Item, shape: &ItemShape, in_find: bool) -> Item {
    let mut out = match shape.base_shape {
        BaseShape::IdOnly => id_only(item),
        _ => {
            let mut full = item.clone();
            match &mut full {
                Item::CalendarItem(c) => c.extended_properties.clear(),
                Item::Task(t) => t.extended_properties.clear(),
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
            Item::CalendarItem(c) => c.body = None,
            Item::Task(t) => t.body = None,
            _ => {}
        }
    }
    out
}

fn id_only(item: &Item) -> Item {
    match item {
        Item::CalendarItem(c) => Item::CalendarItem(CalendarItem {
            item_id: c.item_id.clone(),
            ..CalendarItem::default()
        }),
        Item::Task(t) => Item::Task(Task {
            item_id: t.item_id.clone(),
            ..Task::default()
        }),
        other => other.clone(),
    }
}

/// Copies one requested property from the stored item into the shaped one.
fn copy_property(from: &Item, to: &mut Item, path: &PropertyPath) {
    match (from, to, path) {
        (Item::CalendarItem(f), Item::CalendarItem(t), PropertyPath::Extended(uri)) => {
            copy_extended(&f.extended_properties, &mut t.extended_properties, uri)
        }
        (Item::Task(f), Item::Task(t), PropertyPath::Extended(uri)) => {
            copy_extended(&f.extended_properties, &mut t.extended_properties, uri)
        }
        (Item::CalendarItem(f), Item::CalendarItem(t), PropertyPath::Field { field_uri }) => {
            match field_uri.as_str() {
                "item:Subject" => t.subject = f.subject.clone(),
                "item:Body" => t.body = f.body.clone(),
                "item:ItemClass" => t.item_class = f.item_class.clone(),
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
                "item:Subject" => t.subject = f.subject.clone(),
                "item:Body" => t.body = f.body.clone(),
                "item:ItemClass" => t.item_class = f.item_class.clone(),
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
            (Item::CalendarItem(c), "item:ItemClass") => c.item_class.clone(),
            (Item::CalendarItem(c), "item:DateTimeCreated") => date(&c.date_time_created),
            (Item::Task(t), "item:DateTimeCreated") => date(&t.date_time_created),
            (Item::CalendarItem(c), "item:LastModifiedTime") => date(&c.last_modified_time),
            (Item::Task(t), "item:LastModifiedTime") => date(&t.last_modified_time),
            (Item::Task(t), "item:ItemClass") => t.item_class.clone(),
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

/// The most a window reads for free/busy: singles most mailboxes never reach in one window.
pub const MAX_WINDOW_ITEMS: u32 = 10_000;

/// The first items of a calendar window, and how many the window holds in all.
pub struct WindowPage {
    pub items: Vec<CalendarItem>,
    pub total: u32,
}

/// Calendar items of `mailbox` overlapping `[start, end)`: single items and the occurrences of
/// recurring series, by start then end (ties in creation order); the first `limit` of them.
/// Only those are read from the store, so a page of a full calendar costs a page.
pub async fn calendar_window(
    store: &ItemStore,
    mailbox: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    limit: u32,
) -> Result<WindowPage, SandboxError> {
    let singles = store.calendar_view(mailbox, start, end, limit).await?;
    let mut found = Vec::with_capacity(singles.items.len());
    for record in &singles.items {
        if let Item::CalendarItem(item) = from_record(record)? {
            found.push(item);
        }
    }
    let mut occurrences = 0u32;
    for record in store.recurring_masters(mailbox, end).await? {
        if let Item::CalendarItem(master) = from_record(&record)? {
            let expanded = super::recurrence::occurrences(&master, start, end);
            occurrences =
                occurrences.saturating_add(u32::try_from(expanded.len()).unwrap_or(u32::MAX));
            found.extend(expanded);
        }
    }
    let key = |item: &CalendarItem| {
        (
            item.start.as_ref().and_then(EwsDateTime::to_utc),
            item.end.as_ref().and_then(EwsDateTime::to_utc),
        )
    };
    // Stable: singles keep the store's order among equal times, ahead of occurrences.
    found.sort_by_key(key);
    found.truncate(limit as usize);
    Ok(WindowPage {
        items: found,
        total: singles.total.saturating_add(occurrences),
    })
}
