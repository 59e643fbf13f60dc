//! The client's Server-Sent Events parser fed a (possibly hostile) server's bytes: never panics,
//! and the messages do not depend on where the chunks break (the input split at a point taken
//! from its first byte).
#![no_main]

use camshare_client::sse::SseParser;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, body)) = data.split_first() else { return };
    let whole = SseParser::new().feed(body);
    let at = usize::from(cut) * body.len() / 256;
    let mut parts = SseParser::new();
    let mut split = parts.feed(&body[..at]);
    split.extend(parts.feed(&body[at..]));
    assert_eq!(whole, split);
});
