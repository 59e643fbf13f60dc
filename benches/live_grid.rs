//! Live-view grid benchmark (issue 11, docs/BENCHMARKS.md §7): what the app costs while it shows
//! a 4-grid and a 16-grid of the camera simulator's sub streams, beside the bare decode of the
//! same streams in the same run.
//!
//! For each grid, after the tiles draw and 3 s to settle, 30 s are measured:
//! - CPU of the app's whole process tree (the app and its WebKit processes), from `/proc`;
//! - frames drawn per tile per second (each tile's `data-frames` counter);
//! - picture age: the simulator's wall-clock stamp read back from each tile's canvas, against
//!   the web view's clock, twice a second;
//! - the reference: one `gst-launch-1.0 rtspsrc ! rtph264depay ! h264parse ! avdec_h264 !
//!   fakesink` per tile straight at the simulator, its CPU over the same 30 s.
//!
//! The server, its gate and the simulator run inside this process; their CPU is printed apart.
//! Run: `scripts/bench-live-grid.sh` (builds and runs this with the app it measures).

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use camshare_camsim::{Camsim, Config};
use camshare_testkit::bench::load_average;
use camshare_testkit::world::{PASSWORD, account, camsim_device};
use camshare_testkit::{Engine, spawn_app};

#[path = "../tests/desktop/harness.rs"]
#[allow(dead_code)]
mod harness;
use harness::App;

const SETTLE: Duration = Duration::from_secs(3);
const WINDOW: Duration = Duration::from_secs(30);
const OLGA: &str = "olga@example.com";

/// Clock ticks per second of `/proc/*/stat` times (`getconf CLK_TCK`; 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// Every process id below `root` (and `root`), from each `/proc/PID/stat`'s parent field.
fn tree(root: u32) -> Vec<u32> {
    let mut parents: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        if let Some((ppid, _)) = stat(pid) {
            parents.entry(ppid).or_default().push(pid);
        }
    }
    let mut out = vec![root];
    let mut at = 0;
    while at < out.len() {
        out.extend(parents.get(&out[at]).cloned().unwrap_or_default());
        at += 1;
    }
    out
}

/// A process's parent and its user + system CPU ticks.
fn stat(pid: u32) -> Option<(u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The name is in parentheses and may hold spaces: the fields start after the last `)`.
    let fields: Vec<&str> = text[text.rfind(')')? + 2..].split(' ').collect();
    let ppid = fields.get(1)?.parse().ok()?;
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((ppid, ticks))
}

/// CPU ticks used so far by these processes (those still alive).
fn ticks(pids: &[u32]) -> u64 {
    pids.iter().filter_map(|pid| stat(*pid)).map(|(_, t)| t).sum()
}

/// CPU in % of one core over `span`.
fn percent(ticks: u64, span: Duration) -> f64 {
    ticks as f64 / TICKS_PER_SECOND / span.as_secs_f64() * 100.0
}

/// The app process for this profile (started by WebKitWebDriver, so not our child).
fn app_pid(profile: &str) -> u32 {
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        let is_app = args.first().is_some_and(|a| a.ends_with(b"camshare-desktop"));
        if is_app && args.windows(2).any(|w| w[0] == b"--profile" && w[1] == profile.as_bytes()) {
            return pid;
        }
    }
    panic!("no camshare-desktop process with --profile {profile}");
}

/// Each tile's drawn-frame counter, read in one script so all tiles are counted at one instant.
async fn frames(app: &App, channels: u16) -> Vec<u64> {
    let script = "return [...Array(arguments[0]).keys()].map((i) => \
        Number(document.querySelector(`[data-testid=\"tile-${i + 1}\"]`)?.dataset.frames ?? 0))";
    let value = app.client.execute(script, vec![channels.into()]).await.expect("the frame count script runs");
    value.as_array().map(|a| a.iter().map(|v| v.as_u64().unwrap_or(0)).collect()).unwrap_or_default()
}

/// Reads the stamp strip (camsim's `stamp::read`, in the web view) off every tile's canvas and
/// answers each picture's age in ms (`Date.now()` − the stamped time); tiles whose strip does not
/// read are left out.
const READ_AGES: &str = r#"
const BITS = 72, SYNC = [1, 0, 1, 0], THRESHOLD = (235 + 16) / 2;
const ages = [];
for (const canvas of document.querySelectorAll('[data-testid^="tile-"] canvas')) {
  const { width, height } = canvas;
  const rows = Math.max(Math.floor(height / 24), 3);
  if (width < BITS * 3) continue;
  const data = canvas.getContext('2d').getImageData(0, 0, width, rows).data;
  const y = Math.floor(rows / 2);
  const bits = [];
  for (let i = 0; i < BITS; i++) {
    const x = Math.floor((Math.floor(i * width / BITS) + Math.floor((i + 1) * width / BITS)) / 2);
    let sum = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      const at = ((y + dy) * width + x + dx) * 4;
      sum += 0.299 * data[at] + 0.587 * data[at + 1] + 0.114 * data[at + 2];
    }
    bits.push(sum / 9 > THRESHOLD ? 1 : 0);
  }
  if (SYNC.some((b, i) => bits[i] !== b)) continue;
  let ms = 0;
  for (let i = 28; i < BITS; i++) ms = ms * 2 + bits[i];
  ages.push(Date.now() - ms);
}
return ages;
"#;

async fn ages(app: &App) -> Vec<f64> {
    let value = app.client.execute(READ_AGES, vec![]).await.expect("the age script runs");
    value.as_array().map(|a| a.iter().filter_map(|v| v.as_f64()).collect()).unwrap_or_default()
}

/// What one grid cost over the window.
struct Measured {
    app_cpu: f64,
    in_process_cpu: f64,
    fps: Vec<f64>,
    ages: Vec<f64>,
    reference_cpu: f64,
}

async fn measure_grid(app: &App, profile: &str, camsim: &Camsim, tiles: u16) -> Measured {
    app.click(&format!("layout-{tiles}")).await;
    let start = Instant::now();
    while frames(app, tiles).await.iter().any(|f| *f < 3) {
        assert!(start.elapsed() < Duration::from_secs(60), "the {tiles}-grid does not draw");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(SETTLE).await;
    eprintln!("{tiles}-grid draws; measuring the app for {WINDOW:?}");

    let pids = tree(app_pid(profile));
    let own = std::process::id();
    let (before, own_before, frames_before) = (ticks(&pids), ticks(&[own]), frames(app, tiles).await);
    let began = Instant::now();
    let mut picture_ages = Vec::new();
    while began.elapsed() < WINDOW {
        picture_ages.extend(ages(app).await);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let span = began.elapsed();
    let (after, own_after, frames_after) = (ticks(&pids), ticks(&[own]), frames(app, tiles).await);
    let fps = frames_before.iter().zip(&frames_after).map(|(a, b)| (b - a) as f64 / span.as_secs_f64()).collect();

    // The reference: the same streams decoded without the app, straight at the simulator.
    let players: Vec<Child> = (1..=tiles).map(|channel| bare_decode(camsim, channel)).collect();
    tokio::time::sleep(SETTLE).await;
    let player_pids: Vec<u32> = players.iter().map(Child::id).collect();
    let reference_before = ticks(&player_pids);
    tokio::time::sleep(WINDOW).await;
    let reference = ticks(&player_pids) - reference_before;
    for mut player in players {
        let _ = player.kill();
        let _ = player.wait();
    }
    Measured {
        app_cpu: percent(after - before, span),
        in_process_cpu: percent(own_after - own_before, span),
        fps,
        ages: picture_ages,
        reference_cpu: percent(reference, WINDOW),
    }
}

fn bare_decode(camsim: &Camsim, channel: u16) -> Child {
    let url = format!("{}{}", camsim.rtsp_url(), camshare_camsim::stream_path(channel, true));
    Command::new("gst-launch-1.0")
        .args(["-q", "rtspsrc", &format!("location={url}"), "protocols=tcp"])
        .arg(format!("user-id={}", camsim.config.username))
        .arg(format!("user-pw={}", camsim.config.password))
        .args(["!", "rtph264depay", "!", "h264parse", "!", "avdec_h264", "!", "fakesink", "sync=false"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gst-launch-1.0 starts")
}

fn report(tiles: u16, m: &Measured) {
    let mut fps = m.fps.clone();
    fps.sort_by(f64::total_cmp);
    let mut ages = m.ages.clone();
    ages.sort_by(f64::total_cmp);
    let age = |q: f64| if ages.is_empty() { f64::NAN } else { ages[((ages.len() - 1) as f64 * q).round() as usize] };
    println!(
        "{tiles}-grid: app tree CPU {:.1} %, bare decode {:.1} % (ratio {:.2}×); frames/s per tile min {:.1}, \
         median {:.1}, max {:.1} (camera 15); picture age p50 {:.0} ms, p90 {:.0} ms ({} readings); \
         server + gate + simulator in this process {:.1} %",
        m.app_cpu,
        m.reference_cpu,
        m.app_cpu / m.reference_cpu,
        fps[0],
        fps[fps.len() / 2],
        fps[fps.len() - 1],
        age(0.5),
        age(0.9),
        ages.len(),
        m.in_process_cpu,
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        println!("load average before: {}", load_average());
        let server = spawn_app(Engine::Sqlite).await;
        let names: Vec<String> = (1..=16).map(|n| format!("Camera {n}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let camsim = Camsim::start(Config::nvr(&names)).await.unwrap();
        let olga = account(&server, "Olga", OLGA).await;
        let nvr = olga.add_device(&camsim_device(&camsim, "Home NVR")).await.unwrap();

        eprintln!("server, simulator and account ready; starting the app");
        let profile = "bench_grid";
        let app = App::launch(&server.base_url, profile, 1280, 800).await;
        app.fill("server-url", &server.base_url).await;
        app.fill("sign-in-login", OLGA).await;
        app.fill("sign-in-password", PASSWORD).await;
        app.click("sign-in-submit").await;
        app.find("nav-sign-out").await;
        app.click(&format!("live-button-{}", nvr.id)).await;
        app.find("live-grid").await;
        eprintln!("live view open");

        for tiles in [4, 16] {
            let measured = measure_grid(&app, profile, &camsim, tiles).await;
            report(tiles, &measured);
        }
        println!("load average after: {}", load_average());
        app.close().await;
    });
}
