//! Camera addresses as an owner types them: parsing never panics; what parses reads back to
//! itself, and the URL pinned to a resolved address has no credentials and nothing but printable
//! ASCII.
#![no_main]

use camshare_server::camera::RtspAddress;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(address) = RtspAddress::parse(text) {
        let again = RtspAddress::parse(address.as_str()).expect("a parsed address parses again");
        assert_eq!(again, address);
        let pinned = address.url_at(std::net::SocketAddr::from(([192, 0, 2, 1], address.port())));
        assert!(pinned.starts_with("rtsp://") || pinned.starts_with("rtsps://"), "{pinned}");
        let authority = pinned.split("://").nth(1).and_then(|rest| rest.split(['/', '?', '#']).next());
        assert!(!authority.is_some_and(|a| a.contains('@')), "credentials in a pinned URL: {pinned}");
        assert!(pinned.bytes().all(|b| b.is_ascii_graphic()), "{pinned}");
    }
});
