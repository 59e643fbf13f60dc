//! camshare-camsim: a simulated IP camera or NVR that speaks what real devices speak, for tests,
//! demos and benchmarks. RTSP (gst-rtsp-server) with digest authentication at Hikvision-style
//! paths, live H.264 main and sub streams per channel whose pictures show the channel's name and
//! a wall clock with milliseconds (plus the same facts machine-readably: see [`stamp`]), and an
//! ISAPI-style HTTP API for device info and channels. A real camera can take its place.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let camsim = camshare_camsim::Camsim::start(camshare_camsim::Config::nvr(&["Front door", "Garage"])).await?;
//! println!("{}", camsim.rtsp_url()); // rtsp://127.0.0.1:PORT
//! # Ok(()) }
//! ```

pub mod isapi;
pub mod rtsp;
pub mod stamp;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::{Context, Result};

pub use rtsp::stream_path;

/// One encoded stream's picture size, frame rate and bit rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSpec {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub kbps: u32,
}

impl StreamSpec {
    /// 1280×720 at 25 fps, as a typical camera's main stream.
    pub const MAIN: StreamSpec = StreamSpec { width: 1280, height: 720, fps: 25, kbps: 2048 };
    /// 640×360 at 15 fps, as a typical sub stream.
    pub const SUB: StreamSpec = StreamSpec { width: 640, height: 360, fps: 15, kbps: 512 };
}

/// What to simulate and where.
#[derive(Debug, Clone)]
pub struct Config {
    pub address: IpAddr,
    /// 0: any free port.
    pub rtsp_port: u16,
    /// 0: any free port.
    pub http_port: u16,
    /// One name per channel; one name is a single camera.
    pub channel_names: Vec<String>,
    /// The device's own login, which only its owner (and the sharing server) knows.
    pub username: String,
    pub password: String,
    pub device_name: String,
    pub serial_number: String,
    pub main: StreamSpec,
    pub sub: StreamSpec,
    /// Seconds between keyframes; real cameras use about 2.
    pub keyframe_interval_s: f64,
}

impl Config {
    /// An NVR (or, with one name, a camera) on loopback, free ports, login `admin` / `camsim-pass`.
    pub fn nvr(channel_names: &[&str]) -> Config {
        Config {
            address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            rtsp_port: 0,
            http_port: 0,
            channel_names: channel_names.iter().map(|n| n.to_string()).collect(),
            username: "admin".into(),
            password: "camsim-pass".into(),
            device_name: if channel_names.len() > 1 { "Camsim NVR".into() } else { "Camsim camera".into() },
            serial_number: "CAMSIM0000000001".into(),
            main: StreamSpec::MAIN,
            sub: StreamSpec::SUB,
            keyframe_interval_s: 2.0,
        }
    }
}

/// A running simulator; everything stops when it is dropped.
pub struct Camsim {
    pub config: Arc<Config>,
    pub rtsp_port: u16,
    pub http_port: u16,
    _rtsp: rtsp::RtspServer,
    http: tokio::task::JoinHandle<()>,
}

impl Drop for Camsim {
    fn drop(&mut self) {
        self.http.abort();
    }
}

impl Camsim {
    /// Starts the RTSP server and the HTTP API (on the current Tokio runtime).
    pub async fn start(config: Config) -> Result<Camsim> {
        anyhow::ensure!(!config.channel_names.is_empty(), "a device needs at least one channel");
        anyhow::ensure!(config.channel_names.len() <= 99, "at most 99 channels (paths are /Streaming/Channels/NN01)");
        let config = Arc::new(config);
        let rtsp = rtsp::start(&config)?;
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(config.address, config.http_port))
            .await
            .with_context(|| format!("cannot listen for HTTP on {}:{}", config.address, config.http_port))?;
        let http_port = listener.local_addr()?.port();
        let router = isapi::router(config.clone());
        let http = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Camsim { rtsp_port: rtsp.port, http_port, config, _rtsp: rtsp, http })
    }

    /// `rtsp://ADDRESS:PORT`, without credentials: what the owner enters as the device's address.
    pub fn rtsp_url(&self) -> String {
        format!("rtsp://{}:{}", self.config.address, self.rtsp_port)
    }

    /// The full URL of one stream, with credentials: for players pointed straight at the device.
    pub fn stream_url_with_login(&self, channel: u16, sub: bool) -> String {
        format!(
            "rtsp://{}:{}@{}:{}{}",
            self.config.username,
            self.config.password,
            self.config.address,
            self.rtsp_port,
            stream_path(channel, sub)
        )
    }

    /// `http://ADDRESS:PORT`, the ISAPI-style API.
    pub fn http_url(&self) -> String {
        format!("http://{}:{}", self.config.address, self.http_port)
    }
}
