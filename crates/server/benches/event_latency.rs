//! Benchmark of event delivery: with 1,000 accounts each holding an open event stream
//! (`GET /api/events`), an owner sends invites one at a time, each to a random one of them; the
//! time is taken from just before `POST /api/shares` to the moment the recipient's stream yields
//! the `invite_received` event for that share. Target (issue 2): p99 at most 50 ms.
//!
//! Everything runs in one process on loopback: the server (SQLite by default, Postgres with the
//! `postgres` argument, on a throwaway cluster from `camshare_testkit::postgres`), the
//! 1,000 streams and the owner. The process needs about 2,100 file descriptors.
//!
//! ```text
//! cargo bench -p camshare-server --bench event_latency
//! cargo bench -p camshare-server --bench event_latency -- postgres
//! ```

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use camshare_api::{
    AccountId, ChannelGrants, CreateShares, CreatedShares, DeviceGrant, DeviceId, Event, EventKind, FunctionSet,
    Timestamp,
};
use camshare_server::clock::Clock;
use camshare_server::secrets::{self, ACCOUNT_CODE_ID_LEN};
use camshare_server::store::{WriteTx, accounts, sessions};
use camshare_testkit::bench::{load_average, ms, open_files_limit, percentile};
use camshare_testkit::{Engine, TestApp, spawn_app};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::mpsc;

const STREAMS: usize = 1_000;
const INVITES: usize = 500;
/// One invite every this often (the next waits if an event takes longer to arrive).
const INTERVAL: Duration = Duration::from_millis(10);
/// The owner's cameras: each recipient can be invited to each at most once while pending.
const OWNER_DEVICES: usize = 8;
const TARGET_P99: Duration = Duration::from_millis(50);
/// Streams, their server ends, the database and some slack.
const FDS_NEEDED: u64 = 2 * STREAMS as u64 + 100;

/// An account as sign-up stores it, without paying for Argon2 (nobody signs in with it).
async fn add_account(tx: &mut WriteTx<'_>, now: Timestamp, email: &str, name: &str) -> AccountId {
    let code_id = data_encoding::HEXLOWER.encode(&secrets::random_bytes::<ACCOUNT_CODE_ID_LEN>());
    let new = accounts::NewAccount {
        email: Some(email),
        phone: None,
        display_name: name,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$bm90LXVzZWQ$bm90LXVzZWQ",
        code_id: &code_id,
        time_zone: "Europe/Berlin",
    };
    accounts::insert(tx, &new, now).await.expect("account")
}

struct Seeded {
    owner_token: String,
    devices: Vec<DeviceId>,
    /// (email, access token) of each recipient account.
    recipients: Vec<(String, String)>,
}

/// One owner with cameras and 1,000 other accounts, each with a session, in one transaction.
async fn seed(app: &TestApp) -> Seeded {
    let now = app.clock.now();
    let mut tx = app.db().write().await.expect("write transaction");
    let owner = add_account(&mut tx, now, "owner@bench.example", "Bench Owner").await;
    let credentials: &[u8] = br#"{"username":"admin","password":"camera-password"}"#;
    let mut devices = Vec::new();
    for d in 0..OWNER_DEVICES {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO devices (owner_id, name, kind, rtsp_url, credentials, created_ms) \
             VALUES ($1, $2, 'camera', $3, $4, $5) RETURNING id",
        )
        .bind(owner.0)
        .bind(format!("Camera {d}"))
        .bind(format!("rtsp://10.0.0.{}:554/stream", d + 10))
        .bind(Vec::<u8>::new())
        .bind(now.as_millisecond())
        .fetch_one(&mut *tx)
        .await
        .expect("device");
        sqlx::query("UPDATE devices SET credentials = $1, credentials_version = 2 WHERE id = $2")
            .bind(app.state.key.seal_credentials(DeviceId(id), credentials))
            .bind(id)
            .execute(&mut *tx)
            .await
            .expect("credentials");
        sqlx::query("INSERT INTO channels (device_id, number, name) VALUES ($1, 1, $2)")
            .bind(id)
            .bind(format!("Camera {d}"))
            .execute(&mut *tx)
            .await
            .expect("channel");
        devices.push(DeviceId(id));
    }
    let owner_token = sessions::create(&mut tx, owner, now).await.expect("session").access_token.expose().to_string();
    let mut recipients = Vec::new();
    for i in 0..STREAMS {
        let email = format!("viewer{i}@bench.example");
        let account = add_account(&mut tx, now, &email, &format!("Viewer {i}")).await;
        let token = sessions::create(&mut tx, account, now).await.expect("session").access_token.expose().to_string();
        recipients.push((email, token));
    }
    tx.commit().await.expect("commit seed");
    Seeded { owner_token, devices, recipients }
}

/// Holds one account's event stream open and reports each `invite_received` (share id, when).
async fn follow(
    http: reqwest::Client,
    url: String,
    token: String,
    ready: mpsc::UnboundedSender<()>,
    received: mpsc::UnboundedSender<(i64, Instant)>,
) {
    let mut resp = http.get(&url).bearer_auth(&token).send().await.expect("stream opens");
    assert!(resp.status().is_success(), "event stream answered {}", resp.status());
    let _ = ready.send(());
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let arrived = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let message: String = buffer.drain(..end + 2).collect();
            let data = message.lines().find_map(|l| l.strip_prefix("data:")).map(str::trim);
            if let Some(event) = data.and_then(|d| serde_json::from_str::<Event>(d).ok())
                && let EventKind::InviteReceived { share, .. } = event.kind
            {
                let _ = received.send((share.0, arrived));
            }
        }
    }
    eprintln!("an event stream ended early");
}

#[tokio::main]
async fn main() {
    let engine = if std::env::args().skip(1).any(|a| a == "postgres") { Engine::Postgres } else { Engine::Sqlite };
    if let Some(limit) = open_files_limit().filter(|l| *l < FDS_NEEDED) {
        eprintln!("this benchmark needs {FDS_NEEDED} open files but the limit is {limit}: run `ulimit -n 4096` first");
        std::process::exit(2);
    }
    println!("load average before: {}", load_average());
    let app = spawn_app(engine).await;
    let seeded = seed(&app).await;

    let http = reqwest::Client::new();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
    let (received_tx, mut received_rx) = mpsc::unbounded_channel();
    let url = format!("{}/api/events", app.base_url);
    let t = Instant::now();
    for (_, token) in &seeded.recipients {
        tokio::spawn(follow(http.clone(), url.clone(), token.clone(), ready_tx.clone(), received_tx.clone()));
    }
    for _ in 0..STREAMS {
        ready_rx.recv().await.expect("every stream opens");
    }
    println!("{STREAMS} event streams open after {:.2} s", t.elapsed().as_secs_f64());

    let owner = reqwest::Client::new();
    let shares_url = format!("{}/api/shares", app.base_url);
    let mut rng = StdRng::seed_from_u64(3);
    let mut invited = HashSet::new();
    let mut early: HashMap<i64, Instant> = HashMap::new();
    let mut latencies = Vec::new();
    let mut post_times = Vec::new();
    let mut lost = 0;
    let mut next = Instant::now();
    for _ in 0..INVITES {
        tokio::time::sleep_until(next.into()).await;
        next += INTERVAL;
        let (recipient, device) = loop {
            let r = rng.random_range(0..STREAMS);
            if let Some(d) = seeded.devices.iter().find(|d| !invited.contains(&(**d, r))) {
                invited.insert((*d, r));
                break (r, *d);
            }
        };
        let body = CreateShares {
            recipient: seeded.recipients[recipient].0.clone(),
            remark: None,
            devices: vec![DeviceGrant { device, channels: ChannelGrants::uniform([1], FunctionSet::GUEST) }],
            terms: Default::default(),
        };

        let t0 = Instant::now();
        let resp = owner.post(&shares_url).bearer_auth(&seeded.owner_token).json(&body).send().await.expect("POST");
        assert_eq!(resp.status().as_u16(), 201, "share_devices answered {}", resp.status());
        let created: CreatedShares = resp.json().await.expect("created shares");
        post_times.push(t0.elapsed());
        let share = created.shares[0].id.0;
        let arrived = match early.remove(&share) {
            Some(at) => Some(at),
            None => loop {
                match tokio::time::timeout(Duration::from_secs(5), received_rx.recv()).await {
                    Ok(Some((id, at))) if id == share => break Some(at),
                    Ok(Some((id, at))) => {
                        early.insert(id, at);
                    }
                    _ => break None,
                }
            },
        };
        match arrived {
            Some(at) => latencies.push(at - t0),
            None => lost += 1,
        }
    }

    latencies.sort();
    post_times.sort();
    let p99 = percentile(&latencies, 0.99);
    let engine_name = if engine == Engine::Sqlite { "SQLite" } else { "Postgres" };
    println!(
        "invite -> invite_received on the recipient's stream, {engine_name}, {STREAMS} open streams, {INVITES} invites one every {} ms",
        INTERVAL.as_millis()
    );
    println!("| measured | invites | lost | p50 | p90 | p99 | max |");
    println!("|---|---|---|---|---|---|---|");
    for (what, v, lost) in [
        ("POST /api/shares -> event received", &latencies, lost),
        ("POST /api/shares round trip alone", &post_times, 0),
    ] {
        println!(
            "| {what} | {} | {lost} | {} | {} | {} | {} |",
            v.len(),
            ms(percentile(v, 0.50)),
            ms(percentile(v, 0.90)),
            ms(percentile(v, 0.99)),
            ms(*v.last().unwrap())
        );
    }
    println!("load average after: {}", load_average());
    println!(
        "target p99 <= {} ms: {}",
        TARGET_P99.as_millis(),
        if p99 <= TARGET_P99 && lost == 0 { "PASS" } else { "MISSED" }
    );
    let _ = std::fs::remove_dir_all(&app.data_dir);
    // The open streams never end by themselves.
    std::process::exit(0);
}
