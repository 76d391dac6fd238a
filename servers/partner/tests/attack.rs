//! The partner server tried as an attacker would, against the real binaries: a
//! `sir-sandbox` and a `sir-partner-server` process started here, on loopback, wired as in
//! the demo. The attacker has what any browser has: the publishable key, their own account,
//! the ids SIR hands out, and their own requests. Each test is one attack from the security
//! review (issue #12), and each must fail.
//!
//! Needs `target/debug/sir-sandbox` next to this crate's binary: `cargo test --workspace`
//! (and `make test`) build it.

mod common;

use std::io::Read as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use common::process::{Process, binary, free_port};
use common::{
    DEMO_HMAC, DEMO_PK, DEMO_SK, JWT_AUDIENCE, JWT_SECRET, TempDb, WHSEC, WIDGET_ORIGIN, assert_error_envelope,
    create_link_at_sir, deliver_over_http, health_of, jwt,
};
use serde_json::{Value, json};

/// A sandbox and a partner server, the sandbox delivering its webhooks to the partner.
struct Servers {
    sandbox: Option<Process>,
    sandbox_url: String,
    partner: Option<Process>,
    partner_env: Vec<(String, String)>,
    log: PathBuf,
    _db: TempDb,
    http: reqwest::Client,
}

/// Who is calling.
#[derive(Clone, Copy)]
enum Caller<'a> {
    Nobody,
    Token(&'a str),
    Cookie(&'a str),
}

impl Servers {
    fn start(identity: &str, extra: &[(&str, &str)]) -> Self {
        let partner_port = free_port();
        let mut sandbox = Command::new(binary("sir-sandbox"));
        sandbox
            .args(["--port", "0", "--webhook-retry-base-ms", "100", "--log-format", "json"])
            .args(["--webhook-url", &format!("http://127.0.0.1:{partner_port}/webhooks/sir")])
            .args(["--webhook-secret", WHSEC])
            .stderr(Stdio::null());
        let sandbox = Process::start(sandbox);
        let sandbox_url = sandbox.url.clone();
        let db = TempDb::new(&format!("attack-{partner_port}"));
        let mut env: Vec<(String, String)> = [
            ("SIR_API_BASE", sandbox_url.as_str()),
            ("SIR_SECRET_KEY", DEMO_SK),
            ("SIR_HMAC_SECRET", DEMO_HMAC),
            ("SIR_WEBHOOK_SECRET", WHSEC),
            ("SIR_PUBLISHABLE_KEY", DEMO_PK),
            ("PARTNER_ALLOWED_ORIGINS", WIDGET_ORIGIN),
            ("PARTNER_IDENTITY", identity),
            ("PARTNER_JWT_SECRET", JWT_SECRET),
            ("PARTNER_JWT_AUDIENCE", JWT_AUDIENCE),
            ("PARTNER_DB", db.path()),
            ("PARTNER_OUTBOX_RETRY_BASE_MS", "100"),
            ("PARTNER_OUTBOX_RETRY_MAX_MS", "500"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        if !extra.iter().any(|(k, _)| *k == "PARTNER_LISTEN") {
            env.push(("PARTNER_LISTEN".into(), format!("127.0.0.1:{partner_port}")));
        }
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let log = std::env::temp_dir().join(format!("sir-partner-attack-{partner_port}.log"));
        // No kept-alive connections: a restarted server must not see the old process's sockets.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        let mut servers =
            Self { sandbox: Some(sandbox), sandbox_url, partner: None, partner_env: env, log, _db: db, http };
        servers.start_partner();
        servers
    }

    fn start_partner(&mut self) {
        let mut command = Command::new(binary("sir-partner-server"));
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).expect("log file");
        command.env_clear().envs(self.partner_env.iter().map(|(k, v)| (k, v))).stderr(log);
        self.partner = Some(Process::start(command));
    }

    fn partner_url(&self) -> String {
        self.partner.as_ref().expect("running").url.replace("0.0.0.0", "127.0.0.1")
    }

    fn partner_log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        caller: Caller<'_>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request =
            self.http.request(method, format!("{}{path}", self.partner_url())).header("origin", WIDGET_ORIGIN);
        match caller {
            Caller::Nobody => {}
            Caller::Token(token) => request = request.bearer_auth(token),
            Caller::Cookie(cookie) => request = request.header("cookie", cookie),
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("partner call");
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = response.bytes().await.expect("body");
        (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    async fn sandbox(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.sandbox_url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("sandbox call");
        response.json().await.unwrap_or(Value::Null)
    }

    /// What the widget does: create the donation through the partner server.
    async fn donate(&self, caller: Caller<'_>) -> String {
        self.donate_amount(caller, 2500).await
    }

    async fn donate_amount(&self, caller: Caller<'_>, cents: u64) -> String {
        let body = json!({"nonprofitSlug": "water-org", "amount": cents, "currency": "USD", "frequency": "once",
                          "donorEmail": "victim@example.com"});
        let (status, _, created) = self.call(Method::POST, "/sir/donations", Some(body), caller).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created["partnerDonationId"].as_str().expect("id").to_owned()
    }

    /// What an attacker can do with the public key: create-link straight at SIR.
    async fn donate_at_sir(&self) -> String {
        let body = json!({"nonprofitSlug": "water-org", "amount": 100, "currency": "USD", "frequency": "once"});
        create_link_at_sir(&self.http, &self.sandbox_url, &body).await
    }

    /// The donor pays on the hosted checkout.
    async fn pay(&self, id: &str) {
        let response =
            self.http.post(format!("{}/checkout/{id}/complete", self.sandbox_url)).send().await.expect("checkout");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }

    async fn view(&self, id: &str, caller: Caller<'_>) -> (StatusCode, Value) {
        let (status, _, body) = self.call(Method::GET, &format!("/sir/donations/{id}"), None, caller).await;
        (status, body)
    }

    /// Polls the owner's view until `done` (20 s at most).
    async fn wait_for(&self, id: &str, caller: Caller<'_>, done: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..400 {
            let (_, body) = self.view(id, caller).await;
            if done(&body) {
                return body;
            }
            last = body;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out; last view {last}");
    }

    async fn balance(&self, caller: Caller<'_>) -> Value {
        let (status, _, body) = self.call(Method::GET, "/sir/rewards", None, caller).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["balance"].clone()
    }

    /// SIR's request log: the statuses of the calls to `path`.
    async fn sir_calls(&self, path: &str) -> Vec<Value> {
        let log = self.sandbox(Method::GET, "/__sandbox/requests", None).await;
        log.as_array()
            .map(|l| l.iter().filter(|r| r["path"] == path).map(|r| r["status"].clone()).collect())
            .unwrap_or_default()
    }
}

/// Ids laid out like ObjectIds: 8 hex of time, 10 fixed, a 6-hex counter. From one id the
/// attacker got, the next ones.
fn neighbours(id: &str) -> Vec<String> {
    let (time, rest) = id.split_at(8);
    let (middle, counter) = rest.split_at(10);
    let time = u32::from_str_radix(time, 16).expect("hex time");
    let counter = u32::from_str_radix(counter, 16).expect("hex counter");
    let mut guesses = Vec::new();
    for t in [time, time + 1, time + 2] {
        for step in 1..=6 {
            guesses.push(format!("{t:08x}{middle}{:06x}", (counter + step) & 0xff_ffff));
        }
    }
    guesses
}

fn without_request_id(mut body: Value) -> Value {
    body.as_object_mut().map(|o| o.remove("requestId"));
    body
}

#[tokio::test]
async fn guessing_a_victims_id_gives_the_attacker_no_reward_and_no_status() {
    // Limits raised so that every guess gets its real answer (by default most would be 429).
    let servers = Servers::start("jwt", &[("PARTNER_RATE_PER_IP", "100000"), ("PARTNER_RATE_PER_SESSION", "100000")]);
    let (victim, attacker) =
        (jwt("victim-1", Some("victim@example.com"), true), jwt("attacker-1", Some("attacker@evil.example"), true));
    let (victim, attacker) = (Caller::Token(&victim), Caller::Token(&attacker));

    let own = servers.donate_at_sir().await;
    let id = servers.donate(victim).await;
    let guesses = neighbours(&own);
    assert!(guesses.contains(&id), "the ids are as guessable as the review said: {own} → {id}");

    let unknown = "ffffffffffffffffffffffff";
    let (_, not_there) = servers.view(unknown, attacker).await;
    for when in ["before payment", "after payment"] {
        for guess in &guesses {
            let (status, body) = servers.view(guess, attacker).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{when}: {body}");
            assert_eq!(
                without_request_id(body),
                without_request_id(not_there.clone()),
                "no oracle: a real id reads like an unknown one"
            );
            let (status, _, body) = servers
                .call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": guess})), attacker)
                .await;
            assert_eq!((status, body["code"].clone()), (StatusCode::NOT_FOUND, json!("DONATION_NOT_FOUND")), "{when}");
        }
        let (status, body) = servers.view(&id, Caller::Nobody).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::UNAUTHORIZED, json!("SIGN_IN_REQUIRED")));
        if when == "before payment" {
            servers.pay(&id).await;
            servers.wait_for(&id, victim, |v| v["reward"]["state"] == "confirmed").await;
        }
    }
    assert_eq!(servers.balance(victim).await, 25, "the payer got the reward");
    assert_eq!(servers.balance(attacker).await, 0);
    let (_, _, reward) =
        servers.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), victim).await;
    assert_eq!((reward["state"].clone(), reward["tokensDistributed"].clone()), (json!("confirmed"), json!(25)));
}

#[tokio::test]
async fn racing_the_victim_for_the_claim_gains_nothing() {
    // Attacker and victim share the loopback address here, so the per-IP limit is raised.
    let servers = Servers::start("jwt", &[("PARTNER_RATE_PER_IP", "100000"), ("PARTNER_RATE_PER_SESSION", "100000")]);
    let attacker_token = jwt("attacker-2", Some("victim@example.com"), false);
    let victim_token = jwt("victim-2", Some("victim@example.com"), true);
    let (victim, attacker) = (Caller::Token(&victim_token), Caller::Token(&attacker_token));
    let own = servers.donate_at_sir().await;
    let guesses = neighbours(&own);

    // From before the victim's donation exists until after it is paid, the attacker keeps
    // asking for every neighbouring id's reward and status, as fast as it can.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let hammer = {
        let (stop, guesses, http, base) = (stop.clone(), guesses.clone(), servers.http.clone(), servers.partner_url());
        let attacker_token = attacker_token.clone();
        tokio::spawn(async move {
            let mut successes = Vec::new();
            let mut tries = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for guess in &guesses {
                    let response = http
                        .post(format!("{base}/sir/rewards/donation"))
                        .header("origin", WIDGET_ORIGIN)
                        .bearer_auth(&attacker_token)
                        .json(&json!({"partnerDonationId": guess}))
                        .send()
                        .await
                        .expect("attack");
                    tries += 1;
                    if response.status().is_success() {
                        successes.push(response.text().await.unwrap_or_default());
                    }
                }
            }
            (tries, successes)
        })
    };
    let id = servers.donate(victim).await;
    assert!(guesses.contains(&id));
    servers.pay(&id).await;
    servers.wait_for(&id, victim, |v| v["reward"]["state"] == "confirmed").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (tries, successes) = hammer.await.expect("hammer");
    assert!(tries > 50, "the race was run ({tries} tries)");
    assert!(successes.is_empty(), "{successes:?}");
    assert_eq!(servers.balance(victim).await, 25);
    assert_eq!(servers.balance(attacker).await, 0);
    let submits = servers.sir_calls("/v1/partner/actions/submit").await;
    assert_eq!(submits, [json!(201)], "one reward, to the payer");
}

#[tokio::test]
async fn impersonation_through_a_chosen_external_id_is_refused() {
    let servers = Servers::start("demo", &[]);
    let (status, headers, victim) =
        servers.call(Method::POST, "/sir/session", Some(json!({"email": "victim@example.com"})), Caller::Nobody).await;
    assert_eq!(status, StatusCode::OK);
    let victim_cookie = headers["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    let victim_id = victim["externalId"].as_str().expect("id").to_owned();
    let id = servers.donate(Caller::Cookie(&victim_cookie)).await;
    servers.pay(&id).await;
    servers.wait_for(&id, Caller::Cookie(&victim_cookie), |v| v["reward"]["state"] == "confirmed").await;

    let chosen = json!({"email": "x@evil.example", "externalId": victim_id});
    // (With a partner's own tokens, a subject of ".." is nobody: see the JWT test below.)
    let (status, _, body) = servers.call(Method::POST, "/sir/session", Some(chosen), Caller::Nobody).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::BAD_REQUEST, json!("INVALID_BODY")), "{body}");
    let (_, headers, attacker) =
        servers.call(Method::POST, "/sir/session", Some(json!({"email": "x@evil.example"})), Caller::Nobody).await;
    let attacker_cookie = headers["set-cookie"].to_str().expect("cookie").split(';').next().expect("pair").to_owned();
    assert_ne!(attacker["externalId"], victim["externalId"]);
    assert_eq!(servers.balance(Caller::Cookie(&attacker_cookie)).await, 0);
    assert_eq!(servers.balance(Caller::Cookie(&victim_cookie)).await, 25);
}

#[tokio::test]
async fn an_empty_pool_a_restart_and_a_top_up_reward_the_payer_exactly_once() {
    let mut servers = Servers::start("jwt", &[]);
    let (victim_token, attacker_token) = (jwt("victim-4", None, false), jwt("attacker-4", None, false));
    let (victim, attacker) = (Caller::Token(&victim_token), Caller::Token(&attacker_token));
    servers.sandbox(Method::POST, "/__sandbox/pool", Some(json!({"tokens": 0}))).await;
    let id = servers.donate(victim).await;
    servers.pay(&id).await;
    let view = servers.wait_for(&id, victim, |v| v["reward"]["state"] == "pending").await;
    assert_eq!(view["status"], "completed");
    // SIR refused for the empty pool (402) and the outbox is retrying.
    let deadline = Instant::now() + Duration::from_secs(10);
    while servers.sir_calls("/v1/partner/actions/submit").await.iter().filter(|s| **s == json!(402)).count() < 2 {
        assert!(Instant::now() < deadline, "the outbox did not retry");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A crash, not a graceful stop.
    servers.partner.take().expect("running").kill_hard();
    servers.start_partner();
    let (status, _, body) =
        servers.call(Method::POST, "/sir/rewards/donation", Some(json!({"partnerDonationId": id})), attacker).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::NOT_FOUND, json!("DONATION_NOT_FOUND")));
    servers.sandbox(Method::POST, "/__sandbox/pool", Some(json!({"tokens": 1000}))).await;
    let view = servers.wait_for(&id, victim, |v| v["reward"]["state"] == "confirmed").await;
    assert_eq!(view["reward"]["tokens"], 25);
    assert_eq!(servers.balance(victim).await, 25);
    assert_eq!(servers.balance(attacker).await, 0);
    let accepted =
        servers.sir_calls("/v1/partner/actions/submit").await.into_iter().filter(|s| *s == json!(201)).count();
    assert_eq!(accepted, 1, "rewarded exactly once");
}

#[tokio::test]
async fn a_signed_event_with_a_decimal_amount_is_applied_and_rewarded() {
    let servers = Servers::start("jwt", &[]);
    let victim_token = jwt("victim-5", None, false);
    let victim = Caller::Token(&victim_token);
    let id = servers.donate(victim).await;
    let body = json!({"id": "evt_decimal_1", "type": "transaction.completed", "createdAt": "2026-12-02T10:00:00Z",
                      "data": {"partnerDonationId": id, "amount": 25.00, "currency": "USD", "status": "completed"}})
    .to_string();
    let response = deliver_over_http(&servers.http, &servers.partner_url(), body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.expect("JSON"), json!({"received": true, "duplicate": false}));
    let view = servers.wait_for(&id, victim, |v| v["reward"]["state"] == "confirmed").await;
    assert_eq!(view["reward"]["tokens"], 25);
}

#[tokio::test]
async fn a_payment_of_a_hundredth_written_as_whole_units_is_held_not_rewarded() {
    let servers = Servers::start("jwt", &[]);
    let victim_token = jwt("victim-7", None, false);
    let victim = Caller::Token(&victim_token);
    let id = servers.donate_amount(victim, 250_000).await;
    // $2,500 created; the signed event says 2500, an integer: 2500 cents, $25.
    let body = json!({"id": "evt_hundredth", "type": "transaction.completed", "createdAt": "2026-12-02T10:00:00Z",
                      "data": {"partnerDonationId": id, "amount": 2500, "currency": "USD", "status": "completed"}})
    .to_string();
    assert_eq!(deliver_over_http(&servers.http, &servers.partner_url(), body).await.status(), StatusCode::OK);
    let view = servers.wait_for(&id, victim, |v| v["reward"]["state"] == "held").await;
    assert_eq!(view["status"], "completed", "{view}");
    let submits = servers.sir_calls("/v1/partner/actions/submit").await;
    assert!(submits.is_empty(), "nothing sent to SIR: {submits:?}");
}

#[tokio::test]
async fn a_burst_of_100_requests_is_limited_and_costs_sir_one_balance_call() {
    let servers = Servers::start("jwt", &[]);
    let token = jwt("attacker-6", None, false);
    let mut requests = Vec::new();
    for _ in 0..100 {
        let (http, url, token) =
            (servers.http.clone(), format!("{}/sir/rewards", servers.partner_url()), token.clone());
        requests
            .push(tokio::spawn(async move { http.get(url).bearer_auth(token).send().await.expect("get").status() }));
    }
    let mut statuses = Vec::new();
    for request in requests {
        statuses.push(request.await.expect("task"));
    }
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    let served = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!(limited >= 60 && served <= 40, "{served} served, {limited} limited");
    assert_eq!(servers.sir_calls("/v1/partner/users/attacker-6/balance").await.len(), 1, "one signed call to SIR");
}

#[tokio::test]
async fn a_slow_sir_ends_every_request_within_the_deadline() {
    let servers = Servers::start("jwt", &[("PARTNER_REQUEST_DEADLINE_MS", "3000")]);
    let token = jwt("victim-7", None, false);
    let victim = Caller::Token(&token);
    let id = servers.donate(victim).await;
    for endpoint in ["status", "balance"] {
        let fault = json!({"endpoint": endpoint, "kind": "delay", "delayMs": 30_000, "times": 0});
        servers.sandbox(Method::POST, "/__sandbox/faults", Some(fault)).await;
    }
    let started = Instant::now();
    let (status, view) = servers.view(&id, victim).await;
    assert_eq!((status, view["status"].clone()), (StatusCode::OK, json!("pending")), "answered from storage");
    assert!(started.elapsed() < Duration::from_millis(1_600), "{:?}", started.elapsed());
    let started = Instant::now();
    let (status, _, body) = servers.call(Method::GET, "/sir/rewards", None, victim).await;
    assert!(started.elapsed() < Duration::from_millis(3_500), "{:?}", started.elapsed());
    assert!([StatusCode::BAD_GATEWAY, StatusCode::GATEWAY_TIMEOUT].contains(&status), "{status} {body}");
    // Nobody signed in reaches no slow SIR call at all.
    let started = Instant::now();
    let (status, _) = servers.view(&id, Caller::Nobody).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test]
async fn the_lifecycle_events_sir_sends_take_effect() {
    let servers = Servers::start("jwt", &[]);
    let token = jwt("victim-8", None, false);
    let victim = Caller::Token(&token);
    let id = servers.donate(victim).await;
    servers.pay(&id).await;
    // action.completed
    let view = servers.wait_for(&id, victim, |v| v["reward"]["state"] == "confirmed").await;
    let action = view["reward"]["actionId"].as_str().expect("action").to_owned();
    // action.reversed
    servers
        .sandbox(Method::POST, &format!("/__sandbox/actions/{action}/reverse"), Some(json!({"reason": "REFUND"})))
        .await;
    servers.wait_for(&id, victim, |v| v["reward"]["state"] == "reversed").await;
    assert_eq!(servers.balance(victim).await, 0);
    // token_pool.low_balance, then action.failed for the next reward
    servers.sandbox(Method::POST, "/__sandbox/pool", Some(json!({"tokens": 10}))).await;
    let next = servers.donate(victim).await;
    servers.pay(&next).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let health = health_of(&servers.http, &servers.partner_url()).await;
        if health["tokenPool"]["lowBalance"] == true && health["rewards"]["pending"] == 1 {
            assert_eq!(health["tokenPool"]["alert"]["detail"]["poolBalance"], 10, "{health}");
            break;
        }
        assert!(Instant::now() < deadline, "{health}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(servers.partner_log().contains("token pool is running low"), "a warning in the log");
}

#[tokio::test]
async fn error_bodies_tell_browsers_nothing_internal() {
    let mut servers = Servers::start("jwt", &[]);
    let token = jwt("victim-9", None, false);
    // SIR goes away.
    drop(servers.sandbox.take());
    let (status, headers, body) = servers.call(Method::GET, "/sir/rewards", None, Caller::Token(&token)).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::BAD_GATEWAY, json!("SIR_UNAVAILABLE")));
    assert_error_envelope(&body, status);
    let text = body.to_string().to_lowercase();
    for internal in ["refused", "tcp", "os error", "127.0.0.1", "connect"] {
        assert!(!text.contains(internal), "{internal:?} in {text}");
    }
    let request_id = body["requestId"].as_str().expect("id").to_owned();
    assert_eq!(headers["x-request-id"].to_str().ok(), Some(request_id.as_str()));
    // The operator finds the detail in the log under the same id.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = servers.partner_log();
        if log.lines().any(|l| l.contains(&request_id) && l.to_lowercase().contains("connect")) {
            break;
        }
        assert!(Instant::now() < deadline, "no log line with {request_id}: {log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn off_loopback_the_session_cookie_is_secure_and_host_prefixed() {
    let port = free_port();
    let listen = format!("0.0.0.0:{port}");
    let servers = Servers::start("demo", &[("PARTNER_LISTEN", listen.as_str())]);
    let response = servers
        .http
        .post(format!("http://127.0.0.1:{port}/sir/session"))
        .json(&json!({"email": "jane@example.com"}))
        .send()
        .await
        .expect("sign in");
    let cookie = response.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(cookie.starts_with("__Host-sir_partner_session=") && cookie.contains("; Secure"), "{cookie}");
    let mut startup = String::new();
    let _ = std::fs::File::open(&servers.log).map(|mut f| f.read_to_string(&mut startup));
    assert!(startup.contains("DEMO IDENTITY"), "the demo mode is announced loudly: {startup}");
}

#[tokio::test]
async fn a_flood_of_slow_webhook_bodies_never_keeps_sirs_deliveries_out() {
    let servers = Servers::start("jwt", &[]);
    let address: std::net::SocketAddr = servers.partner_url().trim_start_matches("http://").parse().expect("address");
    // 300 connections from another address start webhook deliveries and never finish them.
    let mut held = Vec::new();
    for _ in 0..300 {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.bind("127.0.0.2:0".parse().expect("address")).expect("bind 127.0.0.2");
        let Ok(mut stream) = socket.connect(address).await else { continue };
        let head = "POST /webhooks/sir HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                    X-SIR-Timestamp: 1\r\nX-SIR-Signature: sha256=00\r\nContent-Length: 200000\r\n\r\n{";
        use tokio::io::AsyncWriteExt as _;
        if stream.write_all(head.as_bytes()).await.is_ok() {
            held.push(stream);
        }
    }
    assert!(held.len() > 250, "{} held", held.len());
    tokio::time::sleep(Duration::from_millis(300)).await;
    // SIR's genuine delivery still gets in, at once; so do the widget's calls.
    let token = jwt("victim-11", None, false);
    let id = servers.donate(Caller::Token(&token)).await;
    let body = json!({"id": "evt_flood", "type": "transaction.completed",
                      "data": {"partnerDonationId": id, "amount": 2500}})
    .to_string();
    let started = Instant::now();
    let response = deliver_over_http(&servers.http, &servers.partner_url(), body).await;
    assert_eq!(response.status(), StatusCode::OK, "{:?}", response.text().await);
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    drop(held);
}

#[tokio::test]
async fn nobody_signed_in_creates_nothing_and_costs_sir_nothing() {
    let servers = Servers::start("jwt", &[]);
    let body = json!({"nonprofitSlug": "water-org", "amount": 2500, "currency": "USD", "frequency": "once"});
    for _ in 0..20 {
        let (status, _, answer) =
            servers.call(Method::POST, "/sir/donations", Some(body.clone()), Caller::Nobody).await;
        assert_eq!((status, answer["code"].clone()), (StatusCode::UNAUTHORIZED, json!("SIGN_IN_REQUIRED")));
    }
    assert!(servers.sir_calls("/v1/partner/donations/create-link").await.is_empty());
}

#[tokio::test]
async fn a_token_naming_a_path_segment_as_its_user_is_nobody() {
    let servers = Servers::start("jwt", &[]);
    for sub in ["..", ".", "a/../b", "%2e%2e"] {
        let token = jwt(sub, None, false);
        let (status, _, body) = servers.call(Method::GET, "/sir/donations/abc", None, Caller::Token(&token)).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::UNAUTHORIZED, json!("SIGN_IN_REQUIRED")), "{sub}");
        let (_, _, rewards) = servers.call(Method::GET, "/sir/rewards", None, Caller::Token(&token)).await;
        assert_eq!(rewards, json!({"signedIn": false}), "no balance call to SIR for {sub}");
    }
    assert!(servers.sir_calls("/v1/partner/users/../balance").await.is_empty());
}
