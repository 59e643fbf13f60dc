//! Transport security (issue 10, attack 6): a server that other machines can reach never speaks
//! in clear unless told to, HTTPS works with a self-signed certificate whose fingerprint the
//! client pins, and a pinned client sends nothing to an impostor with another certificate.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use camshare_client::{Client, ClientError, Trust};
use camshare_server::tls::{ServerTls, TlsSettings};
use camshare_server::{ServerBuilder, StartError};
use camshare_testkit::{Engine, spawn_app_tls, temp_dir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn builder(listen: &str, gate: &str) -> ServerBuilder {
    let gate = camshare_server::GateSettings { listen: gate.parse().unwrap(), public_host: None };
    ServerBuilder::new(temp_dir("camshare-tls")).listen(listen.parse().unwrap()).gate(Some(gate)).device_checks(None)
}

#[tokio::test]
async fn plain_listeners_other_machines_can_reach_are_refused_unless_insecure() {
    for (listen, gate, what) in
        [("0.0.0.0:0", "127.0.0.1:0", "HTTP"), ("127.0.0.1:0", "0.0.0.0:0", "RTSP"), ("[::]:0", "127.0.0.1:0", "HTTP")]
    {
        match builder(listen, gate).build().await {
            Err(StartError::Insecure { what: said, .. }) => assert!(said.starts_with(what), "{said}"),
            Err(other) => panic!("{listen} {gate}: {other}"),
            Ok(_) => panic!("{listen} {gate}: a plain server started on an address others can reach"),
        }
    }
    let err = builder("0.0.0.0:0", "127.0.0.1:0").build().await.err().unwrap().to_string();
    assert!(err.contains("--insecure") && err.contains("--tls-self-signed"), "{err}");
    // Said so, it starts; with TLS it needs no such word.
    builder("0.0.0.0:0", "0.0.0.0:0").insecure(true).build().await.expect("--insecure starts");
    let tls = builder("0.0.0.0:0", "0.0.0.0:0").tls(Some(TlsSettings::SelfSigned { names: vec![] }));
    let server = tls.build().await.expect("TLS starts");
    assert!(server.base_url().unwrap().starts_with("https://"));
}

#[tokio::test]
async fn the_server_binary_refuses_to_listen_in_clear_and_says_what_to_do() {
    let data_dir = temp_dir("camshare-tls-binary");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_camshare-server"))
        .args(["--listen", "0.0.0.0:0", "--gate-listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .env_remove("CAMSHARE_INSECURE")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("refusing to serve HTTP without TLS on 0.0.0.0:0") && said.contains("--insecure"), "{said}");
    assert!(!said.contains("backtrace"), "{said}");
}

#[tokio::test]
async fn https_works_with_the_pinned_fingerprint_and_only_with_it() {
    let app = spawn_app_tls(Engine::Sqlite).await;
    assert!(app.base_url.starts_with("https://"), "{}", app.base_url);
    let fingerprint = app.trust.pinned.expect("a self-signed server has a fingerprint");
    // Pinned: a whole sign-up and sign-in works.
    let olga = camshare_testkit::world::account(&app, "Olga", "olga@example.com").await;
    assert_eq!(olga.me().await.unwrap().display_name, "Olga");

    // Not pinned: refused before anything is sent, naming the fingerprint to compare.
    let unpinned = Client::new(&app.base_url).unwrap();
    match unpinned.health().await {
        Err(ClientError::UntrustedCertificate { presented, pinned: None, .. }) => assert_eq!(presented, fingerprint),
        other => panic!("an unpinned client reached a self-signed server: {other:?}"),
    }
    let err = unpinned.health().await.unwrap_err();
    assert_eq!(err.kind(), "untrusted_certificate");
    assert!(err.to_string().contains(&fingerprint.to_string()), "{err}");

    // Pinned to another certificate: refused too.
    let other = camshare_api::Fingerprint::of_der(b"another certificate");
    let wrong = Client::with_trust(&app.base_url, Trust { allow_plain: false, pinned: Some(other) }).unwrap();
    match wrong.health().await {
        Err(ClientError::UntrustedCertificate { presented, pinned: Some(p), .. }) => {
            assert_eq!((presented, p), (fingerprint, other))
        }
        other => panic!("a client pinned to another certificate got through: {other:?}"),
    }

    // Plain HTTP to the HTTPS port gets no HTTP answer.
    let mut socket = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    socket.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read_to_end(&mut answer)).await;
    assert!(!answer.starts_with(b"HTTP/"), "answered in clear: {:?}", String::from_utf8_lossy(&answer));
    app.stop().await;
}

/// A "server" in between with its own certificate: counts the bytes clients send it after a
/// handshake.
async fn impostor() -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let tls = ServerTls::load(&TlsSettings::SelfSigned { names: vec![] }, &temp_dir("camshare-impostor")).unwrap();
    let acceptor = tls.acceptor();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let (handshakes, received) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let counters = (handshakes.clone(), received.clone());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let Ok(mut stream) = acceptor.accept(socket).await else { continue };
            counters.0.fetch_add(1, Ordering::SeqCst);
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n) = stream.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                counters.1.fetch_add(n, Ordering::SeqCst);
            }
        }
    });
    (url, handshakes, received)
}

#[tokio::test]
async fn a_pinned_client_sends_no_password_to_an_impostor() {
    let app = spawn_app_tls(Engine::Sqlite).await;
    let (url, handshakes, received) = impostor().await;
    // The network sends Olga's client to the impostor instead of her server.
    let olga = Client::with_trust(&url, app.trust.clone()).unwrap();
    let sign_in = camshare_api::SignIn { login: "olga@example.com".into(), password: "password123".into() };
    let err = olga.sign_in(&sign_in).await.unwrap_err();
    assert_eq!(err.kind(), "untrusted_certificate", "{err}");
    assert_eq!((handshakes.load(Ordering::SeqCst), received.load(Ordering::SeqCst)), (0, 0));
    app.stop().await;
}
