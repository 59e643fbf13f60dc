//! Relaying without re-encoding. Per camera stream one upstream pipeline
//! (`rtspsrc → rtph264depay → appsink`, whole pictures as the camera marked them) connects to the camera with its stored
//! login; every viewer gets its own small media (`appsrc → rtph264pay`) fed from it.
//! No `h264parse` and no `config-interval=-1` here: cameras send several slices per picture, and
//! some (like `rtph264pay config-interval=-1`) repeat SPS/PPS before each keyframe slice;
//! `h264parse` then splits one picture into two, and decoders lose all but its last slice. The
//! depayloader's output is relayed as it is, SPS/PPS included (so a cached keyframe group starts
//! with the camera's own SPS/PPS), as NAL-aligned buffers whose marker flag ends a picture: the
//! payloader then sets the RTP marker where the camera did, and the parts of one picture keep
//! one timestamp.
//! The upstream keeps the latest keyframe group, so a new viewer gets a picture at once instead
//! of waiting for the camera's next keyframe. An upstream with no viewers stops after a while.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use camshare_api::{AccountId, DeviceId, StreamKind};
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;

use camshare_api::Secret;

use super::GateShared;
use crate::permits::{Permit, Purpose};

/// How long an upstream with no viewers stays connected, so that a viewer who comes back (a grid
/// that reopens, a reconnect) starts at once.
const LINGER: Duration = Duration::from_secs(20);

/// How long a camera may take to answer an RTSP request before its stream counts as failed.
const CAMERA_ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// The most a keyframe group may hold before it is dropped (a camera that never sends a
/// keyframe, or sends huge ones): in buffers, and in bytes — a malicious "camera" cannot make
/// the server hold more than this per stream.
const MAX_GOP_BUFFERS: usize = 300;
const MAX_GOP_BYTES: usize = 16 * 1024 * 1024;

/// One camera stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamKey {
    pub device: DeviceId,
    pub channel: u16,
    pub stream: StreamKind,
}

impl StreamKey {
    /// The camera stream a live-view permit opens; `None` for other purposes.
    pub(crate) fn of(permit: &Permit) -> Option<StreamKey> {
        let Purpose::Live(stream) = permit.purpose() else { return None };
        Some(StreamKey { device: permit.device(), channel: permit.channel(), stream })
    }
}

/// One camera stream as an upstream opens it: the URL at the address the camera network policy
/// pinned (see `camera::reach`), and the camera's own login. A different one (a new address, a
/// name that now resolves elsewhere, a new password) means a new upstream.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct CameraStream {
    pub url: String,
    pub username: String,
    pub password: Secret,
}

impl std::fmt::Debug for CameraStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the password, not even in a debug log.
        f.debug_struct("CameraStream").field("url", &self.url).field("username", &self.username).finish()
    }
}

/// Every upstream, by camera stream.
#[derive(Default)]
pub struct Relays {
    upstreams: Mutex<HashMap<StreamKey, Arc<Upstream>>>,
}

impl Relays {
    /// Whether a viewer of `key` may be served: its upstream is open already, or the owner's
    /// devices have fewer than `cap` upstreams open. (Checked and then opened on the gate's
    /// client threads, so a burst may pass the cap by the number of those threads.)
    pub(crate) fn may_open(&self, key: StreamKey, owner: AccountId, cap: usize) -> bool {
        let upstreams = self.upstreams.lock().expect("relays lock");
        upstreams.contains_key(&key) || upstreams.values().filter(|u| u.owner == owner).count() < cap
    }

    /// Stops every upstream (the gate is stopping).
    pub fn stop_all(&self) {
        let all: Vec<_> = self.upstreams.lock().expect("relays lock").drain().map(|(_, u)| u).collect();
        for upstream in all {
            upstream.stop();
        }
    }

    /// Stops and forgets the upstreams of a device (deleted, or its address or login changed).
    pub fn forget_device(&self, device: DeviceId) {
        let gone: Vec<_> = {
            let mut upstreams = self.upstreams.lock().expect("relays lock");
            let keys: Vec<_> = upstreams.keys().filter(|k| k.device == device).copied().collect();
            keys.into_iter().filter_map(|k| upstreams.remove(&k)).collect()
        };
        for upstream in gone {
            upstream.stop();
        }
    }

    /// Connects a viewer's appsrc to the camera stream, starting the upstream if needed.
    fn subscribe(&self, key: StreamKey, owner: AccountId, source: &CameraStream, appsrc: gst_app::AppSrc) {
        let upstream = {
            let mut upstreams = self.upstreams.lock().expect("relays lock");
            let stale = upstreams.get(&key).is_some_and(|u| u.failed() || u.source != *source);
            if stale && let Some(old) = upstreams.remove(&key) {
                old.stop();
            }
            upstreams.entry(key).or_insert_with(|| Upstream::start(key, owner, source.clone())).clone()
        };
        upstream.add_viewer(appsrc);
    }

    fn unsubscribe(&self, key: StreamKey, appsrc: &gst_app::AppSrc) {
        let upstream = self.upstreams.lock().expect("relays lock").get(&key).cloned();
        if let Some(upstream) = upstream {
            upstream.remove_viewer(appsrc);
        }
    }

    /// Stops upstreams that have had no viewers for `LINGER`.
    pub fn reap_idle(&self) {
        let idle: Vec<_> = {
            let mut upstreams = self.upstreams.lock().expect("relays lock");
            let keys: Vec<_> = upstreams.iter().filter(|(_, u)| u.idle_for() >= LINGER).map(|(k, _)| *k).collect();
            keys.into_iter().filter_map(|k| upstreams.remove(&k)).collect()
        };
        for upstream in idle {
            upstream.stop();
        }
    }
}

/// Makes sure the gate serves this live-view permit's path: a factory whose every media is one
/// viewer fed from the shared upstream. Only a permit opens a camera stream; a permit for
/// anything but live view opens nothing here.
pub(crate) fn ensure_factory(shared: &Arc<GateShared>, permit: &Permit, source: CameraStream) {
    let Purpose::Live(stream) = permit.purpose() else {
        tracing::error!(?permit, "gate: only live-view permits have a relay");
        return;
    };
    let path = super::stream_path(permit.device(), permit.channel(), stream);
    let key = StreamKey { device: permit.device(), channel: permit.channel(), stream };
    let owner = permit.owner();
    // A factory is per path; the camera's address or login may have changed since it was made,
    // so replace it.
    let factory = rtsp::RTSPMediaFactory::new();
    factory.set_launch(
        "( appsrc name=relay is-live=true format=time max-bytes=8000000 \
           caps=video/x-h264,stream-format=byte-stream,alignment=nal \
         ! rtph264pay name=pay0 pt=96 )",
    );
    factory.set_shared(false);
    factory.set_latency(0);
    if shared.tls {
        // Over RTSPS the media goes inside the TLS connection; UDP would carry it in clear.
        factory.set_protocols(gstreamer_rtsp::RTSPLowerTrans::TCP);
    }
    factory.add_role_from_structure(
        &gst::Structure::builder("viewer")
            .field(rtsp::RTSP_PERM_MEDIA_FACTORY_ACCESS, true)
            .field(rtsp::RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, true)
            .build(),
    );
    let weak = Arc::downgrade(shared);
    factory.connect_media_configure(move |_, media| {
        let Some(shared) = weak.upgrade() else { return };
        let Some(appsrc) = media
            .element()
            .downcast::<gst::Bin>()
            .ok()
            .and_then(|bin| bin.by_name("relay"))
            .and_then(|e| e.downcast::<gst_app::AppSrc>().ok())
        else {
            tracing::error!("gate: a relay media without its appsrc");
            return;
        };
        shared.relays.subscribe(key, owner, &source, appsrc.clone());
        let weak = Arc::downgrade(&shared);
        media.connect_unprepared(move |_| {
            if let Some(shared) = weak.upgrade() {
                shared.relays.unsubscribe(key, &appsrc);
            }
        });
    });
    shared.mounts.add_factory(&path, factory);
}

/// One viewer's feed.
struct ViewerFeed {
    appsrc: gst_app::AppSrc,
    /// The last timestamp given, so timestamps only grow, and the camera's timestamp it was
    /// given for: parts of one picture (SPS, PPS, slices) keep one timestamp.
    last: Option<(gst::ClockTime, Option<gst::ClockTime>)>,
    /// Whether it has had a keyframe: until then it gets nothing (a decoder fed frames that
    /// depend on a keyframe it never saw draws smears).
    started: bool,
}

struct UpstreamState {
    /// The latest keyframe group, keyframe first; empty until the first keyframe arrives.
    gop: Vec<gst::Buffer>,
    /// The bytes in `gop`.
    gop_bytes: usize,
    viewers: Vec<ViewerFeed>,
    /// Since when nobody watches.
    idle_since: Option<Instant>,
    failed: bool,
    /// Set by `stop`: the bus watcher ends.
    stopped: bool,
}

/// One connection to one camera stream.
struct Upstream {
    key: StreamKey,
    /// The device's owner: upstreams are capped per owner.
    owner: AccountId,
    source: CameraStream,
    pipeline: Option<gst::Pipeline>,
    state: Arc<Mutex<UpstreamState>>,
}

impl Upstream {
    fn start(key: StreamKey, owner: AccountId, source: CameraStream) -> Arc<Upstream> {
        let state = Arc::new(Mutex::new(UpstreamState {
            gop: Vec::new(),
            gop_bytes: 0,
            viewers: Vec::new(),
            idle_since: Some(Instant::now()),
            failed: false,
            stopped: false,
        }));
        let pipeline = match build_upstream(key, &source, state.clone()) {
            Ok(pipeline) => Some(pipeline),
            Err(e) => {
                tracing::warn!(device = key.device.0, channel = key.channel, error = %e, "gate: cannot start an upstream");
                state.lock().expect("upstream lock").failed = true;
                None
            }
        };
        Arc::new(Upstream { key, owner, source, pipeline, state })
    }

    fn failed(&self) -> bool {
        self.state.lock().expect("upstream lock").failed
    }

    fn idle_for(&self) -> Duration {
        let state = self.state.lock().expect("upstream lock");
        state.idle_since.map(|t| t.elapsed()).unwrap_or_default()
    }

    /// Adds a viewer, giving it the cached keyframe group first.
    fn add_viewer(&self, appsrc: gst_app::AppSrc) {
        let mut state = self.state.lock().expect("upstream lock");
        if state.failed {
            end_viewer(&appsrc, false);
            return;
        }
        let mut feed = ViewerFeed { appsrc, last: None, started: !state.gop.is_empty() };
        for buffer in &state.gop {
            let _ = feed.push(buffer);
        }
        state.viewers.push(feed);
        state.idle_since = None;
        tracing::debug!(
            device = self.key.device.0,
            channel = self.key.channel,
            viewers = state.viewers.len(),
            "gate: viewer added"
        );
    }

    fn remove_viewer(&self, appsrc: &gst_app::AppSrc) {
        let mut state = self.state.lock().expect("upstream lock");
        state.viewers.retain(|v| v.appsrc != *appsrc);
        if state.viewers.is_empty() && state.idle_since.is_none() {
            state.idle_since = Some(Instant::now());
        }
    }

    fn stop(&self) {
        if let Some(pipeline) = &self.pipeline {
            let _ = pipeline.set_state(gst::State::Null);
        }
        let viewers = {
            let mut state = self.state.lock().expect("upstream lock");
            state.stopped = true;
            std::mem::take(&mut state.viewers)
        };
        for viewer in viewers {
            end_viewer(&viewer.appsrc, viewer.last.is_some());
        }
    }
}

/// Ends one viewer's stream because the camera stream ended or failed. A viewer that has had
/// pictures gets end-of-stream, which closes its session. One that has had none cannot: its
/// RTSP `DESCRIBE` waits for its media to preroll, which end-of-stream does not end, and it would
/// wait out gst-rtsp-server's 20 s preroll limit. It gets an error on its media's bus instead,
/// so its `DESCRIBE` fails at once (503, "the camera cannot be reached").
fn end_viewer(appsrc: &gst_app::AppSrc, fed: bool) {
    if fed && appsrc.end_of_stream().is_ok() {
        return;
    }
    let error =
        gst::message::Error::builder(gst::ResourceError::OpenRead, "the camera cannot be reached").src(appsrc).build();
    let _ = appsrc.post_message(error);
}

impl ViewerFeed {
    /// Pushes a copy stamped with this viewer's running time (the camera's timestamps mean
    /// nothing in the viewer's pipeline). The cached keyframe group goes out in one burst with
    /// timestamps a microsecond apart, so the viewer decodes it at once and shows the newest.
    fn push(&mut self, buffer: &gst::Buffer) -> Result<gst::FlowSuccess, gst::FlowError> {
        let now = self.appsrc.current_running_time().unwrap_or(gst::ClockTime::ZERO);
        let source = buffer.pts();
        let at = match self.last {
            // No timestamp of its own: a further part of the picture before it.
            Some((last, _)) if source.is_none() => last,
            Some((last, last_source)) if source == last_source => last,
            Some((last, _)) if last >= now => last + gst::ClockTime::from_useconds(1),
            _ => now,
        };
        self.last = Some((at, source));
        let mut copy = buffer.copy();
        {
            let copy = copy.make_mut();
            copy.set_pts(at);
            copy.set_dts(at);
            copy.set_duration(gst::ClockTime::NONE);
        }
        self.appsrc.push_buffer(copy)
    }
}

fn build_upstream(
    key: StreamKey,
    source: &CameraStream,
    state: Arc<Mutex<UpstreamState>>,
) -> Result<gst::Pipeline, String> {
    let pipeline = gst::parse::launch(
        "rtspsrc name=src protocols=tcp latency=0 ! rtph264depay \
         ! video/x-h264,stream-format=byte-stream,alignment=au ! appsink name=sink sync=false",
    )
    .map_err(|e| e.to_string())?
    .downcast::<gst::Pipeline>()
    .map_err(|_| "not a pipeline".to_string())?;
    let src = pipeline.by_name("src").ok_or("no rtspsrc")?;
    src.set_property("location", &source.url);
    if source.url.starts_with("rtsps://") {
        // Cameras' certificates are self-signed and the URL names the pinned address, not the
        // name in the certificate: TLS here is privacy on the wire (see `camera::tls`).
        src.set_property_from_str("tls-validation-flags", "0");
    }
    // A camera that takes the connection but does not answer fails after 5 s rather than
    // rtspsrc's default 20 s, which is also gst-rtsp-server's limit for a waiting viewer.
    src.set_property("tcp-timeout", CAMERA_ANSWER_TIMEOUT.as_micros() as u64);
    // The camera's login goes in as properties, never into a URL that could be logged.
    src.set_property("user-id", &source.username);
    src.set_property("user-pw", source.password.expose());
    let sink = pipeline.by_name("sink").and_then(|s| s.downcast::<gst_app::AppSink>().ok()).ok_or("no appsink")?;
    let on_sample = state.clone();
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let Some(buffer) = sample.buffer_owned() else { return Ok(gst::FlowSuccess::Ok) };
                relay_buffer(&on_sample, buffer);
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    let bus = pipeline.bus().ok_or("no bus")?;
    pipeline.set_state(gst::State::Playing).map_err(|e| e.to_string())?;
    // Watch for the camera going away: the viewers end, and the next viewer starts afresh.
    let device = key.device.0;
    let channel = key.channel;
    std::thread::Builder::new()
        .name("camshare-upstream".into())
        .spawn(move || {
            let wanted = [gst::MessageType::Error, gst::MessageType::Eos];
            let message = loop {
                if let Some(message) = bus.timed_pop_filtered(gst::ClockTime::from_mseconds(500), &wanted) {
                    break message;
                }
                if state.lock().expect("upstream lock").stopped {
                    return;
                }
            };
            if let gst::MessageView::Error(e) = message.view() {
                tracing::warn!(device, channel, error = %e.error(), "gate: the camera stream failed");
            }
            let viewers = {
                let mut state = state.lock().expect("upstream lock");
                state.failed = true;
                std::mem::take(&mut state.viewers)
            };
            for viewer in viewers {
                end_viewer(&viewer.appsrc, viewer.last.is_some());
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(pipeline)
}

/// Caches the buffer in the keyframe group and passes it to every viewer.
fn relay_buffer(state: &Mutex<UpstreamState>, buffer: gst::Buffer) {
    let mut state = state.lock().expect("upstream lock");
    // A keyframe starts a new group, unless it is a further part (slice) of the picture that
    // started it.
    let same_picture =
        !state.gop.is_empty() && (buffer.pts().is_none() || state.gop.last().unwrap().pts() == buffer.pts());
    let keyframe = !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT) && !same_picture;
    if keyframe {
        state.gop.clear();
        state.gop_bytes = 0;
    }
    // Cache only from a keyframe on (an upstream joins the camera between keyframes). A group
    // that outgrows the cache is dropped whole (a part of one would not decode); new viewers
    // then wait for the camera's next keyframe.
    if keyframe || !state.gop.is_empty() {
        let bytes = state.gop_bytes + buffer.size();
        if state.gop.len() < MAX_GOP_BUFFERS && bytes <= MAX_GOP_BYTES {
            state.gop.push(buffer.clone());
            state.gop_bytes = bytes;
        } else {
            state.gop.clear();
            state.gop_bytes = 0;
        }
    }
    state.viewers.retain_mut(|viewer| {
        viewer.started |= keyframe;
        !viewer.started || viewer.push(&buffer).is_ok()
    });
    if state.viewers.is_empty() && state.idle_since.is_none() {
        state.idle_since = Some(Instant::now());
    }
}
