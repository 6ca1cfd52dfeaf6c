//! The sandbox mailbox's issue-3 operations, spoken to in SOAP: UpdateItem with ChangeKey
//! checks, DeleteItem, meetings across mailboxes (invitations, responses, cancellation), rooms,
//! ResolveNames and GetUserAvailability.

use crate::common;

use common::mailbox::*;
use common::*;
use ews::RequestHeaders;
use ews::operations::cancel_calendar_item::CancelCalendarItem;
use ews::operations::delete_item::{DeleteItem, DeleteItemResponse};
use ews::operations::find_item::{FindItem, FindItemResponse};
use ews::operations::get_item::{GetItem, GetItemResponse};
use ews::operations::get_room_lists::{GetRoomLists, GetRoomListsResponse};
use ews::operations::get_rooms::{GetRooms, GetRoomsResponse};
use ews::operations::get_user_availability::{
    GetUserAvailability, GetUserAvailabilityResponse, MailboxData,
};
use ews::operations::meeting_response::{MeetingResponse, MeetingResponseKind};
use ews::operations::resolve_names::{ResolveNames, ResolveNamesResponse};
use ews::operations::update_item::{
    CalendarField, ItemChange, ItemField, UpdateItem, UpdateItemResponse,
};
use ews::types::{
    Attendee, CalendarItem, ConflictResolution, EwsDateTime, FreeBusyViewType, Item, ItemFields,
    ItemShape, MeetingAttendeeType, ResponseType, SendMeetingInvitations,
    SendMeetingInvitationsOrCancellations,
};
use reqwest::StatusCode;

async fn harness() -> (Harness, TestApp) {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    (harness, app)
}

async fn update(app: &TestApp, token: &str, request: UpdateItem) -> Result<Item, ews::EwsError> {
    let xml = request.to_envelope(&headers()).unwrap();
    UpdateItemResponse::parse_response(&soap(app, token, xml).await)
        .unwrap()
        .into_single()
}

fn code(error: &ews::EwsError) -> &str {
    error.response_code().unwrap_or("")
}

#[tokio::test]
async fn update_item_applies_changes_and_checks_change_keys() {
    let (_h, app) = harness().await;
    let id = create(
        &app,
        ALICE_TOKEN,
        meeting("Draft"),
        SendMeetingInvitations::SendToNone,
    )
    .await;
    let new = CalendarItem {
        item: ItemFields {
            subject: Some("Final".into()),
            ..meeting("x").item
        },
        location: None,
        ..meeting("x")
    };
    let change = ItemChange::calendar(
        id.clone(),
        &new,
        &[
            CalendarField::Item(ItemField::Subject),
            CalendarField::Location,
        ],
    );
    let updated = update(
        &app,
        ALICE_TOKEN,
        UpdateItem::calendar(
            change.clone(),
            SendMeetingInvitationsOrCancellations::SendToNone,
        ),
    )
    .await
    .unwrap();
    let new_id = updated.item_id().unwrap().clone();
    assert_eq!(new_id.id, id.id);
    assert_ne!(
        new_id.change_key, id.change_key,
        "every save gets a new ChangeKey"
    );
    let stored = get(&app, ALICE_TOKEN, &id).await.unwrap();
    assert_eq!(stored.item.subject.as_deref(), Some("Final"));
    assert_eq!(stored.location, None, "an absent value deletes the field");

    // The old ChangeKey is stale now.
    let stale = update(
        &app,
        ALICE_TOKEN,
        UpdateItem::calendar(
            change.clone(),
            SendMeetingInvitationsOrCancellations::SendToNone,
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&stale), "ErrorIrresolvableConflict");
    let mut overwrite =
        UpdateItem::calendar(change, SendMeetingInvitationsOrCancellations::SendToNone);
    overwrite.conflict_resolution = ConflictResolution::AlwaysOverwrite;
    update(&app, ALICE_TOKEN, overwrite).await.unwrap();

    // Validation after the change: the end may not move before the start.
    let current = get(&app, ALICE_TOKEN, &id)
        .await
        .unwrap()
        .item
        .item_id
        .unwrap();
    let backwards = CalendarItem {
        end: Some(EwsDateTime::parse("2026-12-01T08:00:00Z").unwrap()),
        ..meeting("x")
    };
    let change = ItemChange::calendar(current, &backwards, &[CalendarField::End]);
    let error = update(
        &app,
        ALICE_TOKEN,
        UpdateItem::calendar(change, SendMeetingInvitationsOrCancellations::SendToNone),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&error), "ErrorCalendarEndDateIsEarlierThanStartDate");
    // Another mailbox cannot update it.
    let change = ItemChange::calendar(id.clone(), &new, &[CalendarField::Item(ItemField::Subject)]);
    let error = update(
        &app,
        BOB_TOKEN,
        UpdateItem::calendar(change, SendMeetingInvitationsOrCancellations::SendToNone),
    )
    .await
    .unwrap_err();
    assert_eq!(code(&error), "ErrorItemNotFound");
}

#[tokio::test]
async fn delete_item_removes_the_item_once() {
    let (_h, app) = harness().await;
    let id = create(
        &app,
        ALICE_TOKEN,
        meeting("Gone soon"),
        SendMeetingInvitations::SendToNone,
    )
    .await;
    let delete = DeleteItem::calendar_item(id.clone(), SendMeetingInvitations::SendToNone)
        .to_envelope(&headers())
        .unwrap();
    assert_eq!(
        code(
            &DeleteItemResponse::parse_response(&soap(&app, BOB_TOKEN, delete.clone()).await)
                .unwrap()
                .into_single()
                .unwrap_err()
        ),
        "ErrorItemNotFound",
        "Bob cannot delete Alice's item"
    );
    DeleteItemResponse::parse_response(&soap(&app, ALICE_TOKEN, delete.clone()).await)
        .unwrap()
        .into_single()
        .unwrap();
    assert_eq!(
        code(&get(&app, ALICE_TOKEN, &id).await.unwrap_err()),
        "ErrorItemNotFound"
    );
    let again = DeleteItemResponse::parse_response(&soap(&app, ALICE_TOKEN, delete).await)
        .unwrap()
        .into_single()
        .unwrap_err();
    assert_eq!(code(&again), "ErrorItemNotFound");
}

fn response_of(meeting: &CalendarItem, address: &str) -> Option<ResponseType> {
    meeting
        .required_attendees
        .iter()
        .chain(&meeting.resources)
        .find(|a| a.mailbox.email_address.as_deref() == Some(address))
        .and_then(|a| a.response_type)
}

#[tokio::test]
async fn meetings_reach_attendees_and_rooms_and_track_responses_and_cancellation() {
    let (_h, app) = harness().await;
    let (alice, bob, carol) = (ALICE_TOKEN, BOB_TOKEN, CAROL_TOKEN);
    let mut invite = meeting("Quarterly planning");
    invite.required_attendees = vec![Attendee::new(BOB), Attendee::new("Carol@Example.com")];
    invite.resources = vec![Attendee::new("room-412@sandbox.test")];
    let id = create(
        &app,
        alice,
        invite,
        SendMeetingInvitations::SendToAllAndSaveCopy,
    )
    .await;

    // The organizer's copy: the room accepted on its own.
    let organizer = get(&app, alice, &id).await.unwrap();
    assert_eq!(organizer.my_response_type, Some(ResponseType::Organizer));
    assert_eq!(
        response_of(&organizer, "room-412@sandbox.test"),
        Some(ResponseType::Accept)
    );

    // Bob's calendar holds the invitation, awaiting his answer.
    let bobs = december_view(&app, bob).await;
    assert_eq!(bobs.len(), 1);
    assert_eq!(bobs[0].item.subject.as_deref(), Some("Quarterly planning"));
    assert_eq!(
        bobs[0].my_response_type,
        Some(ResponseType::NoResponseReceived)
    );
    assert_eq!(
        bobs[0].organizer.as_ref().unwrap().email_address.as_deref(),
        Some(ALICE)
    );
    let bobs_id = bobs[0].item.item_id.clone().unwrap();

    // Bob accepts; Alice sees it. Carol declines: the meeting leaves her calendar.
    let accept = MeetingResponse::new(MeetingResponseKind::Accept, bobs_id.clone())
        .to_envelope(&headers())
        .unwrap();
    MeetingResponse::parse_response(&soap(&app, bob, accept).await)
        .unwrap()
        .responses[0]
        .clone()
        .unwrap();
    let carols_id = december_view(&app, carol).await[0]
        .item
        .item_id
        .clone()
        .unwrap();
    let decline = MeetingResponse::new(MeetingResponseKind::Decline, carols_id)
        .to_envelope(&headers())
        .unwrap();
    MeetingResponse::parse_response(&soap(&app, carol, decline).await)
        .unwrap()
        .responses[0]
        .clone()
        .unwrap();
    assert!(december_view(&app, carol).await.is_empty());
    let organizer = get(&app, alice, &id).await.unwrap();
    assert_eq!(response_of(&organizer, BOB), Some(ResponseType::Accept));
    assert_eq!(
        response_of(&organizer, "Carol@Example.com"),
        Some(ResponseType::Decline)
    );
    assert_eq!(
        get(&app, bob, &bobs_id).await.unwrap().my_response_type,
        Some(ResponseType::Accept)
    );

    // The organizer cannot accept their own meeting.
    let own = MeetingResponse::new(MeetingResponseKind::Accept, id.clone())
        .to_envelope(&headers())
        .unwrap();
    let error = MeetingResponse::parse_response(&soap(&app, alice, own).await)
        .unwrap()
        .responses[0]
        .clone()
        .unwrap_err();
    assert_eq!(error.response_code, "ErrorCalendarIsOrganizerForAccept");

    // Only the organizer cancels; then attendees see it cancelled and the room is free.
    let by_bob = CancelCalendarItem::new(bobs_id.clone(), None)
        .to_envelope(&headers())
        .unwrap();
    let error = CancelCalendarItem::parse_response(&soap(&app, bob, by_bob).await)
        .unwrap()
        .responses[0]
        .clone()
        .unwrap_err();
    assert_eq!(error.response_code, "ErrorCalendarIsNotOrganizer");
    // The responses changed the organizer's item: its old ChangeKey is stale.
    let stale = CancelCalendarItem::new(id.clone(), None)
        .to_envelope(&headers())
        .unwrap();
    let error = CancelCalendarItem::parse_response(&soap(&app, alice, stale).await)
        .unwrap()
        .responses[0]
        .clone()
        .unwrap_err();
    assert_eq!(error.response_code, "ErrorIrresolvableConflict");
    let current = get(&app, alice, &id).await.unwrap().item.item_id.unwrap();
    let cancel = CancelCalendarItem::new(current, None)
        .to_envelope(&headers())
        .unwrap();
    CancelCalendarItem::parse_response(&soap(&app, alice, cancel).await)
        .unwrap()
        .responses[0]
        .clone()
        .unwrap();
    assert_eq!(
        code(&get(&app, alice, &id).await.unwrap_err()),
        "ErrorItemNotFound"
    );
    let bobs = get(&app, bob, &bobs_id).await.unwrap();
    assert_eq!(bobs.is_cancelled, Some(true));
    assert_eq!(
        bobs.item.subject.as_deref(),
        Some("Canceled: Quarterly planning")
    );
    assert_eq!(app.stored("room-412@sandbox.test", "calendar").await, 0);
}

#[tokio::test]
async fn rescheduling_a_meeting_updates_attendee_copies() {
    let (_h, app) = harness().await;
    let mut invite = meeting("Moving");
    invite.required_attendees = vec![Attendee::new(BOB)];
    let id = create(
        &app,
        ALICE_TOKEN,
        invite,
        SendMeetingInvitations::SendOnlyToAll,
    )
    .await;
    let later = CalendarItem {
        start: Some(EwsDateTime::parse("2026-12-01T14:00:00Z").unwrap()),
        end: Some(EwsDateTime::parse("2026-12-01T15:00:00Z").unwrap()),
        ..meeting("x")
    };
    let change = ItemChange::calendar(id, &later, &[CalendarField::Start, CalendarField::End]);
    update(
        &app,
        ALICE_TOKEN,
        UpdateItem::calendar(
            change,
            SendMeetingInvitationsOrCancellations::SendToAllAndSaveCopy,
        ),
    )
    .await
    .unwrap();
    let bobs = december_view(&app, BOB_TOKEN).await;
    assert_eq!(bobs.len(), 1);
    assert_eq!(
        bobs[0].start.unwrap().to_utc().unwrap().to_rfc3339(),
        "2026-12-01T14:00:00+00:00"
    );
}

#[tokio::test]
async fn room_lists_and_rooms_come_from_the_seeded_directory() {
    let (_h, app) = harness().await;
    let xml = GetRoomLists {}.to_envelope(&headers()).unwrap();
    let lists = GetRoomListsResponse::parse_response(&soap(&app, ALICE_TOKEN, xml).await)
        .unwrap()
        .result
        .unwrap();
    let names: Vec<_> = lists.iter().map(|l| l.name.clone().unwrap()).collect();
    assert_eq!(names, ["Paris office", "Sydney office"]);

    let xml = GetRooms::new("paris-rooms@sandbox.test")
        .to_envelope(&headers())
        .unwrap();
    let rooms = GetRoomsResponse::parse_response(&soap(&app, ALICE_TOKEN, xml).await)
        .unwrap()
        .result
        .unwrap();
    let rooms: Vec<_> = rooms
        .iter()
        .map(|r| r.email_address.clone().unwrap())
        .collect();
    assert_eq!(rooms, ["room-412@sandbox.test", "eiffel@sandbox.test"]);

    let xml = GetRooms::new("nowhere@sandbox.test")
        .to_envelope(&headers())
        .unwrap();
    let error = GetRoomsResponse::parse_response(&soap(&app, ALICE_TOKEN, xml).await)
        .unwrap()
        .result
        .unwrap_err();
    assert_eq!(error.response_code, "ErrorNameResolutionNoResults");
}

#[tokio::test]
async fn resolve_names_finds_people_and_rooms() {
    let (_h, app) = harness().await;
    let resolve = |entry: &str| ResolveNames::new(entry).to_envelope(&headers()).unwrap();
    let response =
        ResolveNamesResponse::parse_response(&soap(&app, ALICE_TOKEN, resolve("bob")).await)
            .unwrap();
    let result = response.responses[0].clone().unwrap();
    assert_eq!(result.resolutions.len(), 1);
    assert!(result.warning.is_none());
    assert_eq!(
        result.resolutions[0].mailbox.email_address.as_deref(),
        Some("bob@sandbox.test")
    );
    let contact = result.resolutions[0].contact.as_ref().unwrap();
    assert_eq!(contact.department.as_deref(), Some("Sales"));

    let response =
        ResolveNamesResponse::parse_response(&soap(&app, ALICE_TOKEN, resolve("Sandbox")).await)
            .unwrap();
    let result = response.responses[0].clone().unwrap();
    assert_eq!(result.resolutions.len(), 3, "Alice, Bob and Carol Sandbox");
    assert_eq!(
        result.warning.unwrap().response_code,
        "ErrorNameResolutionMultipleResults"
    );

    let room = ResolveNamesResponse::parse_response(
        &soap(&app, ALICE_TOKEN, resolve("SMTP:eiffel@sandbox.test")).await,
    )
    .unwrap()
    .into_resolutions()
    .unwrap();
    assert_eq!(room[0].mailbox.name.as_deref(), Some("Salle Eiffel"));

    let none =
        ResolveNamesResponse::parse_response(&soap(&app, ALICE_TOKEN, resolve("zebra")).await)
            .unwrap();
    assert_eq!(
        none.responses[0].clone().unwrap_err().response_code,
        "ErrorNameResolutionNoResults"
    );
}

#[tokio::test]
async fn availability_is_computed_from_stored_calendars() {
    let (_h, app) = harness().await;
    let mut booked = meeting("Busy hour");
    booked.resources = vec![Attendee::new("harbour@sandbox.test")];
    create(
        &app,
        ALICE_TOKEN,
        booked,
        SendMeetingInvitations::SendToAllAndSaveCopy,
    )
    .await;
    let mut tentative = meeting("Maybe");
    tentative.start = Some(EwsDateTime::parse("2026-12-01T11:00:00Z").unwrap());
    tentative.end = Some(EwsDateTime::parse("2026-12-01T11:30:00Z").unwrap());
    tentative.legacy_free_busy_status = Some(ews::types::LegacyFreeBusy::Tentative);
    create(
        &app,
        ALICE_TOKEN,
        tentative,
        SendMeetingInvitations::SendToNone,
    )
    .await;

    let request = GetUserAvailability::new(
        vec![
            MailboxData::new(ALICE, MeetingAttendeeType::Required),
            MailboxData::new("harbour@sandbox.test", MeetingAttendeeType::Room),
            MailboxData::new("ghost@elsewhere.example", MeetingAttendeeType::Required),
        ],
        EwsDateTime::parse("2026-12-01T08:00:00Z").unwrap(),
        EwsDateTime::parse("2026-12-01T12:00:00Z").unwrap(),
        30,
    );
    assert_eq!(
        request.free_busy_view_options.requested_view,
        Some(FreeBusyViewType::DetailedMerged)
    );
    let xml = request.to_envelope(&headers()).unwrap();
    let response =
        GetUserAvailabilityResponse::parse_response(&soap(&app, BOB_TOKEN, xml).await).unwrap();
    let alice = response.free_busy_responses[0].clone().unwrap();
    // 08:00-12:00 in half hours: busy 09:00-10:00, tentative 11:00-11:30.
    assert_eq!(alice.merged_free_busy.as_deref(), Some("00220010"));
    assert_eq!(alice.calendar_events.len(), 2);
    // Bob may see when Alice is busy, not what she does.
    assert_eq!(alice.free_busy_view_type, FreeBusyViewType::FreeBusyMerged);
    assert!(alice.calendar_events[0].details.is_none());
    assert_eq!(
        alice.calendar_events[0].start_time.local.to_string(),
        "2026-12-01 09:00:00"
    );
    let room = response.free_busy_responses[1].clone().unwrap();
    assert_eq!(room.merged_free_busy.as_deref(), Some("00220000"));
    let ghost = response.free_busy_responses[2].clone().unwrap_err();
    assert_eq!(ghost.response_code, "ErrorMailRecipientNotFound");
}

#[tokio::test]
async fn recurring_series_are_expanded_in_calendar_views_get_item_and_free_busy() {
    use ews::types::BaseItemId;
    let (_h, app) = harness().await;
    let standup = weekly_standup();
    let master = create(
        &app,
        ALICE_TOKEN,
        standup,
        SendMeetingInvitations::SendToNone,
    )
    .await;

    // The calendar view lists the occurrences in the window, each with its own id.
    let view = FindItem::calendar_view(
        EwsDateTime::parse("2026-11-30T00:00:00Z").unwrap(),
        EwsDateTime::parse("2026-12-31T00:00:00Z").unwrap(),
        None,
        ItemShape::all_properties(),
    );
    let page = FindItemResponse::parse_response(
        &soap(&app, ALICE_TOKEN, view.to_envelope(&headers()).unwrap()).await,
    )
    .unwrap()
    .into_single()
    .unwrap();
    let listed: Vec<&CalendarItem> = page
        .items
        .iter()
        .filter_map(Item::as_calendar_item)
        .collect();
    let starts: Vec<String> = listed
        .iter()
        .map(|a| a.start.unwrap().to_utc().unwrap().to_rfc3339())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-11-30T08:00:00+00:00",
            "2026-12-02T08:00:00+00:00",
            "2026-12-07T08:00:00+00:00",
            "2026-12-09T08:00:00+00:00"
        ]
    );
    assert!(
        listed
            .iter()
            .all(|a| a.item.subject.as_deref() == Some("Stand-up"))
    );
    let ids: std::collections::HashSet<&str> = listed
        .iter()
        .map(|a| a.item.item_id.as_ref().unwrap().id.as_str())
        .collect();
    assert_eq!(ids.len(), 4, "distinct ids");

    // GetItem by OccurrenceItemId, and by the occurrence's own id.
    let request = GetItem {
        item_shape: ItemShape::all_properties(),
        item_ids: vec![
            BaseItemId::OccurrenceItemId {
                recurring_master_id: master.id.clone(),
                change_key: None,
                instance_index: 3,
            },
            BaseItemId::ItemId {
                id: listed[1].item.item_id.as_ref().unwrap().id.clone(),
                change_key: None,
            },
            BaseItemId::OccurrenceItemId {
                recurring_master_id: master.id.clone(),
                change_key: None,
                instance_index: 5,
            },
        ],
    };
    let response = GetItemResponse::parse_response(
        &soap(&app, ALICE_TOKEN, request.to_envelope(&headers()).unwrap()).await,
    )
    .unwrap();
    let third = response.responses[0].clone().unwrap();
    let third = third[0].as_calendar_item().unwrap();
    assert_eq!(
        third.start.unwrap().to_utc().unwrap().to_rfc3339(),
        "2026-12-07T08:00:00+00:00"
    );
    assert_eq!(
        third.calendar_item_type,
        Some(ews::types::CalendarItemType::Occurrence)
    );
    let second = response.responses[1].clone().unwrap();
    assert_eq!(
        second[0]
            .as_calendar_item()
            .unwrap()
            .start
            .unwrap()
            .to_utc()
            .unwrap()
            .to_rfc3339(),
        "2026-12-02T08:00:00+00:00"
    );
    assert_eq!(
        response.responses[2].clone().unwrap_err().response_code,
        "ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange"
    );

    // Free/busy sees the occurrence on 2 December 09:00-09:15 Paris.
    let request = GetUserAvailability::new(
        vec![MailboxData::new(ALICE, MeetingAttendeeType::Required)],
        EwsDateTime::parse("2026-12-02T07:30:00Z").unwrap(),
        EwsDateTime::parse("2026-12-02T09:00:00Z").unwrap(),
        30,
    );
    let response = GetUserAvailabilityResponse::parse_response(
        &soap(&app, BOB_TOKEN, request.to_envelope(&headers()).unwrap()).await,
    )
    .unwrap();
    assert_eq!(
        response.free_busy_responses[0]
            .clone()
            .unwrap()
            .merged_free_busy
            .as_deref(),
        Some("020")
    );
}

#[tokio::test]
async fn hostile_values_in_valid_requests_get_answers_not_crashes() {
    use ews::operations::get_user_availability::{SerializableTimeZone, TimeZoneTransition};
    use ews::types::{DayOfWeek, EwsDate, Recurrence, RecurrencePattern, RecurrenceRange};
    let (_h, app) = harness().await;
    let mut series = meeting("Every few million years");
    series.recurrence = Some(Recurrence {
        pattern: RecurrencePattern::Daily { interval: i32::MAX },
        range: RecurrenceRange::NoEnd {
            start_date: EwsDate::new(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        },
    });
    create(
        &app,
        ALICE_TOKEN,
        series,
        SendMeetingInvitations::SendToNone,
    )
    .await;
    assert_eq!(
        december_view(&app, ALICE_TOKEN).await.len(),
        1,
        "only the first occurrence"
    );

    let mut request = GetUserAvailability::new(
        vec![MailboxData::new(ALICE, MeetingAttendeeType::Required)],
        EwsDateTime::parse("2026-12-01T00:00:00").unwrap(),
        EwsDateTime::parse("2026-12-02T00:00:00").unwrap(),
        30,
    );
    let extreme = |bias| TimeZoneTransition {
        bias,
        time: "02:00:00".into(),
        day_order: 9,
        month: 3,
        day_of_week: DayOfWeek::Weekday,
        year: None,
    };
    request.time_zone = SerializableTimeZone {
        bias: i32::MAX,
        standard_time: extreme(i32::MAX),
        daylight_time: extreme(i32::MIN),
    };
    let bytes = soap(&app, ALICE_TOKEN, request.to_envelope(&headers()).unwrap()).await;
    let response = GetUserAvailabilityResponse::parse_response(&bytes).unwrap();
    assert_eq!(response.free_busy_responses.len(), 1);
}

#[tokio::test]
async fn impersonation_needs_the_right_and_then_acts_on_the_named_mailbox() {
    const DAVE: &str = "dave@sandbox.test";
    let harness = Harness::new().await;
    let app = harness
        .spawn_with_impersonators(vec![ALICE.to_owned()])
        .await;
    // Alice holds the right: her request impersonating Dave (a sandbox user) files the task
    // in Dave's mailbox.
    let task = ews::types::Task {
        item: ItemFields {
            subject: Some("Filed for Bob".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let create = ews::operations::create_item::CreateItem::task(task)
        .to_envelope(&RequestHeaders::default().impersonate(DAVE))
        .unwrap();
    let created = ews::operations::create_item::CreateItemResponse::parse_response(
        &soap(&app, ALICE_TOKEN, create).await,
    )
    .unwrap();
    assert!(created.responses[0].is_ok(), "{created:?}");
    assert_eq!(
        (
            app.stored(DAVE, "tasks").await,
            app.stored(ALICE, "tasks").await
        ),
        (1, 0)
    );

    // An address the sandbox has no mailbox for: Exchange's ErrorNonExistentMailbox fault.
    let ghost = FindItem::tasks(0, 10, ItemShape::default())
        .to_envelope(&RequestHeaders::default().impersonate("ghost@elsewhere.example"))
        .unwrap();
    let response = app
        .client
        .post(format!("{}{EWS}", app.address))
        .bearer_auth(ALICE_TOKEN)
        .body(ghost)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let error = FindItemResponse::parse_response(&response.bytes().await.unwrap()).unwrap_err();
    assert_eq!(error.response_code(), Some("ErrorNonExistentMailbox"));

    // Bob has no impersonation right: Exchange's ErrorImpersonateUserDenied fault.
    let find = FindItem::tasks(0, 10, ItemShape::default())
        .to_envelope(&RequestHeaders::default().impersonate(ALICE))
        .unwrap();
    let response = app
        .client
        .post(format!("{}{EWS}", app.address))
        .bearer_auth(BOB_TOKEN)
        .body(find)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let error = FindItemResponse::parse_response(&response.bytes().await.unwrap()).unwrap_err();
    assert_eq!(error.response_code(), Some("ErrorImpersonateUserDenied"));
    assert_eq!(app.stored(ALICE, "tasks").await, 0);
}
