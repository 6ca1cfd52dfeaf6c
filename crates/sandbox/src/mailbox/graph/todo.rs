//! Microsoft To Do over the mailbox's tasks folder: one default list per mailbox
//! (`wellknownListName: defaultList`) and its [todoTask](https://learn.microsoft.com/en-us/graph/api/resources/todotask)s,
//! which are the same tasks the EWS front end lists.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use ews::types::{EwsDateTime, Item, ItemId, Task, TaskStatus};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{GraphError, GraphResult};
use super::fields::{self, GraphImportance, ItemBody, nullable};
use super::query::{self, Filter, Query, SingleValueProperty};
use super::recurrence::{self, PatternedRecurrence};
use super::time::{self, DateTimeTimeZone, Zone};
use super::{
    Caller, GraphPath, State as Mailbox, collection, created, etag, if_match, json_body, next_page,
};
use crate::mailbox::items::{self, TASKS};
use crate::mailbox::store::{ItemRecord, ItemStore, WriteOutcome};

/// The id of every mailbox's default task list (the tasks folder).
pub const DEFAULT_LIST_ID: &str = "AAMkSBXFolderTasks";
const DEFAULT_TOP: u32 = 100;
const MAX_TITLE: usize = 255;

fn default_list() -> Value {
    json!({
        "@odata.etag": etag("tasks"),
        "id": DEFAULT_LIST_ID,
        "displayName": "Tasks",
        "isOwner": true,
        "isShared": false,
        "wellknownListName": "defaultList",
    })
}

fn check_list(list: &str) -> GraphResult<()> {
    if list == DEFAULT_LIST_ID {
        Ok(())
    } else {
        Err(GraphError::not_found())
    }
}

pub async fn lists(Caller(_caller): Caller) -> Json<Value> {
    Json(collection(vec![default_list()], None))
}

pub async fn list(
    Caller(_caller): Caller,
    GraphPath(list): GraphPath<String>,
) -> GraphResult<Json<Value>> {
    check_list(&list)?;
    Ok(Json(default_list()))
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
enum GraphStatus {
    NotStarted,
    InProgress,
    Completed,
    WaitingOnOthers,
    Deferred,
}

fn status_name(status: Option<TaskStatus>) -> &'static str {
    match status {
        Some(TaskStatus::InProgress) => "inProgress",
        Some(TaskStatus::Completed) => "completed",
        Some(TaskStatus::WaitingOnOthers) => "waitingOnOthers",
        Some(TaskStatus::Deferred) => "deferred",
        _ => "notStarted",
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TaskInput {
    title: Option<String>,
    body: Option<ItemBody>,
    #[serde(default, deserialize_with = "nullable")]
    due_date_time: Option<Option<DateTimeTimeZone>>,
    #[serde(default, deserialize_with = "nullable")]
    start_date_time: Option<Option<DateTimeTimeZone>>,
    status: Option<GraphStatus>,
    importance: Option<GraphImportance>,
    is_reminder_on: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    reminder_date_time: Option<Option<DateTimeTimeZone>>,
    categories: Option<Vec<String>>,
    /// `null` stops the task repeating.
    #[serde(default, deserialize_with = "nullable")]
    recurrence: Option<Option<PatternedRecurrence>>,
    single_value_extended_properties: Option<Vec<SingleValueProperty>>,
}

fn instant(value: &Option<DateTimeTimeZone>, property: &str) -> GraphResult<Option<EwsDateTime>> {
    value
        .as_ref()
        .map(|v| v.resolve(property).map(|(t, _)| EwsDateTime::utc(t)))
        .transpose()
}

fn apply(input: TaskInput, task: &mut Task, now: DateTime<Utc>) -> GraphResult<()> {
    if let Some(title) = &input.title {
        if title.chars().count() > MAX_TITLE {
            return Err(GraphError::invalid_property(
                "title",
                "is longer than 255 characters",
            ));
        }
        task.item.subject = Some(title.clone());
    }
    if let Some(body) = &input.body {
        task.item.body = Some(body.to_ews()?);
    }
    if let Some(due) = &input.due_date_time {
        task.due_date = instant(due, "dueDateTime")?;
    }
    if let Some(start) = &input.start_date_time {
        task.start_date = instant(start, "startDateTime")?;
    }
    if let Some(status) = input.status {
        let status = match status {
            GraphStatus::NotStarted => TaskStatus::NotStarted,
            GraphStatus::InProgress => TaskStatus::InProgress,
            GraphStatus::Completed => TaskStatus::Completed,
            GraphStatus::WaitingOnOthers => TaskStatus::WaitingOnOthers,
            GraphStatus::Deferred => TaskStatus::Deferred,
        };
        let completed = status == TaskStatus::Completed;
        task.status = Some(status);
        task.is_complete = Some(completed);
        task.percent_complete = Some(if completed { 100.0 } else { 0.0 });
        task.complete_date = completed.then(|| EwsDateTime::utc(now));
    }
    if let Some(importance) = input.importance {
        task.item.importance = Some(importance.to_ews());
    }
    if let Some(on) = input.is_reminder_on {
        task.item.reminder_is_set = Some(on);
    }
    if let Some(reminder) = &input.reminder_date_time {
        task.item.reminder_due_by = instant(reminder, "reminderDateTime")?;
    }
    if let Some(values) = &input.categories {
        task.item.categories = Some(fields::categories(values)?);
    }
    if let Some(recurrence) = &input.recurrence {
        task.recurrence = recurrence
            .as_ref()
            .map(PatternedRecurrence::to_ews)
            .transpose()?;
    }
    if let Some(properties) = &input.single_value_extended_properties {
        query::merge_properties(
            &mut task.item.extended_properties,
            query::extended_properties(properties)?,
        );
    }
    Ok(())
}

fn utc_of(value: Option<&EwsDateTime>) -> Option<DateTime<Utc>> {
    value.and_then(EwsDateTime::to_utc)
}

fn to_json(task: &Task, zone: &Zone, with_properties: bool) -> Value {
    let (id, change_key) = task
        .item
        .item_id
        .as_ref()
        .map(|i| (i.id.clone(), i.change_key.clone().unwrap_or_default()))
        .unwrap_or_default();
    let stamp = |v: Option<&EwsDateTime>| utc_of(v).map(time::timestamp);
    let zoned = |v: Option<&EwsDateTime>| utc_of(v).map(|t| time::to_graph(t, zone));
    let mut value = json!({
        "@odata.etag": etag(&change_key),
        "id": id,
        "title": task.item.subject.clone().unwrap_or_default(),
        "body": fields::body_json(task.item.body.as_ref()),
        "importance": fields::importance_name(task.item.importance),
        "status": status_name(task.status),
        "isReminderOn": task.item.reminder_is_set.unwrap_or(false),
        "categories": task.item.categories.clone().unwrap_or_default(),
        "hasAttachments": false,
        "createdDateTime": stamp(task.item.date_time_created.as_ref()),
        "lastModifiedDateTime": stamp(task.item.last_modified_time.as_ref()),
        "bodyLastModifiedDateTime": stamp(task.item.last_modified_time.as_ref()),
    });
    let optional = [
        ("dueDateTime", zoned(task.due_date.as_ref())),
        ("startDateTime", zoned(task.start_date.as_ref())),
        (
            "reminderDateTime",
            zoned(task.item.reminder_due_by.as_ref()),
        ),
        ("completedDateTime", zoned(task.complete_date.as_ref())),
    ];
    for (name, field) in optional {
        if let Some(field) = field {
            value[name] = field;
        }
    }
    if let Some(recurrence) = &task.recurrence {
        value["recurrence"] = recurrence::to_graph(recurrence, &zone.name);
    }
    if with_properties {
        value["singleValueExtendedProperties"] =
            query::properties_json(&task.item.extended_properties);
    }
    value
}

/// The stored task `id` with its record; 404 for anything else.
async fn stored_task(store: &ItemStore, caller: &str, id: &str) -> GraphResult<(ItemRecord, Task)> {
    let record = store
        .get(caller, id)
        .await?
        .ok_or_else(GraphError::not_found)?;
    let task = task_of(&record)?.ok_or_else(GraphError::not_found)?;
    Ok((record, task))
}

fn task_of(record: &ItemRecord) -> GraphResult<Option<Task>> {
    Ok(match items::from_record(record)? {
        Item::Task(task) if record.folder == TASKS => Some(task),
        _ => None,
    })
}

/// `GET …/tasks`: in creation order, or newest first with `$orderby=createdDateTime desc`.
pub async fn tasks(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    uri: OriginalUri,
    GraphPath(list): GraphPath<String>,
    RawQuery(raw): RawQuery,
) -> GraphResult<Json<Value>> {
    check_list(&list)?;
    let query = Query::parse(raw.as_deref())?;
    let mut by_due = false;
    let newest_first = match query
        .orderby
        .as_deref()
        .map(|o| o.trim().to_ascii_lowercase())
    {
        None => false,
        Some(o) if o == "createddatetime" || o == "createddatetime asc" => false,
        Some(o) if o == "createddatetime desc" => true,
        Some(o) if o == "duedatetime/datetime" || o == "duedatetime/datetime asc" => {
            by_due = true;
            false
        }
        Some(o) => {
            return Err(GraphError::bad_request(format!(
                "$orderby '{}' is not supported by the sandbox; use createdDateTime [asc|desc] or dueDateTime/dateTime.",
                time::truncated(&o)
            )));
        }
    };
    let zone = time::preferred_zone(&headers);
    let top = query.top.unwrap_or(DEFAULT_TOP);
    let store = &mailbox.store;
    let filter = query.filter()?;
    if matches!(filter, Some(Filter::TransactionId(_))) {
        return Err(GraphError::bad_request(
            "Tasks have no transactionId; filter on singleValueExtendedProperties.",
        ));
    }
    let (page, total) = if by_due || filter.is_some() {
        let keep = |task: &ews::types::Task| match &filter {
            None => true,
            Some(Filter::ExtendedProperty { field, value }) => {
                query::has_property(&task.item.extended_properties, field, value)
            }
            Some(Filter::Status { equal, status }) => {
                (status_name(task.status) == status.as_str()) == *equal
            }
            Some(Filter::TransactionId(_)) => false,
        };
        let mut all = Vec::new();
        for record in store.all_in_folder(&caller, TASKS).await? {
            if let Some(task) = task_of(&record)?
                && keep(&task)
            {
                all.push(task);
            }
        }
        if newest_first {
            all.reverse();
        }
        if by_due {
            // Soonest due first; tasks without a due date last (stable: creation order).
            all.sort_by_key(|t| {
                (
                    t.due_date.is_none(),
                    t.due_date.as_ref().and_then(|d| d.to_utc()),
                )
            });
        }
        query.window(all, top)
    } else {
        let page = store
            .list(&caller, TASKS, query.skip, top, newest_first)
            .await?;
        let mut found = Vec::new();
        for record in &page.items {
            found.extend(task_of(record)?);
        }
        (found, page.total)
    };
    let with_properties = query.expands_extended_properties();
    let values = page
        .iter()
        .map(|t| to_json(t, &zone, with_properties))
        .collect();
    let next = next_page(&uri, &headers, query.skip, top, total);
    Ok(Json(collection(values, next)))
}

pub async fn create(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    GraphPath(list): GraphPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> GraphResult<Response> {
    check_list(&list)?;
    let input: TaskInput = json_body(body)?;
    if input.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err(GraphError::invalid_property("title", "is required"));
    }
    let now = Utc::now();
    let mut task = Task::default();
    apply(input, &mut task, now)?;
    let task = items::new_task(task, &caller, now).map_err(|e| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRequest",
            e.message_text.unwrap_or(e.response_code),
        )
    })?;
    mailbox
        .store
        .insert(&items::to_record(&Item::Task(task.clone()), &caller, now)?)
        .await?;
    Ok(created(to_json(
        &task,
        &time::preferred_zone(&headers),
        false,
    )))
}

pub async fn get_one(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    GraphPath((list, id)): GraphPath<(String, String)>,
    RawQuery(raw): RawQuery,
) -> GraphResult<Json<Value>> {
    check_list(&list)?;
    let query = Query::parse(raw.as_deref())?;
    let (_, task) = stored_task(&mailbox.store, &caller, &id).await?;
    Ok(Json(to_json(
        &task,
        &time::preferred_zone(&headers),
        query.expands_extended_properties(),
    )))
}

pub async fn update(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    GraphPath((list, id)): GraphPath<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> GraphResult<Json<Value>> {
    check_list(&list)?;
    let input: TaskInput = json_body(body)?;
    let store = &mailbox.store;
    let expected = if_match(&headers)?;
    let (record, mut task) = stored_task(store, &caller, &id).await?;
    if expected
        .as_deref()
        .is_some_and(|key| key != record.change_key)
    {
        return Err(GraphError::precondition_failed());
    }
    let now = Utc::now();
    apply(input, &mut task, now)?;
    task.item.last_modified_time = Some(EwsDateTime::utc(now));
    task.item.item_id = Some(ItemId::with_change_key(&record.id, items::new_change_key()));
    let updated = items::to_record(&Item::Task(task.clone()), &caller, now)?;
    match store.replace(&updated, Some(&record.change_key)).await? {
        WriteOutcome::Done => Ok(Json(to_json(&task, &time::preferred_zone(&headers), false))),
        WriteOutcome::NotFound => Err(GraphError::not_found()),
        WriteOutcome::ChangeKeyMismatch => Err(GraphError::precondition_failed()),
    }
}

pub async fn delete(
    State(mailbox): State<Mailbox>,
    Caller(caller): Caller,
    headers: HeaderMap,
    GraphPath((list, id)): GraphPath<(String, String)>,
) -> GraphResult<Response> {
    check_list(&list)?;
    let store = &mailbox.store;
    let expected = if_match(&headers)?;
    stored_task(store, &caller, &id).await?;
    match store.delete(&caller, &id, expected.as_deref()).await? {
        WriteOutcome::Done => Ok(StatusCode::NO_CONTENT.into_response()),
        WriteOutcome::NotFound => Err(GraphError::not_found()),
        WriteOutcome::ChangeKeyMismatch => Err(GraphError::precondition_failed()),
    }
}
