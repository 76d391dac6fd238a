//! Verified webhook events: stored once (unique id, unique signature), queued for the
//! inbox, claimed by the transaction that applies them, or flagged with why not.

use sqlx::{AnyConnection, Row as _};

use super::{Store, StoreError};

/// What a verified webhook delivery is, as stored.
#[derive(Clone, Debug)]
pub struct IncomingEvent {
    pub event_id: String,
    pub signature: String,
    pub event_type: String,
    pub sir_timestamp: i64,
    pub body: String,
}

/// Whether an event was new, or a replay (same id or same signature) and whether that
/// earlier copy was applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    New,
    Duplicate { applied: bool },
}

impl Store {
    /// Stores a verified event unless it is a replay. Call inside the transaction that
    /// applies it, so both land or neither.
    pub async fn insert_event(tx: &mut AnyConnection, event: &IncomingEvent, now: i64) -> Result<Recorded, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO webhook_events (event_id, signature, event_type, sir_timestamp, body, received_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(&event.event_id)
        .bind(&event.signature)
        .bind(&event.event_type)
        .bind(event.sir_timestamp)
        .bind(&event.body)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(Recorded::New);
        }
        let applied: Option<i64> =
            sqlx::query("SELECT applied_at FROM webhook_events WHERE event_id = $1 OR signature = $2 LIMIT 1")
                .bind(&event.event_id)
                .bind(&event.signature)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| row.try_get::<Option<i64>, _>(0))
                .transpose()?
                .flatten();
        Ok(Recorded::Duplicate { applied: applied.is_some() })
    }

    /// Stores a verified delivery in its own transaction, for the inbox to apply after
    /// the answer. A replay of an event that was flagged as unusable is queued again (a
    /// fixed server may apply it now).
    pub async fn store_event(&self, event: &IncomingEvent, now: i64) -> Result<Recorded, StoreError> {
        let mut tx = self.begin().await?;
        let recorded = Self::insert_event(&mut tx, event, now).await?;
        if recorded == (Recorded::Duplicate { applied: false }) {
            sqlx::query(
                "UPDATE webhook_events SET apply_error = NULL, lease_until = NULL
                 WHERE (event_id = $1 OR signature = $2) AND applied_at IS NULL",
            )
            .bind(&event.event_id)
            .bind(&event.signature)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(recorded)
    }

    /// Leases up to `limit` queued events (stored, neither applied nor flagged), oldest
    /// first, until `lease_until`: another instance's inbox skips them meanwhile.
    pub async fn lease_events(&self, now: i64, lease_until: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "UPDATE webhook_events SET lease_until = $1
             WHERE applied_at IS NULL AND apply_error IS NULL AND (lease_until IS NULL OR lease_until < $2)
               AND event_id IN (
                   SELECT event_id FROM webhook_events
                   WHERE applied_at IS NULL AND apply_error IS NULL AND (lease_until IS NULL OR lease_until < $2)
                   ORDER BY received_at LIMIT $3)
             RETURNING event_id, received_at",
        )
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut leased = rows
            .iter()
            .map(|row| Ok((row.try_get::<i64, _>(1)?, row.try_get::<String, _>(0)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        leased.sort();
        Ok(leased.into_iter().map(|(_, id)| id).collect())
    }

    /// Takes a stored event for applying in `tx`: `(event_type, body)`, or `None` when it
    /// was applied meanwhile (on PostgreSQL a concurrent applier waits on the row, then
    /// finds it applied).
    pub async fn claim_event(
        tx: &mut AnyConnection,
        event_id: &str,
        now: i64,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query(
            "UPDATE webhook_events SET applied_at = $1, apply_error = NULL, lease_until = NULL
             WHERE event_id = $2 AND applied_at IS NULL RETURNING event_type, body",
        )
        .bind(now)
        .bind(event_id)
        .fetch_optional(&mut *tx)
        .await?;
        Ok(row.map(|row| Ok::<_, sqlx::Error>((row.try_get(0)?, row.try_get(1)?))).transpose()?)
    }

    /// Records how applying an event went: `Ok` applied, `Err(reason)` flagged.
    pub async fn mark_event(
        tx: &mut AnyConnection,
        event_id: &str,
        outcome: Result<(), &str>,
        now: i64,
    ) -> Result<(), StoreError> {
        let (applied_at, error) = match outcome {
            Ok(()) => (Some(now), None),
            Err(reason) => (None, Some(reason)),
        };
        sqlx::query(
            "UPDATE webhook_events SET applied_at = $1, apply_error = $2, lease_until = NULL WHERE event_id = $3",
        )
        .bind(applied_at)
        .bind(error)
        .bind(event_id)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// Flags a claimed event as unusable: kept, counted, and queued again only by a
    /// redelivery or a restart.
    pub async fn flag_event(tx: &mut AnyConnection, event_id: &str, reason: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE webhook_events SET applied_at = NULL, apply_error = $1 WHERE event_id = $2")
            .bind(reason)
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    /// Queues every flagged event again (at start: a fixed or upgraded server picks them up).
    pub async fn requeue_flagged(&self) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE webhook_events SET apply_error = NULL, lease_until = NULL
             WHERE applied_at IS NULL AND apply_error IS NOT NULL",
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Flagged events: `(event_id, reason)`, oldest first, for the log.
    pub async fn flagged_events(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT event_id, apply_error FROM webhook_events WHERE applied_at IS NULL AND apply_error IS NOT NULL
             ORDER BY received_at",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<_, sqlx::Error>>()?)
    }

    /// Whether a stored event was applied (`Some(false)`: queued or flagged), for tests
    /// and operators.
    pub async fn event_applied(&self, event_id: &str) -> Result<Option<bool>, StoreError> {
        let row = sqlx::query("SELECT applied_at FROM webhook_events WHERE event_id = $1")
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.try_get::<Option<i64>, _>(0)).transpose()?.map(|at| at.is_some()))
    }

    /// The stored event ids, oldest first (for tests and operators).
    pub async fn event_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT event_id FROM webhook_events ORDER BY received_at, event_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>().map_err(StoreError::from)
    }
}
