//! The dominant donor, one rule for STR and NGS.
//!
//! A donor is named dominant only when the data show it: it is detected,
//! and its interval lies wholly above the next donor's (or, without
//! intervals, its share is larger at the shown precision, 0.01 points). A pure recipient sample, two donors whose intervals overlap
//! (a double-cord or cord + haplo graft at near-equal shares) or an exact
//! tie name none: "dominant" is a finding, not the larger of two numbers.

/// One donor (or unsplit donor group) as the rule sees it; shares and
/// interval ends in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The estimate.
    pub share: f64,
    /// The interval, when there is one (low, high).
    pub interval: Option<(f64, f64)>,
    /// Whether the donor is detected in the sample.
    pub detected: bool,
}

/// The shown precision (points): shares closer than this are a tie.
pub const TIE_POINTS: f64 = 0.01;

/// The index of the dominant donor among `donors`, if the data show one.
pub fn dominant(donors: &[Candidate]) -> Option<usize> {
    let mut order: Vec<usize> = (0..donors.len()).collect();
    order.sort_by(|&a, &b| donors[b].share.total_cmp(&donors[a].share));
    let top = *order.first()?;
    let first = donors[top];
    if !first.detected {
        return None;
    }
    let Some(&next) = order.get(1) else {
        return Some(top);
    };
    let second = donors[next];
    let apart = match (first.interval, second.interval) {
        (Some((low, _)), Some((_, high))) => low > high,
        // compared at the shown precision: equal when both show the same
        _ => (first.share / TIE_POINTS).round() != (second.share / TIE_POINTS).round(),
    };
    apart.then_some(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(share: f64, interval: Option<(f64, f64)>, detected: bool) -> Candidate {
        Candidate {
            share,
            interval,
            detected,
        }
    }

    #[test]
    fn dominant_only_when_detected_and_apart() {
        // one donor, detected / not detected
        assert_eq!(dominant(&[c(90.0, None, true)]), Some(0));
        assert_eq!(dominant(&[c(0.01, None, false)]), None);
        // pure recipient: neither donor detected
        assert_eq!(dominant(&[c(0.01, None, false), c(0.0, None, false)]), None);
        // intervals overlap (35.34 vs 35.15): none
        let a = c(35.34, Some((34.73, 35.96)), true);
        let b = c(35.15, Some((34.75, 35.56)), true);
        assert_eq!(dominant(&[a, b]), None);
        // apart: the larger one, whatever its position
        let b2 = c(30.0, Some((29.0, 34.72)), true);
        assert_eq!(dominant(&[b2, a]), Some(1));
        // touching ends are not apart
        let b3 = c(30.0, Some((29.0, 34.73)), true);
        assert_eq!(dominant(&[a, b3]), None);
        // without intervals: different at the shown precision (0.01 points)
        assert_eq!(
            dominant(&[c(50.0, None, true), c(49.996, None, true)]),
            None
        );
        assert_eq!(
            dominant(&[c(50.0, None, true), c(49.99, None, true)]),
            Some(0)
        );
    }
}
