//! `serve` on a real socket: each request knows its peer, and a client that never
//! finishes its headers is disconnected.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::routing::get;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

async fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let app = Router::new()
        .route("/", get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }));
    tokio::spawn(sir_server_kit::serve(listener, app, std::future::pending()));
    address
}

#[tokio::test]
async fn requests_carry_their_peer_and_slow_headers_are_cut_off() {
    let address = start().await;
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("127.0.0.1"), "{answer}");

    // Headers started, never finished: closed after the header-read timeout.
    let mut slow = TcpStream::connect(address).await.expect("connect");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.expect("write");
    let started = Instant::now();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), slow.read_to_end(&mut rest)).await;
    assert!(read.is_ok(), "still open after 15 s");
    let waited = started.elapsed();
    assert!(waited >= sir_server_kit::HEADER_READ_TIMEOUT - Duration::from_millis(500), "{waited:?}");
    assert!(waited < sir_server_kit::HEADER_READ_TIMEOUT + Duration::from_secs(3), "{waited:?}");
}
