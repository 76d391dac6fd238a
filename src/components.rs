//! Leptos views. They read [`WidgetState`](crate::state::WidgetState) from context, where
//! only the donor's inputs are writable, and render API text only as text nodes, never as HTML.
//! The form's editors ([`AmountPicker`], [`DonorForm`]) are handed the halves they edit and
//! check as props instead, as in Leptos's todomvc; the other views keep the context.

mod amount_picker;
mod donor_form;
mod goal;
mod organization;
pub(crate) mod split;
mod status;
mod widget;

pub use amount_picker::AmountPicker;
pub use donor_form::DonorForm;
pub use goal::GoalMeter;
pub use organization::OrganizationHeader;
pub use status::StatusView;
pub use widget::DonationWidget;

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::{self, Messages};
use crate::state::WidgetState;

/// The widget state provided by [`DonationWidget`].
fn use_state() -> WidgetState {
    expect_context::<WidgetState>()
}

/// The copy for the widget's locale.
fn use_messages() -> &'static Messages {
    let state = use_state();
    i18n::messages(&state.options.with_untracked(|o| o.locale.clone().unwrap_or_default()))
}

/// The resolved locale (embed fills it from the page when the partner sets none).
fn use_locale() -> String {
    use_state().options.with_untracked(|o| o.locale.clone().unwrap_or_else(|| "en".to_owned()))
}

/// A reactive text, attribute or property value behind one pointer type: one copy of tachys's
/// render effect per value type (docs/decisions/2026-12-01-shared-handler-pointer-types.md).
pub(crate) type Dynamic<T> = Arc<dyn Fn() -> T + Send + Sync>;

pub(crate) fn dynamic<T>(value: impl Fn() -> T + Send + Sync + 'static) -> Dynamic<T> {
    Arc::new(value)
}

/// An event handler behind one pointer type, for the same reason: one copy of the listener
/// code per event type instead of one per handler.
pub(crate) type Handler<E> = Box<dyn FnMut(E)>;

pub(crate) fn handler<E>(handle: impl FnMut(E) + 'static) -> Handler<E> {
    Box::new(handle)
}
