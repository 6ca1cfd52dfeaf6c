//! Events: `POST /me/events` that never creates twice, and calendar pages cut from
//! `GET /me/calendarView` with the shared cursor logic ([`crate::mailbox::paging`]).

use chrono::{DateTime, SecondsFormat, Utc};
use model::{Appointment, CalendarWindow, Page, PageLimit};
use secrecy::SecretString;

use super::GraphMailbox;
use super::transport::{FindCreated, Request, quoted};
use super::wire::{Collection, Event, NewEvent, client_request_id_property};
use crate::mailbox::paging::{self, CalendarCursor};
use crate::mailbox::retry::Budget;
use crate::mailbox::{CreateOnce, MailboxError, PreparedAppointment};

/// The event properties we read (Graph always adds `id`).
const EVENT_FIELDS: &str = "id,changeKey,subject,body,start,end,location";
/// The largest `$top` we ask of a calendar view; Graph pages past it with `@odata.nextLink`.
const MAX_TOP: usize = 1000;
/// Events one calendar page may read (every one overlapping the cursor's start comes back
/// again): past this many, the page is cut where it stands, or refused if nothing is new.
const MAX_VIEW_ITEMS: usize = 5000;

fn utc_text(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

impl GraphMailbox {
    pub(super) async fn create_event(
        &self,
        token: &SecretString,
        appointment: &PreparedAppointment,
        once: &CreateOnce,
    ) -> Result<Appointment, MailboxError> {
        let client_request_id = once.client_request_id.as_str();
        let request = Request::post(
            self.url(&["me", "events"], &[]),
            &NewEvent::new(appointment, client_request_id),
            "graph.createEvent",
        )?;
        let mut budget = Budget::new(self.policy);
        let event: Event = self
            .create_once(
                token,
                &request,
                once,
                &mut budget,
                EventLookup { client_request_id },
            )
            .await?;
        Ok(appointment.created(event.id, event.change_key.unwrap_or_default()))
    }
}

/// The event an earlier attempt created, found by the extended property it carries
/// (filtering events by a string extended property is documented; by transactionId not).
struct EventLookup<'a> {
    client_request_id: &'a str,
}

impl FindCreated for EventLookup<'_> {
    type Item = Event;

    async fn find(
        &self,
        mailbox: &GraphMailbox,
        token: &SecretString,
        budget: &mut Budget,
    ) -> Result<Option<Event>, MailboxError> {
        let filter = format!(
            "singleValueExtendedProperties/Any(ep: ep/id eq {} and ep/value eq {})",
            quoted(&client_request_id_property()),
            quoted(self.client_request_id)
        );
        let url = mailbox.url(
            &["me", "events"],
            &[
                ("$filter", filter),
                ("$select", EVENT_FIELDS.into()),
                ("$top", "1".into()),
            ],
        );
        let found: Collection<Event> = mailbox
            .call(token, &Request::get(url, "graph.findEvent"), budget)
            .await?;
        Ok(found.value.into_iter().next())
    }
}

impl GraphMailbox {
    /// The page of `window` after `cursor`: at most `limit` appointments in start order,
    /// occurrences expanded (a calendar view returns occurrences, never series masters).
    pub(super) async fn calendar_view_page(
        &self,
        token: &SecretString,
        window: CalendarWindow,
        limit: PageLimit,
        cursor: Option<CalendarCursor>,
    ) -> Result<Page<Appointment>, MailboxError> {
        let limit = limit.get() as usize;
        // Graph's pages are followed until a page of unseen items is in.
        let (start, top) = paging::view_request(&window, cursor.as_ref(), limit, MAX_TOP);
        let url = self.url(
            &["me", "calendarView"],
            &[
                ("startDateTime", utc_text(start)),
                ("endDateTime", utc_text(window.end)),
                ("$top", top.to_string()),
                ("$orderby", "start/dateTime".into()),
                ("$select", EVENT_FIELDS.into()),
            ],
        );
        let mut request = Request::get(url, "graph.calendarView");
        let mut budget = Budget::new(self.policy);
        let mut items = Vec::new();
        loop {
            let page: Collection<Event> = self.call(token, &request, &mut budget).await?;
            for event in &page.value {
                items.push(event.to_appointment()?);
            }
            // Stable: equal starts keep Graph's order, which the cursor's `skip` counts on.
            items.sort_by_key(|a| a.start);
            let fresh = paging::unseen(items.clone(), cursor.as_ref());
            match page.next_link {
                Some(link) if fresh.len() <= limit && items.len() < MAX_VIEW_ITEMS => {
                    request = Request::get(self.next_link(&link)?, "graph.calendarView");
                }
                next => {
                    return paging::calendar_page(fresh, limit, cursor.as_ref(), next.is_some());
                }
            }
        }
    }
}
