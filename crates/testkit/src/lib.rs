//! Test support for Camshare's tests and benchmarks, and nothing else: it is only ever a
//! dev-dependency, so none of it is compiled into the server, the CLI or the desktop app.
//!
//! - [`spawn_app`]: a real server on 127.0.0.1:0 (HTTPS and RTSPS with [`spawn_app_tls`]) with a fresh database (SQLite file or a
//!   database on the throwaway Postgres cluster of [`postgres`]) and a clock the test moves;
//! - [`on_both_engines!`]: one async test body run on SQLite and on Postgres;
//! - [`outbox`] and [`smtp`]: the messages the server sent (its outbox folder, or a real SMTP
//!   server the test starts), and the codes and links in them;
//! - [`world`]: accounts signed up through the client, the camera simulator as a device, and
//!   the "server + camsim + owner + share" world of the live-view tests;
//! - [`bench`]: percentiles and load averages for the benchmark binaries.

pub mod bench;
pub mod outbox;
pub mod postgres;
pub mod smtp;
pub mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use camshare_api::Timestamp;
use camshare_client::{Client, Trust};
use camshare_server::clock::ManualClock;
use camshare_server::config::Config;
use camshare_server::store::Db;
use camshare_server::tasks::BackgroundTasks;
use camshare_server::{AppState, CancellationToken};
use clap::Parser;

/// Which database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A running server for one test. It serves until `stop` (or the test binary's end).
pub struct TestApp {
    pub addr: SocketAddr,
    /// `http://ADDR`, or `https://ADDR` for a server started with TLS.
    pub base_url: String,
    /// What a client must trust to reach it: the self-signed certificate's fingerprint pinned,
    /// for a server started with `--tls-self-signed`.
    pub trust: Trust,
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    pub data_dir: PathBuf,
    /// Cancel to stop the server (`stop` waits for it).
    pub shutdown: CancellationToken,
    /// The server's background tasks.
    pub tasks: BackgroundTasks,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// A client for this server, not signed in, trusting what it must.
    pub fn client(&self) -> Client {
        Client::with_trust(&self.base_url, self.trust.clone()).expect("the test server's URL is valid")
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The folder a server without a mail relay writes its mails and text messages to.
    pub fn outbox(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// Stops the server and waits until everything it started has ended.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(served) = self.served.take() {
            served.await.expect("the server task").expect("the server stops cleanly");
        }
    }
}

/// Where test clocks start: a Monday, 10:00 UTC.
pub fn start_time() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().unwrap()
}

/// A new empty folder under the system's temp folder.
pub fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", camshare_server::secrets::new_token()));
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

/// Starts a server on 127.0.0.1:0 (its gate too) with a fresh database and a manual clock.
/// Device checks are off: tests use made-up camera addresses that must not be contacted.
/// Cameras may be on loopback (`--camera-allow 127.0.0.0/8`): the camera simulator is.
pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, &["--device-check-secs", "0"]).await
}

/// As `spawn_app`, with more command-line arguments for the server (read as `camshare-server`
/// reads them, later ones winning; list flags add up). Cameras may be on loopback, as with
/// `spawn_app`; [`spawn_app_strict`] starts one with the default camera network policy.
pub async fn spawn_app_with(engine: Engine, args: &[&str]) -> TestApp {
    let args: Vec<&str> = ["--camera-allow", "127.0.0.0/8"].into_iter().chain(args.iter().copied()).collect();
    spawn_app_strict(engine, &args).await
}

/// As `spawn_app`, serving HTTPS and RTSPS with a self-signed certificate; its `trust` pins the
/// fingerprint, so `TestApp::client` and the `world` helpers reach it.
pub async fn spawn_app_tls(engine: Engine) -> TestApp {
    spawn_app_with(engine, &["--device-check-secs", "0", "--tls-self-signed"]).await
}

/// As `spawn_app_with`, with the camera network policy of a server started without flags (no
/// cameras on loopback), for the tests of that policy.
pub async fn spawn_app_strict(engine: Engine, args: &[&str]) -> TestApp {
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
    let server = config.builder().clock(clock.clone()).build().await.expect("server starts");
    let addr = server.local_addr().unwrap();
    let base_url = server.base_url().unwrap();
    let trust = Trust { allow_plain: false, pinned: server.tls().map(|tls| tls.fingerprint()) };
    let state = server.state().clone();
    let tasks = server.tasks();
    let shutdown = CancellationToken::new();
    let served = tokio::spawn(server.run(shutdown.clone()));
    TestApp { addr, base_url, trust, clock, state, data_dir, shutdown, tasks, served: Some(served) }
}

/// Runs an async test body once on SQLite and once on Postgres:
/// `camshare_testkit::on_both_engines!(test_name, super::body)` makes `test_name::sqlite` and
/// `test_name::postgres`. The calling crate needs tokio (with macros) as a dev-dependency.
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident, $body:path) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body($crate::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $body($crate::Engine::Postgres).await
            }
        }
    };
}
