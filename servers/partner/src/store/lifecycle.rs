//! SIR's lifecycle events on a reward (`action.completed`, `action.failed`,
//! `action.reversed`), matched through the idempotency key this server gave it.

use sqlx::{AnyConnection, Row as _};

use super::{Store, StoreError};

/// What a lifecycle webhook does to a reward.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LifecycleChange {
    /// `action.completed`.
    Confirmed { action_id: Option<String>, tokens: Option<i64> },
    /// `action.failed`: a reason SIR may get over (an empty pool) leaves it in the outbox.
    Failed { retryable: bool, reason: String },
    /// `action.reversed`.
    Reversed { action_id: Option<String>, tokens: Option<i64> },
}

impl Store {
    /// Applies a lifecycle webhook to the reward of `donation_id`; returns its owner when
    /// a reward was changed.
    pub async fn reward_lifecycle(
        tx: &mut AnyConnection,
        donation_id: &str,
        change: &LifecycleChange,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        let query = match change {
            // SIR's word that our action completed: it also corrects a local "failed" (SIR
            // paid after all); it never undoes a reversal, nor names another action than ours.
            LifecycleChange::Confirmed { action_id, tokens } => sqlx::query(
                "UPDATE rewards SET state = 'confirmed', action_id = COALESCE($1, action_id),
                                    tokens = COALESCE($2, tokens), lease_until = NULL, last_error = NULL, updated_at = $3
                 WHERE partner_donation_id = $4 AND state IN ('pending', 'issued', 'confirmed', 'failed')
                   AND (action_id IS NULL OR $1 IS NULL OR action_id = $1)
                 RETURNING external_id",
            )
            .bind(action_id.as_deref())
            .bind(*tokens),
            LifecycleChange::Reversed { action_id, tokens } => sqlx::query(
                "UPDATE rewards SET state = 'reversed', action_id = COALESCE(action_id, $1),
                                    tokens = COALESCE(tokens, $2), lease_until = NULL, updated_at = $3
                 WHERE partner_donation_id = $4 AND (action_id IS NULL OR $1 IS NULL OR action_id = $1)
                 RETURNING external_id",
            )
            .bind(action_id.as_deref())
            .bind(*tokens),
            // The outbox keeps trying; the reason is shown until it succeeds.
            LifecycleChange::Failed { retryable: true, reason } => sqlx::query(
                "UPDATE rewards SET last_error = $1, updated_at = $2
                 WHERE partner_donation_id = $3 AND state = 'pending'
                 RETURNING external_id",
            )
            .bind(reason.as_str()),
            LifecycleChange::Failed { retryable: false, reason } => sqlx::query(
                "UPDATE rewards SET state = 'failed', last_error = $1, lease_until = NULL, updated_at = $2
                 WHERE partner_donation_id = $3 AND state IN ('pending', 'issued')
                 RETURNING external_id",
            )
            .bind(reason.as_str()),
        };
        let row = query.bind(now).bind(donation_id).fetch_optional(&mut *tx).await?;
        row.map(|r| r.try_get::<String, _>(0)).transpose().map_err(StoreError::from)
    }
}
