//! `graftwatch chimerism str`: STR chimerism from GeneMapper-style peak
//! tables for a recipient and any number of donors.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use graftwatch_chimerism::str::{Detection, Measure, StrConfig, StrReferences, StrSampleResult};
use graftwatch_core::{Date, DonorId, Lineage};
use graftwatch_genomics_io::genemapper::{GeneMapperOptions, GeneMapperTable, read_genemapper};
use serde::Serialize;

use crate::BadInput;

/// Output format on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrFormat {
    /// Human-readable tables.
    Table,
    /// Everything (references, informativeness, per-locus detail) as JSON.
    Json,
    /// One row per sample and person.
    Csv,
}

/// Peak measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrMeasure {
    /// Peak area.
    Area,
    /// Peak height.
    Height,
}

/// Arguments of `chimerism str`.
#[derive(Args, Debug)]
pub struct StrArgs {
    /// Recipient's pre-transplant profile, as FILE:SAMPLE.
    #[arg(long, value_name = "FILE:SAMPLE")]
    pub recipient: String,
    /// A donor's profile, as NAME=FILE:SAMPLE (repeat for each donor; NAME is the donor id in the course).
    #[arg(long = "donor", value_name = "NAME=FILE:SAMPLE", required = true)]
    pub donors: Vec<String>,
    /// A post-transplant sample, as FILE:SAMPLE[:LINEAGE[:DATE]] (lineage defaults to whole_blood; DATE is YYYY-MM-DD, needed for --add-to).
    #[arg(
        long = "sample",
        value_name = "FILE:SAMPLE[:LINEAGE[:DATE]]",
        required = true
    )]
    pub samples: Vec<String>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: StrFormat,
    /// Also write a self-contained HTML view (inline SVG) to this file.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Add the results as chimerism observations to this course file (.json or .csv).
    #[arg(long, value_name = "COURSE")]
    pub add_to: Option<PathBuf>,
    /// Peak measure used for quantification.
    #[arg(long, value_enum, default_value = "area")]
    pub measure: StrMeasure,
    /// Analytical threshold in RFU (peak height).
    #[arg(long, default_value_t = 50.0, value_name = "RFU")]
    pub analytical_threshold: f64,
    /// Reference allele calling: minimum fraction of the locus maximum.
    #[arg(long, default_value_t = 0.5, value_name = "FRACTION")]
    pub relative_threshold: f64,
    /// Do not model stutter; exclude loci with an allele in another person's back-stutter position instead.
    #[arg(long)]
    pub no_stutter_model: bool,
    /// Skip rows with unknown marker names instead of failing.
    #[arg(long)]
    pub ignore_unknown_markers: bool,
    /// Use Amelogenin (X/Y) in the quantification.
    #[arg(long)]
    pub include_amelogenin: bool,
    /// Bootstrap replicates for the confidence interval.
    #[arg(long, default_value_t = 500)]
    pub bootstrap: usize,
}

/// A parsed `--sample` specification.
#[derive(Debug, Clone)]
struct SampleSpec {
    file: PathBuf,
    sample: String,
    lineage: Lineage,
    date: Option<Date>,
}

fn split_file_sample(
    spec: &str,
    flag: &str,
    expected: &str,
) -> anyhow::Result<(PathBuf, String, Vec<String>)> {
    let parts: Vec<&str> = spec.split(':').collect();
    if parts.len() < 2 || parts[0].trim().is_empty() || parts[1].trim().is_empty() {
        anyhow::bail!(BadInput(format!("{flag} '{spec}': expected {expected}")));
    }
    Ok((
        PathBuf::from(parts[0].trim()),
        parts[1].trim().to_string(),
        parts[2..].iter().map(|s| s.trim().to_string()).collect(),
    ))
}

fn parse_sample(spec: &str) -> anyhow::Result<SampleSpec> {
    let expected = "FILE:SAMPLE[:LINEAGE[:DATE]], e.g. run12.txt:PB-d30-CD3:cd3:2025-03-14";
    let (file, sample, rest) = split_file_sample(spec, "--sample", expected)?;
    if rest.len() > 2 {
        anyhow::bail!(BadInput(format!(
            "--sample '{spec}': too many ':'-separated parts; expected {expected}"
        )));
    }
    let lineage = match rest.first().filter(|s| !s.is_empty()) {
        Some(l) => l
            .parse::<Lineage>()
            .map_err(|e| BadInput(format!("--sample '{spec}': {e}")))?,
        None => Lineage::WholeBlood,
    };
    let date = match rest.get(1) {
        Some(d) => Some(
            d.parse::<Date>()
                .map_err(|e| BadInput(format!("--sample '{spec}': {e}")))?,
        ),
        None => None,
    };
    Ok(SampleSpec {
        file,
        sample,
        lineage,
        date,
    })
}

/// Everything the command produced, as written by `--format json`.
#[derive(Serialize)]
struct StrReport<'a> {
    references: &'a StrReferences,
    samples: Vec<SampleOut<'a>>,
}

#[derive(Serialize)]
struct SampleOut<'a> {
    date: Option<Date>,
    file: String,
    #[serde(flatten)]
    result: &'a StrSampleResult,
}

/// Runs `chimerism str`.
pub fn run(args: StrArgs) -> anyhow::Result<()> {
    let cfg = StrConfig {
        measure: match args.measure {
            StrMeasure::Area => Measure::Area,
            StrMeasure::Height => Measure::Height,
        },
        analytical_threshold_rfu: args.analytical_threshold,
        relative_threshold: args.relative_threshold,
        model_stutter: !args.no_stutter_model,
        include_amelogenin: args.include_amelogenin,
        bootstrap_replicates: args.bootstrap,
        ..StrConfig::default()
    };
    cfg.validate()
        .map_err(|e| BadInput(format!("invalid option: {e}")))?;
    let opts = GeneMapperOptions {
        ignore_unknown_markers: args.ignore_unknown_markers,
    };

    // Parse every specification first.
    let (rfile, rsample, rrest) = split_file_sample(&args.recipient, "--recipient", "FILE:SAMPLE")?;
    if !rrest.is_empty() {
        anyhow::bail!(BadInput(format!(
            "--recipient '{}': expected FILE:SAMPLE",
            args.recipient
        )));
    }
    let mut donor_specs = Vec::new();
    for d in &args.donors {
        let Some((name, rest)) = d.split_once('=') else {
            anyhow::bail!(BadInput(format!(
                "--donor '{d}': expected NAME=FILE:SAMPLE, e.g. UCB-1=refs.txt:UCB-1-pure"
            )));
        };
        let (file, sample, extra) = split_file_sample(rest, "--donor", "NAME=FILE:SAMPLE")?;
        if name.trim().is_empty() || !extra.is_empty() {
            anyhow::bail!(BadInput(format!(
                "--donor '{d}': expected NAME=FILE:SAMPLE"
            )));
        }
        donor_specs.push((DonorId(name.trim().to_string()), file, sample));
    }
    let samples: Vec<SampleSpec> = args
        .samples
        .iter()
        .map(|s| parse_sample(s))
        .collect::<anyhow::Result<_>>()?;
    if args.add_to.is_some()
        && let Some(s) = samples.iter().find(|s| s.date.is_none())
    {
        anyhow::bail!(BadInput(format!(
            "--add-to needs a date for every sample: '{}' has none (use FILE:SAMPLE:LINEAGE:YYYY-MM-DD)",
            s.sample
        )));
    }

    // Read each file once.
    let mut tables: BTreeMap<PathBuf, GeneMapperTable> = BTreeMap::new();
    let mut load = |p: &Path| -> anyhow::Result<()> {
        if !tables.contains_key(p) {
            let t = read_genemapper(p, opts).map_err(|e| BadInput(e.to_string()))?;
            tables.insert(p.to_path_buf(), t);
        }
        Ok(())
    };
    load(&rfile)?;
    for (_, f, _) in &donor_specs {
        load(f)?;
    }
    for s in &samples {
        load(&s.file)?;
    }
    let profile = |f: &Path, s: &str| tables[f].profile(s).map_err(|e| BadInput(e.to_string()));
    let recipient = profile(&rfile, &rsample)?;
    let donors: Vec<_> = donor_specs
        .iter()
        .map(|(id, f, s)| Ok((id.clone(), profile(f, s)?)))
        .collect::<anyhow::Result<_>>()?;
    let refs = StrReferences::new(recipient, &donors, cfg).map_err(|e| BadInput(e.to_string()))?;
    let mut results = Vec::new();
    for s in &samples {
        let p = profile(&s.file, &s.sample)?;
        let res = refs
            .estimate(p, s.lineage)
            .map_err(|e| BadInput(format!("{}: {e}", s.file.display())))?;
        results.push(res);
    }
    let mut extra_flags: Vec<String> = Vec::new();
    for t in tables.values() {
        for n in &t.notes {
            extra_flags.push(format!(
                "[{}] {} line {}: sample '{}': {}",
                n.code.code(),
                t.path.display(),
                n.line,
                n.sample,
                n.text
            ));
        }
    }

    // Build every output in memory before writing anything.
    let stdout_text = match args.format {
        StrFormat::Table => render_table(&refs, &samples, &results, &extra_flags),
        StrFormat::Csv => render_csv(&samples, &results),
        StrFormat::Json => {
            let report = StrReport {
                references: &refs,
                samples: samples
                    .iter()
                    .zip(&results)
                    .map(|(s, r)| SampleOut {
                        date: s.date,
                        file: s.file.display().to_string(),
                        result: r,
                    })
                    .collect(),
            };
            serde_json::to_string_pretty(&report).context("serialising the STR report")? + "\n"
        }
    };
    let html = args.html.as_ref().map(|_| {
        super::chimerism_str_html::render(
            &refs,
            &samples.iter().map(|s| s.date).collect::<Vec<_>>(),
            &results,
        )
    });
    let course = match &args.add_to {
        Some(path) => Some(add_to_course(path, &samples, &results)?),
        None => None,
    };
    if let (Some(path), Some(text)) = (&args.html, &html) {
        write_atomic(path, text)?;
    }
    if let (Some(path), Some(course)) = (&args.add_to, &course) {
        graftwatch_course::write_course(path, course)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    print!("{stdout_text}");
    Ok(())
}

fn add_to_course(
    path: &Path,
    samples: &[SampleSpec],
    results: &[StrSampleResult],
) -> anyhow::Result<graftwatch_course::Course> {
    use graftwatch_course::{ChimerismMethod, Observation};
    let loaded = graftwatch_course::read_course(path)
        .map_err(|e| BadInput(format!("--add-to {}: {e}", path.display())))?;
    let mut course = loaded.course;
    let ids: Vec<String> = course.donors.iter().map(|d| d.id.0.clone()).collect();
    for r in results {
        for p in &r.persons[1..] {
            if !ids.contains(&p.person.to_string()) {
                anyhow::bail!(BadInput(format!(
                    "--add-to {}: donor '{}' is not a donor of this course (donors: {}); name the --donor as in the course",
                    path.display(),
                    p.person,
                    if ids.is_empty() {
                        "none".to_string()
                    } else {
                        ids.join(", ")
                    }
                )));
            }
        }
    }
    for (s, r) in samples.iter().zip(results) {
        let Some(date) = s.date else { continue };
        for p in &r.persons {
            let pct = (p.percent * 100.0).round() / 100.0;
            course.observations.push(Observation::chimerism(
                date,
                r.lineage,
                p.person.clone(),
                pct,
                ChimerismMethod::Str,
                Some(r.sample.clone()),
            ));
        }
    }
    course.sort();
    Ok(course)
}

fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into())
}

fn detection_text(p: &graftwatch_chimerism::str::PersonEstimate) -> String {
    let lod = p
        .detection_limit_percent
        .map(|l| format!("{l:.1}%"))
        .unwrap_or_else(|| "-".into());
    match p.detection {
        Detection::Present => format!(
            "present ({}/{} loci; LoD {lod})",
            p.loci_detected, p.loci_assessable
        ),
        Detection::NotDetected => format!("not detected (< LoD {lod})"),
        Detection::NotAssessable => "not assessable".into(),
    }
}

fn render_table(
    refs: &StrReferences,
    samples: &[SampleSpec],
    results: &[StrSampleResult],
    extra_flags: &[String],
) -> String {
    let mut o = String::new();
    let names: Vec<String> = refs.persons.iter().map(|p| p.person.to_string()).collect();
    let _ = writeln!(
        o,
        "STR chimerism: {} (recipient '{}') + {} donor(s)",
        names.join(", "),
        refs.persons[0].sample,
        refs.persons.len() - 1
    );
    let _ = writeln!(
        o,
        "\nInformativeness (unique alleles per person; * = in another person's back-stutter position):"
    );
    let _ = write!(o, "{:<10}", "locus");
    for n in &names {
        let _ = write!(o, " {:<24}", n);
    }
    o.push('\n');
    for li in &refs.informativeness {
        let _ = write!(o, "{:<10}", li.locus.name());
        for p in &li.persons {
            let uniq: Vec<String> = p
                .unique
                .iter()
                .map(|a| {
                    if p.in_back_stutter_position.contains(a) {
                        format!("{a}*")
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            let cell = format!(
                "{} [{}]",
                p.genotype,
                if uniq.is_empty() {
                    "-".into()
                } else {
                    uniq.join(",")
                }
            );
            let _ = write!(o, " {:<24}", cell);
        }
        o.push('\n');
    }
    // Flags raised identically for every sample (reference-level) are printed once.
    let common: Vec<&graftwatch_chimerism::str::StrFlag> = results
        .first()
        .map(|first| {
            first
                .flags
                .iter()
                .filter(|f| results.iter().all(|r| r.flags.contains(f)))
                .collect()
        })
        .unwrap_or_default();
    if !common.is_empty() {
        let _ = writeln!(o, "\nFlags (every sample):");
        for f in &common {
            let _ = writeln!(o, "  {f}");
        }
    }
    for (s, r) in samples.iter().zip(results) {
        let _ = writeln!(
            o,
            "\nSample '{}' ({}, {}{}), measure {}, {} loci used",
            r.sample,
            s.file.display(),
            r.lineage,
            s.date.map(|d| format!(", {d}")).unwrap_or_default(),
            r.measure.as_str(),
            r.loci_used.len()
        );
        let _ = writeln!(
            o,
            "{:<12} {:>8} {:>17} {:>6} {:>5}  detection",
            "person", "%", "95% CI", "SD", "loci"
        );
        for p in &r.persons {
            let ci =
                p.ci.map(|c| format!("{:.1}–{:.1}", c.low, c.high))
                    .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                o,
                "{:<12} {:>8.2} {:>17} {:>6} {:>5}  {}",
                p.person.to_string(),
                p.percent,
                ci,
                pct(p.sd),
                p.informative_loci,
                detection_text(p)
            );
        }
        let _ = writeln!(
            o,
            "donor total {:.2}%{}{}",
            r.donor_total_percent,
            r.dominant_donor
                .as_ref()
                .map(|d| format!("; dominant donor {d}"))
                .unwrap_or_default(),
            r.classical_donor_percent
                .map(|c| format!("; classical per-locus mean {c:.2}% donor"))
                .unwrap_or_default()
        );
        if !r.outlier_loci.is_empty() {
            let _ = writeln!(
                o,
                "outlier loci excluded: {}",
                r.outlier_loci
                    .iter()
                    .map(|l| l.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for f in r.flags.iter().filter(|f| !common.contains(f)) {
            let _ = writeln!(o, "  {f}");
        }
        let _ = writeln!(o, "  interval: {}", r.ci_method);
    }
    for f in extra_flags {
        let _ = writeln!(o, "{f}");
    }
    o
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn render_csv(samples: &[SampleSpec], results: &[StrSampleResult]) -> String {
    let mut o = String::from(
        "sample,file,lineage,date,person,percent,ci_low,ci_high,sd,cv,informative_loci,detection,detection_limit_percent,loci_used,outlier_loci,flags\n",
    );
    let f = |v: Option<f64>| v.map(|x| format!("{x:.4}")).unwrap_or_default();
    for (s, r) in samples.iter().zip(results) {
        for p in &r.persons {
            let det = match p.detection {
                Detection::Present => "present",
                Detection::NotDetected => "not_detected",
                Detection::NotAssessable => "not_assessable",
            };
            let flags: Vec<&str> = r
                .flags
                .iter()
                .map(|x| x.code.code())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let _ = writeln!(
                o,
                "{},{},{},{},{},{:.4},{},{},{},{},{},{},{},{},{},{}",
                csv_field(&r.sample),
                csv_field(&s.file.display().to_string()),
                r.lineage,
                s.date.map(|d| d.to_string()).unwrap_or_default(),
                csv_field(&p.person.to_string()),
                p.percent,
                f(p.ci.map(|c| c.low)),
                f(p.ci.map(|c| c.high)),
                f(p.sd),
                f(p.cv),
                p.informative_loci,
                det,
                f(p.detection_limit_percent),
                r.loci_used.len(),
                csv_field(
                    &r.outlier_loci
                        .iter()
                        .map(|l| l.name())
                        .collect::<Vec<_>>()
                        .join(";")
                ),
                csv_field(&flags.join(";"))
            );
        }
    }
    o
}
