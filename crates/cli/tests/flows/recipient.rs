//! The recipient's flows (FLOWS.md "Recipient" 1, 2, 3, 4, 6 and "Both") through the CLI.

use camshare_testkit::Engine;
use serde_json::{Value, json};

use crate::cli::Cli;
use camshare_testkit::on_both_engines;

fn event_types(out: &str) -> Vec<String> {
    out.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["type"].as_str().unwrap().to_string()).collect()
}

async fn recipient_accepts_rejects_sees_and_leaves(engine: Engine) {
    let cli = Cli::start(engine).await;
    let olga = cli.sign_up("Olga", "--email", "olga@example.com").await;
    // Both: sign up by phone, sign in by phone.
    let dee = cli.sign_up("Dee", "--phone", "+44 7700 900123").await;
    let login = cli.run(None, &["login", "+447700900123", "--print-token"], "password123\n").await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    let nvr = cli
        .add_device(
            &olga,
            &[
                "--name",
                "Garage",
                "--kind",
                "nvr",
                "--rtsp",
                "rtsp://192.0.2.20",
                "--username",
                "u",
                "--channel-name",
                "Drive",
                "--channel-name",
                "Side",
                "--channel-name",
                "Gate",
            ],
        )
        .await;
    let cam = cli
        .add_device(&olga, &["--name", "Porch", "--kind", "camera", "--rtsp", "rtsp://192.0.2.21", "--username", "u"])
        .await;
    assert_eq!(cli.run(Some(&dee), &["--json", "events", "--since", "0"], "").await.stdout, "", "no events yet");

    // 1. Invitations: listed with owner, devices, channels, functions.
    let s1 = cli
        .json(
            &olga,
            &[
                "share",
                "create",
                "--to",
                "+44 7700 900123",
                "--device",
                &nvr.to_string(),
                "--grant",
                "1=live_view,ptz",
                "--grant",
                "3=live_view",
            ],
        )
        .await["shares"][0]["id"]
        .as_i64()
        .unwrap();
    let s2 =
        cli.json(&olga, &["share", "create", "--to", "+44 7700 900123", "--device", &cam.to_string()]).await["shares"]
            [0]["id"]
            .as_i64()
            .unwrap();
    let table = cli.ok(&dee, &["invite", "list"]).await.stdout;
    assert!(table.contains("Garage") && table.contains("Olga"), "{table}");
    let events = cli.run(Some(&dee), &["--json", "events", "--since", "0"], "").await;
    assert_eq!(event_types(&events.stdout), vec!["invite_received", "invite_received"]);

    // Accept one, reject the other.
    let accepted = cli.json(&dee, &["invite", "accept", &s1.to_string()]).await;
    assert_eq!(accepted["status"], "accepted");
    cli.ok(&dee, &["invite", "reject", &s2.to_string()]).await;
    assert_eq!(cli.json(&dee, &["invite", "list"]).await, json!([]));
    cli.fails(Some(&dee), &["invite", "accept", &s2.to_string()], 5, "conflict").await;
    let owner_events = cli.run(Some(&olga), &["--json", "events", "--since", "0"], "").await;
    assert_eq!(
        event_types(&owner_events.stdout),
        vec!["invite_sent", "invite_sent", "invite_answered", "invite_answered"]
    );

    // 2. Others' Devices with Sharing Details: functions per channel, camera names, who shares it.
    let shared = cli.json(&dee, &["shared", "list"]).await;
    assert_eq!(shared.as_array().unwrap().len(), 1);
    let d = &shared[0];
    assert_eq!(d["owner"]["display_name"], "Olga");
    assert_eq!(
        d["channels"],
        json!([
        {"number": 1, "name": "Drive", "functions": ["live_view", "ptz"]},
        {"number": 3, "name": "Gate", "functions": ["live_view"]}])
    );
    // 3. Nothing else is offered: no camera address, credentials or remark.
    let text = shared.to_string();
    assert!(!text.contains("rtsp") && !text.contains("CameraSecret99"));
    let details = cli.ok(&dee, &["shared", "show", &s1.to_string()]).await.stdout;
    assert!(details.contains("Drive") && details.contains("ptz") && details.contains("Olga"), "{details}");

    // 6. The owner changes permissions: the recipient's next look shows it, and an event says so.
    cli.ok(&olga, &["share", "edit", &s1.to_string(), "--grant", "1=live_view", "--grant", "2=live_view,playback"])
        .await;
    let shared = cli.json(&dee, &["shared", "list"]).await;
    assert_eq!(shared[0]["channels"][1], json!({"number": 2, "name": "Side", "functions": ["live_view", "playback"]}));

    // No re-sharing: the recipient cannot share a device it does not own.
    cli.fails(
        Some(&dee),
        &["share", "create", "--to", "eve@example.com", "--device", &nvr.to_string(), "--channels", "1"],
        4,
        "not_found",
    )
    .await;

    // 4. Delete the shared device from my list: the share ends; the owner sees it.
    cli.ok(&dee, &["shared", "remove", &s1.to_string()]).await;
    assert_eq!(cli.json(&dee, &["shared", "list"]).await, json!([]));
    let outgoing = cli.json(&olga, &["share", "show", &s1.to_string()]).await;
    assert_eq!(outgoing["status"], "removed");
    let activity = cli.json(&olga, &["activity", "--limit", "1"]).await;
    assert_eq!(activity[0]["kind"], "removed_by_recipient");
    let dee_events = cli.run(Some(&dee), &["--json", "events", "--since", "0"], "").await;
    assert_eq!(
        event_types(&dee_events.stdout),
        vec![
            "invite_received",
            "invite_received",
            "invite_answered",
            "invite_answered",
            "share_changed",
            "share_removed"
        ]
    );

    // Both: sign out ends the session.
    cli.ok(&dee, &["logout"]).await;
    cli.fails(Some(&dee), &["whoami"], 3, "unauthorized").await;
}
on_both_engines!(recipient_accepts_rejects_sees_details_and_leaves, super::recipient_accepts_rejects_sees_and_leaves);

async fn invite_waits_for_an_address_that_signs_up_later(engine: Engine) {
    let cli = Cli::start(engine).await;
    let olga = cli.sign_up("Olga", "--email", "olga@example.com").await;
    let cam = cli
        .add_device(&olga, &["--name", "Porch", "--kind", "camera", "--rtsp", "rtsp://192.0.2.21", "--username", "u"])
        .await;
    let out = cli
        .ok(
            &olga,
            &["share", "create", "--to", "newcomer@example.com", "--device", &cam.to_string(), "--remark", "Nia"],
        )
        .await;
    assert!(out.stdout.contains("newcomer@example.com"), "{}", out.stdout);
    let nia = cli.sign_up("Nia", "--email", "newcomer@example.com").await;
    let invites = cli.json(&nia, &["invite", "list"]).await;
    assert_eq!(invites[0]["device_name"], "Porch");
    assert!(!invites.to_string().contains("\"Nia\""), "the remark stays with the owner");
}
on_both_engines!(
    invite_waits_for_an_address_that_signs_up_later,
    super::invite_waits_for_an_address_that_signs_up_later
);

/// "Block": the recipient blocks an owner by the share id they see; the owner's invite and device
/// leave their lists, a new share from that owner does not show, and unblocking brings it back.
async fn recipient_blocks_and_unblocks_an_owner(engine: Engine) {
    let cli = Cli::start(engine).await;
    let olga = cli.sign_up("Olga", "--email", "olga@example.com").await;
    let bob = cli.sign_up("Bob", "--email", "bob@example.com").await;
    let (cli, olga) = (&cli, &olga);
    let add = |name: &'static str, rtsp: &'static str| {
        let args = ["--name", name, "--kind", "camera", "--rtsp", rtsp, "--username", "u"];
        async move { cli.add_device(olga, &args).await }
    };
    let porch = add("Porch", "rtsp://192.0.2.21").await;
    let yard = add("Yard", "rtsp://192.0.2.22").await;
    let share = |device: i64| async move {
        let device = device.to_string();
        let created = cli.json(olga, &["share", "create", "--to", "bob@example.com", "--device", &device]).await;
        created["shares"][0]["id"].as_i64().unwrap()
    };
    let first = share(porch).await;
    assert_eq!(cli.ok(&bob, &["blocked", "list"]).await.stdout.trim(), "You have not blocked anyone.");
    cli.fails(Some(&bob), &["blocked", "add", "987654"], 4, "not_found").await;

    let out = cli.ok(&bob, &["blocked", "add", &first.to_string()]).await.stdout;
    assert!(out.contains("Blocked Olga") && out.contains("camshare blocked remove"), "{out}");
    assert_eq!(cli.json(&bob, &["invite", "list"]).await, json!([]));
    let table = cli.ok(&bob, &["blocked", "list"]).await.stdout;
    assert!(table.contains("Olga"), "{table}");
    let listed = cli.json(&bob, &["blocked", "list"]).await;
    let olga_id = listed[0]["owner"]["id"].as_i64().unwrap();
    let mine = cli.json(olga, &["share", "show", &first.to_string()]).await;
    assert_eq!(mine["status"], "rejected", "{mine}");

    let hidden = share(yard).await;
    assert_eq!(cli.json(&bob, &["invite", "list"]).await, json!([]), "a blocked owner's invite shows");
    cli.fails(Some(&bob), &["invite", "accept", &hidden.to_string()], 4, "not_found").await;

    let out = cli.ok(&bob, &["blocked", "remove", &olga_id.to_string()]).await.stdout;
    assert!(out.contains("Unblocked"), "{out}");
    cli.fails(Some(&bob), &["blocked", "remove", &olga_id.to_string()], 4, "not_found").await;
    let invites = cli.json(&bob, &["invite", "list"]).await;
    assert_eq!(invites[0]["share"], hidden, "{invites}");
}
on_both_engines!(recipient_blocks_and_unblocks_an_owner, super::recipient_blocks_and_unblocks_an_owner);
