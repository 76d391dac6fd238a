//! The SIR Giving Partner API, as this server calls it: signed (`sk_` + HMAC) for
//! balances and actions, the publishable key for the donation status.
//!
//! Retries (API reference §6): a 429 is retried after its `Retry-After` (seconds or an
//! HTTP date) when that is within `RetryPolicy::max_wait`; a 5xx or a network error
//! after a doubling backoff; at most `RetryPolicy::attempts` tries in all. Every call
//! here is safe to repeat: reads, and actions carrying their idempotency key. Each try
//! is signed afresh, so its timestamp is current.

use std::time::{Duration, SystemTime};

use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use sir_signing::{PARTNER_KEY_HEADER, Signer};

use crate::config::{Config, RetryPolicy};
use crate::error::{ApiError, ErrorCode};

/// One request's timeout.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct SirClient {
    http: reqwest::Client,
    base: String,
    signer: Signer,
    publishable_key: Option<String>,
    retry: RetryPolicy,
}

/// What went wrong talking to SIR, mapped to the contract's errors by `From<SirError> for ApiError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SirError {
    /// Network error or 5xx, after retries.
    Unavailable(String),
    /// 401/403: SIR refused our credentials.
    Auth { status: u16, code: String },
    /// Still 429 after retries, or a `Retry-After` too long to wait for.
    RateLimited { retry_after: Option<u64> },
    /// 402 `INSUFFICIENT_POOL`.
    PoolEmpty,
    /// Any other answer we can't use.
    Unexpected { status: u16, code: String },
    /// No `SIR_PUBLISHABLE_KEY`: the status endpoint can't be called.
    NoPublishableKey,
}

impl From<SirError> for ApiError {
    fn from(error: SirError) -> Self {
        use StatusCode as S;
        match error {
            SirError::Unavailable(detail) => {
                ApiError::new(S::BAD_GATEWAY, ErrorCode::SirUnavailable, format!("SIR Giving is unreachable: {detail}"))
            }
            SirError::Auth { status, code } => ApiError::new(
                S::BAD_GATEWAY,
                ErrorCode::SirAuthFailed,
                format!("SIR Giving refused this server's credentials ({status} {code}); check its configuration"),
            ),
            SirError::RateLimited { retry_after } => ApiError {
                retry_after: Some(retry_after.unwrap_or(1)),
                ..ApiError::new(S::SERVICE_UNAVAILABLE, ErrorCode::SirRateLimited, "SIR Giving is busy; retry later")
            },
            SirError::PoolEmpty => ApiError::new(
                S::SERVICE_UNAVAILABLE,
                ErrorCode::RewardPoolEmpty,
                "The reward pool is empty; the donation is recorded and can be rewarded once it is topped up",
            ),
            SirError::Unexpected { status, code } => {
                ApiError::new(S::BAD_GATEWAY, ErrorCode::SirError, format!("SIR Giving answered {status} {code}"))
            }
            // Callers answer from storage instead; this only shows if one forgets to.
            SirError::NoPublishableKey => ApiError::new(
                S::BAD_GATEWAY,
                ErrorCode::SirUnavailable,
                "This server has no SIR_PUBLISHABLE_KEY, so it can't ask SIR for a donation's status",
            ),
        }
    }
}

/// A response: status, JSON body (`Null` if not JSON), `Retry-After` seconds.
#[derive(Clone, Debug)]
struct Answer {
    status: StatusCode,
    body: Value,
    retry_after: Option<u64>,
}

impl Answer {
    fn code(&self) -> String {
        self.body["code"].as_str().unwrap_or_default().to_owned()
    }

    fn unexpected(&self) -> SirError {
        match self.status.as_u16() {
            401 | 403 => SirError::Auth { status: self.status.as_u16(), code: self.code() },
            status => SirError::Unexpected { status, code: self.code() },
        }
    }
}

/// An action's result (API reference §3, r12).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ActionResult {
    pub action_id: String,
    #[serde(default)]
    pub tokens_distributed: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionOutcome {
    /// Processed now.
    Created(ActionResult),
    /// 409 `IDEMPOTENT`: processed before; the original result.
    Idempotent(ActionResult),
}

/// The donation status response, read tolerantly (its shape is undocumented, §7.1).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct DonationStatus {
    pub status: String,
    pub amount: Option<u64>,
    pub currency: Option<String>,
    pub nonprofit_slug: Option<String>,
    pub frequency: Option<String>,
}

enum Auth<'a> {
    Signed(&'a [u8]),
    Publishable(&'a str),
}

impl SirClient {
    pub fn new(config: &Config) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .user_agent(concat!("sir-partner-server/", env!("CARGO_PKG_VERSION")))
                .build()
                .unwrap_or_default(),
            base: config.api_base.clone(),
            signer: config.signer.clone(),
            publishable_key: config.publishable_key.clone(),
            retry: config.retry,
        }
    }

    pub fn has_publishable_key(&self) -> bool {
        self.publishable_key.is_some()
    }

    /// `GET /v1/partner/users/{externalId}/balance` → the balance, or `None` for a user
    /// SIR doesn't know yet (never rewarded). `external_id` must be URL-safe as is.
    pub async fn balance(&self, external_id: &str) -> Result<Option<u64>, SirError> {
        let answer =
            self.send(Method::GET, &format!("/v1/partner/users/{external_id}/balance"), Auth::Signed(b"")).await?;
        match answer.status.as_u16() {
            200 => answer.body["balance"].as_u64().map(Some).ok_or_else(|| answer.unexpected()),
            404 => Ok(None),
            _ => Err(answer.unexpected()),
        }
    }

    /// `POST /v1/partner/actions/submit` with `body`, the exact bytes signed and sent.
    pub async fn submit_action(&self, body: &[u8]) -> Result<ActionOutcome, SirError> {
        let answer = self.send(Method::POST, "/v1/partner/actions/submit", Auth::Signed(body)).await?;
        let parse = |value: &Value| serde_json::from_value::<ActionResult>(value.clone()).ok();
        match answer.status.as_u16() {
            200 | 201 => parse(&answer.body).map(ActionOutcome::Created).ok_or_else(|| answer.unexpected()),
            // The sandbox puts the first response under "original"; accept it at the top level too.
            409 if answer.code() == "IDEMPOTENT" => parse(&answer.body["original"])
                .or_else(|| parse(&answer.body))
                .map(ActionOutcome::Idempotent)
                .ok_or_else(|| answer.unexpected()),
            402 => Err(SirError::PoolEmpty),
            _ => Err(answer.unexpected()),
        }
    }

    /// `GET /v1/partner/donations/status/{id}` with the publishable key (the docs list it
    /// as a publishable-key endpoint), or `None` if SIR doesn't know the donation.
    pub async fn donation_status(&self, id: &str) -> Result<Option<DonationStatus>, SirError> {
        let key = self.publishable_key.as_deref().ok_or(SirError::NoPublishableKey)?;
        let answer =
            self.send(Method::GET, &format!("/v1/partner/donations/status/{id}"), Auth::Publishable(key)).await?;
        match answer.status.as_u16() {
            200 => serde_json::from_value(answer.body.clone()).map(Some).map_err(|_| answer.unexpected()),
            404 => Ok(None),
            _ => Err(answer.unexpected()),
        }
    }

    /// Sends with retries; returns the final answer (any status) or a network error.
    async fn send(&self, method: Method, path_and_query: &str, auth: Auth<'_>) -> Result<Answer, SirError> {
        let attempts = self.retry.attempts.max(1);
        let mut backoff = self.retry.base;
        let mut attempt = 1;
        loop {
            let outcome = self.send_once(method.clone(), path_and_query, &auth).await;
            let last = attempt >= attempts;
            let wait = match &outcome {
                Ok(answer) if answer.status == StatusCode::TOO_MANY_REQUESTS => {
                    let wait = answer.retry_after.map_or(backoff, Duration::from_secs);
                    if last || wait > self.retry.max_wait {
                        return Err(SirError::RateLimited { retry_after: answer.retry_after });
                    }
                    wait
                }
                Ok(answer) if answer.status.is_server_error() && !last => backoff,
                Err(_) if !last => backoff,
                Ok(answer) if answer.status.is_server_error() => {
                    return Err(SirError::Unavailable(format!("{} {}", answer.status.as_u16(), answer.code())));
                }
                _ => return outcome,
            };
            tracing::info!(path = path_and_query, attempt, wait_ms = wait.as_millis() as u64, "retrying a SIR call");
            tokio::time::sleep(wait).await;
            backoff = backoff.saturating_mul(2);
            attempt += 1;
        }
    }

    async fn send_once(&self, method: Method, path_and_query: &str, auth: &Auth<'_>) -> Result<Answer, SirError> {
        let mut request = self.http.request(method.clone(), format!("{}{path_and_query}", self.base));
        match auth {
            Auth::Signed(body) => {
                for (name, value) in self.signer.sign_now(method.as_str(), path_and_query, body).pairs() {
                    request = request.header(name, value);
                }
                if method == Method::POST {
                    request = request.header("content-type", "application/json").body(body.to_vec());
                }
            }
            Auth::Publishable(key) => request = request.header(PARTNER_KEY_HEADER, *key),
        }
        let response = request.send().await.map_err(|error| SirError::Unavailable(describe(error)))?;
        let status = response.status();
        let retry_after =
            response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(retry_after_secs);
        let bytes = response.bytes().await.map_err(|error| SirError::Unavailable(describe(error)))?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer { status, body, retry_after })
    }
}

/// `Retry-After` as seconds: digits, or an HTTP date (seconds from now, at least 0).
pub fn retry_after_secs(value: &str) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = humantime::parse_rfc3339_weak(value).ok().or_else(|| httpdate(value))?;
    Some(at.duration_since(SystemTime::now()).map(|d| d.as_secs()).unwrap_or(0))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the HTTP date format.
fn httpdate(value: &str) -> Option<SystemTime> {
    let mut parts = value.split_whitespace().skip(1);
    let (day, month, year, time) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    humantime::parse_rfc3339(&format!("{year}-{month:02}-{day:0>2}T{time}Z")).ok()
}

fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".to_owned();
    }
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after_secs("3"), Some(3));
        assert_eq!(retry_after_secs("Sun, 06 Nov 1994 08:49:37 GMT"), Some(0), "a past date means now");
        let later = humantime::format_rfc3339_seconds(SystemTime::now() + Duration::from_secs(120)).to_string();
        let wait = retry_after_secs(&later).expect("date");
        assert!((118..=120).contains(&wait), "{wait}");
        assert_eq!(retry_after_secs("soon"), None);
    }

    #[test]
    fn errors_map_to_the_contract() {
        let pool: ApiError = SirError::PoolEmpty.into();
        assert_eq!((pool.status, pool.code), (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::RewardPoolEmpty));
        let limited: ApiError = SirError::RateLimited { retry_after: Some(30) }.into();
        assert_eq!((limited.status, limited.retry_after), (StatusCode::SERVICE_UNAVAILABLE, Some(30)));
        let auth: ApiError = SirError::Auth { status: 401, code: "INVALID_SIGNATURE".to_owned() }.into();
        assert_eq!((auth.status, auth.code), (StatusCode::BAD_GATEWAY, ErrorCode::SirAuthFailed));
    }
}
