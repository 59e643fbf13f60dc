//! Devices and their channels. Camera credentials are stored encrypted with the server key and
//! are decrypted only to show the owner the username (and, later, for the media gate).

use std::collections::HashMap;

use camshare_api::{
    AccountId, ActivityKind, ApiError, Channel, Device, DeviceId, DeviceKind, DeviceUpdate, EventKind, NewDevice,
    ShareId, Timestamp,
};
use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyConnection, Executor};

use super::activity::{self, NewActivity};
use super::{Db, events};
use crate::access::DeviceFacts;
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

fn check_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::invalid(field, format!("{field} must not be empty")));
    }
    if v.chars().count() > max {
        return Err(ApiError::invalid(field, format!("{field} is longer than {max} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(ApiError::invalid(field, format!("{field} contains control characters")));
    }
    Ok(v.to_string())
}

/// An RTSP address without embedded credentials (those go in the username/password fields, so
/// that they are encrypted and never shown).
fn check_rtsp_url(url: &str) -> Result<String, ApiError> {
    let url = url.trim();
    let rest = url
        .strip_prefix("rtsp://")
        .or_else(|| url.strip_prefix("rtsps://"))
        .ok_or_else(|| ApiError::invalid("rtsp_url", "the camera address must start with rtsp:// or rtsps://"))?;
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return Err(ApiError::invalid(
            "rtsp_url",
            "put the camera's username and password in their own fields, not in the address",
        ));
    }
    if authority.is_empty() || url.len() > 512 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ApiError::invalid("rtsp_url", "the camera address is not a valid rtsp:// URL"));
    }
    Ok(url.to_string())
}

fn channel_names(
    kind: DeviceKind,
    names: &[String],
    count: Option<u16>,
    device_name: &str,
) -> Result<Vec<String>, ApiError> {
    let names: Vec<String> = if names.is_empty() {
        let n = count.unwrap_or(1);
        if !kind.allows_channels(n) {
            return Err(channel_count_error(kind, n));
        }
        if n == 1 { vec![device_name.to_string()] } else { (1..=n).map(|i| format!("Camera {i:02}")).collect() }
    } else {
        if count.is_some_and(|c| usize::from(c) != names.len()) {
            return Err(ApiError::invalid("channel_names", "give one name per channel, or only a channel count"));
        }
        names
            .iter()
            .map(|n| check_text("channel name", n, 64).map_err(|e| e.on_field("channel_names")))
            .collect::<Result<_, _>>()?
    };
    let n = u16::try_from(names.len()).unwrap_or(u16::MAX);
    if !kind.allows_channels(n) {
        return Err(channel_count_error(kind, n));
    }
    Ok(names)
}

fn channel_count_error(kind: DeviceKind, n: u16) -> ApiError {
    let allowed = match kind {
        DeviceKind::Nvr => format!("1 to {}", DeviceKind::MAX_NVR_CHANNELS),
        _ => "exactly 1".to_string(),
    };
    ApiError::invalid("channel_count", format!("a {kind} has {allowed} channels, not {n}"))
}

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
    let creds: Credentials = serde_json::from_slice(&key.decrypt(&row.credentials)?).map_err(ServerError::internal)?;
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

/// Adds a device for its owner.
pub async fn add(db: &Db, key: &ServerKey, owner: AccountId, new: NewDevice, now: Timestamp) -> Result<Device> {
    let name = check_text("name", &new.name, 64)?;
    let rtsp_url = check_rtsp_url(&new.rtsp_url)?;
    let username = check_text("username", &new.username, 64)?;
    if new.password.is_empty() || new.password.len() > 128 {
        return Err(ApiError::invalid("password", "the camera password must have 1 to 128 characters").into());
    }
    let names = channel_names(new.kind, &new.channel_names, new.channel_count, &name)?;
    let creds = serde_json::to_vec(&Credentials { username, password: new.password }).map_err(ServerError::internal)?;
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO devices (owner_id, name, kind, rtsp_url, credentials, created_ms) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(owner.0)
    .bind(&name)
    .bind(new.kind.as_str())
    .bind(&rtsp_url)
    .bind(key.encrypt(&creds))
    .bind(to_millis(now))
    .fetch_one(&mut *tx)
    .await?;
    for (i, channel) in names.iter().enumerate() {
        sqlx::query("INSERT INTO channels (device_id, number, name) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(i as i64 + 1)
            .bind(channel)
            .execute(&mut *tx)
            .await?;
    }
    let entry = NewActivity {
        owner,
        kind: ActivityKind::DeviceAdded,
        device: Some(DeviceId(id)),
        device_name: &name,
        share: None,
        recipient: None,
        detail: Some(match names.len() {
            1 => format!("{} with 1 channel", new.kind.label()),
            n => format!("{} with {n} channels", new.kind.label()),
        }),
    };
    activity::insert(&mut tx, entry, now).await?;
    tx.commit().await?;
    get(db, key, owner, DeviceId(id)).await
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

/// Active shares of a device with a recipient account: whom to tell when the device changes.
async fn active_recipients(
    conn: &mut AnyConnection,
    id: DeviceId,
) -> Result<Vec<(ShareId, Option<AccountId>, String)>> {
    let rows: Vec<(i64, Option<i64>, String)> = sqlx::query_as(
        "SELECT s.id, r.account_id, r.address FROM shares s JOIN recipients r ON r.id = s.recipient_id \
         WHERE s.device_id = $1 AND s.status IN ('pending', 'accepted') ORDER BY s.id",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(s, a, addr)| (ShareId(s), a.map(AccountId), addr)).collect())
}

/// Changes a device. Renaming tells its recipients; channel count never changes.
pub async fn edit(
    db: &Db,
    key: &ServerKey,
    owner: AccountId,
    id: DeviceId,
    update: DeviceUpdate,
    now: Timestamp,
) -> Result<Device> {
    let current = get(db, key, owner, id).await?;
    let name = update.name.as_deref().map(|n| check_text("name", n, 64)).transpose()?;
    let rtsp_url = update.rtsp_url.as_deref().map(check_rtsp_url).transpose()?;
    let username = update.username.as_deref().map(|u| check_text("username", u, 64)).transpose()?;
    if update.password.as_ref().is_some_and(|p| p.is_empty() || p.len() > 128) {
        return Err(ApiError::invalid("password", "the camera password must have 1 to 128 characters").into());
    }
    let names = match &update.channel_names {
        Some(names) if names.len() != current.channels.len() => {
            return Err(ApiError::invalid(
                "channel_names",
                format!("this device has {} channels; give exactly that many names", current.channels.len()),
            )
            .into());
        }
        Some(names) => Some(channel_names(current.kind, names, None, &current.name)?),
        None => None,
    };
    let mut tx = db.write().await?;
    if username.is_some() || update.password.is_some() {
        let blob: Vec<u8> =
            sqlx::query_scalar("SELECT credentials FROM devices WHERE id = $1").bind(id.0).fetch_one(&mut *tx).await?;
        let mut creds: Credentials = serde_json::from_slice(&key.decrypt(&blob)?).map_err(ServerError::internal)?;
        if let Some(u) = &username {
            creds.username = u.clone();
        }
        if let Some(p) = &update.password {
            creds.password = p.clone();
        }
        let blob = key.encrypt(&serde_json::to_vec(&creds).map_err(ServerError::internal)?);
        sqlx::query("UPDATE devices SET credentials = $1 WHERE id = $2")
            .bind(blob)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(name) = &name {
        sqlx::query("UPDATE devices SET name = $1 WHERE id = $2").bind(name).bind(id.0).execute(&mut *tx).await?;
    }
    if let Some(url) = &rtsp_url {
        sqlx::query("UPDATE devices SET rtsp_url = $1 WHERE id = $2").bind(url).bind(id.0).execute(&mut *tx).await?;
    }
    if let Some(names) = &names {
        for (i, n) in names.iter().enumerate() {
            sqlx::query("UPDATE channels SET name = $1 WHERE device_id = $2 AND number = $3")
                .bind(n)
                .bind(id.0)
                .bind(i as i64 + 1)
                .execute(&mut *tx)
                .await?;
        }
    }
    if name.is_some() || names.is_some() {
        for (share, account, _) in active_recipients(&mut tx, id).await? {
            if let Some(account) = account {
                events::insert(&mut tx, account, &EventKind::ShareChanged { share, device: id }, now).await?;
            }
        }
    }
    let entry = NewActivity {
        owner,
        kind: ActivityKind::DeviceEdited,
        device: Some(id),
        device_name: name.as_deref().unwrap_or(&current.name),
        share: None,
        recipient: None,
        detail: None,
    };
    activity::insert(&mut tx, entry, now).await?;
    tx.commit().await?;
    get(db, key, owner, id).await
}

/// Deletes a device: every share of it ends and its recipients are told.
pub async fn remove(db: &Db, owner: AccountId, id: DeviceId, now: Timestamp) -> Result<()> {
    let mut tx = db.write().await?;
    let Some((_, name)) = facts(&mut tx, id).await?.filter(|(f, _)| f.owner == owner) else {
        return Err(ServerError::not_found("device"));
    };
    let recipients = active_recipients(&mut tx, id).await?;
    for (share, account, _) in &recipients {
        if let Some(account) = account {
            events::insert(&mut tx, *account, &EventKind::DeviceRemoved { share: *share, device: id }, now).await?;
        }
    }
    sqlx::query("DELETE FROM devices WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
    let detail = (!recipients.is_empty()).then(|| activity::ended_shares(recipients.len()));
    let entry = NewActivity {
        owner,
        kind: ActivityKind::DeviceRemoved,
        device: Some(id),
        device_name: &name,
        share: None,
        recipient: None,
        detail,
    };
    activity::insert(&mut tx, entry, now).await?;
    tx.commit().await
}

/// How the server reaches a camera: its address and its own login, decrypted. For the media gate
/// only; it never leaves the server.
#[derive(Clone, PartialEq, Eq)]
pub struct CameraLogin {
    pub rtsp_url: String,
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for CameraLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the password, not even in a debug log.
        f.debug_struct("CameraLogin").field("rtsp_url", &self.rtsp_url).field("username", &self.username).finish()
    }
}

/// The camera login of a device, if the device exists.
pub async fn camera_login(conn: &mut AnyConnection, key: &ServerKey, id: DeviceId) -> Result<Option<CameraLogin>> {
    let row: Option<(String, Vec<u8>)> = sqlx::query_as("SELECT rtsp_url, credentials FROM devices WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    let Some((rtsp_url, blob)) = row else { return Ok(None) };
    let creds: Credentials = serde_json::from_slice(&key.decrypt(&blob)?).map_err(ServerError::internal)?;
    Ok(Some(CameraLogin { rtsp_url, username: creds.username, password: creds.password }))
}
