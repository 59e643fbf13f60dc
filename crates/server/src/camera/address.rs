//! A camera's RTSP address, parsed once: `rtsp://host[:port][/path]` or `rtsps://…`, without
//! credentials (those live in the encrypted login, never in an address that could be shown or
//! logged). Everything that needs the host, the port or the path asks this type.

use std::net::SocketAddr;

use camshare_api::ApiError;

/// A checked RTSP address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RtspAddress {
    text: String,
    host: String,
    port: u16,
    tls: bool,
    /// Whether the address names a stream of its own (a path beyond `/`).
    has_path: bool,
    /// Everything after the host and port: the path, query and fragment.
    after_authority: String,
}

/// The longest address accepted.
const MAX_LEN: usize = 512;

impl RtspAddress {
    /// Parses what an owner typed; every refusal says what is wrong, on the `rtsp_url` field.
    pub fn parse(text: &str) -> Result<RtspAddress, ApiError> {
        let invalid = || ApiError::invalid("rtsp_url", "the camera address is not a valid rtsp:// URL");
        let text = text.trim();
        let (rest, tls) = match (text.strip_prefix("rtsp://"), text.strip_prefix("rtsps://")) {
            (Some(rest), _) => (rest, false),
            (None, Some(rest)) => (rest, true),
            (None, None) => {
                return Err(ApiError::invalid("rtsp_url", "the camera address must start with rtsp:// or rtsps://"));
            }
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(ApiError::invalid(
                "rtsp_url",
                "put the camera's username and password in their own fields, not in the address",
            ));
        }
        // Printable ASCII only: a URI has no raw spaces, controls or non-ASCII characters, and
        // what this parser accepts must read the same to rtspsrc's (found by `fuzz/rtsp_urls`).
        if text.len() > MAX_LEN || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid());
        }
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (host, after) = v6.split_once(']').ok_or_else(invalid)?;
                (host, after.strip_prefix(':'))
            }
            None => match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        let port = match port {
            Some(port) => port.parse().ok().filter(|&p| p != 0).ok_or_else(invalid)?,
            None if tls => 322,
            None => 554,
        };
        // A name of letters, digits, `-`, `_` and `.`, or an IPv6 literal in brackets.
        let bracketed = authority.starts_with('[');
        let good_host = if bracketed {
            host.parse::<std::net::Ipv6Addr>().is_ok()
        } else {
            !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        };
        if !good_host {
            return Err(invalid());
        }
        let after_authority = &rest[authority.len()..];
        let has_path = after_authority.len() > 1;
        Ok(RtspAddress {
            text: text.to_string(),
            host: host.to_string(),
            port,
            tls,
            has_path,
            after_authority: after_authority.to_string(),
        })
    }

    /// The address as the owner typed it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, or RTSP's default (554, or 322 for `rtsps`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether it is `rtsps://`.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// The address with its host and port replaced by the resolved address the server connects
    /// to (see `NetworkPolicy::pin`), so that nothing resolves the name a second time.
    pub fn url_at(&self, at: SocketAddr) -> String {
        let scheme = if self.tls { "rtsps" } else { "rtsp" };
        format!("{scheme}://{at}{}", self.after_authority)
    }

    /// Whether the address names one stream itself (a path beyond `/`), rather than a device
    /// whose streams have paths of their own.
    pub fn has_path(&self) -> bool {
        self.has_path
    }
}

impl std::fmt::Display for RtspAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hp(text: &str) -> Option<(String, u16, bool)> {
        RtspAddress::parse(text).ok().map(|a| (a.host().to_string(), a.port(), a.is_tls()))
    }

    #[test]
    fn addresses_give_host_port_and_scheme() {
        assert_eq!(hp("rtsp://192.168.1.64:8554/Streaming/Channels/101"), Some(("192.168.1.64".into(), 8554, false)));
        assert_eq!(hp("rtsp://cam.local/live"), Some(("cam.local".into(), 554, false)));
        assert_eq!(hp("rtsps://cam.local"), Some(("cam.local".into(), 322, true)));
        assert_eq!(hp("rtsp://[::1]:9000/x"), Some(("::1".into(), 9000, false)));
        assert_eq!(hp("rtsp://[::1]/x"), Some(("::1".into(), 554, false)));
        assert_eq!(hp("  rtsp://cam.local:554  "), Some(("cam.local".into(), 554, false)));
    }

    #[test]
    fn bad_addresses_are_refused_on_the_field() {
        for bad in [
            "http://host/x",
            "rtsp:///x",
            "rtsp://host:notaport/x",
            "rtsp://host:0",
            "rtsp://[::1/x",
            "rtsp://admin:pw@cam.local/",
            "rtsp://cam local/",
            "rtsp://cam.local/\u{7}",
            "rtsp://;u/x",
            "rtsp://cam.local/caméra",
            "rtsp://[not-v6]/x",
            "",
        ] {
            let e = RtspAddress::parse(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("rtsp_url"), "{bad}");
        }
        assert!(RtspAddress::parse(&format!("rtsp://h/{}", "x".repeat(600))).is_err());
    }

    #[test]
    fn a_pinned_url_keeps_the_path_and_replaces_the_host() {
        let address = RtspAddress::parse("rtsp://cam.local:8554/live/ch0?x=1").unwrap();
        assert_eq!(address.url_at(SocketAddr::from(([10, 0, 0, 5], 8554))), "rtsp://10.0.0.5:8554/live/ch0?x=1");
        let v6 = RtspAddress::parse("rtsps://cam.local").unwrap();
        assert_eq!(v6.url_at("[fd12::5]:322".parse().unwrap()), "rtsps://[fd12::5]:322");
    }

    #[test]
    fn a_path_beyond_the_slash_names_a_stream() {
        assert!(!RtspAddress::parse("rtsp://10.0.0.5:554").unwrap().has_path());
        assert!(!RtspAddress::parse("rtsp://10.0.0.5:554/").unwrap().has_path());
        assert!(RtspAddress::parse("rtsp://10.0.0.5/live/ch0").unwrap().has_path());
    }
}
