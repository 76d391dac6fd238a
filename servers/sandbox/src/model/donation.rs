//! A donation as the sandbox keeps it, and its status rules.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::seed::Nonprofit;

/// Decision: the docs list no status values (§7.1). A donation starts `pending`; the
/// checkout moves it to `completed`, `cancelled` or `failed`; an untouched one reads as
/// `expired` once older than `--checkout-ttl-secs`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DonationStatus {
    Pending,
    Completed,
    Cancelled,
    Failed,
    Expired,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    Once,
    Monthly,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum Provider {
    #[serde(rename = "every.org")]
    EveryOrg,
    #[serde(rename = "stripe")]
    Stripe,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Donor {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Donation {
    pub id: String,
    pub partner_id: &'static str,
    pub nonprofit: &'static Nonprofit,
    /// Cents, as the docs annotate `amount`.
    pub amount: u64,
    pub currency: &'static str,
    pub frequency: Frequency,
    pub provider: Provider,
    pub donor: Donor,
    /// Cents: `tipAmount` as sent, else `tipPercent` of `amount`, rounded.
    pub tip: Option<u64>,
    pub referral_code: Option<String>,
    pub status: DonationStatus,
    /// Statuses the next status polls return, one each (a test control).
    pub scripted: VecDeque<DonationStatus>,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    /// The partner page's `Origin`, for the checkout's "Return to …" link.
    pub return_origin: Option<String>,
    /// Whether its `transaction.completed` webhook was sent: at most one per donation.
    pub completion_announced: bool,
}

impl Donation {
    /// The status as read now: a pending donation at least `ttl` old is expired.
    pub fn status(&self, ttl: Duration) -> DonationStatus {
        if self.status == DonationStatus::Pending && self.age() >= ttl { DonationStatus::Expired } else { self.status }
    }

    /// When the status last changed; for an expired one, when it expired.
    pub fn updated(&self, ttl: Duration) -> SystemTime {
        match self.status(ttl) {
            DonationStatus::Expired if self.status == DonationStatus::Pending => self.created_at + ttl,
            _ => self.updated_at,
        }
    }

    /// Moves an open (pending, unexpired) donation to `to`; a finished one never changes.
    pub fn finish(&mut self, to: DonationStatus, ttl: Duration) -> bool {
        let open = self.status(ttl) == DonationStatus::Pending;
        if open {
            self.set_status(to);
        }
        open
    }

    pub fn set_status(&mut self, to: DonationStatus) {
        if self.status != to {
            self.status = to;
            self.updated_at = SystemTime::now();
        }
    }

    /// The `transaction.completed` event data, the first time this donation is seen
    /// completed (whatever completed it: the checkout, a test control, a scripted poll).
    ///
    /// Decision: the data a partner needs to credit the donor without another call:
    /// `{partnerDonationId, nonprofitSlug, amount (cents), currency, frequency,
    /// donorEmail (only if given), status: "completed"}`.
    pub fn take_completion(&mut self) -> Option<Value> {
        if self.status != DonationStatus::Completed || self.completion_announced {
            return None;
        }
        self.completion_announced = true;
        let mut data = serde_json::json!({
            "partnerDonationId": self.id,
            "nonprofitSlug": self.nonprofit.slug,
            "amount": self.amount,
            "currency": self.currency,
            "frequency": self.frequency,
            "status": "completed",
        });
        if let Some(email) = &self.donor.email {
            data["donorEmail"] = Value::String(email.clone());
        }
        Some(data)
    }

    fn age(&self) -> Duration {
        SystemTime::now().duration_since(self.created_at).unwrap_or_default()
    }
}
