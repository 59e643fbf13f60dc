//! Building and running a server: [`ServerBuilder`] says what it needs (database, data folder,
//! listen addresses, gate on or off, TLS, clock, device checks, the camera network policy, limits), [`Server::run`] serves until its
//! shutdown token is cancelled and then stops everything it started — HTTP, event streams,
//! housekeeping, device checks and the media gate — before it returns. The command line
//! (`Config::builder`) is one way to fill the builder; tests and an app hosting the server are
//! others.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::camera::NetworkPolicy;
use crate::clock::{Clock, SystemClock};
use crate::gate::Gate;
use crate::health::DeviceHealth;
use crate::http::HttpLimits;
use crate::limits::Limits;
use crate::outbox::Outbox;
use crate::routes::extract::TrustedProxies;
use crate::routes::{AppState, app};
use crate::secrets::ServerKey;
use crate::store::{self, Db};
use crate::tasks::BackgroundTasks;
use crate::tls::{ServerTls, TlsSettings};

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot read or create the server key in {dir}: {source}")]
    Key { dir: PathBuf, source: std::io::Error },
    #[error("cannot open the database: {0}")]
    Database(crate::error::ServerError),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("the media gate cannot start: {0}")]
    Gate(String),
    #[error("cannot send mails or text messages: {0}")]
    Outbox(#[from] crate::outbox::OutboxError),
    #[error("TLS: {0}")]
    Tls(#[from] crate::tls::TlsError),
    #[error(
        "refusing to serve {what} without TLS on {addr}, which other machines can reach: passwords, tokens and \
         video would cross the network in clear. Start with --tls-self-signed (or --tls-cert and --tls-key), \
         listen on 127.0.0.1, or say --insecure if this network is yours alone"
    )]
    Insecure { what: &'static str, addr: SocketAddr },
}

/// How the server sends verification codes (see `outbox`) and the base URL of its links.
#[derive(Debug, Clone)]
pub struct Messages {
    /// Default: `http://` + the HTTP address bound.
    pub public_url: Option<String>,
    /// Default: none (messages go to `<data-dir>/outbox/`).
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Default: none (text messages go to `<data-dir>/outbox/`).
    pub sms_webhook: Option<String>,
}

impl Default for Messages {
    fn default() -> Messages {
        Messages {
            public_url: None,
            smtp_url: None,
            mail_from: "Camshare <camshare@localhost>".into(),
            sms_webhook: None,
        }
    }
}

/// Where the media gate listens, and the host name put in ticket URLs.
#[derive(Debug, Clone)]
pub struct GateSettings {
    pub listen: SocketAddr,
    /// Default: the listen address.
    pub public_host: Option<String>,
}

/// Everything a server needs to start. `new` gives the defaults of the command line except the
/// data folder, which the caller names.
#[derive(Clone)]
pub struct ServerBuilder {
    data_dir: PathBuf,
    database_url: Option<String>,
    listen: SocketAddr,
    gate: Option<GateSettings>,
    clock: Arc<dyn Clock>,
    device_checks: Option<Duration>,
    max_body_bytes: usize,
    camera_policy: NetworkPolicy,
    limits: Limits,
    http_limits: HttpLimits,
    messages: Messages,
    tls: Option<TlsSettings>,
    insecure: bool,
    trusted_proxies: Vec<ipnet::IpNet>,
}

impl ServerBuilder {
    /// A server keeping its key (and, unless `database` says otherwise, its SQLite file) in
    /// `data_dir`; HTTP on 127.0.0.1:7878, the gate on 127.0.0.1:7554, device checks every 30 s.
    pub fn new(data_dir: impl Into<PathBuf>) -> ServerBuilder {
        ServerBuilder {
            data_dir: data_dir.into(),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 7878)),
            gate: Some(GateSettings { listen: SocketAddr::from(([127, 0, 0, 1], 7554)), public_host: None }),
            clock: Arc::new(SystemClock),
            device_checks: Some(Duration::from_secs(30)),
            max_body_bytes: 64 * 1024,
            camera_policy: NetworkPolicy::default(),
            limits: Limits::default(),
            http_limits: HttpLimits::default(),
            messages: Messages::default(),
            tls: None,
            insecure: false,
            trusted_proxies: Vec::new(),
        }
    }

    /// `sqlite://PATH` or `postgres://…`. Default: `sqlite://DATA_DIR/camshare.db`.
    pub fn database(mut self, url: impl Into<String>) -> Self {
        self.database_url = Some(url.into());
        self
    }

    /// Where HTTP is served (port 0: any free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Run the media gate with these settings, or not at all (`None`): then stream tickets are
    /// refused as `not_found`.
    pub fn gate(mut self, gate: Option<GateSettings>) -> Self {
        self.gate = gate;
        self
    }

    /// The clock every decision reads (tests move a manual one).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How often every device's RTSP address is knocked on; `None`: never.
    pub fn device_checks(mut self, every: Option<Duration>) -> Self {
        self.device_checks = every;
        self
    }

    /// The largest request body accepted.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Which networks cameras may be on. Default: `NetworkPolicy::default()` (no loopback,
    /// link-local or metadata addresses).
    pub fn camera_policy(mut self, policy: NetworkPolicy) -> Self {
        self.camera_policy = policy;
        self
    }

    /// The per-account limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The HTTP side's limits: header timeout, connections in all and per address.
    pub fn http_limits(mut self, limits: HttpLimits) -> Self {
        self.http_limits = limits;
        self
    }

    /// How verification codes are sent, and the base URL of the links in mails.
    pub fn messages(mut self, messages: Messages) -> Self {
        self.messages = messages;
        self
    }

    /// Serve HTTPS and RTSPS with this certificate; `None` (the default): plain HTTP and RTSP,
    /// which only loopback addresses get unless `insecure`.
    pub fn tls(mut self, tls: Option<TlsSettings>) -> Self {
        self.tls = tls;
        self
    }

    /// Allow plain HTTP and RTSP on addresses other machines can reach (`--insecure`).
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.insecure = insecure;
        self
    }

    /// The networks of reverse proxies in front of the server, whose `X-Forwarded-For` names the
    /// client (for the per-address sign-in budgets). Default: none — the header is ignored.
    pub fn trusted_proxies(mut self, proxies: Vec<ipnet::IpNet>) -> Self {
        self.trusted_proxies = proxies;
        self
    }

    /// Refuses plain listeners that other machines can reach, unless `insecure`.
    fn check_plain_listeners(&self) -> Result<(), StartError> {
        if self.tls.is_some() || self.insecure {
            return Ok(());
        }
        let gate = self.gate.as_ref().map(|g| ("RTSP (the media gate)", g.listen));
        for (what, addr) in [("HTTP", self.listen)].into_iter().chain(gate) {
            if !addr.ip().is_loopback() {
                return Err(StartError::Insecure { what, addr });
            }
        }
        Ok(())
    }

    /// Opens the database (migrating it), loads or creates the server key and the TLS
    /// certificate, binds the HTTP port and starts the gate. Must be called inside a Tokio
    /// runtime.
    pub async fn build(self) -> Result<Server, StartError> {
        self.check_plain_listeners()?;
        let key = ServerKey::load_or_create(&self.data_dir)
            .map_err(|source| StartError::Key { dir: self.data_dir.clone(), source })?;
        let tls = self.tls.as_ref().map(|settings| ServerTls::load(settings, &self.data_dir)).transpose()?;
        let url = self
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("camshare.db").display()));
        let db = Db::connect(&url).await.map_err(StartError::Database)?;
        let sealed = crate::store::devices::bind_credentials(&db, &key).await.map_err(StartError::Database)?;
        if sealed > 0 {
            tracing::info!(devices = sealed, "camera logins sealed to their devices");
        }
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .map_err(|source| StartError::Listen { addr: self.listen, source })?;
        let m = &self.messages;
        let outbox =
            Outbox::new(m.smtp_url.as_deref(), &m.mail_from, m.sms_webhook.as_deref(), &self.data_dir.join("outbox"))?;
        tracing::info!("{}", outbox.describe());
        let bound = listener.local_addr().map_err(|source| StartError::Listen { addr: self.listen, source })?;
        let public_url = m.public_url.clone().unwrap_or_else(|| format!("{}://{bound}", scheme(tls.as_ref())));
        let tasks = BackgroundTasks::default();
        let camera_policy = Arc::new(self.camera_policy);
        let gate = match &self.gate {
            Some(g) => {
                let (db, key, clock, policy) = (db.clone(), key.clone(), self.clock.clone(), camera_policy.clone());
                let certificate = tls.as_ref().map(ServerTls::gio_certificate).transpose().map_err(StartError::Gate)?;
                let gate = Gate::start(g.listen, g.public_host.as_deref(), certificate, db, key, clock, policy, &tasks);
                Some(Arc::new(gate.map_err(StartError::Gate)?))
            }
            None => None,
        };
        let state = AppState {
            db,
            key,
            clock: self.clock,
            gate,
            health: DeviceHealth::new(self.device_checks.is_some(), camera_policy.clone()),
            camera_policy,
            limits: self.limits,
            outbox,
            public_url,
            shutdown: CancellationToken::new(),
        };
        Ok(Server {
            listener,
            state,
            max_body_bytes: self.max_body_bytes,
            http_limits: self.http_limits,
            device_checks: self.device_checks,
            tasks,
            tls,
            trusted_proxies: TrustedProxies(self.trusted_proxies.clone().into()),
        })
    }
}

/// A server bound to its ports, ready to serve.
pub struct Server {
    listener: tokio::net::TcpListener,
    state: AppState,
    max_body_bytes: usize,
    http_limits: HttpLimits,
    device_checks: Option<Duration>,
    tasks: BackgroundTasks,
    tls: Option<ServerTls>,
    trusted_proxies: TrustedProxies,
}

impl Server {
    /// The HTTP address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The certificate served, if any: its fingerprint is what clients pin.
    pub fn tls(&self) -> Option<&ServerTls> {
        self.tls.as_ref()
    }

    /// `https://ADDR` or `http://ADDR`: the API's base URL on the address bound.
    pub fn base_url(&self) -> std::io::Result<String> {
        Ok(format!("{}://{}", scheme(self.tls.as_ref()), self.local_addr()?))
    }

    /// What every handler sees (tests reach the database and the gate through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The background tasks (housekeeping, device checks, the gate's enforcer); none is running
    /// once `run` has returned.
    pub fn tasks(&self) -> BackgroundTasks {
        self.tasks.clone()
    }

    /// Serves until `shutdown` is cancelled: then stops accepting, ends open event streams,
    /// waits for requests in flight, stops the background tasks and the gate (closing its
    /// viewers and its port), and returns.
    pub async fn run(self, shutdown: CancellationToken) -> std::io::Result<()> {
        let Server { listener, state, max_body_bytes, http_limits, device_checks, tasks, tls, trusted_proxies } = self;
        tasks.spawn("housekeeping", housekeeping(state.clone()));
        if let Some(interval) = device_checks {
            tasks.spawn("device checks", state.health.clone().run(state.db.clone(), state.clock.clone(), interval));
        }
        let gate = state.gate.clone();
        let streams = state.shutdown.clone();
        let router = app(state, max_body_bytes);
        let stopping = async move {
            shutdown.cancelled().await;
            // Open event streams never end by themselves; graceful shutdown waits for them.
            streams.cancel();
        };
        let acceptor = tls.as_ref().map(ServerTls::acceptor);
        let served = crate::http::serve(listener, router, http_limits, acceptor, trusted_proxies, stopping).await;
        tasks.stop_all().await;
        if let Some(gate) = gate {
            gate.stop();
        }
        served
    }
}

/// The API's URL scheme: `https` with a certificate.
fn scheme(tls: Option<&ServerTls>) -> &'static str {
    if tls.is_some() { "https" } else { "http" }
}

/// Hourly: forget expired sessions, stale sign-in counters, old events, used tickets, expired
/// sign-ups and password resets.
async fn housekeeping(state: AppState) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        let now = state.clock.now();
        let pruned = async {
            Ok::<u64, crate::error::ServerError>(
                store::sessions::prune(&state.db.pool, now).await?
                    + store::events::prune(&state.db.pool, now).await?
                    + store::tickets::prune(&state.db.pool, now).await?
                    + store::pending_sign_ups::prune(&state.db.pool, now).await?
                    + store::password_resets::prune(&state.db.pool, now).await?,
            )
        };
        match pruned.await {
            Ok(n) if n > 0 => tracing::info!(rows = n, "housekeeping pruned expired rows"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry in an hour"),
        }
    }
}
