//! The loopback-only test controls and every fault kind except `drop`
//! (which needs a real connection: see tests/server.rs).

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use serde_json::json;

#[tokio::test]
async fn controls_answer_only_loopback_peers() {
    let sandbox = Sandbox::from_peer(config(), SocketAddr::from(([192, 0, 2, 7], 40_000)));
    let attempts = [
        request(Method::POST, "/__sandbox/reset", None, None),
        request(Method::GET, "/__sandbox/stats", None, None),
        request(Method::GET, "/__sandbox/requests", None, None),
        request(Method::POST, "/__sandbox/faults", None, Some(json!({"endpoint": "any", "kind": "drop"}).to_string())),
        request(Method::DELETE, "/__sandbox/faults", None, None),
        request(Method::POST, "/__sandbox/donations/x/status", None, Some(json!({"status": "completed"}).to_string())),
    ];
    for attempt in attempts {
        let path = attempt.uri().to_string();
        let response = sandbox.send(attempt).await;
        assert_eq!(response.error_code(StatusCode::NOT_FOUND), "NOT_FOUND", "{path}");
    }
    // The fault was not armed: the API still works for that peer.
    assert_eq!(sandbox.get("/v1/partner/config", Some(DEMO_PK)).await.status, StatusCode::OK);

    let ipv6_loopback = Sandbox::from_peer(config(), SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 40_000)));
    assert_eq!(ipv6_loopback.get("/__sandbox/stats", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn stats_requests_and_reset() {
    let sandbox = Sandbox::new();
    let (id, _) = sandbox.create_donation(&valid_donation()).await;
    sandbox.get("/v1/partner/config", Some(DEMO_PK)).await;
    sandbox.get("/v1/partner/organizations/st-jude", None).await;
    sandbox.get(&format!("/v1/partner/donations/status/{id}"), Some(DEMO_SK)).await;
    let with_origin = Request::get("/v1/partner/config")
        .header("x-partner-key", DEMO_PK.replace("pk_test_", "pk_live_"))
        .header("origin", "https://partner.example")
        .body(Body::empty())
        .expect("request");
    sandbox.send(with_origin).await;

    let stats = sandbox.get("/__sandbox/stats", None).await.json();
    assert_eq!(
        stats,
        json!({"requests": {"config": 2, "organization": 1, "createLink": 1, "status": 1}, "donations": 1,
               "actions": {"completed": 0, "repeats": 0}})
    );

    let log = sandbox.get("/__sandbox/requests", None).await.json();
    assert_eq!(
        log,
        json!([
            {"method": "POST", "path": "/v1/partner/donations/create-link", "keyPrefix": "pk_test_", "origin": null, "status": 201},
            {"method": "GET", "path": "/v1/partner/config", "keyPrefix": "pk_test_", "origin": null, "status": 200},
            {"method": "GET", "path": "/v1/partner/organizations/st-jude", "keyPrefix": "none", "origin": null, "status": 401},
            {"method": "GET", "path": format!("/v1/partner/donations/status/{id}"), "keyPrefix": "sk_test_", "origin": null, "status": 403},
            {"method": "GET", "path": "/v1/partner/config", "keyPrefix": "pk_live_", "origin": "https://partner.example", "status": 401},
        ])
    );
    assert!(!sandbox.get("/__sandbox/requests", None).await.text().contains(&DEMO_PK[8..]), "keys are never logged");

    let reset = sandbox.post_json("/__sandbox/reset", None, &json!({})).await;
    assert!(reset.status.is_success());
    let stats = sandbox.get("/__sandbox/stats", None).await.json();
    assert_eq!(
        stats,
        json!({"requests": {"config": 0, "organization": 0, "createLink": 0, "status": 0}, "donations": 0,
               "actions": {"completed": 0, "repeats": 0}})
    );
    assert_eq!(sandbox.get("/__sandbox/requests", None).await.json(), json!([]));
}

#[tokio::test]
async fn the_request_log_keeps_the_last_1000() {
    let sandbox = Sandbox::new();
    for _ in 0..1005 {
        sandbox.get("/v1/partner/config", Some(DEMO_PK)).await;
    }
    let log = sandbox.get("/__sandbox/requests", None).await.json();
    assert_eq!(log.as_array().map(Vec::len), Some(sir_sandbox::state::REQUEST_LOG_LENGTH));
}

#[tokio::test]
async fn status_faults_answer_with_the_standard_body_then_wear_off() {
    let sandbox = Sandbox::new();
    sandbox.arm(json!({"endpoint": "config", "kind": "status", "status": 503})).await;
    let faulted = sandbox.get("/v1/partner/config", Some(DEMO_PK)).await;
    assert_eq!(faulted.error_code(StatusCode::SERVICE_UNAVAILABLE), "INTERNAL");
    assert!(faulted.header("x-ratelimit-limit").is_some());
    assert_eq!(sandbox.get("/v1/partner/config", Some(DEMO_PK)).await.status, StatusCode::OK);

    sandbox.arm(json!({"endpoint": "organization", "kind": "status", "status": 402, "times": 2})).await;
    for _ in 0..2 {
        let response = sandbox.get("/v1/partner/organizations/st-jude", Some(DEMO_PK)).await;
        assert_eq!(response.error_code(StatusCode::PAYMENT_REQUIRED), "INSUFFICIENT_POOL");
    }
    assert_eq!(sandbox.get("/v1/partner/organizations/st-jude", Some(DEMO_PK)).await.status, StatusCode::OK);
    // Faulted requests still count as having reached the endpoint.
    assert_eq!(sandbox.state.lock().stats.organization, 3);
}

#[tokio::test]
async fn any_faults_apply_to_every_endpoint_until_cleared() {
    let sandbox = Sandbox::new();
    sandbox.arm(json!({"endpoint": "any", "kind": "status", "status": 500, "times": 0})).await;
    for _ in 0..3 {
        let response = sandbox.get("/v1/partner/organizations/st-jude", Some(DEMO_PK)).await;
        assert_eq!(response.error_code(StatusCode::INTERNAL_SERVER_ERROR), "INTERNAL");
    }
    let response = sandbox.post_json("/v1/partner/donations/create-link", Some(DEMO_PK), &valid_donation()).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(sandbox.state.lock().donations.len(), 0);
    // Unauthenticated calls don't touch faults: they fail auth first.
    assert_eq!(sandbox.get("/v1/partner/config", None).await.status, StatusCode::UNAUTHORIZED);

    let cleared = sandbox.send(request(Method::DELETE, "/__sandbox/faults", None, None)).await;
    assert!(cleared.status.is_success());
    assert_eq!(sandbox.get("/v1/partner/config", Some(DEMO_PK)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn rate_limit_faults_pass_retry_after_verbatim() {
    let sandbox = Sandbox::new();
    let date = "Wed, 21 Oct 2026 07:28:00 GMT";
    sandbox.arm(json!({"endpoint": "status", "kind": "rate-limit", "retryAfter": "2"})).await;
    sandbox.arm(json!({"endpoint": "status", "kind": "rate-limit", "retryAfter": date})).await;
    let (id, _) = sandbox.create_donation(&valid_donation()).await;
    for expected in ["2", date] {
        let response = sandbox.get(&format!("/v1/partner/donations/status/{id}"), Some(DEMO_PK)).await;
        assert_eq!(response.error_code(StatusCode::TOO_MANY_REQUESTS), "RATE_LIMITED");
        assert_eq!(response.header("retry-after"), Some(expected));
        assert_eq!(response.header("x-ratelimit-remaining"), Some("0"));
    }
    assert_eq!(sandbox.donation_status(&id).await, "pending");
}

#[tokio::test]
async fn delay_faults_wait_then_answer_normally() {
    let sandbox = Sandbox::new();
    sandbox.arm(json!({"endpoint": "create-link", "kind": "delay", "delayMs": 300})).await;
    let started = Instant::now();
    sandbox.create_donation(&valid_donation()).await;
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
    let started = Instant::now();
    sandbox.create_donation(&valid_donation()).await;
    assert!(started.elapsed() < Duration::from_millis(300), "only once");
}

#[tokio::test]
async fn malformed_faults_answer_truncated_json() {
    let sandbox = Sandbox::new();
    sandbox.arm(json!({"endpoint": "create-link", "kind": "malformed"})).await;
    let response = sandbox.post_json("/v1/partner/donations/create-link", Some(DEMO_PK), &valid_donation()).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.text(), r#"{"partnerDonationId": "abc", "donationLink": "#);
    assert!(serde_json::from_slice::<serde_json::Value>(&response.body).is_err());
    assert!(response.header("x-ratelimit-limit").is_some());
}

#[tokio::test]
async fn oversized_faults_answer_valid_json_of_about_3_mib() {
    let sandbox = Sandbox::new();
    sandbox.arm(json!({"endpoint": "config", "kind": "oversized"})).await;
    let response = sandbox.get("/v1/partner/config", Some(DEMO_PK)).await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.body.len() >= 3 * 1024 * 1024, "{}", response.body.len());
    let json = response.json();
    assert_eq!(json["slug"], "demo-partner", "the normal fields are still there");
    assert!(json["padding"].as_str().is_some_and(|p| p.len() == 3 * 1024 * 1024));
}

#[tokio::test]
async fn link_faults_store_the_donation_but_hand_out_another_link() {
    let sandbox = Sandbox::new();
    sandbox.arm(json!({"endpoint": "create-link", "kind": "link", "link": "http://evil.example/pay"})).await;
    let (id, link) = sandbox.create_donation(&valid_donation()).await;
    assert_eq!(link, "http://evil.example/pay");
    assert_eq!(sandbox.donation_status(&id).await, "pending");
    let (_, normal) = sandbox.create_donation(&valid_donation()).await;
    assert!(normal.starts_with(PUBLIC_URL));
}

#[tokio::test]
async fn invalid_faults_are_refused_with_a_400() {
    let sandbox = Sandbox::new();
    for body in [
        json!({"endpoint": "config", "kind": "status", "status": 204}),
        json!({"endpoint": "config", "kind": "link", "link": "http://evil.example/pay"}),
        json!({"endpoint": "everywhere", "kind": "drop"}),
        json!({"kind": "drop"}),
    ] {
        let response = sandbox.post_json("/__sandbox/faults", None, &body).await;
        assert_eq!(response.error_code(StatusCode::BAD_REQUEST), "INVALID_FAULT", "{body}");
    }
    let id = sandbox.post_json("/__sandbox/faults", None, &json!({"endpoint": "any", "kind": "drop"})).await.json();
    assert!(id["id"].as_str().is_some(), "{id}");
}

#[tokio::test]
async fn donation_status_can_be_set_or_scripted() {
    let sandbox = Sandbox::new();
    let (id, _) = sandbox.create_donation(&valid_donation()).await;
    let path = format!("/__sandbox/donations/{id}/status");

    let set = sandbox.post_json(&path, None, &json!({"status": "completed"})).await;
    assert_eq!(set.status, StatusCode::OK);
    assert_eq!(sandbox.donation_status(&id).await, "completed");
    assert!(sandbox.get(&format!("/checkout/{id}"), None).await.text().contains("your donation is complete"));

    let (id, _) = sandbox.create_donation(&valid_donation()).await;
    let path = format!("/__sandbox/donations/{id}/status");
    sandbox.post_json(&path, None, &json!({"sequence": ["pending", "pending", "failed"]})).await;
    let polls = [
        sandbox.donation_status(&id).await,
        sandbox.donation_status(&id).await,
        sandbox.donation_status(&id).await,
        sandbox.donation_status(&id).await,
    ];
    assert_eq!(polls, ["pending", "pending", "failed", "failed"]);
    assert!(sandbox.get(&format!("/checkout/{id}"), None).await.text().contains("Payment failed"));

    let unknown = sandbox.post_json("/__sandbox/donations/nope/status", None, &json!({"status": "failed"})).await;
    assert_eq!(unknown.error_code(StatusCode::NOT_FOUND), "DONATION_NOT_FOUND");
    for body in [json!({}), json!({"status": "paid"}), json!({"sequence": "completed"})] {
        let response = sandbox.post_json(&path, None, &body).await;
        assert_eq!(response.error_code(StatusCode::BAD_REQUEST), "INVALID_STATUS", "{body}");
    }
}
