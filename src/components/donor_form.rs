use leptos::prelude::*;

use super::{use_messages, use_state};

/// Email and name fields. All optional by default: the hosted checkout collects what
/// payment needs, and fewer required fields means fewer abandoned donations.
#[component]
pub fn DonorForm() -> impl IntoView {
    let state = use_state();
    let text = use_messages();
    let email_error = move || (state.show_field_errors.get() && !state.email_valid.get()).then_some(text.email_invalid);
    view! {
        <div class="sd-field">
            <label class="sd-label" for="sd-email">
                {text.email} " " <span class="sd-optional">"(" {text.optional} ")"</span>
            </label>
            <input
                id="sd-email"
                class="sd-input"
                part="input"
                type="email"
                autocomplete="email"
                aria-invalid=move || email_error().is_some().to_string()
                aria-describedby="sd-email-error"
                prop:value=move || state.email.get()
                on:input=move |ev| state.email.set(event_target_value(&ev))
            />
            <p id="sd-email-error" class="sd-field__error" hidden=move || email_error().is_none()>
                {email_error}
            </p>
        </div>
        <div class="sd-row">
            <NameField id="sd-first-name" label=text.first_name autocomplete="given-name" value=state.first_name />
            <NameField id="sd-last-name" label=text.last_name autocomplete="family-name" value=state.last_name />
        </div>
    }
}

/// One optional name field.
#[component]
fn NameField(
    id: &'static str,
    label: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    let text = use_messages();
    view! {
        <div class="sd-field">
            <label class="sd-label" for=id>
                {label} " " <span class="sd-optional">"(" {text.optional} ")"</span>
            </label>
            <input
                id=id
                class="sd-input"
                part="input"
                type="text"
                autocomplete=autocomplete
                maxlength="100"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}
