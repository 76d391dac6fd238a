//! The sandbox and the partner server on real ports, wired together as in the demo: a
//! donation created through the partner server for the signed-in user, completed on the
//! hosted checkout, reported by a signed webhook, rewarded by the outbox, confirmed,
//! shown in the user's balance; and the reward's whole lifecycle.

mod common;

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

fn rewarded(state: &'static str) -> impl Fn(&Value) -> bool {
    move |view| view["reward"]["state"] == state
}

#[tokio::test]
async fn the_full_loop_rewards_the_owner_once_and_the_balance_grows() {
    let stack = Stack::start(&[]).await;
    let cookie = stack.sign_in("jane@example.com").await;
    let jane = As::Cookie(&cookie);
    let id = stack.donate(jane, Some("jane@example.com")).await;

    // Before checkout: pending, as created (SIR's status API agrees, so nothing changed).
    let (status, _, view) = stack.call(Method::GET, &format!("/sir/donations/{id}"), None, jane).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((view["status"].clone(), view["source"].clone()), (json!("pending"), json!("created")));
    let reward_request = Some(json!({"partnerDonationId": id}));
    let (status, _, body) = stack.call(Method::POST, "/sir/rewards/donation", reward_request.clone(), jane).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::CONFLICT, json!("DONATION_NOT_COMPLETED")));
    assert_eq!(stack.balance(jane).await, 0);

    stack.checkout(&id, "complete").await;
    // The webhook completes it; the outbox rewards; SIR's action.completed confirms.
    let view = stack.wait_for_donation(&id, jane, rewarded("confirmed")).await;
    assert_eq!((view["status"].clone(), view["source"].clone()), (json!("completed"), json!("webhook")));
    assert_eq!(view["reward"]["tokens"], 25, "$25.00 earns 25 tokens");
    let action_id = view["reward"]["actionId"].as_str().expect("actionId").to_owned();

    let (status, headers, first) =
        stack.call(Method::POST, "/sir/rewards/donation", reward_request.clone(), jane).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(headers.get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some(WIDGET_ORIGIN));
    assert_eq!(
        first,
        json!({"partnerDonationId": id, "state": "confirmed", "tokensDistributed": 25, "actionId": action_id})
    );
    let (_, _, again) = stack.call(Method::POST, "/sir/rewards/donation", reward_request, jane).await;
    assert_eq!(again, first, "asking again changes nothing");
    assert_eq!(stack.balance(jane).await, 25);
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
    let events_before = stack.partner.store.event_ids().await.expect("ids");
    assert!(events_before.contains(&event_id), "{events_before:?}");
    stack.sandbox_json(Method::POST, &format!("/__sandbox/webhooks/redeliver/{event_id}"), None).await;
    for _ in 0..200 {
        let deliveries = stack.sandbox_json(Method::GET, "/__sandbox/webhooks/deliveries", None).await;
        if deliveries.as_array().is_some_and(|l| l.iter().any(|d| d["redelivery"] == true && d["ok"] == true)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(stack.partner.store.event_ids().await.expect("ids"), events_before);
    let log = stack.sandbox_json(Method::GET, "/__sandbox/requests", None).await;
    let submits = log.as_array().map_or(0, |l| l.iter().filter(|r| r["path"] == "/v1/partner/actions/submit").count());
    assert_eq!(submits, 1, "one action for one donation: {log}");
}

#[tokio::test]
async fn a_donation_created_elsewhere_goes_only_to_the_user_whose_verified_email_paid() {
    let stack = Stack::start(&[("PARTNER_IDENTITY", "jwt")]).await;
    let sam = jwt("user-sam", Some("sam@example.com"), true);
    let impostor = jwt("user-x", Some("sam@example.com"), false);
    let other = jwt("user-o", Some("other@example.com"), true);
    let id = stack.donate_at_sir(Some("Sam@Example.com")).await;
    stack.checkout(&id, "complete").await;
    for _ in 0..200 {
        if stack.partner.store.donation(&id).await.expect("read").is_some_and(|d| d.completed_by_webhook()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let request = Some(json!({"partnerDonationId": id}));
    for token in [&impostor, &other] {
        let (status, _, body) =
            stack.call(Method::POST, "/sir/rewards/donation", request.clone(), As::Token(token)).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::NOT_FOUND, json!("DONATION_NOT_FOUND")), "{body}");
    }
    let (status, _, body) = stack.call(Method::POST, "/sir/rewards/donation", request.clone(), As::Token(&sam)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(["issued", "confirmed"].contains(&body["state"].as_str().unwrap_or_default()), "{body}");
    assert_eq!(stack.balance(As::Token(&sam)).await, 25);
    // Now it is Sam's: the unverified claimant still gets nothing.
    let (status, _, _) = stack.call(Method::POST, "/sir/rewards/donation", request, As::Token(&impostor)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(stack.balance(As::Token(&impostor)).await, 0);
}

#[tokio::test]
async fn an_empty_pool_keeps_the_reward_in_the_outbox_until_a_top_up() {
    let stack = Stack::start(&[]).await;
    let cookie = stack.sign_in("jane@example.com").await;
    let jane = As::Cookie(&cookie);
    stack.sandbox_json(Method::POST, "/__sandbox/pool", Some(json!({"tokens": 5}))).await;
    let id = stack.donate(jane, None).await;
    stack.checkout(&id, "complete").await;
    let view = stack.wait_for_donation(&id, jane, rewarded("pending")).await;
    assert_eq!(view["status"], "completed");
    // SIR refused (402) and sent action.failed; the outbox keeps trying with backoff.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reward = stack.partner.store.reward(&id).await.expect("read").expect("row");
    assert!(reward.attempts >= 1, "{reward:?}");
    assert!(reward.last_error.as_deref().is_some_and(|e| e.contains("INSUFFICIENT_POOL")), "{reward:?}");
    let health = stack.call(Method::GET, "/healthz", None, As::Nobody).await.2;
    assert_eq!(health["rewards"]["pending"], 1, "{health}");

    stack.sandbox_json(Method::POST, "/__sandbox/pool", Some(json!({"tokens": 100}))).await;
    let view = stack.wait_for_donation(&id, jane, rewarded("confirmed")).await;
    assert_eq!(view["reward"]["tokens"], 25);
    assert_eq!(stack.balance(jane).await, 25);
}

#[tokio::test]
async fn sir_rate_limits_and_outages_are_retried_by_the_outbox() {
    let stack = Stack::start(&[]).await;
    let cookie = stack.sign_in("jane@example.com").await;
    let jane = As::Cookie(&cookie);
    let id = stack.donate(jane, None).await;
    let faults = [
        json!({"endpoint": "submit-action", "kind": "rate-limit", "retryAfter": "1", "times": 1}),
        json!({"endpoint": "submit-action", "kind": "status", "status": 503, "times": 3}),
    ];
    for fault in faults {
        stack.sandbox_json(Method::POST, "/__sandbox/faults", Some(fault)).await;
    }
    let started = Instant::now();
    stack.checkout(&id, "complete").await;
    let view = stack.wait_for_donation(&id, jane, |v| v["reward"]["state"] == "confirmed").await;
    assert_eq!(view["reward"]["tokens"], 25);
    assert!(started.elapsed() >= Duration::from_millis(900), "waited for Retry-After");
    let log = stack.sandbox_json(Method::GET, "/__sandbox/requests", None).await;
    let submits: Vec<_> = log
        .as_array()
        .map(|l| l.iter().filter(|r| r["path"] == "/v1/partner/actions/submit").map(|r| r["status"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(submits, [json!(429), json!(503), json!(503), json!(503), json!(201)], "{log}");
}

#[tokio::test]
async fn a_reversal_marks_the_reward_reversed_and_the_balance_follows() {
    let stack = Stack::start(&[]).await;
    let cookie = stack.sign_in("jane@example.com").await;
    let jane = As::Cookie(&cookie);
    let id = stack.donate(jane, None).await;
    stack.checkout(&id, "complete").await;
    let view = stack.wait_for_donation(&id, jane, rewarded("confirmed")).await;
    assert_eq!(stack.balance(jane).await, 25);
    let action_id = view["reward"]["actionId"].as_str().expect("action").to_owned();

    let reversed =
        stack.sandbox_json(Method::POST, &format!("/__sandbox/actions/{action_id}/reverse"), Some(json!({}))).await;
    assert_eq!(reversed["tokensReversed"], 25, "{reversed}");
    let view = stack.wait_for_donation(&id, jane, rewarded("reversed")).await;
    assert_eq!(view["status"], "completed", "the payment stands; the reward does not");
    assert_eq!(stack.balance(jane).await, 0, "the cached balance was forgotten");
    let (_, _, body) =
        stack.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), jane).await;
    assert_eq!(body["state"], "reversed");
}

#[tokio::test]
async fn a_low_pool_raises_an_alert_in_health() {
    let stack = Stack::start(&[]).await;
    let health = stack.call(Method::GET, "/healthz", None, As::Nobody).await.2;
    assert_eq!(health["tokenPool"]["lowBalance"], false, "{health}");
    stack.sandbox_json(Method::POST, "/__sandbox/pool", Some(json!({"tokens": 40}))).await;
    for _ in 0..200 {
        let health = stack.call(Method::GET, "/healthz", None, As::Nobody).await.2;
        if health["tokenPool"]["lowBalance"] == true {
            assert_eq!(health["tokenPool"]["alert"]["detail"]["poolBalance"], 40, "{health}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no low-balance alert");
}

#[tokio::test]
async fn sir_s_refusals_of_a_new_donation_are_passed_on_and_nobody_signed_in_reaches_sir() {
    let stack = Stack::start(&[]).await;
    let body = json!({"nonprofitSlug": "st-jude", "amount": 2500, "currency": "USD", "frequency": "once"});
    let (status, _, answer) = stack.call(Method::POST, "/sir/donations", Some(body), As::Nobody).await;
    assert_eq!((status, answer["code"].clone()), (StatusCode::UNAUTHORIZED, json!("SIGN_IN_REQUIRED")));
    let cookie = stack.sign_in("jane@example.com").await;
    let cases = [
        (
            json!({"nonprofitSlug": "no-such-org", "amount": 2500, "currency": "USD", "frequency": "once"}),
            StatusCode::NOT_FOUND,
            "ORGANIZATION_NOT_FOUND",
        ),
        (
            json!({"nonprofitSlug": "defunct-relief-fund", "amount": 2500, "currency": "USD", "frequency": "once"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "ORGANIZATION_INACTIVE",
        ),
        (
            json!({"nonprofitSlug": "st-jude", "amount": 2500, "currency": "XYZ", "frequency": "once"}),
            StatusCode::BAD_REQUEST,
            "INVALID_CURRENCY",
        ),
        (
            json!({"nonprofitSlug": "st-jude", "amount": 0, "currency": "USD", "frequency": "once"}),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            json!({"nonprofitSlug": "st-jude", "amount": 2500, "currency": "USD", "frequency": "once", "extra": 1}),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
    ];
    for (body, status, code) in cases {
        let (got, _, answer) =
            stack.call(Method::POST, "/sir/donations", Some(body.clone()), As::Cookie(&cookie)).await;
        assert_eq!((got, answer["code"].clone()), (status, json!(code)), "{body} → {answer}");
        assert_error_envelope(&answer, status);
    }
    let log = stack.sandbox_json(Method::GET, "/__sandbox/requests", None).await;
    let creates =
        log.as_array().map_or(0, |l| l.iter().filter(|r| r["path"] == "/v1/partner/donations/create-link").count());
    assert_eq!(creates, 3, "the partner server's own checks send nothing to SIR");
}

#[tokio::test]
async fn cancelled_and_failed_donations_read_so_and_are_never_rewarded() {
    let stack = Stack::start(&[]).await;
    let cookie = stack.sign_in("jane@example.com").await;
    let jane = As::Cookie(&cookie);
    for (action, status) in [("cancel", "cancelled"), ("fail", "failed")] {
        let id = stack.donate(jane, None).await;
        stack.checkout(&id, action).await;
        let view = stack.wait_for_donation(&id, jane, |v| v["status"] == status).await;
        assert_eq!((view["source"].clone(), view["reward"].clone()), (json!("api"), Value::Null));
        let (code, _, body) =
            stack.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), jane).await;
        assert_eq!((code, body["code"].clone()), (StatusCode::CONFLICT, json!("DONATION_NOT_COMPLETED")));
    }
}

#[tokio::test]
async fn a_slow_sir_never_holds_a_request_past_its_deadline() {
    let stack = Stack::start(&[("PARTNER_REQUEST_DEADLINE_MS", "3000"), ("PARTNER_BALANCE_CACHE_SECS", "0")]).await;
    let cookie = stack.sign_in("jane@example.com").await;
    let jane = As::Cookie(&cookie);
    let id = stack.donate(jane, None).await;
    let slow = |endpoint: &str| json!({"endpoint": endpoint, "kind": "delay", "delayMs": 30_000, "times": 0});
    stack.sandbox_json(Method::POST, "/__sandbox/faults", Some(slow("status"))).await;
    stack.sandbox_json(Method::POST, "/__sandbox/faults", Some(slow("balance"))).await;

    let started = Instant::now();
    let (status, _, view) = stack.call(Method::GET, &format!("/sir/donations/{id}"), None, jane).await;
    assert_eq!((status, view["status"].clone()), (StatusCode::OK, json!("pending")), "answered from storage");
    assert!(started.elapsed() < Duration::from_millis(1_500), "{:?}", started.elapsed());

    let started = Instant::now();
    let (status, _, body) = stack.call(Method::GET, "/sir/rewards", None, jane).await;
    assert!(started.elapsed() < Duration::from_millis(3_300), "{:?}", started.elapsed());
    assert!([StatusCode::BAD_GATEWAY, StatusCode::GATEWAY_TIMEOUT].contains(&status), "{status} {body}");
    assert_error_envelope(&body, status);
}

#[tokio::test]
async fn wrong_credentials_surface_as_502_without_detail_and_the_reward_waits() {
    let wrong_hmac = "0".repeat(64);
    let stack = Stack::start(&[("SIR_HMAC_SECRET", wrong_hmac.as_str())]).await;
    let cookie = stack.sign_in("jane@example.com").await;
    let jane = As::Cookie(&cookie);
    let (status, _, body) = stack.call(Method::GET, "/sir/rewards", None, jane).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::BAD_GATEWAY, json!("SIR_AUTH_FAILED")));
    let text = body.to_string();
    assert!(!text.contains(&wrong_hmac) && !text.contains("INVALID_SIGNATURE"), "nothing internal: {text}");

    let id = stack.donate(jane, None).await;
    stack.checkout(&id, "complete").await;
    let view = stack.wait_for_donation(&id, jane, rewarded("pending")).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let reward = stack.partner.store.reward(&id).await.expect("read").expect("row");
    assert_eq!(view["reward"]["state"], "pending", "kept until the credentials are fixed: {reward:?}");
}

/// A signed `transaction.completed` for `id`, delivered to the partner server as SIR would.
async fn deliver_completion(stack: &Stack, event_id: &str, data: Value) -> Value {
    let body = json!({"id": event_id, "type": "transaction.completed", "data": data}).to_string();
    deliver_over_http(&stack.http, &stack.partner_url, body).await.json().await.expect("JSON")
}

#[tokio::test]
async fn a_payment_of_another_amount_or_by_another_email_is_held_not_rewarded() {
    let stack = Stack::start(&[("PARTNER_IDENTITY", "jwt")]).await;
    let token = jwt("user-held", Some("owner@example.com"), true);
    let owner = As::Token(&token);
    // Without a donorEmail, the owner's verified email goes to SIR with the link.
    let same = stack.donate(owner, None).await;
    let cheaper = stack.donate(owner, None).await;
    let stranger = stack.donate(owner, None).await;
    let cases = [
        (&same, json!({"partnerDonationId": same, "amount": 25.00, "donorEmail": "Owner@Example.com"}), "pending"),
        (&cheaper, json!({"partnerDonationId": cheaper, "amount": 100, "donorEmail": "owner@example.com"}), "held"),
        (&stranger, json!({"partnerDonationId": stranger, "amount": 2500, "donorEmail": "payer@else.example"}), "held"),
    ];
    for (n, (id, data, _)) in cases.iter().enumerate() {
        let answer = deliver_completion(&stack, &format!("evt_held_{n}"), data.clone()).await;
        assert_eq!(answer["received"], true, "{id}: {answer}");
    }
    let confirmed = stack.wait_for_donation(&same, owner, |v| v["reward"]["state"] == "confirmed").await;
    assert_eq!(confirmed["reward"]["tokens"], 25, "25.00 (a decimal: major units) states the donation's 2500 cents");
    for (id, _, expected) in &cases[1..] {
        let view = stack.wait_for_donation(id, owner, |v| !v["reward"].is_null()).await;
        assert_eq!(view["reward"]["state"], *expected, "{view}");
    }
    let health = stack.call(Method::GET, "/healthz", None, As::Nobody).await.2;
    assert_eq!(health["rewards"]["held"], 2, "{health}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = stack.sandbox_json(Method::GET, "/__sandbox/requests", None).await;
    let submits = log.as_array().map_or(0, |l| l.iter().filter(|r| r["path"] == "/v1/partner/actions/submit").count());
    assert_eq!(submits, 1, "only the agreeing payment was rewarded: {log}");
    assert_eq!(stack.balance(owner).await, 25);
}

#[tokio::test]
async fn another_actions_events_never_touch_a_donors_reward() {
    let stack = Stack::start(&[]).await;
    let cookie = stack.sign_in("jane@example.com").await;
    let jane = As::Cookie(&cookie);
    let id = stack.donate(jane, None).await;
    stack.checkout(&id, "complete").await;
    let view = stack.wait_for_donation(&id, jane, rewarded("confirmed")).await;
    let ours = view["reward"].clone();
    let event = |n: &str, kind: &str, data: Value| json!({"id": n, "type": kind, "data": data}).to_string();
    let foreign = [
        // Another program's action that names our donation in its metadata.
        event(
            "evt_f1",
            "action.completed",
            json!({"idempotencyKey": "referral_bob_1", "actionId": "REFERRAL",
              "tokensDistributed": 3, "metadata": {"partnerDonationId": id}}),
        ),
        event(
            "evt_f2",
            "action.reversed",
            json!({"idempotencyKey": "referral_bob_1", "actionId": "REFERRAL",
              "metadata": {"partnerDonationId": id}}),
        ),
        // Our key, but another action than the one SIR gave us.
        event("evt_f3", "action.reversed", json!({"idempotencyKey": format!("donation_{id}"), "actionId": "OTHER"})),
    ];
    for body in foreign {
        let response = deliver_over_http(&stack.http, &stack.partner_url, body).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let (_, _, view) = stack.call(Method::GET, &format!("/sir/donations/{id}"), None, jane).await;
    assert_eq!(view["reward"], ours, "unchanged");
    assert_eq!(stack.balance(jane).await, 25);
}
