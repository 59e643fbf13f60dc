//! The owner's activity log, and the server's health check.

use camshare_api::{ActivityEntry, routes};
use reqwest::Method;

use crate::transport::{Request, with_query};
use crate::{Client, ClientError, Health};

impl Client {
    /// The newest `limit` lines of the activity log (the server's default when `None`), newest
    /// first.
    pub async fn activity(&self, limit: Option<u32>) -> Result<Vec<ActivityEntry>, ClientError> {
        let path = with_query(routes::ACTIVITY, &[("limit", limit.map(|n| n.to_string()))]);
        self.fetch(Request::new(Method::GET, path)).await
    }

    /// Whether the server is up. Needs no session.
    pub async fn health(&self) -> Result<Health, ClientError> {
        self.fetch(Request::new(Method::GET, routes::HEALTH).without_auth()).await
    }
}
