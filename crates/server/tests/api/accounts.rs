//! Accounts and sessions: sign-up validation, sign-in by email or phone, token rotation,
//! sign-out, expiry, the failed sign-in limit, and account codes.

use camshare_testkit::Engine;
use jiff::SignedDuration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::Api;
use camshare_testkit::on_both_engines;

async fn sessions_rotate_expire_and_end(engine: Engine) {
    let api = Api::start(engine).await;
    let ann = api.sign_up("Ann", "ann@example.com").await;

    // One address per sign-up; sign in by phone after signing up with one.
    let both = json!({"email": "cai@example.com", "phone": "+86 189 1234 5678", "display_name": "Cai", "password": "password123"});
    let (status, v) = api.call(Method::POST, "/api/accounts", None, Some(both)).await;
    assert_eq!((status, v["field"].as_str()), (400, Some("phone")), "{v}");
    let body = json!({"phone": "+86 189 1234 5678", "display_name": "Cai", "password": "password123"});
    api.sign_up_with(body, "+8618912345678").await;
    let (status, v) = api
        .call(
            Method::POST,
            "/api/sessions",
            None,
            Some(json!({"login": "+86 189-1234 5678", "password": "password123"})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["account"]["phone"], "+8618912345678");
    let (status, v) = api
        .call(Method::POST, "/api/sessions", None, Some(json!({"login": "ANN@example.com", "password": "password123"})))
        .await;
    assert_eq!(status, 200, "email sign-in is case-insensitive: {v}");

    // Same email twice.
    let (status, v) = api
        .call(
            Method::POST,
            "/api/accounts",
            None,
            Some(json!({"email": "ANN@example.com", "display_name": "Ann 2", "password": "password123"})),
        )
        .await;
    assert_eq!((status, v["kind"].as_str()), (409, Some("conflict")));

    // Refresh rotates: the old refresh token and old access token stop working.
    let (status, fresh) =
        api.call(Method::POST, "/api/sessions/refresh", None, Some(json!({"refresh_token": ann.refresh}))).await;
    assert_eq!(status, 200, "{fresh}");
    let (status, _) =
        api.call(Method::POST, "/api/sessions/refresh", None, Some(json!({"refresh_token": ann.refresh}))).await;
    assert_eq!(status, 401, "a used refresh token must not work twice");
    let (status, _) = api.call(Method::GET, "/api/me", Some(&ann.token), None).await;
    assert_eq!(status, 401, "the old access token must stop working after rotation");
    // That second use ended the session (a replay; see `a_refresh_token_replay_ends_the_session`).
    let (status, _) = api.call(Method::GET, "/api/me", Some(fresh["access_token"].as_str().unwrap()), None).await;
    assert_eq!(status, 401);
    let (status, fresh) = api
        .call(Method::POST, "/api/sessions", None, Some(json!({"login": "ann@example.com", "password": "password123"})))
        .await;
    assert_eq!(status, 200, "{fresh}");
    let fresh = fresh["tokens"].clone();
    let access = fresh["access_token"].as_str().unwrap().to_string();
    api.ok(Method::GET, "/api/me", &access, None).await;

    // Access tokens expire after 15 minutes.
    api.app.clock.advance(SignedDuration::from_mins(16));
    let (status, v) = api.call(Method::GET, "/api/me", Some(&access), None).await;
    assert_eq!((status, v["kind"].as_str()), (401, Some("unauthorized")));
    let (status, fresh) = api
        .call(Method::POST, "/api/sessions/refresh", None, Some(json!({"refresh_token": fresh["refresh_token"]})))
        .await;
    assert_eq!(status, 200);
    let access = fresh["access_token"].as_str().unwrap().to_string();

    // Sign out ends this session; sign out everywhere ends the others.
    let (_, second) = api
        .call(Method::POST, "/api/sessions", None, Some(json!({"login": "ann@example.com", "password": "password123"})))
        .await;
    let second = second["tokens"]["access_token"].as_str().unwrap().to_string();
    let (status, _) = api.call(Method::DELETE, "/api/sessions/current", Some(&access), None).await;
    assert_eq!(status, 204);
    assert_eq!(api.call(Method::GET, "/api/me", Some(&access), None).await.0, 401);
    api.ok(Method::GET, "/api/me", &second, None).await;
    let (_, third) = api
        .call(Method::POST, "/api/sessions", None, Some(json!({"login": "ann@example.com", "password": "password123"})))
        .await;
    let third = third["tokens"]["access_token"].as_str().unwrap().to_string();
    assert_eq!(api.call(Method::DELETE, "/api/sessions", Some(&third), None).await.0, 204);
    assert_eq!(api.call(Method::GET, "/api/me", Some(&second), None).await.0, 401);
    assert_eq!(api.call(Method::GET, "/api/me", Some(&third), None).await.0, 401);

    // Tokens are stored only as hashes.
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT access_hash FROM sessions").fetch_all(&api.db().pool).await.unwrap();
    assert!(stored.iter().all(|h| h.len() == 64 && *h != second && *h != third));
}
on_both_engines!(sessions_rotate_expire_and_sign_out, super::sessions_rotate_expire_and_end);

async fn sign_up_refuses_bad_fields(engine: Engine) {
    let api = Api::start(engine).await;
    let cases = [
        (json!({"email": "nope", "display_name": "A", "password": "password123"}), "invalid_email", "email"),
        (json!({"phone": "13800138000", "display_name": "A", "password": "password123"}), "invalid_phone", "phone"),
        (json!({"display_name": "A", "password": "password123"}), "invalid_input", "email"),
        (
            json!({"email": "a@example.com", "display_name": "", "password": "password123"}),
            "invalid_input",
            "display_name",
        ),
        (json!({"email": "a@example.com", "display_name": "A", "password": "short"}), "invalid_input", "password"),
        (
            json!({"email": "a@example.com", "display_name": "A", "password": "password123", "time_zone": "Nowhere/City"}),
            "invalid_input",
            "time_zone",
        ),
    ];
    for (body, kind, field) in cases {
        let (status, v) = api.call(Method::POST, "/api/accounts", None, Some(body.clone())).await;
        assert_eq!((status, v["kind"].as_str(), v["field"].as_str()), (400, Some(kind), Some(field)), "{body}: {v}");
    }
    assert!(api.snapshot().await.iter().all(|row| !row.contains("FROM accounts")), "no account was created");
}
on_both_engines!(sign_up_refuses_bad_fields_and_creates_nothing, super::sign_up_refuses_bad_fields);

async fn failed_sign_ins_are_slowed_then_refused(engine: Engine) {
    let api = Api::start(engine).await;
    api.sign_up("Ann", "ann@example.com").await;
    let wrong = json!({"login": "ann@example.com", "password": "wrong-password"});
    for attempt in 1..=10 {
        let started = std::time::Instant::now();
        let (status, v) = api.call(Method::POST, "/api/sessions", None, Some(wrong.clone())).await;
        assert_eq!((status, v["kind"].as_str()), (401, Some("invalid_credentials")), "attempt {attempt}");
        if attempt >= 3 {
            assert!(started.elapsed() >= std::time::Duration::from_millis(100), "attempt {attempt} was not slowed");
        }
    }
    // Refused now from this address, even with the right password, with a clear kind.
    let right = json!({"login": "ann@example.com", "password": "password123"});
    let (status, v) = api.call(Method::POST, "/api/sessions", None, Some(right.clone())).await;
    assert_eq!((status, v["kind"].as_str()), (429, Some("rate_limited")), "{v}");
    // An unknown login answers exactly like a wrong password.
    let (status, v) = api
        .call(Method::POST, "/api/sessions", None, Some(json!({"login": "nobody@example.com", "password": "x"})))
        .await;
    assert_eq!((status, v["kind"].as_str()), (401, Some("invalid_credentials")));
    // After the window passes, the right password works again.
    api.app.clock.advance(SignedDuration::from_mins(16));
    let (status, v) = api.call(Method::POST, "/api/sessions", None, Some(right)).await;
    assert_eq!(status, 200, "{v}");
}
on_both_engines!(
    failed_sign_ins_are_slowed_then_refused_with_rate_limited,
    super::failed_sign_ins_are_slowed_then_refused
);

/// The attack of issue 10 (item 3): 200 wrong passwords at once from one address. The limit
/// (10 per login and address per window) holds: at most 10 are checked, the rest are refused
/// without a password check (or, past 64 connections from the address, not even served), and no more than `hashing::AT_ONCE` hashes ever ran at once. The
/// real owner, from their own address, still signs in with the right password; and an address
/// spraying many logins is refused after 50 tries in all.
async fn concurrent_wrong_passwords_are_held_to_the_limit(engine: Engine) {
    let api = std::sync::Arc::new(Api::start(engine).await);
    api.sign_up("Ann", "ann@example.com").await;
    let wrong = json!({"login": "ann@example.com", "password": "wrong-password"});
    let http = reqwest::Client::new();
    let url = format!("{}/api/sessions", api.app.base_url);
    let tries = (0..200).map(|_| {
        let (http, url, wrong) = (http.clone(), url.clone(), wrong.clone());
        tokio::spawn(async move {
            match http.post(url).json(&wrong).send().await {
                Ok(answer) => answer.json::<Value>().await.unwrap()["kind"].as_str().unwrap_or("").to_string(),
                // Past 64 connections from one address the server closes new ones at once.
                Err(_) => "connection closed".to_string(),
            }
        })
    });
    let kinds: Vec<String> = futures::future::join_all(tries).await.into_iter().map(Result::unwrap).collect();
    let checked = kinds.iter().filter(|k| *k == "invalid_credentials").count();
    let refused = kinds.iter().filter(|k| *k == "rate_limited" || *k == "connection closed").count();
    assert_eq!((checked, refused), (10, 190), "{kinds:?}");
    assert!(
        camshare_server::hashing::peak() <= camshare_server::hashing::AT_ONCE,
        "{} hashes at once",
        camshare_server::hashing::peak()
    );

    // The real owner, from another address (127.0.0.2 on the loopback), is not locked out.
    let owner = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build().unwrap();
    let right = json!({"login": "ann@example.com", "password": "password123"});
    let answer = owner.post(format!("{}/api/sessions", api.app.base_url)).json(&right).send().await.unwrap();
    assert_eq!(answer.status(), 200, "the flood locked the owner out: {}", answer.text().await.unwrap());

    // Password spraying from another address (127.0.0.3): other logins, 4 tries each (under the
    // per-login limit); after 50 tries from the address in all, it is refused for every login.
    let sprayer = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 3])).build().unwrap();
    let mut statuses = Vec::new();
    for i in 0..14 {
        for _ in 0..4 {
            let body = json!({"login": format!("user{i}@example.com"), "password": "guess-1234"});
            let answer = sprayer.post(format!("{}/api/sessions", api.app.base_url)).json(&body).send().await.unwrap();
            statuses.push(answer.status().as_u16());
        }
    }
    // (Sign-ins that succeed do not count: 60 good ones from the owner's address go through.)
    for _ in 0..60 {
        let answer = owner.post(format!("{}/api/sessions", api.app.base_url)).json(&right).send().await.unwrap();
        assert_eq!(answer.status(), 200);
    }
    let first_refused = statuses.iter().position(|s| *s == 429).expect("the spraying address was never refused");
    assert_eq!(first_refused, 50, "refused after {first_refused} sprayed tries: {statuses:?}");
    assert!(statuses[50..].iter().all(|s| *s == 429), "{statuses:?}");
}
on_both_engines!(
    concurrent_wrong_passwords_are_held_to_the_limit,
    super::concurrent_wrong_passwords_are_held_to_the_limit
);

async fn account_codes_verify_and_forgeries_fail(engine: Engine) {
    let api = Api::start(engine).await;
    let ann = api.sign_up("Ann", "ann@example.com").await;
    let bob = api.sign_up("Bob", "bob@example.com").await;
    let me = api.ok(Method::GET, "/api/me", &bob.token, None).await;
    let code = me["account_code"].as_str().unwrap().to_string();
    assert!(code.starts_with("CS-") && code.len() == 3 + 24 + 5, "{code}");
    let v =
        api.ok(Method::POST, "/api/account-codes/verify", &ann.token, Some(json!({"code": code.to_lowercase()}))).await;
    assert_eq!(v["display_name"], "Bob");
    // One character changed: the signature fails.
    let mut forged: Vec<char> = code.chars().collect();
    let i = forged.len() - 1;
    forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let (status, v) =
        api.call(Method::POST, "/api/account-codes/verify", Some(&ann.token), Some(json!({"code": forged}))).await;
    assert_eq!((status, v["kind"].as_str()), (400, Some("invalid_account_code")));
    // Sharing by code reaches Bob.
    let nvr = api.add_nvr(&ann, "Garage", 2).await;
    let share = api.share(&ann, &code, nvr, json!({"2": ["live_view"]}), Some("Bob by QR")).await;
    let invites = api.ok(Method::GET, "/api/invites", &bob.token, None).await;
    assert_eq!(invites[0]["share"], share);
}
on_both_engines!(account_codes_verify_and_forgeries_fail, super::account_codes_verify_and_forgeries_fail);

async fn signed_out_session_hears_no_more_events(engine: Engine) {
    use futures::StreamExt;
    let api = Api::start(engine).await;
    let olga = api.sign_up("Olga", "olga@example.com").await;
    let bob = api.sign_up("Bob", "bob@example.com").await;
    let nvr = api.add_nvr(&olga, "Garage", 2).await;
    let resp = reqwest::Client::new()
        .get(format!("{}/api/events", api.app.base_url))
        .bearer_auth(&bob.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut body = resp.bytes_stream();
    // While signed in, an invite arrives.
    api.share(&olga, "bob@example.com", nvr, json!({"1": ["live_view"]}), None).await;
    let mut text = String::new();
    while !text.contains("event: invite_received") {
        let chunk =
            tokio::time::timeout(std::time::Duration::from_secs(5), body.next()).await.unwrap().unwrap().unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.starts_with("id: 0\n: connected\n\n"), "the stream opens with its start position: {text}");
    // Sign out everywhere; the next invite is not delivered and the stream ends.
    assert_eq!(api.call(Method::DELETE, "/api/sessions", Some(&bob.token), None).await.0, 204);
    api.share(&olga, "bob@example.com", api.add_nvr(&olga, "Porch", 1).await, json!({"1": ["live_view"]}), None).await;
    let mut rest = String::new();
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(bytes) => rest.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => break,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream must end after sign-out");
    assert!(!rest.contains("invite_received"), "a signed-out session received: {rest}");
}
on_both_engines!(signed_out_session_hears_no_more_events, super::signed_out_session_hears_no_more_events);

/// Issue 10, item 7: the SQLite file and its write-ahead log held hashed tokens and encrypted
/// camera logins readable by every local user. They are the server user's alone now.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_files_are_readable_by_the_server_user_only() {
    use std::os::unix::fs::PermissionsExt;
    let api = Api::start(Engine::Sqlite).await;
    api.sign_up("Ann", "ann@example.com").await;
    for name in ["camshare.db", "camshare.db-wal", "camshare.db-shm"] {
        let path = api.app.data_dir.join(name);
        let mode = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{name}: {e}")).permissions().mode();
        assert_eq!(mode & 0o077, 0, "{name} has mode {:o}", mode & 0o777);
    }
}

/// Issue 10, attack 5: a stolen refresh token. Whoever presents a refresh token the session
/// already rotated away from shows that two parties hold the session: the whole session ends,
/// for the thief and for the owner, whichever of them refreshed first.
async fn a_refresh_token_replay_ends_the_session(engine: Engine) {
    let api = Api::start(engine).await;
    let refresh = |token: String| {
        let api = &api;
        async move { api.call(Method::POST, "/api/sessions/refresh", None, Some(json!({"refresh_token": token}))).await }
    };
    for thief_first in [false, true] {
        let email = if thief_first { "bea@example.com" } else { "ann@example.com" };
        let person = api.sign_up("Owner", email).await;
        let stolen = person.refresh.clone();
        let (first, second) = (refresh(stolen.clone()).await, refresh(stolen.clone()).await);
        assert_eq!(first.0, 200, "{}", first.1);
        // The second use of the same refresh token (thief or owner, whoever came later).
        assert_eq!((second.0, second.1["kind"].as_str()), (401, Some("unauthorized")), "{}", second.1);
        assert!(second.1["message"].as_str().unwrap().contains("older copy"), "{}", second.1);
        // The winner's new pair is dead too: the session is gone.
        let winner_access = first.1["access_token"].as_str().unwrap();
        let (status, _) = api.call(Method::GET, "/api/me", Some(winner_access), None).await;
        assert_eq!(status, 401, "the session survived a replay (thief first: {thief_first})");
        let (status, _) = refresh(first.1["refresh_token"].as_str().unwrap().to_string()).await;
        assert_eq!(status, 401);
        // Signing in again works.
        let (status, _) = api
            .call(Method::POST, "/api/sessions", None, Some(json!({"login": email, "password": "password123"})))
            .await;
        assert_eq!(status, 200);
    }
}
on_both_engines!(a_refresh_token_replay_ends_the_session, super::a_refresh_token_replay_ends_the_session);

/// A session kept alive by refreshing every 29 days still ends 90 days after it began.
async fn a_session_has_an_absolute_lifetime(engine: Engine) {
    let api = Api::start(engine).await;
    let ann = api.sign_up("Ann", "ann@example.com").await;
    let mut token = ann.refresh.clone();
    let mut lived = SignedDuration::ZERO;
    loop {
        api.app.clock.advance(SignedDuration::from_hours(24 * 29));
        lived += SignedDuration::from_hours(24 * 29);
        let (status, v) =
            api.call(Method::POST, "/api/sessions/refresh", None, Some(json!({"refresh_token": token}))).await;
        if status != 200 {
            assert_eq!(status, 401, "{v}");
            break;
        }
        assert!(
            v["refresh_expires_at"].as_str().unwrap() <= "2026-08-30T10:00:00Z",
            "a refresh reaches past 90 days: {v}"
        );
        token = v["refresh_token"].as_str().unwrap().to_string();
        assert!(lived < SignedDuration::from_hours(24 * 120), "the session never ended");
    }
    assert!(
        lived > SignedDuration::from_hours(24 * 85) && lived <= SignedDuration::from_hours(24 * 90 + 24 * 29),
        "{lived:?}"
    );
}
on_both_engines!(a_session_has_an_absolute_lifetime, super::a_session_has_an_absolute_lifetime);

/// Issue 10, item 5: deleting an account. A wrong password (or another account's token) deletes
/// nothing; the right one ends every share both ways — the owner who shared with Bob sees him
/// gone, Carol (with whom Bob shared) loses Bob's camera — every session ends, Bob's devices,
/// sessions and events are removed, and the address is free for a new sign-up.
async fn deleting_an_account_ends_its_shares_both_ways(engine: Engine) {
    let api = Api::start(engine).await;
    let olga = api.sign_up("Olga", "olga@example.com").await;
    let mut bob = api.sign_up("Bob", "bob@example.com").await;
    let carol = api.sign_up("Carol", "carol@example.com").await;
    let olgas = api.add_nvr(&olga, "Garage", 2).await;
    let to_bob = api.share(&olga, &bob.email, olgas, json!({"1": ["live_view"]}), None).await;
    api.accept(&bob, to_bob).await;
    let second = api.add_nvr(&olga, "Shed", 1).await;
    let pending_to_bob = api.share(&olga, &bob.email, second, json!({"1": ["live_view"]}), None).await;
    let bobs = api.add_nvr(&bob, "Bob's porch", 1).await;
    let to_carol = api.share(&bob, &carol.email, bobs, json!({"1": ["live_view"]}), None).await;
    api.accept(&carol, to_carol).await;
    let first_session = bob.token.clone();
    api.sign_in(&mut bob).await;

    // A wrong password deletes nothing; Carol's token deletes Carol's account only if hers.
    let (status, v) =
        api.call(Method::DELETE, "/api/me", Some(&bob.token), Some(json!({"password": "wrong-one"}))).await;
    assert_eq!((status, v["field"].as_str()), (400, Some("password")), "{v}");
    let (status, _) = api.call(Method::DELETE, "/api/me", None, Some(json!({"password": "password123"}))).await;
    assert_eq!(status, 401);
    assert_eq!(api.ok(Method::GET, "/api/shared-devices", &carol.token, None).await.as_array().unwrap().len(), 1);

    let (status, v) =
        api.call(Method::DELETE, "/api/me", Some(&bob.token), Some(json!({"password": "password123"}))).await;
    assert_eq!(status, 204, "{v}");
    for token in [&bob.token, &first_session] {
        let (status, _) = api.call(Method::GET, "/api/me", Some(token), None).await;
        assert_eq!(status, 401, "a session of the deleted account still works");
    }
    let (status, _) = api
        .call(Method::POST, "/api/sessions", None, Some(json!({"login": "bob@example.com", "password": "password123"})))
        .await;
    assert_eq!(status, 401, "the deleted account still signs in");

    // Olga: the accepted share is removed, the open invite rejected; her log says why.
    let olgas_shares = api.ok(Method::GET, "/api/shares?all=true", &olga.token, None).await;
    let status_of =
        |id: i64| olgas_shares.as_array().unwrap().iter().find(|s| s["id"] == id).map(|s| s["status"].clone()).unwrap();
    assert_eq!((status_of(to_bob), status_of(pending_to_bob)), (json!("removed"), json!("rejected")));
    let log = api.ok(Method::GET, "/api/activity", &olga.token, None).await;
    let left = log.as_array().unwrap().iter().filter(|e| e["detail"] == "the recipient deleted their Camshare account");
    assert_eq!(left.count(), 2, "{log}");
    // Carol: Bob's camera is gone, and she was told.
    assert_eq!(api.ok(Method::GET, "/api/shared-devices", &carol.token, None).await, json!([]));

    // Nothing of Bob's is left.
    for table in ["devices", "sessions", "events", "stream_tickets"] {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE {} = $1",
            if table == "devices" { "owner_id" } else { "account_id" }
        ))
        .bind(bob.id)
        .fetch_one(&api.db().pool)
        .await
        .unwrap();
        assert_eq!(n, 0, "{table} still holds Bob's rows");
    }
    // The address can make a new account, which inherits nothing.
    let started = api.start_sign_up("Bob again", "bob@example.com").await;
    let code = api.wait_for_code("bob@example.com", 1).await;
    let again = api.verify(&started, &code).await;
    assert_eq!(api.ok(Method::GET, "/api/shared-devices", &again.token, None).await, json!([]));
    assert_eq!(api.ok(Method::GET, "/api/invites", &again.token, None).await, json!([]));
}
on_both_engines!(deleting_an_account_ends_its_shares_both_ways, super::deleting_an_account_ends_its_shares_both_ways);

/// Issue 10, item 4: one account holds at most 16 event streams open; the 17th is refused (429)
/// while another account is served, and closing one makes room.
async fn event_streams_per_account_are_capped(engine: Engine) {
    let api = Api::start(engine).await;
    let bob = api.sign_up("Bob", "bob@example.com").await;
    let ann = api.sign_up("Ann", "ann@example.com").await;
    let http = reqwest::Client::new();
    let open = |token: &str| http.get(format!("{}/api/events", api.app.base_url)).bearer_auth(token.to_string()).send();
    let mut streams = Vec::new();
    for i in 0..16 {
        let resp = open(&bob.token).await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "stream {i}");
        streams.push(resp);
    }
    let refused = open(&bob.token).await.unwrap();
    assert_eq!(refused.status().as_u16(), 429);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["kind"], "rate_limited", "{body}");
    assert_eq!(open(&ann.token).await.unwrap().status().as_u16(), 200, "another account is refused too");
    drop(streams.pop());
    // The server notices a client gone at its next write at the latest (a keep-alive comment
    // every 15 s).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let resp = open(&bob.token).await.unwrap();
        if resp.status().as_u16() == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "a closed stream is still counted");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
on_both_engines!(event_streams_per_account_are_capped, super::event_streams_per_account_are_capped);

/// Behind the operator's reverse proxy every request comes from the proxy's address: with
/// `--trusted-proxy` the sign-in budgets are kept per client named in `X-Forwarded-For`, so a
/// flood through the proxy does not lock out the owner signing in through the same proxy. From
/// anyone else the header is ignored: an attacker cannot pick a fresh address per guess.
async fn sign_in_budgets_follow_x_forwarded_for_only_from_a_trusted_proxy(engine: Engine) {
    let url = |api: &Api| format!("{}/api/sessions", api.app.base_url);
    let wrong = json!({"login": "ann@example.com", "password": "wrong-password"});
    let right = json!({"login": "ann@example.com", "password": "password123"});
    let http = reqwest::Client::new();
    let guess = |api: &Api, forwarded: String| {
        let request = http.post(url(api)).header("x-forwarded-for", forwarded).json(&wrong);
        async move { request.send().await.unwrap().status().as_u16() }
    };

    // Trusted (the test's loopback is "the proxy"): eleven guesses "from" 203.0.113.5 use up
    // that address's budget for Ann's login…
    let proxied = Api::start_with(engine, &["--device-check-secs", "0", "--trusted-proxy", "127.0.0.1/32"]).await;
    proxied.sign_up("Ann", "ann@example.com").await;
    let statuses = futures::future::join_all((0..11).map(|_| guess(&proxied, "203.0.113.5".into()))).await;
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 1, "{statuses:?}");
    // …and Ann, behind the same proxy from her own address, signs in.
    let answer = http.post(url(&proxied)).header("x-forwarded-for", "198.51.100.7").json(&right).send().await.unwrap();
    assert_eq!(answer.status(), 200, "the flood through the proxy locked Ann out");

    // Not trusted: a new made-up address per guess changes nothing, the eleventh is refused.
    let direct = Api::start(engine).await;
    direct.sign_up("Ann", "ann@example.com").await;
    let statuses = futures::future::join_all((0..11).map(|i| guess(&direct, format!("203.0.113.{i}")))).await;
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 1, "the header bought fresh budgets: {statuses:?}");
}

camshare_testkit::on_both_engines!(
    sign_in_budgets_follow_x_forwarded_for_only_from_a_trusted_proxy,
    super::sign_in_budgets_follow_x_forwarded_for_only_from_a_trusted_proxy
);
