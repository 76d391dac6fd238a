//! The SIR Giving Partner API, as this server calls it: signed (`sk_` + HMAC) for
//! balances and actions, the publishable key for the donation status.
//!
//! Retries (API reference §6): a 429 is retried after its `Retry-After` (seconds or an
//! HTTP date) when that is within `RetryPolicy::max_wait`; a 5xx or a network error
//! after a doubling backoff; at most `RetryPolicy::attempts` tries in all, and never past
//! the caller's time budget, so a slow SIR can't hold a request beyond its deadline.
//! Every call retried here is safe to repeat: reads, and actions carrying their
//! idempotency key. Create-link is never retried (it has no idempotency key). Each try is
//! signed afresh, so its timestamp is current.

use std::time::{Duration, Instant, SystemTime};

use axum::http::StatusCode;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use sir_signing::{PARTNER_KEY_HEADER, Signer};

use crate::config::{Config, RetryPolicy};
use crate::error::{ApiError, ErrorCode};

/// SIR's answers are a few hundred bytes; a larger one is refused unread.
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

#[derive(Clone, Debug)]
pub struct SirClient {
    http: reqwest::Client,
    base: String,
    signer: Signer,
    publishable_key: String,
    retry: RetryPolicy,
}

/// What went wrong talking to SIR, mapped to the contract's errors by `From<SirError> for ApiError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SirError {
    /// Network error, timeout or 5xx, after retries.
    Unavailable(String),
    /// 401/403: SIR refused our credentials.
    Auth { status: u16, code: String },
    /// Still 429 after retries, or a `Retry-After` too long to wait for.
    RateLimited { retry_after: Option<u64> },
    /// 402 `INSUFFICIENT_POOL`.
    PoolEmpty,
    /// Any other answer we can't use.
    Unexpected { status: u16, code: String },
}

impl SirError {
    /// Whether a later try of the same call may succeed (the reward outbox retries these).
    pub fn retryable(&self) -> bool {
        // Refused credentials are a configuration problem: once it is fixed, the reward
        // must still go out, so the outbox keeps it (and logs at error level).
        !matches!(self, SirError::Unexpected { status: 400..=499, .. })
    }
}

impl std::fmt::Display for SirError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SirError::Unavailable(detail) => write!(f, "SIR unavailable: {detail}"),
            SirError::Auth { status, code } => write!(f, "SIR refused our credentials: {status} {code}"),
            SirError::RateLimited { retry_after } => write!(f, "SIR rate-limited us (Retry-After {retry_after:?})"),
            SirError::PoolEmpty => f.write_str("SIR: 402 INSUFFICIENT_POOL (the token pool is empty)"),
            SirError::Unexpected { status, code } => write!(f, "SIR answered {status} {code}"),
        }
    }
}

/// Browsers get a generic message; what SIR said goes to the log with the request id.
impl From<SirError> for ApiError {
    fn from(error: SirError) -> Self {
        use StatusCode as S;
        let detail = error.to_string();
        let mapped = match error {
            SirError::Unavailable(_) => ApiError::new(
                S::BAD_GATEWAY,
                ErrorCode::SirUnavailable,
                "SIR Giving could not be reached; try again in a moment",
            ),
            SirError::Auth { .. } => ApiError::new(
                S::BAD_GATEWAY,
                ErrorCode::SirAuthFailed,
                "This server could not authenticate with SIR Giving; its operator has been told",
            ),
            SirError::RateLimited { retry_after } => {
                ApiError::new(S::SERVICE_UNAVAILABLE, ErrorCode::SirRateLimited, "SIR Giving is busy; retry later")
                    .with_retry_after(retry_after.unwrap_or(1))
            }
            SirError::PoolEmpty | SirError::Unexpected { .. } => {
                ApiError::new(S::BAD_GATEWAY, ErrorCode::SirError, "SIR Giving answered something unexpected")
            }
        };
        mapped.with_detail(detail)
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
    /// `COMPLETED` on success; anything else is not a reward yet.
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionOutcome {
    /// Processed now.
    Created(ActionResult),
    /// 409 `IDEMPOTENT`: processed before; the original result, when SIR gives it.
    Idempotent(Option<ActionResult>),
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
    /// The publishable key, with a JSON body for POSTs.
    Publishable(Option<&'a [u8]>),
}

/// What create-link answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CreateLinkOutcome {
    Created {
        donation_link: String,
        partner_donation_id: String,
    },
    /// SIR's 4xx about the request (an unknown nonprofit, a bad amount, …): passed on as is.
    Refused {
        status: u16,
        code: String,
        message: String,
        retry_after: Option<u64>,
    },
}

/// The time a call to SIR may take, retries and waits included.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    until: Instant,
}

impl Budget {
    pub fn new(duration: Duration) -> Self {
        Self { until: Instant::now() + duration }
    }

    fn remaining(&self) -> Duration {
        self.until.saturating_duration_since(Instant::now())
    }
}

impl SirClient {
    pub fn new(config: &Config) -> Self {
        Self {
            http: reqwest::Client::builder()
                .connect_timeout(config.retry.timeout)
                // Answers are small JSON; SIR's redirects are not followed anywhere.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("sir-partner-server/", env!("CARGO_PKG_VERSION")))
                .build()
                .unwrap_or_default(),
            base: config.api_base.clone(),
            signer: config.signer.clone(),
            publishable_key: config.publishable_key.clone(),
            retry: config.retry,
        }
    }

    /// `GET /v1/partner/users/{externalId}/balance` → the balance, or `None` for a user
    /// SIR doesn't know yet (never rewarded). `external_id` must be URL-safe as is.
    pub async fn balance(&self, external_id: &str, budget: Budget) -> Result<Option<u64>, SirError> {
        let path = format!("/v1/partner/users/{external_id}/balance");
        let answer = self.send(Method::GET, &path, Auth::Signed(b""), budget).await?;
        match answer.status.as_u16() {
            200 => answer.body["balance"].as_u64().map(Some).ok_or_else(|| answer.unexpected()),
            404 => Ok(None),
            _ => Err(answer.unexpected()),
        }
    }

    /// `POST /v1/partner/actions/submit` with `body`, the exact bytes signed and sent.
    pub async fn submit_action(&self, body: &[u8], budget: Budget) -> Result<ActionOutcome, SirError> {
        let answer = self.send(Method::POST, "/v1/partner/actions/submit", Auth::Signed(body), budget).await?;
        let parse = |value: &Value| serde_json::from_value::<ActionResult>(value.clone()).ok();
        match answer.status.as_u16() {
            200 | 201 => match parse(&answer.body) {
                Some(result) if result.status.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("COMPLETED")) => {
                    Ok(ActionOutcome::Created(result))
                }
                // Accepted but not completed: not a reward yet, so tried again later.
                Some(result) => Err(SirError::Unavailable(format!(
                    "the action answered status {}",
                    result.status.unwrap_or_default()
                ))),
                None => Err(answer.unexpected()),
            },
            // The sandbox puts the first response under "original"; accept it at the top level
            // too, and a bare 409 IDEMPOTENT as "processed before" (it is, whatever its body).
            409 if answer.code() == "IDEMPOTENT" => {
                Ok(ActionOutcome::Idempotent(parse(&answer.body["original"]).or_else(|| parse(&answer.body))))
            }
            402 => Err(SirError::PoolEmpty),
            _ => Err(answer.unexpected()),
        }
    }

    /// `GET /v1/partner/donations/status/{id}` with the publishable key (the docs list it
    /// as a publishable-key endpoint), or `None` if SIR doesn't know the donation.
    pub async fn donation_status(&self, id: &str, budget: Budget) -> Result<Option<DonationStatus>, SirError> {
        let path = format!("/v1/partner/donations/status/{id}");
        let answer = self.send(Method::GET, &path, Auth::Publishable(None), budget).await?;
        match answer.status.as_u16() {
            200 => serde_json::from_value(answer.body.clone()).map(Some).map_err(|_| answer.unexpected()),
            404 => Ok(None),
            _ => Err(answer.unexpected()),
        }
    }

    /// `POST /v1/partner/donations/create-link` with the publishable key and `body`, the
    /// exact bytes sent. One try only: SIR has no idempotency key for it (§7.5), so a retry
    /// could create a second donation. `origin` is the donor's page, passed on as the
    /// browser would have sent it (SIR may use it to link back from the checkout).
    pub async fn create_link(&self, body: &[u8], origin: Option<&str>) -> Result<CreateLinkOutcome, SirError> {
        let mut request =
            self.request(Method::POST, "/v1/partner/donations/create-link", &Auth::Publishable(Some(body)));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let answer = Self::answer(request.timeout(self.retry.timeout)).await?;
        let text = |name: &str| answer.body[name].as_str().map(str::to_owned);
        match answer.status.as_u16() {
            200..=299 => match (text("donationLink"), text("partnerDonationId")) {
                (Some(donation_link), Some(partner_donation_id)) => {
                    Ok(CreateLinkOutcome::Created { donation_link, partner_donation_id })
                }
                _ => Err(answer.unexpected()),
            },
            401 | 403 if !matches!(answer.code().as_str(), "PARTNER_INACTIVE" | "DONATIONS_DISABLED") => {
                Err(answer.unexpected())
            }
            status @ 400..=499 => Ok(CreateLinkOutcome::Refused {
                status,
                code: answer.code(),
                message: text("message").unwrap_or_default().chars().take(200).collect(),
                retry_after: answer.retry_after,
            }),
            status => Err(SirError::Unavailable(format!("{status} {}", answer.code()))),
        }
    }

    /// Sends with retries within `budget`; returns the final answer (any status) or a
    /// network error.
    async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        auth: Auth<'_>,
        budget: Budget,
    ) -> Result<Answer, SirError> {
        let attempts = self.retry.attempts.max(1);
        let mut backoff = self.retry.base;
        let mut attempt = 1;
        loop {
            let remaining = budget.remaining();
            if remaining < Duration::from_millis(50) {
                return Err(SirError::Unavailable("no time left within the request's deadline".to_owned()));
            }
            let request =
                self.request(method.clone(), path_and_query, &auth).timeout(self.retry.timeout.min(remaining));
            let outcome = Self::answer(request).await;
            // Another try only if it can still finish in time.
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
                Err(SirError::Unavailable(detail)) => {
                    return Err(SirError::Unavailable(format!("{detail} (after {attempt} tries)")));
                }
                Ok(answer) if answer.status.is_server_error() => {
                    return Err(SirError::Unavailable(format!("{} {}", answer.status.as_u16(), answer.code())));
                }
                _ => return outcome,
            };
            if wait + Duration::from_millis(50) >= budget.remaining() {
                return match outcome {
                    Ok(answer) if answer.status == StatusCode::TOO_MANY_REQUESTS => {
                        Err(SirError::RateLimited { retry_after: answer.retry_after })
                    }
                    Ok(answer) => Err(SirError::Unavailable(format!("{} {}", answer.status.as_u16(), answer.code()))),
                    Err(error) => Err(error),
                };
            }
            tracing::info!(path = path_and_query, attempt, wait_ms = wait.as_millis() as u64, "retrying a SIR call");
            tokio::time::sleep(wait).await;
            backoff = backoff.saturating_mul(2);
            attempt += 1;
        }
    }

    /// One request, signed afresh (its timestamp is current) or with the publishable key.
    fn request(&self, method: Method, path_and_query: &str, auth: &Auth<'_>) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method.clone(), format!("{}{path_and_query}", self.base));
        let body = match auth {
            Auth::Signed(body) => {
                for (name, value) in self.signer.sign_now(method.as_str(), path_and_query, body).pairs() {
                    request = request.header(name, value);
                }
                Some(*body).filter(|_| method == Method::POST)
            }
            Auth::Publishable(body) => {
                request = request.header(PARTNER_KEY_HEADER, &self.publishable_key);
                *body
            }
        };
        match body {
            Some(body) => request.header("content-type", "application/json").body(body.to_vec()),
            None => request,
        }
    }

    /// Sends and reads the answer, at most [`MAX_ANSWER_BYTES`] of it.
    async fn answer(request: reqwest::RequestBuilder) -> Result<Answer, SirError> {
        let mut response =
            request.send().await.map_err(|error| SirError::Unavailable(sir_server_kit::describe(&error)))?;
        let status = response.status();
        let retry_after =
            response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(retry_after_secs);
        let mut bytes = Vec::new();
        while let Some(chunk) =
            response.chunk().await.map_err(|error| SirError::Unavailable(sir_server_kit::describe(&error)))?
        {
            if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(SirError::Unexpected { status: status.as_u16(), code: "ANSWER_TOO_LARGE".to_owned() });
            }
            bytes.extend_from_slice(&chunk);
        }
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
    fn errors_map_to_the_contract_with_generic_messages() {
        use crate::error::Code;
        let limited: ApiError = SirError::RateLimited { retry_after: Some(30) }.into();
        assert_eq!((limited.status, limited.retry_after), (StatusCode::SERVICE_UNAVAILABLE, Some(30)));
        let auth: ApiError = SirError::Auth { status: 401, code: "INVALID_SIGNATURE".to_owned() }.into();
        assert_eq!((auth.status, auth.code), (StatusCode::BAD_GATEWAY, Code::Ours(ErrorCode::SirAuthFailed)));
        let down: ApiError =
            SirError::Unavailable("tcp connect error: Connection refused (os error 111)".into()).into();
        assert!(!down.message.contains("refused") && !down.message.contains("tcp"), "{}", down.message);
        assert!(down.detail.as_deref().is_some_and(|d| d.contains("Connection refused")), "kept for the log");
    }

    #[test]
    fn only_a_4xx_refusal_is_final_for_the_outbox() {
        assert!(SirError::PoolEmpty.retryable() && SirError::RateLimited { retry_after: None }.retryable());
        assert!(SirError::Unavailable(String::new()).retryable());
        assert!(SirError::Auth { status: 401, code: String::new() }.retryable());
        assert!(!SirError::Unexpected { status: 400, code: "INVALID_AMOUNT".into() }.retryable());
    }
}
