//! The STR loci graftwatch knows: the 20 expanded CODIS core loci
//! (Hares 2015, FSI Genetics 17:33–34), Penta D, Penta E, SE33 (GlobalFiler,
//! PowerPlex Fusion 6C, ESX/ESI 17), D6S1043 (PowerPlex 21), the loci of the
//! chimerism kit Mentype Chimera (Biotype: D2S1360, D3S1744, D4S2366,
//! D5S2500, D6S474, D7S1517, D8S1132, D10S2325, D18S1002, D21S2055) and
//! Amelogenin.
//!
//! Repeat unit lengths follow STRBase (NIST, Butler 2006). The approximate
//! amplicon start offsets (`size_offset`) are only used to order loci by
//! fragment length (for degradation modelling in the simulator); they are
//! typical of 5-dye kits but not of any one kit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A known STR locus (or the Amelogenin sex marker). Serialised as its
/// name as kits and exports spell it (`D3S1358`, `vWA`, `Penta D`; see
/// [`Locus::name`]), read from any spelling [`Locus::from_str`] accepts
/// (so JSON written with the earlier variant names, `D3s1358`, still reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Locus {
    /// CSF1PO (chr 5), tetranucleotide.
    Csf1po,
    /// D3S1358 (chr 3), tetranucleotide.
    D3s1358,
    /// D5S818 (chr 5), tetranucleotide.
    D5s818,
    /// D7S820 (chr 7), tetranucleotide.
    D7s820,
    /// D8S1179 (chr 8), tetranucleotide.
    D8s1179,
    /// D13S317 (chr 13), tetranucleotide.
    D13s317,
    /// D16S539 (chr 16), tetranucleotide.
    D16s539,
    /// D18S51 (chr 18), tetranucleotide.
    D18s51,
    /// D21S11 (chr 21), tetranucleotide (complex).
    D21s11,
    /// FGA (chr 4), tetranucleotide.
    Fga,
    /// TH01 (chr 11), tetranucleotide.
    Th01,
    /// TPOX (chr 2), tetranucleotide.
    Tpox,
    /// vWA (chr 12), tetranucleotide.
    Vwa,
    /// D1S1656 (chr 1), tetranucleotide.
    D1s1656,
    /// D2S441 (chr 2), tetranucleotide.
    D2s441,
    /// D2S1338 (chr 2), tetranucleotide.
    D2s1338,
    /// D10S1248 (chr 10), tetranucleotide.
    D10s1248,
    /// D12S391 (chr 12), tetranucleotide.
    D12s391,
    /// D19S433 (chr 19), tetranucleotide.
    D19s433,
    /// D22S1045 (chr 22), trinucleotide.
    D22s1045,
    /// Penta D (chr 21), pentanucleotide.
    PentaD,
    /// Penta E (chr 15), pentanucleotide.
    PentaE,
    /// Amelogenin (X/Y sex marker; alleles `X` and `Y`).
    Amelogenin,
    /// SE33 (ACTBP2, chr 6), tetranucleotide, highly polymorphic.
    Se33,
    /// D6S1043 (chr 6), tetranucleotide.
    D6s1043,
    /// D2S1360 (chr 2), tetranucleotide (Mentype Chimera).
    D2s1360,
    /// D3S1744 (chr 3), tetranucleotide (Mentype Chimera).
    D3s1744,
    /// D4S2366 (chr 4), tetranucleotide (Mentype Chimera).
    D4s2366,
    /// D5S2500 (chr 5), tetranucleotide (Mentype Chimera).
    D5s2500,
    /// D6S474 (chr 6), tetranucleotide (Mentype Chimera).
    D6s474,
    /// D7S1517 (chr 7), tetranucleotide (Mentype Chimera).
    D7s1517,
    /// D8S1132 (chr 8), tetranucleotide (Mentype Chimera).
    D8s1132,
    /// D10S2325 (chr 10), pentanucleotide (Mentype Chimera).
    D10s2325,
    /// D18S1002 (chr 18), tetranucleotide (Mentype Chimera).
    D18s1002,
    /// D21S2055 (chr 21), tetranucleotide (Mentype Chimera).
    D21s2055,
}

impl Locus {
    /// Every known locus, in display order.
    pub const ALL: [Locus; 35] = [
        Locus::D3s1358,
        Locus::Vwa,
        Locus::D16s539,
        Locus::Csf1po,
        Locus::Tpox,
        Locus::D8s1179,
        Locus::D21s11,
        Locus::D18s51,
        Locus::D2s441,
        Locus::D19s433,
        Locus::Th01,
        Locus::Fga,
        Locus::D22s1045,
        Locus::D5s818,
        Locus::D13s317,
        Locus::D7s820,
        Locus::D10s1248,
        Locus::D1s1656,
        Locus::D12s391,
        Locus::D2s1338,
        Locus::PentaD,
        Locus::PentaE,
        Locus::Se33,
        Locus::D6s1043,
        Locus::D2s1360,
        Locus::D3s1744,
        Locus::D4s2366,
        Locus::D5s2500,
        Locus::D6s474,
        Locus::D7s1517,
        Locus::D8s1132,
        Locus::D10s2325,
        Locus::D18s1002,
        Locus::D21s2055,
        Locus::Amelogenin,
    ];

    /// The canonical marker name as printed by kits (`D3S1358`, `vWA`, `Penta D`, `AMEL`).
    pub fn name(self) -> &'static str {
        match self {
            Locus::Csf1po => "CSF1PO",
            Locus::D3s1358 => "D3S1358",
            Locus::D5s818 => "D5S818",
            Locus::D7s820 => "D7S820",
            Locus::D8s1179 => "D8S1179",
            Locus::D13s317 => "D13S317",
            Locus::D16s539 => "D16S539",
            Locus::D18s51 => "D18S51",
            Locus::D21s11 => "D21S11",
            Locus::Fga => "FGA",
            Locus::Th01 => "TH01",
            Locus::Tpox => "TPOX",
            Locus::Vwa => "vWA",
            Locus::D1s1656 => "D1S1656",
            Locus::D2s441 => "D2S441",
            Locus::D2s1338 => "D2S1338",
            Locus::D10s1248 => "D10S1248",
            Locus::D12s391 => "D12S391",
            Locus::D19s433 => "D19S433",
            Locus::D22s1045 => "D22S1045",
            Locus::PentaD => "Penta D",
            Locus::PentaE => "Penta E",
            Locus::Amelogenin => "AMEL",
            Locus::Se33 => "SE33",
            Locus::D6s1043 => "D6S1043",
            Locus::D2s1360 => "D2S1360",
            Locus::D3s1744 => "D3S1744",
            Locus::D4s2366 => "D4S2366",
            Locus::D5s2500 => "D5S2500",
            Locus::D6s474 => "D6S474",
            Locus::D7s1517 => "D7S1517",
            Locus::D8s1132 => "D8S1132",
            Locus::D10s2325 => "D10S2325",
            Locus::D18s1002 => "D18S1002",
            Locus::D21s2055 => "D21S2055",
        }
    }

    /// Repeat unit length in base pairs (`None` for Amelogenin).
    pub fn repeat_len(self) -> Option<u8> {
        match self {
            Locus::Amelogenin => None,
            Locus::D22s1045 => Some(3),
            Locus::PentaD | Locus::PentaE | Locus::D10s2325 => Some(5),
            _ => Some(4),
        }
    }

    /// True for the X/Y sex marker.
    pub fn is_sex_marker(self) -> bool {
        self == Locus::Amelogenin
    }

    /// Approximate fragment length (bp) of a zero-repeat allele, used to order
    /// loci by length for degradation modelling (typical 5-dye kit sizes).
    pub fn size_offset(self) -> f64 {
        match self {
            Locus::Amelogenin => 100.0,
            Locus::D3s1358 => 60.0,
            Locus::Vwa => 90.0,
            Locus::D16s539 => 200.0,
            Locus::Csf1po => 250.0,
            Locus::Tpox => 340.0,
            Locus::D8s1179 => 90.0,
            Locus::D21s11 => 90.0,
            Locus::D18s51 => 210.0,
            Locus::D2s441 => 40.0,
            Locus::D19s433 => 80.0,
            Locus::Th01 => 150.0,
            Locus::Fga => 140.0,
            Locus::D22s1045 => 50.0,
            Locus::D5s818 => 100.0,
            Locus::D13s317 => 170.0,
            Locus::D7s820 => 240.0,
            Locus::D10s1248 => 40.0,
            Locus::D1s1656 => 120.0,
            Locus::D12s391 => 130.0,
            Locus::D2s1338 => 230.0,
            Locus::PentaD => 310.0,
            Locus::PentaE => 320.0,
            Locus::Se33 => 230.0,
            Locus::D6s1043 => 250.0,
            Locus::D2s1360 => 160.0,
            Locus::D3s1744 => 100.0,
            Locus::D4s2366 => 190.0,
            Locus::D5s2500 => 90.0,
            Locus::D6s474 => 100.0,
            Locus::D7s1517 => 200.0,
            Locus::D8s1132 => 120.0,
            Locus::D10s2325 => 70.0,
            Locus::D18s1002 => 120.0,
            Locus::D21s2055 => 200.0,
        }
    }

    /// True for a marker name that kits export but chimerism does not use:
    /// Y-chromosome markers (`DYS391`, `DYS570`, `DYS576`, `Yindel`) and
    /// amplification quality sensors (`QS1`, `QS2`, `IQCS`, `IQCL`). Readers
    /// skip such rows with a note instead of failing.
    pub fn is_known_unused_marker(name: &str) -> bool {
        let k: String = name
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
            .collect::<String>()
            .to_ascii_uppercase();
        k.starts_with("DYS")
            || k.starts_with("DYF")
            || matches!(k.as_str(), "YINDEL" | "QS1" | "QS2" | "IQCS" | "IQCL" | "Y")
    }

    /// A comma-separated list of every known marker name (for error messages).
    pub fn known_names() -> String {
        Locus::ALL
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Locus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Locus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Locus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Error for a marker name that is not a known locus.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown STR marker '{0}'; known markers: {known}", known = Locus::known_names())]
pub struct UnknownLocus(pub String);

impl FromStr for Locus {
    type Err = UnknownLocus;
    /// Case-insensitive; spaces, `_`, `-` and `.` are ignored; accepts common
    /// spellings (`THO1`, `PentaD`, `Penta_E`, `AMEL`, `Amelogenin`, `AM`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let k: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-' | '.'))
            .collect::<String>()
            .to_ascii_uppercase();
        let l = match k.as_str() {
            "CSF1PO" => Locus::Csf1po,
            "D3S1358" => Locus::D3s1358,
            "D5S818" => Locus::D5s818,
            "D7S820" => Locus::D7s820,
            "D8S1179" => Locus::D8s1179,
            "D13S317" => Locus::D13s317,
            "D16S539" => Locus::D16s539,
            "D18S51" => Locus::D18s51,
            "D21S11" => Locus::D21s11,
            "FGA" => Locus::Fga,
            "TH01" | "THO1" => Locus::Th01,
            "TPOX" => Locus::Tpox,
            "VWA" => Locus::Vwa,
            "D1S1656" => Locus::D1s1656,
            "D2S441" => Locus::D2s441,
            "D2S1338" => Locus::D2s1338,
            "D10S1248" => Locus::D10s1248,
            "D12S391" => Locus::D12s391,
            "D19S433" => Locus::D19s433,
            "D22S1045" => Locus::D22s1045,
            "PENTAD" | "PD" => Locus::PentaD,
            "PENTAE" | "PE" => Locus::PentaE,
            "AMEL" | "AMELOGENIN" | "AM" | "AMELO" | "AMELX" => Locus::Amelogenin,
            "SE33" | "ACTBP2" => Locus::Se33,
            "D6S1043" => Locus::D6s1043,
            "D2S1360" => Locus::D2s1360,
            "D3S1744" => Locus::D3s1744,
            "D4S2366" => Locus::D4s2366,
            "D5S2500" => Locus::D5s2500,
            "D6S474" => Locus::D6s474,
            "D7S1517" => Locus::D7s1517,
            "D8S1132" => Locus::D8s1132,
            "D10S2325" => Locus::D10s2325,
            "D18S1002" => Locus::D18s1002,
            "D21S2055" => Locus::D21s2055,
            _ => return Err(UnknownLocus(s.trim().to_string())),
        };
        Ok(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_uses_the_locus_names_and_reads_old_variant_names() {
        let v = serde_json::to_string(&[Locus::D3s1358, Locus::Vwa, Locus::PentaD, Locus::Th01])
            .unwrap();
        assert_eq!(v, r#"["D3S1358","vWA","Penta D","TH01"]"#);
        let back: Vec<Locus> = serde_json::from_str(&v).unwrap();
        assert_eq!(
            back,
            [Locus::D3s1358, Locus::Vwa, Locus::PentaD, Locus::Th01]
        );
        let old: Vec<Locus> = serde_json::from_str(r#"["D3s1358","Fga","PentaE"]"#).unwrap();
        assert_eq!(old, [Locus::D3s1358, Locus::Fga, Locus::PentaE]);
        assert!(serde_json::from_str::<Locus>(r#""D99S1""#).is_err());
    }

    #[test]
    fn every_locus_round_trips_through_its_name() {
        for l in Locus::ALL {
            assert_eq!(l.name().parse::<Locus>(), Ok(l));
        }
        assert_eq!(Locus::ALL.len(), 35);
    }

    #[test]
    fn spelling_variants_are_accepted() {
        assert_eq!("tho1".parse::<Locus>(), Ok(Locus::Th01));
        assert_eq!("Penta_D".parse::<Locus>(), Ok(Locus::PentaD));
        assert_eq!("Amelogenin".parse::<Locus>(), Ok(Locus::Amelogenin));
        assert_eq!("vwa".parse::<Locus>(), Ok(Locus::Vwa));
    }

    #[test]
    fn unknown_marker_lists_known_ones() {
        let e = "D99S1".parse::<Locus>().unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("D99S1") && m.contains("D3S1358") && m.contains("SE33"),
            "{m}"
        );
    }

    #[test]
    fn repeat_lengths() {
        assert_eq!(Locus::D22s1045.repeat_len(), Some(3));
        assert_eq!(Locus::PentaE.repeat_len(), Some(5));
        assert_eq!(Locus::Fga.repeat_len(), Some(4));
        assert_eq!(Locus::Amelogenin.repeat_len(), None);
    }
}
