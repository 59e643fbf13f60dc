//! Connections to the gate per client address: at most [`MAX_CONNECTIONS_PER_ADDRESS`] open at
//! once from one address, so one machine cannot take every file descriptor of the gate with
//! connections that never send a request (gst-rtsp-server has no idle timeout for them). A
//! connection over the cap is refused when it is accepted, before a byte is read — before the
//! TLS handshake, too.
//!
//! Counted in two steps, because gst-rtsp-server gives the connect check the new connection but
//! no client yet: the auth's connect check admits (and counts) it, and `client-connected`, which
//! follows at once for the same connection, hooks the client's `closed` signal to release it.
//! gst-rtsp-server's Rust bindings do not expose a connection's address, so it is read through
//! the C API.

use std::collections::HashMap;
use std::ffi::CStr;
use std::sync::{Arc, Mutex};

use gstreamer::glib::translate::ToGlibPtr;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;

/// Connections one address may hold open at once: every viewer of a household behind one
/// router, twice over the 32 viewers one account may have.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 64;

/// Open connections per client address.
#[derive(Clone, Default)]
pub(crate) struct PerAddress(Arc<Mutex<HashMap<String, usize>>>);

impl PerAddress {
    /// Counts a new connection from `ip`, unless `ip` already holds the most.
    pub fn admit(&self, ip: &str) -> bool {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(ip.to_string()).or_default();
        if *count >= MAX_CONNECTIONS_PER_ADDRESS {
            return false;
        }
        *count += 1;
        true
    }

    /// Forgets a connection from `ip` that closed.
    pub fn release(&self, ip: &str) {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(ip);
            }
        }
    }

    /// Releases `client`'s connection when it closes (call from `client-connected`).
    pub fn release_when_closed(&self, client: &rtsp::RTSPClient) {
        let Some(ip) = client_ip(client) else { return };
        let this = self.clone();
        client.connect_closed(move |_| this.release(&ip));
    }
}

/// The peer address of the connection the current connect check is about.
pub(crate) fn connecting_ip() -> Option<String> {
    // SAFETY: the current context is the one gst-rtsp-server pushed for this check and lives
    // until it returns; its `conn` is the accepted connection, and the IP string is owned by it.
    unsafe {
        let ctx = rtsp::ffi::gst_rtsp_context_get_current();
        if ctx.is_null() || (*ctx).conn.is_null() {
            return None;
        }
        ip_of((*ctx).conn)
    }
}

/// The peer address of a client's connection.
fn client_ip(client: &rtsp::RTSPClient) -> Option<String> {
    // SAFETY: the client holds its connection (borrowed, not freed here) while it is alive.
    unsafe {
        let conn = rtsp::ffi::gst_rtsp_client_get_connection(client.to_glib_none().0);
        if conn.is_null() {
            return None;
        }
        ip_of(conn)
    }
}

/// # Safety
/// `conn` must be a live connection.
unsafe fn ip_of(conn: *mut gstreamer_rtsp::ffi::GstRTSPConnection) -> Option<String> {
    // SAFETY: per the caller; the string belongs to the connection and is copied at once.
    unsafe {
        let ip = gstreamer_rtsp::ffi::gst_rtsp_connection_get_ip(conn);
        (!ip.is_null()).then(|| CStr::from_ptr(ip).to_string_lossy().into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_holds_at_most_the_cap_and_gets_room_back_as_connections_close() {
        let open = PerAddress::default();
        for _ in 0..MAX_CONNECTIONS_PER_ADDRESS {
            assert!(open.admit("10.0.0.1"));
        }
        assert!(!open.admit("10.0.0.1"));
        assert!(open.admit("10.0.0.2"), "another address is not affected");
        open.release("10.0.0.1");
        assert!(open.admit("10.0.0.1"));
        assert!(!open.admit("10.0.0.1"));
    }
}
