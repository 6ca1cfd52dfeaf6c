//! EWS codec (placeholder, being written).
