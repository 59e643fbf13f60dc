//! Device reachability: is the camera or NVR answering? The server knocks on every device's RTSP
//! service with an `OPTIONS` request (no credentials needed, no stream opened) on a fixed
//! interval, and at once when a device is added or its address changes. The answers live in
//! memory only: after a restart every device reads `unchecked` until its first check.
//!
//! The owner's device list shows the result; the live view has its own, faster signal (a tile
//! goes "camera offline" when frames stop).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use camshare_api::{Device, DeviceId, Reachability, SharedDevice, Timestamp};
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::clock::Clock;
use crate::store::Db;

/// How long one knock may take, connecting and answering together.
const KNOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// How many devices are knocked on at the same time.
const PARALLEL_KNOCKS: usize = 16;

/// What the server last saw of one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    reachability: Reachability,
    checked_at: Timestamp,
    /// The address that was checked, so an answer for an old address is not shown for a new one.
    address_hash: u64,
}

/// The last answer of every device, shared by the checker and the routes.
#[derive(Clone)]
pub struct DeviceHealth {
    seen: Arc<RwLock<HashMap<DeviceId, Seen>>>,
    /// Off in most tests, whose made-up camera addresses must not be contacted.
    enabled: bool,
}

impl DeviceHealth {
    /// Remembers answers; `enabled: false` makes `check_soon` do nothing (see `Config`).
    pub fn new(enabled: bool) -> DeviceHealth {
        DeviceHealth { seen: Arc::default(), enabled }
    }

    /// Fills in `reachability` and `checked_at` from the last check of that device at its
    /// current address.
    pub fn annotate(&self, device: &mut Device) {
        let seen = self.seen.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        match seen.get(&device.id) {
            Some(s) if s.address_hash == hash(&device.rtsp_url) => {
                device.reachability = s.reachability;
                device.checked_at = Some(s.checked_at);
            }
            _ => {
                device.reachability = Reachability::Unchecked;
                device.checked_at = None;
            }
        }
    }

    /// Fills in a shared device's state from the last check of that device. Recipients never
    /// see the address, so this does not compare it: for the few seconds after the owner moves
    /// a device, a recipient may still see the answer for the old address.
    pub fn annotate_shared(&self, device: &mut SharedDevice) {
        let seen = self.seen.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        match seen.get(&device.device) {
            Some(s) => {
                device.reachability = s.reachability;
                device.checked_at = Some(s.checked_at);
            }
            None => {
                device.reachability = Reachability::Unchecked;
                device.checked_at = None;
            }
        }
    }

    /// Knocks on one device now, in the background (after it was added or its address changed).
    pub fn check_soon(&self, device: DeviceId, rtsp_url: String, clock: Arc<dyn Clock>) {
        if !self.enabled {
            return;
        }
        let health = self.clone();
        tokio::spawn(async move {
            let reachability = knock(&rtsp_url).await;
            health.record(device, &rtsp_url, reachability, clock.now());
        });
    }

    fn record(&self, device: DeviceId, rtsp_url: &str, reachability: Reachability, at: Timestamp) {
        let mut seen = self.seen.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.insert(device, Seen { reachability, checked_at: at, address_hash: hash(rtsp_url) });
    }

    /// Checks every device every `interval`, forever; forgets devices that were deleted.
    pub async fn run(self, db: Db, clock: Arc<dyn Clock>, interval: Duration) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let round_started = clock.now();
            let devices = match crate::store::devices::addresses(&db.pool).await {
                Ok(devices) => devices,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot list devices to check; will retry");
                    continue;
                }
            };
            let answers: Vec<(DeviceId, String, Reachability)> = futures::stream::iter(devices)
                .map(|(device, url)| async move {
                    let reachability = knock(&url).await;
                    (device, url, reachability)
                })
                .buffer_unordered(PARALLEL_KNOCKS)
                .collect()
                .await;
            let now = clock.now();
            let mut seen = self.seen.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            let checked: std::collections::HashSet<DeviceId> = answers.iter().map(|(device, _, _)| *device).collect();
            // Forget deleted devices, but keep answers recorded during this round for devices
            // added after it listed them.
            seen.retain(|device, s| checked.contains(device) || s.checked_at >= round_started);
            for (device, url, reachability) in answers {
                seen.insert(device, Seen { reachability, checked_at: now, address_hash: hash(&url) });
            }
        }
    }
}

/// One knock: connect to the RTSP service and ask `OPTIONS`; online if it answers as an RTSP
/// server. An `rtsps://` address is online when it accepts the connection (no TLS handshake).
pub async fn knock(rtsp_url: &str) -> Reachability {
    let Some((host, port, tls)) = host_and_port(rtsp_url) else {
        return Reachability::Offline;
    };
    let answered = tokio::time::timeout(KNOCK_TIMEOUT, async {
        let mut stream = tokio::net::TcpStream::connect((host.as_str(), port)).await.ok()?;
        if tls {
            return Some(());
        }
        let request = format!("OPTIONS {rtsp_url} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: camshare-server\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut answer = [0u8; 9];
        stream.read_exact(&mut answer).await.ok()?;
        (&answer == b"RTSP/1.0 ").then_some(())
    })
    .await;
    match answered {
        Ok(Some(())) => Reachability::Online,
        _ => Reachability::Offline,
    }
}

/// `rtsp://host:port/path` → (host, port, is TLS); the default ports are 554 and 322.
fn host_and_port(rtsp_url: &str) -> Option<(String, u16, bool)> {
    let (rest, tls) = match rtsp_url.strip_prefix("rtsp://") {
        Some(rest) => (rest, false),
        None => (rtsp_url.strip_prefix("rtsps://")?, true),
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let default_port = if tls { 322 } else { 554 };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(port) => port.parse().ok()?,
        None => default_port,
    };
    (!host.is_empty()).then(|| (host.to_string(), port, tls))
}

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_give_host_and_port() {
        let hp = |url: &str| host_and_port(url);
        assert_eq!(hp("rtsp://192.168.1.64:8554/Streaming/Channels/101"), Some(("192.168.1.64".into(), 8554, false)));
        assert_eq!(hp("rtsp://cam.local/live"), Some(("cam.local".into(), 554, false)));
        assert_eq!(hp("rtsps://cam.local"), Some(("cam.local".into(), 322, true)));
        assert_eq!(hp("rtsp://[::1]:9000/x"), Some(("::1".into(), 9000, false)));
        assert_eq!(hp("rtsp://[::1]/x"), Some(("::1".into(), 554, false)));
        assert_eq!(hp("rtsp://host:notaport/x"), None);
        assert_eq!(hp("http://host/x"), None);
        assert_eq!(hp("rtsp:///x"), None);
    }

    #[tokio::test]
    async fn a_knock_tells_an_rtsp_server_from_silence_and_from_other_servers() {
        // An RTSP server that answers OPTIONS.
        let rtsp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let rtsp_port = rtsp.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = rtsp.accept().await {
                let mut buf = [0u8; 512];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n").await;
            }
        });
        // Something else on a port: an HTTP server.
        let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http_port = http.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = http.accept().await {
                let mut buf = [0u8; 512];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            }
        });
        // A port nobody listens on.
        let closed_port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        assert_eq!(knock(&format!("rtsp://127.0.0.1:{rtsp_port}/Streaming/Channels/101")).await, Reachability::Online);
        assert_eq!(knock(&format!("rtsp://127.0.0.1:{http_port}/")).await, Reachability::Offline);
        assert_eq!(knock(&format!("rtsp://127.0.0.1:{closed_port}/")).await, Reachability::Offline);
    }
}
