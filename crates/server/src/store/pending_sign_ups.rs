//! Sign-ups waiting for their address to be verified (see migration 0004): stored with the
//! password already hashed, and three secrets as hashes — the sign-up's own token, the mail's
//! link, the code.

use camshare_api::Timestamp;
use sqlx::{AnyConnection, AnyPool};

use crate::clock::{from_millis, to_millis};
use crate::error::Result;

/// A waiting sign-up as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingRow {
    pub id: i64,
    pub address: String,
    pub kind: String,
    pub display_name: String,
    pub password_hash: String,
    pub time_zone: String,
    pub token_hash: String,
    pub code_hash: String,
    pub attempts: i64,
    pub sends: i64,
    pub last_sent_ms: i64,
    pub expires_ms: i64,
}

impl PendingRow {
    pub fn expires_at(&self) -> Timestamp {
        from_millis(self.expires_ms)
    }
    pub fn last_sent_at(&self) -> Timestamp {
        from_millis(self.last_sent_ms)
    }
}

const COLUMNS: &str = "id, address, kind, display_name, password_hash, time_zone, token_hash, code_hash, \
                       attempts, sends, last_sent_ms, expires_ms";

/// A new waiting sign-up's fields, already checked and hashed.
pub struct NewPending<'a> {
    pub address: &'a str,
    pub kind: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub time_zone: &'a str,
    pub token_hash: &'a str,
    pub link_hash: &'a str,
    pub code_hash: &'a str,
    pub expires_at: Timestamp,
}

pub async fn insert(tx: &mut AnyConnection, new: &NewPending<'_>, now: Timestamp) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO pending_sign_ups (address, kind, display_name, password_hash, time_zone, token_hash, \
         link_hash, code_hash, last_sent_ms, expires_ms, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) RETURNING id",
    )
    .bind(new.address)
    .bind(new.kind)
    .bind(new.display_name)
    .bind(new.password_hash)
    .bind(new.time_zone)
    .bind(new.token_hash)
    .bind(new.link_hash)
    .bind(new.code_hash)
    .bind(to_millis(now))
    .bind(to_millis(new.expires_at))
    .fetch_one(tx)
    .await?)
}

/// How many sign-ups for this address were started since `since` (the per-address budget).
pub async fn started_since(tx: &mut AnyConnection, address: &str, since: Timestamp) -> Result<u64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pending_sign_ups WHERE address = $1 AND created_ms > $2")
        .bind(address)
        .bind(to_millis(since))
        .fetch_one(tx)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The waiting sign-up its maker names by token, if it has not expired.
pub async fn by_token(tx: &mut AnyConnection, token_hash: &str, now: Timestamp) -> Result<Option<PendingRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM pending_sign_ups WHERE token_hash = $1 AND expires_ms > $2"))
        .bind(token_hash)
        .bind(to_millis(now))
        .fetch_optional(tx)
        .await?)
}

/// The waiting sign-up a mail's link names, if it has not expired.
pub async fn by_link(tx: &mut AnyConnection, link_hash: &str, now: Timestamp) -> Result<Option<PendingRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM pending_sign_ups WHERE link_hash = $1 AND expires_ms > $2"))
        .bind(link_hash)
        .bind(to_millis(now))
        .fetch_optional(tx)
        .await?)
}

/// Counts one wrong code.
pub async fn count_attempt(tx: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE pending_sign_ups SET attempts = attempts + 1 WHERE id = $1").bind(id).execute(tx).await?;
    Ok(())
}

/// A new code (and link) for a resend.
pub async fn replace_secrets(
    tx: &mut AnyConnection,
    id: i64,
    link_hash: &str,
    code_hash: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE pending_sign_ups SET link_hash = $1, code_hash = $2, attempts = 0, sends = sends + 1, \
         last_sent_ms = $3 WHERE id = $4",
    )
    .bind(link_hash)
    .bind(code_hash)
    .bind(to_millis(now))
    .bind(id)
    .execute(tx)
    .await?;
    Ok(())
}

/// Every waiting sign-up for the address goes (one of them became the account).
pub async fn delete_for_address(tx: &mut AnyConnection, address: &str) -> Result<()> {
    sqlx::query("DELETE FROM pending_sign_ups WHERE address = $1").bind(address).execute(tx).await?;
    Ok(())
}

/// One waiting sign-up goes (its mail could not be sent).
pub async fn delete(pool: &AnyPool, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM pending_sign_ups WHERE id = $1").bind(id).execute(pool).await?;
    Ok(())
}

/// Forgets sign-ups that expired a day ago (kept that long so the per-address budget counts
/// them).
pub async fn prune(pool: &AnyPool, now: Timestamp) -> Result<u64> {
    let day_ago = now - jiff::SignedDuration::from_hours(24);
    let done = sqlx::query("DELETE FROM pending_sign_ups WHERE expires_ms <= $1")
        .bind(to_millis(day_ago))
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
