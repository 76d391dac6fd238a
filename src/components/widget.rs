use leptos::prelude::*;

use super::{AmountPicker, DonorForm, OrganizationHeader, StatusView, use_locale, use_messages};
use crate::i18n;
use crate::state::{Phase, WidgetState};

/// The whole widget: the donation form, or the status of a donation under way.
///
/// ```ignore
/// view! { <DonationWidget state=WidgetState::new(options, api, host, '.') /> }
/// ```
#[component]
pub fn DonationWidget(state: WidgetState) -> impl IntoView {
    provide_context(state);
    let following = Memo::new(move |_| matches!(state.phase.get(), Phase::Following { .. }));
    view! {
        <div class="sd-widget" part="widget">
            <Show when=move || !following.get() fallback=StatusView>
                <DonationForm />
            </Show>
        </div>
    }
}

/// The form: nonprofit, amount, frequency, donor fields and the Donate button.
#[component]
fn DonationForm() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let text = use_messages();
    let locale = use_locale();
    let blocked = move || state.blocking_error.get().is_some();
    let busy = move || state.phase.get() != Phase::Editing;
    let submit_label = move || match state.phase.get() {
        Phase::Creating => text.creating_link.to_owned(),
        Phase::Redirecting => text.redirecting.to_owned(),
        _ => match state.amount_minor.get() {
            Ok(minor) => {
                let currency = state.options.with(|o| o.amounts.currency);
                (text.donate_label)(&i18n::format_money(minor, currency, &locale), state.frequency.get())
            }
            Err(_) => text.donate.to_owned(),
        },
    };
    view! {
        <form
            class="sd-form"
            part="form"
            novalidate
            aria-busy=move || busy().to_string()
            on:submit=move |ev| {
                ev.prevent_default();
                state.submit();
            }
        >
            <OrganizationHeader />
            {move || {
                state
                    .blocking_error
                    .get()
                    .map(|error| {
                        view! {
                            <p class="sd-alert sd-alert--blocking" role="alert" part="error">
                                {(text.error)(&error)}
                            </p>
                        }
                    })
            }}
            <fieldset class="sd-fieldset" disabled=move || blocked() || busy()>
                <AmountPicker />
                <DonorForm />
            </fieldset>
            {move || {
                state
                    .error
                    .get()
                    .map(|error| {
                        view! {
                            <p class="sd-alert" role="alert" part="error">
                                {(text.error)(&error)}
                            </p>
                        }
                    })
            }}
            <button
                type="submit"
                class="sd-submit"
                part="submit"
                disabled=blocked
                aria-disabled=move || busy().to_string()
            >
                {submit_label}
            </button>
            <p class="sd-note">{text.secure_note}</p>
        </form>
    }
}
