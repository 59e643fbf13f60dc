//! Serving HTTP with limits that a slow or greedy client cannot get around: each request's
//! headers must arrive within [`HttpLimits::header_timeout`] (a "slowloris" that trickles header
//! bytes is dropped), at most [`HttpLimits::connections`] connections are open at once (further
//! ones wait in the kernel's backlog), and one client address holds at most
//! [`HttpLimits::per_address`] of them (more are closed at once). Every request carries the
//! peer's address as `ConnectInfo` and the operator's trusted proxies (whose `X-Forwarded-For`
//! names the client; see `routes::extract::ClientAddr`). With TLS, each
//! connection's handshake must also finish within the header timeout before HTTP starts
//! (`tls::ServerTls`); a client that speaks plain HTTP to it gets no answer. On shutdown the server
//! stops accepting, asks every connection to finish its request in flight, and waits for them.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::routes::extract::TrustedProxies;
use tower::ServiceExt;

/// A connection's byte stream, plain or TLS.
trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

/// The limits of the HTTP side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// How long a request's headers may take to arrive.
    pub header_timeout: Duration,
    /// Connections open at once, all clients together.
    pub connections: usize,
    /// Connections open at once from one client address.
    pub per_address: usize,
}

impl Default for HttpLimits {
    /// The command line's defaults: 10 s, 1024, 64.
    fn default() -> HttpLimits {
        HttpLimits { header_timeout: Duration::from_secs(10), connections: 1024, per_address: 64 }
    }
}

/// Connections open per client address.
#[derive(Clone, Default)]
struct PerAddress(Arc<Mutex<HashMap<IpAddr, usize>>>);

impl PerAddress {
    fn admit(&self, ip: IpAddr, most: usize) -> bool {
        let mut open = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(ip).or_default();
        if *count >= most {
            return false;
        }
        *count += 1;
        true
    }

    fn release(&self, ip: IpAddr) {
        let mut open = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&ip);
            }
        }
    }
}

/// Serves `router` on `listener` until `stopping` resolves, then finishes the requests in
/// flight and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    tls: Option<TlsAcceptor>,
    trusted_proxies: TrustedProxies,
    stopping: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.connections));
    let per_address = PerAddress::default();
    tokio::pin!(stopping);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the connection semaphore is never closed"),
            () = &mut stopping => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept an HTTP connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stopping => break,
        };
        if !per_address.admit(peer.ip(), limits.per_address) {
            drop(stream);
            continue;
        }
        let router = router.clone();
        let trusted_proxies = trusted_proxies.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(trusted_proxies.clone());
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let per_address = per_address.clone();
        let (builder, watcher, tls) = (builder.clone(), graceful.watcher(), tls.clone());
        tokio::spawn(async move {
            // One path for both: the plain stream, or the TLS stream once its handshake is done.
            let io: Option<Box<dyn Io>> = match tls {
                None => Some(Box::new(stream)),
                Some(acceptor) => match tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await {
                    Ok(Ok(stream)) => Some(Box::new(stream)),
                    Ok(Err(e)) => {
                        tracing::debug!(error = %e, %peer, "a TLS handshake failed");
                        None
                    }
                    Err(_) => {
                        tracing::debug!(%peer, "a TLS handshake took too long");
                        None
                    }
                },
            };
            if let Some(io) = io {
                let connection = builder.serve_connection_with_upgrades(TokioIo::new(io), service).into_owned();
                if let Err(e) = watcher.watch(connection).await {
                    tracing::debug!(error = %e, "an HTTP connection ended with an error");
                }
            }
            per_address.release(peer.ip());
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
