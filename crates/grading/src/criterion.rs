//! The criteria the engine can run, as selected with `--only`.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A criterion family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Acute GVHD (MAGIC), per day.
    Agvhd,
    /// Chronic GVHD (NIH 2014).
    Cgvhd,
    /// Cytokine release syndrome (ASTCT).
    Crs,
    /// ICANS (ASTCT).
    Icans,
    /// ICAHT (EHA/EBMT) and its platelet companion.
    Icaht,
    /// CAR-HEMATOTOX.
    Hematotox,
    /// Neutrophil and platelet engraftment.
    Engraftment,
    /// Primary and secondary graft failure.
    GraftFailure,
    /// Chimerism state.
    Chimerism,
    /// ELN 2022 response, relapse, MRD.
    Eln,
    /// Risk scores (HCT-CI, DRI, EBMT, ELN genetic risk).
    Risk,
}

impl Criterion {
    /// Every criterion, in output order.
    pub const ALL: [Criterion; 11] = [
        Criterion::Engraftment,
        Criterion::GraftFailure,
        Criterion::Chimerism,
        Criterion::Agvhd,
        Criterion::Cgvhd,
        Criterion::Crs,
        Criterion::Icans,
        Criterion::Icaht,
        Criterion::Hematotox,
        Criterion::Eln,
        Criterion::Risk,
    ];

    /// The criterion as a clinician names it (the `grade` table's
    /// criterion column).
    pub fn label(self) -> &'static str {
        match self {
            Criterion::Agvhd => "acute GVHD",
            Criterion::Cgvhd => "chronic GVHD",
            Criterion::Crs => "CRS",
            Criterion::Icans => "ICANS",
            Criterion::Icaht => "ICAHT",
            Criterion::Hematotox => "CAR-HEMATOTOX",
            Criterion::Engraftment => "engraftment",
            Criterion::GraftFailure => "graft failure",
            Criterion::Chimerism => "chimerism",
            Criterion::Eln => "ELN 2022",
            Criterion::Risk => "risk scores",
        }
    }

    /// The `--only` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Criterion::Agvhd => "agvhd",
            Criterion::Cgvhd => "cgvhd",
            Criterion::Crs => "crs",
            Criterion::Icans => "icans",
            Criterion::Icaht => "icaht",
            Criterion::Hematotox => "hematotox",
            Criterion::Engraftment => "engraftment",
            Criterion::GraftFailure => "graft_failure",
            Criterion::Chimerism => "chimerism",
            Criterion::Eln => "eln",
            Criterion::Risk => "risk",
        }
    }

    /// Parses a comma-separated `--only` list; an unknown name is an error
    /// naming it and listing the accepted names.
    pub fn parse_list(s: &str) -> Result<Vec<Criterion>, UnknownCriterion> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let c: Criterion = part.parse()?;
            if !out.contains(&c) {
                out.push(c);
            }
        }
        if out.is_empty() {
            return Err(UnknownCriterion(s.to_string()));
        }
        out.sort();
        Ok(out)
    }
}

impl fmt::Display for Criterion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a criterion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown criterion '{0}'; expected a comma-separated list of: agvhd, cgvhd, crs, icans, icaht, hematotox, engraftment, graft_failure, chimerism, eln, risk"
)]
pub struct UnknownCriterion(pub String);

impl FromStr for Criterion {
    type Err = UnknownCriterion;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let k = s.trim().to_ascii_lowercase().replace('-', "_");
        Criterion::ALL
            .into_iter()
            .find(|c| c.as_str() == k)
            .ok_or_else(|| UnknownCriterion(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists() {
        assert_eq!(
            Criterion::parse_list("crs, agvhd,crs").expect("list"),
            vec![Criterion::Agvhd, Criterion::Crs]
        );
        assert_eq!(
            Criterion::parse_list("graft-failure").expect("list"),
            vec![Criterion::GraftFailure]
        );
        let e = Criterion::parse_list("agvhd,gvhd").expect_err("unknown");
        assert!(e.to_string().contains("'gvhd'"));
        assert!(Criterion::parse_list(" , ").is_err());
    }
}
