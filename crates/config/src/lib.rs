//! # graftwatch-config
//!
//! One configuration for every command: `grade`, `decide`, `report` and
//! `demo` read the same TOML file (`--config FILE`), so two commands can
//! never disagree on the same course. `graftwatch config print` prints the
//! defaults.
//!
//! Layout of the file (every key optional; a missing key keeps its default,
//! an unknown key is an error naming it):
//!
//! * the grading sections at the top level, exactly as `grade --config`
//!   always read them (`[engine]`, `[agvhd]`, `[engraftment]`, …);
//! * `[dli]`: the DLI decision rules and evidence windows
//!   (`graftwatch_criteria::dli::DliConfig`), with the chimerism-rise rule in
//!   `[dli.rising]`;
//! * `[alerts]`: the report's alert settings that are the alerts' own
//!   (`engraftment_warning_days`);
//! * `[chimerism_limits.str]`: the lab's own validated limits of detection
//!   and quantification of a chimerism method (`lod_percent`,
//!   `loq_percent`; one subsection per method, STR so far), used by `graftwatch chimerism str
//!   --config FILE` in place of the computed limits and reported as
//!   "lab-validated" (unset by default, so `config print` shows the section
//!   only when a limit is set). Not to be confused with the grading section
//!   `[chimerism]` (the full-donor rule).
//!
//! Rules shared between decision and report are set once, in `[dli]`, and
//! copied into the alert settings ([`Config::sync`]): the MRD positivity
//! threshold, the chimerism-rise rule, the GVHD grade and window of the
//! "DLI with active GVHD" alert. Writing one of them under `[alerts]` is an
//! error that names the `[dli]` key to use instead. The primary-graft-failure
//! day is not configurable here at all: it follows the graft source
//! (`graftwatch_criteria::graft_failure`).

use std::path::Path;

use graftwatch_core::Percent;
use graftwatch_criteria::dli::DliConfig;
use graftwatch_grading::GradingConfig;
use graftwatch_report::AlertConfig;
use serde::{Deserialize, Serialize};

/// Alert keys that are shared rules, with the `[dli]` key that sets them.
pub const SHARED_ALERT_KEYS: [(&str, &str); 7] = [
    ("mrd_positive_percent", "[dli] mrd_flow_positive_percent"),
    ("chimerism_serial_rises", "[dli.rising] serial_rises"),
    ("chimerism_min_step_points", "[dli.rising] min_step_points"),
    ("chimerism_lod_percent", "[dli.rising] lod_percent"),
    ("dli_gvhd_grade", "[dli] max_agvhd_grade_exclusive"),
    ("dli_gvhd_within_days", "[dli] gvhd_assessment_window_days"),
    (
        "graft_failure_day",
        "nothing: the primary graft failure day follows the graft source (+30 PBSC/BM, +42 with a cord unit)",
    ),
];

/// The whole configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Grading (every criterion's ambiguity defaults and the engine settings).
    pub grading: GradingConfig,
    /// DLI decision rules and evidence windows.
    pub dli: DliConfig,
    /// Report alerts (shared rules copied from `dli`).
    pub alerts: AlertConfig,
    /// The lab's validated chimerism limits per method (`[chimerism_limits]`).
    pub chimerism: ChimerismLimits,
}

/// A lab's own validated limits for one chimerism method (percent of the
/// minor person). Unset means "use the limit computed per sample".
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LabLimits {
    /// Validated limit of detection (percent; above 0).
    pub lod_percent: Option<Percent>,
    /// Validated limit of quantification (percent; above 0, not below the LoD).
    pub loq_percent: Option<Percent>,
}

/// [`LabLimits`] as written in the file: read as plain numbers first so that
/// a value out of range is reported by [`RawLabLimits::check`], with the
/// section, key and value, as it always was.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawLabLimits {
    lod_percent: Option<f64>,
    loq_percent: Option<f64>,
}

/// [`ChimerismLimits`] as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawChimerismLimits {
    str: RawLabLimits,
}

impl RawLabLimits {
    /// The checked limits; the message names the section, key and value.
    fn check(&self, section: &str) -> Result<LabLimits, String> {
        let mut out = LabLimits::default();
        for (k, v, slot) in [
            ("lod_percent", self.lod_percent, &mut out.lod_percent),
            ("loq_percent", self.loq_percent, &mut out.loq_percent),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v > 0.0 && v <= 100.0)
            {
                return Err(format!(
                    "[{section}] {k} = {v}: expected a percentage above 0 and at most 100"
                ));
            }
            *slot = v.and_then(|v| Percent::new(v).ok());
        }
        if let (Some(d), Some(q)) = (self.lod_percent, self.loq_percent)
            && q < d
        {
            return Err(format!(
                "[{section}] loq_percent = {q} is below lod_percent = {d}: a limit of quantification cannot be below the limit of detection"
            ));
        }
        Ok(out)
    }
}

/// `[chimerism_limits]`: validated limits per method.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChimerismLimits {
    /// STR by capillary electrophoresis (`[chimerism_limits.str]`).
    pub str: LabLimits,
}

impl Default for Config {
    fn default() -> Self {
        let mut c = Config {
            grading: GradingConfig::default(),
            dli: DliConfig::default(),
            alerts: AlertConfig::default(),
            chimerism: ChimerismLimits::default(),
        };
        c.sync();
        c
    }
}

/// A configuration file that could not be used (the grading crate's error:
/// one error type for every configuration file).
pub use graftwatch_grading::ConfigError;

fn invalid(path: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_string(),
        message: message.into().trim_end().replace('\n', "\n  "),
    }
}

fn section<T: serde::de::DeserializeOwned>(
    table: toml::Table,
    name: &str,
    path: &str,
) -> Result<T, ConfigError> {
    let copy = table.clone();
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| invalid(path, format!("{name}: {}", with_key(&e, &copy))))
}

/// The message of a section's error in words (the course readers'
/// `serde_words`), with the key it is about (`120 is not a percentage
/// between 0 and 100 (key mixed_recipient_above_percent)`): when toml does
/// not name the key, the key holding the offending value is looked up in
/// the section.
fn with_key(e: &toml::de::Error, table: &toml::Table) -> String {
    use graftwatch_course::serde_words::{found_value, plain_words};
    let raw = e.message().trim_end();
    let found = found_value(raw);
    let msg = match &found {
        // A number beyond every integer type toml reads.
        Some(v) if raw.contains(" as i128") => format!("{v} is too large a number"),
        _ => plain_words(raw),
    };
    let full = e.to_string();
    let key = match full.rsplit_once("\nin `") {
        Some((_, key)) => Some(key.trim_end().trim_end_matches('`').to_string()),
        None => found.and_then(|v| {
            let v = v.split(" as ").next().unwrap_or(&v).to_string();
            key_holding(table, &v, "")
        }),
    };
    match key {
        Some(k) if !msg.contains(&format!("'{k}'")) => format!("{msg} (key {k})"),
        _ => msg,
    }
}

/// The dotted key of the first value in `table` written as `value`.
fn key_holding(table: &toml::Table, value: &str, prefix: &str) -> Option<String> {
    table.iter().find_map(|(k, v)| {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => key_holding(t, value, &key),
            toml::Value::String(s) if format!("\"{s}\"") == value => Some(key),
            other if other.to_string() == value => Some(key),
            _ => None,
        }
    })
}

/// Counts and steps that must be at least 1 (0 would make a rule hold on
/// no evidence: engraftment on zero values), with their keys.
fn check_minimums(c: &Config, path: &str) -> Result<(), ConfigError> {
    let g = &c.grading;
    let counts: [(&str, u64); 6] = [
        (
            "engraftment.consecutive_values",
            g.engraftment.consecutive_values.into(),
        ),
        (
            "poor_graft_function.consecutive_values",
            g.poor_graft_function.consecutive_values.into(),
        ),
        (
            "poor_graft_function.min_criteria",
            g.poor_graft_function.min_criteria.into(),
        ),
        (
            "secondary_graft_failure.min_consecutive_values",
            g.secondary_graft_failure.min_consecutive_values.into(),
        ),
        (
            "cgvhd_steroid.dependent_attempts",
            g.cgvhd_steroid.dependent_attempts as u64,
        ),
        ("dli.rising.serial_rises", c.dli.rising.serial_rises as u64),
    ];
    if let Some((k, _)) = counts.iter().find(|(_, v)| *v == 0) {
        return Err(invalid(path, format!("{k}: 0 is not a count of 1 or more")));
    }
    if g.poor_graft_function.min_criteria > 3 {
        return Err(invalid(
            path,
            format!(
                "poor_graft_function.min_criteria: {} is not a count of 1 to 3 (of ANC, platelets, haemoglobin)",
                g.poor_graft_function.min_criteria
            ),
        ));
    }
    let step = c.dli.rising.min_step_points;
    if !(step.is_finite() && step > 0.0) {
        return Err(invalid(
            path,
            format!("dli.rising.min_step_points: {step} is not a number of points above 0"),
        ));
    }
    Ok(())
}

/// Reads a settings file; a UTF-8 byte-order mark is dropped.
fn read(path: &Path) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::InvalidData {
            invalid(
                &path.display().to_string(),
                "not UTF-8 text: save it as UTF-8 (a UTF-16 file, or not a text file?)",
            )
        } else {
            ConfigError::Io {
                path: path.display().to_string(),
                source,
            }
        }
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

impl Config {
    /// Copies the rules shared with the DLI decision into the alert
    /// settings, so the report's alerts and the decision use one value.
    pub fn sync(&mut self) {
        let a = &mut self.alerts;
        let d = &self.dli;
        a.mrd_positive_percent = d.mrd_flow_positive_percent;
        a.chimerism_serial_rises = d.rising.serial_rises;
        a.chimerism_min_step_points = d.rising.min_step_points;
        a.chimerism_lod_percent = d.rising.lod_percent;
        a.dli_gvhd_grade = d.max_agvhd_grade_exclusive;
        a.dli_gvhd_within_days = d.gvhd_assessment_window_days;
        // E-5: the DLI mixed-chimerism trigger reads the boundary as grade does.
        self.dli.full_donor_rule = self.grading.chimerism.full_donor_rule;
    }

    /// Parses TOML text; `path` is used in messages only.
    pub fn from_toml_str(text: &str, path: &str) -> Result<Config, ConfigError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| invalid(path, e.to_string()))?;
        let dli = match table.remove("dli") {
            None => DliConfig::default(),
            Some(toml::Value::Table(t)) => section(t, "[dli]", path)?,
            Some(_) => return Err(invalid(path, "dli: expected a table [dli]")),
        };
        let alerts = match table.remove("alerts") {
            None => AlertConfig::default(),
            Some(toml::Value::Table(t)) => {
                if let Some((k, instead)) =
                    SHARED_ALERT_KEYS.iter().find(|(k, _)| t.contains_key(*k))
                {
                    return Err(invalid(
                        path,
                        format!("[alerts] {k}: a rule shared with the DLI decision; set {instead}"),
                    ));
                }
                section(t, "[alerts]", path)?
            }
            Some(_) => return Err(invalid(path, "alerts: expected a table [alerts]")),
        };
        let raw: RawChimerismLimits = match table.remove("chimerism_limits") {
            None => RawChimerismLimits::default(),
            Some(toml::Value::Table(t)) => section(t, "[chimerism_limits]", path)?,
            Some(_) => {
                return Err(invalid(
                    path,
                    "chimerism_limits: expected a table [chimerism_limits.str]",
                ));
            }
        };
        let chimerism = ChimerismLimits {
            str: raw
                .str
                .check("chimerism_limits.str")
                .map_err(|m| invalid(path, m))?,
        };
        let grading = section(table, "grading", path)?;
        let mut c = Config {
            grading,
            dli,
            alerts,
            chimerism,
        };
        check_minimums(&c, path)?;
        c.sync();
        Ok(c)
    }

    /// Reads a TOML config file.
    pub fn from_toml_file(path: &Path) -> Result<Config, ConfigError> {
        Config::from_toml_str(&read(path)?, &path.display().to_string())
    }

    /// Applies a deprecated `report --alerts-config` file (flat alert keys).
    /// Shared rules written there are moved to `[dli]`, so decision and
    /// alerts still agree; returns the deprecation notices to print.
    pub fn apply_legacy_alerts_file(&mut self, path: &Path) -> Result<Vec<String>, ConfigError> {
        let p = path.display().to_string();
        let table: toml::Table = read(path)?
            .parse()
            .map_err(|e: toml::de::Error| invalid(&p, e.to_string()))?;
        let keys: Vec<String> = table.keys().cloned().collect();
        let legacy: AlertConfig = section(table, "--alerts-config", &p)?;
        let mut notes = vec![format!(
            "--alerts-config is deprecated: put these keys under [alerts] (and the shared rules under [dli]) in the file given to --config; see `graftwatch config print`"
        )];
        for k in &keys {
            let d = &mut self.dli;
            match k.as_str() {
                "mrd_positive_percent" => d.mrd_flow_positive_percent = legacy.mrd_positive_percent,
                "chimerism_serial_rises" => d.rising.serial_rises = legacy.chimerism_serial_rises,
                "chimerism_min_step_points" => {
                    d.rising.min_step_points = legacy.chimerism_min_step_points
                }
                "chimerism_lod_percent" => d.rising.lod_percent = legacy.chimerism_lod_percent,
                "dli_gvhd_grade" => d.max_agvhd_grade_exclusive = legacy.dli_gvhd_grade,
                "dli_gvhd_within_days" => {
                    d.gvhd_assessment_window_days = legacy.dli_gvhd_within_days
                }
                "graft_failure_day" => notes.push(format!(
                    "{p}: graft_failure_day is ignored: the primary graft failure day follows the graft source (+30 PBSC/BM, +42 with a cord unit)"
                )),
                _ => {}
            }
        }
        self.alerts.engraftment_warning_days = legacy.engraftment_warning_days;
        self.sync();
        Ok(notes)
    }

    /// The configuration as TOML (what `graftwatch config print` prints).
    pub fn to_toml_string(&self) -> String {
        #[derive(Serialize)]
        struct AlertsOwn<'a> {
            engraftment_warning_days: &'a [i32],
        }
        let mut t = toml::Table::try_from(self.grading).unwrap_or_default();
        if let Ok(d) = toml::Table::try_from(self.dli) {
            t.insert("dli".into(), toml::Value::Table(d));
        }
        let own = AlertsOwn {
            engraftment_warning_days: &self.alerts.engraftment_warning_days,
        };
        if let Ok(a) = toml::Table::try_from(own) {
            t.insert("alerts".into(), toml::Value::Table(a));
        }
        if self.chimerism != ChimerismLimits::default()
            && let Ok(c) = toml::Table::try_from(self.chimerism)
        {
            t.insert("chimerism_limits".into(), toml::Value::Table(c));
        }
        // Plain data with string keys: serialisation cannot fail.
        toml::to_string_pretty(&t).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {

    /// Audit 2026-12-06: serde's wording ("invalid value: integer `-7`,
    /// expected u32", no key) in words with the key; counts of 0 refused.
    #[test]
    fn errors_in_words_with_their_key_and_zero_counts_refused() {
        let err = |text: &str| {
            super::Config::from_toml_str(text, "c.toml")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("[agvhd]\ncarry_forward_days = -7\n"),
            "config file c.toml: grading: expected a whole number from 0 to 4294967295; found -7 (key agvhd.carry_forward_days)"
        );
        assert_eq!(
            err("[agvhd]\ncarry_forward_days = \"7\"\n"),
            "config file c.toml: grading: expected a whole number from 0 to 4294967295; found \"7\" (key agvhd.carry_forward_days)"
        );
        assert_eq!(
            err("[chimerism]\nfull_donor_rule = \"GreaterThan95\"\n"),
            "config file c.toml: grading: 'GreaterThan95' is not an accepted value; expected greater_than95 or at_least95 (key chimerism.full_donor_rule)"
        );
        assert!(
            err("[agvhd]\ncarry_forward_dayz = 7\n")
                .contains("unknown field 'carry_forward_dayz'; expected one of: "),
        );
        for (text, want) in [
            (
                "[engraftment]\nconsecutive_values = 0\n",
                "engraftment.consecutive_values: 0 is not a count of 1 or more",
            ),
            (
                "[poor_graft_function]\nmin_criteria = 0\n",
                "poor_graft_function.min_criteria: 0 is not a count of 1 or more",
            ),
            (
                "[poor_graft_function]\nmin_criteria = 4\n",
                "poor_graft_function.min_criteria: 4 is not a count of 1 to 3",
            ),
            (
                "[secondary_graft_failure]\nmin_consecutive_values = 0\n",
                "secondary_graft_failure.min_consecutive_values: 0 is not",
            ),
            (
                "[dli.rising]\nserial_rises = 0\n",
                "dli.rising.serial_rises: 0 is not a count of 1 or more",
            ),
            (
                "[dli.rising]\nmin_step_points = 0.0\n",
                "dli.rising.min_step_points: 0 is not a number of points above 0",
            ),
        ] {
            assert!(err(text).contains(want), "{text}: {}", err(text));
        }
        for ok in [
            "[engraftment]\nconsecutive_values = 1\n",
            "[poor_graft_function]\nmin_criteria = 3\n",
            "[dli.rising]\nmin_step_points = 0.1\n",
        ] {
            assert!(super::Config::from_toml_str(ok, "c.toml").is_ok(), "{ok}");
        }
    }

    /// E-5: the DLI trigger reads the full-donor boundary from
    /// `[chimerism] full_donor_rule`, the rule `grade` uses.
    #[test]
    fn dli_full_donor_rule_follows_the_chimerism_section() {
        use graftwatch_criteria::chimerism_state::FullDonorRule;
        assert_eq!(
            Config::default().dli.full_donor_rule,
            FullDonorRule::GreaterThan95
        );
        let c = Config::from_toml_str("[chimerism]\nfull_donor_rule = \"at_least95\"\n", "t.toml")
            .unwrap();
        assert_eq!(
            c.grading.chimerism.full_donor_rule,
            FullDonorRule::AtLeast95
        );
        assert_eq!(c.dli.full_donor_rule, FullDonorRule::AtLeast95);
    }
    use super::*;

    #[test]
    fn default_round_trips() {
        let c = Config::default();
        let t = c.to_toml_string();
        assert!(
            t.contains("[agvhd]") && t.contains("[dli]") && t.contains("[alerts]"),
            "{t}"
        );
        assert!(t.contains("gvhd_assessment_window_days = 14"), "{t}");
        assert_eq!(Config::from_toml_str(&t, "x.toml").unwrap(), c);
    }

    #[test]
    fn grading_only_files_stay_valid() {
        let c = Config::from_toml_str("[engraftment]\nconsecutive_values = 5\n", "g.toml").unwrap();
        assert_eq!(c.grading.engraftment.consecutive_values, 5);
        assert_eq!(c.dli, DliConfig::default());
    }

    #[test]
    fn shared_rules_are_set_once_in_dli() {
        let c = Config::from_toml_str(
            "[dli]\nmrd_flow_positive_percent = 0.2\ngvhd_assessment_window_days = 21\n[dli.rising]\nlod_percent = 0.5\n",
            "s.toml",
        )
        .unwrap();
        assert_eq!(c.alerts.mrd_positive_percent.get(), 0.2);
        assert_eq!(c.alerts.dli_gvhd_within_days, 21);
        assert_eq!(c.alerts.chimerism_lod_percent.get(), 0.5);
        let e = Config::from_toml_str("[alerts]\nmrd_positive_percent = 0.2\n", "s.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("mrd_flow_positive_percent") && e.contains("s.toml"),
            "{e}"
        );
    }

    #[test]
    fn lab_validated_chimerism_limits_per_method() {
        let c = Config::from_toml_str(
            "[chimerism]\nfull_donor_rule = \"greater_than95\"\n[chimerism_limits.str]\nlod_percent = 1.0\nloq_percent = 2.5\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(c.chimerism.str.lod_percent, Some(Percent::lit(1.0)));
        assert_eq!(c.chimerism.str.loq_percent, Some(Percent::lit(2.5)));
        assert!(
            !Config::default()
                .to_toml_string()
                .contains("chimerism_limits")
        );
        assert_eq!(
            Config::from_toml_str(&c.to_toml_string(), "c.toml").unwrap(),
            c
        );
        for (text, want) in [
            (
                "[chimerism_limits.str]\nlod_percent = 0\n",
                "[chimerism_limits.str] lod_percent = 0",
            ),
            (
                "[chimerism_limits.str]\nloq_percent = 101\n",
                "loq_percent = 101",
            ),
            (
                "[chimerism_limits.str]\nlod_percent = 2\nloq_percent = 1\n",
                "below lod_percent",
            ),
            ("[chimerism_limits.str]\nlimit = 1\n", "limit"),
            ("[chimerism_limits.ngs]\nlod_percent = 1\n", "ngs"),
        ] {
            let e = Config::from_toml_str(text, "c.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains(want) && e.contains("c.toml"), "{e}");
        }
    }

    #[test]
    fn percentage_thresholds_out_of_range_name_key_and_value() {
        for (text, key, value) in [
            (
                "[dli]\nmixed_recipient_above_percent = 120\n",
                "mixed_recipient_above_percent",
                "120",
            ),
            (
                "[dli]\nmrd_flow_positive_percent = -0.1\n",
                "mrd_flow_positive_percent",
                "-0.1",
            ),
            (
                "[dli.rising]\nlod_percent = 100.5\n",
                "lod_percent",
                "100.5",
            ),
            (
                "[engine]\nhypocellular_below_percent = 101\n",
                "hypocellular_below_percent",
                "101",
            ),
        ] {
            let e = Config::from_toml_str(text, "p.toml")
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(key)
                    && e.contains(value)
                    && e.contains("between 0 and 100")
                    && e.contains("p.toml"),
                "{e}"
            );
        }
        // Both ends of the range are accepted.
        for text in [
            "[dli]\nmixed_recipient_above_percent = 0\n",
            "[dli]\nmixed_recipient_above_percent = 100\n",
        ] {
            assert!(Config::from_toml_str(text, "p.toml").is_ok(), "{text}");
        }
    }

    #[test]
    fn unknown_keys_are_named() {
        for (text, key) in [
            ("[dli]\ngvhd_window = 3\n", "gvhd_window"),
            ("[alerts]\nengraftment_days = [1]\n", "engraftment_days"),
            ("[agvhd]\nchild_weight_cutoff = 40\n", "child_weight_cutoff"),
            ("[nonsense]\nx = 1\n", "nonsense"),
        ] {
            let e = Config::from_toml_str(text, "u.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains(key) && e.contains("u.toml"), "{e}");
        }
    }
}
