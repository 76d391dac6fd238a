//! Helpers shared by the partner server's integration tests.
#![allow(dead_code)] // Each test binary uses its own subset.

pub mod postgres;
pub mod process;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use sir_partner_server::{AppState, Config, OutboxPolicy, RetryPolicy, Store, Workers, app, serve, spawn_workers};
use sir_sandbox::{PresetWebhook, seed};
use sir_signing::WebhookSecret;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

pub const WHSEC: &str = "whsec_abababababababababababababababababababababababababababababababab";
pub const DEMO_PK: &str = seed::PARTNERS[0].publishable_key;
pub const DEMO_SK: &str = seed::PARTNERS[0].secret_key;
pub const DEMO_HMAC: &str = seed::PARTNERS[0].hmac_secret;
pub const WIDGET_ORIGIN: &str = "http://127.0.0.1:8080";
pub const JWT_SECRET: &str = "test-jwt-secret-test-jwt-secret-0123456789";
/// The `aud` the tests' tokens carry and their servers expect.
pub const JWT_AUDIENCE: &str = "sir-partner-tests";

/// A config as the environment would give it (demo identity unless `extra` says
/// otherwise), with `extra` variables on top and fast retries.
pub fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = [
        ("SIR_SECRET_KEY", DEMO_SK),
        ("SIR_HMAC_SECRET", DEMO_HMAC),
        ("SIR_WEBHOOK_SECRET", WHSEC),
        ("SIR_PUBLISHABLE_KEY", DEMO_PK),
        ("PARTNER_DB", ":memory:"),
        ("PARTNER_ALLOWED_ORIGINS", WIDGET_ORIGIN),
        ("PARTNER_IDENTITY", "demo"),
        ("PARTNER_JWT_SECRET", JWT_SECRET),
        ("PARTNER_JWT_AUDIENCE", JWT_AUDIENCE),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    vars.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let mut config = Config::from_lookup(|name| vars.get(name).cloned()).expect("valid test config");
    config.retry = RetryPolicy { attempts: 3, base: Duration::from_millis(20), ..config.retry };
    config.outbox = OutboxPolicy { base: Duration::from_millis(50), max: Duration::from_millis(400), ..config.outbox };
    config
}

/// An HS256 session token as a partner's login would issue it.
pub fn jwt(sub: &str, email: Option<&str>, email_verified: bool) -> String {
    let claims = json!({
        "sub": sub,
        "email": email,
        "email_verified": email_verified,
        "aud": JWT_AUDIENCE,
        "exp": sir_signing::unix_now() + 3600,
    });
    let key = jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("token")
}

/// The partner app driven in process with `oneshot`, as if from `peer`.
pub struct Partner {
    router: Router,
    pub state: AppState,
}

impl Partner {
    pub async fn new(config: Config) -> Self {
        Self::from(config, "127.0.0.1".parse().expect("ip")).await
    }

    pub async fn from(config: Config, peer: IpAddr) -> Self {
        let store = Store::open(&config.database).await.expect("open the database");
        let state = AppState::new(config, store);
        let router = app(state.clone()).layer(MockConnectInfo(SocketAddr::new(peer, 40_000)));
        Self { router, state }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
        TestResponse { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).expect("request")).await
    }

    pub async fn get_with(&self, path: &str, header: (&str, &str)) -> TestResponse {
        self.send(Request::get(path).header(header.0, header.1).body(Body::empty()).expect("request")).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        let request = Request::post(path).header("content-type", "application/json").body(Body::from(body.to_string()));
        self.send(request.expect("request")).await
    }

    /// Delivers `body` as SIR would, signed with the test webhook secret at `timestamp`,
    /// then lets the inbox apply what was stored (its worker runs in the real server).
    pub async fn deliver(&self, body: &str, timestamp: u64) -> TestResponse {
        let response = self.send(webhook_request(body, timestamp, WHSEC)).await;
        sir_partner_server::inbox::drain(&self.state).await.expect("apply the stored events");
        response
    }

    /// Whether the stored event `id` was applied (`false`: flagged as unusable).
    pub async fn applied(&self, event_id: &str) -> bool {
        self.state.store.event_applied(event_id).await.expect("read").expect("the event is stored")
    }
}

pub fn webhook_request(body: &str, timestamp: u64, secret: &str) -> Request<Body> {
    let signature = sir_signing::sign_webhook(secret, timestamp, body.as_bytes());
    Request::post("/webhooks/sir")
        .header("content-type", "application/json")
        .header("user-agent", "SIRGiving-Webhooks/1.0")
        .header("x-sir-signature", signature)
        .header("x-sir-timestamp", timestamp.to_string())
        .body(Body::from(body.to_owned()))
        .expect("request")
}

/// Delivers `body` over the network to a running partner server at `partner_url`, signed now
/// with the test webhook secret, as SIR would.
pub async fn deliver_over_http(http: &reqwest::Client, partner_url: &str, body: String) -> reqwest::Response {
    let timestamp = sir_signing::unix_now();
    http.post(format!("{partner_url}/webhooks/sir"))
        .header("content-type", "application/json")
        .header("x-sir-timestamp", timestamp.to_string())
        .header("x-sir-signature", sir_signing::sign_webhook(WHSEC, timestamp, body.as_bytes()))
        .body(body)
        .send()
        .await
        .expect("deliver")
}

/// `GET /healthz` of the server at `partner_url`, from loopback: with its counts.
pub async fn health_of(http: &reqwest::Client, partner_url: &str) -> Value {
    http.get(format!("{partner_url}/healthz")).send().await.expect("health").json().await.expect("JSON")
}

/// A `transaction.completed` envelope, serialized as SIR would send it.
pub fn completed_event(event_id: &str, donation_id: &str) -> String {
    completed_event_with(event_id, donation_id, json!(2500))
}

pub fn completed_event_with(event_id: &str, donation_id: &str, amount: Value) -> String {
    json!({
        "id": event_id,
        "type": "transaction.completed",
        "createdAt": "2026-05-10T09:12:00Z",
        "data": {"partnerDonationId": donation_id, "nonprofitSlug": "st-jude", "amount": amount, "currency": "USD",
                 "frequency": "once", "donorEmail": "jane@example.com", "status": "completed"}
    })
    .to_string()
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
        assert_error_envelope(&json, status);
        assert_eq!(self.header("x-request-id"), json["requestId"].as_str(), "the id is echoed in a header");
        json["code"].as_str().expect("code").to_owned()
    }
}

/// The contract's error body: status, reason, code, a message and a request id.
pub fn assert_error_envelope(json: &Value, status: StatusCode) {
    assert_eq!(json["statusCode"], status.as_u16(), "{json}");
    assert_eq!(json["error"], status.canonical_reason().expect("reason"), "{json}");
    assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
    assert!(json["requestId"].as_str().is_some_and(|id| id.len() >= 8), "{json}");
}

/// A unique temporary database path; the files are removed on drop.
pub struct TempDb(pub PathBuf);

impl TempDb {
    pub fn new(name: &str) -> Self {
        let unique =
            format!("sir-partner-test-{name}-{}-{:?}.sqlite3", std::process::id(), std::time::SystemTime::now());
        let path = std::env::temp_dir().join(unique.replace([' ', ':', '{', '}', ','], "_"));
        Self(path)
    }

    pub fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path()));
        }
    }
}

/// The sandbox and the partner server (with its workers) on real ports, wired to each
/// other: the sandbox delivers every Demo Partner event to the partner server.
pub struct Stack {
    pub sandbox_url: String,
    pub partner_url: String,
    pub sandbox: sir_sandbox::AppState,
    pub partner: AppState,
    pub http: reqwest::Client,
    _workers: Workers,
}

/// How a test call identifies its user.
#[derive(Clone, Copy, Debug)]
pub enum As<'a> {
    Nobody,
    /// A `Cookie` header value (demo session).
    Cookie(&'a str),
    /// A JWT (`Authorization: Bearer`).
    Token(&'a str),
}

impl Stack {
    pub async fn start(extra: &[(&str, &str)]) -> Self {
        Self::build(extra, true).await
    }

    /// A stack whose sandbox sends no webhook at all: every delivery is lost.
    pub async fn without_webhooks(extra: &[(&str, &str)]) -> Self {
        Self::build(extra, false).await
    }

    async fn build(extra: &[(&str, &str)], webhooks: bool) -> Self {
        let sandbox_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let partner_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let sandbox_url = format!("http://{}", sandbox_listener.local_addr().expect("address"));
        let partner_address: SocketAddr = partner_listener.local_addr().expect("address");
        let partner_url = format!("http://{partner_address}");

        let sandbox = sir_sandbox::AppState::new(sir_sandbox::Config {
            public_url: sandbox_url.clone(),
            preset_webhook: webhooks.then(|| PresetWebhook {
                url: format!("{partner_url}/webhooks/sir"),
                secret: WebhookSecret::new(WHSEC),
            }),
            webhook_retry_base: Duration::from_millis(20),
            ..sir_sandbox::Config::default()
        });
        tokio::spawn(sir_sandbox::serve(sandbox_listener, sandbox.clone(), std::future::pending()));

        let mut vars = vec![("SIR_API_BASE", sandbox_url.as_str())];
        vars.extend_from_slice(extra);
        let config = config(&vars);
        let store = Store::open(&config.database).await.expect("open");
        let partner = AppState::new(config, store);
        let workers = spawn_workers(&partner);
        tokio::spawn(serve(partner_listener, partner.clone(), std::future::pending()));

        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { sandbox_url, partner_url, sandbox, partner, http, _workers: workers }
    }

    /// A donation created through the partner server, as the widget does; returns its id.
    pub async fn donate(&self, user: As<'_>, donor_email: Option<&str>) -> String {
        let mut body = json!({"nonprofitSlug": "st-jude", "amount": 2500, "currency": "USD", "frequency": "once"});
        if let Some(email) = donor_email {
            body["donorEmail"] = Value::String(email.to_owned());
        }
        let (status, _, created) = self.call(Method::POST, "/sir/donations", Some(body), user).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert!(created["donationLink"].as_str().is_some_and(|l| l.contains("/checkout/")), "{created}");
        created["partnerDonationId"].as_str().expect("id").to_owned()
    }

    /// create-link straight at SIR (publishable key), bypassing the partner server.
    pub async fn donate_at_sir(&self, donor_email: Option<&str>) -> String {
        let mut body = json!({"nonprofitSlug": "st-jude", "amount": 2500, "currency": "USD", "frequency": "once"});
        if let Some(email) = donor_email {
            body["donorEmail"] = Value::String(email.to_owned());
        }
        create_link_at_sir(&self.http, &self.sandbox_url, &body).await
    }

    /// Presses a checkout button: `complete`, `cancel` or `fail`.
    pub async fn checkout(&self, id: &str, action: &str) {
        let response =
            self.http.post(format!("{}/checkout/{id}/{action}", self.sandbox_url)).send().await.expect("checkout");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    /// A call to the partner server as the widget makes it: from the widget's origin.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        user: As<'_>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut request =
            self.http.request(method, format!("{}{path}", self.partner_url)).header("origin", WIDGET_ORIGIN);
        match user {
            As::Nobody => {}
            As::Cookie(cookie) => request = request.header("cookie", cookie),
            As::Token(token) => request = request.bearer_auth(token),
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("partner call");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// Signs in (demo identity); returns the `Cookie` header value to send back.
    pub async fn sign_in(&self, email: &str) -> String {
        let (status, headers, body) =
            self.call(Method::POST, "/sir/session", Some(json!({"email": email})), As::Nobody).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let set_cookie = headers.get("set-cookie").and_then(|v| v.to_str().ok()).expect("set-cookie");
        set_cookie.split(';').next().expect("name=value").to_owned()
    }

    pub async fn sandbox_json(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.sandbox_url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("sandbox call").json().await.expect("JSON")
    }

    /// Polls the owner's view of a donation until `done` holds (10 s at most).
    pub async fn wait_for_donation(&self, id: &str, user: As<'_>, done: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..200 {
            let (_, _, body) = self.call(Method::GET, &format!("/sir/donations/{id}"), None, user).await;
            if done(&body) {
                return body;
            }
            last = body;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out; last view {last}");
    }

    /// The user's balance as `GET /sir/rewards` reports it.
    pub async fn balance(&self, user: As<'_>) -> Value {
        let (status, _, body) = self.call(Method::GET, "/sir/rewards", None, user).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["balance"].clone()
    }
}

/// create-link straight at SIR with the public key, as anyone can; returns the new id.
pub async fn create_link_at_sir(http: &reqwest::Client, sandbox_url: &str, body: &Value) -> String {
    let response = http
        .post(format!("{sandbox_url}/v1/partner/donations/create-link"))
        .header("x-partner-key", DEMO_PK)
        .json(body)
        .send()
        .await
        .expect("create-link");
    assert_eq!(response.status(), StatusCode::CREATED);
    let json: Value = response.json().await.expect("JSON");
    json["partnerDonationId"].as_str().expect("id").to_owned()
}
