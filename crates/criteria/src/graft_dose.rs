//! Graft checks at transplant: cell doses and HLA match against the
//! reference's conventions (clinical-criteria.md §6.4).
//!
//! * UCB single unit (malignant disease, Eurocord/EBMT): TNC ≥ 2.5–3.0×10⁷/kg
//!   and/or CD34+ ≥ 1.5×10⁵/kg \[S\].
//! * UCB double unit, or a UCB unit combined with another graft (haplo-cord):
//!   each unit TNC ≥ 1.5×10⁷/kg and/or CD34+ ≥ 1.0×10⁵/kg \[S\]; haplo-cord
//!   unit ≥ 4/6 \[R\].
//! * UCB HLA: avoid > 2 mismatches (≥ 6/8) \[S\]; 4/6 acceptable (ASTCT Cord
//!   Blood SIG, Politikos 2020) \[R\].
//! * PBSC: CD34+ minimum ≈ 2×10⁶/kg, target 4–5×10⁶/kg, caps ≈ 8–10×10⁶/kg
//!   (5×10⁶/kg in haplo-PTCy protocols) \[R\]. No consensus CD3+/kg threshold
//!   is given in the reference: the CD3+ dose is reported without a verdict.

use graftwatch_core::{CellsPerKg, Citation, Provenance};
use serde::Serialize;

/// Eurocord/EBMT UCB selection table.
pub const CITE_UCB: Citation = Citation {
    source: "Eurocord/EBMT cord blood unit selection (ASH-SAP table 8401273); Politikos I et al. BBMT 2020;26(12):2190-2196",
    year: 2020,
    table: "UCB cell dose and HLA criteria",
    doi: None,
    provenance: Provenance::Secondary,
    note: "Single unit TNC ≥ 2.5-3.0e7/kg and/or CD34 ≥ 1.5e5/kg; double unit each ≥ 1.5e7 / 1.0e5; ≤ 2 HLA mismatches. Lower bound of the range used, flagged.",
};

/// PBSC cell dose conventions.
pub const CITE_PBSC: Citation = Citation {
    source: "PBSC CD34+ dose conventions (graftwatch reference §6.4)",
    year: 2025,
    table: "Cell-dose conventions",
    doi: None,
    provenance: Provenance::Recalled,
    note: "Minimum ~2e6 CD34+/kg, target 4-5e6/kg, caps ~8-10e6/kg; haplo-PTCy cap 5e6/kg. [R]",
};

/// The verdict of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// At or above the threshold.
    Meets,
    /// Below the minimum.
    Below,
    /// Above a cap.
    AboveCap,
    /// No threshold or no value: reported only.
    Reported,
}

impl CheckStatus {
    /// `meets`, `below`, `above cap`, `reported`.
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Meets => "meets",
            CheckStatus::Below => "below",
            CheckStatus::AboveCap => "above cap",
            CheckStatus::Reported => "reported",
        }
    }
}

/// One graft check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraftCheck {
    /// What was checked, e.g. `UCB-1 TNC/kg`.
    pub what: String,
    /// The value, if recorded.
    pub value: Option<f64>,
    /// Verdict.
    pub status: CheckStatus,
    /// Reason with the threshold.
    pub reason: String,
    /// Source.
    pub citation: Citation,
}

/// A graft to check.
#[derive(Debug, Clone, PartialEq)]
pub struct GraftToCheck {
    /// Donor id.
    pub donor: String,
    /// UCB or not.
    pub is_ucb: bool,
    /// Whether the donor is haploidentical.
    pub haploidentical: bool,
    /// HLA match text, e.g. `5/8`, `4/6`.
    pub hla_match: Option<String>,
    /// TNC/kg.
    pub tnc_per_kg: Option<CellsPerKg>,
    /// CD34+/kg.
    pub cd34_per_kg: Option<CellsPerKg>,
    /// CD3+/kg.
    pub cd3_per_kg: Option<CellsPerKg>,
}

fn check_min(
    what: String,
    value: Option<f64>,
    min: f64,
    label: &str,
    citation: Citation,
) -> GraftCheck {
    match value {
        None => GraftCheck {
            what,
            value,
            status: CheckStatus::Reported,
            reason: format!("not recorded (threshold {label})"),
            citation,
        },
        Some(v) if v >= min => GraftCheck {
            what,
            value,
            status: CheckStatus::Meets,
            reason: format!("{} ≥ {label}", crate::dli::sci(v)),
            citation,
        },
        Some(v) => GraftCheck {
            what,
            value,
            status: CheckStatus::Below,
            reason: format!("{} below {label}", crate::dli::sci(v)),
            citation,
        },
    }
}

/// Parses `a/b` HLA match text into (matched, total).
pub fn parse_hla(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.trim().split_once('/')?;
    let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b && b > 0).then_some((a, b))
}

/// Checks the grafts of one transplant. `ucb_units` is the number of UCB
/// units and `other_grafts` the number of non-UCB grafts in it.
pub fn check_grafts(grafts: &[GraftToCheck]) -> Vec<GraftCheck> {
    let ucb_units = grafts.iter().filter(|g| g.is_ucb).count();
    let combined = ucb_units >= 2 || (ucb_units >= 1 && grafts.len() > ucb_units);
    let mut out = Vec::new();
    for g in grafts {
        if g.is_ucb {
            check_ucb(g, combined, &mut out);
        } else {
            check_pbsc(g, &mut out);
        }
    }
    out
}

/// One UCB unit: TNC/kg and CD34+/kg minimums (single unit, or each unit of a
/// double/combined graft) and, when recorded, the HLA match.
fn check_ucb(g: &GraftToCheck, combined: bool, out: &mut Vec<GraftCheck>) {
    let (tnc, cd34, ctx) = if combined {
        (1.5e7, 1.0e5, "double/combined unit")
    } else {
        (2.5e7, 1.5e5, "single unit")
    };
    for (cells, value, min) in [("TNC", g.tnc_per_kg, tnc), ("CD34+", g.cd34_per_kg, cd34)] {
        let value = value.map(CellsPerKg::get);
        out.push(check_min(
            format!("{} {cells}/kg", g.donor),
            value,
            min,
            &format!("{} {cells}/kg ({ctx})", crate::dli::sci(min)),
            CITE_UCB,
        ));
    }
    if let Some(h) = &g.hla_match {
        out.push(ucb_hla_check(&g.donor, h));
    }
}

/// UCB HLA match: at 8 alleles ≥ 6/8 (≤ 2 mismatches) meets; at 6 loci
/// ≥ 4/6 meets; any other resolution is reported without a verdict.
fn ucb_hla_check(donor: &str, h: &str) -> GraftCheck {
    let (value, status, why) = match parse_hla(h) {
        Some((m, 8)) if m >= 6 => (Some(m), CheckStatus::Meets, "≤ 2 mismatches"),
        Some((m, 8)) => (
            Some(m),
            CheckStatus::Below,
            "> 2 mismatches at 8 alleles (Eurocord: avoid); acceptable in some ASTCT SIG criteria (≥ 4/8) [R]",
        ),
        Some((m, 6)) if m >= 4 => (Some(m), CheckStatus::Meets, "≥ 4/6"),
        Some((m, 6)) => (Some(m), CheckStatus::Below, "below 4/6"),
        _ => (
            None,
            CheckStatus::Reported,
            "no threshold for this resolution",
        ),
    };
    GraftCheck {
        what: format!("{donor} HLA match"),
        value: value.map(f64::from),
        status,
        reason: format!("{h}: {why}"),
        citation: CITE_UCB,
    }
}

/// One PBSC (or bone-marrow) graft: CD34+/kg minimum, the CD34+/kg cap
/// (haplo-PTCy 5×10⁶, else 8×10⁶; only when exceeded) and the CD3+/kg dose
/// reported without a verdict.
fn check_pbsc(g: &GraftToCheck, out: &mut Vec<GraftCheck>) {
    out.push(check_min(
        format!("{} CD34+/kg", g.donor),
        g.cd34_per_kg.map(CellsPerKg::get),
        2e6,
        &format!("{} CD34+/kg minimum", crate::dli::sci(2e6)),
        CITE_PBSC,
    ));
    if let Some(v) = g.cd34_per_kg.map(CellsPerKg::get) {
        let cap = if g.haploidentical { 5e6 } else { 8e6 };
        if v > cap {
            out.push(GraftCheck {
                what: format!("{} CD34+/kg cap", g.donor),
                value: Some(v),
                status: CheckStatus::AboveCap,
                reason: format!(
                    "{} above the usual cap {} ({})",
                    crate::dli::sci(v),
                    crate::dli::sci(cap),
                    if g.haploidentical {
                        "haplo-PTCy protocols"
                    } else {
                        "chronic GVHD concern"
                    }
                ),
                citation: CITE_PBSC,
            });
        }
    }
    out.push(GraftCheck {
        what: format!("{} CD3+/kg", g.donor),
        value: g.cd3_per_kg.map(CellsPerKg::get),
        status: CheckStatus::Reported,
        reason: match g.cd3_per_kg.map(CellsPerKg::get) {
            Some(v) => format!(
                "{} (no consensus threshold in the reference)",
                crate::dli::sci(v)
            ),
            None => "not recorded".into(),
        },
        citation: CITE_PBSC,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ucb(tnc: f64, cd34: f64, hla: &str) -> GraftToCheck {
        GraftToCheck {
            donor: "UCB-1".into(),
            is_ucb: true,
            haploidentical: false,
            hla_match: Some(hla.into()),
            tnc_per_kg: Some(graftwatch_core::CellsPerKg::new(tnc)),
            cd34_per_kg: Some(graftwatch_core::CellsPerKg::new(cd34)),
            cd3_per_kg: None,
        }
    }
    fn pbsc(cd34: f64) -> GraftToCheck {
        GraftToCheck {
            donor: "PBSC-1".into(),
            is_ucb: false,
            haploidentical: true,
            hla_match: Some("5/10".into()),
            tnc_per_kg: None,
            cd34_per_kg: Some(graftwatch_core::CellsPerKg::new(cd34)),
            cd3_per_kg: Some(graftwatch_core::CellsPerKg::new(1e8)),
        }
    }

    #[test]
    fn single_unit_thresholds() {
        let c = check_grafts(&[ucb(2.5e7, 1.5e5, "6/8")]);
        assert!(c.iter().all(|x| x.status == CheckStatus::Meets), "{c:?}");
        let c = check_grafts(&[ucb(2.49e7, 1.49e5, "5/8")]);
        assert!(c.iter().all(|x| x.status == CheckStatus::Below), "{c:?}");
    }

    #[test]
    fn combined_unit_thresholds() {
        let c = check_grafts(&[ucb(1.5e7, 1.0e5, "4/6"), pbsc(2e6)]);
        assert!(
            c[..3].iter().all(|x| x.status == CheckStatus::Meets),
            "{c:?}"
        );
        assert_eq!(c[3].status, CheckStatus::Meets);
        let c = check_grafts(&[ucb(1.49e7, 0.99e5, "3/6"), pbsc(1.99e6)]);
        assert!(
            c[..4].iter().all(|x| x.status == CheckStatus::Below),
            "{c:?}"
        );
    }

    #[test]
    fn pbsc_cap() {
        let c = check_grafts(&[pbsc(5e6)]);
        assert!(!c.iter().any(|x| x.status == CheckStatus::AboveCap));
        let c = check_grafts(&[pbsc(5.1e6)]);
        assert!(c.iter().any(|x| x.status == CheckStatus::AboveCap));
        assert_eq!(parse_hla("5/8"), Some((5, 8)));
        assert_eq!(parse_hla("9/8"), None);
    }

    #[test]
    fn ucb_hla_by_resolution() {
        assert_eq!(ucb_hla_check("U", "6/8").status, CheckStatus::Meets);
        assert_eq!(ucb_hla_check("U", "5/8").status, CheckStatus::Below);
        assert_eq!(ucb_hla_check("U", "4/6").status, CheckStatus::Meets);
        assert_eq!(ucb_hla_check("U", "3/6").status, CheckStatus::Below);
        let other = ucb_hla_check("U", "9/10");
        assert_eq!((other.status, other.value), (CheckStatus::Reported, None));
        assert_eq!(ucb_hla_check("U", "5/8").value, Some(5.0));
    }

    #[test]
    fn pbsc_cap_for_non_haploidentical_donors() {
        let g = |cd34| GraftToCheck {
            haploidentical: false,
            ..pbsc(cd34)
        };
        let mut out = Vec::new();
        check_pbsc(&g(8e6), &mut out);
        assert!(!out.iter().any(|x| x.status == CheckStatus::AboveCap));
        out.clear();
        check_pbsc(&g(8.1e6), &mut out);
        assert!(out.iter().any(|x| x.status == CheckStatus::AboveCap));
    }
}
