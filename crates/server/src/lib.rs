//! The Camshare sharing server: accounts, devices, shares, invites, events and the activity log,
//! over HTTP (axum), stored in SQLite or Postgres. `app()` builds the router that `main` serves
//! and that tests drive in-process.

pub mod access;
pub mod clock;
pub mod config;
pub mod error;
pub mod gate;
pub mod health;
pub mod routes;
pub mod secrets;
pub mod sharing;
pub mod store;
pub mod testing;

use std::sync::Arc;
use std::time::Duration;

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
    /// How often every device's RTSP address is checked; `None`: never.
    pub device_checks: Option<Duration>,
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
        let gate =
            gate::Gate::start(config.gate_listen, config.gate_host.as_deref(), db.clone(), key.clone(), clock.clone())?;
        let device_checks = (config.device_check_secs > 0).then(|| Duration::from_secs(config.device_check_secs));
        let health = health::DeviceHealth::new(device_checks.is_some());
        let state = AppState { db, key, clock, gate: Arc::new(gate), health };
        Ok(Server { listener, state, max_body_bytes: config.max_body_bytes, device_checks })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends; prunes expired sessions and old events every hour, and
    /// checks whether devices answer.
    pub async fn run(self) -> std::io::Result<()> {
        tokio::spawn(housekeeping(self.state.clone()));
        if let Some(interval) = self.device_checks {
            let state = &self.state;
            tokio::spawn(state.health.clone().run(state.db.clone(), state.clock.clone(), interval));
        }
        let router = app(self.state, self.max_body_bytes);
        axum::serve(self.listener, router).await
    }
}

/// Hourly: forget expired sessions, stale sign-in counters and events past their retention.
async fn housekeeping(state: AppState) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let now = state.clock.now();
        let pruned = async {
            Ok::<u64, crate::error::ServerError>(
                store::sessions::prune(&state.db.pool, now).await?
                    + store::events::prune(&state.db.pool, now).await?
                    + store::tickets::prune(&state.db.pool, now).await?,
            )
        };
        match pruned.await {
            Ok(n) if n > 0 => tracing::info!(rows = n, "housekeeping pruned expired rows"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry in an hour"),
        }
    }
}
