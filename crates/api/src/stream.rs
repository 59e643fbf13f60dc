//! Live view through the media gate: a one-time ticket to open one channel's stream.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DeviceId, Timestamp};

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
    pub channel: u16,
    pub stream: StreamKind,
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
    pub ticket: String,
    /// Unused after this, the ticket is refused.
    pub expires_at: Timestamp,
}

impl StreamTicket {
    /// The URL with the credentials in it, for players that take only a URL (VLC, ffplay).
    pub fn url_with_credentials(&self) -> String {
        match self.url.split_once("://") {
            Some((scheme, rest)) => format!("{scheme}://{}:{}@{rest}", self.username, self.ticket),
            None => self.url.clone(),
        }
    }
}
