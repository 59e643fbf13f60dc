//! The recipient's side: invites to answer and devices shared with me.

use camshare_api::{ShareId, SharedDevice, routes};
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
}
