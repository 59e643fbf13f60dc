//! The authority: the one place that decides what an account may do with a device, for every
//! function. It loads a device's facts once, asks the decision function ([`access::may`], called
//! from here and nowhere else), and hands back either a [`Permit`] or a [`Refusal`]. Routes ask it
//! before answering, tickets are issued only from a permit, the gate builds a media factory only
//! from a permit, and the gate's enforcer asks it whether each open permit still holds.
//!
//! What each refusal answers on the API is decided in one table, [`Refusal::into_api_error`].

use camshare_api::{
    AccountId, ApiError, DeviceId, ErrorKind, Function, ShareStatus, StreamKind, TicketPurpose, Timestamp,
};

use crate::access::{self, Decision, Denial, DeviceFacts, ShareFacts};
use crate::error::Result;
use crate::store::{devices, shares};

/// What a permit is for. Each purpose needs one function of the permission matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Watch one stream of the channel live.
    Live(StreamKind),
    /// Play the channel's recordings between two instants.
    Playback { from: Timestamp, to: Timestamp },
    /// Receive the channel's alarms and download their snapshots.
    Snapshot,
    /// Move the camera.
    Ptz,
    /// Talk through the camera's speaker.
    TwoWayAudio,
}

impl Purpose {
    /// The function of the permission matrix this purpose needs.
    pub fn function(self) -> Function {
        match self {
            Purpose::Live(_) => Function::LiveView,
            Purpose::Playback { .. } => Function::Playback,
            Purpose::Snapshot => Function::AlarmPush,
            Purpose::Ptz => Function::Ptz,
            Purpose::TwoWayAudio => Function::TwoWayAudio,
        }
    }

    /// The purpose that asks "may I use this function at all now?" (`GET /api/access`): live
    /// view of the main stream, or playback of the present instant, whose permit carries how far
    /// back recordings may be played.
    pub fn probing(function: Function, now: Timestamp) -> Purpose {
        match function {
            Function::LiveView => Purpose::Live(StreamKind::Main),
            Function::Playback => Purpose::Playback { from: now, to: now },
            Function::AlarmPush => Purpose::Snapshot,
            Function::Ptz => Purpose::Ptz,
            Function::TwoWayAudio => Purpose::TwoWayAudio,
        }
    }

    /// The purpose as a ticket carries it on the wire.
    pub fn to_wire(self) -> TicketPurpose {
        match self {
            Purpose::Live(stream) => TicketPurpose::Live { stream },
            Purpose::Playback { from, to } => TicketPurpose::Playback { from, to },
            Purpose::Snapshot => TicketPurpose::Snapshot,
            Purpose::Ptz => TicketPurpose::Ptz,
            Purpose::TwoWayAudio => TicketPurpose::TwoWayAudio,
        }
    }

    /// The purpose a ticket carries.
    pub fn from_wire(wire: TicketPurpose) -> Purpose {
        match wire {
            TicketPurpose::Live { stream } => Purpose::Live(stream),
            TicketPurpose::Playback { from, to } => Purpose::Playback { from, to },
            TicketPurpose::Snapshot => Purpose::Snapshot,
            TicketPurpose::Ptz => Purpose::Ptz,
            TicketPurpose::TwoWayAudio => Purpose::TwoWayAudio,
        }
    }
}

/// Permission, decided by the authority, for one account to use one channel of one device for
/// one purpose. Only this module makes permits, so holding one proves the decision was made;
/// whoever keeps one open (the gate) asks [`Permit::recheck`] whether it still holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    account: AccountId,
    device: DeviceId,
    owner: AccountId,
    channel: u16,
    purpose: Purpose,
    /// For playback: the earliest recorded instant allowed (`None`: no limit).
    earliest: Option<Timestamp>,
}

impl Permit {
    pub fn account(&self) -> AccountId {
        self.account
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// The device's owner, whose activity log hears of what recipients do.
    pub fn owner(&self) -> AccountId {
        self.owner
    }

    pub fn channel(&self) -> u16 {
        self.channel
    }

    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// Whether the permit's account owns the device.
    pub fn as_owner(&self) -> bool {
        self.account == self.owner
    }

    /// For playback, the earliest recorded instant this permit reaches (`None`: no limit).
    pub fn earliest(&self) -> Option<Timestamp> {
        self.earliest
    }

    /// Whether the same account may still do the same thing at `at`, given the device's current
    /// facts (`None`: the device is gone). A playback permit stops holding once the lookback
    /// limit has moved past the start of its range.
    pub fn recheck(&self, facts: Option<&AccessFacts>, at: Timestamp) -> Result<(), Refusal> {
        let facts = facts.ok_or(Refusal::UnknownDevice)?;
        facts.decide(self.account, self.channel, self.purpose, at).map(|_| ())
    }
}

/// Why the authority said no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The device does not exist, or the account neither owns it nor has an accepted share of
    /// it: it learns nothing about the device.
    UnknownDevice,
    /// The channel does not exist on the device.
    NoSuchChannel { device_name: String, channel_count: u16 },
    /// The decision function said no (the share's terms, channels or functions).
    Denied(Function, Denial),
    /// Playback that starts before the earliest instant the account's shares reach.
    BeforeLookback { earliest: Timestamp },
    /// Playback whose end is before its start.
    EmptyRange,
}

impl Refusal {
    /// The one table from refusals to API answers: an unknown device is `not_found` (never told
    /// apart from a device that does not exist), a channel that does not exist `invalid_input`,
    /// everything the share does not allow `forbidden`, with the reason in plain words.
    pub fn into_api_error(self) -> ApiError {
        let forbidden = |message: String| ApiError::new(ErrorKind::Forbidden, message);
        match self {
            Refusal::UnknownDevice => ApiError::not_found("device"),
            Refusal::NoSuchChannel { device_name, channel_count } => {
                let message = match channel_count {
                    1 => format!("{device_name} has one channel: channel 1"),
                    n => format!("{device_name} has channels 1 to {n}"),
                };
                ApiError::invalid("channel", message)
            }
            Refusal::Denied(_, Denial::Expired) => forbidden("this share has expired".into()),
            Refusal::Denied(function, Denial::OutsideSchedule) => {
                forbidden(format!("this share does not allow {} at this time of day", function.label()))
            }
            Refusal::Denied(_, Denial::ChannelNotShared) => forbidden("this channel is not shared with you".into()),
            Refusal::Denied(function, _) => {
                forbidden(format!("{} is not shared with you on this channel", function.label()))
            }
            Refusal::BeforeLookback { earliest } => {
                forbidden(format!("this share lets you play recordings from {earliest} on"))
            }
            Refusal::EmptyRange => ApiError::invalid("to", "the end of the range is before its start"),
        }
    }
}

/// Everything the authority needs to know about one device: its owner, channel count and name,
/// and its accepted shares. Loaded once, asked many times (the gate's enforcer re-checks every
/// open permit of a device against one load).
#[derive(Debug, Clone)]
pub struct AccessFacts {
    id: DeviceId,
    name: String,
    device: DeviceFacts,
    shares: Vec<ShareFacts>,
}

impl AccessFacts {
    /// Loads a device's facts; `None` if the device does not exist.
    pub async fn load(conn: &mut sqlx::AnyConnection, id: DeviceId) -> Result<Option<AccessFacts>> {
        let Some((device, name)) = devices::facts(&mut *conn, id).await? else { return Ok(None) };
        let shares = shares::facts(conn, id).await?;
        Ok(Some(AccessFacts { id, name, device, shares }))
    }

    /// Facts that did not come from the database (benchmarks; the property test's model).
    pub fn from_facts(id: DeviceId, name: String, device: DeviceFacts, shares: Vec<ShareFacts>) -> AccessFacts {
        AccessFacts { id, name, device, shares }
    }

    /// The device's name, for messages and the activity log.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the account owns the device or has an accepted share of it (expired or not, in
    /// schedule or not): only they learn anything about the device.
    pub fn knows(&self, account: AccountId) -> bool {
        access::is_owner(account, &self.device)
            || self.shares.iter().any(|s| s.recipient == Some(account) && s.status == ShareStatus::Accepted)
    }

    /// May `account` use `channel` for `purpose` at `at`?
    ///
    /// One pass over the shares: the decision function's own denials tell whether the account
    /// knows the device (`NoShare` and `NotAccepted`: it has no accepted share of it, so it is an
    /// unknown device to it); only a channel that does not exist needs `knows` asked apart,
    /// because the decision function checks the channel before anything else.
    pub fn decide(&self, account: AccountId, channel: u16, purpose: Purpose, at: Timestamp) -> Result<Permit, Refusal> {
        let function = purpose.function();
        let earliest = match access::may(account, &self.device, &self.shares, channel, function, at) {
            Decision::Owner => None,
            Decision::Granted { playback_since } => playback_since,
            Decision::Denied(Denial::NoShare | Denial::NotAccepted) => return Err(Refusal::UnknownDevice),
            Decision::Denied(Denial::NoSuchChannel) if !self.knows(account) => return Err(Refusal::UnknownDevice),
            // A recipient does not learn how many channels the device has: a channel that does
            // not exist reads like one not shared with them.
            Decision::Denied(Denial::NoSuchChannel) if !access::is_owner(account, &self.device) => {
                return Err(Refusal::Denied(function, Denial::ChannelNotShared));
            }
            Decision::Denied(Denial::NoSuchChannel) => {
                return Err(Refusal::NoSuchChannel {
                    device_name: self.name.clone(),
                    channel_count: self.device.channel_count,
                });
            }
            Decision::Denied(denial) => return Err(Refusal::Denied(function, denial)),
        };
        if let Purpose::Playback { from, to } = purpose {
            if to < from {
                return Err(Refusal::EmptyRange);
            }
            if let Some(earliest) = earliest.filter(|&earliest| from < earliest) {
                return Err(Refusal::BeforeLookback { earliest });
            }
        }
        Ok(Permit { account, device: self.id, owner: self.device.owner, channel, purpose, earliest })
    }
}

/// Loads the device's facts and decides; the whole of what a route needs. `Ok(Err(_))` is a
/// refusal, `Err(_)` a database failure.
pub async fn decide(
    pool: &sqlx::AnyPool,
    account: AccountId,
    device: DeviceId,
    channel: u16,
    purpose: Purpose,
    at: Timestamp,
) -> Result<Result<Permit, Refusal>> {
    decide_on(&mut *pool.acquire().await?, account, device, channel, purpose, at).await
}

/// As `decide`, on a connection the caller goes on using (the gate reads the camera login next).
pub async fn decide_on(
    conn: &mut sqlx::AnyConnection,
    account: AccountId,
    device: DeviceId,
    channel: u16,
    purpose: Purpose,
    at: Timestamp,
) -> Result<Result<Permit, Refusal>> {
    Ok(match AccessFacts::load(conn, device).await? {
        Some(facts) => facts.decide(account, channel, purpose, at),
        None => Err(Refusal::UnknownDevice),
    })
}

#[cfg(test)]
mod tests {
    use camshare_api::{ChannelGrants, FunctionSet, Lookback};

    use super::*;

    const OWNER: AccountId = AccountId(1);
    const BOB: AccountId = AccountId(2);
    const EVE: AccountId = AccountId(3);

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn nvr(lookback: Option<Lookback>, status: ShareStatus) -> AccessFacts {
        AccessFacts {
            id: DeviceId(7),
            name: "Garage NVR".into(),
            device: DeviceFacts { owner: OWNER, channel_count: 4 },
            shares: vec![ShareFacts {
                recipient: Some(BOB),
                status,
                grants: ChannelGrants::uniform([1], FunctionSet::ADMIN),
                expires_at: None,
                schedule: None,
                lookback,
                created_at: ts("2026-06-01T00:00:00Z"),
            }],
        }
    }

    #[test]
    fn strangers_learn_nothing_and_only_the_owner_learns_the_channel_count() {
        let at = ts("2026-06-02T00:00:00Z");
        let facts = nvr(None, ShareStatus::Accepted);
        assert_eq!(facts.decide(EVE, 1, Purpose::Ptz, at), Err(Refusal::UnknownDevice));
        assert_eq!(facts.decide(EVE, 9, Purpose::Ptz, at), Err(Refusal::UnknownDevice));
        // A recipient's missing channel reads exactly like an unshared one: no channel count.
        let missing = facts.decide(BOB, 9, Purpose::Ptz, at).unwrap_err().into_api_error();
        let unshared = facts.decide(BOB, 3, Purpose::Ptz, at).unwrap_err().into_api_error();
        assert_eq!(missing, unshared, "a recipient learns the channel count");
        let refusal = facts.decide(OWNER, 9, Purpose::Ptz, at).unwrap_err();
        assert!(matches!(refusal, Refusal::NoSuchChannel { channel_count: 4, .. }));
        assert_eq!(refusal.into_api_error().kind, ErrorKind::InvalidInput);
        assert_eq!(facts.decide(BOB, 2, Purpose::Ptz, at).unwrap_err().into_api_error().kind, ErrorKind::Forbidden);
    }

    #[test]
    fn playback_before_the_lookback_is_refused_and_the_permit_carries_the_limit() {
        let at = ts("2026-06-03T00:00:00Z");
        let facts = nvr(Some(Lookback::LastHours { hours: 24 }), ShareStatus::Accepted);
        let limit = ts("2026-06-02T00:00:00Z");
        let inside = Purpose::Playback { from: limit, to: at };
        assert_eq!(facts.decide(BOB, 1, inside, at).unwrap().earliest(), Some(limit));
        let before = Purpose::Playback { from: ts("2026-06-01T23:59:59Z"), to: at };
        assert_eq!(facts.decide(BOB, 1, before, at), Err(Refusal::BeforeLookback { earliest: limit }));
        let backwards = Purpose::Playback { from: at, to: limit };
        assert_eq!(facts.decide(BOB, 1, backwards, at), Err(Refusal::EmptyRange));
        // The owner has no limit.
        let permit = facts.decide(OWNER, 1, before, at).unwrap();
        assert!(permit.as_owner() && permit.earliest().is_none());
    }

    #[test]
    fn a_permit_stops_holding_when_the_lookback_moves_past_its_start() {
        let facts = nvr(Some(Lookback::LastHours { hours: 1 }), ShareStatus::Accepted);
        let at = ts("2026-06-03T00:00:00Z");
        let purpose = Purpose::Playback { from: ts("2026-06-02T23:30:00Z"), to: at };
        let permit = facts.decide(BOB, 1, purpose, at).unwrap();
        assert_eq!(permit.recheck(Some(&facts), ts("2026-06-03T00:20:00Z")), Ok(()));
        assert!(matches!(
            permit.recheck(Some(&facts), ts("2026-06-03T00:40:00Z")),
            Err(Refusal::BeforeLookback { .. })
        ));
        assert_eq!(permit.recheck(None, at), Err(Refusal::UnknownDevice));
    }

    #[test]
    fn a_pending_share_reveals_nothing() {
        let at = ts("2026-06-02T00:00:00Z");
        let facts = nvr(None, ShareStatus::Pending);
        assert_eq!(facts.decide(BOB, 1, Purpose::Live(StreamKind::Sub), at), Err(Refusal::UnknownDevice));
    }

    #[test]
    fn wire_purposes_round_trip() {
        let at = ts("2026-06-02T00:00:00Z");
        for purpose in [
            Purpose::Live(StreamKind::Main),
            Purpose::Live(StreamKind::Sub),
            Purpose::Playback { from: at, to: at },
            Purpose::Snapshot,
            Purpose::Ptz,
            Purpose::TwoWayAudio,
        ] {
            assert_eq!(Purpose::from_wire(purpose.to_wire()), purpose);
        }
    }
}
