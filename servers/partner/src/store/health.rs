//! What operators see: queue depths and ages, counts, and SIR's alerts.

use sqlx::{AnyConnection, Row as _};

use super::{Store, StoreError, now_ms};

/// The counts `/healthz` shows operators.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Verified events stored but not applied.
    pub unapplied_events: i64,
    pub rewards_pending: i64,
    pub rewards_held: i64,
    pub rewards_failed: i64,
    /// Issued over an hour ago and never confirmed by SIR's `action.completed`.
    pub rewards_unconfirmed: i64,
    /// Completed (by webhook) donations with nobody to reward yet.
    pub donations_unassigned: i64,
    pub alerts: Vec<Alert>,
    /// The queues the counts above come from, with their oldest entries.
    #[serde(skip)]
    pub queues: Queues,
}

/// What waits, and since when (Unix ms).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Queues {
    /// Verified events stored, waiting for the inbox.
    pub events_queued: i64,
    pub oldest_queued_at: Option<i64>,
    /// Verified events that could not be applied (kept, flagged).
    pub events_flagged: i64,
    pub rewards_pending: i64,
    pub oldest_pending_reward_at: Option<i64>,
    pub rewards_held: i64,
    /// Donations SIR's status API calls paid whose signed webhook never came.
    pub paid_without_webhook: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub name: String,
    /// The event's `data`, as SIR sent it.
    pub detail: serde_json::Value,
    pub raised_at: i64,
}

impl Store {
    /// Raises (or refreshes) an operational alert.
    pub async fn raise_alert(tx: &mut AnyConnection, name: &str, detail: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO alerts (name, detail, raised_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET detail = excluded.detail, raised_at = excluded.raised_at",
        )
        .bind(name)
        .bind(detail)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// Whether the database answers (the public health check).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.map(|_| ()).map_err(StoreError::from)
    }

    /// The queues' depths and oldest entries, for `/healthz` and the metrics.
    pub async fn queues(&self) -> Result<Queues, StoreError> {
        let row = sqlx::query(
            "SELECT
               (SELECT COUNT(*) FROM webhook_events WHERE applied_at IS NULL AND apply_error IS NULL),
               (SELECT MIN(received_at) FROM webhook_events WHERE applied_at IS NULL AND apply_error IS NULL),
               (SELECT COUNT(*) FROM webhook_events WHERE applied_at IS NULL AND apply_error IS NOT NULL),
               (SELECT COUNT(*) FROM rewards WHERE state = 'pending'),
               (SELECT MIN(created_at) FROM rewards WHERE state = 'pending'),
               (SELECT COUNT(*) FROM rewards WHERE state = 'held'),
               (SELECT COUNT(*) FROM donations WHERE status = 'completed' AND source = 'api')",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Queues {
            events_queued: row.try_get(0)?,
            oldest_queued_at: row.try_get(1)?,
            events_flagged: row.try_get(2)?,
            rewards_pending: row.try_get(3)?,
            oldest_pending_reward_at: row.try_get(4)?,
            rewards_held: row.try_get(5)?,
            paid_without_webhook: row.try_get(6)?,
        })
    }

    /// What `/healthz` shows operators: counts, and the alerts raised since `alerts_since`.
    pub async fn health(&self, alerts_since: i64) -> Result<Health, StoreError> {
        let count = |sql: &'static str| async move {
            sqlx::query(sql).fetch_one(&self.pool).await.and_then(|row| row.try_get::<i64, _>(0))
        };
        let an_hour_ago = now_ms() - 60 * 60 * 1000;
        let alerts = sqlx::query("SELECT name, detail, raised_at FROM alerts WHERE raised_at >= $1 ORDER BY name")
            .bind(alerts_since)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let detail: String = row.try_get(1)?;
                Ok(Alert {
                    name: row.try_get(0)?,
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
                    raised_at: row.try_get(2)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        let queues = self.queues().await?;
        Ok(Health {
            unapplied_events: queues.events_queued + queues.events_flagged,
            rewards_pending: queues.rewards_pending,
            rewards_held: queues.rewards_held,
            rewards_failed: count("SELECT COUNT(*) FROM rewards WHERE state = 'failed'").await?,
            rewards_unconfirmed: sqlx::query("SELECT COUNT(*) FROM rewards WHERE state = 'issued' AND updated_at < $1")
                .bind(an_hour_ago)
                .fetch_one(&self.pool)
                .await
                .and_then(|row| row.try_get::<i64, _>(0))?,
            donations_unassigned: count(
                "SELECT COUNT(*) FROM donations d WHERE d.status = 'completed' AND d.source = 'webhook'
                   AND d.owner_external_id IS NULL",
            )
            .await?,
            alerts,
            queues,
        })
    }
}
