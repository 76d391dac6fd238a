//! The sandbox and the partner server on real ports, wired together as in the demo:
//! a donation made through the widget endpoints, completed on the hosted checkout,
//! reported by a signed webhook, rewarded once, and shown in the donor's balance.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

fn completed_by_webhook(view: &Value) -> bool {
    view["status"] == "completed" && view["source"] == "webhook"
}

#[tokio::test]
async fn the_full_loop_rewards_once_and_the_balance_grows() {
    let stack = Stack::start(&[]).await;
    let id = stack.create_donation(Some("jane@example.com")).await;

    // Before checkout: no webhook yet, so the status API answers.
    let (status, _, view) = stack.call(Method::GET, &format!("/sir/donations/{id}"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((view["status"].clone(), view["source"].clone()), (json!("pending"), json!("api")));
    let (status, _, body) =
        stack.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), None).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::CONFLICT, json!("DONATION_NOT_COMPLETED")));

    stack.checkout(&id, "complete").await;
    let view = stack.wait_for_donation(&id, completed_by_webhook).await;
    assert_eq!(view["partnerDonationId"], id.as_str());
    assert_eq!(view["reward"], Value::Null);

    let cookie = stack.sign_in("jane@example.com").await;
    let (_, _, rewards) = stack.call(Method::GET, "/sir/rewards", None, Some(&cookie)).await;
    assert_eq!(rewards["signedIn"], true);
    assert_eq!((rewards["balance"].clone(), rewards["currency"].clone()), (json!(0), json!("SIR")));

    let reward_request = Some(json!({"partnerDonationId": id}));
    let (status, headers, first) =
        stack.call(Method::POST, "/sir/rewards/donation", reward_request.clone(), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(headers.get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some(WIDGET_ORIGIN));
    assert_eq!(first["partnerDonationId"], id.as_str());
    assert_eq!(first["tokensDistributed"], 25, "$25.00 earns 25 tokens");
    assert_eq!(first["idempotent"], false);
    let action_id = first["actionId"].as_str().expect("actionId").to_owned();

    let (status, _, second) = stack.call(Method::POST, "/sir/rewards/donation", reward_request, Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        second,
        json!({"partnerDonationId": id, "actionId": action_id, "tokensDistributed": 25, "idempotent": true})
    );

    let (_, _, rewards) = stack.call(Method::GET, "/sir/rewards", None, Some(&cookie)).await;
    assert_eq!(rewards["balance"], 25);
    assert!(rewards["externalId"].as_str().is_some_and(|e| e.starts_with("donor_")), "{rewards}");
    let view = stack.wait_for_donation(&id, |v| !v["reward"].is_null()).await;
    assert_eq!(view["reward"], json!({"tokens": 25, "actionId": action_id}));
    let pool = stack.sandbox_json(Method::GET, "/__sandbox/pool", None).await;
    assert_eq!(pool["tokens"], 10_000 - 25);

    // The sandbox redelivers the donation's event: acknowledged, processed once.
    let deliveries = stack.sandbox_json(Method::GET, "/__sandbox/webhooks/deliveries", None).await;
    let event_id = deliveries
        .as_array()
        .and_then(|list| list.iter().find(|d| d["type"] == "transaction.completed"))
        .and_then(|d| d["eventId"].as_str())
        .expect("a transaction.completed delivery")
        .to_owned();
    let events_before = stack.partner.db.event_ids().await.expect("ids");
    assert!(events_before.contains(&event_id), "{events_before:?}");
    let redelivered =
        stack.sandbox_json(Method::POST, &format!("/__sandbox/webhooks/redeliver/{event_id}"), None).await;
    assert_eq!(redelivered["webhooks"], 1);
    for _ in 0..200 {
        let deliveries = stack.sandbox_json(Method::GET, "/__sandbox/webhooks/deliveries", None).await;
        if deliveries.as_array().is_some_and(|l| l.iter().any(|d| d["redelivery"] == true && d["ok"] == true)) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(stack.partner.db.event_ids().await.expect("ids"), events_before);
    let (_, _, rewards) = stack.call(Method::GET, "/sir/rewards", None, Some(&cookie)).await;
    assert_eq!(rewards["balance"], 25, "nothing was rewarded twice");
}

#[tokio::test]
async fn without_a_session_the_donor_email_from_the_webhook_is_rewarded() {
    let stack = Stack::start(&[]).await;
    let id = stack.create_donation(Some("sam@example.com")).await;
    stack.checkout(&id, "complete").await;
    stack.wait_for_donation(&id, completed_by_webhook).await;
    let (status, _, reward) =
        stack.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), None).await;
    assert_eq!(status, StatusCode::OK, "{reward}");
    // Signing in later with the same email (no externalId) finds the same account.
    let cookie = stack.sign_in("Sam@Example.com").await;
    let (_, _, rewards) = stack.call(Method::GET, "/sir/rewards", None, Some(&cookie)).await;
    assert_eq!(rewards["balance"], 25);

    // No email and no session: nobody to reward.
    let anonymous = stack.create_donation(None).await;
    stack.checkout(&anonymous, "complete").await;
    stack.wait_for_donation(&anonymous, completed_by_webhook).await;
    let (status, _, body) =
        stack.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": anonymous})), None).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("DONOR_UNKNOWN")));
}

#[tokio::test]
async fn an_empty_pool_is_503_reward_pool_empty_and_a_top_up_lets_the_same_reward_through() {
    let stack = Stack::start(&[]).await;
    let id = stack.create_donation(Some("jane@example.com")).await;
    stack.checkout(&id, "complete").await;
    stack.wait_for_donation(&id, completed_by_webhook).await;
    stack.sandbox_json(Method::POST, "/__sandbox/pool", Some(json!({"tokens": 5}))).await;

    let request = Some(json!({"partnerDonationId": id}));
    let (status, _, body) = stack.call(Method::POST, "/sir/rewards/donation", request.clone(), None).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::SERVICE_UNAVAILABLE, json!("REWARD_POOL_EMPTY")));
    assert_eq!(body["statusCode"], 503);

    stack.sandbox_json(Method::POST, "/__sandbox/pool", Some(json!({"tokens": 100}))).await;
    let (status, _, body) = stack.call(Method::POST, "/sir/rewards/donation", request, None).await;
    assert_eq!((status, body["idempotent"].clone()), (StatusCode::OK, json!(false)), "{body}");
}

#[tokio::test]
async fn rate_limits_are_waited_out_when_short_and_passed_on_when_long() {
    let stack = Stack::start(&[]).await;
    let id = stack.create_donation(Some("jane@example.com")).await;
    stack.checkout(&id, "complete").await;
    stack.wait_for_donation(&id, completed_by_webhook).await;

    // A long Retry-After (over the 3 s this test allows) is passed on, not waited for.
    let long = json!({"endpoint": "submit-action", "kind": "rate-limit", "retryAfter": "60"});
    stack.sandbox_json(Method::POST, "/__sandbox/faults", Some(long)).await;
    let request = Some(json!({"partnerDonationId": id}));
    let (status, headers, body) = stack.call(Method::POST, "/sir/rewards/donation", request.clone(), None).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::SERVICE_UNAVAILABLE, json!("SIR_RATE_LIMITED")));
    assert_eq!(headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("60"));

    // A short one is waited out, then the call goes through.
    let short = json!({"endpoint": "submit-action", "kind": "rate-limit", "retryAfter": "1"});
    stack.sandbox_json(Method::POST, "/__sandbox/faults", Some(short)).await;
    let started = std::time::Instant::now();
    let (status, _, body) = stack.call(Method::POST, "/sir/rewards/donation", request, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(900), "waited for Retry-After");

    // A 503 from SIR is retried too.
    stack
        .sandbox_json(
            Method::POST,
            "/__sandbox/faults",
            Some(json!({"endpoint": "balance", "kind": "status", "status": 503})),
        )
        .await;
    let cookie = stack.sign_in("jane@example.com").await;
    let (status, _, rewards) = stack.call(Method::GET, "/sir/rewards", None, Some(&cookie)).await;
    assert_eq!((status, rewards["balance"].clone()), (StatusCode::OK, json!(25)));
    let log = stack.sandbox_json(Method::GET, "/__sandbox/requests", None).await;
    let submits = log.as_array().map_or(0, |l| l.iter().filter(|r| r["path"] == "/v1/partner/actions/submit").count());
    assert_eq!(submits, 3, "one refused, one waited out and retried: {log}");
}

#[tokio::test]
async fn failed_cancelled_and_unknown_donations() {
    let stack = Stack::start(&[]).await;
    for (action, status) in [("cancel", "cancelled"), ("fail", "failed")] {
        let id = stack.create_donation(Some("jane@example.com")).await;
        stack.checkout(&id, action).await;
        let view = stack.wait_for_donation(&id, |v| v["status"] == status).await;
        assert_eq!(view["source"], "api", "no webhook is sent for {status}");
        let (code, _, body) =
            stack.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), None).await;
        assert_eq!((code, body["code"].clone()), (StatusCode::CONFLICT, json!("DONATION_NOT_COMPLETED")));
    }
    let (status, _, body) = stack.call(Method::GET, "/sir/donations/ffffffffffffffffffffffff", None, None).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::NOT_FOUND, json!("DONATION_NOT_FOUND")));
    let (status, _, body) = stack
        .call(
            Method::POST,
            "/sir/rewards/donation",
            Some(json!({"partnerDonationId": "ffffffffffffffffffffffff"})),
            None,
        )
        .await;
    assert_eq!((status, body["code"].clone()), (StatusCode::NOT_FOUND, json!("DONATION_NOT_FOUND")));
}

#[tokio::test]
async fn a_completion_seen_by_the_api_first_can_be_rewarded_before_the_webhook() {
    let stack = Stack::start(&[]).await;
    let id = stack.create_donation(Some("jane@example.com")).await;
    let cookie = stack.sign_in("jane@example.com").await;
    // The next status poll completes it: the partner's own status call is what completes the
    // donation, so SIR's API reports the completion before any webhook can.
    stack
        .sandbox_json(
            Method::POST,
            &format!("/__sandbox/donations/{id}/status"),
            Some(json!({"sequence": ["completed"]})),
        )
        .await;
    let (status, _, body) =
        stack.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["tokensDistributed"], 25);
    // The webhook that follows changes the source but never the reward.
    let view = stack.wait_for_donation(&id, completed_by_webhook).await;
    assert_eq!(view["reward"]["actionId"], body["actionId"]);
}

#[tokio::test]
async fn without_a_session_an_api_only_completion_waits_for_the_webhooks_donor_email() {
    // No webhook reaches this partner server: the sandbox's webhook is removed.
    let stack = Stack::start(&[]).await;
    stack.sandbox.lock().hooks.webhooks.clear();
    let id = stack.create_donation(Some("jane@example.com")).await;
    stack.checkout(&id, "complete").await;
    let view = stack.wait_for_donation(&id, |v| v["status"] == "completed").await;
    assert_eq!(view["source"], "api");
    let (status, _, body) =
        stack.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), None).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("DONOR_UNKNOWN")));
    assert!(body["message"].as_str().is_some_and(|m| m.contains("retry shortly")), "{body}");
}

#[tokio::test]
async fn auto_reward_rewards_on_the_webhook_and_the_post_returns_that_reward() {
    let stack = Stack::start(&[("PARTNER_AUTO_REWARD", "1")]).await;
    let id = stack.create_donation(Some("auto@example.com")).await;
    stack.checkout(&id, "complete").await;
    let view = stack.wait_for_donation(&id, |v| !v["reward"].is_null()).await;
    assert_eq!(view["reward"]["tokens"], 25);
    let (status, _, body) =
        stack.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (body["actionId"].clone(), body["idempotent"].clone()),
        (view["reward"]["actionId"].clone(), json!(true))
    );
}

#[tokio::test]
async fn wrong_credentials_surface_as_502_sir_auth_failed() {
    let wrong_hmac = "0".repeat(64);
    let stack = Stack::start(&[("SIR_HMAC_SECRET", wrong_hmac.as_str())]).await;
    let cookie = stack.sign_in("jane@example.com").await;
    let (status, _, body) = stack.call(Method::GET, "/sir/rewards", None, Some(&cookie)).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::BAD_GATEWAY, json!("SIR_AUTH_FAILED")));
    assert!(!body.to_string().contains(&wrong_hmac), "no secret in the error");
}
