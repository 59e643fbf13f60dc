//! Device lists as owners and recipients read them: reachability (the server knocks on each
//! device's RTSP address and reports online / offline, following the device when it goes away
//! or moves), and the recipient's list staying whole while the owner edits.

use std::time::{Duration, Instant};

use camshare_testkit::Engine;
use camshare_testkit::on_both_engines;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Api, Person};

/// A loopback RTSP server that answers `OPTIONS`, until the returned task is aborted.
async fn fake_camera() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            let _ =
                socket.write_all(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY\r\n\r\n").await;
        }
    });
    (port, task)
}

/// A loopback port with nothing listening.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn add_camera(api: &Api, owner: &Person, name: &str, port: u16) -> i64 {
    let body = json!({"name": name, "kind": "camera", "rtsp_url": format!("rtsp://127.0.0.1:{port}/Streaming/Channels/101"),
                      "username": "admin", "password": "CameraSecret99"});
    api.ok(Method::POST, "/api/devices", &owner.token, Some(body)).await["id"].as_i64().unwrap()
}

/// Polls the device list until `device` reads `want`; returns the device.
async fn wait_for(api: &Api, owner: &Person, device: i64, want: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list = api.ok(Method::GET, "/api/devices", &owner.token, None).await;
        let found = list.as_array().unwrap().iter().find(|d| d["id"] == device).cloned().unwrap();
        if found["reachability"] == want {
            return found;
        }
        assert!(Instant::now() < deadline, "device {device} never became {want}: {found}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn reachability_follows_the_camera(engine: Engine) {
    let api = Api::start_with(engine, &["--device-check-secs", "1"]).await;
    let owner = api.sign_up("Owner", "owner@example.com").await;
    let (port, camera) = fake_camera().await;
    let up = add_camera(&api, &owner, "Porch", port).await;
    let down = add_camera(&api, &owner, "Shed", closed_port()).await;

    // Both are checked at once after being added.
    let porch = wait_for(&api, &owner, up, "online").await;
    assert!(porch["checked_at"].is_string(), "{porch}");
    wait_for(&api, &owner, down, "offline").await;
    let one = api.ok(Method::GET, &format!("/api/devices/{up}"), &owner.token, None).await;
    assert_eq!(one["reachability"], "online", "the single-device view says the same: {one}");

    // A recipient of the camera sees the same state, and never its address.
    let bob = api.sign_up("Bob", "bob@example.com").await;
    let share = api.share(&owner, &bob.email, up, json!({"1": ["live_view"]}), None).await;
    // Issue 10, item 7: an open invite tells nothing of whether the owner's devices are up.
    let invites = api.ok(Method::GET, "/api/invites", &bob.token, None).await;
    assert_eq!(invites[0]["reachability"], "unchecked", "{invites}");
    assert_eq!(invites[0]["checked_at"], Value::Null, "{invites}");
    api.accept(&bob, share).await;
    let shared = api.ok(Method::GET, "/api/shared-devices", &bob.token, None).await;
    assert_eq!(shared[0]["reachability"], "online", "{shared}");
    assert!(!shared.to_string().contains("127.0.0.1"), "the address reached a recipient: {shared}");

    // The camera goes away: the next round sees it, on both sides.
    camera.abort();
    let _ = camera.await;
    wait_for(&api, &owner, up, "offline").await;
    let shared = api.ok(Method::GET, "/api/shared-devices", &bob.token, None).await;
    assert_eq!(shared[0]["reachability"], "offline", "{shared}");

    // The other device moves to an address that answers: the old answer is not shown for
    // the new address, and the new one is checked at once.
    let (new_port, _camera2) = fake_camera().await;
    let moved = api
        .ok(
            Method::PATCH,
            &format!("/api/devices/{down}"),
            &owner.token,
            Some(json!({"rtsp_url": format!("rtsp://127.0.0.1:{new_port}/")})),
        )
        .await;
    assert_eq!(moved["reachability"], "unchecked", "a new address starts unchecked: {moved}");
    wait_for(&api, &owner, down, "online").await;

    // A share past its expiry tells its recipient nothing of the device any more.
    let body = json!({"terms": {"expires_at": "2026-06-01T10:01:00Z"}});
    api.ok(Method::PATCH, &format!("/api/shares/{share}"), &owner.token, Some(body)).await;
    let mut bob = bob;
    api.advance(jiff::SignedDuration::from_mins(2), &mut [&mut bob]).await;
    let shared = api.ok(Method::GET, "/api/shared-devices", &bob.token, None).await;
    assert_eq!(shared[0]["reachability"], "unchecked", "an expired share shows the device's state: {shared}");
}
on_both_engines!(reachability_follows_the_camera_on_and_off, super::reachability_follows_the_camera);

/// The shared-device list is read on SQLite through separate synchronous connections
/// (`store::sqlite_reads`). While the owner keeps editing, every listing succeeds and shows one
/// whole committed state of the share, never an error or a half-written one, and the last
/// listing after the last edit shows that edit.
async fn listings_stay_whole_while_the_owner_edits(engine: Engine) {
    let api = std::sync::Arc::new(Api::start(engine).await);
    let owner = api.sign_up("Owner", "owner@example.com").await;
    let bob = api.sign_up("Bob", "bob@example.com").await;
    let nvr = api.add_nvr(&owner, "NVR", 4).await;
    let share = api.share(&owner, &bob.email, nvr, json!({"1": ["live_view"]}), None).await;
    api.accept(&bob, share).await;
    // The two states the owner flips between.
    let states = [json!({"1": ["live_view"]}), json!({"1": ["live_view", "playback"], "2": ["live_view"]})];

    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (api, token) = (api.clone(), bob.token.clone());
            tokio::spawn(async move {
                let mut seen = 0;
                for _ in 0..100 {
                    let list = api.ok(Method::GET, "/api/shared-devices", &token, None).await;
                    let channels: Vec<(u64, usize)> = list[0]["channels"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| (c["number"].as_u64().unwrap(), c["functions"].as_array().unwrap().len()))
                        .collect();
                    assert!(
                        channels == [(1, 1)] || channels == [(1, 2), (2, 1)],
                        "a listing showed a state that was never committed: {list}"
                    );
                    seen += 1;
                }
                seen
            })
        })
        .collect();
    for round in 0..40 {
        let body = json!({"channels": states[round % 2]});
        api.ok(Method::PATCH, &format!("/api/shares/{share}"), &owner.token, Some(body)).await;
    }
    for reader in readers {
        assert_eq!(reader.await.unwrap(), 100);
    }
    // The last edit (round 39) set the second state; the next listing shows it.
    let list = api.ok(Method::GET, "/api/shared-devices", &bob.token, None).await;
    assert_eq!(list[0]["channels"].as_array().unwrap().len(), 2, "{list}");
}
on_both_engines!(listings_stay_whole_while_the_owner_edits, super::listings_stay_whole_while_the_owner_edits);

/// Issue 10, item 7: camera logins are sealed to their device. Someone who can write the database
/// but not read the server key moves one device's sealed login onto another device's row: it
/// does not open there (the owner's view of that device fails rather than showing the moved
/// login), and the device it came from still works.
async fn a_camera_login_moved_to_another_device_does_not_open(engine: Engine) {
    let api = Api::start(engine).await;
    let owner = api.sign_up("Owner", "owner@example.com").await;
    let add = |name: &str, user: &str| {
        json!({"name": name, "kind": "camera", "rtsp_url": "rtsp://127.0.0.1:554/Streaming/Channels/101",
               "username": user, "password": "CameraSecret99"})
    };
    let porch = api.ok(Method::POST, "/api/devices", &owner.token, Some(add("Porch", "porch-login"))).await["id"]
        .as_i64()
        .unwrap();
    let shed = api.ok(Method::POST, "/api/devices", &owner.token, Some(add("Shed", "shed-login"))).await["id"]
        .as_i64()
        .unwrap();
    let blob: Vec<u8> = sqlx::query_scalar("SELECT credentials FROM devices WHERE id = $1")
        .bind(porch)
        .fetch_one(&api.db().pool)
        .await
        .unwrap();
    sqlx::query("UPDATE devices SET credentials = $1 WHERE id = $2")
        .bind(blob)
        .bind(shed)
        .execute(&api.db().pool)
        .await
        .unwrap();
    let (status, body) = api.call(Method::GET, &format!("/api/devices/{shed}"), Some(&owner.token), None).await;
    assert_eq!(status, 500, "the moved login opened on another device: {body}");
    assert!(!body.to_string().contains("porch-login"), "{body}");
    let own = api.ok(Method::GET, &format!("/api/devices/{porch}"), &owner.token, None).await;
    assert_eq!(own["username"], "porch-login");
}
on_both_engines!(
    a_camera_login_moved_to_another_device_does_not_open,
    super::a_camera_login_moved_to_another_device_does_not_open
);
