//! The answer of `GetUserAvailability`: per mailbox, its merged free/busy string, its calendar
//! events and its working hours.
//!
//! [FreeBusyResponse](https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/freebusyresponse)

use serde::{Deserialize, Serialize};

use super::SerializableTimeZone;
use crate::error::EwsError;
#[cfg(feature = "server")]
use crate::response::write_status;
use crate::response::{MessageResult, read_one_message, to_result};
use crate::soap::ServerVersionInfo;
use crate::types::{DayOfWeek, EwsDateTime, FreeBusyViewType, LegacyFreeBusy};
#[cfg(feature = "server")]
use crate::xml::XmlWriter;
use crate::xml::{Elem, Ns, XmlReader};

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
