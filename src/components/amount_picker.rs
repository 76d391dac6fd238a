use leptos::prelude::*;

use super::{dynamic, handler, use_locale, use_messages, use_state};
use crate::domain::Frequency;
use crate::i18n;
use crate::state::{AmountInput, DonorInputs, FormChecks};

/// Preset amounts, a custom amount, and the once/monthly choice.
#[component]
pub fn AmountPicker(inputs: DonorInputs, checks: FormChecks) -> impl IntoView {
    let state = use_state();
    let text = use_messages();
    let locale = use_locale();
    let (currency, presets, lock_frequency, lock_amount, impact) = state.options.with_untracked(|o| {
        (o.amounts.currency, o.amounts.presets.clone(), o.lock_frequency, o.lock_amount, o.impact.clone())
    });
    // The partner's line for the chosen amount, under the amounts; every amount control is
    // described by it, so a screen reader reads the line of the amount it lands on (choosing is
    // landing, in a radio group). One element, built like the field errors: no new view code.
    let described_by = (!impact.is_empty()).then_some("sd-impact");
    let impact_line = dynamic(move || {
        let chosen = checks.amount_minor.get().ok()?;
        impact.iter().find(|(minor, _)| *minor == chosen).map(|(_, line)| line.clone())
    });
    let no_impact = {
        let impact_line = impact_line.clone();
        dynamic(move || impact_line().is_none())
    };
    let impact_view = view! {
        <p id="sd-impact" class="sd-impact" part="impact" hidden=no_impact>
            {impact_line}
        </p>
    };
    let custom_text = dynamic(move || match inputs.amount.get() {
        AmountInput::Custom(text) => text,
        AmountInput::Preset(_) => String::new(),
    });
    let custom_error = {
        let locale = locale.clone();
        dynamic(move || {
            let shown = checks.show_field_errors.get()
                || matches!(inputs.amount.get(), AmountInput::Custom(t) if !t.is_empty());
            match checks.amount_minor.get() {
                Err(error) if shown => Some(i18n::amount_error(text, &error, &locale, currency)),
                _ => None,
            }
        })
    };
    let has_error = {
        let custom_error = custom_error.clone();
        dynamic(move || custom_error().is_none())
    };
    let has_error_too = {
        let custom_error = custom_error.clone();
        dynamic(move || custom_error().is_some().to_string())
    };
    let fixed_locale = locale.clone();
    let preset_buttons = presets
        .into_iter()
        .map(|minor| {
            let label = i18n::format_money(minor, currency, &locale);
            view! {
                <label class="sd-chip" part="amount">
                    <input
                        type="radio"
                        name="sd-amount"
                        class="sd-chip__input"
                        aria-describedby=described_by
                        prop:checked=dynamic(move || inputs.amount.get() == AmountInput::Preset(minor))
                        on:change=handler(move |_: web_sys::Event| inputs.amount.set(AmountInput::Preset(minor)))
                    />
                    <span class="sd-chip__label">{label}</span>
                </label>
            }
        })
        .collect_view();
    let frequency_choice = move |value: Frequency, label: &'static str| {
        view! {
            <label class="sd-chip" part="frequency">
                <input
                    type="radio"
                    name="sd-frequency"
                    class="sd-chip__input"
                    prop:checked=dynamic(move || inputs.frequency.get() == value)
                    on:change=handler(move |_: web_sys::Event| inputs.frequency.set(value))
                />
                <span class="sd-chip__label">{label}</span>
            </label>
        }
    };
    // A locked amount is fixed for this widget's life, so the choice is made once.
    let amount_choice = if lock_amount {
        let fixed = checks.amount_minor.get_untracked().map(|minor| i18n::format_money(minor, currency, &fixed_locale));
        view! {
            <p class="sd-fixed" part="amount">
                <span class="sd-label">{text.fixed_amount}</span>
                " "
                <strong>{fixed.unwrap_or_default()}</strong>
            </p>
            {impact_view}
        }
        .into_any()
    } else {
        view! {
        <fieldset class="sd-group">
            <legend class="sd-label">{text.amount_legend}</legend>
            <div class="sd-chips">{preset_buttons}</div>
            {impact_view}
            <div class="sd-field">
                <label class="sd-label" for="sd-custom-amount">
                    {text.other_amount} " (" {currency.code().to_owned()} ")"
                </label>
                <input
                    id="sd-custom-amount"
                    class="sd-input"
                    part="input"
                    type="text"
                    inputmode="decimal"
                    autocomplete="transaction-amount"
                    aria-invalid=has_error_too
                    aria-describedby=if described_by.is_some() { "sd-custom-amount-error sd-impact" } else { "sd-custom-amount-error" }
                    prop:value=custom_text
                    on:input=handler(move |ev: web_sys::Event| inputs.amount.set(AmountInput::Custom(event_target_value(&ev))))
                />
                <p id="sd-custom-amount-error" class="sd-field__error" hidden=has_error>
                    {custom_error}
                </p>
            </div>
        </fieldset>
        }
        .into_any()
    };
    // A locked frequency is fixed for this widget's life too: no `<Show>` (and its memo) needed.
    let frequency_choice = if lock_frequency {
        view! {
            <p class="sd-note">
                {dynamic(move || if inputs.frequency.get() == Frequency::Monthly { text.monthly } else { text.once })}
            </p>
        }
        .into_any()
    } else {
        view! {
            <fieldset class="sd-group">
                <legend class="sd-label">{text.frequency_legend}</legend>
                <div class="sd-chips">
                    {frequency_choice(Frequency::Once, text.once)}
                    {frequency_choice(Frequency::Monthly, text.monthly)}
                </div>
            </fieldset>
        }
        .into_any()
    };
    view! {
        {amount_choice}
        {frequency_choice}
    }
}
