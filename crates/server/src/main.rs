//! `camshare-server`: serves the Camshare API. With no arguments it listens on 127.0.0.1:7878
//! with a SQLite database in the user's data folder, created and migrated on first start.
//! Ctrl-C or SIGTERM stops it cleanly. If it cannot start (a port taken, plain HTTP on an
//! address others can reach, a key others can read) it says why and exits with status 2.

use camshare_server::CancellationToken;
use camshare_server::config::Config;
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into()))
        .init();
    let server = match config.builder().build().await {
        Ok(server) => server,
        Err(e) => {
            // A sentence for the operator, not a backtrace.
            eprintln!("camshare-server: {e}");
            std::process::exit(2);
        }
    };
    tracing::info!(url = %server.base_url()?, data_dir = %config.data_dir().display(), "camshare-server listening");
    if let Some(tls) = server.tls() {
        let fingerprint = tls.fingerprint();
        if tls.is_self_signed() {
            tracing::info!(
                %fingerprint,
                "TLS with a self-signed certificate: clients pin this SHA-256 fingerprint (camshare --pin {fingerprint}); \
                 check that the one they show is this one"
            );
        } else {
            tracing::info!(%fingerprint, "TLS with the certificate given");
        }
    }
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
