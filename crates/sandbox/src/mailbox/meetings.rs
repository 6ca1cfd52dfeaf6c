//! Meetings across mailboxes: invitations put a copy of the organizer's calendar item into each
//! attendee's and room's calendar (rooms accept automatically, like Exchange's resource booking
//! assistant); updates, responses and cancellations keep the copies in step through the shared
//! iCalendar UID.
//!
//! A UID is chosen by the client, so it only names a meeting together with its organizer: the
//! copies an organizer may update or cancel are the ones that organizer delivered (organizer
//! field = the caller, never an organizer's own item). Someone reusing another meeting's UID
//! reaches only their own mailbox and their own invitations, as in Exchange, where delivering
//! copies is the organizer's act.

use chrono::{DateTime, Utc};
use ews::types::{Attendee, CalendarItem, EwsDateTime, Item, ItemId, LegacyFreeBusy, ResponseType};

use super::SandboxError;
use super::directory;
use super::items::{self, CALENDAR};
use super::store::{ItemRecord, ItemStore};

/// Every invited address (required, optional, resources), lower-cased, without the organizer.
fn invited(meeting: &CalendarItem, organizer: &str) -> Vec<String> {
    let mut addresses: Vec<String> = meeting
        .required_attendees
        .iter()
        .chain(&meeting.optional_attendees)
        .chain(&meeting.resources)
        .filter_map(|a| a.mailbox.email_address.as_deref())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| !a.is_empty() && a != organizer)
        .collect();
    addresses.sort();
    addresses.dedup();
    addresses
}

fn attendees_mut(meeting: &mut CalendarItem) -> impl Iterator<Item = &mut Attendee> {
    meeting
        .required_attendees
        .iter_mut()
        .chain(meeting.optional_attendees.iter_mut())
        .chain(meeting.resources.iter_mut())
}

/// Records an attendee's answer on the organizer's copy.
pub fn record_response(
    meeting: &mut CalendarItem,
    address: &str,
    response: ResponseType,
    now: DateTime<Utc>,
) {
    for attendee in attendees_mut(meeting) {
        if attendee
            .mailbox
            .email_address
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(address))
        {
            attendee.response_type = Some(response);
            attendee.last_response_time = Some(EwsDateTime::utc(now));
        }
    }
}

/// The attendee's view of the organizer's meeting.
fn attendee_copy(
    meeting: &CalendarItem,
    previous: Option<&CalendarItem>,
    is_room: bool,
    now: DateTime<Utc>,
) -> CalendarItem {
    let mut copy = meeting.clone();
    let id = previous
        .and_then(|p| p.item.item_id.as_ref())
        .map_or_else(items::new_item_id, |id| id.id.clone());
    copy.item.item_id = Some(ItemId::with_change_key(id, items::new_change_key()));
    // The client request id stamps the organizer's own item only.
    copy.item.extended_properties.clear();
    copy.is_meeting = Some(true);
    copy.is_cancelled = Some(false);
    copy.item.date_time_created = previous
        .and_then(|p| p.item.date_time_created)
        .or(Some(EwsDateTime::utc(now)));
    copy.item.last_modified_time = Some(EwsDateTime::utc(now));
    let rescheduled = previous.is_some_and(|p| p.start != meeting.start || p.end != meeting.end);
    let response = if is_room {
        ResponseType::Accept
    } else {
        match previous.and_then(|p| p.my_response_type) {
            // A new time needs a new answer, as in Outlook.
            Some(answer) if !rescheduled => answer,
            _ => ResponseType::NoResponseReceived,
        }
    };
    copy.my_response_type = Some(response);
    copy.legacy_free_busy_status = Some(match response {
        ResponseType::Accept => LegacyFreeBusy::Busy,
        _ => LegacyFreeBusy::Tentative,
    });
    copy
}

/// Brings every attendee's copy in line with the organizer's `meeting` (creating copies for new
/// attendees, cancelling those of removed ones) and records the rooms' automatic acceptance on
/// `meeting`. The caller stores `meeting` afterwards.
pub async fn sync_copies(
    store: &ItemStore,
    organizer: &str,
    meeting: &mut CalendarItem,
    now: DateTime<Utc>,
) -> Result<(), SandboxError> {
    let Some(uid) = meeting.uid.clone() else {
        return Ok(());
    };
    let existing = delivered_copies(store, organizer, &uid).await?;
    let addresses = invited(meeting, organizer);
    for address in &addresses {
        let is_room = directory::is_room(address);
        if is_room {
            record_response(meeting, address, ResponseType::Accept, now);
        }
        let previous = existing.iter().find(|(r, _)| &r.mailbox == address);
        let copy = attendee_copy(meeting, previous.map(|(_, item)| item), is_room, now);
        let record = items::to_record(&Item::CalendarItem(copy), address, now)?;
        match previous {
            Some(_) => {
                store.replace(&record, None).await?;
            }
            None => store.insert(&record).await?,
        }
    }
    for (removed, copy) in existing
        .into_iter()
        .filter(|(r, _)| !addresses.contains(&r.mailbox))
    {
        cancel_copy(store, &removed, copy, now).await?;
    }
    Ok(())
}

/// The copies of meeting `uid` that `organizer` delivered to other mailboxes. Another
/// organizer's meeting that happens to carry the same UID (a client picks it) is not among them.
async fn delivered_copies(
    store: &ItemStore,
    organizer: &str,
    uid: &str,
) -> Result<Vec<(ItemRecord, CalendarItem)>, SandboxError> {
    let mut copies = Vec::new();
    for record in store.by_uid(uid).await? {
        if record.mailbox == organizer || record.folder != CALENDAR {
            continue;
        }
        if let Item::CalendarItem(item) = items::from_record(&record)?
            && item.my_response_type != Some(ResponseType::Organizer)
            && organized_by(&item, organizer)
        {
            copies.push((record, item));
        }
    }
    Ok(copies)
}

fn organized_by(item: &CalendarItem, address: &str) -> bool {
    item.organizer
        .as_ref()
        .and_then(|o| o.email_address.as_deref())
        .is_some_and(|a| a.trim().eq_ignore_ascii_case(address))
}

/// Tells every attendee the meeting is off: their copies are marked cancelled (and free), and
/// rooms are released.
pub async fn cancel_copies(
    store: &ItemStore,
    organizer: &str,
    uid: &str,
    now: DateTime<Utc>,
) -> Result<(), SandboxError> {
    for (record, copy) in delivered_copies(store, organizer, uid).await? {
        cancel_copy(store, &record, copy, now).await?;
    }
    Ok(())
}

async fn cancel_copy(
    store: &ItemStore,
    record: &ItemRecord,
    mut copy: CalendarItem,
    now: DateTime<Utc>,
) -> Result<(), SandboxError> {
    if directory::is_room(&record.mailbox) {
        store.delete(&record.mailbox, &record.id, None).await?;
        return Ok(());
    }
    if copy.is_cancelled == Some(true) {
        return Ok(());
    }
    copy.is_cancelled = Some(true);
    copy.item.subject = Some(format!(
        "Canceled: {}",
        copy.item.subject.unwrap_or_default()
    ));
    copy.legacy_free_busy_status = Some(LegacyFreeBusy::Free);
    copy.item.last_modified_time = Some(EwsDateTime::utc(now));
    if let Some(id) = copy.item.item_id.as_mut() {
        id.change_key = Some(items::new_change_key());
    }
    let updated = items::to_record(&Item::CalendarItem(copy), &record.mailbox, now)?;
    store.replace(&updated, None).await?;
    Ok(())
}

/// The organizer's own item of a meeting, found from an attendee's copy.
pub async fn organizer_copy(
    store: &ItemStore,
    attendee_copy: &CalendarItem,
) -> Result<Option<(ItemRecord, CalendarItem)>, SandboxError> {
    let (Some(uid), Some(organizer)) = (
        attendee_copy.uid.as_deref(),
        attendee_copy
            .organizer
            .as_ref()
            .and_then(|o| o.email_address.as_deref()),
    ) else {
        return Ok(None);
    };
    let organizer = organizer.to_lowercase();
    for record in store.by_uid(uid).await? {
        if record.mailbox == organizer
            && record.folder == CALENDAR
            && let Item::CalendarItem(item) = items::from_record(&record)?
            && item.my_response_type == Some(ResponseType::Organizer)
        {
            return Ok(Some((record, item)));
        }
    }
    Ok(None)
}

/// What an attendee's answer to a meeting came to.
#[derive(Debug, PartialEq, Eq)]
pub enum RespondOutcome {
    Done,
    NotFound,
    NotAMeeting,
    /// The caller organizes this meeting: there is nobody to answer.
    IsOrganizer,
    Cancelled,
}

/// An attendee answers the meeting `id` in their calendar: their copy records the answer (a
/// declined meeting leaves the calendar, as Exchange moves it to Deleted Items) and the
/// organizer's copy records it on the attendee. Shared by every front end.
pub async fn respond(
    store: &ItemStore,
    mailbox: &str,
    id: &str,
    answer: ResponseType,
    now: DateTime<Utc>,
) -> Result<RespondOutcome, SandboxError> {
    let Some(record) = store.get(mailbox, id).await? else {
        return Ok(RespondOutcome::NotFound);
    };
    let Item::CalendarItem(mut copy) = items::from_record(&record)? else {
        return Ok(RespondOutcome::NotAMeeting);
    };
    if copy.my_response_type == Some(ResponseType::Organizer) {
        return Ok(RespondOutcome::IsOrganizer);
    }
    if copy.is_cancelled == Some(true) {
        return Ok(RespondOutcome::Cancelled);
    }
    if answer == ResponseType::Decline {
        store.delete(mailbox, &record.id, None).await?;
    } else {
        copy.my_response_type = Some(answer);
        copy.legacy_free_busy_status = Some(if answer == ResponseType::Accept {
            LegacyFreeBusy::Busy
        } else {
            LegacyFreeBusy::Tentative
        });
        copy.item.last_modified_time = Some(EwsDateTime::utc(now));
        if let Some(id) = copy.item.item_id.as_mut() {
            id.change_key = Some(items::new_change_key());
        }
        let updated = items::to_record(&Item::CalendarItem(copy.clone()), mailbox, now)?;
        store.replace(&updated, None).await?;
    }
    if let Some((organizer_record, mut meeting)) = organizer_copy(store, &copy).await? {
        record_response(&mut meeting, mailbox, answer, now);
        if let Some(id) = meeting.item.item_id.as_mut() {
            id.change_key = Some(items::new_change_key());
        }
        let updated =
            items::to_record(&Item::CalendarItem(meeting), &organizer_record.mailbox, now)?;
        store.replace(&updated, None).await?;
    }
    Ok(RespondOutcome::Done)
}

/// What an organizer's cancellation came to.
#[derive(Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    Done,
    NotFound,
    NotOrganizer,
    /// The item changed since the version the caller names.
    Stale,
}

/// The organizer calls meeting `id` off: attendees' copies are marked cancelled, rooms
/// released, and the organizer's item removed. `expected`: the version the caller saw, if any.
pub async fn cancel(
    store: &ItemStore,
    mailbox: &str,
    id: &str,
    expected: Option<&str>,
    now: DateTime<Utc>,
) -> Result<CancelOutcome, SandboxError> {
    let Some(record) = store.get(mailbox, id).await? else {
        return Ok(CancelOutcome::NotFound);
    };
    let Item::CalendarItem(meeting) = items::from_record(&record)? else {
        return Ok(CancelOutcome::NotFound);
    };
    if meeting.my_response_type != Some(ResponseType::Organizer) {
        return Ok(CancelOutcome::NotOrganizer);
    }
    if expected.is_some_and(|wanted| wanted != record.change_key) {
        return Ok(CancelOutcome::Stale);
    }
    if let Some(uid) = meeting.uid.as_deref() {
        cancel_copies(store, mailbox, uid, now).await?;
    }
    store.delete(mailbox, &record.id, None).await?;
    Ok(CancelOutcome::Done)
}
