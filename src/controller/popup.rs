//! Sign-in through a popup: the popup opens inside the click, goes to the proxy's start page,
//! which receives this flow's secret from us (and only from us) before it continues to the
//! authorization server; the flow's end is learnt from the proxy's long-poll, with the
//! callback page's `postMessage` only as a speed-up. Another tab's sign-in is joined, not
//! repeated.

use std::rc::Rc;
use std::time::Duration;

use futures::future::{Either, select};
use wasm_bindgen::JsValue;
use web_sys::{AbortController, MessageEvent, Window};
use yew::platform::spawn_local;
use yew::platform::time::sleep;

use super::{Controller, FlowControl, FlowError, FlowKeys, Watch};
use crate::error::ApiError;
use crate::host_events;
use crate::services::auth::{self, FlowState, FlowStatus};
use crate::services::flow_secret::FlowSecret;
use crate::services::session;
use crate::state::{Action, AuthMode, AuthState, Notice, Pending};

/// `postMessage` types of the proxy's start page (it asks, we answer with the secret).
const MESSAGE_FLOW_READY: &str = "exchange-forms:flow-ready";
const MESSAGE_FLOW_PROOF: &str = "exchange-forms:flow-proof";
const POLL_WAIT_SECONDS: u32 = 25;

impl Controller {
    /// Starts (or joins) an authorization, then replays `pending` once if there is one.
    /// Must be called synchronously from a click handler for the popup to open.
    pub fn authorize(&self, pending: Option<Pending>) {
        host_events::authorization_required(&self.config);
        if self.config.auth_mode == AuthMode::Redirect {
            self.redirect(pending);
            return;
        }
        let control = Rc::new(FlowControl::default());
        self.replace_flow(Some(control.clone()));
        if self.lock_held_elsewhere() {
            self.send(Action::AwaitAuthorization {
                pending: pending.clone(),
                other_tab: true,
            });
            let this = self.clone();
            spawn_local(async move { this.wait_for_other_tab(pending, control).await });
            return;
        }
        let popup = web_sys::window().and_then(|w| {
            w.open_with_url_and_target_and_features(
                "about:blank",
                "exchange-forms-auth",
                "popup=yes,width=520,height=680",
            )
            .ok()
            .flatten()
        });
        let Some(popup) = popup else {
            self.replace_flow(None);
            if let Some(pending) = pending {
                self.send(Action::AwaitAuthorization {
                    pending: Some(pending),
                    other_tab: false,
                });
            }
            self.send(Action::AuthorizationStopped(Notice::PopupBlocked));
            return;
        };
        // Something to read while the flow starts (about:blank is ours until navigated).
        if let Some(body) = popup.document().and_then(|d| d.body()) {
            body.set_text_content(Some(self.config.locale.t().redirecting));
        }
        control.popup.replace(Some(popup.clone()));
        self.take_lock();
        self.send(Action::AwaitAuthorization {
            pending: pending.clone(),
            other_tab: false,
        });
        let this = self.clone();
        spawn_local(async move {
            let result = this.popup_flow(&popup, &control).await;
            control.close_popup();
            // The handle is stored before the lock goes: a tab waiting for us that sees the
            // lock gone must find the handle, or it would give up on a sign-in that worked.
            this.finish_flow(result, pending, &control);
            this.release_lock();
        });
    }

    /// The Cancel button: stops waiting, closes the popup, keeps the input.
    pub fn cancel(&self) {
        if let Some(control) = self.flow.borrow().as_ref() {
            control.cancelled.set(true);
            control.close_popup();
        }
        self.release_lock();
        self.send(Action::AuthorizationStopped(Notice::AuthorizationCancelled));
    }

    /// A `message` event. Only the proxy's pages count: its start page asking for the flow's
    /// secret (answered to that popup only, on the proxy's origin only), and its callback page
    /// announcing the end (which only speeds up the status poll; the poll decides).
    pub fn on_message(&self, event: &MessageEvent) {
        let proxy_origin = self.config.api.origin();
        if event.origin() != proxy_origin {
            return;
        }
        let Some(control) = self.flow.borrow().clone() else {
            return;
        };
        let data = event.data();
        let field = |name: &str| {
            js_sys::Reflect::get(&data, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
        };
        if field("type").as_deref() != Some(MESSAGE_FLOW_READY) {
            control.nudged.set(true);
            return;
        }
        let popup = control.popup.borrow().clone();
        let keys = control.keys.borrow().clone();
        let (Some(popup), Some(keys)) = (popup, keys) else {
            return;
        };
        let from_our_popup = event
            .source()
            .is_some_and(|source| js_sys::Object::is(&source, popup.as_ref()));
        if !from_our_popup || field("flowId").as_deref() != Some(keys.flow_id.as_str()) {
            return;
        }
        let proof = js_sys::Object::new();
        let set = |k: &str, v: &str| {
            let _ = js_sys::Reflect::set(&proof, &JsValue::from_str(k), &JsValue::from_str(v));
        };
        set("type", MESSAGE_FLOW_PROOF);
        set("flowId", &keys.flow_id);
        set("secret", &keys.secret);
        if popup.post_message(&proof, &proxy_origin).is_ok() {
            control.proof_sent.set(true);
        }
    }

    /// Unmount: stop every running flow (the popup is closed, the lock released).
    pub fn shutdown(&self) {
        self.alive.set(false);
        if let Some(control) = self.flow.borrow_mut().take() {
            control.cancelled.set(true);
            control.close_popup();
        }
        self.release_lock();
    }

    pub(super) fn replace_flow(&self, control: Option<Rc<FlowControl>>) {
        let old = std::mem::replace(&mut *self.flow.borrow_mut(), control);
        if let Some(old) = old {
            old.cancelled.set(true);
            old.close_popup();
        }
    }

    fn is_current(&self, control: &Rc<FlowControl>) -> bool {
        self.flow
            .borrow()
            .as_ref()
            .is_some_and(|current| Rc::ptr_eq(current, control))
    }

    async fn popup_flow(
        &self,
        popup: &Window,
        control: &FlowControl,
    ) -> Result<FlowStatus, FlowError> {
        let api = &self.config.api;
        let secret = FlowSecret::generate().await.map_err(FlowError::Api)?;
        let flow = auth::start_flow(api, &secret.hash, None)
            .await
            .map_err(FlowError::Api)?;
        if control.cancelled.get() {
            return Err(FlowError::Cancelled);
        }
        // Known before the popup reaches the proxy's start page, which asks for it at once.
        control
            .keys
            .replace(Some(FlowKeys::new(&flow.flow_id, &secret.secret)));
        if popup.closed().unwrap_or(true) || popup.location().set_href(&flow.authorize_url).is_err()
        {
            return Err(FlowError::Cancelled);
        }
        self.follow_flow(&flow.flow_id, &secret.secret, control, Some(popup))
            .await
    }

    /// Long-polls the flow until it settles, watching the Cancel button and the popup.
    ///
    /// One status request at a time, and never abandoned when the proxy may be answering
    /// it: a `done` answer carries the session handle, possibly only once.
    async fn follow_flow(
        &self,
        flow_id: &str,
        secret: &str,
        control: &FlowControl,
        popup: Option<&Window>,
    ) -> Result<FlowStatus, FlowError> {
        let api = &self.config.api;
        let mut network_failures = 0;
        let mut popup = popup;
        loop {
            let abort = AbortController::new().ok();
            let signal = abort.as_ref().map(|a| a.signal());
            let mut poll = Box::pin(auth::flow_status(
                api,
                flow_id,
                secret,
                POLL_WAIT_SECONDS,
                signal.as_ref(),
            ));
            let answer = loop {
                match select(poll, Box::pin(self.watch(control, popup))).await {
                    Either::Left((answer, _)) => break answer,
                    Either::Right((Watch::Cancelled, _)) => {
                        if let Some(abort) = &abort {
                            abort.abort();
                        }
                        return Err(FlowError::Cancelled);
                    }
                    // The proxy's page announced the end: the long-poll in flight answers it.
                    Either::Right((Watch::Nudged, in_flight)) => poll = in_flight,
                    // The popup has gone on to the authorization server, whose
                    // Cross-Origin-Opener-Policy makes it look closed: it is no longer
                    // reachable, not necessarily closed. Keep following the flow (the Cancel
                    // button stays), and finish the action when it completes.
                    Either::Right((Watch::PopupClosed, in_flight)) if control.proof_sent.get() => {
                        popup = None;
                        poll = in_flight;
                    }
                    Either::Right((Watch::PopupClosed, in_flight)) => {
                        // Closed before the sign-in even began: the user closed it. (The
                        // callback page closes itself once the flow is done, and the proxy
                        // answers the long-poll at once then.)
                        let grace = Box::pin(sleep(Duration::from_millis(3000)));
                        let keys = FlowKeys::new(flow_id, secret);
                        return match select(in_flight, grace).await {
                            Either::Left((Ok(status), _)) => {
                                settle(api, status).unwrap_or(Err(FlowError::PopupClosed(keys)))
                            }
                            Either::Left((Err(error), _)) => Err(FlowError::Api(error)),
                            Either::Right(_) => {
                                if let Some(abort) = &abort {
                                    abort.abort();
                                }
                                Err(FlowError::PopupClosed(keys))
                            }
                        };
                    }
                }
            };
            match answer {
                Ok(status) => {
                    network_failures = 0;
                    if let Some(result) = settle(api, status) {
                        return result;
                    }
                }
                Err(ApiError::Network(message)) => {
                    network_failures += 1;
                    if network_failures >= 4 {
                        return Err(FlowError::Api(ApiError::Network(message)));
                    }
                    sleep(Duration::from_millis(1000)).await;
                }
                Err(error) => return Err(FlowError::Api(error)),
            }
        }
    }

    pub(super) fn finish_flow(
        &self,
        result: Result<FlowStatus, FlowError>,
        pending: Option<Pending>,
        control: &Rc<FlowControl>,
    ) {
        if !self.alive.get() || !self.is_current(control) || control.cancelled.get() {
            return;
        }
        self.replace_flow(None);
        match result {
            Ok(status) => {
                if let Some(handle) = status.session_handle.as_deref() {
                    session::store(&self.config.api, handle);
                }
                host_events::authorized(&self.config, status.user.as_deref());
                self.send(Action::Auth(AuthState::Authorized { user: status.user }));
                match pending {
                    Some(pending) => self.perform(pending, false),
                    None => self.send(Action::Idle),
                }
            }
            Err(FlowError::Cancelled) => {
                self.send(Action::AuthorizationStopped(Notice::AuthorizationCancelled))
            }
            Err(FlowError::PopupClosed(keys)) => {
                self.send(Action::AuthorizationStopped(Notice::AuthorizationCancelled));
                self.watch_late_completion(keys);
            }
            Err(FlowError::Denied) => {
                self.send(Action::AuthorizationStopped(Notice::AuthorizationDenied))
            }
            Err(FlowError::Expired) => {
                self.send(Action::AuthorizationStopped(Notice::AuthorizationExpired))
            }
            Err(FlowError::Failed(reason)) => self.send(Action::AuthorizationStopped(
                Notice::AuthorizationFailed(reason),
            )),
            Err(FlowError::Api(error)) => {
                self.send(Action::AuthorizationStopped(Notice::Api(error)))
            }
        }
    }

    /// After "cancelled by closing the popup", keeps listening to the flow in the background:
    /// if it still completes (a COOP-severed popup the user went on with), the session is
    /// stored so that the next click just works. The cancelled action is not replayed.
    fn watch_late_completion(&self, keys: FlowKeys) {
        let this = self.clone();
        spawn_local(async move {
            let mut failures = 0;
            while this.alive.get() && failures < 3 {
                let status = auth::flow_status(
                    &this.config.api,
                    &keys.flow_id,
                    &keys.secret,
                    POLL_WAIT_SECONDS,
                    None,
                );
                match status.await {
                    Ok(status) if status.status == FlowState::Pending => failures = 0,
                    Ok(status) => {
                        if status.status == FlowState::Done
                            && this.alive.get()
                            && let Some(handle) = status.session_handle.as_deref()
                        {
                            session::store(&this.config.api, handle);
                            host_events::authorized(&this.config, status.user.as_deref());
                            this.send(Action::Auth(AuthState::Authorized { user: status.user }));
                        }
                        return;
                    }
                    Err(_) => {
                        failures += 1;
                        sleep(Duration::from_millis(2000)).await;
                    }
                }
            }
        });
    }

    /// Another tab runs the flow: wait for its session handle, then act once here.
    async fn wait_for_other_tab(&self, pending: Option<Pending>, control: Rc<FlowControl>) {
        loop {
            sleep(Duration::from_millis(400)).await;
            if !self.alive.get() || control.cancelled.get() || !self.is_current(&control) {
                return;
            }
            // Lock first, handle second: the other tab stores the handle, then releases the lock.
            let lock_released = !self.lock_held_elsewhere();
            if session::load(&self.config.api).is_some() {
                self.replace_flow(None);
                self.refresh_status();
                match pending {
                    Some(pending) => self.perform(pending, true),
                    None => self.send(Action::Idle),
                }
                return;
            }
            if lock_released {
                self.replace_flow(None);
                self.send(Action::AuthorizationStopped(Notice::ConnectNeeded));
                return;
            }
        }
    }
}

fn settle(api: &crate::services::Api, status: FlowStatus) -> Option<Result<FlowStatus, FlowError>> {
    match status.status {
        FlowState::Pending => None,
        // `done` without a handle: it was handed to another request (or another tab) already.
        FlowState::Done if status.session_handle.is_none() && session::load(api).is_none() => {
            Some(Err(FlowError::Failed(Some(
                "the sign-in finished but no session reached this page; please connect again"
                    .into(),
            ))))
        }
        FlowState::Done => Some(Ok(status)),
        FlowState::Denied => Some(Err(FlowError::Denied)),
        FlowState::Expired => Some(Err(FlowError::Expired)),
        FlowState::Failed => Some(Err(FlowError::Failed(status.reason))),
    }
}

impl Controller {
    /// Resolves when the user cancels, the popup is closed, or the proxy's page posts a message.
    async fn watch(&self, control: &FlowControl, popup: Option<&Window>) -> Watch {
        // Checks before sleeping: a poll that answers quickly recreates this future each time.
        let mut first = true;
        loop {
            if !first {
                sleep(Duration::from_millis(300)).await;
            }
            first = false;
            self.renew_lock();
            if control.cancelled.get() {
                return Watch::Cancelled;
            }
            if control.nudged.replace(false) {
                return Watch::Nudged;
            }
            if let Some(popup) = popup
                && popup.closed().unwrap_or(true)
            {
                return Watch::PopupClosed;
            }
        }
    }
}
