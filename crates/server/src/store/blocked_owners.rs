//! The SQL of blocked owners: which owners an account blocked, and whether an owner ever shared
//! with it (only such an owner can be blocked, so the answer tells nothing about other accounts).
//! The rules of blocking live in `crate::blocking`.

use camshare_api::{AccountId, BlockedOwner, ShareOwner, Timestamp};
use sqlx::{AnyConnection, AnyPool};

use crate::clock::{from_millis, to_millis};
use crate::error::Result;

/// Whether `owner` ever shared anything with `account`, in any status.
pub async fn ever_shared(conn: &mut AnyConnection, owner: AccountId, account: AccountId) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT s.id FROM shares s JOIN recipients r ON r.id = s.recipient_id \
         WHERE s.owner_id = $1 AND r.account_id = $2 LIMIT 1",
    )
    .bind(owner.0)
    .bind(account.0)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Whether `account` blocked `owner`.
pub async fn is_blocked(conn: &mut AnyConnection, account: AccountId, owner: AccountId) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT owner_id FROM blocked_owners WHERE account_id = $1 AND owner_id = $2")
            .bind(account.0)
            .bind(owner.0)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// Records the block; `false` if the account had already blocked this owner.
pub async fn insert(conn: &mut AnyConnection, account: AccountId, owner: AccountId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO blocked_owners (account_id, owner_id, blocked_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(account.0)
    .bind(owner.0)
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Lifts the block; `false` if there was none.
pub async fn delete(conn: &mut AnyConnection, account: AccountId, owner: AccountId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM blocked_owners WHERE account_id = $1 AND owner_id = $2")
        .bind(account.0)
        .bind(owner.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A block with the owner's name, as the list shows it.
const SELECT_BLOCKED: &str = "SELECT b.owner_id, a.display_name, b.blocked_ms FROM blocked_owners b \
     JOIN accounts a ON a.id = b.owner_id WHERE b.account_id = $1";

/// One block as the list shows it, if it exists.
pub async fn get(conn: &mut AnyConnection, account: AccountId, owner: AccountId) -> Result<Option<BlockedOwner>> {
    let row: Option<(i64, String, i64)> = sqlx::query_as(&format!("{SELECT_BLOCKED} AND b.owner_id = $2"))
        .bind(account.0)
        .bind(owner.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(blocked))
}

/// The owners the account blocked, most recent first.
pub async fn list(pool: &AnyPool, account: AccountId) -> Result<Vec<BlockedOwner>> {
    let rows: Vec<(i64, String, i64)> =
        sqlx::query_as(&format!("{SELECT_BLOCKED} ORDER BY b.blocked_ms DESC, b.owner_id"))
            .bind(account.0)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(blocked).collect())
}

fn blocked((owner, display_name, blocked_ms): (i64, String, i64)) -> BlockedOwner {
    BlockedOwner { owner: ShareOwner { id: AccountId(owner), display_name }, blocked_at: from_millis(blocked_ms) }
}
