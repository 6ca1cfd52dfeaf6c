//! `GetUserAvailability`: free/busy of attendees and rooms over a time window (merged
//! free/busy string and calendar events).
//!
//! [GetUserAvailability](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getuseravailability-operation)

use serde::{Deserialize, Serialize};

use super::operation;
use crate::error::EwsError;
use crate::types::{DayOfWeek, EwsDateTime, FreeBusyViewType, MeetingAttendeeType};
#[cfg(feature = "server")]
use crate::xml::Elem;
use crate::xml::{XmlReader, XmlWriter};

mod response;
pub use response::{
    CalendarEvent, CalendarEventDetails, FreeBusyView, GetUserAvailabilityResponse, WorkingHours,
    WorkingPeriod,
};

/// `t:StandardTime` / `t:DaylightTime` of a `t:SerializableTimeZone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeZoneTransition {
    /// Minutes added to the zone's Bias in this period.
    pub bias: i32,
    /// `hh:mm:ss` local time of the transition.
    pub time: String,
    /// 1..4 = first..fourth, 5 = last `day_of_week` of `month`.
    pub day_order: i16,
    pub month: i16,
    pub day_of_week: DayOfWeek,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<String>,
}

/// `t:SerializableTimeZone` (legacy time zone used by availability).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SerializableTimeZone {
    /// Minutes to add to local time to get UTC (e.g. 480 for UTC-8).
    pub bias: i32,
    pub standard_time: TimeZoneTransition,
    pub daylight_time: TimeZoneTransition,
}

impl SerializableTimeZone {
    /// UTC (no offset, no daylight saving): times in the request/response are UTC.
    pub fn utc() -> Self {
        let t = TimeZoneTransition {
            bias: 0,
            time: "00:00:00".into(),
            day_order: 1,
            month: 1,
            day_of_week: DayOfWeek::Sunday,
            year: None,
        };
        SerializableTimeZone {
            bias: 0,
            standard_time: t.clone(),
            daylight_time: t,
        }
    }

    fn write(&self, w: &mut XmlWriter, name: &str) -> Result<(), EwsError> {
        w.start(name, &[])?;
        w.value("t:Bias", &self.bias)?;
        for (n, t) in [
            ("t:StandardTime", &self.standard_time),
            ("t:DaylightTime", &self.daylight_time),
        ] {
            w.start(n, &[])?;
            w.value("t:Bias", &t.bias)?;
            w.elem("t:Time", &t.time)?;
            w.value("t:DayOrder", &(t.day_order as i32))?;
            w.value("t:Month", &(t.month as i32))?;
            w.value("t:DayOfWeek", &t.day_of_week)?;
            w.opt("t:Year", &t.year)?;
            w.end(n)?;
        }
        w.end(name)
    }

    fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        let mut bias = None;
        let mut std = None;
        let mut dst = None;
        while let Some(c) = r.next_child()? {
            match c.local() {
                b"Bias" => bias = Some(r.value::<i32>()?),
                b"StandardTime" => std = Some(read_transition(r)?),
                b"DaylightTime" => dst = Some(read_transition(r)?),
                _ => r.skip()?,
            }
        }
        match (bias, std, dst) {
            (Some(bias), Some(standard_time), Some(daylight_time)) => Ok(SerializableTimeZone {
                bias,
                standard_time,
                daylight_time,
            }),
            _ => Err(r.err("TimeZone needs Bias, StandardTime and DaylightTime")),
        }
    }
}

fn read_transition(r: &mut XmlReader<'_>) -> Result<TimeZoneTransition, EwsError> {
    let (mut bias, mut time, mut order, mut month, mut dow, mut year) =
        (None, None, None, None, None, None);
    while let Some(c) = r.next_child()? {
        match c.local() {
            b"Bias" => bias = Some(r.value::<i32>()?),
            b"Time" => time = Some(r.text()?.trim().to_owned()),
            b"DayOrder" => order = Some(r.value::<i32>()?),
            b"Month" => month = Some(r.value::<i32>()?),
            b"DayOfWeek" => dow = Some(r.value::<DayOfWeek>()?),
            b"Year" => year = Some(r.text()?),
            _ => r.skip()?,
        }
    }
    match (bias, time, order, month, dow) {
        (Some(bias), Some(time), Some(o), Some(m), Some(day_of_week)) => Ok(TimeZoneTransition {
            bias,
            time,
            day_order: i16::try_from(o).map_err(|_| r.err("DayOrder out of range"))?,
            month: i16::try_from(m).map_err(|_| r.err("Month out of range"))?,
            day_of_week,
            year,
        }),
        _ => Err(r.err("time zone transition needs Bias, Time, DayOrder, Month, DayOfWeek")),
    }
}

/// `t:MailboxData`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailboxData {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub attendee_type: MeetingAttendeeType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_conflicts: Option<bool>,
}

impl MailboxData {
    pub fn new(address: impl Into<String>, attendee_type: MeetingAttendeeType) -> Self {
        MailboxData {
            address: address.into(),
            name: None,
            attendee_type,
            exclude_conflicts: Some(false),
        }
    }
}

/// `t:FreeBusyViewOptions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FreeBusyViewOptions {
    pub start_time: EwsDateTime,
    pub end_time: EwsDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_free_busy_interval_in_minutes: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_view: Option<FreeBusyViewType>,
}

/// `m:GetUserAvailabilityRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetUserAvailability {
    /// The zone of the times in this request and its response.
    pub time_zone: SerializableTimeZone,
    pub mailbox_data: Vec<MailboxData>,
    pub free_busy_view_options: FreeBusyViewOptions,
}

impl GetUserAvailability {
    /// Detailed merged free/busy in UTC for these mailboxes over [start, end).
    /// `start`/`end` are written without zone designator, as UTC wall-clock times.
    pub fn new(
        mailboxes: Vec<MailboxData>,
        start: EwsDateTime,
        end: EwsDateTime,
        interval_minutes: i32,
    ) -> Self {
        let floating = |d: EwsDateTime| match d.to_utc() {
            Some(u) => EwsDateTime::floating(u.naive_utc()),
            None => d,
        };
        GetUserAvailability {
            time_zone: SerializableTimeZone::utc(),
            mailbox_data: mailboxes,
            free_busy_view_options: FreeBusyViewOptions {
                start_time: floating(start),
                end_time: floating(end),
                merged_free_busy_interval_in_minutes: Some(interval_minutes),
                requested_view: Some(FreeBusyViewType::DetailedMerged),
            },
        }
    }

    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        if self.mailbox_data.is_empty() {
            return Err(EwsError::InvalidRequest(
                "GetUserAvailability needs at least one mailbox".into(),
            ));
        }
        w.start("m:GetUserAvailabilityRequest", &[])?;
        self.time_zone.write(w, "t:TimeZone")?;
        w.start("m:MailboxDataArray", &[])?;
        for m in &self.mailbox_data {
            w.start("t:MailboxData", &[])?;
            w.start("t:Email", &[])?;
            w.opt("t:Name", &m.name)?;
            w.elem("t:Address", &m.address)?;
            w.end("t:Email")?;
            w.value("t:AttendeeType", &m.attendee_type)?;
            w.opt("t:ExcludeConflicts", &m.exclude_conflicts)?;
            w.end("t:MailboxData")?;
        }
        w.end("m:MailboxDataArray")?;
        let o = &self.free_busy_view_options;
        w.start("t:FreeBusyViewOptions", &[])?;
        w.start("t:TimeWindow", &[])?;
        w.value("t:StartTime", &o.start_time)?;
        w.value("t:EndTime", &o.end_time)?;
        w.end("t:TimeWindow")?;
        w.opt(
            "t:MergedFreeBusyIntervalInMinutes",
            &o.merged_free_busy_interval_in_minutes,
        )?;
        w.opt("t:RequestedView", &o.requested_view)?;
        w.end("t:FreeBusyViewOptions")?;
        w.end("m:GetUserAvailabilityRequest")
    }

    #[cfg(feature = "server")]
    pub(crate) fn read_body(r: &mut XmlReader<'_>, _e: &Elem<'_>) -> Result<Self, EwsError> {
        let mut tz = None;
        let mut mailboxes = Vec::new();
        let mut opts = None;
        while let Some(c) = r.next_child()? {
            match c.local() {
                b"TimeZone" => tz = Some(SerializableTimeZone::read(r)?),
                b"MailboxDataArray" => {
                    while let Some(md) = r.next_child()? {
                        if md.local() != b"MailboxData" {
                            r.skip()?;
                            continue;
                        }
                        let (mut address, mut name, mut at, mut ex) = (None, None, None, None);
                        while let Some(f) = r.next_child()? {
                            match f.local() {
                                b"Email" => {
                                    while let Some(e) = r.next_child()? {
                                        match e.local() {
                                            b"Address" => address = Some(r.text()?),
                                            b"Name" => name = Some(r.text()?),
                                            _ => r.skip()?,
                                        }
                                    }
                                }
                                b"AttendeeType" => at = Some(r.value()?),
                                b"ExcludeConflicts" => ex = Some(r.value()?),
                                _ => r.skip()?,
                            }
                        }
                        mailboxes.push(MailboxData {
                            address: address
                                .ok_or_else(|| r.err("MailboxData without Email/Address"))?,
                            name,
                            attendee_type: at
                                .ok_or_else(|| r.err("MailboxData without AttendeeType"))?,
                            exclude_conflicts: ex,
                        });
                    }
                }
                b"FreeBusyViewOptions" => {
                    let (mut s, mut e, mut iv, mut view) = (None, None, None, None);
                    while let Some(f) = r.next_child()? {
                        match f.local() {
                            b"TimeWindow" => {
                                while let Some(t) = r.next_child()? {
                                    match t.local() {
                                        b"StartTime" => s = Some(r.value()?),
                                        b"EndTime" => e = Some(r.value()?),
                                        _ => r.skip()?,
                                    }
                                }
                            }
                            b"MergedFreeBusyIntervalInMinutes" => iv = Some(r.value()?),
                            b"RequestedView" => view = Some(r.value()?),
                            _ => r.skip()?,
                        }
                    }
                    opts = Some(FreeBusyViewOptions {
                        start_time: s.ok_or_else(|| r.err("TimeWindow without StartTime"))?,
                        end_time: e.ok_or_else(|| r.err("TimeWindow without EndTime"))?,
                        merged_free_busy_interval_in_minutes: iv,
                        requested_view: view,
                    });
                }
                _ => r.skip()?,
            }
        }
        Ok(GetUserAvailability {
            time_zone: tz.unwrap_or_else(SerializableTimeZone::utc),
            mailbox_data: mailboxes,
            free_busy_view_options: opts
                .ok_or_else(|| r.err("GetUserAvailabilityRequest without FreeBusyViewOptions"))?,
        })
    }
}

operation!(
    GetUserAvailability,
    GetUserAvailabilityResponse,
    "GetUserAvailabilityRequest",
    "GetUserAvailabilityResponse"
);
