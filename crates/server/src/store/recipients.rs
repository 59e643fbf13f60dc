//! An owner's recipients (addresses they share with) and the history of all of them, kept after
//! deletion so the Recipient page's search box can offer them again.

use camshare_api::{AccountId, AddressKind, ApiError, HistoryEntry, RecipientAddress, RecipientId, Timestamp};
use sqlx::{AnyConnection, AnyPool};

use crate::clock::{from_millis, to_millis};
use crate::error::Result;

/// A recipient row as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecipientRow {
    pub id: i64,
    pub address: String,
    pub address_kind: String,
    pub account_id: Option<i64>,
    pub remark: Option<String>,
    pub created_ms: i64,
    pub last_shared_ms: i64,
    pub deleted_ms: Option<i64>,
}

const COLUMNS: &str = "id, address, address_kind, account_id, remark, created_ms, last_shared_ms, deleted_ms";

/// How the owner's activity log names a recipient account: the address the owner first shared
/// with, and the owner's remark; `None` if the owner never shared with that account.
pub async fn describe_account(
    conn: &mut AnyConnection,
    owner: AccountId,
    account: AccountId,
) -> Result<Option<String>> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT address, remark FROM recipients WHERE owner_id = $1 AND account_id = $2 ORDER BY id LIMIT 1",
    )
    .bind(owner.0)
    .bind(account.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(address, remark)| crate::sharing::describe(&address, remark.as_deref())))
}

pub fn parse_kind(s: &str) -> AddressKind {
    match s {
        "phone" => AddressKind::Phone,
        "account_code" => AddressKind::AccountCode,
        _ => AddressKind::Email,
    }
}

/// A remark is short free text only the owner sees; empty means none.
pub fn check_remark(remark: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(r) = remark.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    crate::text::check_name("remark", r, 100).map(Some)
}

/// Finds or creates the owner's recipient for an address, brings a deleted one back, and
/// updates its remark when a new one is given.
pub async fn upsert(
    conn: &mut AnyConnection,
    owner: AccountId,
    address: &RecipientAddress,
    account: Option<AccountId>,
    remark: Option<&str>,
    now: Timestamp,
) -> Result<RecipientId> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM recipients WHERE owner_id = $1 AND address = $2")
        .bind(owner.0)
        .bind(address.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let id = match existing {
        Some(id) => {
            sqlx::query(
                "UPDATE recipients SET deleted_ms = NULL, last_shared_ms = $1, remark = COALESCE($2, remark), \
                 account_id = COALESCE(account_id, $3) WHERE id = $4",
            )
            .bind(to_millis(now))
            .bind(remark)
            .bind(account.map(|a| a.0))
            .bind(id)
            .execute(&mut *conn)
            .await?;
            id
        }
        None => sqlx::query_scalar(
            "INSERT INTO recipients (owner_id, address, address_kind, account_id, remark, created_ms, last_shared_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(owner.0)
        .bind(address.as_str())
        .bind(address.kind().as_str())
        .bind(account.map(|a| a.0))
        .bind(remark)
        .bind(to_millis(now))
        .fetch_one(&mut *conn)
        .await?,
    };
    Ok(RecipientId(id))
}

/// One of the owner's recipients (deleted ones included); `None` for anyone else's.
pub async fn get(conn: &mut AnyConnection, owner: AccountId, id: RecipientId) -> Result<Option<RecipientRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM recipients WHERE id = $1 AND owner_id = $2"))
        .bind(id.0)
        .bind(owner.0)
        .fetch_optional(conn)
        .await?)
}

/// The owner's recipients that are not deleted, most recently shared first.
pub async fn list_current(pool: &AnyPool, owner: AccountId) -> Result<Vec<RecipientRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM recipients WHERE owner_id = $1 AND deleted_ms IS NULL ORDER BY last_shared_ms DESC, id DESC"
    ))
    .bind(owner.0)
    .fetch_all(pool)
    .await?)
}

pub async fn set_remark(conn: &mut AnyConnection, id: RecipientId, remark: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE recipients SET remark = $1 WHERE id = $2").bind(remark).bind(id.0).execute(conn).await?;
    Ok(())
}

pub async fn mark_deleted(conn: &mut AnyConnection, id: RecipientId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE recipients SET deleted_ms = $1 WHERE id = $2")
        .bind(to_millis(now))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Escapes `%`, `_` and `\` so a typed prefix matches literally in `LIKE … ESCAPE '\'`.
fn like_prefix(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Every address the owner ever shared with whose address or remark starts with `prefix`
/// (case-insensitive), most recent first, at most `limit`.
pub async fn history(pool: &AnyPool, owner: AccountId, prefix: &str, limit: i64) -> Result<Vec<HistoryEntry>> {
    let typed = prefix.trim().to_lowercase();
    let address_prefix =
        if typed.starts_with('+') { typed.chars().filter(|c| !" -().".contains(*c)).collect() } else { typed.clone() };
    let rows: Vec<RecipientRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM recipients WHERE owner_id = $1 \
         AND (LOWER(address) LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(remark, '')) LIKE $3 ESCAPE '\\') \
         ORDER BY last_shared_ms DESC, id DESC LIMIT $4"
    ))
    .bind(owner.0)
    .bind(like_prefix(&address_prefix))
    .bind(like_prefix(&typed))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HistoryEntry {
            id: RecipientId(r.id),
            address_kind: parse_kind(&r.address_kind),
            address: r.address,
            remark: r.remark,
            deleted: r.deleted_ms.is_some(),
            last_shared_at: from_millis(r.last_shared_ms),
        })
        .collect())
}
