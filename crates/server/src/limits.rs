//! The per-account limits the server holds every account to, so that one account (or one
//! stolen session) cannot exhaust what the others need. Each is a server flag (see `Config`).

/// The limits in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most devices one account may own.
    pub devices_per_account: u32,
}

impl Default for Limits {
    /// The command line's defaults.
    fn default() -> Limits {
        Limits { devices_per_account: 256 }
    }
}
