//! Live view in the app: each open tile is a thread that gets a ticket, runs a
//! `camshare_media::Viewer` at the tile's size, and sends JPEG frames to the webview as raw bytes
//! over a `tauri::ipc::Channel`. A frame goes only after the webview acknowledged the previous
//! one (`live_ack`), so a slow webview never builds a queue: it always gets the newest picture.
//!
//! When a stream ends, the thread asks for a new ticket: refused means access ended (the tile
//! says so and stays closed); otherwise it reconnects with backoff and says so ("reconnecting",
//! or "offline" when the server answers but the camera sends nothing).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use camshare_api::{DeviceId, ErrorKind as Api, StreamKind};
use camshare_client::{Client, ErrorKind};
use camshare_media::{FrameFormat, StreamError, Viewer, ViewerConfig};
use serde::Serialize;
use tauri::ipc::{Channel, InvokeResponseBody};

/// What a tile shows besides pictures.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LiveStatus {
    /// Asking for a ticket and opening the stream.
    Connecting,
    /// Pictures are flowing.
    Live,
    /// The connection dropped; trying again in `retry_in_ms`.
    Reconnecting { retry_in_ms: u64, reason: String },
    /// The server answers, but the camera sends no pictures; trying again in `retry_in_ms`.
    Offline { retry_in_ms: u64 },
    /// The owner stopped sharing this, or it is not allowed now: no more tries.
    Ended { reason: String },
}

/// One open tile's controls.
struct Tile {
    stop: AtomicBool,
    /// Whether the webview has taken the last frame.
    acked: Mutex<bool>,
    wake: Condvar,
}

impl Tile {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Waits up to `limit` for the ack of the last frame; true when acked.
    fn wait_ack(&self, limit: Duration) -> bool {
        let acked = self.acked.lock().expect("tile lock");
        let (acked, _) = self.wake.wait_timeout_while(acked, limit, |a| !*a && !self.stopped()).expect("tile lock");
        *acked
    }

    fn sent(&self) {
        *self.acked.lock().expect("tile lock") = false;
    }

    fn ack(&self) {
        *self.acked.lock().expect("tile lock") = true;
        self.wake.notify_all();
    }

    /// Sleeps, waking early when the tile is closed; false if it was.
    fn pause(&self, d: Duration) -> bool {
        let guard = self.acked.lock().expect("tile lock");
        let _ = self.wake.wait_timeout_while(guard, d, |_| !self.stopped()).expect("tile lock");
        !self.stopped()
    }
}

/// Every open tile of this window.
#[derive(Default)]
pub struct LiveStreams {
    next: AtomicU64,
    tiles: Mutex<HashMap<u64, Arc<Tile>>>,
}

/// What to open.
pub struct OpenRequest {
    pub device: DeviceId,
    pub channel: u16,
    pub stream: StreamKind,
    pub width: u32,
    pub height: u32,
}

impl LiveStreams {
    /// Starts a tile's stream; returns its id for `ack` and `close`.
    pub fn open(
        &self,
        client: Client,
        request: OpenRequest,
        frames: Channel<InvokeResponseBody>,
        status: Channel<LiveStatus>,
    ) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let tile = Arc::new(Tile { stop: AtomicBool::new(false), acked: Mutex::new(true), wake: Condvar::new() });
        self.tiles.lock().expect("tiles lock").insert(id, tile.clone());
        let runtime = tauri::async_runtime::handle();
        let _ = std::thread::Builder::new().name(format!("live-{id}")).spawn(move || {
            run(&tile, &client, &runtime, &request, &frames, &status);
        });
        id
    }

    pub fn ack(&self, id: u64) {
        if let Some(tile) = self.tiles.lock().expect("tiles lock").get(&id) {
            tile.ack();
        }
    }

    /// Stops a tile; its pipeline ends and its connection closes.
    pub fn close(&self, id: u64) {
        if let Some(tile) = self.tiles.lock().expect("tiles lock").remove(&id) {
            tile.stop.store(true, Ordering::Relaxed);
            tile.wake.notify_all();
        }
    }

    /// Stops every tile (signing out).
    pub fn close_all(&self) {
        let ids: Vec<u64> = self.tiles.lock().expect("tiles lock").keys().copied().collect();
        for id in ids {
            self.close(id);
        }
    }
}

const FIRST_RETRY: Duration = Duration::from_millis(500);
const MAX_RETRY: Duration = Duration::from_secs(5);

/// The tile's life: connect, relay frames, and after an end decide between giving up and
/// reconnecting.
fn run(
    tile: &Tile,
    client: &Client,
    runtime: &tauri::async_runtime::RuntimeHandle,
    request: &OpenRequest,
    frames: &Channel<InvokeResponseBody>,
    status: &Channel<LiveStatus>,
) {
    let mut retry = FIRST_RETRY;
    while !tile.stopped() {
        let _ = status.send(LiveStatus::Connecting);
        let ticket = runtime.block_on(client.stream_ticket(request.device, request.channel, request.stream));
        let ticket = match ticket {
            Ok(ticket) => ticket,
            Err(e) if access_ended(e.kind()) => {
                let reason = e.api_error().map(|a| a.message.clone()).unwrap_or_else(|| e.to_string());
                let _ = status.send(LiveStatus::Ended { reason: ended_reason(e.kind(), &reason) });
                return;
            }
            Err(e) => {
                let _ = status
                    .send(LiveStatus::Reconnecting { retry_in_ms: retry.as_millis() as u64, reason: e.to_string() });
                if !tile.pause(retry) {
                    return;
                }
                retry = (retry * 2).min(MAX_RETRY);
                continue;
            }
        };
        let config = ViewerConfig {
            url: ticket.url.clone(),
            username: ticket.username.clone(),
            password: ticket.ticket.clone(),
            size: Some((request.width.max(16), request.height.max(16))),
            format: FrameFormat::Jpeg { quality: 80 },
            latency_ms: 100,
            // The gate serves the server's certificate: the client's pin holds for both.
            pinned: client.trust().pinned,
            allow_plain: client.trust().allow_plain,
        };
        let (got_frames, ended) = relay(tile, &config, frames, status);
        if tile.stopped() {
            return;
        }
        if got_frames {
            retry = FIRST_RETRY;
        }
        // Ended: is it the access? The next ticket request tells (and is the reconnect anyway).
        let next = match &ended {
            // Not safe to play: retrying would not change that.
            Some(e @ (StreamError::Insecure(_) | StreamError::UntrustedCertificate(_))) => {
                let _ = status.send(LiveStatus::Ended { reason: format!("Live view stopped: {e}.") });
                return;
            }
            Some(StreamError::Closed) | Some(StreamError::Refused(_)) if got_frames => {
                let _ = status.send(LiveStatus::Reconnecting { retry_in_ms: 0, reason: "the stream ended".into() });
                Duration::ZERO
            }
            Some(StreamError::Network(reason)) => {
                let _ = status
                    .send(LiveStatus::Reconnecting { retry_in_ms: retry.as_millis() as u64, reason: reason.clone() });
                retry
            }
            // No picture for 4 s, or the gate could not reach the camera (`Unavailable`): the
            // server is there, the camera is not.
            _ => {
                let _ = status.send(LiveStatus::Offline { retry_in_ms: retry.as_millis() as u64 });
                retry
            }
        };
        if !next.is_zero() {
            if !tile.pause(next) {
                return;
            }
            retry = (retry * 2).min(MAX_RETRY);
        }
    }
}

/// Whether a refused ticket means the tile's access is over (rather than a passing failure).
fn access_ended(kind: ErrorKind) -> bool {
    kind.is_signed_out() || matches!(kind, ErrorKind::Api(Api::NotFound | Api::Forbidden | Api::InvalidInput))
}

fn ended_reason(kind: ErrorKind, message: &str) -> String {
    match kind {
        ErrorKind::Api(Api::NotFound) => "This camera is no longer shared with you.".into(),
        ErrorKind::Api(Api::Forbidden) => format!("Live view is not allowed now: {message}."),
        kind if kind.is_signed_out() => "You are signed out.".into(),
        _ => message.to_string(),
    }
}

/// Runs one connection until it ends or the tile closes. Returns whether any frame came, and
/// why it ended (`None`: the tile was closed, or no frame came for 4 s).
fn relay(
    tile: &Tile,
    config: &ViewerConfig,
    frames: &Channel<InvokeResponseBody>,
    status: &Channel<LiveStatus>,
) -> (bool, Option<StreamError>) {
    let mut viewer = match Viewer::open(config) {
        Ok(v) => v,
        Err(e) => return (false, Some(e)),
    };
    let mut got_frames = false;
    let mut quiet = 0u32;
    while !tile.stopped() {
        if !tile.wait_ack(Duration::from_millis(200)) {
            continue;
        }
        match viewer.next_frame(Duration::from_millis(200)) {
            Ok(Some(frame)) => {
                quiet = 0;
                if !got_frames {
                    got_frames = true;
                    let _ = status.send(LiveStatus::Live);
                }
                tile.sent();
                if frames.send(InvokeResponseBody::Raw(frame.data)).is_err() {
                    return (got_frames, None);
                }
            }
            Ok(None) => {
                quiet += 1;
                // 4 s (two keyframe intervals of a typical camera) without a picture: the camera
                // is not sending.
                if quiet >= 20 {
                    return (got_frames, None);
                }
            }
            Err(e) => return (got_frames, Some(e)),
        }
    }
    (got_frames, None)
}
