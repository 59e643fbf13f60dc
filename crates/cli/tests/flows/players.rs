//! The media gate with players nobody here wrote: `ffprobe` and `gst-launch-1.0 rtspsrc` open a
//! stream with a URL from `camshare stream-url`, and are refused without its ticket.

use camshare_camsim::{Camsim, Config};
use camshare_testkit::Engine;
use camshare_testkit::on_both_engines;
use tokio::process::Command;

use crate::cli::Cli;

/// The URL without its credentials.
fn bare(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let rest = rest.split_once('@').map(|(_, host)| host).unwrap_or(rest);
    format!("{scheme}://{rest}")
}

async fn ffprobe(url: &str) -> std::process::Output {
    Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-show_entries",
            "stream=codec_name,width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(url)
        .output()
        .await
        .expect("ffprobe runs (./scripts/setup.sh installs ffmpeg)")
}

/// Decodes the first frame into a PNG and stops.
async fn gst_launch(url: &str, png: &std::path::Path) -> std::process::Output {
    let location = format!("location={url}");
    let sink = format!("location={}", png.display());
    Command::new("gst-launch-1.0")
        .args(["-q", "rtspsrc", &location, "protocols=tcp", "!", "rtph264depay", "!", "h264parse", "!", "avdec_h264"])
        .args(["!", "videoconvert", "!", "pngenc", "snapshot=true", "!", "filesink", &sink])
        .output()
        .await
        .expect("gst-launch-1.0 runs (./scripts/setup.sh installs gstreamer1.0-tools)")
}

async fn players_open_with_a_ticket_and_not_without(engine: Engine) {
    let cli = Cli::start(engine).await;
    let mut config = Config::nvr(&["Front door", "Garage"]);
    config.password = "CameraSecret99".into();
    let camsim = Camsim::start(config).await.unwrap();
    let olga = cli.sign_up("Olga", "--email", "olga@example.com").await;
    let bob = cli.sign_up("Bob", "--email", "bob@example.com").await;
    let rtsp = camsim.rtsp_url();
    let nvr = cli
        .add_device(
            &olga,
            &["--name", "Home NVR", "--kind", "nvr", "--rtsp", &rtsp, "--username", "admin"]
                .into_iter()
                .chain(["--channel-name", "Front door", "--channel-name", "Garage"])
                .collect::<Vec<_>>(),
        )
        .await
        .to_string();
    let share = cli
        .json(&olga, &["share", "create", "--to", "bob@example.com", "--device", &nvr, "--channels", "2"])
        .await["shares"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    cli.ok(&bob, &["invite", "accept", &share]).await;

    // ffprobe with the URL the CLI prints.
    let url = cli.ok(&bob, &["stream-url", &nvr, "--channel", "2", "--sub"]).await.stdout.trim().to_string();
    assert!(url.starts_with("rtsp://") && url.contains('@'), "{url}");
    let probe = ffprobe(&url).await;
    assert!(probe.status.success(), "ffprobe failed: {}", String::from_utf8_lossy(&probe.stderr));
    assert_eq!(String::from_utf8_lossy(&probe.stdout).trim(), "h264,640,360");
    // …and without the ticket.
    let refused = ffprobe(&bare(&url)).await;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("401"), "{}", String::from_utf8_lossy(&refused.stderr));
    // The used ticket does not open again.
    assert!(!ffprobe(&url).await.status.success(), "a used ticket opened again");

    // gst-launch-1.0 with rtspsrc decodes a frame with a fresh URL…
    let dir = camshare_testkit::temp_dir("camshare-players");
    let png = dir.join("frame.png");
    let url = cli.ok(&bob, &["stream-url", &nvr, "--channel", "2"]).await.stdout.trim().to_string();
    let launched = gst_launch(&url, &png).await;
    assert!(launched.status.success(), "gst-launch failed: {}", String::from_utf8_lossy(&launched.stderr));
    assert!(std::fs::metadata(&png).map(|m| m.len() > 1000).unwrap_or(false), "no frame was decoded");
    // …and is refused without it.
    let _ = std::fs::remove_file(&png);
    let refused = gst_launch(&bare(&url), &png).await;
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stdout).to_string() + &String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("Unauthorized"), "{said}");
    // (filesink creates the file on start; it stays empty.)
    assert_eq!(std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0), 0, "a frame was decoded without a ticket");

    // A channel not shared: the CLI says so and prints no URL.
    let run = cli.fails(Some(&bob), &["stream-url", &nvr, "--channel", "1"], 4, "forbidden").await;
    assert!(run.stdout.is_empty());
}

on_both_engines!(players_open_with_a_ticket_and_not_without, super::players_open_with_a_ticket_and_not_without);
