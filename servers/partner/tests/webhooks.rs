//! In process, no SIR needed: `POST /webhooks/sir` (accept, reject, replay, lenient data,
//! stored-but-unapplied events, restart durability), and the contract's local behaviour
//! (identity modes, CORS, origin guard, sessions, limits, health, static files).

mod common;

use std::net::IpAddr;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use serde_json::json;
use sir_partner_server::Store;
use sir_partner_server::config::Database;
use sir_partner_server::store::{IncomingEvent, RewardState};
use sir_signing::unix_now;

#[tokio::test]
async fn a_signed_event_is_accepted_stored_and_applied() {
    let partner = Partner::new(config(&[])).await;
    let response = partner.deliver(&completed_event("evt_1", "d1"), unix_now()).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json(), json!({"received": true, "duplicate": false}));
    assert!(partner.applied("evt_1").await);
    assert_eq!(partner.state.store.event_ids().await.ok(), Some(vec!["evt_1".to_owned()]));
    let donation = partner.state.store.donation("d1").await.expect("read").expect("row");
    assert_eq!((donation.status.as_str(), donation.source.as_str()), ("completed", "webhook"));
    assert_eq!((donation.owner, donation.amount_cents), (None, Some(2500)), "nobody claimed it here");

    // Other event types are stored too, and change no donation.
    let other = json!({"id": "evt_2", "type": "campaign.started", "createdAt": "2026-05-10T09:12:00Z",
                       "data": {"campaignId": "c1"}});
    assert_eq!(partner.deliver(&other.to_string(), unix_now()).await.status, StatusCode::OK);
    assert!(partner.applied("evt_2").await);
    assert_eq!(partner.state.store.event_ids().await.map(|ids| ids.len()).ok(), Some(2));
}

#[tokio::test]
async fn a_decimal_or_string_amount_is_applied_not_dropped() {
    let partner = Partner::new(config(&[])).await;
    for (n, amount, cents) in [(1, json!(25.00), 2500), (2, json!("25.50"), 2550), (3, json!("1999"), 1999)] {
        let body = completed_event_with(&format!("evt_{n}"), &format!("d{n}"), amount.clone());
        partner.deliver(&body, unix_now()).await;
        assert!(partner.applied(&format!("evt_{n}")).await, "{amount}");
        let donation = partner.state.store.donation(&format!("d{n}")).await.expect("read").expect("row");
        assert_eq!(donation.amount_cents, Some(cents), "{amount}");
    }
    // Unknown fields are ignored.
    let extra = json!({"id": "evt_x", "type": "transaction.completed",
                       "data": {"partnerDonationId": "dx", "amount": 500, "fee": {"stripe": 0.3}, "new": [1]}});
    partner.deliver(&extra.to_string(), unix_now()).await;
    assert!(partner.applied("evt_x").await);
}

#[tokio::test]
async fn an_event_that_cannot_be_applied_is_kept_flagged_and_counted_never_silently_dropped() {
    let partner = Partner::new(config(&[])).await;
    let odd = json!({"id": "evt_odd", "type": "transaction.completed", "data": {"partnerDonationId": "d1", "amount": "a lot"}});
    let response = partner.deliver(&odd.to_string(), unix_now()).await;
    assert_eq!(response.status, StatusCode::OK, "SIR must not retry what it can't improve");
    assert_eq!(response.json(), json!({"received": true, "duplicate": false}));
    assert!(!partner.applied("evt_odd").await);
    assert_eq!(partner.state.store.event_ids().await.ok(), Some(vec!["evt_odd".to_owned()]));
    let health = partner.get("/healthz").await.json();
    assert_eq!(health["webhooks"]["unapplied"], 1, "{health}");
    // A redelivery tries again (and says it still could not).
    let again = partner.deliver(&odd.to_string(), unix_now() + 1).await;
    assert_eq!(again.json(), json!({"received": true, "duplicate": true}));
    assert!(!partner.applied("evt_odd").await);
    assert_eq!(partner.get("/healthz").await.json()["webhooks"]["flagged"], 1);
}

#[tokio::test]
async fn an_event_an_earlier_server_could_not_apply_is_applied_at_the_next_start() {
    let db = TempDb::new("reapply");
    {
        // What an older server left: the event stored, flagged as not applied.
        let store = Store::open(&Database::Sqlite(db.path().to_owned())).await.expect("open");
        let mut tx = store.begin().await.expect("tx");
        let body = completed_event_with("evt_old", "d_old", json!(25.00));
        let event = IncomingEvent {
            event_id: "evt_old".into(),
            signature: "sha256=00".into(),
            event_type: "transaction.completed".into(),
            sir_timestamp: 1,
            body,
        };
        Store::insert_event(&mut tx, &event, 1).await.expect("insert");
        Store::flag_event(&mut tx, "evt_old", "amount 25.0 is not an integer").await.expect("flag");
        tx.commit().await.expect("commit");
    }
    let partner = Partner::new(config(&[("PARTNER_DB", db.path())])).await;
    assert_eq!(partner.get("/healthz").await.json()["webhooks"]["unapplied"], 1);
    let (applied, still_not) = sir_partner_server::inbox::drain(&partner.state).await.expect("apply");
    assert_eq!((applied, still_not), (1, 0));
    let donation = partner.state.store.donation("d_old").await.expect("read").expect("row");
    assert_eq!((donation.status.as_str(), donation.amount_cents), ("completed", Some(2500)));
    assert_eq!(partner.get("/healthz").await.json()["webhooks"]["unapplied"], 0);
}

#[tokio::test]
async fn the_documented_vector_verifies_at_its_own_time_only() {
    // API reference §5: a genuine delivery, but from 2025: stale now.
    let partner = Partner::new(config(&[])).await;
    let body = r#"{"id":"evt_abc123","type":"action.completed","createdAt":"2026-05-10T09:12:00Z","data":{"actionId":"a1","tokensDistributed":50}}"#;
    let response = partner.deliver(body, 1_746_868_320).await;
    assert_eq!(response.error_code(StatusCode::UNAUTHORIZED), "STALE_TIMESTAMP");
}

#[tokio::test]
async fn bad_signatures_and_stale_timestamps_are_401_and_not_stored() {
    let partner = Partner::new(config(&[])).await;
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
    assert_eq!(partner.state.store.event_ids().await.map(|ids| ids.len()).ok(), Some(1));
}

#[tokio::test]
async fn a_replay_is_acknowledged_but_processed_once() {
    let partner = Partner::new(config(&[])).await;
    let body = completed_event("evt_1", "d1");
    let now = unix_now();
    assert_eq!(partner.deliver(&body, now).await.json()["duplicate"], false);
    let first = partner.state.store.donation("d1").await.expect("read").expect("row").updated_at;

    // The very same request again (same signature), and a redelivery (same id, new timestamp and signature).
    for timestamp in [now, now + 1] {
        let response = partner.deliver(&body, timestamp).await;
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.json(), json!({"received": true, "duplicate": true}));
    }
    assert_eq!(partner.state.store.event_ids().await.ok(), Some(vec!["evt_1".to_owned()]));
    assert_eq!(partner.state.store.donation("d1").await.expect("read").expect("row").updated_at, first);
}

#[tokio::test]
async fn a_verified_body_that_is_not_an_event_is_400() {
    let partner = Partner::new(config(&[])).await;
    for body in ["not json", r#"{"type":"x"}"#, r#"{"id":"","type":"x","data":{}}"#] {
        let response = partner.deliver(body, unix_now()).await;
        assert_eq!(response.error_code(StatusCode::BAD_REQUEST), "INVALID_EVENT", "{body}");
    }
}

#[tokio::test]
async fn events_survive_a_restart_and_a_redelivery_after_it_is_still_a_duplicate() {
    let db = TempDb::new("restart");
    let body = completed_event("evt_durable", "d_durable");
    {
        let partner = Partner::new(config(&[("PARTNER_DB", db.path())])).await;
        assert_eq!(partner.deliver(&body, unix_now()).await.json()["duplicate"], false);
    } // The first server and its connection are gone.

    let partner = Partner::new(config(&[("PARTNER_DB", db.path())])).await;
    assert_eq!(partner.state.store.event_ids().await.ok(), Some(vec!["evt_durable".to_owned()]));
    let donation = partner.state.store.donation("d_durable").await.expect("read").expect("row");
    assert_eq!((donation.status.as_str(), donation.source.as_str()), ("completed", "webhook"));
    let redelivered = partner.deliver(&body, unix_now() + 2).await;
    assert_eq!(redelivered.json(), json!({"received": true, "duplicate": true}));
    assert!(partner.applied("evt_durable").await);
    assert_eq!(partner.state.store.event_ids().await.map(|ids| ids.len()).ok(), Some(1));
}

#[tokio::test]
async fn donations_and_rewards_need_a_signed_in_user_and_ids_are_checked() {
    let partner = Partner::new(config(&[])).await;
    partner.deliver(&completed_event("evt_1", "d1"), unix_now()).await;
    assert_eq!(partner.get("/sir/donations/d1").await.error_code(StatusCode::UNAUTHORIZED), "SIGN_IN_REQUIRED");
    let reward = partner.post_json("/sir/rewards/donation", &json!({"partnerDonationId": "d1"})).await;
    assert_eq!(reward.error_code(StatusCode::UNAUTHORIZED), "SIGN_IN_REQUIRED");

    let signed_in = partner.post_json("/sir/session", &json!({"email": "jane@example.com"})).await;
    let cookie = signed_in.header("set-cookie").expect("cookie").split(';').next().expect("pair").to_owned();
    // Completed, and even the webhook's email is this user's: but a demo email is not verified.
    assert_eq!(
        partner.get_with("/sir/donations/d1", ("cookie", &cookie)).await.error_code(StatusCode::NOT_FOUND),
        "DONATION_NOT_FOUND"
    );
    let mut reward = Request::post("/sir/rewards/donation")
        .header("content-type", "application/json")
        .header("cookie", &cookie)
        .body(Body::from(r#"{"partnerDonationId":"d1"}"#))
        .expect("request");
    assert_eq!(partner.send(reward).await.error_code(StatusCode::NOT_FOUND), "DONATION_NOT_FOUND");
    assert_eq!(
        partner.get_with("/sir/donations/a.b", ("cookie", &cookie)).await.error_code(StatusCode::BAD_REQUEST),
        "INVALID_DONATION_ID"
    );
    reward = Request::post("/sir/rewards/donation")
        .header("content-type", "application/json")
        .header("cookie", &cookie)
        .body(Body::from(r#"{"id":"x"}"#))
        .expect("request");
    assert_eq!(partner.send(reward).await.error_code(StatusCode::BAD_REQUEST), "INVALID_BODY");
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins_with_credentials() {
    let partner = Partner::new(config(&[])).await;
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
    let partner = Partner::new(config(&[])).await;
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
async fn demo_sessions_never_take_an_external_id_from_the_client() {
    let partner = Partner::new(config(&[("PARTNER_SIGN_INS_PER_IP", "600")])).await;
    let response = partner.post_json("/sir/session", &json!({"email": "Jane@Example.com"})).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!((body["signedIn"].clone(), body["identity"].clone()), (json!(true), json!("demo")));
    let external_id = body["externalId"].as_str().expect("externalId").to_owned();
    assert!(external_id.starts_with("donor_"), "{external_id}");
    let cookie = response.header("set-cookie").expect("set-cookie").to_owned();
    for part in ["sir_partner_session=", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Secure") && !cookie.starts_with("__Host-"), "plain http on loopback: {cookie}");
    let pair = cookie.split(';').next().expect("pair").to_owned();
    let who = partner.get_with("/sir/session", ("cookie", &pair)).await.json();
    assert_eq!((who["externalId"].as_str(), who["emailVerified"].clone()), (Some(external_id.as_str()), json!(false)));

    // Impersonation: the victim's id in the body is refused, not used.
    let chosen =
        partner.post_json("/sir/session", &json!({"email": "x@evil.example", "externalId": external_id})).await;
    assert_eq!(chosen.error_code(StatusCode::BAD_REQUEST), "INVALID_BODY");

    let sign_out = Request::delete("/sir/session").header("cookie", &pair).body(Body::empty()).expect("request");
    let response = partner.send(sign_out).await;
    assert_eq!(response.json()["signedIn"], false);
    assert!(response.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")));
    let after = Request::get("/sir/rewards").header("cookie", &pair).body(Body::empty()).expect("request");
    assert_eq!(partner.send(after).await.json(), json!({"signedIn": false}), "the session is gone server-side");

    let cases = [
        (json!({"email": "nope"}), StatusCode::BAD_REQUEST, "INVALID_EMAIL"),
        (json!({"email": "a@b..co"}), StatusCode::BAD_REQUEST, "INVALID_EMAIL"),
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
async fn off_loopback_the_cookie_is_secure_and_host_prefixed() {
    let partner = Partner::new(config(&[("PARTNER_COOKIE_SECURE", "1")])).await;
    let response = partner.post_json("/sir/session", &json!({"email": "a@b.co"})).await;
    let cookie = response.header("set-cookie").expect("cookie").to_owned();
    assert!(cookie.starts_with("__Host-sir_partner_session=") && cookie.ends_with("; Secure"), "{cookie}");
    let listening_publicly = config(&[("PARTNER_LISTEN", "0.0.0.0:0")]);
    assert!(listening_publicly.cookie_secure);
}

#[tokio::test]
async fn the_sign_in_exists_only_in_demo_mode_and_a_jwt_names_the_user() {
    let partner = Partner::new(config(&[("PARTNER_IDENTITY", "jwt")])).await;
    let sign_in = partner.post_json("/sir/session", &json!({"email": "a@b.co"})).await;
    assert_eq!(sign_in.error_code(StatusCode::METHOD_NOT_ALLOWED), "METHOD_NOT_ALLOWED");
    let token = jwt("user-42", Some("jane@example.com"), true);
    let who = partner.get_with("/sir/session", ("authorization", &format!("Bearer {token}"))).await.json();
    assert_eq!(who["externalId"], "user-42");
    assert_eq!((who["identity"].clone(), who["emailVerified"].clone()), (json!("jwt"), json!(true)));
    let from_cookie =
        partner.get_with("/sir/session", ("cookie", &format!("__Host-partner_token={token}"))).await.json();
    assert_eq!(from_cookie["externalId"], "user-42", "the default cookie is __Host- prefixed");
    // Two cookies of the token's name (one planted by a sibling subdomain): nobody.
    let cookies = format!("partner_token={token}; partner_token={}", jwt("attacker", None, false));
    let jwt_cookie = config(&[("PARTNER_IDENTITY", "jwt"), ("PARTNER_JWT_COOKIE", "partner_token")]);
    let with_cookie = Partner::new(jwt_cookie).await;
    assert_eq!(
        with_cookie.get_with("/sir/session", ("cookie", &format!("partner_token={token}"))).await.json()["externalId"],
        "user-42"
    );
    assert_eq!(with_cookie.get_with("/sir/session", ("cookie", &cookies)).await.json()["signedIn"], false);
    let forged = format!("{}x", &token[..token.len() - 1]);
    let who = partner.get_with("/sir/session", ("authorization", &format!("Bearer {forged}"))).await.json();
    assert_eq!(who["signedIn"], false);
}

#[tokio::test]
async fn proxy_identity_headers_are_believed_only_from_a_trusted_proxy() {
    let vars = [("PARTNER_IDENTITY", "header"), ("PARTNER_TRUSTED_PROXIES", "10.0.0.1")];
    let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
    let through_proxy = Partner::from(config(&vars), proxy).await;
    let who = through_proxy.get_with("/sir/session", ("x-partner-user", "user-7")).await.json();
    assert_eq!(who["externalId"], "user-7");
    let stranger = Partner::from(config(&vars), "203.0.113.9".parse().expect("ip")).await;
    let who = stranger.get_with("/sir/session", ("x-partner-user", "user-7")).await.json();
    assert_eq!(who["signedIn"], false, "anyone can send the header; only the proxy is believed");
    // A proxy that appends passes the client's copy first: two copies sign nobody in.
    let twice = Request::get("/sir/session")
        .header("x-partner-user", "victim-1")
        .header("x-partner-user", "user-7")
        .body(Body::empty())
        .expect("request");
    assert_eq!(through_proxy.send(twice).await.json()["signedIn"], false);
}

#[tokio::test]
async fn a_configured_issuer_is_required_in_every_token() {
    let vars = [("PARTNER_IDENTITY", "jwt"), ("PARTNER_JWT_ISSUER", "https://login.example.org")];
    let partner = Partner::new(config(&vars)).await;
    let key = jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes());
    let token = |iss: Option<&str>| {
        let mut claims = json!({"sub": "user-1", "aud": JWT_AUDIENCE, "exp": unix_now() + 3600});
        if let Some(iss) = iss {
            claims["iss"] = json!(iss);
        }
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("token")
    };
    let partner = &partner;
    let who = |token: String| async move {
        partner.get_with("/sir/session", ("authorization", &format!("Bearer {token}"))).await.json()["signedIn"].clone()
    };
    assert_eq!(who(token(Some("https://login.example.org"))).await, true);
    assert_eq!(who(token(Some("https://evil.example"))).await, false);
    assert_eq!(who(token(None)).await, false, "no iss at all is refused too");
}

#[tokio::test]
async fn a_burst_from_one_client_is_rate_limited_with_retry_after() {
    let partner = Partner::new(config(&[])).await;
    let mut limited = 0;
    for _ in 0..100 {
        let response = partner.get("/sir/rewards").await;
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(response.error_code(StatusCode::TOO_MANY_REQUESTS), "RATE_LIMITED");
            assert!(response.header("retry-after").is_some_and(|s| s.parse::<u64>().is_ok_and(|s| s >= 1)));
            limited += 1;
        }
    }
    // Nobody signed in: the per-session limit keys on the IP, 60 a minute in bursts of 20.
    assert!((75..=80).contains(&limited), "{limited} of 100 limited");

    let fresh = Partner::new(config(&[])).await;
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(fresh.post_json("/sir/session", &json!({"email": "a@b.co"})).await.status);
    }
    // Sign-ins: 10 a minute in bursts of 3.
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 3, "{statuses:?}");
}

#[tokio::test]
async fn health_shows_counts_to_loopback_only_and_static_files_are_served() {
    let dir = std::env::temp_dir().join(format!("sir-partner-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>demo</title>").expect("write");
    std::fs::write(dir.join("widget_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    let partner = Partner::new(config(&[("PARTNER_STATIC_DIR", dir.to_str().expect("path"))])).await;

    let index = partner.get("/").await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.header("content-type").is_some_and(|t| t.starts_with("text/html")));
    let wasm = partner.get("/widget_bg.wasm").await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(partner.get("/missing.js").await.error_code(StatusCode::NOT_FOUND), "NOT_FOUND");
    let health = partner.get("/healthz").await.json();
    assert_eq!((health["status"].clone(), health["rewards"]["pending"].clone()), (json!("ok"), json!(0)));
    let proxied = partner.get_with("/healthz", ("x-forwarded-for", "203.0.113.9")).await.json();
    assert_eq!(proxied, json!({"status": "ok"}), "nothing internal through a proxy");
    let remote = Partner::from(config(&[]), "203.0.113.9".parse().expect("ip")).await;
    assert_eq!(remote.get("/healthz").await.json(), json!({"status": "ok"}));
    let wrong = partner.send(Request::put("/sir/rewards").body(Body::empty()).expect("request")).await;
    assert_eq!(wrong.error_code(StatusCode::METHOD_NOT_ALLOWED), "METHOD_NOT_ALLOWED");

    // Never a dotfile, nor what a link leads to outside the directory.
    std::fs::write(dir.join(".env"), "SIR_SECRET_KEY=sk_test_x").expect("write");
    std::fs::create_dir_all(dir.join(".git")).expect("dir");
    std::fs::write(dir.join(".git").join("config"), "[core]").expect("write");
    let outside = std::env::temp_dir().join(format!("sir-partner-outside-{}.txt", std::process::id()));
    std::fs::write(&outside, "private").expect("write");
    std::os::unix::fs::symlink(&outside, dir.join("leak.txt")).expect("symlink");
    for path in ["/.env", "/%2eenv", "/.git/config", "/%2Egit/config", "/leak.txt"] {
        assert_eq!(partner.get(path).await.error_code(StatusCode::NOT_FOUND), "NOT_FOUND", "{path}");
    }
    std::fs::remove_file(&outside).expect("cleanup");
    std::fs::remove_dir_all(&dir).expect("cleanup");

    let without = Partner::new(config(&[])).await;
    assert_eq!(without.get("/").await.error_code(StatusCode::NOT_FOUND), "NOT_FOUND");
}

#[tokio::test]
async fn a_request_id_from_a_proxy_is_kept_and_a_bad_one_replaced() {
    let partner = Partner::new(config(&[])).await;
    let kept = partner.get_with("/sir/donations/x", ("x-request-id", "edge-123")).await;
    assert_eq!(kept.header("x-request-id"), Some("edge-123"));
    assert_eq!(kept.json()["requestId"], "edge-123");
    let replaced = partner.get_with("/sir/donations/x", ("x-request-id", "<script>")).await;
    assert!(replaced.header("x-request-id").is_some_and(|id| id.len() == 16 && id != "<script>"));
}

#[tokio::test]
async fn a_reward_sir_refuses_for_good_is_failed_and_counted_and_another_systems_action_is_ignored() {
    let partner = Partner::new(config(&[])).await;
    let store = &partner.state.store;
    let donation = sir_partner_server::store::NewDonation {
        id: "d9".into(),
        owner: Some("user-9".into()),
        owner_email: None,
        amount_cents: 2500,
        currency: "USD".into(),
        nonprofit_slug: "st-jude".into(),
        frequency: "once".into(),
        ..Default::default()
    };
    store.create_donation(&donation, 1).await.expect("create");
    // The webhook completes it; its reward goes into the outbox (no worker runs here).
    partner.deliver(&completed_event("evt_c", "d9"), unix_now()).await;
    assert!(partner.applied("evt_c").await);
    let failed = json!({"id": "evt_f", "type": "action.failed", "data": {"idempotencyKey": "donation_d9",
                        "status": "FAILED", "reason": "USER_SUSPENDED"}});
    partner.deliver(&failed.to_string(), unix_now()).await;
    assert!(partner.applied("evt_f").await);
    let reward = store.reward("d9").await.expect("read").expect("row");
    assert_eq!((reward.state, reward.last_error.as_deref()), (RewardState::Failed, Some("USER_SUSPENDED")));
    assert_eq!(partner.get("/healthz").await.json()["rewards"]["failed"], 1);

    let foreign =
        json!({"id": "evt_x", "type": "action.completed", "data": {"idempotencyKey": "order_77", "actionId": "a77"}});
    partner.deliver(&foreign.to_string(), unix_now()).await;
    assert!(partner.applied("evt_x").await);
    assert_eq!(store.reward("d9").await.expect("read").map(|r| r.state), Some(RewardState::Failed));
}

#[tokio::test]
async fn the_private_listener_needs_its_token_and_off_loopback_one_must_be_set() {
    use tower::ServiceExt as _;
    let token = "metrics-token-0123456789-0123456789-abcdef";
    let partner = Partner::new(config(&[("PARTNER_METRICS_TOKEN", token)])).await;
    let router = sir_partner_server::metrics::router(partner.state.clone());
    let get = |auth: Option<String>| {
        let mut request = Request::get("/donations.csv");
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        router.clone().oneshot(request.body(Body::empty()).expect("request"))
    };
    assert_eq!(get(None).await.expect("answer").status(), StatusCode::UNAUTHORIZED);
    assert_eq!(get(Some("Bearer wrong".into())).await.expect("answer").status(), StatusCode::UNAUTHORIZED);
    assert_eq!(get(Some(format!("Bearer {token}"))).await.expect("answer").status(), StatusCode::OK);

    let vars: std::collections::HashMap<String, String> = [
        ("SIR_SECRET_KEY", DEMO_SK),
        ("SIR_HMAC_SECRET", DEMO_HMAC),
        ("SIR_WEBHOOK_SECRET", WHSEC),
        ("SIR_PUBLISHABLE_KEY", DEMO_PK),
        ("PARTNER_IDENTITY", "demo"),
        ("PARTNER_METRICS_LISTEN", "0.0.0.0:9464"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let refused = sir_partner_server::Config::from_lookup(|name| vars.get(name).cloned()).expect_err("refused");
    assert!(refused.to_string().contains("needs PARTNER_METRICS_TOKEN"), "{refused}");
}
