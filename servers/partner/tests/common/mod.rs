//! Helpers shared by the partner server's integration tests.
#![allow(dead_code)] // Each test binary uses its own subset.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::Value;
use sir_partner_server::{AppState, Config, Db, RetryPolicy, app, serve};
use sir_sandbox::{PresetWebhook, seed};
use sir_signing::WebhookSecret;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

pub const WHSEC: &str = "whsec_abababababababababababababababababababababababababababababababab";
pub const DEMO_PK: &str = seed::PARTNERS[0].publishable_key;
pub const DEMO_SK: &str = seed::PARTNERS[0].secret_key;
pub const DEMO_HMAC: &str = seed::PARTNERS[0].hmac_secret;
pub const WIDGET_ORIGIN: &str = "http://127.0.0.1:8080";

/// A config as the environment would give it, with `extra` variables on top and fast retries.
pub fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = [
        ("SIR_SECRET_KEY", DEMO_SK),
        ("SIR_HMAC_SECRET", DEMO_HMAC),
        ("SIR_WEBHOOK_SECRET", WHSEC),
        ("PARTNER_DB", ":memory:"),
        ("PARTNER_ALLOWED_ORIGINS", WIDGET_ORIGIN),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    vars.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let mut config = Config::from_lookup(|name| vars.get(name).cloned()).expect("valid test config");
    config.retry = RetryPolicy { attempts: 3, base: Duration::from_millis(20), max_wait: Duration::from_secs(3) };
    config
}

/// The partner app driven in process with `oneshot`.
pub struct Partner {
    router: Router,
    pub state: AppState,
}

impl Partner {
    pub fn new(config: Config) -> Self {
        let db = Db::open(&config.db_path).expect("open the database");
        let state = AppState::new(config, db);
        Self { router: app(state.clone()), state }
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

    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        let request = Request::post(path).header("content-type", "application/json").body(Body::from(body.to_string()));
        self.send(request.expect("request")).await
    }

    /// Delivers `body` as SIR would, signed with the test webhook secret at `timestamp`.
    pub async fn deliver(&self, body: &str, timestamp: u64) -> TestResponse {
        self.send(webhook_request(body, timestamp, WHSEC)).await
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

/// A `transaction.completed` envelope, serialized as SIR would send it.
pub fn completed_event(event_id: &str, donation_id: &str) -> String {
    serde_json::json!({
        "id": event_id,
        "type": "transaction.completed",
        "createdAt": "2026-05-10T09:12:00Z",
        "data": {"partnerDonationId": donation_id, "nonprofitSlug": "st-jude", "amount": 2500, "currency": "USD",
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
        assert_eq!(json["statusCode"], status.as_u16(), "{json}");
        assert_eq!(json["error"], status.canonical_reason().expect("reason"), "{json}");
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
        json["code"].as_str().expect("code").to_owned()
    }
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
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path()));
        }
    }
}

/// The sandbox and the partner server on real ports, wired to each other: the sandbox
/// delivers every Demo Partner event to the partner server with the shared secret.
pub struct Stack {
    pub sandbox_url: String,
    pub partner_url: String,
    pub sandbox: sir_sandbox::AppState,
    pub partner: AppState,
    pub http: reqwest::Client,
}

impl Stack {
    pub async fn start(extra: &[(&str, &str)]) -> Self {
        let sandbox_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let partner_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let sandbox_url = format!("http://{}", sandbox_listener.local_addr().expect("address"));
        let partner_address: SocketAddr = partner_listener.local_addr().expect("address");
        let partner_url = format!("http://{partner_address}");

        let sandbox = sir_sandbox::AppState::new(sir_sandbox::Config {
            public_url: sandbox_url.clone(),
            preset_webhook: Some(PresetWebhook {
                url: format!("{partner_url}/webhooks/sir"),
                secret: WebhookSecret::new(WHSEC),
            }),
            webhook_retry_base: Duration::from_millis(20),
            ..sir_sandbox::Config::default()
        });
        tokio::spawn(sir_sandbox::serve(sandbox_listener, sandbox.clone(), std::future::pending()));

        let mut vars = vec![("SIR_API_BASE", sandbox_url.as_str()), ("SIR_PUBLISHABLE_KEY", DEMO_PK)];
        vars.extend_from_slice(extra);
        let config = config(&vars);
        let db = Db::open(&config.db_path).expect("open");
        let partner = AppState::new(config, db);
        tokio::spawn(serve(partner_listener, partner.clone(), std::future::pending()));

        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { sandbox_url, partner_url, sandbox, partner, http }
    }

    /// create-link as the widget does (publishable key); returns the partnerDonationId.
    pub async fn create_donation(&self, donor_email: Option<&str>) -> String {
        let mut body =
            serde_json::json!({"nonprofitSlug": "st-jude", "amount": 2500, "currency": "USD", "frequency": "once"});
        if let Some(email) = donor_email {
            body["donorEmail"] = Value::String(email.to_owned());
        }
        let response = self
            .http
            .post(format!("{}/v1/partner/donations/create-link", self.sandbox_url))
            .header("x-partner-key", DEMO_PK)
            .json(&body)
            .send()
            .await
            .expect("create-link");
        assert_eq!(response.status(), StatusCode::CREATED);
        let json: Value = response.json().await.expect("JSON");
        json["partnerDonationId"].as_str().expect("id").to_owned()
    }

    /// Presses a checkout button: `complete`, `cancel` or `fail`.
    pub async fn checkout(&self, id: &str, action: &str) {
        let response =
            self.http.post(format!("{}/checkout/{id}/{action}", self.sandbox_url)).send().await.expect("checkout");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    /// A call to the partner server as the widget makes it: from the widget's origin,
    /// with the session cookie if given.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        cookie: Option<&str>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut request =
            self.http.request(method, format!("{}{path}", self.partner_url)).header("origin", WIDGET_ORIGIN);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
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

    /// Signs in at the partner server; returns the `Cookie` header value to send back.
    pub async fn sign_in(&self, email: &str) -> String {
        let (status, headers, body) =
            self.call(Method::POST, "/sir/session", Some(serde_json::json!({"email": email})), None).await;
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

    /// Polls the partner's view of a donation until `done` holds (10 s at most).
    pub async fn wait_for_donation(&self, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..200 {
            let (_, _, body) = self.call(Method::GET, &format!("/sir/donations/{id}"), None, None).await;
            if done(&body) {
                return body;
            }
            last = body;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out; last view {last}");
    }
}
