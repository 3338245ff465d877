//! The example panel (examples/ngs/panel.vcf, embedded at build time) and
//! the FORMAT/AD and GT reads both the VCF and the BCF targets run on it.
use std::sync::OnceLock;

use graftwatch_chimerism::Marker;
use graftwatch_genomics_io::panel::read_panel;
use graftwatch_genomics_io::vcf_ad::{read_vcf_ad, read_vcf_gt, vcf_samples};

use super::common_file;

const PANEL: &[u8] = include_bytes!("../../examples/ngs/panel.vcf");

/// The markers of the example panel, read once.
pub fn markers() -> &'static [Marker] {
    static M: OnceLock<Vec<Marker>> = OnceLock::new();
    M.get_or_init(|| {
        let p = common_file::scratch("fixed-panel.vcf", PANEL);
        read_panel(&p).expect("the example panel reads")
    })
}

/// Writes `data` to the scratch file `name` and reads its sample list,
/// then AD and GT for the first sample (or `SAMPLE`) against the panel.
pub fn read_ad_and_gt(name: &str, data: &[u8]) {
    let m = markers();
    let p = common_file::scratch(name, data);
    let samples = vcf_samples(&p).unwrap_or_default();
    let sample = samples.first().map(String::as_str).unwrap_or("SAMPLE");
    let _ = read_vcf_ad(&p, sample, m);
    let _ = read_vcf_gt(&p, sample, m);
}
