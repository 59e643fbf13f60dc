//! Shares as their owner manages them: create, list, edit, revoke (one, or everything at once),
//! resend, cancel.

use camshare_api::{CreateShares, CreatedShares, EditShare, OutgoingShare, RevokedEverything, ShareId, routes};
use reqwest::Method;

use crate::transport::Request;
use crate::{Client, ClientError};

impl Client {
    /// Shares one or more devices with one recipient. The answer reads the same whether or not
    /// the address belongs to an account, so it cannot be used to probe for accounts.
    pub async fn share_devices(&self, shares: &CreateShares) -> Result<CreatedShares, ClientError> {
        self.fetch(Request::new(Method::POST, routes::SHARES).json(shares)).await
    }

    /// Every share this account made, in any status.
    pub async fn list_shares(&self) -> Result<Vec<OutgoingShare>, ClientError> {
        self.fetch(Request::new(Method::GET, routes::SHARES)).await
    }

    pub async fn get_share(&self, id: ShareId) -> Result<OutgoingShare, ClientError> {
        self.fetch(Request::new(Method::GET, routes::with_id(routes::SHARE, id))).await
    }

    /// Changes channels and/or terms; `terms`, when given, replaces all terms at once.
    pub async fn edit_share(&self, id: ShareId, edit: &EditShare) -> Result<OutgoingShare, ClientError> {
        self.fetch(Request::new(Method::PATCH, routes::with_id(routes::SHARE, id)).json(edit)).await
    }

    /// Stops sharing; the recipient's open streams close at once.
    pub async fn revoke_share(&self, id: ShareId) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::DELETE, routes::with_id(routes::SHARE, id))).await
    }

    /// The emergency button: ends every share and invite of this account's devices and every
    /// stream open on them, and says what it ended. Ask the person first.
    pub async fn revoke_everything(&self) -> Result<RevokedEverything, ClientError> {
        self.fetch(Request::new(Method::POST, routes::SHARES_REVOKE_EVERYTHING)).await
    }

    /// Sends an expired or unanswered invite again, with a new expiry.
    pub async fn resend_share(&self, id: ShareId) -> Result<OutgoingShare, ClientError> {
        self.fetch(Request::new(Method::POST, routes::with_id(routes::SHARE_RESEND, id))).await
    }

    /// Withdraws an invite that was not answered yet.
    pub async fn cancel_share(&self, id: ShareId) -> Result<OutgoingShare, ClientError> {
        self.fetch(Request::new(Method::POST, routes::with_id(routes::SHARE_CANCEL, id))).await
    }
}
