//! Forwards the account's server-sent events to the window (`camshare://event`), reports the
//! connection (`camshare://connection`), and shows a desktop notification for a new invitation.

use camshare_api::{Event, EventKind};
use camshare_client::Client;
use futures::StreamExt;
use serde::Serialize;
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;

/// The Tauri event carrying one server event.
pub const EVENT: &str = "camshare://event";
/// The Tauri event carrying the connection state.
pub const CONNECTION: &str = "camshare://connection";

#[derive(Debug, Clone, Serialize)]
struct Connection {
    state: &'static str,
    message: Option<String>,
}

fn connection(app: &AppHandle, state: &'static str, message: Option<String>) {
    let _ = app.emit(CONNECTION, Connection { state, message });
}

/// Follows the account's events until the session ends.
pub fn forward(app: AppHandle, client: Client) -> JoinHandle<()> {
    tauri::async_runtime::spawn(async move {
        let mut stream = client.events(None);
        connection(&app, "connected", None);
        let mut troubled = false;
        while let Some(item) = stream.next().await {
            match item {
                Ok(event) => {
                    if std::mem::take(&mut troubled) {
                        connection(&app, "connected", None);
                    }
                    notify(&app, &event);
                    let _ = app.emit(EVENT, &event);
                }
                Err(e) if e.is_transient() => {
                    troubled = true;
                    connection(&app, "reconnecting", Some(e.to_string()));
                }
                Err(e) => {
                    connection(&app, "signed_out", Some(e.to_string()));
                    return;
                }
            }
        }
    })
}

/// A desktop notification for a new invitation; silently nothing where no notification service runs.
fn notify(app: &AppHandle, event: &Event) {
    if let EventKind::InviteReceived { device_name, owner_name, .. } = &event.kind {
        let _ = app
            .notification()
            .builder()
            .title("New shared device")
            .body(format!("{owner_name} wants to share “{device_name}” with you."))
            .show();
    }
}
