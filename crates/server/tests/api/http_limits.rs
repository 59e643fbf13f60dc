//! The HTTP side under a slow, greedy client (issue 10, item 4): headers trickled byte by byte
//! ("slowloris") are cut off after the header timeout, one address holds at most 64
//! connections (the next is closed at once), and a client from another address is served all
//! the while.

use std::time::{Duration, Instant};

use camshare_testkit::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::Api;

/// Reads until the server closes the connection (or `limit` passes); answers how long it took.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit.saturating_sub(start.elapsed()), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_greedy_clients_are_cut_off_and_others_are_served() {
    let api = Api::start_with(Engine::Sqlite, &["--http-header-timeout-secs", "1"]).await;
    let addr = api.app.addr;
    // 64 connections from 127.0.0.1, each with half a request that never ends.
    let mut slow = Vec::new();
    for _ in 0..64 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"POST /api/sessions HTTP/1.1\r\nHost: camshare\r\nContent-Type: app").await.unwrap();
        slow.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The 65th from the same address is closed at once, unserved.
    let mut extra = TcpStream::connect(addr).await.unwrap();
    let _ = extra.write_all(b"GET /api/health HTTP/1.1\r\nHost: camshare\r\n\r\n").await;
    let closed = closed_within(&mut extra, Duration::from_millis(500)).await;
    assert!(closed.is_some(), "a 65th connection from one address was kept open");

    // Another address is served meanwhile.
    let other = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build().unwrap();
    let health = other.get(format!("{}/api/health", api.app.base_url)).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // The slow ones are cut off once their headers are late (1 s here; 10 s by default).
    for (i, stream) in slow.iter_mut().enumerate() {
        let after = closed_within(stream, Duration::from_secs(4)).await;
        assert!(after.is_some(), "slow connection {i} is still open after 4 s");
    }
    // And the address may connect again.
    let again = reqwest::Client::new().get(format!("{}/api/health", api.app.base_url)).send().await.unwrap();
    assert_eq!(again.status(), 200);
}
