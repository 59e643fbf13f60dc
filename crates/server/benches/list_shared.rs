//! Benchmark of "Others' Devices": `GET /api/shared-devices` over HTTP on loopback, against an
//! in-process server on SQLite holding 10,000 shares, with 50 concurrent clients each signed in
//! as a different recipient. Target (issue 2): p99 at most 10 ms.
//!
//! By default the clients run a closed loop with no pause between requests, so the server is
//! saturated and each request also waits behind the others: the hardest reading of "50
//! concurrent clients". They run in the same process and on the same cores as the server.
//!
//! Arguments after `--`: `clients=N` changes the number of clients; `pace=MS` makes each client
//! start one request every MS milliseconds instead (an open loop; latency is then counted from
//! when the request was due, so a late start counts against the server).
//!
//! ```text
//! cargo bench -p camshare-server --bench list_shared
//! cargo bench -p camshare-server --bench list_shared -- clients=1
//! cargo bench -p camshare-server --bench list_shared -- pace=20
//! ```

use std::collections::HashSet;
use std::time::{Duration, Instant};

use camshare_api::{
    AccountId, ChannelGrants, DeviceId, FunctionSet, Lookback, Schedule, ScheduleWindow, ShareTerms, Timestamp,
};
use camshare_server::clock::Clock;
use camshare_server::secrets::{self, ACCOUNT_CODE_ID_LEN};
use camshare_server::store::{WriteTx, accounts, sessions};
use camshare_testkit::bench::{load_average, ms, percentile};
use camshare_testkit::{Engine, TestApp, spawn_app};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const SHARES: usize = 10_000;
const OWNERS: usize = 500;
const DEVICES_PER_OWNER: usize = 4;
const RECIPIENTS: usize = 1_000;
const CLIENTS: usize = 50;
const WARM_UP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(10);
const TARGET_P99: Duration = Duration::from_millis(10);

/// Seeds the database in one transaction, straight through the store (no Argon2, no HTTP):
/// 500 owners with 4 devices each (cameras and NVRs of 4 to 16 channels), 1,000 recipient
/// accounts, and exactly 10,000 shares between them, each recipient receiving 5 to 15 of them
/// (about 80 % accepted, 10 % pending, 10 % ended), some with schedules, expiry or lookback.
/// Returns an access token and the expected number of shared devices per recipient.
async fn seed(app: &TestApp) -> Vec<(String, usize)> {
    let mut rng = StdRng::seed_from_u64(2);
    let now = app.clock.now();
    let now_ms = now.as_millisecond();
    let mut tx = app.db().write().await.expect("write transaction");

    let mut owners = Vec::new();
    for i in 0..OWNERS {
        owners.push(add_account(&mut tx, now, format!("owner{i}@bench.example"), format!("Owner {i}")).await);
    }
    let mut recipients = Vec::new();
    for i in 0..RECIPIENTS {
        recipients.push(add_account(&mut tx, now, format!("viewer{i}@bench.example"), format!("Viewer {i}")).await);
    }

    // (device id, channel count) per owner.
    let mut devices: Vec<Vec<(i64, u16)>> = Vec::new();
    let credentials: &[u8] = br#"{"username":"admin","password":"camera-password"}"#;
    for (o, owner) in owners.iter().enumerate() {
        let mut own = Vec::new();
        for d in 0..DEVICES_PER_OWNER {
            let (kind, channels) = if d == 0 { ("nvr", [4u16, 8, 16][o % 3]) } else { ("camera", 1) };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO devices (owner_id, name, kind, rtsp_url, credentials, created_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(owner.0)
            .bind(format!("{kind} {d} of owner {o}"))
            .bind(kind)
            .bind(format!("rtsp://10.0.{}.{}:554/stream", o % 250, d + 10))
            .bind(Vec::<u8>::new())
            .bind(now_ms)
            .fetch_one(&mut *tx)
            .await
            .expect("device");
            sqlx::query("UPDATE devices SET credentials = $1, credentials_version = 2 WHERE id = $2")
                .bind(app.state.key.seal_credentials(DeviceId(id), credentials))
                .bind(id)
                .execute(&mut *tx)
                .await
                .expect("credentials");
            for c in 1..=channels {
                sqlx::query("INSERT INTO channels (device_id, number, name) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(i64::from(c))
                    .bind(if channels == 1 { format!("{kind} {d}") } else { format!("Camera {c:02}") })
                    .execute(&mut *tx)
                    .await
                    .expect("channel");
            }
            own.push((id, channels));
        }
        devices.push(own);
    }

    // How many shares each recipient receives: 5..=15, adjusted to add up to exactly SHARES.
    let mut counts: Vec<usize> = (0..RECIPIENTS).map(|_| rng.random_range(5..=15)).collect();
    let mut total: usize = counts.iter().sum();
    let mut i = 0;
    while total != SHARES {
        let c = &mut counts[i % RECIPIENTS];
        if total > SHARES && *c > 5 {
            *c -= 1;
            total -= 1;
        } else if total < SHARES && *c < 15 {
            *c += 1;
            total += 1;
        }
        i += 1;
    }

    let schedule = Schedule {
        time_zone: "Europe/Berlin".into(),
        windows: vec![ScheduleWindow::parse("mon-fri 08:00-18:00").unwrap()],
    };
    let mut recipient_rows = std::collections::HashMap::new();
    let mut used = HashSet::new();
    let mut expected = vec![0usize; RECIPIENTS];
    for (r, &count) in counts.iter().enumerate() {
        let email = format!("viewer{r}@bench.example");
        let mut made = 0;
        while made < count {
            let o = rng.random_range(0..OWNERS);
            let d = rng.random_range(0..DEVICES_PER_OWNER);
            let (device, channels) = devices[o][d];
            if !used.insert((device, r)) {
                continue;
            }
            let recipient_id = match recipient_rows.get(&(o, r)) {
                Some(id) => *id,
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO recipients (owner_id, address, address_kind, account_id, remark, created_ms, last_shared_ms) \
                         VALUES ($1, $2, 'email', $3, $4, $5, $5) RETURNING id",
                    )
                    .bind(owners[o].0)
                    .bind(&email)
                    .bind(recipients[r].0)
                    .bind((r % 3 == 0).then(|| format!("neighbour {r}")))
                    .bind(now_ms)
                    .fetch_one(&mut *tx)
                    .await
                    .expect("recipient");
                    recipient_rows.insert((o, r), id);
                    id
                }
            };
            let shared: Vec<u16> =
                (1..=channels).filter(|c| channels == 1 || c % 2 == 1 || rng.random_bool(0.5)).collect();
            let functions = if rng.random_bool(0.3) { FunctionSet::ADMIN } else { FunctionSet::GUEST };
            let grants = ChannelGrants::uniform(shared, functions);
            let terms = ShareTerms {
                expires_at: rng.random_bool(0.2).then(|| now + jiff::SignedDuration::from_hours(24 * 30)),
                schedule: rng.random_bool(0.1).then(|| schedule.clone()),
                lookback: rng.random_bool(0.2).then_some(Lookback::LastHours { hours: 72 }),
            };
            let status = match rng.random_range(0..10) {
                0 => "pending",
                1 => ["revoked", "rejected", "removed"][rng.random_range(0..3)],
                _ => "accepted",
            };
            if status == "accepted" {
                expected[r] += 1;
            }
            sqlx::query(
                "INSERT INTO shares (device_id, owner_id, recipient_id, status, grants, terms, created_ms, invite_expires_ms, answered_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(device)
            .bind(owners[o].0)
            .bind(recipient_id)
            .bind(status)
            .bind(serde_json::to_string(&grants).unwrap())
            .bind(serde_json::to_string(&terms).unwrap())
            .bind(now_ms - 86_400_000)
            .bind(now_ms + 6 * 86_400_000)
            .bind((status != "pending").then_some(now_ms - 3_600_000))
            .execute(&mut *tx)
            .await
            .expect("share");
            made += 1;
        }
    }

    let mut clients = Vec::new();
    for (r, recipient) in recipients.iter().enumerate() {
        let tokens = sessions::create(&mut tx, *recipient, now).await.expect("session");
        clients.push((tokens.access_token.expose().to_string(), expected[r]));
    }
    tx.commit().await.expect("commit seed");
    clients
}

/// An account as sign-up stores it, without paying for Argon2 (nobody signs in with it).
async fn add_account(tx: &mut WriteTx<'_>, now: Timestamp, email: String, name: String) -> AccountId {
    let code_id = data_encoding::HEXLOWER.encode(&secrets::random_bytes::<ACCOUNT_CODE_ID_LEN>());
    let new = accounts::NewAccount {
        email: Some(&email),
        phone: None,
        display_name: &name,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$bm90LXVzZWQ$bm90LXVzZWQ",
        code_id: &code_id,
        time_zone: "Europe/Berlin",
    };
    accounts::insert(tx, &new, now).await.expect("account")
}

/// `name=value` from the command line.
fn arg(name: &str) -> Option<u64> {
    std::env::args().skip(1).find_map(|a| a.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
}

#[tokio::main]
async fn main() {
    let clients_wanted = arg("clients").map_or(CLIENTS, |n| n as usize);
    let pace = arg("pace").map(Duration::from_millis);
    println!("load average before: {}", load_average());
    let app = spawn_app(Engine::Sqlite).await;
    let t = Instant::now();
    let clients = seed(&app).await;
    let shares: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shares").fetch_one(&app.db().pool).await.unwrap();
    println!(
        "seeded {shares} shares, {} recipients with sessions in {:.1} s",
        clients.len(),
        t.elapsed().as_secs_f64()
    );
    assert_eq!(shares as usize, SHARES);

    // Fifty recipients, each with between 5 and 20 devices shared with them.
    let chosen: Vec<(String, usize)> =
        clients.into_iter().filter(|(_, n)| (5..=20).contains(n)).take(clients_wanted).collect();
    assert_eq!(chosen.len(), clients_wanted);
    let url = format!("{}/api/shared-devices", app.base_url);
    let start = Instant::now() + WARM_UP;
    let end = start + MEASURE;
    let mut tasks = Vec::new();
    for (i, (token, expected)) in chosen.into_iter().enumerate() {
        let url = url.clone();
        // Paced clients start spread over one period, so they do not all fire at once.
        let mut due = pace.map(|p| Instant::now() + p.mul_f64(i as f64 / clients_wanted as f64));
        tasks.push(tokio::spawn(async move {
            // One HTTP client (one keep-alive connection) per simulated person.
            let http = reqwest::Client::new();
            let first = http.get(&url).bearer_auth(&token).send().await.expect("server answers");
            let list: Vec<camshare_api::SharedDevice> = first.json().await.expect("a JSON list");
            assert_eq!(list.len(), expected, "the recipient sees exactly their accepted shares");
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            loop {
                let t0 = match (&mut due, pace) {
                    (Some(due), Some(pace)) => {
                        tokio::time::sleep_until((*due).into()).await;
                        let t0 = *due;
                        *due += pace;
                        t0
                    }
                    _ => Instant::now(),
                };
                if t0 >= end {
                    break;
                }
                let ok = match http.get(&url).bearer_auth(&token).send().await {
                    Ok(resp) => resp.status().is_success() && resp.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if t0 >= start {
                    latencies.push(t0.elapsed());
                    errors += u64::from(!ok);
                }
            }
            (latencies, errors, expected)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut devices_per_client = Vec::new();
    for task in tasks {
        let (l, e, n) = task.await.expect("client task");
        latencies.extend(l);
        errors += e;
        devices_per_client.push(n);
    }
    latencies.sort();
    let n = latencies.len();
    let p99 = percentile(&latencies, 0.99);
    let mode = match pace {
        Some(p) => format!("each starting a request every {} ms", p.as_millis()),
        None => "closed loop, no pause".to_string(),
    };
    println!(
        "GET /api/shared-devices, SQLite, {SHARES} shares, {clients_wanted} concurrent clients ({mode}), {} s measured after {} s warm-up",
        MEASURE.as_secs(),
        WARM_UP.as_secs()
    );
    println!(
        "shared devices per client: {}..={} (mean {:.1})",
        devices_per_client.iter().min().unwrap(),
        devices_per_client.iter().max().unwrap(),
        devices_per_client.iter().sum::<usize>() as f64 / devices_per_client.len() as f64
    );
    println!("| requests | errors | requests/s | p50 | p90 | p99 | max |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {n} | {errors} | {:.0} | {} | {} | {} | {} |",
        n as f64 / MEASURE.as_secs_f64(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.90)),
        ms(p99),
        ms(*latencies.last().unwrap())
    );
    println!("load average after: {}", load_average());
    println!(
        "target p99 <= {} ms: {}",
        TARGET_P99.as_millis(),
        if p99 <= TARGET_P99 && errors == 0 { "PASS" } else { "MISSED" }
    );
    let _ = std::fs::remove_dir_all(&app.data_dir);
}
