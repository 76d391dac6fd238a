use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

use sir_partner_server::{
    AppState, Config, IdentityConfig, Store, inbox, listening_line, metrics, serve, spawn_workers,
};

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
    let store =
        Store::open(&config.database).await.map_err(|error| format!("{}: {error}", config.database.describe()))?;
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
    // What an earlier run stored but did not apply (or could not): applied now.
    let (applied, flagged) = inbox::drain(&state).await?;
    if applied + flagged > 0 {
        tracing::info!(applied, flagged, "stored webhooks applied at start");
    }
    for (event, reason) in state.store.flagged_events().await? {
        tracing::error!(%event, reason, "webhook stored but NOT applied");
    }
    for donation in state.store.paid_without_webhook().await? {
        tracing::error!(%donation, "PAID WITHOUT WEBHOOK: its reward is held until SIR's signed webhook arrives");
    }
    if let Some(address) = state.config.metrics_listen {
        let listener = tokio::net::TcpListener::bind(address).await?;
        println!("Metrics: http://{}/metrics", listener.local_addr()?);
        let router = metrics::router(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
    }
    let _workers = spawn_workers(&state);
    serve(listener, state, sir_server_kit::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
