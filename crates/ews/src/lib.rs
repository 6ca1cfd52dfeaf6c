//! EWS codec (placeholder, being written).
pub mod time_zone;
