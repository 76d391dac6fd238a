use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

use sir_partner_server::{AppState, Config, IdentityConfig, Store, listening_line, metrics, serve, spawn_workers};
use sir_server_kit::{ConnectionPolicy, Connections};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // RUST_LOG as tracing-subscriber reads it (`RUST_LOG=debug` shows each 4xx's reason); INFO without it.
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("sir-partner-server: {error}\n(see servers/partner/README.md for the environment variables)");
            return ExitCode::from(2);
        }
    };
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sir-partner-server: {error}");
            ExitCode::FAILURE
        }
    }
}

const DEMO_WARNING: &str = "DEMO IDENTITY (PARTNER_IDENTITY=demo): anyone can sign in as any email, with no password. \
                            For the demo and tests only; never in production.";

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let store = open_store(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;

    // Never a secret: only where things are and what is on.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", listening_line(address))?;
    writeln!(stdout, "SIR API: {}", config.api_base)?;
    writeln!(stdout, "Webhook endpoint: http://{address}/webhooks/sir")?;
    let origins = if config.allowed_origins.is_empty() { "none".to_owned() } else { config.allowed_origins.join(", ") };
    writeln!(stdout, "Allowed origins: {origins}")?;
    writeln!(stdout, "Database: {}", config.database.describe())?;
    if let Some(dir) = &config.static_dir {
        writeln!(stdout, "Static files: {} at http://{address}/", dir.display())?;
    }
    writeln!(stdout, "Identity: {}", config.identity.name())?;
    if matches!(config.identity, IdentityConfig::Demo) {
        writeln!(stdout, "{DEMO_WARNING}")?;
    }
    stdout.flush()?;
    drop(stdout);
    if matches!(config.identity, IdentityConfig::Demo) {
        tracing::warn!("{DEMO_WARNING}");
    }

    let state = AppState::new(config, store);
    tokio::spawn(look_back(state.clone()));
    if let Some(address) = state.config.metrics_listen {
        let listener = tokio::net::TcpListener::bind(address).await?;
        println!("Metrics: http://{}/metrics", listener.local_addr()?);
        let router = metrics::router(state.clone());
        // The same connection deadlines and shares as the public listener.
        let connections = Connections::new(ConnectionPolicy::default(), std::sync::Arc::default());
        tokio::spawn(async move {
            if let Err(error) = sir_server_kit::serve_with(listener, router, std::future::pending(), connections).await
            {
                tracing::error!(%error, "the private listener stopped");
            }
        });
    }
    let _workers = spawn_workers(&state);
    serve(listener, state, sir_server_kit::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// At start, beside serving (a database that restarts meanwhile must not stop the server):
/// events an earlier run flagged are queued again, so a fixed or upgraded server applies
/// them (the inbox applies whatever is queued), and what still waits for an operator is
/// logged again.
async fn look_back(state: AppState) {
    match state.store.requeue_flagged().await {
        Ok(0) => {}
        Ok(requeued) => tracing::info!(requeued, "flagged webhooks queued again at start"),
        Err(error) => tracing::warn!(%error, "cannot queue flagged webhooks again now; the next start will"),
    }
    if let Ok(donations) = state.store.paid_without_webhook().await {
        for donation in donations {
            tracing::error!(%donation, "PAID WITHOUT WEBHOOK: its reward is held until SIR's signed webhook arrives");
        }
    }
}

/// The database; PostgreSQL is waited for up to [`OPEN_PATIENCE`]: an instance started while it
/// restarts (a deploy, a failover) comes up when it is back, rather than exiting.
async fn open_store(config: &Config) -> Result<Store, String> {
    // A SQLite file that can't be opened won't open later either.
    let shared = matches!(config.database, sir_partner_server::config::Database::Postgres { .. });
    let started = std::time::Instant::now();
    let mut wait = std::time::Duration::from_millis(250);
    loop {
        match Store::open(&config.database).await {
            Ok(store) => return Ok(store),
            Err(error @ sir_partner_server::store::OpenError::Connect(_))
                if shared && started.elapsed() < OPEN_PATIENCE =>
            {
                tracing::warn!(%error, retry_in_ms = wait.as_millis() as u64, "the database is not answering yet");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(4));
            }
            Err(error) => return Err(format!("{}: {error}", config.database.describe())),
        }
    }
}

/// How long a starting instance waits for its database.
const OPEN_PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);
