use leptos::prelude::*;

use super::split::split_view;
use super::{
    AmountPicker, DonorForm, GoalMeter, OrganizationHeader, StatusView, dynamic, handler, use_locale, use_messages,
};
use crate::domain::{Environment, Mode, PublishableKey, tip_minor};
use crate::i18n;
use crate::state::{Phase, WidgetState};

/// The whole widget: the donation form, or the status of a donation under way.
///
/// ```ignore
/// view! { <DonationWidget state=WidgetState::new(options, seams, '.') /> }
/// ```
#[component]
pub fn DonationWidget(state: WidgetState) -> impl IntoView {
    provide_context(state);
    let following = Memo::new(move |_| matches!(state.flow.phase.get(), Phase::Following { .. }));
    let body = move || {
        view! {
            <div class="sd-widget" part="widget">
                <TestBadge />
                <GoalMeter />
                <Show when=move || !following.get() fallback=move || split_view!(status_view())>
                    <DonationForm />
                </Show>
            </div>
        }
    };
    match state.options.with_untracked(|o| o.mode) {
        Mode::Inline => body().into_any(),
        Mode::Button => view! { <DialogShell>{body()}</DialogShell> }.into_any(),
    }
}

/// "Test mode" while the key is a `pk_test_` one, like Stripe's badge. `::part(test-badge)`
/// can restyle it; the stylesheet's `!important` rules keep it shown.
#[component]
fn TestBadge() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let text = use_messages();
    let test_key = state
        .options
        .with_untracked(|o| PublishableKey::parse(&o.key).is_ok_and(|key| key.environment() == Environment::Sandbox));
    test_key.then(|| view! { <p class="sd-test-badge" part="test-badge">{text.test_mode}</p> })
}

/// The donation under way, in its own chunk (`split`): a donor sees it after a click that
/// preloads it, or on coming back from the checkout.
#[cfg_attr(feature = "split", lazy)]
fn status_view() -> AnyView {
    view! { <StatusView /> }.into_any()
}

/// `mode="button"`: a button that opens the form in a native modal `<dialog>`, which
/// traps focus, closes on Escape, makes the page behind inert and gives focus back.
#[component]
fn DialogShell(children: Children) -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let text = use_messages();
    let dialog_ref = NodeRef::<leptos::html::Dialog>::new();
    let label = state.options.with_untracked(|o| o.label.clone()).unwrap_or_else(|| text.donate.to_owned());
    let open = move |_| {
        if let Some(dialog) = dialog_ref.get() {
            let _ = dialog.show_modal();
        }
    };
    let close = move |_| {
        if let Some(dialog) = dialog_ref.get() {
            dialog.close();
        }
    };
    view! {
        <button type="button" class="sd-submit sd-open" part="open-button" aria-haspopup="dialog" on:click=open>
            {label.clone()}
        </button>
        <TestBadge />
        <dialog node_ref=dialog_ref class="sd-dialog" part="dialog" aria-label=label>
            <button type="button" class="sd-close" part="close-button" aria-label=text.close on:click=close>
                "×"
            </button>
            {children()}
        </dialog>
    }
}

/// With several slugs, the donor picks the nonprofit. Its code loads only then.
#[component]
fn NonprofitChooser() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let several = state.options.with_untracked(|o| o.organizations.len() > 1);
    several.then(|| split_view!(nonprofit_chooser(state)))
}

#[cfg_attr(feature = "split", lazy)]
fn nonprofit_chooser(state: WidgetState) -> AnyView {
    let text = use_messages();
    let choices = state.nonprofit_choices();
    (move || {
        let choices = choices.get().unwrap_or_default();
        (choices.len() > 1).then(|| {
            let options = choices
                .into_iter()
                .map(|(slug, name)| {
                    let selected = slug == state.inputs.selected_org.get_untracked();
                    let label = name.unwrap_or_else(|| slug.clone());
                    view! { <option value=slug selected=selected>{label}</option> }
                })
                .collect_view();
            view! {
                <div class="sd-field">
                    <label class="sd-label" for="sd-nonprofit">{text.nonprofit_legend}</label>
                    <select
                        id="sd-nonprofit"
                        class="sd-input"
                        part="input"
                        on:change=move |ev| state.inputs.selected_org.set(event_target_value(&ev))
                    >
                        {options}
                    </select>
                </div>
            }
        })
    })
    .into_any()
}

/// The partner's optional tip, as a percent with the resulting amount.
///
/// Rendered once and hidden while there is no offer: only its text and state react,
/// so a config that arrives late adds no nodes.
#[component]
fn TipChoice() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let text = use_messages();
    let locale = use_locale();
    let label = move || {
        let percent = state.checks.tip_offer.get().unwrap_or_default();
        let currency = state.options.with(|o| o.amounts.currency);
        let tip = state.checks.amount_minor.get().map_or(0, |amount| tip_minor(amount, percent));
        (text.tip_label)(percent, &i18n::format_money(tip, currency, &locale))
    };
    view! {
        <label class="sd-check" part="tip" hidden=move || state.checks.tip_offer.get().is_none()>
            <input
                type="checkbox"
                class="sd-check__input"
                prop:checked=move || state.inputs.tip_on.get()
                on:change=move |ev| state.inputs.tip_on.set(event_target_checked(&ev))
            />
            <span>{label}</span>
        </label>
    }
}

/// The form: nonprofit, amount, frequency, donor fields and the Donate button.
#[component]
fn DonationForm() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let text = use_messages();
    let locale = use_locale();
    let blocked = move || state.blocking_error.get().is_some();
    let busy = move || state.flow.phase.get() != Phase::Editing;
    let submit_label = dynamic(move || match state.flow.phase.get() {
        Phase::Creating => text.creating_link.to_owned(),
        Phase::Redirecting => text.redirecting.to_owned(),
        _ => match state.checks.total_minor.get() {
            Ok(minor) => {
                let currency = state.options.with(|o| o.amounts.currency);
                (text.donate_label)(&i18n::format_money(minor, currency, &locale), state.inputs.frequency.get())
            }
            Err(_) => text.donate.to_owned(),
        },
    });
    view! {
        <form
            class="sd-form"
            part="form"
            novalidate
            aria-busy=dynamic(move || busy().to_string())
            on:submit=handler(move |ev: web_sys::SubmitEvent| {
                ev.prevent_default();
                state.submit();
            })
        >
            <NonprofitChooser />
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
            <fieldset class="sd-fieldset" disabled=dynamic(move || blocked() || busy())>
                <AmountPicker inputs=state.inputs checks=state.checks />
                <TipChoice />
                <DonorForm inputs=state.inputs checks=state.checks />
            </fieldset>
            {move || {
                state
                    .flow
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
                disabled=dynamic(blocked)
                aria-disabled=dynamic(move || busy().to_string())
            >
                {submit_label}
            </button>
            <p class="sd-note">{text.secure_note}</p>
        </form>
    }
}
