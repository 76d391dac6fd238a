//! The secret-key endpoints, in process: HMAC authentication, actions with
//! idempotency and the token pool, balances, webhook registration, the pool control.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

const BALANCE: &str = "/v1/partner/users/user-1/balance";
const SUBMIT: &str = "/v1/partner/actions/submit";
const WEBHOOKS: &str = "/v1/partner/webhooks";

async fn balance(sandbox: &Sandbox, user: &str) -> TestResponse {
    sandbox.send(signed(Method::GET, &format!("/v1/partner/users/{user}/balance"), None)).await
}

async fn pool(sandbox: &Sandbox) -> u64 {
    sandbox.get("/__sandbox/pool", None).await.json()["tokens"].as_u64().expect("tokens")
}

#[tokio::test]
async fn a_good_signature_passes_and_a_bad_one_is_401() {
    let sandbox = Sandbox::new();
    // Authenticated: the user just doesn't exist yet.
    let response = sandbox.send(signed(Method::GET, BALANCE, None)).await;
    assert_eq!(response.error_code(StatusCode::NOT_FOUND), "USER_NOT_FOUND");

    let now = sir_signing::unix_now();
    let wrong_secret = signed_with(Method::GET, BALANCE, None, (DEMO_SK, &"0".repeat(64)), now);
    assert_eq!(sandbox.send(wrong_secret).await.error_code(StatusCode::UNAUTHORIZED), "INVALID_SIGNATURE");

    // Signed without the query it is sent with: the signature covers the original path and query.
    let mut with_query = signed(Method::GET, BALANCE, None);
    *with_query.uri_mut() = format!("{BALANCE}?fresh=1").parse().expect("uri");
    assert_eq!(sandbox.send(with_query).await.error_code(StatusCode::UNAUTHORIZED), "INVALID_SIGNATURE");

    // The body must be the exact bytes signed.
    let action = donation_action("k1", 10.0, "user-1");
    let mut tampered = signed(Method::POST, SUBMIT, Some(&action));
    *tampered.body_mut() = axum::body::Body::from(donation_action("k1", 10_000.0, "user-1").to_string());
    assert_eq!(sandbox.send(tampered).await.error_code(StatusCode::UNAUTHORIZED), "INVALID_SIGNATURE");

    let mut unsigned = signed(Method::GET, BALANCE, None);
    unsigned.headers_mut().remove("x-signature");
    let response = sandbox.send(unsigned).await;
    assert_eq!(response.error_code(StatusCode::UNAUTHORIZED), "INVALID_SIGNATURE");
    assert!(response.json()["message"].as_str().is_some_and(|m| m.contains("missing")), "{}", response.text());
    assert_eq!(sandbox.state.lock().ledger.pool(sir_sandbox::seed::PARTNERS[0].id), 10_000);
}

#[tokio::test]
async fn a_stale_timestamp_is_401_both_ways_and_300_seconds_is_fine() {
    let sandbox = Sandbox::new();
    let now = sir_signing::unix_now();
    for (timestamp, expected) in [
        (now - 400, Some("STALE_TIMESTAMP")),
        (now + 400, Some("STALE_TIMESTAMP")),
        (now - 290, None),
        (now + 290, None),
    ] {
        let response = sandbox.send(signed_with(Method::GET, BALANCE, None, (DEMO_SK, DEMO_HMAC), timestamp)).await;
        match expected {
            Some(code) => assert_eq!(response.error_code(StatusCode::UNAUTHORIZED), code, "{timestamp}"),
            None => assert_eq!(response.error_code(StatusCode::NOT_FOUND), "USER_NOT_FOUND", "{timestamp}"),
        }
    }
}

#[tokio::test]
async fn publishable_keys_are_403_and_unknown_keys_401_on_every_secret_endpoint() {
    let sandbox = Sandbox::new();
    let live_sk = DEMO_SK.replace("sk_test_", "sk_live_");
    let body = donation_action("k", 1.0, "u");
    for (method, path) in [(Method::GET, BALANCE), (Method::POST, SUBMIT), (Method::POST, WEBHOOKS)] {
        let body = (method == Method::POST).then_some(&body);
        let now = sir_signing::unix_now();
        // Even when signed with the right hmacSecret: the key kind decides.
        let with_pk = signed_with(method.clone(), path, body, (DEMO_PK, DEMO_HMAC), now);
        assert_eq!(sandbox.send(with_pk).await.error_code(StatusCode::FORBIDDEN), "SECRET_KEY_REQUIRED", "{path}");
        for key in [None, Some("sk_test_nope"), Some(live_sk.as_str())] {
            let mut request = signed(method.clone(), path, body);
            match key {
                Some(key) => request.headers_mut().insert("x-partner-key", key.parse().expect("key")),
                None => request.headers_mut().remove("x-partner-key"),
            };
            assert_eq!(sandbox.send(request).await.error_code(StatusCode::UNAUTHORIZED), "UNAUTHORIZED", "{path}");
        }
        let paused = signed_with(method.clone(), path, body, (PAUSED_SK, PAUSED_HMAC), now);
        assert_eq!(sandbox.send(paused).await.error_code(StatusCode::FORBIDDEN), "PARTNER_INACTIVE", "{path}");
    }
    // A wrong method is authenticated like the route, then refused.
    let response = sandbox.send(signed(Method::GET, SUBMIT, None)).await;
    assert_eq!(response.error_code(StatusCode::METHOD_NOT_ALLOWED), "METHOD_NOT_ALLOWED");
    // Requests are logged with the key's prefix only, and rate-limit headers are set.
    let log = sandbox.get("/__sandbox/requests", None).await.text();
    assert!(log.contains(r#""keyPrefix":"sk_test_""#) && !log.contains(&DEMO_SK[8..]), "{log}");
}

#[tokio::test]
async fn an_action_credits_the_user_and_a_repeat_is_409_idempotent_with_the_original() {
    let sandbox = Sandbox::new();
    let action = donation_action("donation_abc", 25.0, "user-1");
    let first = sandbox.send(signed(Method::POST, SUBMIT, Some(&action))).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert!(first.header("x-ratelimit-limit").is_some());
    let original = first.json();
    assert_eq!(original["idempotencyKey"], "donation_abc");
    assert_eq!(original["status"], "COMPLETED");
    assert_eq!(original["tokensDistributed"], 25);
    assert!(original["actionId"].as_str().is_some_and(|id| id.len() == 24), "{original}");
    assert_eq!(original["transactionIds"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        original.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(
            ["actionId", "idempotencyKey", "status", "tokensDistributed", "transactionIds"].map(String::from).to_vec()
        )
    );

    let balance_now = balance(&sandbox, "user-1").await;
    assert_eq!(balance_now.status, StatusCode::OK);
    assert_eq!(balance_now.json(), json!({"externalId": "user-1", "balance": 25, "currency": "SIR"}));
    assert_eq!(pool(&sandbox).await, 10_000 - 25);

    // The same key again, even with another amount: 409 with the first response, nothing credited.
    let again =
        sandbox.send(signed(Method::POST, SUBMIT, Some(&donation_action("donation_abc", 99.0, "user-1")))).await;
    assert_eq!(again.error_code(StatusCode::CONFLICT), "IDEMPOTENT");
    assert_eq!(again.json()["original"], original);
    assert_eq!(balance(&sandbox, "user-1").await.json()["balance"], 25);
    assert_eq!(pool(&sandbox).await, 10_000 - 25);
    let stats = sandbox.get("/__sandbox/stats", None).await.json();
    assert_eq!(stats["actions"], json!({"completed": 1, "repeats": 1}), "the repeat is counted");

    // A new key adds up; 49.99 earns 49 (whole dollars), 0.5 earns the minimum of 1.
    for (key, amount) in [("k2", 49.99), ("k3", 0.5)] {
        let response = sandbox.send(signed(Method::POST, SUBMIT, Some(&donation_action(key, amount, "user-1")))).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    }
    assert_eq!(balance(&sandbox, "user-1").await.json()["balance"], 25 + 49 + 1);
}

#[tokio::test]
async fn several_stakeholders_each_earn_the_reward() {
    let sandbox = Sandbox::new();
    let mut action = donation_action("multi", 10.0, "a");
    action["stakeholders"] = json!([{"partnerUserId": "a"}, {"partnerUserId": "b", "stakeholderTypeCode": "REFERRER"}]);
    let response = sandbox.send(signed(Method::POST, SUBMIT, Some(&action))).await;
    assert_eq!(response.json()["tokensDistributed"], 20);
    assert_eq!(response.json()["transactionIds"].as_array().map(Vec::len), Some(2));
    assert_eq!(balance(&sandbox, "b").await.json()["balance"], 10);
}

#[tokio::test]
async fn a_pool_that_runs_dry_is_402_and_leaves_the_key_unused() {
    let sandbox = Sandbox::new();
    let set = sandbox.post_json("/__sandbox/pool", None, &json!({"tokens": 10})).await;
    assert_eq!(set.json(), json!({"partner": "demo-partner", "tokens": 10}));

    let action = donation_action("big", 25.0, "user-1");
    let refused = sandbox.send(signed(Method::POST, SUBMIT, Some(&action))).await;
    assert_eq!(refused.error_code(StatusCode::PAYMENT_REQUIRED), "INSUFFICIENT_POOL");
    assert_eq!(pool(&sandbox).await, 10, "nothing debited");
    assert_eq!(balance(&sandbox, "user-1").await.error_code(StatusCode::NOT_FOUND), "USER_NOT_FOUND");

    sandbox.post_json("/__sandbox/pool", None, &json!({"tokens": 100})).await;
    let retried = sandbox.send(signed(Method::POST, SUBMIT, Some(&action))).await;
    assert_eq!(retried.status, StatusCode::CREATED, "the same key succeeds once the pool is topped up");
    assert_eq!(pool(&sandbox).await, 75);

    // Reset restores the seeded pool.
    sandbox.post_json("/__sandbox/reset", None, &json!({})).await;
    assert_eq!(pool(&sandbox).await, 10_000);
}

#[tokio::test]
async fn unknown_users_need_auto_create() {
    let sandbox = Sandbox::new();
    let mut action = donation_action("k", 5.0, "nobody");
    action["autoCreateUsers"] = json!(false);
    let response = sandbox.send(signed(Method::POST, SUBMIT, Some(&action))).await;
    assert_eq!(response.error_code(StatusCode::NOT_FOUND), "USER_NOT_FOUND");
    // Once created, a user can be credited without autoCreateUsers.
    sandbox.send(signed(Method::POST, SUBMIT, Some(&donation_action("k0", 5.0, "nobody")))).await;
    let response = sandbox.send(signed(Method::POST, SUBMIT, Some(&action))).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
}

#[tokio::test]
async fn action_bodies_are_validated_field_by_field() {
    let sandbox = Sandbox::new();
    let with = |field: &str, value: Value| {
        let mut action = donation_action("k", 5.0, "u");
        action[field] = value;
        action
    };
    let cases = [
        (with("idempotencyKey", json!("")), "INVALID_IDEMPOTENCY_KEY"),
        (with("idempotencyKey", Value::Null), "INVALID_IDEMPOTENCY_KEY"),
        (with("actionType", json!("donation")), "INVALID_ACTION_TYPE"),
        (with("amount", json!(-1)), "INVALID_AMOUNT"),
        (with("amount", json!("25.00")), "INVALID_AMOUNT"),
        (with("currency", json!("usd")), "INVALID_CURRENCY"),
        (with("stakeholders", json!([])), "INVALID_STAKEHOLDERS"),
        (with("stakeholders", json!([{"userEmail": "a@b.co"}])), "INVALID_STAKEHOLDERS"),
        (with("stakeholders", json!([{"partnerUserId": "a b"}])), "INVALID_STAKEHOLDERS"),
        (with("stakeholders", json!([{"partnerUserId": "a"}, {"partnerUserId": "a"}])), "INVALID_STAKEHOLDERS"),
        (with("stakeholders", json!([{"partnerUserId": "a", "userEmail": "nope"}])), "INVALID_STAKEHOLDERS"),
        (with("autoCreateUsers", json!("yes")), "INVALID_BODY"),
        (with("metadata", json!([1])), "INVALID_METADATA"),
        (json!([1, 2]), "INVALID_BODY"),
    ];
    for (body, code) in cases {
        let response = sandbox.send(signed(Method::POST, SUBMIT, Some(&body))).await;
        assert_eq!(response.error_code(StatusCode::BAD_REQUEST), code, "{body}");
    }
}

#[tokio::test]
async fn webhook_registration_returns_a_secret_once_and_checks_the_url() {
    let sandbox = Sandbox::new();
    let body = json!({"url": "https://partner.example/webhooks/sir", "description": "Sandbox webhook",
                      "eventTypes": ["action.completed", "action.failed"], "receiveAllEvents": false,
                      "headers": {"X-My-Tenant": "prod"}});
    let response = sandbox.send(signed(Method::POST, WEBHOOKS, Some(&body))).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let registered = response.json();
    assert!(registered["id"].as_str().is_some_and(|id| id.len() == 24));
    assert_eq!(registered["url"], "https://partner.example/webhooks/sir");
    assert_eq!(registered["eventTypes"], json!(["action.completed", "action.failed"]));
    assert_eq!(registered["isActive"], true);
    let secret = string(&registered["secret"]);
    assert!(sir_signing::is_webhook_secret(&secret), "{secret}");

    let again = sandbox.send(signed(Method::POST, WEBHOOKS, Some(&body))).await.json();
    assert_ne!(again["secret"], registered["secret"], "every webhook has its own secret");
    let config = sandbox.get("/v1/partner/config", Some(DEMO_PK)).await.json();
    assert_eq!(config["webhookUrl"], "https://partner.example/webhooks/sir");

    let loopback = json!({"url": "http://127.0.0.1:8788/webhooks/sir", "receiveAllEvents": true});
    assert_eq!(sandbox.send(signed(Method::POST, WEBHOOKS, Some(&loopback))).await.status, StatusCode::CREATED);

    let cases = [
        (json!({"url": "http://partner.example/webhooks/sir", "receiveAllEvents": true}), "INVALID_WEBHOOK_URL"),
        (json!({"receiveAllEvents": true}), "INVALID_WEBHOOK_URL"),
        (json!({"url": "https://partner.example/"}), "INVALID_EVENT_TYPES"),
        (json!({"url": "https://partner.example/", "eventTypes": ["Completed"]}), "INVALID_EVENT_TYPES"),
        (
            json!({"url": "https://partner.example/", "receiveAllEvents": true, "headers": {"X-SIR-Signature": "x"}}),
            "INVALID_HEADERS",
        ),
        (
            json!({"url": "https://partner.example/", "receiveAllEvents": true, "headers": {"X-A": 1}}),
            "INVALID_HEADERS",
        ),
        (json!({"url": "https://partner.example/", "receiveAllEvents": true, "description": 5}), "INVALID_DESCRIPTION"),
    ];
    for (body, code) in cases {
        let response = sandbox.send(signed(Method::POST, WEBHOOKS, Some(&body))).await;
        assert_eq!(response.error_code(StatusCode::BAD_REQUEST), code, "{body}");
    }
}

#[tokio::test]
async fn the_pool_control_is_validated_and_loopback_only() {
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.get("/__sandbox/pool", None).await.json(), json!({"partner": "demo-partner", "tokens": 10_000}));
    let other =
        sandbox.post_json("/__sandbox/pool", None, &json!({"tokens": 3, "partner": "actions-only-partner"})).await;
    assert_eq!(other.json(), json!({"partner": "actions-only-partner", "tokens": 3}));
    assert_eq!(sandbox.get("/__sandbox/pool?partner=actions-only-partner", None).await.json()["tokens"], 3);
    for bad in [json!({"tokens": -1}), json!({"tokens": 1, "partner": "nobody"}), json!({"tokns": 1})] {
        let response = sandbox.post_json("/__sandbox/pool", None, &bad).await;
        assert_eq!(response.error_code(StatusCode::BAD_REQUEST), "INVALID_POOL", "{bad}");
    }
    let remote = Sandbox::from_peer(config(), std::net::SocketAddr::from(([192, 0, 2, 1], 4000)));
    let response = remote.post_json("/__sandbox/pool", None, &json!({"tokens": 1})).await;
    assert_eq!(response.error_code(StatusCode::NOT_FOUND), "NOT_FOUND");
    let response = remote.get("/__sandbox/webhooks/deliveries", None).await;
    assert_eq!(response.error_code(StatusCode::NOT_FOUND), "NOT_FOUND");
}
