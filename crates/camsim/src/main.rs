//! `camshare-camsim`: runs a simulated camera or NVR until Ctrl-C.

use std::net::IpAddr;

use anyhow::Result;
use camshare_camsim::{Camsim, Config};
use clap::Parser;

/// A simulated IP camera / NVR: RTSP with digest auth at /Streaming/Channels/101 (channel 1
/// main), /102 (its sub stream), /201…, and an ISAPI-style HTTP API.
#[derive(Parser)]
#[command(name = "camshare-camsim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "CAMSIM_ADDRESS", default_value = "127.0.0.1")]
    address: IpAddr,
    /// RTSP port (0: any free port).
    #[arg(long, env = "CAMSIM_RTSP_PORT", default_value_t = 8554)]
    rtsp_port: u16,
    /// HTTP (ISAPI) port (0: any free port).
    #[arg(long, env = "CAMSIM_HTTP_PORT", default_value_t = 8080)]
    http_port: u16,
    /// Number of channels, named "Channel N" unless --channel-name gives names.
    #[arg(long, default_value_t = 4)]
    channels: u16,
    /// A channel's name; repeat once per channel (overrides --channels).
    #[arg(long = "channel-name")]
    channel_names: Vec<String>,
    /// The device's login.
    #[arg(long, env = "CAMSIM_USERNAME", default_value = "admin")]
    username: String,
    /// The device's password.
    #[arg(long, env = "CAMSIM_PASSWORD", default_value = "camsim-pass")]
    password: String,
    /// The name the device reports.
    #[arg(long)]
    device_name: Option<String>,
    /// Seconds between keyframes.
    #[arg(long, default_value_t = 2.0)]
    keyframe_interval: f64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let names: Vec<String> = if args.channel_names.is_empty() {
        (1..=args.channels).map(|n| format!("Channel {n}")).collect()
    } else {
        args.channel_names
    };
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut config = Config::nvr(&name_refs);
    config.address = args.address;
    config.rtsp_port = args.rtsp_port;
    config.http_port = args.http_port;
    config.username = args.username;
    config.password = args.password;
    config.keyframe_interval_s = args.keyframe_interval;
    if let Some(name) = args.device_name {
        config.device_name = name;
    }
    let camsim = Camsim::start(config).await?;
    println!("camsim: {} with {} channel(s)", camsim.config.device_name, names.len());
    println!("  RTSP  {}  (login {})", camsim.rtsp_url(), camsim.config.username);
    for (i, name) in names.iter().enumerate() {
        let channel = (i + 1) as u16;
        println!(
            "        channel {channel} {name}: {} (main), {} (sub)",
            camshare_camsim::stream_path(channel, false),
            camshare_camsim::stream_path(channel, true)
        );
    }
    println!("  HTTP  {}/ISAPI/System/deviceInfo", camsim.http_url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
