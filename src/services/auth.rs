//! The authorization endpoints: status, flows (start + long-poll), sign-out.

use serde::Serialize;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use model::AuthStatus;

use crate::decode::{Decoded, Fields, FromJs, variant};
use crate::error::ApiError;
use crate::services::requests::request_json;
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub flow_id: String,
    pub authorize_url: String,
    pub expires_at: Option<String>,
}

impl FromJs for Flow {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Self {
            flow_id: f.get("flowId")?,
            authorize_url: f.get("authorizeUrl")?,
            expires_at: f.opt("expiresAt")?,
        })
    }
}

/// A flow's state, by the proxy's lowercase names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowState {
    Pending,
    Done,
    Denied,
    Expired,
    Failed,
}

impl FlowState {
    pub const ALL: [FlowState; 5] = [
        FlowState::Pending,
        FlowState::Done,
        FlowState::Denied,
        FlowState::Expired,
        FlowState::Failed,
    ];
}

impl FromJs for FlowState {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        variant(value, &FlowState::ALL)
    }
}

/// `GET /api/auth/flows/{flowId}?wait=…`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowStatus {
    pub status: FlowState,
    pub session_handle: Option<String>,
    pub user: Option<String>,
    pub reason: Option<String>,
}

impl FromJs for FlowStatus {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Self {
            status: f.get("status")?,
            session_handle: f.opt("sessionHandle")?,
            user: f.opt("user")?,
            reason: f.opt("reason")?,
        })
    }
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

/// The answer (204) carries nothing to read.
pub async fn sign_out(api: &Api) -> Result<(), ApiError> {
    let options = RequestOptions::default();
    request_json(api, Method::Post, "/api/auth/signout", None, options).await?;
    Ok(())
}
