//! BCF FORMAT/AD and GT readers (BGZF-framed or raw BCF, chosen by
//! content) on arbitrary bytes, against the example panel
//! (examples/ngs/panel.vcf, embedded at build time).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

use graftwatch_chimerism::Marker;
use graftwatch_genomics_io::panel::read_panel;
use graftwatch_genomics_io::vcf_ad::{read_vcf_ad, read_vcf_gt, vcf_samples};

#[path = "common_file.rs"]
mod common_file;

const PANEL: &[u8] = include_bytes!("../../examples/ngs/panel.vcf");

fn markers() -> &'static [Marker] {
    static M: OnceLock<Vec<Marker>> = OnceLock::new();
    M.get_or_init(|| {
        let p = common_file::scratch("fixed-panel.vcf", PANEL);
        read_panel(&p).expect("the example panel reads")
    })
}

fuzz_target!(|data: &[u8]| {
    let m = markers();
    let p = common_file::scratch("sample.bcf", data);
    let samples = vcf_samples(&p).unwrap_or_default();
    let sample = samples.first().map(String::as_str).unwrap_or("SAMPLE");
    let _ = read_vcf_ad(&p, sample, m);
    let _ = read_vcf_gt(&p, sample, m);
});
