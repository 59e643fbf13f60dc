//! Live view: a one-time ticket for the media gate.

use camshare_api::{DeviceId, StreamKind, StreamTicket, StreamTicketRequest, routes};
use reqwest::Method;

use crate::transport::Request;
use crate::{Client, ClientError};

impl Client {
    /// Asks for a one-time ticket to watch one stream of one channel. Refused with `not_found`
    /// (not my device, not shared with me) or `forbidden` (shared, but not live view on this
    /// channel now).
    pub async fn stream_ticket(
        &self,
        device: DeviceId,
        channel: u16,
        stream: StreamKind,
    ) -> Result<StreamTicket, ClientError> {
        let body = StreamTicketRequest { device, channel, stream };
        self.fetch(Request::new(Method::POST, routes::STREAM_TICKETS).json(&body)).await
    }
}
