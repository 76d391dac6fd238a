use leptos::prelude::*;

use super::split::split_view;
use super::{dynamic, use_locale, use_messages};
use crate::i18n;
use crate::state::WidgetState;

/// With `goal` and a partner endpoint: "$3,250 raised of $5,000 · 42 donors" over a bar, from
/// the partner server's signed-webhook totals. Its code loads in its own chunk, after the form.
#[component]
pub fn GoalMeter() -> impl IntoView {
    let state = expect_context::<WidgetState>();
    let wanted = state.options.with_untracked(|o| o.goal.is_some() && o.partner_endpoint.is_some());
    wanted.then(|| split_view!(goal_meter(state)))
}

#[cfg_attr(feature = "split", lazy)]
fn goal_meter(state: WidgetState) -> AnyView {
    let text = use_messages();
    let locale = use_locale();
    let (goal, currency) = state.options.with_untracked(|o| (o.goal.unwrap_or(1), o.amounts.currency));
    let totals = state.campaign_totals();
    let raised = move || totals.get().flatten().map(|t| t.raised_in(currency.code()));
    let summary = dynamic(move || {
        let donors = totals.get().flatten().map_or(0, |t| t.donors);
        let raised = i18n::format_money(raised().unwrap_or(0), currency, &locale);
        (text.goal_progress)(&raised, &i18n::format_money(goal, currency, &locale), donors)
    });
    // Whole major units for the bar's value: no float formatting in the wasm.
    let unit = currency.minor_per_major();
    let now = dynamic(move || (raised().unwrap_or(0).min(goal) / unit).to_string());
    let width = dynamic(move || format!("{}%", raised().unwrap_or(0).min(goal) * 100 / goal));
    view! {
        <div class="sd-goal" part="goal" hidden=dynamic(move || raised().is_none())>
            <div
                class="sd-goal__bar"
                role="progressbar"
                aria-label=text.goal_label
                aria-valuemin="0"
                aria-valuemax=(goal / unit).to_string()
                aria-valuenow=now
                aria-valuetext=summary.clone()
            >
                <div class="sd-goal__fill" style:width=width></div>
            </div>
            <p class="sd-goal__text">{summary}</p>
        </div>
    }
    .into_any()
}
