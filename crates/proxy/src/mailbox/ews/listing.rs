//! Paged reads: a calendar window (FindItem CalendarView) and the tasks folder (FindItem
//! IndexedPageItemView, newest first). See [`crate::mailbox::paging`] for the cursors.

use chrono::{DateTime, Utc};
use ews::operations::find_item::FindItem;
use ews::types::{
    EwsDateTime, ItemShape, PropertyPath, Restriction, SearchExpression, SortDirection,
};
use model::{Appointment, CalendarWindow, Page, PageLimit, Task, TaskFilter, TaskSort};

use super::sending::parse_find;
use super::{Acting, EwsMailbox, mapping};
use crate::mailbox::MailboxError;
use crate::mailbox::paging::{self, CalendarCursor, TaskCursor};
use crate::mailbox::retry::Budget;

/// Most items one FindItem returns: Exchange Online's EWSFindCountLimit.
const FIND_COUNT_LIMIT: usize = 1000;

impl EwsMailbox {
    /// The page of `window` after `cursor` (the first page without one): at most `limit`
    /// appointments in start order, occurrences of recurring series expanded.
    pub(super) async fn calendar_view_page(
        &self,
        acting: &Acting<'_>,
        window: CalendarWindow,
        limit: PageLimit,
        cursor: Option<CalendarCursor>,
    ) -> Result<Page<Appointment>, MailboxError> {
        let limit = limit.get() as usize;
        let start = cursor.map_or(window.start, |c| c.view_start(&window));
        let skip = cursor.map_or(0, |c| c.skip as usize);
        // The view returns again what still overlaps its start: ask for a page more than that,
        // and for more (up to Exchange's limit) until a page of unseen items is in.
        let mut max_entries = (2 * limit + 1).saturating_add(skip).min(FIND_COUNT_LIMIT);
        loop {
            let (items, view_has_more) = self
                .calendar_view(acting, start, window.end, max_entries)
                .await?;
            let fresh = paging::unseen(items, cursor.as_ref());
            if fresh.len() > limit || !view_has_more || max_entries >= FIND_COUNT_LIMIT {
                return paging::calendar_page(fresh, limit, cursor.as_ref(), view_has_more);
            }
            max_entries = (max_entries * 2).min(FIND_COUNT_LIMIT);
        }
    }

    /// One CalendarView: its items in start order (equal starts keep Exchange's order), and
    /// whether it stopped at `max_entries`.
    async fn calendar_view(
        &self,
        acting: &Acting<'_>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        max_entries: usize,
    ) -> Result<(Vec<Appointment>, bool), MailboxError> {
        let request = FindItem::calendar_view(
            EwsDateTime::utc(start),
            EwsDateTime::utc(end),
            Some(i32::try_from(max_entries).unwrap_or(i32::MAX)),
            ItemShape::default(),
        );
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        let mut budget = Budget::new(self.policy);
        let result = self
            .call(acting, &envelope, parse_find, &mut budget)
            .await?;
        let mut appointments = result
            .items
            .iter()
            .map(mapping::appointment_from_ews)
            .collect::<Result<Vec<_>, _>>()?;
        appointments.sort_by_key(|a| a.start);
        Ok((appointments, result.more_in_range()))
    }

    /// The page of the tasks folder after `cursor`: newest first, so that what was just
    /// created is on the first page.
    pub(super) async fn tasks_folder_page(
        &self,
        acting: &Acting<'_>,
        filter: TaskFilter,
        sort: TaskSort,
        limit: PageLimit,
        cursor: Option<TaskCursor>,
    ) -> Result<Page<Task>, MailboxError> {
        let offset = cursor.map_or(0, |c| c.offset);
        let as_int = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        let mut request =
            FindItem::tasks(as_int(offset), as_int(limit.get()), ItemShape::default());
        request = match sort {
            TaskSort::Created => request.sorted_by(
                PropertyPath::field("item:DateTimeCreated"),
                SortDirection::Descending,
            ),
            // Equal (and missing) due dates keep the newest first.
            TaskSort::Due => request
                .sorted_by(
                    PropertyPath::field("task:DueDate"),
                    SortDirection::Ascending,
                )
                .sorted_by(
                    PropertyPath::field("item:DateTimeCreated"),
                    SortDirection::Descending,
                ),
        };
        let completed = || SearchExpression::IsEqualTo {
            path: PropertyPath::field("task:Status"),
            value: "Completed".into(),
        };
        request.restriction = match filter {
            TaskFilter::All => None,
            TaskFilter::Open => Some(Restriction {
                expression: SearchExpression::Not {
                    item: Box::new(completed()),
                },
            }),
            TaskFilter::Completed => Some(Restriction {
                expression: completed(),
            }),
        };
        let envelope = self.envelope(request.to_envelope(&acting.headers))?;
        let mut budget = Budget::new(self.policy);
        let result = self
            .call(acting, &envelope, parse_find, &mut budget)
            .await?;
        let tasks = result
            .items
            .iter()
            .map(mapping::task_from_ews)
            .collect::<Result<Vec<_>, _>>()?;
        if !result.more_in_range() {
            return Ok(Page::last(tasks));
        }
        let next = result.next_offset(as_int(offset));
        match u32::try_from(next) {
            Ok(next) if next > offset => Ok(Page::followed_by(
                tasks,
                TaskCursor { offset: next }.encode(),
            )),
            _ => Err(MailboxError::Unreadable(format!(
                "the tasks page at offset {offset} says more follow but ends at offset {next}"
            ))),
        }
    }
}
