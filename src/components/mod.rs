//! The widget's components.

pub mod appointment_form;
pub mod auth_panel;
pub mod calendar_view;
pub mod combobox;
pub mod confirmation;
pub mod editor_bar;
pub mod field;
pub mod form_view;
pub mod item_actions;
pub mod list;
pub mod meeting_options;
pub mod meeting_planner;
pub mod outcome;
pub mod picker;
pub mod recurrence_editor;
pub mod task_form;
pub mod task_list;
