use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use sir_sandbox::{AppState, Config, app, seed};

/// Local emulator of the SIR Giving Partner API (sandbox environment).
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on. Loopback by default: the test controls trust loopback.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port; 0 lets the OS choose (the startup line says which).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Base of the absolute URLs it hands out (logos, checkout links). Default: http://BIND:PORT.
    #[arg(long)]
    public_url: Option<String>,
    /// Requests per key per 60-second window.
    #[arg(long, default_value_t = 1000)]
    rate_limit: u32,
    /// A pending checkout older than this reads as expired.
    #[arg(long, default_value_t = 1800)]
    checkout_ttl_secs: u64,
    #[arg(long, value_enum, default_value_t = LogFormat::Pretty)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Pretty,
    Json,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let logs = tracing_subscriber::fmt().with_env_filter_or_info();
    match args.log_format {
        LogFormat::Pretty => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    let listener = tokio::net::TcpListener::bind((args.bind.as_str(), args.port)).await?;
    let address = listener.local_addr()?;
    let public_url = args.public_url.unwrap_or_else(|| format!("http://{address}")).trim_end_matches('/').to_owned();
    // Tests read this exact line to learn the port.
    println!("sir-sandbox listening on http://{address}");
    println!("{}", seed::describe(&public_url));
    let state = AppState::new(Config {
        public_url,
        rate_limit: args.rate_limit,
        checkout_ttl: Duration::from_secs(args.checkout_ttl_secs),
    });
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await
}

trait InfoByDefault {
    fn with_env_filter_or_info(self) -> Self;
}

impl InfoByDefault for tracing_subscriber::fmt::SubscriberBuilder {
    fn with_env_filter_or_info(self) -> Self {
        self.with_max_level(tracing::Level::INFO)
    }
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}
