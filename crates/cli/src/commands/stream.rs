//! `camshare stream-url`: a one-time URL for players nobody here wrote.

use camshare_api::{DeviceId, StreamKind};

use super::Context;
use crate::error::CliError;
use crate::output;

pub async fn stream_url(ctx: &Context, device: DeviceId, channel: u16, sub: bool) -> Result<(), CliError> {
    let stream = if sub { StreamKind::Sub } else { StreamKind::Main };
    let ticket = ctx.client.stream_ticket(device, channel, stream).await?;
    if ctx.json {
        return output::json(&ticket);
    }
    // Only the URL on stdout, so that `ffplay "$(camshare stream-url 3 --channel 2)"` works.
    output::line(ticket.url_with_credentials())?;
    eprintln!("valid for one connection, until {}", output::when(ticket.expires_at));
    Ok(())
}
