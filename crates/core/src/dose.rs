//! Cell doses per kilogram of recipient body weight.

use serde::{Deserialize, Serialize};

/// A cell dose per kg of the recipient's body weight, in cells/kg (a CD34+
/// dose of 2.5 × 10⁶/kg is `CellsPerKg::new(2.5e6)`), as graft and DLI
/// records give it. Not × 10⁶/kg or × 10⁸/kg: those are converted when read.
///
/// Serialised as the bare number, so course files and outputs read as
/// before; a course's range checks (limits table) stay in its validation,
/// which names the field.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CellsPerKg(f64);

impl CellsPerKg {
    /// A dose in cells/kg.
    pub fn new(cells_per_kg: f64) -> CellsPerKg {
        CellsPerKg(cells_per_kg)
    }
    /// The dose in cells/kg.
    pub fn get(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_the_bare_number() {
        let d = CellsPerKg::new(2.5e6);
        assert_eq!(serde_json::to_string(&d).unwrap(), "2500000.0");
        assert_eq!(serde_json::from_str::<CellsPerKg>("2.5e6").unwrap(), d);
        assert_eq!(d.get(), 2.5e6);
    }
}
