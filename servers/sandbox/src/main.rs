use std::io::{IsTerminal as _, Write as _};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::{Parser, ValueEnum};
use sir_sandbox::{AppState, Config, PresetWebhook, default_public_url, listening_line, seed, serve, webhooks};
use sir_signing::WebhookSecret;
use tracing_subscriber::EnvFilter;

/// Local emulator of the SIR Giving Partner API (sandbox environment), for sir-donate.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// IP address to listen on. Loopback by default: the test controls trust loopback peers.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port to listen on; 0 lets the OS choose (the first stdout line says which).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Base of the absolute URLs handed out (logos, checkout links) [default: http://BIND:PORT].
    #[arg(long, value_parser = parse_public_url)]
    public_url: Option<String>,
    /// Requests per key (or per client IP without a valid key) per 60-second window.
    #[arg(long, default_value_t = 1000)]
    rate_limit: u32,
    /// Seconds after which a donation still pending reads as expired.
    #[arg(long, default_value_t = 1800)]
    checkout_ttl_secs: u64,
    /// Register a webhook for the Demo Partner at start, receiving every event (https://,
    /// or http:// to a loopback host), so a demo needs no registration call.
    #[arg(long, env = "SIR_SANDBOX_WEBHOOK_URL", value_parser = parse_webhook_url)]
    webhook_url: Option<String>,
    /// The secret of the --webhook-url webhook (whsec_ + 64 hex) [default: a random one, printed at start].
    #[arg(long, env = "SIR_SANDBOX_WEBHOOK_SECRET", requires = "webhook_url", value_parser = parse_webhook_secret, hide_env_values = true)]
    webhook_secret: Option<String>,
    /// Delivery attempts per webhook event, the first included.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    webhook_attempts: u32,
    /// Milliseconds before the second delivery attempt; doubles before each further one.
    #[arg(long, default_value_t = 1000)]
    webhook_retry_base_ms: u64,
    /// Milliseconds added before every answer, CORS preflights included (not the test
    /// controls'): a real network's round trip, which Chromium's network emulation never
    /// adds to a CORS preflight.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// A token pool falling below this many tokens sends `token_pool.low_balance`.
    #[arg(long, default_value_t = sir_sandbox::model::ledger::DEFAULT_LOW_POOL_THRESHOLD)]
    pool_low_threshold: u64,
    /// Log format; logs go to stderr, so stdout stays parseable.
    #[arg(long, value_enum, default_value_t = LogFormat::Pretty)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Pretty,
    Json,
}

fn parse_public_url(url: &str) -> Result<String, String> {
    let url = url.trim_end_matches('/');
    let host = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(url.to_owned()),
        _ => Err("expected an absolute http:// or https:// URL".to_owned()),
    }
}

fn parse_webhook_url(url: &str) -> Result<String, String> {
    webhooks::check_url(url)
}

fn parse_webhook_secret(secret: &str) -> Result<String, String> {
    if sir_signing::is_webhook_secret(secret) {
        Ok(secret.to_owned())
    } else {
        Err("expected whsec_ followed by 64 hex digits".to_owned())
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // RUST_LOG as tracing-subscriber reads it; INFO without it.
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")));
    match args.log_format {
        LogFormat::Pretty => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }

    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port)).await?;
    let address = listener.local_addr()?;
    let public_url = args.public_url.unwrap_or_else(|| default_public_url(args.bind, address.port()));

    let preset_webhook = match (args.webhook_url, args.webhook_secret) {
        (Some(url), Some(secret)) => Some((PresetWebhook { url, secret: WebhookSecret::new(secret) }, false)),
        (Some(url), None) => {
            let secret = webhooks::new_secret().map_err(|error| std::io::Error::other(error.message))?;
            Some((PresetWebhook { url, secret }, true))
        }
        (None, _) => None,
    };

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", listening_line(address))?;
    writeln!(stdout, "Public URL: {public_url}\n{}", seed::describe(&public_url))?;
    if let Some((preset, generated)) = &preset_webhook {
        writeln!(stdout, "Webhook for {} (all events): {}", seed::PARTNERS[0].name, preset.url)?;
        // A generated secret is shown once, as the real API shows a registration's; a given one is not echoed.
        if *generated {
            writeln!(stdout, "  webhook secret: {}", preset.secret.expose())?;
        }
    }
    stdout.flush()?;
    drop(stdout);

    let state = AppState::new(Config {
        public_url,
        rate_limit: args.rate_limit,
        checkout_ttl: Duration::from_secs(args.checkout_ttl_secs),
        preset_webhook: preset_webhook.map(|(preset, _)| preset),
        webhook_attempts: args.webhook_attempts,
        webhook_retry_base: Duration::from_millis(args.webhook_retry_base_ms),
        pool_low_threshold: args.pool_low_threshold,
        latency: Duration::from_millis(args.latency_ms),
    });
    serve(listener, state, sir_server_kit::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
