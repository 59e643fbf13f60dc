//! What the media gate reads from an RTSP request before any database: the path
//! (`/live/DEVICE/CHANNEL/STREAM`, also with a control suffix), the Basic credentials, and the
//! ticket's shape. Nothing panics; a parsed path is made again by `stream_path`.
#![no_main]

use camshare_server::gate::{auth, parse_stream_path, stream_path};
use camshare_server::store::tickets::looks_like_ticket;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Some((device, channel, stream)) = parse_stream_path(text) {
        let path = stream_path(device, channel, stream);
        assert_eq!(parse_stream_path(&path), Some((device, channel, stream)));
    }
    if let Some((_, ticket)) = auth::decode_basic(text) {
        let _ = looks_like_ticket(&ticket);
    }
    let _ = looks_like_ticket(text);
});
