//! The same simulated samples through all three NGS input kinds — FASTQ
//! (alignment-free), BAM (aligned with bwa, sorted with samtools) and VCF
//! (`bcftools mpileup -a AD` on those BAMs) — must give the same answers
//! within their confidence intervals, with one, two and three donors.
//!
//! One seed (11) makes one panel and one set of people
//! (`bench/ngs/simulate.py`): recipient, haploidentical PBSC donor and two
//! unrelated cord units. Their pure samples are simulated once and shared by
//! the three scenarios, together with three mixes:
//!
//! | donors | persons                   | mix (%)          |
//! |--------|---------------------------|------------------|
//! | 1      | rec, pbsc                 | 10 / 90          |
//! | 2      | rec, pbsc, cord           | 5 / 75 / 20      |
//! | 3      | rec, pbsc, cord, cord2    | 5 / 55 / 25 / 15 |
//!
//! `other_seeds_sweep` (ignored, minutes) repeats the three scenarios on ten
//! more seeds and prints their error, interval coverage and flags.
//!
//! Needs python3, bwa, samtools, bcftools, bgzip and tabix (installed by
//! scripts/test.sh); a missing tool fails the test with its name.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Read pairs per simulated sample (~110 pairs per marker).
const PAIRS: &str = "8000";
/// Simulation seed shared by every sample, so they share panel and people.
const SEED: &str = "11";
/// Largest allowed |estimate − truth|, percentage points.
const TRUTH_TOLERANCE: f64 = 2.5;
/// Largest allowed difference between two input kinds' estimates, points.
const AGREEMENT: f64 = 1.5;
/// QC flags allowed on clean simulated data: outlier markers excluded and
/// refitted is a warning about individual markers, not about the result.
/// Any other flag (NGS-ID, NGS-FIT, NGS-SPLIT, NGS-ERR-PRIOR,
/// NGS-NO-PRESENCE-TEST, NGS-LOD, or one added later) fails the test.
const ALLOWED_FLAGS: &[&str] = &["NGS-OUTLIER"];

/// Largest allowed difference between the VCF and the other inputs in the
/// ignored seed sweep, points.
const SWEEP_VCF_AGREEMENT: f64 = 2.5;
/// Largest allowed |estimate − nominal fraction| in the ignored seed sweep,
/// points. Wider than [`TRUTH_TOLERANCE`]: over ten seeds the simulator's
/// draw of which person each read pair comes from already strays by up to
/// 1.3 points from the nominal fraction (seed 12: 26.3% cord for 25%), and
/// without a recipient-specific marker (seeds 16, 21 with three donors)
/// recipient and haploidentical donor are less well separated (largest
/// error measured: 3.97, seed 21 PBSC from the VCF).
const SWEEP_TRUTH_TOLERANCE: f64 = 5.0;
/// Seeds of the ignored sweep.
const SWEEP_SEEDS: std::ops::RangeInclusive<u32> = 12..=21;

/// The scenarios: mix sample and (person, percent) truth, recipient first.
const SCENARIOS: [(&str, &[(&str, f64)]); 3] = [
    ("mix1", &[("rec", 10.0), ("pbsc", 90.0)]),
    ("mix2", &[("rec", 5.0), ("pbsc", 75.0), ("cord", 20.0)]),
    (
        "mix3",
        &[
            ("rec", 5.0),
            ("pbsc", 55.0),
            ("cord", 25.0),
            ("cord2", 15.0),
        ],
    ),
];

/// Simulated samples: directory name and `--fractions` (recipient,
/// haplo PBSC, cord, cord2).
const SAMPLES: &[(&str, &str)] = &[
    ("rec", "1,0,0"),
    ("pbsc", "0,1,0"),
    ("cord", "0,0,1"),
    ("cord2", "0,0,0,1"),
    ("mix1", "0.10,0.90"),
    ("mix2", "0.05,0.75,0.20"),
    ("mix3", "0.05,0.55,0.25,0.15"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn output(cmd: &mut Command, what: &str) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("{what}: cannot run ({e}); is the tool installed?"))
}

fn run(cmd: &mut Command, what: &str) -> String {
    let o = output(cmd, what);
    assert!(
        o.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// `bench/ngs/simulate.py` into `dir` at `fractions`, then
/// `bench/ngs/align.sh` (bwa mem, samtools sort/index, bgzip/tabix panel).
fn simulate_and_align(dir: &Path, fractions: &str, seed: &str) {
    run(
        Command::new("python3")
            .arg(root().join("bench/ngs/simulate.py"))
            .arg(dir)
            .args(["--fractions", fractions, "--pairs", PAIRS, "--seed", seed]),
        "python3 bench/ngs/simulate.py",
    );
    run(
        Command::new("bash")
            .arg(root().join("bench/ngs/align.sh"))
            .arg(dir)
            .arg("1"),
        "bench/ngs/align.sh",
    );
}

/// Temporary directory name of the fixture, followed by the process id.
const FIXTURE_PREFIX: &str = "gw-ngs-inputs-";

/// Removes fixtures (~26 MB each) left by earlier runs of this test whose
/// process has ended (Linux: no `/proc/PID`). The fixture is kept while its
/// test binary runs, and after it for inspection until the next run.
fn remove_stale_fixtures() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(FIXTURE_PREFIX))
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The seed-11 samples built by [`build`] once per test binary, in
/// `$TMPDIR/gw-ngs-inputs-PID`.
fn fixture() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        remove_stale_fixtures();
        let d = std::env::temp_dir().join(format!("{FIXTURE_PREFIX}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        build(&d, SEED);
        d
    })
}

/// Simulates every sample of [`SAMPLES`] with `seed` into `d`, aligns them,
/// checks they share panel and people, and writes one multi-sample AD
/// pileup of all of them (`pileup.vcf`, columns named after the samples).
fn build(d: &Path, seed: &str) {
    std::fs::create_dir_all(d).unwrap();
    // Simulate and align every sample, two at a time (2-core box).
    std::thread::scope(|scope| {
        for half in SAMPLES.chunks(SAMPLES.len().div_ceil(2)) {
            scope.spawn(move || {
                for (name, fr) in half {
                    simulate_and_align(&d.join(name), fr, seed);
                }
            });
        }
    });
    // Same seed => same panel and same people: every sample's genotype
    // columns are the leading columns of the four-person mix's.
    let first = d.join(SAMPLES[0].0);
    let read = |name: &str, file: &str| std::fs::read_to_string(d.join(name).join(file)).unwrap();
    let all_people = read("mix3", "genotypes.tsv");
    for (name, _) in SAMPLES {
        assert_eq!(
            read(name, "panel.vcf"),
            read("rec", "panel.vcf"),
            "simulate.py: same seed, different panel for {name}"
        );
        for (mine, all) in read(name, "genotypes.tsv").lines().zip(all_people.lines()) {
            assert!(
                all.starts_with(mine),
                "simulate.py: same seed, different people for {name}: {mine} vs {all}"
            );
        }
    }
    // The project's bcftools comparison command (docs/ngs-counting.md),
    // all samples in one pileup, columns renamed after the samples.
    let raw = d.join("raw.vcf");
    let mut mp = Command::new("bcftools");
    mp.current_dir(&first).args([
        "mpileup",
        "-f",
        "ref.fa",
        "-T",
        "panel.vcf.gz",
        "-a",
        "AD",
        "-B",
        "-Q",
        "13",
        "-q",
        "0",
        "-d",
        "1000000",
        "-L",
        "1000000",
        "-m",
        "1",
        "-F",
        "0",
        "--ignore-RG",
        "--ff",
        "UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY",
        "-Ov",
        "-o",
    ]);
    mp.arg(&raw);
    for (name, _) in SAMPLES {
        mp.arg(d.join(name).join("sample.bam"));
    }
    run(&mut mp, "bcftools mpileup");
    let names: Vec<&str> = SAMPLES.iter().map(|s| s.0).collect();
    std::fs::write(d.join("names.txt"), names.join("\n") + "\n").unwrap();
    run(
        Command::new("bcftools")
            .args(["reheader", "-s"])
            .arg(d.join("names.txt"))
            .arg("-o")
            .arg(d.join("pileup.vcf"))
            .arg(&raw),
        "bcftools reheader",
    );
}

/// The input kinds (CRAM only in [`cram_gives_the_bam_result`]).
#[derive(Debug, Clone, Copy)]
enum Kind {
    Fastq,
    Bam,
    Cram,
    Vcf,
}

impl Kind {
    /// The `INPUT` part of `NAME=INPUT` for simulated sample `name`.
    fn input(self, d: &Path, name: &str) -> String {
        let s = d.join(name);
        match self {
            Kind::Fastq => format!(
                "{},{}",
                s.join("sample_R1.fq.gz").display(),
                s.join("sample_R2.fq.gz").display()
            ),
            Kind::Bam => s.join("sample.bam").display().to_string(),
            Kind::Cram => s.join("sample.cram").display().to_string(),
            Kind::Vcf => format!("{}:{name}", d.join("pileup.vcf").display()),
        }
    }
}

/// `graftwatch chimerism ngs` on the panel and reference of the samples in
/// `d`, with the given extra arguments.
fn graftwatch(d: &Path, args: &[String]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_graftwatch"));
    c.args(["chimerism", "ngs", "--panel"])
        .arg(d.join("rec/panel.vcf"))
        .arg("--reference")
        .arg(d.join("rec/ref.fa"))
        .args(args);
    output(&mut c, "graftwatch chimerism ngs")
}

/// One person's row of the TSV output.
#[derive(Debug, Clone)]
struct Row {
    person: String,
    percent: f64,
    low: f64,
    high: f64,
    flags: Vec<String>,
}

fn rows(tsv: &str) -> Vec<Row> {
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let f = |i: usize| c.get(i).and_then(|v| v.parse::<f64>().ok());
            Some(Row {
                person: c.get(3)?.to_string(),
                percent: f(5)?,
                low: f(7)?,
                high: f(8)?,
                flags: c
                    .get(15)?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            })
        })
        .collect()
}

/// Runs the recipient `rec`, the given donors and the sample `mix` of the
/// samples in `d` through one input kind and returns the TSV rows.
fn analyse(d: &Path, kind: Kind, donors: &[&str], mix: &str) -> Vec<Row> {
    let mut args = vec![
        "--recipient".to_string(),
        format!("rec={}", kind.input(d, "rec")),
    ];
    for donor in donors {
        args.push("--donor".into());
        args.push(format!("{donor}={}", kind.input(d, donor)));
    }
    args.extend([
        "--sample".to_string(),
        format!("{mix}={}", kind.input(d, mix)),
        "--min-depth".into(),
        "50".into(),
        "--format".into(),
        "tsv".into(),
    ]);
    let o = graftwatch(d, &args);
    // A sample flagged NGS-ID is reported, then the command exits 2 (stop
    // 36: held back as STR-NO-MATCH is); the flag itself is checked below.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() || (o.status.code() == Some(2) && err.contains("refused (NGS-ID)")),
        "{kind:?} {mix}: {err}"
    );
    rows(&String::from_utf8_lossy(&o.stdout))
}

/// One person's truth and rows from the three input kinds.
struct PersonResult {
    person: String,
    truth: f64,
    rows: Vec<(Kind, Row)>,
}

/// Runs scenario `mix` of the samples in `d` through FASTQ, BAM and VCF
/// and prints one line per person.
fn scenario(d: &Path, mix: &str, truth: &[(&str, f64)]) -> Vec<PersonResult> {
    let donors: Vec<&str> = truth[1..].iter().map(|t| t.0).collect();
    let results: Vec<(Kind, Vec<Row>)> = [Kind::Fastq, Kind::Bam, Kind::Vcf]
        .into_iter()
        .map(|k| (k, analyse(d, k, &donors, mix)))
        .collect();
    truth
        .iter()
        .map(|&(person, t)| {
            let rows: Vec<(Kind, Row)> = results
                .iter()
                .map(|(k, rows)| {
                    let r = rows
                        .iter()
                        .find(|r| r.person == person)
                        .unwrap_or_else(|| panic!("{k:?} {mix}: no row for {person} in {rows:?}"));
                    (*k, r.clone())
                })
                .collect();
            eprintln!(
                "{mix} {person} truth {t}: {}",
                rows.iter()
                    .map(|(k, r)| format!(
                        "{k:?} {:.2} ({:.2}–{:.2}) flags [{}]",
                        r.percent,
                        r.low,
                        r.high,
                        r.flags.join(",")
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            PersonResult {
                person: person.to_string(),
                truth: t,
                rows,
            }
        })
        .collect()
}

/// Every kind's estimate inside its own CI; the three kinds' intervals
/// overlapping pairwise and their estimates within [`AGREEMENT`] points.
fn assert_inputs_agree(mix: &str, p: &PersonResult) {
    let person = &p.person;
    for (k, r) in &p.rows {
        assert!(
            r.low <= r.percent && r.percent <= r.high,
            "{k:?} {mix} {person}: estimate outside its CI {r:?}"
        );
    }
    for (i, (kx, x)) in p.rows.iter().enumerate() {
        for (ky, y) in &p.rows[i + 1..] {
            assert!(
                x.low <= y.high && y.low <= x.high,
                "{kx:?}/{ky:?} {mix} {person}: intervals do not overlap {x:?} vs {y:?}"
            );
            assert!(
                (x.percent - y.percent).abs() < AGREEMENT,
                "{kx:?}/{ky:?} {mix} {person}: {x:?} vs {y:?}"
            );
        }
    }
}

/// On the seed-11 samples: [`assert_inputs_agree`], every person within
/// [`TRUTH_TOLERANCE`] of the truth, and no flag beyond [`ALLOWED_FLAGS`].
fn check_scenario(mix: &str) {
    let (_, truth) = SCENARIOS
        .iter()
        .find(|s| s.0 == mix)
        .unwrap_or_else(|| panic!("no scenario {mix}"));
    for p in scenario(fixture(), mix, truth) {
        assert_inputs_agree(mix, &p);
        let (person, t, picked) = (&p.person, p.truth, &p.rows);
        for (k, r) in picked {
            assert!(
                (r.percent - t).abs() < TRUTH_TOLERANCE,
                "{k:?} {mix} {person}: {} vs truth {t}",
                r.percent
            );
            let bad: Vec<&String> = r
                .flags
                .iter()
                .filter(|f| !ALLOWED_FLAGS.contains(&f.as_str()))
                .collect();
            assert!(
                bad.is_empty(),
                "{k:?} {mix}: QC flags {bad:?} on clean data"
            );
        }
    }
}

#[test]
fn one_donor_fastq_bam_and_vcf_agree() {
    check_scenario("mix1");
}

#[test]
fn two_donors_fastq_bam_and_vcf_agree() {
    check_scenario("mix2");
}

#[test]
fn three_donors_fastq_bam_and_vcf_agree() {
    check_scenario("mix3");
}

/// The QC check above can fail: the three-donor mix analysed without its
/// second cord unit carries alleles no declared person has (NGS-ID).
#[test]
fn undeclared_second_cord_unit_is_flagged() {
    for row in analyse(fixture(), Kind::Bam, &["pbsc", "cord"], "mix3") {
        assert!(
            row.flags.iter().any(|f| f == "NGS-ID"),
            "{row:?} lacks NGS-ID"
        );
    }
}

/// CRAM (reference-compressed, `samtools view -C`) of the same alignments
/// gives exactly the BAM's result through the CLI.
#[test]
fn cram_gives_the_bam_result() {
    let d = fixture();
    for name in ["rec", "pbsc", "cord", "mix2"] {
        let s = d.join(name);
        run(
            Command::new("samtools").current_dir(&s).args([
                "view",
                "-C",
                "-T",
                "ref.fa",
                "-o",
                "sample.cram",
                "sample.bam",
            ]),
            "samtools view -C",
        );
        run(
            Command::new("samtools")
                .current_dir(&s)
                .args(["index", "sample.cram"]),
            "samtools index",
        );
    }
    let bam = analyse(d, Kind::Bam, &["pbsc", "cord"], "mix2");
    let cram = analyse(d, Kind::Cram, &["pbsc", "cord"], "mix2");
    assert!(bam.len() >= 3, "{bam:?}");
    assert_eq!(bam.len(), cram.len());
    for (b, c) in bam.iter().zip(&cram) {
        assert_eq!(
            (&b.person, b.percent, b.low, b.high, &b.flags),
            (&c.person, c.percent, c.low, c.high, &c.flags),
            "BAM vs CRAM"
        );
    }
}

/// Asserts exit code 2, nothing on stdout and every `needle` in stderr.
fn assert_bad_input(o: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty(), "stdout written on error");
    for n in needles {
        assert!(err.contains(n), "stderr lacks '{n}': {err}");
    }
}

#[test]
fn donor_not_in_the_vcf_is_exit_2_naming_file_and_name() {
    let d = fixture();
    let vcf = d.join("pileup.vcf").display().to_string();
    let html = d.join("not-written.html");
    let args = [
        "--recipient".to_string(),
        format!("rec={vcf}"),
        "--donor".into(),
        format!("pbsc={vcf}"),
        // Declared donor whose NAME (the default VCF column) is not a column.
        "--donor".into(),
        format!("cord9={vcf}"),
        "--sample".into(),
        format!("mix3={vcf}"),
        "--html".into(),
        html.display().to_string(),
    ];
    assert_bad_input(&graftwatch(d, &args), &[&vcf, "'cord9'", "cord2"]);
    assert!(!html.exists(), "HTML written on error");
}

#[test]
fn truncated_fastq_is_exit_2_naming_the_file() {
    let d = fixture();
    let t = d.join("truncated");
    std::fs::create_dir_all(&t).unwrap();
    // A download cut short: the gzip stream of R1 ends mid-member.
    let gz = std::fs::read(d.join("pbsc/sample_R1.fq.gz")).unwrap();
    let cut_r1 = t.join("cut_R1.fq.gz");
    std::fs::write(&cut_r1, &gz[..gz.len() / 2]).unwrap();
    let r2 = d.join("pbsc/sample_R2.fq.gz").display().to_string();
    // A plain FASTQ whose last record stops after its sequence line.
    let cut_fq = t.join("cut_record.fq");
    std::fs::write(&cut_fq, "@r1\nACGTACGTAC\n+\nIIIIIIIIII\n@r2\nACGTACGTAC\n").unwrap();
    let rec = Kind::Fastq.input(d, "rec");
    let mix = Kind::Fastq.input(d, "mix1");
    let cut_r1_s = cut_r1.display().to_string();
    let cut_fq_s = cut_fq.display().to_string();
    // Truncated donor pair, then truncated single-end sample.
    for (donor, sample, needles) in [
        (format!("{cut_r1_s},{r2}"), mix, vec![cut_r1_s.as_str()]),
        (
            Kind::Fastq.input(d, "pbsc"),
            cut_fq_s.clone(),
            vec![cut_fq_s.as_str(), "record 2", "truncated"],
        ),
    ] {
        let args = [
            "--recipient".to_string(),
            format!("rec={rec}"),
            "--donor".into(),
            format!("pbsc={donor}"),
            "--sample".into(),
            format!("mix1={sample}"),
        ];
        assert_bad_input(&graftwatch(d, &args), &needles);
    }
}

/// Per-scenario statistics of the seed sweep.
#[derive(Default)]
struct SweepStats {
    rows: usize,
    truth_covered: usize,
    worst_error: f64,
    worst_fastq_bam: f64,
    worst_vcf: f64,
    disjoint: Vec<String>,
    flags: Vec<String>,
}

/// The three scenarios on seeds 12–21, all collected before asserting:
/// every estimate inside its own CI; every pair of input kinds' intervals
/// overlapping; FASTQ and BAM within [`AGREEMENT`] and the VCF within
/// [`SWEEP_VCF_AGREEMENT`] of both (bcftools' indel AD are other counts, see
/// docs/chimerism-ngs.md); the nominal fraction inside at least 85% of the
/// intervals and every estimate within [`SWEEP_TRUTH_TOLERANCE`] of it; flags only from
/// [`ALLOWED_FLAGS`] plus NGS-NO-PRESENCE-TEST and NGS-LOD (with three
/// donors a 72-marker panel can lack a marker where every donor is
/// homozygous for an allele the recipient lacks). Prints a summary.
#[test]
#[ignore = "10 seeds x 7 read-level samples: several minutes; run by hand"]
fn other_seeds_sweep() {
    let base = std::env::temp_dir().join(format!("{FIXTURE_PREFIX}{}", std::process::id()));
    let allowed = [ALLOWED_FLAGS, &["NGS-NO-PRESENCE-TEST", "NGS-LOD"]].concat();
    let mut stats: Vec<SweepStats> = SCENARIOS.iter().map(|_| SweepStats::default()).collect();
    for seed in SWEEP_SEEDS {
        let d = base.join(format!("seed-{seed}"));
        let _ = std::fs::remove_dir_all(&d);
        build(&d, &seed.to_string());
        for ((mix, truth), st) in SCENARIOS.iter().zip(&mut stats) {
            for p in scenario(&d, mix, truth) {
                for (k, r) in &p.rows {
                    assert!(
                        r.low <= r.percent && r.percent <= r.high,
                        "seed {seed} {k:?} {mix} {}: estimate outside its CI {r:?}",
                        p.person
                    );
                    st.rows += 1;
                    st.truth_covered += usize::from(r.low <= p.truth && p.truth <= r.high);
                    st.worst_error = st.worst_error.max((r.percent - p.truth).abs());
                    // Flags belong to the sample: listed once, with the recipient.
                    if p.person == truth[0].0 {
                        for f in &r.flags {
                            st.flags.push(format!("seed {seed} {k:?}: {f}"));
                        }
                    }
                }
                for (i, (kx, x)) in p.rows.iter().enumerate() {
                    for (ky, y) in &p.rows[i + 1..] {
                        let diff = (x.percent - y.percent).abs();
                        if matches!(ky, Kind::Vcf) {
                            st.worst_vcf = st.worst_vcf.max(diff);
                        } else {
                            st.worst_fastq_bam = st.worst_fastq_bam.max(diff);
                        }
                        if x.low > y.high || y.low > x.high {
                            st.disjoint
                                .push(format!("seed {seed} {kx:?}/{ky:?} {}", p.person));
                        }
                    }
                }
            }
        }
        let _ = std::fs::remove_dir_all(&d);
    }
    for ((mix, _), st) in SCENARIOS.iter().zip(&stats) {
        eprintln!(
            "{mix}: truth inside the CI in {}/{} rows; largest |error| {:.2}; largest |FASTQ-BAM| {:.2}, |VCF-other| {:.2} points; disjoint intervals: {}; flags: {}",
            st.truth_covered,
            st.rows,
            st.worst_error,
            st.worst_fastq_bam,
            st.worst_vcf,
            st.disjoint.len(),
            if st.flags.is_empty() {
                "none".to_string()
            } else {
                st.flags.join("; ")
            }
        );
    }
    for ((mix, _), st) in SCENARIOS.iter().zip(&stats) {
        assert!(st.disjoint.is_empty(), "{mix}: {:?}", st.disjoint);
        assert!(st.worst_fastq_bam < AGREEMENT, "{mix}: FASTQ vs BAM");
        assert!(st.worst_vcf < SWEEP_VCF_AGREEMENT, "{mix}: VCF vs others");
        assert!(
            st.truth_covered as f64 >= 0.85 * st.rows as f64,
            "{mix}: truth inside only {}/{} intervals",
            st.truth_covered,
            st.rows
        );
        assert!(
            st.worst_error < SWEEP_TRUTH_TOLERANCE,
            "{mix}: an estimate {:.2} off",
            st.worst_error
        );
        let bad: Vec<&String> = st
            .flags
            .iter()
            .filter(|f| !allowed.iter().any(|a| f.ends_with(&format!(": {a}"))))
            .collect();
        assert!(bad.is_empty(), "{mix}: flags on clean data: {bad:?}");
    }
}
