//! One-time stream tickets for the media gate, stored as hashes. A ticket is issued only from a
//! [`Permit`] and carries its purpose; claiming is atomic, so a ticket opens at most one
//! connection even when two present it at once.

use camshare_api::{AccountId, DeviceId, Secret, StreamKind, Timestamp};
use jiff::SignedDuration;
use sqlx::AnyPool;

use crate::clock::{from_millis, to_millis};
use crate::error::Result;
use crate::permits::{Permit, Purpose};
use crate::secrets::{new_token, token_hash};

/// How long a ticket waits for its first use.
pub const TICKET_LIFETIME: SignedDuration = SignedDuration::from_secs(30);
/// Unused, unexpired tickets one account may hold at once (a 16-tile grid needs 16; a
/// client that asks for thousands is refused rather than filling the table).
pub const OPEN_PER_ACCOUNT: i64 = 32;

/// What a claimed ticket names. It is not yet permission: the gate asks the authority for a
/// permit for it before opening anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub account: AccountId,
    /// The session the ticket was issued to (`None` for tickets issued outside a session).
    pub session: Option<i64>,
    pub device: DeviceId,
    pub channel: u16,
    pub purpose: Purpose,
}

/// The columns a purpose is stored in: name, live stream ('' for others), playback range.
fn purpose_columns(purpose: Purpose) -> (&'static str, &'static str, Option<i64>, Option<i64>) {
    let name = purpose.to_wire().name();
    match purpose {
        Purpose::Live(stream) => (name, stream.as_str(), None, None),
        Purpose::Playback { from, to } => (name, "", Some(to_millis(from)), Some(to_millis(to))),
        Purpose::Snapshot | Purpose::Ptz | Purpose::TwoWayAudio => (name, "", None, None),
    }
}

/// Reads the purpose back; `None` for a row no version of this code wrote.
fn purpose_of(name: &str, stream: &str, from_ms: Option<i64>, to_ms: Option<i64>) -> Option<Purpose> {
    Some(match name {
        "live" => Purpose::Live(stream.parse::<StreamKind>().ok()?),
        "playback" => Purpose::Playback { from: from_millis(from_ms?), to: from_millis(to_ms?) },
        "snapshot" => Purpose::Snapshot,
        "ptz" => Purpose::Ptz,
        "two_way_audio" => Purpose::TwoWayAudio,
        _ => return None,
    })
}

/// Stores a new ticket for what the permit allows, issued to `session`, and returns it (the
/// only time it exists in clear).
pub async fn issue(
    pool: &AnyPool,
    permit: &Permit,
    session: Option<i64>,
    now: Timestamp,
) -> Result<Option<(Secret, Timestamp)>> {
    let ticket = new_token();
    let expires = now + TICKET_LIFETIME;
    let (purpose, stream, from_ms, to_ms) = purpose_columns(permit.purpose());
    // One statement: the count of the account's open tickets and the insert see the same rows.
    let done = sqlx::query(
        "INSERT INTO stream_tickets (hash, account_id, device_id, channel, stream, purpose, from_ms, to_ms, expires_ms, session_id) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $12 \
         WHERE (SELECT COUNT(*) FROM stream_tickets WHERE account_id = $2 AND used_ms IS NULL AND expires_ms > $10) < $11",
    )
    .bind(token_hash(&ticket))
    .bind(permit.account().0)
    .bind(permit.device().0)
    .bind(i32::from(permit.channel()))
    .bind(stream)
    .bind(purpose)
    .bind(from_ms)
    .bind(to_ms)
    .bind(to_millis(expires))
    .bind(to_millis(now))
    .bind(OPEN_PER_ACCOUNT)
    .bind(session)
    .execute(pool)
    .await?;
    Ok((done.rows_affected() == 1).then(|| (ticket.into(), expires)))
}

/// Whether `text` has the shape of a ticket this server issues (43 characters of URL-safe
/// base64, like every token from `new_token`). A made-up ticket of another shape is refused
/// without hashing it or reading the database.
pub fn looks_like_ticket(text: &str) -> bool {
    text.len() == 43 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Marks the ticket used and returns what it names, if it exists, is unused and has not expired.
/// Missing, reused and expired tickets all answer `None`. A ticket nobody issued costs one
/// indexed read, never a write: on SQLite a write takes the database's only write lock, and a
/// flood of made-up tickets must not queue the real writers behind it.
pub async fn claim(pool: &AnyPool, ticket: &str, now: Timestamp) -> Result<Option<Claim>> {
    if !looks_like_ticket(ticket) {
        return Ok(None);
    }
    let hash = token_hash(ticket);
    let open: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM stream_tickets WHERE hash = $1 AND used_ms IS NULL AND expires_ms > $2")
            .bind(&hash)
            .bind(to_millis(now))
            .fetch_optional(pool)
            .await?;
    if open.is_none() {
        return Ok(None);
    }
    type Row = (i64, Option<i64>, i64, i32, String, String, Option<i64>, Option<i64>);
    // The read above was only a filter: this conditional write is the claim, so two connections
    // presenting one ticket at once still get it once.
    let row: Option<Row> = sqlx::query_as(
        "UPDATE stream_tickets SET used_ms = $1 WHERE hash = $2 AND used_ms IS NULL AND expires_ms > $1 \
         RETURNING account_id, session_id, device_id, channel, stream, purpose, from_ms, to_ms",
    )
    .bind(to_millis(now))
    .bind(&hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|(account, session, device, channel, stream, purpose, from_ms, to_ms)| {
        Some(Claim {
            account: AccountId(account),
            session,
            device: DeviceId(device),
            channel: u16::try_from(channel).ok()?,
            purpose: purpose_of(&purpose, &stream, from_ms, to_ms)?,
        })
    }))
}

/// Forgets the unused tickets for the owner's devices (revoke everything: nothing issued before
/// it opens a stream after it).
pub async fn forget_unused_of_owner(conn: &mut sqlx::AnyConnection, owner: AccountId) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM stream_tickets WHERE used_ms IS NULL AND device_id IN (SELECT id FROM devices WHERE owner_id = $1)",
    )
    .bind(owner.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Forgets tickets that expired over an hour ago (housekeeping).
pub async fn prune(pool: &AnyPool, now: Timestamp) -> Result<u64> {
    let cutoff = to_millis(now - SignedDuration::from_hours(1));
    let done = sqlx::query("DELETE FROM stream_tickets WHERE expires_ms <= $1").bind(cutoff).execute(pool).await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_purpose_is_stored_and_read_back() {
        let at: Timestamp = "2026-06-01T10:00:00.123Z".parse().unwrap();
        for purpose in [
            Purpose::Live(StreamKind::Main),
            Purpose::Live(StreamKind::Sub),
            Purpose::Playback { from: at, to: at + SignedDuration::from_mins(5) },
            Purpose::Snapshot,
            Purpose::Ptz,
            Purpose::TwoWayAudio,
        ] {
            let (name, stream, from, to) = purpose_columns(purpose);
            assert_eq!(purpose_of(name, stream, from, to), Some(purpose));
        }
        assert_eq!(purpose_of("teleport", "", None, None), None);
        assert_eq!(purpose_of("live", "", None, None), None);
    }

    #[test]
    fn only_the_shape_of_an_issued_ticket_is_looked_up() {
        assert!(looks_like_ticket(&new_token()));
        assert!(!looks_like_ticket(""));
        assert!(!looks_like_ticket(&"a".repeat(44)));
        assert!(!looks_like_ticket(&format!("{}=", "a".repeat(42))));
        assert!(!looks_like_ticket(&"é".repeat(21)));
    }
}
