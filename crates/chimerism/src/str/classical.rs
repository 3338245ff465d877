//! Per-locus classical formulas for one donor (chimerism-methods.md §1 table;
//! the standard STR-CE calculations, e.g. Thiede et al., Bone Marrow
//! Transplant 1999;23:1055–1060 and Kristt et al. 2007).

use graftwatch_core::Fraction;
use serde::Serialize;

use super::allele::Allele;
use super::genotype::LocusGenotype;

/// The genotype pattern of recipient and donor at a locus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassicalPattern {
    /// No shared allele (any zygosity): ΣA_D / (ΣA_D + ΣA_R).
    NoShared,
    /// a/b ; b/c: A_c / (A_a + A_c), the shared peak ignored.
    OneSharedBothHeterozygous,
    /// b/b ; b/c: 2·A_c / (A_b + A_c).
    RecipientHomozygousShared,
    /// a/b ; b/b: 1 − 2·A_a / (A_a + A_b).
    DonorHomozygousShared,
    /// Identical genotypes: not informative.
    Identical,
    /// Any other pattern (tri-allelic loci): no classical formula.
    Other,
}

/// Result at one locus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassicalLocus {
    /// The pattern.
    pub pattern: ClassicalPattern,
    /// Donor fraction before clipping, when the pattern has a formula and
    /// the denominator is positive. A plain number: the formulas can fall
    /// outside 0–1 (noise on a shared peak); `donor_fraction` is the same
    /// bounded to [0, 1].
    pub donor_fraction_raw: Option<f64>,
    /// The same clipped to [0, 1] (`None` also when the raw value is not
    /// finite).
    pub donor_fraction: Option<Fraction>,
}

fn alleles(g: &LocusGenotype) -> Vec<&Allele> {
    g.alleles.iter().map(|c| &c.allele).collect()
}

/// Applies the classical formula for recipient genotype `r` and donor
/// genotype `d`; `signal` gives the sample's peak signal (area or height) at
/// an allele, 0 when absent.
pub fn classical_locus(
    r: &LocusGenotype,
    d: &LocusGenotype,
    signal: impl Fn(&Allele) -> f64,
) -> ClassicalLocus {
    let ra = alleles(r);
    let da = alleles(d);
    let shared: Vec<&Allele> = ra.iter().filter(|a| da.contains(a)).copied().collect();
    let r_only: Vec<&Allele> = ra.iter().filter(|a| !da.contains(a)).copied().collect();
    let d_only: Vec<&Allele> = da.iter().filter(|a| !ra.contains(a)).copied().collect();
    let sum = |v: &[&Allele]| v.iter().map(|a| signal(a)).sum::<f64>();
    let ratio = |num: f64, den: f64| if den > 0.0 { Some(num / den) } else { None };
    let (pattern, raw) = if ra.len() > 2 || da.len() > 2 {
        (ClassicalPattern::Other, None)
    } else if ra == da {
        (ClassicalPattern::Identical, None)
    } else if shared.is_empty() {
        let (sd, sr) = (sum(&d_only), sum(&r_only));
        (ClassicalPattern::NoShared, ratio(sd, sd + sr))
    } else if ra.len() == 2 && da.len() == 2 {
        // a/b ; b/c
        let (aa, ac) = (signal(r_only[0]), signal(d_only[0]));
        (
            ClassicalPattern::OneSharedBothHeterozygous,
            ratio(ac, aa + ac),
        )
    } else if ra.len() == 1 && da.len() == 2 {
        // b/b ; b/c
        let (ab, ac) = (signal(shared[0]), signal(d_only[0]));
        (
            ClassicalPattern::RecipientHomozygousShared,
            ratio(2.0 * ac, ab + ac),
        )
    } else if ra.len() == 2 && da.len() == 1 {
        // a/b ; b/b
        let (aa, ab) = (signal(r_only[0]), signal(shared[0]));
        (
            ClassicalPattern::DonorHomozygousShared,
            ratio(2.0 * aa, aa + ab).map(|x| 1.0 - x),
        )
    } else {
        (ClassicalPattern::Other, None)
    };
    ClassicalLocus {
        pattern,
        donor_fraction_raw: raw,
        donor_fraction: raw.and_then(Fraction::clamp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::str::genotype::CalledAllele;
    use crate::str::locus::Locus;

    fn g(a: &[&str]) -> LocusGenotype {
        let n = a.len() as f64;
        LocusGenotype {
            alleles: a
                .iter()
                .map(|s| CalledAllele {
                    allele: Allele::parse(s, Locus::Fga).unwrap(),
                    dosage: 2.0 / n,
                    signal: 1.0,
                })
                .collect(),
            het_balance: None,
            back_stutter: vec![],
            forward_stutter: vec![],
            double_back_stutter: vec![],
            stutter_seen: [0; 3],
            stutter_below: Default::default(),
        }
    }

    /// Signals of a mixture with donor fraction f: each allele gets f·dose_D/2 + (1−f)·dose_R/2.
    fn mix(r: &LocusGenotype, d: &LocusGenotype, f: f64) -> impl Fn(&Allele) -> f64 {
        let (r, d) = (r.clone(), d.clone());
        move |a| 1000.0 * (f * d.dosage(a) / 2.0 + (1.0 - f) * r.dosage(a) / 2.0)
    }

    #[test]
    fn every_pattern_recovers_the_true_fraction() {
        let cases = [
            (
                vec!["20", "21"],
                vec!["22", "23"],
                ClassicalPattern::NoShared,
            ),
            (vec!["20"], vec!["22"], ClassicalPattern::NoShared),
            (vec!["20", "21"], vec!["22"], ClassicalPattern::NoShared),
            (
                vec!["20", "21"],
                vec!["21", "22"],
                ClassicalPattern::OneSharedBothHeterozygous,
            ),
            (
                vec!["21"],
                vec!["21", "22"],
                ClassicalPattern::RecipientHomozygousShared,
            ),
            (
                vec!["20", "21"],
                vec!["21"],
                ClassicalPattern::DonorHomozygousShared,
            ),
        ];
        for (r, d, pat) in cases {
            let (r, d) = (g(&r), g(&d));
            for f in [0.0, 0.02, 0.3, 0.5, 0.97, 1.0] {
                let c = classical_locus(&r, &d, mix(&r, &d, f));
                assert_eq!(c.pattern, pat);
                assert!(
                    (c.donor_fraction.unwrap().get() - f).abs() < 1e-12,
                    "{pat:?} f={f} got {:?}",
                    c.donor_fraction
                );
            }
        }
    }

    #[test]
    fn identical_is_not_informative() {
        let c = classical_locus(&g(&["20", "21"]), &g(&["20", "21"]), |_| 100.0);
        assert_eq!(c.pattern, ClassicalPattern::Identical);
        assert_eq!(c.donor_fraction, None);
    }

    #[test]
    fn zero_signal_gives_no_estimate_not_zero() {
        let c = classical_locus(&g(&["20"]), &g(&["22"]), |_| 0.0);
        assert_eq!(c.donor_fraction, None);
    }

    #[test]
    fn clipping_keeps_raw_value() {
        // a/b ; b/b with A_a > A_b (noise): raw < 0, clipped to 0.
        let (r, d) = (g(&["20", "21"]), g(&["21"]));
        let a20 = Allele::parse("20", Locus::Fga).unwrap();
        let c = classical_locus(&r, &d, |a| if *a == a20 { 600.0 } else { 400.0 });
        assert!(c.donor_fraction_raw.unwrap() < 0.0);
        assert_eq!(c.donor_fraction, Some(Fraction::ZERO));
    }
}
