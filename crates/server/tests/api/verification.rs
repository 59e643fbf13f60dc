//! Verified addresses, attacked. No account exists until a code or link sent to its address
//! comes back, so: an invite squatter who signs up as someone else's address gets no account,
//! no invite and no ticket, and does not lock the real holder out; codes are few-try,
//! single-use and expire; a mail scanner fetching the link verifies nothing; mails go through
//! a real SMTP server (aiosmtpd, started here) and text messages through a loopback SMS webhook;
//! a relay that is down saves nothing.

use std::sync::{Arc, Mutex};

use camshare_testkit::{Engine, on_both_engines, outbox, smtp::SmtpSink};
use jiff::SignedDuration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::Api;

fn sign_up_body(name: &str, email: &str) -> Value {
    json!({"email": email, "display_name": name, "password": "password123"})
}

async fn the_invite_squatter_gets_nothing(engine: Engine) {
    let api = Api::start(engine).await;
    let alice = api.sign_up("Alice", "alice@example.com").await;
    let nvr = api.add_nvr(&alice, "Home", 2).await;
    let share = api.share(&alice, "bob@example.com", nvr, json!({"1": ["live_view"]}), None).await;

    // Mallory signs up as bob@example.com. The code goes to Bob's mailbox, not to her.
    let (status, started) =
        api.call(Method::POST, "/api/accounts", None, Some(sign_up_body("Mallory", "bob@example.com"))).await;
    assert_eq!(status, 202, "{started}");
    let mallory = started["verification"].as_str().unwrap().to_string();
    let before = api.snapshot().await;
    assert!(!before.iter().any(|row| row.contains("Mallory") && row.contains("accounts")), "no account yet");
    // She guesses codes: five wrong ones, then only a new code would help.
    for guess in ["000000", "123456", "111111", "999999", "424242"] {
        let (status, v) = api
            .call(Method::POST, "/api/accounts/verify", None, Some(json!({"verification": mallory, "code": guess})))
            .await;
        assert_eq!((status, v["field"].as_str()), (400, Some("code")), "{v}");
    }
    let real_code = outbox::code_in(&outbox::messages_to(&api.app.outbox(), "bob@example.com")[0]);
    let (status, v) = api
        .call(Method::POST, "/api/accounts/verify", None, Some(json!({"verification": mallory, "code": real_code})))
        .await;
    assert_eq!((status, v["kind"].as_str()), (429, Some("rate_limited")), "even the right code, after five wrong: {v}");
    // She cannot sign in as Bob either: there is no such account.
    let (status, _) = api
        .call(Method::POST, "/api/sessions", None, Some(json!({"login": "bob@example.com", "password": "password123"})))
        .await;
    assert_eq!(status, 401);
    // Alice still sees the invite waiting, not accepted.
    let shares = api.ok(Method::GET, "/api/shares", &alice.token, None).await;
    assert_eq!(shares[0]["status"], "pending", "{shares}");
    assert_eq!(shares[0]["answered_by"], Value::Null, "an open invite tells nothing of accounts: {shares}");

    // The real Bob signs up too (her waiting sign-up does not lock him out), reads his mail,
    // and gets the account and the invite.
    let bob = api.sign_up("Bob", "bob@example.com").await;
    let invites = api.ok(Method::GET, "/api/invites", &bob.token, None).await;
    assert_eq!(invites[0]["share"], share, "{invites}");
    api.accept(&bob, share).await;
    let ticket = api
        .call(
            Method::POST,
            "/api/stream-tickets",
            Some(&bob.token),
            Some(json!({"device": nvr, "channel": 1, "stream": "sub"})),
        )
        .await;
    assert_eq!(ticket.0, 201, "{}", ticket.1);
    // Issue 10, item 7: a recipient of channel 1 does not learn that the NVR has 2 channels: a
    // channel that does not exist reads exactly like one not shared with him; the owner is told.
    let ticket_for = |channel: u16| json!({"device": nvr, "channel": channel, "stream": "sub"});
    let missing = api.call(Method::POST, "/api/stream-tickets", Some(&bob.token), Some(ticket_for(9))).await;
    let unshared = api.call(Method::POST, "/api/stream-tickets", Some(&bob.token), Some(ticket_for(2))).await;
    assert_eq!(missing, unshared, "the refusal tells a recipient the channel count");
    assert!(!missing.1.to_string().contains('2'), "{}", missing.1);
    let owner_missing = api.call(Method::POST, "/api/stream-tickets", Some(&alice.token), Some(ticket_for(9))).await;
    assert_eq!((owner_missing.0, owner_missing.1["field"].as_str()), (400, Some("channel")), "{}", owner_missing.1);
    let shares = api.ok(Method::GET, "/api/shares", &alice.token, None).await;
    assert_eq!(shares[0]["status"], "accepted");
    // The owner sees who accepted: the account behind the verified address, and its age.
    assert_eq!(shares[0]["answered_by"]["display_name"], "Bob", "{shares}");
    assert!(shares[0]["answered_by"]["account_since"].is_string(), "{shares}");
    // Mallory's waiting sign-up went with Bob's verification.
    let (status, v) = api
        .call(Method::POST, "/api/accounts/verify", None, Some(json!({"verification": mallory, "code": real_code})))
        .await;
    assert_eq!((status, v["field"].as_str()), (400, Some("verification")), "{v}");
}
on_both_engines!(the_invite_squatter_gets_nothing, super::the_invite_squatter_gets_nothing);

async fn codes_expire_are_single_use_and_resend_is_limited(engine: Engine) {
    let api = Api::start(engine).await;
    // A code past its 30 minutes.
    let late = api.start_sign_up("Late", "late@example.com").await;
    let code = api.wait_for_code("late@example.com", 0).await;
    api.app.clock.advance(SignedDuration::from_mins(31));
    let (status, v) =
        api.call(Method::POST, "/api/accounts/verify", None, Some(json!({"verification": late, "code": code}))).await;
    assert_eq!((status, v["field"].as_str()), (400, Some("verification")), "{v}");

    // A resend: not within the minute; afterwards a new code, and the old one stops working.
    let ann = api.start_sign_up("Ann", "ann@example.com").await;
    let first = api.wait_for_code("ann@example.com", 0).await;
    let (status, v) =
        api.call(Method::POST, "/api/accounts/resend-code", None, Some(json!({"verification": ann}))).await;
    assert_eq!((status, v["kind"].as_str()), (429, Some("rate_limited")), "{v}");
    api.app.clock.advance(SignedDuration::from_secs(61));
    let (status, v) =
        api.call(Method::POST, "/api/accounts/resend-code", None, Some(json!({"verification": ann}))).await;
    assert_eq!(status, 200, "{v}");
    let second = api.wait_for_code("ann@example.com", 1).await;
    if first != second {
        let (status, _) = api
            .call(Method::POST, "/api/accounts/verify", None, Some(json!({"verification": ann, "code": first})))
            .await;
        assert_eq!(status, 400, "the first code still worked");
    }
    let person = api.verify(&ann, &second).await;
    assert_eq!(person.email, "ann@example.com");
    // Used: the same verification again is refused, and nothing changes.
    let before = api.snapshot().await;
    let (status, _) =
        api.call(Method::POST, "/api/accounts/verify", None, Some(json!({"verification": ann, "code": second}))).await;
    assert_eq!(status, 400);
    assert_eq!(api.snapshot().await, before);

    // One address gets at most five sign-ups an hour (each sends it a mail).
    for i in 0..5 {
        let (status, v) = api
            .call(Method::POST, "/api/accounts", None, Some(sign_up_body(&format!("Spam {i}"), "target@example.com")))
            .await;
        assert_eq!(status, 202, "{v}");
    }
    let (status, v) =
        api.call(Method::POST, "/api/accounts", None, Some(sign_up_body("Spam", "target@example.com"))).await;
    assert_eq!((status, v["kind"].as_str()), (429, Some("rate_limited")), "{v}");
    assert_eq!(outbox::messages_to(&api.app.outbox(), "target@example.com").len(), 5);
}
on_both_engines!(
    codes_expire_are_single_use_and_resend_is_limited,
    super::codes_expire_are_single_use_and_resend_is_limited
);

/// The link in a mail delivered by a real SMTP server: opening it (GET) shows a button and makes
/// nothing; the button (POST) makes the account; the link does not work twice.
async fn mail_arrives_over_smtp_and_its_link_works(engine: Engine) {
    let smtp = SmtpSink::start();
    let api = Api::start_with(engine, &["--smtp-url", &smtp.url(), "--mail-from", "Camshare <cams@example.org>"]).await;
    let (status, v) = api.call(Method::POST, "/api/accounts", None, Some(sign_up_body("Nia", "nia@example.com"))).await;
    assert_eq!(status, 202, "{v}");
    let mail = outbox::wait_for_message(&smtp.maildir, "nia@example.com", 0).await;
    assert!(mail.contains("From: Camshare <cams@example.org>"), "{mail}");
    assert!(mail.contains("Subject: Your Camshare code:"), "{mail}");
    assert!(outbox::messages(&api.app.outbox()).is_empty(), "with a relay, nothing goes to the folder");
    let link = outbox::link_in(&mail);
    assert!(link.starts_with(&api.app.base_url), "{link}");

    let http = reqwest::Client::new();
    let shown = http.get(&link).send().await.unwrap();
    assert_eq!(shown.status(), 200);
    assert!(shown.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
    assert!(shown.text().await.unwrap().contains("<form method=\"post\""));
    let (status, _) = api
        .call(Method::POST, "/api/sessions", None, Some(json!({"login": "nia@example.com", "password": "password123"})))
        .await;
    assert_eq!(status, 401, "a GET of the link (a mail scanner) made the account");

    let done = http.post(&link).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("<strong>nia@example.com</strong> is verified"));
    let (status, v) = api
        .call(Method::POST, "/api/sessions", None, Some(json!({"login": "nia@example.com", "password": "password123"})))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(http.post(&link).send().await.unwrap().status(), 404, "the link worked twice");
}
on_both_engines!(mail_arrives_over_smtp_and_its_link_works, super::mail_arrives_over_smtp_and_its_link_works);

/// A relay that does not answer: the sign-up is refused as `unavailable` and nothing is kept.
async fn a_relay_that_is_down_saves_nothing(engine: Engine) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let api = Api::start_with(engine, &["--smtp-url", &format!("smtp://127.0.0.1:{closed}")]).await;
    let before = api.snapshot().await;
    let (status, v) = api.call(Method::POST, "/api/accounts", None, Some(sign_up_body("Ann", "ann@example.com"))).await;
    assert_eq!((status, v["kind"].as_str()), (503, Some("unavailable")), "{v}");
    assert_eq!(api.snapshot().await, before);
}
on_both_engines!(a_relay_that_is_down_saves_nothing, super::a_relay_that_is_down_saves_nothing);

/// A mobile number's code goes to the operator's SMS webhook (a loopback HTTP sink here).
async fn a_phone_code_goes_to_the_sms_webhook(engine: Engine) {
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let sink = sink.clone();
            async move { sink.lock().unwrap().push(body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let webhook = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let api = Api::start_with(engine, &["--sms-webhook", &webhook]).await;
    let body = json!({"phone": "+44 7700 900123", "display_name": "Dee", "password": "password123"});
    let (status, started) = api.call(Method::POST, "/api/accounts", None, Some(body)).await;
    assert_eq!(status, 202, "{started}");
    assert_eq!(started["sent_to"], "+447700900123");
    let texts = received.lock().unwrap().clone();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0]["to"], "+447700900123");
    let code = outbox::code_in(texts[0]["text"].as_str().unwrap());
    let session = api.verify(started["verification"].as_str().unwrap(), &code).await;
    assert!(!session.token.is_empty());
}
on_both_engines!(a_phone_code_goes_to_the_sms_webhook, super::a_phone_code_goes_to_the_sms_webhook);
