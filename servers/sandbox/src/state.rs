//! In-memory state: donations, armed faults, counters and rate-limit windows.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::faults::{Fault, FaultEndpoint};

#[derive(Clone, Debug)]
pub struct Config {
    pub public_url: String,
    pub rate_limit: u32,
    pub checkout_ttl: Duration,
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
pub struct Inner {
    pub donations: HashMap<String, Donation>,
    pub faults: HashMap<FaultEndpoint, VecDeque<Fault>>,
    pub stats: Stats,
    pub windows: HashMap<String, RateWindow>,
    pub log: VecDeque<RequestRecord>,
    pub next_id: u64,
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub config: u64,
    pub organization: u64,
    pub create_link: u64,
    pub status: u64,
}

pub struct RateWindow {
    pub started: u64,
    pub count: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    pub key_prefix: &'static str,
    pub origin: Option<String>,
    pub status: u16,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Completed,
    Cancelled,
    Failed,
    Expired,
}

#[derive(Clone, Debug)]
pub struct Donation {
    pub id: String,
    pub partner_id: &'static str,
    pub nonprofit_slug: &'static str,
    pub amount: u64,
    pub currency: String,
    pub frequency: String,
    pub provider: String,
    pub donor_email: Option<String>,
    pub tip_amount: Option<u64>,
    pub status: Status,
    /// Statuses the next polls return, one each (a test control).
    pub scripted: VecDeque<Status>,
    pub created: SystemTime,
    pub updated: SystemTime,
    /// The partner page's origin, for the checkout's "return to site" link.
    pub return_origin: Option<String>,
}

impl Donation {
    /// A pending checkout past its time to live reads as expired.
    pub fn current_status(&self, ttl: Duration) -> Status {
        let age = SystemTime::now().duration_since(self.created).unwrap_or_default();
        if self.status == Status::Pending && age > ttl { Status::Expired } else { self.status }
    }
}

impl AppState {
    pub fn new(config: Config) -> Self {
        Self { config: Arc::new(config), inner: Arc::new(Mutex::new(Inner::default())) }
    }

    /// The state lock. A poisoned lock only means a handler panicked mid-update;
    /// the sandbox keeps serving with what is there.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn reset(&self) {
        let mut inner = self.lock();
        let next_id = inner.next_id;
        *inner = Inner { next_id, ..Inner::default() };
    }
}

impl Inner {
    /// A 24-hex id, like the API's MongoDB ObjectIds: time, then a counter.
    pub fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("{:08x}{:016x}", unix_now() as u32, self.next_id ^ 0x5a5a_0000_0000)
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

pub fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}
