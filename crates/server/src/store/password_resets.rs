//! Password-reset requests (migration 0006): hashes of the request's token, link and code, the
//! account they reset (none for a login without an account), and the wrong tries so far.

use camshare_api::{AccountId, Timestamp};
use sqlx::{AnyConnection, AnyPool};

use crate::clock::to_millis;
use crate::error::Result;

/// A reset request as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResetRow {
    pub id: i64,
    pub account_id: Option<i64>,
    pub login: String,
    pub token_hash: String,
    pub code_hash: String,
    pub attempts: i64,
}

impl ResetRow {
    pub fn account(&self) -> Option<AccountId> {
        self.account_id.map(AccountId)
    }
}

const COLUMNS: &str = "id, account_id, login, token_hash, code_hash, attempts";

/// A new request's fields, hashed.
pub struct NewReset<'a> {
    pub account: Option<AccountId>,
    pub login: &'a str,
    pub token_hash: &'a str,
    pub link_hash: &'a str,
    pub code_hash: &'a str,
    pub expires_at: Timestamp,
}

pub async fn insert(tx: &mut AnyConnection, new: &NewReset<'_>, now: Timestamp) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO password_resets (account_id, login, token_hash, link_hash, code_hash, expires_ms, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.account.map(|a| a.0))
    .bind(new.login)
    .bind(new.token_hash)
    .bind(new.link_hash)
    .bind(new.code_hash)
    .bind(to_millis(new.expires_at))
    .bind(to_millis(now))
    .fetch_one(tx)
    .await?)
}

/// How many resets were asked for this login since `since`.
pub async fn asked_since(tx: &mut AnyConnection, login: &str, since: Timestamp) -> Result<u64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM password_resets WHERE login = $1 AND created_ms > $2")
        .bind(login)
        .bind(to_millis(since))
        .fetch_one(tx)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The unexpired request its maker names by token.
pub async fn by_token(tx: &mut AnyConnection, token_hash: &str, now: Timestamp) -> Result<Option<ResetRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM password_resets WHERE token_hash = $1 AND expires_ms > $2"))
        .bind(token_hash)
        .bind(to_millis(now))
        .fetch_optional(tx)
        .await?)
}

/// The unexpired request a mail's link names.
pub async fn by_link(tx: &mut AnyConnection, link_hash: &str, now: Timestamp) -> Result<Option<ResetRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM password_resets WHERE link_hash = $1 AND expires_ms > $2"))
        .bind(link_hash)
        .bind(to_millis(now))
        .fetch_optional(tx)
        .await?)
}

/// Counts one wrong code.
pub async fn count_attempt(tx: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE password_resets SET attempts = attempts + 1 WHERE id = $1").bind(id).execute(tx).await?;
    Ok(())
}

/// Every open request of the account goes (its password was just set).
pub async fn delete_for_account(tx: &mut AnyConnection, account: AccountId) -> Result<()> {
    sqlx::query("DELETE FROM password_resets WHERE account_id = $1").bind(account.0).execute(tx).await?;
    Ok(())
}

/// One request goes (its message could not be sent).
pub async fn delete(pool: &AnyPool, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM password_resets WHERE id = $1").bind(id).execute(pool).await?;
    Ok(())
}

/// Forgets requests that expired a day ago (kept that long for the per-login budget).
pub async fn prune(pool: &AnyPool, now: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM password_resets WHERE expires_ms <= $1")
        .bind(to_millis(now - jiff::SignedDuration::from_hours(24)))
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
