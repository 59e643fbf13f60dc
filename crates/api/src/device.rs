//! Devices as their owner sees them. Camera credentials go in, never come out.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DeviceId, Secret, Timestamp};

/// What kind of device it is; it decides how many channels it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Camera,
    /// An NVR or DVR with several linked cameras (channels).
    Nvr,
    Doorbell,
    /// A security control panel (alarm hub).
    ControlPanel,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 4] =
        [DeviceKind::Camera, DeviceKind::Nvr, DeviceKind::Doorbell, DeviceKind::ControlPanel];

    /// The most channels an NVR may declare.
    pub const MAX_NVR_CHANNELS: u16 = 256;

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Camera => "camera",
            DeviceKind::Nvr => "nvr",
            DeviceKind::Doorbell => "doorbell",
            DeviceKind::ControlPanel => "control_panel",
        }
    }

    /// The name people read, as the app shows it: `NVR / DVR`.
    pub fn label(self) -> &'static str {
        match self {
            DeviceKind::Camera => "Camera",
            DeviceKind::Nvr => "NVR / DVR",
            DeviceKind::Doorbell => "Doorbell",
            DeviceKind::ControlPanel => "Security control panel",
        }
    }

    /// Allowed channel counts: NVRs 1..=256, everything else exactly one.
    pub fn allows_channels(self, n: u16) -> bool {
        match self {
            DeviceKind::Nvr => (1..=Self::MAX_NVR_CHANNELS).contains(&n),
            _ => n == 1,
        }
    }
}

impl std::str::FromStr for DeviceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        let s = if s == "dvr" { "nvr".to_string() } else { s };
        DeviceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown device kind `{s}`; expected camera, nvr, doorbell or control_panel"))
    }
}

impl std::fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Add a device. The RTSP address and credentials stay on the server, encrypted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewDevice {
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    pub kind: DeviceKind,
    /// e.g. `rtsp://192.168.1.64:554`: `rtsp://` or `rtsps://`, no credentials in it.
    #[schema(pattern = r"^\s*rtsps?://[^\s/@]+", max_length = 512)]
    pub rtsp_url: String,
    #[schema(min_length = 1, max_length = 64)]
    pub username: String,
    #[schema(value_type = String, min_length = 1, max_length = 128)]
    pub password: Secret,
    /// One name per channel; their number is the channel count. Empty: one channel named after
    /// the device, or for an NVR, `channel_count` channels named "Camera 01"…
    #[serde(default)]
    pub channel_names: Vec<String>,
    /// For an NVR without channel names: how many channels it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(maximum = 65535)]
    pub channel_count: Option<u16>,
}

/// Change a device; absent fields stay as they are. Channel names may be renamed but their
/// number stays, so existing shares keep meaning the same cameras.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct DeviceUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtsp_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_names: Option<Vec<String>>,
}

/// A channel (linked camera) of a device, numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Channel {
    pub number: u16,
    pub name: String,
}

/// A device as its owner sees it. The password is never included, not even for the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Device {
    pub id: DeviceId,
    pub name: String,
    pub kind: DeviceKind,
    pub rtsp_url: String,
    pub username: String,
    pub channels: Vec<Channel>,
    /// How many shares of it are pending or accepted.
    pub active_shares: u32,
    pub created_at: Timestamp,
    /// Whether the server reached the device's RTSP service at its last check.
    pub reachability: Reachability,
    /// When the server last checked; `None` before the first check.
    pub checked_at: Option<Timestamp>,
}

/// What the server saw when it last knocked on a device's RTSP service (every device is
/// checked every few seconds to a minute, and at once when it is added or its address changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reachability {
    /// Not checked yet since the server started.
    Unchecked,
    /// It answered an RTSP `OPTIONS` request.
    Online,
    /// It did not answer, or not as an RTSP server.
    Offline,
}

impl Reachability {
    /// The word people read: `online`, `offline`, `not checked yet`.
    pub fn label(self) -> &'static str {
        match self {
            Reachability::Unchecked => "not checked yet",
            Reachability::Online => "online",
            Reachability::Offline => "offline",
        }
    }
}
