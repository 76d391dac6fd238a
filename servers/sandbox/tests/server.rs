//! Over real sockets: the binary's startup line and shutdown, and the `drop` fault,
//! which only shows on a connection.

use std::io::{BufRead as _, BufReader, Read as _};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sir_sandbox::{AppState, Config, seed, serve};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

const DEMO_PK: &str = seed::PARTNERS[0].publishable_key;

/// Sends one HTTP/1.1 request with `Connection: close` and reads until the server closes.
async fn raw_http(address: SocketAddr, head: &str, body: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(address).await?;
    let request =
        format!("{head}\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await??;
    Ok(String::from_utf8_lossy(&response).into_owned())
}

#[tokio::test]
async fn a_drop_fault_closes_the_connection_without_a_response_and_spares_preflights() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let state = AppState::new(Config {
        public_url: format!("http://{address}"),
        rate_limit: 1000,
        checkout_ttl: Duration::from_secs(1800),
        ..Config::default()
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state, async {
        let _ = stopped.await;
    }));

    let armed = raw_http(
        address,
        "POST /__sandbox/faults HTTP/1.1\r\nContent-Type: application/json",
        r#"{"endpoint":"config","kind":"drop"}"#,
    )
    .await
    .expect("arm");
    assert!(armed.starts_with("HTTP/1.1 201"), "{armed}");

    let preflight = raw_http(
        address,
        "OPTIONS /v1/partner/config HTTP/1.1\r\nOrigin: https://partner.example\r\n\
Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: x-partner-key",
        "",
    )
    .await
    .expect("preflight");
    assert!(preflight.starts_with("HTTP/1.1 200"), "{preflight}");
    assert!(preflight.to_ascii_lowercase().contains("access-control-allow-origin: *"), "{preflight}");

    let get_config = format!("GET /v1/partner/config HTTP/1.1\r\nX-Partner-Key: {DEMO_PK}");
    // Either a clean close with nothing written or a reset: never an HTTP answer.
    match raw_http(address, &get_config, "").await {
        Ok(dropped) => assert_eq!(dropped, "", "no byte of a response"),
        Err(error) => assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{error}"),
    }

    let after = raw_http(address, &get_config, "").await.expect("the fault was used up");
    assert!(after.starts_with("HTTP/1.1 200"), "{after}");
    let log = raw_http(address, "GET /__sandbox/requests HTTP/1.1", "").await.expect("log");
    assert!(log.contains(r#""path":"/v1/partner/config","keyPrefix":"pk_test_","origin":null,"status":null"#), "{log}");

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), server).await.expect("graceful stop").expect("task").expect("serve");
}

/// Kills the child if the test fails midway, so no server outlives it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[test]
fn the_binary_prints_its_address_first_and_stops_on_sigterm() {
    let mut running = Running(
        Command::new(env!("CARGO_BIN_EXE_sir-sandbox"))
            .args(["--port", "0", "--log-format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sir-sandbox"),
    );
    let child = &mut running.0;
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    let port: u16 = first
        .trim_end()
        .strip_prefix("sir-sandbox listening on http://127.0.0.1:")
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
    assert_ne!(port, 0, "the real port, not the requested 0");

    let mut rest = String::new();
    while !rest.contains("All of this, as a page") {
        let mut line = String::new();
        if stdout.read_line(&mut line).expect("seed block") == 0 {
            break;
        }
        rest.push_str(&line);
    }
    assert!(rest.contains(&format!("Public URL: http://127.0.0.1:{port}")), "{rest}");
    assert!(rest.contains(DEMO_PK) && rest.contains("kids-arts-fund"), "{rest}");

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let health = runtime
        .block_on(raw_http(SocketAddr::from(([127, 0, 0, 1], port)), "GET /healthz HTTP/1.1", ""))
        .expect("healthz");
    assert!(health.starts_with("HTTP/1.1 200") && health.ends_with("ok"), "{health}");

    let terminated = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(terminated.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "sir-sandbox did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");

    let mut logs = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut logs).expect("logs");
    let request_line = logs.lines().find(|line| line.contains("/healthz")).unwrap_or_else(|| panic!("{logs}"));
    let event: serde_json::Value = serde_json::from_str(request_line).expect("a JSON log line");
    assert_eq!(event["status"], 200, "{event}");
    assert_eq!(event["span"]["method"], "GET", "{event}");
    assert!(event["latency_ms"].is_u64(), "{event}");
}
