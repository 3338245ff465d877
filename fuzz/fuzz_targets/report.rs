//! The full HTML report over any course the JSON reader accepts: no panic,
//! hang or unbounded allocation whatever the values.
#![no_main]
use graftwatch_report::alerts::AlertConfig;
use graftwatch_report::analysis::Analysis;
use graftwatch_report::full::{figure_data_json, full_report};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(loaded) = graftwatch_course::io::read_json_str(text, Path::new("fuzz.json")) else {
        return;
    };
    let course = &loaded.course;
    let analysis = Analysis::for_course(course, &AlertConfig::default());
    let html = full_report(course, &analysis).to_html();
    assert!(html.len() < 64 << 20, "report of {} bytes", html.len());
    let _ = figure_data_json(course, &analysis);
});
