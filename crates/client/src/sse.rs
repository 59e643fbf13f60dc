//! A Server-Sent Events parser: bytes in, messages out, as the WHATWG "event stream
//! interpretation" describes it. It knows nothing of HTTP or of Camshare's events, so it can be
//! fed arbitrary chunks in tests (and by the fuzz target `fuzz/fuzz_targets/sse.rs`, which is why
//! it is public). A server cannot make it hold without end: a line over 64 KiB and a message over
//! 1 MiB are dropped.

use std::time::Duration;

/// One dispatched SSE message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseMessage {
    /// The `event:` field, or `message` when the server sent none.
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The last `id:` seen on this connection, which the spec carries over to later messages.
    pub id: Option<String>,
}

/// Incremental parser. Bytes are kept until a line ends, so a chunk may stop anywhere: inside a
/// line, between a CR and its LF, or inside a multi-byte UTF-8 character.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    /// The current line outgrew `MAX_LINE`: it is dropped when it ends.
    overlong: bool,
    /// The current message outgrew `MAX_MESSAGE`: it is dropped when it is dispatched.
    oversized: bool,
    /// The previous byte was a CR; an LF right after it ends the same line, not a second one.
    after_cr: bool,
    /// The first line was seen; only the first may carry a byte-order mark.
    started: bool,
    data: String,
    event: String,
    last_id: String,
    retry: Option<Duration>,
}

/// The longest line kept; Camshare's events are a few hundred bytes.
pub const MAX_LINE: usize = 64 * 1024;
/// The most data one message may gather over its `data:` lines.
pub const MAX_MESSAGE: usize = 1024 * 1024;

impl SseParser {
    pub fn new() -> SseParser {
        SseParser::default()
    }

    /// Feeds one chunk and returns the messages it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseMessage> {
        let mut out = Vec::new();
        for &byte in chunk {
            if std::mem::take(&mut self.after_cr) && byte == b'\n' {
                continue;
            }
            match byte {
                b'\n' => self.end_line(&mut out),
                b'\r' => {
                    self.end_line(&mut out);
                    self.after_cr = true;
                }
                _ if self.line.len() < MAX_LINE => self.line.push(byte),
                _ => self.overlong = true,
            }
        }
        out
    }

    /// The last event id the server set on this connection, whether or not a message carried
    /// it: the server opens every stream with an id-only message naming where it starts.
    pub fn last_event_id(&self) -> Option<&str> {
        (!self.last_id.is_empty()).then_some(self.last_id.as_str())
    }

    /// The reconnection delay the server asked for with `retry:`, once; later calls return
    /// `None` until it asks again.
    pub fn take_retry(&mut self) -> Option<Duration> {
        self.retry.take()
    }

    fn end_line(&mut self, out: &mut Vec<SseMessage>) {
        let raw = std::mem::take(&mut self.line);
        if std::mem::take(&mut self.overlong) {
            return;
        }
        let mut line = String::from_utf8_lossy(&raw).into_owned();
        if !std::mem::replace(&mut self.started, true) && line.starts_with('\u{feff}') {
            line.remove(0);
        }
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if line.starts_with(':') {
            return; // a comment: the server's keep-alive
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" if self.data.len() + value.len() < MAX_MESSAGE => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "data" => self.oversized = true,
            "id" if !value.contains('\0') => self.last_id = value.to_string(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                if let Ok(ms) = value.parse() {
                    self.retry = Some(Duration::from_millis(ms));
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<SseMessage>) {
        let event = std::mem::take(&mut self.event);
        if std::mem::take(&mut self.oversized) {
            self.data.clear();
            return;
        }
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop(); // the `\n` after the last data line
        out.push(SseMessage {
            event: if event.is_empty() { "message".to_string() } else { event },
            data,
            id: (!self.last_id.is_empty()).then(|| self.last_id.clone()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlong_lines_and_oversized_messages_are_dropped() {
        let mut parser = SseParser::new();
        let mut input = b"data: ".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE * 2));
        input.extend_from_slice(b"\n\ndata: ok\n\n");
        assert_eq!(parser.feed(&input), vec![message("message", "ok", None)]);
        assert!(parser.line.capacity() <= MAX_LINE * 2, "the parser held the whole line");
        let line = format!("data: {}\n", "y".repeat(MAX_LINE - 100));
        let mut big = line.repeat(MAX_MESSAGE / (MAX_LINE - 100) + 2).into_bytes();
        big.extend_from_slice(b"\ndata: after\n\n");
        assert_eq!(SseParser::new().feed(&big), vec![message("message", "after", None)]);
    }

    fn message(event: &str, data: &str, id: Option<&str>) -> SseMessage {
        SseMessage { event: event.to_string(), data: data.to_string(), id: id.map(str::to_string) }
    }

    /// Feeds the whole input split at every possible pair of points, so every chunk boundary is
    /// tried, and checks the result never depends on where the chunks break.
    fn parse_in_all_splits(input: &[u8]) -> Vec<SseMessage> {
        let whole = SseParser::new().feed(input);
        for i in 0..=input.len() {
            for j in i..=input.len() {
                let mut parser = SseParser::new();
                let mut got = parser.feed(&input[..i]);
                got.extend(parser.feed(&input[i..j]));
                got.extend(parser.feed(&input[j..]));
                assert_eq!(got, whole, "split at {i} and {j}");
            }
        }
        whole
    }

    #[test]
    fn event_with_id_and_name_is_dispatched_on_the_blank_line() {
        let got = parse_in_all_splits(b"id: 7\nevent: share_changed\ndata: {\"a\":1}\n\n");
        assert_eq!(got, vec![message("share_changed", "{\"a\":1}", Some("7"))]);
    }

    #[test]
    fn chunk_boundary_inside_a_line_keeps_the_line_whole() {
        let mut parser = SseParser::new();
        assert!(parser.feed(b"data: hel").is_empty());
        assert!(parser.feed(b"lo\n").is_empty());
        assert_eq!(parser.feed(b"\n"), vec![message("message", "hello", None)]);
    }

    #[test]
    fn crlf_and_lone_cr_end_lines_even_when_split_between_chunks() {
        let mut parser = SseParser::new();
        assert!(parser.feed(b"data: a\r").is_empty());
        // The LF completes the CR above; it must not count as the blank line.
        assert!(parser.feed(b"\ndata: b\r").is_empty());
        assert_eq!(parser.feed(b"\n\r\n"), vec![message("message", "a\nb", None)]);
        assert_eq!(
            parse_in_all_splits(b"data: x\r\rdata: y\r\n\r\n"),
            vec![message("message", "x", None), message("message", "y", None)]
        );
    }

    #[test]
    fn multi_line_data_is_joined_with_newlines() {
        let got = parse_in_all_splits(b"data: first\ndata:second\ndata:  third\ndata\n\n");
        assert_eq!(got, vec![message("message", "first\nsecond\n third\n", None)]);
    }

    #[test]
    fn an_id_without_data_dispatches_nothing_but_sets_the_position() {
        let mut parser = SseParser::new();
        assert!(parser.feed(b"id: 42\n: connected\n\n").is_empty());
        assert_eq!(parser.last_event_id(), Some("42"));
    }

    #[test]
    fn comments_are_ignored_and_never_dispatch() {
        let got = parse_in_all_splits(b": keep-alive\n\n:\n\ndata: x\n: inside\n\n");
        assert_eq!(got, vec![message("message", "x", None)]);
    }

    #[test]
    fn id_carries_over_until_changed_and_an_empty_id_clears_it() {
        let got = parse_in_all_splits(b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n");
        assert_eq!(
            got,
            vec![message("message", "a", Some("1")), message("message", "b", Some("1")), message("message", "c", None)]
        );
    }

    #[test]
    fn event_name_applies_to_one_message_only() {
        let got = parse_in_all_splits(b"event: a\ndata: 1\n\ndata: 2\n\nevent: b\n\ndata: 3\n\n");
        // The `event: b` block has no data, so it is not dispatched and its name is dropped.
        assert_eq!(got, vec![message("a", "1", None), message("message", "2", None), message("message", "3", None)]);
    }

    #[test]
    fn retry_is_read_only_when_all_digits() {
        let mut parser = SseParser::new();
        parser.feed(b"retry: 1500\n");
        assert_eq!(parser.take_retry(), Some(Duration::from_millis(1500)));
        assert_eq!(parser.take_retry(), None);
        parser.feed(b"retry: soon\nretry: 15s\n");
        assert_eq!(parser.take_retry(), None);
    }

    #[test]
    fn unfinished_message_is_not_dispatched() {
        assert!(SseParser::new().feed(b"id: 3\ndata: half").is_empty());
        assert!(SseParser::new().feed(b"id: 3\ndata: whole line but no blank line\n").is_empty());
    }

    #[test]
    fn byte_order_mark_is_skipped_and_split_utf8_survives() {
        let input = "\u{feff}data: caméra 📷\n\n".as_bytes();
        assert_eq!(parse_in_all_splits(input), vec![message("message", "caméra 📷", None)]);
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let got = parse_in_all_splits(b"foo: bar\ndata: x\nbaz\n\n");
        assert_eq!(got, vec![message("message", "x", None)]);
    }
}
