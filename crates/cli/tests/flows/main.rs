//! End-to-end flows through the `camshare` binary against a real server (in-process, port 0),
//! each on SQLite and on Postgres: every Owner and Recipient flow of FLOWS.md that needs no
//! video and no window.

mod cli;
mod lifecycle;
mod owner;
mod passwords;
mod players;
mod recipient;
