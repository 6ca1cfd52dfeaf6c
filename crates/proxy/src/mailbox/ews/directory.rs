//! People, rooms and free/busy: ResolveNames, GetRoomLists, GetRooms, GetUserAvailability.
//!
//! - [ResolveNames](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/resolvenames)
//! - [GetRoomLists](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getroomlists)
//! - [GetRooms](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getrooms)
//! - [GetUserAvailability](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getuseravailability-operation)

use chrono::{DateTime, Utc};
use ews::EwsError;
use ews::operations::get_room_lists::{GetRoomLists, GetRoomListsResponse};
use ews::operations::get_rooms::{GetRooms, GetRoomsResponse};
use ews::operations::get_user_availability::{
    FreeBusyView, GetUserAvailability, GetUserAvailabilityResponse, MailboxData,
};
use ews::operations::resolve_names::{Resolution, ResolveNames, ResolveNamesResponse};
use ews::response::MessageResult;
use ews::types::{EwsDateTime, LegacyFreeBusy, Mailbox, MeetingAttendeeType};
use model::{BusySlot, Person, Place, Schedule};

use super::{Acting, EwsMailbox};
use crate::mailbox::MailboxError;
use crate::mailbox::retry::Budget;

/// Free/busy granularity asked for (minutes).
const FREE_BUSY_INTERVAL: i32 = 30;

impl EwsMailbox {
    pub(super) async fn resolve_people(
        &self,
        acting: &Acting<'_>,
        query: &str,
    ) -> Result<Vec<Person>, MailboxError> {
        let mut request = ResolveNames::new(query);
        request.return_full_contact_data = false;
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        let mut budget = Budget::new(self.policy);
        let resolutions = self
            .call(acting, &envelope, parse_people, &mut budget)
            .await?;
        Ok(resolutions.iter().filter_map(person).collect())
    }

    pub(super) async fn list_room_lists(
        &self,
        acting: &Acting<'_>,
    ) -> Result<Vec<Place>, MailboxError> {
        let envelope = self.envelope(GetRoomLists {}.to_envelope(&acting.headers))?;
        let mut budget = Budget::new(self.policy);
        let lists = self
            .call(acting, &envelope, parse_room_lists, &mut budget)
            .await?;
        Ok(lists.iter().filter_map(place).collect())
    }

    pub(super) async fn list_rooms(
        &self,
        acting: &Acting<'_>,
        room_list: &str,
    ) -> Result<Vec<Place>, MailboxError> {
        let envelope = self.envelope(GetRooms::new(room_list).to_envelope(&acting.headers))?;
        let mut budget = Budget::new(self.policy);
        let rooms = self
            .call(acting, &envelope, parse_rooms, &mut budget)
            .await?;
        Ok(rooms.iter().filter_map(place).collect())
    }

    pub(super) async fn free_busy(
        &self,
        acting: &Acting<'_>,
        addresses: &[String],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Schedule>, MailboxError> {
        let mailboxes = addresses
            .iter()
            .map(|a| MailboxData::new(a.clone(), MeetingAttendeeType::Required))
            .collect();
        let request = GetUserAvailability::new(
            mailboxes,
            EwsDateTime::utc(start),
            EwsDateTime::utc(end),
            FREE_BUSY_INTERVAL,
        );
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        let mut budget = Budget::new(self.policy);
        let views = self
            .call(acting, &envelope, parse_availability, &mut budget)
            .await?;
        if views.len() != addresses.len() {
            return Err(MailboxError::Unreadable(format!(
                "{} free/busy answers for {} addresses",
                views.len(),
                addresses.len()
            )));
        }
        Ok(addresses
            .iter()
            .zip(views)
            .map(|(email, view)| schedule(email, view))
            .collect())
    }
}

fn person(resolution: &Resolution) -> Option<Person> {
    let mailbox = &resolution.mailbox;
    Some(Person {
        email: mailbox.email_address.clone()?,
        name: mailbox
            .name
            .clone()
            .or_else(|| resolution.contact.as_ref()?.display_name.clone())
            .unwrap_or_default(),
        is_room: false,
    })
}

fn place(mailbox: &Mailbox) -> Option<Place> {
    Some(Place {
        email: mailbox.email_address.clone()?,
        name: mailbox.name.clone().unwrap_or_default(),
    })
}

fn schedule(email: &str, view: MessageResult<FreeBusyView>) -> Schedule {
    match view {
        Ok(view) => Schedule {
            email: email.to_owned(),
            busy: view
                .calendar_events
                .iter()
                .filter(|e| e.busy_type != LegacyFreeBusy::Free)
                .filter_map(|e| {
                    Some(BusySlot {
                        start: e
                            .start_time
                            .to_utc()
                            .unwrap_or_else(|| e.start_time.local.and_utc()),
                        end: e
                            .end_time
                            .to_utc()
                            .unwrap_or_else(|| e.end_time.local.and_utc()),
                        status: super::meeting::show_as(e.busy_type),
                    })
                    .filter(|slot| slot.start < slot.end)
                })
                .collect(),
            error: None,
        },
        Err(error) => Schedule {
            email: email.to_owned(),
            busy: Vec::new(),
            error: Some(error.message_text.unwrap_or(error.response_code)),
        },
    }
}

// The codec's error type is large; these run once per HTTP answer.
#[allow(clippy::result_large_err)]
fn parse_people(bytes: &[u8]) -> Result<Vec<Resolution>, EwsError> {
    ResolveNamesResponse::parse_response(bytes)?.into_resolutions()
}

#[allow(clippy::result_large_err)]
fn parse_room_lists(bytes: &[u8]) -> Result<Vec<Mailbox>, EwsError> {
    GetRoomListsResponse::parse_response(bytes)?
        .result
        .map_err(EwsError::Response)
}

#[allow(clippy::result_large_err)]
fn parse_rooms(bytes: &[u8]) -> Result<Vec<Mailbox>, EwsError> {
    GetRoomsResponse::parse_response(bytes)?
        .result
        .map_err(EwsError::Response)
}

#[allow(clippy::result_large_err)]
fn parse_availability(bytes: &[u8]) -> Result<Vec<MessageResult<FreeBusyView>>, EwsError> {
    Ok(GetUserAvailabilityResponse::parse_response(bytes)?.free_busy_responses)
}
