//! camshare-media: the viewer's side of the media plane. A [`Viewer`] opens an `rtsp://` stream
//! (in Camshare: the gate's, with a one-time ticket as the RTSP credentials) and hands out
//! decoded frames, scaled to the size the caller draws them at, as JPEG for the app or as grey
//! pixels for tests and benchmarks:
//!
//! `rtspsrc (TCP, low latency, credentials as properties) → rtph264depay → h264parse →
//! avdec_h264 → videoconvert → videoscale → jpegenc → appsink (drop, newest frame only)`
//!
//! An `rtsps://` stream with a pinned fingerprint accepts that certificate only (see `pin.rs`).
//!
//! The appsink keeps only the newest frame, so a slow consumer never builds a queue: it gets the
//! newest picture whenever it asks. Dropping the viewer stops the pipeline. When the gate refuses
//! or closes the stream, [`Viewer::next_frame`] says so with a [`StreamError`].

mod pin;
mod viewer;

pub use viewer::{Frame, FrameFormat, StreamError, Viewer, ViewerConfig};

/// Initialises GStreamer once; every entry point calls it.
pub fn init() -> Result<(), StreamError> {
    gstreamer::init().map_err(|e| StreamError::Setup(format!("cannot initialise GStreamer: {e}")))
}
