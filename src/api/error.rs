use thiserror::Error;

use super::json::Json;
use crate::domain::KeyError;

/// Which endpoint a response came from: the same status means different things on
/// each (a 404 is an unknown nonprofit on one and an unknown donation on another).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Config,
    Organization,
    CreateLink,
    Status,
    /// The partner server's delegation contract (see `api::partner`).
    Partner,
}

/// Every way talking to SIR can fail, each with a stable [`ApiError::code`] that
/// partners can switch on and a donor-readable message (`Display`).
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ApiError {
    #[error("This donation form isn't set up correctly (its key is not a publishable SIR key).")]
    InvalidKey,
    #[error("This donation form isn't set up correctly (a secret key was used where a publishable key belongs).")]
    SecretKeyRefused,
    #[error("This donation form isn't set up correctly ({0}).")]
    EnvironmentMismatch(&'static str),
    #[error("This donation form isn't authorized to take donations right now.")]
    Unauthorized,
    #[error("This donation form isn't allowed to do that.")]
    Forbidden,
    #[error("We couldn't find this nonprofit.")]
    OrganizationNotFound,
    #[error("This nonprofit isn't accepting donations right now.")]
    OrganizationInactive,
    #[error("Donations are turned off for this site right now.")]
    DonationsDisabled,
    #[error("We couldn't find that donation.")]
    DonationNotFound,
    #[error("The donation couldn't be created: {0}")]
    InvalidRequest(String),
    #[error("Lots of people are giving right now. Please try again{}.", retry_hint(*.retry_after_secs))]
    RateLimited { retry_after_secs: Option<u32> },
    #[error("The donation service is having trouble. Please try again in a moment.")]
    ServerError { status: u16 },
    #[error("We couldn't reach the donation service. Check your connection and try again.")]
    Network,
    #[error("The donation service took too long to answer. Please try again.")]
    Timeout,
    #[error("The donation service sent an answer we couldn't read.")]
    InvalidResponse,
    #[error("The checkout link we received isn't safe to open, so we stopped.")]
    UnsafeLink,
    /// The widget was destroyed while the request was in flight; never shown.
    #[error("The request was cancelled.")]
    Aborted,
}

fn retry_hint(secs: Option<u32>) -> String {
    match secs {
        Some(s) if s > 0 => format!(" in {s} seconds"),
        _ => String::new(),
    }
}

impl ApiError {
    /// The stable, documented string partners see in `error` events.
    pub const fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidKey | ApiError::EnvironmentMismatch(_) => "invalid_key",
            ApiError::SecretKeyRefused => "secret_key_refused",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::OrganizationNotFound => "organization_not_found",
            ApiError::OrganizationInactive => "organization_inactive",
            ApiError::DonationsDisabled => "donations_disabled",
            ApiError::DonationNotFound => "donation_not_found",
            ApiError::InvalidRequest(_) => "invalid_request",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::ServerError { .. } => "server_error",
            ApiError::Network => "network",
            ApiError::Timeout => "timeout",
            ApiError::InvalidResponse => "invalid_response",
            ApiError::UnsafeLink => "unsafe_link",
            ApiError::Aborted => "aborted",
        }
    }

    /// Whether trying the same thing again could succeed.
    pub const fn retryable(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. } | ApiError::ServerError { .. } | ApiError::Network | ApiError::Timeout
        )
    }

    /// Maps a non-2xx response to an error, from the fields its body had (read by
    /// [`ErrorBody::parse`]).
    pub fn from_response(endpoint: Endpoint, status: u16, body: &ErrorBody, retry_after_secs: Option<u32>) -> Self {
        let code = body.code.as_deref().unwrap_or_default().to_ascii_uppercase();
        match (status, code.as_str()) {
            (_, "ORGANIZATION_INACTIVE") => ApiError::OrganizationInactive,
            (_, "DONATIONS_DISABLED" | "PARTNER_INACTIVE") => ApiError::DonationsDisabled,
            (_, "ORGANIZATION_NOT_FOUND") => ApiError::OrganizationNotFound,
            (401, _) => ApiError::Unauthorized,
            (403, _) => ApiError::Forbidden,
            (404, _) => match endpoint {
                Endpoint::Organization | Endpoint::CreateLink => ApiError::OrganizationNotFound,
                Endpoint::Status | Endpoint::Partner => ApiError::DonationNotFound,
                Endpoint::Config => ApiError::Unauthorized,
            },
            (429, _) => ApiError::RateLimited { retry_after_secs },
            (500..=599, _) => ApiError::ServerError { status },
            _ => ApiError::InvalidRequest(body.message.clone().unwrap_or_else(|| format!("HTTP {status}"))),
        }
    }
}

impl From<KeyError> for ApiError {
    fn from(error: KeyError) -> Self {
        match error {
            KeyError::Secret => ApiError::SecretKeyRefused,
            KeyError::Invalid => ApiError::InvalidKey,
        }
    }
}

/// What an error response's body says. Its shape is undocumented (§7.6), so a
/// `code` and a `message` (or `error`) are read when present and ignored otherwise.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorBody {
    pub code: Option<String>,
    /// At most 200 characters: it is shown to a donor, as text.
    pub message: Option<String>,
}

impl ErrorBody {
    /// Reads a body that may not be JSON at all (a proxy's HTML page, say).
    pub fn parse(text: &str) -> Self {
        let Some(json) = Json::parse_object(text) else { return Self::default() };
        let message = json.get("message");
        // NestJS sends a string, or an array of strings for validation errors.
        let readable = match message.items() {
            Some(items) => Some(items.iter().filter_map(Json::text).collect::<Vec<_>>().join("; ")),
            None => message.text().or_else(|| json.get("error").text()),
        };
        Self { code: json.get("code").text(), message: readable.map(|m| m.chars().take(200).collect()) }
    }
}
