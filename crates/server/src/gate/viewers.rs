//! Open viewers and the rule that ends them: every viewer's permit is re-checked by the authority
//! after each committed change and every 250 ms (expiry, schedule windows); a viewer whose permit
//! no longer holds is closed at once, and so is one whose device's facts could not be read for
//! 2 s (the gate fails closed), and so is one whose session has ended (signed out, a password
//! change, account deletion). Opening and closing go into the owner's activity log.
//! (A *viewer* is one RTSP connection that claimed a ticket; a *session* is a signed-in login.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use camshare_api::{AccountId, ActivityKind, DeviceId};
use gstreamer::glib;
use gstreamer::glib::object::ObjectExt;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;

use super::GateShared;
use crate::permits::{AccessFacts, Permit, Purpose};
use crate::store::activity::{self, NewActivity};
use crate::store::{devices, recipients};

/// How often viewers are re-checked when nothing was written (expiry and schedule ends).
const TICK: Duration = Duration::from_millis(250);
/// How often the facts are re-read even without a change signal (another server process wrote).
const RELOAD: Duration = Duration::from_secs(2);
/// How long a viewer stays open while its device's facts cannot be read (the database is down,
/// or too slow): then it is closed — the gate fails closed, not open.
const UNCHECKED_AT_MOST: Duration = Duration::from_secs(2);
/// How long one reading of a device's facts may take before it counts as failed.
const LOAD_TIMEOUT: Duration = Duration::from_secs(1);

/// One viewer connection that claimed a ticket, and the permit it was given.
struct Viewer {
    client: glib::WeakRef<rtsp::RTSPClient>,
    ticket_hash: String,
    permit: Permit,
    /// The signed-in session its ticket was issued to: the viewer ends with it.
    session: Option<i64>,
    opened: Instant,
    /// Why the gate closed it, once it did.
    ended_because: Option<&'static str>,
}

/// Every open viewer, by connection.
#[derive(Default)]
pub struct Viewers {
    open: Mutex<HashMap<usize, Viewer>>,
}

fn key_of(client: &rtsp::RTSPClient) -> usize {
    client.as_ptr() as usize
}

impl Viewers {
    pub fn len(&self) -> usize {
        self.open.lock().expect("viewers lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The permit this connection was given for this ticket, if it was.
    pub(crate) fn permit_of(&self, client: &rtsp::RTSPClient, ticket_hash: &str) -> Option<Permit> {
        let open = self.open.lock().expect("viewers lock");
        open.get(&key_of(client)).filter(|v| v.ticket_hash == ticket_hash).map(|v| v.permit)
    }

    /// How many viewers the account has open (viewers the gate is closing still count).
    pub(crate) fn count_of(&self, account: AccountId) -> usize {
        self.open.lock().expect("viewers lock").values().filter(|v| v.permit.account() == account).count()
    }

    /// Whether this connection already claimed a ticket.
    pub(crate) fn is_bound(&self, client: &rtsp::RTSPClient) -> bool {
        self.open.lock().expect("viewers lock").contains_key(&key_of(client))
    }

    /// Records a connection that claimed a ticket; logs "started watching" for recipients, and
    /// "stopped watching" when the connection closes.
    pub(crate) fn open(
        &self,
        shared: &Arc<GateShared>,
        client: &rtsp::RTSPClient,
        ticket_hash: String,
        permit: Permit,
        session: Option<i64>,
    ) {
        let key = key_of(client);
        let viewer = Viewer {
            client: client.downgrade(),
            ticket_hash,
            permit,
            session,
            opened: Instant::now(),
            ended_because: None,
        };
        self.open.lock().expect("viewers lock").insert(key, viewer);
        let weak = Arc::downgrade(shared);
        client.connect_closed(move |_| {
            let Some(shared) = weak.upgrade() else { return };
            let closed = shared.viewers.open.lock().expect("viewers lock").remove(&key);
            if let Some(viewer) = closed {
                let reason = viewer.ended_because.unwrap_or("the viewer disconnected");
                let detail = format!("{}, {}; {reason}", what(&viewer.permit), how_long(viewer.opened.elapsed()));
                log(&shared, ActivityKind::StreamClosed, viewer.permit, detail);
            }
        });
        log(shared, ActivityKind::StreamOpened, permit, what(&permit));
    }

    /// Closes every viewer of the owner's devices, the owner's own included; returns how many.
    pub(crate) fn close_of_owner(&self, shared: &GateShared, owner: AccountId, because: &'static str) -> usize {
        let keys: Vec<usize> = {
            let open = self.open.lock().expect("viewers lock");
            open.iter()
                .filter(|(_, v)| v.ended_because.is_none() && v.permit.owner() == owner)
                .map(|(k, _)| *k)
                .collect()
        };
        for &key in &keys {
            self.close(shared, key, because);
        }
        keys.len()
    }

    /// Closes every viewer (the gate is stopping).
    pub(crate) fn close_all(&self, shared: &GateShared) {
        let keys: Vec<usize> = self.open.lock().expect("viewers lock").keys().copied().collect();
        for key in keys {
            self.close(shared, key, "the server stopped");
        }
    }

    /// Closes one connection from the gate's own thread; the client sees the connection end.
    fn close(&self, shared: &GateShared, key: usize, because: &'static str) {
        let client = {
            let mut open = self.open.lock().expect("viewers lock");
            let Some(viewer) = open.get_mut(&key) else { return };
            viewer.ended_because = Some(because);
            viewer.client.upgrade()
        };
        match client {
            Some(client) => shared.context.invoke(move || client.close()),
            None => {
                self.open.lock().expect("viewers lock").remove(&key);
            }
        }
    }

    fn snapshot(&self) -> Vec<(usize, Permit, Option<i64>)> {
        let open = self.open.lock().expect("viewers lock");
        open.iter().filter(|(_, v)| v.ended_because.is_none()).map(|(k, v)| (*k, v.permit, v.session)).collect()
    }
}

/// What a viewer watched, for the activity log: `channel 2 (sub stream)`.
fn what(permit: &Permit) -> String {
    match permit.purpose() {
        Purpose::Live(stream) => format!("channel {} ({} stream)", permit.channel(), stream.as_str()),
        other => format!("channel {} ({})", permit.channel(), other.to_wire().name()),
    }
}

fn how_long(elapsed: Duration) -> String {
    let s = elapsed.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s / 60 % 60),
    }
}

/// Writes a stream entry to the owner's activity log, for recipients' viewers only (the owner
/// watching their own cameras is not news to them). In the background: the gate never waits.
fn log(shared: &Arc<GateShared>, kind: ActivityKind, permit: Permit, detail: String) {
    if permit.as_owner() {
        return;
    }
    let shared = shared.clone();
    let now = shared.clock.now();
    shared.runtime.clone().spawn(async move {
        let written = async {
            let mut conn = shared.db.pool.acquire().await?;
            let Some((_, device_name)) = devices::facts(&mut conn, permit.device()).await? else { return Ok(()) };
            let recipient = recipients::describe_account(&mut conn, permit.owner(), permit.account()).await?;
            let entry = NewActivity {
                owner: permit.owner(),
                kind,
                device: Some(permit.device()),
                device_name: &device_name,
                share: None,
                recipient,
                detail: Some(detail),
            };
            activity::insert(&mut conn, entry, now).await
        };
        if let Err(e) = written.await {
            tracing::warn!(error = %e, "gate: cannot write a stream entry to the activity log");
        }
    });
}

/// Runs for the gate's life: re-checks every open viewer's permit when something was written,
/// and on every tick, and closes those that no longer hold; stops idle upstreams.
pub(crate) async fn enforce(shared: Arc<GateShared>) {
    let mut writes = shared.db.hub.subscribe_writes();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut facts: HashMap<DeviceId, Option<AccessFacts>> = HashMap::new();
    // When each device's facts were last read successfully (or, before that, first needed).
    let mut checked: HashMap<DeviceId, Instant> = HashMap::new();
    let mut loaded = Instant::now();
    loop {
        let changed = tokio::select! {
            changed = writes.changed() => {
                if changed.is_err() {
                    return;
                }
                true
            }
            _ = tick.tick() => false,
        };
        let open = shared.viewers.snapshot();
        if open.is_empty() {
            facts.clear();
            checked.clear();
        } else {
            if changed || loaded.elapsed() >= RELOAD {
                facts.clear();
                loaded = Instant::now();
            }
            let now = shared.clock.now();
            if facts.is_empty() {
                // A fresh reading: also whether each viewer's session still exists.
                end_viewers_of_ended_sessions(&shared, &open).await;
            }
            for (key, permit, _) in open {
                let device = permit.device();
                if let std::collections::hash_map::Entry::Vacant(slot) = facts.entry(device) {
                    match tokio::time::timeout(LOAD_TIMEOUT, load(&shared, device)).await {
                        Ok(Ok(f)) => {
                            slot.insert(f);
                            checked.insert(device, Instant::now());
                        }
                        failed => {
                            let since = *checked.entry(device).or_insert_with(Instant::now);
                            let why = match failed {
                                Ok(Err(e)) => e.to_string(),
                                _ => "it took too long".to_string(),
                            };
                            if since.elapsed() >= UNCHECKED_AT_MOST {
                                tracing::warn!(error = %why, "gate: access cannot be checked; closing the viewer");
                                shared.viewers.close(&shared, key, "access could not be checked");
                            } else {
                                tracing::warn!(error = %why, "gate: cannot re-check a viewer; will retry");
                            }
                            continue;
                        }
                    }
                }
                let current = facts[&device].as_ref();
                if permit.recheck(current, now).is_err() {
                    let because = match current {
                        None => {
                            shared.relays.forget_device(device);
                            "the device was deleted"
                        }
                        Some(_) => "access ended",
                    };
                    shared.viewers.close(&shared, key, because);
                }
            }
        }
        shared.relays.reap_idle();
    }
}

/// Closes the viewers whose session has ended (signed out, ended by a password change or reset,
/// by a reused refresh token, or with its account). A failed reading closes nothing here; the
/// device facts' reading, which fails with it, closes them after its grace.
async fn end_viewers_of_ended_sessions(shared: &GateShared, open: &[(usize, Permit, Option<i64>)]) {
    let mut ids: Vec<i64> = open.iter().filter_map(|(_, _, s)| *s).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return;
    }
    // Ids are numbers the server produced, so listing them inline is safe.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let query = format!("SELECT id FROM sessions WHERE id IN ({list})");
    let live: Vec<i64> =
        match tokio::time::timeout(LOAD_TIMEOUT, sqlx::query_scalar(&query).fetch_all(&shared.db.pool)).await {
            Ok(Ok(live)) => live,
            _ => return,
        };
    for (key, _, session) in open {
        if session.is_some_and(|s| !live.contains(&s)) {
            shared.viewers.close(shared, *key, "its session ended");
        }
    }
}

async fn load(shared: &GateShared, device: DeviceId) -> crate::error::Result<Option<AccessFacts>> {
    let mut conn = shared.db.pool.acquire().await?;
    AccessFacts::load(&mut conn, device).await
}
