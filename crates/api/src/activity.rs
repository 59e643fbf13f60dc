//! The owner's activity log: what happened on my devices.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ActivityId, DeviceId, ShareId, Timestamp};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Shared,
    Accepted,
    Rejected,
    Edited,
    Resent,
    Cancelled,
    Revoked,
    RemovedByRecipient,
    RecipientDeleted,
    DeviceAdded,
    DeviceEdited,
    DeviceRemoved,
    /// A recipient started watching a channel through the gate.
    StreamOpened,
    /// A recipient's stream ended; the detail says how long it ran and why it ended.
    StreamClosed,
    /// The owner's emergency button: every share and stream of their devices ended at once (one
    /// `revoked` or `cancelled` line per share follows it).
    EverythingRevoked,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Shared => "shared",
            ActivityKind::Accepted => "accepted",
            ActivityKind::Rejected => "rejected",
            ActivityKind::Edited => "edited",
            ActivityKind::Resent => "resent",
            ActivityKind::Cancelled => "cancelled",
            ActivityKind::Revoked => "revoked",
            ActivityKind::RemovedByRecipient => "removed_by_recipient",
            ActivityKind::RecipientDeleted => "recipient_deleted",
            ActivityKind::DeviceAdded => "device_added",
            ActivityKind::DeviceEdited => "device_edited",
            ActivityKind::DeviceRemoved => "device_removed",
            ActivityKind::StreamOpened => "stream_opened",
            ActivityKind::StreamClosed => "stream_closed",
            ActivityKind::EverythingRevoked => "everything_revoked",
        }
    }

    pub fn parse(s: &str) -> Option<ActivityKind> {
        ActivityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Every kind, in declaration order.
    pub const ALL: [ActivityKind; 15] = [
        ActivityKind::Shared,
        ActivityKind::Accepted,
        ActivityKind::Rejected,
        ActivityKind::Edited,
        ActivityKind::Resent,
        ActivityKind::Cancelled,
        ActivityKind::Revoked,
        ActivityKind::RemovedByRecipient,
        ActivityKind::RecipientDeleted,
        ActivityKind::DeviceAdded,
        ActivityKind::DeviceEdited,
        ActivityKind::DeviceRemoved,
        ActivityKind::StreamOpened,
        ActivityKind::StreamClosed,
        ActivityKind::EverythingRevoked,
    ];
}

impl std::fmt::Display for ActivityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of the activity log. Names are copied at the time, so the line stays readable after
/// the device or recipient is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivityEntry {
    pub id: ActivityId,
    pub at: Timestamp,
    pub kind: ActivityKind,
    pub device: Option<DeviceId>,
    pub device_name: String,
    pub share: Option<ShareId>,
    /// The recipient's address (and remark) the line is about, if any.
    pub recipient: Option<String>,
    pub detail: Option<String>,
}
