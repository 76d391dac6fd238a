//! The reward outbox and record: one row per donation, leased while a try runs, moved
//! along by SIR's answers and lifecycle events.

use sqlx::{AnyConnection, Row as _};

use super::{DonationRow, Store, StoreError};

/// A reward's state: `pending` (in the outbox), `held` (the payment's facts disagree with
/// the donation: an operator decides), `issued` (SIR accepted the action), `confirmed`
/// (its `action.completed` arrived), `failed` (refused for good), `reversed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RewardState {
    Pending,
    Held,
    Issued,
    Confirmed,
    Failed,
    Reversed,
}

impl RewardState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Held => "held",
            Self::Issued => "issued",
            Self::Confirmed => "confirmed",
            Self::Failed => "failed",
            Self::Reversed => "reversed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "held" => Self::Held,
            "issued" => Self::Issued,
            "confirmed" => Self::Confirmed,
            "failed" => Self::Failed,
            "reversed" => Self::Reversed,
            _ => Self::Pending,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RewardRow {
    pub donation_id: String,
    pub external_id: String,
    pub state: RewardState,
    pub action_id: Option<String>,
    pub tokens: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// What to reward, to whom, or why not yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RewardOrder<'a> {
    pub owner: &'a str,
    /// The owner's verified email, for SIR's user profile (never a checkout's email).
    pub email: Option<&'a str>,
    pub amount_cents: i64,
    /// `Some(reason)`: held for an operator instead of sent.
    pub hold: Option<&'a str>,
}

/// A reward the outbox is to submit now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueReward {
    pub donation_id: String,
    pub external_id: String,
    pub email: Option<String>,
    pub amount_cents: i64,
    pub currency: String,
    pub nonprofit_slug: Option<String>,
    pub attempts: i64,
}

const REWARD_COLUMNS: &str = "partner_donation_id, external_id, state, action_id, tokens, attempts, last_error";

fn reward_row(row: &sqlx::any::AnyRow) -> Result<RewardRow, sqlx::Error> {
    Ok(RewardRow {
        donation_id: row.try_get(0)?,
        external_id: row.try_get(1)?,
        state: RewardState::parse(row.try_get::<String, _>(2)?.as_str()),
        action_id: row.try_get(3)?,
        tokens: row.try_get(4)?,
        attempts: row.try_get(5)?,
        last_error: row.try_get(6)?,
    })
}

impl Store {
    /// Puts a reward for `amount_cents` in the outbox, due now, unless the donation has one;
    /// with `hold`, as `held` for that reason instead (the outbox leaves it alone). Returns
    /// whether it was put there now.
    pub async fn enqueue_reward(
        tx: &mut AnyConnection,
        donation: &DonationRow,
        reward: &RewardOrder<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let state = if reward.hold.is_some() { "held" } else { "pending" };
        let inserted = sqlx::query(
            "INSERT INTO rewards (partner_donation_id, external_id, email, amount_cents, currency, nonprofit_slug,
                                  state, last_error, next_attempt_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9) ON CONFLICT DO NOTHING",
        )
        .bind(&donation.id)
        .bind(reward.owner)
        .bind(reward.email)
        .bind(reward.amount_cents)
        .bind(donation.currency.as_deref().unwrap_or("USD"))
        .bind(donation.nonprofit_slug.as_deref())
        .bind(state)
        .bind(reward.hold)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    pub async fn reward(&self, donation_id: &str) -> Result<Option<RewardRow>, StoreError> {
        sqlx::query(&format!("SELECT {REWARD_COLUMNS} FROM rewards WHERE partner_donation_id = $1"))
            .bind(donation_id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(reward_row)
            .transpose()
            .map_err(StoreError::from)
    }

    /// Leases up to `limit` due rewards until `lease_until`: another worker (another
    /// instance) skips them meanwhile. The lease condition is repeated in the outer
    /// `WHERE`, so a row a concurrent worker leased first is re-checked and skipped.
    pub async fn lease_due_rewards(
        &self,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<DueReward>, StoreError> {
        let rows = sqlx::query(
            "UPDATE rewards SET lease_until = $1
             WHERE state = 'pending' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2)
               AND partner_donation_id IN (
                   SELECT partner_donation_id FROM rewards
                   WHERE state = 'pending' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2)
                   ORDER BY next_attempt_at LIMIT $3)
             RETURNING partner_donation_id, external_id, email, amount_cents, currency, nonprofit_slug, attempts",
        )
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DueReward {
                    donation_id: row.try_get(0)?,
                    external_id: row.try_get(1)?,
                    email: row.try_get(2)?,
                    amount_cents: row.try_get(3)?,
                    currency: row.try_get(4)?,
                    nonprofit_slug: row.try_get(5)?,
                    attempts: row.try_get(6)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// When the next pending reward is due, if any.
    pub async fn next_reward_due(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query("SELECT MIN(next_attempt_at) FROM rewards WHERE state = 'pending'")
            .fetch_one(&self.pool)
            .await
            .and_then(|row| row.try_get::<Option<i64>, _>(0))
            .map_err(StoreError::from)
    }

    /// SIR accepted the action: `pending` → `issued` (a `confirmed` one stays confirmed).
    /// `None`s when SIR said "already processed" without the original result.
    pub async fn reward_issued(
        &self,
        donation_id: &str,
        action_id: Option<&str>,
        tokens: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE rewards SET state = CASE WHEN state = 'pending' THEN 'issued' ELSE state END,
                                action_id = COALESCE(action_id, $1), tokens = COALESCE(tokens, $2),
                                lease_until = NULL, last_error = NULL, updated_at = $3
             WHERE partner_donation_id = $4",
        )
        .bind(action_id)
        .bind(tokens)
        .bind(now)
        .bind(donation_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Another try later, after a failure SIR may get over (pool empty, 429, 5xx, network).
    pub async fn reward_retry(&self, donation_id: &str, next_at: i64, error: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE rewards SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2, lease_until = NULL,
                                updated_at = $3
             WHERE partner_donation_id = $4 AND state = 'pending'",
        )
        .bind(next_at)
        .bind(error)
        .bind(now)
        .bind(donation_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// SIR refused the reward for good.
    pub async fn reward_failed(&self, donation_id: &str, error: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE rewards SET state = 'failed', attempts = attempts + 1, last_error = $1, lease_until = NULL,
                                updated_at = $2
             WHERE partner_donation_id = $3 AND state = 'pending'",
        )
        .bind(error)
        .bind(now)
        .bind(donation_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
