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
    if ticket.url.starts_with("rtsps://")
        && let Some(pin) = ctx.client.trust().pinned
    {
        // The gate serves the server's own certificate: the same fingerprint.
        eprintln!(
            "the gate's certificate is the server's, SHA-256 {pin}; players that check certificates need to be told \
             to trust it (gst-launch-1.0: rtspsrc tls-validation-flags=0)"
        );
    }
    Ok(())
}
