//! What the pickers of the meeting form share: the chosen addresses as chips, state that
//! answers arriving later change, and waiting for the input to settle.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use model::Field;
use yew::platform::spawn_local;
use yew::platform::time::sleep;
use yew::prelude::*;
use yew::virtual_dom::VList;

use crate::components::appointment_form::FieldsProps;

/// The chosen addresses of `field` in the draft.
pub fn chosen(props: &FieldsProps, field: Field) -> Vec<String> {
    let mut values = Vec::new();
    for line in props.state.value(field).lines() {
        values.push(line.to_owned());
    }
    values
}

/// Chips of `values`, each with a remove button named `Remove <value>`; `status` adds a word
/// after a value (a room's free/busy).
pub fn chips(
    props: &FieldsProps,
    field: Field,
    values: &[String],
    status: &dyn Fn(&str) -> Option<&'static str>,
    after_remove: Option<AttrValue>,
) -> Html {
    let t = props.config.locale.t();
    let label = props.config.locale.field_label(field);
    html! {
        <ul class="xf-chips" aria-label={label}>
            { each(values.len(), &|i| {
                let value = &values[i];
                let mut rest = values.to_vec();
                rest.remove(i);
                let edit = props.on_edit.clone();
                let focus = after_remove.clone();
                let host = props.config.host.clone();
                let onclick = Callback::from(move |_: MouseEvent| {
                    edit.emit((field, rest.join("\n")));
                    if let Some(id) = &focus {
                        crate::browser::focus_soon(&host, id.to_string());
                    }
                });
                html! {
                    <li class="xf-chip">
                        <span>{ value.clone() }</span>
                        if let Some(word) = status(value) { <span class="xf-muted">{ format!(" ({word})") }</span> }
                        <button type="button" class="xf-chip-remove" {onclick} disabled={props.state.busy()}
                            aria-label={format!("{} {value}", t.remove)}>{ "×" }</button>
                    </li>
                }
            }) }
        </ul>
    }
}

/// `count` items in a row: one loop for every list of the pickers instead of iterator
/// adapters instantiated for each.
pub fn each(count: usize, item: &dyn Fn(usize) -> Html) -> Html {
    let mut items = Vec::with_capacity(count);
    for i in 0..count {
        items.push(item(i));
    }
    VList::with_children(items, None).into()
}

/// State that answers arriving later change: kept in a cell and shown again by hand (one hook
/// per picker instead of one per value keeps the wasm small).
pub struct Shared<S> {
    pub cell: Rc<RefCell<S>>,
    redraw: UseForceUpdateHandle,
    /// False once the picker is gone (the widget destroyed): nothing more is asked for it.
    mounted: Rc<Cell<bool>>,
}

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Self {
            cell: self.cell.clone(),
            redraw: self.redraw.clone(),
            mounted: self.mounted.clone(),
        }
    }
}

impl<S> Shared<S> {
    /// The state `cell` (a part of this one) redrawn by the same hook.
    pub fn part<T>(&self, cell: &Rc<RefCell<T>>) -> Shared<T> {
        Shared {
            cell: cell.clone(),
            redraw: self.redraw.clone(),
            mounted: self.mounted.clone(),
        }
    }

    /// Changes the state and renders again.
    pub fn change(&self, change: impl FnOnce(&mut S)) {
        change(&mut self.cell.borrow_mut());
        self.redraw.force_update();
    }

    /// Waits for typing to pause: a check that nothing newer started since (and the picker is
    /// still there), or `None` when something already has or it is gone.
    pub async fn settled(
        &self,
        generation: Rc<Cell<u32>>,
        pause: Duration,
    ) -> Option<impl Fn() -> bool + use<S>> {
        let mine = generation.get().wrapping_add(1);
        generation.set(mine);
        sleep(pause).await;
        let mounted = self.mounted.clone();
        let current = move || mounted.get() && generation.get() == mine;
        current().then_some(current)
    }
}

/// A field's error under it, `id` naming it for the field's `aria-describedby`.
pub fn error_line(id: Option<String>, error: String) -> Html {
    html! {
        <p {id} class="xf-error">
            <span class="xf-error-icon" aria-hidden="true">{ "⚠ " }</span>{ error }
        </p>
    }
}

#[hook]
pub fn use_shared<S: Default + 'static>() -> Shared<S> {
    let mounted = use_memo((), |_| Cell::new(true));
    {
        let mounted = mounted.clone();
        use_effect_with((), move |_| move || mounted.set(false));
    }
    Shared {
        cell: use_mut_ref(S::default),
        redraw: use_force_update(),
        mounted,
    }
}

/// Runs `task` in the background. Every picker's tasks share this one boxed type, so the wasm
/// carries one copy of the spawning code rather than one per call site.
pub fn spawn(task: Pin<Box<dyn Future<Output = ()>>>) {
    spawn_local(task);
}
