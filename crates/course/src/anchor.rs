//! Anchor events and "day +N after X" arithmetic.

use std::fmt;

use graftwatch_core::{Date, DayOffset};
use serde::Serialize;

/// Which kind of day 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnchorKind {
    /// Allogeneic transplant number n (day 0 = first graft infusion).
    Transplant(u32),
    /// CAR-T infusion number n.
    CarT(u32),
    /// Donor lymphocyte infusion number n.
    Dli(u32),
}

impl AnchorKind {
    /// A therapy a date is counted from (a transplant or a CAR-T
    /// infusion); a DLI is reported beside it, not counted from: the one
    /// rule of [`crate::Course::primary_anchor_for`] and the report's day
    /// labels.
    pub fn is_therapy(self) -> bool {
        matches!(self, AnchorKind::Transplant(_) | AnchorKind::CarT(_))
    }
}

/// An anchor: a kind of day 0 and its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// Kind.
    pub kind: AnchorKind,
    /// Day-0 date.
    pub date: Date,
}

impl Anchor {
    /// Days from the anchor to `date`.
    pub fn day(&self, date: Date) -> DayOffset {
        date.days_since(self.date)
    }

    /// `day +14 after HCT`, `day -3 after CAR-T`, `day +30 after DLI 2`.
    pub fn describe(&self, date: Date) -> String {
        format!("day {} after {}", self.day(date), self.kind)
    }
}

impl fmt::Display for AnchorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnchorKind::Transplant(1) => f.write_str("HCT"),
            AnchorKind::Transplant(n) => write!(f, "HCT {n}"),
            AnchorKind::CarT(1) => f.write_str("CAR-T"),
            AnchorKind::CarT(n) => write!(f, "CAR-T {n}"),
            AnchorKind::Dli(n) => write!(f, "DLI {n}"),
        }
    }
}
