//! The reward outbox: every reward the server decided to give is a `pending` row in the
//! database until SIR accepts its `DONATION` action (or refuses it for good). A worker
//! submits due rows, and backs off on failures SIR may get over (an empty token pool, 429,
//! 5xx, the network, refused credentials): `base * 2^tries`, at most `max`, or SIR's
//! `Retry-After`. Rows survive restarts; the worker picks them up at start.
//!
//! Every try carries the same idempotency key (`donation_<partnerDonationId>`), so SIR
//! rewards once however often a try is repeated. Rows are leased while a try runs, so
//! several workers (or instances) never submit the same row at once.

use std::time::Duration;

use serde_json::json;

use crate::AppState;
use crate::events::idempotency_key;
use crate::sir::{ActionOutcome, Budget, SirError};
use crate::store::{DueReward, now_ms};

/// The most rows one pass takes.
const BATCH: i64 = 10;
/// The longest the worker sleeps without looking (a row due sooner wakes it sooner).
const IDLE_CHECK: Duration = Duration::from_secs(5);

/// Runs forever: submit what is due, sleep until the next is due or a new one arrives.
pub async fn run(state: AppState) {
    let lease = state.config.outbox.lease;
    loop {
        let due = match state.store.lease_due_rewards(now_ms(), now_ms() + lease.as_millis() as i64, BATCH).await {
            Ok(due) => due,
            Err(error) => {
                tracing::error!(%error, "outbox: cannot read due rewards");
                Vec::new()
            }
        };
        let busy = due.len() as i64 == BATCH;
        // Side by side: each try must end within its own lease.
        let mut tries = tokio::task::JoinSet::new();
        for reward in due {
            tries.spawn(submit(state.clone(), reward));
        }
        while tries.join_next().await.is_some() {}
        if busy {
            continue;
        }
        let wait = match state.store.next_reward_due().await {
            Ok(Some(at)) => Duration::from_millis((at - now_ms()).max(0) as u64).min(IDLE_CHECK),
            _ => IDLE_CHECK,
        };
        if !wait.is_zero() {
            let _ = tokio::time::timeout(wait, state.outbox.notified()).await;
        }
    }
}

/// One try at one reward.
async fn submit(state: AppState, reward: DueReward) {
    let body = json!({
        "idempotencyKey": idempotency_key(&reward.donation_id),
        "actionType": "DONATION",
        // The action takes major units (49.99); the donation is in cents.
        "amount": reward.amount_cents as f64 / 100.0,
        "currency": reward.currency,
        // The owner's verified email only (none is better than a checkout's, which may be anyone's).
        "stakeholders": [{
            "stakeholderTypeCode": "CUSTOMER",
            "partnerUserId": reward.external_id,
            "userEmail": reward.email,
        }],
        "autoCreateUsers": true,
        "metadata": {"partnerDonationId": reward.donation_id, "nonprofitSlug": reward.nonprofit_slug, "source": "sir-partner-server"},
    });
    let bytes = body.to_string().into_bytes();
    let id = reward.donation_id.as_str();
    let now = now_ms();
    // Half the lease: the try is over (or abandoned) before anyone else may take the row.
    let budget = Budget::new(state.config.outbox.lease / 2);
    let recorded = match state.sir.submit_action(&bytes, budget).await {
        Ok(ActionOutcome::Created(result) | ActionOutcome::Idempotent(Some(result))) => {
            tracing::info!(donation = id, action = %result.action_id, tokens = result.tokens_distributed, "reward issued");
            state.balances.forget(&reward.external_id);
            state.metrics.reward("issued");
            let tokens = i64::try_from(result.tokens_distributed).ok();
            state.store.reward_issued(id, Some(&result.action_id), tokens, now).await
        }
        // SIR processed it before, without saying how: issued, details to come with action.completed.
        Ok(ActionOutcome::Idempotent(None)) => {
            tracing::info!(donation = id, "reward issued earlier (SIR's 409 IDEMPOTENT without the original)");
            state.balances.forget(&reward.external_id);
            state.metrics.reward("issued");
            state.store.reward_issued(id, None, None, now).await
        }
        Err(error) if error.retryable() => {
            let wait = backoff(&state, reward.attempts, &error);
            if matches!(error, SirError::Auth { .. }) {
                tracing::error!(donation = id, %error, retry_in_ms = wait.as_millis() as u64, "reward refused: check SIR credentials");
            } else {
                tracing::warn!(donation = id, %error, retry_in_ms = wait.as_millis() as u64, "reward not accepted yet");
            }
            state.store.reward_retry(id, now + wait.as_millis() as i64, &error.to_string(), now).await
        }
        Err(error) => {
            tracing::error!(donation = id, %error, "reward refused for good");
            state.metrics.reward("failed");
            state.store.reward_failed(id, &error.to_string(), now).await
        }
    };
    if let Err(error) = recorded {
        // The lease runs out and the row is tried again: SIR's idempotency makes that safe.
        tracing::error!(donation = id, %error, "outbox: cannot record the outcome");
    }
}

/// `base * 2^tries`, at most `max`; at least what SIR's `Retry-After` asks.
fn backoff(state: &AppState, tries: i64, error: &SirError) -> Duration {
    let policy = state.config.outbox;
    let doubled = policy.base.saturating_mul(1u32 << tries.clamp(0, 20) as u32).min(policy.max);
    match error {
        SirError::RateLimited { retry_after: Some(seconds) } => doubled.max(Duration::from_secs(*seconds)),
        _ => doubled,
    }
}
