//! A recipient blocks an owner (attack: an owner who will not stop sharing, each share a
//! notification): the owner's invites are rejected and devices removed at once, later shares
//! reach the account with no invite, no event and no way to answer them, the owner is not told
//! of the block, only an owner who shared with the account can be blocked, and unblocking lets
//! what is still open through, announced.

use camshare_testkit::Engine;
use jiff::SignedDuration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Api, Person};
use camshare_testkit::on_both_engines;

/// The event payloads an account got, oldest first.
async fn events_of(api: &Api, who: &Person) -> Vec<String> {
    sqlx::query_scalar("SELECT payload FROM events WHERE account_id = $1 ORDER BY id")
        .bind(who.id)
        .fetch_all(&api.db().pool)
        .await
        .unwrap()
}

fn statuses(shares: &Value) -> Vec<(i64, String)> {
    let list = shares.as_array().unwrap().iter();
    list.map(|s| (s["id"].as_i64().unwrap(), s["status"].as_str().unwrap().to_string())).collect()
}

async fn a_blocked_owner_reaches_nothing(engine: Engine) {
    let api = Api::start(engine).await;
    let mut olga = api.sign_up("Olga", "olga@example.com").await;
    let mut bob = api.sign_up("Bob", "bob@example.com").await;
    let eve = api.sign_up("Eve", "eve@example.com").await;
    let garage = api.add_nvr(&olga, "Garage", 4).await;
    let porch = api.add_nvr(&olga, "Porch", 2).await;
    let shed = api.add_nvr(&olga, "Shed", 1).await;
    let accepted = api.share(&olga, &bob.email, garage, json!({"1": ["live_view"]}), None).await;
    api.accept(&bob, accepted).await;
    let pending = api.share(&olga, &bob.email, porch, json!({"1": ["live_view"]}), None).await;
    let ticket = json!({"device": garage, "channel": 1, "stream": "sub"});
    let (status, _) = api.call(Method::POST, "/api/stream-tickets", Some(&bob.token), Some(ticket.clone())).await;
    assert_eq!(status, 201);

    // Eve never got anything from Olga: she cannot block her, and the refusal reads exactly as
    // for an account that does not exist. Nobody blocks themselves.
    let block = |owner: i64| Some(json!({"owner": owner}));
    let (s1, real) = api.call(Method::POST, "/api/blocked-owners", Some(&eve.token), block(olga.id)).await;
    let (s2, ghost) = api.call(Method::POST, "/api/blocked-owners", Some(&eve.token), block(987_654)).await;
    assert_eq!((s1, &real), (s2, &ghost), "a stranger's block must read as for a made-up account");
    assert_eq!((s1, real["kind"].as_str()), (404, Some("not_found")));
    let (status, _) = api.call(Method::POST, "/api/blocked-owners", Some(&olga.token), block(olga.id)).await;
    assert_eq!(status, 404);
    let (status, _) =
        api.call(Method::POST, "/api/blocked-owners", Some(&bob.token), Some(json!({"owner": "x"}))).await;
    assert_eq!(status, 400, "a malformed owner id is bad input");
    assert_eq!(api.ok(Method::GET, "/api/blocked-owners", &eve.token, None).await, json!([]));

    // Bob blocks Olga: her invite is rejected, her device leaves his list, his ticket is gone.
    let blocked = api.ok(Method::POST, "/api/blocked-owners", &bob.token, block(olga.id)).await;
    assert_eq!(blocked["owner"], json!({"id": olga.id, "display_name": "Olga"}));
    let again = api.ok(Method::POST, "/api/blocked-owners", &bob.token, block(olga.id)).await;
    assert_eq!(again, blocked, "blocking again answers the same");
    assert_eq!(api.ok(Method::GET, "/api/invites", &bob.token, None).await, json!([]));
    assert_eq!(api.ok(Method::GET, "/api/shared-devices", &bob.token, None).await, json!([]));
    let (status, _) = api.call(Method::POST, "/api/stream-tickets", Some(&bob.token), Some(ticket)).await;
    assert_eq!(status, 404, "a blocked owner's device still gives tickets");
    let all = api.ok(Method::GET, "/api/shares?all=true", &olga.token, None).await;
    assert_eq!(statuses(&all), [(accepted, "removed".into()), (pending, "rejected".into())]);
    // Olga hears a removal and a rejection, never of a block.
    let activity = api.ok(Method::GET, "/api/activity", &olga.token, None).await.to_string();
    assert!(!activity.to_lowercase().contains("block"), "the owner's log tells of the block: {activity}");
    assert!(events_of(&api, &olga).await.iter().all(|e| !e.contains("block")));

    // Olga shares again: to her it reads as any invite; Bob hears nothing and cannot answer it.
    let heard = events_of(&api, &bob).await.len();
    let unseen = api.share(&olga, &bob.email, shed, json!({"1": ["live_view"]}), None).await;
    let hers = api.ok(Method::GET, &format!("/api/shares/{unseen}"), &olga.token, None).await;
    assert_eq!(hers["status"], "pending");
    assert_eq!(api.ok(Method::GET, "/api/invites", &bob.token, None).await, json!([]));
    for answer in ["accept", "reject"] {
        let (status, v) =
            api.call(Method::POST, &format!("/api/invites/{unseen}/{answer}"), Some(&bob.token), None).await;
        assert_eq!((status, v["kind"].as_str()), (404, Some("not_found")), "{answer}: {v}");
    }
    api.advance(SignedDuration::from_mins(61), &mut [&mut olga, &mut bob]).await;
    api.ok(Method::POST, &format!("/api/shares/{unseen}/resend"), &olga.token, None).await;
    let edit = json!({"channels": {"1": ["live_view", "playback"]}});
    api.ok(Method::PATCH, &format!("/api/shares/{unseen}"), &olga.token, Some(edit)).await;
    assert_eq!(events_of(&api, &bob).await.len(), heard, "a blocked owner's share, resend or edit reached Bob");
    let listed = api.ok(Method::GET, "/api/blocked-owners", &bob.token, None).await;
    assert_eq!(listed, json!([blocked]));

    // Olga cannot lift Bob's block (she has none of her own); Bob can.
    let (status, _) =
        api.call(Method::DELETE, &format!("/api/blocked-owners/{}", olga.id), Some(&olga.token), None).await;
    assert_eq!(status, 404);
    let path = format!("/api/blocked-owners/{}", olga.id);
    let (status, _) = api.call(Method::DELETE, &path, Some(&bob.token), None).await;
    assert_eq!(status, 204);
    let (status, _) = api.call(Method::DELETE, &path, Some(&bob.token), None).await;
    assert_eq!(status, 404, "unblocking twice");
    // The invite still open reaches him now, announced as new; he can accept it.
    let invites = api.ok(Method::GET, "/api/invites", &bob.token, None).await;
    assert_eq!(invites.as_array().unwrap().iter().map(|i| i["share"].as_i64().unwrap()).collect::<Vec<_>>(), [unseen]);
    let news = events_of(&api, &bob).await;
    assert_eq!(news.len(), heard + 1);
    assert!(news[heard].contains("invite_received") && news[heard].contains(&format!("\"share\":{unseen}")));
    api.accept(&bob, unseen).await;
}
on_both_engines!(a_blocked_owner_reaches_nothing, super::a_blocked_owner_reaches_nothing);

/// A blocked owner who deletes their account leaves no block behind in the blocker's list.
async fn deleting_a_blocked_owner_removes_the_block(engine: Engine) {
    let api = Api::start(engine).await;
    let olga = api.sign_up("Olga", "olga@example.com").await;
    let bob = api.sign_up("Bob", "bob@example.com").await;
    let garage = api.add_nvr(&olga, "Garage", 1).await;
    api.share(&olga, &bob.email, garage, json!({"1": ["live_view"]}), None).await;
    api.ok(Method::POST, "/api/blocked-owners", &bob.token, Some(json!({"owner": olga.id}))).await;
    let body = json!({"password": "password123"});
    let (status, v) = api.call(Method::DELETE, "/api/me", Some(&olga.token), Some(body)).await;
    assert_eq!(status, 204, "{v}");
    assert_eq!(api.ok(Method::GET, "/api/blocked-owners", &bob.token, None).await, json!([]));
}
on_both_engines!(deleting_a_blocked_owner_removes_the_block, super::deleting_a_blocked_owner_removes_the_block);
