//! UpdateItem's changes applied to stored items, with Exchange's rules for each kind of field.

use ews::operations::update_item::{CalendarField, ItemUpdate, TaskField};
use ews::types::{CalendarItem, ExtendedFieldUri, ExtendedProperty, Item, PropertyPath, Task};

/// Applies this update to a stored calendar item (sandbox semantics). Returns an
/// error message for paths that are not editable calendar fields.
pub fn apply_to_calendar(update: &ItemUpdate, target: &mut CalendarItem) -> Result<(), String> {
    match update.path() {
        PropertyPath::Extended(f) => {
            let source = match update {
                ItemUpdate::Set {
                    item: Item::CalendarItem(src),
                    ..
                } => Some(src.item.extended_properties.as_slice()),
                _ => None,
            };
            replace_extended(&mut target.item.extended_properties, f, source);
            Ok(())
        }
        PropertyPath::Field { field_uri } => {
            let field = CalendarField::from_field_uri(field_uri)
                .ok_or_else(|| format!("{field_uri} is not an editable calendar item field"))?;
            match update {
                ItemUpdate::Delete { .. } => field.clear(target),
                ItemUpdate::Set {
                    item: Item::CalendarItem(src),
                    ..
                } => field.copy(src, target),
                ItemUpdate::Append {
                    item: Item::CalendarItem(src),
                    ..
                } => match field {
                    CalendarField::RequiredAttendees => target
                        .required_attendees
                        .extend(src.required_attendees.iter().cloned()),
                    CalendarField::OptionalAttendees => target
                        .optional_attendees
                        .extend(src.optional_attendees.iter().cloned()),
                    CalendarField::Resources => {
                        target.resources.extend(src.resources.iter().cloned())
                    }
                    _ => return Err(format!("cannot append to {field_uri}")),
                },
                _ => return Err("the update carries no t:CalendarItem".into()),
            }
            Ok(())
        }
        PropertyPath::IndexedField { field_uri, .. } => {
            Err(format!("{field_uri} is not supported"))
        }
    }
}

/// Applies this update to a stored task (sandbox semantics).
pub fn apply_to_task(update: &ItemUpdate, target: &mut Task) -> Result<(), String> {
    match update.path() {
        PropertyPath::Extended(f) => {
            let source = match update {
                ItemUpdate::Set {
                    item: Item::Task(src),
                    ..
                } => Some(src.item.extended_properties.as_slice()),
                _ => None,
            };
            replace_extended(&mut target.item.extended_properties, f, source);
            Ok(())
        }
        PropertyPath::Field { field_uri } => {
            let field = TaskField::from_field_uri(field_uri)
                .ok_or_else(|| format!("{field_uri} is not an editable task field"))?;
            match update {
                ItemUpdate::Delete { .. } => field.clear(target),
                ItemUpdate::Set {
                    item: Item::Task(src),
                    ..
                } => field.copy(src, target),
                _ => return Err("the update carries no t:Task".into()),
            }
            Ok(())
        }
        PropertyPath::IndexedField { field_uri, .. } => {
            Err(format!("{field_uri} is not supported"))
        }
    }
}

/// Sets (or, with no `source`, deletes) one extended property on a stored item: every stored
/// value of that property is dropped, then the update's values of it are added.
fn replace_extended(
    target: &mut Vec<ExtendedProperty>,
    field: &ExtendedFieldUri,
    source: Option<&[ExtendedProperty]>,
) {
    target.retain(|p| !p.field.same_property(field));
    if let Some(source) = source {
        target.extend(
            source
                .iter()
                .filter(|p| p.field.same_property(field))
                .cloned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ews::operations::update_item::ItemChange;
    use ews::operations::update_item::ItemField;
    use ews::types::{ItemFields, ItemId};

    fn values(props: &[ExtendedProperty]) -> Vec<Option<&str>> {
        props.iter().map(|p| p.value.as_deref()).collect()
    }

    #[test]
    fn set_fields_are_copied_and_deleted_ones_cleared() {
        let mut stored = CalendarItem {
            item: ItemFields {
                subject: Some("old".into()),
                ..Default::default()
            },
            location: Some("Room 4.12".into()),
            ..Default::default()
        };
        let new = CalendarItem {
            item: ItemFields {
                subject: Some("new".into()),
                ..Default::default()
            },
            location: None,
            ..Default::default()
        };
        let change = ItemChange::calendar(
            ItemId::new("AAMkID1"),
            &new,
            &[
                CalendarField::Item(ItemField::Subject),
                CalendarField::Location,
            ],
        );
        for update in &change.updates {
            apply_to_calendar(update, &mut stored).unwrap();
        }
        assert_eq!(stored.item.subject.as_deref(), Some("new"));
        assert_eq!(stored.location, None);
        let not_editable = ItemUpdate::Delete {
            path: PropertyPath::field("calendar:UID"),
        };
        assert!(
            apply_to_calendar(&not_editable, &mut stored)
                .unwrap_err()
                .contains("calendar:UID")
        );
    }

    #[test]
    fn extended_properties_are_replaced_then_deleted_on_both_item_kinds() {
        let mut calendar_item = CalendarItem {
            item: ItemFields {
                extended_properties: vec![ExtendedProperty::client_request_id("first")],
                ..Default::default()
            },
            ..Default::default()
        };
        let set = ItemUpdate::calendar_extended(ExtendedProperty::client_request_id("second"));
        apply_to_calendar(&set, &mut calendar_item).unwrap();
        assert_eq!(
            values(&calendar_item.item.extended_properties),
            [Some("second")]
        );
        let delete = ItemUpdate::Delete {
            path: PropertyPath::Extended(ExtendedFieldUri::client_request_id()),
        };
        apply_to_calendar(&delete, &mut calendar_item).unwrap();
        assert!(calendar_item.item.extended_properties.is_empty());

        let mut task = Task {
            item: ItemFields {
                extended_properties: vec![ExtendedProperty::client_request_id("first")],
                ..Default::default()
            },
            ..Default::default()
        };
        let set = ItemUpdate::task_extended(ExtendedProperty::client_request_id("second"));
        apply_to_task(&set, &mut task).unwrap();
        assert_eq!(values(&task.item.extended_properties), [Some("second")]);
        apply_to_task(&delete, &mut task).unwrap();
        assert!(task.item.extended_properties.is_empty());
    }
}
