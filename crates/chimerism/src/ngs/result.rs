//! The per-sample NGS chimerism result: fraction per person with its
//! confidence interval and detection limits, the markers used and excluded
//! (and why), the recipient-presence test, goodness of fit and QC flags.

use graftwatch_core::Fraction;
use serde::{Deserialize, Serialize};

use super::design::Dispersion;
use super::error_model::{AlleleClass, ErrorModel};
use super::genotype::{Genotype, NoCall};
use super::identifiability::PairInformativeness;
use super::lod::DetectionLimit;
use super::presence::PresenceTest;
use super::profile_ci::Interval;
use super::qc::{GoodnessOfFit, QcFlag, UnexplainedAllele};
use super::sex::ChromosomalSex;

/// Whether a person is the recipient or a donor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The patient (exactly one per analysis, first column).
    Recipient,
    /// A graft source (PBSC donor, cord unit, DLI donor...).
    Donor,
}

/// A declared contributor.
impl Role {
    /// Word for output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Recipient => "recipient",
            Role::Donor => "donor",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Name as given on the command line (e.g. `recipient`, `UCB-1`).
    pub name: String,
    /// Recipient or donor.
    pub role: Role,
}

/// Why a marker was not used in the fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Exclusion {
    /// A person has no genotype here.
    NoGenotype {
        /// The person.
        person: String,
        /// Why not.
        no_call: NoCall,
    },
    /// The marker is absent from the sample's input.
    MissingInSample,
    /// Too few reads in the sample.
    LowDepth {
        /// REF+ALT reads.
        depth: u32,
        /// Minimum required.
        min_depth: u32,
    },
    /// Everybody has the same genotype: no information on the fractions
    /// (still used by the identity check).
    NotInformative,
    /// Standardised residual beyond the family-wise threshold.
    Outlier {
        /// The residual at the first fit.
        residual: f64,
        /// The threshold.
        threshold: f64,
    },
    /// X or Y marker (outside the pseudo-autosomal regions) while the
    /// persons differ in sex or a sex could not be inferred.
    SexChromosome {
        /// "X" or "Y".
        chromosome: String,
    },
    /// The heterozygous reference samples read far from 50:50 here.
    ReferenceAlleleBalance {
        /// ALT share of their reads.
        alt_fraction: Fraction,
        /// Their reads.
        reads: u32,
    },
    /// Sample depth far from the sample's median depth.
    DepthOutlier {
        /// Depth of this marker.
        depth: u32,
        /// Median depth of the sample.
        median_depth: f64,
    },
    /// An allele the fitted mixture must contain has (almost) no reads:
    /// a dead variant call or an allele dropout.
    AlleleNotSeen {
        /// Which allele.
        allele: Allele,
        /// Reads expected from the fit.
        expected_reads: f64,
        /// Reads observed.
        observed_reads: u32,
    },
    /// Most indels of this sample lost an allele; the rest are not trusted.
    IndelsUnreliable {
        /// Informative indels that lost an allele.
        dead: usize,
        /// Informative indels.
        informative: usize,
    },
}

impl Exclusion {
    /// The reason in a few words, for counts in a summary line
    /// ("23 not informative").
    pub fn label(&self) -> &'static str {
        match self {
            Exclusion::NoGenotype { .. } => "without a reference genotype",
            Exclusion::MissingInSample => "absent from the sample",
            Exclusion::LowDepth { .. } => "with too few reads",
            Exclusion::NotInformative => "not informative (same genotype in everybody)",
            Exclusion::Outlier { .. } => "outliers",
            Exclusion::SexChromosome { .. } => "on a sex chromosome",
            Exclusion::ReferenceAlleleBalance { .. } => "with reference allele imbalance",
            Exclusion::DepthOutlier { .. } => "depth outliers",
            Exclusion::AlleleNotSeen { .. } => "with an expected allele not seen",
            Exclusion::IndelsUnreliable { .. } => "unreliable indels",
        }
    }

    /// `n` markers left out for this reason, in words: "1 outlier",
    /// "23 not informative (same genotype in everybody)".
    pub fn counted(&self, n: usize) -> String {
        let one = match self {
            Exclusion::Outlier { .. } => Some("outlier"),
            Exclusion::DepthOutlier { .. } => Some("depth outlier"),
            Exclusion::IndelsUnreliable { .. } => Some("unreliable indel"),
            _ => None,
        };
        match one {
            Some(word) if n == 1 => format!("1 {word}"),
            _ => format!("{n} {}", self.label()),
        }
    }
}

/// REF or ALT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Allele {
    /// The reference allele.
    Ref,
    /// The alternate allele.
    Alt,
}

impl Allele {
    /// Word for output.
    pub fn as_str(self) -> &'static str {
        match self {
            Allele::Ref => "REF",
            Allele::Alt => "ALT",
        }
    }
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exclusion::NoGenotype { person, no_call } => {
                write!(f, "no genotype for {person} ({no_call})")
            }
            Exclusion::MissingInSample => f.write_str("absent from the sample"),
            Exclusion::LowDepth { depth, min_depth } => {
                write!(f, "sample depth {depth} < {min_depth}")
            }
            Exclusion::NotInformative => f.write_str("same genotype in every person"),
            Exclusion::Outlier {
                residual,
                threshold,
            } => write!(f, "residual {residual:.2} beyond ±{threshold:.2}"),
            Exclusion::SexChromosome { chromosome } => write!(
                f,
                "chromosome {chromosome} outside the pseudo-autosomal regions, and the persons differ in sex (or a sex could not be inferred)"
            ),
            Exclusion::ReferenceAlleleBalance {
                alt_fraction,
                reads,
            } => write!(
                f,
                "heterozygous reference samples read {:.1}% ALT ({reads} reads), far from 50%",
                100.0 * alt_fraction.get()
            ),
            Exclusion::DepthOutlier {
                depth,
                median_depth,
            } => write!(
                f,
                "depth {depth} far from the sample median {median_depth:.0}"
            ),
            Exclusion::AlleleNotSeen {
                allele,
                expected_reads,
                observed_reads,
            } => write!(
                f,
                "{} allele not seen: {observed_reads} {} where the fit expects {expected_reads:.0} (dead variant call or allele dropout)",
                allele.as_str(),
                if *observed_reads == 1 {
                    "read"
                } else {
                    "reads"
                }
            ),
            Exclusion::IndelsUnreliable { dead, informative } => write!(
                f,
                "indel not trusted: {dead} of {informative} informative indels of this sample lost an allele"
            ),
        }
    }
}

/// One marker of one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkerReport {
    /// Marker id.
    pub id: String,
    /// SNP or indel.
    pub class: AlleleClass,
    /// Genotype of each person (same order as the result's persons), `None` = no call.
    pub genotypes: Vec<Option<Genotype>>,
    /// REF reads in the sample.
    pub ref_count: Option<u32>,
    /// ALT reads in the sample.
    pub alt_count: Option<u32>,
    /// ALT / (REF + ALT).
    pub observed_vaf: Option<Fraction>,
    /// Expected ALT read fraction at the fit (error model included).
    pub expected_vaf: Option<Fraction>,
    /// Standardised residual at the fit.
    pub residual: Option<f64>,
    /// Moment estimate of the donor fraction (2·VAF − h)/(d − h), when all
    /// donors share dosage d ≠ recipient dosage h. A plain number: read noise
    /// takes it outside 0–1 and it is reported unbounded.
    #[serde(rename = "donor_moment_percent", with = "percent::option")]
    pub donor_moment_estimate: Option<f64>,
    /// Used in the fit.
    pub used: bool,
    /// Why not, when not.
    pub excluded: Option<Exclusion>,
    /// Identity-check finding (alleles nobody declared carries).
    pub unexplained: Option<UnexplainedAllele>,
}

/// The estimate for one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonEstimate {
    /// Name.
    pub name: String,
    /// Recipient or donor.
    pub role: Role,
    /// Fraction (0–1 in Rust; written as `percent`, 0–100, in JSON);
    /// `None` when the donor could not be split from another.
    #[serde(rename = "percent", with = "percent::option_fraction")]
    pub fraction: Option<Fraction>,
    /// Profile-likelihood interval (JSON: `ci_percent`, 0–100).
    #[serde(rename = "ci_percent", with = "percent::option_interval")]
    pub ci: Option<Interval>,
    /// Detection limits for this person in this sample (JSON:
    /// `detection_percent` with `lob` and `lod` in percent).
    #[serde(rename = "detection_percent", with = "percent::option_limits")]
    pub detection: Option<DetectionLimit>,
}

/// NGS shares and their limits print with three decimals (percent).
pub const NGS_DECIMALS: crate::reported::Decimals =
    crate::reported::Decimals { share: 3, limit: 3 };

impl PersonEstimate {
    /// Whether the person is detected in the sample (CLSI EP17: an estimate
    /// above the limit of blank is "detected"); the recipient also when the
    /// presence test (`recipient_detected`, given for the recipient only)
    /// is positive. `None` when there is neither an estimate with its limits
    /// nor a positive presence test (a donor not split from another, a
    /// sample without limits).
    pub fn detected(&self, recipient_detected: Option<bool>) -> Option<bool> {
        if self.role == Role::Recipient && recipient_detected == Some(true) {
            return Some(true);
        }
        match (self.fraction, self.detection) {
            (Some(f), Some(d)) => Some(f.get() > d.lob),
            _ => None,
        }
    }

    /// The share as reported (the rule shared with STR,
    /// [`crate::reported::reported_percent`]): the estimate in percent with
    /// three decimals, or `< LoD` when the person is not detected; empty
    /// when the donor is not split from another. The estimate stays in the
    /// JSON and the TSV/CSV `percent` column.
    pub fn reported_percent(&self, recipient_detected: Option<bool>) -> String {
        let Some(f) = self.fraction else {
            return String::new();
        };
        let below = match (self.detected(recipient_detected), self.detection) {
            (Some(false), Some(d)) => Some(100.0 * d.lod),
            _ => None,
        };
        crate::reported::reported_percent(100.0 * f.get(), below, NGS_DECIMALS)
    }

    /// The person's detection call in words, with what it rests on: the
    /// presence test (recipient), or the estimate above its limit of blank
    /// when the test is not positive — the call [`PersonEstimate::detected`]
    /// makes, which the reported share, the course and the ward follow.
    pub fn call_text(&self, recipient_detected: Option<bool>) -> String {
        let who = &self.name;
        if self.role == Role::Recipient && recipient_detected == Some(true) {
            return format!("{who} detected (presence test positive)");
        }
        let test = if self.role == Role::Recipient && recipient_detected.is_some() {
            " (presence test not positive)"
        } else {
            ""
        };
        match (
            self.detected(recipient_detected),
            self.fraction,
            self.detection,
        ) {
            (Some(true), Some(f), Some(d)) => format!(
                "{who} detected: estimate {:.3} % above its limit of blank {:.3} %{test}",
                100.0 * f.get(),
                100.0 * d.lob
            ),
            (Some(false), _, _) => format!("{who} not detected"),
            _ => format!("{who}: detection not assessed"),
        }
    }

    /// The person as a course file names them: the recipient, or the donor
    /// by name.
    pub fn person_ref(&self) -> graftwatch_core::PersonRef {
        match self.role {
            Role::Recipient => graftwatch_core::PersonRef::Recipient,
            Role::Donor => graftwatch_core::PersonRef::parse(&self.name),
        }
    }
}

/// The combined fraction of a group of persons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupEstimate {
    /// Members.
    pub persons: Vec<String>,
    /// Summed fraction (JSON: `percent`, 0–100).
    #[serde(rename = "percent", with = "percent::value")]
    pub fraction: Fraction,
    /// Profile-likelihood interval of the sum (JSON: `ci_percent`).
    #[serde(rename = "ci_percent", with = "percent::interval")]
    pub ci: Interval,
}

/// Everything known about one post-transplant sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NgsSampleResult {
    /// Sample name.
    pub sample: String,
    /// Confidence level of the intervals.
    pub ci_level: f64,
    /// Per person, recipient first.
    pub persons: Vec<PersonEstimate>,
    /// All donors together (= 1 − recipient).
    pub donors_combined: GroupEstimate,
    /// Groups of donors reported only together.
    pub unsplit_groups: Vec<GroupEstimate>,
    /// The donor (or unsplit group) with the largest fraction.
    pub dominant_donor: Option<String>,
    /// Recipient-presence test.
    pub recipient_presence: Option<PresenceTest>,
    /// Presence test significant at the configured level.
    pub recipient_detected: Option<bool>,
    /// Fitted overdispersion.
    pub dispersion: Dispersion,
    /// Residual variance inflation φ = max(1, Pearson χ²/df): extra-binomial
    /// variation the per-class ρ does not capture; intervals, detection
    /// limits and the presence test are widened by it.
    pub variance_inflation: f64,
    /// Error model used.
    pub error_model: ErrorModel,
    /// Factors applied to the reference-learned error rates from this
    /// sample's own all-homozygous markers: SNP REF→ALT, SNP ALT→REF, indel
    /// REF→ALT, indel ALT→REF (1 = not rescaled).
    pub sample_error_scale: [f64; 4],
    /// Chromosomal sex inferred for each person (declared order; `null` =
    /// unknown).
    pub sexes: Vec<Option<ChromosomalSex>>,
    /// Goodness of fit over used markers.
    pub goodness_of_fit: GoodnessOfFit,
    /// Discriminating markers per pair of persons.
    pub pairs: Vec<PairInformativeness>,
    /// Markers in the fit.
    pub markers_used: usize,
    /// Markers not in the fit.
    pub markers_excluded: usize,
    /// Per-marker detail, panel order.
    pub markers: Vec<MarkerReport>,
    /// QC flags.
    pub flags: Vec<QcFlag>,
}

impl NgsSampleResult {
    /// The recipient's estimate.
    pub fn recipient(&self) -> &PersonEstimate {
        &self.persons[0]
    }

    /// Whether person `k` is detected: [`PersonEstimate::detected`] with
    /// this sample's presence test.
    pub fn detected(&self, k: usize) -> Option<bool> {
        self.persons[k].detected(self.recipient_detected)
    }

    /// Person `k`'s share as reported: [`PersonEstimate::reported_percent`]
    /// with this sample's presence test (`< LoD` when not detected).
    pub fn reported_percent(&self, k: usize) -> String {
        self.persons[k].reported_percent(self.recipient_detected)
    }

    /// The recipient's detection call in words
    /// ([`PersonEstimate::call_text`] with this sample's presence test).
    pub fn recipient_call(&self) -> String {
        self.recipient().call_text(self.recipient_detected)
    }
}

/// Serde adapters writing fractions (0–1 in Rust) as percentages (0–100)
/// in JSON, and reading them back. Output schema `graftwatch-ngs/2`.
pub(crate) mod percent {
    use graftwatch_core::Fraction;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::super::lod::DetectionLimit;
    use super::super::profile_ci::Interval;

    fn p(x: f64) -> f64 {
        100.0 * x
    }

    fn f(x: f64) -> f64 {
        x / 100.0
    }

    /// A percentage read back as a fraction, checked to be in range.
    fn share<E: serde::de::Error>(x: f64) -> Result<Fraction, E> {
        Fraction::new(f(x)).map_err(E::custom)
    }

    #[derive(Serialize, Deserialize)]
    struct Iv {
        low: f64,
        high: f64,
    }

    #[derive(Serialize, Deserialize)]
    struct Lim {
        lob: f64,
        lod: f64,
    }

    pub mod value {
        use super::*;
        pub fn serialize<S: Serializer>(x: &Fraction, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_f64(p(x.get()))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Fraction, D::Error> {
            share(f64::deserialize(d)?)
        }
    }

    pub mod option_fraction {
        use super::*;
        pub fn serialize<S: Serializer>(x: &Option<Fraction>, s: S) -> Result<S::Ok, S::Error> {
            x.map(|x| p(x.get())).serialize(s)
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Fraction>, D::Error> {
            Option::<f64>::deserialize(d)?.map(share).transpose()
        }
    }

    pub mod option {
        use super::*;
        pub fn serialize<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
            x.map(p).serialize(s)
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
            Option::<f64>::deserialize(d).map(|x| x.map(f))
        }
    }

    pub mod interval {
        use super::*;
        pub fn serialize<S: Serializer>(x: &Interval, s: S) -> Result<S::Ok, S::Error> {
            Iv {
                low: p(x.low.get()),
                high: p(x.high.get()),
            }
            .serialize(s)
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Interval, D::Error> {
            let i = Iv::deserialize(d)?;
            Ok(Interval {
                low: share(i.low)?,
                high: share(i.high)?,
            })
        }
    }

    pub mod option_interval {
        use super::*;
        pub fn serialize<S: Serializer>(x: &Option<Interval>, s: S) -> Result<S::Ok, S::Error> {
            x.map(|x| Iv {
                low: p(x.low.get()),
                high: p(x.high.get()),
            })
            .serialize(s)
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Interval>, D::Error> {
            Option::<Iv>::deserialize(d)?
                .map(|i| {
                    Ok(Interval {
                        low: share(i.low)?,
                        high: share(i.high)?,
                    })
                })
                .transpose()
        }
    }

    pub mod option_limits {
        use super::*;
        pub fn serialize<S: Serializer>(
            x: &Option<DetectionLimit>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            x.map(|x| Lim {
                lob: p(x.lob),
                lod: p(x.lod),
            })
            .serialize(s)
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<DetectionLimit>, D::Error> {
            Option::<Lim>::deserialize(d).map(|x| {
                x.map(|l| DetectionLimit {
                    lob: f(l.lob),
                    lod: f(l.lod),
                })
            })
        }
    }
}

#[cfg(test)]
mod percent_tests {
    use super::*;

    #[test]
    fn json_gives_percent_and_reads_it_back() {
        let p = PersonEstimate {
            name: "R".into(),
            role: Role::Recipient,
            fraction: Some(Fraction::lit(0.0123)),
            ci: Some(Interval {
                low: Fraction::lit(0.01),
                high: Fraction::lit(0.015),
            }),
            detection: Some(DetectionLimit {
                lob: 0.0005,
                lod: 0.001,
            }),
        };
        let v = serde_json::to_value(&p).unwrap();
        assert!((v["percent"].as_f64().unwrap() - 1.23).abs() < 1e-12);
        assert!((v["ci_percent"]["high"].as_f64().unwrap() - 1.5).abs() < 1e-12);
        assert!((v["detection_percent"]["lod"].as_f64().unwrap() - 0.1).abs() < 1e-12);
        let back: PersonEstimate = serde_json::from_value(v).unwrap();
        assert!((back.fraction.unwrap().get() - 0.0123).abs() < 1e-15);
    }
}

#[cfg(test)]
mod reported_tests {
    use super::*;

    #[test]
    fn exclusion_counts_read_as_words() {
        let o = Exclusion::Outlier {
            residual: 5.0,
            threshold: 4.0,
        };
        assert_eq!(o.counted(1), "1 outlier");
        assert_eq!(o.counted(2), "2 outliers");
        assert_eq!(
            Exclusion::NotInformative.counted(1),
            "1 not informative (same genotype in everybody)"
        );
    }

    fn person(role: Role, fraction: Option<f64>, lob: f64, lod: f64) -> PersonEstimate {
        PersonEstimate {
            name: "x".into(),
            role,
            fraction: fraction.map(Fraction::lit),
            ci: None,
            detection: Some(DetectionLimit { lob, lod }),
        }
    }

    #[test]
    fn the_call_in_words_says_what_it_rests_on() {
        let mut r = person(Role::Recipient, Some(0.00075), 0.0006, 0.001_23);
        r.name = "recipient".into();
        assert_eq!(
            r.call_text(Some(false)),
            "recipient detected: estimate 0.075 % above its limit of blank 0.060 % (presence test not positive)"
        );
        assert_eq!(
            r.call_text(Some(true)),
            "recipient detected (presence test positive)"
        );
        let low = person(Role::Recipient, Some(0.0005), 0.0006, 0.001_23);
        assert_eq!(low.call_text(Some(false)), "x not detected");
        let d = person(Role::Donor, Some(0.0007), 0.0006, 0.001_23);
        assert_eq!(
            d.call_text(None),
            "x detected: estimate 0.070 % above its limit of blank 0.060 %"
        );
        let mut none = person(Role::Donor, Some(0.0007), 0.0, 0.0);
        none.detection = None;
        assert_eq!(none.call_text(None), "x: detection not assessed");
    }

    #[test]
    fn not_detected_is_reported_below_the_lod_not_as_a_number() {
        // A donor at or below its LoB is not detected: "< LoD".
        let d = person(Role::Donor, Some(0.0003), 0.0003, 0.000_724);
        assert_eq!(d.detected(None), Some(false));
        assert_eq!(d.reported_percent(None), "< 0.072");
        // Above its LoB: detected, the estimate as a number.
        let d = person(Role::Donor, Some(0.000_31), 0.0003, 0.000_724);
        assert_eq!(d.detected(None), Some(true));
        assert_eq!(d.reported_percent(None), "0.031");
        // The presence test does not speak for a donor.
        let d = person(Role::Donor, Some(0.0001), 0.0003, 0.000_724);
        assert_eq!(d.reported_percent(Some(true)), "< 0.072");
        // The recipient: below its LoB and the presence test negative or
        // not run, not detected; a positive presence test detects it.
        let r = person(Role::Recipient, Some(0.0001), 0.0003, 0.000_724);
        assert_eq!(r.reported_percent(Some(false)), "< 0.072");
        assert_eq!(r.reported_percent(None), "< 0.072");
        assert_eq!(r.detected(Some(true)), Some(true));
        assert_eq!(r.reported_percent(Some(true)), "0.010");
        // A present person keeps its number.
        let r = person(Role::Recipient, Some(0.9987), 0.0003, 0.000_724);
        assert_eq!(r.reported_percent(Some(false)), "99.870");
        // No limits: the call is not known, the estimate is printed; not
        // split: nothing.
        let mut r = person(Role::Donor, Some(0.0001), 0.0, 0.0);
        r.detection = None;
        assert_eq!(r.detected(None), None);
        assert_eq!(r.reported_percent(None), "0.010");
        r.fraction = None;
        assert_eq!(r.reported_percent(None), "");
    }
}
