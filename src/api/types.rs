//! Wire types. Responses are read tolerantly: unknown fields are ignored, fields the
//! docs show only in older revisions are optional, and unsure key names have aliases.
//! A response that is not a JSON object is unreadable (`invalid_response`).

use super::ApiError;
use super::json::{Json, JsonWriter};
use crate::domain::{Attribution, check_https_or_loopback};

/// `GET /v1/partner/config` (fields from doc revision r10, unconfirmed since).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartnerConfig {
    pub id: Option<String>,
    pub name: Option<String>,
    pub slug: Option<String>,
    /// `None` means "not sent" (or not a list): the widget then assumes donations are
    /// allowed (§7.11).
    pub enabled_features: Option<Vec<String>>,
    pub is_active: Option<bool>,
    pub tip_config: Option<TipConfig>,
}

impl PartnerConfig {
    pub fn read(json: &Json) -> Self {
        let tip = json.get("tipConfig");
        Self {
            id: json.get("id").text(),
            name: json.get("name").text(),
            slug: json.get("slug").text(),
            enabled_features: json
                .get("enabledFeatures")
                .items()
                .map(|features| features.iter().filter_map(Json::text).collect()),
            is_active: json.get("isActive").flag(),
            tip_config: tip.is_object().then(|| TipConfig {
                enabled: tip.get("enabled").flag().unwrap_or(false),
                default_percent: tip.get("defaultPercent").number(),
            }),
        }
    }

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

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TipConfig {
    pub enabled: bool,
    pub default_percent: Option<f64>,
}

/// `GET /v1/partner/organizations/:slug`. The docs name the contents (id, name, logo,
/// EIN, status) but not the keys, so both spellings are accepted (§7.2).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Organization {
    pub id: Option<String>,
    pub slug: Option<String>,
    pub name: String,
    pub ein: Option<String>,
    pub logo_url: Option<String>,
    pub status: Option<String>,
}

impl Organization {
    pub fn read(json: &Json) -> Self {
        let either = |a: &str, b: &str| json.get(a).text().or_else(|| json.get(b).text());
        Self {
            id: json.get("id").text(),
            slug: json.get("slug").text(),
            name: json.get("name").text().unwrap_or_default(),
            ein: either("ein", "EIN"),
            logo_url: either("logoUrl", "logo"),
            status: json.get("status").text(),
        }
    }

    /// Unknown or missing status counts as active; only an explicit negative disables.
    pub fn is_active(&self) -> bool {
        !matches!(
            self.status.as_deref().map(str::to_ascii_lowercase).as_deref(),
            Some("inactive" | "disabled" | "suspended" | "archived")
        )
    }
}

/// The create-link body: only the documented fields, optional ones left out when empty.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateLinkRequest {
    pub nonprofit_slug: String,
    /// Integer minor units (cents), per doc revision r10 and the scenario's `2500`.
    pub amount: u64,
    pub currency: String,
    pub frequency: String,
    pub provider: Option<String>,
    pub donor_email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Assumed to be minor units like `amount` (§7.4).
    pub tip_amount: Option<u64>,
    pub tip_percent: Option<u32>,
    pub referral_code: Option<String>,
    /// For the partner server only (SIR has no such fields): the partner's campaign code.
    pub campaign: Option<String>,
    /// For the partner server only: where the donor landed from.
    pub attribution: Attribution,
}

impl CreateLinkRequest {
    /// The JSON body, with the API's camelCase names.
    pub fn to_json(&self) -> String {
        self.sir_fields().finish()
    }

    /// The partner server's `POST /sir/donations` body: SIR's fields, plus the campaign code
    /// and the attribution, which it keeps and never passes on to SIR.
    pub fn to_partner_json(&self) -> String {
        let mut body = self.sir_fields().optional_text("campaign", self.campaign.as_deref());
        if !self.attribution.is_empty() {
            let attribution = self
                .attribution
                .pairs()
                .iter()
                .fold(JsonWriter::default(), |object, (name, value)| object.text(name, value));
            body = body.object("attribution", attribution);
        }
        body.finish()
    }

    fn sir_fields(&self) -> JsonWriter {
        JsonWriter::default()
            .text("nonprofitSlug", &self.nonprofit_slug)
            .count("amount", self.amount)
            .text("currency", &self.currency)
            .text("frequency", &self.frequency)
            .optional_text("provider", self.provider.as_deref())
            .optional_text("donorEmail", self.donor_email.as_deref())
            .optional_text("firstName", self.first_name.as_deref())
            .optional_text("lastName", self.last_name.as_deref())
            .optional_count("tipAmount", self.tip_amount)
            .optional_count("tipPercent", self.tip_percent.map(u64::from))
            .optional_text("referralCode", self.referral_code.as_deref())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateLinkResponse {
    pub donation_link: String,
    pub partner_donation_id: String,
}

impl CreateLinkResponse {
    /// `None` unless both fields are there: without them there is nothing to follow.
    pub fn read(json: &Json) -> Option<Self> {
        Some(Self {
            donation_link: json.get("donationLink").text()?,
            partner_donation_id: json.get("partnerDonationId").text()?,
        })
    }

    /// [`Self::read`], then the link's safety: whoever answered (SIR, or the partner
    /// server passing SIR's answer on), the donor is sent only to `https:` (or loopback).
    pub fn read_checked(json: &Json) -> Result<Self, ApiError> {
        let created = Self::read(json).ok_or(ApiError::InvalidResponse)?;
        check_https_or_loopback(&created.donation_link).map_err(|_| ApiError::UnsafeLink)?;
        Ok(created)
    }
}

/// `GET /sir/totals` of the partner server: what its signed webhooks confirmed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CampaignTotals {
    /// Minor units per currency code.
    pub raised: Vec<(String, u64)>,
    pub donations: u64,
    pub donors: u64,
}

impl CampaignTotals {
    pub fn read(json: &Json) -> Self {
        let raised = json
            .get("raised")
            .items()
            .unwrap_or_default()
            .iter()
            .filter_map(|sum| Some((sum.get("currency").text()?, sum.get("amount").count()?)))
            .collect();
        Self {
            raised,
            donations: json.get("donations").count().unwrap_or(0),
            donors: json.get("donors").count().unwrap_or(0),
        }
    }

    /// Raised in `currency` (minor units); other currencies are not added in.
    pub fn raised_in(&self, currency: &str) -> u64 {
        self.raised.iter().filter(|(code, _)| code.eq_ignore_ascii_case(currency)).map(|(_, amount)| *amount).sum()
    }
}

/// The status response is undocumented (§7.1): only `status` is read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DonationStatusResponse {
    pub status: Option<String>,
}

impl DonationStatusResponse {
    pub fn read(json: &Json) -> Self {
        Self { status: json.get("status").text() }
    }
}
