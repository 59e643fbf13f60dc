//! HTTP-level tests of the server, each on SQLite and on Postgres.

mod accounts;
mod bad_input;
mod blocking;
mod camera_policy;
mod devices;
mod embedding;
mod helpers;
mod http_limits;
mod passwords;
mod sharing;
mod sweep;
mod tls;
mod verification;
