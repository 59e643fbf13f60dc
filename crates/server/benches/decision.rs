//! Benchmark of the authority's decision (`AccessFacts::decide`, which asks the pure decision
//! function and makes a permit or a refusal): decisions per second on one thread, for the cases
//! the media gate and `GET /api/access` meet (owner, granted, denied, scheduled in a
//! time zone with daylight saving, a device with many shares). Target (issue 2): at least
//! 1,000,000 decisions per second on one core.
//!
//! A plain `harness = false` binary: each case runs in batches for about `SECONDS` seconds, and
//! the median batch rate is reported, so one disturbed batch does not move the answer.
//!
//! ```text
//! cargo bench -p camshare-server --bench decision
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use camshare_api::DeviceId;
use camshare_api::{
    AccountId, ChannelGrants, Function, FunctionSet, Lookback, Schedule, ScheduleWindow, ShareStatus, Timestamp,
};
use camshare_server::access::{DeviceFacts, ResolvedSchedule, ShareFacts};
use camshare_server::permits::{AccessFacts, Purpose};

/// Measuring time per case.
const SECONDS: f64 = 2.0;
/// Decisions per timed batch (large enough that reading the clock costs nothing measurable).
const BATCH: u64 = 100_000;
/// The issue's target.
const TARGET_PER_SECOND: f64 = 1_000_000.0;

const OWNER: AccountId = AccountId(1);
const BOB: AccountId = AccountId(2);
const STRANGER: AccountId = AccountId(999);

fn ts(s: &str) -> Timestamp {
    s.parse().expect("a valid instant")
}

fn nvr(channels: u16) -> DeviceFacts {
    DeviceFacts { owner: OWNER, channel_count: channels }
}

fn share(recipient: AccountId, grants: ChannelGrants) -> ShareFacts {
    ShareFacts {
        recipient: Some(recipient),
        status: ShareStatus::Accepted,
        grants,
        expires_at: Some(ts("2027-01-01T00:00:00Z")),
        schedule: None,
        lookback: Some(Lookback::LastHours { hours: 72 }),
        created_at: ts("2026-01-01T00:00:00Z"),
    }
}

/// A shop assistant's hours in Berlin (a zone with daylight saving, so the lookup is real work).
fn berlin_hours() -> Schedule {
    Schedule {
        time_zone: "Europe/Berlin".into(),
        windows: vec![
            ScheduleWindow::parse("mon-fri 08:00-12:30").unwrap(),
            ScheduleWindow::parse("mon-fri 13:30-18:00").unwrap(),
            ScheduleWindow::parse("sat 09:00-14:00").unwrap(),
        ],
    }
}

/// One question asked of the authority, with the answer it must give.
struct Case {
    name: &'static str,
    account: AccountId,
    device: DeviceFacts,
    shares: Vec<ShareFacts>,
    channel: u16,
    function: Function,
    at: Timestamp,
    expect_allowed: bool,
}

/// A case as the authority gets it: the device's facts loaded, the question as a purpose.
struct Question {
    name: &'static str,
    facts: AccessFacts,
    account: AccountId,
    channel: u16,
    purpose: Purpose,
    at: Timestamp,
    expect_allowed: bool,
}

impl Question {
    fn of(case: Case) -> Question {
        Question {
            name: case.name,
            facts: AccessFacts::from_facts(DeviceId(1), "NVR".into(), case.device, case.shares),
            account: case.account,
            channel: case.channel,
            purpose: Purpose::probing(case.function, case.at),
            at: case.at,
            expect_allowed: case.expect_allowed,
        }
    }

    fn ask(&self) -> bool {
        black_box(&self.facts)
            .decide(black_box(self.account), black_box(self.channel), black_box(self.purpose), black_box(self.at))
            .is_ok()
    }
}

fn cases() -> Vec<Case> {
    // Monday 2026-06-01 10:00 UTC is 12:00 in Berlin (summer time): inside the morning window.
    let at = ts("2026-06-01T10:00:00Z");
    let guest_4 = ChannelGrants::uniform([1, 2, 3, 4], FunctionSet::GUEST);
    let admin_2 = ChannelGrants::uniform([1, 2], FunctionSet::ADMIN);

    let mut scheduled = share(BOB, guest_4.clone());
    scheduled.schedule = ResolvedSchedule::resolve(&berlin_hours());

    // Sixteen recipients of one 16-channel NVR, Bob's share last, plus a second share reaching
    // Bob (by phone as well as by email) that is scheduled: the union must look at both.
    let mut many: Vec<ShareFacts> = (10..25)
        .map(|i| share(AccountId(i), ChannelGrants::uniform([(i % 16) as u16 + 1], FunctionSet::GUEST)))
        .collect();
    many.push(scheduled.clone());
    let mut by_phone = share(BOB, ChannelGrants::uniform(1..=8, FunctionSet::ADMIN));
    by_phone.lookback = Some(Lookback::SinceShareStart);
    many.push(by_phone);

    let three = vec![share(AccountId(10), guest_4.clone()), share(BOB, admin_2.clone()), share(AccountId(11), guest_4)];

    vec![
        Case {
            name: "owner",
            account: OWNER,
            device: nvr(4),
            shares: three.clone(),
            channel: 3,
            function: Function::Ptz,
            at,
            expect_allowed: true,
        },
        Case {
            name: "recipient granted (playback, lookback)",
            account: BOB,
            device: nvr(4),
            shares: three.clone(),
            channel: 2,
            function: Function::Playback,
            at,
            expect_allowed: true,
        },
        Case {
            name: "recipient denied (channel not shared)",
            account: BOB,
            device: nvr(4),
            shares: three.clone(),
            channel: 4,
            function: Function::LiveView,
            at,
            expect_allowed: false,
        },
        Case {
            name: "stranger denied (no share)",
            account: STRANGER,
            device: nvr(4),
            shares: three,
            channel: 1,
            function: Function::LiveView,
            at,
            expect_allowed: false,
        },
        Case {
            name: "scheduled share, inside (Europe/Berlin)",
            account: BOB,
            device: nvr(4),
            shares: vec![scheduled.clone()],
            channel: 1,
            function: Function::LiveView,
            at,
            expect_allowed: true,
        },
        Case {
            name: "scheduled share, outside (Europe/Berlin)",
            account: BOB,
            device: nvr(4),
            shares: vec![scheduled],
            channel: 1,
            function: Function::LiveView,
            at: ts("2026-06-01T20:00:00Z"),
            expect_allowed: false,
        },
        Case {
            name: "17 shares on a 16-channel NVR, 2 reach the caller",
            account: BOB,
            device: nvr(16),
            shares: many,
            channel: 3,
            function: Function::LiveView,
            at,
            expect_allowed: true,
        },
    ]
}

/// Runs `f` in batches for about `SECONDS`; returns the median rate in calls per second.
fn measure(mut f: impl FnMut() -> bool) -> f64 {
    // Warm-up: caches, branch predictors, the tz database's first touch.
    for _ in 0..BATCH {
        black_box(f());
    }
    let mut rates = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs_f64(SECONDS) || rates.len() < 5 {
        let t = Instant::now();
        for _ in 0..BATCH {
            black_box(f());
        }
        rates.push(BATCH as f64 / t.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

fn row(name: &str, rate: f64) {
    let verdict = if rate >= TARGET_PER_SECOND { "pass" } else { "MISS" };
    println!("| {name:<52} | {:>12.0} | {:>8.1} | {verdict} |", rate, 1e9 / rate);
}

fn main() {
    // `cargo bench` passes `--bench`; a name given after `--` filters the cases.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let questions: Vec<Question> = cases().into_iter().map(Question::of).collect();

    println!("the authority's decision (AccessFacts::decide), one thread, median of batches of {BATCH}");
    println!("| {:<52} | {:>12} | {:>8} | target |", "case", "decisions/s", "ns each");
    println!("|{}|{}|{}|--------|", "-".repeat(54), "-".repeat(14), "-".repeat(10));
    let mut all_pass = true;
    for q in questions.iter().filter(|q| filter.as_ref().is_none_or(|f| q.name.contains(f.as_str()))) {
        let answer = q.facts.decide(q.account, q.channel, q.purpose, q.at);
        assert_eq!(answer.is_ok(), q.expect_allowed, "{}: unexpected {answer:?}", q.name);
        let rate = measure(|| q.ask());
        all_pass &= rate >= TARGET_PER_SECOND;
        row(q.name, rate);
    }

    if filter.is_none() {
        // A realistic mix: the cases above in turn, as a gate serving many callers would see them.
        let mut i = 0;
        let rate = measure(|| {
            let q = &questions[i % questions.len()];
            i += 1;
            q.ask()
        });
        all_pass &= rate >= TARGET_PER_SECOND;
        row("mix of all cases above", rate);

        // Not part of the decision: what the store does per request before asking it, resolving
        // a schedule's time zone name in the bundled tz database. Shown so the cost is known.
        let schedule = berlin_hours();
        let rate = measure(|| ResolvedSchedule::resolve(black_box(&schedule)).is_some());
        println!(
            "| {:<52} | {:>12.0} | {:>8.1} | (info) |",
            "ResolvedSchedule::resolve (tz lookup by name)",
            rate,
            1e9 / rate
        );
    }
    println!("target >= {TARGET_PER_SECOND:.0} decisions/s on one core: {}", if all_pass { "PASS" } else { "MISSED" });
}
