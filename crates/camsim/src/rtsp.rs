//! The simulator's RTSP server (gst-rtsp-server) with digest authentication: per channel a main
//! and a sub stream at Hikvision's paths (`/Streaming/Channels/101` is channel 1 main, `/102`
//! its sub stream, `/201` channel 2 main…). Each stream is one live H.264 encoder shared by all
//! its clients, as on a real camera: a new client starts at the next keyframe. x264 writes SPS/PPS
//! in-band before each keyframe; the payloader must not add its own (`config-interval=-1` puts
//! them between the slices of a keyframe, which splits the picture for strict depayloaders).

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow};
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::*;

use crate::stamp::{self, Stamp};
use crate::{Config, StreamSpec};

/// The path of a channel's stream, as Hikvision names it: channel 2's sub stream is
/// `/Streaming/Channels/202`.
pub fn stream_path(channel: u16, sub: bool) -> String {
    format!("/Streaming/Channels/{channel}{}", if sub { "02" } else { "01" })
}

/// A running RTSP server on its own GLib main loop thread.
pub struct RtspServer {
    pub port: u16,
    server: rtsp::RTSPServer,
    main_loop: glib::MainLoop,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for RtspServer {
    fn drop(&mut self) {
        // Close every client connection first, as a camera that is switched off would: stopping
        // the main loop alone leaves open streams running.
        self.server.client_filter(Some(&mut |_, _| rtsp::RTSPFilterResult::Remove));
        self.main_loop.quit();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts serving every channel's main and sub stream.
pub fn start(config: &Config) -> Result<RtspServer> {
    gst::init().context("cannot initialise GStreamer")?;
    let context = glib::MainContext::new();
    let server = rtsp::RTSPServer::new();
    server.set_address(&config.address.to_string());
    server.set_service(&config.rtsp_port.to_string());

    let auth = rtsp::RTSPAuth::new();
    auth.set_supported_methods(gstreamer_rtsp::RTSPAuthMethod::Digest);
    let token = rtsp::RTSPToken::builder().field(rtsp::RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer").build();
    auth.add_digest(&config.username, &config.password, &token);
    server.set_auth(Some(&auth));

    let mounts = server.mount_points().ok_or_else(|| anyhow!("the RTSP server has no mount points"))?;
    for (index, name) in config.channel_names.iter().enumerate() {
        let channel = (index + 1) as u16;
        for (sub, spec) in [(false, config.main), (true, config.sub)] {
            let factory = stream_factory(channel, name, spec, config.keyframe_interval_s);
            mounts.add_factory(&stream_path(channel, sub), factory);
        }
    }

    let source_id = context
        .with_thread_default(|| server.attach(Some(&context)))
        .map_err(|_| anyhow!("cannot use the RTSP server's main context"))?
        .with_context(|| format!("cannot listen for RTSP on {}:{}", config.address, config.rtsp_port))?;
    let port = server.bound_port() as u16;
    let main_loop = glib::MainLoop::new(Some(&context), false);
    let thread = {
        let main_loop = main_loop.clone();
        let server = server.clone();
        std::thread::Builder::new().name("camsim-rtsp".into()).spawn(move || {
            let context = main_loop.context();
            let _ = context.with_thread_default(|| main_loop.run());
            // The server's source lives on this context, not the default one.
            if let Some(s) = context.find_source_by_id(&source_id) {
                s.destroy();
            }
            drop(server);
        })?
    };
    Ok(RtspServer { port, server, main_loop, thread: Some(thread) })
}

fn stream_factory(channel: u16, name: &str, spec: StreamSpec, keyframe_interval_s: f64) -> rtsp::RTSPMediaFactory {
    let StreamSpec { width, height, fps, kbps } = spec;
    let key_int = ((f64::from(fps) * keyframe_interval_s).round() as u32).max(1);
    let strip = stamp::strip_height(height as usize);
    let (name_font, clock_font) = (height / 18, height / 26);
    // Ball pattern on a per-channel background colour, so channels also look apart.
    let background = [0xff1f3a5f_u32, 0xff3f2a14, 0xff14402a, 0xff40143a, 0xff2a2a2a][(channel as usize - 1) % 5];
    let launch = format!(
        "( videotestsrc name=src is-live=true pattern=ball background-color={background} \
         ! video/x-raw,format=I420,width={width},height={height},framerate={fps}/1 \
         ! textoverlay name=label valignment=top halignment=left xpad=16 ypad={ypad} font-desc=\"Sans Bold {name_font}px\" \
         ! textoverlay name=clock valignment=bottom halignment=left xpad=16 ypad=12 font-desc=\"Monospace {clock_font}px\" \
         ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={key_int} bitrate={kbps} \
         ! video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au \
         ! rtph264pay name=pay0 pt=96 )",
        ypad = strip + 10,
    );
    let factory = rtsp::RTSPMediaFactory::new();
    factory.set_launch(&launch);
    factory.set_shared(true);
    factory.add_role_from_structure(
        &gst::Structure::builder("viewer")
            .field(rtsp::RTSP_PERM_MEDIA_FACTORY_ACCESS, true)
            .field(rtsp::RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, true)
            .build(),
    );
    let name = name.to_string();
    factory.connect_media_configure(move |_, media| {
        if let Err(e) = stamp_frames(media, channel, &name, width, height) {
            eprintln!("camsim: channel {channel}: cannot stamp frames: {e:#}");
        }
    });
    factory
}

/// Writes the stamp strip into every raw frame and the wall clock into the clock overlay, just
/// before the frame is drawn on and encoded.
fn stamp_frames(media: &rtsp::RTSPMedia, channel: u16, name: &str, width: u32, height: u32) -> Result<()> {
    let bin = media.element().downcast::<gst::Bin>().map_err(|_| anyhow!("media element is not a bin"))?;
    let label = bin.by_name("label").ok_or_else(|| anyhow!("no label overlay"))?;
    let clock = bin.by_name("clock").ok_or_else(|| anyhow!("no clock overlay"))?;
    label.set_property("text", format!("{channel} · {name}"));
    let info = gst_video::VideoInfo::builder(gst_video::VideoFormat::I420, width, height).build()?;
    let name_hash = stamp::name_hash(name);
    let pad = label.static_pad("video_sink").ok_or_else(|| anyhow!("label overlay has no video sink pad"))?;
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, probe| {
        let Some(gst::PadProbeData::Buffer(buffer)) = probe.data.as_mut() else {
            return gst::PadProbeReturn::Ok;
        };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let unix_ms = now.as_millis() as u64;
        let stamp = Stamp { channel: channel as u8, name_hash, unix_ms };
        if let Ok(mut frame) = gst_video::VideoFrameRef::from_buffer_ref_writable(buffer.make_mut(), &info) {
            let stride = frame.plane_stride()[0] as usize;
            if let Ok(luma) = frame.plane_data_mut(0) {
                stamp::draw(luma, stride, width as usize, height as usize, stamp);
            }
        }
        clock.set_property("text", wall_clock(unix_ms));
        gst::PadProbeReturn::Ok
    });
    Ok(())
}

/// `16:59:12.345` (UTC), the clock people read in the picture.
fn wall_clock(unix_ms: u64) -> String {
    let day_ms = unix_ms % 86_400_000;
    let (h, m, s, ms) = (day_ms / 3_600_000, day_ms / 60_000 % 60, day_ms / 1000 % 60, day_ms % 1000);
    format!("{h:02}:{m:02}:{s:02}.{ms:03} UTC")
}
