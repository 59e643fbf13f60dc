//! Where a URL points: this machine or another. Plain `http://` and `rtsp://` are accepted
//! without the user's word only for this machine (the client, the CLI, the app's player).

use std::net::IpAddr;

/// Whether `host` (as a URL holds it: a name, an IPv4 address or a bracketed IPv6 address) is
/// this machine: `localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The host of a `scheme://[user[:password]@]host[:port]/…` URL, as the URL holds it.
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    if host_port.starts_with('[') {
        return host_port.find(']').map(|end| &host_port[..=end]);
    }
    Some(host_port.split(':').next().unwrap_or(host_port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_this_machine_only() {
        for host in ["localhost", "LOCALHOST", "127.0.0.1", "127.8.9.10", "[::1]", "::1"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["example.org", "10.0.0.1", "0.0.0.0", "[::]", "localhost.example.org", "192.168.1.2"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn the_host_of_a_url_leaves_out_credentials_and_port() {
        assert_eq!(url_host("rtsps://1:tick@et@127.0.0.1:7554/live/1/2/sub"), Some("127.0.0.1"));
        assert_eq!(url_host("rtsp://[::1]:7554/live"), Some("[::1]"));
        assert_eq!(url_host("rtsp://cams.example.org/live"), Some("cams.example.org"));
        assert_eq!(url_host("not a url"), None);
    }
}
