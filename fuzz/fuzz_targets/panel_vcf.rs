//! Panel VCF reader on arbitrary bytes (plain or gzip by content).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common_file.rs"]
mod common_file;

fuzz_target!(|data: &[u8]| {
    let p = common_file::scratch("panel.vcf", data);
    let _ = graftwatch_genomics_io::panel::read_panel(&p);
});
