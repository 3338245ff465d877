//! Shared scenario builder for the NGS simulation tests (included with
//! `mod ngs_common;` by each `ngs_*.rs` test file).
#![allow(dead_code)]

use graftwatch_chimerism::AlleleCounts;
use graftwatch_chimerism::ngs::sim::{
    SimErrors, SimPanel, SimPerson, SimReads, SimRng, haploidentical, simulate_counts,
    simulate_errors, simulate_panel, unrelated,
};
use graftwatch_chimerism::ngs::{
    ErrorConfig, ErrorModel, GenotypeCall, GenotypeConfig, NgsConfig, NgsSampleResult, Person,
    Role, analyse_sample, call_genotypes,
};

/// A transplant scenario: recipient, haplo PBSC donor, unrelated cord unit(s).
pub struct Scenario {
    pub panel: SimPanel,
    pub people: Vec<SimPerson>,
    pub persons: Vec<Person>,
    pub calls: Vec<Vec<GenotypeCall>>,
    pub errors: ErrorModel,
    pub sim_errors: SimErrors,
    pub reads: SimReads,
    pub rng: SimRng,
}

/// Builds a panel of 48 SNPs + 24 indels, a recipient, then `n_donors`
/// donors: the first haploidentical, the others unrelated (cord units);
/// genotypes are called from simulated pure samples at the same depth and
/// the error model is learned from them.
pub fn scenario(seed: u64, n_donors: usize) -> Scenario {
    scenario_with(seed, n_donors, SimReads::default())
}

/// [`scenario`] with explicit read parameters.
pub fn scenario_with(seed: u64, n_donors: usize, reads: SimReads) -> Scenario {
    scenario_panel(seed, n_donors, (48, 24), reads)
}

/// [`scenario_with`] with a panel of `panel.0` SNPs + `panel.1` indels.
pub fn scenario_panel(
    seed: u64,
    n_donors: usize,
    (n_snp, n_indel): (usize, usize),
    reads: SimReads,
) -> Scenario {
    let mut rng = SimRng::new(seed);
    let panel = simulate_panel(n_snp, n_indel, &mut rng);
    let sim_errors = simulate_errors(&panel, &reads, &mut rng);
    let recipient = unrelated(&panel, &mut rng);
    let mut people = vec![recipient.clone()];
    for d in 0..n_donors {
        people.push(if d == 0 {
            haploidentical(&recipient, &panel, &mut rng)
        } else {
            unrelated(&panel, &mut rng)
        });
    }
    let mut persons = vec![Person {
        name: "recipient".into(),
        role: Role::Recipient,
    }];
    for d in 0..n_donors {
        persons.push(Person {
            name: if d == 0 {
                "PBSC-haplo".into()
            } else {
                format!("UCB-{d}")
            },
            role: Role::Donor,
        });
    }
    let gcfg = GenotypeConfig::default();
    let pure: Vec<Vec<Option<AlleleCounts>>> = people
        .iter()
        .map(|p| {
            simulate_counts(&[p], &[1.0], &sim_errors, &reads, &mut rng)
                .into_iter()
                .map(Some)
                .collect()
        })
        .collect();
    let calls: Vec<Vec<GenotypeCall>> = pure.iter().map(|c| call_genotypes(c, &gcfg)).collect();
    let pairs: Vec<(&[Option<AlleleCounts>], &[GenotypeCall])> = pure
        .iter()
        .zip(&calls)
        .map(|(c, g)| (c.as_slice(), g.as_slice()))
        .collect();
    let errors = ErrorModel::learn(&panel.markers, &pairs, &ErrorConfig::default());
    Scenario {
        panel,
        people,
        persons,
        calls,
        errors,
        sim_errors,
        reads,
        rng,
    }
}

impl Scenario {
    /// Simulates a post-transplant sample at `fractions` and analyses it.
    pub fn sample(&mut self, fractions: &[f64]) -> NgsSampleResult {
        let refs: Vec<&SimPerson> = self.people.iter().collect();
        let counts: Vec<Option<AlleleCounts>> = simulate_counts(
            &refs,
            fractions,
            &self.sim_errors,
            &self.reads,
            &mut self.rng,
        )
        .into_iter()
        .map(Some)
        .collect();
        analyse_sample(
            "s",
            &self.panel.markers,
            &self.persons,
            &self.calls,
            &self.errors,
            &counts,
            &NgsConfig::default(),
        )
        .expect("analysable")
    }
}

/// Mean of a slice.
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}
