//! Accounts: who can sign in, with which email or phone, and their account code id.

use camshare_api::{AccountId, Timestamp};
use sqlx::{Any, AnyConnection, AnyPool, Executor};

use crate::clock::{from_millis, to_millis};
use crate::error::Result;

/// An account as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub display_name: String,
    pub password_hash: String,
    pub code_id: String,
    pub time_zone: String,
    pub created_ms: i64,
}

impl AccountRow {
    pub fn account_id(&self) -> AccountId {
        AccountId(self.id)
    }
    pub fn created_at(&self) -> Timestamp {
        from_millis(self.created_ms)
    }
}

const COLUMNS: &str = "id, email, phone, display_name, password_hash, code_id, time_zone, created_ms";

/// The new account's fields, already validated.
pub struct NewAccount<'a> {
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub code_id: &'a str,
    pub time_zone: &'a str,
}

/// Inserts an account; a duplicate email or phone fails with a unique violation.
pub async fn insert(conn: &mut AnyConnection, new: &NewAccount<'_>, now: Timestamp) -> Result<AccountId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (email, phone, display_name, password_hash, code_id, time_zone, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.email)
    .bind(new.phone)
    .bind(new.display_name)
    .bind(new.password_hash)
    .bind(new.code_id)
    .bind(new.time_zone)
    .bind(to_millis(now))
    .fetch_one(conn)
    .await?;
    Ok(AccountId(id))
}

/// Invites sent to an address before its account existed now belong to the account.
pub async fn claim_recipient_addresses(conn: &mut AnyConnection, account: AccountId, addresses: &[&str]) -> Result<()> {
    for address in addresses {
        sqlx::query("UPDATE recipients SET account_id = $1 WHERE address = $2 AND account_id IS NULL")
            .bind(account.0)
            .bind(*address)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn get(pool: &AnyPool, id: AccountId) -> Result<Option<AccountRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1")).bind(id.0).fetch_optional(pool).await?)
}

/// Finds the account with this (normalised) email or phone, on the pool or inside a transaction.
pub async fn find_by_login<'c>(conn: impl Executor<'c, Database = Any>, login: &str) -> Result<Option<AccountRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE email = $1 OR phone = $1"))
        .bind(login)
        .fetch_optional(conn)
        .await?)
}

pub async fn find_by_code_id(conn: &mut AnyConnection, code_id: &str) -> Result<Option<AccountRow>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE code_id = $1"))
        .bind(code_id)
        .fetch_optional(conn)
        .await?)
}

/// The name an account shows to others (in invites, for instance).
pub async fn display_name(conn: &mut AnyConnection, id: AccountId) -> Result<String> {
    Ok(sqlx::query_scalar("SELECT display_name FROM accounts WHERE id = $1").bind(id.0).fetch_one(conn).await?)
}

/// Sets the account's password (already hashed).
pub async fn set_password(conn: &mut AnyConnection, id: AccountId, password_hash: &str) -> Result<()> {
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}
