//! Camshare's wire types: what the server, the client, the CLI and the desktop app say to each
//! other. Parsing of user input into domain newtypes (email, phone, account code, channel grants,
//! schedules) lives here too, so every edge validates the same way. No I/O.

pub mod access;
pub mod account;
pub mod activity;
pub mod address;
pub mod device;
pub mod error;
pub mod event;
pub mod fingerprint;
pub mod function;
pub mod ids;
pub mod net;
pub mod recipient;
pub mod routes;
pub mod schedule;
pub mod secret;
pub mod share;
pub mod stream;

pub use access::*;
pub use account::*;
pub use activity::*;
pub use address::*;
pub use device::*;
pub use error::*;
pub use event::*;
pub use fingerprint::*;
pub use function::*;
pub use ids::*;
pub use net::*;
pub use recipient::*;
pub use schedule::*;
pub use secret::*;
pub use share::*;
pub use stream::*;

/// Instants on the wire: RFC 3339 UTC strings.
pub use jiff::Timestamp;
