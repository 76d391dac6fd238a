//! Token pools, users and their balances, and processed actions, per partner.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::seed::PARTNERS;

/// Every seeded partner's pool at start and after a reset.
pub const INITIAL_POOL_TOKENS: u64 = 10_000;
/// Decision: a pool is "low" under a tenth of its initial size (`--pool-low-threshold`).
pub const DEFAULT_LOW_POOL_THRESHOLD: u64 = INITIAL_POOL_TOKENS / 10;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub balance: u64,
}

/// Pools, users and processed actions, per partner.
#[derive(Debug)]
pub struct Ledger {
    pools: HashMap<&'static str, u64>,
    pub(crate) users: HashMap<(&'static str, String), User>,
    /// The first response per `(partner, idempotencyKey)`.
    pub(crate) actions: HashMap<(&'static str, String), Value>,
    /// What each completed action credited, by action id, so it can be reversed.
    pub(crate) credits: HashMap<String, Credit>,
    /// Submissions answered 409 `IDEMPOTENT`: a client sending an action again.
    pub repeats: u64,
}

/// What one completed action credited.
#[derive(Clone, Debug)]
pub(crate) struct Credit {
    pub(crate) partner_id: &'static str,
    pub(crate) idempotency_key: String,
    pub(crate) action_type: String,
    pub(crate) per_stakeholder: u64,
    pub(crate) stakeholders: Vec<String>,
    pub(crate) metadata: Option<Map<String, Value>>,
    pub(crate) reversed: bool,
}

impl Default for Ledger {
    fn default() -> Self {
        Self {
            pools: PARTNERS.iter().map(|p| (p.id, INITIAL_POOL_TOKENS)).collect(),
            users: HashMap::new(),
            actions: HashMap::new(),
            credits: HashMap::new(),
            repeats: 0,
        }
    }
}

impl Ledger {
    pub fn pool(&self, partner_id: &str) -> u64 {
        self.pools.get(partner_id).copied().unwrap_or_default()
    }

    pub fn set_pool(&mut self, partner_id: &'static str, tokens: u64) {
        self.pools.insert(partner_id, tokens);
    }

    pub fn user(&self, partner_id: &'static str, external_id: &str) -> Option<&User> {
        self.users.get(&(partner_id, external_id.to_owned()))
    }

    /// Actions completed (each idempotency key once), over every partner.
    pub fn completed_actions(&self) -> usize {
        self.actions.len()
    }
}
