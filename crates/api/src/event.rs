//! Server-sent events: what an account's open apps hear about at once.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DeviceId, EventId, ShareId, Timestamp};

/// Why a share ended, as told to the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The owner stopped sharing this device.
    Revoked,
    /// The owner deleted the recipient and all its sharing.
    RecipientDeleted,
}

/// What happened. The SSE `event:` field carries the `type` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// To the recipient: someone shares a device with you.
    InviteReceived { share: ShareId, device: DeviceId, device_name: String, owner_name: String },
    /// To the owner: an invite went out, from any of the owner's windows or the CLI (so every
    /// Manage Sharing screen shows it).
    InviteSent { share: ShareId, device: DeviceId },
    /// To the owner: the recipient accepted or rejected.
    InviteAnswered { share: ShareId, device: DeviceId, accepted: bool },
    /// To the recipient: the owner withdrew a pending invite.
    InviteCancelled { share: ShareId, device: DeviceId },
    /// To both parties: channels, functions or terms of a share changed.
    ShareChanged { share: ShareId, device: DeviceId },
    /// To both parties: the share ended by the owner's hand.
    ShareRevoked { share: ShareId, device: DeviceId, reason: EndReason },
    /// To both parties: the recipient removed the shared device from their list.
    ShareRemoved { share: ShareId, device: DeviceId },
    /// To the recipients of the device's shares: the owner deleted the device.
    DeviceRemoved { share: ShareId, device: DeviceId },
}

impl EventKind {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::InviteReceived { .. } => "invite_received",
            EventKind::InviteSent { .. } => "invite_sent",
            EventKind::InviteAnswered { .. } => "invite_answered",
            EventKind::InviteCancelled { .. } => "invite_cancelled",
            EventKind::ShareChanged { .. } => "share_changed",
            EventKind::ShareRevoked { .. } => "share_revoked",
            EventKind::ShareRemoved { .. } => "share_removed",
            EventKind::DeviceRemoved { .. } => "device_removed",
        }
    }
}

/// One event, as carried in an SSE `data:` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub id: EventId,
    pub at: Timestamp,
    #[serde(flatten)]
    pub kind: EventKind,
}
