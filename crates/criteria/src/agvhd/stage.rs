//! Organ stages and the compact record of how each stage was reached.
//!
//! The per-day fast path produces [`StageCall`]s (plain `Copy` data, no
//! allocation); the explain path turns them into [`Evidence`] and [`Flag`]s.

use graftwatch_core::{Date, Unit};
use serde::Serialize;

use crate::{Evidence, Flag};

/// An organ stage 0–4 (upper GI only 0–1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(transparent)]
pub struct Stage(u8);

impl Stage {
    /// Stage 0.
    pub const S0: Stage = Stage(0);
    /// Stage 1.
    pub const S1: Stage = Stage(1);
    /// Stage 2.
    pub const S2: Stage = Stage(2);
    /// Stage 3.
    pub const S3: Stage = Stage(3);
    /// Stage 4.
    pub const S4: Stage = Stage(4);

    /// A stage from its number; `None` above 4.
    pub fn new(v: u8) -> Option<Stage> {
        (v <= 4).then_some(Stage(v))
    }
    /// The number 0–4.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An acute-GVHD target organ as MAGIC stages it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Organ {
    /// Skin.
    Skin,
    /// Liver.
    Liver,
    /// Upper GI tract.
    UpperGi,
    /// Lower GI tract.
    LowerGi,
}

impl Organ {
    /// The four organs in table order.
    pub const ALL: [Organ; 4] = [Organ::Skin, Organ::Liver, Organ::UpperGi, Organ::LowerGi];

    /// Human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Organ::Skin => "skin",
            Organ::Liver => "liver",
            Organ::UpperGi => "upper GI",
            Organ::LowerGi => "lower GI",
        }
    }
    /// Index 0–3 in [`Organ::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a stage was based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Skin: rounded BSA of active erythema.
    SkinBsa,
    /// Skin stage 4: erythroderma > 50% with bullae and desquamation > 5%.
    SkinBullaeDesquamation,
    /// Liver: total bilirubin (mg/dL).
    Bilirubin,
    /// Upper GI: symptoms and their duration in days (`value`).
    UpperGiSymptoms,
    /// Lower GI: measured stool volume (mL/day, or mL/kg/day for a child).
    StoolVolume,
    /// Lower GI: episodes converted at 200 mL (3 mL/kg) each.
    StoolEpisodes,
    /// Lower GI stage 4: grossly bloody stool.
    BloodyStool,
    /// Lower GI stage 4: severe abdominal pain.
    SeverePain,
    /// Lower GI stage 4: ileus.
    Ileus,
    /// Finding explained entirely by another cause: excluded (stage 0).
    ExcludedOtherCause,
}

/// Bit flags recording which ambiguity defaults were applied to a stage.
pub mod flags {
    /// Value fell in a band gap and went to the higher stage (decision 1, A-1/A-4).
    pub const GAP: u16 = 1;
    /// BSA was rounded half-up before banding (decision 8).
    pub const ROUNDED: u16 = 1 << 1;
    /// Multifactorial attribution, staged in full.
    pub const MULTIFACTORIAL: u16 = 1 << 2;
    /// Other-cause finding excluded.
    pub const OTHER_CAUSE: u16 = 1 << 3;
    /// Episodes converted to volume because no measured volume.
    pub const EPISODES: u16 = 1 << 4;
    /// Max of measured volume and episode equivalent (A-2 option).
    pub const MAX_OF_BOTH: u16 = 1 << 5;
    /// Child stool criteria (weight < cut, A-3).
    pub const CHILD: u16 = 1 << 6;
    /// Onset stool rule: highest value of days d-2..d.
    pub const ONSET_MAX: u16 = 1 << 7;
    /// Three-day mean of days with data.
    pub const MEAN3: u16 = 1 << 8;
    /// Ileus without severe pain counted as stage 4 (configurable).
    pub const ILEUS_ALONE: u16 = 1 << 9;
    /// Other-cause liver finding staged anyway (COG convention option).
    pub const OTHER_CAUSE_STAGED: u16 = 1 << 10;
    /// Stage carried forward from an earlier assessment.
    pub const CARRIED: u16 = 1 << 11;
    /// Upper-GI symptoms present but not yet persistent (< 3 days, A-9).
    pub const NOT_PERSISTENT: u16 = 1 << 12;
    /// Desquamation BSA exactly at or below 5% kept skin below stage 4.
    pub const DESQ_AT_5: u16 = 1 << 13;
}

/// How one organ's stage was reached: the decisive value, its date and the
/// ambiguity flags applied. `Copy`, no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StageCall {
    /// The organ.
    pub organ: Organ,
    /// The stage.
    pub stage: Stage,
    /// What it was based on.
    pub basis: Basis,
    /// The decisive value in `unit` (BSA %, mg/dL, mL/day, mL/kg/day, days).
    pub value: f64,
    /// Date of the finding the value comes from.
    pub date: Date,
    /// [`flags`] bits.
    pub flags: u16,
}

impl StageCall {
    /// The unit of `value`.
    pub fn unit(&self) -> Option<Unit> {
        match self.basis {
            Basis::SkinBsa | Basis::SkinBullaeDesquamation => Some(Unit::Percent),
            Basis::Bilirubin => Some(Unit::MgPerDl),
            Basis::StoolVolume | Basis::StoolEpisodes if self.flags & flags::CHILD != 0 => {
                Some(Unit::MlPerKg)
            }
            Basis::StoolVolume | Basis::StoolEpisodes => Some(Unit::Ml),
            Basis::UpperGiSymptoms => Some(Unit::Count),
            _ => None,
        }
    }

    /// Evidence for this stage call.
    pub fn evidence(&self) -> Evidence {
        let what = match self.basis {
            Basis::SkinBsa => "skin_erythema_bsa",
            Basis::SkinBullaeDesquamation => "skin_desquamation_bsa",
            Basis::Bilirubin => "bilirubin",
            Basis::UpperGiSymptoms => "upper_gi_symptom_days",
            Basis::StoolVolume => "stool_volume",
            Basis::StoolEpisodes => "stool_episode_equivalent",
            Basis::BloodyStool => "grossly_bloody_stool",
            Basis::SeverePain => "severe_abdominal_pain",
            Basis::Ileus => "ileus",
            Basis::ExcludedOtherCause => "finding_other_cause",
        };
        let note = format!(
            "{} stage {} ({})",
            self.organ.name(),
            self.stage,
            self.band_text()
        );
        match self.basis {
            Basis::BloodyStool | Basis::SeverePain | Basis::Ileus | Basis::ExcludedOtherCause => {
                Evidence::finding(Some(self.date), what, note)
            }
            _ => Evidence::value(Some(self.date), what, self.value, self.unit(), note),
        }
    }

    /// The band that the value fell in, in words.
    pub fn band_text(&self) -> &'static str {
        let child = self.flags & flags::CHILD != 0;
        match (self.basis, self.stage.get()) {
            (Basis::ExcludedOtherCause, _) => {
                "finding attributed entirely to another cause: excluded (A-8)"
            }
            (Basis::SkinBsa, 0) => "no active erythema (rounded BSA 0%)",
            (Basis::SkinBsa, 1) => "maculopapular rash < 25% BSA",
            (Basis::SkinBsa, 2) => "maculopapular rash 25-50% BSA",
            (Basis::SkinBsa, _) => "maculopapular rash > 50% BSA",
            (Basis::SkinBullaeDesquamation, _) => {
                "generalized erythroderma > 50% BSA with bullae and desquamation > 5% BSA"
            }
            (Basis::Bilirubin, 0) => "bilirubin < 2.0 mg/dL",
            (Basis::Bilirubin, 1) => "bilirubin 2.0-3.0 mg/dL",
            (Basis::Bilirubin, 2) => "bilirubin > 3.0 and ≤ 6.0 mg/dL",
            (Basis::Bilirubin, 3) => "bilirubin > 6.0 and ≤ 15.0 mg/dL",
            (Basis::Bilirubin, _) => "bilirubin > 15.0 mg/dL",
            (Basis::UpperGiSymptoms, 0) => "no persistent nausea, vomiting or anorexia",
            (Basis::UpperGiSymptoms, _) => "persistent nausea, vomiting or anorexia (≥ 3 days)",
            (Basis::StoolVolume | Basis::StoolEpisodes, 0) if child => "< 10 mL/kg/day",
            (Basis::StoolVolume | Basis::StoolEpisodes, 1) if child => "10-19.9 mL/kg/day",
            (Basis::StoolVolume | Basis::StoolEpisodes, 2) if child => "> 19.9 and ≤ 30 mL/kg/day",
            (Basis::StoolVolume | Basis::StoolEpisodes, _) if child => "> 30 mL/kg/day",
            (Basis::StoolVolume | Basis::StoolEpisodes, 0) => "< 500 mL/day",
            (Basis::StoolVolume | Basis::StoolEpisodes, 1) => "500-999 mL/day",
            (Basis::StoolVolume | Basis::StoolEpisodes, 2) => "> 999 and ≤ 1500 mL/day",
            (Basis::StoolVolume | Basis::StoolEpisodes, _) => "> 1500 mL/day",
            (Basis::BloodyStool, _) => "grossly bloody stool, regardless of volume",
            (Basis::SeverePain, _) => "severe abdominal pain with or without ileus",
            (Basis::Ileus, _) => "ileus (counted with severe abdominal pain)",
        }
    }

    /// Flags for the ambiguity defaults applied, pushed onto `out` in the
    /// order of `FLAG_TEXTS`; a flag already in `out` is not repeated.
    pub fn push_flags(&self, out: &mut Vec<Flag>) {
        let org = self.organ.name();
        for (bit, code, text) in FLAG_TEXTS {
            if self.flags & bit == 0 {
                continue;
            }
            let text = match text {
                FlagText::Fixed(t) => t.to_string(),
                FlagText::Organ(t) => format!("{org}: {t}"),
                FlagText::Gap => format!(
                    "{org}: value {} fell in a published band gap and was given to the higher stage (engine decision 1)",
                    self.value
                ),
                FlagText::Carried => format!(
                    "{org}: stage carried forward from the assessment of {}",
                    self.date
                ),
            };
            if !out.iter().any(|x| x.code == code && x.text == text) {
                out.push(Flag::new(code, text));
            }
        }
    }
}

/// The words of a flag bit.
#[derive(Debug, Clone, Copy)]
enum FlagText {
    /// The same words for every organ.
    Fixed(&'static str),
    /// Words after the organ name (`skin: …`).
    Organ(&'static str),
    /// The band-gap text, naming the value.
    Gap,
    /// The carried-forward text, naming the assessment date.
    Carried,
}

/// Each flag bit with its ambiguity code and words, in output order.
const FLAG_TEXTS: [(u16, &str, FlagText); 14] = [
    (flags::GAP, "A-1", FlagText::Gap),
    (
        flags::ROUNDED,
        "D-8",
        FlagText::Organ("BSA rounded half-up to an integer before banding (engine decision 8)"),
    ),
    (
        flags::MULTIFACTORIAL,
        "A-8",
        FlagText::Organ("finding attributed to GVHD plus another cause; staged in full"),
    ),
    (
        flags::OTHER_CAUSE,
        "A-8",
        FlagText::Organ("finding attributed entirely to another cause; excluded from staging"),
    ),
    (
        flags::OTHER_CAUSE_STAGED,
        "A-8",
        FlagText::Organ(
            "finding attributed to another cause staged anyway (COG convention option)",
        ),
    ),
    (
        flags::EPISODES,
        "A-2",
        FlagText::Fixed(
            "lower GI: no measured volume; episodes counted as 200 mL (3 mL/kg for children) each",
        ),
    ),
    (
        flags::MAX_OF_BOTH,
        "A-2",
        FlagText::Fixed(
            "lower GI: higher of measured volume and episode equivalent used (max-of-both option)",
        ),
    ),
    (
        flags::CHILD,
        "A-3",
        FlagText::Fixed("lower GI: weight below the child cut; stool staged in mL/kg/day"),
    ),
    (
        flags::ONSET_MAX,
        "A-5",
        FlagText::Fixed("lower GI onset: highest daily stool value of days d-2..d"),
    ),
    (
        flags::MEAN3,
        "A-5",
        FlagText::Fixed("lower GI: mean of the current and two previous days with stool data"),
    ),
    (
        flags::ILEUS_ALONE,
        "A-LGI4",
        FlagText::Fixed(
            "lower GI: ileus without documented severe pain counted as stage 4 (configurable)",
        ),
    ),
    (flags::CARRIED, "CARRY", FlagText::Carried),
    (
        flags::NOT_PERSISTENT,
        "A-9",
        FlagText::Fixed(
            "upper GI: symptoms present for fewer than 3 days; not yet persistent (stage 0)",
        ),
    ),
    (
        flags::DESQ_AT_5,
        "A-6",
        FlagText::Fixed("skin: desquamation not above 5% BSA; stage 4 requires > 5%"),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn call(bits: u16) -> StageCall {
        StageCall {
            organ: Organ::Skin,
            stage: Stage::new(1).unwrap(),
            basis: Basis::SkinBsa,
            value: 12.5,
            date: "2025-03-01".parse().unwrap(),
            flags: bits,
        }
    }

    #[test]
    fn each_bit_appears_once_in_the_table() {
        let all = FLAG_TEXTS.iter().fold(0u16, |acc, (bit, _, _)| {
            assert_eq!(acc & bit, 0, "bit {bit} listed twice");
            acc | bit
        });
        assert_eq!(all, (1 << 14) - 1);
    }

    #[test]
    fn flags_follow_the_bits_set_and_are_not_repeated() {
        let mut out = Vec::new();
        call(0).push_flags(&mut out);
        assert!(out.is_empty());
        call(flags::GAP | flags::CARRIED).push_flags(&mut out);
        let codes: Vec<&str> = out.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["A-1", "CARRY"]);
        assert!(
            out[0].text.starts_with("skin: value 12.5 fell"),
            "{}",
            out[0].text
        );
        assert!(
            out[1].text.ends_with("assessment of 2025-03-01"),
            "{}",
            out[1].text
        );
        call(flags::GAP).push_flags(&mut out);
        assert_eq!(out.len(), 2);
    }
}
