//! Cell lineages on which chimerism is measured.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The cell fraction a chimerism sample was measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lineage {
    /// Unsorted peripheral blood.
    WholeBlood,
    /// CD3+ T cells (lymphoid).
    Cd3,
    /// CD33+/CD15+/CD66+ myeloid cells (granulocytes).
    Myeloid,
    /// CD19+ B cells.
    Cd19,
    /// CD56+ NK cells.
    Cd56,
    /// CD34+ progenitor cells.
    Cd34,
    /// Bone marrow aspirate.
    Marrow,
}

impl Lineage {
    /// Every lineage, in display order.
    pub const ALL: [Lineage; 7] = [
        Lineage::WholeBlood,
        Lineage::Cd3,
        Lineage::Myeloid,
        Lineage::Cd19,
        Lineage::Cd56,
        Lineage::Cd34,
        Lineage::Marrow,
    ];

    /// The canonical snake_case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Lineage::WholeBlood => "whole_blood",
            Lineage::Cd3 => "cd3",
            Lineage::Myeloid => "myeloid",
            Lineage::Cd19 => "cd19",
            Lineage::Cd56 => "cd56",
            Lineage::Cd34 => "cd34",
            Lineage::Marrow => "marrow",
        }
    }

    /// The lineage in clinical words, as a physician reads it (`whole
    /// blood`, `T cells (CD3+)`): the one table of lineage words for tables,
    /// explanations, the ward, report panels and chimerism pages.
    pub fn label(self) -> &'static str {
        match self {
            Lineage::WholeBlood => "whole blood",
            Lineage::Cd3 => "T cells (CD3+)",
            Lineage::Myeloid => "myeloid cells (CD33+)",
            Lineage::Cd19 => "B cells (CD19+)",
            Lineage::Cd56 => "NK cells (CD56+)",
            Lineage::Cd34 => "CD34+ cells",
            Lineage::Marrow => "bone marrow",
        }
    }

    /// True for lineages counted as lymphoid for the "full donor in both
    /// myeloid and lymphoid lineages" rule.
    pub fn is_lymphoid(self) -> bool {
        matches!(self, Lineage::Cd3 | Lineage::Cd19 | Lineage::Cd56)
    }

    /// True for lineages counted as myeloid.
    pub fn is_myeloid(self) -> bool {
        matches!(self, Lineage::Myeloid | Lineage::Cd34)
    }
}

impl fmt::Display for Lineage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown lineage name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown lineage '{0}'; expected one of whole_blood, cd3, myeloid (cd33/cd15/cd66/granulocytes), cd19, cd56, cd34, marrow"
)]
pub struct LineageError(pub String);

impl FromStr for Lineage {
    type Err = LineageError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let k = s.trim().to_ascii_lowercase().replace(['-', ' ', '+'], "_");
        Ok(match k.trim_matches('_') {
            "whole_blood" | "wb" | "pb" | "blood" | "peripheral_blood" => Lineage::WholeBlood,
            "cd3" | "t" | "t_cells" => Lineage::Cd3,
            "myeloid" | "cd33" | "cd15" | "cd66" | "cd66b" | "granulocytes" | "cd33_cd15_cd66" => {
                Lineage::Myeloid
            }
            "cd19" | "b" | "b_cells" => Lineage::Cd19,
            "cd56" | "nk" => Lineage::Cd56,
            "cd34" => Lineage::Cd34,
            "marrow" | "bm" | "bone_marrow" => Lineage::Marrow,
            _ => return Err(LineageError(s.to_string())),
        })
    }
}
