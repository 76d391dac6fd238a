//! No paid reward is lost to load or ordering, tried as an attacker and as SIR would:
//! against the real binary, idle connections hoarded by one address, slow bodies from
//! eight, a burst of signed deliveries; and, with the sandbox, a webhook that outruns
//! create-link's answer and one that never comes (found by reconciliation).

mod common;

use std::net::{IpAddr, SocketAddr};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use common::process::{Process, free_port};
use common::*;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpSocket, TcpStream};

/// The partner server binary on SQLite, its metrics on a port of their own.
struct Server {
    process: Process,
    metrics_url: String,
    _db: TempDb,
}

impl Server {
    fn start(name: &str) -> Self {
        let db = TempDb::new(name);
        let metrics_port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_sir-partner-server"));
        command
            .env_clear()
            .env("SIR_SECRET_KEY", DEMO_SK)
            .env("SIR_HMAC_SECRET", DEMO_HMAC)
            .env("SIR_WEBHOOK_SECRET", WHSEC)
            .env("SIR_PUBLISHABLE_KEY", DEMO_PK)
            .env("SIR_API_BASE", "http://127.0.0.1:9")
            .env("PARTNER_LISTEN", format!("127.0.0.1:{}", free_port()))
            .env("PARTNER_METRICS_LISTEN", format!("127.0.0.1:{metrics_port}"))
            .env("PARTNER_DB", db.path())
            .env("PARTNER_IDENTITY", "demo");
        let process = Process::start(command);
        Self { process, metrics_url: format!("http://127.0.0.1:{metrics_port}/metrics"), _db: db }
    }

    fn address(&self) -> SocketAddr {
        self.process.url.trim_start_matches("http://").parse().expect("address")
    }
}

/// A client whose connections come from `source` (any 127.0.0.0/8 address is this machine).
fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(source.parse::<IpAddr>().expect("ip"))
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

async fn connect_from(source: &str, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source.parse().expect("ip"), 0))?;
    socket.connect(server).await
}

/// Delivers one signed `transaction.completed` and says how long the answer took.
async fn timed_delivery(http: &reqwest::Client, url: &str, event_id: &str) -> (StatusCode, Duration) {
    let started = Instant::now();
    let response = deliver_over_http(http, url, completed_event(event_id, &format!("d_{event_id}"))).await;
    (response.status(), started.elapsed())
}

async fn metric(http: &reqwest::Client, url: &str, name: &str) -> f64 {
    let text = http.get(url).send().await.expect("metrics").text().await.expect("text");
    text.lines()
        .find(|line| line.starts_with(name) && line[name.len()..].starts_with([' ', '{']) && line.contains(name))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

#[tokio::test]
async fn over_two_thousand_idle_connections_from_one_address_keep_no_delivery_out() {
    let server = Server::start("idle");
    let address = server.address();
    // The attacker: 2,100 connections (more than the server holds in all) that send nothing,
    // and some only HTTP/2's preface.
    let mut hoard = Vec::new();
    for n in 0..2_100 {
        if let Ok(mut stream) = connect_from("127.0.0.2", address).await {
            if n % 10 == 0 {
                let _ = stream.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
            }
            hoard.push(stream);
        }
    }
    assert!(hoard.len() > 2_048, "the attacker's connections were made ({})", hoard.len());

    let (elsewhere, elsewhere_took) = timed_delivery(&client_from("127.0.0.3"), &server.process.url, "evt_other").await;
    let (same, same_took) = timed_delivery(&client_from("127.0.0.2"), &server.process.url, "evt_same").await;
    println!(
        "signed delivery beside 2,100 idle connections: {elsewhere_took:?} from another address, {same_took:?} from the same"
    );
    assert_eq!((elsewhere, same), (StatusCode::OK, StatusCode::OK));

    let http = reqwest::Client::new();
    let open = metric(&http, &server.metrics_url, "sir_partner_connections_open").await;
    assert!(open <= 300.0, "the address holds its share, not 2,000: {open} open");
    let evicted =
        metric(&http, &server.metrics_url, "sir_partner_connections_closed_total{reason=\"evicted_idle\"}").await;
    assert!(evicted >= 1_700.0, "idle connections were closed for newer ones: {evicted}");
}

#[tokio::test]
async fn a_burst_of_150_signed_deliveries_is_answered_2xx_at_once_and_applied() {
    let server = Server::start("burst");
    let http = client_from("127.0.0.1");
    let deliveries = (0..150).map(|n| {
        let (http, url) = (http.clone(), server.process.url.clone());
        tokio::spawn(async move {
            deliver_over_http(&http, &url, completed_event(&format!("evt_{n}"), &format!("d{n}"))).await.status()
        })
    });
    let statuses: Vec<StatusCode> = futures_join(deliveries).await;
    let refused: Vec<_> = statuses.iter().filter(|status| **status != StatusCode::OK).collect();
    assert!(refused.is_empty(), "every first try is accepted: {refused:?}");

    // Applied after the answers, every one of them.
    let plain = reqwest::Client::new();
    for _ in 0..200 {
        if metric(&plain, &server.metrics_url, "sir_partner_webhook_events_applied_total").await >= 150.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(metric(&plain, &server.metrics_url, "sir_partner_webhook_events_applied_total").await, 150.0);
    assert_eq!(metric(&plain, &server.metrics_url, "sir_partner_inbox_depth").await, 0.0);
    let accepted = "sir_partner_webhook_deliveries_total{outcome=\"accepted\"}";
    assert_eq!(metric(&plain, &server.metrics_url, accepted).await, 150.0);
}

#[tokio::test]
async fn slow_bodies_from_eight_addresses_hold_only_their_own_share() {
    let server = Server::start("slow");
    let address = server.address();
    let timestamp = sir_signing::unix_now().to_string();
    let mut drips = Vec::new();
    for client in 0..8 {
        for _ in 0..8 {
            let source = format!("127.0.1.{}", client + 1);
            let mut stream = connect_from(&source, address).await.expect("connect");
            let head = format!(
                "POST /webhooks/sir HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\
                 x-sir-timestamp: {timestamp}\r\nx-sir-signature: sha256={}\r\n\r\n{{",
                "ab".repeat(32)
            );
            stream.write_all(head.as_bytes()).await.expect("head");
            drips.push(tokio::spawn(async move {
                // One byte every 1.5 s, under any per-read pause limit.
                for _ in 0..10 {
                    tokio::time::sleep(Duration::from_millis(1_500)).await;
                    if stream.write_all(b" ").await.is_err() {
                        break;
                    }
                }
            }));
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for n in 0..3 {
        let (status, took) = timed_delivery(&client_from("127.0.0.1"), &server.process.url, &format!("evt_{n}")).await;
        println!("signed delivery beside 64 slow bodies: {took:?}");
        assert_eq!(status, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    for drip in drips {
        drip.abort();
    }
}

async fn futures_join<T: Send + 'static>(tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        results.push(task.await.expect("task"));
    }
    results
}

#[tokio::test]
async fn a_webhook_that_outruns_create_links_answer_still_ends_in_a_reward() {
    let stack = Stack::start(&[]).await;
    let cookie = stack.sign_in("jane@example.com").await;
    // SIR creates the link at once but its answer is slow: the donor pays meanwhile.
    let fault = json!({"endpoint": "create-link", "kind": "late-answer", "delayMs": 1_500});
    stack.sandbox_json(Method::POST, "/__sandbox/faults", Some(fault)).await;
    let creating = {
        let (http, url, cookie) = (stack.http.clone(), stack.partner_url.clone(), cookie.clone());
        tokio::spawn(async move {
            let body = json!({"nonprofitSlug": "st-jude", "amount": 2500, "currency": "USD", "frequency": "once"});
            let response = http
                .post(format!("{url}/sir/donations"))
                .header("origin", WIDGET_ORIGIN)
                .header("cookie", cookie)
                .json(&body)
                .send()
                .await
                .expect("create");
            (response.status(), response.json::<Value>().await.expect("JSON"))
        })
    };
    let id = loop {
        if let Some(id) = stack.sandbox.lock().donations.keys().next().cloned() {
            break id;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    stack.checkout(&id, "complete").await;
    // The signed webhook is stored and applied before this server knows the link.
    for _ in 0..100 {
        if stack.partner.store.donation(&id).await.expect("read").is_some_and(|d| d.completed_by_webhook()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let early = stack.partner.store.donation(&id).await.expect("read").expect("the webhook's row");
    assert_eq!((early.owner, early.source.as_str()), (None, "webhook"), "the webhook came first");

    let (status, created) = creating.await.expect("task");
    assert_eq!((status, created["partnerDonationId"].as_str()), (StatusCode::CREATED, Some(id.as_str())));
    let jane = As::Cookie(&cookie);
    let view = stack.wait_for_donation(&id, jane, |view| view["reward"]["state"] == "confirmed").await;
    assert_eq!(view["reward"]["tokens"], 25, "{view}");
}

#[tokio::test]
async fn a_donation_whose_webhook_never_came_is_found_held_and_rewarded_when_it_comes() {
    let stack =
        Stack::without_webhooks(&[("PARTNER_RECONCILE_AFTER_SECS", "1"), ("PARTNER_RECONCILE_EVERY_SECS", "1")]).await;
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let metrics_url = format!("http://{}/metrics", metrics.local_addr().expect("address"));
    let router = sir_partner_server::metrics::router(stack.partner.clone());
    tokio::spawn(async move { axum::serve(metrics, router).await });

    let cookie = stack.sign_in("jane@example.com").await;
    let jane = As::Cookie(&cookie);
    let id = stack.donate(jane, None).await;
    stack.checkout(&id, "complete").await;

    // Nobody asks: the job finds it.
    let mut health = Value::Null;
    for _ in 0..100 {
        health = health_of(&stack.http, &stack.partner_url).await;
        if health["donations"]["paidWithoutWebhook"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(health["donations"]["paidWithoutWebhook"], 1, "{health}");
    let plain = reqwest::Client::new();
    let found = "sir_partner_reconciliation_findings_total{outcome=\"paid_without_webhook\"}";
    assert_eq!(metric(&plain, &metrics_url, found).await, 1.0);
    assert_eq!(metric(&plain, &metrics_url, "sir_partner_donations_paid_without_webhook").await, 1.0);
    let (status, _, claim) =
        stack.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), jane).await;
    assert_eq!((status, claim["state"].clone()), (StatusCode::OK, json!("held")), "{claim}");
    assert_eq!(
        stack.sandbox_json(Method::GET, "/__sandbox/pool", None).await["tokens"],
        10_000,
        "nothing paid on an unsigned word"
    );

    // The signed webhook comes after all (SIR's redelivery): rewarded once, and no longer counted.
    let event = json!({"id": "evt_late", "type": "transaction.completed",
                       "data": {"partnerDonationId": id, "amount": 2500, "currency": "USD"}});
    assert_eq!(deliver_over_http(&stack.http, &stack.partner_url, event.to_string()).await.status(), StatusCode::OK);
    let view = stack
        .wait_for_donation(&id, jane, |view| {
            view["reward"]["state"] == "issued" || view["reward"]["state"] == "confirmed"
        })
        .await;
    assert_eq!(view["source"], "webhook", "{view}");
    let health = health_of(&stack.http, &stack.partner_url).await;
    assert_eq!(health["donations"]["paidWithoutWebhook"], 0, "{health}");
}
