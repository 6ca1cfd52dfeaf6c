//! Hooks and the submit/authorization controller.

pub mod controller;
pub mod use_controller;
pub mod use_list;

pub use controller::Controller;
pub use use_controller::use_controller;
pub use use_list::{Loaded, use_list};
