//! Structured drug-dose units: `mg/m2/d`, `mg/kg`, `g/m2/d`, `ug/kg/min`,
//! `U/min`, `Gy`, … — an amount unit, an optional body basis (per kg or per
//! m²) and an optional rate (per day, hour, minute). A unit may be followed
//! by a free note after a space or a comma (`mg/m2/d x3 (days -5 to -3)`,
//! `mg/kg/d, tapered from day +60`); the unit itself must be one of these
//! forms, so a typing error (`mg/m3`, `lots`) is rejected when the course is
//! read.

use std::fmt;

/// The amount measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoseAmount {
    /// Nanograms.
    Ng,
    /// Micrograms (`ug`, `µg`, `mcg`).
    Ug,
    /// Milligrams.
    Mg,
    /// Grams.
    G,
    /// Units (`U`, `IU`).
    Units,
    /// Millilitres.
    Ml,
    /// Radiation dose, gray.
    Gy,
    /// Radiation dose, centigray.
    CGy,
    /// Cells.
    Cells,
}

/// Per body weight or body surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoseBasis {
    /// Per kg body weight.
    PerKg,
    /// Per m² body surface area.
    PerM2,
}

/// Per unit of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoseRate {
    /// Per day.
    PerDay,
    /// Per hour.
    PerHour,
    /// Per minute.
    PerMinute,
    /// Every other day (`qod`, `eod`, `q48h`, `48h`, `2d`): alternate-day
    /// dosing, e.g. prednisone `mg/kg/qod`.
    EveryOtherDay,
}

impl DoseRate {
    /// Administrations per day: 1 per day, ½ every other day, 24 per
    /// hour, 1,440 per minute (a daily amount is the dose times this).
    pub fn per_day(self) -> f64 {
        match self {
            DoseRate::PerDay => 1.0,
            DoseRate::EveryOtherDay => 0.5,
            DoseRate::PerHour => 24.0,
            DoseRate::PerMinute => 1440.0,
        }
    }
}

/// A parsed dose unit, with the free note that followed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseUnit {
    /// Amount.
    pub amount: DoseAmount,
    /// Basis, if any.
    pub basis: Option<DoseBasis>,
    /// Rate, if any.
    pub rate: Option<DoseRate>,
    /// Text after the unit (schedule, route, remark), trimmed.
    pub note: Option<String>,
}

/// The expectation, in words, for messages.
pub const DOSE_UNIT_EXPECTED: &str = "a dose unit: amount (ng, ug, mg, g, U, IU, mL, Gy, cGy, cells), then optionally /kg or /m2, then optionally /d, /qod (every other day), /h or /min (e.g. mg/m2/d, mg/kg, mg/kg/qod, ug/kg/min, Gy), optionally followed by a note after a space or a comma";

fn amount(s: &str) -> Option<DoseAmount> {
    Some(match s.to_ascii_lowercase().as_str() {
        "ng" => DoseAmount::Ng,
        "ug" | "µg" | "μg" | "mcg" => DoseAmount::Ug,
        "mg" => DoseAmount::Mg,
        "g" => DoseAmount::G,
        "u" | "iu" | "units" => DoseAmount::Units,
        "ml" => DoseAmount::Ml,
        "gy" => DoseAmount::Gy,
        "cgy" => DoseAmount::CGy,
        "cells" => DoseAmount::Cells,
        _ => return None,
    })
}

fn basis(s: &str) -> Option<DoseBasis> {
    match s.to_ascii_lowercase().as_str() {
        "kg" => Some(DoseBasis::PerKg),
        "m2" | "m²" | "m^2" => Some(DoseBasis::PerM2),
        _ => None,
    }
}

fn rate(s: &str) -> Option<DoseRate> {
    match s.to_ascii_lowercase().as_str() {
        "d" | "day" => Some(DoseRate::PerDay),
        "h" | "hr" | "hour" => Some(DoseRate::PerHour),
        "min" => Some(DoseRate::PerMinute),
        "qod" | "eod" | "q48h" | "48h" | "2d" => Some(DoseRate::EveryOtherDay),
        _ => None,
    }
}

/// A dose unit text that is not one of the structured forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{unit}' is not {DOSE_UNIT_EXPECTED}")]
pub struct DoseUnitError {
    /// The unit part of the text (before any note).
    pub unit: String,
}

impl DoseUnit {
    /// Parses a unit text (see the module doc).
    pub fn parse(text: &str) -> Result<DoseUnit, DoseUnitError> {
        let t = text.trim();
        let end = t.find([' ', ',', '(']).unwrap_or(t.len());
        let (unit, rest) = t.split_at(end);
        let mut parts = unit.split('/');
        let bad = || DoseUnitError {
            unit: unit.to_string(),
        };
        let amount = parts.next().and_then(amount).ok_or_else(bad)?;
        let mut out = DoseUnit {
            amount,
            basis: None,
            rate: None,
            note: None,
        };
        for p in parts {
            if out.basis.is_none() && out.rate.is_none() && basis(p).is_some() {
                out.basis = basis(p);
            } else if out.rate.is_none() && rate(p).is_some() {
                out.rate = rate(p);
            } else {
                return Err(bad());
            }
        }
        let note = rest.trim_start_matches([',', ' ']).trim();
        out.note = (!note.is_empty()).then(|| note.to_string());
        Ok(out)
    }
}

impl fmt::Display for DoseUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = match self.amount {
            DoseAmount::Ng => "ng",
            DoseAmount::Ug => "ug",
            DoseAmount::Mg => "mg",
            DoseAmount::G => "g",
            DoseAmount::Units => "U",
            DoseAmount::Ml => "mL",
            DoseAmount::Gy => "Gy",
            DoseAmount::CGy => "cGy",
            DoseAmount::Cells => "cells",
        };
        f.write_str(a)?;
        match self.basis {
            Some(DoseBasis::PerKg) => f.write_str("/kg")?,
            Some(DoseBasis::PerM2) => f.write_str("/m2")?,
            None => {}
        }
        match self.rate {
            Some(DoseRate::PerDay) => f.write_str("/d")?,
            Some(DoseRate::PerHour) => f.write_str("/h")?,
            Some(DoseRate::PerMinute) => f.write_str("/min")?,
            Some(DoseRate::EveryOtherDay) => f.write_str("/qod")?,
            None => {}
        }
        if let Some(n) = &self.note {
            write!(f, " {n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_units_in_use() {
        for t in [
            "mg/m2/d",
            "mg/m2/d x3 (days -5 to -3)",
            "mg/kg/d, days -8 to -6",
            "mg/kg",
            "mg/kg once",
            "g/m2/d, days -5 to -4",
            "Gy",
            "ug/kg/min (max)",
            "U/min",
            "mg/kg/d (trough 150-250 ng/mL), tapered from day +60",
            "mg/d",
            "g/d",
            "ug/kg/d",
            "mg/m2 (short course)",
            "mg/m2, day -3",
            "mg/kg/qod",
            "mg/kg/eod, alternate days from day +200",
            "mg/q48h",
        ] {
            let u = DoseUnit::parse(t).unwrap_or_else(|e| panic!("{t}: {e}"));
            assert_eq!(DoseUnit::parse(&u.to_string()).unwrap(), u, "{t} → {u}");
        }
        for t in [
            "mg/kg/qod",
            "mg/kg/QOD",
            "mg/kg/eod",
            "mg/kg/q48h",
            "mg/kg/48h",
            "mg/kg/2d",
        ] {
            let u = DoseUnit::parse(t).unwrap_or_else(|e| panic!("{t}: {e}"));
            assert_eq!(u.rate, Some(DoseRate::EveryOtherDay), "{t}");
            assert_eq!(u.to_string(), "mg/kg/qod");
        }
        assert!(DoseUnit::parse("mg/kg/3d").is_err(), "only every other day");
        assert_eq!(DoseRate::EveryOtherDay.per_day(), 0.5);
        let u = DoseUnit::parse("mg/m2/d x3").unwrap();
        assert_eq!(
            (u.amount, u.basis, u.rate, u.note.as_deref()),
            (
                DoseAmount::Mg,
                Some(DoseBasis::PerM2),
                Some(DoseRate::PerDay),
                Some("x3")
            )
        );
    }

    #[test]
    fn rejects_free_text_and_malformed_units() {
        for t in [
            "lots",
            "mg/m3",
            "mg/d/kg",
            "kg",
            "",
            "30 mg",
            "mg/kg/kg",
            "per protocol",
        ] {
            assert!(DoseUnit::parse(t).is_err(), "{t}");
        }
    }
}
