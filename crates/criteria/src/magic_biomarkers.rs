//! MAGIC biomarkers: the MAGIC algorithm probability (MAP) from serum ST2
//! and REG3α, its high/low risk split and the Ann Arbor groups 1/2/3.
//!
//! | quantity | rule | provenance |
//! |---|---|---|
//! | MAP (Hartwell 2017) | `ln(−ln(1 − p)) = −11.263 + 1.844·ln(ST2) + 0.577·ln(REG3α)` | **\[R\]**: coefficients and log base recalled (clinical-criteria.md §1.4); units see `A-16` |
//! | day-7 sample (Hartwell 2017) | a blood sample on day +7 after HCT; two risk groups | \[V\] abstract |
//! | high risk | MAP ≥ 0.290 | \[V\] Srinagesh 2019 abstract |
//! | Ann Arbor groups at GVHD onset | AA1 MAP < 0.141; AA2 0.141 ≤ MAP < 0.290; AA3 MAP ≥ 0.290 | 0.290 \[V\]; 0.141 **\[R\]** |
//! | original Ann Arbor score (Levine 2015) | TNFR1 + ST2 + REG3α at onset | **\[R\]**, not computed (flag `MAGIC-AA2015`) |
//!
//! The coefficients could not be verified from a stored source, so every MAP
//! carries flag `MAGIC-MAP-R` and the coefficients are configuration
//! (`[magic_biomarkers]`), never hidden constants. Units (`A-16`): the
//! recalled coefficients give the published picture (16–20 % of patients
//! high-risk at day 7, Hartwell 2017 abstract \[V\]) only with concentrations in
//! **ng/mL** (a typical ST2 26 ng/mL and REG3α 25 ng/mL give MAP ≈ 0.03);
//! in pg/mL the same patient would get MAP ≈ 1.0. The course stores pg/mL;
//! the rule converts (÷ 1000) by default.

use graftwatch_core::{Citation, Date, Provenance};
use serde::{Deserialize, Serialize};

use crate::explain::{Evidence, Explanation, Flag, Graded};

/// Hartwell et al. 2017 (MAP, day-7 algorithm).
pub const HARTWELL_2017: Citation = Citation {
    source: "Hartwell MJ et al. An early-biomarker algorithm predicts lethal graft-versus-host disease and survival. JCI Insight 2017;2(3):e89798",
    year: 2017,
    table: "Abstract (day-7 ST2 + REG3a two-biomarker model, two risk groups; adapted to three groups at GVHD onset); model equation in Methods",
    doi: Some("10.1172/jci.insight.89798"),
    provenance: Provenance::Recalled,
    note: "Abstract [V] (checked 2026-12-03: day-7 samples, ST2 and REG3a, 16-20% high risk, same algorithm gives 3 groups at onset). Coefficients -11.263, 1.844, 0.577 and the natural log [R]: not found in a stored source.",
};

/// Srinagesh et al. 2019 (MAP threshold 0.290).
pub const SRINAGESH_2019: Citation = Citation {
    source: "Srinagesh HK et al. The MAGIC algorithm probability is a validated response biomarker of treatment of acute graft-versus-host disease. Blood Adv 2019;3(23):4034-4042",
    year: 2019,
    table: "Abstract (threshold 0.290)",
    doi: Some("10.1182/bloodadvances.2019000791"),
    provenance: Provenance::Verified,
    note: "Checked 2026-12-03 against the abstract: a MAP rising above 0.290 after 4 weeks of treatment -> more NRM; falling below -> less.",
};

/// Major-Monfried et al. 2018 (MAP after one week of treatment; groups).
pub const MAJOR_MONFRIED_2018: Citation = Citation {
    source: "Major-Monfried H et al. MAGIC biomarkers predict long-term outcomes for steroid-resistant acute GVHD. Blood 2018;131(25):2846-2855",
    year: 2018,
    table: "Ann Arbor groups 1/2/3 (MAP cut-points 0.141 and 0.290)",
    doi: Some("10.1182/blood-2018-01-822957"),
    provenance: Provenance::Recalled,
    note: "Abstract [V] (checked 2026-12-03: the ST2 + REG3a algorithm separates steroid-resistant patients after 1 week of treatment). The lower cut 0.141 [R].",
};

/// Levine et al. 2015 (original three-marker Ann Arbor score).
pub const LEVINE_2015: Citation = Citation {
    source: "Levine JE et al. A prognostic score for acute graft-versus-host disease based on biomarkers: a multicentre study. Lancet Haematol 2015;2(1):e21-e29",
    year: 2015,
    table: "Ann Arbor score (TNFR1, ST2, REG3a at GVHD onset)",
    doi: None,
    provenance: Provenance::Recalled,
    note: "Not computed: the three-marker coefficients could not be verified.",
};

/// Rule version.
pub const MAGIC_MAP_VERSION: &str = "MAGIC MAP (Hartwell 2017) / Ann Arbor groups";

/// The concentration unit the coefficients expect (`A-16`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MapUnit {
    /// ng/mL (default: the reading that reproduces the published risk split).
    NgPerMl,
    /// pg/mL.
    PgPerMl,
}

/// MAP coefficients, thresholds and sample windows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MapConfig {
    /// Intercept \[R\].
    pub intercept: f64,
    /// ln(ST2) coefficient \[R\].
    pub st2_coefficient: f64,
    /// ln(REG3α) coefficient \[R\].
    pub reg3a_coefficient: f64,
    /// Unit of the concentrations in the equation (`A-16`).
    pub concentration_unit: MapUnit,
    /// High risk / Ann Arbor 3 at or above this MAP (\[V\] 0.290).
    pub high_risk_at_least: f64,
    /// Ann Arbor 2 at or above this MAP (\[R\] 0.141).
    pub ann_arbor_2_at_least: f64,
    /// The day-7 sample: day +7 ± this many days after HCT (`A-14`).
    pub day7_window_days: i32,
    /// The onset sample: acute GVHD onset ± this many days (`A-15`).
    pub onset_window_days: i32,
}

impl Default for MapConfig {
    fn default() -> Self {
        MapConfig {
            intercept: -11.263,
            st2_coefficient: 1.844,
            reg3a_coefficient: 0.577,
            concentration_unit: MapUnit::NgPerMl,
            high_risk_at_least: 0.290,
            ann_arbor_2_at_least: 0.141,
            day7_window_days: 2,
            onset_window_days: 3,
        }
    }
}

/// Ann Arbor group from a MAP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum AnnArbor {
    /// Group 1 (lowest risk).
    #[serde(rename = "1")]
    Aa1,
    /// Group 2.
    #[serde(rename = "2")]
    Aa2,
    /// Group 3 (highest risk).
    #[serde(rename = "3")]
    Aa3,
}

impl AnnArbor {
    /// `Ann Arbor 1` …
    pub fn text(self) -> &'static str {
        match self {
            AnnArbor::Aa1 => "Ann Arbor 1",
            AnnArbor::Aa2 => "Ann Arbor 2",
            AnnArbor::Aa3 => "Ann Arbor 3",
        }
    }
}

/// One biomarker sample (concentrations in pg/mL, as the course stores them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BiomarkerSample {
    /// Sample date.
    pub date: Date,
    /// ST2, pg/mL.
    pub st2_pg_ml: Option<f64>,
    /// REG3α, pg/mL.
    pub reg3a_pg_ml: Option<f64>,
    /// TNFR1, pg/mL (recorded, not used by MAP).
    pub tnfr1_pg_ml: Option<f64>,
    /// Assay name as recorded.
    pub assay: Option<String>,
}

/// A MAP result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapResult {
    /// Sample date.
    pub sample_date: Date,
    /// MAGIC algorithm probability (0–1).
    pub map: f64,
    /// MAP ≥ the high-risk threshold.
    pub high_risk: bool,
    /// Ann Arbor group (onset samples; also given for day-7 samples).
    pub ann_arbor: AnnArbor,
    /// ST2 used, pg/mL.
    pub st2_pg_ml: f64,
    /// REG3α used, pg/mL.
    pub reg3a_pg_ml: f64,
}

/// The MAP of two concentrations in pg/mL; `None` when either is not a
/// positive finite number.
pub fn map_probability(st2_pg_ml: f64, reg3a_pg_ml: f64, cfg: &MapConfig) -> Option<f64> {
    let ok = |v: f64| v.is_finite() && v > 0.0;
    if !ok(st2_pg_ml) || !ok(reg3a_pg_ml) {
        return None;
    }
    let scale = match cfg.concentration_unit {
        MapUnit::NgPerMl => 1.0 / 1000.0,
        MapUnit::PgPerMl => 1.0,
    };
    let eta = cfg.intercept
        + cfg.st2_coefficient * (st2_pg_ml * scale).ln()
        + cfg.reg3a_coefficient * (reg3a_pg_ml * scale).ln();
    Some(1.0 - (-eta.exp()).exp())
}

/// The Ann Arbor group of a MAP (half-open bands: a MAP exactly on a cut
/// belongs to the higher group).
pub fn ann_arbor(map: f64, cfg: &MapConfig) -> AnnArbor {
    if map >= cfg.high_risk_at_least {
        AnnArbor::Aa3
    } else if map >= cfg.ann_arbor_2_at_least {
        AnnArbor::Aa2
    } else {
        AnnArbor::Aa1
    }
}

fn explanation(what: &str) -> Explanation {
    Explanation {
        rule: "MAGIC algorithm probability",
        version: MAGIC_MAP_VERSION,
        citations: vec![HARTWELL_2017, SRINAGESH_2019, MAJOR_MONFRIED_2018],
        reason: String::new(),
        evidence: Vec::new(),
        flags: vec![Flag::new(
            "MAGIC-MAP-R",
            format!(
                "{what}: MAP coefficients (-11.263, 1.844, 0.577), natural log and the ng/mL reading (A-16) recalled [R], not verified against the paper; the Ann Arbor 1/2 cut 0.141 is [R], 0.290 [V]"
            ),
        )],
    }
}

/// The MAP of the sample nearest `target` within ± `window` days (ties: the
/// earlier). `what` names the sample in words (`day +7`, `acute GVHD onset`).
pub fn map_near(
    samples: &[BiomarkerSample],
    target: Date,
    window: i32,
    what: &str,
    cfg: &MapConfig,
) -> Graded<MapResult> {
    let mut ex = explanation(what);
    let near = samples
        .iter()
        .filter(|s| s.date.days_since(target).get().abs() <= window)
        .filter(|s| s.st2_pg_ml.is_some() && s.reg3a_pg_ml.is_some())
        .min_by_key(|s| (s.date.days_since(target).get().abs(), s.date));
    let Some(s) = near else {
        ex.reason =
            format!("no sample with both ST2 and REG3a within {window} days of {what} ({target})");
        return Graded::InsufficientData {
            missing: vec![format!(
                "serum ST2 and REG3a from {} to {} ({what} ± {window} days)",
                target.add_days(-window),
                target.add_days(window)
            )],
            explanation: ex,
        };
    };
    let (st2, reg) = (s.st2_pg_ml.unwrap_or(0.0), s.reg3a_pg_ml.unwrap_or(0.0));
    let Some(map) = map_probability(st2, reg, cfg) else {
        ex.reason = format!(
            "ST2 {st2} / REG3a {reg} pg/mL on {}: not positive numbers",
            s.date
        );
        return Graded::InsufficientData {
            missing: vec![format!(
                "positive ST2 and REG3a concentrations on {}",
                s.date
            )],
            explanation: ex,
        };
    };
    describe(s, map, what, cfg, &mut ex);
    let aa = ann_arbor(map, cfg);
    Graded::Value {
        value: MapResult {
            sample_date: s.date,
            map,
            high_risk: map >= cfg.high_risk_at_least,
            ann_arbor: aa,
            st2_pg_ml: st2,
            reg3a_pg_ml: reg,
        },
        explanation: ex,
    }
}

fn describe(s: &BiomarkerSample, map: f64, what: &str, cfg: &MapConfig, ex: &mut Explanation) {
    let aa = ann_arbor(map, cfg);
    for (k, v) in [("st2", s.st2_pg_ml), ("reg3a", s.reg3a_pg_ml)] {
        if let Some(v) = v {
            ex.evidence.push(Evidence::value(
                Some(s.date),
                k,
                v,
                Some(graftwatch_core::Unit::PgPerMl),
                "serum concentration",
            ));
        }
    }
    ex.reason = format!(
        "{what} sample {}: MAP {map:.3} -> {} ({}; high risk at ≥ {:.3})",
        s.date,
        if map >= cfg.high_risk_at_least {
            "high risk"
        } else {
            "low risk"
        },
        aa.text(),
        cfg.high_risk_at_least
    );
    let assay_ok = s
        .assay
        .as_deref()
        .is_some_and(|a| a.to_ascii_lowercase().contains("magic"));
    if !assay_ok {
        ex.flags.push(Flag::new(
            "MAGIC-ASSAY",
            format!(
                "assay {}: MAP is defined for the consortium's reference ELISA; values from other platforms are not interchangeable",
                s.assay.as_deref().unwrap_or("not stated")
            ),
        ));
    }
    if let Some(t) = s.tnfr1_pg_ml {
        ex.citations.push(LEVINE_2015);
        ex.flags.push(Flag::new(
            "MAGIC-AA2015",
            format!("TNFR1 {t} pg/mL recorded: the original three-marker Ann Arbor score (Levine 2015) is not computed (coefficients not verified)"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(date: &str, st2: f64, reg: f64) -> BiomarkerSample {
        BiomarkerSample {
            date: date.parse().unwrap(),
            st2_pg_ml: Some(st2),
            reg3a_pg_ml: Some(reg),
            tnfr1_pg_ml: None,
            assay: Some("MAGIC ELISA".into()),
        }
    }

    /// ST2 (pg/mL) at which the MAP equals `p` for a given REG3α.
    fn st2_for(p: f64, reg: f64, cfg: &MapConfig) -> f64 {
        let eta = (-(1.0 - p).ln()).ln();
        let ln_st2 = (eta - cfg.intercept - cfg.reg3a_coefficient * (reg / 1000.0).ln())
            / cfg.st2_coefficient;
        ln_st2.exp() * 1000.0
    }

    #[test]
    fn typical_and_high_values() {
        let c = MapConfig::default();
        let low = map_probability(26_000.0, 25_000.0, &c).unwrap();
        assert!((0.02..0.05).contains(&low), "{low}");
        let high = map_probability(200_000.0, 200_000.0, &c).unwrap();
        assert!(high > 0.29, "{high}");
        // the pg/mL reading makes a typical patient certain to die: A-16
        let pg = MapConfig {
            concentration_unit: MapUnit::PgPerMl,
            ..c
        };
        assert!(map_probability(26_000.0, 25_000.0, &pg).unwrap() > 0.99);
    }

    #[test]
    fn thresholds_both_sides() {
        let c = MapConfig::default();
        let reg = 25_000.0;
        for (cut, below, at) in [
            (0.290, AnnArbor::Aa2, AnnArbor::Aa3),
            (0.141, AnnArbor::Aa1, AnnArbor::Aa2),
        ] {
            let st2 = st2_for(cut, reg, &c);
            let above = map_probability(st2 * 1.001, reg, &c).unwrap();
            let under = map_probability(st2 * 0.999, reg, &c).unwrap();
            assert_eq!(ann_arbor(above, &c), at, "{cut}: {above}");
            assert_eq!(ann_arbor(under, &c), below, "{cut}: {under}");
        }
        assert_eq!(ann_arbor(0.290, &c), AnnArbor::Aa3);
        assert_eq!(ann_arbor(0.28999, &c), AnnArbor::Aa2);
    }

    #[test]
    fn sample_window_both_sides() {
        let c = MapConfig::default();
        let t: Date = "2024-01-08".parse().unwrap();
        let g = map_near(&[s("2024-01-10", 30_000.0, 30_000.0)], t, 2, "day +7", &c);
        assert!(g.value().is_some());
        let g = map_near(&[s("2024-01-11", 30_000.0, 30_000.0)], t, 2, "day +7", &c);
        assert!(matches!(g, Graded::InsufficientData { .. }));
        // nearest wins; a sample missing REG3a is not used
        let mut only_st2 = s("2024-01-08", 30_000.0, 1.0);
        only_st2.reg3a_pg_ml = None;
        let g = map_near(
            &[
                only_st2,
                s("2024-01-07", 90_000.0, 30_000.0),
                s("2024-01-10", 30_000.0, 30_000.0),
            ],
            t,
            2,
            "day +7",
            &c,
        );
        assert_eq!(
            g.value().unwrap().sample_date,
            "2024-01-07".parse::<Date>().unwrap()
        );
        // zero is not a concentration
        let g = map_near(&[s("2024-01-08", 0.0, 30_000.0)], t, 2, "day +7", &c);
        assert!(matches!(g, Graded::InsufficientData { .. }));
    }

    #[test]
    fn assay_and_tnfr1_flags() {
        let c = MapConfig::default();
        let t: Date = "2024-01-08".parse().unwrap();
        let mut x = s("2024-01-08", 30_000.0, 30_000.0);
        x.assay = None;
        x.tnfr1_pg_ml = Some(3000.0);
        let g = map_near(&[x], t, 2, "day +7", &c);
        let codes = g.explanation().flag_codes();
        assert!(
            codes.contains(&"MAGIC-ASSAY")
                && codes.contains(&"MAGIC-AA2015")
                && codes.contains(&"MAGIC-MAP-R"),
            "{codes:?}"
        );
    }
}
