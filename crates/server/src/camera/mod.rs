//! What the server asks of a device, behind one seam: the RTSP URL of a channel's stream, and a
//! knock to see whether it answers (and, with the coming functions, recording search, snapshot,
//! PTZ and talk). [`Camera`] is the seam; [`Hikvision`] — ISAPI-style paths, which the camera
//! simulator speaks too — is the real implementation. The address is parsed once, as
//! [`RtspAddress`]; the only way to a [`Camera`] is [`reach`], through the server's
//! [`NetworkPolicy`], which resolves the address and pins the connection to what it resolved.

mod address;
mod hikvision;
mod policy;
mod tls;

use std::future::Future;
use std::pin::Pin;

use camshare_api::{Reachability, StreamKind};

pub use address::RtspAddress;
pub use hikvision::Hikvision;
pub use policy::{NetworkPolicy, Unreachable};

/// The longest one check of a device can take: resolving its name, then the knock.
pub const LONGEST_CHECK: std::time::Duration = policy::RESOLVE_TIMEOUT.saturating_add(hikvision::KNOCK_TIMEOUT);

/// A future a camera answers with.
pub type Answer<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the server can ask of one device.
pub trait Camera: Send + Sync {
    /// The address the device was added with.
    fn address(&self) -> &RtspAddress;

    /// The RTSP URL of one stream of one channel, at the pinned address (without credentials:
    /// those go to the RTSP client as properties).
    fn stream_url(&self, channel: u16, stream: StreamKind) -> String;

    /// Whether the device answers as an RTSP server now (no login needed, no stream opened).
    fn knock(&self) -> Answer<'_, Reachability>;
}

/// The camera behind an address, if the policy lets the server connect to it: resolved and
/// pinned to the resolved address. The Hikvision-style camera is the only kind there is so far.
pub async fn reach(policy: &NetworkPolicy, address: RtspAddress) -> Result<Box<dyn Camera>, Unreachable> {
    let at = policy.pin(&address).await?;
    Ok(Box::new(Hikvision::new(address, at)))
}
