//! Measurement units and laboratory analytes with explicit conversions.
//!
//! Every numeric observation in graftwatch carries a unit. Readers convert to
//! the analyte's canonical unit on input, so the engine only ever compares
//! like with like:
//!
//! | analyte | canonical | also accepted |
//! |---|---|---|
//! | ANC, WBC, lymphocytes, monocytes, platelets | ×10⁹/L (`10^9/L`) | `/uL` (÷1000), `10^3/uL`, `K/uL`, `G/L` |
//! | haemoglobin | g/dL | g/L (÷10), mmol/L (×1.611) |
//! | bilirubin | mg/dL | µmol/L (÷17.1) |
//! | creatinine | mg/dL | µmol/L (÷88.4) |
//! | CRP | mg/dL | mg/L (÷10) |
//! | ferritin | ng/mL | µg/L (×1) |
//! | ALT, AST, ALP, LDH | U/L | – |
//! | albumin | g/dL | g/L (÷10) |
//! | peripheral blasts | % of leukocytes | – |
//!
//! Spelling: `µ` (micro sign, U+00B5), `μ` (Greek mu, U+03BC) and `u` are
//! the same (`K/µL` = `K/μL` = `K/uL`, `/µL` = `/uL`). Case is ignored
//! except where it carries meaning: `g/L` and `g/l` are grams per litre, `G/L`
//! and `G/l` are 10⁹ cells per litre (SI: lowercase g = gram, uppercase G =
//! giga).
//!
//! The bilirubin factor 17.1 µmol/L per mg/dL is the one the clinical
//! reference prescribes; creatinine 88.4; haemoglobin 1 mmol/L
//! (monomer) = 1.611 g/dL.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An unknown unit, or a unit that does not fit the quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// The unit text is not recognised at all.
    #[error("unknown unit '{given}'; accepted units: {accepted}")]
    Unknown {
        /// What was given.
        given: String,
        /// Comma-separated list of accepted spellings.
        accepted: String,
    },
    /// A recognised unit that cannot express this quantity.
    #[error("unit '{given}' does not fit {quantity}; accepted: {accepted}")]
    Mismatch {
        /// What was given.
        given: String,
        /// The quantity (analyte or observation kind).
        quantity: String,
        /// Comma-separated canonical spellings accepted for it.
        accepted: String,
    },
}

macro_rules! units {
    ($( $(#[$doc:meta])* $v:ident => $canon:literal [$($alias:literal),*] ),* $(,)?) => {
        /// A unit of measurement. Parsed case-insensitively from common
        /// spellings (including UCUM codes and the µ sign).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Unit { $( $(#[$doc])* $v ),* }

        impl Unit {
            /// Every unit.
            pub const ALL: &'static [Unit] = &[$(Unit::$v),*];

            /// Canonical spelling used when writing files.
            pub fn as_str(self) -> &'static str {
                match self { $(Unit::$v => $canon),* }
            }

            fn aliases(self) -> &'static [&'static str] {
                match self { $(Unit::$v => &[$canon, $($alias),*]),* }
            }
        }
    };
}

units! {
    /// ×10⁹ cells per litre (= ×10³/µL).
    Per1e9L => "10^9/L" ["x10^9/L", "×10^9/L", "×10⁹/L", "10*9/L", "G/L", "10^3/uL", "10*3/uL", "x10^3/uL", "K/uL", "k/ul", "thou/uL"],
    /// Cells per microlitre.
    PerMicroL => "/uL" ["/µL", "cells/uL", "cells/µL", "/mm3", "/mm^3", "{cells}/uL"],
    /// Milligrams per decilitre.
    MgPerDl => "mg/dL" [],
    /// Micromoles per litre.
    MicromolPerL => "umol/L" ["µmol/L", "μmol/L", "micromol/L"],
    /// Milligrams per litre.
    MgPerL => "mg/L" [],
    /// Grams per decilitre.
    GPerDl => "g/dL" [],
    /// Grams per litre.
    GPerL => "g/L" [],
    /// Millimoles per litre.
    MmolPerL => "mmol/L" [],
    /// Nanograms per millilitre.
    NgPerMl => "ng/mL" [],
    /// Micrograms per litre.
    MicrogPerL => "ug/L" ["µg/L", "μg/L"],
    /// Picograms per millilitre.
    PgPerMl => "pg/mL" [],
    /// Enzyme units per litre.
    UPerL => "U/L" ["IU/L", "[IU]/L"],
    /// Percent.
    Percent => "%" ["percent", "pct"],
    /// Degrees Celsius.
    Celsius => "Cel" ["°C", "C", "degC", "celsius"],
    /// Degrees Fahrenheit.
    Fahrenheit => "[degF]" ["°F", "F", "degF", "fahrenheit"],
    /// Millimetres of mercury.
    MmHg => "mm[Hg]" ["mmHg"],
    /// Millilitres (per day where the quantity is daily).
    Ml => "mL" ["ml", "mL/d", "mL/day"],
    /// Millilitres per kilogram (per day where the quantity is daily).
    MlPerKg => "mL/kg" ["mL/kg/d", "mL/kg/day"],
    /// Litres per minute (oxygen flow).
    LPerMin => "L/min" ["l/min", "lpm"],
    /// Cells per kilogram of recipient body weight.
    PerKg => "/kg" ["cells/kg", "{cells}/kg"],
    /// A dimensionless count or score.
    Count => "1" ["count", "score", "{count}", "{episodes}/d", "episodes", "episodes/day", "points"],
    /// Kilograms.
    Kg => "kg" [],
    /// Centimetres.
    Cm => "cm" [],
    /// A dimensionless ratio (e.g. qPCR transcript ratio, given as a fraction).
    Ratio => "ratio" ["{ratio}"],
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Unit {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Exact spelling first: `g/L` (grams) and `G/L` (giga-cells) differ
        // only in case. One hash lookup (a course file has a unit on almost
        // every one of its observations); the micro sign is folded only
        // when the text has one.
        let trimmed = s.trim();
        let t = if trimmed.is_ascii() {
            std::borrow::Cow::Borrowed(trimmed)
        } else {
            std::borrow::Cow::Owned(fold_micro(trimmed))
        };
        if let Some(u) = exact_spellings().get(t.as_ref()) {
            return Ok(*u);
        }
        // Then ignoring case; when that is ambiguous (`g/l`: grams or
        // giga-cells?), the case of the first letter decides, as in SI:
        // lowercase `g` is the gram, uppercase `G` the giga prefix.
        let matches: Vec<(Unit, &str)> = Unit::ALL
            .iter()
            .flat_map(|u| u.aliases().iter().map(move |a| (*u, *a)))
            .filter(|(_, a)| fold_micro(a).eq_ignore_ascii_case(&t))
            .collect();
        let first = t.chars().next();
        let pick = matches
            .iter()
            .find(|(_, a)| a.chars().next() == first)
            .or(matches.first());
        if let Some((u, _)) = pick {
            return Ok(*u);
        }
        Err(UnitError::Unknown {
            given: s.to_string(),
            accepted: Unit::ALL
                .iter()
                .map(|u| u.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// Every alias with the micro sign folded, to the first unit (in
/// [`Unit::ALL`] order) that has it: the exact-spelling step of parsing.
fn exact_spellings() -> &'static crate::names::NameMap<String, Unit> {
    static MAP: std::sync::OnceLock<crate::names::NameMap<String, Unit>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = crate::names::NameMap::default();
        for u in Unit::ALL {
            for a in u.aliases() {
                m.entry(fold_micro(a)).or_insert(*u);
            }
        }
        m
    })
}

/// The micro sign (U+00B5) and the Greek small mu (U+03BC) both read as `u`
/// (UCUM's spelling), so `K/µL`, `K/μL` and `K/uL` are one unit.
fn fold_micro(s: &str) -> String {
    s.replace(['\u{b5}', '\u{3bc}'], "u")
}

impl Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::de::from_str_with(d, str::parse::<Unit>)
    }
}

impl Unit {
    /// The symbol a clinician reads (`×10⁹/L`, `/µL`, `µmol/L`, `°C`,
    /// `mmHg`): every reason, evidence line and message that shows a value
    /// with its unit uses it. The UCUM-style code of [`Unit::as_str`]
    /// stays the spelling written to files. Empty for a dimensionless
    /// count.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Per1e9L => "×10⁹/L",
            Unit::PerMicroL => "/µL",
            Unit::MicromolPerL => "µmol/L",
            Unit::MicrogPerL => "µg/L",
            Unit::Celsius => "°C",
            Unit::Fahrenheit => "°F",
            Unit::MmHg => "mmHg",
            Unit::Count => "",
            u => u.as_str(),
        }
    }

    /// A value with its unit symbol, for messages: `101.5 °F`, `3` for a
    /// count.
    pub fn with_value(self, value: impl fmt::Display) -> String {
        match self.label() {
            "" => value.to_string(),
            l if l.starts_with('%') => format!("{value}{l}"),
            l => format!("{value} {l}"),
        }
    }

    /// The units accepted for a quantity, as a message lists them: the
    /// symbol, with the file spelling in parentheses where it differs
    /// (`°C (Cel), °F ([degF])`, `×10⁹/L (10^9/L), /µL (/uL)`, `a count (1)`).
    pub fn accepted_text(units: &[Unit]) -> String {
        units
            .iter()
            .map(|u| match u.label() {
                "" => format!("a count ({})", u.as_str()),
                l if l == u.as_str() => l.to_string(),
                l => format!("{l} ({})", u.as_str()),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Unit {
    /// Converts a value in `self` to `target` for quantities whose conversion
    /// does not depend on the analyte (temperature, identical units).
    pub fn convert_plain(self, value: f64, target: Unit, quantity: &str) -> Result<f64, UnitError> {
        match (self, target) {
            (a, b) if a == b => Ok(value),
            (Unit::Fahrenheit, Unit::Celsius) => Ok((value - 32.0) * 5.0 / 9.0),
            (Unit::Celsius, Unit::Fahrenheit) => Ok(value * 9.0 / 5.0 + 32.0),
            (Unit::NgPerMl, Unit::MicrogPerL) | (Unit::MicrogPerL, Unit::NgPerMl) => Ok(value),
            (Unit::NgPerMl, Unit::PgPerMl) => Ok(value * 1000.0),
            (Unit::PgPerMl, Unit::NgPerMl) => Ok(value / 1000.0),
            _ => Err(UnitError::Mismatch {
                given: Unit::accepted_text(&[self]),
                quantity: quantity.into(),
                accepted: Unit::accepted_text(&[target]),
            }),
        }
    }
}

/// A laboratory analyte with a canonical unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Analyte {
    /// Absolute neutrophil count (LOINC 751-8 automated, 753-4 manual).
    Anc,
    /// White blood cells (LOINC 6690-2).
    Wbc,
    /// Absolute lymphocyte count.
    Alc,
    /// Absolute monocyte count.
    Monocytes,
    /// Platelets (LOINC 777-3).
    Platelets,
    /// Haemoglobin (LOINC 718-7).
    Hemoglobin,
    /// Blasts in peripheral blood, % of leukocytes.
    PbBlasts,
    /// Total bilirubin (LOINC 1975-2).
    Bilirubin,
    /// Alanine aminotransferase.
    Alt,
    /// Aspartate aminotransferase.
    Ast,
    /// Alkaline phosphatase.
    Alp,
    /// Lactate dehydrogenase.
    Ldh,
    /// Serum creatinine.
    Creatinine,
    /// C-reactive protein.
    Crp,
    /// Ferritin.
    Ferritin,
    /// Albumin.
    Albumin,
}

impl Analyte {
    /// Every analyte.
    pub const ALL: [Analyte; 16] = [
        Analyte::Anc,
        Analyte::Wbc,
        Analyte::Alc,
        Analyte::Monocytes,
        Analyte::Platelets,
        Analyte::Hemoglobin,
        Analyte::PbBlasts,
        Analyte::Bilirubin,
        Analyte::Alt,
        Analyte::Ast,
        Analyte::Alp,
        Analyte::Ldh,
        Analyte::Creatinine,
        Analyte::Crp,
        Analyte::Ferritin,
        Analyte::Albumin,
    ];

    /// snake_case name as used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Analyte::Anc => "anc",
            Analyte::Wbc => "wbc",
            Analyte::Alc => "alc",
            Analyte::Monocytes => "monocytes",
            Analyte::Platelets => "platelets",
            Analyte::Hemoglobin => "hemoglobin",
            Analyte::PbBlasts => "pb_blasts",
            Analyte::Bilirubin => "bilirubin",
            Analyte::Alt => "alt",
            Analyte::Ast => "ast",
            Analyte::Alp => "alp",
            Analyte::Ldh => "ldh",
            Analyte::Creatinine => "creatinine",
            Analyte::Crp => "crp",
            Analyte::Ferritin => "ferritin",
            Analyte::Albumin => "albumin",
        }
    }

    /// Parses the snake_case name (and `hb`, `plt`, `neutrophils`, `tbili`).
    pub fn parse(s: &str) -> Option<Analyte> {
        let k = s.trim().to_ascii_lowercase();
        let alias = match k.as_str() {
            "neutrophils" => "anc",
            "plt" => "platelets",
            "hb" | "hgb" => "hemoglobin",
            "tbili" | "total_bilirubin" => "bilirubin",
            "lymphocytes" => "alc",
            other => other,
        };
        Analyte::ALL.into_iter().find(|a| a.as_str() == alias)
    }

    /// The unit values are stored in after conversion.
    pub fn canonical_unit(self) -> Unit {
        match self {
            Analyte::Anc
            | Analyte::Wbc
            | Analyte::Alc
            | Analyte::Monocytes
            | Analyte::Platelets => Unit::Per1e9L,
            Analyte::Hemoglobin | Analyte::Albumin => Unit::GPerDl,
            Analyte::PbBlasts => Unit::Percent,
            Analyte::Bilirubin | Analyte::Creatinine | Analyte::Crp => Unit::MgPerDl,
            Analyte::Alt | Analyte::Ast | Analyte::Alp | Analyte::Ldh => Unit::UPerL,
            Analyte::Ferritin => Unit::NgPerMl,
        }
    }

    /// Units accepted on input for this analyte.
    pub fn accepted_units(self) -> &'static [Unit] {
        match self {
            Analyte::Anc
            | Analyte::Wbc
            | Analyte::Alc
            | Analyte::Monocytes
            | Analyte::Platelets => &[Unit::Per1e9L, Unit::PerMicroL],
            Analyte::Hemoglobin => &[Unit::GPerDl, Unit::GPerL, Unit::MmolPerL],
            Analyte::Albumin => &[Unit::GPerDl, Unit::GPerL],
            Analyte::PbBlasts => &[Unit::Percent],
            Analyte::Bilirubin | Analyte::Creatinine => &[Unit::MgPerDl, Unit::MicromolPerL],
            Analyte::Crp => &[Unit::MgPerDl, Unit::MgPerL],
            Analyte::Alt | Analyte::Ast | Analyte::Alp | Analyte::Ldh => &[Unit::UPerL],
            Analyte::Ferritin => &[Unit::NgPerMl, Unit::MicrogPerL],
        }
    }

    /// Converts `value` given in `unit` to the canonical unit.
    pub fn to_canonical(self, value: f64, unit: Unit) -> Result<f64, UnitError> {
        let v = match (self, unit) {
            (_, u) if u == self.canonical_unit() => value,
            (
                Analyte::Anc
                | Analyte::Wbc
                | Analyte::Alc
                | Analyte::Monocytes
                | Analyte::Platelets,
                Unit::PerMicroL,
            ) => value / 1000.0,
            (Analyte::Hemoglobin | Analyte::Albumin, Unit::GPerL) => value / 10.0,
            (Analyte::Hemoglobin, Unit::MmolPerL) => value * 1.611,
            (Analyte::Bilirubin, Unit::MicromolPerL) => value / 17.1,
            (Analyte::Creatinine, Unit::MicromolPerL) => value / 88.4,
            (Analyte::Crp, Unit::MgPerL) => value / 10.0,
            (Analyte::Ferritin, Unit::MicrogPerL) => value,
            _ => {
                return Err(UnitError::Mismatch {
                    given: Unit::accepted_text(&[unit]),
                    quantity: self.as_str().into(),
                    accepted: Unit::accepted_text(self.accepted_units()),
                });
            }
        };
        Ok(v)
    }

    /// A value above which the result is implausible (a warning, not an error),
    /// in the canonical unit, from the one limits table
    /// ([`crate::limits::OBSERVATION_LIMITS`], which has a row per analyte).
    pub fn implausible_above(self) -> f64 {
        crate::limits::observation_limit(self.as_str()).map_or(f64::INFINITY, |l| l.warn_above)
    }
}

impl fmt::Display for Analyte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn parse_aliases() {
        assert_eq!("µmol/L".parse::<Unit>().unwrap(), Unit::MicromolPerL);
        assert_eq!("x10^9/l".parse::<Unit>().unwrap(), Unit::Per1e9L);
        assert_eq!("cells/µL".parse::<Unit>().unwrap(), Unit::PerMicroL);
        assert_eq!("°C".parse::<Unit>().unwrap(), Unit::Celsius);
        // Case matters where it changes the meaning: grams vs giga-cells.
        assert_eq!("g/L".parse::<Unit>().unwrap(), Unit::GPerL);
        assert_eq!("G/L".parse::<Unit>().unwrap(), Unit::Per1e9L);
        let e = "furlongs".parse::<Unit>().unwrap_err().to_string();
        assert!(e.contains("furlongs") && e.contains("mg/dL"), "{e}");
    }

    /// Issue 15: lowercase `g/l` is grams (not folded to `G/L` = 10⁹/L);
    /// `K/µL` with the micro sign and the Greek mu; `/µL`; no stray
    /// `g/l:cells`.
    #[test]
    fn case_and_micro_spellings() {
        for g in ["g/L", "g/l", "G/l".to_lowercase().as_str(), " g/l "] {
            assert_eq!(g.parse::<Unit>().unwrap(), Unit::GPerL, "{g}");
        }
        for giga in ["G/L", "G/l"] {
            assert_eq!(giga.parse::<Unit>().unwrap(), Unit::Per1e9L, "{giga}");
        }
        for k in [
            "K/uL",
            "K/\u{b5}L",
            "K/\u{3bc}L",
            "k/\u{b5}l",
            "10^3/\u{3bc}L",
        ] {
            assert_eq!(k.parse::<Unit>().unwrap(), Unit::Per1e9L, "{k}");
        }
        for p in ["/uL", "/\u{b5}L", "/\u{3bc}L", "cells/\u{3bc}L"] {
            assert_eq!(p.parse::<Unit>().unwrap(), Unit::PerMicroL, "{p}");
        }
        assert_eq!("\u{3bc}mol/L".parse::<Unit>().unwrap(), Unit::MicromolPerL);
        assert_eq!("mmol/L".parse::<Unit>().unwrap(), Unit::MmolPerL);
        assert_eq!("g/dl".parse::<Unit>().unwrap(), Unit::GPerDl);
        assert!("g/l:cells".parse::<Unit>().is_err());
    }

    /// Haemoglobin in g/L (any case), g/dL and mmol/L all reach g/dL.
    #[test]
    fn haemoglobin_units() {
        let hb = |v: f64, u: &str| {
            Analyte::Hemoglobin
                .to_canonical(v, u.parse::<Unit>().unwrap())
                .unwrap()
        };
        assert!(close(hb(95.0, "g/l"), 9.5));
        assert!(close(hb(95.0, "g/L"), 9.5));
        assert!(close(hb(9.5, "g/dL"), 9.5));
        assert!(close(hb(6.0, "mmol/L"), 9.666));
        let e = Analyte::Hemoglobin
            .to_canonical(9.5, "G/L".parse::<Unit>().unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("g/dL"), "{e}");
    }

    #[test]
    fn conversions() {
        assert!(close(
            Analyte::Bilirubin
                .to_canonical(34.2, Unit::MicromolPerL)
                .unwrap(),
            2.0
        ));
        assert!(close(
            Analyte::Anc.to_canonical(500.0, Unit::PerMicroL).unwrap(),
            0.5
        ));
        assert!(close(
            Analyte::Crp.to_canonical(30.0, Unit::MgPerL).unwrap(),
            3.0
        ));
        assert!(close(
            Analyte::Hemoglobin.to_canonical(90.0, Unit::GPerL).unwrap(),
            9.0
        ));
        assert!(close(
            Analyte::Creatinine
                .to_canonical(176.8, Unit::MicromolPerL)
                .unwrap(),
            2.0
        ));
        assert!(close(
            Analyte::Ferritin
                .to_canonical(650.0, Unit::MicrogPerL)
                .unwrap(),
            650.0
        ));
        assert!(close(
            Unit::Fahrenheit
                .convert_plain(100.4, Unit::Celsius, "t")
                .unwrap(),
            38.0
        ));
    }

    #[test]
    fn mismatch_lists_accepted() {
        let e = Analyte::Bilirubin
            .to_canonical(1.0, Unit::GPerL)
            .unwrap_err()
            .to_string();
        assert!(e.contains("mg/dL") && e.contains("umol/L"), "{e}");
        assert!(Analyte::Anc.to_canonical(1.0, Unit::MgPerDl).is_err());
    }

    #[test]
    fn analyte_names_roundtrip() {
        for a in Analyte::ALL {
            assert_eq!(Analyte::parse(a.as_str()), Some(a));
            assert!(a.accepted_units().contains(&a.canonical_unit()));
        }
    }
}
