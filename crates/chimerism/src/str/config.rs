//! Settings of STR chimerism analysis, with the documented defaults.

use graftwatch_core::{Fraction, Percent};
use serde::{Deserialize, Serialize};

use super::kit::Kit;
use super::profile::Measure;

/// The usual validated analytical threshold, 50 RFU: the default analytical
/// threshold, the height from which one clean unique peak alone shows a
/// person present, and the floor of the peaks that measure the template
/// level.
pub const USUAL_THRESHOLD_RFU: f64 = 50.0;

/// A sample is flagged `STR-UNDECLARED-PERSON` when at least this many
/// loci carry peaks no declared person explains, each with at least
/// [`UNDECLARED_LOCUS_FRACTION`] of the locus signal (below the refusal of
/// `no_match_fraction` over the whole sample): a person left off the call
/// (a second donor) reads as recipient otherwise.
pub const UNDECLARED_MIN_LOCI: usize = 3;

/// See [`UNDECLARED_MIN_LOCI`]: 10 % of a locus's signal, above stutter
/// and noise left unexplained.
pub const UNDECLARED_LOCUS_FRACTION: f64 = 0.10;

/// Settings for genotype calling and estimation. `Default` gives the
/// documented defaults (see docs/chimerism-str.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrConfig {
    /// Peak measure used for quantification (default: area).
    pub measure: Measure,
    /// Analytical threshold in RFU (peak height); peaks below it are ignored
    /// everywhere, and a peak absent from the export is taken to be below it
    /// (default 50; the CLI reads it from the samples' export when the lab
    /// does not set it, [`super::threshold::from_exports`]). Applied to the
    /// height when exported, else to the chosen measure.
    pub analytical_threshold_rfu: f64,
    /// In a reference (pure) profile a peak is an allele only if its signal is
    /// at least this fraction of the locus maximum (default 0.5).
    pub relative_threshold: f64,
    /// Lower floor of a reference's minor allele (default 0.35 of the locus
    /// maximum): a peak at or above it and below `relative_threshold` that
    /// is neither off-ladder nor explained as stutter of the called alleles
    /// is not dropped. With one allele called it becomes the second allele
    /// of a heterozygote; otherwise the locus is not called; both flagged
    /// `STR-REF-IMBALANCE` (docs/chimerism-str.md "Reference genotypes").
    /// 0.35 lies above the largest back stutter of common kits and above
    /// `stutter_max_ratio` (0.2); the independent simulation's lost alleles
    /// sat at 36–50 %. At 0.25 a real clinical donor reference (Rchimerism
    /// PowerPlex 16 data) had D18S51 "10" at 26 % beside 19 called as a
    /// second allele and FGA left uncalled, and its CD3 sample read 51.8 %
    /// recipient against 46–47 % by hand (47.6 % with the rule off).
    #[serde(default = "default_reference_minor_floor")]
    pub reference_minor_floor: f64,
    /// Weight of the kit's back-stutter ratio, in observations, when a
    /// locus ratio is measured on the references (default 1: the kit's
    /// typical ratio is about as uncertain for a given lab and allele as
    /// one stutter peak, `stutter_cv`): the ratio used is
    /// (n·measured + N0·kit) / (n + N0), with n the peaks seen plus half the
    /// censored positions (docs/chimerism-str.md "Stutter").
    #[serde(default = "default_kit_stutter_weight")]
    pub kit_stutter_weight: f64,
    /// Reference heterozygotes with balance (smaller/larger) below this are
    /// flagged (default 0.6).
    pub het_balance_min: f64,
    /// Model back- and forward-stutter with the ratios measured on the pure
    /// profiles (default true). When false, loci with an allele in another
    /// person's back-stutter position are excluded from the estimate.
    pub model_stutter: bool,
    /// Fewer informative loci than this for a person raises a flag (default 3).
    pub min_informative_loci: usize,
    /// Loci with a detected clean unique allele needed to call a person present
    /// (default 1: any clean unique allele at or above the analytical
    /// threshold, which is the level above which peaks are real by
    /// definition; set 2 for a stricter call). Capped by the number of such loci.
    pub min_loci_for_presence: usize,
    /// Height (RFU) at which one clean unique peak counts on its own for
    /// presence (default 50, the usual analytical threshold). When a lab
    /// validates a lower analytical threshold, peaks between that threshold
    /// and this height count only when seen at
    /// `presence_corroborating_loci` loci (rule STR-CALL).
    #[serde(default = "default_single_peak_rfu")]
    pub presence_single_peak_rfu: f64,
    /// Loci needed when the clean unique peaks are below
    /// `presence_single_peak_rfu` (default 2).
    #[serde(default = "default_corroborating_loci")]
    pub presence_corroborating_loci: usize,
    /// Donor pairs differing at fewer loci than this are flagged as not
    /// identifiable (default 3).
    pub min_distinguishing_loci: usize,
    /// Outlier rule: a locus is excluded when a person's per-locus estimate is
    /// further than max(`outlier_mad_factor` × 1.4826 × MAD, `outlier_floor_points`)
    /// from the median over loci (default 3.5 and 10 percentage points).
    pub outlier_mad_factor: f64,
    /// See `outlier_mad_factor`.
    pub outlier_floor_points: f64,
    /// Outlier exclusion needs at least this many informative loci (default 4).
    pub outlier_min_loci: usize,
    /// Bootstrap replicates over loci for the confidence interval (default 500).
    pub bootstrap_replicates: usize,
    /// Seed of the bootstrap generator (results are reproducible).
    pub bootstrap_seed: u64,
    /// Two-sided confidence level (default 0.95).
    pub confidence: f64,
    /// A non-reference sample peak one repeat below/above reference alleles is
    /// treated as stutter only when at most this fraction of the signal of
    /// those alleles (default 0.2); larger peaks are unexplained.
    pub stutter_max_ratio: f64,
    /// Peak variance model of the weighted joint fit: relative spread of an
    /// allelic peak between samples (heterozygote imbalance and PCR noise;
    /// default 0.10, a mean heterozygote balance of about 0.9 as in kit
    /// validations at optimal template).
    pub allele_cv: f64,
    /// Relative spread of a stutter peak around its modelled ratio (default
    /// 0.25: stutter ratios scatter by about a fifth to a third between
    /// peaks of one locus in published validations).
    pub stutter_cv: f64,
    /// Additive noise floor of every peak in RFU (baseline noise, one
    /// standard deviation; default 10).
    pub peak_noise_rfu: f64,
    /// Template sampling of every peak, in RFU: a peak of expected height h
    /// has variance `template_sampling_rfu` × h on top of the relative
    /// spread (copy-number sampling: variance ∝ mean, as in gamma and
    /// log-normal peak-height models; default 20, inside the range of the
    /// published allele variance constants of 3130/3500 instruments). Small
    /// peaks are much noisier than large ones; without this term the few
    /// minor peaks that happen to be drawn above the threshold outweighed
    /// everything else.
    #[serde(default = "default_template_sampling_rfu")]
    pub template_sampling_rfu: f64,
    /// Fit a within-locus degradation slope (signal ∝ exp(−δ·fragment
    /// length), one δ per sample; default true): longer alleles of a locus
    /// read low in degraded DNA, which otherwise biases every locus whose
    /// people differ in allele length.
    pub fit_degradation: bool,
    /// In a low-template sample (flagged `STR-LOW-TEMPLATE`), estimate its
    /// template-sampling dispersion τ and add τ·(peak size) to the peak
    /// variance of the weighted fit (default true; the Pearson estimate, 0
    /// when the base variance model explains the sample's residuals): with
    /// few template copies small peaks are far noisier than `allele_cv`
    /// says, and trusting them reads minor persons high
    /// (docs/chimerism-str.md "Joint fit").
    #[serde(default = "default_fit_dispersion")]
    pub fit_dispersion: bool,
    /// Include Amelogenin (X/Y) in the quantification (default false: its
    /// Y-deletion polymorphism makes it unreliable; still typed and reported).
    pub include_amelogenin: bool,
    /// A sample "matches no reference" (an error: wrong sample or wrong
    /// references) when more than this fraction of its signal, over the loci
    /// typed in all references, is on unexplained peaks (default 0.25; a 10%
    /// third-person admixture puts about 5–10% there and is only flagged).
    pub no_match_fraction: Fraction,
    /// The kit: default stutter ratios where the references show none, and
    /// the saturation limit (default: the `generic` kit).
    pub kit: Kit,
    /// Saturation limit in RFU overriding the kit's (peaks at or above it are
    /// saturated: their locus is left out of a sample's fit, flagged).
    pub saturation_rfu: Option<f64>,
    /// A peak within 0.5 bp of a peak of another locus (another dye) at most
    /// this fraction of its height is pull-up and is removed (default 0.06),
    /// when that other peak is at least `pullup_min_source_rfu` high
    /// (default 15,000 RFU: pull-up comes from very large peaks; below that a
    /// coincidence of sizes across dyes is common and real).
    pub pullup_max_ratio: f64,
    /// See `pullup_max_ratio`.
    pub pullup_min_source_rfu: f64,
    /// Low template: `STR-LOW-TEMPLATE` when the median height of the
    /// sample's peaks at the loci typed in all references is below this many
    /// RFU (a stochastic threshold; default 300), or fewer than
    /// `low_template_locus_fraction` of those loci have a peak (default 0.8).
    pub low_template_flag_rfu: f64,
    /// See `low_template_flag_rfu`.
    pub low_template_locus_fraction: Fraction,
    /// The template level (median height, loci with peaks) is measured on
    /// peaks at or above this height or the analytical threshold, whichever
    /// is higher (default 50 RFU): peaks a lower analytical threshold adds
    /// are mostly minor alleles and stutter, and would make every sample
    /// read lower-template the lower the threshold.
    #[serde(default = "default_single_peak_rfu")]
    pub template_peak_rfu: f64,
    /// Refusal floor: no estimate when the median peak height is below this
    /// many RFU (default 100) or fewer than `refuse_locus_fraction` of the
    /// loci have a peak (default 0.5).
    pub refuse_below_rfu: f64,
    /// See `refuse_below_rfu`.
    pub refuse_locus_fraction: Fraction,
    /// Accept a donor identical to another donor (default false: an error
    /// naming them). When true the identical donors are fitted as one and
    /// flagged, without a split; a donor identical to the recipient makes
    /// every sample "chimerism not informative" (a refusal), as a declared
    /// syngeneic donor does.
    pub allow_identical: bool,
    /// Donors declared syngeneic (identical twin): when their genotypes equal
    /// the recipient's, every sample is "chimerism not informative".
    pub syngeneic_donors: Vec<String>,
    /// The lab's validated limit of detection (percent) for STR; when set it
    /// is used in place of the per-sample computed one.
    pub validated_lod_percent: Option<Percent>,
    /// The lab's validated limit of quantification (percent); shares below it
    /// are reported as detected but not quantifiable.
    pub validated_loq_percent: Option<Percent>,
}

/// A validated LoD/LoQ must be above 0 (narrower than [`Percent`]'s range).
fn validated_percent(name: &'static str, value: f64) -> Result<(), StrConfigError> {
    if value.is_finite() && value > 0.0 && value <= 100.0 {
        Ok(())
    } else {
        Err(StrConfigError::NotAPercentage { name, value })
    }
}

fn default_reference_minor_floor() -> f64 {
    0.35
}

fn default_kit_stutter_weight() -> f64 {
    1.0
}

fn default_fit_dispersion() -> bool {
    true
}

fn default_template_sampling_rfu() -> f64 {
    20.0
}

fn default_single_peak_rfu() -> f64 {
    USUAL_THRESHOLD_RFU
}

fn default_corroborating_loci() -> usize {
    2
}

impl Default for StrConfig {
    fn default() -> Self {
        StrConfig {
            measure: Measure::Area,
            analytical_threshold_rfu: USUAL_THRESHOLD_RFU,
            relative_threshold: 0.5,
            reference_minor_floor: default_reference_minor_floor(),
            kit_stutter_weight: default_kit_stutter_weight(),
            het_balance_min: 0.6,
            model_stutter: true,
            min_informative_loci: 3,
            min_loci_for_presence: 1,
            presence_single_peak_rfu: default_single_peak_rfu(),
            presence_corroborating_loci: default_corroborating_loci(),
            min_distinguishing_loci: 3,
            outlier_mad_factor: 3.5,
            outlier_floor_points: 10.0,
            outlier_min_loci: 4,
            bootstrap_replicates: 500,
            bootstrap_seed: 0x5eed_57a1,
            confidence: 0.95,
            stutter_max_ratio: 0.2,
            allele_cv: 0.10,
            stutter_cv: 0.25,
            peak_noise_rfu: 10.0,
            template_sampling_rfu: default_template_sampling_rfu(),
            fit_degradation: true,
            fit_dispersion: true,
            include_amelogenin: false,
            no_match_fraction: Fraction::lit(0.25),
            kit: Kit::generic(),
            saturation_rfu: None,
            pullup_max_ratio: 0.06,
            pullup_min_source_rfu: 15000.0,
            low_template_flag_rfu: 300.0,
            low_template_locus_fraction: Fraction::lit(0.8),
            template_peak_rfu: USUAL_THRESHOLD_RFU,
            refuse_below_rfu: 100.0,
            refuse_locus_fraction: Fraction::lit(0.5),
            allow_identical: false,
            syngeneic_donors: Vec::new(),
            validated_lod_percent: None,
            validated_loq_percent: None,
        }
    }
}

/// An STR setting out of its range; the message names the setting, its
/// value and what is expected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StrConfigError {
    /// A setting that must be a fraction 0–1.
    #[error("{name} = {value}: expected a fraction between 0 and 1")]
    NotAFraction {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A setting that must be a positive number.
    #[error("{name} = {value}: expected a positive number")]
    NotPositive {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// The interval level is not between 0 and 1.
    #[error("confidence = {0}: expected a level between 0 and 1 (e.g. 0.95)")]
    Confidence(f64),
    /// An RFU threshold that must be a non-negative number.
    #[error("{name} = {value}: expected a non-negative number of RFU")]
    NegativeRfu {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// `presence_corroborating_loci` is 0.
    #[error("presence_corroborating_loci = 0: expected at least 1 locus")]
    NoCorroboratingLoci,
    /// The outlier rule's settings are out of range.
    #[error("outlier_mad_factor must be > 0 and outlier_floor_points >= 0")]
    OutlierRule,
    /// A validated LoD/LoQ outside (0, 100] %.
    #[error("{name} = {value}: expected a percentage above 0 and at most 100")]
    NotAPercentage {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// The saturation override is not a positive number.
    #[error("saturation_rfu = {0}: expected a positive number of RFU")]
    Saturation(f64),
    /// The validated LoQ is below the validated LoD.
    #[error(
        "the lab-validated LoQ ({loq}%) is below the lab-validated LoD ({lod}%): a limit of quantification cannot be below the limit of detection"
    )]
    LoqBelowLod {
        /// The LoD (percent).
        lod: f64,
        /// The LoQ (percent).
        loq: f64,
    },
}

impl StrConfig {
    /// Checks ranges; the error names the bad setting.
    pub fn validate(&self) -> Result<(), StrConfigError> {
        let frac = |name: &'static str, value: f64| {
            if value.is_finite() && (0.0..=1.0).contains(&value) {
                Ok(())
            } else {
                Err(StrConfigError::NotAFraction { name, value })
            }
        };
        frac("relative_threshold", self.relative_threshold)?;
        frac("het_balance_min", self.het_balance_min)?;
        frac("reference_minor_floor", self.reference_minor_floor)?;
        if !(self.kit_stutter_weight.is_finite() && self.kit_stutter_weight >= 0.0) {
            return Err(StrConfigError::NotPositive {
                name: "kit_stutter_weight",
                value: self.kit_stutter_weight,
            });
        }
        frac("stutter_max_ratio", self.stutter_max_ratio)?;
        frac("no_match_fraction", self.no_match_fraction.get())?;
        for (name, value) in [
            ("allele_cv", self.allele_cv),
            ("stutter_cv", self.stutter_cv),
            ("peak_noise_rfu", self.peak_noise_rfu),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(StrConfigError::NotPositive { name, value });
            }
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(StrConfigError::Confidence(self.confidence));
        }
        for (name, value) in [
            ("analytical_threshold_rfu", self.analytical_threshold_rfu),
            ("presence_single_peak_rfu", self.presence_single_peak_rfu),
            ("template_peak_rfu", self.template_peak_rfu),
            ("template_sampling_rfu", self.template_sampling_rfu),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(StrConfigError::NegativeRfu { name, value });
            }
        }
        if self.presence_corroborating_loci == 0 {
            return Err(StrConfigError::NoCorroboratingLoci);
        }
        if !(self.outlier_mad_factor > 0.0 && self.outlier_floor_points >= 0.0) {
            return Err(StrConfigError::OutlierRule);
        }
        frac("pullup_max_ratio", self.pullup_max_ratio)?;
        frac(
            "low_template_locus_fraction",
            self.low_template_locus_fraction.get(),
        )?;
        frac("refuse_locus_fraction", self.refuse_locus_fraction.get())?;
        for (name, v) in [
            ("validated_lod_percent", self.validated_lod_percent),
            ("validated_loq_percent", self.validated_loq_percent),
        ] {
            if let Some(value) = v {
                validated_percent(name, value.get())?;
            }
        }
        if let (Some(d), Some(q)) = (self.validated_lod_percent, self.validated_loq_percent)
            && q.get() < d.get()
        {
            return Err(StrConfigError::LoqBelowLod {
                lod: d.get(),
                loq: q.get(),
            });
        }
        if let Some(s) = self.saturation_rfu
            && !(s.is_finite() && s > 0.0)
        {
            return Err(StrConfigError::Saturation(s));
        }
        Ok(())
    }

    /// A lab-validated LoD or LoQ given as a plain number (command line):
    /// the percentage when it is above 0 and at most 100, else the error
    /// [`StrConfig::validate`] gives for it.
    pub fn validated_percent_setting(
        name: &'static str,
        value: f64,
    ) -> Result<Percent, StrConfigError> {
        validated_percent(name, value)?;
        Percent::new(value).map_err(|_| StrConfigError::NotAPercentage { name, value })
    }

    /// The saturation limit in force (the override, else the kit's).
    pub fn saturation_limit(&self) -> f64 {
        self.saturation_rfu.unwrap_or(self.kit.saturation_rfu)
    }
}
