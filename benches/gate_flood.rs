//! The gate and the API under a flood (docs/BENCHMARKS.md §6, issue 10): while an attacker at
//! another loopback address (127.0.0.2) sends made-up-ticket DESCRIBEs to the gate as fast as
//! it can and holds 2,000 half-sent HTTP requests open against the API, a recipient's
//! revoke → stream closed and a legitimate viewer's ticket → first frame are measured, each
//! also without the flood in the same run, beside the same viewer straight at the camera
//! simulator.
//!
//! Run: `cargo bench -p camshare-desktop --bench gate_flood` (`-- --quick` for fewer tries).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use camshare_api::{ChannelGrants, CreateShares, DeviceGrant, FunctionSet, ShareId, ShareTerms, StreamKind};
use camshare_camsim::{Camsim, Config, stream_path};
use camshare_client::Client;
use camshare_testkit::bench::{load_average, ms, open_files_limit, percentile};
use camshare_testkit::world::{account, camsim_device};
use camshare_testkit::{Engine, TestApp, spawn_app};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "support/viewing.rs"]
mod viewing;
use viewing::{first_frame, gray, watch_until_closed};

/// Where the attacker comes from: not the legitimate clients' 127.0.0.1.
const ATTACKER: [u8; 4] = [127, 0, 0, 2];
/// Made-up DESCRIBEs in flight at once.
const DESCRIBES_IN_FLIGHT: usize = 256;
/// Half-sent HTTP requests the attacker tries to hold open.
const HALF_OPEN: usize = 2_000;

/// What the attacker achieved.
#[derive(Default)]
struct Attack {
    stop: AtomicBool,
    describes: AtomicU64,
    refused: AtomicU64,
    /// Answers other than 401, none, or connections that could not be made.
    other: AtomicU64,
    http_opened: AtomicU64,
    http_closed_at_once: AtomicU64,
}

async fn attacker_socket(to: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind((ATTACKER, 0).into())?;
    socket.connect(to).await
}

/// One made-up ticket of the right shape (43 URL-safe characters), for account 1.
fn made_up_describe(url: &str, n: u64) -> Vec<u8> {
    let ticket: String = format!("{n:0>43}").chars().rev().collect();
    let basic = data_encoding::BASE64.encode(format!("1:{ticket}").as_bytes());
    format!("DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\nAuthorization: Basic {basic}\r\n\r\n").into_bytes()
}

async fn describe_flood(attack: Arc<Attack>, gate: std::net::SocketAddr, url: String) {
    let mut tasks = Vec::new();
    for lane in 0..DESCRIBES_IN_FLIGHT as u64 {
        let (attack, url) = (attack.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = lane;
            while !attack.stop.load(Ordering::Relaxed) {
                n += DESCRIBES_IN_FLIGHT as u64;
                let Ok(mut stream) = attacker_socket(gate).await else {
                    attack.other.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                if stream.write_all(&made_up_describe(&url, n)).await.is_err() {
                    continue;
                }
                attack.describes.fetch_add(1, Ordering::Relaxed);
                // Read to the end: the gate hangs up 50 ms after a refusal. (An attacker that
                // hung up first would keep the closed connections' ports itself, in TIME_WAIT,
                // and soon run out of them: the gate closing first is what lets it flood.)
                let mut answer = Vec::new();
                let read = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut answer)).await;
                if read.is_ok() && answer.starts_with(b"RTSP/1.0 401") {
                    attack.refused.fetch_add(1, Ordering::Relaxed);
                } else {
                    attack.other.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
}

/// Keeps up to `HALF_OPEN` connections each holding a request whose headers never end; one the
/// server closes is opened again.
async fn half_open_flood(attack: Arc<Attack>, api: std::net::SocketAddr) {
    let mut tasks = Vec::new();
    for _ in 0..HALF_OPEN {
        let attack = attack.clone();
        tasks.push(tokio::spawn(async move {
            while !attack.stop.load(Ordering::Relaxed) {
                let Ok(mut stream) = attacker_socket(api).await else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                attack.http_opened.fetch_add(1, Ordering::Relaxed);
                let _ = stream.write_all(b"GET /api/health HTTP/1.1\r\nHost: camshare\r\n").await;
                let opened = Instant::now();
                let mut byte = [0u8; 1];
                // Wait for the server to close it (header timeout, or the per-address cap at once).
                let closed = tokio::select! {
                    _ = stream.read(&mut byte) => true,
                    _ = async { while !attack.stop.load(Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    } } => false,
                };
                if closed && opened.elapsed() < Duration::from_millis(500) {
                    attack.http_closed_at_once.fetch_add(1, Ordering::Relaxed);
                    // A closed slot is tried again, but not in a hot loop.
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
}

/// Starts the attacker on a runtime and a thread of its own; stop it with `attack.stop`.
fn start_attack(
    attack: Arc<Attack>,
    gate: std::net::SocketAddr,
    url: String,
    api: std::net::SocketAddr,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        runtime.block_on(async move {
            tokio::join!(describe_flood(attack.clone(), gate, url), half_open_flood(attack, api));
        });
    })
}

struct Setup {
    server: TestApp,
    camsim: Camsim,
    owner: Client,
    bob: Client,
    nvr: camshare_api::DeviceId,
}

impl Setup {
    async fn share_with_bob(&self) -> ShareId {
        let created = self
            .owner
            .share_devices(&CreateShares {
                recipient: "bob@example.com".into(),
                remark: None,
                devices: vec![DeviceGrant {
                    device: self.nvr,
                    channels: ChannelGrants::uniform([1, 2], FunctionSet::GUEST),
                }],
                terms: ShareTerms::default(),
            })
            .await
            .unwrap();
        let id = created.shares[0].id;
        self.bob.accept_invite(id).await.unwrap();
        id
    }

    /// Ticket → first decoded frame through the gate, `tries` times; also the part of each
    /// that was the ticket request (the API), so the gate's part can be told apart.
    async fn first_frames(&self, tries: usize) -> (Vec<Duration>, Vec<Duration>) {
        let (mut total, mut tickets) = (Vec::new(), Vec::new());
        for _ in 0..tries {
            let start = Instant::now();
            let ticket = self.bob.stream_ticket(self.nvr, 2, StreamKind::Sub).await.unwrap();
            tickets.push(start.elapsed());
            let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
            tokio::task::spawn_blocking(move || first_frame(&config)).await.unwrap();
            total.push(start.elapsed());
        }
        (total, tickets)
    }

    /// The same viewer straight at the camera simulator, `tries` times.
    async fn straight_first_frames(&self, tries: usize) -> Vec<Duration> {
        let direct = format!("{}{}", self.camsim.rtsp_url(), stream_path(2, true));
        let (user, password) = (self.camsim.config.username.clone(), self.camsim.config.password.clone());
        let mut out = Vec::new();
        for _ in 0..tries {
            let config = gray(&direct, &user, &password);
            out.push(tokio::task::spawn_blocking(move || first_frame(&config)).await.unwrap());
        }
        out
    }

    /// Revoke call → Bob's viewer sees its stream end, `tries` times (a new share each time).
    async fn revokes(&self, tries: usize) -> Vec<Duration> {
        let mut out = Vec::new();
        for _ in 0..tries {
            let share = self.share_with_bob().await;
            let ticket = self.bob.stream_ticket(self.nvr, 2, StreamKind::Sub).await.unwrap();
            let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let watcher = tokio::task::spawn_blocking(move || watch_until_closed(&config, tx));
            rx.recv().unwrap();
            let revoked = SystemTime::now();
            self.owner.revoke_share(share).await.unwrap();
            let closed = watcher.await.unwrap();
            out.push(closed.duration_since(revoked).unwrap_or_default());
        }
        out
    }
}

/// The p99s of one phase.
struct Phase {
    first_frame: Duration,
    straight: Duration,
    revoke: Duration,
}

impl Setup {
    /// One phase: first frames through the gate (and the ticket request's part), the reference
    /// straight at camsim, revokes; printed, and the p99s answered.
    async fn measure(&self, frames: usize, revokes: usize) -> Phase {
        let share = self.share_with_bob().await;
        let (through, tickets) = self.first_frames(frames).await;
        let first_frame = report("ticket → first frame, through the gate", through);
        report("  of which the ticket request (HTTP API)", tickets);
        let straight = report("first frame straight at camsim (reference)", self.straight_first_frames(frames).await);
        self.owner.revoke_share(share).await.unwrap();
        let revoke = report("revoke → stream closed", self.revokes(revokes).await);
        Phase { first_frame, straight, revoke }
    }
}

/// Prints one line and answers the p99.
fn report(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let p99 = percentile(&samples, 0.99);
    println!(
        "  {name:<44} n={:<3} p50 {:>8}  p99 {:>8}  max {:>8}",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(p99),
        ms(*samples.last().unwrap())
    );
    p99
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (frames, revokes) = if quick { (10, 10) } else { (30, 50) };
    if let Some(limit) = open_files_limit().filter(|l| *l < 5_000) {
        eprintln!("this benchmark holds about 5,000 open files but the limit is {limit}: run `ulimit -n 8192` first");
        std::process::exit(2);
    }
    println!("gate and API under a flood ({frames} first frames, {revokes} revokes per phase)");
    println!("load average before: {}", load_average());
    let server = spawn_app(Engine::Sqlite).await;
    let camsim = Camsim::start(Config::nvr(&["Front door", "Garage"])).await.unwrap();
    let owner = account(&server, "Olga", "olga@example.com").await;
    let bob = account(&server, "Bob", "bob@example.com").await;
    let nvr = owner.add_device(&camsim_device(&camsim, "Home NVR")).await.unwrap().id;
    let setup = Setup { server, camsim, owner, bob, nvr };
    // Warm the upstream once, so both phases start alike.
    let warm = setup.share_with_bob().await;
    setup.first_frames(1).await;
    setup.owner.revoke_share(warm).await.unwrap();

    println!("\nquiet (no flood)");
    let quiet = setup.measure(frames, revokes).await;

    let gate = setup.server.state.gate.as_ref().expect("the gate runs");
    let gate_addr = std::net::SocketAddr::from(([127, 0, 0, 1], gate.port));
    let url = format!("{}/live/{}/2/sub", gate.url_base, nvr.0);
    let api_addr: std::net::SocketAddr = setup.server.base_url.trim_start_matches("http://").parse().unwrap();
    let attack = Arc::new(Attack::default());
    let attacker = start_attack(attack.clone(), gate_addr, url, api_addr);
    // Let the half-open connections pile up first.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let started = Instant::now();
    let before = attack.describes.load(Ordering::Relaxed);

    println!("\nunder the flood (made-up DESCRIBEs and {HALF_OPEN} half-open HTTP requests from 127.0.0.2)");
    let flood = setup.measure(frames, revokes).await;
    let seconds = started.elapsed().as_secs_f64();
    attack.stop.store(true, Ordering::Relaxed);
    let _ = attacker.join();

    let sent = attack.describes.load(Ordering::Relaxed) - before;
    println!(
        "\n  the attacker: {sent} made-up DESCRIBEs while measuring ({:.0}/s; {} answered 401 and closed, {} otherwise \
         over the whole attack); {} HTTP connections opened, {} of them closed at once",
        sent as f64 / seconds,
        attack.refused.load(Ordering::Relaxed),
        attack.other.load(Ordering::Relaxed),
        attack.http_opened.load(Ordering::Relaxed),
        attack.http_closed_at_once.load(Ordering::Relaxed),
    );
    println!(
        "  ratios flood / quiet: first frame {:.2}× (reference {:.2}×), revoke {:.2}×",
        flood.first_frame.as_secs_f64() / quiet.first_frame.as_secs_f64(),
        flood.straight.as_secs_f64() / quiet.straight.as_secs_f64(),
        flood.revoke.as_secs_f64() / quiet.revoke.as_secs_f64()
    );
    let pass =
        flood.revoke <= Duration::from_millis(250) && flood.first_frame <= Duration::from_millis(500) && sent >= 20_000;
    println!(
        "\n{} targets under the flood: revoke → closed p99 ≤ 250 ms ({}), first frame p99 ≤ 500 ms ({}), ≥ 20,000 \
         DESCRIBEs while measuring ({sent})",
        if pass { "PASS" } else { "MISSED" },
        ms(flood.revoke),
        ms(flood.first_frame)
    );
    println!("load average after: {}", load_average());
}
