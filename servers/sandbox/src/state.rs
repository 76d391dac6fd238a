//! In-memory state: donations, armed faults, counters, the request log, rate-limit
//! windows, the token ledger and webhooks. Nothing survives a restart, by design.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::faults::FaultBook;
use crate::model::ledger::DEFAULT_LOW_POOL_THRESHOLD;
use crate::model::{Donation, Hooks, Ledger, PresetWebhook};
use crate::rate_limit::RateLimiter;

/// How many `/v1/partner` requests `GET /__sandbox/requests` keeps.
pub const REQUEST_LOG_LENGTH: usize = 1000;

#[derive(Clone, Debug)]
pub struct Config {
    /// Base of the absolute URLs handed out (logos, checkout links), without a trailing `/`.
    pub public_url: String,
    /// Requests per bucket per 60-second window; also reported as `rateLimit` in config.
    pub rate_limit: u32,
    /// A pending donation at least this old reads as `expired`.
    pub checkout_ttl: Duration,
    /// A webhook registered at start for the Demo Partner (`--webhook-url`), receiving
    /// every event, so a demo needs no registration step.
    pub preset_webhook: Option<PresetWebhook>,
    /// Delivery attempts per event and webhook, the first one included.
    pub webhook_attempts: u32,
    /// The wait before the second attempt; it doubles before each further one.
    pub webhook_retry_base: Duration,
    /// A pool falling below this many tokens sends `token_pool.low_balance`.
    pub pool_low_threshold: u64,
    /// Added before every answer but the test controls' (`--latency-ms`): a network's round trip.
    pub latency: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8787".to_owned(),
            rate_limit: 1000,
            checkout_ttl: Duration::from_secs(1800),
            preset_webhook: None,
            webhook_attempts: 5,
            webhook_retry_base: Duration::from_secs(1),
            pool_low_threshold: DEFAULT_LOW_POOL_THRESHOLD,
            latency: Duration::ZERO,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    /// Delivers webhooks.
    pub http: reqwest::Client,
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug)]
pub struct Inner {
    pub donations: HashMap<String, Donation>,
    pub faults: FaultBook,
    pub stats: Stats,
    pub limiter: RateLimiter,
    pub log: VecDeque<RequestRecord>,
    /// Token pools, user balances and processed actions.
    pub ledger: Ledger,
    /// Registered webhooks, sent events and delivery attempts.
    pub hooks: Hooks,
    ids: IdGenerator,
}

/// Requests that reached each endpoint (`GET /__sandbox/stats`).
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub config: u64,
    pub organization: u64,
    pub create_link: u64,
    pub status: u64,
}

/// One `/v1/partner` request, as `GET /__sandbox/requests` shows it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    /// Only the key's prefix (`pk_test_`, `sk_test_`, …, `none`, `other`), never the key.
    pub key_prefix: &'static str,
    pub origin: Option<String>,
    /// `None` when an injected `drop` fault closed the connection without a response.
    pub status: Option<u16>,
}

impl AppState {
    pub fn new(config: Config) -> Self {
        let inner = Inner {
            donations: HashMap::new(),
            faults: FaultBook::default(),
            stats: Stats::default(),
            limiter: RateLimiter::default(),
            log: VecDeque::new(),
            ledger: Ledger::default(),
            hooks: Hooks::default(),
            ids: IdGenerator::new(),
        };
        let state =
            Self { config: Arc::new(config), http: crate::model::hooks::client(), inner: Arc::new(Mutex::new(inner)) };
        if let Some(preset) = &state.config.preset_webhook {
            let mut inner = state.lock();
            let id = inner.new_id();
            inner.hooks.add_preset(id, &crate::seed::PARTNERS[0], preset);
        }
        state
    }

    /// The state lock. A poisoned lock only means a handler panicked mid-update;
    /// the sandbox keeps serving what is there rather than failing every request after.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `POST /__sandbox/reset`: everything but the id sequence, so ids never repeat,
    /// and the `--webhook-url` webhook, which belongs to the command line.
    pub fn reset(&self) {
        let mut inner = self.lock();
        inner.donations.clear();
        inner.faults.clear();
        inner.stats = Stats::default();
        inner.limiter.clear();
        inner.log.clear();
        inner.ledger = Ledger::default();
        inner.hooks.reset();
    }
}

impl Inner {
    pub fn new_id(&mut self) -> String {
        self.ids.next()
    }

    pub fn record(&mut self, record: RequestRecord) {
        if self.log.len() == REQUEST_LOG_LENGTH {
            self.log.pop_front();
        }
        self.log.push_back(record);
    }
}

/// 24 lowercase hex digits laid out like a MongoDB ObjectId (the API's ids are
/// ObjectIds, API reference §1.3): 4 bytes of Unix time, 5 random bytes fixed per
/// process, a 3-byte counter. Unique within a process and unlikely to repeat across runs.
#[derive(Debug)]
struct IdGenerator {
    process: u64,
    counter: u32,
}

impl IdGenerator {
    fn new() -> Self {
        // std's hasher keys are random per process: randomness without a dependency.
        let random = RandomState::new().hash_one(0u8);
        Self { process: random & 0xff_ffff_ffff, counter: (random >> 40) as u32 & 0xff_ffff }
    }

    fn next(&mut self) -> String {
        self.counter = (self.counter + 1) & 0xff_ffff;
        let seconds = unix_now() as u32;
        format!("{seconds:08x}{:010x}{:06x}", self.process, self.counter)
    }
}

pub fn unix_now() -> u64 {
    unix_seconds(SystemTime::now())
}

pub fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// RFC 3339 in UTC with second precision, e.g. `2026-05-10T09:12:00Z`.
pub fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_24_lowercase_hex_and_unique() {
        let mut ids = IdGenerator::new();
        let a = ids.next();
        let b = ids.next();
        assert_eq!(a.len(), 24);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{a}");
        assert_ne!(a, b);
    }
}
