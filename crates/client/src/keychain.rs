//! Where the CLI and the desktop app keep a session between runs: the OS keychain, never a
//! plaintext file. One entry per server and profile (service `camshare`, user = the server URL,
//! or `PROFILE@URL` for a named desktop profile) holding the tokens as JSON. The Secret Service
//! (GNOME Keyring, KWallet) is tried first, then the kernel's keyutils keyring, which exists on
//! every Linux but forgets everything at reboot. Built with the `keychain` feature.

use std::sync::{Arc, Mutex};

use camshare_api::Tokens;
use keyring_core::{CredentialStore, Entry, Error as KeyringError};
use serde::{Deserialize, Serialize};

/// A keychain failure: what went wrong, in words for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct KeychainError {
    pub message: String,
}

impl KeychainError {
    fn new(message: impl Into<String>) -> KeychainError {
        KeychainError { message: message.into() }
    }

    /// Always [`crate::ErrorKind::Keychain`]: callers branch on it like on a client error.
    pub fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::Keychain
    }
}

const SERVICE: &str = "camshare";

/// What one keychain entry holds. The server is repeated inside so an entry read by mistake
/// for another server is recognised.
#[derive(Serialize, Deserialize)]
struct StoredSession {
    server: String,
    tokens: Tokens,
}

/// The keychain entries of one server's session.
pub struct SessionStore {
    server: String,
    /// The keychain entry's user name: the server URL, or `PROFILE@URL`.
    user: String,
    /// The stores that could be opened, in order of preference, with their names.
    stores: Vec<(&'static str, Arc<CredentialStore>)>,
    /// Why stores could not be opened, or failed when used; for the error message.
    problems: Mutex<Vec<String>>,
    /// The store the session was loaded from or saved to, so rotated tokens go back there.
    home: Mutex<Option<usize>>,
}

impl SessionStore {
    /// Opens the keychain stores this machine has. Never fails: a machine without any store
    /// only finds out when saving.
    pub fn open(server: &str) -> SessionStore {
        SessionStore::open_profile(server, None)
    }

    /// As `open`, for a named profile (the desktop app's `--profile`): its own entry.
    pub fn open_profile(server: &str, profile: Option<&str>) -> SessionStore {
        let mut stores: Vec<(&'static str, Arc<CredentialStore>)> = Vec::new();
        let mut problems = Vec::new();
        match dbus_secret_service_keyring_store::Store::new() {
            Ok(store) => stores.push(("Secret Service", store)),
            Err(e) => problems.push(format!("Secret Service: {e}")),
        }
        match linux_keyutils_keyring_store::Store::new() {
            Ok(store) => stores.push(("kernel keyring", store)),
            Err(e) => problems.push(format!("kernel keyring: {e}")),
        }
        SessionStore::with_stores(server, profile, stores, problems)
    }

    /// A session store over the given keychain stores; tests pass keyring-core's mock store.
    pub fn with_stores(
        server: &str,
        profile: Option<&str>,
        stores: Vec<(&'static str, Arc<CredentialStore>)>,
        problems: Vec<String>,
    ) -> SessionStore {
        let user = match profile {
            Some(p) => format!("{p}@{server}"),
            None => server.to_string(),
        };
        SessionStore {
            server: server.to_string(),
            user,
            stores,
            problems: Mutex::new(problems),
            home: Mutex::new(None),
        }
    }

    /// Whether any keychain store could be opened at all.
    pub fn is_available(&self) -> bool {
        !self.stores.is_empty()
    }

    /// The saved tokens for this server, if any store has them.
    pub fn load(&self) -> Option<Tokens> {
        for (index, (name, store)) in self.stores.iter().enumerate() {
            let found = self.entry(store).and_then(|entry| entry.get_password());
            match found {
                Ok(json) => match serde_json::from_str::<StoredSession>(&json) {
                    Ok(saved) if saved.server == self.server => {
                        *self.home.lock().unwrap_or_else(|e| e.into_inner()) = Some(index);
                        return Some(saved.tokens);
                    }
                    _ => self.note(format!("{name}: the saved session is unreadable")),
                },
                Err(KeyringError::NoEntry) => {}
                Err(e) => self.note(format!("{name}: {e}")),
            }
        }
        None
    }

    /// Saves the tokens: where they were loaded from, else in the first store that takes them.
    pub fn save(&self, tokens: &Tokens) -> Result<(), KeychainError> {
        let json = serde_json::to_string(&StoredSession { server: self.server.clone(), tokens: tokens.clone() })
            .map_err(|e| KeychainError::new(e.to_string()))?;
        let home = *self.home.lock().unwrap_or_else(|e| e.into_inner());
        let order = home.into_iter().chain((0..self.stores.len()).filter(|i| Some(*i) != home));
        for index in order {
            let (name, store) = &self.stores[index];
            match self.entry(store).and_then(|entry| entry.set_password(&json)) {
                Ok(()) => {
                    *self.home.lock().unwrap_or_else(|e| e.into_inner()) = Some(index);
                    return Ok(());
                }
                Err(e) => self.note(format!("{name}: {e}")),
            }
        }
        Err(KeychainError::new(format!("no keychain could keep the session ({})", self.problems())))
    }

    /// Forgets the session in every store. A missing entry is not an error.
    pub fn delete(&self) -> Result<(), KeychainError> {
        let mut failures = Vec::new();
        for (name, store) in &self.stores {
            match self.entry(store).and_then(|entry| entry.delete_credential()) {
                Ok(()) | Err(KeyringError::NoEntry) => {}
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(KeychainError::new(format!("could not forget the saved session ({})", failures.join("; "))))
        }
    }

    /// Why no store worked, for messages.
    pub fn problems(&self) -> String {
        let problems = self.problems.lock().unwrap_or_else(|e| e.into_inner());
        if problems.is_empty() { "no keychain is available".to_string() } else { problems.join("; ") }
    }

    fn entry(&self, store: &Arc<CredentialStore>) -> keyring_core::Result<Entry> {
        store.build(SERVICE, &self.user, None)
    }

    fn note(&self, problem: String) {
        self.problems.lock().unwrap_or_else(|e| e.into_inner()).push(problem);
    }
}

#[cfg(test)]
mod tests {
    use keyring_core::mock;

    use super::*;

    fn tokens(n: u32) -> Tokens {
        let at: camshare_api::Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
        Tokens {
            access_token: format!("a{n}").into(),
            access_expires_at: at,
            refresh_token: format!("r{n}").into(),
            refresh_expires_at: at,
        }
    }

    fn mock_store() -> Arc<CredentialStore> {
        mock::Store::new().unwrap()
    }

    #[test]
    fn saved_session_is_found_again_for_the_same_server_only() {
        let keychain = mock_store();
        let first = SessionStore::with_stores("http://a:1", None, vec![("mock", keychain.clone())], vec![]);
        first.save(&tokens(1)).unwrap();

        let again = SessionStore::with_stores("http://a:1", None, vec![("mock", keychain.clone())], vec![]);
        assert_eq!(again.load().unwrap().refresh_token, "r1");
        let other_server = SessionStore::with_stores("http://b:1", None, vec![("mock", keychain)], vec![]);
        assert!(other_server.load().is_none());
    }

    #[test]
    fn a_failing_store_is_passed_over_and_rotated_tokens_go_where_the_session_is() {
        let (broken, working) = (mock_store(), mock_store());
        let entry = broken.build(SERVICE, "http://a:1", None).unwrap();
        let cred: &mock::Cred = entry.as_any().downcast_ref().unwrap();
        cred.set_error(KeyringError::NoStorageAccess("locked".into()));
        let stores = vec![("broken", broken.clone()), ("working", working.clone())];
        let store = SessionStore::with_stores("http://a:1", None, stores.clone(), vec![]);

        store.save(&tokens(1)).unwrap();
        let reopened = SessionStore::with_stores("http://a:1", None, stores, vec![]);
        assert_eq!(reopened.load().unwrap().access_token, "a1");
        reopened.save(&tokens(2)).unwrap();

        assert!(matches!(
            broken.build(SERVICE, "http://a:1", None).unwrap().get_password(),
            Err(KeyringError::NoEntry)
        ));
        assert_eq!(reopened.load().unwrap().access_token, "a2");
    }

    #[test]
    fn without_any_store_saving_fails_with_advice() {
        let store = SessionStore::with_stores("http://a:1", None, vec![], vec!["Secret Service: no bus".into()]);
        let error = store.save(&tokens(1)).unwrap_err();
        assert!(error.message.contains("no bus"), "{error}");
    }

    #[test]
    fn profiles_keep_separate_sessions_on_one_server() {
        let keychain = mock_store();
        let alice = SessionStore::with_stores("http://a:1", Some("alice"), vec![("mock", keychain.clone())], vec![]);
        let plain = SessionStore::with_stores("http://a:1", None, vec![("mock", keychain)], vec![]);
        alice.save(&tokens(1)).unwrap();
        plain.save(&tokens(2)).unwrap();
        assert_eq!(alice.load().unwrap().access_token, "a1");
        assert_eq!(plain.load().unwrap().access_token, "a2");
    }

    #[test]
    fn deleted_session_is_gone_and_deleting_twice_is_fine() {
        let keychain = mock_store();
        let store = SessionStore::with_stores("http://a:1", None, vec![("mock", keychain)], vec![]);
        store.save(&tokens(1)).unwrap();
        store.delete().unwrap();
        assert!(store.load().is_none());
        store.delete().unwrap();
    }
}
