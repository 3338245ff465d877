//! BCF FORMAT/AD and GT readers (BGZF-framed or raw BCF, chosen by
//! content) on arbitrary bytes, against the example panel
//! (examples/ngs/panel.vcf, embedded at build time).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common_file.rs"]
mod common_file;
#[path = "example_panel.rs"]
mod example_panel;

fuzz_target!(|data: &[u8]| {
    example_panel::read_ad_and_gt("sample.bcf", data);
});
