//! Durable storage in SQLite: received webhook events, what they taught us about
//! donations, the rewards given, and donor sessions.
//!
//! Exactly-once processing: an event is inserted (unique `event_id`, unique
//! `signature`) and applied in **one transaction**. Either both are on disk or neither
//! is, so a crash before the commit means SIR's retry is processed, and a redelivery
//! after it is recognised as a duplicate. `synchronous=FULL` makes a commit durable
//! before the 2xx goes out.

use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension as _, params};

use crate::error::ApiError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS webhook_events (
    event_id      TEXT PRIMARY KEY,
    signature     TEXT NOT NULL UNIQUE,
    event_type    TEXT NOT NULL,
    sir_timestamp INTEGER NOT NULL,
    body          TEXT NOT NULL,
    received_at   INTEGER NOT NULL,
    processed_at  INTEGER
);
CREATE TABLE IF NOT EXISTS donations (
    partner_donation_id TEXT PRIMARY KEY,
    status         TEXT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('webhook', 'api')),
    amount_cents   INTEGER,
    currency       TEXT,
    nonprofit_slug TEXT,
    frequency      TEXT,
    donor_email    TEXT,
    updated_at     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rewards (
    partner_donation_id TEXT PRIMARY KEY,
    action_id   TEXT NOT NULL,
    tokens      INTEGER NOT NULL,
    external_id TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    external_id  TEXT NOT NULL,
    email        TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
);
";

/// A verified webhook delivery, as stored.
#[derive(Clone, Debug)]
pub struct IncomingEvent {
    pub event_id: String,
    pub signature: String,
    pub event_type: String,
    pub sir_timestamp: u64,
    pub body: String,
    /// For `transaction.completed`: what to record about the donation.
    pub completed_donation: Option<DonationFacts>,
}

/// What a status source says about a donation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DonationFacts {
    pub partner_donation_id: String,
    pub status: String,
    pub amount_cents: Option<u64>,
    pub currency: Option<String>,
    pub nonprofit_slug: Option<String>,
    pub frequency: Option<String>,
    pub donor_email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonationRow {
    pub facts: DonationFacts,
    /// `webhook` or `api`.
    pub source: String,
    pub updated_at: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RewardRow {
    pub partner_donation_id: String,
    pub action_id: String,
    pub tokens: u64,
    pub external_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub external_id: String,
    pub email: String,
}

/// Whether an event was new or a replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    New,
    /// Same event id, or same signature, seen before: not processed again.
    Duplicate,
}

/// The database. Cloning shares the one connection; calls run on tokio's blocking pool.
#[derive(Clone)]
pub struct Db {
    connection: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating if needed) the file at `path`, or a private in-memory database for `:memory:`.
    pub fn open(path: &str) -> rusqlite::Result<Self> {
        let connection = Connection::open(path)?;
        // WAL: readers don't block the writer; FULL: a commit is on disk before we answer.
        // (An in-memory database answers "memory" to the first; that is fine.)
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.execute_batch(SCHEMA)?;
        Ok(Self { connection: Arc::new(Mutex::new(connection)) })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic mid-call rolled its transaction back (rusqlite's Transaction drops to a rollback).
        self.connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `work` on the blocking pool with the connection.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let db = self.clone();
        tokio::task::spawn_blocking(move || work(&mut db.lock()))
            .await
            .map_err(|error| ApiError::internal(format!("Storage task failed: {error}")))?
            .map_err(|error| {
                tracing::error!(%error, "storage error");
                ApiError::internal("Storage error")
            })
    }

    /// Stores a verified event and applies it, in one transaction; a replay changes nothing.
    pub async fn record_event(&self, event: IncomingEvent, now: u64) -> Result<Recorded, ApiError> {
        self.run(move |connection| {
            let tx = connection.transaction()?;
            let seen: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM webhook_events WHERE event_id = ?1 OR signature = ?2)",
                params![event.event_id, event.signature],
                |row| row.get(0),
            )?;
            if seen {
                return Ok(Recorded::Duplicate);
            }
            tx.execute(
                "INSERT INTO webhook_events (event_id, signature, event_type, sir_timestamp, body, received_at, processed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![event.event_id, event.signature, event.event_type, event.sir_timestamp, event.body, now],
            )?;
            if let Some(facts) = &event.completed_donation {
                upsert_donation(&tx, facts, "webhook", now)?;
            }
            tx.commit()?;
            Ok(Recorded::New)
        })
        .await
    }

    /// Records what the status API said. A completion a webhook already recorded is
    /// final and never overwritten; other states follow the API.
    pub async fn record_api_status(&self, facts: DonationFacts, now: u64) -> Result<(), ApiError> {
        self.run(move |connection| {
            let tx = connection.transaction()?;
            let existing: Option<(String, String)> = tx
                .query_row(
                    "SELECT status, source FROM donations WHERE partner_donation_id = ?1",
                    params![facts.partner_donation_id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            match existing {
                Some((status, _)) if status == "completed" => {}
                Some((status, _)) if status == facts.status => {
                    // Unchanged: keep updated_at as the time of the last change.
                }
                _ => upsert_donation(&tx, &facts, "api", now)?,
            }
            tx.commit()
        })
        .await
    }

    pub async fn donation(&self, id: &str) -> Result<Option<DonationRow>, ApiError> {
        let id = id.to_owned();
        self.run(move |connection| {
            connection
                .query_row(
                    "SELECT partner_donation_id, status, source, amount_cents, currency, nonprofit_slug, frequency,
                            donor_email, updated_at
                     FROM donations WHERE partner_donation_id = ?1",
                    params![id],
                    |row| {
                        Ok(DonationRow {
                            facts: DonationFacts {
                                partner_donation_id: row.get(0)?,
                                status: row.get(1)?,
                                amount_cents: row.get(3)?,
                                currency: row.get(4)?,
                                nonprofit_slug: row.get(5)?,
                                frequency: row.get(6)?,
                                donor_email: row.get(7)?,
                            },
                            source: row.get(2)?,
                            updated_at: row.get(8)?,
                        })
                    },
                )
                .optional()
        })
        .await
    }

    pub async fn reward(&self, id: &str) -> Result<Option<RewardRow>, ApiError> {
        let id = id.to_owned();
        self.run(move |connection| select_reward(connection, &id)).await
    }

    /// Records a reward unless one is already recorded for the donation; returns the
    /// recorded one and whether it was this call that recorded it.
    pub async fn record_reward(&self, reward: RewardRow, now: u64) -> Result<(RewardRow, bool), ApiError> {
        self.run(move |connection| {
            let inserted = connection.execute(
                "INSERT OR IGNORE INTO rewards (partner_donation_id, action_id, tokens, external_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![reward.partner_donation_id, reward.action_id, reward.tokens, reward.external_id, now],
            )? == 1;
            let stored = select_reward(connection, &reward.partner_donation_id)?.unwrap_or(reward);
            Ok((stored, inserted))
        })
        .await
    }

    pub async fn create_session(
        &self,
        token_sha256: String,
        session: SessionRow,
        expires_at: u64,
    ) -> Result<(), ApiError> {
        self.run(move |connection| {
            connection.execute(
                "INSERT OR REPLACE INTO sessions (token_sha256, external_id, email, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![token_sha256, session.external_id, session.email, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    /// The session for a cookie's hash, if it exists and has not expired (expired ones are removed).
    pub async fn session(&self, token_sha256: String, now: u64) -> Result<Option<SessionRow>, ApiError> {
        self.run(move |connection| {
            connection.execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now])?;
            connection
                .query_row(
                    "SELECT external_id, email FROM sessions WHERE token_sha256 = ?1",
                    params![token_sha256],
                    |row| Ok(SessionRow { external_id: row.get(0)?, email: row.get(1)? }),
                )
                .optional()
        })
        .await
    }

    pub async fn delete_session(&self, token_sha256: String) -> Result<(), ApiError> {
        self.run(move |connection| {
            connection.execute("DELETE FROM sessions WHERE token_sha256 = ?1", params![token_sha256])?;
            Ok(())
        })
        .await
    }

    /// The stored event ids, oldest first (for tests and operators).
    pub async fn event_ids(&self) -> Result<Vec<String>, ApiError> {
        self.run(|connection| {
            let mut statement = connection.prepare("SELECT event_id FROM webhook_events ORDER BY rowid")?;
            let ids = statement.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(ids)
        })
        .await
    }
}

fn upsert_donation(
    tx: &rusqlite::Transaction<'_>,
    facts: &DonationFacts,
    source: &str,
    now: u64,
) -> rusqlite::Result<()> {
    // Known details are kept when a later source lacks them (COALESCE with the new value first).
    tx.execute(
        "INSERT INTO donations (partner_donation_id, status, source, amount_cents, currency, nonprofit_slug, frequency,
                                donor_email, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (partner_donation_id) DO UPDATE SET
            status = excluded.status,
            source = excluded.source,
            amount_cents = COALESCE(excluded.amount_cents, amount_cents),
            currency = COALESCE(excluded.currency, currency),
            nonprofit_slug = COALESCE(excluded.nonprofit_slug, nonprofit_slug),
            frequency = COALESCE(excluded.frequency, frequency),
            donor_email = COALESCE(excluded.donor_email, donor_email),
            updated_at = excluded.updated_at",
        params![
            facts.partner_donation_id,
            facts.status,
            source,
            facts.amount_cents,
            facts.currency,
            facts.nonprofit_slug,
            facts.frequency,
            facts.donor_email,
            now
        ],
    )?;
    Ok(())
}

fn select_reward(connection: &Connection, id: &str) -> rusqlite::Result<Option<RewardRow>> {
    connection
        .query_row(
            "SELECT partner_donation_id, action_id, tokens, external_id FROM rewards WHERE partner_donation_id = ?1",
            params![id],
            |row| {
                Ok(RewardRow {
                    partner_donation_id: row.get(0)?,
                    action_id: row.get(1)?,
                    tokens: row.get(2)?,
                    external_id: row.get(3)?,
                })
            },
        )
        .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, signature: &str) -> IncomingEvent {
        IncomingEvent {
            event_id: id.to_owned(),
            signature: signature.to_owned(),
            event_type: "transaction.completed".to_owned(),
            sir_timestamp: 1,
            body: "{}".to_owned(),
            completed_donation: Some(DonationFacts {
                partner_donation_id: "d1".to_owned(),
                status: "completed".to_owned(),
                amount_cents: Some(2500),
                ..DonationFacts::default()
            }),
        }
    }

    #[tokio::test]
    async fn events_are_deduplicated_by_id_and_by_signature() {
        let db = Db::open(":memory:").expect("open");
        assert_eq!(db.record_event(event("evt_1", "sig_a"), 10).await, Ok(Recorded::New));
        assert_eq!(db.record_event(event("evt_1", "sig_b"), 11).await, Ok(Recorded::Duplicate));
        assert_eq!(db.record_event(event("evt_2", "sig_a"), 12).await, Ok(Recorded::Duplicate));
        assert_eq!(db.event_ids().await, Ok(vec!["evt_1".to_owned()]));
        let donation = db.donation("d1").await.expect("read").expect("row");
        assert_eq!(
            (donation.facts.status.as_str(), donation.source.as_str(), donation.updated_at),
            ("completed", "webhook", 10)
        );
    }

    #[tokio::test]
    async fn the_api_never_undoes_a_completion_and_rewards_are_recorded_once() {
        let db = Db::open(":memory:").expect("open");
        let pending =
            DonationFacts { partner_donation_id: "d1".to_owned(), status: "pending".to_owned(), ..Default::default() };
        db.record_api_status(pending.clone(), 5).await.expect("api");
        assert_eq!(db.donation("d1").await.expect("read").map(|d| d.source), Some("api".to_owned()));
        db.record_event(event("evt_1", "sig"), 10).await.expect("event");
        db.record_api_status(pending, 20).await.expect("api");
        let donation = db.donation("d1").await.expect("read").expect("row");
        assert_eq!((donation.facts.status.as_str(), donation.source.as_str()), ("completed", "webhook"));
        assert_eq!(donation.facts.amount_cents, Some(2500));

        let reward = |action: &str| RewardRow {
            partner_donation_id: "d1".to_owned(),
            action_id: action.to_owned(),
            tokens: 25,
            external_id: "u".to_owned(),
        };
        let (first, inserted) = db.record_reward(reward("a1"), 1).await.expect("reward");
        assert!(inserted);
        let (second, inserted) = db.record_reward(reward("a2"), 2).await.expect("reward");
        assert_eq!((second, inserted), (first, false));
    }
}
