//! The server's configuration: command-line flags, each also readable from an environment
//! variable. Every field says its default.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use ipnet::IpNet;

use crate::camera::NetworkPolicy;
use crate::http::HttpLimits;
use crate::limits::Limits;
use crate::server::Messages;
use crate::tls::TlsSettings;

/// The Camshare sharing server: accounts, devices, shares, invites and events over HTTP.
#[derive(Debug, Clone, Parser)]
#[command(name = "camshare-server", version, about)]
pub struct Config {
    /// Address and port to serve HTTP on (HTTPS with --tls-cert or --tls-self-signed). Without
    /// TLS only a loopback address is allowed, unless --insecure. Default: 127.0.0.1:7878 (this
    /// machine only).
    #[arg(long, env = "CAMSHARE_LISTEN", default_value = "127.0.0.1:7878")]
    pub listen: SocketAddr,

    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST/DB`.
    /// Default: sqlite://<data-dir>/camshare.db, created on first start.
    #[arg(long, env = "CAMSHARE_DATABASE")]
    pub database: Option<String>,

    /// Folder for the SQLite file and the server key (`server.key`, mode 0600).
    /// Default: the user's data folder, e.g. ~/.local/share/camshare.
    #[arg(long, env = "CAMSHARE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Log filter, e.g. `info` or `camshare_server=debug`. Default: info.
    #[arg(long, env = "CAMSHARE_LOG", default_value = "info")]
    pub log: String,

    /// Address and port of the media gate (RTSP), which relays camera streams to viewers with a
    /// ticket. Default: 127.0.0.1:7554 (this machine only).
    #[arg(long, env = "CAMSHARE_GATE_LISTEN", default_value = "127.0.0.1:7554")]
    pub gate_listen: SocketAddr,

    /// Host name viewers use to reach the gate, put in ticket URLs. Default: the gate's listen
    /// address.
    #[arg(long, env = "CAMSHARE_GATE_HOST")]
    pub gate_host: Option<String>,

    /// Seconds between checks of whether each device answers on its RTSP address (an RTSP
    /// `OPTIONS` request), shown as online/offline in the owner's device list. 0 turns the
    /// checks off. Default: 30.
    #[arg(long, env = "CAMSHARE_DEVICE_CHECK_SECS", default_value_t = 30)]
    pub device_check_secs: u64,

    /// Networks cameras may be on although the default refuses them, as CIDR blocks, e.g.
    /// `127.0.0.0/8` for a camera simulator on this machine. The default refuses loopback,
    /// link-local (cloud metadata), multicast, unspecified and reserved addresses, and allows
    /// private LAN ranges and public addresses; the most specific block that names an address
    /// decides. Repeat the flag or separate blocks with commas. Default: none.
    #[arg(long, env = "CAMSHARE_CAMERA_ALLOW", value_delimiter = ',')]
    pub camera_allow: Vec<IpNet>,

    /// Networks cameras may not be on although the default allows them, e.g. `10.0.0.0/8` to
    /// keep cameras off an office network. Repeat or separate with commas. Default: none.
    #[arg(long, env = "CAMSHARE_CAMERA_DENY", value_delimiter = ',')]
    pub camera_deny: Vec<IpNet>,

    /// The most devices one account may own. Default: 256.
    #[arg(long, env = "CAMSHARE_MAX_DEVICES_PER_ACCOUNT", default_value_t = 256)]
    pub max_devices_per_account: u32,

    /// The server's base URL as people reach it, put in the links of verification mails, e.g.
    /// `https://cams.example.org`. Default: http://<listen address>.
    #[arg(long, env = "CAMSHARE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The mail relay for verification mails: `smtp://host:port` (no TLS, for a relay on this
    /// machine), `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://host`.
    /// Default: none — mails are written to <data-dir>/outbox/ instead, and the server says so
    /// when it starts.
    #[arg(long, env = "CAMSHARE_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The sender of the server's mails. Default: `Camshare <camshare@localhost>`.
    #[arg(long, env = "CAMSHARE_MAIL_FROM", default_value = "Camshare <camshare@localhost>")]
    pub mail_from: String,

    /// Where text messages (codes for mobile numbers) go: a URL that takes a JSON
    /// `POST {"to": "+49…", "text": "…"}` and sends it as an SMS. Default: none — they are written
    /// to <data-dir>/outbox/.
    #[arg(long, env = "CAMSHARE_SMS_WEBHOOK")]
    pub sms_webhook: Option<String>,

    /// Seconds a request's headers may take to arrive before the connection is dropped.
    /// Default: 10.
    #[arg(long, env = "CAMSHARE_HTTP_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub http_header_timeout_secs: u64,

    /// HTTP connections open at once, all clients together; more wait. Default: 1024.
    #[arg(long, env = "CAMSHARE_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// HTTP connections open at once from one client address; more are closed. Default: 64.
    #[arg(long, env = "CAMSHARE_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 64)]
    pub max_connections_per_address: usize,

    /// The largest request body accepted, in bytes. Default: 65536.
    #[arg(long, env = "CAMSHARE_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Serve HTTPS and RTSPS with this certificate chain (PEM, leaf first); needs --tls-key.
    /// Default: none.
    #[arg(long, env = "CAMSHARE_TLS_CERT", requires = "tls_key", conflicts_with = "tls_self_signed")]
    pub tls_cert: Option<PathBuf>,

    /// The private key of --tls-cert (PEM; only its owner may read it).
    #[arg(long, env = "CAMSHARE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Serve HTTPS and RTSPS with a self-signed certificate, made on first start in the data
    /// folder (tls-cert.pem, tls-key.pem) and kept. Its SHA-256 fingerprint is printed at every
    /// start; clients pin it (`camshare --pin …`). Default: off.
    #[arg(long, env = "CAMSHARE_TLS_SELF_SIGNED")]
    pub tls_self_signed: bool,

    /// Networks of reverse proxies in front of the server (CIDR, e.g. `127.0.0.1/32`), whose
    /// `X-Forwarded-For` header names the client; sign-in budgets are then kept per real client.
    /// The header from anyone else is ignored. Repeat or separate with commas. Behind a proxy,
    /// raise --max-connections-per-address too: every connection comes from the proxy.
    /// Default: none.
    #[arg(long = "trusted-proxy", env = "CAMSHARE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpNet>,

    /// Allow plain HTTP and RTSP on addresses other machines can reach. Without TLS the server
    /// otherwise listens on loopback addresses only. Default: off.
    #[arg(long, env = "CAMSHARE_INSECURE")]
    pub insecure: bool,
}

impl Config {
    /// The data folder, falling back to the platform's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("camshare"))
    }

    /// The database URL, falling back to a SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        self.database.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir().join("camshare.db").display()))
    }

    /// The certificate to serve, if any. A self-signed one names the gate's public host and the
    /// public URL's host besides loopback.
    pub fn tls(&self) -> Option<TlsSettings> {
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            return Some(TlsSettings::Files { cert: cert.clone(), key: key.clone() });
        }
        if !self.tls_self_signed {
            return None;
        }
        let public_host = self
            .public_url
            .as_deref()
            .and_then(|u| reqwest::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_string));
        let listen_ips = [self.listen.ip(), self.gate_listen.ip()]
            .into_iter()
            .filter(|ip| !ip.is_unspecified())
            .map(|ip| ip.to_string());
        let names = self.gate_host.iter().cloned().chain(public_host).chain(listen_ips).collect();
        Some(TlsSettings::SelfSigned { names })
    }

    /// A server builder filled from these settings.
    pub fn builder(&self) -> crate::ServerBuilder {
        let gate = crate::GateSettings { listen: self.gate_listen, public_host: self.gate_host.clone() };
        crate::ServerBuilder::new(self.data_dir())
            .database(self.database_url())
            .listen(self.listen)
            .gate(Some(gate))
            .device_checks((self.device_check_secs > 0).then(|| std::time::Duration::from_secs(self.device_check_secs)))
            .max_body_bytes(self.max_body_bytes)
            .camera_policy(NetworkPolicy::new(self.camera_allow.clone(), self.camera_deny.clone()))
            .limits(Limits { devices_per_account: self.max_devices_per_account })
            .http_limits(HttpLimits {
                header_timeout: std::time::Duration::from_secs(self.http_header_timeout_secs.max(1)),
                connections: self.max_connections.max(1),
                per_address: self.max_connections_per_address.max(1),
            })
            .tls(self.tls())
            .trusted_proxies(self.trusted_proxies.clone())
            .insecure(self.insecure)
            .messages(Messages {
                public_url: self.public_url.clone(),
                smtp_url: self.smtp_url.clone(),
                mail_from: self.mail_from.clone(),
                sms_webhook: self.sms_webhook.clone(),
            })
    }
}
