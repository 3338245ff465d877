//! Body surface area (% BSA) of a skin finding from the regions involved:
//! the rule of nines for adults and the Lund–Browder chart for children
//! (age-dependent head, thigh and lower-leg shares).
//!
//! The bedside form asks, for each region of the chart, which share of that
//! region is involved (0–100 %); the total is the sum of
//! `region share of the body × involved share of the region`. The result is
//! the `% BSA` that the MAGIC skin stage (and the NIH skin score) bands; the
//! rounding to whole percent (decision C-1) stays with the criterion.
//!
//! | chart | used for | source |
//! |---|---|---|
//! | rule of nines | age ≥ 16 years (default) | Wallace AB, Lancet 1951 |
//! | Lund–Browder | age < 16 years (default); any age on request (adult column) | Lund CC, Browder NC, Surg Gynecol Obstet 1944 |
//!
//! Every column of both tables sums to exactly 100 % (tested).

use graftwatch_core::{Citation, Percent, Provenance};
use serde::Serialize;

/// Sources of the two charts.
pub const BSA_CITATIONS: [Citation; 2] = [
    Citation {
        source: "Wallace AB. The exposure treatment of burns. Lancet 1951;1(6653):501-504",
        year: 1951,
        table: "rule of nines",
        doi: Some("10.1016/S0140-6736(51)91975-7"),
        provenance: Provenance::Secondary,
        note: "Head and neck 9, each arm 9, anterior and posterior trunk 18 each, each leg 18, perineum 1; reproduced in every burn-care reference (e.g. MSD Manual, chemsftg.com burn charts) [S].",
    },
    Citation {
        source: "Lund CC, Browder NC. The estimation of areas of burns. Surg Gynecol Obstet 1944;79:352-358",
        year: 1944,
        table: "Lund and Browder chart (relative percentages by age)",
        doi: None,
        provenance: Provenance::Secondary,
        note: "Columns 0-1, 1-4, 5-9, 10-14, 15 years and adult as reproduced in burn-care references (e.g. Murari & Singh, Acute Crit Care 2019, PMC6895471); each column sums to 100 % [S].",
    },
];

/// A region of a BSA chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Rule of nines: head and neck.
    HeadNeck,
    /// Lund–Browder: head.
    Head,
    /// Lund–Browder: neck.
    Neck,
    /// Anterior trunk.
    AnteriorTrunk,
    /// Posterior trunk.
    PosteriorTrunk,
    /// Rule of nines: right arm (whole).
    RightArm,
    /// Rule of nines: left arm (whole).
    LeftArm,
    /// Rule of nines: right leg (whole).
    RightLeg,
    /// Rule of nines: left leg (whole).
    LeftLeg,
    /// Perineum / genitalia.
    Genitalia,
    /// Lund–Browder: right buttock.
    RightButtock,
    /// Lund–Browder: left buttock.
    LeftButtock,
    /// Lund–Browder: right upper arm.
    RightUpperArm,
    /// Lund–Browder: left upper arm.
    LeftUpperArm,
    /// Lund–Browder: right lower arm.
    RightLowerArm,
    /// Lund–Browder: left lower arm.
    LeftLowerArm,
    /// Lund–Browder: right hand.
    RightHand,
    /// Lund–Browder: left hand.
    LeftHand,
    /// Lund–Browder: right thigh.
    RightThigh,
    /// Lund–Browder: left thigh.
    LeftThigh,
    /// Lund–Browder: right lower leg.
    RightLowerLeg,
    /// Lund–Browder: left lower leg.
    LeftLowerLeg,
    /// Lund–Browder: right foot.
    RightFoot,
    /// Lund–Browder: left foot.
    LeftFoot,
}

impl Region {
    /// Name used in forms and files (snake_case).
    pub fn as_str(self) -> &'static str {
        use Region as R;
        match self {
            R::HeadNeck => "head_neck",
            R::Head => "head",
            R::Neck => "neck",
            R::AnteriorTrunk => "anterior_trunk",
            R::PosteriorTrunk => "posterior_trunk",
            R::RightArm => "right_arm",
            R::LeftArm => "left_arm",
            R::RightLeg => "right_leg",
            R::LeftLeg => "left_leg",
            R::Genitalia => "genitalia",
            R::RightButtock => "right_buttock",
            R::LeftButtock => "left_buttock",
            R::RightUpperArm => "right_upper_arm",
            R::LeftUpperArm => "left_upper_arm",
            R::RightLowerArm => "right_lower_arm",
            R::LeftLowerArm => "left_lower_arm",
            R::RightHand => "right_hand",
            R::LeftHand => "left_hand",
            R::RightThigh => "right_thigh",
            R::LeftThigh => "left_thigh",
            R::RightLowerLeg => "right_lower_leg",
            R::LeftLowerLeg => "left_lower_leg",
            R::RightFoot => "right_foot",
            R::LeftFoot => "left_foot",
        }
    }

    /// Words for a label.
    pub fn label(self) -> String {
        let s = self.as_str().replace('_', " ");
        match self {
            Region::HeadNeck => "head and neck".into(),
            Region::Genitalia => "perineum / genitalia".into(),
            _ => s,
        }
    }

    /// Parses [`Region::as_str`].
    pub fn parse(s: &str) -> Option<Region> {
        ALL_REGIONS.iter().copied().find(|r| r.as_str() == s)
    }
}

const ALL_REGIONS: [Region; 24] = [
    Region::HeadNeck,
    Region::Head,
    Region::Neck,
    Region::AnteriorTrunk,
    Region::PosteriorTrunk,
    Region::RightArm,
    Region::LeftArm,
    Region::RightLeg,
    Region::LeftLeg,
    Region::Genitalia,
    Region::RightButtock,
    Region::LeftButtock,
    Region::RightUpperArm,
    Region::LeftUpperArm,
    Region::RightLowerArm,
    Region::LeftLowerArm,
    Region::RightHand,
    Region::LeftHand,
    Region::RightThigh,
    Region::LeftThigh,
    Region::RightLowerLeg,
    Region::LeftLowerLeg,
    Region::RightFoot,
    Region::LeftFoot,
];

/// The age column of the Lund–Browder chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LundBrowderAge {
    /// Birth to under 1 year.
    Under1,
    /// 1 to 4 years.
    From1To4,
    /// 5 to 9 years.
    From5To9,
    /// 10 to 14 years.
    From10To14,
    /// 15 years.
    Age15,
    /// Adult (16 years and older).
    Adult,
}

impl LundBrowderAge {
    /// The column for an age in whole years.
    pub fn for_age(years: u32) -> LundBrowderAge {
        match years {
            0 => LundBrowderAge::Under1,
            1..=4 => LundBrowderAge::From1To4,
            5..=9 => LundBrowderAge::From5To9,
            10..=14 => LundBrowderAge::From10To14,
            15 => LundBrowderAge::Age15,
            _ => LundBrowderAge::Adult,
        }
    }

    /// (head, each thigh, each lower leg) in % BSA: the age-dependent rows.
    fn varying(self) -> (f64, f64, f64) {
        match self {
            LundBrowderAge::Under1 => (19.0, 5.5, 5.0),
            LundBrowderAge::From1To4 => (17.0, 6.5, 5.0),
            LundBrowderAge::From5To9 => (13.0, 8.0, 5.5),
            LundBrowderAge::From10To14 => (11.0, 8.5, 6.0),
            LundBrowderAge::Age15 => (9.0, 9.0, 6.5),
            LundBrowderAge::Adult => (7.0, 9.5, 7.0),
        }
    }
}

/// A BSA chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "chart", content = "age")]
pub enum BsaChart {
    /// The adult rule of nines.
    RuleOfNines,
    /// The Lund–Browder chart, one age column.
    LundBrowder(LundBrowderAge),
}

/// Age (whole years) from which the rule of nines is the default chart.
pub const ADULT_FROM_YEARS: u32 = 16;

impl BsaChart {
    /// The default chart for an age: Lund–Browder under 16 years, the rule
    /// of nines from 16.
    pub fn for_age(years: u32) -> BsaChart {
        if years < ADULT_FROM_YEARS {
            BsaChart::LundBrowder(LundBrowderAge::for_age(years))
        } else {
            BsaChart::RuleOfNines
        }
    }

    /// The chart's regions and their share of the whole body (% BSA), in
    /// display order.
    pub fn regions(self) -> Vec<(Region, f64)> {
        use Region as R;
        match self {
            BsaChart::RuleOfNines => vec![
                (R::HeadNeck, 9.0),
                (R::AnteriorTrunk, 18.0),
                (R::PosteriorTrunk, 18.0),
                (R::RightArm, 9.0),
                (R::LeftArm, 9.0),
                (R::RightLeg, 18.0),
                (R::LeftLeg, 18.0),
                (R::Genitalia, 1.0),
            ],
            BsaChart::LundBrowder(age) => {
                let (head, thigh, leg) = age.varying();
                vec![
                    (R::Head, head),
                    (R::Neck, 2.0),
                    (R::AnteriorTrunk, 13.0),
                    (R::PosteriorTrunk, 13.0),
                    (R::RightButtock, 2.5),
                    (R::LeftButtock, 2.5),
                    (R::Genitalia, 1.0),
                    (R::RightUpperArm, 4.0),
                    (R::LeftUpperArm, 4.0),
                    (R::RightLowerArm, 3.0),
                    (R::LeftLowerArm, 3.0),
                    (R::RightHand, 2.5),
                    (R::LeftHand, 2.5),
                    (R::RightThigh, thigh),
                    (R::LeftThigh, thigh),
                    (R::RightLowerLeg, leg),
                    (R::LeftLowerLeg, leg),
                    (R::RightFoot, 3.5),
                    (R::LeftFoot, 3.5),
                ]
            }
        }
    }

    /// Words for the chart.
    pub fn label(self) -> String {
        match self {
            BsaChart::RuleOfNines => "rule of nines (adult)".into(),
            BsaChart::LundBrowder(a) => {
                let col = match a {
                    LundBrowderAge::Under1 => "under 1 year",
                    LundBrowderAge::From1To4 => "1–4 years",
                    LundBrowderAge::From5To9 => "5–9 years",
                    LundBrowderAge::From10To14 => "10–14 years",
                    LundBrowderAge::Age15 => "15 years",
                    LundBrowderAge::Adult => "adult",
                };
                format!("Lund–Browder chart, {col}")
            }
        }
    }
}

/// Why a BSA could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BsaError {
    /// The involved share of a region is not a number from 0 to 100.
    #[error("{region}: involved share {value} is not a percentage from 0 to 100")]
    Share {
        /// The region (words).
        region: String,
        /// The value given.
        value: f64,
    },
    /// The region is not part of the chart.
    #[error("{region} is not a region of the {chart}")]
    NotInChart {
        /// The region (words).
        region: String,
        /// The chart (words).
        chart: String,
    },
}

/// One region's contribution to the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionShare {
    /// Region.
    pub region: Region,
    /// The region's share of the whole body, % BSA.
    pub region_percent: Percent,
    /// Share of the region involved, %.
    pub involved_percent: Percent,
    /// Contribution to the total, % BSA.
    pub bsa_percent: Percent,
}

/// The computed BSA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BsaEstimate {
    /// Chart used.
    pub chart: BsaChart,
    /// Total involved, % BSA (0–100, unrounded).
    pub total_percent: Percent,
    /// Contribution of each region given.
    pub regions: Vec<RegionShare>,
}

/// % BSA involved from the involved share (0–100 %) of each region of
/// `chart`. A region given twice counts once (the last share). A region
/// not in the chart, or a share outside 0–100, is an error naming it.
pub fn estimate(chart: BsaChart, involved: &[(Region, f64)]) -> Result<BsaEstimate, BsaError> {
    let table = chart.regions();
    let mut shares: Vec<RegionShare> = Vec::new();
    for &(region, pct) in involved {
        let Some(&(_, of_body)) = table.iter().find(|(r, _)| *r == region) else {
            return Err(BsaError::NotInChart {
                region: region.label(),
                chart: chart.label(),
            });
        };
        let Ok(involved_percent) = Percent::new(pct) else {
            return Err(BsaError::Share {
                region: region.label(),
                value: pct,
            });
        };
        shares.retain(|s| s.region != region);
        shares.push(RegionShare {
            region,
            region_percent: Percent::lit(of_body),
            involved_percent,
            bsa_percent: Percent::lit(of_body * pct / 100.0),
        });
    }
    let total: f64 = shares.iter().map(|s| s.bsa_percent.get()).sum();
    Ok(BsaEstimate {
        chart,
        // Each chart's regions sum to 100 % of the body; the bound only
        // absorbs floating-point rounding of that sum.
        total_percent: Percent::clamp(total).unwrap_or(Percent::HUNDRED),
        regions: shares,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: [LundBrowderAge; 6] = [
        LundBrowderAge::Under1,
        LundBrowderAge::From1To4,
        LundBrowderAge::From5To9,
        LundBrowderAge::From10To14,
        LundBrowderAge::Age15,
        LundBrowderAge::Adult,
    ];

    fn total(chart: BsaChart) -> f64 {
        chart.regions().iter().map(|(_, p)| p).sum()
    }

    #[test]
    fn every_chart_sums_to_100() {
        assert_eq!(total(BsaChart::RuleOfNines), 100.0);
        for c in COLUMNS {
            assert_eq!(total(BsaChart::LundBrowder(c)), 100.0, "{c:?}");
        }
    }

    #[test]
    fn whole_body_is_100_percent() {
        for chart in std::iter::once(BsaChart::RuleOfNines)
            .chain(COLUMNS.iter().map(|c| BsaChart::LundBrowder(*c)))
        {
            let all: Vec<(Region, f64)> =
                chart.regions().iter().map(|(r, _)| (*r, 100.0)).collect();
            assert_eq!(estimate(chart, &all).unwrap().total_percent.get(), 100.0);
        }
    }

    #[test]
    fn age_boundaries_pick_the_column_and_chart() {
        use LundBrowderAge as A;
        let cases = [
            (0, A::Under1),
            (1, A::From1To4),
            (4, A::From1To4),
            (5, A::From5To9),
            (9, A::From5To9),
            (10, A::From10To14),
            (14, A::From10To14),
            (15, A::Age15),
            (16, A::Adult),
        ];
        for (age, col) in cases {
            assert_eq!(LundBrowderAge::for_age(age), col, "age {age}");
        }
        assert_eq!(BsaChart::for_age(15), BsaChart::LundBrowder(A::Age15));
        assert_eq!(BsaChart::for_age(16), BsaChart::RuleOfNines);
        assert_eq!(BsaChart::for_age(80), BsaChart::RuleOfNines);
    }

    #[test]
    fn infant_head_is_larger_than_adult_head() {
        let head = |c| {
            estimate(BsaChart::LundBrowder(c), &[(Region::Head, 100.0)])
                .unwrap()
                .total_percent
                .get()
        };
        assert_eq!(head(LundBrowderAge::Under1), 19.0);
        assert_eq!(head(LundBrowderAge::Adult), 7.0);
    }

    #[test]
    fn partial_regions_add_up() {
        // Adult: half the anterior trunk (9) + both arms fully (18) = 27 %:
        // MAGIC skin stage 2 (25-50 %).
        let e = estimate(
            BsaChart::RuleOfNines,
            &[
                (Region::AnteriorTrunk, 50.0),
                (Region::RightArm, 100.0),
                (Region::LeftArm, 100.0),
            ],
        )
        .unwrap();
        assert_eq!(e.total_percent.get(), 27.0);
        assert_eq!(e.regions.len(), 3);
    }

    #[test]
    fn a_region_given_twice_counts_once() {
        let e = estimate(
            BsaChart::RuleOfNines,
            &[(Region::RightArm, 100.0), (Region::RightArm, 50.0)],
        )
        .unwrap();
        assert_eq!(e.total_percent.get(), 4.5);
    }

    #[test]
    fn share_boundaries() {
        let one = |p| estimate(BsaChart::RuleOfNines, &[(Region::LeftLeg, p)]);
        assert_eq!(one(0.0).unwrap().total_percent.get(), 0.0);
        assert_eq!(one(100.0).unwrap().total_percent.get(), 18.0);
        assert!(matches!(one(-0.1), Err(BsaError::Share { .. })));
        assert!(matches!(one(100.1), Err(BsaError::Share { .. })));
        assert!(matches!(one(f64::NAN), Err(BsaError::Share { .. })));
    }

    #[test]
    fn regions_of_the_other_chart_are_refused() {
        let e = estimate(BsaChart::RuleOfNines, &[(Region::Head, 10.0)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "head is not a region of the rule of nines (adult)"
        );
        assert!(
            estimate(
                BsaChart::LundBrowder(LundBrowderAge::Adult),
                &[(Region::HeadNeck, 10.0)]
            )
            .is_err()
        );
    }

    #[test]
    fn region_names_round_trip() {
        for r in ALL_REGIONS {
            assert_eq!(Region::parse(r.as_str()), Some(r));
        }
        assert_eq!(Region::parse("tail"), None);
    }
}
