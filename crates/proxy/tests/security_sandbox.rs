//! The sandbox keeps mailboxes apart: each test performs one attack over HTTP, as a client
//! holding one user's bearer token (or none) would, and checks that it fails.

mod auth_support;
mod common;

use std::sync::Arc;

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
use proxy::auth::clock::OffsetClock;
use proxy::dev_auth::{CODE_TTL_SECS, MAX_PENDING_REQUESTS, MAX_UNUSED_CODES, REQUEST_TTL_SECS};
use reqwest::StatusCode;
use tempfile::TempDir;

const ROOM: &str = "room-412@sandbox.test";

/// Alice's meeting as its organizer sees it, untouched: still hers, not cancelled, still
/// inviting Bob, Carol and the room.
async fn assert_organizers_item_intact(app: &common::TestApp, id: &ews::types::ItemId) {
    let item = get(app, ALICE_TOKEN, id).await.unwrap();
    assert_eq!(item.subject.as_deref(), Some("Board meeting"));
    assert_eq!(item.my_response_type, Some(ResponseType::Organizer));
    assert_ne!(item.is_cancelled, Some(true));
    assert_eq!(item.required_attendees.len(), 2);
    assert_eq!(item.resources.len(), 1);
}

/// Carol's copy of Alice's meeting, still on and unchanged.
async fn assert_attendee_copy_intact(app: &common::TestApp) {
    let carols = december_view(app, CAROL_TOKEN).await;
    assert_eq!(carols.len(), 1, "{carols:?}");
    assert_eq!(carols[0].subject.as_deref(), Some("Board meeting"));
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
        .find(|i| i.subject.as_deref() == Some("Hijacked"))
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
    let bob_sees = get(&app, BOB_TOKEN, bobs_copy.item_id.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(bob_sees.subject.as_deref(), Some("Board meeting"));

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
    assert_eq!(invitation.subject.as_deref(), Some("Canceled: Hijacked"));
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

const REVOKE_USER: &str = "/sandbox/oauth/admin/revoke-user";

#[tokio::test]
async fn revoke_user_requires_operator_token() {
    use auth_support::{CLIENT_ID, CLIENT_SECRET, ORIGIN_A, json, spawn_in};
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "", clock.clone()).await;
    let handle = app.sign_in(ORIGIN_A, "carol").await;
    let operator_token = app.operator_token();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let file = app.data_dir.join("sandbox-admin.token");
        let mode = std::fs::metadata(file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "only the operator's account reads the token"
        );
    }

    // Anyone else tries to cut Carol off: anonymous, a guessed token, a token one character
    // off, the proxy's own client credentials, and a user's session handle.
    let mut near_miss = operator_token.clone().into_bytes();
    near_miss[0] = if near_miss[0] == b'A' { b'B' } else { b'A' };
    let near_miss = String::from_utf8(near_miss).unwrap();
    let attempts = [
        None,
        Some("Bearer guessed-operator-token".to_owned()),
        Some(format!("Bearer {near_miss}")),
        Some(format!("Bearer {operator_token}x")),
        Some(format!("Basic {}", base64_basic(CLIENT_ID, CLIENT_SECRET))),
        Some(format!("Bearer {handle}")),
    ];
    for authorization in attempts {
        let mut request = app
            .client
            .post(app.url(REVOKE_USER))
            .form(&[("user", "carol@sandbox.test")]);
        if let Some(value) = &authorization {
            request = request.header("authorization", value);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(
            refused.status(),
            StatusCode::UNAUTHORIZED,
            "{authorization:?}"
        );
        assert!(
            refused.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        assert_eq!(json(refused).await["error"], "invalid_token");
    }
    // Carol's grant survived: once her access token has expired, the refresh still works.
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        app.create_task(ORIGIN_A, &handle, "Still authorized")
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(app.dev_server().refresh_count("carol"), 1);

    // The operator can.
    let revoked = app
        .client
        .post(app.url(REVOKE_USER))
        .bearer_auth(&operator_token)
        .form(&[("user", "carol@sandbox.test")])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert!(json(revoked).await["revoked"].as_u64().unwrap() >= 1);
    clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        app.create_task(ORIGIN_A, &handle, "Cut off").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

fn base64_basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

#[tokio::test]
async fn pending_authorizations_are_bounded_and_purged() {
    use auth_support::{ORIGIN_A, json, location, query_param, spawn_in};
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(OffsetClock::new());
    let app = spawn_in(dir.path(), "", clock.clone()).await;
    let dev = app.dev_server();

    // Anyone can open the sign-in page of a started flow again and again, never finishing.
    let flow = app.start_flow(ORIGIN_A).await;
    for _ in 0..MAX_PENDING_REQUESTS {
        let page = app.client.get(&flow.authorize_url).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
    }
    for _ in 0..10 {
        let refused = app.client.get(&flow.authorize_url).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::SEE_OTHER);
        let back = location(&refused);
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("temporarily_unavailable"),
            "{back}"
        );
    }
    assert_eq!(
        dev.memory_sizes().0,
        MAX_PENDING_REQUESTS,
        "memory stays bounded"
    );
    // The flow learns why: the callback carries the error and the flow fails with it.
    let refused = app.client.get(&flow.authorize_url).send().await.unwrap();
    app.follow(&location(&refused)).await;
    let status = json(app.poll(ORIGIN_A, &flow.id, 5).await).await;
    assert_eq!(status["status"], "failed", "{status}");
    assert!(
        status["reason"]
            .as_str()
            .unwrap()
            .contains("temporarily_unavailable"),
        "{status}"
    );

    // Abandoned requests expire and make room: a user signs in again.
    clock.advance(chrono::Duration::seconds(REQUEST_TTL_SECS + 1));
    app.sign_in(ORIGIN_A, "alice").await;
    assert_eq!(dev.memory_sizes().0, 0, "expired requests are purged");

    // Codes: consent again and again without ever exchanging the code.
    let flow = app.start_flow(ORIGIN_A).await;
    for _ in 0..MAX_UNUSED_CODES {
        let back = app.authorize(&flow.authorize_url, "bob", "allow").await;
        assert!(query_param(&back, "code").is_some(), "{back}");
    }
    let back = app.authorize(&flow.authorize_url, "bob", "allow").await;
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("temporarily_unavailable"),
        "{back}"
    );
    assert_eq!(query_param(&back, "code"), None);
    assert_eq!(
        dev.memory_sizes().1,
        MAX_UNUSED_CODES,
        "memory stays bounded"
    );
    // Unused codes expire a minute later and are purged when the next one is issued.
    clock.advance(chrono::Duration::seconds(CODE_TTL_SECS + 1));
    let back = app.authorize(&flow.authorize_url, "bob", "allow").await;
    assert!(query_param(&back, "code").is_some(), "{back}");
    assert_eq!(dev.memory_sizes().1, 1, "expired codes are purged");
}
