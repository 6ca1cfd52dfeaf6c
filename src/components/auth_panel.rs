//! "Signed in as …" with Sign out.

use std::rc::Rc;

use yew::prelude::*;

use crate::config::WidgetConfig;
use crate::state::AuthState;

#[derive(Properties, PartialEq)]
pub struct AuthPanelProps {
    pub config: Rc<WidgetConfig>,
    pub auth: AuthState,
    pub busy: bool,
    pub on_sign_out: Callback<()>,
}

#[component]
pub fn AuthPanel(props: &AuthPanelProps) -> Html {
    let t = props.config.locale.t();
    match &props.auth {
        AuthState::Authorized { user } => {
            let onclick = props.on_sign_out.reform(|_: MouseEvent| ());
            html! {
                <div class="xf-auth">
                    <span class="xf-auth-user">
                        { t.signed_in_as }{ " " }
                        <strong>{ user.clone().unwrap_or_else(|| "…".into()) }</strong>
                    </span>
                    <button type="button" class="xf-link" {onclick} disabled={props.busy}>{ t.sign_out }</button>
                </div>
            }
        }
        AuthState::Unauthorized => html! {
            <div class="xf-auth xf-muted">{ t.not_signed_in }</div>
        },
        AuthState::Unknown => html! {},
    }
}
