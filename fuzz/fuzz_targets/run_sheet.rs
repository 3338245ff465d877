//! Chimerism run sheet parser on arbitrary bytes (any encoding, as
//! `read_run_sheet` reads a file), with and without a caller's input check.
#![no_main]
use graftwatch_genomics_io::run_sheet::{parse_run_sheet, parse_run_sheet_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sheet) = parse_run_sheet(data, "fuzz.csv") {
        assert!(!sheet.rows.is_empty());
        for row in &sheet.rows {
            assert!(!row.input.is_empty());
            assert!(row.purity.is_none_or(|p| p > 0.0 && p <= 1.0));
        }
    }
    // The check sees every row the reader accepts, in order, and its
    // error ends the read.
    let mut last = 0;
    let _ = parse_run_sheet_with(data, "fuzz.csv", &mut |r| {
        assert!(r.line > last && !r.input.is_empty());
        last = r.line;
        if r.input.len() % 7 == 3 {
            Err(format!("input '{}' refused", r.input))
        } else {
            Ok(())
        }
    });
});
