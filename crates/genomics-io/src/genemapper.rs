//! GeneMapper-style STR peak table exports (tab-separated).
//!
//! Two layouts are detected from the header:
//! * **wide**: one row per sample and marker with `Allele 1..N`,
//!   `Height 1..N` and/or `Area 1..N` (and optional `Size 1..N`);
//! * **long**: one row per peak with `Allele`, `Height` and/or `Area`
//!   (and optional `Size`).
//!
//! Header names are case-insensitive; spaces, `_` and `.` are ignored. The
//! sample column is `Sample Name` (or `Sample`, or `Sample File` when no
//! `Sample Name` exists); the marker column `Marker` (or `Locus`). Other
//! columns (`Dye`, `Panel`, `Run Name`, …) are ignored. Off-ladder calls
//! (`OL`) are kept and reported; Amelogenin `X`/`Y` and microvariants
//! (`9.3`) are parsed. Errors name the file, line, column and value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use graftwatch_chimerism::str::{Allele, Locus, Peak, StrProfile};
use serde::Serialize;

/// Which layout a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per sample and marker, numbered allele columns.
    Wide,
    /// One row per peak.
    Long,
}

/// Reader options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GeneMapperOptions {
    /// Skip rows whose marker is not a known locus (recorded in
    /// `ignored_markers`) instead of failing.
    pub ignore_unknown_markers: bool,
}

/// A parsed export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeneMapperTable {
    /// Where it came from.
    pub path: PathBuf,
    /// Detected layout.
    pub layout: Layout,
    /// Profiles by sample name.
    pub samples: BTreeMap<String, StrProfile>,
    /// Unknown markers skipped (with `ignore_unknown_markers`), as `line N: name`.
    pub ignored_markers: Vec<String>,
    /// Off-ladder peaks kept, as `sample marker allele (line N)`.
    pub off_ladder: Vec<String>,
}

/// Errors reading an export; each names the file and, where it applies, the
/// line (1-based), the column, the value and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeneMapperError {
    /// The file could not be read.
    #[error("{path}: cannot read: {message}")]
    Io {
        /// File.
        path: String,
        /// OS message.
        message: String,
    },
    /// No header line.
    #[error("{path}: empty file; expected a tab-separated GeneMapper export with a header line")]
    Empty {
        /// File.
        path: String,
    },
    /// A required column is missing.
    #[error("{path}: line 1: no '{column}' column (found: {found}); expected {expected}")]
    MissingColumn {
        /// File.
        path: String,
        /// The missing column.
        column: String,
        /// The header as read.
        found: String,
        /// What would do.
        expected: String,
    },
    /// A row has a different number of fields than the header.
    #[error("{path}: line {line}: {found} tab-separated fields, header has {expected}")]
    FieldCount {
        /// File.
        path: String,
        /// Line.
        line: usize,
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
        "{path}: line {line}, column '{column}': unknown STR marker '{value}'; known markers: {known}"
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
    /// The same sample/marker (wide) or sample/marker/allele (long) twice.
    #[error("{path}: line {line}: duplicate row for {what} (first seen on line {first_line})")]
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
    #[error("{path}: no sample named '{sample}'; samples in the file: {available}")]
    SampleNotFound {
        /// File.
        path: String,
        /// Requested name.
        sample: String,
        /// Names present.
        available: String,
    },
}

impl GeneMapperTable {
    /// The profile of `sample`, or an error listing the samples in the file.
    pub fn profile(&self, sample: &str) -> Result<&StrProfile, GeneMapperError> {
        self.samples
            .get(sample)
            .ok_or_else(|| GeneMapperError::SampleNotFound {
                path: self.path.display().to_string(),
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
    let text = String::from_utf8_lossy(&bytes);
    parse_genemapper(&text, path, opts)
}

/// Column indices of one allele slot: allele, height, area, size.
type Slot = (usize, Option<usize>, Option<usize>, Option<usize>);

fn norm(h: &str) -> String {
    h.trim()
        .trim_matches('"')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '.' | '-'))
        .collect::<String>()
        .to_ascii_lowercase()
}

fn cell(s: &str) -> &str {
    s.trim().trim_matches('"').trim()
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
    let Some((_, header_line)) = lines.by_ref().find(|(_, l)| !l.trim().is_empty()) else {
        return Err(GeneMapperError::Empty { path: p });
    };
    let header: Vec<&str> = header_line.split('\t').collect();
    let names: Vec<String> = header.iter().map(|h| norm(h)).collect();
    let find = |n: &str| names.iter().position(|x| x == n);
    let found = header
        .iter()
        .map(|h| cell(h))
        .collect::<Vec<_>>()
        .join(", ");
    let sample_col = find("samplename")
        .or_else(|| find("sample"))
        .or_else(|| find("samplefile"))
        .ok_or_else(|| GeneMapperError::MissingColumn {
            path: p.clone(),
            column: "Sample Name".into(),
            found: found.clone(),
            expected: "a 'Sample Name' (or 'Sample', 'Sample File') column".into(),
        })?;
    let marker_col =
        find("marker")
            .or_else(|| find("locus"))
            .ok_or_else(|| GeneMapperError::MissingColumn {
                path: p.clone(),
                column: "Marker".into(),
                found: found.clone(),
                expected: "a 'Marker' (or 'Locus') column".into(),
            })?;
    // Numbered columns for the wide layout.
    let numbered = |prefix: &str| -> BTreeMap<usize, usize> {
        names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                n.strip_prefix(prefix)
                    .and_then(|r| r.parse::<usize>().ok())
                    .map(|k| (k, i))
            })
            .collect()
    };
    let wide_alleles = numbered("allele");
    let layout = if !wide_alleles.is_empty() {
        Layout::Wide
    } else if find("allele").is_some() {
        Layout::Long
    } else {
        return Err(GeneMapperError::MissingColumn {
            path: p,
            column: "Allele".into(),
            found,
            expected: "'Allele 1', 'Allele 2', … (wide layout) or 'Allele' (long layout)".into(),
        });
    };
    // Per allele slot: (allele col, height col, area col, size col).
    let slots: Vec<Slot> = match layout {
        Layout::Wide => {
            let (h, a, s) = (numbered("height"), numbered("area"), numbered("size"));
            wide_alleles
                .iter()
                .map(|(k, &c)| (c, h.get(k).copied(), a.get(k).copied(), s.get(k).copied()))
                .collect()
        }
        Layout::Long => vec![(
            find("allele").unwrap_or(0),
            find("height"),
            find("area"),
            find("size"),
        )],
    };
    if slots.iter().all(|s| s.1.is_none() && s.2.is_none()) {
        return Err(GeneMapperError::MissingColumn {
            path: p,
            column: "Height/Area".into(),
            found,
            expected:
                "peak 'Height' and/or 'Area' columns (numbered like the alleles in the wide layout)"
                    .into(),
        });
    }

    let mut table = GeneMapperTable {
        path: path.to_path_buf(),
        layout,
        samples: BTreeMap::new(),
        ignored_markers: Vec::new(),
        off_ladder: Vec::new(),
    };
    let mut seen_marker: BTreeMap<(String, Locus), usize> = BTreeMap::new();
    let mut seen_allele: BTreeMap<(String, Locus, Allele), usize> = BTreeMap::new();
    for (line, raw) in lines {
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').collect();
        // Trailing empty fields may be dropped by some exporters; extra non-empty fields are an error.
        if fields.len() > header.len()
            && fields[header.len()..].iter().any(|f| !f.trim().is_empty())
        {
            return Err(GeneMapperError::FieldCount {
                path: p,
                line,
                found: fields.len(),
                expected: header.len(),
            });
        }
        let get = |c: usize| fields.get(c).map(|s| cell(s)).unwrap_or("");
        let colname = |c: usize| cell(header[c]).to_string();
        let sample = get(sample_col).to_string();
        if sample.is_empty() {
            return Err(GeneMapperError::Field {
                path: p,
                line,
                column: colname(sample_col),
                value: String::new(),
                expected: "a sample name".into(),
            });
        }
        let marker_text = get(marker_col);
        let locus: Locus = match marker_text.parse() {
            Ok(l) => l,
            Err(_) if opts.ignore_unknown_markers => {
                table
                    .ignored_markers
                    .push(format!("line {line}: {marker_text}"));
                continue;
            }
            Err(_) => {
                return Err(GeneMapperError::UnknownMarker {
                    path: p,
                    line,
                    column: colname(marker_col),
                    value: marker_text.to_string(),
                    known: Locus::known_names(),
                });
            }
        };
        if layout == Layout::Wide
            && let Some(first) = seen_marker.insert((sample.clone(), locus), line)
        {
            return Err(GeneMapperError::Duplicate {
                path: p,
                line,
                first_line: first,
                what: format!("sample '{sample}' marker {locus}"),
            });
        }
        let profile = table
            .samples
            .entry(sample.clone())
            .or_insert_with(|| StrProfile::new(sample.clone()));
        let peaks = profile.loci.entry(locus).or_default();
        for &(ac, hc, arc, sc) in &slots {
            let atext = get(ac);
            if atext.is_empty() {
                if layout == Layout::Long {
                    return Err(GeneMapperError::Field {
                        path: p,
                        line,
                        column: colname(ac),
                        value: String::new(),
                        expected: format!("an allele of {locus}"),
                    });
                }
                continue;
            }
            let allele = Allele::parse(atext, locus).map_err(|e| GeneMapperError::Field {
                path: p.clone(),
                line,
                column: colname(ac),
                value: atext.to_string(),
                expected: e.expected.clone(),
            })?;
            let num = |c: Option<usize>, what: &str| -> Result<Option<f64>, GeneMapperError> {
                let Some(c) = c else { return Ok(None) };
                let t = get(c);
                match t.parse::<f64>() {
                    Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
                    _ => Err(GeneMapperError::Field {
                        path: p.clone(),
                        line,
                        column: colname(c),
                        value: t.to_string(),
                        expected: format!("a non-negative {what} for allele {allele}"),
                    }),
                }
            };
            let height = num(hc, "peak height (RFU)")?;
            let area = num(arc, "peak area")?;
            let size = match sc {
                Some(c) if get(c).is_empty() => None,
                other => num(other, "fragment size (bp)")?,
            };
            if let Some(first) = seen_allele.insert((sample.clone(), locus, allele.clone()), line) {
                let what = format!("sample '{sample}' marker {locus} allele {allele}");
                return Err(GeneMapperError::Duplicate {
                    path: p,
                    line,
                    first_line: first,
                    what,
                });
            }
            if allele.is_off_ladder() {
                table
                    .off_ladder
                    .push(format!("{sample} {locus} {allele} (line {line})"));
            }
            peaks.push(Peak {
                allele,
                height,
                area,
                size,
            });
        }
    }
    Ok(table)
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
        assert_eq!(g.off_ladder.len(), 1);
        assert_eq!(r.peaks(Locus::Th01)[0].area, Some(12000.0));
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
    fn unknown_marker_is_an_error_or_ignored() {
        let t = "Sample Name\tMarker\tAllele\tHeight\nS\tSE33\t20\t500\n";
        let e = parse(t).unwrap_err().to_string();
        assert!(
            e.contains("x.txt")
                && e.contains("line 2")
                && e.contains("SE33")
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
        assert_eq!(g.ignored_markers, vec!["line 2: SE33".to_string()]);
    }

    #[test]
    fn duplicate_rows_are_errors() {
        let t = "Sample Name\tMarker\tAllele\tHeight\nS\tFGA\t20\t500\nS\tFGA\t20\t510\n";
        let e = parse(t).unwrap_err();
        assert!(
            matches!(
                e,
                GeneMapperError::Duplicate {
                    line: 3,
                    first_line: 2,
                    ..
                }
            ),
            "{e}"
        );
        let t = "Sample Name\tMarker\tAllele 1\tHeight 1\nS\tFGA\t20\t500\nS\tFGA\t21\t510\n";
        assert!(matches!(
            parse(t).unwrap_err(),
            GeneMapperError::Duplicate { line: 3, .. }
        ));
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
    }

    #[test]
    fn missing_columns_are_named() {
        let e = parse("Sample Name\tAllele\tHeight\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'Marker'"), "{e}");
        let e = parse("Sample Name\tMarker\tAllele\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("Height/Area"), "{e}");
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
    fn crlf_bom_and_quotes() {
        let t = "\u{feff}\"Sample Name\"\t\"Marker\"\t\"Allele\"\t\"Height\"\r\n\"S\"\t\"FGA\"\t\"20\"\t\"500\"\r\n";
        let g = parse(t).unwrap();
        assert_eq!(g.samples["S"].peaks(Locus::Fga)[0].height, Some(500.0));
    }
}
