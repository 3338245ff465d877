//! STR kits as data: the loci of a kit, its default stutter ratios (back
//! n−1, forward n+1, double-back n−2) and its saturation limit, in a JSON
//! file a lab can copy and edit (`crates/chimerism/kits/*.json`; built-in:
//! GlobalFiler, PowerPlex Fusion 6C, Identifiler Plus, PowerPlex 16 HS,
//! Mentype Chimera, and `generic`).
//!
//! Kit stutter ratios are used only at loci where the reference profiles
//! show no stutter (stutter-filtered exports, genotype tables); ratios
//! measured on the references always win.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::locus::Locus;

/// Default stutter ratios of one locus.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KitStutter {
    /// Back-stutter (n−1) / parent.
    pub back: f64,
    /// Forward stutter (n+1) / parent.
    pub forward: f64,
    /// Double back-stutter (n−2) / parent.
    pub double_back: f64,
}

/// A kit definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kit {
    /// Short name (`globalfiler`).
    pub name: String,
    /// Full name.
    pub title: String,
    /// Peaks at or above this height (RFU) are saturated.
    pub saturation_rfu: f64,
    /// Where the values come from.
    pub source: String,
    /// Ratios for loci not listed.
    pub default: KitStutter,
    /// Ratios per marker name (any spelling `Locus` accepts).
    pub loci: BTreeMap<String, KitStutter>,
}

/// Why a kit cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KitError {
    /// Not a built-in kit name.
    #[error("unknown kit '{0}'; expected one of {known} or a kit file (.json)", known = BUILT_IN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))]
    Unknown(String),
    /// The JSON does not describe a kit.
    #[error("not a kit definition: {0}")]
    Invalid(String),
}

const BUILT_IN: &[(&str, &str)] = &[
    ("globalfiler", include_str!("../../kits/globalfiler.json")),
    ("fusion6c", include_str!("../../kits/fusion6c.json")),
    (
        "identifiler_plus",
        include_str!("../../kits/identifiler_plus.json"),
    ),
    (
        "powerplex16hs",
        include_str!("../../kits/powerplex16hs.json"),
    ),
    (
        "mentype_chimera",
        include_str!("../../kits/mentype_chimera.json"),
    ),
    ("generic", include_str!("../../kits/generic.json")),
];

impl Kit {
    /// A built-in kit by name (case-insensitive; `-`, `_`, spaces ignored).
    pub fn built_in(name: &str) -> Result<Kit, KitError> {
        let key = |s: &str| {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase()
        };
        let want = key(name);
        BUILT_IN
            .iter()
            .find(|(n, _)| key(n) == want)
            .map(|(_, text)| Kit::from_json(text).expect("built-in kits are valid"))
            .ok_or_else(|| KitError::Unknown(name.to_string()))
    }

    /// The generic defaults used when no kit is named.
    pub fn generic() -> Kit {
        Kit::built_in("generic").expect("generic kit is built in")
    }

    /// Parses and checks a kit file's text.
    pub fn from_json(text: &str) -> Result<Kit, KitError> {
        // A UTF-8 byte-order mark (Windows editors) is not content.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let kit: Kit = serde_json::from_str(text).map_err(|e| KitError::Invalid(e.to_string()))?;
        let ok = |s: &KitStutter| {
            [s.back, s.forward, s.double_back]
                .iter()
                .all(|v| v.is_finite() && (0.0..1.0).contains(v))
        };
        if !ok(&kit.default) {
            return Err(KitError::Invalid(
                "default stutter ratios must be fractions in [0, 1)".into(),
            ));
        }
        for (m, s) in &kit.loci {
            if m.parse::<Locus>().is_err() {
                return Err(KitError::Invalid(format!(
                    "marker '{m}' is not a known locus ({})",
                    Locus::known_names()
                )));
            }
            if !ok(s) {
                return Err(KitError::Invalid(format!(
                    "marker '{m}': stutter ratios must be fractions in [0, 1)"
                )));
            }
        }
        if !(kit.saturation_rfu.is_finite() && kit.saturation_rfu > 0.0) {
            return Err(KitError::Invalid("saturation_rfu must be > 0".into()));
        }
        Ok(kit)
    }

    /// Default ratios at `locus`.
    pub fn stutter(&self, locus: Locus) -> KitStutter {
        self.loci
            .iter()
            .find(|(m, _)| m.parse::<Locus>() == Ok(locus))
            .map(|(_, s)| *s)
            .unwrap_or(self.default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_kit_loads() {
        for (n, _) in BUILT_IN {
            let k = Kit::built_in(n).unwrap();
            assert_eq!(&k.name, n);
        }
        assert!(
            Kit::built_in("GlobalFiler")
                .unwrap()
                .loci
                .contains_key("SE33")
        );
        assert_eq!(
            Kit::built_in("PowerPlex-16 HS").unwrap().saturation_rfu,
            8000.0
        );
        let g = Kit::built_in("globalfiler").unwrap();
        assert_eq!(g.stutter(Locus::Se33).back, 0.12);
        assert_eq!(g.stutter(Locus::PentaD).back, g.default.back);
    }

    #[test]
    fn unknown_and_invalid_kits_are_named() {
        let e = Kit::built_in("profiler").unwrap_err().to_string();
        assert!(e.contains("'profiler'") && e.contains("globalfiler"), "{e}");
        let bad = r#"{"name":"x","title":"x","saturation_rfu":1000,"source":"","default":{"back":0.1,"forward":0.01,"double_back":0.0},"loci":{"D99":{"back":0.1,"forward":0.0,"double_back":0.0}}}"#;
        assert!(Kit::from_json(bad).unwrap_err().to_string().contains("D99"));
        assert!(Kit::from_json("{}").is_err());
    }
}
