//! Reconciliation: finding the donations SIR says were paid whose signed webhook never
//! arrived (delivery failed on all its tries, or was lost), so no paid reward disappears
//! without someone being told.
//!
//! A periodic job asks SIR's status API (§2.4) about owned donations still open
//! `PARTNER_RECONCILE_AFTER_SECS` after their creation (SIR's own retries have had their
//! chance), each at most every `PARTNER_RECONCILE_EVERY_SECS`, for a week. The owner's own
//! status request asks too. The status API is unsigned and documented only as a "reward
//! status" check, and the docs offer no signed transaction record to fetch: so a "completed"
//! from it is no proof to pay on (docs/decisions/2026-12-07-reconciliation.md). Such a
//! donation is held: `completed` with `source: "api"`, its reward waiting for the signed
//! webhook (SIR's redelivery, or an operator's), logged at error level with its id,
//! counted in `/healthz` and the metrics. When the webhook comes, it is rewarded as usual.

use std::time::Duration;

use crate::AppState;
use crate::donations::contract_status;
use crate::error::ApiError;
use crate::sir::Budget;
use crate::store::now_ms;

/// How far back the job looks: SIR expires an unpaid link long before.
const LOOK_BACK: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Donations asked about in one pass.
const BATCH: i64 = 50;

/// The kind counted in `sir_partner_reconciliation_findings_total`.
pub const PAID_WITHOUT_WEBHOOK: &str = "paid_without_webhook";

/// Runs forever, one pass every `PARTNER_RECONCILE_EVERY_SECS`.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(state.config.reconcile.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = pass(&state).await {
            tracing::error!(%error, "reconciliation: cannot read the open donations");
        }
    }
}

/// Asks SIR about the open donations that are due; returns how many it asked about.
pub async fn pass(state: &AppState) -> Result<usize, ApiError> {
    let policy = state.config.reconcile;
    let now = now_ms();
    let due = state
        .store
        .donations_to_check(
            now - policy.after.as_millis() as i64,
            now - policy.every.as_millis() as i64,
            now - LOOK_BACK.as_millis() as i64,
            BATCH,
        )
        .await?;
    for id in &due {
        let budget = Budget::new(state.config.limits.deadline / 3);
        match state.sir.donation_status(id, budget).await {
            Ok(Some(remote)) => record(state, id, &remote.status, false).await?,
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(donation = %id, %error, "reconciliation: status check failed; asking again later")
            }
        }
    }
    Ok(due.len())
}

/// Records SIR's status for donation `id` (from the job or the owner's request), and tells
/// the operator the first time SIR calls it paid while no signed webhook did. A `young`
/// donation (created less than `PARTNER_RECONCILE_AFTER_SECS` ago) that SIR calls paid is
/// `processing`: its webhook is on its way (SIR's retries included), so that is no finding.
pub async fn record(state: &AppState, id: &str, remote_status: &str, young: bool) -> Result<(), ApiError> {
    let status = match contract_status(remote_status) {
        completed if completed == "completed" && young => "processing".to_owned(),
        status => status,
    };
    if state.store.record_api_status(id, &status, now_ms()).await? {
        state.metrics.reconciliation.get_or_create(&crate::metrics::Outcome { outcome: PAID_WITHOUT_WEBHOOK }).inc();
        tracing::error!(
            donation = %id,
            "PAID WITHOUT WEBHOOK: SIR's status API says completed, but no signed transaction.completed arrived; \
             the reward is held until it does (ask SIR to redeliver it)"
        );
    }
    Ok(())
}
