//! The media gate: an RTSP server (gst-rtsp-server) inside the server process that relays camera
//! streams to those allowed to watch them, and only while they are allowed.
//!
//! - A viewer asks `POST /api/stream-tickets` and gets a one-time ticket for one stream of one
//!   channel, and the gate's URL `rtsp://HOST:PORT/live/DEVICE/CHANNEL/main|sub` — `rtsps://`
//!   when the server has a certificate: then every connection is TLS (set up by the auth's
//!   connect check) and media goes interleaved in it, never as plain UDP.
//! - It presents the ticket as RTSP Basic credentials (username: its account id). The gate's
//!   [`auth`] claims the ticket (once, within 30 s), checks it against the path, asks the
//!   authority (`permits`) for a permit, and only then lets the request reach a media factory,
//!   which is built from that permit: refusals come before any media byte.
//! - [`relay`] keeps one upstream connection per camera stream, shared by all its viewers, with
//!   the latest keyframe group cached so a new viewer starts at once. Nothing is re-encoded.
//! - [`viewers`] knows every open viewer and its permit; after every committed change, and every
//!   250 ms for expiry and schedule ends, it asks the authority whether each permit still holds
//!   and closes those that do not. The owner's own viewers end only when the device is deleted.

pub mod addresses;
pub mod auth;
pub mod relay;
pub mod viewers;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use gstreamer as gst;
use gstreamer::glib;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::gio;
use gstreamer_rtsp_server::prelude::*;

use crate::camera::NetworkPolicy;
use crate::clock::Clock;
use crate::secrets::ServerKey;
use crate::store::Db;
use crate::tasks::BackgroundTasks;

/// Connections the kernel queues for the gate before it accepts them.
const LISTEN_BACKLOG: i32 = 1024;

/// What the gate needs from the rest of the server.
pub(crate) struct GateShared {
    pub db: Db,
    pub key: ServerKey,
    pub clock: Arc<dyn Clock>,
    /// Which networks cameras may be on; every upstream connects through it.
    pub camera_policy: Arc<NetworkPolicy>,
    /// The server's Tokio runtime: the gate's GLib thread runs database work on it.
    pub runtime: tokio::runtime::Handle,
    pub context: glib::MainContext,
    pub mounts: rtsp::RTSPMountPoints,
    pub relays: relay::Relays,
    pub viewers: viewers::Viewers,
    /// Whether viewers connect over TLS (then media is offered over TCP only).
    pub tls: bool,
    /// Open connections per client address (`addresses`).
    pub per_address: addresses::PerAddress,
}

/// A running gate; `stop` (or dropping it) closes every viewer, the RTSP port and every
/// camera connection.
pub struct Gate {
    /// The port actually bound.
    pub port: u16,
    /// `rtsp://HOST:PORT` (`rtsps://` with TLS), the base of every ticket's URL.
    pub url_base: String,
    shared: Arc<GateShared>,
    main_loop: glib::MainLoop,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Gate {
    /// Starts the gate on `listen` (port 0: any free port); `public_host` is the host name put in
    /// ticket URLs (default: the listen address); with `certificate` it speaks only RTSPS. Must
    /// be called inside the server's runtime.
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        listen: SocketAddr,
        public_host: Option<&str>,
        certificate: Option<gio::TlsCertificate>,
        db: Db,
        key: ServerKey,
        clock: Arc<dyn Clock>,
        camera_policy: Arc<NetworkPolicy>,
        tasks: &BackgroundTasks,
    ) -> Result<Gate, String> {
        gst::init().map_err(|e| format!("cannot initialise GStreamer for the media gate: {e}"))?;
        let context = glib::MainContext::new();
        let server = rtsp::RTSPServer::new();
        server.set_address(&listen.ip().to_string());
        server.set_service(&listen.port().to_string());
        // gst-rtsp-server's default backlog is 5: under a flood of connections a viewer's SYN
        // is dropped and retried a second later (measured by benches/gate_flood.rs).
        server.set_backlog(LISTEN_BACKLOG);
        let mounts = server.mount_points().ok_or("the RTSP server has no mount points")?;
        let shared = Arc::new(GateShared {
            db,
            key,
            clock,
            camera_policy,
            runtime: tokio::runtime::Handle::current(),
            context: context.clone(),
            mounts,
            relays: relay::Relays::default(),
            viewers: viewers::Viewers::default(),
            tls: certificate.is_some(),
            per_address: addresses::PerAddress::default(),
        });
        let per_address = shared.per_address.clone();
        server.connect_client_connected(move |_, client| per_address.release_when_closed(client));
        let auth = auth::GateAuth::new(shared.clone());
        auth.set_tls_certificate(certificate.as_ref());
        server.set_auth(Some(&auth));
        let source = context
            .with_thread_default(|| server.attach(Some(&context)))
            .map_err(|_| "cannot use the gate's main context".to_string())?
            .map_err(|e| format!("the media gate cannot listen on {listen}: {e}"))?;
        let port = server.bound_port() as u16;
        let host = public_host.map(str::to_string).unwrap_or_else(|| match listen.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        });
        let scheme = if shared.tls { "rtsps" } else { "rtsp" };
        let url_base = format!("{scheme}://{host}:{port}");
        let main_loop = glib::MainLoop::new(Some(&context), false);
        let thread = {
            let main_loop = main_loop.clone();
            std::thread::Builder::new()
                .name("camshare-gate".into())
                .spawn(move || {
                    let context = main_loop.context();
                    let _ = context.with_thread_default(|| main_loop.run());
                    // The server's source lives on this context, not the default one.
                    if let Some(s) = context.find_source_by_id(&source) {
                        s.destroy();
                    }
                    drop(server);
                })
                .map_err(|e| format!("cannot start the gate's thread: {e}"))?
        };
        tasks.spawn("gate enforcer", viewers::enforce(shared.clone()));
        Ok(Gate { port, url_base, shared, main_loop, thread: Mutex::new(Some(thread)) })
    }

    /// Closes every viewer, stops the RTSP server (its port closes) and every camera
    /// connection. The enforcer is a background task of the server and stops with it.
    pub fn stop(&self) {
        let Some(thread) = self.thread.lock().expect("gate thread lock").take() else { return };
        self.shared.viewers.close_all(&self.shared);
        // Quit now if the loop runs, and from inside it if its thread has not started it yet
        // (a quit before `run` would be forgotten and the join below would wait for ever).
        self.main_loop.quit();
        let main_loop = self.main_loop.clone();
        self.shared.context.spawn(async move { main_loop.quit() });
        let _ = thread.join();
        self.shared.relays.stop_all();
    }

    /// Closes every stream open on the owner's devices now, without waiting for the enforcer
    /// ("revoke everything"); returns how many.
    pub fn end_viewers_of_owner(&self, owner: camshare_api::AccountId) -> usize {
        self.shared.viewers.close_of_owner(&self.shared, owner, "the owner revoked everything")
    }

    /// Open viewers right now.
    pub fn open_viewers(&self) -> usize {
        self.shared.viewers.len()
    }
}

/// The gate's path for one stream: `/live/DEVICE/CHANNEL/main|sub`.
pub fn stream_path(device: camshare_api::DeviceId, channel: u16, stream: camshare_api::StreamKind) -> String {
    format!("/live/{}/{channel}/{}", device.0, stream.as_str())
}

/// Reads a gate path back (also with a control suffix such as `/stream=0` after it).
pub fn parse_stream_path(path: &str) -> Option<(camshare_api::DeviceId, u16, camshare_api::StreamKind)> {
    let mut parts = path.trim_start_matches('/').split('/');
    if parts.next()? != "live" {
        return None;
    }
    let device = parts.next()?.parse().ok()?;
    let channel = parts.next()?.parse().ok()?;
    let stream = parts.next()?.parse().ok()?;
    Some((camshare_api::DeviceId(device), channel, stream))
}

#[cfg(test)]
mod tests {
    use camshare_api::{DeviceId, StreamKind};

    use super::*;

    #[test]
    fn paths_read_back_also_with_a_control_suffix() {
        let path = stream_path(DeviceId(7), 3, StreamKind::Sub);
        assert_eq!(path, "/live/7/3/sub");
        assert_eq!(parse_stream_path(&path), Some((DeviceId(7), 3, StreamKind::Sub)));
        assert_eq!(parse_stream_path("/live/7/3/sub/stream=0"), Some((DeviceId(7), 3, StreamKind::Sub)));
        assert_eq!(parse_stream_path("/Streaming/Channels/101"), None);
        assert_eq!(parse_stream_path("/live/x/3/sub"), None);
    }
}
