//! `camshare-server`: serves the Camshare API. With no arguments it listens on 127.0.0.1:7878
//! with a SQLite database in the user's data folder, created and migrated on first start.
//! Ctrl-C or SIGTERM stops it cleanly.

use camshare_server::CancellationToken;
use camshare_server::config::Config;
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into()))
        .init();
    let server = config.builder().build().await?;
    tracing::info!(address = %server.local_addr()?, data_dir = %config.data_dir().display(), "camshare-server listening");
    let shutdown = CancellationToken::new();
    tokio::spawn({
        let shutdown = shutdown.clone();
        async move {
            stop_signal().await;
            tracing::info!("stopping");
            shutdown.cancel();
        }
    });
    server.run(shutdown).await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
