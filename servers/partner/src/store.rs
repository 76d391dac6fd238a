//! Durable storage: received webhook events, donations and who owns them, the reward
//! outbox, demo sessions and alerts, in SQLite (one instance) or PostgreSQL (several).
//! SQL through sqlx's `Any` driver, so the same queries and migrations serve both engines:
//! only portable SQL (`ON CONFLICT`, `RETURNING`, `$n` parameters). Correctness with several
//! instances rests on unique constraints and conditional updates, never on process memory.
//!
//! Exactly-once: an event is inserted (unique `event_id`, unique `signature`) and applied
//! in **one transaction**, so a crash before the commit means SIR's retry is processed, and
//! a redelivery after it is recognised as a duplicate. SQLite runs with `synchronous=FULL`,
//! so a commit is on disk before the 2xx goes out.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Row as _};

use crate::config::Database;
use crate::error::ApiError;

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot connect: {0}")]
    Connect(#[from] sqlx::Error),
    #[error("cannot migrate: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The database. Cloning shares the pool.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
}

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

/// A donation this server created for a user (the claim).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewDonation {
    pub id: String,
    pub owner: Option<String>,
    /// The owner's email, if their auth vouches for it: a payment with another email is
    /// held for review rather than rewarded.
    pub owner_email: Option<String>,
    pub amount_cents: i64,
    pub currency: String,
    pub nonprofit_slug: String,
    pub frequency: String,
}

/// What a verified `transaction.completed` says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    pub id: String,
    /// The event that says so: applied again if the link is stored after it.
    pub event_id: String,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    pub nonprofit_slug: Option<String>,
    pub frequency: Option<String>,
    pub donor_email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonationRow {
    pub id: String,
    pub owner: Option<String>,
    pub owner_email: Option<String>,
    pub status: String,
    /// `created`, `webhook` or `api`: where the status came from.
    pub source: String,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    pub nonprofit_slug: Option<String>,
    pub donor_email: Option<String>,
    pub updated_at: i64,
}

impl DonationRow {
    /// Completed, as a verified webhook said (the only fact a reward is granted on).
    pub fn completed_by_webhook(&self) -> bool {
        self.status == "completed" && self.source == "webhook"
    }
}

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub external_id: String,
    pub email: String,
}

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

fn storage(error: sqlx::Error) -> ApiError {
    ApiError::internal(format!("storage: {error}"))
}

const DONATION_COLUMNS: &str = "partner_donation_id, owner_external_id, owner_email, status, source, amount_cents, \
                                currency, nonprofit_slug, donor_email, updated_at";
const REWARD_COLUMNS: &str = "partner_donation_id, external_id, state, action_id, tokens, attempts, last_error";

fn donation_row(row: &sqlx::any::AnyRow) -> Result<DonationRow, sqlx::Error> {
    Ok(DonationRow {
        id: row.try_get(0)?,
        owner: row.try_get(1)?,
        owner_email: row.try_get(2)?,
        status: row.try_get(3)?,
        source: row.try_get(4)?,
        amount_cents: row.try_get(5)?,
        currency: row.try_get(6)?,
        nonprofit_slug: row.try_get(7)?,
        donor_email: row.try_get(8)?,
        updated_at: row.try_get(9)?,
    })
}

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
    /// Opens the database and brings its schema up to date (migrations embedded in the
    /// binary; on PostgreSQL under an advisory lock, so instances starting together take
    /// turns). Refuses a database whose schema is newer than this binary knows.
    pub async fn open(database: &Database) -> Result<Self, OpenError> {
        sqlx::any::install_default_drivers();
        let pool = match database {
            Database::Sqlite(path) => Self::sqlite(path).await?,
            Database::Postgres { url, pool } => {
                AnyPoolOptions::new()
                    .max_connections(*pool)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(AnyConnectOptions::from_str(url)?)
                    .await?
            }
        };
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    /// The SQLite file at `path` (created if needed), or a private in-memory database for
    /// `:memory:`.
    async fn sqlite(path: &str) -> Result<AnyPool, OpenError> {
        let memory = path == ":memory:";
        let url = if memory { "sqlite::memory:".to_owned() } else { format!("sqlite://{path}?mode=rwc") };
        let options = AnyConnectOptions::from_str(&url)?;
        // One connection: SQLite has one writer anyway, and one connection never meets a
        // lock upgrade it can't wait out. An in-memory database lives as long as its
        // connection, so that one is never closed.
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        // sqlx's SQLite defaults already give `foreign_keys=ON`, a 5 s busy timeout and
        // `synchronous=FULL` (a commit is on disk before we answer). WAL lets an operator's
        // reader (the sqlite3 shell) look without blocking the server; it persists in the
        // file, and the pool's one connection is never recycled.
        sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;").execute(&pool).await?;
        Ok(pool)
    }

    /// A transaction; dropped without `commit` it rolls back.
    pub async fn begin(&self) -> Result<Tx, ApiError> {
        self.pool.begin().await.map_err(storage)
    }

    /// Stores a verified event unless it is a replay. Call inside the transaction that
    /// applies it, so both land or neither.
    pub async fn insert_event(tx: &mut AnyConnection, event: &IncomingEvent, now: i64) -> Result<Recorded, ApiError> {
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
        .await
        .map_err(storage)?
        .rows_affected();
        if inserted == 1 {
            return Ok(Recorded::New);
        }
        let applied: Option<i64> =
            sqlx::query("SELECT applied_at FROM webhook_events WHERE event_id = $1 OR signature = $2 LIMIT 1")
                .bind(&event.event_id)
                .bind(&event.signature)
                .fetch_optional(&mut *tx)
                .await
                .map_err(storage)?
                .map(|row| row.try_get::<Option<i64>, _>(0))
                .transpose()
                .map_err(storage)?
                .flatten();
        Ok(Recorded::Duplicate { applied: applied.is_some() })
    }

    /// Stores a verified delivery in its own transaction, for the inbox to apply after
    /// the answer. A replay of an event that was flagged as unusable is queued again (a
    /// fixed server may apply it now).
    pub async fn store_event(&self, event: &IncomingEvent, now: i64) -> Result<Recorded, ApiError> {
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
    pub async fn lease_events(&self, now: i64, lease_until: i64, limit: i64) -> Result<Vec<String>, ApiError> {
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
    ) -> Result<Option<(String, String)>, ApiError> {
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
    ) -> Result<(), ApiError> {
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
    pub async fn flag_event(tx: &mut AnyConnection, event_id: &str, reason: &str) -> Result<(), ApiError> {
        sqlx::query("UPDATE webhook_events SET applied_at = NULL, apply_error = $1 WHERE event_id = $2")
            .bind(reason)
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    /// Queues every flagged event again (at start: a fixed or upgraded server picks them up).
    pub async fn requeue_flagged(&self) -> Result<u64, ApiError> {
        let done = sqlx::query(
            "UPDATE webhook_events SET apply_error = NULL, lease_until = NULL
             WHERE applied_at IS NULL AND apply_error IS NOT NULL",
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Flagged events: `(event_id, reason)`, oldest first, for the log.
    pub async fn flagged_events(&self) -> Result<Vec<(String, String)>, ApiError> {
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
    pub async fn event_applied(&self, event_id: &str) -> Result<Option<bool>, ApiError> {
        let row = sqlx::query("SELECT applied_at FROM webhook_events WHERE event_id = $1")
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.try_get::<Option<i64>, _>(0)).transpose()?.map(|at| at.is_some()))
    }

    /// The stored event ids, oldest first (for tests and operators).
    pub async fn event_ids(&self) -> Result<Vec<String>, ApiError> {
        let rows = sqlx::query("SELECT event_id FROM webhook_events ORDER BY received_at, event_id")
            .fetch_all(&self.pool)
            .await
            .map_err(storage)?;
        rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>().map_err(storage)
    }

    /// Records a donation this server just created, owned by the signed-in user, and
    /// returns its row. A row a webhook wrote first (SIR's event outran create-link's
    /// answer) gets its owner and the created amount and currency (the event's are checked
    /// against them, never taken over them); a row someone else owns is an error, never
    /// silently kept.
    pub async fn create_donation_in(
        tx: &mut AnyConnection,
        donation: &NewDonation,
        now: i64,
    ) -> Result<DonationRow, ApiError> {
        let inserted = sqlx::query(
            "INSERT INTO donations (partner_donation_id, owner_external_id, owner_email, status, source, amount_cents,
                                    currency, nonprofit_slug, frequency, created_at, updated_at)
             VALUES ($1, $2, $3, 'pending', 'created', $4, $5, $6, $7, $8, $8) ON CONFLICT DO NOTHING",
        )
        .bind(&donation.id)
        .bind(donation.owner.as_deref())
        .bind(donation.owner_email.as_deref())
        .bind(donation.amount_cents)
        .bind(&donation.currency)
        .bind(&donation.nonprofit_slug)
        .bind(&donation.frequency)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            let claimed = sqlx::query(
                "UPDATE donations SET owner_external_id = $1, owner_email = $2, amount_cents = $3, currency = $4,
                                      nonprofit_slug = COALESCE(nonprofit_slug, $5), frequency = COALESCE(frequency, $6)
                 WHERE partner_donation_id = $7 AND owner_external_id IS NULL",
            )
            .bind(donation.owner.as_deref())
            .bind(donation.owner_email.as_deref())
            .bind(donation.amount_cents)
            .bind(&donation.currency)
            .bind(&donation.nonprofit_slug)
            .bind(&donation.frequency)
            .bind(&donation.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed != 1 {
                return Err(ApiError::internal(format!("donation {} already exists with an owner", donation.id)));
            }
        }
        Self::donation_in(tx, &donation.id)
            .await?
            .ok_or_else(|| ApiError::internal("a donation vanished mid-transaction"))
    }

    /// [`Store::create_donation_in`], in a transaction of its own.
    pub async fn create_donation(&self, donation: &NewDonation, now: i64) -> Result<DonationRow, ApiError> {
        let mut tx = self.begin().await?;
        let row = Self::create_donation_in(&mut tx, donation, now).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The stored body of the event that completed donation `id`, if one did.
    pub async fn completing_event_body(tx: &mut AnyConnection, id: &str) -> Result<Option<String>, ApiError> {
        let row = sqlx::query(
            "SELECT e.body FROM donations d JOIN webhook_events e ON e.event_id = d.completed_event_id
             WHERE d.partner_donation_id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        Ok(row.map(|row| row.try_get(0)).transpose()?)
    }

    /// Marks a donation completed by a verified webhook, keeping details the webhook
    /// lacks, and the amount this server created it with (the event's is checked against
    /// it, never taken over it); returns the row as it now is.
    pub async fn complete(tx: &mut AnyConnection, facts: &Completion, now: i64) -> Result<DonationRow, ApiError> {
        sqlx::query(
            "INSERT INTO donations (partner_donation_id, status, source, amount_cents, currency, nonprofit_slug,
                                    frequency, donor_email, created_at, updated_at, completed_event_id)
             VALUES ($1, 'completed', 'webhook', $2, $3, $4, $5, $6, $7, $7, $8)
             ON CONFLICT (partner_donation_id) DO UPDATE SET
                status = 'completed',
                source = 'webhook',
                completed_event_id = COALESCE(donations.completed_event_id, excluded.completed_event_id),
                amount_cents = COALESCE(donations.amount_cents, excluded.amount_cents),
                currency = COALESCE(excluded.currency, donations.currency),
                nonprofit_slug = COALESCE(excluded.nonprofit_slug, donations.nonprofit_slug),
                frequency = COALESCE(excluded.frequency, donations.frequency),
                donor_email = COALESCE(excluded.donor_email, donations.donor_email),
                updated_at = CASE WHEN donations.source = 'webhook' THEN donations.updated_at ELSE excluded.updated_at END",
        )
        .bind(&facts.id)
        .bind(facts.amount_cents)
        .bind(facts.currency.as_deref())
        .bind(facts.nonprofit_slug.as_deref())
        .bind(facts.frequency.as_deref())
        .bind(facts.donor_email.as_deref())
        .bind(now)
        .bind(&facts.event_id)
        .execute(&mut *tx)
        .await
        .map_err(storage)?;
        Self::donation_in(tx, &facts.id).await?.ok_or_else(|| ApiError::internal("a donation vanished mid-transaction"))
    }

    /// Records what SIR's status API said about a donation we know, and when we asked. A
    /// completion is final (a webhook's, or one already recorded) and never overwritten.
    /// Returns true when this is the first word that it was paid while no signed webhook
    /// said so: its reward waits for that webhook, and an operator is told.
    pub async fn record_api_status(&self, id: &str, status: &str, now: i64) -> Result<bool, ApiError> {
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
    ) -> Result<Vec<String>, ApiError> {
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
    pub async fn paid_without_webhook(&self) -> Result<Vec<String>, ApiError> {
        let rows = sqlx::query(
            "SELECT partner_donation_id FROM donations WHERE status = 'completed' AND source = 'api'
             ORDER BY updated_at",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|row| row.try_get(0)).collect::<Result<_, _>>()?)
    }

    pub async fn donation(&self, id: &str) -> Result<Option<DonationRow>, ApiError> {
        let mut connection = self.pool.acquire().await.map_err(storage)?;
        Self::donation_in(&mut connection, id).await
    }

    async fn donation_in(connection: &mut AnyConnection, id: &str) -> Result<Option<DonationRow>, ApiError> {
        sqlx::query(&format!("SELECT {DONATION_COLUMNS} FROM donations WHERE partner_donation_id = $1"))
            .bind(id)
            .fetch_optional(connection)
            .await
            .map_err(storage)?
            .as_ref()
            .map(donation_row)
            .transpose()
            .map_err(storage)
    }

    /// Gives an unowned donation to `owner` (a verified-email match); false if it has one.
    pub async fn assign_owner(tx: &mut AnyConnection, id: &str, owner: &str, now: i64) -> Result<bool, ApiError> {
        let changed = sqlx::query(
            "UPDATE donations SET owner_external_id = $1, updated_at = $2
             WHERE partner_donation_id = $3 AND owner_external_id IS NULL",
        )
        .bind(owner)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(storage)?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Puts a reward for `amount_cents` in the outbox, due now, unless the donation has one;
    /// with `hold`, as `held` for that reason instead (the outbox leaves it alone). Returns
    /// whether it was put there now.
    pub async fn enqueue_reward(
        tx: &mut AnyConnection,
        donation: &DonationRow,
        reward: &RewardOrder<'_>,
        now: i64,
    ) -> Result<bool, ApiError> {
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

    pub async fn reward(&self, donation_id: &str) -> Result<Option<RewardRow>, ApiError> {
        sqlx::query(&format!("SELECT {REWARD_COLUMNS} FROM rewards WHERE partner_donation_id = $1"))
            .bind(donation_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage)?
            .as_ref()
            .map(reward_row)
            .transpose()
            .map_err(storage)
    }

    /// Leases up to `limit` due rewards until `lease_until`: another worker (another
    /// instance) skips them meanwhile. The lease condition is repeated in the outer
    /// `WHERE`, so a row a concurrent worker leased first is re-checked and skipped.
    pub async fn lease_due_rewards(&self, now: i64, lease_until: i64, limit: i64) -> Result<Vec<DueReward>, ApiError> {
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
        .await
        .map_err(storage)?;
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
            .map_err(storage)
    }

    /// When the next pending reward is due, if any.
    pub async fn next_reward_due(&self) -> Result<Option<i64>, ApiError> {
        sqlx::query("SELECT MIN(next_attempt_at) FROM rewards WHERE state = 'pending'")
            .fetch_one(&self.pool)
            .await
            .and_then(|row| row.try_get::<Option<i64>, _>(0))
            .map_err(storage)
    }

    /// SIR accepted the action: `pending` → `issued` (a `confirmed` one stays confirmed).
    /// `None`s when SIR said "already processed" without the original result.
    pub async fn reward_issued(
        &self,
        donation_id: &str,
        action_id: Option<&str>,
        tokens: Option<i64>,
        now: i64,
    ) -> Result<(), ApiError> {
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
        .await
        .map_err(storage)?;
        Ok(())
    }

    /// Another try later, after a failure SIR may get over (pool empty, 429, 5xx, network).
    pub async fn reward_retry(&self, donation_id: &str, next_at: i64, error: &str, now: i64) -> Result<(), ApiError> {
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
        .await
        .map_err(storage)?;
        Ok(())
    }

    /// SIR refused the reward for good.
    pub async fn reward_failed(&self, donation_id: &str, error: &str, now: i64) -> Result<(), ApiError> {
        sqlx::query(
            "UPDATE rewards SET state = 'failed', attempts = attempts + 1, last_error = $1, lease_until = NULL,
                                updated_at = $2
             WHERE partner_donation_id = $3 AND state = 'pending'",
        )
        .bind(error)
        .bind(now)
        .bind(donation_id)
        .execute(&self.pool)
        .await
        .map_err(storage)?;
        Ok(())
    }

    /// Applies a lifecycle webhook to the reward of `donation_id`; returns its owner when
    /// a reward was changed.
    pub async fn reward_lifecycle(
        tx: &mut AnyConnection,
        donation_id: &str,
        change: &LifecycleChange,
        now: i64,
    ) -> Result<Option<String>, ApiError> {
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
        let row = query.bind(now).bind(donation_id).fetch_optional(&mut *tx).await.map_err(storage)?;
        row.map(|r| r.try_get::<String, _>(0)).transpose().map_err(storage)
    }

    /// Raises (or refreshes) an operational alert.
    pub async fn raise_alert(tx: &mut AnyConnection, name: &str, detail: &str, now: i64) -> Result<(), ApiError> {
        sqlx::query(
            "INSERT INTO alerts (name, detail, raised_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET detail = excluded.detail, raised_at = excluded.raised_at",
        )
        .bind(name)
        .bind(detail)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(storage)?;
        Ok(())
    }

    /// Whether the database answers (the public health check).
    pub async fn ping(&self) -> Result<(), ApiError> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.map(|_| ()).map_err(storage)
    }

    /// The queues' depths and oldest entries, for `/healthz` and the metrics.
    pub async fn queues(&self) -> Result<Queues, ApiError> {
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
    pub async fn health(&self, alerts_since: i64) -> Result<Health, ApiError> {
        let count = |sql: &'static str| async move {
            sqlx::query(sql).fetch_one(&self.pool).await.and_then(|row| row.try_get::<i64, _>(0)).map_err(storage)
        };
        let an_hour_ago = now_ms() - 60 * 60 * 1000;
        let alerts = sqlx::query("SELECT name, detail, raised_at FROM alerts WHERE raised_at >= $1 ORDER BY name")
            .bind(alerts_since)
            .fetch_all(&self.pool)
            .await
            .map_err(storage)?
            .iter()
            .map(|row| {
                let detail: String = row.try_get(1)?;
                Ok(Alert {
                    name: row.try_get(0)?,
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
                    raised_at: row.try_get(2)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(storage)?;
        Ok(Health {
            unapplied_events: count("SELECT COUNT(*) FROM webhook_events WHERE applied_at IS NULL").await?,
            rewards_pending: count("SELECT COUNT(*) FROM rewards WHERE state = 'pending'").await?,
            rewards_held: count("SELECT COUNT(*) FROM rewards WHERE state = 'held'").await?,
            rewards_failed: count("SELECT COUNT(*) FROM rewards WHERE state = 'failed'").await?,
            rewards_unconfirmed: sqlx::query("SELECT COUNT(*) FROM rewards WHERE state = 'issued' AND updated_at < $1")
                .bind(an_hour_ago)
                .fetch_one(&self.pool)
                .await
                .and_then(|row| row.try_get::<i64, _>(0))
                .map_err(storage)?,
            donations_unassigned: count(
                "SELECT COUNT(*) FROM donations d WHERE d.status = 'completed' AND d.source = 'webhook'
                   AND d.owner_external_id IS NULL",
            )
            .await?,
            alerts,
        })
    }

    pub async fn create_session(
        &self,
        token_sha256: &str,
        session: &SessionRow,
        expires_at: i64,
    ) -> Result<(), ApiError> {
        sqlx::query(
            "INSERT INTO sessions (token_sha256, external_id, email, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (token_sha256) DO UPDATE SET external_id = excluded.external_id, email = excluded.email,
                                                      expires_at = excluded.expires_at",
        )
        .bind(token_sha256)
        .bind(&session.external_id)
        .bind(&session.email)
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .map_err(storage)?;
        Ok(())
    }

    /// The session for a cookie's hash, if it exists and has not expired.
    pub async fn session(&self, token_sha256: &str, now: i64) -> Result<Option<SessionRow>, ApiError> {
        sqlx::query("SELECT external_id, email FROM sessions WHERE token_sha256 = $1 AND expires_at > $2")
            .bind(token_sha256)
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(storage)?
            .map(|row| Ok(SessionRow { external_id: row.try_get(0)?, email: row.try_get(1)? }))
            .transpose()
            .map_err(storage)
    }

    pub async fn delete_session(&self, token_sha256: &str) -> Result<(), ApiError> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
            .bind(token_sha256)
            .execute(&self.pool)
            .await
            .map_err(storage)?;
        Ok(())
    }

    /// Deletes expired sessions (on a timer; `expires_at` is indexed).
    pub async fn prune_sessions(&self, now: i64) -> Result<u64, ApiError> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map(|done| done.rows_affected())
            .map_err(storage)
    }
}

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

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}
