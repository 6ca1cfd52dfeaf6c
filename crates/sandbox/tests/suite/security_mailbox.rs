//! The sandbox keeps mailboxes apart: each test performs one attack over HTTP, as a client
//! holding one user's bearer token (or none) would, and checks that it fails.

use crate::common;

use common::mailbox::{create, december_view, get, headers, meeting, soap};
use common::{ALICE, ALICE_TOKEN, BOB, BOB_TOKEN, CAROL, CAROL_TOKEN, Harness};
use ews::operations::delete_item::{DeleteItem, DeleteItemResponse};
use ews::operations::get_user_availability::{
    FreeBusyView, GetUserAvailability, GetUserAvailabilityResponse, MailboxData,
};
use ews::types::{
    Attendee, CalendarItem, EwsDateTime, FreeBusyViewType, LegacyFreeBusy, MeetingAttendeeType,
    ResponseType, SendMeetingInvitations,
};

const ROOM: &str = "room-412@sandbox.test";

/// Alice's meeting as its organizer sees it, untouched: still hers, not cancelled, still
/// inviting Bob, Carol and the room.
async fn assert_organizers_item_intact(app: &common::TestApp, id: &ews::types::ItemId) {
    let item = get(app, ALICE_TOKEN, id).await.unwrap();
    assert_eq!(item.item.subject.as_deref(), Some("Board meeting"));
    assert_eq!(item.my_response_type, Some(ResponseType::Organizer));
    assert_ne!(item.is_cancelled, Some(true));
    assert_eq!(item.required_attendees.len(), 2);
    assert_eq!(item.resources.len(), 1);
}

/// Carol's copy of Alice's meeting, still on and unchanged.
async fn assert_attendee_copy_intact(app: &common::TestApp) {
    let carols = december_view(app, CAROL_TOKEN).await;
    assert_eq!(carols.len(), 1, "{carols:?}");
    assert_eq!(carols[0].item.subject.as_deref(), Some("Board meeting"));
    assert_ne!(carols[0].is_cancelled, Some(true));
    assert_eq!(
        carols[0]
            .organizer
            .as_ref()
            .unwrap()
            .email_address
            .as_deref(),
        Some(ALICE)
    );
    assert_eq!(
        app.stored(ROOM, "calendar").await,
        1,
        "the room stays booked"
    );
}

#[tokio::test]
async fn attendee_cannot_hijack_organisers_meeting_by_uid() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let mut invite = meeting("Board meeting");
    invite.required_attendees = vec![Attendee::new(BOB), Attendee::new(CAROL)];
    invite.resources = vec![Attendee::new(ROOM)];
    let alices_id = create(
        &app,
        ALICE_TOKEN,
        invite,
        SendMeetingInvitations::SendToAllAndSaveCopy,
    )
    .await;
    // Bob, an attendee, learns the meeting's UID from his copy.
    let bobs_copy = december_view(&app, BOB_TOKEN).await.remove(0);
    let uid = bobs_copy.uid.clone().expect("copies carry the UID");

    // Attack 1: a "new" meeting of Bob's with Alice's UID, inviting only Alice: replacing
    // Alice's item by a copy and cancelling everyone else's, if UIDs were global.
    let forged = CalendarItem {
        uid: Some(uid.clone()),
        required_attendees: vec![Attendee::new(ALICE)],
        ..meeting("Hijacked")
    };
    let bobs_id = create(
        &app,
        BOB_TOKEN,
        forged,
        SendMeetingInvitations::SendToAllAndSaveCopy,
    )
    .await;
    assert_organizers_item_intact(&app, &alices_id).await;
    assert_attendee_copy_intact(&app).await;
    // What Bob may do: invite Alice to his own meeting, a separate item in her calendar.
    let alices = december_view(&app, ALICE_TOKEN).await;
    assert_eq!(alices.len(), 2, "{alices:?}");
    let invitation = alices
        .iter()
        .find(|i| i.item.subject.as_deref() == Some("Hijacked"))
        .expect("Bob's invitation");
    assert_eq!(
        invitation
            .organizer
            .as_ref()
            .unwrap()
            .email_address
            .as_deref(),
        Some(BOB)
    );
    // Bob's own copy of Alice's meeting is untouched as well.
    let bob_sees = get(&app, BOB_TOKEN, bobs_copy.item.item_id.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(bob_sees.item.subject.as_deref(), Some("Board meeting"));

    // Attack 2: Bob deletes his item "with cancellations": only his own invitations may go.
    let delete = DeleteItem::calendar_item(bobs_id, SendMeetingInvitations::SendToAllAndSaveCopy)
        .to_envelope(&headers())
        .unwrap();
    DeleteItemResponse::parse_response(&soap(&app, BOB_TOKEN, delete).await)
        .unwrap()
        .into_single()
        .unwrap();
    assert_organizers_item_intact(&app, &alices_id).await;
    assert_attendee_copy_intact(&app).await;
    let alices = december_view(&app, ALICE_TOKEN).await;
    let invitation = alices
        .iter()
        .find(|i| {
            i.uid.as_deref() == Some(uid.as_str())
                && i.my_response_type != Some(ResponseType::Organizer)
        })
        .expect("Bob's cancelled invitation");
    assert_eq!(invitation.is_cancelled, Some(true));
    assert_eq!(
        invitation.item.subject.as_deref(),
        Some("Canceled: Hijacked")
    );
}

fn availability(mailboxes: &[(&str, MeetingAttendeeType)], view: FreeBusyViewType) -> String {
    let mut request = GetUserAvailability::new(
        mailboxes
            .iter()
            .map(|(address, kind)| MailboxData::new(*address, *kind))
            .collect(),
        EwsDateTime::parse("2026-12-01T08:00:00Z").unwrap(),
        EwsDateTime::parse("2026-12-01T12:00:00Z").unwrap(),
        30,
    );
    request.free_busy_view_options.requested_view = Some(view);
    request.to_envelope(&headers()).unwrap()
}

fn subjects(view: &FreeBusyView) -> Vec<Option<String>> {
    view.calendar_events
        .iter()
        .map(|e| e.details.as_ref().and_then(|d| d.subject.clone()))
        .collect()
}

#[tokio::test]
async fn availability_shows_only_free_busy_of_other_mailboxes() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let secret = CalendarItem {
        location: Some("Contoso headquarters".into()),
        ..meeting("Merger talks with Contoso")
    };
    create(
        &app,
        ALICE_TOKEN,
        secret,
        SendMeetingInvitations::SendToNone,
    )
    .await;
    let mut booking = CalendarItem {
        start: Some(EwsDateTime::parse("2026-12-01T11:00:00Z").unwrap()),
        end: Some(EwsDateTime::parse("2026-12-01T11:30:00Z").unwrap()),
        ..meeting("Room booking")
    };
    booking.resources = vec![Attendee::new(ROOM)];
    create(
        &app,
        ALICE_TOKEN,
        booking,
        SendMeetingInvitations::SendToAllAndSaveCopy,
    )
    .await;
    create(
        &app,
        BOB_TOKEN,
        meeting("Dentist"),
        SendMeetingInvitations::SendToNone,
    )
    .await;

    let mailboxes = [
        (ALICE, MeetingAttendeeType::Required),
        (ROOM, MeetingAttendeeType::Room),
        (BOB, MeetingAttendeeType::Organizer),
    ];
    for (requested, answered) in [
        (FreeBusyViewType::Detailed, FreeBusyViewType::FreeBusy),
        (
            FreeBusyViewType::DetailedMerged,
            FreeBusyViewType::FreeBusyMerged,
        ),
    ] {
        // Bob asks for everything about Alice's morning.
        let xml = soap(&app, BOB_TOKEN, availability(&mailboxes, requested)).await;
        let text = String::from_utf8_lossy(&xml);
        for leaked in ["Merger talks", "Contoso headquarters"] {
            assert!(!text.contains(leaked), "{requested:?} leaks {leaked}");
        }
        let response = GetUserAvailabilityResponse::parse_response(&xml).unwrap();
        let alice = response.free_busy_responses[0].clone().unwrap();
        assert_eq!(alice.free_busy_view_type, answered);
        // Free/busy stays useful: when she is busy, and how.
        let busy: Vec<_> = alice
            .calendar_events
            .iter()
            .map(|e| (e.start_time.local.to_string(), e.busy_type))
            .collect();
        assert_eq!(
            busy,
            [
                ("2026-12-01 09:00:00".to_owned(), LegacyFreeBusy::Busy),
                ("2026-12-01 11:00:00".to_owned(), LegacyFreeBusy::Busy),
            ]
        );
        assert!(alice.calendar_events.iter().all(|e| e.details.is_none()));

        // A room publishes what it is booked for; Bob's own calendar shows him everything.
        let room = response.free_busy_responses[1].clone().unwrap();
        assert_eq!(room.free_busy_view_type, requested);
        assert_eq!(subjects(&room), [Some("Room booking".to_owned())]);
        let own = response.free_busy_responses[2].clone().unwrap();
        assert_eq!(own.free_busy_view_type, requested);
        assert_eq!(subjects(&own), [Some("Dentist".to_owned())]);
    }

    // The owner still sees her own details.
    let xml = soap(
        &app,
        ALICE_TOKEN,
        availability(
            &[(ALICE, MeetingAttendeeType::Organizer)],
            FreeBusyViewType::Detailed,
        ),
    )
    .await;
    let response = GetUserAvailabilityResponse::parse_response(&xml).unwrap();
    let own = response.free_busy_responses[0].clone().unwrap();
    assert_eq!(
        subjects(&own),
        [
            Some("Merger talks with Contoso".to_owned()),
            Some("Room booking".to_owned())
        ]
    );
}
