//! Share schedules: a window as typed (`Mon-Fri 09:00-17:00`), a time of day, and a whole
//! schedule or set of terms as JSON from a client. Nothing panics; a parsed window reads back.
#![no_main]

use camshare_api::{Schedule, ScheduleWindow, ShareTerms, TimeOfDay};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(window) = ScheduleWindow::parse(text) {
            let json = serde_json::to_string(&window).expect("serialises");
            let back: ScheduleWindow = serde_json::from_str(&json).expect("reads back");
            assert_eq!(back, window);
        }
        if let Ok(time) = text.parse::<TimeOfDay>() {
            assert_eq!(time.to_string().parse::<TimeOfDay>().expect("again"), time);
        }
    }
    if let Ok(schedule) = serde_json::from_slice::<Schedule>(data) {
        let _ = schedule.validate();
    }
    if let Ok(terms) = serde_json::from_slice::<ShareTerms>(data) {
        let _ = terms.validate();
    }
});
