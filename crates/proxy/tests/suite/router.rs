//! The router in-process (axum's `tower::ServiceExt::oneshot`), without a network hop.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn router() -> (Harness, axum::Router) {
    let harness = Harness::new().await;
    let app = harness.spawn().await;
    let router = proxy::app(app.state.clone());
    (harness, router)
}

async fn body_json(response: axum::response::Response) -> serde_json::Value {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

fn post_json(path: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::AUTHORIZATION, "Bearer session-handle")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn unknown_fields_and_bad_json_are_400_in_our_error_shape() {
    let (_h, router) = router().await;
    let response = router
        .clone()
        .oneshot(post_json(
            "/api/tasks",
            r#"{"subject":"x","priority":"high"}"#,
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = body_json(response).await;
    assert_eq!(body["error"], "malformed_request");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `priority`"),
        "{body}"
    );

    let response = router
        .oneshot(post_json("/api/tasks", "[1,2"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_json(response).await["error"], "malformed_request");
}

#[tokio::test]
async fn validation_failures_list_every_field() {
    let (_h, router) = router().await;
    let response = router
        .oneshot(post_json(
            "/api/appointments",
            r#"{"subject":"","start":"soon","end":""}"#,
        ))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = body_json(response).await;
    assert_eq!(body["error"], "validation_failed");
    for field in ["subject", "start", "end"] {
        assert!(body["fields"][field].is_string(), "{field}: {body}");
    }
}

#[tokio::test]
async fn unknown_paths_are_404_and_health_is_ok() {
    let (_h, router) = router().await;
    let response = router
        .clone()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = router
        .oneshot(Request::get("/api/nothing").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body = body_json(response).await;
    assert_eq!(body["error"], "not_found");
    assert_eq!(body["message"], "There is nothing at /api/nothing.");
}
