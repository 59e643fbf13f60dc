//! Shares: an owner offers one device to one recipient with per-channel functions and terms.
//! A share starts as a pending invite; the recipient accepts or rejects it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    AccountId, AddressKind, ApiError, DeviceId, DeviceKind, FunctionSet, Lookback, RecipientId, Schedule, ShareId,
    Timestamp,
};

/// Which functions on which channel: `{"1": ["live_view"], "3": ["live_view", "playback"]}`.
/// A channel that is not listed is not shared.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = BTreeMap<String, Vec<crate::Function>>)]
pub struct ChannelGrants(pub BTreeMap<u16, FunctionSet>);

impl ChannelGrants {
    /// The same functions on each of the given channels.
    pub fn uniform(channels: impl IntoIterator<Item = u16>, functions: FunctionSet) -> ChannelGrants {
        ChannelGrants(channels.into_iter().map(|c| (c, functions)).collect())
    }

    pub fn get(&self, channel: u16) -> FunctionSet {
        self.0.get(&channel).copied().unwrap_or(FunctionSet::EMPTY)
    }

    /// Refuses an empty grant, an empty function set, and channels the device does not have.
    pub fn validate(&self, channel_count: u16) -> Result<(), ApiError> {
        if self.0.is_empty() {
            return Err(ApiError::invalid("channels", "choose at least one channel to share"));
        }
        for (channel, functions) in &self.0 {
            if *channel == 0 || *channel > channel_count {
                return Err(ApiError::invalid(
                    "channels",
                    format!("channel {channel} does not exist; this device has channels 1 to {channel_count}"),
                ));
            }
            if functions.is_empty() {
                return Err(ApiError::invalid("functions", format!("channel {channel}: choose at least one function")));
            }
        }
        Ok(())
    }
}

/// Optional limits of a share, beyond channels and functions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct ShareTerms {
    /// After this instant the share grants nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Weekly windows in which the share is usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// How far back playback may reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookback: Option<Lookback>,
}

impl ShareTerms {
    pub fn validate(&self) -> Result<(), ApiError> {
        if let Some(schedule) = &self.schedule {
            schedule.validate()?;
        }
        if let Some(lookback) = &self.lookback {
            lookback.validate()?;
        }
        Ok(())
    }
}

/// One device to share, with its channel grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceGrant {
    pub device: DeviceId,
    pub channels: ChannelGrants,
}

/// Share one or more devices with one recipient (by email, phone or account code).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateShares {
    pub recipient: String,
    /// A note about the recipient that only the owner sees, e.g. their name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    pub devices: Vec<DeviceGrant>,
    #[serde(default)]
    pub terms: ShareTerms,
}

/// Change a share; absent fields stay. `terms`, when given, replaces all terms at once.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct EditShare {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<ChannelGrants>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<ShareTerms>,
}

/// Where a share stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShareStatus {
    /// Invited, not yet answered.
    Pending,
    /// Invited, not answered within 7 days. The owner may resend.
    InviteExpired,
    Accepted,
    Rejected,
    /// The owner withdrew the invite before it was answered.
    Cancelled,
    /// The owner stopped sharing (or deleted the recipient).
    Revoked,
    /// The recipient removed the device from their list.
    Removed,
}

impl ShareStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ShareStatus::Pending => "pending",
            ShareStatus::InviteExpired => "invite_expired",
            ShareStatus::Accepted => "accepted",
            ShareStatus::Rejected => "rejected",
            ShareStatus::Cancelled => "cancelled",
            ShareStatus::Revoked => "revoked",
            ShareStatus::Removed => "removed",
        }
    }

    /// Pending or accepted: the share still holds the device for this recipient.
    pub fn is_active(self) -> bool {
        matches!(self, ShareStatus::Pending | ShareStatus::Accepted)
    }
}

impl std::fmt::Display for ShareStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A share as its owner sees it, remark included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OutgoingShare {
    pub id: ShareId,
    pub device: DeviceId,
    pub device_name: String,
    pub recipient: RecipientId,
    pub recipient_address: String,
    pub recipient_kind: AddressKind,
    pub remark: Option<String>,
    pub channels: ChannelGrants,
    pub terms: ShareTerms,
    pub status: ShareStatus,
    pub created_at: Timestamp,
    /// Until when a pending invite may be accepted.
    pub invite_expires_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    /// Who answered, once the invite is answered: the account behind the address, which it
    /// verified before it could answer. `None` while the invite is open, so an open invite does
    /// not tell whether the address has an account.
    pub answered_by: Option<AnsweredBy>,
}

/// What "Revoke everything" ended: every share and invite of the owner's devices, and every
/// stream open on them at that moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevokedEverything {
    /// The shares that were active (revoked) and the invites that were open (cancelled).
    pub ended: Vec<EndedShare>,
    /// Streams that were open on the owner's devices and were closed (the owner's own included).
    pub streams_ended: u32,
}

/// One share "Revoke everything" ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EndedShare {
    pub share: ShareId,
    pub device: DeviceId,
    pub device_name: String,
    pub recipient_address: String,
    /// What it was: `accepted` (now revoked) or `pending` (the invite is now cancelled).
    pub was: ShareStatus,
}

/// The account that answered an invite, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AnsweredBy {
    /// The name the account shows.
    pub display_name: String,
    /// When the account was made (a day-old account answering is worth a second look).
    pub account_since: Timestamp,
}

/// What `POST /api/shares` answers. It reads the same whether or not the address has an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreatedShares {
    pub recipient: RecipientId,
    pub shares: Vec<OutgoingShare>,
}

/// A channel as a recipient sees it: its name and exactly the functions granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SharedChannel {
    pub number: u16,
    pub name: String,
    pub functions: FunctionSet,
}

/// Who shares a device: the "device source".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShareOwner {
    pub id: AccountId,
    pub display_name: String,
}

/// `POST /api/blocked-owners`: block an owner who has shared with this account (an invite, a
/// shared device, or one answered before). Their open invites are rejected, their shared devices
/// removed, and nothing they share reaches this account until it unblocks them. The owner is not
/// told of the block; they see the invites rejected and the devices removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlockOwner {
    pub owner: AccountId,
}

/// An owner this account blocked, as its list of blocked people shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlockedOwner {
    pub owner: ShareOwner,
    pub blocked_at: Timestamp,
}

/// A device shared with me, or an invite to one. Never carries the camera's address or
/// credentials, nor the owner's remark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SharedDevice {
    pub share: ShareId,
    pub device: DeviceId,
    pub device_name: String,
    pub kind: DeviceKind,
    pub owner: ShareOwner,
    pub channels: Vec<SharedChannel>,
    pub terms: ShareTerms,
    pub status: ShareStatus,
    pub created_at: Timestamp,
    pub invite_expires_at: Timestamp,
    /// Whether the server reached the device at its last check (as on the owner's list).
    pub reachability: crate::Reachability,
    /// When the server last checked; `None` before the first check.
    pub checked_at: Option<Timestamp>,
}

/// One line of "Who can see this camera?": a recipient and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceAccess {
    pub share: ShareId,
    pub recipient: RecipientId,
    pub recipient_address: String,
    pub remark: Option<String>,
    pub status: ShareStatus,
    pub channels: ChannelGrants,
    pub terms: ShareTerms,
}
