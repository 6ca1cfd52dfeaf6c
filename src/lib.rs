//! Widget (placeholder, being written).
