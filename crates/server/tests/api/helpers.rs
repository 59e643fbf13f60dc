//! Raw HTTP helpers for the server's API tests: call any route with any token, sign people up,
//! and snapshot the database to prove that refused requests changed nothing.

use camshare_server::store::Db;
use camshare_testkit::{Engine, TestApp, outbox, spawn_app, spawn_app_strict, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};

/// A running server and an HTTP client for it.
pub struct Api {
    pub app: TestApp,
    http: reqwest::Client,
}

/// A signed-up person.
#[derive(Debug, Clone)]
pub struct Person {
    #[allow(dead_code)]
    pub id: i64,
    pub token: String,
    pub refresh: String,
    pub email: String,
}

impl Api {
    pub async fn start(engine: Engine) -> Api {
        Api { app: spawn_app(engine).await, http: reqwest::Client::new() }
    }

    /// As `start`, with more server arguments (e.g. turning device checks on).
    pub async fn start_with(engine: Engine, args: &[&str]) -> Api {
        Api { app: spawn_app_with(engine, args).await, http: reqwest::Client::new() }
    }

    /// As `start_with`, with the camera network policy of a server started without flags (no
    /// cameras on loopback).
    pub async fn start_strict(engine: Engine, args: &[&str]) -> Api {
        Api { app: spawn_app_strict(engine, args).await, http: reqwest::Client::new() }
    }

    pub fn db(&self) -> &Db {
        self.app.db()
    }

    /// Calls a route; returns the status and the JSON body (Null when empty).
    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{}", self.app.base_url, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request reaches the test server");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(if text.is_empty() { Value::Null } else { Value::String(text) }))
    }

    /// Sends raw bytes as a JSON body. A body the server refuses for its size is not read to its
    /// end, and the server may close the connection before this side has read the answer (the
    /// unread bytes reset it; RFC 9112 §9.6): such a send is tried again, up to three times.
    pub async fn call_raw(&self, method: Method, path: &str, token: &str, body: Vec<u8>) -> (u16, Value) {
        let mut tries = 0;
        let resp = loop {
            let sent = self
                .http
                .request(method.clone(), format!("{}{}", self.app.base_url, path))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await;
            tries += 1;
            match sent {
                Ok(resp) => break resp,
                Err(e) if tries < 3 && e.is_request() => continue,
                Err(e) => panic!("{method} {path}: {e}"),
            }
        };
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn ok(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> Value {
        let (status, value) = self.call(method.clone(), path, Some(token), body).await;
        assert!((200..300).contains(&status), "{method} {path} answered {status}: {value}");
        value
    }

    /// Signs up with `email` and finishes with the code the server wrote to its outbox.
    pub async fn sign_up(&self, name: &str, email: &str) -> Person {
        let started = self.start_sign_up(name, email).await;
        let code = self.wait_for_code(email, 0).await;
        self.verify(&started, &code).await
    }

    /// Starts a sign-up; answers its `verification` token.
    pub async fn start_sign_up(&self, name: &str, email: &str) -> String {
        let body = json!({"email": email, "display_name": name, "password": "password123"});
        let (status, v) = self.call(Method::POST, "/api/accounts", None, Some(body)).await;
        assert_eq!(status, 202, "sign up {email}: {v}");
        v["verification"].as_str().unwrap().to_string()
    }

    /// Signs up with any sign-up body whose address is `to` (as the server writes it), with the
    /// code from the outbox; answers the session.
    pub async fn sign_up_with(&self, body: Value, to: &str) -> Value {
        let seen = outbox::messages_to(&self.app.outbox(), to).len();
        let (status, started) = self.call(Method::POST, "/api/accounts", None, Some(body)).await;
        assert_eq!(status, 202, "sign up {to}: {started}");
        let code = self.wait_for_code(to, seen).await;
        let body = json!({"verification": started["verification"], "code": code});
        let (status, session) = self.call(Method::POST, "/api/accounts/verify", None, Some(body)).await;
        assert_eq!(status, 201, "verify {to}: {session}");
        session
    }

    /// The code in the newest message to `to` once it has more than `seen` messages.
    pub async fn wait_for_code(&self, to: &str, seen: usize) -> String {
        outbox::code_in(&outbox::wait_for_message(&self.app.outbox(), to, seen).await)
    }

    /// Finishes a sign-up with its code.
    pub async fn verify(&self, verification: &str, code: &str) -> Person {
        let body = json!({"verification": verification, "code": code});
        let (status, v) = self.call(Method::POST, "/api/accounts/verify", None, Some(body)).await;
        assert_eq!(status, 201, "verify: {v}");
        let email = v["account"]["email"].as_str().unwrap_or_default().to_string();
        Person {
            id: v["account"]["id"].as_i64().unwrap(),
            token: v["tokens"]["access_token"].as_str().unwrap().to_string(),
            refresh: v["tokens"]["refresh_token"].as_str().unwrap().to_string(),
            email,
        }
    }

    /// Signs the person in again (after the test clock moved past their access token's life).
    pub async fn sign_in(&self, person: &mut Person) {
        let body = json!({"login": person.email, "password": "password123"});
        let (status, v) = self.call(Method::POST, "/api/sessions", None, Some(body)).await;
        assert_eq!(status, 200, "sign in {}: {v}", person.email);
        person.token = v["tokens"]["access_token"].as_str().unwrap().to_string();
        person.refresh = v["tokens"]["refresh_token"].as_str().unwrap().to_string();
    }

    /// Moves the test clock and signs the people in again.
    pub async fn advance(&self, by: jiff::SignedDuration, people: &mut [&mut Person]) {
        self.app.clock.advance(by);
        for p in people.iter_mut() {
            self.sign_in(p).await;
        }
    }

    /// Adds an NVR with `channels` channels; returns its id.
    pub async fn add_nvr(&self, owner: &Person, name: &str, channels: u16) -> i64 {
        let body = json!({"name": name, "kind": "nvr", "rtsp_url": "rtsp://192.0.2.10:554", "username": "admin",
                          "password": "CameraSecret99", "channel_count": channels});
        self.ok(Method::POST, "/api/devices", &owner.token, Some(body)).await["id"].as_i64().unwrap()
    }

    /// Shares channels of a device; returns the share id.
    pub async fn share(&self, owner: &Person, to: &str, device: i64, channels: Value, remark: Option<&str>) -> i64 {
        let body = json!({"recipient": to, "remark": remark, "devices": [{"device": device, "channels": channels}]});
        let v = self.ok(Method::POST, "/api/shares", &owner.token, Some(body)).await;
        v["shares"][0]["id"].as_i64().unwrap()
    }

    pub async fn accept(&self, recipient: &Person, share: i64) {
        self.ok(Method::POST, &format!("/api/invites/{share}/accept"), &recipient.token, None).await;
    }

    /// Everything a refused request must not change, as comparable text.
    pub async fn snapshot(&self) -> Vec<String> {
        let queries = [
            "SELECT id, owner_id, name, kind, rtsp_url FROM devices ORDER BY id",
            "SELECT device_id, number, name FROM channels ORDER BY device_id, number",
            "SELECT id, owner_id, address, remark, account_id, deleted_ms FROM recipients ORDER BY id",
            "SELECT id, device_id, recipient_id, status, grants, terms, invite_expires_ms, answered_ms, ended_ms FROM shares ORDER BY id",
            "SELECT id, account_id, payload FROM events ORDER BY id",
            "SELECT id, owner_id, kind, device_id, share_id, recipient, detail FROM activity ORDER BY id",
            "SELECT id, email, phone, display_name FROM accounts ORDER BY id",
            "SELECT id, address, attempts, sends FROM pending_sign_ups ORDER BY id",
            "SELECT account_id, owner_id, blocked_ms FROM blocked_owners ORDER BY account_id, owner_id",
        ];
        let mut out = Vec::new();
        for q in queries {
            let rows = sqlx::query(q).fetch_all(&self.db().pool).await.unwrap();
            for row in rows {
                use sqlx::Row;
                let cols: Vec<String> = (0..row.len())
                    .map(|i| {
                        row.try_get::<Option<i64>, _>(i)
                            .map(|v| format!("{v:?}"))
                            .or_else(|_| row.try_get::<Option<String>, _>(i).map(|v| format!("{v:?}")))
                            .unwrap_or_else(|_| "?".into())
                    })
                    .collect();
                out.push(format!("{q}: {}", cols.join("|")));
            }
        }
        out
    }
}
