//! Playback lookback limits, as typed (`48h`, `7d`, `since …`) and as JSON: nothing panics, and
//! a valid one reads back the same.
#![no_main]

use camshare_api::Lookback;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(lookback) = text.parse::<Lookback>()
        && lookback.validate().is_ok()
    {
        let json = serde_json::to_string(&lookback).expect("serialises");
        assert_eq!(serde_json::from_str::<Lookback>(&json).expect("reads back"), lookback);
    }
    if let Ok(lookback) = serde_json::from_slice::<Lookback>(data) {
        let _ = lookback.validate();
    }
});
