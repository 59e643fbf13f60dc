//! Hooks for the app's own tests and benchmarks, compiled only with the `test-hooks` feature
//! (the real-window test and `scripts/bench-desktop.sh` build it; the shipped app does not):
//!
//! - `CAMSHARE_KEYCHAIN=mock`: keyring-core's in-memory store instead of the OS keychain, so
//!   tests never touch the user's real keychain;
//! - the `mark_drawn` command: with `CAMSHARE_STARTUP_REPORT` naming a file, the UI's "I have
//!   drawn X" lands there with the milliseconds since start (cold-start benchmark).

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use keyring_core::CredentialStore;

/// When the app started, for the start-up report.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// Notes the start instant; called first thing in `run`.
pub fn note_start() {
    STARTED.get_or_init(Instant::now);
}

/// The in-memory credential store the tests ask for with `CAMSHARE_KEYCHAIN=mock`.
pub fn keychain_override() -> Option<Arc<CredentialStore>> {
    (std::env::var("CAMSHARE_KEYCHAIN").as_deref() == Ok("mock")).then(|| {
        let store: Arc<CredentialStore> = keyring_core::mock::Store::new().expect("the mock keychain store");
        store
    })
}

/// The UI says it has drawn something (e.g. `device-list`). When `CAMSHARE_STARTUP_REPORT` names
/// a file, a line `<what> <ms since start>` is appended to it. Otherwise nothing happens.
#[tauri::command]
pub fn mark_drawn(what: String) {
    let Ok(path) = std::env::var("CAMSHARE_STARTUP_REPORT") else { return };
    let elapsed = STARTED.get().map_or(0, |t| t.elapsed().as_millis());
    let line = format!("{} {elapsed}\n", what.replace(char::is_whitespace, "_"));
    use std::io::Write;
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = file.write_all(line.as_bytes());
    }
}
