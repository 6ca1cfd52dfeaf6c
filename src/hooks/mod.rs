//! Hooks and the submit/authorization controller.

pub mod controller;
pub mod use_controller;

pub use controller::Controller;
pub use use_controller::use_controller;
