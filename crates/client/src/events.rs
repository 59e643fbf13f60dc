//! The account's live event stream (`GET /api/events`, Server-Sent Events), kept open across
//! dropped connections: it reconnects with backoff, resumes after the last event it yielded, and
//! never yields an event twice.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use camshare_api::{Event, EventId, routes};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use reqwest::Method;

use crate::sse::{SseMessage, SseParser};
use crate::transport::Request;
use crate::{Client, ClientError};

/// First wait before reconnecting, unless the server asked for another with `retry:`.
const FIRST_DELAY: Duration = Duration::from_millis(200);
/// Longest wait between reconnection attempts.
const MAX_DELAY: Duration = Duration::from_secs(5);
/// The server sends a keep-alive comment well within this; silence this long means the
/// connection is dead without having been closed (a sleeping laptop, a dropped NAT mapping).
const IDLE_LIMIT: Duration = Duration::from_secs(45);

/// The stream [`Client::events`] returns.
///
/// What it yields:
/// - `Ok(event)` for each new event, in order, each once.
/// - `Err` with a transient error (`network`, `protocol`, `internal`, `rate_limited`) when a
///   connection attempt fails or one event cannot be read; the stream carries on and keeps
///   trying, so a caller that wants to give up simply stops polling.
/// - `Err` with any other error (e.g. `unauthorized` after a failed refresh), and then ends.
pub struct EventStream {
    inner: BoxStream<'static, Result<Event, ClientError>>,
}

impl Stream for EventStream {
    type Item = Result<Event, ClientError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl Client {
    /// Opens the event stream. With `last_event_id`, the server first replays every event after
    /// it; without, only new events arrive. See [`EventStream`] for what is yielded.
    pub fn events(&self, last_event_id: Option<EventId>) -> EventStream {
        let follower = Follower {
            client: self.clone(),
            tracker: EventTracker { last_id: last_event_id },
            connection: None,
            pending: VecDeque::new(),
            backoff: Backoff::new(),
            wait: None,
            finished: false,
        };
        let inner = futures::stream::unfold(follower, |mut follower| async move {
            let item = follower.next_item().await?;
            Some((item, follower))
        });
        EventStream { inner: inner.boxed() }
    }
}

struct Connection {
    body: BoxStream<'static, Result<Vec<u8>, reqwest::Error>>,
    parser: SseParser,
}

struct Follower {
    client: Client,
    tracker: EventTracker,
    connection: Option<Connection>,
    pending: VecDeque<Result<Event, ClientError>>,
    backoff: Backoff,
    /// How long to wait before the next connection attempt.
    wait: Option<Duration>,
    finished: bool,
}

impl Follower {
    async fn next_item(&mut self) -> Option<Result<Event, ClientError>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.finished {
                return None;
            }
            let Some(connection) = &mut self.connection else {
                if let Some(wait) = self.wait.take() {
                    tokio::time::sleep(wait).await;
                }
                match connect(&self.client, self.tracker.last_id).await {
                    Ok(connection) => self.connection = Some(connection),
                    Err(error) if error.is_transient() => {
                        self.wait = Some(self.backoff.next_delay());
                        return Some(Err(error));
                    }
                    Err(error) => {
                        self.finished = true;
                        return Some(Err(error));
                    }
                }
                continue;
            };
            match tokio::time::timeout(IDLE_LIMIT, connection.body.next()).await {
                Ok(Some(Ok(chunk))) => {
                    self.backoff.reset();
                    let messages = connection.parser.feed(&chunk);
                    if let Some(retry) = connection.parser.take_retry() {
                        self.backoff.set_first_delay(retry);
                    }
                    self.pending.extend(messages.into_iter().filter_map(|m| self.tracker.accept(&m)));
                    // The stream's opening id-only message says where it starts: a stream that
                    // drops before its first event resumes from there instead of from "now".
                    if self.tracker.last_id.is_none()
                        && let Some(id) = connection.parser.last_event_id().and_then(|id| id.parse().ok())
                    {
                        self.tracker.last_id = Some(EventId(id));
                    }
                }
                // Dropped, closed by the server, or silent too long: reconnect and resume.
                Ok(Some(Err(_)) | None) | Err(_) => {
                    self.connection = None;
                    self.wait = Some(self.backoff.next_delay());
                }
            }
        }
    }
}

/// Opens one connection, resuming after `last_id`. A free function so the stream's future does
/// not borrow the whole `Follower` (whose connection is `Send` but not `Sync`).
async fn connect(client: &Client, last_id: Option<EventId>) -> Result<Connection, ClientError> {
    let mut request = Request::new(Method::GET, routes::EVENTS);
    request.stream_after = Some(last_id);
    let response = client.send(&request).await?;
    let content_type =
        response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    if !content_type.starts_with("text/event-stream") {
        return Err(ClientError::Protocol {
            url: response.url().to_string(),
            detail: format!("expected an event stream, got content type `{content_type}`"),
        });
    }
    // A body error is a dropped connection: `next_item` reconnects rather than reporting it.
    let body = response.bytes_stream().map(|chunk| chunk.map(|bytes| bytes.to_vec())).boxed();
    Ok(Connection { body, parser: SseParser::new() })
}

/// Turns SSE messages into events, dropping any the caller already has. The server replays
/// everything after `Last-Event-ID`, and a replay may overlap what arrived just before a drop.
#[derive(Debug)]
struct EventTracker {
    last_id: Option<EventId>,
}

impl EventTracker {
    fn accept(&mut self, message: &SseMessage) -> Option<Result<Event, ClientError>> {
        match serde_json::from_str::<Event>(&message.data) {
            Ok(event) => {
                if self.last_id.is_some_and(|last| event.id <= last) {
                    return None;
                }
                self.last_id = Some(event.id);
                Some(Ok(event))
            }
            Err(error) => {
                // Skip past an event this client cannot read (say, a kind added by a newer
                // server) so that resuming does not fetch it again.
                let sse_id = message.id.as_deref().and_then(|id| id.parse::<EventId>().ok());
                if let Some(id) = sse_id {
                    if self.last_id.is_some_and(|last| id <= last) {
                        return None;
                    }
                    self.last_id = Some(id);
                }
                Some(Err(ClientError::Protocol {
                    url: routes::EVENTS.to_string(),
                    detail: format!(
                        "cannot read `{}` event {}: {error}",
                        message.event,
                        message.id.as_deref().unwrap_or("without id")
                    ),
                }))
            }
        }
    }
}

/// Doubling delays between reconnection attempts, from the first delay up to [`MAX_DELAY`].
#[derive(Debug)]
struct Backoff {
    first: Duration,
    next: Duration,
}

impl Backoff {
    fn new() -> Backoff {
        Backoff { first: FIRST_DELAY, next: FIRST_DELAY }
    }

    fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(MAX_DELAY);
        delay
    }

    /// After data arrived: the connection worked, so the next drop starts over.
    fn reset(&mut self) {
        self.next = self.first;
    }

    /// The server's `retry:` wish, within the cap.
    fn set_first_delay(&mut self, delay: Duration) {
        self.first = delay.min(MAX_DELAY);
        self.next = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(id: i64, data: String) -> SseMessage {
        SseMessage { event: "share_changed".into(), data, id: Some(id.to_string()) }
    }

    fn share_changed(id: i64) -> SseMessage {
        message(id, format!(r#"{{"id":{id},"at":"2026-01-01T00:00:00Z","type":"share_changed","share":3,"device":4}}"#))
    }

    #[test]
    fn tracker_yields_each_event_once_in_order() {
        let mut tracker = EventTracker { last_id: None };
        let ids: Vec<i64> = [1, 2, 2, 1, 3]
            .into_iter()
            .filter_map(|id| tracker.accept(&share_changed(id)))
            .map(|r| r.unwrap().id.0)
            .collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }

    #[test]
    fn tracker_drops_events_at_or_before_the_resume_point() {
        let mut tracker = EventTracker { last_id: Some(EventId(5)) };
        assert!(tracker.accept(&share_changed(4)).is_none());
        assert!(tracker.accept(&share_changed(5)).is_none());
        assert_eq!(tracker.accept(&share_changed(6)).unwrap().unwrap().id, EventId(6));
    }

    #[test]
    fn unreadable_event_is_reported_once_and_skipped_on_resume() {
        let mut tracker = EventTracker { last_id: Some(EventId(1)) };
        let alarm = message(2, r#"{"id":2,"at":"2026-01-01T00:00:00Z","type":"alarm"}"#.into());
        assert_eq!(tracker.accept(&alarm).unwrap().unwrap_err().kind(), "protocol");
        assert_eq!(tracker.last_id, Some(EventId(2)));
        assert!(tracker.accept(&alarm).is_none());
    }

    #[test]
    fn backoff_doubles_to_the_cap_and_resets_after_data() {
        let mut backoff = Backoff::new();
        let delays: Vec<u128> = (0..7).map(|_| backoff.next_delay().as_millis()).collect();
        assert_eq!(delays, vec![200, 400, 800, 1600, 3200, 5000, 5000]);
        backoff.reset();
        assert_eq!(backoff.next_delay(), FIRST_DELAY);
        backoff.set_first_delay(Duration::from_secs(60));
        assert_eq!(backoff.next_delay(), MAX_DELAY);
    }
}
