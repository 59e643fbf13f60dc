//! The owner's recipients and the history of every address they shared with.

use camshare_api::{EditRecipient, HistoryEntry, Recipient, RecipientId, routes};
use reqwest::Method;

use crate::transport::{Request, with_query};
use crate::{Client, ClientError};

impl Client {
    /// Everyone this account shares with, each with their shares.
    pub async fn list_recipients(&self) -> Result<Vec<Recipient>, ClientError> {
        self.fetch(Request::new(Method::GET, routes::RECIPIENTS)).await
    }

    pub async fn get_recipient(&self, id: RecipientId) -> Result<Recipient, ClientError> {
        self.fetch(Request::new(Method::GET, routes::with_id(routes::RECIPIENT, id))).await
    }

    /// Sets or clears the owner's private note about a recipient.
    pub async fn edit_recipient(&self, id: RecipientId, edit: &EditRecipient) -> Result<Recipient, ClientError> {
        self.fetch(Request::new(Method::PATCH, routes::with_id(routes::RECIPIENT, id)).json(edit)).await
    }

    /// Deletes the recipient and ends all sharing with them.
    pub async fn delete_recipient(&self, id: RecipientId) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::DELETE, routes::with_id(routes::RECIPIENT, id))).await
    }

    /// Addresses shared with before, deleted ones included, whose address starts with
    /// `prefix` (all of them when `None`): what the share dialog's search box suggests.
    pub async fn recipient_history(&self, prefix: Option<&str>) -> Result<Vec<HistoryEntry>, ClientError> {
        let path = with_query(routes::RECIPIENT_HISTORY, &[("q", prefix.map(str::to_string))]);
        self.fetch(Request::new(Method::GET, path)).await
    }
}
