//! What SIR's status API said about donations still open (reconcile.rs), and the ones it
//! calls paid while no signed webhook did.

use sqlx::Row as _;

use super::{Store, StoreError};

impl Store {
    /// Records what SIR's status API said about a donation we know, and when we asked. A
    /// completion is final (a webhook's, or one already recorded) and never overwritten.
    /// Returns true when this is the first word that it was paid while no signed webhook
    /// said so: its reward waits for that webhook, and an operator is told.
    pub async fn record_api_status(&self, id: &str, status: &str, now: i64) -> Result<bool, StoreError> {
        sqlx::query("UPDATE donations SET checked_at = $1 WHERE partner_donation_id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        let changed = sqlx::query(
            "UPDATE donations SET status = $1, source = 'api', updated_at = $2
             WHERE partner_donation_id = $3 AND status <> 'completed' AND status <> $1",
        )
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(changed == 1 && status == "completed")
    }

    /// Owned donations still open `created_before`, not asked about since `checked_before`
    /// and no older than `not_before`: the ones reconciliation asks SIR about, oldest first.
    pub async fn donations_to_check(
        &self,
        created_before: i64,
        checked_before: i64,
        not_before: i64,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT partner_donation_id FROM donations
             WHERE status IN ('pending', 'processing') AND owner_external_id IS NOT NULL
               AND created_at < $1 AND created_at >= $2 AND (checked_at IS NULL OR checked_at < $3)
             ORDER BY created_at LIMIT $4",
        )
        .bind(created_before)
        .bind(not_before)
        .bind(checked_before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|row| row.try_get(0)).collect::<Result<_, _>>()?)
    }

    /// Donations SIR's status API calls paid while no signed webhook did, oldest first.
    pub async fn paid_without_webhook(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT partner_donation_id FROM donations WHERE status = 'completed' AND source = 'api'
             ORDER BY updated_at",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|row| row.try_get(0)).collect::<Result<_, _>>()?)
    }
}
