//! Full-page sign-in, where popups are impossible: the draft waits in `sessionStorage`, the
//! page itself posts the flow's secret to the proxy (a top-level form post, so the browser
//! states our origin), and the proxy sends the browser back with the outcome — the session
//! handle included — in the URL fragment, which reaches no server and is removed at once.

use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlFormElement, HtmlInputElement};
use yew::platform::spawn_local;

use super::{Controller, FlowControl, FlowError};
use crate::browser;
use crate::decode::{Decoded, Fields, FromJs};
use crate::error::ApiError;
use crate::services::auth::{self, FlowState, FlowStatus};
use crate::services::flow_secret::FlowSecret;
use crate::services::json;
use crate::state::{Action, Notice, Pending};

/// Fragment parameters of the proxy's final redirect (`#xf_flow=…&xf_session=…`).
const FRAGMENT_FLOW: &str = "xf_flow";
const FRAGMENT_SESSION: &str = "xf_session";
const FRAGMENT_STATUS: &str = "xf_status";

/// The draft kept in `sessionStorage` across a full-page sign-in:
/// `{ flowId, pending: { draft: { kind, draft: {…} }, idempotencyKey } | null }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SavedPending<'a> {
    flow_id: &'a str,
    pending: Option<&'a Pending>,
}

/// [`SavedPending`] read back.
struct SavedPendingRead {
    flow_id: String,
    pending: Option<Pending>,
}

impl FromJs for SavedPendingRead {
    fn from_js(value: &JsValue) -> Decoded<Self> {
        let f = Fields::of(value)?;
        Ok(Self {
            flow_id: f.get("flowId")?,
            pending: f.opt("pending")?,
        })
    }
}

/// Posts `secret` to the proxy's start page `action` in the top window.
fn post_secret(action: &str, secret: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let form: HtmlFormElement = document.create_element("form").ok()?.dyn_into().ok()?;
    form.set_method("post");
    form.set_action(action);
    form.set_target("_top");
    form.set_hidden(true);
    let input: HtmlInputElement = document.create_element("input").ok()?.dyn_into().ok()?;
    input.set_type("hidden");
    input.set_name("secret");
    input.set_value(secret);
    form.append_child(&input).ok()?;
    document.body()?.append_child(&form).ok()?;
    form.submit().ok()
}

impl Controller {
    fn pending_key(&self) -> String {
        format!(
            "exchange-forms:pending:{}:{}",
            self.config.api.base(),
            self.config.kind.as_str()
        )
    }

    pub(super) fn redirect(&self, pending: Option<Pending>) {
        self.send(Action::Redirecting(pending.clone()));
        let this = self.clone();
        spawn_local(async move {
            let secret = match FlowSecret::generate().await {
                Ok(secret) => secret,
                Err(error) => return this.send(Action::Failed(error)),
            };
            let return_to = browser::page_url_without_fragment();
            let flow = match auth::start_flow(&this.config.api, &secret.hash, return_to).await {
                Ok(flow) => flow,
                Err(error) => return this.send(Action::Failed(error)),
            };
            let saved = SavedPending {
                flow_id: &flow.flow_id,
                pending: pending.as_ref(),
            };
            let stored = json::to_string(&saved).ok().and_then(|text| {
                browser::session_storage()?
                    .set_item(&this.pending_key(), &text)
                    .ok()
            });
            if stored.is_none() {
                // Without the saved draft the input would be lost: stay on the page.
                this.send(Action::AuthorizationStopped(Notice::Api(ApiError::Server(
                    "sessionStorage is not available".into(),
                ))));
                return;
            }
            if post_secret(&flow.authorize_url, &secret.secret).is_none() {
                this.send(Action::AuthorizationStopped(Notice::Api(ApiError::Server(
                    "the sign-in page could not be opened".into(),
                ))));
            }
        });
    }

    /// The page came back from the back/forward cache. The draft saved for a full-page
    /// sign-in stays: going Forward to the sign-in page and finishing it still works.
    pub fn shown_again(&self) {
        self.send(Action::ShownAgain);
    }

    /// On mount: back from a full-page sign-in (`#xf_flow=<id>&…`) that this page started?
    /// Restore the draft, keep the handle, finish the action once. A fragment naming a flow
    /// this page did not start (a link from elsewhere) is ignored: its handle is never stored.
    pub fn resume_after_redirect(&self) {
        let Some(flow_id) = browser::fragment_param(FRAGMENT_FLOW) else {
            return;
        };
        let Some(storage) = browser::session_storage() else {
            return;
        };
        let key = self.pending_key();
        let Some((saved_flow_id, pending)) = storage
            .get_item(&key)
            .ok()
            .flatten()
            .and_then(|text| json::from_str::<SavedPendingRead>(&text).ok())
            .map(|saved| (saved.flow_id, saved.pending))
        else {
            return;
        };
        if saved_flow_id != flow_id {
            return;
        }
        let handle = browser::fragment_param(FRAGMENT_SESSION);
        let status = browser::fragment_param(FRAGMENT_STATUS);
        let _ = storage.remove_item(&key);
        browser::remove_fragment_params(&[FRAGMENT_FLOW, FRAGMENT_SESSION, FRAGMENT_STATUS]);
        if let Some(pending) = &pending {
            self.send(Action::Restore(pending.draft.clone()));
        }
        let result = match (handle, status.as_deref()) {
            (Some(handle), _) => Ok(FlowStatus {
                status: FlowState::Done,
                session_handle: Some(handle),
                user: None,
                reason: None,
            }),
            (None, Some("denied")) => Err(FlowError::Denied),
            (None, Some("expired")) => Err(FlowError::Expired),
            (None, _) => Err(FlowError::Failed(None)),
        };
        let control = Rc::new(FlowControl::default());
        self.replace_flow(Some(control.clone()));
        self.finish_flow(result, pending, &control);
        // The user's name for "Signed in as …".
        self.refresh_status();
    }
}
