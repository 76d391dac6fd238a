//! Durable storage: received webhook events, donations and who owns them, the reward
//! outbox, demo sessions and alerts, in SQLite (one instance) or PostgreSQL (several).
//! SQL through sqlx's `Any` driver, so the same queries and migrations serve both engines:
//! only portable SQL (`ON CONFLICT`, `RETURNING`, `$n` parameters). Correctness with several
//! instances rests on unique constraints and conditional updates, never on process memory.
//!
//! Exactly-once: an event is inserted (unique `event_id`, unique `signature`) and committed
//! before its 2xx, then claimed and applied in **one transaction** by the inbox, so a crash
//! before that commit leaves it queued, and a redelivery is recognised as a duplicate.
//! SQLite runs with `synchronous=FULL`, so a commit is on disk before the 2xx goes out.
//!
//! One file per concern, each an `impl Store` block: `events`, `donations`, `campaigns`, `rewards`,
//! `lifecycle`, `reconciliation`, `sessions`, `health`. Every query fails with [`StoreError`], which `?` turns into the
//! API's 500.

mod campaigns;
mod donations;
mod events;
mod health;
mod lifecycle;
mod reconciliation;
mod rewards;
mod sessions;

pub use campaigns::{Confirmed, Raised, Totals};
pub use donations::{Completion, DonationRow, NewDonation};
pub use events::{IncomingEvent, Recorded};
pub use health::{Alert, Health, Queues};
pub use lifecycle::LifecycleChange;
pub use rewards::{DueReward, RewardOrder, RewardRow, RewardState};
pub use sessions::SessionRow;

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

use crate::config::Database;

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot connect: {0}")]
    Connect(#[from] sqlx::Error),
    #[error("cannot migrate: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A storage failure: the database's own, or a row that breaks this server's rules.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Database(#[from] sqlx::Error),
    #[error("storage: {0}")]
    Invariant(String),
}

/// The database. Cloning shares the pool.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
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
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        self.pool.begin().await.map_err(StoreError::from)
    }
}

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}
