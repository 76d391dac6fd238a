//! The binary: it refuses to start on a bad environment, and starts, answers and
//! stops cleanly on a good one.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SK: &str = "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7";
const PK: &str = "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";
const HMAC: &str = "d2dd24eac6bcec3d55c01a49af7948725fb96acd329e06655a2a59bd2a1706c3";
const WHSEC: &str = "whsec_abababababababababababababababababababababababababababababababab";

fn command(vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sir-partner-server"));
    command.env_clear().envs(vars.iter().copied()).stdout(Stdio::piped()).stderr(Stdio::piped());
    command
}

/// Kills the child if the test fails midway.
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
fn it_refuses_to_start_without_secrets_or_with_a_publishable_key_as_the_secret() {
    let output = command(&[]).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in ["SIR_SECRET_KEY is missing", "SIR_HMAC_SECRET is missing", "SIR_WEBHOOK_SECRET is missing"] {
        assert!(stderr.contains(expected), "{stderr}");
    }
    assert!(output.stdout.is_empty(), "nothing on stdout before the config is valid");

    let output = command(&[("SIR_SECRET_KEY", PK), ("SIR_HMAC_SECRET", HMAC), ("SIR_WEBHOOK_SECRET", WHSEC)])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SIR_SECRET_KEY holds a publishable key"), "{stderr}");
}

#[test]
fn it_refuses_settings_that_are_only_safe_on_loopback() {
    let base = [
        ("SIR_SECRET_KEY", SK),
        ("SIR_HMAC_SECRET", HMAC),
        ("SIR_WEBHOOK_SECRET", WHSEC),
        ("SIR_PUBLISHABLE_KEY", PK),
        ("PARTNER_IDENTITY", "demo"),
    ];
    let sk_live = SK.replace("sk_test_", "sk_live_");
    let pk_live = PK.replace("pk_test_", "pk_live_");
    let cases: [(Vec<(&str, &str)>, &str); 4] = [
        (vec![("SIR_API_BASE", "http://api.sirgiving.org")], "SIR_API_BASE must be https://"),
        (vec![("PARTNER_ALLOWED_ORIGINS", "http://shop.example")], "must be https://"),
        (
            vec![
                ("SIR_SECRET_KEY", &sk_live),
                ("SIR_PUBLISHABLE_KEY", &pk_live),
                ("SIR_API_BASE", "https://api.sirgiving.org"),
            ],
            "refused with an sk_live_ key",
        ),
        (vec![("PARTNER_IDENTITY", "")], "PARTNER_IDENTITY is missing"),
    ];
    for (changes, expected) in cases {
        let mut vars: Vec<(&str, &str)> =
            base.iter().copied().filter(|(n, _)| changes.iter().all(|(c, _)| c != n)).collect();
        vars.extend(changes.iter().copied());
        let output = command(&vars).output().expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{changes:?}: {stderr}");
        assert!(stderr.contains(expected), "{changes:?}: {stderr}");
    }
}

#[test]
fn it_prints_its_address_first_never_a_secret_and_stops_on_sigterm() {
    let vars = [
        ("SIR_SECRET_KEY", SK),
        ("SIR_HMAC_SECRET", HMAC),
        ("SIR_WEBHOOK_SECRET", WHSEC),
        ("SIR_PUBLISHABLE_KEY", PK),
        ("PARTNER_LISTEN", "127.0.0.1:0"),
        ("PARTNER_DB", ":memory:"),
        ("PARTNER_IDENTITY", "demo"),
        ("RUST_LOG", "sir_partner_server=debug"),
    ];
    let mut running = Running(command(&vars).spawn().expect("start"));
    let child = &mut running.0;
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    let address = first
        .trim_end()
        .strip_prefix("sir-partner-server listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();

    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    std::io::Write::write_all(&mut stream, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 200") && answer.contains(r#""status":"ok""#), "{answer}");
    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    std::io::Write::write_all(
        &mut stream,
        b"GET /sir/rewards/donation HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .expect("write");
    let mut refused = String::new();
    stream.read_to_string(&mut refused).expect("read");
    assert!(refused.starts_with("HTTP/1.1 405"), "{refused}");

    let terminated = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(terminated.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    let mut output = String::new();
    stdout.read_to_string(&mut output).expect("stdout");
    child.stderr.take().expect("stderr").read_to_string(&mut output).expect("stderr");
    for secret in [&SK[8..], HMAC, &WHSEC[6..]] {
        assert!(!output.contains(secret), "a secret was printed: {output}");
    }
    assert!(output.contains("Identity: demo") && output.contains("DEMO IDENTITY"), "announced loudly: {output}");
    // RUST_LOG=…debug shows why a request was refused (the 4xx debug line).
    assert!(output.contains("DEBUG") && output.contains("MethodNotAllowed"), "{output}");
}
