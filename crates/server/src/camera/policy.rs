//! Which networks the server connects to for cameras. An account types a camera address; without
//! a policy the server would connect wherever it points — its own loopback services, a cloud
//! metadata endpoint — and relay the answer back. So every connection to a camera (the
//! reachability knock and the gate's upstream) goes through [`NetworkPolicy::pin`]: the host is
//! resolved once, every address it resolves to must be allowed, and the connection is made to
//! that resolved address (pinned), so a name cannot resolve to an allowed address for the check
//! and to a refused one for the connection.
//!
//! Refused by default: unspecified, loopback, link-local (which holds the usual cloud metadata
//! address 169.254.169.254), multicast, broadcast and reserved addresses, and the other known
//! metadata addresses. Private LAN ranges and public addresses are allowed — a home server's
//! cameras are on its LAN. The operator narrows or widens this with `--camera-deny` and
//! `--camera-allow`: the most specific network that names an address decides (on a tie,
//! deny); an address no flag names gets the default.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use ipnet::IpNet;

use super::RtspAddress;

/// How long a host name may take to resolve.
pub(super) const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

/// Why a camera address cannot be connected to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreachable {
    /// The host name does not resolve (now).
    #[error("the camera's host name {host} does not resolve")]
    Unresolved { host: String },
    /// It resolves to an address on a network the server does not connect to.
    #[error("the camera address {ip} is {why}, which this server does not connect to")]
    Blocked { ip: IpAddr, why: &'static str },
}

/// The networks cameras may be on (see the module comment for the rule).
#[derive(Debug, Clone, Default)]
pub struct NetworkPolicy {
    allow: Vec<IpNet>,
    deny: Vec<IpNet>,
}

impl NetworkPolicy {
    /// The default policy, widened by `allow` and narrowed by `deny` (the most specific wins).
    pub fn new(allow: Vec<IpNet>, deny: Vec<IpNet>) -> NetworkPolicy {
        NetworkPolicy { allow, deny }
    }

    /// Whether the server may connect to `ip`, and if not, what kind of address it is.
    pub fn permits(&self, ip: IpAddr) -> Result<(), &'static str> {
        let ip = canonical(ip);
        let most_specific = |nets: &[IpNet]| nets.iter().filter(|n| n.contains(&ip)).map(IpNet::prefix_len).max();
        match (most_specific(&self.allow), most_specific(&self.deny)) {
            (Some(allowed), Some(denied)) if allowed > denied => Ok(()),
            (_, Some(_)) => Err("on a network this server's operator refused"),
            (Some(_), None) => Ok(()),
            (None, None) => match refused_by_default(ip) {
                Some(why) => Err(why),
                None => Ok(()),
            },
        }
    }

    /// Resolves the address's host and checks every address it names; answers the one to
    /// connect to. A name that resolves to any refused address is refused as a whole.
    pub async fn pin(&self, address: &RtspAddress) -> Result<SocketAddr, Unreachable> {
        let host = address.host();
        let candidates: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, address.port())],
            Err(_) => {
                let unresolved = || Unreachable::Unresolved { host: host.to_string() };
                let looked_up = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, address.port())));
                looked_up.await.map_err(|_| unresolved())?.map_err(|_| unresolved())?.collect()
            }
        };
        for candidate in &candidates {
            self.permits(candidate.ip()).map_err(|why| Unreachable::Blocked { ip: candidate.ip(), why })?;
        }
        candidates.first().copied().ok_or_else(|| Unreachable::Unresolved { host: host.to_string() })
    }
}

/// An IPv4 address carried in IPv6 (`::ffff:a.b.c.d`, or NAT64's `64:ff9b::a.b.c.d`) is judged
/// as the IPv4 address it reaches.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            let s = v6.segments();
            if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return IpAddr::V4(Ipv4Addr::new(a, b, c, d));
            }
            IpAddr::V6(v6)
        }
        v4 => v4,
    }
}

/// What kind of refused address `ip` is, if it is one.
fn refused_by_default(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_unspecified() || a == 0 {
                Some("an unspecified address")
            } else if v4.is_loopback() {
                Some("a loopback address (this server itself)")
            } else if v4 == Ipv4Addr::new(169, 254, 169, 254) || v4 == Ipv4Addr::new(100, 100, 100, 200) {
                Some("a cloud metadata address")
            } else if v4.is_link_local() {
                Some("a link-local address")
            } else if v4.is_multicast() {
                Some("a multicast address")
            } else if v4.is_broadcast() || a >= 240 || (a == 192 && b == 0 && v4.octets()[2] == 0) {
                Some("a reserved address")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_unspecified() {
                Some("an unspecified address")
            } else if v6.is_loopback() {
                Some("a loopback address (this server itself)")
            } else if v6 == Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254) {
                Some("a cloud metadata address")
            } else if first & 0xffc0 == 0xfe80 {
                Some("a link-local address")
            } else if v6.is_multicast() {
                Some("a multicast address")
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> IpNet {
        text.parse().unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_default_refuses_the_server_itself_and_metadata_but_not_the_lan() {
        let policy = NetworkPolicy::default();
        for refused in [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "169.254.169.254",
            "169.254.1.1",
            "100.100.100.200",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "ff02::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
        ] {
            assert!(policy.permits(ip(refused)).is_err(), "{refused} must be refused");
        }
        for allowed in
            ["192.168.1.64", "10.0.0.5", "172.16.3.4", "100.64.0.7", "203.0.113.9", "8.8.8.8", "fd12::5", "2001:db8::1"]
        {
            assert_eq!(policy.permits(ip(allowed)), Ok(()), "{allowed} must be allowed");
        }
    }

    #[test]
    fn the_most_specific_flag_decides() {
        let policy = NetworkPolicy::new(
            vec![net("127.0.0.0/8"), net("192.168.1.0/24")],
            vec![net("192.168.0.0/16"), net("127.0.0.53/32")],
        );
        assert_eq!(policy.permits(ip("127.0.0.1")), Ok(()));
        assert!(policy.permits(ip("127.0.0.53")).is_err(), "a narrower deny inside an allow");
        assert_eq!(policy.permits(ip("192.168.1.64")), Ok(()), "a narrower allow inside a deny");
        assert!(policy.permits(ip("192.168.2.64")).is_err());
        assert!(policy.permits(ip("169.254.169.254")).is_err(), "untouched by the flags");
        let tie = NetworkPolicy::new(vec![net("10.0.0.0/8")], vec![net("10.0.0.0/8")]);
        assert!(tie.permits(ip("10.1.2.3")).is_err(), "a tie is a deny");
    }

    #[tokio::test]
    async fn names_are_resolved_and_every_address_they_name_is_checked() {
        let address = |text: &str| RtspAddress::parse(text).unwrap();
        let default = NetworkPolicy::default();
        let blocked = default.pin(&address("rtsp://localhost:8554/x")).await.unwrap_err();
        assert!(matches!(blocked, Unreachable::Blocked { .. }), "{blocked:?}");
        let loopback = NetworkPolicy::new(vec![net("127.0.0.0/8"), net("::1/128")], vec![]);
        let pinned = loopback.pin(&address("rtsp://localhost:8554/x")).await.unwrap();
        assert!(pinned.ip().is_loopback() && pinned.port() == 8554, "{pinned}");
        assert_eq!(default.pin(&address("rtsp://192.168.1.64")).await, Ok(SocketAddr::from(([192, 168, 1, 64], 554))));
        let unresolved = default.pin(&address("rtsp://no-such-host.invalid/")).await.unwrap_err();
        assert!(matches!(unresolved, Unreachable::Unresolved { .. }), "{unresolved:?}");
    }
}
