//! Number, date and dose formatting for the report.

use graftwatch_core::{CellsPerKg, Date, DayOffset, DonorId};
use graftwatch_course::{Anchor, GraftSource};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Short month name (`Jan` … `Dec`) of a 1-based month number; `?` when out of range.
pub fn month_name(month: u32) -> &'static str {
    MONTHS
        .get((month as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("?")
}

pub use graftwatch_core::number::{sci, superscript};

/// Formats with `decimals` decimals and drops trailing zeros (`0.50` → `0.5`).
pub fn num(value: f64, decimals: usize) -> String {
    trim_zeros(&format!("{value:.decimals$}"))
}

use graftwatch_core::number::trim_zeros;

/// `day +14`, `day 0`, `day −5` with a true minus sign.
pub fn day_label(day: DayOffset) -> String {
    let d = day.get();
    if d < 0 {
        format!("day −{}", -d)
    } else if d == 0 {
        "day 0".into()
    } else {
        format!("day +{d}")
    }
}

/// Signed day number only: `+14`, `0`, `−5`.
pub fn signed_day(d: i32) -> String {
    if d < 0 {
        format!("−{}", -d)
    } else if d == 0 {
        "0".into()
    } else {
        format!("+{d}")
    }
}

/// The therapies a date is counted from in the report's words: the CAR-T
/// infusions and transplants of the course (not DLIs), in date order.
pub fn therapy_anchors(anchors: &[Anchor]) -> Vec<Anchor> {
    anchors
        .iter()
        .filter(|a| a.kind.is_therapy())
        .copied()
        .collect()
}

/// The therapy `date` follows: the most recent CAR-T infusion or transplant
/// on or before it, else (before all of them) the first.
fn therapy_for(therapies: &[Anchor], date: Date) -> Option<&Anchor> {
    therapies
        .iter()
        .rfind(|a| a.date <= date)
        .or_else(|| therapies.first())
}

/// The period `from`–`to` in days of the therapy it follows (the one helper
/// for tooltips and tables): "CAR-T day +1", "CAR-T day +1 to +2", "HCT day
/// −7", "HCT 2 day +30 to +41". Both ends count from the therapy `from`
/// follows. `None` when the course has no CAR-T infusion or transplant.
pub fn therapy_period(therapies: &[Anchor], from: Date, to: Date) -> Option<String> {
    let a = therapy_for(therapies, from)?;
    let (d0, d1) = (a.day(from).get(), a.day(to).get());
    Some(if to == from {
        format!("{} day {}", a.kind, signed_day(d0))
    } else {
        format!("{} day {} to {}", a.kind, signed_day(d0), signed_day(d1))
    })
}

/// `12 May 2024`.
pub fn long_date(date: Date) -> String {
    let (y, m, d) = date.ymd();
    format!("{d} {} {y}", month_name(m))
}

/// A graft's short name: the donor id, prefixed by the source (`UCB`,
/// `PBSC`, `BM`) unless the id already contains it (`UCB-1`, not `UCB UCB-1`).
pub fn graft_name(source: GraftSource, donor: &DonorId) -> String {
    if donor.0.to_ascii_uppercase().contains(source.label()) {
        donor.0.clone()
    } else {
        format!("{} {}", source.label(), donor.0)
    }
}

/// The cell doses per kg of a graft that were recorded, named `TNC`,
/// `CD34+` and `CD3+`, in that order.
pub fn graft_doses(
    tnc_per_kg: Option<CellsPerKg>,
    cd34_per_kg: Option<CellsPerKg>,
    cd3_per_kg: Option<CellsPerKg>,
) -> impl Iterator<Item = (&'static str, f64)> {
    [
        ("TNC", tnc_per_kg),
        ("CD34+", cd34_per_kg),
        ("CD3+", cd3_per_kg),
    ]
    .into_iter()
    .filter_map(|(name, v)| v.map(|v| (name, v.get())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scientific_cell_doses() {
        assert_eq!(sci(2.1e7), "2.1 × 10⁷");
        assert_eq!(sci(1.0e5), "1 × 10⁵");
        assert_eq!(sci(5.2e6), "5.2 × 10⁶");
        assert_eq!(sci(9.999e5), "1 × 10⁶");
        assert_eq!(sci(3.0), "3");
        assert_eq!(sci(0.0), "0");
        assert_eq!(sci(f64::NAN), "–");
        assert_eq!(sci(2.5e-3), "2.5 × 10⁻³");
    }

    #[test]
    fn numbers_and_days() {
        assert_eq!(num(0.50, 2), "0.5");
        assert_eq!(num(20.0, 1), "20");
        assert_eq!(signed_day(-56), "−56");
        assert_eq!(signed_day(0), "0");
        assert_eq!(signed_day(13), "+13");
        assert_eq!(day_label(DayOffset(-3)), "day −3");
        assert_eq!(month_name(5), "May");
        assert_eq!(month_name(13), "?");
        let d = Date::from_ymd(2024, 4, 29).unwrap();
        assert_eq!(long_date(d), "29 Apr 2024");
        assert_eq!(
            graft_name(GraftSource::Ucb, &DonorId("UCB-1".into())),
            "UCB-1"
        );
        assert_eq!(
            graft_name(GraftSource::Pbsc, &DonorId("haplo-brother".into())),
            "PBSC haplo-brother"
        );
    }
}
