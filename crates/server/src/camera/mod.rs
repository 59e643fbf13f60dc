//! What the server asks of a device, behind one seam: the RTSP URL of a channel's stream, and a
//! knock to see whether it answers (and, with the coming functions, recording search, snapshot,
//! PTZ and talk). [`Camera`] is the seam; [`Hikvision`] — ISAPI-style paths, which the camera
//! simulator speaks too — is the real implementation. The address is parsed once, as
//! [`RtspAddress`].

mod address;
mod hikvision;

use std::future::Future;
use std::pin::Pin;

use camshare_api::{Reachability, StreamKind};

pub use address::RtspAddress;
pub use hikvision::Hikvision;

/// A future a camera answers with.
pub type Answer<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the server can ask of one device.
pub trait Camera: Send + Sync {
    /// The address the device was added with.
    fn address(&self) -> &RtspAddress;

    /// The RTSP URL of one stream of one channel (without credentials: those go to the RTSP
    /// client as properties).
    fn stream_url(&self, channel: u16, stream: StreamKind) -> String;

    /// Whether the device answers as an RTSP server now (no login needed, no stream opened).
    fn knock(&self) -> Answer<'_, Reachability>;
}

/// The camera behind an address: the Hikvision-style one, the only kind there is so far.
pub fn at(address: RtspAddress) -> Box<dyn Camera> {
    Box::new(Hikvision::new(address))
}
