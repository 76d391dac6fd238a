//! [`SirApi`] over `fetch`, with timeouts, cancellation and retries for GETs.

use std::cell::{Cell, RefCell};

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, Headers, RequestCredentials, RequestInit, Response};

use super::error::ErrorBody;
use super::json::Json;
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
const BACKOFF_BASE_MS: u32 = 400;
const BACKOFF_CAP_MS: u32 = 8_000;
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
    /// GETs the loader started while the wasm downloaded, each taken by this client's
    /// first request for its URL.
    started: RefCell<Option<StartedReads>>,
}

/// GETs the loader sent before the wasm arrived (js/src/reads.js): the same requests this
/// client would send first, so their round trips overlapped the download.
pub struct StartedReads {
    /// The key they carry; reads with another key are never adopted.
    pub key: String,
    /// Cancels them all.
    pub controller: AbortController,
    /// Each request's URL and its pending `fetch`.
    pub requests: Vec<(String, Promise)>,
}

impl HttpSirApi {
    /// A client for `key`, talking to `api_base` or, when `None`, to the host the
    /// key's environment documents.
    ///
    /// # Errors
    /// [`ApiError::InvalidRequest`] for a base URL that is not https (or http to loopback),
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
        Ok(Self { base, key, lifetime, jitter_seed: Cell::new(seed), started: RefCell::new(None) })
    }

    /// Adopts the loader's reads, when they carry this client's key. A read whose URL this
    /// client never requests stays unread and is cancelled on destroy.
    pub fn adopt(&self, reads: StartedReads) {
        if reads.key == self.key.as_str() {
            *self.started.borrow_mut() = Some(reads);
        } else {
            reads.controller.abort();
        }
    }

    /// Cancels every request in flight; later calls fail with [`ApiError::Aborted`].
    pub fn abort_all(&self) {
        self.lifetime.abort();
        if let Some(reads) = self.started.borrow_mut().take() {
            reads.controller.abort();
        }
    }

    /// The loader's pending read of `url`, if there is one (once).
    fn take_started(&self, url: &str) -> Option<Promise> {
        let mut started = self.started.borrow_mut();
        let requests = &mut started.as_mut()?.requests;
        let index = requests.iter().position(|(started_url, _)| started_url == url)?;
        Some(requests.swap_remove(index).1)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1/partner/{path}", self.base)
    }

    /// A GET, retried on network errors, 5xx and 429. Not generic over the answer
    /// type: one copy of this state machine instead of one per endpoint (issue #8).
    ///
    /// The first attempt is the loader's read of the same URL when there is one: its answer
    /// is read, mapped and retried exactly like this client's own (a failed read counts as
    /// the first attempt). A read the loader cancelled is replaced by a request of our own.
    async fn get(&self, endpoint: Endpoint, path: &str) -> Result<Json, ApiError> {
        let url = self.url(path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started = match self.take_started(&url) {
                Some(response) => match read_json(&self.lifetime, None, endpoint, response).await {
                    Err(ApiError::Aborted) if !self.lifetime.signal().aborted() => None,
                    answer => Some(answer),
                },
                None => None,
            };
            let result = match started {
                Some(answer) => answer,
                None => self.send(endpoint, "GET", &url, None).await,
            };
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

    /// One SIR call, with the publishable key.
    async fn send(
        &self,
        endpoint: Endpoint,
        method: &'static str,
        url: &str,
        body: Option<String>,
    ) -> Result<Json, ApiError> {
        let call = Call { method, url, partner_key: Some(self.key.as_str()), body, ..Call::default() };
        send_json(&self.lifetime, endpoint, call).await
    }

    /// Capped exponential backoff with full jitter, or the server's `Retry-After`
    /// when it says; `None` when that wait is longer than worth blocking the donor.
    fn backoff_ms(&self, attempt: u32, error: &ApiError) -> Option<u32> {
        if let ApiError::RateLimited { retry_after_secs: Some(secs) } = error {
            return (*secs < RETRY_AFTER_CLAMP_SECS).then_some(secs * 1000 + self.jitter(250));
        }
        let ceiling = BACKOFF_BASE_MS.saturating_mul(1 << (attempt - 1).min(8)).min(BACKOFF_CAP_MS);
        Some(ceiling / 2 + self.jitter(ceiling / 2))
    }

    fn jitter(&self, below: u32) -> u32 {
        let next = self.jitter_seed.get().wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        self.jitter_seed.set(next);
        if below == 0 { 0 } else { (next >> 8) % below }
    }
}

/// One request, as [`send_json`] makes it.
#[derive(Default)]
pub(crate) struct Call<'a> {
    pub method: &'static str,
    pub url: &'a str,
    /// Sent as `X-Partner-Key` (SIR calls only).
    pub partner_key: Option<&'a str>,
    /// A JSON body (POSTs).
    pub body: Option<String>,
    /// Sends the page's cookies (partner-server calls, which know the donor by them).
    pub with_cookies: bool,
    /// Past the browser's HTTP cache (a total the donor just changed).
    pub fresh: bool,
}

/// One request with a timeout, cancelled when `lifetime` aborts, its answer size-capped
/// and read as a JSON object; every failure mapped to an [`ApiError`].
pub(crate) async fn send_json(
    lifetime: &AbortController,
    endpoint: Endpoint,
    call: Call<'_>,
) -> Result<Json, ApiError> {
    let timeout = AbortSignal::timeout_with_u32(REQUEST_TIMEOUT_MS);
    let signals = js_sys::Array::of2(&lifetime.signal(), &timeout);
    let signal = AbortSignal::any(&signals);
    let headers = Headers::new().map_err(|_| ApiError::Network)?;
    let init = RequestInit::new();
    init.set_method(call.method);
    init.set_signal(Some(&signal));
    if let Some(key) = call.partner_key {
        headers.set("X-Partner-Key", key).map_err(|_| ApiError::Network)?;
    }
    if let Some(body) = &call.body {
        headers.set("Content-Type", "application/json").map_err(|_| ApiError::Network)?;
        init.set_body(&JsValue::from_str(body));
    }
    if call.with_cookies {
        init.set_credentials(RequestCredentials::Include);
    }
    if call.fresh {
        init.set_cache(web_sys::RequestCache::NoCache);
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(ApiError::Network)?;
    read_json(lifetime, Some(&timeout), endpoint, window.fetch_with_str_and_init(call.url, &init)).await
}

/// Awaits a `fetch` and reads its answer, size-capped, as a JSON object; every failure
/// mapped to an [`ApiError`]. `timeout` is the request's own timeout signal; without one
/// (a read the loader started, with the same timeout) the browser's `TimeoutError` says it.
async fn read_json(
    lifetime: &AbortController,
    timeout: Option<&AbortSignal>,
    endpoint: Endpoint,
    pending: Promise,
) -> Result<Json, ApiError> {
    let failed = |error: JsValue| {
        // What ended the loader's read: its timeout, or the loader dropping it.
        let name = || error.dyn_ref::<js_sys::Error>().map(|e| String::from(e.name())).unwrap_or_default();
        if lifetime.signal().aborted() {
            ApiError::Aborted
        } else if timeout.map_or_else(|| name() == "TimeoutError", AbortSignal::aborted) {
            ApiError::Timeout
        } else if timeout.is_none() && name() == "AbortError" {
            // The caller replaces a read the loader cancelled with a request of its own.
            ApiError::Aborted
        } else {
            // fetch reports CORS refusals, DNS failures and dropped connections alike.
            ApiError::Network
        }
    };
    let response: Response = JsFuture::from(pending).await.map_err(failed)?.unchecked_into();
    let status = response.status();
    let header = |name: &str| response.headers().get(name).ok().flatten();
    let declared_length = header("content-length").and_then(|l| l.parse::<usize>().ok());
    if declared_length.is_some_and(|len| len > MAX_BODY_BYTES) {
        return Err(if response.ok() {
            ApiError::InvalidResponse
        } else {
            error_for_status(endpoint, status, "", header("retry-after"))
        });
    }
    let text = response.text().map_err(|_| ApiError::InvalidResponse)?;
    let body = JsFuture::from(text).await.map_err(failed)?.as_string().unwrap_or_default();
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::InvalidResponse);
    }
    if !response.ok() {
        return Err(error_for_status(endpoint, status, &body, header("retry-after")));
    }
    Json::parse_object(&body).ok_or(ApiError::InvalidResponse)
}

fn error_for_status(endpoint: Endpoint, status: u16, body: &str, retry_after: Option<String>) -> ApiError {
    let now_secs = (js_sys::Date::now() / 1000.0) as u64;
    let retry_after = retry_after.and_then(|value| parse_retry_after(&value, now_secs, 3600));
    ApiError::from_response(endpoint, status, &ErrorBody::parse(body), retry_after)
}

impl Drop for HttpSirApi {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl SirApi for HttpSirApi {
    fn config(&self) -> ApiFuture<'_, PartnerConfig> {
        Box::pin(async move { Ok(PartnerConfig::read(&self.get(Endpoint::Config, "config").await?)) })
    }

    fn organization<'a>(&'a self, slug: &'a str) -> ApiFuture<'a, Organization> {
        Box::pin(async move {
            let path = format!("organizations/{}", encode_segment(slug));
            Ok(Organization::read(&self.get(Endpoint::Organization, &path).await?))
        })
    }

    fn create_link<'a>(&'a self, request: &'a CreateLinkRequest) -> ApiFuture<'a, CreateLinkResponse> {
        Box::pin(async move {
            let url = self.url("donations/create-link");
            let answer = self.send(Endpoint::CreateLink, "POST", &url, Some(request.to_json())).await?;
            CreateLinkResponse::read_checked(&answer)
        })
    }

    fn status<'a>(&'a self, partner_donation_id: &'a str) -> ApiFuture<'a, DonationStatusResponse> {
        Box::pin(async move {
            let path = format!("donations/status/{}", encode_segment(partner_donation_id));
            Ok(DonationStatusResponse::read(&self.get(Endpoint::Status, &path).await?))
        })
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
