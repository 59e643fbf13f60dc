//! The SQL of devices and their channels. Camera credentials are stored encrypted with the
//! server key, bound to their device's id, and are decrypted only to show the owner the username
//! and for the media gate.
//! The rules (what a valid device is, what a change tells whom) are in `crate::devices`.

use std::collections::HashMap;

use camshare_api::{AccountId, Channel, Device, DeviceId, DeviceKind, Secret, ShareId, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyConnection, Executor};

use super::Db;
use crate::access::DeviceFacts;
use crate::camera::RtspAddress;
use crate::clock::{from_millis, to_millis};
use crate::error::{Result, ServerError};
use crate::secrets::ServerKey;

/// What is encrypted in `devices.credentials`.
#[derive(Serialize, Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct DeviceRow {
    id: i64,
    name: String,
    kind: String,
    rtsp_url: String,
    credentials: Vec<u8>,
    created_ms: i64,
    active_shares: i64,
}

const SELECT_DEVICE: &str = "SELECT d.id, d.name, d.kind, d.rtsp_url, d.credentials, d.created_ms, \
     (SELECT COUNT(*) FROM shares s WHERE s.device_id = d.id AND s.status IN ('pending', 'accepted')) AS active_shares \
     FROM devices d";

async fn channels_of<'c>(conn: impl Executor<'c, Database = Any>, ids: &[i64]) -> Result<HashMap<i64, Vec<Channel>>> {
    let mut map: HashMap<i64, Vec<Channel>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(&format!(
        "SELECT device_id, number, name FROM channels WHERE device_id IN ({list}) ORDER BY device_id, number"
    ))
    .fetch_all(conn)
    .await?;
    for (device, number, name) in rows {
        map.entry(device).or_default().push(Channel { number: number as u16, name });
    }
    Ok(map)
}

/// Channels of several devices at once (ids are numbers we produced, so inlining them is safe).
pub async fn channels_by_device<'c>(
    conn: impl Executor<'c, Database = Any>,
    ids: &[DeviceId],
) -> Result<HashMap<DeviceId, Vec<Channel>>> {
    let raw: Vec<i64> = ids.iter().map(|d| d.0).collect();
    Ok(channels_of(conn, &raw).await?.into_iter().map(|(k, v)| (DeviceId(k), v)).collect())
}

fn to_device(row: DeviceRow, channels: Vec<Channel>, key: &ServerKey) -> Result<Device> {
    let creds: Credentials = serde_json::from_slice(&key.open_credentials(DeviceId(row.id), &row.credentials)?)
        .map_err(ServerError::internal)?;
    Ok(Device {
        id: DeviceId(row.id),
        name: row.name,
        kind: row.kind.parse().map_err(ServerError::internal)?,
        rtsp_url: row.rtsp_url,
        username: creds.username,
        channels,
        active_shares: row.active_shares as u32,
        created_at: from_millis(row.created_ms),
        // Filled in from `crate::health` by the routes; the database does not know.
        reachability: camshare_api::Reachability::Unchecked,
        checked_at: None,
    })
}

/// The owner's devices, in the order they were added.
pub async fn list(db: &Db, key: &ServerKey, owner: AccountId) -> Result<Vec<Device>> {
    let rows: Vec<DeviceRow> = sqlx::query_as(&format!("{SELECT_DEVICE} WHERE d.owner_id = $1 ORDER BY d.id"))
        .bind(owner.0)
        .fetch_all(&db.pool)
        .await?;
    let mut channels = channels_of(&db.pool, &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
    rows.into_iter()
        .map(|r| {
            let ch = channels.remove(&r.id).unwrap_or_default();
            to_device(r, ch, key)
        })
        .collect()
}

/// Every device's id and RTSP address, for the reachability checks (`crate::health`).
pub async fn addresses(pool: &sqlx::AnyPool) -> Result<Vec<(DeviceId, String)>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, rtsp_url FROM devices ORDER BY id").fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(id, url)| (DeviceId(id), url)).collect())
}

/// One of the owner's devices; `not_found` for anyone else's, so existence never leaks.
pub async fn get(db: &Db, key: &ServerKey, owner: AccountId, id: DeviceId) -> Result<Device> {
    let row: DeviceRow = sqlx::query_as(&format!("{SELECT_DEVICE} WHERE d.id = $1 AND d.owner_id = $2"))
        .bind(id.0)
        .bind(owner.0)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| ServerError::not_found("device"))?;
    let channels = channels_of(&db.pool, &[row.id]).await?.remove(&row.id).unwrap_or_default();
    to_device(row, channels, key)
}

/// The facts the decision function needs about a device (inside or outside a transaction).
pub async fn facts(conn: &mut AnyConnection, id: DeviceId) -> Result<Option<(DeviceFacts, String)>> {
    let row: Option<(i64, String, i64)> = sqlx::query_as(
        "SELECT d.owner_id, d.name, (SELECT COUNT(*) FROM channels c WHERE c.device_id = d.id) FROM devices d WHERE d.id = $1",
    )
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    Ok(row
        .map(|(owner, name, channels)| (DeviceFacts { owner: AccountId(owner), channel_count: channels as u16 }, name)))
}

/// Active shares of a device with their recipient account: whom to tell when the device changes
/// (no account where it has none, or where it blocked the owner: they hear nothing).
pub async fn active_recipients(
    conn: &mut AnyConnection,
    id: DeviceId,
) -> Result<Vec<(ShareId, Option<AccountId>, String)>> {
    let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(concat!(
        "SELECT s.id, CASE WHEN ",
        super::shares::recipient_blocks_owner!(),
        " THEN NULL ELSE r.account_id END, r.address FROM shares s JOIN recipients r ON r.id = s.recipient_id \
             WHERE s.device_id = $1 AND s.status IN ('pending', 'accepted') ORDER BY s.id"
    ))
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(s, a, addr)| (ShareId(s), a.map(AccountId), addr)).collect())
}

/// How many devices the account owns (inside the adding transaction, so the limit holds).
pub async fn count_owned(tx: &mut AnyConnection, owner: AccountId) -> Result<u64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM devices WHERE owner_id = $1").bind(owner.0).fetch_one(&mut *tx).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Stores a new device with its channels (names already checked); returns its id.
pub async fn insert(
    tx: &mut AnyConnection,
    owner: AccountId,
    new: &CheckedDevice<'_>,
    key: &ServerKey,
    now: Timestamp,
) -> Result<DeviceId> {
    let creds =
        serde_json::to_vec(&Credentials { username: new.username.to_string(), password: new.password.to_string() })
            .map_err(ServerError::internal)?;
    // The id is known only once the row exists; the credentials are sealed to it in the same
    // transaction.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO devices (owner_id, name, kind, rtsp_url, credentials, credentials_version, created_ms) \
         VALUES ($1, $2, $3, $4, $5, 2, $6) RETURNING id",
    )
    .bind(owner.0)
    .bind(new.name)
    .bind(new.kind.as_str())
    .bind(new.rtsp_url)
    .bind(Vec::<u8>::new())
    .bind(to_millis(now))
    .fetch_one(&mut *tx)
    .await?;
    store_credentials(tx, key, DeviceId(id), &creds).await?;
    for (i, channel) in new.channel_names.iter().enumerate() {
        sqlx::query("INSERT INTO channels (device_id, number, name) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(i as i64 + 1)
            .bind(channel)
            .execute(&mut *tx)
            .await?;
    }
    Ok(DeviceId(id))
}

/// A new device's checked fields, as `insert` stores them.
pub struct CheckedDevice<'a> {
    pub name: &'a str,
    pub kind: DeviceKind,
    pub rtsp_url: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    pub channel_names: &'a [String],
}

/// Replaces the camera login's username and/or password (the rest is kept).
pub async fn set_login(
    tx: &mut AnyConnection,
    key: &ServerKey,
    id: DeviceId,
    username: Option<&str>,
    password: Option<&str>,
) -> Result<()> {
    let blob: Vec<u8> =
        sqlx::query_scalar("SELECT credentials FROM devices WHERE id = $1").bind(id.0).fetch_one(&mut *tx).await?;
    let mut creds: Credentials =
        serde_json::from_slice(&key.open_credentials(id, &blob)?).map_err(ServerError::internal)?;
    if let Some(u) = username {
        creds.username = u.to_string();
    }
    if let Some(p) = password {
        creds.password = p.to_string();
    }
    store_credentials(tx, key, id, &serde_json::to_vec(&creds).map_err(ServerError::internal)?).await
}

/// Seals credentials to their device and stores them (version 2).
async fn store_credentials(tx: &mut AnyConnection, key: &ServerKey, id: DeviceId, plaintext: &[u8]) -> Result<()> {
    sqlx::query("UPDATE devices SET credentials = $1, credentials_version = 2 WHERE id = $2")
        .bind(key.seal_credentials(id, plaintext))
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Seals credentials stored before they were bound to their device (version 1) again, bound;
/// run once at start. Each row is rewritten only if it is still version 1, so two servers
/// starting at once do not undo each other. Returns how many were sealed.
pub async fn bind_credentials(db: &Db, key: &ServerKey) -> Result<usize> {
    let rows: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT id, credentials FROM devices WHERE credentials_version = 1").fetch_all(&db.pool).await?;
    let mut sealed = 0;
    for (id, blob) in rows {
        let plaintext = key.open_unbound_credentials(&blob)?;
        let done = sqlx::query(
            "UPDATE devices SET credentials = $1, credentials_version = 2 WHERE id = $2 AND credentials_version = 1",
        )
        .bind(key.seal_credentials(DeviceId(id), &plaintext))
        .bind(id)
        .execute(&db.pool)
        .await?;
        sealed += done.rows_affected() as usize;
    }
    Ok(sealed)
}

pub async fn set_name(tx: &mut AnyConnection, id: DeviceId, name: &str) -> Result<()> {
    sqlx::query("UPDATE devices SET name = $1 WHERE id = $2").bind(name).bind(id.0).execute(&mut *tx).await?;
    Ok(())
}

pub async fn set_rtsp_url(tx: &mut AnyConnection, id: DeviceId, url: &str) -> Result<()> {
    sqlx::query("UPDATE devices SET rtsp_url = $1 WHERE id = $2").bind(url).bind(id.0).execute(&mut *tx).await?;
    Ok(())
}

/// Renames the channels in order (one name per channel, already checked).
pub async fn set_channel_names(tx: &mut AnyConnection, id: DeviceId, names: &[String]) -> Result<()> {
    for (i, n) in names.iter().enumerate() {
        sqlx::query("UPDATE channels SET name = $1 WHERE device_id = $2 AND number = $3")
            .bind(n)
            .bind(id.0)
            .bind(i as i64 + 1)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Deletes the device; its channels, shares and tickets go with it (foreign keys).
pub async fn delete(tx: &mut AnyConnection, id: DeviceId) -> Result<()> {
    sqlx::query("DELETE FROM devices WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
    Ok(())
}

/// How the server reaches a camera: its address and its own login, decrypted. For the media gate
/// only; it never leaves the server.
#[derive(Clone, PartialEq, Eq)]
pub struct CameraLogin {
    pub address: RtspAddress,
    pub username: String,
    pub password: Secret,
}

impl std::fmt::Debug for CameraLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the password, not even in a debug log.
        f.debug_struct("CameraLogin").field("address", &self.address).field("username", &self.username).finish()
    }
}

/// The camera login of a device, if the device exists.
pub async fn camera_login(conn: &mut AnyConnection, key: &ServerKey, id: DeviceId) -> Result<Option<CameraLogin>> {
    let row: Option<(String, Vec<u8>)> = sqlx::query_as("SELECT rtsp_url, credentials FROM devices WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    let Some((rtsp_url, blob)) = row else { return Ok(None) };
    let creds: Credentials =
        serde_json::from_slice(&key.open_credentials(id, &blob)?).map_err(ServerError::internal)?;
    let address = RtspAddress::parse(&rtsp_url).map_err(ServerError::internal)?;
    Ok(Some(CameraLogin { address, username: creds.username, password: Secret::from(creds.password) }))
}
