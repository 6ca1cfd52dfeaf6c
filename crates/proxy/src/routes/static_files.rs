//! The widget's files: `index.html` at `/`, `www/…` and `pkg/…` from the static directory.
//!
//! `tower_http::services::ServeDir` refuses path traversal and guesses MIME types with
//! mime_guess (≥ 2.0.5: `.wasm` → application/wasm, needed by `WebAssembly.instantiateStreaming`;
//! `.js` → text/javascript). Only these three places are exposed: the rest of the static
//! directory (the repository root by default) holds sources and must not be served.
//!
//! Compression: `cargo xtask build` writes `<file>.br` and `<file>.gz` next to each file, and
//! ServeDir sends the one the request's `Accept-Encoding` prefers (q-values honoured, `q=0`
//! refuses an encoding), or the file itself. A copy older than its file (the file was edited
//! after the build) is ignored, so an edit is served at once, uncompressed.
//!
//! Caching: a content-hashed name (`<name>-<16 hex digits>.<ext>`, as the build names the wasm)
//! never changes content, so it is cached for a year as immutable. Everything else
//! (`index.html`, the loader, the JS glue, the stylesheet) is revalidated on every use:
//! `no-cache` with an `ETag`, and `If-None-Match` answers 304 when nothing changed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Extensions of the precompressed copies, by their `Content-Encoding`.
const COPIES: [(&str, &str); 2] = [("br", "br"), ("gzip", "gz")];

pub fn router(static_dir: &Path) -> Router<AppState> {
    let root = Arc::new(static_dir.to_path_buf());
    let index = || {
        ServeFile::new(static_dir.join("index.html"))
            .precompressed_br()
            .precompressed_gzip()
    };
    let directory = |name: &str| {
        ServeDir::new(static_dir.join(name))
            .precompressed_br()
            .precompressed_gzip()
    };
    Router::new()
        .route_service("/", index())
        .route_service("/index.html", index())
        .nest_service("/www", directory("www"))
        .nest_service("/pkg", directory("pkg"))
        .layer(middleware::from_fn_with_state(root, caching))
}

/// Chooses the cache policy, adds `ETag` and `Vary`, answers `If-None-Match`, and keeps stale
/// precompressed copies out of the negotiation.
async fn caching(State(root): State<Arc<PathBuf>>, mut request: Request, next: Next) -> Response {
    let file = file_for(&root, request.uri().path());
    if let Some(file) = &file
        && has_stale_copy(file).await
    {
        tracing::debug!(file = %file.display(), "precompressed copy older than the file: served uncompressed");
        request.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    if if_none_match.is_some() {
        // RFC 9110 13.1.3: with If-None-Match, If-Modified-Since is ignored.
        request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    }
    let mut response = next.run(request).await;
    let status = response.status();
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    let policy = match &file {
        Some(file) if status.is_success() || status == StatusCode::NOT_MODIFIED => {
            if file
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_content_hashed)
            {
                IMMUTABLE
            } else {
                REVALIDATE
            }
        }
        _ => REVALIDATE,
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    if status != StatusCode::OK {
        return response;
    }
    let Some(file) = file else {
        return response;
    };
    let Some(etag) = entity_tag(&served_file(&file, response.headers())).await else {
        return response;
    };
    response.headers_mut().insert(header::ETAG, etag.clone());
    let unchanged = if_none_match
        .as_ref()
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| none_match_fails(value, &etag));
    if unchanged {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(value) = response.headers().get(&name) {
                not_modified.headers_mut().insert(name, value.clone());
            }
        }
        return not_modified;
    }
    response
}

/// The file a request path names, for its metadata; `None` for anything ServeDir would not
/// serve as a file (directories, `..`, other places). ServeDir itself still decides what to send.
fn file_for(root: &Path, path: &str) -> Option<PathBuf> {
    let (directory, rest) = match path {
        "/" | "/index.html" => return Some(root.join("index.html")),
        _ => {
            let rest = path.strip_prefix('/')?;
            rest.split_once('/')?
        }
    };
    if !matches!(directory, "www" | "pkg") || rest.is_empty() || rest.ends_with('/') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?;
    let mut file = root.join(directory);
    for segment in decoded.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." || segment.contains(['\\', '\0'])
        {
            return None;
        }
        file.push(segment);
    }
    Some(file)
}

/// `<name>-<16 lowercase hex digits>.<ext>`: the names `cargo xtask build` gives by content.
fn is_content_hashed(file_name: &str) -> bool {
    let Some((stem, _extension)) = file_name.split_once('.') else {
        return false;
    };
    stem.rsplit_once('-').is_some_and(|(name, hash)| {
        !name.is_empty()
            && hash.len() == 16
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Whether a precompressed copy of `file` is older than `file` itself.
async fn has_stale_copy(file: &Path) -> bool {
    let Ok(original) = tokio::fs::metadata(file).await.and_then(|m| m.modified()) else {
        return false;
    };
    for (_, extension) in COPIES {
        if let Ok(copy) = tokio::fs::metadata(with_extension(file, extension))
            .await
            .and_then(|m| m.modified())
            && copy < original
        {
            return true;
        }
    }
    false
}

/// The file ServeDir sent: the precompressed copy named by `Content-Encoding`, or the file.
fn served_file(file: &Path, response_headers: &HeaderMap) -> PathBuf {
    let encoding = response_headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    COPIES
        .iter()
        .find(|(name, _)| Some(*name) == encoding)
        .map(|(_, extension)| with_extension(file, extension))
        .unwrap_or_else(|| file.to_path_buf())
}

fn with_extension(file: &Path, extension: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

/// A strong validator from the served file's size and modification time (nanoseconds): it
/// changes whenever the build or an edit rewrites the file, and differs between encodings.
async fn entity_tag(file: &Path) -> Option<HeaderValue> {
    let metadata = tokio::fs::metadata(file).await.ok()?;
    let modified = metadata
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    HeaderValue::from_str(&format!("\"{:x}-{modified:x}\"", metadata.len())).ok()
}

/// `If-None-Match` (a list of entity tags, or `*`) names `etag`: weak comparison, as RFC 9110
/// requires for this header.
fn none_match_fails(if_none_match: &str, etag: &HeaderValue) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let Ok(etag) = etag.to_str() else {
        return false;
    };
    if_none_match
        .split(',')
        .any(|candidate| candidate.trim() == "*" || opaque(candidate) == opaque(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_served_places_map_to_files() {
        let root = Path::new("/srv");
        assert_eq!(file_for(root, "/"), Some(PathBuf::from("/srv/index.html")));
        assert_eq!(
            file_for(root, "/pkg/snippets/a%20b/dpop.js"),
            Some(PathBuf::from("/srv/pkg/snippets/a b/dpop.js"))
        );
        for path in [
            "/pkg/../Cargo.toml",
            "/pkg/%2e%2e/Cargo.toml",
            "/src/lib.rs",
            "/www/",
            "/www",
        ] {
            assert_eq!(file_for(root, path), None, "{path}");
        }
    }

    #[test]
    fn content_hashed_names_are_told_apart() {
        assert!(is_content_hashed("exchange_forms-0123456789abcdef.js"));
        assert!(is_content_hashed("exchange_forms_bg-0123456789abcdef.wasm"));
        assert!(!is_content_hashed("exchange_forms.js"));
        assert!(!is_content_hashed("dpop.js"));
        assert!(!is_content_hashed("exchange-forms-55049ad812a872d8"));
        assert!(!is_content_hashed("exchange_forms-0123456789ABCDEF.js"));
    }

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        let etag = HeaderValue::from_static("\"1f-abc\"");
        assert!(none_match_fails("\"1f-abc\"", &etag));
        assert!(none_match_fails("W/\"1f-abc\"", &etag));
        assert!(none_match_fails("\"zz\", \"1f-abc\"", &etag));
        assert!(none_match_fails("*", &etag));
        assert!(!none_match_fails("\"1f-abd\"", &etag));
        assert!(!none_match_fails("", &etag));
    }
}
