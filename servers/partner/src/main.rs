use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use sir_partner_server::{AppState, Config, Db, listening_line, serve};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_max_level(tracing::Level::INFO)
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

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let db =
        Db::open(&config.db_path).map_err(|error| format!("cannot open PARTNER_DB {}: {error}", config.db_path))?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;

    // Never a secret: only where things are and what is on.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", listening_line(address))?;
    writeln!(stdout, "SIR API: {}", config.api_base)?;
    writeln!(stdout, "Webhook endpoint: http://{address}/webhooks/sir")?;
    let origins = if config.allowed_origins.is_empty() { "none".to_owned() } else { config.allowed_origins.join(", ") };
    writeln!(stdout, "Allowed origins: {origins}")?;
    writeln!(stdout, "Database: {}", config.db_path)?;
    if let Some(dir) = &config.static_dir {
        writeln!(stdout, "Static files: {} at http://{address}/", dir.display())?;
    }
    let fallback = if config.publishable_key.is_some() { "on" } else { "off (no SIR_PUBLISHABLE_KEY)" };
    writeln!(stdout, "Status API fallback: {fallback}")?;
    writeln!(stdout, "Automatic rewards: {}", if config.auto_reward { "on" } else { "off" })?;
    stdout.flush()?;
    drop(stdout);

    serve(listener, AppState::new(config, db), shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
