//! A TLS certificate's SHA-256 fingerprint: what the server prints when it starts with a
//! self-signed certificate, and what the client, the CLI and the app pin so that they talk to
//! that server and no other, without a certificate authority.

use sha2::{Digest, Sha256};

/// The SHA-256 digest of a certificate's DER bytes. Shown as 32 upper-case hex pairs separated by
/// colons (`AB:CD:…`, as `openssl x509 -fingerprint -sha256` prints it); read back with or
/// without the colons, in either case, with an optional `sha256:` or `SHA256=` prefix.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The fingerprint of a certificate given as DER.
    pub fn of_der(der: &[u8]) -> Fingerprint {
        Fingerprint(Sha256::digest(der).into())
    }
}

/// Why a text is not a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a SHA-256 fingerprint: expected 64 hex digits, optionally in pairs separated by colons")]
pub struct NotAFingerprint(pub String);

impl std::str::FromStr for Fingerprint {
    type Err = NotAFingerprint;

    fn from_str(text: &str) -> Result<Fingerprint, NotAFingerprint> {
        let wrong = || NotAFingerprint(text.chars().take(120).collect());
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        let digits = ["sha256:", "sha256=", "sha-256:"]
            .iter()
            .find_map(|prefix| lower.strip_prefix(prefix))
            .unwrap_or(&lower)
            .trim();
        let hex: String = if digits.contains(':') {
            let pairs: Vec<&str> = digits.split(':').collect();
            if pairs.len() != 32 || pairs.iter().any(|p| p.len() != 2) {
                return Err(wrong());
            }
            pairs.concat()
        } else {
            digits.to_string()
        };
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(wrong());
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| wrong())?;
        }
        Ok(Fingerprint(bytes))
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{byte:02X}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Fingerprint, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_prints_in_every_accepted_spelling() {
        let fingerprint = Fingerprint::of_der(b"a certificate");
        let shown = fingerprint.to_string();
        assert_eq!(shown.len(), 32 * 3 - 1);
        assert_eq!(shown.parse::<Fingerprint>().unwrap(), fingerprint);
        assert_eq!(shown.to_lowercase().parse::<Fingerprint>().unwrap(), fingerprint);
        assert_eq!(shown.replace(':', "").parse::<Fingerprint>().unwrap(), fingerprint);
        assert_eq!(format!("sha256:{shown}").parse::<Fingerprint>().unwrap(), fingerprint);
        assert_eq!(format!(" SHA256={shown} ").parse::<Fingerprint>().unwrap(), fingerprint);
    }

    #[test]
    fn refuses_anything_else() {
        let shown = Fingerprint::of_der(b"x").to_string();
        for bad in ["", "AB", &shown[3..], &format!("{shown}:00"), &shown.replace("A", "G"), "é".repeat(64).as_str()] {
            assert!(bad.parse::<Fingerprint>().is_err(), "{bad}");
        }
        // Pairs must be pairs.
        let odd = format!("A{}", &shown[1..].replacen(':', "", 1));
        assert!(odd.parse::<Fingerprint>().is_err());
    }
}
