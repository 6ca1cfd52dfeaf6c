//! Hooks and the submit/authorization controller.

pub mod controller;
pub mod use_controller;
pub mod use_page;
pub mod use_saved_draft;

pub use controller::Controller;
pub use use_controller::use_controller;
pub use use_page::{PageLoad, ShownPage, use_page};
pub use use_saved_draft::use_saved_draft;
