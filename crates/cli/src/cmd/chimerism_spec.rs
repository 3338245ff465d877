//! The one command-line syntax of `chimerism str` and `chimerism ngs` for
//! naming people and samples:
//!
//! * `--recipient NAME=INPUT`, `--donor NAME=INPUT`
//! * `--sample NAME=INPUT[:LINEAGE[:DATE]]`
//!
//! where INPUT is `FILE:SAMPLE` for a table (STR peak table, VCF/BCF; an
//! empty SAMPLE means NAME) and `FILE` for BAM/CRAM/FASTQ (`R1,R2` for a
//! FASTQ pair). The STR spellings of release 0.x without `NAME=`
//! (`--recipient FILE:SAMPLE`, `--sample FILE:SAMPLE[:LINEAGE[:DATE]]`) are
//! still accepted for one release, with a deprecation note.

use std::path::PathBuf;
use std::str::FromStr;

use graftwatch_core::{Date, Lineage};

/// What kind of file an INPUT is, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// STR peak table (`.txt`, `.csv`, `.tsv`, `.tab`): FILE:SAMPLE.
    PeakTable,
    /// VCF/BCF: FILE:SAMPLE.
    Vcf,
    /// BAM/CRAM: FILE.
    Alignment,
    /// FASTQ (one file or an R1,R2 pair): FILE.
    Fastq,
}

impl InputKind {
    /// The kind of `file` from its extension (case-insensitive).
    pub fn of(file: &str) -> Option<InputKind> {
        let l = file.trim().to_ascii_lowercase();
        let ends = |exts: &[&str]| exts.iter().any(|e| l.ends_with(e));
        if ends(&[".vcf", ".vcf.gz", ".vcf.bgz", ".bcf"]) {
            Some(InputKind::Vcf)
        } else if ends(&[".bam", ".cram"]) {
            Some(InputKind::Alignment)
        } else if ends(&[".fastq", ".fq", ".fastq.gz", ".fq.gz"]) {
            Some(InputKind::Fastq)
        } else if ends(&[".txt", ".csv", ".tsv", ".tab"]) {
            Some(InputKind::PeakTable)
        } else {
            None
        }
    }

    /// True when the INPUT names a sample inside the file.
    pub fn has_sample(self) -> bool {
        matches!(self, InputKind::PeakTable | InputKind::Vcf)
    }

    fn extensions(kinds: &[InputKind]) -> String {
        kinds
            .iter()
            .map(|k| match k {
                InputKind::PeakTable => ".txt, .csv, .tsv, .tab (peak table)",
                InputKind::Vcf => ".vcf, .vcf.gz, .bcf",
                InputKind::Alignment => ".bam, .cram",
                InputKind::Fastq => ".fastq, .fq, .fastq.gz, .fq.gz",
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Which option is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecRole {
    /// `--recipient` or `--donor`: no lineage or date.
    Reference,
    /// `--sample`: optional `:LINEAGE[:DATE]`.
    Sample,
}

/// A parsed `NAME=INPUT[:LINEAGE[:DATE]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct InputRef {
    /// The name (a donor id for `--donor`; the sample id for `--sample`).
    pub name: String,
    /// Kind of input.
    pub kind: InputKind,
    /// File(s): one, or two for a FASTQ pair.
    pub files: Vec<PathBuf>,
    /// Sample inside the file (tables and VCF/BCF): as given, else NAME.
    pub sample: Option<String>,
    /// Lineage (`--sample` only).
    pub lineage: Option<Lineage>,
    /// Collection date (`--sample` only).
    pub date: Option<Date>,
    /// A deprecation note when an old spelling was used.
    pub deprecated: Option<String>,
    /// The run-sheet row the input was read from (run sheets only), so an
    /// error about the input names the sheet's line and patient.
    pub origin: Option<SheetPlace>,
}

/// Where in a run sheet an input was named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetPlace {
    /// The run sheet, as named in messages.
    pub sheet: String,
    /// 1-based line of the row.
    pub line: usize,
    /// The row's patient, when the sheet names one.
    pub patient: Option<String>,
}

impl SheetPlace {
    /// `SHEET: line N, column 'input' (patient 'P')`: the start of an
    /// error about the row's input.
    pub fn input_cell(&self) -> String {
        format!(
            "{}: line {}, column 'input'{}",
            self.sheet,
            self.line,
            self.patient
                .as_deref()
                .map(|p| format!(" (patient '{p}')"))
                .unwrap_or_default()
        )
    }
}

/// Parses one option value; `kinds` are the inputs the command accepts.
pub fn parse_input(
    option: &str,
    arg: &str,
    role: SpecRole,
    kinds: &[InputKind],
) -> Result<InputRef, String> {
    let expected = match role {
        SpecRole::Reference => {
            "NAME=INPUT (INPUT = FILE:SAMPLE for a table or VCF/BCF, FILE for BAM/CRAM/FASTQ)"
        }
        SpecRole::Sample => {
            "NAME=INPUT[:LINEAGE[:DATE]] (INPUT = FILE:SAMPLE for a table or VCF/BCF, FILE for BAM/CRAM/FASTQ)"
        }
    };
    let (name, rest, deprecated) = match arg.split_once('=') {
        Some((n, r)) => (n.trim().to_string(), r, None),
        None => old_spelling(option, arg, kinds, expected)?,
    };
    if name.is_empty() {
        return Err(format!("{option} '{arg}': empty NAME; expected {expected}"));
    }
    let mut parts = rest.split(':');
    let file = parts.next().unwrap_or_default().trim();
    let files: Vec<&str> = file.split(',').map(str::trim).collect();
    let kind = kind_for(files[0], kinds).ok_or_else(|| {
        format!(
            "{option} '{arg}': '{file}' is not an input type this command reads; expected a file ending in {}{}",
            InputKind::extensions(kinds),
            if kinds.contains(&InputKind::PeakTable) || kinds.contains(&InputKind::Vcf) {
                ", or - (standard input)"
            } else {
                ""
            }
        )
    })?;
    if files.len() > 2 || (files.len() == 2 && kind != InputKind::Fastq) {
        return Err(format!(
            "{option} '{arg}': only FASTQ inputs may list two files (R1,R2)"
        ));
    }
    let sample = if kind.has_sample() {
        let s = parts.next().unwrap_or("").trim();
        Some(if s.is_empty() {
            name.clone()
        } else {
            s.to_string()
        })
    } else {
        None
    };
    let rest: Vec<&str> = parts.collect();
    let (lineage, date) = sample_fields(option, arg, role, &rest, expected)?;
    Ok(InputRef {
        name,
        kind,
        files: files.iter().map(PathBuf::from).collect(),
        sample,
        lineage,
        date,
        deprecated,
        origin: None,
    })
}

/// True when `file` is `-`: standard input. One stream can only be read
/// once, so every `-` input of a command names a sample of that one table
/// (STR peak table, or VCF/BCF for `chimerism ngs`).
pub fn is_stdin(file: &std::path::Path) -> bool {
    file.as_os_str() == "-"
}

/// How an input file is named in output: `<stdin>` for `-` (and for the
/// private copy of standard input made by [`spool_stdin`]).
pub fn display_file(file: &std::path::Path) -> String {
    if is_stdin(file) || SPOOL.get().is_some_and(|s| s == file) {
        super::course::STDIN_NAME.to_string()
    } else {
        file.display().to_string()
    }
}

/// The private copy of standard input, when one was made.
static SPOOL: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Copies standard input, once, to a new private file and returns its path
/// (for readers that need a file: VCF/BCF, which are told apart by their
/// content; the copy is removed by [`remove_spool`]).
pub fn spool_stdin() -> std::io::Result<PathBuf> {
    if let Some(p) = SPOOL.get() {
        return Ok(p.clone());
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("graftwatch-stdin-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir)?;
    let file = dir.join("stdin");
    let mut out = std::fs::File::create_new(&file)?;
    std::io::copy(&mut std::io::stdin().lock(), &mut out)?;
    out.sync_all()?;
    Ok(SPOOL.get_or_init(|| file).clone())
}

/// Removes the copy of standard input made by [`spool_stdin`], if any.
pub fn remove_spool() {
    if let Some(dir) = SPOOL.get().and_then(|f| f.parent()) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// `text` with the private copy of standard input named `<stdin>`.
pub fn name_stdin_in(text: &str) -> String {
    match SPOOL.get() {
        Some(p) => text.replace(&p.display().to_string(), super::course::STDIN_NAME),
        None => text.to_string(),
    }
}

/// The kind of `file` among `kinds`. Peak tables come with many extensions
/// (`.txt`, `.csv`, `.tsv`, `.tab`, and GeneMarker's tab-separated `.xls`),
/// so when the command reads peak tables any file that is not a VCF/BCF,
/// BAM/CRAM or FASTQ is taken as one (the reader refuses binary files).
fn kind_for(file: &str, kinds: &[InputKind]) -> Option<InputKind> {
    if file.trim() == "-" {
        // Standard input: a table (STR) or a VCF/BCF (NGS), never reads
        // in BAM/CRAM/FASTQ (the only one-stream inputs are tables).
        return [InputKind::PeakTable, InputKind::Vcf]
            .into_iter()
            .find(|k| kinds.contains(k));
    }
    match InputKind::of(file) {
        Some(k) if kinds.contains(&k) => Some(k),
        None if kinds.contains(&InputKind::PeakTable) && !file.trim().is_empty() => {
            Some(InputKind::PeakTable)
        }
        _ => None,
    }
}

/// `FILE:SAMPLE[...]` without `NAME=` (STR spelling before this release):
/// the name is the sample (or `recipient`).
fn old_spelling<'a>(
    option: &str,
    arg: &'a str,
    kinds: &[InputKind],
    expected: &str,
) -> Result<(String, &'a str, Option<String>), String> {
    let mut it = arg.split(':');
    let file = it.next().unwrap_or("").trim();
    let sample = it.next().unwrap_or("").trim();
    let table = kind_for(file, kinds) == Some(InputKind::PeakTable);
    let had_old_form = matches!(option, "--recipient" | "--sample");
    if !table || !had_old_form || !kinds.contains(&InputKind::PeakTable) || sample.is_empty() {
        return Err(format!("{option} '{arg}': no '='; expected {expected}"));
    }
    let name = if option == "--recipient" {
        "recipient".to_string()
    } else {
        sample.to_string()
    };
    let note = format!(
        "{option} '{arg}': the spelling without NAME= is deprecated and will be removed in the next release; write {option} {name}={arg}"
    );
    Ok((name, arg, Some(note)))
}

fn sample_fields(
    option: &str,
    arg: &str,
    role: SpecRole,
    rest: &[&str],
    expected: &str,
) -> Result<(Option<Lineage>, Option<Date>), String> {
    if role == SpecRole::Reference && !rest.is_empty() {
        return Err(format!(
            "{option} '{arg}': unexpected ':{}'; expected {expected}",
            rest.join(":")
        ));
    }
    if rest.len() > 2 {
        return Err(format!(
            "{option} '{arg}': too many ':' fields; expected {expected}"
        ));
    }
    let lineage = match rest.first().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(l) => Some(Lineage::from_str(l).map_err(|e| format!("{option} '{arg}': {e}"))?),
        None => None,
    };
    let date = match rest.get(1).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(d) => Some(
            Date::from_str(d)
                .map_err(|e| format!("{option} '{arg}': date '{d}': {e}; expected YYYY-MM-DD"))?,
        ),
        None => None,
    };
    Ok((lineage, date))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STR: &[InputKind] = &[InputKind::PeakTable];
    const NGS: &[InputKind] = &[InputKind::Vcf, InputKind::Alignment, InputKind::Fastq];

    #[test]
    fn one_syntax_for_tables_vcf_bam_fastq() {
        let s = parse_input(
            "--sample",
            "d30=run.txt:PB-30:cd3:2026-01-05",
            SpecRole::Sample,
            STR,
        )
        .unwrap();
        assert_eq!(
            (
                s.kind,
                s.sample.as_deref(),
                s.lineage,
                s.deprecated.is_none()
            ),
            (
                InputKind::PeakTable,
                Some("PB-30"),
                Some(Lineage::Cd3),
                true
            )
        );
        assert_eq!(s.date.unwrap().to_string(), "2026-01-05");
        let s = parse_input("--recipient", "R=refs.csv:", SpecRole::Reference, STR).unwrap();
        assert_eq!(s.sample.as_deref(), Some("R"));
        // GeneMarker writes tab-separated text with an .xls extension.
        let s = parse_input("--donor", "D=report.xls:D1", SpecRole::Reference, STR).unwrap();
        assert_eq!(s.kind, InputKind::PeakTable);
        let s = parse_input(
            "--sample",
            "x=a_R1.fq.gz,a_R2.fq.gz:wb",
            SpecRole::Sample,
            NGS,
        )
        .unwrap();
        assert_eq!(
            (s.kind, s.files.len(), s.sample),
            (InputKind::Fastq, 2, None)
        );
        let s = parse_input("--donor", "d=x.cram", SpecRole::Reference, NGS).unwrap();
        assert_eq!(s.kind, InputKind::Alignment);
        let s = parse_input("--sample", "d30=post.vcf::myeloid", SpecRole::Sample, NGS).unwrap();
        assert_eq!(s.sample.as_deref(), Some("d30"));
    }

    #[test]
    fn dash_is_standard_input_a_table_or_a_vcf() {
        let s = parse_input("--donor", "d=-:D1", SpecRole::Reference, STR).unwrap();
        assert_eq!(
            (s.kind, s.sample.as_deref()),
            (InputKind::PeakTable, Some("D1"))
        );
        assert!(is_stdin(&s.files[0]));
        assert_eq!(display_file(&s.files[0]), "<stdin>");
        let s = parse_input("--sample", "d30=-::cd3", SpecRole::Sample, NGS).unwrap();
        assert_eq!((s.kind, s.sample.as_deref()), (InputKind::Vcf, Some("d30")));
        let e =
            parse_input("--donor", "d=-", SpecRole::Reference, &[InputKind::Fastq]).unwrap_err();
        assert!(e.contains("not an input type"), "{e}");
    }

    #[test]
    fn old_str_spellings_work_with_a_deprecation_note() {
        let s = parse_input("--recipient", "refs.txt:R-pre", SpecRole::Reference, STR).unwrap();
        assert_eq!(
            (s.name.as_str(), s.sample.as_deref()),
            ("recipient", Some("R-pre"))
        );
        assert!(
            s.deprecated
                .unwrap()
                .contains("--recipient recipient=refs.txt:R-pre")
        );
        let s = parse_input("--sample", "d.txt:S1:cd3:2024-05-29", SpecRole::Sample, STR).unwrap();
        assert_eq!((s.name.as_str(), s.lineage), ("S1", Some(Lineage::Cd3)));
        assert!(s.deprecated.is_some());
    }

    #[test]
    fn bad_specs_name_option_value_and_expectation() {
        let e = parse_input("--donor", "x.vcf", SpecRole::Reference, NGS).unwrap_err();
        assert!(e.contains("no '='") && e.contains("--donor"), "{e}");
        let e = parse_input("--donor", "d=x.bam", SpecRole::Reference, STR).unwrap_err();
        assert!(e.contains("peak table"), "{e}");
        let e = parse_input("--donor", "d=x.bam:cd3", SpecRole::Reference, NGS).unwrap_err();
        assert!(e.contains("unexpected"), "{e}");
        let e = parse_input("--sample", "s=x.bam:blood2", SpecRole::Sample, NGS).unwrap_err();
        assert!(e.contains("lineage"), "{e}");
        let e = parse_input(
            "--sample",
            "s=x.txt:S:cd3:2026-13-01",
            SpecRole::Sample,
            STR,
        )
        .unwrap_err();
        assert!(e.contains("date"), "{e}");
        let e = parse_input("--sample", "s=a.bam,b.bam", SpecRole::Sample, NGS).unwrap_err();
        assert!(e.contains("two files"), "{e}");
    }
}
