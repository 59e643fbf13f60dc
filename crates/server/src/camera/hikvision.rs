//! The Hikvision-style camera (and the camera simulator): streams at
//! `/Streaming/Channels/<channel><01 main | 02 sub>`, and an RTSP `OPTIONS` knock.

use std::net::SocketAddr;
use std::time::Duration;

use camshare_api::{Reachability, StreamKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Answer, Camera, RtspAddress};

/// How long one knock may take, connecting and answering together.
pub(super) const KNOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// A Hikvision-style device at one address.
pub struct Hikvision {
    address: RtspAddress,
    /// Where the address resolved to; every connection goes here.
    at: SocketAddr,
}

impl Hikvision {
    /// The device at `address`, reached at `at` (what the policy resolved it to).
    pub fn new(address: RtspAddress, at: SocketAddr) -> Hikvision {
        Hikvision { address, at }
    }
}

impl Camera for Hikvision {
    fn address(&self) -> &RtspAddress {
        &self.address
    }

    /// A bare `rtsp://host:port` gets Hikvision's path (`/Streaming/Channels/101` is channel 1's
    /// main stream); an address with a path of its own is a single stream, used as it is.
    fn stream_url(&self, channel: u16, stream: StreamKind) -> String {
        let pinned = self.address.url_at(self.at);
        if self.address.has_path() {
            return pinned;
        }
        let suffix = match stream {
            StreamKind::Main => "01",
            StreamKind::Sub => "02",
        };
        format!("{}/Streaming/Channels/{channel}{suffix}", pinned.trim_end_matches('/'))
    }

    /// Connects and asks `OPTIONS`; online if it answers as an RTSP server. An `rtsps://`
    /// address must complete a TLS handshake first and then answer the same way.
    fn knock(&self) -> Answer<'_, Reachability> {
        Box::pin(async move {
            let answered = tokio::time::timeout(KNOCK_TIMEOUT, async {
                let tcp = tokio::net::TcpStream::connect(self.at).await.ok()?;
                if self.address.is_tls() {
                    let tls = super::tls::connect_any_certificate(tcp, self.address.host()).await.ok()?;
                    options_answered(tls, &self.address).await
                } else {
                    options_answered(tcp, &self.address).await
                }
            })
            .await;
            match answered {
                Ok(Some(())) => Reachability::Online,
                _ => Reachability::Offline,
            }
        })
    }
}

/// Asks `OPTIONS` on an open connection; `Some` if the answer is RTSP's.
async fn options_answered<S>(mut stream: S, address: &RtspAddress) -> Option<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let request = format!("OPTIONS {address} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: camshare-server\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = [0u8; 9];
    stream.read_exact(&mut answer).await.ok()?;
    (&answer == b"RTSP/1.0 ").then_some(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// A camera at its address, pinned to 10.0.0.5 (or to the loopback port of a test server).
    fn camera(address: &str) -> Hikvision {
        let address = RtspAddress::parse(address).unwrap();
        let at = SocketAddr::new(address.host().parse().unwrap_or([10, 0, 0, 5].into()), address.port());
        Hikvision::new(address, at)
    }

    #[test]
    fn bare_addresses_get_hikvision_paths() {
        assert_eq!(
            camera("rtsp://10.0.0.5:554").stream_url(2, StreamKind::Sub),
            "rtsp://10.0.0.5:554/Streaming/Channels/202"
        );
        assert_eq!(
            camera("rtsp://10.0.0.5:554/").stream_url(1, StreamKind::Main),
            "rtsp://10.0.0.5:554/Streaming/Channels/101"
        );
        assert_eq!(camera("rtsp://10.0.0.5/live/ch0").stream_url(1, StreamKind::Main), "rtsp://10.0.0.5:554/live/ch0");
        // A name is never resolved again: the URL carries the address it was pinned to.
        assert_eq!(
            camera("rtsp://cam.local:8554").stream_url(1, StreamKind::Main),
            "rtsp://10.0.0.5:8554/Streaming/Channels/101"
        );
    }

    #[tokio::test]
    async fn a_knock_tells_an_rtsp_server_from_silence_and_from_other_servers() {
        // An RTSP server that answers OPTIONS.
        let rtsp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let rtsp_port = rtsp.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = rtsp.accept().await {
                let mut buf = [0u8; 512];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n").await;
            }
        });
        // Something else on a port: an HTTP server.
        let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let http_port = http.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = http.accept().await {
                let mut buf = [0u8; 512];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            }
        });
        // A port nobody listens on.
        let closed_port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        assert_eq!(knock(rtsp_port, "/Streaming/Channels/101").await, Reachability::Online);
        assert_eq!(knock(http_port, "/").await, Reachability::Offline);
        assert_eq!(knock(closed_port, "/").await, Reachability::Offline);
    }

    #[tokio::test]
    async fn an_rtsps_address_is_online_only_after_tls_and_an_rtsp_answer() {
        let cert = rcgen::generate_simple_self_signed(vec!["camera.local".to_string()]).unwrap();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
        let config =
            rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![cert.cert.der().clone()], key)
                .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        // An RTSPS server, and a TLS server that answers something else.
        let serve = |answer: &'static [u8]| {
            let acceptor = acceptor.clone();
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.set_nonblocking(true).unwrap();
            let port = listener.local_addr().unwrap().port();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            tokio::spawn(async move {
                while let Ok((socket, _)) = listener.accept().await {
                    let Ok(mut tls) = acceptor.accept(socket).await else { continue };
                    let mut buf = [0u8; 512];
                    let _ = tls.read(&mut buf).await;
                    let _ = tls.write_all(answer).await;
                    let _ = tls.shutdown().await;
                }
            });
            port
        };
        let rtsps = serve(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n");
        let https = serve(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        // A plain RTSP server on an rtsps:// address: it accepts the connection but speaks no TLS.
        let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let plain_port = plain.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = plain.accept().await {
                let mut buf = [0u8; 512];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(b"RTSP/1.0 400 Bad Request\r\n\r\n").await;
            }
        });
        let knock_tls = |port: u16| async move { camera(&format!("rtsps://127.0.0.1:{port}/")).knock().await };
        assert_eq!(knock_tls(rtsps).await, Reachability::Online);
        assert_eq!(knock_tls(https).await, Reachability::Offline);
        assert_eq!(knock_tls(plain_port).await, Reachability::Offline);
    }

    async fn knock(port: u16, path: &str) -> Reachability {
        camera(&format!("rtsp://127.0.0.1:{port}{path}")).knock().await
    }
}
