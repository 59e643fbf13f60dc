//! Sharing rules seen through the API: no enumeration, invites that wait for a sign-up,
//! invite deadlines, terms enforced by the decision function, and the recipient history.

use camshare_testkit::Engine;
use jiff::SignedDuration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::Api;
use camshare_testkit::on_both_engines;

/// Blanks what legitimately differs between two answers (ids, times, the address itself).
fn shape(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if ["id", "recipient", "created_at", "invite_expires_at", "recipient_address", "device"]
                        .contains(&k.as_str())
                    {
                        *val = Value::Null;
                    } else {
                        walk(val);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

async fn sharing_does_not_reveal_accounts(engine: Engine) {
    let api = Api::start(engine).await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    api.sign_up("Bob", "bob@example.com").await;
    let nvr = api.add_nvr(&owner, "Garage", 2).await;
    let body = |to: &str| json!({"recipient": to, "devices": [{"device": nvr, "channels": {"1": ["live_view"]}}]});
    let (s1, existing) = api.call(Method::POST, "/api/shares", Some(&owner.token), Some(body("bob@example.com"))).await;
    let (s2, missing) =
        api.call(Method::POST, "/api/shares", Some(&owner.token), Some(body("nobody@example.com"))).await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(shape(existing), shape(missing), "the answer must not tell whether the address has an account");
}
on_both_engines!(share_answer_is_the_same_with_or_without_an_account, super::sharing_does_not_reveal_accounts);

async fn invite_waits_for_sign_up(engine: Engine) {
    let api = Api::start(engine).await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    let nvr = api.add_nvr(&owner, "Garage", 4).await;
    let share = api.share(&owner, "+44 7700 900123", nvr, json!({"2": ["live_view", "playback"]}), Some("Dee")).await;
    let body = json!({"phone": "+447700900123", "display_name": "Dee", "password": "password123"});
    let dee = api.sign_up_with(body, "+447700900123").await;
    let token = dee["tokens"]["access_token"].as_str().unwrap();
    let invites = api.ok(Method::GET, "/api/invites", token, None).await;
    assert_eq!(invites.as_array().unwrap().len(), 1);
    assert_eq!(invites[0]["share"], share);
    assert_eq!(invites[0]["owner"]["display_name"], "Olga");
    assert_eq!(invites[0]["channels"][0]["number"], 2);
    assert_eq!(invites[0]["channels"][0]["functions"], json!(["live_view", "playback"]));
    assert!(!invites.to_string().contains("Dee\""), "the remark is for the owner only");
    api.ok(Method::POST, &format!("/api/invites/{share}/accept"), token, None).await;
    let shared = api.ok(Method::GET, "/api/shared-devices", token, None).await;
    assert_eq!(shared[0]["device_name"], "Garage");
}
on_both_engines!(invite_to_an_address_without_account_waits_for_its_sign_up, super::invite_waits_for_sign_up);

async fn invites_expire_after_seven_days_and_resend_renews(engine: Engine) {
    let api = Api::start(engine).await;
    let mut owner = api.sign_up("Olga", "olga@example.com").await;
    let mut bob = api.sign_up("Bob", "bob@example.com").await;
    let nvr = api.add_nvr(&owner, "Garage", 1).await;
    let share = api.share(&owner, "bob@example.com", nvr, json!({"1": ["live_view"]}), None).await;
    api.advance(SignedDuration::from_hours(24 * 7 + 1), &mut [&mut owner, &mut bob]).await;
    assert_eq!(api.ok(Method::GET, "/api/invites", &bob.token, None).await, json!([]));
    let (status, v) = api.call(Method::POST, &format!("/api/invites/{share}/accept"), Some(&bob.token), None).await;
    assert_eq!((status, v["kind"].as_str()), (410, Some("invite_expired")));
    let outgoing = api.ok(Method::GET, &format!("/api/shares/{share}"), &owner.token, None).await;
    assert_eq!(outgoing["status"], "invite_expired");
    let resent = api.ok(Method::POST, &format!("/api/shares/{share}/resend"), &owner.token, None).await;
    assert_eq!(resent["status"], "pending");
    // Issue 10, item 4: not again within the hour (each sending notifies the recipient).
    let (status, v) = api.call(Method::POST, &format!("/api/shares/{share}/resend"), Some(&owner.token), None).await;
    assert_eq!((status, v["kind"].as_str()), (429, Some("rate_limited")), "{v}");
    let activity = api.ok(Method::GET, "/api/activity", &owner.token, None).await;
    let resent = activity.as_array().unwrap().iter().filter(|e| e["kind"] == "resent").count();
    assert_eq!(resent, 1, "one sending logged: {activity}");
    api.accept(&bob, share).await;
    // Answered invites cannot be answered again.
    let (status, v) = api.call(Method::POST, &format!("/api/invites/{share}/reject"), Some(&bob.token), None).await;
    assert_eq!((status, v["kind"].as_str()), (409, Some("conflict")));
}
on_both_engines!(
    invites_expire_after_seven_days_and_resend_renews_them,
    super::invites_expire_after_seven_days_and_resend_renews
);

async fn access_follows_terms(engine: Engine) {
    let api = Api::start(engine).await;
    let mut owner = api.sign_up("Olga", "olga@example.com").await;
    let mut bob = api.sign_up("Bob", "bob@example.com").await;
    let nvr = api.add_nvr(&owner, "Garage", 4).await;
    // Start: Monday 2026-06-01 10:00 UTC = 12:00 in Berlin.
    let body = json!({"recipient": "bob@example.com", "devices": [{"device": nvr, "channels": {"1": ["live_view", "playback"], "3": ["live_view"]}}],
        "terms": {"expires_at": "2026-06-10T00:00:00Z",
                  "schedule": {"time_zone": "Europe/Berlin", "windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}]},
                  "lookback": {"kind": "last_hours", "hours": 48}}});
    let created = api.ok(Method::POST, "/api/shares", &owner.token, Some(body)).await;
    let share = created["shares"][0]["id"].as_i64().unwrap();
    let check =
        |channel: u16, function: &str| format!("/api/access?device={nvr}&channel={channel}&function={function}");
    // Pending: nothing yet, but Bob is not told whether the device exists until he accepts.
    let (status, _) = api.call(Method::GET, &check(1, "live_view"), Some(&bob.token), None).await;
    assert_eq!(status, 404);
    api.accept(&bob, share).await;
    let allowed = |v: &Value| v["allowed"].as_bool().unwrap();
    assert!(allowed(&api.ok(Method::GET, &check(1, "live_view"), &bob.token, None).await));
    assert!(allowed(&api.ok(Method::GET, &check(3, "live_view"), &bob.token, None).await));
    assert!(!allowed(&api.ok(Method::GET, &check(2, "live_view"), &bob.token, None).await));
    assert!(!allowed(&api.ok(Method::GET, &check(3, "playback"), &bob.token, None).await));
    let playback = api.ok(Method::GET, &check(1, "playback"), &bob.token, None).await;
    assert_eq!(playback["playback_since"], "2026-05-30T10:00:00Z");
    // 20:00 in Berlin: outside the window.
    api.advance(SignedDuration::from_hours(8), &mut [&mut bob]).await;
    assert!(!allowed(&api.ok(Method::GET, &check(1, "live_view"), &bob.token, None).await));
    // Next morning, inside again; the owner adds playback on channel 3, effective at once.
    api.advance(SignedDuration::from_hours(14), &mut [&mut owner, &mut bob]).await;
    assert!(allowed(&api.ok(Method::GET, &check(1, "live_view"), &bob.token, None).await));
    api.ok(
        Method::PATCH,
        &format!("/api/shares/{share}"),
        &owner.token,
        Some(json!({"channels": {"1": ["live_view", "playback"], "3": ["live_view", "playback"]}})),
    )
    .await;
    assert!(allowed(&api.ok(Method::GET, &check(3, "playback"), &bob.token, None).await));
    // After the expiry, nothing.
    api.app.clock.set("2026-06-10T07:59:00Z".parse().unwrap());
    api.advance(SignedDuration::from_mins(1), &mut [&mut owner, &mut bob]).await;
    assert!(!allowed(&api.ok(Method::GET, &check(1, "live_view"), &bob.token, None).await));
    // The owner always may.
    let own = api.ok(Method::GET, &check(4, "ptz"), &owner.token, None).await;
    assert_eq!((own["allowed"].as_bool(), own["as_owner"].as_bool()), (Some(true), Some(true)));
}
on_both_engines!(access_follows_channels_functions_schedule_expiry_and_lookback, super::access_follows_terms);

async fn history_keeps_deleted_recipients(engine: Engine) {
    let api = Api::start(engine).await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    let nvr = api.add_nvr(&owner, "Garage", 2).await;
    api.share(&owner, "bob@example.com", nvr, json!({"1": ["live_view"]}), Some("Bob Builder")).await;
    api.share(&owner, "+86 189 1234 5678", nvr, json!({"1": ["live_view"]}), None).await;
    api.share(&owner, "bea@example.com", nvr, json!({"2": ["live_view"]}), Some("100%_real")).await;
    let recipients = api.ok(Method::GET, "/api/recipients", &owner.token, None).await;
    let bob = recipients.as_array().unwrap().iter().find(|r| r["address"] == "bob@example.com").unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(api.call(Method::DELETE, &format!("/api/recipients/{bob}"), Some(&owner.token), None).await.0, 204);
    let recipients = api.ok(Method::GET, "/api/recipients", &owner.token, None).await;
    assert_eq!(recipients.as_array().unwrap().len(), 2, "the deleted recipient is no longer listed");

    let search = |q: &str| {
        format!(
            "/api/recipient-history?q={}",
            q.replace('+', "%2B")
                .replace(' ', "%20")
                .replace('%', "%25")
                .replace("%252B", "%2B")
                .replace("%2520", "%20")
        )
    };
    let h = api.ok(Method::GET, &search("b"), &owner.token, None).await;
    let addresses: Vec<&str> = h.as_array().unwrap().iter().map(|e| e["address"].as_str().unwrap()).collect();
    assert_eq!(addresses, vec!["bea@example.com", "bob@example.com"], "newest first, deleted ones included");
    assert_eq!(h[1]["deleted"], true);
    assert_eq!(h[1]["remark"], "Bob Builder");
    let h = api.ok(Method::GET, &search("+86 18"), &owner.token, None).await;
    assert_eq!(h[0]["address"], "+8618912345678");
    let h = api.ok(Method::GET, &search("bob b"), &owner.token, None).await;
    assert_eq!(h[0]["address"], "bob@example.com", "remarks match too");
    let h = api.ok(Method::GET, &search("100%_"), &owner.token, None).await;
    assert_eq!(h.as_array().unwrap().len(), 1, "% and _ match literally");
    let h = api.ok(Method::GET, &search("1%"), &owner.token, None).await;
    assert_eq!(h.as_array().unwrap().len(), 0, "% is not a wildcard");
    // Sharing again brings the deleted recipient back with its remark.
    api.share(&owner, "bob@example.com", nvr, json!({"1": ["live_view"]}), None).await;
    let recipients = api.ok(Method::GET, "/api/recipients", &owner.token, None).await;
    let back = recipients.as_array().unwrap().iter().find(|r| r["address"] == "bob@example.com").unwrap();
    assert_eq!(back["remark"], "Bob Builder");
}
on_both_engines!(
    recipient_history_keeps_deleted_recipients_and_searches_by_prefix,
    super::history_keeps_deleted_recipients
);

/// Issue 10, item 7: an owner's cancel racing the recipient's accept. On Postgres both
/// transactions used to read "pending" and both wrote, so the accept could overwrite the cancel
/// (and both parties were told they won). Now exactly one of them wins each race, the other is
/// told `conflict`, and the share's status, the events and the activity log agree.
async fn cancel_and_accept_race_has_one_winner(engine: Engine) {
    let api = std::sync::Arc::new(Api::start(engine).await);
    let owner = api.sign_up("Olga", "olga@example.com").await;
    let bob = api.sign_up("Bob", "bob@example.com").await;
    for round in 0..12 {
        let device = api.add_nvr(&owner, &format!("NVR {round}"), 1).await;
        let share = api.share(&owner, &bob.email, device, json!({"1": ["live_view"]}), None).await;
        let (a, o) = (api.clone(), api.clone());
        let (bob_token, owner_token) = (bob.token.clone(), owner.token.clone());
        let accept = tokio::spawn(async move {
            a.call(Method::POST, &format!("/api/invites/{share}/accept"), Some(&bob_token), None).await
        });
        let cancel = tokio::spawn(async move {
            o.call(Method::POST, &format!("/api/shares/{share}/cancel"), Some(&owner_token), None).await
        });
        let (accepted, cancelled) = (accept.await.unwrap(), cancel.await.unwrap());
        let won = |(status, _): &(u16, Value)| (200..300).contains(status);
        assert!(won(&accepted) != won(&cancelled), "round {round}: accept {accepted:?}, cancel {cancelled:?}");
        let loser = if won(&accepted) { &cancelled } else { &accepted };
        assert_eq!(loser.0, 409, "round {round}: {loser:?}");
        let stored = api.ok(Method::GET, &format!("/api/shares/{share}"), &owner.token, None).await;
        let want = if won(&accepted) { "accepted" } else { "cancelled" };
        assert_eq!(stored["status"], want, "round {round}: {stored}");
        let activity = api.ok(Method::GET, "/api/activity", &owner.token, None).await;
        let kinds: Vec<&str> = activity
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["share"] == share)
            .filter_map(|e| e["kind"].as_str())
            .filter(|k| *k == "accepted" || *k == "cancelled")
            .collect();
        assert_eq!(kinds, vec![want], "round {round}: the log says {kinds:?}");
    }
}
on_both_engines!(cancel_and_accept_race_has_one_winner, super::cancel_and_accept_race_has_one_winner);

/// Issue 10, item 4: one account holds at most 32 unused stream tickets at once; more are
/// refused (and stored nowhere) until some are used or expire.
async fn stream_tickets_per_account_are_capped(engine: Engine) {
    let api = Api::start(engine).await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    let nvr = api.add_nvr(&owner, "Garage", 4).await;
    let ask = json!({"device": nvr, "channel": 1, "stream": "sub"});
    for i in 0..32 {
        let (status, v) = api.call(Method::POST, "/api/stream-tickets", Some(&owner.token), Some(ask.clone())).await;
        assert_eq!(status, 201, "ticket {i}: {v}");
    }
    let (status, v) = api.call(Method::POST, "/api/stream-tickets", Some(&owner.token), Some(ask.clone())).await;
    assert_eq!((status, v["kind"].as_str()), (429, Some("rate_limited")), "{v}");
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM stream_tickets").fetch_one(&api.db().pool).await.unwrap();
    assert_eq!(stored, 32);
    // Once they expired (30 s), tickets come again.
    api.app.clock.advance(SignedDuration::from_secs(31));
    let (status, v) = api.call(Method::POST, "/api/stream-tickets", Some(&owner.token), Some(ask)).await;
    assert_eq!(status, 201, "{v}");
}
on_both_engines!(stream_tickets_per_account_are_capped, super::stream_tickets_per_account_are_capped);

/// Issue 10: "Revoke everything". Strangers and recipients pressing it end nothing of the owner's;
/// the owner's one call revokes the accepted share, cancels the open invite, forgets unused
/// tickets (one issued before does not open after), tells both recipients, and the activity log
/// lists it all. A second press finds nothing left.
async fn revoke_everything_ends_all_of_the_owners_sharing(engine: Engine) {
    let api = Api::start(engine).await;
    let owner = api.sign_up("Olga", "olga@example.com").await;
    let bob = api.sign_up("Bob", "bob@example.com").await;
    let carol = api.sign_up("Carol", "carol@example.com").await;
    let mallory = api.sign_up("Mallory", "mallory@example.com").await;
    let nvr = api.add_nvr(&owner, "Garage", 4).await;
    let bobs = api.share(&owner, &bob.email, nvr, json!({"1": ["live_view"]}), None).await;
    api.accept(&bob, bobs).await;
    let carols = api.share(&owner, &carol.email, nvr, json!({"2": ["live_view"]}), None).await;
    let ask = json!({"device": nvr, "channel": 1, "stream": "sub"});
    let (status, _) = api.call(Method::POST, "/api/stream-tickets", Some(&bob.token), Some(ask.clone())).await;
    assert_eq!(status, 201);

    // Mallory (a stranger) and Bob (a recipient) press it: nothing of Olga's ends.
    for who in [&mallory, &bob] {
        let done = api.ok(Method::POST, "/api/shares/revoke-everything", &who.token, None).await;
        assert_eq!(done["ended"], json!([]), "{done}");
    }
    assert_eq!(api.ok(Method::GET, "/api/shares", &owner.token, None).await.as_array().unwrap().len(), 2);
    let (status, _) = api.call(Method::POST, "/api/shares/revoke-everything", None, None).await;
    assert_eq!(status, 401);

    let done = api.ok(Method::POST, "/api/shares/revoke-everything", &owner.token, None).await;
    let ended: Vec<(i64, &str)> = done["ended"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["share"].as_i64().unwrap(), e["was"].as_str().unwrap()))
        .collect();
    assert_eq!(ended, [(bobs, "accepted"), (carols, "pending")], "{done}");
    assert_eq!(done["streams_ended"], 0);
    assert_eq!(api.ok(Method::GET, "/api/shares", &owner.token, None).await, json!([]));
    assert_eq!(api.ok(Method::GET, "/api/shared-devices", &bob.token, None).await, json!([]));
    assert_eq!(api.ok(Method::GET, "/api/invites", &carol.token, None).await, json!([]));
    let (status, _) = api.call(Method::POST, "/api/stream-tickets", Some(&bob.token), Some(ask)).await;
    assert_eq!(status, 404, "Bob still gets tickets");
    let unused: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stream_tickets WHERE used_ms IS NULL")
        .fetch_one(&api.db().pool)
        .await
        .unwrap();
    assert_eq!(unused, 0, "a ticket issued before the revoke is still stored");

    let log = api.ok(Method::GET, "/api/activity", &owner.token, None).await;
    let kinds: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in ["everything_revoked", "revoked", "cancelled"] {
        assert!(kinds.contains(&kind), "no `{kind}` line: {log}");
    }
    let summary = log.as_array().unwrap().iter().find(|e| e["kind"] == "everything_revoked").unwrap();
    assert_eq!(summary["detail"], "ended 2 shares", "{summary}");

    let again = api.ok(Method::POST, "/api/shares/revoke-everything", &owner.token, None).await;
    assert_eq!(again["ended"], json!([]));
}
on_both_engines!(
    revoke_everything_ends_all_of_the_owners_sharing,
    super::revoke_everything_ends_all_of_the_owners_sharing
);
