//! Camshare's typed async client: one method per endpoint of the server's HTTP API, token refresh
//! that callers never see, and the live event stream with resume. The desktop app and the CLI
//! both talk to the server only through this crate.
//!
//! ```no_run
//! # async fn demo() -> Result<(), camshare_client::ClientError> {
//! use camshare_client::Client;
//! let client = Client::new("http://127.0.0.1:7878")?;
//! let session = client
//!     .sign_in(&camshare_api::SignIn { login: "ann@example.com".into(), password: "…".into() })
//!     .await?;
//! client.on_tokens_changed(Box::new(|tokens| { /* persist tokens */ }));
//! for device in client.list_devices().await? {
//!     println!("{} {}", device.id, device.name);
//! }
//! # let _ = session; Ok(()) }
//! ```

mod account;
mod activity;
mod device;
mod error;
mod events;
#[cfg(test)]
mod fake_server;
mod invite;
#[cfg(feature = "keychain")]
pub mod keychain;
mod recipient;
mod share;
pub mod sse;
mod stream;
mod transport;
pub mod trust;

use std::sync::{Arc, Mutex, RwLock};

pub use camshare_api as api;
use camshare_api::{Secret, Tokens};
pub use error::{ClientError, ErrorKind};
pub use events::EventStream;
pub use trust::Trust;

/// Told the new tokens each time the client receives a new pair (sign-in, sign-up, refresh), so
/// the caller can persist them. Refresh tokens rotate on every use: a caller that keeps the old
/// one will find it refused next time.
pub type TokensCallback = Box<dyn Fn(&Tokens) + Send + Sync>;

/// What `GET /api/health` answers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Health {
    pub status: String,
}

/// A handle on one Camshare server and, once signed in, one session on it.
///
/// Cloning is cheap and clones share the session: a refresh done by one is seen by all, which is
/// what an app with several tasks talking to the server at once needs.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    trust: Trust,
    verifier: Arc<trust::TrustVerifier>,
    /// Without a trailing slash; route paths start with one.
    base_url: String,
    credentials: Mutex<Credentials>,
    /// Held while refreshing, so concurrent calls that all meet an expired access token refresh
    /// once: the first refreshes, the others find a new token when they get the lock.
    refresh_gate: tokio::sync::Mutex<()>,
    on_tokens_changed: RwLock<Option<TokensCallback>>,
}

#[derive(Clone)]
pub(crate) enum Credentials {
    None,
    /// A bare access token (e.g. from `CAMSHARE_TOKEN`): usable until it expires, not renewable.
    AccessToken(Secret),
    Session(Tokens),
}

impl Credentials {
    fn access_token(&self) -> Option<&str> {
        match self {
            Credentials::None => None,
            Credentials::AccessToken(token) => Some(token.expose()),
            Credentials::Session(tokens) => Some(tokens.access_token.expose()),
        }
    }
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:7878`), not signed in,
    /// trusting the system's certificate authorities and plain HTTP to this machine only.
    /// Only checks the address; nothing is sent until the first call.
    pub fn new(base_url: &str) -> Result<Client, ClientError> {
        Client::with_trust(base_url, Trust::default())
    }

    /// A client that also trusts what `trust` says: a pinned certificate, plain HTTP to
    /// another machine. Refuses `http://` to another host unless `trust.allow_plain`.
    pub fn with_trust(base_url: &str, trust: Trust) -> Result<Client, ClientError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let invalid =
            |reason: &str| ClientError::InvalidServerUrl { url: base_url.to_string(), reason: reason.to_string() };
        let url = reqwest::Url::parse(trimmed).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("it must start with http:// or https://"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("it must not have a query or fragment"));
        }
        let host = url.host_str().ok_or_else(|| invalid("it has no host"))?;
        if url.scheme() == "http" && !trust.allow_plain && !trust::is_loopback_host(host) {
            return Err(ClientError::InsecureConnection { url: trimmed.to_string() });
        }
        let (tls, verifier) = trust::client_config(&trust).map_err(|e| invalid(&e))?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("camshare-client/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(transport::CONNECT_TIMEOUT)
            .tls_backend_preconfigured(tls)
            // The API never redirects; following one could take a password from https:// to
            // http:// on another host, past the check above.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| invalid(&e.to_string()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                trust,
                verifier,
                base_url: trimmed.to_string(),
                credentials: Mutex::new(Credentials::None),
                refresh_gate: tokio::sync::Mutex::new(()),
                on_tokens_changed: RwLock::new(None),
            }),
        })
    }

    /// What this client trusts; a player opening the gate's `rtsps://` URL pins the same
    /// fingerprint (the server uses one certificate for both).
    pub fn trust(&self) -> &Trust {
        &self.inner.trust
    }

    /// Resumes a saved session. The tokens are refreshed when the server says the access token
    /// expired.
    pub fn with_tokens(self, tokens: Tokens) -> Client {
        self.set_tokens(Some(tokens));
        self
    }

    /// Uses a bare access token, as scripts do (`CAMSHARE_TOKEN`). There is no refresh token,
    /// so once the access token expires every call answers `unauthorized`.
    pub fn with_access_token(self, access_token: impl Into<Secret>) -> Client {
        *self.lock_credentials() = Credentials::AccessToken(access_token.into());
        self
    }

    /// Replaces the session's tokens (`None`: sign out locally, without telling the server).
    /// Does not call the [`TokensCallback`]: the caller already knows.
    pub fn set_tokens(&self, tokens: Option<Tokens>) {
        *self.lock_credentials() = match tokens {
            Some(tokens) => Credentials::Session(tokens),
            None => Credentials::None,
        };
    }

    /// The session's current tokens; `None` when signed out or using a bare access token.
    pub fn tokens(&self) -> Option<Tokens> {
        match &*self.lock_credentials() {
            Credentials::Session(tokens) => Some(tokens.clone()),
            _ => None,
        }
    }

    /// The access token sent with the next call, whichever way it was given.
    pub fn access_token(&self) -> Option<String> {
        self.lock_credentials().access_token().map(str::to_string)
    }

    /// Registers the one function told about new tokens; a later call replaces it.
    pub fn on_tokens_changed(&self, callback: TokensCallback) {
        *self.inner.on_tokens_changed.write().unwrap_or_else(|e| e.into_inner()) = Some(callback);
    }

    /// The server address, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub(crate) fn credentials(&self) -> Credentials {
        self.lock_credentials().clone()
    }

    /// Stores a new pair and tells the callback. Called for sign-in, sign-up and refresh.
    pub(crate) fn store_tokens(&self, tokens: &Tokens) {
        *self.lock_credentials() = Credentials::Session(tokens.clone());
        if let Some(callback) = &*self.inner.on_tokens_changed.read().unwrap_or_else(|e| e.into_inner()) {
            callback(tokens);
        }
    }

    fn lock_credentials(&self) -> std::sync::MutexGuard<'_, Credentials> {
        // A panic while holding this lock cannot leave the credentials half-written: every
        // writer replaces the whole value.
        self.inner.credentials.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for Client {
    /// Never prints tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let signed_in = match &*self.lock_credentials() {
            Credentials::None => "no",
            Credentials::AccessToken(_) => "access token only",
            Credentials::Session(_) => "session",
        };
        f.debug_struct("Client").field("base_url", &self.inner.base_url).field("signed_in", &signed_in).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_loses_its_trailing_slash_and_must_be_http() {
        assert_eq!(Client::new("http://127.0.0.1:7878/").unwrap().base_url(), "http://127.0.0.1:7878");
        assert_eq!(Client::new(" https://cams.example/base/ ").unwrap().base_url(), "https://cams.example/base");
        for bad in ["127.0.0.1:7878", "ftp://x", "not a url", "http://localhost/?a=1"] {
            let err = Client::new(bad).unwrap_err();
            assert_eq!(err.kind(), "invalid_input", "{bad}");
        }
    }

    #[test]
    fn plain_http_to_another_machine_is_refused_unless_allowed() {
        for remote in ["http://cams.example.org", "http://192.168.1.20:7878", "http://[2001:db8::1]:7878"] {
            let err = Client::new(remote).unwrap_err();
            assert_eq!(err.kind(), "insecure_connection", "{remote}");
            assert!(err.to_string().contains("--insecure"), "{err}");
            let allowed = Trust { allow_plain: true, ..Trust::default() };
            assert!(Client::with_trust(remote, allowed).is_ok(), "{remote}");
        }
        for local in ["http://127.0.0.1:7878", "http://localhost:7878", "http://[::1]:7878", "https://cams.example.org"]
        {
            assert!(Client::new(local).is_ok(), "{local}");
        }
    }

    #[test]
    fn bare_access_token_has_no_tokens_to_persist() {
        let client = Client::new("http://localhost").unwrap().with_access_token("abc");
        assert_eq!(client.access_token().as_deref(), Some("abc"));
        assert!(client.tokens().is_none());
        assert!(!format!("{client:?}").contains("abc"));
    }
}
