//! 50 viewers of one channel through the gate (docs/BENCHMARKS.md §5): the gate's CPU and memory,
//! and whether any viewer falls behind. The server runs as its own process (the release
//! `camshare-server` next to this benchmark's binary), so its CPU and memory are its own; the
//! camera simulator runs in this process; each viewer is `rtspsrc → rtph264depay → appsink`
//! (received pictures are counted, not decoded, so 50 decoders do not starve the gate of CPU).
//!
//! Run: `cargo build --release -p camshare-server && cargo bench -p camshare-desktop --bench gate_fanout`
//! (`-- --viewers N --seconds S` to change the load).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use camshare_api::StreamKind;
use camshare_camsim::{Camsim, Config};
use camshare_client::Client;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use camshare_testkit::world::{account_at, camsim_device};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// CPU seconds (user + system) and resident memory (KiB) of a process.
fn usage(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(") ").map(|(_, rest)| rest.split(' ').collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (cpu, rss)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A viewer that counts the pictures it receives.
struct Counter {
    pipeline: gst::Pipeline,
    pictures: Arc<AtomicU64>,
}

impl Drop for Counter {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

fn counter(url: &str, user: &str, password: &str) -> Counter {
    let pipeline =
        gst::parse::launch("rtspsrc name=src protocols=tcp latency=100 ! rtph264depay ! appsink name=sink sync=false")
            .unwrap()
            .downcast::<gst::Pipeline>()
            .unwrap();
    let src = pipeline.by_name("src").unwrap();
    src.set_property("location", url);
    src.set_property("user-id", user);
    src.set_property("user-pw", password);
    let pictures = Arc::new(AtomicU64::new(0));
    let seen = pictures.clone();
    let sink = pipeline.by_name("sink").unwrap().downcast::<gst_app::AppSink>().unwrap();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let _ = sink.pull_sample();
                seen.fetch_add(1, Ordering::Relaxed);
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    pipeline.set_state(gst::State::Playing).unwrap();
    Counter { pipeline, pictures }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    gst::init().unwrap();
    let viewers = arg("--viewers", 50) as usize;
    let seconds = arg("--seconds", 20);
    let exe = std::env::current_exe().unwrap();
    let server_bin = exe.parent().and_then(|d| d.parent()).unwrap().join("camshare-server");
    assert!(
        server_bin.exists(),
        "build the server first: cargo build --release -p camshare-server ({})",
        server_bin.display()
    );
    let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (http, rtsp) = (free(), free());
    let data = std::env::temp_dir().join(format!("camshare-fanout-{http}"));
    let server = Server(
        Command::new(&server_bin)
            .args(["--listen", &format!("127.0.0.1:{http}"), "--gate-listen", &format!("127.0.0.1:{rtsp}")])
            .arg("--data-dir")
            .arg(&data)
            .args(["--log", "warn", "--camera-allow", "127.0.0.0/8"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{http}");
    // Wait for the server, then set up as everywhere else.
    let probe = Client::new(&base).unwrap();
    let mut up = false;
    for _ in 0..100 {
        if probe.health().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server did not start");
    let owner = account_at(&base, &data.join("outbox"), "Olga", "olga@example.com").await;
    let camsim = Camsim::start(Config::nvr(&["Front door", "Garage"])).await.unwrap();
    let nvr = owner.add_device(&camsim_device(&camsim, "Home NVR")).await.unwrap();
    let pid = server.0.id();
    let (_, rss_idle) = usage(pid);

    let mut counters = Vec::new();
    for _ in 0..viewers {
        let ticket = owner.stream_ticket(nvr.id, 1, StreamKind::Sub).await.unwrap();
        counters.push(counter(&ticket.url, &ticket.username, ticket.ticket.expose()));
    }
    // Let every viewer get going, then measure a steady window.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let start_counts: Vec<u64> = counters.iter().map(|c| c.pictures.load(Ordering::Relaxed)).collect();
    let (cpu0, _) = usage(pid);
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let (cpu1, rss) = usage(pid);
    let wall = t0.elapsed().as_secs_f64();
    let mut got: Vec<u64> =
        counters.iter().zip(&start_counts).map(|(c, s)| c.pictures.load(Ordering::Relaxed) - s).collect();
    got.sort();
    let expected = (15.0 * wall).round() as u64;
    println!("{viewers} viewers of one sub stream (15 fps) through the gate, {wall:.1} s measured");
    println!(
        "  pictures per viewer: min {}, median {}, max {} (the camera sent about {expected})",
        got[0],
        got[got.len() / 2],
        got[got.len() - 1]
    );
    println!("  server process CPU: {:.1} % of one core", (cpu1 - cpu0) / wall * 100.0);
    println!(
        "  server process memory: {} MiB resident idle, {} MiB with {viewers} viewers",
        rss_idle / 1024,
        rss / 1024
    );
    let behind = got.iter().filter(|n| (**n as f64) < expected as f64 * 0.95).count();
    println!("  viewers below 95 % of the camera's pictures: {behind}");
    drop(counters);
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
}
