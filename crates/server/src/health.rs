//! Device reachability: is the camera or NVR answering? The server knocks on every device's RTSP
//! service with an `OPTIONS` request (no credentials needed, no stream opened) on a fixed
//! interval, and at once when a device is added or its address changes. The answers live in
//! memory only: after a restart every device reads `unchecked` until its first check.
//!
//! The owner's device list shows the result; the live view has its own, faster signal (a tile
//! goes "camera offline" when frames stop).
//!
//! Every knock goes through the camera network policy (`camera::reach`). Because an account
//! chooses the address, the check must not become a port scanner: only an RTSP answer counts as
//! online, and an "offline" answer to a check started by an add or edit is shown no sooner than
//! the longest a check can take, so its timing does not tell a closed port from a filtered one.
//! An account has at most [`CHECKS_IN_FLIGHT_PER_ACCOUNT`] such checks running; more wait for
//! the next round.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use camshare_api::{AccountId, Device, DeviceId, Reachability, ShareStatus, SharedDevice, Timestamp};
use futures::StreamExt;

use crate::camera::{self, NetworkPolicy, RtspAddress};
use crate::clock::Clock;
use crate::store::Db;

/// How many devices are knocked on at the same time.
const PARALLEL_KNOCKS: usize = 16;

/// How many add/edit checks one account may have running at once.
pub const CHECKS_IN_FLIGHT_PER_ACCOUNT: usize = 4;

/// How many add/edit checks may run at once, all accounts together.
const CHECKS_IN_FLIGHT: usize = 64;

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
    /// Add/edit checks running, by account.
    in_flight: Arc<Mutex<HashMap<AccountId, usize>>>,
    policy: Arc<NetworkPolicy>,
    /// Off in most tests, whose made-up camera addresses must not be contacted.
    enabled: bool,
}

impl DeviceHealth {
    /// Remembers answers; `enabled: false` makes `check_soon` do nothing (see `Config`).
    pub fn new(enabled: bool, policy: Arc<NetworkPolicy>) -> DeviceHealth {
        DeviceHealth { seen: Arc::default(), in_flight: Arc::default(), policy, enabled }
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

    /// Fills in a shared device's state from the last check of that device — only for a share
    /// the recipient accepted and that has not expired: an open invite, or a share that ended,
    /// tells nothing of whether the owner's devices are up. Recipients never see the address, so
    /// this does not compare it: for the few seconds after the owner moves a device, a recipient
    /// may still see the answer for the old address.
    pub fn annotate_shared(&self, device: &mut SharedDevice, now: Timestamp) {
        device.reachability = Reachability::Unchecked;
        device.checked_at = None;
        let in_force = device.status == ShareStatus::Accepted && device.terms.expires_at.is_none_or(|end| end > now);
        if !in_force {
            return;
        }
        let seen = self.seen.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(s) = seen.get(&device.device) {
            device.reachability = s.reachability;
            device.checked_at = Some(s.checked_at);
        }
    }

    /// Knocks on one device now, in the background (after its owner added it or changed its
    /// address), unless the owner already has [`CHECKS_IN_FLIGHT_PER_ACCOUNT`] running (then the
    /// next round checks it). An offline answer is recorded no sooner than
    /// [`camera::LONGEST_CHECK`] after the start.
    pub fn check_soon(&self, owner: AccountId, device: DeviceId, rtsp_url: String, clock: Arc<dyn Clock>) {
        if !self.enabled || !self.start_check(owner) {
            return;
        }
        let health = self.clone();
        tokio::spawn(async move {
            let started = tokio::time::Instant::now();
            let reachability = knock(&health.policy, &rtsp_url).await;
            if reachability != Reachability::Online {
                tokio::time::sleep_until(started + camera::LONGEST_CHECK).await;
            }
            health.record(device, &rtsp_url, reachability, clock.now());
            health.end_check(owner);
        });
    }

    /// Counts a check in, if the account and the server have room for it.
    fn start_check(&self, owner: AccountId) -> bool {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let total: usize = in_flight.values().sum();
        let mine = in_flight.entry(owner).or_default();
        if *mine >= CHECKS_IN_FLIGHT_PER_ACCOUNT || total >= CHECKS_IN_FLIGHT {
            return false;
        }
        *mine += 1;
        true
    }

    fn end_check(&self, owner: AccountId) {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(mine) = in_flight.get_mut(&owner) {
            *mine -= 1;
            if *mine == 0 {
                in_flight.remove(&owner);
            }
        }
    }

    /// How many add/edit checks the account has running (for tests of the cap).
    pub fn checks_in_flight(&self, owner: AccountId) -> usize {
        let in_flight = self.in_flight.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        in_flight.get(&owner).copied().unwrap_or(0)
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
            let policy = &self.policy;
            let answers: Vec<(DeviceId, String, Reachability)> = futures::stream::iter(devices)
                .map(|(device, url)| async move {
                    let reachability = knock(policy, &url).await;
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

/// One knock on a device's address (through the `Camera` seam and the network policy); an
/// address that does not parse, does not resolve or is refused by the policy is offline.
pub async fn knock(policy: &NetworkPolicy, rtsp_url: &str) -> Reachability {
    let Ok(address) = RtspAddress::parse(rtsp_url) else { return Reachability::Offline };
    match camera::reach(policy, address).await {
        Ok(camera) => camera.knock().await,
        Err(why) => {
            tracing::info!(%why, "device check: not connecting");
            Reachability::Offline
        }
    }
}

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}
