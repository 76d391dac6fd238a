//! `make bench`'s load run of the partner server (not part of `make test`): the release
//! binaries on loopback, beside a release sandbox. Two instances on one PostgreSQL
//! database, then one instance on SQLite for comparison, each driven the same way:
//!
//! 1. (not timed) `DONATIONS` donations created through the instances for `USERS` users;
//! 2. (timed) every donation's signed `transaction.completed`, plus a redelivery of every
//!    other one (duplicates), shuffled and spread over the instances, `CONCURRENCY` at a
//!    time; meanwhile `READERS` signed-in users read their donations' status in a loop;
//! 3. the time until the outbox has rewarded every donation, then the books: anything lost
//!    (a donation not applied or not rewarded) or doubled (an event stored twice, a reward
//!    sent twice) is counted, and must be 0.
//!
//! Prints a Markdown table and writes `bench/partner-load.json`. Run it through
//! `make bench` (or `scripts/with-postgres.sh cargo run --release -p sir-partner-server
//! --example load` after `cargo build --release -p sir-sandbox -p sir-partner-server`).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::{Connection as _, Row as _};
use tokio::sync::Semaphore;

const DONATIONS: usize = 2_000;
const USERS: usize = 100;
const CONCURRENCY: usize = 32;
const READERS: usize = 8;
const WHSEC: &str = "whsec_abababababababababababababababababababababababababababababababab";
const JWT_SECRET: &str = "load-run-jwt-secret-load-run-jwt-secret";
const JWT_AUDIENCE: &str = "sir-partner-load";
const SK: &str = "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7";
const PK: &str = "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
const HMAC: &str = "d2dd24eac6bcec3d55c01a49af7948725fb96acd329e06655a2a59bd2a1706c3";

/// A child process, killed on drop.
struct Process(Child, String);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(mut command: Command) -> Process {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("start");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = first.trim_end().rsplit(" listening on ").next().unwrap_or_default().to_owned();
    assert!(url.starts_with("http://"), "did not start (run it alone to see why): {first:?}");
    Process(child, url)
}

fn release(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release").join(name);
    assert!(path.exists(), "{} is missing: cargo build --release -p sir-sandbox -p sir-partner-server", path.display());
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn token(user: usize) -> String {
    let claims =
        json!({"sub": format!("load-user-{user}"), "aud": JWT_AUDIENCE, "exp": sir_signing::unix_now() + 3600});
    let key = jsonwebtoken::EncodingKey::from_secret(JWT_SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("token")
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize - 1;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

struct Scenario {
    name: &'static str,
    database: (&'static str, String),
    instances: usize,
}

async fn run(scenario: &Scenario) -> Value {
    let sandbox = start({
        let mut c = Command::new(release("sir-sandbox"));
        c.args(["--port", "0", "--rate-limit", "100000000", "--log-format", "json"]);
        c
    });
    let instances: Vec<Process> = (0..scenario.instances)
        .map(|_| {
            let mut c = Command::new(release("sir-partner-server"));
            c.env_clear().envs([
                ("SIR_API_BASE", sandbox.1.as_str()),
                ("SIR_SECRET_KEY", SK),
                ("SIR_HMAC_SECRET", HMAC),
                ("SIR_WEBHOOK_SECRET", WHSEC),
                ("SIR_PUBLISHABLE_KEY", PK),
                ("PARTNER_IDENTITY", "jwt"),
                ("PARTNER_JWT_SECRET", JWT_SECRET),
                ("PARTNER_JWT_AUDIENCE", JWT_AUDIENCE),
                (scenario.database.0, scenario.database.1.as_str()),
                ("PARTNER_LISTEN", &format!("127.0.0.1:{}", free_port())),
                ("PARTNER_RATE_PER_IP", "1000000"),
                ("PARTNER_RATE_PER_SESSION", "1000000"),
                ("PARTNER_MAX_CONCURRENT", "1024"),
                ("PARTNER_OUTBOX_RETRY_BASE_MS", "100"),
            ]);
            start(c)
        })
        .collect();
    let urls: Arc<Vec<String>> = Arc::new(instances.iter().map(|p| p.1.clone()).collect());
    let http = reqwest::Client::new();
    // A pool for every reward (the seeded 10 000 tokens pay for 400).
    let pool = json!({"tokens": 25 * DONATIONS as u64 * 10});
    http.post(format!("{}/__sandbox/pool", sandbox.1)).json(&pool).send().await.expect("pool");
    let tokens: Arc<Vec<String>> = Arc::new((0..USERS).map(token).collect());

    // 1. Donations, spread over users and instances.
    let gate = Arc::new(Semaphore::new(16));
    let mut created = Vec::new();
    for n in 0..DONATIONS {
        let (http, urls, tokens, gate) = (http.clone(), urls.clone(), tokens.clone(), gate.clone());
        created.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.expect("permit");
            let body = json!({"nonprofitSlug": "water-org", "amount": 2500, "currency": "USD", "frequency": "once"});
            let answer: Value = http
                .post(format!("{}/sir/donations", urls[n % urls.len()]))
                .bearer_auth(&tokens[n % USERS])
                .json(&body)
                .send()
                .await
                .expect("create")
                .json()
                .await
                .expect("JSON");
            (answer["partnerDonationId"].as_str().expect("id").to_owned(), n % USERS)
        }));
    }
    let mut donations = Vec::new();
    for task in created {
        donations.push(task.await.expect("task"));
    }
    let donations = Arc::new(donations);

    // 2. Webhooks with duplicates, and status readers.
    let mut deliveries: Vec<(usize, usize)> = (0..DONATIONS).map(|n| (n, 0)).collect();
    deliveries.extend((0..DONATIONS).step_by(2).map(|n| (n, 1)));
    let mut seed = 0x2545_f491_u64;
    for i in (1..deliveries.len()).rev() {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        deliveries.swap(i, (seed >> 33) as usize % (i + 1));
    }
    let total = deliveries.len();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for r in 0..READERS {
        let (http, urls, tokens, donations, done) =
            (http.clone(), urls.clone(), tokens.clone(), donations.clone(), done.clone());
        readers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = r;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let (id, user) = &donations[(i * 7919) % donations.len()];
                let started = Instant::now();
                let response = http
                    .get(format!("{}/sir/donations/{id}", urls[i % urls.len()]))
                    .bearer_auth(&tokens[*user])
                    .send()
                    .await;
                assert!(response.is_ok_and(|r| r.status().is_success()), "status read failed");
                latencies.push(started.elapsed());
                i += READERS;
            }
            latencies
        }));
    }
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let started = Instant::now();
    let mut sent = Vec::new();
    for (i, (n, copy)) in deliveries.into_iter().enumerate() {
        let (http, urls, donations, gate) = (http.clone(), urls.clone(), donations.clone(), gate.clone());
        sent.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.expect("permit");
            let body = json!({"id": format!("evt_load_{n}"), "type": "transaction.completed", "createdAt": "2026-12-02T10:00:00Z",
                              "data": {"partnerDonationId": donations[n].0, "amount": 2500, "currency": "USD", "status": "completed"}})
            .to_string();
            let timestamp = sir_signing::unix_now() + copy as u64;
            let signature = sir_signing::sign_webhook(WHSEC, timestamp, body.as_bytes());
            let at = Instant::now();
            let response = http
                .post(format!("{}/webhooks/sir", urls[i % urls.len()]))
                .header("content-type", "application/json")
                .header("x-sir-timestamp", timestamp.to_string())
                .header("x-sir-signature", signature)
                .body(body)
                .send()
                .await
                .expect("deliver");
            assert_eq!(response.status(), 200);
            at.elapsed()
        }));
    }
    let mut webhook_latencies = Vec::new();
    for task in sent {
        webhook_latencies.push(task.await.expect("task"));
    }
    let elapsed = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut read_latencies = Vec::new();
    for reader in readers {
        read_latencies.extend(reader.await.expect("reader"));
    }

    // 3. Every reward out, then the books.
    let stats = |http: reqwest::Client, url: String| async move {
        http.get(format!("{url}/__sandbox/stats")).send().await.expect("stats").json::<Value>().await.expect("JSON")
    };
    let rewarding = Instant::now();
    loop {
        let stats = stats(http.clone(), sandbox.1.clone()).await;
        if stats["actions"]["completed"].as_u64() >= Some(DONATIONS as u64)
            || rewarding.elapsed() > Duration::from_secs(120)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rewarded_after = started.elapsed();
    let sandbox_stats = stats(http.clone(), sandbox.1.clone()).await;
    let url = match scenario.database.0 {
        "PARTNER_DATABASE_URL" => scenario.database.1.clone(),
        _ => format!("sqlite://{}", scenario.database.1),
    };
    let mut db = sqlx::AnyConnection::connect_with(&sqlx::any::AnyConnectOptions::from_str(&url).expect("url"))
        .await
        .expect("connect");
    let mut count = async |sql: &str| -> i64 { sqlx::query(sql).fetch_one(&mut db).await.expect(sql).get(0) };
    let events = count("SELECT COUNT(*) FROM webhook_events").await;
    let applied = count("SELECT COUNT(*) FROM webhook_events WHERE applied_at IS NOT NULL").await;
    let completed = count("SELECT COUNT(*) FROM donations WHERE status = 'completed' AND source = 'webhook'").await;
    let rewards = count("SELECT COUNT(*) FROM rewards WHERE state IN ('issued', 'confirmed')").await;
    let actions = sandbox_stats["actions"]["completed"].as_i64().unwrap_or_default();
    let repeats = sandbox_stats["actions"]["repeats"].as_i64().unwrap_or_default();
    let n = DONATIONS as i64;
    let lost = (n - applied.min(n)) + (n - completed.min(n)) + (n - rewards.min(n)) + (n - actions.min(n));
    let doubled = (events - n).max(0) + (rewards - n).max(0) + (actions - n).max(0) + repeats;

    webhook_latencies.sort();
    read_latencies.sort();
    json!({
        "scenario": scenario.name,
        "instances": scenario.instances,
        "webhooks": total,
        "unique": DONATIONS,
        "seconds": elapsed.as_secs_f64(),
        "webhooksPerSecond": total as f64 / elapsed.as_secs_f64(),
        "webhookP50Ms": percentile(&webhook_latencies, 50.0),
        "webhookP99Ms": percentile(&webhook_latencies, 99.0),
        "statusReads": read_latencies.len(),
        "statusP50Ms": percentile(&read_latencies, 50.0),
        "statusP99Ms": percentile(&read_latencies, 99.0),
        "allRewardedAfterSeconds": rewarded_after.as_secs_f64(),
        "lost": lost,
        "doubled": doubled,
    })
}

#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let admin = std::env::var("PARTNER_TEST_DATABASE_URL")
        .expect("PARTNER_TEST_DATABASE_URL: run it through scripts/with-postgres.sh (make bench does)");
    let options = sqlx::any::AnyConnectOptions::from_str(&admin).expect("url");
    let mut connection = sqlx::AnyConnection::connect_with(&options).await.expect("connect");
    let name = format!("load_{}", std::process::id());
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await.expect("create database");
    let pg = format!("{}/{name}", admin.rsplit_once('/').expect("database").0);
    let sqlite = std::env::temp_dir().join(format!("sir-partner-load-{}.sqlite3", std::process::id()));
    let scenarios = [
        Scenario { name: "PostgreSQL, 2 instances", database: ("PARTNER_DATABASE_URL", pg), instances: 2 },
        Scenario { name: "SQLite, 1 instance", database: ("PARTNER_DB", sqlite.display().to_string()), instances: 1 },
    ];
    let mut results = Vec::new();
    for scenario in &scenarios {
        eprintln!("load: {} …", scenario.name);
        results.push(run(scenario).await);
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", sqlite.display()));
    }

    println!("\n### Partner server under load (loopback, release build)\n");
    println!(
        "{DONATIONS} donations of {USERS} users; {} signed webhooks ({DONATIONS} unique, the rest redeliveries), {CONCURRENCY} at a time, \
         spread over the instances; {READERS} signed-in users reading their donations' status meanwhile.\n",
        results.first().map_or(0, |r| r["webhooks"].as_u64().unwrap_or_default())
    );
    println!(
        "| setup | webhooks/s | webhook p50 / p99 | status reads | status p50 / p99 | all rewarded after | lost | doubled |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in &results {
        println!(
            "| {} | {:.0} | {:.1} / {:.1} ms | {} | {:.1} / {:.1} ms | {:.1} s | {} | {} |",
            r["scenario"].as_str().unwrap_or_default(),
            r["webhooksPerSecond"].as_f64().unwrap_or_default(),
            r["webhookP50Ms"].as_f64().unwrap_or_default(),
            r["webhookP99Ms"].as_f64().unwrap_or_default(),
            r["statusReads"],
            r["statusP50Ms"].as_f64().unwrap_or_default(),
            r["statusP99Ms"].as_f64().unwrap_or_default(),
            r["allRewardedAfterSeconds"].as_f64().unwrap_or_default(),
            r["lost"],
            r["doubled"],
        );
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/partner-load.json");
    std::fs::write(&out, serde_json::to_string_pretty(&json!({"results": results})).expect("JSON")).expect("write");
    let bad: i64 = results.iter().map(|r| r["lost"].as_i64().unwrap_or(1) + r["doubled"].as_i64().unwrap_or(1)).sum();
    if bad != 0 {
        eprintln!("load: something was lost or doubled");
        std::process::exit(1);
    }
}
