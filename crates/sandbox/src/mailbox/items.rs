//! The mailbox's items: what Exchange adds when it saves an item, the store's rows and
//! documents made from items (and back), and calendar windows with recurring series expanded.
//! Items are the `ews` codec's item model (its serde form is the stored document), which any
//! front end can read; what the EWS front end alone needs (ItemShape, restrictions) is in
//! `soap::shape`.

use chrono::{DateTime, Utc};
use ews::response::ResponseError;
use ews::types::{
    CalendarItem, CalendarItemType, EwsDateTime, Item, ItemId, LegacyFreeBusy, Mailbox,
    ResponseType, Task,
};

use super::SandboxError;
use super::store::ItemStore;
use super::store::{ItemRecord, instant};

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
    item.item.item_id = Some(ItemId::with_change_key(new_item_id(), new_change_key()));
    item.start = Some(EwsDateTime::utc(start));
    item.end = Some(EwsDateTime::utc(end));
    item.item
        .item_class
        .get_or_insert_with(|| "IPM.Appointment".into());
    item.item.subject.get_or_insert_with(String::new);
    item.item.date_time_created = Some(EwsDateTime::utc(now));
    item.item.last_modified_time = Some(EwsDateTime::utc(now));
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
    task.item.item_id = Some(ItemId::with_change_key(new_item_id(), new_change_key()));
    task.item
        .item_class
        .get_or_insert_with(|| "IPM.Task".into());
    task.item.subject.get_or_insert_with(String::new);
    task.item.date_time_created = Some(EwsDateTime::utc(now));
    task.item.last_modified_time = Some(EwsDateTime::utc(now));
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
            c.item
                .item_class
                .clone()
                .unwrap_or_else(|| "IPM.Appointment".into()),
            c.start.as_ref().and_then(EwsDateTime::to_utc).map(instant),
            c.end.as_ref().and_then(EwsDateTime::to_utc).map(instant),
        ),
        Item::Task(t) => (
            TASKS,
            t.item
                .item_class
                .clone()
                .unwrap_or_else(|| "IPM.Task".into()),
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

pub(crate) fn extended_properties(item: &Item) -> &[ews::types::ExtendedProperty] {
    match item {
        Item::CalendarItem(c) => &c.item.extended_properties,
        Item::Task(t) => &t.item.extended_properties,
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

pub fn from_record(record: &ItemRecord) -> Result<Item, SandboxError> {
    serde_json::from_str(&record.data)
        .map_err(|e| SandboxError::Corrupt(format!("item {}: {e}", record.id)))
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
