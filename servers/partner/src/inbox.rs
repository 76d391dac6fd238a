//! The webhook inbox: verified deliveries are stored first and answered 2xx (`webhook.rs`);
//! bounded workers here apply them afterwards, from the database, as the docs ask of a
//! receiver ("store or queue the event, answer 2xx quickly, process it asynchronously").
//!
//! An event is applied at most once: it is claimed (`applied_at` set) in the transaction
//! that applies it, so a crash before the commit leaves it queued, and two instances that
//! lease the same event after a lapsed lease apply it once. An event whose data can't be
//! applied is flagged with the reason, logged at error level and counted; a redelivery or
//! a restart queues it again, so a fixed server picks it up. Nothing is dropped.

use std::time::Duration;

use crate::AppState;
use crate::error::ApiError;
use crate::events::{self, Effects, SignedEvent};
use crate::store::{Store, now_ms};

/// The most events one pass leases.
const BATCH: i64 = 50;
/// Events applied side by side (each in its own transaction).
const WORKERS: usize = 4;
/// How long a lease keeps other instances off an event: short, because applying takes
/// milliseconds, and a dead instance's events must not wait long. Two instances applying
/// one event at once is harmless (the claim lets one through), only wasted work.
const LEASE: Duration = Duration::from_secs(2);
/// The longest the worker sleeps without looking: another instance may have stored
/// events and died before applying them.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// How applying one event went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Yes,
    /// Kept and flagged: its data can't be applied.
    Flagged,
    /// Someone else applied it first.
    Already,
}

/// Runs forever: apply what is queued, sleep until woken or [`IDLE_CHECK`].
pub async fn run(state: AppState) {
    loop {
        match apply_queued(&state).await {
            Ok(count) if count as i64 == BATCH => continue,
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "inbox: cannot read queued events"),
        }
        let _ = tokio::time::timeout(IDLE_CHECK, state.inbox.notified()).await;
    }
}

/// One pass: leases up to [`BATCH`] queued events and applies them, [`WORKERS`] at a time,
/// oldest first. Returns how many were leased.
pub async fn apply_queued(state: &AppState) -> Result<usize, ApiError> {
    let now = now_ms();
    let leased = state.store.lease_events(now, now + LEASE.as_millis() as i64, BATCH).await?;
    let count = leased.len();
    let mut running = tokio::task::JoinSet::new();
    for event_id in leased {
        while running.len() >= WORKERS {
            running.join_next().await;
        }
        let state = state.clone();
        running.spawn(async move {
            if let Err(error) = apply(&state, &event_id).await {
                // Rolled back: still queued, tried again when its lease lapses.
                tracing::error!(event = %event_id, %error, "inbox: cannot apply now; it stays queued");
            }
        });
    }
    while running.join_next().await.is_some() {}
    Ok(count)
}

/// Applies every queued event now (flagged ones queued again first), until none is left:
/// at start, and for tests. Returns how many were applied and how many are flagged.
pub async fn drain(state: &AppState) -> Result<(usize, usize), ApiError> {
    state.store.requeue_flagged().await?;
    let mut applied = 0;
    loop {
        let now = now_ms();
        let leased = state.store.lease_events(now, now + LEASE.as_millis() as i64, BATCH).await?;
        if leased.is_empty() {
            break;
        }
        for event_id in leased {
            if apply(state, &event_id).await? == Applied::Yes {
                applied += 1;
            }
        }
    }
    Ok((applied, state.store.queues().await?.events_flagged as usize))
}

/// Applies one stored event in a transaction of its own, then wakes the outbox and
/// forgets changed balances.
pub async fn apply(state: &AppState, event_id: &str) -> Result<Applied, ApiError> {
    let now = now_ms();
    let mut tx = state.store.begin().await?;
    let Some((event_type, body)) = Store::claim_event(&mut tx, event_id, now).await? else {
        return Ok(Applied::Already);
    };
    let outcome = match SignedEvent::parse(&body) {
        Some(event) => events::apply(&mut tx, event_id, &event_type, &event, now).await?,
        None => Err("the stored body is not an event envelope".to_owned()),
    };
    if let Err(reason) = &outcome {
        Store::flag_event(&mut tx, event_id, reason).await?;
    }
    tx.commit().await?;
    match outcome {
        Ok(Effects { reward_due, balances_changed, reward_held }) => {
            tracing::info!(event = %event_id, event_type, "webhook applied");
            state.metrics.events_applied.inc();
            crate::totals::forget(state);
            if reward_due {
                state.outbox.notify_one();
            }
            if reward_held {
                state.metrics.reward("held");
            }
            for user in &balances_changed {
                state.balances.forget(user);
            }
            Ok(Applied::Yes)
        }
        Err(reason) => {
            tracing::error!(event = %event_id, event_type, reason, "webhook stored but NOT applied");
            state.metrics.events_flagged.inc();
            Ok(Applied::Flagged)
        }
    }
}
