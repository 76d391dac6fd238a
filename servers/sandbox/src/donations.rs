//! Donations: `POST /v1/partner/donations/create-link` and
//! `GET /v1/partner/donations/status/{partnerDonationId}` (API reference §2.3, §2.4).

use std::collections::VecDeque;
use std::time::SystemTime;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::body::{AppJson, CURRENCIES, Fields};
use crate::error::{ApiError, ErrorCode};
use crate::gate::{AuthedPartner, LinkOverride};
use crate::model::{Donation, DonationStatus, Donor, Frequency, Provider};
use crate::seed;
use crate::state::{AppState, rfc3339};
use crate::webhooks;

const MAX_NAME_CHARS: usize = 100;
const MAX_REFERRAL_CHARS: usize = 64;
const MAX_SLUG_CHARS: usize = 200;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateLinkResponse {
    pub donation_link: String,
    pub partner_donation_id: String,
}

/// Decision: the response carries what a partner needs to reconcile a donation, in
/// camelCase like every documented shape; times are RFC 3339 UTC.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusResponse {
    pub partner_donation_id: String,
    pub status: DonationStatus,
    pub amount: u64,
    pub currency: &'static str,
    pub frequency: Frequency,
    pub nonprofit_slug: &'static str,
    pub created_at: String,
    pub updated_at: String,
}

/// `POST /v1/partner/donations/create-link`.
///
/// Decision, check order as a NestJS service runs them: partner state (a guard: 403),
/// then the body (validation pipe: 400), then the nonprofit lookup (the service: 404/422).
/// Unknown fields are ignored; JSON `null` counts as absent.
pub async fn create_link(
    State(state): State<AppState>,
    Extension(AuthedPartner(partner)): Extension<AuthedPartner>,
    link_override: Option<Extension<LinkOverride>>,
    headers: HeaderMap,
    body: Result<AppJson<Map<String, Value>>, ApiError>,
) -> Result<Response, ApiError> {
    if !partner.is_active {
        return Err(ApiError::forbidden(ErrorCode::PartnerInactive, "This partner account is not active"));
    }
    if !partner.donations_enabled() {
        return Err(ApiError::forbidden(ErrorCode::DonationsDisabled, "Donations are not enabled for this partner"));
    }
    // The partner's state first, then the body (README: the order checks run in).
    let AppJson(body) = body?;
    let request = DonationRequest::validate(&body)?;
    let nonprofit = seed::nonprofit(&request.nonprofit_slug).ok_or_else(|| {
        ApiError::not_found(
            ErrorCode::OrganizationNotFound,
            format!("No nonprofit with slug {:?}", request.nonprofit_slug),
        )
    })?;
    if !nonprofit.active {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::OrganizationInactive,
            format!("{} is not accepting donations", nonprofit.name),
        ));
    }

    let now = SystemTime::now();
    let mut inner = state.lock();
    let id = inner.new_id();
    let donation = Donation {
        id: id.clone(),
        partner_id: partner.id,
        nonprofit,
        amount: request.amount,
        currency: request.currency,
        frequency: request.frequency,
        provider: request.provider,
        donor: request.donor,
        tip: request.tip,
        referral_code: request.referral_code,
        status: DonationStatus::Pending,
        scripted: VecDeque::new(),
        created_at: now,
        updated_at: now,
        return_origin: headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).and_then(web_origin),
        completion_announced: false,
    };
    inner.donations.insert(id.clone(), donation);
    drop(inner);
    tracing::info!(donation = %id, partner = partner.slug, nonprofit = nonprofit.slug, "donation link created");

    let donation_link = match link_override {
        Some(Extension(LinkOverride(link))) => link,
        None => format!("{}/checkout/{id}", state.config.public_url),
    };
    let response = CreateLinkResponse { donation_link, partner_donation_id: id };
    // Decision: 201, as NestJS answers a POST; the docs show no status, so clients accept any 2xx.
    Ok((StatusCode::CREATED, Json(response)).into_response())
}

/// `GET /v1/partner/donations/status/{partnerDonationId}`. Another partner's donation
/// is a 404 like an unknown one, so ids can't be probed across partners.
pub async fn status(
    State(state): State<AppState>,
    Extension(AuthedPartner(partner)): Extension<AuthedPartner>,
    Path(id): Path<String>,
) -> Result<Json<StatusResponse>, ApiError> {
    let ttl = state.config.checkout_ttl;
    let mut inner = state.lock();
    let donation = inner
        .donations
        .get_mut(&id)
        .filter(|d| d.partner_id == partner.id)
        .ok_or_else(|| ApiError::not_found(ErrorCode::DonationNotFound, "No such donation"))?;
    if let Some(next) = donation.scripted.pop_front() {
        donation.set_status(next);
    }
    let response = StatusResponse {
        partner_donation_id: donation.id.clone(),
        status: donation.status(ttl),
        amount: donation.amount,
        currency: donation.currency,
        frequency: donation.frequency,
        nonprofit_slug: donation.nonprofit.slug,
        created_at: rfc3339(donation.created_at),
        updated_at: rfc3339(donation.updated(ttl)),
    };
    let completion = donation.take_completion();
    drop(inner);
    if let Some(data) = completion {
        webhooks::emit(&state, partner.id, webhooks::TRANSACTION_COMPLETED, data);
    }
    Ok(Json(response))
}

/// A create-link body that passed validation.
#[derive(Debug)]
struct DonationRequest {
    nonprofit_slug: String,
    amount: u64,
    currency: &'static str,
    frequency: Frequency,
    provider: Provider,
    donor: Donor,
    tip: Option<u64>,
    referral_code: Option<String>,
}

impl DonationRequest {
    fn validate(body: &Map<String, Value>) -> Result<Self, ApiError> {
        let fields = Fields(body);
        let nonprofit_slug = fields
            .string("nonprofitSlug", MAX_SLUG_CHARS, ErrorCode::InvalidNonprofit)?
            .filter(|slug| !slug.is_empty())
            .ok_or_else(|| {
                ApiError::bad_request(ErrorCode::InvalidNonprofit, "nonprofitSlug is required: a nonprofit's slug")
            })?;
        let amount = fields.cents("amount", ErrorCode::InvalidAmount)?.ok_or_else(|| {
            ApiError::bad_request(ErrorCode::InvalidAmount, "amount is required: an integer number of cents")
        })?;
        if amount == 0 {
            return Err(ApiError::bad_request(ErrorCode::InvalidAmount, "amount must be at least 1 cent"));
        }
        let currency = fields
            .string("currency", 3, ErrorCode::InvalidCurrency)?
            .and_then(|c| CURRENCIES.into_iter().find(|known| *known == c))
            .ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::InvalidCurrency,
                    format!("currency is required, one of {}", CURRENCIES.join(", ")),
                )
            })?;
        let frequency = match fields.string("frequency", 16, ErrorCode::InvalidFrequency)? {
            Some("once") => Frequency::Once,
            Some("monthly") => Frequency::Monthly,
            _ => {
                return Err(ApiError::bad_request(
                    ErrorCode::InvalidFrequency,
                    r#"frequency is required: "once" or "monthly""#,
                ));
            }
        };
        // Decision: optional, default "stripe", the provider of the docs' current scenario.
        let provider = match fields.string("provider", 16, ErrorCode::InvalidProvider)? {
            None | Some("stripe") => Provider::Stripe,
            Some("every.org") => Provider::EveryOrg,
            Some(_) => {
                return Err(ApiError::bad_request(
                    ErrorCode::InvalidProvider,
                    r#"provider must be "every.org" or "stripe""#,
                ));
            }
        };
        let email = fields.string("donorEmail", sir_rules::MAX_EMAIL_CHARS, ErrorCode::InvalidEmail)?;
        if email.is_some_and(|email| !sir_server_kit::well_formed_email(email)) {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidEmail,
                "donorEmail must be a well-formed email address",
            ));
        }
        let donor = Donor {
            email: email.map(str::to_owned),
            first_name: fields.string("firstName", MAX_NAME_CHARS, ErrorCode::InvalidName)?.map(str::to_owned),
            last_name: fields.string("lastName", MAX_NAME_CHARS, ErrorCode::InvalidName)?.map(str::to_owned),
        };
        let tip_amount = fields.cents("tipAmount", ErrorCode::InvalidTip)?;
        let tip_percent = fields.percent("tipPercent")?;
        // Decision: an explicit tipAmount wins; else the percent is applied to amount.
        let tip = tip_amount.or_else(|| tip_percent.map(|p| (amount as f64 * p / 100.0).round() as u64));
        let referral_code =
            fields.string("referralCode", MAX_REFERRAL_CHARS, ErrorCode::InvalidReferralCode)?.map(str::to_owned);
        Ok(Self {
            nonprofit_slug: nonprofit_slug.to_owned(),
            amount,
            currency,
            frequency,
            provider,
            donor,
            tip,
            referral_code,
        })
    }
}

/// `Origin` if it is a plain http(s) origin (`scheme://host[:port]`), so the checkout's
/// "Return to …" link can never be `javascript:`, `null` or carry a path.
pub fn web_origin(origin: &str) -> Option<String> {
    let authority = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"))?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    (!authority.is_empty() && authority.chars().all(allowed)).then(|| origin.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_origins_are_kept() {
        assert_eq!(web_origin("https://partner.example"), Some("https://partner.example".to_owned()));
        assert_eq!(web_origin("http://127.0.0.1:8794"), Some("http://127.0.0.1:8794".to_owned()));
        for bad in ["null", "javascript:alert(1)", "https://", "https://x.example/path", "http://a\"b", "file://x"] {
            assert_eq!(web_origin(bad), None, "{bad}");
        }
    }
}
