//! The donation in progress, kept in `sessionStorage` so the status view comes back
//! after the round trip to the hosted checkout, or a reload, in the same tab.

use super::json::{Json, JsonWriter};

/// What the widget remembers about a donation it created.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingDonation {
    pub partner_donation_id: String,
    pub nonprofit_slug: String,
    pub nonprofit_name: String,
    pub amount: u64,
    pub currency: String,
    pub frequency: String,
}

/// One slot per publishable key and nonprofit list, so two different widgets on a
/// page don't show each other's donation.
fn slot(scope: &str) -> String {
    format!("sir-donate:donation:{scope}")
}

fn storage() -> Option<web_sys::Storage> {
    // Storage can be disabled (privacy modes, sandboxed frames): then nothing persists.
    web_sys::window()?.session_storage().ok().flatten()
}

/// The saved donation; `None` when there is none or it can't be read (another
/// version's format, a hand-edited value): the form then shows as new.
pub fn load(scope: &str) -> Option<PendingDonation> {
    let text = storage()?.get_item(&slot(scope)).ok().flatten()?;
    let json = Json::parse_object(&text)?;
    let field = |name: &str| json.get(name).text();
    Some(PendingDonation {
        partner_donation_id: field("partnerDonationId")?,
        nonprofit_slug: field("nonprofitSlug")?,
        nonprofit_name: field("nonprofitName")?,
        amount: json.get("amount").count()?,
        currency: field("currency")?,
        frequency: field("frequency")?,
    })
}

pub fn save(scope: &str, donation: &PendingDonation) {
    let Some(storage) = storage() else { return };
    let text = JsonWriter::default()
        .text("partnerDonationId", &donation.partner_donation_id)
        .text("nonprofitSlug", &donation.nonprofit_slug)
        .text("nonprofitName", &donation.nonprofit_name)
        .count("amount", donation.amount)
        .text("currency", &donation.currency)
        .text("frequency", &donation.frequency)
        .finish();
    let _ = storage.set_item(&slot(scope), &text);
}

pub fn clear(scope: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&slot(scope));
    }
}
