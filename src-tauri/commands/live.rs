//! Live view tiles: open, acknowledge a frame, close.

use camshare_api::{DeviceId, StreamKind};
use tauri::State;
use tauri::ipc::{Channel, InvokeResponseBody};

use crate::error::CommandResult;
use crate::live::{LiveStatus, LiveStreams, OpenRequest};
use crate::state::AppState;

/// Opens one channel's stream at the tile's size; frames arrive on `frames` as JPEG bytes, each
/// after the previous one was acknowledged; state changes arrive on `status`.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn live_open(
    state: State<'_, AppState>,
    live: State<'_, LiveStreams>,
    device: DeviceId,
    channel: u16,
    stream: StreamKind,
    width: u32,
    height: u32,
    frames: Channel<InvokeResponseBody>,
    status: Channel<LiveStatus>,
) -> CommandResult<u64> {
    let client = state.client().await?;
    Ok(live.open(client, OpenRequest { device, channel, stream, width, height }, frames, status))
}

/// The webview drew the last frame of this tile: the next may come.
#[tauri::command]
pub fn live_ack(live: State<'_, LiveStreams>, id: u64) {
    live.ack(id);
}

/// Closes a tile's stream.
#[tauri::command]
pub fn live_close(live: State<'_, LiveStreams>, id: u64) {
    live.close(id);
}
