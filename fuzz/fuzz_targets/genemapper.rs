//! GeneMapper / OSIRIS table parser on arbitrary text (lossy UTF-8, as
//! `read_genemapper` does), with and without unknown-marker skipping.
#![no_main]
use graftwatch_genomics_io::genemapper::{GeneMapperOptions, parse_genemapper};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for ignore_unknown_markers in [false, true] {
        let opts = GeneMapperOptions {
            ignore_unknown_markers,
        };
        let _ = parse_genemapper(&text, Path::new("fuzz.txt"), opts);
    }
});
