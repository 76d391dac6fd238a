//! Client for the partner's own server: the delegation contract for everything that
//! needs a secret key (donations tied to the signed-in donor, webhook-driven status,
//! rewards). See servers/partner/README.md.
//!
//! Calls carry the page's cookies (`credentials: "include"`), so the partner server
//! knows which donor is signed in. Only the fields the widget uses are read.

use web_sys::AbortController;

use super::http::{Call, send_json};
use super::json::{Json, JsonWriter};
use super::{ApiError, CampaignTotals, CreateLinkRequest, CreateLinkResponse, Endpoint};
use crate::domain::check_https_or_loopback;

/// `GET /sir/donations/:id`: the partner server's view, authoritative once a webhook came.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PartnerDonation {
    pub status: Option<String>,
}

/// `POST /sir/rewards/donation`: the reward of a completed donation, as the partner
/// server's outbox has got it so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordedReward {
    /// `pending`, `issued`, `confirmed`, `failed` or `reversed`.
    pub state: Option<String>,
    pub tokens_distributed: Option<u64>,
}

/// `GET /sir/rewards`: the signed-in donor's balance, when the partner knows the donor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rewards {
    pub signed_in: bool,
    pub balance: Option<u64>,
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

    /// One call to the partner server, with the donor's cookies.
    async fn call(
        &self,
        endpoint: Endpoint,
        method: &'static str,
        path: &str,
        body: Option<String>,
    ) -> Result<Json, ApiError> {
        let url = format!("{}/sir/{path}", self.base);
        let call = Call { method, url: &url, body, with_cookies: true, ..Call::default() };
        send_json(&self.lifetime, endpoint, call).await
    }

    /// `POST /sir/donations`: create-link through the partner server, which ties the
    /// donation to the signed-in donor before anyone else can see its id. Never retried,
    /// like create-link itself; the server passes SIR's refusals on, so they map as SIR's.
    pub async fn create_donation(&self, request: &CreateLinkRequest) -> Result<CreateLinkResponse, ApiError> {
        let answer = self.call(Endpoint::CreateLink, "POST", "donations", Some(request.to_partner_json())).await?;
        CreateLinkResponse::read_checked(&answer)
    }

    /// `GET /sir/totals`: a goal meter's figures, public and cached for seconds; `fresh`
    /// asks past the browser's cache (after this donor's own donation).
    pub async fn totals(&self, org: &str, campaign: Option<&str>, fresh: bool) -> Result<CampaignTotals, ApiError> {
        let mut url = format!("{}/sir/totals?org={}", self.base, js_sys::encode_uri_component(org));
        if let Some(code) = campaign {
            url.push_str(&format!("&campaign={}", js_sys::encode_uri_component(code)));
        }
        let call = Call { method: "GET", url: &url, fresh, ..Call::default() };
        let answer = send_json(&self.lifetime, Endpoint::Partner, call).await?;
        Ok(CampaignTotals::read(&answer))
    }

    pub async fn donation(&self, partner_donation_id: &str) -> Result<PartnerDonation, ApiError> {
        let path = format!("donations/{}", js_sys::encode_uri_component(partner_donation_id));
        let answer = self.call(Endpoint::Partner, "GET", &path, None).await?;
        Ok(PartnerDonation { status: answer.get("status").text() })
    }

    pub async fn reward(&self, partner_donation_id: &str) -> Result<RecordedReward, ApiError> {
        let body = JsonWriter::default().text("partnerDonationId", partner_donation_id).finish();
        let answer = self.call(Endpoint::Partner, "POST", "rewards/donation", Some(body)).await?;
        Ok(RecordedReward {
            state: answer.get("state").text(),
            tokens_distributed: answer.get("tokensDistributed").count(),
        })
    }

    pub async fn rewards(&self) -> Result<Rewards, ApiError> {
        let answer = self.call(Endpoint::Partner, "GET", "rewards", None).await?;
        Ok(Rewards {
            signed_in: answer.get("signedIn").flag().unwrap_or(false),
            balance: answer.get("balance").count(),
        })
    }
}

impl Drop for PartnerClient {
    fn drop(&mut self) {
        self.abort_all();
    }
}
