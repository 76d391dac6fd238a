//! Two partner servers sharing one PostgreSQL database, as a partner runs them behind a
//! load balancer: the real binaries, beside a real sandbox. SIR's signed webhook for each
//! of 50 donations reaches both instances at the same moment; one instance is killed
//! halfway. Every donation must be applied once and rewarded once, to the right user.
//!
//! Needs a PostgreSQL server (`PARTNER_TEST_DATABASE_URL`; `make test` starts one).

mod common;

use std::process::{Command, Stdio};
use std::str::FromStr as _;
use std::time::{Duration, Instant};

use common::postgres::postgres_database;
use common::process::{Process, binary, free_port};
use common::{DEMO_HMAC, DEMO_PK, DEMO_SK, JWT_AUDIENCE, JWT_SECRET, WHSEC, jwt};
use serde_json::{Value, json};
use sqlx::{Connection as _, Row as _};

const DONATIONS: usize = 50;

fn partner(sandbox_url: &str, database_url: &str) -> Process {
    let mut command = Command::new(binary("sir-partner-server"));
    command
        .env_clear()
        .envs([
            ("SIR_API_BASE", sandbox_url),
            ("SIR_SECRET_KEY", DEMO_SK),
            ("SIR_HMAC_SECRET", DEMO_HMAC),
            ("SIR_WEBHOOK_SECRET", WHSEC),
            ("SIR_PUBLISHABLE_KEY", DEMO_PK),
            ("PARTNER_IDENTITY", "jwt"),
            ("PARTNER_JWT_SECRET", JWT_SECRET),
            ("PARTNER_JWT_AUDIENCE", JWT_AUDIENCE),
            ("PARTNER_DATABASE_URL", database_url),
            ("PARTNER_LISTEN", &format!("127.0.0.1:{}", free_port())),
            ("PARTNER_RATE_PER_IP", "1000000"),
            ("PARTNER_RATE_PER_SESSION", "1000000"),
            ("PARTNER_OUTBOX_RETRY_BASE_MS", "100"),
            ("PARTNER_OUTBOX_RETRY_MAX_MS", "500"),
            // A killed instance's leases run out soon, so the survivor takes its rewards over.
            ("PARTNER_OUTBOX_LEASE_MS", "2000"),
        ])
        .stderr(Stdio::null());
    Process::start(command)
}

/// SIR's webhook for a paid donation, signed, as its delivery would carry it.
fn signed_completion(event_id: &str, donation_id: &str) -> (String, String, String) {
    let body = json!({"id": event_id, "type": "transaction.completed", "createdAt": "2026-12-02T10:00:00Z",
                      "data": {"partnerDonationId": donation_id, "amount": 2500, "currency": "USD", "status": "completed"}})
    .to_string();
    let timestamp = sir_signing::unix_now();
    let signature = sir_signing::sign_webhook(WHSEC, timestamp, body.as_bytes());
    (body, timestamp.to_string(), signature)
}

#[tokio::test]
async fn two_instances_apply_and_reward_every_donation_once_even_when_one_dies() {
    let Some(database_url) = postgres_database("two_instances").await else { return };
    let mut sandbox = Command::new(binary("sir-sandbox"));
    sandbox.args(["--port", "0", "--rate-limit", "100000", "--log-format", "json"]).stderr(Stdio::null());
    let sandbox = Process::start(sandbox);
    // Started together: the migration runs once, under PostgreSQL's advisory lock.
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| partner(&sandbox.url, &database_url));
        let b = scope.spawn(|| partner(&sandbox.url, &database_url));
        (a.join().expect("a"), b.join().expect("b"))
    });
    let (a_url, b_url) = (a.url.clone(), b.url.clone());
    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");

    // Each of 50 users makes a donation, through one instance or the other.
    let mut donations = Vec::new();
    for n in 0..DONATIONS {
        let token = jwt(&format!("user-{n}"), None, false);
        let url = if n % 2 == 0 { &a_url } else { &b_url };
        let created: Value = http
            .post(format!("{url}/sir/donations"))
            .bearer_auth(&token)
            .json(&json!({"nonprofitSlug": "water-org", "amount": 2500, "currency": "USD", "frequency": "once"}))
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("JSON");
        donations.push((created["partnerDonationId"].as_str().expect("id").to_owned(), token));
    }

    // SIR delivers each webhook to both at once; halfway, instance B dies.
    let mut b = Some(b);
    for (n, (id, _)) in donations.iter().enumerate() {
        if n == DONATIONS / 2 {
            b.take().expect("b").kill_hard();
        }
        let (body, timestamp, signature) = signed_completion(&format!("evt_{n}"), id);
        let deliver = |url: String| {
            let request = http
                .post(format!("{url}/webhooks/sir"))
                .header("content-type", "application/json")
                .header("x-sir-timestamp", &timestamp)
                .header("x-sir-signature", &signature)
                .body(body.clone());
            async move { request.send().await.ok().map(|r| r.status().as_u16()) }
        };
        let (to_a, to_b) = tokio::join!(deliver(a_url.clone()), deliver(b_url.clone()));
        assert_eq!(to_a, Some(200), "instance A took delivery {n}");
        assert!(to_b.is_none() || to_b == Some(200), "instance B: {to_b:?}");
    }

    // Every reward arrives, each to its own donor.
    let deadline = Instant::now() + Duration::from_secs(30);
    for (id, token) in &donations {
        loop {
            let view: Value = http
                .get(format!("{a_url}/sir/donations/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .expect("view")
                .json()
                .await
                .expect("JSON");
            if view["reward"]["state"] == "issued" || view["reward"]["state"] == "confirmed" {
                assert_eq!(view["reward"]["tokens"], 25, "{view}");
                break;
            }
            assert!(Instant::now() < deadline, "{id} never rewarded: {view}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let rewards: Value = http
            .get(format!("{a_url}/sir/rewards"))
            .bearer_auth(token)
            .send()
            .await
            .expect("rewards")
            .json()
            .await
            .expect("JSON");
        assert_eq!(rewards["balance"], 25, "{rewards}");
    }

    // Nothing was applied or sent twice.
    let options = sqlx::any::AnyConnectOptions::from_str(&database_url).expect("url");
    let mut db = sqlx::AnyConnection::connect_with(&options).await.expect("connect");
    let count = |sql: &'static str| sqlx::query(sql);
    let events: i64 = count("SELECT COUNT(*) FROM webhook_events").fetch_one(&mut db).await.expect("events").get(0);
    let unapplied: i64 = count("SELECT COUNT(*) FROM webhook_events WHERE applied_at IS NULL")
        .fetch_one(&mut db)
        .await
        .expect("n")
        .get(0);
    let rewards: i64 = count("SELECT COUNT(*) FROM rewards WHERE state IN ('issued', 'confirmed')")
        .fetch_one(&mut db)
        .await
        .expect("n")
        .get(0);
    assert_eq!((events, unapplied, rewards), (DONATIONS as i64, 0, DONATIONS as i64));
    let log: Value =
        http.get(format!("{}/__sandbox/requests", sandbox.url)).send().await.expect("log").json().await.expect("JSON");
    let submits: Vec<_> = log
        .as_array()
        .expect("log")
        .iter()
        .filter(|r| r["path"] == "/v1/partner/actions/submit")
        .map(|r| r["status"].as_u64().unwrap_or_default())
        .collect();
    // A submission cut off by the kill is tried again by the other instance: SIR's
    // idempotency key answers it 409 IDEMPOTENT, never a second reward.
    let accepted = submits.iter().filter(|s| **s == 201).count();
    assert_eq!(accepted, DONATIONS, "one accepted submission per reward: {submits:?}");
    assert!(submits.iter().all(|s| *s == 201 || *s == 409), "{submits:?}");
    let pool: Value =
        http.get(format!("{}/__sandbox/pool", sandbox.url)).send().await.expect("pool").json().await.expect("JSON");
    assert_eq!(pool["tokens"], 10_000 - 25 * DONATIONS as u64);

    // A goal meter reads the same totals from any instance (a fresh one here, B being gone).
    let c = partner(&sandbox.url, &database_url);
    let totals = |url: String| {
        let http = http.clone();
        async move {
            let body: Value = http
                .get(format!("{url}/sir/totals?org=water-org"))
                .send()
                .await
                .expect("totals")
                .json()
                .await
                .expect("JSON");
            (body["raised"].clone(), body["donations"].clone(), body["donors"].clone())
        }
    };
    let (from_a, from_c) = tokio::join!(totals(a_url.clone()), totals(c.url.clone()));
    assert_eq!(from_a, from_c);
    assert_eq!(from_a, (json!([{"currency": "USD", "amount": 2500 * DONATIONS}]), json!(DONATIONS), json!(DONATIONS)));
}
