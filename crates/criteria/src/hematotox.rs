//! CAR-HEMATOTOX score at lymphodepletion (Rejeski 2021).
//!
//! | Variable | 0 points | 1 point | 2 points |
//! |---|---|---|---|
//! | Platelets (×10⁹/L) | > 175 | 75–175 | < 75 |
//! | ANC (×10⁹/L) | ≥ 1.2 (T-9) | < 1.2 | – |
//! | Haemoglobin (g/dL) | ≥ 9.0 (T-9) | < 9.0 | – |
//! | CRP (mg/dL) | ≤ 3.0 (T-9) | > 3.0 | – |
//! | Ferritin (ng/mL) | < 650 | 650–2000 | > 2000 |
//!
//! Low risk 0–1, high risk ≥ 2. Values exactly on a cut point use the T-9
//! defaults and are flagged. CRP must be in mg/dL (T-10: 3.0 mg/dL = 30 mg/L);
//! convert with `graftwatch_core::Analyte::Crp.to_canonical` first.

use graftwatch_core::{Citation, Date, Provenance, Unit};
use serde::{Deserialize, Serialize};

use crate::explain::{Evidence, Explanation, Flag, Graded};
use crate::series::{ValueError, check_opt};

/// Source of the score.
pub const HEMATOTOX_CITATION: Citation = Citation {
    source: "Rejeski K et al. Blood 2021;138(24):2499-2513 (CAR-HEMATOTOX)",
    year: 2021,
    table: "Figure 1 / Table 2 (score variables and cut-points)",
    doi: Some("10.1182/blood.2020010543"),
    provenance: Provenance::Recalled,
    note: "Low (0-1) / high (>=2) split [V] (european-mcl.net, validation abstracts). Cut-points \
           1200/uL, 9.0 g/dL, 3.0 mg/dL, 75/175 ×10⁹/L, 650/2000 ng/mL [R]; values exactly on \
           ANC/Hb/CRP cut-points are undefined in the published table (T-9 defaults). A search on \
           2026-11-25 found the variables and the low/high split (european-mcl.net, Blood abstract, \
           de Boer 2025) but not the cut-point table itself: cut-points remain [R].",
};

/// Rule version.
pub const HEMATOTOX_VERSION: &str = "CAR-HEMATOTOX 2021 (T-9 cut-point defaults)";

/// Laboratory values before lymphodepletion (≈ day −5), canonical units.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct HematotoxInput {
    /// Sampling date (for the explanation).
    pub date: Option<Date>,
    /// ANC ×10⁹/L.
    pub anc: Option<f64>,
    /// Haemoglobin g/dL.
    pub hemoglobin: Option<f64>,
    /// Platelets ×10⁹/L.
    pub platelets: Option<f64>,
    /// CRP mg/dL.
    pub crp: Option<f64>,
    /// Ferritin ng/mL.
    pub ferritin: Option<f64>,
}

/// Risk group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HematotoxRisk {
    /// Score 0–1.
    Low,
    /// Score ≥ 2.
    High,
}

/// Score with its components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hematotox {
    /// Total 0–7.
    pub score: u8,
    /// Risk group.
    pub risk: HematotoxRisk,
    /// Points for platelets (0–2).
    pub platelets: u8,
    /// Points for ANC (0–1).
    pub anc: u8,
    /// Points for haemoglobin (0–1).
    pub hemoglobin: u8,
    /// Points for CRP (0–1).
    pub crp: u8,
    /// Points for ferritin (0–2).
    pub ferritin: u8,
}

/// Platelet points: > 175 → 0; 75–175 → 1; < 75 → 2.
pub fn platelet_points(p: f64) -> u8 {
    if p > 175.0 {
        0
    } else if p >= 75.0 {
        1
    } else {
        2
    }
}
/// ANC points: ≥ 1.2 → 0 (T-9); < 1.2 → 1.
pub fn anc_points(a: f64) -> u8 {
    (a < 1.2) as u8
}
/// Haemoglobin points: ≥ 9.0 → 0 (T-9); < 9.0 → 1.
pub fn hemoglobin_points(h: f64) -> u8 {
    (h < 9.0) as u8
}
/// CRP points (mg/dL): ≤ 3.0 → 0 (T-9); > 3.0 → 1.
pub fn crp_points(c: f64) -> u8 {
    (c > 3.0) as u8
}
/// Ferritin points: < 650 → 0; 650–2000 → 1; > 2000 → 2.
pub fn ferritin_points(f: f64) -> u8 {
    if f < 650.0 {
        0
    } else if f <= 2000.0 {
        1
    } else {
        2
    }
}

/// Computes CAR-HEMATOTOX; `InsufficientData` names every missing variable.
pub fn car_hematotox(input: &HematotoxInput) -> Result<Graded<Hematotox>, ValueError> {
    let d = input.date;
    let anc = check_opt("anc", d, input.anc, "ANC ≥ 0 in 10^9/L")?;
    let hb = check_opt("hemoglobin", d, input.hemoglobin, "haemoglobin ≥ 0 in g/dL")?;
    let plt = check_opt("platelets", d, input.platelets, "platelets ≥ 0 in 10^9/L")?;
    let crp = check_opt("crp", d, input.crp, "CRP ≥ 0 in mg/dL")?;
    let fer = check_opt("ferritin", d, input.ferritin, "ferritin ≥ 0 in ng/mL")?;
    let mut ex = Explanation {
        rule: "CAR-HEMATOTOX",
        version: HEMATOTOX_VERSION,
        citations: vec![HEMATOTOX_CITATION],
        reason: String::new(),
        evidence: Vec::new(),
        flags: Vec::new(),
    };
    let (Some(anc), Some(hb), Some(plt), Some(crp), Some(fer)) = (anc, hb, plt, crp, fer) else {
        let missing: Vec<String> = [
            ("ANC", anc),
            ("haemoglobin", hb),
            ("platelets", plt),
            ("CRP", crp),
            ("ferritin", fer),
        ]
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| format!("{n} before lymphodepletion"))
        .collect();
        ex.reason = "all five variables are needed".into();
        return Ok(Graded::InsufficientData {
            missing,
            explanation: ex,
        });
    };
    let v = Values {
        anc,
        hb,
        plt,
        crp,
        fer,
    };
    let r = score(&v);
    ex.flags = cut_point_flags(&v);
    explain_points(&mut ex, d, &v, &r);
    Ok(Graded::Value {
        value: r,
        explanation: ex,
    })
}

/// One evidence line per variable with its points, and the reason naming
/// the values that scored.
fn explain_points(ex: &mut Explanation, d: Option<Date>, v: &Values, r: &Hematotox) {
    let mut scored = Vec::new();
    for (what, name, x, unit, pts) in [
        ("platelets", "platelets", v.plt, Unit::Per1e9L, r.platelets),
        ("anc", "ANC", v.anc, Unit::Per1e9L, r.anc),
        (
            "hemoglobin",
            "haemoglobin",
            v.hb,
            Unit::GPerDl,
            r.hemoglobin,
        ),
        ("crp", "CRP", v.crp, Unit::MgPerDl, r.crp),
        ("ferritin", "ferritin", v.fer, Unit::NgPerMl, r.ferritin),
    ] {
        ex.evidence.push(Evidence::value(
            d,
            what,
            x,
            Some(unit),
            graftwatch_core::number::counted(pts as usize, "point"),
        ));
        if pts > 0 {
            scored.push(format!(
                "{name} {} ({pts})",
                unit.with_value(graftwatch_core::number::short(x))
            ));
        }
    }
    ex.reason = format!(
        "score {}: {} risk{}",
        r.score,
        if r.score >= 2 { "high" } else { "low" },
        if scored.is_empty() {
            " (no variable scored a point)".to_string()
        } else {
            format!("; points from {}", scored.join(", "))
        }
    );
}

/// The five checked values of a complete input.
struct Values {
    anc: f64,
    hb: f64,
    plt: f64,
    crp: f64,
    fer: f64,
}

/// The points of each variable, their sum and the risk group (high at ≥ 2).
fn score(v: &Values) -> Hematotox {
    let r = Hematotox {
        platelets: platelet_points(v.plt),
        anc: anc_points(v.anc),
        hemoglobin: hemoglobin_points(v.hb),
        crp: crp_points(v.crp),
        ferritin: ferritin_points(v.fer),
        score: 0,
        risk: HematotoxRisk::Low,
    };
    let score = r.platelets + r.anc + r.hemoglobin + r.crp + r.ferritin;
    let risk = if score >= 2 {
        HematotoxRisk::High
    } else {
        HematotoxRisk::Low
    };
    Hematotox { score, risk, ..r }
}

/// T-9 flags for values exactly on a cut point (scored by the T-9 defaults).
fn cut_point_flags(v: &Values) -> Vec<Flag> {
    let on_cut: [(bool, &str); 5] = [
        (v.anc == 1.2, "ANC exactly 1.2 ×10⁹/L (1200/uL) scored 0"),
        (v.hb == 9.0, "haemoglobin exactly 9.0 g/dL scored 0"),
        (v.crp == 3.0, "CRP exactly 3.0 mg/dL scored 0"),
        (
            v.plt == 75.0 || v.plt == 175.0,
            "platelets exactly 75 or 175 ×10⁹/L scored 1",
        ),
        (
            v.fer == 650.0 || v.fer == 2000.0,
            "ferritin exactly 650 or 2000 ng/mL scored 1",
        ),
    ];
    on_cut
        .into_iter()
        .filter(|(hit, _)| *hit)
        .map(|(_, text)| Flag::new("T-9", text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(anc: f64, hb: f64, plt: f64, crp: f64, fer: f64) -> Values {
        Values {
            anc,
            hb,
            plt,
            crp,
            fer,
        }
    }

    #[test]
    fn risk_is_high_from_two_points() {
        let one = score(&values(1.2, 9.0, 176.0, 3.0, 650.0));
        assert_eq!((one.score, one.risk), (1, HematotoxRisk::Low));
        let two = score(&values(1.19, 9.0, 176.0, 3.0, 650.0));
        assert_eq!((two.score, two.risk), (2, HematotoxRisk::High));
        let max = score(&values(0.1, 8.0, 74.0, 3.1, 2001.0));
        assert_eq!(max.score, 7);
    }

    #[test]
    fn only_values_exactly_on_a_cut_point_are_flagged() {
        assert_eq!(
            cut_point_flags(&values(1.2, 9.0, 175.0, 3.0, 2000.0)).len(),
            5
        );
        let off = cut_point_flags(&values(1.21, 8.99, 175.1, 3.01, 650.1));
        assert!(off.is_empty(), "{off:?}");
    }
}
