//! Speaking SOAP to the sandbox mailbox as a given user (bearer token), like an EWS client.

use ews::RequestHeaders;
use ews::operations::create_item::{CreateItem, CreateItemResponse};
use ews::operations::find_item::{FindItem, FindItemResponse};
use ews::operations::get_item::{GetItem, GetItemResponse};
use ews::types::{
    CalendarItem, DayOfWeek, EwsDate, EwsDateTime, Item, ItemFields, ItemId, ItemShape, Recurrence,
    RecurrencePattern, RecurrenceRange, SendMeetingInvitations, TimeZoneRef,
};
use reqwest::StatusCode;

use super::TestApp;

pub const EWS: &str = "/sandbox/ews/Exchange.asmx";

/// Posts a SOAP envelope with `token`; the answer must be HTTP 200.
pub async fn soap(app: &TestApp, token: &str, envelope: String) -> bytes::Bytes {
    let response = app
        .client
        .post(format!("{}{EWS}", app.address))
        .header("content-type", "text/xml; charset=utf-8")
        .bearer_auth(token)
        .body(envelope)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.unwrap()
}

pub fn headers() -> RequestHeaders {
    RequestHeaders::default()
}

/// One hour on 2026-12-01 from 09:00 UTC, in Room 4.12.
pub fn meeting(subject: &str) -> CalendarItem {
    CalendarItem {
        item: ItemFields {
            subject: Some(subject.into()),
            ..Default::default()
        },
        start: Some(EwsDateTime::parse("2026-12-01T09:00:00Z").unwrap()),
        end: Some(EwsDateTime::parse("2026-12-01T10:00:00Z").unwrap()),
        location: Some("Room 4.12".into()),
        ..CalendarItem::default()
    }
}

/// An appointment from `start` to `end` (EWS dateTimes).
pub fn span(subject: &str, start: &str, end: &str) -> CalendarItem {
    CalendarItem {
        item: ItemFields {
            subject: Some(subject.into()),
            ..Default::default()
        },
        start: Some(EwsDateTime::parse(start).unwrap()),
        end: Some(EwsDateTime::parse(end).unwrap()),
        ..CalendarItem::default()
    }
}

/// "Stand-up", 09:00-09:15 Paris time on Mondays and Wednesdays, four times from Monday
/// 2026-11-30 (the 30th, 2nd, 7th and 9th at 08:00 UTC).
pub fn weekly_standup() -> CalendarItem {
    CalendarItem {
        start_time_zone: Some(TimeZoneRef::id("Romance Standard Time")),
        recurrence: Some(Recurrence {
            pattern: RecurrencePattern::Weekly {
                interval: 1,
                days_of_week: vec![DayOfWeek::Monday, DayOfWeek::Wednesday],
                first_day_of_week: Some(DayOfWeek::Monday),
            },
            range: RecurrenceRange::Numbered {
                start_date: EwsDate::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()),
                number_of_occurrences: 4,
            },
        }),
        ..span("Stand-up", "2026-11-30T08:00:00Z", "2026-11-30T08:15:00Z")
    }
}

pub async fn create(
    app: &TestApp,
    token: &str,
    item: CalendarItem,
    send: SendMeetingInvitations,
) -> ItemId {
    let xml = CreateItem::calendar_item(item, send)
        .to_envelope(&headers())
        .unwrap();
    let item = CreateItemResponse::parse_response(&soap(app, token, xml).await)
        .unwrap()
        .into_single()
        .unwrap();
    item.item_id().unwrap().clone()
}

pub async fn get(app: &TestApp, token: &str, id: &ItemId) -> Result<CalendarItem, ews::EwsError> {
    let xml = GetItem::new(ItemShape::all_properties(), [ItemId::new(id.id.clone())])
        .to_envelope(&headers())
        .unwrap();
    let item = GetItemResponse::parse_response(&soap(app, token, xml).await)
        .unwrap()
        .into_single()?;
    Ok(item.as_calendar_item().unwrap().clone())
}

/// The caller's calendar items on 2026-12-01.
pub async fn december_view(app: &TestApp, token: &str) -> Vec<CalendarItem> {
    let xml = FindItem::calendar_view(
        EwsDateTime::parse("2026-12-01T00:00:00Z").unwrap(),
        EwsDateTime::parse("2026-12-02T00:00:00Z").unwrap(),
        None,
        ItemShape::all_properties(),
    )
    .to_envelope(&headers())
    .unwrap();
    let page = FindItemResponse::parse_response(&soap(app, token, xml).await)
        .unwrap()
        .into_single()
        .unwrap();
    page.items
        .iter()
        .filter_map(Item::as_calendar_item)
        .cloned()
        .collect()
}

/// Fills the caller's calendar with `items` in a few CreateItem requests (250 items each), as
/// an EWS client would; much faster than one JSON API request per item.
pub async fn create_many(app: &TestApp, token: &str, items: Vec<CalendarItem>) {
    for chunk in items.chunks(250) {
        let mut request =
            CreateItem::calendar_item(CalendarItem::default(), SendMeetingInvitations::SendToNone);
        request.items = chunk.iter().cloned().map(Item::CalendarItem).collect();
        let answer = CreateItemResponse::parse_response(
            &soap(app, token, request.to_envelope(&headers()).unwrap()).await,
        )
        .unwrap();
        assert_eq!(answer.responses.len(), chunk.len());
        assert!(answer.responses.iter().all(Result::is_ok));
    }
}
