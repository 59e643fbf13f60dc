//! The Camshare desktop app (Tauri 2): every sharing flow in a window. The Rust side is thin:
//! commands wrap `camshare-client` (`commands/`), errors become `{kind, message}` (`error.rs`),
//! server events are forwarded to the window (`events.rs`), and `--profile` gives independent
//! instances (`profile.rs`). The UI is in `ui/`.

mod commands;
mod error;
mod events;
mod graphics;
mod live;
mod profile;
mod state;
#[cfg(feature = "test-hooks")]
mod test_hooks;

use tauri::Manager;

use crate::profile::LaunchOptions;
use crate::state::AppState;

/// The base application identifier; profiles append `.<name>`.
const IDENTIFIER: &str = "org.camshare.desktop";

/// Starts the app.
pub fn run() {
    #[cfg(feature = "test-hooks")]
    test_hooks::note_start();
    graphics::choose_webkit_renderer();
    let options = match LaunchOptions::parse(std::env::args()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("camshare-desktop: {message}");
            std::process::exit(2);
        }
    };
    let mut context = tauri::generate_context!();
    context.config_mut().identifier = options.identifier(IDENTIFIER);
    if let Some(profile) = &options.profile {
        for window in &mut context.config_mut().app.windows {
            window.title = format!("Camshare — {profile}");
        }
    }
    tauri::Builder::default()
        // First, so a second launch of the same profile hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            let config_dir = app.path().app_config_dir()?;
            app.manage(AppState::new(options, config_dir));
            app.manage(live::LiveStreams::default());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::app_info,
            commands::session::trust_server_certificate,
            commands::session::allow_plain_server,
            commands::session::sign_up,
            commands::session::verify_sign_up,
            commands::session::resend_sign_up_code,
            commands::session::start_password_reset,
            commands::session::finish_password_reset,
            commands::session::change_password,
            commands::session::delete_account,
            commands::session::sign_in,
            commands::session::sign_out,
            commands::session::me,
            commands::session::verify_account_code,
            #[cfg(feature = "test-hooks")]
            test_hooks::mark_drawn,
            commands::devices::list_devices,
            commands::devices::add_device,
            commands::devices::get_device,
            commands::devices::edit_device,
            commands::devices::remove_device,
            commands::devices::device_access,
            commands::sharing::share_devices,
            commands::sharing::list_shares,
            commands::sharing::get_share,
            commands::sharing::edit_share,
            commands::sharing::revoke_share,
            commands::sharing::resend_share,
            commands::sharing::cancel_share,
            commands::sharing::revoke_everything,
            commands::sharing::list_recipients,
            commands::sharing::get_recipient,
            commands::sharing::edit_recipient,
            commands::sharing::delete_recipient,
            commands::sharing::recipient_history,
            commands::sharing::activity,
            commands::received::list_invites,
            commands::received::accept_invite,
            commands::received::reject_invite,
            commands::received::list_shared_devices,
            commands::received::remove_shared_device,
            commands::received::list_blocked_owners,
            commands::received::block_owner,
            commands::received::unblock_owner,
            commands::live::live_open,
            commands::live::live_ack,
            commands::live::live_close,
        ])
        .run(context)
        .expect("the Camshare window could not start");
}
