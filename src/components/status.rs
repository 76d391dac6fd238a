use leptos::prelude::*;

use super::{use_locale, use_messages, use_state};
use crate::domain::DonationStatus;
use crate::i18n;
use crate::state::{CheckoutPlace, Phase, RewardInfo, RewardStatus};

/// The donation under way: its status, updated as the API reports it.
#[component]
pub fn StatusView() -> impl IntoView {
    let state = use_state();
    let text = use_messages();
    let locale = use_locale();
    move || {
        let Phase::Following { donation, status } = state.flow.phase.get() else {
            return ().into_any();
        };
        let amount = i18n::format_money(donation.amount, donation.currency, &locale);
        let summary = (text.summary)(&amount, donation.frequency, &donation.nonprofit_name);
        view! {
            <div class="sd-status" part="status" data-status=status.as_str() data-tone=tone(status)>
                <div role="status" aria-live="polite">
                    <div class="sd-status__head">
                        <StatusIcon status />
                        <h2 class="sd-status__title">{(text.status_title)(status)}</h2>
                    </div>
                    <p class="sd-status__summary">{summary}</p>
                    {move || match (status.is_terminal(), state.flow.checkout.get()) {
                        (false, CheckoutPlace::OtherWindow) => {
                            view! { <p class="sd-status__detail">{text.other_window}</p> }.into_any()
                        }
                        (false, CheckoutPlace::Blocked(link)) => {
                            view! {
                                <p class="sd-status__detail">{text.popup_blocked}</p>
                                <a class="sd-submit sd-link" part="checkout-link" href=link target="_blank" rel="noopener">
                                    {text.open_checkout}
                                </a>
                            }
                                .into_any()
                        }
                        _ => view! { <p class="sd-status__detail">{(text.status_detail)(status)}</p> }.into_any(),
                    }}
                    {move || state.reward.info.get().map(|reward| view! { <RewardNote reward /> })}
                </div>
                <button type="button" class="sd-submit sd-submit--secondary" on:click=move |_| state.donate_again()>
                    {text.donate_again}
                </button>
            </div>
        }
        .into_any()
    }
}

/// The visual state a status shows in: its colour and icon (`style/widget.css`).
fn tone(status: DonationStatus) -> &'static str {
    match status {
        DonationStatus::Pending | DonationStatus::Processing => "progress",
        DonationStatus::Completed => "success",
        DonationStatus::Failed => "failure",
        DonationStatus::Cancelled | DonationStatus::Expired => "ended",
    }
}

/// The state's icon, beside the title that says it in words (so hidden from assistive tech):
/// a turning ring, a tick, a cross, or a clock. Inline SVG, because a strict CSP may refuse
/// `data:` images.
#[component]
fn StatusIcon(status: DonationStatus) -> impl IntoView {
    let path = match status {
        DonationStatus::Pending | DonationStatus::Processing => "M12 3a9 9 0 0 1 9 9",
        DonationStatus::Completed => "M7 12.5l3.2 3.2L17 9",
        DonationStatus::Failed => "M8.5 8.5l7 7M15.5 8.5l-7 7",
        DonationStatus::Cancelled | DonationStatus::Expired => "M12 7v5l3.5 2",
    };
    view! {
        <svg class="sd-status__icon" part="status-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <circle cx="12" cy="12" r="9" />
            <path d=path />
        </svg>
    }
}

/// The SIR reward the donor earned (or where it is), and their balance when the partner
/// server knows them.
#[component]
fn RewardNote(reward: RewardInfo) -> impl IntoView {
    let text = use_messages();
    let note = match reward.status {
        RewardStatus::Earned => reward.tokens.map(text.reward_earned),
        RewardStatus::Pending => Some(text.reward_pending.to_owned()),
        RewardStatus::Reversed => Some(text.reward_reversed.to_owned()),
        RewardStatus::Failed => Some(text.reward_failed.to_owned()),
    };
    view! {
        <p class="sd-status__reward" part="reward" data-reward=reward.status.as_str()>
            {note}
            {reward.balance.map(|balance| view! { " " {(text.reward_balance)(balance)} })}
        </p>
    }
}
