//! Wire types. Responses are read tolerantly: unknown fields are ignored, fields the
//! docs show only in older revisions are optional, and unsure key names have aliases.

use serde::{Deserialize, Serialize};

/// `GET /v1/partner/config` (fields from doc revision r10, unconfirmed since).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct PartnerConfig {
    pub id: Option<String>,
    pub name: Option<String>,
    pub slug: Option<String>,
    /// `None` means "not sent": the widget then assumes donations are allowed (§7.11).
    pub enabled_features: Option<Vec<String>>,
    pub is_active: Option<bool>,
    pub tip_config: Option<TipConfig>,
}

impl PartnerConfig {
    /// Donations are off only when the config says so explicitly.
    pub fn donations_enabled(&self) -> bool {
        self.enabled_features
            .as_ref()
            .is_none_or(|features| features.iter().any(|f| f.eq_ignore_ascii_case("DONATIONS")))
    }

    pub fn is_active(&self) -> bool {
        self.is_active != Some(false)
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct TipConfig {
    pub enabled: bool,
    pub default_percent: Option<f64>,
}

/// `GET /v1/partner/organizations/:slug`. The docs name the contents (id, name, logo,
/// EIN, status) but not the keys, so both spellings are accepted (§7.2).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Organization {
    pub id: Option<String>,
    pub slug: Option<String>,
    pub name: String,
    #[serde(alias = "EIN")]
    pub ein: Option<String>,
    #[serde(alias = "logo")]
    pub logo_url: Option<String>,
    pub status: Option<String>,
}

impl Organization {
    /// Unknown or missing status counts as active; only an explicit negative disables.
    pub fn is_active(&self) -> bool {
        !matches!(
            self.status.as_deref().map(str::to_ascii_lowercase).as_deref(),
            Some("inactive" | "disabled" | "suspended" | "archived")
        )
    }
}

/// The create-link body: only the documented fields, optional ones left out when empty.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CreateLinkRequest {
    pub nonprofit_slug: String,
    /// Integer minor units (cents), per doc revision r10 and the scenario's `2500`.
    pub amount: u64,
    pub currency: String,
    pub frequency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub donor_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Assumed to be minor units like `amount` (§7.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tip_amount: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tip_percent: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral_code: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CreateLinkResponse {
    pub donation_link: String,
    pub partner_donation_id: String,
}

/// The status response is undocumented (§7.1): only `status` is read.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct DonationStatusResponse {
    pub status: Option<String>,
}
