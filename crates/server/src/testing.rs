//! Test support, used by this crate's tests and by the CLI's and client's: a fresh server on
//! port 0 with its own database (SQLite file or Postgres database) and a clock the test can move.

pub mod postgres;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::ManualClock;
use crate::config::Config;
use crate::store::Db;
use crate::{AppState, Server};
use camshare_api::Timestamp;
use clap::Parser;

/// Which database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A running server for one test.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base_url: String,
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    pub data_dir: PathBuf,
}

impl TestApp {
    pub fn db(&self) -> &Db {
        &self.state.db
    }
}

/// Where test clocks start: a Monday, 10:00 UTC.
pub fn start_time() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().unwrap()
}

pub fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", crate::secrets::new_token()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The database URL for a fresh database on the engine.
pub async fn database_url(engine: Engine, data_dir: &std::path::Path) -> String {
    match engine {
        Engine::Sqlite => format!("sqlite://{}", data_dir.join("camshare.db").display()),
        Engine::Postgres => postgres::fresh_database().await,
    }
}

/// Starts a server on 127.0.0.1:0 with a fresh database and a manual clock. Device checks are
/// off: tests use made-up camera addresses that must not be contacted.
pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, &["--device-check-secs", "0"]).await
}

/// As `spawn_app`, with more command-line arguments for the server.
pub async fn spawn_app_with(engine: Engine, args: &[&str]) -> TestApp {
    let data_dir = temp_dir("camshare-test");
    let database = database_url(engine, &data_dir).await;
    let config = Config::parse_from(
        [
            "camshare-server",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--database",
            &database,
            "--gate-listen",
            "127.0.0.1:0",
        ]
        .into_iter()
        .chain(args.iter().copied()),
    );
    let clock = Arc::new(ManualClock::new(start_time()));
    let server = Server::build_with_clock(&config, clock.clone()).await.expect("server starts");
    let addr = server.local_addr().unwrap();
    let state = server.state.clone();
    tokio::spawn(server.run());
    TestApp { addr, base_url: format!("http://{addr}"), clock, state, data_dir }
}

/// Runs an async test body once on SQLite and once on Postgres:
/// `camshare_server::on_both_engines!(test_name, super::body)` makes `test_name::sqlite` and
/// `test_name::postgres`. The calling crate needs tokio (with macros) as a dev-dependency.
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident, $body:path) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body($crate::testing::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $body($crate::testing::Engine::Postgres).await
            }
        }
    };
}
