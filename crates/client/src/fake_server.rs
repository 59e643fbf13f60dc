//! Tests of the client's own behaviour against a small in-process stand-in for the server:
//! refresh once for many concurrent calls, and an event stream that drops, resumes and repeats
//! itself. Tests against the real server live with the server's integration tests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use camshare_api::{Account, AccountCode, AccountId, ApiError, ErrorKind, EventId, Refresh, Timestamp, Tokens};
use futures::StreamExt;

use crate::Client;

#[derive(Default)]
struct Fake {
    access: String,
    refresh: String,
    refreshes: u32,
    /// `Last-Event-ID` of each events request, in order.
    event_requests: Vec<Option<String>>,
}

type Shared = Arc<Mutex<Fake>>;

fn tokens(n: u32) -> Tokens {
    let at: Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
    Tokens {
        access_token: format!("a{n}").into(),
        access_expires_at: at,
        refresh_token: format!("r{n}").into(),
        refresh_expires_at: at,
    }
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, Json(ApiError::new(ErrorKind::Unauthorized, "expired"))).into_response()
}

fn bearer(headers: &HeaderMap) -> String {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    value.strip_prefix("Bearer ").unwrap_or("").to_string()
}

async fn me(State(fake): State<Shared>, headers: HeaderMap) -> Response {
    if bearer(&headers) != fake.lock().unwrap().access {
        return unauthorized();
    }
    Json(Account {
        id: AccountId(1),
        display_name: "Ann".into(),
        email: Some("ann@example.com".into()),
        phone: None,
        time_zone: "UTC".into(),
        account_code: AccountCode::from_body("ABCDEFGHIJKLMNOPQRSTUVWX"),
        created_at: "2026-01-01T00:00:00Z".parse().unwrap(),
    })
    .into_response()
}

async fn refresh(State(fake): State<Shared>, Json(body): Json<Refresh>) -> Response {
    // Slow enough that concurrent callers all meet the expired token before it is replaced.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut fake = fake.lock().unwrap();
    if body.refresh_token.expose() != fake.refresh {
        return unauthorized();
    }
    fake.refreshes += 1;
    let new = tokens(fake.refreshes + 1);
    fake.access = new.access_token.expose().to_string();
    fake.refresh = new.refresh_token.expose().to_string();
    Json(new).into_response()
}

fn sse_event(id: i64) -> String {
    format!(
        "id: {id}\r\nevent: share_changed\r\ndata: {{\"id\":{id},\"at\":\"2026-01-01T00:00:00Z\",\
         \"type\":\"share_changed\",\"share\":3,\"device\":4}}\r\n\r\n"
    )
}

/// First connection: events 1 and 2, then the connection drops. Later connections: a replay
/// from the `Last-Event-ID` that overlaps (2 again), then 3, then silence with the line open.
async fn events(State(fake): State<Shared>, headers: HeaderMap) -> Response {
    if bearer(&headers) != fake.lock().unwrap().access {
        return unauthorized();
    }
    let last = headers.get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    let first = {
        let mut fake = fake.lock().unwrap();
        fake.event_requests.push(last);
        fake.event_requests.len() == 1
    };
    let chunks: Vec<String> = if first {
        vec![": hello\n\n".into(), sse_event(1), sse_event(2)[..20].to_string(), sse_event(2)[20..].to_string()]
    } else {
        vec![sse_event(2), ":keep-alive\n\n".into(), sse_event(3)]
    };
    let body = futures::stream::iter(chunks.into_iter().map(|c| Ok::<_, std::convert::Infallible>(Bytes::from(c))));
    let body = if first { body.boxed() } else { body.chain(futures::stream::pending()).boxed() };
    ([(header::CONTENT_TYPE, "text/event-stream")], Body::from_stream(body)).into_response()
}

async fn spawn_fake(fake: Fake) -> (String, Shared) {
    let shared = Arc::new(Mutex::new(fake));
    let app = Router::new()
        .route("/api/me", get(me))
        .route("/api/sessions/refresh", post(refresh))
        .route("/api/events", get(events))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, shared)
}

fn expired_session_fake() -> Fake {
    Fake { access: "a-current".into(), refresh: "r1".into(), ..Fake::default() }
}

#[tokio::test]
async fn concurrent_calls_with_an_expired_token_refresh_once() {
    let (url, fake) = spawn_fake(expired_session_fake()).await;
    let client = Client::new(&url).unwrap().with_tokens(tokens(1));
    let told = Arc::new(Mutex::new(Vec::new()));
    let told_in_callback = told.clone();
    client.on_tokens_changed(Box::new(move |t| {
        told_in_callback.lock().unwrap().push(t.refresh_token.expose().to_string())
    }));

    let calls = (0..5).map(|_| client.me());
    let results = futures::future::join_all(calls).await;

    assert!(results.iter().all(|r| r.as_ref().is_ok_and(|a| a.display_name == "Ann")));
    assert_eq!(fake.lock().unwrap().refreshes, 1);
    assert_eq!(*told.lock().unwrap(), vec!["r2".to_string()]);
    assert_eq!(client.tokens().unwrap().access_token, "a2");
}

#[tokio::test]
async fn refused_refresh_reports_unauthorized_and_keeps_no_new_tokens() {
    let (url, _fake) = spawn_fake(Fake { refresh: "other".into(), ..expired_session_fake() }).await;
    let client = Client::new(&url).unwrap().with_tokens(tokens(1));

    let error = client.me().await.unwrap_err();

    assert_eq!(error.kind(), "unauthorized");
    assert_eq!(client.tokens().unwrap().refresh_token, "r1");
}

#[tokio::test]
async fn bare_access_token_is_not_refreshed() {
    let (url, fake) = spawn_fake(expired_session_fake()).await;
    let client = Client::new(&url).unwrap().with_access_token("a-old");

    assert_eq!(client.me().await.unwrap_err().kind(), "unauthorized");
    assert_eq!(fake.lock().unwrap().refreshes, 0);
}

#[tokio::test]
async fn unreachable_server_is_a_network_error_naming_the_address() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);

    let error = Client::new(&url).unwrap().health().await.unwrap_err();

    assert_eq!(error.kind(), "network");
    assert!(error.to_string().contains(&url), "{error}");
}

#[tokio::test]
async fn event_stream_refreshes_resumes_after_a_drop_and_never_repeats() {
    let (url, fake) = spawn_fake(expired_session_fake()).await;
    let client = Client::new(&url).unwrap().with_tokens(tokens(1));

    let stream = client.events(None);
    let events: Vec<_> = tokio::time::timeout(Duration::from_secs(5), stream.take(3).collect::<Vec<_>>())
        .await
        .expect("three events within 5 s");

    let ids: Vec<EventId> = events.into_iter().map(|e| e.unwrap().id).collect();
    assert_eq!(ids, vec![EventId(1), EventId(2), EventId(3)]);
    let fake = fake.lock().unwrap();
    assert_eq!(fake.refreshes, 1);
    assert_eq!(fake.event_requests, vec![None, Some("2".to_string())]);
}
