//! The widget's hooks: the controller wired to the component, the page's list loads, the
//! unsent draft kept in storage.

pub mod use_controller;
pub mod use_page;
pub mod use_saved_draft;

pub use use_controller::use_controller;
pub use use_page::{PageLoad, ShownPage, use_page};
pub use use_saved_draft::use_saved_draft;
