//! Webhooks (API reference §5): `POST /v1/partner/webhooks`, signed deliveries with
//! retries, and the records the test controls show.
//!
//! Decisions where the docs are silent (also in README.md):
//! * The signature key is the whole `whsec_…` string (§7.12; see `sir-signing`).
//! * Delivery: up to `--webhook-attempts` (5) attempts per event and webhook; a 2xx
//!   ends it, anything else (another status, a redirect, a network error, a 10 s
//!   timeout) is retried after `--webhook-retry-base-ms` (1 s), doubling each time
//!   (1, 2, 4, 8 s). Every attempt gets a fresh timestamp, so a late retry is never stale.
//! * Event names: `transaction.completed` when a hosted checkout completes,
//!   `action.completed` / `action.failed` for actions (all three documented);
//!   `action.reversed` when a test control reverses an action, and
//!   `token_pool.low_balance` when a pool falls below `--pool-low-threshold` (names the
//!   docs don't spell out; see the constants). A failed, cancelled or expired checkout
//!   sends nothing (no event name for it is documented; a partner must read those from
//!   the status endpoint, as it would have to in production).

use std::net::IpAddr;
use std::time::SystemTime;

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use serde_json::{Map, Value};
use sir_signing::{WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, WebhookSecret};

use crate::body::AppJson;
use crate::error::{ApiError, ErrorCode};
use crate::gate::AuthedPartner;
use crate::model::hooks::{KEPT_EVENTS, StoredEvent};
use crate::model::{DeliveryRecord, Webhook};
use crate::state::{AppState, rfc3339, unix_now};

pub const TRANSACTION_COMPLETED: &str = "transaction.completed";
pub const ACTION_COMPLETED: &str = "action.completed";
pub const ACTION_FAILED: &str = "action.failed";
/// Decision: no reversal event name is visible in the docs; this one follows the
/// `action.*` names, and is sent by `POST /__sandbox/actions/{actionId}/reverse`.
pub const ACTION_REVERSED: &str = "action.reversed";
/// The docs' start page names the low-pool event in prose; this is that name.
pub const TOKEN_POOL_LOW_BALANCE: &str = "token_pool.low_balance";

const MAX_DESCRIPTION_CHARS: usize = 200;
const MAX_URL_CHARS: usize = 2048;
const MAX_CUSTOM_HEADERS: usize = 20;

/// What one delivery task sends where.
#[derive(Clone, Debug)]
struct Delivery {
    event_id: String,
    event_type: String,
    body: String,
    webhook_id: String,
    url: String,
    headers: Vec<(String, String)>,
    secret: WebhookSecret,
    redelivery: bool,
    epoch: u64,
}

/// The documented envelope, fields in the docs' order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    created_at: String,
    data: Value,
}

/// Sends `event_type` with `data` to every webhook of the partner that wants it, in the
/// background. Returns the event id (`evt_` + 24 hex).
pub fn emit(state: &AppState, partner_id: &str, event_type: &str, data: Value) -> String {
    let mut inner = state.lock();
    let id = format!("evt_{}", inner.new_id());
    let envelope = Envelope { id: &id, event_type, created_at: rfc3339(SystemTime::now()), data };
    let body = serde_json::to_string(&envelope).unwrap_or_default();
    let hooks = &mut inner.hooks;
    let targets: Vec<Webhook> =
        hooks.webhooks.iter().filter(|w| w.partner_id == partner_id && w.wants(event_type)).cloned().collect();
    if hooks.events.len() == KEPT_EVENTS {
        hooks.events.pop_front();
    }
    hooks.events.push_back(StoredEvent {
        id: id.clone(),
        event_type: event_type.to_owned(),
        body: body.clone(),
        targets: targets.iter().map(|w| w.id.clone()).collect(),
    });
    let epoch = hooks.epoch;
    drop(inner);
    tracing::info!(event = %id, event_type, webhooks = targets.len(), "webhook event");
    for webhook in targets {
        spawn_delivery(state, &id, event_type, &body, webhook, false, epoch);
    }
    id
}

/// Sends a stored event again (same id and body, fresh timestamp and signature) to the
/// webhooks it first went to that still exist. `None` if no such event is kept.
pub fn redeliver(state: &AppState, event_id: &str) -> Option<usize> {
    let inner = state.lock();
    let event = inner.hooks.events.iter().find(|e| e.id == event_id)?.clone();
    let targets: Vec<Webhook> =
        inner.hooks.webhooks.iter().filter(|w| event.targets.contains(&w.id)).cloned().collect();
    let epoch = inner.hooks.epoch;
    drop(inner);
    let count = targets.len();
    for webhook in targets {
        spawn_delivery(state, &event.id, &event.event_type, &event.body, webhook, true, epoch);
    }
    Some(count)
}

fn spawn_delivery(
    state: &AppState,
    event_id: &str,
    event_type: &str,
    body: &str,
    webhook: Webhook,
    redelivery: bool,
    epoch: u64,
) {
    let delivery = Delivery {
        event_id: event_id.to_owned(),
        event_type: event_type.to_owned(),
        body: body.to_owned(),
        webhook_id: webhook.id,
        url: webhook.url,
        headers: webhook.headers,
        secret: webhook.secret,
        redelivery,
        epoch,
    };
    tokio::spawn(deliver(state.clone(), delivery));
}

async fn deliver(state: AppState, delivery: Delivery) {
    let attempts = state.config.webhook_attempts.max(1);
    let mut wait = state.config.webhook_retry_base;
    for attempt in 1..=attempts {
        if state.lock().hooks.epoch != delivery.epoch {
            return;
        }
        let timestamp = unix_now();
        let mut request = state.http.post(&delivery.url);
        for (name, value) in &delivery.headers {
            request = request.header(name, value);
        }
        let outcome = request
            .header(header::CONTENT_TYPE, "application/json")
            .header(WEBHOOK_SIGNATURE_HEADER, delivery.secret.sign(timestamp, delivery.body.as_bytes()))
            .header(WEBHOOK_TIMESTAMP_HEADER, timestamp.to_string())
            .body(delivery.body.clone())
            .send()
            .await;
        let (status_code, error) = match outcome {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(error) => (None, Some(sir_server_kit::describe(&error))),
        };
        let ok = status_code.is_some_and(|code| (200..300).contains(&code));
        tracing::info!(event = %delivery.event_id, url = %delivery.url, attempt, status = ?status_code, ok, "webhook delivery");
        {
            let mut inner = state.lock();
            if inner.hooks.epoch != delivery.epoch {
                return;
            }
            inner.hooks.record(DeliveryRecord {
                event_id: delivery.event_id.clone(),
                event_type: delivery.event_type.clone(),
                webhook_id: delivery.webhook_id.clone(),
                url: delivery.url.clone(),
                attempt,
                redelivery: delivery.redelivery,
                status_code,
                error,
                ok,
                at: rfc3339(SystemTime::now()),
            });
        }
        if ok {
            return;
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
    }
    tracing::warn!(event = %delivery.event_id, url = %delivery.url, attempts, "webhook delivery gave up");
}

/// A webhook URL the sandbox will deliver to.
///
/// Decision: the docs require HTTPS; the sandbox also accepts plain `http://` to a
/// loopback host (`127.0.0.0/8`, `[::1]`, `localhost`), so a partner server on the
/// same machine can receive without a certificate. No user:password in the URL (it
/// would end up in logs), no fragment.
pub fn check_url(url: &str) -> Result<String, String> {
    if url.len() > MAX_URL_CHARS {
        return Err(format!("url must be at most {MAX_URL_CHARS} characters"));
    }
    let parsed = reqwest::Url::parse(url).map_err(|error| format!("url is not an absolute URL: {error}"))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("url must not carry a user name or password".to_owned());
    }
    if parsed.fragment().is_some() {
        return Err("url must not have a #fragment".to_owned());
    }
    let loopback = match parsed.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => return Err("url must have a host".to_owned()),
    };
    match parsed.scheme() {
        "https" => Ok(url.to_owned()),
        "http" if loopback => Ok(url.to_owned()),
        "http" => {
            Err("url must be https:// (plain http:// is allowed only to a loopback host in the sandbox)".to_owned())
        }
        _ => Err("url must be an https:// URL".to_owned()),
    }
}

/// `whsec_` and 64 random hex digits.
pub fn new_secret() -> Result<WebhookSecret, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, format!("No randomness: {error}"))
    })?;
    Ok(WebhookSecret::new(format!("{}{}", sir_signing::WEBHOOK_SECRET_PREFIX, hex::encode(bytes))))
}

/// The answer to a registration: the docs' fields, plus `description` and
/// `receiveAllEvents` echoed back. `secret` is shown here once and never again.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Registered {
    id: String,
    url: String,
    description: Option<String>,
    event_types: Vec<String>,
    receive_all_events: bool,
    secret: String,
    is_active: bool,
}

/// `POST /v1/partner/webhooks` → 201 with the secret.
pub async fn register(
    State(state): State<AppState>,
    Extension(AuthedPartner(partner)): Extension<AuthedPartner>,
    AppJson(body): AppJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let url = match body.get("url") {
        Some(Value::String(url)) => check_url(url),
        _ => Err("url is required: the https:// URL to deliver to".to_owned()),
    }
    .map_err(|message| ApiError::bad_request(ErrorCode::InvalidWebhookUrl, message))?;
    let description = match body.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.chars().count() <= MAX_DESCRIPTION_CHARS => Some(text.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidDescription,
                format!("description must be a string of at most {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
    };
    let (event_types, receive_all) = event_types(&body)?;
    let custom_headers = custom_headers(body.get("headers"))?;
    let secret = new_secret()?;

    let mut inner = state.lock();
    let id = inner.new_id();
    inner.hooks.webhooks.push(Webhook {
        id: id.clone(),
        partner_id: partner.id,
        url: url.clone(),
        description: description.clone(),
        event_types: event_types.clone(),
        receive_all,
        headers: custom_headers,
        secret: secret.clone(),
        preset: false,
    });
    drop(inner);
    tracing::info!(webhook = %id, partner = partner.slug, url = %url, "webhook registered");
    let registered = Registered {
        id,
        url,
        description,
        event_types,
        receive_all_events: receive_all,
        secret: secret.expose().to_owned(),
        is_active: true,
    };
    // Decision: 201, as for create-link.
    Ok((StatusCode::CREATED, Json(registered)).into_response())
}

/// `eventTypes` and `receiveAllEvents`. Decision: any name shaped like `noun.verb`
/// is accepted (the docs describe events whose names aren't visible, so an unknown name
/// may be real); at least one type, or `receiveAllEvents: true`, is required.
fn event_types(body: &Map<String, Value>) -> Result<(Vec<String>, bool), ApiError> {
    let invalid = |message: &str| ApiError::bad_request(ErrorCode::InvalidEventTypes, message);
    let receive_all = match body.get("receiveAllEvents") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(all)) => *all,
        Some(_) => return Err(invalid("receiveAllEvents must be a boolean")),
    };
    let types = match body.get("eventTypes") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) if items.len() <= 50 => items
            .iter()
            .map(|item| item.as_str().filter(|name| event_name(name)).map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid("eventTypes must be event names like \"action.completed\""))?,
        Some(_) => return Err(invalid("eventTypes must be an array of at most 50 event names")),
    };
    if types.is_empty() && !receive_all {
        return Err(invalid("Give eventTypes (e.g. [\"action.completed\"]) or receiveAllEvents: true"));
    }
    Ok((types, receive_all))
}

fn event_name(name: &str) -> bool {
    let part = |p: &str| !p.is_empty() && p.len() <= 40 && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    name.split_once('.').is_some_and(|(noun, verb)| part(noun) && part(verb))
}

/// r11's optional `headers` object, added to every delivery. Names the delivery sets
/// itself can't be overridden.
fn custom_headers(value: Option<&Value>) -> Result<Vec<(String, String)>, ApiError> {
    const RESERVED: [&str; 5] = ["content-type", "content-length", "host", "user-agent", "transfer-encoding"];
    let invalid = |message: String| ApiError::bad_request(ErrorCode::InvalidHeaders, message);
    let object = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(object)) if object.len() <= MAX_CUSTOM_HEADERS => object,
        Some(_) => return Err(invalid(format!("headers must be an object of at most {MAX_CUSTOM_HEADERS} entries"))),
    };
    object
        .iter()
        .map(|(name, value)| {
            let lower = name.to_ascii_lowercase();
            let reserved = RESERVED.contains(&lower.as_str()) || lower.starts_with("x-sir-");
            let text = value.as_str().ok_or_else(|| invalid(format!("header {name} must have a string value")))?;
            if reserved || HeaderName::from_bytes(name.as_bytes()).is_err() || HeaderValue::from_str(text).is_err() {
                return Err(invalid(format!("header {name} can't be set")));
            }
            Ok((name.clone(), text.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls() {
        for good in [
            "https://partner.example/webhooks/sir",
            "http://127.0.0.1:8788/webhooks/sir",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            assert_eq!(check_url(good).as_deref(), Ok(good));
        }
        for bad in [
            "http://partner.example/webhooks",
            "ftp://partner.example/",
            "/webhooks/sir",
            "https://user:pw@partner.example/",
            "https://partner.example/#x",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn event_names() {
        assert!(event_name("action.completed") && event_name("token_pool.low"));
        assert!(!event_name("action") && !event_name("Action.completed") && !event_name("a.b.c"));
    }

    #[test]
    fn secrets_are_well_formed_and_random() {
        let a = new_secret().expect("secret");
        let b = new_secret().expect("secret");
        assert!(sir_signing::is_webhook_secret(a.expose()), "{a:?}");
        assert_ne!(a, b);
    }
}
