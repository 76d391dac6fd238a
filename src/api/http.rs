//! [`SirApi`] over `fetch`, with timeouts, cancellation and retries for GETs.

use std::cell::Cell;

use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, AbortSignal};

use super::{
    ApiError, ApiFuture, CreateLinkRequest, CreateLinkResponse, DonationStatusResponse, Endpoint, Organization,
    PartnerConfig, SirApi,
};
use crate::domain::{Environment, PublishableKey, check_https_or_loopback, parse_retry_after};

/// Larger answers are refused unread: the widget's responses are a few hundred bytes,
/// and a hostile or broken host must not make the page parse megabytes.
const MAX_BODY_BYTES: usize = 256 * 1024;
const REQUEST_TIMEOUT_MS: u32 = 15_000;
/// GETs are tried this many times in all (network errors, 5xx and 429 only).
const GET_ATTEMPTS: u32 = 4;
const BACKOFF_BASE_MS: f64 = 400.0;
const BACKOFF_CAP_MS: f64 = 8_000.0;
/// A `Retry-After` longer than this is not waited for: the donor gets the error
/// and a retry button instead of a frozen widget.
const RETRY_AFTER_CLAMP_SECS: u32 = 30;

/// The production client: `fetch` to the SIR host chosen by the key.
pub struct HttpSirApi {
    base: String,
    key: PublishableKey,
    /// Aborted on drop, which cancels every request and backoff still running.
    lifetime: AbortController,
    /// Backoff jitter source; a tiny LCG is plenty and costs no dependency.
    jitter_seed: Cell<u32>,
}

impl HttpSirApi {
    /// A client for `key`, talking to `api_base` or, when `None`, to the host the
    /// key's environment documents.
    ///
    /// # Errors
    /// [`ApiError::InvalidKey`] for a base URL that is not https (or http to loopback),
    /// and [`ApiError::EnvironmentMismatch`] for a live key with a non-production host
    /// or a test key with the production host (each also logs a console warning).
    pub fn new(key: PublishableKey, api_base: Option<&str>) -> Result<Self, ApiError> {
        let production = Environment::Production.default_api_base();
        let base = api_base
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .unwrap_or(key.environment().default_api_base())
            .trim_end_matches('/')
            .to_owned();
        check_https_or_loopback(&base).map_err(|_| ApiError::InvalidRequest("api-base must be an https URL".into()))?;
        let mismatch = match key.environment() {
            Environment::Production if base != production => {
                Some("a live key (pk_live_) only works with the production API host")
            }
            Environment::Sandbox if base == production => {
                Some("a test key (pk_test_) can't be used with the production API host")
            }
            _ => None,
        };
        if let Some(reason) = mismatch {
            web_sys::console::warn_1(&JsValue::from_str(&format!("sir-donate: {reason}; refusing to send requests")));
            return Err(ApiError::EnvironmentMismatch(reason));
        }
        let lifetime = AbortController::new().map_err(|_| ApiError::Network)?;
        let seed = (js_sys::Math::random() * f64::from(u32::MAX)) as u32 | 1;
        Ok(Self { base, key, lifetime, jitter_seed: Cell::new(seed) })
    }

    /// Cancels every request in flight; later calls fail with [`ApiError::Aborted`].
    pub fn abort_all(&self) {
        self.lifetime.abort();
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1/partner/{path}", self.base)
    }

    async fn get<T: DeserializeOwned>(&self, endpoint: Endpoint, path: String) -> Result<T, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self.send(endpoint, Request::get(&self.url(&path)), None).await;
            let wait_ms = match &result {
                Err(error) if error.retryable() && attempt < GET_ATTEMPTS => self.backoff_ms(attempt, error),
                _ => return result,
            };
            let Some(wait_ms) = wait_ms else { return result };
            sleep(wait_ms, &self.lifetime.signal()).await;
            if self.lifetime.signal().aborted() {
                return Err(ApiError::Aborted);
            }
        }
    }

    /// Capped exponential backoff with full jitter, or the server's `Retry-After`
    /// when it says; `None` when that wait is longer than worth blocking the donor.
    fn backoff_ms(&self, attempt: u32, error: &ApiError) -> Option<u32> {
        if let ApiError::RateLimited { retry_after_secs: Some(secs) } = error {
            return (*secs < RETRY_AFTER_CLAMP_SECS).then_some(secs * 1000 + self.jitter(250));
        }
        let ceiling = (BACKOFF_BASE_MS * 2f64.powi(attempt as i32 - 1)).min(BACKOFF_CAP_MS) as u32;
        Some(ceiling / 2 + self.jitter(ceiling / 2))
    }

    fn jitter(&self, below: u32) -> u32 {
        let next = self.jitter_seed.get().wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.jitter_seed.set(next);
        if below == 0 { 0 } else { (next >> 8) % below }
    }

    async fn send<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        request: RequestBuilder,
        json_body: Option<String>,
    ) -> Result<T, ApiError> {
        let request = request.header("X-Partner-Key", self.key.as_str());
        send_json(&self.lifetime, endpoint, request, json_body).await
    }
}

/// One request with a timeout, cancelled when `lifetime` aborts, its answer size-capped
/// and read as JSON; every failure mapped to an [`ApiError`].
pub(crate) async fn send_json<T: DeserializeOwned>(
    lifetime: &AbortController,
    endpoint: Endpoint,
    request: RequestBuilder,
    json_body: Option<String>,
) -> Result<T, ApiError> {
    let timeout = AbortSignal::timeout_with_u32(REQUEST_TIMEOUT_MS);
    let signals = js_sys::Array::of2(&lifetime.signal(), &timeout);
    let signal = AbortSignal::any(&signals);
    let failed = |_| {
        if lifetime.signal().aborted() {
            ApiError::Aborted
        } else if timeout.aborted() {
            ApiError::Timeout
        } else {
            // fetch reports CORS refusals, DNS failures and dropped connections alike.
            ApiError::Network
        }
    };
    let request = request.abort_signal(Some(&signal));
    let request = match json_body {
        Some(body) => request.header("Content-Type", "application/json").body(body),
        None => request.build(),
    }
    .map_err(|_| ApiError::Network)?;
    let response = request.send().await.map_err(failed)?;
    let status = response.status();
    let declared_length = response.headers().get("content-length").and_then(|l| l.parse::<usize>().ok());
    if declared_length.is_some_and(|len| len > MAX_BODY_BYTES) {
        return Err(if response.ok() {
            ApiError::InvalidResponse
        } else {
            error_for_status(endpoint, status, "", &response)
        });
    }
    let body = response.text().await.map_err(failed)?;
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::InvalidResponse);
    }
    if !response.ok() {
        return Err(error_for_status(endpoint, status, &body, &response));
    }
    serde_json::from_str(&body).map_err(|_| ApiError::InvalidResponse)
}

fn error_for_status(endpoint: Endpoint, status: u16, body: &str, response: &gloo_net::http::Response) -> ApiError {
    let now_secs = (js_sys::Date::now() / 1000.0) as u64;
    let retry_after = response.headers().get("retry-after").and_then(|v| parse_retry_after(&v, now_secs, 3600));
    ApiError::from_response(endpoint, status, body, retry_after)
}

impl Drop for HttpSirApi {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl SirApi for HttpSirApi {
    fn config(&self) -> ApiFuture<'_, PartnerConfig> {
        Box::pin(self.get(Endpoint::Config, "config".to_owned()))
    }

    fn organization<'a>(&'a self, slug: &'a str) -> ApiFuture<'a, Organization> {
        Box::pin(self.get(Endpoint::Organization, format!("organizations/{}", encode_segment(slug))))
    }

    fn create_link<'a>(&'a self, request: &'a CreateLinkRequest) -> ApiFuture<'a, CreateLinkResponse> {
        Box::pin(async move {
            let body = serde_json::to_string(request).map_err(|_| ApiError::InvalidResponse)?;
            let url = self.url("donations/create-link");
            let created: CreateLinkResponse = self.send(Endpoint::CreateLink, Request::post(&url), Some(body)).await?;
            check_https_or_loopback(&created.donation_link).map_err(|_| ApiError::UnsafeLink)?;
            Ok(created)
        })
    }

    fn status<'a>(&'a self, partner_donation_id: &'a str) -> ApiFuture<'a, DonationStatusResponse> {
        Box::pin(self.get(Endpoint::Status, format!("donations/status/{}", encode_segment(partner_donation_id))))
    }
}

/// Slugs and ids come from the page or the API; neither may add path segments.
fn encode_segment(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}

/// Resolves after `ms`, or as soon as `signal` aborts.
async fn sleep(ms: u32, signal: &AbortSignal) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
        let on_abort = resolve.unchecked_into::<js_sys::Function>();
        let options = web_sys::AddEventListenerOptions::new();
        options.set_once(true);
        let _ = signal.add_event_listener_with_callback_and_add_event_listener_options("abort", &on_abort, &options);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
