//! The chimerism run sheet: one row per tube of a plate (sample, patient,
//! role, person, input, lineage, specimen, date, sort purity, control type,
//! and for sequencing the run the tube was sequenced in), as `graftwatch
//! chimerism str --run-sheet` and `chimerism ngs --run-sheet` read it.
//!
//! The text layer is that of the peak tables ([`crate::peak_text`]): any
//! encoding (UTF-8 with or without BOM, UTF-16, Latin-1), tab, comma or
//! semicolon sniffed from the header, quoted fields, `NA`/`-`/empty as
//! missing. Blank lines and lines starting with `#` are skipped. Column
//! names are matched ignoring case and everything but letters and digits
//! (`Sort purity`, `sort_purity` and `SORTPURITY` are one column).
//!
//! The reader checks what the sheet itself says (roles, ids, lineages,
//! dates, specimens, purities, control types). What an input names (a file
//! of a kind the command reads, a sample in it) is the caller's to check;
//! [`parse_run_sheet_with`] lets it do so row by row, so that the first
//! error of the sheet is reported whatever its kind.

use std::path::Path;
use std::str::FromStr;

use graftwatch_core::{Date, Lineage};
use serde::Serialize;

use crate::peak_text::{
    Delimiter, TextEncoding, decode, is_missing, sniff_delimiter, split_fields,
};

/// The specimen a sample was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Specimen {
    /// Peripheral blood.
    PeripheralBlood,
    /// Bone marrow.
    Marrow,
}

impl Specimen {
    /// In words.
    pub fn as_str(self) -> &'static str {
        match self {
            Specimen::PeripheralBlood => "peripheral blood",
            Specimen::Marrow => "bone marrow",
        }
    }
}

impl FromStr for Specimen {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match word_key(s).as_str() {
            "pb" | "blood" | "peripheral_blood" | "whole_blood" => Ok(Specimen::PeripheralBlood),
            "bm" | "marrow" | "bone_marrow" => Ok(Specimen::Marrow),
            _ => Err(format!(
                "unknown specimen '{s}'; expected peripheral_blood (pb) or marrow (bm)"
            )),
        }
    }
}

/// A run control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlType {
    /// Positive control DNA (a full profile is expected).
    Positive,
    /// Negative / no-template control (no peak is expected).
    Negative,
    /// Allelic ladder (peaks at every locus expected).
    Ladder,
}

impl ControlType {
    /// In words: `positive`, `negative`, `ladder`.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlType::Positive => "positive",
            ControlType::Negative => "negative",
            ControlType::Ladder => "ladder",
        }
    }
}

impl FromStr for ControlType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match word_key(s).as_str() {
            "positive" | "pos" | "positive_control" => Ok(ControlType::Positive),
            "negative" | "neg" | "ntc" | "no_template" | "no_template_control" | "blank" => {
                Ok(ControlType::Negative)
            }
            "ladder" | "allelic_ladder" => Ok(ControlType::Ladder),
            _ => Err(format!(
                "unknown control type '{s}'; expected positive, negative (ntc, no_template) or ladder"
            )),
        }
    }
}

/// A run-sheet word as matched: trimmed, lower case, `-` and spaces as `_`.
fn word_key(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace(['-', ' '], "_")
}

/// What a tube is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The recipient's pre-transplant reference (`recipient` or `patient`).
    Recipient,
    /// A donor's reference (`donor`; the donor id in `person`).
    Donor,
    /// A post-transplant sample (`sample`).
    Sample,
    /// A run control (`control`; its type in `control type`).
    Control,
}

/// Why a sort purity is not one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PurityError {
    /// Not a number.
    #[error("'{0}' is not a purity; expected a percentage like 96 or 96%")]
    NotANumber(String),
    /// Zero or less, or above 100 %.
    #[error("'{0}' is not a purity; expected a percentage above 0 and at most 100")]
    OutOfRange(String),
}

/// A purity as percent (`96`, `96%`) or fraction (`0.96`), as a fraction in
/// (0, 1]: a value with `%` is always a percentage (`1%` is 1 %); without
/// it, a value above 1 is a percentage and one up to 1 a fraction.
pub fn parse_purity(v: &str) -> Result<f64, PurityError> {
    let trimmed = v.trim();
    let (t, percent) = match trimmed.strip_suffix('%') {
        Some(t) => (t.trim(), true),
        None => (trimmed, false),
    };
    let x: f64 = t
        .parse()
        .map_err(|_| PurityError::NotANumber(v.to_string()))?;
    let f = if percent || x > 1.0 { x / 100.0 } else { x };
    if !(f > 0.0 && f <= 1.0) {
        return Err(PurityError::OutOfRange(v.to_string()));
    }
    Ok(f)
}

/// One row (tube) of a run sheet. Text cells are `None` when missing
/// (empty, `NA`, `-`, …). Lineage, specimen, date and sort purity are read
/// on sample rows only, the control type on control rows only (where it is
/// required); on other rows those cells are not read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSheetRow {
    /// 1-based line of the row in the file.
    pub line: usize,
    /// Sample id (`sample`).
    pub sample: Option<String>,
    /// Patient id (`patient`).
    pub patient: Option<String>,
    /// Role.
    pub role: Role,
    /// Donor id (`person`).
    pub person: Option<String>,
    /// The input as written (`FILE`, `FILE:SAMPLE`, a FASTQ pair
    /// `R1,R2`); never empty. Relative paths are relative to the sheet's
    /// folder, for the caller to resolve.
    pub input: String,
    /// Lineage (sample rows; `None` when the cell is empty).
    pub lineage: Option<Lineage>,
    /// Specimen (sample rows).
    pub specimen: Option<Specimen>,
    /// Collection date (sample rows).
    pub date: Option<Date>,
    /// Sort purity as a fraction in (0, 1] (sample rows).
    pub purity: Option<f64>,
    /// Control type (control rows, always `Some` there).
    pub control: Option<ControlType>,
    /// The sequencing run (or batch) of the tube.
    pub run: Option<String>,
}

impl RunSheetRow {
    /// The name the row's input goes by: `recipient` for the recipient, the
    /// donor id for a donor, the sample id for a sample or control.
    pub fn name(&self) -> &str {
        match self.role {
            Role::Recipient => "recipient",
            Role::Donor => self.person.as_deref().unwrap_or_default(),
            Role::Sample | Role::Control => self.sample.as_deref().unwrap_or_default(),
        }
    }
}

/// A read run sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSheet {
    /// The rows, in file order (at least one).
    pub rows: Vec<RunSheetRow>,
    /// Character encoding found.
    pub encoding: TextEncoding,
    /// Field delimiter found.
    pub delimiter: Delimiter,
    /// What the reader noticed and read anyway, each naming the file and
    /// line (a last line without a line end).
    pub notes: Vec<String>,
}

/// What the caller is shown of a row before the row's later cells are
/// read, to check its input ([`parse_run_sheet_with`]).
#[derive(Debug, Clone, Copy)]
pub struct RowInput<'a> {
    /// 1-based line of the row.
    pub line: usize,
    /// Role.
    pub role: Role,
    /// [`RunSheetRow::name`].
    pub name: &'a str,
    /// The input as written (never empty).
    pub input: &'a str,
    /// The sample id, if given.
    pub sample: Option<&'a str>,
}

/// Why a run sheet cannot be read. Each message names the file, and for a
/// cell its line and column, the value and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum RunSheetError {
    /// The file cannot be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// The bytes are not text.
    #[error("{file}: line {line}: {what}")]
    Decode {
        /// The file.
        file: String,
        /// 1-based line of the first bad byte (0 when unknown).
        line: usize,
        /// What was found.
        what: String,
    },
    /// No header line (nothing but blank and `#` lines).
    #[error("{file}: empty run sheet; expected a header line")]
    Empty {
        /// The file.
        file: String,
    },
    /// A required column (`role`, `input`) is missing.
    #[error(
        "{file}: line 1: no '{column}' column (found: {}); expected the columns sample, patient, role, person, input, lineage, specimen, date, sort purity, control type",
        found.join(", ")
    )]
    MissingColumn {
        /// The file.
        file: String,
        /// `role` or `input`.
        column: &'static str,
        /// The header's columns as written.
        found: Vec<String>,
    },
    /// The last line has no line end and fewer cells than the header: the
    /// file was cut short (the cells it lacks would otherwise read as
    /// empty: a lineage, specimen, date or purity silently lost).
    #[error(
        "{file}: truncated: the last line ({line}) has no line end and {found} of the header's {expected} cells (file cut short); save or copy the run sheet again"
    )]
    Truncated {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// Cells on the line.
        found: usize,
        /// Cells in the header.
        expected: usize,
    },
    /// A header and no row.
    #[error("{file}: header only, no rows; expected one row per tube")]
    HeaderOnly {
        /// The file.
        file: String,
    },
    /// The `input` cell of a row is empty.
    #[error("{file}: line {line}, column 'input': empty; expected FILE:SAMPLE or FILE")]
    EmptyInput {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
    },
    /// The `role` cell is not a role.
    #[error(
        "{file}: line {line}, column 'role': '{role}' is not a role; expected recipient, donor, sample or control"
    )]
    BadRole {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The role, in lower case.
        role: String,
    },
    /// A donor row without the donor id.
    #[error("{file}: line {line}, column 'person': empty; a donor row needs the donor id")]
    NoDonorId {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
    },
    /// A sample or control row without the sample id.
    #[error("{file}: line {line}, column 'sample': empty; expected the sample id")]
    NoSampleId {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
    },
    /// The caller's check of the input failed ([`parse_run_sheet_with`]).
    #[error("{file}: line {line}, column 'input': {message}")]
    Input {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The caller's message.
        message: String,
    },
    /// A cell's value is not what its column holds (control type, lineage,
    /// date, specimen, sort purity).
    #[error("{file}: line {line}, column '{column}': {reason}")]
    Cell {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The column, as named in messages (`control type`, `lineage`,
        /// `date`, `specimen`, `sort purity`).
        column: &'static str,
        /// The cell as written.
        value: String,
        /// What is wrong and what was expected.
        reason: String,
    },
}

/// Reads a run sheet file ([`parse_run_sheet`]).
pub fn read_run_sheet(path: &Path) -> Result<RunSheet, RunSheetError> {
    read_run_sheet_with(path, &mut |_| Ok(()))
}

/// Reads a run sheet file, calling `check_input` on each row
/// ([`parse_run_sheet_with`]).
pub fn read_run_sheet_with(
    path: &Path,
    check_input: &mut dyn FnMut(&RowInput<'_>) -> Result<(), String>,
) -> Result<RunSheet, RunSheetError> {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => parse_run_sheet_with(&bytes, &file, check_input),
        Err(source) => Err(RunSheetError::Read { file, source }),
    }
}

/// Parses a run sheet; `name` is the file as messages name it.
pub fn parse_run_sheet(bytes: &[u8], name: &str) -> Result<RunSheet, RunSheetError> {
    parse_run_sheet_with(bytes, name, &mut |_| Ok(()))
}

/// Parses a run sheet, calling `check_input` on each row once its role,
/// ids and input are read and before its other cells are: an `Err` from it
/// is the sheet's error ([`RunSheetError::Input`]), so the first problem of
/// the sheet, in file order, is the one reported.
pub fn parse_run_sheet_with(
    bytes: &[u8],
    name: &str,
    check_input: &mut dyn FnMut(&RowInput<'_>) -> Result<(), String>,
) -> Result<RunSheet, RunSheetError> {
    let file = || name.to_string();
    let (text, encoding) = decode(bytes).map_err(|e| RunSheetError::Decode {
        file: file(),
        line: e.line,
        what: e.what,
    })?;
    // The line a file cut short ends on (no line end after it).
    let unterminated = (!text.is_empty() && !text.ends_with('\n')).then(|| text.lines().count());
    let mut notes = Vec::new();
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let (_, header) = lines
        .next()
        .ok_or_else(|| RunSheetError::Empty { file: file() })?;
    let delimiter = sniff_delimiter(header);
    let header = split_fields(header, delimiter);
    let cols = Columns::find(&header, name)?;
    let mut rows = Vec::new();
    for (line, raw) in lines {
        let cells = split_fields(raw, delimiter);
        if unterminated == Some(line) {
            if cells.len() < header.len() {
                return Err(RunSheetError::Truncated {
                    file: file(),
                    line,
                    found: cells.len(),
                    expected: header.len(),
                });
            }
            notes.push(format!(
                "{name}: line {line}: the run sheet's last line has no line end: read as it is; if the file was cut short, its last value may be incomplete"
            ));
        }
        let row = Row {
            cols: &cols,
            cells: &cells,
            file: name,
            line,
        };
        rows.push(row.read(check_input)?);
    }
    if rows.is_empty() {
        return Err(RunSheetError::HeaderOnly { file: file() });
    }
    Ok(RunSheet {
        rows,
        encoding,
        delimiter,
        notes,
    })
}

/// Columns of a run sheet, by index.
struct Columns {
    sample: Option<usize>,
    patient: Option<usize>,
    role: usize,
    person: Option<usize>,
    input: usize,
    lineage: Option<usize>,
    specimen: Option<usize>,
    date: Option<usize>,
    purity: Option<usize>,
    control: Option<usize>,
    run: Option<usize>,
}

impl Columns {
    /// Finds the columns by their normalised names (ASCII letters and
    /// digits, lower case); `role` and `input` are required.
    fn find(header: &[String], file: &str) -> Result<Columns, RunSheetError> {
        let norm: Vec<String> = header
            .iter()
            .map(|h| {
                h.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase()
            })
            .collect();
        let find = |names: &[&str]| names.iter().find_map(|n| norm.iter().position(|x| x == n));
        let need = |names: &[&str], column: &'static str| {
            find(names).ok_or_else(|| RunSheetError::MissingColumn {
                file: file.to_string(),
                column,
                found: header.to_vec(),
            })
        };
        Ok(Columns {
            sample: find(&["sample", "sampleid", "samplename"]),
            patient: find(&["patient", "patientid"]),
            role: need(&["role"], "role")?,
            person: find(&["person", "donor", "name"]),
            input: need(&["input", "file"], "input")?,
            lineage: find(&["lineage"]),
            specimen: find(&["specimen", "specimentype"]),
            date: find(&["date", "collectiondate"]),
            purity: find(&["sortpurity", "purity"]),
            control: find(&["controltype", "control"]),
            run: find(&["run", "runid", "sequencingrun", "batch"]),
        })
    }
}

/// One data line being read.
struct Row<'a> {
    cols: &'a Columns,
    cells: &'a [String],
    file: &'a str,
    line: usize,
}

impl Row<'_> {
    /// The cell of a column; `""` when the column or the cell is missing.
    fn get(&self, col: Option<usize>) -> &str {
        col.and_then(|c| self.cells.get(c))
            .map(String::as_str)
            .filter(|s| !is_missing(s))
            .unwrap_or("")
    }

    fn text(&self, col: Option<usize>) -> Option<String> {
        Some(self.get(col).to_string()).filter(|s| !s.is_empty())
    }

    fn cell_error(&self, column: &'static str, value: &str, reason: String) -> RunSheetError {
        RunSheetError::Cell {
            file: self.file.to_string(),
            line: self.line,
            column,
            value: value.to_string(),
            reason,
        }
    }

    /// The row, checked in the order of its messages: input present, role,
    /// the id the role needs, the caller's check of the input, then the
    /// cells of its role.
    fn read(
        &self,
        check_input: &mut dyn FnMut(&RowInput<'_>) -> Result<(), String>,
    ) -> Result<RunSheetRow, RunSheetError> {
        let (file, line) = (|| self.file.to_string(), self.line);
        let input = self.get(Some(self.cols.input));
        if input.is_empty() {
            return Err(RunSheetError::EmptyInput { file: file(), line });
        }
        let role_text = self.get(Some(self.cols.role)).to_ascii_lowercase();
        let (sample, person) = (self.get(self.cols.sample), self.get(self.cols.person));
        let (role, name) = match role_text.as_str() {
            "recipient" | "patient" => (Role::Recipient, "recipient"),
            "donor" if !person.is_empty() => (Role::Donor, person),
            "donor" => return Err(RunSheetError::NoDonorId { file: file(), line }),
            "sample" if !sample.is_empty() => (Role::Sample, sample),
            "control" if !sample.is_empty() => (Role::Control, sample),
            "sample" | "control" => return Err(RunSheetError::NoSampleId { file: file(), line }),
            _ => {
                return Err(RunSheetError::BadRole {
                    file: file(),
                    line,
                    role: role_text,
                });
            }
        };
        let shown = RowInput {
            line,
            role,
            name,
            input,
            sample: Some(sample).filter(|s| !s.is_empty()),
        };
        check_input(&shown).map_err(|message| RunSheetError::Input {
            file: file(),
            line,
            message,
        })?;
        let mut row = RunSheetRow {
            line,
            sample: self.text(self.cols.sample),
            patient: self.text(self.cols.patient),
            role,
            person: self.text(self.cols.person),
            input: input.to_string(),
            lineage: None,
            specimen: None,
            date: None,
            purity: None,
            control: None,
            run: self.text(self.cols.run),
        };
        match role {
            Role::Control => {
                let c = self.get(self.cols.control);
                let control = c
                    .parse()
                    .map_err(|e| self.cell_error("control type", c, e))?;
                row.control = Some(control);
            }
            Role::Sample => self.sample_cells(&mut row)?,
            Role::Recipient | Role::Donor => {}
        }
        Ok(row)
    }

    /// A sample row's lineage, date, specimen and sort purity.
    fn sample_cells(&self, row: &mut RunSheetRow) -> Result<(), RunSheetError> {
        let l = self.get(self.cols.lineage);
        if !l.is_empty() {
            let lineage = l
                .parse::<Lineage>()
                .map_err(|e| self.cell_error("lineage", l, e.to_string()))?;
            row.lineage = Some(lineage);
        }
        let d = self.get(self.cols.date);
        if !d.is_empty() {
            let date = d.parse::<Date>().map_err(|e| {
                self.cell_error("date", d, format!("'{d}': {e}; expected YYYY-MM-DD"))
            })?;
            row.date = Some(date);
        }
        let s = self.get(self.cols.specimen);
        if !s.is_empty() {
            row.specimen = Some(s.parse().map_err(|e| self.cell_error("specimen", s, e))?);
        }
        let p = self.get(self.cols.purity);
        if !p.is_empty() {
            let purity =
                parse_purity(p).map_err(|e| self.cell_error("sort purity", p, e.to_string()))?;
            row.purity = Some(purity);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
