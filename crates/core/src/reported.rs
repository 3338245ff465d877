//! A share as tables, CSV and pages report it: one rule for STR and NGS.
//!
//! A person whose DNA is not reported as present (not detected, or a signal
//! below the limit of detection) is reported as `< LoD`, not as a number
//! (CLSI EP17: below the LoD the result is "< LoD"); the estimate itself
//! stays in the JSON and in the CSV's `percent` column. Each method decides
//! the call (`graftwatch_chimerism`: STR `Detection`, NGS `detected`); the
//! course records it (`detected`, `lod_percent`); this module only says how
//! the call shows, everywhere a share is shown (chimerism tables, reports,
//! the ward and the lab pages).

/// How many decimals a method prints: of the estimate and of the detection
/// limit in `< LoD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimals {
    /// Decimals of a reported share (percent).
    pub share: usize,
    /// Decimals of the limit in `< LoD` (percent).
    pub limit: usize,
}

/// The share (percent) as reported: the estimate at `decimals.share`, or
/// `< L` with L the detection limit (percent) at `decimals.limit` when
/// `below_limit` gives it (the person is not reported as present).
pub fn reported_percent(percent: f64, below_limit: Option<f64>, decimals: Decimals) -> String {
    match below_limit {
        Some(l) => format!("< {:.*}", decimals.limit, l),
        None => format!("{:.*}", decimals.share, percent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_below_the_limit_is_not_a_number() {
        let d = Decimals { share: 2, limit: 1 };
        assert_eq!(reported_percent(0.034, Some(1.04), d), "< 1.0");
        assert_eq!(reported_percent(12.3456, None, d), "12.35");
        let d = Decimals { share: 3, limit: 3 };
        assert_eq!(reported_percent(0.0031, Some(0.0724), d), "< 0.072");
        assert_eq!(reported_percent(0.0031, None, d), "0.003");
    }
}
