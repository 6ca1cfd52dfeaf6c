//! The authorization endpoints: status, flows (start + long-poll), sign-out.

use serde::{Deserialize, Serialize};
use web_sys::AbortSignal;

use model::AuthStatus;

use crate::error::ApiError;
use crate::services::{Api, Method, RequestOptions, request};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartFlow<'a> {
    /// base64url SHA-256 of the secret this page keeps for the flow.
    pub secret_hash: &'a str,
    /// Full-page sign-in: where the proxy sends the browser back to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_to: Option<String>,
}

/// `201` answer of `POST /api/auth/flows`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    pub flow_id: String,
    pub authorize_url: String,
    #[serde(default)]
    pub expires_at: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowState {
    Pending,
    Done,
    Denied,
    Expired,
    Failed,
}

/// `GET /api/auth/flows/{flowId}?wait=…`
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowStatus {
    pub status: FlowState,
    #[serde(default)]
    pub session_handle: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

pub async fn status(api: &Api) -> Result<AuthStatus, ApiError> {
    request(
        api,
        Method::Get,
        "/api/auth/status",
        None::<&()>,
        RequestOptions::default(),
    )
    .await
}

pub async fn start_flow(
    api: &Api,
    secret_hash: &str,
    return_to: Option<String>,
) -> Result<Flow, ApiError> {
    request(
        api,
        Method::Post,
        "/api/auth/flows",
        Some(&StartFlow {
            secret_hash,
            return_to,
        }),
        RequestOptions {
            prove_key: true,
            ..RequestOptions::default()
        },
    )
    .await
}

/// Long-polls a flow this page started (`secret` proves it): the proxy answers when the
/// status changes or after `wait` seconds.
pub async fn flow_status(
    api: &Api,
    flow_id: &str,
    secret: &str,
    wait: u32,
    signal: Option<&AbortSignal>,
) -> Result<FlowStatus, ApiError> {
    let path = format!(
        "/api/auth/flows/{}?wait={}",
        js_sys::encode_uri_component(flow_id),
        wait.min(25)
    );
    request(
        api,
        Method::Get,
        &path,
        None::<&()>,
        RequestOptions {
            signal,
            flow_secret: Some(secret),
            ..RequestOptions::default()
        },
    )
    .await
}

pub async fn sign_out(api: &Api) -> Result<(), ApiError> {
    request(
        api,
        Method::Post,
        "/api/auth/signout",
        None::<&()>,
        RequestOptions::default(),
    )
    .await
}
