//! An owner's recipients: everyone they share with, and the history of everyone they ever did.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{AddressKind, OutgoingShare, RecipientId, Timestamp};

/// A recipient with their shares ("Manage Sharing Settings" → "Sharing Details").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Recipient {
    pub id: RecipientId,
    pub address: String,
    pub address_kind: AddressKind,
    pub remark: Option<String>,
    pub created_at: Timestamp,
    pub shares: Vec<OutgoingShare>,
}

/// An address the owner shared with at some time, kept after deletion, for the search box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    pub id: RecipientId,
    pub address: String,
    pub address_kind: AddressKind,
    pub remark: Option<String>,
    /// The owner deleted this recipient; sharing with them again brings them back.
    pub deleted: bool,
    pub last_shared_at: Timestamp,
}

/// Change what the owner notes about a recipient.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EditRecipient {
    pub remark: Option<String>,
}
