//! `GetUserAvailability`: free/busy of attendees and rooms over a time window (merged
//! free/busy string and calendar events).
//!
//! [GetUserAvailability](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/getuseravailability-operation)

use serde::{Deserialize, Serialize};

use super::operation;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_status;
use crate::response::{MessageResult, read_one_message, to_result};
use crate::soap::ServerVersionInfo;
use crate::types::{DayOfWeek, EwsDateTime, FreeBusyViewType, LegacyFreeBusy, MeetingAttendeeType};
use crate::xml::{Elem, Ns, XmlReader, XmlWriter};

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

/// `t:CalendarEventDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarEventDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub is_meeting: bool,
    pub is_recurring: bool,
    pub is_exception: bool,
    pub is_reminder_set: bool,
    pub is_private: bool,
}

/// `t:CalendarEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarEvent {
    pub start_time: EwsDateTime,
    pub end_time: EwsDateTime,
    pub busy_type: LegacyFreeBusy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<CalendarEventDetails>,
}

/// `t:WorkingPeriod`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkingPeriod {
    pub days_of_week: Vec<DayOfWeek>,
    pub start_time_in_minutes: i32,
    pub end_time_in_minutes: i32,
}

/// `t:WorkingHours`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkingHours {
    pub time_zone: SerializableTimeZone,
    pub working_periods: Vec<WorkingPeriod>,
}

/// `m:FreeBusyView`: one mailbox's availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FreeBusyView {
    pub free_busy_view_type: FreeBusyViewType,
    /// One digit per interval: 0 Free, 1 Tentative, 2 Busy, 3 OOF, 4 WorkingElsewhere, 5 NoData.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_free_busy: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calendar_events: Vec<CalendarEvent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<WorkingHours>,
}

impl Default for FreeBusyView {
    fn default() -> Self {
        FreeBusyView {
            free_busy_view_type: FreeBusyViewType::None,
            merged_free_busy: None,
            calendar_events: Vec::new(),
            working_hours: None,
        }
    }
}

impl FreeBusyView {
    /// The merged free/busy string decoded per interval.
    pub fn merged(&self) -> Vec<LegacyFreeBusy> {
        self.merged_free_busy
            .as_deref()
            .unwrap_or("")
            .chars()
            .map(|c| match c {
                '0' => LegacyFreeBusy::Free,
                '1' => LegacyFreeBusy::Tentative,
                '2' => LegacyFreeBusy::Busy,
                '3' => LegacyFreeBusy::Oof,
                '4' => LegacyFreeBusy::WorkingElsewhere,
                _ => LegacyFreeBusy::NoData,
            })
            .collect()
    }

    /// The digit for a status in a merged free/busy string.
    pub fn merged_digit(s: LegacyFreeBusy) -> char {
        match s {
            LegacyFreeBusy::Free => '0',
            LegacyFreeBusy::Tentative => '1',
            LegacyFreeBusy::Busy => '2',
            LegacyFreeBusy::Oof => '3',
            LegacyFreeBusy::WorkingElsewhere => '4',
            LegacyFreeBusy::NoData => '5',
        }
    }

    fn read(r: &mut XmlReader<'_>) -> Result<Self, EwsError> {
        let mut v = FreeBusyView::default();
        let mut saw_type = false;
        while let Some(c) = r.next_child()? {
            match c.local() {
                b"FreeBusyViewType" => {
                    // May be a list ("FreeBusy Merged"); take the first known token.
                    let t = r.text()?;
                    v.free_busy_view_type = t
                        .split_ascii_whitespace()
                        .find_map(|s| s.parse().ok())
                        .unwrap_or(FreeBusyViewType::None);
                    saw_type = true;
                }
                b"MergedFreeBusy" => v.merged_free_busy = Some(r.text()?.trim().to_owned()),
                b"CalendarEventArray" => {
                    while let Some(ev) = r.next_child()? {
                        if ev.local() != b"CalendarEvent" {
                            r.skip()?;
                            continue;
                        }
                        let (mut s, mut e, mut b, mut d) = (None, None, None, None);
                        while let Some(f) = r.next_child()? {
                            match f.local() {
                                b"StartTime" => s = Some(r.value()?),
                                b"EndTime" => e = Some(r.value()?),
                                b"BusyType" => b = Some(r.value()?),
                                b"CalendarEventDetails" => {
                                    let mut det = CalendarEventDetails::default();
                                    while let Some(x) = r.next_child()? {
                                        match x.local() {
                                            b"ID" => det.id = Some(r.text()?),
                                            b"Subject" => det.subject = Some(r.text()?),
                                            b"Location" => det.location = Some(r.text()?),
                                            b"IsMeeting" => det.is_meeting = r.value()?,
                                            b"IsRecurring" => det.is_recurring = r.value()?,
                                            b"IsException" => det.is_exception = r.value()?,
                                            b"IsReminderSet" => det.is_reminder_set = r.value()?,
                                            b"IsPrivate" => det.is_private = r.value()?,
                                            _ => r.skip()?,
                                        }
                                    }
                                    d = Some(det);
                                }
                                _ => r.skip()?,
                            }
                        }
                        v.calendar_events.push(CalendarEvent {
                            start_time: s
                                .ok_or_else(|| r.err("CalendarEvent without StartTime"))?,
                            end_time: e.ok_or_else(|| r.err("CalendarEvent without EndTime"))?,
                            busy_type: b.ok_or_else(|| r.err("CalendarEvent without BusyType"))?,
                            details: d,
                        });
                    }
                }
                b"WorkingHours" => {
                    let mut tz = None;
                    let mut periods = Vec::new();
                    while let Some(f) = r.next_child()? {
                        match f.local() {
                            b"TimeZone" => tz = Some(SerializableTimeZone::read(r)?),
                            b"WorkingPeriodArray" => {
                                while let Some(p) = r.next_child()? {
                                    if p.local() != b"WorkingPeriod" {
                                        r.skip()?;
                                        continue;
                                    }
                                    let (mut days, mut s, mut e) = (Vec::new(), None, None);
                                    while let Some(x) = r.next_child()? {
                                        match x.local() {
                                            b"DayOfWeek" => {
                                                let t = r.text()?;
                                                for d in t.split_ascii_whitespace() {
                                                    days.push(d.parse::<DayOfWeek>().map_err(
                                                        |m| r.err(format!("{m} '{d}'")),
                                                    )?);
                                                }
                                            }
                                            b"StartTimeInMinutes" => s = Some(r.value()?),
                                            b"EndTimeInMinutes" => e = Some(r.value()?),
                                            _ => r.skip()?,
                                        }
                                    }
                                    periods.push(WorkingPeriod {
                                        days_of_week: days,
                                        start_time_in_minutes: s.ok_or_else(|| {
                                            r.err("WorkingPeriod without StartTimeInMinutes")
                                        })?,
                                        end_time_in_minutes: e.ok_or_else(|| {
                                            r.err("WorkingPeriod without EndTimeInMinutes")
                                        })?,
                                    });
                                }
                            }
                            _ => r.skip()?,
                        }
                    }
                    v.working_hours = Some(WorkingHours {
                        time_zone: tz.ok_or_else(|| r.err("WorkingHours without TimeZone"))?,
                        working_periods: periods,
                    });
                }
                _ => r.skip()?,
            }
        }
        if !saw_type {
            return Err(r.err("FreeBusyView without FreeBusyViewType"));
        }
        Ok(v)
    }

    #[cfg(feature = "server")]
    fn write(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.start("m:FreeBusyView", &[])?;
        w.value("t:FreeBusyViewType", &self.free_busy_view_type)?;
        w.opt("t:MergedFreeBusy", &self.merged_free_busy)?;
        if !self.calendar_events.is_empty() {
            w.start("t:CalendarEventArray", &[])?;
            for ev in &self.calendar_events {
                w.start("t:CalendarEvent", &[])?;
                w.value("t:StartTime", &ev.start_time)?;
                w.value("t:EndTime", &ev.end_time)?;
                w.value("t:BusyType", &ev.busy_type)?;
                if let Some(d) = &ev.details {
                    w.start("t:CalendarEventDetails", &[])?;
                    w.opt("t:ID", &d.id)?;
                    w.opt("t:Subject", &d.subject)?;
                    w.opt("t:Location", &d.location)?;
                    w.value("t:IsMeeting", &d.is_meeting)?;
                    w.value("t:IsRecurring", &d.is_recurring)?;
                    w.value("t:IsException", &d.is_exception)?;
                    w.value("t:IsReminderSet", &d.is_reminder_set)?;
                    w.value("t:IsPrivate", &d.is_private)?;
                    w.end("t:CalendarEventDetails")?;
                }
                w.end("t:CalendarEvent")?;
            }
            w.end("t:CalendarEventArray")?;
        }
        if let Some(wh) = &self.working_hours {
            w.start("t:WorkingHours", &[])?;
            wh.time_zone.write(w, "t:TimeZone")?;
            w.start("t:WorkingPeriodArray", &[])?;
            for p in &wh.working_periods {
                w.start("t:WorkingPeriod", &[])?;
                let days: Vec<&str> = p.days_of_week.iter().map(|d| d.as_str()).collect();
                w.elem("t:DayOfWeek", &days.join(" "))?;
                w.value("t:StartTimeInMinutes", &p.start_time_in_minutes)?;
                w.value("t:EndTimeInMinutes", &p.end_time_in_minutes)?;
                w.end("t:WorkingPeriod")?;
            }
            w.end("t:WorkingPeriodArray")?;
            w.end("t:WorkingHours")?;
        }
        w.end("m:FreeBusyView")
    }
}

/// Response of `GetUserAvailability`: one result per mailbox, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetUserAvailabilityResponse {
    pub free_busy_responses: Vec<MessageResult<FreeBusyView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version_info: Option<ServerVersionInfo>,
}

impl GetUserAvailabilityResponse {
    #[cfg(feature = "server")]
    pub fn new(free_busy_responses: Vec<MessageResult<FreeBusyView>>) -> Self {
        GetUserAvailabilityResponse {
            free_busy_responses,
            server_version_info: None,
        }
    }

    pub(crate) fn read_body(r: &mut XmlReader<'_>, _e: &Elem<'_>) -> Result<Self, EwsError> {
        let mut out = Vec::new();
        while let Some(c) = r.next_child()? {
            if c.local() != b"FreeBusyResponseArray" {
                r.skip()?;
                continue;
            }
            while let Some(fb) = r.next_child()? {
                if fb.local() != b"FreeBusyResponse" {
                    r.skip()?;
                    continue;
                }
                let mut status = None;
                let mut view = None;
                while let Some(f) = r.next_child()? {
                    match (f.ns, f.local()) {
                        (Ns::Messages, b"ResponseMessage") => {
                            status =
                                Some(read_one_message(r, &f, &mut |_, _, _: &mut ()| Ok(false))?.1);
                        }
                        (_, b"FreeBusyView") => view = Some(FreeBusyView::read(r)?),
                        _ => r.skip()?,
                    }
                }
                let status =
                    status.ok_or_else(|| r.err("FreeBusyResponse without ResponseMessage"))?;
                out.push(to_result((view.unwrap_or_default(), status)));
            }
        }
        Ok(GetUserAvailabilityResponse {
            free_busy_responses: out,
            server_version_info: None,
        })
    }

    #[cfg(feature = "server")]
    pub(crate) fn write_body(&self, w: &mut XmlWriter) -> Result<(), EwsError> {
        w.start("m:GetUserAvailabilityResponse", &[])?;
        w.start("m:FreeBusyResponseArray", &[])?;
        for res in &self.free_busy_responses {
            w.start("m:FreeBusyResponse", &[])?;
            let class = match res {
                Ok(_) => "Success",
                Err(e) => e.response_class.as_str(),
            };
            w.start("m:ResponseMessage", &[("ResponseClass", class)])?;
            write_status(w, res.as_ref().err())?;
            w.end("m:ResponseMessage")?;
            if let Ok(v) = res {
                v.write(w)?;
            }
            w.end("m:FreeBusyResponse")?;
        }
        w.end("m:FreeBusyResponseArray")?;
        w.end("m:GetUserAvailabilityResponse")
    }
}

operation!(
    GetUserAvailability,
    GetUserAvailabilityResponse,
    "GetUserAvailabilityRequest",
    "GetUserAvailabilityResponse"
);
