//! The rules of devices: what a valid device is (names, the camera address and the networks it
//! may be on, the camera login, channel counts per kind, how many one account may have), and
//! what adding, changing and deleting one does — one transaction each, with the owner's activity
//! line and the recipients' events. The SQL is in `store::devices`.

use camshare_api::{
    AccountId, ActivityKind, ApiError, Device, DeviceId, DeviceKind, DeviceUpdate, ErrorKind, EventKind, NewDevice,
    Secret, Timestamp,
};

use crate::camera::{NetworkPolicy, RtspAddress, Unreachable};
use crate::error::{Result, ServerError};
use crate::limits::Limits;
use crate::secrets::ServerKey;
use crate::store::activity::{self, NewActivity};
use crate::store::devices::{self as store, CheckedDevice, get};
use crate::store::{Db, events};

fn check_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    crate::text::check_name(field, value, max)
}

/// The camera's own password: 1 to 128 bytes.
fn check_camera_password(password: &Secret) -> Result<(), ApiError> {
    if password.is_empty() || password.expose().len() > 128 {
        return Err(ApiError::invalid("password", "the camera password must have 1 to 128 characters"));
    }
    Ok(())
}

/// An RTSP address without embedded credentials (those go in the username/password fields, so
/// that they are encrypted and never shown), on a network the server connects to. A name that
/// does not resolve now is taken (the device reads offline until it does); every connection
/// checks the policy again.
async fn check_rtsp_url(policy: &NetworkPolicy, url: &str) -> Result<String, ApiError> {
    let address = RtspAddress::parse(url)?;
    match policy.pin(&address).await {
        Ok(_) | Err(Unreachable::Unresolved { .. }) => Ok(address.as_str().to_string()),
        Err(blocked @ Unreachable::Blocked { .. }) => Err(ApiError::invalid(
            "rtsp_url",
            format!(
                "{blocked}; give the camera's address on your network (the server's operator decides which networks are allowed)"
            ),
        )),
    }
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

/// Adds a device for its owner, if the owner has fewer than the limit.
pub async fn add(
    db: &Db,
    key: &ServerKey,
    policy: &NetworkPolicy,
    limits: &Limits,
    owner: AccountId,
    new: NewDevice,
    now: Timestamp,
) -> Result<Device> {
    let name = check_text("name", &new.name, 64)?;
    let rtsp_url = check_rtsp_url(policy, &new.rtsp_url).await?;
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
    if store::count_owned(&mut tx, owner).await? >= u64::from(limits.devices_per_account) {
        let most = limits.devices_per_account;
        return Err(ApiError::new(
            ErrorKind::Conflict,
            format!("you have {most} devices, the most this server allows one account; delete one to add another"),
        )
        .into());
    }
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
    policy: &NetworkPolicy,
    owner: AccountId,
    id: DeviceId,
    update: DeviceUpdate,
    now: Timestamp,
) -> Result<Device> {
    let current = get(db, key, owner, id).await?;
    let name = update.name.as_deref().map(|n| check_text("name", n, 64)).transpose()?;
    let rtsp_url = match update.rtsp_url.as_deref() {
        Some(url) => Some(check_rtsp_url(policy, url).await?),
        None => None,
    };
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
