//! `POST /sir/rewards/donation` (the signed-in user's reward for their donation) and
//! `GET /sir/rewards` (their SIR balance).
//!
//! Who gets a reward is decided on this server from verified facts only (README "Trust
//! model"): the donation's owner, recorded when this server created it, once a **signed**
//! `transaction.completed` says it was paid; or, for a donation created elsewhere, the
//! user whose email the partner's auth *verified* equals the donor email in that webhook.
//! Asking first gives nothing: the reward is given by the outbox (`outbox.rs`), and this
//! call only reports it (and, at most, lets the owner's reward be tried at once).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::donations::{check_donation_id, owned};
use crate::error::{ApiError, ErrorCode};
use crate::extract::AppJson;
use crate::identity::{CurrentUser, SignedIn, User};
use crate::sir::Budget;
use crate::store::{RewardOrder, RewardState, Store, now_ms};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RewardRequest {
    partner_donation_id: String,
}

/// What `POST /sir/rewards/donation` answers.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RewardResponse {
    pub partner_donation_id: String,
    /// `pending` (SIR has not accepted it yet; it is retried), `held` (the payment's facts
    /// disagree with the donation; an operator decides), `issued`, `confirmed`, `failed`
    /// (SIR refused it for good) or `reversed`.
    pub state: &'static str,
    pub tokens_distributed: Option<i64>,
    pub action_id: Option<String>,
}

/// `POST /sir/rewards/donation` `{"partnerDonationId"}`: the signed-in user's reward for
/// their completed donation. 404 `DONATION_NOT_FOUND` for anyone else's donation (the same
/// answer as for an unknown id); 409 `DONATION_NOT_COMPLETED` before SIR's signed webhook
/// said it was paid. A reward still `pending` wakes the outbox, which submits it if it is
/// due (not while it backs off), and the answer waits a moment for it.
pub async fn reward(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    AppJson(request): AppJson<RewardRequest>,
) -> Result<Json<RewardResponse>, ApiError> {
    let id = request.partner_donation_id;
    check_donation_id(&id)?;
    let donation = match owned(&state, &user.external_id, &id).await {
        Ok(donation) => donation,
        Err(not_yours) => adopt_by_verified_email(&state, &user, &id).await?.ok_or(not_yours)?,
    };
    if donation.status == "completed" && donation.source == "api" {
        // Paid, SIR's status API says, but no signed webhook yet: held, and the operator
        // knows (reconcile.rs). The reward follows the webhook.
        return Ok(Json(RewardResponse {
            partner_donation_id: id,
            state: RewardState::Held.as_str(),
            tokens_distributed: None,
            action_id: None,
        }));
    }
    if !donation.completed_by_webhook() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::DonationNotCompleted,
            "SIR has not confirmed this donation's payment yet; the reward follows it",
        ));
    }
    // No row yet: the completion is stored but could not be applied (it is flagged, and
    // applied again on redelivery and at start); to the donor that reads as pending.
    let mut reward = state.store.reward(&id).await?;
    // Pending: wake the outbox and give it a moment, so the usual answer is the final one.
    let waited = Instant::now();
    let patience = (state.config.limits.deadline / 3).min(Duration::from_secs(3));
    while reward.as_ref().is_some_and(|r| r.state == RewardState::Pending) && waited.elapsed() < patience {
        state.outbox.notify_one();
        tokio::time::sleep(Duration::from_millis(100)).await;
        reward = state.store.reward(&id).await?;
    }
    Ok(Json(match reward {
        Some(reward) => RewardResponse {
            partner_donation_id: id,
            state: reward.state.as_str(),
            tokens_distributed: reward.tokens,
            action_id: reward.action_id,
        },
        None => RewardResponse {
            partner_donation_id: id,
            state: RewardState::Pending.as_str(),
            tokens_distributed: None,
            action_id: None,
        },
    }))
}

/// A donation nobody owns (created outside this server), completed by a verified webhook
/// whose donor email the partner's auth verified for `user`: it becomes `user`'s, and its
/// reward is queued. `None` otherwise.
async fn adopt_by_verified_email(
    state: &AppState,
    user: &User,
    id: &str,
) -> Result<Option<crate::store::DonationRow>, ApiError> {
    let Some(email) = user.verified_email() else { return Ok(None) };
    let Some(donation) = state.store.donation(id).await? else { return Ok(None) };
    let matches = donation.owner.is_none()
        && donation.completed_by_webhook()
        && donation.donor_email.as_deref().is_some_and(|donor| donor.trim().eq_ignore_ascii_case(email.trim()));
    let Some(amount_cents) = donation.amount_cents.filter(|_| matches) else { return Ok(None) };
    let mut tx = state.store.begin().await?;
    let now = now_ms();
    if !Store::assign_owner(&mut tx, id, &user.external_id, now).await? {
        return Ok(None);
    }
    let order = RewardOrder { owner: &user.external_id, email: Some(email), amount_cents, hold: None };
    Store::enqueue_reward(&mut tx, &donation, &order, now).await?;
    tx.commit().await?;
    tracing::info!(donation = id, "donation matched to a user by verified email");
    state.outbox.notify_one();
    Ok(state.store.donation(id).await?)
}

/// `GET /sir/rewards` → `{"signedIn": false}`, or the signed-in user's balance from the
/// signed balance call (reused for `PARTNER_BALANCE_CACHE_SECS`). A user SIR doesn't know
/// yet (never rewarded) has balance 0. Nobody signed in costs no call to SIR.
pub async fn balance(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> Result<Json<Value>, ApiError> {
    let Some(user) = user else { return Ok(Json(json!({"signedIn": false}))) };
    let budget = Budget::new(state.config.limits.deadline / 2);
    let balance = state
        .balances
        .get_or_fetch(&user.external_id, async { Ok(state.sir.balance(&user.external_id, budget).await?.unwrap_or(0)) })
        .await?;
    Ok(Json(json!({
        "signedIn": true,
        "externalId": user.external_id,
        "email": user.email,
        "balance": balance,
        "currency": "SIR",
    })))
}

/// Balances read from SIR, reused for a short time so that a burst of reads (a page
/// reloaded in a loop, a script) costs SIR one signed call, not one each: concurrent
/// reads of one user wait for the first one's answer. Forgotten when a reward of that
/// user changes.
#[derive(Debug)]
pub struct BalanceCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, u64)>>,
    /// One lock per user while a read from SIR is under way.
    reading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Past this many users the cache starts again empty, so it can't grow without bound.
const BALANCE_CACHE_ENTRIES: usize = 10_000;

impl BalanceCache {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::new(HashMap::new()), reading: Mutex::new(HashMap::new()) }
    }

    /// The cached balance, or `fetch`'s, with at most one fetch per user at a time.
    pub async fn get_or_fetch(
        &self,
        external_id: &str,
        fetch: impl std::future::Future<Output = Result<u64, ApiError>>,
    ) -> Result<u64, ApiError> {
        if let Some(balance) = self.get(external_id) {
            return Ok(balance);
        }
        let lock = {
            let mut reading = self.reading.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if reading.len() >= BALANCE_CACHE_ENTRIES {
                reading.retain(|_, lock| Arc::strong_count(lock) > 1);
            }
            reading.entry(external_id.to_owned()).or_default().clone()
        };
        let _reading = lock.lock().await;
        if let Some(balance) = self.get(external_id) {
            return Ok(balance);
        }
        let balance = fetch.await?;
        self.put(external_id, balance);
        Ok(balance)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, u64)>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, external_id: &str) -> Option<u64> {
        self.lock().get(external_id).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, balance)| *balance)
    }

    pub fn put(&self, external_id: &str, balance: u64) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= BALANCE_CACHE_ENTRIES {
            entries.clear();
        }
        entries.insert(external_id.to_owned(), (Instant::now(), balance));
    }

    pub fn forget(&self, external_id: &str) {
        self.lock().remove(external_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balances_are_reused_until_they_expire_or_change() {
        let cache = BalanceCache::new(Duration::from_secs(60));
        assert_eq!(cache.get("u1"), None);
        cache.put("u1", 25);
        assert_eq!(cache.get("u1"), Some(25));
        cache.forget("u1");
        assert_eq!(cache.get("u1"), None);
        let off = BalanceCache::new(Duration::ZERO);
        off.put("u1", 25);
        assert_eq!(off.get("u1"), None);
    }
}
