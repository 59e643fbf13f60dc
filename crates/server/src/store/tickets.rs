//! One-time stream tickets for the media gate, stored as hashes. Issuing needs the decision
//! function's yes; claiming is atomic, so a ticket opens at most one connection even when two
//! present it at once.

use camshare_api::{AccountId, DeviceId, StreamKind, Timestamp};
use jiff::SignedDuration;
use sqlx::AnyPool;

use crate::clock::to_millis;
use crate::error::Result;
use crate::secrets::{new_token, token_hash};

/// How long a ticket waits for its first use.
pub const TICKET_LIFETIME: SignedDuration = SignedDuration::from_secs(30);

/// What a claimed ticket lets its holder open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketGrant {
    pub account: AccountId,
    pub device: DeviceId,
    pub channel: u16,
    pub stream: StreamKind,
}

/// Stores a new ticket for this grant and returns it (the only time it exists in clear).
pub async fn issue(pool: &AnyPool, grant: TicketGrant, now: Timestamp) -> Result<(String, Timestamp)> {
    let ticket = new_token();
    let expires = now + TICKET_LIFETIME;
    sqlx::query(
        "INSERT INTO stream_tickets (hash, account_id, device_id, channel, stream, expires_ms) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash(&ticket))
    .bind(grant.account.0)
    .bind(grant.device.0)
    .bind(i32::from(grant.channel))
    .bind(grant.stream.as_str())
    .bind(to_millis(expires))
    .execute(pool)
    .await?;
    Ok((ticket, expires))
}

/// Marks the ticket used and returns its grant, if it exists, is unused and has not expired.
/// Missing, reused and expired tickets all answer `None`.
pub async fn claim(pool: &AnyPool, ticket: &str, now: Timestamp) -> Result<Option<TicketGrant>> {
    let row: Option<(i64, i64, i32, String)> = sqlx::query_as(
        "UPDATE stream_tickets SET used_ms = $1 WHERE hash = $2 AND used_ms IS NULL AND expires_ms > $1 \
         RETURNING account_id, device_id, channel, stream",
    )
    .bind(to_millis(now))
    .bind(token_hash(ticket))
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|(account, device, channel, stream)| {
        Some(TicketGrant {
            account: AccountId(account),
            device: DeviceId(device),
            channel: u16::try_from(channel).ok()?,
            stream: stream.parse().ok()?,
        })
    }))
}

/// Forgets tickets that expired over an hour ago (housekeeping).
pub async fn prune(pool: &AnyPool, now: Timestamp) -> Result<u64> {
    let cutoff = to_millis(now - SignedDuration::from_hours(1));
    let done = sqlx::query("DELETE FROM stream_tickets WHERE expires_ms <= $1").bind(cutoff).execute(pool).await?;
    Ok(done.rows_affected())
}
