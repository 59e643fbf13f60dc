//! Model-based property test of sharing and the authority.
//!
//! Random sequences of share / accept / reject / edit / revoke / cancel / resend / remove /
//! delete-recipient / block and unblock the owner / late sign-up / clock moves run against the real sharing code and database
//! and against a plain in-memory model written from the rules in FLOWS.md. After every step,
//! both must agree on the step's outcome and on the authority's answer (permit or which refusal)
//! for every account, device, channel (including ones that do not exist) and purpose (live main
//! and sub, playback ranges inside, across and before the lookback, snapshot, PTZ, two-way
//! audio); and every permit given at the step before must still hold exactly when the model
//! would give it again (what the gate's enforcer asks).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use camshare_api::{
    AccountId, ChannelGrants, CreateShares, DeviceGrant, DeviceId, DeviceKind, EditShare, ErrorKind, Function,
    FunctionSet, Lookback, NewDevice, RecipientId, Schedule, ScheduleWindow, ShareId, ShareTerms, StreamKind,
    Timestamp,
};
use camshare_server::blocking;
use camshare_server::camera::NetworkPolicy;
use camshare_server::devices;
use camshare_server::error::ServerError;
use camshare_server::limits::Limits;
use camshare_server::permits::{AccessFacts, Permit, Purpose, Refusal};
use camshare_server::secrets::ServerKey;
use camshare_server::sharing;
use camshare_server::store::{Db, accounts, shares};
use camshare_testkit::{self as support, Engine};
use jiff::SignedDuration;
use proptest::prelude::*;

const DEVICE_CHANNELS: [u16; 2] = [3, 1];
const MAX_CHANNEL_TRIED: u16 = 4;
/// Shanghai has no daylight saving, so the model can compute local time as UTC+8.
const ZONE: &str = "Asia/Shanghai";
const ZONE_OFFSET_SECS: i64 = 8 * 3600;

#[derive(Debug, Clone)]
struct Terms {
    expires_in_hours: Option<i64>,
    scheduled: bool,
    lookback: Option<Lookback>,
}

#[derive(Debug, Clone)]
enum Op {
    Share {
        device: usize,
        recipient: usize,
        grants: Vec<(u16, u8)>,
        terms: Terms,
    },
    Accept(usize),
    Reject(usize),
    Edit {
        share: usize,
        grants: Option<Vec<(u16, u8)>>,
        terms: Option<Terms>,
    },
    Revoke(usize),
    Cancel(usize),
    Resend(usize),
    Remove(usize),
    DeleteRecipient(usize),
    /// Recipient `n` blocks the owner, or lifts the block.
    Block(usize),
    Unblock(usize),
    SignUpLate,
    Advance(i64),
}

fn grants_strategy() -> impl Strategy<Value = Vec<(u16, u8)>> {
    // Channel 0 and 4 do not exist on either device; bits 0 is an empty function set.
    // Bits 0b11 (live view and playback) often, so lookbacks are exercised.
    prop::collection::vec((0..=MAX_CHANNEL_TRIED, prop_oneof![Just(0u8), Just(1u8), Just(3u8), 1u8..32]), 0..4)
}

fn terms_strategy() -> impl Strategy<Value = Terms> {
    (
        prop_oneof![4 => Just(None), 1 => Just(Some(0i64)), 3 => (1i64..72).prop_map(Some)],
        prop::bool::weighted(0.3),
        prop_oneof![
            1 => Just(None),
            1 => Just(Some(Lookback::SinceShareStart)),
            2 => prop_oneof![Just(1u32), Just(4), Just(24), Just(48), 1u32..100]
                .prop_map(|hours| Some(Lookback::LastHours { hours })),
        ],
    )
        .prop_map(|(expires_in_hours, scheduled, lookback)| Terms { expires_in_hours, scheduled, lookback })
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let idx = 0usize..8;
    prop_oneof![
        4 => (0usize..2, 0usize..3, grants_strategy(), terms_strategy())
            .prop_map(|(device, recipient, grants, terms)| Op::Share { device, recipient, grants, terms }),
        3 => idx.clone().prop_map(Op::Accept),
        1 => idx.clone().prop_map(Op::Reject),
        2 => (idx.clone(), prop::option::of(grants_strategy()), prop::option::of(terms_strategy()))
            .prop_map(|(share, grants, terms)| Op::Edit { share, grants, terms }),
        1 => idx.clone().prop_map(Op::Revoke),
        1 => idx.clone().prop_map(Op::Cancel),
        1 => idx.clone().prop_map(Op::Resend),
        1 => idx.clone().prop_map(Op::Remove),
        1 => (0usize..3).prop_map(Op::DeleteRecipient),
        1 => (0usize..3).prop_map(Op::Block),
        1 => (0usize..3).prop_map(Op::Unblock),
        1 => Just(Op::SignUpLate),
        3 => prop_oneof![Just(1i64), Just(30), Just(4 * 60), Just(13 * 60), Just(24 * 60), Just(8 * 24 * 60)].prop_map(Op::Advance),
    ]
}

// ---------------------------------------------------------------- the model

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Accepted,
    Rejected,
    Cancelled,
    Revoked,
    Removed,
}

#[derive(Debug, Clone)]
struct ModelShare {
    device: usize,
    recipient: usize,
    status: Status,
    grants: HashMap<u16, u8>,
    expires_at: Option<i64>,
    scheduled: bool,
    lookback: Option<Lookback>,
    created_at: i64,
    invite_expires_at: i64,
}

#[derive(Debug, Default)]
struct Model {
    now: i64,
    shares: Vec<ModelShare>,
    deleted: [bool; 3],
    recipient_exists: [bool; 3],
    late_signed_up: bool,
    blocked: [bool; 3],
}

type Outcome = Result<(), ErrorKind>;

const INVITE_SECS: i64 = 7 * 24 * 3600;

impl Model {
    fn has_account(&self, recipient: usize) -> bool {
        recipient < 2 || self.late_signed_up
    }

    /// Whether the recipient's shares reach an account: it has one and does not block the owner.
    fn reaches(&self, recipient: usize) -> bool {
        self.has_account(recipient) && !self.blocked[recipient]
    }

    fn check_grants(&self, device: usize, grants: &[(u16, u8)]) -> Outcome {
        if grants.is_empty() {
            return Err(ErrorKind::InvalidInput);
        }
        for (channel, bits) in dedup(grants) {
            if channel == 0 || channel > DEVICE_CHANNELS[device] || bits == 0 {
                return Err(ErrorKind::InvalidInput);
            }
        }
        Ok(())
    }

    fn check_terms(&self, terms: &Terms) -> Outcome {
        if terms.expires_in_hours == Some(0) { Err(ErrorKind::InvalidInput) } else { Ok(()) }
    }

    fn apply(&mut self, op: &Op) -> Outcome {
        match op {
            Op::Share { device, recipient, grants, terms } => {
                self.check_terms(terms)?;
                self.check_grants(*device, grants)?;
                let busy = self.shares.iter().any(|s| {
                    s.device == *device
                        && s.recipient == *recipient
                        && matches!(s.status, Status::Pending | Status::Accepted)
                });
                if busy {
                    return Err(ErrorKind::Conflict);
                }
                self.deleted[*recipient] = false;
                self.recipient_exists[*recipient] = true;
                self.shares.push(ModelShare {
                    device: *device,
                    recipient: *recipient,
                    status: Status::Pending,
                    grants: dedup(grants).into_iter().collect(),
                    expires_at: terms.expires_in_hours.map(|h| self.now + h * 3600),
                    scheduled: terms.scheduled,
                    lookback: terms.lookback,
                    created_at: self.now,
                    invite_expires_at: self.now + INVITE_SECS,
                });
                Ok(())
            }
            Op::Accept(i) | Op::Reject(i) => {
                let now = self.now;
                let has_account = self.share(*i).map(|s| self.reaches(s.recipient));
                let Some(share) = self.share_mut(*i) else { return Err(ErrorKind::NotFound) };
                if has_account != Some(true) {
                    return Err(ErrorKind::NotFound);
                }
                match share.status {
                    Status::Pending if now >= share.invite_expires_at => Err(ErrorKind::InviteExpired),
                    Status::Pending => {
                        share.status = if matches!(op, Op::Accept(_)) { Status::Accepted } else { Status::Rejected };
                        Ok(())
                    }
                    _ => Err(ErrorKind::Conflict),
                }
            }
            Op::Edit { share, grants, terms } => {
                // With no share at all there is nothing to address: the harness answers not_found.
                let Some(s) = self.share(*share).cloned() else { return Err(ErrorKind::NotFound) };
                if let Some(t) = terms {
                    self.check_terms(t)?;
                }
                if !matches!(s.status, Status::Pending | Status::Accepted) {
                    return Err(ErrorKind::Conflict);
                }
                if let Some(g) = grants {
                    self.check_grants(s.device, g)?;
                }
                if grants.is_none() && terms.is_none() {
                    return Err(ErrorKind::InvalidInput);
                }
                let now = self.now;
                let s = self.share_mut(*share).unwrap();
                if let Some(g) = grants {
                    s.grants = dedup(g).into_iter().collect();
                }
                if let Some(t) = terms {
                    s.expires_at = t.expires_in_hours.map(|h| now + h * 3600);
                    s.scheduled = t.scheduled;
                    s.lookback = t.lookback;
                }
                Ok(())
            }
            Op::Revoke(i) => {
                let Some(s) = self.share_mut(*i) else { return Err(ErrorKind::NotFound) };
                s.status = match s.status {
                    Status::Accepted => Status::Revoked,
                    Status::Pending => Status::Cancelled,
                    _ => return Err(ErrorKind::Conflict),
                };
                Ok(())
            }
            Op::Cancel(i) => {
                let Some(s) = self.share_mut(*i) else { return Err(ErrorKind::NotFound) };
                if s.status != Status::Pending {
                    return Err(ErrorKind::Conflict);
                }
                s.status = Status::Cancelled;
                Ok(())
            }
            Op::Resend(i) => {
                let now = self.now;
                let Some(s) = self.share_mut(*i) else { return Err(ErrorKind::NotFound) };
                if s.status != Status::Pending {
                    return Err(ErrorKind::Conflict);
                }
                // Sent again at most once an hour; each sending set the deadline a week on.
                if now < s.invite_expires_at - INVITE_SECS + 3600 {
                    return Err(ErrorKind::RateLimited);
                }
                s.invite_expires_at = now + INVITE_SECS;
                Ok(())
            }
            Op::Remove(i) => {
                let has_account = self.share(*i).map(|s| self.reaches(s.recipient));
                let Some(s) = self.share_mut(*i) else { return Err(ErrorKind::NotFound) };
                if has_account != Some(true) || s.status != Status::Accepted {
                    return Err(ErrorKind::NotFound);
                }
                s.status = Status::Removed;
                Ok(())
            }
            Op::DeleteRecipient(r) => {
                if !self.recipient_exists[*r] || self.deleted[*r] {
                    return Err(ErrorKind::NotFound);
                }
                for s in self.shares.iter_mut().filter(|s| s.recipient == *r) {
                    s.status = match s.status {
                        Status::Accepted => Status::Revoked,
                        Status::Pending => Status::Cancelled,
                        other => other,
                    };
                }
                self.deleted[*r] = true;
                Ok(())
            }
            Op::Block(r) => {
                // Only an owner who ever shared with the account can be blocked.
                if !self.has_account(*r) || !self.shares.iter().any(|s| s.recipient == *r) {
                    return Err(ErrorKind::NotFound);
                }
                if !self.blocked[*r] {
                    self.blocked[*r] = true;
                    for s in self.shares.iter_mut().filter(|s| s.recipient == *r) {
                        s.status = match s.status {
                            Status::Accepted => Status::Removed,
                            Status::Pending => Status::Rejected,
                            other => other,
                        };
                    }
                }
                Ok(())
            }
            Op::Unblock(r) => {
                if !self.has_account(*r) || !self.blocked[*r] {
                    return Err(ErrorKind::NotFound);
                }
                self.blocked[*r] = false;
                Ok(())
            }
            Op::SignUpLate => {
                self.late_signed_up = true;
                Ok(())
            }
            Op::Advance(minutes) => {
                self.now += minutes * 60;
                Ok(())
            }
        }
    }

    fn share(&self, i: usize) -> Option<&ModelShare> {
        if self.shares.is_empty() { None } else { self.shares.get(i % self.shares.len()) }
    }

    fn share_mut(&mut self, i: usize) -> Option<&mut ModelShare> {
        let n = self.shares.len();
        if n == 0 { None } else { self.shares.get_mut(i % n) }
    }

    /// Weekdays 09:00–17:00 in Shanghai, computed by hand.
    fn in_schedule(&self) -> bool {
        let local = self.now + ZONE_OFFSET_SECS;
        let days = local.div_euclid(86_400);
        let weekday = (days + 3).rem_euclid(7); // 1970-01-01 was a Thursday; 0 = Monday
        let minute = local.rem_euclid(86_400) / 60;
        weekday < 5 && (9 * 60..17 * 60).contains(&minute)
    }

    /// The plain rule. `who`: 0 = owner, 1..=3 = recipients, 4 = stranger.
    /// Returns (allowed, as_owner, playback_since).
    fn may(&self, who: usize, device: usize, channel: u16, function: Function) -> (bool, bool, Option<i64>) {
        if channel == 0 || channel > DEVICE_CHANNELS[device] {
            return (false, false, None);
        }
        if who == 0 {
            return (true, true, None);
        }
        let mut allowed = false;
        let mut since: Option<Option<i64>> = None;
        for s in &self.shares {
            let usable = s.device == device
                && s.recipient + 1 == who
                && self.reaches(s.recipient)
                && s.status == Status::Accepted
                && s.expires_at.is_none_or(|e| self.now < e)
                && s.grants.get(&channel).is_some_and(|bits| bits & (1 << function as u8) != 0)
                && (!s.scheduled || self.in_schedule());
            if usable {
                allowed = true;
                let limit = match (function, s.lookback) {
                    (Function::Playback, Some(Lookback::SinceShareStart)) => Some(s.created_at),
                    (Function::Playback, Some(Lookback::LastHours { hours })) => {
                        Some(self.now - i64::from(hours) * 3600)
                    }
                    _ => None,
                };
                since = Some(match since {
                    None => limit,
                    Some(None) => None,
                    Some(Some(a)) => limit.map(|b| a.min(b)),
                });
            }
        }
        (allowed, false, since.flatten())
    }
}

/// The authority's answer, in a form both sides can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Permit { as_owner: bool, earliest: Option<i64> },
    UnknownDevice,
    NoSuchChannel,
    Denied,
    BeforeLookback { earliest: i64 },
    EmptyRange,
}

impl Answer {
    fn of(decided: &Result<Permit, Refusal>) -> Answer {
        match decided {
            Ok(p) => Answer::Permit { as_owner: p.as_owner(), earliest: to_secs(p.earliest()) },
            Err(Refusal::UnknownDevice) => Answer::UnknownDevice,
            Err(Refusal::NoSuchChannel { .. }) => Answer::NoSuchChannel,
            Err(Refusal::Denied(..)) => Answer::Denied,
            Err(Refusal::BeforeLookback { earliest }) => Answer::BeforeLookback { earliest: earliest.as_second() },
            Err(Refusal::EmptyRange) => Answer::EmptyRange,
        }
    }
}

/// A purpose in model time. In `PURPOSES` playback ranges are offsets in seconds from now;
/// `absolute` turns them into instants (seconds), which is what `answer` and `at` read.
#[derive(Debug, Clone, Copy)]
enum ModelPurpose {
    Live(StreamKind),
    Playback { from: i64, to: i64 },
    Snapshot,
    Ptz,
    TwoWayAudio,
}

/// Every purpose, with playback ranges that start right at and just past the boundaries the
/// lookbacks and clock moves make (1 min, 1 h, 4 h, 24 h, 48 h back), far back, and backwards.
const PURPOSES: [ModelPurpose; 17] = [
    ModelPurpose::Live(StreamKind::Main),
    ModelPurpose::Live(StreamKind::Sub),
    ModelPurpose::Playback { from: -600, to: 0 },
    ModelPurpose::Playback { from: -60, to: 0 },
    ModelPurpose::Playback { from: -61, to: -60 },
    ModelPurpose::Playback { from: -3600, to: 0 },
    ModelPurpose::Playback { from: -3601, to: 0 },
    ModelPurpose::Playback { from: -4 * 3600, to: -3600 },
    ModelPurpose::Playback { from: -4 * 3600 - 1, to: 0 },
    ModelPurpose::Playback { from: -24 * 3600, to: 0 },
    ModelPurpose::Playback { from: -48 * 3600 - 1, to: 0 },
    ModelPurpose::Playback { from: -50 * 3600, to: -49 * 3600 },
    ModelPurpose::Playback { from: -200 * 3600, to: 0 },
    ModelPurpose::Playback { from: 0, to: -60 },
    ModelPurpose::Snapshot,
    ModelPurpose::Ptz,
    ModelPurpose::TwoWayAudio,
];

impl ModelPurpose {
    fn function(self) -> Function {
        match self {
            ModelPurpose::Live(_) => Function::LiveView,
            ModelPurpose::Playback { .. } => Function::Playback,
            ModelPurpose::Snapshot => Function::AlarmPush,
            ModelPurpose::Ptz => Function::Ptz,
            ModelPurpose::TwoWayAudio => Function::TwoWayAudio,
        }
    }

    /// Offsets from `now` (seconds) to instants.
    fn absolute(self, now: i64) -> ModelPurpose {
        match self {
            ModelPurpose::Playback { from, to } => ModelPurpose::Playback { from: now + from, to: now + to },
            other => other,
        }
    }

    /// The system's purpose for an absolute model purpose.
    fn to_system(self) -> Purpose {
        let instant = |secs: i64| Timestamp::from_second(secs).expect("a valid instant");
        match self {
            ModelPurpose::Live(stream) => Purpose::Live(stream),
            ModelPurpose::Playback { from, to } => Purpose::Playback { from: instant(from), to: instant(to) },
            ModelPurpose::Snapshot => Purpose::Snapshot,
            ModelPurpose::Ptz => Purpose::Ptz,
            ModelPurpose::TwoWayAudio => Purpose::TwoWayAudio,
        }
    }
}

impl Model {
    /// Whether `who` owns the device or has an accepted share of it (expired or not).
    fn knows(&self, who: usize, device: usize) -> bool {
        who == 0
            || self.shares.iter().any(|s| {
                s.device == device
                    && s.recipient + 1 == who
                    && self.reaches(s.recipient)
                    && s.status == Status::Accepted
            })
    }

    /// The authority's answer, by the plain rules (playback ranges as absolute instants).
    fn answer(&self, who: usize, device: usize, channel: u16, purpose: ModelPurpose) -> Answer {
        if !self.knows(who, device) {
            return Answer::UnknownDevice;
        }
        if channel == 0 || channel > DEVICE_CHANNELS[device] {
            // Only the owner learns how many channels there are; to a recipient a missing
            // channel reads as one not shared with them.
            return if who == 0 { Answer::NoSuchChannel } else { Answer::Denied };
        }
        let (allowed, as_owner, earliest) = self.may(who, device, channel, purpose.function());
        if !allowed {
            return Answer::Denied;
        }
        if let ModelPurpose::Playback { from, to } = purpose {
            if to < from {
                return Answer::EmptyRange;
            }
            if let Some(earliest) = earliest.filter(|&e| from < e) {
                return Answer::BeforeLookback { earliest };
            }
        }
        Answer::Permit { as_owner, earliest }
    }
}

/// Later entries for the same channel win, as they do in a JSON object built from pairs.
fn dedup(grants: &[(u16, u8)]) -> Vec<(u16, u8)> {
    let mut map: std::collections::BTreeMap<u16, u8> = std::collections::BTreeMap::new();
    for (c, b) in grants {
        map.insert(*c, *b);
    }
    map.into_iter().collect()
}

// ---------------------------------------------------------------- the system

struct System {
    db: Db,
    key: ServerKey,
    now: Timestamp,
    owner: AccountId,
    recipients: [Option<AccountId>; 3],
    stranger: AccountId,
    addresses: [String; 3],
    devices: [DeviceId; 2],
    shares: Vec<ShareId>,
    recipient_ids: [Option<RecipientId>; 3],
}

static UNIQUE: AtomicU64 = AtomicU64::new(0);

async fn new_account(db: &Db, email: Option<&str>, phone: Option<&str>, now: Timestamp) -> AccountId {
    let n = UNIQUE.fetch_add(1, Ordering::SeqCst);
    let code = format!("{:020x}", (std::process::id() as u64) << 32 | n);
    let mut tx = db.write().await.unwrap();
    let new = accounts::NewAccount {
        email,
        phone,
        display_name: "Model",
        password_hash: "not-a-hash",
        code_id: &code,
        time_zone: ZONE,
    };
    let id = accounts::insert(&mut tx, &new, now).await.unwrap();
    let addresses: Vec<&str> = [email, phone].into_iter().flatten().collect();
    accounts::claim_recipient_addresses(&mut tx, id, &addresses).await.unwrap();
    tx.commit().await.unwrap();
    id
}

impl System {
    async fn new(db: Db) -> System {
        let now = support::start_time();
        let n = UNIQUE.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        let owner = new_account(&db, Some(&format!("owner{pid}x{n}@example.com")), None, now).await;
        let addresses = [
            format!("r1.{pid}x{n}@example.com"),
            format!("+4917{:010}", (u64::from(pid) * 1_000_000 + n) % 10_000_000_000),
            format!("late.{pid}x{n}@example.com"),
        ];
        let r1 = new_account(&db, Some(&addresses[0]), None, now).await;
        let r2 = new_account(&db, None, Some(&addresses[1]), now).await;
        let stranger = new_account(&db, Some(&format!("eve{pid}x{n}@example.com")), None, now).await;
        let key = ServerKey::from_master(&[9; 32]);
        let mut ids = Vec::new();
        for (kind, channels) in [(DeviceKind::Nvr, 3u16), (DeviceKind::Camera, 1)] {
            let new = NewDevice {
                name: format!("{kind}"),
                kind,
                rtsp_url: "rtsp://192.168.1.64:554".into(),
                username: "admin".into(),
                password: "pw".into(),
                channel_names: vec![],
                channel_count: Some(channels),
            };
            ids.push(
                devices::add(&db, &key, &NetworkPolicy::default(), &Limits::default(), owner, new, now)
                    .await
                    .unwrap()
                    .id,
            );
        }
        System {
            db,
            key,
            now,
            owner,
            recipients: [Some(r1), Some(r2), None],
            stranger,
            addresses,
            devices: [ids[0], ids[1]],
            shares: Vec::new(),
            recipient_ids: [None; 3],
        }
    }

    fn grants(raw: &[(u16, u8)]) -> ChannelGrants {
        ChannelGrants(raw.iter().map(|(c, b)| (*c, FunctionSet::from_bits(*b))).collect())
    }

    fn terms(&self, t: &Terms) -> ShareTerms {
        ShareTerms {
            expires_at: t.expires_in_hours.map(|h| self.now + SignedDuration::from_hours(h)),
            schedule: t.scheduled.then(|| Schedule {
                time_zone: ZONE.into(),
                windows: vec![ScheduleWindow::parse("mon-fri 09:00-17:00").unwrap()],
            }),
            lookback: t.lookback,
        }
    }

    fn share(&self, i: usize) -> Option<ShareId> {
        if self.shares.is_empty() { None } else { Some(self.shares[i % self.shares.len()]) }
    }

    /// The account that would act as the recipient of share `i` (a stranger if none yet).
    async fn recipient_of(&self, share: ShareId) -> AccountId {
        let mut conn = self.db.pool.acquire().await.unwrap();
        shares::row(&mut conn, share).await.unwrap().and_then(|r| r.recipient_account()).unwrap_or(self.stranger)
    }

    async fn apply(&mut self, op: &Op) -> Outcome {
        let kind = |r: Result<(), ServerError>| r.map_err(|e| e.kind());
        match op {
            Op::Share { device, recipient, grants, terms } => {
                let req = CreateShares {
                    recipient: self.addresses[*recipient].clone(),
                    remark: None,
                    devices: vec![DeviceGrant { device: self.devices[*device], channels: Self::grants(grants) }],
                    terms: self.terms(terms),
                };
                let created =
                    sharing::create(&self.db, &self.key, self.owner, req, self.now).await.map_err(|e| e.kind())?;
                self.recipient_ids[*recipient] = Some(created.recipient);
                self.shares.push(created.shares[0].id);
                Ok(())
            }
            Op::Accept(i) | Op::Reject(i) => {
                let Some(id) = self.share(*i) else { return Err(ErrorKind::NotFound) };
                let who = self.recipient_of(id).await;
                sharing::answer(&self.db, who, id, matches!(op, Op::Accept(_)), self.now)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.kind())
            }
            Op::Edit { share, grants, terms } => {
                let Some(id) = self.share(*share) else { return Err(ErrorKind::NotFound) };
                let edit = EditShare {
                    channels: grants.as_deref().map(Self::grants),
                    terms: terms.as_ref().map(|t| self.terms(t)),
                };
                kind(sharing::edit(&self.db, self.owner, id, edit, self.now).await)
            }
            Op::Revoke(i) => match self.share(*i) {
                Some(id) => kind(sharing::revoke(&self.db, self.owner, id, self.now).await),
                None => Err(ErrorKind::NotFound),
            },
            Op::Cancel(i) => match self.share(*i) {
                Some(id) => kind(sharing::cancel(&self.db, self.owner, id, self.now).await),
                None => Err(ErrorKind::NotFound),
            },
            Op::Resend(i) => match self.share(*i) {
                Some(id) => kind(sharing::resend(&self.db, self.owner, id, self.now).await),
                None => Err(ErrorKind::NotFound),
            },
            Op::Remove(i) => {
                let Some(id) = self.share(*i) else { return Err(ErrorKind::NotFound) };
                let who = self.recipient_of(id).await;
                kind(sharing::remove_received(&self.db, who, id, self.now).await)
            }
            Op::DeleteRecipient(r) => match self.recipient_ids[*r] {
                Some(id) => kind(sharing::delete_recipient(&self.db, self.owner, id, self.now).await),
                None => Err(ErrorKind::NotFound),
            },
            Op::Block(r) => match self.recipients[*r] {
                Some(account) => {
                    blocking::block(&self.db, account, self.owner, self.now).await.map(|_| ()).map_err(|e| e.kind())
                }
                None => Err(ErrorKind::NotFound),
            },
            Op::Unblock(r) => match self.recipients[*r] {
                Some(account) => kind(blocking::unblock(&self.db, account, self.owner, self.now).await),
                None => Err(ErrorKind::NotFound),
            },
            Op::SignUpLate => {
                if self.recipients[2].is_none() {
                    self.recipients[2] = Some(new_account(&self.db, Some(&self.addresses[2]), None, self.now).await);
                }
                Ok(())
            }
            Op::Advance(minutes) => {
                self.now += SignedDuration::from_mins(*minutes);
                Ok(())
            }
        }
    }

    fn account(&self, who: usize) -> Option<AccountId> {
        match who {
            0 => Some(self.owner),
            1..=3 => self.recipients[who - 1],
            _ => Some(self.stranger),
        }
    }
}

fn to_secs(t: Option<Timestamp>) -> Option<i64> {
    t.map(|t| t.as_second())
}

/// A permit given at one step, and the question it answered, to be re-checked at the next.
struct Held {
    permit: Permit,
    who: usize,
    device: usize,
    channel: u16,
    purpose: ModelPurpose,
}

/// Asks the authority every question after a step and compares with the model; re-checks the
/// permits of the step before. Returns the permits given now.
async fn compare_all(model: &Model, system: &System, step: usize, op: &Op, held: Vec<Held>) -> Vec<Held> {
    let mut facts = Vec::new();
    for device in system.devices {
        let mut conn = system.db.pool.acquire().await.unwrap();
        facts.push(AccessFacts::load(&mut conn, device).await.unwrap().expect("the device exists"));
    }
    for h in held {
        let still = h.permit.recheck(Some(&facts[h.device]), system.now);
        let want = matches!(model.answer(h.who, h.device, h.channel, h.purpose), Answer::Permit { .. });
        assert_eq!(
            still.is_ok(),
            want,
            "step {step} ({op:?}): permit of account #{} for device #{}, channel {}, {:?} re-checked as {still:?}",
            h.who,
            h.device,
            h.channel,
            h.purpose
        );
    }
    let mut given = Vec::new();
    for (d, device_facts) in facts.iter().enumerate() {
        for who in 0..5 {
            let Some(account) = system.account(who) else { continue };
            for channel in 0..=MAX_CHANNEL_TRIED {
                for purpose in PURPOSES.map(|p| p.absolute(model.now)) {
                    let decided = device_facts.decide(account, channel, purpose.to_system(), system.now);
                    let got = Answer::of(&decided);
                    let want = model.answer(who, d, channel, purpose);
                    assert_eq!(
                        got, want,
                        "step {step} ({op:?}): account #{who}, device #{d}, channel {channel}, {purpose:?} differs"
                    );
                    if let Ok(permit) = decided {
                        given.push(Held { permit, who, device: d, channel, purpose });
                    }
                }
            }
        }
    }
    given
}

async fn run_sequence(db: Db, ops: Vec<Op>) {
    let mut system = System::new(db).await;
    let mut model = Model { now: support::start_time().as_second(), ..Model::default() };
    // The model's clock counts absolute seconds, like the system's.
    assert_eq!(model.now, system.now.as_second());
    let mut held = Vec::new();
    for (step, op) in ops.iter().enumerate() {
        let want = model.apply(op);
        let got = system.apply(op).await;
        assert_eq!(got, want, "step {step} ({op:?}): outcome differs");
        held = compare_all(&model, &system, step, op, held).await;
    }
}

fn cases(engine: Engine) -> u32 {
    let var = match engine {
        Engine::Sqlite => "CAMSHARE_MODEL_CASES_SQLITE",
        Engine::Postgres => "CAMSHARE_MODEL_CASES_POSTGRES",
    };
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

fn run_model_test(engine: Engine) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = support::temp_dir("camshare-model");
    let db = rt.block_on(async {
        let url = support::database_url(engine, &dir).await;
        Db::connect(&url).await.unwrap()
    });
    let config = ProptestConfig { cases: cases(engine), failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(ops in prop::collection::vec(op_strategy(), 1..24))| {
        rt.block_on(run_sequence(db.clone(), ops));
    });
}

#[test]
fn sharing_matches_the_model_on_sqlite() {
    run_model_test(Engine::Sqlite);
}

#[test]
fn sharing_matches_the_model_on_postgres() {
    run_model_test(Engine::Postgres);
}
