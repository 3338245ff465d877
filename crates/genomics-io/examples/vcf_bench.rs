//! Timed run of the VCF/BCF readers on their hot path: the panel reader
//! (`read_panel`) and the FORMAT/AD and FORMAT/GT readers
//! (`read_vcf_ad`, `read_vcf_gt`) over one data file (plain VCF, bgzipped
//! VCF or BCF), median wall time of ROUNDS rounds each, with a checksum of
//! what was read so that two builds (e.g. before and after a change of
//! parser) can be compared on the same files.
//!
//! ```sh
//! bench/vcf/run.sh            # makes the data, builds this with --profile quick-release
//! vcf_bench PANEL.vcf DATA.vcf[.gz|.bcf] SAMPLE [ROUNDS]
//! ```
//!
//! Results: `docs/benchmarks.md`, "VCF/BCF record parsing".

use std::path::Path;
use std::time::{Duration, Instant};

use graftwatch_genomics_io::panel::read_panel;
use graftwatch_genomics_io::vcf_ad::{read_vcf_ad, read_vcf_gt};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn timed<T>(rounds: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(rounds);
    let mut last = None;
    for _ in 0..rounds {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed());
    }
    (median(times), last.expect("at least one round"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: vcf_bench PANEL DATA SAMPLE [ROUNDS]");
        std::process::exit(2);
    }
    let rounds: usize = args.get(4).and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let (panel, data, sample) = (Path::new(&args[1]), Path::new(&args[2]), &args[3]);
    let (t_panel, markers) = timed(rounds, || read_panel(panel).expect("panel reads"));
    let (t_ad, ad) = timed(rounds, || {
        read_vcf_ad(data, sample, &markers).expect("AD reads")
    });
    let (t_gt, gt) = timed(rounds, || {
        read_vcf_gt(data, sample, &markers).expect("GT reads")
    });
    let ad_sum: u64 = ad
        .iter()
        .flatten()
        .map(|c| u64::from(c.ref_count) * 3 + u64::from(c.alt_count) * 7 + u64::from(c.other))
        .sum();
    let gt_ok = gt.iter().filter(|g| g.is_ok()).count();
    println!(
        "{}\tmarkers {}\tpanel {:.3} s\tAD {:.3} s\tGT {:.3} s\tAD found {}\tAD checksum {ad_sum}\tGT called {gt_ok}",
        data.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
        markers.len(),
        t_panel.as_secs_f64(),
        t_ad.as_secs_f64(),
        t_gt.as_secs_f64(),
        ad.iter().flatten().count(),
    );
}
