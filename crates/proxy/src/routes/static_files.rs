//! The widget's files: `index.html` at `/`, `www/…` and `pkg/…` from the static directory.
//!
//! `tower_http::services::ServeDir` refuses path traversal and guesses MIME types with
//! mime_guess (≥ 2.0.5: `.wasm` → application/wasm, needed by `WebAssembly.instantiateStreaming`;
//! `.js` → text/javascript). Only these three places are exposed: the rest of the static
//! directory (the repository root by default) holds sources and must not be served.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

pub fn router(static_dir: &Path) -> Router<AppState> {
    // Revalidate every time: `pkg/` is rebuilt in place with the same file names, and a stale
    // cached wasm next to a fresh JS glue file breaks the widget.
    let no_cache = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    Router::new()
        .route_service("/", ServeFile::new(static_dir.join("index.html")))
        .route_service("/index.html", ServeFile::new(static_dir.join("index.html")))
        .nest_service("/www", ServeDir::new(static_dir.join("www")))
        .nest_service("/pkg", ServeDir::new(static_dir.join("pkg")))
        .layer(no_cache)
}
