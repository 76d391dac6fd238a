//! Following a created donation's status, and its SIR reward once it is complete.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::flow::Phase;
use super::host::WidgetEvent;
use super::pending::PendingDonation;
use super::reward::{RewardInfo, RewardStatus};
use super::widget::WidgetState;
use crate::api::partner::PartnerClient;
use crate::api::{ApiError, SirApi};
use crate::domain::DonationStatus;

/// Status polling: first waits, then the last one repeats, until the deadline.
const POLL_DELAYS_MS: [u32; 5] = [1_000, 2_000, 3_000, 5_000, 8_000];
const POLL_DEADLINE_MS: f64 = 30.0 * 60.0 * 1000.0;
/// Looks at a completed donation's reward with the partner server, 2 s apart: it follows
/// SIR's signed webhook, which can land a few seconds after the donor is back.
const REWARD_ATTEMPTS: u32 = 6;

impl WidgetState {
    /// Follows a created donation's status until it is final, the deadline passes or
    /// the widget is destroyed (its signals are then gone, and every `try_` says so).
    pub fn follow(&self, donation: PendingDonation) {
        if self.api.try_get_value().flatten().is_none() {
            return;
        }
        self.flow
            .phase
            .writable()
            .try_set(Phase::Following { donation: donation.clone(), status: DonationStatus::Pending });
        spawn_local(follow_status(*self, donation));
    }
}

/// The polling of [`WidgetState::follow`], in its own chunk (`split`).
#[cfg_attr(feature = "split", lazy)]
async fn follow_status(state: WidgetState, donation: PendingDonation) {
    let Some(api) = state.api.try_get_value().flatten() else { return };
    let partner = state.partner.try_get_value().flatten();
    let (phase, host, reward) = (state.flow.phase, state.host, state.reward);
    let started = js_sys::Date::now();
    let id = donation.partner_donation_id.clone();
    let mut last = None;
    for round in 0usize.. {
        let still_following = phase
            .try_with_untracked(
                |p| matches!(p, Phase::Following { donation, .. } if donation.partner_donation_id == id),
            )
            .unwrap_or(false);
        if !still_following || js_sys::Date::now() - started > POLL_DEADLINE_MS {
            return;
        }
        // No polling from a background tab; resume as soon as it is shown.
        while host.try_with_value(|h| h.page_hidden()).unwrap_or(false) {
            gloo_timers::future::TimeoutFuture::new(1_000).await;
        }
        match current_status(api.as_ref(), partner.as_deref(), &id).await {
            Ok(status) => {
                if last != Some(status) {
                    last = Some(status);
                    phase.writable().try_set(Phase::Following { donation: donation.clone(), status });
                    state.emit(WidgetEvent::Status { partner_donation_id: id.clone(), status });
                    if status == DonationStatus::Completed {
                        state.emit(WidgetEvent::Completed { partner_donation_id: id.clone() });
                        state.flow.completed.writable().try_set(true);
                    }
                    if let (DonationStatus::Completed, Some(partner)) = (status, &partner) {
                        let info = fetch_reward(partner, &id).await;
                        reward.info.writable().try_set(info);
                    }
                }
                if status.is_terminal() {
                    return;
                }
            }
            Err(ApiError::Aborted) => return,
            // A transient failure was already retried by the client; keep polling.
            Err(error) if error.retryable() => {}
            Err(error) => {
                state.emit(WidgetEvent::Error(error));
                return;
            }
        }
        let delay = POLL_DELAYS_MS[round.min(POLL_DELAYS_MS.len() - 1)];
        gloo_timers::future::TimeoutFuture::new(delay).await;
    }
}

/// The donation's status: from the partner server when one is configured (it is
/// webhook-driven, so authoritative), else, or when it can't answer, from SIR.
async fn current_status(
    api: &dyn SirApi,
    partner: Option<&PartnerClient>,
    id: &str,
) -> Result<DonationStatus, ApiError> {
    if let Some(partner) = partner {
        match partner.donation(id).await {
            Ok(answer) if answer.status.is_some() => {
                return Ok(answer.status.as_deref().map_or(DonationStatus::Processing, DonationStatus::from_api));
            }
            Err(ApiError::Aborted) => return Err(ApiError::Aborted),
            // A partner server that is down or doesn't know the donation yet: degrade to SIR.
            _ => {}
        }
    }
    let answer = api.status(id).await?;
    Ok(answer.status.as_deref().map_or(DonationStatus::Processing, DonationStatus::from_api))
}

/// The donation's reward as the partner server has it, and the donor's new balance once
/// it is earned. `None` when there is none to show: nobody signed in, not this donor's
/// donation, or the partner server can't say.
///
/// A few looks: the partner server rewards on SIR's signed webhook, which can land
/// seconds after SIR's status said "completed", and then asks SIR for the tokens.
async fn fetch_reward(partner: &PartnerClient, id: &str) -> Option<RewardInfo> {
    let mut seen = None;
    for attempt in 0..REWARD_ATTEMPTS {
        match partner.reward(id).await {
            Ok(reward) => {
                let status = RewardStatus::from_contract(reward.state.as_deref());
                seen = Some(RewardInfo { status, tokens: reward.tokens_distributed, balance: None });
                if status != RewardStatus::Pending {
                    break;
                }
            }
            // Nobody signed in, or not this donor's: there is no reward to show.
            Err(ApiError::Aborted | ApiError::Unauthorized | ApiError::DonationNotFound) => return None,
            // Not completed by the webhook yet, or a hiccup: look again.
            Err(_) => {}
        }
        if attempt + 1 < REWARD_ATTEMPTS {
            gloo_timers::future::TimeoutFuture::new(2_000).await;
        }
    }
    let mut info = seen?;
    if info.status == RewardStatus::Earned {
        info.balance = partner.rewards().await.ok().filter(|r| r.signed_in).and_then(|r| r.balance);
    }
    Some(info)
}
