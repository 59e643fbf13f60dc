//! Bad input gets a clear error naming the problem, and the database is unchanged.

use camshare_testkit::Engine;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::Api;
use camshare_testkit::on_both_engines;

async fn each_bad_request_is_refused_and_changes_nothing(engine: Engine) {
    let api = Api::start(engine).await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    let other = api.sign_up("Oscar", "oscar@example.com").await;
    let nvr = api.add_nvr(&owner, "Garage", 4).await;
    let foreign = api.add_nvr(&other, "Oscar's", 2).await;
    let share = api.share(&owner, "bob@example.com", nvr, json!({"1": ["live_view"]}), None).await;

    let good = |recipient: &str, device: i64, channels: Value| json!({"recipient": recipient, "devices": [{"device": device, "channels": channels}]});
    let window = |start: &str, end: &str| json!({"time_zone": "Europe/Berlin", "windows": [{"days": ["mon"], "start": start, "end": end}]});
    // (what, method, path, body, expected kind, expected field)
    type Case<'a> = (&'a str, Method, String, Value, &'a str, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (
            "malformed email",
            Method::POST,
            "/api/shares".into(),
            good("bob@@example", nvr, json!({"1": ["live_view"]})),
            "invalid_email",
            Some("recipient"),
        ),
        (
            "phone without country code",
            Method::POST,
            "/api/shares".into(),
            good("189 1234 5678", nvr, json!({"1": ["live_view"]})),
            "invalid_phone",
            Some("recipient"),
        ),
        (
            "unknown device",
            Method::POST,
            "/api/shares".into(),
            good("bob@example.com", 424242, json!({"1": ["live_view"]})),
            "not_found",
            Some("devices"),
        ),
        (
            "foreign device",
            Method::POST,
            "/api/shares".into(),
            good("bob@example.com", foreign, json!({"1": ["live_view"]})),
            "not_found",
            Some("devices"),
        ),
        (
            "channel out of range",
            Method::POST,
            "/api/shares".into(),
            good("carol@example.com", nvr, json!({"5": ["live_view"]})),
            "invalid_input",
            Some("channels"),
        ),
        (
            "channel zero",
            Method::POST,
            "/api/shares".into(),
            good("carol@example.com", nvr, json!({"0": ["live_view"]})),
            "invalid_input",
            Some("channels"),
        ),
        (
            "no channel",
            Method::POST,
            "/api/shares".into(),
            good("carol@example.com", nvr, json!({})),
            "invalid_input",
            Some("channels"),
        ),
        (
            "empty function set",
            Method::POST,
            "/api/shares".into(),
            good("carol@example.com", nvr, json!({"1": []})),
            "invalid_input",
            Some("functions"),
        ),
        (
            "unknown function",
            Method::POST,
            "/api/shares".into(),
            good("carol@example.com", nvr, json!({"1": ["teleport"]})),
            "invalid_input",
            None,
        ),
        (
            "no device",
            Method::POST,
            "/api/shares".into(),
            json!({"recipient": "carol@example.com", "devices": []}),
            "invalid_input",
            Some("devices"),
        ),
        (
            "window ends before it starts",
            Method::POST,
            "/api/shares".into(),
            json!({"recipient": "carol@example.com", "devices": [{"device": nvr, "channels": {"1": ["live_view"]}}], "terms": {"schedule": window("17:00", "09:00")}}),
            "invalid_input",
            Some("schedule"),
        ),
        (
            "unknown time zone",
            Method::POST,
            "/api/shares".into(),
            json!({"recipient": "carol@example.com", "devices": [{"device": nvr, "channels": {"1": ["live_view"]}}], "terms": {"schedule": {"time_zone": "Mars/Olympus", "windows": [{"days": ["mon"], "start": "09:00", "end": "17:00"}]}}}),
            "invalid_input",
            Some("schedule"),
        ),
        (
            "expiry in the past",
            Method::POST,
            "/api/shares".into(),
            json!({"recipient": "carol@example.com", "devices": [{"device": nvr, "channels": {"1": ["live_view"]}}], "terms": {"expires_at": "2020-01-01T00:00:00Z"}}),
            "invalid_input",
            Some("expires_at"),
        ),
        (
            "edit: channel out of range",
            Method::PATCH,
            format!("/api/shares/{share}"),
            json!({"channels": {"9": ["live_view"]}}),
            "invalid_input",
            Some("channels"),
        ),
        (
            "edit: empty function set",
            Method::PATCH,
            format!("/api/shares/{share}"),
            json!({"channels": {"1": []}}),
            "invalid_input",
            Some("functions"),
        ),
        (
            "edit: window ends before it starts",
            Method::PATCH,
            format!("/api/shares/{share}"),
            json!({"terms": {"schedule": window("10:00", "10:00")}}),
            "invalid_input",
            Some("schedule"),
        ),
        (
            "device: NVR with 0 channels",
            Method::POST,
            "/api/devices".into(),
            json!({"name": "x", "kind": "nvr", "rtsp_url": "rtsp://10.0.0.1", "username": "u", "password": "p", "channel_count": 0}),
            "invalid_input",
            Some("channel_count"),
        ),
        (
            "device: camera with 2 channels",
            Method::POST,
            "/api/devices".into(),
            json!({"name": "x", "kind": "camera", "rtsp_url": "rtsp://10.0.0.1", "username": "u", "password": "p", "channel_names": ["a", "b"]}),
            "invalid_input",
            Some("channel_count"),
        ),
        (
            "device: credentials in the URL",
            Method::POST,
            "/api/devices".into(),
            json!({"name": "x", "kind": "camera", "rtsp_url": "rtsp://admin:pw@10.0.0.1", "username": "u", "password": "p"}),
            "invalid_input",
            Some("rtsp_url"),
        ),
        (
            "device: not an rtsp URL",
            Method::POST,
            "/api/devices".into(),
            json!({"name": "x", "kind": "camera", "rtsp_url": "http://10.0.0.1", "username": "u", "password": "p"}),
            "invalid_input",
            Some("rtsp_url"),
        ),
        (
            "device: empty name",
            Method::POST,
            "/api/devices".into(),
            json!({"name": "  ", "kind": "camera", "rtsp_url": "rtsp://10.0.0.1", "username": "u", "password": "p"}),
            "invalid_input",
            Some("name"),
        ),
        (
            "device: unknown kind",
            Method::POST,
            "/api/devices".into(),
            json!({"name": "x", "kind": "toaster", "rtsp_url": "rtsp://10.0.0.1", "username": "u", "password": "p"}),
            "invalid_input",
            None,
        ),
        (
            "remark too long",
            Method::POST,
            "/api/shares".into(),
            json!({"recipient": "carol@example.com", "remark": "x".repeat(101), "devices": [{"device": nvr, "channels": {"1": ["live_view"]}}]}),
            "invalid_input",
            Some("remark"),
        ),
        // Issue 10, item 7: names that do not show as themselves (a right-to-left override makes
        // "Bob\u{202E}lana" read "Bobanal"; a zero-width space hides inside a look-alike).
        (
            "a right-to-left override in a remark",
            Method::POST,
            "/api/shares".into(),
            json!({"recipient": "carol@example.com", "remark": "Bob\u{202E}lana", "devices": [{"device": nvr, "channels": {"1": ["live_view"]}}]}),
            "invalid_input",
            Some("remark"),
        ),
        (
            "a zero-width space in a device name",
            Method::PATCH,
            format!("/api/devices/{nvr}"),
            json!({"name": "Gar\u{200B}age"}),
            "invalid_input",
            Some("name"),
        ),
        (
            "a bidi isolate in a channel name",
            Method::PATCH,
            format!("/api/devices/{nvr}"),
            json!({"channel_names": ["A", "B", "C", "\u{2067}D"]}),
            "invalid_input",
            Some("channel_names"),
        ),
    ];

    let before = api.snapshot().await;
    for (what, method, path, body, kind, field) in cases {
        let (status, v) = api.call(method, &path, Some(&owner.token), Some(body)).await;
        assert_eq!(v["kind"], kind, "{what}: {v}");
        assert!((400..500).contains(&status), "{what}: status {status}");
        assert!(
            v["message"].as_str().is_some_and(|m| m.len() > 10),
            "{what}: the message should say what is wrong: {v}"
        );
        if let Some(field) = field {
            assert_eq!(v["field"], field, "{what}: {v}");
        }
    }

    // Truncated and oversized bodies.
    let (status, v) =
        api.call_raw(Method::POST, "/api/shares", &owner.token, br#"{"recipient": "carol@exa"#.to_vec()).await;
    assert_eq!((status, v["kind"].as_str()), (400, Some("invalid_input")), "{v}");
    let huge = format!(r#"{{"recipient": "carol@example.com", "remark": "{}", "devices": []}}"#, "x".repeat(200_000));
    let (status, v) = api.call_raw(Method::POST, "/api/shares", &owner.token, huge.into_bytes()).await;
    assert_eq!((status, v["kind"].as_str()), (413, Some("payload_too_large")), "{v}");
    // A JSON array where an object belongs (serde alone would read a struct from it; found by
    // schemathesis: `[null, null]` edited a device), and a body that is not JSON at all.
    for path in ["/api/shares", "/api/devices"] {
        let (status, v) = api.call_raw(Method::POST, path, &owner.token, b"[null, null]".to_vec()).await;
        assert_eq!((status, v["kind"].as_str()), (400, Some("invalid_input")), "{path}: {v}");
    }
    let (status, v) = api.call_raw(Method::POST, "/api/shares", &owner.token, b"  \n ".to_vec()).await;
    assert_eq!((status, v["kind"].as_str()), (400, Some("invalid_input")), "{v}");

    assert_eq!(before, api.snapshot().await, "a refused request changed the database");

    // A display name with a hidden character is refused at sign-up, before any mail is sent.
    let body = json!({"email": "mallory@example.com", "display_name": "Olga\u{200D}", "password": "password123"});
    let (status, v) = api.call(Method::POST, "/api/accounts", None, Some(body)).await;
    assert_eq!((status, v["field"].as_str()), (400, Some("display_name")), "{v}");
    assert!(camshare_testkit::outbox::messages_to(&api.app.outbox(), "mallory@example.com").is_empty());
}
on_both_engines!(
    bad_input_gets_a_clear_error_and_changes_nothing,
    super::each_bad_request_is_refused_and_changes_nothing
);

async fn a_failing_device_in_a_batch_stores_nothing(engine: Engine) {
    let api = Api::start(engine).await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    let nvr = api.add_nvr(&owner, "Garage", 4).await;
    let porch = api.add_nvr(&owner, "Porch", 2).await;
    api.share(&owner, "carol@example.com", porch, json!({"1": ["live_view"]}), None).await;
    let before = api.snapshot().await;
    // The first device is new for Carol; the second is already shared with her, which the
    // database only notices after the first share row was written.
    let body = json!({"recipient": "carol@example.com", "remark": "Carol", "devices": [
        {"device": nvr, "channels": {"1": ["live_view"]}},
        {"device": porch, "channels": {"2": ["live_view"]}}]});
    let (status, v) = api.call(Method::POST, "/api/shares", Some(&owner.token), Some(body)).await;
    assert_eq!((status, v["kind"].as_str()), (409, Some("conflict")), "{v}");
    assert_eq!(before, api.snapshot().await, "half of a multi-device share was stored");
}
on_both_engines!(multi_device_share_is_all_or_nothing, super::a_failing_device_in_a_batch_stores_nothing);
