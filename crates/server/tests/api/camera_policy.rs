//! The camera network policy, attacked: an account enters camera addresses that point at the
//! server itself, at a cloud metadata endpoint or at a network the operator closed, hoping the
//! server will connect there (a port scanner, a proxy into the server's own network). Each is
//! refused when entered and nothing is stored; a device stored before the policy existed is
//! never connected to, by the reachability check or by the gate, although its owner's ticket is
//! valid; and an owner's burst of edits starts at most a few checks at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use camshare_api::{AccountId, DeviceKind};
use camshare_server::store::devices::{self, CheckedDevice};
use camshare_testkit::{Engine, on_both_engines};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Api, Person};

fn camera(address: &str) -> Value {
    json!({"name": "Porch", "kind": "camera", "rtsp_url": address, "username": "admin", "password": "CameraSecret99"})
}

async fn refuses_addresses_of_this_server_and_metadata(engine: Engine) {
    let api = Api::start_strict(engine, &["--device-check-secs", "0"]).await;
    let owner = api.sign_up("Mallory", "mallory@example.com").await;
    let before = api.snapshot().await;
    for address in [
        "rtsp://127.0.0.1:7878/",
        "rtsp://127.0.0.53/",
        "rtsp://localhost:5432/",
        "rtsp://169.254.169.254/latest/meta-data",
        "rtsp://[::1]:22/",
        "rtsp://[::ffff:127.0.0.1]:7878/",
        "rtsp://[fe80::1]/",
        "rtsp://0.0.0.0:7878/",
        "rtsp://224.0.0.1/",
        "rtsps://100.100.100.200/",
    ] {
        let (status, body) = api.call(Method::POST, "/api/devices", Some(&owner.token), Some(camera(address))).await;
        assert_eq!(status, 400, "{address} was taken: {body}");
        assert_eq!(body["field"], "rtsp_url", "{address}: {body}");
        assert!(body["message"].as_str().unwrap().contains("does not connect to"), "{address}: {body}");
    }
    assert_eq!(api.snapshot().await, before, "a refused address stored something");

    // A camera on the LAN is fine; moving it onto the server itself is refused and changes
    // nothing.
    let lan = api.ok(Method::POST, "/api/devices", &owner.token, Some(camera("rtsp://192.168.1.64:554"))).await;
    let id = lan["id"].as_i64().unwrap();
    let before = api.snapshot().await;
    let (status, body) = api
        .call(
            Method::PATCH,
            &format!("/api/devices/{id}"),
            Some(&owner.token),
            Some(json!({"name": "Moved", "rtsp_url": "rtsp://localhost:7554/"})),
        )
        .await;
    assert_eq!((status, body["field"].as_str()), (400, Some("rtsp_url")), "{body}");
    assert_eq!(api.snapshot().await, before, "a refused edit changed something");
}
on_both_engines!(
    addresses_of_this_server_and_metadata_are_refused,
    super::refuses_addresses_of_this_server_and_metadata
);

/// The operator narrows the LAN (`--camera-deny`) and opens loopback (`--camera-allow`).
async fn the_operator_decides_which_networks(engine: Engine) {
    let api = Api::start_strict(
        engine,
        &["--device-check-secs", "0", "--camera-deny", "10.0.0.0/8", "--camera-allow", "127.0.0.0/8,10.9.0.0/16"],
    )
    .await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    for (address, taken) in [
        ("rtsp://10.0.0.5/", false),
        ("rtsp://10.9.1.2/", true),
        ("rtsp://127.0.0.1:8554/", true),
        ("rtsp://192.168.1.64/", true),
        ("rtsp://169.254.169.254/", false),
    ] {
        let (status, body) = api.call(Method::POST, "/api/devices", Some(&owner.token), Some(camera(address))).await;
        assert_eq!(status == 201, taken, "{address}: {status} {body}");
    }
}
on_both_engines!(the_operator_decides_which_networks, super::the_operator_decides_which_networks);

/// A loopback service that counts the connections made to it and answers like a camera.
async fn counting_listener() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            let _ = socket.write_all(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n").await;
        }
    });
    (port, count)
}

/// Sends a DESCRIBE with the ticket to the gate; answers the RTSP status and whether anything
/// like media (an SDP) came back.
async fn describe(ticket: &Value) -> (u16, bool) {
    let url = ticket["url"].as_str().unwrap();
    let authority = url.trim_start_matches("rtsp://").split('/').next().unwrap().to_string();
    let credentials = format!("{}:{}", ticket["username"].as_str().unwrap(), ticket["ticket"].as_str().unwrap());
    let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let request = format!(
        "DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\nAuthorization: Basic {}\r\n\r\n",
        data_encoding::BASE64.encode(credentials.as_bytes())
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(8), stream.read(&mut chunk)).await {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&chunk[..n]);
        if answer.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let text = String::from_utf8_lossy(&answer);
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text.contains("m=video"))
}

/// A device stored at a loopback address before the policy existed (put in through the store,
/// as an older server would have): its owner's ticket is valid, but neither the gate nor the
/// reachability check ever connects there.
async fn a_stored_loopback_device_is_never_connected_to(engine: Engine) {
    let api = Api::start_strict(engine, &["--device-check-secs", "1"]).await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    let (port, connections) = counting_listener().await;
    let id = store_device_directly(&api, &owner, &format!("rtsp://127.0.0.1:{port}")).await;

    let ticket = api
        .ok(
            Method::POST,
            "/api/stream-tickets",
            &owner.token,
            Some(json!({"device": id, "channel": 1, "stream": "main"})),
        )
        .await;
    let (status, media) = describe(&ticket).await;
    assert!(status != 200 && !media, "the gate relayed a loopback 'camera': {status}");
    // Two device-check rounds later the device reads offline, and nothing ever connected.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let device = api.ok(Method::GET, &format!("/api/devices/{id}"), &owner.token, None).await;
    assert_eq!(device["reachability"], "offline", "{device}");
    assert_eq!(connections.load(Ordering::SeqCst), 0, "the server connected to its own loopback");
}
on_both_engines!(a_stored_loopback_device_is_never_connected_to, super::a_stored_loopback_device_is_never_connected_to);

async fn store_device_directly(api: &Api, owner: &Person, address: &str) -> i64 {
    let names = vec!["Porch".to_string()];
    let checked = CheckedDevice {
        name: "Porch",
        kind: DeviceKind::Camera,
        rtsp_url: address,
        username: "admin",
        password: "CameraSecret99",
        channel_names: &names,
    };
    let mut tx = api.db().write().await.unwrap();
    let id =
        devices::insert(&mut tx, AccountId(owner.id), &checked, &api.app.state.key, api.app.state.now()).await.unwrap();
    tx.commit().await.unwrap();
    id.0
}

/// An owner who edits the address 30 times in a burst starts at most the per-account number of
/// checks at once; an offline answer is not shown sooner than the longest a check takes, so its
/// timing does not tell a closed port from a filtered one.
async fn a_burst_of_edits_starts_few_checks(engine: Engine) {
    // Device checks on, but hourly: only the add/edit checks run during the test.
    let api = Api::start_with(engine, &["--device-check-secs", "3600"]).await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let added =
        api.ok(Method::POST, "/api/devices", &owner.token, Some(camera(&format!("rtsp://127.0.0.1:{closed}/a")))).await;
    let id = added["id"].as_i64().unwrap();
    let started = std::time::Instant::now();
    for i in 0..30 {
        let body = json!({"rtsp_url": format!("rtsp://127.0.0.1:{closed}/{i}")});
        api.ok(Method::PATCH, &format!("/api/devices/{id}"), &owner.token, Some(body)).await;
        let running = api.app.state.health.checks_in_flight(AccountId(owner.id));
        assert!(running <= camshare_server::health::CHECKS_IN_FLIGHT_PER_ACCOUNT, "{running} checks at once");
    }
    let device = api.ok(Method::GET, &format!("/api/devices/{id}"), &owner.token, None).await;
    if started.elapsed() < camshare_server::camera::LONGEST_CHECK {
        assert_eq!(device["reachability"], "unchecked", "a closed port's answer came early: {device}");
    }
}
on_both_engines!(a_burst_of_edits_starts_few_checks, super::a_burst_of_edits_starts_few_checks);

/// The cap on devices per account holds, and the refusal changes nothing.
async fn an_account_has_at_most_the_device_limit(engine: Engine) {
    let api = Api::start_with(engine, &["--device-check-secs", "0", "--max-devices-per-account", "3"]).await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    for i in 0..3 {
        api.ok(Method::POST, "/api/devices", &owner.token, Some(camera(&format!("rtsp://192.168.1.{i}/")))).await;
    }
    let before = api.snapshot().await;
    let (status, body) =
        api.call(Method::POST, "/api/devices", Some(&owner.token), Some(camera("rtsp://192.168.1.9/"))).await;
    assert_eq!((status, body["kind"].as_str()), (409, Some("conflict")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("3 devices"), "{body}");
    assert_eq!(api.snapshot().await, before);
}
on_both_engines!(an_account_has_at_most_the_device_limit, super::an_account_has_at_most_the_device_limit);
