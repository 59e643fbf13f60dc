//! The Camshare sharing server: accounts, devices, shares, invites, events and the activity log,
//! over HTTP (axum), stored in SQLite or Postgres, with the media gate (RTSP) beside it.
//! [`ServerBuilder`] builds one and [`Server::run`] serves until told to stop; `app()` builds
//! the router alone. Every permission is decided by one authority, [`permits`].

pub mod access;
pub mod account_deletion;
pub mod accounts;
pub mod blocking;
pub mod camera;
pub mod clock;
pub mod codes;
pub mod config;
pub mod devices;
pub mod error;
pub mod gate;
pub mod hashing;
pub mod health;
pub mod http;
pub mod limits;
pub mod outbox;
pub mod passwords;
pub mod permits;
pub mod routes;
pub mod secrets;
mod server;
pub mod sharing;
pub mod store;
pub mod tasks;
pub mod text;
pub mod tls;

pub use routes::{AppState, app, openapi};
pub use server::{GateSettings, Messages, Server, ServerBuilder, StartError};
pub use tokio_util::sync::CancellationToken;
