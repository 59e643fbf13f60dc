//! What the app holds while it runs: the launch options, the signed-in client (if any) with its
//! event-forwarding task, and where sessions and settings are kept.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use camshare_api::Fingerprint;
use camshare_client::keychain::SessionStore;
use camshare_client::{Client, Trust};
use keyring_core::CredentialStore;
use serde::{Deserialize, Serialize};
use tauri::AppHandle;
use tauri::async_runtime::JoinHandle;

use crate::error::{CommandError, CommandResult};
use crate::events;
use crate::profile::{DEFAULT_SERVER, LaunchOptions};

/// Non-secret settings kept in the profile's config folder.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Settings {
    server_url: Option<String>,
    /// Servers with a self-signed certificate the person trusted, by address: its fingerprint.
    #[serde(default)]
    pinned: BTreeMap<String, Fingerprint>,
    /// `http://` servers on other machines the person allowed in clear.
    #[serde(default)]
    plain_allowed: BTreeSet<String>,
}

/// A signed-in session: the client and the task forwarding its events to the window.
struct Session {
    client: Client,
    events: JoinHandle<()>,
}

/// The app's state, managed by Tauri.
pub struct AppState {
    pub options: LaunchOptions,
    settings_file: PathBuf,
    session: tokio::sync::Mutex<Option<Session>>,
    /// A credential store used instead of the OS keychain; only a test-hooks build sets one.
    keychain_override: Option<Arc<CredentialStore>>,
}

impl AppState {
    pub fn new(options: LaunchOptions, config_dir: PathBuf) -> AppState {
        #[cfg(feature = "test-hooks")]
        let keychain_override = crate::test_hooks::keychain_override();
        #[cfg(not(feature = "test-hooks"))]
        let keychain_override = None;
        AppState {
            options,
            settings_file: config_dir.join("settings.json"),
            session: tokio::sync::Mutex::new(None),
            keychain_override,
        }
    }

    /// The server to talk to: `--server`, else the one last signed in to, else the local one.
    pub fn server_url(&self) -> String {
        self.options.server.clone().or_else(|| self.settings().server_url).unwrap_or_else(|| DEFAULT_SERVER.to_string())
    }

    fn settings(&self) -> Settings {
        std::fs::read_to_string(&self.settings_file)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    fn save_settings(&self, settings: &Settings) -> CommandResult<()> {
        let failed =
            |e: &dyn std::fmt::Display| CommandError::new("io", format!("cannot save the app's settings: {e}"));
        if let Some(dir) = self.settings_file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| failed(&e))?;
        }
        let json = serde_json::to_string_pretty(settings).map_err(|e| failed(&e))?;
        std::fs::write(&self.settings_file, json).map_err(|e| failed(&e))
    }

    fn remember_server(&self, url: &str) {
        let mut settings = self.settings();
        settings.server_url = Some(url.to_string());
        let _ = self.save_settings(&settings);
    }

    /// A client for `url`, trusting what the person trusted for it: a pinned certificate
    /// (`--pin` at launch, or "Trust this server"), plain HTTP to another machine
    /// (`--insecure`, or "Connect without encryption").
    pub fn connect(&self, url: &str) -> CommandResult<Client> {
        let key = server_key(url);
        let settings = self.settings();
        let trust = Trust {
            allow_plain: self.options.insecure || settings.plain_allowed.contains(&key),
            pinned: settings.pinned.get(&key).copied().or(self.options.pin),
        };
        Ok(Client::with_trust(url.trim(), trust)?)
    }

    /// Trusts the certificate with `fingerprint` for the server at `url` from now on (and no
    /// other certificate for it).
    pub fn pin_server(&self, url: &str, fingerprint: Fingerprint) -> CommandResult<()> {
        let mut settings = self.settings();
        settings.pinned.insert(server_key(url), fingerprint);
        self.save_settings(&settings)
    }

    /// Allows plain HTTP to the server at `url` from now on.
    pub fn allow_plain(&self, url: &str) -> CommandResult<()> {
        let mut settings = self.settings();
        settings.plain_allowed.insert(server_key(url));
        self.save_settings(&settings)
    }

    /// The keychain entry of this profile's session on a server.
    pub fn keychain(&self, server: &str) -> SessionStore {
        match &self.keychain_override {
            Some(store) => SessionStore::with_stores(
                server,
                self.options.profile.as_deref(),
                vec![("mock", store.clone())],
                vec![],
            ),
            None => SessionStore::open_profile(server, self.options.profile.as_deref()),
        }
    }

    /// The signed-in client, or `unauthorized`.
    pub async fn client(&self) -> CommandResult<Client> {
        self.session.lock().await.as_ref().map(|s| s.client.clone()).ok_or_else(CommandError::signed_out)
    }

    /// Makes `client` the signed-in session: its rotated tokens go to the keychain, its events
    /// to the window. Returns the keychain problem, if the session could not be kept there.
    pub async fn start(&self, app: &AppHandle, client: Client) -> Option<String> {
        let server = client.base_url().to_string();
        self.remember_server(&server);
        let keychain = Arc::new(self.keychain(&server));
        let kept = match client.tokens() {
            Some(tokens) => keychain.save(&tokens).err().map(|e| e.message),
            None => None,
        };
        client.on_tokens_changed(Box::new(move |tokens| {
            if let Err(e) = keychain.save(tokens) {
                eprintln!("camshare-desktop: the renewed session could not be kept in the keychain: {e}");
            }
        }));
        let events = events::forward(app.clone(), client.clone());
        if let Some(old) = self.session.lock().await.replace(Session { client, events }) {
            old.events.abort();
        }
        kept
    }

    /// Ends the local session (the caller signs out on the server first).
    pub async fn stop(&self) -> CommandResult<()> {
        if let Some(old) = self.session.lock().await.take() {
            old.events.abort();
            self.keychain(old.client.base_url()).delete()?;
        }
        Ok(())
    }
}

/// Settings are kept per server address, written as the client writes it (no trailing slash).
fn server_key(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}
