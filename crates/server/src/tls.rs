//! The server's TLS: one certificate for the API (HTTPS) and the media gate (RTSPS), read from
//! the operator's PEM files or made once, self-signed, and kept in the data folder. A
//! self-signed certificate's SHA-256 fingerprint is printed at start: clients pin it (`--pin`)
//! instead of trusting a certificate authority.
//!
//! Without TLS the server serves plain HTTP and RTSP, which `ServerBuilder::build` allows only
//! on loopback addresses unless the operator says `--insecure`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use camshare_api::Fingerprint;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The self-signed certificate's file in the data folder.
pub const SELF_SIGNED_CERT_FILE: &str = "tls-cert.pem";
/// Its private key's file (mode 0600).
pub const SELF_SIGNED_KEY_FILE: &str = "tls-key.pem";

/// Where the certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSettings {
    /// PEM files the operator gives: the certificate chain (leaf first) and its private key.
    Files { cert: PathBuf, key: PathBuf },
    /// A self-signed certificate made on first start in the data folder, for `names` (host names
    /// or IP addresses clients use), and reused after.
    SelfSigned { names: Vec<String> },
}

/// Why TLS cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{path} holds no PEM certificate")]
    NoCertificate { path: PathBuf },
    #[error("{path} holds no PEM private key (PKCS#8, PKCS#1 or SEC1)")]
    NoKey { path: PathBuf },
    #[error("the certificate and key do not go together, or use an algorithm rustls does not support: {0}")]
    Rejected(String),
    #[error("cannot make a self-signed certificate: {0}")]
    Generate(String),
    #[error(transparent)]
    Private(std::io::Error),
}

/// A loaded certificate, ready for both listeners.
#[derive(Clone)]
pub struct ServerTls {
    acceptor: TlsAcceptor,
    /// Certificate chain then key, PEM: what GIO's `TlsCertificate::from_pem` reads for the gate.
    pem: String,
    fingerprint: Fingerprint,
    self_signed: bool,
}

impl std::fmt::Debug for ServerTls {
    /// Never prints the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("fingerprint", &self.fingerprint)
            .field("self_signed", &self.self_signed)
            .finish()
    }
}

impl ServerTls {
    /// Reads (or, for `SelfSigned`, makes on first start) the certificate and key. A key file
    /// other users can read is refused.
    pub fn load(settings: &TlsSettings, data_dir: &Path) -> Result<ServerTls, TlsError> {
        let (cert_path, key_path, self_signed) = match settings {
            TlsSettings::Files { cert, key } => (cert.clone(), key.clone(), false),
            TlsSettings::SelfSigned { names } => {
                let cert = data_dir.join(SELF_SIGNED_CERT_FILE);
                let key = data_dir.join(SELF_SIGNED_KEY_FILE);
                if !cert.exists() || !key.exists() {
                    // A pair half-written by an interrupted first start is made again whole.
                    let _ = std::fs::remove_file(&key);
                    let _ = std::fs::remove_file(&cert);
                    make_self_signed(names, &cert, &key)?;
                }
                (cert, key, true)
            }
        };
        crate::secrets::refuse_if_others_can_read(&key_path, "the server's TLS connections")
            .map_err(TlsError::Private)?;
        let cert_pem = read(&cert_path)?;
        let key_pem = read(&key_path)?;
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|_| TlsError::NoCertificate { path: cert_path.clone() })?;
        let Some(leaf) = chain.first() else { return Err(TlsError::NoCertificate { path: cert_path }) };
        let fingerprint = Fingerprint::of_der(leaf);
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|_| TlsError::NoKey { path: key_path })?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Rejected(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| TlsError::Rejected(e.to_string()))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let mut pem = cert_pem;
        if !pem.ends_with('\n') {
            pem.push('\n');
        }
        pem.push_str(&key_pem);
        Ok(ServerTls { acceptor: TlsAcceptor::from(Arc::new(config)), pem, fingerprint, self_signed })
    }

    /// The leaf certificate's SHA-256 fingerprint, which clients pin.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// Whether the certificate is the one the server made itself (clients must pin it).
    pub fn is_self_signed(&self) -> bool {
        self.self_signed
    }

    /// The HTTPS side's handshake (tests also make impostors with it).
    pub fn acceptor(&self) -> TlsAcceptor {
        self.acceptor.clone()
    }

    /// The same certificate and key for the gate (gst-rtsp-server speaks TLS through GIO).
    pub(crate) fn gio_certificate(&self) -> Result<gstreamer_rtsp_server::gio::TlsCertificate, String> {
        gstreamer_rtsp_server::gio::TlsCertificate::from_pem(&self.pem)
            .map_err(|e| format!("GIO cannot read the TLS certificate (is glib-networking installed?): {e}"))
    }
}

fn read(path: &Path) -> Result<String, TlsError> {
    std::fs::read_to_string(path).map_err(|source| TlsError::Read { path: path.to_path_buf(), source })
}

/// Writes a new self-signed certificate for `names` (and always `localhost`, 127.0.0.1, ::1).
fn make_self_signed(names: &[String], cert_path: &Path, key_path: &Path) -> Result<(), TlsError> {
    let mut all: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    for name in names {
        if !name.is_empty() && !all.contains(name) {
            all.push(name.clone());
        }
    }
    let mut params = rcgen::CertificateParams::new(all).map_err(|e| TlsError::Generate(e.to_string()))?;
    params.distinguished_name.push(rcgen::DnType::CommonName, "Camshare server (self-signed)");
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2045, 1, 1);
    let key = rcgen::KeyPair::generate().map_err(|e| TlsError::Generate(e.to_string()))?;
    let cert = params.self_signed(&key).map_err(|e| TlsError::Generate(e.to_string()))?;
    crate::secrets::write_private(key_path, key.serialize_pem().as_bytes())
        .map_err(|source| TlsError::Write { path: key_path.to_path_buf(), source })?;
    std::fs::write(cert_path, cert.pem()).map_err(|source| TlsError::Write { path: cert_path.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_made_once_and_kept() {
        let dir = camshare_testkit::temp_dir("camshare-tls");
        let settings = TlsSettings::SelfSigned { names: vec!["cams.example".into()] };
        let first = ServerTls::load(&settings, dir.as_path()).unwrap();
        let second = ServerTls::load(&settings, dir.as_path()).unwrap();
        assert_eq!(first.fingerprint(), second.fingerprint());
        assert!(first.is_self_signed());
        assert!(!format!("{first:?}").contains("PRIVATE"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.as_path().join(SELF_SIGNED_KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_key_others_can_read_and_files_that_are_not_pem_are_refused() {
        let dir = camshare_testkit::temp_dir("camshare-tls");
        ServerTls::load(&TlsSettings::SelfSigned { names: vec![] }, dir.as_path()).unwrap();
        let cert = dir.as_path().join(SELF_SIGNED_CERT_FILE);
        // A first start cut off between the key and the certificate: the next one starts.
        let before = std::fs::read(&cert).unwrap();
        std::fs::remove_file(&cert).unwrap();
        ServerTls::load(&TlsSettings::SelfSigned { names: vec![] }, dir.as_path()).unwrap();
        assert_ne!(std::fs::read(&cert).unwrap(), before, "a new pair");
        let key = dir.as_path().join(SELF_SIGNED_KEY_FILE);
        let files = TlsSettings::Files { cert: cert.clone(), key: key.clone() };
        assert!(!ServerTls::load(&files, dir.as_path()).unwrap().is_self_signed());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = ServerTls::load(&files, dir.as_path()).unwrap_err();
            assert!(err.to_string().contains("chmod 600"), "{err}");
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let garbage = dir.as_path().join("garbage.pem");
        std::fs::write(&garbage, "not a certificate").unwrap();
        let err = ServerTls::load(&TlsSettings::Files { cert: garbage.clone(), key: key.clone() }, dir.as_path());
        assert!(matches!(err, Err(TlsError::NoCertificate { .. })), "{err:?}");
        // A private file that holds a certificate, not a key.
        let not_a_key = dir.as_path().join("not-a-key.pem");
        crate::secrets::write_private(&not_a_key, &std::fs::read(&cert).unwrap()).unwrap();
        let err = ServerTls::load(&TlsSettings::Files { cert: cert.clone(), key: not_a_key }, dir.as_path());
        assert!(matches!(err, Err(TlsError::NoKey { .. })), "{err:?}");
    }
}
