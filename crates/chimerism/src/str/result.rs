//! What an STR chimerism estimate reports for one sample.

use graftwatch_core::{Lineage, Percent, PersonRef};
use serde::Serialize;

use super::allele::Allele;
use super::classical::ClassicalPattern;
use super::locus::Locus;
use super::profile::Measure;
use super::qc::StrFlag;

/// STR shares print with two decimals, the detection limit in `< LoD`
/// with one.
pub const STR_DECIMALS: crate::reported::Decimals =
    crate::reported::Decimals { share: 2, limit: 1 };

/// What "not assessable" means, as tables and pages say it: presence can
/// only be judged on an allele of the person's own that no other person's
/// stutter could explain.
pub const NOT_ASSESSABLE_WORDS: &str =
    "presence not assessable (no allele of its own outside other people's stutter positions)";

/// Whether a person's DNA is detectable in the sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Detection {
    /// Clean unique alleles of the person were seen at the required number of loci.
    Present,
    /// Not seen; the share is below the stated detection limit.
    NotDetected,
    /// The person has no clean unique allele (none outside stutter positions) at any usable locus.
    NotAssessable,
    /// Present, but the share is below the lab's validated limit of quantification.
    BelowQuantification,
    /// Peaks of the person are seen, but the share is below the lab's
    /// validated limit of detection: not reported as present.
    BelowDetectionLimit,
}

impl Detection {
    /// The call in words.
    pub fn as_str(self) -> &'static str {
        match self {
            Detection::Present => "present",
            Detection::NotDetected => "not detected",
            Detection::NotAssessable => "not assessable",
            Detection::BelowQuantification => "present, below the limit of quantification",
            Detection::BelowDetectionLimit => {
                "signal seen, below the lab-validated limit of detection"
            }
        }
    }
}

/// A two-sided confidence interval in percent (the bootstrap ends are
/// bounded to 0–100 where the interval is built).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound (%).
    pub low: Percent,
    /// Upper bound (%).
    pub high: Percent,
}

/// One person's share in a sample. The JSON adds the share as reported
/// (`reported_percent`: `< 3.3` for a person not detected, as tables and
/// CSV show it) and the detection call as a course records it
/// (`detected`: true, false, or null when not assessable), so a reader of
/// the JSON does not take `percent` for a result.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonEstimate {
    /// Who.
    pub person: PersonRef,
    /// Joint-fit share in percent (0–100).
    pub percent: Percent,
    /// Bootstrap-over-loci percentile interval at the configured level;
    /// `None` with fewer than 2 loci in the fit.
    pub ci: Option<Interval>,
    /// Mean of the per-locus estimates at loci where this person has a unique allele.
    pub per_locus_mean: Option<Percent>,
    /// Standard deviation of those per-locus estimates (percentage points).
    pub sd: Option<f64>,
    /// Coefficient of variation (sd / mean), when the mean is positive.
    pub cv: Option<f64>,
    /// Loci in the fit at which this person has a unique allele.
    pub informative_loci: usize,
    /// Present / not detected / not assessable.
    pub detection: Detection,
    /// The share (%) at which this person's clean unique alleles would reach
    /// the analytical threshold at the required number of loci in this sample.
    pub detection_limit_percent: Option<Percent>,
    /// True when `detection_limit_percent` is the lab's validated LoD (from
    /// the configuration file or `--lod`), not the per-sample computed one.
    pub lod_lab_validated: bool,
    /// Loci where a clean unique allele of this person was seen.
    pub loci_detected: usize,
    /// Loci where this person has a clean unique allele (detection opportunity).
    pub loci_assessable: usize,
}

/// The name of a computed per-sample detection limit wherever it is shown:
/// the share at which the person's expected peak reaches the threshold, so
/// a share there is seen in about half of the samples (a scientist reading
/// a bare "LoD" takes it for the smallest reportable share).
pub const COMPUTED_LOD_NAME: &str = "LoD50";

/// A detection limit as tables and flags name it: "LoD 1.5%,
/// lab-validated" for the lab's, "LoD50 2.0%" ([`COMPUTED_LOD_NAME`]) for
/// the computed per-sample one.
pub fn lod_label(limit_percent: f64, lab_validated: bool) -> String {
    if lab_validated {
        format!("LoD {limit_percent:.1}%, lab-validated")
    } else {
        format!("{COMPUTED_LOD_NAME} {limit_percent:.1}%")
    }
}

/// The line that explains [`COMPUTED_LOD_NAME`] under a table that shows it.
pub const COMPUTED_LOD_LEGEND: &str = "LoD50 = share at which the person's expected peak reaches the threshold (seen in about half of samples at that share; not a validated limit: set the lab's with --lod or [chimerism_limits.str] lod_percent)";

impl Serialize for PersonEstimate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut o = s.serialize_struct("PersonEstimate", 14)?;
        o.serialize_field("person", &self.person)?;
        o.serialize_field("percent", &self.percent)?;
        o.serialize_field("reported_percent", &self.reported_percent())?;
        o.serialize_field("detected", &self.detected())?;
        o.serialize_field("ci", &self.ci)?;
        o.serialize_field("per_locus_mean", &self.per_locus_mean)?;
        o.serialize_field("sd", &self.sd)?;
        o.serialize_field("cv", &self.cv)?;
        o.serialize_field("informative_loci", &self.informative_loci)?;
        o.serialize_field("detection", &self.detection)?;
        o.serialize_field("detection_limit_percent", &self.detection_limit_percent)?;
        o.serialize_field("lod_lab_validated", &self.lod_lab_validated)?;
        o.serialize_field("loci_detected", &self.loci_detected)?;
        o.serialize_field("loci_assessable", &self.loci_assessable)?;
        o.end()
    }
}

impl PersonEstimate {
    /// Whether the detection words show a computed (not lab-validated)
    /// limit, so a table showing them adds [`COMPUTED_LOD_LEGEND`].
    pub fn shows_computed_lod(&self) -> bool {
        self.detection_limit_percent.is_some()
            && !self.lod_lab_validated
            && !matches!(
                self.detection,
                Detection::BelowQuantification | Detection::NotAssessable
            )
    }

    /// The detection call as a course records it: present (also below the
    /// LoQ) → `true`; not detected or below the lab's LoD → `false`; not
    /// assessable → `None`.
    pub fn detected(&self) -> Option<bool> {
        match self.detection {
            Detection::Present | Detection::BelowQuantification => Some(true),
            Detection::NotDetected | Detection::BelowDetectionLimit => Some(false),
            Detection::NotAssessable => None,
        }
    }

    /// The share as reported: the estimate with two decimals, or `< L`
    /// (the detection limit) when the person is not detected or only below
    /// the detection limit. A result below the LoD is not reported as a
    /// number (CLSI EP17); the estimate stays in `percent` (JSON, CSV).
    /// The rule is [`crate::reported::reported_percent`], shared with NGS.
    pub fn reported_percent(&self) -> String {
        let below = match self.detected() {
            Some(false) => self.detection_limit_percent.map(Percent::get),
            _ => None,
        };
        crate::reported::reported_percent(self.percent.get(), below, STR_DECIMALS)
    }

    /// The detection call in words for tables and pages ("present (7 of 7
    /// loci with an allele of its own; LoD50 1.2%)", "not detected (< LoD50
    /// 1.0%)"): the loci counted are those where the person has an allele
    /// of its own outside other people's stutter positions. A computed
    /// limit is named [`COMPUTED_LOD_NAME`] (explained by
    /// [`COMPUTED_LOD_LEGEND`]); the lab's reads "LoD 1.5%, lab-validated".
    pub fn detection_words(&self) -> String {
        let lod = self
            .detection_limit_percent
            .map(|l| lod_label(l.get(), self.lod_lab_validated));
        let loci = format!(
            "{} of {} {} with an allele of its own",
            self.loci_detected,
            self.loci_assessable,
            if self.loci_assessable == 1 {
                "locus"
            } else {
                "loci"
            }
        );
        let with_lod = |s: String| match &lod {
            Some(l) => format!("{s}; {l}"),
            None => s,
        };
        match self.detection {
            Detection::Present => format!("present ({})", with_lod(loci)),
            Detection::BelowQuantification => format!("present, below LoQ ({loci})"),
            Detection::NotDetected => match &lod {
                Some(l) => format!("not detected (< {l})"),
                None => "not detected".into(),
            },
            Detection::BelowDetectionLimit => {
                format!(
                    "signal below the LoD ({}): not reported as present",
                    with_lod(loci)
                )
            }
            Detection::NotAssessable => NOT_ASSESSABLE_WORDS.into(),
        }
    }
}

/// How a sample peak was interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeakClass {
    /// At an allele of a declared person.
    Allele,
    /// At a stutter position of a declared allele (modelled or ignored).
    Stutter,
    /// Belongs to no declared person.
    Unexplained,
}

/// One sample peak with the fitted contribution of each person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeakReport {
    /// Allele call.
    pub allele: Allele,
    /// Observed signal (configured measure).
    pub signal: f64,
    /// Interpretation.
    pub class: PeakClass,
    /// Fitted signal per person (same order as `StrSampleResult::persons`),
    /// empty for peaks outside the model.
    pub fitted_by_person: Vec<f64>,
}

/// Why a locus is or is not in the estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LocusStatus {
    /// In the joint fit.
    Used,
    /// All people have the same genotype.
    NotInformative,
    /// No peak at any reference allele in the sample.
    MissingInSample,
    /// Excluded as an outlier.
    ExcludedOutlier,
    /// Excluded because an allele is in another person's back-stutter position and stutter is not modelled.
    ExcludedStutterPosition,
    /// Amelogenin, excluded by configuration.
    ExcludedSexMarker,
    /// A peak at or above the saturation limit: the locus is left out.
    ExcludedSaturated,
}

/// One locus of one sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocusReport {
    /// The locus.
    pub locus: Locus,
    /// Status.
    pub status: LocusStatus,
    /// Genotype label per person (reference order).
    pub genotypes: Vec<String>,
    /// Per-locus fit, percent per person; `None` where the person has no unique allele here.
    pub per_person_percent: Vec<Option<Percent>>,
    /// Classical one-donor formula: pattern (one-donor analyses only).
    pub classical_pattern: Option<ClassicalPattern>,
    /// Classical one-donor formula: % donor.
    pub classical_donor_percent: Option<Percent>,
    /// Residual sum of squares of the joint fit at this locus (signal shares).
    pub residual_ss: Option<f64>,
    /// Back-stutter ratio used in the model (0 = not modelled).
    pub back_stutter_ratio: f64,
    /// The sample's peaks.
    pub peaks: Vec<PeakReport>,
}

/// The STR chimerism result of one sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrSampleResult {
    /// Sample name.
    pub sample: String,
    /// Cell lineage the sample was measured on.
    pub lineage: Lineage,
    /// Peak measure used.
    pub measure: Measure,
    /// One entry per person: recipient first, then donors in declaration order.
    pub persons: Vec<PersonEstimate>,
    /// Sum of the donors' shares (%).
    pub donor_total_percent: Percent,
    /// The donor with the largest share (when there is at least one donor).
    pub dominant_donor: Option<PersonRef>,
    /// Loci in the joint fit.
    pub loci_used: Vec<Locus>,
    /// Loci excluded as outliers.
    pub outlier_loci: Vec<Locus>,
    /// Mean of the classical per-locus % donor (one-donor analyses only).
    pub classical_donor_percent: Option<Percent>,
    /// Per-locus detail.
    pub loci: Vec<LocusReport>,
    /// QC flags (sample-specific and inherited from the references).
    pub flags: Vec<StrFlag>,
    /// How the interval was computed, in words.
    pub ci_method: String,
}

impl StrSampleResult {
    /// The estimate for `person`.
    pub fn person(&self, person: &PersonRef) -> Option<&PersonEstimate> {
        self.persons.iter().find(|p| &p.person == person)
    }
    /// The recipient's estimate.
    pub fn recipient(&self) -> &PersonEstimate {
        &self.persons[0]
    }
}
