//! [`PendingDonation`]: the donation this widget created, typed, and kept in [`Storage`] so
//! the status view comes back after the round trip to the hosted checkout, or a reload.

use crate::api::json::{Json, JsonWriter};
use crate::api::storage::Storage;
use crate::domain::{Currency, Frequency};

/// What the widget remembers about a donation it created.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingDonation {
    pub partner_donation_id: String,
    pub nonprofit_slug: String,
    pub nonprofit_name: String,
    pub amount: u64,
    pub currency: Currency,
    pub frequency: Frequency,
}

/// One slot per publishable key and nonprofit list, so two different widgets on a
/// page don't show each other's donation.
pub(super) fn slot(key: &str, organizations: &[String]) -> String {
    format!("sir-donate:donation:{key}:{}", organizations.join(","))
}

impl PendingDonation {
    /// The saved donation; `None` when there is none or it can't be read (another
    /// version's format, a hand-edited value, an unknown currency or frequency): the
    /// form then shows as new.
    pub(super) fn load(storage: &dyn Storage, slot: &str) -> Option<Self> {
        let json = Json::parse_object(&storage.get(slot)?)?;
        let field = |name: &str| json.get(name).text();
        Some(Self {
            partner_donation_id: field("partnerDonationId")?,
            nonprofit_slug: field("nonprofitSlug")?,
            nonprofit_name: field("nonprofitName")?,
            amount: json.get("amount").count()?,
            currency: Currency::parse(&field("currency")?).ok()?,
            frequency: Frequency::parse(&field("frequency")?)?,
        })
    }

    pub(super) fn save(&self, storage: &dyn Storage, slot: &str) {
        let text = JsonWriter::default()
            .text("partnerDonationId", &self.partner_donation_id)
            .text("nonprofitSlug", &self.nonprofit_slug)
            .text("nonprofitName", &self.nonprofit_name)
            .count("amount", self.amount)
            .text("currency", self.currency.code())
            .text("frequency", self.frequency.as_str())
            .finish();
        storage.set(slot, &text);
    }
}
