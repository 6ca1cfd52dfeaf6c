//! Tasks through Microsoft To Do: the user's task list (configured, or their default list,
//! remembered briefly), creates that never happen twice, and pages newest first.
//!
//! No duplicate creates: To Do has no transactionId, and a todoTask takes no extended
//! properties (its resource is not an open type). Every task we create carries a
//! linkedResource — "ID of the object that is associated with this task on the
//! third-party/partner system" — with our client request id as `externalId`, sent in the same
//! POST as the task, so it exists exactly when the task does. Listing tasks returns their
//! linked resources (Microsoft's list example shows them), so after an unknown outcome we read
//! the newest tasks, back to the oldest an idempotency key can be replayed for, and match it.
//! Open extensions were the alternative; filtering tasks by one is not documented for To Do.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use model::{Field, FieldErrors, NewTask, Page, PageLimit, Task, TaskFilter, TaskSort};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::GraphMailbox;
use super::transport::{FindCreated, Request, segment};
use super::wire::{Collection, NewTodoTask, TodoFields, TodoTask, TodoTaskList};
use crate::mailbox::paging::TaskCursor;
use crate::mailbox::retry::Budget;
use crate::mailbox::{CreateOnce, ItemVersion, MailboxError};

/// How long a user's default list id is reused before it is read again.
const LIST_TTL: Duration = Duration::from_secs(600);
/// Users remembered at once; past it the memory starts over.
const LIST_CACHE_MAX: usize = 10_000;
/// Pages of lists read looking for the default one.
const MAX_LIST_PAGES: usize = 20;
/// How far back a lost create is looked for: the idempotency key's lifetime and a margin.
const LOOKBACK: chrono::Duration = chrono::Duration::hours(25);
/// Tasks read per page, and pages at most, looking for a lost create.
const LOOKUP_PAGE: u32 = 100;
const LOOKUP_MAX_PAGES: usize = 10;

/// Default list ids by user. The backend knows users only by their token, so the key is the
/// token's SHA-256 (never the token): a refreshed token costs one more list read.
#[derive(Default)]
pub(super) struct ListCache {
    entries: Mutex<HashMap<[u8; 32], (String, Instant)>>,
}

fn cache_key(token: &SecretString) -> [u8; 32] {
    Sha256::digest(token.expose_secret().as_bytes()).into()
}

impl ListCache {
    fn get(&self, token: &SecretString) -> Option<String> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&cache_key(token))
            .filter(|(_, at)| at.elapsed() < LIST_TTL)
            .map(|(id, _)| id.clone())
    }

    fn put(&self, token: &SecretString, id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= LIST_CACHE_MAX {
                entries.retain(|_, (_, at)| at.elapsed() < LIST_TTL);
                if entries.len() >= LIST_CACHE_MAX {
                    entries.clear();
                }
            }
            entries.insert(cache_key(token), (id.to_owned(), Instant::now()));
        }
    }

    fn forget(&self, token: &SecretString) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&cache_key(token));
        }
    }
}

impl GraphMailbox {
    /// The list tasks go to: `graph.todo_list_id`, else the user's `defaultList`.
    async fn task_list(
        &self,
        token: &SecretString,
        budget: &mut Budget,
    ) -> Result<String, MailboxError> {
        if let Some(id) = &self.todo_list_id {
            return Ok(id.clone());
        }
        if let Some(id) = self.lists.get(token) {
            return Ok(id);
        }
        let mut request = Request::get(self.url(&["me", "todo", "lists"], &[]), "graph.listLists");
        for _ in 0..MAX_LIST_PAGES {
            let page: Collection<TodoTaskList> = self.call(token, &request, budget).await?;
            if let Some(list) = page
                .value
                .iter()
                .find(|l| l.wellknown_list_name.as_deref() == Some("defaultList"))
            {
                self.lists.put(token, &list.id);
                return Ok(list.id.clone());
            }
            match page.next_link {
                Some(link) => request = Request::get(self.next_link(&link)?, "graph.listLists"),
                None => break,
            }
        }
        Err(MailboxError::NotFound(
            "Microsoft To Do has no default task list for this user; set graph.todo_list_id".into(),
        ))
    }

    /// A list that vanished (deleted, or moved) is read again on the next call.
    fn forget_list_if_gone<T>(
        &self,
        token: &SecretString,
        result: Result<T, MailboxError>,
    ) -> Result<T, MailboxError> {
        if matches!(result, Err(MailboxError::NotFound(_))) {
            self.lists.forget(token);
        }
        result
    }

    pub(super) async fn create_todo_task(
        &self,
        token: &SecretString,
        task: &NewTask,
        once: &CreateOnce,
    ) -> Result<Task, MailboxError> {
        storable(task)?;
        let mut budget = Budget::new(self.policy);
        let list = self.task_list(token, &mut budget).await?;
        let client_request_id = once.client_request_id.as_str();
        let request = Request::post(
            self.url(&["me", "todo", "lists", &list, "tasks"], &[]),
            &NewTodoTask::new(task, client_request_id),
            "graph.createTask",
        )?;
        let created: Result<TodoTask, _> = self
            .create_once(
                token,
                &request,
                once,
                &mut budget,
                TaskLookup {
                    list: &list,
                    client_request_id,
                },
            )
            .await;
        self.forget_list_if_gone(token, created)
            .map(|task| task.to_task())
    }
}

/// The task an earlier attempt created, among the newest of `list`.
struct TaskLookup<'a> {
    list: &'a str,
    client_request_id: &'a str,
}

impl FindCreated for TaskLookup<'_> {
    type Item = TodoTask;

    async fn find(
        &self,
        mailbox: &GraphMailbox,
        token: &SecretString,
        budget: &mut Budget,
    ) -> Result<Option<TodoTask>, MailboxError> {
        let oldest = chrono::Utc::now() - LOOKBACK;
        let url = mailbox.url(
            &["me", "todo", "lists", self.list, "tasks"],
            &[
                ("$orderby", "createdDateTime desc".into()),
                ("$top", LOOKUP_PAGE.to_string()),
            ],
        );
        let mut request = Request::get(url, "graph.findTask");
        for _ in 0..LOOKUP_MAX_PAGES {
            let page: Collection<TodoTask> = mailbox.call(token, &request, budget).await?;
            if let Some(found) = page
                .value
                .iter()
                .find(|t| t.made_by(self.client_request_id))
            {
                return Ok(Some(found.clone()));
            }
            let reached_the_past = page
                .value
                .last()
                .and_then(|t| t.created_date_time)
                .is_some_and(|created| created < oldest);
            match page.next_link {
                Some(link) if !reached_the_past => {
                    request = Request::get(mailbox.next_link(&link)?, "graph.findTask");
                }
                _ => break,
            }
        }
        Ok(None)
    }
}

impl GraphMailbox {
    /// The page of the list's tasks after `cursor`, newest first. Graph may answer fewer
    /// than `$top` with a next link; those are followed until the page is full, so that a
    /// page never ends early at a server cap.
    ///
    /// `filter` and `sort` are Graph's `$filter` and `$orderby`. Sorting by due date: where
    /// Graph puts tasks without one is not documented, so when the whole list fits in one
    /// page it is put in order here (no due date last); across pages Graph's order stands, as
    /// re-sorting one page would break the order across pages.
    pub(super) async fn todo_page(
        &self,
        token: &SecretString,
        filter: TaskFilter,
        sort: TaskSort,
        limit: PageLimit,
        cursor: Option<TaskCursor>,
    ) -> Result<Page<Task>, MailboxError> {
        let mut budget = Budget::new(self.policy);
        let list = self.task_list(token, &mut budget).await?;
        let limit = limit.get() as usize;
        let offset = cursor.map_or(0, |c| c.offset);
        let mut query = Vec::new();
        match filter {
            TaskFilter::All => {}
            TaskFilter::Open => query.push(("$filter", "status ne 'completed'".to_owned())),
            TaskFilter::Completed => query.push(("$filter", "status eq 'completed'".to_owned())),
        }
        let order = match sort {
            TaskSort::Created => "createdDateTime desc",
            TaskSort::Due => "dueDateTime/dateTime",
        };
        query.extend([
            ("$orderby", order.to_owned()),
            ("$top", limit.to_string()),
            ("$skip", offset.to_string()),
        ]);
        let url = self.url(&["me", "todo", "lists", &list, "tasks"], &query);
        let mut request = Request::get(url, "graph.listTasks");
        let mut tasks = Vec::new();
        let more = loop {
            let page: Result<Collection<TodoTask>, _> =
                self.call(token, &request, &mut budget).await;
            let page = self.forget_list_if_gone(token, page)?;
            let got = page.value.len();
            tasks.extend(page.value.iter().map(TodoTask::to_task));
            match page.next_link {
                Some(link) if tasks.len() < limit && got > 0 => {
                    request = Request::get(self.next_link(&link)?, "graph.listTasks");
                }
                next => break next.is_some() || tasks.len() > limit,
            }
        };
        tasks.truncate(limit);
        if !more {
            if sort == TaskSort::Due && offset == 0 {
                tasks.sort_by_key(|t| (t.due_date.is_none(), t.due_date));
            }
            return Ok(Page::last(tasks));
        }
        let next = u32::try_from(tasks.len())
            .ok()
            .and_then(|n| offset.checked_add(n))
            .filter(|next| *next > offset && i32::try_from(*next).is_ok());
        match next {
            Some(next) => Ok(Page::followed_by(
                tasks,
                TaskCursor { offset: next }.encode(),
            )),
            None => Err(MailboxError::Unreadable(format!(
                "the tasks page at offset {offset} says more follow but holds none"
            ))),
        }
    }
}

impl GraphMailbox {
    pub(super) async fn todo_task(
        &self,
        token: &SecretString,
        id: &str,
    ) -> Result<Task, MailboxError> {
        let mut budget = Budget::new(self.policy);
        let list = self.task_list(token, &mut budget).await?;
        let url = self.url(&["me", "todo", "lists", &list, "tasks", segment(id)?], &[]);
        let task: Result<TodoTask, _> = self
            .call(token, &Request::get(url, "graph.getTask"), &mut budget)
            .await;
        Ok(task?.to_task())
    }

    pub(super) async fn update_todo_task(
        &self,
        token: &SecretString,
        id: &str,
        version: &ItemVersion,
        task: &NewTask,
    ) -> Result<Task, MailboxError> {
        storable(task)?;
        let mut budget = Budget::new(self.policy);
        let list = self.task_list(token, &mut budget).await?;
        let request = Request::patch(
            self.url(&["me", "todo", "lists", &list, "tasks", segment(id)?], &[]),
            &TodoFields::changes(task),
            "graph.updateTask",
        )?
        .if_match(version);
        let updated: TodoTask = self.change(token, &request, &mut budget).await?;
        Ok(updated.to_task())
    }

    pub(super) async fn delete_todo_task(
        &self,
        token: &SecretString,
        id: &str,
        version: &ItemVersion,
    ) -> Result<(), MailboxError> {
        let mut budget = Budget::new(self.policy);
        let list = self.task_list(token, &mut budget).await?;
        let request = Request::delete(
            self.url(&["me", "todo", "lists", &list, "tasks", segment(id)?], &[]),
            "graph.deleteTask",
        )
        .if_match(version);
        self.change(token, &request, &mut budget).await
    }
}

/// To Do keeps progress only as the status (completed = 100 %): a percentage in between would
/// be lost, so it is refused on its field instead, with what To Do can keep.
fn storable(task: &NewTask) -> Result<(), MailboxError> {
    if matches!(task.percent_complete, 0 | 100) {
        return Ok(());
    }
    let mut fields = FieldErrors::new();
    fields.add(
        Field::PercentComplete,
        "Microsoft To Do keeps no percentage complete, only the status: leave it empty, or choose \"Completed\".",
    );
    Err(MailboxError::NotStorable(fields))
}
