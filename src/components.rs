//! Leptos views. Each reads [`WidgetState`](crate::state::WidgetState) from context
//! and renders API text only as text nodes, never as HTML.

mod amount_picker;
mod donor_form;
mod organization;
pub(crate) mod split;
mod status;
mod widget;

pub use amount_picker::AmountPicker;
pub use donor_form::DonorForm;
pub use organization::OrganizationHeader;
pub use status::StatusView;
pub use widget::DonationWidget;

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
