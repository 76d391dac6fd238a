//! `POST /webhooks/sir` in process: accept, reject, replay, restart durability; and the
//! contract's local behaviour (CORS, origin guard, sessions, static files), no SIR needed.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use serde_json::json;
use sir_signing::unix_now;

#[tokio::test]
async fn a_signed_event_is_accepted_stored_and_applied() {
    let partner = Partner::new(config(&[]));
    let response = partner.deliver(&completed_event("evt_1", "d1"), unix_now()).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json(), json!({"received": true, "duplicate": false}));
    assert_eq!(partner.state.db.event_ids().await, Ok(vec!["evt_1".to_owned()]));

    let view = partner.get("/sir/donations/d1").await;
    assert_eq!(view.status, StatusCode::OK);
    let view = view.json();
    assert_eq!(
        (view["status"].clone(), view["source"].clone(), view["reward"].clone()),
        (json!("completed"), json!("webhook"), json!(null))
    );
    assert!(view["updatedAt"].as_str().is_some_and(|t| t.ends_with('Z')), "{view}");

    // Other event types are stored too, and change no donation.
    let other = json!({"id": "evt_2", "type": "action.completed", "createdAt": "2026-05-10T09:12:00Z",
                       "data": {"actionId": "a1", "tokensDistributed": 50}});
    let response = partner.deliver(&other.to_string(), unix_now()).await;
    assert_eq!(response.json()["duplicate"], false);
    assert_eq!(partner.state.db.event_ids().await.map(|ids| ids.len()), Ok(2));
}

#[tokio::test]
async fn the_documented_vector_verifies_at_its_own_time_only() {
    // API reference §5: a genuine delivery, but from 2025: stale now.
    let partner = Partner::new(config(&[]));
    let body = r#"{"id":"evt_abc123","type":"action.completed","createdAt":"2026-05-10T09:12:00Z","data":{"actionId":"a1","tokensDistributed":50}}"#;
    let response = partner.deliver(body, 1_746_868_320).await;
    assert_eq!(response.error_code(StatusCode::UNAUTHORIZED), "STALE_TIMESTAMP");
}

#[tokio::test]
async fn bad_signatures_and_stale_timestamps_are_401_and_not_stored() {
    let partner = Partner::new(config(&[]));
    let body = completed_event("evt_1", "d1");
    let now = unix_now();

    let wrong_secret = webhook_request(&body, now, &format!("whsec_{}", "cd".repeat(32)));
    assert_eq!(partner.send(wrong_secret).await.error_code(StatusCode::UNAUTHORIZED), "INVALID_SIGNATURE");

    // Keyed with only the hex part of the secret: refused (the key is the whole whsec_ string).
    let hex_only = webhook_request(&body, now, &WHSEC[6..]);
    assert_eq!(partner.send(hex_only).await.error_code(StatusCode::UNAUTHORIZED), "INVALID_SIGNATURE");

    let mut tampered = webhook_request(&body, now, WHSEC);
    *tampered.body_mut() = Body::from(body.replace("2500", "250000"));
    assert_eq!(partner.send(tampered).await.error_code(StatusCode::UNAUTHORIZED), "INVALID_SIGNATURE");

    let mut unsigned = webhook_request(&body, now, WHSEC);
    unsigned.headers_mut().remove("x-sir-signature");
    assert_eq!(partner.send(unsigned).await.error_code(StatusCode::UNAUTHORIZED), "INVALID_SIGNATURE");

    let mut no_timestamp = webhook_request(&body, now, WHSEC);
    no_timestamp.headers_mut().remove("x-sir-timestamp");
    assert_eq!(partner.send(no_timestamp).await.error_code(StatusCode::UNAUTHORIZED), "INVALID_SIGNATURE");

    for stale in [now - 301, now + 301] {
        assert_eq!(partner.deliver(&body, stale).await.error_code(StatusCode::UNAUTHORIZED), "STALE_TIMESTAMP");
    }
    assert_eq!(partner.deliver(&body, now - 299).await.status, StatusCode::OK, "within five minutes is fine");
    assert_eq!(partner.state.db.event_ids().await.map(|ids| ids.len()), Ok(1));
}

#[tokio::test]
async fn a_replay_is_acknowledged_but_processed_once() {
    let partner = Partner::new(config(&[]));
    let body = completed_event("evt_1", "d1");
    let now = unix_now();
    assert_eq!(partner.deliver(&body, now).await.json()["duplicate"], false);
    let first_update = partner.get("/sir/donations/d1").await.json()["updatedAt"].clone();

    // The very same request again (same signature), and a redelivery (same id, new timestamp and signature).
    for timestamp in [now, now + 1] {
        let response = partner.deliver(&body, timestamp).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.json(), json!({"received": true, "duplicate": true}));
    }
    assert_eq!(partner.state.db.event_ids().await, Ok(vec!["evt_1".to_owned()]));
    assert_eq!(partner.get("/sir/donations/d1").await.json()["updatedAt"], first_update);
}

#[tokio::test]
async fn a_verified_body_that_is_not_an_event_is_400() {
    let partner = Partner::new(config(&[]));
    for body in ["not json", r#"{"type":"x"}"#, r#"{"id":"","type":"x","data":{}}"#] {
        let response = partner.deliver(body, unix_now()).await;
        assert_eq!(response.error_code(StatusCode::BAD_REQUEST), "INVALID_EVENT", "{body}");
    }
    // A transaction.completed without a usable donation id is kept (SIR sent it) but applied to nothing.
    let odd = json!({"id": "evt_odd", "type": "transaction.completed", "data": {"partnerDonationId": "a/b"}});
    assert_eq!(partner.deliver(&odd.to_string(), unix_now()).await.status, StatusCode::OK);
    assert_eq!(partner.state.db.event_ids().await, Ok(vec!["evt_odd".to_owned()]));
}

#[tokio::test]
async fn events_survive_a_restart_and_a_redelivery_after_it_is_still_a_duplicate() {
    let db = TempDb::new("restart");
    let body = completed_event("evt_durable", "d_durable");
    {
        let partner = Partner::new(config(&[("PARTNER_DB", db.path())]));
        assert_eq!(partner.deliver(&body, unix_now()).await.json()["duplicate"], false);
    } // The first server and its connection are gone.

    let partner = Partner::new(config(&[("PARTNER_DB", db.path())]));
    assert_eq!(partner.state.db.event_ids().await, Ok(vec!["evt_durable".to_owned()]));
    let view = partner.get("/sir/donations/d_durable").await.json();
    assert_eq!((view["status"].clone(), view["source"].clone()), (json!("completed"), json!("webhook")));
    let redelivered = partner.deliver(&body, unix_now() + 2).await;
    assert_eq!(redelivered.json(), json!({"received": true, "duplicate": true}));
    assert_eq!(partner.state.db.event_ids().await.map(|ids| ids.len()), Ok(1));
}

#[tokio::test]
async fn without_a_publishable_key_unknown_donations_read_pending_and_cannot_be_rewarded() {
    let partner = Partner::new(config(&[]));
    let view = partner.get("/sir/donations/abc123").await.json();
    assert_eq!((view["status"].clone(), view["source"].clone()), (json!("pending"), json!("webhook")));
    let response = partner.post_json("/sir/rewards/donation", &json!({"partnerDonationId": "abc123"})).await;
    assert_eq!(response.error_code(StatusCode::CONFLICT), "DONATION_NOT_COMPLETED");
    let response = partner.get("/sir/donations/a.b").await;
    assert_eq!(response.error_code(StatusCode::BAD_REQUEST), "INVALID_DONATION_ID");
    let response = partner.post_json("/sir/rewards/donation", &json!({"id": "x"})).await;
    assert_eq!(response.error_code(StatusCode::BAD_REQUEST), "INVALID_BODY");
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins_with_credentials() {
    let partner = Partner::new(config(&[]));
    let preflight = |origin: &str, method: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/sir/rewards/donation")
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .expect("request")
    };
    let allowed = partner.send(preflight(WIDGET_ORIGIN, "POST")).await;
    assert!(allowed.status.is_success());
    assert_eq!(allowed.header("access-control-allow-origin"), Some(WIDGET_ORIGIN));
    assert_eq!(allowed.header("access-control-allow-credentials"), Some("true"));
    let methods = allowed.header("access-control-allow-methods").unwrap_or_default().to_owned();
    assert!(["GET", "POST", "DELETE", "OPTIONS"].iter().all(|m| methods.contains(m)), "{methods}");
    assert!(allowed.header("access-control-allow-headers").is_some_and(|h| h.contains("content-type")));

    let other = partner.send(preflight("https://evil.example", "POST")).await;
    assert_eq!(other.header("access-control-allow-origin"), None);

    let get = Request::get("/sir/rewards").header("origin", WIDGET_ORIGIN).body(Body::empty()).expect("request");
    let response = partner.send(get).await;
    assert_eq!(response.json(), json!({"signedIn": false}));
    assert_eq!(response.header("access-control-allow-origin"), Some(WIDGET_ORIGIN));
    assert_eq!(response.header("access-control-allow-credentials"), Some("true"));
}

#[tokio::test]
async fn state_changing_calls_from_other_origins_are_403() {
    let partner = Partner::new(config(&[]));
    let sign_in = |origin: &str, host: &str| {
        Request::post("/sir/session")
            .header("origin", origin)
            .header("host", host)
            .header("content-type", "application/json")
            .body(Body::from(r#"{"email":"jane@example.com"}"#))
            .expect("request")
    };
    let refused = partner.send(sign_in("https://evil.example", "127.0.0.1:8788")).await;
    assert_eq!(refused.error_code(StatusCode::FORBIDDEN), "ORIGIN_NOT_ALLOWED");
    assert_eq!(partner.send(sign_in(WIDGET_ORIGIN, "127.0.0.1:8788")).await.status, StatusCode::OK);
    // The widget served by the partner server itself is same-origin.
    assert_eq!(partner.send(sign_in("http://127.0.0.1:8788", "127.0.0.1:8788")).await.status, StatusCode::OK);
    // The webhook endpoint is server-to-server: no origin rules.
    assert_eq!(partner.deliver(&completed_event("evt_o", "d"), unix_now()).await.status, StatusCode::OK);
}

#[tokio::test]
async fn sessions_set_an_http_only_lax_cookie_and_sign_out_clears_it() {
    let partner = Partner::new(config(&[]));
    let response = partner.post_json("/sir/session", &json!({"email": "Jane@Example.com"})).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body["signedIn"], true);
    let external_id = body["externalId"].as_str().expect("externalId").to_owned();
    assert!(external_id.starts_with("donor_"), "{external_id}");
    let cookie = response.header("set-cookie").expect("set-cookie").to_owned();
    for part in ["sir_partner_session=", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http demo: {cookie}");
    let pair = cookie.split(';').next().expect("pair").to_owned();

    let explicit = partner.post_json("/sir/session", &json!({"email": "a@b.co", "externalId": "user-42"})).await;
    assert_eq!(explicit.json()["externalId"], "user-42");

    let sign_out = Request::delete("/sir/session").header("cookie", &pair).body(Body::empty()).expect("request");
    let response = partner.send(sign_out).await;
    assert_eq!(response.json(), json!({"signedIn": false}));
    assert!(response.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")));
    let after = Request::get("/sir/rewards").header("cookie", &pair).body(Body::empty()).expect("request");
    assert_eq!(partner.send(after).await.json(), json!({"signedIn": false}), "the session is gone server-side");

    let cases = [
        (json!({"email": "nope"}), StatusCode::BAD_REQUEST, "INVALID_EMAIL"),
        (json!({"email": "a@b.co", "externalId": "has space"}), StatusCode::BAD_REQUEST, "INVALID_EXTERNAL_ID"),
        (json!({"mail": "a@b.co"}), StatusCode::BAD_REQUEST, "INVALID_BODY"),
    ];
    for (body, status, code) in cases {
        assert_eq!(partner.post_json("/sir/session", &body).await.error_code(status), code, "{body}");
    }
    let form = Request::post("/sir/session")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("email=a@b.co"))
        .expect("request");
    assert_eq!(partner.send(form).await.error_code(StatusCode::UNSUPPORTED_MEDIA_TYPE), "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn the_secure_flag_is_opt_in() {
    let partner = Partner::new(config(&[("PARTNER_COOKIE_SECURE", "1")]));
    let response = partner.post_json("/sir/session", &json!({"email": "a@b.co"})).await;
    assert!(response.header("set-cookie").is_some_and(|c| c.ends_with("; Secure")));
}

#[tokio::test]
async fn static_files_with_the_wasm_type_and_json_errors_elsewhere() {
    let dir = std::env::temp_dir().join(format!("sir-partner-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>demo</title>").expect("write");
    std::fs::write(dir.join("widget_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    let partner = Partner::new(config(&[("PARTNER_STATIC_DIR", dir.to_str().expect("path"))]));

    let index = partner.get("/").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.header("content-type").is_some_and(|t| t.starts_with("text/html")));
    let wasm = partner.get("/widget_bg.wasm").await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(partner.get("/missing.js").await.error_code(StatusCode::NOT_FOUND), "NOT_FOUND");
    assert_eq!(partner.get("/healthz").await.text(), "ok");
    let wrong = partner.send(Request::put("/sir/rewards").body(Body::empty()).expect("request")).await;
    assert_eq!(wrong.error_code(StatusCode::METHOD_NOT_ALLOWED), "METHOD_NOT_ALLOWED");
    std::fs::remove_dir_all(&dir).expect("cleanup");

    let without = Partner::new(config(&[]));
    assert_eq!(without.get("/").await.error_code(StatusCode::NOT_FOUND), "NOT_FOUND");
}
