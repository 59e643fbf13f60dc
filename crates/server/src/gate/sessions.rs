//! Open viewer sessions and the rule that ends them: every session is re-decided after each
//! committed change and every 250 ms (expiry, schedule windows); a session the decision function
//! no longer allows is closed at once. Opening and closing go into the owner's activity log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use camshare_api::{AccountId, ActivityKind, DeviceId, Function, Timestamp};
use gstreamer::glib;
use gstreamer::glib::object::ObjectExt;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;

use super::GateShared;
use crate::access::{self, Decision, DeviceFacts, ShareFacts};
use crate::store::activity::{self, NewActivity};
use crate::store::tickets::TicketGrant;
use crate::store::{devices, shares};

/// How often sessions are re-decided when nothing was written (expiry and schedule ends).
const TICK: Duration = Duration::from_millis(250);
/// How often the facts are re-read even without a change signal (another server process wrote).
const RELOAD: Duration = Duration::from_secs(2);

/// One viewer connection that claimed a ticket.
struct Session {
    client: glib::WeakRef<rtsp::RTSPClient>,
    ticket_hash: String,
    grant: TicketGrant,
    owner: AccountId,
    opened: Instant,
    /// Why the gate closed it, once it did.
    ended_because: Option<&'static str>,
}

/// Every open session, by connection.
#[derive(Default)]
pub struct Sessions {
    open: Mutex<HashMap<usize, Session>>,
}

fn key_of(client: &rtsp::RTSPClient) -> usize {
    client.as_ptr() as usize
}

impl Sessions {
    pub fn len(&self) -> usize {
        self.open.lock().expect("sessions lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The grant this connection claimed with this ticket, if it did.
    pub(crate) fn grant_of(&self, client: &rtsp::RTSPClient, ticket_hash: &str) -> Option<TicketGrant> {
        let open = self.open.lock().expect("sessions lock");
        open.get(&key_of(client)).filter(|s| s.ticket_hash == ticket_hash).map(|s| s.grant)
    }

    /// Whether this connection already claimed a ticket.
    pub(crate) fn is_bound(&self, client: &rtsp::RTSPClient) -> bool {
        self.open.lock().expect("sessions lock").contains_key(&key_of(client))
    }

    /// Records a connection that claimed a ticket; logs "started watching" for recipients, and
    /// "stopped watching" when the connection closes.
    pub(crate) fn open(
        &self,
        shared: &Arc<GateShared>,
        client: &rtsp::RTSPClient,
        ticket_hash: String,
        grant: TicketGrant,
        owner: AccountId,
    ) {
        let key = key_of(client);
        let session = Session {
            client: client.downgrade(),
            ticket_hash,
            grant,
            owner,
            opened: Instant::now(),
            ended_because: None,
        };
        self.open.lock().expect("sessions lock").insert(key, session);
        let weak = Arc::downgrade(shared);
        client.connect_closed(move |_| {
            let Some(shared) = weak.upgrade() else { return };
            let closed = shared.sessions.open.lock().expect("sessions lock").remove(&key);
            if let Some(session) = closed {
                let reason = session.ended_because.unwrap_or("the viewer disconnected");
                let detail = format!(
                    "channel {} ({} stream), {}; {reason}",
                    session.grant.channel,
                    session.grant.stream.as_str(),
                    how_long(session.opened.elapsed())
                );
                log(&shared, ActivityKind::StreamClosed, session.grant, session.owner, Some(detail));
            }
        });
        let detail = format!("channel {} ({} stream)", grant.channel, grant.stream.as_str());
        log(shared, ActivityKind::StreamOpened, grant, owner, Some(detail));
    }

    /// Closes every session (the gate is stopping).
    pub(crate) fn close_all(&self, shared: &GateShared) {
        let keys: Vec<usize> = self.open.lock().expect("sessions lock").keys().copied().collect();
        for key in keys {
            self.close(shared, key, "the server stopped");
        }
    }

    /// Closes one connection from the gate's own thread; the client sees the connection end.
    fn close(&self, shared: &GateShared, key: usize, because: &'static str) {
        let client = {
            let mut open = self.open.lock().expect("sessions lock");
            let Some(session) = open.get_mut(&key) else { return };
            session.ended_because = Some(because);
            session.client.upgrade()
        };
        match client {
            Some(client) => shared.context.invoke(move || client.close()),
            None => {
                self.open.lock().expect("sessions lock").remove(&key);
            }
        }
    }

    fn snapshot(&self) -> Vec<(usize, TicketGrant)> {
        let open = self.open.lock().expect("sessions lock");
        open.iter().filter(|(_, s)| s.ended_because.is_none()).map(|(k, s)| (*k, s.grant)).collect()
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

/// Writes a stream entry to the owner's activity log, for recipients' sessions only (the owner
/// watching their own cameras is not news to them). In the background: the gate never waits.
fn log(shared: &Arc<GateShared>, kind: ActivityKind, grant: TicketGrant, owner: AccountId, detail: Option<String>) {
    if grant.account == owner {
        return;
    }
    let shared = shared.clone();
    let now = shared.clock.now();
    shared.runtime.clone().spawn(async move {
        let written = async {
            let mut conn = shared.db.pool.acquire().await?;
            let Some((_, device_name)) = devices::facts(&mut conn, grant.device).await? else { return Ok(()) };
            let recipient: Option<(String, Option<String>)> = sqlx::query_as(
                "SELECT address, remark FROM recipients WHERE owner_id = $1 AND account_id = $2 ORDER BY id LIMIT 1",
            )
            .bind(owner.0)
            .bind(grant.account.0)
            .fetch_optional(&mut *conn)
            .await?;
            let recipient = recipient.map(|(address, remark)| crate::sharing::describe(&address, remark.as_deref()));
            let entry = NewActivity {
                owner,
                kind,
                device: Some(grant.device),
                device_name: &device_name,
                share: None,
                recipient,
                detail,
            };
            activity::insert(&mut conn, entry, now).await
        };
        if let Err(e) = written.await {
            tracing::warn!(error = %e, "gate: cannot write a stream entry to the activity log");
        }
    });
}

/// A device's owner and shares, as the decision function needs them; `None`: the device is gone.
pub(super) type Facts = Option<(DeviceFacts, Vec<ShareFacts>)>;

pub(super) async fn load_facts(shared: &GateShared, device: DeviceId) -> crate::error::Result<Facts> {
    let mut conn = shared.db.pool.acquire().await?;
    let Some((facts, _)) = devices::facts(&mut conn, device).await? else { return Ok(None) };
    Ok(Some((facts, shares::facts(&mut conn, device).await?)))
}

/// Why a session may no longer run, or `None` if it may.
pub(super) fn verdict(facts: &Facts, grant: TicketGrant, now: Timestamp) -> Option<&'static str> {
    let Some((device, shares)) = facts else { return Some("the device was deleted") };
    match access::may(grant.account, device, shares, grant.channel, Function::LiveView, now) {
        Decision::Owner | Decision::Granted { .. } => None,
        Decision::Denied(_) => Some("access ended"),
    }
}

/// Runs for the gate's life: re-decides every open session when something was written, and on
/// every tick, and closes those no longer allowed; stops idle upstreams.
pub(crate) async fn enforce(shared: Arc<GateShared>) {
    let mut writes = shared.db.hub.subscribe_writes();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut facts: HashMap<DeviceId, Facts> = HashMap::new();
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
        let open = shared.sessions.snapshot();
        if open.is_empty() {
            facts.clear();
        } else {
            if changed || loaded.elapsed() >= RELOAD {
                facts.clear();
                loaded = Instant::now();
            }
            let now = shared.clock.now();
            for (key, grant) in open {
                if let std::collections::hash_map::Entry::Vacant(slot) = facts.entry(grant.device) {
                    match load_facts(&shared, grant.device).await {
                        Ok(f) => {
                            slot.insert(f);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "gate: cannot re-check a session; will retry");
                            continue;
                        }
                    }
                }
                if let Some(because) = verdict(&facts[&grant.device], grant, now) {
                    if facts[&grant.device].is_none() {
                        shared.relays.forget_device(grant.device);
                    }
                    shared.sessions.close(&shared, key, because);
                }
            }
        }
        shared.relays.reap_idle();
    }
}
