//! The recipient's side: invites to answer, devices shared with me, and owners I blocked.

use camshare_api::{AccountId, BlockOwner, BlockedOwner, ShareId, SharedDevice, routes};
use reqwest::Method;

use crate::transport::Request;
use crate::{Client, ClientError};

impl Client {
    /// Invites waiting for this account's answer.
    pub async fn list_invites(&self) -> Result<Vec<SharedDevice>, ClientError> {
        self.fetch(Request::new(Method::GET, routes::INVITES)).await
    }

    /// Accepts an invite; the device then appears among the shared devices.
    pub async fn accept_invite(&self, share: ShareId) -> Result<SharedDevice, ClientError> {
        self.fetch(Request::new(Method::POST, routes::with_id(routes::INVITE_ACCEPT, share))).await
    }

    pub async fn reject_invite(&self, share: ShareId) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::POST, routes::with_id(routes::INVITE_REJECT, share))).await
    }

    /// Devices other accounts share with this one (accepted shares).
    pub async fn list_shared_devices(&self) -> Result<Vec<SharedDevice>, ClientError> {
        self.fetch(Request::new(Method::GET, routes::SHARED_DEVICES)).await
    }

    /// Removes a shared device from this account's list; the owner is told.
    pub async fn remove_shared_device(&self, share: ShareId) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::DELETE, routes::with_id(routes::SHARED_DEVICE, share))).await
    }

    /// Owners this account blocked, most recent first.
    pub async fn list_blocked_owners(&self) -> Result<Vec<BlockedOwner>, ClientError> {
        self.fetch(Request::new(Method::GET, routes::BLOCKED_OWNERS)).await
    }

    /// Blocks an owner who shared with this account: their invites are rejected, their devices
    /// removed, and nothing they share reaches this account until it unblocks them.
    pub async fn block_owner(&self, owner: AccountId) -> Result<BlockedOwner, ClientError> {
        self.fetch(Request::new(Method::POST, routes::BLOCKED_OWNERS).json(&BlockOwner { owner })).await
    }

    /// Lifts a block; invites the owner sent meanwhile that are still open appear.
    pub async fn unblock_owner(&self, owner: AccountId) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::DELETE, routes::with_id(routes::BLOCKED_OWNER, owner))).await
    }
}
