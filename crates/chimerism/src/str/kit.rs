//! STR kits as data: the loci of a kit, its default stutter ratios (back
//! n−1, forward n+1, double-back n−2), its saturation limit and, per
//! marker, the dye and the allele bins (fragment size of each allele), in
//! a JSON file a lab can copy and edit (`crates/chimerism/kits/*.json`; built-in:
//! GlobalFiler, PowerPlex Fusion 6C, Identifiler Plus, PowerPlex 16 HS,
//! Mentype Chimera, and `generic`).
//!
//! Kit stutter ratios are used as they are at loci where the reference
//! profiles show no stutter (stutter-filtered exports, genotype tables);
//! where the references show stutter, the measured back-stutter ratio is
//! shrunk toward the kit's (`StrConfig::kit_stutter_weight`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::allele::Allele;
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

/// Dye and allele bins of one marker (optional in a kit file).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KitMarker {
    /// Dye (colour channel) of the marker, e.g. `6-FAM` or `blue`. Two
    /// markers of one dye never pull up into each other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dye: Option<String>,
    /// Allele bins: allele → fragment size in bp (the bin centre, as in the
    /// lab's bin set). An off-ladder peak whose size lies within
    /// `bin_half_width_bp` of a bin is called as that allele.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bins: BTreeMap<String, f64>,
}

fn default_bin_half_width() -> f64 {
    0.5
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
    /// Dye and bins per marker name (optional; any spelling `Locus` accepts).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub markers: BTreeMap<String, KitMarker>,
    /// Half width of an allele bin in bp (default 0.5, the usual ±0.5 bp
    /// bin of fragment-analysis software).
    #[serde(default = "default_bin_half_width")]
    pub bin_half_width_bp: f64,
}

/// The GeneMapper dye letter (`B`, `G`, `Y`, `R`, `P`, `O`, as in the
/// `Dye/Sample Peak` column) of a dye named in a kit file: the colour
/// itself or a fluorophore of the common kits (6-FAM/Fluorescein blue,
/// VIC/JOE/HEX green, NED/TMR/TAMRA yellow, PET/CXR/ROX red, SID/TOM
/// purple, LIZ/WEN/CC5 orange).
pub fn dye_letter(dye: &str) -> Option<char> {
    let d: String = dye
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let letter = match d.as_str() {
        "blue" | "b" | "6fam" | "fam" | "fluorescein" | "fl" => 'B',
        "green" | "g" | "vic" | "joe" | "hex" => 'G',
        "yellow" | "y" | "ned" | "tmr" | "tmret" | "tamra" => 'Y',
        "red" | "r" | "pet" | "cxr" | "cxret" | "rox" => 'R',
        "purple" | "p" | "sid" | "tom" => 'P',
        "orange" | "o" | "liz" | "wen" | "cc5" => 'O',
        _ => return None,
    };
    Some(letter)
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

    /// The names of the built-in kits (`generic` last: the defaults used
    /// when no kit is named).
    pub fn built_in_names() -> impl Iterator<Item = &'static str> {
        BUILT_IN.iter().map(|(n, _)| *n)
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
        if !(kit.bin_half_width_bp.is_finite()
            && kit.bin_half_width_bp > 0.0
            && kit.bin_half_width_bp <= 2.0)
        {
            return Err(KitError::Invalid(format!(
                "bin_half_width_bp = {}: expected a width in bp above 0 and at most 2",
                kit.bin_half_width_bp
            )));
        }
        for (m, marker) in &kit.markers {
            let locus = m.parse::<Locus>().map_err(|_| {
                KitError::Invalid(format!(
                    "markers: '{m}' is not a known locus ({})",
                    Locus::known_names()
                ))
            })?;
            for (a, size) in &marker.bins {
                if Allele::parse(a, locus).is_err() {
                    return Err(KitError::Invalid(format!(
                        "markers: {m} bin '{a}' is not an allele"
                    )));
                }
                if !(size.is_finite() && *size > 0.0 && *size < 2000.0) {
                    return Err(KitError::Invalid(format!(
                        "markers: {m} bin {a} = {size}: expected a fragment size in bp (0–2000)"
                    )));
                }
            }
        }
        Ok(kit)
    }

    fn marker(&self, locus: Locus) -> Option<&KitMarker> {
        self.markers
            .iter()
            .find(|(m, _)| m.parse::<Locus>() == Ok(locus))
            .map(|(_, k)| k)
    }

    /// The dye of `locus`, when the kit file gives it.
    pub fn dye(&self, locus: Locus) -> Option<&str> {
        self.marker(locus).and_then(|m| m.dye.as_deref())
    }

    /// True when the kit says `a` and `b` are read in the same dye.
    pub fn same_dye(&self, a: Locus, b: Locus) -> bool {
        matches!((self.dye(a), self.dye(b)), (Some(x), Some(y)) if x.eq_ignore_ascii_case(y))
    }

    /// The allele whose bin holds a fragment of `size` bp at `locus` (the
    /// nearest bin centre within `bin_half_width_bp`), when the kit has bins.
    pub fn bin_call(&self, locus: Locus, size: f64) -> Option<Allele> {
        let m = self.marker(locus)?;
        m.bins
            .iter()
            .map(|(a, c)| (a, (c - size).abs()))
            .filter(|(_, d)| *d <= self.bin_half_width_bp)
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .and_then(|(a, _)| Allele::parse(a, locus).ok())
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
pub(crate) mod tests {
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

    /// A lab's own kit file with dyes and bins, as docs/chimerism-str.md
    /// describes it.
    pub(crate) const USER_KIT: &str = r#"{
  "name": "lab_kit",
  "title": "Our validated in-house multiplex",
  "saturation_rfu": 25000,
  "source": "lab validation 2025",
  "default": {"back": 0.08, "forward": 0.01, "double_back": 0.005},
  "loci": {"D3S1358": {"back": 0.11, "forward": 0.01, "double_back": 0.004}},
  "markers": {
    "D3S1358": {"dye": "6-FAM", "bins": {"14": 112.3, "15": 116.3, "16": 120.4}},
    "vWA": {"dye": "6-FAM"},
    "D8S1179": {"dye": "VIC", "bins": {"12": 126.0, "13": 130.1}}
  },
  "bin_half_width_bp": 0.5
}"#;

    #[test]
    fn a_user_kit_file_with_dyes_and_bins_loads_and_is_used() {
        let k = Kit::from_json(USER_KIT).unwrap();
        assert_eq!(k.saturation_rfu, 25000.0);
        assert_eq!(k.stutter(Locus::D3s1358).back, 0.11);
        assert_eq!(k.dye(Locus::Vwa), Some("6-FAM"));
        assert!(k.same_dye(Locus::D3s1358, Locus::Vwa));
        assert!(!k.same_dye(Locus::D3s1358, Locus::D8s1179));
        assert!(
            !k.same_dye(Locus::Fga, Locus::Th01),
            "no dye given: not the same"
        );
        // Bin boundaries: ±0.5 bp inside, beyond is off-ladder.
        let a = |s: &str| Allele::parse(s, Locus::D3s1358).unwrap();
        assert_eq!(k.bin_call(Locus::D3s1358, 116.8), Some(a("15")));
        assert_eq!(k.bin_call(Locus::D3s1358, 115.8), Some(a("15")));
        assert_eq!(k.bin_call(Locus::D3s1358, 116.81), None);
        assert_eq!(k.bin_call(Locus::D3s1358, 118.3), None);
        assert_eq!(k.bin_call(Locus::Vwa, 150.0), None, "no bins for vWA");
        // Built-in kits load with their defaults (no bins: bins come from the lab's bin set).
        assert_eq!(Kit::generic().bin_half_width_bp, 0.5);
        let bad = USER_KIT.replace("116.3", "-1");
        assert!(
            Kit::from_json(&bad)
                .unwrap_err()
                .to_string()
                .contains("bin 15")
        );
        let bad = USER_KIT.replace("\"vWA\": {\"dye\"", "\"D99\": {\"dye\"");
        assert!(
            Kit::from_json(&bad)
                .unwrap_err()
                .to_string()
                .contains("D99")
        );
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
