//! Security headers on everything the proxy serves. A header a handler already set (the
//! sign-in pages' own CSP and `Referrer-Policy: no-referrer`) is never replaced.
//!
//! * `X-Content-Type-Options: nosniff` everywhere.
//! * `Referrer-Policy: same-origin`: nothing leaks to other sites, and the widget page's own
//!   POSTs keep their `Origin` (under `no-referrer` browsers send `Origin: null`).
//! * CSP: the widget's files get [`static_files_csp`] (scripts from the proxy plus wasm,
//!   framing by the embedding origins); every other answer (JSON, errors) may load nothing and
//!   be framed by no one.

use std::path::Path;

use axum::http::{HeaderValue, header};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;
use crate::origins::OriginPattern;

pub const REFERRER_POLICY: &str = "same-origin";
pub const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// The headers every answer carries, each unless the handler chose its own.
pub fn defaults() -> [SetResponseHeaderLayer<HeaderValue>; 3] {
    [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, REFERRER_POLICY),
        (header::CONTENT_SECURITY_POLICY, DEFAULT_CSP),
    ]
    .map(|(name, value)| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    })
}

/// The CSP of the widget's files (`index.html`, `www/`, `pkg/`).
pub fn static_files_csp(config: &Config) -> SetResponseHeaderLayer<HeaderValue> {
    let policy = static_policy(&config.static_dir, &config.allowed_origins);
    // Built from origins and base64 hashes only; the fallback is stricter, never looser.
    let value =
        HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static(DEFAULT_CSP));
    SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, value)
}

/// Scripts and styles come from the proxy, plus the inline blocks of the pages it serves
/// (allowed by hash, read once at start-up: edit a page, restart the proxy). wasm needs
/// `'wasm-unsafe-eval'`. Pages may be framed by the proxy's own origin and the embedding ones.
pub fn static_policy(static_dir: &Path, embedding: &[OriginPattern]) -> String {
    let mut pages = vec![static_dir.join("index.html")];
    if let Ok(entries) = std::fs::read_dir(static_dir.join("www")) {
        let mut html: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "html"))
            .collect();
        html.sort();
        pages.extend(html);
    }
    let mut scripts = Vec::new();
    let mut styles = Vec::new();
    for page in pages {
        let Ok(text) = std::fs::read_to_string(&page) else {
            continue;
        };
        scripts.extend(inline_hashes(&text, "script"));
        styles.extend(inline_hashes(&text, "style"));
    }
    scripts.dedup();
    styles.dedup();
    let ancestors: Vec<String> = embedding.iter().map(csp_source).collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}; style-src 'self'{}; \
         img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'self'{}",
        prefixed(&scripts),
        prefixed(&styles),
        prefixed(&ancestors)
    )
}

fn prefixed(sources: &[String]) -> String {
    sources.iter().map(|s| format!(" {s}")).collect()
}

/// An embedding origin as a CSP source (`http://127.0.0.1:*` allows any port of that host).
fn csp_source(origin: &OriginPattern) -> String {
    match origin {
        OriginPattern::Exact(origin) => origin.clone(),
        OriginPattern::AnyPort { scheme, host } => format!("{scheme}://{host}:*"),
    }
}

/// `'sha256-…'` of each inline `<tag>` block (those without `src`) of an HTML page.
fn inline_hashes(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let attributes = &after[..tag_end];
        let body = &after[tag_end + 1..];
        let Some(body_end) = body.find(&close) else {
            break;
        };
        // `<scripts>` or `<styles>` would be other elements; `src` means not inline.
        let is_tag = attributes.is_empty() || attributes.starts_with(char::is_whitespace);
        if is_tag && !attributes.contains("src=") {
            let digest = Sha256::digest(&body.as_bytes()[..body_end]);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push(format!("'sha256-{encoded}'"));
        }
        rest = &body[body_end + close.len()..];
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_blocks_are_hashed() {
        let page =
            "<style>b{}</style><script src=\"a.js\"></script><script type=\"module\">x()</script>";
        let digest = |s: &str| {
            let d = Sha256::digest(s.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(d)
            )
        };
        assert_eq!(inline_hashes(page, "script"), [digest("x()")]);
        assert_eq!(inline_hashes(page, "style"), [digest("b{}")]);
    }
}
