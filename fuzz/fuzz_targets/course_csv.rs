//! Course CSV reader on arbitrary bytes: an error or a course, never a
//! panic, hang or unbounded allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = graftwatch_course::io_csv::read_csv_str(text, Path::new("fuzz.csv"));
    }
});
