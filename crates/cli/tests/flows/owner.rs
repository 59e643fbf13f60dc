//! The owner's flows (FLOWS.md "Owner" 1–11, without video or window) through the CLI.

use camshare_testkit::Engine;
use serde_json::{Value, json};

use crate::cli::Cli;
use camshare_testkit::on_both_engines;

fn ids(v: &Value, key: &str) -> Vec<i64> {
    v.as_array().unwrap().iter().map(|x| x[key].as_i64().unwrap()).collect()
}

async fn owner_shares_manages_and_stops_sharing(engine: Engine) {
    let cli = Cli::start(engine).await;
    let olga = cli.sign_up("Olga", "--email", "olga@example.com").await;
    let bob = cli.sign_up("Bob", "--email", "bob@example.com").await;

    // 1. Device list: name, kind, channels, shared or not.
    let nvr = cli
        .add_device(
            &olga,
            &[
                "--name",
                "Garage NVR",
                "--kind",
                "nvr",
                "--rtsp",
                "rtsp://192.0.2.20:554",
                "--username",
                "admin",
                "--channels",
                "4",
            ],
        )
        .await;
    let cam = cli
        .add_device(
            &olga,
            &["--name", "Porch", "--kind", "camera", "--rtsp", "rtsp://192.0.2.21:554", "--username", "admin"],
        )
        .await;
    let table = cli.ok(&olga, &["device", "list"]).await.stdout;
    assert!(table.contains("Garage NVR") && table.contains("nvr") && table.contains("Porch"), "{table}");
    let devices = cli.json(&olga, &["device", "list"]).await;
    assert_eq!(devices[0]["channels"].as_array().unwrap().len(), 4);
    assert_eq!(devices[0]["active_shares"], 0);
    assert!(!devices.to_string().contains("CameraSecret99"), "the camera password never comes back");

    // Edit and show a device.
    cli.ok(&olga, &["device", "edit", &nvr.to_string(), "--name", "Garage"]).await;
    assert_eq!(cli.json(&olga, &["device", "show", &nvr.to_string()]).await["name"], "Garage");

    // 3–6. Recipient by email with a remark; 4. select cameras 1 and 3; 5. live view only.
    let created = cli
        .json(
            &olga,
            &[
                "share",
                "create",
                "--to",
                "Bob@Example.com",
                "--device",
                &nvr.to_string(),
                "--channels",
                "1,3",
                "--preset",
                "guest",
                "--remark",
                "Neighbour Bob",
            ],
        )
        .await;
    let share = created["shares"][0]["id"].as_i64().unwrap();
    assert_eq!(created["shares"][0]["channels"], json!({"1": ["live_view"], "3": ["live_view"]}));
    assert_eq!(created["shares"][0]["status"], "pending");
    // The recipient sees the invite at once.
    let invites = cli.json(&bob, &["invite", "list"]).await;
    assert_eq!(ids(&invites, "share"), vec![share]);
    assert_eq!(invites[0]["owner"]["display_name"], "Olga");

    // 3. History matches as you type, remark included.
    let history = cli.json(&olga, &["recipient", "history", "bo"]).await;
    assert_eq!(history[0]["address"], "bob@example.com");
    assert_eq!(history[0]["remark"], "Neighbour Bob");
    assert_eq!(cli.json(&olga, &["recipient", "history", "zz"]).await, json!([]));

    // 5. Permission matrix with per-channel differences, expiry, schedule, lookback; Admin preset.
    let carol_share = cli
        .json(
            &olga,
            &[
                "share",
                "create",
                "--to",
                "+86 189 1234 5678",
                "--device",
                &nvr.to_string(),
                "--grant",
                "2=live_view,playback",
                "--grant",
                "4=admin",
                "--expires",
                "2026-12-31T23:00:00Z",
                "--schedule",
                "mon-fri 09:00-17:00",
                "--lookback",
                "48h",
            ],
        )
        .await;
    let s = &carol_share["shares"][0];
    assert_eq!(
        s["channels"],
        json!({"2": ["live_view", "playback"], "4": ["live_view", "playback", "alarm_push", "two_way_audio", "ptz"]})
    );
    assert_eq!(s["terms"]["expires_at"], "2026-12-31T23:00:00Z");
    assert_eq!(s["terms"]["schedule"]["windows"][0]["start"], "09:00");
    assert_eq!(s["terms"]["lookback"], json!({"kind": "last_hours", "hours": 48}));
    let cam_admin = cli
        .json(&olga, &["share", "create", "--to", "bob@example.com", "--device", &cam.to_string(), "--preset", "admin"])
        .await;
    let cam_share = cam_admin["shares"][0]["id"].as_i64().unwrap();

    // 7. Manage Sharing Settings: recipients with remark and shares; Sharing Details.
    let recipients = cli.json(&olga, &["recipient", "list"]).await;
    assert_eq!(recipients.as_array().unwrap().len(), 2);
    let bob_entry = recipients.as_array().unwrap().iter().find(|r| r["address"] == "bob@example.com").unwrap().clone();
    let bob_recipient = bob_entry["id"].as_i64().unwrap();
    assert_eq!(bob_entry["remark"], "Neighbour Bob");
    assert_eq!(ids(&bob_entry["shares"], "id"), vec![share, cam_share]);
    let details = cli.json(&olga, &["recipient", "show", &bob_recipient.to_string()]).await;
    assert_eq!(details["shares"].as_array().unwrap().len(), 2);
    cli.ok(&olga, &["recipient", "remark", &bob_recipient.to_string(), "Bob from no. 12"]).await;
    assert_eq!(cli.json(&olga, &["recipient", "show", &bob_recipient.to_string()]).await["remark"], "Bob from no. 12");
    // A pending invite was sent just now: a resend waits an hour (each is a notification).
    let early = cli.fails(Some(&olga), &["share", "resend", &share.to_string()], 6, "rate_limited").await;
    assert!(early.stderr.contains("once an hour"), "{}", early.stderr);
    // Cancel another.
    let cancelled = cli.json(&olga, &["share", "cancel", &cam_share.to_string()]).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(ids(&cli.json(&bob, &["invite", "list"]).await, "share"), vec![share]);

    // Recipient accepts; owner changes permissions: effective at once.
    cli.ok(&bob, &["invite", "accept", &share.to_string()]).await;
    let edited = cli
        .json(
            &olga,
            &["share", "edit", &share.to_string(), "--grant", "1=live_view", "--grant", "3=live_view,playback"],
        )
        .await;
    assert_eq!(edited["channels"], json!({"1": ["live_view"], "3": ["live_view", "playback"]}));
    let shared = cli.json(&bob, &["shared", "list"]).await;
    assert_eq!(shared[0]["channels"][1]["functions"], json!(["live_view", "playback"]));

    // 10. Who can see this camera?
    let access = cli.json(&olga, &["device", "access", &nvr.to_string()]).await;
    let addresses: Vec<&str> =
        access.as_array().unwrap().iter().map(|a| a["recipient_address"].as_str().unwrap()).collect();
    assert_eq!(addresses, vec!["bob@example.com", "+8618912345678"]);
    let table = cli.ok(&olga, &["device", "access", &nvr.to_string()]).await.stdout;
    assert!(table.contains("bob@example.com"), "{table}");

    // 8. Stop sharing: immediate; the recipient's list empties.
    cli.ok(&olga, &["share", "revoke", &share.to_string()]).await;
    assert_eq!(cli.json(&bob, &["shared", "list"]).await, json!([]));
    cli.fails(Some(&olga), &["share", "revoke", &share.to_string()], 5, "conflict").await;

    // 7. Delete the recipient and all its sharing; it stays in the history.
    let again = cli.json(&olga, &["share", "create", "--to", "bob@example.com", "--device", &cam.to_string()]).await;
    let again = again["shares"][0]["id"].as_i64().unwrap();
    cli.ok(&bob, &["invite", "accept", &again.to_string()]).await;
    cli.ok(&olga, &["recipient", "delete", &bob_recipient.to_string()]).await;
    assert_eq!(cli.json(&bob, &["shared", "list"]).await, json!([]));
    let recipients = cli.json(&olga, &["recipient", "list"]).await;
    assert!(!recipients.to_string().contains("bob@example.com"));
    let history = cli.json(&olga, &["recipient", "history", "bob"]).await;
    assert_eq!(history[0]["deleted"], true);

    // 11. Activity, newest first.
    let activity = cli.json(&olga, &["activity"]).await;
    let kinds: Vec<&str> = activity.as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds[0], "recipient_deleted");
    for expected in ["shared", "accepted", "edited", "cancelled", "revoked", "device_added", "device_edited"] {
        assert!(kinds.contains(&expected), "activity lacks {expected}: {kinds:?}");
    }
    assert!(cli.ok(&olga, &["activity"]).await.stdout.contains("Garage"));

    // Deleting a device ends its shares and tells the recipient.
    cli.ok(&olga, &["device", "remove", &nvr.to_string()]).await;
    cli.fails(Some(&olga), &["device", "show", &nvr.to_string()], 4, "not_found").await;
    assert_eq!(cli.json(&olga, &["device", "list"]).await.as_array().unwrap().len(), 1);
}
on_both_engines!(owner_shares_manages_and_stops_sharing, super::owner_shares_manages_and_stops_sharing);

async fn account_code_qr_flow(engine: Engine) {
    let cli = Cli::start(engine).await;
    let olga = cli.sign_up("Olga", "--email", "olga@example.com").await;
    let dee = cli.sign_up("Dee", "--phone", "+44 7700 900123").await;
    // 9. My QR Code: the account code.
    let me = cli.json(&dee, &["whoami"]).await;
    let code = me["account_code"].as_str().unwrap().to_string();
    assert!(cli.ok(&dee, &["whoami"]).await.stdout.contains(&code));
    // The owner scans it (here: types it), verifies it, shares with it.
    let verified = cli.json(&olga, &["code", "verify", &code]).await;
    assert_eq!(verified["display_name"], "Dee");
    let cam = cli
        .add_device(&olga, &["--name", "Porch", "--kind", "camera", "--rtsp", "rtsp://192.0.2.21", "--username", "u"])
        .await;
    let created = cli
        .json(&olga, &["share", "create", "--to", &code, "--device", &cam.to_string(), "--remark", "Dee (QR)"])
        .await;
    assert_eq!(created["shares"][0]["recipient_kind"], "account_code");
    assert_eq!(cli.json(&dee, &["invite", "list"]).await[0]["device_name"], "Porch");
    // A forged code is refused clearly.
    let mut forged = code.clone();
    forged.pop();
    forged.push(if code.ends_with('A') { 'B' } else { 'A' });
    cli.fails(Some(&olga), &["code", "verify", &forged], 2, "invalid_account_code").await;
    cli.fails(
        Some(&olga),
        &["share", "create", "--to", &forged, "--device", &cam.to_string()],
        2,
        "invalid_account_code",
    )
    .await;
}
on_both_engines!(owner_shares_by_account_code, super::account_code_qr_flow);

async fn bad_input_through_the_cli(engine: Engine) {
    let cli = Cli::start(engine).await;
    let olga = cli.sign_up("Olga", "--email", "olga@example.com").await;
    let other = cli.sign_up("Oscar", "--email", "oscar@example.com").await;
    let nvr = cli
        .add_device(
            &olga,
            &["--name", "Garage", "--kind", "nvr", "--rtsp", "rtsp://192.0.2.20", "--username", "u", "--channels", "2"],
        )
        .await;
    let foreign = cli
        .add_device(
            &other,
            &["--name", "Oscar's", "--kind", "camera", "--rtsp", "rtsp://192.0.2.30", "--username", "u"],
        )
        .await;
    let n = nvr.to_string();
    cli.fails(Some(&olga), &["share", "create", "--to", "bob@", "--device", &n], 2, "invalid_email").await;
    cli.fails(Some(&olga), &["share", "create", "--to", "13800138000", "--device", &n], 2, "invalid_phone").await;
    cli.fails(
        Some(&olga),
        &["share", "create", "--to", "bob@example.com", "--device", "9999", "--channels", "1"],
        4,
        "not_found",
    )
    .await;
    cli.fails(
        Some(&olga),
        &["share", "create", "--to", "bob@example.com", "--device", &foreign.to_string(), "--channels", "1"],
        4,
        "not_found",
    )
    .await;
    cli.fails(
        Some(&olga),
        &["share", "create", "--to", "bob@example.com", "--device", &n, "--channels", "3"],
        2,
        "invalid_input",
    )
    .await;
    cli.fails(
        Some(&olga),
        &["share", "create", "--to", "bob@example.com", "--device", &n, "--schedule", "mon 17:00-09:00"],
        2,
        "invalid_input",
    )
    .await;
    cli.fails(
        Some(&olga),
        &["share", "create", "--to", "bob@example.com", "--device", &n, "--functions", "teleport"],
        2,
        "invalid_input",
    )
    .await;
    // Nothing was shared by any of that.
    assert_eq!(cli.json(&olga, &["share", "list"]).await, json!([]));
    assert_eq!(cli.json(&olga, &["recipient", "history"]).await, json!([]));
    // Wrong password and signed-out use.
    let wrong = cli.run(None, &["login", "olga@example.com", "--print-token"], "not-the-password\n").await;
    assert_eq!(wrong.code, 3, "{}", wrong.stderr);
    assert!(wrong.stderr.contains("error[invalid_credentials]"));
    cli.fails(None, &["device", "list"], 3, "unauthorized").await;
}
on_both_engines!(bad_input_through_the_cli_is_refused_and_shares_nothing, super::bad_input_through_the_cli);
