//! End-to-end flows through the `camshare` binary against a real server (in-process, port 0),
//! each on SQLite and on Postgres: every Owner and Recipient flow of FLOWS.md that needs no
//! video and no window.

mod cli;
mod owner;
mod recipient;

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
