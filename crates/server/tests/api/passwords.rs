//! Passwords after sign-up, attacked and used: a reset mail over a real SMTP server whose link
//! sets the password and ends every session; a reset by code; a reset asked for a login without
//! an account reads the same and can never succeed; the per-login budget; changing the password
//! needs the current one and ends the other sessions.

use camshare_testkit::{Engine, on_both_engines, outbox, smtp::SmtpSink};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::Api;

async fn sign_in(api: &Api, login: &str, password: &str) -> (u16, Value) {
    api.call(Method::POST, "/api/sessions", None, Some(json!({"login": login, "password": password}))).await
}

/// Posts the reset page's form, as a browser does.
fn post_form(http: &reqwest::Client, link: &str, password: &str) -> reqwest::RequestBuilder {
    http.post(link).header("content-type", "application/x-www-form-urlencoded").body(format!("password={password}"))
}

async fn me(api: &Api, token: &str) -> u16 {
    api.call(Method::GET, "/api/me", Some(token), None).await.0
}

async fn a_reset_link_over_smtp_sets_the_password_and_ends_every_session(engine: Engine) {
    let smtp = SmtpSink::start();
    let api = Api::start_with(engine, &["--smtp-url", &smtp.url()]).await;
    // Ann signs up with the code from her (real) mailbox, and signs in on a second device.
    let body = json!({"email": "ann@example.com", "display_name": "Ann", "password": "password123"});
    let (_, started) = api.call(Method::POST, "/api/accounts", None, Some(body)).await;
    let code = outbox::code_in(&outbox::wait_for_message(&smtp.maildir, "ann@example.com", 0).await);
    let ann = api.verify(started["verification"].as_str().unwrap(), &code).await;
    let (_, second) = sign_in(&api, "ann@example.com", "password123").await;
    let second = second["tokens"]["access_token"].as_str().unwrap().to_string();

    let (status, v) =
        api.call(Method::POST, "/api/password-resets", None, Some(json!({"login": "ANN@example.com"}))).await;
    assert_eq!(status, 202, "{v}");
    let mail = outbox::wait_for_message(&smtp.maildir, "ann@example.com", 1).await;
    assert!(mail.contains("Subject: Reset your Camshare password"), "{mail}");
    let link = outbox::link_in(&mail);
    assert!(link.contains("/reset/"), "{link}");

    let http = reqwest::Client::new();
    let form = http.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("type=\"password\" name=\"password\""), "{form}");
    assert_eq!(me(&api, &ann.token).await, 200, "fetching the link changed something");
    let short = post_form(&http, &link, "short").send().await.unwrap();
    assert_eq!(short.status(), 400);
    let done = post_form(&http, &link, "a-new-password").send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("Your new password is set"));

    assert_eq!(me(&api, &ann.token).await, 401, "a session survived the reset");
    assert_eq!(me(&api, &second).await, 401, "a session survived the reset");
    assert_eq!(sign_in(&api, "ann@example.com", "password123").await.0, 401, "the old password still works");
    assert_eq!(sign_in(&api, "ann@example.com", "a-new-password").await.0, 200);
    assert_eq!(post_form(&http, &link, "another-one").send().await.unwrap().status(), 404);
}
on_both_engines!(
    a_reset_link_over_smtp_sets_the_password_and_ends_every_session,
    super::a_reset_link_over_smtp_sets_the_password_and_ends_every_session
);

async fn a_reset_by_code_and_one_for_nobody(engine: Engine) {
    let api = Api::start(engine).await;
    let ann = api.sign_up("Ann", "ann@example.com").await;
    let finish = |verification: Value, code: &str, password: &str| {
        let body = json!({"verification": verification, "code": code, "new_password": password});
        let api = &api;
        async move { api.call(Method::POST, "/api/password-resets/finish", None, Some(body)).await }
    };

    // A login without an account: the same answer, nothing sent, and no code is ever right.
    let (status, nobody) =
        api.call(Method::POST, "/api/password-resets", None, Some(json!({"login": "nobody@example.com"}))).await;
    assert_eq!(status, 202, "{nobody}");
    let (status, real) =
        api.call(Method::POST, "/api/password-resets", None, Some(json!({"login": "ann@example.com"}))).await;
    assert_eq!(status, 202, "{real}");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&nobody), keys(&real), "the answers differ in shape");
    assert!(outbox::messages_to(&api.app.outbox(), "nobody@example.com").is_empty());
    let code = api.wait_for_code("ann@example.com", 1).await;
    let (status, v) = finish(nobody["verification"].clone(), &code, "a-new-password").await;
    assert_eq!((status, v["field"].as_str()), (400, Some("code")), "{v}");

    // Ann's reset: a wrong code counts, the right one sets the password and ends her session.
    let (status, v) = finish(real["verification"].clone(), "000000", "a-new-password").await;
    assert_eq!((status, v["field"].as_str()), (400, Some("code")), "{v}");
    let (status, v) = finish(real["verification"].clone(), &code, "short").await;
    assert_eq!((status, v["field"].as_str()), (400, Some("new_password")), "{v}");
    let (status, v) = finish(real["verification"].clone(), &code, "a-new-password").await;
    assert_eq!(status, 204, "{v}");
    assert_eq!(me(&api, &ann.token).await, 401);
    assert_eq!(sign_in(&api, "ann@example.com", "a-new-password").await.0, 200);
    let (status, _) = finish(real["verification"].clone(), &code, "yet-another-one").await;
    assert_eq!(status, 400, "a reset worked twice");

    // Five resets an hour per login, with or without an account.
    for _ in 0..4 {
        api.ok(Method::POST, "/api/password-resets", "", Some(json!({"login": "nobody@example.com"}))).await;
    }
    let (status, v) =
        api.call(Method::POST, "/api/password-resets", None, Some(json!({"login": "nobody@example.com"}))).await;
    assert_eq!((status, v["kind"].as_str()), (429, Some("rate_limited")), "{v}");
}
on_both_engines!(a_reset_by_code_and_one_for_nobody, super::a_reset_by_code_and_one_for_nobody);

/// A stolen access token is not enough to change the password; the holder's change ends every
/// other session but keeps this one.
async fn changing_the_password_needs_the_current_one(engine: Engine) {
    let api = Api::start(engine).await;
    let ann = api.sign_up("Ann", "ann@example.com").await;
    let (_, other) = sign_in(&api, "ann@example.com", "password123").await;
    let other = other["tokens"]["access_token"].as_str().unwrap().to_string();
    let before = api.snapshot().await;
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let (status, v) =
        api.call(Method::POST, "/api/me/password", Some(&other), Some(change("guessed-wrong", "mine-now-123"))).await;
    assert_eq!((status, v["field"].as_str()), (400, Some("current_password")), "{v}");
    assert_eq!(api.snapshot().await, before);
    let (status, v) = api
        .call(Method::POST, "/api/me/password", Some(&ann.token), Some(change("password123", "a-new-password")))
        .await;
    assert_eq!(status, 204, "{v}");
    assert_eq!(me(&api, &ann.token).await, 200, "the changing session ended");
    assert_eq!(me(&api, &other).await, 401, "another session survived the change");
    assert_eq!(sign_in(&api, "ann@example.com", "password123").await.0, 401);
    assert_eq!(sign_in(&api, "ann@example.com", "a-new-password").await.0, 200);
}
on_both_engines!(changing_the_password_needs_the_current_one, super::changing_the_password_needs_the_current_one);
