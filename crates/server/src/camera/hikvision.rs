//! The Hikvision-style camera (and the camera simulator): streams at
//! `/Streaming/Channels/<channel><01 main | 02 sub>`, and an RTSP `OPTIONS` knock.

use std::time::Duration;

use camshare_api::{Reachability, StreamKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Answer, Camera, RtspAddress};

/// How long one knock may take, connecting and answering together.
const KNOCK_TIMEOUT: Duration = Duration::from_secs(3);

/// A Hikvision-style device at one address.
pub struct Hikvision {
    address: RtspAddress,
}

impl Hikvision {
    pub fn new(address: RtspAddress) -> Hikvision {
        Hikvision { address }
    }
}

impl Camera for Hikvision {
    fn address(&self) -> &RtspAddress {
        &self.address
    }

    /// A bare `rtsp://host:port` gets Hikvision's path (`/Streaming/Channels/101` is channel 1's
    /// main stream); an address with a path of its own is a single stream, used as it is.
    fn stream_url(&self, channel: u16, stream: StreamKind) -> String {
        if self.address.has_path() {
            return self.address.as_str().to_string();
        }
        let suffix = match stream {
            StreamKind::Main => "01",
            StreamKind::Sub => "02",
        };
        format!("{}/Streaming/Channels/{channel}{suffix}", self.address.as_str().trim_end_matches('/'))
    }

    /// Connects and asks `OPTIONS`; online if it answers as an RTSP server. An `rtsps://`
    /// address is online when it accepts the connection (no TLS handshake).
    fn knock(&self) -> Answer<'_, Reachability> {
        Box::pin(async move {
            let address = &self.address;
            let answered = tokio::time::timeout(KNOCK_TIMEOUT, async {
                let mut stream = tokio::net::TcpStream::connect((address.host(), address.port())).await.ok()?;
                if address.is_tls() {
                    return Some(());
                }
                let request = format!("OPTIONS {address} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: camshare-server\r\n\r\n");
                stream.write_all(request.as_bytes()).await.ok()?;
                let mut answer = [0u8; 9];
                stream.read_exact(&mut answer).await.ok()?;
                (&answer == b"RTSP/1.0 ").then_some(())
            })
            .await;
            match answered {
                Ok(Some(())) => Reachability::Online,
                _ => Reachability::Offline,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera(address: &str) -> Hikvision {
        Hikvision::new(RtspAddress::parse(address).unwrap())
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
        assert_eq!(camera("rtsp://10.0.0.5/live/ch0").stream_url(1, StreamKind::Main), "rtsp://10.0.0.5/live/ch0");
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

    async fn knock(port: u16, path: &str) -> Reachability {
        camera(&format!("rtsp://127.0.0.1:{port}{path}")).knock().await
    }
}
