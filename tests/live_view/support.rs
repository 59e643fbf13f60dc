//! Shared set-up for the live-view tests: a server with its gate, a simulated NVR registered on
//! the owner's account, and accounts around it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use camshare_camsim::stamp;
use camshare_client::Client;
use camshare_media::{Frame, FrameFormat, StreamError, Viewer, ViewerConfig};
use camshare_testkit::TestApp;

pub use camshare_testkit::world::World;

/// Signs up an account named after its email address.
pub async fn account(server: &TestApp, email: &str) -> Client {
    World::account_on(server, email).await
}

pub async fn world() -> World {
    World::new().await
}

/// Grey frames, at their own size.
pub fn gray(url: &str, username: &str, password: &str) -> ViewerConfig {
    let mut config = ViewerConfig::new(url, username, password);
    config.format = FrameFormat::Gray;
    config
}

/// Opens the stream and waits for the first frame that carries a stamp.
pub fn first_stamped_frame(
    config: &ViewerConfig,
    limit: Duration,
) -> Result<(Viewer, Frame, stamp::Stamp), StreamError> {
    let mut viewer = Viewer::open(config)?;
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(frame) = viewer.next_frame(Duration::from_millis(200))?
            && let Some(s) =
                stamp::read(&frame.data, frame.stride as usize, frame.width as usize, frame.height as usize)
        {
            return Ok((viewer, frame, s));
        }
    }
    panic!("no stamped frame within {limit:?}");
}

/// Waits until the viewer ends, returning why (frames on the way are dropped).
pub fn until_ended(viewer: &mut Viewer, limit: Duration) -> (StreamError, Duration) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Err(e) = viewer.next_frame(Duration::from_millis(50)) {
            return (e, start.elapsed());
        }
    }
    panic!("the stream still runs after {limit:?}");
}

/// What a raw RTSP exchange with the gate returned: the status code and every byte received.
pub struct RawAnswer {
    pub status: u16,
    pub bytes: Vec<u8>,
    /// Whether the gate closed the connection (rather than the 500 ms of reading running out).
    pub closed: bool,
}

impl RawAnswer {
    /// Whether anything beyond the RTSP status answer came back: an SDP description, or an
    /// interleaved RTP packet (`$`, channel, length).
    pub fn carries_media(&self) -> bool {
        let text = String::from_utf8_lossy(&self.bytes);
        text.contains("m=video") || self.bytes.windows(2).any(|w| w[0] == b'$' && w[1] < 4)
    }
}

/// Sends one DESCRIBE (with Basic credentials if given) and reads all that comes back for 500 ms.
pub fn raw_describe(url: &str, credentials: Option<(&str, &str)>) -> RawAnswer {
    open_describe(url, credentials).0
}

/// Like `raw_describe`, and hands back the connection, still open unless the gate closed it (a
/// viewer stays open for as long as its connection).
pub fn open_describe(url: &str, credentials: Option<(&str, &str)>) -> (RawAnswer, TcpStream) {
    let authority = url.trim_start_matches("rtsp://").split('/').next().unwrap();
    let mut stream = TcpStream::connect(authority).unwrap();
    let mut request = format!("DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n");
    if let Some((user, password)) = credentials {
        let token = data_encoding::BASE64.encode(format!("{user}:{password}").as_bytes());
        request.push_str(&format!("Authorization: Basic {token}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut closed = false;
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                closed = true;
                break;
            }
            Err(_) => break,
        }
    }
    let head = String::from_utf8_lossy(&bytes);
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (RawAnswer { status, bytes, closed }, stream)
}
