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

use crate::camera::{self, RtspAddress};
use crate::clock::Clock;
use crate::store::Db;

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

/// One knock on a device's address (through the `Camera` seam); an address that does not parse
/// is offline.
pub async fn knock(rtsp_url: &str) -> Reachability {
    match RtspAddress::parse(rtsp_url) {
        Ok(address) => camera::at(address).knock().await,
        Err(_) => Reachability::Offline,
    }
}

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}
