//! What a campaign's partner asks of the server (issue #23): a goal meter's totals from
//! signed webhooks only, and each donation's attribution, kept and exported.

mod common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

/// The tests poll from one address: room for that.
const POLLING: &[(&str, &str)] = &[("PARTNER_RATE_PER_IP", "6000"), ("PARTNER_RATE_PER_SESSION", "6000")];

/// A donation through the partner server with a campaign code and the landing page's
/// attribution; returns its id.
async fn donate(stack: &Stack, user: As<'_>, cents: u64, campaign: &str, source: &str) -> String {
    let body = json!({"nonprofitSlug": "st-jude", "amount": cents, "currency": "USD", "frequency": "once",
                      "campaign": campaign, "attribution": {"utm_source": source, "utm_medium": "email", "gclid": "Cj0KCQ-x_1"}});
    let (status, _, created) = stack.call(Method::POST, "/sir/donations", Some(body), user).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["partnerDonationId"].as_str().expect("id").to_owned()
}

async fn totals(stack: &Stack, query: &str) -> Value {
    let (status, _, body) = stack.call(Method::GET, &format!("/sir/totals?{query}"), None, As::Nobody).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Waits until the totals for `query` say `donations` (the inbox applies after the answer).
async fn totals_reach(stack: &Stack, query: &str, donations: i64) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        last = totals(stack, query).await;
        if last["donations"] == donations {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("totals never reached {donations} donations: {last}");
}

#[tokio::test]
async fn the_goal_meter_counts_signed_confirmed_donations_only_and_drops_reversed_ones() {
    let stack = Stack::start(POLLING).await;
    let (jane, john) = (stack.sign_in("jane@example.com").await, stack.sign_in("john@example.com").await);
    let first = donate(&stack, As::Cookie(&jane), 2500, "spring", "newsletter").await;
    let second = donate(&stack, As::Cookie(&john), 1000, "spring", "facebook").await;
    let unpaid = donate(&stack, As::Cookie(&john), 9900, "spring", "facebook").await;
    assert_eq!(totals(&stack, "org=st-jude").await["donations"], 0, "nothing paid yet");
    stack.checkout(&first, "complete").await;
    stack.checkout(&second, "complete").await;

    let all = totals_reach(&stack, "org=st-jude", 2).await;
    assert_eq!(
        (all["raised"].clone(), all["donors"].clone()),
        (json!([{"currency": "USD", "amount": 3500}]), json!(2))
    );
    assert_eq!(totals(&stack, "org=st-jude&campaign=spring").await["raised"][0]["amount"], 3500);
    assert_eq!(totals(&stack, "org=st-jude&campaign=autumn").await["donations"], 0);
    assert_eq!(totals(&stack, "org=water-org").await["raised"], json!([]));

    // Unsigned, and replayed: the totals don't move.
    let forged = json!({"id": "evt_forged", "type": "transaction.completed",
                        "data": {"partnerDonationId": unpaid, "amount": 9900, "currency": "USD"}})
    .to_string();
    let unsigned = stack
        .http
        .post(format!("{}/webhooks/sir", stack.partner_url))
        .header("content-type", "application/json")
        .header("x-sir-timestamp", sir_signing::unix_now().to_string())
        .header("x-sir-signature", format!("sha256={}", "0".repeat(64)))
        .body(forged)
        .send()
        .await
        .expect("post");
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let deliveries = stack.sandbox_json(Method::GET, "/__sandbox/webhooks/deliveries", None).await;
    let completed = deliveries
        .as_array()
        .and_then(|list| list.iter().find(|d| d["type"] == "transaction.completed"))
        .and_then(|d| d["eventId"].as_str())
        .expect("a completion")
        .to_owned();
    stack.sandbox_json(Method::POST, &format!("/__sandbox/webhooks/redeliver/{completed}"), None).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let unchanged = totals(&stack, "org=st-jude").await;
    assert_eq!((unchanged["donations"].clone(), unchanged["raised"][0]["amount"].clone()), (json!(2), json!(3500)));

    // Refunded: SIR reverses the reward, and the totals drop the donation.
    let view = stack.wait_for_donation(&first, As::Cookie(&jane), |view| view["reward"]["state"] == "confirmed").await;
    let action = view["reward"]["actionId"].as_str().expect("action id").to_owned();
    stack.sandbox_json(Method::POST, &format!("/__sandbox/actions/{action}/reverse"), Some(json!({}))).await;
    let reduced = totals_reach(&stack, "org=st-jude", 1).await;
    assert_eq!((reduced["raised"][0]["amount"].clone(), reduced["donors"].clone()), (json!(1000), json!(1)));
}

#[tokio::test]
async fn attribution_is_kept_shown_to_the_owner_and_exported_with_confirmed_donations() {
    let stack = Stack::start(POLLING).await;
    let jane = stack.sign_in("jane@example.com").await;
    let id = donate(&stack, As::Cookie(&jane), 2500, "spring", "newsletter").await;
    let (_, _, view) = stack.call(Method::GET, &format!("/sir/donations/{id}"), None, As::Cookie(&jane)).await;
    assert_eq!(view["attribution"], json!({"utm_source": "newsletter", "utm_medium": "email", "gclid": "Cj0KCQ-x_1"}));
    assert_eq!(view["campaign"], "spring");
    let sent = stack.sandbox_json(Method::GET, "/__sandbox/requests", None).await;
    assert!(!sent.to_string().contains("newsletter"), "SIR has no field for it: nothing sent");

    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let export_url = format!("http://{}/donations.csv", metrics.local_addr().expect("address"));
    let router = sir_partner_server::metrics::router(stack.partner.clone());
    tokio::spawn(async move { axum::serve(metrics, router).await });
    let export = || async { stack.http.get(&export_url).send().await.expect("export").text().await.expect("text") };
    assert_eq!(export().await.lines().count(), 1, "only the header before the payment");
    stack.checkout(&id, "complete").await;
    totals_reach(&stack, "org=st-jude", 1).await;
    let csv = export().await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "partnerDonationId,completedAt,nonprofitSlug,campaign,amount,currency,frequency,utm_source,utm_medium,\
         utm_campaign,utm_term,utm_content,gclid,fbclid"
    );
    assert!(
        lines[1].starts_with(&format!("\"{id}\",\""))
            && lines[1].ends_with(",\"st-jude\",\"spring\",\"25.00\",\"USD\",\"once\",\"newsletter\",\"email\",\"\",\"\",\"\",\"Cj0KCQ-x_1\",\"\""),
        "{csv}"
    );

    // Markup, a formula or an overlong value is refused, never stored.
    for attribution in [
        json!({"utm_source": "<script>"}),
        json!({"utm_source": "=HYPERLINK(1)"}),
        json!({"gclid": "x".repeat(201)}),
        json!({"utm_id": "1"}),
    ] {
        let body = json!({"nonprofitSlug": "st-jude", "amount": 500, "currency": "USD", "frequency": "once", "attribution": attribution});
        let (status, _, answer) = stack.call(Method::POST, "/sir/donations", Some(body), As::Cookie(&jane)).await;
        assert_eq!((status, answer["code"].clone()), (StatusCode::BAD_REQUEST, json!("INVALID_BODY")), "{attribution}");
    }
    let (status, _, _) = stack.call(Method::GET, "/sir/totals?org=%3Cb%3E", None, As::Nobody).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
