//! Donations: `POST /v1/partner/donations/create-link` and
//! `GET /v1/partner/donations/status/{partnerDonationId}` (API reference §2.3, §2.4).

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode};
use crate::gate::{AuthedPartner, LinkOverride};
use crate::seed::{self, Nonprofit};
use crate::state::{AppState, rfc3339};
use crate::webhooks;

/// $1,000,000 in cents. Decision: the docs state no maximum (§7.4); a cap lets tests
/// check that the widget surfaces a server-side amount error.
pub const MAX_AMOUNT_CENTS: u64 = 100_000_000;
/// Decision: the docs show only USD (§7.4); the sandbox accepts these.
pub const CURRENCIES: [&str; 5] = ["USD", "EUR", "GBP", "CAD", "AUD"];
const MAX_NAME_CHARS: usize = 100;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_REFERRAL_CHARS: usize = 64;
const MAX_SLUG_CHARS: usize = 200;

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
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    if !partner.is_active {
        return Err(ApiError::forbidden(ErrorCode::PartnerInactive, "This partner account is not active"));
    }
    if !partner.donations_enabled() {
        return Err(ApiError::forbidden(ErrorCode::DonationsDisabled, "Donations are not enabled for this partner"));
    }
    let body = parse_body(&headers, body)?;
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

/// The body as a JSON object. Decision: `Content-Type: application/json` is required,
/// as the docs send it; a widget that forgets it would skip the CORS preflight in a
/// browser, a bug worth catching here.
pub fn parse_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Map<String, Value>, ApiError> {
    let body = body.map_err(|rejection| {
        ApiError::new(rejection.status(), ErrorCode::for_status(rejection.status()), rejection.body_text())
    })?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::bad_request(ErrorCode::InvalidBody, "Content-Type must be application/json"));
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ApiError::bad_request(ErrorCode::InvalidBody, "The body must be a JSON object")),
        Err(error) => {
            Err(ApiError::bad_request(ErrorCode::InvalidBody, format!("The body is not valid JSON: {error}")))
        }
    }
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
        let email = fields.string("donorEmail", MAX_EMAIL_CHARS, ErrorCode::InvalidEmail)?;
        if email.is_some_and(|email| !well_formed_email(email)) {
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

/// Typed reads of optional body fields, each failing with its own code.
struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|value| !value.is_null())
    }

    fn string(&self, name: &str, max_chars: usize, code: ErrorCode) -> Result<Option<&'a str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max_chars => Ok(Some(s)),
            Some(_) => {
                Err(ApiError::bad_request(code, format!("{name} must be a string of at most {max_chars} characters")))
            }
        }
    }

    /// A JSON integer from 0 to the maximum amount: no floats (`25.5`, `25.0`), strings or negatives.
    fn cents(&self, name: &str, code: ErrorCode) -> Result<Option<u64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value.as_u64().filter(|cents| *cents <= MAX_AMOUNT_CENTS).map(Some).ok_or_else(|| {
                ApiError::bad_request(
                    code,
                    format!("{name} must be a whole number of cents (an integer), at most {MAX_AMOUNT_CENTS}"),
                )
            }),
        }
    }

    fn percent(&self, name: &str) -> Result<Option<f64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value.as_f64().filter(|p| (0.0..=100.0).contains(p)).map(Some).ok_or_else(|| {
                ApiError::bad_request(ErrorCode::InvalidTip, format!("{name} must be a number from 0 to 100"))
            }),
        }
    }
}

/// A deliberately simple check: one `@`, a non-empty local part, a dotted domain,
/// no whitespace. Real validation is the mail provider's job.
pub fn well_formed_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    email.len() <= MAX_EMAIL_CHARS
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !email.chars().any(char::is_whitespace)
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
    fn emails() {
        for good in ["jane@example.com", "a.b+c@mail.example.org"] {
            assert!(well_formed_email(good), "{good}");
        }
        for bad in ["", "jane", "@example.com", "jane@example", "jane@@example.com", "ja ne@example.com", "j@.com"] {
            assert!(!well_formed_email(bad), "{bad}");
        }
        assert!(!well_formed_email(&format!("{}@example.com", "a".repeat(250))));
    }

    #[test]
    fn only_http_origins_are_kept() {
        assert_eq!(web_origin("https://partner.example"), Some("https://partner.example".to_owned()));
        assert_eq!(web_origin("http://127.0.0.1:8794"), Some("http://127.0.0.1:8794".to_owned()));
        for bad in ["null", "javascript:alert(1)", "https://", "https://x.example/path", "http://a\"b", "file://x"] {
            assert_eq!(web_origin(bad), None, "{bad}");
        }
    }
}
