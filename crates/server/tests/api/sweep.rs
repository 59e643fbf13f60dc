//! The access sweep: every route in the OpenAPI document, called with no token, a stranger's
//! token, and the other party's token where only one party may act, is refused, leaks nothing
//! of the object (the refusal reads exactly as for an id that never existed), and changes nothing.

use camshare_testkit::Engine;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Api, Person};
use camshare_testkit::on_both_engines;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    /// No token needed.
    Public,
    /// Any signed-in account; answers only about the caller's own things.
    Anyone,
    /// Only the owner of the object in the path.
    Owner,
    /// Only the recipient of the share in the path.
    Recipient,
    /// The owner or an accepted recipient of the device.
    Party,
    /// Acts on the caller's own sessions or account only (signing out, deleting the account);
    /// not called by outsiders here.
    OwnSession,
}

struct Route {
    method: &'static str,
    path: &'static str,
    who: Who,
}

const ROUTES: &[Route] = &[
    Route { method: "post", path: "/api/accounts", who: Who::Public },
    Route { method: "post", path: "/api/accounts/verify", who: Who::Public },
    Route { method: "post", path: "/api/accounts/resend-code", who: Who::Public },
    Route { method: "post", path: "/api/password-resets", who: Who::Public },
    Route { method: "post", path: "/api/password-resets/finish", who: Who::Public },
    Route { method: "post", path: "/api/me/password", who: Who::OwnSession },
    Route { method: "post", path: "/api/sessions", who: Who::Public },
    Route { method: "post", path: "/api/sessions/refresh", who: Who::Public },
    Route { method: "delete", path: "/api/sessions", who: Who::OwnSession },
    Route { method: "delete", path: "/api/sessions/current", who: Who::OwnSession },
    Route { method: "get", path: "/api/me", who: Who::Anyone },
    Route { method: "delete", path: "/api/me", who: Who::OwnSession },
    Route { method: "post", path: "/api/account-codes/verify", who: Who::Anyone },
    Route { method: "get", path: "/api/devices", who: Who::Anyone },
    Route { method: "post", path: "/api/devices", who: Who::Anyone },
    Route { method: "get", path: "/api/devices/{id}", who: Who::Owner },
    Route { method: "patch", path: "/api/devices/{id}", who: Who::Owner },
    Route { method: "delete", path: "/api/devices/{id}", who: Who::Owner },
    Route { method: "get", path: "/api/devices/{id}/access", who: Who::Owner },
    Route { method: "post", path: "/api/shares", who: Who::Owner },
    Route { method: "get", path: "/api/shares", who: Who::Anyone },
    Route { method: "get", path: "/api/shares/{id}", who: Who::Owner },
    Route { method: "patch", path: "/api/shares/{id}", who: Who::Owner },
    Route { method: "delete", path: "/api/shares/{id}", who: Who::Owner },
    Route { method: "post", path: "/api/shares/{id}/resend", who: Who::Owner },
    Route { method: "post", path: "/api/shares/{id}/cancel", who: Who::Owner },
    Route { method: "post", path: "/api/shares/revoke-everything", who: Who::Anyone },
    Route { method: "get", path: "/api/access", who: Who::Party },
    Route { method: "post", path: "/api/stream-tickets", who: Who::Party },
    Route { method: "get", path: "/api/recipients", who: Who::Anyone },
    Route { method: "get", path: "/api/recipients/{id}", who: Who::Owner },
    Route { method: "patch", path: "/api/recipients/{id}", who: Who::Owner },
    Route { method: "delete", path: "/api/recipients/{id}", who: Who::Owner },
    Route { method: "get", path: "/api/recipient-history", who: Who::Anyone },
    Route { method: "get", path: "/api/invites", who: Who::Anyone },
    Route { method: "post", path: "/api/invites/{id}/accept", who: Who::Recipient },
    Route { method: "post", path: "/api/invites/{id}/reject", who: Who::Recipient },
    Route { method: "get", path: "/api/shared-devices", who: Who::Anyone },
    Route { method: "delete", path: "/api/shared-devices/{id}", who: Who::Recipient },
    Route { method: "get", path: "/api/blocked-owners", who: Who::Anyone },
    Route { method: "post", path: "/api/blocked-owners", who: Who::Recipient },
    Route { method: "delete", path: "/api/blocked-owners/{id}", who: Who::Recipient },
    Route { method: "get", path: "/api/events", who: Who::Anyone },
    Route { method: "get", path: "/api/activity", who: Who::Anyone },
];

/// Words that belong to the owner's objects and must never reach an outsider.
const MARKERS: &[&str] =
    &["SecretGarage", "RemarkForBob", "bob@example.com", "192.0.2.10", "CameraSecret99", "Owner Olga"];

struct World {
    owner: Person,
    bob: Person,
    eve: Person,
    device: i64,
    accepted_share: i64,
    pending_share: i64,
    recipient: i64,
    /// The owner's account id: what a recipient blocks.
    owner_account: i64,
}

async fn world(api: &Api) -> World {
    let owner = api.sign_up("Owner Olga", "olga@example.com").await;
    let bob = api.sign_up("Bob", "bob@example.com").await;
    let eve = api.sign_up("Eve", "eve@example.com").await;
    let device = api.add_nvr(&owner, "SecretGarage", 4).await;
    let second = api.add_nvr(&owner, "SecretGarage Two", 2).await;
    let accepted_share =
        api.share(&owner, "bob@example.com", device, json!({"1": ["live_view"]}), Some("RemarkForBob")).await;
    api.accept(&bob, accepted_share).await;
    let pending_share = api.share(&owner, "bob@example.com", second, json!({"1": ["live_view"]}), None).await;
    let recipients = api.ok(Method::GET, "/api/recipients", &owner.token, None).await;
    let recipient = recipients[0]["id"].as_i64().unwrap();
    let owner_account = api.ok(Method::GET, "/api/me", &owner.token, None).await["id"].as_i64().unwrap();
    World { owner, bob, eve, device, accepted_share, pending_share, recipient, owner_account }
}

/// The concrete path and a valid body for a route, aimed at the world's objects (or at ids
/// that never existed when `ghost` is set).
fn target(route: &Route, w: &World, ghost: bool) -> (String, Option<Value>) {
    let g = |id: i64| if ghost { 987_654 } else { id };
    let p = route.path;
    let id = if p.starts_with("/api/devices/") {
        g(w.device)
    } else if p.starts_with("/api/recipients/") {
        g(w.recipient)
    } else if p.starts_with("/api/invites/") {
        g(w.pending_share)
    } else if p.starts_with("/api/blocked-owners/") {
        g(w.owner_account)
    } else {
        g(w.accepted_share)
    };
    let mut path = p.replace("{id}", &id.to_string());
    if p == "/api/access" {
        path = format!("/api/access?device={}&channel=1&function=live_view", g(w.device));
    }
    let body = match (route.method, p) {
        ("patch", "/api/devices/{id}") => Some(json!({"name": "Hacked"})),
        ("patch", "/api/shares/{id}") => Some(json!({"channels": {"1": ["ptz"]}})),
        ("patch", "/api/recipients/{id}") => Some(json!({"remark": "hacked"})),
        ("post", "/api/shares") => Some(json!({"recipient": "mallory@example.com",
            "devices": [{"device": g(w.device), "channels": {"1": ["live_view"]}}]})),
        ("post", "/api/devices") => Some(json!({"name": "x", "kind": "camera", "rtsp_url": "rtsp://198.51.100.1",
            "username": "u", "password": "p"})),
        ("post", "/api/blocked-owners") => Some(json!({"owner": g(w.owner_account)})),
        ("post", "/api/stream-tickets") => Some(json!({"device": g(w.device), "channel": 1, "stream": "sub"})),
        ("post", "/api/account-codes/verify") => Some(json!({"code": "CS-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA"})),
        _ => None,
    };
    (path, body)
}

fn method(m: &str) -> Method {
    m.to_uppercase().parse().unwrap()
}

fn assert_no_leak(what: &str, body: &Value) {
    let text = body.to_string();
    for marker in MARKERS {
        assert!(!text.contains(marker), "{what} leaked `{marker}`: {text}");
    }
}

async fn every_route_refuses_outsiders(engine: Engine) {
    let api = Api::start(engine).await;
    let w = world(&api).await;

    // The table covers exactly the routes in the OpenAPI document.
    let doc = camshare_server::openapi();
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (m, op) in [
            ("get", &item.get),
            ("post", &item.post),
            ("patch", &item.patch),
            ("delete", &item.delete),
            ("put", &item.put),
        ] {
            if op.is_some() {
                documented.push(format!("{m} {path}"));
            }
        }
    }
    let mut listed: Vec<String> = ROUTES.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    documented.sort();
    listed.sort();
    assert_eq!(documented, listed, "the sweep table and the OpenAPI document must list the same routes");

    let before = api.snapshot().await;
    for route in ROUTES {
        if route.who == Who::Public || route.path == "/api/events" {
            continue;
        }
        let name = format!("{} {}", route.method, route.path);
        let (path, body) = target(route, &w, false);

        // No token, and a garbage token: unauthorized, nothing else said.
        for token in [None, Some("not-a-token")] {
            let (status, v) = api.call(method(route.method), &path, token, body.clone()).await;
            assert_eq!(status, 401, "{name} without a valid token: {v}");
            assert_eq!(v["kind"], "unauthorized", "{name}");
            assert_no_leak(&name, &v);
        }

        if route.who == Who::OwnSession {
            continue;
        }
        // Outsiders: the stranger always; for owner-only routes the recipient too; for
        // recipient-only routes the owner too.
        let mut outsiders = vec![("stranger", &w.eve)];
        match route.who {
            Who::Owner => outsiders.push(("recipient", &w.bob)),
            Who::Recipient => outsiders.push(("owner", &w.owner)),
            _ => {}
        }
        for (label, person) in outsiders {
            let (status, v) = api.call(method(route.method), &path, Some(&person.token), body.clone()).await;
            assert_no_leak(&format!("{name} as {label}"), &v);
            if route.who == Who::Anyone {
                continue; // answers about the caller's own things only; checked for leaks above
            }
            assert_eq!(status, 404, "{name} as {label} must be refused as not found: {v}");
            // Refused exactly as an object that never existed.
            let (ghost_path, ghost_body) = target(route, &w, true);
            let (ghost_status, ghost) =
                api.call(method(route.method), &ghost_path, Some(&person.token), ghost_body).await;
            assert_eq!(
                (status, &v),
                (ghost_status, &ghost),
                "{name} as {label}: refusal differs from a missing object"
            );
        }
    }
    let after = api.snapshot().await;
    let created_by_outsiders =
        |row: &&String| row.contains("FROM devices") || row.contains("FROM channels") || row.contains("FROM activity");
    let before: Vec<&String> = before.iter().filter(|r| !created_by_outsiders(r)).collect();
    let after: Vec<&String> = after.iter().filter(|r| !created_by_outsiders(r)).collect();
    assert_eq!(before, after, "refused requests changed shares, recipients, events or accounts");

    // The owner's own devices are untouched (outsiders only added devices of their own).
    let devices = api.ok(Method::GET, "/api/devices", &w.owner.token, None).await;
    assert_eq!(devices.as_array().unwrap().len(), 2);
    assert_eq!(devices[0]["name"], "SecretGarage");
}
on_both_engines!(every_route_refuses_outsiders_and_leaks_nothing, super::every_route_refuses_outsiders);

async fn recipient_sees_no_camera_secrets(engine: Engine) {
    let api = Api::start(engine).await;
    let w = world(&api).await;
    for path in ["/api/shared-devices", "/api/invites"] {
        let v = api.ok(Method::GET, path, &w.bob.token, None).await;
        let text = v.to_string();
        for secret in ["192.0.2.10", "CameraSecret99", "admin", "RemarkForBob", "rtsp"] {
            assert!(!text.contains(secret), "{path} shows `{secret}` to the recipient: {text}");
        }
    }
    // Recipient cannot re-share: the device is not theirs.
    let body =
        json!({"recipient": "eve@example.com", "devices": [{"device": w.device, "channels": {"1": ["live_view"]}}]});
    let (status, v) = api.call(Method::POST, "/api/shares", Some(&w.bob.token), Some(body)).await;
    assert_eq!((status, v["kind"].as_str()), (404, Some("not_found")));
    // The database holds the camera password only encrypted.
    let blobs: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT credentials FROM devices").fetch_all(&api.db().pool).await.unwrap();
    for blob in blobs {
        assert!(!blob.windows(14).any(|win| win == b"CameraSecret99"), "camera password stored in clear");
    }
    // The owner sees the username but never the password.
    let device = api.ok(Method::GET, &format!("/api/devices/{}", w.device), &w.owner.token, None).await;
    assert_eq!(device["username"], "admin");
    assert!(!device.to_string().contains("CameraSecret99"));
}
on_both_engines!(recipient_never_sees_camera_address_credentials_or_remark, super::recipient_sees_no_camera_secrets);
