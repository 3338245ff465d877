//! The grading configuration: every criterion's ambiguity defaults in one
//! document, loadable from TOML. `Default` = the project reference defaults
//! (`/docs/grading.md` prints the full default file).

use std::path::Path;

use graftwatch_core::Percent;
use graftwatch_criteria::agvhd::GvhdConfig;
use graftwatch_criteria::cgvhd_nih::CgvhdConfig;
use graftwatch_criteria::chimerism_state::ChimerismConfig;
use graftwatch_criteria::crs::CrsConfig;
use graftwatch_criteria::dri::DriConfig;
use graftwatch_criteria::ebmt_score::EbmtConfig;
use graftwatch_criteria::eln_relapse::MrdConfig;
use graftwatch_criteria::eln_response::ResponseConfig;
use graftwatch_criteria::engraftment::EngraftmentConfig;
use graftwatch_criteria::graft_failure::SecondaryFailureConfig;
use graftwatch_criteria::icaht::IcahtConfig;
use graftwatch_criteria::icans::IcansConfig;
use graftwatch_criteria::poor_graft_function::PoorGraftFunctionConfig;
use serde::{Deserialize, Serialize};

/// Engine settings that are not part of any one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// CRS inputs are extracted for days 0 … this after each CAR-T infusion.
    pub crs_window_days: i32,
    /// A marrow assessment uses the peripheral counts nearest its date within
    /// ± this many days.
    pub marrow_count_window_days: i32,
    /// CAR-HEMATOTOX uses the counts closest before lymphodepletion within
    /// this many days before it (or before the infusion when no
    /// lymphodepletion is recorded).
    pub hematotox_window_days: i32,
    /// Platelet engraftment threshold reported next to the ≥ 20 ×10⁹/L one
    /// (CIBMTR ≥ 50 variant); 0 disables it.
    pub platelet_50_threshold: f64,
    /// Acute-GVHD organ findings recorded without an attribution are taken
    /// as attributed to GVHD (the criteria default), with flag `GW-ATTR`;
    /// false: they are not staged (flag `GW-ATTR`, saying so).
    pub unstated_attribution_is_gvhd: bool,
    /// A bilirubin without an attribution stages the liver only when skin
    /// or GI GVHD findings are recorded within `agvhd.carry_forward_days`
    /// before it or on its day (default false: an isolated raised
    /// bilirubin after HCT has many causes — VOD/SOS, drugs, sepsis — and
    /// is not staged as liver GVHD; flag `GW-ATTR-LIVER`, A-8). True: it is
    /// staged like any unattributed finding.
    pub unattributed_isolated_bilirubin_is_gvhd: bool,
    /// ICANS: seizure, motor weakness and cerebral oedema not recorded on
    /// an assessment day are taken as absent (default false: the day is
    /// ungradable when such a domain could raise the grade).
    pub icans_unrecorded_domains_absent: bool,
    /// CRS: fever, hypotension and hypoxia on a day covered by an infection
    /// episode are attributed to the infection (flag `GW-INFECTION`).
    pub crs_infection_is_other_cause: bool,
    /// Daily view (`--daily`, `--on`): a day state of cGVHD, CRS, ICANS,
    /// chimerism and ELN response holds for this many days after its
    /// assessment; later days are "not assessed" (acute GVHD uses
    /// `agvhd.carry_forward_days` per organ).
    pub daily_carry_forward_days: u32,
    /// Poor graft function: a marrow cellularity below this % is
    /// hypocellular (\[R\], flag `POOR-GRAFT-FUNCTION-cutoffs`).
    pub hypocellular_below_percent: Percent,
    /// cGVHD GI weight loss from the weight history: the latest weight
    /// against the highest in this many days before it (NIH 2014 "within
    /// 3 months"; used when no `weight_loss_percent` is recorded).
    pub cgvhd_weight_window_days: i32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            crs_window_days: 30,
            marrow_count_window_days: 7,
            hematotox_window_days: 14,
            platelet_50_threshold: 50.0,
            unstated_attribution_is_gvhd: true,
            unattributed_isolated_bilirubin_is_gvhd: false,
            icans_unrecorded_domains_absent: false,
            crs_infection_is_other_cause: true,
            daily_carry_forward_days: 7,
            hypocellular_below_percent: Percent::lit(30.0),
            cgvhd_weight_window_days: 90,
        }
    }
}

/// Every configurable default of the grading run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GradingConfig {
    /// Engine settings.
    pub engine: EngineConfig,
    /// Acute GVHD (MAGIC; ).
    pub agvhd: GvhdConfig,
    /// Neutrophil and platelet engraftment (E-1 … E-4).
    pub engraftment: EngraftmentConfig,
    /// Secondary graft failure.
    pub secondary_graft_failure: SecondaryFailureConfig,
    /// ICAHT (T-6, T-8) and the platelet companion.
    pub icaht: IcahtConfig,
    /// Chimerism categories (E-5).
    pub chimerism: ChimerismConfig,
    /// CRS (T-4 fever waiver).
    pub crs: CrsConfig,
    /// ICANS (instrument age cut, engine decision 10).
    pub icans: IcansConfig,
    /// ELN 2022 response (M-1 CRi reading, M-2 transfusion independence).
    pub eln_response: ResponseConfig,
    /// NIH 2014 chronic GVHD (C-2 lung symptom fallback).
    pub cgvhd: CgvhdConfig,
    /// MRD relapse (ELN 2021 MRD: MFC threshold, confirmation window, log
    /// rise, M-6).
    pub mrd: MrdConfig,
    /// Poor graft function, quantitative variant (cut-offs, days).
    pub poor_graft_function: PoorGraftFunctionConfig,
    /// Transplant risk scores (HCT-CI, refined DRI, EBMT score).
    pub risk: RiskConfig,
    /// Acute GVHD treatment response: the steroid dose of the refractory /
    /// dependent definitions.
    pub gvhd_response: graftwatch_criteria::steroid_dose::SteroidDoseConfig,
    /// MAGIC biomarkers: MAP coefficients \[R\], unit reading,
    /// thresholds and sample windows.
    pub magic_biomarkers: graftwatch_criteria::magic_biomarkers::MapConfig,
    /// Steroid-refractory / steroid-dependent chronic GVHD: doses and
    /// durations of the definitions (C-8, C-9).
    pub cgvhd_steroid: graftwatch_criteria::cgvhd_steroid::CgvhdSteroidConfig,
}

/// Transplant risk scores: look-back windows and the ambiguity defaults of
/// HCT-CI, the refined DRI and the EBMT score (docs/criteria-risk-scores.md).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskConfig {
    /// HCT-CI labs (bilirubin, AST/ALT, creatinine) and weight: the latest
    /// in this many days up to day 0.
    pub lab_window_days: i32,
    /// HCT-CI FEV1/DLco and LVEF: the latest in this many days up to day 0.
    pub test_window_days: i32,
    /// HCT-CI obesity: below this age (years at HCT) BMI-for-age ≥ 95th
    /// percentile (CDC 2000) is used instead of BMI > 35 (`HCTCI-child`).
    pub pediatric_below_age: i32,
    /// HCT-CI infection: an `infection` event ongoing on day 0 scores the
    /// infection item like the coded item (`HCTCI-infection`).
    pub infection_event_scores: bool,
    /// Disease status: an ELN MLFS marrow counts as remission (`GW-STAGE-MLFS`).
    pub mlfs_counts_as_cr: bool,
    /// Refined DRI options.
    pub dri: DriConfig,
    /// EBMT score options.
    pub ebmt: EbmtConfig,
}

impl Default for RiskConfig {
    fn default() -> Self {
        RiskConfig {
            lab_window_days: 60,
            test_window_days: 365,
            pediatric_below_age: 18,
            infection_event_scores: true,
            mlfs_counts_as_cr: true,
            dri: DriConfig::default(),
            ebmt: EbmtConfig::default(),
        }
    }
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The TOML is invalid, has an unknown key or a value of the wrong type.
    #[error("config file {path}: {message}")]
    Invalid {
        /// File.
        path: String,
        /// What is wrong, naming the key and line (from the TOML parser).
        message: String,
    },
}

impl GradingConfig {
    /// Parses TOML text; `path` is used in messages only. Unknown keys are
    /// rejected with the key's name.
    pub fn from_toml_str(text: &str, path: &str) -> Result<GradingConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_string(),
            message: e.to_string().trim_end().replace('\n', "\n  "),
        })
    }

    /// Reads a TOML config file.
    pub fn from_toml_file(path: &Path) -> Result<GradingConfig, ConfigError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: p.clone(),
            source,
        })?;
        GradingConfig::from_toml_str(&text, &p)
    }

    /// The configuration as TOML (the `--print-default-config` text).
    pub fn to_toml_string(&self) -> String {
        // Plain data with string keys: serialisation cannot fail.
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_through_toml() {
        let c = GradingConfig::default();
        let t = c.to_toml_string();
        assert!(t.contains("[agvhd]"), "{t}");
        assert_eq!(
            GradingConfig::from_toml_str(&t, "x.toml").expect("parse"),
            c
        );
    }

    #[test]
    fn partial_file_keeps_other_defaults() {
        let c = GradingConfig::from_toml_str("[agvhd]\nchild_weight_cut_kg = 40.0\n", "x.toml")
            .expect("parse");
        assert_eq!(c.agvhd.child_weight_cut_kg, 40.0);
        assert_eq!(c.engraftment, EngraftmentConfig::default());
    }

    #[test]
    fn unknown_key_is_named() {
        let e = GradingConfig::from_toml_str("[agvhd]\nchild_weight_cut = 40.0\n", "cfg.toml")
            .expect_err("unknown key");
        let m = e.to_string();
        assert!(
            m.contains("cfg.toml") && m.contains("child_weight_cut"),
            "{m}"
        );
        let e = GradingConfig::from_toml_str("[agvhdx]\n", "cfg.toml").expect_err("unknown table");
        assert!(e.to_string().contains("agvhdx"), "{e}");
    }

    #[test]
    fn wrong_type_is_named() {
        let e =
            GradingConfig::from_toml_str("[engine]\ncrs_window_days = \"thirty\"\n", "cfg.toml")
                .expect_err("type");
        assert!(
            e.to_string().contains("crs_window_days") || e.to_string().contains("line 2"),
            "{e}"
        );
    }
}
