//! HTML of the development authorization server: sign-in (pick a sandbox user), consent
//! (Allow / Deny) and errors. Plain forms, no script; relative form actions so the pages work
//! wherever the proxy is mounted.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::DevUser;
use crate::support::html_escape;
use crate::support::random_token;

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:30rem;padding:0 1rem;color:#1b1b1b}\
fieldset{border:1px solid #bbb;border-radius:6px;padding:1rem}label{display:block;margin:.4rem 0}\
button{font:inherit;padding:.45rem 1.2rem;margin-right:.6rem}.note{color:#555;font-size:.9rem}";

/// Wraps a body in the page shell with a strict CSP (no script, nonce'd inline style, not
/// framable).
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let nonce = random_token(16);
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — Sandbox sign-in</title><style nonce=\"{nonce}\">{STYLE}</style></head>\
         <body><main>{body}</main></body></html>",
        html_escape(title)
    );
    // No `form-action`: browsers apply it to every redirect that follows a form post, and after
    // consent the chain is redirect URI -> (full-page fallback) the embedding page, whose origin
    // this server does not know. The pages run no script, so the directive would protect nothing.
    let csp = format!(
        "default-src 'none'; style-src 'nonce-{nonce}'; base-uri 'none'; frame-ancestors 'none'"
    );
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

pub fn sign_in_page(request: &str, users: &[DevUser]) -> Response {
    let mut options = String::new();
    for (i, u) in users.iter().enumerate() {
        options.push_str(&format!(
            "<label><input type=\"radio\" name=\"user\" value=\"{}\"{}> {} &lt;{}&gt;</label>",
            html_escape(&u.email),
            if i == 0 { " checked" } else { "" },
            html_escape(&u.name),
            html_escape(&u.email),
        ));
    }
    let body = format!(
        "<h1>Sign in to the sandbox</h1>\
         <p class=\"note\">Development authorization server: no passwords, pick a sandbox user.</p>\
         <form method=\"post\" action=\"signin\">\
         <input type=\"hidden\" name=\"request\" value=\"{}\">\
         <fieldset><legend>Sandbox user</legend>{options}</fieldset>\
         <p><button type=\"submit\">Sign in</button></p></form>",
        html_escape(request)
    );
    page(StatusCode::OK, "Sign in", &body)
}

pub fn consent_page(request: &str, user: &DevUser, scope: &str) -> Response {
    let mut items = String::new();
    for s in scope.split_whitespace() {
        let what = match s {
            "openid" => "Sign you in",
            "email" => "See your e-mail address",
            "profile" => "See your name",
            "offline_access" => "Keep access while you are away (refresh tokens)",
            "ews" => "Read and write your sandbox calendar and tasks",
            _ => "",
        };
        items.push_str(&format!(
            "<li><code>{}</code> {}</li>",
            html_escape(s),
            html_escape(what)
        ));
    }
    let body = format!(
        "<h1>Allow access?</h1>\
         <p>Signed in as <strong>{}</strong> ({}).</p>\
         <p><strong>Exchange Forms</strong> asks to:</p><ul id=\"scopes\">{items}</ul>\
         <form method=\"post\" action=\"consent\">\
         <input type=\"hidden\" name=\"request\" value=\"{}\">\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>",
        html_escape(&user.name),
        html_escape(&user.email),
        html_escape(request),
    );
    page(StatusCode::OK, "Allow access", &body)
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<h1>Cannot continue</h1><p id=\"error\">{}</p>",
        html_escape(message)
    );
    page(status, "Error", &body)
}
