//! HTTP endpoints of the sign-in (see docs/design.md, "Sign-in flows"):
//! `GET /api/auth/status`, `POST /api/auth/flows`, `GET /api/auth/flows/{id}?wait=N`,
//! `POST /api/auth/signout`, the flow's start page `GET|POST /auth/start/{id}`, and the OAuth
//! redirect URI `GET /auth/callback`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use model::{ApiErrorBody, FieldErrors};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::callback::CallbackQuery;
use super::flows::{BindRefusal, FlowRequest, FlowStarted, FlowView, START_PATH, StartPage};
use super::store::FlowStatus;
use super::{AuthService, FlowError, pages};
use crate::error::AppError;
use crate::extract::ApiQuery;
use crate::openapi::{FlowErrors, SessionCheckErrors};

/// Path of the OAuth redirect URI (default `<public base URL>/auth/callback`).
pub const CALLBACK_PATH: &str = "/auth/callback";
/// Header a poller proves the flow's secret with.
pub const FLOW_SECRET_HEADER: &str = "flow-secret";
/// Fragment parameters of the final redirect of a full-page sign-in.
pub const FRAGMENT_FLOW: &str = "xf_flow";
pub const FRAGMENT_SESSION: &str = "xf_session";
pub const FRAGMENT_STATUS: &str = "xf_status";

/// The routes, with their state applied (merge into any router).
/// The `/api/auth/*` routes carry their OpenAPI operations (see `crate::openapi`).
pub fn routes<S: Clone + Send + Sync + 'static>(auth: Arc<AuthService>) -> OpenApiRouter<S> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(start_flow))
        .routes(routes!(poll_flow))
        .routes(routes!(sign_out))
        .route(CALLBACK_PATH, get(callback))
        .with_state(auth)
}

/// The start page: not behind CORS (browsers reach it by navigation and same-origin posts).
pub fn page_routes<S: Clone + Send + Sync + 'static>(auth: Arc<AuthService>) -> Router<S> {
    Router::new()
        .route(
            &format!("{START_PATH}/{{flow_id}}"),
            get(start_page).post(bind),
        )
        .with_state(auth)
}

impl From<FlowError> for AppError {
    fn from(e: FlowError) -> Self {
        match e {
            FlowError::Forbidden(m) => AppError::Forbidden(m),
            FlowError::NotFound(m) => AppError::NotFound(m),
            FlowError::Invalid(field, m) => {
                let mut fields = FieldErrors::new();
                fields.add(field, m);
                AppError::Validation(fields)
            }
            e @ FlowError::TooMany { retry_after_secs } => AppError::TooManyRequests {
                message: format!("{}.", capitalised(&e.to_string())),
                retry_after: Duration::from_secs(retry_after_secs),
            },
            FlowError::Internal(m) => AppError::Internal(m),
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Answers that carry session handles must never be cached anywhere.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Whether this browser's session can act now (no session: `authorized: false`, not 401).
#[utoipa::path(
    get,
    path = "/api/auth/status",
    tag = "sign-in",
    security((), ("session" = [], "dpop" = [])),
    responses((status = 200, description = "The session's state", body = model::AuthStatus), SessionCheckErrors)
)]
async fn status(
    State(auth): State<Arc<AuthService>>,
    request: Request,
) -> Result<Response, AppError> {
    let (parts, _) = request.into_parts();
    let status = auth.status(&parts).await?;
    Ok(no_store(axum::Json(status).into_response()))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartFlowBody {
    /// base64url SHA-256 of the secret the widget keeps for this flow.
    secret_hash: Option<String>,
    return_to: Option<String>,
}

/// Starts a sign-in flow; a DPoP proof binds the session it leads to to the proof's key.
#[utoipa::path(
    post,
    path = "/api/auth/flows",
    tag = "sign-in",
    security((), ("dpop" = [])),
    request_body(content = StartFlowBody, description = "May be empty"),
    responses((status = 201, description = "The flow, and the proxy page that starts it", body = FlowStarted), FlowErrors)
)]
async fn start_flow(
    State(auth): State<Arc<AuthService>>,
    request: Request,
) -> Result<Response, AppError> {
    let (parts, body) = request.into_parts();
    // The proxy-wide body limit (crate::body_guard) applies here as everywhere.
    let limit = crate::body_guard::MAX_BODY_BYTES;
    let body = axum::body::to_bytes(body, usize::try_from(limit).unwrap_or(usize::MAX))
        .await
        .map_err(|_| AppError::PayloadTooLarge { limit_bytes: limit })?;
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let body: StartFlowBody = if body.iter().all(u8::is_ascii_whitespace) {
        StartFlowBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            AppError::MalformedRequest(format!("The request body is not valid: {e}"))
        })?
    };
    let dpop_jkt = auth.flow_key(&parts).await?;
    let started = auth
        .start_flow(FlowRequest {
            origin: auth.origin_of(&parts.headers),
            peer,
            secret_hash: body.secret_hash.as_deref().unwrap_or_default(),
            return_to: body.return_to.as_deref(),
            dpop_jkt,
        })
        .await?;
    Ok(no_store(
        (StatusCode::CREATED, axum::Json(started)).into_response(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct WaitQuery {
    /// Seconds to wait for a change, 0-25 (default 0: answer at once).
    #[param(value_type = Option<u32>)]
    wait: Option<String>,
}

/// A flow's state, waiting up to `wait` seconds for it to change; once done, with the session
/// handle (to the browser that proves the flow's secret only).
#[utoipa::path(
    get,
    path = "/api/auth/flows/{flow_id}",
    tag = "sign-in",
    security(()),
    params(
        ("flow_id" = String, Path, description = "The flow's id as its start answered it"),
        WaitQuery,
        ("flow-secret" = String, Header, description = "The secret whose hash started the flow"),
    ),
    responses(
        (status = 200, description = "The flow's state", body = FlowView),
        (status = 404, description = "`not_found`: no such flow (or it ended)", body = ApiErrorBody),
        FlowErrors
    )
)]
async fn poll_flow(
    State(auth): State<Arc<AuthService>>,
    flow_id: Result<Path<String>, PathRejection>,
    ApiQuery(q): ApiQuery<WaitQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    // A flow id that is not even valid UTF-8 names no flow (axum would answer plain text).
    let Ok(Path(flow_id)) = flow_id else {
        return Err(AppError::NotFound("no such flow".to_owned()));
    };
    let wait = match q.wait.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        None => 0,
        Some(w) => w.parse::<u64>().map_err(|_| {
            AppError::MalformedRequest(format!(
                "wait must be a whole number of seconds (0-25), not '{w}'"
            ))
        })?,
    };
    if flow_id.len() > 64 {
        return Err(AppError::NotFound("no such flow".to_owned()));
    }
    let secret = headers
        .get(FLOW_SECRET_HEADER)
        .and_then(|v| v.to_str().ok());
    let view = auth
        .poll_flow(
            &flow_id,
            secret,
            auth.origin_of(&headers),
            Duration::from_secs(wait),
        )
        .await?;
    Ok(no_store(axum::Json(view).into_response()))
}

/// Ends the presented session (signing out twice is no error).
#[utoipa::path(
    post,
    path = "/api/auth/signout",
    tag = "sign-in",
    responses((status = 204, description = "Signed out"), SessionCheckErrors)
)]
async fn sign_out(
    State(auth): State<Arc<AuthService>>,
    request: Request,
) -> Result<StatusCode, AppError> {
    let (parts, _) = request.into_parts();
    auth.sign_out(&parts).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn start_page(State(auth): State<Arc<AuthService>>, Path(flow_id): Path<String>) -> Response {
    match auth.start_page(&flow_id).await {
        StartPage::AwaitProof { flow_id, origin } => {
            pages::start(&flow_id, &origin, &auth.settings().authorize_url)
        }
        StartPage::Refused(message) => pages::plain(StatusCode::OK, "Sign in", message),
    }
}

/// The start page's (or, for full-page sign-ins, the embedding page's) form post of the secret.
async fn bind(
    State(auth): State<Arc<AuthService>>,
    Path(flow_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let secret = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "secret")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    match auth.bind(&flow_id, &secret, &headers).await {
        Ok(bound) => {
            let secure = if auth.settings().public_base_url.scheme() == "https" {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{}={}; Path={CALLBACK_PATH}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
                bound.cookie_name, bound.cookie_value, bound.max_age_secs
            );
            let mut response = StatusCode::SEE_OTHER.into_response();
            let h = response.headers_mut();
            match (
                HeaderValue::from_str(&cookie),
                HeaderValue::from_str(bound.authorize_url.as_str()),
            ) {
                (Ok(cookie), Ok(location)) => {
                    h.insert(header::SET_COOKIE, cookie);
                    h.insert(header::LOCATION, location);
                    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                    h.insert(
                        header::REFERRER_POLICY,
                        HeaderValue::from_static("no-referrer"),
                    );
                    response
                }
                _ => pages::plain(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sign in",
                    &BindRefusal::Internal.to_string(),
                ),
            }
        }
        Err(refusal) => {
            let status = match refusal {
                BindRefusal::Internal => StatusCode::INTERNAL_SERVER_ERROR,
                BindRefusal::NotFromTheForm => StatusCode::FORBIDDEN,
                _ => StatusCode::BAD_REQUEST,
            };
            pages::plain(status, "Sign in", &refusal.to_string())
        }
    }
}

async fn callback(
    State(auth): State<Arc<AuthService>>,
    Query(q): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Response {
    let outcome = auth.callback(&q, &headers).await;
    let mut response = match (&outcome.flow, &outcome.handle) {
        // Full-page sign-in: back to the page, with the handle (or the outcome) in the fragment,
        // which browsers send to no server and which the page removes at once.
        (Some(target), handle) if target.return_to.is_some() => {
            let mut to = format!(
                "{}#{FRAGMENT_FLOW}={}",
                target.return_to.as_deref().unwrap_or_default(),
                target.id
            );
            match (outcome.status, handle) {
                (FlowStatus::Done, Some(handle)) => {
                    use secrecy::ExposeSecret as _;
                    to.push_str(&format!("&{FRAGMENT_SESSION}={}", handle.expose_secret()));
                }
                (status, _) => to.push_str(&format!("&{FRAGMENT_STATUS}={}", status.as_str())),
            }
            match HeaderValue::from_str(&to) {
                Ok(location) => {
                    let mut r = StatusCode::SEE_OTHER.into_response();
                    r.headers_mut().insert(header::LOCATION, location);
                    r
                }
                Err(_) => pages::callback(&outcome),
            }
        }
        _ => pages::callback(&outcome),
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The URL carries the authorization code: never leak it through a Referer.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Some(target) = &outcome.flow {
        // The binding cookie has done its job.
        let clear = format!(
            "{}{}=; Path={CALLBACK_PATH}; Max-Age=0; HttpOnly; SameSite=Lax",
            super::flows::BINDING_COOKIE_PREFIX,
            target.id
        );
        if let Ok(v) = HeaderValue::from_str(&clear) {
            h.append(header::SET_COOKIE, v);
        }
    }
    response
}
