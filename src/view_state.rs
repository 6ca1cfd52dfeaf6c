//! What a list view (the agenda, the task list) shows: which days and which page. Each view
//! keeps its own, apart from the form's state, so that typing never touches a list.

use std::rc::Rc;

use yew::Reducible;

/// The position of a list view; changing it fetches another page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewState {
    /// The agenda's 7 days, counted in weeks from today's (0: today and the next 6 days).
    pub week: i32,
    /// The cursors of the pages before the shown one (None: the first page).
    trail: Vec<Option<Rc<str>>>,
    /// The shown page's cursor (None: the first page).
    cursor: Option<Rc<str>>,
    /// Bumped to fetch the shown page again.
    pub reloads: u32,
}

impl ViewState {
    pub fn cursor(&self) -> Option<Rc<str>> {
        self.cursor.clone()
    }

    /// How many pages come before the shown one.
    pub fn page_index(&self) -> usize {
        self.trail.len()
    }
}

pub enum ViewAction {
    /// Other days: `weeks` weeks later (earlier when negative), from the first page.
    ShiftWeeks(i32),
    /// Back to today's 7 days.
    ThisWeek,
    /// The page after the shown one (its `nextCursor`).
    NextPage(Rc<str>),
    PreviousPage,
    /// The same page again, fresh.
    Reload,
}

impl Reducible for ViewState {
    type Action = ViewAction;

    fn reduce(self: Rc<Self>, action: ViewAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ViewAction::ShiftWeeks(weeks) => {
                next.week = next.week.saturating_add(weeks);
                next.trail.clear();
                next.cursor = None;
            }
            ViewAction::ThisWeek => {
                if next.week == 0 && next.cursor.is_none() {
                    return self;
                }
                next.week = 0;
                next.trail.clear();
                next.cursor = None;
            }
            ViewAction::NextPage(cursor) => {
                let shown = next.cursor.replace(cursor);
                next.trail.push(shown);
            }
            ViewAction::PreviousPage => match next.trail.pop() {
                Some(cursor) => next.cursor = cursor,
                None => return self,
            },
            ViewAction::Reload => next.reloads = next.reloads.wrapping_add(1),
        }
        Rc::new(next)
    }
}
