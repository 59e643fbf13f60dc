//! What the live-view benchmarks (`live_view.rs`, `gate_flood.rs`) do with a viewer: open it
//! grey, time its first frame, and time how long after a moment its stream ends.

use std::time::{Duration, Instant, SystemTime};

use camshare_media::{FrameFormat, Viewer, ViewerConfig};

/// A viewer of grey frames (no colour conversion to pay for).
pub fn gray(url: &str, user: &str, password: &str) -> ViewerConfig {
    let mut config = ViewerConfig::new(url, user, password);
    config.format = FrameFormat::Gray;
    config
}

/// Opens the stream and returns how long until the first decoded frame.
pub fn first_frame(config: &ViewerConfig) -> Duration {
    let start = Instant::now();
    let mut viewer = Viewer::open(config).expect("viewer opens");
    match viewer.next_frame(Duration::from_secs(10)) {
        Ok(Some(_)) => start.elapsed(),
        Ok(None) => panic!("no frame in 10 s"),
        Err(e) => panic!("stream failed: {e}"),
    }
}

/// Opens the stream; once it shows a frame, sends on `playing`, then returns the wall-clock
/// instant its stream ended (run it on a blocking thread; end the stream from elsewhere).
pub fn watch_until_closed(config: &ViewerConfig, playing: std::sync::mpsc::Sender<()>) -> SystemTime {
    let mut viewer = Viewer::open(config).unwrap();
    while viewer.next_frame(Duration::from_secs(10)).unwrap().is_none() {}
    playing.send(()).unwrap();
    loop {
        if viewer.next_frame(Duration::from_millis(5)).is_err() {
            return SystemTime::now();
        }
    }
}
