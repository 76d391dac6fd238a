//! Helpers shared by the integration tests: the app driven in-process with `oneshot`.
#![allow(dead_code)] // Each test binary uses its own subset.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::Value;
use sir_sandbox::{AppState, Config, app, seed};
use tower::ServiceExt as _;

pub const PUBLIC_URL: &str = "http://sandbox.test:8787";
pub const DEMO_PK: &str = seed::PARTNERS[0].publishable_key;
pub const DEMO_SK: &str = seed::PARTNERS[0].secret_key;
pub const PAUSED_PK: &str = seed::PARTNERS[1].publishable_key;
pub const ACTIONS_ONLY_PK: &str = seed::PARTNERS[2].publishable_key;
pub const DEMO_HMAC: &str = seed::PARTNERS[0].hmac_secret;
pub const PAUSED_SK: &str = seed::PARTNERS[1].secret_key;
pub const PAUSED_HMAC: &str = seed::PARTNERS[1].hmac_secret;

pub fn config() -> Config {
    Config {
        public_url: PUBLIC_URL.to_owned(),
        rate_limit: 1000,
        checkout_ttl: Duration::from_secs(1800),
        ..Config::default()
    }
}

/// The app as served to a loopback peer.
pub struct Sandbox {
    router: Router,
    pub state: AppState,
}

impl Sandbox {
    pub fn new() -> Self {
        Self::with(config())
    }

    pub fn with(config: Config) -> Self {
        Self::from_peer(config, SocketAddr::from(([127, 0, 0, 1], 50_000)))
    }

    pub fn from_peer(config: Config, peer: SocketAddr) -> Self {
        let state = AppState::new(config);
        Self { router: app(state.clone()).layer(MockConnectInfo(peer)), state }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        TestResponse { status, headers, body }
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> TestResponse {
        self.send(request(Method::GET, path, key, None)).await
    }

    pub async fn post_json(&self, path: &str, key: Option<&str>, body: &Value) -> TestResponse {
        self.send(request(Method::POST, path, key, Some(body.to_string()))).await
    }

    /// `POST create-link` as the demo partner; returns `(partnerDonationId, donationLink)`.
    pub async fn create_donation(&self, body: &Value) -> (String, String) {
        let response = self.post_json("/v1/partner/donations/create-link", Some(DEMO_PK), body).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        let json = response.json();
        (string(&json["partnerDonationId"]), string(&json["donationLink"]))
    }

    pub async fn donation_status(&self, id: &str) -> String {
        let response = self.get(&format!("/v1/partner/donations/status/{id}"), Some(DEMO_PK)).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        string(&response.json()["status"])
    }

    pub async fn arm(&self, fault: Value) {
        let response = self.post_json("/__sandbox/faults", None, &fault).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    }
}

pub fn request(method: Method, path: &str, key: Option<&str>, json: Option<String>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(key) = key {
        builder = builder.header("x-partner-key", key);
    }
    let body = match json {
        Some(json) => {
            builder = builder.header("content-type", "application/json");
            Body::from(json)
        }
        None => Body::empty(),
    };
    builder.body(body).expect("valid request")
}

/// A request signed as the API reference §4 says, with `key` and `hmac_secret` at `timestamp`.
pub fn signed_with(
    method: Method,
    path: &str,
    body: Option<&Value>,
    (key, hmac_secret): (&str, &str),
    timestamp: u64,
) -> Request<Body> {
    let body = body.map(Value::to_string);
    let headers = sir_signing::Signer::new(key, hmac_secret).sign(
        method.as_str(),
        path,
        body.as_deref().unwrap_or_default().as_bytes(),
        timestamp,
    );
    let mut request = request(method, path, None, body);
    for (name, value) in headers.pairs() {
        request.headers_mut().insert(name, value.parse().expect("header value"));
    }
    request
}

/// A request signed now as the Demo Partner with its secret key.
pub fn signed(method: Method, path: &str, body: Option<&Value>) -> Request<Body> {
    signed_with(method, path, body, (DEMO_SK, DEMO_HMAC), sir_signing::unix_now())
}

/// A `DONATION` action for one auto-created stakeholder.
pub fn donation_action(key: &str, amount: f64, user: &str) -> Value {
    serde_json::json!({
        "idempotencyKey": key,
        "actionType": "DONATION",
        "amount": amount,
        "currency": "USD",
        "stakeholders": [{"stakeholderTypeCode": "CUSTOMER", "partnerUserId": user, "userEmail": "jane@example.com",
                          "userFirstName": "Jane", "userLastName": "Doe"}],
        "autoCreateUsers": true,
        "metadata": {"partnerDonationId": "d1"}
    })
}

pub fn string(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("expected a string, got {value}")).to_owned()
}

pub fn valid_donation() -> Value {
    serde_json::json!({
        "nonprofitSlug": "american-red-cross",
        "amount": 2500,
        "currency": "USD",
        "frequency": "once",
        "provider": "stripe",
        "donorEmail": "jane@example.com",
        "firstName": "Jane",
        "lastName": "Doe"
    })
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the standard error body and returns its `code`.
    pub fn error_code(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        let json = self.json();
        assert_eq!(json["statusCode"], status.as_u16(), "{json}");
        assert_eq!(json["error"], status.canonical_reason().expect("reason"), "{json}");
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
        string(&json["code"])
    }
}
