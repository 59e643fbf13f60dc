//! The rules of devices: what a valid device is (names, the camera address, the camera login,
//! channel counts per kind), and what adding, changing and deleting one does — one transaction
//! each, with the owner's activity line and the recipients' events. The SQL is in
//! `store::devices`.

use camshare_api::{
    AccountId, ActivityKind, ApiError, Device, DeviceId, DeviceKind, DeviceUpdate, EventKind, NewDevice, Secret,
    Timestamp,
};

use crate::camera::RtspAddress;
use crate::error::{Result, ServerError};
use crate::secrets::ServerKey;
use crate::store::activity::{self, NewActivity};
use crate::store::devices::{self as store, CheckedDevice, get};
use crate::store::{Db, events};

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

/// The camera's own password: 1 to 128 bytes.
fn check_camera_password(password: &Secret) -> Result<(), ApiError> {
    if password.is_empty() || password.expose().len() > 128 {
        return Err(ApiError::invalid("password", "the camera password must have 1 to 128 characters"));
    }
    Ok(())
}

/// An RTSP address without embedded credentials (those go in the username/password fields, so
/// that they are encrypted and never shown).
fn check_rtsp_url(url: &str) -> Result<String, ApiError> {
    Ok(RtspAddress::parse(url)?.as_str().to_string())
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

/// Adds a device for its owner.
pub async fn add(db: &Db, key: &ServerKey, owner: AccountId, new: NewDevice, now: Timestamp) -> Result<Device> {
    let name = check_text("name", &new.name, 64)?;
    let rtsp_url = check_rtsp_url(&new.rtsp_url)?;
    let username = check_text("username", &new.username, 64)?;
    check_camera_password(&new.password)?;
    let names = channel_names(new.kind, &new.channel_names, new.channel_count, &name)?;
    let checked = CheckedDevice {
        name: &name,
        kind: new.kind,
        rtsp_url: &rtsp_url,
        username: &username,
        password: new.password.expose(),
        channel_names: &names,
    };
    let mut tx = db.write().await?;
    let id = store::insert(&mut tx, owner, &checked, key, now).await?;
    let entry = NewActivity {
        owner,
        kind: ActivityKind::DeviceAdded,
        device: Some(id),
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
    get(db, key, owner, id).await
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
    update.password.as_ref().map(check_camera_password).transpose()?;
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
        store::set_login(&mut tx, key, id, username.as_deref(), update.password.as_ref().map(Secret::expose)).await?;
    }
    if let Some(name) = &name {
        store::set_name(&mut tx, id, name).await?;
    }
    if let Some(url) = &rtsp_url {
        store::set_rtsp_url(&mut tx, id, url).await?;
    }
    if let Some(names) = &names {
        store::set_channel_names(&mut tx, id, names).await?;
    }
    if name.is_some() || names.is_some() {
        for (share, account, _) in store::active_recipients(&mut tx, id).await? {
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
    let Some((_, name)) = store::facts(&mut tx, id).await?.filter(|(f, _)| f.owner == owner) else {
        return Err(ServerError::not_found("device"));
    };
    let recipients = store::active_recipients(&mut tx, id).await?;
    for (share, account, _) in &recipients {
        if let Some(account) = account {
            events::insert(&mut tx, *account, &EventKind::DeviceRemoved { share: *share, device: id }, now).await?;
        }
    }
    store::delete(&mut tx, id).await?;
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
