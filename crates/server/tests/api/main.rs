//! HTTP-level tests of the server, each on SQLite and on Postgres.

mod accounts;
mod bad_input;
mod helpers;
mod sharing;
mod sweep;

/// Runs an async test body once on SQLite and once on Postgres.
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident, $body:path) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body(camshare_server::testing::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $body(camshare_server::testing::Engine::Postgres).await
            }
        }
    };
}
