//! Live-view benchmarks (docs/BENCHMARKS.md §5), each beside a reference straight at the camera
//! simulator in the same run; the simulator keeps a realistic 2 s keyframe interval.
//!
//! 1. Ticket → first decoded frame, through the gate, vs. the same viewer pipeline and vs.
//!    `gst-launch-1.0` straight at the simulator.
//! 2. Glass-to-glass latency: the wall clock stamped into each picture vs. when it left the
//!    viewer's decoder, through the gate and straight.
//! 3. Revoke → stream closed, 100 tries.
//!
//! Run: `cargo bench -p camshare-desktop --bench live_view` (add `-- --quick` for fewer tries).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use camshare_api::{ChannelGrants, CreateShares, DeviceGrant, FunctionSet, ShareTerms, StreamKind};
use camshare_camsim::{Camsim, Config, stamp, stream_path};
use camshare_media::{Viewer, ViewerConfig};
use camshare_testkit::bench::{load_average, ms, percentile};
use camshare_testkit::world::{account, camsim_device};
use camshare_testkit::{Engine, spawn_app};

#[path = "support/viewing.rs"]
mod viewing;
use viewing::{first_frame, gray, watch_until_closed};

/// `gst-launch-1.0` decoding one frame: the wall time of the whole process.
fn gst_launch_first_frame(url: &str) -> Duration {
    let start = Instant::now();
    let out = std::process::Command::new("gst-launch-1.0")
        .args(["-q", "rtspsrc", &format!("location={url}"), "protocols=tcp", "latency=100", "!", "rtph264depay"])
        .args(["!", "h264parse", "!", "avdec_h264", "output-corrupt=false", "!", "fakesink", "num-buffers=1"])
        .output()
        .expect("gst-launch-1.0 runs");
    // After the frame, rtspsrc sometimes fails to send PAUSE while shutting down (the server
    // already closed): that is teardown, not a failure to play.
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() || said.contains("gst_rtspsrc_pause"), "gst-launch failed: {said}");
    start.elapsed()
}

/// Latencies (decoded − stamped) of every stamped frame over `span`.
fn glass_to_glass(config: &ViewerConfig, span: Duration) -> Vec<Duration> {
    let mut viewer = Viewer::open(config).expect("viewer opens");
    let start = Instant::now();
    let mut out = Vec::new();
    let (mut frames, mut unstamped) = (0, 0);
    while start.elapsed() < span {
        if let Some(frame) = viewer.next_frame(Duration::from_millis(500)).expect("stream runs") {
            frames += 1;
            let Some(s) = stamp::read(&frame.data, frame.stride as usize, frame.width as usize, frame.height as usize)
            else {
                unstamped += 1;
                continue;
            };
            let decoded = frame.decoded_at.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
            out.push(Duration::from_millis(decoded.saturating_sub(s.unix_ms)));
        }
    }
    println!("  ({frames} frames in {span:?}, {unstamped} without a readable stamp)");
    out
}

fn report(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let p50 = percentile(&samples, 0.50);
    println!(
        "  {name:<46} n={:<4} p50 {:>8}  p90 {:>8}  p99 {:>8}  max {:>8}",
        samples.len(),
        ms(p50),
        ms(percentile(&samples, 0.90)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().unwrap())
    );
    p50
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let tries = if quick { 10 } else { 30 };
    let revokes = if quick { 20 } else { 100 };
    println!("live-view benchmarks ({tries} tries each, {revokes} revokes); load average before: {}", load_average());
    let server = spawn_app(Engine::Sqlite).await;
    let camsim = Camsim::start(Config::nvr(&["Front door", "Garage"])).await.unwrap();
    let owner = account(&server, "Olga", "olga@example.com").await;
    let bob = account(&server, "Bob", "bob@example.com").await;
    let nvr = owner.add_device(&camsim_device(&camsim, "Home NVR")).await.unwrap();
    let share_with_bob = || async {
        let created = owner
            .share_devices(&CreateShares {
                recipient: "bob@example.com".into(),
                remark: None,
                devices: vec![DeviceGrant {
                    device: nvr.id,
                    channels: ChannelGrants::uniform([1, 2], FunctionSet::GUEST),
                }],
                terms: ShareTerms::default(),
            })
            .await
            .unwrap();
        let id = created.shares[0].id;
        bob.accept_invite(id).await.unwrap();
        id
    };
    share_with_bob().await;
    let direct = format!("{}{}", camsim.rtsp_url(), stream_path(2, true));
    let direct_with_login = camsim.stream_url_with_login(2, true);
    let (user, password) = (camsim.config.username.clone(), camsim.config.password.clone());
    // A ticket costs the server's clock nothing; the manual clock stands still, so tickets stay
    // fresh for the whole run.

    println!("\n1. ticket → first decoded frame (sub stream 640×360, 15 fps, keyframe every 2 s)");
    let mut gate = Vec::new();
    let mut gate_launch = Vec::new();
    let mut straight = Vec::new();
    let mut straight_launch = Vec::new();
    let mut cold = None;
    for i in 0..tries {
        let start = Instant::now();
        let ticket = bob.stream_ticket(nvr.id, 2, StreamKind::Sub).await.unwrap();
        let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
        let opened = tokio::task::spawn_blocking(move || first_frame(&config)).await.unwrap();
        let total = start.elapsed();
        let _ = opened;
        if i == 0 {
            cold = Some(total);
        } else {
            gate.push(total);
        }
        let ticket = bob.stream_ticket(nvr.id, 2, StreamKind::Sub).await.unwrap();
        let url = ticket.url_with_credentials();
        let start = Instant::now();
        tokio::task::spawn_blocking(move || gst_launch_first_frame(&url)).await.unwrap();
        gate_launch.push(start.elapsed());
        let config = gray(&direct, &user, &password);
        straight.push(tokio::task::spawn_blocking(move || first_frame(&config)).await.unwrap());
        let url = direct_with_login.clone();
        straight_launch.push(tokio::task::spawn_blocking(move || gst_launch_first_frame(&url)).await.unwrap());
    }
    println!("  (the first viewer through the gate, upstream not yet connected: {})", ms(cold.unwrap()));
    let p_gate = report("gate, camshare-media viewer (warm upstream)", gate);
    let p_straight = report("straight at camsim, camshare-media viewer", straight);
    let p_gate_launch = report("gate, gst-launch-1.0 (whole process)", gate_launch);
    let p_straight_launch = report("straight at camsim, gst-launch-1.0 (whole process)", straight_launch);
    println!(
        "  ratio gate / straight: viewer {:.2}×, gst-launch {:.2}×",
        p_gate.as_secs_f64() / p_straight.as_secs_f64(),
        p_gate_launch.as_secs_f64() / p_straight_launch.as_secs_f64()
    );

    println!("\n2. glass-to-glass (stamped wall clock → decoded), 10 s each, viewer latency 100 ms");
    let ticket = bob.stream_ticket(nvr.id, 2, StreamKind::Sub).await.unwrap();
    let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
    let through = tokio::task::spawn_blocking(move || glass_to_glass(&config, Duration::from_secs(10))).await.unwrap();
    let config = gray(&direct, &user, &password);
    let straight = tokio::task::spawn_blocking(move || glass_to_glass(&config, Duration::from_secs(10))).await.unwrap();
    report("through the gate", through);
    report("straight at camsim", straight);

    println!("\n3. revoke → stream closed ({revokes} tries)");
    let mut closes = Vec::new();
    let first = owner.list_shares().await.unwrap().into_iter().find(|s| s.device == nvr.id).unwrap().id;
    owner.revoke_share(first).await.unwrap();
    for _ in 0..revokes {
        let share = share_with_bob().await;
        let ticket = bob.stream_ticket(nvr.id, 2, StreamKind::Sub).await.unwrap();
        let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let watcher = tokio::task::spawn_blocking(move || watch_until_closed(&config, tx));
        rx.recv().unwrap();
        let revoked = SystemTime::now();
        owner.revoke_share(share).await.unwrap();
        let closed = watcher.await.unwrap();
        closes.push(closed.duration_since(revoked).unwrap_or_default());
    }
    report("revoke call → viewer sees the stream end", closes);
    println!("\nload average after: {}", load_average());
}
