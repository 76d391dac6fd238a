//! The four publishable-key endpoints (API reference §2), behind one gate that
//! authenticates, rate-limits, counts and applies armed faults.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{OriginalUri, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::faults::{Fault, FaultEndpoint, FaultKind};
use crate::seed::{self, Partner};
use crate::state::{AppState, Donation, RequestRecord, Status, rfc3339, unix_now};

const RATE_WINDOW_SECS: u64 = 60;
const MAX_AMOUNT_CENTS: u64 = 100_000_000;
/// Decision: the docs show only USD (§7.4); these are what the sandbox accepts.
const CURRENCIES: [&str; 5] = ["USD", "EUR", "GBP", "CAD", "AUD"];
const LOG_LENGTH: usize = 200;

fn endpoint_of(path: &str) -> Option<FaultEndpoint> {
    let rest = path.strip_prefix("/v1/partner/")?;
    Some(match rest {
        "config" => FaultEndpoint::Config,
        "donations/create-link" => FaultEndpoint::CreateLink,
        _ if rest.starts_with("organizations/") => FaultEndpoint::Organization,
        _ if rest.starts_with("donations/status/") => FaultEndpoint::Status,
        _ => return None,
    })
}

fn key_prefix(key: Option<&str>) -> &'static str {
    match key {
        None => "none",
        Some(k) if k.starts_with("pk_test_") => "pk_test_",
        Some(k) if k.starts_with("pk_live_") => "pk_live_",
        Some(k) if k.starts_with("sk_test_") => "sk_test_",
        Some(k) if k.starts_with("sk_live_") => "sk_live_",
        Some(_) => "other",
    }
}

/// Authenticates, rate-limits, counts and applies faults around every `/v1/partner` call.
pub async fn gate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    // Nested under /v1/partner, the request's own URI has lost that prefix.
    let path = match request.extensions().get::<OriginalUri>() {
        Some(original) => original.path().to_owned(),
        None => request.uri().path().to_owned(),
    };
    let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let key = request.headers().get("x-partner-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let endpoint = endpoint_of(&path);

    if let Some(endpoint) = endpoint {
        let mut inner = state.lock();
        match endpoint {
            FaultEndpoint::Config => inner.stats.config += 1,
            FaultEndpoint::Organization => inner.stats.organization += 1,
            FaultEndpoint::CreateLink => inner.stats.create_link += 1,
            FaultEndpoint::Status => inner.stats.status += 1,
            FaultEndpoint::Any => {}
        }
    }

    let partner = authenticate(key.as_deref());
    let bucket = match (&partner, &key) {
        (Ok(p), _) => p.publishable_key.to_owned(),
        _ => "anonymous".to_owned(),
    };
    let (limit_headers, over_limit) = rate_limit(&state, &bucket);

    let mut response = match (partner, over_limit) {
        (Err(error), _) => error.into_response(),
        (Ok(_), Some(retry_after)) => {
            let mut response =
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", "rate limit exceeded, retry later")
                    .into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            response
        }
        (Ok(partner), None) => {
            let fault = endpoint.and_then(|e| take_fault(&state, e));
            match fault {
                Some(FaultKind::Delay { delay_ms }) => {
                    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                    request.extensions_mut().insert(partner);
                    next.run(request).await
                }
                Some(FaultKind::Link { link }) => {
                    request.extensions_mut().insert(partner);
                    request.extensions_mut().insert(LinkOverride(link));
                    next.run(request).await
                }
                Some(kind) => fault_response(kind),
                None => {
                    request.extensions_mut().insert(partner);
                    next.run(request).await
                }
            }
        }
    };
    response.headers_mut().extend(limit_headers);
    let mut inner = state.lock();
    if inner.log.len() == LOG_LENGTH {
        inner.log.pop_front();
    }
    inner.log.push_back(RequestRecord {
        method,
        path,
        key_prefix: key_prefix(key.as_deref()),
        origin,
        status: response.status().as_u16(),
    });
    response
}

/// 401 for a missing or unknown key (live keys are unknown in this sandbox).
/// Decision: 403 for a seeded `sk_` key here, because it is a valid credential of
/// the wrong kind, mirroring the docs' 403 for `pk_` on secret-key endpoints.
fn authenticate(key: Option<&str>) -> Result<&'static Partner, ApiError> {
    let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", m);
    let key = key.ok_or_else(|| unauthorized("missing X-Partner-Key header"))?;
    let partner = seed::partner_by_key(key).ok_or_else(|| unauthorized("unknown API key for this environment"))?;
    if key == partner.secret_key {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "PUBLISHABLE_KEY_REQUIRED",
            "this endpoint takes a publishable key (pk_); never use a secret key in a browser",
        ));
    }
    Ok(partner)
}

/// Fixed windows per key. Decision: `X-RateLimit-Reset` is the Unix time (seconds)
/// when the window resets; the docs don't say (§6).
fn rate_limit(state: &AppState, bucket: &str) -> (HeaderMap, Option<u64>) {
    let now = unix_now();
    let limit = state.config.rate_limit;
    let mut inner = state.lock();
    let window = inner.windows.entry(bucket.to_owned()).or_insert(crate::state::RateWindow { started: now, count: 0 });
    if now >= window.started + RATE_WINDOW_SECS {
        window.started = now;
        window.count = 0;
    }
    window.count = window.count.saturating_add(1);
    let reset = window.started + RATE_WINDOW_SECS;
    let mut headers = HeaderMap::new();
    headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
    headers.insert("x-ratelimit-remaining", HeaderValue::from(limit.saturating_sub(window.count)));
    headers.insert("x-ratelimit-reset", HeaderValue::from(reset));
    let over = (window.count > limit).then(|| reset.saturating_sub(now).max(1));
    (headers, over)
}

fn take_fault(state: &AppState, endpoint: FaultEndpoint) -> Option<FaultKind> {
    let mut inner = state.lock();
    for key in [endpoint, FaultEndpoint::Any] {
        if let Some(kind) = inner.faults.get_mut(&key).and_then(consume) {
            return Some(kind);
        }
    }
    None
}

fn consume(queue: &mut VecDeque<Fault>) -> Option<FaultKind> {
    let front = queue.front_mut()?;
    let kind = front.kind.clone();
    match &mut front.remaining {
        Some(1) => {
            queue.pop_front();
        }
        Some(n) => *n -= 1,
        None => {}
    }
    Some(kind)
}

fn fault_response(kind: FaultKind) -> Response {
    match kind {
        FaultKind::Status { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let code = if status.is_server_error() { "INTERNAL" } else { "INJECTED_FAULT" };
            ApiError::new(status, code, "injected fault").into_response()
        }
        FaultKind::RateLimit { retry_after } => {
            let mut response =
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", "rate limit exceeded, retry later")
                    .into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        FaultKind::Malformed => json_text(r#"{"partnerDonationId": "abc", "donationLink": "#.to_owned()),
        FaultKind::Oversized => {
            let padding = "x".repeat(3 * 1024 * 1024);
            json_text(json!({ "padding": padding, "name": "Oversized", "status": "pending" }).to_string())
        }
        FaultKind::Drop => {
            // A body that fails before its first byte: hyper aborts the connection, so
            // the browser sees a network error rather than any HTTP answer.
            let stream = futures_util::stream::once(async {
                Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("injected connection drop"))
            });
            Response::new(Body::from_stream(stream))
        }
        FaultKind::Delay { .. } | FaultKind::Link { .. } => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn json_text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Set by a `link` fault: create-link answers with this link instead.
#[derive(Clone)]
pub struct LinkOverride(pub String);

pub async fn config(State(state): State<AppState>, Extension(partner): Extension<&'static Partner>) -> Response {
    Json(json!({
        "id": partner.id,
        "name": partner.name,
        "slug": partner.slug,
        "enabledFeatures": partner.enabled_features,
        "rateLimit": state.config.rate_limit,
        "isActive": partner.is_active,
        "webhookUrl": Value::Null,
        "tipConfig": { "enabled": partner.tip_enabled, "defaultPercent": partner.tip_default_percent },
    }))
    .into_response()
}

/// Decision: keys `logoUrl` and `ein`, status `active`/`inactive` (§7.2 leaves them open).
pub async fn organization(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, ApiError> {
    let org = seed::nonprofit(&slug).ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "ORGANIZATION_NOT_FOUND", format!("no nonprofit with slug {slug:?}"))
    })?;
    Ok(Json(json!({
        "id": org.id,
        "slug": org.slug,
        "name": org.name,
        "ein": org.ein,
        "logoUrl": format!("{}/logos/{}.svg", state.config.public_url, org.slug),
        "status": if org.active { "active" } else { "inactive" },
    }))
    .into_response())
}

pub async fn create_link(
    State(state): State<AppState>,
    Extension(partner): Extension<&'static Partner>,
    link_override: Option<Extension<LinkOverride>>,
    headers: HeaderMap,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let Ok(Json(Value::Object(body))) = body else {
        return Err(ApiError::bad_request("INVALID_BODY", "the body must be a JSON object"));
    };
    if !partner.is_active {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "PARTNER_INACTIVE", "this partner account is not active"));
    }
    if !partner.enabled_features.contains(&"DONATIONS") {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "DONATIONS_DISABLED",
            "donations are not enabled for this partner",
        ));
    }
    let valid = validate_donation(&body)?;
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| o.starts_with("https://") || o.starts_with("http://"))
        .map(str::to_owned);
    let now = SystemTime::now();
    let mut inner = state.lock();
    let id = inner.new_id();
    inner.donations.insert(
        id.clone(),
        Donation {
            id: id.clone(),
            partner_id: partner.id,
            nonprofit_slug: valid.nonprofit,
            amount: valid.amount,
            currency: valid.currency,
            frequency: valid.frequency,
            provider: valid.provider,
            donor_email: valid.donor_email,
            tip_amount: valid.tip_amount,
            status: Status::Pending,
            scripted: VecDeque::new(),
            created: now,
            updated: now,
            return_origin: origin,
        },
    );
    let link = match link_override {
        Some(Extension(LinkOverride(link))) => link,
        None => format!("{}/checkout/{id}", state.config.public_url),
    };
    // Decision: 201, as NestJS answers a POST; the docs show no status, so clients accept any 2xx.
    Ok((StatusCode::CREATED, Json(json!({ "donationLink": link, "partnerDonationId": id }))).into_response())
}

struct ValidDonation {
    nonprofit: &'static str,
    amount: u64,
    currency: String,
    frequency: String,
    provider: String,
    donor_email: Option<String>,
    tip_amount: Option<u64>,
}

fn validate_donation(body: &Map<String, Value>) -> Result<ValidDonation, ApiError> {
    let text = |name: &str, max: usize, code: &'static str| -> Result<Option<String>, ApiError> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::bad_request(code, format!("{name} must be a string of at most {max} characters"))),
        }
    };
    let slug = text("nonprofitSlug", 200, "INVALID_NONPROFIT")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("INVALID_NONPROFIT", "nonprofitSlug is required"))?;
    let nonprofit = seed::nonprofit(&slug).ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "ORGANIZATION_NOT_FOUND", format!("no nonprofit with slug {slug:?}"))
    })?;
    if !nonprofit.active {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ORGANIZATION_INACTIVE",
            "this nonprofit is not accepting donations",
        ));
    }
    let amount =
        body.get("amount").and_then(Value::as_u64).filter(|a| (1..=MAX_AMOUNT_CENTS).contains(a)).ok_or_else(|| {
            ApiError::bad_request(
                "INVALID_AMOUNT",
                format!("amount must be a positive integer number of cents, at most {MAX_AMOUNT_CENTS}"),
            )
        })?;
    let currency = text("currency", 3, "INVALID_CURRENCY")?
        .filter(|c| CURRENCIES.contains(&c.as_str()))
        .ok_or_else(|| ApiError::bad_request("INVALID_CURRENCY", format!("currency must be one of {CURRENCIES:?}")))?;
    let frequency = text("frequency", 10, "INVALID_FREQUENCY")?
        .filter(|f| f == "once" || f == "monthly")
        .ok_or_else(|| ApiError::bad_request("INVALID_FREQUENCY", "frequency must be \"once\" or \"monthly\""))?;
    // Decision: provider defaults to stripe, as in the current docs' scenario.
    let provider = match text("provider", 20, "INVALID_PROVIDER")? {
        None => "stripe".to_owned(),
        Some(p) if p == "stripe" || p == "every.org" => p,
        Some(_) => {
            return Err(ApiError::bad_request("INVALID_PROVIDER", "provider must be \"every.org\" or \"stripe\""));
        }
    };
    let donor_email = text("donorEmail", 254, "INVALID_EMAIL")?;
    if donor_email.as_deref().is_some_and(|e| !well_formed_email(e)) {
        return Err(ApiError::bad_request("INVALID_EMAIL", "donorEmail must be a well-formed email address"));
    }
    text("firstName", 100, "INVALID_NAME")?;
    text("lastName", 100, "INVALID_NAME")?;
    text("referralCode", 64, "INVALID_REFERRAL_CODE")?;
    let tip_amount = match body.get("tipAmount") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            ApiError::bad_request("INVALID_TIP", "tipAmount must be a non-negative integer number of cents")
        })?),
    };
    if let Some(percent) = body.get("tipPercent").filter(|v| !v.is_null())
        && !percent.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p))
    {
        return Err(ApiError::bad_request("INVALID_TIP", "tipPercent must be a number from 0 to 100"));
    }
    Ok(ValidDonation { nonprofit: nonprofit.slug, amount, currency, frequency, provider, donor_email, tip_amount })
}

fn well_formed_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// Decision: `{partnerDonationId, status, amount, currency, frequency, nonprofitSlug,
/// createdAt, updatedAt}` with status pending|completed|cancelled|failed|expired (§7.1).
pub async fn status(
    State(state): State<AppState>,
    Extension(partner): Extension<&'static Partner>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let ttl = state.config.checkout_ttl;
    let mut inner = state.lock();
    let donation = inner
        .donations
        .get_mut(&id)
        .filter(|d| d.partner_id == partner.id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "DONATION_NOT_FOUND", "no such donation"))?;
    if let Some(next) = donation.scripted.pop_front() {
        donation.status = next;
        donation.updated = SystemTime::now();
    }
    Ok(Json(json!({
        "partnerDonationId": donation.id,
        "status": donation.current_status(ttl),
        "amount": donation.amount,
        "currency": donation.currency,
        "frequency": donation.frequency,
        "nonprofitSlug": donation.nonprofit_slug,
        "createdAt": rfc3339(donation.created),
        "updatedAt": rfc3339(donation.updated),
    }))
    .into_response())
}
