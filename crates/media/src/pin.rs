//! Pinning the gate's certificate on an `rtsps://` stream: with a fingerprint given, rtspsrc
//! accepts the one certificate whose SHA-256 is that fingerprint and no other — not even one a
//! certificate authority signed. It checks certificates against a database whose only anchor is
//! a CA this process made and whose key it threw away at once, so no certificate validates by
//! itself; every one reaches `accept-certificate`, which compares fingerprints.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use camshare_api::Fingerprint;
use gio::prelude::*;
use gstreamer as gst;

use crate::StreamError;

/// The anchor's file, made once per process: a CA certificate generated here, whose key is
/// dropped at once (nobody, this process included, can sign with it), written into a new folder
/// only this user can enter, so no one else can put an anchor of their own in its place.
fn no_anchor_file() -> Result<&'static PathBuf, StreamError> {
    static FILE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FILE.get_or_init(|| {
        let pem = {
            let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            params.distinguished_name.push(rcgen::DnType::CommonName, "Camshare pinning: an anchor nothing chains to");
            params.self_signed(&key).map_err(|e| e.to_string())?.pem()
            // `key` is dropped here.
        };
        let folder = private_folder()?;
        let path = folder.join("no-anchor.pem");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&path).and_then(|mut f| f.write_all(pem.as_bytes())).map_err(|e| e.to_string())?;
        Ok(path)
    })
    .as_ref()
    .map_err(|e| StreamError::Setup(format!("cannot write the certificate pinning's anchor file: {e}")))
}

/// A new folder under the temp folder that only this user can enter (mode 0700, made by this
/// call: an existing one is never reused).
fn private_folder() -> Result<PathBuf, String> {
    use std::hash::{BuildHasher, RandomState};
    for attempt in 0..16u32 {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let random = RandomState::new().hash_one((nanos, attempt, std::process::id()));
        let folder = std::env::temp_dir().join(format!("camshare-pin-{}-{random:016x}", std::process::id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(&folder) {
            Ok(()) => return Ok(folder),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.to_string()),
        }
    }
    Err("no free name for a private folder in the temp folder".into())
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
