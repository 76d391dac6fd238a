//! The four widget endpoints: happy paths, auth, validation, partner states,
//! rate limiting and CORS.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use serde_json::{Value, json};
use sir_sandbox::Config;

#[tokio::test]
async fn config_returns_exactly_the_documented_fields() {
    let sandbox = Sandbox::new();
    let response = sandbox.get("/v1/partner/config", Some(DEMO_PK)).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.json(),
        json!({
            "id": "665f1c2ab7e4d9a1c3f00001",
            "name": "Demo Partner",
            "slug": "demo-partner",
            "enabledFeatures": ["DONATIONS", "ACTIONS"],
            "rateLimit": 1000,
            "isActive": true,
            "webhookUrl": null,
            "tipConfig": {"enabled": true, "defaultPercent": 10}
        })
    );
}

#[tokio::test]
async fn inactive_and_actions_only_partners_still_get_their_config() {
    let sandbox = Sandbox::new();
    let paused = sandbox.get("/v1/partner/config", Some(PAUSED_PK)).await.json();
    assert_eq!((paused["slug"].clone(), paused["isActive"].clone()), (json!("paused-partner"), json!(false)));
    let actions = sandbox.get("/v1/partner/config", Some(ACTIONS_ONLY_PK)).await.json();
    assert_eq!(actions["enabledFeatures"], json!(["ACTIONS"]));
    assert_eq!(actions["tipConfig"], json!({"enabled": false, "defaultPercent": 0}));
}

#[tokio::test]
async fn organization_lookup_by_slug() {
    let sandbox = Sandbox::new();
    let response = sandbox.get("/v1/partner/organizations/american-red-cross", Some(DEMO_PK)).await;
    assert_eq!(response.status, StatusCode::OK);
    let org = response.json();
    assert_eq!(org["slug"], "american-red-cross");
    assert_eq!(org["name"], "American Red Cross");
    assert_eq!(org["ein"], "53-0196605");
    assert_eq!(org["status"], "active");
    assert_eq!(org["logoUrl"], format!("{PUBLIC_URL}/logos/american-red-cross.svg"));
    assert!(org["id"].as_str().is_some_and(|id| id.len() == 24));

    let defunct = sandbox.get("/v1/partner/organizations/defunct-relief-fund", Some(DEMO_PK)).await;
    assert_eq!(defunct.json()["status"], "inactive");

    let unknown = sandbox.get("/v1/partner/organizations/no-such-charity", Some(DEMO_PK)).await;
    assert_eq!(unknown.error_code(StatusCode::NOT_FOUND), "ORGANIZATION_NOT_FOUND");
}

#[tokio::test]
async fn create_link_answers_201_with_a_checkout_link() {
    let sandbox = Sandbox::new();
    let response = sandbox.post_json("/v1/partner/donations/create-link", Some(DEMO_PK), &valid_donation()).await;
    assert_eq!(response.status, StatusCode::CREATED);
    let json = response.json();
    let id = string(&json["partnerDonationId"]);
    assert_eq!(id.len(), 24);
    assert!(id.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')), "{id}");
    assert_eq!(json["donationLink"], format!("{PUBLIC_URL}/checkout/{id}"));
    assert_eq!(json.as_object().map(|o| o.len()), Some(2), "{json}");

    let (second, _) = sandbox.create_donation(&valid_donation()).await;
    assert_ne!(id, second, "ids are unique");
}

#[tokio::test]
async fn create_link_accepts_the_optional_fields_and_ignores_unknown_ones() {
    let sandbox = Sandbox::new();
    let body = json!({
        "nonprofitSlug": "water-org", "amount": 100_000_000, "currency": "EUR", "frequency": "monthly",
        "provider": "every.org", "tipAmount": 0, "tipPercent": 12.5, "referralCode": "REFER123",
        "donorEmail": null, "somethingNew": {"nested": true}
    });
    sandbox.create_donation(&body).await;
    // provider defaults to stripe; everything optional may be left out.
    sandbox
        .create_donation(&json!({"nonprofitSlug": "st-jude", "amount": 1, "currency": "GBP", "frequency": "once"}))
        .await;
}

#[tokio::test]
async fn status_reports_the_donation() {
    let sandbox = Sandbox::new();
    let (id, _) = sandbox.create_donation(&valid_donation()).await;
    let response = sandbox.get(&format!("/v1/partner/donations/status/{id}"), Some(DEMO_PK)).await;
    assert_eq!(response.status, StatusCode::OK);
    let json = response.json();
    assert_eq!(json["partnerDonationId"], id.as_str());
    assert_eq!(json["status"], "pending");
    assert_eq!(json["amount"], 2500);
    assert_eq!(json["currency"], "USD");
    assert_eq!(json["frequency"], "once");
    assert_eq!(json["nonprofitSlug"], "american-red-cross");
    for field in ["createdAt", "updatedAt"] {
        let time = string(&json[field]);
        assert!(humantime::parse_rfc3339(&time).is_ok(), "{field}: {time}");
    }
}

#[tokio::test]
async fn unknown_or_foreign_donations_are_not_found() {
    let sandbox = Sandbox::new();
    let (id, _) = sandbox.create_donation(&valid_donation()).await;
    let unknown = sandbox.get("/v1/partner/donations/status/000000000000000000000000", Some(DEMO_PK)).await;
    assert_eq!(unknown.error_code(StatusCode::NOT_FOUND), "DONATION_NOT_FOUND");
    // Another partner can't read it, and can't tell it exists.
    let foreign = sandbox.get(&format!("/v1/partner/donations/status/{id}"), Some(ACTIONS_ONLY_PK)).await;
    assert_eq!(foreign.error_code(StatusCode::NOT_FOUND), "DONATION_NOT_FOUND");
}

#[tokio::test]
async fn pending_donations_expire_after_the_ttl() {
    let sandbox = Sandbox::with(Config { checkout_ttl: Duration::ZERO, ..config() });
    let (id, _) = sandbox.create_donation(&valid_donation()).await;
    assert_eq!(sandbox.donation_status(&id).await, "expired");
    // An expired checkout can no longer be completed.
    let complete = sandbox.send(request(Method::POST, &format!("/checkout/{id}/complete"), None, None)).await;
    assert_eq!(complete.status, StatusCode::SEE_OTHER);
    assert_eq!(sandbox.donation_status(&id).await, "expired");
}

#[tokio::test]
async fn missing_unknown_and_live_keys_are_unauthorized() {
    let sandbox = Sandbox::new();
    let live_pk = DEMO_PK.replace("pk_test_", "pk_live_");
    let live_sk = DEMO_SK.replace("sk_test_", "sk_live_");
    let keys = [None, Some("pk_test_nope"), Some("garbage"), Some(live_pk.as_str()), Some(live_sk.as_str())];
    for key in keys {
        for path in ["/v1/partner/config", "/v1/partner/organizations/american-red-cross"] {
            let response = sandbox.get(path, key).await;
            assert_eq!(response.error_code(StatusCode::UNAUTHORIZED), "UNAUTHORIZED", "{key:?} {path}");
        }
        let response = sandbox.post_json("/v1/partner/donations/create-link", key, &valid_donation()).await;
        assert_eq!(response.error_code(StatusCode::UNAUTHORIZED), "UNAUTHORIZED", "{key:?}");
    }
    assert_eq!(sandbox.state.lock().donations.len(), 0);
}

#[tokio::test]
async fn secret_keys_are_refused_on_widget_endpoints() {
    let sandbox = Sandbox::new();
    let (id, _) = sandbox.create_donation(&valid_donation()).await;
    let paths = [
        "/v1/partner/config".to_owned(),
        "/v1/partner/organizations/st-jude".to_owned(),
        format!("/v1/partner/donations/status/{id}"),
    ];
    for path in paths {
        let response = sandbox.get(&path, Some(DEMO_SK)).await;
        assert_eq!(response.error_code(StatusCode::FORBIDDEN), "PUBLISHABLE_KEY_REQUIRED", "{path}");
    }
    let response = sandbox.post_json("/v1/partner/donations/create-link", Some(DEMO_SK), &valid_donation()).await;
    assert_eq!(response.error_code(StatusCode::FORBIDDEN), "PUBLISHABLE_KEY_REQUIRED");
    assert_eq!(sandbox.state.lock().donations.len(), 1);
}

fn with(field: &str, value: Value) -> Value {
    let mut body = valid_donation();
    body[field] = value;
    body
}

fn without(field: &str) -> Value {
    let mut body = valid_donation();
    body.as_object_mut().expect("object").remove(field);
    body
}

#[tokio::test]
async fn every_invalid_field_gets_its_own_400() {
    let sandbox = Sandbox::new();
    let cases = [
        (without("nonprofitSlug"), "INVALID_NONPROFIT"),
        (with("nonprofitSlug", json!("")), "INVALID_NONPROFIT"),
        (with("nonprofitSlug", json!(42)), "INVALID_NONPROFIT"),
        (without("amount"), "INVALID_AMOUNT"),
        (with("amount", json!(25.5)), "INVALID_AMOUNT"),
        (with("amount", json!(2500.0)), "INVALID_AMOUNT"),
        (with("amount", json!(0)), "INVALID_AMOUNT"),
        (with("amount", json!(-100)), "INVALID_AMOUNT"),
        (with("amount", json!("2500")), "INVALID_AMOUNT"),
        (with("amount", json!(100_000_001)), "INVALID_AMOUNT"),
        (without("currency"), "INVALID_CURRENCY"),
        (with("currency", json!("usd")), "INVALID_CURRENCY"),
        (with("currency", json!("JPY")), "INVALID_CURRENCY"),
        (with("currency", json!("USDX")), "INVALID_CURRENCY"),
        (without("frequency"), "INVALID_FREQUENCY"),
        (with("frequency", json!("weekly")), "INVALID_FREQUENCY"),
        (with("provider", json!("paypal")), "INVALID_PROVIDER"),
        (with("donorEmail", json!("jane")), "INVALID_EMAIL"),
        (with("donorEmail", json!("jane@example")), "INVALID_EMAIL"),
        (with("donorEmail", json!("ja ne@example.com")), "INVALID_EMAIL"),
        (with("donorEmail", json!("")), "INVALID_EMAIL"),
        (with("firstName", json!("x".repeat(101))), "INVALID_NAME"),
        (with("lastName", json!(7)), "INVALID_NAME"),
        (with("tipAmount", json!(-1)), "INVALID_TIP"),
        (with("tipAmount", json!(1.5)), "INVALID_TIP"),
        (with("tipPercent", json!(101)), "INVALID_TIP"),
        (with("tipPercent", json!("10")), "INVALID_TIP"),
        (with("referralCode", json!("R".repeat(65))), "INVALID_REFERRAL_CODE"),
        // Shape errors come before lookups, as in a NestJS validation pipe.
        (json!({"nonprofitSlug": "no-such-charity", "amount": 0}), "INVALID_AMOUNT"),
    ];
    for (body, code) in cases {
        let response = sandbox.post_json("/v1/partner/donations/create-link", Some(DEMO_PK), &body).await;
        assert_eq!(response.error_code(StatusCode::BAD_REQUEST), code, "{body}");
    }
    assert_eq!(sandbox.state.lock().donations.len(), 0);
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let sandbox = Sandbox::new();
    let post = |content_type: Option<&'static str>, body: &'static str| {
        let mut builder = Request::post("/v1/partner/donations/create-link").header("x-partner-key", DEMO_PK);
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        builder.body(Body::from(body)).expect("request")
    };
    for (content_type, body) in [
        (Some("application/json"), "[1, 2]"),
        (Some("application/json"), "\"hello\""),
        (Some("application/json"), "{\"amount\": "),
        (Some("application/json"), ""),
        (Some("text/plain;charset=UTF-8"), r#"{"nonprofitSlug":"st-jude"}"#),
        (None, r#"{"nonprofitSlug":"st-jude"}"#),
    ] {
        let response = sandbox.send(post(content_type, body)).await;
        assert_eq!(response.error_code(StatusCode::BAD_REQUEST), "INVALID_BODY", "{content_type:?} {body}");
    }
    let charset = sandbox.send(post(Some("Application/JSON; charset=utf-8"), "{}")).await;
    assert_eq!(charset.error_code(StatusCode::BAD_REQUEST), "INVALID_NONPROFIT");
}

#[tokio::test]
async fn unknown_and_inactive_nonprofits() {
    let sandbox = Sandbox::new();
    let unknown = with("nonprofitSlug", json!("no-such-charity"));
    let response = sandbox.post_json("/v1/partner/donations/create-link", Some(DEMO_PK), &unknown).await;
    assert_eq!(response.error_code(StatusCode::NOT_FOUND), "ORGANIZATION_NOT_FOUND");
    let inactive = with("nonprofitSlug", json!("defunct-relief-fund"));
    let response = sandbox.post_json("/v1/partner/donations/create-link", Some(DEMO_PK), &inactive).await;
    assert_eq!(response.error_code(StatusCode::UNPROCESSABLE_ENTITY), "ORGANIZATION_INACTIVE");
}

#[tokio::test]
async fn paused_and_actions_only_partners_cannot_create_links() {
    let sandbox = Sandbox::new();
    let response = sandbox.post_json("/v1/partner/donations/create-link", Some(PAUSED_PK), &valid_donation()).await;
    assert_eq!(response.error_code(StatusCode::FORBIDDEN), "PARTNER_INACTIVE");
    let response =
        sandbox.post_json("/v1/partner/donations/create-link", Some(ACTIONS_ONLY_PK), &valid_donation()).await;
    assert_eq!(response.error_code(StatusCode::FORBIDDEN), "DONATIONS_DISABLED");
    // They can still look nonprofits up, so a widget can render a notice.
    let org = sandbox.get("/v1/partner/organizations/st-jude", Some(PAUSED_PK)).await;
    assert_eq!(org.status, StatusCode::OK);
    assert_eq!(sandbox.state.lock().donations.len(), 0);
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_in_the_same_shape() {
    let sandbox = Sandbox::new();
    let response = sandbox.get("/v1/partner/donations", Some(DEMO_PK)).await;
    assert_eq!(response.error_code(StatusCode::NOT_FOUND), "NOT_FOUND");
    assert!(response.header("x-ratelimit-limit").is_some());
    let response = sandbox.post_json("/v1/partner/config", Some(DEMO_PK), &json!({})).await;
    assert_eq!(response.error_code(StatusCode::METHOD_NOT_ALLOWED), "METHOD_NOT_ALLOWED");
    assert!(response.header("x-ratelimit-remaining").is_some());
    // A wrong method reaches no endpoint.
    assert_eq!(sandbox.state.lock().stats.config, 0);
}

fn rate_headers(response: &TestResponse) -> (u32, u32, u64) {
    let number = |name| response.header(name).and_then(|v| v.parse::<u64>().ok()).unwrap_or_else(|| panic!("{name}"));
    (number("x-ratelimit-limit") as u32, number("x-ratelimit-remaining") as u32, number("x-ratelimit-reset"))
}

#[tokio::test]
async fn every_response_carries_rate_limit_headers_and_the_limit_is_enforced() {
    let sandbox = Sandbox::with(Config { rate_limit: 3, ..config() });
    let now = sir_sandbox::state::unix_now();

    let ok = sandbox.get("/v1/partner/config", Some(DEMO_PK)).await;
    let (limit, remaining, reset) = rate_headers(&ok);
    assert_eq!((limit, remaining), (3, 2));
    assert!((now + 59..=now + 61).contains(&reset), "reset {reset} is the window's end in Unix seconds");
    assert_eq!(ok.json()["rateLimit"], 3);

    let error = sandbox.get("/v1/partner/organizations/nope", Some(DEMO_PK)).await;
    assert_eq!(error.status, StatusCode::NOT_FOUND);
    assert_eq!(rate_headers(&error).1, 1);
    let bad = sandbox.post_json("/v1/partner/donations/create-link", Some(DEMO_PK), &json!({})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(rate_headers(&bad).1, 0);

    let limited = sandbox.get("/v1/partner/config", Some(DEMO_PK)).await;
    assert_eq!(limited.error_code(StatusCode::TOO_MANY_REQUESTS), "RATE_LIMITED");
    assert_eq!(rate_headers(&limited), (3, 0, reset));
    let retry_after: u64 = limited.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");

    // Each key has its own window; requests without a valid key count per client IP.
    assert_eq!(sandbox.get("/v1/partner/config", Some(PAUSED_PK)).await.status, StatusCode::OK);
    let anonymous = sandbox.get("/v1/partner/config", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(rate_headers(&anonymous).1, 2);
    for _ in 0..2 {
        sandbox.get("/v1/partner/config", Some("pk_test_unknown")).await;
    }
    let flood = sandbox.get("/v1/partner/config", None).await;
    assert_eq!(flood.error_code(StatusCode::TOO_MANY_REQUESTS), "RATE_LIMITED");

    // A reset clears the windows.
    sandbox.post_json("/__sandbox/reset", None, &json!({})).await;
    assert_eq!(sandbox.get("/v1/partner/config", Some(DEMO_PK)).await.status, StatusCode::OK);
}

fn preflight(path: &str, method: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(path)
        .header("origin", "https://partner.example")
        .header("access-control-request-method", method)
        .header("access-control-request-headers", "content-type,x-partner-key")
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn cors_preflight_allows_the_widget_and_exposes_rate_limit_headers() {
    let sandbox = Sandbox::new();
    let response = sandbox.send(preflight("/v1/partner/donations/create-link", "POST")).await;
    assert!(response.status.is_success(), "{}", response.status);
    assert_eq!(response.header("access-control-allow-origin"), Some("*"));
    assert_eq!(response.header("access-control-allow-methods"), Some("GET,POST,OPTIONS"));
    assert_eq!(response.header("access-control-allow-headers"), Some("content-type,x-partner-key"));
    assert_eq!(response.header("access-control-max-age"), Some("600"));
    assert_eq!(response.header("access-control-allow-credentials"), None);
    // No keep-alive, so a browser never resends a request dropped by a fault on a reused socket.
    assert_eq!(response.header("connection"), Some("close"));
    // A preflight is neither counted nor rate-limited.
    assert!(response.header("x-ratelimit-limit").is_none());
    assert_eq!(sandbox.state.lock().stats.create_link, 0);
    assert!(sandbox.state.lock().log.is_empty());
}

#[tokio::test]
async fn cors_headers_are_on_successes_and_errors_alike() {
    let sandbox = Sandbox::new();
    let with_origin = |key: Option<&str>| {
        let mut builder = Request::get("/v1/partner/config").header("origin", "https://partner.example");
        if let Some(key) = key {
            builder = builder.header("x-partner-key", key);
        }
        builder.body(Body::empty()).expect("request")
    };
    for (key, status) in
        [(Some(DEMO_PK), StatusCode::OK), (None, StatusCode::UNAUTHORIZED), (Some(DEMO_SK), StatusCode::FORBIDDEN)]
    {
        let response = sandbox.send(with_origin(key)).await;
        assert_eq!(response.status, status);
        assert_eq!(response.header("access-control-allow-origin"), Some("*"));
        assert_eq!(response.header("connection"), Some("close"));
        let exposed = response.header("access-control-expose-headers").expect("exposed headers");
        for header in ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"] {
            assert!(exposed.contains(header), "{exposed}");
        }
    }
}

#[tokio::test]
async fn latency_delays_answers_and_preflights_but_not_the_test_controls() {
    let latency = Duration::from_millis(120);
    let sandbox = Sandbox::with(Config { latency, ..config() });
    let (status, took) = timed(&sandbox, request(Method::GET, "/v1/partner/config", Some(DEMO_PK), None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(took >= latency, "GET answered after {took:?}");
    let (status, took) = timed(&sandbox, preflight("/v1/partner/config", "GET")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(took >= latency, "preflight answered after {took:?}");
    let (status, took) = timed(&sandbox, request(Method::GET, "/__sandbox/stats", None, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(took < latency, "test control answered after {took:?}");
}

async fn timed(sandbox: &Sandbox, request: Request<Body>) -> (StatusCode, Duration) {
    let started = std::time::Instant::now();
    let response = sandbox.send(request).await;
    (response.status, started.elapsed())
}
