//! People, rooms and free/busy: `GET /me/people?$search=`, `GET /places/microsoft.graph.roomlist`,
//! `GET /places/{list}/microsoft.graph.roomlist/rooms` and `POST /me/calendar/getSchedule`.
//!
//! Resources: person <https://learn.microsoft.com/graph/api/resources/person>, roomList and
//! room <https://learn.microsoft.com/graph/api/resources/place>, scheduleInformation
//! <https://learn.microsoft.com/graph/api/resources/scheduleinformation>.

use chrono::{DateTime, Utc};
use model::{BusySlot, Person, Place, Schedule, ShowAs};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::GraphMailbox;
use super::transport::Request;
use super::wire::{Collection, DateTimeTimeZone};
use crate::mailbox::MailboxError;
use crate::mailbox::retry::Budget;

/// People one search answers (the form shows a short list of suggestions).
const PEOPLE_TOP: u32 = 25;
/// Pages of room lists or rooms read at most.
const MAX_PLACE_PAGES: usize = 20;
/// The slot length asked of getSchedule; its busy items are exact whatever the interval.
const VIEW_INTERVAL_MINUTES: u32 = 30;

/// `person` (the properties we read).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphPerson {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub scored_email_addresses: Option<Vec<ScoredEmailAddress>>,
    #[serde(default)]
    pub person_type: Option<PersonType>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ScoredEmailAddress {
    #[serde(default)]
    pub address: Option<String>,
}

/// `personType`: its `subclass` (OrganizationUser, Room, …) tells rooms apart.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PersonType {
    #[serde(default)]
    pub subclass: Option<String>,
}

impl GraphPerson {
    /// `None` for an entry without an address (nothing to invite).
    pub fn to_person(&self) -> Option<Person> {
        let email = self
            .scored_email_addresses
            .iter()
            .flatten()
            .find_map(|a| a.address.clone().filter(|a| !a.is_empty()))?;
        let is_room = self
            .person_type
            .as_ref()
            .and_then(|t| t.subclass.as_deref())
            .is_some_and(|s| s.eq_ignore_ascii_case("room"));
        Some(Person {
            name: self.display_name.clone().unwrap_or_default(),
            email,
            is_room,
        })
    }
}

/// `roomList` or `room` (the properties we read).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphPlace {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
}

/// The body of `POST /me/calendar/getSchedule`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleRequest {
    pub schedules: Vec<String>,
    pub start_time: DateTimeTimeZone,
    pub end_time: DateTimeTimeZone,
    pub availability_view_interval: u32,
}

impl ScheduleRequest {
    pub fn new(addresses: &[String], start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Self {
            schedules: addresses.to_vec(),
            start_time: DateTimeTimeZone::in_zone(start, "UTC"),
            end_time: DateTimeTimeZone::in_zone(end, "UTC"),
            availability_view_interval: VIEW_INTERVAL_MINUTES,
        }
    }
}

/// `scheduleInformation` (the properties we read).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleInformation {
    #[serde(default)]
    pub schedule_id: String,
    #[serde(default)]
    pub schedule_items: Option<Vec<ScheduleItem>>,
    #[serde(default)]
    pub error: Option<FreeBusyError>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ScheduleItem {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub start: Option<DateTimeTimeZone>,
    #[serde(default)]
    pub end: Option<DateTimeTimeZone>,
}

/// `freeBusyError`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FreeBusyError {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub response_code: Option<String>,
}

impl ScheduleInformation {
    pub fn to_schedule(&self, email: &str) -> Result<Schedule, MailboxError> {
        let error =
            self.error.as_ref().map(
                |e| match (e.response_code.as_deref(), e.message.as_deref()) {
                    (Some(code), Some(message)) => format!("{code}: {message}"),
                    (None, Some(text)) | (Some(text), None) => text.to_owned(),
                    (None, None) => "Microsoft Graph could not tell this schedule".to_owned(),
                },
            );
        let mut busy = Vec::new();
        for item in self.schedule_items.iter().flatten() {
            let instant = |value: &Option<DateTimeTimeZone>| {
                value
                    .as_ref()
                    .and_then(DateTimeTimeZone::to_utc)
                    .ok_or_else(|| {
                        MailboxError::Unreadable(format!(
                            "a schedule item of {email} has no readable time ({value:?})"
                        ))
                    })
            };
            // `unknown` counts as busy: nobody is booked into time nobody can vouch for.
            let status = item
                .status
                .as_deref()
                .and_then(|s| serde_json::from_value(serde_json::Value::String(s.into())).ok())
                .unwrap_or(ShowAs::Busy);
            busy.push(BusySlot {
                start: instant(&item.start)?,
                end: instant(&item.end)?,
                status,
            });
        }
        busy.sort_by_key(|slot| slot.start);
        Ok(Schedule {
            email: email.to_owned(),
            busy,
            error,
        })
    }
}

impl GraphMailbox {
    pub(super) async fn people(
        &self,
        token: &SecretString,
        query: &str,
    ) -> Result<Vec<Person>, MailboxError> {
        // `$search="…"`: a double quote inside would end the phrase, so it is left out.
        let phrase = query.replace('"', " ");
        let url = self.url(
            &["me", "people"],
            &[
                ("$search", format!("\"{}\"", phrase.trim())),
                ("$top", PEOPLE_TOP.to_string()),
            ],
        );
        let mut budget = Budget::new(self.policy);
        let found: Collection<GraphPerson> = self
            .call(token, &Request::get(url, "graph.people"), &mut budget)
            .await?;
        Ok(found
            .value
            .iter()
            .filter_map(GraphPerson::to_person)
            .collect())
    }

    /// Every place of a collection, following next links.
    pub(super) async fn places(
        &self,
        token: &SecretString,
        segments: &[&str],
        operation: &'static str,
    ) -> Result<Vec<Place>, MailboxError> {
        let mut budget = Budget::new(self.policy);
        let mut request = Request::get(self.url(segments, &[]), operation);
        let mut places = Vec::new();
        for _ in 0..MAX_PLACE_PAGES {
            let page: Collection<GraphPlace> = self.call(token, &request, &mut budget).await?;
            places.extend(page.value.into_iter().filter_map(|p| {
                Some(Place {
                    email: p.email_address.filter(|e| !e.is_empty())?,
                    name: p.display_name.unwrap_or_default(),
                })
            }));
            match page.next_link {
                Some(link) => request = Request::get(self.next_link(&link)?, operation),
                None => return Ok(places),
            }
        }
        Err(MailboxError::Unreadable(format!(
            "Microsoft Graph listed more than {MAX_PLACE_PAGES} pages of places"
        )))
    }

    pub(super) async fn schedules(
        &self,
        token: &SecretString,
        addresses: &[String],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<Schedule>, MailboxError> {
        let request = Request::post(
            self.url(&["me", "calendar", "getSchedule"], &[]),
            &ScheduleRequest::new(addresses, start, end),
            "graph.getSchedule",
        )?;
        let mut budget = Budget::new(self.policy);
        // A read, however it is sent: repeating it changes nothing.
        let answer: Collection<ScheduleInformation> =
            self.call(token, &request, &mut budget).await?;
        addresses
            .iter()
            .map(|address| {
                match answer
                    .value
                    .iter()
                    .find(|s| s.schedule_id.eq_ignore_ascii_case(address))
                {
                    Some(information) => information.to_schedule(address),
                    None => Ok(Schedule {
                        email: address.clone(),
                        busy: Vec::new(),
                        error: Some("Microsoft Graph sent no schedule for this address".into()),
                    }),
                }
            })
            .collect()
    }
}
