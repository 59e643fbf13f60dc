//! The server as a library: two servers built with `ServerBuilder` in one process, one stopped
//! with its shutdown token. Everything it started ends (HTTP port, gate port, event streams,
//! background tasks) while the other keeps serving.

use std::net::TcpStream;
use std::time::Duration;

use camshare_testkit::Engine;
use futures::StreamExt;
use reqwest::Method;

use super::helpers::Api;

fn refuses(addr: std::net::SocketAddr) -> bool {
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err()
}

fn gate_addr(api: &Api) -> std::net::SocketAddr {
    let port = api.app.state.gate.as_ref().expect("the test server runs its gate").port;
    std::net::SocketAddr::from(([127, 0, 0, 1], port))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_ends_everything_it_started_and_the_other_serves_on() {
    // Device checks on (rarely), so every kind of background task runs.
    let first = Api::start_with(Engine::Sqlite, &["--device-check-secs", "3600"]).await;
    let second = Api::start_with(Engine::Sqlite, &["--device-check-secs", "3600"]).await;
    let ann = first.sign_up("Ann", "ann@example.com").await;
    let bea = second.sign_up("Bea", "bea@example.com").await;
    let (first_http, first_gate) = (first.app.addr, gate_addr(&first));
    let mut running = first.app.tasks.running();
    running.sort();
    assert_eq!(running, ["device checks", "gate enforcer", "housekeeping"]);
    assert!(!refuses(first_gate) && !refuses(gate_addr(&second)));

    // Ann listens to her events; the stream must end when her server stops.
    let events = reqwest::Client::new()
        .get(format!("{}/api/events", first.app.base_url))
        .bearer_auth(&ann.token)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    let mut events = events.bytes_stream();
    assert!(events.next().await.is_some(), "the stream opens with its start position");

    let tasks = first.app.tasks.clone();
    let stopped = tokio::time::timeout(Duration::from_secs(10), first.app.stop()).await;
    assert!(stopped.is_ok(), "the server stops within 10 s");
    assert!(tasks.running().is_empty(), "still running: {:?}", tasks.running());
    assert!(refuses(first_http), "the HTTP port is closed");
    assert!(refuses(first_gate), "the gate port is closed");
    let ended =
        tokio::time::timeout(Duration::from_secs(5), async { while let Some(Ok(_)) = events.next().await {} }).await;
    assert!(ended.is_ok(), "the open event stream ended");

    // The other server noticed nothing.
    let me = second.ok(Method::GET, "/api/me", &bea.token, None).await;
    assert_eq!(me["display_name"], "Bea");
    assert!(!refuses(gate_addr(&second)));
    let mut running = second.app.tasks.running();
    running.sort();
    assert_eq!(running, ["device checks", "gate enforcer", "housekeeping"]);
}
