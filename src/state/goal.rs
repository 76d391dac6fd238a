//! The goal meter's figures: the partner server's totals for the selected nonprofit (and the
//! campaign), read at load and again after this donor's donation completes.

use leptos::prelude::*;

use super::loaded::Loaded;
use super::widget::WidgetState;
use crate::api::CampaignTotals;

/// After a completion, the totals are read this many times, this far apart, until they count
/// one more donation: the signed webhook that counts it can land seconds after the status.
const AFTER_COMPLETION_LOOKS: u32 = 5;
const AFTER_COMPLETION_DELAY_MS: u32 = 2_000;

impl WidgetState {
    /// `None` until read, or when the partner server can't say (the meter then stays hidden).
    pub fn campaign_totals(&self) -> Loaded<Option<CampaignTotals>> {
        let (partner, completed, org) = (self.partner, self.flow.completed, self.inputs.selected_org);
        let campaign = self.options.with_untracked(|o| o.campaign.clone());
        let seen_donations = StoredValue::new(None::<u64>);
        Loaded::new(move || {
            let (completed, slug, partner, campaign) =
                (completed.get(), org.get(), partner.get_value(), campaign.clone());
            async move {
                let partner = partner?;
                let before = seen_donations.try_get_value().flatten();
                let mut looks = if completed { AFTER_COMPLETION_LOOKS } else { 1 };
                loop {
                    let totals = partner.totals(&slug, campaign.as_deref(), completed).await.ok();
                    looks -= 1;
                    let counted = totals.as_ref().is_some_and(|t| before.is_none_or(|before| t.donations > before));
                    if counted || looks == 0 {
                        seen_donations.try_set_value(totals.as_ref().map(|t| t.donations));
                        return totals;
                    }
                    gloo_timers::future::TimeoutFuture::new(AFTER_COMPLETION_DELAY_MS).await;
                }
            }
        })
    }
}
