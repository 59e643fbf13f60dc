//! Sessions: short-lived access tokens and rotating refresh tokens, stored only as hashes (the
//! tokens a session rotated away from too, so a stolen one presented again ends the session); and
//! the failed sign-in counter that slows and then refuses password guessing.

use camshare_api::{AccountId, Timestamp, Tokens};
use jiff::SignedDuration;
use sqlx::{AnyConnection, AnyPool};

use super::Db;
use crate::clock::{from_millis, to_millis};
use crate::error::Result;
use crate::secrets::{new_token, token_hash};

/// How long an access token works.
pub const ACCESS_TTL: SignedDuration = SignedDuration::from_mins(15);
/// How long a refresh token works if unused.
pub const REFRESH_TTL: SignedDuration = SignedDuration::from_hours(24 * 30);
/// How long a session lasts at most, however often it is refreshed: then its holder signs in
/// again.
pub const SESSION_MAX_AGE: SignedDuration = SignedDuration::from_hours(24 * 90);

/// The session an access token belongs to.
#[derive(Debug, Clone, Copy)]
pub struct SessionRef {
    pub id: i64,
    pub account: AccountId,
}

fn new_tokens(now: Timestamp) -> Tokens {
    Tokens {
        access_token: new_token().into(),
        access_expires_at: now + ACCESS_TTL,
        refresh_token: new_token().into(),
        refresh_expires_at: now + REFRESH_TTL,
    }
}

/// Starts a session for an account.
pub async fn create(conn: &mut AnyConnection, account: AccountId, now: Timestamp) -> Result<Tokens> {
    let tokens = new_tokens(now);
    sqlx::query(
        "INSERT INTO sessions (account_id, access_hash, access_expires_ms, refresh_hash, refresh_expires_ms, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(account.0)
    .bind(token_hash(tokens.access_token.expose()))
    .bind(to_millis(tokens.access_expires_at))
    .bind(token_hash(tokens.refresh_token.expose()))
    .bind(to_millis(tokens.refresh_expires_at))
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(tokens)
}

/// The session of a valid, unexpired access token (from `db.sessions` when checked recently).
pub async fn authenticate(db: &Db, access_token: &str, now: Timestamp) -> Result<Option<SessionRef>> {
    let hash = token_hash(access_token);
    if let Some(session) = db.sessions.get(&hash, now) {
        return Ok(Some(session));
    }
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, account_id, access_expires_ms FROM sessions WHERE access_hash = $1 AND access_expires_ms > $2",
    )
    .bind(&hash)
    .bind(to_millis(now))
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(id, account, expires_ms)| {
        let session = SessionRef { id, account: AccountId(account) };
        db.sessions.put(hash, session, expires_ms);
        session
    }))
}

/// What a presented refresh token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshToken {
    /// The current refresh token of a live session.
    Current { session: i64, created: Timestamp },
    /// A token the session already rotated away from: someone else holds the session too.
    Retired { session: i64, account: AccountId },
    /// Unknown, expired, or of an ended session.
    Unknown,
}

/// Looks a refresh token up, without writing anything.
pub async fn find_refresh(pool: &AnyPool, refresh_token: &str, now: Timestamp) -> Result<RefreshToken> {
    let hash = token_hash(refresh_token);
    let current: Option<(i64, i64)> =
        sqlx::query_as("SELECT id, created_ms FROM sessions WHERE refresh_hash = $1 AND refresh_expires_ms > $2")
            .bind(&hash)
            .bind(to_millis(now))
            .fetch_optional(pool)
            .await?;
    if let Some((session, created_ms)) = current {
        return Ok(RefreshToken::Current { session, created: from_millis(created_ms) });
    }
    let retired: Option<(i64, i64)> = sqlx::query_as(
        "SELECT s.id, s.account_id FROM retired_refresh_tokens t JOIN sessions s ON s.id = t.session_id \
         WHERE t.refresh_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(pool)
    .await?;
    Ok(match retired {
        Some((session, account)) => RefreshToken::Retired { session, account: AccountId(account) },
        None => RefreshToken::Unknown,
    })
}

/// Swaps the session's current refresh token for a new token pair; the old refresh token is
/// retired (presented again, it ends the session) and the old access token stops working at
/// once. The refresh token never outlives `SESSION_MAX_AGE` from the session's start. `None`
/// if the token is no longer current (a concurrent refresh won).
pub async fn rotate(
    db: &Db,
    conn: &mut AnyConnection,
    session: i64,
    created: Timestamp,
    refresh_token: &str,
    now: Timestamp,
) -> Result<Option<Tokens>> {
    let mut tokens = new_tokens(now);
    tokens.refresh_expires_at = tokens.refresh_expires_at.min(created + SESSION_MAX_AGE);
    tokens.access_expires_at = tokens.access_expires_at.min(tokens.refresh_expires_at);
    let old_hash = token_hash(refresh_token);
    let updated: Option<i64> = sqlx::query_scalar(
        "UPDATE sessions SET access_hash = $1, access_expires_ms = $2, refresh_hash = $3, refresh_expires_ms = $4 \
         WHERE id = $5 AND refresh_hash = $6 AND refresh_expires_ms > $7 RETURNING id",
    )
    .bind(token_hash(tokens.access_token.expose()))
    .bind(to_millis(tokens.access_expires_at))
    .bind(token_hash(tokens.refresh_token.expose()))
    .bind(to_millis(tokens.refresh_expires_at))
    .bind(session)
    .bind(&old_hash)
    .bind(to_millis(now))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = updated else { return Ok(None) };
    sqlx::query("INSERT INTO retired_refresh_tokens (refresh_hash, session_id, retired_ms) VALUES ($1, $2, $3)")
        .bind(&old_hash)
        .bind(id)
        .bind(to_millis(now))
        .execute(&mut *conn)
        .await?;
    // The old access token must stop working at once, here too.
    db.sessions.evict_session(id);
    Ok(Some(tokens))
}

/// Signs out one session.
pub async fn delete(db: &Db, session: SessionRef) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session.id).execute(&db.pool).await?;
    db.sessions.evict_session(session.id);
    // The gate's enforcer looks again at once: the session's streams end with it.
    db.hub.committed();
    Ok(())
}

/// Ends every session of the account but `keep` (if given), inside `tx`. The caller evicts the
/// account from the session cache after committing (the kept session is then simply read from
/// the database again).
pub async fn delete_others(tx: &mut AnyConnection, account: AccountId, keep: Option<i64>) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2")
        .bind(account.0)
        .bind(keep.unwrap_or(-1))
        .execute(tx)
        .await?;
    Ok(())
}

/// Signs out every session of the account.
pub async fn delete_all(db: &Db, account: AccountId) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(account.0).execute(&db.pool).await?;
    db.sessions.evict_account(account);
    db.hub.committed();
    Ok(())
}

/// Failed sign-ins within this window count towards the limit.
pub const FAILURE_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// After this many failures in the window, answers are slowed down.
pub const SLOW_AFTER: i64 = 3;
/// After this many failures in the window, sign-in to that login from that address is refused
/// until the window passes.
pub const REFUSE_AFTER: i64 = 10;
/// After this many sign-in tries from one address in the window that did not succeed, to any
/// logins, that address is refused until the window passes (password spraying, floods).
pub const ADDRESS_REFUSE_AFTER: i64 = 50;

/// The counter of one login tried from one address (`None`: unknown, counted together).
pub fn login_from(login: &str, client: Option<std::net::IpAddr>) -> String {
    match client {
        Some(ip) => format!("{login}|{ip}"),
        None => format!("{login}|-"),
    }
}

/// The counter of every login tried from one address.
pub fn from_address(client: std::net::IpAddr) -> String {
    format!("address:{client}")
}

/// Counts one more attempt that may fail (starting a new window when the old one has passed),
/// in one atomic statement; returns the attempts now counted in the window and when it ends.
/// Counting before the password is checked is what makes the limit hold for concurrent tries.
pub async fn record_failure(conn: &mut AnyConnection, login: &str, now: Timestamp) -> Result<(i64, Timestamp)> {
    let window_start = to_millis(now - FAILURE_WINDOW);
    let (failures, first_ms): (i64, i64) = sqlx::query_as(
        "INSERT INTO login_failures (login, failures, first_ms, last_ms) VALUES ($1, 1, $2, $2) \
         ON CONFLICT (login) DO UPDATE SET \
           failures = CASE WHEN login_failures.first_ms <= $3 THEN 1 ELSE login_failures.failures + 1 END, \
           first_ms = CASE WHEN login_failures.first_ms <= $3 THEN $2 ELSE login_failures.first_ms END, \
           last_ms = $2 \
         RETURNING failures, first_ms",
    )
    .bind(login)
    .bind(to_millis(now))
    .bind(window_start)
    .fetch_one(conn)
    .await?;
    Ok((failures, from_millis(first_ms) + FAILURE_WINDOW))
}

/// A successful sign-in forgets earlier failures.
pub async fn clear_failures(pool: &AnyPool, counter: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE login = $1").bind(counter).execute(pool).await?;
    Ok(())
}

/// Takes back one counted try (it succeeded): the address's budget counts only failures.
pub async fn forgive_one(pool: &AnyPool, counter: &str) -> Result<()> {
    sqlx::query("UPDATE login_failures SET failures = failures - 1 WHERE login = $1 AND failures > 0")
        .bind(counter)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets the failures of a login from every address (its password was just reset).
pub async fn clear_login_everywhere(pool: &AnyPool, login: &str) -> Result<()> {
    let prefix = format!("{login}|");
    sqlx::query("DELETE FROM login_failures WHERE substr(login, 1, length($1)) = $1")
        .bind(&prefix)
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether a session still exists (it ends on sign-out, sign-out everywhere, or rotation away
/// from an expired refresh token). Open event streams check this before each delivery.
pub async fn exists(pool: &AnyPool, session: SessionRef) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id = $1").bind(session.id).fetch_one(pool).await?;
    Ok(n > 0)
}

/// Deletes what can no longer be used: sessions whose refresh token expired, and failed
/// sign-in counters whose window has passed.
pub async fn prune(pool: &AnyPool, now: Timestamp) -> Result<u64> {
    let sessions =
        sqlx::query("DELETE FROM sessions WHERE refresh_expires_ms <= $1").bind(to_millis(now)).execute(pool).await?;
    // A retired token older than a refresh token's life could not have been used anyway.
    sqlx::query("DELETE FROM retired_refresh_tokens WHERE retired_ms <= $1")
        .bind(to_millis(now - REFRESH_TTL))
        .execute(pool)
        .await?;
    let failures = sqlx::query("DELETE FROM login_failures WHERE first_ms <= $1")
        .bind(to_millis(now - FAILURE_WINDOW))
        .execute(pool)
        .await?;
    Ok(sessions.rows_affected() + failures.rows_affected())
}
