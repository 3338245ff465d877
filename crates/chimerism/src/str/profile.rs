//! Peak tables: what a fragment-analysis export says about one sample.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::allele::Allele;
use super::locus::Locus;

/// Which peak measure the estimates use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Peak area (the classical formulas are written for areas).
    #[default]
    Area,
    /// Peak height (RFU).
    Height,
}

impl Measure {
    /// `area` or `height`.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Area => "area",
            Measure::Height => "height",
        }
    }
}

/// One called peak.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peak {
    /// The allele call.
    pub allele: Allele,
    /// Peak height in RFU, when exported.
    pub height: Option<f64>,
    /// Peak area, when exported.
    pub area: Option<f64>,
    /// Fragment size in bp, when exported.
    pub size: Option<f64>,
}

impl Peak {
    /// The signal for `measure`, if that measure was exported.
    pub fn signal(&self, measure: Measure) -> Option<f64> {
        match measure {
            Measure::Area => self.area,
            Measure::Height => self.height,
        }
    }
}

/// All peaks of one sample, by locus.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct StrProfile {
    /// Sample name as exported.
    pub sample: String,
    /// Peaks per locus (a locus with no row is absent; an empty vector means
    /// the locus was exported with no peak).
    pub loci: BTreeMap<Locus, Vec<Peak>>,
    /// Peaks the export lists without a marker (GeneMapper's peak table
    /// lists every peak of the run; those outside every marker's bins, or
    /// below the software's labelling threshold, have an empty marker
    /// cell). Not used unless a kit with bins calls them
    /// ([`crate::str::sample_qc::bin_off_ladder`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unlabelled: Vec<UnlabelledPeak>,
    /// The dye letter each locus's labelled peaks were exported in (the
    /// export's `Dye/Sample Peak` column), to tell an unlabelled peak of
    /// the locus's dye from a size-standard or pull-up peak of another.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub locus_dyes: BTreeMap<Locus, char>,
}

/// A peak exported without a marker.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct UnlabelledPeak {
    /// Fragment size in bp, when exported.
    pub size: Option<f64>,
    /// Peak height (RFU), when exported.
    pub height: Option<f64>,
    /// Peak area, when exported.
    pub area: Option<f64>,
    /// Dye letter of the export's `Dye/Sample Peak` column (`B`, `G`, `Y`,
    /// `R`, `P`, `O`), when there is one.
    pub dye: Option<char>,
}

impl UnlabelledPeak {
    /// The peak's height or area, as `measure` asks.
    pub fn signal(&self, measure: Measure) -> Option<f64> {
        match measure {
            Measure::Height => self.height,
            Measure::Area => self.area,
        }
    }
}

impl StrProfile {
    /// An empty profile.
    pub fn new(sample: impl Into<String>) -> StrProfile {
        StrProfile {
            sample: sample.into(),
            loci: BTreeMap::new(),
            unlabelled: Vec::new(),
            locus_dyes: BTreeMap::new(),
        }
    }

    /// Whether any peak of the profile has `measure` exported (a
    /// height-only export has no areas).
    pub fn has_signal(&self, measure: Measure) -> bool {
        self.loci
            .values()
            .flatten()
            .any(|p| p.signal(measure).is_some())
    }

    /// Peaks at `locus` (empty if not typed).
    pub fn peaks(&self, locus: Locus) -> &[Peak] {
        self.loci.get(&locus).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Signal at `allele` of `locus`, 0 when no such peak.
    pub fn signal_at(&self, locus: Locus, allele: &Allele, measure: Measure) -> f64 {
        self.peaks(locus)
            .iter()
            .filter(|p| &p.allele == allele)
            .filter_map(|p| p.signal(measure))
            .sum()
    }
}
