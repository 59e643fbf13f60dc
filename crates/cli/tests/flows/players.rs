//! The media gate with players nobody here wrote: `ffprobe` and `gst-launch-1.0 rtspsrc` open a
//! stream with a URL from `camshare stream-url`, and are refused without its ticket — over
//! plain RTSP on loopback, and over RTSPS from a server with a self-signed certificate that the
//! CLI pins.

use camshare_camsim::{Camsim, Config};
use camshare_testkit::Engine;
use camshare_testkit::on_both_engines;
use tokio::process::Command;

use crate::cli::{Cli, User};

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

/// Decodes the first frame into a PNG and stops. A self-signed `rtsps://` gate is trusted as
/// the CLI tells (`tls-validation-flags=0`).
async fn gst_launch(url: &str, png: &std::path::Path) -> std::process::Output {
    let location = format!("location={url}");
    let sink = format!("location={}", png.display());
    let tls: &[&str] = if url.starts_with("rtsps://") { &["tls-validation-flags=0"] } else { &[] };
    Command::new("gst-launch-1.0")
        .args(["-q", "rtspsrc", &location, "protocols=tcp"])
        .args(tls)
        .args(["!", "rtph264depay", "!", "h264parse", "!", "avdec_h264"])
        .args(["!", "videoconvert", "!", "pngenc", "snapshot=true", "!", "filesink", &sink])
        .output()
        .await
        .expect("gst-launch-1.0 runs (./scripts/setup.sh installs gstreamer1.0-tools)")
}

/// Sends a DESCRIBE with the URL's ticket in clear to its host and port, and returns what came
/// back within 3 s.
fn plain_describe(url: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let rest = url.split_once("://").unwrap().1;
    let (credentials, rest) = rest.split_once('@').unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let basic = data_encoding::BASE64.encode(credentials.as_bytes());
    let mut socket = std::net::TcpStream::connect(host).unwrap();
    socket.set_read_timeout(Some(std::time::Duration::from_secs(3))).unwrap();
    let request = format!("DESCRIBE rtsp://{host}/{path} RTSP/1.0\r\nCSeq: 1\r\nAuthorization: Basic {basic}\r\n\r\n");
    socket.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while let Ok(n) = socket.read(&mut buf) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    answer
}

/// Olga's NVR (camsim, two channels) with channel 2 shared to Bob, who accepted: the CLI users
/// and the NVR's device id.
async fn shared_nvr(cli: &Cli) -> (Camsim, User, User, String) {
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
    (camsim, olga, bob, nvr)
}

async fn players_open_with_a_ticket_and_not_without(engine: Engine) {
    let cli = Cli::start(engine).await;
    let (_camsim, _olga, bob, nvr) = shared_nvr(&cli).await;

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

/// Attack 6, the network attacker: with TLS the ticket and the video never cross the network
/// in clear, and the CLI talks only to the certificate it pinned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_the_cli_pins_and_players_open_rtsps() {
    let mut cli = Cli::start_tls(Engine::Sqlite).await;
    let fingerprint = cli.app.trust.pinned.unwrap().to_string();
    let (_camsim, olga, bob, nvr) = shared_nvr(&cli).await;

    // The gate's URL is rtsps://; ffprobe opens it (it does not check certificates)…
    let run = cli.ok(&bob, &["stream-url", &nvr, "--channel", "2", "--sub"]).await;
    let url = run.stdout.trim().to_string();
    assert!(url.starts_with("rtsps://") && url.contains('@'), "{url}");
    assert!(run.stderr.contains(&fingerprint), "{}", run.stderr);
    let probe = ffprobe(&url).await;
    assert!(probe.status.success(), "ffprobe over RTSPS failed: {}", String::from_utf8_lossy(&probe.stderr));
    assert_eq!(String::from_utf8_lossy(&probe.stdout).trim(), "h264,640,360");
    // …and gst-launch-1.0 decodes a frame.
    let png = camshare_testkit::temp_dir("camshare-players-tls").join("frame.png");
    let url = cli.ok(&bob, &["stream-url", &nvr, "--channel", "2"]).await.stdout.trim().to_string();
    let launched = gst_launch(&url, &png).await;
    assert!(launched.status.success(), "gst-launch over RTSPS failed: {}", String::from_utf8_lossy(&launched.stderr));
    assert!(std::fs::metadata(&png).map(|m| m.len() > 1000).unwrap_or(false), "no frame was decoded");

    // The same ticket in clear (rtsp:// to the RTSPS port) gets no RTSP answer, and the ticket
    // was not spent by it: a network attacker who strips TLS learns nothing.
    let url = cli.ok(&bob, &["stream-url", &nvr, "--channel", "2", "--sub"]).await.stdout.trim().to_string();
    let answer = tokio::task::spawn_blocking({
        let url = url.clone();
        move || plain_describe(&url)
    })
    .await
    .unwrap();
    assert!(answer.is_empty(), "the RTSPS gate answered plain RTSP: {:?}", String::from_utf8_lossy(&answer));
    let probe = ffprobe(&url).await;
    assert!(
        probe.status.success(),
        "the ticket was spent by the plain attempt: {}",
        String::from_utf8_lossy(&probe.stderr)
    );

    // Without the pin the CLI refuses the server and shows the fingerprint to compare; with
    // another pin too.
    cli.pin = false;
    let run = cli.fails(Some(&olga), &["device", "list"], 8, "untrusted_certificate").await;
    assert!(run.stderr.contains(&fingerprint) && run.stderr.contains("--pin"), "{}", run.stderr);
    let other = camshare_api::Fingerprint::of_der(b"someone else").to_string();
    cli.fails(Some(&olga), &["--pin", &other, "device", "list"], 8, "untrusted_certificate").await;
    // Pinned on the command line, it works.
    cli.ok(&olga, &["--pin", &fingerprint, "device", "list"]).await;
    // A plain address for another machine is refused before anything is sent, unless allowed.
    let remote = ["--server", "http://cams.example.invalid:7878", "device", "list"];
    cli.fails(Some(&olga), &remote, 8, "insecure_connection").await;
    let allowed = cli
        .run(Some(&olga), &["--insecure", "--server", "http://cams.example.invalid:7878", "device", "list"], "")
        .await;
    assert_eq!(allowed.code, 7, "{}", allowed.stderr);
}
