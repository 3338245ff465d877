//! Which loci tell which people apart: unique alleles, shared alleles and
//! alleles in another person's stutter position, per locus and person.

use graftwatch_core::PersonRef;
use serde::Serialize;

use super::allele::Allele;
use super::genotype::ReferenceGenotype;
use super::locus::Locus;

/// One person at one locus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonLocusInfo {
    /// The person.
    pub person: PersonRef,
    /// Genotype label, e.g. `12/14`.
    pub genotype: String,
    /// Alleles no other declared person carries at this locus.
    pub unique: Vec<Allele>,
    /// Alleles shared with at least one other person.
    pub shared: Vec<Allele>,
    /// Unique alleles lying one repeat below another person's allele (their
    /// signal is inflated by that person's back-stutter).
    pub in_back_stutter_position: Vec<Allele>,
    /// Unique alleles lying one repeat above another person's allele
    /// (forward-stutter position; a smaller effect).
    pub in_forward_stutter_position: Vec<Allele>,
    /// Unique alleles lying two repeats below another person's allele
    /// (double back-stutter position).
    pub in_double_back_stutter_position: Vec<Allele>,
}

impl PersonLocusInfo {
    /// The person can be quantified at this locus (has a unique allele).
    pub fn informative(&self) -> bool {
        !self.unique.is_empty()
    }
    /// Unique alleles not in a back (n−1) or forward (n+1) stutter position of
    /// another person's allele. Alleles in a double back-stutter (n−2)
    /// position stay assessable; a peak there counts as seen only above two
    /// times the expected n−2 stutter (see the estimator).
    pub fn clean_unique(&self) -> Vec<&Allele> {
        self.unique
            .iter()
            .filter(|a| {
                !self.in_back_stutter_position.contains(a)
                    && !self.in_forward_stutter_position.contains(a)
            })
            .collect()
    }
}

/// Informativeness at one locus typed in every reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocusInformativeness {
    /// The locus.
    pub locus: Locus,
    /// One entry per person, in reference order (recipient first).
    pub persons: Vec<PersonLocusInfo>,
    /// True when at least two people's genotypes (allele dosages) differ.
    /// With three or more people a locus can be informative through dosage
    /// alone (recipient a/b, donor 1 a/a, donor 2 b/b: nobody has a unique
    /// allele, yet the joint fit separates them).
    pub genotypes_differ: bool,
}

impl LocusInformativeness {
    /// True when the locus carries information for the joint fit: a person
    /// has a unique allele, or the genotypes differ in dosage.
    pub fn informative(&self) -> bool {
        self.genotypes_differ || self.persons.iter().any(PersonLocusInfo::informative)
    }
    /// True when any unique allele is in a back-stutter position.
    pub fn has_stutter_position(&self) -> bool {
        self.persons
            .iter()
            .any(|p| !p.in_back_stutter_position.is_empty())
    }
}

/// Informativeness at every locus typed in all references (in locus order).
pub fn informativeness(refs: &[ReferenceGenotype]) -> Vec<LocusInformativeness> {
    let mut out = Vec::new();
    let Some(first) = refs.first() else {
        return out;
    };
    for &locus in first.loci.keys() {
        if !refs.iter().all(|r| r.loci.contains_key(&locus)) {
            continue;
        }
        let persons = refs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let g = &r.loci[&locus];
                let others: Vec<&Allele> = refs
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .flat_map(|(_, o)| o.loci[&locus].alleles.iter().map(|c| &c.allele))
                    .collect();
                let (mut unique, mut shared) = (Vec::new(), Vec::new());
                for c in &g.alleles {
                    if others.contains(&&c.allele) {
                        shared.push(c.allele.clone())
                    } else {
                        unique.push(c.allele.clone())
                    }
                }
                let in_back = unique
                    .iter()
                    .filter(|a| others.iter().any(|o| o.minus_one().as_ref() == Some(*a)))
                    .cloned()
                    .collect();
                let in_fwd = unique
                    .iter()
                    .filter(|a| others.iter().any(|o| o.plus_one().as_ref() == Some(*a)))
                    .cloned()
                    .collect();
                let in_double = unique
                    .iter()
                    .filter(|a| others.iter().any(|o| o.minus(2).as_ref() == Some(*a)))
                    .cloned()
                    .collect();
                PersonLocusInfo {
                    person: r.person.clone(),
                    genotype: g.label(),
                    unique,
                    shared,
                    in_back_stutter_position: in_back,
                    in_forward_stutter_position: in_fwd,
                    in_double_back_stutter_position: in_double,
                }
            })
            .collect();
        let first_g = &refs[0].loci[&locus];
        let genotypes_differ = refs[1..].iter().any(|r| {
            r.loci[&locus]
                .alleles
                .iter()
                .map(|c| (&c.allele, c.dosage))
                .ne(first_g.alleles.iter().map(|c| (&c.allele, c.dosage)))
        });
        out.push(LocusInformativeness {
            locus,
            persons,
            genotypes_differ,
        });
    }
    out
}

/// Number of loci (typed in both) at which two references' genotypes differ.
pub fn distinguishing_loci(a: &ReferenceGenotype, b: &ReferenceGenotype) -> usize {
    a.loci
        .iter()
        .filter(|(l, ga)| {
            b.loci.get(l).is_some_and(|gb| {
                let x: Vec<&Allele> = ga.alleles.iter().map(|c| &c.allele).collect();
                let y: Vec<&Allele> = gb.alleles.iter().map(|c| &c.allele).collect();
                x != y
            })
        })
        .count()
}
