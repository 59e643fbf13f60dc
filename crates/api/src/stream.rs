//! Streams through the media gate: a one-time ticket to open one channel for one purpose.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DeviceId, Secret, Timestamp};

/// A camera's two encodings: the full picture, or the small one for grids and slow links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StreamKind {
    Main,
    Sub,
}

impl StreamKind {
    /// The wire name, also the last part of the gate's path: `main` or `sub`.
    pub fn as_str(self) -> &'static str {
        match self {
            StreamKind::Main => "main",
            StreamKind::Sub => "sub",
        }
    }
}

impl std::str::FromStr for StreamKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "main" => Ok(StreamKind::Main),
            "sub" => Ok(StreamKind::Sub),
            _ => Err(format!("unknown stream `{s}`; expected main or sub")),
        }
    }
}

/// `POST /api/stream-tickets`: which channel to watch, and which of its streams.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StreamTicketRequest {
    pub device: DeviceId,
    /// 1-based channel number.
    #[schema(maximum = 65535)]
    pub channel: u16,
    pub stream: StreamKind,
}

/// What a ticket lets its holder do with the channel. Every ticket carries one; the gate opens
/// only what it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TicketPurpose {
    /// Watch one stream live.
    Live { stream: StreamKind },
    /// Play recordings between two instants.
    Playback { from: Timestamp, to: Timestamp },
    /// Download alarm snapshots.
    Snapshot,
    /// Move the camera.
    Ptz,
    /// Talk through the camera's speaker.
    TwoWayAudio,
}

impl TicketPurpose {
    /// The stored and logged name: `live`, `playback`, `snapshot`, `ptz`, `two_way_audio`.
    pub fn name(self) -> &'static str {
        match self {
            TicketPurpose::Live { .. } => "live",
            TicketPurpose::Playback { .. } => "playback",
            TicketPurpose::Snapshot => "snapshot",
            TicketPurpose::Ptz => "ptz",
            TicketPurpose::TwoWayAudio => "two_way_audio",
        }
    }
}

/// Permission to open one stream once. The ticket goes to the gate as the RTSP password (with
/// `username`), never in the URL's path, so it stays out of logs; it must be used within
/// 30 seconds and works for one connection only.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StreamTicket {
    /// `rtsp://HOST:PORT/live/DEVICE/CHANNEL/STREAM` on the gate.
    pub url: String,
    /// The RTSP username to present: the account's id.
    pub username: String,
    /// The RTSP password to present: the ticket itself (at least 128 random bits).
    pub ticket: Secret,
    /// Unused after this, the ticket is refused.
    pub expires_at: Timestamp,
    /// What the ticket opens.
    pub purpose: TicketPurpose,
}

impl StreamTicket {
    /// The URL with the credentials in it, for players that take only a URL (VLC, ffplay).
    pub fn url_with_credentials(&self) -> String {
        match self.url.split_once("://") {
            Some((scheme, rest)) => format!("{scheme}://{}:{}@{rest}", self.username, self.ticket.expose()),
            None => self.url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_are_tagged_by_kind_on_the_wire() {
        let live = TicketPurpose::Live { stream: StreamKind::Sub };
        assert_eq!(serde_json::to_string(&live).unwrap(), r#"{"kind":"live","stream":"sub"}"#);
        assert_eq!(serde_json::from_str::<TicketPurpose>(r#"{"kind":"ptz"}"#).unwrap(), TicketPurpose::Ptz);
        assert!(serde_json::from_str::<TicketPurpose>(r#"{"kind":"live"}"#).is_err());
    }
}
