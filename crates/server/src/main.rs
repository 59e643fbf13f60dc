//! `camshare-server`: serves the Camshare API. With no arguments it listens on 127.0.0.1:7878
//! with a SQLite database in the user's data folder, created and migrated on first start.

use camshare_server::Server;
use camshare_server::config::Config;
use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into()))
        .init();
    let server = Server::build(&config).await?;
    tracing::info!(address = %server.local_addr()?, data_dir = %config.data_dir().display(), "camshare-server listening");
    server.run().await?;
    Ok(())
}
