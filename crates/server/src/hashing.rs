//! Password hashing (Argon2id, 19 MiB and tens of milliseconds of one core each) off the async
//! threads and a few at a time: at most [`AT_ONCE`] run, at most [`WAITING_AT_MOST`] wait, and
//! beyond that the request is answered `unavailable` at once. A flood of sign-ins then costs a
//! bounded amount of memory and leaves the other cores to everything else.

use std::sync::atomic::{AtomicUsize, Ordering};

use camshare_api::{ApiError, ErrorKind, Secret};
use tokio::sync::Semaphore;

use crate::error::{Result, ServerError};
use crate::secrets;

/// Hashes running at once.
pub const AT_ONCE: usize = 4;
/// Hashes waiting for a slot before further ones are turned away.
pub const WAITING_AT_MOST: usize = 64;

static SLOTS: Semaphore = Semaphore::const_new(AT_ONCE);
static WAITING: AtomicUsize = AtomicUsize::new(0);
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// A new password's stored form.
pub async fn hash(password: Secret) -> Result<String> {
    run(move || secrets::hash_password(password.expose())).await?
}

/// Whether `password` is the one `stored` was made from.
pub async fn verify(password: Secret, stored: String) -> Result<bool> {
    run(move || secrets::verify_password(password.expose(), &stored)).await
}

/// The most hashes that ever ran at once in this process (the log's and the tests' view of the
/// bound).
pub fn peak() -> usize {
    PEAK.load(Ordering::SeqCst)
}

async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    if WAITING.fetch_add(1, Ordering::SeqCst) >= WAITING_AT_MOST + AT_ONCE {
        WAITING.fetch_sub(1, Ordering::SeqCst);
        return Err(
            ApiError::new(ErrorKind::Unavailable, "the server is busy checking passwords; try again shortly").into()
        );
    }
    let slot = SLOTS.acquire().await.map_err(ServerError::internal);
    WAITING.fetch_sub(1, Ordering::SeqCst);
    let _slot = slot?;
    let running = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
    PEAK.fetch_max(running, Ordering::SeqCst);
    let done = tokio::task::spawn_blocking(work).await.map_err(ServerError::internal);
    RUNNING.fetch_sub(1, Ordering::SeqCst);
    done
}
