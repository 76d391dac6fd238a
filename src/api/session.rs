//! The donation in progress, kept in `sessionStorage` so the status view comes back
//! after the round trip to the hosted checkout, or a reload, in the same tab.

use serde::{Deserialize, Serialize};

/// What the widget remembers about a donation it created.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
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

pub fn load(scope: &str) -> Option<PendingDonation> {
    let text = storage()?.get_item(&slot(scope)).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

pub fn save(scope: &str, donation: &PendingDonation) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(donation)) {
        let _ = storage.set_item(&slot(scope), &text);
    }
}

pub fn clear(scope: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&slot(scope));
    }
}
