//! The viewer against the camera simulator directly (no gate): frames of the right channel come
//! out, and a wrong password is a refusal, not a network error.

use std::time::{Duration, Instant};

use camshare_camsim::{Camsim, Config, stamp, stream_path};
use camshare_media::{FrameFormat, StreamError, Viewer, ViewerConfig};

fn viewer_of(camsim: &Camsim, channel: u16, password: &str) -> ViewerConfig {
    let mut config = ViewerConfig::new(
        format!("{}{}", camsim.rtsp_url(), stream_path(channel, true)),
        &camsim.config.username,
        password,
    );
    config.format = FrameFormat::Gray;
    config
}

#[tokio::test(flavor = "multi_thread")]
async fn frames_show_the_channel_asked_for() {
    let camsim = Camsim::start(Config::nvr(&["Front door", "Garage"])).await.unwrap();
    let config = viewer_of(&camsim, 2, &camsim.config.password.clone());
    let stamp = tokio::task::spawn_blocking(move || {
        let mut viewer = Viewer::open(&config).unwrap();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if let Some(frame) = viewer.next_frame(Duration::from_millis(500)).unwrap() {
                let (w, h, s) = (frame.width as usize, frame.height as usize, frame.stride as usize);
                if let Some(stamp) = stamp::read(&frame.data, s, w, h) {
                    return stamp;
                }
            }
        }
        panic!("no stamped frame in 15 s");
    })
    .await
    .unwrap();
    assert_eq!(stamp.channel, 2);
    assert_eq!(stamp.name_hash, stamp::name_hash("Garage"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_is_refused() {
    let camsim = Camsim::start(Config::nvr(&["Porch"])).await.unwrap();
    let config = viewer_of(&camsim, 1, "wrong");
    let outcome = tokio::task::spawn_blocking(move || {
        let mut viewer = Viewer::open(&config).unwrap();
        match viewer.next_frame(Duration::from_secs(10)) {
            Ok(None) => panic!("no answer in 10 s"),
            Ok(Some(_)) => panic!("frames with a wrong password"),
            Err(e) => e,
        }
    })
    .await
    .unwrap();
    assert!(matches!(outcome, StreamError::Refused(_)), "{outcome:?}");
}
