//! Pinning the gate's certificate on an `rtsps://` stream: with a fingerprint given, rtspsrc
//! accepts the one certificate whose SHA-256 is that fingerprint and no other — not even one a
//! certificate authority signed. It checks certificates against a database whose only anchor is
//! a certificate whose key was thrown away, so no certificate validates by itself; every one
//! reaches `accept-certificate`, which compares fingerprints.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use camshare_api::Fingerprint;
use gio::prelude::*;
use gstreamer as gst;

use crate::StreamError;

/// A self-signed certificate whose private key was discarded when it was made: an anchor
/// nothing chains to.
const NO_ANCHOR_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIIBsTCCAVegAwIBAgIUGfXwDtYXpzJBV8je4o9F6J1TnfowCgYIKoZIzj0EAwIw
LTErMCkGA1UEAwwiQ2Ftc2hhcmUgbm8tYW5jaG9yIChrZXkgZGlzY2FyZGVkKTAg
Fw0yNjEyMDIwNDQ0MjRaGA8yMTI2MTEwODA0NDQyNFowLTErMCkGA1UEAwwiQ2Ft
c2hhcmUgbm8tYW5jaG9yIChrZXkgZGlzY2FyZGVkKTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABEQjoXcgg9NAtd7qmk+0sdbM67cXEqimq8J0LtD2y+BUOvVN5l50
huks3+v7CnHesXiKysmHZKqnORtQ9guiKyajUzBRMB0GA1UdDgQWBBRAQ1sqXIja
pED4muPQIJaMp5uZCzAfBgNVHSMEGDAWgBRAQ1sqXIjapED4muPQIJaMp5uZCzAP
BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIB3SPamnlKOhC7KFbiT9
AsHJFrkn0AI4aJ996Oix5EeeAiEAqx8g156f62FDmMU4lON/6lhjl6BNRHz6ZPRy
W81d37I=
-----END CERTIFICATE-----
";

/// The anchor's file, written once per process (a new file, only its owner can read it).
fn no_anchor_file() -> Result<&'static PathBuf, StreamError> {
    static FILE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FILE.get_or_init(|| {
        for attempt in 0..16u32 {
            let nanos =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
            let path =
                std::env::temp_dir().join(format!("camshare-no-anchor-{}-{nanos}-{attempt}.pem", std::process::id()));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(mut file) => {
                    file.write_all(NO_ANCHOR_PEM.as_bytes()).map_err(|e| e.to_string())?;
                    return Ok(path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e.to_string()),
            }
        }
        Err("no free name for it in the temp folder".into())
    })
    .as_ref()
    .map_err(|e| StreamError::Setup(format!("cannot write the certificate pinning's anchor file: {e}")))
}

/// Makes `src` (an rtspsrc) accept only the certificate with `pinned`'s fingerprint; a refused
/// one's fingerprint is put in `refused`.
pub(crate) fn pin(
    src: &gst::Element,
    pinned: Fingerprint,
    refused: Arc<Mutex<Option<Fingerprint>>>,
) -> Result<(), StreamError> {
    let database = gio::TlsFileDatabase::new(no_anchor_file()?).map_err(|e| {
        StreamError::Setup(format!("cannot set up certificate pinning (is glib-networking installed?): {e}"))
    })?;
    src.set_property("tls-database", database.upcast::<gio::TlsDatabase>());
    src.connect("accept-certificate", false, move |values| {
        let presented = values
            .get(2)
            .and_then(|v| v.get::<gio::TlsCertificate>().ok())
            .and_then(|certificate| certificate.certificate())
            .map(|der| Fingerprint::of_der(der.as_ref()));
        let accepted = presented == Some(pinned);
        if !accepted {
            *refused.lock().unwrap_or_else(|e| e.into_inner()) = presented;
        }
        Some(accepted.to_value())
    });
    Ok(())
}
