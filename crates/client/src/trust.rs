//! How the client trusts its connection to the server. `https://` addresses are checked against
//! the system's certificate authorities, or — for a server with a self-signed certificate —
//! against one pinned SHA-256 fingerprint, and nothing else. Plain `http://` is accepted for
//! loopback addresses only (the server on this machine) unless the user says it may cross the
//! network in clear ([`Trust::allow_plain`], the CLI's `--insecure`).

use std::sync::{Arc, Mutex};

use camshare_api::Fingerprint;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// What the user trusts beyond the system's certificate authorities.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    /// Accept plain `http://` to a host other than this machine (`--insecure`).
    pub allow_plain: bool,
    /// Accept exactly the certificate with this SHA-256 fingerprint, whoever signed it and
    /// whatever names it holds; no other certificate is accepted then (`--pin`).
    pub pinned: Option<Fingerprint>,
}

pub use camshare_api::is_loopback_host;

/// Checks the server's certificate: against the pin when there is one, else the platform's
/// verifier. Remembers the last certificate it refused, so the error can show its fingerprint.
#[derive(Debug)]
pub(crate) struct TrustVerifier {
    pinned: Option<Fingerprint>,
    platform: Arc<dyn ServerCertVerifier>,
    provider: Arc<CryptoProvider>,
    refused: Mutex<Option<Fingerprint>>,
}

impl TrustVerifier {
    /// The fingerprint of the certificate refused since the last call, if any: a connection
    /// that failed while one was refused failed for that reason.
    pub(crate) fn take_refused(&self) -> Option<Fingerprint> {
        self.refused.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    fn refuse(&self, fingerprint: Fingerprint, why: rustls::Error) -> Result<ServerCertVerified, rustls::Error> {
        *self.refused.lock().unwrap_or_else(|e| e.into_inner()) = Some(fingerprint);
        Err(why)
    }
}

impl ServerCertVerifier for TrustVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = Fingerprint::of_der(end_entity);
        match self.pinned {
            Some(pinned) if pinned == presented => Ok(ServerCertVerified::assertion()),
            Some(_) => self.refuse(
                presented,
                rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure),
            ),
            None => {
                match self.platform.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
                    Ok(verified) => Ok(verified),
                    Err(why) => self.refuse(presented, why),
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        // Whether pinned or not, the server must prove it holds the certificate's key.
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// The TLS configuration for `trust`, and its verifier (to read refusals from).
pub(crate) fn client_config(trust: &Trust) -> Result<(rustls::ClientConfig, Arc<TrustVerifier>), String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let platform = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| format!("cannot read this system's certificate authorities: {e}"))?;
    let verifier = Arc::new(TrustVerifier {
        pinned: trust.pinned,
        platform: Arc::new(platform),
        provider: provider.clone(),
        refused: Mutex::new(None),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((config, verifier))
}
