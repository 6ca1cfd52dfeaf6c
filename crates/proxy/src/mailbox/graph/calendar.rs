//! Events: `POST /me/events` that never creates twice, calendar pages cut from
//! `GET /me/calendarView` with the shared cursor logic ([`crate::mailbox::paging`]), and one
//! event read, edited (`PATCH` with `If-Match`), deleted, cancelled or answered.

use chrono::{DateTime, SecondsFormat, Utc};
use model::{Appointment, CalendarWindow, Page, PageLimit, Reply, ReplyKind};
use secrecy::SecretString;
use serde::Serialize;

use super::GraphMailbox;
use super::transport::{FindCreated, Request, quoted, segment};
use super::wire::{Collection, Event, EventFields, NewEvent, client_request_id_property};
use crate::mailbox::paging::{self, CalendarCursor};
use crate::mailbox::retry::Budget;
use crate::mailbox::{CreateOnce, ItemVersion, MailboxError, PreparedAppointment};

/// The event properties we read (Graph always adds `id`).
const EVENT_FIELDS: &str = "id,changeKey,subject,body,start,end,location,isAllDay,isReminderOn,\
reminderMinutesBeforeStart,showAs,importance,sensitivity,categories,attendees,recurrence,\
organizer,responseStatus,isCancelled,type";
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
        // Graph's answer, so that the create shows what a later read shows (organizer, the
        // user's answer).
        event.to_appointment()
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

/// The body of `POST /me/events/{id}/cancel` (`comment` is optional).
#[derive(Serialize)]
struct CancelBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
}

/// The body of `accept`, `tentativelyAccept` and `decline`: the organiser always hears.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReplyBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    send_response: bool,
}

impl GraphMailbox {
    fn event_url(
        &self,
        id: &str,
        action: Option<&str>,
        query: &[(&str, String)],
    ) -> Result<url::Url, MailboxError> {
        let mut segments = vec!["me", "events", segment(id)?];
        segments.extend(action);
        Ok(self.url(&segments, query))
    }

    pub(super) async fn event(
        &self,
        token: &SecretString,
        id: &str,
    ) -> Result<Appointment, MailboxError> {
        let url = self.event_url(id, None, &[("$select", EVENT_FIELDS.into())])?;
        let mut budget = Budget::new(self.policy);
        let event: Event = self
            .call(token, &Request::get(url, "graph.getEvent"), &mut budget)
            .await?;
        event.to_appointment()
    }

    pub(super) async fn update_event(
        &self,
        token: &SecretString,
        id: &str,
        version: &ItemVersion,
        appointment: &PreparedAppointment,
    ) -> Result<Appointment, MailboxError> {
        let request = Request::patch(
            self.event_url(id, None, &[])?,
            &EventFields::changes(appointment),
            "graph.updateEvent",
        )?
        .if_match(version);
        let mut budget = Budget::new(self.policy);
        let event: Event = self.change(token, &request, &mut budget).await?;
        event.to_appointment()
    }

    pub(super) async fn delete_event(
        &self,
        token: &SecretString,
        id: &str,
        version: &ItemVersion,
    ) -> Result<(), MailboxError> {
        let request =
            Request::delete(self.event_url(id, None, &[])?, "graph.deleteEvent").if_match(version);
        self.change(token, &request, &mut Budget::new(self.policy))
            .await
    }

    /// Graph's actions document no `If-Match`: the version is compared with the event's
    /// `changeKey` just before the action (a change in between is not caught).
    async fn check_version(
        &self,
        token: &SecretString,
        id: &str,
        version: &ItemVersion,
        budget: &mut Budget,
    ) -> Result<(), MailboxError> {
        let ItemVersion::Exactly(seen) = version else {
            return Ok(());
        };
        let url = self.event_url(id, None, &[("$select", "changeKey".into())])?;
        let event: Event = self
            .call(token, &Request::get(url, "graph.getEvent"), budget)
            .await?;
        if event.change_key.as_deref() == Some(seen.as_str()) {
            Ok(())
        } else {
            Err(MailboxError::changed_meanwhile())
        }
    }

    pub(super) async fn cancel_event(
        &self,
        token: &SecretString,
        id: &str,
        version: &ItemVersion,
        message: Option<&str>,
    ) -> Result<(), MailboxError> {
        let mut budget = Budget::new(self.policy);
        self.check_version(token, id, version, &mut budget).await?;
        let request = Request::post(
            self.event_url(id, Some("cancel"), &[])?,
            &CancelBody { comment: message },
            "graph.cancelEvent",
        )?;
        self.change(token, &request, &mut budget).await
    }

    pub(super) async fn reply_to_event(
        &self,
        token: &SecretString,
        id: &str,
        version: &ItemVersion,
        reply: &Reply,
    ) -> Result<(), MailboxError> {
        let (action, operation) = match reply.kind {
            ReplyKind::Accept => ("accept", "graph.acceptEvent"),
            ReplyKind::Tentative => ("tentativelyAccept", "graph.tentativelyAcceptEvent"),
            ReplyKind::Decline => ("decline", "graph.declineEvent"),
        };
        let mut budget = Budget::new(self.policy);
        self.check_version(token, id, version, &mut budget).await?;
        let body = ReplyBody {
            comment: reply.message.as_deref(),
            send_response: true,
        };
        let request = Request::post(self.event_url(id, Some(action), &[])?, &body, operation)?;
        self.change(token, &request, &mut budget).await
    }
}
