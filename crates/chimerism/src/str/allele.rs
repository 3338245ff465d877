//! STR allele designations: whole and microvariant repeat numbers (`9.3`),
//! the Amelogenin `X`/`Y`, and off-ladder (`OL`) calls.

use std::fmt;

use serde::{Serialize, Serializer};

use super::locus::Locus;

/// One allele designation at a locus.
///
/// A repeat allele `n.p` has `n` full repeats and `p` extra bases
/// (`9.3` = 9 repeats + 3 bp); `p` is smaller than the repeat length.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Allele {
    /// A ladder allele: full repeats and partial-repeat bases.
    Repeat {
        /// Number of full repeat units.
        full: u16,
        /// Extra bases of an incomplete repeat (microvariant), 0 for whole alleles.
        partial: u8,
    },
    /// Amelogenin X.
    X,
    /// Amelogenin Y.
    Y,
    /// Off-ladder peak; the text is the designation as exported (e.g. `OL`).
    /// Kept so that its signal counts, but flagged.
    OffLadder(String),
}

/// Error for an allele text that is not valid at a locus.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not an allele of {locus}: {expected}")]
pub struct AlleleError {
    /// The text as given.
    pub value: String,
    /// The locus.
    pub locus: Locus,
    /// What was expected.
    pub expected: String,
}

impl Allele {
    /// Parses an allele designation at `locus`: `X`/`Y` at Amelogenin,
    /// `n` or `n.p` (p < repeat length) elsewhere, `OL…` anywhere.
    pub fn parse(text: &str, locus: Locus) -> Result<Allele, AlleleError> {
        let t = text.trim();
        let err = |expected: String| AlleleError {
            value: t.to_string(),
            locus,
            expected,
        };
        if Allele::is_off_ladder_text(t) {
            return Ok(Allele::OffLadder(t.to_string()));
        }
        let Some(rl) = locus.repeat_len() else {
            return match t.to_ascii_uppercase().as_str() {
                "X" => Ok(Allele::X),
                "Y" => Ok(Allele::Y),
                _ => Err(err("X, Y or OL at Amelogenin".into())),
            };
        };
        let expected = || {
            format!("a repeat number like 12 or a microvariant like 9.3 (partial < {rl}), or OL")
        };
        let (whole, part) = match t.split_once('.') {
            Some((w, p)) => (w, Some(p)),
            None => (t, None),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 3 {
            return Err(err(expected()));
        }
        let full: u16 = whole.parse().map_err(|_| err(expected()))?;
        let partial: u8 = match part {
            None => 0,
            Some(p) if p.len() == 1 && p.as_bytes()[0].is_ascii_digit() => p.as_bytes()[0] - b'0',
            Some(_) => return Err(err(expected())),
        };
        if partial >= rl {
            return Err(err(expected()));
        }
        Ok(Allele::Repeat { full, partial })
    }

    /// True for the designations analysis software writes for a peak outside
    /// every bin: `OL…` (GeneMapper, OSIRIS), `?` (GeneMarker), `OMR` (outside
    /// marker range), `off-ladder`.
    pub fn is_off_ladder_text(text: &str) -> bool {
        let u = text.trim().to_ascii_uppercase();
        u.starts_with("OL") || u.starts_with("OFF") || u == "?" || u == "OMR"
    }

    /// The allele `n` repeat units shorter (`n` = 2: double back-stutter), if any.
    pub fn minus(&self, n: u16) -> Option<Allele> {
        match self {
            Allele::Repeat { full, partial } if *full >= n => Some(Allele::Repeat {
                full: full - n,
                partial: *partial,
            }),
            _ => None,
        }
    }

    /// The allele one repeat unit shorter (the back-stutter position), if any.
    pub fn minus_one(&self) -> Option<Allele> {
        match self {
            Allele::Repeat { full, partial } if *full > 0 => Some(Allele::Repeat {
                full: full - 1,
                partial: *partial,
            }),
            _ => None,
        }
    }

    /// The allele one repeat unit longer (the forward-stutter position), if any.
    pub fn plus_one(&self) -> Option<Allele> {
        match self {
            Allele::Repeat { full, partial } => Some(Allele::Repeat {
                full: full + 1,
                partial: *partial,
            }),
            _ => None,
        }
    }

    /// Length in bp relative to the zero-repeat allele (`None` for X/Y/OL).
    pub fn length_bp(&self, locus: Locus) -> Option<f64> {
        match (self, locus.repeat_len()) {
            (Allele::Repeat { full, partial }, Some(rl)) => {
                Some(f64::from(*full) * f64::from(rl) + f64::from(*partial))
            }
            _ => None,
        }
    }

    /// True for an off-ladder call.
    pub fn is_off_ladder(&self) -> bool {
        matches!(self, Allele::OffLadder(_))
    }
}

impl fmt::Display for Allele {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allele::Repeat { full, partial: 0 } => write!(f, "{full}"),
            Allele::Repeat { full, partial } => write!(f, "{full}.{partial}"),
            Allele::X => f.write_str("X"),
            Allele::Y => f.write_str("Y"),
            Allele::OffLadder(s) => f.write_str(s),
        }
    }
}

impl Serialize for Allele {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_whole_microvariant_and_sex_alleles() {
        assert_eq!(
            Allele::parse("12", Locus::Fga),
            Ok(Allele::Repeat {
                full: 12,
                partial: 0
            })
        );
        assert_eq!(
            Allele::parse("9.3", Locus::Th01),
            Ok(Allele::Repeat {
                full: 9,
                partial: 3
            })
        );
        assert_eq!(Allele::parse(" x ", Locus::Amelogenin), Ok(Allele::X));
        assert_eq!(Allele::parse("Y", Locus::Amelogenin), Ok(Allele::Y));
        assert_eq!(
            Allele::parse("OL", Locus::Vwa),
            Ok(Allele::OffLadder("OL".into()))
        );
        assert_eq!(
            Allele::parse("9.3", Locus::Th01).unwrap().to_string(),
            "9.3"
        );
    }

    #[test]
    fn partial_must_be_below_repeat_length() {
        // D22S1045 is a trinucleotide: .2 is valid, .3 is not.
        assert!(Allele::parse("15.2", Locus::D22s1045).is_ok());
        assert!(Allele::parse("15.3", Locus::D22s1045).is_err());
        // Penta E (5 bp): .4 valid.
        assert!(Allele::parse("7.4", Locus::PentaE).is_ok());
        assert!(Allele::parse("7.4", Locus::Fga).is_err());
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "abc", "12.", "1.23", "-3", "X"] {
            let e = Allele::parse(bad, Locus::Fga).unwrap_err();
            assert!(e.to_string().contains("FGA"));
        }
        assert!(Allele::parse("12", Locus::Amelogenin).is_err());
    }

    #[test]
    fn stutter_positions_keep_the_partial() {
        let a = Allele::parse("9.3", Locus::Th01).unwrap();
        assert_eq!(a.minus_one().unwrap().to_string(), "8.3");
        assert_eq!(a.plus_one().unwrap().to_string(), "10.3");
        assert_eq!(Allele::X.minus_one(), None);
    }
}
