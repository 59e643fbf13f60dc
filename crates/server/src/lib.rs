//! The Camshare sharing server: accounts, devices, shares, invites, events and the activity log,
//! over HTTP (axum), stored in SQLite or Postgres. `app()` builds the router that `main` serves
//! and that tests drive in-process.

pub mod access;
pub mod clock;
pub mod config;
pub mod error;
pub mod routes;
pub mod secrets;
pub mod sharing;
pub mod store;
pub mod testing;

use std::sync::Arc;

pub use routes::{AppState, app, openapi};

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::secrets::ServerKey;
use crate::store::Db;

/// A server bound to its port, ready to serve.
pub struct Server {
    pub listener: tokio::net::TcpListener,
    pub state: AppState,
    pub max_body_bytes: usize,
}

impl Server {
    /// Opens the database (migrating it), loads or creates the server key, binds the port.
    pub async fn build(config: &Config) -> anyhow::Result<Server> {
        Server::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As `build`, with a clock of the caller's choosing (tests move time with it).
    pub async fn build_with_clock(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Server> {
        let data_dir = config.data_dir();
        let key = ServerKey::load_or_create(&data_dir)
            .map_err(|e| anyhow::anyhow!("cannot read or create the server key in {}: {e}", data_dir.display()))?;
        let db = Db::connect(&config.database_url()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        Ok(Server { listener, state: AppState { db, key, clock }, max_body_bytes: config.max_body_bytes })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends.
    pub async fn run(self) -> std::io::Result<()> {
        let router = app(self.state, self.max_body_bytes);
        axum::serve(self.listener, router).await
    }
}
