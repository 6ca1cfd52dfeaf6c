//! The sandbox mailbox as an EWS endpoint, spoken to directly in SOAP like Exchange.

use crate::common;

use common::*;
use ews::RequestHeaders;
use ews::operations::create_item::{CreateItem, CreateItemResponse};
use ews::operations::find_item::{FindItem, FindItemResponse, FindItemResult};
use ews::operations::get_item::{GetItem, GetItemResponse};
use ews::types::{
    CalendarItem, EwsDateTime, ExtendedProperty, FolderId, ItemFields, ItemId, ItemShape,
    SendMeetingInvitations,
};
use ews::{EwsError, ParseLimits};
use reqwest::StatusCode;

const EWS: &str = "/sandbox/ews/Exchange.asmx";

async fn soap(app: &TestApp, token: Option<&str>, body: String) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}{EWS}", app.address))
        .header("content-type", "text/xml; charset=utf-8")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

fn meeting(subject: &str, start: &str, end: &str) -> CalendarItem {
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

async fn create(app: &TestApp, token: &str, item: CalendarItem) -> ItemId {
    let request = CreateItem::calendar_item(item, SendMeetingInvitations::SendToNone);
    let response = soap(
        app,
        Some(token),
        request.to_envelope(&RequestHeaders::default()).unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    let bytes = response.bytes().await.unwrap();
    let item = CreateItemResponse::parse_response(&bytes)
        .unwrap()
        .into_single()
        .unwrap();
    item.item_id().unwrap().clone()
}

/// The first page a FindItem answers `token`'s caller.
async fn find(app: &TestApp, token: &str, request: &FindItem) -> FindItemResult {
    let xml = request.to_envelope(&RequestHeaders::default()).unwrap();
    let bytes = soap(app, Some(token), xml).await.bytes().await.unwrap();
    FindItemResponse::parse_response(&bytes)
        .unwrap()
        .into_single()
        .unwrap()
}

#[tokio::test]
async fn malformed_requests_get_an_error_schema_validation_fault() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    for body in [
        "this is not XML".to_owned(),
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><m:Nonsense xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\"/></soap:Body></soap:Envelope>".to_owned(),
        "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>".to_owned(),
    ] {
        let response = soap(&app, Some(ALICE_TOKEN), body.clone()).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR, "{body}");
        let bytes = response.bytes().await.unwrap();
        match FindItemResponse::parse_response_with(&bytes, &ParseLimits::default()) {
            Err(EwsError::Fault { response_code, faultstring, .. }) => {
                assert_eq!(response_code.as_deref(), Some("ErrorSchemaValidation"), "{faultstring}");
            }
            other => panic!("expected a SOAP fault for {body}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401_like_exchange() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let find = FindItem::tasks(0, 10, ItemShape::default())
        .to_envelope(&RequestHeaders::default())
        .unwrap();
    let response = soap(&app, None, find.clone()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let response = soap(&app, Some("forged-token"), find).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn userinfo_answers_are_cached_per_token() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let find = FindItem::tasks(0, 10, ItemShape::default())
        .to_envelope(&RequestHeaders::default())
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            soap(&app, Some(ALICE_TOKEN), find.clone()).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        harness
            .userinfo_calls
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
}

#[tokio::test]
async fn get_item_answers_stored_items_and_item_not_found_across_mailboxes() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let mut item = meeting("Budget", "2026-12-01T09:00:00", "2026-12-01T10:00:00");
    item.start_time_zone = Some(ews::types::TimeZoneRef::id("Romance Standard Time"));
    item.location = Some("Room 1".into());
    item.item.body = Some(ews::types::Body::text("Bring numbers"));
    let id = create(&app, ALICE_TOKEN, item).await;
    assert!(id.change_key.is_some());

    let get = GetItem::new(ItemShape::all_properties(), [ItemId::new(id.id.clone())]);
    let xml = get.to_envelope(&RequestHeaders::default()).unwrap();
    let bytes = soap(&app, Some(ALICE_TOKEN), xml.clone())
        .await
        .bytes()
        .await
        .unwrap();
    let item = GetItemResponse::parse_response(&bytes)
        .unwrap()
        .into_single()
        .unwrap();
    let item = item.as_calendar_item().unwrap();
    assert_eq!(item.item.subject.as_deref(), Some("Budget"));
    // A floating 09:00 with StartTimeZone Romance Standard Time (Paris, UTC+1 in December).
    assert_eq!(
        item.start.unwrap().to_utc().unwrap().to_rfc3339(),
        "2026-12-01T08:00:00+00:00"
    );
    assert_eq!(item.location.as_deref(), Some("Room 1"));
    assert_eq!(item.item.body.as_ref().unwrap().content, "Bring numbers");
    assert_eq!(
        item.organizer.as_ref().unwrap().email_address.as_deref(),
        Some(ALICE)
    );

    // Bob cannot read Alice's item: same answer as for an id that does not exist.
    let bytes = soap(&app, Some(BOB_TOKEN), xml)
        .await
        .bytes()
        .await
        .unwrap();
    let error = GetItemResponse::parse_response(&bytes)
        .unwrap()
        .into_single()
        .unwrap_err();
    assert_eq!(error.response_code(), Some("ErrorItemNotFound"));
}

#[tokio::test]
async fn calendar_view_honours_max_entries_and_reports_more() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    for hour in [14, 9, 11] {
        let start = format!("2026-12-01T{hour:02}:00:00Z");
        let end = format!("2026-12-01T{hour:02}:30:00Z");
        create(
            &app,
            ALICE_TOKEN,
            meeting(&format!("at {hour}"), &start, &end),
        )
        .await;
    }
    let view = FindItem::calendar_view(
        EwsDateTime::parse("2026-12-01T00:00:00Z").unwrap(),
        EwsDateTime::parse("2026-12-02T00:00:00Z").unwrap(),
        Some(2),
        ItemShape::default(),
    );
    let page = find(&app, ALICE_TOKEN, &view).await;
    let subjects: Vec<_> = page
        .items
        .iter()
        .map(|i| i.subject().unwrap().to_owned())
        .collect();
    assert_eq!(subjects, ["at 9", "at 11"]);
    assert_eq!(page.total_items_in_view, Some(3));
    assert_eq!(page.includes_last_item_in_range, Some(false));
}

#[tokio::test]
async fn the_client_request_id_restriction_finds_the_stamped_item_only() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let mut stamped = meeting("stamped", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z");
    stamped.item.extended_properties = vec![ExtendedProperty::client_request_id("req-1")];
    let id = create(&app, ALICE_TOKEN, stamped).await;
    create(
        &app,
        ALICE_TOKEN,
        meeting("other", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z"),
    )
    .await;
    let find = |value: &str| {
        FindItem::by_client_request_id(FolderId::calendar(), value)
            .to_envelope(&RequestHeaders::default())
            .unwrap()
    };
    let bytes = soap(&app, Some(ALICE_TOKEN), find("req-1"))
        .await
        .bytes()
        .await
        .unwrap();
    let found = FindItemResponse::parse_response(&bytes)
        .unwrap()
        .into_single()
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].item_id().unwrap().id, id.id);
    let bytes = soap(&app, Some(ALICE_TOKEN), find("req-2"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(
        FindItemResponse::parse_response(&bytes)
            .unwrap()
            .into_single()
            .unwrap()
            .items
            .is_empty()
    );
    // Bob's mailbox does not see Alice's stamp.
    let bytes = soap(&app, Some(BOB_TOKEN), find("req-1"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(
        FindItemResponse::parse_response(&bytes)
            .unwrap()
            .into_single()
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn end_before_start_is_refused_with_exchanges_code() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let request = CreateItem::calendar_item(
        meeting("backwards", "2026-12-01T10:00:00Z", "2026-12-01T09:00:00Z"),
        SendMeetingInvitations::SendToNone,
    );
    let bytes = soap(
        &app,
        Some(ALICE_TOKEN),
        request.to_envelope(&RequestHeaders::default()).unwrap(),
    )
    .await
    .bytes()
    .await
    .unwrap();
    let error = CreateItemResponse::parse_response(&bytes)
        .unwrap()
        .into_single()
        .unwrap_err();
    assert_eq!(
        error.response_code(),
        Some("ErrorCalendarEndDateIsEarlierThanStartDate")
    );
    assert_eq!(app.stored(ALICE, "calendar").await, 0);
}

#[tokio::test]
async fn get_folder_answers_the_calendar_and_tasks_folders_whose_ids_work_like_their_names() {
    use ews::operations::get_folder::{FolderKind, GetFolder, GetFolderResponse};
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    create(
        &app,
        ALICE_TOKEN,
        meeting("Budget", "2026-12-01T09:00:00Z", "2026-12-01T10:00:00Z"),
    )
    .await;

    let request = GetFolder::new(
        ItemShape::default(),
        [
            FolderId::calendar(),
            FolderId::tasks(),
            FolderId::distinguished(ews::types::DistinguishedFolderName::Inbox),
        ],
    );
    let response = soap(
        &app,
        Some(ALICE_TOKEN),
        request.to_envelope(&RequestHeaders::default()).unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer = GetFolderResponse::parse_response(&response.bytes().await.unwrap()).unwrap();
    let calendar = &answer.responses[0].as_ref().unwrap()[0];
    assert_eq!(calendar.kind, FolderKind::CalendarFolder);
    assert_eq!(calendar.display_name.as_deref(), Some("Calendar"));
    assert_eq!(calendar.folder_class.as_deref(), Some("IPF.Appointment"));
    assert_eq!(calendar.total_count, Some(1));
    let tasks = &answer.responses[1].as_ref().unwrap()[0];
    assert_eq!(tasks.kind, FolderKind::TasksFolder);
    assert_eq!(tasks.total_count, Some(0));
    assert_eq!(
        answer.responses[2].as_ref().unwrap_err().response_code,
        "ErrorFolderNotFound"
    );

    // Clients then name the folder by the id GetFolder gave: it is the same calendar.
    let folder_id = calendar.folder_id.clone().unwrap();
    let mut view = FindItem::calendar_view(
        EwsDateTime::parse("2026-12-01T00:00:00Z").unwrap(),
        EwsDateTime::parse("2026-12-02T00:00:00Z").unwrap(),
        None,
        ItemShape::default(),
    );
    view.parent_folder_ids = vec![FolderId::Folder {
        id: folder_id.id,
        change_key: folder_id.change_key,
    }];
    let page = find(&app, ALICE_TOKEN, &view).await;
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].subject(), Some("Budget"));
}
