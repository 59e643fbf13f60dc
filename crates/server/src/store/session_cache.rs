//! A short-lived, in-process memory of valid access tokens, so most requests skip the session
//! query. Entries live at most `TTL` and never past the token's own expiry; signing out, signing
//! out everywhere and rotating evict at once in this process. Another server replica sharing the
//! database may accept a signed-out token for up to `TTL` — the price of not asking the database
//! on every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use camshare_api::{AccountId, Timestamp};

use super::sessions::SessionRef;

/// How long a validated token is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(5);
/// The most tokens remembered; past that the memory is cleared (it refills on demand).
const CAPACITY: usize = 20_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    session: SessionRef,
    expires_ms: i64,
    checked: Instant,
}

/// Access-token hash → the session it opens.
#[derive(Clone, Default)]
pub struct SessionCache {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl SessionCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session of a token hash checked less than `TTL` ago and not yet expired at `now`.
    pub fn get(&self, hash: &str, now: Timestamp) -> Option<SessionRef> {
        let entry = *self.lock().get(hash)?;
        (entry.checked.elapsed() < TTL && now.as_millisecond() < entry.expires_ms).then_some(entry.session)
    }

    pub fn put(&self, hash: String, session: SessionRef, expires_ms: i64) {
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(hash, Entry { session, expires_ms, checked: Instant::now() });
    }

    /// Forgets one session (signed out, or its tokens rotated).
    pub fn evict_session(&self, id: i64) {
        self.lock().retain(|_, e| e.session.id != id);
    }

    /// Forgets every session of an account (signed out everywhere).
    pub fn evict_account(&self, account: AccountId) {
        self.lock().retain(|_, e| e.session.account != account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_with_the_token_and_evictions_are_immediate() {
        let cache = SessionCache::default();
        let session = SessionRef { id: 7, account: AccountId(3) };
        let now: Timestamp = "2026-06-01T10:00:00Z".parse().unwrap();
        cache.put("h".into(), session, now.as_millisecond() + 1000);
        assert_eq!(cache.get("h", now).map(|s| s.id), Some(7));
        assert!(cache.get("h", now + jiff::SignedDuration::from_secs(2)).is_none(), "past the token's expiry");
        cache.evict_session(7);
        assert!(cache.get("h", now).is_none());
        cache.put("h".into(), session, now.as_millisecond() + 1000);
        cache.evict_account(AccountId(3));
        assert!(cache.get("h", now).is_none());
    }
}
