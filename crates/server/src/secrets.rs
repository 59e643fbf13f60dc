//! Secrets the server keeps: its own key (on disk, 0600), the camera credentials it encrypts
//! with it, the account codes it signs with it, session tokens (stored only as hashes) and
//! passwords (Argon2id).

use std::io::Write;
use std::path::Path;

use camshare_api::{AccountCode, ApiError, DeviceId, ErrorKind};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use data_encoding::{BASE32_NOPAD, BASE64URL_NOPAD, HEXLOWER};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Result, ServerError};

/// The file name of the server key inside the data folder.
pub const KEY_FILE: &str = "server.key";

/// The server's secret key. Never printed: `Debug` shows nothing of it.
#[derive(Clone)]
pub struct ServerKey {
    credentials_key: [u8; 32],
    account_code_key: [u8; 32],
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

impl ServerKey {
    /// Reads `server.key` from the data folder, creating it (random, mode 0600) on first start.
    /// The data folder is made (or tightened to) mode 0700: it holds the key, the database and
    /// the outbox's codes. A key file other users can read is refused — it may have been read —
    /// with the command that fixes it, rather than used.
    pub fn load_or_create(data_dir: &Path) -> std::io::Result<ServerKey> {
        make_private_dir(data_dir)?;
        let path = data_dir.join(KEY_FILE);
        refuse_if_others_can_read(&path, "the camera logins")?;
        let master = match std::fs::read_to_string(&path) {
            Ok(text) => HEXLOWER
                .decode(text.trim().as_bytes())
                .ok()
                .filter(|k| k.len() == 32)
                .ok_or_else(|| std::io::Error::other(format!("{} is not a 64-digit hex key", path.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = random_bytes::<32>();
                write_private(&path, HEXLOWER.encode(&key).as_bytes())?;
                key.to_vec()
            }
            Err(e) => return Err(e),
        };
        Ok(ServerKey::from_master(&master))
    }

    /// Derives the purpose keys from a master key, so one leaked use does not expose another.
    pub fn from_master(master: &[u8]) -> ServerKey {
        ServerKey {
            credentials_key: derive(master, b"camshare camera credentials v1"),
            account_code_key: derive(master, b"camshare account code v1"),
        }
    }

    /// Encrypts one device's camera credentials: a random nonce followed by the ChaCha20-Poly1305
    /// ciphertext, with the device id as associated data — so a blob copied onto another device's
    /// row (by someone who can write the database but not read the key) does not decrypt there.
    pub fn seal_credentials(&self, device: DeviceId, plaintext: &[u8]) -> Vec<u8> {
        self.seal(plaintext, &credentials_aad(device))
    }

    /// The inverse of `seal_credentials`; fails if the blob was not made with this key for this
    /// device.
    pub fn open_credentials(&self, device: DeviceId, blob: &[u8]) -> Result<Vec<u8>> {
        self.open(blob, &credentials_aad(device))
    }

    /// Opens credentials stored before they were bound to their device (database version 1), so
    /// that `store::devices::bind_credentials` can seal them again, bound.
    pub(crate) fn open_unbound_credentials(&self, blob: &[u8]) -> Result<Vec<u8>> {
        self.open(blob, b"")
    }

    fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Vec<u8> {
        let cipher = ChaCha20Poly1305::new((&self.credentials_key).into());
        let nonce_bytes = random_bytes::<12>();
        let nonce = Nonce::from(nonce_bytes);
        let mut out = nonce_bytes.to_vec();
        let payload = Payload { msg: plaintext, aad };
        out.extend(cipher.encrypt(&nonce, payload).expect("encrypting into a Vec cannot fail"));
        out
    }

    fn open(&self, blob: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        if blob.len() < 12 {
            return Err(ServerError::internal("stored credentials are truncated"));
        }
        let cipher = ChaCha20Poly1305::new((&self.credentials_key).into());
        let nonce = Nonce::try_from(&blob[..12]).map_err(ServerError::internal)?;
        cipher.decrypt(&nonce, Payload { msg: &blob[12..], aad }).map_err(|_| {
            ServerError::internal("stored credentials do not decrypt with this server key for this device")
        })
    }

    /// Makes the account code for a random code id: the id and a truncated HMAC of it, in base32.
    pub fn account_code(&self, code_id: &[u8; ACCOUNT_CODE_ID_LEN]) -> AccountCode {
        let mut bytes = code_id.to_vec();
        bytes.extend_from_slice(&self.account_code_tag(code_id));
        AccountCode::from_body(&BASE32_NOPAD.encode(&bytes))
    }

    /// Checks a code's signature and returns its code id. A forged or mistyped code fails here,
    /// before any database lookup.
    pub fn verify_account_code(&self, code: &AccountCode) -> Result<[u8; ACCOUNT_CODE_ID_LEN], ApiError> {
        let invalid =
            || ApiError::new(ErrorKind::InvalidAccountCode, format!("`{code}` is not a valid Camshare account code"));
        let bytes = BASE32_NOPAD.decode(code.body().as_bytes()).map_err(|_| invalid())?;
        if bytes.len() != ACCOUNT_CODE_ID_LEN + ACCOUNT_CODE_TAG_LEN {
            return Err(invalid());
        }
        let (id, tag) = bytes.split_at(ACCOUNT_CODE_ID_LEN);
        let id: [u8; ACCOUNT_CODE_ID_LEN] = id.try_into().expect("split at the id length");
        let expected = self.account_code_tag(&id);
        if !constant_time_eq(&expected, tag) {
            return Err(invalid());
        }
        Ok(id)
    }

    fn account_code_tag(&self, code_id: &[u8]) -> [u8; ACCOUNT_CODE_TAG_LEN] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.account_code_key).expect("HMAC takes any key length");
        mac.update(code_id);
        let full = mac.finalize().into_bytes();
        full[..ACCOUNT_CODE_TAG_LEN].try_into().expect("tag shorter than SHA-256")
    }
}

/// Random bytes identifying an account code (80 bits: unguessable, short enough for a QR code).
pub const ACCOUNT_CODE_ID_LEN: usize = 10;
/// Signature bytes appended to the code id (40 bits: a forged code passes once in 10^12).
const ACCOUNT_CODE_TAG_LEN: usize = 5;

/// The associated data that binds credentials to their device.
fn credentials_aad(device: DeviceId) -> Vec<u8> {
    let mut aad = b"camshare device ".to_vec();
    aad.extend_from_slice(&device.0.to_be_bytes());
    aad
}

fn derive(master: &[u8], purpose: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(purpose);
    mac.finalize().into_bytes().into()
}

/// Creates `dir` (and its parents) and makes it the server user's alone.
fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

/// Writes a new file (never over an existing one) that only its owner can read: keys.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// An error if `path` exists and users other than its owner may read or change it; `protects`
/// says what a reader could then get at ("the camera logins").
pub(crate) fn refuse_if_others_can_read(path: &Path, protects: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!(
                        "{} can be read by other users (mode {mode:o}), so {protects} it protects may be known; if \
                         that is fine, make it private with `chmod 600 {}`",
                        path.display(),
                        path.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether two byte strings are equal, in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Bytes from a cryptographically secure generator (ChaCha, seeded and reseeded from the OS).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand::rng().fill_bytes(&mut out);
    out
}

/// A new session token (256 random bits, URL-safe text). Only its hash is stored.
pub fn new_token() -> String {
    BASE64URL_NOPAD.encode(&random_bytes::<32>())
}

/// The stored form of a token: SHA-256, hex. Tokens are random, so no salt or slow hash is needed.
pub fn token_hash(token: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(token.as_bytes()))
}

/// Hashes a password with Argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &random_bytes::<16>())
        .map(|h| h.to_string())
        .map_err(ServerError::internal)
}

/// Checks a password against its stored hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    use argon2::password_hash::{PasswordVerifier, phc::PasswordHash};
    PasswordHash::new(stored)
        .map(|parsed| argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_round_trip_and_fail_with_another_key_or_device() {
        let key = ServerKey::from_master(&[7; 32]);
        let blob = key.seal_credentials(DeviceId(1), b"admin:hunter2");
        assert!(!blob.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(key.open_credentials(DeviceId(1), &blob).unwrap(), b"admin:hunter2");
        assert!(ServerKey::from_master(&[8; 32]).open_credentials(DeviceId(1), &blob).is_err());
        assert!(key.open_credentials(DeviceId(2), &blob).is_err(), "a blob moved to another device");
        assert!(key.open_unbound_credentials(&blob).is_err());
        assert!(key.open_credentials(DeviceId(1), &blob[..11]).is_err());
    }

    #[test]
    fn account_code_verifies_and_forgery_fails() {
        let key = ServerKey::from_master(&[7; 32]);
        let id = [1u8; ACCOUNT_CODE_ID_LEN];
        let code = key.account_code(&id);
        assert_eq!(key.verify_account_code(&code).unwrap(), id);
        let reparsed = AccountCode::parse(&code.as_str().to_lowercase()).unwrap();
        assert_eq!(key.verify_account_code(&reparsed).unwrap(), id);
        let other = ServerKey::from_master(&[8; 32]).account_code(&id);
        assert_eq!(key.verify_account_code(&other).unwrap_err().kind, ErrorKind::InvalidAccountCode);
    }

    #[test]
    fn password_hash_verifies_only_the_right_password() {
        let stored = hash_password("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &stored));
        assert!(!verify_password("wrong", &stored));
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("camshare-key-{}", new_token()));
        let first = ServerKey::load_or_create(&dir).unwrap();
        let second = ServerKey::load_or_create(&dir).unwrap();
        assert_eq!(first.credentials_key, second.credentials_key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "the data folder");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// Issue 10, item 7: a key file others can read is refused, and an open data folder is
    /// tightened.
    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_is_refused_and_the_folder_is_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("camshare-key-{}", new_token()));
        ServerKey::load_or_create(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(dir.join(KEY_FILE), std::fs::Permissions::from_mode(0o644)).unwrap();
        let refused = ServerKey::load_or_create(&dir).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::PermissionDenied);
        assert!(refused.to_string().contains("chmod 600"), "{refused}");
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700,
            "the folder was not tightened"
        );
        std::fs::set_permissions(dir.join(KEY_FILE), std::fs::Permissions::from_mode(0o600)).unwrap();
        ServerKey::load_or_create(&dir).unwrap();
        std::fs::remove_dir_all(dir).unwrap();
    }
}
