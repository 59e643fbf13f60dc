//! One live stream, decoded.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use camshare_api::{Fingerprint, Secret};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

/// How frames come out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameFormat {
    /// JPEG of this quality (1–100): what the app sends to its webview.
    Jpeg { quality: u8 },
    /// 8-bit grey pixels, row after row: what tests and benchmarks read stamps from.
    Gray,
}

/// What to open and how to deliver it.
#[derive(Debug, Clone)]
pub struct ViewerConfig {
    /// `rtsp://host:port/path` or `rtsps://…`, without credentials.
    pub url: String,
    /// RTSP credentials (for the gate: the account and the one-time ticket).
    pub username: String,
    pub password: Secret,
    /// Scale frames to this size (keeping the picture's shape, with borders); `None`: as sent.
    pub size: Option<(u32, u32)>,
    pub format: FrameFormat,
    /// The jitter buffer's latency in milliseconds: the delay traded for smoothness.
    pub latency_ms: u32,
    /// For `rtsps://`: accept only the certificate with this fingerprint (the server's
    /// self-signed one, as the client pinned it). `None`: the system's certificate authorities.
    /// With a pin, a plain `rtsp://` URL is refused: the server the pin is for speaks RTSPS.
    pub pinned: Option<Fingerprint>,
    /// Play plain `rtsp://` from another machine (the ticket and the video in clear), as the
    /// user allowed for the server (`Trust::allow_plain`). Default: only from this machine.
    pub allow_plain: bool,
}

impl ViewerConfig {
    /// JPEG frames at their own size, 100 ms latency.
    pub fn new(url: impl Into<String>, username: impl Into<String>, password: impl Into<Secret>) -> ViewerConfig {
        ViewerConfig {
            url: url.into(),
            username: username.into(),
            password: password.into(),
            size: None,
            format: FrameFormat::Jpeg { quality: 80 },
            latency_ms: 100,
            pinned: None,
            allow_plain: false,
        }
    }
}

/// A decoded picture.
#[derive(Debug, Clone)]
pub struct Frame {
    /// JPEG bytes, or `width × height` grey bytes (see [`FrameFormat`]).
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Bytes per row for grey frames.
    pub stride: u32,
    /// Wall-clock time the frame left the decoder and scaler.
    pub decoded_at: SystemTime,
}

/// Why a stream gives no more frames.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamError {
    /// The server said no (401/403/404): a missing, used, expired or foreign ticket, or no access.
    #[error("the stream was refused: {0}")]
    Refused(String),
    /// The stream was open and the server ended it (access ended, device gone, server stopping).
    #[error("the server closed the stream")]
    Closed,
    /// The server answered but has no stream to give (503): the gate could not reach the
    /// camera. Worth trying again later; the camera is offline, not the server.
    #[error("the camera cannot be reached: {0}")]
    Unavailable(String),
    /// The server could not be reached or the connection broke.
    #[error("network error: {0}")]
    Network(String),
    /// GStreamer could not build or run the pipeline (a missing plugin, say).
    #[error("{0}")]
    Setup(String),
    /// A plain `rtsp://` stream that would carry its ticket and video in clear over the network
    /// (another machine, not allowed), or plain where a pinned server should speak RTSPS.
    /// Nothing was sent.
    #[error("{0}")]
    Insecure(String),
    /// The gate presented a certificate that is not the pinned one (someone in between, or the
    /// server's certificate changed): nothing was sent, not even the ticket.
    #[error("the stream's server presented a certificate that is not the pinned one (SHA-256 {0})")]
    UntrustedCertificate(Fingerprint),
}

/// A running stream. Dropping it stops the pipeline and closes the connection.
pub struct Viewer {
    pipeline: gst::Pipeline,
    sink: gst_app::AppSink,
    bus: gst::Bus,
    first_frame: bool,
    /// The certificate refused by the pin, if one was.
    refused: Arc<Mutex<Option<Fingerprint>>>,
}

impl Drop for Viewer {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

impl Viewer {
    /// Builds the pipeline and starts connecting; frames come from [`Viewer::next_frame`].
    pub fn open(config: &ViewerConfig) -> Result<Viewer, StreamError> {
        check_plain(config)?;
        crate::init()?;
        let scale = match config.size {
            Some((w, h)) => {
                format!("! videoscale add-borders=true ! video/x-raw,width={w},height={h},pixel-aspect-ratio=1/1 ")
            }
            None => String::new(),
        };
        let (convert, encode) = match config.format {
            FrameFormat::Jpeg { quality } => ("I420", format!("! jpegenc quality={} ", quality.clamp(1, 100))),
            FrameFormat::Gray => ("GRAY8", String::new()),
        };
        // output-corrupt=false: a viewer that joins between keyframes shows nothing, not smears,
        // until the next keyframe.
        let description = format!(
            "rtspsrc name=src protocols=tcp latency={} drop-on-latency=true \
             ! rtph264depay ! h264parse ! avdec_h264 output-corrupt=false \
             ! videoconvert ! video/x-raw,format={convert} {scale}{encode}\
             ! appsink name=sink drop=true max-buffers=1 sync=false",
            config.latency_ms
        );
        let pipeline = gst::parse::launch(&description)
            .map_err(|e| StreamError::Setup(format!("cannot build the viewer pipeline: {e}")))?
            .downcast::<gst::Pipeline>()
            .map_err(|_| StreamError::Setup("the viewer pipeline is not a pipeline".into()))?;
        let src = pipeline.by_name("src").ok_or_else(|| StreamError::Setup("no rtspsrc".into()))?;
        // Credentials go in as properties, never in the URL, so they stay out of logs.
        src.set_property("location", &config.url);
        src.set_property("user-id", &config.username);
        src.set_property("user-pw", config.password.expose());
        let refused = Arc::new(Mutex::new(None));
        if let Some(pinned) = config.pinned
            && config.url.starts_with("rtsps://")
        {
            crate::pin::pin(&src, pinned, refused.clone())?;
        }
        let sink = pipeline
            .by_name("sink")
            .and_then(|s| s.downcast::<gst_app::AppSink>().ok())
            .ok_or_else(|| StreamError::Setup("no appsink".into()))?;
        let bus = pipeline.bus().ok_or_else(|| StreamError::Setup("the pipeline has no bus".into()))?;
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| StreamError::Setup(format!("cannot start the viewer pipeline: {e}")))?;
        Ok(Viewer { pipeline, sink, bus, first_frame: false, refused })
    }

    /// Waits up to `timeout` for the newest frame. `Ok(None)`: none yet (the stream is still
    /// starting, or between frames). `Err`: the stream has ended and gives no more frames.
    pub fn next_frame(&mut self, timeout: Duration) -> Result<Option<Frame>, StreamError> {
        let deadline = Instant::now() + timeout;
        loop {
            self.check_bus()?;
            let slice = deadline.saturating_duration_since(Instant::now()).min(Duration::from_millis(20));
            if let Some(sample) = self.sink.try_pull_sample(gst::ClockTime::from_nseconds(slice.as_nanos() as u64)) {
                self.first_frame = true;
                return Ok(Some(frame_of(&sample)?));
            }
            if self.sink.is_eos() {
                return Err(StreamError::Closed);
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }

    /// Turns errors and end-of-stream on the bus into a `StreamError`.
    fn check_bus(&self) -> Result<(), StreamError> {
        while let Some(message) = self.bus.pop() {
            match message.view() {
                gst::MessageView::Eos(_) => return Err(StreamError::Closed),
                gst::MessageView::Error(e) => return Err(self.classify(e.error(), e.debug())),
                _ => {}
            }
        }
        Ok(())
    }

    fn classify(&self, error: gst::glib::Error, debug: Option<gst::glib::GString>) -> StreamError {
        if let Some(presented) = *self.refused.lock().unwrap_or_else(|e| e.into_inner()) {
            return StreamError::UntrustedCertificate(presented);
        }
        let detail = format!("{} ({})", error.message(), debug.as_deref().unwrap_or(""));
        if let Some(kind) = error.kind::<gst::ResourceError>() {
            match kind {
                gst::ResourceError::NotAuthorized | gst::ResourceError::NotFound => {
                    return StreamError::Refused(error.message().to_string());
                }
                gst::ResourceError::Read | gst::ResourceError::Close if self.first_frame => {
                    return StreamError::Closed;
                }
                _ => {}
            }
        }
        // rtspsrc words a refusal in its message: "Unauthorized (401)", "Forbidden (403)"…
        let lower = detail.to_ascii_lowercase();
        if ["401", "403", "404", "unauthorized", "forbidden", "not found"].iter().any(|w| lower.contains(w)) {
            return StreamError::Refused(error.message().to_string());
        }
        if lower.contains("503") || lower.contains("service unavailable") {
            return StreamError::Unavailable(error.message().to_string());
        }
        if self.first_frame && (lower.contains("eof") || lower.contains("closed") || lower.contains("could not read")) {
            return StreamError::Closed;
        }
        StreamError::Network(detail)
    }
}

/// Refuses plain RTSP where it would cross the network unasked, or where a pin says the server
/// speaks RTSPS.
fn check_plain(config: &ViewerConfig) -> Result<(), StreamError> {
    if !config.url.starts_with("rtsp://") {
        return Ok(());
    }
    if config.pinned.is_some() {
        return Err(StreamError::Insecure(
            "the stream's address is plain rtsp:// although this server's certificate is pinned".into(),
        ));
    }
    let remote = !camshare_api::url_host(&config.url).is_some_and(camshare_api::is_loopback_host);
    if remote && !config.allow_plain {
        return Err(StreamError::Insecure(
            "the stream is not encrypted (rtsp://) and comes from another machine: its ticket and video would \
             cross the network in clear"
                .into(),
        ));
    }
    Ok(())
}

fn frame_of(sample: &gst::Sample) -> Result<Frame, StreamError> {
    let decoded_at = SystemTime::now();
    let buffer = sample.buffer().ok_or_else(|| StreamError::Setup("a sample without a buffer".into()))?;
    let caps = sample.caps().ok_or_else(|| StreamError::Setup("a sample without caps".into()))?;
    let s = caps.structure(0).ok_or_else(|| StreamError::Setup("empty caps".into()))?;
    let width = s.get::<i32>("width").unwrap_or(0) as u32;
    let height = s.get::<i32>("height").unwrap_or(0) as u32;
    let map = buffer.map_readable().map_err(|_| StreamError::Setup("cannot read a frame".into()))?;
    let data = map.as_slice().to_vec();
    // Grey rows are padded to a multiple of 4 bytes.
    let stride = if s.name() == "video/x-raw" { width.div_ceil(4) * 4 } else { 0 };
    Ok(Frame { data, width, height, stride, decoded_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_rtsp_is_refused_off_this_machine_unless_allowed_and_always_with_a_pin() {
        let config = |url: &str| ViewerConfig::new(url, "1", "ticket");
        assert!(check_plain(&config("rtsp://127.0.0.1:7554/live/1/1/sub")).is_ok());
        assert!(check_plain(&config("rtsps://cams.example.org:7554/live/1/1/sub")).is_ok());
        let remote = config("rtsp://cams.example.org:7554/live/1/1/sub");
        assert!(matches!(check_plain(&remote), Err(StreamError::Insecure(_))));
        assert!(check_plain(&ViewerConfig { allow_plain: true, ..remote.clone() }).is_ok());
        let pinned = ViewerConfig { pinned: Some(Fingerprint::of_der(b"x")), allow_plain: true, ..remote };
        assert!(matches!(check_plain(&pinned), Err(StreamError::Insecure(_))), "a pinned server speaks RTSPS");
    }
}
