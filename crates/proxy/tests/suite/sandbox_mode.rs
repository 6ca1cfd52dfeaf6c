//! The proxy in sandbox mode, end to end: its JSON API over the sandbox crate's mailbox.

use crate::common;

use common::mailbox::{create, weekly_standup};
use common::*;
use ews::types::SendMeetingInvitations;

#[tokio::test]
async fn service_account_mode_impersonates_through_the_sandbox_mailbox() {
    let harness = Harness::new().await;
    let mut options = harness.options();
    // The sign-in verified bob@sandbox.test; the proxy signs in to EWS as the service account
    // and acts for him with ExchangeImpersonation.
    options.authorizer = TestAuthorizer::new("bob@sandbox.test", ALICE_TOKEN);
    options.ews_extra = "auth = \"basic\"\n[ews.service_account]\nusername = \"svc@sandbox.test\"\npassword = \"pw-basic-1\"\n".into();
    options.sandbox_extra = "impersonators = [\"svc@sandbox.test\"]\n[[sandbox.service_accounts]]\nusername = \"svc@sandbox.test\"\npassword = \"pw-basic-1\"\n".into();
    let app = spawn_app(options).await;
    let created: model::Task = app
        .post("/api/tasks")
        .json(&serde_json::json!({"subject": "Filed for Bob"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created.subject, "Filed for Bob");
    assert_eq!(
        (
            app.stored("bob@sandbox.test", "tasks").await,
            app.stored("svc@sandbox.test", "tasks").await,
            app.stored(ALICE, "tasks").await
        ),
        (1, 0, 0)
    );
}

#[tokio::test]
async fn the_json_api_lists_each_occurrence_of_a_recurring_series() {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let standup = weekly_standup();
    create(
        &app,
        ALICE_TOKEN,
        standup,
        SendMeetingInvitations::SendToNone,
    )
    .await;

    let listed: model::Page<model::Appointment> = app
        .get("/api/appointments?start=2026-11-30T00:00:00Z&end=2026-12-31T00:00:00Z")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let starts: Vec<String> = listed.items.iter().map(|a| a.start.to_rfc3339()).collect();
    assert_eq!(
        starts,
        [
            "2026-11-30T08:00:00+00:00",
            "2026-12-02T08:00:00+00:00",
            "2026-12-07T08:00:00+00:00",
            "2026-12-09T08:00:00+00:00"
        ]
    );
    let ids: std::collections::HashSet<&str> = listed.items.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids.len(), 4, "distinct ids");
}
