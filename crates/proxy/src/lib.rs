//! Proxy (placeholder, being written).
