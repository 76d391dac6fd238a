//! Webhooks as the sandbox keeps them: registrations, sent events (for redelivery) and
//! delivery attempts (for `GET /__sandbox/webhooks/deliveries`).

use std::collections::VecDeque;
use std::time::Duration;

use serde::Serialize;
use sir_signing::{WEBHOOK_USER_AGENT, WebhookSecret};

use crate::seed::Partner;

/// One delivery attempt may take this long.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// The client deliveries go out on. Decision: no redirects are followed (a 3xx counts
/// as a failed attempt), so a delivery can't be bounced to another host.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(DELIVERY_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(WEBHOOK_USER_AGENT)
        .build()
        .unwrap_or_default()
}

/// `--webhook-url` / `--webhook-secret`. `Debug` shows no secret.
#[derive(Clone, Debug)]
pub struct PresetWebhook {
    pub url: String,
    pub secret: WebhookSecret,
}

/// Events kept for redelivery, and delivery attempts kept for `GET /__sandbox/webhooks/deliveries`.
pub const KEPT_EVENTS: usize = 1000;
pub const KEPT_DELIVERIES: usize = 1000;
#[derive(Clone, Debug)]
pub struct Webhook {
    pub id: String,
    pub partner_id: &'static str,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub receive_all: bool,
    /// Sent with every delivery (r11's `headers`).
    pub headers: Vec<(String, String)>,
    pub secret: WebhookSecret,
    /// From `--webhook-url`: survives `POST /__sandbox/reset`.
    pub preset: bool,
}

impl Webhook {
    pub(crate) fn wants(&self, event_type: &str) -> bool {
        self.receive_all || self.event_types.iter().any(|t| t == event_type)
    }
}

/// A sent event, kept for `POST /__sandbox/webhooks/redeliver/{eventId}`.
#[derive(Clone, Debug)]
pub(crate) struct StoredEvent {
    pub(crate) id: String,
    pub(crate) event_type: String,
    pub(crate) body: String,
    /// The webhooks it went to.
    pub(crate) targets: Vec<String>,
}

/// One delivery attempt, as `GET /__sandbox/webhooks/deliveries` shows it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub webhook_id: String,
    pub url: String,
    /// 1 for the first attempt of a (re)delivery.
    pub attempt: u32,
    /// Sent by `POST /__sandbox/webhooks/redeliver/{eventId}`.
    pub redelivery: bool,
    /// `None` when no HTTP response came back (connection refused, timeout, …).
    pub status_code: Option<u16>,
    pub error: Option<String>,
    /// A 2xx answer.
    pub ok: bool,
    pub at: String,
}

#[derive(Debug, Default)]
pub struct Hooks {
    pub webhooks: Vec<Webhook>,
    pub(crate) events: VecDeque<StoredEvent>,
    pub deliveries: VecDeque<DeliveryRecord>,
    /// Bumped by a reset: deliveries still retrying from before it stop.
    pub(crate) epoch: u64,
}

impl Hooks {
    pub fn add_preset(&mut self, id: String, partner: &'static Partner, preset: &PresetWebhook) {
        self.webhooks.push(Webhook {
            id,
            partner_id: partner.id,
            url: preset.url.clone(),
            description: Some("--webhook-url".to_owned()),
            event_types: Vec::new(),
            receive_all: true,
            headers: Vec::new(),
            secret: preset.secret.clone(),
            preset: true,
        });
    }

    pub fn reset(&mut self) {
        self.webhooks.retain(|webhook| webhook.preset);
        self.events.clear();
        self.deliveries.clear();
        self.epoch += 1;
    }

    /// The partner's first webhook URL, for `GET /v1/partner/config`'s `webhookUrl`.
    pub fn first_url(&self, partner_id: &str) -> Option<String> {
        self.webhooks.iter().find(|w| w.partner_id == partner_id).map(|w| w.url.clone())
    }

    pub(crate) fn record(&mut self, record: DeliveryRecord) {
        if self.deliveries.len() == KEPT_DELIVERIES {
            self.deliveries.pop_front();
        }
        self.deliveries.push_back(record);
    }
}
