//! Client for the partner's own server: the delegation contract for everything that
//! needs a secret key (webhook-driven status, rewards). See servers/partner/README.md.
//!
//! Calls carry the page's cookies (`credentials: "include"`), so the partner server
//! knows which donor is signed in.

use gloo_net::http::Request;
use serde::Deserialize;
use web_sys::{AbortController, RequestCredentials};

use super::http::send_json;
use super::{ApiError, Endpoint};
use crate::domain::check_https_or_loopback;

/// `GET /sir/donations/:id`: the partner server's view, authoritative once a webhook came.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct PartnerDonation {
    pub status: Option<String>,
    /// `"webhook"` or `"api"`.
    pub source: Option<String>,
    pub reward: Option<Reward>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Reward {
    pub tokens: Option<u64>,
    pub action_id: Option<String>,
}

/// `POST /sir/rewards/donation`: the reward recorded for a completed donation.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct RecordedReward {
    pub tokens_distributed: Option<u64>,
    pub idempotent: bool,
}

/// `GET /sir/rewards`: the signed-in donor's balance, when the partner knows the donor.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Rewards {
    pub signed_in: bool,
    pub balance: Option<u64>,
    pub currency: Option<String>,
}

/// The partner server at `partnerEndpoint`.
pub struct PartnerClient {
    base: String,
    lifetime: AbortController,
}

impl PartnerClient {
    /// # Errors
    /// [`ApiError::InvalidRequest`] unless the endpoint is https (or http to loopback).
    pub fn new(endpoint: &str) -> Result<Self, ApiError> {
        let base = endpoint.trim().trim_end_matches('/').to_owned();
        check_https_or_loopback(&base)
            .map_err(|_| ApiError::InvalidRequest("partner-endpoint must be an https URL".into()))?;
        let lifetime = AbortController::new().map_err(|_| ApiError::Network)?;
        Ok(Self { base, lifetime })
    }

    /// Cancels every request in flight.
    pub fn abort_all(&self) {
        self.lifetime.abort();
    }

    pub async fn donation(&self, partner_donation_id: &str) -> Result<PartnerDonation, ApiError> {
        let url = format!("{}/sir/donations/{}", self.base, js_sys::encode_uri_component(partner_donation_id));
        send_json(&self.lifetime, Endpoint::Partner, Request::get(&url).credentials(RequestCredentials::Include), None)
            .await
    }

    pub async fn record_reward(&self, partner_donation_id: &str) -> Result<RecordedReward, ApiError> {
        let url = format!("{}/sir/rewards/donation", self.base);
        let body = serde_json::json!({ "partnerDonationId": partner_donation_id }).to_string();
        let request = Request::post(&url).credentials(RequestCredentials::Include);
        send_json(&self.lifetime, Endpoint::Partner, request, Some(body)).await
    }

    pub async fn rewards(&self) -> Result<Rewards, ApiError> {
        let url = format!("{}/sir/rewards", self.base);
        send_json(&self.lifetime, Endpoint::Partner, Request::get(&url).credentials(RequestCredentials::Include), None)
            .await
    }
}

impl Drop for PartnerClient {
    fn drop(&mut self) {
        self.abort_all();
    }
}
