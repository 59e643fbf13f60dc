//! The decision function: one pure answer to "may this account use this function on this
//! channel of this device, at this instant?". The authority (`permits.rs`) asks it for every
//! route and for the media gate; nothing re-implements it. It reads only the facts handed to
//! it, so it is fast, deterministic, and checked against a plain model by a property test
//! (`tests/access_model.rs`).

use camshare_api::{AccountId, ChannelGrants, Function, Lookback, Schedule, ShareStatus, Timestamp, Weekday};
use jiff::tz::TimeZone;

/// What the decision needs to know about a device.
#[derive(Debug, Clone)]
pub struct DeviceFacts {
    pub owner: AccountId,
    pub channel_count: u16,
}

/// A schedule whose time zone has been looked up, so the decision does no I/O.
#[derive(Debug, Clone)]
pub struct ResolvedSchedule {
    pub time_zone: TimeZone,
    pub schedule: Schedule,
}

impl ResolvedSchedule {
    /// Looks the time zone up in the tz database; `None` if the name is unknown.
    pub fn resolve(schedule: &Schedule) -> Option<ResolvedSchedule> {
        let time_zone = TimeZone::get(&schedule.time_zone).ok()?;
        Some(ResolvedSchedule { time_zone, schedule: schedule.clone() })
    }

    /// Like `resolve`, but an unknown time zone yields a schedule that never covers: a share
    /// whose schedule cannot be read grants nothing rather than everything.
    pub fn resolve_or_closed(schedule: &Schedule) -> ResolvedSchedule {
        ResolvedSchedule::resolve(schedule).unwrap_or_else(|| ResolvedSchedule {
            time_zone: TimeZone::UTC,
            schedule: Schedule { time_zone: "UTC".into(), windows: Vec::new() },
        })
    }

    fn covers(&self, at: Timestamp) -> bool {
        let local = at.to_zoned(self.time_zone.clone());
        let Some(day) = Weekday::from_iso(local.weekday().to_monday_one_offset()) else {
            return false;
        };
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        self.schedule.covers(day, minute)
    }
}

/// What the decision needs to know about one share of the device.
#[derive(Debug, Clone)]
pub struct ShareFacts {
    /// The recipient's account, once it exists.
    pub recipient: Option<AccountId>,
    /// The stored status (`pending` is never `invite_expired` here: pending grants nothing anyway).
    pub status: ShareStatus,
    pub grants: ChannelGrants,
    pub expires_at: Option<Timestamp>,
    pub schedule: Option<ResolvedSchedule>,
    pub lookback: Option<Lookback>,
    pub created_at: Timestamp,
}

/// Why access was refused. The authority (`permits.rs`) turns each into the answer a client gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    NoSuchChannel,
    NoShare,
    NotAccepted,
    Expired,
    OutsideSchedule,
    ChannelNotShared,
    FunctionNotGranted,
}

/// The answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The account owns the device: everything is allowed, recordings without limit.
    Owner,
    /// A share allows it. For playback, recordings from `playback_since` on (None: no limit).
    Granted {
        playback_since: Option<Timestamp>,
    },
    Denied(Denial),
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        !matches!(self, Decision::Denied(_))
    }
}

/// Whether `account` owns the device: the only one who may manage or share it.
pub fn is_owner(account: AccountId, device: &DeviceFacts) -> bool {
    device.owner == account
}

/// May `account` use `function` on `channel` of the device at `at`, given the device's shares?
///
/// Several shares of one device may reach one account (an owner who shared once by email and
/// once by phone number); access is their union, and playback reaches as far back as the most
/// generous of them.
pub fn may(
    account: AccountId,
    device: &DeviceFacts,
    shares: &[ShareFacts],
    channel: u16,
    function: Function,
    at: Timestamp,
) -> Decision {
    if channel == 0 || channel > device.channel_count {
        return Decision::Denied(Denial::NoSuchChannel);
    }
    if is_owner(account, device) {
        return Decision::Owner;
    }
    let mut best: Option<Decision> = None;
    let mut denial = Denial::NoShare;
    for share in shares.iter().filter(|s| s.recipient == Some(account)) {
        match share_allows(share, channel, function, at) {
            Ok(playback_since) => {
                best = Some(match best {
                    Some(Decision::Granted { playback_since: earlier }) => {
                        Decision::Granted { playback_since: most_generous(earlier, playback_since) }
                    }
                    _ => Decision::Granted { playback_since },
                });
            }
            Err(d) => denial = denial.max_specific(d),
        }
    }
    best.unwrap_or(Decision::Denied(denial))
}

/// Checks one share; on success returns the earliest recording time playback may reach.
fn share_allows(
    share: &ShareFacts,
    channel: u16,
    function: Function,
    at: Timestamp,
) -> Result<Option<Timestamp>, Denial> {
    if share.status != ShareStatus::Accepted {
        return Err(Denial::NotAccepted);
    }
    if share.expires_at.is_some_and(|end| at >= end) {
        return Err(Denial::Expired);
    }
    let functions = share.grants.get(channel);
    if functions.is_empty() {
        return Err(Denial::ChannelNotShared);
    }
    if !functions.contains(function) {
        return Err(Denial::FunctionNotGranted);
    }
    if share.schedule.as_ref().is_some_and(|s| !s.covers(at)) {
        return Err(Denial::OutsideSchedule);
    }
    Ok(match (function, share.lookback) {
        (Function::Playback, Some(Lookback::SinceShareStart)) => Some(share.created_at),
        (Function::Playback, Some(Lookback::LastHours { hours })) => {
            Some(at - jiff::SignedDuration::from_hours(i64::from(hours)))
        }
        _ => None,
    })
}

/// The earlier of two playback limits, where `None` (no limit) beats any instant.
fn most_generous(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => None,
    }
}

impl Denial {
    /// When several shares refuse for different reasons, report the one closest to allowing.
    fn max_specific(self, other: Denial) -> Denial {
        if other.rank() > self.rank() { other } else { self }
    }

    fn rank(self) -> u8 {
        match self {
            Denial::NoSuchChannel => 0,
            Denial::NoShare => 1,
            Denial::NotAccepted => 2,
            Denial::Expired => 3,
            Denial::ChannelNotShared => 4,
            Denial::FunctionNotGranted => 5,
            Denial::OutsideSchedule => 6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use camshare_api::{FunctionSet, ScheduleWindow};

    const OWNER: AccountId = AccountId(1);
    const BOB: AccountId = AccountId(2);
    const EVE: AccountId = AccountId(3);

    fn nvr() -> DeviceFacts {
        DeviceFacts { owner: OWNER, channel_count: 4 }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn accepted(grants: ChannelGrants) -> ShareFacts {
        ShareFacts {
            recipient: Some(BOB),
            status: ShareStatus::Accepted,
            grants,
            expires_at: None,
            schedule: None,
            lookback: None,
            created_at: ts("2026-01-01T00:00:00Z"),
        }
    }

    #[test]
    fn owner_may_do_everything_on_existing_channels() {
        let at = ts("2026-06-01T12:00:00Z");
        assert_eq!(may(OWNER, &nvr(), &[], 4, Function::Ptz, at), Decision::Owner);
        assert_eq!(may(OWNER, &nvr(), &[], 5, Function::Ptz, at), Decision::Denied(Denial::NoSuchChannel));
    }

    #[test]
    fn recipient_gets_exactly_the_granted_functions_on_granted_channels() {
        let at = ts("2026-06-01T12:00:00Z");
        let share = accepted(ChannelGrants::uniform([1, 3], FunctionSet::GUEST));
        let shares = [share];
        assert!(may(BOB, &nvr(), &shares, 1, Function::LiveView, at).is_allowed());
        assert_eq!(may(BOB, &nvr(), &shares, 1, Function::Playback, at), Decision::Denied(Denial::FunctionNotGranted));
        assert_eq!(may(BOB, &nvr(), &shares, 2, Function::LiveView, at), Decision::Denied(Denial::ChannelNotShared));
        assert_eq!(may(EVE, &nvr(), &shares, 1, Function::LiveView, at), Decision::Denied(Denial::NoShare));
    }

    #[test]
    fn pending_and_expired_shares_grant_nothing() {
        let mut share = accepted(ChannelGrants::uniform([1], FunctionSet::ADMIN));
        share.status = ShareStatus::Pending;
        let at = ts("2026-06-01T12:00:00Z");
        assert_eq!(
            may(BOB, &nvr(), &[share.clone()], 1, Function::LiveView, at),
            Decision::Denied(Denial::NotAccepted)
        );
        share.status = ShareStatus::Accepted;
        share.expires_at = Some(at);
        assert_eq!(may(BOB, &nvr(), &[share], 1, Function::LiveView, at), Decision::Denied(Denial::Expired));
    }

    #[test]
    fn schedule_is_read_in_the_owners_time_zone() {
        let mut share = accepted(ChannelGrants::uniform([1], FunctionSet::GUEST));
        let schedule = Schedule {
            time_zone: "Asia/Shanghai".into(),
            windows: vec![ScheduleWindow::parse("mon-fri 09:00-17:00").unwrap()],
        };
        share.schedule = ResolvedSchedule::resolve(&schedule);
        let shares = [share];
        // Monday 2026-06-01 02:00 UTC is 10:00 in Shanghai.
        assert!(may(BOB, &nvr(), &shares, 1, Function::LiveView, ts("2026-06-01T02:00:00Z")).is_allowed());
        // 12:00 UTC is 20:00 in Shanghai.
        assert_eq!(
            may(BOB, &nvr(), &shares, 1, Function::LiveView, ts("2026-06-01T12:00:00Z")),
            Decision::Denied(Denial::OutsideSchedule)
        );
        // Saturday.
        assert!(!may(BOB, &nvr(), &shares, 1, Function::LiveView, ts("2026-06-06T02:00:00Z")).is_allowed());
    }

    #[test]
    fn lookback_limits_playback_and_the_most_generous_share_wins() {
        let at = ts("2026-06-03T00:00:00Z");
        let mut by_email = accepted(ChannelGrants::uniform([1], FunctionSet::ADMIN));
        by_email.lookback = Some(Lookback::LastHours { hours: 48 });
        let mut by_phone = by_email.clone();
        by_phone.lookback = Some(Lookback::SinceShareStart);
        assert_eq!(
            may(BOB, &nvr(), &[by_email.clone()], 1, Function::Playback, at),
            Decision::Granted { playback_since: Some(ts("2026-06-01T00:00:00Z")) }
        );
        assert_eq!(
            may(BOB, &nvr(), &[by_email.clone(), by_phone], 1, Function::Playback, at),
            Decision::Granted { playback_since: Some(ts("2026-01-01T00:00:00Z")) }
        );
        by_email.lookback = None;
        assert_eq!(
            may(BOB, &nvr(), &[by_email], 1, Function::Playback, at),
            Decision::Granted { playback_since: None }
        );
    }
}
