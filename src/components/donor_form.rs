use leptos::prelude::*;

use super::{Dynamic, dynamic, handler, use_messages, use_state};
use crate::state::{DonorInputs, FormChecks, ReadOnly};

/// Email and name fields. Optional unless the partner's `requiredFields` says so: the
/// hosted checkout collects what payment needs, and every required field loses donors.
#[component]
pub fn DonorForm(inputs: DonorInputs, checks: FormChecks) -> impl IntoView {
    let text = use_messages();
    let required = use_state().options.with_untracked(|o| o.required);
    let email_error = dynamic(move || {
        (checks.show_field_errors.get() && !checks.email_valid.get())
            .then(|| if inputs.email.with(|e| e.trim().is_empty()) { text.email_required } else { text.email_invalid })
    });
    let (email_invalid, email_hidden) = error_flags(&email_error);
    view! {
        <div class="sd-field">
            <FieldLabel id="sd-email" label=text.email required=required.email />
            <input
                id="sd-email"
                class="sd-input"
                part="input"
                type="email"
                autocomplete="email"
                required=required.email
                aria-invalid=email_invalid
                aria-describedby="sd-email-error"
                prop:value=dynamic(move || inputs.email.get())
                on:input=handler(move |ev: web_sys::Event| inputs.email.set(event_target_value(&ev)))
            />
            <p id="sd-email-error" class="sd-field__error" hidden=email_hidden>
                {email_error}
            </p>
        </div>
        <div class="sd-row">
            <NameField
                id="sd-first-name"
                label=text.first_name
                missing=text.first_name_required
                autocomplete="given-name"
                required=required.name
                value=inputs.first_name
                show_errors=checks.show_field_errors
            />
            <NameField
                id="sd-last-name"
                label=text.last_name
                missing=text.last_name_required
                autocomplete="family-name"
                required=required.name
                value=inputs.last_name
                show_errors=checks.show_field_errors
            />
        </div>
    }
}

/// A field's label, marked "(optional)" unless the field is required.
#[component]
fn FieldLabel(id: &'static str, label: &'static str, required: bool) -> impl IntoView {
    let text = use_messages();
    view! {
        <label class="sd-label" for=id>
            {label}
            {(!required).then(|| view! { " " <span class="sd-optional">"(" {text.optional} ")"</span> })}
        </label>
    }
}

/// One name field, with its message when required and left empty.
#[component]
fn NameField(
    id: &'static str,
    label: &'static str,
    missing: &'static str,
    autocomplete: &'static str,
    required: bool,
    value: RwSignal<String>,
    show_errors: ReadOnly<bool>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let error =
        dynamic(move || (required && show_errors.get() && value.with(|v| v.trim().is_empty())).then_some(missing));
    let (invalid, hidden) = error_flags(&error);
    view! {
        <div class="sd-field">
            <FieldLabel id=id label=label required=required />
            <input
                id=id
                class="sd-input"
                part="input"
                type="text"
                autocomplete=autocomplete
                maxlength="100"
                required=required
                aria-invalid=invalid
                aria-describedby=error_id.clone()
                prop:value=dynamic(move || value.get())
                on:input=handler(move |ev: web_sys::Event| value.set(event_target_value(&ev)))
            />
            <p id=error_id class="sd-field__error" hidden=hidden>
                {error}
            </p>
        </div>
    }
}

/// A field's `aria-invalid` and its message's `hidden`, from the message.
fn error_flags(error: &Dynamic<Option<&'static str>>) -> (Dynamic<String>, Dynamic<bool>) {
    let (first, second) = (error.clone(), error.clone());
    (dynamic(move || first().is_some().to_string()), dynamic(move || second().is_none()))
}
