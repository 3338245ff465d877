//! STR peak-table exports of capillary-electrophoresis analysis software:
//! GeneMapper ID-X / GeneMapper 5 ("Genotypes" table), GeneMarker HID,
//! OSIRIS, and the tables of R packages built on them (EuroForMix,
//! strvalidator).
//!
//! * Text: UTF-8 (with or without BOM), UTF-16 LE/BE, Latin-1; tab, comma or
//!   semicolon separated (sniffed from the header); quoted cells; CRLF
//!   ([`crate::peak_text`]).
//! * Header: case-insensitive, punctuation ignored; wide (`Allele 1…n`,
//!   `Size 1…n`, `Height 1…n`, `Area 1…n`) or long (one row per peak)
//!   layout ([`crate::peak_columns`]). `Sample Name` or `Sample File Name`.
//!   A table without height or area columns is a genotype table (usable for
//!   references only).
//! * Cells: `NA`, `N/A`, `-` and empty cells are "no value".
//! * Peaks: any number of off-ladder peaks (`OL`, `?`, `OMR`) per marker are
//!   kept as unassigned signal, each with a note; two peaks called as the
//!   same allele of one sample and marker are merged (height = larger, area
//!   = sum) with a note; Y markers and quality sensors (`DYS391`, `Yindel`,
//!   `QS1`…) are skipped with a note.
//!
//! Errors name the file, line, column, value and what was expected.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use graftwatch_chimerism::str::{Allele, Locus, Peak, StrProfile, UnlabelledPeak};
use serde::Serialize;

pub use crate::peak_columns::Layout;
use crate::peak_columns::{Columns, Slot};
use crate::peak_text::{
    Delimiter, TextEncoding, decode, is_missing, sniff_delimiter, split_fields,
};

/// Reader options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GeneMapperOptions {
    /// Skip rows whose marker is not a known locus (noted) instead of failing.
    pub ignore_unknown_markers: bool,
}

/// What a reader note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum ReadNoteCode {
    /// An off-ladder peak kept as unassigned signal (`STR-OL`).
    OffLadder,
    /// Two peaks with the same allele call merged (`STR-MERGED-PEAKS`).
    MergedPeaks,
    /// A Y marker or quality sensor skipped (`STR-MARKER-SKIPPED`).
    SkippedMarker,
    /// An unknown marker skipped on request (`STR-UNKNOWN-MARKER`).
    UnknownMarker,
    /// A wide-layout row that repeats an earlier row of the same sample and
    /// marker exactly, read once (`STR-DUPLICATE-ROW`).
    DuplicateRow,
    /// The last line has no line end but all its cells: read, with a
    /// note that its last value may be cut (`STR-NO-LINE-END`).
    NoFinalLineEnd,
    /// Peaks exported without a marker (GeneMapper's peak table lists every
    /// peak; those outside the marker bins have an empty marker cell), one
    /// note per sample (`STR-UNLABELLED`).
    Unlabelled,
}

impl ReadNoteCode {
    /// The flag code printed with the note.
    pub fn code(self) -> &'static str {
        match self {
            ReadNoteCode::OffLadder => "STR-OL",
            ReadNoteCode::MergedPeaks => "STR-MERGED-PEAKS",
            ReadNoteCode::SkippedMarker => "STR-MARKER-SKIPPED",
            ReadNoteCode::UnknownMarker => "STR-UNKNOWN-MARKER",
            ReadNoteCode::DuplicateRow => "STR-DUPLICATE-ROW",
            ReadNoteCode::NoFinalLineEnd => "STR-NO-LINE-END",
            ReadNoteCode::Unlabelled => "STR-UNLABELLED",
        }
    }
}

/// Something the reader kept, merged or skipped, with where it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadNote {
    /// Kind.
    pub code: ReadNoteCode,
    /// 1-based line.
    pub line: usize,
    /// Sample name on that line.
    pub sample: String,
    /// What happened, in words.
    pub text: String,
}

/// Reader notes as lines for people: each note on its own line, except
/// that one sample's off-ladder notes, when there are more than three,
/// become one line counting them per marker (a real export has dozens per
/// sample; the JSON keeps each). `file` names the export.
pub fn note_lines(file: &str, notes: &[&ReadNote]) -> Vec<String> {
    let mut out = Vec::new();
    let mut ol: BTreeMap<&str, Vec<&ReadNote>> = BTreeMap::new();
    for n in notes {
        if n.code == ReadNoteCode::OffLadder {
            ol.entry(n.sample.as_str()).or_default().push(n);
        }
    }
    let line = |n: &ReadNote| {
        format!(
            "[{}] {file} line {}: sample '{}': {}",
            n.code.code(),
            n.line,
            n.sample,
            n.text
        )
    };
    for n in notes {
        let group = &ol.get(n.sample.as_str()).map_or(0, Vec::len);
        if n.code != ReadNoteCode::OffLadder || *group <= 3 {
            out.push(line(n));
        }
    }
    for (sample, v) in ol.into_iter().filter(|(_, v)| v.len() > 3) {
        let mut per: BTreeMap<&str, usize> = BTreeMap::new();
        for n in &v {
            *per.entry(n.text.split(':').next().unwrap_or(""))
                .or_default() += 1;
        }
        let markers: Vec<String> = per.iter().map(|(m, k)| format!("{m} {k}")).collect();
        let (first, last) = (v[0].line, v[v.len() - 1].line);
        out.push(format!(
            "[STR-OL] {file} lines {first}–{last}: sample '{sample}': {} off-ladder peaks kept as unassigned signal ({}); --format json lists each",
            v.len(),
            markers.join(", ")
        ));
    }
    out
}

/// A parsed export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeneMapperTable {
    /// Where it came from.
    pub path: PathBuf,
    /// Detected layout.
    pub layout: Layout,
    /// Detected character encoding.
    pub encoding: TextEncoding,
    /// Detected field delimiter.
    pub delimiter: Delimiter,
    /// True when the table has no height or area columns (genotypes only).
    pub genotype_only: bool,
    /// Profiles by sample name (and by sample file name when the file has
    /// that column too).
    pub samples: BTreeMap<String, StrProfile>,
    /// Sample names carried by more than one sample file (several
    /// injections): name → the files. Such a name must be asked for by file.
    pub ambiguous: BTreeMap<String, Vec<String>>,
    /// Samples that cannot be read (two different rows for one marker in
    /// the wide layout, e.g. a control injected twice under one name in an
    /// export without sample files): the error given when one is asked for.
    #[serde(skip)]
    pub conflicting: BTreeMap<String, GeneMapperError>,
    /// Notes: off-ladder peaks, merged peaks, skipped markers.
    pub notes: Vec<ReadNote>,
}

/// The largest peak height (RFU) an export may give: capillary-
/// electrophoresis instruments saturate at about 30,000–33,000 RFU, so a
/// height above this bound is a wrong column or a corrupt export, not a
/// peak (a height between saturation and the bound is read, and flagged
/// `STR-SATURATED` by the analysis).
pub const MAX_PLAUSIBLE_HEIGHT_RFU: f64 = 1_000_000.0;

/// Errors reading an export; each names the file and, where it applies, the
/// line (1-based), the column, the value and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeneMapperError {
    /// The last line has no line end and fewer cells than the header: the
    /// file was cut short (a cut inside a row otherwise reads as a valid,
    /// wrong row).
    #[error(
        "{path}: truncated: the last line ({line}) has no line end and {found} of the header's {expected} cells (file cut short); re-export or copy the file again"
    )]
    Truncated {
        /// File.
        path: String,
        /// The last line.
        line: usize,
        /// Its cells.
        found: usize,
        /// The header's cells.
        expected: usize,
    },
    /// The file could not be read.
    #[error("{path}: cannot read: {message}")]
    Io {
        /// File.
        path: String,
        /// OS message.
        message: String,
    },
    /// The bytes are not text.
    #[error(
        "{path}: line {line}: {what}; expected a tab-, comma- or semicolon-separated text export (UTF-8, UTF-16 or Latin-1), not a binary file such as .fsa/.hid/.xlsx"
    )]
    Encoding {
        /// File.
        path: String,
        /// Line of the first bad byte.
        line: usize,
        /// What was found.
        what: String,
    },
    /// No header line.
    #[error(
        "{path}: empty file; expected a peak-table export with a header line (Sample Name, Marker, Allele …)"
    )]
    Empty {
        /// File.
        path: String,
    },
    /// A header but no data row.
    #[error(
        "{path}: line {line}: header only, no data rows; expected one row per sample and marker (wide layout) or per peak (long layout) after the header"
    )]
    NoRows {
        /// File.
        path: String,
        /// Line of the header.
        line: usize,
    },
    /// A required column is missing.
    #[error(
        "{path}: line {line}: no '{column}' column (found {delimiter}-separated: {found}); expected {expected}"
    )]
    MissingColumn {
        /// File.
        path: String,
        /// Header line.
        line: usize,
        /// The missing column.
        column: String,
        /// Delimiter the header was split with.
        delimiter: &'static str,
        /// The header as read.
        found: String,
        /// What would do.
        expected: String,
    },
    /// A row has more fields than the header.
    #[error("{path}: line {line}: {found} {delimiter}-separated fields, header has {expected}")]
    FieldCount {
        /// File.
        path: String,
        /// Line.
        line: usize,
        /// Delimiter.
        delimiter: &'static str,
        /// Fields found.
        found: usize,
        /// Header fields.
        expected: usize,
    },
    /// A bad cell.
    #[error("{path}: line {line}, column '{column}': '{value}' is not valid: expected {expected}")]
    Field {
        /// File.
        path: String,
        /// Line.
        line: usize,
        /// Column name as in the header.
        column: String,
        /// Value.
        value: String,
        /// What was expected.
        expected: String,
    },
    /// A marker that is not a known locus.
    #[error(
        "{path}: line {line}, column '{column}': unknown STR marker '{value}'; known markers: {known} (or use --ignore-unknown-markers, or a --kit file naming it)"
    )]
    UnknownMarker {
        /// File.
        path: String,
        /// Line.
        line: usize,
        /// Column name.
        column: String,
        /// Value.
        value: String,
        /// Known names.
        known: String,
    },
    /// The same sample file and marker on two rows of a wide table.
    #[error(
        "{path}: line {line}: second row for {what} (first on line {first_line}); expected one row per sample and marker in the wide layout"
    )]
    Duplicate {
        /// File.
        path: String,
        /// Line of the repeat.
        line: usize,
        /// Line of the first occurrence.
        first_line: usize,
        /// What is duplicated.
        what: String,
    },
    /// A requested sample is not in the file.
    #[error(
        "{path}: no sample named '{sample}'; expected one of the samples in the file: {available}"
    )]
    SampleNotFound {
        /// File.
        path: String,
        /// Requested name.
        sample: String,
        /// Names present.
        available: String,
    },
    /// A sample name carried by several sample files.
    #[error(
        "{path}: sample name '{sample}' belongs to {n} injections (sample files {files}); expected one of those sample file names instead"
    )]
    AmbiguousSample {
        /// File.
        path: String,
        /// Requested name.
        sample: String,
        /// Number of files.
        n: usize,
        /// The files.
        files: String,
    },
}

impl GeneMapperTable {
    /// The profile of `sample` (a sample name or, when the file has that
    /// column, a sample file name), or an error listing the samples.
    pub fn profile(&self, sample: &str) -> Result<&StrProfile, GeneMapperError> {
        let path = self.path.display().to_string();
        if let Some(e) = self.conflicting.get(sample) {
            return Err(e.clone());
        }
        if let Some(files) = self.ambiguous.get(sample) {
            return Err(GeneMapperError::AmbiguousSample {
                path,
                sample: sample.to_string(),
                n: files.len(),
                files: files.join(", "),
            });
        }
        self.samples
            .get(sample)
            .ok_or_else(|| GeneMapperError::SampleNotFound {
                path,
                sample: sample.to_string(),
                available: self.samples.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }
}

/// Reads and parses an export file.
pub fn read_genemapper(
    path: &Path,
    opts: GeneMapperOptions,
) -> Result<GeneMapperTable, GeneMapperError> {
    let bytes = std::fs::read(path).map_err(|e| GeneMapperError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    read_genemapper_bytes(&bytes, path, opts)
}

/// Reads an export already in memory (e.g. standard input): the same
/// decoding and checks as [`read_genemapper`]; `name` is used in messages
/// (e.g. `<stdin>`).
pub fn read_genemapper_bytes(
    bytes: &[u8],
    name: &Path,
    opts: GeneMapperOptions,
) -> Result<GeneMapperTable, GeneMapperError> {
    let (text, encoding) = decode(bytes).map_err(|e| GeneMapperError::Encoding {
        path: name.display().to_string(),
        line: e.line,
        what: e.what,
    })?;
    let mut t = parse_genemapper(&text, name, opts)?;
    t.encoding = encoding;
    Ok(t)
}

/// One sample as read: (sample name, sample file or "").
type SampleKey = (String, String);

/// Parsing state.
struct Reader {
    path: String,
    header: Vec<String>,
    cols: Columns,
    delimiter: Delimiter,
    opts: GeneMapperOptions,
    profiles: BTreeMap<SampleKey, StrProfile>,
    /// First line of each (sample, marker) in the wide layout.
    /// The first wide row of each sample and marker: its line and text.
    first_row: BTreeMap<(SampleKey, Locus), (usize, String)>,
    /// Line of each peak (for merge notes).
    peak_line: BTreeMap<(SampleKey, Locus, Allele), usize>,
    /// Peaks without a marker per sample: the first line and the count.
    unlabelled: BTreeMap<SampleKey, (usize, usize)>,
    /// Samples with two different wide rows for one marker: the first.
    conflicts: BTreeMap<SampleKey, GeneMapperError>,
    notes: Vec<ReadNote>,
}

/// Parses the text of an export; `path` is used in messages.
pub fn parse_genemapper(
    text: &str,
    path: &Path,
    opts: GeneMapperOptions,
) -> Result<GeneMapperTable, GeneMapperError> {
    let p = path.display().to_string();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    let Some((header_line, header_text)) = lines.by_ref().find(|(_, l)| !l.trim().is_empty())
    else {
        return Err(GeneMapperError::Empty { path: p });
    };
    let delimiter = sniff_delimiter(header_text);
    let header = split_fields(header_text, delimiter);
    let cols = Columns::from_header(&header).map_err(|h| GeneMapperError::MissingColumn {
        path: p.clone(),
        line: header_line,
        column: h.column.to_string(),
        delimiter: delimiter.name(),
        found: header.join(", "),
        expected: h.expected.to_string(),
    })?;
    let mut r = Reader {
        path: p.clone(),
        header,
        cols,
        delimiter,
        opts,
        profiles: BTreeMap::new(),
        first_row: BTreeMap::new(),
        peak_line: BTreeMap::new(),
        unlabelled: BTreeMap::new(),
        conflicts: BTreeMap::new(),
        notes: Vec::new(),
    };
    let mut rows = 0usize;
    let cut_short = !text.ends_with('\n');
    let mut lines = lines.filter(|(_, raw)| !raw.trim().is_empty()).peekable();
    while let Some((line, raw)) = lines.next() {
        rows += 1;
        if cut_short && lines.peek().is_none() {
            let cells = split_fields(raw, delimiter);
            if cells.len() < r.header.len() {
                return Err(GeneMapperError::Truncated {
                    path: p,
                    line,
                    found: cells.len(),
                    expected: r.header.len(),
                });
            }
            let sample = cells.get(r.cols.sample).cloned().unwrap_or_default();
            r.note(
                ReadNoteCode::NoFinalLineEnd,
                line,
                &sample,
                "the file's last line has no line end: read as it is; if the file was cut short, its last value may be incomplete".into(),
            );
        }
        r.row(line, raw)?;
    }
    if rows == 0 {
        return Err(GeneMapperError::NoRows {
            path: p,
            line: header_line,
        });
    }
    Ok(r.finish(path))
}

impl Reader {
    fn field_err(&self, line: usize, col: usize, value: &str, expected: String) -> GeneMapperError {
        GeneMapperError::Field {
            path: self.path.clone(),
            line,
            column: self.header.get(col).cloned().unwrap_or_default(),
            value: value.to_string(),
            expected,
        }
    }

    fn note(&mut self, code: ReadNoteCode, line: usize, sample: &str, text: String) {
        self.notes.push(ReadNote {
            code,
            line,
            sample: sample.to_string(),
            text,
        });
    }

    /// The locus of a row, `None` when the row is skipped (noted).
    fn locus(
        &mut self,
        line: usize,
        sample: &str,
        text: &str,
    ) -> Result<Option<Locus>, GeneMapperError> {
        if let Ok(l) = text.parse::<Locus>() {
            return Ok(Some(l));
        }
        if Locus::is_known_unused_marker(text) {
            let t = format!("marker {text} (Y marker or quality sensor) not used for chimerism");
            self.note(ReadNoteCode::SkippedMarker, line, sample, t);
            return Ok(None);
        }
        if self.opts.ignore_unknown_markers {
            let t = format!("unknown marker {text} skipped");
            self.note(ReadNoteCode::UnknownMarker, line, sample, t);
            return Ok(None);
        }
        Err(GeneMapperError::UnknownMarker {
            path: self.path.clone(),
            line,
            column: self.header[self.cols.marker].clone(),
            value: text.to_string(),
            known: Locus::known_names(),
        })
    }

    fn row(&mut self, line: usize, raw: &str) -> Result<(), GeneMapperError> {
        let fields = split_fields(raw, self.delimiter);
        // Exporters may drop trailing empty fields; extra non-empty ones are an error.
        if fields.len() > self.header.len()
            && fields[self.header.len()..].iter().any(|f| !f.is_empty())
        {
            return Err(GeneMapperError::FieldCount {
                path: self.path.clone(),
                line,
                delimiter: self.delimiter.name(),
                found: fields.len(),
                expected: self.header.len(),
            });
        }
        let get = |c: usize| {
            fields
                .get(c)
                .map(String::as_str)
                .filter(|s| !is_missing(s))
                .unwrap_or("")
        };
        let sample = get(self.cols.sample).to_string();
        let file = self.cols.sample_file.map(get).unwrap_or("").to_string();
        let marker = get(self.cols.marker).to_string();
        if sample.is_empty() {
            if marker.is_empty() && self.cols.slots.iter().all(|s| get(s.allele).is_empty()) {
                return Ok(()); // a row of empty cells (spreadsheet padding)
            }
            return Err(self.field_err(line, self.cols.sample, "", "a sample name".into()));
        }
        let key: SampleKey = (sample.clone(), file.clone());
        if marker.is_empty() {
            return self.unlabelled_row(line, &get, key);
        }
        let Some(locus) = self.locus(line, &sample, &marker)? else {
            return Ok(());
        };
        if self.cols.layout == Layout::Wide
            && let Some((first, first_raw)) = self.first_row.get(&(key.clone(), locus))
        {
            let first = *first;
            // The same row again, as exports of merged runs repeat it: read once.
            if first_raw.trim_end() == raw.trim_end() {
                let t = format!("{locus}: line {line} repeats line {first} exactly; read once");
                self.note(ReadNoteCode::DuplicateRow, line, &sample, t);
                return Ok(());
            }
            let what = if file.is_empty() {
                format!("sample '{sample}' marker {locus}")
            } else {
                format!("sample '{sample}' (file '{file}') marker {locus}")
            };
            // Refused when this sample is asked for, not for the whole file
            // (a control injected twice under one name is routine).
            let e = GeneMapperError::Duplicate {
                path: self.path.clone(),
                line,
                first_line: first,
                what,
            };
            self.conflicts.entry(key).or_insert(e);
            return Ok(());
        }
        if self.cols.layout == Layout::Wide {
            self.first_row
                .insert((key.clone(), locus), (line, raw.to_string()));
        }
        let dye = self.dye(&get);
        self.open_locus(&key, locus, dye);
        for slot in self.cols.slots.clone() {
            if let Some(peak) = self.peak(line, &get, &slot, locus, &key)? {
                self.add_peak(line, &key, locus, peak);
            }
        }
        Ok(())
    }

    /// A row without a marker: its peaks are kept as unlabelled signal of
    /// the sample (a kit with bins may call them), counted for one note.
    fn unlabelled_row<'f>(
        &mut self,
        line: usize,
        get: &dyn Fn(usize) -> &'f str,
        key: SampleKey,
    ) -> Result<(), GeneMapperError> {
        let dye = self.dye(get);
        let what = "the peak without a marker";
        let mut peaks = Vec::new();
        for slot in self.cols.slots.clone() {
            let peak = UnlabelledPeak {
                size: self.number(line, get, slot.size, "fragment size (bp)", what)?,
                height: self.height(line, get, slot.height, what)?,
                area: self.number(line, get, slot.area, "peak area", what)?,
                dye,
            };
            if peak.size.is_some() || peak.height.is_some() || peak.area.is_some() {
                peaks.push(peak);
            }
        }
        let seen = self.unlabelled.entry(key.clone()).or_insert((line, 0));
        seen.1 += peaks.len();
        self.profiles
            .entry(key.clone())
            .or_insert_with(|| StrProfile::new(key.0.clone()))
            .unlabelled
            .extend(peaks);
        Ok(())
    }

    /// The sample's profile with an entry for `locus` (peaks to come), and
    /// the locus's dye as its first row with one gives it.
    fn open_locus(&mut self, key: &SampleKey, locus: Locus, dye: Option<char>) {
        let profile = self
            .profiles
            .entry(key.clone())
            .or_insert_with(|| StrProfile::new(key.0.clone()));
        profile.loci.entry(locus).or_default();
        if let Some(d) = dye {
            profile.locus_dyes.entry(locus).or_insert(d);
        }
    }

    /// The dye letter of a row (`B` of `"B,12"` in `Dye/Sample Peak`),
    /// when the export has that column.
    fn dye<'f>(&self, get: &dyn Fn(usize) -> &'f str) -> Option<char> {
        self.cols
            .dye
            .and_then(|c| get(c).chars().find(|c| c.is_ascii_alphabetic()))
            .map(|c| c.to_ascii_uppercase())
    }

    /// A peak height: [`Reader::number`], and at most
    /// [`MAX_PLAUSIBLE_HEIGHT_RFU`] (a larger value is not a peak height).
    fn height<'f>(
        &self,
        line: usize,
        get: &dyn Fn(usize) -> &'f str,
        col: Option<usize>,
        allele: &str,
    ) -> Result<Option<f64>, GeneMapperError> {
        let what = "peak height (RFU)";
        let h = self.number(line, get, col, what, allele)?;
        match (h, col) {
            (Some(v), Some(c)) if v > MAX_PLAUSIBLE_HEIGHT_RFU => Err(self.field_err(
                line,
                c,
                get(c),
                format!(
                    "a {what} for allele {allele} of at most {MAX_PLAUSIBLE_HEIGHT_RFU:.0} RFU (capillary-electrophoresis instruments saturate at about 30,000–33,000 RFU; a larger value is not a peak height: check the export)"
                ),
            )),
            _ => Ok(h),
        }
    }

    fn number<'f>(
        &self,
        line: usize,
        get: &dyn Fn(usize) -> &'f str,
        col: Option<usize>,
        what: &str,
        allele: &str,
    ) -> Result<Option<f64>, GeneMapperError> {
        let Some(c) = col else { return Ok(None) };
        let t = get(c);
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            _ => Err(self.field_err(
                line,
                c,
                t,
                format!("a non-negative {what} for allele {allele}"),
            )),
        }
    }

    fn peak<'f>(
        &mut self,
        line: usize,
        get: &dyn Fn(usize) -> &'f str,
        slot: &Slot,
        locus: Locus,
        key: &SampleKey,
    ) -> Result<Option<Peak>, GeneMapperError> {
        let atext = get(slot.allele);
        if atext.is_empty() {
            return Ok(None);
        }
        let mut allele = Allele::parse(atext, locus)
            .map_err(|e| self.field_err(line, slot.allele, atext, e.expected.clone()))?;
        let height = self.height(line, get, slot.height, atext)?;
        let area = self.number(line, get, slot.area, "peak area", atext)?;
        let size = self.number(line, get, slot.size, "fragment size (bp)", atext)?;
        if allele.is_off_ladder() {
            // Each off-ladder peak is its own unassigned signal: name it by size.
            let n = self.profiles[key]
                .peaks(locus)
                .iter()
                .filter(|p| p.allele.is_off_ladder())
                .count();
            let label = match size {
                Some(s) => format!("{atext} at {s:.2} bp"),
                None => format!("{atext} #{}", n + 1),
            };
            allele = Allele::OffLadder(label.clone());
            let h = height
                .map(|h| format!(", height {h:.0} RFU"))
                .unwrap_or_default();
            let t = format!("{locus}: off-ladder peak {label}{h} kept as unassigned signal");
            self.note(ReadNoteCode::OffLadder, line, &key.0, t);
        }
        Ok(Some(Peak {
            allele,
            height,
            area,
            size,
        }))
    }

    fn add_peak(&mut self, line: usize, key: &SampleKey, locus: Locus, peak: Peak) {
        let pk = (key.clone(), locus, peak.allele.clone());
        let peaks = self
            .profiles
            .get_mut(key)
            .and_then(|p| p.loci.get_mut(&locus))
            .expect("locus entry created by row()");
        let Some(old) = peaks.iter_mut().find(|p| p.allele == peak.allele) else {
            peaks.push(peak);
            self.peak_line.insert(pk, line);
            return;
        };
        let signal_less = old.height.is_none() && old.area.is_none();
        if signal_less && peak.height.is_none() && peak.area.is_none() {
            return; // a genotype table listing a homozygote twice (12, 12)
        }
        let keep_new_size = peak.height.unwrap_or(0.0) > old.height.unwrap_or(0.0);
        old.height = max_opt(old.height, peak.height);
        old.area = sum_opt(old.area, peak.area);
        if keep_new_size {
            old.size = peak.size.or(old.size);
        }
        let first = self.peak_line.get(&pk).copied().unwrap_or(line);
        let where_ = if first == line {
            format!("line {line}")
        } else {
            format!("lines {first} and {line}")
        };
        let t = format!(
            "{locus}: two peaks called {} ({where_}) merged (height = the larger, area = the sum)",
            peak.allele
        );
        self.note(ReadNoteCode::MergedPeaks, line, &key.0, t);
    }

    fn finish(mut self, path: &Path) -> GeneMapperTable {
        for ((sample, _), (line, n)) in std::mem::take(&mut self.unlabelled) {
            if n > 0 {
                let t = format!(
                    "{} exported without a marker (outside the marker bins, or left unlabelled by the analysis software) kept as unassigned signal; a kit file with bins calls those inside a bin, and a reference locus with one beside a called allele of its dye is not called (STR-OL)",
                    graftwatch_core::number::counted(n, "peak")
                );
                self.note(ReadNoteCode::Unlabelled, line, &sample, t);
            }
        }
        let mut files_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, file) in self.profiles.keys() {
            files_of.entry(name.clone()).or_default().push(file.clone());
        }
        let mut samples = BTreeMap::new();
        let mut ambiguous = BTreeMap::new();
        for ((name, file), prof) in self.profiles {
            let n_files = files_of[&name].len();
            if !file.is_empty() && file != name && !files_of.contains_key(&file) {
                let mut by_file = prof.clone();
                by_file.sample = file.clone();
                samples.insert(file, by_file);
            }
            if n_files == 1 {
                samples.insert(name, prof);
            } else {
                ambiguous.insert(name.clone(), files_of[&name].clone());
            }
        }
        let mut conflicting = BTreeMap::new();
        for ((name, file), e) in self.conflicts {
            samples.remove(&name);
            if !file.is_empty() {
                samples.remove(&file);
                conflicting.insert(file, e.clone());
            }
            conflicting.insert(name, e);
        }
        GeneMapperTable {
            path: path.to_path_buf(),
            layout: self.cols.layout,
            encoding: TextEncoding::Utf8,
            delimiter: self.delimiter,
            genotype_only: self.cols.genotype_only(),
            samples,
            ambiguous,
            conflicting,
            notes: self.notes,
        }
    }
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

fn sum_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x + y),
        (x, y) => x.or(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<GeneMapperTable, GeneMapperError> {
        parse_genemapper(t, Path::new("x.txt"), GeneMapperOptions::default())
    }

    #[test]
    fn wide_layout_with_microvariant_amelogenin_and_ol() {
        let t = "Sample Name\tMarker\tDye\tAllele 1\tAllele 2\tAllele 3\tHeight 1\tHeight 2\tHeight 3\tArea 1\tArea 2\tArea 3\n\
                 R1\tTH01\tB\t6\t9.3\t\t1200\t1100\t\t12000\t11000\t\n\
                 R1\tAMEL\tB\tX\tY\t\t900\t850\t\t9000\t8500\t\n\
                 R1\tvWA\tG\t16\tOL\t\t1500\t90\t\t15000\t900\t\n";
        let g = parse(t).unwrap();
        assert_eq!(g.layout, Layout::Wide);
        let r = &g.samples["R1"];
        assert_eq!(r.peaks(Locus::Th01).len(), 2);
        assert_eq!(r.peaks(Locus::Th01)[1].allele.to_string(), "9.3");
        assert_eq!(r.peaks(Locus::Amelogenin)[1].allele, Allele::Y);
        assert_eq!(g.notes.len(), 1);
        assert_eq!(g.notes[0].code, ReadNoteCode::OffLadder);
        assert_eq!(r.peaks(Locus::Th01)[0].area, Some(12000.0));
    }

    #[test]
    fn many_off_ladder_peaks_in_one_marker_are_kept_each_with_a_note() {
        let t = "Sample.Name\tMarker\tAllele.1\tAllele.2\tAllele.3\tAllele.4\tSize.1\tSize.2\tSize.3\tSize.4\tHeight.1\tHeight.2\tHeight.3\tHeight.4\n\
                 A\tD3S1358\tOL\tOL\t15\tOL\t100.48\t102.81\t126.5\tNA\t80\t453\t18196\t96\n";
        let g = parse(t).unwrap();
        let peaks = g.samples["A"].peaks(Locus::D3s1358);
        assert_eq!(peaks.len(), 4);
        assert_eq!(peaks.iter().filter(|p| p.allele.is_off_ladder()).count(), 3);
        assert_eq!(peaks[0].allele.to_string(), "OL at 100.48 bp");
        assert_eq!(peaks[3].allele.to_string(), "OL #3");
        assert_eq!(
            g.notes
                .iter()
                .filter(|n| n.code == ReadNoteCode::OffLadder)
                .count(),
            3
        );
        assert!(g.notes.iter().all(|n| n.line == 2));
    }

    #[test]
    fn many_off_ladder_notes_of_a_sample_print_as_one_line() {
        let t = "Sample.Name\tMarker\tAllele.1\tAllele.2\tAllele.3\tAllele.4\tSize.1\tSize.2\tSize.3\tSize.4\tHeight.1\tHeight.2\tHeight.3\tHeight.4\n\
                 A\tD3S1358\tOL\tOL\t15\tOL\t100.48\t102.81\t126.5\tNA\t80\t453\t18196\t96\n\
                 A\tTH01\tOL\t7\t\t\t150.1\t160\t\t\t80\t900\t\t\n\
                 B\tTH01\tOL\t7\t\t\t150.1\t160\t\t\t80\t900\t\t\n";
        let g = parse(t).unwrap();
        let notes: Vec<&ReadNote> = g.notes.iter().collect();
        let lines = note_lines("x.txt", &notes);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with("[STR-OL] x.txt line 4: sample 'B': TH01: off-ladder"),
            "{lines:?}"
        );
        assert_eq!(
            lines[1],
            "[STR-OL] x.txt lines 2–3: sample 'A': 4 off-ladder peaks kept as unassigned signal (D3S1358 3, TH01 1); --format json lists each"
        );
    }

    /// GeneMapper's peak table lists every peak; those without a marker
    /// are kept as unlabelled signal with one note per sample, never an
    /// error (real exports: BioHPC/Rchimerism, PowerPlex 16).
    #[test]
    fn peaks_without_a_marker_are_kept_not_refused() {
        let t = "Dye/Sample Peak\tSample File Name\tMarker\tAllele\tSize\tHeight\tArea\tData Point\t\n\
                 \"B,1\"\txxxx\tD3S1358\t14\t118.2\t1200\t12000\t1821\t\n\
                 \"B,4\"\txxxx\t\t\t111.84\t148\t820\t1914\t\n\
                 \"O,20     *\"\txxxx\t\t\t\t55\t371\t250\t\n";
        let g = parse(t).unwrap();
        let p = &g.samples["xxxx"];
        assert_eq!(p.peaks(Locus::D3s1358).len(), 1);
        assert_eq!(p.unlabelled.len(), 2);
        assert_eq!(p.unlabelled[0].size, Some(111.84));
        assert_eq!(p.unlabelled[0].dye, Some('B'));
        assert_eq!(p.unlabelled[1].dye, Some('O'));
        assert_eq!(p.locus_dyes.get(&Locus::D3s1358), Some(&'B'));
        let n: Vec<_> = g
            .notes
            .iter()
            .filter(|n| n.code == ReadNoteCode::Unlabelled)
            .collect();
        assert_eq!(n.len(), 1);
        assert!(
            n[0].text.starts_with("2 peaks exported without a marker"),
            "{}",
            n[0].text
        );
        assert_eq!(n[0].line, 3);
    }

    #[test]
    fn long_layout_with_header_variants() {
        let t = "sample_file\tLOCUS\tallele\tsize\theight\n\
                 S1\tD8S1179\t12\t130.5\t800\n\
                 S1\tD8S1179\t14\t138.6\t750\n";
        let g = parse(t).unwrap();
        assert_eq!(g.layout, Layout::Long);
        let pk = &g.samples["S1"].peaks(Locus::D8s1179)[1];
        assert_eq!(
            (pk.height, pk.area, pk.size),
            (Some(750.0), None, Some(138.6))
        );
    }

    #[test]
    fn comma_and_semicolon_files_with_na_cells() {
        let t = "SampleName,Marker,Allele1,Allele2,Height1,Height2\nstain5,D3S1358,14,NA,417,NA\nstain5,D16S539,,,,\n";
        let g = parse(t).unwrap();
        assert_eq!(g.delimiter, Delimiter::Comma);
        assert_eq!(g.samples["stain5"].peaks(Locus::D3s1358).len(), 1);
        assert!(g.samples["stain5"].loci.contains_key(&Locus::D16s539));
        let t = "SampleName;Marker;Allele1;Height1\nstain80;D3S1358;15;190\n";
        assert_eq!(parse(t).unwrap().delimiter, Delimiter::Semicolon);
    }

    #[test]
    fn unknown_marker_is_an_error_or_ignored_and_y_markers_are_skipped() {
        let t = "Sample Name\tMarker\tAllele\tHeight\nS\tD99S99\t20\t500\n";
        let e = parse(t).unwrap_err().to_string();
        assert!(
            e.contains("x.txt")
                && e.contains("line 2")
                && e.contains("D99S99")
                && e.contains("D3S1358"),
            "{e}"
        );
        let g = parse_genemapper(
            t,
            Path::new("x.txt"),
            GeneMapperOptions {
                ignore_unknown_markers: true,
            },
        )
        .unwrap();
        assert_eq!(g.notes[0].code, ReadNoteCode::UnknownMarker);
        let t = "Sample Name\tMarker\tAllele\tHeight\nS\tDYS391\t10\t500\nS\tSE33\t28.2\t400\nS\tYindel\t2\t300\n";
        let g = parse(t).unwrap();
        assert_eq!(g.samples["S"].peaks(Locus::Se33).len(), 1);
        assert_eq!(
            g.notes
                .iter()
                .filter(|n| n.code == ReadNoteCode::SkippedMarker)
                .count(),
            2
        );
    }

    #[test]
    fn duplicate_peaks_are_merged_and_duplicate_wide_rows_are_errors() {
        let t = "Sample Name\tMarker\tAllele\tHeight\tArea\nS\tFGA\t20\t500\t5000\nS\tFGA\t20\t60\t300\n";
        let g = parse(t).unwrap();
        let pk = &g.samples["S"].peaks(Locus::Fga)[0];
        assert_eq!((pk.height, pk.area), (Some(500.0), Some(5300.0)));
        assert_eq!(g.notes[0].code, ReadNoteCode::MergedPeaks);
        assert!(
            g.notes[0].text.contains("lines 2 and 3"),
            "{}",
            g.notes[0].text
        );
        // The same row twice (exports of merged runs): read once, noted.
        let t = "Sample Name\tMarker\tAllele 1\tHeight 1\nS\tFGA\t20\t500\nS\tFGA\t20\t500\n";
        let g = parse(t).unwrap();
        assert_eq!(g.samples["S"].peaks(Locus::Fga).len(), 1);
        assert_eq!(g.notes[0].code, ReadNoteCode::DuplicateRow);
        assert!(
            g.notes[0].text.contains("line 3 repeats line 2"),
            "{}",
            g.notes[0].text
        );
        // Two different rows: that sample is refused when asked for, the
        // others are read (real export: SCIEG/LabRetriever, a positive
        // control injected twice).
        let t = "Sample Name\tMarker\tAllele 1\tHeight 1\nS\tFGA\t20\t500\nS\tFGA\t21\t510\nT\tFGA\t22\t400\n";
        let g = parse(t).unwrap();
        assert!(matches!(
            g.profile("S").unwrap_err(),
            GeneMapperError::Duplicate {
                line: 3,
                first_line: 2,
                ..
            }
        ));
        assert_eq!(g.profile("T").unwrap().peaks(Locus::Fga).len(), 1);
        // A genotype table listing a homozygote twice is one allele, no note.
        let t = "Sample.Name\tMarker\tAllele.1\tAllele.2\nA2\tTH01\t8\t8\n";
        let g = parse(t).unwrap();
        assert!(g.genotype_only && g.notes.is_empty());
        assert_eq!(g.samples["A2"].peaks(Locus::Th01).len(), 1);
    }

    #[test]
    fn two_injections_of_one_sample_name_are_asked_for_by_file() {
        let t = "Sample File\tSample Name\tMarker\tAllele 1\tHeight 1\n\
                 a.fsa\tS\tFGA\t20\t500\nb.fsa\tS\tFGA\t20\t520\n";
        let g = parse(t).unwrap();
        let e = g.profile("S").unwrap_err().to_string();
        assert!(e.contains("a.fsa") && e.contains("b.fsa"), "{e}");
        assert_eq!(
            g.profile("b.fsa").unwrap().peaks(Locus::Fga)[0].height,
            Some(520.0)
        );
    }

    #[test]
    fn bad_cells_name_line_column_value() {
        let t = "Sample Name\tMarker\tAllele\tHeight\nS\tFGA\t20\tabc\n";
        let e = parse(t).unwrap_err().to_string();
        assert!(
            e.contains("line 2") && e.contains("'Height'") && e.contains("'abc'"),
            "{e}"
        );
        let t = "Sample Name\tMarker\tAllele\tHeight\nS\tFGA\t2x\t100\n";
        let e = parse(t).unwrap_err().to_string();
        assert!(e.contains("'Allele'") && e.contains("2x"), "{e}");
        let t = "Sample Name\tMarker\tAllele\tHeight\nS\tFGA\t20\t-5\n";
        assert!(parse(t).is_err());
        let t = "Sample Name,Marker,Allele,Height\nS,FGA,20,100,7\n";
        let e = parse(t).unwrap_err().to_string();
        assert!(e.contains("5 comma-separated fields, header has 4"), "{e}");
    }

    #[test]
    fn missing_columns_header_only_and_empty_files() {
        let e = parse("Sample Name\tAllele\tHeight\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'Marker'") && e.contains("line 1"), "{e}");
        let e = parse("Sample Name\tMarker\tAllele 1\tHeight 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("header only") && e.contains("line 1"), "{e}");
        assert!(matches!(
            parse("\n\n").unwrap_err(),
            GeneMapperError::Empty { .. }
        ));
    }

    #[test]
    fn missing_sample_lists_available() {
        let g = parse("Sample Name\tMarker\tAllele\tHeight\nA\tFGA\t20\t500\nB\tFGA\t21\t500\n")
            .unwrap();
        let e = g.profile("C").unwrap_err().to_string();
        assert!(e.contains("'C'") && e.contains("A, B"), "{e}");
    }

    #[test]
    fn a_last_line_cut_short_is_an_error_and_a_whole_one_a_note() {
        let head = "Sample Name\tMarker\tAllele 1\tAllele 2\tHeight 1\tHeight 2\n";
        // cut inside the row: fewer cells than the header
        let e = parse(&format!("{head}S\tFGA\t20\t21\t500")).unwrap_err();
        assert!(
            matches!(
                e,
                GeneMapperError::Truncated {
                    line: 2,
                    found: 5,
                    expected: 6,
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains("truncated: the last line (2) has no line end")
        );
        // every cell there (as in EuroForMix's published GlobalFiler refs): read, noted
        let g = parse(&format!("{head}S\tFGA\t20\t21\t500\t480")).unwrap();
        assert_eq!(g.samples["S"].peaks(Locus::Fga).len(), 2);
        assert!(
            g.notes
                .iter()
                .any(|n| n.code == ReadNoteCode::NoFinalLineEnd && n.sample == "S")
        );
        // with a line end: no note
        let g = parse(&format!("{head}S\tFGA\t20\t21\t500\t480\n")).unwrap();
        assert!(g.notes.is_empty());
    }

    #[test]
    fn crlf_bom_and_quotes() {
        let t = "\u{feff}\"Sample Name\"\t\"Marker\"\t\"Allele\"\t\"Height\"\r\n\"S\"\t\"FGA\"\t\"20\"\t\"500\"\r\n";
        let g = parse(t).unwrap();
        assert_eq!(g.samples["S"].peaks(Locus::Fga)[0].height, Some(500.0));
    }
}
