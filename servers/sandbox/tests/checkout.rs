//! The hosted checkout page, logos and the index page.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use serde_json::json;

fn path_of(link: &str) -> String {
    link.strip_prefix(PUBLIC_URL).expect("link under the public URL").to_owned()
}

async fn post_action(sandbox: &Sandbox, id: &str, action: &str) {
    let response = sandbox.send(request(Method::POST, &format!("/checkout/{id}/{action}"), None, None)).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.header("location"), Some(format!("/checkout/{id}").as_str()));
}

#[tokio::test]
async fn the_checkout_page_shows_the_donation_and_its_buttons() {
    let sandbox = Sandbox::new();
    let mut body = valid_donation();
    body["tipAmount"] = json!(250);
    let (_, link) = sandbox.create_donation(&body).await;
    let page = sandbox.get(&path_of(&link), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = page.text();
    for expected in [
        "SIR sandbox — no real money moves",
        "American Red Cross",
        "EIN 53-0196605",
        "$25.00",
        "one-time",
        "$2.50",
        "$27.50",
        "Jane Doe",
        "jane@example.com",
        ">Complete donation</button>",
        ">Cancel</button>",
        ">Simulate failure</button>",
        "role=\"status\"",
        "src=\"/logos/american-red-cross.svg\"",
    ] {
        assert!(html.contains(expected), "missing {expected:?} in\n{html}");
    }
    assert!(!html.contains("<script"), "no JavaScript at all");
    assert!(!html.contains("http"), "no external resource, no absolute link without an Origin");
}

#[tokio::test]
async fn currencies_and_monthly_are_shown() {
    let sandbox = Sandbox::new();
    for (currency, expected) in [("EUR", "€12.34"), ("GBP", "£12.34"), ("CAD", "CA$12.34"), ("AUD", "A$12.34")] {
        let body = json!({"nonprofitSlug": "water-org", "amount": 1234, "currency": currency, "frequency": "monthly"});
        let (_, link) = sandbox.create_donation(&body).await;
        let html = sandbox.get(&path_of(&link), None).await.text();
        assert!(html.contains(expected) && html.contains("monthly"), "{currency}: {html}");
    }
}

#[tokio::test]
async fn completing_cancelling_and_failing_flip_the_status_endpoint() {
    let sandbox = Sandbox::new();
    for (action, status, message) in [
        ("complete", "completed", "Thank you — your donation is complete"),
        ("cancel", "cancelled", "Donation cancelled"),
        ("fail", "failed", "Payment failed"),
    ] {
        let (id, _) = sandbox.create_donation(&valid_donation()).await;
        assert_eq!(sandbox.donation_status(&id).await, "pending");
        post_action(&sandbox, &id, action).await;
        assert_eq!(sandbox.donation_status(&id).await, status);
        let html = sandbox.get(&format!("/checkout/{id}"), None).await.text();
        assert!(html.contains(message), "{action}: {html}");
        assert!(!html.contains("Complete donation"), "a finished checkout offers no buttons");
        // Finished is final: another POST only redirects.
        post_action(&sandbox, &id, "complete").await;
        assert_eq!(sandbox.donation_status(&id).await, status);
    }
}

#[tokio::test]
async fn expired_checkouts_say_so() {
    let sandbox = Sandbox::with(sir_sandbox::Config { checkout_ttl: std::time::Duration::ZERO, ..config() });
    let (id, _) = sandbox.create_donation(&valid_donation()).await;
    let html = sandbox.get(&format!("/checkout/{id}"), None).await.text();
    assert!(html.contains("This checkout link has expired"), "{html}");
    assert!(!html.contains("Complete donation"));
}

#[tokio::test]
async fn the_return_link_points_at_the_partner_origin_only_when_it_is_a_web_origin() {
    let sandbox = Sandbox::new();
    let create = |origin: &'static str| {
        Request::post("/v1/partner/donations/create-link")
            .header("x-partner-key", DEMO_PK)
            .header("content-type", "application/json")
            .header("origin", origin)
            .body(Body::from(valid_donation().to_string()))
            .expect("request")
    };
    let id = |response: TestResponse| string(&response.json()["partnerDonationId"]);

    let web = id(sandbox.send(create("https://partner.example:8443")).await);
    post_action(&sandbox, &web, "complete").await;
    let html = sandbox.get(&format!("/checkout/{web}"), None).await.text();
    assert!(
        html.contains(r#"href="https://partner.example:8443">Return to https://partner.example:8443</a>"#),
        "{html}"
    );

    for origin in ["null", "javascript:alert(1)"] {
        let other = id(sandbox.send(create(origin)).await);
        let html = sandbox.get(&format!("/checkout/{other}"), None).await.text();
        assert!(!html.contains("Return to"), "{origin}: {html}");
    }
}

#[tokio::test]
async fn the_tricky_name_is_escaped_on_the_checkout_page() {
    let sandbox = Sandbox::new();
    let body = json!({"nonprofitSlug": "kids-arts-fund", "amount": 500, "currency": "USD", "frequency": "once",
        "firstName": "<b>Eve</b>", "donorEmail": "eve+\"x\"@example.com"});
    let (_, link) = sandbox.create_donation(&body).await;
    let html = sandbox.get(&path_of(&link), None).await.text();
    assert!(html.contains("Kids &amp; Arts &lt;Fund&gt; &quot;Create&quot; &#39;Now&#39;"), "{html}");
    assert!(html.contains("&lt;b&gt;Eve&lt;/b&gt;"), "{html}");
    assert!(html.contains("eve+&quot;x&quot;@example.com"), "{html}");
    assert!(!html.contains("<Fund>") && !html.contains("<b>"), "{html}");
}

#[tokio::test]
async fn unknown_checkouts_are_a_404_page() {
    let sandbox = Sandbox::new();
    let page = sandbox.get("/checkout/000000000000000000000000", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text().contains("Checkout not found"));
    post_action(&sandbox, "000000000000000000000000", "complete").await;
}

#[tokio::test]
async fn logos_are_escaped_svg() {
    let sandbox = Sandbox::new();
    let logo = sandbox.get("/logos/kids-arts-fund.svg", None).await;
    assert_eq!(logo.status, StatusCode::OK);
    assert_eq!(logo.header("content-type"), Some("image/svg+xml"));
    let svg = logo.text();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
    assert!(svg.contains("<title>Kids &amp; Arts &lt;Fund&gt; &quot;Create&quot; &#39;Now&#39;</title>"), "{svg}");
    assert!(svg.contains(">KA</text>"), "{svg}");
    assert!(!svg.contains("<Fund>"));

    let red_cross = sandbox.get("/logos/american-red-cross.svg", None).await.text();
    assert!(red_cross.contains(">AR</text>") && red_cross.contains("fill=\"#c8102e\""), "{red_cross}");
    assert_eq!(sandbox.get("/logos/nope.svg", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sandbox.get("/logos/american-red-cross.png", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_index_lists_keys_and_nonprofits_escaped() {
    let sandbox = Sandbox::new();
    let index = sandbox.get("/", None).await;
    assert_eq!(index.status, StatusCode::OK);
    let html = index.text();
    for seeded in sir_sandbox::seed::PARTNERS {
        assert!(html.contains(seeded.publishable_key) && html.contains(seeded.secret_key));
    }
    assert!(html.contains("defunct-relief-fund") && html.contains("Kids &amp; Arts &lt;Fund&gt;"), "{html}");
    assert_eq!(sandbox.get("/healthz", None).await.text(), "ok");
}
