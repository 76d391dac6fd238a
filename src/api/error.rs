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
/// partners can switch on. `Display` is for developers and logs (the `message` of `error`
/// events); what a donor reads is [`crate::i18n`]'s.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ApiError {
    #[error("the key is not a publishable SIR key (pk_test_… or pk_live_…)")]
    InvalidKey,
    #[error("a secret key (sk_…) was given where a publishable key belongs; nothing was sent")]
    SecretKeyRefused,
    #[error("{0}")]
    EnvironmentMismatch(&'static str),
    #[error("the API refused the publishable key (401)")]
    Unauthorized,
    #[error("the API refused this request for the key (403)")]
    Forbidden,
    #[error("no nonprofit has this slug")]
    OrganizationNotFound,
    #[error("the nonprofit does not take donations")]
    OrganizationInactive,
    #[error("the partner account is inactive or lacks the DONATIONS feature")]
    DonationsDisabled,
    #[error("the status endpoint does not know this donation")]
    DonationNotFound,
    #[error("the API refused the donation: {0}")]
    InvalidRequest(String),
    #[error("rate limited (HTTP 429); retry{}", retry_hint(*.retry_after_secs))]
    RateLimited { retry_after_secs: Option<u32> },
    #[error("the API failed (HTTP {status})")]
    ServerError { status: u16 },
    #[error("the API could not be reached (offline, DNS, CORS or a dropped connection)")]
    Network,
    #[error("the API did not answer in time")]
    Timeout,
    #[error("the API's answer could not be read (malformed, oversized or missing fields)")]
    InvalidResponse,
    #[error("the checkout link is not https (or http to loopback); it was not opened")]
    UnsafeLink,
    /// The widget was destroyed while the request was in flight; never shown.
    #[error("the request was cancelled (the widget was destroyed)")]
    Aborted,
}

fn retry_hint(secs: Option<u32>) -> String {
    match secs {
        Some(s) if s > 0 => format!(" in {s} seconds (Retry-After)"),
        _ => " later".to_owned(),
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
