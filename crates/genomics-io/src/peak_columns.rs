//! Header of a peak-table export: which column holds what. Names are matched
//! case-insensitively with everything but letters and digits ignored
//! (`Sample Name`, `Sample.Name`, `SampleName`, `sample_name` are one name),
//! so the headers of GeneMapper ID-X / GeneMapper 5, GeneMarker HID, OSIRIS
//! and R-package tables (EuroForMix, strvalidator) are all recognised.

use std::collections::BTreeMap;

/// Which layout a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per sample and marker, numbered allele columns.
    Wide,
    /// One row per peak.
    Long,
}

/// Column indices of one allele slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Allele designation.
    pub allele: usize,
    /// Peak height (RFU).
    pub height: Option<usize>,
    /// Peak area.
    pub area: Option<usize>,
    /// Fragment size (bp).
    pub size: Option<usize>,
}

/// Where everything is in a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// The sample column (`Sample Name`, else `Sample`, `Sample ID`,
    /// `Sample File Name`, `Sample File`).
    pub sample: usize,
    /// The sample-file column when there is one besides `sample`
    /// (distinguishes injections of one sample name).
    pub sample_file: Option<usize>,
    /// `Marker` (or `Locus`, `Marker Name`).
    pub marker: usize,
    /// Detected layout.
    pub layout: Layout,
    /// Allele slots (one for the long layout).
    pub slots: Vec<Slot>,
    /// The dye column (`Dye/Sample Peak` of GeneMapper's peak table, `"B,4"`;
    /// or `Dye`), when there is one.
    pub dye: Option<usize>,
}

/// A header that does not describe a peak table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderProblem {
    /// The column that is missing.
    pub column: &'static str,
    /// What would do.
    pub expected: &'static str,
}

/// Normalised column name: lower-case letters and digits only.
pub fn norm(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

const SAMPLE: &[&str] = &[
    "samplename",
    "sample",
    "sampleid",
    "samplefilename",
    "samplefile",
];
const SAMPLE_FILE: &[&str] = &["samplefilename", "samplefile", "file", "filename"];
const MARKER: &[&str] = &["marker", "locus", "markername", "locusname"];
const ALLELE: &[&str] = &["allele", "allelecall", "allelename", "call"];
const HEIGHT: &[&str] = &["height", "peakheight", "heightrfu", "rfu", "peakheightrfu"];
const AREA: &[&str] = &["area", "peakarea", "areaarfu"];
const DYE: &[&str] = &["dyesamplepeak", "dye"];
const SIZE: &[&str] = &["size", "sizebp", "peaksize", "bps", "bp", "fragmentsize"];

impl Columns {
    /// Reads the header fields.
    pub fn from_header(header: &[String]) -> Result<Columns, HeaderProblem> {
        let names: Vec<String> = header.iter().map(|h| norm(h)).collect();
        let find = |cands: &[&str]| cands.iter().find_map(|c| names.iter().position(|n| n == c));
        let sample = find(SAMPLE).ok_or(HeaderProblem {
            column: "Sample Name",
            expected: "a 'Sample Name' (or 'Sample', 'Sample ID', 'Sample File Name') column",
        })?;
        let sample_file = find(SAMPLE_FILE).filter(|&c| c != sample);
        let marker = find(MARKER).ok_or(HeaderProblem {
            column: "Marker",
            expected: "a 'Marker' (or 'Locus') column",
        })?;
        let numbered = |prefixes: &[&str]| -> BTreeMap<usize, usize> {
            let mut m = BTreeMap::new();
            for p in prefixes {
                for (i, n) in names.iter().enumerate() {
                    if let Some(k) = n.strip_prefix(p).and_then(|r| r.parse::<usize>().ok()) {
                        m.entry(k).or_insert(i);
                    }
                }
            }
            m
        };
        let wide = numbered(ALLELE);
        let (layout, slots) = if !wide.is_empty() {
            let (h, a, s) = (numbered(HEIGHT), numbered(AREA), numbered(SIZE));
            let slots = wide
                .iter()
                .map(|(k, &c)| Slot {
                    allele: c,
                    height: h.get(k).copied(),
                    area: a.get(k).copied(),
                    size: s.get(k).copied(),
                })
                .collect();
            (Layout::Wide, slots)
        } else if let Some(allele) = find(ALLELE) {
            let slot = Slot {
                allele,
                height: find(HEIGHT),
                area: find(AREA),
                size: find(SIZE),
            };
            (Layout::Long, vec![slot])
        } else {
            return Err(HeaderProblem {
                column: "Allele",
                expected: "'Allele 1', 'Allele 2', … (wide layout) or 'Allele' (long layout)",
            });
        };
        Ok(Columns {
            sample,
            sample_file,
            marker,
            layout,
            slots,
            dye: find(DYE),
        })
    }

    /// True when no slot has a height or area column (a genotype table: it
    /// can describe a reference but not be quantified).
    pub fn genotype_only(&self) -> bool {
        self.slots
            .iter()
            .all(|s| s.height.is_none() && s.area.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(h: &str) -> Result<Columns, HeaderProblem> {
        Columns::from_header(&h.split('\t').map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn header_spellings_of_the_common_exporters() {
        // strvalidator / R make.names
        let c = cols(
            "Sample.Name\tMarker\tDye\tAllele.1\tAllele.2\tSize.1\tSize.2\tHeight.1\tHeight.2",
        )
        .unwrap();
        assert_eq!((c.layout, c.slots.len()), (Layout::Wide, 2));
        assert_eq!(c.slots[1].height, Some(8));
        // EuroForMix
        let c = cols("SampleName\tMarker\tAllele1\tHeight1").unwrap();
        assert_eq!(c.slots[0].height, Some(3));
        // GeneMapper ID-X with both sample columns
        let c = cols("Sample File\tSample Name\tPanel\tMarker\tAllele 1\tHeight 1").unwrap();
        assert_eq!((c.sample, c.sample_file), (1, Some(0)));
        // Long layout with units in the names
        let c =
            cols("Sample File Name\tLocus\tAllele\tSize (bp)\tHeight (RFU)\tPeak Area").unwrap();
        assert_eq!(c.layout, Layout::Long);
        assert_eq!(
            (c.slots[0].size, c.slots[0].height, c.slots[0].area),
            (Some(3), Some(4), Some(5))
        );
        // Genotype table
        assert!(
            cols("Sample Name\tMarker\tAllele 1\tAllele 2")
                .unwrap()
                .genotype_only()
        );
    }

    #[test]
    fn missing_columns_are_named() {
        assert_eq!(cols("Marker\tAllele").unwrap_err().column, "Sample Name");
        assert_eq!(cols("Sample\tAllele").unwrap_err().column, "Marker");
        assert_eq!(cols("Sample\tMarker\tHeight").unwrap_err().column, "Allele");
    }
}
