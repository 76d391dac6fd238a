//! Webhook deliveries over real sockets, to a small receiver on port 0: signatures,
//! the envelope, retries with backoff, redelivery, and which events go where.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bytes::Bytes;
use serde_json::{Value, json};
use sir_sandbox::{AppState, Config, PresetWebhook, seed, serve};
use sir_signing::{Signer, WebhookSecret};
use tokio::net::TcpListener;

const SECRET: &str = "whsec_abababababababababababababababababababababababababababababababab";
const DEMO_PK: &str = seed::PARTNERS[0].publishable_key;

/// What the receiver got: headers and raw body of each request.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    /// Answer 500 to this many requests first.
    fail_first: Arc<AtomicUsize>,
}

impl Receiver {
    fn received(&self) -> Vec<(HeaderMap, Bytes)> {
        self.received.lock().expect("lock").clone()
    }

    fn events(&self) -> Vec<Value> {
        self.received().iter().map(|(_, body)| serde_json::from_slice(body).expect("JSON body")).collect()
    }
}

/// Starts a receiver on port 0; returns its webhook URL.
async fn receiver(fail_first: usize) -> (String, Receiver) {
    let receiver = Receiver { fail_first: Arc::new(AtomicUsize::new(fail_first)), ..Receiver::default() };
    let state = receiver.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let state = state.clone();
            async move {
                state.received.lock().expect("lock").push((headers, body));
                let failing = state.fail_first.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
                if failing.is_ok() { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK }
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/hook"), receiver)
}

/// Starts the sandbox on port 0 with `webhook_url` preset; returns its base URL and state.
async fn sandbox(webhook_url: Option<String>, attempts: u32) -> (String, AppState) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let state = AppState::new(Config {
        public_url: base.clone(),
        preset_webhook: webhook_url.map(|url| PresetWebhook { url, secret: WebhookSecret::new(SECRET) }),
        webhook_attempts: attempts,
        webhook_retry_base: Duration::from_millis(20),
        ..Config::default()
    });
    tokio::spawn(serve(listener, state.clone(), std::future::pending()));
    (base, state)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// Polls `check` every 20 ms for up to 10 s.
async fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    for _ in 0..500 {
        if let Some(value) = check() {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn create_and_complete(base: &str) -> String {
    let client = client();
    let created: Value = client
        .post(format!("{base}/v1/partner/donations/create-link"))
        .header("x-partner-key", DEMO_PK)
        .header("content-type", "application/json")
        .body(
            json!({"nonprofitSlug": "st-jude", "amount": 2500, "currency": "USD", "frequency": "once",
                   "donorEmail": "jane@example.com"})
            .to_string(),
        )
        .send()
        .await
        .expect("create-link")
        .json()
        .await
        .expect("JSON");
    let id = created["partnerDonationId"].as_str().expect("id").to_owned();
    let completed = client.post(format!("{base}/checkout/{id}/complete")).send().await.expect("complete");
    assert_eq!(completed.status(), StatusCode::SEE_OTHER);
    id
}

async fn deliveries(base: &str) -> Vec<Value> {
    let list: Value = client()
        .get(format!("{base}/__sandbox/webhooks/deliveries"))
        .send()
        .await
        .expect("deliveries")
        .json()
        .await
        .expect("JSON");
    list.as_array().expect("array").clone()
}

async fn submit(base: &str, body: &Value) -> reqwest::Response {
    let body = body.to_string();
    let path = "/v1/partner/actions/submit";
    let signer = Signer::new(seed::PARTNERS[0].secret_key, seed::PARTNERS[0].hmac_secret);
    let mut request = client().post(format!("{base}{path}")).header("content-type", "application/json");
    for (name, value) in signer.sign_now("POST", path, body.as_bytes()).pairs() {
        request = request.header(name, value);
    }
    request.body(body).send().await.expect("submit")
}

#[tokio::test]
async fn a_completed_checkout_is_delivered_signed_and_retried_until_2xx() {
    let (url, receiver) = receiver(2).await;
    let (base, _state) = sandbox(Some(url.clone()), 5).await;
    let id = create_and_complete(&base).await;

    let received = until("three attempts", || Some(receiver.received()).filter(|r| r.len() == 3)).await;
    let first_body = &received[0].1;
    for (headers, body) in &received {
        assert_eq!(body, first_body, "every attempt sends the same event");
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(header("user-agent"), Some("SIRGiving-Webhooks/1.0"));
        assert_eq!(header("content-type"), Some("application/json"));
        let now = sir_signing::unix_now();
        let verified =
            sir_signing::verify_webhook(SECRET, header("x-sir-signature"), header("x-sir-timestamp"), body, now);
        assert!(verified.is_ok(), "{verified:?}");
    }
    let event: Value = serde_json::from_slice(first_body).expect("JSON");
    let event_id = event["id"].as_str().expect("id").to_owned();
    assert!(event_id.starts_with("evt_") && event_id.len() == 28, "{event_id}");
    assert_eq!(event["type"], "transaction.completed");
    assert!(event["createdAt"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(
        event["data"],
        json!({"partnerDonationId": id, "nonprofitSlug": "st-jude", "amount": 2500, "currency": "USD",
               "frequency": "once", "donorEmail": "jane@example.com", "status": "completed"})
    );
    assert_eq!(event.as_object().map(serde_json::Map::len), Some(4));
    let raw = String::from_utf8_lossy(first_body);
    assert!(raw.starts_with(&format!(r#"{{"id":"{event_id}","type":"transaction.completed","createdAt":""#)), "{raw}");

    let log = deliveries(&base).await;
    let summary: Vec<_> =
        log.iter().map(|d| (d["attempt"].clone(), d["statusCode"].clone(), d["ok"].clone())).collect();
    assert_eq!(
        summary,
        [
            (json!(1), json!(500), json!(false)),
            (json!(2), json!(500), json!(false)),
            (json!(3), json!(200), json!(true))
        ]
    );
    assert!(log.iter().all(|d| d["eventId"] == event_id.as_str() && d["url"] == url.as_str()));

    // Completing again changes nothing and sends nothing.
    client().post(format!("{base}/checkout/{id}/complete")).send().await.expect("complete");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(receiver.received().len(), 3);

    // Redelivery: the same event (id and body) with a fresh, valid signature.
    let redeliver =
        client().post(format!("{base}/__sandbox/webhooks/redeliver/{event_id}")).send().await.expect("redeliver");
    assert_eq!(redeliver.status(), StatusCode::ACCEPTED);
    assert_eq!(redeliver.json::<Value>().await.expect("JSON"), json!({"eventId": event_id, "webhooks": 1}));
    let received = until("the redelivery", || Some(receiver.received()).filter(|r| r.len() == 4)).await;
    assert_eq!(&received[3].1, first_body);
    let log = until_deliveries(&base, 4).await;
    assert_eq!(log[3]["redelivery"], true);
    assert_eq!(log[3]["ok"], true);

    let unknown = client().post(format!("{base}/__sandbox/webhooks/redeliver/evt_nope")).send().await.expect("post");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown.json::<Value>().await.expect("JSON")["code"], "EVENT_NOT_FOUND");
}

async fn until_deliveries(base: &str, count: usize) -> Vec<Value> {
    for _ in 0..500 {
        let log = deliveries(base).await;
        if log.len() >= count {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {count} deliveries");
}

#[tokio::test]
async fn an_unreachable_receiver_is_retried_a_bounded_number_of_times() {
    // A port nobody listens on: bind, note it, close.
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind").local_addr().expect("address");
    let (base, _state) = sandbox(Some(format!("http://{closed}/hook")), 3).await;
    create_and_complete(&base).await;
    let log = until_deliveries(&base, 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log_later = deliveries(&base).await;
    assert_eq!(log_later.len(), 3, "gives up after --webhook-attempts: {log_later:?}");
    for (i, attempt) in log.iter().enumerate() {
        assert_eq!(attempt["attempt"], i + 1);
        assert_eq!(attempt["statusCode"], Value::Null);
        assert!(attempt["error"].as_str().is_some_and(|e| !e.is_empty()), "{attempt}");
    }
}

#[tokio::test]
async fn actions_send_action_completed_and_action_failed_to_subscribed_webhooks() {
    let (all_url, all_events) = receiver(0).await;
    let (base, _state) = sandbox(Some(all_url), 5).await;
    // A second webhook, registered through the API, for action.completed only, with a custom header.
    let (actions_url, actions_only) = receiver(0).await;
    let body = json!({"url": actions_url, "eventTypes": ["action.completed"], "headers": {"X-My-Tenant": "prod"}});
    let registration = {
        let text = body.to_string();
        let path = "/v1/partner/webhooks";
        let signer = Signer::new(seed::PARTNERS[0].secret_key, seed::PARTNERS[0].hmac_secret);
        let mut request = client().post(format!("{base}{path}")).header("content-type", "application/json");
        for (name, value) in signer.sign_now("POST", path, text.as_bytes()).pairs() {
            request = request.header(name, value);
        }
        request.body(text).send().await.expect("register").json::<Value>().await.expect("JSON")
    };
    let second_secret = registration["secret"].as_str().expect("secret").to_owned();

    let action = json!({"idempotencyKey": "order_1", "actionType": "PURCHASE", "amount": 12.5, "currency": "USD",
                        "stakeholders": [{"partnerUserId": "u1"}], "autoCreateUsers": true});
    assert_eq!(submit(&base, &action).await.status(), StatusCode::CREATED);
    let completed = until("action.completed", || actions_only.events().into_iter().next()).await;
    assert_eq!(completed["type"], "action.completed");
    assert_eq!(completed["data"]["tokensDistributed"], 12);
    assert_eq!(completed["data"]["idempotencyKey"], "order_1");
    let (headers, body) = &actions_only.received()[0];
    assert_eq!(headers.get("x-my-tenant").and_then(|v| v.to_str().ok()), Some("prod"));
    let signature = headers.get("x-sir-signature").and_then(|v| v.to_str().ok());
    let timestamp = headers.get("x-sir-timestamp").and_then(|v| v.to_str().ok());
    let now = sir_signing::unix_now();
    assert!(sir_signing::verify_webhook(&second_secret, signature, timestamp, body, now).is_ok());
    assert!(sir_signing::verify_webhook(SECRET, signature, timestamp, body, now).is_err(), "each webhook its secret");

    client().post(format!("{base}/__sandbox/pool")).json(&json!({"tokens": 0})).send().await.expect("pool");
    let refused = submit(
        &base,
        &json!({"idempotencyKey": "order_2", "actionType": "PURCHASE", "amount": 5,
                                         "stakeholders": [{"partnerUserId": "u1"}], "autoCreateUsers": true}),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::PAYMENT_REQUIRED);
    let failed =
        until("action.failed", || all_events.events().into_iter().find(|e| e["type"] == "action.failed")).await;
    assert_eq!(failed["data"]["reason"], "INSUFFICIENT_POOL");
    assert_eq!(failed["data"]["idempotencyKey"], "order_2");

    // The catch-all webhook saw both; the action.completed-only one never saw the failure.
    create_and_complete(&base).await;
    until("transaction.completed", || all_events.events().into_iter().find(|e| e["type"] == "transaction.completed"))
        .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let types: Vec<Value> = actions_only.events().into_iter().map(|e| e["type"].clone()).collect();
    assert_eq!(types, [json!("action.completed")]);
}

#[tokio::test]
async fn a_reset_stops_pending_retries_but_keeps_the_preset_webhook() {
    let (url, receiver) = receiver(100).await;
    let (base, state) = sandbox(Some(url), 20).await;
    create_and_complete(&base).await;
    until("a first attempt", || Some(receiver.received().len()).filter(|n| *n >= 1)).await;
    client().post(format!("{base}/__sandbox/reset")).send().await.expect("reset");
    let after_reset = receiver.received().len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(receiver.received().len() <= after_reset + 1, "retries stop after a reset");
    assert!(deliveries(&base).await.is_empty());
    assert_eq!(state.lock().hooks.webhooks.len(), 1, "the --webhook-url webhook stays");
}

#[tokio::test]
async fn a_reversal_and_a_low_pool_send_their_events() {
    let (url, receiver) = receiver(0).await;
    let (base, state) = sandbox(Some(url), 1).await;
    let action = json!({"idempotencyKey": "order_1", "actionType": "DONATION", "amount": 25.0,
                        "stakeholders": [{"partnerUserId": "user-1"}], "autoCreateUsers": true});
    let created: Value = submit(&base, &action).await.json().await.expect("JSON");
    let action_id = created["actionId"].as_str().expect("actionId").to_owned();
    let partner = seed::PARTNERS[0].id;
    assert_eq!(state.lock().ledger.user(partner, "user-1").map(|u| u.balance), Some(25));

    let reverse = |id: String| {
        let url = format!("{base}/__sandbox/actions/{id}/reverse");
        async move { client().post(url).json(&json!({"reason": "REFUND"})).send().await.expect("reverse") }
    };
    let reversed = reverse(action_id.clone()).await;
    assert_eq!(reversed.status(), StatusCode::OK);
    assert_eq!(reverse(action_id.clone()).await.status(), StatusCode::CONFLICT, "once only");
    assert_eq!(reverse("nope".to_owned()).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(state.lock().ledger.user(partner, "user-1").map(|u| u.balance), Some(0));
    assert_eq!(state.lock().ledger.pool(partner), 10_000, "the tokens went back to the pool");

    // The pool falls below the threshold (1000): announced once, on the crossing.
    let pool =
        client().post(format!("{base}/__sandbox/pool")).json(&json!({"tokens": 1_010})).send().await.expect("pool");
    assert_eq!(pool.status(), StatusCode::OK);
    let big = json!({"idempotencyKey": "order_2", "actionType": "DONATION", "amount": 20.0,
                     "stakeholders": [{"partnerUserId": "user-2"}], "autoCreateUsers": true});
    assert_eq!(submit(&base, &big).await.status(), StatusCode::CREATED);
    let events = until("the reversal and the low-pool events", || {
        let events = receiver.events();
        (events.iter().filter(|e| e["type"] == "token_pool.low_balance").count() == 1
            && events.iter().any(|e| e["type"] == "action.reversed"))
        .then_some(events)
    })
    .await;
    let reversal = events.iter().find(|e| e["type"] == "action.reversed").expect("reversal");
    assert_eq!(reversal["data"]["actionId"], action_id.as_str());
    assert_eq!(
        (reversal["data"]["tokensReversed"].clone(), reversal["data"]["reason"].clone()),
        (json!(25), json!("REFUND"))
    );
    assert_eq!(reversal["data"]["idempotencyKey"], "order_1");
    let low = events.iter().find(|e| e["type"] == "token_pool.low_balance").expect("low");
    assert_eq!(low["data"], json!({"poolBalance": 990, "threshold": 1000, "currency": "SIR"}));
}
