//! Events for server-sent streams: stored per recipient account inside the transaction that
//! caused them (so an event exists exactly when its change does), read back by id for resume,
//! and announced to open streams through the in-process `EventHub`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use camshare_api::{AccountId, Event, EventId, EventKind, Timestamp};
use sqlx::AnyPool;
use tokio::sync::watch;

use super::{Backend, WriteTx};
use crate::clock::{from_millis, to_millis};
use crate::error::{Result, ServerError};

/// Records an event for one account, to be delivered once the transaction commits.
///
/// On Postgres, concurrent transactions could commit ids out of order (id 6 visible before 5),
/// and a stream resuming after 6 would skip 5 forever. Taking an exclusive lock on the events
/// table before the first insert makes event-writing transactions commit one after another.
/// SQLite has one writer at a time anyway.
pub async fn insert(tx: &mut WriteTx<'_>, account: AccountId, kind: &EventKind, now: Timestamp) -> Result<()> {
    if tx.backend == Backend::Postgres && !tx.events_locked {
        sqlx::query("LOCK TABLE events IN EXCLUSIVE MODE").execute(&mut *tx.tx).await?;
        tx.events_locked = true;
    }
    let payload = serde_json::to_string(kind).map_err(ServerError::internal)?;
    sqlx::query("INSERT INTO events (account_id, payload, created_ms) VALUES ($1, $2, $3)")
        .bind(account.0)
        .bind(payload)
        .bind(to_millis(now))
        .execute(&mut *tx.tx)
        .await?;
    if !tx.notify.contains(&account) {
        tx.notify.push(account);
    }
    Ok(())
}

/// The account's events after `after` (all of them for `None`), oldest first, at most `limit`.
pub async fn after(pool: &AnyPool, account: AccountId, after: Option<EventId>, limit: i64) -> Result<Vec<Event>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, payload, created_ms FROM events WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(account.0)
    .bind(after.map_or(0, |e| e.0))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, payload, created_ms)| {
            let kind = serde_json::from_str(&payload).map_err(ServerError::internal)?;
            Ok(Event { id: EventId(id), at: from_millis(created_ms), kind })
        })
        .collect()
}

/// How long events are kept for resuming streams.
pub const RETENTION: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 30);

/// Deletes events older than `RETENTION`: a client away that long reloads its lists anyway.
pub async fn prune(pool: &AnyPool, now: Timestamp) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM events WHERE created_ms <= $1").bind(to_millis(now - RETENTION)).execute(pool).await?;
    Ok(done.rows_affected())
}

/// The newest event id of an account (0 when none), where a fresh stream starts.
pub async fn latest_id(pool: &AnyPool, account: AccountId) -> Result<EventId> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT MAX(id) FROM events WHERE account_id = $1").bind(account.0).fetch_one(pool).await?;
    Ok(EventId(id.unwrap_or(0)))
}

/// Wakes the open event streams of an account. A `watch` channel per account never loses a
/// wake-up: a stream that was busy querying sees the changed version on its next wait.
#[derive(Clone)]
pub struct EventHub {
    senders: Arc<Mutex<HashMap<AccountId, watch::Sender<u64>>>>,
    /// Changes after every committed write transaction: the media gate re-decides its open
    /// sessions then.
    writes: Arc<watch::Sender<u64>>,
}

impl Default for EventHub {
    fn default() -> Self {
        EventHub { senders: Arc::default(), writes: Arc::new(watch::channel(0).0) }
    }
}

impl EventHub {
    /// A receiver that changes after every committed write.
    pub fn subscribe_writes(&self) -> watch::Receiver<u64> {
        self.writes.subscribe()
    }

    /// Rings after a write transaction committed.
    pub fn committed(&self) {
        self.writes.send_modify(|v| *v += 1);
    }

    /// A receiver that changes whenever the account gets an event — one per open event stream,
    /// so their count is the account's open streams; `None` when `at_most` are open already.
    pub fn subscribe(&self, account: AccountId, at_most: usize) -> Option<watch::Receiver<u64>> {
        let mut senders = self.senders.lock().expect("event hub lock");
        let sender = senders.entry(account).or_insert_with(|| watch::channel(0).0);
        (sender.receiver_count() < at_most).then(|| sender.subscribe())
    }

    /// Wakes every stream of these accounts; forgets accounts nobody listens to any more.
    pub fn notify(&self, accounts: &[AccountId]) {
        if accounts.is_empty() {
            return;
        }
        let mut senders = self.senders.lock().expect("event hub lock");
        for account in accounts {
            if let Some(sender) = senders.get(account) {
                if sender.receiver_count() == 0 {
                    senders.remove(account);
                } else {
                    sender.send_modify(|v| *v += 1);
                }
            }
        }
    }
}
